"""People, users, the search index, the outbox and store metadata.

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


def _sync_columns() -> list[sa.Column]:
    return [
        sa.Column("id", sa.String(36), primary_key=True),
        sa.Column("revision", sa.Integer, nullable=False),
        sa.Column("updated_hlc", sa.String(64), nullable=False),
        sa.Column("device_id", sa.String(36), nullable=False),
        sa.Column("author_id", sa.String(36), nullable=False),
        sa.Column("deleted", sa.Boolean, nullable=False),
        sa.Column("field_clocks", sa.Text, nullable=False),
    ]


def upgrade() -> None:
    op.create_table(
        "meta",
        sa.Column("key", sa.String(64), primary_key=True),
        sa.Column("value", sa.Text, nullable=False),
    )
    op.create_table(
        "users",
        *_sync_columns(),
        sa.Column("account", sa.String(200), nullable=False, unique=True),
        sa.Column("display_name", sa.String(200), nullable=False),
        sa.Column("role", sa.String(20), nullable=False),
    )
    op.create_table(
        "people",
        sa.Column("pk", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("id", sa.String(36), nullable=False, unique=True),
        *_sync_columns()[1:],
        sa.Column("given_name", sa.String(200), nullable=False),
        sa.Column("family_name", sa.String(200), nullable=False),
        sa.Column("date_of_birth", sa.String(10), nullable=False),
        sa.Column("sex", sa.String(20), nullable=False),
        sa.Column("nationality", sa.String(2), nullable=False),
        sa.Column("languages", sa.String(200), nullable=False),
        sa.Column("phone", sa.String(40), nullable=False),
        sa.Column("notes", sa.Text, nullable=False),
        sa.Column("sort_key", sa.String(420), nullable=False),
        sa.Column("name_key", sa.String(420), nullable=False),
        sa.Column("phone_key", sa.String(40), nullable=False),
    )
    op.create_index("ix_people_sort", "people", ["deleted", "sort_key", "pk"])
    op.create_index("ix_people_name_key", "people", ["name_key", "date_of_birth"])
    op.create_index("ix_people_phone_key", "people", ["phone_key"])
    op.create_table(
        "search_tokens",
        sa.Column("token", sa.String(200), primary_key=True),
        sa.Column("sort_key", sa.String(32), primary_key=True),
        sa.Column(
            "person_pk",
            sa.Integer,
            sa.ForeignKey("people.pk", ondelete="CASCADE"),
            primary_key=True,
        ),
        sqlite_with_rowid=False,
    )
    op.create_index("ix_search_tokens_person", "search_tokens", ["person_pk", "token"])
    op.create_table(
        "outbox",
        sa.Column("seq", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("record_kind", sa.String(40), nullable=False),
        sa.Column("record_id", sa.String(36), nullable=False),
        sa.Column("revision", sa.Integer, nullable=False),
        sa.Column("hlc", sa.String(64), nullable=False),
    )


def downgrade() -> None:
    op.drop_table("outbox")
    op.drop_index("ix_search_tokens_person", "search_tokens")
    op.drop_table("search_tokens")
    op.drop_table("people")
    op.drop_table("users")
    op.drop_table("meta")
