"""The audit log: every view and change is recorded, and tampering is detected."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import delete, select, update

from desktop_app.domain.permissions import PermissionDenied
from desktop_app.domain.person import PersonDraft
from desktop_app.domain.users import Role
from desktop_app.storage.audit_models import AuditRow
from desktop_app.storage.models import MetaRow, OutboxRow
from desktop_app.usecases import accounts, audit, people
from desktop_app.usecases.accounts import Session


def _some_entries(session: Session) -> str:
    person = people.register_person(session.store, session.user, PersonDraft("Ana", "Pop"))
    for _ in range(3):
        people.get_person(session.store, session.user, person.id)
    return person.id


def test_register_and_view_are_logged_with_outbox_rows(session: Session) -> None:
    pid = _some_entries(session)
    entries = audit.list_entries(session.store, session.user, record_id=pid)
    assert [e.action for e in entries] == ["view", "view", "view", "create"]
    assert all(e.user_id == session.user.id for e in entries)
    assert all(e.device_id == session.store.device_id for e in entries)
    with session.store.reading() as db:
        ids = set(db.scalars(select(OutboxRow.record_id).where(OutboxRow.record_kind == "audit")))
    assert {e.id for e in entries} <= ids
    assert audit.verify_chain(session.store) == []
    today = dt.datetime.now(dt.UTC).date()
    assert audit.list_entries(session.store, session.user, action="create", since=today)
    assert not audit.list_entries(session.store, session.user, until=today - dt.timedelta(1))


def test_details_hold_no_names(session: Session) -> None:
    _some_entries(session)
    with session.store.reading() as db:
        texts = [r.details + r.record_id for r in db.scalars(select(AuditRow))]
    assert not any("Pop" in t or "Ana" in t for t in texts)


@pytest.mark.parametrize("column", ["action", "user_id", "details", "at"])
def test_a_modified_entry_is_detected(session: Session, column: str) -> None:
    _some_entries(session)
    value = {"action": "print", "user_id": "x", "details": '{"a":1}', "at": "0"}[column]
    with session.store.transaction() as db:
        db.execute(update(AuditRow).where(AuditRow.seq == 2).values({column: value}))
    problems = audit.verify_chain(session.store)
    assert [(p.seq, p.code) for p in problems] == [(2, "hash_mismatch")]


def test_deleted_reordered_or_cut_entries_are_detected(session: Session) -> None:
    _some_entries(session)
    store = session.store
    with store.transaction() as db:
        db.execute(delete(AuditRow).where(AuditRow.seq == 3))
    assert {p.code for p in audit.verify_chain(store)} >= {"gap", "broken_link"}


def test_rechained_fake_entry_still_breaks_the_next_link(session: Session) -> None:
    _some_entries(session)
    store = session.store
    with store.transaction() as db:
        row = db.scalar(select(AuditRow).where(AuditRow.seq == 2))
        assert row is not None
        row.action = "print"
        row.hash = audit._entry_hash(row)  # the forger recomputes this entry's hash
    assert [p.code for p in audit.verify_chain(store)] == ["broken_link"]


def test_cut_off_newest_entry_is_detected(session: Session) -> None:
    _some_entries(session)
    store = session.store
    with store.transaction() as db:
        newest = db.scalar(select(AuditRow.seq).order_by(AuditRow.seq.desc()).limit(1))
        db.execute(delete(AuditRow).where(AuditRow.seq == newest))
    assert [p.code for p in audit.verify_chain(store)] == ["head_mismatch"]


def test_only_coordinators_read_the_audit_log(session: Session) -> None:
    accounts.add_user(session, "eva", "Eva", Role.ADVISOR, "advisor pass 1")
    eva = accounts.log_in(session.store.paths.data_dir, "eva", "advisor pass 1")
    try:
        with pytest.raises(PermissionDenied):
            audit.list_entries(eva.store, eva.user)
    finally:
        eva.close()


def test_entries_written_from_two_threads_at_once_keep_one_chain(session: Session) -> None:
    """A letter preview (on a worker) and a list view (on the UI thread) audit at the same
    moment: each entry gets its own place in the chain, none is refused."""
    import threading

    from desktop_app.usecases import audit as audit_uc

    store, user = session.store, session.user
    before = len(audit_uc.list_entries(store, user))
    start = threading.Barrier(2)
    failures: list[BaseException] = []

    def write(kind: str) -> None:
        start.wait(timeout=10)
        try:
            for i in range(40):
                audit_uc.record(store, user, audit_uc.AuditAction.VIEW, kind, f"{kind}-{i}")
        except BaseException as exc:  # reported below
            failures.append(exc)

    threads = [threading.Thread(target=write, args=(k,)) for k in ("letter", "referrals")]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    assert failures == []
    entries = audit_uc.list_entries(store, user)
    assert len(entries) == before + 80
    assert audit_uc.verify_chain(store) == []


_AUDIT_WRITER = """
import sys
from pathlib import Path
from desktop_app.domain.users import Role, User
from desktop_app.storage.db import StorePaths, open_with_key
from desktop_app.usecases import audit

