"""Conflicts of every kind of record, decided by an advisor: by choosing or by correcting.

Real encrypted stores syncing through a real server process on 127.0.0.1. Each decision is
made on one laptop and must reach every other, with nothing left to decide anywhere.
"""

from __future__ import annotations

import json
import time
from typing import Any

import pytest

from desktop_app.domain.permissions import PermissionDenied
from desktop_app.domain.person import PersonDraft
from desktop_app.domain.referral import ReferralStatus
from desktop_app.domain.users import Role
from desktop_app.domain.validation import ValidationFailed
from desktop_app.storage.referrals_models import ReferralRow
from desktop_app.usecases import accounts, people, referrals, visits
from desktop_app.usecases import sync as sync_uc
from desktop_app.usecases.accounts import Session
from desktop_app.usecases.conflicts import ConflictGone
from tests.integration.sync_harness import (
    Laptops,
    add_person,
    conflicts_alike,
    edit_person,
    older_answers_conflict,
)
from tests.pdf_text import pdf_text
from tests.unit.test_visits import consent_answers, full_life_situation


def _visit_with_rent_changed_on_a(
    laptops: Laptops,
) -> tuple[Session, Session, str, visits.Visit, dict[str, Any]]:
    """A visit A stored and both laptops synced; then A, offline, changed the rent to 480."""
    a, b = laptops.new("A"), laptops.new("B")
    pid = add_person(a, "Maria", "Ivanova", "1990")
    answers = full_life_situation()
    visit = visits.finish_visit(a.store, a.user, pid, "life_situation", answers)
    laptops.sync(a, b)
    visits.edit_visit(a.store, a.user, visit.id, {**answers, "rent": 480})
    return a, b, pid, visit, answers


def _visit_on(
    laptops: Laptops, *names: str
) -> tuple[list[Session], str, visits.Visit, dict[str, Any]]:
    """Laptops ``names``; the first stored Maria Ivanova's life-situation check, all synced."""
    sessions = [laptops.new(name) for name in names]
    first = sessions[0]
    pid = add_person(first, "Maria", "Ivanova", "1990")
    answers = full_life_situation()
    visit = visits.finish_visit(first.store, first.user, pid, "life_situation", answers)
    laptops.sync(*sessions)
    return sessions, pid, visit, answers


def test_a_referral_moved_on_two_laptops_is_one_conflict_and_both_steps_stay_in_its_history(
    laptops: Laptops,
) -> None:
    a, b, c = laptops.new("A"), laptops.new("B"), laptops.new("C")
    pid = add_person(a, "Maria", "Ivanova", "1990")
    referral = referrals.issue_referral(
        a.store, a.user, pid, "jobcenter", "buergergeld", client_lang="bg"
    )
    laptops.sync(a, b, c)
    referrals.change_status(a.store, a.user, referral.id, ReferralStatus.APPOINTMENT_MADE)
    referrals.change_status(b.store, b.user, referral.id, ReferralStatus.CLOSED)  # offline
    laptops.sync(a, b, a, c)
    found = [sync_uc.open_conflicts(s.store) for s in (a, b, c)]
    # Only the status is in conflict: when it changed follows the winner, and the history
    # keeps both steps (before, a second conflict over the history's JSON text was shown).
    assert [(x.record_kind, x.field) for x in found[0]] == [("referral", "status")]
    # The same everywhere, but for the names of the laptops (each laptop's own is "this laptop")
    # and of who set the values (accounts stay on their laptop: only its own are named, the
    # others' by their id and role).
    same = conflicts_alike(found)
    assert same[0] == same[1] == same[2]
    conflict = found[0][0]
    assert conflict.person_id == pid and conflict.about == referral.reference
    assert not conflict.editable
    assert {conflict.kept_value, conflict.other_value} == {"appointment_made", "closed"}
    for s in (a, b):
        steps = [x.status.value for x in referrals.status_history(s.store, s.user, referral.id)]
        assert sorted(steps) == ["appointment_made", "closed", "issued"]
    # B decides for the value that lost (whichever it is): it must reach every laptop.
    sync_uc.resolve_conflict(b.store, b.user, conflict.id, conflict.other_value)
    laptops.sync(b, a, c)
    for s in (a, b, c):
        moved = referrals.get_referral(s.store, s.user, referral.id)
        assert moved.status.value == conflict.other_value
        history = referrals.status_history(s.store, s.user, referral.id)
        assert history[-1].status.value == conflict.other_value and history[-1].by == "B"
        assert sync_uc.open_conflicts(s.store) == []


def test_the_same_answer_of_a_visit_changed_on_two_laptops_is_a_conflict_and_the_choice_travels(
    laptops: Laptops,
) -> None:
    a, b, pid, visit, answers = _visit_with_rent_changed_on_a(laptops)
    visits.edit_visit(b.store, b.user, visit.id, {**answers, "rent": 520})
    laptops.sync(a, b, a)
    (conflict,) = sync_uc.open_conflicts(b.store, b.user)
    # The one answer both changed, not the whole visit.
    assert (conflict.record_kind, conflict.field, conflict.about) == (
        "visit",
        "answers/rent",
        "life_situation",
    )
    assert {conflict.kept_value, conflict.other_value} == {480, 520}
    assert [(d.key, {d.kept, d.other}) for d in conflict.differences] == [("rent", {480, 520})]
    with pytest.raises(ValueError, match="only one of the two values"):
        sync_uc.resolve_conflict(b.store, b.user, conflict.id, 999)
    sync_uc.resolve_conflict(b.store, b.user, conflict.id, conflict.other_value)
    laptops.sync(b, a)
    for s in (a, b):
        (shown,) = visits.visit_history(s.store, s.user, pid)
        assert shown.answers["rent"] == conflict.other_value
        assert shown.answers == {**visit.answers, "rent": conflict.other_value}
        assert sync_uc.open_conflicts(s.store) == []
    # The decision is a new revision: what each laptop had stays readable.
    (on_b,) = visits.visit_history(b.store, b.user, pid)
    assert {v.answers["rent"] for v in on_b.earlier} >= {450, 520}


