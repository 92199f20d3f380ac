"""Index of visits by finish time, for the reports' period figures.

Revision ID: reports
Revises: audit
"""

from __future__ import annotations

from alembic import op

revision = "reports"
down_revision = "audit"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index(
        "ix_visits_finished", "visits", ["finished_at", "deleted", "person_id", "form_id"]
    )


def downgrade() -> None:
    op.drop_index("ix_visits_finished", table_name="visits")
