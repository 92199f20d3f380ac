"""Reports: every breakdown of the people advised adds up to the people advised."""

from __future__ import annotations

import datetime as dt
import io
from typing import Any

import pytest
from pypdf import PdfReader

from desktop_app.domain.demo import generate_people
from desktop_app.i18n.text import gettext_in
from desktop_app.reports.exports import to_csv
from desktop_app.reports.pdf import render_pdf
from desktop_app.usecases.people import register_many
from desktop_app.usecases.report_demo import DemoActivity, add_demo_activity, insert_activity
from desktop_app.usecases.reports import (
    NO_LIFE_CHECK,
    OVERVIEW_MEANINGS,
    UNKNOWN,
    Report,
    build_report,
    cases_behind,
    parse_period,
    row_label,
)
from tests.unit.test_reports import AS_OF, OCTOBER, _level, _visit, known  # noqa: F401

TODAY = dt.date(2026, 12, 7)

#: the figures that count the people advised, and which of their columns do
PER_PERSON = {"nationality": (0,), "district": (0,), "insurance": (0, 1)}


def _sums(report: Report) -> dict[tuple[str, int], int]:
    return {
        (key, column): sum(row.values[column] for row in report.table(key).rows)
        for key, columns in PER_PERSON.items()
        for column in columns
    }


def test_the_per_person_figures_also_name_every_column_of_people_advised(session) -> None:
    """A new figure of the people advised is checked here too: its columns read "People
    advised" (the trend's are months, not a breakdown)."""
    report = build_report(session.store, session.user, OCTOBER, as_of=AS_OF)
    titled = {
        (t.key, j)
        for t in report.tables
        if t.key not in ("overview", "trend")
        for j, column in enumerate(t.columns)
        if column == "People advised"
    }
    assert titled <= {(k, j) for k, columns in PER_PERSON.items() for j in columns}


@pytest.mark.parametrize("period", ["2026-11", "2026", "2026-10-15..2026-11-20"])
def test_each_breakdown_of_the_demos_people_adds_up_to_the_people_advised(
    session, period: str
) -> None:
    """November's districts counted 1,202 of 1,385 people advised: only those whose check on
    the life situation fell in the month, and nothing said so. Those without one have a row
    of their own now; nationality and insurance add up too."""
    register_many(session.store, session.user, generate_people(300, seed=4))
    add_demo_activity(session.store, session.user.id, today=TODAY, seed=4)
    report = build_report(session.store, session.user, parse_period(period), as_of=TODAY)
    advised = report.table("overview").value("people_advised")
    assert advised > 50
    assert _sums(report) == dict.fromkeys(_sums(report), advised)
    if period != "2026":  # a month or a range: some came for a skills check only
        without = report.table("district").value(NO_LIFE_CHECK)
        assert without > 0
        behind = cases_behind(
            session.store, session.user, report.period, None, "district", NO_LIFE_CHECK
        )
        assert behind is not None and len(behind) == without


def test_a_person_with_neither_record_nor_check_here_is_counted_as_not_stated(
    known,  # noqa: F811 (the fixture, from test_reports)
) -> None:
    """A person whose visits reached this laptop before their record, with a skills check
    only in October: counted among the people advised, so also in every breakdown of them,
    as not stated (nationality, insurance) and without a check on the life situation
    (district); the district's row lists them."""
    session, _ids = known
    stranger = "11111111-2222-4333-8444-555555555555"
    skills = _visit(
        31,
        stranger,
        "2026-10-12",
        {"language_levels": [_level("de", "A1")]},
        form_id="skills_check",
    )
    insert_activity(session.store, DemoActivity([skills], [], []))
    report = build_report(session.store, session.user, OCTOBER, as_of=AS_OF)
    assert report.table("overview").value("people_advised") == 3
    assert _sums(report) == dict.fromkeys(_sums(report), 3)
    assert report.table("nationality").value(UNKNOWN) == 1
    assert report.table("insurance").value(UNKNOWN, 0) == 1
    assert report.table("insurance").value(UNKNOWN, 1) == 1
    district = report.table("district")
    assert district.as_dict() == {"innenstadt_nord": 1, "outside": 1, NO_LIFE_CHECK: 1}
    assert [r.key for r in district.rows][-1] == NO_LIFE_CHECK
    behind: Any = cases_behind(
        session.store, session.user, OCTOBER, None, "district", NO_LIFE_CHECK
    )
    assert behind == []  # counted, but not on this laptop: nobody to name


