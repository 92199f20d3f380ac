"""Sync through real encrypted stores on loopback: a 10,000-person first sync, a sync with
nothing to do, and a sync of one changed record.

    python bench/sync.py [--activity] [--records 10000]

With --activity the first sync is a realistic one: people with their visits, referrals and a
consent each (the demo generator's shape, about 3.8 records a person), --records in all; the
time of applying what was pulled (merging and writing, inside the pull) is printed on its own.

Budgets (quality.md): first sync (push by one laptop + pull by another) <= 5 s and <= 10 x
sending the same ciphertext bytes by plain HTTP in the same run; nothing to do <= 150 ms;
one changed record <= 300 ms. Uses $WELCOME_DESK_TEST_PG_URL when set, else SQLite.
The first sync is measured three times, each on a fresh server database with fresh laptops,
and the median run is reported (each run's figures are printed as it ends).
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import resource
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
from desktop_app.storage.models import OutboxRow, table
from desktop_app.sync.engine import SyncEngine
from desktop_app.usecases import people
from desktop_app.usecases import sync as sync_uc
from sync_server.db import resolve_database_url

RECORDS = 10_000
# Records a person brings in --activity runs: the person, ~1.27 visits, ~0.55 referrals and
# one consent (generate_activity with one visit a person; the first consent of each person).
ACTIVITY_PER_PERSON = 3.8
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
    apply_s: float  # of the pull: merging and writing what was pulled (``_apply_page``)
    records: int  # records pushed (and pulled)

    @property
    def total(self) -> float:
        return self.push_s + self.pull_s


class _ApplyTimer:
    """Seconds spent in ``SyncEngine._apply_page`` while installed (the bench's own wrapper)."""

    def __init__(self) -> None:
        self.seconds = 0.0
        self._original = SyncEngine._apply_page

    def __enter__(self) -> _ApplyTimer:
        original = self._original

        def timed(engine: Any, *args: Any, **kwargs: Any) -> Any:
            t = time.perf_counter()
            try:
                return original(engine, *args, **kwargs)
            finally:
                self.seconds += time.perf_counter() - t

        SyncEngine._apply_page = timed  # type: ignore[method-assign,assignment]
        return self

    def __exit__(self, *exc: object) -> None:
        SyncEngine._apply_page = self._original  # type: ignore[method-assign]


def add_activity(a: Any) -> None:
    """Visits, referrals and a consent of each of the laptop's people, as its own records
    waiting to be pushed (the demo's rows, stamped by this laptop's clock, in the outbox)."""
    from sqlalchemy import insert, select

    from desktop_app.storage.models import PersonRow
    from desktop_app.usecases.report_demo import (
        DemoActivity,
        generate_activity,
        insert_activity,
    )

    with a.store.reading() as session:
        rows = session.execute(
            select(PersonRow.id, PersonRow.nationality).order_by(PersonRow.pk)
        ).all()
    activity = generate_activity(
        [row.id for row in rows],
        dt.date(2026, 6, 1),
        seed=5,
        visits_per_person=1.0,
        devices=(a.store.device_id,),
        authors=(a.user.id,),
        nationalities=[row.nationality for row in rows],
    )
    first: dict[str, dict[str, Any]] = {}
    for consent in activity.consents:
        first.setdefault(consent["person_id"], consent)
    activity = DemoActivity(activity.visits, activity.referrals, [], list(first.values()))
    outbox = []
    for kind, records in (
        ("visit", activity.visits),
        ("referral", activity.referrals),
        ("consent", activity.consents),
    ):
        for record in records:
            record["updated_hlc"] = hlc = str(a.store.clock.now())
            outbox.append(
                {"record_kind": kind, "record_id": record["id"], "revision": 1, "hlc": hlc}
            )
    insert_activity(a.store, activity)
    with a.store.transaction() as session:
        session.execute(insert(table(OutboxRow)), outbox)


def first_sync(
    folder: Path, db_url: str, base: str, records: int, activity: bool
) -> tuple[FirstSync, Any, Any]:
    """One laptop registers ``records`` people (with --activity: people with their visits,
    referrals and consents, about ``records`` records) and pushes them; a second pulls all."""
    a, b = two_laptops(folder, db_url, base)
    persons = round(records / ACTIVITY_PER_PERSON) if activity else records
    drafts = generate_people(persons, seed=5)
    t = time.perf_counter()
    people.register_many(a.store, a.user, drafts)
    if activity:
        add_activity(a)
    import_s = time.perf_counter() - t

    shares = CpuShares(make_url(resolve_database_url(db_url)).database or "")
    cpu = time.process_time()
    t = time.perf_counter()
    pushed = sync_uc.sync_now(a.store)
    push_s = time.perf_counter() - t
    push_cpu = time.process_time() - cpu
    cpu = time.process_time()
    t = time.perf_counter()
    with _ApplyTimer() as applying:
        pulled = sync_uc.sync_now(b.store)
    pull_s = time.perf_counter() - t
    pull_cpu = time.process_time() - cpu
    cpu_line = shares.summary(push_s + pull_s)
    # The people plus what travels with them (e.g. the audit entry of the import).
    assert pushed.pushed >= persons and pulled.applied == pushed.pushed, (pushed, pulled)
    assert not pulled.refused, pulled

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
    result = FirstSync(
        import_s,
        push_s,
        pull_s,
        push_cpu,
        pull_cpu,
        baseline,
        megabytes,
        cpu_line,
        applying.seconds,
        pushed.pushed,
    )
    return result, a, b


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--activity",
        action="store_true",
        help="people with their visits, referrals and consents (about --records in all)",
    )
    parser.add_argument("--records", type=int, default=RECORDS)
    args = parser.parse_args()
    what = "records (people with their visits, referrals, consents)" if args.activity else "people"
    folder = Path(tempfile.mkdtemp(prefix="wd-bench-sync-"))
    trials: list[FirstSync] = []
    try:
        for trial in range(TRIALS):
            with database(None) as db_url, server(db_url) as base:
                result, a, b = first_sync(
                    folder / str(trial), db_url, base, args.records, args.activity
                )
                trials.append(result)
                print(
                    f"first sync {trial + 1} of {TRIALS}: {result.total:.2f} s "
                    f"(push {result.push_s:.2f} s, pull {result.pull_s:.2f} s, of it applying "
                    f"{result.apply_s:.2f} s); plain HTTP {result.baseline:.2f} s; "
                    f"import {result.import_s:.2f} s; ratios {result.total / result.baseline:.1f} "
                    f"x plain HTTP, {result.total / result.import_s:.2f} x import",
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
        f"median first sync of {shown.records:,} {what}: push {shown.push_s:.2f} s, pull "
        f"{shown.pull_s:.2f} s (applying {shown.apply_s:.2f} s); plain HTTP of the same "
        f"{shown.megabytes:.1f} MB ({shown.megabytes * 1e6 / shown.records:,.0f} bytes a record "
        f"as pulled): {shown.baseline:.2f} s"
    )
    totals = sorted(r.total for r in trials)
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(
        f"  first syncs: min {totals[0]:.2f} s, median {statistics.median(totals):.2f} s; "
        f"applying: min {min(r.apply_s for r in trials):.2f} s, median "
        f"{statistics.median(r.apply_s for r in trials):.2f} s; peak memory of this process "
        f"(both laptops, {TRIALS} runs) {peak_mb:.0f} MB"
    )
    print(
        f"  laptops' CPU: push {shown.push_cpu:.2f} s, pull {shown.pull_cpu:.2f} s; for scale, "
        f"importing the same {what} into one laptop took {imported:.2f} s (median of "
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
                "ratio to importing the same records (proposed in place of the one above)",
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
