"""The CLDR items kept for the window's first paint (i18n/cldr_cache.py) write exactly what
Babel writes: dates of birth whole and partly known, counts, country names, in every UI
language."""

from __future__ import annotations

import datetime as dt
import subprocess
import sys
from pathlib import Path

import pytest
from babel import Locale
from babel.dates import format_date, format_skeleton
from babel.numbers import format_decimal

from desktop_app.domain.dates import PartialDate
from desktop_app.i18n import cldr_cache
from desktop_app.i18n.formatting import (
    MIN_GROUPING_DIGITS,
    country_names,
    date_locale,
    format_number,
    format_partial_date,
)
from desktop_app.i18n.text import LANGUAGES
from desktop_app.paths import project_root


def test_the_file_holds_what_babel_has_now() -> None:
    """After an upgrade of Babel: ``python -m desktop_app.i18n.cldr_cache`` writes it anew."""
    assert cldr_cache._data() == cldr_cache.build()


def test_every_ui_language_is_kept() -> None:
    assert sorted(cldr_cache.LANGUAGES) == sorted(LANGUAGES)
    for lang in LANGUAGES:
        assert cldr_cache.language(lang) is not None
    assert cldr_cache.language("fr") is None  # any other language: Babel's


def _days() -> list[dt.date]:
    """Every day of a leap year and of a common one, and a day of each month for 130 years."""
    days = [dt.date(2024, 1, 1) + dt.timedelta(d) for d in range(366)]
    days += [dt.date(1999, 1, 1) + dt.timedelta(d) for d in range(365)]
    days += [dt.date(y, m, 9 + m) for y in range(1900, 2031) for m in range(1, 13)]
    return [*days, dt.date(1, 1, 1), dt.date(999, 12, 31), dt.date(9999, 12, 31)]


@pytest.mark.parametrize("lang", LANGUAGES)
def test_dates_are_written_as_babel_writes_them(lang: str) -> None:
    locale = date_locale(lang)
    for day in _days():
        theirs = format_date(day, "medium", locale=locale)
        assert format_partial_date(PartialDate(day.year, day.month, day.day), lang) == theirs
        assert format_partial_date(day.isoformat(), lang) == theirs  # as stored
    for year in [*range(1900, 2031), 1, 999, 9999]:
        for month in range(1, 13):
            theirs = format_skeleton("yMMM", dt.date(year, month, 1), locale=locale)
            assert format_partial_date(PartialDate(year, month), lang) == theirs
        theirs = format_skeleton("y", dt.date(year, 1, 1), locale=locale)
        assert format_partial_date(PartialDate(year), lang) == theirs


def _numbers() -> list[int]:
    edges = [s * (10**e + d) for e in range(13) for d in (-1, 0, 1) for s in (1, -1)]
    return [*range(-12_345, 12_346, 7), *edges]


@pytest.mark.parametrize("lang", LANGUAGES)
def test_counts_are_written_as_babel_writes_them(lang: str) -> None:
    least = MIN_GROUPING_DIGITS.get(lang, 1)
    for n in _numbers():
        grouped = abs(n) >= 10 ** (3 + least - 1)
        theirs = format_decimal(n, locale=Locale.parse(lang), group_separator=grouped)
        assert format_number(n, lang) == theirs, n
    # not an integer: Babel's (as before)
    assert format_number(12345.5, lang) == format_decimal(12345.5, locale=Locale.parse(lang))


@pytest.mark.parametrize("lang", LANGUAGES)
def test_country_names_are_babels_in_its_order(lang: str) -> None:
    theirs = {
        code: name
        for code, name in Locale.parse(lang).territories.items()
        if len(code) == 2 and code.isalpha()
    }
    ours = country_names(lang)
    assert list(ours.items()) == list(theirs.items())
    ours["BG"] = "changed"  # a copy: the next caller gets the names unchanged
    assert country_names(lang)["BG"] == theirs["BG"]


def test_a_date_field_not_kept_is_refused_not_guessed() -> None:
    items = cldr_cache.language("de")
    assert items is not None
    with pytest.raises(ValueError, match="EEE"):
        cldr_cache.format_pattern("EEE, d.M.y", 2026, 12, 5, items)
    assert cldr_cache.format_pattern("d.M.yy 'um' ''", 2026, 12, 5, items) == "5.12.26 um '"


def _first_paint_in_a_fresh_interpreter(before: str = "") -> tuple[list[str], str]:
    """The list's count, a date and a country in bg written by a fresh interpreter (``before``
    run first), and the Babel modules then loaded; its stderr."""
    code = (
        "import sys\n"
        f"{before}"
        "from desktop_app.i18n.text import set_language\n"
        "from desktop_app.i18n.formatting import country_names, format_number\n"
        "from desktop_app.i18n.formatting import format_partial_date\n"
        "set_language('bg')\n"
        "print(format_number(100000), format_partial_date('1990-05-04'), country_names()['RO'])\n"
        "print(sorted(m for m in sys.modules if m.split('.')[0] == 'babel'))\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=project_root()
    )
    return done.stdout.splitlines(), done.stderr


FIRST_PAINT_BG = "100\xa0000 4.05.1990\u202fг. Румъния"


def test_the_first_paints_formatting_loads_no_babel() -> None:
    """A fresh interpreter writes the list's count, dates and countries without Babel."""
    assert _first_paint_in_a_fresh_interpreter()[0] == [FIRST_PAINT_BG, "[]"]


def test_without_the_file_babel_writes_the_same(tmp_path: Path) -> None:
    """The file is generated (scripts/setup, make compile), not committed: a checkout where it
    was not written yet formats by Babel, with the same text, and says nothing."""
    before = (
        "from desktop_app import paths\n"
        f"paths.resources_dir = lambda: paths.Path({str(tmp_path)!r})\n"
    )
    written, stderr = _first_paint_in_a_fresh_interpreter(before)
    assert written[0] == FIRST_PAINT_BG
    assert "'babel.dates'" in written[1]
    assert stderr == ""


def test_the_file_is_written_by_setup_not_committed() -> None:
    tracked = subprocess.run(
        ["git", "ls-files", "resources/cldr"], capture_output=True, text=True, cwd=project_root()
    )
    if tracked.returncode != 0:
        pytest.skip("not a git checkout")
    assert tracked.stdout == ""
    setup = (project_root() / "scripts" / "setup").read_text(encoding="utf-8")
    assert "-m desktop_app.i18n.cldr_cache" in setup
