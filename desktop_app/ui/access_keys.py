"""Access keys (Alt+letter) for texts that come without one: a form definition's labels are
written by coordinators in four languages and mark no key, yet advisors work by keyboard.

A letter is chosen from the text as shown, one the controls already in sight do not use, and
``&`` is put before it (or, with its letters taken, a digit after it: "Cetățenie (&1)"); a
literal ``&`` of the text is doubled so that Qt shows it as written.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable, Sequence

from PySide6.QtWidgets import QAbstractButton, QGroupBox, QLabel, QMenuBar, QTabBar, QWidget


def key_of(text: str) -> str | None:
    """The access key of a Qt text: the letter after a single ``&`` (``&&`` is a literal
    ampersand), case-folded; None without one."""
    plain = text.split("\t")[0].replace("&&", "")
    at = plain.find("&")
    return plain[at + 1].casefold() if 0 <= at < len(plain) - 1 else None


def escaped(text: str) -> str:
    """``text`` shown as written by a control that reads ``&`` as an access key's mark."""
    return text.replace("&", "&&")


# Where a text's key sits: the index of one of its letters, a digit put after the text ("1"),
# or None for no key.
Place = int | str | None

# A digit after a text whose typable letters are all taken: "Cetățenie (&1)". Alt+digit is
# typed alike on German, Romanian and Bulgarian keyboards.
DIGITS = "1234567890"


def _tier(char: str) -> int | None:
    """How well a letter serves as an access key on the helpers' keyboards, mostly German
    ones; lower is better, None: not typed on them.

    Qt matches Alt+key to a mnemonic by the key's own character, not by a letter's base:
    offscreen, Alt+A does not reach "&ă" nor Alt+I "&Име" (tested), and on a German layout no
    key types "ă", "ș" or a Cyrillic letter. So: ASCII letters first (typed on every layout
    the program meets; Qt also matches them on a Cyrillic layout); Cyrillic letters next: the
    Bulgarian program marks its own keys in Cyrillic (its catalogue does, nearly all), so its
    users switch to a Bulgarian layout to use any of them, and there "й" is a key of its own;
    then "ä", "ö", "ü", keys of the German layout. Any other letter with a diacritic ("ă",
    "ț", "é") only after a digit."""
    folded = char.casefold()
    if folded.isascii():
        return 0
    if unicodedata.name(char, "").startswith("CYRILLIC"):
        return 1
    if folded in "äöü":
        return 2
    return None


def typable(key: str) -> bool:
    """Whether an access key is typed on the helpers' keyboards (see _tier): a digit, or a
    letter other than "ă", "ș", "ț", "î", "é" …"""
    return key.isdigit() or (key.isalpha() and _tier(key) is not None)


def _ranked(text: str, used: set[str], fallback: bool = True) -> list[tuple[int | str, str]]:
    """Where ``text``'s key may sit, best first, with the key each gives; none of ``used``.
    Its letters by their tier (see _tier), a word's first letter before the others in a tier
    (it is where a reader looks for it); then (``fallback``) a digit after the text, then the
    letters no German keyboard types (a Romanian layout does)."""
    candidates: list[tuple[int, int, int | str, str]] = []
    for index, char in enumerate(text):
        folded = char.casefold()
        # One letter, one key: "ß" folds to "ss", which no Alt+letter types.
        if not char.isalpha() or len(folded) != 1 or folded in used:
            continue
        word_start = index == 0 or not text[index - 1].isalnum()
        tier = _tier(char)
        if tier is None and not fallback:
            continue
        rank = 2 * (tier if tier is not None else 4) + (0 if word_start else 1)
        candidates.append((rank, index, index, folded))
    for order, digit in enumerate(DIGITS if fallback else ""):
        if digit not in used:
            candidates.append((6, order, digit, digit))
    return [(place, key) for _rank, _order, place, key in sorted(candidates)]


