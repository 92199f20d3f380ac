"""The register of requests looked up by person (``data_requests.person_id``): the person's
page, the data copy, erasure and record-request dialogs, an erasure (here or arriving) and every
request arriving by sync ask for one person's requests, which read the whole table without it.

Revision ID: data_requests_by_person
Revises: data_requests_sync
"""

from __future__ import annotations

from alembic import op

revision = "data_requests_by_person"
down_revision = "data_requests_sync"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index("ix_data_requests_person_id", "data_requests", ["person_id"], unique=False)


def downgrade() -> None:
    op.drop_index("ix_data_requests_person_id", table_name="data_requests")
