"""The server refuses a person's erasure pushed by a laptop whose role may not erase
(``SyncService.push``): a student helper's or an advisor's laptop running an altered program
holds the team key, and every other laptop would erase the person for good. So it refuses such
a laptop's tombstones of other laptops' visits, referrals ...: a tombstone deletes every
revision the server holds. What such laptops send unaltered still goes: the tombstone of an
erasure the server holds already (a remote erasure merged with changes not sent yet), the
tombstones of what the laptop wrote itself, and those an advisor's merge of two entries leaves.
Real server processes, SQLite and PostgreSQL."""

from __future__ import annotations

import logging
import time
import uuid

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session as DbSession

from desktop_app.domain.users import Role
from desktop_app.storage.models import OutboxRow
from desktop_app.storage.visits_models import VisitRow
from desktop_app.sync import crypto, engine
from desktop_app.sync.engine import SyncEngine, SyncReport, active_key, pending_changes
from desktop_app.sync.merge import RecordState
from desktop_app.sync.records import LocalRecord, encode
from desktop_app.usecases import data_rights, duplicates, merges, people, visits
from desktop_app.usecases import sync as sync_uc
from desktop_app.usecases.accounts import Session
from sync_server import models, wire
from sync_server.service import AuthenticatedDevice
from tests.integration.sync_harness import (
    AS_THE_CHECK_SAYS,
    Laptops,
    Member,
    Organisation,
    ServerProcess,
    add_person,
    device_id,
    edit_person,
    logged_in_again,
)
from tests.integration.test_sync_erasure_traces import _records_about
from tests.unit.test_visits import full_life_situation


def _tombstone(session: Session, kind: str, record_id: str, revision: int) -> wire.Envelope:
    """A tombstone sealed under the team key by the laptop of ``session``, flagged as erasing,
    as an altered program on that laptop would make it."""
    with session.store.reading() as db:
        key = active_key(db)
        assert key is not None
    device = device_id(session)
    clock = f"{time.time_ns() // 1_000_000:013d}-00000-{device}"
    state = RecordState(kind, record_id, {}, True, clock)
    sealer = crypto.EnvelopeSealer(key.key, key.key_id, device)
    plaintext = encode(LocalRecord(state, revision, ""))
    return sealer.seal(record_id, kind, revision, plaintext, clock, True)


def _held(server: ServerProcess, record_id: str) -> list[tuple[int, bool, str]]:
    """(revision, erases, author device) of each envelope of a record the server holds."""
    t = models.StoredEnvelope
    with DbSession(server.engine) as s:
        rows = s.execute(
            select(t.revision, t.erases, t.author_device)
            .where(t.record_id == record_id)
            .order_by(t.revision)
        )
        return [(r.revision, r.erases, r.author_device) for r in rows]


def _name(session: Session, person_id: str) -> str | None:
    person = people.get_person(session.store, session.user, person_id)
    return None if person is None else person.family_name


