"""What a referral needs from the person's latest life-situation check (resources/forms/
life_situation.yaml): the children, the address registration and the housing, and which of a
service's usual documents the person can have at all (the latest skills check, resources/forms/
skills_check.yaml, says it of the pay slips and work contract where that check does not).

Only facts the form records; an unanswered question is "not known" (an empty string), never
a guess.
"""

from __future__ import annotations

import contextlib
import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Any, ClassVar

from desktop_app.domain.dates import PartialDate, PartialDateError, whole_years
from desktop_app.domain.fingerprints import fingerprint_text

#: ``housing_type`` answers where the form asks for a written tenancy agreement (``rent_contract``
#: is relevant only there): in a shelter, on the street or with relatives there is none.
TENANCY_HOUSING = ("own_rental", "sublet", "shared_overcrowded")
#: ``housing_type`` answers of a person without a home of their own.
NO_HOME = ("homeless", "emergency_shelter")
#: ``address_registration`` answers of a person who has no Meldebescheinigung (yet).
NOT_REGISTERED = ("not_registered", "appointment")
#: ``work_status`` answers with an employer (the form asks for a work contract only there).
EMPLOYED = ("employed", "minijob", "seasonal")
#: ``work_status`` answers that earn an income (an employer's pay or one's own business).
EARNING = (*EMPLOYED, "self_employed")
#: The ``benefits`` answer of a person who receives none (any other answer is an income).
NO_BENEFITS = "none"
#: The skills check's answers: looking for work, and the fields of work experience with where
#: each was worked in (``w_where``); ``WORKED_IN_GERMANY`` are those with an employer here.
LOOKING_FOR_WORK = "looking_for_work"
EXPERIENCE_FIELD = "experience"
EXPERIENCE_WHERE = "w_where"
WORKED_IN_GERMANY = ("germany", "both")
#: Ages of the children the school administration office (Schulverwaltungsamt) deals with.
SCHOOL_OFFICE_AGES = range(5, 18)
#: The form's group of the person's children (``child_name``, ``child_birth`` …).
CHILDREN_FIELD = "children"
#: The health section's group of the children's health insurance: one entry per child, which
#: names the child as its ``children`` entry does (``CHILD_KEYS``) and holds its
#: ``CHILD_INSURANCE`` (the choices of the adult's ``insurance_status``).
CHILDREN_INSURANCE_FIELD = "children_insurance"
CHILD_INSURANCE = "child_insurance"
#: The answers of a ``children`` entry that tell which child an entry of a group following
#: it is about (a group in a restricted section cannot sit inside the child's entry, and the
#: entries of two groups do not keep their places: an empty one is not stored).
CHILD_KEYS = ("child_name", "child_birth")
#: A ``children`` entry's answer whether the child has a Steuer-ID (life-situation check
#: version 10; asked for a child in Germany while Kindergeld is not received or is a topic,
#: whatever the person's own ``tax_id`` answer: a parent still waiting for theirs can have a
#: child born or registered here who has one).
CHILD_TAX_ID = "child_tax_id"
#: ``child_lives`` answers of a child in Germany, the children the form asks the Steuer-ID of
#: (``child_tax_id``'s ``relevant``): one in the home country gets none here.
CHILD_IN_GERMANY = ("with_person", "elsewhere_de")
#: Insurance answers (the adult's and a child's) that need clearing up.
INSURANCE_TO_CLEAR = ("none", "unclear")
#: The adult's ``insurance_status`` answers a letter to the Clearingstelle or the Gesundheitsamt
#: states: what needs clearing up, and the EHIC (valid only while the person lives in the home
#: country). Insured in Germany is none of their business.
INSURANCE_TO_STATE = ("none", "ehic", "unclear")
#: The date printed on the person's EHIC (asked only with ``insurance_status`` "ehic").
EHIC_VALID_UNTIL = "ehic_valid_until"