def test_an_answer_removed_on_one_laptop_and_changed_on_another_is_a_conflict(
    laptops: Laptops,
) -> None:
    """A records that the person has no home now, so the rent is no longer asked and goes;
    B, offline, changed the rent. Neither is dropped silently: the rent is a conflict."""
    (a, b), pid, visit, answers = _visit_on(laptops, "A", "B")
    visits.edit_visit(a.store, a.user, visit.id, {**answers, "housing_type": "homeless"})
    visits.edit_visit(b.store, b.user, visit.id, {**answers, "rent": 520})
    laptops.sync(a, b, a)
    found = [sync_uc.open_conflicts(s.store, s.user) for s in (a, b)]
    assert [(c.field, {c.kept_value, c.other_value}) for c in found[0]] == [
        ("answers/rent", {None, 520})
    ]
    assert [c.id for c in found[0]] == [c.id for c in found[1]]
    for s in (a, b):  # the rest merged: A's housing on both
        (shown,) = visits.visit_history(s.store, s.user, pid)
        assert shown.answers["housing_type"] == "homeless"
    (conflict,) = found[0]
    # B's rent is not asked of a person without a home: taking it is refused, not dropped.
    from desktop_app.forms import InvalidAnswers

    with pytest.raises(InvalidAnswers) as refused:
        sync_uc.resolve_conflict(a.store, a.user, conflict.id, 520)
    assert [(e.field_path, e.code) for e in refused.value.errors] == [("rent", "not_asked")]
    assert len(sync_uc.open_conflicts(a.store)) == 1
    # Taking the version without the rent removes it everywhere.
    without = conflict.kept_value if conflict.kept_value is None else conflict.other_value
    sync_uc.resolve_conflict(a.store, a.user, conflict.id, without)
    laptops.sync(a, b)
    for s in (a, b):
        (shown,) = visits.visit_history(s.store, s.user, pid)
        assert "rent" not in shown.answers and shown.answers["housing_type"] == "homeless"
        assert sync_uc.open_conflicts(s.store) == []


def test_answers_that_fit_on_each_laptop_but_not_combined_are_a_conflict_on_every_laptop(
    laptops: Laptops,
) -> None:
    """A records that the person has no home now (the rent goes with it); B, offline, adds
    that there is a written tenancy agreement. Each version fits the form; merged answer by
    answer they do not (a tenancy agreement is not asked of a person without a home). That
    is for an advisor to decide, on every laptop alike; a later save must not drop B's
    answer unseen."""
    (a, b, c), pid, visit, answers = _visit_on(laptops, "A", "B", "C")
    homeless = {k: v for k, v in answers.items() if k != "rent"} | {"housing_type": "homeless"}
    visits.edit_visit(a.store, a.user, visit.id, homeless)
    with_contract = {**answers, "rent_contract": "yes"}
    visits.edit_visit(b.store, b.user, visit.id, with_contract)
    laptops.sync(a, b, a, c)
    found = [sync_uc.open_conflicts(s.store, s.user) for s in (a, b, c)]
    assert [len(f) for f in found] == [1, 1, 1]
    assert len({f[0].id for f in found}) == 1  # one conflict, found on two laptops alike
    (conflict,) = found[2]
    assert conflict.field == "answers+"
    # The newer version (B's) is kept, the older (A's) is the other; each whole, as stored
    # (the health answers need a consent this person has not given: never stored).
    stored = visit.answers
    assert json.loads(str(conflict.kept_value)) == {**stored, "rent_contract": "yes"}
    a_version = {k: v for k, v in stored.items() if k != "rent"} | {"housing_type": "homeless"}
    assert json.loads(str(conflict.other_value)) == a_version
    assert {d.key for d in conflict.differences} == {"housing_type", "rent", "rent_contract"}
    assert conflict.combinable
    # What merged stays meanwhile (nothing is dropped before the decision).
    (shown,) = visits.visit_history(c.store, c.user, pid)
    assert shown.answers["housing_type"] == "homeless" and shown.answers["rent_contract"] == "yes"
    from desktop_app.forms import InvalidAnswers
    from desktop_app.usecases.conflicts import combination

    # A's housing with B's agreement is what merged: refused, not saved with the answer gone.
    with pytest.raises(InvalidAnswers) as refused:
        sync_uc.resolve_conflict(
            c.store, c.user, conflict.id, combination(conflict, {"housing_type", "rent"})
        )
    assert [(e.field_path, e.code) for e in refused.value.errors] == [
        ("rent_contract", "not_asked")
    ]
    sync_uc.resolve_conflict(c.store, c.user, conflict.id, conflict.other_value)  # A's
    laptops.sync(c, a, b)
    for s in (a, b, c):
        (shown,) = visits.visit_history(s.store, s.user, pid)
        assert shown.answers == a_version
        assert sync_uc.open_conflicts(s.store) == []


