"""A consent's wording stays in the person's data copy (Art. 15) after the form it was given
under went out of force: a coordinator's publication outranked by a newer shipped form, whose
next publication no longer carries that text. Real encrypted stores; PDFs read back."""

from __future__ import annotations

import io
import json
from pathlib import Path
from typing import Any

import pdfplumber
import pytest
import yaml

from desktop_app.domain.person import PersonDraft
from desktop_app.forms.definition import FormDefinition, form_from_mapping
from desktop_app.paths import resource
from desktop_app.usecases import data_rights, people, reference, visits
from desktop_app.usecases.accounts import Session

# The coordinator's own wording of the sharing consent (text version 2026-12-3).
OWN_SHARING = {
    "de": "Meine Angaben gehen nur an die Stelle, die ich unten nenne (Text der Zentrale).",
    "bg": "Данните ми отиват само до службата, посочена по-долу (текст на централата).",
    "ro": "Datele mele merg doar la serviciul numit mai jos (textul centralei).",
    "en": "My details go only to the service named below (the central office's text).",
}
OWN_VERSION = "2026-12-3"
# The wording a later Welcome Desk ships (text version 2027-01-1), knowing nothing of the above.
SHIPPED_LATER = "Ich bin damit einverstanden (Text von 2027)."


def consent_data() -> dict[str, Any]:
    data = yaml.safe_load((resource("forms") / "consent.yaml").read_text(encoding="utf-8"))
    assert isinstance(data, dict)
    return data


def new_text(data: dict[str, Any], version: int, text_version: str, sharing: dict[str, str]) -> str:
    """``data`` (a consent form) with a new text: the current one kept among the earlier texts,
    the sharing purpose reworded, at ``version``; as YAML."""
    current = {p["id"]: dict(p["text"]) for p in data["purposes"]}
    earlier = [{"text_version": data["text_version"], "purposes": current}, *data["earlier_texts"]]
    changed = {**data, "version": version, "text_version": text_version, "earlier_texts": earlier}
    changed["purposes"] = [
        {**p, "text": dict(sharing)} if p["id"] == "referral_sharing" else p
        for p in data["purposes"]
    ]
    return yaml.safe_dump(changed, allow_unicode=True, sort_keys=False)


def later_shipped() -> FormDefinition:
    """The consent form of a later release: version 5, its own new text; it keeps the shipped
    texts before it but never saw the coordinator's."""
    text = new_text(consent_data(), 5, "2027-01-1", dict.fromkeys(OWN_SHARING, SHIPPED_LATER))
    return form_from_mapping(yaml.safe_load(text))


def shipped_files() -> dict[str, str]:
    return {p.name: p.read_text(encoding="utf-8") for p in resource("forms").glob("*.yaml")}


def publish_own_text(session: Session) -> None:
    files = shipped_files()
    files["consent.yaml"] = new_text(consent_data(), 4, OWN_VERSION, OWN_SHARING)
    reference.publish_forms(session.store, session.user, files)
    assert reference.forms_in_force(session.store)["consent"].text_version == OWN_VERSION


def record_sharing(session: Session, read_in: str = "ro") -> str:
    person = people.register_person(
        session.store, session.user, PersonDraft("Ioana", "Popa", "1990"), confirm_duplicates=True
    ).id
    answers = {
        "consent_language": read_in,
        "consent_advice": "given",
        "consent_central_storage": "given",
        "consent_referral_sharing": "given",
        "shared_with_service": "Jobcenter Dortmund",
        "consent_date": "2026-12-01",
        "consent_form": "signed",
    }
    recorded = visits.record_consent(session.store, session.user, person, answers)
    assert {c.text_version for c in recorded} == {OWN_VERSION}
    return person


def later_release(monkeypatch: pytest.MonkeyPatch) -> None:
    shipped = dict(reference.shipped_forms())
    monkeypatch.setattr(reference, "shipped_forms", lambda: {**shipped, "consent": later_shipped()})


