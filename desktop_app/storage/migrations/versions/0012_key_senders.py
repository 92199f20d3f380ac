"""Which laptops this one takes team keys from, keys waiting for their sender's confirmation,
and envelopes pulled under such a key (applied once it is taken).

A joining laptop used to open whatever wrapped team key the server handed it, with a sender key
the server named; now it opens only keys from senders a person here has confirmed by their
fingerprint (see ``usecases.sync.confirm_coordinator``).

Revision ID: key_senders
Revises: people_count
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "key_senders"
down_revision = "people_count"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "trusted_key_senders",
        sa.Column("public_key", sa.LargeBinary(), nullable=False),
        sa.Column("device_id", sa.String(length=36), nullable=False),
        sa.Column("device_name", sa.String(length=200), nullable=False),
        sa.Column("reason", sa.String(length=20), nullable=False),
        sa.Column("added_hlc", sa.String(length=64), nullable=False),
        sa.PrimaryKeyConstraint("public_key"),
    )
    op.create_table(
        "waiting_team_keys",
        sa.Column("key_id", sa.String(length=64), nullable=False),
        sa.Column("sender_public_key", sa.LargeBinary(), nullable=False),
        sa.Column("wrapped_key", sa.LargeBinary(), nullable=False),
        sa.Column("sender_device", sa.String(length=36), nullable=False),
        sa.Column("sender_name", sa.String(length=200), nullable=False),
        sa.Column("received_hlc", sa.String(length=64), nullable=False),
        sa.PrimaryKeyConstraint("key_id", "sender_public_key"),
    )
    op.create_table(
        "deferred_envelopes",
        sa.Column("seq", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("key_id", sa.String(length=64), nullable=False),
        sa.Column("envelope", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("seq"),
    )
    op.create_index(
        op.f("ix_deferred_envelopes_key_id"), "deferred_envelopes", ["key_id"], unique=False
    )


def downgrade() -> None:
    op.drop_index(op.f("ix_deferred_envelopes_key_id"), table_name="deferred_envelopes")
    op.drop_table("deferred_envelopes")
    op.drop_table("waiting_team_keys")
    op.drop_table("trusted_key_senders")
