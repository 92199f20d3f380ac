"""Sync server operations (enrollment, devices, key exchange, push, pull), shared by API and CLI.

Logs name only ids, kinds, counts and sizes — never ciphertext, nonces, tokens or codes.
"""

from __future__ import annotations

import binascii
import contextlib
import datetime as dt
import hashlib
import hmac
import logging
import re
import secrets
import threading
import uuid
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any, NamedTuple, cast

from sqlalchemy import (
    Engine,
    Table,
    bindparam,
    func,
    select,
    update,
)
from sqlalchemy.engine import Connection
from sqlalchemy.orm import Session, sessionmaker

from sync_server import models, wire
from sync_server.models import utcnow

log = logging.getLogger("sync_server")

CODE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no I, O, 0, 1: read aloud and typed by hand
CODE_LENGTH = 16  # 80 bits
# How long a code is valid unless told otherwise (``welcome-desk-server enroll``'s default,
# and every code a coordinator's laptop asks for).
CODE_VALID_HOURS = 24.0
# Codes not used yet and not expired that one coordinator's laptop issued, at most, when it asks
# for one more: a laptop that asks in a loop (a bug, or a thief before the revocation) cannot
# fill the table, nor use up what the other coordinators' laptops may issue (counted by
# ``enrollment_codes.issued_by``, migration 0009). The command line is not bound by it.
MAX_OUTSTANDING_CODES = 20
# And over every issuer, the command line's codes too: however many coordinators' laptops
# there are (or a thief holding several), the table stays small.
MAX_OUTSTANDING_CODES_ALL = 100
LAST_SEEN_EVERY = dt.timedelta(seconds=30)
APP_VERSION_MAX = 32
# A version as a laptop states it ("0.1.0", "1.2.0rc1", "1.0+local"): short, printable ASCII.
_APP_VERSION = re.compile(rf"[0-9A-Za-z.+!_-]{{1,{APP_VERSION_MAX}}}")


class ApiError(Exception):
    """A refusal with an HTTP status, a machine-readable code and a reason for humans."""

    def __init__(self, status: int, code: str, detail: str) -> None:
        super().__init__(detail)
        self.status = status
        self.code = code
        self.detail = detail


def hash_secret(secret: str) -> str:
    # Tokens and codes are high-entropy random strings, so a plain SHA-256 is enough.
    return hashlib.sha256(secret.encode("utf-8")).hexdigest()


def normalize_code(code: str) -> str:
    return "".join(ch for ch in code.upper() if ch.isalnum())


def _checked_version(value: str | None) -> str | None:
    """A version a request states, if it is one (anything else is ignored, never refused)."""
    return value if value and _APP_VERSION.fullmatch(value) else None


def new_enrollment_code() -> str:
    raw = "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))
    return "-".join(raw[i : i + 4] for i in range(0, CODE_LENGTH, 4))


def _iso(value: dt.datetime | None) -> str | None:
    return value.isoformat() if value is not None else None


def device_info(device: models.Device, highest_key_role: str | None = None) -> wire.DeviceInfo:
    return wire.DeviceInfo(
        device_id=device.id,
        name=device.name,
        status=device.status,  # type: ignore[arg-type]
        is_coordinator=device.is_coordinator,
        public_key=wire.b64encode(device.public_key),
        fingerprint=wire.public_key_fingerprint(device.public_key),
        created_at=device.created_at.isoformat(),
        approved_at=_iso(device.approved_at),
        revoked_at=_iso(device.revoked_at),
        last_seen_at=_iso(device.last_seen_at),
        app_version=device.app_version,
        laptop_role=device.laptop_role,
        highest_key_role=highest_key_role,
        pulled_at=_iso(device.pulled_at),
        people_at_revocation=device.people_at_revocation,
        coordinator_approved_by=device.coordinator_approved_by,
        coordinator_role_chosen=bool(device.coordinator_role_chosen)
        and device.coordinator_approved_by is not None,
    )


@dataclass(frozen=True)
class AuthenticatedDevice:
    id: str
    status: str
    is_coordinator: bool
    # ``models.Device.pulled_seq`` and ``pushed_seq`` as the request found them
    pulled_seq: int | None = None
    pushed_seq: int | None = None


@dataclass(frozen=True)
class IssuedCode:
    code: str
    name: str
    expires_at: dt.datetime
    coordinator: bool


def _other_approved_coordinators(session: Session, device_id: str) -> int:
    d = models.Device
    return int(
        session.scalar(
            select(func.count())
            .select_from(d)
            .where(d.is_coordinator.is_(True), d.status == "approved", d.id != device_id)
        )
        or 0
    )


def _require_coordinator_row(device: models.Device | None) -> None:
    """A device that grants a coordinator's role (an approval for coordinators, a coordinator's
    role chosen for a laptop approved before roles) is a coordinator's as its row says now, read
    under the write lock: one lowered or revoked since its request was authenticated grants
    nothing (403 not_coordinator; the transaction is rolled back)."""
    if device is None or not (device.is_coordinator and device.status == "approved"):
        raise ApiError(403, "not_coordinator", "only a coordinator device may do this")


def _people_held(session: Session, device: models.Device) -> int:
    """The people whose records ``device`` had been handed by its last pull (an envelope of
    theirs at or below its ``pulled_seq``) or had sent itself: what a lost laptop could hold,
    as far as the server can tell (for a GDPR Art. 33 assessment). Not people erased since its
    last pull (their earlier revisions are gone here), nor those recorded on it and never
    sent: the laptop may hold those too, so the figure is the least it holds."""
    e = models.StoredEnvelope
    handed = e.author_device == device.id
    if device.pulled_seq is not None:
        handed = handed | (e.seq <= device.pulled_seq)
    return int(
        session.scalar(
            select(func.count(func.distinct(e.record_id))).where(
                e.kind == wire.PERSON_KIND, e.erases.is_(False), handed
            )
        )
        or 0
    )


_ENROLLMENT_INVALID = "enrollment code is unknown, expired or already used"


# Lowest first (``wire.LaptopRole``). A key wrapped without a role (before laptop roles) had
# every right: as high as a coordinator's.
_ROLE_RANKS = {"helper": 0, "advisor": 1, "coordinator": 2}


def _role_rank(role: str | None) -> int:
    return _ROLE_RANKS.get(role or "coordinator", 2)


def _secret_hash(secret: str) -> str:
    """The stored form of a registration secret (32 random bytes, base64 on the wire)."""
    return hashlib.sha256(wire.b64decode(secret)).hexdigest()


def _registered_again(
    session: Session, code: models.EnrollmentCode, request: wire.RegisterRequest
) -> models.Device | None:
    """The device ``code`` registered, if ``request`` repeats that registration: the same
    public key and registration secret, while the code's validity lasts (checked by the caller)
    and the device has been neither approved by a coordinator (the organisation's first laptop
    is approved as it registers) nor revoked, nor has it authenticated a single request. Else
    None: the code stays spent. Whoever holds the code alone cannot take the device over (the
    secret never left the laptop), and a device in use is never handed out again."""
    if request.registration_secret is None or code.used_by is None:
        return None
    device = session.get(models.Device, code.used_by)
    if (
        device is None
        or device.registration_secret_hash is None
        or not hmac.compare_digest(
            device.registration_secret_hash, _secret_hash(request.registration_secret)
        )
        or not hmac.compare_digest(device.public_key, wire.b64decode(request.public_key))
        or device.status == "revoked"
        or device.approved_by is not None
        or device.last_seen_at is not None
    ):
        return None
    return device


def _registered(device: models.Device, token: str) -> wire.RegisterResponse:
    return wire.RegisterResponse(
        device_id=device.id,
        token=token,
        status=device.status,  # type: ignore[arg-type]
        is_coordinator=device.is_coordinator,
    )


def _device_id(ref: str) -> str:
    """Canonical form of a device id from a URL; anything else names no device."""
    try:
        return str(uuid.UUID(ref))
    except ValueError:
        raise ApiError(404, "not_found", "no such device") from None


class _PushItem(NamedTuple):
    """One pushed envelope from the pushing device, decoded (the database function's
    array arguments are its fields, in this order)."""

    record_id: str
    kind: str
    revision: int
    key_id: str
    nonce: bytes
    ciphertext: bytes
    client_hlc: str
    erases: bool
    # ``wire.Envelope.redacts_through`` where the push is to delete the record's earlier
    # envelopes (the role and kind allow it: ``SyncService._redactions_allowed``); else None.
    # Not a column of ``wd_push_envelopes`` (``_STORED_FIELDS``).
    redacts_through: int | None = None


# The fields of ``_PushItem`` that ``wd_push_envelopes`` takes, one array each.
_STORED_FIELDS = 8


def _redaction_refused(
    item: _PushItem, stored: Sequence[tuple[int, int]], first_seq: int, earlier: bool
) -> str | None:
    """Why a version that redacts (``item.redacts_through`` set) is refused, given its record's
    stored envelopes as (revision, seq) pairs, the server's highest sequence number before this
    push (``first_seq``) and whether an earlier envelope of this push is of the same record;
    None: stored (as any envelope would be), and its record's earlier envelopes deleted.

    The version holds what its laptop had merged: the envelopes up to its pull cursor
    (``redacts_through``; a claim beyond what the server had handed out before this push
    covers no more). One above it (another laptop's version it had not pulled, or one of its
    own pushed after its last pull) is not deleted unseen: "not_merged", and the laptop
    pulls, merges and pushes a later revision, which then deletes it. A stored revision above
    this one: "conflict" (pull and push a higher revision), as for a tombstone, so the
    record's newest revision on the server is the redacting one and no laptop takes it for a
    replay. A (record, revision) stored already is judged as always: duplicate or conflict."""
    if any(revision == item.revision for revision, _seq in stored):
        return None
    if earlier:
        return "not_merged"
    if any(revision > item.revision for revision, _seq in stored):
        return "conflict"
    covered = min(item.redacts_through or 0, first_seq)
    if any(seq > covered for _revision, seq in stored):
        return "not_merged"
    return None


