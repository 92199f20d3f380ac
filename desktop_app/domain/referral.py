"""Referrals of a person to a service, their follow-up status, and the letterhead of the letters."""

from __future__ import annotations

import datetime as dt
import enum
import uuid
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from types import MappingProxyType
from typing import ClassVar

from desktop_app.domain.fingerprints import fingerprint_text
from desktop_app.domain.service import ServiceAsIssued
from desktop_app.domain.validation import FieldError

#: Reason id for referrals whose reason is only the advisor's free text (``reason_note``).
OTHER_REASON = "other"

_CROCKFORD = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"  # no I, L, O, U: easy to read out on the phone


class ReferralStatus(enum.StrEnum):
    ISSUED = "issued"
    APPOINTMENT_MADE = "appointment_made"
    ATTENDED = "attended"
    OUTCOME_NOTED = "outcome_noted"
    CLOSED = "closed"


_ORDER = list(ReferralStatus)

#: An appointment further ahead than this is a slip of the year (2062 for 2026), not a plan.
APPOINTMENT_MAX_AHEAD_YEARS = 2


def appointment_errors(
    appointment: dt.datetime, issued: dt.datetime, today: dt.date
) -> list[FieldError]:
    """Field errors of an appointment recorded for a referral issued at ``issued``: not before
    the day of issue (the person went there with the letter), nor years ahead."""
    if appointment.date() < issued.date():
        return [FieldError("appointment", "appointment_before_issue")]
    try:
        latest = today.replace(year=today.year + APPOINTMENT_MAX_AHEAD_YEARS)
    except ValueError:  # 29 February
        latest = today.replace(year=today.year + APPOINTMENT_MAX_AHEAD_YEARS, day=28)
    if appointment.date() > latest:
        return [
            FieldError(
                "appointment", "appointment_too_far_ahead", {"years": APPOINTMENT_MAX_AHEAD_YEARS}
            )
        ]
    return []


class ReferralStatusError(ValueError):
    """A status change that goes backwards; ``code`` is a message key."""

    def __init__(self, current: ReferralStatus, wanted: ReferralStatus) -> None:
        super().__init__(f"referral.status_backwards: {current} -> {wanted}")
        self.code = "referral.status_backwards"


def reference_number(referral_id: str, created_at: dt.datetime) -> str:
    """``WD-<year>-<month>-<8 characters>``: unique per referral, readable over the phone.

    The short part is 40 bits of the referral's UUID in Crockford base32, so two referrals of
    the same month share it only with a chance of about 1 in 10^12 per pair.
    """
    value = uuid.UUID(referral_id).int >> 88  # top 40 bits
    chars = []
    for _ in range(8):
        chars.append(_CROCKFORD[value & 31])
        value >>= 5
    return f"WD-{created_at.year:04d}-{created_at.month:02d}-{''.join(reversed(chars))}"


