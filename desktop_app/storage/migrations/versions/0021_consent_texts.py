"""The consent texts that were in force on this laptop, kept for the data copy (Art. 15): a
consent stores only its text version, which the form in force may no longer hold.

Filled with the texts of the forms publication this store holds, in force or not (outranked by
a newer shipped form); from here on every text is kept as it comes into force.

Revision ID: consent_texts
Revises: sort_keys
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "consent_texts"
down_revision = "sort_keys"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "consent_texts",
        sa.Column("pk", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column("text_version", sa.String(40), nullable=False),
        sa.Column("purpose", sa.String(40), nullable=False),
        sa.Column("digest", sa.String(64), nullable=False),
        sa.Column("wording", sa.Text(), nullable=False),
        sa.UniqueConstraint("text_version", "purpose", "digest", name="uq_consent_texts"),
    )
    from desktop_app.usecases.consent_texts import keep_publication

    bind = op.get_bind()
    published = bind.execute(
        sa.text("SELECT content FROM reference_data WHERE name = 'forms' AND deleted = 0")
    ).all()
    for (content,) in published:
        keep_publication(bind, content)


def downgrade() -> None:
    op.drop_table("consent_texts")
