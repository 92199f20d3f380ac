"""A referral's status history: steps in the order they were made, the same on every laptop.

``at`` is kept to the second: steps made within one second were ordered by their JSON text
when a sync merged two sides (who made them, their outcome, their status by name), and two
alike steps of one second were one entry. Each step now keeps its hybrid-logical-clock time.
"""

from __future__ import annotations

import datetime as dt
import itertools
import json

from hypothesis import given, settings
from hypothesis import strategies as st

from desktop_app.domain.hlc import HybridLogicalClock, Timestamp
from desktop_app.domain.referral import ReferralStatus
from desktop_app.storage import models  # noqa: F401  # the models in the order they load
from desktop_app.storage.referrals_models import ReferralRow
from desktop_app.storage.referrals_repo import StatusChange, history_json, history_of
from desktop_app.sync.merge import FieldState, RecordState, merge
from desktop_app.usecases import referrals as uc
from desktop_app.usecases.accounts import Session
from tests.unit.test_referrals import NOW, _issue, _person

A, B, C = "dev-a", "dev-b", "dev-c"
ISSUED = dt.datetime(2026, 11, 25, 9, 0)
SECOND = dt.datetime(2026, 11, 26, 10, 15, 7)  # steps made within this second
WALL_MS = round(SECOND.timestamp() * 1000)  # the laptops' clocks: at SECOND (local time)


def _clocks(device: str) -> HybridLogicalClock:
    """A laptop's clock whose wall clock stands still: its times differ by their counter."""
    return HybridLogicalClock(device, lambda: WALL_MS)


def _state(steps: list[StatusChange], tick: int, device: str) -> RecordState:
    clock = f"{tick:013d}-00000-{device}"
    field = FieldState(history_json(steps), clock, f"{1:013d}-00000-{C}")
    return RecordState("referral", "r1", {"status_history": field})


def _merged(*sides: RecordState) -> set[str]:
    """The history every order of merging ``sides`` ends with (one text: the same everywhere)."""
    union = frozenset({"status_history"})
    texts = set()
    for order in itertools.permutations(sides):
        state = order[0]
        for other in order[1:]:
            state = merge(state, other, A, union_lists=union).state
        texts.add(state.fields["status_history"].value)
    return texts


def _read(text: str) -> list[StatusChange]:
    return history_of(ReferralRow(status_history=text))


def test_steps_of_one_second_come_out_in_the_order_they_were_made_on_every_laptop() -> None:
    on_a, on_b = _clocks(A), _clocks(B)
    issued = StatusChange(ReferralStatus.ISSUED, ISSUED, "Anna Schmidt", hlc=str(on_a.now()))
    # On A, within one second: Zoe notes the appointment was attended, then Anna the outcome
    # and closes it. By their text Anna's steps went first, "closed" before "outcome_noted".
    made_on_a = [
        StatusChange(ReferralStatus.ATTENDED, SECOND, "Zoe Weber", hlc=str(on_a.now())),
        StatusChange(
            ReferralStatus.OUTCOME_NOTED, SECOND, "Anna Schmidt", "ok", hlc=str(on_a.now())
        ),
        StatusChange(ReferralStatus.CLOSED, SECOND, "Anna Schmidt", hlc=str(on_a.now())),
    ]
    # B, offline, made an appointment earlier that day: a union of both sides is needed.
    made_on_b = StatusChange(
        ReferralStatus.APPOINTMENT_MADE,
        SECOND - dt.timedelta(hours=1),
        "Petra Ionescu",
        hlc=str(on_b.now()),
    )
    side_a = _state([issued, *made_on_a], 5, A)
    side_b = _state([issued, made_on_b], 9, B)
    (text,) = _merged(side_a, side_b)  # commutative: the same text whichever came first
    assert _read(text) == [issued, made_on_b, *made_on_a]
    # and so the text as synced (the person's copy of their data lists it as it is stored)
    assert [entry["by"] for entry in json.loads(text)[2:]] == [
        "Zoe Weber",
        "Anna Schmidt",
        "Anna Schmidt",
    ]
    # a third laptop holding only the first step: still the same text in every order
    assert _merged(side_a, side_b, _state([issued], 2, C)) == {text}


