"""Dates as the UI shows them in each language, whole or partly known."""

from __future__ import annotations

import pytest

from desktop_app.domain.dates import PartialDate
from desktop_app.i18n.formatting import format_partial_date


@pytest.mark.parametrize(
    ("lang", "whole", "month", "year"),
    [
        # Bulgarian marks a year with "г." (after a narrow no-break space, as CLDR writes it)
        # whether the day and month are known or not
        ("bg", "14.03.1988\u202fг.", "03.1988\u202fг.", "1992\u202fг."),
        ("ro", "14 mar. 1988", "mar. 1988", "1992"),
        ("de", "14.03.1988", "März 1988", "1992"),
        ("en", "Mar 14, 1988", "Mar 1988", "1992"),
    ],
)
def test_a_partial_date_is_written_as_the_language_writes_its_year(
    lang: str, whole: str, month: str, year: str
) -> None:
    assert format_partial_date(PartialDate.parse("1988-03-14"), lang) == whole
    assert format_partial_date(PartialDate.parse("1988-03"), lang) == month
    assert format_partial_date(PartialDate.parse("1992"), lang) == year
    assert format_partial_date("1992", lang) == year  # as stored
