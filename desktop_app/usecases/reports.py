"""Figures for coordinators and funders over a period: people advised, topics, referrals, trends.

Every figure is computed in SQL (GROUP BY over the report facts — one narrow row per visit, rows
per person and month or year, referrals per month and outcome, all kept by triggers, see
``storage/reports_models`` — and over quick contacts); Python only
maps the few resulting groups to report keys (ISO nationality -> option id, postal code ->
district, a distinct topic list -> its topics). Exports suppress small counts with
:func:`suppressed`.
"""

from __future__ import annotations

import calendar
import datetime as dt
import json
import re
import uuid
from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass, field, replace
from functools import cache
from itertools import pairwise
from typing import Any

import yaml
from babel import Locale, UnknownLocaleError
from sqlalchemy import (
    Column,
    ColumnElement,
    Integer,
    MetaData,
    Select,
    String,
    and_,
    case,
    distinct,
    false,
    func,
    literal_column,
    or_,
    select,
    true,
    update,
)
from sqlalchemy import (
    Table as SqlTable,
)
from sqlalchemy.orm import Session as DbSession

from desktop_app.domain.permissions import Action, require
from desktop_app.domain.service import LocalizedText
from desktop_app.domain.users import User
from desktop_app.forms import FormDefinition
from desktop_app.forms.labels import label as pick_label
from desktop_app.i18n.formatting import date_locale
from desktop_app.i18n.messages import removed_service_name
from desktop_app.i18n.text import LANGUAGES, N_, gettext_in
from desktop_app.letters.directory import ServiceDirectory
from desktop_app.paths import resource
from desktop_app.storage.audit_models import AuditRow
from desktop_app.storage.db import Store
from desktop_app.storage.models import PersonRow, UserRow, table
from desktop_app.storage.referrals_models import ReferralRow
from desktop_app.storage.reports_models import (
    EHIC_EXPIRED,
    EHIC_NO_DATE,
    EHIC_VALID,
    ReportFactRow,
    ReportMonthAnswersRow,
    ReportMonthReferralsRow,
    ReportPersonMonthRow,
    ReportPersonRow,
    ReportPersonYearRow,
)
from desktop_app.storage.visits_models import QuickContactRow
from desktop_app.sync import laptops
from desktop_app.usecases import audit, reference

LIFE_SITUATION = "life_situation"
SKILLS_CHECK = "skills_check"
DEFAULT_THRESHOLD = 5
UNKNOWN = "unknown"
#: the district figure's row of the people advised with no check on the life situation in the
#: period (their district is not known for it)
NO_LIFE_CHECK = "no_life_check"
CEFR_ORDER = ("none", "A1", "A2", "B1", "B2", "C1", "C2")  # a scale: no German first

#: Member states other than Bulgaria and Romania, for the "other EU" group of nationalities.
_EU_OTHER = frozenset(
    {"AT", "BE", "CY", "CZ", "DE", "DK", "EE", "ES", "FI", "FR", "GR", "HR", "HU"}
    | {"IE", "IT", "LT", "LU", "LV", "MT", "NL", "PL", "PT", "SE", "SI", "SK"}
)
_NOT_NON_EU = (*_EU_OTHER, "BG", "RO", "", "XX", "XS", "ZZ")

facts = table(ReportFactRow)
answers = table(ReportMonthAnswersRow)
month_referrals = table(ReportMonthReferralsRow)
person_months = table(ReportPersonMonthRow)
person_years = table(ReportPersonYearRow)
persons = table(ReportPersonRow)
referrals = table(ReferralRow)
quick = table(QuickContactRow)
people = table(PersonRow)


#: The people advised in the period with what the per-person figures count, filled once per
#: report (see ``_fill_advised``). A TEMP table lives in memory (temp_store = MEMORY) and only in
#: this connection.
_advised_tmp = SqlTable(
    "report_advised_people",
    MetaData(),
    Column("person_key", Integer, primary_key=True),
    Column("returns", Integer),
    Column("nationality", String(2)),
    Column("first_insurance", String(40)),
    Column("last_insurance", String(40)),
    #: the latest life situation in the period: 0 none, 1 known (columns below), 2 to look up
    Column("life", Integer),
    Column("postal_code", String(20)),
    Column("has_children", Integer),
    Column("children_here", Integer),
    prefixes=["TEMPORARY"],
)
_LOOK_UP = 2


class PeriodError(ValueError):
    """A period text that is not a month, quarter, year, week or range."""


# --------------------------------------------------------------------------------------------
# Periods


@dataclass(frozen=True)
class Period:
    """Calendar days ``start`` to ``end`` inclusive; ``kind`` is month/quarter/year/week/custom."""

    start: dt.date
    end: dt.date
    kind: str
    text: str

    @property
    def end_exclusive(self) -> dt.date:
        return self.end + dt.timedelta(days=1)

    def months(self) -> list[str]:
        """``YYYY-MM`` of every month the period touches."""
        out, y, m = [], self.start.year, self.start.month
        while (y, m) <= (self.end.year, self.end.month):
            out.append(f"{y:04d}-{m:02d}")
            y, m = (y + 1, 1) if m == 12 else (y, m + 1)
        return out


def first_week_day(locale: str) -> int:
    """0 = Monday … 6 = Sunday, as the locale's calendars start their weeks (Babel)."""
    try:
        return int(Locale.parse(locale.replace("-", "_")).first_week_day)
    except (UnknownLocaleError, ValueError):
        return 0


def week_start(day: dt.date, locale: str) -> dt.date:
    """The first day of the week holding ``day``, for the locale (Monday in de/bg/ro)."""
    return day - dt.timedelta(days=(day.weekday() - first_week_day(locale)) % 7)


_MONTH = re.compile(r"^(\d{4})-(\d{2})$")
_QUARTER = re.compile(r"^(\d{4})-[Qq]([1-4])$")
_YEAR = re.compile(r"^(\d{4})$")
_WEEK = re.compile(r"^(\d{4})-[Ww](\d{2})$")
_RANGE = re.compile(r"^(\d{4}-\d{2}-\d{2})\s*(?:\.\.|/|–)\s*(\d{4}-\d{2}-\d{2})$")


def month_period(year: int, month: int) -> Period:
    last = calendar.monthrange(year, month)[1]
    return Period(
        dt.date(year, month, 1), dt.date(year, month, last), "month", f"{year}-{month:02d}"
    )


def parse_period(text: str, locale: str = "de") -> Period:
    """``2026-10`` (month), ``2026-Q3``, ``2026``, ``2026-W40`` (the locale's week holding the
    ISO week's Thursday) or ``2026-10-01..2026-12-31`` (custom, both days included)."""
    s = text.strip()
    try:
        if m := _MONTH.match(s):
            return month_period(int(m[1]), int(m[2]))
        if m := _QUARTER.match(s):
            y, q = int(m[1]), int(m[2])
            first = month_period(y, 3 * q - 2)
            return Period(first.start, month_period(y, 3 * q).end, "quarter", f"{y}-Q{q}")
        if m := _YEAR.match(s):
            y = int(m[1])
            return Period(dt.date(y, 1, 1), dt.date(y, 12, 31), "year", str(y))
        if m := _WEEK.match(s):
            thursday = dt.date.fromisocalendar(int(m[1]), int(m[2]), 4)
            start = week_start(thursday, locale)
            return Period(start, start + dt.timedelta(days=6), "week", f"{m[1]}-W{m[2]}")
        if m := _RANGE.match(s):
            a, b = dt.date.fromisoformat(m[1]), dt.date.fromisoformat(m[2])
            if b < a:
                raise PeriodError(text)
            return Period(a, b, "custom", f"{a.isoformat()}..{b.isoformat()}")
    except ValueError as exc:
        raise PeriodError(text) from exc
    raise PeriodError(text)


