"""The directory window's history of publications: who published, when and what changed,
newest first, from the synced publication. It showed the last publication's note only, and a
user away for two publications never read the first one's. Real stores, a real sync server on
127.0.0.1, real widgets offscreen."""

from __future__ import annotations

import threading
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import QSize, Qt, QTimer
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

from desktop_app.i18n.formatting import format_moment
from desktop_app.i18n.text import _, ngettext, set_language
from desktop_app.ui.directory import DirectoryDialog, FormsDialog
from desktop_app.usecases import reference
from desktop_app.usecases import sync as sync_uc
from tests.integration.sync_harness import Laptops
from tests.ui.conftest import alt_access_key, cell, made_active, shown_window
from tests.ui.tab_walk import tab_stops
from tests.unit.test_reference_forms import _shipped as shipped_forms

NOTES = [
    "Jobcenter: neue Öffnungszeiten",
    "",  # published without a note
    "Caritas ist umgezogen",
    "VHS: neue Telefonnummer",
    "Familienkasse: neue Anschrift",
    "Gesundheitsamt: neue E-Mail-Adresse",
    "Clearingstelle: Sprechstunde auch mittwochs",
]
# the laptops' screens the window opens on: its own size, and as large as each one's room
SIZES = {"opened": None, "1366x768": QSize(1346, 728), "1280x720": QSize(1260, 680)}


def _shoot(dialog: DirectoryDialog, shots: Path, name: str) -> None:
    opened = dialog.size()
    for size_name, size in SIZES.items():
        if size is not None:
            dialog.resize(size)
            QApplication.processEvents()
        dialog.grab().save(str(shots / f"{name}-{size_name}.png"))
    dialog.resize(opened)
    QApplication.processEvents()


@pytest.mark.parametrize("lang", ["de", "bg"])
def test_the_directory_window_lists_the_publications_a_sync_brought_newest_first(
    qtbot: QtBot, laptops: Laptops, shots: Path, lang: str
) -> None:
    coordinator, away = laptops.new("Koordination"), laptops.new("Beratung")
    files = reference.shipped_directory_files()
    for note in NOTES:
        reference.publish_directory(coordinator.store, coordinator.user, files, note)
    sync_uc.sync_now(coordinator.store)
    sync_uc.sync_now(away.store)  # the laptop away for all of them
    entries = reference.publication_history(away.store, reference.SERVICES)
    assert [e.note for e in entries] == NOTES[::-1]
    set_language(lang)
    try:
        dialog = DirectoryDialog(away)
        qtbot.addWidget(dialog)
        dialog.show()
        qtbot.waitExposed(dialog)
        made_active(qtbot, dialog)
        table = dialog.history
        # the newest five, newest first: when, who, what changed
        assert table.rowCount() == DirectoryDialog.HISTORY_SHOWN == 5
        for row, entry in enumerate(entries[:5]):
            assert cell(table, row, 0).text() == format_moment(entry.published_at)
            assert cell(table, row, 1).text() == "Koordination"
            assert cell(table, row, 2).text() == NOTES[6 - row]
        # read out by name and in the UI language
        assert table.accessibleName() == _("Publication history") != "Publication history"
        assert table.accessibleDescription() == _("Newest first")
        headers = [table.horizontalHeaderItem(c).text() for c in range(3)]  # type: ignore[union-attr]
        assert headers == [_("Published"), _("By"), _("What changed")]
        # as tall as its five rows: none cut, none blank
        rows = sum(table.rowHeight(r) for r in range(5))
        assert table.viewport().height() == rows, (table.viewport().height(), rows)
        # reached by Tab and by its access key
        assert table in tab_stops(dialog, dialog.table)
        alt_access_key(dialog, dialog.history_label.text())
        assert dialog.focusWidget() is table
        # the two older ones behind a button, said how many
        older = dialog.older_button
        assert older.isVisible()
        assert older.text() == ngettext(
            "Show the &older one ({count} more)", "Show the &older ones ({count} more)", 2
        ).format(count=2)
        _shoot(dialog, shots, f"directory-history-{lang}")
        alt_access_key(dialog, older.text())
        qtbot.waitUntil(lambda: table.rowCount() == 7)  # (a button's key clicks it animated)
        assert not older.isVisible()
        assert dialog.focusWidget() is table and table.currentRow() == 5  # the first older one
        assert cell(table, 5, 2).text() == _("no note given") != "no note given"
        assert cell(table, 6, 2).text() == NOTES[0]
        # the older ones scroll within the same height: the directory keeps its room
        assert table.viewport().height() == rows
        _shoot(dialog, shots, f"directory-history-older-{lang}")
    finally:
        set_language("en")


