"""A laptop not yet updated edits a check that an updated laptop recorded with a newer version
of the form: the answers only the newer version asks are not lost, neither there nor on the
laptop that recorded them. Real encrypted stores and a real server process on 127.0.0.1; the
updated laptop's revision is sealed with the team key and pushed as that version writes it
(answer by answer, with the newer form version)."""

from __future__ import annotations

import time
from dataclasses import replace

from desktop_app.sync.merge import FieldState
from desktop_app.sync.records import ADAPTERS, RowAdapter, load_one
from desktop_app.usecases import sync as sync_uc
from desktop_app.usecases import visits
from tests.integration.sync_harness import Laptops, add_person, device_id, push_state
from tests.unit.test_visits import full_life_situation


def test_an_older_laptops_edit_keeps_the_newer_forms_answers_on_both(laptops: Laptops) -> None:
    a, b = laptops.new("A"), laptops.new("B")
    pid = add_person(a, "Maria", "Ivanova", "1991-04-02")
    visit = visits.finish_visit(a.store, a.user, pid, "life_situation", full_life_situation())
    laptops.sync(a, b)
    # A, updated, asks what this version does not: a new question, a new topic.
    adapter = ADAPTERS["visit"]
    assert isinstance(adapter, RowAdapter)
    with a.store.reading() as db:
        local = load_one(adapter, db, visit.id)
    assert local is not None
    fields = dict(local.state.fields)
    clock = f"{time.time_ns() // 1_000_000:013d}-00000-{device_id(a)}"
    topics = fields["answers/topics"]
    fields["answers/school_meals"] = FieldState("yes", clock, "")
    fields["answers/topics"] = FieldState(["jobcenter", "energy_debts"], clock, topics.clock)
    newer = visit.form_version + 1
    fields["form_version"] = FieldState(newer, clock, fields["form_version"].clock)
    push_state(a, replace(local.state, fields=fields), 2)
    (report,) = laptops.sync(b)
    assert report.refused == 0 and report.applied >= 1
    seen = visits.get_visit(b.store, b.user, visit.id)
    assert seen is not None and seen.answers["school_meals"] == "yes"
    recorded = dict(seen.answers)
    assert visits.recorded_with_newer_form(b.store, "life_situation", recorded, seen.form_version)

    # B, not updated, changes the urgency in its form, which hands back what it shows.
    shown = {k: v for k, v in recorded.items() if k != "school_meals"}
    shown.update(topics=["jobcenter"], urgency="today")
    base = visits.VisitBase(recorded, seen.next_steps)
    visits.edit_visit(b.store, b.user, visit.id, shown, next_steps=seen.next_steps, base=base)
    laptops.sync(b, a, b)

    for laptop in (a, b):
        got = visits.get_visit(laptop.store, laptop.user, visit.id)
        assert got is not None
        assert got.answers == {**recorded, "urgency": "today"}
        assert got.answers["topics"] == ["jobcenter", "energy_debts"]
        assert got.form_version == newer
        assert sync_uc.open_conflicts(laptop.store) == []
