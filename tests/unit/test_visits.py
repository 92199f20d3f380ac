"""Visits on a real encrypted store: drafts, finishing, revisions, consent, quick contacts."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import func, select

from desktop_app.domain.validation import ValidationFailed
from desktop_app.forms import InvalidAnswers
from desktop_app.storage.models import OutboxRow
from desktop_app.storage.visits_models import DraftRow, VisitRow
from desktop_app.usecases import visits
from desktop_app.usecases.visits import QuickContact
from tests.conftest import shipped_version

TODAY = dt.date(2026, 11, 25)
PERSON = "11111111-1111-1111-1111-111111111111"


def full_life_situation() -> dict[str, Any]:
    return {
        "family_name": "Петрова",
        "given_names": "Мария",
        "date_of_birth": "1991-04-02",
        "sex": "female",
        "nationality": "bulgarian",
        "languages": ["bg", "tr"],
        "address_registration": "not_registered",
        "children_count": 1,
        "children": [
            {"child_birth": "2018-05-01", "child_lives": "with_person", "child_care": "school"}
        ],
        "housing_type": "sublet",
        "rent": 450,
        "insurance_status": "none",
        "pregnant": "no",
        "urgent_medical_need": "no",
        "work_status": ["minijob"],
        "session_language": "bg",
        "topics": ["jobcenter"],
        "urgency": "this_week",
    }


def consent_answers(advice: str = "given") -> dict[str, Any]:
    return {
        "consent_language": "bg",
        "consent_advice": advice,
        "consent_central_storage": "given",
        "consent_referral_sharing": "refused",
        "consent_date": "2026-11-25",
        "consent_form": "signed",
    }


def _count(store: Any, model: Any) -> int:
    with store.reading() as s:
        return int(s.scalar(select(func.count()).select_from(model)) or 0)


def test_draft_round_trip_and_open_drafts(session: Any) -> None:
    store, user = session.store, session.user
    outbox_before = _count(store, OutboxRow)  # the account itself and its audit entries
    half = {"family_name": "Popescu", "rent": "not a number"}  # drafts keep anything typed
    visits.save_draft(store, user, PERSON, "life_situation", half)
    visits.save_draft(store, user, PERSON, "skills_check", {"school_years": 3})
    draft = visits.load_draft(store, user, PERSON, "life_situation")
    assert draft is not None and draft.answers == half
    assert {d.form_id for d in visits.list_open_drafts(store, user)} == {
        "life_situation",
        "skills_check",
    }
    # a second save replaces, it does not add
    visits.save_draft(store, user, PERSON, "life_situation", {"family_name": "Popescu-Ionescu"})
    assert _count(store, DraftRow) == 2
    assert visits.discard_draft(store, user, PERSON, "skills_check")
    assert visits.load_draft(store, user, PERSON, "skills_check") is None
    assert _count(store, OutboxRow) == outbox_before  # drafts never sync


def test_a_draft_keeps_the_version_of_its_form_it_was_begun_in(session: Any) -> None:
    """A draft begun in one version of a form and continued after another came said nothing
    of it (migration 0041): it keeps the version it was begun in, also when saved again."""
    store, user = session.store, session.user
    version = shipped_version("skills_check")
    visits.save_draft(store, user, PERSON, "skills_check", {"school_years": 3})
    draft = visits.load_draft(store, user, PERSON, "skills_check")
    assert draft is not None and draft.form_version == version
    with store.transaction() as s:  # as if begun in an earlier version
        row = s.get(DraftRow, (PERSON, "skills_check"))
        assert row is not None and row.form_version == version
        row.form_version = version - 1
    visits.save_draft(store, user, PERSON, "skills_check", {"school_years": 4})
    again = visits.load_draft(store, user, PERSON, "skills_check")
    assert again is not None and again.form_version == version - 1
    assert again.answers == {"school_years": 4}


def test_no_draft_is_kept_about_a_person_erased_meanwhile(session: Any) -> None:
    """A form left open while the person was erased (here, or by a sync): its autosave is
    refused, and the erasure's removal of their drafts stays done."""
    from desktop_app.domain.person import PersonDraft
    from desktop_app.usecases import data_rights, people

    store, user = session.store, session.user
    person = people.register_person(store, user, PersonDraft("Ioana", "Mureșan", "1990"))
    visits.save_draft(store, user, person.id, "life_situation", {"family_name": "Mureșan"})
    data_rights.erase_person(store, user, person.id)
    assert visits.load_draft(store, user, person.id, "life_situation") is None
    with pytest.raises(visits.PersonErased):
        visits.save_draft(store, user, person.id, "life_situation", {"family_name": "Mureșan"})
    assert _count(store, DraftRow) == 0