def trend_months(period: Period, count: int = 12) -> list[str]:
    """The ``count`` months ending with the period's last month."""
    y, m = period.end.year, period.end.month
    out = []
    for _ in range(count):
        out.append(f"{y:04d}-{m:02d}")
        y, m = (y - 1, 12) if m == 1 else (y, m - 1)
    return list(reversed(out))


# --------------------------------------------------------------------------------------------
# Report structure


@dataclass(frozen=True)
class ReportFilter:
    """Only records from one laptop (``device_id``) and/or by one advisor (``author_id``)."""

    device_id: str | None = None
    author_id: str | None = None


@dataclass(frozen=True)
class Row:
    """One line of a table: a key (option id, service id, month …) and its counts."""

    key: str
    values: tuple[int, ...]


UNFINISHED = {"so_far": N_("{label} (so far)"), "not_yet": N_("{label} (not yet)")}
# what the charts' marks mean: in the PDF's legends; the dashboard's titles say them whole
HIDDEN_NOTE = N_("fewer than {threshold} (not shown exactly)")
ALSO_HIDDEN_NOTE = N_(
    "hidden so that a count below {threshold} cannot be worked out from a total (of any size)"
)
SO_FAR_NOTE = N_("month not over yet: figures so far")
#: what the figures that count visits by their answers count: their rows add up to more than
#: the visits (the topics of November: 2,432 beside 1,543 visits)
TOPICS_NOTE = N_(
    "A visit or quick contact may name several topics and counts under each: the rows add up "
    "to more than the visits and quick contacts."
)
NEXT_STEPS_NOTE = N_(
    "A visit may suggest several next steps and counts under each: the rows add up to more "
    "than the visits."
)
#: a count's tooltip in the dashboard's table, where the exports hide it
EXPORTS_SHOW = N_("The exports show “{mark}” here: {meaning}")


@dataclass(frozen=True)
class Table:
    """One figure of the report: ``title`` and ``columns`` are gettext msgids."""

    key: str
    title: str
    columns: tuple[str, ...]
    rows: tuple[Row, ...]
    #: "bars" (first column), "grouped" (all columns), "stacked" (all but the first, which is
    #: their sum) or "line" (over months): how the dashboard and the PDF draw it
    chart: str = "bars"
    #: names of rows by key in each language, where they come from data in force on this
    #: laptop (the services of the published directory) rather than from the program
    names: Mapping[str, LocalizedText] = field(default_factory=dict, compare=False)
    #: rows counted over part of their time only: the trend's month that is not over on the
    #: report's day ("so_far") and months after it ("not_yet"), so no reader takes the smaller
    #: figures for a drop
    unfinished: Mapping[str, str] = field(default_factory=dict)
    #: what the rows count, as a msgid, where they do not add up to a figure of the report
    #: (a visit naming two topics counts under both): said below the table and in the chart
    note: str = ""
    #: what a row counts, as a msgid by row key, where its name alone does not say (the
    #: overview's "Households with children" counts only people with a check on the life
    #: situation in the period): the row's tooltip on screen, a line under the table in
    #: every export (a funder reading the PDF had no tooltip)
    row_notes: Mapping[str, str] = field(default_factory=dict)

    def label(self, row_key: str, lang: str) -> str:
        """The text of row ``row_key`` in ``lang`` (``row_label``, with this table's names)."""
        named = self.names.get(row_key)
        text = named.get(lang) if named else row_label(self.key, row_key, lang)
        if (state := self.unfinished.get(row_key)) in UNFINISHED:
            return gettext_in(lang, UNFINISHED[state]).format(label=text)
        return text

    def row_meanings(self, lang: str) -> list[tuple[str, str]]:
        """(row's text as the table shows it, what it counts) in ``lang`` for the rows with
        a ``row_notes`` entry, in the rows' order."""
        return [
            (self.label(row.key, lang), gettext_in(lang, self.row_notes[row.key]))
            for row in self.rows
            if row.key in self.row_notes
        ]

    def value(self, row_key: str, column: int = 0) -> int:
        for row in self.rows:
            if row.key == row_key:
                return row.values[column]
        return 0

    def as_dict(self, column: int = 0) -> dict[str, int]:
        return {row.key: row.values[column] for row in self.rows}


@dataclass(frozen=True)
class Report:
    period: Period
    filters: ReportFilter
    as_of: dt.date
    tables: tuple[Table, ...] = field(default_factory=tuple)
    #: the organisation the report is of (the letterhead's name in the settings)
    organisation: str = ""
    #: the laptop and the advisor the filters chose, as this laptop knows them: the laptop's
    #: name in the team's records, the advisor's account name ("" where none is known here;
    #: accounts do not sync). The exports' header named both by their ids ("Laptop
    #: 1404bdca-169d-…"), which told a funder nothing.
    device_name: str = ""
    author_name: str = ""
    #: the filter's laptop is the one the report was made on
    device_is_own: bool = False

    def table(self, key: str) -> Table:
        for t in self.tables:
            if t.key == key:
                return t
        raise KeyError(key)


# A count hidden only so that a small one cannot be worked out from a total: it may be any
# size, so it must not read as "< 5" (a funder would take 12 for fewer than 5).
ALSO_HIDDEN = "×"


def suppressed(value: int, threshold: int = DEFAULT_THRESHOLD) -> str:
    """The count as exports show it: 1 … threshold-1 become ``"< threshold"`` (0 stays 0)."""
    if 0 < value < threshold:
        return f"< {threshold}"
    return str(value)


def mark_notes(marks: Iterable[str], lang: str, threshold: int = DEFAULT_THRESHOLD) -> list[str]:
    """What the hidden counts' marks among ``marks`` mean, one line each ("< 5: fewer than 5
    …", "×: hidden so that …"): beside every chart, below every table that shows them. A
    hidden segment was a small mark after its bar and nothing said what it meant: the
    Jobcenter's bar read as if nobody had attended."""
    present = set(marks)
    return [
        f"{mark}: {mark_meaning(mark, lang, threshold)}"
        for mark in (f"< {threshold}", ALSO_HIDDEN)
        if mark in present
    ]


def mark_meaning(mark: str, lang: str, threshold: int = DEFAULT_THRESHOLD) -> str:
    """What one mark of a hidden count means, in ``lang``."""
    meaning = ALSO_HIDDEN_NOTE if mark == ALSO_HIDDEN else HIDDEN_NOTE
    return gettext_in(lang, meaning).format(threshold=threshold)


def hidden_marks(table: Table, threshold: int = DEFAULT_THRESHOLD) -> set[str]:
    """The marks of hidden counts the table shows in exports ("< 5", "×")."""
    return {c for row in suppressed_cells(table, threshold) for c in row if not c.isdigit()}


def _hide_one_more(cells: list[tuple[int, int]], hidden: set[tuple[int, int]], values: Any) -> bool:
    """If exactly one cell of a group is hidden, hide the smallest other count too, so the
    hidden one cannot be worked out from a published total; says whether it hid one."""
    shown = [c for c in cells if c not in hidden and values[c[0]][c[1]] > 0]
    if len(cells) - len(shown) - sum(values[r][k] == 0 for r, k in cells) == 1 and shown:
        hidden.add(min(shown, key=lambda c: values[c[0]][c[1]]))
        return True
    return False


def _summed_groups(table: Table) -> list[list[tuple[int, int]]]:
    """The groups of cells whose sum another figure shows: a hidden one among them alone
    could be worked out by subtraction."""
    n, keys = len(table.rows), [r.key for r in table.rows]
    # The EHIC figure's rows add up to the people who came with an EHIC: the insurance
    # figure's "EHIC" counts are mostly the same people (in a year of the demo, 16 and 6 + 7
    # + a hidden 3), so a count hidden there alone is hidden beside another, as everywhere.
    if table.key == "trend":
        return []
    if table.key == "overview":
        if "new_people" in keys and "returning_people" in keys:
            return [[(keys.index("new_people"), 0), (keys.index("returning_people"), 0)]]
        return []
    # The referrals' outcome columns: no figure shows their sums (the overview counts the
    # referrals, not their outcomes). Hiding one more outcome in each of them as well hid
    # counts of any size in other services' rows for nothing.
    columns = [0] if table.key == "referrals" else range(len(table.columns))
    groups = [[(i, j) for i in range(n)] for j in columns]
    if table.key == "referrals":  # each row's outcomes sum to its first column: one group
        groups += [[(i, j) for j in range(len(table.columns))] for i in range(n)]
    return groups


