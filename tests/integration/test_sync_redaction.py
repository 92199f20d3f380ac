"""An erasure leaves no copy of a data request's reason on the server (GDPR Art. 17).

A request answered by hand keeps the advisor's reason, free text that may name the person; the
person's erasure replaces it by ``REASON_REMOVED`` in a version that stays (the register of
requests outlives the erasure). The server kept every earlier envelope of the entry, so a
laptop pulling from the start (a new laptop's first sync) could read the reason there. That
version is now sent with ``wire.Envelope.redacts_through`` and the server deletes the entry's
earlier envelopes, those the sending laptop had merged (``SyncService._redactions_allowed``,
``_redaction_refused``). Real server processes on 127.0.0.1, SQLite and PostgreSQL."""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from pytestqt.qtbot import QtBot
from sqlalchemy import select, text
from sqlalchemy.orm import Session as DbSession

from desktop_app.domain.users import Role
from desktop_app.i18n.text import gettext_in
from desktop_app.storage.models import REASON_REMOVED, DataRequestRow
from desktop_app.sync import crypto, engine
from desktop_app.sync.merge import FieldState, RecordState
from desktop_app.sync.records import ADAPTERS, decode
from desktop_app.usecases import data_rights
from desktop_app.usecases import sync as sync_uc
from desktop_app.usecases.accounts import Session
from desktop_app.usecases.data_rights import COPY, CORRECTION
from sync_server import models, wire
from tests.integration.sync_harness import (
    Laptops,
    Member,
    Organisation,
    ServerProcess,
    add_person,
    keyring_of,
    older_server,
    push_state,
)
from tests.integration.test_sync_data_requests import (
    LATELY,
    TODAY,
    _register,
    answer_cell_de,
    data_requests_on_server,
)
from tests.ui import conftest as ui_conftest

# The screenshots' folder (``WELCOME_DESK_SHOTS``), the UI tests' fixture.
shots = ui_conftest.shots

REASON = "phone checked against Radka Stoyanova's ID card"
REMOVED_DE = "Reason removed with the person's data"


def _answered_by_hand(a: Session, pid: str) -> tuple[str, str]:
    """A correction request about ``pid`` answered on A by hand with a reason naming the
    person: its reference and record id."""
    ref = data_rights.record_open_request(a.store, a.user, pid, CORRECTION, LATELY, today=TODAY)
    data_rights.answer_by_hand(a.store, a.user, ref, TODAY, reason=REASON, today=TODAY)
    with a.store.reading() as db:
        record_id = db.scalar(select(DataRequestRow.id).where(DataRequestRow.reference == ref))
    assert record_id is not None
    return ref, record_id


def _held(server: ServerProcess, record_id: str) -> list[tuple[int, int, bytes]]:
    """(seq, revision, ciphertext) of every envelope of ``record_id`` the server's database
    holds, as its operator reads it."""
    e = models.StoredEnvelope
    with DbSession(server.engine) as s:
        rows = s.execute(
            select(e.seq, e.revision, e.ciphertext).where(e.record_id == record_id).order_by(e.seq)
        ).all()
    return [(int(seq), int(rev), bytes(ct)) for seq, rev, ct in rows]


def _states_on_server(server: ServerProcess, laptop: Session, record_id: str) -> list[RecordState]:
    """Every envelope of the entry the server holds, opened with the team key."""
    return [s for s in data_requests_on_server(server, laptop) if s.id == record_id]


def _reasons(states: list[RecordState]) -> list[object]:
    return [s.fields["answer_reason"].value for s in states if "answer_reason" in s.fields]


def _pulled_from_start(laptop: Session, record_id: str) -> list[RecordState]:
    """What a pull from cursor 0 hands the laptop of the entry, opened with its team keys."""
    opener = crypto.EnvelopeOpener(keyring_of(laptop))
    with sync_uc.client_for(laptop.store) as client:
        page = client.pull(0, wire.MAX_PULL_LIMIT)
    assert not page.has_more
    return [decode(opener.open(e))[0] for e in page.envelopes if e.record_id == record_id]


