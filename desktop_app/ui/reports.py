"""Reports dashboard for coordinators: figures for a period as charts beside their tables.

Shown to every user for now; the security work (issue 6) will limit the menu entry and the
list of cases behind a figure to coordinators.
"""

from __future__ import annotations

import datetime as dt
import functools
import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from html import escape
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCharts import (
    QAbstractAxis,
    QAbstractBarSeries,
    QBarCategoryAxis,
    QBarSet,
    QChart,
    QChartView,
    QHorizontalBarSeries,
    QHorizontalStackedBarSeries,
    QLegend,
    QLineSeries,
    QScatterSeries,
    QValueAxis,
)
from PySide6.QtCore import QDate, QEvent, QLocale, QObject, QPointF, QRectF, Qt, QTimer
from PySide6.QtGui import QAction, QColor, QFont, QFontMetricsF, QKeyEvent, QPainter, QPen
from PySide6.QtWidgets import (
    QAbstractItemView,
    QBoxLayout,
    QComboBox,
    QDateEdit,
    QDialog,
    QDialogButtonBox,
    QGraphicsTextItem,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QListWidget,
    QMainWindow,
    QPushButton,
    QScrollArea,
    QSpinBox,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from desktop_app.domain.permissions import Action, allowed
from desktop_app.i18n.formatting import format_number
from desktop_app.i18n.messages import failure_message
from desktop_app.i18n.text import _, current_language, gettext_in
from desktop_app.reports.exports import export
from desktop_app.ui.accounts import staff_label
from desktop_app.ui.save_dialog import ask_save_path, save_failed
from desktop_app.ui.widgets import LAPTOP_WIDTH, tab_buttons_as_shown
from desktop_app.usecases import sync as sync_uc
from desktop_app.usecases.reports import (
    DEFAULT_THRESHOLD,
    EXPORTS_SHOW,
    Case,
    Period,
    Report,
    ReportFilter,
    Table,
    build_report,
    cases_behind,
    filter_choices,
    mark_meaning,
    mark_notes,
    month_period,
    parse_period,
    period_label,
    row_label,
    suppressed,
    suppressed_cells,
)

if TYPE_CHECKING:
    from desktop_app.ui.main_window import MainWindow
    from desktop_app.ui.tasks import TaskRunner
    from desktop_app.usecases.accounts import Session

COLORS = ("#2f6b9a", "#e0913a", "#5a9e5a", "#b8504b")
#: tables whose rows have people behind them (quick contacts are anonymous)
_WITH_CASES = {"overview", "nationality", "district", "topics", "ehic", "referrals"}


# ------------------------------------------------------------------------- what the charts draw
# The export's decisions, not the dashboard's own: which counts are hidden
# (``suppressed_cells``) and which month is not over (``Table.unfinished``). A coordinator
# sees on screen the chart the funders get; the exact counts stand in the table beside it.


@dataclass(frozen=True)
class BarRow:
    """One row of a bar chart: the counts drawn (0 where one is hidden) and the marks of the
    hidden ones ("< 5", "×") by series, set after the bar in their series' colour."""

    label: str
    values: tuple[int, ...]
    marks: tuple[tuple[int, str], ...]


def bar_rows(table: Table, lang: str, threshold: int = DEFAULT_THRESHOLD) -> list[BarRow]:
    """The rows of a bar chart as the PDF draws them (first row first)."""
    first = 1 if table.chart == "stacked" else 0
    count = 1 if table.chart == "bars" else len(table.columns) - first
    rows = []
    for row, cells in zip(table.rows, suppressed_cells(table, threshold), strict=True):
        drawn = cells[first : first + count]
        rows.append(
            BarRow(
                table.label(row.key, lang),
                tuple(int(c) if c.isdigit() else 0 for c in drawn),
                tuple((i, c) for i, c in enumerate(drawn) if not c.isdigit()),
            )
        )
    return rows


@dataclass(frozen=True)
class TrendLine:
    """One column of the trend over its months (indexes): solid runs of counts shown, the
    dashed step to the month not over yet (``so_far``, its last point ringed), and the months
    whose count is hidden (a hollow marker at the threshold's height, the line broken)."""

    runs: tuple[tuple[tuple[int, int], ...], ...]
    so_far: tuple[tuple[int, int], ...]
    hidden: tuple[int, ...]


def trend_lines(table: Table, threshold: int = DEFAULT_THRESHOLD) -> list[TrendLine]:
    """The trend's lines as the PDF draws them; months still to come are not drawn."""
    cells = suppressed_cells(table, threshold)
    states = [table.unfinished.get(r.key) for r in table.rows]
    lines = []
    for j in range(len(table.columns)):
        shown = [
            None if state == "not_yet" or not row[j].isdigit() else int(row[j])
            for row, state in zip(cells, states, strict=True)
        ]
        so_far: list[tuple[int, int]] = []
        for k, state in enumerate(states):
            value = shown[k]
            if state == "so_far" and value is not None:
                before = shown[k - 1] if k > 0 else None
                so_far = [(k - 1, before)] if before is not None else []
                so_far.append((k, value))
                shown[k] = None
        runs: list[list[tuple[int, int]]] = []
        for k, value in enumerate(shown):
            if value is None:
                continue
            if k == 0 or shown[k - 1] is None:
                runs.append([])
            runs[-1].append((k, value))
        hidden = tuple(
            k
            for k, (row, state) in enumerate(zip(cells, states, strict=True))
            if state != "not_yet" and not row[j].isdigit()
        )
        lines.append(TrendLine(tuple(tuple(r) for r in runs), tuple(so_far), hidden))
    return lines


def chart_view(table: Table, lang: str) -> QChartView:
    """The table's chart: lines over months, or horizontal bars (grouped or stacked)."""
    chart = QChart()
    chart.setAnimationOptions(QChart.AnimationOption.NoAnimation)
    chart.setBackgroundRoundness(0)
    chart.legend().setVisible(len(table.columns) > 1)
    chart.legend().setAlignment(Qt.AlignmentFlag.AlignBottom)
    chart.legend().setShowToolTips(True)  # the whole label of one cut for want of room
    # the axes' counts grouped in the report's language as the table beside them ("1.000",
    # not "1000"); Qt leaves a four-digit Bulgarian count whole ("1500": CLDR's least
    # grouping), as Bulgarian writes it and format_number does. The axes' format is "%.0d":
    # Qt localizes only a format with a precision, "%d" lost every label.
    chart.setLocalizeNumbers(True)
    chart.setLocale(QLocale(lang))
    row_height, width = 30.0, 560
    if table.chart == "line":
        _draw_trend(chart, table, lang)
    else:
        row_height, names_width = _draw_bars(chart, table, lang)
        marks = {mark for row in bar_rows(table, lang) for _i, mark in row.marks}
        _explain_marks(chart, table, lang, None, marks)
        # Qt gives the names' axis at most 0.4 of the chart's width (its layout's "golden
        # ratio") and draws a longer name past the chart's left edge: beside the referrals'
        # wide table the chart got 561 px, and "Faire Mobilität – Beratungsstelle Dortmund"
        # lost its first letters. Wide enough for its names, the panel puts the table below.
        width = max(width, math.ceil((names_width + NAMES_GAP) / AXIS_SHARE))
    view = QChartView(chart)
    view.setRenderHint(QPainter.RenderHint.Antialiasing)
    # A picture of the table beside it, nothing to do in it by keyboard: no stop for Tab (to a
    # screen reader it was a second thing called by the figure's title, the table the first).
    view.setFocusPolicy(Qt.FocusPolicy.NoFocus)
    # the marks' notes in the title take their lines' height from the plot
    notes = chart.title().count("<br>") + 1 if chart.title() else 0
    view.setMinimumSize(width, max(280, round(row_height * len(table.rows)) + 110 + 18 * notes))
    return view


def _draw_trend(chart: QChart, table: Table, lang: str) -> None:
    # dashed lines and rings in the legend as in the chart
    chart.legend().setMarkerShape(QLegend.MarkerShape.MarkerShapeFromSeries)
    axis_x = QBarCategoryAxis()
    # 10/26: fits 12; the month not over yet is starred and named in the chart's title
    so_far = [r.key for r in table.rows if table.unfinished.get(r.key) == "so_far"]
    axis_x.append(
        [f"{r.key[5:7]}/{r.key[2:4]}{'*' if r.key in so_far else ''}" for r in table.rows]
    )
    lines = trend_lines(table)
    hidden = any(line.hidden for line in lines)
    # a ring at the threshold's height: no count there is hidden for a total's sake
    marks = {suppressed(1, DEFAULT_THRESHOLD)} if hidden else set()
    _explain_marks(chart, table, lang, so_far[0] if so_far else None, marks)
    # Qt Charts cut every one of them to "12/…" (it measures a category axis's room for
    # a line series wrongly); "10/26" fits the room there is.
    axis_x.setTruncateLabels(False)
    drawn = [v for line in lines for run in (*line.runs, line.so_far) for _k, v in run]
    axis_y = QValueAxis()
    axis_y.setLabelFormat("%.0d")
    axis_y.setRange(0, max([*drawn, DEFAULT_THRESHOLD if hidden else 1, 1]))
    axis_y.applyNiceNumbers()  # ticks at 0, 500, 1000 … rather than 0, 390, 780 …
    _whole_ticks(axis_y)
    chart.addAxis(axis_x, Qt.AlignmentFlag.AlignBottom)
    chart.addAxis(axis_y, Qt.AlignmentFlag.AlignLeft)
    # The legend gives each entry the same share of one row and cuts the rest ("месецът
    # още не е …"): the notes are short there, their whole text in the title above. Its
    # labels are HTML ("< 5" drew nothing).
    notes = {"so_far": _("* so far"), "hidden": escape(suppressed(1, DEFAULT_THRESHOLD))}
    for j, (column, line) in enumerate(zip(table.columns, lines, strict=True)):
        color = QColor(COLORS[j % len(COLORS)])
        named = False
        for run in line.runs:
            series = QLineSeries()
            series.setPen(QPen(color, 2))
            series.setPointsVisible(True)  # a month between two hidden ones is a point
            _add_points(chart, series, run, _(column) if not named else "", axis_x, axis_y)
            named = True
        if line.so_far:
            dashed = QLineSeries()
            dashed.setPen(QPen(color, 2, Qt.PenStyle.DashLine))
            _add_points(chart, dashed, line.so_far, notes.pop("so_far", ""), axis_x, axis_y)
            ring = _ring(color, 8)
            _add_points(chart, ring, line.so_far[-1:], "", axis_x, axis_y)
        if line.hidden:
            markers = _ring(color, 10)
            points = [(k, DEFAULT_THRESHOLD) for k in line.hidden]
            _add_points(chart, markers, points, notes.pop("hidden", ""), axis_x, axis_y)


def _explain_marks(
    chart: QChart, table: Table, lang: str, so_far: str | None, marks: set[str]
) -> None:
    """The marks' whole meaning in the chart's title (it wraps) and the view's tool tip: the
    month not over yet (``so_far``, a row key) and the hidden counts' ``marks`` ("< 5", "×":
    the trend's ring, the marks after a bar)."""
    notes = [gettext_in(lang, table.note)] if table.note else []  # what the rows count
    if so_far is not None:
        month = row_label(table.key, so_far, lang)
        notes.append(_("* {month}: counted so far, the month is not over yet").format(month=month))
    notes += mark_notes(marks, lang)
    if notes:
        # Qt does not wrap a title: broken within the narrowest chart's width ("…(beliebig
        # gr…" cut off the German note's end)
        lines = [line for n in notes for line in wrapped(n, chart.titleFont(), TITLE_WIDTH)]
        chart.setTitle("<br>".join(escape(line) for line in lines))
        chart.setToolTip("\n".join(notes))


def _ring(color: QColor, size: float) -> QScatterSeries:
    """Hollow circles: a figure that is not the month's whole (so far, or hidden)."""
    ring = QScatterSeries()
    ring.setMarkerShape(QScatterSeries.MarkerShape.MarkerShapeCircle)
    ring.setMarkerSize(size)
    ring.setPen(QPen(color, 2))
    ring.setBrush(QColor("white"))
    return ring


def _add_points(
    chart: QChart,
    series: QLineSeries | QScatterSeries,
    points: Sequence[tuple[int, int]],
    name: str,
    *axes: QAbstractAxis,
) -> None:
    """Add ``series`` with ``points``; in the legend only where it has a ``name``."""
    for k, value in points:
        series.append(k, value)
    series.setName(name)
    chart.addSeries(series)
    for axis in axes:
        series.attachAxis(axis)
    for marker in chart.legend().markers(series):
        marker.setVisible(bool(name))


# A bar chart's row names, left of its axis, take at most this width (px) and wrap onto up to
# three lines, every row as tall as the most lines need. Cut at 26 characters ("задължително
# осигурен/а в…"), the longest names lost what they named while the table beside them showed
# them whole. Bounded like the PDF's label room, so that the bars keep most of a 560 px chart.
LABEL_WIDTH = 260
LABEL_LINES = 3
# The share of a chart's width Qt lets the axis of names have, and what the chart needs beside
# the names' widest line within that share (its margins, the axis' padding): measured, a chart
# whose names had room drew them 36 px left of the plot area.
AXIS_SHARE = 0.4
NAMES_GAP = 48
LABEL_POINTS = 8
#: the width (px) the marks' notes above a chart wrap to: within a 560 px chart's margins
TITLE_WIDTH = 500


def wrapped(
    text: str, font: QFont, width: float = LABEL_WIDTH, most: int = LABEL_LINES
) -> list[str]:
    """``text`` in lines no wider than ``width`` (broken between words; a word wider stays
    whole), at most ``most`` of them: the last cut with "…" only if even those do not hold it."""
    metrics = QFontMetricsF(font)
    lines: list[str] = []
    for word in text.split():
        if lines and metrics.horizontalAdvance(f"{lines[-1]} {word}") <= width:
            lines[-1] = f"{lines[-1]} {word}"
        else:
            lines.append(word)
    if len(lines) > most:
        rest = " ".join(lines[most - 1 :])
        lines[most - 1 :] = [metrics.elidedText(rest, Qt.TextElideMode.ElideRight, width)]
    return lines or [text]


def _draw_bars(chart: QChart, table: Table, lang: str) -> tuple[float, float]:
    """Draws the bars; returns the height (px) a row needs (every row is as tall as the one
    with most lines, and Qt hides a name that overlaps its neighbour's) and the width of the
    widest line of the names."""
    first = 1 if table.chart == "stacked" else 0
    rows = bar_rows(table, lang)
    series: QHorizontalBarSeries | QHorizontalStackedBarSeries = (
        QHorizontalStackedBarSeries() if table.chart == "stacked" else QHorizontalBarSeries()
    )
    for j in range(len(rows[0].values)):
        bar_set = QBarSet(_(table.columns[first + j]))
        bar_set.setColor(COLORS[j % len(COLORS)])
        for row in reversed(rows):
            bar_set.append(row.values[j])
        series.append(bar_set)
    chart.addSeries(series)
    categories = QBarCategoryAxis()
    font = categories.labelsFont()
    font.setPointSizeF(LABEL_POINTS)
    categories.setLabelsFont(font)
    # Qt draws a category as rich text: its lines joined by <br>, and not cut again by Qt
    # (which measures each line against the axis' room as if it were one).
    names = [wrapped(row.label, font) for row in rows]
    categories.append(["<br>".join(escape(line) for line in lines) for lines in reversed(names)])
    categories.setTruncateLabels(False)
    counts = QValueAxis()
    counts.setLabelFormat("%.0d")
    stacked = table.chart == "stacked"
    ends = [sum(row.values) if stacked else max(row.values) for row in rows]
    # room after the longest bar for its marks
    room = 1.3 if any(row.marks for row in rows) else 1.0
    counts.setRange(0, max(max(ends, default=0) * room, 1))
    counts.applyNiceNumbers()
    _whole_ticks(counts)
    chart.addAxis(categories, Qt.AlignmentFlag.AlignLeft)
    chart.addAxis(counts, Qt.AlignmentFlag.AlignBottom)
    series.attachAxis(categories)
    series.attachAxis(counts)
    BarMarks(chart, series, rows, ends)
    most = max((len(lines) for lines in names), default=1)
    metrics = QFontMetricsF(font)
    widest = max((metrics.horizontalAdvance(line) for lines in names for line in lines), default=0)
    return max(30.0, metrics.lineSpacing() * most + 12), widest


def _whole_ticks(axis: QValueAxis) -> None:
    """Ticks on whole counts only. Nice numbers put a short axis's ticks between them: a chart
    whose counts were all hidden (0 to 1) labelled its five ticks "0 0 0 0 1"."""
    top = axis.max()
    if top < axis.tickCount() - 1:
        whole = max(math.ceil(top), 1)
        axis.setRange(0, whole)
        axis.setTickCount(whole + 1)


class BarMarks(QObject):
    """The hidden counts' marks after each bar ("< 5", "×"), each after a swatch of its
    series' colour, placed again whenever the plot area changes."""

    def __init__(
        self, chart: QChart, series: QAbstractBarSeries, rows: list[BarRow], ends: list[int]
    ) -> None:
        super().__init__(chart)  # lives as long as the chart
        self.chart, self.series = chart, series
        self.items: list[tuple[QGraphicsTextItem, QPointF]] = []
        for r, (row, end) in enumerate(zip(rows, ends, strict=True)):
            if not row.marks:
                continue
            text = "&nbsp;&nbsp;".join(  # mark per series after its colour
                f'<span style="color:{COLORS[i % len(COLORS)]}">■</span>&nbsp;{escape(mark)}'
                for i, mark in row.marks
            )
            item = QGraphicsTextItem(chart)
            item.setHtml(f'<span style="color:#555; font-size:8pt">{text}</span>')
            item.setZValue(10)
            self.items.append((item, QPointF(end, len(rows) - 1 - r)))
        chart.plotAreaChanged.connect(self._place)
        self._place()

    def _place(self, _area: QRectF | None = None) -> None:
        for item, at in self.items:
            point = self.chart.mapToPosition(at, self.series)
            box = item.boundingRect()
            item.setPos(point.x() + 2, point.y() - box.height() / 2)


def table_widget(table: Table, lang: str) -> QTableWidget:
    """The figures as a table: the row's text first, then one column per count."""
    widget = QTableWidget(len(table.rows), len(table.columns) + 1)
    widget.setHorizontalHeaderLabels(["", *(_(c) for c in table.columns)])
    widget.verticalHeader().setVisible(False)
    exported = suppressed_cells(table)
    for i, row in enumerate(table.rows):
        # The exact counts stand here; where the exports hide one, its tooltip says how (a
        # coordinator compared the PDF's "×" with 56 here and took the PDF for wrong).
        hides = [
            gettext_in(lang, EXPORTS_SHOW).format(mark=mark, meaning=mark_meaning(mark, lang))
            for mark in exported[i]
            if not mark.isdigit()
        ]
        label = QTableWidgetItem(table.label(row.key, lang))
        if row.key in table.row_notes:  # what the row counts, as the exports say under it
            meaning = "\n".join([gettext_in(lang, table.row_notes[row.key]), *hides])
            label.setToolTip(meaning)
            label.setData(Qt.ItemDataRole.AccessibleDescriptionRole, meaning)
        widget.setItem(i, 0, label)
        for j, value in enumerate(row.values):
            item = QTableWidgetItem(format_number(value, lang))  # 1.390, 1390, 1,390
            item.setTextAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
            if not exported[i][j].isdigit():
                hide = gettext_in(lang, EXPORTS_SHOW).format(
                    mark=exported[i][j], meaning=mark_meaning(exported[i][j], lang)
                )
                item.setToolTip(hide)
                item.setData(Qt.ItemDataRole.AccessibleDescriptionRole, hide)
            widget.setItem(i, j + 1, item)
    widget.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    widget.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    # Tab leaves the table for the next figure (it went from cell to cell and round again:
    # the keyboard never reached the figures below the first); the arrows move in it.
    widget.setTabKeyNavigation(False)
    widget.setWordWrap(True)
    header = widget.horizontalHeader()
    header.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
    counts = 0
    for j in range(1, len(table.columns) + 1):
        header.setSectionResizeMode(j, QHeaderView.ResizeMode.ResizeToContents)
        counts += max(header.sectionSizeHint(j), widget.sizeHintForColumn(j))
    # The row texts keep room for their longest line (up to 260 px, then they wrap): with
    # wide count headers ("Консултирани лица") the stretching first column was squeezed to
    # nothing ("…", "я…" for the months).
    longest = max(
        [widget.fontMetrics().horizontalAdvance(label) for label in _labels(table, lang)] + [40]
    )
    first = min(longest + 16, 260)
    widget.setMinimumWidth(
        max(460, first + counts + widget.verticalScrollBar().sizeHint().width() + 6)
    )
    # Wrapped row texts need their rows' heights again once the first column has its width,
    # and the table its own height again: fixed while the first column still had Qt's default
    # width, the rows wrapped to two or three lines left a tall empty area below them once it
    # widened ("Trimiteri pe servicii": 90 px for five one-line rows).
    header.sectionResized.connect(
        lambda index, _old, _new: _fit_rows(widget) if index == 0 else None
    )
    _fit_rows(widget)
    return widget


def _fit_rows(widget: QTableWidget) -> None:
    """Rows as tall as their wrapped texts, the table as tall as its rows: up to 560 px it
    shows them all; beyond, the window may give it less and it scrolls."""
    widget.resizeRowsToContents()
    rows = sum(widget.rowHeight(i) for i in range(widget.rowCount()))
    height = widget.horizontalHeader().sizeHint().height() + rows + 2 * widget.frameWidth()
    widget.setMinimumHeight(min(height, 560))
    widget.setMaximumHeight(height)


def _labels(table: Table, lang: str) -> list[str]:
    return [table.label(row.key, lang) for row in table.rows]


class FigurePanel(QGroupBox):
    """One figure: its chart beside its table where the room allows, else the table below
    the chart (side by side they want about 1230 px in Bulgarian, more than a laptop has)."""

    def __init__(self, title: str, grid: QTableWidget, chart: QChartView | None) -> None:
        super().__init__(title)
        self.grid, self.chart = grid, chart
        # Named by its figure: Tab went from table to table, each nameless to a screen reader.
        grid.setAccessibleName(title)
        self.row = QBoxLayout(QBoxLayout.Direction.LeftToRight, self)
        if chart is not None:
            self.row.addWidget(chart, 3)
        self.row.addWidget(grid, 2)

    def fit(self, width: int) -> None:
        """Lay the panel out for ``width`` px: side by side only where both keep their
        minimum widths."""
        parts = [w.minimumWidth() for w in (self.chart, self.grid) if w is not None]
        # the group box keeps its frame and title out of its layout by its contents margins
        frame, inner = self.contentsMargins(), self.row.contentsMargins()
        needed = sum(parts) + self.row.spacing() * (len(parts) - 1)
        needed += frame.left() + frame.right() + inner.left() + inner.right()
        wide = width >= needed
        direction = QBoxLayout.Direction.LeftToRight if wide else QBoxLayout.Direction.TopToBottom
        if self.row.direction() != direction:
            self.row.setDirection(direction)


class CasesDialog(QDialog):
    """The people counted in one figure (names for users allowed to see them); a name opens
    that person's page in the main window (``open_person``)."""

    def __init__(
        self,
        title: str,
        cases: list[Case] | None,
        parent: QWidget | None = None,
        open_person: Callable[[str], None] | None = None,
        anonymous: bool = False,
    ) -> None:
        """``cases`` None: the figure counts no people (visits, referrals …); ``anonymous``:
        it counts people who gave no name (quick contacts)."""
        super().__init__(parent)
        self.setWindowTitle(_("Cases behind the figure: {label}").format(label=title))
        # Of a list of people (``follow``): what it lists, listed anew after a sync.
        self.query: tuple[Period, ReportFilter | None, str, str] | None = None
        self.cases: list[Case] = cases or []
        self.logged: set[str] = set()  # the people whose view in it is logged
        self._open_person = open_person
        layout = QVBoxLayout(self)
        self.list = QListWidget()
        self.list.addItems([case.name for case in self.cases])
        self.list.setAccessibleName(title)
        layout.addWidget(self.list)
        self.empty = QLabel()
        self.empty.setWordWrap(True)
        if cases is None and not anonymous:
            # "quick contacts are anonymous" was said of visits and referrals too
            self.empty.setText(
                _(
                    "This figure counts visits, referrals, households or children, not people "
                    "one by one: no list of names stands behind it."
                )
            )
        elif anonymous:
            self.empty.setText(_("No people to list here: quick contacts are anonymous."))
        else:
            # people counted, none left (erased by a sync while it was open) or none at all:
            # not "quick contacts are anonymous", which it said of every empty list
            self.empty.setText(_("No people are counted in this figure now."))
        # an empty box above the sentence said nothing more
        self.list.setVisible(bool(self.cases))
        self.empty.setVisible(not self.cases)
        layout.addWidget(self.empty)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.reject)
        # The names were a list to read and nothing more: to look at one of the people, the
        # coordinator closed the reports and searched for the name (which two may share).
        self.open_button = QPushButton(_("&Open person"))
        self.open_button.setEnabled(False)
        self.open_button.setVisible(bool(self.cases) and open_person is not None)
        buttons.addButton(self.open_button, QDialogButtonBox.ButtonRole.ActionRole)
        self.open_button.clicked.connect(self._on_open_clicked)
        self.list.currentRowChanged.connect(
            lambda row: self.open_button.setEnabled(0 <= row < len(self.cases))
        )
        # Enter reaches the default button (the list passes it on), a double click the list.
        self.list.itemDoubleClicked.connect(lambda _item: self._on_open_clicked())
        layout.addWidget(buttons)
        tab_buttons_as_shown(buttons)  # Tab went from the list to Close, then Open person
        if self.cases and open_person is not None:
            self.open_button.setDefault(True)
            self.list.setCurrentRow(0)
            self.list.setFocus()
        self.resize(420, 480 if self.cases else 120)

    def _on_open_clicked(self) -> None:
        row = self.list.currentRow()
        if self._open_person is None or not 0 <= row < len(self.cases):
            return
        self.accept()
        self._open_person(self.cases[row].person_id)

    def follow(
        self, query: tuple[Period, ReportFilter | None, str, str], cases: list[Case]
    ) -> None:
        """The people ``cases`` listed for ``query`` (period, filters, figure, row), their view
        logged: ``ReportsWindow.after_sync`` lists them anew."""
        self.query, self.cases = query, cases
        self.logged = {case.person_id for case in cases}

    def show_cases(self, cases: list[Case]) -> None:
        """The people listed anew (their view logged), the one chosen still chosen."""
        row = self.list.currentRow()
        chosen = self.cases[row].person_id if 0 <= row < len(self.cases) else None
        self.cases = cases
        self.logged.update(case.person_id for case in cases)
        self.list.clear()
        self.list.addItems([case.name for case in cases])
        ids = [case.person_id for case in cases]
        if chosen in ids:
            self.list.setCurrentRow(ids.index(chosen))
        self.list.setVisible(bool(cases))
        self.empty.setVisible(not cases)
        self.open_button.setVisible(bool(cases) and self._open_person is not None)
        self.open_button.setEnabled(0 <= self.list.currentRow() < len(cases))


