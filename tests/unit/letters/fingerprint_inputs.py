"""Inputs of a letter with every field of the fingerprinted objects set (no default left), for
the tests that pin a queued letter's fingerprint to what it was when it was the objects' repr.
Built here, not read from resources/: the pinned texts must not move with the directory's data."""

from __future__ import annotations

import datetime as dt

from desktop_app.domain.dates import PartialDate
from desktop_app.domain.person import Person, Sex
from desktop_app.domain.referral import Organisation, Referral, ReferralStatus
from desktop_app.domain.service import Address, Contact, LocalizedText, Service
from desktop_app.domain.skills_facts import (
    ExperienceFact,
    LanguageFact,
    QualificationFact,
    SkillsFacts,
)
from desktop_app.letters.directory import ServiceDirectory

REFERRAL = Referral(
    id="5f0c1e2a-9b7d-4c3e-8a61-2d4f6b8c0e13",
    person_id="7a1d2c3b-4e5f-4a6b-9c8d-0e1f2a3b4c5d",
    service_id="jobcenter",
    reason="buergergeld",
    created_at=dt.datetime(2026, 11, 25, 10, 15),
    reference="WD-2026-11-5ZK3H9QA",
    advisor_name="Ralitsa Dimitrova",
    advisor_phone="0231 50-29871",
    advisor_email="r.dimitrova@example.org",
    reason_note="Bitte um Rückruf wegen der Unterlagen.",
    appointment=dt.datetime(2026, 12, 3, 9, 30),
    contact_person="Frau Schäfer",
    documents=("id_card", "Mietvertrag (Kopie)"),
    status=ReferralStatus.APPOINTMENT_MADE,
    follow_up=dt.date(2026, 12, 17),
    outcome="angerufen",
    status_changed_at=dt.datetime(2026, 11, 26, 8, 0),
    signed_off_by="Jonas Weber",
    signed_off_at=dt.datetime(2026, 11, 25, 16, 40),
    issued_as_draft=True,
)

PERSON = Person(
    id="7a1d2c3b-4e5f-4a6b-9c8d-0e1f2a3b4c5d",
    given_name="Ивелина",
    family_name="Заркова",
    date_of_birth=PartialDate(1988, 6),
    sex=Sex.FEMALE,
    nationality="BG",
    languages=("bg", "tr"),
    phone="0176 2345678",
    notes="kommt dienstags",
    id_document_name="Ivelina Zarkova",
    revision=4,
    updated_hlc="0000019a8f3c2d10-0003-laptop-a",
    device_id="laptop-a",
    author_id="u-anna",
    deleted=False,
    field_clocks={"phone": ("0000019a8f3c2d10-0003-laptop-a", "laptop-a")},
)

SERVICE = Service(
    id="jobcenter",
    name=LocalizedText({"de": "Jobcenter Dortmund", "bg": "Jobcenter Dortmund (Джобцентър)"}),
    topics=("work", "benefits"),
    address=Address(
        street="Steinstraße 39",
        postcode="44147",
        city="Dortmund",
        extra=LocalizedText({"de": "Haus B, 2. Etage", "bg": "сграда B, 2. етаж"}),
    ),
    opening_hours=LocalizedText({"de": "Mo–Fr 8–12 Uhr"}),
    languages=("de", "en"),
    contact=Contact(phone="0231 842-0", email="jobcenter@example.org", web="example.org/jc"),
    documents=("id_card", "registration"),
    description=LocalizedText({"de": "Bürgergeld und Arbeitssuche"}),
    consent_names=("Jobcenter",),
)

ORGANISATION = Organisation(
    name="Willkommen in Dortmund e. V.",
    address_lines=("Münsterstraße 12", "44145 Dortmund"),
    phone="0231 123456",
    email="info@example.org",
    web="example.org",
    logo_path="/opt/welcome-desk/logo.png",
    subtitle="Beratung für Neuzugewanderte",
    logo=b"\x89PNG not really a logo",
)

SKILLS = SkillsFacts(
    qualifications=(
        QualificationFact(
            kind=LocalizedText({"de": "Berufsausbildung", "bg": "Професионално обучение"}),
            title="медицинска сестра",
            country=LocalizedText({"de": "Bulgarien", "bg": "България"}),
            year="2012",
            document="yes",
            recognition_started="yes",
            recognition_result=LocalizedText({"de": "läuft noch"}),
        ),
    ),
    experience=(
        ExperienceFact(
            field=LocalizedText({"de": "Pflege", "bg": "Грижи"}),
            years=6,
            where=LocalizedText({"de": "im Heimatland"}),
        ),
        ExperienceFact(field=LocalizedText({"de": "Reinigung"}), years=None, where=LocalizedText()),
    ),
    german_level="A2",
    german_assessed="certificate",
    latin_literacy=LocalizedText({"de": "fließend"}),
    latin_literacy_answer="fluent",
    other_languages=(
        LanguageFact(language=LocalizedText({"de": "Türkisch"}), level="B1", assessed="self"),
    ),
    driving_licence=(LocalizedText({"de": "Klasse B"}),),
)

DIRECTORY = ServiceDirectory(
    services=(SERVICE,),
    topics={"work": LocalizedText({"de": "Arbeit"}), "benefits": LocalizedText({"de": "Geld"})},
    documents={"id_card": LocalizedText({"de": "Personalausweis", "bg": "Лична карта"})},
)
TODAY = dt.date(2026, 11, 25)
