"""Services of the city that advisors refer people to: the entries of the service directory."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
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


#: The parts of a service's entry a letter says of it or is made by, as ``ServiceAsIssued``
#: keeps them: what ``ServiceAsIssued.changed_in`` compares (the topics choose what the letter
#: tells the service of the person, the documents whether the Steuer-ID is asked for, the
#: short names whether a consent naming the service by one covers it). ``documents`` also
#: stands for the catalogue's labels of the documents the letter lists, renamed since.
ISSUED_PARTS: tuple[str, ...] = (
    "name",
    "address",
    "opening_hours",
    "contact",
    "languages",
    "topics",
    "documents",
    "consent_names",
)
#: What ``ServiceAsIssued.changed_in`` says of a service the directory in force no longer has.
TAKEN_OUT = "taken_out"
#: Said besides ``TAKEN_OUT`` of a letter given whose snapshot is of the first version (no
#: topics, no documents) and whose service no directory has any more: the letter is made
#: without what those parts put into it, which is not known.
NOT_KEPT = "not_kept"


def _texts(value: object) -> LocalizedText:
    """A stored ``{lang: text}`` read back; anything else (damaged, or of a later form) empty."""
    if not isinstance(value, Mapping):
        return LocalizedText()
    return LocalizedText({str(k): v for k, v in value.items() if isinstance(v, str)})


def _text(data: Mapping[str, object], key: str) -> str:
    value = data.get(key)
    return value if isinstance(value, str) else ""


def _words(data: Mapping[str, object], key: str) -> tuple[str, ...] | None:
    """A stored list of texts read back; None where the snapshot has none (written before it
    kept them)."""
    value = data.get(key)
    if not isinstance(value, list):
        return None
    return tuple(x for x in value if isinstance(x, str))


@dataclass(frozen=True)
class ServiceAsIssued:
    """What a referral's letter said of its service when it was issued (first printed or saved
    as a PDF, i.e. given to the person): the entry's name, address with its building/reception
    note, opening hours, contact and languages spoken, in every language the entry had; and
    what the letter took from it otherwise: its topics (the first chooses what the letter tells
    the service of the person), the documents it usually asks for (whether the Steuer-ID is
    asked for or said to follow), the labels of the documents the letter listed and the short
    names a consent may name it by. A letter shown or printed again later says the same,
    whatever the directory says by then, also once the service is taken out of it.

    Snapshots written before the topics and documents were kept have none (``whole`` false):
    their letters take those from the directory, as they did, and where no directory has the
    service any more leave them out (``NOT_KEPT``)."""

    issued_on: dt.date
    name: LocalizedText = field(default_factory=LocalizedText)
    address: Address = field(default_factory=Address)
    opening_hours: LocalizedText = field(default_factory=LocalizedText)
    contact: Contact = field(default_factory=Contact)
    languages: tuple[str, ...] = ()
    #: None: not kept (a snapshot of the first version)
    topics: tuple[str, ...] | None = None
    documents: tuple[str, ...] | None = None
    consent_names: tuple[str, ...] | None = None
    #: the catalogue's labels of the documents the letter listed (or may list: the service's
    #: own), by document id, in every language the catalogue had
    document_labels: Mapping[str, LocalizedText] = field(default_factory=dict, hash=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "document_labels", MappingProxyType(dict(self.document_labels)))

    @classmethod
    def of(
        cls,
        service: Service,
        issued_on: dt.date,
        document_labels: Mapping[str, LocalizedText] | None = None,
    ) -> ServiceAsIssued:
        return cls(
            issued_on,
            service.name,
            service.address,
            service.opening_hours,
            service.contact,
            service.languages,
            service.topics,
            service.documents,
            service.consent_names,
            document_labels or {},
        )

    @property
    def whole(self) -> bool:
        """Whether it keeps all a letter takes from the entry (not a first-version snapshot):
        its letter can be made without the entry."""
        return self.topics is not None and self.documents is not None

    def applied_to(self, service: Service) -> Service:
        """``service`` (the entry in force) as the letter showed it when it was issued."""
        shown = replace(
            service,
            name=self.name,
            address=self.address,
            opening_hours=self.opening_hours,
            contact=self.contact,
            languages=self.languages,
        )
        if self.topics is not None:
            shown = replace(shown, topics=self.topics)
        if self.documents is not None:
            shown = replace(shown, documents=self.documents)
        if self.consent_names is not None:
            shown = replace(shown, consent_names=self.consent_names)
        return shown

    def as_service(self, service_id: str) -> Service:
        """The service as the letter showed it, for one the directory no longer has (the
        description, on no letter, is not kept). Where not ``whole`` it has no topics and no
        documents: what they put into a letter is not known (``NOT_KEPT``)."""
        return self.applied_to(Service(service_id, self.name, ()))

    def changed_in(
        self, service: Service | None, labels: Mapping[str, LocalizedText] | None = None
    ) -> tuple[str, ...]:
        """The parts (``ISSUED_PARTS``) the entry ``service`` says otherwise now; ``TAKEN_OUT``
        alone where the directory in force has no entry for it (None). Parts the snapshot
        does not keep (a first-version one: topics, documents, short names) are not
        compared: its letter takes them from the entry. ``labels``, the catalogue's labels
        of documents in force (``ServiceDirectory.documents``): a document the letter listed
        labelled otherwise now, or no longer in the catalogue, is a change of ``documents``."""
        if service is None:
            return (TAKEN_OUT,)
        relabelled = labels is not None and any(
            labels.get(ident) != label for ident, label in self.document_labels.items()
        )
        return tuple(
            p
            for p in ISSUED_PARTS
            if (getattr(self, p) is not None and getattr(self, p) != getattr(service, p))
            or (p == "documents" and relabelled)
        )

    def to_data(self) -> dict[str, object]:
        """As stored with the referral (a JSON object; it syncs with it)."""
        data: dict[str, object] = {
            "issued_on": self.issued_on.isoformat(),
            "name": dict(self.name.texts),
            "address": {
                "street": self.address.street,
                "postcode": self.address.postcode,
                "city": self.address.city,
                "extra": dict(self.address.extra.texts),
            },
            "opening_hours": dict(self.opening_hours.texts),
            "contact": {
                "phone": self.contact.phone,
                "email": self.contact.email,
                "web": self.contact.web,
            },
            "languages": list(self.languages),
        }
        for key, words in (
            ("topics", self.topics),
            ("documents", self.documents),
            ("consent_names", self.consent_names),
        ):
            if words is not None:
                data[key] = list(words)
        if self.document_labels:
            data["document_labels"] = {
                ident: dict(label.texts) for ident, label in self.document_labels.items()
            }
        return data

    @classmethod
    def from_data(cls, data: object) -> ServiceAsIssued | None:
        """What ``to_data`` wrote, read back (also a first-version snapshot, without topics and
        documents); None for anything else (no date of issue: not known when it was taken)."""
        if not isinstance(data, Mapping):
            return None
        try:
            issued_on = dt.date.fromisoformat(_text(data, "issued_on"))
        except ValueError:
            return None
        address = data.get("address")
        address = address if isinstance(address, Mapping) else {}
        contact = data.get("contact")
        contact = contact if isinstance(contact, Mapping) else {}
        labels = data.get("document_labels")
        labels = labels if isinstance(labels, Mapping) else {}
        return cls(
            issued_on,
            _texts(data.get("name")),
            Address(
                _text(address, "street"),
                _text(address, "postcode"),
                _text(address, "city"),
                _texts(address.get("extra")),
            ),
            _texts(data.get("opening_hours")),
            Contact(_text(contact, "phone"), _text(contact, "email"), _text(contact, "web")),
            _words(data, "languages") or (),
            _words(data, "topics"),
            _words(data, "documents"),
            _words(data, "consent_names"),
            {str(ident): _texts(label) for ident, label in labels.items()},
        )
