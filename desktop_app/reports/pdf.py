"""The PDF report for funders: each figure as a chart (reportlab.graphics) and its table.

Counts below the threshold appear as "< 5" in the tables, a count hidden so that such a count
cannot be worked out as "×". Bar charts draw neither (a bar would show the number) but put the
mark where the bar would start; a stacked bar is followed by its hidden segments' marks, each
after a swatch of the segment's colour, and a group's hidden bar has its mark after one too.
The trend's line breaks at a hidden count and a hollow marker at the threshold's height stands
for it, named in the legend: a line falling to 0 would read as a month with nobody. The month
not over on the report's day is a dashed segment to a small ring, named in the legend too: its
smaller figures are not a collapse.
"""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Callable
from typing import Any
from xml.sax.saxutils import escape

from reportlab.graphics.charts.barcharts import HorizontalBarChart
from reportlab.graphics.charts.legends import Legend
from reportlab.graphics.charts.linecharts import HorizontalLineChart
from reportlab.graphics.shapes import Circle, Drawing, Group, Line, Rect, String
from reportlab.graphics.widgets.markers import makeMarker
from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.lib.utils import simpleSplit
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.platypus import (
    Flowable,
    KeepTogether,
    Paragraph,
    SimpleDocTemplate,
    Spacer,
    TableStyle,
)
from reportlab.platypus import (
    Table as PdfTable,
)
from reportlab.platypus.flowables import _listWrapOn

from desktop_app.i18n.formatting import format_number
from desktop_app.i18n.text import N_, gettext_in
from desktop_app.letters.referral_letter import FONT, FONT_BOLD, numbered_canvas, register_fonts
from desktop_app.reports.exports import header_lines, note, period_text, table_rows, title
from desktop_app.usecases.reports import (
    DEFAULT_THRESHOLD,
    HIDDEN_NOTE,
    SO_FAR_NOTE,
    Report,
    Table,
    format_day,
    hidden_marks,
    mark_notes,
    suppressed_cells,
)

PALETTE = (
    colors.HexColor("#2f6b9a"),
    colors.HexColor("#e0913a"),
    colors.HexColor("#5a9e5a"),
    colors.HexColor("#b8504b"),
    colors.HexColor("#8a6fb0"),
    colors.HexColor("#7a7a7a"),
)
WIDTH = A4[0] - 36 * mm
HIDDEN_GREY = colors.HexColor("#555555")
# The tables' figures, and the hidden counts' marks ("< 5", "×") in the charts at the same
# size: at 6 pt they were too small to read on paper.
FIGURE_SIZE = 8.5
MARK_SWATCH = 5.5  # the square of a stacked segment's colour before its mark


def _short(text: str, n: int = 34) -> str:
    return text if len(text) <= n else text[: n - 1] + "…"


# Room for a bar chart's row labels, left of its axis: as much as the widest needs (the gap to
# the axis included) within these bounds, and their size.
LABEL_ROOM = 80 * mm
LABEL_ROOM_LEAST = 62 * mm
LABEL_GAP = 4 * mm
LABEL_SIZE = 7


def _fitted(text: str, width: float = LABEL_ROOM - LABEL_GAP, size: float = LABEL_SIZE) -> str:
    """``text`` whole where it fits ``width`` at ``size``, else cut with "…": cut at 34
    characters, "Staatsangehörigkeit außerhalb der EU" lost its "EU" with half the room left."""
    if stringWidth(text, FONT, size) <= width:
        return text
    while text and stringWidth(text.rstrip() + "…", FONT, size) > width:
        text = text[:-1]
    return text.rstrip() + "…"


