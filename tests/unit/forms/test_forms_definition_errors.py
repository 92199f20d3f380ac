"""Broken definition files are refused at load, with messages naming file, place and problem."""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import pytest
import yaml

from desktop_app.forms.check import check_paths
from desktop_app.forms.definition import FormDefinitionError, load_form


def lab(text: str) -> dict[str, str]:
    return {"de": f"{text} (de)", "bg": f"{text} (bg)", "ro": f"{text} (ro)", "en": text}


def minimal() -> dict[str, Any]:
    return {
        "id": "tiny",
        "version": 1,
        "title": lab("Tiny"),
        "sections": [
            {
                "id": "main",
                "label": lab("Main"),
                "fields": [
                    {"id": "amount", "type": "integer", "label": lab("Count"), "min": 0},
                    {
                        "id": "status",
                        "type": "single_choice",
                        "label": lab("Status"),
                        "options": [{"id": "a", "label": lab("A")}, {"id": "b", "label": lab("B")}],
                    },
                    {
                        "id": "items",
                        "type": "group",
                        "label": lab("Items"),
                        "relevant": "amount > 0",
                        "fields": [
                            {"id": "name", "type": "text", "label": lab("Name")},
                            {"id": "kind", "type": "yes_no_unknown", "label": lab("Kind")},
                        ],
                    },
                ],
            }
        ],
    }


def write(tmp_path: Path, data: Any, name: str = "tiny.yaml") -> Path:
    path = tmp_path / name
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    return path


def problems(tmp_path: Path, data: Any) -> list[str]:
    with pytest.raises(FormDefinitionError) as info:
        load_form(write(tmp_path, data))
    assert all(p.startswith("tiny.yaml: ") for p in info.value.problems)
    return info.value.problems


def test_minimal_definition_loads(tmp_path: Path) -> None:
    form = load_form(write(tmp_path, minimal()))
    assert form.id == "tiny"
    assert [f.id for f in form.fields()] == ["amount", "status", "items"]


def test_unknown_field_type(tmp_path: Path) -> None:
    data = minimal()
    data["sections"][0]["fields"][1]["type"] = "integr"
    (problem,) = problems(tmp_path, data)
    assert "section 'main' › field 'status' › type" in problem
    assert "unknown field type 'integr'" in problem


def test_unknown_type_inside_group(tmp_path: Path) -> None:
    data = minimal()
    data["sections"][0]["fields"][2]["fields"][0]["type"] = "photo"
    (problem,) = problems(tmp_path, data)
    assert "field 'items' › field 'name' › type" in problem
    assert "'photo'" in problem


def test_condition_referencing_missing_field(tmp_path: Path) -> None:
    data = minimal()
    data["sections"][0]["fields"][1]["relevant"] = "cuont > 1"
    (problem,) = problems(tmp_path, data)
    assert "field 'status' › relevant" in problem
    assert "missing field 'cuont'" in problem


def test_group_condition_resolves_item_fields_only_inside_the_group(tmp_path: Path) -> None:
    data = minimal()
    data["sections"][0]["fields"][1]["relevant"] = "any(items, kind == 'yes')"
    load_form(write(tmp_path, data))
    data["sections"][0]["fields"][1]["relevant"] = "kind == 'yes'"
    (problem,) = problems(tmp_path, data)
    assert "missing field 'kind'" in problem
    data["sections"][0]["fields"][1]["relevant"] = "any(amount, name == 'x')"
    assert any("'amount' is not a repeatable group" in p for p in problems(tmp_path, data))


def test_missing_translation(tmp_path: Path) -> None:
    data = minimal()
    del data["sections"][0]["fields"][1]["options"][1]["label"]["ro"]
    (problem,) = problems(tmp_path, data)
    assert "section 'main' › field 'status' › option 'b' › label" in problem
    assert "missing translation 'ro'" in problem


def test_empty_translation_and_bad_language_key(tmp_path: Path) -> None:
    data = minimal()
    data["title"]["bg"] = "  "
    data["sections"][0]["label"]["Deutsch"] = "x"
    found = problems(tmp_path, data)
    assert any("title" in p and "empty translation 'bg'" in p for p in found)
    assert any("section 'main' › label" in p and "not a language code" in p for p in found)


def test_duplicate_ids(tmp_path: Path) -> None:
    data = minimal()
    data["sections"].append(copy.deepcopy(data["sections"][0]))
    data["sections"][1]["fields"] = [data["sections"][1]["fields"][0]]
    data["sections"][0]["fields"][1]["options"].append({"id": "a", "label": lab("A again")})
    found = problems(tmp_path, data)
    assert any("section 'main': duplicate section id" in p for p in found)
    assert any("field 'amount': duplicate field id" in p for p in found)
    assert any("field 'status': duplicate option id 'a'" in p for p in found)


