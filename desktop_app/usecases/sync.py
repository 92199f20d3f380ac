"""Joining a sync server, approving laptops and confirming coordinators, rotating the team key,
and syncing now.

Joining compares fingerprints both ways: the coordinator approves a new laptop after comparing
that laptop's fingerprint, and the new laptop uses the team key the coordinator sent only after
a person at it has compared the coordinator's fingerprint (``confirm_coordinator``). So neither
side takes the server's word for a public key. Nor does a rotation: it wraps the new key only
for laptops the team vouches for in its own records (``sync.laptops``).
"""

from __future__ import annotations

import datetime as dt
import hmac
import ipaddress
import json
import logging
import secrets
import time
import uuid
from collections.abc import Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

from sqlalchemy import func, select
from sqlalchemy.orm import Session as DbSession

from desktop_app.domain.permissions import Action, require
from desktop_app.domain.users import Role, User, lower_role
from desktop_app.storage.db import AlreadyRunning, Store, only_one, running
from desktop_app.storage.models import OutboxRow
from desktop_app.storage.sync_models import ConflictRow, DeferredEnvelopeRow
from desktop_app.sync import crypto, key_senders, laptops
from desktop_app.sync.engine import (
    COORDINATOR,
    CURSOR,
    DEVICE_ID,
    LAPTOP_ROLE,
    LAPTOP_ROLE_AGAIN,
    LAST_SUCCESS,
    PRIVATE_KEY,
    REFUSED,
    REVOKE_AGAIN,
    SERVER_URL,
    STATUS,
    TOKEN,
    Progress,
    SyncEngine,
    SyncReport,
    activate_team_key,
    active_key,
    add_team_key,
    get_meta,
    keyring,
    outbox_counts,
    pull_everything_again,
    set_meta,
)
from desktop_app.sync.http_client import (
    BadRequest,
    Forbidden,
    RequestRefused,
    Revoked,
    SyncError,
    SyncServerClient,
    Unauthorized,
    wrapped_key,
)
from desktop_app.sync.records import reader_version
from desktop_app.usecases import audit
from desktop_app.usecases.conflicts import (  # noqa: F401 - the sync's conflicts, as before
    ConflictGone,
    OpenConflict,
    open_conflicts,
    resolve_conflict,
)
from desktop_app.usecases.settings import (
    ENROLLMENT_LOOKALIKES,
    normalise_enrollment_code,
    with_scheme,
)
from sync_server import wire

log = logging.getLogger(__name__)


class SyncSetupError(Exception):
    """A sync set-up step that cannot go on; ``code`` is a stable key for the UI."""

    def __init__(self, code: str, detail: str = "") -> None:
        super().__init__(detail or code)
        self.code = code


@dataclass(frozen=True)
class SyncStatus:
    joined: bool
    server_url: str
    approved: bool
    pending_changes: int
    last_success: str
    open_conflicts: int
    # Laptops that sent a team key whose fingerprint nobody here has confirmed yet.
    unconfirmed_senders: tuple[str, ...] = ()
    # A renewal of the team key this laptop began was broken off: renew again (``rotate_team_key``).
    renewal_unfinished: bool = False
    # Records colleagues' laptops wrote with a newer version of the app: kept until this one is
    # updated (``engine._defer``).
    need_update: int = 0
    # Publications of reference data (service directory, forms) made on this laptop that stay
    # on it: the server takes them only from a coordinator's laptop, and this is a member's.
    held_back: int = 0
    # "unauthorized" or "revoked": the last sync was refused so, and this laptop needs to join
    # again ("" if not). Kept in the store, so a window opened later knows it at once.
    refused: str = ""
    # Revoked laptops that hold the team key in use (``revoked_holding_team_key``): a
    # coordinator is to renew it.
    revoked_holding_key: tuple[str, ...] = ()
    # The records among ``pending_changes`` that the program wrote itself, not a user
    # (``engine.NOT_USER_WORK``: audit entries, records of laptops, conflicts found, accounts;
    # and the tombstones of what an erasure removed here, ``engine._dropped_by_erasure``):
    # they sync, but the status bar counts the user's changes without them.
    pending_internal: int = 0
    # The server refused a team key this laptop sent, as it holds another public key for this
    # laptop than the one it registered (``own_key_refused``): a renewal cannot go through.
    own_key_refused: bool = False
    # Coordinators' laptops not confirmed here that lowered this laptop's role: each one's
    # name and the role it chose ("helper", "advisor"). Taken once a person here confirms that
    # laptop by its fingerprint (``confirm_coordinator``; it is among ``unconfirmed_senders``).
    role_lowerings: tuple[tuple[str, str], ...] = ()
    # Laptops approved before laptops had roles, that no coordinator chose one for since, as
    # the list of laptops last fetched here said (``laptops_without_role``): nothing limits
    # what the accounts on them may do.
    laptops_without_role: tuple[str, ...] = ()
    # This laptop itself joined before laptops had roles and was given none since
    # (``own_role_unset``): every account on it works with its full rights.
    own_role_unset: bool = False

    @property
    def pending_work(self) -> int:
        """The changes to send that a user made: records other than those the program writes
        itself. Counted with the audit entries, a helper who registered three people offline
        read "19 changes kept on this laptop", and the count went up each time she only opened
        a person's page; with the laptop's own records, a new laptop said "4 changes" after its
        user had registered one person."""
        return self.pending_changes - self.pending_internal


@dataclass(frozen=True)
class SkippedLaptop:
    """A laptop the server lists as approved that a rotation did not give the new key."""

    device_id: str
    name: str  # as the server lists it (a label)
    reason: str  # laptops.NOT_KNOWN, OTHER_KEY, REVOKED or NOT_CURRENT


@dataclass(frozen=True)
class RotationResult:
    key_id: str
    given: tuple[str, ...]  # device ids of the laptops the new key was wrapped for
    skipped: tuple[SkippedLaptop, ...]


def new_team_key() -> crypto.TeamKey:
    """A team key whose id sorts by creation time, so the newest key is the greatest id."""
    fresh = crypto.new_team_key()
    return crypto.TeamKey(
        key_id=f"k{time.time_ns() // 1_000_000:012x}{fresh.key_id[:8]}", key=fresh.key
    )


def check_server_url(url: str) -> str:
    """HTTPS always; plain HTTP only to this machine itself (tests, a local dev server). An
    address without a scheme is taken as https (``with_scheme``)."""
    url = with_scheme(url)
    try:
        parts = urlsplit(url)
        parts.port  # noqa: B018 - raises ValueError for a port that is no number or too big
    except ValueError as exc:  # e.g. "http://[::1" or "https://host:99999"
        raise SyncSetupError("bad_url", "not a URL") from exc
    if parts.scheme == "https" and parts.hostname:
        return url.strip().rstrip("/")
    if parts.scheme == "http" and parts.hostname:
        host = parts.hostname
        try:
            loopback = host == "localhost" or ipaddress.ip_address(host).is_loopback
        except ValueError:
            loopback = False
        if loopback:
            return url.strip().rstrip("/")
        raise SyncSetupError("insecure_url", "plain HTTP is only allowed to this machine")
    raise SyncSetupError("bad_url", "not an https:// address")


def server_url(store: Store) -> str:
    """The address this laptop syncs with ("" before it joined): the one ``client_for`` uses."""
    with store.reading() as session:
        return get_meta(session, SERVER_URL) or ""


def change_server_url(store: Store, user: User, url: str) -> str:
    """The sync server moved to ``url``: this laptop syncs there from its next sync on.

    Only the address changes. The device, its token and the cursor stay, so this is for the
    same server (the same database) at a new address; a laptop that is to sync with another
    server joins it anew. A coordinator only (``PermissionDenied`` otherwise), and by the rules
    of joining (``check_server_url``: ``SyncSetupError`` "bad_url" or "insecure_url"); a laptop
    that has not joined is refused ("not_joined"): it joins with the address. Returns the address
    as stored; a change is written to the audit log, as the other changes to this laptop's sync.
    """
    require(user, Action.MANAGE_SETTINGS)
    new = check_server_url(url)
    with store.transaction() as session:
        old = get_meta(session, SERVER_URL)
        if not old:
            raise SyncSetupError("not_joined")
        if old == new:
            return new
        set_meta(session, SERVER_URL, new)
        # A refusal by the old address says nothing of the new one: the next sync tells.
        set_meta(session, REFUSED, "")
        audit.record_in(
            session,
            store,
            user.id,
            audit.AuditAction.CHANGE_SERVER,
            "device",
            get_meta(session, DEVICE_ID) or "",
            {"server_url": new},
        )
    return new


def client_for(store: Store, **kwargs: object) -> SyncServerClient:
    with store.reading() as session:
        url, token = get_meta(session, SERVER_URL), get_meta(session, TOKEN)
    if not url or not token:
        raise SyncSetupError("not_joined")
    return SyncServerClient(url, token, **kwargs)  # type: ignore[arg-type]


def device_keys(store: Store) -> crypto.DeviceKeys:
    with store.reading() as session:
        private = get_meta(session, PRIVATE_KEY)
    if private is None:
        raise SyncSetupError("not_joined")
    return crypto.DeviceKeys.from_private_bytes(bytes.fromhex(private))


def own_device_name(store: Store) -> str:
    """The name this laptop joined under ("" before it joined): a laptop joining again is
    offered it, so that the coordinator recognises the laptop that asks for approval."""
    try:
        public = device_keys(store).public_key
    except SyncSetupError:
        return ""
    with store.reading() as session:
        return key_senders.trusted_name(session, public)


class JoinAttempt:
    """What one join keeps in memory across its tries (the dialog's and the wizard's "Join"
    pressed again, ``welcome-desk join`` trying again within one run): the key pair it
    registers and a random registration secret (``wire.RegisterRequest.registration_secret``).

    Registering spends the one-time code; if this laptop then fails to keep what the server
    answered (the disk full at commit), a try with the same code, key pair and secret gets the
    same device back with a new token, where a fresh key pair got "code used already" and left
    the server a device no laptop holds. Another server or code gets a new key pair and secret:
    two devices never share a fingerprint. Never stored: gone with the window or the process."""

    def __init__(self) -> None:
        self._renew()
        self._for: tuple[str, str] | None = None

    def _renew(self) -> None:
        self.keys = crypto.DeviceKeys.generate()
        self.secret = secrets.token_bytes(wire.REGISTRATION_SECRET_BYTES)
        # The server registered these keys (their code is spent for any other laptop).
        self.registered = False

    def keys_for(self, url: str, code: str) -> tuple[crypto.DeviceKeys, bytes]:
        """The key pair and secret to register at ``url`` with ``code``."""
        if self._for not in (None, (url, code)):
            self._renew()
        self._for = (url, code)
        return self.keys, self.secret

    def __repr__(self) -> str:
        return f"JoinAttempt(fingerprint={self.keys.fingerprint!r})"  # no secret in a log


