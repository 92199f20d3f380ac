"""The PDF report over pages: a figure's table split over pages never leaves one row alone
and names itself on each; each page's footer names the report, its period and the page."""

from __future__ import annotations

import io
import re

import pytest
from pypdf import PdfReader

from desktop_app.reports.exports import period_text, title
from desktop_app.reports.pdf import ROWS_TOGETHER, FigureTable, render_pdf
from desktop_app.usecases.reports import Report, ReportFilter, Row, Table, parse_period
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


_VALUE = re.compile(r"^7,\d\d\d$")  # the long tables' counts (7,001 …), not the chart's ticks


def _long(title: str, rows: int, key: str = "long") -> Table:
    # "long" draws a bar chart over the table, "overview" none
    return Table(key, title, (HEADER,), tuple(Row(f"R{r:02d}", (7001 + r,)) for r in range(rows)))


def _pages(pdf: bytes) -> list[list[str]]:
    return [
        [line.strip() for line in (page.extract_text() or "").splitlines()]
        for page in PdfReader(io.BytesIO(pdf)).pages
    ]


def test_every_page_holding_a_long_tables_rows_names_the_table() -> None:
    """A long table (20 rows, with its chart, or 110 rows over three pages) after a filler of
    0 to 42 rows: its heading is on the page of its first rows, never alone at the foot of
    the page before; each later page holding its rows says "… (continued)" over the repeated
    column header. The districts' heading stood at the foot of page 3, their last rows at the
    top of page 4 under a bare column header."""
    titled = 0
    for filler in range(0, 43, 3):
        for rows, key in ((20, "long"), (110, "overview")):
            table = _long("Figure L", rows, key)
            tables = (_table("F", filler), table) if filler else (table,)
            pages = _pages(render_pdf(Report(OCTOBER, ReportFilter(), AS_OF, tables), "en"))
            holding = [(n, lines) for n, lines in enumerate(pages) if any(map(_VALUE.match, lines))]
            assert sum(sum(map(bool, map(_VALUE.match, lines))) for _n, lines in holding) == rows
            before = pages[: holding[0][0]]
            assert not any("Figure L" in line for lines in before for line in lines), filler
            for k, (n, lines) in enumerate(holding):
                first_row = next(i for i, line in enumerate(lines) if _VALUE.match(line))
                name = "Figure L" if k == 0 else "Figure L (continued)"
                assert name in lines[:first_row], (filler, rows, n, lines[:first_row])
                assert HEADER in lines[lines.index(name) : first_row], (filler, rows, n)
                assert sum(map(bool, map(_VALUE.match, lines))) >= ROWS_TOGETHER
            assert len(holding) >= (3 if rows == 110 else 1)
            titled += len(holding) > 1
    assert titled >= 15  # the 20 rows were split too, not only moved whole


def test_a_continued_table_says_so_in_the_reports_language() -> None:
    report = Report(OCTOBER, ReportFilter(), AS_OF, (_long("Figure L", 70, "overview"),))
    for lang, word in (
        ("de", "Fortsetzung"),
        ("bg", "продължение"),
        ("ro", "continuare"),
        ("en", "continued"),
    ):
        pages = _pages(render_pdf(report, lang))
        assert len(pages) == 2, lang
        assert f"Figure L ({word})" in pages[1], lang
        assert not any(word in line for line in pages[0]), lang


LONG_NAME = (
    "Beratungsstelle für Zugewanderte aus Südosteuropa im Stadtbezirk Innenstadt-Nord e. V. – "
    "Projekt Ankommen in Dortmund und Umgebung"
)


@pytest.mark.parametrize(
    ("lang", "page_of"),
    [("de", "Seite {} von {}"), ("bg", "Страница {} от {}"), ("ro", "Pagina {} din {}"),
     ("en", "Page {} of {}")],
)  # fmt: skip
def test_every_page_names_the_organisation_the_period_with_its_days_and_page_x_of_y(
    lang: str, page_of: str
) -> None:
    """A year over three pages, of an organisation with a long name: each page's footer names
    the report (the organisation, cut short), the period with its days whole, and says which
    page of how many it is. The footer was cut at 110 characters from its end, the period
    with it, said "2026" without the days, and its number alone ("3")."""
    report = Report(
        parse_period("2026"),
        ReportFilter(),
        AS_OF,
        (_long("Figure L", 110, "overview"),),
        LONG_NAME,
    )
    pages = _pages(render_pdf(report, lang))
    assert len(pages) == 3
    period = period_text(report, lang)
    assert "2026" in period and "31" in period  # the days, not only the year
    for n, lines in enumerate(pages, start=1):
        footer = next(line for line in lines if period in line)
        assert footer.startswith(title(report, lang)[:40]) and "…" in footer, footer
        assert page_of.format(n, 3) in lines, (n, lines[:4])


def test_a_row_named_with_markup_characters_prints_whole() -> None:
    """A row's name is text, not markup: a service "AWO & Caritas <Nord>" lost its "<Nord>"
    (read as a tag) in the PDF's table."""
    table = Table(
        "overview",
        "Figure A",
        ("People & visits",),
        (Row("AWO & Caritas <Nord>", (12,)), Row("R01", (13,))),
    )
    lines = _pages(render_pdf(Report(OCTOBER, ReportFilter(), AS_OF, (table,)), "en"))[0]
    assert "AWO & Caritas <Nord>" in lines
    assert "People & visits" in lines


def test_a_chart_too_tall_for_its_first_rows_leaves_its_table_to_begin_named_on_the_next_page() -> (
    None
):
    """55 rows: the chart fills a page on its own. The table begins on the next page under
    "… (continued)", not under a bare column header."""
    pages = _pages(
        render_pdf(Report(OCTOBER, ReportFilter(), AS_OF, (_long("Figure L", 55),)), "en")
    )
    holding = [n for n, lines in enumerate(pages) if any(map(_VALUE.match, lines))]
    titled = [n for n, lines in enumerate(pages) if "Figure L" in lines]
    assert titled == [holding[0] - 1], (titled, holding)  # the chart's page, before
    for n in holding:
        first_row = next(i for i, line in enumerate(pages[n]) if _VALUE.match(line))
        assert "Figure L (continued)" in pages[n][:first_row], n
