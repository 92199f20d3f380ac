"""Opening hours as the service directory writes them, read to check an appointment."""

from __future__ import annotations

import datetime as dt

import pytest

from desktop_app.domain.opening_hours import (
    by_appointment_only,
    outside_opening_hours,
    parse_opening_hours,
)
from desktop_app.letters.directory import default_directory

FAMILIENKASSE = "Mo–Fr 8:00–12:30 Uhr, Do 14:00–18:00 Uhr; telefonisch Mo–Fr 8:00–18:00 Uhr"
# 30 November 2026 is a Monday
MONDAY = dt.date(2026, 11, 30)


def _at(day_offset: int, hour: int, minute: int = 0) -> dt.datetime:
    return dt.datetime.combine(MONDAY + dt.timedelta(days=day_offset), dt.time(hour, minute))


@pytest.mark.parametrize(
    ("when", "outside"),
    [
        (_at(0, 9, 30), False),
        (_at(0, 8), False),  # opening
        (_at(0, 12, 30), True),  # closing: no appointment at the door as it shuts
        (_at(0, 15), True),  # the afternoon is the phone's only
        (_at(3, 15), False),  # Thursday afternoon
        (_at(3, 18), True),
        (_at(5, 10), True),  # Saturday
        (_at(0, 7, 59), True),
    ],
)
def test_an_appointment_outside_the_hours_is_found(when: dt.datetime, outside: bool) -> None:
    assert outside_opening_hours(FAMILIENKASSE, when) is outside


def test_several_days_and_intervals_of_one_group() -> None:
    hours = parse_opening_hours("Mo–Do 8:30–12:00 Uhr und 13:30–15:30 Uhr, Fr 8:30–12:00 Uhr")
    assert hours is not None
    assert hours[3] == [(dt.time(8, 30), dt.time(12)), (dt.time(13, 30), dt.time(15, 30))]
    assert hours[4] == [(dt.time(8, 30), dt.time(12))]
    assert set(hours) == {0, 1, 2, 3, 4}
    listed = parse_opening_hours("Mo, Di, Do 8:30–12:00 Uhr")
    assert listed is not None and set(listed) == {0, 1, 3}
    both = parse_opening_hours("Mo–Fr 9:00–12:00 Uhr, Mo und Do 13:00–15:00 Uhr")
    assert both is not None and len(both[0]) == 2 and len(both[1]) == 1


@pytest.mark.parametrize(
    "text",
    [
        "",
        "Di 9:00–12:00 Uhr offene Sprechstunde, sonst nach Vereinbarung",  # also other times
        "nach telefonischer Vereinbarung, Mo–Do 9:00–16:00 Uhr",
        "vormittags",
        "9:00–12:00 Uhr",  # no days
        "Mo–Fr 12:00–9:00 Uhr",
        "Fr–Mo 9:00–12:00 Uhr",
    ],
)
def test_hours_that_cannot_be_read_with_certainty_never_warn(text: str) -> None:
    assert parse_opening_hours(text) is None
    assert not outside_opening_hours(text, _at(6, 3))  # Sunday, 3 in the morning


def test_every_service_that_gives_hours_has_them_read_or_says_by_arrangement() -> None:
    for service in default_directory().services:
        text = service.opening_hours.get("de")
        if text and "Vereinbarung" not in text:
            assert parse_opening_hours(text), service.id


@pytest.mark.parametrize(
    ("text", "only"),
    [
        ("nach Vereinbarung (Termin online oder telefonisch)", True),  # the Bürgerdienste
        ("nach Vereinbarung", True),
        ("Nach telefonischer Vereinbarung, Mo–Do 9:00–16:00 Uhr", True),  # the phone's hours
        ("Termine nach Absprache", True),  # no hours to go at
        ("Mo–Fr 8:00–12:00 Uhr, nur mit Termin", True),
        ("Di 9:00–12:00 Uhr, Do 13:00–16:00 Uhr und nach Vereinbarung", False),
        ("Di 9:00–12:00 Uhr offene Sprechstunde, sonst nach Vereinbarung", False),
        (FAMILIENKASSE, False),
        ("Mo–Fr 9:00–15:00 Uhr, Termine auch kurzfristig", False),
        ("", False),  # nothing said: the copy says to call or ask us
    ],
)
def test_hours_by_appointment_only_are_told_from_hours_open_to_all(text: str, only: bool) -> None:
    assert by_appointment_only(text) is only


def test_the_shipped_services_seen_by_appointment_only() -> None:
    only = {
        s.id for s in default_directory().services if by_appointment_only(s.opening_hours.get("de"))
    }
    assert only == {"citizens_office", "recognition_advice", "faire_mobilitaet"}
