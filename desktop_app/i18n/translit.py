"""Folding of names and phone numbers to plain Latin/digit tokens for the type-ahead search.

Bulgarian Cyrillic follows the official Streamlined System (2009 law); other scripts and
diacritics are folded so that "petrov", "Петров" and "Ștefan"/"Ştefan" meet in one form.
"""

from __future__ import annotations

import itertools
import re
import unicodedata
from functools import lru_cache

__all__ = [
    "BULGARIAN_LATIN",
    "digits",
    "fold",
    "name_tokens",
    "other_romanisations",
    "phone_query",
    "phone_tokens",
    "query_alternatives",
    "query_tokens",
    "romanian_reading",
    "sort_form",
]

# The official Bulgarian Streamlined System (Закон за транслитерацията, 2009).
BULGARIAN_LATIN = {
    "а": "a", "б": "b", "в": "v", "г": "g", "д": "d", "е": "e", "ж": "zh", "з": "z",
    "и": "i", "й": "y", "к": "k", "л": "l", "м": "m", "н": "n", "о": "o", "п": "p",
    "р": "r", "с": "s", "т": "t", "у": "u", "ф": "f", "х": "h", "ц": "ts", "ч": "ch",
    "ш": "sh", "щ": "sht", "ъ": "a", "ь": "y", "ю": "yu", "я": "ya",
}  # fmt: skip

# Letters of neighbouring Cyrillic alphabets that turn up in names of people from the region.
_OTHER_CYRILLIC = {
    "ѝ": "i", "ы": "y", "э": "e", "ё": "yo", "і": "i", "ї": "yi", "є": "ye", "ґ": "g",
    "ў": "u", "ђ": "dj", "ј": "j", "љ": "lj", "њ": "nj", "ћ": "c", "џ": "dz", "ѓ": "gj",
    "ќ": "kj", "ѕ": "dz", "ѣ": "e", "ѫ": "a",
}  # fmt: skip

# Latin letters that have no decomposition, so stripping combining marks would keep them.
# "ß" needs no entry: casefold() already turns it into "ss".
_LATIN_SPECIAL = {
    "ł": "l", "đ": "d", "ø": "o", "æ": "ae", "œ": "oe", "ı": "i", "ħ": "h", "þ": "th",
    "ð": "d", "ŧ": "t", "ŀ": "l",
}  # fmt: skip

_BASE = {**BULGARIAN_LATIN, **_OTHER_CYRILLIC, **_LATIN_SPECIAL}
_OFFICIAL = str.maketrans(_BASE)

# Alternative romanisations found on older passports and in German or English documents.
# Each is applied to the whole word, which keeps the number of index tokens per word small.
_SCHEMES: tuple[tuple[dict[str, str], bool], ...] = (
    # (overrides, whether "ия" becomes "ia" everywhere in the word, not only at its end)
    # official letters with "ia" inside the word too: Mariana, Yulian; it also keeps
    # "Юлия" typed on the way to "Юлияна" matching
    ({}, True),
    # pre-2009 passports, French-influenced: Iordanov, Tzvetan, Jivkov, Stoitchkov, Iulia
    (
        {"й": "i", "ц": "tz", "ж": "j", "ю": "iu", "я": "ia", "ъ": "u", "ч": "tch", "ь": "i"},
        True,
    ),
    # English-style: Khristo, Mariya, Yuliya, Bulgariya
    ({"х": "kh", "ъ": "u"}, False),
    # scientific transliteration without its diacritics: Zivkov, Cvetanka, Jordanov, Stoickov
    (
        {"ж": "z", "ч": "c", "ш": "s", "щ": "st", "ц": "c", "й": "j", "ю": "ju", "я": "ja",
         "ь": "j"},
        True,
    ),
    # German (Duden): Schiwkow, Tschernew, Zwetanka, Christo, Jordanow, Georgiew
    (
        {"ж": "sch", "ш": "sch", "ч": "tsch", "щ": "schtsch", "ц": "z", "в": "w", "з": "s",
         "х": "ch", "й": "j", "ю": "ju", "я": "ja", "ь": "j"},
        True,
    ),
)  # fmt: skip
_SCHEME_TABLES = tuple((str.maketrans({**_BASE, **o}), ia) for o, ia in _SCHEMES)
_UMLAUTS = str.maketrans({"ä": "ae", "ö": "oe", "ü": "ue"})

