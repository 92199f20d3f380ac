"""The reports dashboard as a coordinator uses it: menu entry, figures, charts, cases, exports."""

from __future__ import annotations

import datetime as dt
import io
import os
from collections.abc import Iterator
from contextlib import contextmanager
from functools import partial
from pathlib import Path

import pytest
from openpyxl import load_workbook
from pypdf import PdfReader
from PySide6.QtCharts import (
    QBarCategoryAxis,
    QChartView,
    QHorizontalStackedBarSeries,
    QLineSeries,
    QScatterSeries,
    QValueAxis,
    QXYSeries,
)
from PySide6.QtCore import QDate, QRectF, Qt
from PySide6.QtGui import QImage
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QDateEdit, QFileSystemModel, QGraphicsTextItem, QTableWidget
from pytestqt.qtbot import QtBot

from desktop_app.domain.person import PersonDraft
from desktop_app.domain.users import Role
from desktop_app.i18n.formatting import format_number
from desktop_app.i18n.text import set_language
from desktop_app.reports.pdf import render_pdf
from desktop_app.ui import reports as ui
from desktop_app.ui.main_window import MainWindow
from desktop_app.usecases import accounts, audit, visits
from desktop_app.usecases.accounts import Session
from desktop_app.usecases.people import register_many, register_person
from desktop_app.usecases.report_demo import add_demo_activity
from desktop_app.usecases.reports import (
    ALSO_HIDDEN,
    DEFAULT_THRESHOLD,
    TOPICS_NOTE,
    Case,
    Report,
    ReportFilter,
    Row,
    Table,
    build_report,
    month_period,
    parse_period,
    suppressed_cells,
)
from tests.integration.sync_harness import Laptops
from tests.ui.conftest import answer_save_dialog, cell, message_box_shown, save_dialog_shown
from tests.unit.test_visits import full_life_situation

SHOTS = os.environ.get("WELCOME_DESK_SHOTS")


@pytest.fixture
def busy(session: Session) -> Session:
    """A store with 60 people and a year of their generated visits up to today."""
    drafts = [
        PersonDraft(f"Name{i}", f"Family{i}", "1980", nationality=("BG", "RO", "PL")[i % 3])
        for i in range(60)
    ]
    register_many(session.store, session.user, drafts)
    add_demo_activity(session.store, session.user.id, seed=5)
    return session


def _dashboard(qtbot: QtBot, session: Session) -> tuple[MainWindow, ui.ReportsWindow]:
    window = MainWindow(session)
    qtbot.addWidget(window)
    actions = [a for a in window.file_menu.actions() if a.text() == "Rep&orts…"]
    assert len(actions) == 1
    actions[0].trigger()
    dashboards = window.findChildren(ui.ReportsWindow)
    assert len(dashboards) == 1
    dashboard = dashboards[0]
    qtbot.waitUntil(lambda: dashboard.report is not None, timeout=20_000)
    return window, dashboard


@contextmanager
def _dashboard_in(qtbot: QtBot, session: Session, lang: str) -> Iterator[ui.ReportsWindow]:
    """A reports window made in ``lang`` (not shown, nothing computed yet); English after."""
    set_language(lang)
    try:
        window = MainWindow(session)
        qtbot.addWidget(window)
        yield ui.ReportsWindow(session, window.tasks, window)
    finally:
        set_language("en")


def test_dashboard_shows_every_figure_with_chart_and_table(
    qtbot: QtBot, busy: Session, tmp_path: Path
) -> None:
    _window, dashboard = _dashboard(qtbot, busy)
    report = dashboard.report
    assert report is not None
    last = dt.date.today().replace(day=1) - dt.timedelta(days=1)
    assert report.period == month_period(last.year, last.month)
    expected = build_report(busy.store, busy.user, report.period)
    overview = dashboard.findChild(QTableWidget, "table-overview")
    assert overview is not None
    shown = format_number(expected.table("overview").value("people_advised"), "en")
    assert cell(overview, 0, 1).text() == shown
    for key in ("trend", "topics", "referrals", "district"):
        chart = dashboard.findChild(QChartView, f"chart-{key}")
        assert chart is not None, key
    # a chart rendered offscreen, saved as PNG and read back
    chart = dashboard.findChild(QChartView, "chart-trend")
    assert chart is not None
    path = tmp_path / "trend.png"
    assert chart.grab().save(str(path))
    image = QImage(str(path))
    assert image.width() >= chart.minimumWidth() and not image.isNull()
    colours = {
        image.pixel(x, y) for x in range(0, image.width(), 7) for y in range(0, image.height(), 7)
    }
    assert len(colours) > 3  # lines and labels, not a blank picture


def test_switching_to_a_year_and_exporting(qtbot: QtBot, busy: Session, tmp_path: Path) -> None:
    _window, dashboard = _dashboard(qtbot, busy)
    dashboard.kind.setCurrentIndex(dashboard.kind.findData("year"))
    dashboard.year.setValue(dt.date.today().year)
    first = dashboard.report
    dashboard.show_button.click()
    qtbot.waitUntil(lambda: dashboard.report is not first, timeout=20_000)
    assert dashboard.report is not None and dashboard.report.period.kind == "year"
    out = tmp_path / "year.xlsx"
    dashboard.export_buttons[1].click()
    answer_save_dialog(qtbot, out)
    qtbot.waitUntil(out.exists, timeout=20_000)
    qtbot.waitUntil(lambda: "year.xlsx" in dashboard.status.text(), timeout=20_000)
    wb = load_workbook(out)
    assert len(wb.sheetnames) == len(dashboard.report.tables)


