"""What syncs: each record kind's adapter between its table rows and a ``RecordState``.

A kind is registered once (``register``); the sync engine only speaks in record states, so a
feature adds its own tables to sync with one adapter. Payloads are JSON inside the envelope.
"""

from __future__ import annotations

import hashlib
import json
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from collections.abc import Set as AbstractSet
from dataclasses import dataclass
from itertools import chain, repeat
from operator import itemgetter
from typing import Any, Protocol

import pydantic_core
from sqlalchemy import (
    Boolean,
    Column,
    Integer,
    Numeric,
    PrimaryKeyConstraint,
    String,
    UniqueConstraint,
    insert,
    select,
)
from sqlalchemy.exc import DBAPIError, OperationalError, StatementError
from sqlalchemy.orm import Session

from desktop_app.domain.hlc import effective_field_clocks, entry_name, json_object
from desktop_app.storage.db import Store
from desktop_app.storage.models import Base, table
from desktop_app.sync.merge import CLOCK, Combine, Conflict, FieldState, RecordState, clock_device


class PayloadError(ValueError):
    """A decrypted payload that does not describe a valid record: refused, nothing applied."""


class NewerRecord(PayloadError):
    """A record with fields this version does not know: written by a newer version of the app.
    It is kept, not refused, and applied once this laptop runs a version that knows them."""


# The reason ``save_many`` gives for a ``NewerRecord``.
NEWER_VERSION = "written by a newer version"


def refusal(exc: PayloadError) -> str:
    """The reason ``save_many`` gives for a state it could not store: ``NEWER_VERSION`` for
    one a newer version wrote (the engine keeps it), else what was wrong with it."""
    return NEWER_VERSION if isinstance(exc, NewerRecord) else str(exc)


# The reason ``save_many`` gives for a record about a person erased here: not saved, and the
# engine queues a tombstone of it (the server may hold it only because a laptop that had not
# heard of the erasure yet pushed it).
ABOUT_ERASED = "about an erased person"
# Kinds whose records an older version deleted for a state that can be undone, now a flag
# field (kind -> field): its tombstones without the erasing flag (``wire.Envelope.erases``) are
# read as that field false, its live records without the field as true (``RowAdapter``). A
# deleted state of any kind is an erasure now, and tombstones erase on the server too.
FORMERLY_DELETED: dict[str, str] = {}
# The form of a record inside its envelope (``encode``); a greater one is a newer version's.
# 1: each field as [value, clock, base]; 2: one clock the fields share, the others' apart.
PAYLOAD_VERSION = 2
# Records ``RowAdapter.save_many`` writes under one savepoint (a refusal while writing one
# writes its batch again, record by record).
SAVE_BATCH = 500
# Values the driver stores as SQLAlchemy would (``RowAdapter._insert``).
_PLAIN = frozenset({str, int, float, bool, type(None)})
_FLAGS = frozenset({bool, type(None)})
# A live record's column values, the field clocks to store and its newest clock
# (``RowAdapter._columns``).
_Columns = tuple[dict[str, Any], dict[str, list[str]], str]
# Tells the value of a field a version before it did not send from the record's other fields
# (``RowAdapter``'s ``guessed``): given the fields' values by name.
FieldGuess = Callable[[dict[str, Any]], Any]
# Looks at a live record's content before it is written (``RowAdapter``'s ``check_content``):
# its plain columns' values and each ``keyed`` column's entries; raises ``PayloadError`` for
# content the code reading the table cannot take (a visit's answers not in the form's shape).
ContentCheck = Callable[[dict[str, Any], dict[str, dict[str, Any]]], None]
# A ``keyed`` column's entries and a row's field clocks as stored: ``json.dumps`` with these
# arguments, whose encoder is built once, not for each of a first sync's thousands of records
# (building it was a third of writing a visit's columns).
_entries_json = json.JSONEncoder(ensure_ascii=False, separators=(",", ":"), sort_keys=True).encode
_clocks_json = json.JSONEncoder(sort_keys=True).encode
# SQLite's result codes (their low byte) of a statement that failed for the values it was
# given: a trigger that could not read them ("malformed JSON"), a constraint, a type mismatch.
# Only these refuse the record: a busy, full or failing database stops the pull as before.
_RECORD_FAULTS = frozenset({1, 19, 20, 25})  # ERROR, CONSTRAINT, MISMATCH, RANGE
_SQLITE_ERROR = 1
# A ``FieldState``'s value and base, as ``map`` takes them (``encode``).
_VALUE = itemgetter(0)
_BASE = itemgetter(2)


