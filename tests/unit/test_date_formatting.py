"""Dates as the UI shows them in each language, whole or partly known."""

from __future__ import annotations

import datetime as dt

import pytest

from desktop_app.domain.dates import PartialDate
from desktop_app.i18n.formatting import (
    format_appointment,
    format_long_date,
    format_moment,
    format_partial_date,
)


@pytest.mark.parametrize(
    ("lang", "whole", "month", "year"),
    [
        # Bulgarian marks a year with "г." (after a narrow no-break space, as CLDR writes it)
        # whether the day and month are known or not
        ("bg", "14.03.1988\u202fг.", "03.1988\u202fг.", "1992\u202fг."),
        ("ro", "14 mar. 1988", "mar. 1988", "1992"),
        ("de", "14.03.1988", "März 1988", "1992"),
        # English as written in Europe, day first (en-US gave "Mar 14, 1988")
        ("en", "14 Mar 1988", "Mar 1988", "1992"),
    ],
)
def test_a_partial_date_is_written_as_the_language_writes_its_year(
    lang: str, whole: str, month: str, year: str
) -> None:
    assert format_partial_date(PartialDate.parse("1988-03-14"), lang) == whole
    assert format_partial_date(PartialDate.parse("1988-03"), lang) == month
    assert format_partial_date(PartialDate.parse("1992"), lang) == year
    assert format_partial_date("1992", lang) == year  # as stored


@pytest.mark.parametrize(
    ("lang", "appointment", "long"),
    [
        ("en", "Tue, 12 Jan 2027, 10:00", "12 January 2027"),
        ("de", "Di., 12. Jan. 2027, 10:00", "12. Januar 2027"),
        ("ro", "mar., 12 ian. 2027, 10:00", "12 ianuarie 2027"),
        ("bg", "вт, 12.01.2027\u202fг., 10:00", "12 януари 2027\u202fг."),
    ],
)
def test_an_english_ui_writes_the_day_before_the_month_as_the_others_do(
    lang: str, appointment: str, long: str
) -> None:
    """English said "Tue, Jan 12, 2027" and "January 12, 2027": American, where a reader here
    expects the day first."""
    when = dt.datetime(2027, 1, 12, 10, 0)
    assert format_appointment(when, lang) == appointment
    assert format_long_date(when.date(), lang) == long


@pytest.mark.parametrize(
    ("lang", "moment", "with_seconds"),
    [
        # CLDR's medium date, short time, joined by the language's own pattern ("{1}, {0}");
        # Bulgarian tables wrote "2.08.2026 г. 09:50" beside the data copy's "2.08.2026 г., 9:50"
        ("bg", "2.08.2026\u202fг., 9:50", "2.08.2026\u202fг., 9:50:07"),
        ("ro", "2 aug. 2026, 09:50", "2 aug. 2026, 09:50:07"),
        ("de", "02.08.2026, 09:50", "02.08.2026, 09:50:07"),
        ("en", "2 Aug 2026, 09:50", "2 Aug 2026, 09:50:07"),
    ],
)
def test_a_moment_is_written_one_way_in_each_language(
    lang: str, moment: str, with_seconds: str
) -> None:
    when = dt.datetime(2026, 8, 2, 9, 50, 7)
    assert format_moment(when, lang) == moment
    assert format_moment(when, lang, seconds=True) == with_seconds
    # an appointment (with its weekday) gives its time as the tables do
    assert format_appointment(when, lang).endswith(", " + moment.rsplit(", ", 1)[1])
