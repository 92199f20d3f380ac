"""Hybrid logical clock: timestamps that order events across laptops without trusting wall clocks.

A timestamp is rendered as a fixed-width string so that string order is clock order:
``<13-digit wall ms>-<5-digit counter>-<device id>``.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, NamedTuple


@dataclass(frozen=True, order=True)
class Timestamp:
    wall_ms: int
    counter: int
    device: str

    def __str__(self) -> str:
        return f"{self.wall_ms:013d}-{self.counter:05d}-{self.device}"

    @classmethod
    def parse(cls, text: str) -> Timestamp:
        wall, counter, device = text.split("-", 2)
        return cls(int(wall), int(counter), device)


class HybridLogicalClock:
    """Issues strictly increasing timestamps for one device; thread-safe."""

    def __init__(self, device: str, now_ms: Callable[[], int] | None = None) -> None:
        self._device = device
        self._now_ms = now_ms or (lambda: time.time_ns() // 1_000_000)
        self._last = Timestamp(0, 0, device)
        self._lock = threading.Lock()

    @property
    def device(self) -> str:
        return self._device

    def now(self) -> Timestamp:
        with self._lock:
            wall = max(self._now_ms(), self._last.wall_ms)
            counter = self._last.counter + 1 if wall == self._last.wall_ms else 0
            self._last = Timestamp(wall, counter, self._device)
            return self._last

    def wall_ms(self) -> int:
        """This laptop's wall clock as the clock reads it (ms since the epoch): what its
        timestamps start from, to compare with the sync server's time."""
        return self._now_ms()

    def latest(self) -> Timestamp:
        """The newest timestamp issued or observed, without issuing one."""
        with self._lock:
            return self._last

    def observe(self, remote: Timestamp) -> None:
        """Move past a timestamp seen from another device, so our next one sorts after it."""
        with self._lock:
            if (remote.wall_ms, remote.counter) > (self._last.wall_ms, self._last.counter):
                self._last = Timestamp(remote.wall_ms, remote.counter, self._device)


FieldClocks = dict[str, tuple[str, str]]  # field -> (clock of its last change, clock it replaced)


def effective_field_clocks(
    fields: tuple[str, ...], clocks: FieldClocks, updated_hlc: str
) -> FieldClocks:
    """Every field's clocks; a field without its own entry was last changed at ``updated_hlc``.

    Records store clocks only once fields diverge: a new record has an empty mapping.
    """
    return {name: clocks.get(name, (updated_hlc, "")) for name in fields}


def clocks_after_change(
    clock: str, base: str, new_hlc: str, unsent_since: str | None
) -> tuple[str, str]:
    """A field's clocks after this laptop changed it at ``new_hlc``: that clock, on top of the
    value it replaces (``clock``, which was built on ``base``).

    A value this laptop wrote itself and has not sent yet (its clock is this laptop's, and not
    older than ``unsent_since``, the clock of the record's oldest change waiting in the outbox)
    was seen by no other laptop: the change replaces it in place, built on what it was built
    on. Named as the base, it would make the change look concurrent to a laptop still holding
    that older value (a colleague's phone number corrected twice was a conflict on the laptop
    that registered it, see merge.py)."""
    return (new_hlc, base if _unsent(clock, new_hlc, unsent_since) else clock)


def _unsent(clock: str, new_hlc: str, unsent_since: str | None) -> bool:
    return (
        unsent_since is not None
        and clock >= unsent_since
        and clock_device(clock) == clock_device(new_hlc)
    )


class SentField(NamedTuple):
    """A field as this laptop last sent it (or received it): its clocks, and a digest of its
    value (``value_digest``), noted with the first change made on top of it."""

    clock: str
    base: str
    digest: str


@dataclass(frozen=True)
class Unsent:
    """What of a record waits in this laptop's outbox: the clock of its oldest change
    (``since``), and the fields as they were before their first change since then, where that
    is known for sure (``sent``, see ``storage.models.unsent_since``)."""

    since: str
    sent: Mapping[str, SentField] = field(default_factory=dict)


def value_digest(value: object) -> str:
    """A field's value, compared without being kept: 128 bits of its canonical JSON."""
    text = json.dumps(value, sort_keys=True, ensure_ascii=False, default=str)
    return hashlib.blake2b(text.encode(), digest_size=16).hexdigest()


def change_clocks(
    name: str,
    clock: str,
    base: str,
    before: object,
    after: object,
    new_hlc: str,
    unsent: Unsent | None,
    noted: dict[str, SentField],
) -> tuple[str, str]:
    """The clocks of field ``name`` after this laptop changed it from ``before`` to ``after`` at
    ``new_hlc`` (see ``clocks_after_change``).

    A change back to the value as it was sent, before that was sent again, leaves the field as
    it was sent: its clocks are the sent ones, and a colleague's change of the field meanwhile
    simply wins (with the change's clock it would be a conflict with a value nobody chose
    anew). The field as sent is noted in ``noted`` at its first change since."""
    if unsent is None or not _unsent(clock, new_hlc, unsent.since):
        noted[name] = SentField(clock, base, value_digest(before))
        return (new_hlc, clock)
    sent = unsent.sent.get(name)
    if sent is not None and sent.clock == base and sent.digest == value_digest(after):
        return (sent.clock, sent.base)
    return (new_hlc, base)


