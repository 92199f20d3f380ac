"""Access (JSON + PDF in the person's language), erasure everywhere local, retention list."""

from __future__ import annotations

import datetime as dt
import io
import json
import re
from collections.abc import Iterator
from pathlib import Path

import pdfplumber
import pytest
from sqlalchemy import func, select, text

from desktop_app.domain.permissions import PermissionDenied
from desktop_app.domain.person import PersonDraft
from desktop_app.domain.users import Role, User
from desktop_app.storage.db import Store
from desktop_app.storage.models import OutboxRow, PersonRow, SearchTokenRow
from desktop_app.usecases import access, accounts, audit, data_rights, people
from desktop_app.usecases.accounts import Session
from desktop_app.usecases.person_data import (
    PERSON_DATA_SOURCES,
    PersonDataSource,
    register_person_data_source,
)
from tests.conftest import shipped_version

DRAFTS = "drafts-test"


@pytest.fixture
def draft_source() -> Iterator[None]:
    """A feature that keeps files per person (like drafts), registered as other features will."""

    def collect(db: object, person_id: str) -> list[dict[str, object]]:
        return [{"draft": "open", "person": person_id}]

    def erase(db: object, store: Store, user: User, person_id: str) -> int:
        path = store.paths.data_dir / DRAFTS / person_id
        if path.exists():
            path.unlink()
            return 1
        return 0

    def last_contact(db: object) -> dict[str, dt.date]:
        return {}

    register_person_data_source(
        PersonDataSource("drafts_test", "Notes", collect, erase, last_contact)
    )
    yield
    PERSON_DATA_SOURCES.pop("drafts_test")


def _person(session: Session) -> str:
    draft = PersonDraft(
        "Радостина",
        "Жечева",
        "14.03.1985",
        "female",
        "BG",
        ("bg",),
        "0176 5550101",
        id_document_name="JETCHEVA Radostina",  # the ID card's older French-style spelling
    )
    return people.register_person(session.store, session.user, draft).id


def _user(session: Session, role: Role) -> Session:
    accounts.add_user(session, role.value, role.value, role, "role pass 123")
    return accounts.log_in(session.store.paths.data_dir, role.value, "role pass 123")


def test_export_gives_json_and_a_pdf_in_the_persons_language(
    session: Session, draft_source: None
) -> None:
    pid = _person(session)
    raw_json, pdf = data_rights.export_person(session.store, session.user, pid)
    data = json.loads(raw_json)
    assert data["person"]["family_name"] == "Жечева"
    assert data["person"]["date_of_birth"] == "1985-03-14"
    assert data["drafts_test"] == [{"draft": "open", "person": pid}]
    with pdfplumber.open(io.BytesIO(pdf)) as doc:
        content = "\n".join(page.extract_text() or "" for page in doc.pages)
    assert "Жечева" in content and "Радостина" in content
    assert data["person"]["id_document_name"] == "JETCHEVA Radostina"
    assert "Име по документ за" in content and "JETCHEVA Radostina" in content
    assert "14.03.1985" in content
    assert "България" in content and "български" in content  # names in the person's language
    assert "Вашите данни" in content  # title in Bulgarian
    assert "Your data" not in content
    assert audit.list_entries(session.store, session.user, record_id=pid, action="export")


def test_the_export_pdf_says_what_the_stored_codes_mean(session: Session) -> None:
    """Forms, questions, answers, consent purposes, services, reasons, statuses, languages and
    dates in the person's language; the JSON keeps the codes."""
    from desktop_app.usecases import referrals, visits
    from tests.unit.test_visits import consent_answers, full_life_situation

    pid = _person(session)
    visits.record_consent(session.store, session.user, pid, consent_answers())
    visits.finish_visit(session.store, session.user, pid, "life_situation", full_life_situation())
    referrals.issue_referral(
        session.store, session.user, pid, "clearingstelle", "health_insurance", client_lang="bg"
    )
    raw_json, pdf = data_rights.export_person(session.store, session.user, pid)
    data = json.loads(raw_json)
    assert data["visits"][0]["form"] == "life_situation"
    assert data["referrals"][0]["reason"] == "health_insurance"
    with pdfplumber.open(io.BytesIO(pdf)) as doc:
        content = " ".join((page.extract_text() or "").replace("\n", " ") for page in doc.pages)
    for bulgarian in (
        "Преглед на житейската ситуация",  # the form's title
        "Здравна осигуровка",  # a question
        "Консултация",  # a consent purpose
        "Clearingstelle Gesundheit (консултации по здравно осигуряване)",  # the service
        "Изясняване на здравната осигуровка",  # the reason
        "Издадено",  # the status
        "История на статуса",  # "статус" as beside it, not "състояние"
        "български",  # the consent's language
    ):
        assert bulgarian in content, bulgarian
    for code in ("life_situation", "health_insurance", "issued", "central_storage", "+00:00"):
        assert code not in content, code


def test_helper_is_refused_export_and_erasure_advisor_erasure(session: Session) -> None:
    pid = _person(session)
    helper, advisor = _user(session, Role.HELPER), _user(session, Role.ADVISOR)
    try:
        with pytest.raises(PermissionDenied):
            data_rights.export_person(helper.store, helper.user, pid)
        with pytest.raises(PermissionDenied):
            data_rights.erase_person(helper.store, helper.user, pid)
        with pytest.raises(PermissionDenied):
            data_rights.erase_person(advisor.store, advisor.user, pid)
        data_rights.export_person(advisor.store, advisor.user, pid)  # advisors may export
        with pytest.raises(PermissionDenied):
            data_rights.people_due_for_deletion(advisor.store, advisor.user)
    finally:
        helper.close()
        advisor.close()