def _value_types(column: Column[Any]) -> frozenset[type] | None:
    """The types a synced value of ``column`` may have (None: not looked at)."""
    kind = column.type
    if isinstance(kind, Boolean):
        types: set[type] = {bool}
    elif isinstance(kind, Integer):
        types = {int}  # not a flag: ``type(value)`` is compared, and bool is not int
    elif isinstance(kind, Numeric):
        types = {int, float}
    elif isinstance(kind, String):  # Text too
        types = {str}
    else:
        return None
    if column.nullable:
        types.add(type(None))
    return frozenset(types)


def record_fault(exc: StatementError) -> str | None:
    """Why writing a record failed, if its own values were the cause (a value the driver or
    SQLAlchemy cannot take, a trigger or constraint that refused it); None if the database
    failed (busy, full, I/O), which no record is to be refused for. No value in the reason:
    reasons reach the log."""
    if not isinstance(exc, DBAPIError):
        return type(exc.orig).__name__  # SQLAlchemy could not process a value (a flag's)
    code = getattr(exc.orig, "sqlite_errorcode", None)
    if code is None:
        # The driver refused a value before SQLite saw it (a type it cannot bind).
        return None if isinstance(exc, OperationalError) else type(exc.orig).__name__
    if code & 0xFF not in _RECORD_FAULTS:
        return None
    reason = str(exc.orig)
    if code & 0xFF == _SQLITE_ERROR and "JSON" not in reason:
        # SQLite's generic error is also a schema's ("no such table" after a faulty
        # migration): every record would be refused and never pulled again. Only a trigger
        # that could not read a value as JSON is the record's own fault.
        return None
    return reason


@dataclass(frozen=True)
class LocalRecord:
    state: RecordState
    revision: int
    author_id: str


@dataclass(frozen=True)
class ToSave:
    state: RecordState
    revision: int
    author_id: str


class RecordAdapter(Protocol):
    kind: str
    fields: tuple[str, ...]  # what a record of the kind holds
    sticky_true: frozenset[str]  # flags that stay true once set anywhere (never a conflict)
    # Fields where the later write simply wins, with no conflict (published reference data).
    last_writer_wins: frozenset[str]
    greatest: frozenset[str]  # text that only grows: the greater value wins, never a conflict
    union_lists: frozenset[str]  # JSON lists that only grow: both sides' entries are kept

    def load_many(self, session: Session, record_ids: list[str]) -> dict[str, LocalRecord]:
        """The local records among ``record_ids`` (one query, not one per record)."""
        ...

    def save_many(
        self,
        session: Session,
        store: Store,
        items: list[ToSave],
        held: AbstractSet[str] | None = None,
    ) -> dict[str, str]:
        """Write merged states; returns {record id: reason} for states it refused to write.
        ``held``: the ids among them held here (``load_many`` found them in the same
        transaction), so that they need not be looked up again; None: not known."""
        ...

    def upgrade(self, state: RecordState, local: RecordState | None) -> RecordState:
        """An incoming state in this version's form (an older version's record differs), given
        the local state it merges into; raises ``PayloadError`` for one that cannot be."""
        ...


def driver_cursor(session: Session) -> Any:
    """A cursor of the session's own database connection, so inside its transaction.

    For bulk statements on the sync path: plain tuples, without SQLAlchemy's per-row
    parameter processing. Pending ORM changes are flushed first, so the statement sees them.
    """
    session.flush()
    return session.connection().connection.driver_connection.cursor()  # type: ignore[union-attr]


def rows_for_ids(session: Session, sql: str, ids: Sequence[str]) -> Iterator[tuple[Any, ...]]:
    """The rows of ``sql`` for ``ids``, 500 at a time; ``{ids}`` in ``sql`` is the IN list."""
    cursor = driver_cursor(session)
    try:
        for start in range(0, len(ids), 500):
            chunk = ids[start : start + 500]
            cursor.execute(sql.format(ids=", ".join("?" * len(chunk))), chunk)
            yield from cursor.fetchall()
    finally:
        cursor.close()


# The sync bookkeeping ``load_many`` reads of a row, before its fields.
LOAD_COLUMNS = ("id", "deleted", "revision", "author_id", "updated_hlc", "field_clocks")


def _quoted(name: str) -> str:
    return f'"{name}"'


def load_one(adapter: RecordAdapter, session: Session, record_id: str) -> LocalRecord | None:
    return adapter.load_many(session, [record_id]).get(record_id)


ADAPTERS: dict[str, RecordAdapter] = {}
# Kinds that are recorded in the outbox but stay on this laptop by design.
LOCAL_ONLY: set[str] = set()


def register(adapter: RecordAdapter) -> None:
    ADAPTERS[adapter.kind] = adapter


def reader_version() -> str:
    """Which records this version can read: a digest of its kinds and their fields. Records
    kept because a version could not read them are tried again once this changes."""
    known = sorted(
        (kind, sorted(adapter.fields), sorted(getattr(adapter, "keyed", ())))
        for kind, adapter in ADAPTERS.items()
    )
    text = json.dumps([PAYLOAD_VERSION, known, sorted(LOCAL_ONLY)])
    return hashlib.sha256(text.encode()).hexdigest()[:16]


