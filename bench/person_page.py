"""Time to open a person's page on the demo data (5,000 people and a year of their visits,
referrals and quick contacts), with the summary of their latest check and open referrals.

Opening is ``MainWindow.show_person`` and the events it posts processed (the tabs read the
visits, the summary, the referrals; the views go to the audit log off the UI thread). The
people opened are those with the most visits and referrals. Also shown, same run: the summary's
use case alone, and the page opened with the summary left out (the baseline).
Budget (the summary's brief): p95 < 100 ms. Exits 1 when it is missed.
"""

from __future__ import annotations

import os
import sys
import time
from pathlib import Path
from typing import TYPE_CHECKING

sys.path.insert(0, str(Path(__file__).resolve().parent))
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from _common import compiled_catalogs, median, p95, report

if TYPE_CHECKING:
    from PySide6.QtWidgets import QApplication

    from desktop_app.ui.main_window import MainWindow
    from desktop_app.usecases.accounts import Session

BUDGET_P95_MS = 100.0
PEOPLE = 5_000
OPENED = 40  # the people with the most activity
ROUNDS = 5  # each opened this many times


def busiest(session: Session) -> list[str]:
    from sqlalchemy import func, select

    from desktop_app.storage.referrals_models import ReferralRow
    from desktop_app.storage.visits_models import VisitRow

    with session.store.reading() as db:
        counts: dict[str, int] = {}
        for model in (VisitRow, ReferralRow):
            for person_id, n in db.execute(
                select(model.person_id, func.count()).group_by(model.person_id)
            ):
                counts[person_id] = counts.get(person_id, 0) + n
    return sorted(counts, key=lambda p: -counts[p])[:OPENED]


def opening_times(app: QApplication, window: MainWindow, ids: list[str]) -> list[float]:
    samples = []
    for _round in range(ROUNDS):
        for person_id in ids:
            started = time.perf_counter()
            window.show_person(person_id)
            app.processEvents()
            samples.append((time.perf_counter() - started) * 1000)
    return samples


def main() -> int:
    compiled_catalogs()
    from PySide6.QtWidgets import QApplication

    from desktop_app.ui.application import load_fonts
    from desktop_app.ui.main_window import MainWindow
    from desktop_app.usecases.demo import open_demo_session
    from desktop_app.usecases.person_summary import person_summary

    app = QApplication([])
    load_fonts(app)
    session = open_demo_session(PEOPLE, activity=True)
    ids = busiest(session)
    window = MainWindow(session)
    window.resize(1366, 768)
    window.show()
    app.processEvents()
    opening_times(app, window, ids[:5])  # warm-up: imports, first layouts
    with_summary = opening_times(app, window, ids)

    summaries = []
    for person_id in ids * ROUNDS:
        started = time.perf_counter()
        person_summary(session.store, session.user, person_id, log_view=False)
        summaries.append((time.perf_counter() - started) * 1000)

    tab = window.visits.tab  # type: ignore[attr-defined]
    shown = tab.show_summary
    tab.show_summary = lambda **_kw: None  # the baseline: the page as it was without it
    without = opening_times(app, window, ids)
    tab.show_summary = shown
    window.close()
    session.close()

    visits = len(ids)
    print(f"{PEOPLE:,} demo people; the {visits} busiest opened {ROUNDS} times each")
    print(
        f"page opened, median {median(with_summary):.1f} ms; without the summary (baseline) "
        f"median {median(without):.1f} ms, p95 {p95(without):.1f} ms"
    )
    print(f"summary use case alone: median {median(summaries):.2f} ms, p95 {p95(summaries):.2f} ms")
    return report(
        [
            (
                "person page opened, p95 (ms)",
                p95(with_summary),
                f"< {BUDGET_P95_MS:.0f} ms",
                p95(with_summary) < BUDGET_P95_MS,
            )
        ]
    )


if __name__ == "__main__":
    raise SystemExit(main())
