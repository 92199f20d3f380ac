"""The visit history on the person's page at a laptop's width: the date as wide as it is, the
form's title the room what changed leaves, two lines a row at most."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from PySide6.QtCore import QPoint, QRect, Qt
from PySide6.QtGui import QFontMetrics
from PySide6.QtWidgets import QApplication, QLineEdit, QTreeWidgetItem
from pytestqt.qtbot import QtBot

from desktop_app.i18n.text import set_language
from desktop_app.ui.main_window import MainWindow
from desktop_app.ui.visits import VisitsTab
from desktop_app.usecases import visits
from desktop_app.usecases.accounts import Session
from tests.ui.conftest import tooltip_at
from tests.ui.test_forms_ui import CHECK_ANSWERS, _person, _window
from tests.ui.test_status_bar_ui import _laid_out


def _history(qtbot: QtBot, session: Session, lang: str) -> VisitsTab:
    """The Visits tab at 1100 × 700 of a person with two life-situation checks, the second
    edited twice (three versions: the title says so, what changed beside each)."""
    set_language(lang)
    person = _person(session)
    visits.finish_visit(session.store, session.user, person.id, "life_situation", CHECK_ANSWERS)
    second = visits.finish_visit(
        session.store, session.user, person.id, "life_situation", CHECK_ANSWERS
    )
    changed = {**CHECK_ANSWERS, "urgency": "this_week", "housing_type": "emergency_shelter"}
    visits.edit_visit(session.store, session.user, second.id, changed)
    visits.edit_visit(session.store, session.user, second.id, {**changed, "urgency": "today"})
    window, feature = _window(qtbot, session)
    window.resize(1100, 700)
    window.show_person(person.id)
    tab, page = feature.tab, window.person_page
    qtbot.waitUntil(lambda: tab.tree.isVisible() and page.width() >= page.minimumSizeHint().width())
    _laid_out(window)
    return tab


def _rows(tab: VisitsTab) -> list[tuple[QTreeWidgetItem, int]]:
    """The history's rows, each with its depth (0: a visit, 1: an earlier version of it)."""
    tree, rows = tab.tree, []
    for index in range(tree.topLevelItemCount()):
        top = tree.topLevelItem(index)
        assert top is not None
        rows.append((top, 0))
        for child in (top.child(i) for i in range(top.childCount())):
            assert child is not None
            rows.append((child, 1))
    return rows