def test_finish_validates_stores_and_deletes_draft(session: Any) -> None:
    store, user = session.store, session.user
    visits.record_consent(store, user, PERSON, consent_answers(), today=TODAY)
    answers = full_life_situation()
    visits.save_draft(store, user, PERSON, "life_situation", answers)
    visit = visits.finish_visit(
        store,
        user,
        PERSON,
        "life_situation",
        {**answers, "not_a_field": 1},
        next_steps={"health_clearing": "accepted", "address_registration": "dismissed"},
        today=TODAY,
    )
    assert visit.answers == answers  # cleaned: unknown key dropped
    assert visit.form_version == shipped_version("life_situation") and visit.revision == 1
    assert visit.next_steps == {"health_clearing": "accepted", "address_registration": "dismissed"}
    assert visits.load_draft(store, user, PERSON, "life_situation") is None
    history = visits.visit_history(store, user, PERSON)
    assert [v.id for v in history] == [visit.id]
    with store.reading() as s:
        kinds = s.scalars(select(OutboxRow.record_kind)).all()
    assert kinds.count("visit") == 1 and kinds.count("consent") == 3


def test_finish_refuses_incomplete_and_keeps_draft(session: Any) -> None:
    store, user = session.store, session.user
    answers = full_life_situation()
    del answers["topics"]
    answers["rent"] = -5
    visits.save_draft(store, user, PERSON, "life_situation", answers)
    with pytest.raises(InvalidAnswers) as raised:
        visits.finish_visit(store, user, PERSON, "life_situation", answers, today=TODAY)
    paths = {e.field_path for e in raised.value.errors}
    assert {"topics", "rent"} <= paths
    assert all(e.message["bg"] and e.message["de"] for e in raised.value.errors)
    assert _count(store, VisitRow) == 0
    assert visits.load_draft(store, user, PERSON, "life_situation") is not None


def test_health_section_closed_without_consent(session: Any) -> None:
    store, user = session.store, session.user
    visit = visits.finish_visit(
        store, user, PERSON, "life_situation", full_life_situation(), today=TODAY
    )
    assert "insurance_status" not in visit.answers  # no consent for advice: health dropped
    visits.record_consent(store, user, PERSON, consent_answers("refused"), today=TODAY)
    assert visits.granted_purposes(store, user, PERSON) == {"central_storage"}
    visits.record_consent(store, user, PERSON, consent_answers("given"), today=TODAY)
    assert visits.granted_purposes(store, user, PERSON) == {"advice", "central_storage"}
    records = visits.consents_of(store, user, PERSON)
    assert len(records) == 6
    assert {r.language for r in records} == {"bg"}
    assert {r.text_version for r in records} == {"2026-12-2"}


def test_consent_needs_complete_form(session: Any) -> None:
    store, user = session.store, session.user
    bad = consent_answers()
    del bad["consent_date"]
    with pytest.raises(InvalidAnswers):
        visits.record_consent(store, user, PERSON, bad, today=TODAY)
    assert visits.consents_of(store, user, PERSON) == []


