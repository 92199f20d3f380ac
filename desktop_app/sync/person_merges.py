"""Records about an entry merged into another (``usecases.merges``) move to the kept entry.

Every laptop keeps the map merged-away -> kept (records of kind ``person_merge``). A record
that arrives later about an entry merged away, written on a laptop that was offline when the
entries were merged, is moved to the kept entry as it is applied, instead of being dropped as
about an erased person: a change of its person column, made here, that goes out like any.
"""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import select
from sqlalchemy.orm import Session

from desktop_app.storage.models import PersonMergeRow
from desktop_app.sync.merge import FieldState, RecordState
from sync_server import wire

KIND = wire.PERSON_MERGE_KIND
# Kinds whose records about a person move with a merge, and the column naming the person.
# A merge naming the entry merged away as the one it kept moves on too (three entries of one
# person merged one after the other). Quick contacts name no one; drafts never sync.
MOVES: dict[str, str] = {
    "visit": "person_id",
    "consent": "person_id",
    "referral": "person_id",
    "case_opening": "person_id",
    "conflict": "person_id",
    KIND: "kept_id",
}
# Kinds naming two entries whose records follow a merge as records of their own, and how: a
# record's id follows from both entries it names, so it cannot be moved; one is written for
# the entry kept instead (``usecases.merges.decisions_followed``).
FOLLOWS: dict[str, str] = {
    # A decision that the entry merged away and a third are two people: the same decision
    # of the kept entry and the third (none of the kept entry with itself, none twice), or
    # the kept entry would be named a possible duplicate of the third again. The one naming
    # the entry merged away goes with its tombstone.
    "distinct_people": "the decision is written for the kept entry and the other one",
}
# Kinds naming a person that stay where they are at a merge, and why (none now). Every kind
# naming a person is in MOVES, FOLLOWS or here, and covered by a source of person data
# (``usecases.person_data``: what the data copy and erasure reach);
# ``tests/unit/test_person_merges.py`` holds them alike.
STAYS: dict[str, str] = {}
# Longer chains than this are not followed (a cycle would be endless).
_CHAIN = 16


def least(kind: str) -> frozenset[str]:
    """The fields of ``kind`` where the smaller value wins a merge, without a conflict: the
    person column of a kind that moves. Every move goes to the entry kept, the smaller id
    (``usecases.merges.kept_and_merged``), so the value only shrinks; two laptops that merged
    one entry into two different ones (offline) agree on the smaller of the two, also for the
    merge record itself (its kept entry). What only one of them moved stays where it moved."""
    column = MOVES.get(kind)
    return frozenset({column}) if column else frozenset()


def movable(state: RecordState) -> str | None:
    """The person column of a live record that moves with a merge, or None. A conflict over
    the merged-away entry's own fields stays: it names that record, erased with the entry."""
    column = MOVES.get(state.kind)
    if column is None or state.deleted or column not in state.fields:
        return None
    if state.kind == "conflict":
        kind = state.fields.get("record_kind")
        if kind is None or kind.value == "person":
            return None
    return column


def kept_entries(session: Session, person_ids: Iterable[str]) -> dict[str, str]:
    """For each of ``person_ids`` merged away (on any laptop this one synced with): the entry
    that holds its records now, following merges of merges."""
    step: dict[str, str] = {}
    asked: set[str] = set()
    ask = {pid for pid in person_ids if pid}
    for _ in range(_CHAIN):
        ask -= asked
        if not ask:
            break
        asked |= ask
        rows = session.execute(
            select(PersonMergeRow.merged_id, PersonMergeRow.kept_id).where(
                PersonMergeRow.merged_id.in_(ask), PersonMergeRow.deleted.is_(False)
            )
        ).all()
        step.update((str(merged), str(kept)) for merged, kept in rows)
        ask = {str(kept) for _merged, kept in rows}
    found: dict[str, str] = {}
    for merged in step:
        kept, seen = step[merged], {merged}
        while kept in step and kept not in seen:
            seen.add(kept)
            kept = step[kept]
        if kept not in seen:  # a cycle (two laptops merging each way) moves nothing
            found[merged] = kept
    return found


def moved(state: RecordState, kept: dict[str, str], clock: str) -> RecordState | None:
    """``state`` with its person column set to the kept entry at ``clock`` (a change made
    here, built on the value it replaces), or None where it is about no entry merged away."""
    column = movable(state)
    if column is None:
        return None
    field = state.fields[column]
    target = kept.get(str(field.value))
    if target is None:
        return None
    fields = {**state.fields, column: FieldState(target, clock, field.clock)}
    return RecordState(state.kind, state.id, fields, state.deleted, state.deleted_clock)


def kept_for_states(session: Session, states: Iterable[RecordState]) -> dict[str, str]:
    """``kept_entries`` for the people a page's records of one kind are about (one query, none
    for kinds that do not move)."""
    named = {
        str(state.fields[column].value)
        for state in states
        if (column := movable(state)) is not None
    }
    return kept_entries(session, named) if named else {}
