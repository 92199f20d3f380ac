"""A field changed twice on one laptop before it syncs (a typo corrected): no conflict elsewhere.

A value a laptop wrote and never sent was seen by nobody: the second change is built on what
the first was built on. Before, the laptop that had registered the person was asked to decide
between its own old value, which nobody had changed there, and the colleague's corrected one.
Changes of the same field on two laptops are still one conflict, whatever the order of arrival,
and every laptop ends with the same record. Real encrypted stores, a real server on 127.0.0.1
(SQLite, and PostgreSQL when a cluster is given).
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from desktop_app.domain.demo import generate_people
from desktop_app.domain.referral import ReferralStatus
from desktop_app.sync.conflict_records import synced_state
from desktop_app.sync.http_client import SyncError
from desktop_app.sync.merge import FieldState, RecordState
from desktop_app.usecases import people, referrals, visits
from desktop_app.usecases import sync as sync_uc
from desktop_app.usecases.accounts import Session
from sync_server import wire
from tests.integration.sync_harness import (
    CuttingProxy,
    Laptops,
    ServerProcess,
    add_person,
    edit_person,
    push_state,
)
from tests.unit.test_visits import full_life_situation

FIRST, TYPO, CORRECTED = "0176 1111111", "0176 2222222", "0176 3333333"


def _conflicts(session: Session) -> list[tuple[str, str, set[object]]]:
    return [
        (c.record_kind, c.field, {c.kept_value, c.other_value})
        for c in sync_uc.open_conflicts(session.store)
    ]


def _phone(session: Session, person_id: str) -> str:
    person = people.get_person(session.store, session.user, person_id, log_view=False)
    assert person is not None
    return person.phone


def _maria_on_both(laptops: Laptops) -> tuple[Session, Session, str]:
    a, b = laptops.new("A"), laptops.new("B")
    pid = add_person(a, "Maria", "Popescu", phone=FIRST)
    laptops.sync(a, b)
    return a, b, pid


def test_a_phone_corrected_on_a_colleagues_laptop_is_no_conflict_where_it_was_registered(
    laptops: Laptops,
) -> None:
    a, b, pid = _maria_on_both(laptops)
    edit_person(b, pid, phone=TYPO)
    edit_person(b, pid, phone=CORRECTED)
    laptops.sync(b, a, b)
    for s in (a, b):
        assert _conflicts(s) == []
        assert _phone(s, pid) == CORRECTED


def _referral_moved_on_twice_on_b(
    laptops: Laptops, on_a: ReferralStatus | None = None
) -> tuple[Session, Session, str]:
    """A referral A issued, both synced; then B, offline, moved it on twice (an appointment
    made, then its outcome noted) and A, with ``on_a``, once; B syncs, A, B again."""
    a, b, pid = _maria_on_both(laptops)
    referral = referrals.issue_referral(
        a.store, a.user, pid, "vhs", "integration_course", client_lang="ro"
    )
    laptops.sync(a, b)
    if on_a is not None:
        referrals.change_status(a.store, a.user, referral.id, on_a)
    referrals.change_status(b.store, b.user, referral.id, ReferralStatus.APPOINTMENT_MADE)
    referrals.change_status(
        b.store, b.user, referral.id, ReferralStatus.OUTCOME_NOTED, outcome="Antrag gestellt"
    )
    laptops.sync(b, a, b)
    return a, b, referral.id


def test_a_referral_moved_on_twice_on_a_colleagues_laptop_is_no_conflict(
    laptops: Laptops,
) -> None:
    a, b, referral_id = _referral_moved_on_twice_on_b(laptops)
    for s in (a, b):
        assert _conflicts(s) == []
        moved = referrals.get_referral(s.store, s.user, referral_id, log_view=False)
        assert moved.status == ReferralStatus.OUTCOME_NOTED
        steps = referrals.status_history(s.store, s.user, referral_id, log_view=False)
        assert [x.status for x in steps] == [
            ReferralStatus.ISSUED,
            ReferralStatus.APPOINTMENT_MADE,
            ReferralStatus.OUTCOME_NOTED,
        ]


@pytest.mark.parametrize(
    ("on_a", "then", "shown"),
    [(None, 480, 480), (510, None, 510)],
    ids=["corrected", "changed_back"],
)
def test_an_answer_of_a_visit_changed_twice_on_a_colleagues_laptop_is_no_conflict(
    laptops: Laptops, on_a: int | None, then: int | None, shown: int
) -> None:
    """B changed the rent twice before syncing: corrected (A changed nothing), or back to
    the value as sent while A changed it (A's change simply wins)."""
    a, b, pid = _maria_on_both(laptops)
    answers = full_life_situation()
    visit = visits.finish_visit(a.store, a.user, pid, "life_situation", answers)
    laptops.sync(a, b)
    if on_a is not None:
        visits.edit_visit(a.store, a.user, visit.id, {**answers, "rent": on_a})
    visits.edit_visit(b.store, b.user, visit.id, {**answers, "rent": 4800})
    visits.edit_visit(
        b.store, b.user, visit.id, answers if then is None else {**answers, "rent": then}
    )
    laptops.sync(b, a, b)
    for s in (a, b):
        assert _conflicts(s) == []
        (held,) = visits.visit_history(s.store, s.user, pid, log_view=False)
        assert held.answers["rent"] == shown


@pytest.mark.parametrize("first", ["A", "B"])
def test_a_phone_changed_on_two_laptops_one_twice_is_one_conflict_of_their_latest_values(
    laptops: Laptops, first: str
) -> None:
    """Whichever laptop's change reaches the server first: one conflict, between A's value and
    B's corrected one (never B's typo, never the value both started from)."""
    a, b, pid = _maria_on_both(laptops)
    edit_person(a, pid, phone="0176 5555555")
    edit_person(b, pid, phone=TYPO)
    edit_person(b, pid, phone=CORRECTED)
    order = (a, b, a) if first == "A" else (b, a, b)
    laptops.sync(*order)
    expected = [("person", "phone", {"0176 5555555", CORRECTED})]
    assert _conflicts(a) == _conflicts(b) == expected
    assert _phone(a, pid) == _phone(b, pid)
    (conflict,) = sync_uc.open_conflicts(a.store)
    sync_uc.resolve_conflict(a.store, a.user, conflict.id, CORRECTED)
    laptops.sync(a, b)
    for s in (a, b):
        assert _conflicts(s) == [] and _phone(s, pid) == CORRECTED


def test_a_referral_moved_on_twice_on_one_laptop_and_once_on_another_is_one_conflict(
    laptops: Laptops,
) -> None:
    a, b, referral_id = _referral_moved_on_twice_on_b(laptops, ReferralStatus.CLOSED)
    expected = [("referral", "status", {"closed", "outcome_noted"})]
    assert _conflicts(a) == _conflicts(b) == expected
    for s in (a, b):
        steps = referrals.status_history(s.store, s.user, referral_id, log_view=False)
        assert sorted(x.status.value for x in steps) == [
            "appointment_made",
            "closed",
            "issued",
            "outcome_noted",
        ]


def test_three_laptops_a_phone_corrected_on_one_is_no_conflict_anywhere(laptops: Laptops) -> None:
    a, b, pid = _maria_on_both(laptops)
    c = laptops.new("C")
    laptops.sync(c)
    edit_person(b, pid, phone=TYPO)
    edit_person(b, pid, phone=CORRECTED)
    laptops.sync(b, c, a)
    edit_person(c, pid, phone="0176 4444444")  # on top of B's corrected value
    laptops.sync(c, a, b)
    for s in (a, b, c):
        assert _conflicts(s) == []
        assert _phone(s, pid) == "0176 4444444"


def test_three_laptops_a_phone_corrected_on_one_and_changed_on_another_is_one_conflict(
    laptops: Laptops,
) -> None:
    """The laptop that registered Maria and changed nothing finds no conflict of its own: it
    gets the one between B and C from them."""
    a, b, pid = _maria_on_both(laptops)
    c = laptops.new("C")
    laptops.sync(c)
    edit_person(b, pid, phone=TYPO)
    edit_person(b, pid, phone=CORRECTED)
    edit_person(c, pid, phone="0176 4444444")
    laptops.sync(b, c, a, b, c)
    expected = [("person", "phone", {CORRECTED, "0176 4444444"})]
    for s in (a, b, c):
        assert _conflicts(s) == expected
    assert _phone(a, pid) == _phone(b, pid) == _phone(c, pid)


@pytest.mark.parametrize("a_between", [True, False])
def test_a_phone_changed_twice_with_a_sync_in_between_is_no_conflict(
    laptops: Laptops, a_between: bool
) -> None:
    """B sent its first change before the second: the second is built on it, and A, which
    pulls both in their order (or had the first already), finds nothing to decide."""
    a, b, pid = _maria_on_both(laptops)
    edit_person(b, pid, phone=TYPO)
    laptops.sync(b, a) if a_between else laptops.sync(b)
    edit_person(b, pid, phone=CORRECTED)
    laptops.sync(b, a, b)
    for s in (a, b):
        assert _conflicts(s) == [] and _phone(s, pid) == CORRECTED


def test_a_phone_changed_and_changed_back_on_one_laptop_is_no_conflict(laptops: Laptops) -> None:
    a, b, pid = _maria_on_both(laptops)
    edit_person(b, pid, phone=TYPO)
    edit_person(b, pid, phone=FIRST)
    laptops.sync(b, a, b)
    for s in (a, b):
        assert _conflicts(s) == [] and _phone(s, pid) == FIRST


@pytest.mark.parametrize("first", ["A", "B"])
def test_a_phone_changed_back_on_one_laptop_and_changed_on_another_is_no_conflict(
    laptops: Laptops, first: str
) -> None:
    """B set the number back to the one it had sent before sending again: B changed nothing
    that A had not seen, and A's change simply wins (it was a conflict between A's number
    and the one both started from, which nobody had chosen anew)."""
    a, b, pid = _maria_on_both(laptops)
    edit_person(a, pid, phone="0176 5555555")
    edit_person(b, pid, phone=TYPO)
    edit_person(b, pid, phone=FIRST)
    laptops.sync(*((a, b, a) if first == "A" else (b, a, b)))
    for s in (a, b):
        assert _conflicts(s) == [] and _phone(s, pid) == "0176 5555555"


def test_a_phone_changed_back_on_one_laptop_then_changed_there_again_is_one_conflict(
    laptops: Laptops,
) -> None:
    """Changed back and then changed again, B chose a value: with A's, one to decide."""
    a, b, pid = _maria_on_both(laptops)
    edit_person(a, pid, phone="0176 5555555")
    edit_person(b, pid, phone=TYPO)
    edit_person(b, pid, phone=FIRST)
    edit_person(b, pid, phone=CORRECTED)
    laptops.sync(b, a, b)
    expected = [("person", "phone", {"0176 5555555", CORRECTED})]
    assert _conflicts(a) == _conflicts(b) == expected
    assert _phone(a, pid) == _phone(b, pid)


def test_a_referrals_appointment_made_and_cleared_again_on_one_laptop_is_no_conflict(
    laptops: Laptops,
) -> None:
    """B noted an appointment and removed it again before syncing; A noted the real one: the
    referral has A's appointment everywhere, and nothing to decide."""
    a, b, pid = _maria_on_both(laptops)
    referral = referrals.issue_referral(
        a.store, a.user, pid, "vhs", "integration_course", client_lang="ro"
    )
    laptops.sync(a, b)
    made = ReferralStatus.APPOINTMENT_MADE
    on_a = dt.datetime.combine(referral.created_at.date() + dt.timedelta(days=7), dt.time(10))
    referrals.change_status(a.store, a.user, referral.id, made, appointment=on_a)
    on_b = on_a + dt.timedelta(days=1)
    referrals.change_status(b.store, b.user, referral.id, made, appointment=on_b)
    referrals.change_status(b.store, b.user, referral.id, made, clear_appointment=True)
    laptops.sync(b, a, b)
    for s in (a, b):
        assert _conflicts(s) == []
        moved = referrals.get_referral(s.store, s.user, referral.id, log_view=False)
        assert (moved.status, moved.appointment) == (made, on_a)


def test_a_phone_changed_back_after_a_push_whose_answer_was_lost_is_kept(
    server: ServerProcess, tmp_path: Path
) -> None:
    """The server took B's change but its answer never came: B cannot know the change was
    sent, and its change back is a change like any other (taking the sent clocks again, it
    lost to the change the server holds, on every laptop, B too)."""
    proxy = CuttingProxy(server.base_url)
    try:
        with Laptops(server, tmp_path, proxy.url) as laptops:
            a, b, pid = _maria_on_both(laptops)
            edit_person(b, pid, phone=TYPO)

            def lose_push_answers(method: str, path: str, body: bytes) -> bytes:
                if method == "POST" and path.startswith("/v1/envelopes"):
                    raise ConnectionError("the answer is lost")  # after the server took it
                return body

            proxy.rewrite = lose_push_answers
            with pytest.raises(SyncError):
                laptops.sync(b)
            proxy.rewrite = lambda _method, _path, body: body
            assert ("POST", "/v1/envelopes") in proxy.forwarded
            edit_person(b, pid, phone=FIRST)
            laptops.sync(b, a, b)
            for s in (a, b):
                assert _conflicts(s) == [] and _phone(s, pid) == FIRST
    finally:
        proxy.close()


def test_a_phone_changed_during_a_long_push_and_changed_back_after_it_is_kept(
    laptops: Laptops,
) -> None:
    """B's change of the phone, made while a push of three batches ran (after the first) and
    sent with Maria in the last, reached the server: changed back after the push, the phone
    is a change like any other. Left waiting in the outbox, the change back took the clocks
    of the number as first sent and lost to B's own change, on every laptop."""
    a, b, pid = _maria_on_both(laptops)
    people.register_many(b.store, b.user, generate_people(2 * wire.MAX_BATCH, seed=5))
    edit_person(b, pid, notes="Termin am Montag")  # Maria waits behind the others
    changed: list[int] = []

    def change_the_phone(phase: str, done: int, _total: int) -> None:
        if phase == "push" and done == wire.MAX_BATCH and not changed:
            edit_person(b, pid, phone=TYPO)
            changed.append(done)

    sync_uc.sync_now(b.store, change_the_phone)
    assert changed and _phone(b, pid) == TYPO
    edit_person(b, pid, phone=FIRST)
    laptops.sync(b, a, b)
    for s in (a, b):
        assert _conflicts(s) == [] and _phone(s, pid) == FIRST


def test_an_older_versions_record_of_a_field_changed_twice_still_merges(laptops: Laptops) -> None:
    """The previous version named the first of two unsent changes as the second's base. Such a
    record is applied as before: its value arrives everywhere, and where the field was changed
    meanwhile too, that is one conflict."""
    a, b, pid = _maria_on_both(laptops)
    edit_person(a, pid, phone="0176 5555555")
    with b.store.reading() as db:
        held = synced_state(db, "person", pid)
    assert held is not None
    typo, corrected = str(b.store.clock.now()), str(b.store.clock.now())
    fields = {**held.fields, "phone": FieldState(CORRECTED, corrected, typo)}
    push_state(b, RecordState("person", pid, fields), 2)
    laptops.sync(a, b)
    expected = [("person", "phone", {"0176 5555555", CORRECTED})]
    assert _conflicts(a) == _conflicts(b) == expected
    assert _phone(a, pid) == _phone(b, pid) == CORRECTED
