"""Caps Lock at the login window and the lock screen: a password typed in capitals was
refused as "not correct" and nothing said why. The letters typed tell it (capitals without
Shift): "Caps Lock is on." under the field, in the UI language, until a letter comes as
meant. Real widgets, a real store."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication, QDialogButtonBox, QLineEdit
from pytestqt.qtbot import QtBot

from desktop_app.i18n.text import set_language
from desktop_app.ui.application import QtTranslations
from desktop_app.ui.error_label import CapsLockNote
from desktop_app.ui.login import LoginDialog
from desktop_app.usecases.accounts import Session
from tests.conftest import PASSWORD
from tests.ui.conftest import shown_window

CAPS = {"bg": "Caps Lock е включен.", "ro": "Caps Lock este activat."}


@pytest.fixture(params=["bg", "ro"])
def lang(request: pytest.FixtureRequest, qapp: QApplication) -> Iterator[str]:
    installed = QtTranslations(qapp)
    set_language(request.param)
    installed.apply(request.param)
    yield request.param
    installed.stop()
    set_language("en")


def _press(field: QLineEdit, text: str, shift: bool = False) -> None:
    """``text`` typed as a keyboard sends it: each letter with Shift held or not."""
    modifier = Qt.KeyboardModifier.ShiftModifier if shift else Qt.KeyboardModifier.NoModifier
    for ch in text:
        QTest.sendKeyEvent(QTest.KeyAction.Click, field, Qt.Key.Key_unknown, ch, modifier)


def test_the_login_window_says_caps_lock_is_on(
    qtbot: QtBot, session: Session, data_dir: Path, lang: str, shots: Path
) -> None:
    dialog = LoginDialog(data_dir)
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitExposed(dialog)
    dialog.account.setText("anna")
    dialog.password.setFocus()
    _press(dialog.password, PASSWORD.upper())  # Caps Lock on: capitals, no Shift
    assert dialog.caps_lock.isVisible() and dialog.caps_lock.text() == CAPS[lang]
    dialog.buttons.button(QDialogButtonBox.StandardButton.Ok).click()
    assert dialog.session is None and dialog.error.isVisible()
    assert dialog.caps_lock.isVisible()  # still on: said beside the refusal
    dialog.grab().save(str(shots / f"caps-lock-login-{lang}.png"))
    _press(dialog.password, "A", shift=True)  # Shift and a capital: Caps Lock is off
    assert not dialog.caps_lock.isVisible()
    _press(dialog.password, "a", shift=True)  # Shift gives a small letter: on again
    assert dialog.caps_lock.isVisible()
    _press(dialog.password, "1")  # not a letter: tells nothing
    assert dialog.caps_lock.isVisible()
    _press(dialog.password, "a")
    assert not dialog.caps_lock.isVisible()
    dialog.reject()


def test_the_lock_screen_says_caps_lock_is_on(
    qtbot: QtBot, session: Session, lang: str, program_font: None, shots: Path
) -> None:
    window = shown_window(qtbot, session, 1024)
    locker = window.locker  # type: ignore[attr-defined]
    locker.lock()
    screen = locker.screen
    qtbot.waitUntil(screen.isVisible)  # shown by the window's layout, a moment later
    try:
        assert not screen.caps_lock.isVisible()
        _press(screen.password, "GEHEIM")
        assert screen.caps_lock.isVisible() and screen.caps_lock.text() == CAPS[lang]
        window.switch_language("de")
        assert screen.caps_lock.text() == "Die Feststelltaste ist aktiviert."
        window.switch_language(lang)
        window.grab().save(str(shots / f"caps-lock-locked-{lang}.png"))
        _press(screen.password, "g")
        assert not screen.caps_lock.isVisible()
    finally:
        locker.unlock()
        window.close()


def test_the_first_starts_restore_page_says_caps_lock_is_on(
    qtbot: QtBot, tmp_path: Path, lang: str
) -> None:
    """The replacement laptop's restore page asks for the backup's passphrase and the old
    laptop's password: either refused for Caps Lock was said only as not correct."""
    from PySide6.QtCore import QSettings

    from desktop_app.ui.first_run import FirstRunWizard

    settings = QSettings(str(tmp_path / "settings.ini"), QSettings.Format.IniFormat)
    wizard = FirstRunWizard(tmp_path / "data", settings)
    qtbot.addWidget(wizard)
    wizard.show()
    qtbot.waitExposed(wizard)
    wizard.language_page.buttons[lang].setChecked(True)
    wizard.next()
    wizard.choice_page.restore.setChecked(True)
    wizard.next()
    page = wizard.restore_page
    assert wizard.currentPage() is page and not page.caps_lock.isVisible()
    _press(page.passphrase, "PAROLA")
    assert page.caps_lock.isVisible() and page.caps_lock.text() == CAPS[lang]
    _press(page.password, "P", shift=True)  # the other field: Caps Lock is off now
    assert not page.caps_lock.isVisible()
    page.clear()
    wizard.reject()