class _Gate(NamedTuple):
    """What ``SyncService._erasures_not_allowed`` decided about a push's tombstones."""

    # Indexes of the push's envelopes refused at once.
    refused: set[int]
    # Ids of records whose tombstones were let through only because every revision of them
    # the server held was the pushing device's own (or none): a revision of another laptop
    # stored between the check and the store would be erased with them, so the store looks
    # again under the counter lock (``_late_writers``).
    own_only: frozenset[str]
    # The server's highest sequence number before the check read the envelopes: every
    # envelope at or below it was there to read, so only those above can be new.
    seen_seq: int


_NO_GATE = _Gate(set(), frozenset(), 0)


def _late_writers(rows: Sequence[tuple[str, str, bool]], device_id: str) -> set[str]:
    """Of the (record id, author device, erases) rows stored after the check of a push's
    tombstones (``_Gate.own_only``), the ids whose tombstones no longer pass: another laptop
    stored a revision, and nobody erased the record meanwhile (a tombstone of a record erased
    already is taken from any laptop)."""
    erased = {rid for rid, _author, erases in rows if erases}
    return {rid for rid, author, _e in rows if author != device_id and rid not in erased}


def _watched(gate: _Gate, items: Sequence[_PushItem]) -> list[str]:
    """The ids of ``gate.own_only`` that ``items`` (what is left of the push to store) erase:
    none in nearly every push."""
    if not gate.own_only:
        return []
    return sorted({item.record_id for item in items if item.erases} & gate.own_only)


_REFUSALS = {
    "author_mismatch": "author_device must be the pushing device's id",
    "conflict": "this revision is already stored with different content; "
    "pull, merge and push a higher revision",
    "kind_mismatch": "this record id is already stored under another kind",
    "erase_not_allowed": "from a laptop not approved for coordinators, a tombstone is taken only "
    "of a record it wrote itself or one erased already, a person's only as a merge's",
    "not_merged": "this version would delete the record's earlier envelopes, but the server "
    "holds one above redacts_through; pull, merge and push a higher revision",
}

# Laptop roles (``wire.LaptopRole``) whose devices may not erase a person: on a laptop only a
# coordinator may (``desktop_app.domain.permissions``, ``Action.ERASE_PERSON``), but that check
# is in the program, and a laptop running an altered one holds the team key all the same.
# Devices without a role (approved before roles; the organisation's first is "coordinator")
# erase as before.
_MAY_NOT_ERASE = frozenset({"helper", "advisor"})
# Of those, the roles that may merge two entries of one person (``Action.DECIDE_DUPLICATES``):
# the entry merged away ends as a tombstone too.
_MAY_MERGE = frozenset({"advisor"})
# The kinds of records a merge leaves as tombstones besides the entry merged away, whichever
# laptop wrote them (``usecases.merges.merge_people``, ``data_rights._erase_row``): conflicts
# over the entry's own fields and decisions that it and another entry are different people
# (the merge writes them anew for the entry kept). Its other records move, live.
_MERGE_ERASES = wire.MERGE_ERASES
_LOGGED_IDS = 10  # record ids named in one line of the log


def _refused(env: wire.Envelope, code: str) -> wire.PushItemResult:
    return wire.PushItemResult(
        record_id=env.record_id,
        revision=env.revision,
        status="refused",
        code=code,
        reason=_REFUSALS[code],
    )


def _page(
    device: AuthenticatedDevice, rows: Sequence[Any], after: int, limit: int
) -> tuple[Sequence[Any], int, bool]:
    """A pull page from up to ``limit + 1`` rows (seq first): rows, next cursor, has more."""
    has_more = len(rows) > limit
    rows = rows[:limit]
    next_cursor = rows[-1][0] if rows else after
    log.info("pull device=%s after=%d returned=%d", device.id, after, len(rows))
    return rows, next_cursor, has_more


def _handed_out(device: AuthenticatedDevice, rows: Sequence[Any]) -> int | None:
    """The page's last sequence number if it goes past what the device was handed before
    (``models.Device.pulled_seq`` is to be raised to it), else None. Only a sequence number
    handed out counts, never ``after``: a laptop's cursor from before a restore must not
    become the restored server's own idea of it."""
    if not rows:
        return None
    last = int(rows[-1][0])
    return last if device.pulled_seq is None or last > device.pulled_seq else None


def _raise_seq(column: str, stamp: str | None = None) -> Any:
    """``UPDATE devices SET <column> = :n`` where it is lower or not known (one statement);
    ``stamp``: a time column set to ``:at`` with it."""
    devices = cast(Table, models.Device.__table__)
    target = devices.c[column]
    values: dict[str, Any] = {column: bindparam("n")}
    if stamp is not None:
        values[stamp] = bindparam("at", type_=devices.c[stamp].type)
    return (
        update(devices)
        .where(devices.c.id == bindparam("device"), target.is_(None) | (target < bindparam("n")))
        .values(values)
    )


# ``pulled_at`` with it: when the device was last handed records it lacked.
_RAISE_PULLED = _raise_seq("pulled_seq", "pulled_at")
_LATEST_SEQ = select(models.SeqCounter.last_seq).where(models.SeqCounter.id == 1)
_RAISE_PUSHED = _raise_seq("pushed_seq")


def _device_seqs_json(device: AuthenticatedDevice) -> str:
    """The answer's ``device_pulled_seq`` and ``device_pushed_seq`` (JSON members), as the
    request found them; left out when not known."""
    parts = []
    if device.pulled_seq is not None:
        parts.append(f',"device_pulled_seq":{int(device.pulled_seq)}')
    if device.pushed_seq is not None:
        parts.append(f',"device_pushed_seq":{int(device.pushed_seq)}')
    return "".join(parts)


_ERASES = '"erases":true,'


# SQLite's push (``SyncService._store_locked``) in plain SQL: the envelope columns in the order
# of its rows, the time of receipt last (bound as SQLAlchemy's column type binds it, once).
_INSERT_ENVELOPES = (
    "INSERT INTO envelopes (seq, record_id, revision, kind, key_id, nonce, ciphertext, "
    "author_device, client_hlc, erases, received_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
)
_CHUNK = 450  # parameters of one statement (SQLite builds before 3.32 allow 999)


def _driver_cursor(session: Session) -> Any:
    """A cursor of the session's own database connection, so inside its transaction."""
    return session.connection().connection.driver_connection.cursor()  # type: ignore[union-attr]


def _stored_revisions(
    cursor: Any, record_ids: list[str]
) -> dict[str, list[tuple[int, str, bool, int]]]:
    """Per stored record among ``record_ids``: its revisions, lowest first, each as
    (revision, kind, erases, seq). One index range per id; no ciphertext is read."""
    stored: dict[str, list[tuple[int, str, bool, int]]] = {}
    for start in range(0, len(record_ids), _CHUNK):
        chunk = record_ids[start : start + _CHUNK]
        for record_id, revision, kind, erases, seq in cursor.execute(
            "SELECT record_id, revision, kind, erases, seq FROM envelopes WHERE record_id IN "
            f"({', '.join('?' * len(chunk))}) ORDER BY record_id, revision",
            chunk,
        ):
            stored.setdefault(record_id, []).append((revision, kind, bool(erases), seq))
    return stored


def _stored_since(cursor: Any, record_ids: list[str], seq: int) -> list[tuple[str, str, bool]]:
    """(record id, author device, erases) of the envelopes of ``record_ids`` stored after
    sequence number ``seq`` (SQLite; ``_late_writers``): an index range per id, empty as a
    rule."""
    rows: list[tuple[str, str, bool]] = []
    for start in range(0, len(record_ids), _CHUNK):
        chunk = record_ids[start : start + _CHUNK]
        rows.extend(
            (rid, author, bool(erases))
            for rid, author, erases in cursor.execute(
                "SELECT record_id, author_device, erases FROM envelopes WHERE record_id IN "
                f"({', '.join('?' * len(chunk))}) AND seq > ?",
                [*chunk, seq],
            )
        )
    return rows


