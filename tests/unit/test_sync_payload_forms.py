"""A record's payload in form 2 (one clock the fields share, the others' clocks apart) reads back
as the state that was written, as form 1 (every field with its clocks) does; envelopes of
either form, sealed by the real crypto, leave the same rows when a laptop applies them."""

from __future__ import annotations

import json
import random
import uuid
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import desktop_app.sync.kinds  # noqa: F401  (registers the kinds that sync)
from desktop_app.domain.demo import generate_people
from desktop_app.storage.models import table
from desktop_app.sync import crypto, records
from desktop_app.sync.engine import SyncReport
from desktop_app.sync.merge import FieldState, RecordState
from desktop_app.sync.records import (
    LocalRecord,
    NewerRecord,
    PayloadError,
    ToSave,
    decode,
    encode,
)
from tests.unit.test_sync_apply_new_rows import (
    CLOCK,
    FAST,
    TEAM_KEY,
    _by_person,
    _engine,
    _moved,
    _sealed,
    _state,
    first_pull,
    registered_people,
    two_stores,  # noqa: F401  (a fixture)
    written_alike,
)

RECORD_ID = "0b5c6a2e-8c1d-4f57-9d7e-3f1c2a4b5d6e"
# A clock as a laptop writes it: wall time, counter, the laptop's device id.
REAL_CLOCK = f"1764000000000-00007-{uuid.UUID(int=5)}"


def form_one(record: LocalRecord) -> bytes:
    """A record's payload as versions before form 2 wrote it (``PAYLOAD_VERSION`` 1): every
    field as [value, clock, base]. Envelopes on servers hold such payloads."""
    state = record.state
    payload = {
        "v": 1,
        "kind": state.kind,
        "id": state.id,
        "author": record.author_id,
        "deleted": state.deleted,
        "deleted_clock": state.deleted_clock,
        "fields": {n: [f.value, f.clock, f.base] for n, f in sorted(state.fields.items())},
    }
    return json.dumps(payload, ensure_ascii=False, separators=(",", ":")).encode()


_clocks = st.sampled_from(["", CLOCK.format(1), CLOCK.format(2), CLOCK.format(3)])
_values = st.recursive(
    st.none() | st.booleans() | st.integers(-(2**53), 2**53) | st.text(max_size=20),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=5), inner),
    max_leaves=6,
)
_field_states = st.builds(FieldState, _values, _clocks, _clocks)
_states = st.builds(
    RecordState,
    st.sampled_from(["person", "visit", "conflict"]),
    st.just(RECORD_ID),
    st.dictionaries(st.text(min_size=1, max_size=12), _field_states, max_size=8),
    st.booleans(),
    _clocks,
)


@settings(max_examples=300, deadline=None)
@given(state=_states, author=st.text(max_size=40))
def test_both_forms_read_back_as_the_state_written(state: RecordState, author: str) -> None:
    """Any clocks (shared by most fields or by none, with a base or without, none at all),
    any values (None, lists and objects too), tombstones: the same state and author."""
    record = LocalRecord(state, 3, author)
    assert decode(encode(record)) == (state, author)
    assert decode(form_one(record)) == (state, author)


def _person() -> RecordState:
    """A person as registered: every field at the same clock, none with a base."""
    draft = generate_people(1, seed=5)[0]
    clock = REAL_CLOCK
    values = {
        "given_name": draft.given_name,
        "family_name": draft.family_name,
        "date_of_birth": "1990-04-01",
        "nationality": "BG",
        "languages": "bg,de",
        "phone": "+49 170 5550123",
        "notes": "",
        "sex": "f",
    }
    return RecordState("person", RECORD_ID, {n: FieldState(v, clock) for n, v in values.items()})


