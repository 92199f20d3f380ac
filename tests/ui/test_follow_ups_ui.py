"""The follow-ups due as a coordinator lists them at a month's end: hundreds of them."""

from __future__ import annotations

import datetime as dt
import threading
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest
from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication, QDialogButtonBox, QTableWidgetItem
from pytestqt.qtbot import QtBot

from desktop_app.domain.person import Person, PersonDraft
from desktop_app.domain.referral import Referral, ReferralStatus
from desktop_app.i18n.text import set_language
from desktop_app.ui import referrals as ui
from desktop_app.ui.audit import open_audit_window
from desktop_app.usecases import audit as audit_uc
from desktop_app.usecases import referrals as uc
from desktop_app.usecases.accounts import Session
from desktop_app.usecases.people import register_many, register_person
from desktop_app.usecases.report_demo import add_demo_activity
from tests.conftest import record_sharing_consent
from tests.ui.conftest import cell, shown_window, type_text
from tests.ui.test_referrals_ui import _person

if TYPE_CHECKING:
    from desktop_app.ui.main_window import MainWindow


class _CountedItem(QTableWidgetItem):
    """A cell that counts how often its text is read (to draw it, to size its column)."""

    reads = 0

    def data(self, role: int) -> Any:
        if role == Qt.ItemDataRole.DisplayRole:
            _CountedItem.reads += 1
        return super().data(role)


_plain_item = ui._item


def _counted_item(text: str, data: Any = None) -> QTableWidgetItem:
    """A cell as the window makes it, that counts its reads."""
    plain = _plain_item(text, data)
    item = _CountedItem(text)
    item.setFlags(plain.flags())
    item.setData(Qt.ItemDataRole.UserRole, plain.data(Qt.ItemDataRole.UserRole))
    return item


@pytest.fixture
def busy(session: Session) -> Session:
    """A store with 160 people and a year of their generated visits and referrals."""
    drafts = [PersonDraft(f"Name{i}", f"Family{i}", "1980") for i in range(160)]
    register_many(session.store, session.user, drafts)
    add_demo_activity(session.store, session.user.id, seed=5)
    return session


