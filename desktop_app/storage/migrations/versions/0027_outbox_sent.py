"""Each outbox row notes the fields its change was the first to change since the record was
last sent, as they were (clocks and a digest of the value): a field changed back to its value
as sent takes its sent clocks again, and is no conflict with a colleague's change of it.

A plain ``ADD COLUMN``: NULL for the changes waiting now (nothing noted for them).

Revision ID: outbox_sent
Revises: outbox_record
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "outbox_sent"
down_revision = "outbox_record"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("outbox", sa.Column("sent", sa.Text, nullable=True))


def downgrade() -> None:
    op.drop_column("outbox", "sent")