def test_nothing_published_shows_no_history_and_the_forms_keep_their_own(
    qtbot: QtBot, laptops: Laptops
) -> None:
    """No publication: no empty list. The forms' window lists the forms' publications only."""
    coordinator = laptops.new("Koordination")
    directory = DirectoryDialog(coordinator)
    qtbot.addWidget(directory)
    directory.show()
    assert directory.history.isHidden() and directory.history_label.isHidden()
    assert directory.older_button.isHidden()
    files = reference.shipped_directory_files()
    reference.publish_directory(coordinator.store, coordinator.user, files, "Jobcenter")
    directory.refresh()
    assert directory.history.isVisible() and directory.history.rowCount() == 1
    assert directory.older_button.isHidden()
    forms = FormsDialog(coordinator)
    qtbot.addWidget(forms)
    forms.show()
    assert forms.history.isHidden()


def test_a_sync_while_the_window_is_open_adds_the_publication_it_brought(
    qtbot: QtBot, laptops: Laptops
) -> None:
    """The window opened from the menu before another laptop published: the sync that brings
    the publication lists it first, the one before under it."""
    set_language("de")
    try:
        coordinator, other = laptops.new("Koordination"), laptops.new("Büro")
        files = reference.shipped_directory_files()
        reference.publish_directory(coordinator.store, coordinator.user, files, "VHS")
        sync_uc.sync_now(coordinator.store)
        sync_uc.sync_now(other.store)
        window = shown_window(qtbot, other)
        window.sync.timer.stop()  # type: ignore[attr-defined]
        menu = window.admin_menu  # type: ignore[attr-defined]
        next(a for a in menu.actions() if a.text() == _("Service &directory…")).trigger()
        (dialog,) = [d for d in window.findChildren(DirectoryDialog) if d.isVisible()]
        assert [cell(dialog.history, r, 2).text() for r in range(1)] == ["VHS"]
        reference.publish_directory(coordinator.store, coordinator.user, files, "Jobcenter")
        sync_uc.sync_now(coordinator.store)
        controller = window.sync  # type: ignore[attr-defined]
        with qtbot.waitSignal(controller.sync_finished, timeout=30_000) as done:
            assert controller.start()
        assert not isinstance(done.args[0], Exception), done.args[0]
        qtbot.waitUntil(lambda: not dialog.reading, timeout=30_000)  # read on a worker
        notes = [cell(dialog.history, r, 2).text() for r in range(dialog.history.rowCount())]
        assert notes == ["Jobcenter", "VHS"]
        # grown by a row at once, the directory's list moved down under it (it lay over its
        # first rows until the next round of events)
        history, table = dialog.history.geometry(), dialog.table.geometry()
        assert history.bottom() < table.top(), (history, table)
        rows = sum(dialog.history.rowHeight(r) for r in range(2))
        assert dialog.history.viewport().height() == rows
        dialog.close()
    finally:
        set_language("en")


@pytest.mark.parametrize("window_kind", ["directory", "forms"])
def test_a_sync_reads_the_window_anew_off_the_ui_thread_and_then_shows_it(
    qtbot: QtBot, laptops: Laptops, monkeypatch: pytest.MonkeyPatch, shots: Path, window_kind: str
) -> None:
    """The window was read anew on the UI thread after a sync that brought a publication: the
    window, and the main window under it, waited while the store was held. Now the read runs
    on the main window's worker threads. Held there by a gate, the window answers (a timer
    fires, the keys move the chosen row) and shows what it showed; let go, it lists the new
    publication first, the row chosen still chosen."""
    coordinator, other = laptops.new("Koordination"), laptops.new("Büro")
    directory_files = reference.shipped_directory_files()
    reference.publish_directory(coordinator.store, coordinator.user, directory_files, "VHS")
    if window_kind == "forms":
        forms_files = shipped_forms()
        reference.publish_forms(coordinator.store, coordinator.user, forms_files, "Formulare")
    sync_uc.sync_now(coordinator.store)
    sync_uc.sync_now(other.store)
    window = shown_window(qtbot, other)
    window.sync.timer.stop()  # type: ignore[attr-defined]
    kind = DirectoryDialog if window_kind == "directory" else FormsDialog
    dialog = kind(other, window)
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitExposed(dialog)
    before = [cell(dialog.history, r, 2).text() for r in range(dialog.history.rowCount())]
    assert len(before) == 1
    if window_kind == "directory":
        reference.publish_directory(coordinator.store, coordinator.user, directory_files, "Neu")
    else:
        reference.publish_forms(coordinator.store, coordinator.user, forms_files, "Neu")
    sync_uc.sync_now(coordinator.store)

    gate, threads = threading.Event(), []
    real = reference.publication_history

    def held_history(*args: Any, **kwargs: Any) -> list[reference.PublicationEntry]:
        threads.append(threading.current_thread())
        gate.wait(30)  # (on the UI thread this would hold the window: the test fails below)
        return real(*args, **kwargs)

    monkeypatch.setattr(reference, "publication_history", held_history)
    controller = window.sync  # type: ignore[attr-defined]
    try:
        with qtbot.waitSignal(controller.sync_finished, timeout=30_000) as done:
            assert controller.start()
        assert not isinstance(done.args[0], Exception), done.args[0]
        qtbot.waitUntil(lambda: bool(threads), timeout=10_000)
        assert all(t is not threading.main_thread() for t in threads), threads
        assert dialog.reading
        # the window answers while its read is held
        fired: list[bool] = []
        QTimer.singleShot(0, lambda: fired.append(True))
        qtbot.waitUntil(lambda: bool(fired), timeout=5_000)
        dialog.table.setFocus()
        dialog.table.setCurrentCell(0, 0)
        QTest.keyClick(dialog.table, Qt.Key.Key_Down)
        assert dialog.table.currentRow() == 1
        chosen = dialog.keys[1]
        shown = [cell(dialog.history, r, 2).text() for r in range(dialog.history.rowCount())]
        assert shown == before  # not read yet: as it was
        dialog.grab().save(str(shots / f"{window_kind}-read-held.png"))
    finally:
        gate.set()
    qtbot.waitUntil(lambda: not dialog.reading, timeout=30_000)
    notes = [cell(dialog.history, r, 2).text() for r in range(dialog.history.rowCount())]
    assert notes == ["Neu", *before]
    assert dialog.keys[dialog.table.currentRow()] == chosen
    dialog.close()
    window.close()


