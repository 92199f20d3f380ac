"""Sample letters for every service, reference numbers and the follow-up status of referrals."""

from __future__ import annotations

import datetime as dt
import io
import re
from pathlib import Path

import pypdf
import pytest

from desktop_app.domain.referral import ReferralStatus, ReferralStatusError, new_referral
from desktop_app.letters.samples import demo_letters, write_samples
from tests.unit.letters.letter_helpers import DIRECTORY, MM, flat, plumber


def _all_text_inside_page(pdf: bytes) -> None:
    with plumber(pdf) as doc:
        for page in doc.pages:
            assert (page.width, page.height) == pytest.approx((210 * MM, 297 * MM), abs=0.1)
            for ch in page.chars:
                assert ch["x0"] >= 15 * MM and ch["x1"] <= page.width - 15 * MM
                assert ch["top"] >= 10 * MM and ch["bottom"] <= page.height - 10 * MM


def test_write_samples_makes_one_letter_per_service_and_language(tmp_path: Path) -> None:
    paths = write_samples(tmp_path / "out")
    assert len(paths) == 2 * len(DIRECTORY.services)
    assert {p.name for p in paths} >= {"jobcenter_bg.pdf", "vhs_ro.pdf"}
    for path in paths:
        reader = pypdf.PdfReader(io.BytesIO(path.read_bytes()))
        assert len(reader.pages) >= 2
        copy = flat(reader.pages[-1].extract_text() or "")
        _all_text_inside_page(path.read_bytes())
        if path.stem.endswith("_bg"):
            assert "Здравейте" in copy
        else:
            assert "Bună ziua" in copy


@pytest.mark.parametrize("today", [dt.date(2026, 11, 25) + dt.timedelta(days=d) for d in range(7)])
def test_sample_appointments_fall_on_weekday_mornings(today: dt.date) -> None:
    for letter in demo_letters(today=today):
        when = letter.referral.appointment
        if when is not None:
            assert when.weekday() < 5 and dt.time(9) <= when.time() <= dt.time(11, 30), when


def test_reference_numbers_are_unique_and_readable() -> None:
    created = dt.datetime(2026, 11, 25, 9, 0)
    refs = {
        new_referral(
            person_id="p",
            service_id="vhs",
            reason="integration_course",
            advisor_name="A",
            created_at=created,
        ).reference
        for _ in range(2000)
    }
    assert len(refs) == 2000
    assert all(re.fullmatch(r"WD-2026-11-[0-9A-HJKMNP-TV-Z]{8}", ref) for ref in refs)


def test_follow_up_defaults_and_status_moves_forward_only() -> None:
    created = dt.datetime(2026, 11, 25, 9, 0)
    referral = new_referral(
        person_id="p",
        service_id="vhs",
        reason="integration_course",
        advisor_name="A",
        created_at=created,
        appointment=dt.datetime(2026, 12, 1, 10, 0),
    )
    assert referral.status is ReferralStatus.ISSUED
    assert referral.follow_up == dt.date(2026, 12, 15)
    assert not referral.follow_up_due(dt.date(2026, 12, 14))
    assert referral.follow_up_due(dt.date(2026, 12, 15))
    attended = referral.with_status(ReferralStatus.ATTENDED, created)
    with pytest.raises(ReferralStatusError):
        attended.with_status(ReferralStatus.APPOINTMENT_MADE, created)
    closed = attended.with_status(ReferralStatus.CLOSED, created, outcome="Kurs ab Januar")
    assert closed.outcome == "Kurs ab Januar" and not closed.follow_up_due(dt.date(2027, 1, 1))
