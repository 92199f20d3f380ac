"""The register of the persons' requests (a copy, an erasure) and the confirmation of an
erasure at the person's request, on a real SQLCipher store; PDFs read back with pypdf."""

from __future__ import annotations

import datetime as dt
import json
import re

import pytest

from desktop_app.domain.permissions import PermissionDenied
from desktop_app.domain.person import PersonDraft
from desktop_app.domain.users import Role
from desktop_app.domain.validation import ValidationFailed
from desktop_app.usecases import accounts, audit, data_rights, people, referrals, visits
from desktop_app.usecases.accounts import Session
from desktop_app.usecases.data_rights import (
    COPY,
    CORRECTION,
    ERASURE,
    RequestDateInFuture,
    one_month_after,
)
from tests.conftest import PASSWORD, downgrade_store
from tests.pdf_text import pdf_text as _text

TODAY = dt.date(2026, 12, 7)


def _person(session: Session, given: str, family: str, lang: str, nationality: str) -> str:
    draft = PersonDraft(given, family, "14.03.1985", "female", nationality, (lang,), "0176 555")
    return people.register_person(session.store, session.user, draft, confirm_duplicates=True).id


def _referral(session: Session, pid: str) -> None:
    referrals.issue_referral(session.store, session.user, pid, "jobcenter", "buergergeld")


def _erased_by_sync(session: Session, pid: str) -> None:
    """The person's erasure as it arrives from another laptop (a tombstone applied here)."""
    from sqlalchemy import select

    from desktop_app.storage.models import PersonRow

    with session.store.transaction() as db:
        row = db.scalar(select(PersonRow).where(PersonRow.id == pid))
        assert row is not None
        assert data_rights.apply_remote_erasure(
            db,
            session.store,
            pid,
            revision=row.revision + 1,
            updated_hlc=str(session.store.clock.now()),
            device_id="other-laptop",
            author_id="someone",
        )


def _all_rows(session: Session) -> dict[str, str]:
    """Every table of the store, each as the text of all its rows."""
    with session.store.engine.connect() as conn:
        tables = conn.exec_driver_sql(
            "SELECT name FROM sqlite_master WHERE type = 'table'"
        ).scalars()
        return {
            name: json.dumps(
                [list(r) for r in conn.exec_driver_sql(f'SELECT * FROM "{name}"')],
                ensure_ascii=False,
                default=str,
            )
            for name in list(tables)
        }


def test_an_erasure_at_the_persons_request_is_registered_and_names_nobody(
    session: Session,
) -> None:
    pid = _person(session, "Радостина", "Жечева", "bg", "BG")
    _referral(session, pid)
    visits.save_draft(session.store, session.user, pid, "skills_check", {"family_name": "Жечева"})
    received = TODAY - dt.timedelta(days=3)
    request, _pdf = data_rights.erasure_confirmation(
        session.store, session.user, pid, received, today=TODAY
    )
    assert re.fullmatch(r"[ACDEFGHJKMNPQRTUVWXY34679]{8}", request.reference)
    counts = data_rights.erase_person(
        session.store, session.user, pid, request=request, today=TODAY
    )
    assert counts["referrals"] == 1 and counts["drafts"] == 1
    [entry] = data_rights.list_requests(session.store, session.user)
    assert entry == data_rights.DataRequest(
        request.reference, ERASURE, received, TODAY, Role.COORDINATOR.value
    )
    assert entry.due == dt.date(2027, 1, 4) and not entry.overdue
    # the audit entry of the erasure names the request
    [erased] = [
        e
        for e in audit.list_entries(session.store, session.user)
        if e.action == audit.AuditAction.ERASE
    ]
    assert erased.details["request"] == request.reference
    # nothing of the person in the register; the name nowhere in the store
    rows = _all_rows(session)
    assert pid not in rows["data_requests"] and request.reference in rows["data_requests"]
    for table, text in rows.items():
        for trace in ("Жечева", "Радостина", "Zhecheva", "0176 555"):
            assert trace not in text, (table, trace)


def test_an_erasure_without_a_request_registers_none_and_the_date_is_not_in_the_future(
    session: Session,
) -> None:
    pid = _person(session, "Ana", "Pop", "ro", "RO")
    with pytest.raises(RequestDateInFuture):
        data_rights.erasure_confirmation(
            session.store, session.user, pid, TODAY + dt.timedelta(days=1), today=TODAY
        )
    request = data_rights.ErasureRequest("ACDEFGHJ", TODAY + dt.timedelta(days=1))
    with pytest.raises(RequestDateInFuture):
        data_rights.erase_person(session.store, session.user, pid, request=request, today=TODAY)
    assert people.get_person(session.store, session.user, pid) is not None  # not erased
    data_rights.erase_person(session.store, session.user, pid)  # retention period over
    assert data_rights.list_requests(session.store, session.user) == []


def test_a_copy_is_registered_while_the_person_exists_and_unlinked_by_their_erasure(
    session: Session,
) -> None:
    pid = _person(session, "Ioana", "Căpraru", "ro", "RO")
    late = dt.date(2026, 10, 31)
    data_rights.export_person(session.store, session.user, pid, today=TODAY)
    reference = data_rights.record_copy_request(session.store, session.user, pid, late, today=TODAY)
    [entry] = data_rights.list_requests(session.store, session.user)
    assert entry.reference == reference
    assert (entry.kind, entry.received, entry.answered) == (COPY, late, TODAY)
    assert entry.due == dt.date(2026, 11, 30) and entry.overdue  # 31 Oct + 1 month
    assert pid in _all_rows(session)["data_requests"]  # the person still exists
    with pytest.raises(RequestDateInFuture):
        data_rights.record_copy_request(
            session.store, session.user, pid, TODAY + dt.timedelta(1), today=TODAY
        )
    data_rights.erase_person(session.store, session.user, pid)
    rows = _all_rows(session)
    assert pid not in rows["data_requests"] and entry.reference in rows["data_requests"]
    assert len(data_rights.list_requests(session.store, session.user)) == 1


