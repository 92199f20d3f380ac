"""Counts of things take the language's plural forms: a message that puts a number before a
noun goes through ngettext, so that Romanian can write "1 serviciu", "3 servicii", "20 de
servicii" and Bulgarian "1 файл", "5 файла" (the catalogs had "{count} găsite" for any number,
or dodged it with "Servicii: {count}")."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from babel.messages.pofile import read_po

ROOT = Path(__file__).resolve().parents[2]
# Placeholders that stand for a number of things.
COUNTS = re.compile(r"\{(count|seconds|years|minutes|days|max|min)\}")

# Messages with a number placeholder that are no count of things, and why.
NOT_COUNTS = {
    # progress "3 of 20": the total follows "of" with no noun after it (ro "3 din 20")
    "Erasing {number} of {count}…": "a position in a total, no noun after the number",
    "Preparing letter {number} of {count}…": "a position in a total, no noun after the number",
    "Printing letter {number} of {count}…": "a position in a total, no noun after the number",
    "Please enter a number from {min} to {max}.": "a range of values, no noun after them",
    # the logo's limits: constants of the code (1024, 3000), and a unit symbol after them
    "The logo file is too large: at most {max} KB.": "a limit with a unit symbol (KB)",
    "The logo is too large: at most {max} × {max} pixels.": "a limit, px in de, bg and ro",
    # the erasure confirmation's list: a section's name and its number ("Visits: 3")
    "{what}: {count}": "a label and its number, no noun after the number",
}


def _read(path: Path, locale: str | None = None):
    with open(path, "rb") as fh:
        return read_po(fh, locale=locale)


def test_every_count_of_things_has_plural_forms() -> None:
    template = _read(ROOT / "translations" / "welcome_desk.pot")
    flagged = sorted(
        m.id
        for m in template
        if isinstance(m.id, str) and COUNTS.search(m.id) and m.id not in NOT_COUNTS
    )
    assert flagged == [], (
        f"use ngettext for these counts (or allow-list them with a reason): {flagged}"
    )
    # the allow-list holds only messages that still exist without a plural
    singular_ids = {m.id for m in template if isinstance(m.id, str)}
    assert set(NOT_COUNTS) <= singular_ids, set(NOT_COUNTS) - singular_ids


def test_romanian_counts_of_twenty_and_more_take_de() -> None:
    """Romanian's third form (0, 20 and more: "20 de servicii") is not a copy of the second
    where a noun follows the number."""
    catalog = _read(ROOT / "translations" / "ro" / "LC_MESSAGES" / "welcome_desk.po", "ro")
    assert catalog.num_plurals == 3
    checked = 0
    for m in catalog:
        if not isinstance(m.id, tuple) or not COUNTS.search(m.id[0]):
            continue
        one, few, many = m.string
        assert one and few and many, m.id
        number = COUNTS.search(few)
        assert number is not None, (m.id, few)
        # a noun follows the number ("20 dintre ele", "of them", takes no "de")
        if re.match(r" (?!dintre |din )[^\W\d]", few[number.end() :]):
            assert re.search(COUNTS.pattern + r" de ", many), (m.id, many)
            checked += 1
    assert checked >= 15


@pytest.mark.parametrize(
    ("lang", "n", "expected"),
    [
        ("ro", 1, "1 serviciu"),
        ("ro", 3, "3 servicii"),
        ("ro", 20, "20 de servicii"),
        ("ro", 101, "101 servicii"),
        ("bg", 1, "1 служба"),
        ("bg", 5, "5 служби"),
        ("de", 1, "1 Stelle"),
        ("en", 1, "1 service)"),
    ],
)
def test_a_count_reads_with_the_form_its_number_takes(lang: str, n: int, expected: str) -> None:
    from desktop_app.i18n.text import ngettext, set_language

    set_language(lang)
    try:
        text = ngettext(
            "The shipped directory is in force ({count} service).",
            "The shipped directory is in force ({count} services).",
            n,
        ).format(count=n)
    finally:
        set_language("en")
    assert expected in text, text


@pytest.mark.parametrize(
    ("lang", "limit", "expected"),
    [
        # a message kept in a table (Nn_) takes its form when shown: it said "cel mult 200
        # caractere" for any limit
        ("ro", 200, "Textul este prea lung (cel mult 200 de caractere)."),
        ("ro", 12, "Textul este prea lung (cel mult 12 caractere)."),
        ("ro", 1, "Textul este prea lung (cel mult 1 caracter)."),
        ("bg", 1, "Текстът е твърде дълъг (най-много 1 знак)."),
        ("bg", 200, "Текстът е твърде дълъг (най-много 200 знака)."),
        ("de", 200, "Das ist zu lang (höchstens 200 Zeichen)."),
        ("en", 1, "This is too long (at most 1 character)."),
        # the number in a message is grouped as the language writes numbers; it read
        # "100000 de caractere" beside tables that wrote "100.000"
        ("de", 100_000, "Das ist zu lang (höchstens 100.000 Zeichen)."),
        ("ro", 100_000, "Textul este prea lung (cel mult 100.000 de caractere)."),
        ("bg", 100_000, "Текстът е твърде дълъг (най-много 100\u00a0000 знака)."),
        ("en", 100_000, "This is too long (at most 100,000 characters)."),
        # Bulgarian groups only from five digits on
        ("bg", 1500, "Текстът е твърде дълъг (най-много 1500 знака)."),
        # the plural form still follows the integer, not its grouped text (ro 1001 is
        # counted as 2 to 19)
        ("ro", 1001, "Textul este prea lung (cel mult 1.001 caractere)."),
    ],
)
def test_a_field_message_takes_the_form_its_limit_needs_and_groups_it(
    lang: str, limit: int, expected: str
) -> None:
    from desktop_app.domain.validation import FieldError
    from desktop_app.i18n.messages import field_message
    from desktop_app.i18n.text import set_language

    set_language(lang)
    try:
        assert field_message(FieldError("notes", "too_long", {"max": limit})) == expected
    finally:
        set_language("en")


def test_the_import_row_limit_reads_grouped() -> None:
    from desktop_app.i18n.text import set_language
    from desktop_app.usecases.people_import import MAX_ROWS, ImportFileError, file_error_message

    set_language("ro")
    try:
        text = file_error_message(ImportFileError("import_too_many_rows"))
    finally:
        set_language("en")
    assert f"{MAX_ROWS:,}".replace(",", ".") in text, text


@pytest.mark.parametrize(
    ("lang", "count", "expected"),
    [
        ("de", 12_345, "12.345 eigene Veröffentlichungen zurückgezogen, Kopien aufbewahrt"),
        ("bg", 12_345, "12\u00a0345 собствени публикации са оттеглени, копията са запазени"),
        ("bg", 1500, "1500 собствени публикации са оттеглени, копията са запазени"),
    ],
)
def test_a_count_written_by_ngettext_is_grouped_too(lang: str, count: int, expected: str) -> None:
    """The counts that call ngettext themselves (services, files, changes to send) wrote
    "12345" where the tables beside them wrote "12.345"."""
    from desktop_app.i18n.messages import withdrawn_short
    from desktop_app.i18n.text import set_language

    set_language(lang)
    try:
        assert withdrawn_short(count) == expected
    finally:
        set_language("en")


def _ungrouped_counts() -> list[str]:
    """Places in the program that fill a count into an ngettext message without
    ``format_number``: ``ngettext(…).format(count=n)``."""
    import ast

    found = []
    for path in sorted(Path("desktop_app").rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if not (
                isinstance(node, ast.Call)
                and isinstance(node.func, ast.Attribute)
                and node.func.attr == "format"
                and isinstance(node.func.value, ast.Call)
                and getattr(node.func.value.func, "id", "") == "ngettext"
            ):
                continue
            for keyword in node.keywords:
                value = keyword.value
                grouped = isinstance(value, ast.Call) and getattr(value.func, "id", "") == (
                    "format_number"
                )
                example = isinstance(value, ast.Constant)  # the guide's "3 changes to send"
                if keyword.arg == "count" and not (grouped or example):
                    found.append(f"{path}:{node.lineno}")
    return found


def test_every_count_filled_into_an_ngettext_message_is_grouped() -> None:
    """A count of 1,234 letters read "1234" beside tables that wrote "1.234": each count an
    ngettext message takes goes through format_number (which keeps Bulgarian's four digits
    whole)."""
    assert _ungrouped_counts() == []
