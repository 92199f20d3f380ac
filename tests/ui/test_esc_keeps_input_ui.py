"""Escape, Cancel and the title bar's close in the register, letter, status, consent and quick
contact dialogs: with something entered they ask "Discard what you entered?", keeping on
editing the default; with nothing entered they close at once. Escape pressed by reflex threw
the input away unasked."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QAbstractButton,
    QApplication,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QLineEdit,
    QMessageBox,
    QPlainTextEdit,
    QWidget,
)
from pytestqt.qtbot import QtBot

from desktop_app.domain.person import PersonDraft
from desktop_app.domain.referral import ReferralStatus
from desktop_app.ui.person_dialog import RegisterPersonDialog
from desktop_app.ui.referrals import ReferDialog, StatusDialog
from desktop_app.ui.visits import ConsentDialog, QuickContactDialog
from desktop_app.usecases import referrals as uc
from desktop_app.usecases.accounts import Session
from tests.ui.conftest import shown_window, type_text
from tests.ui.test_consent_services_ui import _opened_consent
from tests.ui.test_forms_ui import _window as _visits_window
from tests.ui.test_referrals_ui import _open_dialog, _person, _window

Dialog = RegisterPersonDialog | ReferDialog | StatusDialog


def _register(qtbot: QtBot, session: Session) -> Dialog:
    window = shown_window(qtbot, session)
    return window.open_register_dialog()


def _refer(qtbot: QtBot, session: Session) -> Dialog:
    _main, feature = _window(qtbot, session, _person(session))
    return _open_dialog(feature)


def _status(qtbot: QtBot, session: Session) -> Dialog:
    person = _person(session)
    _main, feature = _window(qtbot, session, person)
    referral = uc.issue_referral(
        session.store, session.user, person.id, "vhs", "integration_course"
    )
    return feature.open_status_dialog(referral)


def _field(dialog: Dialog) -> QWidget:
    """Where the walk-through typed: the given name, the letter's contact person, the
    referral's outcome."""
    if isinstance(dialog, ReferDialog):
        return dialog.contact
    if isinstance(dialog, StatusDialog):
        return dialog.outcome
    return dialog.given


def _typed(dialog: Dialog) -> str:
    field = _field(dialog)
    if isinstance(field, QPlainTextEdit):
        return field.toPlainText()
    assert isinstance(field, QLineEdit)
    return field.text()


OPENERS: dict[str, Callable[[QtBot, Session], Dialog]] = {
    "register": _register,
    "refer": _refer,
    "status": _status,
}


def _opened(qtbot: QtBot, session: Session, name: str) -> Dialog:
    dialog = OPENERS[name](qtbot, session)
    qtbot.waitExposed(dialog)
    return dialog


def _asked() -> list[QMessageBox]:
    return [
        w for w in QApplication.topLevelWidgets() if isinstance(w, QMessageBox) and w.isVisible()
    ]


def _question(dialog: QDialog) -> QMessageBox:
    assert dialog.isVisible(), "closed without a question"
    (question,) = _asked()
    assert question.parent() is dialog
    return question


def _button(question: QMessageBox, role: QMessageBox.ButtonRole) -> QAbstractButton:
    (button,) = [b for b in question.buttons() if question.buttonRole(b) == role]
    return button


def _escape_closes_unasked(qtbot: QtBot, dialog: QDialog, widget: QWidget) -> None:
    with qtbot.waitSignal(dialog.finished, timeout=1000):
        qtbot.keyClick(widget, Qt.Key.Key_Escape)
    assert not _asked()


def _escape_asks_keeps_then_discards(
    qtbot: QtBot, dialog: QDialog, widget: QWidget, entered: Callable[[], bool]
) -> None:
    """Escape asks; Escape again keeps editing, what was entered still there; Escape and
    Discard close the dialog."""
    qtbot.keyClick(widget, Qt.Key.Key_Escape)
    qtbot.keyClick(_question(dialog), Qt.Key.Key_Escape)
    assert not _asked() and dialog.isVisible() and entered()
    qtbot.keyClick(widget, Qt.Key.Key_Escape)
    with qtbot.waitSignal(dialog.finished) as closed:
        _button(_question(dialog), QMessageBox.ButtonRole.AcceptRole).click()
    assert closed.args == [QDialog.DialogCode.Rejected.value]


@pytest.mark.parametrize("name", OPENERS)
def test_escape_with_input_asks_keeps_it_when_kept_and_throws_it_away_when_confirmed(
    qtbot: QtBot, session: Session, name: str
) -> None:
    dialog = _opened(qtbot, session, name)
    field = _field(dialog)
    field.setFocus()
    type_text(field, "Frau Schäfer, Raum 204")

    qtbot.keyClick(field, Qt.Key.Key_Escape)
    question = _question(dialog)
    assert question.text() == "Discard what you entered?"
    keep = _button(question, QMessageBox.ButtonRole.RejectRole)
    assert keep.text() == "&Keep editing"
    assert question.defaultButton() is keep and question.escapeButton() is keep
    assert _button(question, QMessageBox.ButtonRole.AcceptRole).text() == "&Discard"
    qtbot.keyClick(question, Qt.Key.Key_Escape)  # Escape again, by the same reflex, keeps
    _escape_asks_keeps_then_discards(
        qtbot, dialog, field, lambda: _typed(dialog) == "Frau Schäfer, Raum 204"
    )


