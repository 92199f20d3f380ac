"""After a question asked before something that cannot be undone (``widgets.ask_to_confirm``),
the keys go back to the window that asked, answered either way: a keyboard-only coordinator
who revoked a stolen laptop, or cancelled, found no window active, and Alt+letter and Tab did
nothing in the Laptops dialog until it was clicked."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication, QDialog, QMessageBox, QPushButton, QVBoxLayout
from pytestqt.qtbot import QtBot

from desktop_app.ui.widgets import ask_to_confirm


def _asking_dialog(qtbot: QtBot) -> tuple[QDialog, QPushButton, list[bool]]:
    dialog = QDialog()
    qtbot.addWidget(dialog)
    other = QPushButton("&Other", dialog)
    revoke = QPushButton("Re&voke…", dialog)
    layout = QVBoxLayout(dialog)
    layout.addWidget(other)
    layout.addWidget(revoke)
    answers: list[bool] = []
    revoke.clicked.connect(
        lambda: ask_to_confirm(dialog, "Revoke laptop", "Revoke it?", "Revoke", answers.append)
    )
    dialog.show()
    qtbot.waitExposed(dialog)
    dialog.activateWindow()
    qtbot.waitUntil(dialog.isActiveWindow, timeout=5000)
    return dialog, revoke, answers


def _question(qtbot: QtBot) -> QMessageBox:
    def shown() -> list[QMessageBox]:
        tops = QApplication.topLevelWidgets()
        return [w for w in tops if isinstance(w, QMessageBox) and w.isVisible()]

    qtbot.waitUntil(lambda: bool(shown()), timeout=5000)
    (box,) = shown()
    qtbot.waitUntil(box.isActiveWindow, timeout=5000)
    return box


@pytest.mark.parametrize("go_ahead", [False, True])
def test_the_keys_are_back_in_the_window_that_asked(qtbot: QtBot, go_ahead: bool) -> None:
    dialog, _revoke, answers = _asking_dialog(qtbot)
    before = dialog.focusWidget()
    assert before is not None
    QTest.keyClick(dialog, Qt.Key.Key_V, Qt.KeyboardModifier.AltModifier)
    box = _question(qtbot)
    if go_ahead:  # Tab from Cancel (the default) to the button that goes ahead, Space
        QTest.keyClick(box.focusWidget(), Qt.Key.Key_Tab)
        assert box.focusWidget() is not box.defaultButton()
        QTest.keyClick(box.focusWidget(), Qt.Key.Key_Space)
    else:
        QTest.keyClick(box.focusWidget(), Qt.Key.Key_Escape)
    qtbot.waitUntil(lambda: not box.isVisible(), timeout=5000)
    assert answers == [go_ahead]
    qtbot.waitUntil(dialog.isActiveWindow, timeout=5000)
    assert QApplication.focusWidget() is before  # where the keys were before the question
    # Alt+letter works again at once: the question is asked anew.
    QTest.keyClick(dialog, Qt.Key.Key_V, Qt.KeyboardModifier.AltModifier)
    again = _question(qtbot)
    QTest.keyClick(again.focusWidget(), Qt.Key.Key_Escape)
    qtbot.waitUntil(lambda: not again.isVisible(), timeout=5000)
    assert answers == [go_ahead, False]


def test_a_window_closed_by_the_answer_is_not_shown_again(qtbot: QtBot) -> None:
    """A question whose answer closes the dialog that asked ("Discard what you entered?"):
    the dialog stays closed."""
    dialog, _revoke, _answers = _asking_dialog(qtbot)
    ask_to_confirm(dialog, "Discard?", "Discard it?", "&Discard", lambda yes: dialog.reject())
    box = _question(qtbot)
    QTest.keyClick(box.focusWidget(), Qt.Key.Key_Escape)
    qtbot.waitUntil(lambda: not box.isVisible(), timeout=5000)
    assert not dialog.isVisible() and not dialog.isActiveWindow()
