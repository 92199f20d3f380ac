"""Comparing Welcome Desk versions ("0.1.0", "0.2.0rc1") as another laptop or a publication
states them: which of two laptops runs the older version."""

from __future__ import annotations

import re

_NUMBERS = re.compile(r"\d+")


def _numbers(version: str) -> tuple[int, ...] | None:
    """The leading numbers of each dotted part ("1.2rc1" → (1, 2)); None: not a version."""
    parts: list[int] = []
    for part in version.strip().split("."):
        found = _NUMBERS.match(part)
        if found is None:
            break
        parts.append(int(found.group()))
    if not parts:
        return None
    while len(parts) > 1 and parts[-1] == 0:  # "1.0" is "1.0.0"
        parts.pop()
    return tuple(parts)


def compare(a: str, b: str) -> int | None:
    """-1, 0 or 1 as version ``a`` is older than, the same as, or newer than ``b``; None when
    either is not a version (a damaged or made-up value says nothing about age)."""
    try:  # packaging (pip's own) orders pre-releases and the like properly, where installed
        from packaging.version import InvalidVersion, Version

        try:
            left, right = Version(a), Version(b)
            return (left > right) - (left < right)
        except InvalidVersion:
            pass
    except ImportError:
        pass
    x, y = _numbers(a), _numbers(b)
    if x is None or y is None:
        return None
    return (x > y) - (x < y)


def is_older(version: str, than: str) -> bool:
    return compare(version, than) == -1


def is_newer(version: str, than: str) -> bool:
    return compare(version, than) == 1
