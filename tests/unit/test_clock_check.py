"""When a sync warns that this laptop's clock is wrong, and how it says by how much."""

from __future__ import annotations

import pytest

from desktop_app.domain.clock_check import (
    DAY_MS,
    FAR_FUTURE_MS,
    HOUR_MS,
    MINUTE_MS,
    WARN_AFTER_MS,
    ClockNotice,
    far_in_future,
    offset_to_warn_of,
    rounded,
)
from desktop_app.i18n.messages import clock_indicator, clock_warning, clock_warning_parts
from desktop_app.i18n.text import set_language

NOW = 1_796_000_000_000  # a moment in December 2026, in ms


def test_an_offset_up_to_the_threshold_is_no_warning_beyond_it_one_either_way() -> None:
    assert WARN_AFTER_MS == 5 * MINUTE_MS
    assert offset_to_warn_of(NOW, NOW) is None
    assert offset_to_warn_of(NOW + WARN_AFTER_MS, NOW) is None
    assert offset_to_warn_of(NOW - WARN_AFTER_MS, NOW) is None
    assert offset_to_warn_of(NOW + WARN_AFTER_MS + 1, NOW) == WARN_AFTER_MS + 1
    assert offset_to_warn_of(NOW - 3 * DAY_MS, NOW) == -3 * DAY_MS
    assert offset_to_warn_of(NOW + 3 * DAY_MS, None) is None  # no Date header: unknown


@pytest.mark.parametrize(
    ("offset", "expected"),
    [
        (5 * MINUTE_MS + 1, (5, "minutes")),
        (-(7 * MINUTE_MS + 40_000), (8, "minutes")),
        (59 * MINUTE_MS + 45_000, (1, "hours")),  # rounds to 60 minutes: an hour
        (HOUR_MS, (1, "hours")),
        (2 * HOUR_MS + 20 * MINUTE_MS, (2, "hours")),
        (23 * HOUR_MS + 40 * MINUTE_MS, (1, "days")),
        (3 * DAY_MS + 4 * HOUR_MS, (3, "days")),
        (-400 * DAY_MS, (400, "days")),
    ],
)
def test_the_offset_is_said_in_the_largest_unit_it_reaches(
    offset: int, expected: tuple[int, str]
) -> None:
    assert rounded(offset) == expected


def test_only_a_clock_a_year_ahead_of_both_clocks_is_far_in_the_future() -> None:
    assert far_in_future(NOW + FAR_FUTURE_MS + 1, NOW, NOW)
    assert not far_in_future(NOW + 30 * DAY_MS, NOW, NOW)
    # This laptop's own clock is years behind, the server's is right: the change is not odd.
    assert not far_in_future(NOW + DAY_MS, NOW - 3 * FAR_FUTURE_MS, NOW)
    assert far_in_future(NOW + FAR_FUTURE_MS + 1, NOW, None)  # the server's time unknown


@pytest.mark.parametrize(
    ("lang", "offset", "expected"),
    [
        ("en", 3 * DAY_MS, "This laptop's clock is 3 days ahead of the server."),
        ("en", -HOUR_MS, "This laptop's clock is 1 hour behind the server."),
        ("de", 3 * DAY_MS, "Die Uhr dieses Laptops geht 3 Tage gegenüber dem Server vor."),
        ("de", -MINUTE_MS * 6, "Die Uhr dieses Laptops geht 6 Minuten gegenüber dem Server nach."),
        ("bg", DAY_MS, "Часовникът на този лаптоп избързва с 1 ден спрямо сървъра."),
        ("bg", -5 * HOUR_MS, "Часовникът на този лаптоп изостава с 5 часа спрямо сървъра."),
        ("ro", DAY_MS, "Ceasul acestui laptop este cu 1 zi înaintea serverului."),
        ("ro", 3 * DAY_MS, "Ceasul acestui laptop este cu 3 zile înaintea serverului."),
        ("ro", 21 * DAY_MS, "Ceasul acestui laptop este cu 21 de zile înaintea serverului."),
        ("ro", -20 * MINUTE_MS, "Ceasul acestui laptop este cu 20 de minute în urma serverului."),
    ],
)
def test_the_warning_speaks_the_users_language_with_its_plural_forms(
    lang: str, offset: int, expected: str
) -> None:
    set_language(lang)
    try:
        text = clock_warning(offset)
    finally:
        set_language("en")
    assert text.startswith(expected + " "), text
    assert "{" not in text


def test_the_notice_shows_a_banner_until_hidden_and_goes_once_the_clock_is_right() -> None:
    notice = ClockNotice()
    assert not notice.banner and not notice.indicator
    assert not notice.hide().indicator  # nothing to hide
    notice = notice.after_sync(WARN_AFTER_MS)  # not over the threshold
    assert (notice.banner, notice.indicator) == (False, False)
    notice = notice.after_sync(3 * DAY_MS)
    assert (notice.banner, notice.indicator) == (True, False)
    notice = notice.hide()
    assert (notice.banner, notice.indicator) == (False, True)
    notice = notice.after_sync(-2 * HOUR_MS)  # still wrong: hidden for the session
    assert (notice.banner, notice.indicator, notice.offset_ms) == (False, True, -2 * HOUR_MS)
    notice = notice.unhide()
    assert (notice.banner, notice.indicator) == (True, False)
    notice = notice.hide().after_sync(None)  # right: nothing, and nothing left hidden
    assert notice == ClockNotice()
    notice = notice.after_sync(3 * DAY_MS)  # wrong again later: a new problem, in full
    assert (notice.banner, notice.indicator) == (True, False)
    assert notice.hide().after_sync(-WARN_AFTER_MS) == ClockNotice()


@pytest.mark.parametrize(
    ("lang", "offset", "expected"),
    [
        ("en", 3 * DAY_MS, "Clock 3 days ahead"),
        ("en", -HOUR_MS, "Clock 1 hour behind"),
        ("en", 6 * MINUTE_MS, "Clock 6 minutes ahead"),
        ("de", -3 * DAY_MS, "Uhr geht 3 Tage nach"),
        ("de", 6 * MINUTE_MS, "Uhr geht 6 Minuten vor"),
        ("de", HOUR_MS, "Uhr geht 1 Stunde vor"),
        ("bg", DAY_MS, "Часът: 1 ден напред"),
        ("bg", -3 * DAY_MS, "Часът: 3 дни назад"),
        ("bg", -5 * HOUR_MS, "Часът: 5 ч. назад"),
        ("bg", 59 * MINUTE_MS, "Часът: 59 мин. напред"),
        ("ro", 3 * DAY_MS, "Ceasul este cu 3 zile înainte"),
        ("ro", -DAY_MS, "Ceasul este cu 1 zi în urmă"),
        ("ro", -20 * MINUTE_MS, "Ceasul este cu 20 de minute în urmă"),
        ("ro", 2 * HOUR_MS, "Ceasul este cu 2 ore înainte"),
    ],
)
def test_the_short_note_says_which_way_and_by_how_much_in_the_users_language(
    lang: str, offset: int, expected: str
) -> None:
    set_language(lang)
    try:
        assert clock_indicator(offset) == expected
        lead, advice = clock_warning_parts(offset)
        assert clock_warning(offset) == f"{lead} {advice}"
    finally:
        set_language("en")
