"""A coordinator adds a user by keyboard: the list then shows who was added and how she logs in."""

from __future__ import annotations

import os
from pathlib import Path

from PySide6.QtCore import Qt, QTimer
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

from desktop_app.i18n.text import set_language
from desktop_app.ui.accounts import AddUserDialog, UsersDialog
from desktop_app.usecases.accounts import Session
from tests.conftest import PASSWORD
from tests.ui.conftest import alt_key

SHOTS = os.environ.get("WELCOME_DESK_SHOTS")


def test_the_user_just_added_is_chosen_in_the_list_and_her_account_name_is_said(
    qtbot: QtBot, session: Session
) -> None:
    """The list was filled anew with nothing chosen and nothing said: Sabine, who had added
    the student helper Lena by keyboard, saw no sign of it at the list's top, and "New
    password…" (Alt+P) asked her first to choose a user."""
    set_language("de")
    try:
        users = UsersDialog(session)
        qtbot.addWidget(users)
        users.show()
        qtbot.waitExposed(users)
        users.activateWindow()
        qtbot.waitUntil(users.isActiveWindow, timeout=5000)
        typed: list[bool] = []

        def fill_in() -> None:
            shown = [w for w in users.findChildren(AddUserDialog) if w.isVisible()]
            focused = QApplication.focusWidget()
            # Not yet: its exec() runs this once it is shown, and once the keys are in it. On
            # a loaded machine the dialog was shown with the keys still on the list's Add
            # button: the space of "Lena Vogel" clicked it, and a second dialog waited for
            # keys nobody sent (the test hung).
            if not shown or focused is None or not shown[0].isAncestorOf(focused):
                if shown:
                    shown[0].activateWindow()
                QTimer.singleShot(20, fill_in)
                return
            (dialog,) = shown
            for text in ("lena", "Lena Vogel"):  # account name, full name; the role: helper
                QTest.keyClicks(focused, text)
                QTest.keyClick(focused, Qt.Key.Key_Tab)
                focused = QApplication.focusWidget()
                assert focused is not None
            QTest.keyClick(focused, Qt.Key.Key_Tab)  # past the role, a helper already
            for _field in range(2):
                focused = QApplication.focusWidget()
                assert focused is not None
                QTest.keyClicks(focused, PASSWORD + "-lena")
                QTest.keyClick(focused, Qt.Key.Key_Tab)
            typed.append(True)
            QTest.keyClick(dialog, Qt.Key.Key_Return)

        QTimer.singleShot(0, fill_in)
        alt_key(users, "h")  # "Benutzer &hinzufügen…" (clicked a moment later, as shown)
        qtbot.waitUntil(lambda: typed == [True], timeout=10_000)
        qtbot.waitUntil(lambda: users.model.rowCount() == 2, timeout=10_000)
        current = users.table.currentIndex()
        assert current.isValid() and users.model.item(current.row(), 1).text() == "lena"
        assert [i.row() for i in users.table.selectionModel().selectedRows()] == [current.row()]
        assert users.notice.isVisible()
        assert users.notice.text() == (
            "Lena Vogel ist hinzugefügt und meldet sich mit dem Kontonamen „lena“ an."
        )
        if SHOTS:
            users.grab().save(str(Path(SHOTS) / "user-added-de.png"))
    finally:
        set_language("en")
        users.close()
