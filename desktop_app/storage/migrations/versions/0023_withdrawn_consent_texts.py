"""The consent texts of publications withdrawn before texts were kept (``consent_texts``): a
member's laptop withdrew its own publication at its first sync and saved it only as a folder
under ``withdrawn-publications``, so a consent given under such a text read as missing.

Read once, here; leniently (``texts_of_withdrawn``). Never fails the upgrade: the texts help the
data copy, and a store that does not open helps no one.

Revision ID: withdrawn_consent_texts
Revises: consent_wordings
"""

from __future__ import annotations

import logging
from pathlib import Path

from alembic import op

revision = "withdrawn_consent_texts"
down_revision = "consent_wordings"
branch_labels = None
depends_on = None

log = logging.getLogger(__name__)


def upgrade() -> None:
    from desktop_app.usecases.consent_texts import keep_withdrawn

    bind = op.get_bind()
    database = bind.engine.url.database  # the store's file, in its data folder
    if not database:
        return
    try:
        with bind.begin_nested():
            keep_withdrawn(bind, Path(database).parent)
    except Exception:  # whatever it was, the store still opens (see above)
        log.exception("consent texts of withdrawn publications not kept")


def downgrade() -> None:
    # The texts kept stay: ``consent_texts`` keeps every text, whenever it was read.
    pass
