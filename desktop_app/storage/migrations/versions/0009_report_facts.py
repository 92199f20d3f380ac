"""Report facts: one narrow row per visit, kept by triggers, so reports read no JSON answers.

Triggers (not the use cases) keep ``report_visit_facts`` and ``report_persons`` right, because
visits are written by several paths — saving and editing a visit, sync merges and tombstones,
erasure of a person, bulk demo inserts — and a trigger runs in the same transaction as each of
them, whichever it is. Existing visits are backfilled.

Revision ID: report_facts
Revises: referral_signoff
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "report_facts"
down_revision = "referral_signoff"
branch_labels = None
depends_on = None

_FACT_COLUMNS = (
    "visit_id, person_key, day, month, finished_at, form_id, device_id, author_id, "
    "postal_code, insurance, has_children, children_here, topics, german_level, next_steps"
)


def _fact_values(v: str) -> str:
    """The fact columns computed from visit row ``v`` (``NEW`` in a trigger)."""
    life = f"{v}.form_id = 'life_situation'"
    return f"""
        {v}.id,
        rp.key,
        CAST(replace(substr({v}.finished_at, 1, 10), '-', '') AS INTEGER),
        CAST(replace(substr({v}.finished_at, 1, 7), '-', '') AS INTEGER),
        {v}.finished_at,
        {v}.form_id,
        {v}.device_id,
        {v}.author_id,
        CASE WHEN {life} THEN CAST(json_extract({v}.answers, '$.postal_code') AS TEXT) END,
        CASE WHEN {life} THEN json_extract({v}.answers, '$.insurance_status') END,
        CASE WHEN {life} AND coalesce(json_extract({v}.answers, '$.children_count'), 0) > 0
             THEN 1 ELSE 0 END,
        CASE WHEN {life} THEN (
            SELECT count(*) FROM json_each({v}.answers, '$.children') AS c
            WHERE json_extract(c.value, '$.child_lives') = 'with_person'
        ) ELSE 0 END,
        CASE WHEN {life} AND json_type({v}.answers, '$.topics') = 'array'
             THEN json_extract({v}.answers, '$.topics') END,
        CASE WHEN {v}.form_id = 'skills_check' THEN coalesce((
            SELECT json_extract(l.value, '$.level.level')
            FROM json_each({v}.answers, '$.language_levels') AS l
            WHERE json_extract(l.value, '$.language') = 'de' LIMIT 1
        ), 'none') END,
        CASE WHEN {v}.next_steps NOT IN ('', '{{}}') THEN {v}.next_steps END
    """


def _insert_fact(v: str, when: str = "1") -> str:
    return (
        f"INSERT INTO report_visit_facts ({_FACT_COLUMNS}) "
        f"SELECT {_fact_values(v)} FROM report_persons AS rp "
        f"WHERE rp.person_id = {v}.person_id AND {when};"
    )


_MINE = "f.person_key = report_persons.key"


def _update_persons(where: str) -> str:
    """First day, first/latest insurance answer and latest life situation again from each
    person's facts (a few rows through ix_report_facts_person)."""
    mine, answered = _MINE, f"{_MINE} AND f.insurance IS NOT NULL"
    latest_life = (
        f"FROM report_visit_facts AS f WHERE {mine} AND f.form_id = 'life_situation' "
        "ORDER BY f.finished_at DESC LIMIT 1"
    )
    return f"""
        UPDATE report_persons SET
            first_day = (SELECT min(f.day) FROM report_visit_facts AS f WHERE {mine}),
            first_insurance_at = (
                SELECT min(f.finished_at) FROM report_visit_facts AS f WHERE {answered}),
            first_insurance = (
                SELECT f.insurance FROM report_visit_facts AS f WHERE {answered}
                ORDER BY f.finished_at LIMIT 1),
            last_insurance_at = (
                SELECT max(f.finished_at) FROM report_visit_facts AS f WHERE {answered}),
            last_insurance = (
                SELECT f.insurance FROM report_visit_facts AS f WHERE {answered}
                ORDER BY f.finished_at DESC LIMIT 1),
            last_life_at = (SELECT f.finished_at {latest_life}),
            last_life_postal_code = (SELECT f.postal_code {latest_life}),
            last_life_has_children = (SELECT f.has_children {latest_life}),
            last_life_children_here = (SELECT f.children_here {latest_life})
        WHERE {where}
    """


