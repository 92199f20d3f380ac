"""The UI thread's pause for a full cycle collection in the running window, with the demo's
people (5,000 and 10,000, a year of their activity), against a bare interpreter.

The program collects on the UI thread only (``ui/application.py``, ``GuiThreadCollector``) and
freezes what is alive once a window's features are installed (``desktop_app/memory.py``). Each
child process here starts the window as the program does (the collector installed and told to
freeze, the features installed, their settling time waited for), then uses it: the list read
to its end, searches, person pages opened. Then, alternately, it times ``gc.collect(2)``:
- frozen (as now);
- with what was frozen given back (``memory.thaw``: as before, every object walked), frozen
  again afterwards.
Baseline: the same full collection in a bare interpreter that imported the same modules
(PySide6, the window's and the features' modules, Babel's data of the UI language) and made a
QApplication, with no store and no window; run before and after the windows.
Budgets: the frozen collection <= 30 ms and <= 1.0 x the bare interpreter's.
"""

from __future__ import annotations

import gc
import json
import os
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from _common import ROOT, compiled_catalogs, median, report

PEOPLE = (5_000, 10_000)
ROUNDS = 9  # full collections timed per window
ALTERNATIONS = 2  # processes of each mode and size, in turn
BARE_ROUNDS = 9
BUDGET_MS = 30.0
BUDGET_RATIO = 1.0


def _full_ms() -> float:
    started = time.perf_counter()
    gc.collect(2)
    return (time.perf_counter() - started) * 1000


def _imports() -> None:
    import desktop_app.ui.features
    import desktop_app.ui.main_window
    import desktop_app.usecases.accounts  # noqa: F401
    from desktop_app.i18n.formatting import load_locale_data

    load_locale_data()


def bare() -> dict[str, float]:
    from PySide6.QtWidgets import QApplication

    _imports()
    app = QApplication([])
    gc.collect()
    samples = [_full_ms() for _ in range(BARE_ROUNDS)]
    del app
    return {"ms": median(samples), "walked": len(gc.get_objects())}


def window(people: int, freezing: bool) -> dict[str, float]:
    from PySide6.QtWidgets import QApplication

    from desktop_app import memory
    from desktop_app.ui.application import (
        GC_SETTLE_S,
        collect_garbage_on_gui_thread,
        load_fonts,
    )
    from desktop_app.ui.main_window import MainWindow
    from desktop_app.usecases.demo import open_demo_session

    app = QApplication([])
    collector = collect_garbage_on_gui_thread(app)
    if freezing:
        collector.freeze_when_settled()  # as the program does
    load_fonts(app)
    session = open_demo_session(people, activity=True)
    win = MainWindow(session, defer_features=True)
    win.resize(1366, 768)
    win.show()
    app.processEvents()
    win.install_features()
    deadline = time.monotonic() + GC_SETTLE_S + 0.5  # as long in both modes
    while time.monotonic() < deadline:
        app.processEvents()
        time.sleep(0.02)
    if memory.is_frozen() != freezing:
        raise SystemExit(f"frozen: {memory.is_frozen()}, expected {freezing}")
    _use(app, win)
    gc.collect()
    samples = []
    for _ in range(ROUNDS):
        app.processEvents()
        samples.append(_full_ms())
    walked = len(gc.get_objects())  # (the permanent generation is not listed)
    frozen = gc.get_freeze_count()
    # What was frozen and became garbage in cycles meanwhile: held until the store closes.
    memory.thaw()
    held = gc.collect()
    win.close()
    session.close()
    return {"ms": median(samples), "walked": walked, "frozen": frozen, "held": held}


def _use(app: object, win: object) -> None:
    """The list read to its end, a few searches, 20 person pages opened."""
    from PySide6.QtWidgets import QApplication

    from desktop_app.ui.main_window import MainWindow

    assert isinstance(app, QApplication) and isinstance(win, MainWindow)
    from desktop_app.ui.people_model import PAGE

    model = win.model
    for row in range(0, model.rowCount(), PAGE):  # every page, as scrolling reads them
        model.entry(row)
        for column in range(model.columnCount()):
            model.data(model.index(row, column))
    win.table.scrollToBottom()
    app.processEvents()
    for query in ("pop", "ion", "maria", "1990", "dimitrov"):
        win.search.setText(query)
        app.processEvents()
        win.tasks.wait(5000)
        app.processEvents()
    win.search.clear()
    win.tasks.wait(5000)
    app.processEvents()
    for row in range(0, min(model.rowCount(), 2000), 100):
        entry = model.entry(row)
        if entry is not None:
            win.show_person(entry.id)
            app.processEvents()
    win.tasks.wait(5000)
    app.processEvents()


def _child(*args: str) -> dict[str, float]:
    done = subprocess.run(
        [sys.executable, __file__, "--child", *args],
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=600,
        check=False,
    )
    if done.returncode:
        raise SystemExit(f"child {args} failed:\n{done.stderr[-3000:]}")
    return dict(json.loads(done.stdout.strip().splitlines()[-1]))


def main() -> int:
    compiled_catalogs()
    bares = [_child("bare")]
    now: dict[int, list[dict[str, float]]] = {n: [] for n in PEOPLE}
    before: dict[int, list[dict[str, float]]] = {n: [] for n in PEOPLE}
    for _ in range(ALTERNATIONS):  # each mode's processes in turn: the machine's speed varies
        for people in PEOPLE:
            before[people].append(_child("window", str(people), "as-before"))
            now[people].append(_child("window", str(people), "freezing"))
        bares.append(_child("bare"))
    base = median([b["ms"] for b in bares])
    print(
        f"bare interpreter (PySide6, the window's and features' modules, Babel's data; no "
        f"store): full collection median {base:.1f} ms over {len(bares)} processes "
        f"({[round(b['ms'], 1) for b in bares]}), {int(bares[0]['walked']):,} tracked objects"
    )
    rows = []
    for people in PEOPLE:
        a = median([w["ms"] for w in now[people]])
        b = median([w["ms"] for w in before[people]])
        print(
            f"{people:,} people (list read to its end, searches, 20 person pages opened): "
            f"full collection now {a:.1f} ms {[round(w['ms'], 1) for w in now[people]]}, "
            f"{int(now[people][0]['walked']):,} objects walked "
            f"({int(now[people][0]['frozen']):,} frozen, of which "
            f"{int(now[people][0]['held']):,} were garbage by then, held until the store "
            f"closed); as before (nothing frozen) {b:.1f} ms "
            f"{[round(w['ms'], 1) for w in before[people]]}, "
            f"{int(before[people][0]['walked']):,} walked; ratio to the bare interpreter's: "
            f"now {a / base:.2f}x, before {b / base:.2f}x"
        )
        rows.append(
            (
                f"full collection, {people:,} people (ms)",
                a,
                f"<= {BUDGET_MS:.0f} ms",
                a <= BUDGET_MS,
            )
        )
        rows.append(
            (
                f"the same, ratio to the bare interpreter's, {people:,}",
                a / base,
                f"<= {BUDGET_RATIO:.1f} x",
                a / base <= BUDGET_RATIO,
            )
        )
    print(f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores")
    return report(rows)


if __name__ == "__main__":
    if sys.argv[1:2] == ["--child"]:
        result = (
            bare() if sys.argv[2] == "bare" else window(int(sys.argv[3]), sys.argv[4] == "freezing")
        )
        print(json.dumps(result))
        sys.stdout.flush()
        os._exit(0)  # (Qt's teardown is not measured)
    raise SystemExit(main())