def choose_key(text: str, taken: Iterable[str]) -> int | str | None:
    """Where ``text``'s access key goes (see Place), or None when every letter of it and
    every digit is taken."""
    ranked = _ranked(text, {key.casefold() for key in taken})
    return ranked[0][0] if ranked else None


def choose_keys(texts: Sequence[str], taken: Iterable[str]) -> list[Place]:
    """Keys for texts shown together, none of ``taken``: each its best letter in turn, and
    one that finds none left gets one an earlier text can give up for another of its own
    (as many texts keyed by a letter as the letters allow; one keyed keeps a key). Only then
    does a text still without one get a digit (or, with every digit taken, a letter only a
    Romanian keyboard types)."""
    used = {key.casefold() for key in taken}
    chosen: list[Place] = []
    owner: dict[str, int] = {}  # key -> the text holding it
    for text in texts:
        ranked = _ranked(text, used | set(owner), fallback=False)
        chosen.append(ranked[0][0] if ranked else None)
        if ranked:
            owner[ranked[0][1]] = len(chosen) - 1

    def move(i: int, seen: set[str], fallback: bool) -> bool:
        """Text ``i`` a key: a free one, or one whose holder can move (an augmenting path,
        each key tried once)."""
        for place, key in _ranked(texts[i], used, fallback):
            if key in seen:
                continue
            seen.add(key)
            holder = owner.get(key)
            if holder is None or move(holder, seen, fallback):
                owner[key] = i
                chosen[i] = place
                return True
        return False

    for i in range(len(texts)):
        if chosen[i] is None:
            move(i, set(), fallback=False)
    for i in range(len(texts)):
        if chosen[i] is None:
            # A digit free for it before one taken from another text's letter: the earlier
            # texts (Add buttons first) keep their letters.
            free = _ranked(texts[i], used | set(owner))
            if free:
                chosen[i], key = free[0]
                owner[key] = i
            else:
                move(i, set(), fallback=True)
    return chosen


def marked(text: str, at: Place) -> str:
    """``text`` for a control that reads ``&``: its own ampersands doubled, ``&`` before the
    letter at index ``at`` (none if ``at`` is None or no longer points into it), or a digit
    ``at`` after it."""
    if isinstance(at, str):
        return f"{escaped(text)} (&{at})"
    if at is None or not 0 <= at < len(text):
        return escaped(text)
    return escaped(text[:at]) + "&" + escaped(text[at:])


def keys_in(top: QWidget, outside: Iterable[QWidget] = ()) -> set[str]:
    """The access keys of ``top``'s window in use by its buttons, labels with a buddy, group
    boxes, tabs and menu titles, hidden ones too (they may be shown later), except those of
    ``outside`` and their children (the part whose keys are being chosen)."""
    outside = list(outside)

    def counted(widget: QWidget) -> bool:
        if widget.window() is not top:
            return False
        return not any(w is widget or w.isAncestorOf(widget) for w in outside)

    texts: list[str] = []
    texts += [b.text() for b in top.findChildren(QAbstractButton) if counted(b)]
    texts += [
        label.text() for label in top.findChildren(QLabel) if label.buddy() and counted(label)
    ]
    texts += [box.title() for box in top.findChildren(QGroupBox) if counted(box)]
    for bar in top.findChildren(QTabBar):
        if counted(bar):
            texts += [bar.tabText(i) for i in range(bar.count())]
    for menu_bar in top.findChildren(QMenuBar):
        if counted(menu_bar):
            texts += [action.text() for action in menu_bar.actions()]
    return {key for key in map(key_of, texts) if key is not None}


def give_keys(labels: Sequence[tuple[QLabel, str]], taken: Iterable[str]) -> None:
    """Each label its text with a key of its own, none of ``taken`` (see choose_keys)."""
    chosen = choose_keys([text for _label, text in labels], taken)
    for (label, text), at in zip(labels, chosen, strict=True):
        label.setText(marked(text, at))
