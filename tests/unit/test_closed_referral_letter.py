"""The letter of a closed referral leaves the app no more: not printed, saved or queued from
the preview (the print queue withdraws a queued one likewise). It can still be looked at."""

from __future__ import annotations

import json

import pytest
from sqlalchemy import select

from desktop_app.domain.referral import ReferralStatus
from desktop_app.storage.audit_models import AuditRow
from desktop_app.storage.referrals_models import PrintJobRow
from desktop_app.usecases import referrals as uc
from desktop_app.usecases.accounts import Session
from tests.unit.test_referrals import _issue, _person


def _letter_entries(session: Session) -> list[dict[str, object]]:
    with session.store.reading() as db:
        details = db.scalars(select(AuditRow.details).where(AuditRow.record_kind == "letter"))
        return [json.loads(d) for d in details]


def test_a_letter_shown_before_the_referral_was_closed_does_not_leave_the_app(
    session: Session,
) -> None:
    referral = _issue(session, _person(session))
    shown = uc.make_letter(session.store, session.user, referral.id)
    assert not shown.closed
    assert uc.current_letter(session.store, session.user, shown) == shown
    # closed while the preview was open (here, or on another laptop and synced): the letter
    # shows nothing the status changes, yet it is not printed or saved any more
    uc.change_status(session.store, session.user, referral.id, ReferralStatus.CLOSED)
    with pytest.raises(uc.ReferralClosed) as raised:
        uc.current_letter(session.store, session.user, shown)
    assert raised.value.referral_id == referral.id
    with pytest.raises(uc.ReferralClosed):
        uc.queue_for_printing(session.store, session.user, referral.id, "bg")
    with session.store.reading() as db:
        assert db.scalars(select(PrintJobRow.id)).all() == []
    # nothing went out: no PRINT entry (via queue) in the audit log
    assert not any(entry.get("via") for entry in _letter_entries(session))


def test_the_letter_of_a_closed_referral_is_made_to_be_looked_at_and_says_it_is_closed(
    session: Session,
) -> None:
    referral = _issue(session, _person(session))
    uc.change_status(session.store, session.user, referral.id, ReferralStatus.CLOSED)
    letter = uc.make_letter(session.store, session.user, referral.id, "ro")
    assert letter.closed and letter.pdf.startswith(b"%PDF")
    assert [e.get("lang") for e in _letter_entries(session)] == ["ro"]  # its view logged
    with pytest.raises(uc.ReferralClosed):
        uc.current_letter(session.store, session.user, letter)
