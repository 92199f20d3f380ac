"""Referral use cases on a real encrypted store: issuing, letters, print queue, follow-ups."""

from __future__ import annotations

import datetime as dt
import io
import json
import shutil
from pathlib import Path

import pypdf
import pytest
from sqlalchemy import select

from desktop_app.domain.person import Person, PersonDraft
from desktop_app.domain.referral import ReferralStatus, ReferralStatusError
from desktop_app.domain.validation import ValidationFailed
from desktop_app.letters.directory import default_directory, names_service
from desktop_app.paths import resource
from desktop_app.storage.models import OutboxRow
from desktop_app.usecases import people, reference
from desktop_app.usecases import referrals as uc
from desktop_app.usecases.accounts import Session, log_in
from tests.conftest import PASSWORD, record_sharing_consent
from tests.pdf_text import pdf_text as _text
from tests.unit.test_visits import short_skills_check

NOW = dt.datetime(2026, 11, 25, 10, 15)


def _person(
    session: Session, given: str = "Петър", family: str = "Петров", *, sharing: str = "given"
) -> Person:
    """A person who agreed to their data being passed to a service (``sharing``: "given",
    "refused", or "" for no consent recorded)."""
    person = people.register_person(
        session.store,
        session.user,
        PersonDraft(given, family, "1985-03-14", languages=("bg",)),
        confirm_duplicates=True,
    )
    if sharing:
        record_sharing_consent(session, person.id, sharing)
    return person


def _issue(session: Session, person: Person, **kw: object) -> uc.Referral:
    args: dict[str, object] = {
        "service_id": "clearingstelle",
        "reason": "health_insurance",
        "now": NOW,
        "client_lang": "bg",
    }
    args.update(kw)
    return uc.issue_referral(session.store, session.user, person.id, **args)  # type: ignore[arg-type]


def jobcenter_letter(session: Session) -> bytes:
    """The letter of a new person's referral to the job centre (consent given), as a PDF."""
    person = _person(session, sharing="")
    record_sharing_consent(session, person.id)
    referral = uc.issue_referral(session.store, session.user, person.id, "jobcenter", "buergergeld")
    return uc.render_letter(session.store, session.user, referral.id)


def _codes(exc: pytest.ExceptionInfo[ValidationFailed]) -> set[tuple[str, str]]:
    return {(e.field, e.code) for e in exc.value.errors}


def test_issue_stores_referral_with_outbox_and_default_documents(session: Session) -> None:
    person = _person(session)
    referral = _issue(session, person, appointment=dt.datetime(2026, 12, 3, 9, 30))
    service = default_directory().get("clearingstelle")
    assert referral.documents == service.documents
    assert referral.status is ReferralStatus.ISSUED
    assert referral.follow_up == dt.date(2026, 12, 17)  # 14 days after the appointment
    assert referral.reference.startswith("WD-2026-11-")
    assert uc.referrals_of(session.store, session.user, person.id) == [referral]
    assert uc.get_referral(session.store, session.user, referral.id) == referral
    assert uc.referral_language(session.store, session.user, referral.id) == "bg"
    with session.store.reading() as s:
        kinds = [(r.record_kind, r.record_id, r.revision) for r in s.scalars(select(OutboxRow))]
    assert ("referral", referral.id, 1) in kinds
    [step] = uc.status_history(session.store, session.user, referral.id)
    assert (step.status, step.by) == (ReferralStatus.ISSUED, "Anna Schmidt")


def test_bad_input_gives_field_errors_and_stores_nothing(session: Session) -> None:
    person = _person(session)
    with pytest.raises(ValidationFailed) as exc:
        _issue(session, person, service_id="nowhere", reason="  ")
    assert _codes(exc) == {("service", "not_an_option"), ("reason", "required")}
    with pytest.raises(ValidationFailed) as exc:
        _issue(session, person, reason="no_such_reason")
    assert _codes(exc) == {("reason", "not_an_option")}
    with pytest.raises(ValidationFailed) as exc:
        _issue(session, person, reason="other", reason_note="   ")
    assert _codes(exc) == {("reason_note", "required")}
    with pytest.raises(ValidationFailed) as exc:
        _issue(session, person, documents=tuple(f"Dokument {n}" for n in range(61)))
    assert _codes(exc) == {("documents", "too_long")}
    with pytest.raises(ValidationFailed) as exc:
        _issue(session, person, contact_person="x" * 201, client_lang="xx")
    assert _codes(exc) == {("contact_person", "too_long"), ("client_lang", "not_an_option")}
    with pytest.raises(ValidationFailed) as exc:
        uc.issue_referral(
            session.store, session.user, "no-such-person", "vhs", "integration_course"
        )
    assert _codes(exc) == {("person", "required")}
    assert uc.referrals_of(session.store, session.user, person.id) == []


