"""The write-ahead log is copied into the database after a sync, not in the middle of its
transactions (``Store.checkpoints_deferred``), and durability stays as it was."""

from __future__ import annotations

import hashlib
from typing import Any

from desktop_app.domain.demo import generate_people
from desktop_app.storage import db as storage_db
from desktop_app.usecases import people

# People a batch: some 700 KB of log each, so that four batches pass SQLite's own checkpoint
# threshold (1,000 pages of 4 KiB) more than once.
BATCH = 500


def _database_digest(store: Any) -> str:
    """The database file itself, without its log: it changes only when a checkpoint runs."""
    return hashlib.sha256(store.paths.database.read_bytes()).hexdigest()


def _wal_bytes(store: Any) -> int:
    wal = store.paths.database.with_name(store.paths.database.name + "-wal")
    return wal.stat().st_size if wal.exists() else 0


def _write_batches(session: Any, seeds: range, seen: list[str]) -> None:
    for seed in seeds:
        people.register_many(session.store, session.user, generate_people(BATCH, seed=seed))
        seen.append(_database_digest(session.store))


def test_sqlite_checkpoints_by_itself_in_the_transactions_of_ordinary_writes(
    session: Any,
) -> None:
    """The threshold deferring raises: without it, the same writes reach the database file in
    the middle of the batches (where a sync's transactions met it)."""
    store = session.store
    store.checkpoint()
    before = _database_digest(store)
    seen: list[str] = []
    _write_batches(session, range(4), seen)
    assert seen[-1] != before


def test_writes_while_checkpoints_are_deferred_stay_in_the_log_until_the_end(
    session: Any,
) -> None:
    store = session.store
    store.checkpoint()
    before = _database_digest(store)
    seen: list[str] = []
    with store.checkpoints_deferred():
        _write_batches(session, range(2), seen)
        with store.checkpoints_deferred():  # nested (a sync inside a longer pass): no checkpoint
            _write_batches(session, range(2, 4), seen)
        _write_batches(session, range(4, 5), seen)
        # Committed as ever: FULL, each commit synced to the log on disk.
        with store.transaction() as db:
            assert db.connection().exec_driver_sql("PRAGMA synchronous").scalar() == 2
        assert seen == [before] * 5  # nothing copied into the database file meanwhile
        assert _wal_bytes(store) > 1000 * 4096  # past SQLite's own threshold
    # One checkpoint when the block ended: all of the log is in the database.
    assert _database_digest(store) != before
    busy, logged, copied = store.checkpoint()
    assert busy == 0 and logged == copied
    # The threshold is back: the next writes are checkpointed as before.
    after = _database_digest(store)
    _write_batches(session, range(5, 9), seen)
    assert seen[-1] != after


def test_the_log_is_cut_back_once_written_again_from_its_start(session: Any) -> None:
    """A checkpointed log is written again from its start by the next commit, which cuts the
    file to ``WAL_SIZE_LIMIT``: a first sync's log does not keep its size on disk."""
    store = session.store
    with store.checkpoints_deferred():
        _write_batches(session, range(5), [])
        assert _wal_bytes(store) > storage_db.WAL_SIZE_LIMIT
    people.register_many(store, session.user, generate_people(3, seed=99))
    assert 0 < _wal_bytes(store) <= storage_db.WAL_SIZE_LIMIT
