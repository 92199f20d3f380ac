"""The window's background sync against a link that trickles, a server that is away and comes
back, and "Sync now" pressed while a round runs: a round ends within its requests' deadlines,
the next tries come sooner and back off, and a press during a round is answered and followed.

A ``FlakyLink`` on 127.0.0.1 in front of a real server process; the schedule's delays are made
short here (the controller's own figures are checked as figures), the sync process is real."""

from __future__ import annotations

import datetime as dt
import time
from pathlib import Path

import pytest
from PySide6.QtCore import QEvent, QPoint
from PySide6.QtGui import QHelpEvent
from PySide6.QtWidgets import QApplication, QToolTip
from pytestqt.qtbot import QtBot

from desktop_app.domain.person import PersonDraft
from desktop_app.i18n.formatting import format_time_of_day
from desktop_app.i18n.messages import connection_message
from desktop_app.i18n.text import _, set_language
from desktop_app.sync.http_client import (
    ConnectionLost,
    Offline,
    ProtocolError,
    ServerError,
    Unauthorized,
)
from desktop_app.ui.sync_status import (
    AUTO_SYNC_MS,
    RETRY_FLOOR_MS,
    RETRY_JITTER,
    SyncController,
)
from desktop_app.usecases import people
from desktop_app.usecases import sync as sync_uc
from desktop_app.usecases.accounts import Session
from tests.integration.sync_harness import AnsweringStub, Laptops, live_people
from tests.ui.conftest import shown_window
from tests.ui.flaky_link import STEP, FlakyLink


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
    # The connection was made: the request's deadline broke it off, not a server out of reach.
    assert isinstance(result, ConnectionLost), result
    assert took < 30
    assert controller.label.text().startswith("Connection broke off")
    assert controller.label.toolTip().startswith(connection_message("lost"))
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


def _offline_tip_checked(controller: SyncController, before: dt.datetime) -> str:
    """Offline: the line says when it last tried; the tooltip says why (the server cannot be
    reached), what happens to the work and when the next try is, and the last sync that got
    through or that none has, but not the time of the try again. Returned: its last line."""
    after = dt.datetime.now()
    tried = {format_time_of_day(moment) for moment in (before, after)}
    line = controller.label.text()
    # (a connection kept open from the round before may break off instead)
    lost = line.startswith(f"{_('Connection broke off')} · ")
    assert lost or line.startswith(f"{_('Offline')} · "), line
    assert controller.last_tried in tried
    assert _("last tried {time}").format(time=controller.last_tried) in line, line
    tip = controller.label.toolTip()
    # "The sync server cannot be reached. …", or that the connection broke off
    assert tip.startswith(connection_message("lost" if lost else "offline")), tip
    next_try = format_time_of_day(dt.datetime.fromtimestamp(controller.next_try_at or 0))
    then = _(
        "What you save stays on this laptop and is sent by itself when the server can be "
        "reached again; the next try is at about {time}."
    ).format(time=next_try)
    # Why, then what happens and when; then the last sync that got through (or none).
    why, last = tip.split("\n")
    assert why.endswith(f" {then}"), tip
    # Not when it last tried: it said "Last tried at 13:16." before the next try, under the
    # line that says "last tried 13:16".
    assert not any(time in why.removesuffix(then) for time in tried), tip
    return last


@pytest.mark.parametrize("lang", ["en", "bg"])
def test_offline_the_tooltip_adds_to_the_line_and_does_not_repeat_when_it_last_tried(
    qtbot: QtBot, behind_link: Laptops, link: FlakyLink, lang: str
) -> None:
    """The link down (a real server behind it): the line says "Offline · last tried 13:16 ·
    …", and the tooltip said "Last tried at 13:16." again. It says what the line does not:
    that the server cannot be reached, what happens to the work saved meanwhile and when the
    next try is, and when the last sync got through, or that none has yet."""
    session = behind_link.sessions[0]
    controller = _window(qtbot, session)
    set_language(lang)
    try:
        controller.retry_after_ms = (60_000,)  # no second round during the test
        link.mode = "down"
        before = dt.datetime.now()
        assert isinstance(_round(qtbot, controller), Offline)
        assert not sync_uc.status(session.store).last_success  # never got through
        last = _offline_tip_checked(controller, before)
        assert last == _("No sync of this laptop has got through to the server yet.")
        # One gets through; offline again, the tooltip says when that one was.
        link.mode = "pass"
        assert not isinstance(_round(qtbot, controller), Exception)
        link.mode = "down"
        before = dt.datetime.now()
        assert isinstance(_round(qtbot, controller), Offline)
        synced = sync_uc.status(session.store).last_success
        assert synced
        from desktop_app.domain.hlc import Timestamp
        from desktop_app.ui.sync_status import last_sync_time

        when = last_sync_time(Timestamp.parse(synced).wall_ms / 1000)
        last = _offline_tip_checked(controller, before)
        assert last == _("Last successful sync: {time}.").format(time=when), last
        controller.window.close()
    finally:
        set_language("en")


