"""A draft keeps the version of its form it was begun in (``drafts.form_version``, and a
carried draft's too): a draft begun in version 2 and continued after a sync brought version 3
says so above the form, with the questions added since, instead of the helper learning it only
when finishing was refused.

Drafts begun before this version keep 0 (not known): nothing is said of them. Drafts are never
synced.

Revision ID: draft_form_version
Revises: service_as_issued
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "draft_form_version"
down_revision = "service_as_issued"
branch_labels = None
depends_on = None


def upgrade() -> None:
    for table in ("drafts", "carried_drafts"):
        op.add_column(
            table, sa.Column("form_version", sa.Integer(), nullable=False, server_default="0")
        )


def downgrade() -> None:
    for table in ("carried_drafts", "drafts"):
        op.execute(f"ALTER TABLE {table} DROP COLUMN form_version")
