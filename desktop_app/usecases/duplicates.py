"""Two entries of the same name and date of birth that an advisor decided are different people.

After an offline week two laptops may have registered one man twice, and each entry's page
names the other (``people.possible_duplicates``). Cousins and a father and son share a name and
a birth date too: for them an advisor records that the two are different people, and neither
page names the other again, on this laptop and, after a sync, on every laptop of the team.
"""

from __future__ import annotations

import uuid

from sqlalchemy import select

from desktop_app.domain.permissions import Action, require
from desktop_app.domain.users import User
from desktop_app.storage.db import Store
from desktop_app.storage.models import DistinctPeopleRow, PersonRow, next_revision
from desktop_app.usecases import audit
from desktop_app.usecases.data_rights import PersonNotFound

# The record kind that syncs the decisions (``sync.kinds``).
KIND = "distinct_people"
# The namespace of the decisions' ids: a pair's id follows from its two ids alone.
_PAIRS = uuid.UUID("6f1d2c3a-5b7e-4e21-9a0c-3d8f4b6e2a91")


def pair_id(one: str, other: str) -> str:
    """The id of the decision about two entries, the same whichever laptop or page made it: two
    laptops deciding the same pair offline write one record, not two."""
    first, second = sorted((one, other))
    return str(uuid.uuid5(_PAIRS, f"{first} {second}"))


def mark_different_people(store: Store, user: User, person_id: str, other_id: str) -> bool:
    """Record that ``person_id`` and ``other_id`` are different people, audited for each of
    them. False where that was recorded already (here, or on a laptop this one synced with).
    Raises ``PersonNotFound`` if either is unknown here or erased, ``ValueError`` for one
    entry twice."""
    require(user, Action.DECIDE_DUPLICATES)
    if person_id == other_id:
        raise ValueError("an entry is the same person as itself")
    first, second = sorted((person_id, other_id))
    record_id = pair_id(first, second)
    with store.transaction() as session:
        for pid in (first, second):
            deleted = session.scalar(select(PersonRow.deleted).where(PersonRow.id == pid))
            if deleted is None or deleted:
                raise PersonNotFound(pid)
        held = session.get(DistinctPeopleRow, record_id)
        if held is not None:
            # Live: decided already. Deleted: cannot be, while both are live (an erasure
            # deletes the row; a tombstone arriving erases its rows too).
            return False
        row = DistinctPeopleRow(
            id=record_id, person_a=first, person_b=second, revision=0, field_clocks="{}"
        )
        session.add(row)
        hlc = str(store.clock.now())
        next_revision(session, row, KIND, hlc=hlc, device_id=store.device_id, author_id=user.id)
        for pid, other in ((person_id, other_id), (other_id, person_id)):
            audit.record_in(
                session,
                store,
                user.id,
                audit.AuditAction.DISTINCT,
                "person",
                pid,
                {"other_entry": other},
            )
    return True
