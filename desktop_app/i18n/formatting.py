"""Dates and numbers in the UI language, by Babel's CLDR data.

Babel loads at the first call that needs it, not with this module: the people list's dates and
count are written from the few CLDR items ``i18n.cldr_cache`` keeps (the same text), so that the
window's first paint does without Babel.
"""

from __future__ import annotations

import datetime as dt
from functools import lru_cache
from typing import TYPE_CHECKING

from desktop_app.domain.dates import PartialDate
from desktop_app.i18n import cldr_cache, languages
from desktop_app.i18n.text import current_language

if TYPE_CHECKING:
    from babel import Locale

# The English of a program used in Germany writes dates as Europe does: day, month, year ("5 Dec
# 2026", "Sat, 5 Dec 2026") with the 24-hour clock, as CLDR's British English does; plain "en" is
# American ("Dec 5, 2026", "12/5/26" in figures, which a reader here takes for 12 May). The
# letters and the reports had written English so already; the screens had not. Each language's
# locale for dates is in translations/languages.toml ("dates").
DATE_LOCALES = languages.date_locales()


def date_locale(lang: str | None = None) -> Locale:
    """The locale whose CLDR data writes dates for the UI language ``lang`` (numbers and names
    stay ``lang``'s own)."""
    return _date_locale(lang or current_language())


@lru_cache(maxsize=8)
def _date_locale(lang: str) -> Locale:
    from babel import Locale

    return Locale.parse(DATE_LOCALES.get(lang, lang))


def load_locale_data(lang: str | None = None) -> None:
    """Load Babel and the CLDR data of ``lang`` (the UI language) ahead: the window does so on
    a worker after its first paint, so that the first screen needing Babel does not wait."""
    from babel import Locale

    lang = lang or current_language()
    for locale in (Locale.parse(lang), date_locale(lang)):
        _ = locale.territories  # loads the locale's data
    import babel.dates
    import babel.numbers
    import babel.units  # noqa: F401


def format_partial_date(value: PartialDate | str | None, lang: str | None = None) -> str:
    if not value:
        return ""
    if isinstance(value, str):  # as stored: painting the people list asks for each row's
        return _format_stored_date(value, lang or current_language())
    return _format_date(value, lang or current_language())


@lru_cache(maxsize=4096)
def _format_stored_date(value: str, lang: str) -> str:
    return _format_date(PartialDate.parse(value), lang)


def _format_date(date: PartialDate, lang: str) -> str:
    cached = cldr_cache.language(lang)
    if cached is not None:
        if date.day is not None:
            pattern = cached["date_medium"]
        else:
            pattern = cached["skeletons"]["yMMM" if date.month is not None else "y"]
        return cldr_cache.format_pattern(pattern, date.year, date.month or 1, date.day or 1, cached)
    from babel.dates import format_date, format_skeleton

    locale = date_locale(lang)
    if date.day is not None:
        return format_date(date.earliest(), "medium", locale=locale)
    if date.month is not None:
        return format_skeleton("yMMM", dt.date(date.year, date.month, 1), locale=locale)
    # the language's own way with a year alone, as with the month: Bulgarian "1992 г."
    return format_skeleton("y", dt.date(date.year, 1, 1), locale=locale)


# Codes people here use that CLDR names by another code: Vlax Romani (rmy), the Romani most
# speak, has no name of its own there ("Rmy" was shown); its macrolanguage's name fits.
_LANGUAGE_ALIASES = {"rmy": "rom"}
# Where CLDR's name differs from the one the forms use: English CLDR says "Romany", the forms
# (and current usage) "Romani"; the person's page said one, the visit form the other.
_LANGUAGE_NAMES = {("rom", "en"): "Romani"}


def language_name(code: str, lang: str | None = None) -> str:
    """The name of the language ``code`` in ``lang`` (the UI language), lower case as the
    language writes it mid-sentence ("ромски"); the code itself where CLDR has no name."""
    lang = lang or current_language()
    code = _LANGUAGE_ALIASES.get(code, code)
    if (named := _LANGUAGE_NAMES.get((code, lang))) is not None:
        return named
    from babel import Locale

    languages = Locale.parse(lang).languages
    return str(languages.get(code) or code)