def _sqlite_file_bytes(server: ServerProcess) -> bytes:
    """The server's SQLite file after its log (WAL) is checkpointed into it, and that log."""
    with server.engine.connect() as conn:
        conn.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
    path = Path(server.engine.url.database or "")
    wal = path.with_name(path.name + "-wal")
    return path.read_bytes() + (wal.read_bytes() if wal.exists() else b"")


def test_an_erasure_leaves_no_copy_of_the_reason_for_a_laptop_that_pulls_from_the_start(
    laptops: Laptops, server: ServerProcess, qtbot: QtBot, shots: Path
) -> None:
    """A answers a request by hand with a reason naming the person and syncs; B pulls it. A
    erases the person and syncs: the server holds no envelope of the entry with the reason
    (every one it holds, opened with the team key), none is left in its SQLite file, and a
    laptop C that joins afterwards pulls the marker version only; its register says the reason
    was removed, as B's does."""
    a = laptops.new("A")
    b = laptops.new("B", role=Role.ADVISOR)
    pid = add_person(a, "Radka", "Stoyanova", "1990")
    laptops.sync(a, b)
    ref, record_id = _answered_by_hand(a, pid)
    laptops.sync(a, b)
    assert _register(b)[ref].reason == REASON
    before = _held(server, record_id)
    assert REASON in _reasons(_states_on_server(server, a, record_id))
    sqlite = server.engine.dialect.name == "sqlite"
    if sqlite:  # the test can fail: the reason's ciphertext is in the file before
        assert any(ct in _sqlite_file_bytes(server) for _s, _r, ct in before)

    data_rights.erase_person(a.store, a.user, pid, today=TODAY)
    laptops.sync(a, b, a)

    held = _held(server, record_id)
    states = _states_on_server(server, a, record_id)
    assert held and len(states) == len(held)
    assert _reasons(states) == [REASON_REMOVED] * len(held)
    assert all(s.fields["person_id"].value == "" for s in states)
    assert not {seq for seq, _r, _c in before} & {seq for seq, _r, _c in held}
    if sqlite:  # overwritten (secure_delete), not left in a free page of the file
        data = _sqlite_file_bytes(server)
        assert not any(ct in data for _s, _r, ct in before)
    else:  # PostgreSQL: no row of them left (dead tuples go with the next vacuum)
        with server.engine.connect() as conn:
            seqs = [seq for seq, _r, _c in before]
            left = conn.execute(
                text("SELECT count(*) FROM envelopes WHERE seq = ANY(:s)"), {"s": seqs}
            ).scalar()
        assert left == 0
    assert "redacted records' earlier envelopes deleted" in server.log_text()

    c = laptops.new("C")  # joins afterwards: its first sync pulls from cursor 0
    (first,) = laptops.sync(c)
    assert first.refused == 0
    pulled = _pulled_from_start(c, record_id)
    assert pulled and _reasons(pulled) == [REASON_REMOVED] * len(pulled)
    for laptop in (b, c):
        entry = _register(laptop)[ref]
        assert (entry.answered, entry.reason, entry.reason_removed) == (TODAY, "", True)
    cell = answer_cell_de(qtbot, c, ref, shots / f"redact-register-c-{server.engine.name}.png")
    assert cell.splitlines()[-1] == gettext_in("de", REMOVED_DE)
    assert "Stoyanova" not in cell


