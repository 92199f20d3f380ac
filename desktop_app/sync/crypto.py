"""End-to-end record encryption (team key, AES-256-GCM envelopes) and device key wrapping (X25519).

Only ``cryptography`` primitives. The associated data binds every envelope field except the
nonce and ciphertext themselves, so a swapped or altered envelope fails to open.
"""

from __future__ import annotations

import hashlib
import hmac
import os
import re
import secrets
import struct
import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from functools import lru_cache

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey, X25519PublicKey
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

from sync_server import wire
from sync_server.wire import public_key_fingerprint as fingerprint

__all__ = [
    "LAPTOP_ROLES",
    "DeviceKeys",
    "EnvelopeError",
    "EnvelopeOpener",
    "EnvelopeSealer",
    "KeyUnwrapError",
    "TamperedEnvelopeError",
    "TeamKey",
    "UnknownKeyError",
    "envelope_aad",
    "fingerprint",
    "keyed_record_id",
    "laptop_vouch",
    "laptop_vouch_holds",
    "new_team_key",
    "open_envelope",
    "seal",
    "unwrap_team_key",
    "vouch_key_id",
    "wrap_team_key",
]

TEAM_KEY_BYTES = 32
_ENVELOPE_DOMAIN = b"welcome-desk/envelope/v1"
_WRAP_DOMAIN = b"welcome-desk/wrap-team-key/v1"
_VOUCH_DOMAIN = b"welcome-desk/laptop-vouch/v1"
_RECORD_ID_DOMAIN = b"welcome-desk/keyed-record-id/v1"


class EnvelopeError(Exception):
    """An envelope cannot be opened; nothing from it may be applied."""


class UnknownKeyError(EnvelopeError):
    def __init__(self, key_id: str) -> None:
        super().__init__(f"no team key with id {key_id!r} on this device")
        self.key_id = key_id


class TamperedEnvelopeError(EnvelopeError):
    """Authentication failed: ciphertext or metadata changed, or encrypted under another key."""


class KeyUnwrapError(Exception):
    """A wrapped team key does not open for this device (altered, or not meant for us)."""


@dataclass(frozen=True, repr=False)
class TeamKey:
    """The organisation's AES-256-GCM key and its public identifier."""

    key_id: str
    key: bytes

    def __repr__(self) -> str:  # never print key material
        return f"TeamKey(key_id={self.key_id!r})"


def new_team_key() -> TeamKey:
    return TeamKey(key_id=secrets.token_hex(8), key=AESGCM.generate_key(bit_length=256))


_LENGTH = struct.Struct(">I")
_REVISION = struct.Struct(">Q")


def _field(data: bytes) -> bytes:
    return _LENGTH.pack(len(data)) + data


_DOMAIN_FIELD = _field(_ENVELOPE_DOMAIN)
_CANONICAL_UUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")


def _canonical_uuid(text: str) -> str:
    """``str(uuid.UUID(text))``; text already in that form is returned as it is (fast path)."""
    if _CANONICAL_UUID.fullmatch(text):
        return text
    return str(uuid.UUID(text))


# The kind and the (key id, author laptop) pair repeat across every envelope of a push or a
# pull page: their encoded fields are built once. Bounded: an id that is not a UUID is refused
# (ValueError) and not kept.
@lru_cache(maxsize=64)
def _kind_field(kind: str) -> bytes:
    return _field(kind.encode())


@lru_cache(maxsize=1024)
def _key_and_author_fields(key_id: str, author_device: str) -> bytes:
    return _field(key_id.encode()) + _field(_canonical_uuid(author_device).encode())


def envelope_aad(
    record_id: str, kind: str, revision: int, key_id: str, author_device: str, client_hlc: str
) -> bytes:
    """Length-prefixed, so no two different metadata tuples share the same bytes."""
    return b"".join(
        [
            _DOMAIN_FIELD,
            _field(_canonical_uuid(record_id).encode()),
            _kind_field(kind),
            _REVISION.pack(revision),
            _key_and_author_fields(key_id, author_device),
            _field(client_hlc.encode()),
        ]
    )


