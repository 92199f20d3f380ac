"""A queued letter's fingerprint takes the person's life-situation facts by an explicit list of
fields (``LifeFacts.fingerprint``), written as their repr was when the fingerprint was the repr:
the letters queued before kept their fingerprints, and a new field of the facts is in the
fingerprint or out of it by a decision, never by accident. Two were taken in since: the
Steuer-ID answer (``tax_id``), since the letter and the copy say a Steuer-ID is still to come,
and each child's (``Child.tax_id``), since the letter to the Familienkasse says a child's is to
follow or asks for it."""

from __future__ import annotations

import dataclasses
from dataclasses import replace
from typing import Any

from desktop_app.domain.life_facts import Child, LifeFacts
from desktop_app.usecases.referrals import _LetterInputs
from tests.unit.letters.letter_helpers import DIRECTORY, ORGANISATION, PETAR, TODAY, referral_for

ANSWERS: dict[str, Any] = {
    "children_count": 2,
    "children": [
        {
            "child_name": "Ана",
            "child_birth": "2018-04-02",
            "child_lives": "with_person",
            "child_care": "school",
            "child_tax_id": "yes",
        },
        {"child_birth": "2022"},
    ],
    "children_insurance": [
        {"child_name": "Ана", "child_birth": "2018-04-02", "child_insurance": "none"}
    ],
    "address_registration": "registered",
    "housing_type": "own_rental",
    "rent_contract": "yes",
    "work_status": ["minijob", "looking"],
    "work_contract": "no",
    "insurance_status": "ehic",
    "ehic_valid_until": "2027-03-31",
    "benefits": ["none"],
    "tax_id": "no",
}
SEEKER_ABROAD = {"looking_for_work": "yes", "experience": [{"w_where": "home_country"}]}
# What a letter's fingerprint is taken from for these answers: the facts' repr as it was before
# the fields were listed (without ``no_employer_here``, ``benefits`` and ``tax_id``), and the
# Steuer-ID answer after it, since the letter says a Steuer-ID is still to come (every letter
# queued before that was made again once; the person's bookkeeping left the fingerprint in the
# same update, which made them all again anyway); each child's Steuer-ID answer after the
# child's insurance, in the same update again (life-situation check version 10).
BEFORE = (
    "LifeFacts(children_count=2, children=(Child(birth=PartialDate(year=2018, month=4, day=2),"
    " lives='with_person', care='school', name='Ана', insurance='none', tax_id='yes'),"
    " Child(birth=PartialDate(year=2022, month=None, day=None), lives='', care='', name='',"
    " insurance='', tax_id='')), children_answered=True, address_registration='registered',"
    " housing_type='own_rental', rent_contract='yes', work_status=('minijob', 'looking'),"
    " work_contract='no', insurance='ehic',"
    " ehic_valid_until=PartialDate(year=2027, month=3, day=31), tax_id='no')"
)
BEFORE_ONE_CHILD = (
    "LifeFacts(children_count=1, children=(Child(birth=PartialDate(year=2022, month=None,"
    " day=None), lives='', care='', name='', insurance='', tax_id=''),), children_answered=True,"
    " address_registration='', housing_type='', rent_contract='', work_status=(),"
    " work_contract='', insurance='', ehic_valid_until=None, tax_id='')"
)


def _fields(cls: type) -> set[str]:
    return {f.name for f in dataclasses.fields(cls)}


def test_every_field_of_the_facts_is_decided_in_or_out_of_the_fingerprint() -> None:
    """Fails when a field is added to LifeFacts or Child without deciding whether a queued
    letter is made again when it changes: add it to FINGERPRINT where the letter shows it,
    to NOT_IN_FINGERPRINT where it does not (the fingerprints of queued letters then stay)."""
    listed = (*LifeFacts.FINGERPRINT, *LifeFacts.NOT_IN_FINGERPRINT)
    assert sorted(listed) == sorted(_fields(LifeFacts)), "decide each new field of LifeFacts"
    child = (*Child.FINGERPRINT, *Child.NOT_IN_FINGERPRINT)
    assert sorted(child) == sorted(_fields(Child)), "decide each new field of Child"


def test_the_fingerprint_is_the_repr_of_the_fields_it_takes() -> None:
    facts = LifeFacts.from_checks(ANSWERS, SEEKER_ABROAD)
    assert facts is not None and facts.no_employer_here and facts.has_no_income is False
    assert facts.fingerprint() == BEFORE
    # a tuple of one child is written as Python writes it
    one = LifeFacts.from_answers({"children": [{"child_birth": "2022"}]})
    assert one.fingerprint() == BEFORE_ONE_CHILD


SERVICE = DIRECTORY.get("familienkasse")
REFERRAL = referral_for(SERVICE, PETAR, reason="kindergeld")


def _digest(facts: LifeFacts | None) -> str:
    inputs = _LetterInputs(
        REFERRAL, PETAR, SERVICE, ORGANISATION, "bg", TODAY, DIRECTORY, True, facts
    )
    return inputs.digest()


def test_only_the_fields_in_the_fingerprint_change_a_queued_letters_fingerprint() -> None:
    facts = LifeFacts.from_answers(ANSWERS)
    digest = _digest(facts)
    assert digest != _digest(None)
    # out of it: what only chose the documents as the referral was issued
    for changed in (
        replace(facts, no_employer_here=True),
        replace(facts, benefits=("buergergeld",)),
    ):
        assert _digest(changed) == digest
    # in it: what the letter shows (the children, the registration, the insurance …)
    for shown in (
        replace(facts, address_registration="not_registered"),
        replace(facts, children=facts.children[:1]),
        replace(facts, children=(replace(facts.children[0], care="daycare"), facts.children[1])),
        replace(facts, insurance="none"),
        # a Steuer-ID still to come, or not (``_Context.tax_id_to_come``)
        replace(facts, tax_id="yes"),
        # a child's Steuer-ID to follow, or asked for (``_Context.children_tax_id``)
        replace(facts, children=(replace(facts.children[0], tax_id="no"), facts.children[1])),
    ):
        assert _digest(shown) != digest
