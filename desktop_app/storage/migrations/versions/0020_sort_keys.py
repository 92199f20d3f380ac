"""The people list's order keeps "ъ" apart from "а" (``translit.sort_form``): "Ъгленов" sorted
before "Ангелов" and "Атанасов", both folded to a Latin "a" and ordered by the letters after.

Only names with an "ъ" (or the Latin alpha the new key spells it with) get another key: the
rows with one are found by the names as stored and their keys written again, in the people
table and in the search index (which ranks a search's matches by it).

Revision ID: sort_keys
Revises: print_inputs
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from desktop_app.storage.people_repo import names_sort_key

revision = "sort_keys"
down_revision = "print_inputs"
branch_labels = None
depends_on = None

# what sort_form spells differently from before: "ъ" in either case, the Latin alpha
_CHANGED = ("ъ", "Ъ", "ɑ", "Ɑ")
_INDEX_KEY = 32  # search_tokens.sort_key: the key's first 32 characters


def upgrade() -> None:
    bind = op.get_bind()
    found = " OR ".join(
        f"instr({column}, :c{n}) > 0"
        for column in ("family_name", "given_name")
        for n in range(len(_CHANGED))
    )
    letters = {f"c{n}": letter for n, letter in enumerate(_CHANGED)}
    rows = bind.execute(
        sa.text(f"SELECT pk, family_name, given_name FROM people WHERE {found}"), letters
    ).all()
    keys = [{"k": names_sort_key(family, given), "pk": pk} for pk, family, given in rows]
    if not keys:
        return
    bind.execute(sa.text("UPDATE people SET sort_key = :k WHERE pk = :pk"), keys)
    bind.execute(
        sa.text("UPDATE search_tokens SET sort_key = :k WHERE person_pk = :pk"),
        [{"k": k["k"][:_INDEX_KEY], "pk": k["pk"]} for k in keys],
    )


def downgrade() -> None:
    """The keys stay: the older order differs only among names with an "ъ"."""