def _says_caps_lock(note: CapsLockNote, first: QLineEdit, second: QLineEdit, lang: str) -> None:
    """Capitals without Shift in ``first`` say it; a capital with Shift in ``second`` (the
    repeat) takes it back."""
    assert not note.isVisible()
    _press(first, "PAROLA")
    assert note.isVisible() and note.text() == CAPS[lang]
    _press(second, "P", shift=True)
    assert not note.isVisible()
    _press(second, "AROLA")
    assert note.isVisible()


def test_the_first_starts_account_page_says_caps_lock_is_on(
    qtbot: QtBot, tmp_path: Path, lang: str, shots: Path
) -> None:
    """The first account's password typed twice in capitals was taken as typed: the first
    login with Caps Lock off failed, and nothing had said why."""
    from PySide6.QtCore import QSettings

    from desktop_app.ui.first_run import FirstRunWizard

    settings = QSettings(str(tmp_path / "settings.ini"), QSettings.Format.IniFormat)
    wizard = FirstRunWizard(tmp_path / "data", settings)
    qtbot.addWidget(wizard)
    wizard.show()
    qtbot.waitExposed(wizard)
    try:
        wizard.language_page.buttons[lang].setChecked(True)
        wizard.next()
        wizard.next()  # a new organisation
        wizard.organisation_page.form.name.setText("Bun venit")
        wizard.next()
        page = wizard.account_page
        assert wizard.currentPage() is page
        _says_caps_lock(page.caps_lock, page.password, page.repeat, lang)
        wizard.grab().save(str(shots / f"caps-lock-first-account-{lang}.png"))
    finally:
        page.clear()
        wizard.organisation_page.clear()
        wizard.reject()


def test_the_dialogs_of_a_new_password_say_caps_lock_is_on(
    qtbot: QtBot, session: Session, lang: str, shots: Path
) -> None:
    """Change password, the users dialog's Add user and Set password: the new password typed
    twice with Caps Lock on was refused as two that differ, or taken as typed."""
    from desktop_app.ui.accounts import AddUserDialog, ChangePasswordDialog, SetPasswordDialog

    change = ChangePasswordDialog(session)
    add = AddUserDialog(session)
    set_new = SetPasswordDialog(session, session.user)
    for name, dialog, first, second in (
        ("change", change, change.new, change.repeat),
        ("add-user", add, add.password, add.repeat),
        ("set-password", set_new, set_new.new, set_new.repeat),
    ):
        qtbot.addWidget(dialog)
        dialog.show()
        qtbot.waitExposed(dialog)
        try:
            _says_caps_lock(dialog.caps_lock, first, second, lang)
            dialog.grab().save(str(shots / f"caps-lock-{name}-{lang}.png"))
        finally:
            dialog.reject()
    # The current password too: refused for Caps Lock, it was said only not to be correct.
    change.show()
    _press(change.old, "a", shift=True)
    assert change.caps_lock.isVisible()
    change.reject()


def test_the_recovery_logins_new_password_says_caps_lock_is_on(
    qtbot: QtBot, session: Session, data_dir: Path, lang: str, shots: Path
) -> None:
    """The coordinator's new password after the recovery code, typed twice in capitals, was
    taken as typed. The code's own field tells nothing: it is typed in capitals anyway."""
    from desktop_app.ui.login import RecoveryLoginDialog

    dialog = RecoveryLoginDialog(data_dir, "anna")
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitExposed(dialog)
    try:
        _press(dialog.code, "ABCD")
        assert not dialog.caps_lock.isVisible()
        _says_caps_lock(dialog.caps_lock, dialog.password, dialog.repeat, lang)
        dialog.grab().save(str(shots / f"caps-lock-recovery-{lang}.png"))
    finally:
        dialog.reject()
