"""What a life-situation check filled into the person's record travels as any edit of the
person's details (a real server process on 127.0.0.1; SQLite and PostgreSQL): a second
laptop sees the nationality; a phone taken over from a check while another laptop changed it
offline is one conflict, as two edits of it are."""

from __future__ import annotations

from desktop_app.usecases import people, visits
from desktop_app.usecases import sync as sync_uc
from desktop_app.usecases.accounts import Session
from tests.integration.sync_harness import Laptops, add_person, edit_person
from tests.unit.test_visits import consent_answers, full_life_situation


def maria_on_both(laptops: Laptops) -> tuple[Session, Session, str]:
    """Two laptops that both hold Maria (phone 0176 1111111, consent given), synced."""
    a, b = laptops.new("A"), laptops.new("B")
    pid = add_person(a, "Maria", "Petrova", "1991", phone="0176 1111111")
    visits.record_consent(a.store, a.user, pid, consent_answers())
    laptops.sync(a, b)
    return a, b, pid


def test_a_nationality_a_check_filled_in_reaches_the_other_laptop_and_a_phone_merges(
    laptops: Laptops,
) -> None:
    a, b, pid = maria_on_both(laptops)
    answers = full_life_situation() | {"phone": "0176 2222222"}
    visit = visits.finish_visit(a.store, a.user, pid, "life_situation", answers)
    assert visit.facts is not None and visit.facts.filled == ("nationality", "sex", "languages")
    # Meanwhile B, offline, corrects the phone; A takes the check's over when asked.
    edit_person(b, pid, phone="0176 3333333")
    people.take_over_differences(a.store, a.user, pid, visit.facts)
    laptops.sync(a, b, a)
    for laptop in (a, b):
        person = people.get_person(laptop.store, laptop.user, pid, log_view=False)
        assert person is not None and person.nationality == "BG"
        assert person.languages == ("bg", "tr")
        (conflict,) = sync_uc.open_conflicts(laptop.store)
        assert conflict.field == "phone"
        assert {conflict.kept_value, conflict.other_value} == {"0176 2222222", "0176 3333333"}


def test_a_check_filling_in_while_another_laptop_edits_another_field_is_no_conflict(
    laptops: Laptops,
) -> None:
    a, b, pid = maria_on_both(laptops)
    visits.finish_visit(a.store, a.user, pid, "life_situation", full_life_situation())
    edit_person(b, pid, phone="0176 3333333")  # offline, another field
    laptops.sync(a, b, a)
    for laptop in (a, b):
        person = people.get_person(laptop.store, laptop.user, pid, log_view=False)
        assert person is not None
        assert (person.nationality, person.phone) == ("BG", "0176 3333333")
        assert sync_uc.open_conflicts(laptop.store) == []