def _forget_fact(key: str) -> str:
    """A fact went: the person's derived columns again; their key goes with their last fact."""
    return f"""
        {_update_persons(f"key = {key}")};
        DELETE FROM report_persons WHERE key = {key} AND NOT EXISTS (
            SELECT 1 FROM report_visit_facts AS f WHERE {_MINE}
        );
    """


def _newer(at: str, when: str) -> str:
    """SQL: the new fact (``NEW``) answers ``when`` and is at least as new as ``at``."""
    return f"({when} AND (report_persons.{at} IS NULL OR NEW.finished_at >= report_persons.{at}))"


def _older(at: str, when: str) -> str:
    return f"({when} AND (report_persons.{at} IS NULL OR NEW.finished_at < report_persons.{at}))"


def _take_fact() -> str:
    """A fact came: the person's derived columns move only if it is earlier or newer than what
    they hold (no look at the person's other facts, so bulk inserts and sync stay fast)."""
    answered, life = "NEW.insurance IS NOT NULL", "NEW.form_id = 'life_situation'"
    first, last, latest = (
        _older("first_insurance_at", answered),
        _newer("last_insurance_at", answered),
        _newer("last_life_at", life),
    )
    return f"""
        UPDATE report_persons SET
            first_day = CASE WHEN first_day IS NULL OR NEW.day < first_day
                THEN NEW.day ELSE first_day END,
            first_insurance_at = CASE WHEN {first} THEN NEW.finished_at
                ELSE first_insurance_at END,
            first_insurance = CASE WHEN {first} THEN NEW.insurance ELSE first_insurance END,
            last_insurance_at = CASE WHEN {last} THEN NEW.finished_at ELSE last_insurance_at END,
            last_insurance = CASE WHEN {last} THEN NEW.insurance ELSE last_insurance END,
            last_life_at = CASE WHEN {latest} THEN NEW.finished_at ELSE last_life_at END,
            last_life_postal_code = CASE WHEN {latest} THEN NEW.postal_code
                ELSE last_life_postal_code END,
            last_life_has_children = CASE WHEN {latest} THEN NEW.has_children
                ELSE last_life_has_children END,
            last_life_children_here = CASE WHEN {latest} THEN NEW.children_here
                ELSE last_life_children_here END
        WHERE key = NEW.person_key;
    """


#: the columns a month's answer counts are grouped by ('' where a visit has no such answer)
_ANSWER_KEY = ("month", "device_id", "author_id", "form_id", "topics", "german_level", "next_steps")


def _answer_key(row: str) -> list[str]:
    return [
        f"{row}.{c}"
        if c in ("month", "device_id", "author_id", "form_id")
        else f"coalesce({row}.{c}, '')"
        for c in _ANSWER_KEY
    ]


def _answer_match(row: str) -> str:
    return " AND ".join(f"{c} = {v}" for c, v in zip(_ANSWER_KEY, _answer_key(row), strict=True))


_NATIONALITY = "(SELECT p.nationality FROM people AS p WHERE p.id = {person})"

_WATCHED = "person_id, form_id, answers, next_steps, finished_at, deleted, device_id, author_id"