# ``storage.db.only_one``: one join at a time on a laptop (its window, its command line).
_JOINING = "joining"


def join_running(data_dir: Path) -> bool:
    """Whether a join runs on the laptop whose store is in ``data_dir`` (``join``): asked
    before opening the store, which that join may keep busy for as long as the server takes."""
    return running(data_dir, _JOINING)


def join(
    store: Store,
    server_url: str,
    code: str,
    device_name: str,
    *,
    again: bool = False,
    even_if_known: bool = False,
    attempt: JoinAttempt | None = None,
    **client_options: object,
) -> wire.RegisterResponse:
    """Register this laptop with a one-time code; the first laptop creates the team key.

    ``attempt``: what the join's earlier tries registered (``JoinAttempt``); without it, a
    try of its own. While another join runs on this laptop (the window's, a terminal's),
    ``SyncSetupError`` "join_running", and no code is used.

    ``again``: a laptop that has joined registers anew, e.g. after the server was restored
    from a backup older than its enrollment (its syncs are refused as unauthorized). It gets
    a new key pair and device, approved by a coordinator comparing the fingerprint like a
    first join; it keeps what it holds, the team keys too, and its next sync pulls the whole
    log and sends the server every record it lacks (``engine.pull_everything_again``).
    Refused while the server it syncs with still knows this laptop and lets it sync
    (approved or waiting for approval): that would make a second device of one laptop,
    unless ``even_if_known``.

    ``client_options``: for the registration's ``SyncServerClient`` (``welcome-desk join``
    retries a server it cannot reach itself, between tries of this, without the store held)."""
    url = check_server_url(server_url)
    try:
        with only_one(store.paths.data_dir, _JOINING):
            return _join(
                store, url, code, device_name, again, even_if_known, attempt, client_options
            )
    except AlreadyRunning as exc:
        raise SyncSetupError("join_running", "another join runs on this laptop") from exc


def _join(
    store: Store,
    url: str,
    code: str,
    device_name: str,
    again: bool,
    even_if_known: bool,
    attempt: JoinAttempt | None,
    client_options: dict[str, object],
) -> wire.RegisterResponse:
    with store.reading() as session:
        was = get_meta(session, DEVICE_ID)
    joined = bool(was)
    if joined and not again:
        raise SyncSetupError("already_joined")
    if again and not joined:
        raise SyncSetupError("not_joined")
    if joined and not even_if_known:
        _refuse_if_still_known(store)
    code = normalise_enrollment_code(code)  # as typed: lower case, without dashes or with "–"
    attempt = attempt or JoinAttempt()
    keys, secret = attempt.keys_for(url, code)
    _check_join_request(code, device_name, keys.public_key)
    # The store's write lock first, then the server: registering spends the one-time code, so
    # a store that cannot be written now (another connection writing: it waits its busy
    # timeout, then gives up) fails before the code is used, and a retry with it joins.
    # Registering afterwards left the server a device no laptop holds (on an organisation's
    # first laptop the approved coordinator) and the retry "code used already". Held for the
    # registration (``SyncServerClient``'s timeouts; resent after a dropped connection, which
    # the secret allows): this process's other writers wait for it, those of other processes
    # their busy timeout (and are told the records are busy). A failure after the server
    # answered (the disk full at commit) is mended by the next try with the same ``attempt``.
    with store.transaction() as session:
        if get_meta(session, DEVICE_ID) != was:
            # Another join got here first (``only_one`` keeps joins apart; this decides, also
            # where it took over a marker it found left over just as its owner finished).
            raise SyncSetupError("join_running", "this laptop joined meanwhile")
        with SyncServerClient(url, **client_options) as client:  # type: ignore[arg-type]
            result = client.register(code, device_name, keys.public_key, secret)
        attempt.registered = True
        hlc = str(store.clock.now())
        set_meta(session, SERVER_URL, url)
        set_meta(session, DEVICE_ID, result.device_id)
        set_meta(session, TOKEN, result.token)
        set_meta(session, PRIVATE_KEY, keys.private_key.hex())
        set_meta(session, STATUS, result.status)
        set_meta(session, COORDINATOR, "1" if result.is_coordinator else "0")
        set_meta(session, CURSOR, "0")
        set_meta(session, REFUSED, "")  # a new device: no refusal of the old one applies
        if joined:
            pull_everything_again(session)
            # The new approval's role replaces the ceiling (``fetch_keys``); until it comes,
            # the old one holds.
            set_meta(session, LAPTOP_ROLE_AGAIN, "1")
        # Only this laptop can wrap a key with its own private key: keys from itself (after a
        # rotation it made) are safe to take. Every other sender is confirmed by a person.
        key_senders.trust(session, keys.public_key, result.device_id, device_name, "self", hlc)
        if result.is_coordinator and result.status == "approved" and active_key(session) is None:
            team = new_team_key()
            add_team_key(session, team.key_id, team.key, hlc, active=True)
            # The organisation's first laptop: nobody approves it for a role.
            set_meta(session, LAPTOP_ROLE, Role.COORDINATOR.value)
            _vouch_for_self(session, store)
    if joined:
        log.warning("joined again as a new device: the next sync pulls and sends everything")
    return result


def _refuse_if_still_known(store: Store) -> None:
    """Joining again only if the server this laptop syncs with no longer knows it (restored
    from an older backup) or revoked it; a revoked laptop still needs a new code and a
    coordinator's approval, as any new one."""
    try:
        with client_for(store) as client:
            client.status()
    except (Unauthorized, Revoked):
        return
    raise SyncSetupError("still_known")


def _check_join_request(code: str, device_name: str, public_key: bytes) -> None:
    """The server's own rules for a code and a laptop name, checked here: a mistyped code
    is said as such, not met with a validation error of the wire model."""
    from pydantic import ValidationError

    if any(ch in ENROLLMENT_LOOKALIKES for ch in code):
        # Sent, it was refused as a code the server never issued, and nobody learnt that an
        # O, 0, I or 1 read off the sheet is what was wrong.
        raise SyncSetupError("code_lookalike", "a character no enrollment code has")
    try:
        wire.RegisterRequest(
            code=code, device_name=device_name, public_key=wire.b64encode(public_key)
        )
    except ValidationError as exc:
        fields = {str(error["loc"][0]) for error in exc.errors() if error["loc"]}
        raise SyncSetupError(
            "bad_device_name" if "device_name" in fields else "bad_code", "invalid join request"
        ) from exc


def fingerprint(store: Store) -> str:
    return device_keys(store).fingerprint


def fetch_keys(store: Store, client: SyncServerClient) -> int:
    """Take the team keys wrapped for this laptop by a trusted sender; returns how many were new.

    A key from any other sender is kept wrapped, waiting until a person here confirms that
    sender's fingerprint (``confirm_coordinator``); until then nothing is sent under it."""
    keys = device_keys(store)
    listing = client.fetch_wrapped_keys()
    hlc = str(store.clock.now())
    with store.transaction() as session:
        if keys.public_key not in key_senders.trusted_keys(session):
            _trust_sender_of_key_in_use(session, keys, listing, hlc)
        trusted = key_senders.trusted_keys(session)
        held = keyring(session)
        again = get_meta(session, LAPTOP_ROLE_AGAIN) == "1"
        fresh: dict[str, tuple[bytes, str | None]] = {}
        approved_anew: list[str | None] = []
        lowered: list[str | None] = []
        ceiling = _ceiling(session)
        unchosen = _role_unchosen(ceiling, held, again, listing)
        for item in listing.keys:
            # A renewal's key for a laptop approved before roles is wrapped for a
            # coordinator's (it had every right): it sets no role that nobody chose.
            unset_by = unchosen and item.laptop_role == Role.COORDINATOR.value
            if item.key_id in held and not again:
                if unset_by:
                    continue
                role, waiting = _lowered_by(item, held[item.key_id], keys, ceiling, trusted)
                lowered.append(role)
                if waiting is not None:
                    key_senders.hold_lowering(session, waiting, hlc)
                continue
            if item.key_id in fresh:
                continue
            offered = key_senders.WaitingKey(
                item.key_id,
                wire.b64decode(item.wrapped_key),
                wire.b64decode(item.sender_public_key),
                item.sender_device,
                item.sender_device_name,
                item.laptop_role,
            )
            # Opened either way, so that a damaged key fails now rather than after a person
            # confirmed its sender; an untrusted sender's key is not kept opened. The role
            # the server hands over opens it only if the key was wrapped for that role.
            key = crypto.unwrap_team_key(
                offered.wrapped_key,
                item.key_id,
                keys,
                offered.sender_public_key,
                laptop_role=item.laptop_role,
            )
            if offered.sender_public_key in trusted:
                approved_anew.append(item.laptop_role)
                if item.key_id not in held:
                    fresh[item.key_id] = (key, None if unset_by else item.laptop_role)
            elif item.key_id not in held:
                key_senders.hold(session, offered, hlc)
        if again:
            _set_ceiling_anew(session, approved_anew)
        lower_ceiling(session, lowered)
        _install_keys(session, store, fresh, hlc)
        key_senders.forget_lowerings_not_listed(
            session, {(k.key_id, _sender_of(k)) for k in listing.keys}
        )
        key_senders.forget_settled(session, _ceiling(session))
    return len(fresh)


def _role_unchosen(
    ceiling: Role | None, held: Mapping[str, bytes], again: bool, listing: wire.WrappedKeyList
) -> bool:
    """Whether this laptop was approved before laptops had roles and no coordinator chose one
    for it yet: it holds team keys, has no ceiling, and the server still keeps a key of it
    wrapped without a role. A renewal wraps its new key for a coordinator's (``_listed_role``:
    it had every right) and the server goes on listing it without a role; taken as its
    ceiling, the laptop stopped saying it has none while the coordinators' list still did. A
    coordinator's choice wraps every key anew (``change_laptop_role``), none is left without."""
    return (
        ceiling is None
        and bool(held)
        and not again
        and any(item.laptop_role is None for item in listing.keys)
    )