def suppressed_cells(table: Table, threshold: int = DEFAULT_THRESHOLD) -> list[list[str]]:
    """The table's counts as exports show them.

    Counts from 1 to threshold-1 are hidden ("< 5"); then, so no hidden count can be recovered
    by subtraction, the smallest other count is hidden in every group whose sum another figure
    shows (:func:`_summed_groups`) and that has exactly one hidden: shown as ``ALSO_HIDDEN``,
    since it may be of any size. Until no group has one alone: a count hidden for a row may
    be the only one hidden in its column.
    """
    values = [list(r.values) for r in table.rows]
    small = {(i, j) for i, row in enumerate(values) for j, v in enumerate(row) if 0 < v < threshold}
    hidden = set(small)
    groups = _summed_groups(table)
    while any([_hide_one_more(group, hidden, values) for group in groups]):
        pass

    def shown(cell: tuple[int, int], value: int) -> str:
        if cell in small:
            return f"< {threshold}"
        return ALSO_HIDDEN if cell in hidden else str(value)

    return [[shown((i, j), v) for j, v in enumerate(row)] for i, row in enumerate(values)]


# --------------------------------------------------------------------------------------------
# SQL pieces


def _day(day: dt.date) -> int:
    """A date as the YYYYMMDD integer the report facts hold."""
    return day.year * 10_000 + day.month * 100 + day.day


def _chosen(t: Any, filters: ReportFilter) -> list[ColumnElement[bool]]:
    """Conditions on table ``t`` (its ``device_id`` and ``author_id``) for the laptop and the
    advisor ``filters`` choose: none where it chooses all."""
    conds: list[ColumnElement[bool]] = []
    if filters.device_id:
        conds.append(t.c.device_id == filters.device_id)
    if filters.author_id:
        conds.append(t.c.author_id == filters.author_id)
    return conds


def _fact_filter(
    period: Period, filters: ReportFilter, form_id: str | None = None
) -> list[ColumnElement[bool]]:
    conds: list[ColumnElement[bool]] = [
        facts.c.day >= _day(period.start),
        facts.c.day <= _day(period.end),
    ]
    if form_id is not None:
        conds.append(facts.c.form_id == form_id)
    return conds + _chosen(facts, filters)


def _dated_filter(
    t: Any, column: Any, period: Period, filters: ReportFilter
) -> list[ColumnElement[bool]]:
    return [
        t.c.deleted == false(),
        column >= period.start.isoformat(),
        column < period.end_exclusive.isoformat(),
        *_chosen(t, filters),
    ]


#: ``person_key`` as an expression: keeps SQLite from walking ix_report_facts_person (all the
#: facts, in person order) where the period's range of the key (day, visit) reads far fewer
_PERSON_KEY = (facts.c.person_key + literal_column("0")).label("person_key")


def _advised(period: Period, filters: ReportFilter) -> Any:
    """Subquery: distinct keys of the people with a visit in the period.

    Whole years and whole months (no filter) come from the keys per person and year or month
    (a range of a small primary key), other periods from the facts of their days."""
    if not (filters.device_id or filters.author_id):
        whole, parts = _month_parts(period)
        years = _whole_years(period)
        if years:
            py = person_years
            return (
                select(py.c.person_key)
                .where(py.c.year.between(years[0], years[-1]))
                .distinct()
                .subquery("advised")
            )
        if whole and not parts:
            pm = person_months
            return (
                select(pm.c.person_key).where(pm.c.month.in_(whole)).distinct().subquery("advised")
            )
    return select(_PERSON_KEY).where(*_fact_filter(period, filters)).distinct().subquery("advised")


def _whole_years(period: Period) -> list[int]:
    """The years of a period made of whole calendar years (else none)."""
    if (period.start.month, period.start.day, period.end.month, period.end.day) != (1, 1, 12, 31):
        return []
    return list(range(period.start.year, period.end.year + 1))


def _latest_life_situation(period: Period, filters: ReportFilter, *also: Any) -> Any:
    """Subquery: facts of each advised person's latest life-situation visit in the period.

    One GROUP BY: with a single ``max()`` SQLite takes the other columns from the row holding it.
    """
    return (
        select(
            _PERSON_KEY,
            func.max(facts.c.finished_at).label("finished_at"),
            facts.c.postal_code,
            facts.c.has_children,
            facts.c.children_here,
        )
        .where(*_fact_filter(period, filters, LIFE_SITUATION), *also)
        .group_by(_PERSON_KEY.element)
        .subquery("latest")
    )


#: a closed referral whose history shows the person went (counted as attended)
_ATTENDED_BEFORE = referrals.c.status_history.like('%"status": "attended"%')


def nationality_key(iso: str) -> str:
    """Person nationality (ISO code) as the quick-contact option id, so both count together."""
    code = (iso or "").upper()
    if not code:
        return UNKNOWN
    if code == "BG":
        return "bulgarian"
    if code == "RO":
        return "romanian"
    if code in _EU_OTHER:
        return "other_eu"
    if code in {"XX", "XS", "ZZ"}:
        return "stateless_unclear"
    return "non_eu"


@dataclass(frozen=True)
class District:
    key: str
    labels: Mapping[str, str]
    postal_codes: tuple[str, ...]


@cache
def districts() -> tuple[District, ...]:
    """The city's districts with their postal codes (``resources/districts/dortmund.yaml``)."""
    data = yaml.safe_load(resource("districts", "dortmund.yaml").read_text(encoding="utf-8"))
    return tuple(
        District(key, dict(d["label"]), tuple(str(p) for p in d["postal_codes"]))
        for key, d in data["districts"].items()
    )


@cache
def _district_of_postcode() -> dict[str, str]:
    return {p: d.key for d in districts() for p in d.postal_codes}


def district_key(postal_code: str | None) -> str:
    """The district of a postal code; ``outside`` for other codes, ``unknown`` if none given."""
    code = (postal_code or "").strip()
    if not code:
        return UNKNOWN
    return _district_of_postcode().get(code, "outside")


def _ordered(counts: Mapping[str, tuple[int, ...]], order: Iterable[str]) -> tuple[Row, ...]:
    """Rows in the given key order first (zeros kept off unless counted), then the rest."""
    seen: list[str] = [k for k in order if k in counts]
    seen += sorted(k for k in counts if k not in seen)
    return tuple(Row(k, counts[k]) for k in seen)


def _add(acc: dict[str, list[int]], key: str, column: int, value: int, width: int) -> None:
    acc.setdefault(key, [0] * width)[column] += int(value or 0)


# --------------------------------------------------------------------------------------------
# The figures


