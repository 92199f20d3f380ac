"""A pull over many pages, applied several pages per transaction while the next page is
fetched, cut off by a server crash at chosen points: whole pages are kept with their cursor,
and the retry brings the rest with nothing lost or doubled (architecture property 9)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from desktop_app.domain.person import PersonDraft
from desktop_app.domain.users import Role
from desktop_app.storage import db as storage_db
from desktop_app.sync import engine
from desktop_app.sync.http_client import Offline, SyncServerClient
from desktop_app.usecases import people
from desktop_app.usecases import sync as sync_uc
from desktop_app.usecases.accounts import Session, create_first_account
from tests.integration.sync_harness import ServerProcess, approve_and_confirm

PEOPLE = 40


def _laptop(server: ServerProcess, tmp_path: Path, name: str) -> Session:
    session = create_first_account(tmp_path / name, "anna", name, "laptop password 1")
    sync_uc.join(session.store, server.base_url, server.enroll(name), name)
    return session


def _rows(session: Session) -> tuple[list[str], list[tuple[str, str, str]], list[str]]:
    """Person ids, search tokens by person id, and synced record ids (each as stored)."""
    with session.store.reading() as s:
        conn = s.connection()
        ids = [r[0] for r in conn.exec_driver_sql("SELECT id FROM people ORDER BY id")]
        tokens = conn.exec_driver_sql(
            "SELECT p.id, t.token, t.sort_key FROM search_tokens t "
            "JOIN people p ON p.pk = t.person_pk ORDER BY 1, 2, 3"
        ).all()
        synced = [r[0] for r in conn.exec_driver_sql("SELECT record_id FROM synced_revisions")]
    return ids, [tuple(t) for t in tokens], synced


# The pull calls: 1 fetches page 1; 2 and 3 are fetched while pages 1 and 2 are applied (one
# transaction of APPLY_GROUP records). Failing call 3 cuts the pull between two transactions;
# failing call 4 cuts it while page 3's transaction waits for page 4.
@pytest.mark.parametrize(("failing_call", "kept"), [(3, 10), (4, 15)])
def test_a_pull_cut_off_by_a_server_crash_resumes_without_loss_or_doubles(
    server: ServerProcess,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    failing_call: int,
    kept: int,
) -> None:
    a, b = _laptop(server, tmp_path, "A"), _laptop(server, tmp_path, "B")
    try:
        approve_and_confirm(a, b, role=Role.COORDINATOR)
        drafts = [
            PersonDraft(f"Name{i}", f"Family{i % 7}", phone=f"0176 {i:07d}") for i in range(PEOPLE)
        ]
        people.register_many(a.store, a.user, drafts)
        assert sync_uc.sync_now(a.store).pushed >= PEOPLE
        with sync_uc.client_for(a.store) as client:
            stored = client.pull(0, 1000).envelopes

        monkeypatch.setattr(engine, "PULL_PAGE", 5)
        monkeypatch.setattr(engine, "APPLY_GROUP", 10)
        monkeypatch.setattr(engine, "APPLY_SECONDS", 60.0)  # group by records only
        real_pull = SyncServerClient.pull
        calls: list[int] = []

        def pull(self: SyncServerClient, cursor: int = 0, limit: int = 500) -> object:
            calls.append(cursor)
            if len(calls) == failing_call:
                server.kill()  # a crash, as the request goes out
            return real_pull(self, cursor, limit)

        monkeypatch.setattr(SyncServerClient, "pull", pull)
        with pytest.raises(Offline):
            sync_uc.sync_now(b.store, max_retries=1, backoff_base=0.01)

        # Whole pages were kept, with the cursor right after the last of them.
        assert b.store.meta(engine.CURSOR) == str(stored[kept - 1].seq)
        ids, _tokens, synced = _rows(b)
        assert ids == sorted(e.record_id for e in stored[:kept] if e.kind == "person")
        assert sorted(synced) == sorted(e.record_id for e in stored[:kept])

        monkeypatch.setattr(SyncServerClient, "pull", real_pull)
        server.start()
        report = sync_uc.sync_now(b.store, max_retries=2, backoff_base=0.05)
        assert report.applied == len(stored) - kept and report.refused == 0
        assert b.store.meta(engine.CURSOR) == str(stored[-1].seq)
        # Every person once, indexed exactly as on the laptop that registered them.
        assert _rows(b)[:2] == _rows(a)[:2]
        assert len(_rows(b)[0]) == PEOPLE
        # Everything on the server: A's records and B's own (its user's confirmation of A).
        with sync_uc.client_for(b.store) as client:
            everything = client.pull(0, 1000).envelopes
        assert sorted(_rows(b)[2]) == sorted({e.record_id for e in everything})
        assert sync_uc.sync_now(b.store).applied == 0
    finally:
        a.close()
        b.close()


@pytest.mark.parametrize("window_writing", [False, True])
def test_a_write_the_window_waits_for_ends_a_long_pull_transaction_after_the_page_in_hand(
    server: ServerProcess,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    window_writing: bool,
) -> None:
    a, b = _laptop(server, tmp_path, "A"), _laptop(server, tmp_path, "B")
    try:
        approve_and_confirm(a, b, role=Role.COORDINATOR)
        drafts = [PersonDraft(f"Name{i}", f"Family{i % 7}") for i in range(PEOPLE)]
        people.register_many(a.store, a.user, drafts)
        sync_uc.sync_now(a.store)
        monkeypatch.setattr(engine, "PULL_PAGE", 5)
        monkeypatch.setattr(engine, "APPLY_GROUP", 10_000)
        monkeypatch.setattr(engine, "APPLY_SECONDS", 600.0)  # one transaction, unless asked
        monkeypatch.setattr(storage_db, "_MAX_YIELD_S", 0.05)
        if window_writing:
            # The file another process (here: the test runner's parent, which runs) keeps while
            # it is in or waiting for a transaction: as the window does while it saves.
            writers = b.store.paths.data_dir / storage_db.WRITERS_DIR
            writers.mkdir(exist_ok=True)
            (writers / str(os.getppid())).touch()
        committed: list[str | None] = []  # the cursor committed, as each page is reported

        def progress(phase: str, _done: int, _total: int) -> None:
            if phase == "pull":
                committed.append(b.store.meta(engine.CURSOR))

        report = sync_uc.sync_now(b.store, progress=progress)
        assert report.applied >= PEOPLE and len(committed) >= PEOPLE // 5
        if window_writing:
            # Each page was committed before the next one was applied.
            assert committed == sorted(set(committed), key=lambda c: int(c or 0))
        else:
            assert set(committed) == {"0"}  # all in one transaction
        assert len(_rows(b)[0]) == PEOPLE
    finally:
        a.close()
        b.close()
