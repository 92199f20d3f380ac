"""The status bar's count of changes kept on the laptop: the changes a user made, not the audit
entries that go with them, counted as soon as they are saved."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

import pytest
from PySide6.QtCore import QEvent, QPoint
from PySide6.QtWidgets import (
    QApplication,
    QDialogButtonBox,
    QLabel,
    QWizard,
)
from pytestqt.qtbot import QtBot

from desktop_app.domain.person import PersonDraft
from desktop_app.i18n.text import set_language
from desktop_app.storage.visits_models import VisitRow
from desktop_app.sync.http_client import SyncError
from desktop_app.ui.conflicts import ConflictsDialog
from desktop_app.ui.sync_status import SyncController
from desktop_app.usecases import conflicts as conflicts_uc
from desktop_app.usecases import merges, people, visits
from desktop_app.usecases import sync as sync_uc
from desktop_app.usecases.accounts import Session
from tests.conftest import mark_sent
from tests.integration.sync_harness import (
    CuttingProxy,
    Laptops,
    ServerProcess,
    add_person,
    edit_person,
)
from tests.ui.conftest import fill_register_dialog, shown_window, tooltip_at
from tests.ui.test_people_import_ui import CSV, go_to_preview, open_wizard
from tests.ui.test_sync_ui import SHOTS
from tests.unit.test_visits import full_life_situation


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
    try:
        return tooltip_at(label, QPoint(5, label.height() // 2))
    finally:
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


def test_a_conflict_decided_by_keeping_the_value_is_a_change_to_send(
    qtbot: QtBot, laptops: Laptops
) -> None:
    """An advisor kept the value in force and the status bar said "0 changes to send": keeping
    it changes only the conflict's record (now decided), which was left out of the count with
    the conflicts a sync records. The decision goes to the other laptops all the same."""
    a, b = laptops.new("A", coordinator=True), laptops.new("B")
    pid = add_person(a, "Elena", "Radu", phone="0176 1111111")
    laptops.sync(a, b)
    edit_person(a, pid, phone="0176 2222222")
    edit_person(b, pid, phone="0176 3333333")
    laptops.sync(a, b, a)
    assert [c.field for c in sync_uc.open_conflicts(a.store)] == ["phone"]
    assert [c.field for c in sync_uc.open_conflicts(b.store)] == ["phone"]
    window = shown_window(qtbot, a, 1024)
    controller: SyncController = window.sync  # type: ignore[attr-defined]
    try:
        controller.refresh()
        qtbot.waitUntil(_line_ends(controller, "0 changes to send"), timeout=10_000)
        window.show_person(pid)
        window.conflict_notice.button.click()  # type: ignore[attr-defined]
        dialog = window.findChild(ConflictsDialog)
        assert dialog is not None and dialog.list.count() == 1
        kept = dialog.kept_text.text()
        with qtbot.waitSignal(dialog.decided, timeout=30_000):
            dialog.keep_first.click()
        assert dialog.list.count() == 0
        dialog.reject()
        person = people.get_person(a.store, a.user, pid)
        assert person is not None and person.phone == kept  # nothing else changed
        qtbot.waitUntil(_line_ends(controller, "1 change to send"), timeout=10_000)
        if SHOTS:
            window.grab().save(str(Path(SHOTS) / "conflict-kept-one-change.png"))
        set_language("de")
        controller.refresh()
        qtbot.waitUntil(_line_ends(controller, "1 Änderung zu senden"), timeout=10_000)
        with qtbot.waitSignal(controller.sync_finished, timeout=60_000) as done:
            assert controller.start()
        assert not isinstance(done.args[0], Exception), done.args[0]
        assert controller.label.text().endswith("0 Änderungen zu senden"), controller.label.text()
        assert sync_uc.status(a.store).pending_changes == 0
    finally:
        set_language("en")
        window.close()
    laptops.sync(b)
    assert sync_uc.open_conflicts(b.store) == []  # decided there too
    on_b = people.get_person(b.store, b.user, pid)
    assert on_b is not None and on_b.phone == kept


def test_only_a_decision_counts_of_a_conflict_waiting_to_be_sent(session: Session) -> None:
    """A conflict recorded here and not sent yet (a sync whose push broke off) is the
    program's record, not a change of the user's; decided before it went, it is one."""
    from desktop_app.sync.conflict_records import record_conflict
    from desktop_app.sync.merge import Conflict

    pid = people.register_person(
        session.store, session.user, PersonDraft("Ivan", "Dimitrov", "03.05.1988")
    ).id
    mark_sent(session.store, pid)
    clocks = (f"{'1' * 13}-00000-a", f"{'1' * 13}-00001-b")
    with session.store.transaction() as db:
        conflict = Conflict("person", pid, "notes", "", clocks[0], "Termin", clocks[1])
        record_conflict(db, session.store, conflict, pid)
    state = sync_uc.status(session.store)
    assert state.pending_work == 0 < state.pending_changes, state
    (found,) = sync_uc.open_conflicts(session.store)
    conflicts_uc.resolve_conflict(session.store, session.user, found.id, found.kept_value)
    state = sync_uc.status(session.store)
    assert state.pending_work == 1 < state.pending_changes, state  # the decision, once


def _visit_conflict_on_the_entry_to_merge_away(
    laptops: Laptops,
) -> tuple[Session, Session, str, str, conflicts_uc.OpenConflict]:
    """Maria Ivanova registered twice on A; a visit of the entry a merge moves away was changed
    on both laptops: a conflict over it on each, open."""
    a, b = laptops.new("A", coordinator=True), laptops.new("B")
    one = add_person(a, "Maria", "Ivanova", "1990")
    two = add_person(a, "Maria", "Ivanova", "1990")
    kept, merged = merges.kept_and_merged(one, two)
    answers = full_life_situation()
    visit = visits.finish_visit(a.store, a.user, merged, "life_situation", answers)
    # The kept entry holds what the check filled into the other: the merge changes neither.
    visits.finish_visit(a.store, a.user, kept, "life_situation", answers)
    laptops.sync(a, b)
    visits.edit_visit(a.store, a.user, visit.id, {**answers, "rent": 480})
    visits.edit_visit(b.store, b.user, visit.id, {**answers, "rent": 520})
    laptops.sync(a, b, a)
    (conflict,) = sync_uc.open_conflicts(a.store)
    assert [c.id for c in sync_uc.open_conflicts(b.store)] == [conflict.id]
    return a, b, kept, merged, conflict


def test_a_merge_counts_the_decided_conflict_it_moves_as_it_counts_the_visit(
    laptops: Laptops,
) -> None:
    """A decision already sent, then a merge here moves the conflict with the visit it is about
    to the entry kept: the moved conflict goes to the server because of the merge, as the moved
    visit does, and is counted as it is. It was left out (the count said 3 for a merge that
    sent 4 records: the tombstone, the merge, the visit, the conflict)."""
    a, _b, kept, merged, conflict = _visit_conflict_on_the_entry_to_merge_away(laptops)
    conflicts_uc.resolve_conflict(a.store, a.user, conflict.id, conflict.kept_value)
    laptops.sync(a)
    assert sync_uc.status(a.store).pending_changes == 0  # the decision went
    moved = merges.merge_people(a.store, a.user, kept, merged)
    assert moved == {"visits": 1, "conflicts": 1}
    state = sync_uc.status(a.store)
    # The tombstone of the entry merged away, the merge, the visit and the conflict moved.
    assert state.pending_work == 4 < state.pending_changes, state
    laptops.sync(a)
    assert sync_uc.status(a.store).pending_changes == 0


def test_a_conflict_decided_elsewhere_and_moved_here_counts_the_move_once(
    laptops: Laptops, server: ServerProcess
) -> None:
    """B decided the conflict and sent it; A, offline, merged the entries, which moved it. A's
    sync merges B's decision with A's move, and its push is cut off: what waits is A's move
    (with B's decision in the record, which the server has), counted once, as before the
    sync; not B's decision, nor the record the pull merged as a second change."""
    a, b, kept, merged, conflict = _visit_conflict_on_the_entry_to_merge_away(laptops)
    conflicts_uc.resolve_conflict(b.store, b.user, conflict.id, conflict.other_value)
    laptops.sync(b)
    merges.merge_people(a.store, a.user, kept, merged)
    before = sync_uc.status(a.store)
    assert before.pending_work == 4, before
    proxy = CuttingProxy(server.base_url)
    try:
        sync_uc.change_server_url(a.store, a.user, proxy.url)
        proxy.cut_when = lambda method, path: method == "POST" and "/envelopes" in path
        with pytest.raises(SyncError):
            laptops.sync(a)
        sync_uc.change_server_url(a.store, a.user, server.base_url)
    finally:
        proxy.close()
    assert sync_uc.open_conflicts(a.store) == []  # B's decision arrived
    state = sync_uc.status(a.store)
    assert state.pending_work == 4, state
    laptops.sync(a, b)
    assert sync_uc.status(a.store).pending_changes == 0
    assert sync_uc.open_conflicts(b.store) == []


def _push_cut_off(laptops: Laptops, server: ServerProcess, laptop: Session) -> None:
    """``laptop`` syncs: its pull goes through, its push is cut off."""
    proxy = CuttingProxy(server.base_url)
    try:
        sync_uc.change_server_url(laptop.store, laptop.user, proxy.url)
        proxy.cut_when = lambda method, path: method == "POST" and "/envelopes" in path
        with pytest.raises(SyncError):
            laptops.sync(laptop)
        sync_uc.change_server_url(laptop.store, laptop.user, server.base_url)
    finally:
        proxy.close()


def _person_of_visit(laptop: Session, visit_id: str) -> str:
    with laptop.store.reading() as s:
        row = s.get(VisitRow, visit_id)
        assert row is not None
        return row.person_id


def _entries_on_b_merged_on_a(laptops: Laptops) -> tuple[Session, Session, str, str, str]:
    """Maria Ivanova registered twice on B, a visit of the entry a merge moves away recorded
    there; both synced to A. Returns A, B, the entry kept and merged away, and the visit."""
    a, b = laptops.new("A", coordinator=True), laptops.new("B")
    one = add_person(b, "Maria", "Ivanova", "1990")
    two = add_person(b, "Maria", "Ivanova", "1990")
    kept, merged = merges.kept_and_merged(one, two)
    visit = visits.finish_visit(b.store, b.user, merged, "life_situation", full_life_situation())
    laptops.sync(b, a)
    assert sync_uc.status(b.store).pending_changes == 0
    return a, b, kept, merged, visit.id


def test_records_a_merge_that_arrived_moved_here_are_not_changes_to_send(
    laptops: Laptops, server: ServerProcess
) -> None:
    """A merged the entries; B, pulling the merge, moves the visit it holds of the entry merged
    away to the entry kept and queues it for the server (and again as the pull merges A's move
    of it): nobody on B did anything. The status bar said "1 change" while B's push was cut
    off; now 0, and the visit still goes to the server."""
    a, b, kept, merged, visit = _entries_on_b_merged_on_a(laptops)
    assert merges.merge_people(a.store, a.user, kept, merged) == {"visits": 1}
    laptops.sync(a)
    _push_cut_off(laptops, server, b)
    state = sync_uc.status(b.store)
    assert state.pending_work == 0 < state.pending_changes, state
    assert _person_of_visit(b, visit) == kept  # moved here, waiting to be sent
    laptops.sync(b)
    assert sync_uc.status(b.store).pending_changes == 0


def test_a_visit_recorded_here_and_moved_by_a_merge_that_arrived_still_counts_once(
    laptops: Laptops, server: ServerProcess
) -> None:
    """B, offline, recorded a second visit of the entry A merged away: B's pull moves it with
    the first. That visit is B's user's work, counted once; the one only moved is not."""
    a, b, kept, merged, _visit = _entries_on_b_merged_on_a(laptops)
    merges.merge_people(a.store, a.user, kept, merged)
    laptops.sync(a)
    second = visits.finish_visit(b.store, b.user, merged, "life_situation", full_life_situation())
    assert sync_uc.status(b.store).pending_work == 1
    _push_cut_off(laptops, server, b)
    state = sync_uc.status(b.store)
    assert state.pending_work == 1 < state.pending_changes, state
    assert _person_of_visit(b, second.id) == kept
    laptops.sync(b, a)
    assert sync_uc.status(b.store).pending_changes == 0
    assert _person_of_visit(a, second.id) == kept
