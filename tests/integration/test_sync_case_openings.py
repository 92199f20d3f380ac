"""Sections of a case opened to a helper and closed again (kind ``case_opening``) across
laptops: an advisor's latest decision holds everywhere (property 10), and records written by
a version that stored a closing as the record's deletion still read right."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from desktop_app.domain.users import Role
from desktop_app.storage.audit_models import CaseOpeningRow
from desktop_app.storage.sync_models import ConflictRow
from desktop_app.sync.merge import FieldState, RecordState
from desktop_app.usecases import access, accounts
from desktop_app.usecases.accounts import Session
from tests.integration.sync_harness import Laptops, add_person, push_state, record_state


def _helper(advisor: Session) -> str:
    accounts.add_user(advisor, "mihai", "Mihai Student", Role.HELPER, "student pass 7")
    helper = accounts.log_in(advisor.store.paths.data_dir, "mihai", "student pass 7")
    try:
        return helper.user.id
    finally:
        helper.close()


def _opened(laptop: Session, pid: str) -> dict[str, frozenset[str]]:
    return access.openings_of(laptop.store, laptop.user, pid)


def _opening_id(laptop: Session, pid: str) -> str:
    with laptop.store.reading() as db:
        return db.scalars(select(CaseOpeningRow.id).where(CaseOpeningRow.person_id == pid)).one()


def test_a_section_opened_again_is_open_on_every_laptop(laptops: Laptops) -> None:
    """A closes a section B and C have seen open, they see it closed; A opens it again: it is
    open everywhere (it stayed closed on B and C, and came back closed to A)."""
    a, b, c = laptops.new("A"), laptops.new("B"), laptops.new("C")
    pid = add_person(a, "Радка", "Стоянова", "1990")
    helper = _helper(a)
    access.open_case_to_helper(a.store, a.user, pid, helper, "health")
    laptops.sync(a, b, c)
    assert _opened(c, pid) == {helper: frozenset({"health"})}
    access.close_case_to_helper(a.store, a.user, pid, helper, "health")
    laptops.sync(a, b, c)
    assert [_opened(s, pid) for s in (a, b, c)] == [{}, {}, {}]
    access.open_case_to_helper(a.store, a.user, pid, helper, "health")
    laptops.sync(a, b, c, a, b, c)
    opened = {helper: frozenset({"health"})}
    assert [_opened(s, pid) for s in (a, b, c)] == [opened, opened, opened]
    # The helper reads it on A, where the account is.
    user = accounts.User(helper, "mihai", "Mihai Student", Role.HELPER)
    assert access.can_read_restricted(a.store, user, pid, "health")
    # Closed again: closed everywhere; one record throughout.
    access.close_case_to_helper(a.store, a.user, pid, helper, "health")
    laptops.sync(a, b, c, a, b, c)
    assert [_opened(s, pid) for s in (a, b, c)] == [{}, {}, {}]
    assert len({_opening_id(s, pid) for s in (a, b, c)}) == 1


@pytest.mark.parametrize("reopened_by_old_version", [False, True])
def test_a_closing_stored_as_a_deletion_by_an_older_version_reads_as_closed(
    laptops: Laptops, reopened_by_old_version: bool
) -> None:
    """A version before the ``opened`` field closed a section by deleting the record (a
    tombstone without the erasing flag) and opened it again by a live revision without the
    field: laptops of this version read the first as closed and the second as open."""
    a, b = laptops.new("A"), laptops.new("B")
    pid = add_person(a, "Радка", "Стоянова", "1990")
    helper = _helper(a)
    access.open_case_to_helper(a.store, a.user, pid, helper, "health")
    laptops.sync(a, b)
    opening = _opening_id(a, pid)
    device = a.store.device_id
    closed = record_state("case_opening", opening, {"x": 1}, device).fields["x"].clock
    push_state(a, RecordState("case_opening", opening, {}, True, closed), revision=2)
    laptops.sync(b)
    assert _opened(b, pid) == {}
    if reopened_by_old_version:
        values = {"person_id": pid, "helper_id": helper, "kind": "health"}
        # Above the revision B pushed of the record in this version's form.
        push_state(a, record_state("case_opening", opening, values, device), revision=5)
        laptops.sync(b)
        assert _opened(b, pid) == {helper: frozenset({"health"})}
    # A laptop joining now reads the same from the server.
    c = laptops.new("C")
    laptops.sync(c)
    assert _opened(c, pid) == _opened(b, pid)


def test_a_concurrent_close_and_reopen_end_the_same_everywhere_with_a_conflict(
    laptops: Laptops,
) -> None:
    """B closes (as another copy of the account could) while A reopens, neither having seen
    the other's: the later decision holds on both and the other is kept as a conflict."""
    a, b = laptops.new("A"), laptops.new("B")
    pid = add_person(a, "Радка", "Стоянова", "1990")
    helper = _helper(a)
    access.open_case_to_helper(a.store, a.user, pid, helper, "health")
    access.close_case_to_helper(a.store, a.user, pid, helper, "health")
    laptops.sync(a, b)
    opening = _opening_id(a, pid)
    with b.store.reading() as db:
        row = db.get(CaseOpeningRow, opening)
        assert row is not None and row.opened is False
        base = row.updated_hlc
    # B's closing, kept closed, then A opens it again later without having seen B's.
    b_state = record_state("case_opening", opening, {"x": 1}, b.store.device_id)
    b_clock = b_state.fields["x"].clock
    values = {"person_id": pid, "helper_id": helper, "kind": "health"}
    fields = {n: FieldState(v, base) for n, v in values.items()}
    fields["opened"] = FieldState(False, b_clock, base)
    push_state(b, RecordState("case_opening", opening, fields), revision=4)
    access.open_case_to_helper(a.store, a.user, pid, helper, "health")
    laptops.sync(a, b, a)
    opened = {helper: frozenset({"health"})}
    assert [_opened(s, pid) for s in (a, b)] == [opened, opened]
    for laptop in (a, b):
        with laptop.store.reading() as db:
            found = db.scalars(select(ConflictRow).where(ConflictRow.record_id == opening)).all()
        assert [(c.field, c.other_value) for c in found] == [("opened", "false")]


