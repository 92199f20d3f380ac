"""Field merge: different fields merge, same-field edits conflict, order never matters."""

from __future__ import annotations

import itertools
import json

from hypothesis import given, settings
from hypothesis import strategies as st

from desktop_app.sync.merge import FieldState, RecordState, merge

A, B, C = "dev-a", "dev-b", "dev-c"


def clock(t: int, device: str) -> str:
    return f"{t:013d}-00000-{device}"


def rec(**fields: FieldState) -> RecordState:
    return RecordState("person", "p1", fields)


def test_different_fields_changed_on_two_laptops_both_survive() -> None:
    c0 = clock(1, C)
    base = rec(phone=FieldState("1", c0), notes=FieldState("", c0))
    on_a = rec(phone=FieldState("2", clock(5, A), c0), notes=FieldState("", c0))
    on_b = rec(phone=FieldState("1", c0), notes=FieldState("moved", clock(6, B), c0))
    a_after = merge(on_a, on_b, A)
    b_after = merge(on_b, on_a, B)
    assert a_after.state == b_after.state
    assert a_after.state.values() == {"phone": "2", "notes": "moved"}
    assert a_after.conflicts == b_after.conflicts == ()
    assert merge(base, a_after.state, C).state == a_after.state


def test_same_field_changed_concurrently_is_a_conflict_on_both_sides() -> None:
    c0 = clock(1, C)
    on_a = rec(phone=FieldState("0176 111", clock(5, A), c0))
    on_b = rec(phone=FieldState("0176 222", clock(7, B), c0))
    a_after, b_after = merge(on_a, on_b, A), merge(on_b, on_a, B)
    assert a_after.state == b_after.state
    assert a_after.state.values() == {"phone": "0176 222"}  # later clock wins everywhere
    assert len(a_after.conflicts) == 1 and a_after.conflicts == b_after.conflicts
    conflict = a_after.conflicts[0]
    assert (conflict.field, conflict.other_value, conflict.kept_value) == (
        "phone",
        "0176 111",
        "0176 222",
    )


def test_an_edit_on_top_of_a_received_value_is_no_conflict() -> None:
    c0 = clock(1, C)
    mine = rec(phone=FieldState("1", clock(5, A), c0))
    theirs = rec(phone=FieldState("2", clock(9, B), clock(5, A)))  # B saw A's value first
    result = merge(mine, theirs, A)
    assert result.conflicts == () and result.state.values() == {"phone": "2"}
    # and a late copy of an older state changes nothing
    assert merge(result.state, rec(phone=FieldState("0", c0)), A).state == result.state


def test_same_value_set_twice_is_no_conflict() -> None:
    c0 = clock(1, C)
    on_a = rec(phone=FieldState("5", clock(5, A), c0))
    on_b = rec(phone=FieldState("5", clock(6, B), c0))
    assert merge(on_a, on_b, A).conflicts == ()


def test_deletion_absorbs_concurrent_edits() -> None:
    c0 = clock(1, C)
    edited = rec(phone=FieldState("9", clock(8, A), c0))
    tomb = RecordState("person", "p1", {}, True, clock(4, B))
    for local, incoming, me in ((edited, tomb, A), (tomb, edited, B)):
        result = merge(local, incoming, me)
        assert result.state.deleted and result.state.fields == {}


values = st.sampled_from(["x", "y", "z"])


@settings(max_examples=150, deadline=None)
@given(
    st.lists(
        st.tuples(st.sampled_from([A, B, C]), st.sampled_from(["f", "g"]), values),
        min_size=1,
        max_size=8,
    )
)
def test_merge_order_does_not_matter(edits: list[tuple[str, str, str]]) -> None:
    """Laptops edit offline; whatever order their states meet in, all end up identical."""
    c0 = clock(1, "origin")
    states = {d: rec(f=FieldState("0", c0), g=FieldState("0", c0)) for d in (A, B, C)}
    for t, (device, name, value) in enumerate(edits, start=2):
        old = states[device].fields[name]
        fields = dict(states[device].fields)
        fields[name] = FieldState(value, clock(t, device), old.clock)
        states[device] = rec(**fields)
    finals = []
    for order in itertools.permutations((A, B, C)):
        merged = {d: states[d] for d in (A, B, C)}
        for _ in range(2):  # two rounds of everybody meeting everybody
            for receiver in order:
                for sender in order:
                    if sender != receiver:
                        merged[receiver] = merge(merged[receiver], merged[sender], receiver).state
        assert merged[A] == merged[B] == merged[C]
        finals.append(merged[A])
    assert all(f == finals[0] for f in finals)


