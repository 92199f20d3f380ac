"""The PDF report: a figure's table split over pages never leaves one row alone."""

from __future__ import annotations

import io
import re

from pypdf import PdfReader

from desktop_app.reports.pdf import ROWS_TOGETHER, FigureTable, render_pdf
from desktop_app.usecases.reports import Report, ReportFilter, Row, Table
from tests.unit.test_reports import AS_OF, OCTOBER

HEADER = "Heads"  # the tables' column title, a word no other line holds
_ROW = re.compile(r"^[FL]\d\d$")


def _table(prefix: str, rows: int) -> Table:
    # "overview" draws no chart: only the tables' rows move the page breaks
    return Table(
        "overview",
        f"Figure {prefix}",
        (HEADER,),
        tuple(Row(f"{prefix}{r:02d}", (100 + r,)) for r in range(rows)),
    )


def _runs(pdf: bytes) -> list[list[tuple[int, str]]]:
    """Per page, each header printed on it and the rows below it: (page, row label)."""
    runs: list[list[tuple[int, str]]] = []
    for number, page in enumerate(PdfReader(io.BytesIO(pdf)).pages):
        for line in (page.extract_text() or "").splitlines():
            line = line.strip()
            if line == HEADER:
                runs.append([])
            elif _ROW.match(line) and runs:
                runs[-1].append((number, line))
    return runs


def test_a_split_table_keeps_two_rows_on_each_page_under_its_header() -> None:
    """A 20-row table after a filler of 0 to 44 rows: wherever the page break falls, the
    header (first or repeated) stands over at least two rows; the districts' "keine Angabe"
    stood alone at the top of a page."""
    split = 0
    for filler in range(0, 45):
        tables = (_table("F", filler), _table("L", 20)) if filler else (_table("L", 20),)
        report = Report(OCTOBER, ReportFilter(), AS_OF, tables)
        runs = _runs(render_pdf(report, "en"))
        long_runs = [run for run in runs if run and run[0][1].startswith("L")]
        assert sum(len(run) for run in long_runs) == 20, filler
        split += len(long_runs) > 1
        for run in runs:
            table_rows = filler if run and run[0][1].startswith("F") else 20
            assert len({page for page, _label in run}) == 1, (filler, run)
            assert len(run) >= min(ROWS_TOGETHER, table_rows), (filler, run)
    assert split >= 15  # the break fell inside the table, at every row in turn


def test_a_table_of_three_rows_is_not_split_but_moves_whole() -> None:
    """Too short to leave two rows on each page (the header and one row at the foot of a
    page, or one row under the repeated header on the next): ReportLab gets no place to split
    it, so it goes to the next page whole. (The report keeps such short tables with their
    headings anyway; this is the table's own rule.)"""
    rows = [["", HEADER], *([f"L{r:02d}", str(r)] for r in range(3))]
    table = FigureTable(rows, repeatRows=1)
    _width, height = table.wrap(200, 1000)
    row = height / 4
    for room in (1.5 * row, 2.5 * row, 3.5 * row):
        assert table.split(200, room) == [], room
    parts = FigureTable([*rows, ["L03", "3"]], repeatRows=1).split(200, 3.5 * row)
    assert [p._nrows for p in parts] == [3, 3]  # header and two rows on each page