def encode(record: LocalRecord) -> bytes:
    """A record's payload in this version's form (``PAYLOAD_VERSION`` 2): the clock most of its
    fields were last changed at, once (``clock``), the fields' values by name, and the clocks
    of those that differ from it (``clocks``: name -> [clock, base]).

    Form 1 carried every field's clocks ([value, clock, base] a field): of a person's 925
    bytes, some 570 were the same clock again and again. The state read back is the same."""
    state = record.state
    fields = state.fields
    names = sorted(fields)
    held = list(map(fields.__getitem__, names))
    # Taken out in C, not field by field (a first sync encodes every record): most records
    # have all their fields at one clock and none with a base.
    found = set(map(CLOCK, held))
    if len(found) == 1 and not any(map(_BASE, held)):
        shared, clocks = found.pop(), {}
    else:
        shared = _shared_clock(held)
        clocks = {
            name: [f.clock, f.base]
            for name, f in zip(names, held, strict=True)
            if f.clock != shared or f.base
        }
    payload = {
        "v": PAYLOAD_VERSION,
        "kind": state.kind,
        "id": state.id,
        "author": record.author_id,
        "deleted": state.deleted,
        "deleted_clock": state.deleted_clock,
        "clock": shared,
        "fields": dict(zip(names, map(_VALUE, held), strict=True)),
        "clocks": clocks,
    }
    # pydantic-core's serialiser writes the same compact UTF-8 JSON as ``json.dumps(...,
    # ensure_ascii=False, separators=(",", ":"))``, five times faster (a first sync encodes
    # every record).
    return pydantic_core.to_json(payload)


def _shared_clock(fields: Iterable[FieldState]) -> str:
    """The clock the most fields were last changed at with nothing before it (the newest of
    those that tie; "" for a record without such a field)."""
    counts = Counter(f.clock for f in fields if not f.base)
    if not counts:
        return ""
    most = max(counts.values())
    return max(clock for clock, count in counts.items() if count == most)


def decode(data: bytes) -> tuple[RecordState, str]:
    """Parse a payload strictly (this version's form or form 1, which envelopes on servers
    still hold); returns the state and the author's user id."""
    try:
        # Strict JSON in UTF-8 (lone surrogates are refused too); twice as fast as json.loads.
        payload = pydantic_core.from_json(data)
        version = payload.get("v")
        if type(version) is int and version > PAYLOAD_VERSION:
            raise NewerRecord("a payload of a newer version")
        if type(version) is not int or version not in (1, PAYLOAD_VERSION):  # not true, 2.0
            raise PayloadError("unknown payload version")
        if version == 1:
            fields = {
                str(name): FieldState(value, str(clock), str(base))
                for name, (value, clock, base) in payload["fields"].items()
            }
        else:
            fields = _fields(payload["fields"], payload["clock"], payload["clocks"])
        state = RecordState(
            str(payload["kind"]),
            str(payload["id"]),
            fields,
            bool(payload["deleted"]),
            str(payload["deleted_clock"]),
        )
        return state, str(payload["author"])
    except PayloadError:
        raise
    except (ValueError, KeyError, TypeError, AttributeError) as exc:
        raise PayloadError("malformed payload") from exc


def _fields(values: Any, shared: Any, clocks: Any) -> dict[str, FieldState]:
    """The fields of a payload in form 2: each value with its own clocks from ``clocks``, or
    the record's ``shared`` clock and no base. Clocks of no field are refused."""
    if type(values) is not dict or type(clocks) is not dict or type(shared) is not str:
        raise PayloadError("malformed payload")
    # All at the shared clock built in C (a first sync's records), the others after them.
    fields = dict(
        zip(values, map(FieldState, values.values(), repeat(shared), repeat("")), strict=True)
    )
    for name, own in clocks.items():
        if name not in values:
            raise PayloadError("clocks of fields the payload does not hold")
        clock, base = own
        if type(clock) is not str or type(base) is not str:
            raise PayloadError("malformed payload")
        fields[name] = FieldState(values[name], clock, base)
    return fields


# A merge may combine two versions that each made sense into one that does not (a visit's
# answers changed one by one on two laptops). Given the session, the store, the local and
# the incoming state and the merged one, a check returns a conflict for an advisor to decide,
# or None. The engine calls it only where a merge combined both sides without a conflict.
CombinationCheck = Callable[
    [Session, Store, RecordState, RecordState, RecordState], Conflict | None
]