def test_answers_merged_from_two_laptops_that_fit_the_form_are_no_conflict(
    laptops: Laptops,
) -> None:
    """The check looks at what the merge made: two changes that fit together stay quiet."""
    (a, b), pid, visit, answers = _visit_on(laptops, "A", "B")
    visits.edit_visit(a.store, a.user, visit.id, {**answers, "rent": 480})
    visits.edit_visit(b.store, b.user, visit.id, {**answers, "rent_contract": "yes"})
    laptops.sync(a, b, a)
    for s in (a, b):
        (shown,) = visits.visit_history(s.store, s.user, pid)
        assert shown.answers == {**visit.answers, "rent": 480, "rent_contract": "yes"}
        assert sync_uc.open_conflicts(s.store) == []


def test_a_helper_cannot_see_or_decide_a_visit_conflict_in_restricted_answers(
    laptops: Laptops,
) -> None:
    a, b = laptops.new("A"), laptops.new("B")
    pid = add_person(a, "Maria", "Ivanova", "1990")
    visits.record_consent(a.store, a.user, pid, consent_answers())  # health answers need it
    answers = full_life_situation()
    visit = visits.finish_visit(a.store, a.user, pid, "life_situation", answers)
    laptops.sync(a, b)
    visits.edit_visit(a.store, a.user, visit.id, {**answers, "pregnant": "yes"})
    visits.edit_visit(b.store, b.user, visit.id, {**answers, "pregnant": "unknown"})
    laptops.sync(a, b, a)
    helper = accounts.add_user(a, "lena", "Lena", Role.HELPER, "helper pass 12")
    (seen,) = sync_uc.open_conflicts(a.store, helper)
    assert seen.withheld and seen.differences == ()
    assert seen.kept_value is None and seen.other_value is None  # neither version handed out
    with pytest.raises(PermissionDenied):
        sync_uc.resolve_conflict(a.store, helper, seen.id, "{}")
    (full,) = sync_uc.open_conflicts(a.store, a.user)  # an advisor sees what differs
    assert not full.withheld and [d.key for d in full.differences] == ["pregnant"]


def test_a_corrected_value_can_be_entered_for_text_typed_by_hand(laptops: Laptops) -> None:
    a, b, c = laptops.new("A"), laptops.new("B"), laptops.new("C")
    pid = add_person(a, "Elena", "Radu", phone="0176 1111111")
    laptops.sync(a, b, c)
    edit_person(a, pid, phone="0176 2222222", sex="female")
    edit_person(b, pid, phone="0176 3333333", sex="diverse")
    laptops.sync(a, b, a, c)
    by_field = {x.field: x for x in sync_uc.open_conflicts(a.store)}
    assert by_field["phone"].editable and not by_field["sex"].editable
    # A code is chosen, never typed.
    with pytest.raises(ValueError, match="only one of the two values"):
        sync_uc.resolve_conflict(a.store, a.user, by_field["sex"].id, "male")
    # A corrected text is checked as when first typed: the conflict stays open if it is wrong.
    with pytest.raises(ValidationFailed):
        sync_uc.resolve_conflict(a.store, a.user, by_field["phone"].id, "call me\x07")
    assert len(sync_uc.open_conflicts(a.store)) == 2
    sync_uc.resolve_conflict(a.store, a.user, by_field["phone"].id, "0176 4444444")
    sync_uc.resolve_conflict(a.store, a.user, by_field["sex"].id, by_field["sex"].other_value)
    laptops.sync(a, b, c)
    for s in (a, b, c):
        person = people.get_person(s.store, s.user, pid)
        assert person is not None and person.phone == "0176 4444444"
        assert person.sex is not None and person.sex.value == by_field["sex"].other_value
        assert sync_uc.open_conflicts(s.store) == []


def test_a_conflict_names_the_laptops_its_values_were_set_on(laptops: Laptops) -> None:
    from sqlalchemy import text

    a, b, c = laptops.new("A"), laptops.new("B"), laptops.new("C")
    # A laptop that joined before records named stores: its record names none yet.
    with a.store.transaction() as db:
        db.execute(text("UPDATE laptops SET store_id = ''"))
    pid = add_person(a, "Elena", "Radu", phone="0176 1111111")
    laptops.sync(a, b, c)
    edit_person(a, pid, phone="0176 2222222")
    edit_person(b, pid, phone="0176 3333333")
    laptops.sync(a, b, a, c)
    (on_c,) = sync_uc.open_conflicts(c.store)
    assert {on_c.kept_laptop, on_c.other_laptop} == {"A", "B"}
    (on_a,) = sync_uc.open_conflicts(a.store)
    # This laptop's own value is "this laptop", not a name.
    assert {on_a.kept_laptop, on_a.other_laptop} == {"", "B"}


