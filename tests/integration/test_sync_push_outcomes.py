"""A push's outcome for every envelope, against a model of the rules: new revisions accepted
with the next sequence numbers, the same envelope again a duplicate with its first sequence
number, other content under a stored revision a conflict, a record id under another kind
refused, erasure final. Batches of up to 500 with records of many revisions, pushed, pushed
again and mixed, on SQLite (plain SQL through the driver) and PostgreSQL (the database
function): what is stored afterwards is exactly what the model holds, byte for byte."""

from __future__ import annotations

import datetime as dt
import random
import uuid
from dataclasses import dataclass, field

from sqlalchemy import func, select

from sync_server import models, wire
from tests.integration.sync_harness import Member, Organisation


@dataclass
class _Model:
    """What the server must answer and hold: per record its kind and stored revisions."""

    seq: int
    kinds: dict[str, str] = field(default_factory=dict)
    # (record id, revision) -> (seq, envelope as pushed)
    stored: dict[tuple[str, int], tuple[int, wire.Envelope]] = field(default_factory=dict)

    def push(self, batch: list[wire.Envelope]) -> list[tuple[str, int | None]]:
        """The answers to one batch. A tombstone's earlier revisions go when the batch is
        stored: within it they still count (sent again there, one is a duplicate)."""
        answers: list[tuple[str, int | None]] = []
        dropped: list[tuple[str, int]] = []
        for env in batch:
            key = (env.record_id, env.revision)
            if self.kinds.setdefault(env.record_id, env.kind) != env.kind:
                answers.append(("kind_mismatch", None))
                continue
            if key in self.stored:
                seq, first = self.stored[key]
                same = first.model_dump() == env.model_dump()
                answers.append(("duplicate", seq) if same else ("conflict", None))
                continue
            held = [(r, e) for (rid, r), (_s, e) in self.stored.items() if rid == env.record_id]
            top = max((r for r, _e in held), default=0)
            tombstoned = any(e.erases for _r, e in held)
            if (env.revision <= top) if env.erases else tombstoned:
                answers.append(("conflict", None))
                continue
            self.seq += 1
            self.stored[key] = (self.seq, env)
            if env.erases:
                dropped += [(env.record_id, revision) for revision, _e in held]
            answers.append(("accepted", self.seq))
        for key in dropped:
            self.stored.pop(key, None)
        return answers


def _answers(response: wire.PushResponse) -> list[tuple[str, int | None]]:
    return [(r.code or r.status, r.seq) for r in response.results]