_IA_AT_END = re.compile(r"ия\b")
_BULGARIA = re.compile(r"\bбългария\b")  # the law's one named exception: "Bulgaria"
_NOT_WORD = re.compile(r"[\W_]+")
_CYRILLIC = re.compile(r"[\u0400-\u04ff]")
_NOT_DIGIT = re.compile(r"[^0-9]+")


def _prepare(text: str) -> str:
    return unicodedata.normalize("NFKC", text).casefold()


def _finish(text: str) -> str:
    """Strip diacritics, turn punctuation into spaces, collapse whitespace."""
    if not text.isascii():
        kept = []
        for c in unicodedata.normalize("NFD", text):
            category = unicodedata.category(c)
            if category == "Lm":  # modifier letters (ˈ ʼ ʻ) mark, they do not spell
                kept.append(" ")
            elif category[0] != "M":
                kept.append(c)
        text = unicodedata.normalize("NFC", "".join(kept))
    return " ".join(_NOT_WORD.sub(" ", text).split())


def _official(prepared: str, table: dict[int, str] = _OFFICIAL) -> str:
    if "ия" in prepared:
        prepared = _IA_AT_END.sub("ia", _BULGARIA.sub("bulgaria", prepared))
    return _finish(prepared.translate(table))


# For the list order only: "ъ" becomes a letter that survives _finish ("ɑ", Latin alpha) and
# then "a~", which sorts after "a" followed by any letter ("~" after "z") and before "b".
_SORT_A = "ɑ"
_SORTING = str.maketrans({**_BASE, "ъ": _SORT_A})


def sort_form(text: str) -> str:
    """``text`` as the people list orders it: :func:`fold`, but "ъ" as a letter of its own
    among the a's, after every "а"/"a": "Ъгленов" ("Aglenov" by the official system) after
    "Ангелов" and "Атанасов", "Бъчваров" after every "Ба…", as a Bulgarian reader expects
    А before Ъ; Latin and Cyrillic names still sort together by their Latin form.

    >>> sort_form("Ъгленов") > sort_form("Атанасов")
    True
    >>> sort_form("Ъгленов") < sort_form("Бачев") < sort_form("Бъчваров") < sort_form("Вълков")
    True
    """
    return _official(_prepare(text), _SORTING).replace(_SORT_A, "a~")


def fold(text: str) -> str:
    """The canonical folded form: Latin, lowercase, no diacritics, words separated by one space.

    >>> fold("  България, София ")
    'bulgaria sofia'
    >>> fold("Ştefan Mureșan-Niță")
    'stefan muresan nita'
    """
    return _official(_prepare(text))


def query_tokens(text: str) -> list[str]:
    """The folded words of what a user typed, in order; match each as a prefix of a name token."""
    return fold(text).split()


def query_alternatives(word: str) -> list[str]:
    """The prefixes one typed word may match a name token by: its folded form first; for a
    word in Cyrillic also its other romanisations and its Romanian reading
    (:func:`romanian_reading`), for one in Latin letters its other romanisations
    (:func:`other_romanisations`).

    The index holds a Latin-stored name in its own spelling only ("Yordanka"), a Cyrillic one
    in every romanisation; the typed word brings the others.
    """
    found = query_tokens(word)
    if _CYRILLIC.search(word):
        found += sorted({t for w in _prepare(word).split() for t in _word_tokens(w)})
        found += romanian_reading(word).split()
    else:
        found += [v for t in list(found) for v in other_romanisations(t)]
    return list(dict.fromkeys(found))