@pytest.mark.parametrize("role", [Role.HELPER, Role.ADVISOR])
def test_a_crafted_erasure_from_a_laptop_that_may_not_erase_is_refused(
    laptops: Laptops, server: ServerProcess, role: Role
) -> None:
    """B's altered program seals tombstones of a person and of a visit A recorded and edited
    (at a revision above A's): both refused, every revision of them stays on the server and
    on the other laptops. Its tombstones of its own visit and of a visit never stored go."""
    a, b = laptops.new("A"), laptops.new("B", role=role)
    c = laptops.new("C", role=Role.HELPER)
    pid = add_person(a, "Радка", "Стоянова", "1990", **AS_THE_CHECK_SAYS)
    theirs = visits.finish_visit(a.store, a.user, pid, "life_situation", full_life_situation())
    laptops.sync(a)
    visits.edit_visit(a.store, a.user, theirs.id, {**full_life_situation(), "rent": 480})
    own = visits.finish_visit(b.store, b.user, pid, "life_situation", full_life_situation())
    laptops.sync(a, b, c)
    assert _held(server, theirs.id) == [(1, False, device_id(a)), (2, False, device_id(a))]
    unknown = str(uuid.uuid4())
    with sync_uc.client_for(b.store) as client:
        answer = client.push(
            [
                _tombstone(b, "person", pid, 2),
                _tombstone(b, "visit", theirs.id, 9),
                _tombstone(b, "visit", own.id, 2),
                _tombstone(b, "visit", unknown, 1),
            ]
        )
    # Refused one by one, the rest of the push taken.
    assert [(r.status, r.code) for r in answer.results] == [
        ("refused", "erase_not_allowed"),
        ("refused", "erase_not_allowed"),
        ("accepted", None),
        ("accepted", None),
    ]
    assert (answer.accepted, answer.refused) == (2, 2)
    assert answer.results[0].reason and answer.results[1].reason
    laptops.sync(a, c)
    assert _name(a, pid) == _name(c, pid) == "Стоянова"
    assert _held(server, pid) == [(1, False, device_id(a))]
    assert _held(server, theirs.id) == [(1, False, device_id(a)), (2, False, device_id(a))]
    assert _held(server, own.id) == [(2, True, device_id(b))]
    for laptop in (a, c):
        held = [v.id for v in visits.visit_history(laptop.store, laptop.user, pid)]
        assert held == [theirs.id], laptop.store.device_id
    log = server.log_text()
    assert f"1 person erasures refused records={pid}\n" in log
    assert f"1 erasures of other laptops' records refused records={theirs.id}\n" in log


@pytest.mark.parametrize("erased_by", ["writer", "coordinator"])
def test_a_visit_another_helper_pushed_after_an_erasure_goes_with_its_writers_or_a_coordinators(
    laptops: Laptops, server: ServerProcess, erased_by: str
) -> None:
    """C (a coordinator's) erases a person; B (a helper's) pushes a visit for them, recorded
    offline, after the erasure reached the server. A (a helper's) pulls both: the visit is
    erased on A all the same, and A's tombstone of it is refused quietly (B wrote it). The
    visit goes from the server when B (what it wrote itself) or C (a coordinator's) pulls it
    and sends its own tombstone; the three laptops converge."""
    c = laptops.new("C")
    a, b = laptops.new("A", role=Role.HELPER), laptops.new("B", role=Role.HELPER)
    pid = add_person(c, "Радка", "Стоянова", "1990", **AS_THE_CHECK_SAYS)
    laptops.sync(c, a, b)
    visit = visits.finish_visit(b.store, b.user, pid, "life_situation", full_life_situation())
    data_rights.erase_person(c.store, c.user, pid)
    laptops.sync(c)
    with sync_uc.client_for(b.store) as client:
        SyncEngine(b.store, client)._push(SyncReport())  # before B pulls the erasure
    assert _held(server, visit.id) == [(1, False, device_id(b))]
    laptops.sync(a)
    assert _name(a, pid) is None and _records_about(a, pid) == {pid}
    assert pending_changes(a.store) == 0
    assert _held(server, visit.id) == [(1, False, device_id(b))]
    assert f"1 erasures of other laptops' records refused records={visit.id}\n" in server.log_text()
    first = b if erased_by == "writer" else c
    laptops.sync(first)
    assert _held(server, visit.id) == [(2, True, device_id(first))]
    laptops.sync(c, a, b, c, a, b)
    for laptop in (a, b, c):
        assert _name(laptop, pid) is None, laptop.store.device_id
        assert _records_about(laptop, pid) == {pid}, laptop.store.device_id
        assert pending_changes(laptop.store) == 0, laptop.store.device_id
    assert [erases for _rev, erases, _author in _held(server, pid)] == [True]
    assert [erases for _rev, erases, _author in _held(server, visit.id)] == [True]
    assert server.log_text().count("erasures of other laptops' records refused") == 1


