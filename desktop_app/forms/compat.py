"""Whether an edited form definition may replace the one in force.

A coordinator may reword labels and help, add sections, fields, options and rules, mark more
sections restricted, and add or drop a text field's ``suggest`` (a screen's hint only). Nothing
that answers already stored depend on may go: no field removed or retyped, no option removed, no
restriction or consent requirement lifted, no consent purpose removed, and a changed consent
text needs a new ``text_version``. The consent texts are history: a new ``text_version`` keeps
the previous text, word for word, among the ``earlier_texts``, and no earlier text is dropped or
changed, so the text every stored consent was given under can still be shown. So every stored
visit and consent still reads correctly with the new definition, and the reports keep their
fields.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from desktop_app.forms.definition import FieldDef, FormDefinition


@dataclass(frozen=True)
class Incompatibility:
    """``code`` keys a translated message; ``where`` names the field, option or purpose."""

    code: str
    where: str = ""


def _walk(form: FormDefinition) -> Iterator[tuple[str, FieldDef, str | None, str | None]]:
    """(path, field, restriction, consent purpose) for every field, group members included."""
    for section in form.sections:
        for field in section.fields:
            restricted = field.restricted or section.restricted
            consent = field.requires_consent or section.requires_consent
            yield field.id, field, restricted, consent
            for sub in field.fields or []:
                yield (
                    f"{field.id}.{sub.id}",
                    sub,
                    sub.restricted or restricted,
                    sub.requires_consent or consent,
                )


def incompatibilities(base: FormDefinition, new: FormDefinition) -> list[Incompatibility]:
    """What in ``new`` would break answers stored under ``base`` (empty list: compatible)."""
    if new.id != base.id:
        return [Incompatibility("form_id_changed", new.id)]
    found: list[Incompatibility] = []
    if new.version < base.version:
        found.append(Incompatibility("version_lower", str(base.version)))
    fields = {path: (f, r, c) for path, f, r, c in _walk(new)}
    for path, field, restricted, consent in _walk(base):
        if path not in fields:
            found.append(Incompatibility("field_removed", path))
            continue
        other, other_restricted, other_consent = fields[path]
        if other.type != field.type:
            found.append(Incompatibility("field_retyped", path))
            continue
        missing = [o for o in field.option_ids() if o not in other.option_ids()]
        if missing:
            found.append(Incompatibility("option_removed", f"{path}: {', '.join(missing)}"))
        if restricted and other_restricted != restricted:
            found.append(Incompatibility("restriction_lifted", path))
        if consent and other_consent != consent:
            found.append(Incompatibility("consent_requirement_lifted", path))
    purposes = {p.id: p for p in new.purposes}
    for purpose in base.purposes:
        other_purpose = purposes.get(purpose.id)
        if other_purpose is None:
            found.append(Incompatibility("purpose_removed", purpose.id))
        elif other_purpose.text != purpose.text and new.text_version == base.text_version:
            found.append(Incompatibility("consent_text_without_version", purpose.id))
    found += _lost_texts(base, new)
    return found


def _lost_texts(base: FormDefinition, new: FormDefinition) -> list[Incompatibility]:
    """Consent texts of ``base`` that ``new`` no longer holds as they were."""
    kept = {e.text_version: dict(e.purposes) for e in new.earlier_texts}
    texts = {e.text_version: dict(e.purposes) for e in base.earlier_texts}
    if base.text_version and base.purposes and new.text_version != base.text_version:
        texts[base.text_version] = {p.id: p.text for p in base.purposes}
    found: list[Incompatibility] = []
    for version, purposes in texts.items():
        if version not in kept:
            found.append(Incompatibility("earlier_text_removed", version))
            continue
        for pid in sorted(set(purposes) | set(kept[version])):
            if purposes.get(pid) != kept[version].get(pid):
                found.append(Incompatibility("earlier_text_changed", f"{version}: {pid}"))
    return found
