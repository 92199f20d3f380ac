"""A letter waiting in the print queue prints as the referral is now, on a real encrypted
store: an appointment made, moved or removed after it was queued, the service's address
published anew, the referral closed or the person erased. Status history steps say what they
did to the appointment."""

from __future__ import annotations

import datetime as dt
import io
import json
from dataclasses import replace
from pathlib import Path
from typing import Any

import pypdf
import pytest

from desktop_app.domain.referral import ReferralStatus
from desktop_app.storage.referrals_models import PrintJobRow, ReferralRow
from desktop_app.storage.referrals_repo import StatusChange, history_json, history_of
from desktop_app.usecases import data_rights, reference
from desktop_app.usecases import referrals as uc
from desktop_app.usecases.accounts import Session, log_in
from tests.conftest import PASSWORD, downgrade_store
from tests.pdf_text import pdf_text as _text
from tests.unit.test_reference import _edited
from tests.unit.test_referrals import NOW, _issue, _person

LATER = NOW + dt.timedelta(days=1)
APPOINTMENT = dt.datetime(2026, 12, 8, 10, 0)


def _job(session: Session, job_id: str) -> uc.PrintJob:
    [job] = [j for j in uc.print_queue(session.store, session.user) if j.id == job_id]
    return job


def test_a_queued_letter_prints_the_appointment_made_after_it_was_queued(
    session: Session,
) -> None:
    person = _person(session)
    referral = _issue(session, person, client_lang="ro")
    in_ro = uc.queue_for_printing(session.store, session.user, referral.id)
    in_de = uc.queue_for_printing(session.store, session.user, referral.id, "de")
    queued = _text(uc.print_job_pdf(session.store, session.user, in_ro))
    assert "Încă nu aveți o programare" in queued and "Datum: 25. November 2026" in queued
    assert _job(session, in_ro).updated_at is None

    uc.change_status(
        session.store,
        session.user,
        referral.id,
        ReferralStatus.APPOINTMENT_MADE,
        appointment=APPOINTMENT,
        now=LATER,
    )
    ro = _text(uc.print_job_pdf(session.store, session.user, in_ro, now=LATER))
    assert "marți, 8 decembrie 2026, ora 10:00" in ro
    assert "Încă nu aveți o programare" not in ro
    # dated the day of issue as any reprint, the copy still in the job's language
    assert "Datum: 25. November 2026" in ro and "Data: 25 noiembrie 2026" in ro
    de = _text(uc.print_job_pdf(session.store, session.user, in_de, now=LATER))
    assert "Ein Termin bei Ihnen ist vereinbart: Dienstag, 8. Dezember 2026, 10:00 Uhr" in de
    assert "Termin ist noch nicht vereinbart" not in de and "Data: 25 noiembrie" not in de
    # the queue says the letters were made again, and keeps the new ones
    assert _job(session, in_ro).updated_at == LATER
    assert _job(session, in_de).updated_at == LATER
    with session.store.reading() as s:
        kept = s.get(PrintJobRow, in_ro)
        assert kept is not None and "ora 10:00" in _text(kept.pdf)

    # moved, then removed: each time the letter follows
    uc.change_status(
        session.store,
        session.user,
        referral.id,
        ReferralStatus.APPOINTMENT_MADE,
        appointment=APPOINTMENT + dt.timedelta(days=2, hours=3),
    )
    assert "joi, 10 decembrie 2026, ora 13:00" in _text(
        uc.print_job_pdf(session.store, session.user, in_ro)
    )
    uc.change_status(
        session.store,
        session.user,
        referral.id,
        ReferralStatus.APPOINTMENT_MADE,
        clear_appointment=True,
    )
    assert "Încă nu aveți o programare" in _text(
        uc.print_job_pdf(session.store, session.user, in_ro)
    )


def test_a_status_change_alone_leaves_the_queued_letter_as_it_was(session: Session) -> None:
    person = _person(session)
    referral = _issue(session, person)
    job = uc.queue_for_printing(session.store, session.user, referral.id)
    before = uc.print_job_pdf(session.store, session.user, job)
    uc.change_status(
        session.store, session.user, referral.id, ReferralStatus.APPOINTMENT_MADE, "angerufen"
    )
    assert uc.update_queued_letters(session.store, session.user) == 0
    assert uc.print_job_pdf(session.store, session.user, job) == before
    assert _job(session, job).updated_at is None