@pytest.mark.parametrize("lang", ["de", "bg", "ro", "en"])
def test_offline_the_line_says_when_it_last_tried_and_the_tooltip_the_last_sync(
    qtbot: QtBot, behind_link: Laptops, link: FlakyLink, lang: str, shots: Path
) -> None:
    """Offline, "last tried" was in the tooltip only: the line said "Offline · last sync
    09:12", and a laptop offline since the morning did not say on its line whether it was
    trying at all. The line says it now ("Offline · last tried 13:16 · 1 change kept …"),
    whole at 1100 px with who is logged in beside it, and the last sync that got through is
    in the tooltip ("Last successful sync: 09:12.")."""
    first = behind_link.sessions[0]
    controller = _window(qtbot, first)
    window = controller.window
    window.resize(1100, 700)
    controller.retry_after_ms = (60_000,)  # no second round during the test
    synced_between = dt.datetime.now()
    assert not isinstance(_round(qtbot, controller), Exception)  # a last sync to keep
    synced_moments = (synced_between, dt.datetime.now())
    people.register_person(first.store, first.user, PersonDraft("Ana", "Local"))
    window.switch_language(lang)
    try:
        link.mode = "down"
        before = dt.datetime.now()
        assert isinstance(_round(qtbot, controller), Offline)
        after = dt.datetime.now()
        label = controller.label
        text = label.text()
        # (a connection kept open from the round before may break off instead)
        states = (_("Offline"), _("Connection broke off"))
        heads = {
            f"{state} · " + _("last tried {time}").format(time=format_time_of_day(moment))
            for moment in (before, after)
            for state in states
        }
        assert any(text.startswith(f"{h} · ") for h in heads), text
        synced = {
            _("Last successful sync: {time}.").format(time=format_time_of_day(moment))
            for moment in synced_moments
        }
        assert any(said in label.toolTip() for said in synced), label.toolTip()
        qtbot.waitUntil(lambda: not label.elided())  # laid out anew for the line
        assert not window.status_user.elided()
        window.grab().save(str(shots / f"offline-line-{lang}-1100.png"))
        window.close()
    finally:
        set_language("en")


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


@pytest.mark.parametrize(
    ("status", "failure", "sooner"),
    [
        (503, ServerError, True),  # a server with a fault
        (200, ProtocolError, True),  # an answer not understood (not the sync server's)
        (401, Unauthorized, False),  # a refusal: needs a person, not a try every 10 s
    ],
)
def test_after_a_fault_or_a_broken_answer_the_next_tries_back_off_as_offline_ones_do(
    qtbot: QtBot,
    laptops: Laptops,
    tmp_path: Path,
    shots: Path,
    status: int,
    failure: type[Exception],
    sooner: bool,
) -> None:
    """Only a round that found no server was tried again sooner: after a server's fault or an
    answer not understood the next came after the plain minute ± 20 % (up to 72 s), while the
    status bar said "it is tried again within a minute". Now they back off as offline ones
    do, and the tooltip says when the next try comes. A refusal is tried as before."""
    laptop = laptops.new("A", coordinator=True)
    stub = AnsweringStub(status, tmp_path)
    try:
        sync_uc.change_server_url(laptop.store, laptop.user, stub.url)
        controller = _window(qtbot, laptop)
        controller.retry_after_ms = (400, 800, 1600)
        controller.retry_floor_ms = 400
        controller.interval_ms = 3000
        rounds: list[object] = []
        intervals: list[int] = []

        def noted(result: object) -> None:
            rounds.append(result)
            intervals.append(controller.timer.interval())

        controller.sync_finished.connect(noted)
        assert isinstance(_round(qtbot, controller), failure)
        if not sooner:
            assert intervals == [3000] and controller.failed_rounds == 0
            assert _("It is tried again by itself at about {time}.")[:12] not in (
                controller.label.toolTip()
            )
            controller.window.close()
            return
        # A server's fault is tried again within each round too (``SyncServerClient``).
        n = 4 if failure is ProtocolError else 2
        qtbot.waitUntil(lambda: len(rounds) >= n, timeout=30_000)
        assert all(isinstance(r, failure) for r in rounds[:n]), rounds
        for interval, base in zip(intervals, (400, 800, 1600, 3000)[:n], strict=False):
            assert max(400, base * (1 - RETRY_JITTER)) <= interval <= base * (1 + RETRY_JITTER)
        due = dt.datetime.fromtimestamp(controller.next_try_at or 0)
        said = controller.label.text() + "\n" + controller.label.toolTip()
        assert f"It is tried again by itself at about {format_time_of_day(due)}." in said
        assert "within a minute" not in said
        _hover_shot(qtbot, controller, shots / f"syncround-failed-{status}-tooltip.png")
        controller.window.close()
    finally:
        stub.close()


