"""The first start's join page: the enrollment code was said to be wrong (in red) from its
fourth character on, and the server address from its "https://" on, while they were still
being typed. They are wrong now only when more typing cannot mend them (a character no code
has, too long; a scheme other than https, http to another machine) or when the field is left
unfinished. An O, 0, I or 1, which the server's codes never have, is refused as such."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import QSettings, Qt
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

from desktop_app.domain.validation import FieldError
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


def test_an_address_being_typed_is_not_called_wrong(
    qtbot: QtBot, join_page: tuple[FirstRunWizard, str], shots: Path
) -> None:
    wizard, lang = join_page
    page = wizard.join_page
    # One key at a time: "https://" was "no web address" until the host's first letter, and
    # "http://l" not https on its way to this laptop's own address; "http://[" raised.
    for address in ("https://sync.example.org:8443", "http://localhost:8443", "http://[::1]:8443"):
        page.server.clear()
        for end in range(1, len(address) + 1):
            type_text(page.server, address[end - 1])
            assert page.server_error.isHidden(), (address[:end], page.server_error.text())
            if address[:end] == "https://":
                wizard.grab().save(str(shots / f"join-address-typing-{lang}.png"))
    describe = store_settings.describe
    # http to another machine: no more typing mends it (the scheme is typed already).
    page.server.clear()
    type_text(page.server, "http://s")
    not_https = describe(FieldError("server_url", "url_not_https"))
    assert page.server_error.isVisible() and page.server_error.text() == not_https
    assert not_https != "The server address must start with https://."  # in bg, ro
    # Left with only the scheme typed: said then.
    page.server.clear()
    type_text(page.server, "https://")
    assert page.server_error.isHidden()
    qtbot.keyClick(page.server, Qt.Key.Key_Tab)
    qtbot.waitUntil(lambda: not page.server.hasFocus())
    invalid = describe(FieldError("server_url", "url_invalid"))
    assert page.server_error.isVisible() and page.server_error.text() == invalid
    wizard.grab().save(str(shots / f"join-address-left-{lang}.png"))
    type_text(page.server, "sync.example.org")
    assert page.server_error.isHidden()


def test_a_character_no_code_has_is_refused_with_its_reason(
    qtbot: QtBot, join_page: tuple[FirstRunWizard, str], shots: Path
) -> None:
    wizard, lang = join_page
    page = wizard.join_page
    type_text(page.server, "https://sync.example.org")
    for typed, shown in (("O", "O"), ("0", "0"), ("i", "I"), ("1", "1")):
        page.code.clear()
        type_text(page.code, "K7QX-2MP")
        assert page.code_error.isHidden()
        type_text(page.code, typed)  # read off the sheet as O, 0, I or 1
        message = store_settings.describe(
            FieldError("enrollment_code", "enrollment_code_lookalike", {"char": shown})
        )
        assert page.code_error.isVisible() and page.code_error.text() == message
        assert f"“{shown}”" in message or f"„{shown}“" in message or f"„{shown}”" in message
        if typed == "O":
            wizard.grab().save(str(shots / f"join-code-lookalike-{lang}.png"))
        qtbot.keyClick(page.code, Qt.Key.Key_Backspace)
        assert page.code_error.isHidden()
    # Nothing is mapped (the server issues none of them): a whole code with one is refused.
    page.code.clear()
    type_text(page.code, "K7QX-2MPA-9TZD-4HR0")
    assert page.code_error.isVisible() and not page.isComplete()
    assert store_settings.normalise_enrollment_code("k7qx-2mpa-9tzd-4hro").endswith("4HRO")
    qtbot.keyClick(page.code, Qt.Key.Key_Backspace)
    type_text(page.code, "B")
    assert page.code_error.isHidden() and page.isComplete()
