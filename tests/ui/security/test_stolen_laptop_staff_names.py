"""Property 1 for the staff: a copy of a laptop that was set up, used by two people, locked and
quit names neither of them, in the data folder (database, key slots, login counter, logs) nor
in the program's settings."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import QSettings
from PySide6.QtWidgets import QWizard
from pytestqt.qtbot import QtBot

from desktop_app.domain.person import PersonDraft
from desktop_app.domain.users import Role
from desktop_app.logs import configure_logging
from desktop_app.ui.first_run import FirstRunWizard
from desktop_app.ui.lock import Locker
from desktop_app.ui.login import LoginDialog
from desktop_app.usecases import accounts, people
from tests.conftest import PASSWORD
from tests.ui.conftest import shown_window, type_text
from tests.unit.security.test_keyslot_names import ADVISOR, ADVISOR_PW, COORDINATOR, needles


@pytest.fixture
def settings_dir(tmp_path: Path) -> Path:
    """Where this test's QSettings() write (as the program's do under ~/.config)."""
    folder = tmp_path / "config"
    for fmt in (QSettings.Format.NativeFormat, QSettings.Format.IniFormat):
        QSettings.setPath(fmt, QSettings.Scope.UserScope, str(folder))
    return folder


@pytest.fixture
def logging_to(data_dir: Path) -> Iterator[Path]:
    handler = configure_logging(data_dir / "logs")  # where the program writes its log
    yield data_dir / "logs"
    logging.getLogger().removeHandler(handler)
    handler.close()


def _set_up_organisation(qtbot: QtBot, data_dir: Path) -> accounts.Session:
    """The first-run wizard's new organisation path, as the coordinator takes it."""
    wizard = FirstRunWizard(data_dir)
    qtbot.addWidget(wizard)
    wizard.show()
    wizard.language_page.buttons["de"].setChecked(True)  # kept in the settings
    wizard.language_page.buttons["en"].setChecked(True)
    wizard.next()
    wizard.next()
    type_text(wizard.organisation_page.form.name, "Asociația „Bun venit” Dortmund")
    wizard.next()
    page = wizard.account_page
    type_text(page.account, COORDINATOR[0])
    type_text(page.display_name, COORDINATOR[1])
    type_text(page.password, PASSWORD)
    type_text(page.repeat, PASSWORD)
    wizard.next()
    qtbot.waitUntil(lambda: wizard.currentPage() is wizard.recovery_page, timeout=30_000)
    wizard.recovery_page.confirm.setChecked(True)
    wizard.accept()
    assert wizard.result() == QWizard.DialogCode.Accepted and wizard.session is not None
    return wizard.session


def test_a_copied_laptop_names_none_of_its_staff(
    qtbot: QtBot, data_dir: Path, settings_dir: Path, logging_to: Path
) -> None:
    coordinator = _set_up_organisation(qtbot, data_dir)
    accounts.add_user(coordinator, ADVISOR[0], ADVISOR[1], Role.ADVISOR, ADVISOR_PW)
    coordinator.close()

    # The advisor logs in at the prompt (a wrong password first), works, is locked, quits.
    dialog = LoginDialog(data_dir)
    qtbot.addWidget(dialog)
    assert dialog.account.text() == ""
    type_text(dialog.account, ADVISOR[0])
    type_text(dialog.password, "not my password")
    dialog._on_ok_clicked()
    assert dialog.session is None and dialog.error.text()
    type_text(dialog.password, ADVISOR_PW)
    dialog._on_ok_clicked()
    session = dialog.session
    assert session is not None and session.user.display_name == ADVISOR[1]
    people.register_person(session.store, session.user, PersonDraft("Ion", "Popescu"))
    window = shown_window(qtbot, session)
    locker = window.locker
    assert isinstance(locker, Locker)
    locker.lock()
    assert locker.is_locked
    window.close()
    session.close()
    QSettings().sync()

    files = [p for folder in (data_dir, settings_dir) for p in folder.rglob("*") if p.is_file()]
    names = {p.name for p in files}
    assert {"welcome-desk.db", "keyslots.json", "login-guard.json", "welcome-desk.log"} <= names
    assert any(p.is_relative_to(settings_dir) for p in files)  # the settings were written
    wanted = needles(*COORDINATOR, *ADVISOR)
    for path in files:
        raw = path.read_bytes()
        found = [n.decode("utf-8", "replace") for n in wanted if n in raw]
        assert not found, f"{path.relative_to(path.parents[1])} names {found}"
