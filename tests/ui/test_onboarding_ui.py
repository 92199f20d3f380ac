"""A new contact point sets up Welcome Desk: the organisation's first laptop joins its server,
a second laptop joins in the first-run wizard, is closed while it waits for approval and
opened again. Real stores, a real server process on 127.0.0.1, real widgets."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import QSettings
from PySide6.QtWidgets import QApplication, QDialogButtonBox, QWizard
from pytestqt.qtbot import QtBot

from desktop_app.domain.users import Role
from desktop_app.i18n.text import _, set_language
from desktop_app.ui.first_run import FirstRunWizard
from desktop_app.ui.sync_status import (
    NEXT_STEPS_AFTER_FIRST_JOIN,
    NEXT_STEPS_AFTER_JOINING,
    FingerprintDialog,
    JoinDialog,
)
from desktop_app.usecases import sync as sync_uc
from desktop_app.usecases.accounts import create_first_account, log_in
from tests.conftest import PASSWORD
from tests.integration.sync_harness import ServerProcess
from tests.ui.conftest import shown_window, type_text


@pytest.fixture(autouse=True)
def _back_to_english() -> Iterator[None]:
    yield
    set_language("en")


def _listed_names(server: ServerProcess) -> list[str]:
    return [d.name for d in server.service.list_devices().devices]


def test_the_first_laptop_joining_learns_how_the_other_laptops_come_in(
    qtbot: QtBot, server: ServerProcess, tmp_path: Path
) -> None:
    """It said "Joined" and its fingerprint, nothing more: the coordinator did not learn that
    this laptop approves the others, nor where the next laptops' codes come from."""
    session = create_first_account(tmp_path / "A", "ioana", "Ioana Popescu", PASSWORD)
    try:
        set_language("ro")
        window = shown_window(qtbot, session)
        dialog = JoinDialog(window.sync, window)  # type: ignore[attr-defined]
        qtbot.addWidget(dialog)
        dialog.show()
        type_text(dialog.server, server.base_url)
        type_text(dialog.code, server.enroll_cli("Birou Nordstadt"))
        with qtbot.waitSignal(dialog.calls.idle, timeout=30_000):
            dialog.buttons.button(QDialogButtonBox.StandardButton.Ok).click()
        QApplication.processEvents()
        dialog.grab().save(str(tmp_path / "join-first-laptop-ro.png"))
        assert dialog.error.text() == ""
        assert sync_uc.is_coordinator_laptop(session.store)
        said = _(NEXT_STEPS_AFTER_FIRST_JOIN)
        assert said != NEXT_STEPS_AFTER_FIRST_JOIN  # in Romanian
        assert dialog.next_steps.isVisible() and dialog.next_steps.text() == said
        # The menu entry it names is the one the File menu has.
        assert "Laptopurile organizației" in said
        label = dialog.next_steps
        assert label.height() >= label.heightForWidth(label.width())  # nothing cut off
        window.close()
    finally:
        session.close()


def _make_account(wizard: FirstRunWizard, account: str, name: str) -> None:
    """The account page filled in and Next pressed: the store is made (and, on the join
    path, the laptop registered) on a worker thread."""
    page = wizard.account_page
    type_text(page.account, account)
    type_text(page.display_name, name)
    type_text(page.password, PASSWORD)
    type_text(page.repeat, PASSWORD)
    wizard.button(QWizard.WizardButton.CommitButton).click()


def wizard_at_join_page(qtbot: QtBot, tmp_path: Path, folder: str, lang: str) -> FirstRunWizard:
    """The first-run wizard of a fresh laptop (its data in ``folder``), in ``lang``, on the
    join path's page of the server address and code."""
    settings = QSettings(str(tmp_path / f"{folder}.ini"), QSettings.Format.IniFormat)
    wizard = FirstRunWizard(tmp_path / folder, settings)
    qtbot.addWidget(wizard)
    wizard.show()
    wizard.language_page.buttons[lang].setChecked(True)
    wizard.next()
    wizard.choice_page.join.setChecked(True)
    wizard.next()
    return wizard


def _join_in_wizard(
    qtbot: QtBot, tmp_path: Path, folder: str, lang: str, server: ServerProcess, name: str
) -> FirstRunWizard:
    """The first-run wizard of a fresh laptop, in ``lang``, through the join path up to the
    page with this laptop's fingerprint."""
    wizard = wizard_at_join_page(qtbot, tmp_path, folder, lang)
    page = wizard.join_page
    type_text(page.server, server.base_url)
    type_text(page.code, server.enroll_cli(name))
    # The name the coordinator will see: the computer's own at first, changed here.
    assert page.name.text() != ""
    page.name.clear()
    assert not page.isComplete() and page.name_error.text() == _("This field is required.")
    type_text(page.name, name)
    assert page.isComplete() and page.name_error.text() == ""
    wizard.grab().save(str(tmp_path / f"wizard-join-{lang}.png"))
    wizard.next()
    _make_account(wizard, "petar", "Петър Петров")
    qtbot.waitUntil(lambda: wizard.currentPage() is wizard.recovery_page, timeout=60_000)
    wizard.recovery_page.confirm.setChecked(True)
    wizard.next()
    assert wizard.currentPage() is wizard.joined_page
    wizard.grab().save(str(tmp_path / f"wizard-joined-{lang}.png"))
    return wizard