def test_one_month_after_counts_to_the_months_last_day() -> None:
    assert one_month_after(dt.date(2026, 1, 31)) == dt.date(2026, 2, 28)
    assert one_month_after(dt.date(2028, 1, 30)) == dt.date(2028, 2, 29)
    assert one_month_after(dt.date(2026, 12, 15)) == dt.date(2027, 1, 15)


@pytest.mark.parametrize(
    ("lang", "given", "family", "nationality", "words"),
    [
        ("bg", "Радостина", "Жечева", "BG", ("Потвърждение", "изтрити", "Насочвания: 2")),
        ("ro", "Ioana", "Căpraru", "RO", ("Confirmare", "șterse", "Trimiteri: 2")),
    ],
)
def test_the_confirmation_names_the_person_dates_reference_and_what_goes(
    session: Session, lang: str, given: str, family: str, nationality: str, words: tuple[str, ...]
) -> None:
    pid = _person(session, given, family, lang, nationality)
    _referral(session, pid)
    _referral(session, pid)
    received = dt.date(2026, 11, 20)
    request, pdf = data_rights.erasure_confirmation(
        session.store, session.user, pid, received, today=TODAY
    )
    text = _text(pdf)
    assert f"{given} {family}" in text
    assert request.reference in text
    months = {"bg": ("ноември", "декември"), "ro": ("noiembrie", "decembrie")}[lang]
    assert f"20 {months[0]} 2026" in text and f"7 {months[1]} 2026" in text, text
    for word in words:
        assert word in text, (word, text)
    # no sync server here: said as it is, no server nor other laptops promised
    assert "server" not in text.casefold() and "сървър" not in text


def test_helper_and_advisor_see_no_register(session: Session) -> None:
    accounts.add_user(session, "eva", "Eva", Role.ADVISOR, "advisor pass 123")
    advisor = accounts.log_in(session.store.paths.data_dir, "eva", "advisor pass 123")
    try:
        with pytest.raises(PermissionDenied):
            data_rights.list_requests(advisor.store, advisor.user)
    finally:
        advisor.close()


def test_the_register_comes_with_the_migration_to_head(session: Session) -> None:
    """A store of the version before gets the table on its next opening, empty."""
    downgrade_store(session.store, "outbox_by_sync")
    with session.store.engine.connect() as conn:
        assert "data_requests" not in set(
            conn.exec_driver_sql("SELECT name FROM sqlite_master WHERE type = 'table'").scalars()
        )
    data_dir = session.store.paths.data_dir
    session.close()
    again = accounts.log_in(data_dir, "anna", PASSWORD)  # migrates to head
    try:
        assert data_rights.list_requests(again.store, again.user) == []
        pid = _person(again, "Ana", "Pop", "ro", "RO")
        request, _pdf = data_rights.erasure_confirmation(again.store, again.user, pid, TODAY)
        data_rights.erase_person(again.store, again.user, pid, request=request, today=TODAY)
        assert [r.reference for r in data_rights.list_requests(again.store, again.user)] == [
            request.reference
        ]
    finally:
        again.close()


def test_a_laptop_that_syncs_says_the_server_and_every_laptop_erase_too(session: Session) -> None:
    """What the confirmation says of the server is what the server does with a tombstone: it
    drops the record's earlier revisions and keeps the (encrypted) tombstone alone."""
    from desktop_app.sync.engine import SERVER_URL, set_meta

    with session.store.transaction() as db:
        set_meta(db, SERVER_URL, "https://127.0.0.1:1")
    pid = _person(session, "Ioana", "Căpraru", "ro", "RO")
    _request, pdf = data_rights.erasure_confirmation(
        session.store, session.user, pid, TODAY, lang="de", today=TODAY
    )
    text = _text(pdf)
    assert "Synchronisierungsserver" in text and "jeder andere laptop" in text.casefold()
    assert "nur auf diesem Laptop" not in text


def test_an_erasure_arriving_by_sync_unlinks_the_persons_copy_requests_here(
    session: Session,
) -> None:
    """The register is this laptop's: a copy given here to someone another laptop erased
    keeps its dates and reference, no longer whose it was."""
    pid = _person(session, "Ana", "Pop", "ro", "RO")
    data_rights.record_copy_request(session.store, session.user, pid, TODAY, today=TODAY)
    _erased_by_sync(session, pid)
    rows = _all_rows(session)["data_requests"]
    assert pid not in rows
    assert [r.kind for r in data_rights.list_requests(session.store, session.user)] == [COPY]