def _conflict_about(
    store: Store, pid: str, field: str, kept: str, other: str, kept_clock: str = "1-0-a"
) -> None:
    from desktop_app.storage.sync_models import ConflictRow

    with store.transaction() as db:
        db.add(
            ConflictRow(
                id=f"c-{pid[:30]}",
                record_kind="person",
                record_id=pid,
                field=field,
                kept_value=json.dumps(kept, ensure_ascii=False),
                kept_clock=kept_clock,
                other_value=json.dumps(other, ensure_ascii=False),
                other_clock="1-0-b",
                resolved=False,
                revision=1,
                updated_hlc="1-0-a",
                device_id=store.device_id,
                author_id="",
                deleted=False,
                field_clocks="{}",
            )
        )


def test_export_holds_both_values_of_an_open_conflict(session: Session) -> None:
    """A conflict keeps a second value of the person's field: the access export shows it."""
    pid = _person(session)
    _conflict_about(session.store, pid, "family_name", "Жечева", "Жечева-Иванова")
    raw_json, pdf = data_rights.export_person(session.store, session.user, pid)
    assert json.loads(raw_json)["conflicts"] == [
        {
            "record": "person",
            "field": "family_name",
            "kept_value": "Жечева",
            # Set on two other laptops, by no one the log names: no role known here.
            "kept_recorded_by": {"role": None, "this_laptop": False},
            "other_value": "Жечева-Иванова",
            "other_recorded_by": {"role": None, "this_laptop": False},
            "decided": False,
        }
    ]
    with pdfplumber.open(io.BytesIO(pdf)) as doc:
        content = "\n".join(page.extract_text() or "" for page in doc.pages)
    assert "Жечева-Иванова" in content and "Данни, записани различно на два лаптопа" in content
    # in the person's language: the labels, the field and "no" (not decided yet)
    assert "В сила сега" in content and "Не е в сила" in content
    flat = " ".join(content.split())
    assert flat.count("Записано от Служител на друг лаптоп от нашия екип") == 2
    assert "kept_value" not in content and "family_name" not in content and "False" not in content


def test_a_conflicts_value_set_here_gives_the_role_of_who_set_it_not_their_name(
    session: Session,
) -> None:
    """The value kept was the person's name as registered here (the log names the account
    that did it): its role; the other came from another laptop, whose accounts are not known."""
    store = session.store
    pid = _person(session)
    with store.reading() as db:
        clock = db.scalars(select(PersonRow.updated_hlc).where(PersonRow.id == pid)).one()
    _conflict_about(store, pid, "family_name", "Жечева", "Жечева-Иванова", kept_clock=clock)
    raw_json, pdf = data_rights.export_person(store, session.user, pid, lang="de")
    (conflict,) = json.loads(raw_json)["conflicts"]
    assert conflict["kept_recorded_by"] == {"role": "coordinator", "this_laptop": True}
    assert conflict["other_recorded_by"] == {"role": None, "this_laptop": False}
    with pdfplumber.open(io.BytesIO(pdf)) as doc:
        flat = " ".join(" ".join(page.extract_text() or "" for page in doc.pages).split())
    assert "Erfasst von Koordination" in flat
    elsewhere = "Mitarbeiterin oder Mitarbeiter an einem anderen Laptop unseres Teams"
    assert f"Erfasst von {elsewhere}" in flat
    for name in ("Anna", "Schmidt", session.user.id):
        assert name not in flat and name not in raw_json.decode()


def test_erasure_removes_everything_locally_and_leaves_a_tombstone(
    session: Session, draft_source: None
) -> None:
    store = session.store
    pid = _person(session)
    other = people.register_person(store, session.user, PersonDraft("Ion", "Popa")).id
    helper = _user(session, Role.HELPER)
    access.open_case_to_helper(store, session.user, pid, helper.user.id, "health")
    helper.close()
    (store.paths.data_dir / DRAFTS).mkdir()
    (store.paths.data_dir / DRAFTS / pid).write_text("draft of Жечева")
    _conflict_about(store, pid, "family_name", "Жечева", "Жечева-Иванова")

    counts = data_rights.erase_person(store, session.user, pid)

    assert counts["drafts_test"] == 1 and counts["case_openings"] == 1
    assert counts["conflicts"] == 1  # a sync conflict holds two of the person's values
    assert counts["search_tokens"] > 0
    assert not (store.paths.data_dir / DRAFTS / pid).exists()
    assert people.get_person(store, session.user, pid) is None
    assert people.search_people(store, "Жечева") == []
    assert people.search_people(store, "Jetcheva") == []  # the ID document's spelling too
    assert people.search_people(store, "0176 5550101") == []
    assert [e.id for e in people.search_people(store, "Popa")] == [other]
    with store.reading() as db:
        row = db.scalar(select(PersonRow).where(PersonRow.id == pid))
        assert row is not None and row.deleted and row.revision == 2
        assert (row.given_name, row.family_name, row.phone, row.name_key) == ("", "", "", "")
        assert not db.scalar(select(func.count()).where(SearchTokenRow.person_pk == row.pk))
        assert db.scalar(
            select(func.count()).where(
                OutboxRow.record_kind == "person",
                OutboxRow.record_id == pid,
                OutboxRow.revision == 2,
            )
        )
        # No table anywhere holds the name any more (the database is encrypted, so ask it).
        for (table,) in db.execute(text("SELECT name FROM sqlite_master WHERE type='table'")):
            for row_values in db.execute(text(f'SELECT * FROM "{table}"')):
                assert not any(
                    name in str(v)
                    for name in ("Жечева", "Радостина", "JETCHEVA")
                    for v in row_values
                )
    assert not access.opened_kinds(store, User(helper.user.id, "", "", Role.HELPER), pid)
    erased = audit.list_entries(store, session.user, record_id=pid, action="erase")
    assert len(erased) == 1 and "Жечева" not in json.dumps(erased[0].details)
    with pytest.raises(data_rights.PersonNotFound):
        data_rights.erase_person(store, session.user, pid)


