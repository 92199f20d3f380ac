"""Access keys (Alt+letter) for texts that come without one: a form definition's labels are
written by coordinators in four languages and mark no key, yet advisors work by keyboard.

A letter is chosen from the text as shown, one the controls already in sight do not use, and
``&`` is put before it; a literal ``&`` of the text is doubled so that Qt shows it as written.
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


def _plain(char: str) -> bool:
    """A letter typed without a dead key on the layouts its language is written with ("a",
    "д"), not "ä", "ș" or "й" (kept for when nothing else is left)."""
    return len(unicodedata.normalize("NFD", char)) == 1


def _ranked(text: str, used: set[str]) -> list[int]:
    """The indices of the letters of ``text`` not in ``used``, best first: a word's first
    letter (it is where a reader looks for it), then any other letter; letters without
    diacritics before those with."""
    candidates: list[tuple[int, int]] = []
    for index, char in enumerate(text):
        # One letter, one key: "ß" folds to "ss", which no Alt+letter types.
        if not char.isalpha() or len(char.casefold()) != 1 or char.casefold() in used:
            continue
        word_start = index == 0 or not text[index - 1].isalnum()
        rank = (0 if word_start else 1) + (0 if _plain(char) else 2)
        candidates.append((rank, index))
    return [index for _rank, index in sorted(candidates)]


def choose_key(text: str, taken: Iterable[str]) -> int | None:
    """The index in ``text`` of the letter to be its access key, or None when every letter of
    it is taken."""
    ranked = _ranked(text, {key.casefold() for key in taken})
    return ranked[0] if ranked else None


def choose_keys(texts: Sequence[str], taken: Iterable[str]) -> list[int | None]:
    """Keys for texts shown together, none of ``taken``: each its best letter in turn, and
    one that finds none left gets one an earlier text can give up for another of its own
    letters (as many texts keyed as the letters allow; one keyed keeps a key)."""
    used = {key.casefold() for key in taken}
    chosen: list[int | None] = []
    owner: dict[str, int] = {}  # letter -> the text holding it
    for text in texts:
        at = choose_key(text, used | set(owner))
        chosen.append(at)
        if at is not None:
            owner[text[at].casefold()] = len(chosen) - 1

    def move(i: int, seen: set[str]) -> bool:
        """Text ``i`` a letter: a free one, or one whose holder can move (an augmenting path,
        each letter tried once)."""
        for at in _ranked(texts[i], used):
            letter = texts[i][at].casefold()
            if letter in seen:
                continue
            seen.add(letter)
            holder = owner.get(letter)
            if holder is None or move(holder, seen):
                owner[letter] = i
                chosen[i] = at
                return True
        return False

    for i in range(len(texts)):
        if chosen[i] is None:
            move(i, set())
    return chosen


def marked(text: str, at: int | None) -> str:
    """``text`` for a control that reads ``&``: its own ampersands doubled, ``&`` before the
    letter at index ``at`` (none if ``at`` is None or no longer points into it)."""
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
