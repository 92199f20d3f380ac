"""An expired EHIC suggests the Clearingstelle (life-situation check, version 7): the card is
valid through the date printed on it, and whether it had expired is measured at the day the
form is evaluated for (the visit's), as the person's age is, not at the wall clock."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from desktop_app.forms import FormDefinition, evaluate
from desktop_app.forms.compat import incompatibilities
from desktop_app.forms.definition import form_from_mapping
from desktop_app.forms.expressions import Scope, parse
from desktop_app.usecases import visits
from desktop_app.usecases.accounts import Session
from tests.unit.forms.test_forms_ehic_validity import version_6_data
from tests.unit.test_visits import PERSON, consent_answers, full_life_situation

STEP = "health_clearing_ehic_expired"
CARD = "2026-03-31"  # valid through 31 March
VISIT_VALID = dt.date(2026, 3, 31)  # the last day it is valid
VISIT_EXPIRED = dt.date(2026, 4, 1)


@pytest.fixture(scope="module")
def life() -> FormDefinition:
    from desktop_app.usecases import reference

    return reference.shipped_forms()["life_situation"]


def _with_card(valid_until: str | None, **more: Any) -> dict[str, Any]:
    answers = {**full_life_situation(), "insurance_status": "ehic", **more}
    if valid_until is not None:
        answers["ehic_valid_until"] = valid_until
    return answers


def _steps(form: FormDefinition, answers: dict[str, Any], today: dt.date) -> dict[str, str]:
    state = evaluate(form, answers, today=today, consents={"advice"})
    assert state.errors == []
    return {s.id: s.reason["de"] if s.reason else "" for s in state.next_steps}


@pytest.mark.parametrize(
    ("date", "today", "days"),
    [
        (CARD, VISIT_VALID, 0),
        (CARD, VISIT_EXPIRED, 1),
        (CARD, dt.date(2027, 3, 31), 365),
        (CARD, dt.date(2026, 3, 30), None),  # still ahead
        ("2024-02-29", dt.date(2024, 3, 1), 1),
        ("2026-02-30", VISIT_EXPIRED, None),  # no date
        (None, VISIT_EXPIRED, None),
        (7, VISIT_EXPIRED, None),
    ],
)
def test_days_since_counts_whole_days_to_the_day_evaluated_for(
    date: Any, today: dt.date, days: int | None
) -> None:
    assert parse("days_since(d)").evaluate(Scope({"d": date}, today)) == days
    # a date ahead or no date compares false either way, as with age()
    assert parse("days_since(d) > 0").truthy(Scope({"d": date}, today)) is bool(days)


def test_an_expired_card_suggests_the_clearingstelle_with_its_own_reason(
    life: FormDefinition,
) -> None:
    assert _steps(life, _with_card(CARD), VISIT_EXPIRED)[STEP] == (
        "Die Europäische Krankenversicherungskarte ist abgelaufen."
    )
    [rule] = [r for r in life.next_steps if r.id == STEP]
    assert rule.service == "clearingstelle"
    assert rule.reason is not None
    assert rule.reason == {
        "de": "Die Europäische Krankenversicherungskarte ist abgelaufen.",
        "bg": "Валидността на Европейската здравноосигурителна карта е изтекла.",
        "ro": "Cardul european de asigurări sociale de sănătate a expirat.",
        "en": "The European Health Insurance Card has expired.",
    }


@pytest.mark.parametrize(
    ("answers", "today"),
    [
        (_with_card(CARD), VISIT_VALID),  # valid through the printed day
        (_with_card("2027-01-31"), VISIT_EXPIRED),
        (_with_card(None), VISIT_EXPIRED),  # the date not asked: nothing known
        # the card's date left over from an earlier answer: not asked, so not counted
        (
            {**full_life_situation(), "insurance_status": "statutory", "ehic_valid_until": CARD},
            VISIT_EXPIRED,
        ),
    ],
    ids=["last-valid-day", "valid", "no-date", "statutory"],
)
def test_a_valid_card_or_none_suggests_nothing_of_the_kind(
    life: FormDefinition, answers: dict[str, Any], today: dt.date
) -> None:
    steps = _steps(life, answers, today)
    assert STEP not in steps and "health_clearing" not in steps


def test_one_suggestion_for_the_office_where_a_child_is_uninsured_as_well(
    life: FormDefinition,
) -> None:
    child = {"child_birth": "2018-05-01", "child_lives": "with_person", "child_insurance": "none"}
    steps = _steps(life, _with_card(CARD, children_insurance=[child]), VISIT_EXPIRED)
    assert STEP not in steps
    assert steps["health_clearing"] == "Krankenversicherung fehlt oder ist unklar."


def test_a_coordinators_version_6_may_be_replaced_by_version_7(life: FormDefinition) -> None:
    version_6 = form_from_mapping(version_6_data())
    assert incompatibilities(version_6, life) == []
    assert "days_since" in life.functions_used()
    assert "days_since" not in version_6.functions_used()


def test_a_visit_keeps_the_step_as_of_its_own_day(session: Session) -> None:
    """Stored with the day of the visit: accepted there where the card had expired that day,
    dropped as not suggested where it was valid that day."""
    store, user = session.store, session.user
    consent = {**consent_answers("given"), "consent_date": "2026-03-02"}
    visits.record_consent(store, user, PERSON, consent, today=VISIT_VALID)
    decided = {STEP: "accepted"}
    expired = visits.finish_visit(
        store,
        user,
        PERSON,
        "life_situation",
        _with_card(CARD),
        next_steps=decided,
        today=VISIT_EXPIRED,
    )
    assert expired.next_steps == decided
    valid = visits.finish_visit(
        store,
        user,
        PERSON,
        "life_situation",
        _with_card(CARD),
        next_steps=decided,
        today=VISIT_VALID,
    )
    assert valid.next_steps == {}
