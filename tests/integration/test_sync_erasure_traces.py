"""Property 11, looked for everywhere: after an erasure has travelled, no table of any laptop
that synced (one that joins later included) holds a value of the erased person."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import select, update
from sqlalchemy.orm import Session as DbSession

from desktop_app.domain.users import Role
from desktop_app.sync import engine
from desktop_app.sync.merge import RecordState
from desktop_app.usecases import access, accounts, data_rights, people, referrals, visits
from desktop_app.usecases.accounts import Session
from sync_server import models
from tests.integration.sync_harness import (
    AS_THE_CHECK_SAYS,
    Laptops,
    ServerProcess,
    add_person,
    edit_person,
    push_state,
    record_state,
)
from tests.integration.test_sync_data_requests import data_requests_on_server as requests_on_server
from tests.unit.test_visits import consent_answers, full_life_situation

# Tables where an erased person's id stays: the tombstone, the audit log (ids, never values),
# and the sync's bookkeeping of which revision the server holds and what to push.
ID_KEPT_IN = {"people", "audit_log", "synced_revisions", "outbox"}
NAMES = ("Стоянова", "Радка", "Петрова", "Мария", "765 4321", "765 9999", "765 1111")


def _traces(session: Session, needles: tuple[str, ...]) -> list[tuple[str, str]]:
    """(table, needle) for every table holding one of ``needles`` in any text column."""
    found = []
    with session.store.reading() as db:
        connection = db.connection()
        tables = (
            connection.exec_driver_sql(
                "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'"
            )
            .scalars()
            .all()
        )
        for table in tables:
            for row in connection.exec_driver_sql(f'SELECT * FROM "{table}"'):
                text = " ".join(str(v) for v in row if isinstance(v, str))
                found += [(table, n) for n in needles if n in text]
    return sorted(set(found))


def _records_about(session: Session, person_id: str) -> set[str]:
    """The ids of the person's record and of the synced records about them on a laptop."""
    with session.store.reading() as db:
        connection = db.connection()
        found = {person_id}
        for sql in (
            "SELECT id FROM visits WHERE person_id = ?",
            "SELECT id FROM consents WHERE person_id = ?",
            "SELECT id FROM referrals WHERE person_id = ?",
            "SELECT id FROM conflicts WHERE person_id = ? OR record_id = ?",
            "SELECT id FROM case_openings WHERE person_id = ?",
        ):
            found |= set(connection.exec_driver_sql(sql, (person_id,) * sql.count("?")).scalars())
    return found


def _held_by_server(
    server: ServerProcess, record_ids: set[str]
) -> list[tuple[str, str, bool, int]]:
    """(record id, kind, erases, ciphertext bytes) of every envelope the server's database
    holds of ``record_ids``, read as its operator reads it."""
    stored = models.StoredEnvelope
    with DbSession(server.engine) as s:
        rows = s.execute(
            select(stored.record_id, stored.kind, stored.erases, stored.ciphertext).where(
                stored.record_id.in_(record_ids)
            )
        ).all()
    return sorted((r.record_id, r.kind, r.erases, len(r.ciphertext)) for r in rows)


def _only_tombstones(held: list[tuple[str, str, bool, int]], record_ids: set[str]) -> None:
    """One envelope per record, each a tombstone: small, and flagged as erasing."""
    assert [r[0] for r in held] == sorted(record_ids), held
    assert all(erases for _id, _kind, erases, _size in held), held
    # A tombstone's payload holds the kind, the id and a clock; a record's content is more.
    assert all(size < 300 for _id, _kind, _erases, size in held), held