def test_two_alike_steps_of_one_second_stay_two_steps() -> None:
    on_a, on_b = _clocks(A), _clocks(B)
    issued = StatusChange(ReferralStatus.ISSUED, ISSUED, "Anna Schmidt")
    # the status dialog applied twice within a second: two steps made, both kept
    twice = [
        StatusChange(ReferralStatus.APPOINTMENT_MADE, SECOND, "Anna Schmidt", hlc=str(on_a.now()))
        for _ in range(2)
    ]
    other = StatusChange(ReferralStatus.ATTENDED, SECOND, "Zoe Weber", hlc=str(on_b.now()))
    (text,) = _merged(_state([issued, *twice], 5, A), _state([issued, other], 9, B))
    steps = _read(text)
    assert [s.status for s in steps].count(ReferralStatus.APPOINTMENT_MADE) == 2
    # B's clock stood at the same millisecond as A's: its counter orders it among A's
    assert steps == [issued, twice[0], other, twice[1]]


def test_a_history_without_clocks_merges_as_before_and_new_steps_follow_it() -> None:
    """Steps recorded before the clock was kept: the same text and order on every laptop as
    before; a step made now in the same second as an old one comes after it."""
    old = [
        StatusChange(ReferralStatus.ISSUED, ISSUED, "Anna Schmidt"),
        StatusChange(ReferralStatus.CLOSED, SECOND, "Zoe Weber"),
        StatusChange(ReferralStatus.ATTENDED, SECOND, "Anna Schmidt"),
    ]
    new = StatusChange(
        ReferralStatus.OUTCOME_NOTED, SECOND, "Anna Schmidt", hlc=str(_clocks(B).now())
    )
    (text,) = _merged(_state(old, 5, A), _state([old[0], new], 9, B))
    # the old steps of one second by their text, as the merge always put them
    assert [s.status for s in _read(text)] == [
        ReferralStatus.ISSUED,
        ReferralStatus.ATTENDED,
        ReferralStatus.CLOSED,
        ReferralStatus.OUTCOME_NOTED,
    ]
    # on the laptop that made them, never merged: as they were made
    assert _read(history_json(old)) == old


def test_a_step_written_back_without_its_clock_by_an_older_version_shows_once() -> None:
    stepped = StatusChange(
        ReferralStatus.APPOINTMENT_MADE, SECOND, "Anna Schmidt", hlc=str(_clocks(A).now())
    )
    issued = StatusChange(ReferralStatus.ISSUED, ISSUED, "Anna Schmidt")
    entries = json.loads(history_json([issued, stepped]))
    older = {k: v for k, v in entries[1].items() if k != "hlc"}
    assert _read(json.dumps([entries[0], older, entries[1]])) == [issued, stepped]


def test_the_status_dialogs_steps_of_one_second_read_in_the_order_made(session: Session) -> None:
    """On a real store: each step keeps the clock of its change; steps made within one second
    (and two alike ones) read back in the order made, as they sync."""
    # the laptop's wall clock as the steps' times say: the day before at issue, then SECOND
    wall = [round(NOW.timestamp() * 1000)]
    session.store.clock = HybridLogicalClock(session.store.device_id, lambda: wall[0])
    referral = _issue(session, _person(session))
    wall[0] = WALL_MS
    for status, outcome in (
        (ReferralStatus.ATTENDED, None),
        (ReferralStatus.OUTCOME_NOTED, "Termin wahrgenommen"),
        # the same status again is a step where the outcome changes (change_status)
        (ReferralStatus.OUTCOME_NOTED, "Termin wahrgenommen, Antrag gestellt"),
        (ReferralStatus.CLOSED, None),
    ):
        uc.change_status(session.store, session.user, referral.id, status, outcome, now=SECOND)
    steps = uc.status_history(session.store, session.user, referral.id)
    assert [s.status for s in steps] == [
        ReferralStatus.ISSUED,
        ReferralStatus.ATTENDED,
        ReferralStatus.OUTCOME_NOTED,
        ReferralStatus.OUTCOME_NOTED,
        ReferralStatus.CLOSED,
    ]
    clocks = [s.hlc for s in steps]
    assert all(clocks) and clocks == sorted(clocks) and len(set(clocks)) == len(clocks)
    with session.store.reading() as db:
        row = db.get(ReferralRow, referral.id)
        assert row is not None
        stored, changed = row.status_history, row.updated_hlc
    assert steps[-1].hlc == changed  # the step's clock is its change's
    # merged with another laptop's step of that morning: nothing lost or moved
    other = StatusChange(
        ReferralStatus.APPOINTMENT_MADE,
        SECOND - dt.timedelta(hours=2),
        "Zoe Weber",
        hlc=str(Timestamp(WALL_MS - 2 * 3600 * 1000, 0, B)),
    )
    (text,) = _merged(_state(_read(stored), 5, A), _state([steps[0], other], 9, B))
    assert _read(text) == [steps[0], other, *steps[1:]]