def test_the_wizard_names_the_laptop_and_a_first_laptop_is_told_it_approves_the_others(
    qtbot: QtBot, server: ServerProcess, tmp_path: Path
) -> None:
    """The wizard registered every laptop under the computer's name (two laptops set up from
    one image were listed alike), and told the organisation's first laptop, which approves
    the others, to have itself approved."""
    first = _join_in_wizard(qtbot, tmp_path, "A", "ro", server, "Birou Nordstadt")
    assert first.session is not None
    try:
        assert first.joined_page.hint.text() == _(NEXT_STEPS_AFTER_FIRST_JOIN)
        assert sync_uc.is_coordinator_laptop(first.session.store)
    finally:
        first.session.close()
    second = _join_in_wizard(qtbot, tmp_path, "B", "bg", server, "Лаптоп 2")
    assert second.session is not None
    try:
        assert second.joined_page.hint.text() == _(NEXT_STEPS_AFTER_JOINING)
        assert _(NEXT_STEPS_AFTER_JOINING) != NEXT_STEPS_AFTER_JOINING  # in Bulgarian
        assert _listed_names(server) == ["Birou Nordstadt", "Лаптоп 2"]
    finally:
        second.session.close()


def test_a_laptop_reopened_while_it_waits_for_approval_still_shows_its_fingerprint(
    qtbot: QtBot, server: ServerProcess, tmp_path: Path
) -> None:
    """The wizard showed the fingerprint once. Closed and opened again before the coordinator
    approved it, the laptop said to compare "the fingerprint shown here" and showed it
    nowhere: the join entry is off once joined, and the Laptops dialog is a coordinator's."""
    coordinator = create_first_account(tmp_path / "A", "ioana", "Ioana Popescu", PASSWORD)
    sync_uc.join(coordinator.store, server.base_url, server.enroll("A"), "Birou Nordstadt")
    laptop = create_first_account(tmp_path / "B", "petar", "Петър Петров", PASSWORD)
    sync_uc.join(laptop.store, server.base_url, server.enroll("B"), "Лаптоп 2")
    fingerprint = sync_uc.fingerprint(laptop.store)
    laptop.close()  # the laptop is closed while it waits
    set_language("bg")
    reopened = log_in(tmp_path / "B", "petar", PASSWORD)
    try:
        window = shown_window(qtbot, reopened)
        controller = window.sync  # type: ignore[attr-defined]
        action = controller.fingerprint_action
        assert action in window.file_menu.actions()
        with qtbot.waitSignal(controller.sync_finished, timeout=30_000):
            assert controller.start()
        qtbot.waitUntil(lambda: action.isEnabled(), timeout=30_000)
        assert controller.waiting_for_approval
        # The status bar says it waits, and where the fingerprint is.
        tooltip = controller.label.toolTip()
        assert _("This laptop's fi&ngerprint…").replace("&", "") in tooltip
        assert "Файл → " in tooltip
        action.trigger()  # as the File menu does
        (dialog,) = window.findChildren(FingerprintDialog)
        qtbot.addWidget(dialog)
        qtbot.waitExposed(dialog)
        dialog.grab().save(str(tmp_path / "fingerprint-waiting-bg.png"))
        assert dialog.fingerprint.text() == fingerprint
        assert fingerprint in dialog.fingerprint.accessibleName()
        assert dialog.next_steps.isVisible()
        assert dialog.next_steps.text() == _(NEXT_STEPS_AFTER_JOINING)
        assert dialog.focusWidget() is dialog.fingerprint  # reached and copied by keyboard at once
        dialog.close()

        # Approved (the coordinator typed it) and the key taken: no longer "what comes next".
        sync_uc.approve_device(
            coordinator.store,
            coordinator.user,
            server.service.list_devices().devices[1].device_id,
            fingerprint,
            role=Role.COORDINATOR,
        )
        with qtbot.waitSignal(controller.sync_finished, timeout=30_000):
            controller.start()
        qtbot.waitUntil(lambda: controller.confirm_action.isEnabled(), timeout=30_000)
        assert not controller.waiting_for_approval
        later = controller.open_fingerprint()
        qtbot.addWidget(later)
        assert later.fingerprint.text() == fingerprint and not later.next_steps.isVisible()
        later.close()
        window.close()
    finally:
        reopened.close()
        coordinator.close()


