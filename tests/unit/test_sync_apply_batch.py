"""Records of a kind are written a batch at a time under one savepoint (``RowAdapter.save_many``):
a record refused, before or while it is written, refuses only itself and leaves no row behind;
the others of its batch are written all the same."""

from __future__ import annotations

import uuid
from dataclasses import replace
from typing import Any

import pytest
from sqlalchemy import select

import desktop_app.sync.kinds  # noqa: F401  (registers the kinds that sync)
from desktop_app.domain.person import PersonDraft
from desktop_app.storage.sync_models import LaptopRow
from desktop_app.storage.visits_models import VisitRow
from desktop_app.sync import crypto, laptops, records
from desktop_app.sync.merge import FieldState, RecordState
from desktop_app.sync.records import (
    ABOUT_ERASED,
    ADAPTERS,
    NEWER_VERSION,
    RowAdapter,
    ToSave,
    load_one,
)
from desktop_app.usecases import data_rights, people
from sync_server import wire
from tests.unit.test_sync_visit_entries import _finished, _loaded
from tests.unit.test_visits import PERSON

CLOCK = "1764000000000-00000-laptop-b"


@pytest.fixture(autouse=True)
def small_batches(monkeypatch: pytest.MonkeyPatch) -> None:
    # Three to a batch: the records refused below sit in the middle of a batch, with
    # batches before and after them.
    monkeypatch.setattr(records, "SAVE_BATCH", 3)


def _laptop(name: str, **changes: Any) -> ToSave:
    """A laptop's record as another laptop sends it (no vouch: not yet vouched for)."""
    laptop_id, key = str(uuid.uuid4()), crypto.DeviceKeys.generate().public_key
    values: dict[str, Any] = {
        "laptop_id": laptop_id,
        "public_key": wire.b64encode(key),
        "name": name,
        "revoked": False,
        "vouch": "",
        "store_id": "",
    }
    record_id = changes.pop("id", laptops.record_id(laptop_id, key))
    fields = {n: FieldState(v, CLOCK, "") for n, v in (values | changes).items()}
    return ToSave(RecordState(laptops.KIND, record_id, fields), 1, "")


def _renamed(item: ToSave, name: str, **changes: Any) -> ToSave:
    fields = dict(item.state.fields)
    for field, value in {"name": name, **changes}.items():
        fields[field] = FieldState(value, "1764000000001-00000-laptop-b", CLOCK)
    return ToSave(replace(item.state, fields=fields), item.revision + 1, "")


def _laptop_rows(store: Any) -> dict[str, tuple[str, str, int]]:
    with store.reading() as db:
        return {
            row.id: (row.name, row.public_key, row.revision)
            for row in db.scalars(select(LaptopRow).where(LaptopRow.name != ""))
        }


def test_a_record_refused_while_it_is_written_refuses_only_itself(session: Any) -> None:
    store = session.store
    adapter = ADAPTERS[laptops.KIND]
    assert isinstance(adapter, RowAdapter)
    held, kept = _laptop("Held"), _laptop("Kept")
    with store.transaction() as db:
        assert adapter.save_many(db, store, [held, kept]) == {}
    before = _laptop_rows(store)
    # Refused by ``laptops.check_saved`` after every column of the row was set: a record
    # whose id names another key, and an update of a held record that moves it to another
    # key. Each sits in a batch with records that are fine (new ones and an update).
    stranger = _laptop("Stranger", id=str(uuid.uuid4()))
    moved = _renamed(kept, "Moved", public_key=wire.b64encode(bytes(32)))
    fine = [_laptop(f"Laptop {i}") for i in range(5)]
    renamed = _renamed(held, "Renamed")
    batch = [fine[0], fine[1], renamed, stranger, fine[2], moved, fine[3], fine[4]]
    with store.transaction() as db:
        refused = adapter.save_many(db, store, batch)
    reason = "laptop: the record is not about the laptop its id names"
    assert refused == {stranger.state.id: reason, moved.state.id: reason}
    rows = _laptop_rows(store)
    # Every other record is written, the update of the held one included …
    for item in (*fine, renamed):
        assert rows[item.state.id][0] == item.state.fields["name"].value
    assert rows[held.state.id][2] == renamed.revision
    # … the refused new one left no row, and the refused update left the row as it was.
    assert stranger.state.id not in rows
    assert rows[kept.state.id] == before[kept.state.id]
    assert rows.keys() == {item.state.id for item in (*fine, held, kept)}


