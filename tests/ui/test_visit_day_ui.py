"""An old visit reopened in the form: checked for its own day, not the day it is opened on.

A woman 55 at a visit two years ago (56 or 57 now) with a 4-year-old waiting for a daycare
place: reopened, the form asked neither her pregnancy (14–55) nor suggested the daycare place
(ages 1–5) any more, and saving an unrelated change dropped both."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

from pytestqt.qtbot import QtBot

from desktop_app.domain.person import PersonDraft
from desktop_app.i18n.formatting import format_partial_date
from desktop_app.i18n.text import set_language
from desktop_app.ui.form_view import GroupEditor
from desktop_app.ui.visits import VisitWindow
from desktop_app.usecases import people, visits
from desktop_app.usecases.accounts import Session
from tests.ui.conftest import finish_form
from tests.unit.test_visit_day import BEGUN, VISIT_DAY, pregnant_at_55
from tests.unit.test_visits import consent_answers

SHOTS = Path("/tmp/shots-visitdate")


def _old_visit(session: Session) -> tuple[Any, visits.Visit]:
    store, user = session.store, session.user
    person = people.register_person(store, user, PersonDraft("Elena", "Dimitrova", "1971"))
    visits.record_consent(store, user, person.id, consent_answers())
    answers = pregnant_at_55() | {
        "children": [
            {
                "child_name": "Ana",
                "child_birth": f"{VISIT_DAY.year - 4}-01-10",  # 4 then, 6 now
                "child_lives": "with_person",
                "child_care": "waiting_daycare",
            }
        ],
    }
    steps = {"prenatal_care": "accepted", "daycare_place": "accepted"}
    visit = visits.finish_visit(
        store,
        user,
        person.id,
        "life_situation",
        answers,
        next_steps=steps,
        started_at=BEGUN,
        today=VISIT_DAY,  # as stored then, before and after the fix
    )
    assert visit.next_steps == steps
    return person, visit


def test_an_old_visit_reopened_asks_and_suggests_what_it_did_then_and_saving_keeps_it(
    qtbot: QtBot, session: Session
) -> None:
    set_language("en")
    person, visit = _old_visit(session)
    win = VisitWindow(session, person, "life_situation", visit=visit)
    qtbot.addWidget(win)
    win.show()
    view = win.view
    state = view.refresh()
    assert state.is_relevant("pregnant") and state.is_relevant("due_date")
    assert {s.id for s in state.next_steps} >= {"prenatal_care", "daycare_place"}
    assert view.decisions() == visit.next_steps
    view.show_section("household")
    group = view.editors["children"]
    assert isinstance(group, GroupEditor)
    assert group.items[0].header.text() == "Child 1: Ana, 4 years"  # her age at the visit
    # said above the form, so that "4 years" reads as the visit's
    assert view.day_note.isVisible()
    shown_day = format_partial_date(VISIT_DAY.isoformat())
    assert view.day_note.text() == (
        f"Visit of {shown_day}: ages and the times since a date are counted to that day."
    )
    SHOTS.mkdir(exist_ok=True)
    win.grab().save(str(SHOTS / "old-visit-household.png"))
    set_language("bg")
    win.retranslate()
    view.show_section("health")
    assert view.day_note.text().startswith("Посещение от ")
    win.grab().save(str(SHOTS / "old-visit-health-bg.png"))
    set_language("en")
    view.set_answer("notes", "Termin beim Gesundheitsamt vereinbart")
    stored = finish_form(qtbot, win)
    assert stored is not None
    assert stored.answers["notes"] == "Termin beim Gesundheitsamt vereinbart"
    for key in ("pregnant", "due_date", "prenatal_care", "children"):
        assert stored.answers[key] == visit.answers[key]
    assert stored.next_steps == visit.next_steps
    win.close()


def test_a_new_visit_says_nothing_of_its_day(qtbot: QtBot, session: Session) -> None:
    set_language("en")
    person = people.register_person(
        session.store, session.user, PersonDraft("Elena", "Dimitrova", "1971")
    )
    win = VisitWindow(session, person, "life_situation")
    qtbot.addWidget(win)
    win.show()
    assert win.view.today == dt.date.today()
    assert not win.view.day_note.isVisible()
    win.close()
