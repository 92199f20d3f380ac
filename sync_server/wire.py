"""The sync wire protocol shared by server and client: strict pydantic models and limits.

This is the only module the desktop client imports from ``sync_server``. Binary fields travel as
standard base64 (with padding); every string and list has an upper bound.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import re
import uuid
from typing import Annotated, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field

API_PREFIX = "/v1"
MAX_BATCH = 500
MAX_PULL_LIMIT = 1000
DEFAULT_PULL_LIMIT = 500
MAX_CIPHERTEXT_BYTES = 256 * 1024
MIN_CIPHERTEXT_BYTES = 16  # an AES-GCM tag alone
NONCE_BYTES = 12
PUBLIC_KEY_BYTES = 32
MAX_WRAPPED_KEY_BYTES = 1024
MAX_BODY_BYTES = 8 * 1024 * 1024
MAX_SEQ = 2**62  # fits a signed 64-bit column everywhere
MAX_KEYS_PER_APPROVAL = 32
# Record kinds only a coordinator's device may push (reference data: the service directory and
# the form definitions every laptop uses); a push holding one from any other device is refused.
COORDINATOR_KINDS = frozenset({"reference"})
# A person's record: its tombstone (``Envelope.erases``) erases the person on every laptop, so
# the server takes one only from a laptop whose role may erase (``SyncService.push``), or
# that ends a merge of two entries of one person.
PERSON_KIND = "person"
# The record that an entry of a person was merged into another (``desktop_app.usecases.
# merges``), one per entry merged away, its id ``person_merge_id`` of that entry's: the server
# tells a merge's tombstone from an erasure by it, without reading it.
PERSON_MERGE_KIND = "person_merge"
_PERSON_MERGES = uuid.UUID("0b6c8f52-93d4-4a7e-b1e5-6a2f0c9d7e13")


# The kinds of records a merge of two entries leaves as tombstones besides the entry merged
# away, whichever laptop wrote them: conflicts over the entry's fields and decisions that it
# and another entry are different people. From an advisor's laptop the server takes those
# tombstones only in the push that holds the merge's (``SyncService._erasures_not_allowed``),
# so a laptop never cuts them apart into two pushes (``desktop_app.sync.engine.push_batches``).
MERGE_ERASES = frozenset({"conflict", "distinct_people"})
# Kinds whose records stay when a person is erased but lose personal text with the erasure (a
# data request's reason given by hand, ``REASON_REMOVED``): a version that removed it may
# carry ``Envelope.redacts_through``, and the server then deletes the record's earlier
# envelopes (``SyncService._redactions_allowed``). The flag on any other kind is ignored.
REDACTING_KINDS = frozenset({"data_request"})


def person_merge_id(person_id: str) -> str:
    """The id of the record that the entry ``person_id`` was merged away: alike everywhere."""
    return str(uuid.uuid5(_PERSON_MERGES, person_id))


def _b64_len(raw: int) -> int:
    return 4 * ((raw + 2) // 3)


def b64encode(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def b64decode(text: str) -> bytes:
    """Strict standard base64 (padding required, no whitespace); raises ValueError."""
    try:
        return base64.b64decode(text.encode("ascii"), validate=True)
    except (binascii.Error, UnicodeEncodeError) as exc:
        raise ValueError("not valid base64") from exc


class _Base64Text(str):
    """Base64 text validated by decoding it, holding the bytes it decoded to (``raw``), so
    that the server does not decode a push's nonces and ciphertexts a second time."""

    raw: bytes


def decoded(text: str) -> bytes:
    """The bytes of base64 text: those validation decoded it to (``_bytes_checker``), else
    decoded now (ValueError where ``b64decode`` refuses it)."""
    return text.raw if isinstance(text, _Base64Text) else b64decode(text)


def _bytes_checker(name: str, low: int, high: int) -> AfterValidator:
    def check(value: str) -> str:
        raw = b64decode(value)
        if low == high and len(raw) != low:
            raise ValueError(f"{name} must be {low} bytes, got {len(raw)}")
        if not low <= len(raw) <= high:
            raise ValueError(f"{name} must be {low}..{high} bytes, got {len(raw)}")
        text = _Base64Text(value)
        text.raw = raw
        return text

    return AfterValidator(check)


_CANONICAL_UUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")


def _canonical_uuid(value: str) -> str:
    if _CANONICAL_UUID.fullmatch(value):  # already canonical (nearly always): as it is
        return value
    try:
        return str(uuid.UUID(value))
    except ValueError as exc:
        raise ValueError("not a UUID") from exc


def _utf8(value: str) -> str:
    # JSON allows lone surrogates ("\ud800"); they cannot be stored or logged as UTF-8.
    try:
        value.encode("utf-8")
    except UnicodeEncodeError as exc:
        raise ValueError("text is not valid Unicode") from exc
    return value


