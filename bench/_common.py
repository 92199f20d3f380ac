"""Shared helpers for benchmarks: a generated 100,000-person store, percentiles, reporting."""

from __future__ import annotations

import os
import shutil
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
OUT = ROOT / "bench" / "out"
PASSWORD = "bench-password-1"
ACCOUNT = "bench"


def compiled_catalogs() -> None:
    """Compile every catalog whose .mo is missing or older than its .po. The program reads a
    stale .mo's .po instead (about 45 ms of parsing per language at start), which a start-up
    figure would count as the program's own: a developer's tree after editing a .po, not a
    user's installation, where the .mo files are built with the program."""
    from desktop_app.i18n.text import DOMAIN, translations_dir

    stale = [
        po
        for po in translations_dir().glob(f"*/LC_MESSAGES/{DOMAIN}.po")
        if not po.with_suffix(".mo").exists()
        or po.with_suffix(".mo").stat().st_mtime < po.stat().st_mtime
    ]
    if not stale:
        return
    from babel.messages.mofile import write_mo
    from babel.messages.pofile import read_po

    for po in stale:
        with po.open("rb") as fh:
            catalog = read_po(fh, locale=po.parent.parent.name)
        with po.with_suffix(".mo").open("wb") as fh:
            write_mo(fh, catalog)
    print(f"compiled {len(stale)} stale catalog(s) first (as `make compile`)")


def p95(samples: list[float]) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]


def median(samples: list[float]) -> float:
    return statistics.median(samples)


def big_store(people: int = 100_000) -> Path:
    """A data folder with ``people`` generated people (built once, reused by later runs)."""
    from desktop_app.domain.demo import generate_people
    from desktop_app.usecases.accounts import create_first_account
    from desktop_app.usecases.people import register_many

    folder = OUT / f"store-{people}"
    marker = folder / "complete"
    if marker.exists():
        return folder / "data"
    shutil.rmtree(folder, ignore_errors=True)
    started = time.perf_counter()
    session = create_first_account(folder / "data", ACCOUNT, "Bench", PASSWORD)
    drafts = generate_people(people, seed=7)
    for start in range(0, people, 10_000):
        register_many(session.store, session.user, drafts[start : start + 10_000])
    session.close()
    marker.write_text("ok")
    print(f"(built a store of {people:,} people in {time.perf_counter() - started:.1f} s)")
    return folder / "data"


def report(rows: list[tuple[str, float, str, bool]]) -> int:
    """Print ``name  value  budget  ok`` lines; return the exit code (1 if a budget is missed)."""
    width = max(len(r[0]) for r in rows)
    failed = False
    for name, value, budget, ok in rows:
        failed |= not ok
        print(f"{name:<{width}}  {value:10.3f}   budget {budget:<22} {'ok' if ok else 'MISSED'}")
    return 1 if failed else 0


os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
