"""The service directory: services, topics and documents from ``resources/services/*.yaml``.

``catalogue.yaml`` holds the topics and the document catalogue; every other file is one service.
Everything is validated on load; a ``DirectoryError`` names the file, the place and the problem.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from types import MappingProxyType
from typing import Any

from desktop_app.domain.service import (
    Address,
    Contact,
    LocalizedText,
    Service,
    postcode_without_city,
)
from desktop_app.i18n.text import LANGUAGES
from desktop_app.i18n.translit import fold
from desktop_app.letters import _resources as res
from desktop_app.paths import resource

CATALOGUE_FILE = "catalogue.yaml"
_SERVICE_KEYS = {
    "id",
    "consent_names",
    "name",
    "description",
    "topics",
    "address",
    "opening_hours",
    "languages",
    "contact",
    "documents",
}


class DirectoryError(res.ResourceError):
    """A service directory file that is not valid (see ``file``, ``where``, ``code``)."""


@dataclass(frozen=True)
class ServiceDirectory:
    """All services with their topic and document labels; read-only once loaded."""

    services: tuple[Service, ...]
    topics: Mapping[str, LocalizedText]
    documents: Mapping[str, LocalizedText]
    _by_id: Mapping[str, Service] = field(init=False, repr=False, compare=False)
    _haystacks: tuple[tuple[Service, str], ...] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "topics", MappingProxyType(dict(self.topics)))
        object.__setattr__(self, "documents", MappingProxyType(dict(self.documents)))
        object.__setattr__(self, "_by_id", MappingProxyType({s.id: s for s in self.services}))
        object.__setattr__(self, "_haystacks", tuple((s, self._haystack(s)) for s in self.services))

    def _haystack(self, service: Service) -> str:
        parts: list[str] = [service.id, *service.name.values(), *service.topics]
        for topic in service.topics:
            parts.extend(self.topics[topic].values())
        return fold(" | ".join(parts))

    def get(self, service_id: str) -> Service:
        """The service with this id; ``KeyError`` when there is none."""
        return self._by_id[service_id]

    def find(self, service_id: str) -> Service | None:
        return self._by_id.get(service_id)

    def search(self, query: str) -> list[Service]:
        """Services whose name (any language) or topic matches every word of ``query``.

        Case, accents, cedilla/comma-below and Cyrillic/Latin script do not matter; an empty
        query lists everything. Name matches come before topic-only matches.
        """
        words = fold(query).split()
        if not words:
            return list(self.services)
        hits = [s for s, hay in self._haystacks if all(w in hay for w in words)]

        def name_first(service: Service) -> tuple[bool, str]:
            names = fold(" ".join(service.name.values()))
            return (not all(w in names for w in words), service.german_name)

        return sorted(hits, key=name_first)

    def named_in(self, written: str) -> list[Service]:
        """The services a consent form's "name of the service" names (``names_service``)."""
        return [s for s in self.services if names_service(written, s)]

    def consent_names(self) -> list[str]:
        """Names to write on a consent form, to complete from: each service's German name
        followed by its short names ("Jobcenter Dortmund", "Jobcenter"), each once."""
        names = (n for s in self.services for n in (s.german_name, *s.consent_names))
        return list(dict.fromkeys(n for n in names if n))

    def by_topic(self, topic_id: str) -> list[Service]:
        return [s for s in self.services if topic_id in s.topics]

    def document_label(self, item: str, lang: str) -> str:
        """A referral's document entry: catalogue id → label in ``lang``; free text as written."""
        label = self.documents.get(item)
        return label.get(lang) if label else item


def names_service(written: str, service: Service) -> bool:
    """Whether a consent form's "name of the service" names ``service``: one of its names
    (full, in any language, or a short one such as "Jobcenter") as whole words, ignoring
    case and diacritics. Anything else (another service, a misspelling) does not count: the
    advisor then records a consent that names the service."""
    words = f" {fold(written)} "
    return any(
        f" {name} " in words
        for name in map(fold, (*service.consent_names, *service.name.values()))
        if name
    )


def load_directory(folder: Path | None = None) -> ServiceDirectory:
    """Read and validate the directory; ``folder`` defaults to ``resources/services``."""
    return directory_from_files(read_directory_files(folder or resource("services")))


def read_directory_files(folder: Path) -> dict[str, str]:
    """The directory's YAML files in ``folder`` as texts by file name (not yet validated)."""
    files: dict[str, str] = {}
    for path in sorted(folder.glob("*.yaml")):
        try:
            files[path.name] = path.read_text(encoding="utf-8")
        except UnicodeDecodeError as exc:
            raise DirectoryError(path, "", "not_utf8", str(exc)) from exc
    return files


def directory_from_files(files: Mapping[str, str], *, strict: bool = False) -> ServiceDirectory:
    """Validate a directory given as YAML texts by file name (a folder's or a published copy).

    ``strict`` (a folder about to be published): a postcode without its city is refused.
    Otherwise (what is in force: shipped, or published and arrived by sync) the service is
    kept with its address shown without that postcode: refusing the publication would put the
    shipped directory in force on every laptop, without the coordination's own services."""
    try:
        return _load(files, strict)
    except DirectoryError:
        raise
    except res.ResourceError as exc:
        raise DirectoryError(exc.file, exc.where, exc.code, exc.detail) from exc