def held_back(field: FieldState | None) -> bool:
    """Whether a field of ``RowAdapter.held_back_while_empty`` is left out of a record: empty,
    and never anything else (no base: not emptied after it held a value)."""
    return field is not None and field.value == "" and not field.base


class RowAdapter:
    """Adapter for a table with ``SyncMixin`` whose synced fields are plain columns."""

    def __init__(
        self,
        kind: str,
        model: type[Base],
        fields: tuple[str, ...],
        *,
        on_save: Callable[[Session, Any], None] | None = None,
        sticky_true: frozenset[str] = frozenset(),
        last_writer_wins: frozenset[str] = frozenset(),
        greatest: frozenset[str] = frozenset(),
        union_lists: frozenset[str] = frozenset(),
        person_column: str | None = None,
        person_of: Callable[[RecordState], str | None] | None = None,
        check_combination: CombinationCheck | None = None,
        erase_rows: Callable[[Session, list[str]], None] | None = None,
        check_content: ContentCheck | None = None,
        guessed: Mapping[str, FieldGuess] | None = None,
        held_back_while_empty: frozenset[str] = frozenset(),
        combined: Mapping[str, Combine] | None = None,
    ) -> None:
        self.kind = kind
        # Fields merged by the kind's own rule (``merge.merge``'s ``combined``).
        self.combined = dict(combined or {})
        # Fields added after the kind synced that are left out of a record while they never
        # held a value (``_local``): a version before them refuses a record with a field it
        # does not know (it keeps it until it is updated, ``NewerRecord``), so only the records
        # that hold one wait for an update there, not every record of the kind. Where one was
        # emptied (its clocks have a base) it is sent, so the change reaches the others.
        self.held_back_while_empty = held_back_while_empty
        # Fields a version before them did not send, whose value is told from the record's
        # other fields (not their default): ``upgrade``.
        self.guessed = guessed or {}
        self.check_content = check_content
        # Records about a person that go whole when erased: a tombstone arriving deletes the
        # record's rows (``erase_rows``) instead of keeping a wiped row, and creates none.
        self.erase_rows = erase_rows
        # Looks at a merged state that is neither side's (see ``CombinationCheck``).
        self.check_combination = check_combination
        self.sticky_true = sticky_true
        self.last_writer_wins = last_writer_wins
        self.greatest = greatest
        self.union_lists = union_lists
        # Records about a person that arrive after the person was erased here are dropped:
        # ``person_of`` names the person a record is about (default: its ``person_column``).
        self.person_column = person_column
        if person_of is None and person_column is not None:
            column = person_column

            def person_of(state: RecordState) -> str | None:
                owner = state.fields.get(column)
                return None if owner is None else str(owner.value)

        self.person_of = person_of
        self.model = model
        self.fields = fields
        # JSON-object columns that merge entry by entry (``SyncMixin.keyed_json``): in a record
        # state each entry is a field of its own, ``entry_name(column, key)``, with its clocks;
        # an entry removed here travels as ``None`` with the clock of its removal.
        self.keyed: tuple[str, ...] = tuple(getattr(model, "keyed_json", ()))
        # Content columns each record holds a value of its own in (a referral's reference
        # number): a live record without one is refused (two would have stopped the pull on
        # the UNIQUE constraint), a tombstone keeps its record id there.
        self.unique = tuple(c.key for c in table(model).columns if c.unique and c.key in fields)
        self._plain = frozenset(fields) - frozenset(self.keyed)  # fields of a column each
        # What a new row may be refused for (``_sure_to_fit``): the primary key (``id``) is
        # known, the rest is in the table's constraints. A table with a constraint of another
        # kind (foreign keys, checks, several columns unique together) is not looked at.
        columns = table(model).columns
        self._not_null = tuple(c.key for c in columns if not c.nullable)
        unique = [
            tuple(c.key for c in constraint.columns)
            for constraint in table(model).constraints
            if isinstance(constraint, UniqueConstraint)
        ] + [tuple(c.key for c in index.columns) for index in table(model).indexes if index.unique]
        unique += [(c.key,) for c in columns if c.unique]
        self._unique_columns = tuple(sorted({names[0] for names in unique if len(names) == 1}))
        self._other_constraints = [names for names in unique if len(names) > 1] + [
            constraint
            for constraint in table(model).constraints
            if not isinstance(constraint, (UniqueConstraint, PrimaryKeyConstraint))
        ]
        # Flag columns: SQLAlchemy takes only True, False or None there (``_insert``).
        self._flag_columns = frozenset(
            c.key for c in table(model).columns if isinstance(c.type, Boolean)
        )
        # What each plain field's value may be (``_columns``): a pulled value of another type
        # (a text in a flag column) failed in the middle of writing and stopped the pull.
        self._types = {
            c.key: types
            for c in columns
            if c.key in self._plain and (types := _value_types(c)) is not None
        }
        self._load_columns = (*LOAD_COLUMNS, *fields)
        self._load_sql = (
            f"SELECT {', '.join(map(_quoted, self._load_columns))} "
            f'FROM "{table(model).name}" WHERE id IN ({{ids}})'
        )
        self._on_save = on_save

    def _rows(self, session: Session, record_ids: list[str]) -> dict[str, Any]:
        model: Any = self.model
        found: dict[str, Any] = {}
        for start in range(0, len(record_ids), 500):
            chunk = record_ids[start : start + 500]
            found.update(
                (row.id, row) for row in session.scalars(select(model).where(model.id.in_(chunk)))
            )
        return found

    def load_many(self, session: Session, record_ids: list[str]) -> dict[str, LocalRecord]:
        # Plain tuples from the driver, not ORM objects: a pull looks up every record it
        # brings, and in a first sync finds none. Flags read back as flags, as the ORM's do.
        found = {}
        flags = [i for i, name in enumerate(self._load_columns) if name in self._flag_columns]
        for values in rows_for_ids(session, self._load_sql, record_ids):
            row = list(values)
            for i in flags:
                row[i] = None if row[i] is None else bool(row[i])
            found[row[0]] = self._local(dict(zip(self._load_columns, row, strict=True)))
        return found

    def _local(self, row: dict[str, Any]) -> LocalRecord:
        """The record a row holds (``row``: its columns' values by name)."""
        record_id, updated_hlc = row["id"], row["updated_hlc"]
        stored = {k: tuple(v) for k, v in json.loads(row["field_clocks"] or "{}").items()}
        clocks = effective_field_clocks(self.fields, stored, updated_hlc)
        if row["deleted"]:
            state = RecordState(self.kind, record_id, {}, True, updated_hlc)
        else:
            plain = (f for f in self.fields if f not in self.keyed)
            fields = {f: FieldState(row[f], *clocks[f]) for f in plain}
            for name in self.keyed:
                values, prefix = json_object(row[name]), entry_name(name, "")
                keys = values.keys() | {n[len(prefix) :] for n in stored if n.startswith(prefix)}
                for key in keys:
                    entry = entry_name(name, key)
                    fields[entry] = FieldState(values.get(key), *stored.get(entry, clocks[name]))
            for name in self.held_back_while_empty:
                if held_back(fields.get(name)):
                    del fields[name]
            state = RecordState(self.kind, record_id, fields)
        return LocalRecord(state, row["revision"], row["author_id"])

    def upgrade(self, state: RecordState, local: RecordState | None) -> RecordState:
        """A record from a version before entries merged one by one holds a ``keyed`` column
        whole, with one clock: each of its entries takes that clock. An entry the local state
        holds and the record lacks is taken as removed then, so a removal is not lost; where
        it was in fact added here meanwhile, the merge shows a conflict, never drops it.

        A live record of a version before the flag of ``FORMERLY_DELETED`` has it true (that
        version deleted the record otherwise), set when the record was last written.

        A live record of a version before a ``guessed`` field gets the value told from its
        other fields, at the oldest clock (as the migration that added the column gives the
        records held then): laptops guess alike from the same record, and guesses from two
        revisions of it merge by the field's rule (a referral's ``issued_as_draft`` is
        ``sticky_true``). Where the local record holds that value already, it keeps its own
        clocks: the record is no news to send back."""
        flag = FORMERLY_DELETED.get(self.kind)
        if flag is not None and not state.deleted and flag not in state.fields:
            fields = {**state.fields, flag: FieldState(True, state.newest_clock())}
            state = RecordState(state.kind, state.id, fields)
        missing = [name for name in self.guessed if name not in state.fields]
        if missing and not state.deleted:
            known = state.values()
            ours = local.fields if local is not None else {}
            fields = dict(state.fields)
            for name in missing:
                guess = FieldState(self.guessed[name](known), "", "")
                kept = ours.get(name)
                fields[name] = kept if kept is not None and kept.value == guess.value else guess
            state = RecordState(state.kind, state.id, fields)
        whole = [name for name in self.keyed if name in state.fields]
        if state.deleted or not whole:
            return state
        fields = {n: f for n, f in state.fields.items() if n not in whole}
        for name in whole:
            field = state.fields[name]
            try:
                values = json.loads(field.value) if isinstance(field.value, str) else None
            except ValueError:
                values = None
            if not isinstance(values, dict):
                raise PayloadError(f"{self.kind}.{name}: not a JSON object")
            prefix = entry_name(name, "")
            ours = local.fields if local is not None else {}
            held = {n[len(prefix) :] for n in ours if n.startswith(prefix)}
            for key in values.keys() | held:
                fields[entry_name(name, key)] = FieldState(values.get(key), field.clock, field.base)
        return RecordState(state.kind, state.id, fields, state.deleted, state.deleted_clock)

    def formerly_deleted(self, state: RecordState, local: RecordState | None) -> RecordState:
        """A tombstone without the erasing flag of a ``FORMERLY_DELETED`` kind, written by a
        version that deleted the record to clear its flag: the flag false, at the deletion's
        clock. That version cannot tell what it had seen, so a later clock decides it: it is
        taken as built on the local flag if that is older (no conflict)."""
        flag = FORMERLY_DELETED[self.kind]
        ours = local.fields.get(flag) if local is not None else None
        base = ours.clock if ours is not None and ours.clock < state.deleted_clock else ""
        closed = FieldState(False, state.deleted_clock, base)
        return RecordState(state.kind, state.id, {flag: closed})

    def save_many(
        self,
        session: Session,
        store: Store,
        items: list[ToSave],
        held: AbstractSet[str] | None = None,
    ) -> dict[str, str]:
        ids = [item.state.id for item in items]
        # Only rows held here are read (as ORM objects, to be changed): in a first sync none.
        rows = self._rows(session, ids if held is None else [i for i in ids if i in held])
        refused: dict[str, str] = {}
        erased = self._erased_people(session, items)
        gone: list[str] = []
        ready: list[tuple[ToSave, _Columns | None]] = []
        for item in items:
            if self.erase_rows is not None and item.state.deleted:
                if item.state.id in rows:
                    gone.append(item.state.id)
                continue
            if self.person_of is not None and self.person_of(item.state) in erased:
                refused[item.state.id] = ABOUT_ERASED
                continue
            # A state this version cannot store is refused before any row is touched.
            try:
                columns = (
                    None if item.state.deleted else self._columns(self.upgrade(item.state, None))
                )
            except PayloadError as exc:
                refused[item.state.id] = refusal(exc)
                continue
            ready.append((item, columns))
        for start in range(0, len(ready), SAVE_BATCH):
            batch = ready[start : start + SAVE_BATCH]
            sure = self._sure_to_fit(session, rows, batch)
            if sure:
                # New rows nothing can refuse go in without a savepoint: under one, SQLite
                # journals (and SQLCipher encrypts) every page that each row's triggers
                # touch, which made writing a first sync's visits ten times as costly.
                try:
                    self._insert(session, sure)
                except StatementError as exc:
                    if record_fault(exc) is None:
                        raise
                    # Refused by a trigger (content no check above caught): the rows before
                    # the failing one are in. Taken out again (their triggers undo what they
                    # did), the batch is written record by record, each under a savepoint.
                    self._delete(session, [row["id"] for row in sure])
                    refused.update(self._save_one_by_one(session, rows, batch))
                    continue
                batch = [(item, columns) for item, columns in batch if item.state.id in rows]
                if not batch:
                    continue
            try:
                # One savepoint and one flush for the batch: a savepoint and a flush for each
                # record took three quarters of a first sync's applying.
                with session.begin_nested():
                    self._save_batch(session, rows, batch)
            except (PayloadError, StatementError) as exc:
                if isinstance(exc, StatementError) and record_fault(exc) is None:
                    raise
                # A record refused while it was written (``on_save``), or one the table cannot
                # hold (a value of a UNIQUE column another record holds, one a trigger cannot
                # read): the batch is undone and written again record by record, so that the
                # refused one, written in part, refuses only itself and leaves nothing behind.
                refused.update(self._save_one_by_one(session, rows, batch))
        if gone and self.erase_rows is not None:
            self.erase_rows(session, gone)
        return refused

    def _save_batch(
        self, session: Session, rows: dict[str, Any], batch: list[tuple[ToSave, _Columns | None]]
    ) -> None:
        """Write a batch: records new here with one INSERT of many rows where nothing is to
        be done with each row written (no ``on_save``), the others row by row in the ORM.

        An ORM object built and flushed for each new row made applying a first sync of 10,050
        records 3.4 million Python calls (1.4 million now). Both ways write ``_values``."""
        new: list[dict[str, Any]] = []
        for item, columns in batch:
            row = rows.get(item.state.id)
            if row is None and self._on_save is None:
                new.append({"id": item.state.id, **self._values(item, columns)})
            else:
                self._save(session, row, item, columns)
        if new:
            self._insert(session, new)

    def _insert(self, session: Session, new: list[dict[str, Any]]) -> None:
        """One INSERT of many rows. Where every value is plain (text, a number, a flag in a
        flag column: what a valid record holds) the rows go to the driver as tuples, without
        SQLAlchemy's processing of each row's parameters (a tenth of applying a first sync's
        visits); any other value goes through SQLAlchemy, which refuses it as before."""
        names = tuple(new[0])
        flags = [i for i, name in enumerate(names) if name in self._flag_columns]
        same = all(row.keys() == new[0].keys() for row in new)
        rows = [tuple([row[name] for name in names]) for row in new] if same else []
        # The values' types gathered in C, not value by value (a batch holds thousands).
        plain = (
            same
            and set(map(type, chain.from_iterable(rows))) <= _PLAIN
            and all(set(map(type, map(itemgetter(i), rows))) <= _FLAGS for i in flags)
        )
        if not plain:
            session.execute(insert(table(self.model)), new)
            return
        sql = (
            f'INSERT INTO "{table(self.model).name}" ({", ".join(map(_quoted, names))}) '
            f"VALUES ({', '.join('?' * len(names))})"
        )
        session.connection().exec_driver_sql(sql, rows)

    def _sure_to_fit(
        self, session: Session, rows: dict[str, Any], batch: list[tuple[ToSave, _Columns | None]]
    ) -> list[dict[str, Any]]:
        """The rows of the records of ``batch`` new here, as ``_save_batch`` writes them, if
        none of them can be refused while written: nothing to be done with each row written
        (no ``on_save``), no NULL where the table takes none, no value of a UNIQUE column that
        another record of the batch or a row held here has. Else [] (the batch is written
        under a savepoint, record by record if one is refused)."""
        if self._on_save is not None or self._other_constraints:
            return []
        new = [
            {"id": item.state.id, **self._values(item, columns)}
            for item, columns in batch
            if item.state.id not in rows
        ]
        if len({row["id"] for row in new}) != len(new) or any(
            row[name] is None for row in new for name in self._not_null
        ):
            return []
        for name in self._unique_columns:
            claimed = [row[name] for row in new] + [
                self._values(item, columns)[name]
                for item, columns in batch
                if item.state.id in rows
            ]
            sql = f'SELECT 1 FROM "{table(self.model).name}" WHERE {_quoted(name)} IN ({{ids}})'
            if len(set(claimed)) != len(claimed) or list(rows_for_ids(session, sql, claimed)):
                return []
        return new

    def _save_one_by_one(
        self, session: Session, rows: dict[str, Any], batch: list[tuple[ToSave, _Columns | None]]
    ) -> dict[str, str]:
        refused: dict[str, str] = {}
        for item, columns in batch:
            try:
                with session.begin_nested():
                    self._save(session, rows.get(item.state.id), item, columns)
            except PayloadError as exc:
                refused[item.state.id] = refusal(exc)
            except StatementError as exc:
                # The constraint's name or SQLite's message only (``record_fault``).
                why = record_fault(exc)
                if why is None:
                    raise
                refused[item.state.id] = f"{self.kind}: {why}"
        return refused

    def _delete(self, session: Session, record_ids: list[str]) -> None:
        sql = f'DELETE FROM "{table(self.model).name}" WHERE id IN ({{ids}})'
        cursor = driver_cursor(session)
        try:
            for start in range(0, len(record_ids), 500):
                chunk = record_ids[start : start + 500]
                cursor.execute(sql.format(ids=", ".join("?" * len(chunk))), chunk)
        finally:
            cursor.close()

    def _erased_people(self, session: Session, items: list[ToSave]) -> set[str]:
        if self.person_of is None:
            return set()
        from desktop_app.storage.models import PersonRow

        owners = {owner for item in items if (owner := self.person_of(item.state)) is not None}
        sql = f"SELECT id FROM {table(PersonRow).name} WHERE deleted = 1 AND id IN ({{ids}})"
        return {row[0] for row in rows_for_ids(session, sql, sorted(owners))}

    def _save(self, session: Session, row: Any, item: ToSave, columns: _Columns | None) -> None:
        """Write ``item`` into ``row`` (a new one if None) through the ORM; ``columns``: its
        ``_columns`` (None for a tombstone)."""
        if row is None:
            row = self.model(id=item.state.id)
            session.add(row)
        for name, value in self._values(item, columns).items():
            setattr(row, name, value)
        if self._on_save is not None:
            self._on_save(session, row)

    def _values(self, item: ToSave, columns: _Columns | None) -> dict[str, Any]:
        """Every column but the id that writing ``item`` sets: the sync bookkeeping and the
        content (a tombstone's emptied, ``wiped``); ``columns``: its ``_columns`` or None."""
        state = item.state
        newest = state.newest_clock() if columns is None else columns[2]
        values: dict[str, Any] = {
            "revision": item.revision,
            "updated_hlc": newest,
            "device_id": clock_device(newest)[:36],
            "author_id": item.author_id[:36],
            "deleted": state.deleted,
        }
        if columns is None:
            values.update(self.wiped())
            values.update(dict.fromkeys(self.unique, state.id))  # no two tombstones share ""
            values["field_clocks"] = "{}"
        else:
            content, clocks, _newest = columns
            values.update(content)
            values["field_clocks"] = _clocks_json(clocks) if clocks else "{}"
        return values

    def _columns(self, state: RecordState) -> _Columns:
        """The columns' values and the field clocks to store for a (live) state."""
        values: dict[str, Any] = {}
        clocks: dict[str, list[str]] = {}
        entries: dict[str, dict[str, Any]] = {name: {} for name in self.keyed}
        # A field last changed at the record's newest clock with nothing before it needs no
        # entry: read back, it has exactly those clocks (``_local``), as a record made here
        # has. A record pulled in a first sync so stores "{}", not a clock pair of some 130
        # bytes a field and an answer (two thirds of a pulled visit's row, all of it built,
        # written and encrypted). An entry removed (None) keeps its clocks: they tell it is.
        newest = state.newest_clock()
        plain, types = self._plain, self._types
        for name, (value, clock, base) in state.fields.items():
            if name in plain:
                if name in types and type(value) not in types[name]:
                    raise PayloadError(f"{self.kind}.{name}: a value of the wrong type")
                values[name] = value
                if base or clock != newest:
                    clocks[name] = [clock, base]
                continue
            column, _sep, key = name.partition("/")
            if not (key and column in entries):
                raise NewerRecord(f"{self.kind}: fields this version does not know")
            if value is not None:
                entries[column][key] = value
                if base or clock != newest:
                    clocks[name] = [clock, base]
            else:
                clocks[name] = [clock, base]
        if self.check_content is not None:
            self.check_content(values, entries)
        for name in self.fields:
            if name in entries:
                values[name] = _entries_json(entries[name])
            elif name not in values:
                # A field an older version did not have yet takes its default, with the
                # oldest clock: any value set for it anywhere wins over the default.
                values[name], clocks[name] = self.default(name), ["", ""]
        for name in self.unique:
            if values[name] in ("", None):
                raise PayloadError(f"{self.kind}.{name}: missing")
        return values, clocks, newest

    def wiped(self) -> dict[str, Any]:
        """A tombstone's content: no personal data left, every column still valid."""
        values: dict[str, Any] = {}
        for name in self.fields:
            python_type = self.model.__table__.c[name].type.python_type
            values[name] = python_type() if python_type in (str, int, bool) else None
        return values

    def default(self, name: str) -> Any:
        """The column's own default (its type's empty value if it has none)."""
        column = self.model.__table__.c[name]
        if column.default is not None and column.default.is_scalar:
            return column.default.arg
        python_type = column.type.python_type
        return python_type() if python_type in (str, int, bool) else None