def _fill_advised(s: DbSession, period: Period, filters: ReportFilter) -> None:
    """One row per person advised in the period into the TEMP table, with what the per-person
    figures count: returning, nationality, insurance and the latest life situation.

    Most of it is copied from the person's report key row (kept by triggers); only people whose
    latest answers lie after the period, or every person when a filter is set, need a look into
    their facts of the period.
    """
    tmp = _advised_tmp
    start, end = period.start.isoformat(), period.end_exclusive.isoformat()
    latest_insurance_before_end = (
        select(facts.c.insurance)
        .where(
            facts.c.person_key == persons.c.key,
            facts.c.finished_at < end,
            facts.c.insurance.is_not(None),
        )
        .order_by(facts.c.finished_at.desc())
        .limit(1)
        .scalar_subquery()
    )
    no_life = or_(persons.c.last_life_at.is_(None), persons.c.last_life_at < start)
    if filters.device_id or filters.author_id:
        life = case((no_life, 0), else_=_LOOK_UP)
    else:
        life = case((no_life, 0), (persons.c.last_life_at < end, 1), else_=_LOOK_UP)
    advised = _advised(period, filters)
    s.execute(
        tmp.insert().from_select(
            [c.name for c in tmp.columns],
            select(
                advised.c.person_key,
                case((persons.c.first_day < _day(period.start), 1), else_=0),
                persons.c.nationality,
                case((persons.c.first_insurance_at < end, persons.c.first_insurance)),
                case(
                    (persons.c.last_insurance_at < end, persons.c.last_insurance),
                    (persons.c.first_insurance_at < end, latest_insurance_before_end),
                ),
                life,
                persons.c.last_life_postal_code,
                persons.c.last_life_has_children,
                persons.c.last_life_children_here,
            ).select_from(advised.join(persons, persons.c.key == advised.c.person_key)),
        )
    )
    if s.scalar(select(tmp.c.person_key).where(tmp.c.life == _LOOK_UP).limit(1)) is None:
        return
    to_look_up = select(tmp.c.person_key).where(tmp.c.life == _LOOK_UP)
    latest = _latest_life_situation(period, filters, _PERSON_KEY.element.in_(to_look_up))
    s.execute(
        update(tmp)
        .where(tmp.c.person_key == latest.c.person_key)
        .values(
            life=1,
            postal_code=latest.c.postal_code,
            has_children=latest.c.has_children,
            children_here=latest.c.children_here,
        )
    )
    s.execute(update(tmp).where(tmp.c.life == _LOOK_UP).values(life=0))


def _referral_groups(s: DbSession, period: Period, filters: ReportFilter) -> list[tuple[Any, ...]]:
    """(month, in the period?, service, outcome, referrals) over the period and the trend's 12
    months, for the three figures that count referrals: whole months from the monthly counts
    (``report_month_referrals``, outcomes kept by triggers), the parts of months the span or the
    period's start cut from the referrals themselves."""
    span_start = min(period.start, dt.date.fromisoformat(trend_months(period)[0] + "-01"))
    span = Period(span_start, period.end, "custom", "")
    found: dict[tuple[str, int, str, str], int] = {}
    whole: list[int] = []
    for text in span.months():
        month = month_period(int(text[:4]), int(text[5:]))
        lo, hi = max(span.start, month.start), min(span.end, month.end)
        if (lo, hi) == (month.start, month.end) and not lo < period.start <= hi:
            whole.append(int(text[:4] + text[5:]))
            continue
        cuts = [lo, hi + dt.timedelta(days=1)]
        if lo < period.start <= hi:
            cuts.insert(1, period.start)
        for a, b in pairwise(cuts):
            part = Period(a, b - dt.timedelta(days=1), "custom", "")
            _referrals_of_part(s, part, period, filters, found)
    if whole:
        mr = month_referrals
        conds: list[Any] = [mr.c.month.in_(whole), *_chosen(mr, filters)]
        first = period.start.year * 100 + period.start.month
        for m, service, outcome, n in s.execute(
            select(mr.c.month, mr.c.service_id, mr.c.outcome, func.sum(mr.c.referrals))
            .where(*conds)
            .group_by(mr.c.month, mr.c.service_id, mr.c.outcome)
        ):
            text = f"{int(m) // 100:04d}-{int(m) % 100:02d}"
            key = (text, int(m >= first), str(service), str(outcome))
            found[key] = found.get(key, 0) + int(n)
    return [(*key, n) for key, n in found.items() if n]


def _referrals_of_part(
    s: DbSession,
    part: Period,
    period: Period,
    filters: ReportFilter,
    found: dict[tuple[str, int, str, str], int],
) -> None:
    """Adds the referrals made in ``part`` (days of one month) to ``found``: statuses from
    ix_referrals_created alone; the history only of closed referrals (attended before they
    were closed?)."""
    month = func.substr(referrals.c.created_at, 1, 7).label("month")
    in_period = case((referrals.c.created_at >= period.start.isoformat(), 1), else_=0).label("p")
    conds = _dated_filter(referrals, referrals.c.created_at, part, filters)
    for m, p, service, status, n in s.execute(
        select(month, in_period, referrals.c.service_id, referrals.c.status, func.count())
        .where(*conds)
        .group_by(month, in_period, referrals.c.service_id, referrals.c.status)
    ):
        if status in ("attended", "outcome_noted"):
            outcome = "attended"
        elif status == "closed":
            outcome = "not_attended"
        else:
            outcome = "pending"
        key = (str(m), int(p), str(service), outcome)
        found[key] = found.get(key, 0) + int(n)
    for m, p, service, n in s.execute(
        select(month, in_period, referrals.c.service_id, func.count())
        .where(*conds, referrals.c.status == "closed", _ATTENDED_BEFORE)
        .group_by(month, in_period, referrals.c.service_id)
    ):
        closed = (str(m), int(p), str(service), "not_attended")
        found[closed] -= int(n)
        attended = (str(m), int(p), str(service), "attended")
        found[attended] = found.get(attended, 0) + int(n)


def _overview(
    s: DbSession,
    period: Period,
    filters: ReportFilter,
    as_of: dt.date,
    referral_groups: list[tuple[Any, ...]],
) -> Table:
    tmp = _advised_tmp
    known = tmp.c.life == 1
    people_advised, returning, households, children_here = s.execute(
        select(
            func.count(),
            func.coalesce(func.sum(tmp.c.returns), 0),
            func.coalesce(func.sum(case((and_(known, tmp.c.has_children > 0), 1), else_=0)), 0),
            func.coalesce(func.sum(case((known, tmp.c.children_here), else_=0)), 0),
        )
    ).one()
    new_people = people_advised - returning
    visit_count = s.scalar(
        select(func.count()).select_from(facts).where(*_fact_filter(period, filters))
    )
    quick_count = s.scalar(
        select(func.count())
        .select_from(quick)
        .where(*_dated_filter(quick, quick.c.contact_date, period, filters))
    )
    referral_count = sum(n for _m, in_period, _s, _o, n in referral_groups if in_period)
    # Overdue follow-ups: of the period's referrals (a part of the figure above it, never
    # more: counted over all referrals ever made, October showed 2633 beside 520 referrals),
    # those still open whose follow-up day has passed on the report's day. A referral's status
    # is only known as it is now, so the count is as of that day, and its label says so
    # ("Stand 04.12.2026"); it is not a figure of the period's end.
    overdue = s.scalar(
        select(func.count())
        .select_from(referrals)
        .where(
            *_dated_filter(referrals, referrals.c.created_at, period, filters),
            referrals.c.status != "closed",
            referrals.c.follow_up != "",
            referrals.c.follow_up < as_of.isoformat(),
        )
    )
    counts = {
        "people_advised": people_advised,
        "new_people": new_people,
        "returning_people": people_advised - new_people,
        "visits": visit_count,
        "quick_contacts": quick_count,
        "referrals": referral_count,
        "follow_ups_overdue": overdue,
        "households_with_children": households,
        "children_in_households": children_here,
    }
    return Table(
        "overview",
        N_("Overview"),
        (N_("Count"),),
        tuple(Row(k, (int(v or 0),)) for k, v in counts.items()),
        names={
            "follow_ups_overdue": LocalizedText(
                {
                    lang: gettext_in(lang, OVERDUE_ON).format(date=format_day(as_of, lang))
                    for lang in LANGUAGES
                }
            )
        },
        row_notes=OVERVIEW_MEANINGS,
    )


#: the overview's overdue follow-ups, with the day they are counted on
OVERDUE_ON = N_("of these, follow-up overdue (as of {date})")


