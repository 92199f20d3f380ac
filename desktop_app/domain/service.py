"""Services of the city that advisors refer people to: the entries of the service directory."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import ClassVar

from desktop_app.domain.fingerprints import fingerprint_text

#: Where a text lacks the language asked for: English, then German (i18n.languages'
#: FALLBACK_ORDER; the domain imports nothing of ours but the domain, a test holds them equal).
#: The languages a text is written in are translations/languages.toml's (i18n.languages).
FALLBACK_ORDER: tuple[str, ...] = ("en", "de")


@dataclass(frozen=True)
class LocalizedText:
    """One user-facing text in several languages, e.g. ``{"de": "Jobcenter", "bg": "…"}``."""

    texts: Mapping[str, str] = field(default_factory=dict, hash=False)

    #: the fields a queued letter's fingerprint takes (``domain.fingerprints``), in this order
    FINGERPRINT: ClassVar[tuple[str, ...]] = ("texts",)
    NOT_IN_FINGERPRINT: ClassVar[tuple[str, ...]] = ()

    def __post_init__(self) -> None:
        # A read-only copy: directory entries are shared between threads and screens.
        object.__setattr__(self, "texts", MappingProxyType(dict(self.texts)))

    def fingerprint(self) -> str:
        return fingerprint_text(self, self.FINGERPRINT)

    def get(self, lang: str) -> str:
        """The text in ``lang``; falls back to English, then German, then any language."""
        for candidate in (lang, *FALLBACK_ORDER):
            text = self.texts.get(candidate, "")
            if text:
                return text
        return next((t for t in self.texts.values() if t), "")

    def __bool__(self) -> bool:
        return any(self.texts.values())

    def values(self) -> tuple[str, ...]:
        return tuple(self.texts.values())


def postcode_without_city(postcode: str, city: str) -> bool:
    """Whether an address gives a postcode but no city: a letter's address window showed
    "44137" alone on the town's line. A city without a postcode reads well ("Dortmund")."""
    return bool(postcode.strip()) and not city.strip()


@dataclass(frozen=True)
class Address:
    """A postal address; any part may be missing in directory data."""

    street: str = ""
    postcode: str = ""
    city: str = ""
    #: building, floor or room, e.g. "Haus B, 2. Etage"; in the client's language where given
    extra: LocalizedText = field(default_factory=LocalizedText)

    FINGERPRINT: ClassVar[tuple[str, ...]] = ("street", "postcode", "city", "extra")
    NOT_IN_FINGERPRINT: ClassVar[tuple[str, ...]] = ()

    def fingerprint(self) -> str:
        return fingerprint_text(self, self.FINGERPRINT)

    @property
    def is_empty(self) -> bool:
        return not (self.street or self.postcode or self.city)

    def lines(self) -> tuple[str, ...]:
        """Street line and postcode/city line, leaving out what is unknown."""
        town = " ".join(p for p in (self.postcode, self.city) if p)
        return tuple(line for line in (self.street, town) if line)


@dataclass(frozen=True)
class Contact:
    phone: str = ""
    email: str = ""
    web: str = ""

    FINGERPRINT: ClassVar[tuple[str, ...]] = ("phone", "email", "web")
    NOT_IN_FINGERPRINT: ClassVar[tuple[str, ...]] = ()

    def fingerprint(self) -> str:
        return fingerprint_text(self, self.FINGERPRINT)


@dataclass(frozen=True)
class Service:
    """An entry of the service directory (job centre, health office, counselling …)."""

    id: str
    #: the official German name (on signs and letters) in ``name.get("de")``, translated beside it
    name: LocalizedText
    topics: tuple[str, ...]
    address: Address = field(default_factory=Address)
    opening_hours: LocalizedText = field(default_factory=LocalizedText)
    #: ISO 639-1 codes of languages spoken by staff or through interpreters on site
    languages: tuple[str, ...] = ()
    contact: Contact = field(default_factory=Contact)
    #: ids of the document catalogue usually required, pre-filled into a referral
    documents: tuple[str, ...] = ()
    description: LocalizedText = field(default_factory=LocalizedText)
    #: short names a consent form may name the service by ("Jobcenter"), besides its full names
    consent_names: tuple[str, ...] = ()

    #: The fields a queued letter's fingerprint takes the service by, in this order (written
    #: as the dataclass's repr wrote them: ``domain.fingerprints``), and those it leaves out.
    #: All are in, as they were when the fingerprint was the repr; a new field is in one of
    #: the two by a decision (tests/unit/letters/test_letter_fingerprint_inputs.py).
    FINGERPRINT: ClassVar[tuple[str, ...]] = (
        "id",
        "name",
        "topics",
        "address",
        "opening_hours",
        "languages",
        "contact",
        "documents",
        "description",
        "consent_names",
    )
    NOT_IN_FINGERPRINT: ClassVar[tuple[str, ...]] = ()

    def fingerprint(self) -> str:
        return fingerprint_text(self, self.FINGERPRINT)

    @property
    def german_name(self) -> str:
        return self.name.get("de")
