"""The window's background sync against a link that trickles, a server that is away and comes
back, and "Sync now" pressed while a round runs: a round ends within its requests' deadlines,
the next tries come sooner and back off, and a press during a round is answered and followed.

A ``FlakyLink`` on 127.0.0.1 in front of a real server process; the schedule's delays are made
short here (the controller's own figures are checked as figures), the sync process is real."""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from pytestqt.qtbot import QtBot

from desktop_app.domain.person import PersonDraft
from desktop_app.i18n.formatting import format_time_of_day
from desktop_app.i18n.text import _
from desktop_app.sync.http_client import Offline
from desktop_app.ui.sync_status import (
    AUTO_SYNC_MS,
    RETRY_FLOOR_MS,
    RETRY_JITTER,
    SyncController,
)
from desktop_app.usecases import people
from desktop_app.usecases import sync as sync_uc
from desktop_app.usecases.accounts import Session
from tests.integration.sync_harness import Laptops, ServerProcess, live_people
from tests.ui.conftest import shown_window
from tests.ui.flaky_link import FlakyLink


@pytest.fixture
def link(server: ServerProcess) -> Iterator[FlakyLink]:
    flaky = FlakyLink(server.port)
    yield flaky
    flaky.close()


@pytest.fixture
def behind_link(server: ServerProcess, link: FlakyLink, tmp_path: Path) -> Iterator[Laptops]:
    """Laptops whose first (the coordinator's) reaches the server through ``link``; the ones
    made after it directly."""
    laptops = Laptops(server, tmp_path, url=link.url)
    laptops.new("A", coordinator=True)
    laptops.url = server.base_url
    try:
        yield laptops
    finally:
        laptops.close()


def _window(qtbot: QtBot, session: Session) -> SyncController:
    window = shown_window(qtbot, session, 1024)
    controller: SyncController = window.sync  # type: ignore[attr-defined]
    qtbot.waitUntil(lambda: "to send" in controller.label.text(), timeout=30_000)
    return controller


def _round(qtbot: QtBot, controller: SyncController, timeout_ms: int = 60_000) -> object:
    with qtbot.waitSignal(controller.sync_finished, timeout=timeout_ms) as done:
        assert controller.start()
    return done.args[0]


def test_a_round_on_a_link_that_trickles_ends_at_the_deadline_and_resumes_later(
    qtbot: QtBot, behind_link: Laptops, link: FlakyLink, shots: Path
) -> None:
    first = behind_link.sessions[0]
    colleague = behind_link.new("B")
    for i in range(40):
        people.register_person(colleague.store, colleague.user, PersonDraft(f"Ion{i}", "Lent"))
    behind_link.sync(colleague)
    people.register_person(first.store, first.user, PersonDraft("Ana", "Local"))
    controller = _window(qtbot, first)
    controller.process.request_deadline_s = 3.0
    # 40 bytes every 0.5 s: each read comes well within the 15 s timeout, no answer comes whole
    # in 3 s (the page of 40 people is tens of KB: it would have taken minutes).
    link.mode, link.delay_s, link.trickle = "slow", 0.5, 40
    started = time.monotonic()
    result = _round(qtbot, controller, timeout_ms=45_000)
    took = time.monotonic() - started
    print(f"\ntrickling link: the round ended after {took:.1f} s")
    assert isinstance(result, Offline), result
    assert took < 30
    assert controller.label.text().startswith("Offline")
    assert controller.offline and "the next try is at about" in controller.label.toolTip()
    qtbot.wait(200)  # laid out anew for the line
    controller.window.grab().save(str(shots / "syncround-trickle-offline.png"))
    # The link fast again: the next round sends and fetches everything, nothing twice.
    link.delay_s, link.trickle = 0.0, 0
    report = _round(qtbot, controller)
    assert not isinstance(report, Exception), report
    if sync_uc.status(first.store).pending_changes:  # the pull's page was applied before
        assert not isinstance(_round(qtbot, controller), Exception)
    behind_link.sync(colleague)
    assert live_people(first) == live_people(colleague)
    assert len(live_people(first)) == 41


