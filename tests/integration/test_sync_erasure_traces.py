"""Property 11, looked for everywhere: after an erasure has travelled, no table of any laptop
that synced (one that joins later included) holds a value of the erased person."""

from __future__ import annotations

import pytest
from sync_harness import Laptops
from test_sync_client import _add, _edit

from desktop_app.sync import engine
from desktop_app.usecases import data_rights, referrals, visits
from desktop_app.usecases.accounts import Session
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


@pytest.mark.parametrize("page", [1, 3, 500])
def test_no_table_of_any_laptop_keeps_a_trace_of_an_erased_person(
    laptops: Laptops, monkeypatch: pytest.MonkeyPatch, page: int
) -> None:
    monkeypatch.setattr(engine, "PULL_PAGE", page)
    a, b = laptops.new("A"), laptops.new("B")
    pid = _add(a, "Радка", "Стоянова", "1990", "+359 88 765 4321")
    referrals.issue_referral(a.store, a.user, pid, "jobcenter", "buergergeld", client_lang="bg")
    visits.record_consent(a.store, a.user, pid, consent_answers())
    visits.finish_visit(a.store, a.user, pid, "life_situation", full_life_situation())
    laptops.sync(a, b)
    _edit(a, pid, phone="+359 88 765 1111")
    _edit(b, pid, phone="+359 88 765 9999")
    laptops.sync(a, b, a)
    assert _traces(b, ("765 1111",)) and _traces(a, ("765 9999",))  # the conflict holds both
    data_rights.erase_person(a.store, a.user, pid)
    laptops.sync(a, b)
    c = laptops.new("C")  # joins after the erasure: its first sync pulls everything
    laptops.sync(c)
    for laptop in (a, b, c):
        assert _traces(laptop, NAMES) == []
        # Its id only where the tombstone and the audit log need it (never a value of theirs).
        assert {t for t, _n in _traces(laptop, (pid,))} <= ID_KEPT_IN, laptop.store.device_id


def test_changes_made_offline_for_a_person_erased_meanwhile_resurrect_nothing(
    laptops: Laptops,
) -> None:
    """B changes the person and records a visit and a referral for them offline; its pull
    happens before A's erasure reaches the server and its push after. Nothing comes back."""
    from desktop_app.sync.engine import SyncEngine, SyncReport

    a, b = laptops.new("A"), laptops.new("B")
    pid = _add(a, "Радка", "Стоянова", "1990", "+359 88 765 4321")
    laptops.sync(a, b)
    _edit(b, pid, given_name="Радка-Мария", phone="+359 88 765 9999")
    visits.finish_visit(b.store, b.user, pid, "life_situation", full_life_situation())
    referrals.issue_referral(b.store, b.user, pid, "jobcenter", "buergergeld", client_lang="bg")
    from desktop_app.usecases import sync as sync_uc

    with sync_uc.client_for(b.store) as client:
        round_b = SyncEngine(b.store, client)
        round_b._pull(SyncReport())
        data_rights.erase_person(a.store, a.user, pid)
        laptops.sync(a)
        round_b._push(SyncReport())
    laptops.sync(b, a, b, a)
    c = laptops.new("C")
    laptops.sync(c)
    for laptop in (a, b, c):
        assert _traces(laptop, (*NAMES, "Радка-Мария")) == [], laptop.store.device_id
        assert visits.visit_history(laptop.store, laptop.user, pid) == []
        assert referrals.referrals_of(laptop.store, laptop.user, pid) == []
