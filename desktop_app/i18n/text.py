"""The one translation function: gettext catalogs per UI language, switchable at runtime.

Catalogs live in ``translations/<lang>/LC_MESSAGES/welcome_desk.po``; the install step compiles
them to ``.mo``. A missing ``.mo`` (a fresh checkout) falls back to reading the ``.po`` directly.
"""

from __future__ import annotations

import gettext
import io
import locale
import os
import threading
from collections.abc import Callable, Mapping
from typing import NamedTuple

from desktop_app.i18n import languages
from desktop_app.paths import translations_dir

DOMAIN = "welcome_desk"
#: the UI languages, as translations/languages.toml lists them (the menus' order)
LANGUAGES: tuple[str, ...] = languages.codes()
DEFAULT_LANGUAGE = "de"
#: each language's own name, shown so in every UI language
LANGUAGE_NAMES = languages.names()

_lock = threading.Lock()
_catalogs: dict[str, gettext.NullTranslations] = {}
_current = DEFAULT_LANGUAGE
_listeners: list[Callable[[str], None]] = []


def _load(lang: str) -> gettext.NullTranslations:
    folder = translations_dir() / lang / "LC_MESSAGES"
    mo = folder / f"{DOMAIN}.mo"
    po = folder / f"{DOMAIN}.po"
    if mo.exists() and (not po.exists() or mo.stat().st_mtime >= po.stat().st_mtime):
        with open(mo, "rb") as fh:
            return gettext.GNUTranslations(fh)
    if po.exists():
        from babel.messages.mofile import write_mo
        from babel.messages.pofile import read_po

        with open(po, "rb") as fh:
            catalog = read_po(fh, locale=lang)
        buf = io.BytesIO()
        write_mo(buf, catalog)
        buf.seek(0)
        return gettext.GNUTranslations(buf)
    return gettext.NullTranslations()


def catalog(lang: str) -> gettext.NullTranslations:
    with _lock:
        if lang not in _catalogs:
            _catalogs[lang] = _load(lang)
        return _catalogs[lang]


# Windows names the locale in English words ("Bulgarian_Bulgaria"), not ISO codes.
_LANGUAGE_WORDS = languages.locale_words()
# The POSIX variables that name the user's language, strongest first (as gettext reads them).
_LOCALE_VARIABLES = ("LC_ALL", "LC_MESSAGES", "LANG")


def _language_of(value: str) -> str | None:
    """A UI language's code (``bg``) from a locale name such as bg_BG.UTF-8, ro-RO,
    Bulgarian_Bulgaria.1251 or de; None for C, POSIX and languages the app lacks."""
    word = value.split(".")[0].split("@")[0].replace("-", "_").split("_")[0].strip().lower()
    code = _LANGUAGE_WORDS.get(word, word)
    return code if code in LANGUAGES else None


def system_language() -> str:
    """The UI language to start with: WELCOME_DESK_LANG, else the user's locale if we have it.

    The environment is read directly: Python's ``locale`` knows a locale only when the
    system has it generated (a bg_BG.UTF-8 a minimal Linux lacks came out as C), and it
    reports C.UTF-8 as en_US, so a user who named no language got English.
    """
    own = _language_of(os.environ.get("WELCOME_DESK_LANG", ""))
    if own:
        return own
    for name in _LOCALE_VARIABLES:
        value = os.environ.get(name)
        if value:
            # The first one set is in force; LANGUAGE (a list such as "bg:en") refines it
            # unless that is C or POSIX, as in GNU gettext.
            if _language_of(value) is None and value.split(".")[0] in ("C", "POSIX"):
                return DEFAULT_LANGUAGE
            for wanted in os.environ.get("LANGUAGE", "").split(":"):
                if code := _language_of(wanted):
                    return code
            return _language_of(value) or DEFAULT_LANGUAGE
    # No variable set (Windows, a macOS app bundle): the locale the OS reports.
    return _language_of(locale.getlocale()[0] or "") or DEFAULT_LANGUAGE


def set_language(lang: str) -> None:
    global _current
    if lang not in LANGUAGES:
        raise ValueError(f"unsupported language: {lang}")
    catalog(lang)
    _current = lang
    for listener in list(_listeners):
        listener(lang)


def current_language() -> str:
    return _current


def on_language_changed(listener: Callable[[str], None]) -> None:
    _listeners.append(listener)


def off_language_changed(listener: Callable[[str], None]) -> None:
    if listener in _listeners:
        _listeners.remove(listener)


def _(message: str) -> str:
    return catalog(_current).gettext(message)


def gettext_in(lang: str, message: str) -> str:
    """Translate into a given language regardless of the UI language (letters, client copies)."""
    return catalog(lang).gettext(message)


def ngettext(singular: str, plural: str, n: int) -> str:
    return catalog(_current).ngettext(singular, plural, n)


def N_(message: str) -> str:
    """Mark a message for extraction; it is translated where it is shown."""
    return message


class PluralMessage(NamedTuple):
    """A message kept in a table to be shown later, with its plural: the parameter ``number``
    chooses the form ("at most 200 characters", ro "200 de caractere")."""

    singular: str
    plural: str
    number: str


def Nn_(singular: str, plural: str, number: str) -> PluralMessage:
    """Mark a message and its plural for extraction (``Nn_:1,2``); shown by format_message."""
    return PluralMessage(singular, plural, number)


def format_message(template: str | PluralMessage, params: Mapping[str, object]) -> str:
    """A table's message in the UI language, with its parameters (in its plural form where it
    has one). Whole numbers are written as the language groups them ("100.000", bg "100 000")."""
    # Here, late: formatting imports this module for current_language.
    from desktop_app.i18n.formatting import format_number

    shown = {
        key: format_number(value)
        if isinstance(value, int) and not isinstance(value, bool)
        else value
        for key, value in params.items()
    }
    if isinstance(template, PluralMessage):
        # The plural form follows the integer, not its grouped text.
        number = params.get(template.number)
        count = number if isinstance(number, int) else 2  # no number: the general form
        return ngettext(template.singular, template.plural, count).format(**shown)
    return _(template).format(**shown)
