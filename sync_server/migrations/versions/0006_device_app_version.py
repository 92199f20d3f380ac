"""The Welcome Desk version each device last stated: ``devices.app_version``.

Laptops send their version with every request (the ``Welcome-Desk-Version`` header); the
coordinator's list of laptops shows it, so that laptops still running an older version (which
may not read what the coordination publishes) can be updated. Existing devices get NULL (not
known) until their next request.

Revision ID: 0006
Revises: 0005
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("devices", sa.Column("app_version", sa.String(32), nullable=True))


def downgrade() -> None:
    # Plain ALTER TABLE (SQLite 3.35+ too): a batch copy of ``devices`` would be refused by
    # the foreign keys that envelopes and keys hold on it.
    op.execute("ALTER TABLE devices DROP COLUMN app_version")