def _sender_of(item: wire.WrappedKeyOut) -> bytes:
    try:
        return wire.b64decode(item.sender_public_key)
    except ValueError:
        return b""


def _lowered_by(
    item: wire.WrappedKeyOut,
    held: bytes,
    keys: crypto.DeviceKeys,
    ceiling: Role | None,
    trusted: set[bytes],
) -> tuple[str | None, key_senders.WaitingKey | None]:
    """The role a team key this laptop holds was wrapped for anew, if lower than its ceiling: a
    coordinator lowered this laptop's role (``change_laptop_role``). None otherwise, and for a
    wrapping that does not open to the very key held (then not even a sign of anything).

    Taken only from a sender this laptop takes team keys from (``key_senders.trusted_keys``:
    itself, or a coordinator's laptop whose fingerprint a person here confirmed). Any holder of
    the key can wrap it for this laptop's public key, a member's laptop or a revoked one too,
    and a malicious server (or one restored from an old backup) can hand such a wrapping over
    in place of the coordinator's: taken from anyone, it lowered this laptop's role for good
    (a role is never raised again but by joining anew). A lowering from another sender that
    opens to the key held is returned second, to wait for a person here to confirm its sender
    (``confirm_coordinator``): the window and ``welcome-desk sync`` say so, where it was
    ignored without a word. Opened only when its role is lower, so an ordinary sync opens
    none."""
    role = item.laptop_role
    if not key_senders.lowers(role, ceiling) or role is None:
        return None, None  # not lower than the ceiling: nothing to change
    sender = _sender_of(item)
    try:
        key = crypto.unwrap_team_key(
            wire.b64decode(item.wrapped_key), item.key_id, keys, sender, laptop_role=role
        )
    except (crypto.KeyUnwrapError, ValueError):
        log.warning("team key %s wrapped anew does not open: ignored", item.key_id)
        return None, None
    if not hmac.compare_digest(key, held):
        return None, None
    if sender in trusted:
        return role, None
    # Ids only, as everywhere in the log. Taken once a person here confirms the sender (the
    # server keeps the wrapping, and so does this laptop meanwhile).
    log.warning(
        "team key %s wrapped anew for a lower role by laptop %s, not confirmed here: waits",
        item.key_id,
        item.sender_device,
    )
    waiting = key_senders.WaitingKey(
        item.key_id,
        wire.b64decode(item.wrapped_key),
        sender,
        item.sender_device,
        item.sender_device_name,
        role,
    )
    return None, waiting


def _ceiling(session: DbSession) -> Role | None:
    """This laptop's role ceiling as its store keeps it (None: none)."""
    value = get_meta(session, LAPTOP_ROLE)
    try:
        return Role(value) if value else None
    except ValueError:
        return Role.HELPER


def _install_keys(
    session: DbSession, store: Store, fresh: dict[str, tuple[bytes, str | None]], hlc: str
) -> None:
    """Add opened team keys (each with the role it was wrapped for); the newest of all (ids
    sort by creation) encrypts from now on, and this laptop vouches for itself under it. The
    keys' roles can only lower this laptop's role ceiling (``lower_ceiling``)."""
    if not fresh:
        return
    lower_ceiling(session, [role for _key, role in fresh.values()])
    # Against the key in use, not every key held: a coordinator keeps the key of a renewal that
    # failed half-way unused (``rotate_team_key``).
    in_use = active_key(session)
    newest = max([*([in_use.key_id] if in_use else []), *fresh])
    for key_id, (key, _role) in sorted(fresh.items()):
        add_team_key(session, key_id, key, hlc, active=key_id == newest)
    set_meta(session, STATUS, "approved")
    _vouch_for_self(session, store)


def _lowest(roles: Sequence[str | None]) -> Role | None:
    """The lowest of the roles keys were wrapped for (None: none bound a role)."""
    lowest: Role | None = None
    for role in roles:
        if role is not None:  # opened with it: one of ``crypto.LAPTOP_ROLES``
            lowest = Role(role) if lowest is None else lower_role(lowest, Role(role))
    return lowest


def lower_ceiling(session: DbSession, roles: Sequence[str | None]) -> None:
    """The first key with a role sets this laptop's role ceiling; later keys can only lower it,
    never raise it: a server that lists a laptop with a higher role at a renewal gets it a key
    wrapped for that role, and no more rights. Keys wrapped before roles change nothing."""
    lowest = _lowest(roles)
    if lowest is None:
        return
    now = get_meta(session, LAPTOP_ROLE)
    if now:
        try:
            lowest = lower_role(Role(now), lowest)
        except ValueError:  # not a role: the lowest of all holds
            lowest = Role.HELPER
    if lowest.value != now:
        set_meta(session, LAPTOP_ROLE, lowest.value)


def _set_ceiling_anew(session: DbSession, roles: Sequence[str | None]) -> None:
    """After joining again: the role the coordinator approved the new device for replaces the
    ceiling, once keys wrapped for it arrived (from a trusted sender, for this device's new key
    pair: nobody else can make them)."""
    lowest = _lowest(roles)
    if lowest is not None:
        set_meta(session, LAPTOP_ROLE, lowest.value)
        set_meta(session, LAPTOP_ROLE_AGAIN, "0")


def laptop_role(store: Store) -> Role | None:
    """The role this laptop was approved for (None: no ceiling)."""
    value = store.meta(LAPTOP_ROLE)
    try:
        return Role(value) if value else None
    except ValueError:
        return Role.HELPER


def _own_laptop(session: DbSession) -> tuple[str, bytes, crypto.TeamKey] | None:
    """This laptop's device id, its public key and the team key in use (None until it has all)."""
    team = active_key(session)
    device, private = get_meta(session, DEVICE_ID), get_meta(session, PRIVATE_KEY)
    if team is None or not device or not private:
        return None
    public = crypto.DeviceKeys.from_private_bytes(bytes.fromhex(private)).public_key
    return device, public, crypto.TeamKey(team.key_id, team.key)


def _vouch_for_self(session: DbSession, store: Store) -> None:
    """This laptop's own record, vouched for under the team key in use: only a holder of that
    key can write it, so it shows the team let this laptop in."""
    own = _own_laptop(session)
    if own is not None:
        device, public, team = own
        name = key_senders.trusted_name(session, public)
        laptops.vouch(session, store, "", device, public, name, team)
        laptops.claim_store(session, store, device, public)


def _ensure_own_record(store: Store) -> None:
    """Laptops that joined before the team kept records of its laptops write theirs at their
    next sync; a laptop also renews its own when a newer key came by another way, and names
    its store in it (laptops that joined before records named it)."""
    with store.reading() as session:
        own = _own_laptop(session)
        done = own is None or (
            laptops.standing(session, *own) == laptops.VOUCHED
            and laptops.names_store(session, store, own[0], own[1])
        )
    if not done:
        with store.transaction() as session:
            _vouch_for_self(session, store)


def _trust_sender_of_key_in_use(
    session: DbSession, keys: crypto.DeviceKeys, listing: wire.WrappedKeyList, hlc: str
) -> None:
    """A store that joined before senders were confirmed: trust the laptop that wrapped the
    key this laptop already encrypts with, if that wrapping opens to exactly this key. Such a
    sender can read everything this laptop sends anyway. Trusting itself marks the store done."""
    in_use = active_key(session)
    item = next((k for k in listing.keys if in_use and k.key_id == in_use.key_id), None)
    if in_use is not None and item is not None:
        sender = wire.b64decode(item.sender_public_key)
        try:
            key = crypto.unwrap_team_key(
                wire.b64decode(item.wrapped_key),
                item.key_id,
                keys,
                sender,
                laptop_role=item.laptop_role,
            )
        except crypto.KeyUnwrapError:
            key = b""
        if hmac.compare_digest(key, in_use.key):
            key_senders.trust(
                session, sender, item.sender_device, item.sender_device_name, "held_key", hlc
            )
    device = get_meta(session, DEVICE_ID) or ""
    key_senders.trust(session, keys.public_key, device, "", "self", hlc)


def waiting_senders(store: Store) -> list[key_senders.WaitingSender]:
    """Laptops that sent this one a team key it does not use until their fingerprint is
    confirmed here (name as the server gives it, fingerprint computed here)."""
    with store.reading() as session:
        return key_senders.waiting_senders(session)


def confirm_coordinator(
    store: Store, user: User, typed_fingerprint: str
) -> key_senders.WaitingSender:
    """After comparing fingerprints: trust the laptop whose fingerprint was typed and take the
    team keys it sent. Unless the typed fingerprint is a waiting sender's, nothing changes.

    A coordinator, or the account that keeps this laptop's accounts where the laptop was
    approved for a lower role: its keys come from coordinators' laptops it confirms, and a
    key's role never raises this laptop's (``lower_ceiling``)."""
    if not user.keeps_accounts:
        require(user, Action.MANAGE_LAPTOPS)
    keys = device_keys(store)
    typed = _normal(typed_fingerprint)
    hlc = str(store.clock.now())
    with store.transaction() as session:
        waiting = key_senders.waiting_senders(session)
        if not waiting:
            raise SyncSetupError("nothing_to_confirm")
        sender = next((w for w in waiting if typed and _normal(w.fingerprint) == typed), None)
        if sender is None:
            raise SyncSetupError("fingerprint_mismatch")
        held = keyring(session)
        again = get_meta(session, LAPTOP_ROLE_AGAIN) == "1"
        # Approved before laptops had roles, and none chosen: a renewal's key from this sender,
        # wrapped for a coordinator's (it had every right), sets no role, as in ``fetch_keys``
        # (``_role_unchosen``). A coordinator's choice wraps the keys held here anew: those
        # set it (``lowered`` below).
        unchosen = _ceiling(session) is None and bool(held) and not again
        fresh = {
            k.key_id: (
                crypto.unwrap_team_key(
                    k.wrapped_key, k.key_id, keys, k.sender_public_key, laptop_role=k.laptop_role
                ),
                None if unchosen and k.laptop_role == Role.COORDINATOR.value else k.laptop_role,
            )
            for k in key_senders.waiting_keys(session, sender.public_key)
            if k.key_id not in held
        }
        # Keys held here that it wrapped anew for a lower role: it lowered this laptop's role
        # (``_lowered_by``), taken now as a sync takes a confirmed sender's lowering.
        lowered = [
            k.laptop_role
            for k in key_senders.waiting_keys(session, sender.public_key)
            if k.key_id in held
            and hmac.compare_digest(
                crypto.unwrap_team_key(
                    k.wrapped_key, k.key_id, keys, k.sender_public_key, laptop_role=k.laptop_role
                ),
                held[k.key_id],
            )
        ]
        if again:
            _set_ceiling_anew(session, [role for _key, role in fresh.values()])
        key_senders.trust(
            session, sender.public_key, sender.device_id, sender.device_name, "confirmed", hlc
        )
        lower_ceiling(session, lowered)
        _install_keys(session, store, fresh, hlc)
        key_senders.forget_settled(session, _ceiling(session))
        role = _lowest(lowered)
        audit.record_in(
            session,
            store,
            user.id,
            audit.AuditAction.CONFIRM_COORDINATOR,
            "device",
            sender.device_id,
            {"fingerprint": sender.fingerprint} | ({"role": role.value} if role else {}),
        )
    return sender