def test_the_follow_ups_window_lists_hundreds_without_reading_them_again_per_row(
    qtbot: QtBot, busy: Session, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Listed anew while shown (a status recorded, a sync), each cell set sized the columns
    again over every row: 200 follow-ups took 14 s, the demo's 3,139 some minutes, the window
    frozen. The columns are sized once, after the last cell: a cell's text is read a few
    times, not once per row of the list."""
    today = dt.date.today()
    due = uc.follow_ups_due(busy.store, busy.user, today)
    assert len(due) >= 100, len(due)
    window = shown_window(qtbot, busy, 1366)
    feature = window.referrals  # type: ignore[attr-defined]
    follow_ups = feature.open_follow_ups()
    qtbot.waitExposed(follow_ups)
    monkeypatch.setattr(ui, "_item", _counted_item)
    _CountedItem.reads = 0
    follow_ups.refresh()
    cells = len(due) * follow_ups.table.columnCount()
    assert follow_ups.table.rowCount() == len(due)
    assert _CountedItem.reads < 10 * cells, (_CountedItem.reads, cells)
    # sized to their contents all the same: the references whole, the status whole
    header = follow_ups.table.horizontalHeader()
    for column in (follow_ups.STATUS, follow_ups.REFERENCE):
        widest = max(
            follow_ups.table.fontMetrics().horizontalAdvance(
                cell(follow_ups.table, r, column).text()
            )
            for r in range(len(due))
        )
        assert header.sectionSize(column) >= widest, column


def _due_referral(session: Session) -> Referral:
    """A referral whose follow-up day has passed, its appointment attended."""
    person = _person(session, "Ștefan", "Țărănescu")
    past = dt.date.today() - dt.timedelta(days=3)
    referral = uc.issue_referral(
        session.store, session.user, person.id, "jobcenter", "buergergeld", follow_up=past
    )
    return uc.change_status(session.store, session.user, referral.id, ReferralStatus.ATTENDED, "")


def test_noting_the_outcome_of_a_follow_up_due_takes_it_off_the_list(
    qtbot: QtBot, session: Session
) -> None:
    """A coordinator opened a follow-up due, chose "Outcome noted", wrote the outcome and
    saved: the referral stayed among the follow-ups due at its past day (the dialog kept the
    follow-up ticked), as overdue as before. With the outcome noted it is done."""
    referral = _due_referral(session)
    window = shown_window(qtbot, session, 1366)
    feature = window.referrals  # type: ignore[attr-defined]
    follow_ups = feature.open_follow_ups()
    assert follow_ups.table.rowCount() == 1
    dialog = feature.open_status_dialog(referral)
    # opened on the status it has (Enter alone changes nothing): still awaiting its outcome
    assert dialog.status.currentData() == ReferralStatus.ATTENDED.value
    assert dialog.has_follow_up.isChecked()
    dialog.set_status(ReferralStatus.OUTCOME_NOTED)
    assert not dialog.has_follow_up.isChecked()
    dialog.set_status(ReferralStatus.ATTENDED)  # still due
    assert dialog.has_follow_up.isChecked()
    dialog.set_status(ReferralStatus.OUTCOME_NOTED)
    type_text(dialog.outcome, "Antrag gestellt")
    with qtbot.waitSignal(dialog.save.answered, timeout=10_000):
        dialog.buttons.button(QDialogButtonBox.StandardButton.Save).click()
    assert follow_ups.table.rowCount() == 0
    assert uc.follow_ups_due(session.store, session.user, dt.date.today()) == []
    stored = uc.get_referral(session.store, session.user, referral.id)
    assert stored.status is ReferralStatus.OUTCOME_NOTED and stored.follow_up is None


def test_a_follow_up_the_user_ticks_stays_whatever_the_status(
    qtbot: QtBot, session: Session
) -> None:
    """The tick is the user's once they set it: the outcome noted, they still want to hear
    again on that day. (The outcome is written: "Outcome noted" without one is refused.)"""
    referral = _due_referral(session)
    window = shown_window(qtbot, session, 1366)
    dialog = window.referrals.open_status_dialog(referral)  # type: ignore[attr-defined]
    dialog.set_status(ReferralStatus.OUTCOME_NOTED)
    assert not dialog.has_follow_up.isChecked()
    dialog.has_follow_up.click()
    dialog.set_status(ReferralStatus.CLOSED)
    dialog.set_status(ReferralStatus.OUTCOME_NOTED)
    assert dialog.has_follow_up.isChecked()
    type_text(dialog.outcome, "Antrag gestellt")
    with qtbot.waitSignal(dialog.save.answered, timeout=10_000):
        dialog.buttons.button(QDialogButtonBox.StandardButton.Save).click()
    stored = uc.get_referral(session.store, session.user, referral.id)
    assert stored.follow_up == referral.follow_up


def _selected(window: MainWindow) -> list[str]:
    """The ids of the list's selected rows."""
    rows = window.table.selectionModel().selectedRows()
    return [entry.id for index in rows if (entry := window.model.entry(index.row()))]


def _shown(window: MainWindow) -> str | None:
    person = window.person_page.person
    return person.id if person is not None else None


def _opened(qtbot: QtBot, window: MainWindow, person_id: str) -> None:
    """Wait until the person's row is current in the list and their page shown."""

    def current() -> str | None:
        index = window.table.currentIndex()
        entry = window.model.entry(index.row()) if index.isValid() else None
        return entry.id if entry else None

    qtbot.waitUntil(lambda: current() == _shown(window) == person_id, timeout=10_000)
    assert _selected(window) == [person_id]
    where = window.table.visualRect(window.table.currentIndex())
    assert window.table.viewport().rect().contains(where), where


@pytest.mark.parametrize("opened_by", ["button", "enter", "access key", "double click"])
def test_open_person_selects_them_in_the_whole_list_and_leaves_it_unfiltered(
    qtbot: QtBot, session: Session, tmp_path: Path, opened_by: str
) -> None:
    """ "Open person" showed the person's page, but the list stayed where it was, on somebody
    else's row; then it put their name into the search, and the list stayed filtered to that
    one name (only the search box's clear button brought everybody back). Their row is now
    selected and in view in the whole list, the search left empty, also where their row is
    beyond the pages read so far (450 people before them). By the keyboard too: Enter on the
    row closed the window (Close was its default button)."""
    drafts = [PersonDraft("Ana", f"Albu{n:03d}", "1990-01-01") for n in range(450)]
    register_many(session.store, session.user, drafts)
    referral = _due_referral(session)
    window = shown_window(qtbot, session, 1366)
    window.table.selectRow(0)  # somebody else, chosen before
    qtbot.waitUntil(lambda: _shown(window) is not None)
    assert _shown(window) != referral.person_id
    follow_ups = window.referrals.open_follow_ups()  # type: ignore[attr-defined]
    qtbot.waitExposed(follow_ups)
    follow_ups.activateWindow()
    qtbot.waitUntil(follow_ups.isActiveWindow, timeout=5000)
    follow_ups.table.setFocus()
    follow_ups.table.selectRow(0)
    if opened_by == "button":
        follow_ups.open_button.click()
    elif opened_by == "enter":
        QTest.keyClick(follow_ups.table, Qt.Key.Key_Return)
    elif opened_by == "access key":
        QTest.keyClick(follow_ups, Qt.Key.Key_O, Qt.KeyboardModifier.AltModifier)
    else:
        where = follow_ups.table.visualRect(follow_ups.table.model().index(0, 1)).center()
        QTest.mouseClick(follow_ups.table.viewport(), Qt.MouseButton.LeftButton, pos=where)
        QTest.mouseDClick(follow_ups.table.viewport(), Qt.MouseButton.LeftButton, pos=where)
    _opened(qtbot, window, referral.person_id)
    assert window.search.text() == ""
    assert not window.model.is_search_result()
    assert window.model.rowCount() == 451
    assert window.table.currentIndex().row() == 450
    assert window.result_label.text() == "451 people registered"
    window.grab().save(str(tmp_path / "opened.png"))


def test_open_person_twice_opens_them_once_more_after_another_was_chosen(
    qtbot: QtBot, session: Session
) -> None:
    """Their row still current from the first time, another person's page opened meanwhile
    (from the register dialog's "open the selected person", which puts that person's name
    into the search): the second "Open person" shows theirs again, with no row of that
    search's result chosen (the search stays, as a user's own does)."""
    register_many(session.store, session.user, [PersonDraft("Ana", "Albu", "1990-01-01")])
    referral = _due_referral(session)
    window = shown_window(qtbot, session, 1366)
    follow_ups = window.referrals.open_follow_ups()  # type: ignore[attr-defined]
    follow_ups.table.selectRow(0)
    follow_ups.open_button.click()
    _opened(qtbot, window, referral.person_id)
    other = window.model.entry(0)
    assert other is not None and other.id != referral.person_id
    window._on_dialog_open_existing(other.id)
    qtbot.waitUntil(lambda: _shown(window) == other.id, timeout=10_000)
    assert window.search.text() == "Albu Ana" and _selected(window) == [other.id]
    follow_ups.open_button.click()
    qtbot.waitUntil(lambda: _shown(window) == referral.person_id, timeout=10_000)
    assert window.search.text() == "Albu Ana"
    assert _selected(window) == [] and not window.table.currentIndex().isValid()


def test_open_person_keeps_the_users_own_search(qtbot: QtBot, session: Session) -> None:
    """The user searched for somebody else: the search and its result stay, the person's page
    opens, and no row of the list is selected (the row selected was somebody else's). Found by
    the search, their row is selected in it."""
    register_many(session.store, session.user, [PersonDraft("Ana", "Albu", "1990-01-01")])
    referral = _due_referral(session)
    window = shown_window(qtbot, session, 1366)
    with qtbot.waitSignal(window.search_finished, timeout=10_000):
        type_text(window.search, "Albu")
    window.table.selectRow(0)
    qtbot.waitUntil(lambda: _shown(window) is not None)
    follow_ups = window.referrals.open_follow_ups()  # type: ignore[attr-defined]
    follow_ups.table.selectRow(0)
    follow_ups.open_button.click()
    qtbot.waitUntil(lambda: _shown(window) == referral.person_id, timeout=10_000)
    assert window.search.text() == "Albu"
    assert window.model.is_search_result() and window.model.rowCount() == 1
    assert _selected(window) == []
    assert not window.table.currentIndex().isValid()

    with qtbot.waitSignal(window.search_finished, timeout=10_000):
        window.search.setText("Țărănescu")
    follow_ups.open_button.click()
    _opened(qtbot, window, referral.person_id)
    assert window.search.text() == "Țărănescu"


def _status_dialog_over(qtbot: QtBot, follow_ups: ui.FollowUpsWindow) -> ui.StatusDialog:
    """The status dialog shown over the follow-ups list."""
    qtbot.waitUntil(
        lambda: any(d.isVisible() for d in follow_ups.findChildren(ui.StatusDialog)),
        timeout=5000,
    )
    [dialog] = [d for d in follow_ups.findChildren(ui.StatusDialog) if d.isVisible()]
    return dialog


@pytest.mark.parametrize(("lang", "key"), [("bg", "С"), ("de", "A")])
def test_the_outcome_of_a_call_is_recorded_from_the_follow_ups_with_the_phone_in_view(
    qtbot: QtBot, session: Session, lang: str, key: str
) -> None:
    """An advisor calling down the follow-ups of a Monday morning found no number in the list
    and no way to record what came of a call there: for each person "Open person", the
    referrals tab, the row found again, "Change status…". The phone stands beside the name,
    and the status of the row chosen is changed from the list, by its access key; saved, the
    referral done leaves the list and the next one is current."""
    first = _due_referral(session)  # Ștefan Țărănescu, three days overdue
    draft = PersonDraft("Мария", "Георгиева", "1990-05-01", phone="0176 12345678")
    person = register_person(session.store, session.user, draft)
    record_sharing_consent(session, person.id)
    second = uc.issue_referral(
        session.store,
        session.user,
        person.id,
        "vhs",
        "integration_course",
        follow_up=dt.date.today(),
    )
    set_language(lang)
    try:
        window = shown_window(qtbot, session, 1366)
        follow_ups = window.referrals.open_follow_ups()  # type: ignore[attr-defined]
        qtbot.waitExposed(follow_ups)
        follow_ups.activateWindow()
        qtbot.waitUntil(follow_ups.isActiveWindow, timeout=5000)
        table = follow_ups.table
        assert [f.referral.id for f in follow_ups.due] == [first.id, second.id]
        assert cell(table, 1, follow_ups.PHONE).text() == "0176 12345678"
        table.setFocus()
        table.selectRow(1)
        QTest.keyClick(table, Qt.Key(ord(key)), Qt.KeyboardModifier.AltModifier)
        dialog = _status_dialog_over(qtbot, follow_ups)
        assert dialog.referral.id == second.id
        dialog.set_status(ReferralStatus.OUTCOME_NOTED)
        type_text(dialog.outcome, "Kurs ab Januar")
        with qtbot.waitSignal(dialog.save.answered, timeout=10_000):
            dialog.buttons.button(QDialogButtonBox.StandardButton.Save).click()
        qtbot.waitUntil(lambda: table.rowCount() == 1, timeout=5000)
        stored = uc.get_referral(session.store, session.user, second.id)
        assert (stored.status, stored.outcome) == (ReferralStatus.OUTCOME_NOTED, "Kurs ab Januar")
        assert table.currentRow() == 0 and follow_ups.status_button.isEnabled()
        follow_ups.close()
    finally:
        set_language("en")


def test_the_follow_ups_due_are_counted_on_the_page_before_anybody_is_opened(
    qtbot: QtBot, session: Session
) -> None:
    """A Monday morning: nothing in the window said that follow-ups were due, nor where they
    were (the Person menu only). With nobody opened the page counts them, and its button,
    Alt+Д in Bulgarian, lists them; the count follows what is recorded, and the notice goes
    when a person is opened or nothing is due."""
    referral = _due_referral(session)
    other = _person(session, "Мария", "Георгиева")
    uc.issue_referral(
        session.store,
        session.user,
        other.id,
        "vhs",
        "integration_course",
        follow_up=dt.date.today() + dt.timedelta(days=1),  # not due yet
    )
    set_language("bg")
    try:
        window = shown_window(qtbot, session, 1366)
        feature = window.referrals  # type: ignore[attr-defined]
        notice = feature.due_notice
        qtbot.waitUntil(notice.isVisible)  # counted on a worker
        assert notice.text.text() == "1 насочване трябва да се проследи."
        window.activateWindow()
        qtbot.waitUntil(window.isActiveWindow, timeout=5000)
        QTest.keyClick(window, Qt.Key(ord("Д")), Qt.KeyboardModifier.AltModifier)
        qtbot.waitUntil(lambda: feature.follow_ups_window is not None, timeout=5000)
        follow_ups = feature.follow_ups_window
        assert follow_ups is not None
        qtbot.waitUntil(follow_ups.isVisible, timeout=5000)
        assert [f.referral.id for f in follow_ups.due] == [referral.id]
        follow_ups.close()
        uc.change_status(
            session.store, session.user, referral.id, ReferralStatus.CLOSED, "Antrag gestellt"
        )
        feature._on_status_changed(referral.person_id)  # as the status dialog reports it
        qtbot.waitUntil(lambda: not notice.isVisible())  # nothing due
        uc.issue_referral(
            session.store,
            session.user,
            other.id,
            "jobcenter",
            "buergergeld",
            follow_up=dt.date.today(),
        )
        window.show_person(other.id)
        assert not notice.isVisible()  # a person opened: their page
        window.show_person(None)
        qtbot.waitUntil(lambda: notice.isVisible() and notice.text.text().startswith("1 "))
    finally:
        set_language("en")


def test_the_follow_ups_notice_counts_nothing_once_the_windows_store_closed(
    qtbot: QtBot, session: Session
) -> None:
    """A page shown or a sync finished after the window's store closed (the lock, another
    user, a restore, quitting) asked the closed store for the count: StoreClosed raised in the
    event loop (a clean-clone CI run: eight tests of backups, restores and exports failed on
    it). Nothing is counted then, and nothing raised."""
    _due_referral(session)
    window = shown_window(qtbot, session, 1366)
    feature = window.referrals  # type: ignore[attr-defined]
    qtbot.waitUntil(feature.due_notice.isVisible)
    session.store.close()
    window.person_page.person_changed.emit(None)  # as a page shown after the close does
    assert not feature.due_notice.isVisible()


class _CountGate:
    """The real count of the follow-ups due, run where the window runs it, noting the thread
    it ran on; ``hold`` makes it wait, before or after counting, until released."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.real = uc.count_follow_ups_due
        self.threads: list[threading.Thread] = []
        self.hold: str | None = None  # "before" or "after" the count
        self.waiting, self.release = threading.Event(), threading.Event()
        monkeypatch.setattr(ui.uc, "count_follow_ups_due", self.count)

    def count(self, store: Any, user: Any, today: dt.date) -> int:
        self.threads.append(threading.current_thread())
        hold = self.hold
        if hold == "before":
            self.waiting.set()
            self.release.wait(10)
        counted = self.real(store, user, today)
        if hold == "after":
            self.waiting.set()
            self.release.wait(10)
        return counted


def test_the_follow_ups_due_are_counted_off_the_ui_thread(
    qtbot: QtBot, session: Session, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Every page shown with nobody opened and every sync finished counted the follow-ups due
    on the UI thread, while a sync may hold the store. They are counted on the window's task
    runner; while the count is under way the window goes on (a person opened meanwhile: the
    count that comes back late is not shown over their page)."""
    referral = _due_referral(session)
    gate = _CountGate(monkeypatch)
    window = shown_window(qtbot, session, 1366)
    feature = window.referrals  # type: ignore[attr-defined]
    notice = feature.due_notice
    qtbot.waitUntil(notice.isVisible)
    assert gate.threads and threading.main_thread() not in gate.threads
    gate.hold = "after"
    window.show_person(None)  # counted again: held on its worker
    assert gate.waiting.wait(10)
    window.show_person(referral.person_id)  # a person opened before the count is back
    assert not notice.isVisible()
    gate.release.set()
    assert window.tasks.wait(10_000)
    QApplication.processEvents()  # the late count arrives, and is not shown
    assert not notice.isVisible()
    assert threading.main_thread() not in gate.threads


@pytest.mark.parametrize("hold", ["before", "after"])
def test_a_count_that_comes_back_after_the_store_closed_is_dropped(
    qtbot: QtBot, session: Session, monkeypatch: pytest.MonkeyPatch, hold: str
) -> None:
    """The lock, another user, a restore or quitting closes the window's store while the
    count is on its worker: a count that runs into the closed store raises StoreClosed there
    ("before"), one counted before the close comes back for a closed store ("after"); neither
    raises in the event loop, nor is it shown (the notice says what it said)."""
    _due_referral(session)
    gate = _CountGate(monkeypatch)
    window = shown_window(qtbot, session, 1366)
    feature = window.referrals  # type: ignore[attr-defined]
    notice = feature.due_notice
    qtbot.waitUntil(notice.isVisible)
    said = notice.text.text()
    assert said == "1 referral needs a follow-up."
    other = _person(session, "Мария", "Георгиева")
    uc.issue_referral(
        session.store,
        session.user,
        other.id,
        "vhs",
        "integration_course",
        follow_up=dt.date.today(),
    )  # two due now: a count let through would say so
    gate.hold = hold
    feature._show_due_count()  # as a sync finished asks for it
    assert gate.waiting.wait(10)
    session.store.close()
    gate.release.set()
    assert window.tasks.wait(10_000)
    QApplication.processEvents()
    assert notice.text.text() == said


def _due_with_a_phone_conflict(session: Session) -> Person:
    """Maria, a referral's follow-up due today, her phone changed differently on two laptops
    (0176 1111111 here, 0176 2222222 there) and not yet decided."""
    draft = PersonDraft("Мария", "Георгиева", "1990-05-01", phone="0176 1111111")
    maria = register_person(session.store, session.user, draft)
    record_sharing_consent(session, maria.id)
    uc.issue_referral(
        session.store,
        session.user,
        maria.id,
        "vhs",
        "integration_course",
        follow_up=dt.date.today(),
    )
    _phone_conflict(session, maria.id, "0176 1111111", "0176 2222222")
    return maria


def _phone_conflict(session: Session, person_id: str, kept: str, other: str) -> None:
    """An open conflict on the person's phone, as a sync records one (this laptop's number
    kept on the record until someone decides)."""
    from desktop_app.sync.conflict_records import record_conflict
    from desktop_app.sync.merge import Conflict

    clocks = (f"{'1' * 13}-00000-a", f"{'1' * 13}-00001-b")
    with session.store.transaction() as db:
        conflict = Conflict("person", person_id, "phone", kept, clocks[0], other, clocks[1])
        record_conflict(db, session.store, conflict, person_id)


@pytest.mark.parametrize("lang", ["en", "bg"])
def test_a_phone_in_an_open_conflict_shows_both_numbers_in_the_follow_ups(
    qtbot: QtBot, session: Session, lang: str, shots: Path
) -> None:
    """Two laptops changed Maria's phone differently and nobody decided yet: the follow-ups
    listed the record's number alone, as if it were sure, and the advisor called a number she
    may no longer have. The cell shows both, marked, and says why in its tooltip; decided, the
    list shows the one number again. A phone without a conflict is listed as before."""
    from desktop_app.usecases import conflicts as conflicts_uc

    plain = _due_referral(session)  # Ștefan: no phone, no conflict
    maria = _due_with_a_phone_conflict(session)
    set_language(lang)
    try:
        window = shown_window(qtbot, session, 1366)
        follow_ups = window.referrals.open_follow_ups()  # type: ignore[attr-defined]
        qtbot.waitExposed(follow_ups)
        table = follow_ups.table
        rows = {f.referral.person_id: r for r, f in enumerate(follow_ups.due)}
        phone = cell(table, rows[maria.id], follow_ups.PHONE)
        both = {"en": "0176 1111111 or 0176 2222222", "bg": "0176 1111111 или 0176 2222222"}
        assert phone.text() == f"⚠ {both[lang]}"
        tip = phone.toolTip()
        assert both[lang] in tip and tip != phone.text()
        assert phone.data(Qt.ItemDataRole.AccessibleTextRole) == tip
        if lang == "en":
            assert tip.startswith("The phone was changed differently on two laptops")
        assert cell(table, rows[plain.person_id], follow_ups.PHONE).text() == "—"
        follow_ups.grab().save(str(shots / f"follow-ups-conflict-{lang}.png"))
        # Decided (the other number): one number again.
        [conflict] = conflicts_uc.open_conflicts(session.store, session.user)
        conflicts_uc.resolve_conflict(session.store, session.user, conflict.id, "0176 2222222")
        follow_ups.refresh()
        assert cell(table, rows[maria.id], follow_ups.PHONE).text() == "0176 2222222"
        follow_ups.close()
    finally:
        set_language("en")


def test_an_open_follow_ups_list_follows_a_phone_conflict_decided_in_the_conflicts_dialog(
    qtbot: QtBot, session: Session, shots: Path
) -> None:
    """The follow-ups list open, the phone conflict decided in the conflicts dialog: the list
    kept "⚠" and both numbers until it was closed and opened again. It lists anew as the
    conflict is decided, the number decided alone."""
    maria = _due_with_a_phone_conflict(session)
    window = shown_window(qtbot, session, 1366)
    follow_ups = window.referrals.open_follow_ups()  # type: ignore[attr-defined]
    qtbot.waitExposed(follow_ups)
    [row] = [r for r, f in enumerate(follow_ups.due) if f.referral.person_id == maria.id]
    phone = cell(follow_ups.table, row, follow_ups.PHONE)
    assert phone.text().startswith("⚠ ")
    dialog = window.sync.open_conflicts()  # type: ignore[attr-defined]
    qtbot.waitUntil(lambda: dialog.list.count() == 1, timeout=30_000)
    kept = {dialog.kept_text.text(), dialog.other_text.text()}
    assert any("0176 2222222" in t for t in kept), kept
    # the other laptop's number (the second), as a user decides it
    chosen = "0176 2222222" if "0176 2222222" in dialog.other_text.text() else "0176 1111111"
    dialog.keep_second.click()
    qtbot.waitUntil(lambda: dialog.list.count() == 0, timeout=30_000)

    def listed() -> str:
        return cell(follow_ups.table, row, follow_ups.PHONE).text()

    qtbot.waitUntil(lambda: listed() == chosen, timeout=10_000)
    assert follow_ups.isVisible()
    follow_ups.grab().save(str(shots / "follow-ups-conflict-decided.png"))
    dialog.close()
    follow_ups.close()


def _follow_up_views(session: Session) -> list[str]:
    """The people whose view in the follow-ups the audit log holds, an entry each."""
    return [
        e.record_id
        for e in audit_uc.list_entries(session.store, session.user)
        if e.record_kind == "follow_ups"
    ]


def test_the_follow_ups_window_logs_a_view_of_each_person_it_names_once_while_open(
    qtbot: QtBot, session: Session, shots: Path
) -> None:
    """The follow-ups list names people with their phone numbers: as the print queue and the
    letters awaiting sign-off, each person listed is a view in the audit log. Once while the
    window is open: listed anew (a status recorded, another language) it logs only a newcomer;
    closed, it is not listed (nobody sees it); opened again, it is another view. The audit
    window names the entries in the reader's language."""
    stefan = _due_referral(session).person_id
    ana = _person(session, "Ana", "Popescu")
    past = dt.date.today() - dt.timedelta(days=1)
    for service in ("jobcenter", "clearingstelle"):
        uc.issue_referral(
            session.store, session.user, ana.id, service, "buergergeld", follow_up=past
        )
    window = shown_window(qtbot, session, 1366)
    feature = window.referrals  # type: ignore[attr-defined]
    follow_ups = feature.open_follow_ups()
    qtbot.waitExposed(follow_ups)
    assert follow_ups.table.rowCount() == 3
    assert sorted(_follow_up_views(session)) == sorted([stefan, ana.id])
    # listed anew while open: a status recorded, the language switched, opened once more
    feature._on_status_changed(stefan)
    window.switch_language("bg")
    assert follow_ups.windowTitle() == "Дължими проследявания"
    assert feature.open_follow_ups() is follow_ups
    assert len(_follow_up_views(session)) == 2
    # one newly due while it is open (a sync brought it): only she is logged
    ioana = _person(session, "Ioana", "Marin")
    uc.issue_referral(session.store, session.user, ioana.id, "vhs", "buergergeld", follow_up=past)
    feature._on_status_changed(ioana.id)
    assert follow_ups.table.rowCount() == 4
    assert _follow_up_views(session)[:1] == [ioana.id]  # newest first
    assert len(_follow_up_views(session)) == 3
    # closed: a status recorded or another language does not list it (nobody sees it)
    follow_ups.reject()
    feature._on_status_changed(stefan)
    window.switch_language("de")
    window.switch_language("bg")
    assert len(_follow_up_views(session)) == 3
    # opened again: another view of each
    assert feature.open_follow_ups() is follow_ups
    assert sorted(_follow_up_views(session)[:3]) == sorted([stefan, ana.id, ioana.id])
    assert len(_follow_up_views(session)) == 6
    follow_ups.reject()

    log = open_audit_window(window)
    qtbot.waitExposed(log)
    rows = [
        [log.model.item(r, c).text() for c in range(log.model.columnCount())]
        for r in range(log.model.rowCount())
    ]
    listed = [row for row in rows if row[4] == ana.id]
    assert any(
        row[2] == "прегледан"
        and row[3] == "списък на дължимите проследявания"
        and row[5] == "насочвания: 2"
        for row in listed
    ), listed
    log.grab().save(str(shots / "audit-follow-ups-bg.png"))
    log.close()
    window.close()
    set_language("en")
