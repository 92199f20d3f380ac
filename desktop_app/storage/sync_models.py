"""Tables of the sync client: team keys, the team's laptops, conflicts to decide, and per-record
sync bookkeeping."""

from __future__ import annotations

from sqlalchemy import Boolean, Integer, LargeBinary, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from desktop_app.storage.models import Base, SyncMixin


class TeamKeyRow(Base):
    """The organisation's AES keys this laptop holds (inside the encrypted store only)."""

    __tablename__ = "team_keys"
    key_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    key: Mapped[bytes] = mapped_column(LargeBinary, nullable=False)
    added_hlc: Mapped[str] = mapped_column(String(64), nullable=False)
    # The newest key encrypts what this laptop sends; older ones still open older records.
    active: Mapped[bool] = mapped_column(Boolean, nullable=False, default=False)


class TrustedSenderRow(Base):
    """A laptop whose wrapped team keys this laptop takes: itself, and each sender a person here
    confirmed by comparing its fingerprint with the one on that laptop's screen."""

    __tablename__ = "trusted_key_senders"
    public_key: Mapped[bytes] = mapped_column(LargeBinary, primary_key=True)
    device_id: Mapped[str] = mapped_column(String(36), nullable=False)
    device_name: Mapped[str] = mapped_column(String(200), nullable=False)
    # "self", "confirmed", or "held_key" (a store that joined before senders were confirmed
    # trusts the sender of the key it already used)
    reason: Mapped[str] = mapped_column(String(20), nullable=False)
    added_hlc: Mapped[str] = mapped_column(String(64), nullable=False)


class WaitingTeamKeyRow(Base):
    """A team key wrapped for this laptop by a sender not (yet) trusted. Kept wrapped: it is
    opened only after a person here confirms the sender's fingerprint."""

    __tablename__ = "waiting_team_keys"
    key_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    sender_public_key: Mapped[bytes] = mapped_column(LargeBinary, primary_key=True)
    wrapped_key: Mapped[bytes] = mapped_column(LargeBinary, nullable=False)
    sender_device: Mapped[str] = mapped_column(String(36), nullable=False)
    sender_name: Mapped[str] = mapped_column(String(200), nullable=False)
    received_hlc: Mapped[str] = mapped_column(String(64), nullable=False)
    # The role it was wrapped for (``crypto.wrap_team_key``): it opens only with that role.
    # NULL: wrapped before laptops were approved for a role.
    laptop_role: Mapped[str | None] = mapped_column(String(16), nullable=True)


class DeferredEnvelopeRow(Base):
    """A pulled envelope this laptop cannot apply yet, kept so that nothing written is lost:
    under a team key that waits for its sender's confirmation (applied once the key is taken,
    so a rotation confirmed later loses nothing written under it), or a record of a kind or with
    fields that a newer version of the app wrote (applied once this laptop runs a version that
    reads it)."""

    __tablename__ = "deferred_envelopes"
    seq: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    key_id: Mapped[str] = mapped_column(String(64), nullable=False, index=True)
    envelope: Mapped[str] = mapped_column(Text, nullable=False)  # wire.StoredEnvelope as JSON
    # "" while it waits for its key; else ``records.reader_version()`` of the version that
    # could not read it: tried again when that changes.
    reader: Mapped[str] = mapped_column(String(64), nullable=False, default="")


class ConflictRow(Base, SyncMixin):
    """The same field set to two values on two laptops; an advisor decides. Syncs like a record."""

    __tablename__ = "conflicts"
    record_kind: Mapped[str] = mapped_column(String(40), nullable=False)
    record_id: Mapped[str] = mapped_column(String(36), nullable=False, index=True)
    # Whom the record is about ("" for records about no one): the conflict holds two of their
    # values, so it is exported and erased with them, also once the record itself is gone.
    person_id: Mapped[str] = mapped_column(String(36), nullable=False, default="", index=True)
    field: Mapped[str] = mapped_column(String(64), nullable=False)
    kept_value: Mapped[str] = mapped_column(Text, nullable=False)  # JSON
    kept_clock: Mapped[str] = mapped_column(String(64), nullable=False)
    other_value: Mapped[str] = mapped_column(Text, nullable=False)  # JSON
    other_clock: Mapped[str] = mapped_column(String(64), nullable=False)
    resolved: Mapped[bool] = mapped_column(Boolean, nullable=False, default=False)


class LaptopRow(Base, SyncMixin):
    """A laptop of the team as the team itself knows it (synced as kind "laptop"; the server's
    device list is only the server's word). Its id is derived from ``laptop_id`` and
    ``public_key`` (see ``sync.laptops``), so a record never changes the key it is about."""

    __tablename__ = "laptops"
    laptop_id: Mapped[str] = mapped_column(String(36), nullable=False, index=True)  # the server's
    public_key: Mapped[str] = mapped_column(String(64), nullable=False)  # X25519, base64
    name: Mapped[str] = mapped_column(String(200), nullable=False, default="")
    revoked: Mapped[bool] = mapped_column(Boolean, nullable=False, default=False)
    # "<team key id>:<HMAC>" (crypto.laptop_vouch): the newest team key it was vouched under.
    vouch: Mapped[str] = mapped_column(String(200), nullable=False, default="")
    # The id of the laptop's store, which its changes carry in their clocks: "changed on the
    # laptop …" in a conflict. Written by the laptop itself; a label, not a proof.
    store_id: Mapped[str] = mapped_column(String(36), nullable=False, default="", index=True)


class SyncedRevisionRow(Base):
    """The highest revision of each record seen on the server, so replays are recognised."""

    __tablename__ = "synced_revisions"
    record_id: Mapped[str] = mapped_column(String(36), primary_key=True)
    kind: Mapped[str] = mapped_column(String(40), nullable=False)
    revision: Mapped[int] = mapped_column(Integer, nullable=False)
