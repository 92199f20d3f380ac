"""Referrals and print jobs in the store: rows to domain objects and back."""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass, replace
from typing import Any

from sqlalchemy import ColumnElement, func, select
from sqlalchemy.orm import Session

from desktop_app.domain.hlc import history_step_time
from desktop_app.domain.referral import Referral, ReferralStatus
from desktop_app.domain.service import ServiceAsIssued
from desktop_app.storage.referrals_models import PrintJobRow, ReferralRow


@dataclass(frozen=True)
class StatusChange:
    """One step in a referral's history: who moved it to which status, when."""

    status: ReferralStatus
    at: dt.datetime
    by: str
    outcome: str = ""
    #: what the step did to the appointment: "set" (there was none), "moved", "removed";
    #: empty where it left it as it was (and in steps recorded before this was kept)
    appointment_change: str = ""
    #: the appointment after the step ("set", "moved"); None where removed or unchanged
    appointment: dt.datetime | None = None
    #: the laptop's hybrid-logical-clock time of the step: orders the steps as they were made
    #: (``at`` is the laptop's wall clock, to the second, and may be minutes off) and tells two
    #: alike steps apart; empty in steps recorded before it was kept
    hlc: str = ""


APPOINTMENT_CHANGES = ("set", "moved", "removed")


def appointment_change(
    before: dt.datetime | None, after: dt.datetime | None
) -> tuple[str, dt.datetime | None]:
    """What a step did to the appointment, as its history entry keeps it (decided once, by
    the laptop that made the step: every laptop then shows the same)."""
    if before == after:
        return "", None
    if after is None:
        return "removed", None
    return ("set" if before is None else "moved"), after


def _dt(text: str) -> dt.datetime | None:
    return dt.datetime.fromisoformat(text) if text else None


def _iso(value: dt.datetime | dt.date | None) -> str:
    return value.isoformat() if value is not None else ""


def to_referral(row: ReferralRow) -> Referral:
    created = _dt(row.created_at)
    assert created is not None  # the column is NOT NULL and always written
    return Referral(
        id=row.id,
        person_id=row.person_id,
        service_id=row.service_id,
        reason=row.reason,
        created_at=created,
        reference=row.reference,
        advisor_name=row.advisor_name,
        advisor_phone=row.advisor_phone,
        advisor_email=row.advisor_email,
        reason_note=row.reason_note,
        appointment=_dt(row.appointment),
        contact_person=row.contact_person,
        documents=tuple(json.loads(row.documents or "[]")),
        status=ReferralStatus(row.status),
        follow_up=dt.date.fromisoformat(row.follow_up) if row.follow_up else None,
        outcome=row.outcome,
        status_changed_at=_dt(row.status_changed_at),
        signed_off_by=row.signed_off_by,
        signed_off_at=_dt(row.signed_off_at),
        issued_as_draft=row.issued_as_draft,
        service_as_issued=service_as_issued(row.service_as_issued),
    )


def service_as_issued(text: str) -> ServiceAsIssued | None:
    """A stored ``ServiceAsIssued`` (a referral's, a print job's) read back; None for none."""
    if not text:
        return None
    try:
        return ServiceAsIssued.from_data(json.loads(text))
    except ValueError:
        return None


def service_as_issued_json(service: ServiceAsIssued | None) -> str:
    """``service`` as a referral or a print job stores it ("" for none)."""
    if service is None:
        return ""
    return json.dumps(service.to_data(), ensure_ascii=False, sort_keys=True)


def referral_columns(referral: Referral) -> dict[str, Any]:
    """The referral's own fields as column values (without sync metadata)."""
    return {
        "id": referral.id,
        "person_id": referral.person_id,
        "service_id": referral.service_id,
        "reason": referral.reason,
        "reason_note": referral.reason_note,
        "created_at": _iso(referral.created_at),
        "reference": referral.reference,
        "advisor_name": referral.advisor_name,
        "advisor_phone": referral.advisor_phone,
        "advisor_email": referral.advisor_email,
        "appointment": _iso(referral.appointment),
        "contact_person": referral.contact_person,
        "documents": json.dumps(list(referral.documents), ensure_ascii=False),
        "status": referral.status.value,
        "follow_up": _iso(referral.follow_up),
        "outcome": referral.outcome,
        "status_changed_at": _iso(referral.status_changed_at),
        "signed_off_by": referral.signed_off_by,
        "signed_off_at": _iso(referral.signed_off_at),
        "issued_as_draft": referral.issued_as_draft,
        "service_as_issued": service_as_issued_json(referral.service_as_issued),
    }


