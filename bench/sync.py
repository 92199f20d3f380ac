"""Sync through real encrypted stores on loopback: a 10,000-person first sync, a sync with
nothing to do, and a sync of one changed record.

Budgets (quality.md): first sync (push by one laptop + pull by another) <= 5 s and <= 10 x
sending the same ciphertext bytes by plain HTTP in the same run; nothing to do <= 150 ms;
one changed record <= 300 ms. Uses $WELCOME_DESK_TEST_PG_URL when set, else SQLite.
"""

from __future__ import annotations

import os
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

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


def main() -> int:
    folder = Path(tempfile.mkdtemp(prefix="wd-bench-sync-"))
    try:
        with database(None) as db_url, server(db_url) as base:
            a, b = two_laptops(folder, db_url, base)
            drafts = generate_people(RECORDS, seed=5)
            t = time.perf_counter()
            people.register_many(a.store, a.user, drafts)
            import_s = time.perf_counter() - t  # for scale: the same people, stored locally

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
            a.close()
            b.close()
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    first = push_s + pull_s
    print(
        f"first sync of {RECORDS:,} people: push {push_s:.2f} s, pull {pull_s:.2f} s; "
        f"plain HTTP of the same {sum(map(len, bodies)) / 1e6:.1f} MB: {baseline:.2f} s"
    )
    print(
        f"  laptops' CPU: push {push_cpu:.2f} s, pull {pull_cpu:.2f} s; for scale, importing "
        f"the same people into one laptop took {import_s:.2f} s"
    )
    print(cpu_line.replace("load generator", "laptops"))
    # The budget proposed in place of "<= 10 x plain HTTP", which a laptop that stores what it
    # receives cannot meet (writing the people alone takes some 25 x): see issue 5's notes.
    print(
        f"  first sync / importing the same people: {first / import_s:.2f} x "
        "(proposed budget: <= 2.5 x)"
    )
    return report(
        [
            ("first sync, push + pull (s)", first, "<= 5 s", first <= 5),
            ("ratio to plain HTTP", first / baseline, "<= 10 x", first / baseline <= 10),
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


if __name__ == "__main__":
    sys.exit(main())
