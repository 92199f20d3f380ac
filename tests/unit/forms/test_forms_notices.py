"""Notices (life-situation check, version 8): what the advisor is asked to look at again
without being stopped. Fewer children entered than stated (the group's ``counted_by``) is said
at the children's list and keeps the household from being ticked complete; a child's daycare
or school that does not fit the age is said at the answer (constraints of ``severity:
notice``). Neither is an error: the answers are stored as they are."""

from __future__ import annotations

import json
from typing import Any

import pytest
import yaml

from desktop_app.forms import FormDefinition, clean, evaluate
from desktop_app.forms.compat import incompatibilities
from desktop_app.forms.definition import FormDefinitionError, form_from_mapping
from desktop_app.paths import resource
from tests.unit.forms.test_forms_evaluator import TODAY, full_life_situation
from tests.unit.forms.test_forms_versions import RECORDED, fingerprint

CARE_NOTICES = {
    "care_too_young_at_school_age",
    "care_daycare_at_school_age",
    "care_school_too_early",
    "care_training_too_early",
}


def _shipped_data() -> dict[str, Any]:
    data = yaml.safe_load((resource("forms") / "life_situation.yaml").read_text("utf-8"))
    assert isinstance(data, dict)
    return data


def version_7_data() -> dict[str, Any]:
    """The form as version 7 was (checked against its fingerprint): version 8 without the
    notices at a child's daycare or school."""
    from tests.unit.forms.test_forms_health_topic import version_8_data

    data = version_8_data()
    data["version"] = 7
    [household] = [s for s in data["sections"] if s["id"] == "household"]
    [children] = [f for f in household["fields"] if f["id"] == "children"]
    [care] = [f for f in children["fields"] if f["id"] == "child_care"]
    assert {c["code"] for c in care.pop("constraints")} == CARE_NOTICES
    recorded = json.loads(RECORDED.read_text(encoding="utf-8"))
    assert fingerprint(data) == recorded["life_situation"]["7"]
    return data


@pytest.fixture(scope="module")
def life() -> FormDefinition:
    return form_from_mapping(_shipped_data())


def _child(birth: str | None, care: str, lives: str = "with_person") -> dict[str, Any]:
    child = {"child_lives": lives, "child_care": care}
    return child if birth is None else {**child, "child_birth": birth}


def _family(stated: int, *children: dict[str, Any]) -> dict[str, Any]:
    return {**full_life_situation(), "children_count": stated, "children": list(children)}


# -- fewer children entered than stated -----------------------------------------------------------


def test_fewer_children_than_stated_is_a_notice_at_the_list_not_an_error(
    life: FormDefinition,
) -> None:
    answers = _family(3, _child("2016-03-01", "school"))
    state = evaluate(life, answers, today=TODAY)
    assert state.errors == []
    [notice] = state.notices
    assert (notice.field_path, notice.code) == ("children", "fewer_items_than_counted")
    assert notice.message == {
        "de": "Kinder – angegeben: 3, eingetragen: 1. Nächste Schritte werden nur zu den "
        "eingetragenen vorgeschlagen.",
        "bg": "Деца – посочени: 3, въведени: 1. Следващите стъпки се предлагат само за въведените.",
        "ro": "Copii – declarați: 3, introduși: 1. Pașii următori se propun doar pentru cei "
        "introduși.",
        "en": "Children – stated: 3, entered: 1. Next steps are suggested only for those entered.",
    }
    # stored as they are: a family need not give every child's details
    assert clean(life, answers, today=TODAY, require_complete=True)["children"] == [
        answers["children"][0]
    ]


def test_the_household_is_not_complete_while_children_are_missing(life: FormDefinition) -> None:
    one = _child("2016-03-01", "school")
    household = {"partner": "here", "household_size": 5}
    short = evaluate(life, {**_family(3, one), **household}, today=TODAY).progress["household"]
    assert short.answered == short.fields == 4
    assert not short.complete
    three = [one, _child("2021-05-01", "waiting_daycare"), _child("2024-01-01", "too_young")]
    full = evaluate(life, {**_family(3, *three), **household}, today=TODAY)
    assert full.notices == []
    assert full.progress["household"].complete


def test_no_notice_where_no_child_is_stated_or_as_many_are_entered(life: FormDefinition) -> None:
    assert evaluate(life, _family(0), today=TODAY).notices == []
    two = [_child("2016-03-01", "school"), _child("2018-03-01", "school")]
    assert evaluate(life, _family(2, *two), today=TODAY).notices == []
    # more than stated stays the error it was
    [error] = evaluate(life, _family(1, *two), today=TODAY).errors
    assert error.code == "more_children_than_count"