def test_clicking_a_figure_lists_the_people_behind_it(qtbot: QtBot, busy: Session) -> None:
    _window, dashboard = _dashboard(qtbot, busy)
    overview = dashboard.findChild(QTableWidget, "table-overview")
    assert overview is not None
    overview.cellClicked.emit(0, 0)  # people advised
    qtbot.waitUntil(lambda: dashboard.cases is not None, timeout=20_000)
    cases = dashboard.cases
    assert cases is not None and cases.isVisible()
    shown = [cases.list.item(i).text() for i in range(cases.list.count())]
    assert dashboard.report is not None
    assert len(shown) == dashboard.report.table("overview").value("people_advised")
    assert all(name.startswith("Name") for name in shown)
    cases.reject()


def test_a_person_behind_a_figure_opens_on_the_main_windows_page(
    qtbot: QtBot, busy: Session
) -> None:
    """The names behind a figure were a list to read and nothing more: to look at one of the
    people, the coordinator closed the reports and searched for the name (which two people
    may share). Enter on a name (or "Open person") shows that person's page, and the view is
    logged as any other."""
    window, dashboard = _dashboard(qtbot, busy)
    window.show()
    qtbot.waitExposed(window)
    overview = dashboard.findChild(QTableWidget, "table-overview")
    assert overview is not None
    overview.cellClicked.emit(0, 0)  # people advised
    qtbot.waitUntil(lambda: dashboard.cases is not None, timeout=20_000)
    cases = dashboard.cases
    assert cases is not None
    qtbot.waitExposed(cases)
    assert cases.open_button.isVisible()
    assert cases.open_button.text() == "&Open person"
    cases.list.setCurrentRow(1)
    chosen = cases.cases[1]
    qtbot.keyClick(cases.list, Qt.Key.Key_Return)
    assert not cases.isVisible()
    page_person = window.person_page.person
    assert page_person is not None
    assert page_person.id == chosen.person_id
    assert f"{page_person.given_name} {page_person.family_name}" in chosen.name
    window.wait_for_background()
    views = audit.list_entries(busy.store, busy.user, action="view")
    assert any(e.record_kind == "person" and e.record_id == chosen.person_id for e in views)


def test_a_figure_of_visits_or_referrals_says_it_lists_no_people(
    qtbot: QtBot, busy: Session
) -> None:
    """Clicking "Visits" or "Referrals" said "quick contacts are anonymous": these figures
    count no people one by one; quick contacts alone are anonymous."""
    _window, dashboard = _dashboard(qtbot, busy)
    shown: list[tuple[int, str]] = []
    assert dashboard.report is not None
    keys = [row.key for row in dashboard.report.table("overview").rows]
    overview = dashboard.findChild(QTableWidget, "table-overview")
    assert overview is not None
    for key in ("visits", "referrals", "quick_contacts"):
        before = dashboard.cases

        def listed(before: ui.CasesDialog | None = before) -> bool:
            return dashboard.cases is not before

        overview.cellClicked.emit(keys.index(key), 0)
        qtbot.waitUntil(listed, timeout=20_000)
        cases = dashboard.cases
        assert cases is not None and cases.isVisible() and not cases.list.isVisible()
        shown.append((cases.list.count(), cases.empty.text()))
        cases.reject()
    not_people = "This figure counts visits, referrals, households or children, not people"
    assert [count for count, _text in shown] == [0, 0, 0]
    assert shown[0][1].startswith(not_people) and shown[1][1].startswith(not_people)
    assert shown[2][1] == "No people to list here: quick contacts are anonymous."


def test_a_list_of_people_a_sync_emptied_does_not_call_them_anonymous(qtbot: QtBot) -> None:
    """An empty list of people said "quick contacts are anonymous" whatever it listed: after
    a sync erased the people of "People advised", too."""
    cases = ui.CasesDialog("People advised", [Case("p1", "Ioana Popa")])
    qtbot.addWidget(cases)
    cases.show()
    assert cases.list.isVisible() and not cases.empty.isVisible()
    cases.show_cases([])
    assert not cases.list.isVisible() and cases.empty.isVisible()
    assert cases.empty.text() == "No people are counted in this figure now."


@pytest.mark.parametrize("role", [Role.HELPER, Role.ADVISOR])
def test_the_reports_entry_is_offered_to_coordinators_only(
    qtbot: QtBot, session: Session, role: Role
) -> None:
    accounts.add_user(session, "mihai", "Mihai", role, "their pass 123")
    other = accounts.log_in(session.store.paths.data_dir, "mihai", "their pass 123")
    try:
        window = MainWindow(other)
        qtbot.addWidget(window)
        assert [a for a in window.file_menu.actions() if a.text() == "Rep&orts…"] == []
        coordinator = MainWindow(session)
        qtbot.addWidget(coordinator)
        assert [a.text() for a in coordinator.file_menu.actions()].count("Rep&orts…") == 1
    finally:
        other.close()


