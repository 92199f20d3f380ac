"""Two entries of the same name and date of birth decided to be different people (synced
records of kind "distinct_people"): the notice on their pages names neither any more. Empty
so far: every pair was named.

Revision ID: distinct_people
Revises: id_document_name
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "distinct_people"
down_revision = "id_document_name"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "distinct_people",
        sa.Column("id", sa.String(36), primary_key=True),
        sa.Column("revision", sa.Integer, nullable=False),
        sa.Column("updated_hlc", sa.String(64), nullable=False),
        sa.Column("device_id", sa.String(36), nullable=False),
        sa.Column("author_id", sa.String(36), nullable=False),
        sa.Column("deleted", sa.Boolean, nullable=False),
        sa.Column("field_clocks", sa.Text, nullable=False),
        sa.Column("person_a", sa.String(36), nullable=False),
        sa.Column("person_b", sa.String(36), nullable=False),
    )
    op.create_index("ix_distinct_people_a", "distinct_people", ["person_a"], unique=False)
    op.create_index("ix_distinct_people_b", "distinct_people", ["person_b"], unique=False)


def downgrade() -> None:
    op.drop_index("ix_distinct_people_b", table_name="distinct_people")
    op.drop_index("ix_distinct_people_a", table_name="distinct_people")
    op.drop_table("distinct_people")
