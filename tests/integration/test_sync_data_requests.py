"""The register of requests about personal data syncs (kind "data_request"): a request recorded
open on a contact point's laptop reaches the coordinator who answers it, an erasure answers and
unlinks it on every laptop, and two answers of one request end as one everywhere."""

from __future__ import annotations

import datetime as dt
import io
from pathlib import Path

import pytest
from pytestqt.qtbot import QtBot
from sqlalchemy import select
from sqlalchemy.orm import Session as DbSession

from desktop_app.domain.users import Role
from desktop_app.storage.models import DataRequestRow, OutboxRow
from desktop_app.storage.sync_models import DeferredEnvelopeRow
from desktop_app.sync import crypto, engine
from desktop_app.sync.merge import RecordState
from desktop_app.sync.records import decode
from desktop_app.usecases import data_rights
from desktop_app.usecases.accounts import Session
from desktop_app.usecases.data_rights import COPY, CORRECTION, ERASURE, DataRequest
from sync_server import models, wire
from tests.integration.sync_harness import (
    Laptops,
    ServerProcess,
    add_person,
    logged_in_again,
)

TODAY = dt.date.today()
LONG_AGO = TODAY - dt.timedelta(days=40)  # overdue: a month has passed
LATELY = TODAY - dt.timedelta(days=25)  # due within the week (``DUE_SOON_DAYS``)


def _register(session: Session) -> dict[str, DataRequest]:
    return {r.reference: r for r in data_rights.list_requests(session.store, session.user)}


def _linked(session: Session) -> list[str]:
    """The person ids the laptop's register holds (every row, tombstones included)."""
    with session.store.reading() as db:
        return sorted(p for p in db.scalars(select(DataRequestRow.person_id)) if p)


def _kept_revisions(session: Session) -> int:
    """How many envelopes the laptop keeps for a newer version of the app."""
    with session.store.reading() as db:
        return len(db.scalars(select(DeferredEnvelopeRow.seq)).all())


def _queued(session: Session) -> list[str]:
    """The data requests in the laptop's outbox."""
    with session.store.reading() as db:
        return list(
            db.scalars(select(OutboxRow.record_id).where(OutboxRow.record_kind == "data_request"))
        )


def data_requests_on_server(server: ServerProcess, session: Session) -> list[RecordState]:
    """Every revision of a data request the server holds, opened with a laptop's team keys
    (what the server's operator holds, read as a member of the team could), oldest first."""
    stored = models.StoredEnvelope
    with DbSession(server.engine) as s:
        rows = s.scalars(
            select(stored).where(stored.kind == "data_request").order_by(stored.seq)
        ).all()
        envelopes = [
            wire.trusted_envelope(
                r.record_id,
                r.kind,
                r.revision,
                r.key_id,
                wire.b64encode(r.nonce),
                wire.b64encode(r.ciphertext),
                r.author_device,
                r.client_hlc,
                r.erases,
            )
            for r in rows
        ]
    with session.store.reading() as db:
        opener = crypto.EnvelopeOpener(engine.keyring(db))
    return [decode(opener.open(e))[0] for e in envelopes]


