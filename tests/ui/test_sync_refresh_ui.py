"""What a sync brings shows in the windows open on the other laptop, without reopening them:
the people list (its search, selection and scroll kept), the person's page (its details and
tabs), the follow-ups due; a person erased meanwhile is said so; no view is logged again."""

from __future__ import annotations

import datetime as dt
import json
import os
from pathlib import Path

from PySide6.QtCore import QDate
from pytestqt.qtbot import QtBot

from desktop_app.domain.person import PersonDraft
from desktop_app.domain.referral import ReferralStatus
from desktop_app.i18n.text import set_language
from desktop_app.storage.sync_models import ConflictRow
from desktop_app.storage.visits_models import DraftRow
from desktop_app.sync.kinds import CONFLICT_FIELDS
from desktop_app.ui.main_window import MainWindow
from desktop_app.ui.reports import ReportsWindow
from desktop_app.usecases import audit, data_rights, people, visits
from desktop_app.usecases import referrals as uc
from desktop_app.usecases import sync as sync_uc
from desktop_app.usecases.accounts import Session
from tests.integration.sync_harness import (
    Laptops,
    device_id,
    older_answers_conflict,
    push_state,
    record_state,
)
from tests.ui.conftest import cell, shown_window
from tests.ui.test_forms_ui import type_into
from tests.ui.test_referrals_ui import _person
from tests.unit.test_visits import full_life_situation


def _shot(widget: object, tmp_path: Path, name: str) -> None:
    from PySide6.QtCore import QEvent
    from PySide6.QtWidgets import QApplication

    # What a refresh built is shown, and what it replaced deleted, by the event loop: both
    # done first, as before the next paint.
    QApplication.processEvents()
    QApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)
    folder = Path(os.environ.get("WELCOME_DESK_SHOTS", tmp_path))
    widget.grab().save(str(folder / name))  # type: ignore[attr-defined]


def _sync(qtbot: QtBot, window: MainWindow) -> sync_uc.SyncReport:
    """A sync of ``window``'s laptop as the timer starts it, waited for."""
    controller = window.sync  # type: ignore[attr-defined]
    with qtbot.waitSignal(controller.sync_finished, timeout=30_000) as done:
        assert controller.start()
    report = done.args[0]
    assert isinstance(report, sync_uc.SyncReport), report
    return report


def _views(session: Session) -> list[tuple[str, str]]:
    """The views logged on this laptop (not those a sync brought), (kind, person id)."""
    entries = audit.list_entries(session.store, session.user, action="view")
    here = session.store.device_id
    return sorted((e.record_kind, e.record_id) for e in entries if e.device_id == here)


def _select(qtbot: QtBot, window: MainWindow, person_id: str) -> None:
    """Find the person by name in the search box and make their row current."""
    person = people.get_person(window.session.store, window.session.user, person_id, log_view=False)
    assert person is not None
    with qtbot.waitSignal(window.search_finished, timeout=10_000):
        window.search.setText(person.family_name)
    row = window.model.row_of(person_id)
    assert row >= 0
    window.table.setCurrentIndex(window.model.index(row, 0))
    assert window.person_page.person is not None
    assert window.person_page.person.id == person_id


