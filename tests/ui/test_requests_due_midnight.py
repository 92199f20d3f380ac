"""The coordinator's banner of requests due, in a window left open overnight: read again just
after the local midnight (a single-shot timer, armed afresh at each reading), so that the new
day's counts are shown, not yesterday's. The notice's clock is injected; the timer is real."""

from __future__ import annotations

import datetime as dt
import os
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import QEvent
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

from desktop_app.domain.person import PersonDraft
from desktop_app.ui.requests_due import (
    AFTER_MIDNIGHT_MS,
    RequestsDueNotice,
    ms_until_next_day,
    requests_due_text,
)
from desktop_app.usecases import data_rights, people
from desktop_app.usecases.accounts import Session
from tests.ui.conftest import shown_window

HOUR_MS = 3_600_000
SHOTS = Path("/tmp/shots-reqloose")


def _at(day: dt.date, hour: int, minute: int, second: int, micro: int = 0) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(hour, minute, second, micro)).astimezone()


def _a_request_due(session: Session) -> tuple[dt.date, dt.date]:
    """An open copy request received 20 days ago: the evening of its due date (due within the
    week) and the morning after (overdue)."""
    draft = PersonDraft("Ana", "Popa", nationality="RO", languages=("ro",))
    pid = people.register_person(session.store, session.user, draft, confirm_duplicates=True).id
    received = dt.date.today() - dt.timedelta(days=20)
    data_rights.record_open_request(session.store, session.user, pid, data_rights.COPY, received)
    evening = data_rights.one_month_after(received)
    return evening, evening + dt.timedelta(days=1)


def test_the_banner_counts_again_just_after_midnight_in_a_window_left_open(
    qtbot: QtBot, session: Session
) -> None:
    evening, morning = _a_request_due(session)
    before = data_rights.requests_due(session.store, session.user, evening)
    after = data_rights.requests_due(session.store, session.user, morning)
    assert (before, after) == (data_rights.RequestsDue(0, 1), data_rights.RequestsDue(1, 0))
    window = shown_window(qtbot, session)
    notice = window.requests_due_notice  # type: ignore[attr-defined]
    assert isinstance(notice, RequestsDueNotice)
    banner = notice.banner
    now = [_at(evening, 23, 59, 59, 600_000)]
    notice.clock = lambda: now[0]
    notice.check()  # as a reading late that evening (a sync, an answer recorded)
    qtbot.waitUntil(lambda: banner.plain_text() == requests_due_text(before), timeout=10_000)
    assert banner.isVisible()
    # Armed for just after midnight (0.4 s away by the clock), not a day from the reading.
    assert notice.midnight.isActive()
    assert 0 < notice.midnight.remainingTime() <= 400 + AFTER_MIDNIGHT_MS
    now[0] = _at(morning, 0, 0, 1)  # the timer fires at this time: nothing else reads
    qtbot.waitUntil(lambda: banner.plain_text() == requests_due_text(after), timeout=5_000)
    assert banner.isVisible() and banner.plain_text().startswith(
        "1 request about personal data is overdue."
    )
    if os.environ.get("WELCOME_DESK_SHOTS"):  # screenshots only when asked for
        SHOTS.mkdir(exist_ok=True)
        window.grab().save(str(SHOTS / "requests-due-after-midnight.png"))
    # … and armed again for the next midnight.
    assert notice.midnight.isActive() and notice.midnight.remainingTime() > 23 * HOUR_MS


def test_a_laptop_asleep_over_midnight_counts_again_when_its_window_is_activated(
    qtbot: QtBot, session: Session
) -> None:
    """Asleep, the midnight timer's clock stands still (it fired late, by the hours slept);
    the unlock after the wake activates the window, and a new day is counted then."""
    evening, morning = _a_request_due(session)
    after = data_rights.requests_due(session.store, session.user, morning)
    window = shown_window(qtbot, session)
    notice = window.requests_due_notice  # type: ignore[attr-defined]
    assert isinstance(notice, RequestsDueNotice)
    now = [_at(evening, 18, 0, 0)]
    notice.clock = lambda: now[0]
    notice.check()
    qtbot.waitUntil(lambda: notice.counted_day == evening and notice.due.due_soon == 1)
    readings = notice._generation
    QApplication.sendEvent(window, QEvent(QEvent.Type.WindowActivate))  # the same day
    assert notice._generation == readings  # nothing read again
    notice.midnight.stop()  # asleep: the timer has not fired
    now[0] = _at(morning, 7, 30, 0)
    QApplication.sendEvent(window, QEvent(QEvent.Type.WindowActivate))
    qtbot.waitUntil(lambda: notice.banner.plain_text() == requests_due_text(after))
    assert notice.counted_day == morning and notice.midnight.isActive()


@pytest.fixture
def berlin_time(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    monkeypatch.setenv("TZ", "Europe/Berlin")
    time.tzset()
    yield
    monkeypatch.undo()
    time.tzset()


@pytest.mark.usefixtures("berlin_time")
def test_the_time_to_midnight_is_real_time_on_the_days_the_clocks_change() -> None:
    # An ordinary evening: an hour, and the moment after midnight.
    assert ms_until_next_day(_at(dt.date(2026, 3, 27), 23, 0, 0)) == HOUR_MS + AFTER_MIDNIGHT_MS
    # 29 March 2026 has 23 hours (2:00 becomes 3:00), 25 October 25 hours.
    spring = _at(dt.date(2026, 3, 29), 0, 30, 0)
    assert ms_until_next_day(spring) == 22 * HOUR_MS + HOUR_MS // 2 + AFTER_MIDNIGHT_MS
    autumn = _at(dt.date(2026, 10, 25), 0, 30, 0)
    assert ms_until_next_day(autumn) == 24 * HOUR_MS + HOUR_MS // 2 + AFTER_MIDNIGHT_MS
