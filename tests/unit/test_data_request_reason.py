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
from desktop_app.storage.models import REASON_REMOVED, DataRequestRow, OutboxRow
from desktop_app.sync.engine import merge_by_rules
from desktop_app.sync.kinds import REASON
from desktop_app.sync.merge import FieldState, RecordState
from desktop_app.sync.records import ADAPTERS, NEWER_VERSION, ToSave
from desktop_app.usecases import audit, data_rights, people
from desktop_app.usecases.accounts import Session
from desktop_app.usecases.data_rights import COPY, CORRECTION
from tests.conftest import downgrade_store
from tests.unit.conftest import sent_record, version_before

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
    result = merge_by_rules(ADAPTERS["data_request"], local, incoming, ME)
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
    return sent_record(session, "data_request", str(record_id))


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
    before = version_before("data_request", REASON)
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


def _reasons(session: Session) -> dict[str, tuple[str, bool]]:
    return {
        r.reference: (r.reason, r.reason_removed)
        for r in data_rights.list_requests(session.store, session.user)
    }


def test_the_removal_of_a_reason_by_an_erasure_is_sent_and_wins_over_the_reason(
    session: Session,
) -> None:
    """An erasure replaces the reason with ``REASON_REMOVED``: a value, so it is sent (an
    emptied one could be held back as never given) and, its clock the later, it wins where a
    laptop still holds the reason, whichever side merges; an entry without a reason sends no
    field as before (the version before reads it)."""
    pid = _person(session)
    asked = TODAY - dt.timedelta(days=3)
    ref = data_rights.record_open_request(
        session.store, session.user, pid, CORRECTION, asked, today=TODAY
    )
    copy = data_rights.record_open_request(session.store, session.user, pid, COPY, asked)
    data_rights.answer_by_hand(
        session.store, session.user, ref, TODAY, reason="Radka Stoyanova's ID", today=TODAY
    )
    with_reason = _record(session, ref)
    data_rights.erase_person(session.store, session.user, pid, today=TODAY)
    removed = _record(session, ref)
    assert removed.fields[REASON].value == REASON_REMOVED
    assert removed.fields[REASON].clock > with_reason.fields[REASON].clock
    assert removed.fields["person_id"].value == ""
    assert REASON not in _record(session, copy).fields  # nothing to remove: still left out
    for local, incoming in ((with_reason, removed), (removed, with_reason)):
        result = merge_by_rules(ADAPTERS["data_request"], local, incoming, ME)
        assert result.state.fields[REASON].value == REASON_REMOVED
        assert result.conflicts == ()
    assert _reasons(session)[ref] == ("", True)


def test_an_answer_with_a_reason_arriving_for_a_person_erased_here_loses_its_reason(
    session: Session,
) -> None:
    """Another laptop answered a correction request by hand (a reason naming the person)
    before the erasure reached it: where the person is erased, the entry arrives linked to
    them; the link empties and the reason is removed as it is saved, a change of this
    laptop's that syncs (``follow_erasures``)."""
    pid = _person(session)
    data_rights.erase_person(session.store, session.user, pid, today=TODAY)
    made, answered = f"0001-00000-{OTHER}", f"0002-00000-{OTHER}"
    fields = {
        "reference": FieldState("ACDEFGHJ", made),
        "kind": FieldState(CORRECTION, made),
        "received": FieldState("2026-11-02", made),
        "answered": FieldState(TODAY.isoformat(), answered, made),
        "answered_by": FieldState("advisor", answered, made),
        "person_id": FieldState(pid, made),
        REASON: FieldState("checked against Radka Stoyanova's ID", answered, made),
    }
    arriving = RecordState("data_request", "r-other", fields)
    with session.store.transaction() as db:
        assert (
            ADAPTERS["data_request"].save_many(db, session.store, [ToSave(arriving, 1, "x")]) == {}
        )
        queued = db.scalars(select(OutboxRow.record_id)).all()
    assert "r-other" in queued
    assert _reasons(session)["ACDEFGHJ"] == ("", True)
    sent = _record(session, "ACDEFGHJ")
    assert (sent.fields["person_id"].value, sent.fields[REASON].value) == ("", REASON_REMOVED)


def _answered_by_the_version_before(session: Session, reference: str, reason: str) -> None:
    """``answer_by_hand`` as the version before 0039 did it: the answer in the register (no
    reason column), the reason's text in the audit entry only (``details["reason"]``)."""
    with session.store.transaction() as db:
        row = db.scalar(select(DataRequestRow).where(DataRequestRow.reference == reference))
        assert row is not None
        data_rights._answer_open(db, session.store, session.user, row, TODAY)
        audit.record_in(
            db,
            session.store,
            session.user.id,
            audit.AuditAction.ANSWER_REQUEST,
            "data_request",
            reference,
            {"kind": row.kind, "answered": TODAY.isoformat(), "reason": reason},
        )


def test_a_store_of_the_version_before_gets_the_reasons_its_audit_log_kept(
    session: Session,
) -> None:
    """A real store taken back to ``report_ehic`` (0038) with requests answered by hand (with
    and without a reason), by a correction and by a copy, and open ones; opened by this
    version, each answered by hand gets its reason from the log; nothing is queued again.
    The reason's text is in the log entries of the version before only (this version's say
    that one was given): such an entry stands for them."""
    pid = _person(session)
    other = _person(session)
    third = _person(session)
    asked = TODAY - dt.timedelta(days=20)
    by_hand = data_rights.record_open_request(
        session.store, session.user, third, CORRECTION, asked, today=TODAY
    )
    _answered_by_the_version_before(session, by_hand, "Daten stimmen")
    still_open = data_rights.record_open_request(
        session.store, session.user, other, CORRECTION, asked, today=TODAY
    )
    copy = data_rights.record_open_request(session.store, session.user, other, COPY, asked)
    data_rights.record_copy_request(session.store, session.user, other, TODAY, today=TODAY)
    erased_copy = data_rights.record_open_request(
        session.store, session.user, pid, COPY, asked, today=TODAY
    )
    # answered by hand with a reason naming the person, who was erased after
    named = data_rights.record_open_request(
        session.store, session.user, pid, CORRECTION, asked, today=TODAY
    )
    _answered_by_the_version_before(session, named, "Radka Stoyanova's ID checked")
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
    # The erased person's: removed, as an erasure of this version removes it.
    assert (entries[named].reason, entries[named].reason_removed) == ("", True)
    assert not any(r.reason_removed for r in entries.values() if r.reference != named)
    with session.store.reading() as db:
        kept = db.scalars(select(DataRequestRow.answer_reason)).all()
    assert REASON_REMOVED in kept and not any("Stoyanova" in k for k in kept)
    # and back: the store as 0038 had it, its register read as before
    downgrade_store(session.store, "report_ehic")
    with session.store.reading() as db:
        columns = {r[1] for r in db.execute(text("PRAGMA table_info(data_requests)"))}
        held = db.scalar(text("SELECT count(*) FROM data_requests"))
    assert REASON not in columns and held == 5
    storage_db.migrate(session.store.engine)
