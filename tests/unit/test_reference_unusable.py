"""A publication this laptop cannot use is told apart, not silently replaced by what was shipped:
one from a newer Welcome Desk (a newer format or version, or keys this version does not know)
from a damaged one. Real encrypted stores; the publication's content as another laptop's
publication arrives in the store (the sync writes the record's columns as they came)."""

from __future__ import annotations

import json
import logging
from pathlib import Path
from typing import Any

import pytest
import yaml
from sqlalchemy import select

from desktop_app import __version__
from desktop_app.domain import versions
from desktop_app.forms import FormDefinition, FormDefinitionError, expressions
from desktop_app.forms.definition import form_from_mapping
from desktop_app.paths import resource
from desktop_app.storage.reference_models import ReferenceRow
from desktop_app.usecases import reference
from desktop_app.usecases.accounts import Session
from tests.unit.test_reference_forms import raised_version

# A key a later version may add to a field, which this version's loader refuses.
NEW_KEY = "        hint_later: {de: a, bg: b, ro: c, en: d}\n"
CONSENT_RAISED = reference.shipped_forms()["consent"].version + 1  # a coordinator's edit


def _shipped(kind: str) -> dict[str, str]:
    return {p.name: p.read_text(encoding="utf-8") for p in resource(kind).glob("*.yaml")}


def _forms_with_unknown_key() -> dict[str, str]:
    files = _shipped("forms")
    text = files["consent.yaml"]
    anchor = "        suggest: services\n"
    assert anchor in text
    files["consent.yaml"] = raised_version(text.replace(anchor, anchor + NEW_KEY, 1))
    return files


def _arrive(session: Session, name: str, content: dict[str, object] | str) -> None:
    """``content`` as the publication ``name`` of another laptop, stored as a sync stores it:
    the record's columns, a new revision."""
    text = content if isinstance(content, str) else json.dumps(content, ensure_ascii=False)
    record_id = reference.reference_id(name)
    with session.store.transaction() as db:
        row = db.get(ReferenceRow, record_id)
        if row is None:
            row = ReferenceRow(id=record_id, name=name, revision=0, field_clocks="{}")
            db.add(row)
        row.content = text
        row.deleted = False
        row.revision = (row.revision or 0) + 1
        row.updated_hlc = str(session.store.clock.now())
        row.device_id = "other-laptop"
        row.author_id = "someone"


def _content(files: dict[str, str], **extra: object) -> dict[str, object]:
    return {
        "files": files,
        "note": "",
        "publisher": "Maria",
        "published_at": "2026-11-30T10:00:00+00:00",
        **extra,
    }


def test_a_publication_states_the_publishers_version_and_format_and_is_in_force(
    session: Session,
) -> None:
    files = _shipped("forms")
    files["consent.yaml"] = raised_version(files["consent.yaml"])
    reference.publish_forms(session.store, session.user, files)
    with session.store.reading() as db:
        content = json.loads(db.scalars(select(ReferenceRow.content)).one())
    assert content["app_version"] == __version__
    # the shipped life-situation check calls days_since(), which format 2 brought, and has
    # notices (severity: notice), which format 3 brought
    assert content["format"] == reference.PUBLICATION_FORMAT == 3
    assert reference.published_forms(session.store) is not None
    assert reference.forms_in_force(session.store)["consent"].version == CONSENT_RAISED
    assert reference.unusable_publications(session.store) == []


