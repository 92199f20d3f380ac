"""The reason of a request answered by hand ("nothing to correct") is kept with the register's
entry (``data_requests.answer_reason``, migration ``data_request_reason``): it goes with the
answer it was given with when two laptops' answers merge, it is sent only once there is one (a
laptop of the version before keeps such an entry for its update and reads every other), and a
store of the version before gets the reasons its audit log kept. Real SQLCipher stores."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import func, select, text

from desktop_app.domain.person import PersonDraft
from desktop_app.storage import db as storage_db
from desktop_app.storage.layout import SCHEMA_HEAD
from desktop_app.storage.models import DataRequestRow, OutboxRow, data_columns
from desktop_app.sync.kinds import REASON, DataRequestAdapter
from desktop_app.sync.merge import FieldState, RecordState, merge
from desktop_app.sync.records import (
    ADAPTERS,
    NEWER_VERSION,
    RowAdapter,
    ToSave,
    decode,
    encode,
    load_one,
)
from desktop_app.usecases import data_rights, people
from desktop_app.usecases.accounts import Session
from desktop_app.usecases.data_rights import COPY, CORRECTION
from tests.conftest import downgrade_store

TODAY = dt.date(2026, 12, 7)
ME, OTHER = "device-a", "device-b"
MADE = "0001-00000-x"


def _state(answered: str, by: str, clock: str, reason: str | None) -> RecordState:
    """A correction request as a laptop holds it, answered (or not) at ``clock``; ``reason``
    None: held without the field (never given one, or by the version before)."""
    fields = {
        "reference": FieldState("ACDEFGHJ", MADE),
        "kind": FieldState(CORRECTION, MADE),
        "received": FieldState("2026-11-02", MADE),
        "answered": FieldState(answered, clock, MADE),
        "answered_by": FieldState(by, clock, MADE),
        "person_id": FieldState("p1", MADE),
    }
    if reason is not None:
        fields[REASON] = FieldState(reason, clock, MADE)
    return RecordState("data_request", "r1", fields)


def _merged(local: RecordState, incoming: RecordState) -> tuple[str, str, str, int]:
    adapter = ADAPTERS["data_request"]
    result = merge(
        local,
        incoming,
        ME,
        last_writer_wins=adapter.last_writer_wins,
        least=getattr(adapter, "least", frozenset()),
        follows=getattr(adapter, "follows", None),
    )
    values = result.state.values()
    return values["answered"], values["answered_by"], values.get(REASON, ""), len(result.conflicts)


def test_the_reason_goes_with_the_answer_kept_on_both_sides() -> None:
    """Answered on two laptops offline: by hand with a reason on the later day, by a
    correction saved (no reason) on the earlier one. Both end with the earlier answer and no
    reason (a reason of another answer would tell something that did not happen), and the
    other way round with the reason; never a conflict."""
    by_hand = _state("2026-11-28", "advisor", f"0009-00000-{ME}", "nothing to correct")
    corrected = _state("2026-11-20", "coordinator", f"0005-00000-{OTHER}", None)
    assert _merged(by_hand, corrected) == ("2026-11-20", "coordinator", "", 0)
    assert _merged(corrected, by_hand) == ("2026-11-20", "coordinator", "", 0)
    by_hand = _state("2026-11-18", "advisor", f"0003-00000-{ME}", "nothing to correct")
    assert _merged(by_hand, corrected) == ("2026-11-18", "advisor", "nothing to correct", 0)
    assert _merged(corrected, by_hand) == ("2026-11-18", "advisor", "nothing to correct", 0)
    # Still open on one side (an older copy): the answer and its reason stand.
    still_open = _state("", "", f"0010-00000-{OTHER}", None)
    assert _merged(still_open, by_hand) == ("2026-11-18", "advisor", "nothing to correct", 0)
    assert _merged(by_hand, still_open) == ("2026-11-18", "advisor", "nothing to correct", 0)
    # The same day by both: the later answer is kept with its role and reason, on both sides.
    same_day = _state("2026-11-18", "coordinator", f"0011-00000-{OTHER}", None)
    assert _merged(by_hand, same_day) == _merged(same_day, by_hand)
    assert _merged(by_hand, same_day) == ("2026-11-18", "coordinator", "", 0)


def _person(session: Session) -> str:
    draft = PersonDraft("Radka", "Stoyanova", "14.03.1985", phone="0176 555")
    return people.register_person(session.store, session.user, draft, confirm_duplicates=True).id


def _record(session: Session, reference: str) -> RecordState:
    """The entry of ``reference`` as this laptop sends it (its payload, read back)."""
    with session.store.reading() as db:
        record_id = db.scalar(
            select(DataRequestRow.id).where(DataRequestRow.reference == reference)
        )
        local = load_one(ADAPTERS["data_request"], db, str(record_id))
    assert local is not None
    return decode(encode(local))[0]


def _version_before() -> RowAdapter:
    """The adapter of the version before the reason: the same kind without the field."""
    before = DataRequestAdapter()
    RowAdapter.__init__(
        before,
        "data_request",
        DataRequestRow,
        tuple(f for f in data_columns(DataRequestRow) if f != REASON),
        last_writer_wins=frozenset({"person_id"}),
    )
    # Its table had no such column: nothing of it to fill in a new row.
    before._not_null = tuple(name for name in before._not_null if name != REASON)
    return before


def test_the_reason_is_sent_only_once_there_is_one_so_the_version_before_reads_the_others(
    session: Session,
) -> None:
    pid = _person(session)
    asked = TODAY - dt.timedelta(days=3)
    ref = data_rights.record_open_request(
        session.store, session.user, pid, CORRECTION, asked, today=TODAY
    )
    copy = data_rights.record_open_request(session.store, session.user, pid, COPY, asked)
    assert REASON not in _record(session, ref).fields  # open: nothing a reason could say
    data_rights.answer_by_hand(
        session.store, session.user, ref, TODAY, reason="nothing to correct", today=TODAY
    )
    sent = _record(session, ref)
    assert sent.fields[REASON].value == "nothing to correct"
    data_rights.record_copy_request(session.store, session.user, pid, TODAY, today=TODAY)
    answered_copy = _record(session, copy)
    assert answered_copy.values()["answered"] and REASON not in answered_copy.fields
    # The version before stores every entry without a reason, and keeps the one with it for
    # its update (``NewerRecord``: deferred, not refused).
    before = _version_before()
    with session.store.transaction() as db:
        refused = before.save_many(
            db,
            session.store,
            [ToSave(answered_copy, 9, "someone"), ToSave(sent, 9, "someone")],
        )
    assert refused == {sent.id: NEWER_VERSION}
    # This version applies an entry of the version before (no field): the reason is empty.
    with session.store.transaction() as db:
        assert ADAPTERS["data_request"].save_many(db, session.store, [ToSave(sent, 10, "x")]) == {}
        without = RecordState(
            sent.kind, sent.id, {n: f for n, f in sent.fields.items() if n != REASON}
        )
        assert (
            ADAPTERS["data_request"].save_many(db, session.store, [ToSave(without, 11, "x")]) == {}
        )
    entries = {r.reference: r for r in data_rights.list_requests(session.store, session.user)}
    assert entries[ref].reason == "" and entries[ref].answered == TODAY


def test_a_store_of_the_version_before_gets_the_reasons_its_audit_log_kept(
    session: Session,
) -> None:
    """A real store taken back to ``report_ehic`` (0038) with requests answered by hand (with
    and without a reason), by a correction and by a copy, and open ones; opened by this
    version, each answered by hand gets its reason from the log; nothing is queued again."""
    pid = _person(session)
    other = _person(session)
    asked = TODAY - dt.timedelta(days=20)
    by_hand = data_rights.record_open_request(
        session.store, session.user, pid, CORRECTION, asked, today=TODAY
    )
    data_rights.answer_by_hand(
        session.store, session.user, by_hand, TODAY, reason="Daten stimmen", today=TODAY
    )
    still_open = data_rights.record_open_request(
        session.store, session.user, other, CORRECTION, asked, today=TODAY
    )
    copy = data_rights.record_open_request(session.store, session.user, other, COPY, asked)
    data_rights.record_copy_request(session.store, session.user, other, TODAY, today=TODAY)
    erased_copy = data_rights.record_open_request(
        session.store, session.user, pid, COPY, asked, today=TODAY
    )
    data_rights.erase_person(session.store, session.user, pid, today=TODAY)
    data_rights.answer_erased_request(session.store, session.user, erased_copy, TODAY, today=TODAY)
    downgrade_store(session.store, "report_ehic")
    with session.store.reading() as db:
        columns = {r[1] for r in db.execute(text("PRAGMA table_info(data_requests)"))}
        queued = db.scalar(select(func.count()).select_from(OutboxRow))
    assert REASON not in columns
    assert session.store.engine.url.drivername == "sqlite+pysqlcipher"
    storage_db.migrate(session.store.engine)
    with session.store.reading() as db:
        assert db.scalar(text("SELECT version_num FROM alembic_version")) == SCHEMA_HEAD
        assert db.scalar(select(func.count()).select_from(OutboxRow)) == queued
    entries = {r.reference: r for r in data_rights.list_requests(session.store, session.user)}
    assert entries[by_hand].reason == "Daten stimmen"
    assert entries[still_open].reason == entries[copy].reason == entries[erased_copy].reason == ""
    assert entries[still_open].is_open and entries[erased_copy].answered == TODAY
    # and back: the store as 0038 had it, its register read as before
    downgrade_store(session.store, "report_ehic")
    with session.store.reading() as db:
        columns = {r[1] for r in db.execute(text("PRAGMA table_info(data_requests)"))}
        held = db.scalar(text("SELECT count(*) FROM data_requests"))
    assert REASON not in columns and held == 4
    storage_db.migrate(session.store.engine)