def test_a_copy_request_follows_a_merge_and_goes_with_the_kept_entrys_erasure(
    session: Session,
) -> None:
    from desktop_app.usecases import merges

    one = _person(session, "Ana", "Pop", "ro", "RO")
    other = _person(session, "Ana", "Pop", "ro", "RO")
    data_rights.record_copy_request(session.store, session.user, one, TODAY, today=TODAY)
    data_rights.record_copy_request(session.store, session.user, other, TODAY, today=TODAY)
    merges.merge_people(session.store, session.user, one, other)
    kept, merged = merges.kept_and_merged(one, other)
    rows = _all_rows(session)["data_requests"]
    assert rows.count(kept) == 2 and merged not in rows  # both the kept person's now
    data_rights.erase_person(session.store, session.user, kept)
    rows = _all_rows(session)["data_requests"]
    assert kept not in rows and merged not in rows
    assert len(data_rights.list_requests(session.store, session.user)) == 2


def test_an_open_request_is_registered_with_its_due_date_and_overdue_once_past_it(
    session: Session,
) -> None:
    pid = _person(session, "Ana", "Pop", "ro", "RO")
    received = dt.date(2026, 11, 3)
    ref = data_rights.record_open_request(
        session.store, session.user, pid, COPY, received, today=TODAY
    )
    [entry] = data_rights.list_requests(session.store, session.user)
    assert (entry.reference, entry.kind, entry.received) == (ref, COPY, received)
    assert entry.is_open and entry.answered is None and entry.answered_by == ""
    assert not entry.person_erased and not entry.overdue  # not answered late: not answered
    assert entry.due == dt.date(2026, 12, 3)
    # due within the week, then overdue the day after its due date
    assert entry.due_soon_on(dt.date(2026, 11, 26)) and not entry.overdue_on(dt.date(2026, 12, 3))
    assert not entry.due_soon_on(dt.date(2026, 11, 25))
    assert entry.overdue_on(dt.date(2026, 12, 4)) and not entry.due_soon_on(dt.date(2026, 12, 4))
    assert data_rights.requests_due(session.store, session.user, TODAY) == data_rights.RequestsDue(
        1, 0
    )
    assert data_rights.requests_due(
        session.store, session.user, dt.date(2026, 11, 30)
    ) == data_rights.RequestsDue(0, 1)
    assert data_rights.open_request(session.store, session.user, pid, COPY) == entry
    assert data_rights.open_request(session.store, session.user, pid, ERASURE) is None
    # linked to the person while open; the audit names the reference
    assert pid in _all_rows(session)["data_requests"]
    [logged] = [
        e
        for e in audit.list_entries(session.store, session.user)
        if e.action == audit.AuditAction.RECEIVE_REQUEST
    ]
    assert (logged.record_id, logged.details["request"], logged.details["kind"]) == (
        pid,
        ref,
        COPY,
    )
    # one open request of a kind per person; no day to come; an open one first in the list
    with pytest.raises(data_rights.RequestAlreadyOpen):
        data_rights.record_open_request(session.store, session.user, pid, COPY, TODAY, today=TODAY)
    with pytest.raises(RequestDateInFuture):
        data_rights.record_open_request(
            session.store, session.user, pid, ERASURE, TODAY + dt.timedelta(1), today=TODAY
        )
    data_rights.export_person(session.store, session.user, pid, today=TODAY)
    other = _person(session, "Ion", "Pop", "ro", "RO")
    answered = data_rights.record_copy_request(
        session.store, session.user, other, TODAY, today=TODAY
    )
    assert [r.reference for r in data_rights.list_requests(session.store, session.user)] == [
        ref,
        answered,
    ]


def test_an_advisor_records_an_erasure_request_a_helper_none_and_only_a_coordinator_erases(
    session: Session,
) -> None:
    """The month of an erasure request runs from the day the person asked: the advisor who
    hears it records it (it was only the coordinator's, days later); carrying the erasure out
    stays the coordinator's, and the register's due list shows them the request waiting."""
    pid = _person(session, "Ana", "Pop", "ro", "RO")
    asked = TODAY - dt.timedelta(days=26)  # due within the week
    accounts.add_user(session, "eva", "Eva", Role.ADVISOR, "advisor pass 123")
    accounts.add_user(session, "mihai", "Mihai", Role.HELPER, "helper pass 123")
    advisor = accounts.log_in(session.store.paths.data_dir, "eva", "advisor pass 123")
    helper = accounts.log_in(session.store.paths.data_dir, "mihai", "helper pass 123")
    try:
        for kind in (COPY, CORRECTION, ERASURE):
            with pytest.raises(PermissionDenied):
                data_rights.record_open_request(helper.store, helper.user, pid, kind, TODAY)
            with pytest.raises(PermissionDenied):
                data_rights.open_request(helper.store, helper.user, pid, kind)
        ref = data_rights.record_open_request(
            advisor.store, advisor.user, pid, ERASURE, asked, today=TODAY
        )
        copy = data_rights.record_open_request(advisor.store, advisor.user, pid, COPY, TODAY)
        opened = data_rights.open_request(advisor.store, advisor.user, pid, ERASURE)
        assert opened is not None and (opened.reference, opened.received) == (ref, asked)
        with pytest.raises(PermissionDenied):
            data_rights.erase_person(advisor.store, advisor.user, pid, today=TODAY)
        with pytest.raises(PermissionDenied):
            data_rights.list_requests(advisor.store, advisor.user)
    finally:
        advisor.close()
        helper.close()
    assert {r.reference for r in data_rights.list_requests(session.store, session.user)} == {
        ref,
        copy,
    }
    # The coordinator is told of it as due (within the week), then erases: answered.
    assert data_rights.requests_due(session.store, session.user, TODAY).due_soon == 1
    data_rights.erase_person(session.store, session.user, pid, today=TODAY)
    register = {r.reference: r for r in data_rights.list_requests(session.store, session.user)}
    assert register[ref].answered == TODAY and register[ref].received == asked