def test_the_row_of_people_without_a_check_reads_in_every_language() -> None:
    assert [row_label("district", NO_LIFE_CHECK, lang) for lang in ("de", "bg", "ro", "en")] == [
        "ohne Check der Lebenssituation im Zeitraum",
        "без преглед на житейската ситуация в периода",
        "fără evaluarea situației de viață în perioadă",
        "without a check on the life situation in the period",
    ]


def test_the_figures_counting_visits_by_their_answers_say_why_their_rows_add_up_to_more(
    session,
) -> None:
    """November's topics summed to 2,432 beside 1,543 visits (a visit names up to three): the
    topics and the next steps say so under their tables in every export, and in the PDF."""
    register_many(session.store, session.user, generate_people(120, seed=4))
    add_demo_activity(session.store, session.user.id, today=TODAY, seed=4)
    report = build_report(session.store, session.user, parse_period("2026-11"), as_of=TODAY)
    visits = report.table("overview").value("visits")
    topics = report.table("topics")
    assert sum(row.values[0] for row in topics.rows) > visits
    notes = {
        "topics": "Ein Besuch oder Kurzkontakt kann mehrere Themen nennen und zählt bei jedem: "
        "Zusammen ergeben die Zeilen mehr als die Besuche und Kurzkontakte.",
        "next_steps": "Ein Besuch kann mehrere nächste Schritte vorschlagen und zählt bei jedem: "
        "Zusammen ergeben die Zeilen mehr als die Besuche.",
    }
    lines = to_csv(report, "de").splitlines()
    for key, text in notes.items():
        table = report.table(key)
        title = lines.index(gettext_in("de", table.title))
        # the title, the header, the rows, then the note
        assert lines[title + 2 + len(table.rows)] == text
    assert not [t.key for t in report.tables if t.note and t.key not in notes]
    pdf = " ".join(
        " ".join((page.extract_text() or "").split())
        for page in PdfReader(io.BytesIO(render_pdf(report, "de"))).pages
    )
    for text in notes.values():
        assert text in pdf


#: the explanation of "Households with children" as the screen's tooltip says it, led by the
#: row's text: it counts only people whose life situation was checked in the period
HOUSEHOLDS_SAID = {
    "de": "Haushalte mit Kindern: Beratene Personen, deren letzte Lebenssituation im Zeitraum "
    "Kinder im Haushalt nennt.",
    "bg": "Домакинства с деца: Консултирани лица, чиято последна житейска ситуация в периода "
    "посочва деца в домакинството.",
}


@pytest.mark.parametrize("lang", ["de", "bg"])
def test_the_overviews_figures_carry_their_explanations_into_every_export(
    session, lang: str
) -> None:
    """What each figure of the overview counts stood in its tooltip on screen only: a funder
    reading the PDF could not know that "Households with children" counts only the people with
    a check on the life situation in the period. The PDF, the CSV and the workbook say it under
    the overview, a line per figure led by its row's text."""
    from openpyxl import load_workbook

    from desktop_app.reports.exports import to_xlsx

    register_many(session.store, session.user, generate_people(120, seed=4))
    add_demo_activity(session.store, session.user.id, today=TODAY, seed=4)
    report = build_report(session.store, session.user, parse_period("2026-11"), as_of=TODAY)
    overview = report.table("overview")
    said = HOUSEHOLDS_SAID[lang]
    # every figure's line, in the rows' order, right below the rows (the title, the header)
    explained = [
        f"{overview.label(row.key, lang)}: {gettext_in(lang, OVERVIEW_MEANINGS[row.key])}"
        for row in overview.rows
    ]
    assert said in explained and len(explained) == 9
    lines = to_csv(report, lang).splitlines()
    first = lines.index(gettext_in(lang, overview.title)) + 2 + len(overview.rows)
    assert [line.strip('"') for line in lines[first : first + 9]] == explained
    pdf = " ".join(
        " ".join((page.extract_text() or "").split())
        for page in PdfReader(io.BytesIO(render_pdf(report, lang))).pages
    )
    assert said in pdf
    # "(към 7.12.2026 г.)": its narrow space one like the others in the text read back
    assert [line for line in explained if " ".join(line.split()) not in pdf] == []
    # the workbook: on the overview's sheet (the cover), under its table
    sheet = load_workbook(io.BytesIO(to_xlsx(report, lang))).worksheets[0]
    column = [row[0] for row in sheet.iter_rows(values_only=True)]
    at = column.index(gettext_in(lang, overview.title)) + 2 + len(overview.rows)
    assert column[at : at + 9] == explained
