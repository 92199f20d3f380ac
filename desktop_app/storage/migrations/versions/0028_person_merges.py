"""Entries of one person merged into one (synced records of kind "person_merge"): the map from
each entry merged away to the entry kept. Empty so far: no entry was merged.

Revision ID: person_merges
Revises: outbox_sent
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "person_merges"
down_revision = "outbox_sent"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "person_merges",
        sa.Column("id", sa.String(36), primary_key=True),
        sa.Column("revision", sa.Integer, nullable=False),
        sa.Column("updated_hlc", sa.String(64), nullable=False),
        sa.Column("device_id", sa.String(36), nullable=False),
        sa.Column("author_id", sa.String(36), nullable=False),
        sa.Column("deleted", sa.Boolean, nullable=False),
        sa.Column("field_clocks", sa.Text, nullable=False),
        sa.Column("merged_id", sa.String(36), nullable=False),
        sa.Column("kept_id", sa.String(36), nullable=False),
    )
    op.create_index("ix_person_merges_merged_id", "person_merges", ["merged_id"], unique=False)
    op.create_index("ix_person_merges_kept_id", "person_merges", ["kept_id"], unique=False)


def downgrade() -> None:
    op.drop_index("ix_person_merges_kept_id", table_name="person_merges")
    op.drop_index("ix_person_merges_merged_id", table_name="person_merges")
    op.drop_table("person_merges")
