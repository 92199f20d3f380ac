"""A person who comes to an advice session, as the advisor records them."""

from __future__ import annotations

import datetime as dt
import enum
import re
import unicodedata
from dataclasses import dataclass, field, replace
from typing import ClassVar

from desktop_app.domain.dates import PartialDate, PartialDateError
from desktop_app.domain.fingerprints import fingerprint_text
from desktop_app.domain.validation import (
    FieldError,
    ValidationFailed,
    has_control_characters,
    scripts_of,
)

# The life-situation form's answer about a nationality recorded as an ISO code (the check's
# answers agree with the person's record: it fills them in, and so does the demo data).
NATIONALITY_OF_COUNTRY = {"BG": "bulgarian", "RO": "romanian"}
# fmt: off
EU_COUNTRIES = frozenset((
    "AT", "BE", "CY", "CZ", "DE", "DK", "EE", "ES", "FI", "FR", "GR", "HR", "HU",
    "IE", "IT", "LT", "LU", "LV", "MT", "NL", "PL", "PT", "SE", "SI", "SK",
))
# fmt: on


def nationality_answer(country: str) -> str:
    """The form's nationality answer for the recorded ``country``; "" where none is recorded."""
    if not country:
        return ""
    return NATIONALITY_OF_COUNTRY.get(country, "other_eu" if country in EU_COUNTRIES else "non_eu")


class Sex(enum.StrEnum):
    FEMALE = "female"
    MALE = "male"
    DIVERSE = "diverse"
    NOT_STATED = "not_stated"


@dataclass(frozen=True)
class PersonDraft:
    """What a user enters to register or edit a person (not yet validated)."""

    given_name: str
    family_name: str
    date_of_birth: str = ""  # as typed: "1985", "1985-03", "14.03.1985" …
    sex: str = ""
    nationality: str = ""  # ISO 3166-1 alpha-2, e.g. "BG", "RO"
    languages: tuple[str, ...] = ()  # ISO 639-1, e.g. ("bg", "tr")
    phone: str = ""
    notes: str = ""
    id_document_name: str = ""  # as on the ID card or passport, in Latin letters


# The fields of a person that sync and merge one by one.
PERSON_FIELDS = (
    "given_name",
    "family_name",
    "date_of_birth",
    "sex",
    "nationality",
    "languages",
    "phone",
    "notes",
    "id_document_name",
)

# The fields of a person's record that sync keeps for it (its revision, clocks, who changed it
# last where, whether it was erased), after the synced ones.
PERSON_BOOKKEEPING = (
    "revision",
    "updated_hlc",
    "device_id",
    "author_id",
    "deleted",
    "field_clocks",
)

# Left out of a queued letter's fingerprint (``Person.FINGERPRINT``): what no letter shows.
_PERSON_NOT_IN_FINGERPRINT = ("notes", *PERSON_BOOKKEEPING)
_PERSON_FINGERPRINT = (
    "id",
    *(name for name in PERSON_FIELDS if name not in _PERSON_NOT_IN_FINGERPRINT),
)


@dataclass(frozen=True)
class Person:
    """A registered person. Names are kept exactly as written, in any script."""

    id: str
    given_name: str
    family_name: str
    date_of_birth: PartialDate | None = None
    sex: Sex | None = None
    nationality: str = ""
    languages: tuple[str, ...] = ()
    phone: str = ""
    notes: str = ""
    # The name as the ID card or passport spells it in Latin letters ("Gueorguieva" for
    # "Георгиева"): letters to offices carry it, and a search by it finds the person.
    id_document_name: str = ""
    revision: int = 1
    updated_hlc: str = ""
    device_id: str = ""
    author_id: str = ""
    deleted: bool = False
    field_clocks: dict[str, tuple[str, str]] = field(default_factory=dict)

    #: The fields a queued letter's fingerprint takes the person by, in this order (written as
    #: the dataclass's repr wrote them: ``domain.fingerprints``), and those it leaves out: the
    #: notes and the record's bookkeeping (revision, clocks, who changed it last), which no
    #: letter shows. With them in, every synced change to a person (each bumps the revision
    #: and the clocks) made their queued letters again, to the same bytes.
    FINGERPRINT: ClassVar[tuple[str, ...]] = _PERSON_FINGERPRINT
    NOT_IN_FINGERPRINT: ClassVar[tuple[str, ...]] = _PERSON_NOT_IN_FINGERPRINT

    def fingerprint(self) -> str:
        return fingerprint_text(self, self.FINGERPRINT)

    @property
    def display_name(self) -> str:
        return f"{self.family_name}, {self.given_name}".strip(", ")

    @property
    def id_name_differs(self) -> bool:
        """Whether the name on the ID document is recorded and written otherwise than the
        name (not only in capitals or in another order: "PETROVA Maria" is "Maria Petrova")."""
        if not self.id_document_name:
            return False
        return not same_name(self.id_document_name, f"{self.given_name} {self.family_name}")


def same_name(one: str, other: str) -> bool:
    """Whether two names are written alike but for capitals, commas and the order of their
    words ("PETROVA, Maria" and "Maria Petrova")."""
    return _words(one) == _words(other)


def _words(name: str) -> list[str]:
    return sorted(name.replace(",", " ").casefold().split())


