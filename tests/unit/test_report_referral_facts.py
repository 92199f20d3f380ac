"""Referral counts per month and outcome (``report_month_referrals``) stay right on every write
path: issuing and status changes through the use cases, bulk demo inserts, tombstones as sync
writes them, erasure of a person, and the migration's backfill.

Each check compares the trigger-kept table with the counts worked out in Python from the
referrals themselves (outcome as the reports define it).
"""

from __future__ import annotations

import datetime as dt
import json
from collections import Counter
from typing import Any

from sqlalchemy import select

from desktop_app.domain.person import PersonDraft
from desktop_app.domain.referral import ReferralStatus
from desktop_app.storage import db as storage_db
from desktop_app.storage.models import table
from desktop_app.storage.referrals_models import ReferralRow
from desktop_app.storage.reports_models import ReportMonthReferralsRow
from desktop_app.usecases import data_rights, referrals
from desktop_app.usecases.people import list_people, register_many
from desktop_app.usecases.report_demo import add_demo_activity
from desktop_app.usecases.reports import build_report, parse_period
from tests.conftest import downgrade_store

TODAY = dt.date.today()


def _people(session: Any, *names: str) -> list[str]:
    register_many(
        session.store,
        session.user,
        [PersonDraft(n, "Testperson", "1980", nationality="RO") for n in names],
    )
    by_name = {e.given_name: e.id for e in list_people(session.store, 0, 100)}
    return [by_name[n] for n in names]


def _outcome(row: ReferralRow) -> str:
    if row.status in ("attended", "outcome_noted"):
        return "attended"
    if row.status == "closed":
        went = any(step.get("status") == "attended" for step in json.loads(row.status_history))
        return "attended" if went else "not_attended"
    return "pending"


def _expected(store: Any) -> Counter[tuple[Any, ...]]:
    with store.reading() as s:
        rows = s.scalars(select(ReferralRow).where(ReferralRow.deleted.is_(False))).all()
        return Counter(
            (
                int(r.created_at[:4] + r.created_at[5:7]),
                r.device_id,
                r.author_id,
                r.service_id,
                _outcome(r),
            )
            for r in rows
        )


def _kept(store: Any) -> Counter[tuple[Any, ...]]:
    t = table(ReportMonthReferralsRow)
    with store.reading() as s:
        out: Counter[tuple[Any, ...]] = Counter()
        for m, device, author, service, outcome, n in s.execute(select(t)):
            assert n > 0  # a count that drops to nothing goes
            out[(m, device, author, service, outcome)] = n
        return out


def test_issuing_and_every_status_change_keep_the_counts(session: Any) -> None:
    (ana,) = _people(session, "Ana")
    store, user = session.store, session.user
    issued = referrals.issue_referral(
        store, user, ana, service_id="vhs", reason="integration_course"
    )
    other = referrals.issue_referral(store, user, ana, service_id="jobcenter", reason="buergergeld")
    assert _kept(store) == _expected(store)
    assert sorted(k[-1] for k in _kept(store)) == ["pending", "pending"]
    referrals.change_status(store, user, issued.id, ReferralStatus.ATTENDED)
    assert _kept(store) == _expected(store)
    # closed after the person went: still attended; closed without: not attended
    referrals.change_status(store, user, issued.id, ReferralStatus.CLOSED, "done")
    referrals.change_status(store, user, other.id, ReferralStatus.CLOSED, "did not go")
    kept = _kept(store)
    assert kept == _expected(store)
    assert sorted(k[-1] for k in kept) == ["attended", "not_attended"]
    year = build_report(store, user, parse_period(str(TODAY.year)), as_of=TODAY)
    assert year.table("referrals").as_dict(1) == {"vhs": 1, "jobcenter": 0}
    assert year.table("referrals").as_dict(2) == {"vhs": 0, "jobcenter": 1}


def test_demo_inserts_tombstones_and_erasure_keep_the_counts(session: Any) -> None:
    ids = _people(session, *(f"P{i}" for i in range(30)))
    add_demo_activity(session.store, session.user.id, today=TODAY, seed=5)
    kept = _kept(session.store)
    assert sum(kept.values()) > 0
    assert {k[-1] for k in kept} == {"attended", "not_attended", "pending"}
    assert kept == _expected(session.store)
    # a tombstone (as sync writes one) takes the referral out of the counts
    with session.store.transaction() as s:
        row = s.scalars(select(ReferralRow).where(ReferralRow.status == "closed")).first()
        assert row is not None
        row.deleted = True
    assert _kept(session.store) == _expected(session.store)
    # a merged change of the history alone (as sync writes one) moves the outcome
    with session.store.transaction() as s:
        row = s.scalars(
            select(ReferralRow).where(
                ReferralRow.status == "closed", ReferralRow.deleted.is_(False)
            )
        ).first()
        assert row is not None
        steps = json.loads(row.status_history)
        went = any(step.get("status") == "attended" for step in steps)
        steps = (
            [st for st in steps if st.get("status") != "attended"]
            if went
            else [*steps, {"status": "attended", "at": row.created_at, "by": "x", "outcome": ""}]
        )
        row.status_history = json.dumps(steps)
    assert _kept(session.store) == _expected(session.store)
    with session.store.reading() as s:
        person = s.scalar(select(ReferralRow.person_id).where(ReferralRow.deleted.is_(False)))
    assert person in ids
    data_rights.erase_person(session.store, session.user, str(person))
    assert _kept(session.store) == _expected(session.store)


def test_backfill_of_a_store_from_before_the_counts(session: Any) -> None:
    _people(session, *(f"P{i}" for i in range(12)))
    downgrade_store(session.store, "report_facts")
    # referrals written while the store had no counts (no triggers)
    add_demo_activity(session.store, session.user.id, today=TODAY, seed=6)
    storage_db.migrate(session.store.engine)
    kept = _kept(session.store)
    assert sum(kept.values()) > 0
    assert kept == _expected(session.store)
