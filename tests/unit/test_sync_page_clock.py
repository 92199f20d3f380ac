"""A pulled page moves this laptop's clock past every clock in it (observed once per page)."""

from __future__ import annotations

from types import SimpleNamespace

from desktop_app.domain.hlc import HybridLogicalClock
from desktop_app.sync.engine import SyncEngine


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
