"""The audit log: who read, changed, printed, exported or erased which record, hash-chained.

Entries are appended inside the caller's transaction, so a change and its audit entry commit
together or not at all. Each laptop keeps its own chain (``seq`` 1, 2, 3 … with ``prev_hash``);
``verify_chain`` finds any entry that was changed, deleted or reordered afterwards.
Details hold no personal data: the person appears only as the record id.

Each entry also carries the role its user worked with (``ROLE_KEY`` in the stored details,
``AuditEntry.role``): accounts do not sync, so on another laptop the entry's user is only an
id, and the role is what a person's copy of their data may say of who looked at it.
"""

from __future__ import annotations

import datetime as dt
import enum
import hashlib
import json
import uuid
from collections.abc import Mapping
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session as DbSession

from desktop_app.domain.hlc import Timestamp
from desktop_app.domain.permissions import Action, require
from desktop_app.domain.users import Role, User, lower_role
from desktop_app.storage.audit_models import AuditRow
from desktop_app.storage.db import Store
from desktop_app.storage.layout import LAPTOP_ROLE_META
from desktop_app.storage.models import MetaRow, OutboxRow, UserRow

GENESIS = "0" * 64
HEAD_KEY = "audit_head"  # "<seq>:<hash>" of this laptop's newest entry: reveals a cut-off tail
# The role the entry's user worked with, kept in the stored details so that it is hashed into
# the chain (and laptops of versions before it verify and show it unchanged); not "role",
# which the details of some actions use for the role given (an account's, a laptop's).
ROLE_KEY = "user_role"


class AuditAction(enum.StrEnum):
    VIEW = "view"
    CREATE = "create"
    CHANGE = "change"
    PRINT = "print"
    EXPORT = "export"
    ERASE = "erase"
    LOGIN = "login"
    LOGIN_RECOVERY = "login_recovery"
    OPEN_CASE = "open_case"
    ADD_USER = "add_user"
    REMOVE_USER = "remove_user"
    CHANGE_PASSWORD = "change_password"
    BACKUP = "backup"
    PUBLISH = "publish"
    SIGN_OFF = "sign_off"
    APPROVE_LAPTOP = "approve_laptop"
    REVOKE_LAPTOP = "revoke_laptop"
    # A laptop's role lowered without it joining again (``usecases.sync.change_laptop_role``).
    CHANGE_LAPTOP_ROLE = "change_laptop_role"
    # A one-time code for a new laptop asked of the server (``sync.issue_enrollment_code``):
    # the name given and until when it is valid, never the code.
    ISSUE_ENROLLMENT_CODE = "issue_enrollment_code"
    ROTATE_KEY = "rotate_key"
    CONFIRM_COORDINATOR = "confirm_coordinator"
    CHANGE_SERVER = "change_server"  # the sync server's address this laptop uses
    # The retention period saved on this laptop (``usecases.settings.set_retention_years``).
    CHANGE_RETENTION = "change_retention"
    DECIDE = "decide"  # a conflict between two laptops' values decided
    # Two entries of the same name and date of birth recorded as different people.
    DISTINCT = "distinct"
    # Two entries of one person merged: on the entry kept, and on the entry merged into it.
    MERGE_KEPT = "merge_kept"
    MERGED_AWAY = "merged_away"
    # A person's request about their data received, not yet answered (``data_rights``).
    RECEIVE_REQUEST = "receive_request"
    # An open request of someone erased since, recorded as answered outside the program
    # (``data_rights.answer_erased_request``); the record id is the request's reference.
    ANSWER_REQUEST = "answer_request"


DetailValue = str | int | bool | None


@dataclass(frozen=True)
class AuditEntry:
    id: str
    seq: int
    at: str
    user_id: str
    device_id: str
    action: str
    record_kind: str
    record_id: str
    details: dict[str, DetailValue]
    # The role its user worked with (a ``Role`` value); None in an entry written before entries
    # carried it, or by a user this laptop had no account of.
    role: str | None = None

    @property
    def when(self) -> dt.datetime:
        return dt.datetime.fromtimestamp(Timestamp.parse(self.at).wall_ms / 1000, dt.UTC)


@dataclass(frozen=True)
class ChainProblem:
    device_id: str
    seq: int
    code: str  # "hash_mismatch", "broken_link", "gap", "head_mismatch"

    def __str__(self) -> str:
        return f"{self.code} at {self.device_id}#{self.seq}"


def _entry_hash(row: AuditRow) -> str:
    canonical = json.dumps(
        [
            row.id,
            row.seq,
            row.at,
            row.user_id,
            row.device_id,
            row.action,
            row.record_kind,
            row.record_id,
            row.details,
            row.prev_hash,
        ],
        ensure_ascii=True,
        separators=(",", ":"),
    )
    return hashlib.sha256(canonical.encode("ascii")).hexdigest()