def seal(
    team_key: bytes,
    key_id: str,
    record_id: str,
    kind: str,
    revision: int,
    plaintext: bytes,
    *,
    author_device: str,
    client_hlc: str,
    erases: bool = False,
) -> wire.Envelope:
    """Encrypt one record revision into a wire envelope (fresh random 96-bit nonce);
    ``erases`` marks a tombstone of an erased record (``wire.Envelope.erases``)."""
    if len(team_key) != TEAM_KEY_BYTES:
        raise ValueError("team key must be 32 bytes")
    if len(plaintext) + 16 > wire.MAX_CIPHERTEXT_BYTES:
        raise ValueError(f"record too large to sync ({len(plaintext)} bytes)")
    nonce = os.urandom(wire.NONCE_BYTES)
    aad = envelope_aad(record_id, kind, revision, key_id, author_device, client_hlc)
    ciphertext = AESGCM(team_key).encrypt(nonce, plaintext, aad)
    return wire.Envelope(
        record_id=record_id,
        kind=kind,
        revision=revision,
        key_id=key_id,
        nonce=wire.b64encode(nonce),
        ciphertext=wire.b64encode(ciphertext),
        author_device=author_device,
        client_hlc=client_hlc,
        erases=erases,
    )


def open_envelope(keyring: Mapping[str, bytes], envelope: wire.Envelope) -> bytes:
    """Decrypt and authenticate; raises UnknownKeyError or TamperedEnvelopeError."""
    return EnvelopeOpener(keyring).open(envelope)


_NONCES_AT_ONCE = 256


class EnvelopeSealer:
    """Seals many records under one team key (one AES-GCM context for a whole batch)."""

    def __init__(self, team_key: bytes, key_id: str, author_device: str) -> None:
        if len(team_key) != TEAM_KEY_BYTES:
            raise ValueError("team key must be 32 bytes")
        self._aead = AESGCM(team_key)
        self.key_id = key_id
        self.author_device = str(uuid.UUID(author_device))
        self._nonces = b""
        self._next = 0

    def _nonce(self) -> bytes:
        """A fresh random nonce, cut from random bytes fetched for many at once: one
        ``os.urandom`` call per nonce was a tenth of sealing a first push."""
        if self._next >= len(self._nonces):
            self._nonces, self._next = os.urandom(wire.NONCE_BYTES * _NONCES_AT_ONCE), 0
        start, self._next = self._next, self._next + wire.NONCE_BYTES
        return self._nonces[start : self._next]

    def seal(
        self,
        record_id: str,
        kind: str,
        revision: int,
        plaintext: bytes,
        client_hlc: str,
        erases: bool = False,
        redacts_through: int | None = None,
    ) -> wire.Envelope:
        """Like ``seal``; the envelope is built from canonical values without re-validation.
        ``redacts_through``: ``wire.Envelope.redacts_through`` (not authenticated, as
        ``erases``: only the server reads it)."""
        if len(plaintext) + 16 > wire.MAX_CIPHERTEXT_BYTES:
            raise ValueError(f"record too large to sync ({len(plaintext)} bytes)")
        record_id = _canonical_uuid(record_id)
        nonce = self._nonce()
        aad = envelope_aad(record_id, kind, revision, self.key_id, self.author_device, client_hlc)
        return wire.trusted_envelope(
            record_id,
            kind,
            revision,
            self.key_id,
            wire.b64encode(nonce),
            wire.b64encode(self._aead.encrypt(nonce, plaintext, aad)),
            self.author_device,
            client_hlc,
            erases,
            redacts_through,
        )