def list_devices(store: Store, user: User) -> list[wire.DeviceInfo]:
    """Coordinator: the organisation's laptops with their status and fingerprints."""
    require(user, Action.MANAGE_LAPTOPS)
    with client_for(store) as client:
        # Each fingerprint as computed here from the public key the server lists (the one a
        # team key would be wrapped for), not as the server states it.
        devices = [
            d.model_copy(update={"fingerprint": crypto.fingerprint(wire.b64decode(d.public_key))})
            for d in client.devices().devices
        ]
    _keep_revocations(store, user, devices)
    _remember_older_laptops(store, devices)
    _remember_laptops_without_role(store, devices)
    return devices


# The names of the approved laptops without a role (``has_no_role``), as the last list of
# laptops fetched here said (a JSON list): a coordinator's window says how many there are.
LAPTOPS_WITHOUT_ROLE = "sync.laptops_without_role"


def by_coordinator_code(device: wire.DeviceInfo) -> bool:
    """Whether a listed laptop is a coordinator's for good: enrolled with a coordinator's code
    (or the organisation's first). The server keeps its coordinator role whatever role is
    chosen for it ("role_not_coordinator"). Not one approved for coordinators by a
    coordinator's laptop (``wire.DeviceInfo.coordinator_approved_by``): lowering its role makes
    it a coordinator's no longer."""
    return device.is_coordinator and not device.coordinator_approved_by


def has_no_role(device: wire.DeviceInfo) -> bool:
    """Whether a listed laptop was approved before laptops had roles and no coordinator chose
    one for it since: the server keeps none for it (migration 0008 left NULL), and the laptop
    none either, so nothing limits what its accounts may do. Not a laptop enrolled with a
    coordinator's code: the server lets it manage laptops, it is a coordinator's."""
    return device.status == "approved" and not device.laptop_role and not device.is_coordinator


def _remember_laptops_without_role(store: Store, devices: Sequence[wire.DeviceInfo]) -> None:
    names = sorted(d.name for d in devices if has_no_role(d))
    with store.transaction() as session:
        if _names_kept(get_meta(session, LAPTOPS_WITHOUT_ROLE)) != names:
            set_meta(session, LAPTOPS_WITHOUT_ROLE, json.dumps(names, ensure_ascii=False))


def _names_kept(stored: str | None) -> list[str]:
    """A JSON list of names kept in the store's meta values; empty when unreadable."""
    try:
        names = json.loads(stored) if stored else []
    except ValueError:
        return []
    return [str(n) for n in names] if isinstance(names, list) else []


def laptops_without_role(store: Store) -> list[str]:
    """The approved laptops without a role (``has_no_role``) when the list of laptops was last
    fetched here (the Laptops dialog, or a coordinator's window after a sync). No network."""
    with store.reading() as session:
        return _names_kept(get_meta(session, LAPTOPS_WITHOUT_ROLE))


def _own_role_unset(session: DbSession) -> bool:
    """This laptop holds the team key, is not a coordinator's (enrolled with a coordinator's
    code) and has no role ceiling: approved before laptops had roles, by keys wrapped without
    one. It keeps every right it had (a team updating is not locked out on the day), until a
    coordinator chooses its role: the keys wrapped anew then set its ceiling (``fetch_keys``)."""
    return (
        active_key(session) is not None
        and get_meta(session, COORDINATOR) != "1"
        and not get_meta(session, LAPTOP_ROLE)
    )


# The names of the approved laptops an older Welcome Desk than this laptop's, as the last list
# of laptops fetched here said (a JSON list): publishing names them without asking the server.
OLDER_LAPTOPS = "sync.older_laptops"


def _remember_older_laptops(store: Store, devices: Sequence[wire.DeviceInfo]) -> None:
    from desktop_app import __version__
    from desktop_app.domain.versions import is_older

    older = sorted(
        d.name
        for d in devices
        if d.status == "approved" and d.app_version and is_older(d.app_version, __version__)
    )
    with store.transaction() as session:
        set_meta(session, OLDER_LAPTOPS, json.dumps(older, ensure_ascii=False))


def laptops_on_older_versions(store: Store) -> list[str]:
    """The approved laptops that ran an older Welcome Desk than this one when the list of
    laptops was last fetched here (the Laptops dialog); empty when none did, or nothing is
    known. Read from the store: no network."""
    with store.reading() as session:
        stored = get_meta(session, OLDER_LAPTOPS)
    try:
        names = json.loads(stored) if stored else []
    except ValueError:
        return []
    return [str(n) for n in names] if isinstance(names, list) else []


# The server's mark of its revocations (``wire.PullResponse.revocations``) when this laptop
# last took the list of laptops for them: asked again only once it has changed.
REVOCATIONS_SEEN = "sync.revocations_seen"


def learn_revocations(
    store: Store, user: User, mark: str | None = None, *, every: bool = False
) -> bool:
    """Coordinator, on a coordinator's laptop, after a sync: the laptops the server lists as
    revoked are kept so in the team's records, as listing them does. Revoked by the server's
    operator (``welcome-desk-server revoke``), which renews no team key, a laptop was known
    here only once someone opened the Laptops dialog, and the key it holds stayed in use.

    ``mark``: what the sync's pull said of the server's revocations. The list is asked for
    only when it differs from the one seen when the list was last taken; it was asked for
    after every sync, a request a minute. None (a server before the mark): asked every time,
    and the caller asks seldom. ``every``: asked whatever the mark (a window's first sync: the
    list also says which laptops have no role, ``laptops_without_role``). True when the list
    was asked for."""
    require(user, Action.MANAGE_LAPTOPS)
    if is_coordinator_laptop(store) is not True:
        return False
    if not every and mark is not None and store.meta(REVOCATIONS_SEEN) == mark:
        return False
    with client_for(store) as client:
        devices = client.devices().devices
    _keep_revocations(store, user, devices)
    _remember_laptops_without_role(store, devices)
    if mark is not None:
        # A revocation between the pull and the list changes the mark again: asked once more.
        with store.transaction() as session:
            set_meta(session, REVOCATIONS_SEEN, mark)
    return True


def _keep_revocations(store: Store, user: User, devices: Sequence[wire.DeviceInfo]) -> None:
    """A revocation the server reports (``welcome-desk-server revoke``) is believed and kept in
    the team's records: it only ever takes trust away, and so a server that lists the laptop as
    approved again later gets it no new team key."""
    with store.reading() as session:
        me = get_meta(session, DEVICE_ID)
        fresh = [
            d
            for d in devices
            if d.status == "revoked"
            and d.device_id != me
            and not laptops.is_revoked(session, d.device_id)
        ]
    if fresh:
        with store.transaction() as session:
            for device in fresh:
                laptops.revoke(
                    session, store, user.id, device.device_id, _listed_key(device), device.name
                )
    _forget_role_changes_settled(store, devices)


def approve_device(
    store: Store, user: User, device_id: str, expected_fingerprint: str, *, role: Role
) -> wire.DeviceInfo:
    """Coordinator: after comparing fingerprints, hand the team keys to a new laptop and vouch
    for it in the team's records. A laptop approved before (one a rotation left out) gets the
    keys it lacks.

    ``role``: who uses the new laptop. Every key up to the one in use is wrapped for it
    (``crypto.wrap_team_key``), and no account works on that laptop above it. A laptop enrolled
    with a coordinator's code is a coordinator's ("role_not_coordinator" otherwise). Approved
    for coordinators, the server makes the laptop a coordinator's as this one is (it lists,
    approves and revokes laptops, gives codes, publishes); the laptop learns it at its next
    sync (``_sync_now``). An approved laptop approved again (one a renewal left out) is not
    approved for a higher role than the one chosen for it ("role_not_lower": it would take
    it at its own role, and the server lists that); one approved before laptops had roles
    is, for any role, as a role chosen (``change_laptop_role``). Approved again at the role it
    has, with every key held and vouched for: "same_role", nothing sent, no audit entry (it
    said the laptop was approved where nothing changed). The audit entry says whether the
    server counts the laptop as a coordinator's afterwards (``SERVER_COORDINATOR``)."""
    require(user, Action.MANAGE_LAPTOPS)
    with _own_key_refusal_kept(store), _roles_kept():
        return _approve_device(store, user, device_id, expected_fingerprint, _wire_role(role))


