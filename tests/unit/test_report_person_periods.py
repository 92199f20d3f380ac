"""The rows per person and month/year with a visit (``report_person_months``,
``report_person_years``) stay right on every write path: saving and editing a visit through the
use case, bulk demo inserts, a visit moved to another month and tombstones as sync writes them,
erasure of a person, and the migration's backfill. Each check compares them with what the
visits themselves say, worked out in Python."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from typing import Any

from sqlalchemy import select

from desktop_app.storage import db as storage_db
from desktop_app.storage.models import table
from desktop_app.storage.reports_models import (
    ReportPersonMonthRow,
    ReportPersonRow,
    ReportPersonYearRow,
)
from desktop_app.storage.visits_models import VisitRow
from desktop_app.usecases import data_rights, visits
from desktop_app.usecases.report_demo import add_demo_activity
from desktop_app.usecases.reports import build_report, parse_period
from tests.conftest import downgrade_store
from tests.unit.test_report_facts import TODAY, _finish, _people
from tests.unit.test_visits import full_life_situation


def _expected(store: Any) -> tuple[Counter[tuple[int, str]], Counter[tuple[int, str]]]:
    """Visits per (month, person) and (year, person) from the visits that are not deleted."""
    months: Counter[tuple[int, str]] = Counter()
    years: Counter[tuple[int, str]] = Counter()
    with store.reading() as s:
        for person, finished in s.execute(
            select(VisitRow.person_id, VisitRow.finished_at).where(VisitRow.deleted.is_(False))
        ):
            months[(int(finished[:4] + finished[5:7]), person)] += 1
            years[(int(finished[:4]), person)] += 1
    return months, years


def _kept(store: Any) -> tuple[Counter[tuple[int, str]], Counter[tuple[int, str]]]:
    persons = table(ReportPersonRow)
    with store.reading() as s:
        ids = {k: p for k, p in s.execute(select(persons.c.key, persons.c.person_id))}
        out = []
        for model in (ReportPersonMonthRow, ReportPersonYearRow):
            counts: Counter[tuple[int, str]] = Counter()
            for period, key, n in s.execute(select(table(model))):
                assert n > 0  # a row goes with the person's last visit of the month/year
                counts[(period, ids[key])] = n
            out.append(counts)
    return out[0], out[1]


def _assert_kept(store: Any) -> None:
    assert _kept(store) == _expected(store)


def test_saving_and_editing_visits_keep_the_rows(session: Any) -> None:
    maria, ion = _people(session, "Maria", "Ion")
    first = _finish(session, maria, {**full_life_situation(), "postal_code": "44145"})
    _finish(session, maria, full_life_situation())
    _finish(session, ion, full_life_situation())
    _assert_kept(session.store)
    months, _ = _kept(session.store)
    this_month = TODAY.year * 100 + TODAY.month
    assert months == Counter({(this_month, maria): 2, (this_month, ion): 1})
    changed = {**full_life_situation(), "postal_code": "44532"}
    visits.edit_visit(session.store, session.user, first.id, changed, today=TODAY)
    _assert_kept(session.store)
    report = build_report(session.store, session.user, parse_period(str(TODAY.year)))
    assert report.table("overview").value("people_advised") == 2
    month = build_report(
        session.store, session.user, parse_period(f"{this_month // 100}-{this_month % 100:02d}")
    )
    assert month.table("overview").value("people_advised") == 2


def test_demo_inserts_moves_tombstones_erasure_keep_the_rows(session: Any) -> None:
    ids = _people(session, *(f"P{i}" for i in range(30)))
    add_demo_activity(session.store, session.user.id, today=TODAY, seed=7)
    _assert_kept(session.store)
    with session.store.transaction() as s:
        rows = s.scalars(select(VisitRow).where(VisitRow.deleted.is_(False)).limit(2)).all()
        # a merged change of the finish time (as sync writes one) moves the visit a year back
        earlier = dt.datetime.fromisoformat(rows[0].finished_at) - dt.timedelta(days=400)
        rows[0].finished_at = earlier.isoformat()
        rows[1].deleted = True  # a tombstone
    _assert_kept(session.store)
    data_rights.erase_person(session.store, session.user, ids[2])
    _assert_kept(session.store)
    assert all(person != ids[2] for _m, person in _kept(session.store)[0])


def test_backfill_of_a_store_from_before_the_rows(session: Any) -> None:
    _people(session, *(f"P{i}" for i in range(12)))
    downgrade_store(session.store, "report_facts")
    add_demo_activity(session.store, session.user.id, today=TODAY, seed=8)
    storage_db.migrate(session.store.engine)
    months, years = _kept(session.store)
    assert sum(months.values()) == sum(years.values()) > 0
    _assert_kept(session.store)