class ImmutableRowAdapter:
    """Append-only records (audit entries): written once, never changed, never in conflict."""

    sticky_true: frozenset[str] = frozenset()
    last_writer_wins: frozenset[str] = frozenset()
    greatest: frozenset[str] = frozenset()
    union_lists: frozenset[str] = frozenset()

    def __init__(self, kind: str, model: type[Base], fields: tuple[str, ...], clock: str) -> None:
        self.kind = kind
        self.model = model
        self.fields = fields
        self._clock = clock  # the column holding the record's creation time

    def load_many(self, session: Session, record_ids: list[str]) -> dict[str, LocalRecord]:
        model: Any = self.model
        found: dict[str, LocalRecord] = {}
        for start in range(0, len(record_ids), 500):
            chunk = record_ids[start : start + 500]
            for row in session.scalars(select(model).where(model.id.in_(chunk))):
                at = str(getattr(row, self._clock))
                fields = {f: FieldState(getattr(row, f), at) for f in self.fields}
                found[row.id] = LocalRecord(RecordState(self.kind, row.id, fields), 1, "")
        return found

    def upgrade(self, state: RecordState, local: RecordState | None) -> RecordState:
        return state

    def save_many(
        self,
        session: Session,
        store: Store,
        items: list[ToSave],
        held: AbstractSet[str] | None = None,
    ) -> dict[str, str]:
        existing = (
            set(self.load_many(session, [i.state.id for i in items])) if held is None else held
        )
        refused: dict[str, str] = {}
        for item in items:
            if item.state.id in existing:
                continue
            if not item.state.deleted and not item.state.fields.keys() <= set(self.fields):
                refused[item.state.id] = NEWER_VERSION
                continue
            if item.state.deleted or set(item.state.fields) != set(self.fields):
                # Entries hash every column into their chain: one without all is not theirs.
                refused[item.state.id] = f"{self.kind}: unexpected fields"
                continue
            values = {name: f.value for name, f in item.state.fields.items()}
            try:
                with session.begin_nested():
                    session.add(self.model(id=item.state.id, **values))
            except Exception as exc:  # a value the table cannot hold: refuse this record only
                refused[item.state.id] = f"{self.kind}: {type(exc).__name__}"
        return refused
