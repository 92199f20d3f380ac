"""A repeatable registration: ``devices.registration_secret_hash``.

A laptop sends a random secret with its enrollment code; if its own commit fails after the
server registered it (the disk full), it registers again with the same code, public key and
secret and gets the same device with a new token, instead of "code used already" and a device
no laptop holds. Existing devices get NULL: nothing of theirs can be registered again.

Revision ID: 0007
Revises: 0006
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("devices", sa.Column("registration_secret_hash", sa.String(64), nullable=True))


def downgrade() -> None:
    # Plain ALTER TABLE (SQLite 3.35+ too), as in 0006: a batch copy of ``devices`` would be
    # refused by the foreign keys that envelopes and keys hold on it.
    op.execute("ALTER TABLE devices DROP COLUMN registration_secret_hash")
