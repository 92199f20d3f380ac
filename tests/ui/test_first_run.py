"""First-run wizard: the three paths (new organisation, join, demo) and the language page."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from PIL import Image
from PySide6.QtCore import QSettings, Qt
from PySide6.QtWidgets import QWidget, QWizard
from pytestqt.qtbot import QtBot

from desktop_app.i18n.text import current_language
from desktop_app.storage.db import StorePaths
from desktop_app.ui import first_run
from desktop_app.ui.first_run import FirstRunWizard
from desktop_app.ui.main_window import MainWindow
from desktop_app.usecases import settings as store_settings
from desktop_app.usecases import sync as sync_uc
from desktop_app.usecases.accounts import log_in
from tests.conftest import PASSWORD
from tests.ui.conftest import type_text

SHOTS = os.environ.get("WELCOME_DESK_SHOTS")


def shot(wizard: FirstRunWizard, name: str) -> None:
    if SHOTS:
        wizard.grab().save(str(Path(SHOTS) / f"first-run-{name}.png"))


@pytest.fixture
def wizard(qtbot: QtBot, data_dir: Path, tmp_path: Path) -> Iterator[FirstRunWizard]:
    settings = QSettings(str(tmp_path / "settings.ini"), QSettings.Format.IniFormat)
    w = FirstRunWizard(data_dir, settings)
    qtbot.addWidget(w)
    w.show()
    yield w
    if w.session is not None:
        w.session.close()


def test_language_page_switches_the_wizard_language(wizard: FirstRunWizard) -> None:
    wizard.language_page.buttons["bg"].setChecked(True)
    assert current_language() == "bg"
    assert wizard.settings.value("ui/language") == "bg"
    assert wizard.language_page.title() == "Добре дошли в Welcome Desk"
    shot(wizard, "1-language")
    wizard.next()
    shot(wizard, "2-choice")
    wizard.language_page.buttons["en"].setChecked(True)
    assert wizard.choice_page.title() == "How do you want to start?"


def test_new_organisation_path_creates_store_account_and_letterhead(
    qtbot: QtBot, wizard: FirstRunWizard, data_dir: Path
) -> None:
    wizard.next()
    assert wizard.currentPage() is wizard.choice_page
    assert wizard.choice_page.new.isChecked()
    wizard.next()
    assert wizard.currentPage() is wizard.organisation_page
    form = wizard.organisation_page.form
    assert not wizard.button(QWizard.WizardButton.NextButton).isEnabled()  # a name is needed
    type_text(form.name, "Asociația „Bun venit” Dortmund")
    form.address.setPlainText("Münsterstraße 5\n44145 Dortmund")
    type_text(form.email, "not-an-address")
    wizard.next()
    assert wizard.currentPage() is wizard.organisation_page
    assert form.errors["email"].text().startswith("This is not an e-mail address")
    form.email.clear()
    type_text(form.email, "info@bun-venit.example.org")
    shot(wizard, "3-organisation")
    wizard.next()
    assert wizard.currentPage() is wizard.account_page
    page = wizard.account_page
    assert page.title() == "The coordinator's account"  # the organisation's first laptop
    # The recovery code comes next: not "Start", which showed the code instead of starting.
    next_button = wizard.button(QWizard.WizardButton.CommitButton)
    assert next_button.isVisible() and next_button.text() == "&Next >"
    assert not wizard.button(QWizard.WizardButton.FinishButton).isVisible()
    type_text(page.account, "maria")
    type_text(page.display_name, "Мария Иванова")
    type_text(page.password, PASSWORD)
    type_text(page.repeat, "something else")
    shot(wizard, "4-account")
    wizard.next()
    assert page.errors["password_repeat"].text() == "The two passwords are not the same."
    assert not StorePaths(data_dir).is_initialised()
    page.repeat.clear()
    type_text(page.repeat, PASSWORD)
    assert wizard.session is None
    wizard.next()
    # The store is made (its key derived) on a worker thread: the wizard shows it and waits,
    # Next, Back, Cancel and Escape do nothing meanwhile, then it moves on by itself.
    assert page.busy and page.bar.isVisible() and page.busy_label.text()
    for which in ("CommitButton", "BackButton", "CancelButton"):
        assert not wizard.button(getattr(QWizard.WizardButton, which)).isEnabled()
    assert not page.password.isEnabled()
    wizard.reject()
    assert wizard.isVisible()
    qtbot.waitUntil(lambda: wizard.currentPage() is not page, timeout=30_000)
    assert wizard.session is not None and not page.busy
    # The coordinator's recovery code is shown once and must be confirmed as written down.
    assert wizard.currentPage() is wizard.recovery_page
    assert not wizard.button(QWizard.WizardButton.BackButton).isEnabled()  # the store is made
    code = wizard.recovery_page.code.toPlainText()
    assert code and code == wizard.session.recovery_code
    assert not wizard.recovery_page.isComplete()
    wizard.recovery_page.confirm.setChecked(True)
    assert wizard.recovery_page.isComplete()
    wizard.accept()
    assert wizard.result() == QWizard.DialogCode.Accepted
    assert not wizard.demo
    org = store_settings.get_letterhead(wizard.session.store)
    assert org.name == "Asociația „Bun venit” Dortmund"
    assert org.address_lines == ("Münsterstraße 5", "44145 Dortmund")
    # Published to the team as well: a laptop that joins later prints under it (it was kept on
    # this laptop only until the coordinator saved the settings again).
    team = store_settings.team_settings(wizard.session.store)
    assert team is not None and team.letterhead.name == "Asociația „Bun venit” Dortmund"
    assert team.letterhead.email == "info@bun-venit.example.org"
    wizard.session.close()
    again = log_in(data_dir, "maria", PASSWORD)
    assert again.user.display_name == "Мария Иванова"
    assert store_settings.get_letterhead(again.store).email == "info@bun-venit.example.org"
    again.close()
    wizard.session = None


def test_recovery_page_needs_confirmation(wizard: FirstRunWizard) -> None:
    wizard.recovery_code = "ABCD-EFGH-JKMN-PQRS"
    wizard.recovery_page.initializePage()
    assert wizard.recovery_page.code.toPlainText() == "ABCD-EFGH-JKMN-PQRS"
    assert not wizard.recovery_page.isComplete()
    wizard.recovery_page.confirm.setChecked(True)
    assert wizard.recovery_page.isComplete()
    assert wizard.account_page.nextId() == first_run.PAGE_RECOVERY


def test_join_path_validates_registers_and_shows_the_fingerprint(
    qtbot: QtBot, wizard: FirstRunWizard, data_dir: Path, tmp_path: Path
) -> None:
    from tests.integration.sync_harness import PortReservation, started_server

    wizard.next()
    wizard.choice_page.join.setChecked(True)
    wizard.next()
    page = wizard.join_page
    assert wizard.currentPage() is page
    type_text(page.server, "http://sync.example.org")
    assert page.server_error.text() == "The server address must start with https://."
    type_text(page.code, "23")
    type_text(page.code, "45")
    assert page.code_error.isHidden()  # still being typed: not wrong yet
    qtbot.keyClick(page.code, Qt.Key.Key_Return)  # left as it is: wrong
    assert page.code_error.text().startswith("An enrollment code has groups of four")
    assert not page.isComplete()
    shot(wizard, "5-join")
    with started_server(f"sqlite:///{tmp_path / 's.db'}", tmp_path / "s.log") as server:
        # First an address where nothing listens: the store is made, the registration fails
        # in words, the wizard stays on the page (responsive all along) and keeps the store.
        page.server.clear()
        nobody = PortReservation()  # held for this test: no other worker's server gets it
        type_text(page.server, f"http://127.0.0.1:{nobody.port}")
        page.code.clear()
        type_text(page.code, server.enroll("Laptop Nordstadt").lower())
        assert page.server_error.text() == "" and page.code_error.text() == ""
        assert page.isComplete()
        wizard.next()
        account = wizard.account_page
        assert wizard.currentPage() is account
        assert account.title() == "This laptop's first account"  # not the coordinator's
        # Its rights follow the role the coordinator approves the laptop for.
        assert "coordinator role" not in account.subTitle()
        assert "role the laptop is approved for" in account.subTitle()
        type_text(account.account, "ion")
        type_text(account.display_name, "Ion Popescu")
        type_text(account.password, PASSWORD)
        type_text(account.repeat, PASSWORD)
        wizard.next()
        assert account.busy
        qtbot.waitUntil(lambda: not account.busy, timeout=60_000)
        assert account.store_error.text() == (
            "The sync server cannot be reached. Nothing was lost. This laptop has not joined "
            "yet. Press Try again when the connection is back: the same code still works."
        )
        assert wizard.currentPage() is account and wizard.session is not None
        assert not sync_uc.is_joined(wizard.session.store)
        # The account exists now: its fields are done, and the page says what Back does.
        assert account.created.isVisible() and not account.account.isEnabled()
        assert wizard.button(QWizard.WizardButton.CommitButton).isEnabled()
        assert wizard.button(QWizard.WizardButton.CommitButton).text() == "&Try again"
        assert wizard.button(QWizard.WizardButton.BackButton).isEnabled()  # not joined yet
        store = wizard.session.store

        # Back to the address, corrected: Next on the account page only registers now.
        wizard.back()
        assert wizard.currentPage() is page
        page.server.clear()
        type_text(page.server, server.base_url)
        wizard.next()
        wizard.next()
        assert account.busy and "sync server" in account.busy_label.text()
        qtbot.waitUntil(lambda: wizard.currentPage() is not account, timeout=60_000)
        assert wizard.session.store is store  # the same store, not a second one
        assert wizard.currentPage() is wizard.recovery_page
        # Joined: Back would lead to the address and code, whose changes went nowhere, and
        # to a page saying that Next registers again, which it did not.
        back = wizard.button(QWizard.WizardButton.BackButton)
        assert not back.isEnabled()
        wizard.recovery_page.confirm.setChecked(True)
        wizard.next()
        assert wizard.currentPage() is wizard.joined_page
        assert not back.isEnabled()
        back.click()
        assert wizard.currentPage() is wizard.joined_page
        assert wizard.joined_page.fingerprint.text() == sync_uc.fingerprint(wizard.session.store)
        shot(wizard, "6-joined")
        status = sync_uc.status(wizard.session.store)
        assert status.joined and status.server_url == server.base_url
        wizard.accept()
        wizard.session.close()
        wizard.session = None


def test_demo_path_finishes_from_the_choice_page(
    qtbot: QtBot, wizard: FirstRunWizard, data_dir: Path
) -> None:
    wizard.next()
    wizard.choice_page.demo.setChecked(True)
    assert wizard.button(QWizard.WizardButton.FinishButton).isVisible()
    assert wizard.button(QWizard.WizardButton.FinishButton).text() == "&Start the demo"
    wizard.button(QWizard.WizardButton.FinishButton).click()
    assert wizard.demo and wizard.session is None
    assert not StorePaths(data_dir).is_initialised()
    # What app.py then does: open the demo session in a window marked as demo.
    from desktop_app.usecases.demo import open_demo_session

    session = open_demo_session(people=20)
    window = MainWindow(session, demo=True)
    qtbot.addWidget(window)
    assert "DEMO" in window.windowTitle()
    window.close()
    session.close()


def test_app_start_without_data_folder_opens_the_wizard(
    qtbot: QtBot, data_dir: Path, tmp_path: Path
) -> None:
    """app.py's start-up: no data folder → first-run wizard; its demo path opens a demo."""
    import argparse

    from PySide6.QtCore import QTimer
    from PySide6.QtWidgets import QApplication

    from desktop_app import app

    QSettings.setPath(QSettings.Format.NativeFormat, QSettings.Scope.UserScope, str(tmp_path))
    seen: list[str] = []

    def choose_demo() -> None:
        wizard = QApplication.activeModalWidget()
        if not isinstance(wizard, FirstRunWizard):
            QTimer.singleShot(20, choose_demo)
            return
        seen.append(wizard.windowTitle())
        wizard.next()
        wizard.choice_page.demo.setChecked(True)
        wizard.button(QWizard.WizardButton.FinishButton).click()

    QTimer.singleShot(0, choose_demo)
    args = argparse.Namespace(demo=False, data_dir=data_dir, password_stdin=False)
    session = app._open_gui_session(args, None, [])
    assert seen == ["Welcome Desk — first start"]
    assert session is not None and args.demo is True
    assert not StorePaths(data_dir).is_initialised()
    session.close()


