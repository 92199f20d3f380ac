"""Every published form definition is kept on the laptop (``form_definitions``), by form id and
version: a laptop knew only the shipped forms and the publication in force, so a check recorded
under an intermediate version (3, while 4 is in force) was told in version 4's words, and what
was added since could not be named.

Filled with the definitions of the forms publication this store holds; from here on every
publication is kept when made here or received by sync.

Revision ID: form_definitions
Revises: draft_form_version
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "form_definitions"
down_revision = "draft_form_version"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "form_definitions",
        sa.Column("form_id", sa.String(40), primary_key=True),
        sa.Column("version", sa.Integer(), primary_key=True),
        sa.Column("definition", sa.Text(), nullable=False),
    )
    from desktop_app.usecases.form_definitions import keep_publication

    bind = op.get_bind()
    published = bind.execute(
        sa.text("SELECT content FROM reference_data WHERE name = 'forms' AND deleted = 0")
    ).all()
    for (content,) in published:
        keep_publication(bind, content)


def downgrade() -> None:
    op.drop_table("form_definitions")
