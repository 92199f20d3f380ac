"""The text a queued letter's fingerprint takes each of its inputs from (``_LetterInputs.digest``
in the referral use cases): the fields a class lists, written as the dataclass's repr wrote them
when the fingerprint was the repr, so that the letters queued then keep their fingerprints and a
field added to a class is in the fingerprint or out of it by a decision, never by accident.

Each fingerprinted class lists its fields in ``FINGERPRINT`` (in the order of the text) and
``NOT_IN_FINGERPRINT``; tests/unit/letters/test_letter_fingerprint*.py fail for a field in
neither."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, Protocol, runtime_checkable


@runtime_checkable
class Fingerprinted(Protocol):
    """A value written into a fingerprint by its own field lists, not by its repr."""

    def fingerprint(self) -> str: ...


def fingerprint_text(
    obj: object, names: Sequence[str], written_as: Mapping[str, object] | None = None
) -> str:
    """``obj`` as its dataclass repr wrote the fields ``names``: ``Class(name=value, …)``,
    whatever the repr of its class says today. A value of ``written_as`` stands for the
    field's own (a field the letter never shows, kept in its place in the text as it was)."""
    fixed = written_as or {}
    fields = ", ".join(
        f"{name}={_shown(fixed[name] if name in fixed else getattr(obj, name))}" for name in names
    )
    return f"{type(obj).__qualname__}({fields})"


def _shown(value: Any) -> str:
    """``value`` as a repr writes it, with what it holds by its own fingerprint."""
    if isinstance(value, Fingerprinted):
        return value.fingerprint()
    if type(value) is tuple:
        inner = ", ".join(_shown(item) for item in value)
        return f"({inner},)" if len(value) == 1 else f"({inner})"
    return repr(value)