def test_a_correction_saved_at_the_persons_request_answers_it_in_the_same_transaction(
    session: Session,
) -> None:
    """A correction request (Art. 16) is registered like a copy or an erasure: received, due a
    month later, answered when the correction is saved, the receipt kept."""
    pid = _person(session, "Ana", "Pop", "ro", "RO")
    asked = TODAY - dt.timedelta(days=3)
    ref = data_rights.record_open_request(
        session.store, session.user, pid, CORRECTION, asked, today=TODAY
    )
    [entry] = data_rights.list_requests(session.store, session.user)
    assert (entry.kind, entry.is_open, entry.due) == (CORRECTION, True, one_month_after(asked))
    with pytest.raises(data_rights.RequestAlreadyOpen):
        data_rights.record_open_request(session.store, session.user, pid, CORRECTION, TODAY)
    person = people.get_person(session.store, session.user, pid)
    assert person is not None
    draft = PersonDraft("Ana", "Popa", "14.03.1985", "female", "RO", ("ro",), "0176 555")
    # Refused as invalid: neither the person nor the register changes.
    bad = PersonDraft("Ana", "Popa", "31.02.1985", "female", "RO", ("ro",), "0176 555")
    with pytest.raises(ValidationFailed):
        data_rights.correct_at_request(session.store, session.user, pid, bad, today=TODAY)
    assert data_rights.open_request(session.store, session.user, pid, CORRECTION) is not None
    # Nothing changed (the details as they are): refused, the request stays open.
    as_stored = PersonDraft("Ana", "Pop", "14.03.1985", "female", "RO", ("ro",), "0176 555")
    with pytest.raises(data_rights.NothingCorrected):
        data_rights.correct_at_request(
            session.store, session.user, pid, as_stored, base=person, today=TODAY
        )
    assert data_rights.open_request(session.store, session.user, pid, CORRECTION) is not None
    saved, answered = data_rights.correct_at_request(
        session.store, session.user, pid, draft, base=person, today=TODAY
    )
    assert saved.family_name == "Popa" and answered == ref
    [entry] = data_rights.list_requests(session.store, session.user)
    assert (entry.reference, entry.received, entry.answered) == (ref, asked, TODAY)
    assert entry.answered_by == Role.COORDINATOR.value
    # Without an open one: the request of the day the person asked, registered answered.
    later = PersonDraft("Ana", "Popa", "14.03.1985", "female", "RO", ("ro",), "0176 777")
    _saved, second = data_rights.correct_at_request(
        session.store, session.user, pid, later, received=TODAY, today=TODAY
    )
    assert second != ref
    register = {r.reference: r for r in data_rights.list_requests(session.store, session.user)}
    assert (register[second].kind, register[second].answered) == (CORRECTION, TODAY)
    answers = [
        e.details
        for e in audit.list_entries(session.store, session.user)
        if e.action == "answer_request" and e.record_id == pid
    ]
    assert sorted(str(d["request"]) for d in answers) == sorted([ref, second])


def test_a_correction_request_answered_by_hand_takes_a_reason(session: Session) -> None:
    """Nothing to correct: the coordinator records the answer in the register, with why, kept
    with the entry (it syncs) and in the audit log."""
    pid = _person(session, "Ana", "Pop", "ro", "RO")
    asked = TODAY - dt.timedelta(days=40)
    ref = data_rights.record_open_request(
        session.store, session.user, pid, CORRECTION, asked, today=TODAY
    )
    [entry] = data_rights.list_requests(session.store, session.user)
    assert data_rights.answerable_by_hand(entry) and entry.overdue_on(TODAY)
    with pytest.raises(data_rights.AnswerReasonMissing):
        data_rights.answer_by_hand(session.store, session.user, ref, TODAY, today=TODAY)
    with pytest.raises(data_rights.AnswerReasonMissing):
        data_rights.answer_by_hand(
            session.store, session.user, ref, TODAY, reason="   ", today=TODAY
        )
    done = data_rights.answer_by_hand(
        session.store, session.user, ref, TODAY, reason=" nothing  to correct ", today=TODAY
    )
    assert (done.answered, done.overdue) == (TODAY, True)  # answered late
    assert done.reason == "nothing to correct"
    [listed] = data_rights.list_requests(session.store, session.user)
    assert (listed.reason, listed.answered_by) == ("nothing to correct", Role.COORDINATOR.value)
    [logged] = [
        e for e in audit.list_entries(session.store, session.user) if e.action == "answer_request"
    ]
    assert logged.record_id == ref
    # that a reason was given, not its text (the register keeps it; an erasure removes it there)
    assert logged.details == {
        "kind": CORRECTION,
        "answered": TODAY.isoformat(),
        "reason_given": True,
    }
    with pytest.raises(data_rights.RequestNotAnswerable):  # answered: it stays as it was
        data_rights.answer_by_hand(session.store, session.user, ref, TODAY, reason="x", today=TODAY)
    # A copy request of someone still here is answered by the copy only.
    copy = data_rights.record_open_request(session.store, session.user, pid, COPY, TODAY)
    with pytest.raises(data_rights.RequestNotAnswerable):
        data_rights.answer_by_hand(session.store, session.user, copy, TODAY, reason="x")


