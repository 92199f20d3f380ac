"""The PDF report for funders: each figure as a chart (reportlab.graphics) and its table.

Counts below the threshold appear as "< 5" in the tables and are left out of the charts (a bar
would show the exact small number).
"""

from __future__ import annotations

import datetime as dt
import io

from reportlab.graphics.charts.barcharts import HorizontalBarChart
from reportlab.graphics.charts.legends import Legend
from reportlab.graphics.charts.linecharts import HorizontalLineChart
from reportlab.graphics.shapes import Drawing
from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.platypus import (
    KeepTogether,
    Paragraph,
    SimpleDocTemplate,
    Spacer,
    TableStyle,
)
from reportlab.platypus import (
    Table as PdfTable,
)

from desktop_app.i18n.text import N_, gettext_in
from desktop_app.letters.referral_letter import FONT, FONT_BOLD, register_fonts
from desktop_app.reports.exports import TITLE, header_lines, note, table_rows
from desktop_app.usecases.reports import (
    DEFAULT_THRESHOLD,
    Report,
    Table,
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


def _short(text: str, n: int = 34) -> str:
    return text if len(text) <= n else text[: n - 1] + "…"


def chart(table: Table, lang: str, threshold: int = DEFAULT_THRESHOLD) -> Drawing | None:
    """The table's chart, or None when there is nothing to draw."""
    if not table.rows or table.key == "overview":
        return None
    labels = [_short(table.label(r.key, lang)) for r in table.rows]
    # hidden (suppressed) counts are not drawn: a bar would show the exact number
    shown = [
        [int(c) if c.isdigit() else 0 for c in row] for row in suppressed_cells(table, threshold)
    ]
    if table.chart == "line":
        d = Drawing(WIDTH, 62 * mm)
        lc = HorizontalLineChart()
        lc.x, lc.y, lc.width, lc.height = 12 * mm, 12 * mm, WIDTH - 60 * mm, 46 * mm
        # months still to come are not drawn: a line falling to 0 would read as a drop
        lc.data = [
            [
                None if table.unfinished.get(r.key) == "not_yet" else row[i]
                for r, row in zip(table.rows, shown, strict=True)
            ]
            for i in range(len(table.columns))
        ]
        lc.categoryAxis.categoryNames = labels
        lc.categoryAxis.labels.fontName = FONT
        lc.categoryAxis.labels.fontSize = 6.5
        lc.categoryAxis.labels.angle = 30
        lc.categoryAxis.labels.boxAnchor = "ne"
        lc.valueAxis.labels.fontName = FONT
        lc.valueAxis.labels.fontSize = 7
        lc.valueAxis.valueMin = 0
        for i in range(len(table.columns)):
            lc.lines[i].strokeColor = PALETTE[i % len(PALETTE)]
            lc.lines[i].strokeWidth = 1.5
        d.add(lc)
        d.add(_legend([gettext_in(lang, c) for c in table.columns], WIDTH - 44 * mm, 55 * mm))
        return d
    # horizontal bars: one group per row, long labels fit on the left
    rows = len(table.rows)
    first = 1 if table.chart == "stacked" else 0
    series = {"bars": 1, "grouped": len(table.columns)}.get(table.chart, len(table.columns) - 1)
    per_row = 4.2 * mm if series == 1 or table.chart == "stacked" else 3.2 * mm * series
    height = max(30 * mm, rows * per_row + 14 * mm)
    d = Drawing(WIDTH, height)
    bc = HorizontalBarChart()
    bc.x, bc.y = 62 * mm, 8 * mm
    bc.width, bc.height = WIDTH - 62 * mm - (40 * mm if series > 1 else 6 * mm), height - 12 * mm
    bc.data = [[row[first + i] for row in reversed(shown)] for i in range(series)]
    bc.categoryAxis.categoryNames = list(reversed(labels))
    bc.categoryAxis.labels.fontName = FONT
    bc.categoryAxis.labels.fontSize = 7
    bc.categoryAxis.labels.boxAnchor = "e"
    bc.valueAxis.labels.fontName = FONT
    bc.valueAxis.labels.fontSize = 7
    bc.valueAxis.valueMin = 0
    if table.chart == "stacked":
        bc.categoryAxis.style = "stacked"
    for i in range(series):
        bc.bars[i].fillColor = PALETTE[i % len(PALETTE)]
        bc.bars[i].strokeColor = None
    d.add(bc)
    if series > 1:
        names = [gettext_in(lang, c) for c in table.columns[first : first + series]]
        d.add(_legend(names, WIDTH - 36 * mm, height - 6 * mm))
    return d


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


def render_pdf(
    report: Report,
    lang: str = "de",
    threshold: int = DEFAULT_THRESHOLD,
    *,
    created: dt.date | None = None,
) -> bytes:
    """The whole report as PDF bytes (A4, DejaVu Sans embedded)."""
    register_fonts()
    base = ParagraphStyle("rbase", fontName=FONT, fontSize=9, leading=12)
    h1 = ParagraphStyle("rh1", parent=base, fontName=FONT_BOLD, fontSize=16, leading=20)
    h2 = ParagraphStyle(
        "rh2", parent=base, fontName=FONT_BOLD, fontSize=11.5, leading=15, spaceBefore=8
    )
    head_style = ParagraphStyle(
        "rhead",
        parent=base,
        fontName=FONT_BOLD,
        fontSize=7.5,
        leading=9,
        alignment=2,
        splitLongWords=False,
    )
    small = ParagraphStyle("rsmall", parent=base, fontSize=8, textColor=colors.HexColor("#555555"))
    story: list = [Paragraph(gettext_in(lang, TITLE), h1), Spacer(1, 3 * mm)]
    meta = PdfTable(
        [[k, v] for k, v in header_lines(report, lang)],
        colWidths=[40 * mm, WIDTH - 40 * mm],
        hAlign="LEFT",
    )
    meta.setStyle(
        TableStyle([("FONT", (0, 0), (-1, -1), FONT, 9), ("FONT", (0, 0), (0, -1), FONT_BOLD, 9)])
    )
    story += [meta, Spacer(1, 2 * mm), Paragraph(note(lang, threshold), small)]
    if created is not None:
        label = gettext_in(lang, N_("Created on"))  # not inside an f-string: not extracted there
        story.append(Paragraph(f"{label} {created.isoformat()}", small))
    for table in report.tables:
        cells = list(table_rows(table, lang, threshold))
        ncols = len(cells[0])
        first_w = 60 * mm if ncols > 4 else 80 * mm if ncols > 2 else 110 * mm
        other_w = min(30 * mm, (WIDTH - first_w) / max(1, ncols - 1))
        t = PdfTable(
            [
                [
                    Paragraph(c, base if j == 0 else head_style if i == 0 else base)
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
                    ("FONT", (0, 0), (-1, -1), FONT, 8.5),
                    ("FONT", (0, 0), (-1, 0), FONT_BOLD, 8.5),
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
        head = [Paragraph(gettext_in(lang, table.title), h2)]
        if drawing is not None:
            head.append(drawing)
        if len(cells) <= 13:
            # A short table goes with its heading and chart: not two rows alone on a page.
            story += [KeepTogether([*head, t]), Spacer(1, 3 * mm)]
        else:
            story += [KeepTogether(head), t, Spacer(1, 3 * mm)]  # its header repeats

    def footer(canvas, doc) -> None:  # type: ignore[no-untyped-def]
        canvas.saveState()
        canvas.setFont(FONT, 7.5)
        canvas.setFillColor(colors.HexColor("#555555"))
        canvas.drawString(18 * mm, 10 * mm, f"{gettext_in(lang, TITLE)} · {report.period.text}")
        canvas.drawRightString(A4[0] - 18 * mm, 10 * mm, str(doc.page))
        canvas.restoreState()

    buf = io.BytesIO()
    doc = SimpleDocTemplate(
        buf,
        pagesize=A4,
        leftMargin=18 * mm,
        rightMargin=18 * mm,
        topMargin=16 * mm,
        bottomMargin=18 * mm,
        title=gettext_in(lang, TITLE),
        author="Welcome Desk",
        lang=lang,
    )
    doc.build(story, onFirstPage=footer, onLaterPages=footer)
    return buf.getvalue()
