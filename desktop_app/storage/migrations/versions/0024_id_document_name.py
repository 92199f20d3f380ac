"""The name as on the person's ID document, in Latin letters ("Gueorguieva" for "Георгиева"):
a field of the person that syncs, is searched and goes into letters. Empty for everyone so far.

A plain ``ADD COLUMN`` (no batch copy of the table): the people table keeps its triggers and
indexes, and a store of 100,000 people upgrades at once.

Revision ID: id_document_name
Revises: withdrawn_consent_texts
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "id_document_name"
down_revision = "withdrawn_consent_texts"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column(
        "people",
        sa.Column("id_document_name", sa.String(400), nullable=False, server_default=""),
    )


def downgrade() -> None:
    # ``DROP COLUMN`` in place too: a batch copy would drop the people count's triggers.
    op.drop_column("people", "id_document_name")