def test_a_newer_versions_record_and_one_about_an_erased_person_refuse_only_themselves(
    session: Any,
) -> None:
    store, user = session.store, session.user
    visit = _finished(session)
    adapter = ADAPTERS["visit"]
    assert isinstance(adapter, RowAdapter)
    with store.reading() as db:
        local = load_one(adapter, db, visit.id)
    assert local is not None
    erased = people.register_person(store, user, PersonDraft("Elena", "Popescu", "1985"))
    data_rights.erase_person(store, user, erased.id)

    def copy(**fields: FieldState) -> ToSave:
        state = RecordState("visit", str(uuid.uuid4()), {**local.state.fields, **fields})
        return ToSave(state, 1, "")

    newer = copy(priority=FieldState("high", CLOCK, ""))  # a field this version lacks
    about_erased = copy(person_id=FieldState(erased.id, CLOCK, ""))
    fine = [copy() for _ in range(6)]
    batch = [fine[0], fine[1], newer, fine[2], about_erased, fine[3], fine[4], fine[5]]
    with store.transaction() as db:
        refused = adapter.save_many(db, store, batch)
    assert refused == {newer.state.id: NEWER_VERSION, about_erased.state.id: ABOUT_ERASED}
    wanted = [item.state.id for item in batch]
    with store.reading() as db:
        rows = {
            row.id: row.answers
            for row in db.scalars(select(VisitRow).where(VisitRow.id.in_(wanted)))
        }
        original = db.get(VisitRow, visit.id)
        assert original is not None
        # The others are written whole (their answers as the visit they copy); the two
        # refused ones left no row.
        assert rows == {item.state.id: original.answers for item in fine}


def test_new_records_the_table_cannot_hold_refuse_only_themselves(session: Any) -> None:
    """New records are written without a savepoint only where none can be refused: a batch
    with one holding nothing where the table takes no empty value, or two sharing a
    referral's reference, or one taking the reference of a referral held here, is written
    record by record, and only those are refused; no report row is left of a refused visit."""
    store = session.store
    visit, adapter, local = _loaded(session)

    def copy(kind: str, state: RecordState, **fields: FieldState) -> ToSave:
        return ToSave(RecordState(kind, str(uuid.uuid4()), {**state.fields, **fields}), 1, "")

    # Nothing where the column has no default (where it has one, the default is written):
    # refused for the value's type before any row is written.
    no_start = copy("visit", local.state, started_at=FieldState(None, CLOCK, ""))
    fine = [copy("visit", local.state) for _ in range(5)]
    with store.transaction() as db:
        refused = adapter.save_many(db, store, [fine[0], fine[1], no_start, *fine[2:]])
    assert list(refused) == [no_start.state.id]
    assert refused[no_start.state.id] == "visit.started_at: a value of the wrong type"
    with store.reading() as db:
        written = set(db.scalars(select(VisitRow.id)))
        facts = {
            row[0]
            for row in db.connection().exec_driver_sql("SELECT visit_id FROM report_visit_facts")
        }
    assert written == facts == {visit.id, *(item.state.id for item in fine)}

    referrals = ADAPTERS["referral"]
    assert isinstance(referrals, RowAdapter)

    def referral(reference: str) -> ToSave:
        values = {name: referrals.default(name) for name in referrals.fields}
        values.update(person_id=PERSON, reference=reference, status="issued")
        state = RecordState("referral", "", {n: FieldState(v, CLOCK) for n, v in values.items()})
        return copy("referral", state)

    held = referral("WD-2026-0001")
    with store.transaction() as db:
        assert referrals.save_many(db, store, [held]) == {}
    twice = [referral("WD-2026-0002"), referral("WD-2026-0002")]
    again = referral("WD-2026-0001")
    others = [referral(f"WD-2026-01{n:02d}") for n in range(3)]
    for clash in (twice, [again]):
        with store.transaction() as db:
            refused = referrals.save_many(db, store, [others.pop(), *clash])
        assert list(refused) == [clash[-1].state.id]
    with store.reading() as db:
        references = sorted(db.connection().exec_driver_sql("SELECT reference FROM referrals"))
    assert [r[0] for r in references] == [
        "WD-2026-0001",
        "WD-2026-0002",
        "WD-2026-0101",
        "WD-2026-0102",
    ]