# Printable text without control characters (PostgreSQL refuses NUL; logs must stay one line).
_TEXT = r"^[^\x00-\x1f\x7f]*$"

RecordId = Annotated[str, Field(min_length=32, max_length=36), AfterValidator(_canonical_uuid)]
DeviceId = Annotated[str, Field(min_length=32, max_length=36), AfterValidator(_canonical_uuid)]
Kind = Annotated[str, Field(pattern=r"^[a-z][a-z0-9_]{0,31}$")]
KeyId = Annotated[str, Field(pattern=r"^[A-Za-z0-9_-]{1,64}$")]
Revision = Annotated[int, Field(ge=1, le=MAX_SEQ)]
Seq = Annotated[int, Field(ge=0, le=MAX_SEQ)]
Hlc = Annotated[str, Field(min_length=1, max_length=96, pattern=r"^[A-Za-z0-9_.:+-]+$")]
DeviceName = Annotated[
    str, Field(min_length=1, max_length=100, pattern=_TEXT), AfterValidator(_utf8)
]
Nonce = Annotated[
    str, Field(min_length=1, max_length=_b64_len(NONCE_BYTES)), _bytes_checker("nonce", 12, 12)
]
Ciphertext = Annotated[
    str,
    Field(min_length=1, max_length=_b64_len(MAX_CIPHERTEXT_BYTES)),
    _bytes_checker("ciphertext", MIN_CIPHERTEXT_BYTES, MAX_CIPHERTEXT_BYTES),
]
PublicKey = Annotated[
    str,
    Field(min_length=1, max_length=_b64_len(PUBLIC_KEY_BYTES)),
    _bytes_checker("public key", PUBLIC_KEY_BYTES, PUBLIC_KEY_BYTES),
]
WrappedKeyBlob = Annotated[
    str,
    Field(min_length=1, max_length=_b64_len(MAX_WRAPPED_KEY_BYTES)),
    _bytes_checker("wrapped key", 28, MAX_WRAPPED_KEY_BYTES),
]
EnrollmentCode = Annotated[str, Field(min_length=8, max_length=64, pattern=r"^[A-Za-z0-9 -]+$")]
REGISTRATION_SECRET_BYTES = 32
RegistrationSecret = Annotated[
    str,
    Field(min_length=1, max_length=_b64_len(REGISTRATION_SECRET_BYTES)),
    _bytes_checker("registration secret", REGISTRATION_SECRET_BYTES, REGISTRATION_SECRET_BYTES),
]
DeviceStatusName = Literal["pending", "approved", "revoked"]
# Who uses a laptop, as the coordinator who approved it chose: the highest role any account has
# on it. Bound into every team key wrapped for it (the server cannot change it unseen).
LaptopRole = Literal["helper", "advisor", "coordinator"]


class _Strict(BaseModel):
    """What a laptop sends: a field the server does not know is refused."""

    model_config = ConfigDict(extra="forbid", frozen=True)


class _Answer(BaseModel):
    """What the server answers: a laptop ignores fields it does not know, so that a newer
    server may add some without stopping laptops that were not updated yet."""

    model_config = ConfigDict(extra="ignore", frozen=True)


class Envelope(_Strict):
    """One encrypted record revision as the client sends it."""

    record_id: RecordId
    kind: Kind
    revision: Revision
    key_id: KeyId
    nonce: Nonce
    ciphertext: Ciphertext
    author_device: DeviceId
    client_hlc: Hlc
    # The record is erased (its state is a tombstone): the server drops the record's earlier
    # revisions and stores no later live one. Plaintext, like the kind: the server learns that
    # a record was erased, never what it held. Not in the AEAD's associated data (laptops of
    # versions before it open these envelopes too); a laptop refuses one whose authenticated
    # payload is not a deleted state. Sent only when true, so servers before it accept pushes.
    erases: bool = False
    # This version removed personal text from a record that stays (``REDACTING_KINDS``; the
    # version's content says so, the server cannot read it): the server is to delete the
    # record's earlier envelopes, so that no copy of the text is left for a laptop that pulls
    # from the start. The number is the sender's pull cursor as it sealed the version: every
    # envelope up to it was merged into the version, and only those are deleted; the push is
    # refused ("not_merged") while the server holds one above it (a version of another laptop
    # the sender has not pulled: it pulls, merges and pushes a later revision). Taken only from
    # a laptop whose role may erase, else ignored (the version is stored, nothing deleted).
    # Plaintext and not authenticated, as ``erases``; never handed out in a pull. Sent only
    # where set: a server before it refuses the field (422), and the laptop pushes again
    # without it (``SyncServerClient.push``).
    redacts_through: Seq | None = None


