"""The register of the persons' requests about their data (``data_requests``): a copy or an
erasure, when received and when answered, by which role. Nothing names the person once they
are erased, so the register outlives the erasure it records.

Revision ID: data_requests
Revises: outbox_by_sync
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "data_requests"
down_revision = "outbox_by_sync"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "data_requests",
        sa.Column("reference", sa.String(16), primary_key=True),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("received", sa.String(10), nullable=False),
        sa.Column("answered", sa.String(10), nullable=False),
        sa.Column("answered_by", sa.String(16), nullable=False),
        sa.Column("person_id", sa.String(36), nullable=False, server_default=""),
    )


def downgrade() -> None:
    op.drop_table("data_requests")
