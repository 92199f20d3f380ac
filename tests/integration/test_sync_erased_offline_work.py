"""A helper records a visit offline for a person the coordinator erases meanwhile: the visit
is dropped on every laptop, and the tombstone the helper's laptop sends for it is no replay
when it comes back to that laptop (the sync refused it, and logged a warning, every time).
The helper's sync counts the changes the erasure removed, and says so without the name."""

from __future__ import annotations

from pathlib import Path

from desktop_app.usecases import data_rights, visits
from desktop_app.usecases.accounts import Session
from tests.integration.sync_harness import Laptops, add_person, edit_person, run_desk
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


def test_the_helpers_sync_counts_its_unsent_changes_an_erasure_removed(
    laptops: Laptops,
) -> None:
    coordinator, helper = laptops.new("Büro"), laptops.new("Outreach Markt")
    pid = add_person(coordinator, "Maria", "Popescu", phone="0151 7777777")
    other = add_person(coordinator, "Ivan", "Petrov")
    laptops.sync(coordinator, helper)
    data_rights.erase_person(coordinator.store, coordinator.user, pid)
    # Offline: a visit and an edit of the person erased, an edit of someone else.
    visits.finish_visit(helper.store, helper.user, pid, "life_situation", full_life_situation())
    edit_person(helper, pid, phone="0151 8888888")
    edit_person(helper, other, phone="0176 1234567")
    coordinator_report, helper_report, again = laptops.sync(coordinator, helper, helper)
    assert coordinator_report.erased_work == 0
    assert helper_report.erased_work == 2  # the visit and the edit; not the other person's
    assert helper_report.erased_people == 1
    assert (
        again.erased_work == again.erased_people == 0
    )  # said once: the next sync has nothing more to say
    assert helper_report.refused == 0
    assert visits.visit_history(helper.store, helper.user, pid) == []


def test_a_sync_that_finds_nothing_of_its_own_about_the_erased_person_counts_none(
    laptops: Laptops,
) -> None:
    coordinator, helper = laptops.new("Büro"), laptops.new("Outreach Markt")
    pid = add_person(coordinator, "Maria", "Popescu")
    laptops.sync(coordinator, helper)
    data_rights.erase_person(coordinator.store, coordinator.user, pid)
    add_person(helper, "Elena", "Radu")  # unsent, but about someone else
    (report,) = laptops.sync(coordinator, helper)[1:]
    assert report.erased_work == 0 and report.applied >= 1


def visit_and_edit_of_an_erased_person(laptops: Laptops) -> Session:
    """The helper's laptop ("Outreach Markt", not synced since): a visit recorded and the phone
    changed of Maria Popescu, whom the coordinator erased (and synced) meanwhile."""
    coordinator, helper = laptops.new("Büro"), laptops.new("Outreach Markt")
    pid = add_person(coordinator, "Maria", "Popescu")
    laptops.sync(coordinator, helper)
    data_rights.erase_person(coordinator.store, coordinator.user, pid)
    laptops.sync(coordinator)
    visits.finish_visit(helper.store, helper.user, pid, "life_situation", full_life_situation())
    edit_person(helper, pid, phone="0151 8888888")
    return helper


def _said_by_the_sync_command(helper: Session, tmp_path: Path, lang: str) -> str:
    """What ``welcome-desk sync`` on the helper's laptop says (its errors' stream); it names
    none of the people of these tests."""
    helper.close()  # the command opens the store itself
    synced = run_desk("sync", "--data-dir", str(tmp_path / "Outreach Markt"), lang=lang)
    assert synced.returncode == 0, synced.stderr
    said = synced.stdout + synced.stderr
    assert not any(name in said for name in ("Popescu", "Petrov", "Maria", "Ivan")), said
    return synced.stderr


def test_the_sync_command_says_how_many_changes_an_erasure_removed_without_the_name(
    laptops: Laptops, tmp_path: Path
) -> None:
    helper = visit_and_edit_of_an_erased_person(laptops)
    assert (
        "1 persoană a fost ștearsă la cererea sa pe alt laptop. 2 modificări făcute pe acest "
        "laptop privind datele șterse au fost eliminate și aici."
    ) in _said_by_the_sync_command(helper, tmp_path, "ro")


def test_changes_about_two_erased_people_are_said_to_be_about_two_people(
    laptops: Laptops, tmp_path: Path
) -> None:
    """The sentence said "a person" whatever the number of people erased: it counts them."""
    coordinator, helper = laptops.new("Büro"), laptops.new("Outreach Markt")
    erased = [
        add_person(coordinator, "Maria", "Popescu"),
        add_person(coordinator, "Ivan", "Petrov"),
    ]
    laptops.sync(coordinator, helper)
    for pid in erased:
        data_rights.erase_person(coordinator.store, coordinator.user, pid)
    laptops.sync(coordinator)
    for pid in erased:
        edit_person(helper, pid, phone="0151 8888888")
    visits.finish_visit(
        helper.store, helper.user, erased[0], "life_situation", full_life_situation()
    )
    assert (
        "2 Personen wurden auf ihren Wunsch auf anderen Laptops gelöscht. 3 Änderungen auf "
        "diesem Laptop zu den gelöschten Daten wurden auch hier entfernt."
    ) in _said_by_the_sync_command(helper, tmp_path, "de")
