"""Dates as people give them: a full date, or only a year (or year and month)."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from functools import lru_cache
from typing import ClassVar

from desktop_app.domain.fingerprints import fingerprint_text

_ISO = re.compile(r"^(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?$")
_DOTTED = re.compile(r"^(?:(\d{1,2})\.)?(\d{1,2})\.(\d{4})$")  # DD.MM.YYYY or MM.YYYY


class PartialDateError(ValueError):
    """A date that cannot exist or is not in a form we read; ``code`` names why."""

    def __init__(self, code: str) -> None:
        super().__init__(code)
        self.code = code


@dataclass(frozen=True, order=True)
class PartialDate:
    """A date where month and day may be unknown (``None``)."""

    year: int
    month: int | None = None
    day: int | None = None

    #: the fields a queued letter's fingerprint takes (``domain.fingerprints``), in this order
    FINGERPRINT: ClassVar[tuple[str, ...]] = ("year", "month", "day")
    NOT_IN_FINGERPRINT: ClassVar[tuple[str, ...]] = ()

    def __post_init__(self) -> None:
        if self.day is not None and self.month is None:
            raise PartialDateError("day_without_month")
        if self.month is not None and not 1 <= self.month <= 12:
            raise PartialDateError("impossible")
        if self.day is not None:
            try:
                dt.date(self.year, self.month or 1, self.day)
            except ValueError as exc:
                raise PartialDateError("impossible") from exc

    def fingerprint(self) -> str:
        return fingerprint_text(self, self.FINGERPRINT)

    @property
    def is_full(self) -> bool:
        return self.day is not None

    def earliest(self) -> dt.date:
        return dt.date(self.year, self.month or 1, self.day or 1)

    def iso(self) -> str:
        """ISO 8601 with reduced precision: ``1985``, ``1985-03`` or ``1985-03-14``."""
        return _iso(self)

    @classmethod
    def parse(cls, text: str) -> PartialDate:
        """Read ``YYYY``, ``YYYY-MM``, ``YYYY-MM-DD`` or the German ``DD.MM.YYYY`` and
        ``MM.YYYY``."""
        return _parse(text.strip())


# A first sync, an import or a push reads and writes the dates of thousands of people, most of
# them more than once; dates are immutable, so a parsed date and its text are shared. (Only
# dates that parse are kept, and they are at most ten characters long.)
@lru_cache(maxsize=65536)
def _parse(text: str) -> PartialDate:
    if m := _ISO.match(text):
        year, month, day = m.groups()
        return PartialDate(int(year), int(month) if month else None, int(day) if day else None)
    if m := _DOTTED.match(text):
        day, month, year = m.groups()
        return PartialDate(int(year), int(month), int(day) if day else None)
    raise PartialDateError("format")


@lru_cache(maxsize=65536)
def _iso(date: PartialDate) -> str:
    text = f"{date.year:04d}"
    if date.month is not None:
        text += f"-{date.month:02d}"
    if date.day is not None:
        text += f"-{date.day:02d}"
    return text


def whole_years(start: dt.date, today: dt.date) -> int:
    """Whole years from ``start`` to ``today`` (an age: a year more on each anniversary)."""
    return today.year - start.year - ((today.month, today.day) < (start.month, start.day))