def test_a_conflict_decided_on_another_laptop_meanwhile_is_gone(laptops: Laptops) -> None:
    a, b = laptops.new("A"), laptops.new("B")
    pid = add_person(a, "Elena", "Radu", phone="0176 1111111")
    laptops.sync(a, b)
    edit_person(a, pid, phone="0176 2222222")
    edit_person(b, pid, phone="0176 3333333")
    laptops.sync(a, b, a)
    (on_a,) = sync_uc.open_conflicts(a.store)
    (on_b,) = sync_uc.open_conflicts(b.store)
    sync_uc.resolve_conflict(a.store, a.user, on_a.id, on_a.kept_value)
    laptops.sync(a, b)
    with pytest.raises(ConflictGone):  # B's dialog still showed it
        sync_uc.resolve_conflict(b.store, b.user, on_b.id, on_b.other_value)
    person = people.get_person(b.store, b.user, pid)
    assert person is not None and person.phone == on_a.kept_value  # A's decision stands


def test_a_conflict_over_a_visit_is_exported_and_erased_with_the_person_on_every_laptop(
    laptops: Laptops,
) -> None:
    """Art. 15 and 17: a conflict over a visit holds two versions of the person's answers."""
    from desktop_app.storage.sync_models import ConflictRow
    from desktop_app.usecases import data_rights

    a, b, c = laptops.new("A"), laptops.new("B"), laptops.new("C")
    pid = add_person(a, "Maria", "Ivanova", "1990")
    answers = full_life_situation()
    visit = visits.finish_visit(a.store, a.user, pid, "life_situation", answers)
    laptops.sync(a, b, c)
    visits.edit_visit(a.store, a.user, visit.id, {**answers, "rent": 480})
    visits.edit_visit(b.store, b.user, visit.id, {**answers, "rent": 520})
    laptops.sync(a, b)  # B finds the conflict; C has not heard of it yet
    (conflict,) = sync_uc.open_conflicts(b.store)
    assert conflict.person_id == pid
    exported, pdf = data_rights.export_person(b.store, b.user, pid, lang="de")
    held = json.loads(exported)["conflicts"]
    assert [(x["record"], x["form"], x["field"]) for x in held] == [
        ("visit", "life_situation", "answers/rent")
    ]
    # The PDF reads both versions by the form's questions and options, as the visit itself
    # is read there (they were raw JSON text before).
    text = pdf_text(pdf)
    conflicts_part = text[text.index("Auf zwei Laptops unterschiedlich erfasste Angaben") :]
    assert "Check der Lebenssituation" in conflicts_part
    assert "Miete pro Monat in Euro (Anteil der Person): 480" in conflicts_part
    assert "Miete pro Monat in Euro (Anteil der Person): 520" in conflicts_part
    assert '"rent"' not in conflicts_part and "housing_type" not in conflicts_part
    # C erases the person before it pulls the conflict; the conflict arrives after.
    data_rights.erase_person(c.store, c.user, pid)
    laptops.sync(c, b, c)
    for s in (b, c):
        with s.store.reading() as db:
            assert db.query(ConflictRow).count() == 0, s.user.display_name
        assert sync_uc.open_conflicts(s.store) == []
    laptops.sync(a)
    with a.store.reading() as db:
        assert db.query(ConflictRow).count() == 0


