"""Referral counts per month and outcome, and the rows per person and month/year, on a
coordinator's laptop follow referrals and visits that arrive, change and go by sync (two laptops
with real encrypted stores, a real server on 127.0.0.1)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import select

from desktop_app.domain.referral import ReferralStatus
from desktop_app.storage.models import table
from desktop_app.storage.reports_models import (
    ReportMonthReferralsRow,
    ReportPersonMonthRow,
    ReportPersonYearRow,
)
from desktop_app.usecases import data_rights, referrals, visits
from desktop_app.usecases.reports import build_report, parse_period
from tests.integration.sync_harness import Laptops, add_person
from tests.unit.test_visits import consent_answers, full_life_situation


def _counts(store: Any) -> dict[tuple[str, str], int]:
    t = table(ReportMonthReferralsRow)
    with store.reading() as s:
        return {
            (service, outcome): n
            for service, outcome, n in s.execute(select(t.c.service_id, t.c.outcome, t.c.referrals))
        }


def test_referrals_arriving_and_changing_by_sync_update_the_counts(laptops: Laptops) -> None:
    today = dt.date.today()
    a, b = laptops.new("A"), laptops.new("B")
    pid = add_person(a, "Maria", "Ivanova", "1990")
    went = referrals.issue_referral(
        a.store, a.user, pid, service_id="vhs", reason="integration_course"
    )
    stayed = referrals.issue_referral(
        a.store, a.user, pid, service_id="jobcenter", reason="buergergeld"
    )
    laptops.sync(a, b)
    assert _counts(b.store) == {("vhs", "pending"): 1, ("jobcenter", "pending"): 1}
    referrals.change_status(a.store, a.user, went.id, ReferralStatus.ATTENDED)
    referrals.change_status(a.store, a.user, went.id, ReferralStatus.CLOSED, "done")
    referrals.change_status(a.store, a.user, stayed.id, ReferralStatus.CLOSED, "did not go")
    laptops.sync(a, b)
    assert _counts(b.store) == {("vhs", "attended"): 1, ("jobcenter", "not_attended"): 1}
    report = build_report(b.store, b.user, parse_period(str(today.year)), as_of=today)
    assert report.table("referrals").as_dict(1) == {"vhs": 1, "jobcenter": 0}
    assert report.table("referrals").as_dict(2) == {"vhs": 0, "jobcenter": 1}


def _person_periods(store: Any) -> tuple[list[tuple[int, int]], list[tuple[int, int]]]:
    with store.reading() as s:
        months = [(m, n) for m, _k, n in s.execute(select(table(ReportPersonMonthRow)))]
        years = [(y, n) for y, _k, n in s.execute(select(table(ReportPersonYearRow)))]
    return months, years


def test_visits_arriving_and_erased_by_sync_update_the_person_periods(laptops: Laptops) -> None:
    today = dt.date.today()
    a, b = laptops.new("A"), laptops.new("B")
    pid = add_person(a, "Maria", "Ivanova", "1990")
    visits.record_consent(a.store, a.user, pid, consent_answers(), today=today)
    for _ in range(2):
        visits.finish_visit(
            a.store, a.user, pid, "life_situation", full_life_situation(), today=today
        )
    laptops.sync(a, b)
    month = today.year * 100 + today.month
    assert _person_periods(b.store) == ([(month, 2)], [(today.year, 2)])
    report = build_report(b.store, b.user, parse_period(str(today.year)), as_of=today)
    assert report.table("overview").value("people_advised") == 1
    data_rights.erase_person(a.store, a.user, pid)
    laptops.sync(a, b)
    assert _person_periods(b.store) == ([], [])
