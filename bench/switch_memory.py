"""The window process's memory over five user switches at the lock, with 5,000 people.

Each switch locks the window, presses "Switch user" and logs in again, as a user does; the
old window is then deleted (``main_window.put_in_place``). Printed after each switch, once
the event loop and the collector have run: the process's resident memory (VmRSS), how many
main windows are alive, and how many objects the cycle collector tracks. Before the old
windows were freed, each switch left one more window (its list, person page and sync) in
memory; before a closed store dropped what the ORM had compiled for it, some 650 objects more
(its SQLAlchemy dialect, kept by each mapper's compiled cache). A figure, not a budget: the
windows alive must stay 1 and the objects level. RSS still rises by steps over the first
twenty or so switches (+16 MB by the 23rd, then level to the 40th in one run): freed memory
that glibc's allocator keeps for reuse (most of it in a worker thread's arena), not
objects alive; the heap in use stays level, and ``malloc_trim(0)`` gave half of it back.

Run: ``.venv/bin/python bench/switch_memory.py`` (the store is built once into bench/out).
"""

from __future__ import annotations

import gc
import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from _common import ACCOUNT, PASSWORD, big_store, compiled_catalogs

PEOPLE = 5_000
SWITCHES = 5


def _rss_mb() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS"):
            return int(line.split()[1]) / 1024
    return 0.0


def main() -> int:
    compiled_catalogs()
    data = big_store(PEOPLE)
    from PySide6.QtCore import QEvent, QTimer
    from PySide6.QtWidgets import QApplication

    from desktop_app.ui.application import collect_garbage_on_gui_thread, load_fonts
    from desktop_app.ui.lock import Locker
    from desktop_app.ui.login import LoginDialog
    from desktop_app.ui.main_window import MainWindow
    from desktop_app.usecases.accounts import log_in

    app = QApplication([])
    collect_garbage_on_gui_thread(app)
    load_fonts(app)

    def settle() -> None:
        deadline = time.monotonic() + 0.5
        while time.monotonic() < deadline:
            app.processEvents()
            QApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)
            time.sleep(0.02)
        gc.collect()

    def use(window: MainWindow) -> None:
        """A few pages of the list read and a person's page shown, as a user would."""
        model = window.model
        for row in range(0, min(model.rowCount(), 1000), 50):
            model.entry(row)
        window.table.selectRow(3)
        settle()

    def log_in_at_prompt() -> None:
        dialog = next(
            w
            for w in QApplication.topLevelWidgets()
            if isinstance(w, LoginDialog) and w.isVisible()
        )
        dialog.account.setText(ACCOUNT)
        dialog.password.setText(PASSWORD)
        dialog.buttons.accepted.emit()

    holder = [MainWindow(log_in(data, ACCOUNT, PASSWORD))]
    holder[0].resize(1366, 768)
    holder[0].show()
    use(holder[0])
    print(f"people={PEOPLE:,} start: rss_mb={_rss_mb():.1f} objects={len(gc.get_objects()):,}")
    for n in range(1, SWITCHES + 1):
        old = holder.pop()
        locker = old.locker  # type: ignore[attr-defined]
        assert isinstance(locker, Locker)
        locker.lock()
        QTimer.singleShot(50, log_in_at_prompt)
        assert locker.screen is not None
        locker.screen.switch_button.click()
        del old, locker
        settle()
        shown = [w for w in QApplication.topLevelWidgets() if isinstance(w, MainWindow)]
        current = next(w for w in shown if w.isVisible())
        holder.append(current)
        del shown, current
        use(holder[0])
        tracked = gc.get_objects()
        alive = sum(isinstance(o, MainWindow) for o in tracked)
        print(
            f"switch {n}: rss_mb={_rss_mb():.1f} main_windows_alive={alive} "
            f"objects={len(tracked):,}"
        )
        del tracked
    holder[0].close()
    holder[0].session.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
