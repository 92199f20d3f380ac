"""A section closed to a helper is a case opening with ``opened`` false, no longer a deleted
record: a merge keeps a deletion for good, so opening it again was undone on other laptops.

Case openings deleted before this revision:
- about a person erased here: the erasure kept their person, helper and section here and
  sent a tombstone the server did not erase by. The row goes, and a tombstone one revision
  above is queued, which now erases on the server too (``person_sources``).
- else a closing: the row comes back live and closed, closed at the deletion's clock. One
  that came from another laptop was emptied on arrival: its person, helper and section take
  the oldest clock, so the next revision that holds them fills them in.

Revision ID: case_opened
Revises: draft_base
"""

from __future__ import annotations

import json

import sqlalchemy as sa
from alembic import op

revision = "case_opened"
down_revision = "draft_base"
branch_labels = None
depends_on = None

_IDENTITY = ("person_id", "helper_id", "kind")


def upgrade() -> None:
    with op.batch_alter_table("case_openings") as batch:
        batch.add_column(sa.Column("opened", sa.Boolean, nullable=False, server_default=sa.true()))
    bind = op.get_bind()
    erased = set(bind.execute(sa.text("SELECT id FROM people WHERE deleted = 1")).scalars())
    rows = bind.execute(
        sa.text(
            "SELECT id, revision, updated_hlc, field_clocks, person_id FROM case_openings "
            "WHERE deleted = 1"
        )
    ).all()
    for record_id, revision_, hlc, field_clocks, person_id in rows:
        if person_id and person_id in erased:
            bind.execute(sa.text("DELETE FROM case_openings WHERE id = :id"), {"id": record_id})
            bind.execute(
                sa.text(
                    "INSERT INTO outbox (record_kind, record_id, revision, hlc) "
                    "VALUES ('case_opening', :id, :revision, :hlc)"
                ),
                {"id": record_id, "revision": revision_ + 1, "hlc": hlc},
            )
            continue
        clocks = json.loads(field_clocks or "{}")
        if not person_id:
            clocks.update({name: ["", ""] for name in _IDENTITY})
        clocks["opened"] = [hlc, ""]
        bind.execute(
            sa.text(
                "UPDATE case_openings SET deleted = 0, opened = 0, field_clocks = :clocks "
                "WHERE id = :id"
            ),
            {"id": record_id, "clocks": json.dumps(clocks, sort_keys=True)},
        )


def downgrade() -> None:
    # Back to the former form: a closed section is a deleted record.
    op.execute("UPDATE case_openings SET deleted = 1 WHERE opened = 0")
    with op.batch_alter_table("case_openings") as batch:
        batch.drop_column("opened")