def _details_json(details: Mapping[str, DetailValue]) -> str:
    for key, value in details.items():
        if not isinstance(key, str) or not isinstance(value, str | int | bool | type(None)):
            raise TypeError(f"audit detail {key!r} must be a plain value")
    return json.dumps(dict(details), ensure_ascii=True, sort_keys=True, separators=(",", ":"))


def acting_role(session: DbSession, user_id: str) -> Role | None:
    """The role ``user_id`` works with on this laptop: their account's, no higher than the
    role the laptop was approved for (``domain.users.effective_user``); None for an id this
    laptop has no account of (the author of an erasure arriving from another laptop)."""
    # One query for both: it runs with every entry, every view included.
    ceiling = select(MetaRow.value).where(MetaRow.key == LAPTOP_ROLE_META).scalar_subquery()
    found = session.execute(select(UserRow.role, ceiling).where(UserRow.id == user_id)).first()
    if found is None:
        return None
    try:
        role = Role(found[0])
    except ValueError:
        return None
    if not found[1]:
        return role
    try:
        return lower_role(role, Role(found[1]))
    except ValueError:  # a role this version does not know: the lowest (``ceiling_of``)
        return Role.HELPER


def record_in(
    session: DbSession,
    store: Store,
    user_id: str,
    action: AuditAction | str,
    kind: str,
    record_id: str,
    details: Mapping[str, DetailValue] | None = None,
    *,
    role: Role | None = None,
) -> AuditEntry:
    """Append an entry inside an open transaction (``session``) of ``store``. ``role``: the
    one ``user_id`` works with, where the caller has it (``User.role``); else looked up."""
    # The head row names this laptop's newest entry and is written with every entry, so it is
    # read instead of searching the log (cheap on every view). Should the tail have been cut
    # off, the next entry chains to the missing one and verify_chain reports it.
    with session.no_autoflush:  # the caller's pending rows are flushed once, at commit
        head = session.get(MetaRow, HEAD_KEY)
        role = role or acting_role(session, user_id)
    if head is None:
        # Made by an entry earlier in this transaction, it is pending, which ``get`` does not
        # see: the next entry added a second head row, and the one after chained to the first
        # again (a laptop's first entries, seq 1, 2, 2). Once a laptop has a head row, never.
        session.flush()
        head = session.get(MetaRow, HEAD_KEY)
    last_seq, _sep, last_hash = head.value.partition(":") if head is not None else ("", "", "")
    if last_seq.isdigit() and len(last_hash) == len(GENESIS):
        seq, prev_hash = int(last_seq) + 1, last_hash
    else:  # first entry, or a damaged head row: find the newest entry itself
        last = session.execute(
            select(AuditRow.seq, AuditRow.hash)
            .where(AuditRow.device_id == store.device_id)
            .order_by(AuditRow.seq.desc())
            .limit(1)
        ).first()
        seq, prev_hash = (last[0] + 1, last[1]) if last else (1, GENESIS)
    at = str(store.clock.now())
    row = AuditRow(
        id=str(uuid.uuid4()),
        seq=seq,
        at=at,
        user_id=user_id,
        device_id=store.device_id,
        action=str(action),
        record_kind=kind,
        record_id=record_id,
        details=_details_json({**(details or {}), **({ROLE_KEY: role.value} if role else {})}),
        prev_hash=prev_hash,
        hash="",
    )
    row.hash = _entry_hash(row)
    session.add(row)
    if head is None:
        session.add(MetaRow(key=HEAD_KEY, value=f"{seq}:{row.hash}"))
    else:
        head.value = f"{seq}:{row.hash}"
    session.add(OutboxRow(record_kind="audit", record_id=row.id, revision=1, hlc=at))
    return _entry(row)


def record(
    store: Store,
    user: User,
    action: AuditAction | str,
    kind: str,
    record_id: str,
    details: Mapping[str, DetailValue] | None = None,
) -> AuditEntry:
    """Append an entry in its own transaction (for reads, which have none of their own)."""
    with store.transaction() as session:
        return record_in(session, store, user.id, action, kind, record_id, details, role=user.role)


def record_view(
    store: Store,
    user: User,
    kind: str,
    record_id: str,
    details: Mapping[str, DetailValue] | None = None,
) -> AuditEntry:
    """A view of a person's data (``kind``: person, visits, referrals …) that a window showed
    first and logs afterwards on a worker thread (the use cases' ``log_view=False``), so that
    showing never waits while the sync writes to the store."""
    require(user, Action.VIEW_PERSON)
    return record(store, user, AuditAction.VIEW, kind, record_id, details)