@dataclass(frozen=True)
class Child:
    """A child as the form records it: birth date (often only the year), where they live and,
    for a child in the person's household, daycare or school (``child_care`` option id)."""

    birth: PartialDate | None
    lives: str = ""
    care: str = ""
    name: str = ""  # as typed (any script); letters to offices leave it out
    insurance: str = ""  # ``CHILD_INSURANCE`` option id; "" where not recorded (or withheld)
    #: the ``CHILD_TAX_ID`` answer (has a Steuer-ID: "yes", "no", "unknown"; "" unanswered or
    #: not asked: a child in the home country, Kindergeld received)
    tax_id: str = ""

    #: The fields a letter's fingerprint takes the child by (all of them, today), in this
    #: order, and those it leaves out (``domain.fingerprints``). The Steuer-ID answer is in:
    #: the letter to the Familienkasse says a child's is still to come, or asks for it.
    FINGERPRINT: ClassVar[tuple[str, ...]] = (
        "birth",
        "lives",
        "care",
        "name",
        "insurance",
        "tax_id",
    )
    NOT_IN_FINGERPRINT: ClassVar[tuple[str, ...]] = ()

    def fingerprint(self) -> str:
        """The text a letter's fingerprint takes the child from: the fields of
        ``FINGERPRINT`` as the dataclass's repr wrote them when the fingerprint was taken
        from it (the fingerprints of queued letters stay as they were)."""
        return fingerprint_text(self, self.FINGERPRINT)

    def age(self, today: dt.date) -> int | None:
        """Age in whole years; None where the birth date is not complete."""
        if self.birth is None or not self.birth.is_full:
            return None
        return whole_years(self.birth.earliest(), today)

    def of_school_office_age(self, today: dt.date) -> bool:
        """Whether the school administration office deals with the child: from 5 (a child
        is enrolled in the autumn before the school year it starts in at 6) to 17. Aged as the
        form's rules age it (a birth year alone counts from its 1 January); a child without a
        birth date is the office's to judge."""
        if self.birth is None:
            return True
        return whole_years(self.birth.earliest(), today) in SCHOOL_OFFICE_AGES

    @property
    def in_household(self) -> bool:
        return self.lives == "with_person"

    @property
    def insurance_to_clear(self) -> bool:
        """The child is recorded as not insured, or its insurance as unclear."""
        return self.insurance in INSURANCE_TO_CLEAR

    @property
    def without_tax_id(self) -> bool:
        """The check says the child has no Steuer-ID yet (the Bundeszentralamt für Steuern
        sends it by post after the child's Anmeldung or birth registration); "unknown" and
        unanswered are not known."""
        return self.tax_id == "no"

    @property
    def in_germany(self) -> bool:
        """The child lives in Germany (``CHILD_IN_GERMANY``), where it gets a Steuer-ID."""
        return self.lives in CHILD_IN_GERMANY

    @property
    def tax_id_not_known(self) -> bool:
        """A child in Germany whose Steuer-ID the check does not know of: answered "unknown",
        or unanswered (skipped, or a check from before version 10 asked none). The letter to
        the Familienkasse asks for it, as for one the check says is there."""
        return self.in_germany and self.tax_id in ("unknown", "")


