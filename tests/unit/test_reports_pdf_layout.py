"""The PDF report's tables: the rows' names get the room the figures do not need."""

from __future__ import annotations

import io

import pytest
from pypdf import PdfReader
from reportlab.lib.utils import simpleSplit
from reportlab.pdfbase.pdfmetrics import stringWidth

from desktop_app.i18n.text import gettext_in
from desktop_app.letters.directory import default_directory
from desktop_app.letters.referral_letter import FONT, FONT_BOLD, register_fonts
from desktop_app.reports.pdf import (
    BASE_SIZE,
    CELL_PADDING,
    FIGURE_SIZE,
    FIRST_COLUMN_MOST,
    HEAD_SIZE,
    WIDTH,
    column_widths,
    render_pdf,
)
from desktop_app.usecases.reports import Report, ReportFilter, Row, Table
from tests.unit.test_reports import AS_OF, OCTOBER

OUTCOMES = ("Referrals", "Attended", "Not attended", "Pending")


def _referrals() -> Table:
    """Every service of the directory with a referral count of each size the PDF prints."""
    services = default_directory().services
    return Table(
        "referrals",
        "Referrals by service and their outcome",
        OUTCOMES,
        tuple(Row(s.id, (1250 + i, 750, 3 if i % 2 else 0, 44)) for i, s in enumerate(services)),
        chart="stacked",
    )


@pytest.mark.parametrize(("lang", "lines"), [("de", 3), ("bg", 3), ("ro", 2), ("en", 2)])
def test_the_services_names_get_the_room_their_figures_do_not_need(lang: str, lines: int) -> None:
    """The year's referrals in Bulgarian: the services' names ran to four lines in a first
    column of 60 mm beside four columns of 28.5 mm holding "125". The figure columns are as
    wide as their widest title word or figure needs (at least), the names take the rest."""
    register_fonts()
    table = _referrals()
    heads = ["", *(gettext_in(lang, c) for c in OUTCOMES)]
    names = [table.label(r.key, lang) for r in table.rows]
    cells = [heads, *([name, "1.265", "750", "< 5", "44"] for name in names)]
    first, other = column_widths(cells)
    assert first + 4 * other <= WIDTH + 0.01
    assert first == pytest.approx(min(WIDTH - 4 * other, FIRST_COLUMN_MOST))
    for head in heads[1:]:
        for word in head.split():  # a title wraps between words, never inside one
            assert stringWidth(word, FONT_BOLD, HEAD_SIZE) <= other - CELL_PADDING, word
    assert stringWidth("1.265", FONT, FIGURE_SIZE) <= other - CELL_PADDING
    wrapped = [len(simpleSplit(name, FONT, BASE_SIZE, first - CELL_PADDING)) for name in names]
    assert max(wrapped) <= lines, list(zip(names, wrapped, strict=True))
    # the PDF holds each column title's words and each figure whole
    pdf = render_pdf(Report(OCTOBER, ReportFilter(), AS_OF, (table,)), lang)
    printed = [
        line.strip()
        for page in PdfReader(io.BytesIO(pdf)).pages
        for line in (page.extract_text() or "").splitlines()
    ]
    words = {word for line in printed for word in line.split()}
    assert {word for head in heads[1:] for word in head.split()} <= words


def test_a_table_whose_names_are_short_keeps_its_figures_columns_at_their_widest() -> None:
    """German levels ("A1" … "C1") beside one figure: the figure column at its widest, the
    first column as before (110 mm)."""
    cells = [["", "Anzahl"], ["A1", "80"], ["keine Deutschkenntnisse", "51"]]
    first, other = column_widths(cells)
    assert first == FIRST_COLUMN_MOST
    assert other == pytest.approx(30 * 72 / 25.4)
