"""Generated bad answers: each gets a clear error at its field or is dropped as not relevant;
nothing raises except ``InvalidAnswers`` from ``clean``, and nothing half-valid is accepted."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from desktop_app.forms import (
    FormDefinition,
    InvalidAnswers,
    clean,
    evaluate,
    load_shipped_forms,
)
from desktop_app.forms.definition import FieldDef, FieldType

TODAY = dt.date(2026, 11, 25)
FORMS = load_shipped_forms()
LIFE = FORMS["life_situation"]
SKILLS = FORMS["skills_check"]

json_scalars = (
    st.none()
    | st.booleans()
    | st.integers(min_value=-(10**30), max_value=10**30)
    | st.floats(allow_nan=True)
    | st.text(max_size=30)
    | st.text(alphabet=st.characters(codec="utf-8"), max_size=30)
)
json_values = st.recursive(
    json_scalars,
    lambda inner: (
        st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=12), inner, max_size=4)
    ),
    max_leaves=12,
)

control_chars = st.sampled_from(["\x00", "\x07", "\x1b", "\r", "\x7f", "\x85", "\x9f", "\ud800"])
huge_strings = st.integers(min_value=10_001, max_value=30_000).map(lambda n: "ж" * n)
FUTURE_DAY = "2026-11-26"  # after TODAY
impossible_dates = st.sampled_from(
    [
        "2023-02-29",
        "1990-13-01",
        "1990-00",
        "1899-12-31",
        "1850",
        "2999",
        "2999-12-31",
        FUTURE_DAY,
        "14.03.1985",
        "1985-3-14",
        "85",
        "",
        " 1985",
        "1985-03-14T00:00",
        "١٩٨٥",
    ]
)


def bad_value_for(f: FieldDef) -> st.SearchStrategy[Any]:
    """Values that must never be stored for field ``f``."""
    wrong = json_values.filter(lambda v: not _plausible(f, v))
    if f.type in (FieldType.TEXT, FieldType.MULTILINE):
        padded = st.tuples(st.text(max_size=5), control_chars, st.text(max_size=5)).map(
            lambda parts: "".join(parts)
        )
        return wrong | huge_strings | padded
    if f.type == FieldType.DATE:
        # a date after TODAY is wrong only where the field allows no future date (an EHIC's
        # "valid until" does)
        return wrong | impossible_dates.filter(
            lambda d: d.strip() != "" and not (f.allow_future and d == FUTURE_DAY)
        )
    if f.type == FieldType.INTEGER:
        low = f.min if f.min is not None else -(10**6)
        high = f.max if f.max is not None else 10**6
        return wrong | st.integers(max_value=low - 1) | st.integers(min_value=high + 1)
    if f.type in (FieldType.SINGLE_CHOICE, FieldType.YES_NO_UNKNOWN):
        return wrong | st.text(min_size=1, max_size=20).filter(lambda s: s not in f.option_ids())
    if f.type == FieldType.MULTI_CHOICE:
        ids = f.option_ids()
        return (
            wrong
            | st.lists(st.text(min_size=1, max_size=8).filter(lambda s: s not in ids), min_size=1)
            | st.sampled_from(ids).map(lambda i: [i, i])
        )
    if f.type == FieldType.CEFR:
        return wrong | st.fixed_dictionaries(
            {"level": st.sampled_from(["A1", "B2"]), "assessed": st.text(max_size=8)}
        ).filter(lambda v: v["assessed"] not in ("", "self", "tested", "certificate"))
    return wrong.filter(lambda v: not isinstance(v, list)) | st.lists(
        st.none() | st.integers(), min_size=1, max_size=3
    )


def _plausible(f: FieldDef, value: Any) -> bool:
    """Values the generic generator might produce that are in fact fine or empty."""
    if value is None or value == "" or value == [] or value == {}:
        return True
    if f.type in (FieldType.TEXT, FieldType.MULTILINE):
        return isinstance(value, str)
    if f.type == FieldType.INTEGER:
        return (
            type(value) is int
            and (f.min is None or value >= f.min)
            and (f.max is None or value <= f.max)
        )
    if f.type in (FieldType.SINGLE_CHOICE, FieldType.YES_NO_UNKNOWN):
        return value in f.option_ids()
    if f.type == FieldType.CEFR:
        return isinstance(value, dict) and not any(value.values())
    if f.type == FieldType.GROUP:
        return isinstance(value, list) and all(isinstance(v, dict) for v in value)
    return False


def full_life() -> dict[str, Any]:
    return {
        "family_name": "Popescu",
        "given_names": "Ștefan",
        "date_of_birth": "1988-07",
        "sex": "female",
        "nationality": "romanian",
        "languages": ["ro", "hu"],
        "address_registration": "appointment",
        "children_count": 1,
        "children": [{"child_birth": "2017", "child_lives": "with_person", "child_care": "school"}],
        "housing_type": "shared_overcrowded",
        "rent": 300,
        "insurance_status": "ehic",
        "pregnant": "unknown",
        "urgent_medical_need": "no",
        "children_vaccinations": "unknown",
        "work_status": ["seasonal"],
        "work_exploitation_signs": ["excessive_hours"],
        "exploitation_notes": "12 Stunden täglich",
        "session_language": "ro",
        "topics": ["labour_rights"],
        "urgency": "today",
        "notes": "Zeile 1\nZeile 2\tTab",
    }


ALL_LIFE_FIELDS = [f for f in LIFE.fields()]


def assert_stored_answers_are_sound(form: FormDefinition, stored: dict[str, Any]) -> None:
    """What ``clean`` returns passes again unchanged and contains relevant answers only."""
    again = evaluate(form, stored, today=TODAY, require_complete=False)
    assert again.errors == []
    assert again.answers == stored
    assert all(again.is_relevant(key) for key in stored)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_one_bad_answer_is_reported_at_its_field_or_dropped(data: st.DataObject) -> None:
    answers = full_life()
    target = data.draw(st.sampled_from(ALL_LIFE_FIELDS), label="field")
    bad = data.draw(bad_value_for(target), label="value")
    answers[target.id] = bad
    state = evaluate(LIFE, answers, today=TODAY, require_complete=False)
    if state.is_relevant(target.id):
        paths = {e.field_path for e in state.errors}
        assert any(p == target.id or p.startswith(f"{target.id}[") for p in paths), state.errors
        with pytest.raises(InvalidAnswers):
            clean(LIFE, answers, today=TODAY)
    else:
        assert target.id not in state.answers
        assert target.id in state.dropped
        assert_stored_answers_are_sound(LIFE, clean(LIFE, answers, today=TODAY))


@settings(max_examples=300, deadline=None)
@given(
    answers=st.dictionaries(
        st.sampled_from([f.id for f in ALL_LIFE_FIELDS]) | st.text(max_size=10),
        json_values,
        max_size=25,
    )
)
def test_arbitrary_answers_never_crash_and_never_half_pass(answers: dict[str, Any]) -> None:
    state = evaluate(LIFE, answers, today=TODAY)  # must not raise
    assert all(set(e.message) >= {"de", "bg", "ro", "en"} for e in state.errors)
    try:
        stored = clean(LIFE, answers, today=TODAY)
    except InvalidAnswers as exc:
        assert exc.errors
        return
    assert_stored_answers_are_sound(LIFE, stored)


@settings(max_examples=200, deadline=None)
@given(
    items=st.lists(
        st.dictionaries(
            st.sampled_from(["language", "language_other", "level", "junk"]),
            json_values
            | st.sampled_from(["de", "other", "bg"])
            | st.fixed_dictionaries(
                {
                    "level": st.sampled_from(["A0", "A1", "C2", "Z9"]),
                    "assessed": st.sampled_from(["self", "tested", "guess"]),
                }
            ),
            max_size=4,
        )
        | json_scalars,
        max_size=14,
    )
)
def test_repeatable_groups_with_generated_items(items: list[Any]) -> None:
    answers = {"language_levels": items, "latin_literacy": "fluent", "school_years": 10}
    state = evaluate(SKILLS, answers, today=TODAY, require_complete=False)
    try:
        stored = clean(SKILLS, answers, today=TODAY)
    except InvalidAnswers:
        assert state.errors
        return
    assert state.errors == []
    assert_stored_answers_are_sound(SKILLS, stored)
    for item in stored.get("language_levels", []):
        assert set(item) <= {"language", "language_other", "level"}
        assert "language_other" not in item or item.get("language") == "other"


def test_answers_that_are_not_a_mapping() -> None:
    for junk in (None, [], "answers", 5, [("family_name", "x")]):
        state = evaluate(LIFE, junk, today=TODAY)
        assert state.errors[0].code == "not_answers"
        with pytest.raises(InvalidAnswers):
            clean(LIFE, junk, today=TODAY)


@pytest.mark.parametrize(
    ("field_id", "value", "code"),
    [
        ("family_name", "x" * 201, "too_long"),
        ("notes", "y" * 10_001, "too_long"),
        ("family_name", "Pet\x00rov", "control_chars"),
        ("family_name", "Petrov\n", "control_chars"),
        ("notes", "ok\r\nnot ok", "control_chars"),
        ("notes", "lone \ud800 surrogate", "control_chars"),
        ("date_of_birth", "2023-02-29", "date_impossible"),
        ("date_of_birth", "1899", "date_too_early"),
        ("date_of_birth", "2027", "date_future"),
        ("ehic_valid_until", "2207-03-31", "date_too_late"),
        ("date_of_birth", "14.03.1985", "date_format"),
        ("date_of_birth", 1985, "wrong_type"),
        ("date_of_birth", "1985\n", "date_format"),
        ("date_of_birth", "١٩٨٥", "date_format"),
        ("children_count", "2", "wrong_type"),
        ("children_count", True, "wrong_type"),
        ("children_count", 2.0, "wrong_type"),
        ("children_count", 21, "above_max"),
        ("children_count", -1, "below_min"),
        ("nationality", "martian", "unknown_option"),
        ("languages", ["bg", "xx"], "unknown_option"),
        ("languages", ["bg", "bg"], "duplicate_option"),
        ("languages", "bg", "wrong_type"),
        ("tax_id", "maybe", "unknown_option"),
        ("children", {"child_birth": "2019"}, "wrong_type"),
        (
            "children",
            [{"child_birth": "2019", "child_lives": "with_person"}] * 21,
            "too_many_items",
        ),
    ],
)
def test_specific_bad_answers(field_id: str, value: Any, code: str) -> None:
    answers = full_life()
    answers[field_id] = value
    if field_id == "children" and isinstance(value, list):
        answers["children_count"] = 20
    errors = [(e.field_path, e.code) for e in evaluate(LIFE, answers, today=TODAY).errors]
    assert (field_id, code) in errors


def test_text_is_trimmed_and_tabs_newlines_kept_in_multiline() -> None:
    answers = full_life()
    answers["family_name"] = "  Popescu  "
    answers["notes"] = "  a\n\tb  "
    stored = clean(LIFE, answers, today=TODAY)
    assert stored["family_name"] == "Popescu"
    assert stored["notes"] == "a\n\tb"
    answers["phone"] = "   "
    assert "phone" not in clean(LIFE, answers, today=TODAY)
