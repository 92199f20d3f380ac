"""Referrals with their status history, and the local print queue of letters.

Revision ID: referrals
Revises: sync
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "referrals"
down_revision = "sync"
branch_labels = None
depends_on = None


def _sync_columns() -> list[sa.Column]:
    return [
        sa.Column("id", sa.String(36), primary_key=True),
        sa.Column("revision", sa.Integer, nullable=False),
        sa.Column("updated_hlc", sa.String(64), nullable=False),
        sa.Column("device_id", sa.String(36), nullable=False),
        sa.Column("author_id", sa.String(36), nullable=False),
        sa.Column("deleted", sa.Boolean, nullable=False),
        sa.Column("field_clocks", sa.Text, nullable=False),
    ]


def upgrade() -> None:
    op.create_table(
        "referrals",
        *_sync_columns(),
        sa.Column("person_id", sa.String(36), nullable=False),
        sa.Column("service_id", sa.String(80), nullable=False),
        sa.Column("reason", sa.String(80), nullable=False),
        sa.Column("reason_note", sa.Text, nullable=False),
        sa.Column("created_at", sa.String(32), nullable=False),
        sa.Column("reference", sa.String(40), nullable=False, unique=True),
        sa.Column("advisor_name", sa.String(200), nullable=False),
        sa.Column("advisor_phone", sa.String(40), nullable=False),
        sa.Column("advisor_email", sa.String(200), nullable=False),
        sa.Column("appointment", sa.String(32), nullable=False),
        sa.Column("contact_person", sa.String(200), nullable=False),
        sa.Column("documents", sa.Text, nullable=False),
        sa.Column("client_lang", sa.String(8), nullable=False),
        sa.Column("status", sa.String(20), nullable=False),
        sa.Column("follow_up", sa.String(10), nullable=False),
        sa.Column("outcome", sa.Text, nullable=False),
        sa.Column("status_changed_at", sa.String(32), nullable=False),
        sa.Column("status_history", sa.Text, nullable=False),
    )
    op.create_index("ix_referrals_person", "referrals", ["person_id", "created_at"])
    op.create_index("ix_referrals_follow_up", "referrals", ["deleted", "status", "follow_up"])
    op.create_table(
        "print_queue",
        sa.Column("id", sa.String(36), primary_key=True),
        sa.Column(
            "referral_id",
            sa.String(36),
            sa.ForeignKey("referrals.id", ondelete="CASCADE"),
            nullable=False,
        ),
        sa.Column("client_lang", sa.String(8), nullable=False),
        sa.Column("pdf", sa.LargeBinary, nullable=False),
        sa.Column("created_at", sa.String(32), nullable=False),
        sa.Column("state", sa.String(10), nullable=False),
        sa.Column("printed_at", sa.String(32), nullable=False),
    )
    op.create_index("ix_print_queue_state", "print_queue", ["state", "created_at"])


def downgrade() -> None:
    op.drop_index("ix_print_queue_state", "print_queue")
    op.drop_table("print_queue")
    op.drop_index("ix_referrals_follow_up", "referrals")
    op.drop_index("ix_referrals_person", "referrals")
    op.drop_table("referrals")
