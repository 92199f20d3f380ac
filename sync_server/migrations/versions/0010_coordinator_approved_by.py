"""A laptop approved for coordinators is a coordinator's: ``devices.coordinator_approved_by``.

Until now only a coordinator's code (``enroll --coordinator``) made a device a coordinator's
(``devices.is_coordinator``); a laptop that joined with an ordinary code and was approved for
coordinators gave its accounts every coordinator's right on the laptop, and the server refused
them as "not_coordinator". From now on an approval by a coordinator's device with the team key
wrapped for coordinators makes the device one (``SyncService.approve``), and this column names
the approving device; lowering the laptop's role clears both. NULL: not a coordinator's, or one
by a coordinator's code or as the organisation's first (those keep the coordinator role).

Devices approved for coordinators before this migration (approved, ``laptop_role``
"coordinator", an approving device kept, not a coordinator's) become coordinators' here, as
approved by ``approved_by``: only a coordinator's device could approve them or choose that role
for them (``require_coordinator``), so it is the decision the server makes from now on.

Revision ID: 0010
Revises: 0009
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None

_devices = sa.table(
    "devices",
    sa.column("status", sa.String),
    sa.column("is_coordinator", sa.Boolean),
    sa.column("laptop_role", sa.String),
    sa.column("approved_by", sa.String),
    sa.column("coordinator_approved_by", sa.String),
)


def upgrade() -> None:
    op.add_column("devices", sa.Column("coordinator_approved_by", sa.String(36), nullable=True))
    d = _devices.c
    op.execute(
        _devices.update()
        .where(
            d.status == "approved",
            d.is_coordinator.is_(sa.false()),
            d.laptop_role == "coordinator",
            d.approved_by.is_not(None),
        )
        .values(is_coordinator=sa.true(), coordinator_approved_by=d.approved_by)
    )


def downgrade() -> None:
    # Those approved for coordinators are ordinary devices again, as the server before this
    # one had them. Plain ALTER TABLE (SQLite 3.35+ too), as in 0006 to 0009.
    d = _devices.c
    op.execute(
        _devices.update()
        .where(d.coordinator_approved_by.is_not(None))
        .values(is_coordinator=sa.false())
    )
    op.execute("ALTER TABLE devices DROP COLUMN coordinator_approved_by")