@pytest.mark.parametrize("page", [1, 3, 500])
def test_no_table_of_any_laptop_keeps_a_trace_of_an_erased_person(
    laptops: Laptops, monkeypatch: pytest.MonkeyPatch, page: int
) -> None:
    monkeypatch.setattr(engine, "PULL_PAGE", page)
    a, b = laptops.new("A"), laptops.new("B")
    pid = add_person(a, "Радка", "Стоянова", "1990", "+359 88 765 4321")
    referrals.issue_referral(a.store, a.user, pid, "jobcenter", "buergergeld", client_lang="bg")
    visits.record_consent(a.store, a.user, pid, consent_answers())
    visits.finish_visit(a.store, a.user, pid, "life_situation", full_life_situation())
    # Sections opened to a helper, one of them closed again: both name the person.
    accounts.add_user(a, "mihai", "Mihai Student", Role.HELPER, "student pass 7")
    helper = accounts.log_in(a.store.paths.data_dir, "mihai", "student pass 7")
    helper.close()
    for kind in ("health", "exploitation"):
        access.open_case_to_helper(a.store, a.user, pid, helper.user.id, kind)
    laptops.sync(a, b)
    access.close_case_to_helper(a.store, a.user, pid, helper.user.id, "exploitation")
    laptops.sync(a, b)
    edit_person(a, pid, phone="+359 88 765 1111")
    edit_person(b, pid, phone="+359 88 765 9999")
    # A request of theirs recorded open on B: the register (synced) keeps it, unlinked.
    data_rights.record_open_request(b.store, b.user, pid, data_rights.COPY, dt.date.today())
    laptops.sync(a, b, a)
    assert _traces(b, ("765 1111",)) and _traces(a, ("765 9999",))  # the conflict holds both
    about = _records_about(a, pid) | _records_about(b, pid)
    assert {"visit", "consent", "referral", "conflict", "case_opening"} <= {
        kind for _id, kind, _e, _size in _held_by_server(laptops.server, about)
    }
    data_rights.erase_person(a.store, a.user, pid)
    laptops.sync(a, b, a)
    # The server keeps nothing of the person either: one tombstone per record.
    _only_tombstones(_held_by_server(laptops.server, about), about)
    c = laptops.new("C")  # joins after the erasure: its first sync pulls everything
    pulled = laptops.sync(c)[0]
    for laptop in (a, b, c):
        assert _traces(laptop, NAMES) == []
        # Its id only where the tombstone and the audit log need it (never a value of theirs).
        assert {t for t, _n in _traces(laptop, (pid,))} <= ID_KEPT_IN, laptop.store.device_id
    assert pulled.refused == 0
    _only_tombstones(_held_by_server(laptops.server, about), about)
    # The request's newest revision on the server links no one (its revisions before the
    # erasure, which did, stay: see ``test_sync_data_requests``).
    (request,) = {s.id: s for s in requests_on_server(laptops.server, a)}.values()
    assert request.fields["person_id"].value == ""
    for laptop in (a, b, c):
        (entry,) = data_rights.list_requests(laptop.store, laptop.user)
        assert entry.is_open and entry.person_erased


def test_changes_made_offline_for_a_person_erased_meanwhile_resurrect_nothing(
    laptops: Laptops,
) -> None:
    """B changes the person and records a visit and a referral for them offline; its pull
    happens before A's erasure reaches the server and its push after. Nothing comes back."""
    from desktop_app.sync.engine import SyncEngine, SyncReport

    a, b = laptops.new("A"), laptops.new("B")
    pid = add_person(a, "Радка", "Стоянова", "1990", "+359 88 765 4321")
    laptops.sync(a, b)
    edit_person(b, pid, given_name="Радка-Мария")
    edit_person(b, pid, phone="+359 88 765 9999")  # revision 3: above A's tombstone
    visits.finish_visit(b.store, b.user, pid, "life_situation", full_life_situation())
    referrals.issue_referral(b.store, b.user, pid, "jobcenter", "buergergeld", client_lang="bg")
    from desktop_app.usecases import sync as sync_uc

    offline = _records_about(b, pid) - {pid}
    with sync_uc.client_for(b.store) as client:
        round_b = SyncEngine(b.store, client)
        round_b._pull(SyncReport())
        data_rights.erase_person(a.store, a.user, pid)
        laptops.sync(a)
        round_b._push(SyncReport())
    # B's change to the person came after the erasure on the server: not stored.
    assert [e for _id, _k, e, _s in _held_by_server(laptops.server, {pid})] == [True]
    laptops.sync(b, a, b, a)
    # Nothing left to push anywhere (the audit entries of the reads below aside).
    assert [sync_uc.status(s.store).pending_changes for s in (a, b)] == [0, 0]
    c = laptops.new("C")
    laptops.sync(c)
    for laptop in (a, b, c):
        assert _traces(laptop, (*NAMES, "Радка-Мария")) == [], laptop.store.device_id
        assert visits.visit_history(laptop.store, laptop.user, pid) == []
        assert referrals.referrals_of(laptop.store, laptop.user, pid) == []
    # B pushed the visit and the referral after the erasure; their tombstones followed, and the
    # server holds nothing else of the person (B's offline change to them was not stored).
    about = {pid, *offline}
    assert len(offline) == 2
    _only_tombstones(_held_by_server(laptops.server, about), about)


