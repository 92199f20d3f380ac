"""Field-by-field merge of record states from several laptops (no Qt, no I/O).

Every field carries the hybrid-logical-clock time of its last change (``clock``) and the clock of
the value that change replaced (``base``), as other laptops may hold it: a value its laptop
changed again before sending it was seen by none, and the new change takes its base
(``hlc.clocks_after_change``). Merging is deterministic: every laptop computes the same result
whatever order changes arrive in.

- Different fields changed on two laptops: both changes are kept.
- The same field changed on two laptops without one having seen the other's value (a true
  conflict): the later clock wins on every laptop, and the other value is kept as a ``Conflict``
  for an advisor to decide. Nothing is dropped silently.
- A deletion (erasure) absorbs everything: once deleted, a record stays deleted and keeps no data.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from operator import itemgetter
from typing import Any, NamedTuple, Protocol

from desktop_app.domain.hlc import clock_device as clock_device
from desktop_app.domain.hlc import history_entry_order


class FieldState(NamedTuple):
    """One field's value, the clock of its last change and the clock that change replaced.

    A named tuple, not a dataclass: a first sync builds one per field of every record, and
    a tuple is built in half the time. Immutable and compared by value either way.
    """

    value: Any
    clock: str
    base: str = ""


# A ``FieldState``'s clock, as ``map`` takes it (faster than the attribute, field by field).
CLOCK = itemgetter(1)


@dataclass(frozen=True)
class RecordState:
    """A record as it travels inside an envelope: every field with its clocks."""

    kind: str
    id: str
    fields: Mapping[str, FieldState]
    deleted: bool = False
    deleted_clock: str = ""

    def values(self) -> dict[str, Any]:
        return {name: f.value for name, f in self.fields.items()}

    def newest_clock(self) -> str:
        # The clocks taken out in C (``CLOCK``), not field by field: a first sync asks each
        # of thousands of records.
        return max(max(map(CLOCK, self.fields.values()), default=""), self.deleted_clock)


@dataclass(frozen=True)
class Conflict:
    """Two laptops set the same field to different values without seeing each other's."""

    record_kind: str
    record_id: str
    field: str
    kept_value: Any
    kept_clock: str
    other_value: Any
    other_clock: str

    @property
    def identity(self) -> str:
        """The same on every laptop that finds this conflict, so that it is stored once. Not an
        id itself: it names the field, and the server sees ids (``conflict_records``)."""
        return f"{self.record_kind}/{self.record_id}/{self.field}/{self.other_clock}"


class Combine(Protocol):
    """How a kind merges one field of its own (``merge``'s ``combined``): the value of two
    sides, ``ours_wins`` saying which side's clock is the later (of one clock, the greater
    text), the same whatever side is which."""

    def __call__(self, ours: Any, theirs: Any, *, ours_wins: bool) -> Any: ...


def _combine(ours: FieldState, theirs: FieldState, combine: Combine) -> FieldState:
    """A field merged by its kind's own rule (``combine``): the later clock's side (of one
    clock, the greater text) gives the clocks, ``combine`` the value. Never a conflict. A side
    whose value is the result is kept as it is, so that nothing changes where nothing is new."""
    ours_wins = _clock_then_text(ours) >= _clock_then_text(theirs)
    newer = ours if ours_wins else theirs
    value = combine(ours.value, theirs.value, ours_wins=ours_wins)
    for side in (newer, theirs if ours_wins else ours):
        if side.value == value:
            return side
    return FieldState(value, newer.clock, newer.base)


@dataclass(frozen=True)
class MergeResult:
    state: RecordState
    conflicts: tuple[Conflict, ...]
    changed: bool  # the local record must be updated


def _merge_field(
    name: str, local: FieldState, incoming: FieldState, me: str, record: RecordState
) -> tuple[FieldState, Conflict | None]:
    if local.clock == incoming.clock:
        return local, None
    newer, older = (incoming, local) if incoming.clock > local.clock else (local, incoming)
    local_dirty = clock_device(local.clock) == me
    concurrent = (
        local_dirty
        # our own older value back (a laptop pushed the record again for another field): ours
        # was built on it, also where our change took its base because it looked unsent (a
        # push the server took but whose answer never came back)
        and not (clock_device(incoming.clock) == me and incoming.clock < local.clock)
        and incoming.base != local.clock  # they did not build on our value
        and local.base != incoming.clock  # we did not build on theirs
        and incoming.clock > local.base  # and we had not seen theirs before our change
    )
    if concurrent and local.value != incoming.value:
        conflict = Conflict(
            record.kind, record.id, name, newer.value, newer.clock, older.value, older.clock
        )
        return newer, conflict
    return newer, None


def _clock_then_text(field: FieldState) -> tuple[str, str]:
    return field.clock, field.value if isinstance(field.value, str) else ""


def _text_then_clock(field: FieldState) -> tuple[bool, str, str]:
    text = isinstance(field.value, str)
    return text, field.value if text else "", field.clock


def _entries(field: FieldState) -> dict[str, Any] | None:
    """A JSON list's entries by their canonical text; None if the value is not such a list."""
    try:
        items = json.loads(field.value) if isinstance(field.value, str) else None
    except ValueError:
        return None
    if not isinstance(items, list):
        return None
    return {json.dumps(item, sort_keys=True, ensure_ascii=False): item for item in items}


