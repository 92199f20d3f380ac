"""A conflict names the person its record is about, so that it is exported and erased with
them: also a conflict over a visit, a referral or a consent, and also after the record itself
was erased (the record no longer leads to the person then).

Conflicts stored before this revision get their person from their record.

Revision ID: conflict_person
Revises: laptops
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "conflict_person"
down_revision = "laptops"
branch_labels = None
depends_on = None

_RECORDS = {
    "visit": "visits",
    "consent": "consents",
    "referral": "referrals",
    "case_opening": "case_openings",
}


def upgrade() -> None:
    with op.batch_alter_table("conflicts") as batch:
        batch.add_column(sa.Column("person_id", sa.String(36), nullable=False, server_default=""))
        batch.create_index(op.f("ix_conflicts_person_id"), ["person_id"], unique=False)
    op.execute("UPDATE conflicts SET person_id = record_id WHERE record_kind = 'person'")
    for kind, table in _RECORDS.items():
        op.execute(
            f"UPDATE conflicts SET person_id = COALESCE("
            f"(SELECT person_id FROM {table} WHERE {table}.id = conflicts.record_id), '') "
            f"WHERE record_kind = '{kind}'"
        )


def downgrade() -> None:
    with op.batch_alter_table("conflicts") as batch:
        batch.drop_index(op.f("ix_conflicts_person_id"))
        batch.drop_column("person_id")
