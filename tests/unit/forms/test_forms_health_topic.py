"""A helper's check names health insurance among its topics (life-situation check, version 9):
the Clearingstelle is suggested although the insurance itself is not recorded. A student
helper may not record it (the health section is restricted), so no rule of the form could
suggest the office, and the helper at an outreach point, preparing the family's referrals,
found it only by searching the directory."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import pytest

from desktop_app.domain.person import PersonDraft
from desktop_app.domain.users import Role
from desktop_app.forms import FormDefinition, evaluate
from desktop_app.forms.compat import incompatibilities
from desktop_app.forms.definition import form_from_mapping
from desktop_app.usecases import accounts, people, referrals, visits
from desktop_app.usecases.accounts import Session
from tests.conftest import record_sharing_consent
from tests.unit.forms.test_forms_versions import RECORDED, fingerprint
from tests.unit.test_visits import full_life_situation

STEP = "health_clearing_topic"
TODAY = dt.date(2026, 12, 7)


@pytest.fixture(scope="module")
def life() -> FormDefinition:
    from desktop_app.usecases import reference

    return reference.shipped_forms()["life_situation"]


def version_8_data() -> dict[str, Any]:
    """The form as version 8 was (checked against its fingerprint): version 9 (as
    ``version_9_data`` rebuilds it) without the step the topic suggests."""
    from tests.unit.forms.test_forms_child_tax_id import version_9_data

    data = version_9_data()
    data["version"] = 8
    data["next_steps"] = [r for r in data["next_steps"] if r["id"] != STEP]
    recorded = json.loads(RECORDED.read_text(encoding="utf-8"))
    assert fingerprint(data) == recorded["life_situation"]["8"]
    return data


def test_a_coordinators_version_8_may_be_replaced_by_version_9(life: FormDefinition) -> None:
    """A laptop holding version 8 (shipped, or published by a coordinator) takes version 9
    over compatibly: its visits read the same, and only the new step is suggested anew."""
    from tests.unit.forms.test_forms_child_tax_id import version_9_data

    version_8 = form_from_mapping(version_8_data())
    version_9 = form_from_mapping(version_9_data())
    assert incompatibilities(version_8, version_9) == []
    assert incompatibilities(version_8, life) == []  # and the shipped version after it
    answers = _as_a_helper_answers()
    before = evaluate(version_8, answers, today=TODAY, consents={"advice"})
    assert STEP not in {s.id for s in before.next_steps}
    assert STEP in _steps(version_9, answers)


def _as_a_helper_answers(**more: Any) -> dict[str, Any]:
    """The check as a helper finishes it: nothing of the health section."""
    answers = {**full_life_situation(), "topics": ["health_insurance", "school_daycare"]}
    for field in ("insurance_status", "pregnant", "urgent_medical_need"):
        answers.pop(field, None)
    return answers | more


def _steps(form: FormDefinition, answers: dict[str, Any]) -> dict[str, str]:
    state = evaluate(form, answers, today=TODAY, consents={"advice"})
    return {s.id: s.reason["de"] if s.reason else "" for s in state.next_steps}


def test_the_topic_suggests_the_clearingstelle_while_the_insurance_is_not_recorded(
    life: FormDefinition,
) -> None:
    steps = _steps(life, _as_a_helper_answers())
    assert steps[STEP] == (
        "Krankenversicherung ist ein Anliegen dieses Besuchs; der Versicherungsstatus ist noch "
        "nicht erfasst."
    )
    assert "health_clearing" not in steps
    # Without the topic, nothing says the insurance needs clearing.
    assert STEP not in _steps(life, _as_a_helper_answers(topics=["school_daycare"]))


@pytest.mark.parametrize(
    ("insurance", "other"),
    [
        ("statutory", None),  # insured here: nothing to clear
        ("none", "health_clearing"),  # the rule of the answer, with its own reason
        ("unclear", "health_clearing"),
    ],
)
def test_once_the_insurance_is_answered_its_own_rules_decide(
    life: FormDefinition, insurance: str, other: str | None
) -> None:
    steps = _steps(life, _as_a_helper_answers(insurance_status=insurance))
    assert STEP not in steps
    assert [s for s in steps if s.startswith("health_clearing")] == ([other] if other else [])


def test_not_beside_the_step_for_an_uninsured_child(life: FormDefinition) -> None:
    """One suggestion for the office: an advisor's draft with a child's insurance answered
    'none' and the mother's not yet has the children's step only."""
    answers = _as_a_helper_answers(
        children_insurance=[{"child_birth": "2018-05-01", "child_insurance": "none"}]
    )
    steps = _steps(life, answers)
    assert "health_clearing" in steps and STEP not in steps


def test_a_helper_accepts_it_and_the_refer_dialog_offers_the_clearingstelle(
    session: Session,
) -> None:
    accounts.add_user(session, "andrei", "Andrei Lungu", Role.HELPER, "helper pass 123")
    helper = accounts.log_in(session.store.paths.data_dir, "andrei", "helper pass 123")
    try:
        person = people.register_person(
            helper.store, helper.user, PersonDraft("Мария", "Петрова", "1991-04-02")
        )
        record_sharing_consent(session, person.id)
        visit = visits.finish_visit(
            helper.store,
            helper.user,
            person.id,
            "life_situation",
            _as_a_helper_answers(),
            next_steps={STEP: "accepted"},
        )
        assert visit.next_steps == {STEP: "accepted"}
        assert "insurance_status" not in visit.answers
        assert referrals.suggested_services(helper.store, helper.user, person.id)[0] == (
            "clearingstelle"
        )
    finally:
        helper.close()