def chart(table: Table, lang: str, threshold: int = DEFAULT_THRESHOLD) -> Drawing | None:
    """The table's chart, or None when there is nothing to draw (fonts registered first:
    ``register_fonts``)."""
    if not table.rows or table.key == "overview":
        return None
    if table.chart == "line":
        labels = [_short(table.label(r.key, lang)) for r in table.rows]
        return _trend_chart(table, labels, lang, threshold)
    labels = [_fitted(table.label(r.key, lang)) for r in table.rows]
    # hidden (suppressed) counts are not drawn: a bar would show the exact number; the mark
    # the table shows stands where the bar would start, so no bar does not read as 0
    cells = suppressed_cells(table, threshold)
    shown = [[int(c) if c.isdigit() else 0 for c in row] for row in cells]
    # horizontal bars: one group per row, long labels fit on the left
    rows = len(table.rows)
    first = 1 if table.chart == "stacked" else 0
    series = {"bars": 1, "grouped": len(table.columns)}.get(table.chart, len(table.columns) - 1)
    # a grouped bar as high as its mark: at 3.2 mm the marks of a group's bars ran into each
    # other ("< 5" above "< 5")
    per_row = 4.2 * mm if series == 1 or table.chart == "stacked" else 3.8 * mm * series
    height = max(30 * mm, rows * per_row + 14 * mm)
    # what the hidden counts' marks mean, below the chart: a bar's "×" was unexplained
    notes = [
        line
        for text in mark_notes(
            (c for row in cells for c in row[first : first + series]), lang, threshold
        )
        for line in simpleSplit(text, FONT, NOTE_SIZE, WIDTH)
    ]
    below = len(notes) * NOTE_LEADING + (2 * mm if notes else 0)
    d = Drawing(WIDTH, height + below)
    bc = HorizontalBarChart()
    widest = max(stringWidth(label, FONT, LABEL_SIZE) for label in labels)
    room = min(max(widest + LABEL_GAP, LABEL_ROOM_LEAST), LABEL_ROOM)
    bc.x, bc.y = room, 8 * mm + below
    bc.width, bc.height = WIDTH - room - (40 * mm if series > 1 else 6 * mm), height - 12 * mm
    bc.data = [[row[first + i] for row in reversed(shown)] for i in range(series)]
    if table.chart == "stacked":  # room after the longest bar for its hidden marks
        bc.width -= max((_marks_width(row[first : first + series]) for row in cells), default=0)
    bc.categoryAxis.categoryNames = list(reversed(labels))
    bc.categoryAxis.labels.fontName = FONT
    bc.categoryAxis.labels.fontSize = LABEL_SIZE
    bc.categoryAxis.labels.boxAnchor = "e"
    bc.valueAxis.labels.fontName = FONT
    bc.valueAxis.labels.fontSize = 7
    bc.valueAxis.valueMin = 0
    if not any(v for bars in bc.data for v in bars):
        # every count hidden: ReportLab scaled the empty axis to 0.01, its ticks
        # ("0,002 0,004 …") ran into each other; counts below the threshold fit this one
        bc.valueAxis.valueMax, bc.valueAxis.valueStep = threshold, 1
    bc.valueAxis.labelTextFormat = lambda v: format_number(v, lang)  # as the trend's axis
    if table.chart == "stacked":
        bc.categoryAxis.style = "stacked"
    elif series == 1:
        bc.barLabelFormat = "values"
        bc.barLabelArray = [
            ["" if row[first + i].isdigit() else row[first + i] for row in reversed(cells)]
            for i in range(series)
        ]
        bc.barLabels.fontName = FONT
        bc.barLabels.fontSize = FIGURE_SIZE
        bc.barLabels.fillColor = colors.HexColor("#555555")
        bc.barLabels.boxAnchor = "w"
        bc.barLabels.dx = 1.5
    for i in range(series):
        bc.bars[i].fillColor = PALETTE[i % len(PALETTE)]
        bc.bars[i].strokeColor = None
    d.add(bc)
    if series > 1:
        _hidden_marks(d, bc, [row[first : first + series] for row in reversed(cells)])
        names = [gettext_in(lang, c) for c in table.columns[first : first + series]]
        d.add(_legend(names, WIDTH - 36 * mm, height + below - 6 * mm))
    for n, line in enumerate(notes):
        y = below - 2 * mm - (n + 1) * NOTE_LEADING + 2
        d.add(String(0, y, line, fontName=FONT, fontSize=NOTE_SIZE, fillColor=HIDDEN_GREY))
    return d