def test_a_version_the_erasing_laptop_had_not_pulled_is_merged_not_deleted(
    laptops: Laptops, server: ServerProcess, monkeypatch: pytest.MonkeyPatch
) -> None:
    """B pushes a version of the entry (its date of receipt corrected) after A's sync pulled
    and before it pushes the erasure. The server refuses A's version rather than delete B's
    with the rest; A pulls B's, merges and pushes again in the same sync, and that deletes
    both. B's change is in what every laptop holds, the reason in nothing the server holds.
    (The refusal's codes, "conflict" at the same revision and "not_merged" below the cursor,
    are the next test's.)"""
    a, b = laptops.new("A"), laptops.new("B")
    pid = add_person(a, "Radka", "Stoyanova", "1990")
    laptops.sync(a, b)
    ref, record_id = _answered_by_hand(a, pid)
    laptops.sync(a, b)
    corrected = LATELY - dt.timedelta(days=1)
    with b.store.reading() as db:
        local = ADAPTERS["data_request"].load_many(db, [record_id])[record_id]
    clock = str(b.store.clock.now())
    fields = {**local.state.fields, "received": FieldState(corrected.isoformat(), clock)}
    mine = RecordState("data_request", record_id, fields)
    pulled = engine.SyncEngine._pull
    b_seqs: list[int] = []

    def then_b_pushes(self: engine.SyncEngine, report: engine.SyncReport) -> None:
        pulled(self, report)
        if not b_seqs:  # B's push comes in between A's pull and A's push
            push_state(b, mine, revision=local.revision + 1)
            b_seqs.append(max(seq for seq, _r, _c in _held(server, record_id)))

    monkeypatch.setattr(engine.SyncEngine, "_pull", then_b_pushes)
    data_rights.erase_person(a.store, a.user, pid, today=TODAY)
    (erased,) = laptops.sync(a)
    assert erased.rounds == 2  # refused once, merged, pushed again
    held = _held(server, record_id)
    assert b_seqs[0] not in {seq for seq, _r, _c in held}
    states = _states_on_server(server, a, record_id)
    assert _reasons(states) == [REASON_REMOVED] * len(held)
    assert {s.fields["received"].value for s in states} == {corrected.isoformat()}
    laptops.sync(b)
    for laptop in (a, b):
        entry = _register(laptop)[ref]
        assert (entry.received, entry.reason_removed) == (corrected, True)


def test_an_answer_the_erasing_laptop_had_not_heard_of_loses_its_reason_everywhere(
    laptops: Laptops, server: ServerProcess
) -> None:
    """B (an advisor's laptop) answers the request by hand with a reason naming the person and
    syncs; A, which has not pulled that answer, erases the person (the entry it holds is open:
    no reason to remove). A's next sync merges B's answer into the unlinked entry: the reason,
    older than the erasure, is removed there too, and A's version deletes B's from the server.
    Before, the reason stayed, unlinked, on A, B and the server. A reason given after the
    erasure (A answers the erased person's copy request by hand) is newer than it and stays."""
    from tests.integration.sync_harness import logged_in_again

    a, b = laptops.new("A"), laptops.new("B", role=Role.ADVISOR)
    pid = add_person(a, "Radka", "Stoyanova", "1990")
    ref = data_rights.record_open_request(a.store, a.user, pid, CORRECTION, LATELY, today=TODAY)
    later = data_rights.record_open_request(a.store, a.user, pid, COPY, TODAY, today=TODAY)
    laptops.sync(a, b)
    advisor = logged_in_again(b)
    try:
        data_rights.answer_by_hand(
            advisor.store, advisor.user, ref, TODAY, reason=REASON, today=TODAY
        )
    finally:
        advisor.close()
    laptops.sync(b)
    data_rights.erase_person(a.store, a.user, pid, today=TODAY)
    after = "letter sent: no data of the person held any more"
    data_rights.answer_by_hand(a.store, a.user, later, TODAY, reason=after, today=TODAY)
    laptops.sync(a, b, a)
    for laptop in (a, b):
        assert _register(laptop)[later].reason == after
        entry = _register(laptop)[ref]
        assert (entry.answered, entry.answered_by) == (TODAY, Role.ADVISOR.value)
        assert (entry.reason, entry.reason_removed) == ("", True), laptop.store.device_id
    with a.store.reading() as db:
        record_id = db.scalar(select(DataRequestRow.id).where(DataRequestRow.reference == ref))
    assert record_id is not None
    states = _states_on_server(server, a, record_id)
    assert states and REASON not in _reasons(states)
    assert all(s.fields["person_id"].value == "" for s in states)


