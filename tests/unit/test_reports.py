"""Reports: periods, hand-checked figures over a small known store, suppression, exports."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
from pathlib import Path
from typing import Any

import pytest
from openpyxl import load_workbook
from pypdf import PdfReader
from reportlab.graphics.charts.linecharts import HorizontalLineChart
from reportlab.graphics.shapes import String
from reportlab.lib import colors
from reportlab.lib.units import mm

from desktop_app.domain.demo import generate_people
from desktop_app.domain.person import PersonDraft
from desktop_app.i18n.formatting import format_number
from desktop_app.i18n.text import gettext_in
from desktop_app.letters.directory import default_directory
from desktop_app.letters.referral_letter import register_fonts
from desktop_app.reports.exports import export, header_lines, table_notes, to_csv, to_xlsx
from desktop_app.reports.pdf import PALETTE, chart, render_pdf
from desktop_app.usecases import reports as reports_uc
from desktop_app.usecases.people import list_people, register_many
from desktop_app.usecases.report_demo import (
    DemoActivity,
    add_demo_activity,
    generate_activity,
    insert_activity,
)
from desktop_app.usecases.reports import (
    ALSO_HIDDEN,
    Case,
    PeriodError,
    Report,
    ReportFilter,
    Row,
    Table,
    build_report,
    cases_behind,
    district_key,
    nationality_key,
    parse_period,
    row_label,
    suppressed,
    suppressed_cells,
    week_start,
)

AS_OF = dt.date(2026, 11, 1)
OCTOBER = parse_period("2026-10")


# --------------------------------------------------------------------------------------------
# Periods


def test_periods_month_quarter_year_range() -> None:
    assert (OCTOBER.start, OCTOBER.end, OCTOBER.kind) == (
        dt.date(2026, 10, 1),
        dt.date(2026, 10, 31),
        "month",
    )
    q = parse_period("2026-Q3")
    assert (q.start, q.end) == (dt.date(2026, 7, 1), dt.date(2026, 9, 30))
    y = parse_period("2026")
    assert (y.start, y.end) == (dt.date(2026, 1, 1), dt.date(2026, 12, 31))
    feb = parse_period("2028-02")
    assert feb.end == dt.date(2028, 2, 29)
    r = parse_period("2026-10-05..2026-11-20")
    assert (r.start, r.end, r.kind) == (dt.date(2026, 10, 5), dt.date(2026, 11, 20), "custom")
    assert r.months() == ["2026-10", "2026-11"]


def test_weeks_start_on_the_locales_first_day() -> None:
    wednesday = dt.date(2026, 10, 7)
    assert week_start(wednesday, "de") == dt.date(2026, 10, 5)  # Monday
    assert week_start(wednesday, "bg") == dt.date(2026, 10, 5)
    assert week_start(wednesday, "en_US") == dt.date(2026, 10, 4)  # Sunday
    de, us = parse_period("2026-W41", "de"), parse_period("2026-W41", "en_US")
    assert (de.start, de.end) == (dt.date(2026, 10, 5), dt.date(2026, 10, 11))
    assert (us.start, us.end) == (dt.date(2026, 10, 4), dt.date(2026, 10, 10))


@pytest.mark.parametrize("text", ["2026-13", "2026-Q5", "26", "2026-11-30..2026-11-01", "okt"])
def test_bad_periods_are_refused(text: str) -> None:
    with pytest.raises(PeriodError):
        parse_period(text)


def test_keys_for_nationalities_and_districts() -> None:
    assert [nationality_key(c) for c in ("BG", "ro", "PL", "TR", "")] == [
        "bulgarian",
        "romanian",
        "other_eu",
        "non_eu",
        "unknown",
    ]
    assert district_key("44147") == "innenstadt_nord"
    assert district_key("44379") == "luetgendortmund"
    assert district_key("10115") == "outside"
    assert district_key("") == "unknown"


# --------------------------------------------------------------------------------------------
# A small store with known figures


def _sync(n: int, author: str = "anna", device: str = "laptop-1") -> dict[str, Any]:
    return {
        "id": f"00000000-0000-4000-8000-{n:012d}",
        "revision": 1,
        "updated_hlc": "1",
        "device_id": device,
        "author_id": author,
        "deleted": False,
        "field_clocks": "{}",
    }


def _visit(n: int, person: str, day: str, answers: dict[str, Any], **kw: Any) -> dict[str, Any]:
    row = _sync(n, kw.pop("author", "anna"))
    row.update(
        person_id=person,
        form_id=kw.pop("form_id", "life_situation"),
        form_version=1,
        answers=json.dumps(answers),
        next_steps=json.dumps(kw.pop("next_steps", {})),
        status="finished",
        started_at=f"{day}T10:00:00+00:00",
        finished_at=f"{day}T10:30:00+00:00",
    )
    row.update(kw)
    return row


def _referral(
    n: int, person: str, service: str, day: str, status: str, history: list[str], follow_up: str
) -> dict[str, Any]:
    row = _sync(n)
    row.update(
        person_id=person,
        service_id=service,
        reason="other",
        reason_note="",
        created_at=f"{day}T11:00:00",
        reference=f"WD-T-{n}",
        advisor_name="Anna",
        appointment="",
        contact_person="",
        documents="[]",
        client_lang="de",
        status=status,
        follow_up=follow_up,
        outcome="",
        status_changed_at="",
        status_history=json.dumps(
            [{"status": s, "at": day, "by": "", "outcome": ""} for s in history]
        ),
    )
    return row


def _quick(n: int, day: str, nationality: str, topics: list[str]) -> dict[str, Any]:
    row = _sync(n)
    row.update(
        contact_date=day,
        session_language="bg",
        topics=json.dumps(topics),
        referral_given=False,
        nationality=nationality,
        sex="",
    )
    return row


def _level(language: str, level: str) -> dict[str, Any]:
    return {"language": language, "level": {"level": level, "assessed": "test"}}


@pytest.fixture
def known(session):
    """Three people: Boris (BG), Raluca (RO), Piotr (PL) and their visits in Sept–Nov 2026."""
    register_many(
        session.store,
        session.user,
        [
            PersonDraft("Boris", "Petrov", "1980", nationality="BG"),
            PersonDraft("Raluca", "Ionescu", "1990", nationality="RO"),
            PersonDraft("Piotr", "Nowak", "1985", nationality="PL"),
        ],
    )
    ids = {e.given_name: e.id for e in list_people(session.store, 0, 10)}
    boris, raluca, piotr = ids["Boris"], ids["Raluca"], ids["Piotr"]
    kids = [
        {"child_birth": "2015", "child_lives": "with_person"},
        {"child_birth": "2018", "child_lives": "with_person"},
        {"child_birth": "2012", "child_lives": "home_country"},
    ]
    visits = [
        _visit(1, boris, "2026-09-10", {"insurance_status": "none", "postal_code": "44145",
               "topics": ["registration", "jobcenter"], "children_count": 3, "children": kids}),
        _visit(2, boris, "2026-10-05", {"insurance_status": "statutory", "postal_code": "44147",
               "topics": ["jobcenter"], "children_count": 3, "children": kids}),
        _visit(3, raluca, "2026-10-20", {"insurance_status": "ehic", "postal_code": "44532",
               "topics": ["housing"], "children_count": 0}, author="bogdan"),
        _visit(4, raluca, "2026-10-21",
               {"language_levels": [_level("ro", "C2"), _level("de", "A2")]},
               form_id="skills_check",
               next_steps={"integration_course": "accepted", "literacy_course": "dismissed"}),
        _visit(5, piotr, "2026-11-02", {"insurance_status": "statutory", "topics": ["work"],
               "children_count": 0}),
        _visit(6, piotr, "2026-10-10", {"topics": ["debts"], "children_count": 0}, deleted=True),
    ]  # fmt: skip
    referrals = [
        _referral(11, boris, "jobcenter", "2026-10-05", "attended", ["issued", "attended"], ""),
        _referral(12, boris, "clearingstelle", "2026-10-05", "closed",
                  ["issued", "attended", "closed"], ""),
        _referral(13, raluca, "vhs", "2026-10-20", "closed", ["issued", "closed"], ""),
        _referral(14, raluca, "jobcenter", "2026-10-20", "issued", ["issued"], "2026-10-15"),
        _referral(15, boris, "jobcenter", "2026-09-10", "issued", ["issued"], "2026-09-20"),
    ]  # fmt: skip
    quick = [
        _quick(21, "2026-10-02", "bulgarian", ["registration"]),
        _quick(22, "2026-10-30", "", ["work", "housing"]),
        _quick(23, "2026-11-03", "romanian", ["work"]),
    ]
    insert_activity(session.store, DemoActivity(visits, referrals, quick))
    return session, {"boris": boris, "raluca": raluca, "piotr": piotr}


def test_known_store_gives_hand_checked_figures(known) -> None:
    session, _ids = known
    report = build_report(session.store, session.user, OCTOBER, as_of=AS_OF)
    assert report.table("overview").as_dict() == {
        "people_advised": 2,  # Boris and Raluca; Piotr's October visit is deleted
        "new_people": 1,  # Raluca; Boris came first in September
        "returning_people": 1,
        "visits": 3,
        "quick_contacts": 2,
        "referrals": 4,
        # of October's referrals, open with a follow-up before the report's day (November
        # 1st): Raluca's Jobcenter one; Boris's September referral is not October's
        "follow_ups_overdue": 1,
        "households_with_children": 1,
        "children_in_households": 2,  # Boris's third child lives in the home country
    }
    nat = report.table("nationality")
    assert {r.key: r.values for r in nat.rows} == {
        "bulgarian": (1, 1),
        "romanian": (1, 0),
        "unknown": (0, 1),
    }
    assert report.table("district").as_dict() == {"innenstadt_nord": 1, "outside": 1}
    topics = {r.key: r.values for r in report.table("topics").rows}
    assert topics == {
        "jobcenter": (1, 0),
        "housing": (1, 1),
        "registration": (0, 1),
        "work": (0, 1),
    }
    ins = {r.key: r.values for r in report.table("insurance").rows}
    assert ins == {"none": (1, 0), "statutory": (0, 1), "ehic": (1, 1)}
    refs = {r.key: r.values for r in report.table("referrals").rows}
    assert refs == {
        "jobcenter": (2, 1, 0, 1),
        "clearingstelle": (1, 1, 0, 0),  # closed after the person went: attended
        "vhs": (1, 0, 1, 0),
    }
    assert report.table("german_levels").as_dict() == {"A2": 1}
    steps = {r.key: r.values for r in report.table("next_steps").rows}
    assert steps == {"integration_course": (1, 1), "literacy_course": (1, 0)}
    trend = {r.key: r.values for r in report.table("trend").rows}
    assert len(trend) == 12 and list(trend)[-1] == "2026-10"
    assert trend["2026-10"] == (2, 3, 2, 4)
    assert trend["2026-09"] == (1, 1, 0, 1)
    assert trend["2025-11"] == (0, 0, 0, 0)


def test_filters_by_advisor_and_laptop(known) -> None:
    session, _ids = known
    only_bogdan = build_report(
        session.store, session.user, OCTOBER, ReportFilter(author_id="bogdan"), as_of=AS_OF
    )
    overview = only_bogdan.table("overview").as_dict()
    assert (overview["people_advised"], overview["visits"], overview["referrals"]) == (1, 1, 0)
    elsewhere = build_report(
        session.store, session.user, OCTOBER, ReportFilter(device_id="laptop-9"), as_of=AS_OF
    )
    assert elsewhere.table("overview").as_dict()["visits"] == 0


def test_cases_behind_a_figure(known) -> None:
    session, ids = known

    def people_behind(table_key: str, row_key: str) -> list[Case]:
        cases = cases_behind(session.store, session.user, OCTOBER, None, table_key, row_key)
        assert cases is not None, "each of these figures counts people"
        return cases

    north = people_behind("district", "innenstadt_nord")
    assert [(c.person_id, c.name) for c in north] == [(ids["boris"], "Boris Petrov")]
    new = people_behind("overview", "new_people")
    assert [c.name for c in new] == ["Raluca Ionescu"]
    assert {c.name for c in people_behind("nationality", "romanian")} == {"Raluca Ionescu"}
    assert [c.name for c in people_behind("referrals", "vhs")] == ["Raluca Ionescu"]


# --------------------------------------------------------------------------------------------
# Suppression


def test_small_counts_and_one_more_per_column_are_hidden() -> None:
    assert [suppressed(v) for v in (0, 1, 4, 5, 120)] == ["0", "< 5", "< 5", "5", "120"]
    t = Table("district", "x", ("People",), (Row("a", (3,)), Row("b", (40,)), Row("c", (9,))))
    # 3 alone would be the total minus 49: the next smallest (9) is hidden as well, but as
    # "×", not as "< 5": it may be of any size (9 is not fewer than 5)
    assert suppressed_cells(t) == [["< 5"], ["40"], ["×"]]
    pair = Table(
        "overview", "x", ("Count",), (Row("new_people", (2,)), Row("returning_people", (30,)))
    )
    assert suppressed_cells(pair) == [["< 5"], ["×"]]
    refs = Table("referrals", "x", ("R", "A", "N", "P"), (Row("s", (30, 22, 6, 2)),))
    # the row sums to its first column: one more part is hidden too (6, the smallest shown)
    assert suppressed_cells(refs) == [["30", "22", "×", "< 5"]]


SCALED_DOWN = [("jobcenter", "attended", 8), ("jobcenter", "closed", 2),
               ("jobcenter", "issued", 11), ("vhs", "attended", 6), ("vhs", "closed", 5),
               ("vhs", "issued", 7)]  # fmt: skip


def outcomes_store(session: Any, plan: list[tuple[str, str, int]] = SCALED_DOWN) -> Any:
    """A real store's October report of referrals by ``plan``: (service, status, how many);
    by default Jobcenter 8 attended, 2 not attended ("closed"), 11 pending ("issued"); VHS 6
    attended, 5 not attended, 7 pending (the walk-through's Jobcenter row of 56, 3 and 66,
    scaled down); one person, advised in one visit."""
    register_many(session.store, session.user, [PersonDraft("Ana", "Popa", "1990")])
    (person,) = [e.id for e in list_people(session.store, 0, 10)]
    outcomes = {
        "attended": ["issued", "attended"],
        "closed": ["issued", "closed"],
        "issued": ["issued"],
    }
    rows, n = [], 100
    for service, status, count in plan:
        for _k in range(count):
            n += 1
            rows.append(_referral(n, person, service, "2026-10-12", status, outcomes[status], ""))
    # the visit the referrals were made in: one person advised ("< 5" in the overview)
    visit = _visit(99, person, "2026-10-12", {"topics": ["jobcenter"]})
    insert_activity(session.store, DemoActivity([visit], rows, []))
    return build_report(session.store, session.user, OCTOBER, as_of=AS_OF)


def test_a_small_outcome_hides_the_next_smallest_of_its_row_and_nothing_more(session) -> None:
    """3 not attended at the Jobcenter is given away by its total less the other outcomes:
    one more of the row is hidden, the smaller one (attended, not the larger pending). The
    outcome columns' sums stand in no figure: VHS's outcomes stay shown (one of them was
    hidden as well, for the 'Not attended' column's sake)."""
    report = outcomes_store(session)
    table = report.table("referrals")
    assert {r.key: r.values for r in table.rows} == {
        "jobcenter": (21, 8, 2, 11),
        "vhs": (18, 6, 5, 7),
    }
    assert suppressed_cells(table) == [["21", ALSO_HIDDEN, "< 5", "11"], ["18", "6", "5", "7"]]


def test_a_referrals_total_hidden_for_its_column_is_not_given_away_by_its_outcomes() -> None:
    """A count hidden for one group may be the only one hidden in another: the next smallest
    of that one goes too (repeated until none stands alone). A referral row's total and its
    outcomes are one group: a hidden total was the sum of its shown outcomes."""
    t = Table("next_steps", "x", ("Suggested", "Accepted"), (Row("a", (3, 2)), Row("b", (9, 6))))
    # columns: 3 alone in 'Suggested' hides 9; 2 alone in 'Accepted' hides 6
    assert suppressed_cells(t) == [["< 5", "< 5"], [ALSO_HIDDEN, ALSO_HIDDEN]]
    refs = Table(
        "referrals",
        "x",
        ("R", "A", "N", "P"),
        (Row("a", (3, 3, 0, 0)), Row("b", (20, 12, 8, 0)), Row("c", (30, 20, 10, 0))),
    )
    # 3 alone in the first column (whose sum the overview shows) hides 20 there; 20 is its
    # outcomes' sum: the smaller of them (8) is hidden too
    assert suppressed_cells(refs) == [
        ["< 5", "< 5", "0", "0"],
        [ALSO_HIDDEN, "12", ALSO_HIDDEN, "0"],
        ["30", "20", "10", "0"],
    ]


def test_a_hidden_count_in_a_bar_chart_is_marked_where_its_bar_would_start() -> None:
    """No bar would read as 0: the table's mark ("< 5", or "×" for a count of any size hidden
    alongside) stands at the bar's start; shown counts carry no label (the table has them)."""
    from reportlab.graphics.charts.barcharts import HorizontalBarChart

    register_fonts()
    t = Table("district", "x", ("People",), (Row("a", (3,)), Row("b", (40,)), Row("c", (9,))))
    drawing = chart(t, "en")
    assert drawing is not None
    (bars,) = [c for c in drawing.contents if isinstance(c, HorizontalBarChart)]
    # rows bottom-up, as drawn; the bar of a hidden count is 0 long and carries the mark
    assert bars.data == [[0, 40, 0]]
    assert bars.barLabelFormat == "values"
    assert bars.barLabelArray == [["×", "", "< 5"]]


HEALTH = "Krankenversicherung (Clearingstelle Gesundheit)"


def test_a_bar_charts_labels_are_cut_only_where_they_do_not_fit() -> None:
    """Cut at 34 characters, "Staatsangehörigkeit außerhalb der EU" lost its "EU" in the
    German PDF with half the labels' room left, "Krankenversicherung (Clearingstelle
    Gesundheit)" its "heit)": the room grows to the widest label (within bounds), and only a
    label too wide for the most room is cut."""
    from reportlab.graphics.charts.barcharts import HorizontalBarChart
    from reportlab.pdfbase.pdfmetrics import stringWidth

    from desktop_app.domain.service import LocalizedText
    from desktop_app.letters.referral_letter import FONT
    from desktop_app.reports.pdf import LABEL_GAP, LABEL_ROOM, LABEL_SIZE

    register_fonts()
    too_long = "Familienkasse Nordrhein-Westfalen Ost – Kindergeld und Kinderzuschlag für alle"
    t = Table(
        "nationality",
        "x",
        ("People",),
        (
            Row("non_eu", (30,)),
            Row("other_eu", (40,)),
            Row("health", (7,)),
            Row("long", (20,)),
        ),
        names={"long": LocalizedText({"de": too_long}), "health": LocalizedText({"de": HEALTH})},
    )
    drawing = chart(t, "de")
    assert drawing is not None
    (bars,) = [c for c in drawing.contents if isinstance(c, HorizontalBarChart)]
    names = list(reversed(bars.categoryAxis.categoryNames))
    assert names[:3] == [
        "Staatsangehörigkeit außerhalb der EU",
        "andere EU-Staatsangehörigkeit",
        HEALTH,
    ]
    assert names[3].endswith("…") and too_long.startswith(names[3][:-1])
    assert all(stringWidth(n, FONT, LABEL_SIZE) <= LABEL_ROOM - LABEL_GAP for n in names)
    assert bars.x == pytest.approx(LABEL_ROOM, abs=1)  # the bars begin after the widest label


def _names_absent(text: str) -> None:
    for name in ("Boris", "Petrov", "Raluca", "Ionescu", "Piotr", "Nowak"):
        assert name not in text


def test_every_export_suppresses_and_names_nobody(known, tmp_path: Path) -> None:
    session, _ids = known
    report = build_report(session.store, session.user, OCTOBER, as_of=AS_OF)
    # CSV: every count in the known store is below 5, so none may appear as a digit 1-4
    text = to_csv(report, "de")
    rows = list(csv.reader(io.StringIO(text), delimiter=";"))
    counts = [c for r in rows for c in r[1:] if c.strip().isdigit()]
    assert counts and all(c == "0" or int(c) >= 5 for c in counts)
    assert "< 5" in text
    _names_absent(text)
    # XLSX, read back
    wb = load_workbook(io.BytesIO(to_xlsx(report, "de")))
    cells = [v for ws in wb.worksheets for row in ws.iter_rows(values_only=True) for v in row]
    numbers = [v for v in cells if isinstance(v, int)]
    assert all(v == 0 or v >= 5 for v in numbers)
    assert "< 5" in cells
    _names_absent(" ".join(str(v) for v in cells if v is not None))
    # PDF, read back
    out = export(report, "pdf", tmp_path / "r.pdf", "de")
    pdf_text = "\n".join(p.extract_text() for p in PdfReader(out).pages)
    assert "< 5" in pdf_text
    assert "Oktober 2026" in pdf_text
    _names_absent(pdf_text)
    lines = [line.strip() for line in pdf_text.splitlines()]
    checked = 0
    for table in report.tables:
        for row in table.rows:
            label = row_label(table.key, row.key, "de")
            if label in lines and table.key not in {"trend", "overview"}:
                at = len(lines) - 1 - lines[::-1].index(label)  # the table follows the chart
                cells = lines[at + 1 : at + 1 + len(table.columns)]
                assert all(c in {"< 5", "×", "0"} for c in cells), (label, cells)
                checked += 1
    assert checked >= 10


def test_pdf_report_in_every_ui_language(known) -> None:
    session, _ids = known
    report = build_report(session.store, session.user, OCTOBER, as_of=AS_OF)
    for lang, word in (("de", "Bericht"), ("bg", "Отчет"), ("ro", "Raport"), ("en", "Report")):
        pdf = render_pdf(report, lang)
        text = PdfReader(io.BytesIO(pdf)).pages[0].extract_text()
        assert word in text, lang


# --------------------------------------------------------------------------------------------
# Demo data


def test_demo_activity_is_deterministic_and_spread_over_the_year() -> None:
    ids = [f"p{i}" for i in range(300)]
    a = generate_activity(ids, dt.date(2026, 11, 20), seed=3)
    b = generate_activity(ids, dt.date(2026, 11, 20), seed=3)
    assert a == b
    months = {v["finished_at"][:7] for v in a.visits}
    assert len(months) >= 12
    assert all("2025-11-21" <= v["finished_at"][:10] <= "2026-11-20" for v in a.visits)
    assert a.referrals and a.quick_contacts
    assert isinstance(Report, type)


def test_demo_histories_reach_their_status_and_consents_carry_the_text_of_their_day(
    session: Any,
) -> None:
    """The demo showed referrals at "Appointment made" or later whose history held only
    "Issued", and consents of April 2026 given under the text of November 2026: each step up
    to the status must be there, in order, and a consent must carry the text in force on its
    day (the earliest text before the first version's month)."""
    from sqlalchemy import select

    from desktop_app.domain.referral import ReferralStatus
    from desktop_app.storage.referrals_models import ReferralRow
    from desktop_app.storage.visits_models import ConsentRow
    from desktop_app.usecases import referrals as referrals_uc
    from desktop_app.usecases.report_demo import add_demo_activity

    register_many(
        session.store,
        session.user,
        [PersonDraft(f"Given{i}", f"Family{i}", "1980", nationality="RO") for i in range(150)],
    )
    today = dt.date(2027, 1, 29)  # the year reaches back before the first text (2026-11)
    add_demo_activity(session.store, session.user.id, today=today, seed=3)
    with session.store.reading() as s:
        rows = [(r.id, r.status, r.status_changed_at) for r in s.scalars(select(ReferralRow))]
        consents = [(c.given_on, c.text_version) for c in s.scalars(select(ConsentRow))]
    order = list(ReferralStatus)
    kinds = set()
    slotted = attended = noted = 0
    for referral_id, status, changed_at in rows:
        history = referrals_uc.status_history(session.store, session.user, referral_id)
        steps = [h.status for h in history]
        kinds.add(tuple(steps))
        assert steps[0] is ReferralStatus.ISSUED and steps[-1] == status
        if status != "closed":  # every step up to the status; closing may skip the rest
            assert steps == order[: order.index(ReferralStatus(status)) + 1]
        else:
            assert steps[:-1] == order[: len(steps) - 1]
        times = [h.at for h in history]
        assert times == sorted(times) and len(set(times)) == len(times)
        assert times[-1].date() <= today and times[-1].isoformat() == changed_at
        # an appointment made has its date (the status dialog said "date not known yet" for
        # every demo referral), after it was made, on a working day
        referral = referrals_uc.get_referral(
            session.store, session.user, referral_id, log_view=False
        )
        appointment = referral.appointment
        assert referral.signed_off_at is not None  # every demo referral was issued
        if ReferralStatus.APPOINTMENT_MADE in steps:
            assert appointment is not None
            # at an office's usual time where the person went (it was when the visit was
            # noted: 13:43), on the hour or half hour where it is one the demo chose
            if ReferralStatus.ATTENDED in steps and appointment.minute % 15 == 0:
                slotted += 1
            assert appointment >= history[steps.index(ReferralStatus.APPOINTMENT_MADE)].at
            assert appointment.weekday() < 5 or ReferralStatus.ATTENDED in steps
        else:
            assert appointment is None
        attended += ReferralStatus.ATTENDED in steps
        # "Outcome noted" with an outcome written (the status dialog refuses it without one),
        # in the step that noted it; none before
        if status == ReferralStatus.OUTCOME_NOTED:
            noted += 1
            assert referral.outcome and history[-1].outcome == referral.outcome
        else:
            assert referral.outcome == ""
    assert attended > 10 and slotted == attended and noted > 3
    assert len(kinds) >= 5  # issued, appointment made, attended, outcome noted, closed ones
    earliest = "2026-11-1"
    seen = set()
    for given_on, version in consents:
        seen.add(version)
        year, month, _n = (int(x) for x in version.split("-"))
        if version == earliest:
            assert given_on < "2026-12-01"
        else:
            assert (year, month) <= (int(given_on[:4]), int(given_on[5:7]))
    assert seen == {"2026-11-1", "2026-12-2"}


def test_a_demo_persons_children_are_the_same_at_every_visit() -> None:
    """Demo visits drew a person's children anew each time (born 2022, then 2013): the
    visit history and the letters, which read the latest visit, showed other children."""
    activity = generate_activity([f"p{i}" for i in range(200)], dt.date(2026, 11, 20), seed=3)
    seen: dict[str, list[list[tuple[str, str]]]] = {}
    for visit in activity.visits:
        if visit["form_id"] == "life_situation":
            children = json.loads(visit["answers"]).get("children", [])
            kids = [(c["child_birth"], c["child_lives"]) for c in children]
            seen.setdefault(visit["person_id"], []).append(kids)
    several = [lists for lists in seen.values() if len(lists) > 1 and lists[0]]
    assert len(several) > 20
    assert all(kids == lists[0] for lists in several for kids in lists)


def test_german_levels_read_as_a_scale_from_no_german_to_c2() -> None:
    rows = reports_uc._ordered({"C1": (1,), "none": (4,), "A2": (2,)}, reports_uc.CEFR_ORDER)
    assert [r.key for r in rows] == ["none", "A2", "C1"]


def test_a_short_table_in_the_pdf_stays_on_the_page_of_its_heading() -> None:
    """Short tables one after another: none leaves rows on a page without its heading (the
    Bulgarian report's next steps left two rows alone on page 6)."""
    tables = tuple(
        Table(
            f"t{t}",
            f"Figure number {t}",
            ("People",),
            tuple(Row(f"row{t}x{r}", (10 + r,)) for r in range(5 + t % 7)),
        )
        for t in range(14)
    )
    report = Report(OCTOBER, ReportFilter(), AS_OF, tables)
    pages = [
        " ".join((p.extract_text() or "").split())
        for p in PdfReader(io.BytesIO(render_pdf(report, "en"))).pages
    ]
    assert len(pages) >= 3
    for table in tables:
        on = [i for i, text in enumerate(pages) if f"{table.title} " in text]
        assert len(on) == 1, (table.title, on)
        rows = [i for i, text in enumerate(pages) if f"{table.rows[-1].key} " in text]
        assert rows == on, (table.title, on, rows)


# --------------------------------------------------------------------------------------------
# The trend's month that is not over


def test_the_trends_month_not_over_yet_is_marked_in_the_labels_and_the_pdf(session) -> None:
    """A year report on 4 December: December's smaller figures are so far, not a drop."""
    year = parse_period("2026")
    report = build_report(session.store, session.user, year, as_of=dt.date(2026, 12, 4))
    trend = report.table("trend")
    assert dict(trend.unfinished) == {"2026-12": "so_far"}
    assert trend.label("2026-12", "en") == "Dec 2026 (so far)"
    assert trend.label("2026-11", "en") == "Nov 2026"
    assert trend.label("2026-12", "de") == "Dez. 2026 (bisher)"
    text = " ".join(
        page.extract_text() for page in PdfReader(io.BytesIO(render_pdf(report, "de"))).pages
    )
    assert "Dez. 2026 (bisher)" in text  # the table's row (the chart's label is drawn too)
    assert "Nov. 2026 (bisher)" not in text
    # the exports for funders say so too
    assert "Dec 2026 (so far)" in to_csv(report, "en")
    # a finished year: nothing marked
    done = build_report(session.store, session.user, year, as_of=dt.date(2027, 1, 2))
    assert not done.table("trend").unfinished


def test_unfinished_months_of_a_period_in_progress_or_ending_inside_a_month() -> None:
    months = reports_uc.trend_months(parse_period("2026"))
    in_june = reports_uc.unfinished_months(months, parse_period("2026"), dt.date(2026, 6, 15))
    assert in_june == {
        "2026-06": "so_far",
        **{f"2026-{m:02d}": "not_yet" for m in range(7, 13)},
    }
    custom = parse_period("2026-01-01..2026-03-15")
    assert reports_uc.unfinished_months(
        reports_uc.trend_months(custom), custom, dt.date(2026, 12, 4)
    ) == {"2026-03": "so_far"}
    # the last day of a month, seen later: the month is complete
    q3 = parse_period("2026-Q3")
    assert not reports_uc.unfinished_months(reports_uc.trend_months(q3), q3, dt.date(2026, 12, 4))
    # today is the month's last day: not over until the day is
    assert reports_uc.unfinished_months(
        ["2026-11"], parse_period("2026-11"), dt.date(2026, 11, 30)
    ) == {"2026-11": "so_far"}


# --------------------------------------------------------------------------------------------
# A hidden count in the trend's chart


def _strings(node: Any) -> list[str]:
    """The texts drawn in a ReportLab drawing or group, in order."""
    if isinstance(node, String):
        return [node.text]
    return [t for child in getattr(node, "contents", []) for t in _strings(child)]


def _quiet_march(unfinished: dict[str, str] | None = None) -> Table:
    months = reports_uc.trend_months(parse_period("2026"))
    values = {m: (100 + 10 * i, 40 + i) for i, m in enumerate(months)}
    values["2026-03"] = (3, 0)  # 3 people: hidden; no quick contact at all: a real 0
    return Table(
        "trend",
        "Trend over the last 12 months",
        ("People advised", "Quick contacts"),
        tuple(Row(m, values[m]) for m in months),
        chart="line",
        unfinished=unfinished or {},
    )


def test_a_hidden_month_in_the_trend_is_drawn_hollow_at_the_threshold_not_as_zero() -> None:
    """A count shown as "< 5" is neither 0 nor a figure in the PDF's chart: the line breaks
    there, a hollow marker at the threshold's height stands for it, and the legend says so."""
    register_fonts()
    drawing = chart(_quiet_march(), "en")
    assert drawing is not None
    lc = next(c for c in drawing.contents if isinstance(c, HorizontalLineChart))
    march = 2
    people = [k for k, row in enumerate(lc.data) if lc.lines[k].strokeColor == PALETTE[0]]
    # the exact count is drawn nowhere, and the people's line does not fall to 0 in March
    assert all(3 not in row for row in lc.data)
    assert [lc.data[k][march] for k in people if lc.data[k][march] is not None] == []
    # two lines: January-February and April-December, nothing joined across March
    assert sorted(sum(v is not None for v in lc.data[k]) for k in people) == [2, 9]
    # March's marker: at the threshold (5), hollow, not joined to anything
    markers = [k for k, row in enumerate(lc.data) if row[march] == 5]
    assert len(markers) == 1
    style = lc.lines[markers[0]]
    assert style.strokeColor is None
    assert style.symbol.fillColor == colors.white
    assert style.symbol.strokeColor == PALETTE[0]
    assert [v for v in lc.data[markers[0]] if v is not None] == [5]
    # the quick contacts' real 0 stays a point of their line
    assert [row[march] for row in lc.data if row[march] is not None] == [0, 5]
    assert " ".join(_strings(drawing)).count("fewer than 5 (not shown exactly)") == 1
    # no hidden count, no marker and no note; months to come are still not drawn
    quiet = _quiet_march()
    none_hidden = Table(quiet.key, quiet.title, quiet.columns, quiet.rows[:2], chart="line")
    drawn = chart(none_hidden, "en")
    assert drawn is not None
    assert "fewer than" not in " ".join(_strings(drawn))
    later = chart(_quiet_march({f"2026-{m:02d}": "not_yet" for m in range(3, 13)}), "en")
    assert later is not None
    lc = next(c for c in later.contents if isinstance(c, HorizontalLineChart))
    assert all(v is None for row in lc.data for v in row[march:])
    assert "fewer than" not in " ".join(_strings(later))


def test_the_pdf_names_a_hidden_count_in_the_trend_in_the_reports_language() -> None:
    report = Report(parse_period("2026"), ReportFilter(), dt.date(2027, 1, 2), (_quiet_march(),))
    for lang, words in (
        ("en", "fewer than 5 (not shown exactly)"),
        ("de", "weniger als 5 (nicht genau gezeigt)"),
        ("bg", "по-малко от 5 (не се показва точно)"),
        ("ro", "mai puțin de 5 (nu apare exact)"),
    ):
        pages = PdfReader(io.BytesIO(render_pdf(report, lang))).pages
        text = " ".join(" ".join((p.extract_text() or "").split()) for p in pages)
        assert words in text, lang
        assert "< 5" in text  # the table says the same


def _overview(returning: int) -> Table:
    """The overview as ``build_report`` makes it: 40 people advised, ``returning`` of them
    returning."""
    counts = {
        "people_advised": 40,
        "new_people": 40 - returning,
        "returning_people": returning,
        "visits": 52,
        "quick_contacts": 12,
        "referrals": 21,
        "follow_ups_overdue": 9,
        "households_with_children": 17,
        "children_in_households": 30,
    }
    return Table(
        "overview",
        "Overview",
        ("Count",),
        tuple(Row(k, (v,)) for k, v in counts.items()),
        row_notes=reports_uc.OVERVIEW_MEANINGS,
    )


@pytest.mark.parametrize(
    ("lang", "small", "also"),
    [
        ("de", "weniger als 5 (nicht genau gezeigt)", "verborgen, damit sich eine Anzahl unter 5"),
        ("bg", "по-малко от 5 (не се показва точно)", "скрито, за да не може бройка под 5"),
        ("ro", "mai puțin de 5 (nu apare exact)", "ascuns pentru ca un număr sub 5"),
        ("en", "fewer than 5 (not shown exactly)", "hidden so that a count below 5"),
    ],
)
def test_the_pdfs_overview_explains_its_hidden_counts_right_under_its_rows(
    lang: str, small: str, also: str
) -> None:
    """3 returning people show as "< 5", and the new people (37) as "×" beside them, in the
    PDF's overview: it has no chart whose note would say what they mean, and nothing under
    the table did. The lines follow its last row, before what the rows count; an overview
    without a hidden count has none."""
    table = _overview(3)
    assert [c for row in suppressed_cells(table) for c in row if not c.isdigit()] == [
        ALSO_HIDDEN,
        "< 5",
    ]
    pdf = render_pdf(Report(OCTOBER, ReportFilter(), AS_OF, (table,)), lang)
    lines = [
        line.strip() for line in PdfReader(io.BytesIO(pdf)).pages[0].extract_text().splitlines()
    ]
    text = " ".join(lines)
    assert f"< 5: {small}" in lines
    assert f"{ALSO_HIDDEN}: {also}" in text
    last_row = lines.index(table.label("children_in_households", lang))
    first_meaning = next(
        i
        for i, line in enumerate(lines)
        if line.startswith(table.label("people_advised", lang) + ":")
    )
    assert last_row < lines.index(f"< 5: {small}") < first_meaning
    shown = render_pdf(Report(OCTOBER, ReportFilter(), AS_OF, (_overview(12),)), lang)
    text = " ".join(PdfReader(io.BytesIO(shown)).pages[0].extract_text().split())
    assert small not in text and f"{ALSO_HIDDEN}:" not in text


# --------------------------------------------------------------------------------------------
# The header: the organisation's report, dates in the report's language


def test_the_header_names_the_organisation_and_dates_read_in_the_reports_language() -> None:
    """ "Bericht Welcome Desk", "Tage 2026-01-01 – 2026-12-31", "Erstellt am 2026-12-04": the
    title names the organisation, the range is the period's, dates are the language's."""
    tables = (Table("overview", "Overview", ("Count",), (Row("visits", (12,)),)),)
    report = Report(
        parse_period("2026"), ReportFilter(), dt.date(2026, 12, 4), tables, "Welcome Europe"
    )
    expected = {
        "de": ("Welcome Europe", "Zeitraum 2026 (01.01. – 31.12.2026)", "04.12.2026"),
        "bg": ("Welcome Europe", "Период 2026 (1.01. – 31.12.2026 г.)", "4.12.2026 г."),
        # "2026124": the Romanian day was formatted with "yMd" as a pattern, not a skeleton
        "ro": ("Welcome Europe", "Perioadă 2026 (01.01.2026 – 31.12.2026)", "04.12.2026"),
    }
    iso = ("2026-01-01", "2026-12-31", "2026-12-04")
    for lang, (org, period, day) in expected.items():
        pdf = render_pdf(report, lang, created=dt.date(2026, 12, 4))
        text = " ".join(
            " ".join((p.extract_text() or "") for p in PdfReader(io.BytesIO(pdf)).pages).split()
        )
        assert org in text.split("·")[0] and "Welcome Desk" not in text, text[:200]
        assert period.replace("\u202f", " ") in text.replace("\u202f", " "), text[:300]
        assert day in text and not any(d in text for d in iso), text[:300]
        assert "Tage" not in text and "Дни" not in text
        csv_text = to_csv(report, lang)
        assert org in csv_text.splitlines()[0] and not any(d in csv_text for d in iso)


def test_the_header_names_the_filters_laptop_and_advisor_not_their_ids(session) -> None:
    """Filtered by this laptop and Anna, the exports' header said "Laptop 1404bdca-169d-4514-
    baa9-c7a65a8fcadc" and "Advisor e0be3095-…": now as the dashboard's filters name them,
    in the report's language; a laptop no team record names and that is not this one by the
    start of its id."""
    register_many(session.store, session.user, generate_people(30, seed=2))
    add_demo_activity(session.store, session.user.id, today=dt.date(2026, 12, 7), seed=2)
    own = ReportFilter(session.store.device_id, session.user.id)
    report = build_report(session.store, session.user, parse_period("2026"), own)
    for lang, laptop, advisor in (
        ("de", "Laptop", "Beratung"),
        ("bg", "Лаптоп", "Консултант"),
        ("ro", "Laptop", "Consilier"),
    ):
        lines = dict(header_lines(report, lang))
        assert lines[laptop] == gettext_in(lang, "This laptop") and lines[advisor] == "Anna Schmidt"
        pdf = render_pdf(report, lang)
        text = " ".join((p.extract_text() or "") for p in PdfReader(io.BytesIO(pdf)).pages)
        assert "Anna Schmidt" in text and session.user.id not in text, lang
        assert session.store.device_id not in text and session.store.device_id not in to_csv(
            report, lang
        )
    other = build_report(
        session.store, session.user, parse_period("2026"), ReportFilter("demo-laptop-2")
    )
    assert dict(header_lines(other, "en"))["Laptop"] == "demo-lap"


def test_overdue_follow_ups_are_the_periods_referrals_as_of_the_reports_day(known) -> None:
    """October's report showed 2633 overdue follow-ups beside 520 referrals: they were counted
    over every referral ever made. They are the period's referrals now, dated in the label."""
    session, _ids = known
    report = build_report(session.store, session.user, OCTOBER, as_of=dt.date(2026, 12, 4))
    overview = report.table("overview")
    assert overview.value("follow_ups_overdue") == 1  # Raluca's Jobcenter referral
    assert overview.value("follow_ups_overdue") <= overview.value("referrals")
    assert overview.label("follow_ups_overdue", "de") == (
        "davon mit überfälliger Nachverfolgung (Stand 04.12.2026)"
    )
    assert "4.12.2026" in overview.label("follow_ups_overdue", "bg")
    assert overview.label("follow_ups_overdue", "ro") == (
        "dintre acestea, cu urmărire restantă (la 04.12.2026)"
    )
    assert "Stand 04.12.2026" in to_csv(report, "de")


def test_a_stacked_bar_marks_its_hidden_segments_after_the_bar() -> None:
    """ "< 5" and "×" segments of 'referrals by service and outcome' were left out silently,
    so bars looked shorter or absent: each hidden segment's mark follows its bar now."""
    register_fonts()
    table = Table(
        "referrals",
        "Referrals by service and outcome",
        ("Referrals", "Attended", "Not attended", "Open"),
        (Row("jobcenter", (40, 30, 3, 7)), Row("vhs", (3, 3, 0, 0)), Row("x", (20, 20, 0, 0))),
        chart="stacked",
    )
    cells = suppressed_cells(table)
    hidden = [c for row in cells for c in row[1:] if not c.isdigit()]
    assert hidden  # the example hides some
    drawing = chart(table, "en")
    assert drawing is not None
    marks = [t for t in _strings(drawing) if t in ("< 5", "×")]
    assert sorted(marks) == sorted(hidden)


def test_a_grouped_bars_hidden_marks_say_whose_they_are_and_do_not_touch() -> None:
    """'Topics of the visits' in the walk-through's PDF: beside "Jobcenter" two grey "< 5",
    one on the other, and nothing said which counted the visits and which the quick contacts.
    Each hidden bar of a group has its mark after a swatch of its series' colour now, where
    the bar would start, and a group's marks are a line apart."""
    from reportlab.graphics.shapes import Rect

    from desktop_app.reports.pdf import FIGURE_SIZE, MARK_SWATCH

    register_fonts()
    table = Table(
        "topics",
        "Topics of the visits",
        ("Visits", "Quick contacts"),
        (Row("jobcenter", (4, 2)), Row("housing", (1, 9)), Row("health", (12, 3))),
        chart="grouped",
    )
    drawing = chart(table, "en")
    assert drawing is not None
    contents = list(drawing.contents)
    marks = [(n, c) for n, c in enumerate(contents) if isinstance(c, String) and c.text == "< 5"]
    assert len(marks) == 4, [c.text for c in contents if isinstance(c, String)]
    colours = []
    for n, mark in marks:
        swatch = contents[n - 1]
        assert isinstance(swatch, Rect) and swatch.width == MARK_SWATCH
        assert swatch.x + swatch.width < mark.x
        colours.append(swatch.fillColor)
    # rows bottom-up as drawn: health's quick contacts, housing's visits, jobcenter's both
    assert colours == [PALETTE[1], PALETTE[0], PALETTE[0], PALETTE[1]]
    jobcenter = sorted(mark.y for _n, mark in marks[2:])
    assert jobcenter[1] - jobcenter[0] >= FIGURE_SIZE


def test_a_chart_with_every_count_hidden_has_an_axis_of_whole_counts() -> None:
    """A month's referrals all below 5 drew no bar, and ReportLab scaled the empty axis to
    0.01: its ticks "0,002 0,004 0,006" ran into each other. It counts 0 to 5 now."""
    from reportlab.graphics.charts.barcharts import HorizontalBarChart

    register_fonts()
    table = Table(
        "referrals",
        "Referrals by service and outcome",
        ("Referrals", "Attended", "Not attended", "Open"),
        (Row("jobcenter", (8, 4, 2, 2)), Row("vhs", (3, 3, 0, 0))),  # 8 referrals: shown
        chart="stacked",
    )
    drawing = chart(table, "de")
    assert drawing is not None
    (bars,) = [c for c in drawing.contents if isinstance(c, HorizontalBarChart)]
    bars.valueAxis.configure(bars.data)
    assert [bars.valueAxis.labelTextFormat(v) for v in bars.valueAxis._tickValues] == [
        "0", "1", "2", "3", "4", "5"
    ]  # fmt: skip


def _drawn_sizes(pdf: bytes, texts: set[str]) -> list[tuple[str, float, float]]:
    """Each of ``texts`` as the PDF draws it: (text, size on the page in pt, x where it ends)."""
    from reportlab.pdfbase.pdfmetrics import stringWidth

    from desktop_app.letters.referral_letter import FONT

    found: list[tuple[str, float, float]] = []
    for page in PdfReader(io.BytesIO(pdf)).pages:

        def visit(text: str, cm: Any, tm: Any, _font: Any, size: float) -> None:
            if text.strip() in texts:
                scale = (tm[0] * cm[0] + tm[1] * cm[2]) or 1.0
                end = tm[4] * cm[0] + tm[5] * cm[2] + cm[4]
                end += stringWidth(text.strip(), FONT, size) * scale
                found.append((text.strip(), round(size * scale, 2), end))

        page.extract_text(visitor_text=visit)
    return found


def test_the_charts_hidden_marks_are_as_large_as_the_tables_figures(session: Any) -> None:
    """ "×" and "< 5" in the charts were 6 pt, too small to read on paper beside the tables'
    8.5 pt figures. In the walk-through's German and Romanian PDFs every mark, in a chart or a
    table, is printed at the figures' size now, and within the page's text width."""
    from desktop_app.reports.pdf import FIGURE_SIZE, WIDTH

    report = outcomes_store(session, WALK_THROUGH)
    for lang in ("de", "ro"):
        drawn = _drawn_sizes(render_pdf(report, lang), {"×", "< 5"})
        assert len(drawn) >= 4, (lang, drawn)  # the marks after the bar and in the table
        assert {size for _text, size, _end in drawn} == {FIGURE_SIZE}, (lang, drawn)
        assert max(end for _text, _size, end in drawn) <= 18 * mm + WIDTH, (lang, drawn)


def test_the_trends_month_not_over_is_drawn_dashed_to_a_ring_and_named() -> None:
    """December "(so far)" was drawn as a solid collapse from the month before: its segment is
    dashed now, its point a ring, and the legend says what that means."""
    register_fonts()
    drawing = chart(_quiet_march({"2026-12": "so_far"}), "en")
    assert drawing is not None
    lc = next(c for c in drawing.contents if isinstance(c, HorizontalLineChart))
    last = len(lc.data[0]) - 1
    solid = [
        k
        for k, row in enumerate(lc.data)
        if row[last] is not None
        and lc.lines[k].strokeColor is not None
        and not getattr(lc.lines[k], "strokeDashArray", None)
    ]
    assert not solid, "no solid line reaches the unfinished month"
    dashed = [k for k, row in enumerate(lc.data) if getattr(lc.lines[k], "strokeDashArray", None)]
    assert dashed and all(lc.data[k][last] is not None for k in dashed)
    assert "month not over yet: figures so far" in " ".join(_strings(drawing))
    # a finished year: no dashes, no note
    drawing = chart(_quiet_march(), "en")
    assert drawing is not None
    assert "month not over yet: figures so far" not in " ".join(_strings(drawing))


def test_new_and_returning_people_read_as_advised_for_the_first_time_and_again() -> None:
    """bg "Завърнали се отново хора" read as people who went back home; "Neue Personen" as
    newcomers: both name the advice. The Bulgarian report calls its clients "лица", as the
    rest of the program does ("хора" only there)."""
    label = reports_uc.row_label
    assert label("overview", "returning_people", "bg") == "Повторно консултирани лица"
    assert label("overview", "returning_people", "de") == "Erneut beratene Personen"
    assert label("overview", "returning_people", "ro") == "Persoane consiliate din nou"
    assert label("overview", "new_people", "de") == "Erstmals beratene Personen"
    assert label("overview", "new_people", "bg") == "За първи път консултирани лица"
    assert label("overview", "people_advised", "bg") == "Консултирани лица"
    texts = [
        *reports_uc.TABLE_TITLES.values(),
        *reports_uc.ROW_TEXTS.values(),
        *reports_uc.OVERVIEW_MEANINGS.values(),
    ]
    assert [gettext_in("bg", t) for t in texts if "хора" in gettext_in("bg", t).casefold()] == []
    assert gettext_in("bg", reports_uc.TABLE_TITLES["district"]) == "Лица по район на града"


def test_demo_activity_records_consents_most_given_some_refused(session) -> None:
    """Demo referral letters print the letter to the service only with a granted consent to
    pass data on: the demo records one per person at their first visit, most given, some
    refused, so both letters can be seen."""
    from desktop_app.usecases import referrals as referrals_uc

    today = dt.date(2026, 11, 20)
    ids = [f"p{i}" for i in range(300)]
    activity = generate_activity(ids, today, seed=3)
    first_visit: dict[str, str] = {}
    for v in sorted(activity.visits, key=lambda v: v["finished_at"]):
        first_visit.setdefault(v["person_id"], v["finished_at"][:10])
    sharing = [c for c in activity.consents if c["purpose"] == "referral_sharing"]
    assert sorted(c["person_id"] for c in sharing) == sorted(first_visit)
    assert all(c["given_on"] == first_visit[c["person_id"]] for c in activity.consents)
    refused = [c for c in sharing if not c["granted"]]
    assert 0.05 * len(sharing) < len(refused) < 0.25 * len(sharing)
    assert all(c["granted"] for c in activity.consents if c["purpose"] != "referral_sharing")
    # stored with the people, the letters show both cases
    register_many(
        session.store,
        session.user,
        [PersonDraft(f"Given{i}", f"Family{i}", "1980", nationality="BG") for i in range(40)],
    )
    people = [e.id for e in list_people(session.store, 0, 100)]
    activity = generate_activity(people, today, seed=3)
    insert_activity(session.store, activity)
    decided = {
        c["person_id"]: c["granted"]
        for c in activity.consents
        if c["purpose"] == "referral_sharing"
    }
    seen = set()
    for ref in activity.referrals:
        # the demo's consents name the services the person is referred to
        service = default_directory().get(ref["service_id"])
        consent = referrals_uc.sharing_consent(
            session.store, session.user, ref["person_id"], service
        )
        assert consent is not None and consent.granted == decided[ref["person_id"]]
        assert consent.covers == consent.granted
        seen.add(consent.granted)
    assert seen == {True, False}


# --------------------------------------------------------------------------------------------
# Counts in the language's digit grouping (the PDF), plain in the CSV and the workbook


def test_the_pdf_groups_counts_as_its_axes_do_and_the_exports_keep_plain_numbers() -> None:
    """The PDF's tables printed "1396" under an axis reading "1.000": counts stand in the
    report language's grouping now; the hidden ones' marks as they were. A spreadsheet reads
    the CSV's digits and the workbook's numbers, not "1.396"."""
    table = Table(
        "topics",
        "Topics",
        ("People",),
        (
            Row("housing", (1396,)),
            Row("health_insurance", (1203,)),
            Row("work", (3,)),
            Row("school", (27,)),
        ),
    )
    assert suppressed_cells(table) == [["1396"], ["1203"], ["< 5"], ["×"]]
    report = Report(OCTOBER, ReportFilter(), AS_OF, (table,))
    # CLDR's separators; Bulgarian groups from five digits on (its least grouping), as Qt does
    for lang, grouped in (("de", "1.396"), ("bg", "1396"), ("en", "1,396")):
        pages = PdfReader(io.BytesIO(render_pdf(report, lang))).pages
        text = "\n".join(p.extract_text() or "" for p in pages)
        lines = [line.strip() for line in text.splitlines()]
        # the table's cells, each on a line of its own as pypdf reads them back (the embedded
        # font's subset maps the no-break space to a space)
        assert format_number(1396, lang) == grouped
        assert grouped in lines and "1396" not in text.replace(grouped, ""), (lang, lines)
        assert "< 5" in lines and "×" in lines, (lang, lines)
        # the bar chart's axis above it reads the same way (it said "1000")
        assert format_number(1000, lang).replace("\u00a0", " ") in lines, (lang, lines)
        csv_rows = list(csv.reader(io.StringIO(to_csv(report, lang)), delimiter=";"))
        assert [table.label("housing", lang), "1396"] in csv_rows, lang
        assert [table.label("work", lang), "< 5"] in csv_rows, lang
        sheet = load_workbook(io.BytesIO(to_xlsx(report, lang))).active
        assert sheet is not None
        counts = [row[1] for row in sheet.iter_rows(values_only=True) if row[0] and len(row) > 1]
        assert 1396 in counts and 1203 in counts and "< 5" in counts, (lang, counts)


WALK_THROUGH = [
    ("jobcenter", "attended", 56),
    ("jobcenter", "closed", 3),
    ("jobcenter", "issued", 66),
    ("vhs", "attended", 12),
    ("vhs", "issued", 9),
]


def test_a_hidden_outcome_is_explained_beside_the_pdfs_chart_and_below_each_export_table(
    session,
) -> None:
    """The walk-through's Jobcenter: 56 attended hidden as "×" beside 3 not attended. The
    PDF's chart drew only the 66 pending and a small "×" after it, explained nowhere near:
    the chart says now what "< 5" and "×" mean, and so do the CSV and the workbook's sheet
    below the table (not only on the cover)."""
    report = outcomes_store(session, WALK_THROUGH)
    table = report.table("referrals")
    assert suppressed_cells(table)[0] == ["125", ALSO_HIDDEN, "< 5", "66"]
    small = "< 5: weniger als 5 (nicht genau gezeigt)"
    also = "×: verborgen, damit sich eine Anzahl unter 5 nicht aus einer Summe errechnen lässt"
    register_fonts()
    drawing = chart(table, "de")
    assert drawing is not None
    drawn = _strings(drawing)
    assert small in drawn
    assert any(s.startswith(also[:40]) for s in drawn)
    assert {"×", "< 5"} <= set(drawn)  # the marks after the Jobcenter's bar
    pdf = "\n".join(p.extract_text() for p in PdfReader(io.BytesIO(render_pdf(report, "de"))).pages)
    assert small in pdf and " ".join(pdf.split()).count(also) == 1  # the chart's note only
    # the CSV: the note rows right below the referrals' rows
    rows = list(csv.reader(io.StringIO(to_csv(report, "de")), delimiter=";"))
    jobcenter = next(i for i, r in enumerate(rows) if r and r[0].startswith("Jobcenter Dortmund"))
    assert rows[jobcenter][1:] == ["125", "×", "< 5", "66"]
    assert rows[jobcenter + 2][0] == small
    assert rows[jobcenter + 3][0].startswith(also)
    # the workbook: on the referrals' own sheet
    wb = load_workbook(io.BytesIO(to_xlsx(report, "ro")))
    (sheet,) = [
        ws
        for ws in wb.worksheets
        if any(
            str(row[0]).startswith("Jobcenter Dortmund") for row in ws.iter_rows(values_only=True)
        )
    ]
    notes = [row[0] for row in sheet.iter_rows(values_only=True) if row and row[0]]
    assert "< 5: mai puțin de 5 (nu apare exact)" in notes
    assert any(str(n).startswith("×: ascuns pentru ca un număr sub 5") for n in notes)
    # a table with nothing hidden has no such rows
    whole = Table("district", "x", ("People",), (Row("a", (40,)), Row("b", (9,))))
    assert not table_notes(whole, "de")


def test_rows_are_named_as_the_forms_in_force_name_them(session) -> None:
    """A next step that a coordinator's published skills check added, accepted at a visit,
    and a topic it reworded: the report names them as the form in force does, in every
    language and in the exports. The step read as its id ("after_integration_course"), the
    topic in the shipped words."""
    import datetime as dt

    from desktop_app.usecases import people, reference, visits
    from tests.unit.forms.test_forms_evaluator import full_skills_check
    from tests.unit.test_reference_forms import _edit, _shipped, raised_version
    from tests.unit.test_visits import full_life_situation

    step = {
        "de": "Deutschkurs nach dem Integrationskurs",
        "bg": "Курс по немски след интеграционния курс",
        "ro": "Curs de germană după cursul de integrare",
        "en": "German course after the integration course",
    }
    label = "{" + ", ".join(f'{k}: "{v}"' for k, v in step.items()) + "}"
    files = _shipped()
    files["skills_check.yaml"] = raised_version(files["skills_check.yaml"]).rstrip("\n") + (
        "\n  - id: after_integration_course\n"
        "    when: \"latin_literacy == 'fluent'\"\n"
        "    service: vhs\n"
        f"    label: {label}\n"
    )
    _edit(
        files, "life_situation.yaml", 'de: "Deutschkurs / Integrationskurs"', 'de: "Deutsch lernen"'
    )
    reference.publish_forms(session.store, session.user, files, "new step")
    store, user = session.store, session.user
    pid = people.register_person(store, user, PersonDraft("Ion", "Popescu", "1991")).id
    accepted = {"after_integration_course": "accepted"}
    visits.finish_visit(store, user, pid, "skills_check", full_skills_check(), next_steps=accepted)
    life = full_life_situation() | {"topics": ["language_course"]}
    visits.finish_visit(store, user, pid, "life_situation", life)
    report = reports_uc.build_report(
        store, user, reports_uc.parse_period(str(dt.date.today().year))
    )
    steps, topics = report.table("next_steps"), report.table("topics")
    assert steps.value("after_integration_course", 1) == 1
    for lang, text in step.items():
        assert steps.label("after_integration_course", lang) == text
    assert topics.label("language_course", "de") == "Deutsch lernen"
    csv_text = to_csv(report, "bg")
    assert step["bg"] in csv_text and "after_integration_course" not in csv_text