def test_a_figures_table_keeps_room_for_its_row_texts_and_groups_thousands(
    qtbot: QtBot,
) -> None:
    """Wide count headers (Bulgarian "Консултирани лица") squeezed the months beside them to
    "…" at the table's smallest size; counts show their thousands as the language writes them."""
    headers = ("Consultation of people with a very long heading",) * 4
    rows = tuple(Row(f"2026-{m:02d}", (1390 + m, 7, 12, 1024)) for m in range(1, 13))
    trend = Table("trend", "Trend", headers, rows, chart="line")
    widget = ui.table_widget(trend, "de")
    qtbot.addWidget(widget)
    widget.resize(widget.minimumSize())
    widget.show()
    qtbot.waitExposed(widget)
    longest = max(widget.fontMetrics().horizontalAdvance(trend.label(r.key, "de")) for r in rows)
    # A layout never gives the table less than its minimum: room for the longest row text
    # beside the count columns at their size.
    counts = sum(widget.columnWidth(j) for j in range(1, 5))
    assert widget.minimumWidth() >= longest + counts
    assert widget.columnWidth(0) >= longest
    assert cell(widget, 0, 1).text() == "1.391" and cell(widget, 0, 4).text() == "1.024"


def test_a_long_figures_table_shows_560_px_at_least_and_scrolls_below_that(
    qtbot: QtBot,
) -> None:
    """As tall as its rows where the window has room; a very long one may be given less and
    scrolls."""
    rows = tuple(
        Row(f"{year}-{month:02d}", (month,))
        for year in (2024, 2025, 2026)
        for month in range(1, 13)
    )
    table = Table("trend", "Trend", ("Referrals",), rows, chart="line")
    widget = ui.table_widget(table, "en")
    qtbot.addWidget(widget)
    widget.show()
    qtbot.waitExposed(widget)
    wanted = sum(widget.rowHeight(row) for row in range(widget.rowCount()))
    assert widget.minimumHeight() == 560 < wanted <= widget.maximumHeight()


def test_the_trends_month_not_over_yet_is_marked_on_screen(qtbot: QtBot) -> None:
    """The chart stars the month and names it in its title; months to come are not drawn (a
    line falling to 0 looks like a drop); the table says "so far"."""
    headers = ("People advised", "Visits")
    rows = tuple(Row(f"2026-{m:02d}", (40 + m, 60 + m)) for m in range(1, 13))
    unfinished = {"2026-06": "so_far", **{f"2026-{m:02d}": "not_yet" for m in range(7, 13)}}
    trend = Table("trend", "Trend", headers, rows, chart="line", unfinished=unfinished)
    view = ui.chart_view(trend, "en")
    qtbot.addWidget(view)
    chart = view.chart()
    (axis_x,) = chart.axes(Qt.Orientation.Horizontal)
    assert isinstance(axis_x, QBarCategoryAxis)
    assert axis_x.categories()[5] == "06/26*" and axis_x.categories()[4] == "05/26"
    assert chart.title() == "* Jun 2026: counted so far, the month is not over yet"
    for series in chart.series():  # nothing after June
        assert isinstance(series, QXYSeries)
        assert all(point.x() <= 5 for point in series.points()), series.name()
    table = ui.table_widget(trend, "en")
    qtbot.addWidget(table)
    texts = [item.text() if (item := table.item(i, 0)) else "" for i in range(12)]
    assert texts[4:7] == ["May 2026", "Jun 2026 (so far)", "Jul 2026 (not yet)"]


def _xy(series: QXYSeries) -> list[tuple[int, int]]:
    return [(round(p.x()), round(p.y())) for p in series.points()]


def test_the_trends_month_not_over_yet_is_a_dashed_step_to_a_ring_as_in_the_pdf(
    qtbot: QtBot,
) -> None:
    """The PDF draws the month not over yet as a dashed segment to a hollow point, named in
    the legend; the screen drew it as the line's next point, a fall that read as a drop."""
    headers = ("People advised", "Visits")
    rows = tuple(Row(f"2026-{m:02d}", (40 + m, 60 + m)) for m in range(1, 13))
    unfinished = {"2026-06": "so_far", **{f"2026-{m:02d}": "not_yet" for m in range(7, 13)}}
    trend = Table("trend", "Trend", headers, rows, chart="line", unfinished=unfinished)
    people, visits = ui.trend_lines(trend)
    assert people.runs == (tuple((k, 41 + k) for k in range(5)),)  # January to May, solid
    assert people.so_far == ((4, 45), (5, 46)) and visits.so_far == ((4, 65), (5, 66))
    assert people.hidden == ()
    view = ui.chart_view(trend, "en")
    qtbot.addWidget(view)
    view.show()
    qtbot.waitExposed(view)
    chart = view.chart()
    dashed = [
        s
        for s in chart.series()
        if isinstance(s, QLineSeries) and s.pen().style() == Qt.PenStyle.DashLine
    ]
    assert [_xy(s) for s in dashed] == [[(4, 45), (5, 46)], [(4, 65), (5, 66)]]
    rings = [s for s in chart.series() if isinstance(s, QScatterSeries)]
    assert [_xy(s) for s in rings] == [[(5, 46)], [(5, 66)]]
    # short in the legend (it cuts what does not fit its share of one row), whole above
    named = [m.label() for m in chart.legend().markers() if m.isVisible()]
    assert named == ["People advised", "* so far", "Visits"]
    assert chart.title() == "* Jun 2026: counted so far, the month is not over yet"


