"""Referral counts per month and outcome on a coordinator's laptop follow referrals that arrive
and change by sync (two laptops with real encrypted stores, a real server on 127.0.0.1)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select
from sync_harness import ServerProcess
from test_sync_client import Laptops, _add

from desktop_app.domain.referral import ReferralStatus
from desktop_app.storage.models import table
from desktop_app.storage.reports_models import ReportMonthReferralsRow
from desktop_app.usecases import referrals
from desktop_app.usecases.reports import build_report, parse_period


@pytest.fixture
def laptops(server: ServerProcess, tmp_path: Path) -> Iterator[Laptops]:
    group = Laptops(server, tmp_path)
    try:
        yield group
    finally:
        group.close()


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
    pid = _add(a, "Maria", "Ivanova", "1990")
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