def test_an_erasure_the_server_refuses_leaves_the_outbox_and_the_rest_goes(
    laptops: Laptops, server: ServerProcess
) -> None:
    """An altered program on a helper's laptop erases through the laptop's own sync: the
    erasure is refused, dropped from the outbox (not sent round after round), and what else
    the laptop recorded reaches the others."""
    a, b = laptops.new("A"), laptops.new("B", role=Role.HELPER)
    pid = add_person(a, "Радка", "Стоянова", "1990", **AS_THE_CHECK_SAYS)
    laptops.sync(a, b)
    # B's first account logged in before the laptop was approved for helpers: its session
    # still holds the coordinator's role, as an altered program would.
    assert b.user.role is Role.COORDINATOR
    data_rights.erase_person(b.store, b.user, pid)
    new = add_person(b, "Ion", "Popescu", "1985")
    first = laptops.sync(b)[0]
    assert first.sent >= 1  # the new person
    assert pending_changes(b.store) == 0
    again = laptops.sync(b)[0]
    assert again.pushed == 0
    laptops.sync(a)
    assert _name(a, pid) == "Стоянова" and _name(a, new) == "Popescu"
    assert _held(server, pid) == [(1, False, device_id(a))]


def test_a_coordinators_erasure_still_travels(laptops: Laptops, server: ServerProcess) -> None:
    a = laptops.new("A")
    d, b = laptops.new("D", role=Role.COORDINATOR), laptops.new("B", role=Role.HELPER)
    pid = add_person(a, "Радка", "Стоянова", "1990", **AS_THE_CHECK_SAYS)
    laptops.sync(a, d, b)
    data_rights.erase_person(d.store, d.user, pid)
    laptops.sync(d, a, b)
    assert _name(a, pid) is None and _name(b, pid) is None
    assert _held(server, pid) == [(2, True, device_id(d))]


def test_a_helpers_laptop_applying_a_remote_erasure_over_its_own_changes_syncs_again(
    laptops: Laptops, server: ServerProcess
) -> None:
    """B (a helper's) changed the person twice offline; A erases them. B's sync merges the
    erasure over its own revisions and sends the person's tombstone at B's revision: taken,
    as the server holds the person's erasure already. Nothing stays waiting on B."""
    a, b = laptops.new("A"), laptops.new("B", role=Role.HELPER)
    pid = add_person(a, "Радка", "Стоянова", "1990", **AS_THE_CHECK_SAYS)
    laptops.sync(a, b)
    edit_person(b, pid, phone="0176 1111111")
    edit_person(b, pid, phone="0176 2222222")
    data_rights.erase_person(a.store, a.user, pid)
    laptops.sync(a)
    assert _held(server, pid) == [(2, True, device_id(a))]
    laptops.sync(b)
    assert _name(b, pid) is None
    assert _held(server, pid) == [(3, True, device_id(b))]
    assert pending_changes(b.store) == 0
    assert laptops.sync(b)[0].pushed == 0
    laptops.sync(a)
    assert _name(a, pid) is None


def test_an_advisor_merging_two_entries_of_one_person_syncs(
    laptops: Laptops, server: ServerProcess
) -> None:
    a, b = laptops.new("A"), laptops.new("B", role=Role.ADVISOR)
    one = add_person(a, "Радка", "Стоянова", "1990", **AS_THE_CHECK_SAYS)
    other = add_person(a, "Радка", "Стоянова", "1990", "0176 1111111", **AS_THE_CHECK_SAYS)
    kept, merged = merges.kept_and_merged(one, other)
    visits.finish_visit(a.store, a.user, merged, "life_situation", full_life_situation())
    laptops.sync(a, b)
    advisor = logged_in_again(b)
    try:
        assert advisor.user.role is Role.ADVISOR
        merges.merge_people(advisor.store, advisor.user, one, other)
    finally:
        advisor.close()
    laptops.sync(b, a)
    assert pending_changes(b.store) == 0
    assert _held(server, merged) == [(2, True, device_id(b))]
    assert _name(a, merged) is None and _name(a, kept) == "Стоянова"
    with a.store.reading() as s:
        moved = s.scalars(select(VisitRow.person_id).where(VisitRow.deleted.is_(False))).all()
    assert moved == [kept]


