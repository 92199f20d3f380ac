"""The register of requests keeps the reason of an answer given by hand
(``data_requests.answer_reason``): a correction request answered without a correction ("nothing
to correct") shows why in the register and in the person's data copy, and the reason syncs
with the entry (``sync.kinds.DataRequestAdapter``).

Entries answered so before this version get the reason their answer's audit entry kept (the
log syncs, so every laptop finds the same one): the latest ``answer_request`` entry of the
entry's reference that names the same day of answer. An entry whose person was erased since
(its link empty) gets ``models.REASON_REMOVED`` instead, as the erasure gives it from this
version on: the reason is free text that may name the person.

Revision ID: data_request_reason
Revises: report_ehic
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "data_request_reason"
down_revision = "report_ehic"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column(
        "data_requests",
        sa.Column("answer_reason", sa.String(200), nullable=False, server_default=""),
    )
    # ``ix_audit_record`` (record_id, at) finds an entry's few log entries.
    op.execute(
        """
        UPDATE data_requests SET answer_reason = coalesce((
            SELECT CASE WHEN data_requests.person_id = '' THEN char(31) || 'removed'
                        ELSE substr(json_extract(a.details, '$.reason'), 1, 200) END
            FROM audit_log AS a
            WHERE a.record_id = data_requests.reference
              AND a.action = 'answer_request'
              AND a.record_kind = 'data_request'
              AND json_valid(a.details)
              AND json_extract(a.details, '$.answered') = data_requests.answered
              AND json_type(a.details, '$.reason') = 'text'
            ORDER BY a.at DESC LIMIT 1
        ), '')
        WHERE answered != '' AND deleted = 0
        """
    )


def downgrade() -> None:
    op.execute("ALTER TABLE data_requests DROP COLUMN answer_reason")