def test_the_charts_hide_the_counts_the_export_hides_and_mark_them(qtbot: QtBot) -> None:
    """Stacked bars as in the PDF: a hidden count ("< 5", or "×" where it would give a small
    one away) draws no segment but a mark after the bar in its colour; the trend breaks at a
    hidden month and marks it hollow at the threshold's height. The decisions are the
    export's (``suppressed_cells``)."""
    columns = ("Referrals", "Attended", "Not attended", "Pending")
    referrals = Table(
        "referrals",
        "Referrals",
        columns,
        (Row("jobcenter", (40, 30, 7, 3)), Row("familienkasse", (20, 12, 8, 0))),
        chart="stacked",
    )
    cells = suppressed_cells(referrals)
    jobcenter, familienkasse = ui.bar_rows(referrals, "en")
    assert cells[0][1:] == ["30", ALSO_HIDDEN, "< 5"]  # 7 gives the 3 away: hidden too
    assert jobcenter.values == (30, 0, 0)
    assert jobcenter.marks == ((1, ALSO_HIDDEN), (2, "< 5"))
    assert familienkasse.marks == tuple(
        (i, c) for i, c in enumerate(cells[1][1:]) if not c.isdigit()
    )
    view = ui.chart_view(referrals, "en")
    qtbot.addWidget(view)
    view.resize(700, 300)
    view.show()
    qtbot.waitExposed(view)
    (series,) = view.chart().series()
    assert isinstance(series, QHorizontalStackedBarSeries)
    sets = series.barSets()  # rows bottom up: Familienkasse, Jobcenter
    assert [s.at(1) for s in sets] == [30, 0, 0]
    marks = view.chart().findChild(ui.BarMarks)
    assert marks is not None
    [(item, at)] = [(i, p) for i, p in marks.items if p.y() == 1]
    assert item.toPlainText() == f"■ {ALSO_HIDDEN}  ■ < 5"
    assert at.x() == 30  # after the bar's end

    trend = Table(
        "trend",
        "Trend",
        ("People advised",),
        tuple(Row(f"2026-{m:02d}", (v,)) for m, v in ((1, 12), (2, 3), (3, 14), (4, 15))),
        chart="line",
    )
    (line,) = ui.trend_lines(trend)
    assert line.runs == (((0, 12),), ((2, 14), (3, 15)))
    assert line.hidden == (1,)
    trend_view = ui.chart_view(trend, "en")
    qtbot.addWidget(trend_view)
    (hollow,) = [s for s in trend_view.chart().series() if isinstance(s, QScatterSeries)]
    assert _xy(hollow) == [(1, DEFAULT_THRESHOLD)]
    assert hollow.name() == "&lt; 5"  # legend labels are HTML
    assert trend_view.chart().title() == "&lt; 5: fewer than 5 (not shown exactly)"


@pytest.mark.parametrize("lang", ["en", "bg"])
def test_each_filter_is_named_and_reached_by_its_labels_key(
    qtbot: QtBot, session: Session, lang: str
) -> None:
    """The period's and the filters' boxes had no labels: a screen reader said "combo box",
    the keyboard reached them by Tab only. Each label's Alt+letter moves to its box."""
    with _dashboard_in(qtbot, session, lang) as dashboard:
        dashboard.show()
        dashboard.kind.setCurrentIndex(dashboard.kind.findData("custom"))
        dashboard.activateWindow()
        qtbot.waitUntil(dashboard.isActiveWindow, timeout=5000)
        pairs = [
            (dashboard.period_label, dashboard.kind),
            (dashboard.from_label, dashboard.start),
            (dashboard.to_label, dashboard.end),
            (dashboard.device_label, dashboard.device),
            (dashboard.advisor_label, dashboard.advisor),
        ]
        for label, box in pairs:
            assert label.buddy() is box and label.isVisible()
            assert box.accessibleName() == label.text().replace("&", "")
            text = label.text()
            key = text[text.index("&") + 1]
            QTest.keyClick(dashboard, Qt.Key(ord(key.upper())), Qt.KeyboardModifier.AltModifier)
            qtbot.waitUntil(box.hasFocus, timeout=5000)


_HOW_TO_LIST = {
    "en": "Click a row, or choose it and press Enter, to list the people counted in it.",
    "de": "Klicken Sie auf eine Zeile oder wählen Sie sie aus und drücken Sie die Eingabetaste, "
    "um die darin gezählten Personen aufzulisten.",
    "bg": "Щракнете върху ред или го изберете и натиснете Enter, за да видите преброените в него "
    "лица.",
    "ro": "Faceți clic pe un rând sau selectați-l și apăsați Enter pentru a vedea persoanele "
    "numărate în el.",
}


@pytest.mark.parametrize("lang", sorted(_HOW_TO_LIST))
def test_the_status_line_says_a_figures_people_are_listed_by_a_click_or_by_enter(
    qtbot: QtBot, session: Session, lang: str
) -> None:
    """Enter on a row lists the people behind a figure as a click does, but the status line
    said "Click a row…" only: a keyboard user was not told of the key."""
    with _dashboard_in(qtbot, session, lang) as dashboard:
        dashboard.refresh()
        qtbot.waitUntil(lambda: dashboard.report is not None, timeout=20_000)
        assert dashboard.status.text().endswith(" · " + _HOW_TO_LIST[lang])


def test_a_custom_periods_dates_are_typed_as_everywhere_else(
    qtbot: QtBot, session: Session
) -> None:
    """The custom period alone took "2026-01-01"; every other date field (the audit log's
    period, appointments, follow-ups, the person's date of birth) takes "01.01.2026"."""
    from desktop_app.ui.audit import AuditWindow

    _window, dashboard = _dashboard(qtbot, session)
    dashboard.kind.setCurrentIndex(dashboard.kind.findData("custom"))
    audit_window = AuditWindow(session)
    qtbot.addWidget(audit_window)
    (audit_from, *_rest) = audit_window.findChildren(QDateEdit)
    for edit in (dashboard.start, dashboard.end):
        assert edit.displayFormat() == audit_from.displayFormat() == "dd.MM.yyyy"
    dashboard.start.setDate(QDate(2026, 3, 1))
    assert dashboard.start.text() == "01.03.2026"