def test_an_advisors_merge_erases_a_decision_another_laptop_recorded(
    laptops: Laptops, server: ServerProcess
) -> None:
    """A (a coordinator's) recorded that the entry an advisor then merges away and a third
    entry are different people. The merge writes that decision anew for the entry kept and
    leaves the old one as a tombstone, A's record: taken with the merge's tombstone."""
    a, b = laptops.new("A"), laptops.new("B", role=Role.ADVISOR)
    one = add_person(a, "Радка", "Стоянова", "1990", **AS_THE_CHECK_SAYS)
    other = add_person(a, "Радка", "Стоянова", "1990", "0176 1111111", **AS_THE_CHECK_SAYS)
    third = add_person(a, "Радка", "Стоянова", "1990", "0176 2222222", **AS_THE_CHECK_SAYS)
    kept, merged = merges.kept_and_merged(one, other)
    assert duplicates.mark_different_people(a.store, a.user, merged, third)
    decided = duplicates.pair_id(merged, third)
    laptops.sync(a, b)
    assert _held(server, decided) == [(1, False, device_id(a))]
    advisor = logged_in_again(b)
    try:
        merges.merge_people(advisor.store, advisor.user, one, other)
    finally:
        advisor.close()
    laptops.sync(b, a)
    assert pending_changes(b.store) == 0
    assert _held(server, merged) == [(2, True, device_id(b))]
    assert _held(server, decided) == [(2, True, device_id(b))]
    written_anew = _held(server, duplicates.pair_id(kept, third))
    assert written_anew[0] == (1, False, device_id(b))
    assert not any(erases for _rev, erases, _author in written_anew)
    assert "refused records=" not in server.log_text()


# --- the rule on the server, envelope by envelope -------------------------------------------


def _erasing(member: Member, org: Organisation, kind: str, record_id: str) -> wire.Envelope:
    envelope = member.seal(org.team, record_id, kind, 1, b"a tombstone")
    return envelope.model_copy(update={"erases": True})


def test_an_advisors_tombstone_needs_the_merge_record_named_after_the_entry(
    org: Organisation,
) -> None:
    advisor, helper = org.join("Advisor"), org.join("Helper", role="helper")
    first, second, third = (str(uuid.uuid4()) for _ in range(3))

    def merge_record(
        member: Member, person: str, kind: str = wire.PERSON_MERGE_KIND
    ) -> wire.Envelope:
        return member.seal(org.team, wire.person_merge_id(person), kind, 1, b"a merge record")

    # The merge record pushed before, then the tombstone alone: taken.
    assert advisor.client.push([merge_record(advisor, first)]).accepted == 1
    later = advisor.client.push([_erasing(advisor, org, "person", first)])
    assert [r.status for r in later.results] == ["accepted"]
    # Under the merge record's id a record of another kind is stored: no merge, refused.
    assert advisor.client.push([merge_record(advisor, second, "visit")]).accepted == 1
    answer = advisor.client.push(
        [merge_record(advisor, second), _erasing(advisor, org, "person", second)]
    )
    assert [r.code for r in answer.results] == ["kind_mismatch", "erase_not_allowed"]
    # A merge record after the tombstone does not make it a merge's.
    answer = advisor.client.push(
        [_erasing(advisor, org, "person", third), merge_record(advisor, third)]
    )
    assert [r.code for r in answer.results] == ["erase_not_allowed", None]
    # A helper's laptop merges nothing: with the merge record in the push, refused all the same.
    fourth = str(uuid.uuid4())
    answer = helper.client.push(
        [merge_record(helper, fourth), _erasing(helper, org, "person", fourth)]
    )
    assert [r.code for r in answer.results] == [None, "erase_not_allowed"]
    # A laptop approved for coordinators erases.
    coordinator = org.join("Coordinator", role="coordinator")
    answer = coordinator.client.push([_erasing(coordinator, org, "person", fourth)])
    assert [r.status for r in answer.results] == ["accepted"]
    # ... and once the server holds the erasure, a later tombstone is taken from any role.
    again = helper.seal(org.team, fourth, "person", 2, b"a later tombstone")
    answer = helper.client.push([again.model_copy(update={"erases": True})])
    assert [r.status for r in answer.results] == ["accepted"]


def _erasing_at(
    member: Member, org: Organisation, kind: str, record_id: str, revision: int
) -> wire.Envelope:
    envelope = member.seal(org.team, record_id, kind, revision, b"a tombstone")
    return envelope.model_copy(update={"erases": True})


