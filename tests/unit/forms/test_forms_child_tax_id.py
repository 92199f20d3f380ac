"""Each child's Steuer-ID (life-situation check, version 10): asked per child in the children
group, for a child in Germany while Kindergeld is not received yet or is a topic of the visit
(the Familienkasse needs it for Kindergeld); and a laptop still on version 9 (no such question)
keeps the answers a version-10 laptop recorded, as with any child's question of a newer version
(``desktop_app.forms.newer``), and a coordinator's version 9 may be replaced by it."""

from __future__ import annotations

import json
from typing import Any

import pytest
import yaml

from desktop_app.domain.life_facts import CHILD_IN_GERMANY, LifeFacts
from desktop_app.forms import FormDefinition, clean, evaluate
from desktop_app.forms.compat import incompatibilities
from desktop_app.forms.definition import form_from_mapping
from desktop_app.forms.newer import shown_answers, unknown_answers, with_unknown_kept
from desktop_app.paths import resource
from tests.unit.forms.test_forms_evaluator import TODAY, full_life_situation
from tests.unit.forms.test_forms_versions import RECORDED, fingerprint

FIELD = "child_tax_id"


def _shipped_data() -> dict[str, Any]:
    data = yaml.safe_load((resource("forms") / "life_situation.yaml").read_text("utf-8"))
    assert isinstance(data, dict)
    return data


def version_9_data() -> dict[str, Any]:
    """The form as version 9 was (checked against its fingerprint): version 10 without the
    child's Steuer-ID."""
    data = _shipped_data()
    assert data["version"] == 10
    data["version"] = 9
    [household] = [s for s in data["sections"] if s["id"] == "household"]
    [children] = [f for f in household["fields"] if f["id"] == "children"]
    children["fields"] = [f for f in children["fields"] if f["id"] != FIELD]
    recorded = json.loads(RECORDED.read_text(encoding="utf-8"))
    assert fingerprint(data) == recorded["life_situation"]["9"]
    return data


@pytest.fixture(scope="module")
def life() -> FormDefinition:
    return form_from_mapping(_shipped_data())


def _family(*, benefits: list[str] | None, topics: list[str], **first: Any) -> dict[str, Any]:
    """``full_life_situation``'s two children in the household, ``first`` changing the first."""
    answers = full_life_situation()
    answers["children"] = [{**answers["children"][0], **first}, answers["children"][1]]
    answers["topics"] = topics
    if benefits is None:
        answers.pop("benefits")
    else:
        answers["benefits"] = benefits
    return answers


@pytest.mark.parametrize(
    ("benefits", "topics", "asked"),
    [
        (["kindergeld"], ["jobcenter"], False),  # received, and not what the visit is about
        (["kindergeld"], ["kindergeld", "jobcenter"], True),  # received, but a topic (a new baby)
        (["buergergeld"], ["jobcenter"], True),  # not received
        (None, ["jobcenter"], True),  # benefits not asked yet: not known to be received
    ],
)
def test_asked_for_each_child_while_kindergeld_is_not_received_or_is_a_topic(
    life: FormDefinition, benefits: list[str] | None, topics: list[str], asked: bool
) -> None:
    answers = _family(benefits=benefits, topics=topics, **{FIELD: "no"})
    answers["children"][1][FIELD] = "yes"
    state = evaluate(life, answers, today=TODAY)
    assert state.errors == []
    assert state.is_relevant(f"children[0].{FIELD}") is asked
    assert state.is_relevant(f"children[1].{FIELD}") is asked
    kept = clean(life, answers, today=TODAY, require_complete=True)["children"]
    assert [c.get(FIELD) for c in kept] == (["no", "yes"] if asked else [None, None])


@pytest.mark.parametrize(("lives", "asked"), [("elsewhere_de", True), ("home_country", False)])
def test_asked_for_a_child_in_germany_only(life: FormDefinition, lives: str, asked: bool) -> None:
    """A child living in the home country gets no Steuer-ID here (the Familienkasse identifies
    it otherwise); one elsewhere in Germany does. Optional, as the adult's."""
    answers = _family(benefits=["none"], topics=["kindergeld"], child_lives=lives)
    answers["children"][0].pop("child_care")
    state = evaluate(life, answers, today=TODAY)
    assert state.errors == []
    assert state.is_relevant(f"children[0].{FIELD}") is asked
    assert state.is_relevant(f"children[1].{FIELD}")  # in the household, not answered