def _approve_device(
    store: Store,
    user: User,
    device_id: str,
    expected_fingerprint: str,
    laptop_role: wire.LaptopRole,
) -> wire.DeviceInfo:
    own = device_keys(store)
    with client_for(store) as client:
        device = _listed_device(client.devices().devices, device_id)
        # The fingerprint of the very key the team keys are wrapped for, computed here: the
        # list's own ``fingerprint`` is the server's word, and a server could pair the new
        # laptop's real fingerprint with a public key of its own.
        public = wire.b64decode(device.public_key)
        if _normal(crypto.fingerprint(public)) != _normal(expected_fingerprint):
            raise SyncSetupError("fingerprint_mismatch")
        if device.is_coordinator and laptop_role != "coordinator":
            # The server lets it manage laptops and publish: it is a coordinator's laptop.
            raise SyncSetupError("role_not_coordinator")
        if (
            device.status == "approved"
            and not has_no_role(device)
            and lower_role(Role(_listed_role(device)), Role(laptop_role)).value != laptop_role
        ):
            # Approved again (a renewal left it out) for a higher role than the one chosen for
            # it: the laptop keeps its role (a later key never raises it, ``lower_ceiling``),
            # the server its list and its rights; only the audit entry said "coordinators" of
            # an advisors' laptop. A higher role takes joining again, as for a role change.
            raise SyncSetupError("role_not_lower")
        with store.reading() as session:
            held = keyring(session)
            current = active_key(session)
            revoked = laptops.is_revoked(session, device.device_id)
        if not held or current is None:
            raise SyncSetupError("no_team_key")
        if revoked:
            raise SyncSetupError("revoked_laptop")
        # Not the keys of a renewal begun here and broken off (newer than the key in use): the
        # new laptop would write under the newest key it holds, which the others may lack until
        # the renewal is finished (``_unfinished_keys``). Finishing it hands them on to every
        # laptop vouched for under the key in use, this one too.
        wrapped = {
            key_id: crypto.wrap_team_key(key, key_id, own, public, laptop_role=laptop_role)
            for key_id, key in sorted(held.items())
            if key_id <= current.key_id
        }
        if device.status == "approved":
            rest = wrapped
            approved = device
        else:
            # The newest keys with the approval (the server takes a bounded number at once),
            # any older ones one by one after it.
            newest = sorted(wrapped)[-wire.MAX_KEYS_PER_APPROVAL :]
            rest = {key_id: blob for key_id, blob in wrapped.items() if key_id not in newest}
            approved = client.approve(
                device.device_id,
                [
                    wrapped_key(key_id, wrapped[key_id], own.public_key, laptop_role=laptop_role)
                    for key_id in newest
                ],
            )
        uploaded = [
            _upload_unless_held(client, device.device_id, key_id, blob, own.public_key, laptop_role)
            for key_id, blob in sorted(rest.items())
        ]
        in_use = crypto.TeamKey(current.key_id, current.key)
        if device.status == "approved" and not any(uploaded):
            with store.reading() as session:
                vouched = laptops.standing(session, device.device_id, public, in_use)
            if vouched == laptops.VOUCHED:
                # Approved again at the role it has (the Approve button on an approved
                # laptop): the server kept every key as it was, and the team vouched for it
                # already. Nothing changed, so no audit entry says that it was approved.
                raise SyncSetupError("same_role")
        # As the server has it now: for coordinators, a laptop approved before roles is made a
        # coordinator's by its keys replaced (``SyncService._store_key``).
        after = _listed_after(client, device) if device.status == "approved" else approved
    with store.transaction() as session:
        # The key compared by its fingerprint, not whatever the server's answer names.
        laptops.vouch(session, store, user.id, device.device_id, public, device.name, in_use)
        audit.record_in(
            session,
            store,
            user.id,
            audit.AuditAction.APPROVE_LAPTOP,
            "device",
            device.device_id,
            {"role": str(laptop_role), **_server_coordinator(after)},
        )
    return after or approved


# An audit entry's detail of an approval or a role change: whether the server counts the laptop
# as a coordinator's after it (``wire.DeviceInfo.is_coordinator``: it lists, approves and
# revokes laptops, gives codes and publishes). The entry said only the role its keys were
# wrapped for, which the laptop's accounts follow: a laptop approved for coordinators by a
# server before 0010, or whose role was chosen before the server made such a laptop a
# coordinator's, was a coordinator's on the laptop and not on the server.
SERVER_COORDINATOR = "server_coordinator"


def _server_coordinator(device: wire.DeviceInfo | None) -> dict[str, bool]:
    """``SERVER_COORDINATOR`` of an audit entry's details; none where the server's answer after
    the change did not arrive (the change itself was made)."""
    return {} if device is None else {SERVER_COORDINATOR: device.is_coordinator}


def _listed_after(client: SyncServerClient, device: wire.DeviceInfo) -> wire.DeviceInfo | None:
    """``device`` as the server lists it after its keys were uploaded (None: the list did not
    arrive, or no longer names it). Asked once more after keys went to an approved laptop: the
    upload's answer says nothing of the laptop."""
    try:
        listed = client.devices().devices
    except SyncError as exc:
        log.warning("the laptop's state after its keys were uploaded is not known: %s", exc)
        return None
    return next((d for d in listed if d.device_id == device.device_id), None)


# An audit entry's ``previous_role`` for a laptop approved before laptops had roles, that had
# none chosen until the change (``has_no_role``): it had every right, but no role.
NO_ROLE_BEFORE = "none"

# Role changes begun here and broken off (``change_laptop_role``): JSON, by device id, of the
# role chosen, the one the laptop had and its name. Once the first key is replaced the server
# lists the new role, so only this laptop knows a change is not done, and what it had.
ROLE_CHANGES = "sync.role_changes_unfinished"


@dataclass(frozen=True)
class UnfinishedRoleChange:
    """A lowering of a laptop's role begun on this laptop that did not replace every key."""

    device_id: str
    name: str  # as the server listed it (a label)
    role: Role  # the role chosen
    before: Role  # the role it had
    # When it was begun (this laptop's clock) and by whom. "" where a note from before kept
    # neither.
    begun_at: str = field(default="", compare=False)
    user_id: str = field(default="", compare=False)
    # Approved before laptops had roles, with none chosen until this change (``has_no_role``):
    # ``before`` is then a coordinator's, the rights it had, and the audit entry says no role
    # was chosen before (``NO_ROLE_BEFORE``). Once the first key is replaced the server lists
    # the new role, so only the note keeps that.
    unset: bool = field(default=False, compare=False)


def unfinished_role_changes(store: Store) -> list[UnfinishedRoleChange]:
    """Role changes begun here that the server or the network broke off: each is finished by
    changing that laptop's role again (from the Laptops dialog or ``welcome-desk devices
    set-role``)."""
    with store.reading() as session:
        return sorted(_role_changes(session).values(), key=lambda c: (c.name, c.device_id))


def _role_changes(session: DbSession) -> dict[str, UnfinishedRoleChange]:
    try:
        kept = json.loads(get_meta(session, ROLE_CHANGES) or "{}")
        return {
            device_id: UnfinishedRoleChange(
                device_id,
                str(c["name"]),
                Role(c["role"]),
                Role(c["before"]),
                str(c.get("at", "")),
                str(c.get("user", "")),
                c.get("unset") is True,
            )
            for device_id, c in kept.items()
        }
    except (ValueError, TypeError, KeyError, AttributeError):
        log.warning("the role changes broken off here are unreadable: forgotten")
        return {}


def _keep_role_change(
    session: DbSession, device_id: str, change: UnfinishedRoleChange | None
) -> None:
    """Keep (or with None, forget) the role change of ``device_id`` as not done."""
    changes = _role_changes(session)
    if change is None:
        if device_id not in changes:
            return
        del changes[device_id]
    else:
        changes[device_id] = change
    set_meta(
        session,
        ROLE_CHANGES,
        json.dumps(
            {
                c.device_id: {
                    "name": c.name,
                    "role": c.role.value,
                    "before": c.before.value,
                    "at": c.begun_at,
                    "user": c.user_id,
                }
                | ({"unset": True} if c.unset else {})
                for c in changes.values()
            },
            sort_keys=True,
        ),
    )


def change_laptop_role(
    store: Store, user: User, device: str, role: Role
) -> tuple[wire.DeviceInfo, Role | None]:
    """Coordinator, on a coordinator's laptop: the approved laptop ``device`` (id or a unique
    prefix) works with a lower ``role`` from its next sync on, without joining again (an
    advisor's laptop handed to student helpers, a role approved by mistake). Returns the laptop
    as listed before, and the role it had (for a change begun on another laptop and finished
    here, the highest role the server still kept a key of it at, ``_role_before_listed``;
    None: not known).

    Every team key this laptop holds is wrapped anew for that laptop's public key with the
    lower role bound in (``crypto.wrap_team_key``), the key in use first, and replaces the one
    the server keeps (``SyncService._store_key``). The laptop takes a key it holds already,
    wrapped for a lower role by a coordinator's laptop it confirmed, as lowering its ceiling
    (``fetch_keys``). A laptop approved before laptops had roles (``has_no_role``: every
    right, and no role) is given any role chosen, a coordinator's too: its keys wrapped anew
    set its ceiling, and the list of laptops no longer says it has none; given a
    coordinator's, the server makes it a coordinator's laptop, as one approved for coordinators
    (``SyncService._store_key``), and a lowering later ends that.

    A change the server or the network broke off after some keys (the server lists the new
    role from the first) is finished by asking for it again: for the role the server lists,
    the keys are wrapped and sent again, and the server replaces those it still keeps for a
    higher role (``unfinished_role_changes``: those begun here).

    Refused (``SyncSetupError``): a higher role ("role_not_lower": a laptop never lets a later
    key raise its role, so that takes joining again with a new code), the same role with
    every key at it already ("same_role": nothing to do), a laptop that is not approved
    ("not_approved_laptop"), this laptop itself ("own_laptop_role"), a laptop enrolled with a
    coordinator's code ("coordinator_code_role"), one revoked in the team's records
    ("revoked_laptop"), and one the team does not vouch for under the key in use
    ("not_vouched": a renewal left it out, so it is given no key here), from a member's laptop
    ("not_coordinator_laptop"); a server that does not replace keys: "server_too_old_role"."""
    require(user, Action.MANAGE_LAPTOPS)
    if is_coordinator_laptop(store) is False:
        # The server lets only a coordinator's laptop list laptops and upload keys.
        raise SyncSetupError("not_coordinator_laptop")
    with _own_key_refusal_kept(store), _roles_kept():
        return _change_laptop_role(store, user, device, _wire_role(role))