def test_a_record_whose_fields_share_a_clock_carries_it_once() -> None:
    person = _person()
    clock = REAL_CLOCK
    new, old = encode(LocalRecord(person, 1, "u-1")), form_one(LocalRecord(person, 1, "u-1"))
    assert new.count(clock.encode()) == 1
    assert old.count(clock.encode()) == len(person.fields)
    assert json.loads(new)["clocks"] == {}
    assert len(new) < len(old) / 2
    # One field changed later, on top of the value before: only its clocks travel apart.
    later = _moved(person, "phone", "+40 721 000 111")
    payload = json.loads(encode(LocalRecord(later, 2, "u-1")))
    assert payload["clock"] == clock
    assert payload["clocks"] == {"phone": [CLOCK.format(900), clock]}
    assert decode(encode(LocalRecord(later, 2, "u-1")))[0] == later


def _form_two(**changes: Any) -> bytes:
    payload = json.loads(encode(LocalRecord(_moved(_person(), "phone", "x"), 2, "u-1")))
    return json.dumps({**payload, **changes}).encode()


@pytest.mark.parametrize(
    "changes",
    [
        {"clocks": {"nowhere": [CLOCK.format(1), ""]}},  # clocks of a field it does not hold
        {"clocks": {"phone": [CLOCK.format(1)]}},
        {"clocks": {"phone": [CLOCK.format(1), None]}},
        {"clocks": {"phone": None}},
        {"clocks": [["phone", CLOCK.format(1), ""]]},
        {"clock": 5},
        {"clock": None},
        {"fields": [["phone", "x"]]},
        {"fields": None},
    ],
)
def test_a_broken_form_two_payload_is_refused(changes: dict[str, Any]) -> None:
    with pytest.raises(PayloadError) as info:
        decode(_form_two(**changes))
    assert not isinstance(info.value, NewerRecord)


@pytest.mark.parametrize("missing", ["clock", "clocks", "fields"])
def test_a_form_two_payload_without_its_parts_is_refused(missing: str) -> None:
    payload = json.loads(_form_two())
    del payload[missing]
    with pytest.raises(PayloadError) as info:
        decode(json.dumps(payload).encode())
    assert not isinstance(info.value, NewerRecord)


def test_the_same_changes_in_either_form_leave_the_same_rows(
    two_stores: Any,  # noqa: F811  (the fixture imported above)
    tmp_path: Any,
) -> None:
    """Two laptops pull the same records, one as form-1 envelopes (from before this version),
    the other as form-2 ones, through the whole merge step (``SyncEngine._apply_page``): first
    new records of every kind, then changes on top of half of them (merged with what is held,
    field clocks apart from the record's) and tombstones. Every table is written alike."""
    old, new = two_stores
    engines = (_engine(old.store), _engine(new.store))
    ids, held = registered_people(tmp_path, 12)
    rng = random.Random(17)
    kinds, record_ids, first = first_pull(rng, ids, held, 10, lambda: "u-1")
    later = [ToSave(_moved(held[i].state, "notes", "später"), 2, "u-2") for i in ids[::2]] + [
        ToSave(_state(rng, kinds[kind], rid, ids, 200), 2, "u-2")
        for kind in FAST
        for rid in record_ids[kind][::2]
    ]
    seq = 1
    for items in (first, later):
        envelopes = (_sealed(items, seq, form_one), _sealed(items, seq))
        seq += len(items)
        assert envelopes[0][0].ciphertext != envelopes[1][0].ciphertext
        before = (_by_person(old.store), _by_person(new.store))
        reports = (SyncReport(), SyncReport())
        for laptop, engine, pages, report in zip(
            (old, new), engines, envelopes, reports, strict=True
        ):
            with laptop.store.background_transaction() as db:
                for start in range(0, len(pages), 40):
                    engine._apply_page(db, pages[start : start + 40], report)
        written = written_alike((old.store, new.store), before, reports, len(items))
        assert {table(adapter.model).name for adapter in kinds.values()} <= written.keys()
    # And the payloads were of two forms, of which the second is the smaller by half.
    person = ToSave(held[ids[0]].state, 1, "u-1")
    sizes = [
        len(crypto.EnvelopeOpener({"k1": TEAM_KEY}).open(_sealed([person], 1, write)[0]))
        for write in (form_one, encode)
    ]
    assert sizes[1] < sizes[0] / 2, sizes
    assert records.PAYLOAD_VERSION == 2