def _how_to_list() -> str:
    # Enter as well as a click: a keyboard user read "Click a row" and had no word of the key.
    return _("Click a row, or choose it and press Enter, to list the people counted in it.")


class ReportsWindow(QMainWindow):
    """Period and filters on top; every figure below as a chart with its table."""

    def __init__(self, session: Session, tasks: TaskRunner, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.session, self.tasks = session, tasks
        self.report: Report | None = None
        self.cases: CasesDialog | None = None  # the people behind a figure, listed last
        self.setWindowTitle(_("Reports"))
        today = dt.date.today()
        top = QWidget()
        rows = QVBoxLayout(top)
        rows.setContentsMargins(0, 0, 0, 0)
        bar, filters_bar = QHBoxLayout(), QHBoxLayout()
        rows.addLayout(bar)
        rows.addLayout(filters_bar)
        self.kind = QComboBox()
        for key, text in (
            ("month", _("Month")),
            ("quarter", _("Quarter")),
            ("year", _("Year")),
            ("custom", _("Custom")),
        ):
            self.kind.addItem(text, key)
        self.year = QSpinBox()
        self.year.setRange(2020, 2100)
        self.year.setValue(today.year)
        self.part = QComboBox()
        self.start, self.end = QDateEdit(), QDateEdit()
        for edit in (self.start, self.end):
            edit.setCalendarPopup(True)
            edit.setDisplayFormat("dd.MM.yyyy")  # as every date field of the program
        self.start.setDate(QDate(today.year, 1, 1))
        self.end.setDate(QDate(today.year, today.month, today.day))
        self.from_label, self.to_label = QLabel(_("&From")), QLabel(_("&To"))
        self.from_label.setBuddy(self.start)
        self.to_label.setBuddy(self.end)
        self.device = QComboBox()
        self.advisor = QComboBox()
        # The choices named, each label leading to its choice by its key: the boxes alone
        # ("Month", "All laptops") left the keyboard to Tab and a screen reader to guess.
        self.period_label = QLabel(_("P&eriod"))
        self.period_label.setBuddy(self.kind)
        self.device_label = QLabel(_("&Laptop"))
        self.device_label.setBuddy(self.device)
        self.advisor_label = QLabel(_("Ad&visor"))
        self.advisor_label.setBuddy(self.advisor)
        for label, box in (
            (self.period_label, self.kind),
            (self.from_label, self.start),
            (self.to_label, self.end),
            (self.device_label, self.device),
            (self.advisor_label, self.advisor),
        ):
            box.setAccessibleName(label.text().replace("&", ""))
        self.year.setAccessibleName(_("Year"))
        self.part.setAccessibleName(_("Month or quarter"))
        self.show_button = QPushButton(_("&Show"))
        self.export_buttons = []
        for fmt, text in (
            ("pdf", _("Export &PDF…")),
            ("xlsx", _("Export &XLSX…")),
            ("csv", _("Export &CSV…")),
        ):
            button = QPushButton(text)
            button.clicked.connect(lambda _checked=False, f=fmt: self.export(f))
            button.setEnabled(False)
            self.export_buttons.append(button)
        # The period on one line, whom it counts on the next: labelled, in one line they
        # needed 1070 of a laptop's 1100 px in Bulgarian, more with a long advisor's name.
        for w in (self.period_label, self.kind, self.year, self.part, self.from_label, self.start,
                  self.to_label, self.end):  # fmt: skip
            bar.addWidget(w)
        bar.addStretch(1)
        for other in (self.device_label, self.device, self.advisor_label, self.advisor,
                      self.show_button):  # fmt: skip
            filters_bar.addWidget(other)
        filters_bar.addStretch(1)
        self.status = QLabel(_how_to_list() + " "
                             + _("Counts below 5 are shown as “< 5” in every export."))  # fmt: skip
        self.status.setWordWrap(True)
        # the exports beside the status, not after the period's choices: in one row they
        # made the window 1150 px wide in Bulgarian
        status_row = QHBoxLayout()
        status_row.addWidget(self.status, 1)
        for button in self.export_buttons:
            status_row.addWidget(button)
        self.panels = QWidget()
        self.panels_layout = QVBoxLayout(self.panels)
        self._keep_scroll = 0  # where the figures were scrolled to before a sync's refresh
        self.figures_area = scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        # Not a stop of its own for Tab (a nameless pane to a screen reader): the figures in it
        # are, and the area scrolls to each one given the focus.
        scroll.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        scroll.setWidget(self.panels)
        scroll.viewport().installEventFilter(self)
        body = QWidget()
        layout = QVBoxLayout(body)
        layout.addWidget(top)
        layout.addLayout(status_row)
        layout.addWidget(scroll, 1)
        self.setCentralWidget(body)
        self.kind.currentIndexChanged.connect(self._kind_changed)
        self.show_button.clicked.connect(self.refresh)
        # A period or filter changed but not yet shown: the figures and exports below are
        # still those of the last one shown, so the exports wait for "Show". The November
        # report was exported with "01.01.–05.12." set above it, and sent on as that.
        for box in (self.kind, self.part, self.device, self.advisor):
            box.currentIndexChanged.connect(self._on_choice_changed)
        self.year.valueChanged.connect(self._on_choice_changed)
        for edit in (self.start, self.end):
            edit.dateChanged.connect(self._on_choice_changed)
        self._fill_filters()
        # start on the last complete month: the figures funders ask for
        last = today.replace(day=1) - dt.timedelta(days=1)
        self.year.setValue(last.year)
        self._kind_changed()
        self.part.setCurrentIndex(last.month - 1)
        self.resize(LAPTOP_WIDTH, 680)  # within a laptop's 1024 px screen; the figures scroll

    def _fill_filters(self) -> None:
        choices = filter_choices(self.session.store, self.session.user)
        self.device.addItem(_("All laptops"), "")
        own = self.session.store.device_id
        for device, name in choices.devices:
            if not name:  # a laptop no team record names (this one, before it joined)
                name = _("This laptop") if device == own else device[:8]
            self.device.addItem(name, device)
        self.advisor.addItem(_("All advisors"), "")
        for advisor in choices.advisors:
            # One of another laptop as the audit log names them: "cfa63b3c (Advisor, Nord)".
            label = advisor.name or staff_label(advisor.author_id, advisor.role, advisor.laptop)
            self.advisor.addItem(label, advisor.author_id)

    def _kind_changed(self) -> None:
        kind = self.kind.currentData()
        self.part.clear()
        lang = current_language()
        if kind == "month":
            for m in range(1, 13):
                self.part.addItem(period_label(month_period(2000, m), lang).split(" ")[0], m)
        elif kind == "quarter":
            for q in range(1, 5):
                self.part.addItem(f"Q{q}", q)
        custom = kind == "custom"
        self.part.setVisible(kind in {"month", "quarter"})
        self.year.setVisible(not custom)
        for w in (self.start, self.end, self.from_label, self.to_label):
            w.setVisible(custom)

    def period(self) -> Period:
        kind, year = self.kind.currentData(), self.year.value()
        if kind == "month":
            return month_period(year, int(self.part.currentData()))
        if kind == "quarter":
            return parse_period(f"{year}-Q{self.part.currentData()}")
        if kind == "year":
            return parse_period(str(year))
        a: dt.date = self.start.date().toPython()  # type: ignore[assignment]
        b: dt.date = self.end.date().toPython()  # type: ignore[assignment]
        return parse_period(f"{min(a, b).isoformat()}..{max(a, b).isoformat()}")

    def _on_choice_changed(self) -> None:
        report = self.report
        if report is None or not self.show_button.isEnabled():
            return  # none shown yet, or being computed (its answer decides)
        try:
            shown = (self.period(), self.filters()) == (report.period, report.filters)
        except ValueError:  # a period that is no period: not the one shown
            shown = False
        for button in self.export_buttons:
            button.setEnabled(shown)
        if shown:
            self.status.setText(self._shown_text(report))
        else:
            self.status.setText(
                _("The period or the filters were changed: click Show to compute their figures.")
            )

    def _shown_text(self, report: Report) -> str:
        shown = period_label(report.period, current_language())
        return f"{shown} · " + _how_to_list()

    def filters(self) -> ReportFilter:
        return ReportFilter(self.device.currentData() or None, self.advisor.currentData() or None)

    def after_sync(self, result: object) -> None:
        """A sync that brought changes (other laptops' visits, referrals): the figures for the
        period and filters as set are computed anew, the view left scrolled where it was, and
        an open list of the people behind a figure is listed anew."""
        if isinstance(result, sync_uc.SyncReport) and result.applied and self.isVisible():
            self._keep_scroll = self.figures_area.verticalScrollBar().value()
            self.refresh()
            self._refresh_cases()

    def _refresh_cases(self) -> None:
        """The open list of people again; a view is logged only of people it did not show."""
        dialog = self.cases
        if dialog is None or dialog.query is None or not dialog.isVisible():
            return
        (period, filters, table_key, row_key), logged = dialog.query, set(dialog.logged)
        store, user = self.session.store, self.session.user

        def listed(cases: list[Case] | None) -> None:
            if dialog is self.cases and cases is not None:
                dialog.show_cases(cases)

        self.tasks.run(
            lambda: cases_behind(store, user, period, filters, table_key, row_key, logged=logged),
            listed,
            self._failed,
        )

    def refresh(self) -> None:
        period, filters, store = self.period(), self.filters(), self.session.store
        user = self.session.user
        self.show_button.setEnabled(False)
        self.status.setText(_("Computing the figures…"))
        self.tasks.run(
            lambda: build_report(store, user, period, filters), self.show_report, self._failed
        )

    def _failed(self, exc: Exception) -> None:
        self.show_button.setEnabled(True)
        self.status.setText(failure_message(exc, _("Could not compute the figures.")))

    def show_report(self, report: Report) -> None:
        self.report = report
        self.show_button.setEnabled(True)
        for button in self.export_buttons:
            button.setEnabled(True)
        lang = current_language()
        listable = _WITH_CASES if allowed(self.session.user, Action.VIEW_REPORT_CASES) else set()
        self.status.setText(self._shown_text(report))
        self._on_choice_changed()  # changed again while these were computed
        while self.panels_layout.count():
            item = self.panels_layout.takeAt(0)
            widget = item.widget() if item is not None else None
            if widget is not None:
                # Out of the window at once: until the event loop deletes it, findChild
                # (and anything that walks the panels) met the old period's tables.
                widget.setParent(None)
                widget.deleteLater()
        for table in report.tables:
            grid = table_widget(table, lang)
            grid.setObjectName(f"table-{table.key}")
            if table.key in listable:
                # Enter on a row as a click (and a double-click, as it was): the keyboard
                # had no way to the people behind a figure.
                grid.cellActivated.connect(lambda r, _c, t=table: self.show_cases(t, r))
                grid.cellClicked.connect(lambda r, _c, t=table: self.show_cases(t, r))
            view = None
            if table.key != "overview" and table.rows:
                view = chart_view(table, lang)
                view.setObjectName(f"chart-{table.key}")
            panel = FigurePanel(_(table.title), grid, view)
            if not table.rows:
                # Said, as the PDF says it: a table's header alone over nothing looked like
                # figures that failed to load ("Skills checks", "Health insurance").
                grid.hide()
                panel.row.addWidget(QLabel(_("No figures in this period.")))
            self.panels_layout.addWidget(panel)
        self.panels_layout.addStretch(1)
        self._fit_panels()
        scroll, self._keep_scroll = self._keep_scroll, 0
        if scroll:  # once the new panels are laid out (the range is 0 until then)
            bar = self.figures_area.verticalScrollBar()
            QTimer.singleShot(0, self, lambda: bar.setValue(scroll))

    def keyPressEvent(self, event: QKeyEvent) -> None:
        # Escape closes the reports as it closes every other window of the program (all
        # dialogs but this one): it did nothing, and only the mouse closed the window.
        if event.key() == Qt.Key.Key_Escape and event.modifiers() in (
            Qt.KeyboardModifier.NoModifier,
            Qt.KeyboardModifier.KeypadModifier,
        ):
            self.close()
            return
        super().keyPressEvent(event)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if watched is self.figures_area.viewport() and event.type() == QEvent.Type.Resize:
            self._fit_panels()
        return super().eventFilter(watched, event)

    def _fit_panels(self) -> None:
        """Chart beside table, or table below, as the scroll area's width allows: a panel
        wider than it would scroll sideways and cut the table's right-hand columns."""
        margins = self.panels_layout.contentsMargins()
        width = self.figures_area.viewport().width() - margins.left() - margins.right()
        for panel in self.panels.findChildren(FigurePanel):
            panel.fit(width)

    def show_cases(self, table: Table, row_index: int) -> None:
        if self.report is None or not 0 <= row_index < len(table.rows):
            return
        key = table.rows[row_index].key
        report, store, user = self.report, self.session.store, self.session.user
        label = table.label(key, current_language())

        def listed(cases: list[Case] | None) -> None:
            anonymous = cases is None and key == "quick_contacts"  # people who gave no name
            dialog = CasesDialog(label, cases, self, self._open_person, anonymous)
            if cases is not None:  # people: listed anew after a sync while it is open
                dialog.follow((report.period, report.filters, table.key, key), cases)
            if self.cases is not None:
                self.cases.deleteLater()
            self.cases = dialog
            dialog.open()

        self.tasks.run(
            lambda: cases_behind(store, user, report.period, report.filters, table.key, key),
            listed,
            self._failed,
        )

    def _open_person(self, person_id: str) -> None:
        """The person's page in the main window, brought to the front (the reports stay open
        behind it)."""
        window = self.parentWidget()
        show = getattr(window, "show_person", None)
        if window is None or show is None:
            return
        show(person_id)
        window.raise_()
        window.activateWindow()

    def export(self, fmt: str) -> None:
        if self.report is None:
            return
        suggested = f"report-{self.report.period.text}.{fmt}".replace("..", "_")
        self._ask_where(self.report, fmt, suggested)

    def _ask_where(self, report: Report, fmt: str, suggested: str) -> None:
        ask_save_path(
            self,
            _("Export the report"),
            suggested,
            lambda path: self._export_to(report, fmt, path),
            suffix=fmt,
        )

    def _export_to(self, report: Report, fmt: str, path: Path) -> None:
        lang = current_language()

        def failed(exc: Exception) -> None:
            # A folder it may not write to was told as "Could not compute the figures:
            # [Errno 13] Permission denied: …", the wrong step in the system's English.
            if not isinstance(exc, OSError):
                self._failed(exc)
                return
            text = failure_message(
                exc, _("The report could not be saved as {path}.").format(path=path)
            )
            self.status.setText(text)
            # the same figures, to another place (the period shown may have changed since)
            again = functools.partial(self._ask_where, report, fmt, path.name)
            save_failed(self, _("Export the report"), text, again)

        self.tasks.run(
            lambda: export(report, fmt, path, lang),
            lambda out: self.status.setText(_("Report saved: {path}").format(path=out)),
            failed,
        )


def install(window: MainWindow) -> None:
    """A "Reports…" entry in the File menu opening the dashboard, offered to coordinators (the
    use cases refuse everyone else)."""
    if not allowed(window.session.user, Action.VIEW_REPORTS):
        return
    action = QAction(window)

    def retranslate() -> None:
        action.setText(_("Rep&orts…"))

    def open_dashboard() -> None:
        dashboard = ReportsWindow(window.session, window.tasks, window)
        dashboard.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        controller = getattr(window, "sync", None)  # None without the sync feature
        if controller is not None:
            controller.sync_finished.connect(dashboard.after_sync)
        dashboard.show()
        dashboard.refresh()

    action.triggered.connect(open_dashboard)
    window.file_menu.insertAction(window.quit_action, action)
    window.retranslated.connect(retranslate)
    retranslate()
