"""The outbox's index by record on the record id alone: with the change's clock in it as well
(``outbox_record``) each entry was twice as large, and the push's confirmations, which delete
the changes sent from every part of the index at once, wrote 1,800 more pages of a 10,000
person first push (a WAL checkpoint inside the push). ``unsent_since`` reads the rows of a
record in any case (their ``sent`` notes), so it finds them as fast through the record id.

Revision ID: outbox_record_id
Revises: merge_seen
"""

from __future__ import annotations

from alembic import op

revision = "outbox_record_id"
down_revision = "merge_seen"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.drop_index("ix_outbox_record", table_name="outbox")
    op.create_index("ix_outbox_record", "outbox", ["record_id"], unique=False)


def downgrade() -> None:
    op.drop_index("ix_outbox_record", table_name="outbox")
    op.create_index("ix_outbox_record", "outbox", ["record_id", "hlc"], unique=False)