@pytest.mark.parametrize("lang", ["ro", "bg"])
def test_the_guide_says_how_laptops_join_and_that_accounts_stay_on_their_laptop(
    qtbot: QtBot, tmp_path: Path, lang: str
) -> None:
    """The coordination's part of the guide said "Users… manages the team's accounts": the
    coordinator added the helper on the first laptop, and the helper could not log in on the
    second (accounts never leave a laptop). Nor did it say how a laptop joins at all."""
    from desktop_app.ui.help import GuideDialog, menu_path

    session = create_first_account(tmp_path / "A", "ioana", "Ioana Popescu", PASSWORD)
    try:
        window = shown_window(qtbot, session)
        window.switch_language(lang)
        window.guide_action.trigger()
        dialog = window.guide_dialog  # type: ignore[attr-defined]
        assert isinstance(dialog, GuideDialog)
        qtbot.waitExposed(dialog)
        text = " ".join(dialog.browser.toPlainText().split())
        for msgid in (
            "&Join an organisation…",
            "This laptop's fi&ngerprint…",
            "Con&firm the coordinator's laptop…",
        ):
            assert menu_path("&File", msgid) in text, msgid
        accounts = _(
            "{users} manages the accounts of this laptop only: accounts are not synced. "
            "Add a helper's or an advisor's account on the laptop they work on."
        )
        assert accounts != accounts.replace("{users}", "")  # a template with the menu entry
        users = menu_path("&Administration", "&Users…")
        assert accounts.format(users=users) in text
        assert "accounts are not synced" not in text  # in the UI language
        dialog.grab().save(str(tmp_path / f"guide-{lang}.png"))
        window.close()
    finally:
        session.close()


