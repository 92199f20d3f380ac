"""A referral's letter given on one laptop reaches the others with what it said of the service
(two laptops with real encrypted stores, a real server on 127.0.0.1): after the job centre's move
is published, the other laptop reopens the letter as it was given and is told the address
changed; a status step made there leaves it as it was on both."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from desktop_app.domain.referral import ReferralStatus
from desktop_app.usecases import referrals
from tests.integration.sync_harness import Laptops, referred_on_two_laptops
from tests.pdf_text import pdf_text
from tests.unit.test_service_as_issued import NEW_STREET, OLD_STREET, _moved


def test_the_letter_given_on_one_laptop_reads_the_same_on_the_other_after_the_move(
    laptops: Laptops, tmp_path: Path
) -> None:
    a, b, referral = referred_on_two_laptops(laptops)
    given = referrals.make_letter(a.store, a.user, referral.id)
    today = dt.date.today()
    referrals.record_letter_output(
        a.store, a.user, referral.id, "print", "ro", shown=given, today=today
    )
    _moved(a, tmp_path / "moved")  # A is the coordinator's laptop: published
    laptops.sync(a, b)

    there = referrals.make_letter(b.store, b.user, referral.id)
    assert OLD_STREET in pdf_text(there.pdf) and NEW_STREET not in pdf_text(there.pdf)
    assert there.pdf == given.pdf
    assert (there.changed_since_issue, there.issued_on) == (("address",), today)
    referrals.change_status(b.store, b.user, referral.id, ReferralStatus.ATTENDED, "war da")
    laptops.sync(b, a)
    for laptop in (a, b):
        kept = referrals.get_referral(laptop.store, laptop.user, referral.id)
        assert kept.status is ReferralStatus.ATTENDED
        assert kept.service_as_issued is not None
        assert kept.service_as_issued.address.street == OLD_STREET
    # a new referral on the other laptop takes the entry as it is now
    new = referrals.issue_referral(
        b.store, b.user, referral.person_id, "jobcenter", "job_search", client_lang="ro"
    )
    assert NEW_STREET in pdf_text(referrals.make_letter(b.store, b.user, new.id).pdf)
