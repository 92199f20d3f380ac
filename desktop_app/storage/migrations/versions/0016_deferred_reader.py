"""Envelopes a version of the app cannot read (a kind, or fields, a newer version added) are
kept with the envelopes waiting for a team key, and tried again after an update.

Revision ID: deferred_reader
Revises: laptop_store
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "deferred_reader"
down_revision = "laptop_store"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("deferred_envelopes") as batch:
        batch.add_column(sa.Column("reader", sa.String(64), nullable=False, server_default=""))


def downgrade() -> None:
    with op.batch_alter_table("deferred_envelopes") as batch:
        batch.drop_column("reader")
