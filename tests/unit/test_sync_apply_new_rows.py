"""Records new on a laptop are written with one INSERT of many rows (``RowAdapter._save_batch``),
the others through the ORM: both ways leave the same rows, every column of every table (the
report tables the triggers keep included), for every kind that takes the fast way."""

from __future__ import annotations

import copy
import json
import random
import uuid
from collections import Counter
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import UniqueConstraint, event
from sqlalchemy.orm import Session

import desktop_app.sync.kinds  # noqa: F401  (registers the kinds that sync)
from desktop_app.domain.demo import generate_people
from desktop_app.domain.hlc import entry_name
from desktop_app.storage.db import Store
from desktop_app.storage.models import SyncMixin, table
from desktop_app.sync import crypto, records
from desktop_app.sync.engine import DEVICE_ID, SyncEngine, SyncReport, add_team_key, set_meta
from desktop_app.sync.http_client import SyncServerClient
from desktop_app.sync.merge import FieldState, RecordState
from desktop_app.sync.records import (
    ADAPTERS,
    LocalRecord,
    RecordAdapter,
    RowAdapter,
    ToSave,
    held_back,
)
from desktop_app.usecases import people
from desktop_app.usecases.accounts import create_first_account
from sync_server import wire
from tests.conftest import PASSWORD

# Kinds whose adapter has no ``on_save``: their new rows are written by the INSERT of many.
FAST = sorted(
    kind
    for kind, adapter in ADAPTERS.items()
    if isinstance(adapter, RowAdapter) and adapter._on_save is None
)
TEXTS = ("", "Ana-Maria Ștefănescu", "Гергана", "Müller, Straße 5", "x" * 300, '{"a": [1]}')
KEYS = ("postal_code", "insurance_status", "children_count", "topics", "health_clearing")
CLOCK = "1764000000000-{:05d}-laptop-b"


def _nothing(session: Session, row: Any) -> None:
    """An ``on_save`` that does nothing: the adapter writes every row through the ORM."""


def _row_adapter(kind: str) -> RowAdapter:
    adapter = ADAPTERS[kind]
    assert isinstance(adapter, RowAdapter)
    return adapter


def _through_the_orm(adapter: RowAdapter) -> RowAdapter:
    orm = copy.copy(adapter)
    orm._on_save = _nothing
    return orm


def _is_unique(adapter: RowAdapter, name: str) -> bool:
    constraints = table(adapter.model).constraints
    unique = (c for c in constraints if isinstance(c, UniqueConstraint))
    return bool(adapter.model.__table__.c[name].unique) or any(name in c.columns for c in unique)


def _value(rng: random.Random, adapter: RowAdapter, name: str, person_ids: list[str]) -> Any:
    if name == "person_id":
        return rng.choice(person_ids)
    if name in ("merged_id", "kept_id"):
        # Entries no record names: a merge arriving moves what is held of the entry merged
        # away (each laptop's own change, at its own clock: tested in test_person_merges).
        return f"{rng.getrandbits(64):016x}"
    if _is_unique(adapter, name):
        return f"{name[:3]}-{rng.getrandbits(64):016x}"  # a referral's reference
    python_type = adapter.model.__table__.c[name].type.python_type
    if python_type is bool:
        return rng.random() < 0.5
    if python_type is int:
        return rng.randint(0, 9)
    return rng.choice(TEXTS)


def _state(
    rng: random.Random, adapter: RowAdapter, record_id: str, person_ids: list[str], tick: int
) -> RecordState:
    """A record of the kind as a laptop may send it: now and then a tombstone, fields an
    older version lacked (their defaults), entries removed (None), long author ids."""
    clock, base = CLOCK.format(tick + rng.randint(0, 50)), CLOCK.format(tick)
    if adapter.erase_rows is None and rng.random() < 0.1:
        return RecordState(adapter.kind, record_id, {}, True, clock)
    fields: dict[str, FieldState] = {}
    for name in adapter.fields:
        if name in adapter.keyed:
            for key in rng.sample(KEYS, rng.randint(0, len(KEYS))):
                value = rng.choice((None, rng.choice(TEXTS), rng.randint(0, 4), [1, "ț"]))
                fields[entry_name(name, key)] = FieldState(value, clock, base)
        elif rng.random() < 0.9 or name == "person_id" or _is_unique(adapter, name):
            # The rest left out, as an older version wrote the record (one unique column
            # left out would take its default in two records).
            fields[name] = FieldState(_value(rng, adapter, name, person_ids), clock, base)
    return RecordState(adapter.kind, record_id, fields)


