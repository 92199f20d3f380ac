"""Changes waiting to be sent that a sync made, not a user here (``outbox.by_sync``).

A merge of people that arrives from another laptop moves the records held here about the entry
merged away to the entry kept: changes queued for the server, but nothing a user here did, so
the status bar's "changes to send" leaves them out. Entries waiting from before get NULL:
counted as before.

Revision ID: outbox_by_sync
Revises: waiting_key_role
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "outbox_by_sync"
down_revision = "waiting_key_role"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("outbox") as batch:
        batch.add_column(sa.Column("by_sync", sa.Boolean(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("outbox") as batch:
        batch.drop_column("by_sync")
