"""Cased Latin transliteration of Bulgarian names for German readers of the letters.

Bulgarian follows the official Streamlined System (2009 law). Search folding lives in
``i18n.translit.fold``; this stays because letters need cased output (``Petar Petrov``).
"""

from __future__ import annotations

from desktop_app.i18n.translit import BULGARIAN_LATIN as _BG


def has_cyrillic(text: str) -> bool:
    return any("\u0400" <= ch <= "\u04ff" for ch in text)


def to_latin(text: str) -> str:
    """``Петър Петров`` → ``Petar Petrov``; Latin text (also with ș, ț, ä) is returned unchanged."""
    out: list[str] = []
    for i, ch in enumerate(text):
        low = ch.lower()
        # The law writes a final "ия" as "ia" (София → Sofia).
        if (
            low == "я"
            and i > 0
            and text[i - 1].lower() == "и"
            and not text[i + 1 : i + 2].isalpha()
        ):
            latin = "a"
        else:
            latin = _BG.get(low, ch)
        if ch != low and latin:
            nxt = text[i + 1 : i + 2]
            latin = latin.upper() if nxt.isupper() else latin[0].upper() + latin[1:]
        out.append(latin)
    return "".join(out)
