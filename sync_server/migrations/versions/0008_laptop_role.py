"""The role a laptop is approved for: ``wrapped_keys.laptop_role`` and ``devices.laptop_role``.

The approving coordinator chooses who uses a new laptop (student helpers, advisors,
coordinators); the role travels with every team key wrapped for it, bound into the wrapping
(``desktop_app.sync.crypto``), and is kept with the key to be handed back with it. The device
row keeps the role last chosen for the coordinator's list of laptops. Existing rows get NULL:
keys wrapped before carry no role.

Revision ID: 0008
Revises: 0007
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("wrapped_keys", sa.Column("laptop_role", sa.String(16), nullable=True))
    op.add_column("devices", sa.Column("laptop_role", sa.String(16), nullable=True))


def downgrade() -> None:
    # Plain ALTER TABLE (SQLite 3.35+ too), as in 0006 and 0007: a batch copy of ``devices``
    # would be refused by the foreign keys that envelopes and keys hold on it.
    op.execute("ALTER TABLE devices DROP COLUMN laptop_role")
    op.execute("ALTER TABLE wrapped_keys DROP COLUMN laptop_role")
