"""Tables of the security feature: the hash-chained audit log and cases opened to helpers."""

from __future__ import annotations

from sqlalchemy import Boolean, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from desktop_app.storage.models import Base, SyncMixin


class AuditRow(Base):
    """One audit entry. Append-only: never updated; ``hash`` chains it to the device's previous.

    ``details`` is a JSON object of non-personal facts (field names, counts, a language code);
    the person appears only as ``record_id``.
    """

    __tablename__ = "audit_log"
    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    # Per device: the chain is one device's sequence, so entries synced in from other laptops
    # keep their own chains intact.
    seq: Mapped[int] = mapped_column(Integer, nullable=False)
    at: Mapped[str] = mapped_column(String(64), nullable=False)  # HLC
    user_id: Mapped[str] = mapped_column(String(36), nullable=False)
    device_id: Mapped[str] = mapped_column(String(36), nullable=False)
    action: Mapped[str] = mapped_column(String(20), nullable=False)
    record_kind: Mapped[str] = mapped_column(String(40), nullable=False)
    record_id: Mapped[str] = mapped_column(String(36), nullable=False)
    details: Mapped[str] = mapped_column(Text, nullable=False, default="{}")
    prev_hash: Mapped[str] = mapped_column(String(64), nullable=False)
    hash: Mapped[str] = mapped_column(String(64), nullable=False)

    __table_args__ = (
        UniqueConstraint("device_id", "seq", name="uq_audit_device_seq"),
        Index("ix_audit_record", "record_id", "at"),
        Index("ix_audit_at", "at"),
    )


class CaseOpeningRow(Base, SyncMixin):
    """An advisor opened a person's restricted sections of one kind to one helper.

    Closing them again sets ``opened`` false: an ordinary field, merged by its clock like any
    other, so opening them again later holds on every laptop. (Versions before it deleted the
    record to close, and a deletion cannot be undone by a merge.) ``deleted`` is an erasure.
    """

    __tablename__ = "case_openings"
    person_id: Mapped[str] = mapped_column(String(36), nullable=False)
    helper_id: Mapped[str] = mapped_column(String(36), nullable=False)
    kind: Mapped[str] = mapped_column(String(20), nullable=False)
    opened: Mapped[bool] = mapped_column(Boolean, nullable=False, default=True)

    __table_args__ = (Index("ix_case_openings_person", "person_id", "helper_id"),)