def test_an_advisor_answers_a_correction_request_with_nothing_to_correct_a_helper_cannot(
    session: Session,
) -> None:
    """The advisor talks with the person and may correct their data, so may also record that
    it was right, always with a reason; a helper is refused below the UI, in the use case; a
    request of someone erased stays the coordinator's (the register)."""
    pid = _person(session, "Ana", "Pop", "ro", "RO")
    asked = TODAY - dt.timedelta(days=3)
    ref = data_rights.record_open_request(
        session.store, session.user, pid, CORRECTION, asked, today=TODAY
    )
    helper = accounts.add_user(session, "ina", "Ina", Role.HELPER, "helper pass 1234")
    advisor = accounts.add_user(session, "eva", "Eva", Role.ADVISOR, "advisor pass 123")
    [entry] = data_rights.list_requests(session.store, session.user)
    assert not data_rights.may_answer_by_hand(helper, entry)
    assert data_rights.may_answer_by_hand(advisor, entry)
    with pytest.raises(PermissionDenied):
        data_rights.answer_by_hand(
            session.store, helper, ref, TODAY, reason="nothing to correct", today=TODAY
        )
    with pytest.raises(data_rights.AnswerReasonMissing):  # always with a reason
        data_rights.answer_by_hand(session.store, advisor, ref, TODAY, reason=" ", today=TODAY)
    assert data_rights.open_request(session.store, advisor, pid, CORRECTION) is not None
    done = data_rights.answer_by_hand(
        session.store, advisor, ref, TODAY, reason="Adresse stimmt", today=TODAY
    )
    assert (done.answered, done.answered_by, done.reason) == (
        TODAY,
        Role.ADVISOR.value,
        "Adresse stimmt",
    )
    assert data_rights.open_request(session.store, advisor, pid, CORRECTION) is None
    # audited as the coordinator's answer is, by the advisor's account, with the reason
    [logged] = [
        e for e in audit.list_entries(session.store, session.user) if e.action == "answer_request"
    ]
    assert (logged.user_id, logged.role, logged.record_id) == (advisor.id, "advisor", ref)
    assert logged.details["reason_given"] is True and "Adresse" not in json.dumps(logged.details)
    # an open copy request of someone erased since: the register's, not the advisor's
    other = _person(session, "Ion", "Popa", "ro", "RO")
    copy = data_rights.record_open_request(session.store, session.user, other, COPY, asked)
    data_rights.erase_person(session.store, session.user, other, today=TODAY)
    [erased] = [r for r in data_rights.list_requests(session.store, session.user) if r.is_open]
    assert not data_rights.may_answer_by_hand(advisor, erased)
    with pytest.raises(PermissionDenied):
        data_rights.answer_by_hand(session.store, advisor, copy, TODAY, reason="x", today=TODAY)
    assert data_rights.may_answer_by_hand(session.user, erased)


@pytest.mark.parametrize("erased", ["here", "by_sync"])
def test_an_erasure_removes_the_reason_of_each_of_the_persons_requests_answered_by_hand(
    session: Session, erased: str
) -> None:
    """The reason is free text staff typed and may name the person: erased here or by a
    tombstone from another laptop, it goes with the person's link, and the register says it was
    removed; nowhere in the store is the name left (the audit entry of the answer never had
    it). Requests answered without a reason, and other people's reasons, stay as they were."""
    pid = _person(session, "Maria", "Popescu", "ro", "RO")
    other = _person(session, "Ion", "Ionescu", "ro", "RO")
    asked = TODAY - dt.timedelta(days=5)
    named = data_rights.record_open_request(
        session.store, session.user, pid, CORRECTION, asked, today=TODAY
    )
    reason = "phone checked against Maria Popescu's ID"
    data_rights.answer_by_hand(
        session.store, session.user, named, TODAY, reason=reason, today=TODAY
    )
    copy = data_rights.record_open_request(session.store, session.user, pid, COPY, asked)
    kept = data_rights.record_open_request(
        session.store, session.user, other, CORRECTION, asked, today=TODAY
    )
    data_rights.answer_by_hand(
        session.store, session.user, kept, TODAY, reason="Adresse stimmt", today=TODAY
    )
    assert "Popescu" in _all_rows(session)["data_requests"]
    if erased == "here":
        data_rights.erase_person(session.store, session.user, pid, today=TODAY)
    else:
        _erased_by_sync(session, pid)
    entries = {r.reference: r for r in data_rights.list_requests(session.store, session.user)}
    assert (entries[named].reason, entries[named].reason_removed) == ("", True)
    assert entries[named].answered == TODAY  # the answer stays, only its reason goes
    assert (entries[copy].reason, entries[copy].reason_removed) == ("", False)  # none to remove
    assert (entries[kept].reason, entries[kept].reason_removed) == ("Adresse stimmt", False)
    rows = _all_rows(session)
    assert [t for t, text in rows.items() if "Popescu" in text or "Maria" in text] == []


def test_a_removed_reason_on_an_entry_linked_again_is_no_reason_in_the_data_copy(
    session: Session,
) -> None:
    """An erasure on one laptop and a merge of the entry into another on a second, offline:
    the later link wins, the removal of the reason too. The copy of the person now linked
    names no reason (not the marker)."""
    from sqlalchemy import update

    from desktop_app.storage.models import REASON_REMOVED, DataRequestRow
    from desktop_app.usecases.person_data_notice import request_facts

    pid = _person(session, "Ion", "Popa", "ro", "RO")
    ref = data_rights.record_open_request(
        session.store, session.user, pid, CORRECTION, TODAY, today=TODAY
    )
    data_rights.answer_by_hand(session.store, session.user, ref, TODAY, reason="x", today=TODAY)
    with session.store.transaction() as db:
        db.execute(update(DataRequestRow).values(answer_reason=REASON_REMOVED))
    with session.store.reading() as db:
        [fact] = request_facts(db, pid)
    assert (fact["reference"], fact["answer_reason"]) == (ref, "")