def test_an_advisors_open_request_reaches_the_coordinator_and_an_erasure_answers_it_everywhere(
    laptops: Laptops, server: ServerProcess
) -> None:
    a = laptops.new("A")  # the coordinator's
    pid = add_person(a, "Radka", "Stoyanova", "1990", "+359 88 765 4321")
    b = laptops.new("B", role=Role.ADVISOR)  # a contact point's
    c = laptops.new("C")  # another coordinator's, offline when A erases
    laptops.sync(a, b, c)
    advisor = logged_in_again(b)
    try:
        assert advisor.user.role is Role.ADVISOR
        copy_ref = data_rights.record_open_request(
            advisor.store, advisor.user, pid, COPY, LONG_AGO, today=TODAY
        )
    finally:
        advisor.close()
    erasure_ref = data_rights.record_open_request(
        c.store, c.user, pid, ERASURE, LATELY, today=TODAY
    )
    # Each recorded in the transaction that queued it.
    assert engine.pending_changes(b.store) >= 1 and engine.pending_changes(c.store) >= 1
    laptops.sync(b, c, a)
    seen = _register(a)
    assert seen[copy_ref].is_open and seen[copy_ref].kind == COPY
    assert seen[copy_ref].received == LONG_AGO and not seen[copy_ref].person_erased
    assert seen[erasure_ref].is_open and seen[erasure_ref].kind == ERASURE
    # The coordinator's notice at login counts the advisor's overdue request.
    assert data_rights.requests_due(a.store, a.user, TODAY) == data_rights.RequestsDue(1, 1)
    # The erasure on A answers the erasure request (recorded on C) under its reference.
    opened = data_rights.open_request(a.store, a.user, pid, ERASURE)
    assert opened is not None and opened.reference == erasure_ref
    data_rights.erase_person(a.store, a.user, pid, today=TODAY)
    laptops.sync(a, b, c, a, b)
    for laptop in (a, b, c):
        # Read with the laptop's first account (a coordinator's: an advisor may not read the
        # register; the rows are the same whoever reads them).
        register = _register(laptop)
        erasure, copy = register[erasure_ref], register[copy_ref]
        assert (erasure.answered, erasure.answered_by) == (TODAY, Role.COORDINATOR.value)
        assert copy.is_open and copy.person_erased, laptop.store.device_id
        assert _linked(laptop) == [], laptop.store.device_id
        assert engine.pending_changes(laptop.store) == 0, laptop.store.device_id
    # The server: each request's newest revision links no one. Older ones the laptops sent
    # before the erasure still hold the person's id (the server keeps every revision of a
    # live record; only a tombstone drops them): encrypted, an id and no value of theirs.
    held = data_requests_on_server(server, a)
    newest = {s.id: s for s in held}
    assert len(newest) == 2
    assert all(s.fields["person_id"].value == "" for s in newest.values())
    assert {s.fields["person_id"].value for s in held} == {"", pid}


def test_two_coordinators_answering_one_request_offline_end_with_the_earlier_answer(
    laptops: Laptops,
) -> None:
    a, c = laptops.new("A"), laptops.new("C")
    pid = add_person(a, "Ion", "Popescu")
    laptops.sync(a, c)
    ref = data_rights.record_open_request(a.store, a.user, pid, COPY, LONG_AGO, today=TODAY)
    data_rights.erase_person(a.store, a.user, pid, today=TODAY)  # the copy is answered apart
    laptops.sync(a, c)
    assert _register(c)[ref].person_erased
    # Both answer it offline: A on the later day, C on the earlier one (C's clock is later).
    data_rights.answer_erased_request(a.store, a.user, ref, TODAY, today=TODAY)
    earlier = LONG_AGO + dt.timedelta(days=3)
    data_rights.answer_erased_request(c.store, c.user, ref, earlier, today=TODAY)
    laptops.sync(a, c, a)
    for laptop in (a, c):
        entry = _register(laptop)[ref]
        assert (entry.answered, entry.answered_by) == (earlier, Role.COORDINATOR.value)
        assert engine.pending_changes(laptop.store) == 0
    # No conflict was made of it.
    from desktop_app.usecases import conflicts

    assert conflicts.open_conflicts(a.store, a.user) == []
    assert conflicts.open_conflicts(c.store, c.user) == []


def test_a_request_pushed_after_the_erasure_by_a_laptop_that_had_not_pulled_it_is_unlinked(
    laptops: Laptops,
) -> None:
    """B records an erasure request offline for a person A erases meanwhile, and pushes it
    before it pulls the erasure. A pulls it and keeps it (the register outlives the erasure),
    with its person link emptied and answered by the erasure in a revision of its own, so that
    no laptop keeps the link; B answers it alike as the erasure reaches it."""
    from desktop_app.sync.engine import SyncEngine, SyncReport
    from desktop_app.usecases import sync as sync_uc

    a, b = laptops.new("A"), laptops.new("B")
    pid = add_person(a, "Radka", "Stoyanova")
    laptops.sync(a, b)
    ref = data_rights.record_open_request(b.store, b.user, pid, ERASURE, TODAY)
    data_rights.erase_person(a.store, a.user, pid, today=TODAY)
    laptops.sync(a)
    with sync_uc.client_for(b.store) as client:
        SyncEngine(b.store, client)._push(SyncReport())  # before B pulls the erasure
    laptops.sync(a)
    # A keeps it unlinked, answered by its erasure (on the erasure's day, by a coordinator).
    entry = _register(a)[ref]
    assert _linked(a) == [] and (entry.answered, entry.answered_by) == (TODAY, "coordinator")
    laptops.sync(b, a)
    c = laptops.new("C")  # joins later: pulls every revision the server holds
    laptops.sync(c)
    for laptop in (a, b, c):
        assert _linked(laptop) == [], laptop.store.device_id
        # Answered on the erasure's day, by both A and B: the same answer everywhere.
        entry = _register(laptop)[ref]
        assert (entry.answered, entry.answered_by) == (TODAY, Role.COORDINATOR.value)
    # Nothing of the register waits to be sent (A approving C queued its own records).
    assert _queued(a) == _queued(b) == _queued(c) == []