data_dir, key, user_id, kind = sys.stdin.readline().split()
store = open_with_key(StorePaths(Path(data_dir)), bytes.fromhex(key))
user = User(user_id, "anna", "Anna", Role.COORDINATOR)
print("ready", flush=True)
sys.stdin.readline()  # go
for i in range(60):
    audit.record(store, user, audit.AuditAction.VIEW, kind, f"{kind}-{i}")
store.close()
print("done", flush=True)
"""


def test_entries_written_from_two_processes_at_once_keep_one_chain(session: Session) -> None:
    """The window and its sync process write to one store: each writing transaction waits for
    the other's instead of failing, and reads the chain's head the other one left."""
    import subprocess
    import sys

    store, user = session.store, session.user
    before = len(audit.list_entries(store, user))
    writers = [
        subprocess.Popen(
            [sys.executable, "-c", _AUDIT_WRITER],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )
        for _ in range(2)
    ]
    outputs = []
    try:
        for writer, kind in zip(writers, ("letter", "referrals"), strict=True):
            assert writer.stdin is not None and writer.stdout is not None
            writer.stdin.write(f"{store.paths.data_dir} {session.key.hex()} {user.id} {kind}\n")
            writer.stdin.flush()
            assert writer.stdout.readline().strip() == "ready", writer.stdout.read()[-2000:]
        for writer in writers:  # both start at once
            assert writer.stdin is not None
            writer.stdin.write("go\n")
            writer.stdin.flush()
        for writer in writers:
            outputs.append(writer.communicate(timeout=120)[0])
    finally:
        for writer in writers:
            writer.kill()
            writer.communicate()
    for writer, out in zip(writers, outputs, strict=True):
        assert writer.returncode == 0 and out.strip() == "done", out[-2000:]
    entries = audit.list_entries(store, user)
    assert len(entries) == before + 120
    assert audit.verify_chain(store) == []


def test_a_laptops_first_entries_written_in_one_transaction_chain_one_after_another(
    session: Session,
) -> None:
    """The first entry makes the head row; the next ones in the same transaction found it
    pending, not in the session's identity map: the second added a second head row, and the
    third chained to the first again (seq 1, 2, 2: the store refused the transaction)."""
    with session.store.transaction() as db:  # a laptop's log with no entry of its own yet
        db.execute(delete(AuditRow).where(AuditRow.device_id == session.store.device_id))
        db.execute(delete(MetaRow).where(MetaRow.key == audit.HEAD_KEY))
    with session.store.transaction() as db:
        written = [
            audit.record_in(db, session.store, session.user.id, "view", "person", f"p{n}")
            for n in range(4)
        ]
    assert [e.seq for e in written] == [1, 2, 3, 4]
    assert audit.verify_chain(session.store) == []
    with session.store.reading() as db:
        assert db.get(MetaRow, audit.HEAD_KEY).value.startswith("4:")  # type: ignore[union-attr]
