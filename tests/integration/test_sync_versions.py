"""Laptops on different versions of the app sync without losing records.

Laptops at contact points are updated one by one, not all on one day. A record an older
version wrote lacks a field this version added: it is applied with the field's default, and
the value a newer laptop set wins. A record a newer version wrote (of a kind, or with a field,
this version does not know) is kept, not refused, and applied once the laptop is updated.
Real encrypted stores and a real server process on 127.0.0.1; the other version's records are
sealed with the team key and pushed by a laptop, as that version would.
"""

from __future__ import annotations

import json
import uuid

import pytest
from sqlalchemy import func, select

from desktop_app.storage.models import OutboxRow, data_columns
from desktop_app.storage.sync_models import ConflictRow, DeferredEnvelopeRow
from desktop_app.storage.visits_models import QuickContactRow, VisitRow
from desktop_app.sync.kinds import CONFLICT_FIELDS
from desktop_app.sync.records import (
    ADAPTERS,
    PAYLOAD_VERSION,
    LocalRecord,
    RowAdapter,
    encode,
    load_one,
    reader_version,
)
from desktop_app.usecases import people, visits
from desktop_app.usecases import sync as sync_uc
from desktop_app.usecases.accounts import Session
from tests.integration.sync_harness import (
    Laptops,
    add_person,
    device_id,
    edit_person,
    push_state,
    record_state,
)
from tests.unit.test_visits import full_life_situation


def _kept(session: Session) -> list[str]:
    """The readers of the envelopes a laptop keeps for later ("" for those waiting for a key)."""
    with session.store.reading() as db:
        return list(db.scalars(select(DeferredEnvelopeRow.reader)))


def test_a_conflict_from_an_older_version_takes_the_default_and_a_newer_value_wins(
    laptops: Laptops,
) -> None:
    a, b = laptops.new("A"), laptops.new("B")
    pid = add_person(a, "Elena", "Radu", phone="0176 1111111")
    laptops.sync(a, b)
    # The previous version's conflict records had no ``person_id``.
    values = {
        "record_kind": "person",
        "record_id": pid,
        "field": "phone",
        "kept_value": json.dumps("0176 2222222"),
        "kept_clock": "1764000000000-00000-x",
        "other_value": json.dumps("0176 3333333"),
        "other_clock": "1764000000001-00000-y",
        "resolved": False,
    }
    assert set(values) == set(CONFLICT_FIELDS) - {"person_id"}
    conflict_id = str(uuid.uuid4())
    push_state(a, record_state("conflict", conflict_id, values, device_id(a)))
    (report,) = laptops.sync(b)
    assert report.refused == 0 and report.applied >= 1
    with b.store.reading() as db:
        row = db.get(ConflictRow, conflict_id)
        assert row is not None and row.person_id == ""
        assert json.loads(row.field_clocks)["person_id"] == ["", ""]
    (shown,) = sync_uc.open_conflicts(b.store)
    assert shown.person_id == pid  # found from its record, as for conflicts migrated
    # A newer laptop's value for the field wins over the default, wherever it arrives.
    push_state(
        a, record_state("conflict", conflict_id, {**values, "person_id": pid}, device_id(a)), 2
    )
    laptops.sync(b)
    with b.store.reading() as db:
        row = db.get(ConflictRow, conflict_id)
        assert row is not None and row.person_id == pid


def test_a_person_from_an_older_version_without_a_field_is_applied(laptops: Laptops) -> None:
    """As if ``notes`` had come later: an older version's person has no such field."""
    a, b = laptops.new("A"), laptops.new("B")
    laptops.sync(a, b)
    pid = str(uuid.uuid4())
    values = {
        "given_name": "Ana",
        "family_name": "Pop",
        "date_of_birth": "1990",
        "sex": "",
        "nationality": "RO",
        "languages": "ro",
        "phone": "",
    }
    push_state(a, record_state("person", pid, values, device_id(a)))
    (report,) = laptops.sync(b)
    assert report.refused == 0
    person = people.get_person(b.store, b.user, pid)
    assert person is not None and person.notes == "" and person.nationality == "RO"
    assert person.field_clocks["notes"] == ("", "")
    # The newer laptop's notes win over the empty default.
    push_state(
        a, record_state("person", pid, {**values, "notes": "call in the morning"}, device_id(a)), 2
    )
    laptops.sync(b)
    person = people.get_person(b.store, b.user, pid)
    assert person is not None and person.notes == "call in the morning"


