"""Referrals prepared by a helper wait for an advisor's sign-off.

Referrals issued before this revision were issued by advisors: they count as signed off by the
advisor who issued them, at the time of issue.

Revision ID: referral_signoff
Revises: reference
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "referral_signoff"
down_revision = "reference"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("referrals") as batch:
        batch.add_column(
            sa.Column("signed_off_by", sa.String(200), nullable=False, server_default="")
        )
        batch.add_column(
            sa.Column("signed_off_at", sa.String(32), nullable=False, server_default="")
        )
    op.execute("UPDATE referrals SET signed_off_by = advisor_name, signed_off_at = created_at")


def downgrade() -> None:
    with op.batch_alter_table("referrals") as batch:
        batch.drop_column("signed_off_at")
        batch.drop_column("signed_off_by")
