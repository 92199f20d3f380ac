"""A visit recorded with a newer version of a form, on a laptop not updated yet: the answers its
form does not have (a question, an option, a child's answer) are kept unchanged when a known
answer is edited, and a helper neither sees them nor drops them. Real stores; the visit arrives
as a sync brings it (the visit kind's own adapter), as a laptop of the newer version wrote it."""

from __future__ import annotations

import json
from dataclasses import replace
from typing import Any

import pytest

import desktop_app.sync.kinds  # noqa: F401  (registers the kinds that sync)
from desktop_app.domain.users import Role
from desktop_app.storage.visits_models import VisitRow
from desktop_app.sync.merge import FieldState
from desktop_app.sync.records import ADAPTERS, RowAdapter, ToSave, load_one
from desktop_app.usecases import visits
from desktop_app.usecases.accounts import Session
from tests.unit.test_visits import PERSON, TODAY, consent_answers, full_life_situation

NEWER = {
    "school_meals": "yes",  # a question of the newer version
    "topics": ["jobcenter", "energy_debts"],  # an option of the newer version beside a known one
    "children": [
        {
            "child_birth": "2018-05-01",
            "child_lives": "with_person",
            "child_care": "school",
            "child_allergies": "peanuts",  # a child's question of the newer version
        }
    ],
}


def newer_visit(session: Session, person_id: str = PERSON) -> visits.Visit:
    """A life-situation check as a laptop with the next version of the form recorded it,
    applied here as a sync applies it."""
    store, user = session.store, session.user
    visits.record_consent(store, user, person_id, consent_answers(), today=TODAY)
    visit = visits.finish_visit(
        store,
        user,
        person_id,
        "life_situation",
        full_life_situation(),
        next_steps={"health_clearing": "accepted"},
        today=TODAY,
    )
    adapter = ADAPTERS["visit"]
    assert isinstance(adapter, RowAdapter)
    with store.reading() as db:
        local = load_one(adapter, db, visit.id)
    assert local is not None
    clock = "9999999999999-00000-newer"
    fields = dict(local.state.fields)
    for key, value in NEWER.items():
        fields[f"answers/{key}"] = FieldState(value, clock, "")
    fields["next_steps/energy_advice"] = FieldState("accepted", clock, "")
    version = visits.form("life_situation", store).version + 1
    fields["form_version"] = FieldState(version, clock, "")
    with store.transaction() as db:
        refused = adapter.save_many(db, store, [ToSave(replace(local.state, fields=fields), 2, "")])
    assert refused == {}
    got = visits.get_visit(store, user, visit.id)
    assert got is not None
    assert got.answers["school_meals"] == "yes" and got.form_version == version
    return got


def _stored(session: Session, visit_id: str) -> tuple[dict[str, Any], dict[str, str], int]:
    with session.store.reading() as db:
        row = db.get(VisitRow, visit_id)
        assert row is not None
        return json.loads(row.answers), json.loads(row.next_steps), row.form_version


def _as_the_form_shows(visit: visits.Visit) -> dict[str, Any]:
    """The answers as this laptop's form hands them back (``FormView.answers``): what it has
    no question or option for is not there."""
    answers = {k: v for k, v in visit.answers.items() if k != "school_meals"}
    answers["topics"] = ["jobcenter"]
    answers["children"] = [
        {k: v for k, v in c.items() if k != "child_allergies"} for c in answers["children"]
    ]
    return answers


@pytest.mark.parametrize("with_base", [True, False])
def test_editing_a_known_answer_keeps_the_newer_versions_answers(
    session: Session, with_base: bool
) -> None:
    visit = newer_visit(session)
    base = visits.VisitBase(visit.answers, visit.next_steps) if with_base else None
    edited = {**_as_the_form_shows(visit), "urgency": "today"}
    saved = visits.edit_visit(
        session.store,
        session.user,
        visit.id,
        edited,
        next_steps=visit.next_steps,
        today=TODAY,
        base=base,
    )
    answers, steps, version = _stored(session, visit.id)
    assert answers == {**visit.answers, "urgency": "today"}
    assert answers["school_meals"] == "yes"
    assert answers["topics"] == ["jobcenter", "energy_debts"]
    assert answers["children"][0]["child_allergies"] == "peanuts"
    assert steps == {"health_clearing": "accepted", "energy_advice": "accepted"}
    assert version == visit.form_version  # still the newer version's visit
    assert saved.answers == answers and saved.revision == visit.revision + 1