# Spellings of one Bulgarian sound in the usual romanisations (official, older passports,
# scientific, German), as they differ in a folded Latin word: Йорданка is Yordanka, Iordanka
# or Jordanka. Bounded to these few, in the order tried; "c" and "h" are left alone, which
# Romanian and German names spell otherwise. German and French documents double an "s"
# between vowels (Десислава as "Dessislava", Василев as "Wassilew"): typed so, it is also
# looked up single; German ones write "в" as "w" (Iwanowa), also looked up as "v".
_SPELLINGS = re.compile(
    r"(?P<start>^[iyj](?=[aou]))|(?P<ya>i[yj]a|[iyj]a)|(?P<yu>[iyj]u)|(?P<zh>zh|j)"
    r"|(?P<sht>sht|st)|(?P<ts>tz|ts)|(?P<ss>ss)|(?P<w>w)"
)
_SAME_SOUND = {
    "ss": ("ss", "s"),
    "w": ("w", "v"),
    "start": ("y", "i", "j"),
    "ya": ("ya", "ia", "ja", "iya"),
    "yu": ("yu", "iu", "ju"),
    "zh": ("zh", "j"),
    "sht": ("sht", "st"),
    "ts": ("ts", "tz"),
}
_MAX_ROMANISATIONS = 6  # each is a range scan of the index; the search stays within its budget


def other_romanisations(token: str) -> list[str]:
    """A folded Latin word in the other romanisations of Bulgarian Cyrillic: "iordanka" as
    "yordanka" and "jordanka", "maria" as "mariya", "tsvetan" as "tzvetan", "stereva" as
    "shtereva" (at most six, the nearest first, the word itself not among them).

    >>> other_romanisations("iordanka")
    ['yordanka', 'jordanka']
    """
    typed: list[str] = []  # the word cut into its spellings (and the letters between)
    options: list[tuple[str, ...]] = []
    end = 0
    for match in _SPELLINGS.finditer(token):
        typed += [token[end : match.start()], match.group()]
        options += [(token[end : match.start()],), _SAME_SOUND[str(match.lastgroup)]]
        end = match.end()
    if not typed:
        return []
    typed.append(token[end:])
    options.append((token[end:],))
    # the nearest first (one spelling changed, then two, …): the cap leaves out the farthest
    choices = sorted(
        itertools.product(*options),
        key=lambda choice: sum(c != t for c, t in zip(choice, typed, strict=True)),
    )
    found: list[str] = []
    for choice in choices:
        spelled = "".join(choice)
        if spelled != token and spelled not in found:
            found.append(spelled)
            if len(found) == _MAX_ROMANISATIONS:
                break
    return found


# A Romanian name as a Bulgarian writes it down in Cyrillic, spelled back the Romanian way:
# the sounds Romanian spells with c/g before e and i, ce/ci/ge/gi before a vowel, ch/gh, ș, ț,
# j, x and i for й. Replacements in this order, then the letters one by one.
_ROMANIAN_SOUNDS = (
    (re.compile(r"кс"), "x"),
    (re.compile(r"дж(?=[еи])"), "g"),
    (re.compile(r"джа"), "gea"),
    (re.compile(r"джо"), "geo"),
    (re.compile(r"дж"), "gi"),
    (re.compile(r"ч(?=[еи])"), "c"),
    (re.compile(r"ча"), "cea"),
    (re.compile(r"ч"), "ci"),
    (re.compile(r"к(?=[еи])"), "ch"),
    (re.compile(r"г(?=[еи])"), "gh"),
)
_ROMANIAN_LETTERS = str.maketrans(
    {
        **_BASE,
        "к": "c", "ш": "s", "щ": "st", "ц": "t", "ж": "j", "х": "h", "й": "i", "я": "ia",
        "ю": "iu", "ъ": "a", "ь": "i",
    }
)  # fmt: skip


