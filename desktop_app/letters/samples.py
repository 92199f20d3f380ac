"""Sample referral letters from demo data, to check the layout without the GUI.

Backs ``welcome-desk letters sample --out DIR``: one letter per service and client language.
The people are invented; no real personal data is used.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from desktop_app.domain.dates import PartialDate
from desktop_app.domain.person import Person, Sex
from desktop_app.domain.referral import Organisation, Referral, reference_number
from desktop_app.domain.service import Service
from desktop_app.letters.directory import ServiceDirectory, default_directory
from desktop_app.letters.referral_letter import render_referral_letter
from desktop_app.letters.texts import LetterTexts, default_letter_texts, load_organisation

_NAMESPACE = uuid.UUID("6f1c2a4e-5d0b-4c1e-9a57-3b8f0e2d7c11")  # stable ids: same samples each run

DEMO_PEOPLE: dict[str, tuple[Person, ...]] = {
    "bg": (
        Person(
            id="demo-bg-1",
            given_name="Петър",
            family_name="Петров",
            sex=Sex.MALE,
            date_of_birth=PartialDate(1985, 3, 14),
            nationality="BG",
            languages=("bg", "tr"),
            phone="0176 2345678",
        ),
        Person(
            id="demo-bg-2",
            given_name="Мария",
            family_name="Георгиева-Стоянова",
            sex=Sex.FEMALE,
            date_of_birth=PartialDate(1992),
            nationality="BG",
            languages=("bg",),
        ),
        Person(
            id="demo-bg-3",
            given_name="Щилиян",
            family_name="Жечев",
            sex=Sex.MALE,
            date_of_birth=PartialDate(1978, 11, 2),
            nationality="BG",
            languages=("bg", "de"),
            phone="0152 9876543",
        ),
    ),
    "ro": (
        Person(
            id="demo-ro-1",
            given_name="Ștefan",
            family_name="Țărănescu",
            sex=Sex.MALE,
            date_of_birth=PartialDate(1990, 7, 21),
            nationality="RO",
            languages=("ro",),
            phone="0157 1122334",
        ),
        Person(
            id="demo-ro-2",
            given_name="Ioana",
            family_name="Mureșan",
            sex=Sex.FEMALE,
            date_of_birth=PartialDate(1988, 5),
            nationality="RO",
            languages=("ro", "hu"),
        ),
        Person(
            id="demo-ro-3",
            given_name="Florin-Cătălin",
            family_name="Știrbu",
            sex=Sex.MALE,
            date_of_birth=PartialDate(2001, 1, 30),
            nationality="RO",
            languages=("ro", "en"),
        ),
    ),
}
DEMO_PEOPLE["de"] = DEMO_PEOPLE["bg"][:1] + DEMO_PEOPLE["ro"][:1]
DEMO_PEOPLE["en"] = DEMO_PEOPLE["ro"][1:2] + DEMO_PEOPLE["bg"][1:2]

_ADVISORS = (("Ralitsa Dimitrova", "0231 50-29871"), ("Andreea Popescu", "0231 50-29872"))
_CONTACTS = ("Frau Schäfer", "Herr Öztürk", "")


@dataclass(frozen=True)
class DemoLetter:
    """Everything ``render_referral_letter`` needs for one sample."""

    referral: Referral
    person: Person
    service: Service
    organisation: Organisation
    client_lang: str


def demo_letters(
    *,
    langs: Sequence[str] = ("bg", "ro"),
    today: dt.date = dt.date(2026, 11, 25),
    directory: ServiceDirectory | None = None,
    texts: LetterTexts | None = None,
    organisation: Organisation | None = None,
) -> list[DemoLetter]:
    """One demo referral per service and language, with a fitting reason and its documents."""
    directory = directory or default_directory()
    texts = texts or default_letter_texts()
    organisation = organisation or load_organisation()
    letters = []
    created = dt.datetime.combine(today, dt.time(10, 15))
    for i, service in enumerate(directory.services):
        reason = texts.suggested_reason(service.topics) or texts.reasons_for(service.topics)[0]
        for lang in langs:
            people = DEMO_PEOPLE.get(lang) or DEMO_PEOPLE["en"]
            person = people[i % len(people)]
            advisor, phone = _ADVISORS[i % len(_ADVISORS)]
            referral_id = str(uuid.uuid5(_NAMESPACE, f"{service.id}/{lang}"))
            appointment = None
            if i % 3 != 2:  # some samples without an appointment, to see both layouts
                day = today + dt.timedelta(days=3 + i % 5)
                while day.weekday() >= 5:  # offices are closed at weekends
                    day += dt.timedelta(days=1)
                # Mornings, when every service in the directory is open.
                appointment = dt.datetime.combine(day, dt.time(9 + i % 3, 30 if i % 2 else 0))
            referral = Referral(
                id=referral_id,
                person_id=person.id,
                service_id=service.id,
                reason=reason.id,
                created_at=created,
                reference=reference_number(referral_id, created),
                advisor_name=advisor,
                advisor_phone=phone,
                appointment=appointment,
                contact_person=_CONTACTS[i % len(_CONTACTS)] if appointment else "",
                documents=service.documents,
                follow_up=(appointment.date() if appointment else today) + dt.timedelta(days=14),
                signed_off_by=advisor,
                signed_off_at=created,
            )
            letters.append(DemoLetter(referral, person, service, organisation, lang))
    return letters


def write_samples(
    out_dir: Path,
    *,
    langs: Sequence[str] = ("bg", "ro"),
    today: dt.date | None = None,
) -> list[Path]:
    """Write ``<service>_<lang>.pdf`` for every service and language into ``out_dir``.

    ``today`` (the letters' date) defaults to the current day.
    """
    today = today or dt.date.today()
    out_dir.mkdir(parents=True, exist_ok=True)
    written = []
    for demo in demo_letters(langs=langs, today=today):
        pdf = render_referral_letter(
            demo.referral,
            demo.person,
            demo.service,
            demo.organisation,
            demo.client_lang,
            today=today,
        )
        path = out_dir / f"{demo.service.id}_{demo.client_lang}.pdf"
        path.write_bytes(pdf)
        written.append(path)
    return written