def _change_laptop_role(
    store: Store, user: User, device_ref: str, new: wire.LaptopRole
) -> tuple[wire.DeviceInfo, Role | None]:
    own = device_keys(store)
    with client_for(store) as client:
        device = _listed_device(client.devices().devices, device_ref)
        with store.reading() as session:
            me = get_meta(session, DEVICE_ID)
            held = keyring(session)
            current = active_key(session)
            public = _listed_key(device)
            revoked = laptops.is_revoked(session, device.device_id)
            standing = (
                laptops.standing(
                    session,
                    device.device_id,
                    public,
                    crypto.TeamKey(current.key_id, current.key),
                )
                if public is not None and current is not None
                else laptops.OTHER_KEY
            )
            begun = _role_changes(session).get(device.device_id)
        if device.device_id == me:
            raise SyncSetupError("own_laptop_role")
        if revoked or device.status == "revoked":
            raise SyncSetupError("revoked_laptop")
        if device.status != "approved":
            raise SyncSetupError("not_approved_laptop")
        if current is None:
            raise SyncSetupError("no_team_key")
        listed = Role(_listed_role(device))
        # Approved before laptops had roles (``has_no_role``): it has every right, and any
        # role may be chosen for it, a coordinator's too (its keys are then wrapped for one,
        # which gives it no right it lacks, and its list says so).
        unset = has_no_role(device)
        # The same role: a change broken off after the first key (the server lists the new
        # role from then on) is finished; nothing is ever lowered to a coordinator's but a
        # laptop without a role, begun here.
        again = listed.value == new and not unset
        by_code = by_coordinator_code(device)
        if again and (by_code or (new == Role.COORDINATOR.value and begun is None)):
            raise SyncSetupError("same_role")
        if not again and not unset and lower_role(listed, Role(new)) is listed:
            raise SyncSetupError("role_not_lower")
        if by_code:
            raise SyncSetupError("coordinator_code_role")
        if standing != laptops.VOUCHED or public is None:
            # The server's list alone gives no laptop a key (``rotate_team_key``).
            raise SyncSetupError("same_role" if again and begun is None else "not_vouched")
        before: Role | None = (
            begun.before
            if begun is not None
            else _role_before_listed(device, Role(new))
            if again
            else listed
        )
        if before is not None:
            # Kept until every key is replaced: the server lists the new role from the first.
            change = UnfinishedRoleChange(
                device.device_id,
                device.name,
                Role(new),
                before,
                begun.begun_at if begun else str(store.clock.now()),
                begun.user_id if begun else user.id,
                begun.unset if begun else unset,
            )
            with store.transaction() as session:
                _keep_role_change(session, device.device_id, change)
        # The key in use first: once it is replaced, the laptop's next sync lowers its role,
        # should the others fail on the way. Not the keys of a renewal broken off half-way
        # (newer than the key in use): a laptop uses the newest key it holds, and laptops
        # that lack such a key could not read what it writes (``_unfinished_keys``).
        order = [current.key_id, *sorted(k for k in held if k < current.key_id)]
        replaced = 0
        for number, key_id in enumerate(order):
            blob = crypto.wrap_team_key(held[key_id], key_id, own, public, laptop_role=new)
            try:
                client.upload_wrapped_key(
                    device.device_id, key_id, blob, own.public_key, laptop_role=new
                )
            except RequestRefused as exc:
                if not isinstance(exc, BadRequest) or exc.code != "conflict":
                    if not replaced and begun is None:
                        # Refused, so nothing was stored (the server refuses this laptop's
                        # key, ``SENDER_NOT_UPLOADER``, or the request): nothing to finish.
                        # The note said "broken off: change its role again", refused again.
                        with store.transaction() as session:
                            _keep_role_change(session, device.device_id, None)
                    raise
                if number == 0 and not again and not unset:
                    # A server from before roles were changed keeps the first key it was given:
                    # nothing changed, nothing to finish.
                    with store.transaction() as session:
                        _keep_role_change(session, device.device_id, None)
                    raise SyncSetupError("server_too_old_role", exc.reason) from exc
                # Kept at this role or a lower one already (a change broken off half-way,
                # done again): the server replaces a key only for a lower role.
                continue
            replaced += 1
        # Whether the server counts it as a coordinator's now (a laptop without a role given a
        # coordinator's is made one, a lowered one no longer is), for the audit entry.
        after = _listed_after(client, device) if replaced else None
    if again and not replaced and begun is None:
        if before is not None:  # the note kept above: nothing was left to finish
            with store.transaction() as session:
                _keep_role_change(session, device.device_id, None)
        raise SyncSetupError("same_role")  # every key at this role already: nothing changed
    if unset and not replaced:
        # Keys wrapped for a coordinator's by a renewal are kept as they are (the same role),
        # but those from before roles are replaced: a server that replaced none keeps keys.
        with store.transaction() as session:
            _keep_role_change(session, device.device_id, None)
        raise SyncSetupError("server_too_old_role", "no key was replaced")
    with store.transaction() as session:
        _keep_role_change(session, device.device_id, None)
        had_none = begun.unset if begun is not None else unset
        previous = NO_ROLE_BEFORE if had_none else before.value if before else None
        details: dict[str, audit.DetailValue] = {
            "role": new,
            **({"previous_role": previous} if previous else {}),
            **_server_coordinator(after),
        }
        audit.record_in(
            session,
            store,
            user.id,
            audit.AuditAction.CHANGE_LAPTOP_ROLE,
            "device",
            device.device_id,
            details,
        )
    return device, before


def _role_before_listed(device: wire.DeviceInfo, new: Role) -> Role | None:
    """The role a laptop had before a change begun on another coordinator's laptop and broken
    off there (the server lists the new role from the first key on): the highest role among
    the keys the server still keeps for it (``wire.DeviceInfo.highest_key_role``), if higher
    than the one chosen. Taken before the keys are replaced, so that the entry of the change
    written here says it as the entries of other changes do. None: every key is at the role
    chosen or lower, or a server from before it said so.

    A key from before roles counts as a coordinator's there: for a laptop approved before
    roles whose first choice was broken off, the entry says Coordinators, the rights it had."""
    highest = device.highest_key_role
    if highest not in crypto.LAPTOP_ROLES or highest is None:
        return None
    had = Role(highest)
    return had if lower_role(had, new) is new and had is not new else None


def _listed_device(listed: Sequence[wire.DeviceInfo], device: str) -> wire.DeviceInfo:
    """The laptop of the server's list that ``device`` names: its id, or a unique prefix of it
    (as ``welcome-desk devices list`` and ``welcome-desk-server revoke`` show and take)."""
    wanted = device.strip().lower()
    matches = [d for d in listed if d.device_id == wanted] or [
        d for d in listed if wanted and d.device_id.startswith(wanted)
    ]
    if len(matches) != 1:
        raise SyncSetupError("unknown_device")
    return matches[0]


@dataclass(frozen=True)
class IssuedEnrollmentCode:
    """A one-time code for a new laptop, as the server issued it: shown once (the server keeps
    only its hash), it joins one laptop until ``expires_at`` (UTC)."""

    code: str
    name: str
    expires_at: dt.datetime


def issue_enrollment_code(store: Store, user: User, name: str) -> IssuedEnrollmentCode:
    """Coordinator: a one-time code from the sync server for a new laptop named ``name`` (never
    a coordinator's code). The new laptop joins with it and waits for approval here, where its
    fingerprint is compared (``approve_device``). The code is not kept on this laptop; an audit
    entry says who asked for it, the name and until when it is valid."""
    from pydantic import ValidationError

    require(user, Action.MANAGE_LAPTOPS)
    name = name.strip()
    try:
        wire.EnrollmentCodeRequest(name=name)
    except ValidationError as exc:
        raise SyncSetupError("bad_new_laptop_name", "invalid laptop name") from exc
    with client_for(store) as client:
        try:
            issued = client.issue_enrollment_code(name)
        except BadRequest as exc:
            if exc.status in (404, 405):  # a server from before the request existed
                raise SyncSetupError("codes_server_too_old", exc.reason) from exc
            raise
    expires = dt.datetime.fromisoformat(issued.expires_at)
    if expires.tzinfo is None:
        expires = expires.replace(tzinfo=dt.UTC)
    expires = expires.astimezone(dt.UTC)
    # Who asked for a code, for which laptop, valid until when: a code in the wrong hands
    # joins a laptop that waits for approval here, and the log says where it came from. Never
    # the code itself (the log syncs to every coordinator's laptop).
    with store.transaction() as session:
        audit.record_in(
            session,
            store,
            user.id,
            audit.AuditAction.ISSUE_ENROLLMENT_CODE,
            "enrollment_code",
            # The laptop that asked, by its id on the server: the server keeps no id of a code
            # for us, but keeps this one as the code's issuer (the operator's list counts the
            # unused codes by it), and the audit window names the laptop by it. A random id
            # said nothing to a reader.
            get_meta(session, DEVICE_ID) or str(uuid.uuid4()),
            {"name": issued.name, "valid_until": expires.isoformat(timespec="seconds")},
        )
    log.info("enrollment code issued for a new laptop (name length %d)", len(name))
    return IssuedEnrollmentCode(issued.code, issued.name, expires)


# Characters of a revocation's note kept in the audit log (``revoke_device``).
REVOKE_NOTE_MAX = 200


def revoke_device(store: Store, user: User, device: str, *, note: str = "") -> wire.DeviceInfo:
    """Coordinator: the laptop (id or a unique prefix) is revoked in the team's records, and
    refused by the server from now on. Rotate the team key afterwards so it cannot read what is
    written later. ``note``: why ("stolen from a car on Monday"), kept in the audit entry
    (one line, at most ``REVOKE_NOTE_MAX`` characters; the entry syncs encrypted)."""
    require(user, Action.MANAGE_LAPTOPS)
    note = " ".join("".join(ch if ch.isprintable() else " " for ch in note).split())
    note = note[:REVOKE_NOTE_MAX]
    with client_for(store) as client:
        target = _listed_device(client.devices().devices, device)
        with store.transaction() as session:
            if target.device_id == get_meta(session, DEVICE_ID):
                raise SyncSetupError("own_laptop")
            # The team's record first: should the server refuse or fail now, the next rotation
            # leaves the laptop out all the same.
            laptops.revoke(
                session, store, user.id, target.device_id, _listed_key(target), target.name
            )
            # Until a later sync has seen the server list it revoked: the request below may
            # fail, and a restore of the server from a backup made before it (before this
            # laptop synced again, so before anything shows the restore) approves it again.
            set_meta(session, REVOKE_AGAIN, "1")
            _keep_role_change(session, target.device_id, None)  # nothing left to finish
            audit.record_in(
                session,
                store,
                user.id,
                audit.AuditAction.REVOKE_LAPTOP,
                "device",
                target.device_id,
                {"note": note} if note else None,
            )
        return client.revoke(target.device_id)