def _envelope(
    member: Member, org: Organisation, record_id: str, kind: str, revision: int, through: int | None
) -> wire.Envelope:
    sealed = member.seal(org.team, record_id, kind, revision, b'{"x": 1}')
    return sealed.model_copy(update={"redacts_through": through})


def _latest(org: Organisation) -> int:
    return org.coordinator.client.status().latest_seq


def test_the_server_deletes_only_what_a_coordinators_laptop_had_pulled(
    org: Organisation, server: ServerProcess
) -> None:
    """The flag from a helper's or an advisor's laptop, or on a kind that does not redact,
    deletes nothing (the version is stored); from a coordinator's laptop, a version whose
    cursor does not reach another laptop's envelope of the record is refused and deletes
    nothing; one below a stored revision is a conflict; once it reaches them all, only it is
    left. A laptop of the version before, sending no flag, pushes as always."""
    coordinator = org.coordinator
    helper = org.join("Helfer", role="helper")
    advisor = org.join("Beratung", role="advisor")
    entry = "0b0c6a55-5c4e-4b9e-9a53-0f6d7c1e2a01"
    visit = "0b0c6a55-5c4e-4b9e-9a53-0f6d7c1e2a02"

    def revisions(record_id: str) -> list[int]:
        return [rev for _s, rev, _c in _held(server, record_id)]

    def push(member: Member, env: wire.Envelope) -> wire.PushItemResult:
        (result,) = member.client.push([env]).results
        return result

    for revision in (1, 2):
        assert push(coordinator, _envelope(coordinator, org, entry, "data_request", revision, None))
        assert push(coordinator, _envelope(coordinator, org, visit, "visit", revision, None))
    # A helper's and an advisor's laptop: stored, nothing deleted.
    top = _latest(org)
    assert push(helper, _envelope(helper, org, entry, "data_request", 3, top)).status == "accepted"
    top = _latest(org)
    assert push(advisor, _envelope(advisor, org, entry, "data_request", 4, top)).status == (
        "accepted"
    )
    assert revisions(entry) == [1, 2, 3, 4]
    # A kind that does not redact, from a coordinator's laptop: stored, nothing deleted.
    top = _latest(org)
    assert push(coordinator, _envelope(coordinator, org, visit, "visit", 3, top)).status == (
        "accepted"
    )
    assert revisions(visit) == [1, 2, 3]
    log = server.log_text()
    assert log.count("redactions ignored (role or kind)") == 3
    # The helper's version 5 (a laptop of the version before: no flag) comes after the
    # coordinator's cursor: refused, nothing deleted.
    seen = _latest(org)
    assert push(helper, _envelope(helper, org, entry, "data_request", 5, None)).status == (
        "accepted"
    )
    refused = push(coordinator, _envelope(coordinator, org, entry, "data_request", 6, seen))
    assert (refused.status, refused.code) == ("refused", "not_merged")
    # A revision below one stored: a conflict, as for a tombstone.
    low = push(coordinator, _envelope(coordinator, org, entry, "data_request", 5, _latest(org)))
    assert (low.status, low.code) == ("refused", "conflict")
    assert revisions(entry) == [1, 2, 3, 4, 5]
    # Two versions of the entry in one push: the second's cursor cannot reach the first.
    both = coordinator.client.push(
        [
            _envelope(coordinator, org, entry, "data_request", 6, None),
            _envelope(coordinator, org, entry, "data_request", 7, _latest(org)),
        ]
    ).results
    assert [(r.status, r.code) for r in both] == [("accepted", None), ("refused", "not_merged")]
    # Having pulled them all: only its version is left.
    done = push(coordinator, _envelope(coordinator, org, entry, "data_request", 7, _latest(org)))
    assert done.status == "accepted"
    assert revisions(entry) == [7]
    assert revisions(visit) == [1, 2, 3]