def test_bad_option_reference(tmp_path: Path) -> None:
    data = minimal()
    data["sections"][0]["fields"][0]["relevant"] = "status in ['a', 'c']"
    (problem,) = problems(tmp_path, data)
    assert "'c' is not an option of field 'status'" in problem
    data["sections"][0]["fields"][0]["relevant"] = "any(items, kind == 'maybe')"
    (problem,) = problems(tmp_path, data)
    assert "'maybe' is not an option of field 'kind'" in problem


def test_unsafe_expression_refused(tmp_path: Path) -> None:
    data = minimal()
    data["sections"][0]["fields"][0]["relevant"] = "__import__('os').getcwd()"
    (problem,) = problems(tmp_path, data)
    assert "field 'amount' › relevant" in problem
    assert "not allowed" in problem or "unknown function" in problem


def test_cycle_refused(tmp_path: Path) -> None:
    data = minimal()
    data["sections"][0]["fields"][0]["relevant"] = "status == 'a'"
    data["sections"][0]["fields"][1]["relevant"] = "amount > 1"
    (problem,) = problems(tmp_path, data)
    assert "cycle" in problem and "'amount'" in problem and "'status'" in problem


def test_shape_problems(tmp_path: Path) -> None:
    data = minimal()
    fields = data["sections"][0]["fields"]
    fields[0]["options"] = [{"id": "x", "label": lab("X")}]
    fields[0]["max"] = -5
    del fields[1]["options"]
    fields[2]["fields"].append({"id": "inner", "type": "group", "label": lab("I"), "fields": []})
    fields[2]["max_items"] = 500
    found = problems(tmp_path, data)
    assert any("field 'amount': options are only allowed" in p for p in found)
    assert any("field 'amount': min 0 is greater than max -5" in p for p in found)
    assert any("field 'status': a single_choice field needs options" in p for p in found)
    assert any("field 'items.inner': groups cannot be nested" in p for p in found)
    assert any("field 'items': max_items 500 exceeds the limit" in p for p in found)


def test_counted_by_names_a_top_level_integer_and_belongs_to_a_group(tmp_path: Path) -> None:
    data = minimal()
    fields = data["sections"][0]["fields"]
    fields[2]["counted_by"] = "amount"
    assert load_form(write(tmp_path, data)).field("items").counted_by == "amount"
    fields[2]["counted_by"] = "status"  # not a number
    fields[1]["counted_by"] = "amount"  # not a group
    found = problems(tmp_path, data)
    assert any("field 'items': counted_by must name a top-level integer field" in p for p in found)
    assert any("field 'status': counted_by is only allowed for group fields" in p for p in found)


def _follower(**extra: Any) -> dict[str, Any]:
    """A group following ``minimal``'s ``items``: its ``name`` says which entry."""
    name = minimal()["sections"][0]["fields"][2]["fields"][0]
    checked = {"id": "checked", "type": "yes_no_unknown", "label": lab("Checked")}
    return {
        "id": "items_checked",
        "type": "group",
        "label": lab("Checked"),
        "follows": "items",
        "fields": [name, checked],
        **extra,
    }


def test_a_group_follows_another_group_naming_its_entries_by_their_answers(
    tmp_path: Path,
) -> None:
    """``follows`` (the children's health insurance follows the children): another top-level
    group, sub-fields of its ids saying which entry, at least one question of its own."""
    data = minimal()
    fields = data["sections"][0]["fields"]
    fields.append(_follower())
    assert load_form(write(tmp_path, data)).field("items_checked").follows == "items"

    fields[3] = _follower(follows="status")  # not a group
    fields[1]["follows"] = "items"  # not a group either
    found = problems(tmp_path, data)
    assert any("'items_checked': follows must name another top-level group" in p for p in found)
    assert any("field 'status': follows is only allowed for group fields" in p for p in found)

    del fields[1]["follows"]
    fields[3] = _follower(add_label=lab("Add"), max_items=5)
    fields[3]["fields"][0]["type"] = "multiline"  # not the type of items.name
    fields[3]["fields"].append({"id": "extra", "type": "text", "label": lab("Extra")})
    found = problems(tmp_path, data)
    assert any("follows another has no add_label or counted_by" in p for p in found)
    assert any("max_items is lower than that of items" in p for p in found)
    assert any("'items_checked.name': not of the type of items.name" in p for p in found)

    fields[3] = _follower()
    fields[3]["fields"] = [fields[3]["fields"][1]]  # no sub-field saying which entry
    found = problems(tmp_path, data)
    assert any("needs sub-fields of the same ids as the other's" in p for p in found)


def test_unknown_key_and_marks(tmp_path: Path) -> None:
    data = minimal()
    data["sections"][0]["fields"][0]["colour"] = "red"
    (problem,) = problems(tmp_path, data)
    assert "field 'amount' › colour: unknown key 'colour'" in problem
    data = minimal()
    data["sections"][0]["restricted"] = "secret"
    data["sections"][0]["fields"][0]["requires_consent"] = "everything"
    found = problems(tmp_path, data)
    assert any("section 'main': unknown restriction 'secret'" in p for p in found)
    assert any("field 'amount': unknown consent purpose 'everything'" in p for p in found)


