"""The status bar's count of changes kept on the laptop: the changes a user made, not the audit
entries that go with them, counted as soon as they are saved."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import QEvent, QPoint
from PySide6.QtGui import QHelpEvent
from PySide6.QtWidgets import (
    QApplication,
    QDialogButtonBox,
    QLabel,
    QToolTip,
    QWizard,
)
from pytestqt.qtbot import QtBot

from desktop_app.domain.person import PersonDraft
from desktop_app.i18n.text import set_language
from desktop_app.ui.sync_status import SyncController
from desktop_app.usecases import people
from desktop_app.usecases import sync as sync_uc
from tests.integration.sync_harness import Laptops, ServerProcess
from tests.ui.conftest import fill_register_dialog, shown_window
from tests.ui.test_people_import_ui import CSV, go_to_preview, open_wizard


def _kept(controller: SyncController) -> int | None:
    """The count of changes kept here, as the offline status bar says it in Bulgarian."""
    match = re.search(r"(\d+) пром\w+ запазен", controller.label.text())
    return int(match.group(1)) if match else None


def _line_ends(controller: SyncController, text: str) -> Callable[[], bool]:
    return lambda: controller.label.text().endswith(text)


def _hovered(label: QLabel, width: int) -> str:
    """The tooltip ``label`` shows when hovered, squeezed to ``width`` pixels."""
    label.setMaximumWidth(width)
    QApplication.sendPostedEvents(None, QEvent.Type.LayoutRequest.value)
    assert label.width() <= width
    where = QPoint(5, label.height() // 2)
    QApplication.sendEvent(label, QHelpEvent(QEvent.Type.ToolTip, where, label.mapToGlobal(where)))
    try:
        return QToolTip.text()
    finally:
        QToolTip.hideText()
        label.setMaximumWidth(16_777_215)  # QWIDGETSIZE_MAX


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


def test_people_imported_are_counted_at_once(
    qtbot: QtBot, laptops: Laptops, tmp_path: Path
) -> None:
    """After an import the status bar said "0 changes to send" until the next sync tried, up to a
    minute later."""
    laptop = laptops.new("A", coordinator=True)
    laptops.sync(laptop)
    path = tmp_path / "clients.csv"
    path.write_text(CSV, encoding="utf-8-sig")
    window, wizard = open_wizard(qtbot, laptop)
    controller: SyncController = window.sync  # type: ignore[attr-defined]
    qtbot.waitUntil(lambda: "0 changes to send" in controller.label.text(), timeout=30_000)
    go_to_preview(qtbot, wizard, path)
    with qtbot.waitSignal(wizard.imported, timeout=10_000):
        wizard.button(QWizard.WizardButton.FinishButton).click()
    qtbot.waitUntil(lambda: "2 changes to send" in controller.label.text(), timeout=10_000)
    assert not controller.running  # counted without a sync
    window.close()


def test_a_new_laptop_counts_the_one_person_its_user_registered(
    qtbot: QtBot, laptops: Laptops
) -> None:
    """A new laptop said "4 changes" after its user had registered one person: the records the
    program writes itself (its first account, which never leaves it; the laptop's own record
    that the team vouches for it with; the audit entries) were counted with hers. They still
    go to the server: after the first sync nothing is left to send, and nothing to count."""
    laptop = laptops.new("A", coordinator=True)  # a fresh store, joined, never synced
    people.register_person(laptop.store, laptop.user, PersonDraft("Ivan", "Dimitrov", "03.05.1988"))
    state = sync_uc.status(laptop.store)
    assert state.pending_work == 1 and state.pending_changes > 1, state
    # Not joined yet, the same: its account record waits in the outbox too.
    alone = laptops.account("B")
    people.register_person(alone.store, alone.user, PersonDraft("Elena", "Radu", "11.09.1995"))
    state = sync_uc.status(alone.store)
    assert not state.joined and state.pending_work == 1 < state.pending_changes, state
    window = shown_window(qtbot, laptop, 1024)
    controller: SyncController = window.sync  # type: ignore[attr-defined]
    try:
        for language, one in (("de", "1 Änderung zu senden"), ("bg", "1 промяна за изпращане")):
            set_language(language)
            controller.refresh()
            qtbot.waitUntil(_line_ends(controller, one), timeout=10_000)
            # Where the status bar is too narrow for the line, its tooltip says all of it.
            assert _hovered(controller.label, 150).splitlines()[0].endswith(one)
        with qtbot.waitSignal(controller.sync_finished, timeout=60_000) as done:
            assert controller.start()
        assert not isinstance(done.args[0], Exception), done.args[0]
        assert controller.label.text().endswith("0 промени за изпращане"), controller.label.text()
        assert sync_uc.status(laptop.store).pending_changes == 0  # the program's records went too
    finally:
        set_language("en")
        window.close()
