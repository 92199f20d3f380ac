"""Which kept consent text a consent recorded on this laptop was given under (its digest): two
texts may be kept under one text version, and the consent record names only the version.

Local, never synced: a field added to the consent record would make laptops of earlier versions
hold every consent back. Consents recorded before this revision have none.

Revision ID: consent_wordings
Revises: consent_texts
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "consent_wordings"
down_revision = "consent_texts"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "consent_wordings",
        sa.Column("consent_id", sa.String(36), primary_key=True),
        sa.Column("digest", sa.String(64), nullable=False),
    )


def downgrade() -> None:
    op.drop_table("consent_wordings")
