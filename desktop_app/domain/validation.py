"""Field-level validation results shared by every use case: a field and a stable message code."""

from __future__ import annotations

import dataclasses
import unicodedata
from dataclasses import dataclass


@dataclass(frozen=True)
class FieldError:
    field: str
    code: str  # stable key; the UI turns it into a sentence in the user's language
    params: dict[str, int | str] = dataclasses.field(default_factory=dict)


class ValidationFailed(Exception):
    def __init__(self, errors: list[FieldError]) -> None:
        super().__init__(", ".join(f"{e.field}:{e.code}" for e in errors))
        self.errors = errors


def has_control_characters(text: str, *, allow_newlines: bool = False) -> bool:
    allowed = {"\n", "\t", "\r"} if allow_newlines else set()
    return any(
        unicodedata.category(ch) in {"Cc", "Cf", "Cs", "Co", "Cn"} and ch not in allowed
        for ch in text
    )


def scripts_of(word: str) -> set[str]:
    """Which of Latin / Cyrillic / Greek letters a word uses (other letters are ignored)."""
    found: set[str] = set()
    for ch in word:
        if not ch.isalpha():
            continue
        name = unicodedata.name(ch, "")
        for script in ("LATIN", "CYRILLIC", "GREEK"):
            if name.startswith(script):
                found.add(script)
    return found