def test_a_queued_letters_fingerprint_leaves_out_what_the_referral_was_issued_as(
    session: Session,
) -> None:
    """Whether a referral was issued as a draft is not on its letter (the draft mark follows
    the sign-off): not in the fingerprint either, so that letters queued before the field was
    kept are not all made again after the update (``Referral.NOT_IN_FINGERPRINT``). Signed
    off, it tells who signed (``signed_off_by_another``), which enters on its own."""
    person = _person(session)
    referral = _issue(session, person)
    inputs = uc._letter_inputs(session.store, session.user, referral.id, "bg", None)
    assert not inputs.referral.issued_as_draft
    unsigned = replace(inputs.referral, signed_off_by="", signed_off_at=None)
    own, draft = (
        replace(inputs, referral=replace(unsigned, issued_as_draft=flag)) for flag in (False, True)
    )
    assert draft.digest() == own.digest()


def test_a_new_address_of_the_service_reaches_the_queued_letter(
    session: Session, tmp_path: Path
) -> None:
    person = _person(session)
    referral = _issue(session, person, service_id="jobcenter", reason="buergergeld")
    job = uc.queue_for_printing(session.store, session.user, referral.id, "de")
    assert "0231 842-4242" not in _text(uc.print_job_pdf(session.store, session.user, job))
    folder = _edited(session, tmp_path, phone="0231 842-4242")
    reference.publish_directory_folder(session.store, session.user, folder)
    assert uc.update_queued_letters(session.store, session.user, now=LATER) == 1
    assert _job(session, job).updated_at == LATER
    assert "0231 842-4242" in _text(uc.print_job_pdf(session.store, session.user, job))


def test_a_closed_referral_s_letter_is_not_printed(session: Session) -> None:
    person = _person(session)
    referral = _issue(session, person)
    job = uc.queue_for_printing(session.store, session.user, referral.id)
    uc.change_status(session.store, session.user, referral.id, ReferralStatus.CLOSED, "zog weg")
    assert _job(session, job).closed
    with pytest.raises(uc.LetterWithdrawn):
        uc.print_job_pdf(session.store, session.user, job)
    assert uc.update_queued_letters(session.store, session.user) == 0  # left as it is
    uc.remove_from_queue(session.store, session.user, job)
    assert uc.print_queue(session.store, session.user) == []


def test_erasing_the_person_leaves_no_queued_letter_behind(
    session: Session, data_dir: Path
) -> None:
    person = _person(session, "Ивелина", "Заркова")
    referral = _issue(session, person)
    job = uc.queue_for_printing(session.store, session.user, referral.id)
    assert uc.print_job_pdf(session.store, session.user, job)
    data_rights.erase_person(session.store, session.user, person.id)
    assert uc.print_queue(session.store, session.user, include_printed=True) == []
    with pytest.raises(uc.ReferralNotFound):
        uc.print_job_pdf(session.store, session.user, job)
    with session.store.reading() as s:
        assert s.get(PrintJobRow, job) is None


def test_letters_queued_before_the_migration_are_checked_once(
    session: Session, data_dir: Path
) -> None:
    person = _person(session)
    referral = _issue(session, person)
    uc.change_status(
        session.store,
        session.user,
        referral.id,
        ReferralStatus.APPOINTMENT_MADE,
        appointment=APPOINTMENT,
    )
    current = uc.render_letter(session.store, session.user, referral.id, log_view=False)
    downgrade_store(session.store, "case_opened")
    with session.store.engine.begin() as conn:
        for job_id, pdf in (("same", current), ("stale", b"%PDF-1.4 an older letter")):
            conn.exec_driver_sql(
                "INSERT INTO print_queue (id, referral_id, client_lang, pdf, created_at, state, "
                "printed_at) VALUES (?, ?, 'bg', ?, ?, 'queued', '')",
                (job_id, referral.id, pdf, NOW.isoformat()),
            )
    session.close()
    session = log_in(data_dir, "anna", PASSWORD)  # migrates to head
    try:
        assert {j.id: j.updated_at for j in uc.print_queue(session.store, session.user)} == {
            "same": None,
            "stale": None,
        }
        assert uc.update_queued_letters(session.store, session.user, now=LATER) == 1
        queue = {j.id: j.updated_at for j in uc.print_queue(session.store, session.user)}
        assert queue == {"same": None, "stale": LATER}
        assert uc.print_job_pdf(session.store, session.user, "stale") == current
        with session.store.reading() as s:
            assert all(len(job.inputs) == 64 for job in s.query(PrintJobRow))
    finally:
        session.close()


