"""The role a waiting team key was wrapped for (``waiting_team_keys.laptop_role``).

A key wrapped for this laptop by a sender not confirmed yet waits, still wrapped; the role the
approving coordinator chose is bound into the wrapping, so it is kept with the key to open it
once the sender is confirmed. Keys waiting from before get NULL: wrapped without a role.

Revision ID: waiting_key_role
Revises: issued_as_draft
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "waiting_key_role"
down_revision = "issued_as_draft"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("waiting_team_keys") as batch:
        batch.add_column(sa.Column("laptop_role", sa.String(16), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("waiting_team_keys") as batch:
        batch.drop_column("laptop_role")
