"""A referral keeps what its letter said of the service when it was given to the person
(``referrals.service_as_issued``: name, address with its building note, opening hours,
contact, languages spoken, in every language of the entry), written when the letter is first
printed or saved as a PDF and synced with the referral (``sync.kinds``: sent only once it holds
one). A letter shown or printed again later says what was given, not today's directory. The
print queue keeps what each queued letter says of the service (``print_queue.service``): the
referral takes it when that letter is printed.

Referrals given before this version keep none, and their letters show the directory in force,
as before: the store keeps only the publication in force, not the one in force when the letter
was given, and a copy of today's entry would stand as given where the service moved since.

Revision ID: service_as_issued
Revises: data_request_reason
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "service_as_issued"
down_revision = "data_request_reason"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column(
        "referrals",
        sa.Column("service_as_issued", sa.Text(), nullable=False, server_default=""),
    )
    op.add_column("print_queue", sa.Column("service", sa.Text(), nullable=False, server_default=""))


def downgrade() -> None:
    op.execute("ALTER TABLE print_queue DROP COLUMN service")
    op.execute("ALTER TABLE referrals DROP COLUMN service_as_issued")
