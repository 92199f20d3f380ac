"""File → "Confirm the coordinator's laptop…" and "Laptops of the organisation…" are greyed
until the laptop can use them; pointed at, they say why in a tooltip (in each state of
joining), and nothing once they open."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QApplication, QToolTip
from pytestqt.qtbot import QtBot

from desktop_app.domain.users import Role
from desktop_app.i18n.text import _, set_language
from desktop_app.ui.main_window import MainWindow
from desktop_app.ui.sync_status import SyncController
from desktop_app.usecases import sync as sync_uc
from desktop_app.usecases.accounts import Session
from tests.integration.sync_harness import Laptops, device_id
from tests.ui.conftest import shown_window
from tests.ui.test_fingerprint_action_ui import _pointed_at


def _reasons(qtbot: QtBot, window: MainWindow) -> tuple[str, str]:
    """The tooltips the File menu shows for the two entries, pointed at."""
    controller: SyncController = window.sync  # type: ignore[attr-defined]
    shown = []
    for action in (controller.confirm_action, controller.devices_action):
        # The tooltip of the entry pointed at before hides only after a moment.
        QToolTip.hideText()
        qtbot.waitUntil(lambda: not QToolTip.isVisible(), timeout=5_000)
        shown.append(_pointed_at(qtbot, window, action))
        window.file_menu.close()
    return shown[0], shown[1]


def _settled(qtbot: QtBot, controller: SyncController, confirm: bool, devices: bool) -> None:
    """The status read (off the UI thread) and shown: the entries enabled as given."""
    controller.refresh()
    qtbot.waitUntil(
        lambda: (
            (controller.confirm_action.isEnabled(), controller.devices_action.isEnabled())
            == (confirm, devices)
        ),
        timeout=30_000,
    )
    qtbot.wait(50)  # a reading asked before this one may still be shown; it says the same


@pytest.mark.parametrize("lang", ["de", "bg", "ro", "en"])
def test_before_joining_both_entries_say_to_join_first(
    qtbot: QtBot, session: Session, shots: Path, lang: str
) -> None:
    window = shown_window(qtbot, session)
    controller: SyncController = window.sync  # type: ignore[attr-defined]
    try:
        window.switch_language(lang)
        join = _("Only after this laptop has joined an organisation. To join one, choose {menu}.")
        qtbot.waitUntil(lambda: not controller.devices_action.isEnabled(), timeout=10_000)
        assert controller.confirm_action.isVisible() and controller.devices_action.isVisible()
        assert not controller.confirm_action.isEnabled()
        assert not controller.devices_action.isEnabled()
        confirm, devices = _reasons(qtbot, window)
        assert confirm == devices and confirm.startswith(join.split(".")[0])
        assert _("&Join an organisation…").replace("&", "") in confirm
        assert confirm.startswith("Only after ") == (lang == "en")  # translated
        _pointed_at(qtbot, window, controller.devices_action)
        window.file_menu.grab().save(str(shots / f"file-menu-not-joined-{lang}.png"))
        (tip,) = [w for w in QApplication.topLevelWidgets() if w.inherits("QTipLabel")]
        tip.grab().save(str(shots / f"file-menu-tooltip-not-joined-{lang}.png"))
        window.file_menu.close()
    finally:
        set_language("en")


def test_each_step_of_joining_says_what_the_entries_wait_for(
    qtbot: QtBot, laptops: Laptops
) -> None:
    """A laptop waiting for approval, then holding a key to confirm, then joined: the
    reasons follow the real state, and an entry that opens says nothing."""
    a = laptops.new("A")  # the organisation's first laptop: it made the team key
    b = laptops.new("B", approve=False)
    window = shown_window(qtbot, b)
    controller: SyncController = window.sync  # type: ignore[attr-defined]
    actions: tuple[QAction, QAction] = (controller.confirm_action, controller.devices_action)

    _settled(qtbot, controller, confirm=False, devices=False)
    assert _reasons(qtbot, window) == (
        "Only after a coordinator has approved this laptop: the next sync then brings the team "
        "key from the coordinator's laptop, to be confirmed here.",
        "Only after a coordinator has approved this laptop and you have confirmed the "
        "coordinator's laptop here.",
    )

    # Approved: the key from A waits to be confirmed here.
    sync_uc.approve_device(
        a.store, a.user, device_id(b), sync_uc.fingerprint(b.store), role=Role.COORDINATOR
    )
    with sync_uc.client_for(b.store) as client:
        sync_uc.fetch_keys(b.store, client)
    _settled(qtbot, controller, confirm=True, devices=False)
    assert _reasons(qtbot, window) == (
        "",
        "Only after you have confirmed the coordinator's laptop "
        "(File → Confirm the coordinator's laptop…).",
    )

    # Confirmed: the laptops open; there is nothing more to confirm.
    sync_uc.confirm_coordinator(b.store, b.user, sync_uc.fingerprint(a.store))
    _settled(qtbot, controller, confirm=False, devices=True)
    assert _reasons(qtbot, window) == (
        "Nothing to confirm: no team key from another laptop is waiting here.",
        "",
    )
    assert all(a.isVisible() for a in actions)
    window.close()