@dataclass(frozen=True)
class Referral:
    """One referral as issued by an advisor; the letter is rendered from it."""

    id: str
    person_id: str
    service_id: str
    #: id of a referral reason from ``resources/letters/reasons.yaml`` (or ``OTHER_REASON``)
    reason: str
    created_at: dt.datetime
    reference: str
    advisor_name: str
    advisor_phone: str = ""
    advisor_email: str = ""
    #: the advisor's own words, added to the letter (required when ``reason == OTHER_REASON``)
    reason_note: str = ""
    appointment: dt.datetime | None = None
    contact_person: str = ""
    #: ids of the document catalogue, or free text the advisor typed
    documents: tuple[str, ...] = ()
    status: ReferralStatus = ReferralStatus.ISSUED
    follow_up: dt.date | None = None
    outcome: str = ""
    status_changed_at: dt.datetime | None = None
    #: the advisor who signed it off (a helper prepares, an advisor signs; advisors' own
    #: referrals are signed off as they are issued); empty while it waits for sign-off
    signed_off_by: str = ""
    signed_off_at: dt.datetime | None = None
    #: issued as a draft (by a helper, for an advisor to sign off), not as an advisor's own
    #: (signed off as it is issued): set once, when it is made, and never changed
    issued_as_draft: bool = False
    #: what its letter said of the service when it was first given to the person (printed or
    #: saved as a PDF); None until then, and for referrals given before it was kept
    service_as_issued: ServiceAsIssued | None = None

    #: The fields a queued letter's fingerprint takes the referral by, in this order (written
    #: as the dataclass's repr wrote them when the fingerprint was the repr, so that letters
    #: queued then keep theirs: ``domain.fingerprints``), and those it leaves out. A new field
    #: is in one of the two by a decision (tests/unit/letters/test_letter_fingerprint_inputs.py).
    FINGERPRINT: ClassVar[tuple[str, ...]] = (
        "id",
        "person_id",
        "service_id",
        "reason",
        "created_at",
        "reference",
        "advisor_name",
        "advisor_phone",
        "advisor_email",
        "reason_note",
        "appointment",
        "contact_person",
        "documents",
        "status",
        "follow_up",
        "outcome",
        "status_changed_at",
        "signed_off_by",
        "signed_off_at",
    )
    #: Fields of ``FINGERPRINT`` written with these values whatever the referral's are: the
    #: status bookkeeping, which the letter never shows (a status change alone must not flag
    #: a queued letter as updated), kept in its place in the text as it was.
    FINGERPRINT_AS_ISSUED: ClassVar[Mapping[str, object]] = MappingProxyType(
        {
            "status": ReferralStatus.ISSUED,
            "follow_up": None,
            "outcome": "",
            "status_changed_at": None,
        }
    )
    #: Out: whether it was issued as a draft is not on the letter (whether it is signed off
    #: is, and what that changes enters the digest on its own: ``signed_off_by_another``).
    #: Out too: the service as issued, which the letter shows through the service it is
    #: rendered with (``ServiceAsIssued.applied_to``), whose fingerprint is in.
    NOT_IN_FINGERPRINT: ClassVar[tuple[str, ...]] = ("issued_as_draft", "service_as_issued")

    def fingerprint(self) -> str:
        return fingerprint_text(self, self.FINGERPRINT, self.FINGERPRINT_AS_ISSUED)

    @property
    def signed_off(self) -> bool:
        return self.signed_off_at is not None

    @property
    def signed_off_by_another(self) -> bool:
        """Signed off by another account than the one that prepared it: an advisor signed off
        a helper's draft. Its letter names that advisor as the contact who answers for it (the
        helper is not named on the signed letter, nor the phone and e-mail the referral holds,
        the helper's); an unsigned draft names the helper.

        Told by what the referral was issued as, not by the names: a helper and the advisor
        who signs off may have the same display name, and the letter then gave the helper's
        phone and e-mail as the advisor's. The referral keeps no account ids (accounts are
        this laptop's, and do not sync; it holds the names the letters print), but a draft
        is issued by an account that may not sign off (``issued_as_draft``, set once and
        synced) and signed off only by one that may: another account, short of one whose
        role was raised between the two."""
        return self.signed_off and self.issued_as_draft and bool(self.signed_off_by)

    def with_status(
        self, status: ReferralStatus, at: dt.datetime, *, outcome: str | None = None
    ) -> Referral:
        """The referral moved on to ``status``; backwards is refused (closing is always allowed)."""
        if status is not ReferralStatus.CLOSED and _ORDER.index(status) < _ORDER.index(self.status):
            raise ReferralStatusError(self.status, status)
        return replace(
            self,
            status=status,
            status_changed_at=at,
            outcome=self.outcome if outcome is None else outcome,
        )

    def follow_up_due(self, today: dt.date) -> bool:
        return (
            self.status is not ReferralStatus.CLOSED
            and self.follow_up is not None
            and self.follow_up <= today
        )


#: How long after the appointment (or the day of issue, without one) to ask how it went.
FOLLOW_UP_AFTER = dt.timedelta(days=14)


