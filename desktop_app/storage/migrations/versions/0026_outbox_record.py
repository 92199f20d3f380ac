"""The outbox by record: every edit of a synced record looks up that record's changes waiting
to be sent (``models.unsent_since``), which read the whole outbox without an index (1.1 ms with
20,000 changes waiting, as after an offline week or an import); the push's confirmation
deletes by record too.

Revision ID: outbox_record
Revises: distinct_people
"""

from __future__ import annotations

from alembic import op

revision = "outbox_record"
down_revision = "distinct_people"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index("ix_outbox_record", "outbox", ["record_id", "hlc"], unique=False)


def downgrade() -> None:
    op.drop_index("ix_outbox_record", table_name="outbox")
