"""Access keys (Alt+letter) for texts that come without one: a form definition's labels are
written by coordinators in four languages and mark no key, yet advisors work by keyboard.

A letter is chosen from the text as shown, one the controls already in sight do not use, and
``&`` is put before it; a literal ``&`` of the text is doubled so that Qt shows it as written.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable

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


def choose_key(text: str, taken: Iterable[str]) -> int | None:
    """The index in ``text`` of the letter to be its access key, or None when every letter of
    it is taken. A word's first letter is preferred (it is where a reader looks for it), then
    any other letter; letters without diacritics before those with."""
    used = {key.casefold() for key in taken}
    candidates: list[tuple[int, int, int]] = []  # (rank, index, index): the earliest wins
    for index, char in enumerate(text):
        # One letter, one key: "ß" folds to "ss", which no Alt+letter types.
        if not char.isalpha() or len(char.casefold()) != 1 or char.casefold() in used:
            continue
        word_start = index == 0 or not text[index - 1].isalnum()
        rank = (0 if word_start else 1) + (0 if _plain(char) else 2)
        candidates.append((rank, index, index))
    return min(candidates)[2] if candidates else None


def marked(text: str, at: int | None) -> str:
    """``text`` for a control that reads ``&``: its own ampersands doubled, ``&`` before the
    letter at index ``at`` (none if ``at`` is None or no longer points into it)."""
    if at is None or not 0 <= at < len(text):
        return escaped(text)
    return escaped(text[:at]) + "&" + escaped(text[at:])


def keys_in(top: QWidget, outside: QWidget | None = None) -> set[str]:
    """The access keys of ``top``'s window in use by its buttons, labels with a buddy, group
    boxes, tabs and menu titles, hidden ones too (they may be shown later), except those of
    ``outside`` and its children (the part whose keys are being chosen)."""

    def counted(widget: QWidget) -> bool:
        if widget.window() is not top:
            return False
        return outside is None or not (widget is outside or outside.isAncestorOf(widget))

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
