"""Joining, as a new laptop's person meets it: a failure on this laptop while the wizard
registers it, a mistyped server address, an enrollment code typed loosely, and a helper's
account on a laptop whose team key waits for a coordinator's confirmation. Real stores, a
real server process on 127.0.0.1, real widgets offscreen."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import QSettings
from PySide6.QtWidgets import QWizard
from pytestqt.qtbot import QtBot

from desktop_app.i18n.messages import refusal_message
from desktop_app.i18n.text import set_language
from desktop_app.ui.first_run import FirstRunWizard
from desktop_app.usecases import sync as sync_uc
from tests.integration.sync_harness import ServerProcess
from tests.ui.conftest import type_text
from tests.ui.test_failure_messages_ui import _write_locked
from tests.ui.test_onboarding_ui import _make_account
from tests.ui.test_sync_ui import laptops, server

__all__ = ["laptops", "server"]  # fixtures: a real sync server on 127.0.0.1 and its laptops


@pytest.fixture(autouse=True)
def _back_to_english() -> Iterator[None]:
    yield
    set_language("en")


def _wizard_at_join_page(
    qtbot: QtBot, tmp_path: Path, lang: str, server_url: str, code: str
) -> FirstRunWizard:
    """A fresh laptop's first-run wizard in ``lang``, on the join path, the address and code
    typed in."""
    settings = QSettings(str(tmp_path / "wizard.ini"), QSettings.Format.IniFormat)
    wizard = FirstRunWizard(tmp_path / "B", settings)
    qtbot.addWidget(wizard)
    wizard.show()
    wizard.language_page.buttons[lang].setChecked(True)
    wizard.next()
    wizard.choice_page.join.setChecked(True)
    wizard.next()
    type_text(wizard.join_page.server, server_url)
    type_text(wizard.join_page.code, code)
    return wizard


def _answered(qtbot: QtBot, wizard: FirstRunWizard) -> None:
    """The account page's work (store, registration) done, whichever way."""
    page = wizard.account_page
    qtbot.waitUntil(lambda: not page.busy, timeout=60_000)


def test_the_wizard_says_a_failure_on_this_laptop_while_it_registers(
    qtbot: QtBot, tmp_path: Path, server: ServerProcess
) -> None:
    """The records busy (another connection writing) when the joining is to be stored: the
    wizard passed it to the application's error handler, and its page said nothing."""
    wizard = _wizard_at_join_page(qtbot, tmp_path, "de", server.base_url, "7JM7-FX4J-A922-8BB2")
    wizard.next()
    _make_account(wizard, "petar", "Петър Петров")
    _answered(qtbot, wizard)
    page = wizard.account_page
    assert wizard.session is not None
    # The server refused the code nobody issued.
    assert page.store_error.text() == refusal_message("enrollment_invalid")
    wizard.back()  # "Back lets you correct the server address or the code"
    wizard.join_page.code.clear()
    type_text(wizard.join_page.code, server.enroll("B"))
    wizard.next()
    assert wizard.currentPage() is page
    with _write_locked(wizard.session):
        wizard.button(QWizard.WizardButton.CommitButton).click()
        assert page.busy
        _answered(qtbot, wizard)
    wizard.grab().save(str(tmp_path / "wizard-store-busy-de.png"))
    assert page.store_error.text() == (
        "Die Unterlagen sind gerade belegt: Eine Synchronisierung oder ein anderes "
        "Welcome-Desk-Fenster schreibt in sie. Warten Sie einen Moment, und versuchen Sie es "
        "dann erneut."
    )
    assert page.store_error.isVisible()
    assert wizard.currentPage() is page and not sync_uc.is_joined(wizard.session.store)
    wizard.session.close()
