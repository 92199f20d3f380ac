"""Property 10 with laptops whose wall clocks disagree: an edit made after a value arrived
(however far ahead the clock of the laptop that set it ran) wins everywhere, also after the
app was restarted in between."""

from __future__ import annotations

import time
from pathlib import Path

from sync_harness import Laptops
from test_sync_client import _add, _edit

from desktop_app.domain.hlc import HybridLogicalClock
from desktop_app.usecases import accounts, people
from desktop_app.usecases import sync as sync_uc
from desktop_app.usecases.accounts import Session

AHEAD_MS = 10 * 60 * 1000  # a laptop whose clock runs ten minutes fast


def _phone(session: Session, person_id: str) -> str:
    person = people.get_person(session.store, session.user, person_id, log_view=False)
    assert person is not None
    return person.phone


def _restart(laptops: Laptops, session: Session, tmp_path: Path, name: str) -> Session:
    """The app closed and opened again on that laptop (the same store, a new process's clock)."""
    session.close()
    again = accounts.open_unlocked(tmp_path / name, "anna", session.key)
    laptops.sessions[laptops.sessions.index(session)] = again
    return again


def test_an_edit_after_a_restart_wins_over_a_value_from_a_laptop_whose_clock_runs_ahead(
    laptops: Laptops, tmp_path: Path
) -> None:
    a, b = laptops.new("A"), laptops.new("B")
    fast = HybridLogicalClock(
        a.store.device_id, now_ms=lambda: time.time_ns() // 1_000_000 + AHEAD_MS
    )
    a.store.clock = fast
    pid = _add(a, "Ivan", "Kolev")
    laptops.sync(a, b)
    _edit(a, pid, phone="0176 111")
    laptops.sync(a, b)
    assert _phone(b, pid) == "0176 111"
    b = _restart(laptops, b, tmp_path, "B")
    # B's advisor corrects the number A entered: a change made on top of A's, after it.
    _edit(b, pid, phone="0176 222")
    laptops.sync(b, a, b)
    assert _phone(b, pid) == "0176 222"
    assert _phone(a, pid) == "0176 222"
    assert sync_uc.open_conflicts(a.store) == [] and sync_uc.open_conflicts(b.store) == []