def _drawn_more_than(view: QChartView, count: int) -> bool:
    return len(_axis_labels(view)) > count


def _axis_labels(view: QChartView) -> list[str]:
    """The texts the chart draws (axis labels, titles, legend), as shown."""
    return [item.toPlainText() for item in _text_items(view)]


def _text_items(view: QChartView) -> list[QGraphicsTextItem]:
    """The chart's shown, non-empty text items (axis labels, titles, legend, marks)."""
    items = list(view.chart().childItems())
    texts = []
    while items:
        item = items.pop()
        items.extend(item.childItems())
        if isinstance(item, QGraphicsTextItem) and item.isVisible() and item.toPlainText():
            texts.append(item)
    return texts


@pytest.mark.parametrize(
    ("lang", "count", "axis"),
    [("de", "1.396", "1.000"), ("bg", "1396", "1000"), ("en", "1,396", "1,000")],
)
def test_a_figures_table_and_its_charts_axis_group_thousands_in_the_language(
    qtbot: QtBot, lang: str, count: str, axis: str
) -> None:
    """The table beside a chart writes 1.396 in German; the chart's axis said "1000". Both in
    the report's language now (Bulgarian, by CLDR's least grouping: four digits whole in the
    table as on the axis, five grouped)."""
    rows = (Row("housing", (1396,)), Row("health_insurance", (1203,)), Row("work", (12,)))
    table = Table("topics", "Topics", ("People",), rows)
    widget = ui.table_widget(table, lang)
    qtbot.addWidget(widget)
    assert cell(widget, 0, 1).text() == count and cell(widget, 2, 1).text() == "12"
    view = ui.chart_view(table, lang)
    qtbot.addWidget(view)
    view.resize(700, 300)
    view.show()
    qtbot.waitExposed(view)
    assert axis in _axis_labels(view)


def test_a_chart_whose_counts_are_all_hidden_labels_its_ticks_with_whole_counts(
    qtbot: QtBot,
) -> None:
    """German levels, each below 5 and hidden: the axis ran 0 to 1 in five ticks, every one
    labelled as a whole count ("0 0 0 0 1")."""
    levels = Table(
        "german_levels",
        "German level",
        ("Skills checks",),
        (Row("A1", (1,)), Row("A2", (3,)), Row("B1", (2,))),
    )
    view = ui.chart_view(levels, "ro")
    qtbot.addWidget(view)
    view.resize(700, 300)
    view.show()
    qtbot.waitExposed(view)
    (axis,) = view.chart().axes(Qt.Orientation.Horizontal)
    assert isinstance(axis, QValueAxis)
    step = (axis.max() - axis.min()) / (axis.tickCount() - 1)
    assert step >= 1 and step == int(step), (axis.min(), axis.max(), axis.tickCount())


def test_bulgarian_counts_are_grouped_alike_in_the_table_the_chart_and_the_pdf(
    qtbot: QtBot,
) -> None:
    """Bulgarian writes four digits whole and groups five (CLDR's least grouping, which Qt
    follows). The table and the PDF (Babel) wrote "1 396" while the chart's axis (Qt) wrote
    "1500"; all three agree now."""
    rows = (Row("housing", (23456,)), Row("health_insurance", (1396,)), Row("work", (12,)))
    table = Table("topics", "Topics", ("People",), rows)
    widget = ui.table_widget(table, "bg")
    qtbot.addWidget(widget)
    assert [cell(widget, r, 1).text() for r in range(3)] == ["23\u00a0456", "1396", "12"]
    view = ui.chart_view(table, "bg")
    qtbot.addWidget(view)
    view.resize(700, 300)
    view.show()
    qtbot.waitExposed(view)
    # as drawn (QGraphicsTextItem's plain text has a space for the no-break one)
    axis = [t for t in _axis_labels(view) if t.replace(" ", "").isdigit()]
    assert "10 000" in axis, axis
    assert axis == [
        format_number(int(t.replace(" ", "")), "bg").replace("\u00a0", " ") for t in axis
    ]
    report = Report(parse_period("2026-10"), ReportFilter(), dt.date(2026, 11, 2), (table,))
    pages = PdfReader(io.BytesIO(render_pdf(report, "bg"))).pages
    text = "\n".join(p.extract_text() or "" for p in pages)
    lines = [line.strip() for line in text.splitlines()]
    # the embedded font's subset maps the no-break space to a space
    assert "23 456" in lines and "1396" in lines and "1 396" not in text, lines
    assert "10 000" in lines and "5000" in lines, lines  # the PDF chart's axis, as the screen's


@pytest.mark.parametrize(("lang", "width"), [("bg", 1100), ("ro", 1100), ("bg", 1366)])
def test_a_bar_charts_category_names_are_shown_whole(
    qtbot: QtBot, busy: Session, program_font: None, lang: str, width: int
) -> None:
    """The insurance chart's axis cut "задължително осигурен/а в…" while the table below named
    it in full: a long name wraps onto a second line instead (every bar chart's names)."""
    with _dashboard_in(qtbot, busy, lang) as dashboard:
        report = _shown_report(qtbot, dashboard, width, 700)
        bars = [t.key for t in report.tables if t.key != "overview" and t.chart != "line"]
        assert "insurance" in bars and "topics" in bars
        for key in bars:
            view = dashboard.findChild(QChartView, f"chart-{key}")
            if view is None:
                continue  # a figure without rows
            names = [report.table(key).label(r.key, lang) for r in report.table(key).rows]
            qtbot.waitUntil(partial(_drawn_more_than, view, len(names)))  # laid out
            shown = [" ".join(t.split()) for t in _axis_labels(view)]
            if SHOTS:
                view.grab().save(str(Path(SHOTS) / f"report-{key}-{lang}-{width}.png"))
            missing = [name for name in names if " ".join(name.split()) not in shown]
            assert missing == [], (missing, shown)


