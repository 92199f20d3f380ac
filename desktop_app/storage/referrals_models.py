"""Tables of referrals (synced, with their status history) and of this laptop's print queue."""

from __future__ import annotations

from sqlalchemy import Boolean, ForeignKey, Index, LargeBinary, String, Text, false
from sqlalchemy.orm import Mapped, mapped_column

from desktop_app.storage.models import Base, SyncMixin


class ReferralRow(Base, SyncMixin):
    """One referral as issued, with its follow-up status; dates and times as ISO text."""

    __tablename__ = "referrals"
    person_id: Mapped[str] = mapped_column(String(36), nullable=False)
    service_id: Mapped[str] = mapped_column(String(80), nullable=False)
    reason: Mapped[str] = mapped_column(String(80), nullable=False)
    reason_note: Mapped[str] = mapped_column(Text, nullable=False, default="")
    created_at: Mapped[str] = mapped_column(String(32), nullable=False)
    reference: Mapped[str] = mapped_column(String(40), nullable=False, unique=True)
    advisor_name: Mapped[str] = mapped_column(String(200), nullable=False)
    advisor_phone: Mapped[str] = mapped_column(String(40), nullable=False, default="")
    advisor_email: Mapped[str] = mapped_column(String(200), nullable=False, default="")
    appointment: Mapped[str] = mapped_column(String(32), nullable=False, default="")
    contact_person: Mapped[str] = mapped_column(String(200), nullable=False, default="")
    # JSON list: document catalogue ids or the advisor's free text
    documents: Mapped[str] = mapped_column(Text, nullable=False, default="[]")
    client_lang: Mapped[str] = mapped_column(String(8), nullable=False, default="de")
    status: Mapped[str] = mapped_column(String(20), nullable=False)
    follow_up: Mapped[str] = mapped_column(String(10), nullable=False, default="")
    outcome: Mapped[str] = mapped_column(Text, nullable=False, default="")
    status_changed_at: Mapped[str] = mapped_column(String(32), nullable=False, default="")
    signed_off_by: Mapped[str] = mapped_column(String(200), nullable=False, default="")
    signed_off_at: Mapped[str] = mapped_column(String(32), nullable=False, default="")
    # Prepared by a helper for an advisor to sign off (not an advisor's own, signed off as it
    # was issued): set when the referral is made, never changed (migration issued_as_draft).
    # A default of the database's, not of Python's: a Core insert that does not name it (the
    # demo's rows, also into a store of a version before the column) leaves it out.
    issued_as_draft: Mapped[bool] = mapped_column(Boolean, nullable=False, server_default=false())
    # What the letter said of the service when it was first given to the person (printed or
    # saved as a PDF): a JSON object (``ServiceAsIssued.to_data``), written once, then and only
    # then; "" before (a queued letter follows the directory) and for referrals given before
    # it was kept (migration 0040, service_as_issued). The database's default, as
    # issued_as_draft's: the demo's Core inserts leave it out, also into a store before it.
    service_as_issued: Mapped[str] = mapped_column(Text, nullable=False, server_default="")
    # JSON list of {"status", "at", "by", "outcome"}: every step, for the case history
    status_history: Mapped[str] = mapped_column(Text, nullable=False, default="[]")

    __table_args__ = (
        Index("ix_referrals_person", "person_id", "created_at"),
        Index("ix_referrals_follow_up", "deleted", "status", "follow_up"),
        # Referrals by the day they were made, covering what the reports count. On its table,
        # not in reports_models: a table module importing another goes round models.py (which
        # imports every table module) into a half-loaded module when imported first.
        Index("ix_referrals_created", "created_at", "deleted", "status", "service_id"),
    )


class PrintJobRow(Base):
    """A letter waiting for a printer on this laptop. Local only: the PDF never leaves the store."""

    __tablename__ = "print_queue"
    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    referral_id: Mapped[str] = mapped_column(
        String(36), ForeignKey("referrals.id", ondelete="CASCADE"), nullable=False
    )
    client_lang: Mapped[str] = mapped_column(String(8), nullable=False)
    pdf: Mapped[bytes] = mapped_column(LargeBinary, nullable=False)
    created_at: Mapped[str] = mapped_column(String(32), nullable=False)
    # "queued" until printed; the PDF bytes are dropped once printed (the letter can be rendered
    # again from the referral), so the store keeps no needless copies of personal data
    state: Mapped[str] = mapped_column(String(10), nullable=False, default="queued")
    printed_at: Mapped[str] = mapped_column(String(32), nullable=False, default="")
    # A fingerprint of what the letter was rendered from (referral, person, service, letterhead,
    # consent, life situation): when it changes the letter is rendered again before printing.
    # Empty for letters queued before it was kept: rendered again, and compared, once.
    inputs: Mapped[str] = mapped_column(String(64), nullable=False, default="")
    # when the letter was last rendered again and came out different; empty: as queued
    updated_at: Mapped[str] = mapped_column(String(32), nullable=False, default="")
    # What the letter kept says of the service (``ServiceAsIssued.to_data`` as JSON), kept
    # with the PDF: printed, it is what the referral keeps as given (a letter to a service
    # taken out of the directory since prints as queued, the entry no longer in force).
    service: Mapped[str] = mapped_column(Text, nullable=False, server_default="")

    __table_args__ = (Index("ix_print_queue_state", "state", "created_at"),)