NOTE_SIZE, NOTE_LEADING = 7, 8.5

#: the fewest rows of a figure's table a page may hold where the table is split
ROWS_TOGETHER = 2


class FigureTable(PdfTable):
    """A figure's table, header first: split over pages, each part keeps at least
    ``ROWS_TOGETHER`` rows under its header, and a table too short for that moves whole.
    The districts' last row ("keine Angabe 29") stood alone under the repeated header at the
    top of a page.

    ReportLab splits a table only where no ``NOSPLIT`` range spans the split: one range holds
    the header and the first rows, one the last rows. The parts are made by this class again,
    so a part that is split once more keeps them too."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        last = self._nrows - 1
        self.setStyle(
            TableStyle(
                [
                    ("NOSPLIT", (0, 0), (-1, min(ROWS_TOGETHER, last))),
                    ("NOSPLIT", (0, max(0, last - ROWS_TOGETHER + 1)), (-1, last)),
                ]
            )
        )


#: what a figure's heading says over the rest of its table on a later page
CONTINUED = N_("{title} (continued)")


class HeadedTable(Flowable):
    """A long figure: its heading (title, chart, note) with its table and the lines below
    it, split so that the heading stays on the page of the table's first rows, and each
    later part of the table is led by the title saying "(continued)" over its repeated
    column header. Kept apart (``KeepTogether`` of the heading, then the table) the heading
    stood at the foot of one page and the districts' rows began the next unnamed.

    Never drawn itself: ``wrap`` asks for more than any page (as ``KeepTogether`` does), so
    the frame asks ``split``, which gives the parts to lay out in its place."""

    def __init__(
        self,
        head: list[Flowable],
        table: PdfTable,
        continued: Callable[[], Flowable],
        below: list[Flowable],
    ) -> None:
        super().__init__()
        self._head, self._table, self._continued, self._below = head, table, continued, below
        self._continuation = False  # led by the title "(continued)"

    def getSpaceBefore(self) -> float:
        return float(self._head[0].getSpaceBefore()) if self._head else 0.0

    def wrap(self, aW: float, aH: float) -> tuple[float, float]:
        return aW, 0xFFFFFF

    def split(self, aW: float, aH: float) -> list[Flowable]:
        whole = [*self._head, self._table, *self._below]
        if _listWrapOn(whole, aW, self.canv)[1] <= aH:
            return whole
        head = _listWrapOn(self._head, aW, self.canv)[1]
        # a hair less than the room: the first part must fit where the frame puts it, or it
        # is split once more and its second half starts a page without the heading
        parts = self._table.splitOn(self.canv, aW, aH - head - 1) if aH - head > 1 else []
        if len(parts) == 2:
            rest = HeadedTable([self._continued()], parts[1], self._continued, self._below)
            rest._continuation = True
            return [*self._head, parts[0], rest]
        if len(parts) == 1:  # the table fits, the lines below it do not: they go on
            return whole
        frame = getattr(self, "_frame", None)
        if frame is None or not getattr(frame, "_atTop", False):
            return []  # to the next page, whole
        if self._continuation:
            return whole  # not even under a line on an empty page: as the table splits
        # a heading (a chart of many rows) that leaves no room for two rows even on an empty
        # page: its table begins on the next, named
        rest = HeadedTable([self._continued()], self._table, self._continued, self._below)
        rest._continuation = True
        return [*self._head, rest]


def _count(cell: str, lang: str) -> str:
    """A table's cell as the PDF prints it: a count with the language's digit grouping, a
    hidden count's mark unchanged."""
    return format_number(int(cell), lang) if cell.isdigit() else cell


def _mark_advance(mark: str) -> float:
    """How far a stacked bar's hidden mark with its swatch reaches, the gap after it included."""
    return MARK_SWATCH + 1.5 + stringWidth(mark, FONT, FIGURE_SIZE) + 4