def test_reference_numbers_are_unique(session: Session) -> None:
    person = _person(session)
    refs = {_issue(session, person).reference for _ in range(50)}
    assert len(refs) == 50


def test_letter_renders_in_client_language_with_long_input(session: Session) -> None:
    long_given = "Анна-Мария " * 18  # about 200 characters
    person = _person(session, long_given.strip()[:200], "Ștefănescu-Țărănuță")
    referral = _issue(
        session,
        person,
        client_lang="ro",
        contact_person="Frau " + "Müller-Lüdenscheidt " * 9,
        documents=tuple(f"Nachweis Nummer {n} über die Wohnsituation" for n in range(40)),
    )
    pdf = uc.render_letter(session.store, session.user, referral.id)
    reader = pypdf.PdfReader(io.BytesIO(pdf))
    assert len(reader.pages) >= 3  # 40 documents spill onto further pages
    text = " ".join(" ".join((p.extract_text() or "").split()) for p in reader.pages)
    assert "Ștefănescu-Țărănuță" in text
    assert "Nachweis Nummer 39" in text
    bg = uc.render_letter(session.store, session.user, referral.id, "bg")
    assert bg != pdf


def test_a_letter_carries_the_letterhead_saved_in_the_settings(session: Session) -> None:
    """Not the shipped example organisation once the organisation saved its own."""
    from desktop_app.usecases import settings
    from tests.conftest import SAVED_LETTERHEAD

    person = _person(session, "Ion", "Popescu")
    referral = _issue(session, person)
    shipped = " ".join(
        pypdf.PdfReader(io.BytesIO(uc.render_letter(session.store, session.user, referral.id)))
        .pages[0]
        .extract_text()
        .split()
    )
    assert "Welcome Europe" in shipped
    settings.set_letterhead(session.store, session.user, SAVED_LETTERHEAD)
    pdf = uc.render_letter(session.store, session.user, referral.id)
    text = " ".join(pypdf.PdfReader(io.BytesIO(pdf)).pages[0].extract_text().split())
    assert "Asociația Bun venit Dortmund" in text and "Münsterstraße 5" in text
    assert "0231 777-0" in text and "Welcome Europe" not in text


def test_print_queue_keeps_pdf_in_the_store_and_drops_it_once_printed(
    session: Session, data_dir: Path
) -> None:
    person = _person(session)
    first = _issue(session, person)
    second = _issue(session, person, service_id="vhs", reason="integration_course")
    job1 = uc.queue_for_printing(session.store, session.user, first.id, now=NOW)
    pdf2 = uc.render_letter(session.store, session.user, second.id)
    job2 = uc.queue_for_printing(session.store, session.user, second.id, now=NOW + dt.timedelta(1))
    queue = uc.print_queue(session.store, session.user)
    assert [j.id for j in queue] == [job1, job2]
    assert queue[0].person_name == "Петър Петров" and queue[0].reference == first.reference
    assert queue[1].size == len(pdf2)
    assert uc.print_job_pdf(session.store, session.user, job2) == pdf2
    assert uc.print_job_pdf(session.store, session.user, job1).startswith(b"%PDF")
    # nothing but the encrypted store and its key file lies in the data folder
    assert not [p for p in data_dir.rglob("*") if p.suffix.lower() == ".pdf"]
    uc.mark_printed(session.store, session.user, job1, at=NOW)
    assert [j.id for j in uc.print_queue(session.store, session.user)] == [job2]
    [done] = [
        j for j in uc.print_queue(session.store, session.user, include_printed=True) if j.id == job1
    ]
    assert (done.state, done.printed_at, done.size) == ("printed", NOW, 0)
    uc.remove_from_queue(session.store, session.user, job2)
    assert uc.print_queue(session.store, session.user) == []
    with pytest.raises(uc.ReferralNotFound):
        uc.remove_from_queue(session.store, session.user, job2)


