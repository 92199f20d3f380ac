"""Field merge: different fields merge, same-field edits conflict, order never matters."""

from __future__ import annotations

import itertools
import json

from hypothesis import example, given, settings
from hypothesis import strategies as st

from desktop_app.domain.hlc import SentField, Unsent, change_clocks, clocks_after_change
from desktop_app.sync.merge import Conflict, FieldState, RecordState, merge

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


def test_a_change_of_an_unsent_value_is_built_on_what_that_value_was_built_on() -> None:
    c0, typo, corrected = clock(1, A), clock(5, B), clock(6, B)
    # B's first change waits in the outbox (since ``typo``): the second replaces it in place.
    assert clocks_after_change(typo, c0, corrected, typo) == (corrected, c0)
    assert clocks_after_change(typo, c0, corrected, clock(3, B)) == (corrected, c0)
    # Sent (nothing of the record waiting, or only changes made after it): built on it.
    assert clocks_after_change(typo, c0, corrected, None) == (corrected, typo)
    assert clocks_after_change(typo, c0, corrected, clock(6, B)) == (corrected, typo)
    # A colleague's value pulled after this laptop's change waiting to be sent: built on it.
    pulled = clock(5, A)
    assert clocks_after_change(pulled, c0, corrected, clock(4, B)) == (corrected, pulled)


def test_a_change_back_to_the_value_as_sent_takes_the_sent_clocks_again() -> None:
    c0, b0, typo, back = clock(1, A), clock(0, C), clock(5, B), clock(6, B)
    noted: dict[str, SentField] = {}
    # The first change since the record was sent notes the field as it was.
    assert change_clocks("phone", c0, b0, "111", "222", typo, None, noted) == (typo, c0)
    assert noted == {"phone": SentField(c0, b0, noted["phone"].digest)}
    unsent = Unsent(typo, noted)
    assert change_clocks("phone", typo, c0, "222", "111", back, unsent, {}) == (c0, b0)
    # Another value: in place, as before; nothing noted for an unsent value.
    again: dict[str, SentField] = {}
    assert change_clocks("phone", typo, c0, "222", "333", back, unsent, again) == (back, c0)
    assert again == {}
    # Not noted (a pull merged into the record, a push began since): a change like any other.
    assert change_clocks("phone", typo, c0, "222", "111", back, Unsent(typo), {}) == (back, c0)
    # A note about another value of the field (its base is not the noted clock): not used.
    other = Unsent(typo, {"phone": SentField(clock(3, A), b0, noted["phone"].digest)})
    assert change_clocks("phone", typo, c0, "222", "111", back, other, {}) == (back, c0)


def test_a_value_changed_back_on_one_laptop_and_changed_on_another_is_no_conflict() -> None:
    c0 = clock(1, C)
    on_a = rec(phone=FieldState("0176 555", clock(5, A), c0))
    noted: dict[str, SentField] = {}
    typo = change_clocks("phone", c0, "", "0176 111", "0176 222", clock(6, B), None, noted)
    back = change_clocks(
        "phone", *typo, "0176 222", "0176 111", clock(7, B), Unsent(typo[0], noted), {}
    )
    on_b = rec(phone=FieldState("0176 111", *back))
    for local, incoming, me in ((on_a, on_b, A), (on_b, on_a, B)):
        result = merge(local, incoming, me)
        assert result.conflicts == () and result.state == on_a


def test_a_value_corrected_on_another_laptop_is_no_conflict_with_the_value_it_replaced() -> None:
    c0 = clock(1, A)
    registered = rec(phone=FieldState("0176 111", c0))
    corrected = rec(phone=FieldState("0176 333", clock(6, B), c0))  # its typo never sent
    for local, incoming, me in ((registered, corrected, A), (corrected, registered, B)):
        result = merge(local, incoming, me)
        assert result.conflicts == () and result.state == corrected
    # The previous version named the typo as the base: a conflict where A holds its own value.
    older = rec(phone=FieldState("0176 333", clock(6, B), clock(5, B)))
    assert len(merge(registered, older, A).conflicts) == 1


def test_this_laptops_own_older_value_coming_back_is_no_conflict() -> None:
    """B's first change reached the server but B never heard so, and its second change took
    the first's base; C pushed the record again with B's first value: B built on it."""
    c0 = clock(1, A)
    first = FieldState("0176 222", clock(5, B), c0)
    mine = rec(phone=FieldState("0176 333", clock(6, B), c0))
    result = merge(mine, rec(phone=first), B)
    assert result.conflicts == () and result.state == mine
    # Another laptop's value of the same age is still a conflict.
    theirs = merge(mine, rec(phone=FieldState("0176 222", clock(5, C), c0)), B)
    assert len(theirs.conflicts) == 1


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


