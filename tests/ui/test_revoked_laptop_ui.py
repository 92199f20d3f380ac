"""A laptop revoked while it is open and unlocked (a stolen one, or one revoked by mistake): its
window locks at the sync that learns it, its status says what it means, and nothing typed is
lost; the coordinator's status bar asks to renew a team key a revoked laptop still holds. With
a real server on 127.0.0.1."""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QLabel, QLineEdit, QWidget
from pytestqt.qtbot import QtBot

from desktop_app.domain.person import PersonDraft
from desktop_app.i18n.text import set_language
from desktop_app.ui.lock import Locker, LockScreen
from desktop_app.ui.sync_status import SyncController
from desktop_app.usecases import people, visits
from desktop_app.usecases import sync as sync_uc
from tests.integration.sync_harness import (
    PASSWORD,
    CuttingProxy,
    Laptops,
    ServerProcess,
    device_id,
    run_cli,
)
from tests.ui.conftest import shown_window, type_text

if TYPE_CHECKING:
    from desktop_app.ui.main_window import MainWindow


def _sync(qtbot: QtBot, window: MainWindow) -> None:
    controller: SyncController = window.sync  # type: ignore[attr-defined]
    with qtbot.waitSignal(controller.sync_finished, timeout=30_000):
        assert controller.start()


def _locked(window: MainWindow) -> bool:
    locker: Locker = window.locker  # type: ignore[attr-defined]
    return locker.is_locked


def _shown_texts(root: QWidget) -> str:
    texts = [root.windowTitle()]
    for widget in [root, *root.findChildren(QWidget)]:
        if widget.isVisible() and isinstance(widget, QLabel | QLineEdit):
            texts.append(widget.text())
    return " ".join(texts)


def test_a_revoked_laptop_locks_at_the_next_sync_and_keeps_what_was_typed(
    qtbot: QtBot, server: ServerProcess, laptops: Laptops, tmp_path: Path
) -> None:
    """Revoked by the server's operator while a helper's visit form is open and typed in (not
    saved yet): it stayed readable until the idle lock. The next sync locks it; the password
    unlocks it, the form comes back with what was typed (also in its draft), and the status
    says it was revoked and that its changes are kept until it joins again. Later syncs, also
    refused, do not lock it again."""
    coordinator, stolen = laptops.new("Koordination"), laptops.new("Laptop Ioana")
    laptops.sync(coordinator, stolen)
    person = people.register_person(stolen.store, stolen.user, PersonDraft("Ștefan", "Țăranu"))
    set_language("ro")
    window = shown_window(qtbot, stolen, 1280)
    window.show_person(person.id)
    form = window.visits.start("life_situation")  # type: ignore[attr-defined]
    assert form is not None
    form.view.show_section("household")
    type_text(form.view.input("household_size"), "4")
    form.autosave.stop()  # typed only: no autosave has run
    form.periodic.stop()
    assert visits.load_draft(stolen.store, stolen.user, person.id, "life_situation") is None

    run_cli(server.db_url, "revoke", device_id(stolen))
    _sync(qtbot, window)
    locker: Locker = window.locker  # type: ignore[attr-defined]
    assert _locked(window) and isinstance(window.centralWidget(), LockScreen)
    assert not form.isVisible() and not window.menuBar().isVisible()
    assert "Țăranu" not in _shown_texts(window) and "Țăranu" not in form.windowTitle()
    # Saved at the lock, before anyone types a password (the laptop may be switched off).
    qtbot.waitUntil(
        lambda: (
            visits.load_draft(stolen.store, stolen.user, person.id, "life_situation") is not None
        ),
        timeout=10_000,
    )
    draft = visits.load_draft(stolen.store, stolen.user, person.id, "life_situation")
    assert draft is not None and draft.answers.get("household_size") == 4

    screen = locker.screen
    assert screen is not None
    assert screen.reason.isVisible(), "why it locked"
    assert screen.reason.text().startswith("Acest laptop a fost revocat și s-a blocat."), (
        screen.reason.text()
    )
    window.grab().save(str(tmp_path / "revoked-locked-ro.png"))
    type_text(screen.password, PASSWORD)
    qtbot.keyClick(screen.password, Qt.Key.Key_Return)
    assert not _locked(window)
    assert form.isVisible() and form.view.input("household_size").text() == "4"
    status = window.sync.label  # type: ignore[attr-defined]
    text = status.text()
    assert text.startswith("Acest laptop este revocat · ultima sincronizare"), text
    assert text.endswith("pe acest laptop până se alătură din nou (meniul Fișier)"), text
    assert "de trimis" not in text
    tooltip = status.toolTip()
    assert "cod de înrolare nou" in tooltip and "Fișier → Alătură-te din nou…" in tooltip, tooltip
    qtbot.waitUntil(lambda: not status.elided(), timeout=5000)  # all of it, once laid out
    window.grab().save(str(tmp_path / "revoked-ro.png"))

    _sync(qtbot, window)  # refused again: said, not locked again
    assert not _locked(window) and form.isVisible()
    form.close()
    window.close()