TRIGGERS = {
    "tr_report_facts_insert": f"""
        CREATE TRIGGER tr_report_facts_insert AFTER INSERT ON visits WHEN NEW.deleted = 0
        BEGIN
            DELETE FROM report_visit_facts WHERE visit_id = NEW.id;
            INSERT OR IGNORE INTO report_persons (person_id, nationality)
                VALUES (NEW.person_id, {_NATIONALITY.format(person="NEW.person_id")});
            {_insert_fact("NEW")}
        END
    """,
    "tr_report_facts_update": f"""
        CREATE TRIGGER tr_report_facts_update AFTER UPDATE OF {_WATCHED} ON visits
        BEGIN
            DELETE FROM report_visit_facts WHERE visit_id = OLD.id;
            INSERT OR IGNORE INTO report_persons (person_id, nationality)
                SELECT NEW.person_id, {_NATIONALITY.format(person="NEW.person_id")}
                WHERE NEW.deleted = 0;
            {_insert_fact("NEW", "NEW.deleted = 0")}
        END
    """,
    "tr_report_facts_delete": """
        CREATE TRIGGER tr_report_facts_delete AFTER DELETE ON visits
        BEGIN
            DELETE FROM report_visit_facts WHERE visit_id = OLD.id;
        END
    """,
    # a person's nationality as the reports count it: the person's current one (NULL: no such
    # person here, e.g. a visit that arrived by sync before its person)
    # visits per month, laptop, author and combination of answers the reports group by: a
    # year's topics, German levels and next steps add up a few hundred of these rows
    # the person's derived columns follow their facts
    "tr_report_persons_fact_insert": f"""
        CREATE TRIGGER tr_report_persons_fact_insert AFTER INSERT ON report_visit_facts
        BEGIN
            {_take_fact()}
        END
    """,
    "tr_report_persons_fact_delete": f"""
        CREATE TRIGGER tr_report_persons_fact_delete AFTER DELETE ON report_visit_facts
        BEGIN
            {_forget_fact("OLD.person_key")}
        END
    """,
    "tr_report_month_answers_insert": f"""
        CREATE TRIGGER tr_report_month_answers_insert AFTER INSERT ON report_visit_facts
        BEGIN
            INSERT INTO report_month_answers ({", ".join(_ANSWER_KEY)}, visits)
                VALUES ({", ".join(_answer_key("NEW"))}, 1)
                ON CONFLICT ({", ".join(_ANSWER_KEY)}) DO UPDATE SET visits = visits + 1;
        END
    """,
    "tr_report_month_answers_delete": f"""
        CREATE TRIGGER tr_report_month_answers_delete AFTER DELETE ON report_visit_facts
        BEGIN
            UPDATE report_month_answers SET visits = visits - 1 WHERE {_answer_match("OLD")};
            DELETE FROM report_month_answers WHERE {_answer_match("OLD")} AND visits <= 0;
        END
    """,
    "tr_report_persons_people_insert": """
        CREATE TRIGGER tr_report_persons_people_insert AFTER INSERT ON people
        BEGIN
            UPDATE report_persons SET nationality = NEW.nationality WHERE person_id = NEW.id;
        END
    """,
    "tr_report_persons_people_update": """
        CREATE TRIGGER tr_report_persons_people_update AFTER UPDATE OF id, nationality ON people
        BEGIN
            UPDATE report_persons SET nationality = NULL WHERE person_id = OLD.id;
            UPDATE report_persons SET nationality = NEW.nationality WHERE person_id = NEW.id;
        END
    """,
    "tr_report_persons_people_delete": """
        CREATE TRIGGER tr_report_persons_people_delete AFTER DELETE ON people
        BEGIN
            UPDATE report_persons SET nationality = NULL WHERE person_id = OLD.id;
        END
    """,
}


