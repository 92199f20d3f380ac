"""File → "This laptop's fingerprint…" and "Sync now" are greyed on a laptop that has not
joined; pointed at, they say why in a tooltip."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import QPoint, Qt
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QToolTip
from pytestqt.qtbot import QtBot

from desktop_app.i18n.text import _, set_language
from desktop_app.ui.main_window import MainWindow
from desktop_app.ui.settings import not_joined_note
from desktop_app.ui.sync_status import no_fingerprint_yet_note
from desktop_app.usecases import sync as sync_uc
from desktop_app.usecases.accounts import Session, create_first_account
from tests.conftest import PASSWORD
from tests.integration.sync_harness import ServerProcess
from tests.ui.conftest import shown_window, tooltip_at


def _pointed_at(qtbot: QtBot, window: MainWindow, action: QAction) -> str:
    """The File menu opened and ``action`` pointed at: the tooltip it shows ("" for none)."""
    menu = window.file_menu
    QToolTip.hideText()
    menu.popup(window.mapToGlobal(QPoint(0, 0)))
    qtbot.waitExposed(menu)
    centre = menu.actionGeometry(action).center()
    qtbot.mouseMove(menu, centre)
    return tooltip_at(menu, centre)


@pytest.mark.parametrize("lang", ["ro", "bg", "de", "en"])
def test_the_greyed_fingerprint_entry_says_why(
    qtbot: QtBot, session: Session, tmp_path: Path, lang: str
) -> None:
    """It was greyed with no reason before the laptop joined, as if broken."""
    window = shown_window(qtbot, session)
    controller = window.sync  # type: ignore[attr-defined]
    try:
        window.switch_language(lang)
        action = controller.fingerprint_action
        note = no_fingerprint_yet_note()
        qtbot.waitUntil(lambda: action.toolTip() == note, timeout=10_000)
        assert not action.isEnabled()
        assert _("&File").replace("&", "") in note and note.endswith("…")
        assert _pointed_at(qtbot, window, action) == note
        window.file_menu.grab().save(str(tmp_path / f"file-menu-{lang}.png"))
        assert _pointed_at(qtbot, window, controller.sync_action) == not_joined_note()
        window.file_menu.close()
    finally:
        set_language("en")


def test_once_joined_the_entry_opens_with_no_reason_shown(
    qtbot: QtBot, server: ServerProcess, tmp_path: Path
) -> None:
    session = create_first_account(tmp_path / "A", "ioana", "Ioana Popescu", PASSWORD)
    sync_uc.join(session.store, server.base_url, server.enroll("A"), "Birou Nordstadt")
    try:
        window = shown_window(qtbot, session)
        controller = window.sync  # type: ignore[attr-defined]
        action = controller.fingerprint_action
        qtbot.waitUntil(action.isEnabled, timeout=30_000)
        assert _pointed_at(qtbot, window, action) == ""
        qtbot.keyClick(window.file_menu, Qt.Key.Key_Escape)
        window.close()
    finally:
        session.close()
