"""Model-based sync test: random registrations, field edits (also from edit dialogs left open
while syncs ran), referrals moved on, conflicts decided, erasures and syncs on three laptops in
random orders (hypothesis stateful testing against a real server process on 127.0.0.1).

After a final round of syncs every laptop holds the same people with the same values and the
same open conflicts, every erased person is gone everywhere (conflicts about them too: they
hold two of their values), every true conflict (the same field of a person changed on two
laptops, neither having seen the other's change; a decision is such a change too; an edit
dialog has seen what its laptop knew when it opened) is recorded as a conflict, open or
decided since, and every referral has the same status and the same
history everywhere, holding every step made on any laptop. Erasures go through the
data-rights use case (``campaigns.erase_person``).
Examples: ``RELIABILITY_MODEL_EXAMPLES`` (default 6; ``run.py --full``: 150).
"""

from __future__ import annotations

import functools
import os
import shutil
import tempfile
import time
from contextlib import ExitStack
from dataclasses import dataclass
from pathlib import Path

import pytest
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, rule
from sqlalchemy import select

from desktop_app.domain.person import Person
from desktop_app.domain.referral import ReferralStatus, ReferralStatusError
from desktop_app.storage.sync_models import ConflictRow
from desktop_app.usecases import people, referrals
from desktop_app.usecases import sync as sync_uc
from tests.integration.sync_harness import Laptops, assert_never_failed, started_server
from tests.reliability.campaign import Campaign
from tests.reliability.campaigns import add_person, converge, edit_person, erase_person, read_person

EXAMPLES = int(os.environ.get("RELIABILITY_MODEL_EXAMPLES", "6"))
LAPTOPS = st.integers(0, 2)
# Each laptop's wall clock: right, 90 s behind or ahead, or frozen (every change of that laptop
# then differs only in the hybrid clock's counter), so that clock orderings other than "later
# in the test is later in time" are explored too.
CLOCKS = st.sampled_from(["right", "right", "behind", "ahead", "frozen"])
FIELDS = st.sampled_from(["phone", "notes"])
STATUSES = st.sampled_from(list(ReferralStatus))


def _skewed_ms(skew: int) -> int:
    """A laptop's wall clock ``skew`` milliseconds off."""
    return time.time_ns() // 1_000_000 + skew


@dataclass(frozen=True)
class Edit:
    n: int
    laptop: int
    person_id: str
    field: str
    value: str
    seen: frozenset[int]  # the edits this laptop knew of when it made this one