@pytest.mark.parametrize("lang", ["bg", "de", "ro", "en"])
def test_the_visit_historys_form_column_takes_the_room_and_wraps_to_two_lines_at_most(
    qtbot: QtBot, session: Session, program_font: None, lang: str, tmp_path: Path
) -> None:
    """At 1100 × 700 in Bulgarian and German the form's title wrapped into four or five lines
    ("Преглед на / житейската / ситуация, с / промени / (редакция 3)") in a column of 119 px
    beside a date column with room to spare; the history showed one or two visits. The date
    is as wide as its text (and the branches before it), the title has the room beside what
    changed, and no row is more than two lines: a title longer than that ends in "…", whole
    in its tooltip and below the history."""
    tab = _history(qtbot, session, lang)
    tree, header = tab.tree, tab.tree.header()
    metrics = tree.fontMetrics()
    padding = tree.delegate.padding()
    rows = _rows(tab)
    assert len(rows) == 4
    # The date: as wide as the widest date with its branches, no wider.
    dates = [
        metrics.horizontalAdvance(item.text(0)) + tree.indentation() * (1 + depth)
        for item, depth in rows
    ]
    assert max(dates) + padding <= header.sectionSize(0) <= max(dates) + padding + 8, (
        dates,
        header.sectionSize(0),
    )
    # The title: the room what changed leaves (its count whole, a third), wider than it.
    room = tree.viewport().width() - header.sectionSize(0)
    assert header.sectionSize(1) >= room - max(room // 3, header.sectionSize(2)) - 2
    assert header.sectionSize(1) >= header.sectionSize(2)
    assert header.sectionPosition(2) + header.sectionSize(2) <= tree.viewport().width()
    assert tree.horizontalScrollBar().maximum() == 0
    two_lines = 2 * metrics.lineSpacing() + 4
    for item, _depth in rows:
        cell = tree.visualItemRect(item)
        assert cell.height() <= two_lines, (item.text(1), cell.height(), two_lines)
        for column in (1, 2):
            text = item.text(column)
            width = header.sectionSize(column) - padding
            lines = metrics.boundingRect(QRect(0, 0, width, 10_000), Qt.TextFlag.TextWordWrap, text)
            if lines.height() > cell.height():
                assert item.toolTip(column) == text, text  # cut: whole in its tooltip
            else:
                assert shown_lines(metrics, text, width) <= 2, text
    # The first visit's title whole in two lines (it fits), the edited one's whole below.
    first = rows[-1][0]
    assert shown_lines(metrics, first.text(1), header.sectionSize(1) - padding) <= 2
    edited = rows[0][0]
    tree.setCurrentItem(edited)
    assert edited.text(1) in tab.detail.text()
    # and in the tooltip shown over the title's cell
    where = tree.visualItemRect(edited).topLeft() + QPoint(header.sectionPosition(1) + 4, 4)
    assert tooltip_at(tree.viewport(), where) == edited.text(1)
    shots = Path(os.environ.get("WELCOME_DESK_SHOTS", tmp_path))
    tab.window().grab().save(str(shots / f"visit-history-1100-{lang}.png"))
    set_language("en")


def shown_lines(metrics: QFontMetrics, text: str, width: int) -> int:
    """How many lines ``text`` wraps to in ``width`` pixels."""
    height = metrics.boundingRect(QRect(0, 0, width, 10_000), Qt.TextFlag.TextWordWrap, text)
    return round(height.height() / metrics.lineSpacing())


def _drag_border(qtbot: QtBot, tab: VisitsTab, column: int, by: int) -> None:
    """The border after ``column`` in the history's header dragged ``by`` px with the mouse."""
    header = tab.tree.header()
    x = header.sectionViewportPosition(column) + header.sectionSize(column) - 1
    y = header.height() // 2
    qtbot.mousePress(header.viewport(), Qt.MouseButton.LeftButton, pos=QPoint(x, y))
    for step in range(1, 6):
        qtbot.mouseMove(header.viewport(), QPoint(x + by * step // 5, y))
    qtbot.mouseRelease(header.viewport(), Qt.MouseButton.LeftButton, pos=QPoint(x + by, y))


@pytest.mark.parametrize("lang", ["de", "bg"])
def test_a_column_the_user_resized_keeps_its_width(
    qtbot: QtBot, session: Session, program_font: None, shots: Path, lang: str
) -> None:
    """The date dragged wider went back to its text's width when the page was shown again (a
    sync re-reads it every minute, a language change too), and the form's title dragged
    narrower went back whenever the window's width changed. The widths the user gives them
    stay, where the pane has room for them (see the next test); what changed takes the rest."""
    tab = _history(qtbot, session, lang)
    tree, header = tab.tree, tab.tree.header()
    window = tab.window()
    assert isinstance(window, MainWindow)
    page = window.person_page
    fitted = header.sectionSize(0)
    _drag_border(qtbot, tab, 0, 40)  # as wide as there is room for beside the title's words
    date = header.sectionSize(0)
    assert date >= fitted + 30
    page.show_person(page.person, reread=True)  # as after a sync
    _laid_out(window)
    assert header.sectionSize(0) == date

    _drag_border(qtbot, tab, 1, -30)
    title = header.sectionSize(1)
    for width in (1366, 1024, 1920, 1100):
        window.resize(width, 700)
        _laid_out(window)
        assert (header.sectionSize(0), header.sectionSize(1)) == (date, title), width
    window.grab().save(str(shots / f"visit-history-user-widths-1100-{lang}.png"))
    window.switch_language("ro")
    try:
        _laid_out(window)
        assert (header.sectionSize(0), header.sectionSize(1)) == (date, title)
        # what changed takes the rest
        assert header.sectionPosition(2) + header.sectionSize(2) >= tree.viewport().width()
    finally:
        set_language("en")


def test_the_columns_nobody_resized_follow_the_windows_width(
    qtbot: QtBot, session: Session, program_font: None
) -> None:
    tab = _history(qtbot, session, "de")
    tree, header = tab.tree, tab.tree.header()
    narrow = header.sectionSize(1)
    window = tab.window()
    assert isinstance(window, MainWindow)
    window.resize(1600, 700)
    _laid_out(window)
    assert header.sectionSize(1) > narrow
    assert tree.horizontalScrollBar().maximum() == 0


@pytest.mark.parametrize("lang", ["de", "bg"])
def test_a_column_the_user_widened_gives_way_to_a_narrow_window_and_comes_back(
    qtbot: QtBot, session: Session, program_font: None, shots: Path, lang: str
) -> None:
    """The title dragged wider at 1366 px stayed that wide at 800: what changed went down to
    28 px and the history scrolled sideways by 200 px. The user's width is kept while it
    fits; narrower, the title gives way (what changed keeps its count whole), and the user's
    width is back when the window is wide again. The date alike."""
    tab = _history(qtbot, session, lang)
    tree, header = tab.tree, tab.tree.header()
    window = tab.window()
    assert isinstance(window, MainWindow)
    window.resize(1366, 700)
    _laid_out(window)
    fitted_date = header.sectionSize(0)
    _drag_border(qtbot, tab, 1, 80)
    _laid_out(window)
    title = header.sectionSize(1)
    changes_least = header.sectionSizeFromContents(2).width()
    assert tree.horizontalScrollBar().maximum() == 0 and header.sectionSize(2) >= changes_least
    window.grab().save(str(shots / f"visit-history-user-title-1366-{lang}.png"))

    for width in (1100, 1024, 800):
        window.resize(width, 700)
        _laid_out(window)
        assert tree.horizontalScrollBar().maximum() == 0, width
        assert header.length() <= tree.viewport().width(), width
        assert header.sectionSize(2) >= changes_least, width
        assert header.sectionSize(1) < title, width
        assert header.sectionSize(0) == fitted_date, width
    window.grab().save(str(shots / f"visit-history-user-title-800-{lang}.png"))
    window.resize(1366, 700)
    _laid_out(window)
    assert header.sectionSize(1) == title  # the user's again

    # The date dragged wider (beside a title made narrower again, both fitting): the same
    # at 800 px, not narrower than its text.
    _drag_border(qtbot, tab, 1, -80)
    _drag_border(qtbot, tab, 0, 60)
    _laid_out(window)
    date, title = header.sectionSize(0), header.sectionSize(1)
    assert date >= fitted_date + 50 and tree.horizontalScrollBar().maximum() == 0
    window.resize(800, 700)
    _laid_out(window)
    assert tree.horizontalScrollBar().maximum() == 0
    assert fitted_date <= header.sectionSize(0) < date
    assert header.sectionSize(2) >= changes_least
    window.resize(1366, 700)
    _laid_out(window)
    assert (header.sectionSize(0), header.sectionSize(1)) == (date, title)


def test_a_mouse_button_held_elsewhere_does_not_make_the_columns_the_users(
    qtbot: QtBot, session: Session, program_font: None
) -> None:
    """A mouse button down anywhere (the window's border dragged, a click not let go of yet,
    or left so by a test before) took the widths Qt sets as the history's columns are added
    for widths the user gave: the date stayed at Qt's 100 px, "6 dec. 2026, 17:06" cut off."""
    from PySide6.QtTest import QTest

    set_language("ro")
    person = _person(session)
    visits.finish_visit(session.store, session.user, person.id, "life_situation", CHECK_ANSWERS)
    elsewhere = QLineEdit()
    qtbot.addWidget(elsewhere)
    elsewhere.show()
    QTest.mousePress(elsewhere, Qt.MouseButton.LeftButton)  # and not let go
    try:
        window, feature = _window(qtbot, session)
        window.resize(1100, 700)
        assert QApplication.mouseButtons() & Qt.MouseButton.LeftButton
        window.show_person(person.id)
        tree = feature.tab.tree
        qtbot.waitUntil(lambda: tree.isVisible() and tree.topLevelItemCount() == 1)
        _laid_out(window)
        assert tree.user_widths == {}
        top = tree.topLevelItem(0)
        assert top is not None
        assert tree.header().sectionSize(0) >= tree.sizeHintForColumn(0)
    finally:
        QTest.mouseRelease(elsewhere, Qt.MouseButton.LeftButton)
        set_language("en")
