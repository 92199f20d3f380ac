"""How many people the list holds, kept by triggers on ``people``.

The people list shows the number of people and sizes its scroll bar by it before the first page
paints. Counting the rows not deleted reads the whole list index (about 12 ms for 100,000 people
in SQLCipher, more on a cold cache), on the path to the first paint and after every change.
``people_count`` holds the number in one row, kept by triggers in the same transaction as every
write to ``people`` (registering, edits, sync merges, tombstones, erasure, bulk inserts).

Revision ID: people_count
Revises: report_facts_2
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "people_count"
down_revision = "report_facts_2"
branch_labels = None
depends_on = None

TRIGGERS = {
    "tr_people_count_insert": """
        CREATE TRIGGER tr_people_count_insert AFTER INSERT ON people WHEN NEW.deleted = 0
        BEGIN
            UPDATE people_count SET people = people + 1 WHERE id = 1;
        END
    """,
    "tr_people_count_update": """
        CREATE TRIGGER tr_people_count_update AFTER UPDATE OF deleted ON people
        WHEN (OLD.deleted = 0) != (NEW.deleted = 0)
        BEGIN
            UPDATE people_count
            SET people = people + CASE WHEN NEW.deleted = 0 THEN 1 ELSE -1 END WHERE id = 1;
        END
    """,
    "tr_people_count_delete": """
        CREATE TRIGGER tr_people_count_delete AFTER DELETE ON people WHEN OLD.deleted = 0
        BEGIN
            UPDATE people_count SET people = people - 1 WHERE id = 1;
        END
    """,
}


def upgrade() -> None:
    op.create_table(
        "people_count",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=False),
        sa.Column("people", sa.Integer, nullable=False),
        sa.CheckConstraint("id = 1", name="ck_people_count_one_row"),
    )
    op.execute(
        "INSERT INTO people_count (id, people) SELECT 1, count(*) FROM people WHERE deleted = 0"
    )
    for sql in TRIGGERS.values():
        op.execute(sql)


def downgrade() -> None:
    for name in TRIGGERS:
        op.execute(f"DROP TRIGGER IF EXISTS {name}")
    op.drop_table("people_count")