class EnvelopeOpener:
    """Opens many envelopes with one AES-GCM context per team key."""

    def __init__(self, keyring: Mapping[str, bytes]) -> None:
        self._keyring = keyring
        self._aeads: dict[str, AESGCM] = {}

    def open(self, envelope: wire.Envelope) -> bytes:
        """Decrypt and authenticate; raises UnknownKeyError or TamperedEnvelopeError."""
        aead = self._aeads.get(envelope.key_id)
        if aead is None:
            key = self._keyring.get(envelope.key_id)
            if key is None:
                raise UnknownKeyError(envelope.key_id)
            try:
                aead = self._aeads[envelope.key_id] = AESGCM(key)
            except ValueError as exc:  # not an AES key: nothing under it can be authentic
                raise TamperedEnvelopeError(f"team key {envelope.key_id!r} is unusable") from exc
        try:
            nonce = wire.b64decode(envelope.nonce)
            ciphertext = wire.b64decode(envelope.ciphertext)
            aad = envelope_aad(
                envelope.record_id,
                envelope.kind,
                envelope.revision,
                envelope.key_id,
                envelope.author_device,
                envelope.client_hlc,
            )
            if len(nonce) != wire.NONCE_BYTES:
                raise ValueError("bad nonce size")
            return aead.decrypt(nonce, ciphertext, aad)
        except (InvalidTag, ValueError) as exc:
            raise TamperedEnvelopeError(
                f"envelope {envelope.record_id} rev {envelope.revision} failed authentication"
            ) from exc


@dataclass(frozen=True, repr=False)
class DeviceKeys:
    """A laptop's X25519 key pair (raw 32-byte encodings)."""

    private_key: bytes
    public_key: bytes

    @classmethod
    def generate(cls) -> DeviceKeys:
        return cls.from_private_bytes(X25519PrivateKey.generate().private_bytes_raw())

    @classmethod
    def from_private_bytes(cls, private_key: bytes) -> DeviceKeys:
        key = X25519PrivateKey.from_private_bytes(private_key)
        return cls(private_key=private_key, public_key=key.public_key().public_bytes_raw())

    @property
    def fingerprint(self) -> str:
        return fingerprint(self.public_key)

    def __repr__(self) -> str:
        return f"DeviceKeys(fingerprint={self.fingerprint!r})"


# The roles a laptop can be approved for (``wire.LaptopRole``), bound into its wrapped keys.
LAPTOP_ROLES = ("helper", "advisor", "coordinator")


def _wrap_context(
    sender_public: bytes, recipient_public: bytes, key_id: str, laptop_role: str | None
) -> bytes:
    fields = [
        _field(_WRAP_DOMAIN),
        _field(sender_public),
        _field(recipient_public),
        _field(key_id.encode()),
    ]
    # The role the approving coordinator chose for the laptop, authenticated with the key: the
    # server that carries it cannot change it. None only for keys wrapped by a Welcome Desk
    # before laptops were approved for a role (those carry no role, and set no ceiling).
    if laptop_role is not None:
        fields.append(_field(laptop_role.encode()))
    return b"".join(fields)


def _checked_role(laptop_role: str | None, *, wrapping: bool) -> None:
    if laptop_role is None and not wrapping:
        return
    if laptop_role not in LAPTOP_ROLES:
        raise (ValueError if wrapping else KeyUnwrapError)(f"no laptop role {laptop_role!r}")


def _kek(own: DeviceKeys, peer_public: bytes, context: bytes) -> bytes:
    try:
        shared = X25519PrivateKey.from_private_bytes(own.private_key).exchange(
            X25519PublicKey.from_public_bytes(peer_public)
        )
    except ValueError as exc:  # e.g. a low-order point giving an all-zero secret
        raise KeyUnwrapError("unusable public key") from exc
    return HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=context).derive(shared)


def wrap_team_key(
    team_key: bytes,
    key_id: str,
    sender: DeviceKeys,
    recipient_public_key: bytes,
    *,
    laptop_role: str,
) -> bytes:
    """Encrypt the team key for one device: nonce (12 bytes) + AES-GCM ciphertext, bound to
    ``laptop_role`` (``LAPTOP_ROLES``), the role the recipient laptop is approved for."""
    if len(team_key) != TEAM_KEY_BYTES:
        raise ValueError("team key must be 32 bytes")
    _checked_role(laptop_role, wrapping=True)
    context = _wrap_context(sender.public_key, recipient_public_key, key_id, laptop_role)
    nonce = os.urandom(12)
    return nonce + AESGCM(_kek(sender, recipient_public_key, context)).encrypt(
        nonce, team_key, context
    )


