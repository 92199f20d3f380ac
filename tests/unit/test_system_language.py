"""The language to start in, from the names operating systems give a locale (the environment
itself is tested with real processes in tests/integration/test_sync_cli.py)."""

from __future__ import annotations

import pytest

from desktop_app.i18n.text import _language_of


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("bg_BG.UTF-8", "bg"),
        ("ro-RO", "ro"),
        ("de_DE@euro", "de"),
        ("en", "en"),
        # Windows: locale.getlocale() gives English words, not ISO codes.
        ("Bulgarian_Bulgaria", "bg"),
        ("Romanian_Romania.1250", "ro"),
        ("German_Germany", "de"),
        # No language at all, or one the app lacks: the caller's default applies.
        ("C.UTF-8", None),
        ("POSIX", None),
        ("fr_FR.UTF-8", None),
        ("", None),
    ],
)
def test_locale_names_give_the_app_language(name: str, expected: str | None) -> None:
    assert _language_of(name) == expected