def history_of(row: ReferralRow) -> list[StatusChange]:
    """The referral's steps in the order they were made (:func:`history_step_time`: by their
    clocks), the same on every laptop: a step made after one a sync brought comes after it,
    even where this laptop's wall clock (its ``at``) runs behind the other's. Steps without a
    clock within one second keep the stored order (the order made on the laptop that made
    them; a sync's merge orders them by text)."""
    entries = json.loads(row.status_history or "[]")
    changes = []
    for entry in sorted(entries, key=history_step_time):  # stable
        at = _dt(entry["at"])
        assert at is not None
        change = entry.get("appointment_change", "")
        appointment = entry.get("appointment", "")
        clock = entry.get("hlc", "")
        changes.append(
            StatusChange(
                ReferralStatus(entry["status"]),
                at,
                entry["by"],
                entry.get("outcome", ""),
                change if change in APPOINTMENT_CHANGES else "",
                _dt(appointment) if isinstance(appointment, str) else None,
                clock if isinstance(clock, str) else "",
            )
        )
    # A version before the appointment (or the step's clock) was kept writes the history back
    # without it, and a sync then holds the step twice (the merge keeps both texts): shown
    # once, with it. A step with a clock is always a step of its own.
    detailed = {(c.status, c.at, c.by, c.outcome) for c in changes if c.appointment_change}
    clocked = {replace(c, hlc="") for c in changes if c.hlc}
    return [c for c in changes if c.hlc or not _twin(c, detailed, clocked)]


def _twin(
    change: StatusChange,
    detailed: set[tuple[ReferralStatus, dt.datetime, str, str]],
    clocked: set[StatusChange],
) -> bool:
    """Whether a step without a clock is another step written back by an older version."""
    if change in clocked:
        return True
    return not change.appointment_change and (
        (change.status, change.at, change.by, change.outcome) in detailed
    )


def history_json(changes: list[StatusChange]) -> str:
    entries: list[dict[str, str]] = []
    for c in changes:
        entry = {"status": c.status.value, "at": _iso(c.at), "by": c.by, "outcome": c.outcome}
        if c.appointment_change:  # only then: the steps before keep their text (and sync key)
            entry["appointment_change"] = c.appointment_change
            entry["appointment"] = _iso(c.appointment)
        if c.hlc:  # likewise
            entry["hlc"] = c.hlc
        entries.append(entry)
    return json.dumps(entries, ensure_ascii=False)


class ReferralRepository:
    """Reads referral rows inside a caller's transaction."""

    def __init__(self, session: Session) -> None:
        self.session = session

    def row(self, referral_id: str) -> ReferralRow | None:
        row = self.session.get(ReferralRow, referral_id)
        return None if row is None or row.deleted else row

    def reference_taken(self, reference: str) -> bool:
        found = self.session.scalar(
            select(ReferralRow.id).where(ReferralRow.reference == reference)
        )
        return found is not None

    def of_person(self, person_id: str) -> list[ReferralRow]:
        stmt = (
            select(ReferralRow)
            .where(ReferralRow.person_id == person_id, ReferralRow.deleted.is_(False))
            .order_by(ReferralRow.created_at.desc())
        )
        return list(self.session.scalars(stmt))

    @staticmethod
    def _due_on(today: dt.date) -> tuple[ColumnElement[bool], ...]:
        return (
            ReferralRow.deleted.is_(False),
            ReferralRow.status != ReferralStatus.CLOSED.value,
            ReferralRow.follow_up != "",
            ReferralRow.follow_up <= today.isoformat(),
        )

    def due(self, today: dt.date) -> list[ReferralRow]:
        stmt = (
            select(ReferralRow)
            .where(*self._due_on(today))
            .order_by(ReferralRow.follow_up, ReferralRow.created_at)
        )
        return list(self.session.scalars(stmt))

    def count_due(self, today: dt.date) -> int:
        """How many ``due`` would list."""
        stmt = select(func.count()).select_from(ReferralRow).where(*self._due_on(today))
        return int(self.session.scalar(stmt) or 0)

    @staticmethod
    def _awaiting_sign_off() -> tuple[ColumnElement[bool], ...]:
        # a closed draft awaits nothing: it cannot be signed off
        return (
            ReferralRow.deleted.is_(False),
            ReferralRow.status != ReferralStatus.CLOSED.value,
            ReferralRow.signed_off_at == "",
        )

    def awaiting_sign_off(self) -> list[ReferralRow]:
        """Drafts (a helper's referrals) not signed off yet, nor closed: the oldest first."""
        stmt = (
            select(ReferralRow)
            .where(*self._awaiting_sign_off())
            .order_by(ReferralRow.created_at, ReferralRow.id)
        )
        return list(self.session.scalars(stmt))

    def count_awaiting_sign_off(self) -> int:
        """How many ``awaiting_sign_off`` would list."""
        stmt = select(func.count()).select_from(ReferralRow).where(*self._awaiting_sign_off())
        return int(self.session.scalar(stmt) or 0)

    def print_jobs(self, *, include_printed: bool = False) -> list[PrintJobRow]:
        stmt = select(PrintJobRow).order_by(PrintJobRow.created_at, PrintJobRow.id)
        if not include_printed:
            stmt = stmt.where(PrintJobRow.state == "queued")
        return list(self.session.scalars(stmt))
