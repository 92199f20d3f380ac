"""The first seconds after start-up: unlock the key and read the people list without SQLAlchemy.

Importing SQLAlchemy, the models and the use cases takes longer than importing Qt. So that the
people list and the search work as soon as the window shows, start-up unwraps the key here (key
slots + login guard, no store modules), opens a bare read-only SQLCipher connection with it and
serves the list's pages and the search from the same SQL as ``PeopleRepository``
(``storage/people_sql``). The full store (``storage/db``, migrations, audit) opens right after
the first paint, in the background, and then takes over. Any surprise here (an older schema that
needs migrating, a damaged file) makes the caller take the full path, which reports it properly.
"""

from __future__ import annotations

import threading
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from desktop_app.domain.users import Role, User, effective_user
from desktop_app.storage import people_sql
from desktop_app.storage.keyslots import UnknownAccount, normalise_account
from desktop_app.storage.layout import LAPTOP_ROLE_META, SCHEMA_HEAD, StorePaths
from desktop_app.storage.login_guard import unlock_for_start
from desktop_app.storage.people_sql import PersonListEntry


def load_driver() -> None:
    """Load the SQLCipher driver ahead (a window start does so while the key is derived)."""
    from sqlcipher3 import dbapi2  # noqa: F401


class QuickUnavailable(Exception):
    """The quick reader cannot serve this store; open it the full way with ``key``."""

    def __init__(self, key: bytes, reason: str) -> None:
        super().__init__(reason)
        self.key = key


class QuickReader:
    """A read-only SQLCipher connection serving the people list and the search.

    Safe to call from the UI thread and a worker: one statement at a time (a lock).
    """

    def __init__(self, database: Path, key: bytes) -> None:
        from sqlcipher3 import dbapi2 as sqlcipher  # the driver SQLAlchemy's dialect uses

        self._lock = threading.Lock()
        self._conn = sqlcipher.connect(str(database), check_same_thread=False)
        try:
            self._conn.execute(f"PRAGMA key = \"x'{key.hex()}'\"")
            self._conn.execute("PRAGMA cipher_memory_security = OFF")
            self._conn.execute("PRAGMA query_only = ON")
            self._conn.execute("PRAGMA busy_timeout = 5000")
        except Exception:
            self._conn.close()
            raise
        self._preloaded: dict[tuple[str, int, int], Any] = {}

    def _execute(self, statement: str, params: Sequence[Any]) -> Iterable[Sequence[Any]]:
        with self._lock:
            return self._conn.execute(statement, tuple(params)).fetchall()

    def schema_version(self) -> str | None:
        rows = self._execute(
            "SELECT version_num FROM alembic_version WHERE EXISTS (SELECT 1 FROM sqlite_master "
            "WHERE type = 'table' AND name = 'alembic_version')",
            (),
        )
        return next((str(r[0]) for r in rows), None)

    def active_user(self, account: str) -> User | None:
        rows = self._execute(
            "SELECT id, account, display_name, role FROM users WHERE account = ? AND deleted = 0",
            (normalise_account(account),),
        )
        found = next(iter(rows), None)
        if found is None:
            return None
        ceiling = self._execute("SELECT value FROM meta WHERE key = ?", (LAPTOP_ROLE_META,))
        value = next((str(r[0]) for r in ceiling), "")
        try:
            laptop = Role(value) if value else None
        except ValueError:  # as ``usecases.accounts.ceiling_of``
            laptop = Role.HELPER
        # As ``usecases.accounts._user``: no higher than the laptop's role.
        return effective_user(found[0], found[1], found[2], Role(found[3]), laptop)

    def preload(self, page_size: int) -> None:
        """Read the count and the first page now (on the unlocking thread), for the first paint."""
        self._preloaded[("count", 0, 0)] = people_sql.count(self._execute)
        self._preloaded[("page", 0, page_size)] = people_sql.page(self._execute, 0, page_size)

    def count(self) -> int:
        preloaded = self._preloaded.pop(("count", 0, 0), None)
        return int(preloaded) if preloaded is not None else people_sql.count(self._execute)

    def page(self, offset: int, limit: int) -> list[PersonListEntry]:
        preloaded = self._preloaded.pop(("page", offset, limit), None)
        if preloaded is not None:
            return list(preloaded)
        return people_sql.page(self._execute, offset, limit)

    def search(self, query: str, limit: int = 50) -> list[PersonListEntry]:
        return people_sql.search(self._execute, query, limit)

    def position(self, person_id: str) -> int | None:
        return people_sql.position(self._execute, person_id)

    def close(self) -> None:
        with self._lock:
            self._conn.close()


@dataclass
class QuickStart:
    """An unlocked key, its user, and a reader for the first paint (the store opens later)."""

    data_dir: Path
    account: str
    user: User
    reader: QuickReader
    key: bytes = field(repr=False)


def quick_open(
    data_dir: Path,
    account: str | None,
    password: str,
    page_size: int = 200,
    *,
    kdf_threads: int | None = None,
) -> QuickStart:
    """Unwrap the key (``unlock_for_start``) and open the quick reader, with the first page
    read. Raises the key slot errors of a refused login (as ``log_in``), and
    ``QuickUnavailable`` (with the key) when the store needs the full path. ``account`` None:
    the laptop's only account."""
    account, key = unlock_for_start(data_dir, account, password, kdf_threads=kdf_threads)
    return quick_open_with_key(data_dir, account, key, page_size)


def quick_open_with_key(
    data_dir: Path, account: str, key: bytes, page_size: int = 200
) -> QuickStart:
    """The quick reader of an unlocked store with the first page read; ``QuickUnavailable``
    (with the key) when the store needs the full path: missing, damaged, or not at
    SCHEMA_HEAD."""
    database = StorePaths(data_dir).database
    if not database.exists():
        raise QuickUnavailable(key, "no database file")
    try:
        reader = QuickReader(database, key)
    except Exception as exc:  # the full path turns any of these into a clear StoreError
        raise QuickUnavailable(key, type(exc).__name__) from exc
    try:
        if reader.schema_version() != SCHEMA_HEAD:
            raise QuickUnavailable(key, "schema not at head")
        user = reader.active_user(account)
        if user is None:
            raise UnknownAccount(account)
        reader.preload(page_size)
    except QuickUnavailable:
        reader.close()
        raise
    except UnknownAccount:
        reader.close()
        raise
    except Exception as exc:
        reader.close()
        raise QuickUnavailable(key, type(exc).__name__) from exc
    return QuickStart(data_dir, account, user, reader, key)