def test_sticky_flag_stays_true_and_never_conflicts() -> None:
    c0 = clock(1, C)
    on_a = rec(resolved=FieldState(True, clock(5, A), c0))
    on_b = rec(resolved=FieldState(False, clock(9, B), c0))
    for local, incoming, me in ((on_a, on_b, A), (on_b, on_a, B)):
        result = merge(local, incoming, me, sticky_true=frozenset({"resolved"}))
        assert result.state.values() == {"resolved": True} and result.conflicts == ()


def test_greatest_value_wins_whatever_its_clock_and_never_conflicts() -> None:
    c0 = clock(1, C)
    older_key = rec(vouch=FieldState("k0001:aa", clock(9, B), c0))  # written later
    newer_key = rec(vouch=FieldState("k0002:bb", clock(5, A), c0))
    not_text = rec(vouch=FieldState(7, clock(99, C), c0))
    for local, incoming, me in (
        (older_key, newer_key, B),
        (newer_key, older_key, A),
        (not_text, newer_key, C),
        (newer_key, not_text, A),
    ):
        result = merge(local, incoming, me, greatest=frozenset({"vouch"}))
        assert result.state.values() == {"vouch": "k0002:bb"} and result.conflicts == ()
    # Without the rule the later clock would win.
    assert merge(newer_key, older_key, A).state.values() == {"vouch": "k0001:aa"}


def _history(*steps: tuple[str, str]) -> str:
    return json.dumps([{"status": s, "at": at} for s, at in steps], ensure_ascii=False)


def test_a_growing_history_keeps_both_sides_steps_in_time_order_and_never_conflicts() -> None:
    c0 = clock(1, C)
    issued = ("issued", "2026-12-01T09:00:00")
    base = _history(issued)
    on_a = rec(
        history=FieldState(_history(issued, ("closed", "2026-12-02T10:00:00")), clock(5, A), c0)
    )
    on_b = rec(
        history=FieldState(
            _history(issued, ("appointment_made", "2026-12-02T09:30:00")), clock(9, B), c0
        )
    )
    union = frozenset({"history"})
    merged = {
        merge(local, incoming, me, union_lists=union).state.fields["history"]
        for local, incoming, me in ((on_a, on_b, A), (on_b, on_a, B))
    }
    assert len(merged) == 1  # the same text on both laptops
    (field,) = merged
    assert [step["status"] for step in json.loads(field.value)] == [
        "issued",
        "appointment_made",
        "closed",
    ]
    for local, incoming, me in ((on_a, on_b, A), (on_b, on_a, B)):
        assert merge(local, incoming, me, union_lists=union).conflicts == ()
    # A side that already holds every entry is kept unchanged.
    older = rec(history=FieldState(base, clock(2, C), c0))
    result = merge(on_a, older, A, union_lists=union)
    assert result.state == on_a and not result.changed
    # Without the rule both histories are a conflict.
    assert len(merge(on_a, on_b, A).conflicts) == 1


def test_a_history_that_is_not_a_list_falls_back_to_the_later_clock() -> None:
    c0 = clock(1, C)
    broken = rec(history=FieldState("not json", clock(9, B), c0))
    good = rec(history=FieldState(_history(("issued", "x")), clock(5, A), c0))
    for local, incoming, me in ((good, broken, A), (broken, good, B)):
        result = merge(local, incoming, me, union_lists=frozenset({"history"}))
        assert result.state.values() == {"history": "not json"} and result.conflicts == ()
