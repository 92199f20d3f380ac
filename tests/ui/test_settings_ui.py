"""Settings screen: per-laptop values in QSettings, the letterhead in the store, field messages."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import QSettings
from PySide6.QtGui import QColor, QImage
from PySide6.QtWidgets import QDialogButtonBox
from pytestqt.qtbot import QtBot

from desktop_app.i18n.text import current_language
from desktop_app.ui.settings import (
    KEY_IDLE_LOCK,
    KEY_SERVER_URL,
    SettingsDialog,
    idle_lock_minutes,
    server_url,
)
from desktop_app.usecases import settings as store_settings
from desktop_app.usecases.accounts import Session
from tests.ui.conftest import shown_window, store_held, type_text

SHOTS = os.environ.get("WELCOME_DESK_SHOTS")


@pytest.fixture
def qsettings(tmp_path: Path) -> Iterator[QSettings]:
    settings = QSettings(str(tmp_path / "settings.ini"), QSettings.Format.IniFormat)
    yield settings


def save(qtbot: QtBot, dialog: SettingsDialog) -> None:
    """Save as the button does, and wait while the letterhead is stored (a worker thread)."""
    dialog.buttons.button(QDialogButtonBox.StandardButton.Save).click()
    qtbot.waitUntil(lambda: not dialog.save.saving, timeout=5000)


def test_defaults_and_saving(
    qtbot: QtBot, session: Session, qsettings: QSettings, tmp_path: Path
) -> None:
    assert idle_lock_minutes(qsettings) == 5
    assert server_url(qsettings) == ""
    dialog = SettingsDialog(session, qsettings)
    qtbot.addWidget(dialog)
    dialog.show()
    # Until the coordinator saves one, the shipped default letterhead is shown.
    assert dialog.letterhead.name.text().startswith("Welcome Europe")
    if SHOTS:
        dialog.grab().save(str(Path(SHOTS) / "settings.png"))
    logo = tmp_path / "logo.png"
    image = QImage(40, 40, QImage.Format.Format_RGB32)
    image.fill(QColor("#1f6f8b"))
    assert image.save(str(logo))
    dialog.idle_lock.setValue(12)
    type_text(dialog.server, "https://sync.example.org")
    dialog.letterhead.name.clear()
    type_text(dialog.letterhead.name, "Асоциация „Добре дошли“ Dortmund")
    dialog.letterhead.address.setPlainText("Münsterstraße 5\n\n44145 Dortmund")
    dialog.letterhead.logo.setText(str(logo))
    with qtbot.waitSignal(dialog.saved, timeout=2000):
        save(qtbot, dialog)
    assert qsettings.value(KEY_IDLE_LOCK) in (12, "12")
    assert idle_lock_minutes(qsettings) == 12
    assert server_url(qsettings) == "https://sync.example.org"
    org = store_settings.get_letterhead(session.store)
    assert org.name == "Асоциация „Добре дошли“ Dortmund"
    assert org.address_lines == ("Münsterstraße 5", "44145 Dortmund")
    assert org.logo_path == str(logo)


def test_errors_are_shown_at_the_field_and_nothing_is_saved(
    qtbot: QtBot, session: Session, qsettings: QSettings
) -> None:
    dialog = SettingsDialog(session, qsettings)
    qtbot.addWidget(dialog)
    dialog.show()
    type_text(dialog.server, "http://sync.example.org")
    dialog.letterhead.name.clear()
    type_text(dialog.letterhead.email, "@@")
    dialog.letterhead.logo.setText("/nowhere/logo.gif")
    save(qtbot, dialog)
    assert dialog.isVisible()
    assert dialog.server_error.text() == "The server address must start with https://."
    assert dialog.letterhead.errors["name"].text() == "This field is required."
    assert dialog.letterhead.errors["email"].text().startswith("This is not an e-mail address")
    assert dialog.letterhead.errors["logo_path"].text() == "The logo must be a PNG or JPEG file."
    assert not store_settings.has_letterhead(session.store)
    assert qsettings.value(KEY_SERVER_URL) is None


def test_settings_from_the_file_menu_switch_the_language(
    qtbot: QtBot, session: Session, tmp_path: Path
) -> None:
    QSettings.setPath(QSettings.Format.NativeFormat, QSettings.Scope.UserScope, str(tmp_path))
    QSettings.setPath(QSettings.Format.IniFormat, QSettings.Scope.UserScope, str(tmp_path))
    window = shown_window(qtbot, session)
    window.settings_action.trigger()  # type: ignore[attr-defined]
    dialog: SettingsDialog = window.settings_dialog  # type: ignore[attr-defined]
    dialog.language.setCurrentIndex(dialog.language.findData("ro"))
    save(qtbot, dialog)
    assert current_language() == "ro"
    assert window.settings_action.text() == "S&etări…"  # type: ignore[attr-defined]


def test_letterhead_rules() -> None:
    from desktop_app.domain.referral import Organisation

    errors = store_settings.letterhead_errors(
        Organisation(name="X", address_lines=("a", "b", "c", "d", "e"), phone="abc")
    )
    assert [(e.field, e.code) for e in errors] == [
        ("address_lines", "too_many_lines"),
        ("phone", "phone_characters"),
    ]
    assert store_settings.server_url_error("http://127.0.0.1:8443") is None
    assert store_settings.server_url_error("sync.example.org") is not None
    assert store_settings.enrollment_code_error("k7qx 2mpa 9tzd") is None
    assert store_settings.normalise_enrollment_code("k7qx 2mpa 9tzd") == "K7QX-2MPA-9TZD"
    bad = store_settings.enrollment_code_error("12345")
    assert bad is not None and bad.code == "enrollment_code_format"


def test_saving_the_letterhead_does_not_wait_while_a_sync_writes(
    qtbot: QtBot, session: Session, qsettings: QSettings
) -> None:
    dialog = SettingsDialog(session, qsettings)
    qtbot.addWidget(dialog)
    dialog.show()
    dialog.letterhead.name.clear()
    type_text(dialog.letterhead.name, "Willkommen Dortmund e. V.")
    with (
        qtbot.waitSignal(dialog.saved, timeout=5000),
        store_held(session) as (_release, held),
    ):
        dialog.buttons.button(QDialogButtonBox.StandardButton.Save).click()
        assert held.is_set() and dialog.save.saving  # it returned while the store was held
        assert not dialog.buttons.isEnabled()
    assert store_settings.get_letterhead(session.store).name == "Willkommen Dortmund e. V."
    assert not dialog.isVisible()