def _nationality(s: DbSession, period: Period, filters: ReportFilter) -> Table:
    tmp = _advised_tmp
    acc: dict[str, list[int]] = {}
    # A person whose record is not (yet) on this laptop (their visits came first) counts as
    # "not stated": left out, the rows did not add up to the people advised.
    for iso, n in s.execute(select(tmp.c.nationality, func.count()).group_by(tmp.c.nationality)):
        _add(acc, nationality_key(iso or ""), 0, n, 2)
    for option, n in s.execute(
        select(quick.c.nationality, func.count())
        .where(*_dated_filter(quick, quick.c.contact_date, period, filters))
        .group_by(quick.c.nationality)
    ):
        _add(acc, option or UNKNOWN, 1, n, 2)
    order = ("bulgarian", "romanian", "other_eu", "non_eu", "stateless_unclear", UNKNOWN)
    return Table(
        "nationality",
        N_("People by nationality"),
        (N_("People advised"), N_("Quick contacts")),
        _ordered({k: tuple(v) for k, v in acc.items()}, order),
        chart="grouped",
    )


def _district(s: DbSession) -> Table:
    """The people advised by the district of their latest life situation's postal code in the
    period; those with no check on the life situation in the period in a row of their own
    (``NO_LIFE_CHECK``): without it the rows fell short of the people advised (November:
    1,202 of 1,385) and nothing said why."""
    tmp = _advised_tmp
    acc: dict[str, list[int]] = {}
    for life, code, n in s.execute(
        select(tmp.c.life, tmp.c.postal_code, func.count()).group_by(tmp.c.life, tmp.c.postal_code)
    ):
        key = district_key(None if code is None else str(code)) if life == 1 else NO_LIFE_CHECK
        _add(acc, key, 0, n, 1)
    order = [d.key for d in districts()] + ["outside", UNKNOWN, NO_LIFE_CHECK]
    return Table(
        "district",
        N_("People by district"),
        (N_("People advised"),),
        _ordered({k: tuple(v) for k, v in acc.items()}, order),
    )


def _month_parts(period: Period) -> tuple[list[int], list[Period]]:
    """The period as whole months (YYYYMM) and the parts of months it cuts (at most two)."""
    whole: list[int] = []
    parts: list[Period] = []
    for text in period.months():
        month = month_period(int(text[:4]), int(text[5:]))
        if period.start <= month.start and month.end <= period.end:
            whole.append(int(text[:4] + text[5:]))
        else:
            part = (max(period.start, month.start), min(period.end, month.end))
            parts.append(Period(part[0], part[1], "custom", ""))
    return whole, parts


def _answer_groups(s: DbSession, period: Period, filters: ReportFilter) -> list[tuple[Any, ...]]:
    """(form, topic list, German level, next steps, visits) per distinct combination in the
    period, for three figures: whole months from the monthly counts (``report_month_answers``),
    the parts of months a period cuts from the facts. The JSON texts come back parsed (None
    where a visit has none)."""
    found: dict[tuple[str, str, str, str], int] = {}
    whole, parts = _month_parts(period)
    queries: list[Select[Any]] = []
    if whole:
        a = answers
        conds: list[Any] = [a.c.month.in_(whole), *_chosen(a, filters)]
        counted: list[Any] = [a.c.form_id, a.c.topics, a.c.german_level, a.c.next_steps]
        queries.append(select(*counted, func.sum(a.c.visits)).where(*conds).group_by(*counted))
    for part in parts:
        cut: list[Any] = [
            facts.c.form_id,
            func.coalesce(facts.c.topics, ""),
            func.coalesce(facts.c.german_level, ""),
            func.coalesce(facts.c.next_steps, ""),
        ]
        queries.append(
            select(*cut, func.count()).where(*_fact_filter(part, filters)).group_by(*cut)
        )
    for stmt in queries:
        for form_id, topics, level, steps, n in s.execute(stmt):
            k = (str(form_id), str(topics), str(level), str(steps))
            found[k] = found.get(k, 0) + int(n)
    return [
        (
            form_id,
            json.loads(topics) if topics else None,
            level or None,
            json.loads(steps) if steps else None,
            n,
        )
        for (form_id, topics, level, steps), n in found.items()
    ]


def _topics(
    s: DbSession, period: Period, filters: ReportFilter, groups: list[tuple[Any, ...]]
) -> Table:
    acc: dict[str, list[int]] = {}
    for form_id, topics, _level, _steps, n in groups:
        if form_id == LIFE_SITUATION and isinstance(topics, list):
            for topic in topics:
                _add(acc, str(topic), 0, n, 2)
    qtopic = func.json_each(quick.c.topics).table_valued("value").alias("qtopic")
    for key, n in s.execute(
        select(qtopic.c.value, func.count())
        .select_from(quick.join(qtopic, true()))
        .where(*_dated_filter(quick, quick.c.contact_date, period, filters))
        .group_by(qtopic.c.value)
    ):
        _add(acc, str(key), 1, n, 2)
    rows = sorted(acc.items(), key=lambda kv: (-kv[1][0] - kv[1][1], kv[0]))
    return Table(
        "topics",
        N_("Topics of the visits"),
        (N_("Visits"), N_("Quick contacts")),
        tuple(Row(k, tuple(v)) for k, v in rows),
        chart="grouped",
        note=TOPICS_NOTE,
    )


def _insurance(s: DbSession) -> Table:
    """The people advised by their first and their latest insurance answer up to the period's
    end; a person never asked (only skills checks so far) under "not stated", so each column
    adds up to the people advised."""
    tmp = _advised_tmp
    acc: dict[str, list[int]] = {}
    for first_answer, last_answer, n in s.execute(
        select(tmp.c.first_insurance, tmp.c.last_insurance, func.count()).group_by(
            tmp.c.first_insurance, tmp.c.last_insurance
        )
    ):
        _add(acc, str(first_answer or UNKNOWN), 0, n, 2)
        _add(acc, str(last_answer or first_answer or UNKNOWN), 1, n, 2)
    order = ("statutory", "ehic", "private", "none", "unclear", UNKNOWN)
    return Table(
        "insurance",
        N_("Health insurance: first contact and latest"),
        (N_("At first contact"), N_("Latest")),
        _ordered({k: tuple(v) for k, v in acc.items()}, order),
        chart="grouped",
    )


#: the EHIC figure's rows by the facts' ``ehic`` values
EHIC_ROWS = {EHIC_EXPIRED: "ehic_expired", EHIC_VALID: "ehic_valid", EHIC_NO_DATE: "ehic_no_date"}


def _ehic_per_person(period: Period, filters: ReportFilter) -> Any:
    """Subquery: each person with an EHIC recorded at a visit in the period, and the most that
    any of those visits says (expired over valid over no date), from ix_report_facts_ehic."""
    return (
        select(_PERSON_KEY, func.max(facts.c.ehic).label("ehic"))
        .where(*_fact_filter(period, filters), facts.c.ehic.is_not(None))
        .group_by(_PERSON_KEY.element)
        .subquery("ehic")
    )


def _ehic(s: DbSession, period: Period, filters: ReportFilter) -> Table:
    """The people advised whose check on the life situation in the period names the EHIC from
    the home country: those whose card had expired on the day of one of those visits, those
    whose card was valid, those with no date on record. Each person once: the rows add up to
    the people who came with an EHIC (the clearing centre plans with those who came expired)."""
    per_person = _ehic_per_person(period, filters)
    acc: dict[str, list[int]] = {}
    for state, n in s.execute(select(per_person.c.ehic, func.count()).group_by(per_person.c.ehic)):
        _add(acc, EHIC_ROWS[int(state)], 0, n, 1)
    return Table(
        "ehic",
        N_("EHIC expired at the visit"),
        # not "People advised": the rows add up to those who came with an EHIC only
        (N_("People"),),
        _ordered({k: tuple(v) for k, v in acc.items()}, EHIC_ROWS.values()),
        row_notes=EHIC_MEANINGS,
    )


