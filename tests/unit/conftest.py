"""Helpers of the unit tests of a synced field added to a kind: the record as this laptop sends
it, and the kind's adapter of the version before the field (which stores every record without
it and keeps one with it for its update)."""

from __future__ import annotations

import copy

from desktop_app.sync.merge import RecordState
from desktop_app.sync.records import ADAPTERS, RowAdapter, decode, encode, load_one
from desktop_app.usecases.accounts import Session


def sent_record(session: Session, kind: str, record_id: str) -> RecordState:
    """The record ``record_id`` of ``kind`` as this laptop sends it (its payload, read back)."""
    with session.store.reading() as db:
        local = load_one(ADAPTERS[kind], db, record_id)
    assert local is not None
    return decode(encode(local))[0]


def version_before(kind: str, field: str) -> RowAdapter:
    """``kind``'s adapter of the version before ``field``: the same kind (its class, its merge
    rules) without the field. Its table had no such column: nothing of it to fill in a new
    row."""
    adapter = ADAPTERS[kind]
    assert isinstance(adapter, RowAdapter)
    before = copy.copy(adapter)
    RowAdapter.__init__(
        before,
        kind,
        adapter.model,
        tuple(f for f in adapter.fields if f != field),
        on_save=adapter._on_save,
        sticky_true=adapter.sticky_true - {field},
        last_writer_wins=adapter.last_writer_wins - {field},
        greatest=adapter.greatest - {field},
        union_lists=adapter.union_lists - {field},
        person_column=adapter.person_column,
        person_of=adapter.person_of,
        check_combination=adapter.check_combination,
        erase_rows=adapter.erase_rows,
        check_content=adapter.check_content,
        guessed={name: guess for name, guess in adapter.guessed.items() if name != field},
        held_back_while_empty=adapter.held_back_while_empty - {field},
    )
    before._not_null = tuple(name for name in before._not_null if name != field)
    return before
