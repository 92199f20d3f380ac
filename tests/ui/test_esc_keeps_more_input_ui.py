"""Escape, Cancel and Close in the join, conflicts, settings, account, backup and restore
dialogs and the other dialogs taking input: with something typed or chosen they ask "Discard
what you entered?" (as the register dialog does, ``widgets.KeepsInput``), with nothing entered
they close at once. Escape pressed by reflex threw the input away unasked."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QDialog, QDialogButtonBox, QLineEdit, QWidget
from pytestqt.qtbot import QtBot

from desktop_app.domain.person import PersonDraft
from desktop_app.domain.users import Role
from desktop_app.ui.accounts import (
    AddUserDialog,
    BackupDialog,
    ChangePasswordDialog,
    RestoreDialog,
)
from desktop_app.ui.case_access import CaseAccessDialog
from desktop_app.ui.conflicts import ConflictsDialog
from desktop_app.ui.data_rights import ExportDialog
from desktop_app.ui.directory import DirectoryDialog
from desktop_app.ui.main_window import MainWindow
from desktop_app.ui.settings import SettingsDialog
from desktop_app.ui.sync_status import ConfirmCoordinatorDialog, DevicesDialog, JoinDialog
from desktop_app.usecases import accounts, people
from desktop_app.usecases import sync as sync_uc
from desktop_app.usecases.accounts import Session
from tests.integration.sync_harness import Laptops, ServerProcess
from tests.ui.conftest import shown_window, type_text
from tests.ui.test_conflicts_ui import _record_conflicts
from tests.ui.test_esc_keeps_input_ui import (
    _asked,
    _escape_asks_keeps_then_discards,
    _escape_closes_unasked,
    _question,
)
from tests.ui.test_sync_ui import _join_dialog


@pytest.fixture
def window(qtbot: QtBot, session: Session) -> MainWindow:
    return shown_window(qtbot, session)


def _shown(qtbot: QtBot, dialog: QDialog) -> QDialog:
    qtbot.addWidget(dialog)
    dialog.open()
    qtbot.waitExposed(dialog)
    return dialog


def _person(session: Session) -> people.Person:
    pid = people.register_person(session.store, session.user, PersonDraft("Ion", "Popescu")).id
    person = people.get_person(session.store, session.user, pid)
    assert person is not None
    return person


def _join(qtbot: QtBot, window: MainWindow) -> tuple[QDialog, QWidget]:
    dialog = JoinDialog(window.sync, window)  # type: ignore[attr-defined]
    return _shown(qtbot, dialog), dialog.code


def _settings(qtbot: QtBot, window: MainWindow) -> tuple[QDialog, QWidget]:
    dialog = SettingsDialog(window.session, parent=window)
    return _shown(qtbot, dialog), dialog.letterhead.name


def _add_user(qtbot: QtBot, window: MainWindow) -> tuple[QDialog, QWidget]:
    dialog = AddUserDialog(window.session, window)
    return _shown(qtbot, dialog), dialog.password


def _change_password(qtbot: QtBot, window: MainWindow) -> tuple[QDialog, QWidget]:
    dialog = ChangePasswordDialog(window.session, window)
    return _shown(qtbot, dialog), dialog.new


def _backup(qtbot: QtBot, window: MainWindow) -> tuple[QDialog, QWidget]:
    dialog = BackupDialog(window.session, window)
    return _shown(qtbot, dialog), dialog.file


def _restore(qtbot: QtBot, window: MainWindow) -> tuple[QDialog, QWidget]:
    dialog = RestoreDialog(window)
    return _shown(qtbot, dialog), dialog.folder


def _export(qtbot: QtBot, window: MainWindow) -> tuple[QDialog, QWidget]:
    dialog = ExportDialog(_person(window.session), window)
    return _shown(qtbot, dialog), dialog.folder


def _confirm_coordinator(qtbot: QtBot, window: MainWindow) -> tuple[QDialog, QWidget]:
    dialog = ConfirmCoordinatorDialog(window.sync, window)  # type: ignore[attr-defined]
    return _shown(qtbot, dialog), dialog.fingerprint


def _service(qtbot: QtBot, window: MainWindow) -> tuple[QDialog, QWidget]:
    directory = DirectoryDialog(window.session, window)
    _shown(qtbot, directory)
    editor = directory.add_service()
    assert editor is not None
    qtbot.waitExposed(editor)
    return editor, editor.street


def _conflicts(qtbot: QtBot, window: MainWindow) -> tuple[QDialog, QWidget]:
    session = window.session
    pid = people.register_person(
        session.store, session.user, PersonDraft("Elena", "Radu", phone="0176 1")
    ).id
    _record_conflicts(session, pid, ("phone", "0176 1", "0176 2"))
    dialog = window.sync.open_conflicts()  # type: ignore[attr-defined]
    qtbot.waitExposed(dialog)
    assert dialog.edit_line.isVisible() and dialog.edit_line.text() == "0176 1"
    return dialog, dialog.edit_line


# Each dialog, opened as from its menu, and a field its user types into.
OPENERS: dict[str, Callable[[QtBot, MainWindow], tuple[QDialog, QWidget]]] = {
    "join": _join,
    "conflicts": _conflicts,
    "settings": _settings,
    "add user": _add_user,
    "change password": _change_password,
    "backup": _backup,
    "restore": _restore,
    "export": _export,
    "confirm coordinator": _confirm_coordinator,
    "service": _service,
}


def _text(field: QWidget) -> str:
    assert isinstance(field, QLineEdit)
    return field.text()


def _typed(field: QWidget, text: str) -> Callable[[], bool]:
    """Type ``text`` into ``field`` (where its cursor is: a value shown at its start); whether
    the field still holds what it held then."""
    type_text(field, text)
    typed = _text(field)
    assert text in typed
    return lambda: _text(field) == typed


@pytest.mark.parametrize("name", OPENERS)
def test_escape_with_input_asks_keeps_it_and_discards_it_when_confirmed(
    qtbot: QtBot, window: MainWindow, name: str
) -> None:
    dialog, field = OPENERS[name](qtbot, window)
    _escape_asks_keeps_then_discards(qtbot, dialog, field, _typed(field, "7 Ș"))


@pytest.mark.parametrize("name", OPENERS)
def test_escape_with_nothing_entered_closes_at_once(
    qtbot: QtBot, window: MainWindow, name: str
) -> None:
    dialog, field = OPENERS[name](qtbot, window)
    _escape_closes_unasked(qtbot, dialog, field)


@pytest.mark.parametrize("name", ["join", "settings", "backup", "conflicts"])
def test_cancel_and_close_ask_too_and_without_input_close(
    qtbot: QtBot, window: MainWindow, name: str
) -> None:
    """The dialog's own Cancel (Close in the join and conflicts dialogs) asks as Escape does;
    typed and taken back again, nothing is lost and nothing asked."""
    dialog, field = OPENERS[name](qtbot, window)
    buttons = dialog.findChild(QDialogButtonBox)
    assert buttons is not None
    (cancel,) = [
        b
        for b in buttons.buttons()
        if buttons.buttonRole(b) == QDialogButtonBox.ButtonRole.RejectRole
    ]
    before = _text(field)
    kept = _typed(field, "x")
    cancel.click()
    qtbot.keyClick(_question(dialog), Qt.Key.Key_Escape)
    assert dialog.isVisible() and kept()
    field.setFocus()
    qtbot.keyClick(field, Qt.Key.Key_Backspace)
    assert _text(field) == before
    with qtbot.waitSignal(dialog.finished, timeout=1000):
        cancel.click()
    assert not _asked()


def test_a_new_laptops_fingerprint_typed_is_asked_about(qtbot: QtBot, laptops: Laptops) -> None:
    """The coordinator's laptops dialog: a fingerprint typed, not yet approved with."""
    window = shown_window(qtbot, laptops.new("A"))

    def opened() -> DevicesDialog:
        dialog = DevicesDialog(window.sync, window)  # type: ignore[attr-defined]
        _shown(qtbot, dialog)
        qtbot.waitUntil(lambda: not dialog.busy, timeout=30_000)
        return dialog

    untouched = opened()
    _escape_closes_unasked(qtbot, untouched, untouched.list)
    dialog = opened()
    _escape_asks_keeps_then_discards(
        qtbot, dialog, dialog.fingerprint, _typed(dialog.fingerprint, "ABCD")
    )
    window.close()