def test_the_coordinator_is_asked_to_renew_the_key_a_laptop_the_operator_revoked_holds(
    qtbot: QtBot, server: ServerProcess, laptops: Laptops, tmp_path: Path
) -> None:
    """The server's operator revokes a stolen laptop (``welcome-desk-server revoke``, which
    renews no team key). Only the Laptops dialog said so, once opened. The coordinator's next
    sync brings a banner that names the laptop, and its button opens the Laptops dialog, where
    the key is renewed; the banner then goes. A helper logged in on that laptop is not asked."""
    from desktop_app.domain.users import Role
    from desktop_app.ui.sync_status import DevicesDialog
    from desktop_app.usecases import accounts
    from desktop_app.usecases import sync as sync_uc

    coordinator, stolen = laptops.new("Koordination"), laptops.new("Laptop Ioana")
    laptops.new("Laptop Mihai")
    laptops.sync()
    set_language("de")
    window = shown_window(qtbot, coordinator, 1280)
    banner = window.sync.revoked_key  # type: ignore[attr-defined]
    _sync(qtbot, window)
    assert banner.isHidden()

    run_cli(server.db_url, "revoke", device_id(stolen))
    _sync(qtbot, window)
    qtbot.waitUntil(banner.isVisible, timeout=20_000)
    said = banner.text.text()
    assert said.startswith("„Laptop Ioana“ wurde gesperrt, aber der Teamschlüssel"), said
    assert "Laptop Mihai" not in said and "Koordination" not in said
    window.grab().save(str(tmp_path / "revoked-key-banner-de.png"))

    # Not a helper's to do, nor offered: on the same laptop, no banner.
    accounts.add_user(coordinator, "ioana", "Ioana Popescu", Role.HELPER, "helper pass 77")
    helper = accounts.log_in(coordinator.store.paths.data_dir, "ioana", "helper pass 77")
    assert sync_uc.status(helper.store).revoked_holding_key == ("Laptop Ioana",)
    helper_window = shown_window(qtbot, helper)
    helper_sync: SyncController = helper_window.sync  # type: ignore[attr-defined]
    qtbot.waitUntil(lambda: helper_sync.label.text() != "", timeout=30_000)
    assert helper_sync.revoked_key.isHidden()
    helper_window.close()
    helper.close()

    banner.button.click()
    (dialog,) = window.findChildren(DevicesDialog)
    qtbot.waitUntil(lambda: not dialog.busy, timeout=20_000)
    assert dialog.isVisible() and dialog.key_still_held.isVisible()
    with qtbot.waitSignal(dialog.calls.idle, timeout=30_000):
        dialog.renew.click()
    assert not dialog.error.text()
    qtbot.waitUntil(banner.isHidden, timeout=10_000)
    dialog.close()
    _sync(qtbot, window)  # the server still lists it revoked: nothing to renew any more
    qtbot.waitUntil(lambda: window.sync.label.text().startswith("Online"), timeout=10_000)  # type: ignore[attr-defined]
    assert banner.isHidden()
    window.close()