class ThreeLaptops(RuleBasedStateMachine):
    def __init__(self) -> None:
        super().__init__()
        self.tmp = Path(tempfile.mkdtemp(prefix="wd-model-"))
        self._running = ExitStack()  # the server, stopped and its port let go in ``teardown``
        self.server = self._running.enter_context(
            started_server(f"sqlite:///{self.tmp / 'server.db'}", self.tmp / "server.log")
        )
        self.group = Laptops(self.server, self.tmp)
        self.laptops = [self.group.new(name) for name in ("A", "B", "C")]
        self.knows: list[set[int]] = [set(), set(), set()]
        self.server_knows: set[int] = set()
        self.edits: list[Edit] = []
        self.created: set[str] = set()
        self.erased: set[str] = set()
        self.referrals: dict[str, str] = {}  # referral id: person id
        self.steps: dict[str, set[tuple[str, str]]] = {}  # referral id: {(status, by)}
        # An edit dialog open on each laptop: the person as shown, and the edits known then.
        self.open: dict[int, tuple[Person, frozenset[int]]] = {}
        self.n = 0

    @initialize(clocks=st.lists(CLOCKS, min_size=3, max_size=3))
    def set_clocks(self, clocks: list[str]) -> None:
        start = time.time_ns() // 1_000_000
        for laptop, mode in zip(self.laptops, clocks, strict=True):
            if mode == "frozen":
                laptop.store.clock._now_ms = functools.partial(int, start)
            elif mode != "right":
                skew = 90_000 if mode == "ahead" else -90_000
                laptop.store.clock._now_ms = functools.partial(_skewed_ms, skew)

    def _visible(self, laptop: int) -> list[str]:
        return sorted(e.id for e in people.list_people(self.laptops[laptop].store, 0, 10**6))

    @rule(laptop=LAPTOPS)
    def register(self, laptop: int) -> None:
        self.n += 1
        self.created.add(add_person(self.laptops[laptop], f"M{self.n}", "Modell"))

    @rule(laptop=LAPTOPS, pick=st.integers(0, 10**6), field=FIELDS)
    def edit(self, laptop: int, pick: int, field: str) -> None:
        ids = self._visible(laptop)
        if not ids:
            return
        self.n += 1
        pid = ids[pick % len(ids)]
        value = f"0176 {1000000 + self.n}" if field == "phone" else f"Notiz {self.n}"
        assert edit_person(self.laptops[laptop], pid, field, value)
        self.edits.append(Edit(self.n, laptop, pid, field, value, frozenset(self.knows[laptop])))
        self.knows[laptop].add(self.n)

    @rule(laptop=LAPTOPS, pick=st.integers(0, 10**6))
    def open_edit(self, laptop: int, pick: int) -> None:
        """An advisor opens a person's details for editing and leaves the dialog open."""
        ids = self._visible(laptop)
        shown = read_person(self.laptops[laptop].store, ids[pick % len(ids)]) if ids else None
        if shown is not None:
            self.open[laptop] = (shown, frozenset(self.knows[laptop]))

    @rule(laptop=LAPTOPS, field=FIELDS)
    def save_open_edit(self, laptop: int, field: str) -> None:
        """… and saves a change made in it, after whatever syncs came meanwhile: the edit knew
        only what the laptop knew when the dialog opened."""
        if laptop not in self.open:
            return
        shown, seen = self.open.pop(laptop)
        self.n += 1
        value = f"0176 {1000000 + self.n}" if field == "phone" else f"Notiz {self.n}"
        if edit_person(self.laptops[laptop], shown.id, field, value, base=shown):
            self.edits.append(Edit(self.n, laptop, shown.id, field, value, seen))
            self.knows[laptop].add(self.n)

    @rule(laptop=LAPTOPS, pick=st.integers(0, 10**6), field=FIELDS)
    def edit_during_a_sync(self, laptop: int, pick: int, field: str) -> None:
        """The background sync runs while an edit dialog is open (the usual case of the two
        above): opened, synced, saved."""
        self.open_edit(laptop, pick)
        self.sync(laptop)
        self.save_open_edit(laptop, field)

    @rule(laptop=LAPTOPS, pick=st.integers(0, 10**6))
    def refer(self, laptop: int, pick: int) -> None:
        ids = self._visible(laptop)
        if ids:
            session = self.laptops[laptop]
            pid = ids[pick % len(ids)]
            made = referrals.issue_referral(
                session.store, session.user, pid, "vhs", "integration_course"
            )
            self.referrals[made.id] = pid
            self.steps[made.id] = {("issued", session.user.display_name)}

    @rule(laptop=LAPTOPS, pick=st.integers(0, 10**6), status=STATUSES)
    def move_referral(self, laptop: int, pick: int, status: ReferralStatus) -> None:
        session = self.laptops[laptop]
        with session.store.reading() as db:
            from desktop_app.storage.referrals_models import ReferralRow

            held = sorted(db.scalars(select(ReferralRow.id).where(ReferralRow.deleted.is_(False))))
        if not held:
            return
        rid = held[pick % len(held)]
        before = referrals.get_referral(session.store, session.user, rid, log_view=False)
        # "Outcome noted" is refused without an outcome written
        outcome = "Antrag gestellt" if status is ReferralStatus.OUTCOME_NOTED else None
        try:
            referrals.change_status(session.store, session.user, rid, status, outcome)
        except ReferralStatusError:
            return  # backwards is refused
        if status is not before.status:  # the status as it was: no step (change_status)
            self.steps[rid].add((status.value, session.user.display_name))

    @rule(laptop=LAPTOPS, pick=st.integers(0, 10**6), other=st.booleans())
    def decide(self, laptop: int, pick: int, other: bool) -> None:
        """An advisor decides an open conflict: the value is a change like any other."""
        session = self.laptops[laptop]
        found = sync_uc.open_conflicts(session.store)
        if not found:
            return
        c = found[pick % len(found)]
        value = c.other_value if other else c.kept_value
        before = read_person(session.store, c.record_id) if c.record_kind == "person" else None
        sync_uc.resolve_conflict(session.store, session.user, c.id, value)
        if before is not None and people.person_values(before)[c.field] != value:
            # It changed the field (a decision that keeps what is there changes nothing).
            self.n += 1
            seen = frozenset(self.knows[laptop])
            self.edits.append(Edit(self.n, laptop, c.record_id, c.field, str(value), seen))
            self.knows[laptop].add(self.n)

    @rule(laptop=LAPTOPS, pick=st.integers(0, 10**6))
    def erase(self, laptop: int, pick: int) -> None:
        ids = self._visible(laptop)
        if ids:
            pid = ids[pick % len(ids)]
            assert erase_person(self.laptops[laptop], pid)
            self.erased.add(pid)

    @rule(laptop=LAPTOPS)
    def sync(self, laptop: int) -> None:
        sync_uc.sync_now(self.laptops[laptop].store, max_retries=2, backoff_base=0.05)
        # A round pulls everything the server holds, then pushes what this laptop holds.
        self.knows[laptop] |= self.server_knows
        self.server_knows |= self.knows[laptop]

    @invariant()
    def stores_stay_sound(self) -> None:
        for s in self.laptops:
            assert sync_uc.status(s.store).pending_changes >= 0

    def teardown(self) -> None:
        try:
            self._final_checks()
        finally:
            self.group.close()
            self._running.close()
            try:
                assert_never_failed(self.server)
            finally:
                shutil.rmtree(self.tmp, ignore_errors=True)

    def _final_checks(self) -> None:
        c = Campaign("sync_model", 0, 1)
        final = converge(c, self.laptops)
        assert set(final) == self.created - self.erased, "lost, invented or not erased"
        for s in self.laptops:
            for pid in self.erased:
                assert read_person(s.store, pid) is None
            with s.store.reading() as db:
                about = set(db.scalars(select(ConflictRow.record_id)))
            assert not about & self.erased, "a conflict (two of their values) outlived an erasure"
        recorded: set[tuple[str, str]] = set()  # open, or decided since
        conflict_ids = []
        for s in self.laptops:
            with s.store.reading() as db:
                about_people = select(ConflictRow.record_id, ConflictRow.field).where(
                    ConflictRow.record_kind == "person"
                )
                recorded |= {(record_id, field) for record_id, field in db.execute(about_people)}
            conflict_ids.append({x.id for x in sync_uc.open_conflicts(s.store)})
        assert conflict_ids[0] == conflict_ids[1] == conflict_ids[2], "conflicts did not travel"
        self._check_referrals()
        true_conflicts: set[tuple[str, str]] = set()
        for i, first in enumerate(self.edits):
            for second in self.edits[i + 1 :]:
                if (
                    first.person_id == second.person_id
                    and first.field == second.field
                    and first.laptop != second.laptop
                    and first.person_id not in self.erased
                    and first.n not in second.seen
                    and second.n not in first.seen
                ):
                    assert (first.person_id, first.field) in recorded, (
                        f"true conflict not recorded: {first} vs {second}"
                    )
                    true_conflicts.add((first.person_id, first.field))
        # And no other: a field changed on one laptop only (twice, say) is no conflict.
        assert recorded <= true_conflicts, f"false conflicts: {recorded - true_conflicts}"

    def _check_referrals(self) -> None:
        """The same status and history everywhere; every step made anywhere is in it."""
        for rid, pid in self.referrals.items():
            seen = []
            for s in self.laptops:
                if pid in self.erased:
                    assert referrals.referrals_of(s.store, s.user, pid, log_view=False) == []
                    continue
                moved = referrals.get_referral(s.store, s.user, rid, log_view=False)
                history = referrals.status_history(s.store, s.user, rid, log_view=False)
                seen.append((moved.status, [(h.status.value, h.at, h.by) for h in history]))
                steps = {(h.status.value, h.by) for h in history}
                assert self.steps[rid] <= steps, f"a step was lost: {self.steps[rid] - steps}"
            assert all(x == seen[0] for x in seen), f"referral {rid} differs: {seen}"


ThreeLaptops.TestCase.settings = settings(
    max_examples=EXAMPLES,
    stateful_step_count=25,
    deadline=None,
    database=None,
    suppress_health_check=list(HealthCheck),
)
TestThreeLaptops = pytest.mark.reliability(pytest.mark.slow(ThreeLaptops.TestCase))
