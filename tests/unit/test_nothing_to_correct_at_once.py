"""A correction request the person makes at the desk, found with nothing to correct, recorded
and answered in one step (``data_rights.record_nothing_to_correct``): one entry of the register,
asked and answered, in one transaction; a refused answer writes nothing, not even the request.
Real SQLCipher stores."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from sqlalchemy import select

from desktop_app.domain.permissions import PermissionDenied
from desktop_app.domain.person import PersonDraft
from desktop_app.domain.users import Role
from desktop_app.storage.models import DataRequestRow, OutboxRow
from desktop_app.usecases import accounts, audit, data_rights, people
from desktop_app.usecases.accounts import Session
from desktop_app.usecases.data_rights import CORRECTION
from tests.unit.security.test_data_requests import _all_rows

TODAY = dt.date(2026, 12, 7)


def _person(session: Session) -> str:
    draft = PersonDraft("Ана", "Попова", "14.03.1985", "female", "BG", ("bg",), "0176 555")
    return people.register_person(session.store, session.user, draft, confirm_duplicates=True).id


def test_an_advisor_records_and_answers_a_correction_request_in_one_step(
    session: Session,
) -> None:
    pid = _person(session)
    advisor = accounts.add_user(session, "eva", "Eva", Role.ADVISOR, "advisor pass 123")
    done = data_rights.record_nothing_to_correct(
        session.store,
        advisor,
        pid,
        TODAY,
        TODAY,
        reason=" Адресът и телефонът  са верни ",
        today=TODAY,
    )
    assert (done.kind, done.received, done.answered, done.answered_by, done.reason) == (
        CORRECTION,
        TODAY,
        TODAY,
        Role.ADVISOR.value,
        "Адресът и телефонът са верни",
    )
    # One entry in the register, asked and answered the same day, nothing left open.
    [entry] = data_rights.list_requests(session.store, session.user)
    assert entry == done and not entry.is_open and not entry.overdue
    assert data_rights.open_request(session.store, advisor, pid, CORRECTION) is None
    with session.store.reading() as db:
        [row] = db.scalars(select(DataRequestRow)).all()
        assert row.person_id == pid
        queued = db.scalars(select(OutboxRow.record_id).where(OutboxRow.record_id == row.id))
        assert set(queued) == {row.id}  # sent to the other laptops
    # Audited as the two steps are: received (on the person), answered with a reason (not its
    # text), both by the advisor.
    logged = [
        e
        for e in audit.list_entries(session.store, session.user)
        if e.action in ("receive_request", "answer_request")
    ]
    assert sorted((e.action, e.user_id) for e in logged) == [
        ("answer_request", advisor.id),
        ("receive_request", advisor.id),
    ]
    [received] = [e for e in logged if e.action == "receive_request"]
    assert (received.record_id, received.details["request"]) == (pid, done.reference)
    [answered] = [e for e in logged if e.action == "answer_request"]
    assert answered.record_id == done.reference and answered.details["reason_given"] is True
    assert "верни" not in json.dumps([e.details for e in logged], ensure_ascii=False)


def test_a_request_asked_days_ago_is_answered_today_and_due_a_month_after_it(
    session: Session,
) -> None:
    pid = _person(session)
    asked = TODAY - dt.timedelta(days=40)
    done = data_rights.record_nothing_to_correct(
        session.store, session.user, pid, asked, TODAY, reason="nothing to correct", today=TODAY
    )
    assert (done.received, done.answered, done.overdue) == (asked, TODAY, True)


@pytest.mark.parametrize(
    ("refusal", "received", "answered", "reason", "who"),
    [
        (data_rights.AnswerReasonMissing, TODAY, TODAY, "   ", "advisor"),
        (data_rights.AnswerBeforeReceipt, TODAY, TODAY - dt.timedelta(days=1), "right", "advisor"),
        (data_rights.RequestDateInFuture, TODAY, TODAY + dt.timedelta(days=1), "right", "advisor"),
        (data_rights.RequestDateInFuture, TODAY + dt.timedelta(days=1), TODAY, "right", "advisor"),
        (PermissionDenied, TODAY, TODAY, "right", "helper"),
        (data_rights.PersonNotFound, TODAY, TODAY, "right", "erased"),
    ],
)
def test_an_answer_refused_writes_nothing_not_even_the_request(
    session: Session,
    refusal: type[Exception],
    received: dt.date,
    answered: dt.date,
    reason: str,
    who: str,
) -> None:
    """The request and its answer are one transaction: the answer refused (no reason, a day
    before the receipt or to come), the request is not recorded either; a helper is refused
    as in the register, a person erased meanwhile too. Every table as it was."""
    pid = _person(session)
    advisor = accounts.add_user(session, "eva", "Eva", Role.ADVISOR, "advisor pass 123")
    helper = accounts.add_user(session, "ina", "Ina", Role.HELPER, "helper pass 1234")
    if who == "erased":
        data_rights.erase_person(session.store, session.user, pid, today=TODAY)
    user = helper if who == "helper" else advisor
    before = _all_rows(session)
    with pytest.raises(refusal):
        data_rights.record_nothing_to_correct(
            session.store, user, pid, received, answered, reason=reason, today=TODAY
        )
    assert _all_rows(session) == before
    assert not any(
        r.kind == CORRECTION for r in data_rights.list_requests(session.store, session.user)
    )


def test_the_persons_open_correction_request_is_the_one_answered(session: Session) -> None:
    """Recorded meanwhile (here, or by a sync) after the dialog looked: the open one is
    answered with the reason, its receipt kept; no second entry."""
    pid = _person(session)
    asked = TODAY - dt.timedelta(days=5)
    ref = data_rights.record_open_request(
        session.store, session.user, pid, CORRECTION, asked, today=TODAY
    )
    done = data_rights.record_nothing_to_correct(
        session.store, session.user, pid, TODAY, TODAY, reason="nothing to correct", today=TODAY
    )
    assert (done.reference, done.received, done.answered) == (ref, asked, TODAY)
    [entry] = data_rights.list_requests(session.store, session.user)
    assert entry.reason == "nothing to correct"
    # and refused there too, with nothing written: it stays open
    other = _person(session)
    data_rights.record_open_request(session.store, session.user, other, CORRECTION, TODAY)
    before = _all_rows(session)
    with pytest.raises(data_rights.AnswerReasonMissing):
        data_rights.record_nothing_to_correct(
            session.store, session.user, other, TODAY, TODAY, reason="", today=TODAY
        )
    assert _all_rows(session) == before
