"""A letter waiting in one laptop's print queue follows what another laptop records about
its referral (two laptops with real encrypted stores, a real server on 127.0.0.1): an
appointment made there reaches the printed letter and reads the same in both histories, a
referral closed there is not printed, a person erased there leaves no letter behind; a change
there to what no letter shows of the person (the notes) leaves it as it was queued."""

from __future__ import annotations

import datetime as dt

import pytest

from desktop_app.domain.referral import ReferralStatus
from desktop_app.storage.referrals_models import PrintJobRow
from desktop_app.usecases import data_rights, people, referrals
from desktop_app.usecases.accounts import Session
from tests.integration.sync_harness import Laptops, edit_person, referred_on_two_laptops
from tests.pdf_text import pdf_text as _text


def test_a_queued_letter_follows_the_referral_as_another_laptop_changes_it(
    laptops: Laptops,
) -> None:
    a, b, referral = referred_on_two_laptops(laptops)
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

    data_rights.erase_person(a.store, a.user, referral.person_id)
    laptops.sync(a, b)
    assert referrals.print_queue(b.store, b.user, include_printed=True) == []


def _kept(laptop: Session, job_id: str) -> tuple[str, bytes]:
    """The fingerprint and the PDF a queued letter keeps."""
    with laptop.store.reading() as db:
        row = db.get(PrintJobRow, job_id)
        assert row is not None
        return row.inputs, bytes(row.pdf)


def test_a_synced_change_the_letter_does_not_show_leaves_the_queued_letter_as_it_was(
    laptops: Laptops,
) -> None:
    """The notes changed on another laptop move the person's revision and clocks here too:
    neither is on the letter, so the queued letter is not even made again to compare it (its
    fingerprint stays the one it was queued with). A name changed there is on it: made again."""
    a, b, referral = referred_on_two_laptops(laptops, notes="kommt dienstags")
    pid = referral.person_id
    job = referrals.queue_for_printing(b.store, b.user, referral.id)
    queued = _kept(b, job)
    before = people.get_person(b.store, b.user, pid, log_view=False)

    edit_person(a, pid, notes="ruft erst nach 14 Uhr an")
    laptops.sync(a, b)
    after = people.get_person(b.store, b.user, pid, log_view=False)
    assert before is not None and after is not None
    assert after.notes == "ruft erst nach 14 Uhr an" and after.revision > before.revision
    assert after.updated_hlc != before.updated_hlc
    assert referrals.update_queued_letters(b.store, b.user) == 0
    assert _kept(b, job) == queued
    assert referrals.print_queue(b.store, b.user)[0].updated_at is None

    edit_person(a, pid, given_name="Mariya")
    laptops.sync(a, b)
    assert referrals.update_queued_letters(b.store, b.user) == 1
    assert _kept(b, job)[0] != queued[0]
    assert "Bună ziua, Mariya!" in _text(referrals.print_job_pdf(b.store, b.user, job))
