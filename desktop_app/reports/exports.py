"""Report exports for funders: CSV and XLSX with small counts suppressed and no names."""

from __future__ import annotations

import csv
import datetime as dt
import io
from collections.abc import Iterator
from pathlib import Path

from desktop_app.files import write_file
from desktop_app.i18n.text import N_, gettext_in
from desktop_app.usecases.reports import (
    ALSO_HIDDEN,
    DEFAULT_THRESHOLD,
    Report,
    Table,
    format_day,
    hidden_marks,
    mark_notes,
    period_days,
    period_label,
    suppressed_cells,
)

FORMATS = ("pdf", "xlsx", "csv")

# The report is the organisation's (Welcome Desk only makes it: the PDF says so in its
# properties, not on the page).
TITLE = N_("Report")
TITLE_OF = N_("Report: {organisation}")
SUPPRESSION_NOTE = N_(
    "Counts from 1 to {below} are shown as “< {threshold}” so that no person can be recognised; "
    "“{also}” marks a count of any size hidden so that such a count cannot be worked out from "
    "a total."
)


def note(lang: str, threshold: int = DEFAULT_THRESHOLD) -> str:
    return gettext_in(lang, SUPPRESSION_NOTE).format(
        below=threshold - 1, threshold=threshold, also=ALSO_HIDDEN
    )


def title(report: Report, lang: str) -> str:
    """The report's title, naming the organisation whose report it is."""
    if report.organisation:
        return gettext_in(lang, TITLE_OF).format(organisation=report.organisation)
    return gettext_in(lang, TITLE)


def period_text(report: Report, lang: str) -> str:
    """``Oktober 2026 (01.–31.10.2026)``; a range of days alone where the period is one."""
    days = period_days(report.period, lang)
    if report.period.kind == "custom":
        return days
    return f"{period_label(report.period, lang)} ({days})"


def header_lines(report: Report, lang: str) -> list[tuple[str, str]]:
    """(label, value) lines heading every export: period, filters, date of the figures."""
    lines = [
        (gettext_in(lang, N_("Period")), period_text(report, lang)),
        (gettext_in(lang, N_("Figures as of")), format_day(report.as_of, lang)),
    ]
    device, author = report.filters.device_id, report.filters.author_id
    if device:
        # by the name the team gave it, as the dashboard's filter names it; a laptop no team
        # record names by the start of its id (this one: "This laptop")
        if not (name := report.device_name):
            name = gettext_in(lang, N_("This laptop")) if report.device_is_own else device[:8]
        lines.append((gettext_in(lang, N_("Laptop")), name))
    if author:
        # an advisor without an account here by the start of their id, as the screens name them
        lines.append((gettext_in(lang, N_("Advisor")), report.author_name or author[:8]))
    return lines


def table_rows(table: Table, lang: str, threshold: int = DEFAULT_THRESHOLD) -> Iterator[list[str]]:
    """The table as text cells, header first, counts suppressed (:func:`suppressed_cells`)."""
    yield ["", *(gettext_in(lang, c) for c in table.columns)]
    for row, cells in zip(table.rows, suppressed_cells(table, threshold), strict=True):
        yield [table.label(row.key, lang), *cells]


def to_csv(report: Report, lang: str = "de", threshold: int = DEFAULT_THRESHOLD) -> str:
    """One CSV file, tables one below the other (``;``-separated, as spreadsheets in Germany
    expect); a title line before each table."""
    out = io.StringIO()
    w = csv.writer(out, delimiter=";", lineterminator="\r\n")
    w.writerow([title(report, lang)])
    for key, value in header_lines(report, lang):
        w.writerow([key, value])
    w.writerow([note(lang, threshold)])
    for table in report.tables:
        w.writerow([])
        w.writerow([gettext_in(lang, table.title)])
        for cells in table_rows(table, lang, threshold):
            w.writerow(cells)
        for line in table_notes(table, lang, threshold):
            w.writerow([line])
    return out.getvalue()


def table_notes(table: Table, lang: str, threshold: int = DEFAULT_THRESHOLD) -> list[str]:
    """Below a table, what its rows count where they do not add up to a figure of the report
    (``Table.note``), what a row counts where its name alone does not say (``Table.row_notes``,
    the screen's tooltips: "Households with children: People advised whose …"), and what the
    marks of its hidden counts mean ("×: hidden so that …"): a reader of one sheet or one
    table need not find the note at the top."""
    counted = [gettext_in(lang, table.note)] if table.note else []
    counted += [f"{label}: {meaning}" for label, meaning in table.row_meanings(lang)]
    return counted + mark_notes(hidden_marks(table, threshold), lang, threshold)


def _sheet_name(text: str, used: set[str]) -> str:
    base = "".join(ch for ch in text if ch not in "[]:*?/\\")[:28].strip() or "Sheet"
    name, n = base, 2
    while name.lower() in used:
        name, n = f"{base[:26]} {n}", n + 1
    used.add(name.lower())
    return name


def to_xlsx(report: Report, lang: str = "de", threshold: int = DEFAULT_THRESHOLD) -> bytes:
    """A workbook: a cover sheet (period, filters, the suppression note), then one sheet per
    table. Counts are numbers; suppressed ones are the text ``< 5`` (or ``ALSO_HIDDEN``)."""
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font
    from openpyxl.utils import get_column_letter

    wb = Workbook()
    cover = wb.active
    assert cover is not None
    used: set[str] = set()
    cover.title = _sheet_name(gettext_in(lang, N_("Overview")), used)
    cover.append([title(report, lang)])
    cover["A1"].font = Font(bold=True, size=14)
    for key, value in header_lines(report, lang):
        cover.append([key, value])
    cover.append([note(lang, threshold)])
    cover.append([])
    bold = Font(bold=True)
    for i, table in enumerate(report.tables):
        ws = cover if i == 0 else wb.create_sheet(_sheet_name(gettext_in(lang, table.title), used))
        ws.append([gettext_in(lang, table.title)])
        ws.cell(ws.max_row, 1).font = bold
        for n, cells in enumerate(table_rows(table, lang, threshold)):
            values: list[str | int] = [
                int(c) if j and c.isdigit() else c for j, c in enumerate(cells)
            ]
            ws.append(values)
            for j in range(1, len(values)):
                ws.cell(ws.max_row, j + 1).alignment = Alignment(horizontal="right")
            if n == 0:
                for j in range(len(values)):
                    ws.cell(ws.max_row, j + 1).font = bold
        for line in table_notes(table, lang, threshold):
            ws.append([line])
            ws.cell(ws.max_row, 1).font = Font(italic=True, color="555555")
        ws.column_dimensions["A"].width = 48
        for j in range(2, 6):
            ws.column_dimensions[get_column_letter(j)].width = 18
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def export(
    report: Report,
    fmt: str,
    out: Path,
    lang: str = "de",
    threshold: int = DEFAULT_THRESHOLD,
) -> Path:
    """Write the report as ``pdf``, ``xlsx`` or ``csv`` to ``out``; a file it began and could
    not finish is removed (it was left half-written, a PDF that does not open)."""
    if fmt == "csv":
        data = to_csv(report, lang, threshold).encode("utf-8-sig")
    elif fmt == "xlsx":
        data = to_xlsx(report, lang, threshold)
    elif fmt == "pdf":
        from desktop_app.reports.pdf import render_pdf

        data = render_pdf(report, lang, threshold, created=dt.date.today())
    else:
        raise ValueError(fmt)
    write_file(out, data)
    return out