# The words that say a sync is tried again, in each language; the tooltip after a server's
# fault says so once, with the time of the next try.
AGAIN_WORDS = {
    "en": ("tried again",),
    "de": ("wiederholt", "Versuch"),
    "bg": ("отново",),
    "ro": ("reîncearcă",),
}


@pytest.mark.parametrize("lang", sorted(AGAIN_WORDS))
def test_after_a_server_fault_the_tooltip_says_once_when_it_is_tried_again(
    qtbot: QtBot, laptops: Laptops, tmp_path: Path, shots: Path, lang: str
) -> None:
    """After a 503 the tooltip said "… Nothing was lost; it is tried again automatically. …"
    and on the next line "It is tried again by itself at about 15:50.": the same twice. It
    says it once, with the time."""
    laptop = laptops.new("A", coordinator=True)
    stub = AnsweringStub(503, tmp_path)
    try:
        sync_uc.change_server_url(laptop.store, laptop.user, stub.url)
        controller = _window(qtbot, laptop)
        set_language(lang)  # the round's words: in the language of the tooltip
        controller.retry_after_ms = (60_000,)  # no second round during the test
        assert isinstance(_round(qtbot, controller), ServerError)
        tip = controller.label.toolTip()
        due = dt.datetime.fromtimestamp(controller.next_try_at or 0)
        assert (
            _("It is tried again by itself at about {time}.").format(time=format_time_of_day(due))
            in tip
        ), tip
        assert sum(tip.count(word) for word in AGAIN_WORDS[lang]) == 1, tip
        assert connection_message("server_fault") in tip and "503" in tip
        _hover_shot(qtbot, controller, shots / f"syncround-503-tooltip-{lang}.png")
        controller.window.close()
    finally:
        set_language("en")
        stub.close()


def test_a_connection_cut_off_in_the_middle_says_so_not_that_the_server_is_away(
    qtbot: QtBot, behind_link: Laptops, link: FlakyLink, shots: Path
) -> None:
    """The link dropped while the server's answer came: the status bar said "Offline" and "the
    sync server cannot be reached", and the user looked for a network that was there. A
    connection never made still says so."""
    first = behind_link.sessions[0]
    colleague = behind_link.new("B")
    for i in range(20):
        people.register_person(colleague.store, colleague.user, PersonDraft(f"Ion{i}", "Cut"))
    behind_link.sync(colleague)
    controller = _window(qtbot, first)
    link.cut_after = 2000
    try:
        for language in ("bg", "ro"):
            set_language(language)
            link.mode = "cut_pull"
            result = _round(qtbot, controller)
            assert link.cuts[-1] == "pull" and isinstance(result, ConnectionLost), result
            text, tip = controller.label.text(), controller.label.toolTip()
            assert text.startswith(_("Connection broke off") + " · "), text
            assert tip.startswith(connection_message("lost")), tip
            assert connection_message("offline") not in tip
            # and what becomes of what is saved meanwhile, and when the next try comes
            due = format_time_of_day(dt.datetime.fromtimestamp(controller.next_try_at or 0))
            assert due in tip
            _hover_shot(qtbot, controller, shots / f"syncround-broke-off-tooltip-{language}.png")
    finally:
        set_language("en")
    # No connection made at all: that one is "cannot be reached". (The link drops the
    # connections it holds at its next look, a step later: one the sync kept open from the
    # round before and took up again would break off, not be refused.)
    link.mode = "down"
    qtbot.wait(int(4 * STEP * 1000))
    assert type(_round(qtbot, controller)) is Offline
    assert controller.label.text().startswith("Offline · ")
    assert "cannot be reached" in controller.label.toolTip()
    link.mode = "pass"
    assert not isinstance(_round(qtbot, controller), Exception)
    assert live_people(first) == live_people(colleague)
    controller.window.close()


def _hover_shot(qtbot: QtBot, controller: SyncController, path: Path) -> None:
    """The window with the status bar's tooltip shown as hovering shows it, saved to ``path``."""
    label = controller.label
    where = QPoint(5, label.height() // 2)
    QApplication.sendEvent(label, QHelpEvent(QEvent.Type.ToolTip, where, label.mapToGlobal(where)))
    try:
        qtbot.waitUntil(lambda: QToolTip.isVisible(), timeout=5_000)
        tip = next(w for w in QApplication.topLevelWidgets() if w.inherits("QTipLabel"))
        qtbot.wait(100)
        tip.grab().save(str(path))
        controller.window.grab().save(str(path.with_name(path.stem + "-window.png")))
    finally:
        QToolTip.hideText()