def test_retention_lists_people_without_contact_for_three_years(
    session: Session, draft_source: None
) -> None:
    old = _person(session)
    recent = people.register_person(session.store, session.user, PersonDraft("Ion", "Popa")).id
    today = dt.date.today()
    in_4_years = today.replace(year=today.year + 4)

    def contacts(db: object) -> dict[str, dt.date]:
        return {recent: in_4_years - dt.timedelta(days=30)}

    source = PERSON_DATA_SOURCES["drafts_test"]
    register_person_data_source(
        PersonDataSource(source.kind, source.title, source.collect, source.erase, contacts)
    )
    assert data_rights.people_due_for_deletion(session.store, session.user, today=today) == []
    due = data_rights.people_due_for_deletion(session.store, session.user, today=in_4_years)
    assert [e.person_id for e in due] == [old]
    assert due[0].last_contact == today


def test_export_of_unknown_person_is_refused(session: Session, tmp_path: Path) -> None:
    with pytest.raises(data_rights.PersonNotFound):
        data_rights.export_person(session.store, session.user, "no-such-id")


def test_tombstone_from_sync_erases_the_person_on_a_second_laptop(
    session: Session, tmp_path: Path
) -> None:
    from desktop_app.usecases import backup
    from tests.conftest import PASSWORD

    pid = _person(session)
    backup.write_backup(session, tmp_path / "b", "backup phrase 1")
    backup.restore_backup(tmp_path / "b", tmp_path / "laptop2", "backup phrase 1")
    second = accounts.log_in(tmp_path / "laptop2", "anna", PASSWORD)
    try:
        assert [e.id for e in people.search_people(second.store, "Жечева")] == [pid]
        data_rights.erase_person(session.store, session.user, pid)
        with session.store.reading() as db:  # what the sync client would carry over
            tomb = db.scalar(select(PersonRow).where(PersonRow.id == pid))
            assert tomb is not None
        with second.store.transaction() as db:
            applied = data_rights.apply_remote_erasure(
                db,
                second.store,
                pid,
                revision=tomb.revision,
                updated_hlc=tomb.updated_hlc,
                device_id=tomb.device_id,
                author_id=tomb.author_id,
            )
        assert applied
        assert people.search_people(second.store, "Жечева") == []
        assert people.get_person(second.store, second.user, pid) is None
        with second.store.reading() as db:
            row = db.scalar(select(PersonRow).where(PersonRow.id == pid))
            assert row is not None and row.deleted and row.family_name == ""
            assert not db.scalar(select(func.count()).where(SearchTokenRow.person_pk == row.pk))
        with second.store.transaction() as db:  # a repeated delivery changes nothing
            assert not data_rights.apply_remote_erasure(
                db,
                second.store,
                pid,
                revision=tomb.revision,
                updated_hlc=tomb.updated_hlc,
                device_id=tomb.device_id,
                author_id=tomb.author_id,
            )
    finally:
        second.close()


def test_the_export_pdf_names_sections_opened_to_helpers_and_dates_without_internal_ids(
    session: Session,
) -> None:
    """The section by its name and since when, to the minute; not the helper's internal id (nor
    the JSON: their role), not the record's clock stamp (the JSON keeps it). A date answer as
    the language writes it."""
    from desktop_app.usecases import visits
    from tests.unit.test_visits import consent_answers, full_life_situation

    pid = _person(session)
    helper = _user(session, Role.HELPER)
    access.open_case_to_helper(session.store, session.user, pid, helper.user.id, "health")
    visits.record_consent(session.store, session.user, pid, consent_answers())
    answers = full_life_situation()
    visits.finish_visit(session.store, session.user, pid, "life_situation", answers)
    raw_json, pdf = data_rights.export_person(session.store, session.user, pid)
    opening = json.loads(raw_json)["case_openings"][0]
    # The helper by role and laptop, as who recorded each entry: not their internal id.
    assert opening["opened_to"] == {"role": "helper", "this_laptop": True}
    assert opening["kind"] == "health"
    assert helper.user.id not in raw_json.decode()
    with pdfplumber.open(io.BytesIO(pdf)) as doc:
        content = " ".join((page.extract_text() or "").replace("\n", " ") for page in doc.pages)
    assert "Здравни данни" in content  # the section's name
    assert helper.user.id[:8] not in content
    assert opening["since"][:13] not in content  # the clock stamp, not a time
    assert not re.search(r"\d\d:\d\d:\d\d", content)  # times to the minute
    dates = [
        v for v in answers.values() if isinstance(v, str) and re.fullmatch(r"\d{4}-\d\d-\d\d", v)
    ]
    assert dates and all(d not in content for d in dates), dates
    helper.close()


