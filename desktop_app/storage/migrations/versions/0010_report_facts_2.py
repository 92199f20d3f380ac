"""Report facts, part 2: referrals counted per month with their outcome, and an index for the
insurance answers a person gave before a period's end.

``report_person_months`` and ``report_person_years`` hold one row per person and month (year)
with a visit, and how many visits, kept by triggers on ``report_visit_facts``: the people advised
in whole months or years, and people per month for the trend, are then a range of a small
primary key rather than a DISTINCT over every visit.

``report_month_referrals`` holds how many referrals (not deleted) were made per month, laptop,
author and service with each outcome — attended (status attended or outcome noted, or closed
after the history shows the person went), not attended (closed otherwise) or pending — kept by
triggers on ``referrals`` in the same transaction as every write (issuing, status changes, sync
merges, tombstones, erasure, bulk demo inserts). A report then reads a few hundred rows instead
of every referral of the period and the status history JSON of the closed ones. Existing
referrals are backfilled.

Revision ID: report_facts_2
Revises: report_facts
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "report_facts_2"
down_revision = "report_facts"
branch_labels = None
depends_on = None

#: the columns referrals are counted by
_KEY = ("month", "device_id", "author_id", "service_id", "outcome")

#: the outcome of referral row ``r`` as the reports count it (a closed referral whose history
#: shows the person went counts as attended)
_OUTCOME = """CASE
    WHEN {r}.status IN ('attended', 'outcome_noted') THEN 'attended'
    WHEN {r}.status = 'closed' AND {r}.status_history LIKE '%"status": "attended"%'
        THEN 'attended'
    WHEN {r}.status = 'closed' THEN 'not_attended'
    ELSE 'pending' END"""


def _key_values(r: str) -> list[str]:
    return [
        f"CAST(replace(substr({r}.created_at, 1, 7), '-', '') AS INTEGER)",
        f"{r}.device_id",
        f"{r}.author_id",
        f"{r}.service_id",
        _OUTCOME.format(r=r),
    ]


def _count(r: str) -> str:
    return (
        f"INSERT INTO report_month_referrals ({', '.join(_KEY)}, referrals) "
        f"SELECT {', '.join(_key_values(r))}, 1 WHERE {r}.deleted = 0 "
        f"ON CONFLICT ({', '.join(_KEY)}) DO UPDATE SET referrals = referrals + 1;"
    )


def _uncount(r: str) -> str:
    match = " AND ".join(f"{c} = {v}" for c, v in zip(_KEY, _key_values(r), strict=True))
    return (
        f"UPDATE report_month_referrals SET referrals = referrals - 1 "
        f"WHERE {r}.deleted = 0 AND {match};"
        f"DELETE FROM report_month_referrals WHERE referrals <= 0 AND {match};"
    )


def _person_period(name: str, column: str, value: str) -> tuple[str, str]:
    """Trigger bodies that count fact ``NEW`` in, or ``OLD`` out of, ``name`` (person, period)."""
    new = value.format(f="NEW")
    old = value.format(f="OLD")
    match = f"{column} = {old} AND person_key = OLD.person_key"
    return (
        f"INSERT INTO {name} ({column}, person_key, visits) VALUES ({new}, NEW.person_key, 1) "
        f"ON CONFLICT ({column}, person_key) DO UPDATE SET visits = visits + 1;",
        f"UPDATE {name} SET visits = visits - 1 WHERE {match};"
        f"DELETE FROM {name} WHERE {match} AND visits <= 0;",
    )


_MONTHS = _person_period("report_person_months", "month", "{f}.month")
_YEARS = _person_period("report_person_years", "year", "({f}.month / 100)")

_WATCHED = "created_at, device_id, author_id, service_id, status, status_history, deleted"

TRIGGERS = {
    "tr_report_person_periods_insert": f"""
        CREATE TRIGGER tr_report_person_periods_insert AFTER INSERT ON report_visit_facts
        BEGIN
            {_MONTHS[0]}
            {_YEARS[0]}
        END
    """,
    "tr_report_person_periods_delete": f"""
        CREATE TRIGGER tr_report_person_periods_delete AFTER DELETE ON report_visit_facts
        BEGIN
            {_MONTHS[1]}
            {_YEARS[1]}
        END
    """,
    "tr_report_month_referrals_insert": f"""
        CREATE TRIGGER tr_report_month_referrals_insert AFTER INSERT ON referrals
        BEGIN
            {_count("NEW")}
        END
    """,
    "tr_report_month_referrals_update": f"""
        CREATE TRIGGER tr_report_month_referrals_update AFTER UPDATE OF {_WATCHED} ON referrals
        BEGIN
            {_uncount("OLD")}
            {_count("NEW")}
        END
    """,
    "tr_report_month_referrals_delete": f"""
        CREATE TRIGGER tr_report_month_referrals_delete AFTER DELETE ON referrals
        BEGIN
            {_uncount("OLD")}
        END
    """,
}


def upgrade() -> None:
    op.create_table(
        "report_month_referrals",
        *(sa.Column(c, sa.Integer if c == "month" else sa.Text, primary_key=True) for c in _KEY),
        sa.Column("referrals", sa.Integer, nullable=False),
        sqlite_with_rowid=False,
    )
    for name, column in (("report_person_months", "month"), ("report_person_years", "year")):
        op.create_table(
            name,
            sa.Column(column, sa.Integer, primary_key=True),
            sa.Column("person_key", sa.Integer, primary_key=True),
            sa.Column("visits", sa.Integer, nullable=False),
            sqlite_with_rowid=False,
        )
    op.execute(
        "INSERT INTO report_person_months (month, person_key, visits) "
        "SELECT month, person_key, count(*) FROM report_visit_facts GROUP BY month, person_key"
    )
    op.execute(
        "INSERT INTO report_person_years (year, person_key, visits) "
        "SELECT month / 100, person_key, count(*) FROM report_visit_facts "
        "GROUP BY month / 100, person_key"
    )
    keys = _key_values("r")
    op.execute(
        f"INSERT INTO report_month_referrals ({', '.join(_KEY)}, referrals) "
        f"SELECT {', '.join(keys)}, count(*) FROM referrals AS r WHERE r.deleted = 0 "
        f"GROUP BY {', '.join(keys)}"
    )
    # a person's insurance answers in time order, without their other facts
    op.create_index(
        "ix_report_facts_insurance",
        "report_visit_facts",
        ["person_key", "finished_at", "insurance"],
        sqlite_where=sa.text("insurance IS NOT NULL"),
    )
    for sql in TRIGGERS.values():
        op.execute(sql)


def downgrade() -> None:
    for name in TRIGGERS:
        op.execute(f"DROP TRIGGER IF EXISTS {name}")
    op.drop_index("ix_report_facts_insurance", table_name="report_visit_facts")
    op.drop_table("report_month_referrals")
    op.drop_table("report_person_years")
    op.drop_table("report_person_months")
