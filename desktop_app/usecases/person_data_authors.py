"""Who recorded each entry of a person's data copy, as the person can tell it (Art. 15(1)(g)
GDPR, the source): the account's name on this laptop; from another laptop (accounts do not
sync: a synced record carries only its author's id and its laptop's store id) the laptop's
name in the team's list of its laptops, else that it was another laptop of the team. (A
referral carries its advisor's name itself, and the copy names them with it.)

The machine-readable copy keeps the facts (``recorded_by``: name, laptop, whether this one;
a visit changed since by someone else also ``last_changed_by``, a conflict's two values
``kept_recorded_by`` and ``other_recorded_by``); the PDF says each in one phrase
(``recorded_by_text``).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session as DbSession

from desktop_app.i18n.text import N_, gettext_in
from desktop_app.storage.models import MetaRow, UserRow

#: the key of an entry (and of a visit's earlier version) naming who recorded it
KEY = "recorded_by"
#: of a visit changed since by someone else (or elsewhere), who saved it as it reads now
CHANGED_KEY = "last_changed_by"
#: of a conflict's two values (``kept_value``, ``other_value``), who recorded each
KEPT_KEY, OTHER_KEY = "kept_recorded_by", "other_recorded_by"
KEYS = frozenset({KEY, CHANGED_KEY, KEPT_KEY, OTHER_KEY})

#: an entry of this laptop whose account is not known here (none should be: a removed
#: account keeps its row); as the log of consultations says it
BY_US = N_("Staff member")
#: an entry from another laptop whose name the team's list of laptops holds
ON_LAPTOP = N_("Staff member on the laptop “{laptop}” of our team")
#: an entry from another laptop not in the team's list (not synced since it joined); as the
#: log of consultations says it
ELSEWHERE = N_("Staff member on another laptop of our team")


@dataclass(frozen=True)
class Authors:
    """What this laptop knows of who wrote its records: its own store's id, its accounts'
    names, the team's laptops' names by their stores' ids."""

    here: str
    users: Mapping[str, str]
    laptops: Mapping[str, str]

    @classmethod
    def read(cls, db: DbSession) -> Authors:
        # Imported here: the sync machinery only when a copy is made.
        from desktop_app.sync import laptops

        here = db.get(MetaRow, "device_id")
        return cls(
            here.value if here is not None else "",
            {uid: name for uid, name in db.execute(select(UserRow.id, UserRow.display_name))},
            laptops.store_names(db),
        )

    def of(self, author_id: str, device_id: str) -> dict[str, object]:
        """Who wrote a record (``author_id`` on the laptop of ``device_id``) as the copy keeps
        it: ``name`` (the account's on this laptop, "" where none here), ``this_laptop``, and
        for another laptop its ``laptop`` name ("" where the team's list does not name it)."""
        name = self.users.get(author_id, "")
        here = not device_id or device_id == self.here
        found: dict[str, object] = {"name": name, "this_laptop": here}
        if not here:
            found["laptop"] = self.laptops.get(device_id, "")
        return found


def recorded_by_text(value: object, lang: str) -> object:
    """``Authors.of``'s facts as one phrase in ``lang``; anything else as it is."""
    if not isinstance(value, Mapping):
        return value
    name, laptop = str(value.get("name") or ""), str(value.get("laptop") or "")
    if name:
        return name
    if value.get("this_laptop", True):
        return gettext_in(lang, BY_US)
    return gettext_in(lang, ON_LAPTOP if laptop else ELSEWHERE).format(laptop=laptop)