def test_a_follow_up_names_the_other_phone_while_two_laptops_disagree_on_it(
    session: Session,
) -> None:
    """The follow-ups list the record's phone; where an open conflict holds another number
    for it, that one too (either may reach the person). Another field's conflict, another
    person's, or a decided one, adds nothing."""
    from desktop_app.sync.conflict_records import record_conflict
    from desktop_app.sync.merge import Conflict
    from desktop_app.usecases import conflicts

    petar, ivan = _person(session), _person(session, "Иван", "Иванов")
    for person in (petar, ivan):
        _issue(session, person, follow_up=dt.date(2026, 11, 30))
    clocks = (f"{'1' * 13}-00000-a", f"{'1' * 13}-00001-b")
    with session.store.transaction() as db:
        for pid, field, kept, other in (
            (petar.id, "phone", "", "0176 2222222"),
            (ivan.id, "sex", "male", "diverse"),
        ):
            conflict = Conflict("person", pid, field, kept, clocks[0], other, clocks[1])
            record_conflict(db, session.store, conflict, pid)
    due = {
        f.person_name: f
        for f in uc.follow_ups_due(session.store, session.user, dt.date(2026, 12, 1))
    }
    assert due["Петър Петров"].phone_in_conflict == "0176 2222222"
    assert due["Иван Иванов"].phone_in_conflict == ""
    [phone] = [c for c in conflicts.open_conflicts(session.store) if c.field == "phone"]
    conflicts.resolve_conflict(session.store, session.user, phone.id, "0176 2222222")
    due = {
        f.person_name: f
        for f in uc.follow_ups_due(session.store, session.user, dt.date(2026, 12, 1))
    }
    assert due["Петър Петров"].phone_in_conflict == ""
    assert due["Петър Петров"].person_phone == "0176 2222222"


def test_status_moves_forward_with_history_and_follow_ups(session: Session) -> None:
    person = _person(session)
    referral = _issue(session, person, follow_up=dt.date(2026, 11, 30))
    other = _issue(session, person, service_id="vhs", reason="integration_course")
    assert uc.follow_ups_due(session.store, session.user, dt.date(2026, 11, 29)) == []
    due = uc.follow_ups_due(session.store, session.user, dt.date(2026, 11, 30))
    assert [(f.referral.id, f.person_name) for f in due] == [(referral.id, "Петър Петров")]
    later = NOW + dt.timedelta(days=2)
    moved = uc.change_status(
        session.store,
        session.user,
        referral.id,
        ReferralStatus.APPOINTMENT_MADE,
        follow_up=dt.date(2026, 12, 10),
        now=later,
    )
    assert moved.status is ReferralStatus.APPOINTMENT_MADE and moved.status_changed_at == later
    assert uc.follow_ups_due(session.store, session.user, dt.date(2026, 12, 1)) == []
    with pytest.raises(ReferralStatusError):
        uc.change_status(session.store, session.user, referral.id, ReferralStatus.ISSUED)
    uc.change_status(
        session.store, session.user, referral.id, ReferralStatus.OUTCOME_NOTED, "Versichert bei AOK"
    )
    # most overdue first: the other referral's default follow-up is 14 days after issue
    due_later = uc.follow_ups_due(session.store, session.user, dt.date(2026, 12, 10))
    assert [f.referral.id for f in due_later] == [other.id, referral.id]
    closed = uc.change_status(session.store, session.user, referral.id, ReferralStatus.CLOSED)
    assert closed.outcome == "Versichert bei AOK"
    assert referral.id not in [
        f.referral.id for f in uc.follow_ups_due(session.store, session.user, dt.date(2027, 1, 1))
    ]
    steps = [c.status for c in uc.status_history(session.store, session.user, referral.id)]
    assert steps == [
        ReferralStatus.ISSUED,
        ReferralStatus.APPOINTMENT_MADE,
        ReferralStatus.OUTCOME_NOTED,
        ReferralStatus.CLOSED,
    ]
    with session.store.reading() as s:
        revisions = [
            r.revision
            for r in s.scalars(select(OutboxRow).where(OutboxRow.record_id == referral.id))
        ]
    assert revisions == [1, 2, 3, 4]


def test_referrals_and_queue_survive_reopening(session: Session, data_dir: Path) -> None:
    person = _person(session)
    referral = _issue(session, person)
    job = uc.queue_for_printing(session.store, session.user, referral.id)
    pdf = uc.print_job_pdf(session.store, session.user, job)
    session.close()
    again = log_in(data_dir, "anna", PASSWORD)
    try:
        assert uc.referrals_of(again.store, again.user, person.id) == [referral]
        assert uc.print_job_pdf(again.store, again.user, job) == pdf
        raw = b"".join(p.read_bytes() for p in data_dir.iterdir() if p.is_file())
        assert referral.reference.encode() not in raw
    finally:
        again.close()