# The commit this branch started from: its server refuses a field it does not know in an
# envelope (``redacts_through``), as every server before redactions does.
BEFORE_REDACTIONS = "f37039f3"


@pytest.fixture(name="older_server")
def _older_server(tmp_path: Path) -> Iterator[ServerProcess]:
    with older_server(BEFORE_REDACTIONS, tmp_path) as server:
        yield server


def test_a_server_before_redactions_takes_the_version_without_the_flag(
    older_server: ServerProcess, tmp_path: Path
) -> None:
    """A server of the version before refuses the push with the flag (422: a field it does not
    know), and the laptop pushes it again without: the erasure syncs, the entry's marker
    version is stored, and the earlier envelopes with the reason stay on that server until it
    is updated (and a later version of the entry is pushed with the flag)."""
    with Laptops(older_server, tmp_path) as laptops:
        a = laptops.new("A")
        pid = add_person(a, "Radka", "Stoyanova", "1990")
        ref, record_id = _answered_by_hand(a, pid)
        laptops.sync(a)
        data_rights.erase_person(a.store, a.user, pid, today=TODAY)
        (report,) = laptops.sync(a)
        assert report.refused == 0
        states = _states_on_server(older_server, a, record_id)
        assert _reasons(states) == [REASON, REASON_REMOVED]
        assert _register(a)[ref].reason_removed
        log = older_server.log_text()
        assert log.count('"POST /v1/envelopes HTTP/1.1" 422') == 1


def _server_reasons(server: ServerProcess, laptop: Session, record_id: str) -> list[object]:
    """The reason in every envelope of the entry the server holds, opened with the team key
    (none held: an empty list, which no test takes for clean)."""
    held = _held(server, record_id)
    states = _states_on_server(server, laptop, record_id)
    assert held and len(states) == len(held)
    return _reasons(states)


def _owed(laptop: Session) -> str | None:
    with laptop.store.reading() as db:
        return engine.get_meta(db, "sync.unflagged_redactions") or "[]"


def test_a_reason_removed_before_the_laptops_update_leaves_the_server_at_its_next_sync(
    laptops: Laptops, server: ServerProcess, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A erased the person before its update: its version with the reason removed went out
    without ``redacts_through`` (the version before sent none), and the server kept the
    entry's earlier envelopes, the reason in them. Updated (its store without the marker of
    owed redactions), A's next sync with this server, which says it acts on the flag, sends a
    redacting version of the entry once: the server holds no envelope with the reason. The sync
    after sends nothing more of it (the entry is owed no more)."""
    a = laptops.new("A")
    pid = add_person(a, "Radka", "Stoyanova", "1990")
    ref, record_id = _answered_by_hand(a, pid)
    laptops.sync(a)
    with monkeypatch.context() as before_update:  # the version before: no flag
        before_update.setattr(engine.SyncEngine, "_redactions", lambda *_args: None)
        data_rights.erase_person(a.store, a.user, pid, today=TODAY)
        laptops.sync(a)
    assert _server_reasons(server, a, record_id) == [REASON, REASON_REMOVED]
    with a.store.transaction() as db:  # the store of that version had no such key
        db.delete(db.get(engine.MetaRow, engine.UNFLAGGED_REDACTIONS))
    (updated,) = laptops.sync(a)
    assert updated.sent == 1
    assert _server_reasons(server, a, record_id) == [REASON_REMOVED]
    assert "redacted records' earlier envelopes deleted" in server.log_text()
    assert _owed(a) == "[]"
    seqs = [seq for seq, _r, _c in _held(server, record_id)]
    (again,) = laptops.sync(a)
    assert again.sent == 0 and [seq for seq, _r, _c in _held(server, record_id)] == seqs
    assert _register(a)[ref].reason_removed


def test_a_reason_sent_without_the_flag_is_owed_until_the_server_takes_it(
    laptops: Laptops, server: ServerProcess, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A coordinator's laptop whose push went out without the flag (the server refused the
    field, ``takes_redactions``) notes the entry as owed, kept across syncs that cannot send it
    (the server does not say it acts on the flag); the first sync that can sends it with the
    flag and the reason leaves the server."""
    a = laptops.new("A")
    pid = add_person(a, "Radka", "Stoyanova", "1990")
    _ref, record_id = _answered_by_hand(a, pid)
    laptops.sync(a)
    assert _owed(a) == "[]"
    with monkeypatch.context() as older:
        # As with a server before the field: the client learnt it takes none, and the pull
        # does not say it acts on the flag.
        older.setattr(engine.SyncEngine, "_redactions", lambda *_args: None)
        older.setattr(wire.PullResponse, "redactions", None, raising=False)
        older.setattr(engine.SyncEngine, "_redact_owed", lambda _self: None)
        data_rights.erase_person(a.store, a.user, pid, today=TODAY)
        laptops.sync(a)
        laptops.sync(a)
    assert _owed(a) == f'["{record_id}"]'
    assert _server_reasons(server, a, record_id) == [REASON, REASON_REMOVED]
    laptops.sync(a)
    assert _server_reasons(server, a, record_id) == [REASON_REMOVED]
    assert _owed(a) == "[]"


