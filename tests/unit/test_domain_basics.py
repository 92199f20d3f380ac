"""Partial dates and the hybrid logical clock."""

from __future__ import annotations

import pytest

from desktop_app.domain.dates import PartialDate, PartialDateError
from desktop_app.domain.hlc import HybridLogicalClock, Timestamp, field_clocks_after_change


@pytest.mark.parametrize(
    ("text", "iso"),
    [
        ("1985", "1985"),
        ("1985-03", "1985-03"),
        ("1985-03-14", "1985-03-14"),
        ("14.03.1985", "1985-03-14"),
        ("1.2.2001", "2001-02-01"),
        ("03.1985", "1985-03"),  # month and year, as the visit form takes them
        ("3.1985", "1985-03"),
        (" 2000 ", "2000"),
    ],
)
def test_partial_dates_parse(text: str, iso: str) -> None:
    assert PartialDate.parse(text).iso() == iso


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("29.02.2001", "impossible"),
        ("2001-13", "impossible"),
        ("13.2001", "impossible"),
        ("03/14/1985", "format"),
        ("", "format"),
        ("85", "format"),
    ],
)
def test_bad_partial_dates(text: str, code: str) -> None:
    with pytest.raises(PartialDateError) as info:
        PartialDate.parse(text)
    assert info.value.code == code


def test_clock_is_monotonic_even_when_wall_clock_goes_back() -> None:
    walls = iter([1000, 1000, 900, 2000])
    clock = HybridLogicalClock("dev-a", now_ms=lambda: next(walls))
    stamps = [clock.now() for _ in range(4)]
    assert stamps == sorted(stamps) and len(set(stamps)) == 4
    assert [str(s) for s in stamps] == sorted(str(s) for s in stamps)
    assert Timestamp.parse(str(stamps[2])) == stamps[2]


def test_clock_moves_past_observed_remote_time() -> None:
    clock = HybridLogicalClock("dev-a", now_ms=lambda: 1000)
    clock.observe(Timestamp(5000, 7, "dev-b"))
    after = clock.now()
    assert (after.wall_ms, after.counter) == (5000, 8)


def test_field_clocks_are_written_out_when_a_record_is_edited() -> None:
    fields = ("a", "b", "c")
    first = field_clocks_after_change(fields, {}, "t1", {"a"}, "t2")
    assert first == {"a": ("t2", "t1"), "b": ("t1", ""), "c": ("t1", "")}
    second = field_clocks_after_change(fields, first, "t2", {"c", "a"}, "t3")
    assert second == {"a": ("t3", "t2"), "b": ("t1", ""), "c": ("t3", "t1")}


def test_generated_tests_are_not_timed() -> None:
    """tests/conftest.py: hypothesis counts examples; a machine busy with the other test
    worker does not fail a generated test by its deadline or its "too slow" check."""
    from hypothesis import HealthCheck, settings

    active = settings.default
    assert active is not None
    assert active.deadline is None
    assert HealthCheck.too_slow in active.suppress_health_check
