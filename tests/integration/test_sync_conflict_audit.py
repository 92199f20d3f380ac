"""Property 14 for conflicts: an advisor's decision about a person's values is in the audit log
of the laptop it was made on and of every other, whichever value was chosen."""

from __future__ import annotations

from desktop_app.usecases import audit, visits
from desktop_app.usecases import sync as sync_uc
from tests.integration.sync_harness import Laptops, add_person, edit_person
from tests.unit.test_visits import full_life_situation


def test_keeping_the_value_a_person_holds_is_an_audited_decision_on_every_laptop(
    laptops: Laptops,
) -> None:
    a, b = laptops.new("A"), laptops.new("B")
    pid = add_person(a, "Elena", "Radu", phone="0176 1111111")
    laptops.sync(a, b)
    edit_person(a, pid, phone="0176 2222222")
    edit_person(b, pid, phone="0176 3333333")
    laptops.sync(a, b, a)
    (conflict,) = sync_uc.open_conflicts(a.store)
    # The value the person holds now stays: nothing about the person changes but the decision.
    sync_uc.resolve_conflict(a.store, a.user, conflict.id, conflict.kept_value)
    laptops.sync(a, b)
    for laptop in (a, b):
        decided = audit.list_entries(laptop.store, laptop.user, record_id=pid, action="decide")
        assert [(e.user_id, e.device_id, e.record_kind) for e in decided] == [
            (a.user.id, a.store.device_id, "person")
        ]
        assert decided[0].details == {"conflict": conflict.id, "field": "phone"}
        assert "0176" not in str(decided[0].details)  # ids and names of fields, no values
        assert audit.verify_chain(laptop.store) == []


def test_keeping_a_visits_answer_as_it_is_is_an_audited_decision(laptops: Laptops) -> None:
    a, b = laptops.new("A"), laptops.new("B")
    pid = add_person(a, "Maria", "Ivanova", "1990")
    answers = full_life_situation()
    visit = visits.finish_visit(a.store, a.user, pid, "life_situation", answers)
    laptops.sync(a, b)
    visits.edit_visit(a.store, a.user, visit.id, {**answers, "rent": 480})
    visits.edit_visit(b.store, b.user, visit.id, {**answers, "rent": 510})
    laptops.sync(a, b, a)
    (conflict,) = sync_uc.open_conflicts(b.store)
    sync_uc.resolve_conflict(b.store, b.user, conflict.id, conflict.kept_value)
    decided = audit.list_entries(b.store, b.user, record_id=pid, action="decide")
    assert [(e.record_kind, e.details) for e in decided] == [
        ("visit", {"conflict": conflict.id, "field": conflict.field})
    ]
