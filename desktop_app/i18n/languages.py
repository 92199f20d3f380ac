"""The languages Welcome Desk speaks, as ``translations/languages.toml`` lists them.

Adding a language is a translation task (the file says how): no code names the languages one
by one. What the code does know: German is the language of the letters to the services and
English the last fallback of a text (``FALLBACK_ORDER``), and the four languages of the first
version (``CORE``) are the ones every text that travels between laptops has (a published
service directory or form, from a laptop of an older or newer version): a text is refused
without them, and kept with the languages a newer version added.
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache

from desktop_app.paths import translations_dir

REGISTRY = "languages.toml"
#: the languages of the first version: every text a laptop is given has them
CORE: tuple[str, ...] = ("de", "bg", "ro", "en")
#: where a text lacks the language asked for: English, then German
FALLBACK_ORDER: tuple[str, ...] = ("en", "de")
#: the language of the letters to the services (a service's name is German in them)
LETTERS_LANGUAGE = "de"
#: what a language code may look like (ISO 639-1 or -3)
CODE = re.compile(r"^[a-z]{2,3}$")


class RegistryError(ValueError):
    """``translations/languages.toml`` is not as its header says."""


@dataclass(frozen=True)
class Language:
    code: str
    #: its own name ("Български"), shown so in every UI language
    name: str
    #: the CLDR locale its dates and numbers are written in
    dates: str
    #: how Windows names its locale ("bulgarian"), lower case
    words: tuple[str, ...]


@cache
def registered() -> tuple[Language, ...]:
    """The languages, in the order the file lists them (the menus' order)."""
    path = translations_dir() / REGISTRY
    with path.open("rb") as fh:
        data = tomllib.load(fh)
    found: list[Language] = []
    for index, entry in enumerate(data.get("language", [])):
        where = f"{path.name}: language {index + 1}"
        code, name, dates = entry.get("code"), entry.get("name"), entry.get("dates")
        words = entry.get("words", [])
        if not isinstance(code, str) or not CODE.match(code):
            raise RegistryError(f"{where}: code {code!r} is not a language code")
        if not isinstance(name, str) or not name.strip():
            raise RegistryError(f"{where} ({code}): no name")
        if not isinstance(dates, str) or not dates.strip():
            raise RegistryError(f"{where} ({code}): no dates locale")
        if not isinstance(words, list) or not all(isinstance(w, str) for w in words):
            raise RegistryError(f"{where} ({code}): words is not a list of words")
        if code in (known.code for known in found):
            raise RegistryError(f"{where}: {code} twice")
        found.append(Language(code, name.strip(), dates.strip(), tuple(w.lower() for w in words)))
    missing = [code for code in CORE if code not in (known.code for known in found)]
    if missing:
        raise RegistryError(f"{path.name}: {', '.join(missing)} missing")
    return tuple(found)


def codes() -> tuple[str, ...]:
    """The languages' codes, in the menus' order."""
    return tuple(language.code for language in registered())


def names() -> dict[str, str]:
    """Each language's own name by its code."""
    return {language.code: language.name for language in registered()}


def date_locales() -> dict[str, str]:
    """The CLDR locale each language writes its dates and numbers in, by its code."""
    return {language.code: language.dates for language in registered()}


def locale_words() -> dict[str, str]:
    """The codes by the words Windows names locales with ("bulgarian": "bg")."""
    return {word: language.code for language in registered() for word in language.words}


def client_languages() -> tuple[str, ...]:
    """The languages a form or a person's copy of a letter can be in, for the person: theirs
    first (Bulgarian, Romanian and any added), then German and English."""
    last = (LETTERS_LANGUAGE, *FALLBACK_ORDER)
    ordered = [code for code in codes() if code not in last]
    ordered += [code for code in dict.fromkeys(last) if code in codes()]
    return tuple(ordered)


def persons_language(spoken: Iterable[str]) -> str | None:
    """The first of the languages a person speaks that the program speaks, German and English
    aside (the forms are shown in it beside the UI's, the person's copy of a letter is in it);
    None where there is none."""
    aside = {LETTERS_LANGUAGE, *FALLBACK_ORDER}
    return next((code for code in spoken if code in codes() and code not in aside), None)