def test_edit_makes_a_new_revision_and_keeps_the_old(session: Any) -> None:
    store, user = session.store, session.user
    visits.record_consent(store, user, PERSON, consent_answers(), today=TODAY)
    first = visits.finish_visit(
        store, user, PERSON, "life_situation", full_life_situation(), today=TODAY
    )
    changed = {**full_life_situation(), "urgency": "today", "insurance_status": "statutory"}
    second = visits.edit_visit(store, user, first.id, changed, today=TODAY)
    assert second.id == first.id and second.revision == 2
    (current,) = visits.visit_history(store, user, PERSON)
    assert current.answers["urgency"] == "today"
    assert [r.revision for r in current.earlier] == [1]
    assert current.earlier[0].answers["urgency"] == "this_week"
    with store.reading() as s:
        revs = s.scalars(select(OutboxRow.revision).where(OutboxRow.record_id == first.id)).all()
    assert sorted(revs) == [1, 2]
    with pytest.raises(InvalidAnswers):
        visits.edit_visit(store, user, first.id, {"urgency": "today"}, today=TODAY)
    assert visits.visit_history(store, user, PERSON)[0].revision == 2


def test_an_edit_changes_only_what_differs_from_where_it_started(session: Any) -> None:
    """A form opened for editing, left open; meanwhile a sync changed other answers and a
    next step's decision. Saving the edit keeps those changes."""
    store, user = session.store, session.user
    visits.record_consent(store, user, PERSON, consent_answers(), today=TODAY)
    steps = {"health_clearing": "accepted"}
    first = visits.finish_visit(
        store, user, PERSON, "life_situation", full_life_situation(), next_steps=steps, today=TODAY
    )
    base = visits.VisitBase(first.answers, first.next_steps)
    visits.save_draft(
        store, user, PERSON, "life_situation", first.answers, visit_id=first.id, base=base
    )
    later = visits.VisitBase({"urgency": "today"}, {})  # a later base does not replace it
    visits.save_draft(
        store, user, PERSON, "life_situation", first.answers, visit_id=first.id, base=later
    )
    draft = visits.load_draft(store, user, PERSON, "life_situation")
    assert draft is not None and draft.base == base
    # What a sync brought meanwhile (here as an edit): the urgency and a decision.
    synced = {**first.answers, "urgency": "today"}
    visits.edit_visit(
        store, user, first.id, synced, next_steps={"health_clearing": "dismissed"}, today=TODAY
    )
    # The edit changed the rent and removed the sex (from the answers it started from).
    edited = {k: v for k, v in first.answers.items() if k != "sex"} | {"rent": 480}
    visits.edit_visit(
        store, user, first.id, edited, next_steps=first.next_steps, today=TODAY, base=base
    )
    (current,) = visits.visit_history(store, user, PERSON)
    assert current.answers["rent"] == 480 and "sex" not in current.answers
    assert current.answers["urgency"] == "today"  # the sync's change stayed
    assert current.next_steps == {"health_clearing": "dismissed"}
    assert visits.load_draft(store, user, PERSON, "life_situation") is None
    # Without a base (as before), the whole edit is stored as it is.
    visits.edit_visit(store, user, first.id, edited, next_steps=steps, today=TODAY)
    (current,) = visits.visit_history(store, user, PERSON)
    assert current.answers["urgency"] == "this_week"


def test_an_edit_the_forms_rules_drop_after_a_sync_is_kept_to_decide(session: Any) -> None:
    """The form was opened with the person renting; the rent was corrected in it. Meanwhile a
    sync recorded them homeless, so the rent is no longer asked and the saved edit cannot keep
    it: the typed rent is kept as a conflict, not dropped unseen."""
    from desktop_app.usecases import sync as sync_uc

    store, user = session.store, session.user
    first = visits.finish_visit(
        store, user, PERSON, "life_situation", full_life_situation(), today=TODAY
    )
    base = visits.VisitBase(first.answers, first.next_steps)
    homeless = {k: v for k, v in first.answers.items() if k != "rent"}
    visits.edit_visit(store, user, first.id, {**homeless, "housing_type": "homeless"}, today=TODAY)
    visits.edit_visit(store, user, first.id, {**first.answers, "rent": 480}, today=TODAY, base=base)
    (current,) = visits.visit_history(store, user, PERSON)
    assert current.answers["housing_type"] == "homeless" and "rent" not in current.answers
    (conflict,) = sync_uc.open_conflicts(store, user)
    assert (conflict.field, conflict.kept_value, conflict.other_value) == (
        "answers/rent",
        None,
        480,
    )
    with pytest.raises(InvalidAnswers) as refused:  # not asked of a person without a home
        sync_uc.resolve_conflict(store, user, conflict.id, 480)
    assert [e.code for e in refused.value.errors] == ["not_asked"]
    sync_uc.resolve_conflict(store, user, conflict.id, None)
    assert sync_uc.open_conflicts(store, user) == []