@pytest.mark.parametrize("lang", ["de", "bg", "ro", "en"])
def test_the_recovery_codes_confirmation_is_reached_by_its_access_key(
    qtbot: QtBot, wizard: FirstRunWizard, lang: str
) -> None:
    """The box to tick before going on had no access key: reached only with Tab."""
    from PySide6.QtCore import Qt
    from PySide6.QtGui import QKeySequence

    from desktop_app.i18n.text import set_language

    try:
        wizard.language_page.buttons[lang].setChecked(True)
        wizard.recovery_code = "ABCD-EFGH-JKMN-PQRS"
        wizard.setStartId(first_run.PAGE_RECOVERY)
        wizard.restart()
        page = wizard.recovery_page
        assert wizard.currentPage() is page and not page.isComplete()
        key = QKeySequence.mnemonic(page.confirm.text())
        assert not key.isEmpty(), page.confirm.text()
        others = [page.print_button.text()] + [
            wizard.buttonText(which)
            for which in (
                QWizard.WizardButton.BackButton,
                QWizard.WizardButton.NextButton,
                QWizard.WizardButton.FinishButton,
            )
        ]
        assert key not in [QKeySequence.mnemonic(text) for text in others]
        wizard.activateWindow()
        qtbot.waitUntil(wizard.isActiveWindow, timeout=5000)
        pressed = key[0].key()  # type: ignore[index]
        qtbot.keyClick(wizard, pressed, Qt.KeyboardModifier.AltModifier)
        qtbot.waitUntil(page.confirm.isChecked, timeout=5000)  # a shortcut's click is animated
        assert page.isComplete()
    finally:
        set_language("en")


