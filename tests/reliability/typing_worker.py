"""A helper typing steadily into a visit form until the program is killed: the victim of the
draft crash test.

Usage: ``python tests/reliability/typing_worker.py --data-dir D --person ID --text T
--pace-ms N``, password on stdin. Opens the life-situation form of the person in the real
window (offscreen), says ``ready``, then types ``T`` into its notes one key every ``N`` ms,
without a pause, and says ``typed <count>`` after each key, until it is killed.
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
os.environ.setdefault("WELCOME_DESK_FAST_KDF", "1")
sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from PySide6.QtCore import Qt, QTimer
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication

from desktop_app.ui.application import load_fonts
from desktop_app.ui.visits import VisitWindow
from desktop_app.usecases import people
from desktop_app.usecases.accounts import log_in

ACCOUNT = "anna"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--data-dir", type=Path, required=True)
    parser.add_argument("--person", required=True)
    parser.add_argument("--text", required=True)
    parser.add_argument("--pace-ms", type=int, required=True)
    args = parser.parse_args(argv)
    app = QApplication([])
    load_fonts(app)
    session = log_in(args.data_dir, ACCOUNT, sys.stdin.readline().rstrip("\n"))
    person = people.get_person(session.store, session.user, args.person)
    assert person is not None
    win = VisitWindow(session, person, "life_situation")
    win.show()
    win.view.show_section("visit")
    notes = win.view.input("notes")
    notes.setFocus()
    typed = 0

    def key() -> None:
        nonlocal typed
        if typed == len(args.text):
            return  # all typed: it waits to be killed
        # one key event per character, as a keyboard sends them (keyClicks: ASCII only)
        QTest.sendKeyEvent(
            QTest.KeyAction.Click,
            notes,
            Qt.Key.Key_unknown,
            args.text[typed],
            Qt.KeyboardModifier.NoModifier,
        )
        typed += 1
        print(f"typed {typed}", flush=True)

    # Precise: the pace of a coarse timer may drift by 5 %, and the test counts keys.
    pace = QTimer()
    pace.setTimerType(Qt.TimerType.PreciseTimer)
    pace.setInterval(args.pace_ms)
    pace.timeout.connect(key)
    pace.start()
    print("ready", flush=True)
    return app.exec()


if __name__ == "__main__":
    raise SystemExit(main())
