"""A letter waiting in one laptop's print queue follows what another laptop records about
its referral (two laptops with real encrypted stores, a real server on 127.0.0.1): an
appointment made there reaches the printed letter and reads the same in both histories, a
referral closed there is not printed, a person erased there leaves no letter behind."""

from __future__ import annotations

import datetime as dt

import pytest

from desktop_app.domain.referral import ReferralStatus
from desktop_app.usecases import data_rights, referrals
from tests.integration.sync_harness import Laptops, add_person
from tests.pdf_text import pdf_text as _text


def test_a_queued_letter_follows_the_referral_as_another_laptop_changes_it(
    laptops: Laptops,
) -> None:
    a, b = laptops.new("A"), laptops.new("B")
    pid = add_person(a, "Maria", "Ivanova", "1990")
    referral = referrals.issue_referral(
        a.store, a.user, pid, "jobcenter", "buergergeld", client_lang="ro"
    )
    laptops.sync(a, b)
    job = referrals.queue_for_printing(b.store, b.user, referral.id)
    assert "Încă nu aveți o programare" in _text(referrals.print_job_pdf(b.store, b.user, job))

    when = dt.datetime.combine(dt.date.today() + dt.timedelta(days=7), dt.time(10, 0))
    referrals.change_status(
        a.store, a.user, referral.id, ReferralStatus.APPOINTMENT_MADE, appointment=when
    )
    laptops.sync(a, b)
    assert referrals.update_queued_letters(b.store, b.user) == 1
    [queued] = referrals.print_queue(b.store, b.user)
    assert queued.updated_at is not None
    letter = _text(referrals.print_job_pdf(b.store, b.user, job))
    assert f"ora {when:%H:%M}" in letter and "Încă nu aveți o programare" not in letter
    # every laptop shows the step as the one that made it recorded it
    there = referrals.status_history(a.store, a.user, referral.id)
    here = referrals.status_history(b.store, b.user, referral.id)
    assert here == there
    assert (here[-1].appointment_change, here[-1].appointment) == ("set", when)

    referrals.change_status(a.store, a.user, referral.id, ReferralStatus.CLOSED, "moved away")
    laptops.sync(a, b)
    assert referrals.print_queue(b.store, b.user)[0].closed
    with pytest.raises(referrals.LetterWithdrawn):
        referrals.print_job_pdf(b.store, b.user, job)

    data_rights.erase_person(a.store, a.user, pid)
    laptops.sync(a, b)
    assert referrals.print_queue(b.store, b.user, include_printed=True) == []
