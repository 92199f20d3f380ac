"""Audit log (hash-chained, append-only) and restricted sections opened to helpers.

Revision ID: audit
Revises: visits
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "audit"
down_revision = "visits"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "audit_log",
        sa.Column("id", sa.String(36), primary_key=True),
        sa.Column("seq", sa.Integer, nullable=False),
        sa.Column("at", sa.String(64), nullable=False),
        sa.Column("user_id", sa.String(36), nullable=False),
        sa.Column("device_id", sa.String(36), nullable=False),
        sa.Column("action", sa.String(20), nullable=False),
        sa.Column("record_kind", sa.String(40), nullable=False),
        sa.Column("record_id", sa.String(36), nullable=False),
        sa.Column("details", sa.Text, nullable=False),
        sa.Column("prev_hash", sa.String(64), nullable=False),
        sa.Column("hash", sa.String(64), nullable=False),
        sa.UniqueConstraint("device_id", "seq", name="uq_audit_device_seq"),
    )
    op.create_index("ix_audit_record", "audit_log", ["record_id", "at"])
    op.create_index("ix_audit_at", "audit_log", ["at"])
    op.create_table(
        "case_openings",
        sa.Column("id", sa.String(36), primary_key=True),
        sa.Column("revision", sa.Integer, nullable=False),
        sa.Column("updated_hlc", sa.String(64), nullable=False),
        sa.Column("device_id", sa.String(36), nullable=False),
        sa.Column("author_id", sa.String(36), nullable=False),
        sa.Column("deleted", sa.Boolean, nullable=False),
        sa.Column("field_clocks", sa.Text, nullable=False),
        sa.Column("person_id", sa.String(36), nullable=False),
        sa.Column("helper_id", sa.String(36), nullable=False),
        sa.Column("kind", sa.String(20), nullable=False),
    )
    op.create_index("ix_case_openings_person", "case_openings", ["person_id", "helper_id"])


def downgrade() -> None:
    op.drop_table("case_openings")
    op.drop_table("audit_log")