@pytest.mark.parametrize("lang", ["de", "bg"])
def test_a_bar_charts_names_are_drawn_within_the_chart_beside_a_wide_table(
    qtbot: QtBot, busy: Session, program_font: None, lang: str
) -> None:
    """At 1366 px the referrals' chart got 561 px beside its wide table; Qt gives the names
    at most 0.4 of that and drew "Faire Mobilität – Beratungsstelle Dortmund" and "Zentrale
    Beratungsstelle Wohnungslosenhilfe" past the chart's left edge, their first letters cut."""
    with _dashboard_in(qtbot, busy, lang) as dashboard:
        report = _shown_report(qtbot, dashboard, 1366, 768)
        for table in report.tables:
            view = dashboard.findChild(QChartView, f"chart-{table.key}")
            if view is None or table.chart == "line":
                continue
            qtbot.waitUntil(partial(_drawn_more_than, view, len(table.rows)))  # laid out
            cut = [
                (table.key, text, round(box.left()), round(box.right()))
                for text, box in _text_boxes(view)
                if box.left() < 0 or box.right() > view.width()
            ]
            assert cut == [], cut


def _shown_report(qtbot: QtBot, dashboard: ui.ReportsWindow, width: int, height: int) -> Report:
    """The dashboard shown at ``width`` × ``height``, its report computed and laid out."""
    qtbot.addWidget(dashboard)
    dashboard.resize(width, height)
    dashboard.show()
    dashboard.refresh()
    qtbot.waitUntil(lambda: dashboard.report is not None, timeout=20_000)
    qtbot.waitExposed(dashboard)
    report = dashboard.report
    assert report is not None
    return report


def _text_boxes(view: QChartView) -> list[tuple[str, QRectF]]:
    """The texts the chart draws, each with where it is drawn in the view."""
    return [
        (item.toPlainText(), view.mapFromScene(item.sceneBoundingRect()).boundingRect().toRectF())
        for item in _text_items(view)
    ]


def test_each_overview_figure_says_what_it_counts(qtbot: QtBot, busy: Session) -> None:
    """ "Beratene Personen", "Erstmals beratene Personen", "Besuche" side by side, and nothing
    said which visits or whom they count: each row of the overview says it (its tooltip, and
    to a screen reader), in the language of the window."""
    with _dashboard_in(qtbot, busy, "de") as dashboard:
        qtbot.addWidget(dashboard)
        dashboard.refresh()
        qtbot.waitUntil(lambda: dashboard.report is not None, timeout=20_000)
        grid = dashboard.findChild(QTableWidget, "table-overview")
        assert grid is not None
        said = {
            cell(grid, r, 0).text(): (
                cell(grid, r, 0).toolTip(),
                cell(grid, r, 0).data(Qt.ItemDataRole.AccessibleDescriptionRole),
            )
            for r in range(grid.rowCount())
        }
        meaning = (
            "Von den beratenen Personen diejenigen, deren allererster Besuch im Zeitraum liegt."
        )
        # (A figure under 5 in the period, as early in a month, adds a line on how exports
        # show it: the meaning comes first either way.)
        tip, description = said["Erstmals beratene Personen"]
        assert tip.splitlines()[0] == description.splitlines()[0] == meaning
        assert [text for text, (tip, _desc) in said.items() if not tip] == []


def test_the_laptop_filter_names_the_laptops_as_they_joined(
    qtbot: QtBot, laptops: Laptops, shots: Path
) -> None:
    """The dashboard's laptop filter offered the first 8 characters of each laptop's store id
    ("3f9a0c1e"): nothing a coordinator could tell the contact point's laptop by. It names
    them as they joined the organisation, and an advisor of another laptop as the audit log
    does: by the role their log entries carry and that laptop (never a name: accounts do not
    sync)."""
    a = laptops.new("Koordination Innenstadt", coordinator=True)
    b = laptops.new("Kontaktstelle Nord")
    accounts.add_user(b, "elena", "Elena Vasileva", Role.ADVISOR, "role pass 123")
    elena = accounts.log_in(b.store.paths.data_dir, "elena", "role pass 123")
    laptops.sessions.append(elena)  # closed with the laptops
    for session, name in ((a, "Maria"), (elena, "Ioana")):
        draft = PersonDraft(name, "Popa", "1980", nationality="RO")
        person = register_person(session.store, session.user, draft)
        visits.finish_visit(
            session.store, session.user, person.id, "life_situation", full_life_situation()
        )
    laptops.sync(a, b, a)
    window = MainWindow(a)
    qtbot.addWidget(window)
    dashboard = ui.ReportsWindow(a, window.tasks, window)
    qtbot.addWidget(dashboard)
    shown = [dashboard.device.itemText(i) for i in range(dashboard.device.count())]
    assert shown == ["All laptops", "Kontaktstelle Nord", "Koordination Innenstadt"]
    assert dashboard.device.itemData(1) == b.store.device_id
    # B's advisor has no account on A (accounts do not sync): their id, the role their log
    # entries carry and where they work.
    advisors = [dashboard.advisor.itemText(i) for i in range(dashboard.advisor.count())]
    assert advisors[0] == "All advisors"
    assert set(advisors[1:]) == {
        f"{elena.user.id[:8]} (Advisor, Kontaktstelle Nord)",
        "Koordination Innenstadt",
    }
    elsewhere = advisors.index(f"{elena.user.id[:8]} (Advisor, Kontaktstelle Nord)")
    assert dashboard.advisor.itemData(elsewhere) == elena.user.id
    assert not any("Elena" in text for text in advisors)
    dashboard.show()
    qtbot.waitExposed(dashboard)
    dashboard.advisor.setCurrentIndex(elsewhere)
    dashboard.grab().save(str(shots / "reports-advisor-elsewhere.png"))
    dashboard.close()


