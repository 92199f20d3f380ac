"""Typed input that went unnoticed elsewhere than Escape: the right value typed for one
conflict, lost when another conflict was clicked in the list (its field refilled), and the
long recovery code typed into the recovery login, lost by Escape or Cancel. Both ask
"Discard what you entered?" now (``widgets.KeepsInput``); the login dialog's password is no
input to keep and asks nothing."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import QDialog, QDialogButtonBox, QMessageBox, QPushButton
from pytestqt.qtbot import QtBot

from desktop_app.domain.person import PersonDraft
from desktop_app.i18n.text import set_language
from desktop_app.ui.conflicts import ConflictsDialog
from desktop_app.ui.login import LoginDialog, RecoveryLoginDialog
from desktop_app.usecases import accounts, people
from desktop_app.usecases.accounts import Session
from tests.conftest import PASSWORD
from tests.ui.conftest import shown_window, type_text
from tests.ui.security.test_login_dialogs import recovery_code_of_a_first_account
from tests.ui.test_conflicts_ui import _record_conflicts
from tests.ui.test_esc_keeps_input_ui import (
    _asked,
    _button,
    _escape_asks_keeps_then_discards,
    _escape_closes_unasked,
    _question,
)

# --- the conflicts dialog: another conflict chosen ------------------------------------------


def _two_conflicts(qtbot: QtBot, session: Session) -> ConflictsDialog:
    """The dialog open on Elena Radu's phone, her notes listed second."""
    pid = people.register_person(
        session.store, session.user, PersonDraft("Elena", "Radu", phone="0176 1")
    ).id
    _record_conflicts(
        session,
        pid,
        ("phone", "0176 1", "0176 2"),
        ("notes", "Termin beim Jobcenter", "Termin abgesagt"),
    )
    window = shown_window(qtbot, session)
    dialog = window.sync.open_conflicts()  # type: ignore[attr-defined]
    qtbot.waitExposed(dialog)
    assert isinstance(dialog, ConflictsDialog)
    dialog.list.setCurrentRow([c.field for c in dialog.conflicts].index("phone"))
    assert dialog.edit_line.isVisible() and dialog.edit_line.text() == "0176 1"
    return dialog


def _click_row(qtbot: QtBot, dialog: ConflictsDialog, field: str) -> None:
    """Click the conflict about ``field`` in the list, as the user does."""
    row = [c.field for c in dialog.conflicts].index(field)
    rect = dialog.list.visualItemRect(dialog.list.item(row))
    qtbot.mouseClick(dialog.list.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())


def _shown_field(dialog: ConflictsDialog) -> str:
    current = dialog.conflicts[dialog.list.currentRow()]
    return current.field


def test_another_conflict_clicked_with_a_value_typed_asks_and_keeping_stays(
    qtbot: QtBot, session: Session, tmp_path: Path
) -> None:
    """Keep editing: the phone's conflict chosen again, the value typed still there; Discard:
    the notes' conflict shown, its own value offered."""
    dialog = _two_conflicts(qtbot, session)
    dialog.edit_line.end(False)
    type_text(dialog.edit_line, "23")
    _click_row(qtbot, dialog, "notes")
    question = _question(dialog)
    assert question.text() == "Discard what you entered?"
    assert question.defaultButton() is question.escapeButton()  # Enter keeps editing
    shots = Path(os.environ.get("WELCOME_DESK_SHOTS", tmp_path))
    dialog.grab().save(str(shots / "conflict-switch-asked.png"))
    question.grab().save(str(shots / "conflict-switch-question.png"))
    qtbot.keyClick(question, Qt.Key.Key_Escape)
    assert not _asked()
    assert _shown_field(dialog) == "phone"
    # The row clicked is selected once the click is handled, after the row is chosen again.
    qtbot.waitUntil(lambda: dialog.list.selectedItems() == [dialog.list.currentItem()])
    dialog.grab().save(str(shots / "conflict-switch-kept.png"))
    assert dialog.edit_line.isVisible() and dialog.edit_line.text() == "0176 123"
    assert dialog.isVisible()

    # The arrow keys choose as a click does, and ask as well.
    qtbot.keyClick(dialog.list, Qt.Key.Key_Down if dialog.list.currentRow() == 0 else Qt.Key.Key_Up)
    _button(_question(dialog), QMessageBox.ButtonRole.AcceptRole).click()
    assert not _asked()
    assert _shown_field(dialog) == "notes"
    assert dialog.edit_text.isVisible() and dialog.edit_text.toPlainText() == (
        "Termin beim Jobcenter"
    )
    # What was typed for the phone went as asked: back there, its value is offered again,
    # and nothing entered asks nothing.
    _click_row(qtbot, dialog, "phone")
    assert not _asked() and dialog.edit_line.text() == "0176 1"
    _escape_closes_unasked(qtbot, dialog, dialog.list)


