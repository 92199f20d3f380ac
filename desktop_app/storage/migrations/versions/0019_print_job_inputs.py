"""A letter in the print queue keeps a fingerprint of what it was rendered from, and when it
was rendered again because that changed: the letter that prints shows the referral as it is
(an appointment made after it was queued), not as it was.

Letters queued before have no fingerprint (empty): the first look at them renders them again
and keeps the new letter only where it differs.

Revision ID: print_inputs
Revises: case_opened
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "print_inputs"
down_revision = "case_opened"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("print_queue") as batch:
        batch.add_column(sa.Column("inputs", sa.String(64), nullable=False, server_default=""))
        batch.add_column(sa.Column("updated_at", sa.String(32), nullable=False, server_default=""))


def downgrade() -> None:
    with op.batch_alter_table("print_queue") as batch:
        batch.drop_column("updated_at")
        batch.drop_column("inputs")