def test_boxes_ticked_for_helpers_are_asked_about(qtbot: QtBot, window: MainWindow) -> None:
    session = window.session
    ana = accounts.add_user(session, "ana", "Ana Helfer", Role.HELPER, "helper pass 12")
    dialog = CaseAccessDialog(session, _person(session), window)
    _shown(qtbot, dialog)
    box = dialog.boxes[(ana.id, "health")]
    box.setFocus()
    qtbot.keyClick(box, Qt.Key.Key_Space)
    assert box.isChecked()
    _escape_asks_keeps_then_discards(qtbot, dialog, box, box.isChecked)


def test_helpers_boxes_untouched_close_at_once(qtbot: QtBot, window: MainWindow) -> None:
    session = window.session
    accounts.add_user(session, "ana", "Ana Helfer", Role.HELPER, "helper pass 12")
    dialog = CaseAccessDialog(session, _person(session), window)
    _shown(qtbot, dialog)
    _escape_closes_unasked(qtbot, dialog, next(iter(dialog.boxes.values())))


def test_a_conflicts_value_saved_leaves_nothing_to_ask_about(
    qtbot: QtBot, window: MainWindow
) -> None:
    """The right value typed and saved: the next conflict shows, nothing of it entered."""
    dialog, field = _conflicts(qtbot, window)
    assert isinstance(dialog, ConflictsDialog)
    type_text(field, "0")
    with qtbot.waitSignal(dialog.decided, timeout=30_000):
        dialog.save_edit.click()
    assert not dialog.conflicts
    _escape_closes_unasked(qtbot, dialog, dialog.list)


