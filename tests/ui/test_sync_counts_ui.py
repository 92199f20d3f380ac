"""The status bar's count of changes kept on the laptop: the changes a user made, not the audit
entries that go with them."""

from __future__ import annotations

import re

from PySide6.QtWidgets import QDialogButtonBox
from pytestqt.qtbot import QtBot

from desktop_app.domain.person import PersonDraft
from desktop_app.i18n.text import set_language
from desktop_app.ui.sync_status import SyncController
from desktop_app.usecases import people
from desktop_app.usecases import sync as sync_uc
from tests.integration.sync_harness import Laptops, ServerProcess
from tests.ui.conftest import fill_register_dialog, shown_window


def _kept(controller: SyncController) -> int | None:
    """The count of changes kept here, as the offline status bar says it in Bulgarian."""
    match = re.search(r"(\d+) пром\w+ запазен", controller.label.text())
    return int(match.group(1)) if match else None


def test_offline_the_status_bar_counts_the_changes_made_not_the_looking(
    qtbot: QtBot, laptops: Laptops, server: ServerProcess
) -> None:
    """A helper registered three people offline and read "19 changes kept on this laptop"; the
    count went up each time she only opened a person's page (its audit entry, which syncs too,
    was counted as a change). And a registration was counted only when the next sync tried."""
    laptop = laptops.new("A", coordinator=True)
    known = people.register_person(
        laptop.store, laptop.user, PersonDraft("Ivan", "Dimitrov", "03.05.1988")
    ).id
    laptops.sync(laptop)
    server.stop()
    set_language("bg")
    try:
        window = shown_window(qtbot, laptop, 1024)
        controller: SyncController = window.sync  # type: ignore[attr-defined]
        with qtbot.waitSignal(controller.sync_finished, timeout=60_000):
            assert controller.start()
        assert controller.label.text().startswith("Офлайн")
        assert "· 0 промени за изпращане" in controller.label.text()  # nothing changed yet
        window.show_person(known)  # only looked at: her audit entry waits to be sent
        qtbot.waitUntil(lambda: window.person_page.person is not None, timeout=10_000)
        dialog = window.open_register_dialog()
        qtbot.waitExposed(dialog)
        fill_register_dialog(dialog, "Елена", "Стоянова", "11.09.1995", "BG", ["bg"])
        dialog.buttons.button(QDialogButtonBox.StandardButton.Save).click()
        qtbot.waitUntil(lambda: not dialog.isVisible(), timeout=10_000)
        # Counted at once, not when the next sync tries (it said "0 changes to send" until then)
        qtbot.waitUntil(lambda: _kept(controller) == 1, timeout=10_000)  # Elena, once
        with qtbot.waitSignal(controller.sync_finished, timeout=60_000):
            assert controller.start()
        assert _kept(controller) == 1, controller.label.text()
        state = sync_uc.status(laptop.store)
        assert state.pending_changes > state.pending_work == 1  # the entries still go
        window.close()
    finally:
        set_language("en")