@pytest.mark.parametrize("lang", ["de", "bg", "ro"])
def test_the_joined_page_lets_the_fingerprint_be_reached_and_read_out_by_keyboard(
    qtbot: QtBot, wizard: FirstRunWizard, lang: str
) -> None:
    """It could be selected by mouse only and had no name for a screen reader; the join
    dialog's (the same fingerprint, later) could be reached by keyboard and read out whole."""
    from PySide6.QtCore import Qt

    from desktop_app.i18n.text import _, set_language

    fingerprint = "K7QX 2MPA 9TZD 4HNC WQ2E 8RJB"
    try:
        wizard.language_page.buttons[lang].setChecked(True)
        wizard.fingerprint = fingerprint
        wizard.joined_page.initializePage()
        shown = wizard.joined_page.fingerprint
        assert shown.text() == fingerprint
        flags = shown.textInteractionFlags()
        assert flags & Qt.TextInteractionFlag.TextSelectableByKeyboard
        assert shown.focusPolicy() & Qt.FocusPolicy.TabFocus
        name = _("Fingerprint of this laptop: {fp}").format(fp=fingerprint)
        assert shown.accessibleName() == name and not name.startswith("Fingerprint")
        wizard.language_page.buttons["en"].setChecked(True)  # named in the language chosen
        assert shown.accessibleName() == f"Fingerprint of this laptop: {fingerprint}"
    finally:
        set_language("en")