def _marks_width(row: list[str]) -> float:
    """How wide the hidden marks after a stacked bar are (see ``_hidden_marks``; a group's
    hidden bar is 0 long, its mark stands where it would start)."""
    marks = [c for c in row if not c.isdigit()]
    return 2 + sum(map(_mark_advance, marks)) if marks else 0


def _hidden_marks(d: Drawing, bc: HorizontalBarChart, rows: list[list[str]]) -> None:
    """The hidden counts' marks ("< 5", "×") of a chart of several series, each after a swatch
    of its series' colour: after a stacked bar its hidden segments' marks, a bar does not
    silently look shorter, or absent, for the parts it does not show; in a group each hidden
    bar's mark where it would start (grey "< 5" twice beside "Jobcenter" did not say which
    was the visits' and which the quick contacts'). Single bars put the bare mark where the
    bar would start."""
    bc.draw()  # lays the bars out: their ends are where the marks go
    positions = bc._barPositions  # [series][row] = (x, y, width, height)
    stacked = bc.categoryAxis.style == "stacked"
    for r, row in enumerate(rows):
        marks = [(i, cell) for i, cell in enumerate(row) if not cell.isdigit()]
        if not marks:
            continue
        bars = [positions[i][r] for i in range(len(row))]
        end = max(px + max(w, 0) for px, _y, w, _h in bars)
        x = end + 2  # as _marks_width counts
        for i, mark in marks:
            px, y, w, h = bars[0 if stacked else i]
            if not stacked:
                x = px + max(w, 0) + 2
            _swatched_mark(d, x, y + h / 2, PALETTE[i % len(PALETTE)], mark)
            x += _mark_advance(mark)


def _swatched_mark(d: Drawing, x: float, middle: float, color: colors.Color, mark: str) -> None:
    half = MARK_SWATCH / 2
    d.add(Rect(x, middle - half, MARK_SWATCH, MARK_SWATCH, fillColor=color, strokeColor=None))
    # the baseline a third of the size below the middle: the digits centred on it
    baseline = middle - FIGURE_SIZE * 0.35
    d.add(
        String(
            x + MARK_SWATCH + 1.5,
            baseline,
            mark,
            fontName=FONT,
            fontSize=FIGURE_SIZE,
            fillColor=HIDDEN_GREY,
        )
    )


def _runs(values: list[int | None]) -> list[list[int | None]]:
    """``values`` split at each None into rows of their own (None elsewhere): one line each, so
    the line breaks where a count is hidden rather than joining its neighbours across it."""
    rows: list[list[int | None]] = []
    for i, v in enumerate(values):
        if v is None:
            continue
        if i == 0 or values[i - 1] is None:
            rows.append([None] * len(values))
        rows[-1][i] = v
    return rows