def test_the_whole_visit_handed_back_is_checked_on_what_this_form_shows(
    session: Session,
) -> None:
    """A caller handing back the visit as read (the unknown option in it) is not refused
    for an option this form does not have; a known option chosen now is kept beside it."""
    visit = newer_visit(session)
    topics = ["jobcenter", "housing", "energy_debts"]
    visits.edit_visit(
        session.store,
        session.user,
        visit.id,
        {**visit.answers, "topics": topics},
        next_steps=visit.next_steps,
        today=TODAY,
    )
    answers, _steps, _version = _stored(session, visit.id)
    assert answers == {**visit.answers, "topics": topics}


def test_an_unknown_choice_replaced_by_a_known_one_is_the_users_choice(session: Session) -> None:
    visit = newer_visit(session)
    edited = {**_as_the_form_shows(visit), "topics": ["housing"]}
    visits.edit_visit(session.store, session.user, visit.id, edited, today=TODAY)
    answers, _steps, _version = _stored(session, visit.id)
    # the newer option is not one this laptop can take away: it stays beside the new choice
    assert answers["topics"] == ["housing", "energy_debts"]
    assert answers["school_meals"] == "yes"


def test_the_ui_is_told_what_it_cannot_show(session: Session) -> None:
    visit = newer_visit(session)
    store = session.store
    assert visits.recorded_with_newer_form(store, "life_situation", visit.answers)
    assert visits.recorded_with_newer_form(store, "life_situation", {}, visit.form_version)
    own = visits.form("life_situation", store).version
    assert not visits.recorded_with_newer_form(store, "life_situation", full_life_situation(), own)


def test_a_helper_neither_sees_nor_drops_the_newer_versions_answers(
    session: Session,
) -> None:
    """Whether a newer version's question is restricted is not known here: a helper does not
    get it, and the helper's save keeps it, as it keeps the restricted answers withheld."""
    from desktop_app.usecases.accounts import add_user

    visit = newer_visit(session)
    store = session.store
    helper = add_user(session, "hana", "Hana Helfer", Role.HELPER, "helper pass 7")
    seen = visits.get_visit(store, helper, visit.id)
    assert seen is not None
    assert "school_meals" not in seen.answers and "insurance_status" not in seen.answers
    assert "health" in seen.withheld
    base = visits.VisitBase(seen.answers, seen.next_steps)
    visits.edit_visit(
        store,
        helper,
        visit.id,
        {**seen.answers, "urgency": "today"},
        next_steps=seen.next_steps,
        today=TODAY,
        base=base,
    )
    answers, _steps, _version = _stored(session, visit.id)
    assert answers["school_meals"] == "yes"
    assert answers["insurance_status"] == visit.answers["insurance_status"]  # withheld: kept
    assert answers["urgency"] == "today"


def test_a_known_option_a_sync_added_meanwhile_is_kept_beside_the_unknown_one(
    session: Session,
) -> None:
    """The form was opened on the newer visit; meanwhile a sync added a topic. The edit left
    the topics as shown: both the newer option and the one added meanwhile stay."""
    visit = newer_visit(session)
    store, user = session.store, session.user
    base = visits.VisitBase(visit.answers, visit.next_steps)
    topics = ["jobcenter", "debts", "energy_debts"]
    visits.edit_visit(store, user, visit.id, {**visit.answers, "topics": topics}, today=TODAY)
    edited = {**_as_the_form_shows(visit), "urgency": "today"}
    visits.edit_visit(
        store, user, visit.id, edited, next_steps=visit.next_steps, today=TODAY, base=base
    )
    answers, _steps, _version = _stored(session, visit.id)
    assert answers["topics"] == topics
    assert answers["urgency"] == "today" and answers["school_meals"] == "yes"
