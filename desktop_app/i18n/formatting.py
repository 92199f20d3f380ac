"""Dates and numbers in the UI language, by Babel's CLDR data."""

from __future__ import annotations

import datetime as dt

from babel import Locale
from babel.dates import format_date, format_skeleton
from babel.numbers import format_decimal

from desktop_app.domain.dates import PartialDate
from desktop_app.i18n.text import current_language


def format_partial_date(value: PartialDate | str | None, lang: str | None = None) -> str:
    if not value:
        return ""
    date = PartialDate.parse(value) if isinstance(value, str) else value
    locale = Locale.parse(lang or current_language())
    if date.day is not None:
        return format_date(date.earliest(), "medium", locale=locale)
    if date.month is not None:
        return format_skeleton("yMMM", dt.date(date.year, date.month, 1), locale=locale)
    return str(date.year)


def format_long_date(value: dt.date, lang: str | None = None) -> str:
    return format_date(value, "long", locale=Locale.parse(lang or current_language()))


def format_number(value: int | float, lang: str | None = None) -> str:
    return format_decimal(value, locale=Locale.parse(lang or current_language()))