def country_names(lang: str | None = None) -> dict[str, str]:
    """The names of the countries (two-letter codes) in ``lang`` (the UI language)."""
    lang = lang or current_language()
    cached = cldr_cache.language(lang)  # the people list's first paint: without Babel
    if cached is not None:
        return dict(cached["territories"])
    from babel import Locale

    territories = Locale.parse(lang).territories
    return {code: name for code, name in territories.items() if len(code) == 2 and code.isalpha()}


def format_years(count: int, lang: str | None = None) -> str:
    """An age or a span in whole years in the UI language ("6 Jahre", "6 години")."""
    from babel.units import format_unit

    return str(
        format_unit(count, "duration-year", length="long", locale=lang or current_language())
    )


def format_long_date(value: dt.date, lang: str | None = None) -> str:
    from babel.dates import format_date

    return format_date(value, "long", locale=date_locale(lang))


# One way to write a moment in each language, on every screen, in the data copy, the audit log
# and the status bar: CLDR's medium date and short time (seconds: medium time), joined as the
# language joins them ("{1}, {0}"). Before, tables wrote "2.08.2026 г. 09:50" beside the data
# copy's "2.08.2026 г., 9:50". Letters keep their own long forms.
def _local(value: dt.datetime) -> dt.datetime:
    # a stored instant (UTC) is read in the laptop's zone; a naive one is already local
    return value.astimezone() if value.tzinfo is not None else value


def format_time_of_day(
    value: dt.datetime, lang: str | None = None, *, seconds: bool = False
) -> str:
    """The time of ``value`` as ``lang`` writes it: "9:50" (bg), "09:50" (de, ro, en)."""
    from babel.dates import format_time

    return str(
        format_time(_local(value), "medium" if seconds else "short", locale=date_locale(lang))
    )


def _join(day: str, time: str, lang: str | None) -> str:
    pattern = str(date_locale(lang).datetime_formats["medium"])
    return pattern.replace("{1}", day).replace("{0}", time)


def format_moment(value: dt.datetime, lang: str | None = None, *, seconds: bool = False) -> str:
    """A date with its time, as tables, history and the data copy write it: "2.08.2026 г.,
    9:50", "2 aug. 2026, 09:50", "02.08.2026, 09:50", "2 Aug 2026, 09:50"."""
    from babel.dates import format_date

    local = _local(value)
    day = format_date(local.date(), "medium", locale=date_locale(lang))
    return _join(day, format_time_of_day(local, lang, seconds=seconds), lang)


def format_short_moment(value: dt.datetime, lang: str | None = None) -> str:
    """A day and time without the year, where space is short (the status bar): "2.08, 9:50"."""
    from babel.dates import format_skeleton

    local = _local(value)
    day = format_skeleton("dMMM", local, locale=date_locale(lang))
    return _join(day, format_time_of_day(local, lang), lang)


def format_appointment(value: dt.datetime, lang: str | None = None) -> str:
    """An appointment with its weekday and time: "Di., 12. Jan. 2027, 10:00" ("Tue, 12 Jan
    2027, 10:00"); the weekday catches a date typed a week off. The time as in format_moment."""
    from babel.dates import format_skeleton

    day = format_skeleton("yMMMEd", value, locale=date_locale(lang))
    return _join(day, format_time_of_day(value, lang), lang)


# CLDR's least number of digits before the first group separator, where not 1 (its
# minimumGroupingDigits): Bulgarian writes four digits whole, "1396", and groups from five on,
# "12 345". Babel (2.19) leaves the field out and grouped "1 396"; Qt follows it, so the screen
# charts' axes said "1500" beside a table and a PDF with "1 396". Both now follow CLDR.
MIN_GROUPING_DIGITS = {"bg": 2}


def format_number(value: int | float, lang: str | None = None) -> str:
    lang = lang or current_language()
    least = MIN_GROUPING_DIGITS.get(lang, 1)
    # The integer part needs ``least`` digits beyond the first group of three to be grouped.
    grouped = abs(value) >= 10 ** (3 + least - 1)
    cached = cldr_cache.language(lang)
    if cached is not None and type(value) is int and cached["decimal_pattern"] == "#,##0.###":
        return cldr_cache.format_integer(value, cached, grouped)
    from babel import Locale
    from babel.numbers import format_decimal

    return format_decimal(value, locale=Locale.parse(lang), group_separator=grouped)
