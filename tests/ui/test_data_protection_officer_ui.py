"""The data protection officer in the settings: a coordinator names them by keyboard, beside the
supervisory authority, and the dialog still opens with every label whole."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import QSettings, Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QWidget
from pytestqt.qtbot import QtBot

from desktop_app.i18n.text import set_language
from desktop_app.ui.settings import SettingsDialog
from desktop_app.usecases import settings as store_settings
from desktop_app.usecases.accounts import Session
from tests.ui.conftest import type_text

DPO = "Dr. Petra Schulz, datenschutz@welcome-europe.example, 0231 50-00099"


@pytest.fixture
def qsettings(tmp_path: Path) -> Iterator[QSettings]:
    yield QSettings(str(tmp_path / "settings.ini"), QSettings.Format.IniFormat)


@pytest.fixture
def german() -> Iterator[None]:
    set_language("de")
    yield
    set_language("en")


def _alt(dialog: QWidget, key: str) -> None:
    QTest.keyClick(dialog, Qt.Key(ord(key.upper())), Qt.KeyboardModifier.AltModifier)


def test_a_coordinator_names_the_officer_by_keyboard_in_german(
    qtbot: QtBot, session: Session, qsettings: QSettings, german: None
) -> None:
    dialog = SettingsDialog(session, qsettings)
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitExposed(dialog)
    dialog.activateWindow()
    qtbot.waitUntil(dialog.isActiveWindow, timeout=5000)
    assert dialog.dpo_label.text() == "Datenschutz&beauftragte/r (Name und Kontakt)"
    assert dialog.dpo.accessibleName() == "Datenschutzbeauftragte/r (Name und Kontakt)"
    assert dialog.dpo.placeholderText() == "Name, E-Mail oder Telefon"
    assert "leer" in dialog.dpo.accessibleDescription()
    # Alt+B: the officer's field (the authority's is Alt+D, the save button Alt+S).
    _alt(dialog, "b")
    qtbot.waitUntil(dialog.dpo.hasFocus, timeout=5000)
    # A bell character pasted from elsewhere: said at the field, in German, nothing stored.
    type_text(dialog.dpo, "Dr. Petra Schulz")
    dialog.dpo.insert("\x07")  # as a paste puts it in (typed, Qt drops it)
    _alt(dialog, "s")
    qtbot.waitUntil(dialog.dpo_error.isVisible, timeout=5000)
    assert dialog.dpo_error.text() == store_settings.describe(
        store_settings.data_protection_officer_error("\x07") or pytest.fail("no error")
    )
    assert "Steuerzeichen" in dialog.dpo_error.text(), dialog.dpo_error.text()
    assert store_settings.get_data_protection_officer(session.store) == ""
    # Typing again clears the message; spaces around and between are collapsed on saving.
    QTest.keyClick(dialog.dpo, Qt.Key.Key_A, Qt.KeyboardModifier.ControlModifier)
    type_text(dialog.dpo, "  " + DPO.replace(", ", ",   ") + "  ")
    assert not dialog.dpo_error.isVisible()
    with qtbot.waitSignal(dialog.saved, timeout=30_000):
        _alt(dialog, "s")
    assert store_settings.get_data_protection_officer(session.store) == DPO
    again = SettingsDialog(session, qsettings)
    qtbot.addWidget(again)
    assert again.dpo.text() == DPO


@pytest.mark.parametrize("lang", ["de", "bg", "ro"])
def test_the_dialog_still_fits_with_the_officer_in_every_language(
    qtbot: QtBot,
    session: Session,
    qsettings: QSettings,
    lang: str,
    program_font: None,
    shots: Path,
) -> None:
    set_language(lang)
    try:
        store_settings.set_data_protection_officer(session.store, session.user, DPO)
        dialog = SettingsDialog(session, qsettings)
        qtbot.addWidget(dialog)
        dialog.show()  # at the size it opens with, not resized by the test
        qtbot.waitExposed(dialog)
        # As tall as it wants on a screen with room (offscreen: 800 px): Qt's two thirds of
        # it (533 px) cut the Romanian letterhead's second label to one line once the
        # officer's row was added.
        room = dialog.screen().availableGeometry().height() - 40
        assert dialog.height() == min(dialog.sizeHint().height(), room)
        labels = [
            *dialog.labels.values(),
            *dialog.letterhead.labels.values(),
            dialog.authority_label,
            dialog.dpo_label,
        ]
        for label in labels:
            assert label.height() >= label.heightForWidth(label.width()), label.text()
        words = dialog.dpo_label.text().replace("&", "").split()
        label = dialog.dpo_label
        assert all(label.fontMetrics().horizontalAdvance(w) < label.width() for w in words)
        assert dialog.dpo.width() == dialog.authority.width() == dialog.letterhead.name.width()
        placeholder = dialog.dpo.placeholderText()
        assert dialog.dpo.fontMetrics().horizontalAdvance(placeholder) < dialog.dpo.width() - 8
        assert dialog.height() <= 700  # as the supervisory authority's test: the smallest screen
        dialog.grab().save(str(shots / f"settings-dpo-{lang}.png"))
        dialog.resize(dialog.minimumSizeHint())
        dialog.grab().save(str(shots / f"settings-dpo-{lang}-smallest.png"))
        dialog.close()
    finally:
        set_language("en")