def _load(files: Mapping[str, str], strict: bool) -> ServiceDirectory:
    catalogue_path = Path(CATALOGUE_FILE)
    if CATALOGUE_FILE not in files:
        raise DirectoryError(catalogue_path, "", "missing_file")
    topics, documents = _load_catalogue(catalogue_path, files[CATALOGUE_FILE])
    # Ids equal file names (checked per file), so they are unique within the directory.
    services = [
        _load_service(Path(name), files[name], topics, documents, strict)
        for name in sorted(files)
        if name != CATALOGUE_FILE
    ]
    if not services:
        raise DirectoryError(Path("*.yaml"), "", "no_services")
    # In the order of their German names, as lists show them: by file name, "Agentur für
    # Arbeit" (employment_agency) stood between Diakonie and Faire Mobilität.
    services.sort(key=lambda s: s.german_name.casefold())
    return ServiceDirectory(tuple(services), topics, documents)


@cache
def default_directory() -> ServiceDirectory:
    """The shipped directory, loaded once per process."""
    return load_directory()


def _load_catalogue(
    path: Path, text: str
) -> tuple[dict[str, LocalizedText], dict[str, LocalizedText]]:
    data = res.mapping(path, res.parse_yaml(path, text), "")
    res.no_unknown_keys(path, data, {"topics", "documents"}, "")
    sections: list[dict[str, LocalizedText]] = []
    for key in ("topics", "documents"):
        if key not in data:
            raise DirectoryError(path, key, "missing")
        entries = res.mapping(path, data[key], key)
        sections.append(
            {
                str(ident): res.localized(path, value, f"{key}.{ident}")
                for ident, value in entries.items()
            }
        )
    return sections[0], sections[1]


def _load_service(
    path: Path,
    text: str,
    topics: Mapping[str, LocalizedText],
    documents: Mapping[str, LocalizedText],
    strict: bool,
) -> Service:
    data = res.mapping(path, res.parse_yaml(path, text), "")
    res.no_unknown_keys(path, data, _SERVICE_KEYS, "")
    for key in ("id", "name", "topics"):
        if key not in data:
            raise res.ResourceError(path, key, "missing")
    ident = res.text(path, data["id"], "id")
    if ident != path.stem:
        raise res.ResourceError(path, "id", "id_not_file_name", f"{ident!r} in {path.name}")
    topic_ids = res.text_list(path, data["topics"], "topics")
    if not topic_ids:
        raise res.ResourceError(path, "topics", "empty")
    _known(path, "topics", topic_ids, topics)
    document_ids = res.text_list(path, data.get("documents"), "documents")
    _known(path, "documents", document_ids, documents)
    languages = res.text_list(path, data.get("languages"), "languages")
    for i, lang in enumerate(languages):
        if not (len(lang) == 2 and lang.isascii() and lang.islower()):
            raise res.ResourceError(path, f"languages[{i}]", "not_iso_639_1", lang)
    return Service(
        id=ident,
        name=res.localized(path, data["name"], "name"),
        description=res.localized(path, data.get("description"), "description", required=False),
        topics=topic_ids,
        address=_address(path, data.get("address"), strict),
        opening_hours=res.localized(
            path, data.get("opening_hours"), "opening_hours", required=False
        ),
        languages=languages,
        contact=_contact(path, data.get("contact")),
        documents=document_ids,
        consent_names=res.text_list(path, data.get("consent_names"), "consent_names"),
    )


def _address(path: Path, value: Any, strict: bool) -> Address:
    # A missing or partial address is allowed: letters then say "please ask us".
    if value is None:
        return Address()
    data = res.mapping(path, value, "address")
    res.no_unknown_keys(path, data, {"street", "postcode", "city", "extra"}, "address")
    postcode = res.text(path, data.get("postcode"), "address.postcode", required=False)
    city = res.text(path, data.get("city"), "address.city", required=False)
    if postcode_without_city(postcode, city):
        if strict:
            raise res.ResourceError(path, "address.city", "postcode_without_city", postcode)
        postcode = ""  # never printed alone on the town's line (see directory_from_files)
    return Address(
        street=res.text(path, data.get("street"), "address.street", required=False),
        postcode=postcode,
        city=city,
        extra=res.localized(path, data.get("extra"), "address.extra", required=False),
    )


def _contact(path: Path, value: Any) -> Contact:
    if value is None:
        return Contact()
    data = res.mapping(path, value, "contact")
    res.no_unknown_keys(path, data, {"phone", "email", "web"}, "contact")
    return Contact(
        **{
            key: res.text(path, data.get(key), f"contact.{key}", required=False)
            for key in ("phone", "email", "web")
        }
    )


def _known(path: Path, where: str, ids: Iterable[str], known: Mapping[str, object]) -> None:
    for i, ident in enumerate(ids):
        if ident not in known:
            raise res.ResourceError(path, f"{where}[{i}]", "unknown_id", ident)


__all__ = [
    "LANGUAGES",
    "DirectoryError",
    "ServiceDirectory",
    "default_directory",
    "directory_from_files",
    "load_directory",
    "read_directory_files",
]