def _trend_chart(table: Table, labels: list[str], lang: str, threshold: int) -> Drawing:
    """Lines over months. A hidden count ("< 5") is neither a figure nor 0: the line breaks
    there and a hollow marker sits at the threshold's height; months still to come are not
    drawn (a line falling to 0 would read as a drop)."""
    cells = suppressed_cells(table, threshold)
    to_come = [table.unfinished.get(r.key) == "not_yet" for r in table.rows]
    # the month names slant at 30°: room below for the longest ("Dez. 2026 (noch nicht)")
    below = max(12 * mm, max(stringWidth(t, FONT, 6.5) for t in labels) / 2 + 4 * mm)
    d = Drawing(WIDTH, below + 50 * mm)
    lc = HorizontalLineChart()
    lc.x, lc.y, lc.width, lc.height = 12 * mm, below, WIDTH - 60 * mm, 46 * mm
    hidden = [
        [j for j, c in enumerate(row) if not later and not c.isdigit()]
        for row, later in zip(cells, to_come, strict=True)
    ]
    # the month not over on the report's day: its figures are so far, drawn apart (a dashed
    # segment to a hollow point), so a smaller figure does not read as a collapse
    so_far = [table.unfinished.get(r.key) == "so_far" for r in table.rows]
    data: list[list[int | None]] = []
    # column; offset of hidden markers, None for a line, or SO_FAR for the unfinished month
    styles: list[tuple[int, float | str | None]] = []
    for i in range(len(table.columns)):
        shown = [
            None if later or not row[i].isdigit() else int(row[i])
            for row, later in zip(cells, to_come, strict=True)
        ]
        for k in (k for k, unfinished in enumerate(so_far) if unfinished and shown[k] is not None):
            segment: list[int | None] = [None] * len(shown)
            segment[k] = shown[k]
            if k > 0 and shown[k - 1] is not None:
                segment[k - 1] = shown[k - 1]
            point: list[int | None] = [None] * len(shown)
            point[k] = shown[k]
            data += [segment, point]  # the ring apart: none on the finished month's point
            styles += [(i, _SO_FAR), (i, _SO_FAR_POINT)]
            shown[k] = None
        for run in _runs(shown):
            data.append(run)
            styles.append((i, None))
    for i in range(len(table.columns)):  # after the lines: drawn over them
        # markers of several counts hidden in one month stand side by side, not on each other
        offsets: dict[float, list[int | None]] = {}
        for r, columns in enumerate(hidden):
            if i in columns:
                shift = (columns.index(i) - (len(columns) - 1) / 2) * 5.5
                offsets.setdefault(shift, [None] * len(cells))[r] = threshold
        for shift, markers in offsets.items():
            data.append(markers)
            styles.append((i, shift))
    if not data:  # nothing to draw yet (every month still to come): an empty row, no line
        data, styles = [[None] * len(table.rows)], [(0, 0.0)]
    lc.data = data
    lc.categoryAxis.categoryNames = labels
    lc.categoryAxis.labels.fontName = FONT
    lc.categoryAxis.labels.fontSize = 6.5
    lc.categoryAxis.labels.angle = 30
    lc.categoryAxis.labels.boxAnchor = "ne"
    lc.valueAxis.labels.fontName = FONT
    lc.valueAxis.labels.fontSize = 7
    lc.valueAxis.valueMin = 0
    lc.valueAxis.labelTextFormat = lambda v: format_number(v, lang)  # 1.000, 1000, 1,000
    for k, (i, dx) in enumerate(styles):
        color = PALETTE[i % len(PALETTE)]
        if dx == _SO_FAR:
            lc.lines[k].strokeColor = color
            lc.lines[k].strokeWidth = 1.2
            lc.lines[k].strokeDashArray = (3, 2)
            lc.lines[k].symbol = None
        elif dx == _SO_FAR_POINT:
            lc.lines[k].strokeColor = None
            lc.lines[k].symbol = _so_far_marker(color)
        elif isinstance(dx, float):
            lc.lines[k].strokeColor = None  # markers only: hidden months are not joined
            lc.lines[k].symbol = _hidden_marker(color, dx)
        else:
            lc.lines[k].strokeColor = color
            lc.lines[k].strokeWidth = 1.5
            # a month between two hidden ones is a point, not a line
            lc.lines[k].symbol = makeMarker("FilledCircle", size=3, fillColor=color)
    d.add(lc)
    legend = _legend([gettext_in(lang, c) for c in table.columns], WIDTH - 44 * mm, below + 43 * mm)
    d.add(legend)
    top = legend.getBounds()[1] - 4 * mm
    if any(hidden):
        text = gettext_in(lang, HIDDEN_NOTE).format(threshold=threshold)
        note = _hidden_legend(text, WIDTH - 44 * mm, top)
        d.add(note)
        top = note.getBounds()[1] - 3 * mm
    if any(s == _SO_FAR for _i, s in styles):
        d.add(_so_far_legend(gettext_in(lang, SO_FAR_NOTE), WIDTH - 44 * mm, top))
    return d


_SO_FAR, _SO_FAR_POINT = "so_far", "so_far_point"


