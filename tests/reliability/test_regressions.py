"""Bugs the campaigns found, each pinned by a small deterministic test."""

from __future__ import annotations

from pathlib import Path

from campaigns import add_person, running_server
from sqlalchemy import delete
from test_sync_client import Laptops

from desktop_app.storage.models import OutboxRow
from desktop_app.storage.sync_models import SyncedRevisionRow
from desktop_app.sync.engine import CURSOR, set_meta
from desktop_app.usecases import sync as sync_uc


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