def _snapshot(store: Store) -> dict[str, Counter[tuple[Any, ...]]]:
    with store.reading() as db:
        conn = db.connection()
        names = [
            name
            for (name,) in conn.exec_driver_sql(
                "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite%'"
            )
        ]
        return {
            name: Counter(tuple(row) for row in conn.exec_driver_sql(f'SELECT * FROM "{name}"'))
            for name in names
        }


def _written(
    before: dict[str, Counter[tuple[Any, ...]]], after: dict[str, Counter[tuple[Any, ...]]]
) -> dict[str, tuple[Counter[tuple[Any, ...]], Counter[tuple[Any, ...]]]]:
    """Per table, the rows a step added and those it took away (updates are both)."""
    assert before.keys() == after.keys()
    changed = {name: (after[name] - before[name], before[name] - after[name]) for name in after}
    return {name: rows for name, rows in changed.items() if rows != (Counter(), Counter())}


def _apply(
    store: Store,
    adapters: dict[str, RecordAdapter],
    items: dict[str, list[ToSave]],
    *,
    told: bool = False,
) -> tuple[int, int]:
    """Save each kind's records; returns how many ORM objects of synced rows were made, and
    how many savepoints. ``told``: each adapter is told which records are held here, as the
    pull tells it (what ``load_many`` found), and looks up none itself; else it looks."""
    made = savepoints = 0
    with store.transaction() as db:

        @event.listens_for(db, "transient_to_pending")
        def _count(session: Session, instance: Any) -> None:
            nonlocal made
            made += isinstance(instance, SyncMixin)

        @event.listens_for(db, "after_transaction_create")
        def _nested(session: Session, transaction: Any) -> None:
            nonlocal savepoints
            savepoints += transaction.nested

        for kind, batch in items.items():
            adapter = adapters[kind]
            held = set(adapter.load_many(db, [i.state.id for i in batch])) if told else None
            assert adapter.save_many(db, store, batch, held) == {}
    return made, savepoints


@pytest.fixture
def two_stores(tmp_path: Path) -> Any:
    fast = create_first_account(tmp_path / "fast", "anna", "Anna Schmidt", PASSWORD)
    orm = create_first_account(tmp_path / "orm", "anna", "Anna Schmidt", PASSWORD)
    yield fast, orm
    fast.close()
    orm.close()


