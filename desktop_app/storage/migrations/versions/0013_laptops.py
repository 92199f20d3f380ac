"""The team's own list of its laptops (synced records of kind "laptop"): a rotation of the team
key wraps the new key only for laptops the team vouches for here, not for whatever the server's
device list names.

Laptops joined before this revision have no record yet; each writes its own at its next sync.

Revision ID: laptops
Revises: key_senders
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "laptops"
down_revision = "key_senders"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "laptops",
        sa.Column("id", sa.String(36), primary_key=True),
        sa.Column("revision", sa.Integer, nullable=False),
        sa.Column("updated_hlc", sa.String(64), nullable=False),
        sa.Column("device_id", sa.String(36), nullable=False),
        sa.Column("author_id", sa.String(36), nullable=False),
        sa.Column("deleted", sa.Boolean, nullable=False),
        sa.Column("field_clocks", sa.Text, nullable=False),
        sa.Column("laptop_id", sa.String(36), nullable=False),
        sa.Column("public_key", sa.String(64), nullable=False),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("revoked", sa.Boolean, nullable=False),
        sa.Column("vouch", sa.String(200), nullable=False),
    )
    op.create_index(op.f("ix_laptops_laptop_id"), "laptops", ["laptop_id"], unique=False)


def downgrade() -> None:
    op.drop_index(op.f("ix_laptops_laptop_id"), table_name="laptops")
    op.drop_table("laptops")