def _with_consent(data: dict[str, Any]) -> dict[str, Any]:
    data["text_version"] = "2026-12-1"
    data["purposes"] = [{"id": "advice", "label": lab("Advice"), "text": lab("I agree, now")}]
    data["earlier_texts"] = [
        {"text_version": "2026-11-1", "purposes": {"advice": lab("I agree, then")}}
    ]
    return data


def test_earlier_consent_texts_load_and_are_found_by_version(tmp_path: Path) -> None:
    form = load_form(write(tmp_path, _with_consent(minimal())))
    assert form.consent_text("2026-11-1", "advice") == lab("I agree, then")
    assert form.consent_text("2026-12-1", "advice") == lab("I agree, now")
    assert form.consent_text("2026-10-1", "advice") is None
    assert form.consent_text("2026-11-1", "central_storage") is None


def test_earlier_consent_texts_are_checked(tmp_path: Path) -> None:
    data = _with_consent(minimal())
    earlier = data["earlier_texts"]
    del earlier[0]["purposes"]["advice"]["bg"]
    (problem,) = problems(tmp_path, data)
    assert "earlier text '2026-11-1' › purposes › advice: missing translation 'bg'" in problem
    data = _with_consent(minimal())
    earlier = data["earlier_texts"]
    earlier.append(copy.deepcopy(earlier[0]))
    earlier.append({"text_version": "2026-12-1", "purposes": {"advice": lab("Same as now")}})
    earlier.append({"text_version": "2026-10-1", "purposes": {"referral_sharing": lab("x")}})
    found = problems(tmp_path, data)
    assert any("earlier text '2026-11-1': text_version used twice" in p for p in found)
    assert any("earlier text '2026-12-1': is the current text_version" in p for p in found)
    assert any(
        "earlier text '2026-10-1' › referral_sharing: not a purpose of this form" in p
        for p in found
    )
    data = _with_consent(minimal())
    data["earlier_texts"][0]["purposes"] = {}
    (problem,) = problems(tmp_path, data)
    assert "earlier text '2026-11-1' › purposes: " in problem
    data = minimal()
    data["earlier_texts"] = _with_consent(minimal())["earlier_texts"]
    found = problems(tmp_path, data)
    assert any("earlier_texts: only a form with consent purposes has them" in p for p in found)


def test_yaml_booleans_as_ids_are_caught(tmp_path: Path) -> None:
    path = tmp_path / "tiny.yaml"
    text = yaml.safe_dump(minimal(), allow_unicode=True).replace("id: a\n", "id: no\n")
    path.write_text(text, encoding="utf-8")
    with pytest.raises(FormDefinitionError) as info:
        load_form(path)
    assert "option #1 › id" in info.value.problems[0]


def test_not_yaml_and_not_a_mapping(tmp_path: Path) -> None:
    bad = tmp_path / "tiny.yaml"
    bad.write_text("id: [unclosed", encoding="utf-8")
    with pytest.raises(FormDefinitionError, match=r"tiny.yaml: not valid YAML"):
        load_form(bad)
    with pytest.raises(FormDefinitionError, match="must be a mapping"):
        load_form(write(tmp_path, ["a", "b"]))


def test_check_paths_exit_codes(tmp_path: Path) -> None:
    good = write(tmp_path, minimal(), "good.yaml")
    code, messages = check_paths([good])
    assert code == 0 and "good.yaml: OK" in messages[0]

    broken = minimal()
    broken["sections"][0]["fields"][0]["type"] = "integr"
    bad = write(tmp_path, broken, "bad.yaml")
    code, messages = check_paths([good, bad])
    assert code == 1
    assert any(m.startswith("bad.yaml: ") and "unknown field type" in m for m in messages)

    code, messages = check_paths([tmp_path / "nowhere.yaml"])
    assert code == 2 and "no such file" in messages[0]

    empty = tmp_path / "empty"
    empty.mkdir()
    assert check_paths([empty])[0] == 2

    other = minimal()
    other["title"]["en"] = "Other copy"
    write(tmp_path, other, "copy.yaml")
    code, messages = check_paths([tmp_path])
    assert code == 1
    assert any("form id 'tiny' is also used" in m for m in messages)


def test_suggest_is_for_text_fields_and_names_a_known_list(tmp_path: Path) -> None:
    data = minimal()
    fields = data["sections"][0]["fields"]
    fields[2]["fields"][0]["suggest"] = "services"  # a text field inside a group
    form = load_form(write(tmp_path, data))
    assert form.field("items").subfield("name").suggest == "services"  # type: ignore[union-attr]
    assert form.suggestion_lists() == {"services"}
    fields[0]["suggest"] = "services"  # an integer
    fields[2]["fields"][0]["suggest"] = "people"
    found = problems(tmp_path, data)
    assert any("field 'amount': suggest is only allowed for text fields" in p for p in found)
    assert any(
        "field 'items.name': unknown suggestion list 'people' (known: services)" in p for p in found
    )
