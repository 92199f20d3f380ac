"""Who recorded each entry of a person's data copy, as the person is told it (Art. 15(1)(g)
GDPR, the source): the role of the staff member, never their name nor the laptop's. As in the
log of consultations (``person_data_notice``): the CJEU (C-579/21) owes the person the role,
not the names of staff acting under the controller's authority; Art. 15(4) protects those
others; and the copy is a paper the person carries, some of it about labour exploitation, so a
name on it can put a helper or an advisor at risk. Laptop names are internal.

The role is the one the log's entry of the record carries (``audit.ROLE_KEY``: every entry
carries the role its user worked with since this version; the log syncs): the role then, not
the account's now (a helper made an advisor since recorded her earlier visits as a helper).
Where the entry carries none (written before), the role of the author's account on this
laptop (a removed account keeps its row); accounts do not sync, so a record from another
laptop carries only its author's id, and the copy says it came from another laptop of the
team, as the log says it. (A referral letter is signed by its advisor: the copy keeps the
name it carries.)

The machine-readable copy keeps the facts (``recorded_by``: ``role``, one of ``Role``'s values
or null where not known, and ``this_laptop``; a visit changed since by someone else also
``last_changed_by``, a conflict's two values ``kept_recorded_by`` and ``other_recorded_by``,
a section opened to a helper ``opened_to``: the helper, never their internal id);
the PDF says each in one phrase (``recorded_by_text``).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session as DbSession

from desktop_app.domain.users import Role
from desktop_app.i18n.text import N_, gettext_in
from desktop_app.storage.models import MetaRow, UserRow

#: the key of an entry (and of a visit's earlier version) saying who recorded it
KEY = "recorded_by"
#: of a visit changed since by someone else (or elsewhere), who saved it as it reads now
CHANGED_KEY = "last_changed_by"
#: of a conflict's two values (``kept_value``, ``other_value``), who recorded each
KEPT_KEY, OTHER_KEY = "kept_recorded_by", "other_recorded_by"
#: of a section opened to a helper, to whom: the helper, as the others (role, this_laptop)
OPENED_TO_KEY = "opened_to"
KEYS = frozenset({KEY, CHANGED_KEY, KEPT_KEY, OTHER_KEY, OPENED_TO_KEY})

#: A staff member's role, as the person reads it (the log of consultations too).
ROLES = {
    Role.ADVISOR.value: N_("Advisor"),
    Role.HELPER.value: N_("Integration helper"),
    Role.COORDINATOR.value: N_("Coordinator"),
}
#: A user of this laptop whose role is not known (none should be: a removed account keeps its
#: row), and one of another laptop whose log entry carries no role (written before entries
#: carried it): accounts do not sync, so one is known there only by its id.
ROLE_UNKNOWN = N_("Staff member")
ROLE_ELSEWHERE = N_("Staff member on another laptop of our team")


@dataclass(frozen=True)
class Authors:
    """What this laptop knows of who wrote its records: its own store's id and its accounts'
    roles."""

    here: str
    roles: Mapping[str, str]

    @classmethod
    def read(cls, db: DbSession) -> Authors:
        here = db.get(MetaRow, "device_id")
        return cls(
            here.value if here is not None else "",
            {uid: role for uid, role in db.execute(select(UserRow.id, UserRow.role))},
        )

    def of(self, author_id: str, device_id: str, logged: str | None = None) -> dict[str, object]:
        """Who wrote a record (``author_id`` on the laptop of ``device_id``) as the copy keeps
        it: their ``role`` (None where not known here) and whether on ``this_laptop``. The
        role ``logged``, the one the log's entry of it carries, else (an entry written before
        entries carried it, a draft, which is not logged) their account's here."""
        role = logged or self.roles.get(author_id)
        return {
            "role": role if role in ROLES else None,
            "this_laptop": not device_id or device_id == self.here,
        }


def role_text(role: object, this_laptop: bool) -> str:
    """The msgid naming a role (``Role``'s value) for the person; where it is not known, that
    it was a staff member, of another laptop where ``this_laptop`` is false."""
    if isinstance(role, str) and role in ROLES:
        return ROLES[role]
    return ROLE_UNKNOWN if this_laptop else ROLE_ELSEWHERE


def recorded_by_text(value: object, lang: str) -> object:
    """``Authors.of``'s facts as one phrase in ``lang``; anything else as it is."""
    if not isinstance(value, Mapping):
        return value
    return gettext_in(lang, role_text(value.get("role"), bool(value.get("this_laptop", True))))
