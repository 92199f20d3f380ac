"""A laptop's record names the id of its store, the id its changes carry in their clocks, so
that a conflict can say on which laptop each value was set (by the laptop's name).

Each laptop fills it in for its own record at its next sync.

Revision ID: laptop_store
Revises: conflict_person
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "laptop_store"
down_revision = "conflict_person"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("laptops") as batch:
        batch.add_column(sa.Column("store_id", sa.String(36), nullable=False, server_default=""))
        batch.create_index(op.f("ix_laptops_store_id"), ["store_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("laptops") as batch:
        batch.drop_index(op.f("ix_laptops_store_id"))
        batch.drop_column("store_id")