_ENVELOPE_FIELDS = tuple(Envelope.model_fields)


def trusted_envelope(
    record_id: str,
    kind: str,
    revision: int,
    key_id: str,
    nonce: str,
    ciphertext: str,
    author_device: str,
    client_hlc: str,
    erases: bool,
    redacts_through: int | None = None,
) -> Envelope:
    """What ``Envelope.model_construct`` makes of these values (already valid and canonical:
    a laptop's sealer made them), without its walk over every field's aliases and defaults:
    a third of its cost, and a first push builds one per record (``tests/unit/
    test_sync_wire.py`` holds the two to the same result)."""
    envelope = Envelope.__new__(Envelope)
    state = {
        "record_id": record_id,
        "kind": kind,
        "revision": revision,
        "key_id": key_id,
        "nonce": nonce,
        "ciphertext": ciphertext,
        "author_device": author_device,
        "client_hlc": client_hlc,
        "erases": erases,
        "redacts_through": redacts_through,
    }
    object.__setattr__(envelope, "__dict__", state)
    object.__setattr__(envelope, "__pydantic_fields_set__", set(_ENVELOPE_FIELDS))
    object.__setattr__(envelope, "__pydantic_extra__", None)
    object.__setattr__(envelope, "__pydantic_private__", None)
    return envelope


class StoredEnvelope(Envelope):
    """An envelope as the server hands it out, with its server-assigned sequence number."""

    model_config = ConfigDict(extra="ignore", frozen=True)  # an answer (see ``_Answer``)

    seq: Annotated[int, Field(ge=1, le=MAX_SEQ)]


class PushRequest(_Strict):
    envelopes: Annotated[list[Envelope], Field(min_length=1, max_length=MAX_BATCH)]


PushStatus = Literal["accepted", "duplicate", "refused"]


class PushItemResult(_Answer):
    """Outcome for one envelope, in request order. ``seq`` is set for accepted and duplicate."""

    record_id: str
    revision: int
    status: PushStatus
    seq: int | None = None
    # for refused: "conflict", "author_mismatch", "kind_mismatch" (the record id is stored
    # under another kind) or "erase_not_allowed" (a tombstone a laptop whose role may not
    # erase may not send: a person's, or another laptop's record, ``SyncService.push``)
    code: str | None = None
    reason: str | None = None


class PushResponse(_Answer):
    accepted: int
    duplicate: int
    refused: int
    results: list[PushItemResult]


class PullResponse(_Answer):
    envelopes: list[StoredEnvelope]
    next_cursor: int  # pass as ``after`` next time; equals the last seq returned (or ``after``)
    has_more: bool
    # What the server remembers of the pulling device, as before this pull (None: not known,
    # e.g. on a server before them): the highest sequence number it handed out to it in a
    # pull, and the highest in its push results. A laptop whose cursor or pushes went further
    # synced with a later state of the server's database: it was restored from a backup.
    device_pulled_seq: int | None = None
    device_pushed_seq: int | None = None
    # The highest sequence number the server has handed out (None: a server before it). A
    # laptop whose cursor or pushes went beyond it synced with a later state of the server's
    # database, though the server may not remember the device (a backup from before 0005).
    latest_seq: int | None = None
    # To a coordinator's laptop only: a mark that changes whenever a laptop is revoked (the
    # number of revoked laptops and the latest revocation's time). The laptop asks for the list
    # of laptops when it changed, not at every sync. None: a member's laptop, or a server
    # before it (the laptop then asks now and then).
    revocations: str | None = None
    # True: this server acts on ``Envelope.redacts_through`` (None: a server before it, which
    # refuses the field). A coordinator's laptop then sends a redacting version of each entry
    # whose reason it removed and never sent with the flag (``SyncEngine._redact_owed``).
    redactions: bool | None = None


class RegisterRequest(_Strict):
    code: EnrollmentCode
    device_name: DeviceName
    public_key: PublicKey
    # Random bytes the laptop keeps in memory while it joins: sent again with the same code and
    # public key, they get the device registered by the first request a new token, as long as
    # that device was never approved by a coordinator nor used (``SyncService.register``). A
    # laptop whose commit failed after the server registered it joins with the same code.
    # None: a laptop from before (its code is spent by the first request, as always).
    registration_secret: RegistrationSecret | None = None


class EnrollmentCodeRequest(_Strict):
    """A coordinator's laptop asks for a one-time code for a new laptop (never a coordinator's
    code: a laptop becomes one by being approved with that role)."""

    # Who or which laptop the code is for, as ``welcome-desk-server enroll --name`` takes it.
    name: DeviceName


