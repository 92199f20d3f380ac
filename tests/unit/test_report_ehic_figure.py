"""The report's figure of the people who came with an expired EHIC (read from the facts of
migration ``report_ehic``): counted once each, small counts hidden in the exports, the people
behind a row listed, and shown in the PDF in every language."""

from __future__ import annotations

import functools
import io
from pathlib import Path
from typing import Any

import pytest
from pypdf import PdfReader
from sqlalchemy import text

from desktop_app.i18n.text import gettext_in
from desktop_app.reports.exports import export, to_csv
from desktop_app.reports.pdf import render_pdf
from desktop_app.usecases import data_rights
from desktop_app.usecases.reports import (
    ALSO_HIDDEN,
    EHIC_MEANINGS,
    ReportFilter,
    build_report,
    cases_behind,
    parse_period,
    suppressed_cells,
)
from tests.unit.test_report_ehic import YEAR, _cards_of_a_year


def test_the_report_counts_each_person_once_and_hides_small_counts(session: Any) -> None:
    people = _cards_of_a_year(session)
    report = build_report(session.store, session.user, YEAR)
    figure = report.table("ehic")
    assert figure.as_dict() == {"ehic_expired": 6, "ehic_valid": 7, "ehic_no_date": 2}
    assert [r.key for r in figure.rows] == ["ehic_expired", "ehic_valid", "ehic_no_date"]
    # the exports' "< 5" rule, as for every table; the insurance figure's EHIC count is
    # mostly the rows' sum, so the smallest other count is hidden too, lest the 2 be worked
    # out from it
    assert suppressed_cells(figure) == [[ALSO_HIDDEN], ["7"], ["< 5"]]
    assert report.table("insurance").as_dict(0)["ehic"] >= 6 + 7 + 2
    small = build_report(session.store, session.user, parse_period("2026-01-01..2026-06-30"))
    assert suppressed_cells(small.table("ehic")) == [[ALSO_HIDDEN], ["7"], ["< 5"]]
    # a month: only the visits of that month count
    february = build_report(session.store, session.user, parse_period("2026-02")).table("ehic")
    assert february.as_dict() == {"ehic_valid": 13}
    june = build_report(session.store, session.user, parse_period("2026-06")).table("ehic")
    assert june.as_dict() == {"ehic_expired": 6}
    # a laptop's visits alone
    filtered = build_report(session.store, session.user, YEAR, ReportFilter(device_id="laptop-2"))
    assert filtered.table("ehic").as_dict() == {"ehic_valid": 7}
    # the people behind a row, for the coordinator
    cases = cases_behind(session.store, session.user, YEAR, None, "ehic", "ehic_expired")
    assert cases is not None
    assert sorted(c.person_id for c in cases) == sorted(people["expired"])
    # the figure reads the partial index of the EHIC facts, not every fact of the year
    with session.store.reading() as s:
        plan = " / ".join(
            str(r[-1])
            for r in s.execute(
                text(
                    "EXPLAIN QUERY PLAN SELECT person_key + 0, max(ehic) FROM report_visit_facts "
                    "WHERE day >= 20260101 AND day <= 20261231 AND ehic IS NOT NULL "
                    "GROUP BY person_key + 0"
                )
            )
        )
    assert "ix_report_facts_ehic" in plan, plan


def test_an_erased_person_leaves_the_figure(session: Any) -> None:
    people = _cards_of_a_year(session)
    data_rights.erase_person(session.store, session.user, people["expired"][0])
    report = build_report(session.store, session.user, YEAR)
    assert report.table("ehic").as_dict() == {"ehic_expired": 5, "ehic_valid": 7, "ehic_no_date": 2}


TITLES = {
    "de": "Europäische Krankenversicherungskarte (EHIC) beim Besuch abgelaufen",
    "bg": "ЕЗОК с изтекла валидност при посещението",
    "ro": "CEASS expirat la data vizitei",
    "en": "EHIC expired at the visit",
}


@pytest.mark.parametrize("lang", ["de", "bg", "ro", "en"])
def test_the_pdf_shows_the_figure_with_its_small_counts_hidden(
    session: Any, tmp_path: Path, lang: str
) -> None:
    _cards_of_a_year(session)
    report = build_report(session.store, session.user, YEAR)
    figure = report.table("ehic")
    out = export(report, "pdf", tmp_path / f"report-{lang}.pdf", lang)
    pages = [" ".join(p.extract_text().split()) for p in PdfReader(out).pages]
    whole = " ".join(pages)
    assert TITLES[lang] in whole
    for row in figure.rows:
        assert figure.label(row.key, lang) in whole, row.key
    # the rows' table: the 7 shown, the 2 as "< 5" and the 6 hidden beside it; then what each
    # row counts
    label = functools.partial(figure.label, lang=lang)
    rows = f"{label('ehic_expired')} × {label('ehic_valid')} 7 {label('ehic_no_date')} < 5"
    assert rows in whole
    assert f"{label('ehic_expired')}: {gettext_in(lang, EHIC_MEANINGS['ehic_expired'])}" in whole
    csv_text = to_csv(report, lang)
    assert TITLES[lang] in csv_text and "< 5" in csv_text
    pdf = render_pdf(report, lang)
    assert PdfReader(io.BytesIO(pdf)).pages
