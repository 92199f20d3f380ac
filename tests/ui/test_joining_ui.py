"""Joining, as a new laptop's person meets it: a failure on this laptop while the wizard
registers it, a mistyped server address, an enrollment code typed loosely, and a helper's
account on a laptop whose team key waits for a coordinator's confirmation. Real stores, a
real server process on 127.0.0.1, real widgets offscreen."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication, QDialogButtonBox, QPushButton, QWizard
from pytestqt.qtbot import QtBot

from desktop_app.domain.users import Role
from desktop_app.i18n.messages import (
    cause_message,
    connection_message,
    refusal_message,
    sync_message,
)
from desktop_app.i18n.text import _, set_language
from desktop_app.ui.access_keys import key_of
from desktop_app.ui.first_run import FirstRunWizard
from desktop_app.ui.help import menu_path
from desktop_app.ui.main_window import MainWindow
from desktop_app.ui.sync_status import JOIN_TRY_AGAIN_BUTTON, JoinDialog
from desktop_app.usecases import accounts
from desktop_app.usecases import sync as sync_uc
from desktop_app.usecases.accounts import Session
from tests.conftest import PASSWORD, store_write_locked
from tests.integration.sync_harness import (
    START_TIMEOUT,
    CuttingProxy,
    Laptops,
    PortReservation,
    ServerProcess,
    device_id,
    move_laptop_to,
    store_full,
)
from tests.ui.conftest import shown_window, type_text
from tests.ui.test_onboarding_ui import _make_account, wizard_at_join_page
from tests.ui.test_sync_ui import _join_dialog

# What each language adds to "cannot be reached" where the failure shows the address mistyped
# (messages.offline_message).
ADDRESS_HINTS = {
    "en": {
        "not_tls": "The server does not answer with https at this address; ask whoever runs "
        "it for the right address.",
        "no_port": "Check the address: does it need a port, such as :8443?",
    },
    "de": {
        "not_tls": "Der Server antwortet unter dieser Adresse nicht über https; fragen Sie die "
        "Person, die ihn betreibt, nach der richtigen Adresse.",
        "no_port": "Prüfen Sie die Adresse: Braucht sie einen Port, etwa :8443?",
    },
    "bg": {
        "not_tls": "Сървърът не отговаря по https на този адрес; поискайте правилния адрес от "
        "този, който го поддържа.",
        "no_port": "Проверете адреса: нужен ли е порт, например :8443?",
    },
    "ro": {
        "not_tls": "Serverul nu răspunde prin https la această adresă; cereți adresa corectă de "
        "la cine îl administrează.",
        "no_port": "Verificați adresa: are nevoie de un port, de exemplu :8443?",
    },
}


@pytest.fixture(autouse=True)
def _back_to_english() -> Iterator[None]:
    yield
    set_language("en")


def _wizard_at_join_page(
    qtbot: QtBot, tmp_path: Path, lang: str, server_url: str, code: str
) -> FirstRunWizard:
    """A fresh laptop's first-run wizard in ``lang``, on the join path, the address and code
    typed in."""
    wizard = wizard_at_join_page(qtbot, tmp_path, "B", lang)
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
    with store_write_locked(wizard.session):
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
    # The code was not spent: tried again as the page says, the laptop joins with it, the
    # server's one device (the organisation's first: its coordinator).
    assert server.service.list_devices().devices == []
    wizard.button(QWizard.WizardButton.CommitButton).click()
    _answered(qtbot, wizard)
    wizard.grab().save(str(tmp_path / "wizard-joined-on-retry-de.png"))
    assert page.store_error.text() == ""
    assert sync_uc.is_joined(wizard.session.store) and wizard.first_laptop
    devices = server.service.list_devices().devices
    assert [d.device_id for d in devices] == [sync_uc.own_device_id(wizard.session.store)]
    wizard.session.close()


def test_the_wizard_joins_with_the_same_code_after_the_disk_filled(
    qtbot: QtBot, tmp_path: Path, server: ServerProcess
) -> None:
    """The disk full as the wizard stored the joining, after the server had registered the
    laptop: Next again got "code used already" (the page asks to try again)."""
    wizard = _wizard_at_join_page(qtbot, tmp_path, "ro", server.base_url, "7JM7-FX4J-A922-8BB2")
    wizard.next()
    _make_account(wizard, "ioana", "Ioana Popescu")
    _answered(qtbot, wizard)  # the code nobody issued is refused; the account is made
    page, session = wizard.account_page, wizard.session
    assert session is not None
    wizard.back()
    wizard.join_page.code.clear()
    type_text(wizard.join_page.code, server.enroll("B"))
    wizard.next()
    with store_full(session):
        wizard.button(QWizard.WizardButton.CommitButton).click()
        _answered(qtbot, wizard)
    wizard.grab().save(str(tmp_path / "wizard-disk-full-ro.png"))
    assert cause_message("disk_full") in page.store_error.text()
    assert "Discul este plin." in page.store_error.text()  # in Romanian
    assert not sync_uc.is_joined(session.store)
    (registered,) = server.service.list_devices().devices  # registered before the disk filled

    wizard.button(QWizard.WizardButton.CommitButton).click()  # as the page says: again
    _answered(qtbot, wizard)
    assert page.store_error.text() == "" and wizard.first_laptop
    assert sync_uc.own_device_id(session.store) == registered.device_id
    assert [d.device_id for d in server.service.list_devices().devices] == [registered.device_id]
    session.close()


def _nothing_listens_on_443() -> bool:
    with socket.socket() as probe:
        probe.settimeout(2)
        return probe.connect_ex(("127.0.0.1", 443)) != 0


@pytest.mark.parametrize("lang", ["de", "bg", "ro", "en"])
def test_an_address_with_https_for_plain_http_or_without_its_port_is_said_so(
    qtbot: QtBot, tmp_path: Path, session: Session, server: ServerProcess, lang: str
) -> None:
    """https typed for the plain-HTTP server on this machine, or the address without the port
    the server listens on: the dialog said only "cannot be reached", and the person checked a
    network that was fine."""
    if not _nothing_listens_on_443():
        pytest.skip("a program on this machine listens on port 443")
    set_language(lang)
    window, dialog = _join_dialog(qtbot, session)
    dialog.show()
    type_text(dialog.code, server.enroll("B"))
    offline = connection_message("offline")
    for typed, hint in (
        (server.base_url.replace("http://", "https://"), ADDRESS_HINTS[lang]["not_tls"]),
        ("127.0.0.1", ADDRESS_HINTS[lang]["no_port"]),  # taken as https://127.0.0.1 (port 443)
    ):
        dialog.server.clear()
        type_text(dialog.server, typed)
        with qtbot.waitSignal(dialog.calls.idle, timeout=60_000):
            dialog.buttons.button(QDialogButtonBox.StandardButton.Ok).click()
        assert dialog.error.text() == f"{offline} {hint}"  # the first sentences as before
        assert not sync_uc.is_joined(session.store)
        dialog.grab().save(str(tmp_path / f"join-{lang}-{len(hint)}.png"))
    # The address right, the code still unused: it joins.
    dialog.server.clear()
    type_text(dialog.server, server.base_url)
    with qtbot.waitSignal(dialog.calls.idle, timeout=60_000):
        dialog.buttons.button(QDialogButtonBox.StandardButton.Ok).click()
    assert dialog.error.text() == "" and sync_uc.is_joined(session.store)
    window.close()


def test_an_enrollment_code_typed_loosely_joins(
    qtbot: QtBot, tmp_path: Path, session: Session, server: ServerProcess
) -> None:
    """Read off a phone or typed as heard: in lower case and without dashes, the wizard did
    not let the person on ("groups of four"); with a word processor's dash or a no-break
    space from an e-mail, the join dialog called it no enrollment code. Both are the code."""
    code = server.enroll("B")
    typed = code.lower().replace("-", "")
    wizard = _wizard_at_join_page(qtbot, tmp_path, "ro", server.base_url, typed)
    assert wizard.join_page.isComplete() and wizard.join_page.code_error.text() == ""
    wizard.next()
    _make_account(wizard, "petar", "Петър Петров")
    qtbot.waitUntil(lambda: wizard.currentPage() is wizard.recovery_page, timeout=60_000)
    assert wizard.session is not None
    try:
        assert sync_uc.is_joined(wizard.session.store)
    finally:
        wizard.session.close()

    set_language("en")
    window, dialog = _join_dialog(qtbot, session)
    dialog.show()
    type_text(dialog.server, server.base_url)
    groups = server.enroll("C").split("-")
    type_text(
        dialog.code, f" {groups[0]}\u2013{groups[1].lower()}\u00a0{groups[2]} \u2014 {groups[3]}"
    )
    with qtbot.waitSignal(dialog.calls.idle, timeout=60_000):
        dialog.buttons.button(QDialogButtonBox.StandardButton.Ok).click()
    dialog.grab().save(str(tmp_path / "join-code-typed-loosely.png"))
    assert dialog.error.text() == "" and sync_uc.is_joined(session.store)
    assert [d.name for d in server.service.list_devices().devices][-1] == dialog.name.text()
    window.close()


def test_a_helper_is_told_a_coordinator_has_to_confirm_the_coordinators_laptop(
    qtbot: QtBot, tmp_path: Path, laptops: Laptops
) -> None:
    """The coordinator approved the laptop and sent the team key while a helper was logged in
    on it: the status bar asked the helper to confirm the coordinator's laptop (File menu),
    and the dialog then refused them. Now it says a coordinator has to log in for it."""
    a = laptops.new("A")  # the organisation's first laptop
    b = laptops.new("B", approve=False)
    accounts.add_user(b, "mia", "Mia Helfer", Role.HELPER, "helper pass 12")
    sync_uc.approve_device(
        a.store, a.user, device_id(b), sync_uc.fingerprint(b.store), role=Role.COORDINATOR
    )
    helper = accounts.log_in(tmp_path / "B", "mia", "helper pass 12")
    try:
        set_language("bg")
        window = shown_window(qtbot, helper, 1366)
        controller = window.sync  # type: ignore[attr-defined]
        with qtbot.waitSignal(controller.sync_finished, timeout=60_000):
            assert controller.start()  # fetches the key, which waits for a confirmation
        said = _("a coordinator has to log in to confirm “{name}”")
        assert said != "a coordinator has to log in to confirm “{name}”"  # in Bulgarian
        qtbot.waitUntil(lambda: said.format(name="A") in controller.label.text(), timeout=10_000)
        QApplication.processEvents()  # the status bar laid out for its new text
        window.grab().save(str(tmp_path / "helper-waiting-bg.png"))
        shown, tooltip = controller.label.text(), controller.label.toolTip()
        assert _("confirm “{name}” by its fingerprint (File menu)").format(name="A") not in shown
        entry = menu_path("&File", "Con&firm the coordinator's laptop…")
        assert entry in tooltip and sync_message("confirm_coordinator") not in tooltip
        # Not offered: the dialog would only say that they may not.
        assert not controller.confirm_action.isVisible()
        window.close()
    finally:
        helper.close()

    # The laptop's coordinator logged in: the confirmation is asked of them, as before.
    window = shown_window(qtbot, b, 1366)
    controller = window.sync  # type: ignore[attr-defined]
    asked = _("confirm “{name}” by its fingerprint (File menu)").format(name="A")
    qtbot.waitUntil(lambda: asked in controller.label.text(), timeout=10_000)
    assert controller.confirm_action.isVisible() and controller.confirm_action.isEnabled()
    assert entry not in controller.label.toolTip()
    window.close()


def test_the_status_bar_says_what_a_mistyped_address_shows(qtbot: QtBot, laptops: Laptops) -> None:
    """The address changed in the settings to https for the plain-HTTP server: the sync (in
    its own process) failed as "Offline", its tooltip saying only "cannot be reached"."""
    a = laptops.new("A")
    move_laptop_to(a, laptops.server.base_url.replace("http://", "https://"))
    set_language("de")
    window = shown_window(qtbot, a)
    controller = window.sync  # type: ignore[attr-defined]
    with qtbot.waitSignal(controller.sync_finished, timeout=60_000):
        assert controller.start()
    hint = ADDRESS_HINTS["de"]["not_tls"]
    qtbot.waitUntil(lambda: hint in controller.label.toolTip(), timeout=10_000)
    assert f"{connection_message('offline')} {hint}" in controller.label.toolTip()
    window.close()


def _join_dialog_filled_in(
    qtbot: QtBot, session: Session, server: ServerProcess
) -> tuple[MainWindow, JoinDialog, QPushButton]:
    """The join dialog in German, shown, the server's address and a code for "A" typed in;
    and its Join button."""
    set_language("de")
    window, dialog = _join_dialog(qtbot, session)
    dialog.show()
    type_text(dialog.server, server.base_url)
    type_text(dialog.code, server.enroll("A"))
    return window, dialog, dialog.buttons.button(QDialogButtonBox.StandardButton.Ok)


def test_the_join_dialog_joins_with_the_same_code_after_the_disk_filled(
    qtbot: QtBot, tmp_path: Path, session: Session, server: ServerProcess
) -> None:
    """The disk full as the joining was stored, after the server had registered the laptop:
    pressed again, "Join" got "code used already", and the server kept a device no laptop
    holds (the organisation's first: its coordinator)."""
    window, dialog, join = _join_dialog_filled_in(qtbot, session, server)
    with store_full(session), qtbot.waitSignal(dialog.calls.idle, timeout=60_000):
        join.click()
    dialog.grab().save(str(tmp_path / "join-disk-full-de.png"))
    assert cause_message("disk_full") in dialog.error.text()
    assert "Datenträger ist voll" in dialog.error.text()  # in German
    assert not sync_uc.is_joined(session.store) and join.isEnabled()
    (registered,) = server.service.list_devices().devices

    with qtbot.waitSignal(dialog.calls.idle, timeout=60_000):
        join.click()  # the same code, as it stands in the field
    dialog.grab().save(str(tmp_path / "join-disk-full-then-joined-de.png"))
    assert dialog.error.text() == "" and sync_uc.is_joined(session.store)
    assert [d.device_id for d in server.service.list_devices().devices] == [registered.device_id]
    assert sync_uc.own_device_id(session.store) == registered.device_id
    window.close()


def test_the_join_dialog_says_a_join_runs_in_a_terminal(
    qtbot: QtBot, tmp_path: Path, session: Session, server: ServerProcess
) -> None:
    """``welcome-desk join`` in a terminal waits for the server while the window's dialog
    joins too: each spent a code, and the laptop became two devices on the server."""
    set_language("de")
    window, dialog = _join_dialog(qtbot, session)
    dialog.show()
    proxy = CuttingProxy(server.base_url)
    proxy.hold_when = lambda _method, path: path.endswith("/register")
    folder, code = str(session.store.paths.data_dir), server.enroll("A")
    terminal = subprocess.Popen(
        [sys.executable, "-m", "desktop_app.app", "join", "--data-dir", folder,
         "--server", proxy.url, "--code", code, "--password-stdin"],
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        env={**os.environ, "WELCOME_DESK_FAST_KDF": "1"},
    )  # fmt: skip
    try:
        assert terminal.stdin is not None
        terminal.stdin.write(PASSWORD + "\n")
        terminal.stdin.flush()
        assert proxy.held.wait(START_TIMEOUT)  # the terminal's registration is under way
        type_text(dialog.server, server.base_url)
        type_text(dialog.code, server.enroll("A, in the window"))
        with qtbot.waitSignal(dialog.calls.idle, timeout=60_000):
            dialog.buttons.button(QDialogButtonBox.StandardButton.Ok).click()
        dialog.grab().save(str(tmp_path / "join-runs-in-terminal-de.png"))
        assert dialog.error.text() == sync_message("join_running")
        assert "tritt bereits bei" in dialog.error.text()
    finally:
        proxy.let_through()
        _out, err = terminal.communicate(timeout=120)
        proxy.close()
    assert terminal.returncode == 0, err
    (device,) = server.service.list_devices().devices  # the terminal's, and no other
    assert sync_uc.own_device_id(session.store) == device.device_id
    window.close()


def test_fingerprint_steps_name_the_other_laptops_menu_in_german_too(
    qtbot: QtBot, laptops: Laptops, server: ServerProcess
) -> None:
    """Each of the two people comparing fingerprints is told what the other is to open. On a
    Romanian helper's screen that was "Fișier → Laptopurile organizației", read out to a
    coordinator whose screen says "Datei → …": the other laptop's menu is now named in the
    reader's language and, unless that is German (the coordination's as a rule), in German."""
    from desktop_app.ui.sync_status import ConfirmCoordinatorDialog, DevicesDialog

    coordinator = laptops.new("Koordination")
    sync_uc.sync_now(coordinator.store)
    helper = laptops.account("Laptop Ioana")
    sync_uc.join(helper.store, server.base_url, server.enroll("Laptop Ioana"), "Laptop Ioana")
    set_language("ro")
    try:
        # On the coordinator's laptop (in Romanian, this time): the helper's menu.
        window = shown_window(qtbot, coordinator)
        dialog = DevicesDialog(window.sync, window)  # type: ignore[attr-defined]
        qtbot.addWidget(dialog)
        dialog.show()
        qtbot.waitUntil(lambda: not dialog.busy, timeout=20_000)
        dialog.fingerprint.setText(sync_uc.fingerprint(helper.store))
        dialog.role_buttons[Role.HELPER].setChecked(True)
        with qtbot.waitSignal(dialog.calls.idle, timeout=30_000):
            dialog.approve.click()
        said = dialog.renewed.text()
        assert (
            "Fișier → Confirmă laptopul coordonatorului… "
            "(în germană: Datei → Laptop der Koordination bestätigen…) cere amprenta"
        ) in said, said
        dialog.close()
        window.close()
        # On the helper's laptop, whose next sync brings the key to confirm: the coordinator's
        # menu.
        with pytest.raises(sync_uc.SyncSetupError):
            sync_uc.sync_now(helper.store)
        helper_window = shown_window(qtbot, helper)
        confirm = ConfirmCoordinatorDialog(helper_window.sync, helper_window)  # type: ignore[attr-defined]
        qtbot.addWidget(confirm)
        intro = confirm.intro.text()
        assert intro.startswith("Laptopul „Koordination” a aprobat acest laptop"), intro
        assert (
            "Pe acel laptop, Fișier → Laptopurile organizației… (în germană: Datei → Laptops der "
            "Organisation…) afișează amprenta sa"
        ) in intro, intro

        confirm.close()
        # A German reader is given the German path once.
        set_language("de")
        again = ConfirmCoordinatorDialog(helper_window.sync, helper_window)  # type: ignore[attr-defined]
        qtbot.addWidget(again)
        assert "zeigt Datei → Laptops der Organisation… oben" in again.intro.text()
        assert "auf Deutsch" not in again.intro.text()
        again.close()
        helper_window.close()
    finally:
        set_language("en")


def test_the_join_dialog_says_a_dropped_connection_and_offers_to_try_again(
    qtbot: QtBot, tmp_path: Path, session: Session, server: ServerProcess
) -> None:
    """The server out of reach as "Join" is pressed: the dialog said "cannot be reached.
    Nothing was lost." beside "Join", and the person did not know whether the laptop had
    joined, or whether the code was spent. Now it says the laptop has not joined and that the
    same code still works, on a "Try again" button; pressed once the server is back, it joins."""
    window, dialog, join = _join_dialog_filled_in(qtbot, session, server)
    assert join.text() == "&Beitreten"
    server.stop()  # the Wi-Fi gone as the button is pressed
    with qtbot.waitSignal(dialog.calls.idle, timeout=60_000):
        join.click()
    QApplication.sendPostedEvents(None, 0)  # laid out anew with the button's new text
    dialog.grab().save(str(tmp_path / "syncux-join-dropped-de.png"))
    assert join.width() >= join.sizeHint().width()  # "Erneut versuchen" whole
    said = dialog.error.text()
    assert said.startswith(connection_message("offline")), said
    assert "noch nicht beigetreten" in said and "derselbe Code" in said, said
    assert join.text() == "&Erneut versuchen" and join.isEnabled()
    assert not sync_uc.is_joined(session.store)

    server.start()
    with qtbot.waitSignal(dialog.calls.idle, timeout=60_000):
        join.click()
    assert dialog.error.text() == "" and sync_uc.is_joined(session.store)
    (device,) = server.service.list_devices().devices
    assert sync_uc.own_device_id(session.store) == device.device_id
    window.close()


# What the wizard says, and its button, when the server cannot be reached as it registers
# (sync_status.join_failure, shared with the join dialog).
WIZARD_DROPPED = {
    "de": (
        "Der Synchronisierungsserver ist nicht erreichbar. Es ging nichts verloren. Dieser "
        "Laptop ist noch nicht beigetreten. Klicken Sie auf „Erneut versuchen“, sobald die "
        "Verbindung wieder da ist: derselbe Code gilt weiterhin.",
        "&Erneut versuchen",
        "Weiter",
    ),
    "ro": (
        "Serverul de sincronizare nu poate fi accesat. Nu s-a pierdut nimic. Acest laptop nu "
        "s-a alăturat încă. Apăsați „Încearcă din nou” când conexiunea revine: același cod este "
        "în continuare valabil.",
        "Încearcă &din nou",
        "Înainte",
    ),
}


@pytest.mark.parametrize("lang", ["de", "ro"])
def test_the_wizard_says_a_dropped_connection_and_offers_to_try_again_by_keyboard(
    qtbot: QtBot, tmp_path: Path, server: ServerProcess, lang: str
) -> None:
    """Joining from the very first start, the server out of reach (nothing listening on its
    port on 127.0.0.1): the wizard said only "cannot be reached" beside "Next", and the person
    did not know whether the laptop had joined or the code was spent. Now it says, as the
    join dialog does, that the laptop has not joined and that the same code still works, on
    a "Try again" button that its access key presses; once the server is back, it joins."""
    wizard = _wizard_at_join_page(qtbot, tmp_path, lang, server.base_url, server.enroll("B"))
    wizard.next()
    server.stop()  # the Wi-Fi gone as the account is made
    _make_account(wizard, "ioana", "Ioana Popescu")
    _answered(qtbot, wizard)
    page, session = wizard.account_page, wizard.session
    assert session is not None and not sync_uc.is_joined(session.store)
    said, button, next_word = WIZARD_DROPPED[lang]
    assert page.store_error.text() == said and page.store_error.isVisible()
    commit = wizard.button(QWizard.WizardButton.CommitButton)
    assert commit.text() == button and commit.isEnabled() and commit.isVisible()
    assert isinstance(commit, QPushButton) and commit.isDefault()  # Enter presses it too
    # The note beside it names no "Next" that is not there.
    assert page.created.isVisible() and next_word not in page.created.text()
    QApplication.sendPostedEvents(None, 0)
    assert commit.width() >= commit.sizeHint().width()  # the button's words whole
    wizard.grab().save(str(tmp_path / f"joinsmall-wizard-dropped-{lang}.png"))
    assert server.service.list_devices().devices == []

    server.start()
    wizard.activateWindow()
    qtbot.waitUntil(wizard.isActiveWindow, timeout=5000)
    key = key_of(commit.text())
    assert key is not None
    QTest.keyClick(wizard, Qt.Key(ord(key.upper())), Qt.KeyboardModifier.AltModifier)
    # The access key pressed it (a click Qt animates briefly): the same registration again.
    qtbot.waitUntil(lambda: wizard.currentPage() is not page, timeout=60_000)
    assert sync_uc.is_joined(session.store) and page.store_error.text() == ""
    (device,) = server.service.list_devices().devices
    assert sync_uc.own_device_id(session.store) == device.device_id
    session.close()


def test_the_join_dialog_drops_what_the_last_try_failed_with_once_the_code_is_corrected(
    qtbot: QtBot, session: Session, server: ServerProcess
) -> None:
    """A coordinator's code mistyped, then the address: "the server does not accept this code"
    stayed beside the corrected code, and "the same code still works, press Try again" on a
    "Try again" button beside another address, which is another registration."""
    window, dialog, join = _join_dialog_filled_in(qtbot, session, server)
    good = dialog.code.text()
    dialog.code.clear()
    type_text(dialog.code, "ABCD-EFGH-JKMN-PQRS")  # nobody issued it
    with qtbot.waitSignal(dialog.calls.idle, timeout=60_000):
        join.click()
    assert dialog.error.text() == refusal_message("enrollment_invalid")
    dialog.code.selectAll()
    type_text(dialog.code, good)
    assert dialog.error.text() == "" and join.text() == "&Beitreten"

    right = dialog.server.text()
    with PortReservation() as nobody:  # nothing listens there
        dialog.server.selectAll()
        type_text(dialog.server, f"http://127.0.0.1:{nobody}")
        with qtbot.waitSignal(dialog.calls.idle, timeout=60_000):
            join.click()
    assert "derselbe Code" in dialog.error.text() and join.text() == "&Erneut versuchen"
    dialog.server.selectAll()
    type_text(dialog.server, right)
    assert dialog.error.text() == "" and join.text() == "&Beitreten"
    with qtbot.waitSignal(dialog.calls.idle, timeout=60_000):
        join.click()
    assert dialog.error.text() == "" and sync_uc.is_joined(session.store)
    window.close()


@pytest.mark.parametrize("lang", ["de", "bg"])
def test_the_wizard_drops_what_the_last_try_failed_with_once_the_address_is_corrected(
    qtbot: QtBot, tmp_path: Path, server: ServerProcess, lang: str
) -> None:
    """The server's address mistyped on the first start: back on the join page and corrected,
    the account page still said "cannot be reached … the same code still works, press Try
    again" on a "Try again" button, for an address it had not tried."""
    with PortReservation() as nobody:
        wizard = _wizard_at_join_page(
            qtbot, tmp_path, lang, f"http://127.0.0.1:{nobody}", server.enroll("B")
        )
        wizard.next()
        _make_account(wizard, "petar", "Петър Петров")
        _answered(qtbot, wizard)
    page, session = wizard.account_page, wizard.session
    assert session is not None and not sync_uc.is_joined(session.store)
    commit = wizard.button(QWizard.WizardButton.CommitButton)
    assert page.store_error.text().startswith(connection_message("offline"))
    assert commit.text() == _(JOIN_TRY_AGAIN_BUTTON)

    wizard.back()
    wizard.join_page.server.selectAll()
    type_text(wizard.join_page.server, server.base_url)
    wizard.next()
    assert wizard.currentPage() is page
    wizard.grab().save(str(tmp_path / f"walkcoord-wizard-corrected-{lang}.png"))
    assert page.store_error.text() == ""
    assert commit.text() == _("&Next >") != "&Next >"  # in the wizard's language
    commit.click()
    _answered(qtbot, wizard)
    qtbot.waitUntil(lambda: wizard.currentPage() is not page, timeout=60_000)
    assert sync_uc.is_joined(session.store)
    session.close()


def test_the_wizard_keeps_the_failure_when_nothing_was_corrected(
    qtbot: QtBot, tmp_path: Path, server: ServerProcess
) -> None:
    """Back and Next again with the same address and code: the failure and Try again stay."""
    with PortReservation() as nobody:
        wizard = _wizard_at_join_page(
            qtbot, tmp_path, "de", f"http://127.0.0.1:{nobody}", server.enroll("B")
        )
        wizard.next()
        _make_account(wizard, "petar", "Петър Петров")
        _answered(qtbot, wizard)
        page, session = wizard.account_page, wizard.session
        assert session is not None
        said = page.store_error.text()
        assert said.startswith(connection_message("offline"))
        wizard.back()
        wizard.next()
    assert page.store_error.text() == said
    assert wizard.button(QWizard.WizardButton.CommitButton).text() == "&Erneut versuchen"
    session.close()