@pytest.mark.parametrize("sharing", ["", "refused"])
def test_without_consent_to_pass_data_on_only_the_persons_sheet_is_made(
    session: Session, sharing: str
) -> None:
    """The letter to the service passes the person's name, birth date, phone and the
    advisor's note on, and said "… ist mit der Weitergabe … einverstanden" whatever the
    consent form said. Without a consent given (none recorded, or refused) the service gets
    nothing: the person's sheet alone, saying so in their language."""
    person = _person(session, "Йорданка", "Атанасова", sharing=sharing)
    referral = _issue(session, person, reason_note="Braucht Hilfe beim Antrag")
    service = default_directory().get("clearingstelle")
    consent = uc.sharing_consent(session.store, session.user, person.id, service)
    assert (consent is None) == (sharing == "")
    pdf = uc.render_letter(session.store, session.user, referral.id)
    reader = pypdf.PdfReader(io.BytesIO(pdf))
    text = " ".join(" ".join((p.extract_text() or "").split()) for p in reader.pages)
    assert len(reader.pages) == 1
    for german in ("einverstanden", "Sehr geehrte", "Braucht Hilfe", "Mit freundlichen"):
        assert german not in text
    assert "Тази служба не е получила от нас данни за Вас" in text
    assert "Вашето насочване" in text  # the sheet, in the person's language
    # Once the person agrees, the letter to the service comes first again.
    record_sharing_consent(session, person.id, "given")
    full = uc.render_letter(session.store, session.user, referral.id)
    full_text = " ".join(
        " ".join((p.extract_text() or "").split()) for p in pypdf.PdfReader(io.BytesIO(full)).pages
    )
    assert "einverstanden" in full_text and "Braucht Hilfe" in full_text
    assert "Тази служба не е получила" not in full_text


@pytest.mark.parametrize(
    ("written", "covered"),
    [
        ("Jobcenter Dortmund", {"jobcenter"}),
        ("jobcenter, FAMILIENKASSE", {"jobcenter", "familienkasse"}),
        ("Faire Mobilitat", {"faire_mobilitaet"}),  # written without the umlaut
        ("VHS", {"vhs"}),
        ("Jobcentermitarbeiter", set()),  # not the name as a word
        ("", set()),
    ],
)
def test_a_consent_covers_the_services_it_names(written: str, covered: set[str]) -> None:
    directory = default_directory()
    assert {s.id for s in directory.services if names_service(written, s)} == covered


def test_a_consent_named_in_the_persons_language_covers_the_service_too() -> None:
    service = default_directory().get("clearingstelle")
    assert names_service(service.name.get("bg"), service)


def test_the_directory_says_which_services_a_consent_names_and_offers_names_to_write() -> None:
    directory = default_directory()
    assert [s.id for s in directory.named_in("Jobcenter, VHS und Arbeitsamt")] == [
        "jobcenter",
        "vhs",
    ]
    names = directory.consent_names()
    # the German name first, the short ones after it, each once
    assert names.index("Jobcenter Dortmund") + 1 == names.index("Jobcenter")
    assert "VHS" in names and len(names) == len(set(names))


def test_consents_since_the_latest_refusal_count_and_a_refusal_withdraws_older_ones(
    session: Session,
) -> None:
    """A person agreed to the Jobcenter, later refused, then agreed to the Familienkasse:
    the Familienkasse gets a letter, the Jobcenter does not (its consent was withdrawn)."""
    person = _person(session, sharing="")
    directory = default_directory()
    jobcenter, familienkasse = directory.get("jobcenter"), directory.get("familienkasse")
    record_sharing_consent(session, person.id, "given", "Jobcenter Dortmund")
    consent = uc.sharing_consent(session.store, session.user, person.id, jobcenter)
    assert consent is not None and consent.covers
    other = uc.sharing_consent(session.store, session.user, person.id, familienkasse)
    assert other is not None and other.granted and not other.covers
    record_sharing_consent(session, person.id, "refused")
    record_sharing_consent(session, person.id, "given", "Familienkasse")
    decisions = uc.sharing_decisions(session.store, session.user, person.id)
    assert [d.granted for d in decisions] == [True, False, True]
    assert uc.consent_for(decisions, familienkasse) == uc.SharingConsent(
        True, "2026-11-25", "Familienkasse", covers=True
    )
    withdrawn = uc.consent_for(decisions, jobcenter)
    assert withdrawn is not None and not withdrawn.covers
    referral = _issue(session, person, service_id="jobcenter", reason="buergergeld")
    pdf = uc.render_letter(session.store, session.user, referral.id)
    text = " ".join((p.extract_text() or "") for p in pypdf.PdfReader(io.BytesIO(pdf)).pages)
    assert "einverstanden" not in text and len(pypdf.PdfReader(io.BytesIO(pdf)).pages) == 1


def _life_situation(session: Session, person: Person, **answers: object) -> None:
    from desktop_app.usecases import visits
    from tests.unit.test_visits import full_life_situation

    visits.finish_visit(
        session.store,
        session.user,
        person.id,
        "life_situation",
        {**full_life_situation(), **answers},
    )