@dataclass(frozen=True)
class LifeFacts:
    """The answers of one life-situation visit that referrals use."""

    children_count: int = 0
    children: tuple[Child, ...] = ()
    #: the form's question on the number of children was answered (0 is then "none")
    children_answered: bool = False
    address_registration: str = ""
    housing_type: str = ""
    rent_contract: str = ""
    work_status: tuple[str, ...] = ()
    work_contract: str = ""
    #: the adult's own ``insurance_status`` (health section; "" where withheld or unanswered)
    insurance: str = ""
    #: the date on the adult's EHIC, where the insurance is the EHIC and it was recorded
    ehic_valid_until: PartialDate | None = None
    #: the person's latest skills check says they have never worked in Germany and are looking
    #: for work (:func:`no_employer_by_skills`)
    no_employer_here: bool = False
    #: the ``benefits`` answers (Bürgergeld, Kindergeld … or only "none"); () unanswered
    benefits: tuple[str, ...] = ()
    #: the ``tax_id`` answer (has a Steuer-ID: "yes", "no", "unknown"; "" unanswered)
    tax_id: str = ""

    #: The fields a letter's fingerprint is taken from, in this order (:meth:`fingerprint`),
    #: and those it leaves out: every field is in one of the two.
    FINGERPRINT: ClassVar[tuple[str, ...]] = (
        "children_count",
        "children",
        "children_answered",
        "address_registration",
        "housing_type",
        "rent_contract",
        "work_status",
        "work_contract",
        "insurance",
        "ehic_valid_until",
        # the letter and the copy say a Steuer-ID is still to come (``without_tax_id``)
        "tax_id",
    )
    #: Out: they choose documents as the referral is issued, and the letter lists the
    #: referral's (a letter made again would not show them).
    NOT_IN_FINGERPRINT: ClassVar[tuple[str, ...]] = ("no_employer_here", "benefits")

    @classmethod
    def from_answers(cls, answers: Mapping[str, Any]) -> LifeFacts:
        entries = [e for e in answers.get(CHILDREN_FIELD) or () if isinstance(e, Mapping)]
        insurance = following_entries(entries, answers.get(CHILDREN_INSURANCE_FIELD), CHILD_KEYS)
        children = tuple(
            child_of(entry, _text((other or {}).get(CHILD_INSURANCE)))
            for entry, other in zip(entries, insurance, strict=True)
        )
        count = answers.get("children_count")
        return cls(
            children_count=max(count if isinstance(count, int) else 0, len(children)),
            children=children,
            children_answered=isinstance(count, int) or bool(children),
            address_registration=_text(answers.get("address_registration")),
            housing_type=_text(answers.get("housing_type")),
            rent_contract=_text(answers.get("rent_contract")),
            work_status=tuple(_text(x) for x in answers.get("work_status") or ()),
            work_contract=_text(answers.get("work_contract")),
            insurance=_text(answers.get("insurance_status")),
            ehic_valid_until=_ehic_date(answers),
            benefits=tuple(_text(x) for x in answers.get("benefits") or ()),
            tax_id=_text(answers.get("tax_id")),
        )

    @classmethod
    def from_checks(
        cls, life: Mapping[str, Any] | None, skills: Mapping[str, Any] | None
    ) -> LifeFacts | None:
        """The facts of the person's latest life-situation check (``life``'s answers) and
        latest skills check (``skills``'s); None where the person has neither. Both must be
        the person's own: a partner's check says nothing of this person's employer or
        registration."""
        if life is None and skills is None:
            return None
        facts = cls.from_answers(life or {})
        return replace(facts, no_employer_here=skills is not None and no_employer_by_skills(skills))

    def fingerprint(self) -> str:
        """The text a queued letter's fingerprint takes the facts from (``_LetterInputs.digest``
        in the referral use cases): the fields of ``FINGERPRINT``, written as the dataclass's
        repr wrote them when the fingerprint was its repr, so that letters queued before keep
        their fingerprints. A field added to the facts is in neither list until someone decides
        (tests/unit/letters/test_letter_fingerprint.py fails until then): in, where the letter
        shows it (a queued letter is made again when it changes); out, where it only chooses
        the documents as the referral is issued (the letter shows the referral's)."""
        return fingerprint_text(self, self.FINGERPRINT)

    @property
    def children_here(self) -> tuple[Child, ...]:
        return tuple(child for child in self.children if child.in_household)

    @property
    def has_no_income(self) -> bool:
        """The check records no income: the work answered with none that earns one (looking
        for work, not working) and the benefits answered "none". Either unanswered is not
        known: a person not working may live on Bürgergeld, one without benefits on a job."""
        return (
            bool(self.work_status)
            and not set(self.work_status) & set(EARNING)
            and bool(self.benefits)
            and set(self.benefits) <= {NO_BENEFITS}
        )

    @property
    def without_home(self) -> bool:
        return self.housing_type in NO_HOME

    @property
    def without_tax_id(self) -> bool:
        """The check says the person has no Steuer-ID yet: the Bundeszentralamt für Steuern
        sends it by post some weeks after the Anmeldung. "unknown" and unanswered are not
        known: the letters ask for it."""
        return self.tax_id == "no"

    @property
    def children_insurance_to_clear(self) -> tuple[Child, ...]:
        """The children in Germany recorded as not insured or with an unclear insurance (one
        living in the home country is insured there or not: no office here clears it)."""
        return tuple(
            child
            for child in self.children
            if child.insurance_to_clear and child.lives != "home_country"
        )

    @property
    def insurance_to_state(self) -> str:
        """The adult's recorded insurance where a health service is told it
        (``INSURANCE_TO_STATE``), else ""."""
        return self.insurance if self.insurance in INSURANCE_TO_STATE else ""

    def ehic_expired(self, today: dt.date) -> bool | None:
        """Whether the adult's EHIC had expired by ``today`` (it is valid through the date on
        the card); None where no EHIC or no date is recorded."""
        if self.ehic_valid_until is None:
            return None
        return self.ehic_valid_until.earliest() < today

    def can_have(self, document: str) -> bool:
        """Whether the person can have this catalogue document, by their answers: no tenancy
        agreement without a tenancy, no landlord's confirmation without a home, no
        Meldebescheinigung while not registered, no work contract or payslips without an
        employer, no children's birth certificates without children, no proof of income
        without an income (``has_no_income``), no Steuer-ID where the check says the person
        has none (it comes by post from the Bundeszentralamt für Steuern some weeks after the
        Anmeldung; no office can have the person bring it sooner). That is the person's own
        Steuer-ID only: the children's are asked for (or said to follow) by the letter to the
        Familienkasse whatever the person's answer (``referral_letter``'s
        ``children_steuer_ids``). Unanswered questions
        keep the document. The work, where the life-situation check answers it, decides over
        the skills check (``no_employer_here``): it asks about the work now, the skills check
        about experience."""
        if document == "birth_certificates":
            return not (self.children_answered and self.children_count == 0)
        if document == "landlord_confirmation":
            return not self.without_home
        if document == "rental_contract":
            if self.housing_type and self.housing_type not in TENANCY_HOUSING:
                return False
            return self.rent_contract != "no"
        if document == "registration":
            return self.address_registration not in NOT_REGISTERED
        if document == "income_proof":
            return not self.has_no_income
        if document == "tax_id":
            return not self.without_tax_id
        if document in ("work_contract", "payslips"):
            if self.work_status and not set(self.work_status) & set(EMPLOYED):
                return False
            if not self.work_status and self.no_employer_here:
                return False
            return document != "work_contract" or self.work_contract != "no"
        return True