def sharing_of(session: Session, person: str, lang: str) -> tuple[dict[str, Any], str]:
    raw, pdf = data_rights.export_person(session.store, session.user, person, lang=lang)
    [sharing] = [c for c in json.loads(raw)["consents"] if c["purpose"] == "referral_sharing"]
    with pdfplumber.open(io.BytesIO(pdf)) as doc:
        content = " ".join(" ".join((page.extract_text() or "").split()) for page in doc.pages)
    return sharing, content


def test_a_consent_keeps_its_wording_when_its_publication_is_outranked(
    session: Session, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Given under the coordinator's text, read in Romanian; then an update ships a consent form
    of a higher version (the publication is no longer in force), and the coordinator's next
    publication, checked against that shipped form only, no longer carries the text."""
    publish_own_text(session)
    person = record_sharing(session)
    later_release(monkeypatch)
    assert reference.forms_in_force(session.store)["consent"].text_version == "2027-01-1"
    files = shipped_files()
    files["consent.yaml"] = yaml.safe_dump(
        {**yaml.safe_load(new_text(consent_data(), 5, "2027-01-1", {})), "version": 6}
        | {"purposes": later_shipped().model_dump(mode="json")["purposes"]},
        allow_unicode=True,
        sort_keys=False,
    )
    reference.publish_forms(session.store, session.user, files)
    in_force = reference.forms_in_force(session.store)["consent"]
    assert in_force.version == 6 and in_force.consent_text(OWN_VERSION, "advice") is None

    sharing, content = sharing_of(session, person, "ro")
    assert (sharing["text"], sharing["text_language"]) == (OWN_SHARING["ro"], "ro")
    assert OWN_SHARING["ro"] in content
    sharing, content = sharing_of(session, person, "de")
    assert sharing["text"] == OWN_SHARING["ro"] and sharing["text_translation"] == OWN_SHARING["de"]
    assert f"Auf Rumänisch: {OWN_SHARING['ro']}" in content and OWN_SHARING["de"] in content


def test_a_publication_made_before_texts_were_kept_gives_its_texts_at_the_upgrade(
    session: Session, data_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A store of the version before: the coordinator's text only in the publication it holds
    (no text kept). The upgrade keeps that publication's texts, so the consent still reads once
    an update outranks the publication."""
    from desktop_app.usecases.accounts import log_in
    from tests.conftest import PASSWORD, downgrade_store

    publish_own_text(session)
    person = record_sharing(session)
    downgrade_store(session.store, "sort_keys")
    session.close()
    session = log_in(data_dir, "anna", PASSWORD)  # migrates to head
    try:
        later_release(monkeypatch)
        sharing, _content = sharing_of(session, person, "ro")
        assert sharing["text"] == OWN_SHARING["ro"] and "text_missing" not in sharing
    finally:
        session.close()


def test_which_wording_a_consent_was_given_under_goes_with_the_consent(session: Session) -> None:
    """The digest noted for each consent recorded here is erased with the person."""
    from sqlalchemy import func, select

    from desktop_app.storage.reference_models import ConsentWordingRow

    publish_own_text(session)
    person = record_sharing(session)
    with session.store.reading() as db:
        assert db.scalar(select(func.count()).select_from(ConsentWordingRow)) == 3
    data_rights.erase_person(session.store, session.user, person)
    with session.store.reading() as db:
        assert db.scalar(select(func.count()).select_from(ConsentWordingRow)) == 0


def test_wordings_that_read_the_same_in_the_copy_are_one() -> None:
    """Two texts kept under one version that differ only in Bulgarian: a consent read in
    Romanian has one wording in a German copy, and both (numbered) in a Bulgarian one, whose
    translation differs."""
    from desktop_app.forms.consent_texts import wording_digest
    from desktop_app.letters.directory import ServiceDirectory
    from desktop_app.usecases.person_data_text import readable, with_consent_texts

    other = {**OWN_SHARING, "bg": "Друг превод на същия текст."}
    kept = {(OWN_VERSION, "referral_sharing"): {wording_digest(w): w for w in (OWN_SHARING, other)}}
    row = {"purpose": "referral_sharing", "text_version": OWN_VERSION, "language": "ro"}
    [german] = with_consent_texts([row], "de", [], kept)
    assert (german["text"], german["text_translation"]) == (OWN_SHARING["ro"], OWN_SHARING["de"])
    [bulgarian] = with_consent_texts([row], "bg", [], kept)
    assert bulgarian["text_ambiguous"] is True
    texts = bulgarian["texts"]
    assert isinstance(texts, list)
    assert [t["text_translation"] for t in texts] == [OWN_SHARING["bg"], other["bg"]]
    [named] = readable("consents", [bulgarian], "bg", {}, ServiceDirectory((), {}, {}))
    assert named["Превод 1"] == OWN_SHARING["bg"] and named["Превод 2"] == other["bg"]
    assert str(named["Дословен текст 2"]).endswith(OWN_SHARING["ro"])
    assert "texts" not in named and "text_ambiguous" not in named


def _withdrawn_before_the_archive(session: Session) -> str:
    """A store of the version before consent texts were kept: its own publication (the text of
    2026-12-3) withdrawn by that version's code, so the text is only in a folder under
    withdrawn-publications/; a consent given under it. Returns the person."""
    from tests.conftest import downgrade_store

    publish_own_text(session)
    person = record_sharing(session)
    # Withdrawn by this version's code, then taken back: the same store as that version's
    # withdrawal left (this one also marks the kept form definitions, a table it drops).
    assert list(reference.withdraw_own_publications(session.store)) == [reference.FORMS]
    downgrade_store(session.store, "sort_keys")
    assert reference.published_forms(session.store) is None
    return person


def test_texts_of_publications_withdrawn_before_the_update_are_kept_at_the_upgrade(
    session: Session, data_dir: Path
) -> None:
    """Read once at the upgrade, leniently: a damaged file, one not in UTF-8, one not YAML and a
    stray file beside the folders are passed over, the rest still read."""
    from sqlalchemy import func, select

    from desktop_app.storage.reference_models import ConsentTextRow
    from desktop_app.usecases import consent_texts
    from desktop_app.usecases.accounts import log_in
    from tests.conftest import PASSWORD

    person = _withdrawn_before_the_archive(session)
    root = data_dir / reference.WITHDRAWN_FOLDER
    [folder] = root.iterdir()
    assert (folder / "consent.yaml").is_file()
    damaged = root / "forms-20261130-090000"
    damaged.mkdir()
    (damaged / "consent.yaml").write_text("purposes: [unclosed", encoding="utf-8")
    (damaged / "skills_check.yaml").write_bytes(b"\xff\xfe not UTF-8 \x80")
    (damaged / "life_situation.yaml").write_text("- just\n- a list\n", encoding="utf-8")
    (root / "notes.txt").write_text("a stray file", encoding="utf-8")
    session.close()
    session = log_in(data_dir, "anna", PASSWORD)  # migrates to head
    try:
        sharing, content = sharing_of(session, person, "ro")
        assert (sharing["text"], sharing["text_language"]) == (OWN_SHARING["ro"], "ro")
        assert "text_missing" not in sharing and OWN_SHARING["ro"] in content
        # Reading them again keeps nothing twice.
        with session.store.reading() as db:
            count = db.scalar(select(func.count()).select_from(ConsentTextRow))
        with session.store.transaction() as db:
            consent_texts.keep_withdrawn(db, data_dir)
        with session.store.reading() as db:
            assert db.scalar(select(func.count()).select_from(ConsentTextRow)) == count
    finally:
        session.close()


def test_an_unreadable_withdrawn_publications_folder_does_not_stop_the_start(
    session: Session, data_dir: Path
) -> None:
    """withdrawn-publications a plain file, not a folder: the upgrade goes on, the text is
    missing (as before), and the store opens."""
    import shutil

    from desktop_app.usecases.accounts import log_in
    from tests.conftest import PASSWORD

    person = _withdrawn_before_the_archive(session)
    root = data_dir / reference.WITHDRAWN_FOLDER
    shutil.rmtree(root)
    root.write_text("not a folder", encoding="utf-8")
    session.close()
    session = log_in(data_dir, "anna", PASSWORD)
    try:
        sharing, _content = sharing_of(session, person, "ro")
        assert sharing["text_missing"] is True
    finally:
        session.close()
