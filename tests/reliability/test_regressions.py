"""Bugs the campaigns found, each pinned by a small deterministic test."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import delete, select

from desktop_app.storage.db import Store
from desktop_app.storage.models import OutboxRow
from desktop_app.storage.sync_models import ConflictRow, SyncedRevisionRow
from desktop_app.sync.engine import CURSOR, set_meta
from desktop_app.usecases import sync as sync_uc
from tests.integration.sync_harness import Laptops
from tests.reliability.campaigns import (
    add_person,
    edit_person,
    erase_person,
    read_person,
    running_server,
)


def test_a_push_stored_before_a_crash_is_not_pushed_again_forever(tmp_path: Path) -> None:
    """Client-crash campaign: SIGKILL after the server stored a push but before the laptop
    noted it. The re-push (fresh nonce) is a 'conflict' on the server; the laptop must learn
    from its own envelope coming back in the pull that the revision arrived."""
    with running_server(tmp_path) as server:
        group = Laptops(server, tmp_path)
        try:
            a = group.new("A")
            pid = add_person(a, "Crash", "Before Confirmation")
            group.sync(a)
            with a.store.transaction() as s:  # the state a kill after the push leaves behind
                s.execute(delete(SyncedRevisionRow).where(SyncedRevisionRow.record_id == pid))
                s.add(OutboxRow(record_kind="person", record_id=pid, revision=1, hlc="x"))
                set_meta(s, CURSOR, "0")
            assert sync_uc.status(a.store).pending_changes == 1
            report = group.sync(a)[0]
            assert report.pushed == 0 and report.refused == 0
            assert sync_uc.status(a.store).pending_changes == 0
        finally:
            group.close()


def _conflicts_about(store: Store, person_id: str) -> list[tuple[str, str]]:
    with store.reading() as s:
        return [
            (r.kept_value, r.other_value)
            for r in s.scalars(select(ConflictRow).where(ConflictRow.record_id == person_id))
        ]


def _sync_all(group: Laptops, rounds: int = 2) -> None:
    for _ in range(rounds):
        group.sync()


def _assert_erased_everywhere(group: Laptops, pid: str) -> None:
    """After a final round of syncs: the person, and every conflict about them, gone everywhere."""
    _sync_all(group)
    for laptop in group.sessions:
        assert read_person(laptop.store, pid) is None
        assert _conflicts_about(laptop.store, pid) == []
        assert sync_uc.open_conflicts(laptop.store) == []
        assert sync_uc.status(laptop.store).pending_changes == 0


def test_a_conflict_about_a_person_erased_in_the_same_pull_is_not_recorded(
    tmp_path: Path,
) -> None:
    """Model-based sync test: B and C change the same field; A erases the person; B then pulls
    C's change and A's tombstone in one page. B used to record the conflict (with both values)
    and push it: an open conflict holding an erased person's data, on every laptop."""
    with running_server(tmp_path) as server:
        group = Laptops(server, tmp_path)
        try:
            a, b, c = group.new("A"), group.new("B"), group.new("C")
            pid = add_person(a, "Erased", "Later")
            group.sync(a, b, c)
            edit_person(b, pid, "notes", "secret of B")
            edit_person(c, pid, "notes", "secret of C")
            group.sync(c)
            assert erase_person(a, pid)
            group.sync(a)
            report = group.sync(b)[0]
            assert report.conflicts == 0
            _assert_erased_everywhere(group, pid)
        finally:
            group.close()


def test_a_conflict_found_before_the_erasure_arrives_goes_with_the_person(tmp_path: Path) -> None:
    """B records a conflict about a person and pushes it; A erases the person without having
    seen it. A must not take the conflict in (it holds two of the person's values), and B must
    drop it when the tombstone arrives: no open conflict, no data, on any laptop."""
    with running_server(tmp_path) as server:
        group = Laptops(server, tmp_path)
        try:
            a, b, c = group.new("A"), group.new("B"), group.new("C")
            pid = add_person(a, "Erased", "Afterwards")
            group.sync(a, b, c)
            edit_person(c, pid, "phone", "0176 2222222")
            edit_person(b, pid, "phone", "0176 1111111")
            group.sync(c)
            assert group.sync(b)[0].conflicts == 1  # pushed with B's merged state
            assert len(_conflicts_about(b.store, pid)) == 1
            assert erase_person(a, pid)  # A has not pulled the conflict yet
            group.sync(a)  # pulls the conflict (dropped: the person is erased here), pushes
            assert _conflicts_about(a.store, pid) == []
            _assert_erased_everywhere(group, pid)
        finally:
            group.close()


def test_a_conflict_found_by_the_last_laptop_of_a_round_reaches_the_others(
    tmp_path: Path,
) -> None:
    """Model-based sync test, "conflicts did not travel": after a round in which B found a
    conflict, the people agree on every laptop and nothing is pending, yet A (synced before B)
    lacks the conflict until its next sync. The campaigns' ``converge`` now also waits for the
    open conflicts to agree; this pins that the conflict does arrive."""
    with running_server(tmp_path) as server:
        group = Laptops(server, tmp_path)
        try:
            a, b, c = group.new("A"), group.new("B"), group.new("C")
            pid = add_person(a, "Two", "Phones")
            group.sync(a, b, c)
            edit_person(b, pid, "phone", "0176 1111111")
            edit_person(c, pid, "phone", "0176 2222222")
            group.sync(c)
            group.sync(a, b, c)
            assert len(sync_uc.open_conflicts(b.store)) == 1
            assert sync_uc.open_conflicts(a.store) == []  # A synced before B found it
            group.sync(a)
            ids = [{x.id for x in sync_uc.open_conflicts(s.store)} for s in (a, b, c)]
            assert ids[0] == ids[1] == ids[2] and len(ids[0]) == 1
        finally:
            group.close()
