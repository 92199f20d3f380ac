"""Reference data a coordinator publishes to every laptop: service directory, form definitions.

The app ships both (``resources/services``, ``resources/forms``). A coordinator exports what is in
force to a folder, edits it there (addresses, opening hours, services; form wording, new fields or
options) and publishes the folder. A publication is one synced record per name (kind
``reference``), so every laptop that syncs uses it: the directory for new referral letters, the
forms for new and opened visits. Until something is published, or on a laptop that has not
synced yet, what was shipped applies. Form edits must keep every stored answer readable (see
``forms.compat``).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import logging
import re
import uuid
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from threading import Lock
from typing import TypeVar

import yaml
from sqlalchemy import delete, select
from sqlalchemy.orm import Session as DbSession

from desktop_app import __version__
from desktop_app.domain import versions
from desktop_app.domain.permissions import Action, PermissionDenied, require
from desktop_app.domain.publication_history import (
    MAX_HISTORY,
    MAX_NOTE,
    PublicationEntry,
    history_of,
)
from desktop_app.domain.users import User
from desktop_app.forms import FormDefinition, FormDefinitionError, load_shipped_forms
from desktop_app.forms.compat import Incompatibility, incompatibilities
from desktop_app.forms.definition import NOTICE_FORMAT, FieldDef, form_from_mapping
from desktop_app.forms.expressions import FUNCTION_FORMATS
from desktop_app.i18n.messages import directory_problem, error_message, form_problem
from desktop_app.i18n.text import _
from desktop_app.letters.directory import (
    DirectoryError,
    ServiceDirectory,
    default_directory,
    directory_from_files,
    read_directory_files,
)
from desktop_app.paths import resource
from desktop_app.storage.db import Store
from desktop_app.storage.layout import WITHDRAWN_FOLDER
from desktop_app.storage.models import OutboxRow, next_revision
from desktop_app.storage.reference_models import ReferenceRow
from desktop_app.storage.sync_models import SyncedRevisionRow
from desktop_app.usecases import audit, consent_texts, form_definitions

SERVICES = "services"
FORMS = "forms"
# Record ids are derived from the reference's name, so every laptop publishes into one record.
_NAMESPACE = uuid.UUID("6f1d7a52-3c1e-4f7b-9a55-1b2f4b8f7e10")
T = TypeVar("T")
MAX_FILES = 200
MAX_FILE_CHARS = 200_000
log = logging.getLogger(__name__)
_FILE_NAME = re.compile(r"[a-z0-9_]{1,60}\.yaml")


def reference_id(name: str) -> str:
    return str(uuid.uuid5(_NAMESPACE, f"welcome-desk:reference:{name}"))


class PublishRefused(ValueError):
    """A folder that cannot be published or exported; ``code`` keys a translated message."""

    def __init__(self, code: str, detail: str = "") -> None:
        super().__init__(f"{code}: {detail}" if detail else code)
        self.code = code
        self.detail = detail

    @property
    def file(self) -> str:
        """The file the problem is in, where there is one."""
        if self.code in ("file_too_large", "bad_file_name", "form_id_not_file_name"):
            return self.detail
        if self.code in ("unknown_form", "form_missing"):
            return f"{self.detail}.yaml"
        return ""


@dataclass(frozen=True)
class Publication:
    """What a coordinator published; ``count`` is the number of services or forms in it."""

    name: str
    files: Mapping[str, str]
    note: str
    publisher: str
    published_at: dt.datetime
    revision: int
    count: int

    @property
    def entry(self) -> PublicationEntry:
        """Which publication this is, as its history names it: the same on every laptop, also
        where a merge gave its record another revision (its history merged with another's)."""
        return PublicationEntry.of(self.publisher, self.published_at, self.note)


_BROKEN = (ValueError, KeyError, TypeError, AttributeError, DirectoryError, FormDefinitionError)


def _files_of(data: object) -> dict[str, str]:
    if not isinstance(data, dict):
        raise TypeError("a publication is a JSON object")
    return {str(k): str(v) for k, v in data["files"].items()}


def _files(content: str) -> dict[str, str]:
    return _files_of(json.loads(content))


def _row(session: DbSession, name: str) -> ReferenceRow | None:
    return session.scalar(
        select(ReferenceRow).where(
            ReferenceRow.id == reference_id(name), ReferenceRow.deleted.is_(False)
        )
    )


def _publication_of(
    name: str, content: str, revision: int, count: Callable[[dict[str, str]], int]
) -> Publication | None:
    try:
        data = json.loads(content)
        files = _files(content)
        when = dt.datetime.fromisoformat(data["published_at"])
        counted = count(files)
    except _BROKEN:
        return None  # damaged or from a newer version: what was shipped applies
    note, publisher = str(data.get("note", "")), str(data.get("publisher", ""))
    return Publication(name, files, note, publisher, when, revision, counted)


def _published(
    store: Store, name: str, count: Callable[[dict[str, str]], int]
) -> Publication | None:
    with store.reading() as session:
        row = _row(session, name)
        if row is None:
            return None
        content, revision = row.content, row.revision
    return _publication_of(name, content, revision, count)


@dataclass(frozen=True)
class StoredPublication:
    """A publication's record as this laptop holds it, read as it is and parsed later
    (``directory_of``, ``forms_of``): what the window's notice keeps of the publications in
    force when it opened, before any sync of its own could bring another."""

    name: str
    revision: int
    device_id: str
    content: str


def stored_publication(store: Store, name: str) -> StoredPublication | None:
    """The publication ``name`` as stored (None: none): one row read, nothing parsed."""
    with store.reading() as session:
        row = _row(session, name)
        if row is None:
            return None
        return StoredPublication(name, row.revision, row.device_id, row.content)


def publication_history(store: Store, name: str) -> list[PublicationEntry]:
    """Who published ``name`` (``SERVICES``, ``FORMS``), when, and the note, newest first, up
    to ``MAX_HISTORY``: from the synced publication, which carries the ones before it. Empty
    while nothing is published."""
    with store.reading() as session:
        row = _row(session, name)
        content = row.content if row is not None else None
    return history_of(content) if content is not None else []


# The format of a publication's content (its files and what they may hold): bump it whenever
# forms or the directory gain something an older version refuses (a new key, a new field
# type, an expression function), so that a laptop of an older version can say that it needs
# an update rather than silently keep its shipped data. Laptops before this number read a
# publication without it. PUBLICATION_FORMAT is the newest format this version reads; a
# publication states the lowest format that reads it (``BASE_FORMAT`` unless its content needs
# a newer one, ``forms_format``), so that laptops of older versions still take the
# publications they can read.
# Format 2: expression functions (days_since); 3: constraints that are notices
# (``severity: notice``, definition.NOTICE_FORMAT).
PUBLICATION_FORMAT = 3
BASE_FORMAT = 1
NEWER = "newer"
DAMAGED = "damaged"
# A publisher's version as a publication states it: short and printable, else not shown.
_VERSION_TEXT = re.compile(r"[0-9A-Za-z.+!_-]{1,32}")


@dataclass(frozen=True)
class Unusable:
    """A publication this laptop cannot use (its shipped data applies instead): ``reason`` is
    NEWER (made by a newer Welcome Desk: an update helps) or DAMAGED; ``publisher_version``
    as the publication states it ("" when it does not). ``refused``: where only these of its
    values were refused (the letterhead's publication, ``settings.PUBLISHED_VALUES``), the
    others being in force; empty where the whole publication is."""

    name: str
    reason: str
    publisher_version: str
    revision: int
    refused: tuple[str, ...] = ()


_cache_lock = Lock()
_cache: dict[str, tuple[tuple[str, int, str], object, Unusable | None]] = {}


def _only_unknown_keys(exc: Exception) -> bool:
    """Whether ``exc`` names only keys or field types this version does not know: what a
    newer version's forms or directory look like here, rather than damage."""
    if isinstance(exc, FormDefinitionError):
        return bool(exc.problems) and all(
            ": unknown key " in p or ": unknown field type " in p for p in exc.problems
        )
    if isinstance(exc, DirectoryError):
        return exc.code == "unknown_key"
    return False


def unusable_reason(name: str, revision: int, data: object, exc: Exception) -> Unusable:
    """Why the publication ``name`` cannot be used here: NEWER where it says it was made by a
    newer version (or, from before publications said so, names only keys unknown here), else
    DAMAGED."""
    stated = data if isinstance(data, dict) else {}
    form = stated.get("format")
    version = stated.get("app_version")
    version = version if isinstance(version, str) and _VERSION_TEXT.fullmatch(version) else ""
    newer_format = type(form) is int and form > PUBLICATION_FORMAT  # not a bool's True
    newer = newer_format or bool(version and versions.is_newer(version, __version__))
    if not newer and "format" not in stated and "app_version" not in stated:
        # From before publications stated their version: keys this version does not know are
        # most likely a newer version's.
        newer = _only_unknown_keys(exc)
    return Unusable(name, NEWER if newer else DAMAGED, version, revision)


def _in_force_entry(
    store: Store, name: str, build: Callable[[dict[str, str]], T]
) -> tuple[T | None, Unusable | None]:
    """What the publication ``name`` holds, built once per revision (None: nothing usable),
    and, when there is one it cannot use, why.

    Cheap when nothing changed (lists call this per row): only the revision is read, and the
    content (tens of KB) is read and parsed once per revision, a broken one included.
    """
    record_id = reference_id(name)
    with store.reading() as session:
        found = session.execute(
            select(ReferenceRow.revision, ReferenceRow.updated_hlc).where(
                ReferenceRow.id == record_id, ReferenceRow.deleted.is_(False)
            )
        ).first()
        if found is None:
            return None, None
        key = (str(store.paths.database), found.revision, found.updated_hlc)
        with _cache_lock:
            cached = _cache.get(name)
        if cached is not None and cached[0] == key:
            return cached[1], cached[2]  # type: ignore[return-value]
        content = session.scalar(select(ReferenceRow.content).where(ReferenceRow.id == record_id))
    data: object = None
    unusable: Unusable | None = None
    try:
        data = json.loads(content or "")
        built: T | None = build(_files_of(data))
    except _BROKEN as exc:
        built = None  # what was shipped applies, and the window says why
        unusable = unusable_reason(name, found.revision, data, exc)
        # Once per revision (this is cached); names and versions only, no content.
        log.warning(
            "publication %s revision %s not usable (%s, %s, published by version %s): "
            "the shipped one applies",
            name,
            found.revision,
            unusable.reason,
            type(exc).__name__,
            unusable.publisher_version or "unknown",
        )
    with _cache_lock:
        _cache[name] = (key, built, unusable)
    return built, unusable


def _in_force(store: Store, name: str, build: Callable[[dict[str, str]], T]) -> T | None:
    return _in_force_entry(store, name, build)[0]


def unusable_publications(store: Store) -> list[Unusable]:
    """The publications present on this laptop that it cannot use (forms first, then the
    service directory, then the letterhead and data protection contacts); empty when every one
    is in force or nothing is published. As cheap as ``forms_in_force`` and
    ``service_directory``: the same per-revision cache (the letterhead's is a few ms)."""
    from desktop_app.usecases.settings import team_settings_entry

    found = [
        _in_force_entry(store, FORMS, _forms_from_files)[1],
        _in_force_entry(store, SERVICES, directory_from_files)[1],
        team_settings_entry(store)[1],
    ]
    return [u for u in found if u is not None]


# ---------------------------------------------------------------------------------------------
# the service directory


def published_directory(store: Store) -> Publication | None:
    """The directory a coordinator published (here or on another laptop), if any."""
    return _published(store, SERVICES, lambda files: len(directory_from_files(files).services))


def published_here(store: Store, name: str) -> bool:
    """Whether the publication of ``name`` in this store was made on this laptop (not
    received from another one by a sync)."""
    with store.reading() as session:
        row = _row(session, name)
        return row is not None and row.device_id == store.device_id


@dataclass(frozen=True)
class DirectoryChanges:
    """Which services one directory changed, added and took out against another: their German
    names (as letters and consent forms name them), in the order the directory lists them."""

    changed: tuple[str, ...] = ()
    added: tuple[str, ...] = ()
    removed: tuple[str, ...] = ()


def directory_changes(before: ServiceDirectory, after: ServiceDirectory) -> DirectoryChanges:
    """What ``after`` changed against ``before``, service by service (any field of an entry)."""
    return DirectoryChanges(
        changed=tuple(
            s.german_name
            for s in after.services
            if (old := before.find(s.id)) is not None and old != s
        ),
        added=tuple(s.german_name for s in after.services if before.find(s.id) is None),
        removed=tuple(s.german_name for s in before.services if after.find(s.id) is None),
    )


def service_directory(store: Store) -> ServiceDirectory:
    """The directory in force on this laptop: the published one, else the shipped one."""
    return _in_force(store, SERVICES, directory_from_files) or default_directory()


def _clean_note(note: str) -> str:
    note = " ".join(note.split())
    if len(note) > MAX_NOTE:
        raise PublishRefused("note_too_long", str(MAX_NOTE))
    return note


def _check_names_and_sizes(files: Mapping[str, str]) -> None:
    if len(files) > MAX_FILES:
        raise PublishRefused("too_many_files", str(len(files)))
    for name, text in files.items():
        if not _FILE_NAME.fullmatch(name):
            raise PublishRefused("bad_file_name", name)
        if len(text) > MAX_FILE_CHARS:
            raise PublishRefused("file_too_large", name)


def check_files(files: Mapping[str, str], *, strict: bool = False) -> ServiceDirectory:
    """Validate a directory before publishing; raises ``DirectoryError`` or ``PublishRefused``.
    ``strict``: a folder a coordinator wrote (see ``directory_from_files``)."""
    _check_names_and_sizes(files)
    return directory_from_files(files, strict=strict)


def publish_refusal(store: Store) -> str | None:
    """Why this laptop may not publish (a ``PublishRefused`` code), or None if it may.

    On a laptop joined to a sync server, a publication reaches the others only from a
    coordinator's laptop (the server refuses it from any other): a member's laptop would change
    its own letters and forms alone. A laptop used offline only publishes for itself."""
    # Imported here: the sync machinery (cryptography, HTTP) is not needed to read the directory.
    from desktop_app.usecases.sync import is_coordinator_laptop, is_joined

    if not is_joined(store):
        return None
    coordinator = is_coordinator_laptop(store)
    if coordinator is None:
        return "role_unknown"
    return None if coordinator else "not_coordinator_laptop"


def _require_publishing_laptop(store: Store) -> None:
    refusal = publish_refusal(store)
    if refusal is not None:
        raise PublishRefused(refusal)


def publish_directory(
    store: Store, user: User, files: Mapping[str, str], note: str = ""
) -> Publication:
    """Validate and publish a directory to every laptop (coordinators only; audited)."""
    require(user, Action.MANAGE_DIRECTORY)
    _require_publishing_laptop(store)
    note = _clean_note(note)
    directory = check_files(files)
    revision, now = _store_publication(
        store,
        user,
        SERVICES,
        files,
        note,
        {"services": len(directory.services), "files": len(files)},
    )
    count = len(directory.services)
    return Publication(SERVICES, dict(files), note, user.display_name, now, revision, count)


def _store_publication(
    store: Store,
    user: User,
    name: str,
    files: Mapping[str, str],
    note: str,
    details: Mapping[str, int],
    publication_format: int = BASE_FORMAT,
) -> tuple[int, dt.datetime]:
    """Write the publication ``name`` (one record per name), its outbox entry and audit entry;
    ``publication_format``: the lowest format that reads it."""
    # To the millisecond: two publications (of two coordinators, or one after another) are
    # told apart and ordered by it in the history their record's merge keeps of both.
    now = dt.datetime.now(dt.UTC)
    now = now.replace(microsecond=now.microsecond // 1000 * 1000)
    record_id = reference_id(name)
    hlc = str(store.clock.now())
    with store.transaction() as session:
        row = session.get(ReferenceRow, record_id)
        # The publications before this one travel with it (who, when, the note), so that
        # every laptop shows them; a withdrawn one (deleted) is no longer one of them.
        before = history_of(row.content) if row is not None and not row.deleted else []
        content = json.dumps(
            {
                "files": dict(sorted(files.items())),
                "note": note,
                "publisher": user.display_name,
                "published_at": now.isoformat(),
                # What a laptop that cannot use it says (``unusable_publications``); laptops
                # of versions before these keys ignore them, as they ignore the history.
                "app_version": __version__,
                "format": publication_format,
                "history": [e.as_json() for e in before[: MAX_HISTORY - 1]],
            },
            ensure_ascii=False,
            sort_keys=True,
        )
        if row is None:
            row = ReferenceRow(
                id=record_id, name=name, revision=0, field_clocks="{}", deleted=False
            )
            session.add(row)
        row.content = content
        row.deleted = False
        next_revision(
            session, row, "reference", hlc=hlc, device_id=store.device_id, author_id=user.id
        )
        session.flush()
        if name == FORMS:
            consent_texts.keep_publication(session, content)
            form_definitions.keep_publication(session, content)
        audit.record_in(
            session,
            store,
            user.id,
            audit.AuditAction.PUBLISH,
            "reference",
            record_id,
            {"name": name, **details},
        )
        return row.revision, now


def withdraw_own_publications(store: Store) -> dict[str, str]:
    """On a member's laptop: withdraw the publications it made itself, which the server never
    takes from it; returns the folder each was saved to, by name.

    Such a publication was made before the laptop joined (offline, a laptop publishes for
    itself) or by a client that ignored its role. Kept, it would stay in force here for good:
    a publication merges by the later clock, and one made here later than the team's would
    win over it, so this laptop alone would print addresses and fill forms the team never
    published, with nothing to tell. So the team's publications apply here as on every other
    laptop (the shipped data until the team publishes), and the laptop's own is saved as a
    folder its user can give the coordinator to publish. Only what waits in the outbox is
    looked at: a record the server holds this revision of is the team's.
    """
    withdrawn: dict[str, str] = {}
    with store.background_transaction() as session:
        waiting = list(
            session.scalars(
                select(OutboxRow.record_id).where(OutboxRow.record_kind == "reference").distinct()
            )
        )
        for record_id in waiting:
            row = session.get(ReferenceRow, record_id)
            synced = session.get(SyncedRevisionRow, record_id)
            own = (
                row is not None
                and not row.deleted
                and (synced is None or synced.revision < row.revision)
            )
            if own and row is not None:
                try:
                    folder = _save_withdrawn(store, row.name, _files(row.content))
                except (OSError, *_BROKEN) as exc:
                    # Kept (and held back) rather than lost: tried again at the next sync.
                    log.warning("publication %s not withdrawn: %s", row.name, type(exc).__name__)
                    continue
                withdrawn[row.name] = str(folder)
                if row.name == FORMS:  # its words no longer tell a check of its versions
                    form_definitions.withdraw_publication(session, row.content)
                # Gone, not marked deleted: a tombstone would absorb the team's publication.
                # A record the server holds an older revision of (the team's, with this
                # laptop's own on top) is gone as well: the team's next publication applies.
                session.delete(row)
                log.warning("own publication %s withdrawn on a member's laptop", row.name)
            session.execute(delete(OutboxRow).where(OutboxRow.record_id == record_id))
    return withdrawn


def _save_withdrawn(store: Store, name: str, files: Mapping[str, str]) -> Path:
    stamp = dt.datetime.now(dt.UTC).strftime("%Y%m%d-%H%M%S")
    root = store.paths.data_dir / WITHDRAWN_FOLDER
    folder = root / f"{name}-{stamp}"
    for number in range(2, 100):  # withdrawn twice within a second: a folder of its own
        if not folder.exists():
            break
        folder = root / f"{name}-{stamp}-{number}"
    _write_folder(folder, files)
    return folder


def publish_directory_folder(store: Store, user: User, folder: Path, note: str = "") -> Publication:
    require(user, Action.MANAGE_DIRECTORY)
    _require_publishing_laptop(store)
    if not folder.is_dir():
        raise PublishRefused("not_a_folder", str(folder))
    files = read_directory_files(folder)
    check_files(files, strict=True)  # what its writer can still mend, said before publishing
    return publish_directory(store, user, files, note)


def shipped_directory_files() -> dict[str, str]:
    return read_directory_files(resource(SERVICES))


# The shipped jobcenter.yaml said "the app lets them edit every entry": it has no editor, entries
# are changed by exporting, editing the files and publishing the folder. A publication made from
# an export of that version still carries the line; an export writes what is true instead.
_UNTRUE_COMMENT = (
    "# coordinator before the directory goes into use (the app lets them edit every entry).\n"
)
_TRUE_COMMENT = (
    "# coordinator before the directory goes into use. To change an entry: export the directory"
    ' ("Export\n# for editing…"), edit these files, and publish the folder'
    ' ("Publish from folder…").\n'
)


def export_directory(store: Store, user: User, folder: Path) -> int:
    """Write the directory in force as YAML files into an empty folder, for editing."""
    require(user, Action.MANAGE_DIRECTORY)
    published = published_directory(store)
    files = dict(published.files) if published else shipped_directory_files()
    return _write_folder(
        folder, {name: text.replace(_UNTRUE_COMMENT, _TRUE_COMMENT) for name, text in files.items()}
    )


def _write_folder(folder: Path, files: Mapping[str, str]) -> int:
    folder.mkdir(parents=True, exist_ok=True)
    if any(folder.glob("*.yaml")):
        raise PublishRefused("folder_not_empty", str(folder))
    for name, text in files.items():
        if not _FILE_NAME.fullmatch(name):  # a published name never leaves the folder
            raise PublishRefused("bad_file_name", name)
        (folder / name).write_text(text, encoding="utf-8")
    return len(files)


# ---------------------------------------------------------------------------------------------
# form definitions


class IncompatibleForms(ValueError):
    """Published forms that would break stored answers; ``problems`` as (form id, problem)."""

    def __init__(self, problems: list[tuple[str, Incompatibility]]) -> None:
        super().__init__("; ".join(f"{f}: {p.code} {p.where}" for f, p in problems))
        self.problems = problems


@cache
def shipped_forms() -> dict[str, FormDefinition]:
    return load_shipped_forms()


# Form definitions parsed from a publication's files, by the files' digest: the forms window
# and the notice of publications read the publication after every sync, and parsed its YAML
# (tens of KB) each time. A new publication has other files, so another digest. A few kept:
# the one in force, and one checked before it is published.
_parsed_lock = Lock()
_parsed: dict[str, dict[str, FormDefinition] | Exception] = {}
_PARSED_KEPT = 4
_parse_count = 0


def forms_parsed() -> int:
    """How many times a publication's form definitions were parsed (not taken from the
    cache) in this process: what tells that a reading after a sync parsed nothing again."""
    return _parse_count


def _forms_from_files(files: Mapping[str, str]) -> dict[str, FormDefinition]:
    """The definitions in ``files`` (a publication's or a folder's), parsed once per content;
    raises as ``_parse_forms`` does, each time."""
    key = hashlib.sha256(
        json.dumps(sorted(files.items()), ensure_ascii=False).encode("utf-8")
    ).hexdigest()
    with _parsed_lock:
        found = _parsed.get(key)
    if found is None:
        try:
            found = _parse_forms(files)
        except _BROKEN as exc:
            found = exc
        with _parsed_lock:
            while len(_parsed) >= _PARSED_KEPT:
                del _parsed[next(iter(_parsed))]
            _parsed[key] = found
    if isinstance(found, Exception):
        raise found.with_traceback(None)
    return dict(found)


def _parse_forms(files: Mapping[str, str]) -> dict[str, FormDefinition]:
    global _parse_count
    with _parsed_lock:
        _parse_count += 1
    forms: dict[str, FormDefinition] = {}
    for name, text in sorted(files.items()):
        try:
            data = yaml.safe_load(text)
        except yaml.YAMLError as exc:
            raise FormDefinitionError([f"{name}: not valid YAML: {exc}"]) from None
        form = form_from_mapping(data, source=name)
        if form.id != Path(name).stem:
            raise PublishRefused("form_id_not_file_name", name)
        forms[form.id] = form
    return forms


def published_forms(store: Store) -> Publication | None:
    """The form definitions a coordinator published, if any."""
    return _published(store, FORMS, lambda files: len(_forms_from_files(files)))


def known_forms(store: Store) -> tuple[FormDefinition, ...]:
    """Every definition of a form this laptop knows: the shipped ones, every one published
    here or received by sync (``form_definitions``), and those in force. For telling a visit's
    answers in the words of the version it was recorded with (``forms.newer.recorded_in``)."""
    return (
        *shipped_forms().values(),
        *form_definitions.kept_forms(store),
        *forms_in_force(store).values(),
    )


def form_of_version(store: Store, form_id: str, version: int) -> FormDefinition | None:
    """The definition of ``version`` of the form ``form_id``, where this laptop knows it."""
    for form in known_forms(store):
        if form.id == form_id and form.version == version:
            return form
    return None


def forms_in_force(store: Store) -> dict[str, FormDefinition]:
    """Each form as used on this laptop: a published definition with a higher version than the
    shipped one, else the shipped one (so an update of Welcome Desk with a newer form wins)."""
    return _with_shipped(_in_force(store, FORMS, _forms_from_files))


def _with_shipped(published: Mapping[str, FormDefinition] | None) -> dict[str, FormDefinition]:
    shipped = shipped_forms()
    if not published:
        return shipped
    return {
        form_id: (
            published[form_id]
            if form_id in published and published[form_id].version > form.version
            else form
        )
        for form_id, form in shipped.items()
    }


def directory_of(stored: StoredPublication | None) -> tuple[Publication | None, ServiceDirectory]:
    """The publication ``stored`` and the directory it puts in force, as ``published_directory``
    and ``service_directory`` read them from the store: the shipped one, and no publication,
    where none is stored or one this laptop cannot use."""
    if stored is None:
        return None, default_directory()
    try:
        directory = directory_from_files(_files(stored.content))
    except _BROKEN:
        return None, default_directory()
    count = len(directory.services)
    return _publication_of(SERVICES, stored.content, stored.revision, lambda _f: count), directory


def forms_of(
    stored: StoredPublication | None,
) -> tuple[Publication | None, dict[str, FormDefinition]]:
    """The publication ``stored`` and the forms in force with it, as ``published_forms`` and
    ``forms_in_force`` read them from the store (``directory_of``)."""
    if stored is None:
        return None, shipped_forms()
    try:
        published = _forms_from_files(_files(stored.content))
    except _BROKEN:
        return None, shipped_forms()
    count = len(published)
    publication = _publication_of(FORMS, stored.content, stored.revision, lambda _f: count)
    return publication, _with_shipped(published)


@dataclass(frozen=True)
class FormChange:
    """A form one set of definitions changed against another: its versions before and after,
    and the questions (top-level fields) the new one added, in the form's order."""

    form: FormDefinition
    old_version: int
    added: tuple[FieldDef, ...] = ()

    @property
    def new_version(self) -> int:
        return self.form.version

    @property
    def required_added(self) -> tuple[FieldDef, ...]:
        """The questions added that must (or, by a condition, may have to) be answered."""
        return tuple(f for f in self.added if f.required)


def form_changes(
    before: Mapping[str, FormDefinition], after: Mapping[str, FormDefinition]
) -> tuple[FormChange, ...]:
    """The forms of ``after`` whose version differs from ``before``'s (publish question, the
    notice of forms a sync brought), with the questions each added."""
    found: list[FormChange] = []
    for form_id, form in after.items():
        old = before.get(form_id)
        if old is None or old.version == form.version:
            continue
        known = {f.id for f in old.fields()}
        found.append(
            FormChange(form, old.version, tuple(f for f in form.fields() if f.id not in known))
        )
    return tuple(found)


def check_forms(store: Store, files: Mapping[str, str]) -> dict[str, FormDefinition]:
    """Validate edited forms against the shipped ones and those in force.

    Raises ``FormDefinitionError`` (a broken definition), ``PublishRefused`` (names, sizes,
    unknown or missing forms) or ``IncompatibleForms`` (stored answers would break).
    """
    _check_names_and_sizes(files)
    forms = _forms_from_files(files)
    shipped = shipped_forms()
    for form_id in sorted(set(forms) - set(shipped)):
        raise PublishRefused("unknown_form", form_id)
    for form_id in sorted(set(shipped) - set(forms)):
        raise PublishRefused("form_missing", form_id)
    current = forms_in_force(store)
    problems: list[tuple[str, Incompatibility]] = []
    for form_id, form in forms.items():
        bases = [shipped[form_id]]
        if current[form_id] is not shipped[form_id]:
            bases.append(current[form_id])
        found: list[Incompatibility] = []
        for base in bases:
            found += incompatibilities(base, form)
            if form.version == base.version and form.model_dump() != base.model_dump():
                found.append(Incompatibility("version_not_raised", str(base.version)))
        problems += [(form_id, p) for p in dict.fromkeys(found)]
    if problems:
        raise IncompatibleForms(problems)
    return forms


def forms_format(forms: Iterable[FormDefinition]) -> int:
    """The lowest publication format whose laptops load ``forms``: a newer one where a form
    calls an expression function older versions do not know, or has a constraint that is a
    notice (their loader refuses the key ``severity``)."""
    forms = list(forms)
    needed = [FUNCTION_FORMATS.get(name, BASE_FORMAT) for f in forms for name in f.functions_used()]
    needed += [NOTICE_FORMAT for f in forms if f.uses_notices()]
    return max([BASE_FORMAT, *needed])


def publish_forms(
    store: Store, user: User, files: Mapping[str, str], note: str = ""
) -> Publication:
    """Check and publish form definitions to every laptop (coordinators only; audited)."""
    require(user, Action.MANAGE_DIRECTORY)
    _require_publishing_laptop(store)
    note = _clean_note(note)
    forms = check_forms(store, files)
    revision, now = _store_publication(
        store, user, FORMS, files, note, {"forms": len(forms)}, forms_format(forms.values())
    )
    return Publication(FORMS, dict(files), note, user.display_name, now, revision, len(forms))


def publish_forms_folder(store: Store, user: User, folder: Path, note: str = "") -> Publication:
    require(user, Action.MANAGE_DIRECTORY)
    _require_publishing_laptop(store)
    if not folder.is_dir():
        raise PublishRefused("not_a_folder", str(folder))
    return publish_forms(store, user, read_directory_files(folder), note)


def export_forms(store: Store, user: User, folder: Path) -> int:
    """Write the form definitions in force as YAML files into an empty folder, for editing."""
    require(user, Action.MANAGE_DIRECTORY)
    published = published_forms(store)
    in_force = forms_in_force(store)
    files: dict[str, str] = {}
    for form_id, form in in_force.items():
        name = f"{form_id}.yaml"
        if published and form is not shipped_forms()[form_id] and name in published.files:
            files[name] = published.files[name]
        else:
            files[name] = (resource("forms") / name).read_text(encoding="utf-8")
    return _write_folder(folder, files)


REFUSALS = (
    DirectoryError,
    FormDefinitionError,
    PublishRefused,
    IncompatibleForms,
    PermissionDenied,
    OSError,
)


def problem_messages(exc: Exception) -> list[str]:
    """Sentences in the UI language for why a folder was refused (re-raises anything else)."""
    if isinstance(exc, DirectoryError):
        return [directory_problem(exc.file.name, exc.where, exc.code)]
    if isinstance(exc, PublishRefused):
        return [directory_problem(exc.file, "", exc.code)]
    if isinstance(exc, IncompatibleForms):
        return [form_problem(form_id, p.code, p.where) for form_id, p in exc.problems]
    if isinstance(exc, FormDefinitionError):
        # The form checker's own findings name file, section and field; they stay in English.
        return [_("The form definition has errors:"), *exc.problems]
    if isinstance(exc, PermissionDenied):
        return [error_message(exc.code)]
    if isinstance(exc, OSError):
        return [
            _("The folder cannot be read or written: {reason}").format(reason=exc.strerror or exc)
        ]
    raise exc
