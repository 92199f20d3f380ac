"""A queued letter's fingerprint takes the referral, the person, the service, the letterhead
and the skills check by explicit lists of their fields (``FINGERPRINT``, ``NOT_IN_FINGERPRINT``
on each class; ``domain.fingerprints``), written as their repr was when the fingerprint was
the repr: the letters queued before keep their fingerprints (the texts and digests below are
what main computed from these inputs before the lists), and a field added to any of them is in
the fingerprint or out of it by a decision, never by accident.

One decision changed them since: the person's notes and record bookkeeping (revision, clocks,
who changed it last) left the fingerprint, which no letter shows (``PERSON_TEXT``); every letter
queued before was made again once after that update (to the same bytes but for a person changed
meanwhile), as the digests pinned here changed with it (``DIGESTS``)."""

from __future__ import annotations

import dataclasses
import hashlib
from dataclasses import replace

import pytest

from desktop_app.domain.dates import PartialDate
from desktop_app.domain.life_facts import LifeFacts
from desktop_app.domain.person import Person
from desktop_app.domain.referral import Organisation, Referral, ReferralStatus
from desktop_app.domain.service import Address, Contact, LocalizedText, Service
from desktop_app.domain.skills_facts import (
    ExperienceFact,
    LanguageFact,
    QualificationFact,
    SkillsFacts,
)
from desktop_app.usecases.referrals import _LetterInputs
from tests.unit.letters.fingerprint_inputs import (
    DIRECTORY,
    ORGANISATION,
    PERSON,
    REFERRAL,
    SERVICE,
    SKILLS,
    TODAY,
)