def _upload_unless_held(
    client: SyncServerClient,
    device_id: str,
    key_id: str,
    blob: bytes,
    sender: bytes,
    laptop_role: wire.LaptopRole,
) -> bool:
    """Whether the server stored the key (False: it kept the one it holds, as it was)."""
    try:
        client.upload_wrapped_key(device_id, key_id, blob, sender, laptop_role=laptop_role)
    except BadRequest as exc:  # it holds this key already
        if exc.code != "conflict":
            raise
        return False
    return True


def _listed_key(device: wire.DeviceInfo) -> bytes | None:
    """The public key the server lists for a device (None if it is no X25519 key at all)."""
    try:
        public = wire.b64decode(device.public_key)
    except ValueError:
        return None
    return public if len(public) == wire.PUBLIC_KEY_BYTES else None


@contextmanager
def _roles_kept() -> Iterator[None]:
    """A server from before laptops were approved for a role refuses the key's role as a field
    it does not know (422): "server_too_old". Nothing is wrapped without a role: a laptop's
    first key without one would leave it with every right."""
    try:
        yield
    except BadRequest as exc:
        if exc.status == 422 and "laptop_role" in exc.reason:
            raise SyncSetupError("server_too_old", "the server keeps no laptop roles") from exc
        raise


def _wire_role(role: str) -> wire.LaptopRole:
    """A role as the wire names it; one the app does not know is the lowest."""
    if role == Role.COORDINATOR.value:
        return "coordinator"
    if role == Role.ADVISOR.value:
        return "advisor"
    return "helper"


def _listed_role(device: wire.DeviceInfo) -> wire.LaptopRole:
    """The role a renewal wraps the new key for: the one the server lists for the laptop. Safe
    to take from the server: a key's role only ever lowers a laptop's ceiling
    (``lower_ceiling``). A laptop approved before roles (None) had every right then and keeps
    them."""
    return _wire_role(device.laptop_role or Role.COORDINATOR.value)


# The server's refusal of a key whose sender is not the uploading laptop's registered public
# key: for a key this laptop wrapped with its own, the server holds another public key for this
# laptop (its operator swapped it, or the server was tampered with).
SENDER_NOT_UPLOADER = "sender_not_uploader"
# Set while that refusal stands (a renewal, an approval or a role change refused so; cleared by
# one that goes through): the sync and the Laptops dialog say it, not "renew again", which the
# server refuses again.
OWN_KEY_REFUSED = "sync.own_key_refused"


def rotate_team_key(store: Store, user: User) -> RotationResult:
    """Coordinator: a new team key (after a revocation) for every laptop the server lists as
    approved and the team vouches for, under the key in use, with the same public key and never
    revoked (``sync.laptops``). Every other laptop the server lists is left out and named in the
    result: the server's list alone gives no laptop the key.

    ``Forbidden`` with ``SENDER_NOT_UPLOADER`` where the server holds another public key for
    this laptop (kept: ``own_key_refused``)."""
    require(user, Action.MANAGE_LAPTOPS)
    with _own_key_refusal_kept(store), _roles_kept():
        return _rotate_team_key(store, user)


def own_key_refused(store: Store) -> bool:
    """Whether the last renewal of the team key, approval of a laptop or change of a laptop's
    role here was refused because the server holds another public key for this laptop than the
    one it registered."""
    return bool(store.meta(OWN_KEY_REFUSED))


@contextmanager
def _own_key_refusal_kept(store: Store) -> Iterator[None]:
    """Keep a refusal of the keys this laptop sends (``SENDER_NOT_UPLOADER``) while it stands:
    set when the server refuses one, cleared when a call that sends keys goes through. A
    renewal, an approval and a role change all send keys this laptop wrapped; only the renewal
    kept it, so the window and ``welcome-desk sync`` said it for renewals only."""
    try:
        yield
    except Forbidden as exc:
        if exc.code == SENDER_NOT_UPLOADER:
            _keep_own_key_refused(store, True)
        raise
    _keep_own_key_refused(store, False)


def _keep_own_key_refused(store: Store, refused: bool) -> None:
    if own_key_refused(store) != refused:  # no write lock taken by every renewal
        with store.transaction() as session:
            set_meta(session, OWN_KEY_REFUSED, "1" if refused else "")


def _rotate_team_key(store: Store, user: User) -> RotationResult:
    own = device_keys(store)
    team = new_team_key()
    with store.transaction() as session:
        if active_key(session) is None:
            raise SyncSetupError("no_team_key")
        # Kept before any laptop gets it, used only once every laptop has it: should the
        # server or the network fail in between, this laptop can read what those that got it
        # write, and the next renewal hands it on to the others (``unfinished``).
        add_team_key(session, team.key_id, team.key, str(store.clock.now()), active=False)
    given: list[tuple[wire.DeviceInfo, bytes]] = []
    skipped: list[SkippedLaptop] = []
    with client_for(store) as client:
        every = client.devices().devices
        _keep_revocations(store, user, every)
        listed = [d for d in every if d.status == "approved"]
        with store.reading() as session:
            me = get_meta(session, DEVICE_ID)
            current = active_key(session)
            if current is None:
                raise SyncSetupError("no_team_key")
            in_use = crypto.TeamKey(current.key_id, current.key)
            unfinished = {
                key_id: key
                for key_id, key in _unfinished_keys(session).items()
                if key_id != team.key_id
            }
            verdicts = []
            for device in listed:
                public = _listed_key(device)
                if public is None:
                    verdict = laptops.OTHER_KEY
                elif device.device_id == me:
                    verdict = laptops.VOUCHED if public == own.public_key else laptops.OTHER_KEY
                else:
                    verdict = laptops.standing(session, device.device_id, public, in_use)
                    # A laptop that took the key of a renewal that failed half-way vouches for
                    # itself under that key: as good as under the key in use, which it also had.
                    for key_id, key in sorted(unfinished.items()):
                        if verdict == laptops.NOT_CURRENT:
                            unfinished_key = crypto.TeamKey(key_id, key)
                            verdict = laptops.standing(
                                session, device.device_id, public, unfinished_key
                            )
                verdicts.append((device, public, verdict))
        for device, public, verdict in verdicts:
            if verdict != laptops.VOUCHED or public is None:
                skipped.append(SkippedLaptop(device.device_id, device.name, verdict))
                continue
            if any(d.device_id == device.device_id for d, _p in given):
                continue  # listed twice
            role = _listed_role(device)
            wrapped = crypto.wrap_team_key(team.key, team.key_id, own, public, laptop_role=role)
            client.upload_wrapped_key(
                device.device_id, team.key_id, wrapped, own.public_key, laptop_role=role
            )
            # Keys of renewals that failed half-way: some laptops may write under them.
            for key_id, key in sorted(unfinished.items()):
                blob = crypto.wrap_team_key(key, key_id, own, public, laptop_role=role)
                _upload_unless_held(client, device.device_id, key_id, blob, own.public_key, role)
            given.append((device, public))
    with store.transaction() as session:
        activate_team_key(session, team.key_id)
        # Vouched for under the new key right away, so that a rotation soon after this one
        # gives these laptops its key as well, synced or not.
        for device, public in given:
            if device.device_id != me:
                laptops.vouch(session, store, user.id, device.device_id, public, device.name, team)
        _vouch_for_self(session, store)
        audit.record_in(
            session,
            store,
            user.id,
            audit.AuditAction.ROTATE_KEY,
            "device",
            store.device_id,
            {"key_id": team.key_id, "given": len(given), "skipped": len(skipped)},
        )
    result = RotationResult(team.key_id, tuple(d.device_id for d, _p in given), tuple(skipped))
    # Ids only, as everywhere in the log.
    log.info(
        "team key %s wrapped for %s; not for %s",
        team.key_id,
        ",".join(result.given) or "-",
        ",".join(f"{s.device_id}({s.reason})" for s in skipped) or "-",
    )
    return result


def sync_now(
    store: Store, progress: Progress | None = None, **client_options: object
) -> SyncReport:
    """One full round: fetch new keys, pull, merge, push. Raises the client's errors. A
    refusal as unauthorized or revoked is kept in the store (``status().refused``) until a
    sync goes through or the laptop joins again."""
    try:
        report = _sync_now(store, progress, client_options)
    except (Unauthorized, Revoked) as exc:
        _remember_refusal(store, "revoked" if isinstance(exc, Revoked) else "unauthorized")
        raise
    _remember_refusal(store, "")
    return report


def _remember_refusal(store: Store, code: str) -> None:
    if (store.meta(REFUSED) or "") != code:  # no write lock taken by every sync
        with store.transaction() as session:
            set_meta(session, REFUSED, code)


def _sync_now(
    store: Store, progress: Progress | None, client_options: dict[str, object]
) -> SyncReport:
    with client_for(store, **client_options) as client:
        with store.reading() as session:
            has_key = active_key(session) is not None
        if not has_key:
            fetch_keys(store, client)
            with store.reading() as session:
                if active_key(session) is None:
                    waiting = key_senders.waiting_senders(session)
                    raise SyncSetupError("confirm_coordinator" if waiting else "not_approved")
        else:
            fetch_keys(store, client)  # a rotated key may be waiting
            with store.reading() as session:
                pending = get_meta(session, STATUS) == "pending"
            if pending:  # joined again: holds the team keys, but is a new device to approve
                if client.status().device.status != "approved":
                    raise SyncSetupError("not_approved")
                with store.transaction() as session:
                    set_meta(session, STATUS, "approved")
        with store.reading() as session:
            kept = get_meta(session, COORDINATOR)
            ceiling = get_meta(session, LAPTOP_ROLE)
        # Asked once for a laptop that joined before it kept whether it is a coordinator's;
        # and whenever that disagrees with the role its keys say (``fetch_keys`` above): the
        # server makes a laptop approved for coordinators a coordinator's, and one lowered
        # from it a coordinator's no longer (a coordinator's code keeps it one, and such a
        # laptop's keys are a coordinator's: the two agree, nothing is asked).
        if kept is None or (bool(ceiling) and (kept == "1") != (ceiling == Role.COORDINATOR.value)):
            coordinator = client.status().device.is_coordinator
            if kept != ("1" if coordinator else "0"):
                with store.transaction() as session:
                    set_meta(session, COORDINATOR, "1" if coordinator else "0")
                if kept is not None:
                    log.info("the server counts this laptop as a coordinator's: %s", coordinator)
        _ensure_own_record(store)
        report = SyncEngine(store, client, progress).sync()
        report.revoke_again_pending = not _revoke_again_if_pending(store, client)
        _forget_role_changes_done(store, client)
        return report