class EnrollmentCodeIssued(_Answer):
    """The code, shown once (the server keeps only its hash), and until when it joins a laptop
    (ISO 8601, UTC); it joins one laptop only."""

    code: str
    name: str
    expires_at: str


class RegisterResponse(_Answer):
    """The token is shown once; the server keeps only its hash."""

    device_id: str
    token: str
    status: DeviceStatusName
    is_coordinator: bool


class WrappedKeyIn(_Strict):
    """A team key wrapped (X25519 + HKDF + AES-GCM) by a coordinator for one device."""

    key_id: KeyId
    wrapped_key: WrappedKeyBlob
    sender_public_key: PublicKey
    # The role the key was wrapped for (authenticated with it); None: sent by a Welcome Desk
    # from before laptops were approved for a role.
    laptop_role: LaptopRole | None = None


class WrappedKeyUpload(WrappedKeyIn):
    device_id: DeviceId


class ApproveRequest(_Strict):
    wrapped_keys: Annotated[
        list[WrappedKeyIn], Field(min_length=1, max_length=MAX_KEYS_PER_APPROVAL)
    ]


class WrappedKeyOut(_Answer):
    key_id: str
    wrapped_key: str
    sender_public_key: str
    sender_device: str
    created_at: str
    # A label for the person who compares the sender's fingerprint; the server could lie about
    # it, so the receiving laptop trusts the sender only by its public key's fingerprint.
    sender_device_name: str = ""
    # As uploaded with the key (``WrappedKeyIn.laptop_role``); a key opens only with the role
    # it was wrapped for.
    laptop_role: str | None = None


class WrappedKeyList(_Answer):
    keys: list[WrappedKeyOut]


class DeviceInfo(_Answer):
    device_id: str
    name: str
    status: DeviceStatusName
    is_coordinator: bool
    public_key: str
    fingerprint: str
    created_at: str
    approved_at: str | None = None
    revoked_at: str | None = None
    last_seen_at: str | None = None
    # The Welcome Desk version the device last stated; None: not known.
    app_version: str | None = None
    # The role a coordinator last approved the laptop for (``LaptopRole``); None: not approved
    # for one (waiting, or approved by a Welcome Desk before roles). The server's word: a
    # laptop's rights follow the role bound into its keys.
    laptop_role: str | None = None
    # The highest role among the team keys the server keeps for the laptop (a key from before
    # roles counts as a coordinator's), in the list of laptops only: a lowering whose first key
    # was replaced lists the new role above, and is done only once this is no higher. None: no
    # key kept, or a server from before it said so.
    highest_key_role: str | None = None
    # When the server last handed the device records it lacked (None: not known, before the
    # server kept it): what it holds, it held by then.
    pulled_at: str | None = None
    # A revoked device: how many people's records it had been handed by its last pull or had
    # sent itself, counted as it was revoked (``SyncService.revoke``): it may hold more
    # (people erased after its last pull and before its revocation, whose earlier revisions
    # the erasure deleted here; people recorded on it and never sent), never fewer. None: not
    # revoked, or revoked before the server counted.
    people_at_revocation: int | None = None
    # A coordinator's device (``is_coordinator``) because a coordinator's device approved it
    # for coordinators: that device's id. None: not a coordinator's, or one by a coordinator's
    # code or as the organisation's first (those keep the role), or a server from before it.
    coordinator_approved_by: str | None = None
    # Made a coordinator's by the coordinator's role ``coordinator_approved_by`` chose for it
    # once it was approved (before roles), not by its approval: "role set by", not "approved
    # by". False also from a server from before it said so.
    coordinator_role_chosen: bool = False


class DeviceList(_Answer):
    devices: list[DeviceInfo]


class DeviceStatus(_Answer):
    """What a device learns about itself (poll this while waiting for approval)."""

    device: DeviceInfo
    key_ids: list[str]
    latest_seq: int


class Health(_Answer):
    status: Literal["ok"]
    version: str


class ErrorItem(_Answer):
    loc: str
    msg: str


class ErrorResponse(_Answer):
    """Every 4xx answer: a machine-readable ``code`` and a human-readable ``detail``."""

    code: str
    detail: str
    errors: list[ErrorItem] = Field(default_factory=list)


def public_key_fingerprint(public_key: bytes) -> str:
    """Short human-comparable fingerprint: 6 groups of 4 base32 characters (120 bits)."""
    if len(public_key) != PUBLIC_KEY_BYTES:
        raise ValueError("public key must be 32 bytes")
    digest = hashlib.sha256(b"welcome-desk/fingerprint/v1\x00" + public_key).digest()
    text = base64.b32encode(digest).decode("ascii")[:24]
    return " ".join(text[i : i + 4] for i in range(0, 24, 4))