# What main wrote for these inputs: the repr of each, the referral's with its status
# bookkeeping as at issue, the letterhead's with the logo's digest in logo_path's place.
REFERRAL_BEFORE = (
    "Referral(id='5f0c1e2a-9b7d-4c3e-8a61-2d4f6b8c0e13', "
    "person_id='7a1d2c3b-4e5f-4a6b-9c8d-0e1f2a3b4c5d', service_id='jobcenter', "
    "reason='buergergeld', created_at=datetime.datetime(2026, 11, 25, 10, 15), "
    "reference='WD-2026-11-5ZK3H9QA', advisor_name='Ralitsa Dimitrova', advisor_phone='0231 "
    "50-29871', advisor_email='r.dimitrova@example.org', reason_note='Bitte um Rückruf wegen der "
    "Unterlagen.', appointment=datetime.datetime(2026, 12, 3, 9, 30), contact_person='Frau "
    "Schäfer', documents=('id_card', 'Mietvertrag (Kopie)'), status=<ReferralStatus.ISSUED: "
    "'issued'>, follow_up=None, outcome='', status_changed_at=None, signed_off_by='Jonas Weber', "
    "signed_off_at=datetime.datetime(2026, 11, 25, 16, 40))"
)
# The person's repr without the notes and the bookkeeping (``Person.NOT_IN_FINGERPRINT``). Main
# wrote the whole repr, with "notes='kommt dienstags'" and, after the ID document's name,
# "revision=4, updated_hlc='0000019a8f3c2d10-0003-laptop-a', device_id='laptop-a',
# author_id='u-anna', deleted=False, field_clocks={'phone': (…)}": a synced change to any field
# of a person moved the revision and the clocks, and made their queued letters again.
PERSON_TEXT = (
    "Person(id='7a1d2c3b-4e5f-4a6b-9c8d-0e1f2a3b4c5d', given_name='Ивелина', "
    "family_name='Заркова', date_of_birth=PartialDate(year=1988, month=6, day=None), "
    "sex=<Sex.FEMALE: 'female'>, nationality='BG', languages=('bg', 'tr'), phone='0176 2345678', "
    "id_document_name='Ivelina Zarkova')"
)
SERVICE_BEFORE = (
    "Service(id='jobcenter', name=LocalizedText(texts=mappingproxy({'de': 'Jobcenter Dortmund', "
    "'bg': 'Jobcenter Dortmund (Джобцентър)'})), topics=('work', 'benefits'), "
    "address=Address(street='Steinstraße 39', postcode='44147', city='Dortmund', "
    "extra=LocalizedText(texts=mappingproxy({'de': 'Haus B, 2. Etage', 'bg': 'сграда B, 2. "
    "етаж'}))), opening_hours=LocalizedText(texts=mappingproxy({'de': 'Mo–Fr 8–12 Uhr'})), "
    "languages=('de', 'en'), contact=Contact(phone='0231 842-0', email='jobcenter@example.org', "
    "web='example.org/jc'), documents=('id_card', 'registration'), "
    "description=LocalizedText(texts=mappingproxy({'de': 'Bürgergeld und Arbeitssuche'})), "
    "consent_names=('Jobcenter',))"
)
ORGANISATION_BEFORE = (
    "Organisation(name='Willkommen in Dortmund e. V.', address_lines=('Münsterstraße 12', '44145 "
    "Dortmund'), phone='0231 123456', email='info@example.org', web='example.org', "
    "logo_path='5a0872cf3c06c903bba87ed91a68b707757b6318de242809c27936957d7ffd36', "
    "subtitle='Beratung für Neuzugewanderte')"
)
SKILLS_BEFORE = (
    "SkillsFacts(qualifications=(QualificationFact(kind=LocalizedText(texts=mappingproxy({'de': "
    "'Berufsausbildung', 'bg': 'Професионално обучение'})), title='медицинска сестра', "
    "country=LocalizedText(texts=mappingproxy({'de': 'Bulgarien', 'bg': 'България'})), "
    "year='2012', document='yes', recognition_started='yes', "
    "recognition_result=LocalizedText(texts=mappingproxy({'de': 'läuft noch'}))),), "
    "experience=(ExperienceFact(field=LocalizedText(texts=mappingproxy({'de': 'Pflege', 'bg': "
    "'Грижи'})), years=6, where=LocalizedText(texts=mappingproxy({'de': 'im Heimatland'}))), "
    "ExperienceFact(field=LocalizedText(texts=mappingproxy({'de': 'Reinigung'})), years=None, "
    "where=LocalizedText(texts=mappingproxy({})))), german_level='A2', "
    "german_assessed='certificate', latin_literacy=LocalizedText(texts=mappingproxy({'de': "
    "'fließend'})), latin_literacy_answer='fluent', "
    "other_languages=(LanguageFact(language=LocalizedText(texts=mappingproxy({'de': "
    "'Türkisch'})), level='B1', assessed='self'),), "
    "driving_licence=(LocalizedText(texts=mappingproxy({'de': 'Klasse B'})),))"
)
#: The digests of these inputs (``_LETTER_FORMAT`` 3): a bump of the format changes every
#: queued letter's fingerprint on purpose, and these with them. They changed once when the
#: person's notes and bookkeeping left the fingerprint (``PERSON_TEXT``), and the letter with
#: facts again as the Steuer-ID answer entered theirs (``LifeFacts.FINGERPRINT``), in the same
#: update; main's were f75c7394…, 0297c303… and fd514465….
DIGESTS = {
    "plain": "6f8b8e55963437e0bd4b80d5b86ea04d9d3b9b8f5baca237d1a8a8fb701aa208",
    "facts_skills": "48196771541eb560193e3b569fb52aeea907926976f29bb6208768642995d469",
    "own_de": "943a3b6cda368b552c825aa7fa2469e15c01febe8ac7df45e0e8c147b6f082e8",
}

FINGERPRINTED = (
    Referral,
    Person,
    PartialDate,
    Service,
    LocalizedText,
    Address,
    Contact,
    Organisation,
    SkillsFacts,
    QualificationFact,
    ExperienceFact,
    LanguageFact,
)


def _undecided(cls: type) -> set[str]:
    """The fields of ``cls`` in neither of its lists, and the names listed that are no field
    (or in both lists)."""
    listed = [*cls.FINGERPRINT, *cls.NOT_IN_FINGERPRINT]  # type: ignore[attr-defined]
    fields = [f.name for f in dataclasses.fields(cls)]
    twice = {name for name in listed if listed.count(name) > 1}
    return set(fields) ^ set(listed) | twice


@pytest.mark.parametrize("cls", FINGERPRINTED, ids=lambda cls: cls.__name__)
def test_every_field_of_a_letters_inputs_is_decided_in_or_out_of_the_fingerprint(
    cls: type,
) -> None:
    """Fails when a field is added to one of the classes a letter is made from without
    deciding whether a queued letter is made again when it changes: add it to FINGERPRINT
    where the letter shows it (at the end: the text of the others stays), to
    NOT_IN_FINGERPRINT where it does not (the fingerprints of queued letters then stay)."""
    assert _undecided(cls) == set(), f"decide each new field of {cls.__name__}"


def test_a_field_added_without_deciding_is_found() -> None:
    @dataclasses.dataclass(frozen=True)
    class Later(Contact):
        fax: str = ""

    assert _undecided(Later) == {"fax"}


