"""Property 10 with laptops whose wall clocks disagree: an edit made after a value arrived
(however far ahead the clock of the laptop that set it ran) wins everywhere, also after the
app was restarted in between. A laptop whose clock is wrong is told so by its sync (and the
sync goes on); a change stamped absurdly far ahead is logged by its record's id."""

from __future__ import annotations

import datetime as dt
import logging
import time
from pathlib import Path

import httpx
import pytest

from desktop_app.domain.clock_check import DAY_MS, WARN_AFTER_MS
from desktop_app.domain.hlc import HybridLogicalClock
from desktop_app.domain.referral import ReferralStatus
from desktop_app.usecases import accounts, people, referrals
from desktop_app.usecases import sync as sync_uc
from desktop_app.usecases.accounts import Session
from tests.integration.sync_harness import (
    CuttingProxy,
    Laptops,
    ServerProcess,
    add_person,
    edit_person,
    run_desk,
)
from tests.integration.test_sync_conflicts import stored_histories

AHEAD_MS = 10 * 60 * 1000  # a laptop whose clock runs ten minutes fast


def _shift(session: Session, ahead_ms: int) -> None:
    """That laptop's wall clock runs ``ahead_ms`` ahead of the right time (negative: behind)."""
    session.store.clock = HybridLogicalClock(
        session.store.device_id, now_ms=lambda: time.time_ns() // 1_000_000 + ahead_ms
    )


def _phone(session: Session, person_id: str) -> str:
    person = people.get_person(session.store, session.user, person_id, log_view=False)
    assert person is not None
    return person.phone


def _restart(laptops: Laptops, session: Session, tmp_path: Path, name: str) -> Session:
    """The app closed and opened again on that laptop (the same store, a new process's clock)."""
    key = session.key  # closing drops it from the session
    session.close()
    again = accounts.open_unlocked(tmp_path / name, "anna", key)
    laptops.sessions[laptops.sessions.index(session)] = again
    return again


def test_an_edit_after_a_restart_wins_over_a_value_from_a_laptop_whose_clock_runs_ahead(
    laptops: Laptops, tmp_path: Path
) -> None:
    a, b = laptops.new("A"), laptops.new("B")
    fast = HybridLogicalClock(
        a.store.device_id, now_ms=lambda: time.time_ns() // 1_000_000 + AHEAD_MS
    )
    a.store.clock = fast
    pid = add_person(a, "Ivan", "Kolev")
    laptops.sync(a, b)
    edit_person(a, pid, phone="0176 111")
    laptops.sync(a, b)
    assert _phone(b, pid) == "0176 111"
    b = _restart(laptops, b, tmp_path, "B")
    # B's advisor corrects the number A entered: a change made on top of A's, after it.
    edit_person(b, pid, phone="0176 222")
    laptops.sync(b, a, b)
    assert _phone(b, pid) == "0176 222"
    assert _phone(a, pid) == "0176 222"
    assert sync_uc.open_conflicts(a.store) == [] and sync_uc.open_conflicts(b.store) == []


def test_a_status_step_made_after_another_reads_after_it_though_its_laptops_clock_runs_behind(
    laptops: Laptops,
) -> None:
    """Steps were ordered by their time shown (each laptop's own wall clock): a step B made
    after it had A's read before A's, B's clock being minutes behind. By the steps' clocks
    (B's has seen A's), every laptop reads them in the order they were made."""
    behind_ms = 7 * 60 * 1000
    a, b = laptops.new("A"), laptops.new("B")
    _shift(b, -behind_ms)
    pid = add_person(a, "Maria", "Ivanova", "1990")
    referral = referrals.issue_referral(a.store, a.user, pid, "jobcenter", "buergergeld")
    laptops.sync(a, b)
    referrals.change_status(a.store, a.user, referral.id, ReferralStatus.APPOINTMENT_MADE)
    laptops.sync(a, b)
    # B's advisor sees the appointment and notes it was attended; B's time reads 7 minutes back
    b_time = dt.datetime.now().replace(microsecond=0) - dt.timedelta(milliseconds=behind_ms)
    referrals.change_status(b.store, b.user, referral.id, ReferralStatus.ATTENDED, now=b_time)
    laptops.sync(b, a)
    histories = [
        referrals.status_history(s.store, s.user, referral.id, log_view=False) for s in (a, b)
    ]
    assert [(h.status, h.by) for h in histories[0]] == [
        (ReferralStatus.ISSUED, "A"),
        (ReferralStatus.APPOINTMENT_MADE, "A"),
        (ReferralStatus.ATTENDED, "B"),
    ]
    assert histories[1] == histories[0]
    assert histories[0][2].at < histories[0][1].at  # the times as each laptop's clock read
    stored = stored_histories(referral.id, a, b)
    assert stored[0] == stored[1]  # the same text on both laptops
    assert [step["status"] for step in stored[0]] == ["issued", "appointment_made", "attended"]


@pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)
def test_a_sync_tells_a_laptop_whose_clock_is_days_off_and_goes_on_as_before(
    laptops: Laptops, server: ServerProcess
) -> None:
    # The server's answers carry a Date header: what the laptops compare their clocks with.
    assert httpx.get(f"{server.base_url}/v1/health").headers.get("date")
    a, b = laptops.new("A"), laptops.new("B")
    _shift(a, 3 * DAY_MS)  # a wrong date
    pid = add_person(a, "Ivan", "Kolev", phone="0176 111")
    report_a, report_b = laptops.sync(a, b)
    assert report_a.clock_offset_ms is not None
    # Three days, to within the measurement's second or so.
    assert abs(report_a.clock_offset_ms - 3 * DAY_MS) < 5_000
    assert report_a.pushed >= 1  # nothing refused or held back: the change went out
    assert report_b.clock_offset_ms is None  # B's clock is right
    assert _phone(b, pid) == "0176 111"

    _shift(b, -2 * 60 * 60 * 1000)  # B's time zone set wrong: two hours behind
    (report_b,) = laptops.sync(b)
    assert report_b.clock_offset_ms is not None
    assert abs(report_b.clock_offset_ms + 2 * 60 * 60 * 1000) < 5_000

    # Put right (or only a minute off, which the merge absorbs): no warning any more.
    _shift(a, 0)
    _shift(b, 60_000)
    assert WARN_AFTER_MS > 60_000
    assert [r.clock_offset_ms for r in laptops.sync(a, b)] == [None, None]


@pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)
def test_a_change_stamped_years_ahead_is_applied_and_logged_by_record_id(
    laptops: Laptops, caplog: pytest.LogCaptureFixture
) -> None:
    a, b = laptops.new("A"), laptops.new("B")
    laptops.sync(a, b)
    _shift(a, 2 * 365 * DAY_MS)  # a dead CMOS battery and a BIOS date far off
    pid = add_person(a, "Ivan", "Kolevski", phone="0176 999")
    laptops.sync(a)
    with caplog.at_level(logging.WARNING, logger="desktop_app.sync.engine"):
        (report,) = laptops.sync(b)
    assert _phone(b, pid) == "0176 999"  # applied: nothing of a colleague's work is lost
    assert report.refused == 0 and report.far_future >= 1
    logged = [r.getMessage() for r in caplog.records if "far in the future" in r.getMessage()]
    assert any(pid in line for line in logged)
    assert not any("Kolevski" in line or "0176 999" in line for line in logged)  # ids only
    # Changes from a laptop whose clock is right are not logged.
    caplog.clear()
    add_person(b, "Elena", "Radu")
    with caplog.at_level(logging.WARNING, logger="desktop_app.sync.engine"):
        laptops.sync(b)
    assert not [r for r in caplog.records if "far in the future" in r.getMessage()]


@pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)
def test_the_sync_command_warns_of_a_wrong_clock_on_stderr_and_still_succeeds(
    server: ServerProcess, tmp_path: Path
) -> None:
    # The laptop runs in a process of its own: its clock is three days ahead of the server's
    # as the proxy's Date header puts the server's three days back.
    proxy = CuttingProxy(server.base_url)
    proxy.date_shift_s = 3 * 24 * 3600
    try:
        folder = str(tmp_path / "a")
        assert run_desk("init", "--data-dir", folder, "--account", "anna").returncode == 0
        joined = run_desk(
            "join", "--data-dir", folder, "--server", proxy.url, "--code", server.enroll_cli("A")
        )
        assert joined.returncode == 0, joined.stderr
        synced = run_desk("sync", "--data-dir", folder)
        assert synced.returncode == 0, synced.stderr
        assert "Sync done" in synced.stdout
        assert (
            "This laptop's clock is 3 days ahead of the server. Set the date and time right: "
            "changes made here get wrong times." in synced.stderr
        )
        proxy.date_shift_s = 0  # the clock put right
        again = run_desk("sync", "--data-dir", folder)
        assert again.returncode == 0 and "clock" not in again.stderr, again.stderr
    finally:
        proxy.close()