def test_another_conflict_clicked_with_nothing_typed_shows_it_at_once(
    qtbot: QtBot, session: Session
) -> None:
    dialog = _two_conflicts(qtbot, session)
    type_text(dialog.edit_line, "9")
    qtbot.keyClick(dialog.edit_line, Qt.Key.Key_Backspace)  # typed and taken back
    _click_row(qtbot, dialog, "notes")
    assert not _asked() and _shown_field(dialog) == "notes"
    assert dialog.edit_text.toPlainText() == "Termin beim Jobcenter"


def test_answers_taken_one_by_one_are_asked_about_before_another_conflict(
    qtbot: QtBot, session: Session
) -> None:
    """A visit's versions combined answer by answer: choosing another conflict asks too."""
    from tests.ui.test_conflicts_ui import _with_an_older_answers_conflict

    window, pid, _theirs = _with_an_older_answers_conflict(qtbot, session)
    _record_conflicts(session, pid, ("phone", "0176 1", "0176 2"))
    dialog = window.sync.open_conflicts()  # type: ignore[attr-defined]
    qtbot.waitExposed(dialog)
    assert isinstance(dialog, ConflictsDialog) and len(dialog.conflicts) == 2
    dialog.list.setCurrentRow([c.field for c in dialog.conflicts].index("phone") ^ 1)
    other = dialog.take_other["rent"]
    other.click()
    _click_row(qtbot, dialog, "phone")
    qtbot.keyClick(_question(dialog), Qt.Key.Key_Escape)  # keep editing
    assert _shown_field(dialog) != "phone" and dialog.take_other["rent"].isChecked()
    _click_row(qtbot, dialog, "phone")
    _button(_question(dialog), QMessageBox.ButtonRole.AcceptRole).click()
    assert _shown_field(dialog) == "phone" and dialog.edit_line.text() == "0176 1"


# --- the recovery login -------------------------------------------------------------------


def _recovery(qtbot: QtBot, data_dir: Path) -> tuple[RecoveryLoginDialog, str]:
    code = recovery_code_of_a_first_account(data_dir)
    dialog = RecoveryLoginDialog(data_dir, "anna")
    qtbot.addWidget(dialog)
    dialog.open()
    qtbot.waitExposed(dialog)
    return dialog, code


def _cancel(dialog: QDialog) -> QPushButton:
    buttons = dialog.findChild(QDialogButtonBox)
    assert buttons is not None
    button = buttons.button(QDialogButtonBox.StandardButton.Cancel)
    assert button is not None
    return button


def test_escape_with_the_recovery_code_typed_asks(qtbot: QtBot, data_dir: Path) -> None:
    dialog, code = _recovery(qtbot, data_dir)
    type_text(dialog.code, code[:23])
    _escape_asks_keeps_then_discards(
        qtbot, dialog, dialog.code, lambda: dialog.code.text() == code[:23]
    )


