"""Envelopes whose payload is in form 1 (versions before one clock a record), as servers hold
them, are applied by this version through a real server, merged with changes of its own."""

from __future__ import annotations

import time
from dataclasses import replace

from desktop_app.domain.person import person_values
from desktop_app.sync.merge import FieldState
from desktop_app.sync.records import ADAPTERS, LocalRecord, load_one
from desktop_app.usecases import conflicts, people
from tests.integration.sync_harness import (
    Laptops,
    add_person,
    device_id,
    edit_person,
    push_state,
)
from tests.unit.test_sync_payload_forms import form_one


def test_a_change_in_the_old_form_merges_with_one_made_here(laptops: Laptops) -> None:
    a, b = laptops.new("A"), laptops.new("B")
    pid = add_person(a, "Elena", "Radu", phone="0176 1111111")
    laptops.sync(a, b)  # pushed and pulled in form 2
    edit_person(b, pid, notes="ruft morgens an")  # B's own change, not sent yet
    # Meanwhile A, still on a version before form 2, changed the phone and the notes on top
    # of what it had sent; its envelope is sealed as that version sealed it.
    with a.store.reading() as db:
        held = load_one(ADAPTERS["person"], db, pid)
    assert held is not None
    clock = f"{time.time_ns() // 1_000_000 + 1000:013d}-00000-{device_id(a)}"
    fields = dict(held.state.fields)
    for name, value in (("phone", "0176 2222222"), ("notes", "ruft abends an")):
        fields[name] = FieldState(value, clock, held.state.fields[name].clock)
    state = replace(held.state, fields=fields)
    revision = held.revision + 1
    push_state(a, state, revision, payload=form_one(LocalRecord(state, revision, a.user.id)))

    (report,) = laptops.sync(b)
    assert report.refused == 0 and report.deferred == 0 and report.applied >= 1
    person = people.get_person(b.store, b.user, pid)
    assert person is not None
    # A's phone; the notes changed on both sides: A's later value kept, B's as a conflict.
    assert (person.phone, person.notes) == ("0176 2222222", "ruft abends an")
    (conflict,) = conflicts.open_conflicts(b.store, b.user)
    assert (conflict.field, conflict.other_value) == ("notes", "ruft morgens an")

    # A laptop joining now pulls both forms (A's old one, B's merge in form 2): the same.
    c = laptops.new("C")
    (pulled,) = laptops.sync(c)
    assert pulled.refused == 0 and pulled.deferred == 0
    again = people.get_person(c.store, c.user, pid)
    assert again is not None and person_values(again) == person_values(person)
    assert again.field_clocks == person.field_clocks
    assert [(x.field, x.other_value) for x in conflicts.open_conflicts(c.store, c.user)] == [
        ("notes", "ruft morgens an")
    ]