def test_the_letter_gives_the_children_of_the_latest_life_situation_with_consent_only(
    session: Session,
) -> None:
    """The Familienkasse learns the children from the latest check on the life situation; a
    person who did not agree to their data being passed on gets the sheet alone, without them."""
    person = _person(session)
    _life_situation(session, person, children_count=0, children=[])
    _life_situation(
        session,
        person,
        children_count=2,
        children=[
            {"child_birth": "2019-02-10", "child_lives": "with_person", "child_care": "school"},
            {"child_birth": "2016", "child_lives": "home_country"},
        ],
    )
    referral = _issue(session, person, service_id="familienkasse", reason="kindergeld")
    text = _text(uc.render_letter(session.store, session.user, referral.id))
    assert "Kinder Anzahl: 2 – 7 Jahre, lebt im Haushalt – geb. 2016, lebt im Herkunftsland" in text
    record_sharing_consent(session, person.id, "refused")
    sheet = _text(uc.render_letter(session.store, session.user, referral.id))
    assert "Anzahl" not in sheet and "2016" not in sheet and "7 Jahre" not in sheet


def test_a_homeless_persons_referral_does_not_ask_for_a_tenancy_agreement(
    session: Session,
) -> None:
    person = _person(session)
    _life_situation(session, person, housing_type="homeless", rent=None)
    referral = _issue(session, person, service_id="jobcenter", reason="buergergeld")
    usual = default_directory().get("jobcenter").documents
    assert "rental_contract" in usual
    assert "rental_contract" not in referral.documents
    assert "registration" not in referral.documents  # the life situation: not registered
    assert set(referral.documents) == set(usual) - {"rental_contract", "registration"}
    text = _text(uc.render_letter(session.store, session.user, referral.id))
    assert "Meldeadresse nicht angemeldet (keine Meldebescheinigung)" in text
    assert "Wohnsituation wohnungslos, ohne Unterkunft" in text
    assert "Mietvertrag" not in text and "Договор за наем" not in text


def test_demo_people_with_children_get_the_children_lines(session: Session) -> None:
    """The demo data (``scripts/start --demo``) lets one see the children in a letter: its
    life situations give each child in the household their daycare or school, as the form."""
    from desktop_app.domain.demo import generate_people
    from desktop_app.usecases.people import register_many
    from desktop_app.usecases.report_demo import add_demo_activity
    from desktop_app.usecases.visits import form

    register_many(session.store, session.user, generate_people(40, seed=1))
    activity = add_demo_activity(session.store, session.user.id, today=NOW.date(), seed=1)
    housing = form("life_situation").field("housing_type").option_ids()
    latest: dict[str, dict[str, object]] = {}
    for visit in sorted(activity.visits, key=lambda v: v["finished_at"]):
        if visit["form_id"] == "life_situation":
            latest[visit["person_id"]] = json.loads(visit["answers"])
            assert latest[visit["person_id"]]["housing_type"] in housing
    family = next(
        pid
        for pid, answers in latest.items()
        if any(c["child_lives"] == "with_person" for c in answers.get("children", ()))  # type: ignore[attr-defined]
    )
    children = [c for c in latest[family]["children"] if c["child_lives"] == "with_person"]  # type: ignore[attr-defined]
    assert all(c["child_care"] for c in children)
    record_sharing_consent(session, family, "given")
    referral = uc.issue_referral(
        session.store, session.user, family, "jugendamt", "family_support", now=NOW
    )
    text = _text(uc.render_letter(session.store, session.user, referral.id))
    assert f"Kinder im Haushalt Anzahl: {len(children)} – geb. " in text


def test_every_demo_consent_to_passing_data_on_names_a_service(session: Session) -> None:
    """As the consent form requires: a demo person who agreed but was referred nowhere had a
    consent naming no service, which the refer dialog showed as "agreed … to: —"."""
    from desktop_app.domain.demo import generate_people
    from desktop_app.usecases.people import register_many
    from desktop_app.usecases.report_demo import add_demo_activity

    register_many(session.store, session.user, generate_people(60, seed=1))
    add_demo_activity(session.store, session.user.id, today=NOW.date(), seed=1)
    granted = [
        decision
        for entry in people.list_people(session.store, 0, 100)
        for decision in uc.sharing_decisions(session.store, session.user, entry.id)
        if decision.granted
    ]
    assert len(granted) > 20
    assert all(decision.shared_with.strip() for decision in granted)


def _appointment_audit(session: Session, person: Person) -> list[tuple[str, object]]:
    """The status changes of the person's referrals in the audit log, oldest first: the status
    and what happened to the appointment (None: nothing)."""
    from desktop_app.usecases import audit

    entries = reversed(audit.list_entries(session.store, session.user, record_id=person.id))
    return [
        (str(e.details["status"]), e.details.get("appointment"))
        for e in entries
        if e.action == "change" and e.record_kind == "referral"
    ]