def test_an_updated_server_has_the_reason_it_kept_deleted_by_the_next_sync(
    older_server: ServerProcess, tmp_path: Path
) -> None:
    """The erasure synced through a server of the version before (it refused the flag: the
    reason stays there). The server is updated on its database; the coordinator's laptop's
    next sync sends the entry's redacting version with the flag, and the updated server holds
    no envelope with the reason."""
    from tests.integration.sync_harness import ROOT

    with Laptops(older_server, tmp_path) as laptops:
        a = laptops.new("A")
        pid = add_person(a, "Radka", "Stoyanova", "1990")
        ref, record_id = _answered_by_hand(a, pid)
        laptops.sync(a)
        data_rights.erase_person(a.store, a.user, pid, today=TODAY)
        laptops.sync(a)
        laptops.sync(a)  # the older server says nothing of the flag: nothing sent again
        assert _server_reasons(older_server, a, record_id) == [REASON, REASON_REMOVED]
        older_server.stop()
        older_server.code_dir = ROOT  # updated: the same database, port and laptops
        older_server.start()
        (report,) = laptops.sync(a)
        assert report.refused == 0 and report.sent == 1
        assert _server_reasons(older_server, a, record_id) == [REASON_REMOVED]
        assert _owed(a) == "[]"
        assert _register(a)[ref].reason_removed


@pytest.mark.parametrize("offset", [-1, 1], ids=["below", "above"])
def test_a_stale_version_pushed_after_the_clean_up_leaves_the_server_at_the_next_sync(
    laptops: Laptops, server: ServerProcess, offset: int
) -> None:
    """B (an advisor's laptop) had not merged the erasure when it pushed its version of the
    entry, the reason in it and its date of receipt corrected, after A's clean-up (between its
    pull and its push): at a revision the clean-up had deleted (below A's, which the server
    then takes) or above it. A's next sync pulls it and sends a redacting version at once: the
    server holds no envelope with the reason. Below, A took B's version for a replay and sent
    nothing: the reason stayed on the server."""
    a, b = laptops.new("A"), laptops.new("B", role=Role.ADVISOR)
    pid = add_person(a, "Radka", "Stoyanova", "1990")
    laptops.sync(a, b)
    ref, record_id = _answered_by_hand(a, pid)
    laptops.sync(a, b)
    data_rights.erase_person(a.store, a.user, pid, today=TODAY)
    laptops.sync(a)
    assert _server_reasons(server, a, record_id) == [REASON_REMOVED]
    ((_seq, cleaned, _ct),) = _held(server, record_id)
    with b.store.reading() as db:
        local = ADAPTERS["data_request"].load_many(db, [record_id])[record_id]
    assert local.state.fields["answer_reason"].value == REASON
    corrected = LATELY - dt.timedelta(days=1)
    clock = str(b.store.clock.now())
    fields = {**local.state.fields, "received": FieldState(corrected.isoformat(), clock)}
    push_state(b, RecordState("data_request", record_id, fields), revision=cleaned + offset)
    assert REASON in _server_reasons(server, a, record_id)

    laptops.sync(a)
    assert _server_reasons(server, a, record_id) == [REASON_REMOVED]
    assert _owed(a) == "[]"
    laptops.sync(b, a)
    assert set(_server_reasons(server, a, record_id)) == {REASON_REMOVED}
    for laptop in (a, b):
        assert _register(laptop)[ref].reason_removed