def test_the_persons_copy_lists_the_steps_as_made_without_their_clocks(session: Session) -> None:
    from desktop_app.usecases import data_rights

    person = _person(session)
    referral = _issue(session, person)
    for status in (ReferralStatus.ATTENDED, ReferralStatus.CLOSED):
        uc.change_status(session.store, session.user, referral.id, status, now=SECOND)
    raw_json, _pdf = data_rights.export_person(session.store, session.user, person.id)
    (copy,) = json.loads(raw_json)["referrals"]
    steps = copy["status_history"]
    assert [s["status"] for s in steps] == ["issued", "attended", "closed"]
    # the clock names the laptop, sync bookkeeping as no other record's in the copy
    assert not any("hlc" in s for s in steps)


BY = ("Anna Schmidt", "Zoe Weber", "Petra Ionescu")


@st.composite
def _mixed_steps(draw: st.DrawFn) -> list[StatusChange]:
    """Steps as laptops of several versions made them: older ones without a clock (each in a
    second of its own: those of one second keep their stored order, tested above), newer
    ones with a clock that may read minutes off their time shown (a laptop's wall clock)."""
    seconds = draw(st.lists(st.integers(0, 3600), min_size=1, max_size=8, unique=True))
    steps = []
    for n, offset in enumerate(seconds):
        at = SECOND + dt.timedelta(seconds=offset)
        status = draw(st.sampled_from(list(ReferralStatus)))
        by = draw(st.sampled_from(BY))
        if draw(st.booleans()):
            skew = draw(st.integers(-600_000, 600_000))
            device = draw(st.sampled_from((A, B, C)))
            clock = Timestamp(round(at.timestamp() * 1000) + skew, n, device)
            steps.append(StatusChange(status, at, by, hlc=str(clock)))
        else:
            steps.append(StatusChange(status, at, by))
    return steps


def _made_order(step: StatusChange) -> tuple[int, int, str]:
    """The order the steps were made in, written out apart from the code under test: by
    the clock where a step has one, else by its time (the same unit: ms)."""
    if step.hlc:
        clock = Timestamp.parse(step.hlc)
        return clock.wall_ms, clock.counter, clock.device
    return round(step.at.timestamp() * 1000), 0, ""


@settings(max_examples=200, deadline=None)
@given(steps=_mixed_steps(), data=st.data())
def test_mixed_histories_merge_alike_in_every_order_and_read_in_the_order_made(
    steps: list[StatusChange], data: st.DataObject
) -> None:
    """Old steps without a clock and new ones with: whichever laptop held which steps, in
    whatever order they stored them and merged, every laptop ends with the same history,
    the steps with a clock in clock order (not by their time shown), the others by time."""
    issued = StatusChange(ReferralStatus.ISSUED, ISSUED, "Anna Schmidt")
    sides, held_somewhere = [], []
    for tick, device in enumerate((A, B, C), start=2):
        held = data.draw(st.lists(st.sampled_from(steps), unique=True), label=device)
        sides.append(_state([issued, *held], tick, device))
        held_somewhere.extend(held)
    rest = [s for s in steps if s not in held_somewhere]  # every step is held somewhere
    sides.append(_state([issued, *rest], 1, "dev-d"))
    # the texts may differ in the order a side that held every step stored them; not as read
    (history,) = {tuple(_read(text)) for text in _merged(*sides)}
    assert history == (issued, *sorted(steps, key=_made_order))
