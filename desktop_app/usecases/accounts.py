"""Accounts on a shared laptop: set-up with a recovery code, log-in with a growing wait after
failures, adding and removing users, changing passwords. One key slot per account."""

from __future__ import annotations

import base64
import logging
import re
import secrets
import uuid
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy import select

from desktop_app.domain.permissions import Action, PermissionDenied, require
from desktop_app.domain.users import Role, User, effective_user, role_at_most
from desktop_app.domain.validation import FieldError, ValidationFailed, has_control_characters
from desktop_app.storage.db import Store, StorePaths, open_with_key
from desktop_app.storage.keyslots import (
    RECOVERY_ACCOUNT,
    KdfParams,
    UnknownAccount,
    WrongPassword,
    new_database_key,
    normalise_account,
)
from desktop_app.storage.layout import LAPTOP_ROLE_META
from desktop_app.storage.login_guard import unlock_account
from desktop_app.storage.login_guard import unlock_guarded as _unlock_guarded
from desktop_app.storage.models import OutboxRow, UserRow, next_revision
from desktop_app.usecases import audit

log = logging.getLogger(__name__)
PASSWORD_MIN = 8
RECOVERY_GROUPS = 8
RECOVERY_GROUP_LEN = 5


@dataclass
class Session:
    """An unlocked store and the user working in it.

    ``key`` is the unwrapped database key (kept to add key slots for new accounts);
    ``recovery_code`` is set only right after the store was created, to be shown once.
    """

    store: Store
    user: User
    key: bytes = field(default=b"", repr=False)
    recovery_code: str | None = field(default=None, repr=False)

    def close(self) -> None:
        """Close the store (``Store.close``: it refuses every later use) and drop the key and
        recovery code this session held, so that a reference kept to it after logging out,
        quitting or switching to a restored store holds no key material."""
        self.store.close()
        self.key = b""
        self.recovery_code = None


def laptop_ceiling(store: Store) -> Role | None:
    """The role this laptop was approved for, the highest any account works with here (None:
    no ceiling). Set from the team keys it took (``usecases.sync``)."""
    return ceiling_of(store.meta(LAPTOP_ROLE_META))


def ceiling_of(value: str | None) -> Role | None:
    if not value:
        return None
    try:
        return Role(value)
    except ValueError:  # not a role this app knows: the lowest
        return Role.HELPER


def _user(row: UserRow, ceiling: Role | None) -> User:
    """Every ``User`` of an account row is built here: its role no higher than the laptop's."""
    return effective_user(row.id, row.account, row.display_name, Role(row.role), ceiling)


def refresh_user(session: Session) -> bool:
    """The session's user again from the store, after the laptop's role ceiling may have
    changed (a team key arrived): True when the role they work with changed."""
    before = session.user
    row = _active_user(session.store, before.account)
    if row is None:
        return False
    session.user = _user(row, laptop_ceiling(session.store))
    return session.user.role != before.role


def _validate_password(password: str, repeat: str, errors: list[FieldError]) -> None:
    if len(password) < PASSWORD_MIN:
        errors.append(FieldError("password", "password_too_short", {"min": PASSWORD_MIN}))
    elif password != repeat:
        errors.append(FieldError("password_repeat", "passwords_differ"))


def validate_new_account(account: str, display_name: str, password: str, repeat: str) -> None:
    errors: list[FieldError] = []
    account = " ".join(account.split())
    if not account:
        errors.append(FieldError("account", "required"))
    elif len(account) > 100 or has_control_characters(account) or account.startswith("#"):
        errors.append(FieldError("account", "account_invalid"))
    if len(display_name) > 200 or has_control_characters(display_name):
        errors.append(FieldError("display_name", "control_characters"))
    _validate_password(password, repeat, errors)
    if errors:
        raise ValidationFailed(errors)