def test_records_of_a_newer_version_are_kept_and_applied_after_the_update(
    laptops: Laptops, monkeypatch: pytest.MonkeyPatch
) -> None:
    a, b = laptops.new("A"), laptops.new("B")
    pid = add_person(a, "Elena", "Radu")
    laptops.sync(a, b)
    device = device_id(a)
    # A kind this version does not know ("walk_in" here, an anonymous contact), and a conflict
    # with a field it does not know: both written by a newer version on laptop A.
    walk_in = str(uuid.uuid4())
    walk_in_values = {
        "contact_date": "2026-12-03",
        "session_language": "bg",
        "topics": '["jobcenter"]',
        "referral_given": True,
        "nationality": "BG",
        "sex": "",
    }
    assert set(walk_in_values) == set(data_columns(QuickContactRow))
    push_state(a, record_state("walk_in", walk_in, walk_in_values, device))
    conflict = str(uuid.uuid4())
    conflict_values = {
        "record_kind": "person",
        "record_id": pid,
        "person_id": pid,
        "field": "notes",
        "kept_value": json.dumps("a"),
        "kept_clock": "1764000000000-00000-x",
        "other_value": json.dumps("b"),
        "other_clock": "1764000000001-00000-y",
        "resolved": False,
        "priority": "high",
    }
    push_state(a, record_state("conflict", conflict, conflict_values, device))
    # And a record in a newer form of payload.
    later = record_state("person", str(uuid.uuid4()), {}, device)
    newer_form = json.loads(encode(LocalRecord(later, 1, "")))
    push_state(a, later, payload=json.dumps({**newer_form, "v": PAYLOAD_VERSION + 1}).encode())
    edit_person(a, pid, phone="0176 5555555")  # and a change this version reads
    (report,) = laptops.sync(a, b)[1:]
    # Kept, not refused, and nothing of them applied; what it can read is applied.
    assert report.refused == 0 and report.deferred == 3
    assert _kept(b) == [reader_version()] * 3
    assert sync_uc.status(b.store).need_update == 3  # the status bar and the CLI say so
    with b.store.reading() as db:
        assert db.get(ConflictRow, conflict) is None
        assert db.scalar(select(func.count()).select_from(QuickContactRow)) == 0
    (again,) = laptops.sync(b)  # the same version tries them once only
    assert again.deferred == 0 and again.applied == 0 and len(_kept(b)) == 3

    # B is updated to a version that knows the kind: at its next sync the record is applied;
    # the conflict with a field still unknown and the newer form stay kept for a later one.
    monkeypatch.setitem(
        ADAPTERS,
        "walk_in",
        RowAdapter("walk_in", QuickContactRow, data_columns(QuickContactRow)),
    )
    (updated,) = laptops.sync(b)
    assert updated.applied == 1 and updated.refused == 0
    with b.store.reading() as db:
        row = db.get(QuickContactRow, walk_in)
        assert row is not None and row.session_language == "bg" and row.referral_given
        assert db.get(ConflictRow, conflict) is None
    assert people.get_person(b.store, b.user, later.id) is None
    assert _kept(b) == [reader_version()] * 2
    assert sync_uc.status(b.store).need_update == 2


def test_a_visit_from_a_version_before_answers_merged_one_by_one_is_applied_answer_by_answer(
    laptops: Laptops,
) -> None:
    """Such a version sends a visit's answers whole, with one clock. Its answers take that
    clock each; an answer it lacks is taken as removed; nothing is pushed back for it."""
    a, b = laptops.new("A"), laptops.new("B")
    pid = add_person(a, "Maria", "Ivanova", "1990")
    visit = visits.finish_visit(a.store, a.user, pid, "life_situation", full_life_situation())
    laptops.sync(a, b)
    with a.store.reading() as db:
        row = db.get(VisitRow, visit.id)
        assert row is not None
        values = {name: getattr(row, name) for name in data_columns(VisitRow)}
    # The older version on A: the person has no home now, so the rent went.
    older = {k: v for k, v in visit.answers.items() if k != "rent"}
    older["housing_type"] = "homeless"
    push_state(a, record_state("visit", visit.id, {**values, "answers": json.dumps(older)}, "x"), 2)
    (report,) = laptops.sync(b)
    assert report.refused == 0 and report.applied == 1 and report.conflicts == 0
    (shown,) = visits.visit_history(b.store, b.user, pid)
    assert shown.answers == older
    with b.store.reading() as db:  # each answer's clocks, as read back (stored or not)
        held = load_one(ADAPTERS["visit"], db, visit.id)
        assert held is not None
        clocks = {name: field[1:] for name, field in held.state.fields.items()}
    assert clocks["answers/housing_type"] == clocks["answers/rent"] == clocks["answers/urgency"]
    with b.store.reading() as db:  # applied as it came: nothing to send back
        outbox = db.scalars(select(OutboxRow.record_kind).where(OutboxRow.record_kind == "visit"))
        assert list(outbox) == []

    # B changes the urgency; then the older version sends the housing again. It cannot tell
    # that it left the urgency alone (one clock for all answers): the urgency is a conflict,
    # B's value is not lost.
    visits.edit_visit(b.store, b.user, visit.id, {**older, "urgency": "today"})
    again = {**older, "housing_type": "emergency_shelter"}
    push_state(a, record_state("visit", visit.id, {**values, "answers": json.dumps(again)}, "x"), 3)
    laptops.sync(b)
    (shown,) = visits.visit_history(b.store, b.user, pid)
    assert shown.answers["housing_type"] == "emergency_shelter"
    (conflict,) = sync_uc.open_conflicts(b.store)
    assert conflict.field == "answers/urgency"
    assert {conflict.kept_value, conflict.other_value} == {"today", older["urgency"]}