def test_an_appointment_arranged_later_is_set_changed_and_cleared_with_the_status(
    session: Session,
) -> None:
    """The advisor phones the service the day after issuing: the appointment is recorded
    with the status, changed when it moves, and cleared when it is cancelled; each change
    travels (outbox) and is audited without the date itself."""
    person = _person(session)
    referral = _issue(session, person)
    assert referral.appointment is None
    first = dt.datetime(2026, 12, 3, 9, 30)
    set_ = uc.change_status(
        session.store,
        session.user,
        referral.id,
        ReferralStatus.APPOINTMENT_MADE,
        appointment=first,
        now=NOW + dt.timedelta(days=1),
        base=referral,
    )
    assert set_.appointment == first
    stored = uc.get_referral(session.store, session.user, referral.id, log_view=False)
    assert (stored.status, stored.appointment) == (ReferralStatus.APPOINTMENT_MADE, first)
    moved = dt.datetime(2026, 12, 4, 14, 0)
    uc.change_status(
        session.store,
        session.user,
        referral.id,
        ReferralStatus.APPOINTMENT_MADE,
        appointment=moved,
        now=NOW + dt.timedelta(days=2),
        base=stored,
    )
    stored = uc.get_referral(session.store, session.user, referral.id, log_view=False)
    assert stored.appointment == moved
    # Left as shown with a later status: it stays.
    uc.change_status(
        session.store,
        session.user,
        referral.id,
        ReferralStatus.ATTENDED,
        appointment=moved,
        now=NOW + dt.timedelta(days=10),
        base=stored,
    )
    stored = uc.get_referral(session.store, session.user, referral.id, log_view=False)
    assert (stored.status, stored.appointment) == (ReferralStatus.ATTENDED, moved)
    cleared = uc.change_status(
        session.store,
        session.user,
        referral.id,
        ReferralStatus.ATTENDED,
        clear_appointment=True,
        now=NOW + dt.timedelta(days=11),
        base=stored,
    )
    assert cleared.appointment is None
    assert uc.get_referral(session.store, session.user, referral.id).appointment is None
    assert _appointment_audit(session, person) == [
        ("appointment_made", "set"),
        ("appointment_made", "set"),
        ("attended", None),
        ("attended", "cleared"),
    ]
    with session.store.reading() as s:
        revisions = [
            r.revision
            for r in s.scalars(select(OutboxRow).where(OutboxRow.record_id == referral.id))
        ]
    assert revisions == [1, 2, 3, 4, 5]


@pytest.mark.parametrize(
    ("when", "code"),
    [
        (dt.datetime(2026, 11, 24, 17, 0), "appointment_before_issue"),  # yesterday
        (dt.datetime(2028, 11, 26, 9, 0), "appointment_too_far_ahead"),  # two years and a day
        (dt.datetime(2062, 11, 26, 9, 0), "appointment_too_far_ahead"),  # a slip of the year
    ],
)
def test_issuing_checks_the_appointment_as_a_status_change_does(
    session: Session, when: dt.datetime, code: str
) -> None:
    """change_status refused an appointment before the day of issue or years ahead, but the
    refer dialog issued one dated yesterday (the letter then names a past appointment) or in
    2062: the same check on both paths."""
    person = _person(session)
    with pytest.raises(ValidationFailed) as exc:
        _issue(session, person, appointment=when)
    assert _codes(exc) == {("appointment", code)}
    assert uc.referrals_of(session.store, session.user, person.id) == []
    # earlier today, and exactly two years ahead, are fine
    for fine in (dt.datetime(2026, 11, 25, 8, 0), dt.datetime(2028, 11, 25, 9, 0)):
        assert _issue(session, person, appointment=fine).appointment == fine


@pytest.mark.parametrize(
    ("when", "code"),
    [
        (dt.datetime(2026, 11, 24, 9, 0), "appointment_before_issue"),  # the day before issue
        (dt.datetime(2062, 12, 3, 9, 0), "appointment_too_far_ahead"),  # a slip of the year
    ],
)
def test_an_appointment_before_the_issue_or_years_ahead_is_refused_with_a_message(
    session: Session, when: dt.datetime, code: str
) -> None:
    from desktop_app.i18n.messages import field_message
    from desktop_app.i18n.text import set_language

    person = _person(session)
    referral = _issue(session, person)
    with pytest.raises(ValidationFailed) as exc:
        uc.change_status(
            session.store,
            session.user,
            referral.id,
            ReferralStatus.APPOINTMENT_MADE,
            appointment=when,
            now=NOW + dt.timedelta(days=1),
        )
    assert _codes(exc) == {("appointment", code)}
    stored = uc.get_referral(session.store, session.user, referral.id, log_view=False)
    assert (stored.status, stored.appointment) == (ReferralStatus.ISSUED, None)
    set_language("ro")  # the conftest sets English again after the test
    text = field_message(exc.value.errors[0])
    assert "programarea" in text.casefold() and "{" not in text
    # the day of issue itself, and up to two years ahead, are fine
    for fine in (dt.datetime(2026, 11, 25, 16, 0), dt.datetime(2028, 11, 1, 9, 0)):
        uc.change_status(
            session.store,
            session.user,
            referral.id,
            ReferralStatus.APPOINTMENT_MADE,
            appointment=fine,
            now=NOW + dt.timedelta(days=1),
        )