@pytest.mark.parametrize("lang", ["de", "bg", "ro"])
def test_the_join_paths_account_page_names_the_laptops_first_account(
    wizard: FirstRunWizard, lang: str
) -> None:
    """It was titled "The coordinator's account" on the join path too, where an advisor or a
    student helper sets up a member's laptop: the account made there is this laptop's first,
    which keeps its accounts and works with the role the laptop is approved for."""
    from desktop_app.i18n.text import _, set_language

    try:
        wizard.language_page.buttons[lang].setChecked(True)
        wizard.next()
        wizard.choice_page.join.setChecked(True)
        wizard.next()
        type_text(wizard.join_page.server, "https://sync.example.org")
        type_text(wizard.join_page.code, "K7QX-2MPA-9TZD")
        wizard.next()
        page = wizard.account_page
        assert wizard.currentPage() is page
        title = _("This laptop's first account")
        assert page.title() == title != "This laptop's first account"  # translated
        assert page.title() != _("The coordinator's account")
        shot(wizard, f"7-join-account-{lang}")
        # Back to choose a new organisation: there it is the coordinator's account.
        wizard.back()
        wizard.back()
        wizard.choice_page.new.setChecked(True)
        wizard.next()
        type_text(wizard.organisation_page.form.name, "Bun venit")
        wizard.next()
        assert wizard.currentPage() is page
        assert page.title() == _("The coordinator's account")
    finally:
        set_language("en")