def _rows_fit(table: Any) -> list[tuple[int, int]]:
    """Each row's height beside what its wrapped text needs at the columns' widths now (a row
    is never lower than the table's least row height)."""
    least = table.verticalHeader().minimumSectionSize()
    return [
        (table.rowHeight(r), max(table.sizeHintForRow(r), least)) for r in range(table.rowCount())
    ]


def test_the_directorys_rows_fit_their_text_again_when_the_window_is_resized(
    qtbot: QtBot, laptops: Laptops, shots: Path
) -> None:
    """Made as high as their wrapped text once, on opening, the rows kept that height: in a
    narrow window the opening hours were cut off, in a wide one the rows stayed tall and half
    empty. Narrow, then wide: each row as high as its text needs, no higher."""
    coordinator = laptops.new("Koordination")
    set_language("de")
    try:
        dialog = DirectoryDialog(coordinator)
        qtbot.addWidget(dialog)
        dialog.show()
        qtbot.waitExposed(dialog)
        heights: dict[str, list[int]] = {}
        for name, width in (("narrow", 640), ("wide", 1500)):
            dialog.resize(width, 600)
            qtbot.waitUntil(
                lambda: all(h == need for h, need in _rows_fit(dialog.table)), timeout=5_000
            )
            assert all(h == need for h, need in _rows_fit(dialog.history))
            heights[name] = [h for h, _need in _rows_fit(dialog.table)]
            dialog.grab().save(str(shots / f"directory-rows-{name}.png"))
        # the test means something: some rows wrap narrow and not wide
        assert sum(heights["narrow"]) > sum(heights["wide"]), heights
        dialog.close()
    finally:
        set_language("en")


@pytest.mark.parametrize("lang", ["de", "ro"])
def test_two_coordinators_publishing_at_once_are_both_in_each_windows_history(
    qtbot: QtBot, laptops: Laptops, shots: Path, lang: str
) -> None:
    """The office and the outreach consultation each publish the directory offline; after
    they synced (the outreach laptop first), both windows list both publications, the later
    one first and in force, above the one they both had before."""
    office, outreach = laptops.new("Büro Nordstadt"), laptops.new("Außensprechstunde")
    files = reference.shipped_directory_files()
    reference.publish_directory(office.store, office.user, files, NOTES[0])
    laptops.sync(office, outreach)
    reference.publish_directory(outreach.store, outreach.user, files, NOTES[2])
    reference.publish_directory(office.store, office.user, files, NOTES[3])
    laptops.sync(outreach, office, outreach)
    expected = [
        ("Büro Nordstadt", NOTES[3]),
        ("Außensprechstunde", NOTES[2]),
        ("Büro Nordstadt", NOTES[0]),
    ]
    set_language(lang)
    try:
        for laptop, name in ((office, "office"), (outreach, "outreach")):
            dialog = DirectoryDialog(laptop)
            qtbot.addWidget(dialog)
            dialog.show()
            qtbot.waitExposed(dialog)
            table = dialog.history
            assert table.rowCount() == 3 and dialog.older_button.isHidden()
            rows = [(cell(table, r, 1).text(), cell(table, r, 2).text()) for r in range(3)]
            assert rows == expected, name
            entries = reference.publication_history(laptop.store, reference.SERVICES)
            assert [cell(table, r, 0).text() for r in range(3)] == [
                format_moment(e.published_at) for e in entries
            ]
            assert entries[0].published_at > entries[1].published_at > entries[2].published_at
            _shoot(dialog, shots, f"directory-history-both-{name}-{lang}")
            dialog.close()
    finally:
        set_language("en")