def test_a_reprinted_copy_names_the_appointment_recorded_later(session: Session) -> None:
    person = _person(session)
    referral = _issue(session, person, client_lang="ro")

    def text_of(pdf: bytes) -> str:
        reader = pypdf.PdfReader(io.BytesIO(pdf))
        return " ".join(" ".join((p.extract_text() or "").split()) for p in reader.pages)

    before = text_of(uc.render_letter(session.store, session.user, referral.id))
    assert "Încă nu aveți o programare" in before
    uc.change_status(
        session.store,
        session.user,
        referral.id,
        ReferralStatus.APPOINTMENT_MADE,
        appointment=dt.datetime(2026, 12, 9, 10, 30),
        now=NOW + dt.timedelta(days=1),
        base=referral,
    )
    after = text_of(uc.render_letter(session.store, session.user, referral.id))
    assert "Încă nu aveți o programare" not in after
    assert "9 decembrie 2026" in after and "ora 10:30" in after
    bg = text_of(uc.render_letter(session.store, session.user, referral.id, "bg"))
    assert "9 декември 2026" in bg and "10:30 ч." in bg


def test_services_of_the_next_steps_accepted_are_suggested_until_referred(
    session: Session, tmp_path: Path
) -> None:
    """The latest visit of each form names the services of its accepted next steps (a step
    dismissed, or whose service the directory lacks, names none); a referral to one made
    after the visit takes it off, one made before does not."""
    from desktop_app.usecases import visits
    from tests.unit.test_visits import full_life_situation

    person = _person(session)
    _issue(session, person)  # to the Clearingstelle, on NOW: before the visit
    answers = full_life_situation()  # no insurance, not registered, a child at school
    steps = {"health_clearing": "accepted", "address_registration": "accepted"}
    visits.finish_visit(
        session.store, session.user, person.id, "life_situation", answers, next_steps=steps
    )
    found = uc.suggested_services(session.store, session.user, person.id)
    assert found == ["clearingstelle", "citizens_office"]
    # a directory published without the Bürgerbüro of the address registration names none
    folder = tmp_path / "services"
    shutil.copytree(resource("services"), folder)
    (folder / "citizens_office.yaml").unlink()
    reference.publish_directory_folder(session.store, session.user, folder)
    assert uc.suggested_services(session.store, session.user, person.id) == ["clearingstelle"]
    skills = short_skills_check("A1")
    decided = {"integration_course": "accepted", "job_centre_registration": "dismissed"}
    begun = dt.datetime.now(dt.UTC) - dt.timedelta(hours=1)
    skills_visit = visits.finish_visit(
        session.store,
        session.user,
        person.id,
        "skills_check",
        skills,
        next_steps=decided,
        started_at=begun.isoformat(timespec="seconds"),
    )
    found = uc.suggested_services(session.store, session.user, person.id)
    assert found == ["vhs", "clearingstelle"]  # the newest visit's first
    uc.issue_referral(session.store, session.user, person.id, "clearingstelle", "health_insurance")
    assert uc.suggested_services(session.store, session.user, person.id) == ["vhs"]
    # referred to while the form was still open (begun an hour ago) counts as well
    meanwhile = dt.datetime.now().replace(microsecond=0) - dt.timedelta(minutes=30)
    _issue(session, person, service_id="vhs", reason="integration_course", now=meanwhile)
    assert uc.suggested_services(session.store, session.user, person.id) == []
    # a later correction of the visit does not offer what was referred to again
    visits.edit_visit(
        session.store, session.user, skills_visit.id, skills | {"school_years": 9},
        next_steps=decided,
    )  # fmt: skip
    assert uc.suggested_services(session.store, session.user, person.id) == []