def test_the_export_holds_earlier_versions_drafts_and_the_referrals_details(
    session: Session,
) -> None:
    """Everything held about the person is in the copy: a visit as it was before an edit, a
    form begun and not finished, a referral's note, contact person, documents, follow-up and
    status history (the person's page and the erasure reach them all)."""
    from desktop_app.domain.referral import ReferralStatus
    from desktop_app.usecases import referrals, visits
    from tests.unit.test_visits import full_life_situation

    pid = _person(session)
    answers = full_life_situation()
    visit = visits.finish_visit(session.store, session.user, pid, "life_situation", answers)
    visits.edit_visit(
        session.store, session.user, visit.id, {**answers, "housing_type": "homeless"}
    )
    visits.save_draft(session.store, session.user, pid, "skills_check", {"family_name": "Жечева"})
    referral = referrals.issue_referral(
        session.store,
        session.user,
        pid,
        "jobcenter",
        "buergergeld",
        client_lang="bg",
        reason_note="Bescheid vom 3.11. mitbringen",
        contact_person="Frau Schäfer",
    )
    referrals.change_status(
        session.store, session.user, referral.id, ReferralStatus.APPOINTMENT_MADE
    )
    raw_json, pdf = data_rights.export_person(session.store, session.user, pid)
    data = json.loads(raw_json)
    (stored,) = data["visits"]
    assert stored["answers"]["housing_type"] == "homeless"
    assert [v["answers"]["housing_type"] for v in stored["earlier_versions"]] == [
        answers["housing_type"]
    ]
    assert [d["form"] for d in data["drafts"]] == ["skills_check"]
    (ref,) = data["referrals"]
    assert (
        ref["note"] == "Bescheid vom 3.11. mitbringen" and ref["contact_person"] == "Frau Schäfer"
    )
    assert ref["documents"] and ref["follow_up"]
    assert [s["status"] for s in ref["status_history"]][-1] == "appointment_made"
    with pdfplumber.open(io.BytesIO(pdf)) as doc:
        content = " ".join((page.extract_text() or "").replace("\n", " ") for page in doc.pages)
    # Answers in the form's order (personal data before the household), not by internal key.
    answers_shown = content[content.index("Отговори") :]
    assert answers_shown.index("Фамилия: ") < answers_shown.index("Деца: ")
    for shown in (
        "Предишни редакции",
        "Редакция на записа: 1",
        "Версия на формуляра версия ",  # the form's own, apart from the entry's
        "Още незавършени формуляри",
        "Бележка",
        "Bescheid vom 3.11. mitbringen",
        "Frau Schäfer",
        "История на статуса",
        "Лична карта",  # a document by its name
    ):
        assert shown in content, shown
    erased = data_rights.erase_person(session.store, session.user, pid)
    assert erased["drafts"] == 1 and erased["visits"] == 1


def test_the_export_names_who_holds_the_data_and_how_to_reach_them(session: Session) -> None:
    from desktop_app.usecases import settings
    from tests.conftest import SAVED_LETTERHEAD

    settings.set_letterhead(session.store, session.user, SAVED_LETTERHEAD)
    _raw, pdf = data_rights.export_person(session.store, session.user, _person(session))
    with pdfplumber.open(io.BytesIO(pdf)) as doc:
        first = " ".join((doc.pages[0].extract_text() or "").split())
        last = " ".join((doc.pages[-1].extract_text() or "").split())
    assert first.startswith("Вашите данни в Asociația Bun venit Dortmund")
    assert (
        "За въпроси, поправка или изтриване: Asociația Bun venit Dortmund · Münsterstraße 5"
        in first
    )
    assert "0231 777-0 · info@bun-venit.example.org" in first
    # The right to complain, among the legal parts at the end (Art. 15(1)(f) GDPR).
    assert "Имате право на жалба до надзорен орган (чл. 77 от ОРЗД), по-специално" in last


def test_the_export_pdf_names_consent_texts_and_form_versions_as_a_person_reads_them(
    session: Session,
) -> None:
    """Not the stored codes ("2026-11-1", a bare version number): the consent form's title and
    the month of its text; the form's version and whether it is still in use. In German one
    word for a form throughout."""
    from desktop_app.usecases import visits
    from tests.unit.test_visits import consent_answers, full_life_situation

    pid = _person(session)
    visits.record_consent(session.store, session.user, pid, consent_answers())
    visits.finish_visit(session.store, session.user, pid, "life_situation", full_life_situation())
    raw_json, pdf = data_rights.export_person(session.store, session.user, pid, lang="de")
    data = json.loads(raw_json)
    assert {c["text_version"] for c in data["consents"]} == {"2026-12-2"}  # the JSON keeps codes
    shipped = shipped_version("life_situation")
    assert data["visits"][0]["form_version"] == shipped
    with pdfplumber.open(io.BytesIO(pdf)) as doc:
        content = " ".join(" ".join((page.extract_text() or "").split()) for page in doc.pages)
    assert (
        "Einwilligungstext Einwilligung in die Datenverarbeitung, 2. Fassung vom Dezember 2026"
        in (content)
    )
    assert f"Version des Formulars Version {shipped}, wird weiterhin verwendet" in content
    assert "2026-12-2" not in content
    assert "Noch nicht abgeschlossene Formulare" in content
    assert "Bogen" not in content and "Bögen" not in content