def _kid(name: str) -> dict[str, str]:
    return {"child_name": name, "child_birth": "2020", "child_lives": "with_person"}


def test_both_lists_of_a_group_keep_each_entry_once_the_list_in_force_first() -> None:
    from desktop_app.usecases.conflicts import both_entries

    ana, ion, eva = _kid("Ana"), _kid("Ion"), _kid("Eva")
    assert both_entries([ana, ion], [ion, eva]) == [ana, ion, eva]
    twin = {"child_birth": "2021", "child_lives": "with_person"}  # no names: alike
    assert both_entries([twin, ana], [twin, twin]) == [twin, ana, twin]  # twins stay two
    # Where one list holds every entry of the other, taking that one is the same: no third.
    assert both_entries([ana], [ion, ana]) is None
    assert both_entries([ana, ion], [ion]) is None
    # Not a repeated group's entries (a multiple choice, an answer missing on one side).
    assert both_entries(["minijob"], ["employed"]) is None
    assert both_entries(None, [ana]) is None


def test_both_lists_of_children_beyond_the_groups_maximum_are_refused(session: Any) -> None:
    """Twenty children at most: a sync brought ten more children and an edit left open ten
    others (a made-up case; the form's own rule). Both lists, 21 children, are refused with
    the form's message, nothing stored; either list can still be kept."""
    from desktop_app.usecases import sync as sync_uc

    store, user = session.store, session.user
    answers = {**full_life_situation(), "children_count": 20}
    first = visits.finish_visit(store, user, PERSON, "life_situation", answers, today=TODAY)
    base = visits.VisitBase(first.answers, first.next_steps)
    for prefix, edit_base in (("A", None), ("B", base)):
        added = [_kid(f"{prefix}{i}") | {"child_care": "daycare"} for i in range(10)]
        children = {**first.answers, "children": [*first.answers["children"], *added]}
        visits.edit_visit(store, user, first.id, children, today=TODAY, base=edit_base)
    (conflict,) = sync_uc.open_conflicts(store, user)
    assert conflict.field == "answers/children" and conflict.both is not None
    assert len(conflict.both) == 21
    with pytest.raises(InvalidAnswers) as refused:
        sync_uc.resolve_conflict(store, user, conflict.id, conflict.both)
    too_many = [e for e in refused.value.errors if e.code == "too_many_items"]
    assert [(e.field_path, e.message["de"]) for e in too_many] == [
        ("children", "Höchstens 20 Einträge sind möglich.")
    ]
    (current,) = visits.visit_history(store, user, PERSON)
    assert len(current.answers["children"]) == 11 and len(sync_uc.open_conflicts(store)) == 1
    sync_uc.resolve_conflict(store, user, conflict.id, conflict.other_value)
    assert sync_uc.open_conflicts(store, user) == []


