"""Conflicts as rows: found by a merge, or by an edit that was left open while a sync ran.

A conflict syncs like any record. The same conflict found on two laptops gets the same id
(from ``merge.Conflict.identity``), so it is stored once.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Mapping
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from desktop_app.storage.db import Store
from desktop_app.storage.models import OutboxRow
from desktop_app.storage.sync_models import ConflictRow, TeamKeyRow
from desktop_app.sync import crypto
from desktop_app.sync import kinds as _kinds  # noqa: F401  (registers the record kinds)
from desktop_app.sync.merge import Conflict, RecordState
from desktop_app.sync.records import ADAPTERS, load_one


def conflict_row_values(value: object) -> str:
    return json.dumps(value, ensure_ascii=False)


def conflict_id(session: Session, conflict: Conflict) -> str:
    """The id ``conflict`` syncs under: the same on every laptop of the team, and opaque to the
    server. Its identity names the record, the field and a clock, all of which the server could
    guess by trying (the record ids and times it sees, the field names the app has): a plain
    hash of it would tell the operator which answer of whose visit two laptops disagreed on.
    So it is keyed with the team's first key, which every laptop of the team holds (an approval
    hands over every key). A laptop with no team key syncs nothing: a random id then."""
    with session.no_autoflush:
        first = session.scalar(select(TeamKeyRow.key).order_by(TeamKeyRow.key_id).limit(1))
    if first is None:
        return str(uuid.uuid4())
    return crypto.keyed_record_id(bytes(first), conflict.identity)


def record_conflict(session: Session, store: Store, conflict: Conflict, person_id: str) -> int:
    """Store ``conflict`` (and queue it for the server) unless it is stored already; 1 if new."""
    record_id = conflict_id(session, conflict)
    if session.get(ConflictRow, record_id) is not None:
        return 0
    hlc = str(store.clock.now())
    session.add(
        ConflictRow(
            id=record_id,
            record_kind=conflict.record_kind,
            record_id=conflict.record_id,
            person_id=person_id,
            field=conflict.field,
            kept_value=conflict_row_values(conflict.kept_value),
            kept_clock=conflict.kept_clock,
            other_value=conflict_row_values(conflict.other_value),
            other_clock=conflict.other_clock,
            resolved=False,
            revision=1,
            updated_hlc=hlc,
            device_id=store.device_id,
            author_id="",
            deleted=False,
            field_clocks="{}",
        )
    )
    session.add(OutboxRow(record_kind="conflict", record_id=record_id, revision=1, hlc=hlc))
    return 1


def synced_state(session: Session, kind: str, record_id: str) -> RecordState | None:
    """The record as it syncs (fields with their clocks), with the session's pending changes."""
    session.flush()
    local = load_one(ADAPTERS[kind], session, record_id)
    return local.state if local is not None else None


def record_edit_conflicts(
    session: Session,
    store: Store,
    before: RecordState,
    began: Mapping[str, Any],
    edited: Mapping[str, Any],
    person_id: str,
) -> int:
    """Conflicts for the fields an edit changed that a sync had changed too while it was open.

    ``began`` and ``edited`` are the fields' values when the edit began and as the user left
    them, named and written as in the synced record (a visit's answer "rent" is
    ``answers/rent``; a missing entry is ``None``); ``before`` is the record as it was stored
    just before the edit was saved, and the edit is saved in the session now. A field the edit
    did not change, or the sync did not, is no conflict: the edit kept the sync's value (see
    ``visits.edit_visit(base=…)``), or built on it. Where both changed it differently, the
    saved value stands and the other is kept for an advisor to decide, as when two laptops
    change one field offline: nothing is lost without anyone seeing it. Returns how many.
    """
    after = synced_state(session, before.kind, before.id)
    if after is None or after.deleted or before.deleted:
        return 0
    found = 0
    for name in sorted(edited.keys() | began.keys()):
        if edited.get(name) == began.get(name):
            continue  # left as it was
        theirs = before.fields.get(name)
        if theirs is None or theirs.value == began.get(name):
            continue  # nobody changed it meanwhile
        ours = after.fields.get(name)
        if ours is None:
            continue
        if ours.value != theirs.value:
            conflict = Conflict(
                before.kind, before.id, name, ours.value, ours.clock, theirs.value, theirs.clock
            )
        elif ours.value is None and edited.get(name) is not None:
            # The edit's value was not kept: with the sync's other changes the form's rules
            # drop it (a rent typed here, for a person recorded homeless on another laptop
            # meanwhile). The sync's value stands; the typed one is kept to decide.
            typed = str(store.clock.now())
            conflict = Conflict(
                before.kind, before.id, name, theirs.value, theirs.clock, edited.get(name), typed
            )
        else:
            continue  # the same change on both
        found += record_conflict(session, store, conflict, person_id)
    return found