def test_the_data_copy_lists_the_persons_requests_in_their_language(session: Session) -> None:
    pid = _person(session, "Ана", "Петрова", "bg", "BG")
    asked = TODAY - dt.timedelta(days=10)
    correction = data_rights.record_open_request(
        session.store, session.user, pid, CORRECTION, asked, today=TODAY
    )
    erasure = data_rights.record_open_request(
        session.store, session.user, pid, ERASURE, TODAY, today=TODAY
    )
    request = data_rights.copy_request(session.store, session.user, pid, TODAY, today=TODAY)
    _json, pdf = data_rights.export_person(
        session.store, session.user, pid, lang="bg", today=TODAY, request=request
    )
    text = _text(pdf)
    from desktop_app.i18n.formatting import format_long_date
    from desktop_app.i18n.text import gettext_in
    from desktop_app.letters import person_data_pdf as texts

    part = text[text.index(gettext_in("bg", texts.REQUESTS_HEADING)) :]
    part = part[: part.index(gettext_in("bg", texts.RECIPIENTS_HEADING))]

    def day(d: dt.date) -> str:
        return " ".join(format_long_date(d, "bg").split())

    plain = " ".join(part.split())
    assert "Коригиране" in plain and "Изтриване" in plain and "Копие на данните" in plain
    assert correction in plain and erasure in plain and request.reference in plain
    assert day(asked) in plain
    assert plain.count(gettext_in("bg", texts.REQUEST_OPEN)) == 2  # the copy is its answer
    assert "Correction" not in plain and "open" not in plain


@pytest.mark.parametrize(
    ("lang", "reason_label"), [("bg", "Причина:"), ("ro", "Motiv:"), ("de", "Grund:")]
)
def test_the_data_copy_says_why_a_correction_request_was_answered_by_hand(
    session: Session, lang: str, reason_label: str
) -> None:
    """An advisor found nothing to correct: the copy's part on the person's requests (PDF, in
    their language) and its JSON say the answer and its reason, as typed."""
    pid = _person(session, "Ана", "Петрова", lang, {"bg": "BG", "ro": "RO"}.get(lang, "DE"))
    advisor = accounts.add_user(session, "eva", "Eva", Role.ADVISOR, "advisor pass 123")
    asked = TODAY - dt.timedelta(days=6)
    ref = data_rights.record_open_request(
        session.store, advisor, pid, CORRECTION, asked, today=TODAY
    )
    reason = "Die Anschrift war richtig"
    data_rights.answer_by_hand(session.store, advisor, ref, TODAY, reason=reason, today=TODAY)
    raw, pdf = data_rights.export_person(session.store, session.user, pid, lang=lang, today=TODAY)
    from desktop_app.i18n.formatting import format_long_date
    from desktop_app.i18n.text import gettext_in
    from desktop_app.letters import person_data_pdf as texts

    text = _text(pdf)
    part = text[text.index(gettext_in(lang, texts.REQUESTS_HEADING)) :]
    part = " ".join(part[: part.index(gettext_in(lang, texts.RECIPIENTS_HEADING))].split())
    assert ref in part and " ".join(format_long_date(TODAY, lang).split()) in part
    assert f"{reason_label} {reason}" in part
    assert "Reason" not in part
    [request] = json.loads(raw)["requests"]
    assert request == {
        "kind": CORRECTION,
        "reference": ref,
        "received": asked.isoformat(),
        "answered": TODAY.isoformat(),
        "answer_reason": reason,
    }


def test_the_data_copy_answers_the_open_request_under_its_reference(session: Session) -> None:
    pid = _person(session, "Ioana", "Căpraru", "ro", "RO")
    received = dt.date(2026, 11, 2)
    ref = data_rights.record_open_request(
        session.store, session.user, pid, COPY, received, today=TODAY
    )
    data_rights.export_person(session.store, session.user, pid, today=TODAY)
    # the date the dialog would show is the open request's; another one passed does not win
    answered = data_rights.record_copy_request(session.store, session.user, pid, TODAY, today=TODAY)
    assert answered == ref
    [entry] = data_rights.list_requests(session.store, session.user)
    assert entry == data_rights.DataRequest(ref, COPY, received, TODAY, Role.COORDINATOR.value)
    assert entry.overdue  # due 2 December, answered on the 7th
    assert data_rights.open_request(session.store, session.user, pid, COPY) is None
    # a later copy at a new request is a new entry
    data_rights.record_copy_request(session.store, session.user, pid, TODAY, today=TODAY)
    assert len(data_rights.list_requests(session.store, session.user)) == 2