def test_the_export_names_answers_in_the_words_of_the_version_they_were_recorded_with(
    session: Session,
) -> None:
    """A choice a coordinator reworded after a skills check was recorded: the person's copy,
    a letter and the person's page give that check's answer in the words they were asked in
    (the shipped version's), a check recorded since in the new ones. The old answer read in
    the new words ("teilweise: liest langsam" for "teilweise, langsam")."""
    from desktop_app.usecases import reference, referrals, visits
    from tests.unit.forms.test_forms_evaluator import full_skills_check
    from tests.unit.test_reference_forms import _edit, _shipped

    pid = _person(session)
    store, user = session.store, session.user
    partly = full_skills_check() | {"latin_literacy": "partly"}
    visits.finish_visit(store, user, pid, "skills_check", partly)
    files = _shipped()
    _edit(files, "skills_check.yaml", 'de: "teilweise, langsam"', 'de: "teilweise: liest langsam"')
    reference.publish_forms(store, user, files)
    facts = referrals.skills_facts(store, user, pid)  # what letters and the page tell
    assert facts is not None and facts.latin_literacy.get("de") == "teilweise, langsam"
    visits.finish_visit(store, user, pid, "skills_check", partly)
    facts = referrals.skills_facts(store, user, pid)
    assert facts is not None and facts.latin_literacy.get("de") == "teilweise: liest langsam"
    _raw, pdf = data_rights.export_person(store, user, pid, lang="de")
    with pdfplumber.open(io.BytesIO(pdf)) as doc:
        content = " ".join(" ".join((page.extract_text() or "").split()) for page in doc.pages)
    shipped = shipped_version("skills_check")
    assert f"Version {shipped}, inzwischen ersetzt durch Version {shipped + 1}" in content
    asked = "Lesen und Schreiben in lateinischer Schrift: "
    assert content.count(asked + "teilweise, langsam") == 1  # the first check's
    assert content.count(asked + "teilweise: liest langsam") == 1  # the one since


def test_the_export_says_how_a_consent_was_given_before_whom_and_to_which_service(
    session: Session,
) -> None:
    """Art. 15: everything stored with a consent is in the copy, the way given by its name."""
    from desktop_app.usecases import visits
    from tests.unit.test_visits import consent_answers

    pid = _person(session)
    oral = {
        **consent_answers(),
        "consent_form": "oral",
        "witness": "Ana Pop",
        "consent_referral_sharing": "given",
        "shared_with_service": "Jobcenter Dortmund",
    }
    visits.record_consent(session.store, session.user, pid, oral)
    raw_json, pdf = data_rights.export_person(session.store, session.user, pid, lang="de")
    by_purpose = {c["purpose"]: c for c in json.loads(raw_json)["consents"]}
    assert by_purpose["referral_sharing"]["shared_with"] == "Jobcenter Dortmund"
    assert {c["how"] for c in by_purpose.values()} == {"oral"}
    assert {c["witness"] for c in by_purpose.values()} == {"Ana Pop"}
    assert "shared_with" not in by_purpose["advice"]  # only the sharing consent names one
    with pdfplumber.open(io.BytesIO(pdf)) as doc:
        content = " ".join(" ".join((page.extract_text() or "").split()) for page in doc.pages)
    assert "Wie erteilt mündlich, mit Zeugin oder Zeuge" in content
    assert "Zeugin oder Zeuge Ana Pop" in content
    # What the consent allows; who received data is the recipients' part ("Wer Ihre Daten …").
    assert "Weitergabe erlaubt an Jobcenter Dortmund" in content


def test_version_labels_for_texts_and_forms() -> None:
    from desktop_app.usecases.person_data_text import form_version_label, text_version_label
    from desktop_app.usecases.reference import shipped_forms

    consent, life = shipped_forms()["consent"], shipped_forms()["life_situation"]
    assert text_version_label("2026-11-2", "ro", consent) == (
        "Consimțământ pentru prelucrarea datelor personale, textul 2 din noiembrie 2026"
    )
    assert text_version_label("2026-03-1", "bg") == "текст от март 2026\u202fг."
    assert text_version_label("7", "en") == "text version 7"
    newer = life.model_copy(update={"version": 3})
    assert form_version_label(1, "en", newer) == "version 1, since replaced by version 3"
    assert form_version_label(4, "en", newer) == "version 4"


# The German referral-sharing text of 2026-11-1, which 2026-12-1 reworded.
OLD_SHARING_DE = "(zum Beispiel mit einem Überweisungsschreiben)"
NEW_SHARING_DE = "(zum Beispiel mit einem Vermittlungsschreiben)"
SHARING_BG = "(например с писмо за насочване)"


