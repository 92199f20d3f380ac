"""Shared inputs for the letters tests: demo people, referrals, PDFs read back."""

from __future__ import annotations

import datetime as dt
import io
from dataclasses import replace

import pdfplumber

from desktop_app.domain.dates import PartialDate
from desktop_app.domain.person import Person
from desktop_app.domain.referral import Referral, new_referral
from desktop_app.domain.service import Service
from desktop_app.letters.directory import default_directory
from desktop_app.letters.texts import load_organisation
from tests.pdf_text import pdf_pages

TODAY = dt.date(2026, 11, 25)
MM = 72 / 25.4  # PDF points per millimetre

PETAR = Person(
    id="p-bg",
    given_name="Петър",
    family_name="Петров",
    date_of_birth=PartialDate(1985, 3, 14),
    nationality="BG",
    languages=("bg", "tr"),
    phone="0176 2345678",
)
STEFAN = Person(
    id="p-ro",
    given_name="Ștefan",
    family_name="Țărănescu",
    date_of_birth=PartialDate(1990, 7),
    nationality="RO",
    languages=("ro",),
)


def flat(text: str) -> str:
    """pypdf may put tabs or line breaks between words."""
    return " ".join(text.split())


#: each page's text, whitespace folded (the letters tests' name for it)
pdf_text = pdf_pages


def plumber(pdf: bytes) -> pdfplumber.PDF:
    return pdfplumber.open(io.BytesIO(pdf))


def referral_for(service: Service, person: Person, **changes: object) -> Referral:
    referral = new_referral(
        person_id=person.id,
        service_id=service.id,
        reason="health_insurance",
        advisor_name="Ralitsa Dimitrova",
        advisor_phone="0231 50-29871",
        created_at=dt.datetime(2026, 11, 25, 10, 15),
        appointment=dt.datetime(2026, 12, 3, 9, 30),
        contact_person="Frau Schäfer",
        documents=service.documents,
    )
    return replace(referral, **changes)  # type: ignore[arg-type]


DIRECTORY = default_directory()
ORGANISATION = load_organisation()