def romanian_reading(text: str) -> str:
    """``text`` in Cyrillic as the Romanian spelling of what it sounds like, folded: how a
    Romanian name that a Bulgarian-speaking advisor typed as heard is found as stored.

    Only a further form of what is typed (the index holds names as written): "Константин"
    found "Konstantin" but not the Romanian "Constantin", "Йон" not "Ion", "Щефан" not
    "Ștefan".

    >>> [romanian_reading(w) for w in ("Константин", "Йон", "Щефан", "Георге", "Мирча")]
    ['constantin', 'ion', 'stefan', 'gheorghe', 'mircea']
    """
    word = _prepare(text)
    for pattern, spelling in _ROMANIAN_SOUNDS:
        word = pattern.sub(spelling, word)
    return _finish(word.translate(_ROMANIAN_LETTERS))


@lru_cache(maxsize=65536)
def _word_tokens(word: str) -> frozenset[str]:
    """Tokens for one whitespace-separated word, already NFKC-normalised and casefolded."""
    variants = {_official(word)}
    if _CYRILLIC.search(word):
        for table, ia_anywhere in _SCHEME_TABLES:
            w = word.replace("ия", "ia") if ia_anywhere else word
            variants.add(_finish(w.translate(table)))
    elif "ä" in word or "ö" in word or "ü" in word:
        variants.add(_official(word.translate(_UMLAUTS)))
    tokens: set[str] = set()
    for variant in variants:
        parts = variant.split()
        tokens.update(parts)
        if len(parts) > 1:  # "Ivanova-Petrova", "O'Neill": the joined form matches too
            tokens.add("".join(parts))
    return frozenset(tokens)


def name_tokens(text: str) -> set[str]:
    """All tokens to index for a name: the canonical fold of each word plus common variants.

    Cyrillic words also get older-passport, English, scientific and German romanisations;
    German umlauts also as ae/oe/ue; hyphenated parts each on their own and joined.
    """
    tokens: set[str] = set()
    for word in _prepare(text).split():
        tokens |= _word_tokens(word)
    return tokens


# Country codes of the people the advice desk sees most; ITU codes are prefix-free.
_COUNTRY_CODES = ("49", "359", "40", "90", "48", "43", "30", "36", "381", "380", "420", "421")
_HOME_COUNTRY = "49"  # a national number written "0176 …" at a Dortmund desk is German


def digits(text: str) -> str:
    """Only the decimal digits of ``text`` (any script's digits become ASCII)."""
    if text.isascii():
        return _NOT_DIGIT.sub("", text)
    return "".join(str(unicodedata.decimal(c)) for c in text if c.isdecimal())


def _phone_parts(phone: str) -> tuple[str, str, str, bool]:
    """(all digits, country code or "", national number without trunk 0, international?)."""
    number = digits(phone)
    if phone.lstrip().startswith("+") or number.startswith("00"):
        rest = number[2:] if number.startswith("00") else number
        country = next((cc for cc in _COUNTRY_CODES if rest.startswith(cc)), "")
        if not country:  # a country code we do not know, or one not yet fully typed
            return number, "", rest, True
        return number, country, rest[len(country) :].lstrip("0"), True  # "+49 (0)170 …"
    if number.startswith("0"):
        return number, _HOME_COUNTRY, number.lstrip("0"), False
    return number, "", number, False


def phone_tokens(phone: str) -> set[str]:
    """Digit strings to index so that international, 00-, trunk-0 and bare forms find each other.

    "+49 170 1234567" gives {"491701234567", "00491701234567", "01701234567", "1701234567"}.
    """
    number, country, national, international = _phone_parts(phone)
    if not number:
        return set()
    tokens = {number}
    if international and not country:
        tokens.add(national)  # without its "00"
    elif national:
        tokens.update({national, "0" + national})
        if country:
            tokens.update({country + national, "00" + country + national})
    return tokens


def phone_query(text: str) -> str:
    """The digits to look up as a prefix among ``phone_tokens`` for what a user typed.

    "+49 (0)170 12", "0049 170 12", "0170 12" and "17012" all give "17012". While only a
    country code or trunk 0 has been typed ("+3", "+49", "0") it is "": nothing to look up yet.
    """
    _number, country, national, international = _phone_parts(text)
    if international and not country and any(cc.startswith(national) for cc in _COUNTRY_CODES):
        return ""
    return national
