"""The few CLDR items the people list's first paint needs, kept from Babel in a small file.

Babel and a locale's data cost the window's start-up about 25 ms of its main thread (the
package, then the language merged onto CLDR's root), for a count, the dates of birth and the
countries of some twenty rows. Those are written from ``resources/cldr/first-paint.json``
instead, in the UI languages: the count's group separator, the date patterns and month
abbreviations, the country names. The file is Babel's own data (``build``; a unit test
compares the two, and every output against Babel's), written from the Babel installed by
``python -m desktop_app.i18n.cldr_cache``, which ``scripts/setup`` and ``make compile`` run (it
is generated, not committed, as the .mo files are). Without the file every date and count is
Babel's, as before. Babel itself loads after the first paint, with the features.
"""

from __future__ import annotations

import json
from functools import cache
from typing import Any

from desktop_app.i18n import languages
from desktop_app.paths import resource

CACHE_FILE = ("cldr", "first-paint.json")
# The UI languages (translations/languages.toml) and the locale whose dates each writes
# (formatting.DATE_LOCALES: English dates as Europe writes them).
LANGUAGES = languages.date_locales()
# The skeletons formatting._format_date writes a partial date with.
SKELETONS = ("yMMM", "y")


@cache
def _data() -> dict[str, Any]:
    """The file's items; none when it was not written (then Babel writes everything)."""
    try:
        with resource(*CACHE_FILE).open(encoding="utf-8") as fh:
            data: dict[str, Any] = json.load(fh)
    except FileNotFoundError:
        return {"languages": {}}
    return data


def language(lang: str) -> dict[str, Any] | None:
    """The cached items of UI language ``lang``; None for a language not cached (Babel's)."""
    found: dict[str, Any] | None = _data()["languages"].get(lang)
    return found


def build() -> dict[str, Any]:
    """The items from Babel's CLDR data, as the file holds them."""
    from babel import Locale

    languages: dict[str, Any] = {}
    for lang, date_lang in LANGUAGES.items():
        numbers, dates = Locale.parse(lang), Locale.parse(date_lang)
        symbols = numbers.number_symbols["latn"]
        languages[lang] = {
            "decimal_pattern": numbers.decimal_formats[None].pattern,
            "group": symbols["group"],
            "minus": symbols["minusSign"],
            "date_medium": dates.date_formats["medium"].pattern,
            "skeletons": {s: dates.datetime_skeletons[s].pattern for s in SKELETONS},
            "months": {
                "format": [dates.months["format"]["abbreviated"][m] for m in range(1, 13)],
                "stand-alone": [
                    dates.months["stand-alone"]["abbreviated"][m] for m in range(1, 13)
                ],
            },
            # in Babel's order (pairs: the file's keys are sorted)
            "territories": [
                [code, name]
                for code, name in numbers.territories.items()
                if len(code) == 2 and code.isalpha()
            ],
        }
    return {"languages": languages}


def format_integer(value: int, items: dict[str, Any], grouped: bool) -> str:
    """``value`` as Babel's ``format_decimal`` writes an integer with the pattern "#,##0.###"
    (the only one cached), in groups of three if ``grouped``."""
    digits = str(abs(value))
    if grouped:
        head = len(digits) % 3 or 3
        groups = [digits[:head]] + [digits[i : i + 3] for i in range(head, len(digits), 3)]
        digits = str(items["group"]).join(groups)
    return f"{items['minus']}{digits}" if value < 0 else digits


def format_pattern(pattern: str, year: int, month: int, day: int, items: dict[str, Any]) -> str:
    """A date by a CLDR pattern of days (d), months (M, L) and years (y) with literal text,
    as Babel writes it; ValueError for any other field (the patterns cached have none)."""
    out: list[str] = []
    i = 0
    while i < len(pattern):
        char = pattern[i]
        if char == "'":
            end = pattern.index("'", i + 1)
            out.append(pattern[i + 1 : end] or "'")  # '' is a quote
            i = end + 1
            continue
        if not char.isalpha():
            out.append(char)
            i += 1
            continue
        width = 1
        while i + width < len(pattern) and pattern[i + width] == char:
            width += 1
        i += width
        if char == "d" and width <= 2:
            out.append(str(day).zfill(width))
        elif char in "ML" and width <= 2:
            out.append(str(month).zfill(width))
        elif char in "ML" and width == 3:
            out.append(items["months"]["format" if char == "M" else "stand-alone"][month - 1])
        elif char == "y":
            out.append(str(year % 100).zfill(2) if width == 2 else str(year).zfill(width))
        else:
            raise ValueError(f"date field {char * width!r} is not cached")
    return "".join(out)


def main() -> None:
    """Write the file from the Babel installed (scripts/setup, make compile)."""
    path = resource(*CACHE_FILE)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(
        json.dumps(build(), ensure_ascii=False, indent=1, sort_keys=True) + "\n", encoding="utf-8"
    )
    print(f"wrote {path}")


if __name__ == "__main__":
    main()
