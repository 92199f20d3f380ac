"""Editing one service of the directory in force and publishing the result, for coordinators
who are not YAML editors: a service as plain fields (``ServiceDraft``), the directory's files
rebuilt from what is in force plus the change, and the same checks and publish path as a
published folder (``reference.publish_directory``).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field, fields
from typing import Any

import yaml
from sqlalchemy import func, select

from desktop_app.domain.opening_hours import parse_opening_hours
from desktop_app.domain.permissions import Action, require
from desktop_app.domain.service import FALLBACK_ORDER, Service, postcode_without_city
from desktop_app.domain.users import User
from desktop_app.i18n.text import LANGUAGES, N_, _
from desktop_app.i18n.translit import fold
from desktop_app.letters.directory import CATALOGUE_FILE, DirectoryError, default_directory
from desktop_app.storage.db import Store
from desktop_app.storage.referrals_models import ReferralRow
from desktop_app.usecases import reference

#: Ids are file names (``<id>.yaml``, see ``reference._FILE_NAME``): at most 60 characters.
_MAX_ID = 55
_EMAIL = re.compile(r"[^@\s]+@[^@\s]+\.[^@\s.]{2,}")
_BY_ARRANGEMENT = re.compile(r"Vereinbarung|nach Absprache", re.IGNORECASE)
# Texts in four languages, as the fields of a draft and the keys of a service file.
LOCALIZED = ("name", "description", "opening_hours", "address.extra")


@dataclass
class ServiceDraft:
    """A service as the editor shows it; ``id`` is "" for a service not yet in the directory.

    Localized texts map a language to what was typed ("" where nothing was)."""

    id: str = ""
    name: dict[str, str] = field(default_factory=dict)
    description: dict[str, str] = field(default_factory=dict)
    opening_hours: dict[str, str] = field(default_factory=dict)
    extra: dict[str, str] = field(default_factory=dict)
    consent_names: tuple[str, ...] = ()
    topics: tuple[str, ...] = ()  # the main topic first
    street: str = ""
    postcode: str = ""
    city: str = ""
    languages: tuple[str, ...] = ()
    phone: str = ""
    web: str = ""
    email: str = ""
    documents: tuple[str, ...] = ()


def draft_of(service: Service) -> ServiceDraft:
    return ServiceDraft(
        id=service.id,
        name=dict(service.name.texts),
        description=dict(service.description.texts),
        opening_hours=dict(service.opening_hours.texts),
        extra=dict(service.address.extra.texts),
        consent_names=service.consent_names,
        topics=service.topics,
        street=service.address.street,
        postcode=service.address.postcode,
        city=service.address.city,
        languages=service.languages,
        phone=service.contact.phone,
        web=service.contact.web,
        email=service.contact.email,
        documents=service.documents,
    )


@dataclass(frozen=True)
class FieldProblem:
    """Why a field's value cannot be published; ``field`` as a service file names the place
    (``name.de``, ``contact.email``, ``topics``), ``message`` in the UI language."""

    field: str
    message: str


class DraftRefused(ValueError):
    """An edit that cannot be published, with the problem of each field concerned."""

    def __init__(self, problems: list[FieldProblem]) -> None:
        super().__init__("; ".join(f"{p.field}: {p.message}" for p in problems))
        self.problems = problems


def _localized(texts: Mapping[str, str]) -> dict[str, str] | None:
    """A service file's ``{de:, bg:, ro:, en:, …}``, every language of this program filled as
    the directory requires: one left empty shows what ``LocalizedText.get`` would fall back to
    (English, then German). Texts in languages this program does not speak (``with_unshown``
    kept them) follow. None where nothing was typed."""
    typed = {lang: " ".join(texts.get(lang, "").split()) for lang in LANGUAGES}
    if not any(typed.values()):
        return None
    fallback = next((typed[lang] for lang in FALLBACK_ORDER if typed[lang]), "")
    unshown = {
        lang: " ".join(text.split())
        for lang, text in texts.items()
        if lang not in LANGUAGES and text.strip()
    }
    return {**{lang: typed[lang] or fallback for lang in LANGUAGES}, **unshown}


def with_unshown(shown: Mapping[str, str], before: Mapping[str, str]) -> dict[str, str]:
    """A text as the editor shows it (``shown``: this program's languages) with the languages
    of ``before`` it does not speak (a directory a laptop of a newer version published, with a
    language more): kept where the shown ones are as they were, and dropped where one was
    changed: a Turkish opening time the coordinator could neither read nor change would be
    left wrong, where the person's copy now falls back to the English text just written."""

    def plain(text: str) -> str:
        return " ".join(text.split())

    changed = any(plain(shown.get(lang, "")) != plain(before.get(lang, "")) for lang in LANGUAGES)
    kept = {} if changed else {k: v for k, v in before.items() if k not in LANGUAGES}
    return {**shown, **kept}


def _clean(text: str) -> str:
    return " ".join(text.split())


def draft_problems(draft: ServiceDraft) -> list[FieldProblem]:
    """What the directory's own checks cannot say at the field: German texts the others fall
    back to, a postcode's city, the main topic, an e-mail address a service can be written
    to."""
    problems: list[FieldProblem] = []
    if not _clean(draft.name.get("de", "")):
        problems.append(FieldProblem("name.de", _("Please enter the German name.")))
    for key, texts in (
        ("description", draft.description),
        ("opening_hours", draft.opening_hours),
        ("address.extra", draft.extra),
    ):
        if any(_clean(t) for t in texts.values()) and not _clean(texts.get("de", "")):
            problems.append(
                FieldProblem(
                    f"{key}.de",
                    _("Please write it in German too: the letters fall back to the German text."),
                )
            )
    if postcode_without_city(draft.postcode, draft.city):
        problems.append(
            FieldProblem(
                "address.city",
                # Short: it stands under the city's field, half the dialog wide.
                _("Please enter the city too."),
            )
        )
    if not draft.topics:
        problems.append(FieldProblem("topics", _("Please choose the main topic.")))
    email = draft.email.strip()
    if email and not _EMAIL.fullmatch(email):
        problems.append(
            FieldProblem(
                "contact.email",
                _("This is not an e-mail address (such as info@example.de)."),
            )
        )
    return problems


def unreadable_hours(text_de: str) -> bool:
    """Whether the German opening hours are written so that the appointment warning cannot
    read them (it then warns of nothing): empty and "nach Vereinbarung" are read as meant."""
    text = text_de.strip()
    if not text or _BY_ARRANGEMENT.search(text):
        return False
    return parse_opening_hours(text) is None


def new_service_id(german_name: str, taken: set[str]) -> str:
    """An id (and file name) for a new service from its German name: "Tafel Dortmund e.V." →
    ``tafel_dortmund_e_v``, with a number after it where that is taken."""
    base = re.sub(r"[^a-z0-9]+", "_", fold(german_name)).strip("_")[:_MAX_ID].strip("_")
    base = base or "service"
    taken = taken | {CATALOGUE_FILE.removesuffix(".yaml")}
    ident, number = base, 2
    while ident in taken:
        ident = f"{base}_{number}"
        number += 1
    return ident


def service_file(draft: ServiceDraft, ident: str) -> str:
    """The draft as a service file (``<ident>.yaml``) in the format the directory reads."""
    data: dict[str, Any] = {"id": ident, "name": _localized(draft.name) or {}}
    names = [n for n in map(_clean, draft.consent_names) if n]
    if names:
        data["consent_names"] = list(dict.fromkeys(names))
    if (description := _localized(draft.description)) is not None:
        data["description"] = description
    data["topics"] = list(dict.fromkeys(draft.topics))
    address: dict[str, Any] = {
        key: value
        for key, value in (
            ("street", _clean(draft.street)),
            ("postcode", _clean(draft.postcode)),
            ("city", _clean(draft.city)),
        )
        if value
    }
    if (extra := _localized(draft.extra)) is not None:
        address["extra"] = extra
    if address:
        data["address"] = address
    if (hours := _localized(draft.opening_hours)) is not None:
        data["opening_hours"] = hours
    if draft.languages:
        data["languages"] = list(dict.fromkeys(draft.languages))
    contact = {
        key: value
        for key, value in (
            ("phone", _clean(draft.phone)),
            ("web", _clean(draft.web)),
            ("email", draft.email.strip()),
        )
        if value
    }
    if contact:
        data["contact"] = contact
    if draft.documents:
        data["documents"] = list(dict.fromkeys(draft.documents))
    return yaml.safe_dump(data, allow_unicode=True, sort_keys=False, width=100)


def files_in_force(store: Store) -> dict[str, str]:
    """The directory's files as they are in force: the published ones, else the shipped."""
    published = reference.published_directory(store)
    return dict(published.files) if published else reference.shipped_directory_files()


def _ids_in_use(store: Store, files: Mapping[str, str]) -> set[str]:
    """Ids a new service must not take: those in the directory, and those a referral or the
    shipped directory knows from before (a service taken out): a referral's letter would name
    the new service instead."""
    in_use = {name.removesuffix(".yaml") for name in files if name != CATALOGUE_FILE}
    in_use |= {s.id for s in default_directory().services}
    with store.reading() as session:
        in_use |= set(session.scalars(select(ReferralRow.service_id).distinct()))
    return in_use


def edited_files(store: Store, draft: ServiceDraft) -> tuple[dict[str, str], str]:
    """The directory's files with the draft in them, and the service's id (new: made from the
    German name). Raises ``DraftRefused`` with each field's problem, also those the directory's
    checks find (``reference.check_files``, as for a published folder)."""
    problems = draft_problems(draft)
    if problems:
        raise DraftRefused(problems)
    files = files_in_force(store)
    ident = draft.id or new_service_id(draft.name.get("de", ""), _ids_in_use(store, files))
    name = f"{ident}.yaml"
    files[name] = leading_comment(files.get(name, "")) + service_file(draft, ident)
    check(files)
    return files, ident


def leading_comment(text: str) -> str:
    """The comment lines a service file begins with (blank lines between them kept): what the
    coordination noted about the entry ("Contact data to be checked …") outlives an edit."""
    kept: list[str] = []
    for line in text.splitlines():
        if line.lstrip().startswith("#") or (not line.strip() and kept):
            kept.append(line)
        else:
            break
    while kept and not kept[-1].strip():
        kept.pop()
    return "".join(f"{line}\n" for line in kept)


def removed_files(store: Store, service_id: str) -> dict[str, str]:
    files = files_in_force(store)
    files.pop(f"{service_id}.yaml", None)
    check(files)
    return files


def check(files: Mapping[str, str]) -> None:
    """``reference.check_files``, its problem said at the field it is about."""
    try:
        reference.check_files(files)
    except DirectoryError as exc:
        where = re.sub(r"\[\d+\]$", "", exc.where)
        message = reference.problem_messages(exc)[0]
        raise DraftRefused([FieldProblem(where, message)]) from exc


def publish_edit(
    store: Store, user: User, files: Mapping[str, str], note: str
) -> reference.Publication:
    """Publish an edited directory through the folder's path (coordinators only; audited)."""
    require(user, Action.MANAGE_DIRECTORY)
    return reference.publish_directory(store, user, files, note)


# What the pre-filled note names, by a draft's fields (in the order of the dialog).
_CHANGE_NAMES = {
    "name": N_("name"),
    "description": N_("description"),
    "consent_names": N_("names on consent forms"),
    "topics": N_("topics"),
    "street": N_("address"),
    "postcode": N_("address"),
    "city": N_("address"),
    "extra": N_("address"),
    "opening_hours": N_("opening hours"),
    "languages": N_("languages"),
    "phone": N_("phone"),
    "web": N_("website"),
    "email": N_("e-mail"),
    "documents": N_("documents"),
}


def change_note(before: ServiceDraft | None, after: ServiceDraft) -> str:
    """What changed, for the publication's note: "Jobcenter Dortmund: opening hours, phone"."""
    name = _clean(after.name.get("de", ""))
    if before is None:
        return _("New service: {name}").format(name=name)[: reference.MAX_NOTE]
    # Compared as published: a language left empty is the one it falls back to.
    written_before = yaml.safe_load(service_file(before, "x"))
    written_after = yaml.safe_load(service_file(after, "x"))
    changed: list[str] = []
    for f in fields(ServiceDraft):
        key = f.name
        if key in ("id",) or key not in _CHANGE_NAMES:
            continue
        if _written(written_before, key) != _written(written_after, key):
            changed.append(_(_CHANGE_NAMES[key]))
    if not changed:
        return name[: reference.MAX_NOTE]
    note = _("{name}: {changes}").format(name=name, changes=", ".join(dict.fromkeys(changed)))
    return note[: reference.MAX_NOTE]


def _written(data: Mapping[str, Any], key: str) -> object:
    address, contact = data.get("address", {}), data.get("contact", {})
    if key in ("street", "postcode", "city", "extra"):
        return address.get(key)
    if key in ("phone", "web", "email"):
        return contact.get(key)
    return data.get(key)


def removal_note(service: Service) -> str:
    return _("Removed: {name}").format(name=service.german_name)[: reference.MAX_NOTE]


def referrals_to(store: Store, service_id: str) -> int:
    """How many referrals on this laptop go to the service (erased ones not counted)."""
    with store.reading() as session:
        count = session.scalar(
            select(func.count())
            .select_from(ReferralRow)
            .where(ReferralRow.service_id == service_id, ReferralRow.deleted.is_(False))
        )
    return int(count or 0)


def shipped(service_id: str) -> bool:
    """Whether Welcome Desk ships the service: a letter to it falls back to that entry once it
    is taken out of the directory (``referrals.letter_directory``)."""
    return default_directory().find(service_id) is not None


def removal_refusal(store: Store, service_id: str) -> int:
    """The referrals on this laptop whose letters would lose their service if it were taken
    out (0: it may be). A shipped service's letters keep the shipped entry; one added by a
    coordinator has none to fall back to, so it stays while referrals go to it."""
    if shipped(service_id):
        return 0
    return referrals_to(store, service_id)
