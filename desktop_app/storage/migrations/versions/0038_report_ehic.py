"""Report facts, part 3: whether the person's EHIC had expired on the day of each visit.

``report_visit_facts.ehic`` holds, for a life-situation visit whose insurance answer is the
EHIC from the home country, whether the date on the card had passed on the visit's day: 2
expired, 1 still valid (the card is valid through its date), 0 no date recorded (or none a
whole date: a year or month alone, or a date that cannot exist, count as not known, as
``LifeFacts.ehic_valid_until`` reads them). NULL for every other visit. The visit's day is the
day the form was checked for (``visits.day_of``: the day it was begun, on this laptop's
calendar), as the form's own ``ehic_expired`` rule measures it, not ``finished_at``: an edit
saved by a laptop of an earlier version moves that to the day of the edit, and a card valid
at the visit would look expired.

Kept by the same triggers on ``visits`` as the other facts (made again here with the column;
the update trigger now also watches ``started_at``, which the day is taken from), so every
write path keeps it in the same transaction; erasure and tombstones take the fact away as
before. Existing visits are backfilled from their answers.

Revision ID: report_ehic
Revises: data_requests_by_person
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "report_ehic"
down_revision = "data_requests_by_person"
branch_labels = None
depends_on = None

_FACT_COLUMNS = (
    "visit_id, person_key, day, month, finished_at, form_id, device_id, author_id, "
    "postal_code, insurance, has_children, children_here, topics, german_level, next_steps"
)

#: what Python's ``str.strip()`` takes off a typed date (tab … carriage return, space)
_BLANKS = "char(9, 10, 11, 12, 13, 32)"


def _visit_day(v: str) -> str:
    """SQL: the day visit ``v``'s form was checked for (``visits.day_of``): the local day of
    ``started_at`` (a time with an offset is moved to this laptop's time zone, one without is
    taken as it is); the local day of ``finished_at`` where ``started_at`` is no time."""
    s = f"{v}.started_at"
    return (
        f"coalesce(CASE WHEN {s} GLOB '*[+-][0-9][0-9]:[0-9][0-9]' OR {s} GLOB '*[Zz]' "
        f"THEN date({s}, 'localtime') ELSE date({s}) END, date({v}.finished_at, 'localtime'))"
    )


def _whole_date(s: str) -> str:
    """SQL: text ``s`` as an ISO date where it is a whole date in a form ``PartialDate.parse``
    reads (``YYYY-MM-DD``, ``D.M.YYYY`` with one or two digits of day and month), else NULL.
    Whether that day exists is checked by the caller."""
    dotted = " OR ".join(
        f"{s} GLOB '{day}.{month}.[0-9][0-9][0-9][0-9]'"
        for day in ("[0-9]", "[0-9][0-9]")
        for month in ("[0-9]", "[0-9][0-9]")
    )
    dot = f"instr({s}, '.')"
    return f"""CASE
        WHEN {s} GLOB '[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]' THEN {s}
        WHEN {dotted} THEN printf('%s-%02d-%02d', substr({s}, -4),
            CAST(substr({s}, {dot} + 1, length({s}) - {dot} - 5) AS INTEGER),
            CAST(substr({s}, 1, {dot} - 1) AS INTEGER))
        END"""


def ehic_state(v: str) -> str:
    """SQL: the ``ehic`` fact of visit row ``v`` (see the module's docstring)."""
    answers = f"{v}.answers"
    typed = (
        f"CASE WHEN json_type({answers}, '$.ehic_valid_until') = 'text' "
        f"THEN trim(json_extract({answers}, '$.ehic_valid_until'), {_BLANKS}) END"
    )
    # one-row tables carry the typed text (c) and the date read from it (d), each written once
    return f"""CASE WHEN {v}.form_id = 'life_situation'
            AND json_extract({answers}, '$.insurance_status') = 'ehic' THEN (
        SELECT CASE
            WHEN d.value IS NULL OR d.value < '0001-01-01' OR date(d.value) IS NOT d.value
                THEN 0
            WHEN d.value < {_visit_day(v)} THEN 2
            ELSE 1 END
        FROM json_each(json_array({typed})) AS c,
             json_each(json_array({_whole_date("c.value")})) AS d
    ) END"""


def _fact_values(v: str, with_ehic: bool) -> str:
    """The fact columns computed from visit row ``v`` (``NEW`` in a trigger), as migration
    ``report_facts`` computes them, and the ``ehic`` column after them."""
    life = f"{v}.form_id = 'life_situation'"
    ehic = f", {ehic_state(v)}" if with_ehic else ""
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
        CASE WHEN {v}.next_steps NOT IN ('', '{{}}') THEN {v}.next_steps END{ehic}
    """


def _insert_fact(v: str, when: str, with_ehic: bool) -> str:
    columns = _FACT_COLUMNS + (", ehic" if with_ehic else "")
    return (
        f"INSERT INTO report_visit_facts ({columns}) "
        f"SELECT {_fact_values(v, with_ehic)} FROM report_persons AS rp "
        f"WHERE rp.person_id = {v}.person_id AND {when};"
    )


_NATIONALITY = "(SELECT p.nationality FROM people AS p WHERE p.id = NEW.person_id)"

_WATCHED = "person_id, form_id, answers, next_steps, finished_at, deleted, device_id, author_id"


def _triggers(with_ehic: bool) -> dict[str, str]:
    """The two triggers on ``visits`` that write facts: with the ``ehic`` column (and watching
    ``started_at``, its day), or as migration ``report_facts`` made them."""
    watched = _WATCHED + (", started_at" if with_ehic else "")
    return {
        "tr_report_facts_insert": f"""
            CREATE TRIGGER tr_report_facts_insert AFTER INSERT ON visits WHEN NEW.deleted = 0
            BEGIN
                DELETE FROM report_visit_facts WHERE visit_id = NEW.id;
                INSERT OR IGNORE INTO report_persons (person_id, nationality)
                    VALUES (NEW.person_id, {_NATIONALITY});
                {_insert_fact("NEW", "1", with_ehic)}
            END
        """,
        "tr_report_facts_update": f"""
            CREATE TRIGGER tr_report_facts_update AFTER UPDATE OF {watched} ON visits
            BEGIN
                DELETE FROM report_visit_facts WHERE visit_id = OLD.id;
                INSERT OR IGNORE INTO report_persons (person_id, nationality)
                    SELECT NEW.person_id, {_NATIONALITY}
                    WHERE NEW.deleted = 0;
                {_insert_fact("NEW", "NEW.deleted = 0", with_ehic)}
            END
        """,
    }


def _make_triggers(with_ehic: bool) -> None:
    for name, sql in _triggers(with_ehic).items():
        op.execute(f"DROP TRIGGER IF EXISTS {name}")
        op.execute(sql)


def upgrade() -> None:
    op.add_column("report_visit_facts", sa.Column("ehic", sa.Integer, nullable=True))
    # backfill: each fact from its visit (facts exist only of visits not deleted)
    op.execute(
        f"UPDATE report_visit_facts SET ehic = (SELECT {ehic_state('v')} FROM visits AS v "
        "WHERE v.id = report_visit_facts.visit_id)"
    )
    # the people with an EHIC among a period's facts, without the others' (a few in ten)
    op.create_index(
        "ix_report_facts_ehic",
        "report_visit_facts",
        ["day", "person_key", "ehic"],
        sqlite_where=sa.text("ehic IS NOT NULL"),
    )
    _make_triggers(with_ehic=True)


def downgrade() -> None:
    _make_triggers(with_ehic=False)
    op.drop_index("ix_report_facts_ehic", table_name="report_visit_facts")
    op.execute("ALTER TABLE report_visit_facts DROP COLUMN ehic")
