"""The first start's join page: the enrollment code was said to be wrong (in red) from its
fourth character on, while it was still being typed. It is wrong now only when more typing
cannot mend it (a character no code has, too long) or when the field is left unfinished."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import QSettings, Qt
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

from desktop_app.i18n.text import _, set_language
from desktop_app.ui.first_run import FirstRunWizard
from desktop_app.usecases import settings as store_settings
from tests.ui.conftest import type_text


@pytest.fixture(params=["bg", "ro"])
def join_page(
    request: pytest.FixtureRequest, qtbot: QtBot, tmp_path: Path, qapp: QApplication
) -> Iterator[tuple[FirstRunWizard, str]]:
    settings = QSettings(str(tmp_path / "settings.ini"), QSettings.Format.IniFormat)
    wizard = FirstRunWizard(tmp_path / "data", settings)
    qtbot.addWidget(wizard)
    wizard.show()
    qtbot.waitExposed(wizard)
    try:
        wizard.language_page.buttons[request.param].setChecked(True)
        wizard.next()
        wizard.choice_page.join.setChecked(True)
        wizard.next()
        wizard.activateWindow()
        qtbot.waitUntil(wizard.isActiveWindow)
        yield wizard, request.param
    finally:
        wizard.join_page.clear()  # nothing typed: closed without asking
        wizard.reject()
        set_language("en")


def test_a_code_being_typed_is_not_called_wrong(
    qtbot: QtBot, join_page: tuple[FirstRunWizard, str], shots: Path
) -> None:
    wizard, lang = join_page
    page = wizard.join_page
    wrong = _("An enrollment code has groups of four letters or digits, e.g. K7QX-2MPA-9TZD.")
    type_text(page.server, "https://sync.example.org")
    for ch in "k7qx-2mpa-9tz":  # typed as read off the sheet, one key at a time
        type_text(page.code, ch)
        assert page.code_error.isHidden(), (ch, page.code_error.text())
    assert not page.isComplete()  # not finished: Next waits
    wizard.grab().save(str(shots / f"join-code-typing-{lang}.png"))
    type_text(page.code, "d")
    assert page.code_error.isHidden() and page.isComplete()
    # A character no code has: no more typing mends it.
    type_text(page.code, "!")
    assert page.code_error.isVisible() and page.code_error.text() == wrong
    assert wrong != "An enrollment code has groups of four letters or digits, e.g. K7QX-2MPA-9TZD."
    qtbot.keyClick(page.code, Qt.Key.Key_Backspace)
    assert page.code_error.isHidden()
    # Longer than any code (six groups of four).
    type_text(page.code, "-ABCD-EFGH-JKLM-")
    assert page.code_error.isHidden()
    type_text(page.code, "N")
    assert page.code_error.isVisible()
    page.code.clear()
    assert page.code_error.isHidden()


def test_a_code_left_unfinished_is_called_wrong(
    qtbot: QtBot, join_page: tuple[FirstRunWizard, str], shots: Path
) -> None:
    wizard, lang = join_page
    page = wizard.join_page
    type_text(page.code, "K7QX-2MPA")
    assert page.code_error.isHidden()
    qtbot.keyClick(page.code, Qt.Key.Key_Tab)  # on to the laptop's name
    qtbot.waitUntil(lambda: not page.code.hasFocus())
    describe = store_settings.describe
    error = store_settings.enrollment_code_error("K7QX-2MPA")
    assert error is not None
    assert page.code_error.isVisible() and page.code_error.text() == describe(error)
    wizard.grab().save(str(shots / f"join-code-left-{lang}.png"))
    type_text(page.name, " 3")  # typing elsewhere leaves it said
    type_text(page.server, "https://sync.example.org")
    assert page.code_error.isVisible()
    # Typed on: said again only when it is left again (or wrong for good).
    type_text(page.code, "-9T")
    assert page.code_error.isHidden()
    qtbot.keyClick(page.code, Qt.Key.Key_Return)  # Enter in it: Next is greyed out
    assert page.code_error.isVisible()
    type_text(page.code, "ZD")
    assert page.code_error.isHidden() and page.isComplete()