def _consents_under(
    session: Session, pid: str, text_version: str | None, read_in: str | None = None
) -> None:
    """Consents given with the sharing consent; ``text_version`` set as a consent recorded
    before the current text (on an earlier release, or synced from a laptop still on it)
    holds it, or left as recorded now; ``read_in``: the language the person read it in, if
    not the one it is recorded in here (Bulgarian)."""
    from desktop_app.storage.visits_models import ConsentRow
    from desktop_app.usecases import visits
    from tests.unit.test_visits import consent_answers

    answers = {
        **consent_answers(),
        "consent_referral_sharing": "given",
        "shared_with_service": "Jobcenter Dortmund",
    }
    visits.record_consent(session.store, session.user, pid, answers)
    with session.store.transaction() as db:
        for row in db.scalars(select(ConsentRow).where(ConsentRow.person_id == pid)):
            row.text_version = text_version or row.text_version
            row.language = read_in or row.language


def _export(session: Session, pid: str, lang: str) -> tuple[dict[str, dict[str, object]], str]:
    raw_json, pdf = data_rights.export_person(session.store, session.user, pid, lang=lang)
    by_purpose = {c["purpose"]: c for c in json.loads(raw_json)["consents"]}
    with pdfplumber.open(io.BytesIO(pdf)) as doc:
        content = " ".join(" ".join((page.extract_text() or "").split()) for page in doc.pages)
    return by_purpose, content


@pytest.mark.parametrize("text_version", ["2026-11-1", None])
def test_the_export_shows_the_consent_text_the_person_agreed_to(
    session: Session, text_version: str | None
) -> None:
    """Under 2026-11-1 the German sharing text said "Überweisungsschreiben", since 2026-12-1
    "Vermittlungsschreiben": each consent's copy has the wording of its own version, in the
    language the person read it in (German here), in the JSON and in the PDF; a copy in
    Bulgarian adds the Bulgarian text as a translation."""
    pid = _person(session)
    _consents_under(session, pid, text_version, read_in="de")
    old = text_version == "2026-11-1"
    shown, absent = (OLD_SHARING_DE, NEW_SHARING_DE) if old else (NEW_SHARING_DE, OLD_SHARING_DE)

    consents, content = _export(session, pid, "de")
    sharing = consents["referral_sharing"]
    assert sharing["text_version"] == ("2026-11-1" if old else "2026-12-2")
    assert isinstance(sharing["text"], str) and shown in sharing["text"]
    assert sharing["text_language"] == "de" and "text_translation" not in sharing
    assert str(consents["advice"]["text"]).startswith("Ich bin damit einverstanden, dass die")
    assert "Wortlaut Ich bin damit einverstanden, dass die Beratungsstelle die für" in content
    assert shown in content and absent not in content
    assert "Übersetzung" not in content
    assert ("Fassung vom November 2026" if old else "2. Fassung vom Dezember 2026") in content

    consents, content = _export(session, pid, "bg")
    sharing = consents["referral_sharing"]
    assert shown in str(sharing["text"]) and sharing["text_language"] == "de"
    assert SHARING_BG in str(sharing["text_translation"])
    assert "Дословен текст На немски: Ich bin damit einverstanden, dass die" in content
    assert shown in content and absent not in content
    assert "Превод Съгласен/на съм консултантският център да предаде" in content


def test_the_export_in_another_language_keeps_the_wording_the_person_read(
    session: Session,
) -> None:
    """Read in Bulgarian, copied in German (for a lawyer, say): the wording is the Bulgarian
    one the person agreed to, the German text follows as a translation."""
    pid = _person(session)
    _consents_under(session, pid, None, read_in="bg")
    consents, content = _export(session, pid, "de")
    sharing = consents["referral_sharing"]
    assert SHARING_BG in str(sharing["text"]) and sharing["text_language"] == "bg"
    assert NEW_SHARING_DE in str(sharing["text_translation"])
    assert "Wortlaut Auf Bulgarisch: Съгласен/на съм консултантският център да предаде" in content
    assert "Übersetzung Ich bin damit einverstanden, dass die Beratungsstelle die für" in content
    consents, content = _export(session, pid, "bg")
    assert "text_translation" not in consents["referral_sharing"]
    assert "Превод" not in content and "Vermittlungsschreiben" not in content


def test_a_consent_text_version_no_form_holds_is_said_plainly(session: Session) -> None:
    """A version never in force here (given on another laptop under a publication this one
    never received): the JSON says in the copy's language that the wording is not there
    (``text_missing``), and so does the PDF."""
    pid = _person(session)
    _consents_under(session, pid, "2026-10-1")
    consents, content = _export(session, pid, "de")
    missing = "Der Wortlaut dieser Fassung liegt in dieser Kopie nicht vor."
    assert all(str(c["text"]).startswith(missing) for c in consents.values())
    assert {(c["text_language"], c["text_missing"]) for c in consents.values()} == {("de", True)}
    assert (
        content.count("Wortlaut Der Wortlaut dieser Fassung liegt in dieser Kopie nicht vor.") == 3
    )
    consents, content = _export(session, pid, "bg")
    assert "Дословният текст на тази версия не е наличен в това копие." in content
    assert all(str(c["text"]).startswith("Дословният текст") for c in consents.values())