def test_the_open_person_page_shows_what_a_sync_brought(
    qtbot: QtBot,
    laptops: Laptops,
    tmp_path: Path,
) -> None:
    """B has Petrov's page open (found by a search, the row selected); A changes his phone,
    records a visit, issues a referral and closes another; B's timer syncs. The page shows the
    new phone, the visit and both referrals as they are now, the referral selected stays
    selected, the search and the row stay, and no view is logged again (views travel with the
    sync: two laptops with a page open would log views of each other without end)."""
    set_language("en")
    a, b = laptops.new("A"), laptops.new("B")
    person = _person(a)
    _person(a, "Ioana", "Popa")
    old = uc.issue_referral(a.store, a.user, person.id, "jobcenter", "buergergeld")
    laptops.sync(a, b)
    window = shown_window(qtbot, b, 1100)
    _select(qtbot, window, person.id)
    feature = window.referrals  # type: ignore[attr-defined]
    tab = feature.tab
    assert tab.table.rowCount() == 1
    tab.table.selectRow(0)
    visits_tab = window.visits.tab  # type: ignore[attr-defined]
    assert visits_tab.tree.topLevelItemCount() == 0
    window.wait_for_background()  # the views of opening the page written
    views = _views(b)

    draft = PersonDraft("Петър", "Петров", "1985-03-14", languages=("bg", "de"), phone="0151 2345")
    people.update_person(a.store, a.user, person.id, draft)
    visits.finish_visit(a.store, a.user, person.id, "life_situation", full_life_situation())
    new = uc.issue_referral(a.store, a.user, person.id, "vhs", "integration_course")
    uc.change_status(a.store, a.user, old.id, ReferralStatus.CLOSED, "moved away")
    sync_uc.sync_now(a.store)
    assert _sync(qtbot, window).applied

    page = window.person_page
    assert page.values["phone"].text() == "0151 2345"
    assert visits_tab.tree.topLevelItemCount() == 1
    assert {r.id for r in tab.referrals} == {old.id, new.id}
    closed = next(r for r in range(tab.table.rowCount()) if tab.referrals[r].id == old.id)
    assert cell(tab.table, closed, 2).text().startswith("Closed")
    assert tab.table.currentRow() == closed  # the referral selected is still selected
    assert window.search.text() == "Петров"
    assert window.model.is_search_result()
    assert window._selected_person_id() == person.id
    window.wait_for_background()
    assert _views(b) == views
    _shot(window, tmp_path, "sync-refresh-page.png")


def test_the_whole_list_keeps_its_row_and_scroll_after_a_sync(
    qtbot: QtBot,
    laptops: Laptops,
) -> None:
    """Without a search: the list of everyone is read anew (a person A registered is counted),
    the row selected and the list's scroll position stay, and the page is not emptied."""
    set_language("en")
    a, b = laptops.new("A"), laptops.new("B")
    for n in range(60):
        people.register_person(
            a.store, a.user, PersonDraft(f"Name{n:02d}", f"Family{n:02d}"), confirm_duplicates=True
        )
    laptops.sync(a, b)
    window = shown_window(qtbot, b, 1100)
    table = window.table
    table.scrollToBottom()
    row = window.model.rowCount() - 3
    table.setCurrentIndex(window.model.index(row, 0))
    chosen = window._selected_person_id()
    assert chosen is not None and window.person_page.person is not None
    scroll = table.verticalScrollBar().value()
    assert scroll > 0
    window.wait_for_background()  # the views of opening the page written
    views = _views(b)

    people.register_person(a.store, a.user, PersonDraft("Zoe", "Zzz"), confirm_duplicates=True)
    sync_uc.sync_now(a.store)
    assert _sync(qtbot, window).applied

    assert "61 people registered" in window.result_label.text()
    assert window._selected_person_id() == chosen
    assert window.person_page.person is not None and window.person_page.person.id == chosen
    assert table.verticalScrollBar().value() == scroll
    window.wait_for_background()
    assert _views(b) == views


