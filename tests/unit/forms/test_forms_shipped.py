"""Every shipped form definition: loads, is fully translated, and its conditions resolve."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator

import pytest
import yaml

from desktop_app.forms import FormDefinition, evaluate, load_shipped_forms
from desktop_app.forms.check import check_paths
from desktop_app.forms.definition import LANGUAGES, FieldDef, FieldType
from desktop_app.forms.expressions import Scope
from desktop_app.paths import resource

CYRILLIC = re.compile(r"[\u0400-\u04FF]")
CEDILLA_FORMS = re.compile("[şţŞŢ]")


@pytest.fixture(scope="module")
def forms() -> dict[str, FormDefinition]:
    return load_shipped_forms()


def _field_labels(f: FieldDef, where: str) -> Iterator[tuple[str, dict[str, str]]]:
    here = f"{where}.{f.id}"
    yield here, f.label
    if f.help:
        yield f"{here}.help", f.help
    if f.add_label:
        yield f"{here}.add_label", f.add_label
    for option in f.options or []:
        yield f"{here}.{option.id}", option.label
        if option.help:
            yield f"{here}.{option.id}.help", option.help
    for i, constraint in enumerate(f.constraints):
        yield f"{here}.constraint{i}", constraint.message
    for sub in f.fields or []:
        yield from _field_labels(sub, here)


def all_labels(form: FormDefinition) -> Iterator[tuple[str, dict[str, str]]]:
    yield f"{form.id}.title", form.title
    if form.help:
        yield f"{form.id}.help", form.help
    for purpose in form.purposes:
        yield f"{form.id}.purpose.{purpose.id}", purpose.label
        yield f"{form.id}.purpose.{purpose.id}.text", purpose.text
    for earlier in form.earlier_texts:
        for pid, text in earlier.purposes.items():
            yield f"{form.id}.earlier.{earlier.text_version}.{pid}", text
    for section in form.sections:
        yield f"{form.id}.{section.id}", section.label
        if section.help:
            yield f"{form.id}.{section.id}.help", section.help
        for f in section.fields:
            yield from _field_labels(f, f"{form.id}.{section.id}")
    for computed in form.computed:
        yield f"{form.id}.computed.{computed.id}", computed.label
    for rule in form.next_steps:
        yield f"{form.id}.next.{rule.id}", rule.label
        if rule.reason:
            yield f"{form.id}.next.{rule.id}.reason", rule.reason


def validation_messages() -> Iterator[tuple[str, dict[str, str]]]:
    data = yaml.safe_load(resource("forms", "messages", "validation.yaml").read_text("utf-8"))
    for code, labels in data.items():
        yield f"messages.{code}", labels


def test_the_three_forms_ship(forms: dict[str, FormDefinition]) -> None:
    assert set(forms) == {"life_situation", "skills_check", "consent"}
    assert all(form.version >= 1 for form in forms.values())
    code, messages = check_paths([resource("forms")])
    assert code == 0, messages
    assert len(messages) == 3


def test_every_label_is_translated(forms: dict[str, FormDefinition]) -> None:
    problems = []
    labels = [item for form in forms.values() for item in all_labels(form)]
    labels += list(validation_messages())
    assert len(labels) > 300
    for where, texts in labels:
        for lang in LANGUAGES:
            if not texts.get(lang, "").strip():
                problems.append(f"{where}: no {lang}")
        en = texts["en"]
        sentence = len(en.split()) >= 3
        for lang in ("bg", "ro", "de"):
            if sentence and texts[lang] == en:
                problems.append(f"{where}: {lang} is a copy of the English text")
        if not CYRILLIC.search(texts["bg"]):
            problems.append(f"{where}: bg has no Cyrillic letters: {texts['bg']!r}")
        if CEDILLA_FORMS.search(texts["ro"]):
            problems.append(f"{where}: ro uses cedilla ş/ţ instead of comma-below ș/ț")
    assert problems == []


def test_special_categories_are_marked(forms: dict[str, FormDefinition]) -> None:
    life = forms["life_situation"]
    health = life.section("health")
    assert health.restricted == "health" and health.requires_consent == "advice"
    for field_id in ("insurance_status", "pregnant", "children_vaccinations"):
        assert life.section_of(field_id).id == "health"
    for field_id in ("housing_exploitation_signs", "work_exploitation_signs", "exploitation_notes"):
        marked = life.field(field_id)
        assert marked.restricted == "exploitation" and marked.requires_consent == "advice"
    consent = forms["consent"]
    assert consent.text_version
    assert {p.id for p in consent.purposes} == {"advice", "central_storage", "referral_sharing"}
    assert {f.purpose for f in consent.fields() if f.purpose} == {p.id for p in consent.purposes}


def test_the_consent_form_keeps_the_text_of_november_2026(
    forms: dict[str, FormDefinition],
) -> None:
    """2026-12-1 reworded only the German sharing text, 2026-12-2 only the Romanian one
    ("scrisoare de trimitere", not "de recomandare"); the earlier texts are kept whole."""
    consent = forms["consent"]
    assert consent.text_version == "2026-12-2"
    assert [e.text_version for e in consent.earlier_texts] == ["2026-12-1", "2026-11-1"]
    for version, reworded in (("2026-11-1", {"de", "ro"}), ("2026-12-1", {"ro"})):
        for purpose in consent.purposes:
            old = consent.consent_text(version, purpose.id)
            assert old is not None and set(old) == {"de", "bg", "ro", "en"}
            changed = {lang for lang in old if old[lang] != purpose.text[lang]}
            expected = reworded if purpose.id == "referral_sharing" else set()
            assert changed == expected, (version, purpose.id)
    old_sharing = consent.consent_text("2026-11-1", "referral_sharing")
    assert old_sharing is not None and "Überweisungsschreiben" in old_sharing["de"]
    sharing = consent.consent_text("2026-12-1", "referral_sharing")
    assert sharing is not None and "scrisoare de recomandare" in sharing["ro"]
    assert consent.consent_text("2026-12-2", "referral_sharing") == consent.purposes[2].text
    assert "scrisoare de trimitere" in consent.purposes[2].text["ro"]
    assert consent.consent_text("2026-10-1", "advice") is None


def test_required_field_types_are_used(forms: dict[str, FormDefinition]) -> None:
    used = {f.type for form in forms.values() for f in form.fields()}
    used |= {s.type for form in forms.values() for f in form.fields() for s in f.fields or []}
    assert used == set(FieldType)


def test_every_expression_resolves_and_evaluates(forms: dict[str, FormDefinition]) -> None:
    """The loader already refused unknown names; here each expression also runs on empty answers
    and on answers of every shape without raising."""
    for form in forms.values():
        empty = evaluate(form, {}, today=dt.date(2026, 1, 1))
        assert empty.relevant_sections  # something is always shown
        sources = [rule.when for rule in form.next_steps] + [c.expr for c in form.computed]
        for section in form.sections:
            sources += [section.relevant] if section.relevant else []
            for f in section.fields:
                for g in [f, *(f.fields or [])]:
                    sources += [g.relevant] if g.relevant else []
                    sources += [g.required] if isinstance(g.required, str) else []
                    sources += [c.check for c in g.constraints]
        for source in sources:
            expr = form.expression(source)
            for ref in expr.references():
                resolvable = ref.name in {f.id for f in form.fields()} | {
                    c.id for c in form.computed
                }
                if ref.group is not None:
                    group = form.field(ref.group)
                    resolvable = resolvable or group.subfield(ref.name) is not None
                assert resolvable or any(
                    f.subfield(ref.name) for f in form.fields() if f.type == FieldType.GROUP
                ), f"{form.id}: {source}"
            expr.evaluate(Scope({}, dt.date(2026, 1, 1)))


def test_option_ids_are_not_yaml_booleans(forms: dict[str, FormDefinition]) -> None:
    for form in forms.values():
        for f in form.fields():
            for g in [f, *(f.fields or [])]:
                assert all(isinstance(o.id, str) for o in g.options or [])


def test_restriction_and_consent_lookups(forms: dict[str, FormDefinition]) -> None:
    life = forms["life_situation"]
    assert life.restriction_of("pregnant") == "health"
    assert life.consent_purpose_of("pregnant") == "advice"
    assert life.restriction_of("exploitation_notes") == "exploitation"
    assert life.restriction_of("family_name") is None
    assert life.consent_purpose_of("family_name") is None


def test_the_german_topics_are_capitalised_alike(forms: dict[str, FormDefinition]) -> None:
    """The topics (a visit's and a quick contact's list) are headings, each beginning with a
    capital: "medizinische Versorgung / Gesundheitsamt" stood lower-case among "Anmeldung /
    Dokumente", "Wohnen / Wohnungslosenhilfe" …"""
    topics = forms["life_situation"].field("topics")
    labels = [option.label["de"] for option in topics.options or []]
    assert len(labels) > 10
    assert [label for label in labels if not label[0].isupper()] == []