def test_answers_taken_one_by_one_are_asked_about(qtbot: QtBot, session: Session) -> None:
    """A visit's versions combined answer by answer, not yet saved: asked about too."""
    from tests.ui.test_conflicts_ui import _with_an_older_answers_conflict

    window, _pid, _theirs = _with_an_older_answers_conflict(qtbot, session)
    dialog = window.sync.open_conflicts()  # type: ignore[attr-defined]
    qtbot.waitExposed(dialog)
    other = dialog.take_other["rent"]
    other.click()
    _escape_asks_keeps_then_discards(qtbot, dialog, dialog.list, other.isChecked)


def test_the_join_dialog_closes_at_once_after_joining(
    qtbot: QtBot, session: Session, server: ServerProcess
) -> None:
    """Joined, what was typed is spent (and shown read-only): Close and Escape close it at
    once, without asking about the fields that still differ from an empty dialog."""
    window, dialog = _join_dialog(qtbot, session)
    _shown(qtbot, dialog)
    type_text(dialog.server, server.base_url)
    type_text(dialog.code, server.enroll("A"))
    with qtbot.waitSignal(dialog.calls.idle, timeout=60_000):
        dialog.buttons.button(QDialogButtonBox.StandardButton.Ok).click()
    assert sync_uc.is_joined(session.store), dialog.error.text()
    close = dialog.buttons.button(QDialogButtonBox.StandardButton.Close)
    with qtbot.waitSignal(dialog.finished, timeout=1000):
        close.click()
    assert not _asked()
    window.close()


def test_a_join_that_failed_still_asks(qtbot: QtBot, window: MainWindow) -> None:
    """Refused (no server at that address), the laptop has not joined: the code typed stays
    worth keeping."""
    dialog = JoinDialog(window.sync, window)  # type: ignore[attr-defined]
    _shown(qtbot, dialog)
    type_text(dialog.server, "http")  # not an address: refused before any connection
    type_text(dialog.code, "ABCD-EFGH")
    with qtbot.waitSignal(dialog.calls.idle, timeout=30_000):
        dialog.buttons.button(QDialogButtonBox.StandardButton.Ok).click()
    assert dialog.error.text() and not sync_uc.is_joined(window.session.store)
    _escape_asks_keeps_then_discards(
        qtbot, dialog, dialog.code, lambda: dialog.code.text() == "ABCD-EFGH"
    )


def test_the_lock_hides_the_question_and_the_value_typed_and_brings_both_back(
    qtbot: QtBot, window: MainWindow
) -> None:
    """Locked while "Discard what you entered?" waits over the conflicts dialog: neither the
    question nor the dialog (the person's name, the value typed) stays readable, and the lock
    is not held up by the question; unlocked, both are back, the value typed as it was."""
    from tests.ui.security.test_lock import _locker, _unlock, _visible_texts

    dialog, field = _conflicts(qtbot, window)
    kept = _typed(field, "99")
    qtbot.keyClick(field, Qt.Key.Key_Escape)
    question = _question(dialog)
    locker = _locker(window)
    locker.lock()
    assert locker.is_locked
    assert not dialog.isVisible() and not question.isVisible()
    texts = [t for w in QApplication.topLevelWidgets() if w.isVisible() for t in _visible_texts(w)]
    assert not [t for t in texts if "Radu" in t or "99" in t or "Discard" in t]

    _unlock(qtbot, locker)
    assert dialog.isVisible() and kept()
    assert dialog.isVisible() and kept()
    assert _question(dialog) is question  # back over the dialog, waiting for its answer
    qtbot.keyClick(question, Qt.Key.Key_Escape)
    assert dialog.isVisible() and kept() and not _asked()