def _so_far_marker(color: colors.Color) -> object:
    """The unfinished month's point: a small ring (its figure is not the month's)."""
    return makeMarker("Circle", size=4, strokeColor=color, strokeWidth=1.2, fillColor=colors.white)


def _so_far_legend(text: str, x: float, top: float) -> Group:
    """A dashed line to a ring and what it means, under the other legends."""
    g = Group()
    g.add(
        Line(x, top - 3, x + 8, top - 3, strokeColor=PALETTE[-1], strokeWidth=1.2,
             strokeDashArray=(3, 2))
    )  # fmt: skip
    g.add(Circle(x + 9.5, top - 3, 2, strokeColor=PALETTE[-1], strokeWidth=1.2, fillColor=None))
    for n, line in enumerate(simpleSplit(text, FONT, 7, 44 * mm - 20)):
        g.add(String(x + 20, top - 5.5 - n * 8.5, line, fontName=FONT, fontSize=7))
    return g


def _hidden_marker(color: colors.Color, dx: float = 0) -> object:
    """A hidden count's marker: hollow, where a figure's is filled."""
    return makeMarker(
        "Circle", size=5, strokeColor=color, strokeWidth=1.2, fillColor=colors.white, dx=dx
    )


def _hidden_legend(text: str, x: float, top: float) -> Group:
    """A hollow marker and what it means, lined up with the legend above (swatch 10 pt wide,
    text 10 pt after it) and wrapped to its width."""
    g = Group()
    g.add(Circle(x + 5, top - 3, 2.5, strokeColor=PALETTE[-1], strokeWidth=1.2, fillColor=None))
    for n, line in enumerate(simpleSplit(text, FONT, 7, 44 * mm - 20)):
        g.add(String(x + 20, top - 5.5 - n * 8.5, line, fontName=FONT, fontSize=7))
    return g


def _legend(names: list[str], x: float, y: float) -> Legend:
    legend = Legend()
    legend.x, legend.y = x, y
    legend.fontName = FONT
    legend.fontSize = 7
    legend.alignment = "right"
    legend.boxAnchor = "nw"
    legend.columnMaximum = 12
    legend.colorNamePairs = [
        (PALETTE[i % len(PALETTE)], _short(n, 30)) for i, n in enumerate(names)
    ]
    return legend


#: the size of the tables' column titles, and of the text (the rows' names)
HEAD_SIZE, BASE_SIZE = 7.5, 9
#: a table's figure columns: as wide as their widest title word or figure needs, within these
FIGURE_COLUMN_LEAST, FIGURE_COLUMN_MOST = 16 * mm, 30 * mm
#: the least and the most a table's first column (the rows' names) takes
FIRST_COLUMN_LEAST, FIRST_COLUMN_MOST = 40 * mm, 110 * mm
CELL_PADDING = 2 * 6  # ReportLab's cell padding, left and right


def column_widths(cells: list[list[str]]) -> tuple[float, float]:
    """The widths of a table's first column and of each of its figure columns (one width for
    all: they hold the same kind of count). A figure column takes at least what its widest
    column title word or figure needs, and up to ``FIGURE_COLUMN_MOST`` of what the rows'
    names leave; the first column the rest, up to ``FIRST_COLUMN_MOST``. At fixed widths
    (the first 60 mm beside four figures of 28.5 mm) the Bulgarian names of the services ran
    to four lines beside "125", and the topics' to two lines in 80 mm with a third of the
    page's width unused."""
    ncols = len(cells[0])
    if ncols == 1:
        return FIRST_COLUMN_MOST, 0.0
    least = max(
        [stringWidth(word, FONT_BOLD, HEAD_SIZE) for c in cells[0][1:] for word in c.split()]
        + [stringWidth(c, FONT, FIGURE_SIZE) for row in cells[1:] for c in row[1:]]
    )
    names = (
        max([stringWidth(row[0], FONT, BASE_SIZE) for row in cells[1:]], default=0.0) + CELL_PADDING
    )
    room = (WIDTH - min(names, FIRST_COLUMN_MOST)) / (ncols - 1)
    other = max(least + CELL_PADDING, FIGURE_COLUMN_LEAST, min(room, FIGURE_COLUMN_MOST))
    other = min(other, (WIDTH - FIRST_COLUMN_LEAST) / (ncols - 1))  # a long title word
    return min(WIDTH - other * (ncols - 1), FIRST_COLUMN_MOST), other


