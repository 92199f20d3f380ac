"""What each device was last handed: ``devices.pulled_seq`` and ``devices.pushed_seq``.

The highest sequence number handed out to a device in a pull, and the highest in its push
results (accepted or duplicate). A pull answers them as they were before it
(``wire.PullResponse.device_pulled_seq``): a laptop whose cursor, or whose own pushes, went
further has synced with a later state of this database, which was restored from an older
backup since. Existing devices get NULL (not known): no laptop is told of a restore then.

Revision ID: 0005
Revises: 0004
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("devices", sa.Column("pulled_seq", sa.BigInteger(), nullable=True))
    op.add_column("devices", sa.Column("pushed_seq", sa.BigInteger(), nullable=True))


def downgrade() -> None:
    # Plain ALTER TABLE (SQLite 3.35+ too): a batch copy of ``devices`` would be refused by
    # the foreign keys that envelopes and keys hold on it.
    op.execute("ALTER TABLE devices DROP COLUMN pushed_seq")
    op.execute("ALTER TABLE devices DROP COLUMN pulled_seq")