def test_history_steps_say_what_they_did_to_the_appointment(session: Session) -> None:
    person = _person(session)
    referral = _issue(session, person, appointment=APPOINTMENT)
    moved_to = APPOINTMENT + dt.timedelta(days=1)
    for kwargs in (
        {"appointment": moved_to},
        {"outcome": "angerufen"},  # the appointment left as it was
        {"clear_appointment": True},
        {"appointment": APPOINTMENT},
    ):
        uc.change_status(
            session.store,
            session.user,
            referral.id,
            ReferralStatus.APPOINTMENT_MADE,
            **kwargs,
        )
    steps = uc.status_history(session.store, session.user, referral.id)
    assert [(s.appointment_change, s.appointment) for s in steps] == [
        ("set", APPOINTMENT),  # issued with one
        ("moved", moved_to),
        ("", None),
        ("removed", None),
        ("set", APPOINTMENT),
    ]
    with session.store.reading() as s:
        row = s.get(ReferralRow, referral.id)
        assert row is not None
        stored = json.loads(row.status_history)
    # the step that left it keeps the text of steps before this was kept (one sync key), but
    # for the step's clock (older versions writing it back without: history_of)
    assert set(stored[2]) == {"status", "at", "by", "outcome", "hlc"}
    assert stored[1]["appointment_change"] == "moved"
    assert stored[1]["appointment"] == moved_to.isoformat()


def test_a_step_written_back_by_an_older_version_shows_once_with_its_appointment() -> None:
    detailed = StatusChange(
        ReferralStatus.APPOINTMENT_MADE, LATER, "Anna Schmidt", "", "set", APPOINTMENT
    )
    plain = StatusChange(ReferralStatus.ISSUED, NOW, "Anna Schmidt")
    # what a sync union of this version's history and an older version's copy of it holds
    entries = json.loads(history_json([plain, detailed]))
    older = {k: v for k, v in entries[1].items() if not k.startswith("appointment")}
    row = ReferralRow(status_history=json.dumps([entries[0], older, entries[1]]))
    assert history_of(row) == [plain, detailed]
    # a history written before the detail was kept reads as it did
    row = ReferralRow(status_history=json.dumps([entries[0], older]))
    assert [s.appointment_change for s in history_of(row)] == ["", ""]


def test_the_persons_copy_of_their_data_says_what_a_step_did_to_the_appointment() -> None:
    """The copy of a person's data (GDPR access) names each status step: the appointment
    set there too, in the copy's language; a step recorded before this was kept as it was."""
    from desktop_app.letters.directory import ServiceDirectory
    from desktop_app.usecases.person_data_text import readable

    steps = json.loads(
        history_json(
            [
                StatusChange(ReferralStatus.ISSUED, NOW, "Anna Schmidt"),
                StatusChange(
                    ReferralStatus.APPOINTMENT_MADE, LATER, "Anna Schmidt", "", "set", APPOINTMENT
                ),
                StatusChange(ReferralStatus.APPOINTMENT_MADE, LATER, "Anna Schmidt", "", "removed"),
            ]
        )
    )
    [row] = readable(
        "referrals", [{"status_history": steps}], "ro", {}, ServiceDirectory((), {}, {})
    )
    history = row["status_history"]
    assert isinstance(history, list)
    first, made, removed = history
    assert first.endswith("Emisă (Anna Schmidt)")
    assert made.endswith(
        "Programare făcută (Anna Schmidt) · Programare stabilită: mar., 8 dec. 2026, 10:00"
    )
    assert removed.endswith("Programare făcută (Anna Schmidt) · Programare eliminată")


def test_the_queue_listed_again_after_letters_were_made_again_is_no_new_view(
    session: Session,
) -> None:
    from sqlalchemy import func, select

    from desktop_app.storage.audit_models import AuditRow

    def views() -> int:
        with session.store.reading() as s:
            count = s.scalar(select(func.count()).where(AuditRow.record_kind == "print_queue"))
        return int(count or 0)

    referral = _issue(session, _person(session))
    uc.queue_for_printing(session.store, session.user, referral.id)
    uc.print_queue(session.store, session.user)
    assert views() == 1
    assert len(uc.print_queue(session.store, session.user, log_view=False)) == 1
    assert views() == 1