def test_the_wizards_recovery_page_prints_the_code_it_says_to_print(
    qtbot: QtBot, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """ "Print or write down this code", said the page, with no way to print it: the coordinator
    of a new organisation copied 47 characters by hand or skipped it."""
    from pypdf import PdfReader

    from desktop_app.ui.referrals import PRINT_TO_PDF_ENV

    sheet = tmp_path / "recovery.pdf"
    monkeypatch.setenv(PRINT_TO_PDF_ENV, str(sheet))  # the program's own "printer" for tests
    settings = QSettings(str(tmp_path / "w.ini"), QSettings.Format.IniFormat)
    wizard = FirstRunWizard(tmp_path / "A", settings)
    qtbot.addWidget(wizard)
    wizard.show()
    wizard.language_page.buttons["ro"].setChecked(True)
    wizard.next()
    wizard.next()  # a new organisation
    type_text(wizard.organisation_page.form.name, "Asociația Bun venit Dortmund")
    wizard.next()
    _make_account(wizard, "ioana", "Ioana Popescu")
    qtbot.waitUntil(lambda: wizard.currentPage() is wizard.recovery_page, timeout=60_000)
    page = wizard.recovery_page
    try:
        assert page.print_button.isVisible() and page.print_button.text() == "Imprimă &codul…"
        wizard.grab().save(str(tmp_path / "wizard-recovery-ro.png"))
        page.print_button.click()
        printed = " ".join(PdfReader(sheet).pages[0].extract_text().split())
        assert wizard.recovery_code and wizard.recovery_code in printed.replace(" ", "")
        assert "Welcome Desk" in printed
    finally:
        assert wizard.session is not None
        wizard.session.close()


def test_the_laptops_dialog_has_the_waiting_laptop_chosen_for_approval(
    qtbot: QtBot, server: ServerProcess, tmp_path: Path
) -> None:
    """The coordinator typed the new laptop's fingerprint and "Approve selected laptop" stayed
    grey: no laptop was selected, and nothing said that one had to be."""
    from desktop_app.ui.sync_status import DevicesDialog

    coordinator = create_first_account(tmp_path / "A", "ioana", "Ioana Popescu", PASSWORD)
    laptop = create_first_account(tmp_path / "B", "petar", "Петър Петров", PASSWORD)
    try:
        sync_uc.join(coordinator.store, server.base_url, server.enroll("A"), "Birou Nordstadt")
        joined = sync_uc.join(laptop.store, server.base_url, server.enroll("B"), "Laptop 2")
        set_language("ro")
        window = shown_window(qtbot, coordinator)
        dialog = DevicesDialog(window.sync, window)  # type: ignore[attr-defined]
        qtbot.addWidget(dialog)
        dialog.show()
        qtbot.waitUntil(lambda: not dialog.busy and dialog.list.count() == 2, timeout=10_000)
        current = dialog.list.currentItem()
        assert current is not None and current.text().startswith("Laptop 2 · ")
        type_text(dialog.fingerprint, sync_uc.fingerprint(laptop.store))
        assert not dialog.approve.isEnabled()  # who uses it is chosen first
        dialog.role_buttons[Role.ADVISOR].setChecked(True)
        assert dialog.approve.isEnabled()
        dialog.grab().save(str(tmp_path / "laptops-waiting-ro.png"))
        dialog.approve.click()
        qtbot.waitUntil(
            lambda: server.device_status(joined.device_id) == "approved", timeout=10_000
        )
        qtbot.waitUntil(lambda: not dialog.busy, timeout=10_000)
        assert dialog.error.text() == ""
        window.close()
    finally:
        coordinator.close()
        laptop.close()


def test_a_helper_is_not_offered_the_laptops_of_the_organisation(
    qtbot: QtBot, server: ServerProcess, tmp_path: Path
) -> None:
    """A student helper on a joined laptop found "Laptops of the organisation…" in the File
    menu, and it only told them they may not; their own fingerprint is in its own entry."""
    from desktop_app.domain.users import Role
    from desktop_app.usecases import accounts

    session = create_first_account(tmp_path / "A", "ioana", "Ioana Popescu", PASSWORD)
    sync_uc.join(session.store, server.base_url, server.enroll("A"), "Birou Nordstadt")
    accounts.add_user(session, "maria", "Maria Ionescu", Role.HELPER, "helper pass 123")
    helper = log_in(tmp_path / "A", "maria", "helper pass 123")
    try:
        window = shown_window(qtbot, helper)
        controller = window.sync  # type: ignore[attr-defined]
        qtbot.waitUntil(lambda: controller.fingerprint_action.isEnabled(), timeout=30_000)
        shown = [a for a in window.file_menu.actions() if a.isVisible() and a.text()]
        assert controller.devices_action not in shown
        assert not controller.devices_action.isEnabled()
        assert controller.fingerprint_action in shown
        window.close()
        coordinator = shown_window(qtbot, session)
        qtbot.waitUntil(lambda: coordinator.sync.devices_action.isEnabled(), timeout=30_000)  # type: ignore[attr-defined]
        coordinator.close()
    finally:
        helper.close()
        session.close()


def test_a_wizard_cancelled_before_the_laptop_registered_leaves_the_address_to_join_with(
    qtbot: QtBot, server: ServerProcess, tmp_path: Path
) -> None:
    """The server out of reach, the account made: Cancel started the program unjoined, nothing
    said how to join later, and the join dialog had the address and the name empty."""
    from tests.integration.sync_harness import PortReservation

    nobody = PortReservation()  # nothing listens there
    wizard = FirstRunWizard(tmp_path / "B")  # the program's own settings, as app.py makes it
    qtbot.addWidget(wizard)
    wizard.show()
    wizard.language_page.buttons["bg"].setChecked(True)
    wizard.next()
    wizard.choice_page.join.setChecked(True)
    wizard.next()
    page = wizard.join_page
    typed = f"http://127.0.0.1:{nobody.port}"
    type_text(page.server, typed)
    type_text(page.code, server.enroll_cli("Лаптоп 2"))
    page.name.clear()
    type_text(page.name, "Лаптоп 2")
    wizard.next()
    account = wizard.account_page
    _make_account(wizard, "petar", "Петър Петров")
    qtbot.waitUntil(lambda: wizard.session is not None and not account.busy, timeout=60_000)
    unreachable = _("The sync server cannot be reached. Nothing was lost.")
    assert account.store_error.text().startswith(unreachable)
    assert "Натиснете „Нов опит“" in account.store_error.text()  # the button beside it
    assert "Файл → Присъединяване към организация…" in account.created.text()
    wizard.grab().save(str(tmp_path / "wizard-unreachable-bg.png"))
    session = wizard.session
    assert session is not None
    try:
        wizard.button(QWizard.WizardButton.CancelButton).click()  # starts with the store made
        assert not account.busy  # it tried to register again instead
        assert not wizard.isVisible() and not sync_uc.is_joined(session.store)
        window = shown_window(qtbot, session)
        dialog = JoinDialog(window.sync, window)  # type: ignore[attr-defined]
        qtbot.addWidget(dialog)
        assert dialog.server.text() == typed and dialog.name.text() == "Лаптоп 2"
        nobody.release()
        dialog.server.clear()
        type_text(dialog.server, server.base_url)  # the server reachable now (a fixed typo)
        type_text(dialog.code, server.enroll_cli("Лаптоп 2"))
        with qtbot.waitSignal(dialog.calls.idle, timeout=30_000):
            dialog.buttons.button(QDialogButtonBox.StandardButton.Ok).click()
        assert sync_uc.is_joined(session.store)
        assert _listed_names(server) == ["Лаптоп 2"]
        # Joined: the next join dialog (a laptop joining again) starts afresh.
        assert not QSettings().contains("sync/join_server")
        window.close()
    finally:
        session.close()
