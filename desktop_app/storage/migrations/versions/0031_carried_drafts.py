"""Drafts of an entry merged away kept on the entry kept where it had begun the same form
(``carried_drafts``): the merge left them with the erased entry, and one arriving by sync
deleted what was typed at an outreach point without a word.

Revision ID: carried_drafts
Revises: outbox_record_id
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "carried_drafts"
down_revision = "outbox_record_id"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "carried_drafts",
        sa.Column("person_id", sa.String(36), primary_key=True),
        sa.Column("form_id", sa.String(63), primary_key=True),
        sa.Column("carried_from", sa.String(36), primary_key=True),
        sa.Column("visit_id", sa.String(36), nullable=False, server_default=""),
        sa.Column("author_id", sa.String(36), nullable=False),
        sa.Column("answers", sa.Text, nullable=False),
        sa.Column("next_steps", sa.Text, nullable=False, server_default="{}"),
        sa.Column("started_at", sa.String(32), nullable=False),
        sa.Column("updated_at", sa.String(32), nullable=False),
        sa.Column("base", sa.Text, nullable=False, server_default=""),
    )


def downgrade() -> None:
    op.drop_table("carried_drafts")
