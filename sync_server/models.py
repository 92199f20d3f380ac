"""Server tables (SQLAlchemy 2.0): devices, enrollment codes, ciphertext envelopes, wrapped keys.

Nothing here holds plaintext record content: envelopes are opaque bytes plus routing metadata.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import (
    BigInteger,
    Boolean,
    DateTime,
    Dialect,
    ForeignKey,
    Integer,
    LargeBinary,
    String,
    TypeDecorator,
    UniqueConstraint,
    false,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column


class UtcDateTime(TypeDecorator[dt.datetime]):
    """Timezone-aware UTC datetimes on every backend (SQLite stores them naive)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: dt.datetime | None, dialect: Dialect) -> dt.datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime")
        return value.astimezone(dt.UTC)

    def process_result_value(
        self, value: dt.datetime | None, dialect: Dialect
    ) -> dt.datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=dt.UTC)
        return value.astimezone(dt.UTC)


def utcnow() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


class Base(DeclarativeBase):
    pass


class SeqCounter(Base):
    """One row; updating it first in a push serialises writers, so seq order = commit order."""

    __tablename__ = "seq_counter"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    last_seq: Mapped[int] = mapped_column(BigInteger, nullable=False)


class Device(Base):
    __tablename__ = "devices"

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    name: Mapped[str] = mapped_column(String(100), nullable=False)
    public_key: Mapped[bytes] = mapped_column(LargeBinary, nullable=False)
    token_hash: Mapped[str] = mapped_column(String(64), nullable=False, unique=True)
    status: Mapped[str] = mapped_column(String(16), nullable=False)  # pending/approved/revoked
    is_coordinator: Mapped[bool] = mapped_column(Boolean, nullable=False, default=False)
    enrollment_name: Mapped[str] = mapped_column(String(100), nullable=False)
    created_at: Mapped[dt.datetime] = mapped_column(UtcDateTime, nullable=False)
    approved_at: Mapped[dt.datetime | None] = mapped_column(UtcDateTime)
    approved_by: Mapped[str | None] = mapped_column(String(36))
    revoked_at: Mapped[dt.datetime | None] = mapped_column(UtcDateTime)
    last_seen_at: Mapped[dt.datetime | None] = mapped_column(UtcDateTime)
    # The highest sequence number handed out to the device in a pull, and the highest in its
    # push results (accepted or duplicate); NULL: not known (before migration 0005). A laptop
    # that holds more than these has synced with a later state of this database: it was
    # restored from an older backup (``wire.PullResponse.device_pulled_seq``).
    pulled_seq: Mapped[int | None] = mapped_column(BigInteger)
    pushed_seq: Mapped[int | None] = mapped_column(BigInteger)
    # The Welcome Desk version the device's last requests stated (``Welcome-Desk-Version``);
    # NULL: none stated yet (older versions, or before migration 0006). For the coordinator
    # to see which laptops need an update.
    app_version: Mapped[str | None] = mapped_column(String(32))
    # SHA-256 of the registration secret the laptop sent with its code (``wire.RegisterRequest``)
    # while the registration may be repeated; NULL once approved or revoked, or when none was
    # sent (laptops before migration 0007).
    registration_secret_hash: Mapped[str | None] = mapped_column(String(64))
    # The role a coordinator last approved the laptop for (``wire.LaptopRole``), as the keys
    # uploaded for it say; NULL: none yet (waiting, or approved before migration 0008).
    laptop_role: Mapped[str | None] = mapped_column(String(16))
    # When ``pulled_seq`` was last raised: the device was last handed records it lacked (NULL:
    # not since migration 0009). What a lost laptop could hold, it held by then.
    pulled_at: Mapped[dt.datetime | None] = mapped_column(UtcDateTime)
    # Counted as it was revoked (``SyncService.revoke``): the people whose records the device
    # had been handed by its last pull, or had sent itself. NULL: not revoked, or revoked
    # before migration 0009.
    people_at_revocation: Mapped[int | None] = mapped_column(Integer)
    # The coordinator's device that approved this one for coordinators (``SyncService.approve``),
    # or chose a coordinator's role for it once approved before roles (``_store_key``), and so
    # made it a coordinator's (``is_coordinator``); NULL: not a coordinator's, or one by a
    # coordinator's code (``enroll --coordinator``) or as the organisation's first. Cleared
    # when its role is lowered, which makes it a coordinator's no longer (migration 0010).
    coordinator_approved_by: Mapped[str | None] = mapped_column(String(36))
    # True: made a coordinator's by the coordinator's role chosen for it once approved before
    # roles (``_store_key``), not by its approval (``approve``); cleared with the column above
    # (migration 0011). NULL or false: by its approval, or not a coordinator's.
    coordinator_role_chosen: Mapped[bool | None] = mapped_column(Boolean)


