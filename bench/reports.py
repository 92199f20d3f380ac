"""Dashboard figures for a year over 100,000 people and 300,000 visits; budget 1 s.

Bulk-inserts a year of generated visits, referrals and quick contacts into a copy of the shared
100,000-person bench store (built once into ``bench/out/reports-300000``, then reused; a cache
from before the latest migrations is migrated once, then analysed), copies
that into a temporary folder, then times ``build_report`` for the year and a month against a
plain ``COUNT(*)`` over the visits measured in the same run.
"""

from __future__ import annotations

import datetime as dt
import shutil
import sys
import tempfile
import time
from pathlib import Path

from _common import ACCOUNT, OUT, PASSWORD, big_store, median, report

VISITS = 300_000
BUDGET_S = 1.0
TODAY = dt.date(2026, 12, 31)


def activity_store() -> Path:
    """The 100,000-person store with a year of generated activity (built once, then reused)."""
    from sqlalchemy import select

    from desktop_app.storage.db import SCHEMA_HEAD
    from desktop_app.storage.models import PersonRow
    from desktop_app.usecases.accounts import log_in
    from desktop_app.usecases.report_demo import DemoActivity, generate_activity, insert_activity

    folder = OUT / f"reports-{VISITS}"
    marker = folder / "complete"
    if marker.exists():
        if marker.read_text() != SCHEMA_HEAD:
            # built before the latest migrations: migrate the cache once (opening does) and
            # refresh the planner's statistics for the new tables and indexes
            session = log_in(folder / "data", ACCOUNT, PASSWORD)
            with session.store.engine.connect() as conn:
                conn.exec_driver_sql("ANALYZE")
                conn.commit()
            session.close()
            marker.write_text(SCHEMA_HEAD)
            print(f"(migrated the cached store to {SCHEMA_HEAD})")
        return folder / "data"
    shutil.rmtree(folder, ignore_errors=True)
    shutil.copytree(big_store(), folder / "data")
    session = log_in(folder / "data", ACCOUNT, PASSWORD)
    store = session.store
    with store.reading() as s:
        ids = list(s.scalars(select(PersonRow.id).order_by(PersonRow.pk)))
    started = time.perf_counter()
    activity = generate_activity(
        ids,
        TODAY,
        seed=11,
        visits_per_person=6.0,
        devices=(store.device_id, "laptop-2", "laptop-3"),
        authors=(session.user.id,),
    )
    activity = DemoActivity(activity.visits[:VISITS], activity.referrals, activity.quick_contacts)
    insert_activity(store, activity)
    with store.engine.connect() as conn:
        conn.exec_driver_sql("ANALYZE")
        conn.commit()
    print(
        f"(inserted {len(activity.visits):,} visits, {len(activity.referrals):,} referrals, "
        f"{len(activity.quick_contacts):,} quick contacts in "
        f"{time.perf_counter() - started:.1f} s)"
    )
    session.close()
    marker.write_text(SCHEMA_HEAD)
    return folder / "data"


def main() -> int:
    from sqlalchemy import func, select

    import desktop_app.storage.models  # noqa: F401  (before any feature table module)
    from desktop_app.storage.visits_models import VisitRow
    from desktop_app.usecases.accounts import log_in
    from desktop_app.usecases.reports import build_report, parse_period

    source = activity_store()
    with tempfile.TemporaryDirectory(prefix="wd-bench-reports-") as tmp:
        data = Path(tmp) / "data"
        shutil.copytree(source, data)
        started = time.perf_counter()
        session = log_in(data, ACCOUNT, PASSWORD)
        store = session.store
        today = TODAY
        print(f"(opened the store in {time.perf_counter() - started:.1f} s)")

        def count_visits() -> int:
            with store.reading() as s:
                return int(s.scalar(select(func.count()).select_from(VisitRow)) or 0)

        year, month = parse_period("2026"), parse_period("2026-10")
        user = session.user
        build_report(store, user, year, as_of=today)  # warm the page cache: a reopened dashboard
        base, year_t, month_t = [], [], []
        for _ in range(5):
            t = time.perf_counter()
            count_visits()
            base.append(time.perf_counter() - t)
            t = time.perf_counter()
            figures = build_report(store, user, year, as_of=today)
            year_t.append(time.perf_counter() - t)
            t = time.perf_counter()
            build_report(store, user, month, as_of=today)
            month_t.append(time.perf_counter() - t)
        overview = figures.table("overview").as_dict()
        print("figures (year): " + ", ".join(f"{k} {v:,}" for k, v in overview.items()))
        baseline = median(base)
        print(f"baseline COUNT(*) over {count_visits():,} visits: {baseline * 1000:.1f} ms")
        print(f"ratio year report / COUNT(*): {median(year_t) / baseline:.1f}x")
        session.close()
    return report(
        [
            ("report for a year (s, median of 5)", median(year_t), f"<= {BUDGET_S} s",
             median(year_t) <= BUDGET_S),
            ("report for a month (s, median of 5)", median(month_t), f"<= {BUDGET_S} s",
             median(month_t) <= BUDGET_S),
            ("baseline COUNT(*) visits (s)", baseline, "(reference)", True),
        ]
    )  # fmt: skip


if __name__ == "__main__":
    sys.exit(main())