def test_cancel_with_the_recovery_code_typed_asks_and_keeps_it(
    qtbot: QtBot, data_dir: Path
) -> None:
    dialog, code = _recovery(qtbot, data_dir)
    type_text(dialog.code, code)
    _cancel(dialog).click()
    question = _question(dialog)
    assert question.text() == "Discard what you entered?"
    _button(question, QMessageBox.ButtonRole.RejectRole).click()
    assert dialog.isVisible() and dialog.code.text() == code
    # Kept, it still logs in.
    type_text(dialog.password, "brand new pass")
    type_text(dialog.repeat, "brand new pass")
    with qtbot.waitSignal(dialog.accepted, timeout=30_000):
        dialog._on_ok_clicked()
    assert dialog.session is not None
    dialog.session.close()


def test_the_recovery_dialog_with_nothing_typed_closes_at_once(
    qtbot: QtBot, data_dir: Path
) -> None:
    """The account filled in from the login dialog counts as nothing entered; so do new
    passwords alone (typed anew in a moment, as a login's)."""
    dialog, _code = _recovery(qtbot, data_dir)
    assert dialog.account.text() == "anna"
    _escape_closes_unasked(qtbot, dialog, dialog.code)
    dialog.open()
    type_text(dialog.password, "brand new pass")
    with qtbot.waitSignal(dialog.finished, timeout=1000):
        _cancel(dialog).click()
    assert not _asked()


@pytest.mark.parametrize("lang", ["de", "bg", "ro"])
def test_the_recovery_question_is_in_the_language_chosen(
    qtbot: QtBot, data_dir: Path, lang: str
) -> None:
    set_language(lang)
    try:
        dialog, code = _recovery(qtbot, data_dir)
        type_text(dialog.code, code[:5])
        qtbot.keyClick(dialog.code, Qt.Key.Key_Escape)
        question = _question(dialog)
        assert question.text() not in ("", "Discard what you entered?")
        assert question.windowTitle() == dialog.windowTitle()
        qtbot.keyClick(question, Qt.Key.Key_Escape)
    finally:
        set_language("en")


def test_the_login_dialog_asks_nothing_with_a_password_typed(qtbot: QtBot, data_dir: Path) -> None:
    """A password is no input to keep: Escape and Cancel close the login at once."""
    accounts.create_first_account(data_dir, "anna", "Anna", PASSWORD).close()
    for close in ("escape", "cancel"):
        dialog = LoginDialog(data_dir)
        qtbot.addWidget(dialog)
        dialog.open()
        qtbot.waitExposed(dialog)
        type_text(dialog.account, "anna")
        type_text(dialog.password, "half a passw")
        if close == "escape":
            _escape_closes_unasked(qtbot, dialog, dialog.password)
        else:
            with qtbot.waitSignal(dialog.finished, timeout=1000):
                _cancel(dialog).click()
            assert not _asked()
        assert not dialog.isVisible()


def test_the_forgot_button_opens_the_recovery_dialog_that_asks(
    qtbot: QtBot, data_dir: Path
) -> None:
    """Reached from the login dialog as a user does: Escape with a code typed asks, and only
    the recovery dialog closes once discarded; the login stays."""
    accounts.create_first_account(data_dir, "anna", "Anna", PASSWORD).close()
    login = LoginDialog(data_dir)
    qtbot.addWidget(login)
    login.open()
    qtbot.waitExposed(login)
    seen: list[bool] = []  # whether the recovery dialog was open: after Escape, after Discard

    def in_recovery() -> None:
        recovery = login.findChild(RecoveryLoginDialog)
        assert recovery is not None
        try:
            type_text(recovery.code, "ABCDE-FGHIJ")
            qtbot.keyClick(recovery.code, Qt.Key.Key_Escape)
            seen.append(recovery.isVisible())  # asked, not closed
            _button(_question(recovery), QMessageBox.ButtonRole.AcceptRole).click()
            seen.append(recovery.isVisible())
        finally:
            if recovery.isVisible():  # never left waiting in its event loop
                recovery.reject()

    QTimer.singleShot(0, in_recovery)
    login.forgot.click()  # runs the recovery dialog until it closes
    assert seen == [True, False]
    assert login.isVisible() and login.session is None and not _asked()