NAME_MAX = 200
ID_NAME_MAX = 400  # given and family names together, as on the document
# Besides Latin letters (and their accents), what a name on an ID document is written with.
_ID_NAME_MARKS = frozenset(" -'’.,")
NOTES_MAX = 10_000
PHONE_DIGITS_MIN, PHONE_DIGITS_MAX = 5, 15
_PHONE_CHARS = set("0123456789 +-/().")


def _name_problem(value: str, most: int) -> FieldError | None:
    """What every name field refuses (``field`` left empty): too long, control characters,
    no letter at all."""
    if len(value) > most:
        return FieldError("", "too_long", {"max": most})
    if has_control_characters(value):
        return FieldError("", "control_characters")
    if not any(ch.isalpha() for ch in value):
        return FieldError("", "no_letters")
    return None


def _check_name(field_name: str, value: str, errors: list[FieldError]) -> str:
    value = " ".join(value.split())
    if not value:
        errors.append(FieldError(field_name, "required"))
    elif problem := _name_problem(value, NAME_MAX):
        errors.append(replace(problem, field=field_name))
    elif not value.isascii() and any(len(scripts_of(word)) > 1 for word in value.split()):
        # "Pеtrov" with a Cyrillic е looks right but never matches a search: refuse it.
        errors.append(FieldError(field_name, "mixed_scripts"))
    return value


def _is_latin(name: str) -> bool:
    return all(
        ch in _ID_NAME_MARKS
        or unicodedata.category(ch) == "Mn"  # a combining accent ("s" + comma below)
        or (ch.isalpha() and unicodedata.name(ch, "").startswith("LATIN"))
        for ch in name
    )


def check_id_document_name(value: str, errors: list[FieldError]) -> str:
    """The name as on the ID document: optional, and in Latin letters only (a Cyrillic one is
    the name itself, and the letters to offices need the document's Latin spelling)."""
    value = unicodedata.normalize("NFC", " ".join(value.split()))
    if not value:
        return ""
    if problem := _name_problem(value, ID_NAME_MAX):
        errors.append(replace(problem, field="id_document_name"))
    elif not _is_latin(value):
        errors.append(FieldError("id_document_name", "latin_letters_only"))
    return value


def check_phone(value: str, errors: list[FieldError]) -> str:
    """A phone number as the record keeps it (spaces made single), or a problem in ``errors``."""
    phone = " ".join(value.split())
    if phone:
        digit_count = sum(ch.isdigit() for ch in phone)
        if len(phone) > 40 or not set(phone) <= _PHONE_CHARS:
            errors.append(FieldError("phone", "phone_characters"))
        elif not PHONE_DIGITS_MIN <= digit_count <= PHONE_DIGITS_MAX:
            errors.append(FieldError("phone", "phone_length"))
    return phone


def validate_person(draft: PersonDraft, today: dt.date) -> Person:
    """Check a draft and return the normalised person (with an empty id), or raise."""
    errors: list[FieldError] = []
    given = _check_name("given_name", draft.given_name, errors)
    family = _check_name("family_name", draft.family_name, errors)
    id_name = check_id_document_name(draft.id_document_name, errors)

    dob: PartialDate | None = None
    if draft.date_of_birth.strip():
        if len(draft.date_of_birth) > 20:
            errors.append(FieldError("date_of_birth", "date_format"))
        else:
            try:
                dob = PartialDate.parse(draft.date_of_birth)
            except PartialDateError as exc:
                errors.append(FieldError("date_of_birth", f"date_{exc.code}"))
            else:
                if dob.earliest() > today:
                    errors.append(FieldError("date_of_birth", "date_in_future"))
                elif dob.year < 1900:
                    errors.append(FieldError("date_of_birth", "date_before_1900"))

    sex: Sex | None = None
    if draft.sex:
        try:
            sex = Sex(draft.sex)
        except ValueError:
            errors.append(FieldError("sex", "not_an_option"))

    nationality = draft.nationality.strip().upper()
    if nationality and not re.fullmatch(r"[A-Z]{2}", nationality):
        errors.append(FieldError("nationality", "not_an_option"))

    languages = tuple(
        dict.fromkeys(code.strip().lower() for code in draft.languages if code.strip())
    )
    if any(not re.fullmatch(r"[a-z]{2,3}", code) for code in languages) or len(languages) > 20:
        errors.append(FieldError("languages", "not_an_option"))

    phone = check_phone(draft.phone, errors)

    notes = draft.notes.strip()
    if len(notes) > NOTES_MAX:
        errors.append(FieldError("notes", "too_long", {"max": NOTES_MAX}))
    elif has_control_characters(notes, allow_newlines=True):
        errors.append(FieldError("notes", "control_characters"))

    if errors:
        raise ValidationFailed(errors)
    return Person(
        id="",
        given_name=given,
        family_name=family,
        date_of_birth=dob,
        sex=sex,
        nationality=nationality,
        languages=languages,
        phone=phone,
        notes=notes,
        id_document_name=id_name,
    )


def person_values(person: Person) -> dict[str, str]:
    """A person's synced fields as text, as they travel and are compared."""
    return {
        "given_name": person.given_name,
        "family_name": person.family_name,
        "date_of_birth": person.date_of_birth.iso() if person.date_of_birth else "",
        "sex": person.sex.value if person.sex else "",
        "nationality": person.nationality,
        "languages": ",".join(person.languages),
        "phone": person.phone,
        "notes": person.notes,
        "id_document_name": person.id_document_name,
    }