def test_a_visit_pushed_after_the_erasure_by_a_laptop_never_seen_again_is_dropped_by_others(
    laptops: Laptops,
) -> None:
    """B records a visit offline for a person A erased meanwhile, pushes it and is never seen
    again (lost, or wiped). The laptops that pull it drop it and send its tombstone: the
    server does not keep it waiting for B."""
    from desktop_app.sync.engine import SyncEngine, SyncReport
    from desktop_app.usecases import sync as sync_uc

    a, b = laptops.new("A"), laptops.new("B")
    pid = add_person(a, "Радка", "Стоянова", "1990", "+359 88 765 4321")
    laptops.sync(a, b)
    data_rights.erase_person(a.store, a.user, pid)
    laptops.sync(a)
    visits.finish_visit(b.store, b.user, pid, "life_situation", full_life_situation())
    (visit_id,) = _records_about(b, pid) - {pid}
    with sync_uc.client_for(b.store) as client:
        SyncEngine(b.store, client)._push(SyncReport())  # before B pulls the erasure
    assert [kind for _id, kind, _e, _s in _held_by_server(laptops.server, {visit_id})] == ["visit"]
    laptops.sync(a)
    _only_tombstones(_held_by_server(laptops.server, {pid, visit_id}), {pid, visit_id})
    c = laptops.new("C")
    laptops.sync(c)
    assert _traces(c, NAMES) == [] and _traces(a, NAMES) == []


def test_an_erasing_flag_set_on_a_live_record_is_refused_by_the_laptop(
    laptops: Laptops, server: ServerProcess
) -> None:
    """The flag travels outside the encryption (the server acts on it). The operator sets it
    on a person's live envelope: a laptop does not take that envelope as the person."""
    a, b = laptops.new("A"), laptops.new("B")
    pid = add_person(a, "Maria", "Ivanova", "1990", "0176 1111111")
    laptops.sync(a)
    stored = models.StoredEnvelope
    with DbSession(server.engine) as s, s.begin():
        s.execute(update(stored).where(stored.record_id == pid).values(erases=True))
    report = laptops.sync(b)[0]
    assert report.refused_ids == [pid]
    assert people.get_person(b.store, b.user, pid) is None


def test_a_persons_tombstone_without_the_flag_is_refused_by_laptops(
    laptops: Laptops, server: ServerProcess
) -> None:
    """The server refuses a person's erasure from a laptop whose role may not erase by the
    flag alone (``SyncService.push``). An altered program sending its tombstone without the
    flag gets it stored (the server sees no erasure): laptops refuse it, the person stays.
    (Laptops of versions before the flag, two days older than this, sent it so; none was
    released.)"""
    a, b = laptops.new("A"), laptops.new("B")
    pid = add_person(a, "Радка", "Стоянова", "1990", "+359 88 765 4321", **AS_THE_CHECK_SAYS)
    visits.finish_visit(a.store, a.user, pid, "life_situation", full_life_situation())
    laptops.sync(a, b)
    clock = record_state("person", pid, {"x": 1}, a.store.device_id).fields["x"].clock
    push_state(a, RecordState("person", pid, {}, True, clock), revision=2)
    assert [e for _id, _k, e, _s in _held_by_server(server, {pid})] == [False, False]
    report = laptops.sync(b)[0]
    assert report.refused_ids == [pid]
    person = people.get_person(b.store, b.user, pid)
    assert person is not None and person.family_name == "Стоянова"
    assert ("people", "Стоянова") in _traces(b, NAMES)
