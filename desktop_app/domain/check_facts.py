"""What a life-situation check says of the person that their record holds too (nationality,
sex, phone, languages spoken): taken onto a record that lacks it, named where the record says
otherwise. Names and the date of birth are not: they are who the person is (duplicates,
search, letters), changed in the person's details only."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, replace
from typing import Any

from desktop_app.domain.person import (
    NATIONALITY_OF_COUNTRY,
    Person,
    Sex,
    check_phone,
    nationality_answer,
    person_values,
)
from desktop_app.domain.validation import FieldError

#: The person's fields a check fills in or names as different, in the order they are named.
CHECK_FACTS = ("nationality", "sex", "phone", "languages")
#: The check's answers each of them is read from.
ANSWERS_OF = {
    "nationality": ("nationality", "nationality_other"),
    "sex": ("sex",),
    "phone": ("phone",),
    "languages": ("languages",),
}
_COUNTRY_OF_NATIONALITY = {answer: code for code, answer in NATIONALITY_OF_COUNTRY.items()}
# A record may name Vlax Romani by its own code (rmy, as the import reads it); the form asks
# for Romani (rom).
FORM_LANGUAGE = {"rmy": "rom"}


@dataclass(frozen=True)
class FactDifference:
    """The record holds ``recorded`` where the check says ``checked`` (as the record would
    hold it: ``person_values``)."""

    field: str
    recorded: str
    checked: str


@dataclass(frozen=True)
class FactsTakenOver:
    """What storing a life-situation check did with what it says of the person."""

    filled: tuple[str, ...] = ()  # fields the record lacked, filled in from the check
    differing: tuple[FactDifference, ...] = ()  # where the record says otherwise (left as is)
    person: Person | None = None  # the record as it is after the save


#: The country code a text names ("Polen", "Полша", "Poland"), None where it names none.
CountryOf = Callable[[str], str | None]


def _named_country(answer: str, text: object, country_of: CountryOf | None) -> str:
    """The country "Which nationality?" names (``text``), where the nationality ``answer``
    ("other EU", "non-EU") is that country's: "Österreich" under "other EU" is AT, under
    "non-EU" nothing (the two answers contradict each other, and the record is not guessed)."""
    if country_of is None or not isinstance(text, str) or not text.strip():
        return ""
    code = country_of(text) or ""
    return code if code and nationality_answer(code) == answer else ""


def _phone(value: object) -> str:
    if not isinstance(value, str):
        return ""
    errors: list[FieldError] = []
    phone = check_phone(value, errors)
    return "" if errors else phone


def _digits(phone: str) -> str:
    return "".join(ch for ch in phone if ch.isdigit())


def checked_values(
    person: Person, answers: Mapping[str, Any], country_of: CountryOf | None = None
) -> dict[str, str]:
    """What the check's ``answers`` say of ``CHECK_FACTS`` as ``person``'s record would hold
    it; a fact the answers leave open, or say in a way the record cannot hold (a nationality
    "other EU" whose "Which nationality?" names no country ``country_of`` knows, a phone with
    letters), is left out."""
    found: dict[str, str] = {}
    nationality = answers.get("nationality")
    if isinstance(nationality, str):
        code = _COUNTRY_OF_NATIONALITY.get(nationality) or _named_country(
            nationality, answers.get("nationality_other"), country_of
        )
        if code:
            found["nationality"] = code
        elif person.nationality and nationality_answer(person.nationality) == nationality:
            found["nationality"] = person.nationality  # "other EU" and the record's Poland
    sex = answers.get("sex")
    if isinstance(sex, str) and sex in {s.value for s in Sex}:
        found["sex"] = sex
    if phone := _phone(answers.get("phone")):
        found["phone"] = phone
    spoken = answers.get("languages")
    if isinstance(spoken, list):
        codes = [c for c in dict.fromkeys(spoken) if isinstance(c, str) and c != "other"]
        # The record's languages the form has no option for stay; Romani as the record names it.
        recorded = person.languages
        as_form = {FORM_LANGUAGE.get(code, code): code for code in recorded}
        kept = [code for code in recorded if FORM_LANGUAGE.get(code, code) not in _FORM_CODES]
        value = [as_form.get(code, code) for code in codes] + kept
        if codes:
            found["languages"] = ",".join(dict.fromkeys(value))
    return found


# The language options of the life-situation form (resources/forms/life_situation.yaml).
_FORM_CODES = frozenset(("bg", "ro", "tr", "rom", "hu", "de", "en", "ru"))


def same_value(name: str, recorded: str, checked: str) -> bool:
    if name == "phone":
        return _digits(recorded) == _digits(checked)
    if name == "languages":
        return set(recorded.split(",")) == set(checked.split(","))
    return recorded == checked


def compare(
    person: Person,
    answers: Mapping[str, Any],
    fields: tuple[str, ...] = CHECK_FACTS,
    country_of: CountryOf | None = None,
) -> tuple[dict[str, str], list[FactDifference]]:
    """(values of ``fields`` the record lacks and the check holds, where the record holds
    another value than the check); ``country_of`` reads the country "Which nationality?"
    names."""
    recorded = person_values(person)
    checked = checked_values(person, answers, country_of)
    missing: dict[str, str] = {}
    differing: list[FactDifference] = []
    for name in fields:
        value = checked.get(name)
        if not value:
            continue
        if not recorded[name]:
            missing[name] = value
        elif not same_value(name, recorded[name], value):
            differing.append(FactDifference(name, recorded[name], value))
    return missing, differing


def with_values(person: Person, values: Mapping[str, str]) -> Person:
    """``person`` with ``values`` (as ``checked_values`` gives them) put in."""
    changes: dict[str, Any] = {}
    for name, value in values.items():
        if name == "sex":
            changes["sex"] = Sex(value)
        elif name == "languages":
            changes["languages"] = tuple(code for code in value.split(",") if code)
        else:
            changes[name] = value
    return replace(person, **changes)