def test_a_decision_that_fails_half_way_changes_nothing(
    laptops: Laptops, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The value and the conflict's end are written in one transaction: a failure while ending
    the conflict (injected here) leaves the value as it was and the conflict open."""
    from desktop_app.usecases import conflicts

    a, b = laptops.new("A"), laptops.new("B")
    pid = add_person(a, "Maria", "Ivanova", "1990")
    referral = referrals.issue_referral(
        a.store, a.user, pid, "jobcenter", "buergergeld", client_lang="bg"
    )
    laptops.sync(a, b)
    referrals.change_status(a.store, a.user, referral.id, ReferralStatus.APPOINTMENT_MADE)
    referrals.change_status(b.store, b.user, referral.id, ReferralStatus.CLOSED)
    edit_person(a, pid, phone="0176 2222222")
    edit_person(b, pid, phone="0176 3333333")
    laptops.sync(a, b, a)
    found = {c.field: c for c in sync_uc.open_conflicts(a.store)}
    assert set(found) == {"status", "phone"}

    def fail(*_args: object, **_kwargs: object) -> None:
        raise OSError("disk full")

    monkeypatch.setattr(conflicts, "field_clocks_after_change", fail)
    before = referrals.get_referral(a.store, a.user, referral.id).status
    for c in found.values():
        with pytest.raises(OSError, match="disk full"):
            sync_uc.resolve_conflict(a.store, a.user, c.id, c.other_value)
    assert referrals.get_referral(a.store, a.user, referral.id).status == before
    person = people.get_person(a.store, a.user, pid)
    assert person is not None and person.phone == found["phone"].kept_value
    assert {c.field for c in sync_uc.open_conflicts(a.store)} == {"status", "phone"}


def test_different_answers_of_a_visit_changed_on_two_laptops_both_stay_without_a_conflict(
    laptops: Laptops,
) -> None:
    """A changed the housing (and so the rent went), B added a child, both offline: every
    laptop ends with both changes and nothing to decide (before, this was one conflict over
    the visit's answers)."""
    (a, b, c), pid, visit, answers = _visit_on(laptops, "A", "B", "C")
    visits.edit_visit(a.store, a.user, visit.id, {**answers, "housing_type": "homeless"})
    second = {"child_birth": "2020", "child_lives": "with_person", "child_care": "daycare"}
    two_children = [*answers["children"], second]
    visits.edit_visit(
        b.store, b.user, visit.id, {**answers, "children_count": 2, "children": two_children}
    )
    laptops.sync(a, b, a, c)
    expected = {k: v for k, v in visit.answers.items() if k not in ("rent", "children")}
    expected.update(housing_type="homeless", children_count=2)
    for s in (a, b, c):
        (shown,) = visits.visit_history(s.store, s.user, pid)
        assert {k: v for k, v in shown.answers.items() if k != "children"} == expected
        assert len(shown.answers["children"]) == 2
        assert sync_uc.open_conflicts(s.store) == []


def _child(name: str, born: str = "2020") -> dict[str, Any]:
    return {
        "child_name": name,
        "child_birth": born,
        "child_lives": "with_person",
        "child_care": "daycare",
    }


def _children_added_offline(
    laptops: Laptops, count: int, *names: str
) -> tuple[list[Session], str, visits.Visit, dict[str, Any]]:
    """Laptops A, B (and C …) with Maria Ivanova's visit; then offline A adds Ana and Dora,
    B adds Ana (the very same entry) and Ion, each recording ``count`` children; all synced."""
    sessions, pid, visit, answers = _visit_on(laptops, "A", "B", *names)
    a, b = sessions[:2]
    for s, added in ((a, ("Ana", "Dora")), (b, ("Ana", "Ion"))):
        children = [*answers["children"], *(_child(n) for n in added)]
        changed = {**answers, "children_count": count, "children": children}
        visits.edit_visit(s.store, s.user, visit.id, changed)
    laptops.sync(a, b, *sessions)
    return sessions, pid, visit, answers


def test_children_added_on_two_laptops_are_kept_both_and_reach_every_laptop(
    laptops: Laptops,
) -> None:
    """A child added on each laptop offline is a conflict over the list of children; the
    advisor keeps both lists: every child once (Ana, entered alike on both, once), the
    list in force first, on every laptop after the next sync."""
    (a, b, c), pid, visit, answers = _children_added_offline(laptops, 4, "C")
    found = [sync_uc.open_conflicts(s.store, s.user) for s in (a, b, c)]
    assert [[x.field for x in f] for f in found] == [["answers/children"]] * 3
    (conflict,) = found[2]
    first = answers["children"][0]
    kept, other = conflict.kept_value, conflict.other_value
    assert isinstance(kept, list) and isinstance(other, list)  # lists of children
    assert kept[:2] == [first, _child("Ana")]
    added = {kept[2]["child_name"], other[2]["child_name"]}
    assert added == {"Dora", "Ion"}
    both = [*kept, other[2]]
    assert conflict.both == both
    # Neither value, nor any other list, is "both": only the entries of the two, each once.
    with pytest.raises(ValueError, match="only one of the two values"):
        sync_uc.resolve_conflict(c.store, c.user, conflict.id, [*both, _child("Eva")])
    sync_uc.resolve_conflict(c.store, c.user, conflict.id, conflict.both)
    laptops.sync(c, a, b)
    for s in (a, b, c):
        (shown,) = visits.visit_history(s.store, s.user, pid)
        assert shown.answers == {**visit.answers, "children_count": 4, "children": both}
        assert sync_uc.open_conflicts(s.store) == []


def test_both_lists_of_children_raise_the_number_of_children_to_their_count(
    laptops: Laptops,
) -> None:
    """Each laptop added a child and counted three children: both lists together hold four.
    Keeping both raises the count to four (the form's ``counted_by``); before, the form
    refused the lists as more children than counted, and the advisor had to edit first."""
    (a, b), pid, _visit, _answers = _children_added_offline(laptops, 3)
    (conflict,) = sync_uc.open_conflicts(a.store, a.user)
    assert conflict.both is not None and len(conflict.both) == 4
    sync_uc.resolve_conflict(a.store, a.user, conflict.id, conflict.both)
    laptops.sync(a, b)
    for s in (a, b):
        (shown,) = visits.visit_history(s.store, s.user, pid)
        assert shown.answers["children"] == conflict.both
        assert shown.answers["children_count"] == 4
        assert sync_uc.open_conflicts(s.store) == []


def test_a_conflict_over_all_answers_from_an_older_version_is_decided_answer_by_answer(
    laptops: Laptops,
) -> None:
    """Versions before answers merged one by one stored one conflict over a visit's answers.
    Such a record still opens, and the advisor takes each answer from either version."""
    from desktop_app.usecases.conflicts import combination

    a, b, pid, visit, _answers = _visit_with_rent_changed_on_a(laptops)
    laptops.sync(a, b)
    second = {"child_birth": "2020", "child_lives": "with_person", "child_care": "daycare"}
    two_children = [*visit.answers["children"], second]
    theirs = {**visit.answers, "rent": 450, "children_count": 2, "children": two_children}
    ours = {**visit.answers, "rent": 480}
    older_answers_conflict(a, visit.id, pid, ours, theirs)
    (conflict,) = sync_uc.open_conflicts(a.store, a.user)
    assert conflict.combinable
    assert {d.key for d in conflict.differences} == {"rent", "children_count", "children"}
    # Neither version, nor a value invented for an answer, is a combination.
    with pytest.raises(ValueError, match="only one of the two values"):
        sync_uc.resolve_conflict(a.store, a.user, conflict.id, json.dumps({**ours, "rent": 9}))
    # B's list of two children with A's count of one: the form checks the combination
    # (more children listed than counted), so the conflict stays open.
    from desktop_app.forms import InvalidAnswers

    with pytest.raises(InvalidAnswers):
        sync_uc.resolve_conflict(a.store, a.user, conflict.id, combination(conflict, {"children"}))
    assert len(sync_uc.open_conflicts(a.store)) == 1
    both = combination(conflict, {"children", "children_count"})  # A's rent, B's children
    sync_uc.resolve_conflict(a.store, a.user, conflict.id, both)
    laptops.sync(a, b)
    for s in (a, b):
        (shown,) = visits.visit_history(s.store, s.user, pid)
        assert shown.answers == {**theirs, "rent": 480}
    assert sync_uc.open_conflicts(a.store) == []


def test_an_edit_left_open_while_a_colleagues_change_arrives_keeps_that_change(
    laptops: Laptops,
) -> None:
    """A opened the visit for editing and changed the rent (a draft, kept across restarts);
    meanwhile B's change of the urgency arrived. Saving A's edit keeps B's urgency, and no
    laptop has anything to decide."""
    a, b, c = laptops.new("A"), laptops.new("B"), laptops.new("C")
    pid = add_person(a, "Maria", "Ivanova", "1990")
    visit = visits.finish_visit(a.store, a.user, pid, "life_situation", full_life_situation())
    laptops.sync(a, b, c)
    base = visits.VisitBase(visit.answers, visit.next_steps)
    edited = {**visit.answers, "rent": 480}
    visits.save_draft(a.store, a.user, pid, "life_situation", edited, visit_id=visit.id, base=base)
    visits.edit_visit(b.store, b.user, visit.id, {**visit.answers, "urgency": "today"})
    laptops.sync(b, a)
    draft = visits.load_draft(a.store, a.user, pid, "life_situation")
    assert draft is not None and draft.answers["urgency"] == "this_week"  # as it was opened
    visits.edit_visit(
        a.store, a.user, visit.id, draft.answers, next_steps=draft.next_steps, base=draft.base
    )
    laptops.sync(a, b, c)
    for s in (a, b, c):
        (shown,) = visits.visit_history(s.store, s.user, pid)
        assert (shown.answers["rent"], shown.answers["urgency"]) == (480, "today")
        assert sync_uc.open_conflicts(s.store) == []


def test_an_answer_changed_in_an_edit_left_open_and_by_a_colleague_is_a_conflict_everywhere(
    laptops: Laptops,
) -> None:
    """A opened the visit and changed the rent; meanwhile B's different rent arrived. A's save
    keeps A's rent, and B's stays as a conflict to decide: on A at once, on every laptop after
    a sync, once (B's merge of A's edit, which built on B's value, finds no second one)."""
    a, b, c = laptops.new("A"), laptops.new("B"), laptops.new("C")
    pid = add_person(a, "Maria", "Ivanova", "1990")
    visit = visits.finish_visit(a.store, a.user, pid, "life_situation", full_life_situation())
    laptops.sync(a, b, c)
    base = visits.VisitBase(visit.answers, visit.next_steps)
    visits.edit_visit(b.store, b.user, visit.id, {**visit.answers, "rent": 520})
    laptops.sync(b, a)
    saved = visits.edit_visit(a.store, a.user, visit.id, {**visit.answers, "rent": 480}, base=base)
    assert saved.answers["rent"] == 480
    (on_a,) = sync_uc.open_conflicts(a.store, a.user)
    assert (on_a.field, on_a.kept_value, on_a.other_value) == ("answers/rent", 480, 520)
    assert on_a.other_laptop == "B" and on_a.person_id == pid
    laptops.sync(a, b, c, a)
    found = [sync_uc.open_conflicts(s.store, s.user) for s in (a, b, c)]
    assert [[x.id for x in f] for f in found] == [[on_a.id]] * 3
    sync_uc.resolve_conflict(c.store, c.user, on_a.id, 520)
    laptops.sync(c, a, b)
    for s in (a, b, c):
        (shown,) = visits.visit_history(s.store, s.user, pid)
        assert shown.answers["rent"] == 520
        assert sync_uc.open_conflicts(s.store) == []


def test_personal_data_changed_in_a_dialog_left_open_and_by_a_colleague_is_a_conflict(
    laptops: Laptops,
) -> None:
    a, b = laptops.new("A"), laptops.new("B")
    pid = add_person(a, "Maria", "Ivanova", "1990", phone="0151 1111111")
    laptops.sync(a, b)
    as_opened = people.get_person(a.store, a.user, pid)
    assert as_opened is not None
    edit_person(b, pid, phone="0151 2222222", notes="Wohnt jetzt bei der Schwester")
    laptops.sync(b, a)
    values = people.person_values(as_opened)
    languages = tuple(c for c in values.pop("languages").split(",") if c)
    edited = PersonDraft(**{**values, "phone": "0151 3333333"}, languages=languages)
    people.update_person(a.store, a.user, pid, edited, base=as_opened)
    laptops.sync(a, b)
    for s in (a, b):
        person = people.get_person(s.store, s.user, pid)
        assert person is not None
        # The notes only B changed stay B's; the phone both changed is A's, and B's is kept.
        assert (person.phone, person.notes) == ("0151 3333333", "Wohnt jetzt bei der Schwester")
        (conflict,) = sync_uc.open_conflicts(s.store, s.user)
        assert (conflict.field, conflict.kept_value, conflict.other_value) == (
            "phone",
            "0151 3333333",
            "0151 2222222",
        )


def test_a_status_dialog_left_open_keeps_a_colleagues_outcome_or_shows_both(
    laptops: Laptops,
) -> None:
    """The status dialog shows the outcome as it was when opened. Left as it was, the outcome a
    sync brought meanwhile stays (before, the dialog's old text overwrote it); changed in the
    dialog too, both are kept as a conflict."""
    a, b = laptops.new("A"), laptops.new("B")
    pid = add_person(a, "Maria", "Ivanova", "1990")
    first = referrals.issue_referral(
        a.store, a.user, pid, "jobcenter", "buergergeld", client_lang="bg"
    )
    second = referrals.issue_referral(
        a.store, a.user, pid, "jobcenter", "buergergeld", client_lang="ro"
    )
    laptops.sync(a, b)
    shown = {r.id: referrals.get_referral(a.store, a.user, r.id) for r in (first, second)}
    for r in (first, second):
        referrals.change_status(
            b.store, b.user, r.id, ReferralStatus.APPOINTMENT_MADE, "Termin am 9.12., 10 Uhr"
        )
    laptops.sync(b, a)
    untouched = shown[first.id]
    referrals.change_status(
        a.store, a.user, first.id, ReferralStatus.ATTENDED, untouched.outcome, base=untouched
    )
    referrals.change_status(
        a.store,
        a.user,
        second.id,
        ReferralStatus.ATTENDED,
        "War dort, Unterlagen fehlen",
        base=shown[second.id],
    )
    laptops.sync(a, b)
    for s in (a, b):
        kept = referrals.get_referral(s.store, s.user, first.id)
        assert (kept.status, kept.outcome) == (ReferralStatus.ATTENDED, "Termin am 9.12., 10 Uhr")
        changed = referrals.get_referral(s.store, s.user, second.id)
        assert changed.outcome == "War dort, Unterlagen fehlen"
        (conflict,) = sync_uc.open_conflicts(s.store, s.user)
        assert (conflict.record_id, conflict.field, conflict.other_value) == (
            second.id,
            "outcome",
            "Termin am 9.12., 10 Uhr",
        )


def test_an_appointment_recorded_later_travels_and_a_dialog_left_open_keeps_or_shows_both(
    laptops: Laptops,
) -> None:
    """B phones the service the day after and records the appointment: it reaches A. A's
    status dialog, open since before that sync, keeps B's appointment where A left the field as
    it was; where A entered another one, A's stands and B's is kept as a conflict, which the
    conflicts dialog shows with date and time as the language writes them."""
    import datetime as dt

    from desktop_app.usecases.person_data_text import conflict_value

    a, b = laptops.new("A"), laptops.new("B")
    pid = add_person(a, "Maria", "Ivanova", "1990")
    first = referrals.issue_referral(a.store, a.user, pid, "jobcenter", "buergergeld")
    second = referrals.issue_referral(a.store, a.user, pid, "jobcenter", "buergergeld")
    laptops.sync(a, b)
    shown = {r.id: referrals.get_referral(a.store, a.user, r.id) for r in (first, second)}
    day = dt.date.today() + dt.timedelta(days=7)
    bs, as_ = dt.datetime.combine(day, dt.time(10, 30)), dt.datetime.combine(day, dt.time(14, 0))
    for r in (first, second):
        referrals.change_status(
            b.store, b.user, r.id, ReferralStatus.APPOINTMENT_MADE, appointment=bs, base=r
        )
    laptops.sync(b, a)
    assert referrals.get_referral(a.store, a.user, first.id).appointment == bs
    # A's dialog shows no appointment: left unticked (as the dialog then passes it) ...
    referrals.change_status(
        a.store,
        a.user,
        first.id,
        ReferralStatus.ATTENDED,
        clear_appointment=True,
        base=shown[first.id],
    )
    # ... and entered there too, at another time
    referrals.change_status(
        a.store,
        a.user,
        second.id,
        ReferralStatus.APPOINTMENT_MADE,
        appointment=as_,
        base=shown[second.id],
    )
    laptops.sync(a, b)
    for s in (a, b):
        kept = referrals.get_referral(s.store, s.user, first.id)
        assert (kept.status, kept.appointment) == (ReferralStatus.ATTENDED, bs)
        assert referrals.get_referral(s.store, s.user, second.id).appointment == as_
        (conflict,) = sync_uc.open_conflicts(s.store, s.user)
        assert (conflict.record_id, conflict.field) == (second.id, "appointment")
        assert (conflict.kept_value, conflict.other_value) == (as_.isoformat(), bs.isoformat())
        assert not conflict.editable  # chosen, not typed
    de = conflict_value("referral", "appointment", bs.isoformat(), None, "de", None)
    assert de == f"{day.day:02d}.{day.month:02d}.{day.year}, 10:30"
    ro = conflict_value("referral", "appointment", bs.isoformat(), None, "ro", None)
    assert isinstance(ro, str) and str(day.year) in ro and "10:30" in ro and "T" not in ro
    # B decides for its own time: it reaches A
    (conflict,) = sync_uc.open_conflicts(b.store, b.user)
    sync_uc.resolve_conflict(b.store, b.user, conflict.id, conflict.other_value)
    laptops.sync(b, a)
    for s in (a, b):
        assert referrals.get_referral(s.store, s.user, second.id).appointment == bs
        assert sync_uc.open_conflicts(s.store, s.user) == []


def test_a_decided_appointment_is_a_step_of_the_history_that_reads_the_same_everywhere(
    laptops: Laptops,
) -> None:
    """Two laptops entered different appointments (or one removed it): the advisor's choice
    is a step of the status history like one made in the status dialog, moved or removed,
    by who decided, worked out on the deciding laptop, and every laptop shows that step."""
    import datetime as dt

    a, b = laptops.new("A"), laptops.new("B")
    pid = add_person(a, "Maria", "Ivanova", "1990")
    day = dt.date.today() + dt.timedelta(days=7)
    bs, as_ = dt.datetime.combine(day, dt.time(10, 30)), dt.datetime.combine(day, dt.time(14, 0))
    moved = referrals.issue_referral(a.store, a.user, pid, "jobcenter", "buergergeld")
    removed = referrals.issue_referral(
        a.store, a.user, pid, "vhs", "integration_course", appointment=bs
    )
    laptops.sync(a, b)
    shown = {r.id: referrals.get_referral(b.store, b.user, r.id) for r in (moved, removed)}

    def step(s: Session, r: referrals.Referral, **change: Any) -> None:
        referrals.change_status(
            s.store, s.user, r.id, ReferralStatus.APPOINTMENT_MADE, base=shown[r.id], **change
        )

    # offline, one after the other: the later change stands, the other is kept to decide
    step(b, moved, appointment=bs)
    step(a, moved, appointment=as_)
    step(a, removed, clear_appointment=True)
    step(b, removed, appointment=as_)
    laptops.sync(b, a, b)
    conflicts = {c.record_id: c for c in sync_uc.open_conflicts(b.store, b.user)}
    assert {(c.record_id, c.field) for c in conflicts.values()} == {
        (moved.id, "appointment"),
        (removed.id, "appointment"),
    }
    # B decides for what lost: the job centre's time it entered, the course's removal
    for conflict in conflicts.values():
        assert conflict.kept_value == as_.isoformat()
        sync_uc.resolve_conflict(b.store, b.user, conflict.id, conflict.other_value)
    laptops.sync(b, a)
    for s in (a, b):
        assert referrals.get_referral(s.store, s.user, moved.id).appointment == bs
        assert referrals.get_referral(s.store, s.user, removed.id).appointment is None
        assert sync_uc.open_conflicts(s.store, s.user) == []
    for referral, steps, decided in (
        (moved, [("A", "set"), ("B", "set")], ("moved", bs)),
        (removed, [("A", "removed"), ("B", "moved")], ("removed", None)),
    ):
        there = referrals.status_history(a.store, a.user, referral.id)
        here = referrals.status_history(b.store, b.user, referral.id)
        assert here == there  # one history on every laptop
        # issued, what each laptop entered, and the decision (the order within a second is
        # the merge's; the steps here were made within one)
        made = [x for x in here if x.status is not ReferralStatus.ISSUED]
        assert sorted((x.by, x.appointment_change) for x in made) == sorted(
            [*steps, ("B", decided[0])]
        )
        [decision] = [x for x in made if (x.by, x.appointment_change) == ("B", decided[0])]
        assert (decision.status, decision.outcome) == (ReferralStatus.APPOINTMENT_MADE, "")
        assert decision.appointment == decided[1]


def test_steps_of_one_second_on_two_laptops_read_in_the_order_made_and_alike_ones_stay_two(
    laptops: Laptops,
) -> None:
    """Steps are kept to the second: within one, the merge ordered them by their text (A's
    before B's, whenever made) and two alike steps of one second were one. Each step keeps
    its laptop's clock: every laptop reads the steps in the order they were made."""
    import datetime as dt

    a, b = laptops.new("A"), laptops.new("B")
    pid = add_person(a, "Maria", "Ivanova", "1990")
    referral = referrals.issue_referral(a.store, a.user, pid, "jobcenter", "buergergeld")
    laptops.sync(a, b)
    second = dt.datetime.now().replace(microsecond=0)
    # offline, within one second: B notes the appointment twice (the dialog applied twice,
    # the time corrected: the same status again is a step where something changes), then A
    # notes it was attended
    for hour in (9, 10):
        referrals.change_status(
            b.store,
            b.user,
            referral.id,
            ReferralStatus.APPOINTMENT_MADE,
            appointment=dt.datetime(2026, 12, 10, hour, 0),
            now=second,
        )
    made_on_b = b.store.clock.latest().wall_ms
    for _ in range(1000):  # A's clock past B's last step: made after it (a millisecond)
        if a.store.clock.wall_ms() > made_on_b:
            break
        time.sleep(0.001)
    referrals.change_status(a.store, a.user, referral.id, ReferralStatus.ATTENDED, now=second)
    laptops.sync(a, b, a)
    histories = [referrals.status_history(s.store, s.user, referral.id) for s in (a, b)]
    assert histories[0] == histories[1]
    assert [(x.status.value, x.by) for x in histories[0]] == [
        ("issued", "A"),
        ("appointment_made", "B"),
        ("appointment_made", "B"),
        ("attended", "A"),
    ]
    stored = stored_histories(referral.id, a, b)
    assert stored[0] == stored[1]  # the same text synced everywhere


def stored_histories(referral_id: str, *laptops: Session) -> list[Any]:
    """The referral's status history as each laptop stores it (the text a sync sends)."""
    stored = []
    for s in laptops:
        with s.store.reading() as db:
            row = db.get(ReferralRow, referral_id)
            assert row is not None
            stored.append(json.loads(row.status_history))
    return stored