def test_the_erasure_answers_the_open_erasure_request_and_an_open_copy_request_stays_open(
    session: Session,
) -> None:
    """The erasure closes the erasure request it answers (the confirmation names its
    reference); a copy asked for and not given is still owed: it stays open, says the person
    was erased, and names nobody."""
    pid = _person(session, "Радостина", "Жечева", "bg", "BG")
    asked = dt.date(2026, 11, 20)
    erasure_ref = data_rights.record_open_request(
        session.store, session.user, pid, ERASURE, asked, today=TODAY
    )
    copy_ref = data_rights.record_open_request(
        session.store, session.user, pid, COPY, asked, today=TODAY
    )
    request, pdf = data_rights.erasure_confirmation(
        session.store, session.user, pid, TODAY, today=TODAY
    )
    assert request == data_rights.ErasureRequest(erasure_ref, asked)
    text = _text(pdf)
    assert erasure_ref in text and "20 ноември 2026" in text
    data_rights.erase_person(session.store, session.user, pid, request=request, today=TODAY)
    entries = {r.reference: r for r in data_rights.list_requests(session.store, session.user)}
    assert len(entries) == 2  # no second erasure entry
    assert entries[erasure_ref] == data_rights.DataRequest(
        erasure_ref, ERASURE, asked, TODAY, Role.COORDINATOR.value
    )
    copy = entries[copy_ref]
    assert copy.is_open and copy.person_erased
    [erased] = [
        e
        for e in audit.list_entries(session.store, session.user)
        if e.action == audit.AuditAction.ERASE
    ]
    assert erased.details["request"] == erasure_ref
    rows = _all_rows(session)
    assert pid not in rows["data_requests"]
    for table, text in rows.items():
        for trace in ("Жечева", "Радостина", "Zhecheva", "0176 555"):
            assert trace not in text, (table, trace)


def test_an_erasure_for_the_retention_period_answers_an_open_erasure_request_too(
    session: Session,
) -> None:
    pid = _person(session, "Ana", "Pop", "ro", "RO")
    ref = data_rights.record_open_request(
        session.store, session.user, pid, ERASURE, TODAY, today=TODAY
    )
    data_rights.erase_person(session.store, session.user, pid, today=TODAY)
    [entry] = data_rights.list_requests(session.store, session.user)
    assert (entry.reference, entry.answered, entry.person_erased) == (ref, TODAY, False)


def test_an_erasure_arriving_by_sync_answers_the_open_erasure_request_here(
    session: Session,
) -> None:
    pid = _person(session, "Ana", "Pop", "ro", "RO")
    ref = data_rights.record_open_request(session.store, session.user, pid, ERASURE, TODAY)
    _erased_by_sync(session, pid)
    [entry] = data_rights.list_requests(session.store, session.user)
    assert entry.reference == ref and not entry.is_open
    assert pid not in _all_rows(session)["data_requests"]


def test_an_open_request_follows_a_merge_to_the_entry_kept(session: Session) -> None:
    from desktop_app.usecases import merges

    one = _person(session, "Ana", "Pop", "ro", "RO")
    other = _person(session, "Ana", "Pop", "ro", "RO")
    kept, merged = merges.kept_and_merged(one, other)
    ref = data_rights.record_open_request(
        session.store, session.user, merged, COPY, TODAY, today=TODAY
    )
    merges.merge_people(session.store, session.user, one, other)
    opened = data_rights.open_request(session.store, session.user, kept, COPY)
    assert opened is not None and opened.reference == ref
    assert merged not in _all_rows(session)["data_requests"]
    # the copy given to the entry kept answers it
    assert data_rights.record_copy_request(session.store, session.user, kept, TODAY) == ref


def test_an_open_copy_request_of_someone_erased_is_answered_by_a_coordinator_in_the_register(
    session: Session,
) -> None:
    """Neither the data copy nor the erasure can answer it any more: its answer, given outside
    the program, is recorded by its reference, dated not before its receipt nor after today,
    audited under the reference; a person's own open request is answered only through them."""
    pid = _person(session, "Ana", "Pop", "ro", "RO")
    asked = dt.date(2026, 10, 20)
    copy_ref = data_rights.record_open_request(
        session.store, session.user, pid, COPY, asked, today=TODAY
    )
    other = _person(session, "Ion", "Popa", "ro", "RO")
    other_ref = data_rights.record_open_request(
        session.store, session.user, other, COPY, asked, today=TODAY
    )
    with pytest.raises(data_rights.RequestNotAnswerable):  # its person is there: export it
        data_rights.answer_erased_request(
            session.store, session.user, other_ref, TODAY, today=TODAY
        )
    data_rights.erase_person(session.store, session.user, pid, today=TODAY)
    with pytest.raises(data_rights.AnswerBeforeReceipt):
        data_rights.answer_erased_request(
            session.store, session.user, copy_ref, asked - dt.timedelta(days=1), today=TODAY
        )
    with pytest.raises(RequestDateInFuture):
        data_rights.answer_erased_request(
            session.store, session.user, copy_ref, TODAY + dt.timedelta(days=1), today=TODAY
        )
    advisor = accounts.add_user(session, "eva", "Eva", Role.ADVISOR, "advisor pass 123")
    with pytest.raises(PermissionDenied):
        data_rights.answer_erased_request(session.store, advisor, copy_ref, TODAY, today=TODAY)
    answered = data_rights.answer_erased_request(
        session.store, session.user, copy_ref, TODAY, today=TODAY
    )
    assert answered == data_rights.DataRequest(copy_ref, COPY, asked, TODAY, Role.COORDINATOR.value)
    assert answered.overdue  # answered after its month: said as late, not hidden
    entries = {r.reference: r for r in data_rights.list_requests(session.store, session.user)}
    assert entries[copy_ref] == answered and entries[other_ref].is_open
    assert data_rights.requests_due(session.store, session.user, TODAY).overdue == 1  # other's
    with pytest.raises(data_rights.RequestNotAnswerable):  # answered: stays as it was
        data_rights.answer_erased_request(session.store, session.user, copy_ref, TODAY, today=TODAY)
    [entry] = [
        e
        for e in audit.list_entries(session.store, session.user)
        if e.action == audit.AuditAction.ANSWER_REQUEST
    ]
    assert (entry.record_kind, entry.record_id) == ("data_request", copy_ref)
    assert entry.details == {"kind": COPY, "answered": TODAY.isoformat()}


