"""The consent texts a form definition holds, current and earlier, as (text version, purpose,
wording by language): what a laptop keeps of every consent form that was in force on it, so
that a person's data copy shows the wording they agreed to after that form went."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator, Mapping

from desktop_app.forms.definition import FormDefinition

ConsentText = tuple[str, str, dict[str, str]]


def canonical(wording: Mapping[str, str]) -> str:
    """A wording (language -> text) as one string, the same for the same texts."""
    return json.dumps(dict(wording), ensure_ascii=False, sort_keys=True, separators=(",", ":"))


def wording_digest(wording: Mapping[str, str]) -> str:
    """What tells two wordings kept under one text version apart (every language counts)."""
    return hashlib.sha256(canonical(wording).encode("utf-8")).hexdigest()


def texts_of_form(form: FormDefinition) -> Iterator[ConsentText]:
    if form.text_version:
        for purpose in form.purposes:
            yield form.text_version, purpose.id, dict(purpose.text)
    for earlier in form.earlier_texts:
        for purpose_id, wording in earlier.purposes.items():
            yield earlier.text_version, purpose_id, dict(wording)


def _wording(value: object) -> dict[str, str] | None:
    if not isinstance(value, Mapping) or not value:
        return None
    if not all(isinstance(k, str) and isinstance(v, str) and v for k, v in value.items()):
        return None
    return dict(value)


def texts_of_mapping(data: object) -> Iterator[ConsentText]:
    """The consent texts of a form definition as parsed from YAML, read leniently: a form this
    version refuses (a newer version's, with keys it does not know) still gives the texts that
    have the expected shape, since a consent may have been given under them elsewhere."""
    if not isinstance(data, Mapping):
        return
    version = data.get("text_version")
    purposes = data.get("purposes")
    if isinstance(version, str) and version and isinstance(purposes, list):
        for purpose in purposes:
            if not isinstance(purpose, Mapping) or not isinstance(pid := purpose.get("id"), str):
                continue
            if (wording := _wording(purpose.get("text"))) is not None:
                yield version, pid, wording
    earlier_texts = data.get("earlier_texts")
    for earlier in earlier_texts if isinstance(earlier_texts, list) else []:
        if not isinstance(earlier, Mapping):
            continue
        version, by_purpose = earlier.get("text_version"), earlier.get("purposes")
        if not isinstance(version, str) or not version or not isinstance(by_purpose, Mapping):
            continue
        for purpose_id, text in by_purpose.items():
            if isinstance(purpose_id, str) and (wording := _wording(text)) is not None:
                yield version, purpose_id, wording
