"""Sync through real encrypted stores on loopback: a 10,000-person first sync, a sync with
nothing to do, and a sync of one changed record.

Budgets (quality.md): first sync (push by one laptop + pull by another) <= 5 s and <= 10 x
sending the same ciphertext bytes by plain HTTP in the same run; nothing to do <= 150 ms;
one changed record <= 300 ms. Uses $WELCOME_DESK_TEST_PG_URL when set, else SQLite.
The first sync is measured three times, each on a fresh server database with fresh laptops,
and the median run is reported (each run's figures are printed as it ends).
"""

from __future__ import annotations

import os
import shutil
import statistics
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
os.environ.setdefault("WELCOME_DESK_FAST_KDF", "1")

from _common import report
from sqlalchemy.engine import make_url
from sync_server_load import CpuShares, database, plain_http_seconds, server, two_laptops

from desktop_app.domain.demo import generate_people
from desktop_app.domain.person import PersonDraft
from desktop_app.usecases import people
from desktop_app.usecases import sync as sync_uc
from sync_server.db import resolve_database_url

RECORDS = 10_000
# First syncs, each on a fresh server database with two fresh laptops: the machine's speed
# varies by a fifth within minutes, so one run says little; the median is reported.
TRIALS = 3


@dataclass
class FirstSync:
    import_s: float  # the same people, stored locally (for scale)
    push_s: float
    pull_s: float
    push_cpu: float
    pull_cpu: float
    baseline: float  # the same ciphertext bytes by plain HTTP
    megabytes: float
    cpu_line: str

    @property
    def total(self) -> float:
        return self.push_s + self.pull_s


def first_sync(folder: Path, db_url: str, base: str) -> tuple[FirstSync, Any, Any]:
    """One laptop registers RECORDS people and pushes them; a second pulls them all."""
    a, b = two_laptops(folder, db_url, base)
    drafts = generate_people(RECORDS, seed=5)
    t = time.perf_counter()
    people.register_many(a.store, a.user, drafts)
    import_s = time.perf_counter() - t

    shares = CpuShares(make_url(resolve_database_url(db_url)).database or "")
    cpu = time.process_time()
    t = time.perf_counter()
    pushed = sync_uc.sync_now(a.store)
    push_s = time.perf_counter() - t
    push_cpu = time.process_time() - cpu
    cpu = time.process_time()
    t = time.perf_counter()
    pulled = sync_uc.sync_now(b.store)
    pull_s = time.perf_counter() - t
    pull_cpu = time.process_time() - cpu
    cpu_line = shares.summary(push_s + pull_s)
    # The people plus what travels with them (e.g. the audit entry of the import).
    assert pushed.pushed >= RECORDS and pulled.applied == pushed.pushed, (pushed, pulled)

    # The same ciphertext bytes, as the server hands them out, by plain HTTP.
    with sync_uc.client_for(b.store) as client:
        bodies, cursor = [], 0
        while True:
            page = client.pull(cursor, 500)
            bodies.append(page.model_dump_json().encode())
            cursor = page.next_cursor
            if not page.has_more:
                break
    baseline = plain_http_seconds(bodies)
    megabytes = sum(map(len, bodies)) / 1e6
    result = FirstSync(import_s, push_s, pull_s, push_cpu, pull_cpu, baseline, megabytes, cpu_line)
    return result, a, b


def main() -> int:
    folder = Path(tempfile.mkdtemp(prefix="wd-bench-sync-"))
    trials: list[FirstSync] = []
    try:
        for trial in range(TRIALS):
            with database(None) as db_url, server(db_url) as base:
                result, a, b = first_sync(folder / str(trial), db_url, base)
                trials.append(result)
                print(
                    f"first sync {trial + 1} of {TRIALS}: {result.total:.2f} s "
                    f"(push {result.push_s:.2f} s, pull {result.pull_s:.2f} s); "
                    f"plain HTTP {result.baseline:.2f} s; import {result.import_s:.2f} s",
                    flush=True,
                )
                if trial + 1 < TRIALS:
                    a.close()
                    b.close()
                    continue
                idle, one = idle_and_one_change(a, b)
                a.close()
                b.close()
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    shown = sorted(trials, key=lambda r: r.total)[len(trials) // 2]  # the median trial
    first = shown.total
    # The import is as noisy as the sync (1.3-2.4 s in one run): its own median, not the
    # one of the median sync's trial.
    imported = statistics.median(r.import_s for r in trials)
    print(
        f"median first sync of {RECORDS:,} people: push {shown.push_s:.2f} s, pull "
        f"{shown.pull_s:.2f} s; plain HTTP of the same {shown.megabytes:.1f} MB: "
        f"{shown.baseline:.2f} s"
    )
    print(
        f"  laptops' CPU: push {shown.push_cpu:.2f} s, pull {shown.pull_cpu:.2f} s; for scale, "
        f"importing the same people into one laptop took {imported:.2f} s (median of "
        f"{TRIALS})"
    )
    print(shown.cpu_line.replace("load generator", "laptops"))
    return report(
        [
            ("first sync, push + pull (s)", first, "<= 5 s", first <= 5),
            (
                "ratio to plain HTTP",
                first / shown.baseline,
                "<= 10 x",
                first / shown.baseline <= 10,
            ),
            # Proposed in place of "<= 10 x plain HTTP", which a laptop that stores what it
            # receives cannot meet (writing the people alone takes some 20 x): issue 5's notes.
            (
                "ratio to importing the same people (proposed in place of the one above)",
                first / imported,
                "<= 3 x",
                first / imported <= 3,
            ),
            (
                "nothing to do, median (ms)",
                statistics.median(idle) * 1000,
                "<= 150 ms",
                statistics.median(idle) <= 0.15,
            ),
            (
                "one changed record, median (ms)",
                statistics.median(one) * 1000,
                "<= 300 ms",
                statistics.median(one) <= 0.3,
            ),
        ]
    )


def idle_and_one_change(a: Any, b: Any) -> tuple[list[float], list[float]]:
    """Seconds of seven syncs with nothing to do, and of seven that pull one changed record."""
    idle = []
    for _ in range(7):
        t = time.perf_counter()
        sync_uc.sync_now(b.store)
        idle.append(time.perf_counter() - t)
    one = []
    for i in range(7):
        people.register_person(a.store, a.user, PersonDraft(f"Neu{i}", "Person"))
        sent = sync_uc.sync_now(a.store)
        t = time.perf_counter()
        got = sync_uc.sync_now(b.store)
        one.append(time.perf_counter() - t)
        # The person, and its audit entry where registering is audited.
        assert got.applied == sent.pushed >= 1, (sent, got)
    return idle, one


if __name__ == "__main__":
    sys.exit(main())