def test_a_tombstone_of_another_kind_is_taken_of_what_the_laptop_wrote_or_erased_already(
    org: Organisation,
) -> None:
    writer, helper = org.join("Writer", role="helper"), org.join("Helper", role="helper")
    theirs, mine, fresh, gone = (str(uuid.uuid4()) for _ in range(4))
    written = writer.client.push(
        [
            writer.seal(org.team, theirs, "referral", 1, b"a referral"),
            writer.seal(org.team, gone, "consent", 1, b"a consent"),
        ]
    )
    assert written.accepted == 2
    assert helper.client.push([helper.seal(org.team, mine, "visit", 1, b"a visit")]).accepted
    coordinator = org.coordinator
    assert coordinator.client.push([_erasing_at(coordinator, org, "consent", gone, 2)]).accepted
    answer = helper.client.push(
        [
            _erasing_at(helper, org, "referral", theirs, 5),
            _erasing_at(helper, org, "visit", mine, 2),
            _erasing_at(helper, org, "visit", fresh, 1),
            _erasing_at(helper, org, "consent", gone, 3),
        ]
    )
    assert [r.code for r in answer.results] == ["erase_not_allowed", None, None, None]
    assert [r.status for r in answer.results[1:]] == ["accepted"] * 3
    assert _held(org.server, theirs) == [(1, False, writer.device_id)]
    # The writer erases its own; a coordinator's laptop erases anything.
    later = writer.seal(org.team, theirs, "referral", 2, b"edited")
    assert writer.client.push([later]).accepted == 1
    answer = coordinator.client.push([_erasing_at(coordinator, org, "referral", theirs, 3)])
    assert [r.status for r in answer.results] == ["accepted"]
    assert _held(org.server, theirs) == [(3, True, coordinator.device_id)]


def test_an_advisors_tombstones_of_a_merges_kinds_need_the_merge_in_the_push(
    org: Organisation,
) -> None:
    writer, advisor = org.join("Writer", role="helper"), org.join("Advisor")
    conflict, decided, visit, person = (str(uuid.uuid4()) for _ in range(4))
    stored = writer.client.push(
        [
            writer.seal(org.team, conflict, "conflict", 1, b"a conflict"),
            writer.seal(org.team, decided, "distinct_people", 1, b"a decision"),
            writer.seal(org.team, visit, "visit", 1, b"a visit"),
        ]
    )
    assert stored.accepted == 3
    alone = advisor.client.push(
        [
            _erasing_at(advisor, org, "conflict", conflict, 2),
            _erasing_at(advisor, org, "distinct_people", decided, 2),
        ]
    )
    assert [r.code for r in alone.results] == ["erase_not_allowed"] * 2
    merge = advisor.seal(org.team, wire.person_merge_id(person), wire.PERSON_MERGE_KIND, 1, b"m")
    answer = advisor.client.push(
        [
            merge,
            _erasing_at(advisor, org, "conflict", conflict, 2),
            _erasing_at(advisor, org, "distinct_people", decided, 2),
            _erasing_at(advisor, org, "visit", visit, 2),
            _erasing_at(advisor, org, "person", person, 1),
        ]
    )
    # A merge's records move to the entry kept: the visit's tombstone is no merge's.
    assert [r.code for r in answer.results] == [None, None, None, "erase_not_allowed", None]
    assert _held(org.server, visit) == [(1, False, writer.device_id)]
    assert _held(org.server, conflict) == [(2, True, advisor.device_id)]