def _logo(path: Path, colour: tuple[int, int, int]) -> Path:
    """A small PNG logo of one colour at ``path``."""
    from PIL import Image

    Image.new("RGB", (40, 20), colour).save(path, format="PNG")
    return path


def _images(pdf: bytes) -> list[bytes]:
    """The raw data of every image on the letter's pages (the logo)."""
    reader = pypdf.PdfReader(io.BytesIO(pdf))
    return [image.data for page in reader.pages for image in page.images]


def _inputs(session: Session, job_id: str) -> str:
    """The fingerprint a queued letter keeps of what it was made from."""
    with session.store.reading() as db:
        row = db.get(PrintJobRow, job_id)
        assert row is not None
        return row.inputs


def test_the_logo_enters_a_queued_letter_by_its_content_not_its_path(
    session: Session, tmp_path: Path
) -> None:
    """The logo is kept in the store: its file replaced in place changes nothing until the
    coordinator saves it again; then the queued letter is made again with the new logo. The
    file deleted changes nothing. The same logo from another folder: the same letter,
    nothing made again."""
    from desktop_app.usecases import settings

    logo = _logo(tmp_path / "logo.png", (200, 0, 0))
    letterhead = settings.get_letterhead(session.store)
    settings.set_letterhead(session.store, session.user, replace(letterhead, logo_path=str(logo)))
    referral = _issue(session, _person(session))
    job = uc.queue_for_printing(session.store, session.user, referral.id)
    red = _images(uc.print_job_pdf(session.store, session.user, job))
    assert red  # the logo is on the letter
    shown = uc.make_letter(session.store, session.user, referral.id)

    _logo(logo, (0, 0, 200))  # a new logo, saved over the old file: not taken in yet
    assert uc.update_queued_letters(session.store, session.user, now=LATER) == 0
    settings.set_letterhead(session.store, session.user, replace(letterhead, logo_path=str(logo)))
    assert uc.update_queued_letters(session.store, session.user, now=LATER) == 1
    assert _job(session, job).updated_at == LATER
    blue = _images(uc.print_job_pdf(session.store, session.user, job))
    assert blue and blue != red
    assert uc.current_letter(session.store, session.user, shown).inputs != shown.inputs

    shown = uc.make_letter(session.store, session.user, referral.id)
    moved = tmp_path / "elsewhere" / "logo.png"
    moved.parent.mkdir()
    moved.write_bytes(logo.read_bytes())
    logo.unlink()
    kept = _inputs(session, job)
    assert uc.update_queued_letters(session.store, session.user, now=LATER) == 0
    assert _images(uc.print_job_pdf(session.store, session.user, job)) == blue  # file gone
    settings.set_letterhead(session.store, session.user, replace(letterhead, logo_path=str(moved)))
    assert uc.update_queued_letters(session.store, session.user, now=LATER) == 0
    assert _inputs(session, job) == kept  # not even made again to compare it
    assert uc.current_letter(session.store, session.user, shown) is shown


def _queued_as_before(
    session: Session,
    monkeypatch: pytest.MonkeyPatch,
    jobs: dict[str, tuple[str, str]],
    *patches: tuple[Any, str, Any],
) -> dict[str, tuple[bytes, str]]:
    """Each queued job (its referral and language) as the code of before queued it: its
    letter made and fingerprinted with ``patches`` set (object, name, value as before), and
    written into the print queue's row as that version left it."""
    old = {}
    with monkeypatch.context() as before:
        for target, name, value in patches:
            before.setattr(target, name, value)
        for job, (referral_id, lang) in jobs.items():
            inputs = uc._letter_inputs(session.store, session.user, referral_id, lang, None)
            old[job] = (uc._render(inputs), inputs.digest())
    with session.store.transaction() as db:
        for job, (pdf, digest) in old.items():
            row = db.get(PrintJobRow, job)
            assert row is not None
            row.pdf, row.inputs = pdf, digest
    return old


def _names_on_door_before_the_fix(german: str, local: str) -> str:
    """What the person's copy printed under "Where?" before the Bürgerdienste fix (commit
    6ba5d248): the explanation inside the German name's brackets was not seen as one."""
    if local == german:
        return german
    return local if local.startswith(german) else f"{german}\n{local}"