def test_an_empty_entry_is_not_a_child_entered(life: FormDefinition) -> None:
    answers = _family(2, _child("2016-03-01", "school"), {})
    [notice] = evaluate(life, answers, today=TODAY, require_complete=False).notices
    assert "eingetragen: 1." in notice.message["de"]


# -- a child's daycare or school and the age ------------------------------------------------------


@pytest.mark.parametrize(
    ("birth", "care", "code"),
    [
        ("2011-06-01", "too_young", "care_too_young_at_school_age"),  # 15, the helper's walk
        ("2020-11-01", "too_young", "care_too_young_at_school_age"),  # 6
        ("2021-01-01", "too_young", None),  # 5
        ("2011", "too_young", "care_too_young_at_school_age"),  # a year alone
        (None, "too_young", None),  # no age known
        ("2019-11-01", "waiting_daycare", "care_daycare_at_school_age"),  # 7
        ("2019-11-01", "daycare", "care_daycare_at_school_age"),
        ("2020-11-01", "daycare", None),  # 6: in daycare till school starts after a cut-off
        ("2022-01-01", "school", "care_school_too_early"),  # 4
        ("2022-01-01", "waiting_school", "care_school_too_early"),
        ("2021-11-01", "school", None),  # 5
        ("2012-01-01", "training_work", "care_training_too_early"),  # 14
        ("2011-11-01", "training_work", None),  # 15
        ("2010-01-01", "no_place", None),
        ("2016-01-01", "school", None),
    ],
)
def test_a_care_that_does_not_fit_the_age_is_a_notice_at_the_answer(
    life: FormDefinition, birth: str | None, care: str, code: str | None
) -> None:
    answers = _family(1, _child(birth, care))
    state = evaluate(life, answers, today=TODAY, require_complete=False)
    assert state.errors == []
    assert [(n.field_path, n.code) for n in state.notices] == (
        [("children[0].child_care", code)] if code else []
    )
    assert clean(life, answers, today=TODAY)["children"] == answers["children"]


def test_the_notice_is_said_in_every_language(life: FormDefinition) -> None:
    [notice] = evaluate(life, _family(1, _child("2011-06-01", "too_young")), today=TODAY).notices
    assert notice.message["ro"].startswith("La 6 ani sau mai mult, copilul este de vârstă")
    assert notice.message["bg"].startswith("Дете на 6 или повече години е в училищна възраст")
    assert set(notice.message) >= {"de", "bg", "ro", "en"}


def test_the_notice_does_not_change_what_is_suggested(life: FormDefinition) -> None:
    """The school place is suggested from what is answered (the advisor corrects it)."""
    steps = evaluate(life, _family(1, _child("2011-06-01", "too_young")), today=TODAY)
    assert "school_place" not in {s.id for s in steps.next_steps}
    fixed = evaluate(life, _family(1, _child("2011-06-01", "waiting_school")), today=TODAY)
    assert "school_place" in {s.id for s in fixed.next_steps}
    assert fixed.notices == []


# -- the definition -------------------------------------------------------------------------------


def test_severity_is_error_or_notice(life: FormDefinition) -> None:
    assert life.uses_notices()
    data = _shipped_data()
    [household] = [s for s in data["sections"] if s["id"] == "household"]
    [children] = [f for f in household["fields"] if f["id"] == "children"]
    children["constraints"][0]["severity"] = "hint"
    with pytest.raises(FormDefinitionError) as refused:
        form_from_mapping(data)
    assert refused.value.problems == [
        "<definition>: section 'household' › field 'children' › constraint #1 › severity: "
        "Input should be 'error' or 'notice'"
    ]
    children["constraints"][0]["severity"] = "error"
    assert form_from_mapping(data).field("children").constraints[0].severity == "error"


def test_a_coordinators_version_7_may_be_replaced_by_version_8(life: FormDefinition) -> None:
    version_7 = form_from_mapping(version_7_data())
    assert not version_7.uses_notices()
    assert incompatibilities(version_7, life) == []
    # version 7 on this laptop: the count is the engine's (counted_by), the age the form's
    answers = _family(3, _child("2011-06-01", "too_young"))
    before = evaluate(version_7, answers, today=TODAY)
    assert [n.code for n in before.notices] == ["fewer_items_than_counted"]
    after = evaluate(life, answers, today=TODAY)
    assert [n.code for n in after.notices] == [
        "fewer_items_than_counted",
        "care_too_young_at_school_age",
    ]