def _referrals(referral_groups: list[tuple[Any, ...]], directory: ServiceDirectory) -> Table:
    acc: dict[str, list[int]] = {}
    columns = ("attended", "not_attended", "pending")
    for _month, in_period, service, result, n in referral_groups:
        if in_period:
            _add(acc, str(service), 0, n, 4)
            _add(acc, str(service), 1 + columns.index(str(result)), n, 4)
    rows = sorted(acc.items(), key=lambda kv: (-kv[1][0], kv[0]))
    names: dict[str, LocalizedText] = {}
    for key, _values in rows:
        service = directory.find(key)
        if service is not None:  # a service taken out since keeps the shipped name or its id
            names[key] = service.name
    return Table(
        "referrals",
        N_("Referrals per service and their outcome"),
        (N_("Referrals"), N_("Attended"), N_("Not attended"), N_("Pending")),
        tuple(Row(k, tuple(v)) for k, v in rows),
        chart="stacked",
        names=names,
    )


def _german_levels(groups: list[tuple[Any, ...]]) -> Table:
    acc: dict[str, list[int]] = {}
    for form_id, _topics, level, _steps, n in groups:
        if form_id == SKILLS_CHECK:
            _add(acc, str(level), 0, n, 1)
    return Table(
        "german_levels",
        N_("Skills checks: German level (CEFR)"),
        (N_("Skills checks"),),
        _ordered({k: tuple(v) for k, v in acc.items()}, CEFR_ORDER),
    )


def _next_steps(groups: list[tuple[Any, ...]]) -> Table:
    acc: dict[str, list[int]] = {}
    for _form_id, _topics, _level, steps, n in groups:
        if not isinstance(steps, dict):
            continue
        for key, decision in steps.items():
            _add(acc, str(key), 0, n, 2)
            if decision == "accepted":
                _add(acc, str(key), 1, n, 2)
    rows = sorted(acc.items(), key=lambda kv: (-kv[1][0], kv[0]))
    return Table(
        "next_steps",
        N_("Next steps: suggested and accepted"),
        (N_("Suggested"), N_("Accepted")),
        tuple(Row(k, tuple(v)) for k, v in rows),
        chart="grouped",
        note=NEXT_STEPS_NOTE,
    )


def unfinished_months(months: list[str], period: Period, as_of: dt.date) -> dict[str, str]:
    """Which of the trend's ``months`` are counted in part only: the month of the last day
    counted (the period's end or, before it, ``as_of``: today is not over) when that day is not
    the month's last or is today, and every month after it."""
    last_day = min(period.end, as_of)
    current = f"{last_day.year:04d}-{last_day.month:02d}"
    month_end = calendar.monthrange(last_day.year, last_day.month)[1]
    out = {m: "not_yet" for m in months if m > current}
    if current in months and (last_day.day < month_end or last_day == as_of):
        out[current] = "so_far"
    return out


def _trend(
    s: DbSession,
    period: Period,
    filters: ReportFilter,
    referral_groups: list[tuple[Any, ...]],
    as_of: dt.date,
) -> Table:
    months = trend_months(period)
    span = Period(
        dt.date.fromisoformat(months[0] + "-01"), period.end, "custom", f"{months[0]}..{months[-1]}"
    )
    acc: dict[str, list[int]] = {m: [0, 0, 0, 0] for m in months}
    first, last = int(months[0].replace("-", "")), int(months[-1].replace("-", ""))
    cut = period.end.month == period.end_exclusive.month  # the period ends inside a month
    stmt: Select[Any]
    if not (cut or filters.device_id or filters.author_id):
        # people and visits per month from the rows per person and month (primary key order)
        pm = person_months
        stmt = (
            select(pm.c.month, func.count(), func.sum(pm.c.visits))
            .where(pm.c.month >= first, pm.c.month <= last)
            .group_by(pm.c.month)
        )
    else:
        # whole months from ix_report_facts_month; a period ending inside a month also bounds
        # the day
        conds: list[Any] = [facts.c.month >= first, facts.c.month <= last]
        if cut:
            conds.append(facts.c.day <= _day(period.end))
        conds += _chosen(facts, filters)
        stmt = (
            select(facts.c.month, func.count(distinct(facts.c.person_key)), func.count())
            .where(*conds)
            .group_by(facts.c.month)
        )
    for m, n_people, n_visits in s.execute(stmt):
        key = f"{int(m) // 100:04d}-{int(m) % 100:02d}"
        if key in acc:
            acc[key][0], acc[key][1] = int(n_people), int(n_visits)
    qmonth = func.substr(quick.c.contact_date, 1, 7).label("month")
    for m, n in s.execute(
        select(qmonth, func.count())
        .where(*_dated_filter(quick, quick.c.contact_date, span, filters))
        .group_by(qmonth)
    ):
        if m in acc:
            acc[m][2] = int(n)
    for m, _in_period, _service, _outcome, n in referral_groups:
        if m in acc:
            acc[m][3] += int(n)
    return Table(
        "trend",
        N_("Trend over the last 12 months"),
        (N_("People advised"), N_("Visits"), N_("Quick contacts"), N_("Referrals")),
        tuple(Row(m, tuple(acc[m])) for m in months),
        chart="line",
        unfinished=unfinished_months(months, period, as_of),
    )


def build_report(
    store: Store,
    user: User,
    period: Period,
    filters: ReportFilter | None = None,
    *,
    as_of: dt.date | None = None,
) -> Report:
    """All figures of the dashboard and the exports for ``period`` (one read transaction);
    for coordinators only (``PermissionDenied`` otherwise).

    ``as_of`` is the day overdue follow-ups are counted against (default: today). Visit
    figures come from the report facts (``storage/reports_models``), never from the answers.
    """
    require(user, Action.VIEW_REPORTS)
    filters = filters or ReportFilter()
    as_of = as_of or dt.date.today()
    with store.reading() as s:
        _advised_tmp.create(s.connection(), checkfirst=True)
        s.execute(_advised_tmp.delete())
        _fill_advised(s, period, filters)
        groups = _answer_groups(s, period, filters)
        referral_groups = _referral_groups(s, period, filters)
        tables: tuple[Table, ...] = (
            _overview(s, period, filters, as_of, referral_groups),
            _trend(s, period, filters, referral_groups, as_of),
            _nationality(s, period, filters),
            _district(s),
            _topics(s, period, filters, groups),
            _insurance(s),
            _ehic(s, period, filters),
            _referrals(referral_groups, reference.service_directory(store)),
            _german_levels(groups),
            _next_steps(groups),
        )
        in_force = _names_in_force(reference.forms_in_force(store))
        tables = tuple(
            replace(t, names={**in_force[t.key], **t.names}) if t.key in in_force else t
            for t in tables
        )
        s.execute(_advised_tmp.delete())
        device_name = laptops.store_names(s).get(filters.device_id, "") if filters.device_id else ""
        author_name = (
            s.scalar(select(UserRow.display_name).where(UserRow.id == filters.author_id)) or ""
            if filters.author_id
            else ""
        )
    from desktop_app.usecases.settings import get_letterhead

    return Report(
        period,
        filters,
        as_of,
        tables,
        get_letterhead(store).name.strip(),
        device_name=device_name,
        author_name=author_name,
        device_is_own=filters.device_id == store.device_id,
    )


# --------------------------------------------------------------------------------------------
# Filters offered on the dashboard, and the cases behind a figure


@dataclass(frozen=True)
class AdvisorChoice:
    """Someone who recorded visits, as the dashboard's advisor filter offers them."""

    author_id: str
    #: their account's name here; "" for a user of another laptop (accounts do not sync)
    name: str = ""
    #: of a user of another laptop: the role their newest log entry carries (a ``Role``
    #: value; None where none carries one), and the name of the laptop they worked on
    role: str | None = None
    laptop: str = ""


