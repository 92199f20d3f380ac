"""Picking the text for one language out of a ``{de:, bg:, ro:, en:}`` label map."""

from __future__ import annotations

from collections.abc import Mapping

from desktop_app.i18n.languages import FALLBACK_ORDER

FALLBACK_LANGUAGES: tuple[str, ...] = FALLBACK_ORDER


def label(labels: Mapping[str, str] | None, lang: str) -> str:
    """The text in ``lang``; else English, else German, else any text there is, else ``""``."""
    if not labels:
        return ""
    for candidate in (lang, *FALLBACK_LANGUAGES):
        text = labels.get(candidate)
        if text:
            return text
    return next((text for text in labels.values() if text), "")


def labelled(text: str, value: str) -> str:
    """An answer after its label: "Situation: homeless", but a question keeps its own mark
    and takes no colon after it ("Where does the child live? in the same household"; it read
    "Unde locuiește copilul?: în aceeași gospodărie")."""
    return f"{text} {value}" if text.rstrip().endswith("?") else f"{text}: {value}"
