"""The register of requests as a synced kind ("data_request"): its merge rule (an answer is
never undone, two answers end as the earlier one with its own role, on every laptop), each
change queued in its own transaction, and a store of the version before queueing its
requests once."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

from sqlalchemy import select, text

from desktop_app.domain.person import PersonDraft
from desktop_app.domain.users import Role
from desktop_app.storage.layout import SCHEMA_HEAD
from desktop_app.storage.models import DataRequestRow, OutboxRow
from desktop_app.sync.engine import merge_by_rules
from desktop_app.sync.merge import FieldState, RecordState
from desktop_app.sync.records import ADAPTERS
from desktop_app.usecases import data_rights, people
from desktop_app.usecases.accounts import Session, log_in
from desktop_app.usecases.data_rights import COPY, ERASURE, ErasureRequest
from tests.conftest import PASSWORD, downgrade_store

TODAY = dt.date(2026, 12, 7)
ME, OTHER = "device-a", "device-b"


def _state(
    answered: str, by: str, clock: str, *, person: str = "p1", base: str = ""
) -> RecordState:
    """A request as a laptop holds it: created at "0001", answered (or not) at ``clock``."""
    made = FieldState("", "0001-00000-x")
    return RecordState(
        "data_request",
        "r1",
        {
            "reference": FieldState("ACDEFGHJ", made.clock),
            "kind": FieldState(COPY, made.clock),
            "received": FieldState("2026-11-02", made.clock),
            "answered": FieldState(answered, clock, base),
            "answered_by": FieldState(by, clock, base),
            "person_id": FieldState(person, made.clock),
        },
    )


def _merged(local: RecordState, incoming: RecordState) -> tuple[str, str, int]:
    result = merge_by_rules(ADAPTERS["data_request"], local, incoming, ME)
    values = result.state.values()
    return values["answered"], values["answered_by"], len(result.conflicts)


def test_an_answer_is_not_undone_by_an_older_open_copy_of_the_request() -> None:
    answered = _state("2026-11-20", "coordinator", f"0005-00000-{ME}", base="0001-00000-x")
    still_open = _state("", "", f"0009-00000-{OTHER}")  # later clock, open: an older copy
    assert _merged(answered, still_open) == ("2026-11-20", "coordinator", 0)
    assert _merged(still_open, answered) == ("2026-11-20", "coordinator", 0)


def test_two_answers_of_one_request_end_as_the_earlier_with_its_role_whichever_side() -> None:
    # Answered on two laptops offline: a later answer date at an earlier clock and the other
    # way round, each by another role. Both laptops end with the earlier date and its role,
    # without a conflict to decide.
    mine = _state("2026-11-28", "coordinator", f"0005-00000-{ME}")
    theirs = _state("2026-11-20", "advisor", f"0009-00000-{OTHER}")
    assert _merged(mine, theirs) == ("2026-11-20", "advisor", 0)
    assert _merged(theirs, mine) == ("2026-11-20", "advisor", 0)
    mine = _state("2026-11-20", "advisor", f"0009-00000-{ME}")
    theirs = _state("2026-11-28", "coordinator", f"0005-00000-{OTHER}")
    assert _merged(mine, theirs) == ("2026-11-20", "advisor", 0)
    assert _merged(theirs, mine) == ("2026-11-20", "advisor", 0)


def test_the_same_answer_date_by_two_roles_ends_alike_on_both_sides() -> None:
    mine = _state("2026-11-20", "coordinator", f"0005-00000-{ME}")
    theirs = _state("2026-11-20", "advisor", f"0009-00000-{OTHER}")
    assert _merged(mine, theirs) == _merged(theirs, mine) == ("2026-11-20", "advisor", 0)


def test_an_emptied_person_link_wins_over_an_older_one_without_a_conflict() -> None:
    linked = _state("", "", "0001-00000-x")
    unlinked = RecordState(
        "data_request",
        "r1",
        {**linked.fields, "person_id": FieldState("", f"0007-00000-{ME}", "0001-00000-x")},
    )
    for local, incoming in ((unlinked, linked), (linked, unlinked)):
        result = merge_by_rules(ADAPTERS["data_request"], local, incoming, ME)
        assert result.state.values()["person_id"] == "" and not result.conflicts


def _person(session: Session) -> str:
    draft = PersonDraft("Radka", "Stoyanova", "14.03.1985", phone="0176 555")
    return people.register_person(session.store, session.user, draft, confirm_duplicates=True).id


def _outbox(session: Session) -> list[tuple[str, str, int]]:
    with session.store.reading() as db:
        rows = db.scalars(select(OutboxRow).where(OutboxRow.record_kind == "data_request"))
        return sorted((r.record_kind, r.record_id, r.revision) for r in rows)


def _rows(session: Session) -> dict[str, DataRequestRow]:
    with session.store.reading() as db:
        return {r.reference: r for r in db.scalars(select(DataRequestRow))}


def test_a_reason_given_without_the_erasure_is_removed_in_either_order_whatever_the_clocks() -> (
    None
):
    """A reason on a side that still links the person, met with a side whose link was emptied
    after (an erasure not heard of where the reason was given), is removed before the merge
    (``DataRequestAdapter.unaware``), though its clock is later than the emptying: both orders
    end in one state. A reason given on the unlinked entry (after the erasure) stays."""
    from desktop_app.storage.models import REASON_REMOVED
    from desktop_app.sync.kinds import REASON, DataRequestAdapter

    adapter = ADAPTERS["data_request"]
    assert isinstance(adapter, DataRequestAdapter)
    answered = _state("2026-11-20", "advisor", f"0009-00000-{OTHER}", base="0001-00000-x")
    answered = RecordState(
        "data_request",
        "r1",
        {**answered.fields, REASON: FieldState("named her", f"0009-00000-{OTHER}")},
    )
    erased = _state("", "", "0001-00000-x", person="")
    erased = RecordState(
        "data_request",
        "r1",
        {**erased.fields, "person_id": FieldState("", f"0005-00000-{ME}", "0001-00000-x")},
    )
    states = []
    for local, incoming in ((answered, erased), (erased, answered)):
        ours, theirs = adapter.unaware(local, incoming)
        states.append(merge_by_rules(adapter, ours, theirs, ME).state)
    assert states[0] == states[1]
    values = states[0].values()
    assert (values[REASON], values["person_id"], values["answered"]) == (
        REASON_REMOVED,
        "",
        "2026-11-20",
    )
    after = RecordState(
        "data_request",
        "r1",
        {
            **erased.fields,
            **{
                "answered": FieldState("2026-11-21", f"0007-00000-{ME}", "0001-00000-x"),
                "answered_by": FieldState("coordinator", f"0007-00000-{ME}", "0001-00000-x"),
                REASON: FieldState("letter sent", f"0007-00000-{ME}"),
            },
        },
    )
    assert adapter.unaware(after, erased) == (after, erased)


def test_recording_answering_and_erasing_queue_each_change_with_it(session: Session) -> None:
    pid = _person(session)
    ref = data_rights.record_open_request(
        session.store, session.user, pid, ERASURE, TODAY, today=TODAY
    )
    row = _rows(session)[ref]
    assert _outbox(session) == [("data_request", row.id, 1)]
    assert row.person_id == pid and row.author_id == session.user.id
    data_rights.record_copy_request(session.store, session.user, pid, TODAY, today=TODAY)
    copy = next(r for r in _rows(session).values() if r.kind == COPY)
    assert ("data_request", copy.id, 1) in _outbox(session)
    # A copy under the reference chosen before it was written (as the export dialog does).
    chosen = data_rights.copy_request(session.store, session.user, pid, TODAY, today=TODAY)
    data_rights.record_copy_request(
        session.store, session.user, pid, TODAY, reference=chosen.reference, today=TODAY
    )
    second = _rows(session)[chosen.reference]
    assert ("data_request", second.id, 1) in _outbox(session) and second.person_id == pid
    data_rights.erase_person(
        session.store, session.user, pid, request=ErasureRequest(ref, TODAY), today=TODAY
    )
    after = _rows(session)
    # Both unlinked, the erasure request answered too: each a revision of its own, queued.
    assert {r.person_id for r in after.values()} == {""}
    assert after[ref].answered == TODAY.isoformat() and after[ref].revision == 3
    assert after[copy.reference].revision == after[chosen.reference].revision == 2
    assert ("data_request", row.id, 3) in _outbox(session)
    assert ("data_request", copy.id, 2) in _outbox(session)
    clocks = json.loads(after[ref].field_clocks)
    assert clocks["person_id"][0] > row.updated_hlc  # the emptied link is news, clocked


def test_a_store_of_the_version_before_queues_its_requests_once(
    session: Session, data_dir: Path
) -> None:
    pid = _person(session)
    downgrade_store(session.store, "data_requests")
    with session.store.transaction() as db:
        db.execute(
            text(
                "INSERT INTO data_requests (reference, kind, received, answered, answered_by, "
                "person_id) VALUES ('ACDEFGHJ', 'copy', '2026-11-02', '', '', :pid), "
                "('KMNPQRTU', 'erasure', '2026-10-01', '2026-10-20', 'coordinator', '')"
            ),
            {"pid": pid},
        )
    session.close()
    again = log_in(data_dir, "anna", PASSWORD)  # migrates to head
    try:
        with again.store.reading() as db:
            version = db.execute(text("SELECT version_num FROM alembic_version")).scalar()
        assert version == SCHEMA_HEAD
        rows = _rows(again)
        assert set(rows) == {"ACDEFGHJ", "KMNPQRTU"}
        assert rows["ACDEFGHJ"].person_id == pid and rows["KMNPQRTU"].answered == "2026-10-20"
        assert all(r.revision == 1 and r.device_id == again.store.device_id for r in rows.values())
        assert _outbox(again) == sorted(("data_request", r.id, 1) for r in rows.values())
        register = data_rights.list_requests(again.store, again.user)
        assert [r.reference for r in register] == ["ACDEFGHJ", "KMNPQRTU"]
        assert register[1].answered_by == Role.COORDINATOR.value
    finally:
        again.close()


def test_an_erasure_arriving_answers_the_open_request_on_its_day_not_before_the_receipt(
    session: Session,
) -> None:
    """An erasure from another laptop answers the erasure request open here on the day of the
    erasure (every laptop it reaches answers alike), or on the day the request was received
    here where that is later (recorded before the erasure arrived); queued as no user's."""
    from desktop_app.domain.hlc import Timestamp
    from desktop_app.storage.models import PersonRow

    today = dt.date.today()
    first, second = _person(session), _person(session)
    for pid in (first, second):
        data_rights.record_open_request(session.store, session.user, pid, ERASURE, today)
    for pid, erased_on in ((first, today), (second, today - dt.timedelta(days=3))):
        wall = dt.datetime.combine(erased_on, dt.time(12), dt.UTC).timestamp() * 1000
        with session.store.transaction() as db:
            person = db.scalar(select(PersonRow).where(PersonRow.id == pid))
            assert person is not None
            assert data_rights.apply_remote_erasure(
                db,
                session.store,
                pid,
                revision=person.revision + 1,
                updated_hlc=str(Timestamp(int(wall), 0, "other-laptop")),
                device_id="other-laptop",
                author_id="coordinator-elsewhere",
            )
    rows = list(_rows(session).values())
    assert [(r.answered, r.answered_by, r.person_id) for r in rows] == [
        (today.isoformat(), Role.COORDINATOR.value, "")
    ] * 2
    with session.store.reading() as db:
        queued = db.scalars(select(OutboxRow).where(OutboxRow.record_kind == "data_request"))
        assert {(o.record_id, o.by_sync) for o in queued if o.revision > 1} == {
            (r.id, True) for r in rows
        }