def role_in(details: str) -> str | None:
    """The role an entry's stored details carry (a ``Role`` value), None where they carry
    none (written before entries carried it) or one this version does not know."""
    try:
        role = json.loads(details).get(ROLE_KEY)
    except (ValueError, AttributeError):
        return None
    return role if role in set(Role) else None


def _entry(row: AuditRow) -> AuditEntry:
    details = json.loads(row.details)
    role = details.pop(ROLE_KEY, None)  # who acted, as ``user_id``: not part of what was done
    return AuditEntry(
        row.id,
        row.seq,
        row.at,
        row.user_id,
        row.device_id,
        row.action,
        row.record_kind,
        row.record_id,
        details,
        role if role in set(Role) else None,
    )


def verify_chain(store: Store) -> list[ChainProblem]:
    """Every problem in every laptop's chain; an empty list means the log is intact."""
    problems: list[ChainProblem] = []
    with store.reading() as session:
        rows = session.scalars(select(AuditRow).order_by(AuditRow.device_id, AuditRow.seq)).all()
        head = session.get(MetaRow, HEAD_KEY)
    chains: dict[str, list[AuditRow]] = {}
    for row in rows:
        chains.setdefault(row.device_id, []).append(row)
    for device, chain in chains.items():
        prev_hash, expected_seq = GENESIS, 1
        for row in chain:
            if row.seq != expected_seq:
                problems.append(ChainProblem(device, expected_seq, "gap"))
            if row.prev_hash != prev_hash:
                problems.append(ChainProblem(device, row.seq, "broken_link"))
            if _entry_hash(row) != row.hash:
                problems.append(ChainProblem(device, row.seq, "hash_mismatch"))
            prev_hash, expected_seq = row.hash, row.seq + 1
    own = chains.get(store.device_id, [])
    newest = f"{own[-1].seq}:{own[-1].hash}" if own else None
    if (head.value if head else None) != newest:
        problems.append(ChainProblem(store.device_id, own[-1].seq if own else 0, "head_mismatch"))
    return problems


def _wall_prefix(day: dt.date) -> str:
    start = dt.datetime(day.year, day.month, day.day, tzinfo=dt.UTC)
    return f"{int(start.timestamp() * 1000):013d}"


def laptop_names(store: Store, user: User) -> dict[str, str]:
    """The team's laptops' names by the store ids the entries carry (``device_id``): a user
    of another laptop is known here only by an id, and the laptop at least says where."""
    from desktop_app.sync import laptops  # the sync machinery only when the log is read

    require(user, Action.VIEW_AUDIT)
    with store.reading() as session:
        return laptops.store_names(session)


def device_names(store: Store, user: User) -> dict[str, str]:
    """The team's laptops' names by the ids the entries about a laptop carry: the server's
    device id (approved, revoked, its role changed) or the laptop's store id (a key renewed
    there). The id alone did not say which laptop a coordinator had revoked."""
    from desktop_app.sync import laptops  # the sync machinery only when the log is read

    require(user, Action.VIEW_AUDIT)
    with store.reading() as session:
        return laptops.device_names(session) | laptops.store_names(session)


def entries_in(session: DbSession, action: AuditAction | str, record_id: str) -> list[AuditEntry]:
    """The entries of ``action`` about ``record_id``, from every laptop, oldest first, read in
    an open transaction: for a use case that decides by what the log holds (none is shown)."""
    query = (
        select(AuditRow)
        .where(AuditRow.action == str(action), AuditRow.record_id == record_id)
        .order_by(AuditRow.at)
    )
    return [_entry(row) for row in session.scalars(query)]


def list_entries(
    store: Store,
    user: User,
    *,
    record_id: str | None = None,
    user_id: str | None = None,
    action: str | None = None,
    since: dt.date | None = None,
    until: dt.date | None = None,
    limit: int = 2000,
) -> list[AuditEntry]:
    """Entries newest first, filtered; coordinators only. ``until`` includes that whole day."""
    require(user, Action.VIEW_AUDIT)
    query = select(AuditRow)
    if record_id:
        query = query.where(AuditRow.record_id == record_id)
    if user_id:
        query = query.where(AuditRow.user_id == user_id)
    if action:
        query = query.where(AuditRow.action == action)
    if since:
        query = query.where(AuditRow.at >= _wall_prefix(since))
    if until:
        query = query.where(AuditRow.at < _wall_prefix(until + dt.timedelta(days=1)))
    query = query.order_by(AuditRow.at.desc()).limit(limit)
    with store.reading() as session:
        return [_entry(row) for row in session.scalars(query)]