def test_no_opening_is_kept_or_sent_for_a_person_erased_meanwhile(laptops: Laptops) -> None:
    """B's advisor saves access while A's erasure of the person has reached B by a sync: the
    save is refused, nothing is queued. Then B, as an older version that does not know the
    erasure, pushes an opening for the person (without the ``opened`` field: read as open):
    A and a laptop joining later keep nothing of it, the server ends with its tombstone, and
    the person stays erased."""
    from desktop_app.usecases import data_rights, people, visits
    from desktop_app.usecases import sync as sync_uc
    from tests.integration.sync_harness import live_people
    from tests.integration.test_sync_erasure_traces import _held_by_server, _only_tombstones

    a, b = laptops.new("A"), laptops.new("B")
    pid = add_person(a, "Радка", "Стоянова", "1990")
    helper = _helper(a)
    laptops.sync(a, b)
    data_rights.erase_person(a.store, a.user, pid)
    laptops.sync(a, b)
    b_helper = _helper(b)  # accounts stay on their laptop
    pending = sync_uc.status(b.store).pending_changes
    with pytest.raises(visits.PersonErased):
        access.set_openings(b.store, b.user, pid, [(b_helper, "health", True)])
    with pytest.raises(visits.PersonErased):  # nor for an id not in the records at all
        access.open_case_to_helper(b.store, b.user, "no-such-person", b_helper, "health")
    assert sync_uc.status(b.store).pending_changes == pending
    with b.store.reading() as db:
        assert db.scalars(select(CaseOpeningRow)).all() == []

    opening = "0f1e2d3c-4b5a-4968-8776-655443322110"
    values = {"person_id": pid, "helper_id": helper, "kind": "health"}
    push_state(b, record_state("case_opening", opening, values, b.store.device_id))
    laptops.sync(a)
    c = laptops.new("C")
    report = laptops.sync(c)[0]
    assert report.refused == 0
    for laptop in (a, c):
        with laptop.store.reading() as db:
            assert db.scalars(select(CaseOpeningRow)).all() == [], laptop.store.device_id
        assert _opened(laptop, pid) == {}
        assert pid not in live_people(laptop)
        assert people.get_person(laptop.store, laptop.user, pid) is None
    _only_tombstones(_held_by_server(laptops.server, {pid, opening}), {pid, opening})