_DEVICES = ("GET", "/v1/devices")


def _requests_of_a_sync(
    qtbot: QtBot, window: MainWindow, proxy: CuttingProxy
) -> list[tuple[str, str]]:
    """The requests the window's sync made, and those made after it (the banner's), without
    their query strings."""
    before = len(proxy.forwarded)
    _sync(qtbot, window)
    for _ in range(2):  # the sync's follow-up, then what that one started (the status read)
        assert window.tasks.wait(30_000)
        QApplication.processEvents()
    return [(method, path.partition("?")[0]) for method, path in proxy.forwarded[before:]]


def _an_older_server(method: str, path: str, body: bytes) -> bytes:
    """A pull answered as a server from before ``PullResponse.revocations``."""
    if method == "GET" and path.startswith("/v1/envelopes"):
        answer = json.loads(body)
        answer.pop("revocations", None)
        return json.dumps(answer).encode()
    return body


@pytest.mark.parametrize("older", [False, True], ids=["server-marks", "older-server"])
def test_the_coordinators_window_asks_for_revoked_laptops_only_when_there_are_new_ones(
    qtbot: QtBot, server: ServerProcess, tmp_path: Path, older: bool
) -> None:
    """The coordinator's window asked the server for the whole list of laptops after every
    sync (a request a minute besides the sync's own two) to learn of revocations. Now its pull
    says when a laptop was revoked, and the list is asked for only then; a server from before
    that is asked at the window's first sync and then at most every ten minutes."""
    from desktop_app.domain.users import Role
    from desktop_app.ui.sync_status import REVOCATIONS_EVERY_S

    proxy = CuttingProxy(server.base_url)
    group = Laptops(server, tmp_path, url=proxy.url)
    try:
        # The stolen one an advisors' laptop: a member's on the server.
        coordinator = group.new("Koordination")
        stolen = group.new("Laptop Ioana", role=Role.ADVISOR)
        group.sync()
        # Only a coordinator's laptop is told (a member's could not list the laptops anyway).
        assert sync_uc.sync_now(stolen.store).revocations is None
        assert sync_uc.sync_now(coordinator.store).revocations == "0/"  # none revoked yet
        if older:
            proxy.rewrite = _an_older_server
        window = shown_window(qtbot, coordinator, 1280)
        controller: SyncController = window.sync  # type: ignore[attr-defined]
        banner = controller.revoked_key

        first = _requests_of_a_sync(qtbot, window, proxy)
        assert first.count(_DEVICES) == 1, first  # once, as the window starts
        quiet = _requests_of_a_sync(qtbot, window, proxy)
        assert quiet == [("GET", "/v1/keys"), ("GET", "/v1/envelopes")], quiet

        run_cli(server.db_url, "revoke", device_id(stolen))  # the operator, at the server
        told = _requests_of_a_sync(qtbot, window, proxy)
        if older:  # not before ten minutes have passed since it last asked
            assert _DEVICES not in told and banner.isHidden(), told
            assert controller.revocations_asked is not None
            controller.revocations_asked -= REVOCATIONS_EVERY_S  # (as if they had passed)
            told = _requests_of_a_sync(qtbot, window, proxy)
        assert told.count(_DEVICES) == 1, told
        qtbot.waitUntil(banner.isVisible, timeout=20_000)
        assert "Laptop Ioana" in banner.text.text()
        # The next sends the revocation kept in the team's records, and asks nothing more.
        again = _requests_of_a_sync(qtbot, window, proxy)
        assert _DEVICES not in again and ("POST", "/v1/envelopes") in again, again
        window.close()
    finally:
        group.close()
        proxy.close()