def upgrade() -> None:
    op.create_table(
        "report_persons",
        sa.Column("key", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("person_id", sa.String(36), nullable=False, unique=True),
        sa.Column("first_day", sa.Integer, nullable=True),
        sa.Column("first_insurance_at", sa.String(32), nullable=True),
        sa.Column("first_insurance", sa.String(40), nullable=True),
        sa.Column("last_insurance_at", sa.String(32), nullable=True),
        sa.Column("last_insurance", sa.String(40), nullable=True),
        sa.Column("last_life_at", sa.String(32), nullable=True),
        sa.Column("last_life_postal_code", sa.String(20), nullable=True),
        sa.Column("last_life_has_children", sa.Integer, nullable=True),
        sa.Column("last_life_children_here", sa.Integer, nullable=True),
        sa.Column("nationality", sa.String(2), nullable=True),
    )
    # WITHOUT ROWID, keyed by (day, visit): a period's facts lie together on few pages, so a
    # report decrypts and reads only those (visits arrive in any order of their days).
    op.create_table(
        "report_visit_facts",
        sa.Column("day", sa.Integer, primary_key=True),
        sa.Column("visit_id", sa.String(36), primary_key=True),
        sa.Column("person_key", sa.Integer, nullable=False),
        sa.Column("month", sa.Integer, nullable=False),
        sa.Column("finished_at", sa.String(32), nullable=False),
        sa.Column("form_id", sa.String(63), nullable=False),
        sa.Column("device_id", sa.String(36), nullable=False),
        sa.Column("author_id", sa.String(36), nullable=False),
        sa.Column("postal_code", sa.String(20), nullable=True),
        sa.Column("insurance", sa.String(40), nullable=True),
        sa.Column("has_children", sa.Integer, nullable=False),
        sa.Column("children_here", sa.Integer, nullable=False),
        sa.Column("topics", sa.Text, nullable=True),
        sa.Column("german_level", sa.String(20), nullable=True),
        sa.Column("next_steps", sa.Text, nullable=True),
        sqlite_with_rowid=False,
    )
    op.create_table(
        "report_month_answers",
        *(
            sa.Column(c, sa.Integer if c == "month" else sa.Text, primary_key=True)
            for c in _ANSWER_KEY
        ),
        sa.Column("visits", sa.Integer, nullable=False),
        sqlite_with_rowid=False,
    )
    # referrals by the day they were made, with what the reports count (covering)
    op.create_index(
        "ix_referrals_created", "referrals", ["created_at", "deleted", "status", "service_id"]
    )
    # backfill: every visit that is not deleted, then each person's first day
    op.execute(
        "INSERT OR IGNORE INTO report_persons (person_id) "
        "SELECT DISTINCT person_id FROM visits WHERE deleted = 0"
    )
    op.execute(
        f"INSERT INTO report_visit_facts ({_FACT_COLUMNS}) SELECT {_fact_values('v')} "
        "FROM visits AS v JOIN report_persons AS rp ON rp.person_id = v.person_id "
        "WHERE v.deleted = 0"
    )
    op.create_index("ix_report_facts_visit", "report_visit_facts", ["visit_id"], unique=True)
    op.create_index("ix_report_facts_day", "report_visit_facts", ["day", "person_key", "form_id"])
    op.create_index("ix_report_facts_month", "report_visit_facts", ["month", "person_key"])
    op.create_index(
        "ix_report_facts_person", "report_visit_facts", ["person_key", "finished_at", "insurance"]
    )
    op.execute(
        f"INSERT INTO report_month_answers ({', '.join(_ANSWER_KEY)}, visits) "
        f"SELECT {', '.join(_answer_key('f'))}, count(*) FROM report_visit_facts AS f "
        f"GROUP BY {', '.join(_answer_key('f'))}"
    )
    op.execute(_update_persons("1"))
    op.execute(
        "UPDATE report_persons SET nationality = "
        + _NATIONALITY.format(person="report_persons.person_id")
    )
    for sql in TRIGGERS.values():
        op.execute(sql)


def downgrade() -> None:
    for name in TRIGGERS:
        op.execute(f"DROP TRIGGER IF EXISTS {name}")
    op.drop_index("ix_referrals_created", table_name="referrals")
    op.drop_table("report_month_answers")
    op.drop_table("report_visit_facts")
    op.drop_table("report_persons")
