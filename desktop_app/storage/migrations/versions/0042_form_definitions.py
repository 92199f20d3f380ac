"""Every published form definition is kept on the laptop (``form_definitions``), by form id and
version: a laptop knew only the shipped forms and the publication in force, so a check recorded
under an intermediate version (3, while 4 is in force) was told in version 4's words, and what
was added since could not be named.

Filled with the definitions of the forms publication this store holds; from here on every
publication is kept when made here or received by sync. ``source`` says which ("here", "team";
"withdrawn": made here and withdrawn unsent): where a laptop's own publication used the team's
version number, the team's words are the ones kept for it (``usecases.form_definitions``).

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
        sa.Column("source", sa.String(10), nullable=False),
    )
    from desktop_app.usecases.form_definitions import HERE, TEAM, keep_publication

    bind = op.get_bind()
    # The team's where the server holds this revision of it (or a later one), else made here.
    published = bind.execute(
        sa.text(
            "SELECT r.content, s.revision >= r.revision FROM reference_data r "
            "LEFT JOIN synced_revisions s ON s.record_id = r.id "
            "WHERE r.name = 'forms' AND r.deleted = 0"
        )
    ).all()
    for content, synced in published:
        keep_publication(bind, content, TEAM if synced else HERE)


def downgrade() -> None:
    op.drop_table("form_definitions")
