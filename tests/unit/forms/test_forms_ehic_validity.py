"""The EHIC's "valid until" date (life-situation check, version 6): asked only for a person
with an EHIC, a date on the card in the future as well as in the past; and a laptop still on
version 5 (no such question) keeps the answer a version-6 laptop recorded, as with any new
question (``desktop_app.forms.newer``), and a coordinator's version 5 may be replaced by it."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import pytest
import yaml

from desktop_app.forms import FormDefinition, InvalidAnswers, clean, evaluate
from desktop_app.forms.compat import incompatibilities
from desktop_app.forms.definition import form_from_mapping
from desktop_app.forms.newer import shown_answers, unknown_answers, with_unknown_kept
from desktop_app.paths import resource
from tests.unit.forms.test_forms_evaluator import TODAY, full_life_situation
from tests.unit.forms.test_forms_notices import version_7_data
from tests.unit.forms.test_forms_versions import RECORDED, fingerprint

FIELD = "ehic_valid_until"


def _shipped_data() -> dict[str, Any]:
    text = (resource("forms") / "life_situation.yaml").read_text(encoding="utf-8")
    data = yaml.safe_load(text)
    assert isinstance(data, dict)
    return data


@pytest.fixture(scope="module")
def life() -> FormDefinition:
    return form_from_mapping(_shipped_data())


def version_6_data() -> dict[str, Any]:
    """The form as version 6 was (checked against its fingerprint): version 7 (as
    ``version_7_data`` rebuilds it) without the expired EHIC's computed value and next step."""
    data = version_7_data()
    data["version"] = 6
    data["computed"] = [c for c in data["computed"] if c["id"] != "ehic_expired"]
    data["next_steps"] = [
        r for r in data["next_steps"] if r["id"] != "health_clearing_ehic_expired"
    ]
    recorded = json.loads(RECORDED.read_text(encoding="utf-8"))
    assert fingerprint(data) == recorded["life_situation"]["6"]
    return data


@pytest.fixture(scope="module")
def version_5() -> FormDefinition:
    """The form as laptops not updated yet hold it: version 5, the same form without the
    question (checked against the fingerprint recorded for version 5)."""
    data = version_6_data()
    data["version"] = 5
    [health] = [s for s in data["sections"] if s["id"] == "health"]
    health["fields"] = [f for f in health["fields"] if f["id"] != FIELD]
    recorded = json.loads(RECORDED.read_text(encoding="utf-8"))
    assert fingerprint(data) == recorded["life_situation"]["5"]
    return form_from_mapping(data)


def _with_ehic(valid_until: str) -> dict[str, Any]:
    return {**full_life_situation(), "insurance_status": "ehic", FIELD: valid_until}


@pytest.mark.parametrize("valid_until", ["2027-03-31", "2026-01-31", TODAY.isoformat()])
def test_the_date_on_the_card_is_kept_past_or_future(
    life: FormDefinition, valid_until: str
) -> None:
    answers = _with_ehic(valid_until)
    state = evaluate(life, answers, today=TODAY)
    assert state.errors == []
    assert state.answers[FIELD] == valid_until
    assert clean(life, answers, today=TODAY, require_complete=True)[FIELD] == valid_until


def test_asked_only_with_an_ehic_and_optional(life: FormDefinition) -> None:
    statutory = {**full_life_situation(), FIELD: "2027-03-31"}  # the card's date left over
    state = evaluate(life, statutory, today=TODAY)
    assert not state.is_relevant(FIELD)
    assert FIELD in state.dropped and FIELD not in state.answers
    without = {**full_life_situation(), "insurance_status": "ehic"}
    state = evaluate(life, without, today=TODAY)
    assert state.is_relevant(FIELD) and state.errors == []
    assert FIELD not in clean(life, without, today=TODAY, require_complete=True)


@pytest.mark.parametrize("valid_until", ["2027-03", "2027", "2027-02-30"])
def test_the_whole_date_as_printed_is_asked(life: FormDefinition, valid_until: str) -> None:
    with pytest.raises(InvalidAnswers) as caught:
        clean(life, _with_ehic(valid_until), today=TODAY)
    assert [e.field_path for e in caught.value.errors] == [FIELD]


def test_a_coordinators_version_5_may_be_replaced_by_version_6(
    life: FormDefinition, version_5: FormDefinition
) -> None:
    assert incompatibilities(version_5, life) == []
    # the other way round a question would be lost: refused (version 6 itself: the versions
    # after it asked more, each lost the same way)
    version_6 = form_from_mapping(version_6_data())
    assert [i.code for i in incompatibilities(version_6, version_5)] == [
        "version_lower",
        "field_removed",
    ]


def test_a_laptop_on_version_5_keeps_the_date_a_version_6_laptop_recorded(
    version_5: FormDefinition,
) -> None:
    stored = _with_ehic("2027-03-31")
    assert unknown_answers(version_5, stored) == {FIELD: "2027-03-31"}
    shown = shown_answers(version_5, stored)
    assert FIELD not in shown
    # an advisor there edits what the form shows; the save keeps the card's date
    edited = clean(version_5, {**shown, "urgency": "today"}, today=TODAY)
    assert FIELD not in edited
    saved = with_unknown_kept(version_5, edited, stored)
    assert saved[FIELD] == "2027-03-31" and saved["urgency"] == "today"
    # … also where it changes the insurance there (the new form drops the date at its next save)
    changed = clean(version_5, {**shown, "insurance_status": "statutory"}, today=TODAY)
    assert with_unknown_kept(version_5, changed, stored)[FIELD] == "2027-03-31"
    assert dt.date.fromisoformat(saved[FIELD]) > TODAY
