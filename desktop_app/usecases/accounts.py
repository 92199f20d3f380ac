"""Setting up a laptop's store with its first account, and logging in to it."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import select

from desktop_app.domain.users import Role, User
from desktop_app.domain.validation import FieldError, ValidationFailed, has_control_characters
from desktop_app.storage.db import Store, StorePaths, open_with_key
from desktop_app.storage.keyslots import KdfParams, new_database_key, normalise_account
from desktop_app.storage.models import UserRow

PASSWORD_MIN = 8


@dataclass
class Session:
    """An unlocked store and the user working in it."""

    store: Store
    user: User

    def close(self) -> None:
        self.store.close()


def _user(row: UserRow) -> User:
    return User(row.id, row.account, row.display_name, Role(row.role))


def validate_new_account(account: str, display_name: str, password: str, repeat: str) -> None:
    errors: list[FieldError] = []
    account = " ".join(account.split())
    if not account:
        errors.append(FieldError("account", "required"))
    elif len(account) > 100 or has_control_characters(account):
        errors.append(FieldError("account", "account_invalid"))
    if len(display_name) > 200 or has_control_characters(display_name):
        errors.append(FieldError("display_name", "control_characters"))
    if len(password) < PASSWORD_MIN:
        errors.append(FieldError("password", "password_too_short", {"min": PASSWORD_MIN}))
    elif password != repeat:
        errors.append(FieldError("password_repeat", "passwords_differ"))
    if errors:
        raise ValidationFailed(errors)


def create_first_account(
    data_dir: Path,
    account: str,
    display_name: str,
    password: str,
    *,
    repeat: str | None = None,
    kdf: KdfParams | None = None,
) -> Session:
    """Create a new encrypted store whose first account is its coordinator."""
    validate_new_account(account, display_name, password, password if repeat is None else repeat)
    paths = StorePaths(data_dir)
    key = new_database_key()
    store = open_with_key(paths, key, create=True)
    # The slot is written last: a crash before it leaves an empty file that nobody can open,
    # never a store whose key is lost after data went in.
    paths.keyslots.create(key, account, password, kdf)
    now = store.clock.now()
    row = UserRow(
        id=str(uuid.uuid4()),
        account=normalise_account(account),
        display_name=" ".join((display_name or account).split()),
        role=Role.COORDINATOR.value,
        revision=1,
        updated_hlc=str(now),
        device_id=store.device_id,
        author_id="",
        deleted=False,
        field_clocks="{}",
    )
    row.author_id = row.id
    with store.transaction() as session:
        session.add(row)
    return Session(store, _user(row))


def log_in(data_dir: Path, account: str, password: str) -> Session:
    """Unwrap the key with the password and open the store; raises KeySlotError / StoreError."""
    paths = StorePaths(data_dir)
    key = paths.keyslots.unlock(account, password)
    store = open_with_key(paths, key)
    with store.reading() as session:
        row = session.scalar(select(UserRow).where(UserRow.account == normalise_account(account)))
    if row is None:
        store.close()
        from desktop_app.storage.keyslots import UnknownAccount

        raise UnknownAccount(account)
    return Session(store, _user(row))