def test_an_open_follow_ups_window_shows_what_a_sync_brought(
    qtbot: QtBot,
    laptops: Laptops,
    tmp_path: Path,
) -> None:
    """B has its follow-ups open, one row selected; A sets a follow-up on another referral and
    closes one; B syncs: the list is as it is now, the row selected (if still due) stays."""
    set_language("en")
    a, b = laptops.new("A"), laptops.new("B")
    person, other = _person(a), _person(a, "Ioana", "Popa")
    yesterday = dt.date.today() - dt.timedelta(days=1)
    kept = uc.issue_referral(a.store, a.user, person.id, "jobcenter", "buergergeld")
    gone = uc.issue_referral(a.store, a.user, other.id, "vhs", "integration_course")
    later = uc.issue_referral(a.store, a.user, other.id, "jobcenter", "buergergeld")
    made = ReferralStatus.APPOINTMENT_MADE
    for r in (kept, gone):
        uc.change_status(a.store, a.user, r.id, made, "", follow_up=yesterday)
    laptops.sync(a, b)
    window = shown_window(qtbot, b, 1100)
    feature = window.referrals  # type: ignore[attr-defined]
    follow_ups = feature.open_follow_ups()
    assert {f.referral.id for f in follow_ups.due} == {kept.id, gone.id}
    kept_row = next(i for i, f in enumerate(follow_ups.due) if f.referral.id == kept.id)
    follow_ups.table.selectRow(kept_row)

    uc.change_status(a.store, a.user, gone.id, ReferralStatus.CLOSED, "done")
    uc.change_status(a.store, a.user, later.id, made, "", follow_up=yesterday)
    sync_uc.sync_now(a.store)
    assert _sync(qtbot, window).applied

    assert {f.referral.id for f in follow_ups.due} == {kept.id, later.id}
    assert follow_ups.table.rowCount() == 2
    current = follow_ups.table.currentRow()
    assert follow_ups.due[current].referral.id == kept.id
    _shot(follow_ups, tmp_path, "sync-refresh-follow-ups.png")


def test_a_person_erased_by_a_sync_while_their_page_is_open(
    qtbot: QtBot,
    laptops: Laptops,
    tmp_path: Path,
) -> None:
    """A erases the person B has open; B syncs: B's page says so plainly and shows nobody
    (no tab, no action on the person gone), and the list no longer has them."""
    set_language("en")
    a, b = laptops.new("A"), laptops.new("B")
    person = _person(a)
    _person(a, "Ioana", "Popa")
    uc.issue_referral(a.store, a.user, person.id, "jobcenter", "buergergeld")
    laptops.sync(a, b)
    window = shown_window(qtbot, b, 1100)
    _select(qtbot, window, person.id)

    data_rights.erase_person(a.store, a.user, person.id)
    sync_uc.sync_now(a.store)
    assert _sync(qtbot, window).applied

    page = window.person_page
    assert page.person is None
    assert not page.tabs.isVisible()
    assert "Петър Петров" in page.hint.text() and "erased" in page.hint.text()
    assert window.model.rowCount() == 0  # the search for "Петров" finds nobody now
    assert window.referrals.tab.referrals == []  # type: ignore[attr-defined]
    _shot(window, tmp_path, "sync-refresh-erased.png")


def test_an_open_audit_log_lists_what_a_sync_brought(
    qtbot: QtBot,
    laptops: Laptops,
) -> None:
    """B's coordinator has the audit log open, an entry selected; A registers someone and
    B syncs: A's entries are listed, with the filters as set and the entry still selected."""
    from desktop_app.ui.audit import ENTRY_ID, open_audit_window

    set_language("en")
    a, b = laptops.new("A"), laptops.new("B")
    _person(a)
    laptops.sync(a, b)
    window = shown_window(qtbot, b, 1100)
    log = open_audit_window(window)
    before = log.model.rowCount()
    assert before > 2
    log.table.setCurrentIndex(log.model.index(2, 0))
    chosen = log.model.item(2, 0).data(ENTRY_ID)

    _person(a, "Ioana", "Popa")
    sync_uc.sync_now(a.store)
    assert _sync(qtbot, window).applied

    assert log.model.rowCount() > before
    current = log.table.currentIndex()
    assert current.isValid() and log.model.item(current.row(), 0).data(ENTRY_ID) == chosen
    log.close()


def _last_weeks_report(qtbot: QtBot, window: MainWindow) -> ReportsWindow:
    """The reports window opened from ``window``'s menu, showing the figures of the last 30
    days (up to tomorrow)."""
    [action] = [x for x in window.file_menu.actions() if x.text() == "Rep&orts…"]
    action.trigger()
    [dashboard] = window.findChildren(ReportsWindow)
    dashboard.kind.setCurrentIndex(dashboard.kind.findData("custom"))
    dashboard.start.setDate(QDate.currentDate().addDays(-30))
    dashboard.end.setDate(QDate.currentDate().addDays(1))
    qtbot.waitUntil(lambda: dashboard.report is not None, timeout=20_000)
    first = dashboard.report
    dashboard.refresh()  # the period set
    qtbot.waitUntil(lambda: dashboard.report is not first, timeout=20_000)
    return dashboard