HOURS_BEHIND_MS = -5 * 60 * 60 * 1000


def test_a_reason_given_after_the_erasure_on_a_laptop_hours_behind_stays(
    laptops: Laptops, server: ServerProcess
) -> None:
    """The rule "a reason older than the emptied link is removed" orders the fields' hybrid
    logical clocks, as the merge does, not wall clocks: B, a coordinator's laptop whose wall
    clock runs five hours behind, answers one request by hand before it heard of A's erasure
    (that reason is removed everywhere) and, after its sync brought the erasure, the erased
    person's copy request (that reason stays: its clock follows the erasure's, which B's
    clock observed, though B's wall clock reads hours earlier than A's link was emptied)."""
    from desktop_app.domain.hlc import HybridLogicalClock

    a, b = laptops.new("A"), laptops.new("B")
    b.store.clock = HybridLogicalClock(
        b.store.device_id, now_ms=lambda: time.time_ns() // 1_000_000 + HOURS_BEHIND_MS
    )
    pid = add_person(a, "Radka", "Stoyanova", "1990")
    ref = data_rights.record_open_request(a.store, a.user, pid, CORRECTION, LATELY, today=TODAY)
    later = data_rights.record_open_request(a.store, a.user, pid, COPY, TODAY, today=TODAY)
    laptops.sync(a, b)
    data_rights.answer_by_hand(b.store, b.user, ref, TODAY, reason=REASON, today=TODAY)
    data_rights.erase_person(a.store, a.user, pid, today=TODAY)
    laptops.sync(a, b)  # B merges its answer into the entry A unlinked: the reason goes
    after = "letter sent: no data of the person held any more"
    data_rights.answer_by_hand(b.store, b.user, later, TODAY, reason=after, today=TODAY)
    laptops.sync(b, a, b)
    for laptop in (a, b):
        register = _register(laptop)
        assert (register[ref].reason, register[ref].reason_removed) == ("", True)
        assert (register[later].reason, register[later].answered) == (after, TODAY)
    ids: dict[str, str] = {}
    with a.store.reading() as db:
        for reference in (ref, later):
            found = db.scalar(
                select(DataRequestRow.id).where(DataRequestRow.reference == reference)
            )
            assert found is not None
            ids[reference] = found
    assert set(_server_reasons(server, a, ids[ref])) == {REASON_REMOVED}
    assert _server_reasons(server, a, ids[later])[-1] == after


