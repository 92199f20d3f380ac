"""A helper half through a life-situation check, in Romanian, when the program is killed: the
victim of the crash walk (``tests/ui/test_walk_recover_ui.py``).

Usage: ``python tests/reliability/half_form_worker.py --data-dir D --account A --person ID
--answers JSON --type FIELD=TEXT``, password on stdin. Opens the main window (offscreen) in
Romanian, the person's page and the life-situation check from it, sets the answers of the
choices as a click would, then types TEXT into FIELD one key at a time and says ``typed``; it
waits to be killed.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
os.environ.setdefault("WELCOME_DESK_FAST_KDF", "1")
sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from PySide6.QtCore import Qt, QTimer
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication

from desktop_app.i18n.text import set_language
from desktop_app.ui.application import load_fonts
from desktop_app.ui.main_window import MainWindow
from desktop_app.usecases import people
from desktop_app.usecases.accounts import log_in


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--data-dir", type=Path, required=True)
    parser.add_argument("--account", required=True)
    parser.add_argument("--person", required=True)
    parser.add_argument("--answers", required=True)
    parser.add_argument("--type", required=True)
    args = parser.parse_args(argv)
    field, text = args.type.split("=", 1)
    app = QApplication([])
    load_fonts(app)
    set_language("ro")
    session = log_in(args.data_dir, args.account, sys.stdin.readline().rstrip("\n"))
    person = people.get_person(session.store, session.user, args.person)
    assert person is not None
    window = MainWindow(session)
    window.show()
    window.show_person(person.id)
    form = window.visits.start("life_situation", person=person)  # type: ignore[attr-defined]
    assert form is not None
    for field_id, value in json.loads(args.answers).items():
        form.view.set_answer(field_id, value)  # each as a click gives it
    form.view.show_section(form.view.definition.section_of(field).id)
    target = form.view.input(field)
    target.setFocus()
    typed = 0

    def key() -> None:
        nonlocal typed
        if typed == len(text):
            pace.stop()
            print("typed", flush=True)  # then it waits to be killed
            return
        QTest.sendKeyEvent(
            QTest.KeyAction.Click,
            target,
            Qt.Key.Key_unknown,
            text[typed],
            Qt.KeyboardModifier.NoModifier,
        )
        typed += 1

    pace = QTimer()
    pace.setInterval(120)
    pace.timeout.connect(key)
    pace.start()
    return app.exec()


if __name__ == "__main__":
    raise SystemExit(main())
