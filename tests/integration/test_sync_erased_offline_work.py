"""A helper records a visit offline for a person the coordinator erases meanwhile: the visit
is dropped on every laptop, and the tombstone the helper's laptop sends for it is no replay
when it comes back to that laptop (the sync refused it, and logged a warning, every time)."""

from __future__ import annotations

from desktop_app.usecases import data_rights, visits
from tests.integration.sync_harness import Laptops, add_person
from tests.unit.test_visits import full_life_situation


def test_the_tombstone_a_laptop_sent_for_its_own_offline_visit_is_not_refused_when_pulled(
    laptops: Laptops,
) -> None:
    coordinator, helper = laptops.new("Büro"), laptops.new("Outreach Markt")
    pid = add_person(coordinator, "Maria", "Popescu", phone="0151 7777777")
    laptops.sync(coordinator, helper)
    data_rights.erase_person(coordinator.store, coordinator.user, pid)
    visits.finish_visit(helper.store, helper.user, pid, "life_situation", full_life_situation())
    reports = laptops.sync(coordinator, helper, coordinator, helper)
    assert [r.refused for r in reports] == [0, 0, 0, 0], [r.refused_ids for r in reports]
    for laptop in (coordinator, helper):
        assert visits.visit_history(laptop.store, laptop.user, pid) == []