@pytest.mark.parametrize("name", OPENERS)
def test_escape_with_nothing_entered_closes_at_once(
    qtbot: QtBot, session: Session, name: str
) -> None:
    dialog = _opened(qtbot, session, name)
    _escape_closes_unasked(qtbot, dialog, _field(dialog))


@pytest.mark.parametrize("name", OPENERS)
def test_cancel_with_input_asks_too_and_without_closes(
    qtbot: QtBot, session: Session, name: str
) -> None:
    dialog = _opened(qtbot, session, name)
    cancel = dialog.buttons.button(QDialogButtonBox.StandardButton.Cancel)
    field = _field(dialog)
    type_text(field, "x")
    cancel.click()
    question = _question(dialog)
    _button(question, QMessageBox.ButtonRole.RejectRole).click()
    assert dialog.isVisible() and _typed(dialog) == "x"

    # typed and taken back again: nothing is lost, nothing asked
    field.setFocus()
    qtbot.keyClick(field, Qt.Key.Key_Backspace)
    with qtbot.waitSignal(dialog.finished, timeout=1000):
        cancel.click()
    assert not _asked()


def test_the_status_chosen_counts_as_input(qtbot: QtBot, session: Session) -> None:
    """Not only typing: the status chosen is asked about too."""
    status = _opened(qtbot, session, "status")
    assert isinstance(status, StatusDialog)
    status.set_status(ReferralStatus.CLOSED)
    qtbot.keyClick(status.status, Qt.Key.Key_Escape)
    _question(status)


def test_the_service_picked_counts_as_input(qtbot: QtBot, session: Session) -> None:
    refer = _opened(qtbot, session, "refer")
    assert isinstance(refer, ReferDialog)
    refer.select_service("jobcenter")
    qtbot.keyClick(refer.services, Qt.Key.Key_Escape)
    _question(refer)


def test_a_search_alone_is_not_asked_about(qtbot: QtBot, session: Session) -> None:
    """Words typed to find a service, none found: found again in a moment."""
    refer = _opened(qtbot, session, "refer")
    assert isinstance(refer, ReferDialog)
    type_text(refer.search, "Zzyzx")
    assert not refer.service_id()
    with qtbot.waitSignal(refer.finished, timeout=1000):
        qtbot.keyClick(refer.search, Qt.Key.Key_Escape)


@pytest.mark.parametrize("name", OPENERS)
def test_the_program_closing_a_dialog_asks_nothing(
    qtbot: QtBot, session: Session, name: str
) -> None:
    """The lock and quitting close the dialogs themselves (``reject``, ``close``): a question
    there would leave a window open with a person's data behind the lock, or the program
    waiting while its store closes."""
    dialog = _opened(qtbot, session, name)
    type_text(_field(dialog), "Frau Schäfer")
    with qtbot.waitSignal(dialog.finished, timeout=1000):
        dialog.close()
    assert not _asked()


def _consent(qtbot: QtBot, session: Session) -> ConsentDialog:
    draft = PersonDraft("Мария", "Петрова", "1991-04-02", languages=("bg",))
    return _opened_consent(qtbot, session, draft, "bg")[0]


def _quick_contact(qtbot: QtBot, session: Session) -> QuickContactDialog:
    _main, feature = _visits_window(qtbot, session)
    dialog = feature.open_quick_contact()
    qtbot.waitExposed(dialog)
    return dialog


def test_the_consent_ticked_is_asked_about_kept_and_discarded(
    qtbot: QtBot, session: Session
) -> None:
    dialog = _consent(qtbot, session)
    combo = dialog.view.input("consent_advice")
    assert isinstance(combo, QComboBox)
    combo.setFocus()
    qtbot.keyClick(combo, Qt.Key.Key_Down)  # given
    assert combo.currentData() == "given"
    _escape_asks_keeps_then_discards(qtbot, dialog, combo, lambda: combo.currentData() == "given")


def test_the_consent_untouched_closes_at_once(qtbot: QtBot, session: Session) -> None:
    dialog = _consent(qtbot, session)
    _escape_closes_unasked(qtbot, dialog, dialog.buttons)


def test_a_quick_contacts_topics_are_asked_about_kept_and_discarded(
    qtbot: QtBot, session: Session
) -> None:
    dialog = _quick_contact(qtbot, session)
    topic = next(iter(dialog.topics.values()))
    topic.setFocus()
    qtbot.keyClick(topic, Qt.Key.Key_Space)
    assert topic.isChecked()
    _escape_asks_keeps_then_discards(qtbot, dialog, topic, topic.isChecked)


def test_a_quick_contact_untouched_closes_at_once(qtbot: QtBot, session: Session) -> None:
    dialog = _quick_contact(qtbot, session)
    _escape_closes_unasked(qtbot, dialog, dialog.date)
