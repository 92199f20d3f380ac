"""How the outbox is cut into pushes (``engine.push_batches``): in order, except that the
tombstones a merge of two entries leaves go in the push of the entry's tombstone."""

from __future__ import annotations

from desktop_app.sync.engine import push_batches
from sync_server import wire


def _merge(name: str) -> list[tuple[str, str]]:
    """A merge as its transaction queues it: merge record, a record moved, a conflict and a
    decision, the tombstone of the entry merged away."""
    return [
        (wire.PERSON_MERGE_KIND, wire.person_merge_id(name)),
        ("visit", f"{name}-visit"),
        ("conflict", f"{name}-conflict"),
        ("distinct_people", f"{name}-decision"),
        ("person", name),
    ]


def test_without_a_merge_the_outbox_is_cut_in_order() -> None:
    pending = [("person", str(i)) for i in range(7)]
    assert push_batches(pending, 3) == [pending[0:3], pending[3:6], pending[6:7]]
    assert push_batches([], 3) == []


def test_a_merges_tombstones_go_in_one_push() -> None:
    pending = [("visit", "v1"), ("visit", "v2"), ("visit", "v3"), ("visit", "v4"), *_merge("p")]
    pending.append(("visit", "v5"))
    # Cut in order: [v1 v2 v3 v4] [merge visit conflict decision] [person v5].
    batches = push_batches(pending, 4)
    assert batches == [
        pending[0:4],
        [pending[4], ("visit", "p-visit")],
        [
            ("conflict", "p-conflict"),
            ("distinct_people", "p-decision"),
            ("person", "p"),
            pending[9],
        ],
    ]
    # Where they fit anyway, nothing changes.
    assert push_batches(pending[2:], 4) == [pending[2:6], pending[6:10]]


def test_records_of_a_merges_kinds_move_up_to_the_entrys_tombstone() -> None:
    """A decision queued between the merge record and the tombstone, after moved records,
    goes right before the tombstone; everything else keeps its order."""
    merge = _merge("p")
    pending = [merge[0], merge[2], merge[1], ("visit", "v"), merge[3], merge[4]]
    batches = push_batches(pending, 3)
    assert batches == [[merge[0], merge[1], ("visit", "v")], [merge[2], merge[3], merge[4]]]


def test_two_merges_and_a_group_larger_than_a_push() -> None:
    one, two = _merge("a"), _merge("b")
    batches = push_batches([*one, *two], 3)
    flat = [item for batch in batches for item in batch]
    assert sorted(flat) == sorted([*one, *two])
    for merge in (one, two):
        assert any(set(merge[2:]) <= set(batch) for batch in batches)
    # Larger than a push: cut all the same (nothing is left behind).
    batches = push_batches(one, 2)
    assert [item for batch in batches for item in batch] == [one[0], one[1], *one[2:]]
    assert all(len(batch) <= 2 for batch in batches)


def test_a_merge_record_after_its_entrys_tombstone_keeps_the_order() -> None:
    merge = _merge("p")
    pending = [merge[4], merge[2], merge[0]]
    assert push_batches(pending, 2) == [pending[:2], pending[2:]]