def unwrap_team_key(
    wrapped: bytes,
    key_id: str,
    recipient: DeviceKeys,
    sender_public_key: bytes,
    *,
    laptop_role: str | None,
) -> bytes:
    """Open a wrapped team key. It proves only that ``sender_public_key`` wrapped it: use the
    key only from a sender a person confirmed by its fingerprint (``sync.key_senders``).
    ``laptop_role`` as the server hands it over: a role other than the one it was wrapped
    with fails (``KeyUnwrapError``); None opens only a key wrapped before roles."""
    _checked_role(laptop_role, wrapping=False)
    context = _wrap_context(sender_public_key, recipient.public_key, key_id, laptop_role)
    if len(wrapped) < 12 + 16 or len(sender_public_key) != 32:
        raise KeyUnwrapError("wrapped key is malformed")
    try:
        key = AESGCM(_kek(recipient, sender_public_key, context)).decrypt(
            wrapped[:12], wrapped[12:], context
        )
    except InvalidTag as exc:
        raise KeyUnwrapError("wrapped key failed authentication") from exc
    if len(key) != TEAM_KEY_BYTES:
        raise KeyUnwrapError("wrapped key has the wrong length")
    return key


def _vouch_mac(team_key: bytes, key_id: str, laptop_id: str, public_key: bytes) -> str:
    # A key of its own for vouching (the team key itself only ever encrypts with AES-GCM).
    mac_key = HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=_VOUCH_DOMAIN).derive(
        team_key
    )
    message = b"".join(
        [_field(_VOUCH_DOMAIN), _field(key_id.encode()), _field(laptop_id.encode()), public_key]
    )
    return hmac.new(mac_key, message, hashlib.sha256).hexdigest()


def laptop_vouch(team_key: TeamKey, laptop_id: str, public_key: bytes) -> str:
    """``<key id>:<HMAC>``: a holder of this team key vouches that the laptop ``laptop_id`` has
    ``public_key``. Without the key nobody can make one (nor move one to another key id), so a
    laptop revoked before that key was made cannot vouch under it."""
    return f"{team_key.key_id}:{_vouch_mac(team_key.key, team_key.key_id, laptop_id, public_key)}"


def vouch_key_id(vouch: str) -> str:
    """The id of the team key a vouch was made with ("" for none)."""
    return vouch.rpartition(":")[0]


def laptop_vouch_holds(
    keyring: Mapping[str, bytes], vouch: str, laptop_id: str, public_key: bytes
) -> bool:
    """Whether ``vouch`` was made for this laptop and key with a team key of ``keyring``."""
    key_id, _sep, mac = vouch.rpartition(":")
    team_key = keyring.get(key_id)
    if not key_id or team_key is None or len(team_key) != TEAM_KEY_BYTES:
        return False
    expected = _vouch_mac(team_key, key_id, laptop_id, public_key)
    return hmac.compare_digest(expected.encode(), mac.encode("utf-8", "replace"))


def keyed_record_id(team_key: bytes, identity: str) -> str:
    """A record id every holder of ``team_key`` derives alike from ``identity``, and nobody else
    can tell from anything it might guess (a UUID in the form of a random one). For records that
    laptops must find under the same id where that identity holds content, e.g. a field name."""
    if len(team_key) != TEAM_KEY_BYTES:
        raise ValueError("team key must be 32 bytes")
    # A key of its own for ids (the team key itself only ever encrypts with AES-GCM).
    id_key = HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=_RECORD_ID_DOMAIN).derive(
        team_key
    )
    digest = hmac.new(id_key, _field(identity.encode("utf-8")), hashlib.sha256).digest()
    return str(uuid.UUID(bytes=digest[:16], version=4))