def documents_to_bring(documents: Sequence[str], facts: LifeFacts | None) -> tuple[str, ...]:
    """``documents`` (catalogue ids or the advisor's own words) without those the person
    cannot have (:meth:`LifeFacts.can_have`); all of them where no life situation is known."""
    if facts is None:
        return tuple(documents)
    return tuple(d for d in documents if facts.can_have(d))


def no_employer_by_skills(answers: Mapping[str, Any]) -> bool:
    """Whether a skills check's answers say the person has no employer in Germany: looking for
    work, with work experience recorded and every field of it worked in elsewhere (in the home
    country, another country). No experience recorded, or one without where it was, is not
    known: a job seeker may have a mini-job here."""
    if answers.get(LOOKING_FOR_WORK) != "yes":
        return False
    entries = answers.get(EXPERIENCE_FIELD)
    if not isinstance(entries, list) or not entries:
        return False
    wheres = [e.get(EXPERIENCE_WHERE) if isinstance(e, Mapping) else None for e in entries]
    return all(isinstance(w, str) and w and w not in WORKED_IN_GERMANY for w in wheres)


def _text(value: Any) -> str:
    return value if isinstance(value, str) else ""


def _ehic_date(answers: Mapping[str, Any]) -> PartialDate | None:
    """The whole date on the EHIC (as the form asks it), where the insurance is the EHIC: a
    laptop of a form version without the question keeps the date when the insurance is changed
    there (``forms.newer``), and a card changed for another insurance has no date."""
    if answers.get("insurance_status") != "ehic":
        return None
    with contextlib.suppress(PartialDateError):
        date = PartialDate.parse(_text(answers.get(EHIC_VALID_UNTIL)))
        return date if date.is_full else None
    return None


def following_entries(
    entries: Sequence[Mapping[str, Any]], followers: Any, keys: Sequence[str]
) -> list[Mapping[str, Any] | None]:
    """For each of ``entries`` (a group's), the entry of ``followers`` (a group following it,
    see ``follows`` in resources/forms/README.md) about it: the one with the same answers to
    ``keys``, taken in order where two entries have the same ones (twins without names); None
    where there is none. An entry of ``followers`` about no entry (a child removed or renamed
    since, by a helper who does not see the health section) belongs to nobody: better an
    unknown insurance than another child's."""
    pool = [f for f in followers if isinstance(f, Mapping)] if isinstance(followers, list) else []
    found: list[Mapping[str, Any] | None] = []
    for entry in entries:
        key = [entry.get(k) for k in keys]
        match = next((f for f in pool if [f.get(k) for k in keys] == key), None)
        if match is not None:
            pool.remove(match)
        found.append(match)
    return found


def corrected_entries(
    before: Any, after: Any, keys: Sequence[str]
) -> list[tuple[list[Any], list[Any]]]:
    """The entries of a group corrected in place between two saves, as (answers to ``keys``
    before, after): a helper fixes the spelling of a child's name, or the date of birth. An
    entry counts as corrected where the group kept its length, some of ``keys`` kept their
    answers at that place and the others changed, the entry as it was is gone and the one as
    it is was not there before. A child replaced by another (every key changed), removed or
    added is no correction: an entry of a group following it stays about the child it was
    about (:func:`following_entries`)."""
    if not isinstance(before, list) or not isinstance(after, list) or len(before) != len(after):
        return []

    def key_of(entry: Any) -> list[Any]:
        return [entry.get(k) for k in keys] if isinstance(entry, Mapping) else []

    old_keys, new_keys = [key_of(e) for e in before], [key_of(e) for e in after]
    found = []
    for old, new in zip(old_keys, new_keys, strict=True):
        kept = sum(1 for a, b in zip(old, new, strict=True) if a == b)
        if old and 0 < kept < len(keys) and old not in new_keys and new not in old_keys:
            found.append((old, new))
    return found


def child_of(entry: Mapping[str, Any], insurance: str = "") -> Child:
    """A ``children`` entry of the form as a :class:`Child` (``insurance``: its entry of
    ``CHILDREN_INSURANCE_FIELD``'s answer, see :func:`following_entries`)."""
    birth: PartialDate | None = None
    # not recorded (or not readable): the letter leaves the age out
    with contextlib.suppress(PartialDateError):
        birth = PartialDate.parse(_text(entry.get("child_birth")))
    return Child(
        birth,
        _text(entry.get("child_lives")),
        _text(entry.get("child_care")),
        _text(entry.get("child_name")).strip(),
        insurance,
        _text(entry.get(CHILD_TAX_ID)),
    )
