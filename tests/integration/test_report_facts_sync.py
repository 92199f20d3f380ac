"""Report facts on a coordinator's laptop follow visits that arrive, change and go by sync.

Two laptops with real encrypted stores sync through a real server process on 127.0.0.1; the
coordinator's dashboard figures on laptop B come from facts its triggers wrote while sync merged.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import select

from desktop_app.storage.models import table
from desktop_app.storage.reports_models import ReportFactRow, ReportPersonRow
from desktop_app.usecases import data_rights, visits
from desktop_app.usecases.reports import build_report, parse_period
from tests.integration.sync_harness import Laptops, add_person
from tests.unit.test_visits import consent_answers, full_life_situation


def _facts(store: Any) -> dict[str, Any]:
    with store.reading() as s:
        return {r.visit_id: r for r in s.execute(select(table(ReportFactRow)))}


def _report_people(store: Any) -> set[str]:
    with store.reading() as s:
        return set(s.scalars(select(table(ReportPersonRow).c.person_id)))


def test_visits_arriving_changing_and_erased_by_sync_update_the_facts(laptops: Laptops) -> None:
    today = dt.date.today()
    year = parse_period(str(today.year))
    a, b = laptops.new("A"), laptops.new("B")
    pid = add_person(a, "Maria", "Ivanova", "1990")
    visits.record_consent(a.store, a.user, pid, consent_answers(), today=today)
    answers = {**full_life_situation(), "postal_code": "44145", "topics": ["jobcenter"]}
    visit = visits.finish_visit(a.store, a.user, pid, "life_situation", answers, today=today)
    laptops.sync(a, b)
    arrived = _facts(b.store)
    assert list(arrived) == [visit.id]
    assert (arrived[visit.id].postal_code, arrived[visit.id].device_id) == (
        "44145",
        a.store.device_id,
    )
    report = build_report(b.store, b.user, year)
    assert report.table("district").as_dict() == {"innenstadt_nord": 1}
    assert report.table("topics").as_dict() == {"jobcenter": 1}

    changed = {**answers, "postal_code": "44532", "topics": ["housing", "work"]}
    visits.edit_visit(a.store, a.user, visit.id, changed, today=today)
    laptops.sync(a, b)
    assert _facts(b.store)[visit.id].postal_code == "44532"
    report = build_report(b.store, b.user, year)
    assert report.table("district").as_dict() == {"outside": 1}
    assert report.table("topics").as_dict() == {"housing": 1, "work": 1}

    data_rights.erase_person(a.store, a.user, pid)
    laptops.sync(a, b)
    assert _facts(b.store) == {} and _report_people(b.store) == set()
    report = build_report(b.store, b.user, year)
    assert report.table("overview").value("people_advised") == 0