def test_an_open_report_is_computed_anew_after_a_sync(
    qtbot: QtBot,
    laptops: Laptops,
) -> None:
    """B's coordinator has the figures of the last weeks open; A registers and visits
    someone; B syncs: the figures count them, for the same period."""
    from PySide6.QtCore import QEvent
    from PySide6.QtWidgets import QApplication, QTableWidget

    set_language("en")
    a, b = laptops.new("A"), laptops.new("B")
    laptops.sync(a, b)
    window = shown_window(qtbot, b, 1100)
    dashboard = _last_weeks_report(qtbot, window)

    def overview() -> list[str]:
        # the panels of the report before are deleted later: gone first, not found instead
        QApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)
        grid = dashboard.findChild(QTableWidget, "table-overview")
        assert grid is not None
        items = [grid.item(r, c) for r in range(grid.rowCount()) for c in range(grid.columnCount())]
        return [item.text() if item is not None else "" for item in items]

    shown, report = overview(), dashboard.report
    person = _person(a)
    visits.finish_visit(a.store, a.user, person.id, "life_situation", full_life_situation())
    sync_uc.sync_now(a.store)
    assert _sync(qtbot, window).applied
    qtbot.waitUntil(lambda: dashboard.report is not report, timeout=20_000)
    assert dashboard.report is not None and report is not None
    assert dashboard.report.period == report.period
    assert overview() != shown, (shown, overview())
    dashboard.close()


def test_an_open_conflicts_list_shows_what_a_sync_brought_and_keeps_what_was_typed(
    qtbot: QtBot,
    laptops: Laptops,
) -> None:
    """B decides the phone number's conflict, a number half typed; its timer syncs and brings
    another conflict (the notes): listed, while the phone's conflict stays shown with what was
    typed, and the person's view is not logged again."""
    from tests.ui.test_conflicts_ui import _edit_person

    set_language("en")
    a, b = laptops.new("A"), laptops.new("B")
    pid = people.register_person(
        a.store, a.user, PersonDraft("Elena", "Radu", phone="0176 1111111")
    ).id
    laptops.sync(a, b)
    _edit_person(a, pid, phone="0176 2222222")
    _edit_person(b, pid, phone="0176 3333333")
    for s in (a, b, a):
        sync_uc.sync_now(s.store)
    window = shown_window(qtbot, b, 1100)
    dialog = window.sync.open_conflicts()  # type: ignore[attr-defined]
    assert dialog.list.count() == 1
    dialog.edit_line.setText("0176 44")
    _edit_person(a, pid, notes="speaks some German")
    _edit_person(b, pid, notes="needs an interpreter")
    window.wait_for_background()
    views = _views(b)
    sync_uc.sync_now(a.store)
    assert _sync(qtbot, window).applied

    assert dialog.list.count() == 2
    assert dialog.conflicts[dialog.list.currentRow()].field == "phone"
    assert dialog.edit_line.text() == "0176 44"
    window.wait_for_background()
    assert _views(b) == views


