"""Two entries of the same name and date of birth that an advisor decided are different people.

After an offline week two laptops may have registered one man twice, and each entry's page
names the other (``people.possible_duplicates``). Cousins and a father and son share a name and
a birth date too: for them an advisor records that the two are different people, and neither
page names the other again, on this laptop and, after a sync, on every laptop of the team.
"""

from __future__ import annotations

import uuid

from sqlalchemy import func, select
from sqlalchemy.orm import Session as DbSession

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
    with store.transaction() as session:
        for pid in sorted((person_id, other_id)):
            deleted = session.scalar(select(PersonRow.deleted).where(PersonRow.id == pid))
            if deleted is None or deleted:
                raise PersonNotFound(pid)
        if not record_in(session, store, user.id, person_id, other_id):
            return False
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


def record_in(
    session: DbSession,
    store: Store,
    author_id: str,
    one: str,
    other: str,
    *,
    by_sync: bool = False,
) -> bool:
    """The decision that two live entries are different people, written in the caller's
    transaction as ``author_id``'s (a synced record). False, writing nothing, where it is held
    already, for one entry twice, or where either entry is unknown here or gone: a decision
    that an entry merged away named follows it to the entry kept (``usecases.merges``) this
    way, on every laptop, and lands on the record any other laptop wrote for the same pair.
    ``by_sync``: written so by a sync, not a user here (``OutboxRow.by_sync``)."""
    if one == other:
        return False
    first, second = sorted((one, other))
    live = session.scalar(
        select(func.count()).where(PersonRow.id.in_((first, second)), PersonRow.deleted.is_(False))
    )
    record_id = pair_id(first, second)
    # Held and deleted: cannot be while both are live (an erasure deletes the row; a
    # tombstone arriving erases its rows too).
    if live != 2 or session.get(DistinctPeopleRow, record_id) is not None:
        return False
    row = DistinctPeopleRow(
        id=record_id, person_a=first, person_b=second, revision=0, field_clocks="{}"
    )
    session.add(row)
    hlc = str(store.clock.now())
    next_revision(
        session,
        row,
        KIND,
        hlc=hlc,
        device_id=store.device_id,
        author_id=author_id,
        by_sync=by_sync,
    )
    return True
