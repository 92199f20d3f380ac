"""A publication's history merged from two laptops' contents of its record: the content of the
later write, the history the union of both by entry, newest first, up to MAX_HISTORY, the same
whatever order the contents meet in (``publication_history.merged_content`` through the sync
merge of kind ``reference``)."""

from __future__ import annotations

import datetime as dt
import itertools
import json
from typing import Any

import desktop_app.sync.kinds  # noqa: F401  (registers the kinds that sync)
from desktop_app.domain.publication_history import MAX_HISTORY, history_of, merged_content
from desktop_app.sync.engine import merge_by_rules
from desktop_app.sync.merge import FieldState, RecordState
from desktop_app.sync.records import ADAPTERS

START = dt.datetime(2026, 12, 1, 9, 0, tzinfo=dt.UTC)


def _entry(n: int, who: str = "Anna") -> dict[str, str]:
    when = START + dt.timedelta(minutes=n)
    return {"publisher": who, "published_at": when.isoformat(), "note": f"change {n}"}


def _content(n: int, who: str, before: list[dict[str, str]], files: str = "a") -> str:
    return json.dumps(
        {"files": {"x.yaml": files}, **_entry(n, who), "history": before},
        ensure_ascii=False,
        sort_keys=True,
    )


def _notes(content: Any) -> list[str]:
    return [e.note for e in history_of(content)]


def test_two_publications_made_without_the_other_keep_both_the_later_in_force() -> None:
    common = [_entry(1)]
    office = _content(2, "Anna", common, files="office")
    outreach = _content(3, "Bogdan", common, files="outreach")
    for ours, theirs, ours_wins in ((office, outreach, False), (outreach, office, True)):
        merged = merged_content(ours, theirs, ours_wins=ours_wins)
        assert _notes(merged) == ["change 3", "change 2", "change 1"]
        data = json.loads(str(merged))
        assert data["files"] == {"x.yaml": "outreach"}  # the winner's content, not a mixture
        assert data["publisher"] == "Bogdan"
    # the same text from both sides
    assert merged_content(office, outreach, ours_wins=False) == merged_content(
        outreach, office, ours_wins=True
    )


def test_the_winner_that_holds_every_entry_is_kept_as_it_is() -> None:
    older = _content(2, "Anna", [_entry(1)])
    newer = _content(3, "Bogdan", [_entry(2), _entry(1)])
    assert merged_content(newer, older, ours_wins=True) is newer
    assert merged_content(older, newer, ours_wins=False) is newer


def test_the_newest_fifty_are_kept_and_an_older_entry_found_on_one_side_only_is_not_added() -> None:
    long = [_entry(n) for n in range(100, 100 - MAX_HISTORY + 1, -1)]  # 49 before the one
    winner = _content(200, "Bogdan", long)
    other = _content(5, "Cem", [])  # older than all of them
    merged = merged_content(winner, other, ours_wins=True)
    assert merged is winner
    mixed = _content(150, "Cem", [])  # newer than all but the one in force
    merged = merged_content(winner, mixed, ours_wins=True)
    assert len(history_of(merged)) == MAX_HISTORY
    assert _notes(merged)[:3] == ["change 200", "change 150", "change 100"]
    assert "change 52" not in _notes(merged)  # the oldest went


def test_a_damaged_side_merges_as_before() -> None:
    good = _content(2, "Anna", [_entry(1)])
    assert merged_content(good, "not json", ours_wins=True) is good
    assert merged_content("not json", good, ours_wins=True) == "not json"
    assert merged_content(None, good, ours_wins=False) is good
    assert merged_content(None, good, ours_wins=True) is None


def _clock(minute: int, device: str) -> str:
    wall = int((START + dt.timedelta(minutes=minute)).timestamp() * 1000)
    return f"{wall:013d}-00000-{device}"


def _state(content: str, clock: str) -> RecordState:
    fields = {"name": FieldState("services", clock), "content": FieldState(content, clock)}
    return RecordState("reference", "r1", fields)


def test_any_order_of_arrival_gives_every_laptop_the_same_record() -> None:
    """Three laptops' publications, each made without the others, merged in every order on
    each laptop: one content, the latest in force and all three in the history."""
    adapter = ADAPTERS["reference"]
    base = [_entry(1)]
    states = [
        _state(_content(2, "Anna", base), _clock(2, "laptop-a")),
        _state(_content(4, "Bogdan", base), _clock(4, "laptop-b")),
        _state(_content(3, "Cem", base), _clock(3, "laptop-c")),
    ]
    results = set()
    for order in itertools.permutations(states):
        held = order[0]
        for incoming in order[1:]:
            result = merge_by_rules(adapter, held, incoming, "laptop-a")
            assert result.conflicts == ()
            held = result.state
        results.add(held.fields["content"])
    (content,) = results
    assert _notes(content.value) == ["change 4", "change 3", "change 2", "change 1"]
    assert content.clock.endswith("laptop-b")  # the later publication's clock
    # and a merged record meeting one of the originals again changes nothing
    again = merge_by_rules(adapter, RecordState("reference", "r1", held.fields), states[0], "x")
    assert again.state.fields["content"] == content and not again.conflicts