def test_a_laptop_that_has_not_joined_is_offered_as_this_laptop(
    qtbot: QtBot, busy: Session
) -> None:
    """Before joining no team record names the laptop: it is "This laptop", not its id."""
    _window, dashboard = _dashboard(qtbot, busy)
    own = dashboard.device.findData(busy.store.device_id)
    assert own > 0
    assert dashboard.device.itemText(own) == "This laptop"


def test_a_period_changed_but_not_shown_cannot_be_exported_as_if_it_were(
    qtbot: QtBot, busy: Session
) -> None:
    """The exports wrote the figures shown, whatever the period set above them: a coordinator
    who set "the whole year" and exported without "Show" sent last month's report on as the
    year's. Until "Show" the exports wait and the status line says why."""
    _window, dashboard = _dashboard(qtbot, busy)
    assert dashboard.report is not None
    month = dashboard.report.period
    assert all(button.isEnabled() for button in dashboard.export_buttons)
    dashboard.kind.setCurrentIndex(dashboard.kind.findData("year"))
    assert not any(button.isEnabled() for button in dashboard.export_buttons)
    assert dashboard.status.text() == (
        "The period or the filters were changed: click Show to compute their figures."
    )
    # back to the month shown: its figures may be exported again
    dashboard.kind.setCurrentIndex(dashboard.kind.findData("month"))
    dashboard.part.setCurrentIndex(dashboard.part.findData(month.start.month))
    dashboard.year.setValue(month.start.year)
    assert all(button.isEnabled() for button in dashboard.export_buttons)
    assert dashboard.status.text().endswith(
        "Click a row, or choose it and press Enter, to list the people counted in it."
    )
    dashboard.kind.setCurrentIndex(dashboard.kind.findData("year"))
    dashboard.show_button.click()
    qtbot.waitUntil(lambda: dashboard.report is not None and dashboard.report.period != month)
    assert dashboard.report is not None and dashboard.report.period == dashboard.period()
    assert all(button.isEnabled() for button in dashboard.export_buttons)


def test_a_report_that_cannot_be_saved_says_so_in_the_ui_language(
    qtbot: QtBot, busy: Session, tmp_path: Path
) -> None:
    """Saving where the report cannot be written said "Die Zahlen konnten nicht berechnet
    werden: [Errno 21] Is a directory: …": the wrong step, in the system's English."""
    _window, dashboard = _dashboard(qtbot, busy)
    set_language("de")
    target = tmp_path / "bericht.pdf"
    target.mkdir()  # a folder where the file was to be written
    dashboard.export("pdf")
    answer_save_dialog(qtbot, target)
    qtbot.waitUntil(lambda: str(target) in dashboard.status.text(), timeout=20_000)
    said = (
        f"Der Bericht konnte nicht als {target} gespeichert werden. Wo die Datei stehen soll, "
        "steht ein Ordner mit demselben Namen. Wählen Sie einen anderen Namen oder Ort."
    )
    assert dashboard.status.text() == said  # why, not every cause at once
    # and offered to save the same figures elsewhere, the default
    box = message_box_shown(qtbot)
    assert box.text() == said
    again = box.defaultButton()
    assert again is not None and again.text() == "Anderen &Ort wählen…"
    again.click()
    saved = tmp_path / "bericht-2.pdf"
    chooser = save_dialog_shown()
    assert chooser is not None
    # Its listing, read in the background, puts the name suggested (the folder's) back into the
    # name field once it is read: answered before, the dialog went into that folder.
    listed = chooser.findChild(QFileSystemModel)
    assert listed is not None
    qtbot.waitUntil(lambda: listed.rowCount(listed.index(str(tmp_path))) > 0, timeout=10_000)
    qtbot.wait(100)
    answer_save_dialog(qtbot, saved)
    # The file exists from its first byte on; the line says so once it is written whole.
    qtbot.waitUntil(
        lambda: dashboard.status.text() == f"Bericht gespeichert: {saved}", timeout=20_000
    )
    assert saved.stat().st_size > 0


