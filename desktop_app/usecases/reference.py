"""Reference data a coordinator publishes to every laptop: the service directory.

The app ships a directory (``resources/services``). A coordinator exports it to a folder, edits
addresses, opening hours or services there, and publishes the folder; the publication is a synced
record (kind ``reference``), so every laptop that syncs uses it for new referral letters. Until
something is published, or on a laptop that has not synced yet, the shipped directory applies.
"""

from __future__ import annotations

import datetime as dt
import json
import re
import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from threading import Lock

from sqlalchemy import select

from desktop_app.domain.permissions import Action, require
from desktop_app.domain.users import User
from desktop_app.letters.directory import (
    DirectoryError,
    ServiceDirectory,
    default_directory,
    directory_from_files,
    read_directory_files,
)
from desktop_app.paths import resource
from desktop_app.storage.db import Store
from desktop_app.storage.models import OutboxRow
from desktop_app.storage.reference_models import ReferenceRow
from desktop_app.usecases import audit

SERVICES = "services"
# Record ids are derived from the reference's name, so every laptop publishes into one record.
_NAMESPACE = uuid.UUID("6f1d7a52-3c1e-4f7b-9a55-1b2f4b8f7e10")
MAX_FILES = 200
MAX_FILE_CHARS = 200_000
MAX_NOTE = 200
_FILE_NAME = re.compile(r"[a-z0-9_]{1,60}\.yaml")


def reference_id(name: str) -> str:
    return str(uuid.uuid5(_NAMESPACE, f"welcome-desk:reference:{name}"))


class PublishRefused(ValueError):
    """A folder that cannot be published or exported; ``code`` keys a translated message."""

    def __init__(self, code: str, detail: str = "") -> None:
        super().__init__(f"{code}: {detail}" if detail else code)
        self.code = code
        self.detail = detail


@dataclass(frozen=True)
class Publication:
    """What a coordinator published; ``services`` counts the services in it."""

    name: str
    files: Mapping[str, str]
    note: str
    publisher: str
    published_at: dt.datetime
    revision: int
    services: int


def _publication(row: ReferenceRow) -> Publication | None:
    try:
        data = json.loads(row.content)
        files = {str(k): str(v) for k, v in data["files"].items()}
        when = dt.datetime.fromisoformat(data["published_at"])
        services = len(directory_from_files(files).services)
    except (ValueError, KeyError, TypeError, AttributeError, DirectoryError):
        return None  # damaged or from a newer version: the shipped directory applies
    return Publication(
        row.name,
        files,
        str(data.get("note", "")),
        str(data.get("publisher", "")),
        when,
        row.revision,
        services,
    )


def published_directory(store: Store) -> Publication | None:
    """The directory a coordinator published (here or on another laptop), if any."""
    with store.reading() as session:
        row = session.scalar(
            select(ReferenceRow).where(
                ReferenceRow.id == reference_id(SERVICES), ReferenceRow.deleted.is_(False)
            )
        )
        return _publication(row) if row is not None else None


_cache_lock = Lock()
_cache: dict[tuple[str, int, str], ServiceDirectory] = {}


def service_directory(store: Store) -> ServiceDirectory:
    """The directory in force on this laptop: the published one, else the shipped one."""
    with store.reading() as session:
        found = session.execute(
            select(ReferenceRow.revision, ReferenceRow.updated_hlc, ReferenceRow.content).where(
                ReferenceRow.id == reference_id(SERVICES), ReferenceRow.deleted.is_(False)
            )
        ).first()
    if found is None:
        return default_directory()
    key = (str(store.paths.database), found.revision, found.updated_hlc)
    with _cache_lock:
        cached = _cache.get(key)
    if cached is not None:
        return cached
    try:
        files = json.loads(found.content)["files"]
        directory = directory_from_files({str(k): str(v) for k, v in files.items()})
    except (ValueError, KeyError, TypeError, AttributeError, DirectoryError):
        return default_directory()
    with _cache_lock:
        _cache.clear()  # one store, one directory: older revisions are of no further use
        _cache[key] = directory
    return directory


def check_files(files: Mapping[str, str]) -> ServiceDirectory:
    """Validate a directory before publishing; raises ``DirectoryError`` or ``PublishRefused``."""
    if len(files) > MAX_FILES:
        raise PublishRefused("too_many_files", str(len(files)))
    for name, text in files.items():
        if not _FILE_NAME.fullmatch(name):
            raise PublishRefused("bad_file_name", name)
        if len(text) > MAX_FILE_CHARS:
            raise PublishRefused("file_too_large", name)
    return directory_from_files(files)


def publish_directory(
    store: Store, user: User, files: Mapping[str, str], note: str = ""
) -> Publication:
    """Validate and publish a directory to every laptop (coordinators only; audited)."""
    require(user, Action.MANAGE_DIRECTORY)
    note = " ".join(note.split())
    if len(note) > MAX_NOTE:
        raise PublishRefused("note_too_long", str(MAX_NOTE))
    directory = check_files(files)
    now = dt.datetime.now(dt.UTC).replace(microsecond=0)
    content = json.dumps(
        {
            "files": dict(sorted(files.items())),
            "note": note,
            "publisher": user.display_name,
            "published_at": now.isoformat(),
        },
        ensure_ascii=False,
        sort_keys=True,
    )
    record_id = reference_id(SERVICES)
    hlc = str(store.clock.now())
    with store.transaction() as session:
        row = session.get(ReferenceRow, record_id)
        if row is None:
            row = ReferenceRow(
                id=record_id, name=SERVICES, revision=0, field_clocks="{}", deleted=False
            )
            session.add(row)
        row.content = content
        row.deleted = False
        row.revision = (row.revision or 0) + 1
        row.updated_hlc = hlc
        row.device_id = store.device_id
        row.author_id = user.id
        session.flush()
        session.add(
            OutboxRow(record_kind="reference", record_id=record_id, revision=row.revision, hlc=hlc)
        )
        audit.record_in(
            session,
            store,
            user.id,
            audit.AuditAction.PUBLISH,
            "reference",
            record_id,
            {"name": SERVICES, "services": len(directory.services), "files": len(files)},
        )
        revision = row.revision
    return Publication(
        SERVICES, dict(files), note, user.display_name, now, revision, len(directory.services)
    )


def publish_directory_folder(store: Store, user: User, folder: Path, note: str = "") -> Publication:
    require(user, Action.MANAGE_DIRECTORY)
    if not folder.is_dir():
        raise PublishRefused("not_a_folder", str(folder))
    return publish_directory(store, user, read_directory_files(folder), note)


def shipped_directory_files() -> dict[str, str]:
    return read_directory_files(resource(SERVICES))


def export_directory(store: Store, user: User, folder: Path) -> int:
    """Write the directory in force as YAML files into an empty folder, for editing."""
    require(user, Action.MANAGE_DIRECTORY)
    folder.mkdir(parents=True, exist_ok=True)
    if any(folder.glob("*.yaml")):
        raise PublishRefused("folder_not_empty", str(folder))
    published = published_directory(store)
    files = dict(published.files) if published else shipped_directory_files()
    for name, text in files.items():
        if not _FILE_NAME.fullmatch(name):  # a published name never leaves the folder
            raise PublishRefused("bad_file_name", name)
        (folder / name).write_text(text, encoding="utf-8")
    return len(files)
