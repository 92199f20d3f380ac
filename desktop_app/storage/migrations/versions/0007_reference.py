"""Reference data published by a coordinator (the service directory).

Revision ID: reference
Revises: reports
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "reference"
down_revision = "reports"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "reference_data",
        sa.Column("id", sa.String(36), primary_key=True),
        sa.Column("revision", sa.Integer, nullable=False),
        sa.Column("updated_hlc", sa.String(64), nullable=False),
        sa.Column("device_id", sa.String(36), nullable=False),
        sa.Column("author_id", sa.String(36), nullable=False),
        sa.Column("deleted", sa.Boolean, nullable=False),
        sa.Column("field_clocks", sa.Text, nullable=False),
        sa.Column("name", sa.String(40), nullable=False, unique=True),
        sa.Column("content", sa.Text, nullable=False),
    )


def downgrade() -> None:
    op.drop_table("reference_data")