def test_push_outcomes_match_the_rules_batch_after_batch(org: Organisation) -> None:
    # A laptop approved for coordinators: it may erase people (``SyncService.push``).
    laptop = org.join("Laptop", role="coordinator")
    model = _Model(seq=laptop.client.status().latest_seq)
    rng = random.Random(5)
    sealed = 0

    def seal(record_id: str, kind: str, revision: int, erases: bool = False) -> wire.Envelope:
        nonlocal sealed
        sealed += 1
        env = laptop.seal(org.team, record_id, kind, revision, f"content {sealed}".encode())
        return env.model_copy(update={"erases": erases}) if erases else env

    def push(batch: list[wire.Envelope]) -> list[tuple[str, int | None]]:
        expected = model.push(batch)
        got = _answers(laptop.client.push(batch))
        assert got == expected
        return got

    # 500 new records (more ids than one query's list holds), then the same batch again:
    # all duplicates with their first sequence numbers.
    first = [seal(str(uuid.uuid4()), "person", 1) for _ in range(wire.MAX_BATCH)]
    assert {status for status, _seq in push(first)} == {"accepted"}
    assert {status for status, _seq in push(first)} == {"duplicate"}
    # Later revisions of them, some with many: ids with long revision histories.
    envelopes = list(first)
    for revision in range(2, 6):
        newer = [seal(e.record_id, "person", revision) for e in first[: 120 * (6 - revision)]]
        push(newer)
        envelopes += newer
    # Mixed batches: sent again, new, other content under a stored revision, another kind,
    # tombstones above and below the top, live revisions after a tombstone, repeats within
    # the batch.
    ids = [e.record_id for e in first]
    for _ in range(6):
        batch: list[wire.Envelope] = []
        while len(batch) < wire.MAX_BATCH:
            roll = rng.random()
            record_id = rng.choice(ids)
            if roll < 0.35:
                batch.append(rng.choice(envelopes))
            elif roll < 0.5:
                new = seal(str(uuid.uuid4()), rng.choice(["visit", "referral"]), 1)
                ids.append(new.record_id)
                envelopes.append(new)
                batch.append(new)
            elif roll < 0.6:
                batch.append(seal(record_id, "person", rng.randint(1, 6)))
            elif roll < 0.65:
                batch.append(seal(record_id, "consent", rng.randint(1, 9)))
            elif roll < 0.72:
                tomb = seal(record_id, "person", rng.randint(1, 9), erases=True)
                envelopes.append(tomb)
                batch.append(tomb)
            elif roll < 0.8 and batch:
                batch.append(rng.choice(batch))
            else:
                later = seal(record_id, "person", rng.randint(2, 12))
                envelopes.append(later)
                batch.append(later)
        got = push(batch)
        statuses = {status for status, _seq in got}
        assert {"accepted", "duplicate", "conflict", "kind_mismatch"} <= statuses, statuses

    # Stored: exactly the model's envelopes, under its sequence numbers, byte for byte.
    pulled: dict[tuple[str, int], tuple[int, wire.Envelope]] = {}
    cursor = 0
    while True:
        page = laptop.client.pull(cursor, wire.MAX_PULL_LIMIT)
        for e in page.envelopes:
            pulled[(e.record_id, e.revision)] = (e.seq, e)
        cursor = page.next_cursor
        if not page.has_more:
            break
    assert pulled.keys() == model.stored.keys()
    for key, (seq, env) in model.stored.items():
        pulled_seq, pulled_env = pulled[key]
        assert pulled_seq == seq
        assert pulled_env.model_dump(exclude={"seq"}) == env.model_dump()
    # Sequence numbers gapless: the counter stands at the last one handed out.
    assert laptop.client.status().latest_seq == model.seq
    # The time of receipt reads back as the aware UTC time it was stored at.
    with org.server.engine.connect() as connection:
        t = models.StoredEnvelope
        oldest, newest = connection.execute(
            select(func.min(t.received_at), func.max(t.received_at))
        ).one()
        received = connection.execute(select(t.received_at).limit(1)).scalar_one()
    assert oldest is not None and newest is not None
    assert received.tzinfo is not None and received.utcoffset() == dt.timedelta(0)
    assert abs(dt.datetime.now(dt.UTC) - received) < dt.timedelta(hours=1)


def test_a_push_sent_again_after_part_of_it_was_stored_stores_each_envelope_once(
    org: Organisation,
) -> None:
    """A laptop whose push was cut off sends it again, with more: what the server stored of
    it comes back as duplicates, under the sequence numbers it had, the rest is new."""
    laptop: Member = org.join("Laptop")
    envelopes = [
        laptop.seal(org.team, str(uuid.uuid4()), "person", 1, f"person {i}".encode())
        for i in range(wire.MAX_BATCH)
    ]
    part = laptop.client.push(envelopes[:300])
    again = laptop.client.push(envelopes)
    assert [r.status for r in again.results] == ["duplicate"] * 300 + ["accepted"] * 200
    assert [r.seq for r in again.results[:300]] == [r.seq for r in part.results]
    seqs = [r.seq for r in again.results]
    assert len(set(seqs)) == wire.MAX_BATCH
    page = laptop.client.pull(0, wire.MAX_PULL_LIMIT)
    assert sorted((e.record_id, e.seq) for e in page.envelopes) == sorted(
        (e.record_id, r.seq) for e, r in zip(envelopes, again.results, strict=True)
    )