@dataclass(frozen=True)
class FilterChoices:
    #: (device id, the laptop's name in the team's records; "" where none names it)
    devices: tuple[tuple[str, str], ...]
    advisors: tuple[AdvisorChoice, ...]


def filter_choices(store: Store, user: User) -> FilterChoices:
    """The laptops and advisors that recorded visits, for the dashboard's filter lists."""
    require(user, Action.VIEW_REPORTS)
    with store.reading() as s:
        pairs: set[tuple[str, str]] = {
            (author, device)
            for author, device in s.execute(select(facts.c.author_id, facts.c.device_id).distinct())
        }
        names = {uid: name for uid, name in s.execute(select(UserRow.id, UserRow.display_name))}
        # The laptops by the names the team gave them when they joined: the dashboard offered
        # the first 8 characters of each store's id, which told the coordinator nothing.
        laptop_names = laptops.store_names(s)
        roles = _logged_roles(s, {a for a, _d in pairs if a not in names})
    devices = tuple(
        sorted(
            {(d, laptop_names.get(d, "")) for _a, d in pairs},
            key=lambda x: (not x[1], x[1].casefold(), x[0]),
        )
    )
    # An advisor with no account here (accounts do not sync) by their id, the role their log
    # entries carry and the laptop they worked on, as the audit log names them.
    where: dict[str, str] = {}
    for author, device in sorted(pairs):
        if author not in names and device in laptop_names:
            where.setdefault(author, laptop_names[device])
    advisors = tuple(
        sorted(
            (
                AdvisorChoice(a, names[a])
                if a in names
                else AdvisorChoice(a, "", roles.get(a), where.get(a, ""))
                for a in {a for a, _d in pairs}
            ),
            key=lambda c: (c.name or c.author_id).casefold(),
        )
    )
    return FilterChoices(devices, advisors)


def _logged_roles(s: DbSession, user_ids: Collection[str]) -> dict[str, str]:
    """The role each of ``user_ids`` recorded their newest visit with, as the log's entries
    about its person carry it (``audit.ROLE_KEY``), of those whose entries carry one: for
    users of other laptops, whose accounts are not here. Read by the person's entries (an
    index), not by the user (none): 20-35 ms for 20 users in a log of 100,000 entries, where
    the newest entry of each user carrying a role read the whole log (0.2-0.7 s)."""
    if not user_ids:
        return {}
    newest = (
        select(facts.c.author_id, func.max(facts.c.finished_at).label("at"))
        .where(facts.c.author_id.in_(user_ids))
        .group_by(facts.c.author_id)
        .subquery()
    )
    visited = s.execute(
        select(facts.c.author_id, persons.c.person_id)
        .join(
            newest,
            and_(facts.c.author_id == newest.c.author_id, facts.c.finished_at == newest.c.at),
        )
        .join(persons, persons.c.key == facts.c.person_key)
    ).all()
    found: dict[str, str] = {}
    for user_id, person_id in visited:
        if user_id in found:
            continue  # two visits finished at the same moment
        details = s.scalar(
            select(AuditRow.details)
            .where(
                AuditRow.record_id == person_id,
                AuditRow.user_id == user_id,
                AuditRow.details.contains(f'"{audit.ROLE_KEY}"'),
            )
            .order_by(AuditRow.at.desc())
            .limit(1)
        )
        if details is not None and (role := audit.role_in(details)):
            found[user_id] = role
    return found


@dataclass(frozen=True)
class Case:
    """One person behind a figure (for users allowed to see who)."""

    person_id: str
    name: str


def _people_select(
    period: Period, filters: ReportFilter, table_key: str, row_key: str
) -> Select[Any] | None:
    """The person ids (UUIDs) behind one figure, from the same facts the figure counts."""
    advised = _advised(period, filters)
    with_ids = advised.join(persons, persons.c.key == advised.c.person_key)
    if table_key == "overview" and row_key == "people_advised":
        return select(persons.c.person_id).select_from(with_ids)
    if table_key == "overview" and row_key in {"new_people", "returning_people"}:
        is_new = persons.c.first_day >= _day(period.start)
        return (
            select(persons.c.person_id)
            .select_from(with_ids)
            .where(is_new if row_key == "new_people" else ~is_new)
        )
    if table_key == "nationality":
        isos = [iso for iso in _NOT_NON_EU if nationality_key(iso) == row_key]
        cond: ColumnElement[bool] = people.c.nationality.in_(isos)
        if row_key == "non_eu":
            cond = people.c.nationality.not_in(_NOT_NON_EU)
        return (
            select(persons.c.person_id)
            .select_from(with_ids.join(people, people.c.id == persons.c.person_id))
            .where(cond)
        )
    if table_key == "district" and row_key == NO_LIFE_CHECK:
        checked = select(_latest_life_situation(period, filters).c.person_key)
        return (
            select(persons.c.person_id)
            .select_from(with_ids)
            .where(advised.c.person_key.not_in(checked))
        )
    if table_key == "district":
        latest = _latest_life_situation(period, filters)
        codes = func.coalesce(latest.c.postal_code, "")
        if row_key == UNKNOWN:
            where = codes == ""
        elif row_key == "outside":
            where = and_(codes != "", codes.not_in(list(_district_of_postcode())))
        else:
            where = codes.in_([p for d in districts() if d.key == row_key for p in d.postal_codes])
        return (
            select(persons.c.person_id)
            .select_from(latest.join(persons, persons.c.key == latest.c.person_key))
            .where(where)
        )
    if table_key == "topics":
        topic = func.json_each(facts.c.topics).table_valued("value").alias("topic")
        return (
            select(persons.c.person_id)
            .distinct()
            .select_from(
                facts.join(topic, true()).join(persons, persons.c.key == facts.c.person_key)
            )
            .where(*_fact_filter(period, filters, LIFE_SITUATION), topic.c.value == row_key)
        )
    if table_key == "ehic" and row_key in EHIC_ROWS.values():
        state = next(k for k, v in EHIC_ROWS.items() if v == row_key)
        per_person = _ehic_per_person(period, filters)
        return (
            select(persons.c.person_id)
            .select_from(per_person.join(persons, persons.c.key == per_person.c.person_key))
            .where(per_person.c.ehic == state)
        )
    if table_key == "referrals":
        return (
            select(referrals.c.person_id)
            .distinct()
            .where(
                *_dated_filter(referrals, referrals.c.created_at, period, filters),
                referrals.c.service_id == row_key,
            )
        )
    return None


def cases_behind(
    store: Store,
    user: User,
    period: Period,
    filters: ReportFilter | None,
    table_key: str,
    row_key: str,
    *,
    logged: Collection[str] | None = None,
) -> list[Case] | None:
    """The people counted in one figure, by name; empty where none is (the figure's count may
    be of quick contacts, which are anonymous); None where the figure does not count people
    (visits, referrals, households, children, quick contacts). Only for users who may see
    them (coordinators); the list being shown is audited (the figure and how many people, no
    names).

    ``logged``: the people of this list whose view is logged already (the list open, listed
    anew after a sync): a view is logged only where it shows others, and counts them. Audit
    entries travel with the sync: two laptops with such a list open would otherwise log views
    of each other's entries without end."""
    require(user, Action.VIEW_REPORT_CASES)
    stmt = _people_select(period, filters or ReportFilter(), table_key, row_key)
    if stmt is None:
        return None
    ids = stmt.subquery("ids")
    with store.transaction() as s:
        rows = s.execute(
            select(people.c.id, people.c.given_name, people.c.family_name)
            .join(ids, ids.c[ids.c.keys()[0]] == people.c.id)
            .order_by(people.c.sort_key)
        ).all()
        shown = len(rows) if logged is None else sum(pid not in logged for pid, *_name in rows)
        if logged is None or shown:
            audit.record_in(
                s,
                store,
                user.id,
                audit.AuditAction.VIEW,
                "report_cases",
                str(uuid.uuid4()),
                {"period": period.text, "figure": table_key, "row": row_key, "people": shown},
            )
    return [Case(pid, f"{given} {family}".strip()) for pid, given, family in rows]