def _union(ours: FieldState, theirs: FieldState) -> FieldState:
    """Both sides' entries of a JSON list (a history that only grows), in the order they were
    made (:func:`history_entry_order`: the step's clock, or one from its ``at``). Entries are
    told apart by their whole text: two steps alike but for their clock are two steps.

    A side holding every entry is kept as it is (no needless change); of two sides holding the
    same entries the greater text is kept, so every laptop ends with the same text.
    """
    mine, other = _entries(ours), _entries(theirs)
    if mine is None or other is None:  # not a list: the later clock wins, as for any field
        return max((ours, theirs), key=lambda f: f.clock)
    if mine.keys() == other.keys():
        return max((ours, theirs), key=_text_then_clock)
    if other.keys() <= mine.keys():
        return ours
    if mine.keys() <= other.keys():
        return theirs
    both = {**mine, **other}
    newer = max((ours, theirs), key=lambda f: f.clock)
    text = json.dumps(sorted(both.values(), key=history_entry_order), ensure_ascii=False)
    return FieldState(text, newer.clock, newer.base)


def _smaller(ours: FieldState, theirs: FieldState) -> FieldState:
    """Of two values the smaller text (a value that is not text, or empty, loses to any
    text); of one value the later clock: the same on every laptop, whichever side is which."""
    if ours.value == theirs.value:
        return max((ours, theirs), key=lambda f: f.clock)
    text = (f for f in (ours, theirs) if isinstance(f.value, str) and f.value)
    return min(
        text, key=lambda f: (f.value, f.clock), default=max((ours, theirs), key=lambda f: f.clock)
    )


def merge(
    local: RecordState | None,
    incoming: RecordState,
    me: str,
    *,
    sticky_true: frozenset[str] = frozenset(),
    last_writer_wins: frozenset[str] = frozenset(),
    greatest: frozenset[str] = frozenset(),
    union_lists: frozenset[str] = frozenset(),
    least: frozenset[str] = frozenset(),
    follows: Mapping[str, str] | None = None,
    combined: Mapping[str, Combine] | None = None,
) -> MergeResult:
    """Merge an incoming state into the local one; ``me`` is this laptop's device id.

    Fields in ``sticky_true`` are flags that, once true anywhere, stay true (e.g. "resolved"):
    they never conflict. In ``last_writer_wins`` the later clock wins without a conflict. In
    ``greatest`` the greater text wins whatever its clock (a value that only grows, such as
    the team key a laptop was last vouched under); a value that is not text loses to any text.
    Fields in ``union_lists`` hold a JSON list that only grows (a referral's status history):
    the entries of both sides are kept, never a conflict. In ``least`` the smaller text wins
    whatever its clock (a value that only shrinks, such as the entry a record moved to with
    merges of entries: the entry kept has the smaller id), of one text the later clock.
    A field in ``follows`` (name -> the field it follows) is taken from the side whose value
    of that field won, never merged on its own (who answered a request goes with the answer
    kept); where both sides hold that field alike, the later clock wins. A follower one side
    does not hold is left out where that side's value won (it has its default there), else
    taken from the side that holds it. A field in ``combined`` merges by its kind's own rule
    (name -> ``Combine``; a publication's history: both sides' entries), never a conflict.
    """
    if local is None:
        return MergeResult(incoming, (), True)
    if local.deleted or incoming.deleted:
        tomb = local if local.deleted else incoming
        clock = max(local.deleted_clock, incoming.deleted_clock)
        state = RecordState(tomb.kind, tomb.id, {}, True, clock)
        return MergeResult(state, (), state != local)
    fields: dict[str, FieldState] = {}
    conflicts: list[Conflict] = []
    followers: list[tuple[str, FieldState | None, FieldState | None]] = []
    for name in sorted(set(local.fields) | set(incoming.fields)):
        ours, theirs = local.fields.get(name), incoming.fields.get(name)
        if follows and name in follows:
            followers.append((name, ours, theirs))
            continue
        if ours is None or theirs is None:
            fields[name] = ours or theirs  # type: ignore[assignment]
            continue
        if name in sticky_true:
            flagged = [f for f in (ours, theirs) if f.value is True]
            fields[name] = max(flagged or (ours, theirs), key=lambda f: f.clock)
            continue
        if name in greatest:
            fields[name] = max((ours, theirs), key=_text_then_clock)
            continue
        if name in union_lists:
            fields[name] = _union(ours, theirs)
            continue
        if name in least:
            fields[name] = _smaller(ours, theirs)
            continue
        if combined and name in combined:
            fields[name] = _combine(ours, theirs, combined[name])
            continue
        merged, conflict = _merge_field(name, ours, theirs, me, local)
        fields[name] = merged
        if conflict is not None and name not in last_writer_wins:
            conflicts.append(conflict)
    for name, ours_or_none, theirs_or_none in followers:
        led = follows[name] if follows else ""
        won = fields.get(led)
        sides = [
            (mine, held)
            for mine, held in ((ours_or_none, local), (theirs_or_none, incoming))
            if won is not None and held.fields.get(led) == won
        ]
        follower: FieldState | None
        if len(sides) == 1:
            # A side that does not hold the field (a request's reason is sent only once
            # there is one) has its default: the field is left out, as that side left it.
            follower = sides[0][0]
        else:
            held_fields = [f for f in (ours_or_none, theirs_or_none) if f is not None]
            follower = max(held_fields, key=_clock_then_text) if held_fields else None
        if follower is not None:
            fields[name] = follower
    state = RecordState(local.kind, local.id, fields)
    return MergeResult(state, tuple(conflicts), state != local)
