"""Opening hours of a service as the directory writes them in German ("Mo–Fr 8:00–12:30 Uhr,
Do 14:00–18:00 Uhr; telefonisch Mo–Fr 8:00–18:00 Uhr"), read well enough to tell whether an
appointment lies outside them.

The text stays free text for people (coordinators edit it); what cannot be read with certainty
gives no answer rather than a wrong warning.
"""

from __future__ import annotations

import datetime as dt
import re

_DAYS = ("Mo", "Di", "Mi", "Do", "Fr", "Sa", "So")
_DAY = "|".join(_DAYS)
_TOKEN = re.compile(
    rf"\b(?P<first>{_DAY})\b(?:\s*[–-]\s*(?P<last>{_DAY})\b)?"
    r"|(?P<from>\d{1,2})[:.](?P<from_m>\d{2})\s*[–-]\s*(?P<to>\d{1,2})[:.](?P<to_m>\d{2})"
)
#: Hours that are not the only times a visit can be: appointments are also made outside them.
_BY_ARRANGEMENT = re.compile(r"Vereinbarung|nach Absprache", re.IGNORECASE)
#: Hours that say a visit needs an appointment: they begin with the arrangement ("nach
#: telefonischer Vereinbarung, Mo–Do …") or say "nur mit Termin" ("… und nach Vereinbarung",
#: "sonst nach Vereinbarung" come after hours open to all).
_APPOINTMENT_ONLY = re.compile(
    r"^\W*(?:nur\s+)?(?:nach\s+(?:\w+\s+)?(?:Vereinbarung|Absprache)|mit\s+Termin)"
    r"|\bnur\s+(?:mit|nach)\s+(?:Termin|Vereinbarung|Absprache)",
    re.IGNORECASE,
)
#: A part that gives the hours on the phone, not at the office.
_PHONE = re.compile(r"telefonisch", re.IGNORECASE)

Hours = dict[int, list[tuple[dt.time, dt.time]]]


def parse_opening_hours(text: str) -> Hours | None:
    """Weekday (0 = Monday) → opening intervals; None where the text cannot be read with
    certainty, or says that appointments are also made by arrangement."""
    if not text.strip() or _BY_ARRANGEMENT.search(text):
        return None
    hours: Hours = {}
    for part in text.split(";"):
        if _PHONE.search(part):
            continue
        if not _read_part(part, hours):
            return None
    return hours or None


def _read_part(part: str, hours: Hours) -> bool:
    """Add the hours of one part ("Mo–Do 8:30–12:00 Uhr und 13:30–15:30 Uhr, Fr 8:30–12:00 Uhr");
    False where a time has no days before it or a range is impossible."""
    days: set[int] = set()
    after_time = False
    for token in _TOKEN.finditer(part):
        if token["first"]:
            if after_time:  # "…12:00 Uhr, Fr …": a new group of days begins
                days, after_time = set(), False
            first = _DAYS.index(token["first"])
            last = _DAYS.index(token["last"]) if token["last"] else first
            if last < first:
                return False
            days.update(range(first, last + 1))
            continue
        try:
            start = dt.time(int(token["from"]), int(token["from_m"]))
            end = dt.time(int(token["to"]), int(token["to_m"]))
        except ValueError:
            return False
        if not days or end <= start:
            return False
        for day in days:
            hours.setdefault(day, []).append((start, end))
        after_time = True
    return True


def outside_opening_hours(text: str, when: dt.datetime) -> bool:
    """Whether an appointment at ``when`` lies outside the opening hours ``text`` gives; False
    where the hours cannot be read (no warning we cannot stand behind)."""
    hours = parse_opening_hours(text)
    if hours is None:
        return False
    at = when.time()
    return not any(start <= at < end for start, end in hours.get(when.weekday(), ()))


def by_appointment_only(text: str) -> bool:
    """Whether the hours ``text`` says the service sees people by appointment only, so that
    the person cannot just go there ("nach Vereinbarung (Termin online oder telefonisch)");
    hours that also say "und nach Vereinbarung" are open to all at those hours."""
    if _APPOINTMENT_ONLY.search(text):
        return True
    return bool(_BY_ARRANGEMENT.search(text)) and _TOKEN.search(text) is None
