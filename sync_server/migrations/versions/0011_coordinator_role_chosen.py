"""How a laptop became a coordinator's: ``devices.coordinator_role_chosen``.

A laptop approved before laptops had roles is made a coordinator's when a coordinator's laptop
chooses the coordinator's role for it (``SyncService._store_key``), as one approved for
coordinators is (``SyncService.approve``); ``coordinator_approved_by`` names the deciding
device either way, and the coordinators' list of laptops said "approved by" that laptop of one
whose role was only chosen. True: made a coordinator's by the role chosen; NULL or false: by
its approval, or not a coordinator's. Cleared with ``coordinator_approved_by`` when its role is
lowered.

Devices made coordinators' before this migration by a device other than the one that approved
them had their role chosen (an approval names its approver in both columns): those are marked.
Where one device did both, the approval is assumed, as the list said until now.

Revision ID: 0011
Revises: 0010
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None

_devices = sa.table(
    "devices",
    sa.column("approved_by", sa.String),
    sa.column("coordinator_approved_by", sa.String),
    sa.column("coordinator_role_chosen", sa.Boolean),
)


def upgrade() -> None:
    op.add_column("devices", sa.Column("coordinator_role_chosen", sa.Boolean(), nullable=True))
    d = _devices.c
    op.execute(
        _devices.update()
        .where(
            d.coordinator_approved_by.is_not(None),
            sa.or_(d.approved_by.is_(None), d.approved_by != d.coordinator_approved_by),
        )
        .values(coordinator_role_chosen=sa.true())
    )


def downgrade() -> None:
    # Plain ALTER TABLE (SQLite 3.35+ too), as in 0006 to 0010.
    op.execute("ALTER TABLE devices DROP COLUMN coordinator_role_chosen")
