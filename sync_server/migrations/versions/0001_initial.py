"""Initial schema: devices, enrollment codes, envelopes, wrapped keys, sequence counter.

Revision ID: 0001
Revises:
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None

_TS = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "seq_counter",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("last_seq", sa.BigInteger(), nullable=False),
    )
    op.bulk_insert(
        sa.table(
            "seq_counter", sa.column("id", sa.Integer()), sa.column("last_seq", sa.BigInteger())
        ),
        [{"id": 1, "last_seq": 0}],
    )
    op.create_table(
        "devices",
        sa.Column("id", sa.String(36), primary_key=True),
        sa.Column("name", sa.String(100), nullable=False),
        sa.Column("public_key", sa.LargeBinary(), nullable=False),
        sa.Column("token_hash", sa.String(64), nullable=False, unique=True),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("is_coordinator", sa.Boolean(), nullable=False),
        sa.Column("enrollment_name", sa.String(100), nullable=False),
        sa.Column("created_at", _TS, nullable=False),
        sa.Column("approved_at", _TS),
        sa.Column("approved_by", sa.String(36)),
        sa.Column("revoked_at", _TS),
        sa.Column("last_seen_at", _TS),
    )
    op.create_table(
        "enrollment_codes",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column("code_hash", sa.String(64), nullable=False, unique=True),
        sa.Column("name", sa.String(100), nullable=False),
        sa.Column("coordinator", sa.Boolean(), nullable=False),
        sa.Column("created_at", _TS, nullable=False),
        sa.Column("expires_at", _TS, nullable=False),
        sa.Column("used_at", _TS),
        sa.Column("used_by", sa.String(36)),
    )
    op.create_table(
        "envelopes",
        sa.Column("seq", sa.BigInteger(), primary_key=True, autoincrement=False),
        sa.Column("record_id", sa.String(36), nullable=False),
        sa.Column("kind", sa.String(32), nullable=False),
        sa.Column("revision", sa.BigInteger(), nullable=False),
        sa.Column("key_id", sa.String(64), nullable=False),
        sa.Column("nonce", sa.LargeBinary(), nullable=False),
        sa.Column("ciphertext", sa.LargeBinary(), nullable=False),
        sa.Column("author_device", sa.String(36), sa.ForeignKey("devices.id"), nullable=False),
        sa.Column("client_hlc", sa.String(96), nullable=False),
        sa.Column("received_at", _TS, nullable=False),
        sa.UniqueConstraint("record_id", "revision", name="uq_envelopes_record_rev"),
    )
    op.create_table(
        "wrapped_keys",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column("device_id", sa.String(36), sa.ForeignKey("devices.id"), nullable=False),
        sa.Column("key_id", sa.String(64), nullable=False),
        sa.Column("wrapped_key", sa.LargeBinary(), nullable=False),
        sa.Column("sender_public_key", sa.LargeBinary(), nullable=False),
        sa.Column("sender_device", sa.String(36), nullable=False),
        sa.Column("created_at", _TS, nullable=False),
        sa.UniqueConstraint("device_id", "key_id", name="uq_wrapped_keys_device_key"),
    )


def downgrade() -> None:
    for table in ("wrapped_keys", "envelopes", "enrollment_codes", "devices", "seq_counter"):
        op.drop_table(table)
