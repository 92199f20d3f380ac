"""The history a publication (the service directory, the forms) carries: who published, when,
and the note, of it and of the ones before it, newest first (no Qt, no I/O).

A publication is one synced record per name whose content is one JSON object; the one in force
is the later write (``sync.kinds``: the later clock wins). Its ``history`` key lists the
publications before it. Two coordinators publishing without having seen each other's
publication (offline, at the same time) each carry a history without the other's: the record's
merge keeps the content of the later one and its history made the union of both sides'
entries (``merged_content``), so no laptop loses one, whatever order they arrive in.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass

#: How many publications of a name the record keeps (the one in force and the ones before):
#: a user away for several publications sees each one's note, not only the last one's.
MAX_HISTORY = 50
MAX_NOTE = 200


@dataclass(frozen=True)
class PublicationEntry:
    """One publication of a directory or of the forms as its history keeps it: who, when, and
    what changed (the publisher's note, "" where none was given). Two entries alike in all
    three are one publication (a history names each once)."""

    publisher: str
    published_at: dt.datetime
    note: str

    @classmethod
    def of(cls, publisher: str, published_at: dt.datetime, note: str) -> PublicationEntry:
        """The entry of a publication by ``publisher`` at ``published_at`` with ``note``, as a
        history keeps it (the name and the note cut to size, the note's spaces made single)."""
        return cls(publisher[:200], published_at, " ".join(note.split())[:MAX_NOTE])

    def as_json(self) -> dict[str, str]:
        return {
            "publisher": self.publisher,
            "published_at": self.published_at.isoformat(),
            "note": self.note,
        }


def entry(data: object) -> PublicationEntry | None:
    """The history entry ``data`` (a publication's content, or an entry of its history), or
    None where it is not one (damaged, or of another shape): passed over, as the rest stays
    readable."""
    if not isinstance(data, dict):
        return None
    publisher, note, when = data.get("publisher"), data.get("note", ""), data.get("published_at")
    if not (isinstance(publisher, str) and isinstance(note, str) and isinstance(when, str)):
        return None
    try:
        published_at = dt.datetime.fromisoformat(when)
    except ValueError:
        return None
    return PublicationEntry.of(publisher, published_at, note)


def _parsed(content: object) -> dict[str, object] | None:
    try:
        data = json.loads(content) if isinstance(content, str) else None
    except ValueError:
        return None
    return data if isinstance(data, dict) else None


def _carried(data: dict[str, object]) -> list[PublicationEntry]:
    earlier = data.get("history", [])
    entries = [entry(e) for e in (earlier if isinstance(earlier, list) else [])]
    return [e for e in entries if e is not None]


def history_of(content: object) -> list[PublicationEntry]:
    """The publications a publication's content names, newest first: itself, then the ones
    it carries (none where it was made by a version before the history)."""
    data = _parsed(content)
    if data is None:
        return []
    own = entry(data)
    return ([own] if own is not None else []) + _carried(data)[: MAX_HISTORY - (own is not None)]


def _newest_first(found: PublicationEntry) -> tuple[dt.datetime, str, str]:
    """A sort key that orders any two entries alike on every laptop (by time, then name and
    note); a time without a zone is read as UTC (the app writes UTC)."""
    when = found.published_at
    if when.tzinfo is None:
        when = when.replace(tzinfo=dt.UTC)
    return when, found.publisher, found.note


def merged_content(ours: object, theirs: object, *, ours_wins: bool) -> object:
    """One publication's content after merging two laptops' contents of its record: the content
    of the side that wins (``ours_wins``: ours), its ``history`` the union of both sides'
    publications by entry (the losing side's own publication among them), newest first, up to
    ``MAX_HISTORY`` with the one in force. The same whatever side is which.

    A side that already holds that history is kept as it is (its text unchanged: nothing new
    to send). A content that is no publication (damaged) merges as before: the winner's."""
    winner, loser = (ours, theirs) if ours_wins else (theirs, ours)
    won = _parsed(winner)
    if won is None:
        return winner
    own = entry(won)
    entries = set(_carried(won)) | set(history_of(loser))
    if own is not None:
        entries.discard(own)  # it heads the history, as the one in force
    room = MAX_HISTORY - (own is not None)
    history = sorted(entries, key=_newest_first, reverse=True)[:room]
    wanted = ([own] if own is not None else []) + history
    publication = {k: v for k, v in won.items() if k != "history"}
    for side in (winner, loser):
        data = _parsed(side)
        if (
            data is not None
            and history_of(side) == wanted
            and {k: v for k, v in data.items() if k != "history"} == publication
        ):
            return side  # holds it all already: unchanged
    return json.dumps(
        {**publication, "history": [e.as_json() for e in history]},
        ensure_ascii=False,
        sort_keys=True,
    )