def test_forms_state_the_format_their_functions_need_and_older_laptops_call_them_newer(
    session: Session, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A laptop of the version before days_since() (format 1) refuses a form that calls it
    (its loader does not know the function): the publication states format 2, so there it is
    a newer version's, its shipped forms apply and an update is named; forms without the
    function still state format 1, which such a laptop reads."""
    shipped = reference.shipped_forms()
    others = [f for form_id, f in shipped.items() if form_id != "life_situation"]
    assert reference.forms_format(others) == reference.BASE_FORMAT == 1
    files = _shipped("forms")
    files["consent.yaml"] = raised_version(files["consent.yaml"])
    files["life_situation.yaml"] = _without_notices(files["life_situation.yaml"])
    assert "days_since(" in files["life_situation.yaml"]
    reference.publish_forms(session.store, session.user, files)
    with session.store.reading() as db:
        content = json.loads(db.scalars(select(ReferenceRow.content)).one())
    assert content["format"] == 2
    # This laptop as one of the version before: its loader without the function, format 1.
    monkeypatch.delitem(expressions.FUNCTIONS, "days_since")
    monkeypatch.setattr(reference, "PUBLICATION_FORMAT", 1)
    # an older program: the forms this one parsed are not known to it
    monkeypatch.setattr(reference, "_parsed", {})
    _older_laptop_keeps_its_forms(session, content, shipped, own_format=1)


def _older_laptop_keeps_its_forms(
    session: Session,
    content: dict[str, Any],
    shipped: dict[str, FormDefinition],
    *,
    own_format: int,
) -> None:
    """The publication ``content`` arrives at this laptop (made one of format ``own_format``):
    it is a newer version's, the shipped forms stay in force; stated as ``own_format`` it would
    have been taken for damage there."""
    _arrive(session, reference.FORMS, content)
    assert reference.unusable_publications(session.store) == [
        reference.Unusable(reference.FORMS, reference.NEWER, __version__, 2)
    ]
    assert reference.forms_in_force(session.store) == shipped
    _arrive(session, reference.FORMS, {**content, "format": own_format})
    [found] = reference.unusable_publications(session.store)
    assert found.reason == reference.DAMAGED


def _without_notices(text: str) -> str:
    """The life-situation check as a coordinator may publish it without the notices at a
    child's daycare or school (its constraints there), under a higher version."""
    data = yaml.safe_load(text)
    household = next(s for s in data["sections"] if s["id"] == "household")
    children = next(f for f in household["fields"] if f["id"] == "children")
    care = next(f for f in children["fields"] if f["id"] == "child_care")
    assert all(c["severity"] == "notice" for c in care.pop("constraints"))
    data["version"] += 1
    return yaml.safe_dump(data, allow_unicode=True, sort_keys=False)


def test_forms_with_notices_state_format_3_and_older_laptops_keep_their_shipped_forms(
    session: Session, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A constraint that is a notice (``severity: notice``, the shipped check at a child's
    daycare or school) is a key the loader of a version before format 3 refuses, as every key
    it does not know: the publication states format 3, so a laptop of that version calls it a
    newer version's, keeps its shipped forms and names the update, rather than refusing it as
    damaged or taking the notices for errors that stop the save."""
    shipped = reference.shipped_forms()
    assert shipped["life_situation"].uses_notices()
    assert reference.forms_format(shipped.values()) == reference.PUBLICATION_FORMAT == 3
    # Without the notices, what is published is read by laptops of format 2 (days_since).
    files = _shipped("forms")
    plain = _without_notices(files["life_situation.yaml"])
    assert not form_from_mapping(yaml.safe_load(plain)).uses_notices()
    files["consent.yaml"] = raised_version(files["consent.yaml"])
    files["life_situation.yaml"] = raised_version(files["life_situation.yaml"])
    reference.publish_forms(session.store, session.user, files)
    with session.store.reading() as db:
        content = json.loads(db.scalars(select(ReferenceRow.content)).one())
    assert content["format"] == 3
    assert reference.forms_in_force(session.store)["life_situation"].uses_notices()
    # The loader here refuses a key it does not know, as every version's does:
    older_key = content["files"]["life_situation.yaml"].replace("severity:", "severity_x:")
    with pytest.raises(FormDefinitionError) as refused:
        form_from_mapping(yaml.safe_load(older_key))
    assert all(": unknown key 'severity_x'" in p for p in refused.value.problems)
    assert len(refused.value.problems) == 4
    # This laptop as one of format 2: its loader without the key, which it reads as unknown.
    real = reference.form_from_mapping

    def older_loader(data: Any, *, source: str = "<definition>") -> FormDefinition:
        text = json.dumps(data, ensure_ascii=False).replace('"severity":', '"severity_x":')
        return real(json.loads(text), source=source)

    monkeypatch.setattr(reference, "form_from_mapping", older_loader)
    monkeypatch.setattr(reference, "PUBLICATION_FORMAT", 2)
    # an older program: the forms this one parsed are not known to it
    monkeypatch.setattr(reference, "_parsed", {})
    _older_laptop_keeps_its_forms(session, content, shipped, own_format=2)


def test_nothing_published_is_nothing_unusable(session: Session) -> None:
    assert reference.unusable_publications(session.store) == []


@pytest.mark.parametrize(
    "stated",
    [
        {"format": reference.PUBLICATION_FORMAT + 1, "app_version": "0.3.0"},  # a newer format
        {"format": 1, "app_version": "9.0.0"},  # an older format, a newer version
        {"format": reference.PUBLICATION_FORMAT + 1},  # no readable version
        {},  # from before publications stated either: only unknown keys
    ],
    ids=["format", "version", "format-only", "unstated"],
)
def test_forms_from_a_newer_version_are_reported_newer_and_the_shipped_ones_apply(
    session: Session, stated: dict[str, object], caplog: pytest.LogCaptureFixture
) -> None:
    _arrive(session, reference.FORMS, _content(_forms_with_unknown_key(), **stated))
    with caplog.at_level(logging.WARNING, logger="desktop_app.usecases.reference"):
        found = reference.unusable_publications(session.store)
        assert reference.forms_in_force(session.store) == reference.shipped_forms()
        assert reference.unusable_publications(session.store) == found  # cached
    version = str(stated.get("app_version", ""))
    assert found == [reference.Unusable(reference.FORMS, reference.NEWER, version, 1)]
    # Logged once for the revision, naming neither the publisher nor anything of the content.
    logged = [r.getMessage() for r in caplog.records if "not usable" in r.getMessage()]
    assert len(logged) == 1 and "newer" in logged[0] and "Maria" not in logged[0]


def test_a_newer_format_that_is_damaged_as_well_is_still_reported_newer(session: Session) -> None:
    """An update is what helps first: the newer version may read it."""
    files = _shipped("services")
    files["jobcenter.yaml"] = "id: [unclosed"
    _arrive(session, reference.SERVICES, _content(files, format=7, app_version="1.0"))
    (found,) = reference.unusable_publications(session.store)
    assert (found.name, found.reason, found.publisher_version) == ("services", "newer", "1.0")


def test_a_directory_with_an_unknown_key_and_no_stated_version_is_probably_newer(
    session: Session,
) -> None:
    files = _shipped("services")
    files["jobcenter.yaml"] += "accessibility: {de: x, bg: x, ro: x, en: x}\n"
    _arrive(session, reference.SERVICES, _content(files))
    assert [u.reason for u in reference.unusable_publications(session.store)] == ["newer"]
    assert reference.service_directory(session.store).get("jobcenter") is not None


@pytest.mark.parametrize(
    ("name", "content"),
    [
        (reference.FORMS, "{not json"),
        (reference.FORMS, json.dumps({"note": "no files"})),
        (reference.SERVICES, _content({"jobcenter.yaml": "id: [unclosed"})),
        # Stated by this very version, an unknown key is damage (publishing checks the forms).
        (reference.FORMS, _content(_forms_with_unknown_key(), format=1, app_version=__version__)),
        # Not from a newer version, and not only unknown keys.
        (reference.FORMS, _content({"consent.yaml": "id: consent\n"})),
    ],
    ids=["not-json", "no-files", "broken-yaml", "own-version", "broken-form"],
)
def test_a_damaged_publication_is_reported_damaged(
    session: Session, name: str, content: dict[str, object] | str
) -> None:
    _arrive(session, name, content)
    (found,) = reference.unusable_publications(session.store)
    assert (found.name, found.reason) == (name, "damaged")
    assert reference.forms_in_force(session.store) == reference.shipped_forms()


def test_a_usable_publication_after_an_unusable_one_clears_the_report(
    session: Session, tmp_path: Path
) -> None:
    _arrive(
        session,
        reference.FORMS,
        _content(_forms_with_unknown_key(), format=reference.PUBLICATION_FORMAT + 1),
    )
    assert len(reference.unusable_publications(session.store)) == 1
    files = _shipped("forms")
    files["consent.yaml"] = raised_version(files["consent.yaml"])
    _arrive(session, reference.FORMS, _content(files, format=1, app_version=__version__))
    assert reference.unusable_publications(session.store) == []
    assert reference.forms_in_force(session.store)["consent"].version == CONSENT_RAISED


@pytest.mark.parametrize(
    ("a", "b", "expected"),
    [
        ("0.1.0", "0.2.0", -1),
        ("0.10.0", "0.9.1", 1),
        ("1.0", "1.0.0", 0),
        ("1.0.0rc1", "1.0.0", -1),
        ("0.1.0", "nonsense", None),
    ],
)
def test_versions_compare_as_numbers(a: str, b: str, expected: int | None) -> None:
    assert versions.compare(a, b) == expected