def test_a_copy_answers_every_open_copy_request_of_the_persons_held_when_it_is_registered(
    session: Session,
) -> None:
    """The copy's reference is the person's open request's (``copy_request``); before it is
    written another laptop's open copy request of theirs arrives (saved as a sync saves it,
    another device's revision 1). The copy answers both, today, each receipt standing; the
    open request of someone else's and an erasure request stay open."""
    from desktop_app.domain.hlc import Timestamp

    pid, other = _person(session), _person(session)
    first = data_rights.record_open_request(
        session.store, session.user, pid, COPY, TODAY - dt.timedelta(days=9), today=TODAY
    )
    erasure = data_rights.record_open_request(
        session.store, session.user, pid, ERASURE, TODAY, today=TODAY
    )
    elsewhere = data_rights.record_open_request(
        session.store, session.user, other, COPY, TODAY, today=TODAY
    )
    chosen = data_rights.copy_request(session.store, session.user, pid, TODAY, today=TODAY)
    assert chosen.reference == first
    with session.store.transaction() as db:  # arriving by sync meanwhile
        db.add(
            DataRequestRow(
                id="5d0c3a9e-0000-4000-8000-000000000001",
                revision=1,
                updated_hlc=str(Timestamp(1, 0, OTHER)),
                device_id=OTHER,
                author_id="advisor-elsewhere",
                deleted=False,
                field_clocks="{}",
                reference="KMNPQRTU",
                kind=COPY,
                received=(TODAY - dt.timedelta(days=2)).isoformat(),
                answered="",
                answered_by="",
                person_id=pid,
            )
        )
    queued = set(_outbox(session))
    assert (
        data_rights.record_copy_request(
            session.store, session.user, pid, chosen.received, reference=first, today=TODAY
        )
        == first
    )
    rows = _rows(session)
    assert (rows[first].answered, rows["KMNPQRTU"].answered) == (TODAY.isoformat(),) * 2
    assert rows["KMNPQRTU"].received == (TODAY - dt.timedelta(days=2)).isoformat()
    assert rows["KMNPQRTU"].answered_by == session.user.role.value
    assert rows[erasure].answered == rows[elsewhere].answered == ""
    # Each answer a revision of its own, queued as this user's.
    assert set(_outbox(session)) - queued == {
        ("data_request", rows[first].id, 2),
        ("data_request", "5d0c3a9e-0000-4000-8000-000000000001", 2),
    }