def test_a_message_on_the_organisation_page_takes_its_room_and_gives_it_back(
    qtbot: QtBot, wizard: FirstRunWizard
) -> None:
    """The e-mail's message, in a box with its field, squeezed the address field (70 px to 56)
    with a gap above it; once cleared, the Logo row stood about 40 px under the E-mail row
    (38 instead of 28) until a later round of events: the form kept the message's room."""
    from PySide6.QtCore import QPoint

    wizard.next()
    wizard.next()
    assert wizard.currentPage() is wizard.organisation_page
    form = wizard.organisation_page.form

    def top(widget: QWidget) -> int:
        return widget.mapTo(form, QPoint(0, 0)).y()

    qtbot.waitUntil(lambda: top(form.email) > 0)
    row = top(form.email) - top(form.phone)  # one line's row, as the form lays it out
    logo = top(form.logo) - top(form.email)  # the Logo field sits in a row with its button
    address = form.address.height()
    assert logo - row < 6  # only centred beside the taller button
    type_text(form.name, "Bun venit")
    type_text(form.email, "not-an-address")
    wizard.next()
    message = form.errors["email"]
    assert message.isVisible()
    assert form.address.height() == address
    assert top(form.email) - top(form.phone) == row
    # the message right under its field, the Logo row under the message
    assert top(message) >= top(form.email) + form.email.height()
    assert top(form.logo) >= top(message) + message.height()
    shot(wizard, "3-organisation-message")
    form.email.clear()
    assert not message.isVisible()
    # no round of events in between: what a grab (or the screen) shows now
    shot(wizard, "3-organisation-cleared")
    assert top(form.logo) - top(form.email) == logo
    assert form.address.height() == address


def test_the_organisation_page_refuses_a_logo_that_is_no_picture_before_the_store_is_made(
    wizard: FirstRunWizard, tmp_path: Path
) -> None:
    """Read when Next is pressed: refused after the account was made, the letterhead would
    have been lost with it."""
    wizard.next()
    wizard.next()
    form = wizard.organisation_page.form
    type_text(form.name, "Bun venit")
    fake = tmp_path / "logo.png"
    fake.write_text("not a picture", encoding="utf-8")
    form.logo.setText(str(fake))
    wizard.next()
    assert wizard.currentPage() is wizard.organisation_page
    assert form.errors["logo_path"].text() == "The logo must be a PNG or JPEG file."
    Image.new("RGB", (120, 60), "#1f6f8b").save(fake, format="PNG")
    wizard.next()
    assert wizard.currentPage() is wizard.account_page


@pytest.mark.parametrize("lang", ["bg", "ro"])
def test_escape_after_typing_the_letterhead_or_the_join_asks_before_losing_it(
    qtbot: QtBot, wizard: FirstRunWizard, data_dir: Path, lang: str
) -> None:
    """Only the restore page asked: on the organisation, account and join pages a reflex
    Escape closed the wizard, and the letterhead, account and server address typed were gone
    (the next start began again with the language)."""
    from PySide6.QtCore import Qt

    wizard.language_page.buttons[lang].setChecked(True)
    wizard.next()
    wizard.next()  # a new organisation
    org = wizard.organisation_page
    assert wizard.currentPage() is org
    type_text(org.form.name, "Welcome Europe")
    wizard.next()
    account = wizard.account_page
    assert wizard.currentPage() is account
    type_text(account.account, "maria")
    qtbot.keyClick(account.account, Qt.Key.Key_Escape)
    question = wizard.discard_question
    assert question is not None and wizard.isVisible()
    keep = question.escapeButton()
    assert keep is not None
    keep.click()  # keep editing (Escape's and Enter's answer)
    assert wizard.isVisible() and wizard.discard_question is None
    assert account.account.text() == "maria" and org.form.name.text() == "Welcome Europe"
    # Back to the choice, and the join path: the address typed asks too.
    wizard.back()
    wizard.back()
    account.clear()
    org.clear()
    wizard.choice_page.join.setChecked(True)
    wizard.next()
    join = wizard.join_page
    assert wizard.currentPage() is join
    qtbot.keyClick(join.server, Qt.Key.Key_Escape)  # nothing typed (the laptop's own name)
    assert wizard.discard_question is None and not wizard.isVisible()
    wizard.show()
    type_text(join.server, "https://sync.example.org")
    qtbot.keyClick(join.server, Qt.Key.Key_Escape)
    question = wizard.discard_question
    assert question is not None and wizard.isVisible()
    (discard,) = [b for b in question.buttons() if b is not question.escapeButton()]
    discard.click()
    assert not wizard.isVisible() and wizard.result() == QWizard.DialogCode.Rejected
    assert join.server.text() == "" and not StorePaths(data_dir).is_initialised()