def test_least_value_wins_whatever_its_clock_and_never_conflicts() -> None:
    """One entry merged into two different ones on two laptops offline: both moved a visit,
    each to its kept entry; every laptop keeps the smaller id, without a conflict. An empty
    value (an older version's, naming no one) loses to any id."""
    c0 = clock(1, C)
    to_x = rec(person_id=FieldState("1-x", clock(5, A), c0))
    to_y = rec(person_id=FieldState("2-y", clock(9, B), c0))  # moved later
    empty = rec(person_id=FieldState("", clock(99, C), c0))
    for local, incoming, me in (
        (to_x, to_y, A),
        (to_y, to_x, B),
        (empty, to_x, C),
        (to_x, empty, A),
    ):
        result = merge(local, incoming, me, least=frozenset({"person_id"}))
        assert result.state.values() == {"person_id": "1-x"} and result.conflicts == ()
    # Without the rule the two moves conflict.
    assert len(merge(to_x, to_y, A).conflicts) == 1


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


class _Laptop:
    """A laptop of the model below: its record, its outbox and what it knows happened."""

    def __init__(self, device: str, start: RecordState) -> None:
        self.device, self.state, self.cursor = device, start, 0
        self.unsent_since: str | None = None  # the clock of its oldest change not pushed
        self.noted: dict[str, SentField] = {}  # fields as sent, noted since (``Unsent.sent``)
        self.known = {name: frozenset({f.clock}) for name, f in start.fields.items()}


def _edited_on_b(*on_b: str, on_a: str = "") -> list[tuple[str, str, str, str]]:
    """Steps: A sets field f to "x", both sync; A sets it to ``on_a`` (if given) and B to
    each of ``on_b`` in turn; B syncs, then A."""
    edits = [("edit", A, "f", on_a)] if on_a else []
    edits += [("edit", B, "f", value) for value in on_b]
    start = [("edit", A, "f", "x"), ("sync", A, "", ""), ("sync", B, "", "")]
    return [*start, *edits, ("sync", B, "", ""), ("sync", A, "", "")]


@settings(max_examples=300, deadline=None)
@given(
    st.lists(
        st.one_of(
            st.tuples(st.just("edit"), st.sampled_from([A, B, C]), st.sampled_from("fg"), values),
            st.tuples(st.just("sync"), st.sampled_from([A, B, C]), st.just(""), st.just("")),
        ),
        min_size=1,
        max_size=14,
    )
)
# The walk-through's case: A's value, corrected twice on B, reaches A.
@example(_edited_on_b("y", "z"))
# A value changed back on B while A changed it.
@example(_edited_on_b("z", "x", on_a="y"))
def test_through_a_server_only_changes_made_without_seeing_each_other_conflict(
    steps: list[tuple[str, str, str, str]],
) -> None:
    """Laptops edit (a field several times too) and sync through a server that keeps every
    pushed state in order, as the real one does: a laptop pushes its record if it changed,
    then merges what the others pushed since its last pull. Every conflict found is between
    two changes neither of whose laptops knew the other's (a true one), and after everybody
    synced twice all hold the same record."""
    c0 = clock(1, "origin")
    start = rec(f=FieldState("0", c0), g=FieldState("0", c0))
    laptops = {d: _Laptop(d, start) for d in (A, B, C)}
    log: list[tuple[str, RecordState, dict[str, frozenset[str]]]] = []
    seen: dict[str, frozenset[str]] = {c0: frozenset({c0})}  # each change: what it knew
    found: list[Conflict] = []
    tick = iter(range(2, 10_000))

    def sync(laptop: _Laptop) -> None:
        if laptop.unsent_since is not None:
            log.append((laptop.device, laptop.state, dict(laptop.known)))
            laptop.unsent_since = None
            laptop.noted = {}
        for device, state, known in log[laptop.cursor :]:
            if device == laptop.device:
                continue
            result = merge(laptop.state, state, laptop.device)
            found.extend(result.conflicts)
            laptop.state = result.state
            laptop.known = {n: laptop.known[n] | known[n] for n in laptop.known}
            if result.state != state:  # news for the server, queued now (nothing noted)
                laptop.unsent_since = laptop.unsent_since or clock(next(tick), laptop.device)
                laptop.noted = {}
        laptop.cursor = len(log)

    for action, device, name, value in steps:
        laptop = laptops[device]
        if action == "sync":
            sync(laptop)
            continue
        now = clock(next(tick), device)
        old = laptop.state.fields[name]
        since = laptop.unsent_since
        unsent = Unsent(since, dict(laptop.noted)) if since is not None else None
        noted: dict[str, SentField] = {}
        changed = FieldState(
            value, *change_clocks(name, old.clock, old.base, old.value, value, now, unsent, noted)
        )
        laptop.noted.update(noted)
        laptop.state = rec(**{**laptop.state.fields, name: changed})
        laptop.known = {**laptop.known, name: laptop.known[name] | {now}}
        seen[now] = laptop.known[name]
        laptop.unsent_since = laptop.unsent_since or now
    for conflict in found:
        kept, other = conflict.kept_clock, conflict.other_clock
        assert other not in seen[kept] and kept not in seen[other], conflict
    for _ in range(2):
        for laptop in laptops.values():
            sync(laptop)
    assert laptops[A].state == laptops[B].state == laptops[C].state