def test_a_reason_the_erasing_laptop_never_saw_goes_though_its_clock_runs_hours_behind(
    laptops: Laptops, server: ServerProcess, qtbot: QtBot, shots: Path
) -> None:
    """A, the coordinator's laptop that erases the person, runs five hours behind; B (an
    advisor's laptop) answered the request by hand a moment before, with a reason naming her,
    and had not heard of the erasure. A's link emptied reads hours earlier than B's reason, so
    "older than the emptied link" kept the reason, unlinked, on A, B and the server. B's version
    still linked the person: its reason was given without the erasure, whatever the clocks say,
    and goes everywhere."""
    from desktop_app.domain.hlc import HybridLogicalClock
    from tests.integration.sync_harness import logged_in_again

    a, b = laptops.new("A"), laptops.new("B", role=Role.ADVISOR)
    a.store.clock = HybridLogicalClock(
        a.store.device_id, now_ms=lambda: time.time_ns() // 1_000_000 + HOURS_BEHIND_MS
    )
    pid = add_person(a, "Radka", "Stoyanova", "1990")
    ref = data_rights.record_open_request(a.store, a.user, pid, CORRECTION, LATELY, today=TODAY)
    laptops.sync(a, b)
    advisor = logged_in_again(b)
    try:
        data_rights.answer_by_hand(
            advisor.store, advisor.user, ref, TODAY, reason=REASON, today=TODAY
        )
    finally:
        advisor.close()
    laptops.sync(b)
    data_rights.erase_person(a.store, a.user, pid, today=TODAY)
    laptops.sync(a, b, a)
    for laptop in (a, b):
        entry = _register(laptop)[ref]
        assert (entry.answered, entry.answered_by) == (TODAY, Role.ADVISOR.value)
        assert (entry.reason, entry.reason_removed) == ("", True), laptop.store.device_id
    with a.store.reading() as db:
        record_id = db.scalar(select(DataRequestRow.id).where(DataRequestRow.reference == ref))
    assert record_id is not None
    assert set(_server_reasons(server, a, record_id)) == {REASON_REMOVED}
    cell = answer_cell_de(qtbot, a, ref, shots / f"redact-unaware-a-{server.engine.name}.png")
    assert cell.splitlines()[-1] == gettext_in("de", REMOVED_DE)
    assert "Stoyanova" not in cell


def test_owed_redactions_go_a_bounded_number_a_sync_and_resume_after_a_broken_push(
    laptops: Laptops, server: ServerProcess, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Two entries owed (their reasons removed before the laptop's update), one sent a sync
    (``REDACT_AGAIN`` set to 1): the first sync cleans one on the server; the second queues the
    other and its push breaks off; the third sends what waits in the outbox, flagged, and the
    server holds no reason of either."""
    from desktop_app.sync.http_client import SyncError, SyncServerClient

    a = laptops.new("A")
    entries = []
    for given, family in (("Radka", "Stoyanova"), ("Ioana", "Popescu")):
        pid = add_person(a, given, family, "1990")
        entries.append((pid, _answered_by_hand(a, pid)[1]))
    laptops.sync(a)
    with monkeypatch.context() as before_update:
        before_update.setattr(engine.SyncEngine, "_redactions", lambda *_args: None)
        for pid, _record_id in entries:
            data_rights.erase_person(a.store, a.user, pid, today=TODAY)
        laptops.sync(a)
    with a.store.transaction() as db:  # the store of that version had no such key
        db.delete(db.get(engine.MetaRow, engine.UNFLAGGED_REDACTIONS))
    monkeypatch.setattr(engine, "REDACT_AGAIN", 1)

    def clean() -> list[bool]:
        return [REASON not in _server_reasons(server, a, rid) for _pid, rid in entries]

    assert clean() == [False, False]
    laptops.sync(a)
    assert sorted(clean()) == [False, True]
    pushed = SyncServerClient.push

    def broken(self: SyncServerClient, envelopes: list[wire.Envelope]) -> wire.PushResponse:
        raise SyncError("the network went away")

    monkeypatch.setattr(SyncServerClient, "push", broken)
    with pytest.raises(SyncError):
        laptops.sync(a)
    assert sorted(clean()) == [False, True]
    monkeypatch.setattr(SyncServerClient, "push", pushed)
    laptops.sync(a)
    assert clean() == [True, True]
    assert _owed(a) == "[]"