def test_the_european_health_insurance_card_has_one_name_per_language(
    forms: dict[str, FormDefinition],
) -> None:
    """Reports (the form's answer) said "Европейска здравноосигурителна карта (EHIC)" while the
    letter (the directory's document) said "(ЕЗОК)": each language names the card, and
    abbreviates it, as that language's authorities do (CEASS in Romanian)."""
    catalogue = yaml.safe_load(resource("services", "catalogue.yaml").read_text("utf-8"))
    names = catalogue["documents"]["ehic"]
    assert names == {
        "de": "Europäische Krankenversicherungskarte (EHIC)",
        "bg": "Европейска здравноосигурителна карта (ЕЗОК)",
        "ro": "Cardul european de asigurări sociale de sănătate (CEASS)",
        "en": "European Health Insurance Card (EHIC)",
    }
    option = next(
        o for o in forms["life_situation"].field("insurance_status").options or [] if o.id == "ehic"
    )
    from desktop_app.usecases.reports import row_label

    for lang, name in names.items():
        assert name.casefold() in option.label[lang].casefold(), lang
        assert name.casefold() in row_label("insurance", "ehic", lang).casefold(), lang  # reports
    for form in forms.values():
        for where, label in all_labels(form):
            for lang in ("bg", "ro"):
                assert "EHIC" not in label.get(lang, ""), (where, lang)


def test_the_bulgarian_texts_call_the_client_лицето(forms: dict[str, FormDefinition]) -> None:
    """The program calls the person advised "лицето"; the shipped forms still said "човекът",
    "самия човек", "на човека". The consent's legal texts (purpose texts, earlier texts) are
    versioned and stay as they were given."""
    legal = re.compile(r"^consent\.(purpose\.[^.]+\.text|earlier\.)")
    checked = 0
    for form in forms.values():
        for where, labels in (*all_labels(form), *validation_messages()):
            if legal.match(where):
                continue
            checked += 1
            assert "човек" not in labels["bg"].lower(), (where, labels["bg"])
    assert checked > 100
