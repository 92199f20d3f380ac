"""The refer dialog chooses the letter's reason by the next step accepted for the service: the
father's skills check accepted "register as looking for work at the job centre", and the
dialog chose the job centre's main topic, "Application for Bürgergeld", for his letter (which
then said he had little or no income and asked for pay slips and an employment contract)."""

from __future__ import annotations

from pytestqt.qtbot import QtBot

from desktop_app.domain.person import PersonDraft
from desktop_app.letters.texts import default_letter_texts
from desktop_app.ui import referrals as referrals_ui
from desktop_app.usecases import people, visits
from desktop_app.usecases.accounts import Session
from tests.conftest import record_sharing_consent
from tests.ui.conftest import shown_window, type_text
from tests.unit.forms.test_forms_evaluator import full_skills_check


def _looking_for_work(session: Session, accepted: bool) -> str:
    person = people.register_person(
        session.store, session.user, PersonDraft("Ion", "Popescu", "1989", languages=("ro",))
    )
    record_sharing_consent(session, person.id)
    answers = full_skills_check() | {"looking_for_work": "yes", "jobcenter_registration": "no"}
    steps = {"job_centre_registration": "accepted" if accepted else "dismissed"}
    visit = visits.finish_visit(
        session.store, session.user, person.id, "skills_check", answers, next_steps=steps
    )
    assert "job_centre_registration" in visit.next_steps
    return person.id


def _reason_chosen(qtbot: QtBot, session: Session, person_id: str) -> str:
    window = shown_window(qtbot, session, 1280)
    window.show_person(person_id)
    feature: referrals_ui.ReferralsFeature = window.referrals  # type: ignore[attr-defined]
    feature.refer_button.click()
    refer = feature.dialog
    assert refer is not None
    qtbot.waitExposed(refer)
    if refer.service_id() != "jobcenter":
        type_text(refer.search, "jobcenter")
    assert refer.service_id() == "jobcenter"
    chosen = str(refer.reason.currentData())
    refer.reject()
    window.close()
    return chosen


def test_the_step_accepted_for_the_job_centre_chooses_job_search(
    qtbot: QtBot, session: Session
) -> None:
    person_id = _looking_for_work(session, accepted=True)
    assert _reason_chosen(qtbot, session, person_id) == "job_search"


def test_without_the_step_the_job_centres_main_topic_chooses(
    qtbot: QtBot, session: Session
) -> None:
    person_id = _looking_for_work(session, accepted=False)
    assert _reason_chosen(qtbot, session, person_id) == "buergergeld"


def test_a_reason_is_chosen_by_a_step_only_where_it_fits_the_service() -> None:
    texts = default_letter_texts()
    jobcenter = ("jobcenter_benefits", "work", "recognition")
    chosen = texts.reason_for_steps(["job_centre_registration"], jobcenter)
    assert chosen is not None and chosen.id == "job_search"
    assert texts.reason_for_steps([], jobcenter) is None
    # a service none of whose topics the reason is about: not chosen there
    assert texts.reason_for_steps(["job_centre_registration"], ("children_family",)) is None