def test_a_visit_form_open_while_a_sync_erases_its_person_stores_nothing(
    qtbot: QtBot,
    laptops: Laptops,
    tmp_path: Path,
) -> None:
    """B has a visit form open, every answer given; A erases the person; B syncs, then
    finishes the form: nothing is stored (a visit would be data about the erased person
    again, sent to every laptop), and the form says why; nothing crashes."""
    from tests.ui.conftest import finish_form

    set_language("en")
    a, b = laptops.new("A"), laptops.new("B")
    person = _person(a)
    laptops.sync(a, b)
    window = shown_window(qtbot, b, 1100)
    window.show_person(person.id)
    form = window.visits.start("life_situation")  # type: ignore[attr-defined]
    assert form is not None
    form.view.set_answers(full_life_situation())

    data_rights.erase_person(a.store, a.user, person.id)
    sync_uc.sync_now(a.store)
    assert _sync(qtbot, window).applied
    assert window.person_page.person is None

    assert finish_form(qtbot, form) is None
    assert form.view.banner.text() == "This person was erased meanwhile. Nothing was saved."
    assert not form.finish_button.isEnabled() and not form.refer_button.isEnabled()
    assert visits.visit_history(b.store, b.user, person.id, log_view=False) == []
    _shot(form, tmp_path, "sync-refresh-erased-form.png")
    type_into(form.view, "phone", "+49 231 777")  # typed after the erasure: autosaved…
    qtbot.waitUntil(lambda: not form.autosave.isActive() and not form._saving, timeout=10_000)
    type_into(form.view, "phone", "+49 231 778")
    form.close()  # …and "Close (draft is kept)": no draft of an erased person is kept either
    with b.store.reading() as s:
        assert s.query(DraftRow).filter_by(person_id=person.id).count() == 0


def _drafts_dialog(qtbot: QtBot, group: Laptops) -> tuple[Session, Session, list[str], MainWindow]:
    """Petrov and Popa registered on A and synced to B, where a form of each was left
    unfinished; B's window open, offering both drafts. (a, b, [Petrov, Popa], the dialog)."""
    from desktop_app.ui.visits import DraftsDialog

    a, b = group.new("A"), group.new("B")
    petrov, popa = _person(a), _person(a, "Ioana", "Popa")
    group.sync(a, b)
    for person_id in (petrov.id, popa.id):
        visits.save_draft(b.store, b.user, person_id, "life_situation", {"phone": "0151 1"})
    window = shown_window(qtbot, b, 1100)
    feature = window.visits  # type: ignore[attr-defined]
    qtbot.waitUntil(lambda: feature.drafts_dialog is not None, timeout=10_000)
    dialog = feature.drafts_dialog
    assert isinstance(dialog, DraftsDialog) and dialog.list.count() == 2
    qtbot.waitExposed(dialog)
    return a, b, [petrov.id, popa.id], window


def test_an_open_drafts_list_drops_the_draft_of_a_person_a_sync_erased(
    qtbot: QtBot,
    laptops: Laptops,
    tmp_path: Path,
) -> None:
    """B offers its unfinished forms (Popa's row chosen); A erases Petrov; B's timer syncs:
    the erasure deleted Petrov's draft on B too (GDPR: erasure reaches every laptop), the
    open list drops it and says why, Popa's row stays chosen, and no view is logged again."""
    set_language("en")
    a, b, (petrov, popa), window = _drafts_dialog(qtbot, laptops)
    dialog = window.visits.drafts_dialog  # type: ignore[attr-defined]
    dialog.list.setCurrentRow([d.person_id for d in dialog.drafts].index(popa))
    window.wait_for_background()
    views = _views(b)

    data_rights.erase_person(a.store, a.user, petrov)
    sync_uc.sync_now(a.store)
    assert _sync(qtbot, window).applied

    with b.store.reading() as s:
        assert s.query(DraftRow).filter_by(person_id=petrov).count() == 0
    assert [d.person_id for d in dialog.drafts] == [popa]
    assert dialog.list.count() == 1 and "Ioana Popa" in dialog.list.item(0).text()
    assert dialog.list.currentRow() == 0
    assert dialog.notice.isVisible()
    assert dialog.notice.text().startswith("Петър Петров was erased on another laptop")
    window.wait_for_background()
    assert _views(b) == views
    _shot(dialog, tmp_path, "sync-refresh-drafts.png")


