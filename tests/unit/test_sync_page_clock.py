"""A pulled page moves this laptop's clock past every clock in it (observed once per page)."""

from __future__ import annotations

from types import SimpleNamespace

from desktop_app.domain.hlc import HybridLogicalClock
from desktop_app.sync.engine import SyncEngine, SyncReport


def _observe_page(clock: HybridLogicalClock, clocks: list[str]) -> None:
    engine = SimpleNamespace(store=SimpleNamespace(clock=clock))
    engine._observe = lambda text: SyncEngine._observe(engine, text)  # type: ignore[arg-type]
    SyncEngine._observe_newest(engine, clocks)  # type: ignore[arg-type]


def test_clock_moves_past_the_newest_well_formed_clock_whatever_the_order() -> None:
    clocks = [
        "0000000005000-00003-aaaa",
        "0000000009000-00007-bbbb",
        "0000000009000-00012-aaaa",
        "0000000001000-00099-cccc",
    ]
    for order in (clocks, clocks[::-1]):
        clock = HybridLogicalClock("me", now_ms=lambda: 10)
        _observe_page(clock, order)
        now = clock.now()
        assert (now.wall_ms, now.counter) == (9000, 13)


def test_odd_clocks_are_observed_on_their_own_and_garbage_only_loses_its_hint() -> None:
    clock = HybridLogicalClock("me", now_ms=lambda: 10)
    # Not fixed-width (so string order would lie), but still a readable clock: it counts.
    _observe_page(clock, ["0000000009000-00001-b", "99999-1-x", "garbage", ""])
    now = clock.now()
    assert (now.wall_ms, now.counter) == (99999, 2)


YEAR_MS = 365 * 24 * 60 * 60 * 1000
NOW_MS = 1_764_000_000_000
NOW, AHEAD = f"{NOW_MS}-00001-b", f"{NOW_MS + 2 * YEAR_MS}-00000-a"


def _counted_far_ahead(clocks: list[str]) -> int:
    """How many records of a page, by their newest clocks, are noted as stamped far ahead
    (this laptop's clock and the server's both at NOW_MS)."""
    engine = SimpleNamespace(
        store=SimpleNamespace(clock=HybridLogicalClock("me", now_ms=lambda: NOW_MS)),
        client=SimpleNamespace(server_now_ms=lambda: NOW_MS),
    )
    engine._far_ahead = lambda clock: SyncEngine._far_ahead(engine, clock)  # type: ignore[arg-type]
    envelope = SimpleNamespace(record_id="r", revision=1, author_device="d")
    report = SyncReport()
    SyncEngine._note_far_future(engine, report, [(c, envelope) for c in clocks])  # type: ignore[arg-type,misc]
    return report.far_future


def test_a_record_stamped_years_ahead_is_noted_wherever_it_sits_in_the_page() -> None:
    assert _counted_far_ahead([NOW, NOW, NOW]) == 0
    assert _counted_far_ahead([]) == 0
    for page in ([AHEAD, NOW, NOW], [NOW, NOW, AHEAD], [AHEAD, NOW, AHEAD]):
        assert _counted_far_ahead(page) == page.count(AHEAD)
    # Also where an odd clock sorts above it (string order then says nothing of times).
    assert _counted_far_ahead([NOW, AHEAD, "zz-not-a-clock", "99999-1-x", NOW]) == 1
