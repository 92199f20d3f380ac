"""What a merge of two entries saw of the entry merged away (``person_merges.seen``): each
field's clock and whether the kept entry took its value, so that a change of that entry made
offline elsewhere and unseen by the merge is carried over to the kept entry, not lost to
the tombstone. A plain ``ADD COLUMN``: "{}" for merges made before (nothing known: a change
arriving for them becomes a conflict on the kept entry).

Revision ID: merge_seen
Revises: person_merges
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "merge_seen"
down_revision = "person_merges"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("person_merges", sa.Column("seen", sa.Text, nullable=False, server_default="{}"))


def downgrade() -> None:
    with op.batch_alter_table("person_merges") as batch:
        batch.drop_column("seen")