def test_a_consent_text_missing_in_the_exports_language_is_shown_in_german() -> None:
    from desktop_app.letters.directory import ServiceDirectory
    from desktop_app.usecases.person_data_text import readable, with_consent_texts
    from desktop_app.usecases.reference import shipped_forms

    consent = shipped_forms()["consent"]
    advice = consent.purposes[0]
    german_only = consent.model_copy(
        update={"purposes": [advice.model_copy(update={"text": {"de": advice.text["de"]}})]}
    )
    row = {"purpose": "advice", "granted": True, "text_version": "2026-12-1", "language": "de"}
    [with_text] = with_consent_texts([row], "bg", [german_only])
    assert (with_text["text"], with_text["text_language"]) == (advice.text["de"], "de")
    assert list(with_text)[:5] == ["purpose", "granted", "text_version", "text", "text_language"]
    [named] = readable("consents", [with_text], "bg", {}, ServiceDirectory((), {}, {}))
    assert named["text"] == f"На немски: {advice.text['de']}"
    assert "text_language" not in named


@pytest.mark.parametrize(
    ("lang", "level", "assessed"),
    [
        ("ro", "A2 – elementar", "autoevaluare"),
        ("bg", "A2 – основни познания", "самооценка"),
    ],
)
def test_a_language_level_in_the_export_reads_as_level_and_how_it_was_assessed(
    session: Session, lang: str, level: str, assessed: str
) -> None:
    """A skills check's language level is stored as level and how it was assessed: the copy
    printed "assessed: self; level: A2", the stored keys in English, in a Romanian copy."""
    from desktop_app.usecases import visits

    pid = _person(session)
    visits.finish_visit(
        session.store,
        session.user,
        pid,
        "skills_check",
        {
            "language_levels": [
                {"language": "de", "level": {"level": "A2", "assessed": "self"}},
                {"language": "ro", "level": {"level": "C2", "assessed": "self"}},
            ],
            "latin_literacy": "fluent",
            "school_years": 8,
            "school_certificate": "lower_secondary",
            "looking_for_work": "yes",
            "jobcenter_registration": "no",
        },
    )
    raw_json, pdf = data_rights.export_person(session.store, session.user, pid, lang=lang)
    assert json.loads(raw_json)["visits"][0]["answers"]["language_levels"][0]["level"] == {
        "level": "A2",
        "assessed": "self",
    }  # the JSON keeps the codes
    with pdfplumber.open(io.BytesIO(pdf)) as doc:
        content = " ".join(" ".join((page.extract_text() or "").split()) for page in doc.pages)
    assert f"{level} ({assessed})" in content
    # two languages, each entry of the group in brackets
    assert f"{level} ({assessed})), (" in content
    for code in ("assessed", "self", "level:"):
        assert code not in content, code


def test_a_question_in_the_export_takes_no_colon_after_its_question_mark(
    session: Session,
) -> None:
    """The Romanian copy read "Unde locuiește copilul?: în aceeași gospodărie"."""
    from desktop_app.usecases import visits
    from tests.unit.test_visits import full_life_situation

    pid = _person(session)
    visits.finish_visit(session.store, session.user, pid, "life_situation", full_life_situation())
    _consents, content = _export(session, pid, "ro")
    assert "Unde locuiește copilul? în aceeași gospodărie" in content
    assert "Numărul copiilor sub 18 ani: 1" in content  # a label that is no question keeps it
    assert "?:" not in content


SHARING_RO_OLD = "(de exemplu printr-o scrisoare de recomandare)"
SHARING_RO = "(de exemplu printr-o scrisoare de trimitere)"


def test_a_consent_given_before_2026_12_2_keeps_its_text_a_new_one_says_scrisoare_de_trimitere(
    session: Session,
) -> None:
    """The Romanian sharing text said "scrisoare de recomandare" (a letter of recommendation)
    where the program says "scrisoare de trimitere" (a referral letter): 2026-12-2 corrects it.
    A consent recorded under 2026-12-1 keeps that version and its wording; one recorded now gets
    2026-12-2, in the JSON and the PDF of the person's data copy."""
    from desktop_app.usecases import visits

    consent = visits.form(visits.CONSENT_FORM, session.store)
    assert consent.text_version == "2026-12-2"
    current = consent.consent_text("2026-12-2", "referral_sharing")
    assert current is not None and SHARING_RO in current["ro"]
    assert SHARING_BG in current["bg"] and NEW_SHARING_DE in current["de"]  # bg, de were right
    before = _person(session)
    draft = PersonDraft("Ioana", "Mureșan", "02.05.1990", "female", "RO", ("ro",), "0176 5550102")
    now = people.register_person(session.store, session.user, draft).id
    _consents_under(session, before, "2026-12-1", read_in="ro")
    _consents_under(session, now, None, read_in="ro")
    for pid, version, shown, absent, label in (
        (before, "2026-12-1", SHARING_RO_OLD, SHARING_RO, "textul din decembrie 2026"),
        (now, "2026-12-2", SHARING_RO, SHARING_RO_OLD, "textul 2 din decembrie 2026"),
    ):
        consents, content = _export(session, pid, "ro")
        sharing = consents["referral_sharing"]
        assert sharing["text_version"] == version and sharing["text_language"] == "ro"
        assert shown in str(sharing["text"]) and absent not in str(sharing["text"])
        assert shown in content and absent not in content
        assert label in content, version