# --- recovery code -----------------------------------------------------------------------
def new_recovery_code() -> str:
    """8 groups of 5 base32 characters (200 random bits), e.g. ``K3QZ7-…``."""
    raw = base64.b32encode(secrets.token_bytes(RECOVERY_GROUPS * RECOVERY_GROUP_LEN * 5 // 8))
    text = raw.decode("ascii")
    return "-".join(
        text[i : i + RECOVERY_GROUP_LEN] for i in range(0, len(text), RECOVERY_GROUP_LEN)
    )


def normalise_recovery_code(code: str) -> str:
    """Forgive case, spaces, dashes and look-alike digits when the code is typed back in."""
    text = re.sub(r"[\s\-]", "", code.upper()).translate(str.maketrans("018", "OIB"))
    return "-".join(
        text[i : i + RECOVERY_GROUP_LEN] for i in range(0, len(text), RECOVERY_GROUP_LEN)
    )


def create_first_account(
    data_dir: Path,
    account: str,
    display_name: str,
    password: str,
    *,
    repeat: str | None = None,
    kdf: KdfParams | None = None,
) -> Session:
    """Create a new encrypted store whose first account is its coordinator.

    The returned session's ``recovery_code`` must be shown (and printed) once: it is the only
    way in when every password is forgotten.
    """
    validate_new_account(account, display_name, password, password if repeat is None else repeat)
    paths = StorePaths(data_dir)
    key = new_database_key()
    store = open_with_key(paths, key, create=True)
    # The slot is written last: a crash before it leaves an empty file that nobody can open,
    # never a store whose key is lost after data went in.
    paths.keyslots.create(key, account, password, kdf)
    code = new_recovery_code()
    paths.keyslots.add(key, RECOVERY_ACCOUNT, code, kdf)
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
        session.add(OutboxRow(record_kind="user", record_id=row.id, revision=1, hlc=str(now)))
    return Session(store, _user(row, None), key, code)


# --- logging in ----------------------------------------------------------------------------
def _active_user(store: Store, account: str) -> UserRow | None:
    with store.reading() as session:
        return session.scalar(
            select(UserRow).where(
                UserRow.account == normalise_account(account), UserRow.deleted.is_(False)
            )
        )


def log_in(data_dir: Path, account: str | None, password: str) -> Session:
    """Unwrap the key with the password and open the store; ``account`` None: the laptop's
    only account (``StorePaths.can_log_in_unnamed``).

    Raises LoginDelayed (wait after repeated failures, also across restarts), WrongPassword,
    UnknownAccount or a StoreError.
    """
    if account is not None and normalise_account(account) == RECOVERY_ACCOUNT:
        raise UnknownAccount(account)
    return open_unlocked(data_dir, *unlock_account(data_dir, account, password))


def open_unlocked(data_dir: Path, account: str, key: bytes) -> Session:
    """The rest of ``log_in`` once the key is unwrapped (start-up unwraps it early, see
    ``storage/quick.py``): open the store, check the account is active, record the login."""
    if normalise_account(account) == RECOVERY_ACCOUNT:
        raise UnknownAccount(account)
    store = open_with_key(StorePaths(data_dir), key)
    row = _active_user(store, account)
    if row is None:
        store.close()
        raise UnknownAccount(account)
    user = _user(row, laptop_ceiling(store))
    audit.record(store, user, audit.AuditAction.LOGIN, "user", user.id)
    from desktop_app.usecases.settings import keep_logo_file  # Pillow: only once unlocked

    keep_logo_file(store)  # a logo file from before logos were kept in the store
    log.info("user %s logged in on device %s", user.id, store.device_id)
    return Session(store, user, key)


def log_in_with_recovery(
    data_dir: Path, code: str, account: str, new_password: str, repeat: str
) -> Session:
    """Open the store with the recovery code and give coordinator ``account`` a new password."""
    errors: list[FieldError] = []
    _validate_password(new_password, repeat, errors)
    if errors:
        raise ValidationFailed(errors)
    key = _unlock_guarded(data_dir, RECOVERY_ACCOUNT, normalise_recovery_code(code))
    paths = StorePaths(data_dir)
    store = open_with_key(paths, key)
    row = _active_user(store, account)
    if row is None or row.role != Role.COORDINATOR.value:
        store.close()
        raise PermissionDenied(Action.MANAGE_USERS, "recovery is for coordinators")
    user = _user(row, laptop_ceiling(store))
    paths.keyslots.add(key, user.account, new_password)
    audit.record(store, user, audit.AuditAction.LOGIN_RECOVERY, "user", user.id)
    return Session(store, user, key)


def verify_password(session: Session, password: str) -> None:
    """Check the logged-in user's password (to unlock the idle lock); same wait as log-in."""
    key = _unlock_guarded(session.store.paths.data_dir, session.user.account, password)
    if key != session.key:
        raise WrongPassword(session.user.account)


# --- managing accounts ---------------------------------------------------------------------
def list_users(store: Store) -> list[User]:
    """Active accounts (staff, not clients), by display name."""
    with store.reading() as session:
        rows = session.scalars(
            select(UserRow).where(UserRow.deleted.is_(False)).order_by(UserRow.display_name)
        ).all()
    ceiling = laptop_ceiling(store)
    return [_user(r, ceiling) for r in rows]


def accounts_ever(store: Store) -> list[tuple[User, bool]]:
    """Every account this laptop has had, each with whether it was removed, by display name:
    the audit log names who did what by them (a removed account's past work stays, and showed
    as an id)."""
    with store.reading() as session:
        rows = session.scalars(select(UserRow).order_by(UserRow.display_name)).all()
    ceiling = laptop_ceiling(store)
    return [(_user(r, ceiling), r.deleted) for r in rows]


def add_user(
    session: Session,
    account: str,
    display_name: str,
    role: Role,
    password: str,
    repeat: str | None = None,
) -> User:
    """A coordinator adds an account with its own key slot; with a role no higher than the one
    this laptop was approved for (``PermissionDenied`` otherwise)."""
    require(session.user, Action.MANAGE_USERS)
    validate_new_account(account, display_name, password, password if repeat is None else repeat)
    store = session.store
    ceiling = laptop_ceiling(store)
    if not role_at_most(Role(role), ceiling):
        raise PermissionDenied(Action.MANAGE_USERS, f"this laptop is approved for {ceiling}")
    name = normalise_account(account)
    hlc = str(store.clock.now())
    with store.transaction() as db:
        row = db.scalar(select(UserRow).where(UserRow.account == name))
        if row is not None and not row.deleted:
            raise ValidationFailed([FieldError("account", "account_taken")])
        if row is None:
            row = UserRow(
                id=str(uuid.uuid4()),
                account=name,
                revision=0,
                field_clocks="{}",
            )
            db.add(row)
        row.display_name = " ".join((display_name or account).split())
        row.role = Role(role).value
        row.deleted = False
        next_revision(
            db, row, "user", hlc=hlc, device_id=store.device_id, author_id=session.user.id
        )
        db.flush()
        audit.record_in(
            db,
            store,
            session.user.id,
            audit.AuditAction.ADD_USER,
            "user",
            row.id,
            {"role": row.role},
        )
        user = _user(row, ceiling)
    store.paths.keyslots.add(session.key, name, password)
    return user


def remove_user(session: Session, user_id: str) -> None:
    """A coordinator removes another account: its key slot goes, its past work stays."""
    require(session.user, Action.MANAGE_USERS)
    if user_id == session.user.id:
        raise PermissionDenied(Action.MANAGE_USERS, "cannot remove yourself")
    store = session.store
    hlc = str(store.clock.now())
    with store.transaction() as db:
        row = db.scalar(select(UserRow).where(UserRow.id == user_id, UserRow.deleted.is_(False)))
        if row is None:
            raise UnknownAccount(user_id)
        row.deleted = True
        next_revision(
            db, row, "user", hlc=hlc, device_id=store.device_id, author_id=session.user.id
        )
        audit.record_in(db, store, session.user.id, audit.AuditAction.REMOVE_USER, "user", row.id)
        account = row.account
    store.paths.keyslots.remove(account)


def change_password(session: Session, old: str, new: str, repeat: str) -> None:
    """Re-wrap only the database key under the new password."""
    errors: list[FieldError] = []
    _validate_password(new, repeat, errors)
    if errors:
        raise ValidationFailed(errors)
    verify_password(session, old)
    session.store.paths.keyslots.add(session.key, session.user.account, new)
    audit.record(
        session.store, session.user, audit.AuditAction.CHANGE_PASSWORD, "user", session.user.id
    )


def set_password(session: Session, user_id: str, new: str, repeat: str) -> None:
    """A coordinator gives another account a new password (its user forgot hers): the key is
    wrapped anew under it, so the old password stops working at once; nothing of the data
    changes. The recovery code serves coordinators only, and removing and adding the account
    again was the only way left for an advisor or helper."""
    require(session.user, Action.MANAGE_USERS)
    errors: list[FieldError] = []
    _validate_password(new, repeat, errors)
    if errors:
        raise ValidationFailed(errors)
    store = session.store
    with store.reading() as db:
        row = db.scalar(select(UserRow).where(UserRow.id == user_id, UserRow.deleted.is_(False)))
    if row is None:
        raise UnknownAccount(user_id)
    store.paths.keyslots.add(session.key, row.account, new)
    # The account's record, by the coordinator: the audit log names whose password it was.
    audit.record(store, session.user, audit.AuditAction.CHANGE_PASSWORD, "user", row.id)


def renew_recovery_code(session: Session) -> str:
    """A coordinator replaces the recovery code (the old one stops working at once)."""
    require(session.user, Action.MANAGE_USERS)
    code = new_recovery_code()
    session.store.paths.keyslots.add(session.key, RECOVERY_ACCOUNT, code)
    return code