def test_the_question_in_every_language(life: FormDefinition) -> None:
    [household] = [s for s in life.sections if s.id == "household"]
    [children] = [f for f in household.fields if f.id == "children"]
    [question] = [f for f in children.fields or () if f.id == FIELD]
    assert question.label.get("de") == (
        "Steuerliche Identifikationsnummer (Steuer-ID) des Kindes vorhanden?"
    )
    assert question.label.get("bg") == "Има ли детето данъчен идентификационен номер (Steuer-ID)?"
    assert question.label.get("ro") == "Are copilul număr de identificare fiscală (Steuer-ID)?"
    assert question.label.get("en") == "Does the child have a tax ID (Steuer-ID)?"


def test_a_coordinators_version_9_may_be_replaced_by_version_10(life: FormDefinition) -> None:
    version_9 = form_from_mapping(version_9_data())
    assert incompatibilities(version_9, life) == []
    # the other way round a question would be lost: refused
    assert [i.code for i in incompatibilities(life, version_9)] == [
        "version_lower",
        "field_removed",
    ]


def test_a_laptop_on_version_9_keeps_the_childrens_answers_a_version_10_laptop_recorded() -> None:
    version_9 = form_from_mapping(version_9_data())
    stored = _family(benefits=["none"], topics=["kindergeld"], **{FIELD: "no"})
    stored["children"][1][FIELD] = "yes"
    assert unknown_answers(version_9, stored) == {"children": stored["children"]}
    shown = shown_answers(version_9, stored)
    assert all(FIELD not in c for c in shown["children"])
    # an advisor there edits what the form shows (the first child's school); the save keeps
    # both children's Steuer-ID answers
    shown["children"][0]["child_care"] = "waiting_school"
    edited = clean(version_9, {**shown, "urgency": "today"}, today=TODAY)
    saved = with_unknown_kept(version_9, edited, stored)
    assert [c.get(FIELD) for c in saved["children"]] == ["no", "yes"]
    assert saved["children"][0]["child_care"] == "waiting_school"
    assert saved["urgency"] == "today"


@pytest.mark.parametrize("own", ["yes", "no", "unknown", None])
def test_asked_and_kept_whatever_the_persons_own_answer(
    life: FormDefinition, own: str | None
) -> None:
    """A parent still waiting for their own Steuer-ID ("no") can have a child born or
    registered here who has one: the child's question depends on Kindergeld and where the
    child lives, not on the parent's answer, and validation keeps its answer ("unknown" too,
    which the letter to the Familienkasse asks for). Version 10 as it is: no question changes
    for stored answers, so no new version."""
    answers = _family(benefits=["none"], topics=["kindergeld"], **{FIELD: "unknown"})
    answers["children"][1][FIELD] = "yes"
    if own is None:
        answers.pop("tax_id")
    else:
        answers["tax_id"] = own
    state = evaluate(life, answers, today=TODAY)
    assert state.errors == []
    assert state.is_relevant(f"children[0].{FIELD}") and state.is_relevant(f"children[1].{FIELD}")
    kept = clean(life, answers, today=TODAY, require_complete=True)
    assert [c.get(FIELD) for c in kept["children"]] == ["unknown", "yes"]
    assert kept.get("tax_id") == own
    assert life.version == 10


@pytest.mark.parametrize("lives", ["with_person", "elsewhere_de", "home_country"])
def test_the_letters_children_in_germany_are_those_the_form_asks(
    life: FormDefinition, lives: str
) -> None:
    """The letter asks for the Steuer-ID of the children the form asks it of
    (``Child.in_germany``, ``CHILD_IN_GERMANY``): the two may not drift apart."""
    answers = _family(benefits=["none"], topics=["kindergeld"], child_lives=lives)
    if lives != "with_person":
        answers["children"][0].pop("child_care")
    state = evaluate(life, answers, today=TODAY)
    child = LifeFacts.from_answers(answers).children[0]
    assert state.is_relevant(f"children[0].{FIELD}") is child.in_germany
    assert child.in_germany is (lives in CHILD_IN_GERMANY)
