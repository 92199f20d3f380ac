"""Names and errors of the store's files, without SQLAlchemy: the start-up path and the login
dialog use them before the store's heavier modules have loaded (see ``storage/quick.py``)."""

from __future__ import annotations

from pathlib import Path

from desktop_app.storage.keyslots import KeySlotFile

DB_NAME = "welcome-desk.db"
SLOTS_NAME = "keyslots.json"
# Left by ``usecases.backup.restore_backup`` beside a restored store: its first opening gives the
# store an id of its own (``storage.db.Store``). Only a new id follows from it, nothing secret.
RESTORED_MARKER = "restored-from-backup"
# Under the data folder: publications a member's laptop made for itself, withdrawn
# (``usecases.reference.withdraw_own_publications``), each a folder of YAML files as
# ``publish --from`` takes them.
WITHDRAWN_FOLDER = "withdrawn-publications"
# Kept in step with the newest file in migrations/versions (a unit test checks it), so that a
# start-up with an up-to-date store needs no Alembic import at all.
SCHEMA_HEAD = "form_definitions"
# The store's meta key of the role this laptop was approved for ("helper", "advisor",
# "coordinator"): no account works here above it (``domain.users.effective_user``). Missing: no
# ceiling (a laptop that never joined, or joined before laptops were approved for a role).
# Here, not in ``sync.engine``, as the start-up path reads it too (``storage.quick``).
LAPTOP_ROLE_META = "sync.laptop_role"


class StoreError(Exception):
    """A store that cannot be opened; ``code`` is a stable key for a translated message."""

    code = "store_error"

    def __init__(self, detail: str = "") -> None:
        super().__init__(detail or self.code)
        self.detail = detail


class NotAStore(StoreError):
    """The file is not a Welcome Desk database, or the key does not fit it. Never overwritten."""

    code = "not_a_store"


class StoreMissing(StoreError):
    code = "store_missing"


class StoreExists(StoreError):
    code = "store_exists"


class NewerSchema(StoreError):
    code = "newer_schema"


class StoreClosed(StoreError):
    """The store was closed (logout, quitting, another store opened in its place): it is not
    read or written any more, and its key is no longer held. Its message is the generic one:
    a user never meets it (background work that finds the store closed stops quietly)."""


class StorePaths:
    """The files of the store in ``data_dir``. (A plain class, not a dataclass: start-up reads
    it before the key derivation begins, and ``dataclasses`` costs several milliseconds.)"""

    __slots__ = ("data_dir",)

    def __init__(self, data_dir: Path) -> None:
        self.data_dir = data_dir

    def __eq__(self, other: object) -> bool:
        return isinstance(other, StorePaths) and other.data_dir == self.data_dir

    def __hash__(self) -> int:
        return hash(self.data_dir)

    def __repr__(self) -> str:
        return f"StorePaths({self.data_dir!r})"

    @property
    def database(self) -> Path:
        return self.data_dir / DB_NAME

    @property
    def keyslots(self) -> KeySlotFile:
        return KeySlotFile(self.data_dir / SLOTS_NAME)

    def is_initialised(self) -> bool:
        return self.database.exists() or (self.data_dir / SLOTS_NAME).exists()

    def can_log_in_unnamed(self) -> bool:
        """Whether a login may leave out the account: the folder holds a store with one
        account whose slot knows its name (``KeySlotFile.unlock_only``)."""
        return self.is_initialised() and self.keyslots.only_account_known()