def _forget_role_changes_done(store: Store, client: SyncServerClient) -> None:
    """Role changes begun here and broken off (``unfinished_role_changes``) that another
    coordinator's laptop finished meanwhile: the note is dropped once the server keeps every
    key of that laptop at the role chosen or lower (``wire.DeviceInfo.highest_key_role``). It
    stayed until the change was asked for again here. The server's word is enough: what it
    says takes no right from anyone, and a server that lies can as well keep the old keys.
    The note of a laptop revoked since goes too, and that of a laptop another coordinator's
    laptop changed to a third role meanwhile (``_forget_role_changes_settled``).

    No audit entry here: the laptop that finished the change wrote one (``change_laptop_role``
    writes it wherever the keys were replaced). One written here as well, when this laptop
    synced before that entry arrived, made two entries for one change. An ordinary sync reads
    one meta row here; asked only with a note kept, and a failure is left to the next sync."""
    with store.reading() as session:
        if not get_meta(session, ROLE_CHANGES) or get_meta(session, COORDINATOR) != "1":
            return
    try:
        listed = {d.device_id: d for d in client.devices().devices}
    except SyncError as exc:
        log.warning("role changes finished elsewhere not looked for: %s", exc)
        return
    _forget_role_changes_settled(store, listed.values())
    with store.transaction() as session:
        for change in list(_role_changes(session).values()):
            device = listed.get(change.device_id)
            highest = device.highest_key_role if device is not None else None
            if (
                device is None
                or device.laptop_role != change.role.value
                or highest not in crypto.LAPTOP_ROLES
                or highest is None
                or lower_role(Role(highest), change.role) is not Role(highest)
            ):
                continue
            _keep_role_change(session, change.device_id, None)
            log.info("role change of laptop %s finished elsewhere", change.device_id)


def _forget_role_changes_settled(store: Store, devices: Iterable[wire.DeviceInfo]) -> None:
    """Notes of role changes broken off here (``unfinished_role_changes``) for laptops the
    list of laptops says are revoked, or the team's records: nothing is left to finish (the
    server gives a revoked laptop nothing, and the next renewal leaves it out). The note
    stayed in the Laptops dialog until the change was asked for again, which was refused.

    So too the note of a laptop another coordinator's laptop changed to a third role meanwhile:
    the list gives it a role that is neither the one chosen here nor the one it had. That
    choice stands; finishing this one would lower it again, or be refused as a higher role."""
    devices = list(devices)
    revoked = {d.device_id for d in devices if d.status == "revoked"}
    roles = {d.device_id: d.laptop_role for d in devices}
    with store.reading() as session:
        changes = _role_changes(session) if get_meta(session, ROLE_CHANGES) else {}
        gone = [
            device_id
            for device_id in changes
            if device_id in revoked or laptops.is_revoked(session, device_id)
        ]
        overtaken = [
            change.device_id
            for change in changes.values()
            if change.device_id not in gone
            and roles.get(change.device_id) in crypto.LAPTOP_ROLES
            and roles.get(change.device_id) not in (change.role.value, change.before.value)
        ]
    if gone or overtaken:
        with store.transaction() as session:
            for device_id in gone:
                _keep_role_change(session, device_id, None)
                log.info("role change of laptop %s dropped: the laptop is revoked", device_id)
            for device_id in overtaken:
                _keep_role_change(session, device_id, None)
                log.info(
                    "role change of laptop %s dropped: another coordinator chose %s",
                    device_id,
                    roles[device_id],
                )


def _revoke_again_if_pending(store: Store, client: SyncServerClient) -> bool:
    """Revoke again on the server what a restore left approved, if a sync found one and that
    is not done yet (``REVOKE_AGAIN``); True when nothing is left to do. An ordinary sync
    reads one meta row here and sends nothing."""
    with store.reading() as session:
        if get_meta(session, REVOKE_AGAIN) != "1":
            return True
    try:
        _revoke_again(store, client)
    except SyncError as exc:  # the sync itself went through: tried again by the next one
        log.warning("laptops not revoked again after the server's restore yet: %s", exc)
        return False
    with store.transaction() as session:
        set_meta(session, REVOKE_AGAIN, "0")
    return True


def _revoke_again(store: Store, client: SyncServerClient) -> None:
    """A coordinator's laptop, after it revoked a laptop or found the server restored from an
    older backup: every laptop the team's records say is revoked, and the server lists as not
    revoked (the revocation did not reach it, or was made after the backup), is revoked on
    the server again. Those records are written only by
    holders of the team key, and a revocation only takes trust away. Ids only in the log; the
    operator's list (``welcome-desk-server devices``) shows what is left while this fails.

    Raises the client's error when a revocation could not be made (the server or the network
    failed): the caller keeps it pending. A laptop the server no longer knows needs none, and
    a laptop the server does not let revoke (not a coordinator's there) never will: both
    count as done."""
    with store.reading() as session:
        if get_meta(session, COORDINATOR) != "1":
            return
        me = get_meta(session, DEVICE_ID)
    try:
        listed = client.devices().devices
    except Forbidden:
        log.warning("the restored server does not let this laptop revoke laptops")
        return
    with store.reading() as session:
        again = [
            d.device_id
            for d in listed
            if d.status != "revoked"
            and d.device_id != me
            and laptops.is_revoked(session, d.device_id)
        ]
    for device_id in again:
        try:
            client.revoke(device_id)
        except BadRequest as exc:
            if exc.code != "not_found":
                raise
            continue  # gone from the server meanwhile: nothing to revoke
        log.warning("laptop %s revoked again after the server's restore", device_id)


def own_device_id(store: Store) -> str | None:
    """This laptop's id on the sync server (None before it joined)."""
    with store.reading() as session:
        return get_meta(session, DEVICE_ID)


def is_coordinator_laptop(store: Store) -> bool | None:
    """Whether the server registered this laptop as a coordinator's (None: not joined, or joined
    before the laptop kept its role and not synced since)."""
    with store.reading() as session:
        if not get_meta(session, SERVER_URL):
            return None
        role = get_meta(session, COORDINATOR)
    return None if role is None else role == "1"


def _held_back(session: DbSession) -> int:
    """Reference records waiting in the outbox of a member's laptop (never sent from it)."""
    if get_meta(session, COORDINATOR) != "0":
        return 0
    return int(
        session.scalar(
            select(func.count(func.distinct(OutboxRow.record_id))).where(
                OutboxRow.record_kind.in_(wire.COORDINATOR_KINDS)
            )
        )
        or 0
    )


def is_joined(store: Store) -> bool:
    """Whether this laptop has joined a server (cheap: no counting)."""
    with store.reading() as session:
        return bool(get_meta(session, SERVER_URL))


def first_sync_due(store: Store) -> bool:
    """Whether no sync has got through on this laptop yet: the next brings the team's records
    (one cut off resumes where it stopped, and is still the first)."""
    with store.reading() as session:
        return not get_meta(session, LAST_SUCCESS)


def status(store: Store) -> SyncStatus:
    with store.reading() as session:
        url = get_meta(session, SERVER_URL) or ""
        approved = active_key(session) is not None
        last = get_meta(session, LAST_SUCCESS) or ""
        conflicts = int(
            session.scalar(
                select(func.count()).select_from(ConflictRow).where(ConflictRow.resolved.is_(False))
            )
            or 0
        )
        waiting = key_senders.waiting_senders(session)
        unconfirmed = tuple(w.device_name for w in waiting)
        lowerings = tuple((w.device_name, w.lowered_to) for w in waiting if w.lowered_to)
        unfinished = _renewal_unfinished(session)
        need_update = records_needing_update(session)
        held_back = _held_back(session) if url else 0
        refused = get_meta(session, REFUSED) or ""
        key_refused = bool(get_meta(session, OWN_KEY_REFUSED))
        current = active_key(session)
        holding = laptops.revoked_holding(session, current.key_id) if current else []
        pending, pending_internal = outbox_counts(session)
        without_role = _names_kept(get_meta(session, LAPTOPS_WITHOUT_ROLE))
        own_unset = _own_role_unset(session)
    return SyncStatus(
        bool(url),
        url,
        approved,
        pending,
        last,
        conflicts,
        unconfirmed,
        unfinished,
        need_update,
        held_back,
        refused,
        tuple(holding),
        pending_internal,
        key_refused,
        lowerings,
        tuple(without_role),
        own_unset,
    )


def records_needing_update(session: DbSession) -> int:
    """Records kept because this version of the app cannot read them (a newer one wrote them):
    records, not their versions (two revisions of one entry kept are one record to update for)."""
    record = func.json_extract(DeferredEnvelopeRow.envelope, "$.record_id")
    return int(
        session.scalar(
            select(func.count(func.distinct(record))).where(
                DeferredEnvelopeRow.reader == reader_version()
            )
        )
        or 0
    )


def revoked_holding_team_key(store: Store) -> list[str]:
    """The names of revoked laptops that were given the team key in use: revoked by the server's
    operator (``welcome-desk-server revoke``), which renews no key, they can read what is
    written from now on until a coordinator renews it."""
    with store.reading() as session:
        current = active_key(session)
        return [] if current is None else laptops.revoked_holding(session, current.key_id)


def renewal_unfinished(store: Store) -> bool:
    """Whether a renewal of the team key begun here was broken off (the server or the network
    failed): its key is held but not used yet, and laptops that got it may write under it
    that the others cannot read until the coordinator renews again."""
    with store.reading() as session:
        return _renewal_unfinished(session)


def _renewal_unfinished(session: DbSession) -> bool:
    return bool(_unfinished_keys(session))


def _unfinished_keys(session: DbSession) -> dict[str, bytes]:
    """Keys of renewals begun here and broken off: held, newer than the key in use (key ids
    sort by creation, and a fetched key is always used, the newest first)."""
    current = active_key(session)
    if current is None:
        return {}
    return {key_id: key for key_id, key in keyring(session).items() if key_id > current.key_id}


def _normal(fp: str) -> str:
    return "".join(ch for ch in fp.upper() if ch.isalnum())