def test_two_versions_with_both_lists_of_children_taken_count_them_all(session: Any) -> None:
    """Two versions that do not fit together (answers+), each with two children counted and
    a different second child: taking the children of both counts three."""
    from desktop_app.usecases import sync as sync_uc
    from desktop_app.usecases.conflicts import combination
    from tests.integration.sync_harness import older_answers_conflict

    store, user = session.store, session.user
    answers = {**full_life_situation(), "children_count": 2}
    first = answers["children"][0]
    ana, ion = (_kid(n) | {"child_care": "daycare"} for n in ("Ana", "Ion"))
    visit = visits.finish_visit(store, user, PERSON, "life_situation", answers, today=TODAY)
    newer = {**visit.answers, "rent_contract": "yes", "children": [first, ana]}
    older = {k: v for k, v in visit.answers.items() if k != "rent"}
    older.update(housing_type="homeless", children=[first, ion])
    older_answers_conflict(session, visit.id, PERSON, newer, older, field="answers+")
    (conflict,) = sync_uc.open_conflicts(store, user)
    chosen = combination(conflict, set(), take_both={"children"})
    sync_uc.resolve_conflict(store, user, conflict.id, chosen)
    (current,) = visits.visit_history(store, user, PERSON)
    assert [c.get("child_name") for c in current.answers["children"]] == [
        first.get("child_name"),
        "Ana",
        "Ion",
    ]
    assert current.answers["children_count"] == 3
    assert sync_uc.open_conflicts(store, user) == []