def test_the_referrals_status_bookkeeping_is_written_as_at_issue() -> None:
    assert set(Referral.FINGERPRINT_AS_ISSUED) <= set(Referral.FINGERPRINT)
    issued = REFERRAL.fingerprint()
    closed_at = REFERRAL.created_at.replace(day=26, hour=12)
    for moved_on in (
        REFERRAL.with_status(ReferralStatus.CLOSED, closed_at, outcome="zog weg"),
        replace(REFERRAL, follow_up=None),
        replace(REFERRAL, status=ReferralStatus.ISSUED, outcome="", status_changed_at=None),
    ):
        assert moved_on.fingerprint() == issued
    # what the letter shows changes it
    for shown in (
        replace(REFERRAL, appointment=None),
        replace(REFERRAL, documents=("id_card",)),
        replace(REFERRAL, contact_person="Herr Yilmaz"),
        replace(REFERRAL, signed_off_by="Anna Schmidt"),
    ):
        assert shown.fingerprint() != issued


def test_each_input_is_written_as_its_repr_was_before_the_lists() -> None:
    assert REFERRAL.fingerprint() == REFERRAL_BEFORE
    assert PERSON.fingerprint() == PERSON_TEXT
    assert SERVICE.fingerprint() == SERVICE_BEFORE
    assert ORGANISATION.logo is not None
    logo = hashlib.sha256(ORGANISATION.logo).hexdigest()
    assert ORGANISATION.fingerprint(logo) == ORGANISATION_BEFORE
    assert SKILLS.fingerprint() == SKILLS_BEFORE
    # a tuple of one and an empty one, a date and none, as Python writes them
    alone = replace(PERSON, languages=("bg",), date_of_birth=None)
    assert "date_of_birth=None, sex=<Sex.FEMALE: 'female'>, " in alone.fingerprint()
    assert "nationality='BG', languages=('bg',), phone=" in alone.fingerprint()
    assert SkillsFacts().fingerprint() == repr(SkillsFacts())


def _inputs() -> dict[str, _LetterInputs]:
    facts = LifeFacts.from_answers({"children_count": 0, "address_registration": "registered"})
    own = replace(REFERRAL, signed_off_by=REFERRAL.advisor_name, issued_as_draft=False)
    no_logo = replace(ORGANISATION, logo=None, logo_path=None)
    return {
        "plain": _LetterInputs(
            REFERRAL, PERSON, SERVICE, ORGANISATION, "bg", TODAY, DIRECTORY, True, None
        ),
        "facts_skills": _LetterInputs(
            REFERRAL,
            PERSON,
            SERVICE,
            ORGANISATION,
            "bg",
            TODAY,
            DIRECTORY,
            False,
            facts,
            None,
            SKILLS,
        ),
        "own_de": _LetterInputs(own, PERSON, SERVICE, no_logo, "de", TODAY, DIRECTORY, True, None),
    }


def test_queued_letters_keep_their_fingerprints() -> None:
    assert {name: inputs.digest() for name, inputs in _inputs().items()} == DIGESTS


def test_the_persons_notes_and_bookkeeping_leave_a_queued_letters_fingerprint_as_it_was() -> None:
    """What a synced change to a person's notes moves (the notes, the revision, the clocks, who
    changed it on which laptop) is on no letter: the fingerprint stays. What the letter
    shows changes it."""
    inputs = _inputs()["plain"]
    stamp = "0000019b00000000-0001-laptop-b"
    synced = replace(
        PERSON,
        notes="ruft erst nach 14 Uhr an",
        revision=PERSON.revision + 1,
        updated_hlc=stamp,
        device_id="laptop-b",
        author_id="u-boris",
        field_clocks={**PERSON.field_clocks, "notes": (stamp, "laptop-b")},
    )
    assert replace(inputs, person=synced).digest() == inputs.digest()
    for shown in (
        replace(synced, phone="0176 9999999"),
        replace(synced, id_document_name="Ivelina Zarkova-Petrova"),
    ):
        assert replace(inputs, person=shown).digest() != inputs.digest()


def test_what_a_referral_was_issued_as_is_in_its_repr_and_not_in_its_fingerprint() -> None:
    """``issued_as_draft`` was hidden from the repr only for the fingerprint's sake."""
    assert "issued_as_draft=True" in repr(REFERRAL)
    assert replace(REFERRAL, issued_as_draft=False).fingerprint() == REFERRAL.fingerprint()
    assert "no_employer_here=True" in repr(LifeFacts(no_employer_here=True))