def test_new_rows_written_by_one_insert_equal_those_the_orm_writes(
    two_stores: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Batches of 7: the 40 records of a kind take several, the later ones mixed.
    monkeypatch.setattr(records, "SAVE_BATCH", 7)
    assert {"visit", "consent", "referral", "quick_contact", "case_opening", "conflict"} <= set(
        FAST
    )
    fast, orm = two_stores
    # The same people in both stores (the visits' report rows read their nationality); in
    # the second round six more come, with changes of six of these.
    person = ADAPTERS["person"]
    source = create_first_account(tmp_path / "source", "anna", "Anna Schmidt", PASSWORD)
    try:
        people.register_many(source.store, source.user, generate_people(18, seed=3))
        with source.store.reading() as db:
            ids = [row for (row,) in db.connection().exec_driver_sql("SELECT id FROM people")]
            held = person.load_many(db, ids)
    finally:
        source.close()
    ids, others = ids[:12], ids[12:]
    for store in (fast.store, orm.store):
        with store.transaction() as db:
            saved = [ToSave(held[i].state, held[i].revision, held[i].author_id) for i in ids]
            assert person.save_many(db, store, saved) == {}
    people_later = [
        ToSave(_moved(held[i].state, "phone", "+49 170 5550123"), held[i].revision + 1, "u-2")
        for i in ids[:6]
    ] + [ToSave(held[i].state, held[i].revision, held[i].author_id) for i in others]

    rng = random.Random(7)
    real = {kind: _row_adapter(kind) for kind in FAST}
    by_orm = {kind: _through_the_orm(adapter) for kind, adapter in real.items()}
    record_ids = {kind: [str(uuid.uuid4()) for _ in range(40)] for kind in FAST}

    def round_of(chosen: dict[str, list[str]], tick: int) -> dict[str, list[ToSave]]:
        author = rng.choice(("u-1", "a" * 50))  # longer than the column: cut to 36
        return {
            kind: [
                ToSave(_state(rng, real[kind], rid, ids, tick), rng.randint(1, 5), author)
                for rid in chosen[kind]
            ]
            for kind in FAST
        }

    # First all new; then changes of half of them, mixed with new ones, in the same batches.
    first = round_of({kind: ids_[:20] for kind, ids_ in record_ids.items()}, 100)
    second = round_of({kind: [*ids_[20:], *ids_[:20:2]] for kind, ids_ in record_ids.items()}, 200)
    second = {"person": people_later, **second}
    for items in (first, second):
        before = (_snapshot(fast.store), _snapshot(orm.store))
        # The fast store as a pull writes (told what is held), the other record by record in
        # the ORM, each looking up what it holds.
        (made_fast, savepoints), (made_orm, _savepoints) = (
            _apply(fast.store, {**real, "person": person}, items, told=True),
            _apply(orm.store, {**by_orm, "person": person}, items),
        )
        written = (
            _written(before[0], _snapshot(fast.store)),
            _written(before[1], _snapshot(orm.store)),
        )
        assert written[0] == written[1]
        # Every kind wrote its table (and the visits their report rows) …
        tables = {table(adapter.model).name for adapter in real.values()}
        assert tables | {"report_visit_facts"} <= written[0].keys()
        # … the new rows without an ORM object each (the ORM's way: one each), and where
        # none was held, without a savepoint: nothing in them could be refused.
        assert (made_fast, made_orm) == (0, 20 * len(FAST))
        if items is first:
            assert savepoints == 0
    assert {"people", "search_tokens"} <= written[0].keys()  # the second round's people


def _moved(state: RecordState, name: str, value: Any) -> RecordState:
    """``state`` with ``name`` changed a second later, on top of the value it had."""
    old = state.fields[name]
    clock = CLOCK.format(900)
    return RecordState(
        state.kind, state.id, {**state.fields, name: FieldState(value, clock, old.clock)}
    )


def test_records_read_back_as_written_with_only_the_clocks_that_tell_more(
    two_stores: Any,
) -> None:
    """A record written and read back is the state that was written (a field an older version
    lacked: its default, with the oldest clock), though a field last changed at the record's
    newest clock with nothing before it is stored without an entry of its own: a record all
    of whose fields are so (a first sync's) stores ``{}``. An answer removed keeps its entry."""
    fast, _orm = two_stores
    people.register_many(fast.store, fast.user, generate_people(3, seed=4))
    with fast.store.reading() as db:
        person_ids = [row for (row,) in db.connection().exec_driver_sql("SELECT id FROM people")]
    rng = random.Random(11)
    newest, older = CLOCK.format(500), CLOCK.format(400)
    written: dict[str, list[RecordState]] = {}
    for kind in FAST:
        adapter = _row_adapter(kind)
        states = []
        for n in range(12):
            state = _state(rng, adapter, str(uuid.uuid4()), person_ids, 0)
            if state.deleted:
                states.append(state)
                continue
            # Clocks as records carry them: most at the newest change with no base (the first
            # two records: all), some older, some built on an older value; one at the newest.
            pairs = [(newest, ""), (older, ""), (newest, older), (older, CLOCK.format(1))]
            fields = {
                name: FieldState(f.value, *(pairs[0] if n < 2 else rng.choice(pairs)))
                for name, f in state.fields.items()
            }
            fields[next(iter(fields))] = FieldState(next(iter(fields.values())).value, newest)
            states.append(RecordState(kind, state.id, fields))
        written[kind] = states
    with fast.store.transaction() as db:
        for kind, states in written.items():
            items = [ToSave(state, 1, "u-1") for state in states]
            assert ADAPTERS[kind].save_many(db, fast.store, items) == {}
    with fast.store.reading() as db:
        for kind, states in written.items():
            adapter = _row_adapter(kind)
            back = adapter.load_many(db, [state.id for state in states])
            table_name = table(adapter.model).name
            stored = dict(
                db.connection()
                .exec_driver_sql(f'SELECT id, field_clocks FROM "{table_name}"')
                .all()
            )
            for state in states:
                if state.deleted:
                    assert back[state.id].state == state
                    continue
                # As this version takes it (a section's flag an older version lacked: open).
                upgraded = adapter.upgrade(state, None)
                lacking = {
                    name: FieldState(adapter.default(name), "", "")
                    for name in adapter.fields
                    if name not in adapter.keyed and name not in upgraded.fields
                }
                # A field sent only once it holds a value (a request's reason) is left out
                # while empty and never anything else (``records.held_back``).
                held: frozenset[str] = getattr(adapter, "held_back_while_empty", frozenset())
                expected = {
                    name: f
                    for name, f in {**lacking, **upgraded.fields}.items()
                    if not (name in held and held_back(f))
                }
                assert not back[state.id].state.deleted
                assert dict(back[state.id].state.fields) == expected, kind
                if state in states[:2]:
                    # All at the newest clock: entries only for answers removed (None) and
                    # for fields it lacked (the oldest clock), told from the others
                    # (``guessed``, a referral's draft flag) or their default.
                    removed = [name for name, f in state.fields.items() if f.value is None]
                    guessed = [n for n in upgraded.fields if n not in state.fields]
                    kept = {
                        **{name: [newest, ""] for name in removed},
                        **{name: ["", ""] for name in (*lacking, *guessed)},
                    }
                    assert json.loads(stored[state.id]) == kept, kind


def _engine(store: Store) -> SyncEngine:
    """A pulling laptop's engine, holding the team key the envelopes are sealed under. Only
    its ``_apply_page`` is used: its client never sends anything (no server to ask)."""
    with store.transaction() as db:
        set_meta(db, DEVICE_ID, str(uuid.uuid4()))
        add_team_key(db, "k1", TEAM_KEY, CLOCK.format(0), active=True)
    return SyncEngine(store, SyncServerClient("http://127.0.0.1:9"))


TEAM_KEY = bytes(range(32))


def _sealed(
    items: list[ToSave], first_seq: int, write: Callable[[LocalRecord], bytes] = records.encode
) -> list[wire.StoredEnvelope]:
    """The records as another laptop pushed them (their payloads as ``write`` writes them)
    and the server hands them out."""
    sealer = crypto.EnvelopeSealer(TEAM_KEY, "k1", str(uuid.UUID(int=77)))
    return [
        wire.StoredEnvelope(
            **sealer.seal(
                item.state.id,
                item.state.kind,
                item.revision,
                write(LocalRecord(item.state, item.revision, item.author_id)),
                CLOCK.format(seq),
                item.state.deleted,
            ).model_dump(),
            seq=seq,
        )
        for seq, item in enumerate(items, start=first_seq)
    ]


def registered_people(tmp_path: Path, count: int) -> tuple[list[str], dict[str, LocalRecord]]:
    """``count`` people as a laptop registered them: their ids and records."""
    source = create_first_account(tmp_path / "source", "anna", "Anna Schmidt", PASSWORD)
    try:
        people.register_many(source.store, source.user, generate_people(count, seed=5))
        with source.store.reading() as db:
            ids = [row for (row,) in db.connection().exec_driver_sql("SELECT id FROM people")]
            return ids, ADAPTERS["person"].load_many(db, ids)
    finally:
        source.close()


def _by_person(store: Store) -> dict[str, Counter[tuple[Any, ...]]]:
    """``_snapshot`` with the report tables' local number of a person (``report_persons.key``,
    given as rows come and go) in place of the person's id: the same reports, however the
    rows were numbered."""
    found = _snapshot(store)
    with store.reading() as db:
        conn = db.connection()
        columns = {
            name: list(conn.exec_driver_sql(f'SELECT * FROM "{name}" LIMIT 0').keys())
            for name in found
        }
    person_of = {row[0]: row[1] for row in found["report_persons"]}
    for name, rows in found.items():
        if name == "report_persons":
            at = 0
        elif "person_key" in columns[name]:
            at = columns[name].index("person_key")
        else:
            continue
        found[name] = Counter(
            {(*row[:at], person_of.get(row[at]), *row[at + 1 :]): n for row, n in rows.items()}
        )
    return found


def _comparable(
    written: dict[str, tuple[Counter[tuple[Any, ...]], Counter[tuple[Any, ...]]]],
) -> dict[str, tuple[Counter[tuple[Any, ...]], ...]]:
    """``written`` without what tells two laptops apart: the outbox's rows as (kind, record id,
    revision), as their sequence number and clock say when the change was queued, not what it
    is; the laptop's own clock (meta) left out."""

    def plain(name: str, row: tuple[Any, ...]) -> tuple[Any, ...]:
        return row[1:4] if name == "outbox" else row

    return {
        name: tuple(Counter({plain(name, row): n for row, n in rows.items()}) for rows in pair)
        for name, pair in written.items()
        if name != "meta"
    }


def first_pull(
    rng: random.Random,
    ids: list[str],
    held: dict[str, LocalRecord],
    per_kind: int,
    author: Callable[[], str],
) -> tuple[dict[str, RowAdapter], dict[str, list[str]], list[ToSave]]:
    """What a first pull brings: the people ``held`` and ``per_kind`` new records of every
    kind that takes the fast way (by ``author()``); with the kinds' adapters and record ids."""
    kinds = {kind: _row_adapter(kind) for kind in FAST}
    record_ids = {kind: [str(uuid.uuid4()) for _ in range(per_kind)] for kind in FAST}
    first = [ToSave(held[i].state, 1, held[i].author_id) for i in ids] + [
        ToSave(_state(rng, kinds[kind], rid, ids, 100), 1, author())
        for kind in FAST
        for rid in record_ids[kind]
    ]
    return kinds, record_ids, first


def written_alike(
    stores: tuple[Store, Store],
    before: tuple[dict[str, Counter[tuple[Any, ...]]], ...],
    reports: tuple[SyncReport, SyncReport],
    count: int,
) -> dict[str, tuple[Counter[tuple[Any, ...]], ...]]:
    """What a pull of ``count`` records wrote on two laptops (``_comparable``, since
    ``before``): the same on both, as their reports are; every record applied."""
    assert reports[0] == reports[1]
    assert (reports[0].applied, reports[0].refused) == (count, 0)
    written = [
        _comparable(_written(held, _by_person(store)))
        for held, store in zip(before, stores, strict=True)
    ]
    assert written[0] == written[1]
    assert {"people", "synced_revisions"} <= written[0].keys()
    return written[0]


def test_a_pull_applied_page_by_page_writes_what_one_record_at_a_time_writes(
    two_stores: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The whole merge step (``SyncEngine._apply_page``): pages applied as a first sync applies
    them (new rows by the INSERT of many, a kind's records merged together) leave every table
    as the same envelopes do one at a time, written row by row in the ORM (in the same order:
    local numbers, such as a person's ``pk``, follow it); then a second pull of changes, merged
    with what is held, too."""
    monkeypatch.setattr(records, "SAVE_BATCH", 7)
    fast, orm = two_stores
    engines = (_engine(fast.store), _engine(orm.store))
    ids, held = registered_people(tmp_path, 15)
    rng = random.Random(13)
    kinds, record_ids, first = first_pull(rng, ids, held, 12, lambda: rng.choice(("u-1", "a" * 50)))
    # Changes of half of everything (on top of what the first pull brought), and new records.
    later = [ToSave(_moved(held[i].state, "notes", "später"), 2, "u-2") for i in ids[::2]] + [
        ToSave(_state(rng, kinds[kind], rid, ids, 200), 2 if n < 6 else 1, "u-2")
        for kind in FAST
        for n, rid in enumerate([*record_ids[kind][::2], *(str(uuid.uuid4()) for _ in range(6))])
    ]
    by_orm = {kind: _through_the_orm(adapter) for kind, adapter in kinds.items()}
    seq = 1
    for items in (first, later):
        envelopes, seq = _sealed(items, seq), seq + len(items)
        before = (_by_person(fast.store), _by_person(orm.store))
        reports = (SyncReport(), SyncReport())
        with fast.store.background_transaction() as db:
            for start in range(0, len(envelopes), 40):  # pages of 40, as the server gives them
                engines[0]._apply_page(db, envelopes[start : start + 40], reports[0])
        with monkeypatch.context() as patched:
            for kind, adapter in by_orm.items():
                patched.setitem(ADAPTERS, kind, adapter)
            for envelope in envelopes:
                with orm.store.background_transaction() as db:
                    engines[1]._apply_page(db, [envelope], reports[1])
        written = written_alike((fast.store, orm.store), before, reports, len(items))
        assert ("search_tokens" in written) is (items is first)  # the notes: no new tokens
        assert {table(adapter.model).name for adapter in kinds.values()} <= written.keys()
    assert "outbox" in written  # merged states that differ from both sides go out again
