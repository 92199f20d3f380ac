"""Who issued an enrollment code, and what a revoked laptop could hold.

``enrollment_codes.issued_by``: the coordinator's device that asked for the code (NULL: made
by ``welcome-desk-server enroll``, or before this migration). The bound on unused codes is
counted per issuing laptop, with an overall bound besides (``service.MAX_OUTSTANDING_CODES``).

``devices.pulled_at``: when the server last handed the device records it had not been handed
before (raised with ``pulled_seq``); NULL: not since this migration.
``devices.people_at_revocation``: at its revocation, how many people's records the device had
been handed by its last pull or had sent itself (``SyncService.revoke``); NULL: not revoked, or
revoked before this migration. Counted then, as later erasures remove what the count reads.

Revision ID: 0009
Revises: 0008
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("enrollment_codes", sa.Column("issued_by", sa.String(36), nullable=True))
    op.add_column("devices", sa.Column("pulled_at", sa.DateTime(timezone=True), nullable=True))
    op.add_column("devices", sa.Column("people_at_revocation", sa.Integer(), nullable=True))


def downgrade() -> None:
    # Plain ALTER TABLE (SQLite 3.35+ too), as in 0006 to 0008.
    op.execute("ALTER TABLE devices DROP COLUMN people_at_revocation")
    op.execute("ALTER TABLE devices DROP COLUMN pulled_at")
    op.execute("ALTER TABLE enrollment_codes DROP COLUMN issued_by")