def test_continuing_the_draft_of_a_person_a_sync_erased_says_so(
    qtbot: QtBot,
    laptops: Laptops,
    tmp_path: Path,
) -> None:
    """B's drafts dialog has Petrov's row chosen; a sync stores his erasure, and Continue is
    pressed before the window hears of it: no form opens, the dialog says (in German here)
    that his record was erased, and his row goes; Popa's draft is still offered. Popa
    erased too, the dialog says so and offers only to close."""
    from tests.ui.test_forms_ui import press

    set_language("de")
    try:
        a, b, (petrov, popa), window = _drafts_dialog(qtbot, laptops)
        dialog = window.visits.drafts_dialog  # type: ignore[attr-defined]
        rows = [d.person_id for d in dialog.drafts]
        dialog.list.setCurrentRow(rows.index(petrov))
        data_rights.erase_person(a.store, a.user, petrov)
        sync_uc.sync_now(a.store)
        # The sync's changes stored; the window hears of it only once the sync has ended.
        assert sync_uc.sync_now(b.store).applied
        press(dialog.continue_button)

        assert window.visits.open_windows == []  # type: ignore[attr-defined]
        assert dialog.isVisible()
        assert [d.person_id for d in dialog.drafts] == [popa]
        assert dialog.notice.text().startswith("Петър Петров wurde auf einem anderen Laptop")
        assert dialog.continue_button.isVisible()
        _shot(dialog, tmp_path, "sync-refresh-drafts-continue-de.png")

        # Popa erased too: nothing left to continue, only why, and the way out.
        data_rights.erase_person(a.store, a.user, popa)
        sync_uc.sync_now(a.store)
        assert _sync(qtbot, window).applied
        assert dialog.drafts == [] and not dialog.list.isVisible()
        assert not dialog.continue_button.isVisible() and dialog.later_button.text() == "Schließen"
        assert dialog.notice.text().startswith("Ioana Popa wurde")
        _shot(dialog, tmp_path, "sync-refresh-drafts-none-left-de.png")
    finally:
        set_language("en")


def test_an_open_visit_conflict_keeps_the_answers_chosen_while_a_sync_leaves_it_as_it_was(
    qtbot: QtBot,
    laptops: Laptops,
    tmp_path: Path,
) -> None:
    """B decides a conflict over Elena Radu's answers answer by answer, the rent taken from
    the other version. Its timer syncs and brings only someone registered on A: the rent
    stays taken (no new view logged). Then another laptop's version of the same conflict
    holds another rent: the conflict is shown as it is now, nothing chosen, and the dialog
    says why. Then it is decided on another laptop: gone, and said so."""
    set_language("en")
    a, b = laptops.new("A"), laptops.new("B")
    pid = people.register_person(a.store, a.user, PersonDraft("Elena", "Radu")).id
    visit = visits.finish_visit(a.store, a.user, pid, "life_situation", full_life_situation())
    laptops.sync(a, b)
    older = {k: v for k, v in visit.answers.items() if k != "rent"} | {"housing_type": "homeless"}
    newer = {**visit.answers, "rent_contract": "yes"}
    # Held by B as a merge on a third laptop found it (that laptop's clocks).
    conflict_id = older_answers_conflict(b, visit.id, pid, newer, older, field="answers+")
    window = shown_window(qtbot, b, 1100)
    dialog = window.sync.open_conflicts()  # type: ignore[attr-defined]
    qtbot.waitExposed(dialog)
    assert set(dialog.take_other) == {"housing_type", "rent", "rent_contract"}
    dialog.take_other["rent"].click()
    window.wait_for_background()
    views = _views(b)

    _person(a, "Ioana", "Popa")
    sync_uc.sync_now(a.store)
    assert _sync(qtbot, window).applied
    assert dialog.conflicts[dialog.list.currentRow()].id == conflict_id
    assert dialog.take_other["rent"].isChecked()
    assert not dialog.take_other["housing_type"].isChecked()
    assert not dialog.take_other["rent_contract"].isChecked()
    assert not dialog.notice.isVisible()
    window.wait_for_background()
    assert _views(b) == views

    def pushed_by_a(revision: int, **changes: object) -> None:
        """The conflict as another laptop holds it now, sent through A."""
        with b.store.reading() as s:
            row = s.get(ConflictRow, conflict_id)
            assert row is not None
            values = {name: getattr(row, name) for name in CONFLICT_FIELDS} | changes
        state = record_state("conflict", conflict_id, values, device_id(a))
        push_state(a, state, revision=revision)

    other_rent = {**newer, "rent": 520}
    pushed_by_a(2, kept_value=json.dumps(json.dumps(other_rent)))
    assert _sync(qtbot, window).applied
    assert dialog.conflicts[dialog.list.currentRow()].id == conflict_id
    assert "520" in dialog.kept_text.text()
    assert not any(button.isChecked() for button in dialog.take_other.values())
    assert dialog.notice.isVisible()
    assert dialog.notice.text() == (
        "A sync changed this conflict: it is shown as it is now. Decide again."
    )
    _shot(dialog, tmp_path, "sync-refresh-conflict-changed.png")

    pushed_by_a(3, resolved=True)
    assert _sync(qtbot, window).applied
    assert dialog.conflicts == []
    assert dialog.notice.isVisible()
    assert dialog.notice.text().startswith("The conflict you had open was decided on another")
    _shot(dialog, tmp_path, "sync-refresh-conflict-decided.png")
    window.wait_for_background()
    assert _views(b) == views