def test_only_the_queued_letters_whose_copy_named_the_service_twice_are_made_again(
    session: Session, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The copy's "Where?" names the Bürgerdienste once since a fix that kept the letter
    format: a Bürgerdienste letter queued before it (its Bulgarian copy with "Bürgerdienste
    Dortmund (Bürgeramt)" and, under it, the same name explained) is made again; its German
    letter alone, a Jobcenter letter (a name explained after the German one) and an AWO letter
    (a name of its own) keep their fingerprints and are not made again."""
    from desktop_app.letters import referral_letter

    person = _person(session)
    citizens = _issue(session, person, service_id="citizens_office", reason="address_registration")
    jobcenter = _issue(session, person, service_id="jobcenter", reason="buergergeld")
    awo = _issue(session, person, service_id="awo_migration", reason="migration_advice")
    queued = {
        (referral.id, lang): uc.queue_for_printing(session.store, session.user, referral.id, lang)
        for referral, lang in ((citizens, "bg"), (citizens, "de"), (jobcenter, "bg"), (awo, "bg"))
    }
    # Each letter as it was queued before the fix: made by the code of then, with the
    # fingerprint of then (no mark for a service named once).
    old = _queued_as_before(
        session,
        monkeypatch,
        {job: key for key, job in queued.items()},
        (referral_letter, "_names_on_door", _names_on_door_before_the_fix),
        (uc, "explained_inside_its_brackets", lambda german, local: False),
    )
    twice = "Bürgerdienste Dortmund (Bürgeramt) Bürgerdienste Dortmund (Bürgeramt, общинската"
    doubled = old[queued[(citizens.id, "bg")]][0]
    assert twice in _text(doubled)

    assert uc.update_queued_letters(session.store, session.user, now=LATER) == 1
    updated = {j.id: j.updated_at for j in uc.print_queue(session.store, session.user)}
    remade = queued[(citizens.id, "bg")]
    assert updated == {job: (LATER if job == remade else None) for job in queued.values()}
    with session.store.reading() as db:
        kept = {row.id: row.inputs for row in db.query(PrintJobRow)}
    # the fingerprints of the others are those they were queued with
    assert {job: kept[job] == old[job][1] for job in queued.values()} == {
        job: job != remade for job in queued.values()
    }
    copy = _text(uc.print_job_pdf(session.store, session.user, remade))
    assert twice not in copy
    assert "Къде? Bürgerdienste Dortmund (Bürgeramt, общинската служба за граждани) Адрес" in copy


def test_a_steuer_id_still_to_come_is_on_the_queued_letter_until_a_check_says_it_came(
    session: Session,
) -> None:
    """A person whose life-situation check says they have no Steuer-ID yet, referred to the
    Familienkasse: the referral does not ask for it, and the letter and the Bulgarian copy say
    it comes by post after the Anmeldung and will be handed in later. A later check saying
    they have it takes the note off the queued letter (the answer is in its fingerprint)."""
    from desktop_app.usecases import visits
    from tests.unit.test_visits import full_life_situation

    person = _person(session)

    def check(tax_id: str, today: dt.date) -> None:
        answers = {**full_life_situation(), "sex": "male", "tax_id": tax_id}
        visits.finish_visit(
            session.store, session.user, person.id, "life_situation", answers, today=today
        )

    check("no", NOW.date())
    referral = _issue(session, person, service_id="familienkasse", reason="kindergeld")
    assert "tax_id" not in referral.documents and "id_card" in referral.documents
    job = uc.queue_for_printing(session.store, session.user, referral.id)
    letter = _text(uc.print_job_pdf(session.store, session.user, job))
    assert "Herr Petrov hat die steuerliche Identifikationsnummer (Steuer-ID) noch nicht" in letter
    assert "Все още нямате данъчен идентификационен номер (Steuer-ID)." in letter
    # not asked for the person; for the child alone (the check does not say whether it has one)
    assert "Steuer-Identifikationsnummer (Steuer-ID) – für das Kind (8 Jahre)" in letter

    check("yes", LATER.date())
    assert uc.update_queued_letters(session.store, session.user, now=LATER) == 1
    letter = _text(uc.print_job_pdf(session.store, session.user, job))
    assert "noch nicht erhalten" not in letter and "Все още нямате данъчен" not in letter


def test_a_childs_steuer_id_to_follow_is_on_the_queued_letter_until_a_check_says_it_came(
    session: Session,
) -> None:
    """A check saying the child has no Steuer-ID yet: the queued letter to the Familienkasse
    says on the child's line that it follows, and the Bulgarian copy says so. A later check
    saying it came makes the letter again (the child's answer is in its fingerprint): the
    Steuer-ID is asked for the child too, and nothing is said to follow."""
    from desktop_app.usecases import visits
    from tests.unit.test_visits import full_life_situation

    person = _person(session)

    def check(child_tax_id: str, today: dt.date) -> None:
        answers = {**full_life_situation(), "sex": "male", "tax_id": "yes"}
        answers["children"] = [{**answers["children"][0], "child_tax_id": child_tax_id}]
        visits.finish_visit(
            session.store, session.user, person.id, "life_situation", answers, today=today
        )

    check("no", NOW.date())
    referral = _issue(session, person, service_id="familienkasse", reason="kindergeld")
    assert "tax_id" in referral.documents
    job = uc.queue_for_printing(session.store, session.user, referral.id)
    letter = " ".join(_text(uc.print_job_pdf(session.store, session.user, job)).split())
    assert "lebt im Haushalt, Steuer-ID wird nachgereicht" in letter
    assert "Данъчният идентификационен номер (Steuer-ID) на" in letter
    assert "auch für das Kind" not in letter

    check("yes", LATER.date())
    assert uc.update_queued_letters(session.store, session.user, now=LATER) == 1
    letter = " ".join(_text(uc.print_job_pdf(session.store, session.user, job)).split())
    assert "nachgereicht" not in letter and "Данъчният идентификационен номер" not in letter
    assert "Steuer-Identifikationsnummer (Steuer-ID) – auch für das Kind (8 Jahre)" in letter


def test_only_the_queued_letters_that_asked_for_no_childs_steuer_id_are_made_again(
    session: Session, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A child whose Steuer-ID the check does not know of ("unknown") beside a parent still
    waiting for theirs ("no") was asked for nowhere: the letter to the Familienkasse left the
    Steuer-ID out with the parent's. It is listed for the child since, and the letters queued
    before (made by the code of then, with the fingerprint of then) are made again; one whose
    parent has a Steuer-ID (the child's asked for with it, as before) keeps its fingerprint."""
    from desktop_app.letters import referral_letter
    from desktop_app.usecases import visits
    from tests.unit.test_visits import full_life_situation

    def checked(given: str, tax_id: str) -> tuple[str, str]:
        person = _person(session, given)
        answers = {**full_life_situation(), "sex": "male", "tax_id": tax_id}
        answers["children"] = [{**answers["children"][0], "child_tax_id": "unknown"}]
        visits.finish_visit(session.store, session.user, person.id, "life_situation", answers)
        referral = _issue(session, person, service_id="familienkasse", reason="kindergeld")
        return referral.id, uc.queue_for_printing(session.store, session.user, referral.id)

    queued = dict([checked("Петър", "no"), checked("Иван", "yes")])
    waiting, has_one = queued.values()
    named_now = referral_letter._children_tax_id_named

    def named_then(service: Any, documents: Any, facts: Any) -> tuple[Any, ...]:
        return tuple(c for c in named_now(service, documents, facts) if c.tax_id == "yes")

    old = _queued_as_before(
        session,
        monkeypatch,
        {job: (referral_id, "bg") for referral_id, job in queued.items()},
        (referral_letter, "_children_tax_id_named", named_then),
        (uc, "asks_children_steuer_ids_not_known_alone", lambda *_a: False),
    )
    asked = "Steuer-Identifikationsnummer (Steuer-ID) – für das Kind (8 Jahre)"
    assert "Steuer-Identifikationsnummer" not in _text(old[waiting][0])  # asked for nowhere

    assert uc.update_queued_letters(session.store, session.user, now=LATER) == 1
    updated = {j.id: j.updated_at for j in uc.print_queue(session.store, session.user)}
    assert updated == {waiting: LATER, has_one: None}
    with session.store.reading() as db:
        kept = db.get(PrintJobRow, has_one)
        assert kept is not None and kept.inputs == old[has_one][1]
    letter = _text(uc.print_job_pdf(session.store, session.user, waiting))
    assert asked in letter
    assert "Данъчен идентификационен номер (Steuer-ID) – за детето (8 години)" in letter
