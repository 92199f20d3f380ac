"""Is this laptop's wall clock right? Compared with the sync server's during a sync.

The hybrid logical clock (``hlc``) keeps edits ordered whatever the wall clocks say, but a
laptop whose clock runs days ahead stamps its changes with future times: they win over edits
made later in real time on laptops that have not seen them yet, and pull every laptop's
"changed at" times forward. Only the advisor can fix the clock, so the sync tells them.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Literal

MINUTE_MS = 60_000
HOUR_MS = 60 * MINUTE_MS
DAY_MS = 24 * HOUR_MS

# Five minutes: far above what the measurement can be off by (the HTTP Date header counts
# whole seconds, and an answer's way back takes seconds at worst), and far above the drift of
# a laptop that sets its time from the network (well under a second) or even one that does
# not (seconds a week). Far below what does harm: a wrong time zone is off by 30 minutes or
# more, a wrong date or a dead CMOS battery by days or years. A few minutes of drift do no
# harm the merge does not already absorb, and warning about them would teach people to
# ignore the warning.
WARN_AFTER_MS = 5 * MINUTE_MS

# A change stamped more than a year after both this laptop's clock and the server's comes
# from a laptop whose clock was absurdly wrong: it is logged (by record id), not refused.
FAR_FUTURE_MS = 366 * DAY_MS

Unit = Literal["minutes", "hours", "days"]


def offset_to_warn_of(local_ms: int, server_ms: int | None) -> int | None:
    """How far this laptop's clock is ahead of the server's (negative: behind), in ms, when
    that is more than WARN_AFTER_MS; None when it is close enough or the server's time is
    unknown (an answer without a Date header)."""
    if server_ms is None:
        return None
    offset = local_ms - server_ms
    return offset if abs(offset) > WARN_AFTER_MS else None


def rounded(offset_ms: int) -> tuple[int, Unit]:
    """The size of an offset as people say it: in the largest unit it reaches, rounded to
    the nearest (59.7 minutes is "1 hour", 3 days and 4 hours "3 days")."""
    size = abs(offset_ms)
    minutes = round(size / MINUTE_MS)
    if minutes < 60:
        return max(minutes, 1), "minutes"
    hours = round(size / HOUR_MS)
    if hours < 24:
        return hours, "hours"
    return round(size / DAY_MS), "days"


@dataclass(frozen=True)
class ClockNotice:
    """What the window shows of a wrong clock: the banner, or (hidden by the advisor for the
    session) a short note in the status bar; nothing once a sync finds the clock right.

    ``offset_ms``: the offset the last sync that got through found (None: right). A sync that
    fails says nothing about the clock and leaves the notice as it is."""

    offset_ms: int | None = None
    hidden: bool = False

    def after_sync(self, offset_ms: int | None) -> ClockNotice:
        """After a sync that reached the server. Only an offset over WARN_AFTER_MS counts (the
        sync reports no other, but a caller may pass a raw one). Once the clock is right, a
        later wrong one is a new problem: shown in full again, not as it was hidden."""
        if offset_ms is None or abs(offset_ms) <= WARN_AFTER_MS:
            return ClockNotice()
        return replace(self, offset_ms=offset_ms)

    def hide(self) -> ClockNotice:
        return replace(self, hidden=self.offset_ms is not None)

    def unhide(self) -> ClockNotice:
        return replace(self, hidden=False)

    @property
    def banner(self) -> bool:
        return self.offset_ms is not None and not self.hidden

    @property
    def indicator(self) -> bool:
        return self.offset_ms is not None and self.hidden


def far_in_future(clock_wall_ms: int, local_ms: int, server_ms: int | None) -> bool:
    """Whether a change's clock lies more than FAR_FUTURE_MS ahead of this laptop's clock and
    of the server's (if known): so far that no laptop's clock can have been right."""
    latest = max(local_ms, server_ms if server_ms is not None else local_ms)
    return clock_wall_ms - latest > FAR_FUTURE_MS
