"""The register of requests about personal data syncs (record kind "data_request"): the table
gets the columns every synced record has and a uuid as its id (a reference is drawn on one
laptop and two laptops may draw the same one), and every request held here is queued once,
so that the team's laptops see the requests recorded before this version.

Revision ID: data_requests_sync
Revises: data_requests
"""

from __future__ import annotations

import time
import uuid

import sqlalchemy as sa
from alembic import op

revision = "data_requests_sync"
down_revision = "data_requests"
branch_labels = None
depends_on = None

_CONTENT = ("reference", "kind", "received", "answered", "answered_by", "person_id")


def upgrade() -> None:
    bind = op.get_bind()
    held = bind.execute(sa.text(f"SELECT {', '.join(_CONTENT)} FROM data_requests")).all()
    op.drop_table("data_requests")
    op.create_table(
        "data_requests",
        sa.Column("id", sa.String(36), primary_key=True),
        sa.Column("revision", sa.Integer, nullable=False),
        sa.Column("updated_hlc", sa.String(64), nullable=False),
        sa.Column("device_id", sa.String(36), nullable=False),
        sa.Column("author_id", sa.String(36), nullable=False),
        sa.Column("deleted", sa.Boolean, nullable=False),
        sa.Column("field_clocks", sa.Text, nullable=False),
        sa.Column("reference", sa.String(16), nullable=False),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("received", sa.String(10), nullable=False),
        sa.Column("answered", sa.String(10), nullable=False),
        sa.Column("answered_by", sa.String(16), nullable=False),
        sa.Column("person_id", sa.String(36), nullable=False, server_default=""),
    )
    op.create_index("ix_data_requests_reference", "data_requests", ["reference"], unique=False)
    if not held:
        return
    device = bind.execute(sa.text("SELECT value FROM meta WHERE key = 'device_id'")).scalar()
    device = str(device or uuid.uuid4())
    # A clock of this laptop's (``domain.hlc.Timestamp``), one counter step a request: the
    # author is not known here (the audit log names who recorded it), so none is named.
    wall = time.time_ns() // 1_000_000
    for counter, values in enumerate(held):
        record_id = str(uuid.uuid4())
        hlc = f"{wall:013d}-{counter:05d}-{device}"
        bind.execute(
            sa.text(
                "INSERT INTO data_requests (id, revision, updated_hlc, device_id, author_id, "
                "deleted, field_clocks, reference, kind, received, answered, answered_by, "
                "person_id) VALUES (:id, 1, :hlc, :device, '', 0, '{}', :reference, :kind, "
                ":received, :answered, :answered_by, :person_id)"
            ),
            {"id": record_id, "hlc": hlc, "device": device[:36], **dict(values._mapping)},
        )
        bind.execute(
            sa.text(
                "INSERT INTO outbox (record_kind, record_id, revision, hlc) "
                "VALUES ('data_request', :id, 1, :hlc)"
            ),
            {"id": record_id, "hlc": hlc},
        )


def downgrade() -> None:
    held = op.get_bind().execute(
        sa.text(f"SELECT {', '.join(_CONTENT)} FROM data_requests WHERE deleted = 0")
    )
    rows = [dict(r._mapping) for r in held]
    op.drop_index("ix_data_requests_reference", table_name="data_requests")
    op.drop_table("data_requests")
    made = op.create_table(
        "data_requests",
        sa.Column("reference", sa.String(16), primary_key=True),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("received", sa.String(10), nullable=False),
        sa.Column("answered", sa.String(10), nullable=False),
        sa.Column("answered_by", sa.String(16), nullable=False),
        sa.Column("person_id", sa.String(36), nullable=False, server_default=""),
    )
    # Two entries of one reference (drawn on two laptops) keep the first.
    unique = list({r["reference"]: r for r in reversed(rows)}.values())
    if unique and made is not None:
        op.bulk_insert(made, unique)
