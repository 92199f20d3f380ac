"""Names and errors of the store's files, without SQLAlchemy: the start-up path and the login
dialog use them before the store's heavier modules have loaded (see ``storage/quick.py``)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from desktop_app.storage.keyslots import KeySlotFile

DB_NAME = "welcome-desk.db"
SLOTS_NAME = "keyslots.json"
# Kept in step with the newest file in migrations/versions (a unit test checks it), so that a
# start-up with an up-to-date store needs no Alembic import at all.
SCHEMA_HEAD = "people_count"


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


@dataclass(frozen=True)
class StorePaths:
    data_dir: Path

    @property
    def database(self) -> Path:
        return self.data_dir / DB_NAME

    @property
    def keyslots(self) -> KeySlotFile:
        return KeySlotFile(self.data_dir / SLOTS_NAME)

    def is_initialised(self) -> bool:
        return self.database.exists() or (self.data_dir / SLOTS_NAME).exists()