def _stored_contents(
    cursor: Any, pairs: set[tuple[str, int]]
) -> dict[tuple[str, int], tuple[object, ...]]:
    """The stored content of these (record id, revision) pairs, as ``_store_locked`` compares
    it with a pushed envelope's."""
    contents: dict[tuple[str, int], tuple[object, ...]] = {}
    ordered = sorted(pairs)
    for start in range(0, len(ordered), _CHUNK // 2):
        chunk = ordered[start : start + _CHUNK // 2]
        rows = cursor.execute(
            "SELECT record_id, revision, kind, key_id, nonce, ciphertext, author_device, "
            "client_hlc, erases FROM envelopes WHERE "
            + " OR ".join(["(record_id = ? AND revision = ?)"] * len(chunk)),
            [value for pair in chunk for value in pair],
        )
        for record_id, revision, kind, key_id, nonce, ciphertext, author, hlc, erases in rows:
            contents[(record_id, revision)] = (
                kind,
                key_id,
                bytes(nonce),
                bytes(ciphertext),
                author,
                hlc,
                bool(erases),
            )
    return contents


def _storable(item: _PushItem, top: int, erased_at: int | None) -> bool:
    """Whether a new (record, revision) may be stored, given the record's highest stored
    revision ``top`` (0: none) and its tombstone's revision, if any.

    Erasure is final: after a tombstone only a later tombstone is stored. A tombstone below a
    stored revision is refused too: the laptop pulls that revision, merges it into its
    tombstone and pushes a later one, which then removes it. Both are refused as a conflict,
    not acknowledged: a laptop counts an acknowledged revision as held by the server, and
    would refuse the older tombstone as a replay when it pulls it (the person it changed
    offline would stay on it). The same rule is ``wd_push_envelopes`` on PostgreSQL."""
    if item.erases:
        return item.revision > top
    return erased_at is None


class SyncService:
    """All server state changes go through here, inside short transactions."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self._sessions = sessionmaker(engine, expire_on_commit=False)
        # SQLite has one writer at a time; queueing writers in-process avoids busy waits.
        self._sqlite = engine.dialect.name == "sqlite"
        self._write_lock = threading.Lock()
        received_at = cast(Table, models.StoredEnvelope.__table__).c.received_at.type
        self._received_at = received_at.bind_processor(engine.dialect)
        # Called, when set, between a push's check of its tombstones and its store: tests
        # store another laptop's revision there, as a push of that laptop may in that moment.
        self.between_check_and_store: Callable[[], None] | None = None

    def _bind_received_at(self, now: dt.datetime) -> object:
        """``now`` as the envelopes' ``received_at`` column binds it (plain-SQL inserts)."""
        return self._received_at(now) if self._received_at is not None else now

    @contextlib.contextmanager
    def _write(self, serialise: bool = True, reserve: int = 0) -> Iterator[Session]:
        """A write transaction; ``serialise`` takes the counter lock, ``reserve`` moves the
        counter that far at once (``session.info["last_seq"]`` is the value before it)."""
        lock: contextlib.AbstractContextManager[object] = (
            self._write_lock if self._sqlite else contextlib.nullcontext()
        )
        with lock, self._sessions() as session, session.begin():
            if serialise:
                # Taking the counter row first serialises writers on every backend (row lock
                # on PostgreSQL, RESERVED lock on SQLite) until commit, so sequence numbers are
                # assigned in commit order and a reader can never skip a late-committing seq.
                # Reserving the push's range in the same statement saves a round trip while
                # the lock is held.
                session.info["last_seq"] = (
                    session.execute(
                        update(models.SeqCounter)
                        .where(models.SeqCounter.id == 1)
                        .values(last_seq=models.SeqCounter.last_seq + reserve)
                        .returning(models.SeqCounter.last_seq)
                    ).scalar_one()
                    - reserve
                )
            yield session

    @contextlib.contextmanager
    def _read(self) -> Iterator[Connection]:
        """A connection in autocommit mode, for statements that each stand alone (a read, or
        one single-row update): no BEGIN and no ROLLBACK, so two round trips fewer per request
        on PostgreSQL. A single statement sees one consistent snapshot all the same."""
        with self.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
            yield connection

    def _fetch_binary(self, statement: str, params: Sequence[Any]) -> list[Any]:
        """The rows of one statement on a ``_read`` connection (autocommit), straight through
        the PostgreSQL driver with its results in binary (and parameters where it says %b):
        bytea and arrays go unescaped, not as text."""
        with self._read() as connection:
            raw: Any = connection.connection.driver_connection
            with raw.cursor(binary=True) as cursor:
                rows: list[Any] = cursor.execute(statement, params).fetchall()
                return rows

    # --- enrollment -------------------------------------------------------------------------

    def issue_code(
        self,
        name: str,
        valid_hours: float,
        coordinator: bool = False,
        *,
        by: str | None = None,
        max_outstanding: int | None = None,
        max_outstanding_all: int | None = None,
    ) -> IssuedCode:
        """A new one-time code. ``by``: the coordinator's device that asks for it (None: the
        command line), kept with the code and named in the log; ``max_outstanding``: refuse
        (429, "too_many_codes") when ``by`` issued that many codes that are neither used nor
        expired already; ``max_outstanding_all``: refuse (429, "too_many_codes_all") when that
        many are, whoever issued them."""
        if not name.strip() or len(name) > 100:
            raise ValueError('the name must be 1 to 100 characters, e.g. "Laptop 3"')
        # "between 0 and 720" refused 0 all the same
        if not 0 < valid_hours <= 24 * 30:
            raise ValueError("the code must be valid for more than 0 and at most 720 hours")
        code = new_enrollment_code()
        now = utcnow()
        expires = now + dt.timedelta(hours=valid_hours)
        c = models.EnrollmentCode
        # Counted under the write lock (``_write``): two requests at once cannot both pass.
        with self._write() as session:
            unused = (
                select(func.count()).select_from(c).where(c.used_at.is_(None), c.expires_at > now)
            )
            if max_outstanding is not None:
                outstanding = session.scalar(unused.where(c.issued_by == by)) or 0
                if outstanding >= max_outstanding:
                    log.info("enrollment code refused by=%s outstanding=%d", by, outstanding)
                    raise ApiError(
                        429,
                        "too_many_codes",
                        f"this device issued {outstanding} enrollment codes that are neither "
                        "used nor expired yet; use those or wait until they expire",
                    )
            if max_outstanding_all is not None:
                outstanding = session.scalar(unused) or 0
                if outstanding >= max_outstanding_all:
                    log.info("enrollment code refused by=%s all_outstanding=%d", by, outstanding)
                    raise ApiError(
                        429,
                        "too_many_codes_all",
                        f"{outstanding} enrollment codes of the organisation are neither used "
                        "nor expired yet; use those or wait until they expire",
                    )
            session.add(
                c(
                    code_hash=hash_secret(normalize_code(code)),
                    name=name.strip(),
                    coordinator=coordinator,
                    created_at=now,
                    expires_at=expires,
                    issued_by=by,
                )
            )
        log.info(
            "enrollment code issued name_len=%d coordinator=%s by=%s",
            len(name),
            coordinator,
            by or "cli",
        )
        return IssuedCode(code=code, name=name.strip(), expires_at=expires, coordinator=coordinator)

    def issue_code_for(
        self, device: AuthenticatedDevice, request: wire.EnrollmentCodeRequest
    ) -> wire.EnrollmentCodeIssued:
        """A code asked for by a coordinator's laptop: never a coordinator's code, valid as long
        as the command line's by default, refused beyond ``MAX_OUTSTANDING_CODES`` of its own
        or ``MAX_OUTSTANDING_CODES_ALL`` in all."""
        self.require_coordinator(device)
        if not request.name.strip():
            raise ApiError(422, "invalid", "the name must not be blank")
        issued = self.issue_code(
            request.name,
            CODE_VALID_HOURS,
            coordinator=False,
            by=device.id,
            max_outstanding=MAX_OUTSTANDING_CODES,
            max_outstanding_all=MAX_OUTSTANDING_CODES_ALL,
        )
        return wire.EnrollmentCodeIssued(
            code=issued.code, name=issued.name, expires_at=issued.expires_at.isoformat()
        )

    def register(
        self, request: wire.RegisterRequest, app_version: str | None = None
    ) -> wire.RegisterResponse:
        """A new device; ``app_version`` as for ``authenticate`` (shown while it waits).

        A spent code is refused, except for the request that spent it, made again by the same
        laptop (``_registered_again``): its device comes back with a new token."""
        now = utcnow()
        token = secrets.token_urlsafe(32)
        secret = request.registration_secret
        with self._write() as session:
            code = session.scalar(
                select(models.EnrollmentCode).where(
                    models.EnrollmentCode.code_hash == hash_secret(normalize_code(request.code))
                )
            )
            if code is None or code.expires_at <= now:
                raise ApiError(403, "enrollment_invalid", _ENROLLMENT_INVALID)
            if code.used_at is not None:
                device = _registered_again(session, code, request)
                if device is None:
                    raise ApiError(403, "enrollment_invalid", _ENROLLMENT_INVALID)
                # The old token was never used (``_registered_again``): only this one works.
                device.token_hash = hash_secret(token)
                device.name = request.device_name
                device.app_version = _checked_version(app_version) or device.app_version
                log.info("device registered again device=%s status=%s", device.id, device.status)
                return _registered(device, token)
            first = (session.scalar(select(func.count()).select_from(models.Device)) or 0) == 0
            device = models.Device(
                id=str(uuid.uuid4()),
                name=request.device_name,
                public_key=wire.b64decode(request.public_key),
                token_hash=hash_secret(token),
                # The first laptop of an organisation creates the team key, so it needs nobody's
                # approval and coordinates from then on.
                status="approved" if first else "pending",
                is_coordinator=first or code.coordinator,
                enrollment_name=code.name,
                created_at=now,
                approved_at=now if first else None,
                # It creates the team key itself: nobody approves it for a role.
                laptop_role="coordinator" if first else None,
                app_version=_checked_version(app_version),
                registration_secret_hash=_secret_hash(secret) if secret else None,
            )
            session.add(device)
            code.used_at = now
            code.used_by = device.id
        log.info("device registered device=%s status=%s", device.id, device.status)
        return _registered(device, token)

    # --- authentication ---------------------------------------------------------------------

    def authenticate(
        self, token: str | None, app_version: str | None = None
    ) -> AuthenticatedDevice:
        """The device of ``token``; ``app_version`` is the Welcome Desk version its request
        states, kept for the coordinator's list (a value that is not a plain short version is
        ignored: it never costs a laptop its sync)."""
        if not token or len(token) > 200:
            raise ApiError(401, "unauthorized", "missing or malformed bearer token")
        version = _checked_version(app_version)
        d = models.Device
        with self._read() as connection:
            # A few columns, not an ORM object: every request of every laptop comes here.
            device = connection.execute(
                select(
                    d.id,
                    d.status,
                    d.is_coordinator,
                    d.last_seen_at,
                    d.pulled_seq,
                    d.pushed_seq,
                    d.app_version,
                ).where(d.token_hash == hash_secret(token))
            ).first()
            if device is None:
                raise ApiError(401, "unauthorized", "unknown token")
            if device.status == "revoked":
                raise ApiError(403, "revoked", "this device has been revoked")
            now = utcnow()
            values: dict[str, object] = {}
            if device.last_seen_at is None or now - device.last_seen_at > LAST_SEEN_EVERY:
                values["last_seen_at"] = now
            if version is not None and version != device.app_version:
                # At once, not throttled: the laptop was just updated (or put back), and the
                # coordinator may be looking at the list now.
                values.update(last_seen_at=now, app_version=version)
            if values:
                # One statement, committed by itself (SQLite's writers queue in-process).
                lock = self._write_lock if self._sqlite else contextlib.nullcontext()
                with lock:
                    connection.execute(update(d).where(d.id == device.id).values(**values))
        return AuthenticatedDevice(
            device.id, device.status, device.is_coordinator, device.pulled_seq, device.pushed_seq
        )

    @staticmethod
    def require_approved(device: AuthenticatedDevice) -> None:
        if device.status != "approved":
            raise ApiError(
                403, "not_approved", "this device is waiting for a coordinator's approval"
            )

    @classmethod
    def require_coordinator(cls, device: AuthenticatedDevice) -> None:
        cls.require_approved(device)
        if not device.is_coordinator:
            raise ApiError(403, "not_coordinator", "only a coordinator device may do this")

    # --- devices ----------------------------------------------------------------------------

    def list_devices(self) -> wire.DeviceList:
        with self._sessions() as session:
            highest: dict[str, str] = {}
            for device_id, role in session.execute(
                select(models.WrappedKey.device_id, models.WrappedKey.laptop_role).distinct()
            ):
                role = role or "coordinator"  # wrapped before roles: every right
                if device_id not in highest or _role_rank(role) > _role_rank(highest[device_id]):
                    highest[device_id] = role
            devices = session.scalars(select(models.Device).order_by(models.Device.created_at))
            return wire.DeviceList(devices=[device_info(d, highest.get(d.id)) for d in devices])

    def unused_codes_by_issuer(self) -> dict[str | None, int]:
        """Enrollment codes neither used nor expired, counted by the device that asked for each
        (``issued_by``; None: the command line, or made before the server kept the issuer)."""
        c = models.EnrollmentCode
        with self._sessions() as session:
            rows = session.execute(
                select(c.issued_by, func.count())
                .where(c.used_at.is_(None), c.expires_at > utcnow())
                .group_by(c.issued_by)
            )
            return {by: int(n) for by, n in rows}

    def pulled_untimed(self) -> frozenset[str]:
        """The devices handed records before the server noted when (``pulled_at``, migration
        0009) and none since: they hold a cursor (``pulled_seq``), but no time. Those without
        either were never handed a record (since migration 0005, before which nothing was
        kept)."""
        d = models.Device
        with self._sessions() as session:
            return frozenset(
                session.scalars(select(d.id).where(d.pulled_at.is_(None), d.pulled_seq > 0))
            )

    def status(self, device_id: str) -> wire.DeviceStatus:
        with self._sessions() as session:
            device = session.get(models.Device, device_id)
            if device is None:  # pragma: no cover - authenticated a moment ago
                raise ApiError(401, "unauthorized", "unknown device")
            key_ids = list(
                session.scalars(
                    select(models.WrappedKey.key_id)
                    .where(models.WrappedKey.device_id == device_id)
                    .order_by(models.WrappedKey.id)
                )
            )
            latest = session.scalar(select(models.SeqCounter.last_seq)) or 0
            return wire.DeviceStatus(device=device_info(device), key_ids=key_ids, latest_seq=latest)

    def find_device(self, ref: str) -> str:
        """A device id from a full id or a unique prefix (for the CLI)."""
        with self._sessions() as session:
            matches = list(
                session.scalars(
                    select(models.Device.id).where(models.Device.id.startswith(ref.lower()))
                )
            )
        if len(matches) != 1:
            raise LookupError(
                f"no device matches {ref!r}" if not matches else f"{ref!r} is ambiguous"
            )
        return matches[0]

    def revoke(
        self, device_id: str, by: str | None = None, *, force: bool = False
    ) -> wire.DeviceInfo:
        """Revoke a device. The organisation's last approved coordinator device is revoked only
        with ``force``: without one, nobody can approve a laptop, renew the team key or publish
        reference data (a coordinator revoking through the API is always one left)."""
        device_id = _device_id(device_id)
        with self._write() as session:
            device = session.get(models.Device, device_id)
            if device is None:
                raise ApiError(404, "not_found", "no such device")
            if by is not None and device.id == by:
                raise ApiError(409, "conflict", "a coordinator cannot revoke its own device")
            # Counted under the write lock (``_write``): two revocations at once cannot each
            # leave the other's device as the last one.
            if (
                not force
                and device.is_coordinator
                and device.status == "approved"
                and not _other_approved_coordinators(session, device.id)
            ):
                raise ApiError(
                    409,
                    "last_coordinator",
                    "this is the last approved coordinator device: revoked, nobody could approve "
                    "new laptops, renew the team key or publish the service directory and forms",
                )
            if device.status != "revoked":
                device.status = "revoked"
                device.revoked_at = utcnow()
                device.people_at_revocation = _people_held(session, device)
            device.registration_secret_hash = None
            # The codes it asked for and nobody used end with it: a stolen laptop's screen or
            # its user's notes may hold them (a laptop joining with one still waited for a
            # coordinator's approval, but a stranger's laptop would have been listed).
            now = utcnow()
            ended = session.execute(
                update(models.EnrollmentCode)
                .where(
                    models.EnrollmentCode.issued_by == device.id,
                    models.EnrollmentCode.used_at.is_(None),
                    models.EnrollmentCode.expires_at > now,
                )
                .values(expires_at=now)
            )
            cancelled = int(getattr(ended, "rowcount", 0))
            info = device_info(device)
        log.info(
            "device revoked device=%s by=%s unused_codes_ended=%d",
            device_id,
            by or "cli",
            cancelled,
        )
        return info

    # --- key exchange -----------------------------------------------------------------------

    def _store_key(
        self, session: Session, device_id: str, key: wire.WrappedKeyIn, sender: str
    ) -> None:
        blob = wire.b64decode(key.wrapped_key)
        sender_pk = wire.b64decode(key.sender_public_key)
        uploader = session.get(models.Device, sender)
        if uploader is None or not hmac.compare_digest(uploader.public_key, sender_pk):
            # Laptops open a key by its sender's public key (their own, or a coordinator's laptop
            # whose fingerprint a person confirmed): a device naming another's as the sender
            # would pass off a key it wrapped itself as that laptop's. Raised before anything is
            # stored, the transaction (of an approval: all its keys) is rolled back.
            log.warning(
                "wrapped key refused device=%s key_id=%s by=%s: sender is not the uploader",
                device_id,
                key.key_id,
                sender,
            )
            raise ApiError(
                403,
                "sender_not_uploader",
                "sender_public_key must be the uploading device's own registered public key",
            )
        existing = session.scalar(
            select(models.WrappedKey).where(
                models.WrappedKey.device_id == device_id, models.WrappedKey.key_id == key.key_id
            )
        )
        device = session.get(models.Device, device_id)
        if existing is not None:
            if (
                existing.wrapped_key == blob
                and existing.sender_public_key == sender_pk
                and existing.laptop_role == key.laptop_role
            ):
                return  # sent again (a retry)
            # A key wrapped before laptops had roles (NULL: every right) is replaced by one
            # wrapped for any role, a coordinator's too: the coordinator chose one for a laptop
            # approved back then (``usecases.sync.change_laptop_role``), which gives it no right.
            chosen = existing.laptop_role is None and key.laptop_role is not None
            if key.laptop_role is None or (
                not chosen and _role_rank(key.laptop_role) >= _role_rank(existing.laptop_role)
            ):
                # Kept as it is: approving a laptop again, or a renewal's retry, leaves the keys
                # it holds (the same role, wrapped with another nonce), and a laptop never lets a
                # later key raise its role (a higher one takes joining again as a new device).
                raise ApiError(
                    409, "conflict", f"key {key.key_id} is already stored for this device"
                )
            if device is not None and device.is_coordinator and key.laptop_role != "coordinator":
                if device.coordinator_approved_by is None:
                    # Enrolled with a coordinator's code (or the organisation's first), the
                    # server lets it manage laptops and publish: such a laptop is a
                    # coordinator's, or revoked (also one's own).
                    raise ApiError(
                        409,
                        "role_not_coordinator",
                        "a coordinator's device keeps the coordinator role",
                    )
                if not _other_approved_coordinators(session, device.id):
                    # Only the device itself can lower its own role here (the one uploading is
                    # a coordinator's): lowered, nobody could approve laptops any more.
                    raise ApiError(
                        409, "last_coordinator", "this is the last approved coordinator device"
                    )
                # Approved for coordinators (``approve``): lowered, it is a coordinator's no
                # longer, from the first key replaced (the key in use, sent first).
                device.is_coordinator = False
                device.coordinator_approved_by = None
                device.coordinator_role_chosen = None
                log.info(
                    "coordinator role removed device=%s by=%s role=%s",
                    device.id,
                    sender,
                    key.laptop_role,
                )
            if (
                chosen
                and key.laptop_role == "coordinator"
                and device is not None
                and device.status == "approved"
                and not device.is_coordinator
            ):
                # Approved before laptops had roles, a coordinator's role chosen for it now
                # (``usecases.sync.change_laptop_role``): a coordinator's laptop, as one
                # approved for coordinators is (``approve``), by the same rule: granted by a
                # coordinator's device as the server has it now, the uploader's row read under
                # the write lock (a device lowered or revoked since its request was
                # authenticated grants nothing, and nothing is stored). Its accounts have every
                # coordinator's right on it once its keys say so; the server refused them.
                _require_coordinator_row(uploader)
                device.is_coordinator = True
                device.coordinator_approved_by = sender
                device.coordinator_role_chosen = True  # "role set by", not "approved by"
                log.info("coordinator role chosen device=%s by=%s", device.id, sender)
            # A coordinator's laptop wrapped the key anew for a lower role chosen for the
            # laptop (``usecases.sync.change_laptop_role``), or for the first role chosen for a
            # laptop approved before roles: it replaces the old one. Only a coordinator's
            # laptop uploads keys (``upload_key``, ``approve``).
            existing.wrapped_key = blob
            existing.sender_public_key = sender_pk
            existing.sender_device = sender
            existing.created_at = utcnow()
            existing.laptop_role = key.laptop_role
            if device is not None:
                device.laptop_role = key.laptop_role
            return
        session.add(
            models.WrappedKey(
                device_id=device_id,
                key_id=key.key_id,
                wrapped_key=blob,
                sender_public_key=sender_pk,
                sender_device=sender,
                created_at=utcnow(),
                laptop_role=key.laptop_role,
            )
        )
        if key.laptop_role is not None and device is not None:
            if (
                device.status == "approved"
                and device.laptop_role is None
                and key.laptop_role == "coordinator"
            ):
                # A renewal's key for a laptop approved before roles: wrapped for a
                # coordinator's, as it had every right, but nobody chose that, and the list of
                # laptops goes on saying it has no role (``usecases.sync.has_no_role``).
                return
            if (
                device.status == "approved"
                and device.laptop_role is not None
                and _role_rank(key.laptop_role) > _role_rank(device.laptop_role)
            ):
                # A key it lacked (a renewal left it out), wrapped for a higher role than the
                # one chosen for it: the laptop takes it at no more than its role (a later key
                # never raises a laptop's role, ``usecases.sync.lower_ceiling``), and neither
                # does the list, which said "coordinators" of an advisors' laptop that was, on
                # the laptop and here, an advisors' (nor is it made a coordinator's here).
                return
            # For the coordinators' list of laptops: the role last chosen for it.
            device.laptop_role = key.laptop_role

    def approve(
        self, coordinator: AuthenticatedDevice, device_id: str, request: wire.ApproveRequest
    ) -> wire.DeviceInfo:
        self.require_coordinator(coordinator)
        device_id = _device_id(device_id)
        with self._write() as session:
            device = session.get(models.Device, device_id)
            if device is None:
                raise ApiError(404, "not_found", "no such device")
            if device.status == "revoked":
                raise ApiError(409, "conflict", "a revoked device cannot be approved")
            for key in request.wrapped_keys:
                self._store_key(session, device.id, key, coordinator.id)
            if device.status == "pending":
                device.status = "approved"
                device.approved_at = utcnow()
                device.approved_by = coordinator.id
                if not device.is_coordinator and all(
                    key.laptop_role == "coordinator" for key in request.wrapped_keys
                ):
                    # Approved for coordinators by a coordinator's device (as the server has
                    # it, never the request's word): a coordinator's laptop, as one enrolled
                    # with a coordinator's code is. Its accounts have every coordinator's right
                    # on it; the server refused them before. The approver's row is read again
                    # under the write lock: lowered or revoked since its request was
                    # authenticated, it makes no coordinator (and approves nothing).
                    _require_coordinator_row(session.get(models.Device, coordinator.id))
                    device.is_coordinator = True
                    device.coordinator_approved_by = coordinator.id
                    device.coordinator_role_chosen = False
            device.registration_secret_hash = None  # in a coordinator's hands: never again
            info = device_info(device)
        log.info(
            "device approved device=%s by=%s keys=%d coordinator=%s",
            device_id,
            coordinator.id,
            len(request.wrapped_keys),
            info.is_coordinator,
        )
        return info

    def upload_key(self, coordinator: AuthenticatedDevice, upload: wire.WrappedKeyUpload) -> None:
        self.require_coordinator(coordinator)
        with self._write() as session:
            device = session.get(models.Device, upload.device_id)
            if device is None:
                raise ApiError(404, "not_found", "no such device")
            if device.status != "approved":
                raise ApiError(
                    409, "conflict", f"device is {device.status}; approve it first (with its key)"
                )
            self._store_key(session, device.id, upload, coordinator.id)
        log.info(
            "wrapped key stored device=%s key_id=%s by=%s",
            upload.device_id,
            upload.key_id,
            coordinator.id,
        )

    def fetch_keys(self, device: AuthenticatedDevice) -> wire.WrappedKeyList:
        with self._sessions() as session:
            rows = session.execute(
                select(models.WrappedKey, models.Device.name)
                .outerjoin(models.Device, models.Device.id == models.WrappedKey.sender_device)
                .where(models.WrappedKey.device_id == device.id)
                .order_by(models.WrappedKey.id)
            )
            return wire.WrappedKeyList(
                keys=[
                    wire.WrappedKeyOut(
                        key_id=row.key_id,
                        wrapped_key=wire.b64encode(row.wrapped_key),
                        sender_public_key=wire.b64encode(row.sender_public_key),
                        sender_device=row.sender_device,
                        created_at=row.created_at.isoformat(),
                        sender_device_name=name or "",
                        laptop_role=row.laptop_role,
                    )
                    for row, name in rows
                ]
            )

    # --- envelopes --------------------------------------------------------------------------

    def push(self, device: AuthenticatedDevice, request: wire.PushRequest) -> wire.PushResponse:
        self.require_approved(device)
        if not device.is_coordinator:
            # Reference data (service directory, forms) is printed on letters and shapes every
            # form on every laptop: only a coordinator's laptop may change it. The whole push is
            # refused, so a laptop that sends it learns at once and nothing of it is stored.
            # (A device is a coordinator's by its code, or approved for coordinators by a
            # coordinator's device; lowering its role ends the latter: ``_store_key``.)
            held = sum(1 for env in request.envelopes if env.kind in wire.COORDINATOR_KINDS)
            if held:
                log.warning(
                    "push refused device=%s: %d envelopes of coordinator kinds from a member",
                    device.id,
                    held,
                )
                raise ApiError(
                    403,
                    "publisher_not_coordinator",
                    "only a coordinator's device may push reference data (kind "
                    f"{', '.join(sorted(wire.COORDINATOR_KINDS))})",
                )
        # Everything that needs no lock happens first: the counter lock serialises every push
        # of every laptop.
        mismatched = {
            index for index, env in enumerate(request.envelopes) if env.author_device != device.id
        }
        gate = self._erasures_not_allowed(device, request.envelopes, mismatched)
        not_allowed = gate.refused
        redacting = self._redactions_allowed(device, request.envelopes, mismatched | not_allowed)
        items: list[_PushItem] = []
        for index, env in enumerate(request.envelopes):
            if index in mismatched or index in not_allowed:
                continue
            items.append(
                _PushItem(
                    env.record_id,
                    env.kind,
                    env.revision,
                    env.key_id,
                    wire.decoded(env.nonce),  # decoded by validation already
                    wire.decoded(env.ciphertext),
                    env.client_hlc,
                    env.erases,
                    env.redacts_through if index in redacting else None,
                )
            )
        if self.between_check_and_store is not None:
            self.between_check_and_store()
        store = self._store_pg if self.engine.dialect.name == "postgresql" else self._store_locked
        outcomes = iter(zip(store(device.id, utcnow(), items, gate), items, strict=True))
        results: list[wire.PushItemResult] = []
        counts = {
            "accepted": 0,
            "duplicate": 0,
            "conflict": 0,
            "kind_mismatch": 0,
            "erase_not_allowed": 0,
            "not_merged": 0,
        }
        late: list[str] = []  # refused under the counter lock (``_Gate.own_only``)
        stored_bytes = 0
        kinds: set[str] = set()
        redacted: list[str] = []  # records whose earlier envelopes this push deleted
        for index, env in enumerate(request.envelopes):
            if index in mismatched:
                results.append(_refused(env, "author_mismatch"))
                continue
            if index in not_allowed:
                results.append(_refused(env, "erase_not_allowed"))
                continue
            (outcome, seq), item = next(outcomes)
            counts[outcome] += 1
            if outcome == "erase_not_allowed":
                late.append(env.record_id)
                results.append(_refused(env, outcome))
                continue
            if outcome in ("conflict", "kind_mismatch", "not_merged"):
                if outcome == "kind_mismatch":
                    # Ids only: which record a laptop tried to pass off as another kind.
                    log.warning(
                        "push device=%s record=%s refused: stored under another kind than %s",
                        device.id,
                        env.record_id,
                        env.kind,
                    )
                results.append(_refused(env, outcome))
                continue
            if outcome == "accepted":
                stored_bytes += len(item.ciphertext)
                kinds.add(env.kind)
                if item.redacts_through is not None and not item.erases:
                    redacted.append(env.record_id)
            results.append(
                wire.PushItemResult.model_construct(
                    record_id=env.record_id, revision=env.revision, status=outcome, seq=seq
                )
            )
        if late:
            # Ids only, as every line of the log.
            log.warning(
                "push device=%s: %d erasures of records another laptop wrote meanwhile "
                "refused records=%s%s",
                device.id,
                len(late),
                ",".join(late[:_LOGGED_IDS]),
                ",..." if len(late) > _LOGGED_IDS else "",
            )
        if redacted:
            # Ids only, as every line of the log.
            log.info(
                "push device=%s: %d redacted records' earlier envelopes deleted records=%s%s",
                device.id,
                len(redacted),
                ",".join(redacted[:_LOGGED_IDS]),
                ",..." if len(redacted) > _LOGGED_IDS else "",
            )
        refused = (
            counts["conflict"]
            + counts["kind_mismatch"]
            + counts["erase_not_allowed"]
            + counts["not_merged"]
            + len(mismatched)
            + len(not_allowed)
        )
        log.info(
            "push device=%s accepted=%d duplicate=%d refused=%d bytes=%d kinds=%s",
            device.id,
            counts["accepted"],
            counts["duplicate"],
            refused,
            stored_bytes,
            ",".join(sorted(kinds)),
        )
        return wire.PushResponse(
            accepted=counts["accepted"],
            duplicate=counts["duplicate"],
            refused=refused,
            results=results,
        )

    def _redactions_allowed(
        self, device: AuthenticatedDevice, envelopes: Sequence[wire.Envelope], skip: set[int]
    ) -> set[int]:
        """The indexes of the push's versions whose ``redacts_through`` the server acts on:
        of a kind that loses personal text with an erasure (``wire.REDACTING_KINDS``), not
        tombstones (those delete the record's earlier envelopes anyway), from a device whose
        role may erase a person (``_MAY_NOT_ERASE``: a coordinator's laptop, or one approved
        before roles), as the coordinator last approved it. From any other, or of any other
        kind, the flag is ignored: the version is stored as any other, and nothing deleted
        (it is logged). Deleting a record's history is an erasure's power: an altered
        program on a helper's or an advisor's laptop, which holds the team key all the same,
        cannot delete the versions of other laptops it pushes over. Which envelopes go is
        decided under the counter lock (``_redaction_refused``). The role is read only when a
        push holds a flag (seldom)."""
        flagged = [
            index
            for index, env in enumerate(envelopes)
            if env.redacts_through is not None and index not in skip
        ]
        if not flagged:
            return set()
        d = models.Device
        with self._read() as connection:
            role = connection.execute(select(d.laptop_role).where(d.id == device.id)).scalar()
        allowed = (
            set()
            if role in _MAY_NOT_ERASE
            else {
                index
                for index in flagged
                if envelopes[index].kind in wire.REDACTING_KINDS and not envelopes[index].erases
            }
        )
        ignored = [envelopes[i].record_id for i in flagged if i not in allowed]
        if ignored:
            # Ids only, as every line of the log.
            log.warning(
                "push device=%s role=%s: %d redactions ignored (role or kind) records=%s%s",
                device.id,
                role,
                len(ignored),
                ",".join(ignored[:_LOGGED_IDS]),
                ",..." if len(ignored) > _LOGGED_IDS else "",
            )
        return allowed

    def _erasures_not_allowed(
        self, device: AuthenticatedDevice, envelopes: Sequence[wire.Envelope], skip: set[int]
    ) -> _Gate:
        """The indexes of the tombstones (``wire.Envelope.erases``) in a push that the device's
        role may not send (``_MAY_NOT_ERASE``): refused one by one, the rest of the push goes
        on. A tombstone deletes every revision of its record the server holds, for good, so it
        is gated for every kind, not only a person's. Read only when a push holds one from such
        a role (seldom), from the device's role as a coordinator last approved it
        (``change_laptop_role`` lowers it).

        Such a device sends a tombstone, unaltered, in these cases, and it is taken:
        - the server holds a tombstone of that record already: the laptop merged an erasure
          it pulled with changes of its own not sent yet (a revision above the tombstone), or
          with its own tombstone of a merge. The record is erased on the server already; the
          later tombstone changes nothing.
        - a person: an advisor's laptop merged two entries (``usecases.merges``): the entry
          merged away is a tombstone, after a live merge record named after it
          (``wire.person_merge_id``) that the server holds or that comes earlier in the same
          push (with nothing else stored under that id). Laptops take such a tombstone as a
          merge: the records of the entry merged away move to the entry kept, not erased.
        - a record of another kind (a visit, consent, referral ... of a person erased on
          another laptop, queued by ``person_sources.erase_synced`` as the erasure is applied
          here) of which every revision the server holds was pushed by this device, or none:
          it erases only what it wrote itself.
        - a conflict or a decision that two entries are different people (``_MERGE_ERASES``)
          from an advisor's laptop, in a push holding the tombstone of a merge (above): the
          merge erases those naming the entry merged away, whichever laptop wrote them.
        A tombstone of another laptop's record (a helper's laptop applying a coordinator's
        erasure to a visit another laptop recorded, which the coordinator's laptop never
        saw) is refused; the laptop that wrote it, or a coordinator's laptop, sends its own
        tombstone when it pulls the erasure, and that is taken.

        This read is outside the counter lock, which every push of every laptop waits on: a
        revision of another laptop may be stored in the moment between it and the push's
        store. So the ids of the records of the third case come back (``_Gate.own_only``),
        with the server's highest sequence number before this read, and the store, under the
        lock, refuses the tombstones of those another laptop stored a revision of meanwhile
        (one query of those ids above that number; none when there are no such ids).

        The limits of this: the server cannot read a merge record, so an advisor's altered
        program can pass an erasure off as a merge (a merge record under the entry's id
        naming no entry to keep), and with it erase conflicts and decisions of other laptops.
        Any role's altered program erases what its own laptop wrote. A laptop that erased a
        person while approved for coordinators, whose role was lowered before it pushed, has
        that erasure refused, and its tombstones of other laptops' records; so has a helper's or
        an advisor's laptop that sends back, to a server restored from a backup older than the
        erasure, a tombstone it pulled (the coordinator's laptop sends it back too)."""
        erasing = {index for index, env in enumerate(envelopes) if env.erases and index not in skip}
        if not erasing:
            return _NO_GATE
        erased_ids = {envelopes[index].record_id for index in erasing}
        people = {
            envelopes[index].record_id
            for index in erasing
            if envelopes[index].kind == wire.PERSON_KIND
        }
        d, t = models.Device, models.StoredEnvelope
        # Per record asked for: (kind, erases, author device) of each revision stored.
        held: dict[str, list[tuple[str, bool, str]]] = {}
        with self._read() as connection:
            # The counter in the same statement, before the envelopes are read: every envelope
            # up to it is committed (``_write``: seq order is commit order).
            role, seen_seq = connection.execute(
                select(d.laptop_role, _LATEST_SEQ.scalar_subquery()).where(d.id == device.id)
            ).one()
            if role not in _MAY_NOT_ERASE:
                return _NO_GATE
            merges = {wire.person_merge_id(pid) for pid in people} if role in _MAY_MERGE else set()
            asked = sorted(erased_ids | merges)
            for start in range(0, len(asked), _CHUNK):
                for rid, kind, erases, author in connection.execute(
                    select(t.record_id, t.kind, t.erases, t.author_device).where(
                        t.record_id.in_(asked[start : start + _CHUNK])
                    )
                ):
                    held.setdefault(rid, []).append((kind, bool(erases), author))
        erased = {
            rid
            for rid, rows in held.items()
            if rid in erased_ids and any(erases for _kind, erases, _author in rows)
        }
        # Per merge id stored: whether it is a live merge record (no tombstone, no other kind).
        merge_held = {
            rid: all(kind == wire.PERSON_MERGE_KIND and not erases for kind, erases, _a in rows)
            for rid, rows in held.items()
            if rid in merges
        }
        people_refused: set[int] = set()
        others: list[int] = []  # tombstones of other laptops' records of other kinds
        own_only: dict[int, str] = {}  # tombstones taken as the laptop's own records
        merging = False  # whether the push holds the tombstone of a merge
        merged_in_push: set[str] = set()
        for index, env in enumerate(envelopes):
            if index in skip:
                continue
            if env.kind == wire.PERSON_MERGE_KIND and not env.erases:
                merged_in_push.add(env.record_id)
            if index not in erasing:
                continue
            if env.kind == wire.PERSON_KIND:
                merge = wire.person_merge_id(env.record_id) if role in _MAY_MERGE else None
                if merge is not None and merge_held.get(merge, merge in merged_in_push):
                    merging = True
                elif env.record_id not in erased:
                    people_refused.add(index)
            elif env.record_id in erased:
                continue
            elif any(author != device.id for _kind, _erases, author in held.get(env.record_id, ())):
                others.append(index)
            else:
                own_only[index] = env.record_id
        refused = people_refused | {
            index for index in others if not (merging and envelopes[index].kind in _MERGE_ERASES)
        }
        for what, indexes in (
            ("person erasures", people_refused),
            ("erasures of other laptops' records", refused - people_refused),
        ):
            if indexes:
                # Ids only, as every line of the log; a few of them (a push holds up to 500).
                named = [envelopes[index].record_id for index in sorted(indexes)]
                log.warning(
                    "push device=%s role=%s: %d %s refused records=%s%s",
                    device.id,
                    role,
                    len(named),
                    what,
                    ",".join(named[:_LOGGED_IDS]),
                    ",..." if len(named) > _LOGGED_IDS else "",
                )
        # A merge's kinds in a merge's push are taken whoever wrote them: nothing to look at
        # again.
        watched = frozenset(
            rid
            for index, rid in own_only.items()
            if not (merging and envelopes[index].kind in _MERGE_ERASES)
        )
        return _Gate(refused, watched, int(seen_seq))

    def _store_pg(
        self, device_id: str, now: dt.datetime, items: list[_PushItem], gate: _Gate = _NO_GATE
    ) -> list[tuple[str, int | None]]:
        """Store a push on PostgreSQL: one statement, run by the database function of
        migrations 0002 to 0004, so the counter lock is held only while PostgreSQL works.

        A push with tombstones to look at again under the lock (``_Gate.own_only``), or with
        versions that redact (``_PushItem.redacts_through``; both seldom), takes the lock first
        in a transaction of its own, looks, stores what still passes and deletes the redacted
        records' earlier envelopes in the same transaction: a few round trips more, for that
        push only."""
        watched = _watched(gate, items)
        redacting = sorted({i.record_id for i in items if i.redacts_through is not None})
        if not watched and not redacting:
            # autocommit: the statement is its transaction
            return self._pushed_pg(self._fetch_binary, device_id, now, items)
        with self.engine.connect() as connection:
            raw: Any = connection.connection.driver_connection
            with raw.transaction(), raw.cursor(binary=True) as cursor:
                # The counter row, as every push takes it first (``wd_push_envelopes`` takes
                # it again, held already); then statements of their own, so a fresh snapshot:
                # what pushes before this one committed is seen.
                first_seq = int(
                    cursor.execute(
                        "UPDATE seq_counter SET last_seq = last_seq WHERE id = 1 RETURNING last_seq"
                    ).fetchone()[0]
                )
                late: set[str] = set()
                if watched:
                    found = cursor.execute(
                        "SELECT record_id, author_device, erases FROM envelopes "
                        "WHERE record_id = ANY(%s) AND seq > %s",
                        (watched, gate.seen_seq),
                    ).fetchall()
                    late = _late_writers(found, device_id)
                held: dict[str, list[tuple[int, int]]] = {}
                if redacting:
                    for rid, revision, seq in cursor.execute(
                        "SELECT record_id, revision, seq FROM envelopes WHERE record_id = ANY(%s)",
                        (redacting,),
                    ).fetchall():
                        held.setdefault(rid, []).append((int(revision), int(seq)))
                refusals: dict[int, str] = {}
                met: set[str] = set()
                for index, item in enumerate(items):
                    earlier = item.record_id in met
                    met.add(item.record_id)
                    if item.erases and item.record_id in late:
                        refusals[index] = "erase_not_allowed"
                    elif item.redacts_through is not None:
                        why = _redaction_refused(
                            item, held.get(item.record_id, []), first_seq, earlier
                        )
                        if why is not None:
                            refusals[index] = why
                kept = [item for index, item in enumerate(items) if index not in refusals]

                def fetch(statement: str, params: Sequence[Any]) -> list[Any]:
                    rows: list[Any] = cursor.execute(statement, params).fetchall()
                    return rows

                stored = iter(self._pushed_pg(fetch, device_id, now, kept))
                outcomes: list[tuple[str, int | None]] = [
                    (refusals[index], None) if index in refusals else next(stored)
                    for index in range(len(items))
                ]
                purged = [
                    (item.record_id, item.revision)
                    for item, (outcome, _seq) in zip(items, outcomes, strict=True)
                    if item.redacts_through is not None and outcome == "accepted"
                ]
                if purged:
                    # A redacted record's earlier envelopes go in the transaction that stores
                    # the version that removed its personal text (``_store_locked``).
                    cursor.execute(
                        "DELETE FROM envelopes s USING unnest(%b::text[], %b::bigint[]) "
                        "AS u(record_id, revision) "
                        "WHERE s.record_id = u.record_id AND s.revision < u.revision",
                        ([rid for rid, _r in purged], [rev for _rid, rev in purged]),
                    )
            return outcomes

    @staticmethod
    def _pushed_pg(
        fetch: Callable[[str, Sequence[Any]], list[Any]],
        device_id: str,
        now: dt.datetime,
        items: list[_PushItem],
    ) -> list[tuple[str, int | None]]:
        """``wd_push_envelopes`` on ``items``, its rows fetched by ``fetch``."""
        columns = (
            list(zip(*(item[:_STORED_FIELDS] for item in items), strict=True))
            if items
            else [()] * _STORED_FIELDS
        )
        rows = fetch(
            # %b: binary parameters. Arrays in text form were escaped element by
            # element here and parsed again there: 45 ms for a push of 500.
            # The device's ``pushed_seq`` is raised in the same statement, so in the
            # transaction that stores the push (and no round trip more).
            "WITH r AS (SELECT idx, outcome, seq FROM wd_push_envelopes(%b, %b, "
            "%b::text[], %b::text[], %b::bigint[], %b::text[], %b::bytea[], "
            "%b::bytea[], %b::text[], %b::boolean[])), "
            "top AS (SELECT max(seq) AS n FROM r WHERE idx > 0), "
            "u AS (UPDATE devices SET pushed_seq = top.n FROM top "
            "WHERE devices.id = %b AND top.n IS NOT NULL "
            "AND (devices.pushed_seq IS NULL OR devices.pushed_seq < top.n)) "
            "SELECT idx, outcome, seq FROM r ORDER BY idx",
            (device_id, now, *(list(column) for column in columns), device_id),
        )
        if rows and rows[0][0] == 0:
            status = rows[0][1]
            raise ApiError(
                403,
                "revoked" if status == "revoked" else "not_approved",
                f"this device is {status}",
            )
        return [(outcome, seq) for _idx, outcome, seq in rows]

    def _store_locked(
        self, device_id: str, now: dt.datetime, items: list[_PushItem], gate: _Gate = _NO_GATE
    ) -> list[tuple[str, int | None]]:
        """Store a push under the counter lock taken in Python (SQLite; the same outcomes as
        ``wd_push_envelopes`` on PostgreSQL).

        Plain SQL through the driver's cursor, inside the session's transaction: SQLAlchemy's
        statement building and per-row parameter processing were half of the server's time
        in a first push of thousands of envelopes (issue 5)."""
        outcomes: list[tuple[str, int | None]] = []
        with (
            self._write(reserve=len(items)) as session,
            contextlib.closing(_driver_cursor(session)) as cursor,
        ):
            # Re-read under the lock: a device revoked a moment ago is refused at once.
            found = cursor.execute(
                "SELECT status, pushed_seq FROM devices WHERE id = ?", (device_id,)
            ).fetchone()
            status = found[0] if found else None
            if status != "approved":
                raise ApiError(
                    403,
                    "revoked" if status == "revoked" else "not_approved",
                    f"this device is {status}",
                )
            late = _late_writers(
                _stored_since(cursor, _watched(gate, items), gate.seen_seq), device_id
            )
            stored = _stored_revisions(cursor, sorted({item.record_id for item in items}))
            # The kind each pushed record id is stored under, if any: a record id belongs to
            # one kind for good (see migration 0003). Where a database from before that rule
            # holds two, the kind of the lowest revision counts: a record's own first one (a
            # reused id comes later, with a higher revision).
            kind_of = {record_id: revisions[0][1] for record_id, revisions in stored.items()}
            # Per stored record: its highest revision, and its tombstone's revision if any.
            latest: dict[str, tuple[int, int | None]] = {
                record_id: (
                    revisions[-1][0],
                    max((r for r, _k, erases, _s in revisions if erases), default=None),
                )
                for record_id, revisions in stored.items()
            }
            seq_of = {
                (record_id, revision): seq
                for record_id, revisions in stored.items()
                for revision, _kind, _erases, seq in revisions
            }
            # The pushed (record, revision) pairs stored already (a push sent again): their
            # content decides duplicate vs conflict.
            pushed_again = {
                (item.record_id, item.revision)
                for item in items
                if (item.record_id, item.revision) in seq_of
            }
            known: dict[tuple[str, int], tuple[int, tuple[object, ...]]] = {
                pair: (seq_of[pair], content)
                for pair, content in _stored_contents(cursor, pushed_again).items()
            }
            first_seq: int = session.info["last_seq"]
            last_seq = first_seq
            new_rows: list[tuple[object, ...]] = []
            erased: list[dict[str, object]] = []
            met: set[str] = set()  # record ids of this push's envelopes before the one at hand
            for item in items:
                earlier = item.record_id in met
                met.add(item.record_id)
                if item.erases and item.record_id in late:
                    outcomes.append(("erase_not_allowed", None))
                    continue
                key = (item.record_id, item.revision)
                content = (
                    item.kind,
                    item.key_id,
                    item.nonce,
                    item.ciphertext,
                    device_id,
                    item.client_hlc,
                    item.erases,
                )
                if kind_of.setdefault(item.record_id, item.kind) != item.kind:
                    outcomes.append(("kind_mismatch", None))
                    continue
                existing = known.get(key)
                if existing is not None:
                    same = existing[1] == content
                    outcomes.append(("duplicate", existing[0]) if same else ("conflict", None))
                    continue
                top, erased_at = latest.get(item.record_id, (0, None))
                if not _storable(item, top, erased_at):
                    outcomes.append(("conflict", None))
                    continue
                if item.redacts_through is not None:
                    held = [(r, s) for r, _k, _e, s in stored.get(item.record_id, ())]
                    refusal = _redaction_refused(item, held, first_seq, earlier)
                    if refusal is not None:
                        outcomes.append((refusal, None))
                        continue
                latest[item.record_id] = (
                    max(top, item.revision),
                    item.revision if item.erases else erased_at,
                )
                if item.erases or item.redacts_through is not None:
                    erased.append({"rid": item.record_id, "rev": item.revision})
                last_seq += 1
                known[key] = (last_seq, content)
                new_rows.append((last_seq, item.record_id, item.revision, *content))
                outcomes.append(("accepted", last_seq))
            if new_rows:
                received_at = self._bind_received_at(now)
                cursor.executemany(_INSERT_ENVELOPES, [(*row, received_at) for row in new_rows])
            if erased:
                # An erased record's earlier revisions go in the transaction that stores its
                # tombstone: from then on the server holds no content of it. So do a redacted
                # record's, with the version that removed its personal text (every one of
                # them is below it and was merged into it: ``_redaction_refused``).
                cursor.executemany(
                    "DELETE FROM envelopes WHERE record_id = ? AND revision < ?",
                    [(e["rid"], e["rev"]) for e in erased],
                )
            # The highest sequence number in the device's push results, in the transaction
            # that stores them (``models.Device.pushed_seq``).
            handed = max((seq for outcome, seq in outcomes if seq is not None), default=None)
            stored_before = found[1]
            if handed is not None and (stored_before is None or handed > stored_before):
                session.execute(_RAISE_PUSHED, {"device": device_id, "n": handed})
            if last_seq != first_seq + len(items):
                # Duplicates or conflicts: hand back the unused part of the reserved range, so
                # sequence numbers stay gapless (nobody outside this transaction saw it).
                session.execute(
                    update(models.SeqCounter)
                    .where(models.SeqCounter.id == 1)
                    .values(last_seq=last_seq)
                )
        return outcomes

    def _pull_rows(
        self, device: AuthenticatedDevice, after: int, limit: int
    ) -> tuple[Sequence[Any], int, bool, int]:
        """A page, its next cursor, whether more follow, and the server's highest sequence
        number (``wire.PullResponse.latest_seq``)."""
        self.require_approved(device)
        t = models.StoredEnvelope
        with self._read() as connection:
            # Read before the page: no envelope of it lies beyond, and a laptop's cursor
            # comes from earlier pulls, so it is never beyond either unless the database
            # went back in time.
            latest = int(connection.execute(_LATEST_SEQ).scalar_one())
            # Plain rows, not ORM objects: a page of 500 costs half as much this way.
            rows = connection.execute(
                select(
                    t.seq,
                    t.record_id,
                    t.kind,
                    t.revision,
                    t.key_id,
                    t.nonce,
                    t.ciphertext,
                    t.author_device,
                    t.client_hlc,
                    t.erases,
                )
                .where(t.seq > after)
                .order_by(t.seq)
                .limit(limit + 1)
            ).all()
            rows, next_cursor, has_more = _page(device, rows, after, limit)
            self._note_pulled(connection, device, rows)
        return rows, next_cursor, has_more, latest

    def _note_pulled(
        self, connection: Connection, device: AuthenticatedDevice, rows: Sequence[Any]
    ) -> None:
        """Raise the device's ``pulled_seq`` to the page's last sequence number, only when
        the page goes past it (a laptop that is up to date costs no write): one statement on
        the pull's autocommit connection, committed by itself."""
        handed = _handed_out(device, rows)
        if handed is None:
            return
        lock = self._write_lock if self._sqlite else contextlib.nullcontext()
        with lock:  # SQLite's writers queue in-process
            connection.execute(_RAISE_PULLED, {"device": device.id, "n": handed, "at": utcnow()})

    def pull(self, device: AuthenticatedDevice, after: int, limit: int) -> wire.PullResponse:
        rows, next_cursor, has_more, latest = self._pull_rows(device, after, limit)
        envelopes = [
            wire.StoredEnvelope.model_construct(
                seq=row.seq,
                record_id=row.record_id,
                kind=row.kind,
                revision=row.revision,
                key_id=row.key_id,
                nonce=wire.b64encode(row.nonce),
                ciphertext=wire.b64encode(row.ciphertext),
                author_device=row.author_device,
                client_hlc=row.client_hlc,
                erases=bool(row.erases),
            )
            for row in rows
        ]
        return wire.PullResponse.model_construct(
            envelopes=envelopes,
            next_cursor=next_cursor,
            has_more=has_more,
            device_pulled_seq=device.pulled_seq,
            device_pushed_seq=device.pushed_seq,
            latest_seq=latest,
            revocations=self.revocations_mark(device),
            redactions=True,
        )

    def revocations_mark(self, device: AuthenticatedDevice) -> str | None:
        """``wire.PullResponse.revocations`` for ``device``: None unless it is a coordinator's.
        A coordinator's laptop asked for the whole list of laptops after every sync, to learn
        of revocations made by the operator; one aggregate over the devices tells it when to."""
        if not device.is_coordinator:
            return None
        d = models.Device
        with self._sessions() as session:
            count, latest = session.execute(
                select(func.count(), func.max(d.revoked_at)).where(d.status == "revoked")
            ).one()
        return f"{int(count)}/{_iso(latest) or ''}"

    def pull_json(self, device: AuthenticatedDevice, after: int, limit: int) -> bytes:
        """``pull(...)`` as the JSON the API sends, without building a model per envelope.

        Under load, pulls were most of the server's work: a page of 500 took 15 ms this way
        with a dict per envelope, 6 ms with the rows fetched in binary and written as text.
        Every value is a stored one that was validated on push (ids, kinds, key ids and clocks
        hold no character JSON escapes); a laptop validates the page it receives all the same.
        """
        if self.engine.dialect.name == "postgresql":
            rows, next_cursor, has_more, latest = self._pull_rows_binary(device, after, limit)
        else:
            rows, next_cursor, has_more, latest = self._pull_rows(device, after, limit)
        b64 = binascii.b2a_base64
        envelopes = ",".join(
            [
                f'{{"record_id":"{r[1]}","kind":"{r[2]}","revision":{r[3]},"key_id":"{r[4]}",'
                f'"nonce":"{b64(r[5], newline=False).decode()}",'
                f'"ciphertext":"{b64(r[6], newline=False).decode()}",'
                f'"author_device":"{r[7]}","client_hlc":"{r[8]}",'
                # Only where true: the envelopes of laptops before it stay as they were.
                f'{_ERASES if r[9] else ""}"seq":{r[0]}}}'
                for r in rows
            ]
        )
        more = "true" if has_more else "false"
        seen = _device_seqs_json(device)
        mark = self.revocations_mark(device)
        # (digits, "/", an ISO time: nothing JSON escapes)
        revocations = f',"revocations":"{mark}"' if mark is not None else ""
        return (
            f'{{"envelopes":[{envelopes}],"next_cursor":{next_cursor},"has_more":{more}{seen},'
            f'"latest_seq":{latest}{revocations},"redactions":true}}'
        ).encode()

    def _pull_rows_binary(
        self, device: AuthenticatedDevice, after: int, limit: int
    ) -> tuple[Sequence[Any], int, bool, int]:
        """``_pull_rows`` on PostgreSQL through the driver in binary: half the time."""
        self.require_approved(device)
        rows = self._fetch_binary(
            # The device's ``pulled_seq`` is raised in the same statement (its own
            # request and commit per pull made the pull p95 under load twice as long):
            # to the last of the first ``limit`` rows, the page handed out.
            "WITH page AS (SELECT seq, record_id, kind, revision, key_id, nonce, "
            "ciphertext, author_device, client_hlc, erases FROM envelopes "
            "WHERE seq > %s ORDER BY seq LIMIT %s), "
            "top AS (SELECT max(seq) AS n FROM "
            "(SELECT seq FROM page ORDER BY seq LIMIT %s) handed), "
            "u AS (UPDATE devices SET pulled_seq = top.n, pulled_at = %s FROM top "
            "WHERE devices.id = %s AND top.n IS NOT NULL "
            "AND (devices.pulled_seq IS NULL OR devices.pulled_seq < top.n)) "
            # The server's highest sequence number rides along as the last column
            # of every row, and alone in one row of NULLs when the page is empty
            # (read in the statement's snapshot: nothing of the page lies beyond).
            "SELECT page.*, c.last_seq FROM seq_counter c LEFT JOIN page ON true "
            "WHERE c.id = 1 ORDER BY page.seq",
            (after, limit + 1, limit, utcnow(), device.id),
        )
        latest = int(rows[0][-1])
        if rows[0][0] is None:
            rows = []
        return (*_page(device, rows, after, limit), latest)