class EnrollmentCode(Base):
    __tablename__ = "enrollment_codes"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    code_hash: Mapped[str] = mapped_column(String(64), nullable=False, unique=True)
    name: Mapped[str] = mapped_column(String(100), nullable=False)
    coordinator: Mapped[bool] = mapped_column(Boolean, nullable=False, default=False)
    created_at: Mapped[dt.datetime] = mapped_column(UtcDateTime, nullable=False)
    expires_at: Mapped[dt.datetime] = mapped_column(UtcDateTime, nullable=False)
    used_at: Mapped[dt.datetime | None] = mapped_column(UtcDateTime)
    used_by: Mapped[str | None] = mapped_column(String(36))
    # The coordinator's device that asked for the code (NULL: ``welcome-desk-server enroll``,
    # or issued before migration 0009).
    issued_by: Mapped[str | None] = mapped_column(String(36))


class StoredEnvelope(Base):
    __tablename__ = "envelopes"
    __table_args__ = (UniqueConstraint("record_id", "revision", name="uq_envelopes_record_rev"),)

    seq: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    record_id: Mapped[str] = mapped_column(String(36), nullable=False)
    kind: Mapped[str] = mapped_column(String(32), nullable=False)
    revision: Mapped[int] = mapped_column(BigInteger, nullable=False)
    key_id: Mapped[str] = mapped_column(String(64), nullable=False)
    nonce: Mapped[bytes] = mapped_column(LargeBinary, nullable=False)
    ciphertext: Mapped[bytes] = mapped_column(LargeBinary, nullable=False)
    author_device: Mapped[str] = mapped_column(String(36), ForeignKey("devices.id"), nullable=False)
    client_hlc: Mapped[str] = mapped_column(String(96), nullable=False)
    received_at: Mapped[dt.datetime] = mapped_column(UtcDateTime, nullable=False)
    # A tombstone of an erased record (``wire.Envelope.erases``): stored, it is the record's
    # only envelope (migration 0003).
    erases: Mapped[bool] = mapped_column(
        Boolean, nullable=False, default=False, server_default=false()
    )


class WrappedKey(Base):
    __tablename__ = "wrapped_keys"
    __table_args__ = (UniqueConstraint("device_id", "key_id", name="uq_wrapped_keys_device_key"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    device_id: Mapped[str] = mapped_column(String(36), ForeignKey("devices.id"), nullable=False)
    key_id: Mapped[str] = mapped_column(String(64), nullable=False)
    wrapped_key: Mapped[bytes] = mapped_column(LargeBinary, nullable=False)
    sender_public_key: Mapped[bytes] = mapped_column(LargeBinary, nullable=False)
    sender_device: Mapped[str] = mapped_column(String(36), nullable=False)
    created_at: Mapped[dt.datetime] = mapped_column(UtcDateTime, nullable=False)
    # ``wire.WrappedKeyIn.laptop_role``, handed back with the key (NULL: wrapped without one,
    # before migration 0008 or by an older Welcome Desk).
    laptop_role: Mapped[str | None] = mapped_column(String(16))