def test_after_a_failed_round_the_next_tries_come_sooner_and_back_off(
    qtbot: QtBot, behind_link: Laptops, link: FlakyLink
) -> None:
    first = behind_link.sessions[0]
    controller = _window(qtbot, first)
    # The schedule shortened: 0.4 s, 0.8 s, 1.6 s, then every 3 s (the figures scaled down).
    controller.retry_after_ms = (400, 800, 1600)
    controller.retry_floor_ms = 400
    controller.interval_ms = 3000
    link.mode = "down"
    intervals: list[int] = []
    rounds: list[object] = []

    def noted(result: object) -> None:
        rounds.append(result)
        intervals.append(controller.timer.interval())

    controller.sync_finished.connect(noted)
    assert isinstance(_round(qtbot, controller), Offline)
    # Nobody presses anything: the window's own timer tries again, sooner at first.
    qtbot.waitUntil(lambda: len(rounds) >= 5, timeout=30_000)
    assert all(isinstance(r, Offline) for r in rounds[:5]), rounds
    for interval, base in zip(intervals, (400, 800, 1600, 3000, 3000), strict=False):
        assert max(400, base * (1 - RETRY_JITTER)) <= interval <= base * (1 + RETRY_JITTER)
    # The tooltip says when the next try comes, as the clock says it.
    due = dt.datetime.fromtimestamp(controller.next_try_at or 0)
    assert controller.label.text().startswith("Offline")
    assert f"the next try is at about {format_time_of_day(due)}" in controller.label.toolTip()
    assert "every minute" not in controller.label.toolTip()
    # The server back: the timer finds it within the schedule, and the schedule starts again.
    link.mode = "pass"
    qtbot.waitUntil(lambda: not isinstance(rounds[-1], Exception), timeout=30_000)
    assert controller.failed_rounds == 0 and controller.timer.interval() == 3000
    assert controller.label.text().startswith("Online")


def test_the_schedules_own_figures_are_bounded(qtbot: QtBot, laptops: Laptops) -> None:
    controller = _window(qtbot, laptops.new("A"))
    seen: dict[int, list[int]] = {}
    for failed in range(1, 8):
        controller.failed_rounds = failed
        seen[failed] = [controller.next_delay_ms() for _ in range(200)]
    # Never more often than every 10 s; 10, 20, 40 s, then every minute, each ± 20 %.
    assert min(min(v) for v in seen.values()) >= RETRY_FLOOR_MS == 10_000
    assert max(seen[1]) <= 12_000
    assert min(seen[2]) >= 16_000 and max(seen[2]) <= 24_000
    assert min(seen[3]) >= 32_000 and max(seen[3]) <= 48_000
    for failed in range(4, 8):
        assert min(seen[failed]) >= AUTO_SYNC_MS * 0.8 and max(seen[failed]) <= AUTO_SYNC_MS * 1.2
    assert len(set(seen[4])) > 10  # jittered, not the same second on every laptop
    controller.failed_rounds = 0
    assert controller.next_delay_ms() == AUTO_SYNC_MS


def test_sync_now_during_a_round_says_so_and_one_more_round_follows(
    qtbot: QtBot, behind_link: Laptops, link: FlakyLink, shots: Path
) -> None:
    first = behind_link.sessions[0]
    controller = _window(qtbot, first)
    link.mode, link.delay_s = "slow", 0.4  # a round of several requests takes seconds
    rounds: list[object] = []
    controller.sync_finished.connect(rounds.append)
    controller.sync_action.trigger()
    assert controller.running
    controller.sync_action.trigger()
    said = _("A sync is running; another follows when it ends.")
    assert controller.label.text() == said
    qtbot.wait(200)  # laid out anew for the line
    controller.window.grab().save(str(shots / "syncround-sync-now-queued.png"))
    controller.sync_action.trigger()  # again: still one more round, not two
    qtbot.waitUntil(lambda: len(rounds) == 2, timeout=60_000)
    qtbot.waitUntil(lambda: not controller.running, timeout=60_000)
    qtbot.wait(1500)  # no third round comes
    assert len(rounds) == 2 and not any(isinstance(r, Exception) for r in rounds), rounds
    assert controller.label.text().startswith("Online")
