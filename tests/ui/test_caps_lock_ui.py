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