# --------------------------------------------------------------------------------------------
# Labels of rows and columns, in any UI language

# Each figure's title by its key, as the audit log names the figure a list of people was
# shown for (its entry stores the key); the same msgids as the tables' own titles.
TABLE_TITLES: dict[str, str] = {
    "overview": N_("Overview"),
    "nationality": N_("People by nationality"),
    "district": N_("People by district"),
    "topics": N_("Topics of the visits"),
    "insurance": N_("Health insurance: first contact and latest"),
    "ehic": N_("EHIC expired at the visit"),
    "referrals": N_("Referrals per service and their outcome"),
    "german_levels": N_("Skills checks: German level (CEFR)"),
    "next_steps": N_("Next steps: suggested and accepted"),
    "trend": N_("Trend over the last 12 months"),
}

ROW_TEXTS: dict[str, str] = {
    "people_advised": N_("People advised"),
    "new_people": N_("New people"),
    "returning_people": N_("Returning people"),
    "visits": N_("Visits"),
    "quick_contacts": N_("Quick contacts"),
    "referrals": N_("Referrals"),
    "follow_ups_overdue": N_("Follow-ups overdue"),
    "households_with_children": N_("Households with children"),
    "children_in_households": N_("Children living in the households"),
    UNKNOWN: N_("not stated"),
    "outside": N_("outside the city"),
    NO_LIFE_CHECK: N_("without a check on the life situation in the period"),
    "none": N_("no German"),
    "ehic_expired": N_("expired on the day of a visit"),
    "ehic_valid": N_("valid on the day of the visit"),
    "ehic_no_date": N_("expiry date not recorded"),
}

#: What each figure of the overview counts, as its row says when asked (a tooltip) and the
#: exports say under it: "People advised" beside "Visits" and "New people" left the
#: coordinator to guess for the funders.
OVERVIEW_MEANINGS: dict[str, str] = {
    "people_advised": N_(
        "People with at least one visit finished in the period, each counted once."
    ),
    "new_people": N_("Of the people advised, those whose first visit ever lies in the period."),
    "returning_people": N_("Of the people advised, those with a visit before the period."),
    "visits": N_(
        "Visits finished in the period, each form filled in once; a person may have several."
    ),
    "quick_contacts": N_("Short contacts recorded without the person's name, in the period."),
    "referrals": N_("Referrals issued in the period, whatever their status now."),
    "follow_ups_overdue": N_(
        "Of the period's referrals, those not closed whose follow-up day had passed on the "
        "day named."
    ),
    "households_with_children": N_(
        "People advised whose latest life situation in the period names children in the household."
    ),
    "children_in_households": N_(
        "Children living in those households, as the latest life situation names them."
    ),
}


#: What each row of the EHIC figure counts (its rows' tooltips, and lines under it in the
#: exports): a person with several visits is counted once.
EHIC_MEANINGS: dict[str, str] = {
    "ehic_expired": N_(
        "People whose European Health Insurance Card (EHIC) from the home country had expired "
        "on the day of at least one of their visits in the period, as the check on the life "
        "situation recorded its date."
    ),
    "ehic_valid": N_(
        "People with an EHIC that was still valid on the day of each of their visits in the "
        "period for which its date was recorded."
    ),
    "ehic_no_date": N_(
        "People with an EHIC whose expiry date was recorded at none of their visits in the "
        "period (or not as a whole date)."
    ),
}


#: (form, field) -> the table whose rows are that question's answers
_ANSWER_TABLES = {
    ("life_situation", "nationality"): "nationality",
    ("life_situation", "topics"): "topics",
    ("life_situation", "insurance_status"): "insurance",
}


def _names_in_force(forms: Mapping[str, FormDefinition]) -> dict[str, dict[str, LocalizedText]]:
    """Rows named by answers (topics, next steps …) as the forms in force on this laptop name
    them, by table: a next step a coordinator's published form added read as its id
    ("german_after_integration_course") in the dashboard and every export, and a reworded
    choice in the shipped words."""
    names: dict[str, dict[str, LocalizedText]] = {}
    for (form_id, field_id), table_key in _ANSWER_TABLES.items():
        definition = forms.get(form_id)
        if definition is None:
            continue
        try:
            options = definition.field(field_id).options or ()
        except KeyError:
            continue
        names[table_key] = {o.id: LocalizedText(o.label) for o in options}
    names["next_steps"] = {
        step.id: LocalizedText(step.label)
        for form_id in (LIFE_SITUATION, SKILLS_CHECK)
        if (definition := forms.get(form_id)) is not None
        for step in definition.next_steps
    }
    return names


@cache
def _option_labels() -> dict[tuple[str, str], Mapping[str, str]]:
    """(table key, option id) -> label map, from the shipped form definitions."""
    from desktop_app.usecases.visits import shipped_forms

    out: dict[tuple[str, str], Mapping[str, str]] = {}
    forms = shipped_forms()
    for (form_id, field_id), table_key in _ANSWER_TABLES.items():
        definition = forms.get(form_id)
        if definition is None:
            continue
        for opt in definition.field(field_id).options or ():
            out[(table_key, opt.id)] = opt.label
    for form_id in (LIFE_SITUATION, SKILLS_CHECK):
        definition = forms.get(form_id)
        if definition is not None:
            for step in definition.next_steps:
                out[("next_steps", step.id)] = step.label
    for d in districts():
        out[("district", d.key)] = d.labels
    return out


def row_label(table_key: str, row_key: str, lang: str) -> str:
    """The text of a row in ``lang``: a form option, service, district, month or fixed text."""
    if table_key == "trend":
        from babel.dates import format_date

        return str(format_date(dt.date.fromisoformat(row_key + "-01"), "MMM yyyy", locale=lang))
    if table_key == "german_levels" and row_key != "none":
        return row_key
    if table_key == "referrals":
        from desktop_app.letters.directory import default_directory

        service = default_directory().find(row_key)
        if service is not None:
            return service.name.get(lang)
        return removed_service_name(row_key, lang)
    labels = _option_labels().get((table_key, row_key))
    if labels:
        return pick_label(labels, lang)
    if row_key in ROW_TEXTS:
        return gettext_in(lang, ROW_TEXTS[row_key])
    return row_key


def _babel_locale(lang: str) -> Locale:
    return date_locale(lang)  # day-month-year order in English too, as our readers expect


def format_day(day: dt.date, lang: str) -> str:
    """A date in ``lang``'s numeric form: ``04.12.2026``, ``4.12.2026 г.``, ``04/12/2026``."""
    from babel.dates import format_date, format_skeleton

    if lang == "ro":  # Romanian's "medium" is "4 dec. 2026"; "yMd" is a skeleton, no pattern
        return str(format_skeleton("yMd", day, locale=_babel_locale(lang)))
    return str(format_date(day, "medium", locale=_babel_locale(lang)))


def period_days(period: Period, lang: str) -> str:
    """The period's first and last day in ``lang``: ``01.–31.10.2026``, ``1.01. – 31.12.2026
    г.``."""
    from babel.dates import format_interval

    if period.start == period.end:
        return format_day(period.start, lang)
    return str(format_interval(period.start, period.end, "yMd", locale=_babel_locale(lang)))


def period_label(period: Period, lang: str) -> str:
    """``Oktober 2026``, ``Q3 2026``, ``2026`` or ``01.10.2026 – 31.12.2026`` in ``lang``."""
    from babel.dates import format_date

    if period.kind == "month":
        return str(format_date(period.start, "LLLL yyyy", locale=lang))
    if period.kind == "quarter":
        return f"{period.text[-2:]} {period.start.year}"
    if period.kind == "year":
        return str(period.start.year)
    return period_days(period, lang)