@pytest.mark.parametrize("lang", ["de", "ro"])
def test_a_hidden_outcome_is_marked_and_explained_in_the_chart_and_the_tables_tooltips(
    qtbot: QtBot, session: Session, lang: str
) -> None:
    """The walk-through's Jobcenter (56 attended hidden as "×" beside 3 not attended): its
    bar showed the 66 pending and a small "×" after it that nothing explained, so it read as
    if nobody had attended. The chart says above it what "< 5" and "×" mean; the table's
    exact counts say in their tooltips what the exports show instead; so does the overview's
    figure the exports hide."""
    from tests.unit.test_reports import WALK_THROUGH, outcomes_store

    report = outcomes_store(session, WALK_THROUGH)
    table = report.table("referrals")
    set_language(lang)
    try:
        view = ui.chart_view(table, lang)
        grid = ui.table_widget(table, lang)
        overview = ui.table_widget(report.table("overview"), lang)
    finally:
        set_language("en")
    qtbot.addWidget(view)
    qtbot.addWidget(grid)
    qtbot.addWidget(overview)
    view.resize(view.minimumSize())
    view.show()
    qtbot.waitExposed(view)
    also = {
        "de": "×: verborgen, damit sich eine Anzahl unter 5 nicht aus einer Summe errechnen",
        "ro": "×: ascuns pentru ca un număr sub 5 să nu poată fi calculat dintr-un total",
    }[lang]
    small = {"de": "weniger als 5", "ro": "mai puțin de 5"}[lang]
    title = view.chart().title().replace("<br>", " ")
    assert f"&lt; 5: {small}" in title and also in title
    assert "\n" in view.chart().toolTip() and also in view.chart().toolTip().replace("\n", " ")
    # the marks after the Jobcenter's bar (66 pending, the only segment drawn)
    (series,) = view.chart().series()
    assert isinstance(series, QHorizontalStackedBarSeries)
    assert [s.at(1) for s in series.barSets()] == [0, 0, 66]  # rows bottom up: Jobcenter 2nd
    marks = view.chart().findChild(ui.BarMarks)
    assert marks is not None
    [(item, at)] = marks.items
    assert item.toPlainText() == f"■ {ALSO_HIDDEN}  ■ < 5" and at.x() == 66
    # the whole title in the chart, its lines within the view's width
    boxes = _text_boxes(view)
    assert all(box.right() <= view.width() for _text, box in boxes)
    # the table: exact counts, and the exports' marks in their tooltips
    assert [cell(grid, 0, j).text() for j in range(1, 5)] == ["125", "56", "3", "66"]
    exports = {"de": "Die Exporte zeigen hier „×“", "ro": "Exporturile arată aici „×”"}[lang]
    assert cell(grid, 0, 2).toolTip().startswith(exports)
    assert small in cell(grid, 0, 3).toolTip()
    assert cell(grid, 0, 4).toolTip() == "" and cell(grid, 1, 2).toolTip() == ""
    # the overview: one person advised, fewer than 5; its figure's meaning says so too
    keys = [r.key for r in report.table("overview").rows]
    advised = cell(overview, keys.index("people_advised"), 0).toolTip()
    assert "\n" in advised and small in advised.split("\n")[1]
    if SHOTS:
        view.grab().save(str(Path(SHOTS) / f"hidden-outcome-{lang}.png"))


def test_a_figure_with_nothing_to_count_says_so_as_the_pdf_does(
    qtbot: QtBot, session: Session
) -> None:
    """A month without skills checks showed the table's header alone over nothing, which
    read as figures that failed to load; the PDF said "No figures in this period." The
    dashboard says it too, and a figure with counts keeps its table."""
    from PySide6.QtWidgets import QGroupBox, QLabel

    _window, dashboard = _dashboard(qtbot, session)
    dashboard.show()
    qtbot.waitExposed(dashboard)
    report = dashboard.report
    assert report is not None
    (overview,) = dashboard.findChildren(QTableWidget, "table-overview")
    qtbot.waitUntil(overview.isVisible)  # the panels shown (Qt shows them queued)
    for table in report.tables:
        (grid,) = dashboard.findChildren(QTableWidget, f"table-{table.key}")
        panel = grid.parentWidget()
        assert isinstance(panel, QGroupBox)
        said = [label.text() for label in panel.findChildren(QLabel) if label.isVisible()]
        if table.rows:
            assert grid.isVisible() and "No figures in this period." not in said, table.key
        else:
            assert not grid.isVisible() and said == ["No figures in this period."], table.key
    assert not report.table("german_levels").rows  # an empty store: this one says so


def test_a_report_shown_again_leaves_no_old_table_behind_before_the_event_loop_runs(
    qtbot: QtBot, session: Session
) -> None:
    """The old period's panels were only queued for deletion: until the event loop ran,
    findChild met the old tables (the forms walk read an empty grid from the first
    report in a clean-clone run). They leave the window at once."""
    _window, dashboard = _dashboard(qtbot, session)
    report = dashboard.report
    assert report is not None
    for _again in range(2):
        dashboard.show_report(report)
        for table in report.tables:
            assert len(dashboard.findChildren(QTableWidget, f"table-{table.key}")) == 1


def test_the_topics_chart_says_its_rows_add_up_to_more_than_the_visits(qtbot: QtBot) -> None:
    """A visit naming three topics counts under each: the title over the chart says so, as
    the exports say it under the table (the rows summed to far more than the visits)."""
    rows = (Row("jobcenter", (340, 12)), Row("registration", (347, 3)), Row("work", (264, 9)))
    topics = Table(
        "topics",
        "Topics of the visits",
        ("Visits", "Quick contacts"),
        rows,
        chart="grouped",
        note=TOPICS_NOTE,
    )
    view = ui.chart_view(topics, "de")
    qtbot.addWidget(view)
    said = "Ein Besuch oder Kurzkontakt kann mehrere Themen nennen und zählt bei jedem"
    assert view.chart().toolTip().startswith(said)
    assert said.split()[0] in view.chart().title()
    assert "< 5:" in view.chart().toolTip()  # the hidden count's mark is still explained