def default_follow_up(
    issued: dt.datetime,
    appointment: dt.datetime | None,
    after: dt.timedelta = FOLLOW_UP_AFTER,
) -> dt.date:
    """The follow-up date a referral gets: ``after`` past the appointment, or past the day of
    issue when there is no appointment yet. The one rule for issuing and for an appointment
    recorded later (the status dialog proposes it)."""
    return (appointment.date() if appointment else issued.date()) + after


def new_referral(
    *,
    person_id: str,
    service_id: str,
    reason: str,
    advisor_name: str,
    created_at: dt.datetime,
    advisor_phone: str = "",
    advisor_email: str = "",
    reason_note: str = "",
    appointment: dt.datetime | None = None,
    contact_person: str = "",
    documents: tuple[str, ...] = (),
    follow_up: dt.date | None = None,
    follow_up_after: dt.timedelta = FOLLOW_UP_AFTER,
    issued_as_draft: bool = False,
) -> Referral:
    """A freshly issued referral with a new id and its reference number; ``issued_as_draft``
    for one a helper prepares for an advisor to sign off.

    The follow-up date defaults to ``follow_up_after`` past the appointment, or past the day of
    issue when there is no appointment yet.
    """
    referral_id = str(uuid.uuid4())
    if follow_up is None:
        follow_up = default_follow_up(created_at, appointment, follow_up_after)
    return Referral(
        id=referral_id,
        person_id=person_id,
        service_id=service_id,
        reason=reason,
        created_at=created_at,
        reference=reference_number(referral_id, created_at),
        advisor_name=advisor_name,
        advisor_phone=advisor_phone,
        advisor_email=advisor_email,
        reason_note=reason_note,
        appointment=appointment,
        contact_person=contact_person,
        documents=documents,
        follow_up=follow_up,
        issued_as_draft=issued_as_draft,
    )


@dataclass(frozen=True)
class Organisation:
    """The letterhead: who sends referral letters. Edited in the app's settings."""

    name: str
    address_lines: tuple[str, ...] = ()
    phone: str = ""
    email: str = ""
    web: str = ""
    #: a PNG or JPEG file (the shipped letterhead's), or where ``logo`` was taken from;
    #: ``None`` with no ``logo`` prints the name only
    logo_path: str | None = None
    #: second line under the name, e.g. the programme or funder
    subtitle: str = ""
    #: the logo as the store keeps it (a PNG), drawn rather than ``logo_path``'s file, which
    #: then only names where it was taken from; ``None``: the file, if any. Not in the repr:
    #: up to 128 KB in a log line or a traceback.
    logo: bytes | None = field(default=None, repr=False)

    #: The fields a queued letter's fingerprint takes the letterhead by, in this order
    #: (written as the dataclass's repr wrote them: ``domain.fingerprints``), and those it
    #: leaves out. The logo enters by what it looks like, not by where it was taken from:
    #: its digest is written in ``logo_path``'s place (:meth:`fingerprint`), ``logo`` itself not.
    FINGERPRINT: ClassVar[tuple[str, ...]] = (
        "name",
        "address_lines",
        "phone",
        "email",
        "web",
        "logo_path",
        "subtitle",
    )
    NOT_IN_FINGERPRINT: ClassVar[tuple[str, ...]] = ("logo",)

    def fingerprint(self, logo: str | None) -> str:
        """The text a queued letter's fingerprint takes the letterhead from, with ``logo``,
        the digest of what the logo looks like (None: no logo), in ``logo_path``'s place:
        another logo kept (or a new one saved over the shipped one's file) is another
        letter, the same one from another folder the same."""
        return fingerprint_text(self, self.FINGERPRINT, {"logo_path": logo})

    @property
    def return_address(self) -> str:
        """The one-line sender line above the window address (``Name · Street · Town``)."""
        return " · ".join(part for part in (self.name, *self.address_lines) if part)