def test_an_open_list_of_the_people_behind_a_figure_follows_a_sync(
    qtbot: QtBot,
    laptops: Laptops,
    tmp_path: Path,
) -> None:
    """B's coordinator lists the people advised in the last weeks (Petrov, his row chosen).
    A advises Popa; B syncs: she is listed too, Petrov still chosen, and the one view logged
    counts only her. A erases her: she goes, and nothing is logged. Closed, the list is not
    read again (no view of it is logged either)."""
    from PySide6.QtWidgets import QTableWidget

    set_language("en")
    a, b = laptops.new("A"), laptops.new("B")
    petrov = _person(a)
    visits.finish_visit(a.store, a.user, petrov.id, "life_situation", full_life_situation())
    laptops.sync(a, b)
    window = shown_window(qtbot, b, 1100)
    dashboard = _last_weeks_report(qtbot, window)
    assert dashboard.report is not None
    keys = [row.key for row in dashboard.report.table("overview").rows]
    overview = dashboard.findChild(QTableWidget, "table-overview")
    assert overview is not None
    overview.cellClicked.emit(keys.index("people_advised"), 0)
    qtbot.waitUntil(lambda: dashboard.cases is not None, timeout=20_000)
    cases = dashboard.cases
    assert cases is not None and cases.list.count() == 1
    cases.list.setCurrentRow(0)
    window.wait_for_background()
    views = _views(b)

    def names() -> list[str]:
        return [cases.list.item(i).text() for i in range(cases.list.count())]

    popa = _person(a, "Ioana", "Popa")
    visits.finish_visit(a.store, a.user, popa.id, "life_situation", full_life_situation())
    sync_uc.sync_now(a.store)
    assert _sync(qtbot, window).applied
    qtbot.waitUntil(lambda: len(names()) == 2, timeout=20_000)
    assert set(names()) == {"Петър Петров", "Ioana Popa"}
    assert cases.list.currentItem().text() == "Петър Петров"
    [new] = [v for v in _views(b) if v not in views]
    assert new[0] == "report_cases"
    [entry] = audit.list_entries(b.store, b.user, record_id=new[1])
    assert entry.details["people"] == 1  # Popa only
    _shot(cases, tmp_path, "sync-refresh-report-cases.png")
    views = _views(b)

    data_rights.erase_person(a.store, a.user, popa.id)
    sync_uc.sync_now(a.store)
    assert _sync(qtbot, window).applied
    qtbot.waitUntil(lambda: names() == ["Петър Петров"], timeout=20_000)
    window.wait_for_background()
    assert _views(b) == views

    cases.reject()
    other = _person(a, "Maria", "Ivanova")
    visits.finish_visit(a.store, a.user, other.id, "life_situation", full_life_situation())
    sync_uc.sync_now(a.store)
    report = dashboard.report
    assert _sync(qtbot, window).applied
    qtbot.waitUntil(lambda: dashboard.report is not report, timeout=20_000)
    window.wait_for_background()
    assert _views(b) == views
    assert names() == ["Петър Петров"]