def clock_device(clock: str) -> str:
    """The device part of a rendered timestamp (``<wall>-<counter>-<device>``)."""
    parts = clock.split("-", 2)
    return parts[2] if len(parts) == 3 else ""


def field_clocks_after_change(
    fields: tuple[str, ...],
    clocks: FieldClocks,
    previous_hlc: str,
    changed: set[str],
    new_hlc: str,
    unsent: Unsent | None = None,
    values: tuple[Mapping[str, Any], Mapping[str, Any]] | None = None,
    noted: dict[str, SentField] | None = None,
) -> FieldClocks:
    """Per-field clocks after an edit: changed fields get ``new_hlc`` on top of their old clock
    (on top of its base where that was this laptop's unsent change, see ``clocks_after_change``).

    With ``values``, the fields' values before and after the edit: a field changed back to its
    value as sent takes the sent clocks again, and each field's value as sent before its first
    change goes into ``noted`` (see ``change_clocks``)."""
    result = effective_field_clocks(fields, clocks, previous_hlc)
    since = unsent.since if unsent is not None else None
    for name in changed:
        if values is None:
            result[name] = clocks_after_change(*result[name], new_hlc, since)
        else:
            before, after = values[0][name], values[1][name]
            result[name] = change_clocks(
                name, *result[name], before, after, new_hlc, unsent, {} if noted is None else noted
            )
    return result


def json_object(value: object) -> dict[str, Any]:
    """A JSON object's entries from its text; {} for anything else (not text, not an object)."""
    try:
        loaded = json.loads(value) if isinstance(value, str) else None
    except ValueError:
        return {}
    return loaded if isinstance(loaded, dict) else {}


def entry_name(field: str, key: str) -> str:
    """The name of one entry of a JSON-object field that merges entry by entry (a visit's
    answer "rent": ``answers/rent``), in field clocks and in records that sync."""
    return f"{field}/{key}"


def entry_clocks_after_change(
    field: str,
    clocks: FieldClocks,
    before: Mapping[str, Any],
    after: Mapping[str, Any],
    new_hlc: str,
    unsent: Unsent | None,
    noted: dict[str, SentField],
) -> FieldClocks:
    """The clocks of a JSON-object field's entries after an edit from ``before`` to ``after``.

    Changed, added and removed entries get ``new_hlc`` on top of their old clock, or the clocks
    they were sent with where changed back (see ``change_clocks``, which notes in ``noted``);
    the others keep theirs. An entry without a clock of its own is as old as the field
    (``clocks[field]``); a missing entry's value is ``None``, as it travels.
    """
    result: FieldClocks = {}
    for key in before.keys() | after.keys():
        name = entry_name(field, key)
        clock, base = clocks.get(name, clocks[field])
        changed = before.get(key) != after.get(key) or (key in before) != (key in after)
        result[name] = (
            change_clocks(
                name, clock, base, before.get(key), after.get(key), new_hlc, unsent, noted
            )
            if changed
            else (clock, base)
        )
    return result


StepTime = tuple[int, int, str]  # (wall ms, counter, device): a Timestamp's fields in order


def history_step_time(entry: object) -> StepTime:
    """When an entry of a history that only grows (a referral's status steps) was made, by
    the hybrid logical clock of the step (``hlc``): a step made after its laptop received
    another has the greater clock, however far the two laptops' wall clocks disagree (``at``,
    the time shown, is each laptop's own wall clock and may read before the step it follows).

    Entries written before steps kept a clock have none: theirs is derived from ``at``, in
    the clock's unit (ms since the epoch; ``at`` is the local time of the laptop that made
    it, read in this one's zone: the laptops of one advice centre share it), with counter 0
    and no device: so such a step comes before a step with a clock made in the same
    millisecond, and all keys compare as Timestamps do. The order is total but for steps
    without a clock of one second (the caller's tie-break)."""
    if not isinstance(entry, dict):
        return (0, 0, "")
    clock = entry.get("hlc")
    if isinstance(clock, str) and clock:
        try:
            stamp = Timestamp.parse(clock)
        except ValueError:
            pass  # not a clock this app wrote: placed by its time, as an older step
        else:
            return (stamp.wall_ms, stamp.counter, stamp.device)
    at = entry.get("at")
    try:
        moment = dt.datetime.fromisoformat(at) if isinstance(at, str) else None
    except ValueError:
        moment = None
    if moment is None:
        return (0, 0, "")
    # integer arithmetic: a float's rounding must not move a step across a millisecond
    epoch = dt.datetime(1970, 1, 1, tzinfo=dt.UTC)
    return ((moment.astimezone() - epoch) // dt.timedelta(milliseconds=1), 0, "")


def history_entry_order(entry: object) -> tuple[int, int, str, str]:
    """Where an entry goes when a sync merges two sides of such a history, the same on every
    laptop whatever order the entries arrived in: by :func:`history_step_time`, then by its
    canonical text (steps without a clock within one second: some order, always the same)."""
    return (*history_step_time(entry), json.dumps(entry, sort_keys=True, ensure_ascii=False))