def test_a_revision_another_laptop_stores_between_the_check_and_the_store_is_not_erased(
    org: Organisation, caplog: pytest.LogCaptureFixture
) -> None:
    """The check of a push's tombstones runs before the counter lock. Between it and the
    store, the writer's laptop stores a revision of a visit of which the check saw only the
    helper's own, and a coordinator's laptop erases a consent of the helper's: under the lock
    the visit's tombstone is refused (the writer's revision stays), the consent's is taken
    (erased already). The server's own service, its database as the server process has it;
    the other laptops push through that process."""
    writer, helper = org.join("Writer", role="helper"), org.join("Helper", role="helper")
    mine, gone, fresh = (str(uuid.uuid4()) for _ in range(3))
    pushed = helper.client.push(
        [
            helper.seal(org.team, mine, "visit", 1, b"a visit"),
            helper.seal(org.team, gone, "consent", 1, b"a consent"),
        ]
    )
    assert pushed.accepted == 2
    service = org.server.service

    def meanwhile() -> None:
        service.between_check_and_store = None  # once
        edited = writer.seal(org.team, mine, "visit", 2, b"the writer's edit")
        assert writer.client.push([edited]).accepted == 1
        coordinator = org.coordinator
        assert coordinator.client.push([_erasing_at(coordinator, org, "consent", gone, 2)]).accepted

    service.between_check_and_store = meanwhile
    device = AuthenticatedDevice(helper.device_id, "approved", False)
    with caplog.at_level(logging.INFO, logger="sync_server"):
        answer = service.push(
            device,
            wire.PushRequest(
                envelopes=[
                    _erasing_at(helper, org, "visit", mine, 3),
                    _erasing_at(helper, org, "consent", gone, 3),
                    _erasing_at(helper, org, "visit", fresh, 1),
                ]
            ),
        )
    assert service.between_check_and_store is None  # it ran
    assert [(r.status, r.code) for r in answer.results] == [
        ("refused", "erase_not_allowed"),
        ("accepted", None),
        ("accepted", None),
    ]
    assert (answer.accepted, answer.refused) == (2, 1)
    assert _held(org.server, mine) == [(1, False, helper.device_id), (2, False, writer.device_id)]
    assert _held(org.server, gone) == [(3, True, helper.device_id)]
    assert _held(org.server, fresh) == [(1, True, helper.device_id)]
    assert f"1 erasures of records another laptop wrote meanwhile refused records={mine}" in (
        caplog.text
    )
    # Sequence numbers stay gapless: the next push follows on.
    later = helper.client.push([helper.seal(org.team, str(uuid.uuid4()), "visit", 1, b"v")])
    assert later.results[0].seq == answer.results[2].seq + 1


def test_an_advisors_merge_cut_into_two_pushes_keeps_its_tombstones_together(
    laptops: Laptops, server: ServerProcess, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Pushes so short that, cut in order, the decision's tombstone would go without the
    entry's and be refused (the decision, A's, would stay on the server). It goes with the
    entry's tombstone: both taken, nothing waits on B, A follows the merge."""
    a, b = laptops.new("A"), laptops.new("B", role=Role.ADVISOR)
    one = add_person(a, "Радка", "Стоянова", "1990", **AS_THE_CHECK_SAYS)
    other = add_person(a, "Радка", "Стоянова", "1990", "0176 1111111", **AS_THE_CHECK_SAYS)
    third = add_person(a, "Радка", "Стоянова", "1990", "0176 2222222", **AS_THE_CHECK_SAYS)
    kept, merged = merges.kept_and_merged(one, other)
    visits.finish_visit(a.store, a.user, merged, "life_situation", full_life_situation())
    assert duplicates.mark_different_people(a.store, a.user, merged, third)
    decided = duplicates.pair_id(merged, third)
    laptops.sync(a, b)
    advisor = logged_in_again(b)
    try:
        merges.merge_people(advisor.store, advisor.user, one, other)
    finally:
        advisor.close()
    with b.store.reading() as s:
        pending = [
            (str(kind), str(rid))
            for kind, rid in s.execute(
                select(OutboxRow.record_kind, OutboxRow.record_id)
                .group_by(OutboxRow.record_kind, OutboxRow.record_id)
                .order_by(func.min(OutboxRow.seq))
            )
        ]
    # Pushes of as many records as come before the entry's tombstone: cut in order, the
    # decision's tombstone goes in the first, the entry's in the second.
    size = pending.index(("person", merged))
    assert pending.index(("distinct_people", decided)) < size
    batches = engine.push_batches(pending, size)
    assert len(batches) == 2
    assert {("distinct_people", decided), ("person", merged)} <= set(batches[1])
    monkeypatch.setattr(engine, "PUSH_BATCH", size)
    laptops.sync(b, a)
    assert pending_changes(b.store) == 0
    assert _held(server, merged) == [(2, True, device_id(b))]
    assert _held(server, decided) == [(2, True, device_id(b))]
    assert "refused records=" not in server.log_text()
    assert _name(a, merged) is None and _name(a, kept) == "Стоянова"
    written_anew = _held(server, duplicates.pair_id(kept, third))
    assert not any(erases for _rev, erases, _author in written_anew)