def test_a_sync_between_an_edits_check_and_its_transaction_is_not_undone(
    session: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    """An edit from a base is checked against the visit as read, then written in a
    transaction of its own. A sync that commits in between (here: injected right after the
    check) must not be overwritten with the answers as read: the edit is checked again, the
    last time inside its transaction, where no sync can come between."""
    store, user = session.store, session.user
    first = visits.finish_visit(
        store, user, PERSON, "life_situation", full_life_situation(), today=TODAY
    )
    base = visits.VisitBase(first.answers, first.next_steps)
    checked = visits._checked_edit
    calls: list[Any] = []
    syncs: list[dict[str, Any]] = [{"urgency": "today"}, {"work_status": ["employed"]}]
    synced = dict(first.answers)

    def check_then_sync(*args: Any) -> Any:
        result = checked(*args)
        calls.append(result)
        if args[-1] is base and syncs:  # the edit's check: a sync brings a change just now
            synced.update(syncs.pop(0))
            visits.edit_visit(store, user, first.id, dict(synced), today=TODAY)
        return result

    monkeypatch.setattr(visits, "_checked_edit", check_then_sync)
    edited = {**first.answers, "rent": 480}
    visits.edit_visit(store, user, first.id, edited, today=TODAY, base=base)
    (current,) = visits.visit_history(store, user, PERSON)
    assert current.answers["rent"] == 480
    assert current.answers["urgency"] == "today" and current.answers["work_status"] == ["employed"]
    # Two checks with a sync after each, the syncs' own checks, and the last check.
    assert len(calls) == 5


def short_skills_check(german: str = "A2") -> dict[str, Any]:
    """A skills check's fewest answers: German at ``german`` (self-assessed), 8 school years,
    looking for work and not registered at the job centre."""
    return {
        "language_levels": [{"language": "de", "level": {"level": german, "assessed": "self"}}],
        "latin_literacy": "fluent",
        "school_years": 8,
        "school_certificate": "lower_secondary",
        "looking_for_work": "yes",
        "jobcenter_registration": "no",
    }


def test_skills_check_with_next_step_decisions(session: Any) -> None:
    store, user = session.store, session.user
    answers = short_skills_check()
    visit = visits.finish_visit(
        store,
        user,
        PERSON,
        "skills_check",
        answers,
        next_steps={"integration_course": "accepted", "no_such_step": "accepted"},
        today=TODAY,
    )
    assert visit.next_steps == {"integration_course": "accepted"}
    with pytest.raises(ValidationFailed):
        visits.finish_visit(
            store, user, PERSON, "skills_check", answers, next_steps={"x": "maybe"}, today=TODAY
        )


def test_quick_contact_is_anonymous_and_validated(session: Any) -> None:
    store, user = session.store, session.user
    contact = QuickContact(TODAY, "ro", ("jobcenter", "housing"), True, "romanian", "")
    visits.record_quick_contact(store, user, contact, today=TODAY)
    assert visits.count_quick_contacts(store, TODAY, TODAY) == 1
    for bad in (
        QuickContact(TODAY, "xx", ("jobcenter",), False),
        QuickContact(TODAY, "ro", (), False),
        QuickContact(TODAY, "ro", ("nonsense",), False),
        QuickContact(TODAY + dt.timedelta(days=1), "ro", ("jobcenter",), False),
        QuickContact(TODAY, "ro", ("jobcenter",), False, nationality="martian"),
    ):
        with pytest.raises(ValidationFailed):
            visits.record_quick_contact(store, user, bad, today=TODAY)
    assert visits.count_quick_contacts(store, TODAY, TODAY) == 1


bad_values = st.one_of(
    st.none(),
    st.integers(min_value=-(10**12), max_value=10**12),
    st.text(max_size=20),
    st.text(min_size=2001, max_size=2100),
    st.sampled_from(["\x00", "1990-13-01", "2999-01-01", "nonsense", "\ud800"]),
    st.lists(st.text(max_size=5), max_size=3),
    st.dictionaries(st.text(max_size=5), st.integers(), max_size=2),
)


@settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(
    changes=st.dictionaries(
        st.sampled_from([*sorted(full_life_situation()), "children_count", "due_date", "zz"]),
        bad_values,
        min_size=1,
        max_size=4,
    )
)
def test_generated_bad_answers_store_nothing_half_valid(
    session: Any, changes: dict[str, Any]
) -> None:
    store, user = session.store, session.user
    answers = {**full_life_situation(), **changes}
    before = _count(store, VisitRow)
    try:
        visit = visits.finish_visit(store, user, PERSON, "life_situation", answers, today=TODAY)
    except InvalidAnswers as exc:
        assert exc.errors and all(e.message["de"] for e in exc.errors)
        assert _count(store, VisitRow) == before
        return
    # accepted: what was stored must be exactly clean, complete answers
    assert _count(store, VisitRow) == before + 1
    with store.reading() as s:
        stored = json.loads(s.get(VisitRow, visit.id).answers)
    from desktop_app.forms import validate

    assert validate(visits.form("life_situation"), stored, today=TODAY, consents=()) == []


def test_the_checks_name_in_latin_letters_fills_in_the_persons_id_document_name(
    session: Any,
) -> None:
    """The check's "name in Latin script" (as in the ID card) goes onto the person where their
    record has none: found by it from then on, synced as a change of that field alone. One the
    record holds stays; one in Cyrillic stays in the answers only."""
    from desktop_app.domain.hlc import effective_field_clocks
    from desktop_app.domain.person import PERSON_FIELDS, PersonDraft
    from desktop_app.usecases import people

    store, user = session.store, session.user
    person = people.register_person(store, user, PersonDraft("Мария", "Георгиева", "1991"))
    other = people.register_person(store, user, PersonDraft("Иван", "Петров", "1980"))
    for pid in (person.id, other.id):
        visits.record_consent(store, user, pid, consent_answers(), today=TODAY)
    answers = {**full_life_situation(), "family_name": "Георгиева", "given_names": "Мария"}

    def check(name_latin: str) -> None:
        answers_now = {**answers, "name_latin": name_latin}
        visits.finish_visit(store, user, person.id, "life_situation", answers_now, today=TODAY)

    check("Gueorguieva Maria")
    filled = people.get_person(store, user, person.id)
    assert filled is not None and filled.id_document_name == "Gueorguieva Maria"
    assert filled.revision == 2
    # Only the fields filled in have a new clock (the record had no sex, nationality or
    # languages either: one change, ``test_check_facts``): they merge on their own.
    clocks = effective_field_clocks(PERSON_FIELDS, filled.field_clocks, filled.updated_hlc)
    assert {n for n, (clock, _base) in clocks.items() if clock != person.updated_hlc} == {
        "id_document_name",
        "languages",
        "nationality",
        "sex",
    }
    assert [e.id for e in people.search_people(store, "Gueorguieva")] == [person.id]
    check("Georgieva Mariya")  # a later check's other spelling does not overwrite it
    kept = people.get_person(store, user, person.id)
    assert kept is not None and kept.id_document_name == "Gueorguieva Maria"
    assert kept.revision == 2
    # Typed in Cyrillic: the visit is saved, the person's field stays empty.
    visit = visits.finish_visit(
        store,
        user,
        other.id,
        "life_situation",
        {**full_life_situation(), "name_latin": "Петров Иван"},
        today=TODAY,
    )
    assert visit.answers["name_latin"] == "Петров Иван"
    unchanged = people.get_person(store, user, other.id)
    # (its nationality, sex and languages were filled in: ``test_check_facts``)
    assert unchanged is not None and unchanged.id_document_name == "" and unchanged.revision == 2
    # An edit of the stored check that adds it fills it in too.
    visits.edit_visit(store, user, visit.id, {**visit.answers, "name_latin": "Petrov Ivan"})
    edited = people.get_person(store, user, other.id)
    assert edited is not None and edited.id_document_name == "Petrov Ivan"


def test_the_next_check_starts_with_the_children_of_the_latest_one(session: Any) -> None:
    """A mother with three children came back two weeks later: the next advisor typed the
    three children in again. The next check starts with who they are and where they live;
    daycare or school, which changes, is asked again, as is their health insurance (an EHIC
    runs out, a child is insured with a parent's new job: last visit's answer would be taken
    for today's unasked). Reading them is audited."""
    from desktop_app.usecases import audit

    store, user = session.store, session.user
    assert visits.children_known(store, user, PERSON) == {}  # no check recorded yet
    answers = full_life_situation() | {
        "children_count": 4,  # one child not entered as an entry
        "children": [
            {
                "child_name": "Виктория",
                "child_birth": "2025-03-10",
                "child_lives": "with_person",
                "child_care": "no_place",
            },
            {
                "child_name": "Иван",
                "child_birth": "2020",
                "child_lives": "with_person",
                "child_care": "no_place",
            },
            {"child_birth": "2015-06-01", "child_lives": "home_country"},
        ],
        "children_insurance": [
            {"child_name": "Иван", "child_birth": "2020", "child_insurance": "none"}
        ],
    }
    visits.record_consent(store, user, PERSON, consent_answers())  # the health section open
    visit = visits.finish_visit(store, user, PERSON, "life_situation", answers)
    assert visit.answers["children_insurance"] == answers["children_insurance"]
    before = len(audit.list_entries(store, user, record_id=PERSON, action="view"))
    known = visits.children_known(store, user, PERSON)
    assert known == {
        "children_count": 4,
        "children": [
            {"child_name": "Виктория", "child_birth": "2025-03-10", "child_lives": "with_person"},
            {"child_name": "Иван", "child_birth": "2020", "child_lives": "with_person"},
            {"child_birth": "2015-06-01", "child_lives": "home_country"},
        ],
    }
    views = audit.list_entries(store, user, record_id=PERSON, action="view")
    assert len(views) == before + 1
    assert views[0].details == {"visit_id": visit.id, "form": "life_situation"}
    # the latest check counts: one without children leaves nothing to start with
    visits.finish_visit(
        store, user, PERSON, "life_situation", full_life_situation() | {"children_count": 0}
    )
    assert visits.children_known(store, user, PERSON) == {}


def test_the_next_check_starts_with_the_arrival_and_the_children_read_once(session: Any) -> None:
    """The arrival in Germany of the latest check carries over with its children, in one
    read of that check (one audit entry); where it was not answered, nothing stands for it."""
    from desktop_app.usecases import audit

    store, user = session.store, session.user
    assert visits.known_from_latest_check(store, user, PERSON) == {}
    answers = full_life_situation() | {"arrival_date": "2024-09"}
    visits.finish_visit(store, user, PERSON, "life_situation", answers)
    before = len(audit.list_entries(store, user, record_id=PERSON, action="view"))
    known = visits.known_from_latest_check(store, user, PERSON)
    assert known == {"arrival_date": "2024-09"} | visits.children_known(store, user, PERSON)
    assert known["children_count"] == 1
    after = audit.list_entries(store, user, record_id=PERSON, action="view")
    assert len(after) == before + 2  # this read, and children_known's just above
    visits.finish_visit(store, user, PERSON, "life_situation", full_life_situation())
    assert "arrival_date" not in visits.known_from_latest_check(store, user, PERSON)