def test_outcome_noted_needs_an_outcome_and_a_status_kept_is_no_step(session: Session) -> None:
    """An outcome noted with no outcome written is refused (the status dialog proposed it and
    Enter saved it so); one written at an earlier step counts. A save that keeps the status
    (a follow-up date moved) leaves the time of the status and the history as they were; a
    new outcome is a step."""
    person = _person(session)
    referral = _issue(session, person)
    attended = uc.change_status(
        session.store, session.user, referral.id, ReferralStatus.ATTENDED, "", now=NOW
    )
    with pytest.raises(ValidationFailed) as refused:
        uc.change_status(session.store, session.user, referral.id, ReferralStatus.OUTCOME_NOTED, "")
    assert [(e.field, e.code) for e in refused.value.errors] == [("outcome", "outcome_required")]
    assert uc.get_referral(session.store, session.user, referral.id) == attended
    later = NOW + dt.timedelta(days=3)
    moved = uc.change_status(
        session.store,
        session.user,
        referral.id,
        ReferralStatus.ATTENDED,
        "",
        follow_up=dt.date(2026, 12, 20),
        now=later,
    )
    assert moved.follow_up == dt.date(2026, 12, 20)
    assert moved.status_changed_at == attended.status_changed_at == NOW
    steps = uc.status_history(session.store, session.user, referral.id)
    assert [s.status for s in steps] == [ReferralStatus.ISSUED, ReferralStatus.ATTENDED]
    uc.change_status(
        session.store, session.user, referral.id, ReferralStatus.ATTENDED, "Kurs ab Januar"
    )
    noted = uc.change_status(session.store, session.user, referral.id, ReferralStatus.OUTCOME_NOTED)
    assert (noted.status, noted.outcome) == (ReferralStatus.OUTCOME_NOTED, "Kurs ab Januar")
    steps = uc.status_history(session.store, session.user, referral.id)
    assert [(s.status, s.outcome) for s in steps[2:]] == [
        (ReferralStatus.ATTENDED, "Kurs ab Januar"),
        (ReferralStatus.OUTCOME_NOTED, ""),
    ]


def test_the_fathers_job_centre_letter_asks_for_no_pay_slips_and_borrows_nothing_of_the_mother(
    session: Session, tmp_path: Path
) -> None:
    """A Romanian family: the mother's life-situation check says the family is not registered
    yet and she does not work; the father had only a skills check (looking for work, 12 years
    on building sites at home). His letter to the Jobcenter asked for pay slips and a work
    contract. It asks for neither now, in the German letter and his Romanian copy alike; his
    registration is not known (the mother's check describes her, not him), so the
    Meldebescheinigung is asked of him, and not of her."""
    from desktop_app.usecases import visits

    mother = _person(session, "Maria", "Popescu")
    father = _person(session, "Ion", "Popescu")
    _life_situation(
        session, mother, work_status=["not_working"], working_field=None, work_contract=None
    )
    skills = short_skills_check("A1") | {
        "experience": [{"w_field": "construction", "w_years": 12, "w_where": "home_country"}]
    }
    visits.finish_visit(session.store, session.user, father.id, "skills_check", skills)

    his = _issue(session, father, service_id="jobcenter", reason="buergergeld", client_lang="ro")
    assert "payslips" not in his.documents and "work_contract" not in his.documents
    assert "registration" in his.documents
    pdf = uc.render_letter(session.store, session.user, his.id)
    (tmp_path / "father-jobcenter.pdf").write_bytes(pdf)
    letter, copy = (
        " ".join((p.extract_text() or "").split()) for p in pypdf.PdfReader(io.BytesIO(pdf)).pages
    )
    for text in (
        "Lohnabrechnungen",
        "Arbeitsvertrag",
        "Fluturașii de salariu",
        "Contractul de muncă",
    ):
        assert text not in letter + copy, text
    assert "Meldebescheinigung (Anmeldung)" in letter
    assert "Certificatul de înregistrare a domiciliului (Anmeldung)" in copy
    assert "Kontoauszüge der letzten drei Monate" in letter  # the rest as usual
    assert "Extrasele de cont din ultimele trei luni" in copy

    hers = _issue(session, mother, service_id="jobcenter", reason="buergergeld", client_lang="ro")
    assert not {"payslips", "work_contract", "registration"} & set(hers.documents)
    text = _text(uc.render_letter(session.store, session.user, hers.id))
    assert "Meldebescheinigung (Anmeldung)" not in text
    assert "Certificatul de înregistrare a domiciliului" not in text
    assert "Meldeadresse nicht angemeldet (keine Meldebescheinigung)" in text

    # A later life-situation check of his own saying he works now: the pay slips come back.
    _life_situation(session, father, work_status=["employed"], work_contract="yes")
    again = _issue(session, father, service_id="jobcenter", reason="buergergeld")
    assert {"payslips", "work_contract"} <= set(again.documents)