def test_the_export_holds_each_childs_health_insurance_in_the_persons_language(
    session: Session,
) -> None:
    """Art. 15: the children's insurance is part of the visit's answers, so the copy holds it:
    the JSON with its codes, the PDF as the person reads it (question, child, answer)."""
    from desktop_app.usecases import visits
    from tests.unit.test_visits import consent_answers, full_life_situation

    pid = _person(session)
    visits.record_consent(session.store, session.user, pid, consent_answers())
    entry = {"child_name": "Калина", "child_birth": "2018-05-01", "child_insurance": "none"}
    answers = full_life_situation() | {
        "children": [{**full_life_situation()["children"][0], "child_name": "Калина"}],
        "children_insurance": [entry],
    }
    visits.finish_visit(session.store, session.user, pid, "life_situation", answers)
    raw_json, pdf = data_rights.export_person(session.store, session.user, pid)
    assert json.loads(raw_json)["visits"][0]["answers"]["children_insurance"] == [entry]
    with pdfplumber.open(io.BytesIO(pdf)) as doc:
        content = " ".join((page.extract_text() or "").replace("\n", " ") for page in doc.pages)
    assert "Здравна осигуровка на децата" in content
    assert "Калина" in content and "няма здравна осигуровка" in content
    assert "child_insurance" not in content


def test_the_copy_of_a_visit_edited_three_times_with_long_notes_is_made_whole(
    session: Session,
) -> None:
    """The walk-through's mother asked for her copy (Art. 15): a helper's check, completed by
    an advisor and corrected twice, its earlier versions one row of the PDF's table taller
    than a page, and ReportLab refused it (LayoutError): no copy at all. A visit's notes may
    be that long alone. The rows split across pages now, and every version is in the copy."""
    from pypdf import PdfReader

    from desktop_app.usecases import visits
    from tests.unit.test_visits import full_life_situation

    pid = _person(session)
    note = "Децата нямат здравна осигуровка; Никола (8) няма място в училище. " * 50
    answers = full_life_situation() | {"notes": note}
    visit = visits.finish_visit(session.store, session.user, pid, "life_situation", answers)
    for n in range(3):
        answers = {**visit.answers, "rent": 500 + n, "notes": f"{note} Поправка {n + 1}."}
        visit = visits.edit_visit(session.store, session.user, visit.id, answers)
    _json, pdf = data_rights.export_person(session.store, session.user, pid, lang="bg")
    reader = PdfReader(io.BytesIO(pdf))
    content = " ".join(" ".join((page.extract_text() or "").split()) for page in reader.pages)
    for n in range(3):
        assert f"Поправка {n + 1}." in content, n
    assert "Предишни редакции" in content
    # numbered by their saves, apart from the form's version
    assert all(f"Редакция на записа: {n}" in content for n in (1, 2, 3)), content
    assert "Редакция на записа: 4" not in content


def test_the_copy_shows_each_answer_on_a_line_of_its_own_in_each_version(
    session: Session,
) -> None:
    """The walk-through's mother read her answers as one paragraph ("Фамилия: Иванова;
    Собствено име (имена): Петя; Дата на раждане: …; Деца: (…), (…)"), each earlier version
    as another, in brackets. Each answer is a line now, each version's under its own lines;
    a child's answers stay together on the child's line."""
    from pypdf import PdfReader

    from desktop_app.usecases import visits
    from tests.unit.test_visits import full_life_situation

    pid = _person(session)
    answers = full_life_situation()
    visit = visits.finish_visit(session.store, session.user, pid, "life_situation", answers)
    visits.edit_visit(
        session.store, session.user, visit.id, {**answers, "housing_type": "homeless"}
    )
    _json, pdf = data_rights.export_person(session.store, session.user, pid, lang="bg")
    lines = [
        " ".join(line.split())
        for page in PdfReader(io.BytesIO(pdf)).pages
        for line in (page.extract_text() or "").splitlines()
    ]

    def starting(text: str) -> list[str]:
        return [line for line in lines if line.startswith(text)]

    # the answers of the version in force and of the earlier one, a line each
    assert len(starting("Фамилия: Петрова")) == 2, lines
    assert len(starting("Жилищна ситуация: ")) == 2, lines
    assert len(starting("Пол (по желание): жена")) == 2, lines
    assert len(starting("Деца: (")) == 2, lines
    assert starting("Редакция на записа: 1"), lines


def test_the_export_shows_the_ehics_date_as_every_other_answer(session: Session) -> None:
    """The life-situation check's EHIC date (form version 6) is in the JSON as stored and in
    the PDF under its question, as the person's language writes a date."""
    from desktop_app.usecases import visits
    from tests.unit.test_visits import consent_answers, full_life_situation

    pid = _person(session)
    visits.record_consent(session.store, session.user, pid, consent_answers())
    answers = full_life_situation() | {"insurance_status": "ehic", "ehic_valid_until": "2027-03-31"}
    visits.finish_visit(session.store, session.user, pid, "life_situation", answers)
    raw_json, pdf = data_rights.export_person(session.store, session.user, pid)
    (stored,) = json.loads(raw_json)["visits"]
    assert stored["answers"]["ehic_valid_until"] == "2027-03-31"
    with pdfplumber.open(io.BytesIO(pdf)) as doc:
        content = " ".join((page.extract_text() or "").replace("\n", " ") for page in doc.pages)
    answers_shown = content[content.index("Отговори") :]
    insurance = answers_shown.index("Здравна осигуровка: Европейска здравноосигурителна карта")
    assert answers_shown.index("ЕЗОК валидна до: 31.03.2027 г.") > insurance
    assert "2027-03-31" not in content
