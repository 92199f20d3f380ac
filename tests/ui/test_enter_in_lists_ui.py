"""Enter and Escape by habit: the recovery code's dialog stays until the code is written down,
and Enter in the coordinator's lists does what a double click on the row does, or nothing of
the dialog's other buttons (found by the walks through the coordinator's dialogs)."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt, QTimer
from PySide6.QtGui import QCloseEvent
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication, QDialog
from pytestqt.qtbot import QtBot

from desktop_app.usecases.accounts import Session
from tests.ui.conftest import save_dialog_shown


def test_enter_and_escape_keep_the_recovery_code_until_it_is_written_down(
    qtbot: QtBot, shots: Path
) -> None:
    """Enter (its button was the default) or Escape closed the dialog, and the code, shown only
    then, was gone. Both do nothing until the box says the code is written down; ticked by
    Space, Enter closes it."""
    from desktop_app.ui.accounts import RecoveryCodeDialog

    dialog = RecoveryCodeDialog("ABCD-EFGH-JKMN-PQRS")
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitExposed(dialog)
    dialog.activateWindow()
    qtbot.waitUntil(dialog.confirm.hasFocus, timeout=5000)
    assert not dialog.done_button.isEnabled()
    for key in (Qt.Key.Key_Return, Qt.Key.Key_Enter, Qt.Key.Key_Escape):
        QTest.keyClick(dialog.confirm, key)
        assert dialog.isVisible(), key
    # The title bar's close, as the window system sends it (to the native window: the dialog
    # gets it as a spontaneous event), waits for the box too.
    handle = dialog.windowHandle()
    assert handle is not None
    QApplication.sendEvent(handle, QCloseEvent())
    assert dialog.isVisible()
    dialog.grab().save(str(shots / "recovery-code-dialog.png"))
    QTest.keyClick(dialog.confirm, Qt.Key.Key_Space)
    assert dialog.confirm.isChecked() and dialog.done_button.isEnabled()
    QTest.keyClick(dialog.confirm, Qt.Key.Key_Return)
    assert not dialog.isVisible() and dialog.result() == QDialog.DialogCode.Accepted


def test_escape_closes_the_recovery_code_once_it_is_written_down(qtbot: QtBot) -> None:
    from desktop_app.ui.accounts import RecoveryCodeDialog

    dialog = RecoveryCodeDialog("ABCD-EFGH-JKMN-PQRS")
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitExposed(dialog)
    dialog.confirm.setChecked(True)
    QTest.keyClick(dialog.confirm, Qt.Key.Key_Escape)
    assert not dialog.isVisible()


def test_enter_on_a_form_in_the_list_exports_nothing(
    qtbot: QtBot, session: Session, home: Path
) -> None:
    """ "Export for editing…" was the window's default button: Enter on a form asked for a
    folder to export into. The list has no action of its row (a double click does nothing):
    Enter closes it, as its Close button."""
    from desktop_app.ui.directory import FormsDialog

    dialog = FormsDialog(session)
    qtbot.addWidget(dialog)
    exported: list[bool] = []
    dialog.export_button.clicked.connect(lambda: exported.append(True))
    dialog.show()
    qtbot.waitExposed(dialog)
    dialog.table.setFocus()
    dialog.table.setCurrentCell(0, 0)
    try:
        QTest.keyClick(dialog.table, Qt.Key.Key_Return)
        assert exported == [] and save_dialog_shown() is None
        assert not dialog.isVisible()
    finally:
        shown = save_dialog_shown()
        if shown is not None:
            shown.reject()


def test_enter_on_a_service_in_the_directory_still_edits_it(
    qtbot: QtBot, session: Session, home: Path
) -> None:
    from desktop_app.ui.directory import DirectoryDialog

    dialog = DirectoryDialog(session)
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitExposed(dialog)
    dialog.table.setFocus()
    dialog.table.setCurrentCell(0, 0)
    QTest.keyClick(dialog.table, Qt.Key.Key_Return)
    editor = dialog.editor
    assert editor is not None and editor.isVisible() and save_dialog_shown() is None
    editor.reject()
    dialog.reject()


def test_enter_on_a_user_in_the_list_adds_no_user(qtbot: QtBot, session: Session) -> None:
    """ "Add user…" was the default button: Enter on a user opened the dialog of a new one.
    A double click on a user does nothing: Enter closes the list, as its Close button."""
    from desktop_app.ui.accounts import AddUserDialog, UsersDialog

    def close_added() -> None:  # without the fix: its exec() would wait for ever
        for widget in QApplication.topLevelWidgets():
            if isinstance(widget, AddUserDialog) and widget.isVisible():
                widget.done(QDialog.DialogCode.Rejected)

    users = UsersDialog(session)
    qtbot.addWidget(users)
    added: list[bool] = []
    users.add_button.clicked.connect(lambda: added.append(True))
    users.show()
    qtbot.waitExposed(users)
    users.table.setFocus()
    users.table.selectRow(0)
    QTimer.singleShot(300, close_added)
    QTest.keyClick(users.table, Qt.Key.Key_Return)
    assert added == [] and not users.isVisible()