def test_a_laptop_of_a_version_before_the_kind_keeps_the_requests_until_it_is_updated(
    laptops: Laptops, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A laptop of a version that does not know "data_request" takes it as a newer version's
    record: kept unread, not refused, its status bar asking for an update; its sync goes on.
    Updated, it applies them at the next sync."""
    from desktop_app.sync.records import ADAPTERS
    from desktop_app.usecases import sync as sync_uc

    a, b = laptops.new("A"), laptops.new("B")
    pid = add_person(a, "Elena", "Radu")
    laptops.sync(a, b)
    ref = data_rights.record_open_request(a.store, a.user, pid, COPY, TODAY)
    add_person(a, "Ion", "Popa")  # and a record B reads
    laptops.sync(a)
    adapter = ADAPTERS["data_request"]
    monkeypatch.delitem(ADAPTERS, "data_request")  # B runs the version before
    (report,) = laptops.sync(b)
    assert report.refused == 0 and report.deferred == 1 and report.applied >= 1
    assert sync_uc.status(b.store).need_update == 1
    assert _register(b) == {}
    monkeypatch.setitem(ADAPTERS, "data_request", adapter)  # B is updated
    (updated,) = laptops.sync(b)
    assert updated.refused == 0 and sync_uc.status(b.store).need_update == 0
    assert _register(b)[ref].is_open and _linked(b) == [pid]


def test_a_request_about_an_entry_merged_away_meanwhile_follows_it_to_the_entry_kept(
    laptops: Laptops,
) -> None:
    """B records a request offline for an entry A merges into another meanwhile, and pushes
    it before it pulls the merge: A moves it to the entry kept as it arrives (not unlinked, not
    answered as by an erasure), and every laptop ends linked to the entry kept."""
    from desktop_app.sync.engine import SyncEngine, SyncReport
    from desktop_app.usecases import merges
    from desktop_app.usecases import sync as sync_uc

    a, b = laptops.new("A"), laptops.new("B")
    one, other = add_person(a, "Ana", "Popa", "1990"), add_person(a, "Ana", "Popa", "1990")
    kept, merged = merges.kept_and_merged(one, other)
    laptops.sync(a, b)
    ref = data_rights.record_open_request(b.store, b.user, merged, ERASURE, TODAY)
    merges.merge_people(a.store, a.user, kept, merged)
    laptops.sync(a)
    with sync_uc.client_for(b.store) as client:
        SyncEngine(b.store, client)._push(SyncReport())  # before B pulls the merge
    laptops.sync(a)
    assert _linked(a) == [kept] and _register(a)[ref].is_open
    laptops.sync(b, a)
    for laptop in (a, b):
        assert _linked(laptop) == [kept], laptop.store.device_id
        assert _register(laptop)[ref].is_open
        assert data_rights.open_request(laptop.store, laptop.user, kept, ERASURE) is not None
    assert _queued(a) == _queued(b) == []


def test_a_copy_request_arriving_after_the_copys_reference_was_chosen_is_answered_by_it(
    laptops: Laptops,
) -> None:
    """A chooses the data copy's reference (the person has no open copy request there), B's
    open copy request arrives by sync, then A writes the copy: it answers B's request too,
    today, its receipt standing. B, offline, had given a copy the day before: of the two
    answers of B's request the earlier stays on both laptops, and the copy's own entry too."""
    from pypdf import PdfReader

    from desktop_app.i18n.formatting import format_long_date
    from desktop_app.i18n.text import gettext_in
    from desktop_app.letters import person_data_pdf as texts

    a, b = laptops.new("A"), laptops.new("B")
    pid = add_person(a, "Radka", "Stoyanova")
    laptops.sync(a, b)
    chosen = data_rights.copy_request(a.store, a.user, pid, TODAY, today=TODAY)
    arriving = data_rights.record_open_request(b.store, b.user, pid, COPY, LATELY, today=TODAY)
    laptops.sync(b, a)
    assert _register(a)[arriving].is_open  # arrived between the choice and the copy
    yesterday = TODAY - dt.timedelta(days=1)
    data_rights.record_copy_request(b.store, b.user, pid, LATELY, today=yesterday)  # offline
    _json, pdf = data_rights.export_person(a.store, a.user, pid, request=chosen, today=TODAY)
    text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages)
    # The request it answers, named at its head, is the one chosen; its list of the person's
    # requests names B's too, answered by this copy today (``record_copy_request`` below).
    head = text[: text.index(gettext_in("de", texts.PERSON_HEADING))]
    assert chosen.reference in head and arriving not in head
    requests = " ".join(text[text.index(gettext_in("de", texts.REQUESTS_HEADING)) :].split())
    assert f"{arriving} {' '.join(format_long_date(LATELY, 'de').split())}" in requests
    assert gettext_in("de", texts.REQUEST_OPEN) not in requests
    data_rights.record_copy_request(
        a.store, a.user, pid, chosen.received, reference=chosen.reference, today=TODAY
    )
    here = _register(a)
    assert (here[chosen.reference].received, here[chosen.reference].answered) == (TODAY, TODAY)
    assert (here[arriving].received, here[arriving].answered) == (LATELY, TODAY)
    assert data_rights.open_request(a.store, a.user, pid, COPY) is None
    laptops.sync(a, b, a)
    for laptop in (a, b):
        register = _register(laptop)
        assert register[arriving].answered == yesterday, laptop.store.device_id  # the earlier
        assert register[chosen.reference].answered == TODAY, laptop.store.device_id
        assert not any(r.is_open for r in register.values()), laptop.store.device_id
        assert _queued(laptop) == [], laptop.store.device_id


def test_a_correction_request_travels_and_the_correction_on_another_laptop_answers_it(
    laptops: Laptops, server: ServerProcess
) -> None:
    """A correction request (kind "correction") recorded open on an advisor's laptop reaches the
    coordinator's through the server; the correction saved there answers it, and the answer
    and the corrected details come back to the advisor's laptop, whose data copy lists it."""
    from desktop_app.domain.person import PersonDraft
    from desktop_app.usecases import people

    a = laptops.new("A")  # the coordinator's
    pid = add_person(a, "Maria", "Popescu", "1990", "0176 111")
    b = laptops.new("B", role=Role.ADVISOR)  # a contact point's
    laptops.sync(a, b)
    advisor = logged_in_again(b)
    try:
        assert advisor.user.role is Role.ADVISOR
        ref = data_rights.record_open_request(
            advisor.store, advisor.user, pid, CORRECTION, LATELY, today=TODAY
        )
    finally:
        advisor.close()
    laptops.sync(b, a)
    entry = _register(a)[ref]
    assert (entry.kind, entry.received, entry.is_open) == (CORRECTION, LATELY, True)
    assert data_rights.requests_due(a.store, a.user, TODAY) == data_rights.RequestsDue(0, 1)
    opened = data_rights.open_request(a.store, a.user, pid, CORRECTION)
    assert opened is not None and opened.reference == ref
    person = people.get_person(a.store, a.user, pid, log_view=False)
    assert person is not None
    corrected = PersonDraft("Maria", "Popescu", "1990", phone="0176 222")
    _saved, answered = data_rights.correct_at_request(
        a.store, a.user, pid, corrected, base=person, today=TODAY
    )
    assert answered == ref
    laptops.sync(a, b)
    for laptop in (a, b):
        entry = _register(laptop)[ref]
        assert (entry.kind, entry.received) == (CORRECTION, LATELY), laptop.store.device_id
        assert (entry.answered, entry.answered_by) == (TODAY, Role.COORDINATOR.value)
        again = people.get_person(laptop.store, laptop.user, pid, log_view=False)
        assert again is not None and again.phone == "0176 222"
    assert data_rights.requests_due(a.store, a.user, TODAY) == data_rights.RequestsDue(0, 0)
    # The server holds the new kind like the others: ciphertext, opened with the team's keys.
    held = {s.id: s for s in data_requests_on_server(server, a)}
    assert [s.fields["kind"].value for s in held.values()] == [CORRECTION]
    # B's data copy lists the request, answered.
    from pypdf import PdfReader

    _json, pdf = data_rights.export_person(b.store, b.user, pid, lang="en", today=TODAY)
    text = " ".join(
        " ".join(p.extract_text() or "" for p in PdfReader(io.BytesIO(pdf)).pages).split()
    )
    part = text[text.index("Your requests about your data") :]
    assert f"Correction {ref}" in part


def test_the_reason_of_an_answer_by_hand_travels_and_the_version_before_waits_only_for_it(
    laptops: Laptops, server: ServerProcess, monkeypatch: pytest.MonkeyPatch
) -> None:
    """An advisor answers a correction request with nothing to correct on B: the reason
    reaches the coordinator's laptop A with the answer. Laptop C still runs the version before
    the reason: it reads the advisor's other requests as ever and keeps only the entry with a
    reason for its update (its status bar asks for one); updated, it reads the reason too."""
    from desktop_app.sync.kinds import REASON
    from desktop_app.sync.records import ADAPTERS
    from desktop_app.usecases import sync as sync_uc
    from tests.unit.conftest import version_before

    a, c = laptops.new("A"), laptops.new("C")
    b = laptops.new("B", role=Role.ADVISOR)
    pid = add_person(a, "Maria", "Popescu")
    laptops.sync(a, b, c)
    advisor = logged_in_again(b)
    try:
        ref = data_rights.record_open_request(
            advisor.store, advisor.user, pid, CORRECTION, LATELY, today=TODAY
        )
        copy = data_rights.record_open_request(
            advisor.store, advisor.user, pid, COPY, LATELY, today=TODAY
        )
        data_rights.answer_by_hand(
            advisor.store, advisor.user, ref, TODAY, reason="nothing to correct", today=TODAY
        )
    finally:
        advisor.close()
    laptops.sync(b)
    adapter = ADAPTERS["data_request"]
    # C runs the version before
    monkeypatch.setitem(ADAPTERS, "data_request", version_before("data_request", REASON))
    (report,) = laptops.sync(c)
    assert report.refused == 0 and report.deferred == 1
    assert sync_uc.status(c.store).need_update == 1
    assert set(_register(c)) == {copy} and _register(c)[copy].is_open
    monkeypatch.setitem(ADAPTERS, "data_request", adapter)  # C is updated
    (updated,) = laptops.sync(c)
    assert updated.refused == 0 and sync_uc.status(c.store).need_update == 0
    laptops.sync(a)
    for laptop in (a, c):
        entry = _register(laptop)[ref]
        assert (entry.answered, entry.answered_by, entry.reason) == (
            TODAY,
            Role.ADVISOR.value,
            "nothing to correct",
        ), laptop.store.device_id
        assert _register(laptop)[copy].reason == ""
    # On the server: the reason in the revision that answered, no field in the others.
    held = [s for s in data_requests_on_server(server, a) if s.fields]
    with_reason = [s.fields["answer_reason"].value for s in held if "answer_reason" in s.fields]
    assert with_reason == ["nothing to correct"]
    assert sum("answer_reason" not in s.fields for s in held) == len(held) - 1


def answer_cell_de(qtbot: QtBot, laptop: Session, ref: str, shot: Path | None = None) -> str:
    """The answer column of the entry ``ref`` in the laptop's register window, as its
    coordinator reads it in German (the window shown, saved to ``shot`` if given, then
    closed)."""
    from desktop_app.i18n.text import set_language
    from desktop_app.ui.data_rights import RequestsWindow
    from tests.ui.conftest import shown_window

    set_language("de")
    try:
        window = shown_window(qtbot, laptop, width=1366)
        register = RequestsWindow(window, laptop)
        qtbot.addWidget(register)
        register.show()
        qtbot.waitExposed(register)
        row = next(i for i, r in enumerate(register.requests) if r.reference == ref)
        cell = register.model.item(row, 4).text()
        if shot is not None:
            register.grab().save(str(shot))
        register.reject()
        window.close()
        return cell
    finally:
        set_language("en")


def _rows_naming(session: Session, *words: str) -> list[str]:
    """The tables of the laptop's store (SQLCipher, read decrypted) any of whose rows holds
    one of ``words``."""
    import json

    with session.store.engine.connect() as conn:
        tables = list(
            conn.exec_driver_sql("SELECT name FROM sqlite_master WHERE type = 'table'").scalars()
        )
        found = []
        for name in tables:
            rows = conn.exec_driver_sql(f'SELECT * FROM "{name}"').all()
            text = json.dumps([list(r) for r in rows], ensure_ascii=False, default=str)
            if any(w in text for w in words):
                found.append(name)
        return found


def test_an_erasure_removes_the_reason_naming_the_person_on_every_laptop(
    laptops: Laptops, server: ServerProcess, monkeypatch: pytest.MonkeyPatch, qtbot: QtBot
) -> None:
    """A answers a correction request by hand with a reason naming the person; B gets it. A
    erases the person: once both synced, the name is in no table of B's store, and B's register
    says the reason was removed with the person's data. C runs the version before the reason:
    it kept that entry for its update and goes on reading the rest (the erasure too); updated,
    it reads the entry with its reason removed. On the server the newest revision carries the
    removal."""
    from desktop_app.i18n.text import gettext_in
    from desktop_app.storage.models import REASON_REMOVED
    from desktop_app.sync.kinds import REASON
    from desktop_app.sync.records import ADAPTERS
    from desktop_app.usecases import sync as sync_uc
    from tests.unit.conftest import version_before

    a, b, c = laptops.new("A"), laptops.new("B"), laptops.new("C")
    pid = add_person(a, "Maria", "Popescu")
    laptops.sync(a, b, c)
    ref = data_rights.record_open_request(a.store, a.user, pid, CORRECTION, LATELY, today=TODAY)
    copy = data_rights.record_open_request(a.store, a.user, pid, COPY, LATELY, today=TODAY)
    reason = "phone checked against Maria Popescu's ID"
    data_rights.answer_by_hand(a.store, a.user, ref, TODAY, reason=reason, today=TODAY)
    laptops.sync(a, b)
    assert _register(b)[ref].reason == reason and "data_requests" in _rows_naming(b, "Popescu")
    adapter = ADAPTERS["data_request"]
    # C: the version before
    monkeypatch.setitem(ADAPTERS, "data_request", version_before("data_request", REASON))
    (before,) = laptops.sync(c)
    assert (before.refused, before.deferred) == (0, 1)
    monkeypatch.setitem(ADAPTERS, "data_request", adapter)

    data_rights.erase_person(a.store, a.user, pid, today=TODAY)
    laptops.sync(a, b, a, b)
    entry = _register(b)[ref]
    assert (entry.answered, entry.reason, entry.reason_removed) == (TODAY, "", True)
    assert _register(b)[copy].person_erased and not _register(b)[copy].reason_removed
    assert _linked(b) == [] and _rows_naming(b, "Popescu", "Maria") == []
    assert _rows_naming(a, "Popescu", "Maria") == []
    assert _queued(a) == _queued(b) == []
    # B's register, as its coordinator reads it (German).
    cell = answer_cell_de(qtbot, b, ref)
    assert cell.splitlines()[-1] == gettext_in("de", "Reason removed with the person's data")
    assert "Popescu" not in cell

    # C, still the version before: the erasure and the copy request read, the entry with the
    # reason (and its removal) kept for its update; no refusal, its sync goes on.
    monkeypatch.setitem(ADAPTERS, "data_request", version_before("data_request", REASON))
    (still,) = laptops.sync(c)
    assert still.refused == 0 and still.deferred == 1
    # Both revisions of that one entry kept; the status counts it as the one record it is.
    assert _kept_revisions(c) == 2
    assert sync_uc.status(c.store).need_update == 1
    assert set(_register(c)) == {copy} and _register(c)[copy].person_erased
    assert _linked(c) == []
    monkeypatch.setitem(ADAPTERS, "data_request", adapter)  # C is updated
    (updated,) = laptops.sync(c)
    assert updated.refused == 0 and sync_uc.status(c.store).need_update == 0
    assert (_register(c)[ref].reason, _register(c)[ref].reason_removed) == ("", True)
    assert _rows_naming(c, "Popescu", "Maria") == []
    # The server: the newest revision of the entry carries the removal, no link.
    newest = {s.id: s for s in data_requests_on_server(server, a)}
    [removed] = [s for s in newest.values() if s.fields["reference"].value == ref]
    assert removed.fields["answer_reason"].value == REASON_REMOVED
    assert removed.fields["person_id"].value == ""