@pytest.mark.parametrize(
    ("lang", "received_on", "quote"),
    [
        ("de", "Ihre Anfrage eingegangen am", "Bitte geben Sie dieses Aktenzeichen an"),
        ("bg", "Вашето искане е получено на", "Моля, посочвайте този номер"),
        ("ro", "Cererea dumneavoastră a fost primită la", "Vă rugăm să indicați acest număr"),
        ("en", "Your request received on", "Please give this reference when you contact us"),
    ],
)
def test_the_data_copy_names_the_request_it_answers_by_its_reference(
    session: Session, lang: str, received_on: str, quote: str
) -> None:
    """As the erasure's confirmation does: the reference and the date of receipt, in the
    copy's language; the reference is chosen before the copy is written and registered under
    it once it is, the audit entry names it."""
    from desktop_app.i18n.formatting import format_long_date
    from desktop_app.i18n.text import gettext_in

    pid = _person(session, "Ioana", "Căpraru", "ro", "RO")
    received = dt.date(2026, 11, 20)
    request = data_rights.copy_request(session.store, session.user, pid, received, today=TODAY)
    assert request.received == received and len(request.reference) == 8
    assert data_rights.list_requests(session.store, session.user) == []  # nothing yet
    _json, pdf = data_rights.export_person(
        session.store, session.user, pid, lang=lang, today=TODAY, request=request
    )
    text = _text(pdf)
    label = gettext_in(lang, "Reference")
    assert f"{label} {request.reference}" in text, text[:600]
    day = " ".join(format_long_date(received, lang).split())  # as ``_text`` joins it
    assert f"{received_on} {day}" in text, text[:600]
    assert quote in text
    # before the copy's own words: the person reads it first
    assert text.index(request.reference) < text.index(gettext_in(lang, "About you"))
    assert (
        data_rights.record_copy_request(
            session.store, session.user, pid, received, reference=request.reference, today=TODAY
        )
        == request.reference
    )
    [entry] = data_rights.list_requests(session.store, session.user)
    assert (entry.reference, entry.received, entry.answered) == (
        request.reference,
        received,
        TODAY,
    )
    [exported] = audit.list_entries(session.store, session.user, record_id=pid, action="export")
    assert exported.details == {"lang": lang, "request": request.reference}


def test_a_data_copy_without_a_request_names_none(session: Session) -> None:
    pid = _person(session, "Ioana", "Căpraru", "ro", "RO")
    _json, pdf = data_rights.export_person(session.store, session.user, pid, lang="en", today=TODAY)
    assert "Your request received on" not in _text(pdf)


def test_the_copy_of_an_open_request_names_it_and_closes_it(session: Session) -> None:
    """The open request's reference and date of receipt (not the day given), and the entry
    answered rather than a second one registered."""
    pid = _person(session, "Ioana", "Căpraru", "ro", "RO")
    received = dt.date(2026, 11, 2)
    ref = data_rights.record_open_request(
        session.store, session.user, pid, COPY, received, today=TODAY
    )
    request = data_rights.copy_request(session.store, session.user, pid, TODAY, today=TODAY)
    assert (request.reference, request.received) == (ref, received)
    _json, pdf = data_rights.export_person(
        session.store, session.user, pid, lang="ro", today=TODAY, request=request
    )
    assert ref in _text(pdf)
    data_rights.record_copy_request(
        session.store, session.user, pid, request.received, reference=ref, today=TODAY
    )
    [entry] = data_rights.list_requests(session.store, session.user)
    assert (entry.reference, entry.received, entry.answered) == (ref, received, TODAY)
    with pytest.raises(RequestDateInFuture):  # before anything is written
        data_rights.copy_request(
            session.store, session.user, pid, TODAY + dt.timedelta(1), today=TODAY
        )


@pytest.mark.parametrize("lang", ["de", "bg"])
def test_the_copys_log_names_a_request_recorded_and_answered_not_other_work(
    session: Session, lang: str
) -> None:
    """Recording the person's request and answering it by the correction were "Other work on
    your case" in the copy's log of consultations."""
    from desktop_app.i18n.text import gettext_in
    from desktop_app.usecases import person_data_notice as notice

    pid = _person(session, "Ana", "Pop", "ro", "RO")
    data_rights.record_open_request(session.store, session.user, pid, CORRECTION, TODAY)
    draft = PersonDraft("Ana", "Popa", "14.03.1985", "female", "RO", ("ro",), "0176 555")
    data_rights.correct_at_request(session.store, session.user, pid, draft)
    with session.store.reading() as db:
        purposes = {c.purpose for c in notice.consultations(db, pid, lang, session.store.device_id)}
    assert gettext_in(lang, "Recorded your request about your data") in purposes
    assert gettext_in(lang, "Answered your request about your data") in purposes
    assert gettext_in(lang, notice.OTHER_PURPOSE) not in purposes