def render_pdf(
    report: Report,
    lang: str = "de",
    threshold: int = DEFAULT_THRESHOLD,
    *,
    created: dt.date | None = None,
) -> bytes:
    """The whole report as PDF bytes (A4, DejaVu Sans embedded)."""
    register_fonts()
    base = ParagraphStyle("rbase", fontName=FONT, fontSize=BASE_SIZE, leading=12)
    h1 = ParagraphStyle("rh1", parent=base, fontName=FONT_BOLD, fontSize=16, leading=20)
    h2 = ParagraphStyle(
        "rh2", parent=base, fontName=FONT_BOLD, fontSize=11.5, leading=15, spaceBefore=8
    )
    head_style = ParagraphStyle(
        "rhead",
        parent=base,
        fontName=FONT_BOLD,
        fontSize=HEAD_SIZE,
        leading=9,
        alignment=2,
        splitLongWords=False,
    )
    small = ParagraphStyle("rsmall", parent=base, fontSize=8, textColor=colors.HexColor("#555555"))
    heading = title(report, lang)
    story: list = [Paragraph(escape(heading), h1), Spacer(1, 3 * mm)]
    meta = PdfTable(
        [[k, v] for k, v in header_lines(report, lang)],
        colWidths=[40 * mm, WIDTH - 40 * mm],
        hAlign="LEFT",
    )
    meta.setStyle(
        TableStyle([("FONT", (0, 0), (-1, -1), FONT, 9), ("FONT", (0, 0), (0, -1), FONT_BOLD, 9)])
    )
    story += [meta, Spacer(1, 2 * mm), Paragraph(escape(note(lang, threshold)), small)]
    if created is not None:
        label = gettext_in(lang, N_("Created on"))  # not inside an f-string: not extracted there
        story.append(Paragraph(f"{label} {format_day(created, lang)}", small))
    for table in report.tables:
        cells = list(table_rows(table, lang, threshold))
        # counts grouped as the charts' axes and the dashboard show them ("1.396" in German,
        # it was "1396"); the hidden ones ("< 5", "×") as they are. The CSV and the workbook
        # keep plain numbers (table_rows): a spreadsheet reads them.
        cells = [
            row if i == 0 else [row[0], *(_count(c, lang) for c in row[1:])]
            for i, row in enumerate(cells)
        ]
        first_w, other_w = column_widths(cells)
        ncols = len(cells[0])
        t = FigureTable(
            [
                [
                    Paragraph(escape(c), base if j == 0 else head_style if i == 0 else base)
                    if j == 0 or i == 0
                    else c
                    for j, c in enumerate(row)
                ]
                for i, row in enumerate(cells)
            ],
            colWidths=[first_w] + [other_w] * (ncols - 1),
            hAlign="LEFT",
            repeatRows=1,
        )
        t.setStyle(
            TableStyle(
                [
                    ("FONT", (0, 0), (-1, -1), FONT, FIGURE_SIZE),
                    ("FONT", (0, 0), (-1, 0), FONT_BOLD, FIGURE_SIZE),
                    ("ALIGN", (1, 0), (-1, -1), "RIGHT"),
                    ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
                    ("LINEBELOW", (0, 0), (-1, 0), 0.6, colors.black),
                    (
                        "ROWBACKGROUNDS",
                        (0, 1),
                        (-1, -1),
                        [colors.white, colors.HexColor("#f1f4f7")],
                    ),
                    ("TOPPADDING", (0, 0), (-1, -1), 1.5),
                    ("BOTTOMPADDING", (0, 0), (-1, -1), 1.5),
                ]
            )
        )
        if len(cells) == 1:
            t = Paragraph(gettext_in(lang, N_("No figures in this period.")), base)
        drawing = chart(table, lang, threshold)
        head = [Paragraph(escape(gettext_in(lang, table.title)), h2)]
        if drawing is not None:
            head.append(drawing)
        if table.note:
            # what the rows count where they add up to more than the visits: over the table,
            # with the heading (under it, it stood alone at the top of the next page)
            head.append(Paragraph(escape(gettext_in(lang, table.note)), small))
        # what a row counts where its name alone does not say (the overview's, on screen in
        # tooltips only): a line each under the table, led by the row's text in bold
        below = [
            Paragraph(f"<b>{escape(label)}:</b> {escape(meaning)}", small)
            for label, meaning in table.row_meanings(lang)
        ]
        if drawing is None or table.chart == "line":
            # what the table's hidden counts' marks mean, right under it, where no bar chart
            # says it over the table: the overview showed "< 5" with nothing near to explain
            # it (the trend's legend names its hollow marker, not the table's "< 5")
            below[:0] = [
                Paragraph(escape(line), small)
                for line in mark_notes(hidden_marks(table, threshold), lang, threshold)
            ]
        if below:
            below.insert(0, Spacer(1, 1.5 * mm))  # not read as the table's last row
        if len(cells) <= 13:
            # A short table goes with its heading and chart: not two rows alone on a page.
            story += [KeepTogether([*head, t, *below]), Spacer(1, 3 * mm)]
        else:
            # its heading with its first rows; each later part named "… (continued)" over
            # its repeated column header
            def continued(name: str = gettext_in(lang, table.title)) -> Paragraph:
                text = gettext_in(lang, CONTINUED).format(title=name)
                return Paragraph(escape(text), h2)

            story += [HeadedTable(head, t, continued, below), Spacer(1, 3 * mm)]

    page_label = gettext_in(lang, PAGE_OF)
    # the page's number and the report's title and period (with its days) on every page, the
    # organisation cut where the line is too long, never the period: "… · 2026" was cut at 110
    # characters from the end, and a page said neither how many there are nor which days
    widest_label = stringWidth(page_label.format(page=999, pages=999), FONT, FOOTER_SIZE)
    footer_text = _fitted_before(
        heading, f" · {period_text(report, lang)}", WIDTH - widest_label - 6 * mm, FOOTER_SIZE
    )

    def footer(canvas, doc) -> None:  # type: ignore[no-untyped-def]
        canvas.saveState()
        canvas.setFont(FONT, FOOTER_SIZE)
        canvas.setFillColor(HIDDEN_GREY)
        canvas.drawString(18 * mm, 10 * mm, footer_text)
        canvas.restoreState()
        canvas.wd_page_label = page_label  # drawn by _NumberedCanvas once the pages are known

    buf = io.BytesIO()
    doc = SimpleDocTemplate(
        buf,
        pagesize=A4,
        leftMargin=18 * mm,
        rightMargin=18 * mm,
        topMargin=16 * mm,
        bottomMargin=18 * mm,
        title=heading,
        author=report.organisation or "Welcome Desk",
        creator="Welcome Desk",
        lang=lang,
    )
    doc.build(story, onFirstPage=footer, onLaterPages=footer, canvasmaker=_NumberedCanvas)
    return buf.getvalue()


FOOTER_SIZE = 7.5
#: the footer's page number
PAGE_OF = N_("Page {page} of {pages}")


def _fitted_before(text: str, tail: str, width: float, size: float) -> str:
    """``text`` and ``tail`` within ``width`` at ``size``: ``text`` cut with "…" so that
    ``tail`` stays whole."""
    if stringWidth(text + tail, FONT, size) <= width:
        return text + tail
    return _fitted(text, width - stringWidth(tail, FONT, size), size) + tail


#: Each footer names its page "3 of 7" (the label set by ``footer`` in the report's language).
_NumberedCanvas = numbered_canvas(FOOTER_SIZE, HIDDEN_GREY, A4[0] - 18 * mm, 10 * mm)
