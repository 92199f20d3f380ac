"""Visits with their revisions, drafts, consents and quick contacts.

Revision ID: visits
Revises: referrals
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "visits"
down_revision = "referrals"
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
        "visits",
        *_sync_columns(),
        sa.Column("person_id", sa.String(36), nullable=False),
        sa.Column("form_id", sa.String(63), nullable=False),
        sa.Column("form_version", sa.Integer, nullable=False),
        sa.Column("answers", sa.Text, nullable=False),
        sa.Column("next_steps", sa.Text, nullable=False),
        sa.Column("status", sa.String(20), nullable=False),
        sa.Column("started_at", sa.String(32), nullable=False),
        sa.Column("finished_at", sa.String(32), nullable=False),
    )
    op.create_index("ix_visits_person", "visits", ["person_id", "finished_at"])
    op.create_table(
        "visit_revisions",
        sa.Column("visit_id", sa.String(36), primary_key=True),
        sa.Column("revision", sa.Integer, primary_key=True),
        sa.Column("form_version", sa.Integer, nullable=False),
        sa.Column("answers", sa.Text, nullable=False),
        sa.Column("next_steps", sa.Text, nullable=False),
        sa.Column("author_id", sa.String(36), nullable=False),
        sa.Column("updated_hlc", sa.String(64), nullable=False),
        sa.Column("saved_at", sa.String(32), nullable=False),
    )
    op.create_table(
        "drafts",
        sa.Column("person_id", sa.String(36), primary_key=True),
        sa.Column("form_id", sa.String(63), primary_key=True),
        sa.Column("visit_id", sa.String(36), nullable=False),
        sa.Column("author_id", sa.String(36), nullable=False),
        sa.Column("answers", sa.Text, nullable=False),
        sa.Column("next_steps", sa.Text, nullable=False),
        sa.Column("started_at", sa.String(32), nullable=False),
        sa.Column("updated_at", sa.String(32), nullable=False),
    )
    op.create_table(
        "consents",
        *_sync_columns(),
        sa.Column("person_id", sa.String(36), nullable=False),
        sa.Column("purpose", sa.String(40), nullable=False),
        sa.Column("granted", sa.Boolean, nullable=False),
        sa.Column("text_version", sa.String(40), nullable=False),
        sa.Column("language", sa.String(8), nullable=False),
        sa.Column("given_on", sa.String(10), nullable=False),
        sa.Column("how", sa.String(20), nullable=False),
        sa.Column("witness", sa.String(200), nullable=False),
        sa.Column("shared_with", sa.String(300), nullable=False),
    )
    op.create_index("ix_consents_person", "consents", ["person_id", "purpose"])
    op.create_table(
        "quick_contacts",
        *_sync_columns(),
        sa.Column("contact_date", sa.String(10), nullable=False),
        sa.Column("session_language", sa.String(8), nullable=False),
        sa.Column("topics", sa.Text, nullable=False),
        sa.Column("referral_given", sa.Boolean, nullable=False),
        sa.Column("nationality", sa.String(40), nullable=False),
        sa.Column("sex", sa.String(20), nullable=False),
    )
    op.create_index("ix_quick_contacts_date", "quick_contacts", ["contact_date"])


def downgrade() -> None:
    op.drop_index("ix_quick_contacts_date", "quick_contacts")
    op.drop_table("quick_contacts")
    op.drop_index("ix_consents_person", "consents")
    op.drop_table("consents")
    op.drop_table("drafts")
    op.drop_table("visit_revisions")
    op.drop_index("ix_visits_person", "visits")
    op.drop_table("visits")
