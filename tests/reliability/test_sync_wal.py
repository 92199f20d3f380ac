"""The sync's write-ahead log: checkpointed after each sync, not in its transactions, so it
stays bounded over many syncs; and what a push noted is durable before any checkpoint (a laptop
killed right after the push returned finds its outbox as the server's answers left it)."""

from __future__ import annotations

import hashlib
import os
import signal
import subprocess
import sys
from pathlib import Path

from sqlalchemy import func, select

from desktop_app.domain.demo import generate_people
from desktop_app.storage import db as storage_db
from desktop_app.storage.models import OutboxRow, PersonRow
from desktop_app.storage.sync_models import SyncedRevisionRow
from desktop_app.usecases import people
from desktop_app.usecases import sync as sync_uc
from desktop_app.usecases.accounts import Session, log_in
from tests.integration.sync_harness import PASSWORD, Laptops
from tests.reliability.campaigns import running_server

ROOT = Path(__file__).resolve().parents[2]
ROUNDS = 8
PEOPLE_A_ROUND = 400  # some 600 KB of log a round on each laptop: 8 rounds pass the limit


def _wal_bytes(session: Session) -> int:
    wal = session.store.paths.database.with_name(session.store.paths.database.name + "-wal")
    return wal.stat().st_size if wal.exists() else 0


def test_the_log_stays_bounded_over_many_syncs(tmp_path: Path) -> None:
    with running_server(tmp_path) as server, Laptops(server, tmp_path) as group:
        a, b = group.new("A"), group.new("B")
        group.sync(a, b)
        database_sizes = []
        for round_ in range(ROUNDS):
            drafts = generate_people(PEOPLE_A_ROUND, seed=round_)
            people.register_many(a.store, a.user, drafts)
            pushed, pulled = group.sync(a, b)
            assert pulled.applied >= PEOPLE_A_ROUND and pushed.pushed == pulled.applied
            # The pull's pages are in B's database file as the sync returns: checkpointed
            # after it (its own transactions left them in the log).
            database_sizes.append(b.store.paths.database.stat().st_size)
            group.sync(a, b)  # nothing to do: a write each, from the log's start again
            for laptop in (a, b):
                assert 0 < _wal_bytes(laptop) <= storage_db.WAL_SIZE_LIMIT, (round_, laptop)
        assert database_sizes == sorted(set(database_sizes))  # grew with every round
        with b.store.reading() as db:
            assert db.scalar(select(func.count()).select_from(PersonRow)) == (
                ROUNDS * PEOPLE_A_ROUND
            )


# A laptop's sync process, killed by the test right after its push returned: inside a
# deferred-checkpoint block, so what the push noted is in the log only, not yet checkpointed.
_PUSH_THEN_WAIT = """
import sys, time
from pathlib import Path
from desktop_app.usecases import sync as sync_uc
from desktop_app.usecases.accounts import log_in
session = log_in(Path(sys.argv[1]), "anna", sys.stdin.readline().rstrip("\\n"))
with session.store.checkpoints_deferred():
    report = sync_uc.sync_now(session.store, max_retries=1, backoff_base=0.05)
    print("pushed", report.pushed, flush=True)
    time.sleep(600)
"""


def test_a_laptop_killed_after_its_push_returned_finds_its_outbox_as_the_server_left_it(
    tmp_path: Path,
) -> None:
    with running_server(tmp_path) as server, Laptops(server, tmp_path) as group:
        a, c = group.new("A"), group.new("C")
        people.register_many(a.store, a.user, generate_people(800, seed=3))
        data_dir = a.store.paths.data_dir
        a.close()  # the sync process has the store to itself
        database = data_dir / storage_db.DB_NAME
        before = hashlib.sha256(database.read_bytes()).hexdigest()
        env = {**os.environ, "WELCOME_DESK_FAST_KDF": "1", "PYTHONPATH": str(ROOT)}
        with subprocess.Popen(
            [sys.executable, "-c", _PUSH_THEN_WAIT, str(data_dir)],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
            env=env,
            cwd=ROOT,
        ) as child:
            try:
                assert child.stdin is not None and child.stdout is not None
                child.stdin.write(PASSWORD + "\n")
                child.stdin.close()
                line = child.stdout.readline()
                at_kill = hashlib.sha256(database.read_bytes()).hexdigest()
                child.send_signal(signal.SIGKILL)
            finally:
                child.kill()
        assert line.split()[0] == "pushed" and int(line.split()[1]) >= 800, line
        # What the push noted was in the log only: nothing checkpointed into the database.
        assert at_kill == before
        assert (data_dir / (storage_db.DB_NAME + "-wal")).stat().st_size > 0

        again = log_in(data_dir, "anna", PASSWORD)
        try:
            assert again.store.integrity_ok()
            with again.store.reading() as db:
                # Only what was written since (logging in is audited) waits to be sent.
                waiting = db.execute(select(OutboxRow.record_kind, OutboxRow.record_id)).all()
                noted = db.scalar(select(func.count()).select_from(SyncedRevisionRow))
            assert {kind for kind, _id in waiting} <= {"audit"}, waiting
            assert noted is not None and noted >= 800
            report = sync_uc.sync_now(again.store, max_retries=1, backoff_base=0.05)
            # Nothing sent twice: the server took the new entries only, refused none.
            assert report.pushed == len({record for _kind, record in waiting})
            assert report.refused == 0
        finally:
            again.close()
        (pulled,) = group.sync(c)
        assert pulled.refused == 0
        with c.store.reading() as db:
            assert db.scalar(select(func.count()).select_from(PersonRow)) == 800
