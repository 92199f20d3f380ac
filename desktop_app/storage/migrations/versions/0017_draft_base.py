"""A draft that edits a finished visit keeps the answers it started from, so that finishing it
changes only what was changed in it: an answer a sync changed meanwhile stays.

Revision ID: draft_base
Revises: deferred_reader
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "draft_base"
down_revision = "deferred_reader"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("drafts") as batch:
        batch.add_column(sa.Column("base", sa.Text, nullable=False, server_default=""))


def downgrade() -> None:
    with op.batch_alter_table("drafts") as batch:
        batch.drop_column("base")
