"""A stored visit is checked for its own day (the day it was begun), not for the day it is
edited, reopened or merged: ages and the time since a date stay what they were at the visit.

Real encrypted stores; the visit is stored as begun two years ago (``started_at``), the day
an old visit's edit is checked for before the fix being the wall clock's."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from desktop_app.domain.person import PersonDraft
from desktop_app.forms import InvalidAnswers
from desktop_app.storage.visits_models import DraftRow, VisitRow
from desktop_app.usecases import people, visits
from tests.unit.test_visits import consent_answers, full_life_situation

# The visit: two years ago, in June. The woman was 55 then (born in March 55 years before),
# 56 or 57 now: the pregnancy question is asked from 14 to 55.
TODAY = dt.date.today()
VISIT_DAY = dt.date(TODAY.year - 2, 6, 15)
BEGUN = f"{VISIT_DAY.isoformat()}T10:00:00+00:00"  # the same day on any European laptop


def pregnant_at_55() -> dict[str, Any]:
    return {
        **full_life_situation(),
        "date_of_birth": f"{VISIT_DAY.year - 55}-03-01",
        "pregnant": "yes",
        "due_date": f"{VISIT_DAY.year}-11",
        "prenatal_care": "no",
    }


def old_visit(session: Any, answers: dict[str, Any] | None = None) -> visits.Visit:
    store, user = session.store, session.user
    person = people.register_person(store, user, PersonDraft("Elena", "Dimitrova", "1971"))
    visits.record_consent(store, user, person.id, consent_answers())
    visit = visits.finish_visit(
        store,
        user,
        person.id,
        "life_situation",
        answers or pregnant_at_55(),
        next_steps={"prenatal_care": "accepted"},
        started_at=BEGUN,
        today=VISIT_DAY,  # the day it was stored then (the same before and after the fix)
    )
    assert visit.answers["pregnant"] == "yes"
    assert visit.next_steps == {"prenatal_care": "accepted"}
    return visit


def test_the_day_of_a_visit_is_the_day_it_was_begun() -> None:
    assert visits.day_of(BEGUN) == VISIT_DAY
    assert visits.day_of("", TODAY) == TODAY  # no start known: the day it is
    assert visits.day_of(None) == dt.date.today()


def test_an_unrelated_edit_of_an_old_visit_keeps_the_pregnancy_answers_asked_then(
    session: Any,
) -> None:
    """Checked for the edit's day she is 57: the pregnancy question was "not asked" any more,
    and changing the urgency dropped her pregnancy, due date and the step accepted for it."""
    store, user = session.store, session.user
    visit = old_visit(session)
    edited = visits.edit_visit(
        store,
        user,
        visit.id,
        {**visit.answers, "urgency": "today"},
        next_steps=visit.next_steps,
    )
    assert edited.answers["urgency"] == "today"
    for key in ("pregnant", "due_date", "prenatal_care"):
        assert edited.answers[key] == visit.answers[key]
    assert edited.next_steps == {"prenatal_care": "accepted"}
    with store.reading() as db:
        row = db.get(VisitRow, visit.id)
        assert row is not None and row.started_at == BEGUN  # the edit keeps the visit's day


def test_an_old_visit_edited_from_a_draft_keeps_its_answers_too(session: Any) -> None:
    """The edit left open as a draft (the form closed before saving) is checked for the
    visit's day as well, and its draft says so."""
    store, user = session.store, session.user
    visit = old_visit(session)
    base = visits.VisitBase(visit.answers, visit.next_steps)
    changed = {**visit.answers, "notes": "Termin beim Gesundheitsamt vereinbart"}
    draft = visits.save_draft(
        store, user, visit.person_id, "life_situation", changed, visit_id=visit.id, base=base
    )
    assert draft.day == VISIT_DAY
    edited = visits.edit_visit(
        store, user, visit.id, draft.answers, next_steps=visit.next_steps, base=base
    )
    assert edited.answers["pregnant"] == "yes" and edited.answers["notes"] == changed["notes"]


def test_a_date_after_the_visit_is_refused_in_an_old_visit_as_it_was_then(session: Any) -> None:
    """A birth or an arrival after the visit is no fact of the visit (a later arrival belongs
    to a later visit): refused at the field. A date a field allows ahead (the due date) is
    taken, measured from the visit's day too."""
    store, user = session.store, session.user
    visit = old_visit(session)
    later = (VISIT_DAY + dt.timedelta(days=40)).isoformat()
    with pytest.raises(InvalidAnswers) as refused:
        visits.edit_visit(store, user, visit.id, {**visit.answers, "arrival_date": later})
    assert [(e.field_path, e.code) for e in refused.value.errors] == [
        ("arrival_date", "date_future")
    ]
    earlier = (VISIT_DAY - dt.timedelta(days=40)).isoformat()
    edited = visits.edit_visit(store, user, visit.id, {**visit.answers, "arrival_date": earlier})
    assert edited.answers["arrival_date"] == earlier


def test_a_new_visit_continued_from_a_draft_of_an_earlier_day_is_checked_for_that_day(
    session: Any,
) -> None:
    """The visit is stored as begun when its draft was: it is checked for that day when
    finished, as every later edit checks it."""
    store, user = session.store, session.user
    person = people.register_person(store, user, PersonDraft("Elena", "Dimitrova", "1971"))
    visits.record_consent(store, user, person.id, consent_answers())
    visits.save_draft(store, user, person.id, "life_situation", {"family_name": "Dimitrova"})
    with store.transaction() as db:  # the draft begun two years ago (left open since)
        row = db.get(DraftRow, (person.id, "life_situation"))
        assert row is not None
        row.started_at = BEGUN
    draft = visits.load_draft(store, user, person.id, "life_situation")
    assert draft is not None and draft.day == VISIT_DAY
    visit = visits.finish_visit(store, user, person.id, "life_situation", pregnant_at_55())
    assert visit.started_at == BEGUN and visit.answers["pregnant"] == "yes"
