"""Two entries of one name and date of birth recorded as different people (kind
``distinct_people``) across laptops: the decision reaches every laptop, two laptops deciding
the same pair offline write one record, erasing either person erases it everywhere, and a
laptop whose version does not know the kind keeps it and goes on taking people's changes.
Real encrypted stores and a real server process on 127.0.0.1 (SQLite and PostgreSQL)."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from desktop_app.storage.models import DistinctPeopleRow
from desktop_app.storage.sync_models import ConflictRow
from desktop_app.sync.records import ADAPTERS, reader_version
from desktop_app.usecases import data_rights, duplicates, people
from desktop_app.usecases import sync as sync_uc
from desktop_app.usecases.accounts import Session
from tests.integration.sync_harness import (
    Laptops,
    ServerProcess,
    add_person,
    assert_converged,
    edit_person,
)


def _named(laptop: Session, person_id: str) -> list[str]:
    """The entries the person's page names (``DuplicateNotice``) on a laptop."""
    person = people.get_person(laptop.store, laptop.user, person_id, log_view=False)
    assert person is not None
    return [entry.id for entry in people.possible_duplicates(laptop.store, person)]


def _pairs(laptop: Session) -> list[tuple[str, bool, str, str]]:
    """Every row of the decisions' table: id, deleted, the two people."""
    with laptop.store.reading() as db:
        rows = db.execute(
            select(
                DistinctPeopleRow.id,
                DistinctPeopleRow.deleted,
                DistinctPeopleRow.person_a,
                DistinctPeopleRow.person_b,
            )
        ).all()
    return sorted((str(r[0]), bool(r[1]), str(r[2]), str(r[3])) for r in rows)


def _envelopes(server: ServerProcess, record_id: str) -> list[tuple[int, bool]]:
    """The revisions the server stores of a record, and whether each erases it."""
    with server.engine.connect() as conn:
        rows = conn.exec_driver_sql(
            "SELECT revision, erases FROM envelopes WHERE record_id = %s ORDER BY revision"
            if server.engine.dialect.name == "postgresql"
            else "SELECT revision, erases FROM envelopes WHERE record_id = ? ORDER BY revision",
            (record_id,),
        ).all()
    return [(int(r[0]), bool(r[1])) for r in rows]


def _conflicts(laptop: Session) -> int:
    with laptop.store.reading() as db:
        return len(db.scalars(select(ConflictRow.id)).all())


def _settled(laptops: Laptops, *sessions: Session) -> None:
    """Every laptop synced once more (what a pull brought, audit entries say, goes out) and
    all holding the same people, the server each one's latest revision, nothing to send."""
    laptops.sync(*sessions)
    assert_converged(laptops.server, *sessions)


def _two_dimitars(laptops: Laptops) -> tuple[Session, Session, str, str]:
    """Laptops A and B, each having registered Dimitar Georgiev offline, synced."""
    a, b = laptops.new("Outreach Hbf"), laptops.new("Outreach Markt")
    latin = add_person(a, "Dimitar", "Georgiev", "12.04.1990")
    cyrillic = add_person(b, "Димитър", "Георгиев", "12.04.1990")
    laptops.sync(a, b, a)
    assert _named(a, latin) == [cyrillic] and _named(b, cyrillic) == [latin]
    return a, b, latin, cyrillic


def test_a_decision_on_one_laptop_ends_the_notice_on_the_others(laptops: Laptops) -> None:
    """Cousins of one name, born the same day: A's advisor records them as two people; after
    B's sync neither's page names the other there either; a laptop joining later reads the
    same. What the server holds of the decision is ciphertext: no id of either person."""
    a, b, latin, cyrillic = _two_dimitars(laptops)
    assert duplicates.mark_different_people(a.store, a.user, latin, cyrillic)
    assert _named(a, latin) == [] and _named(a, cyrillic) == []
    assert _named(b, cyrillic) == [latin]  # not before B's sync
    laptops.sync(a, b)
    assert _named(b, cyrillic) == [] and _named(b, latin) == []
    record = duplicates.pair_id(latin, cyrillic)
    assert _pairs(b) == [(record, False, *sorted((latin, cyrillic)))]
    c = laptops.new("Contact point")
    laptops.sync(c)
    assert _named(c, latin) == [] and _named(c, cyrillic) == []
    # Encrypted like every record: the server's row of it names neither person.
    with laptops.server.engine.connect() as conn:
        (ciphertext,) = conn.exec_driver_sql(
            "SELECT ciphertext FROM envelopes WHERE kind = 'distinct_people'"
        ).one()
    assert latin.encode() not in bytes(ciphertext) and cyrillic.encode() not in bytes(ciphertext)
    # A second decision for the pair, on either side, is no new record.
    assert not duplicates.mark_different_people(b.store, b.user, cyrillic, latin)
    _settled(laptops, a, b, c)


def test_both_laptops_deciding_the_same_pair_offline_write_one_record(laptops: Laptops) -> None:
    """A and B each record the pair as two people before either syncs (from either entry's
    page): one record everywhere, no conflict for anyone to decide."""
    a, b, latin, cyrillic = _two_dimitars(laptops)
    assert duplicates.mark_different_people(a.store, a.user, latin, cyrillic)
    assert duplicates.mark_different_people(b.store, b.user, cyrillic, latin)
    reports = laptops.sync(a, b, a, b)
    assert sum(r.conflicts for r in reports) == 0 and sum(r.refused for r in reports) == 0
    record = duplicates.pair_id(latin, cyrillic)
    expected = [(record, False, *sorted((latin, cyrillic)))]
    assert _pairs(a) == _pairs(b) == expected
    assert _conflicts(a) == _conflicts(b) == 0
    assert [e for e in _envelopes(laptops.server, record) if e[1]] == []  # none erases
    assert _named(a, latin) == _named(b, cyrillic) == []
    _settled(laptops, a, b)


@pytest.mark.parametrize("erased", ["person_a", "person_b"])
def test_erasing_either_person_erases_the_decision_everywhere(
    laptops: Laptops, erased: str
) -> None:
    """The coordinator erases one of the two on A (either of the decision's two columns):
    the decision goes on A at once, on B at its sync, and the server keeps only its tombstone;
    a laptop joining later gets nothing of it."""
    a, b, latin, cyrillic = _two_dimitars(laptops)
    assert duplicates.mark_different_people(b.store, b.user, latin, cyrillic)
    laptops.sync(b, a)
    record = duplicates.pair_id(latin, cyrillic)
    assert [p[0] for p in _pairs(a)] == [record]
    first, second = sorted((latin, cyrillic))
    gone = first if erased == "person_a" else second
    counts = data_rights.erase_person(a.store, a.user, gone)
    assert counts["distinct_people"] == 1
    assert _pairs(a) == []
    laptops.sync(a, b)
    assert _pairs(b) == []
    assert _envelopes(laptops.server, record) == [(2, True)]
    c = laptops.new("Contact point")
    laptops.sync(c)
    assert _pairs(c) == []
    kept = cyrillic if gone == latin else latin
    assert _named(b, kept) == _named(c, kept) == []  # the erased one is named nowhere
    _settled(laptops, a, b, c)


@pytest.mark.parametrize("erased", ["person_a", "person_b"])
def test_a_decision_made_offline_about_a_person_erased_meanwhile_goes_everywhere(
    laptops: Laptops, erased: str
) -> None:
    """B, offline, records the pair as two people while A's coordinator erases one of them:
    B's decision reaches the server before B hears of the erasure. A drops it as it arrives,
    B erases it when the erasure arrives, and the server keeps only a tombstone of it."""
    a, b, latin, cyrillic = _two_dimitars(laptops)
    first, second = sorted((latin, cyrillic))
    gone = first if erased == "person_a" else second
    data_rights.erase_person(a.store, a.user, gone)
    assert duplicates.mark_different_people(b.store, b.user, latin, cyrillic)
    laptops.sync(b)  # pushes the decision, then pulls nothing new (A has not synced)
    record = duplicates.pair_id(latin, cyrillic)
    assert [p[0] for p in _pairs(b)] == [record]
    laptops.sync(a)  # A's erasure goes out; B's decision arrives, about someone erased here
    assert _pairs(a) == []
    laptops.sync(b, a, b)
    assert _pairs(a) == _pairs(b) == []
    assert _envelopes(laptops.server, record)[-1][1]  # its last revision erases it
    assert len(_envelopes(laptops.server, record)) == 1
    c = laptops.new("Contact point")
    laptops.sync(c)
    assert _pairs(c) == []
    _settled(laptops, a, b, c)


def test_a_laptop_not_yet_updated_keeps_the_decision_and_takes_people_changes(
    laptops: Laptops, monkeypatch: pytest.MonkeyPatch
) -> None:
    """B runs a version before the kind: A's decision is kept there ("written by a newer
    version"), not refused, while A's change of the man's phone is applied at once. Updated,
    B applies the decision at its next sync, and the notice there names nobody."""
    a, b, latin, cyrillic = _two_dimitars(laptops)
    assert duplicates.mark_different_people(a.store, a.user, latin, cyrillic)
    edit_person(a, latin, phone="0160 7654321")
    laptops.sync(a)
    adapter = ADAPTERS["distinct_people"]
    with monkeypatch.context() as older:
        older.delitem(ADAPTERS, "distinct_people")
        (report,) = laptops.sync(b)
        assert report.refused == 0 and report.deferred == 1
        assert sync_uc.status(b.store).need_update == 1
        before = reader_version()
    assert ADAPTERS["distinct_people"] is adapter and reader_version() != before
    moved = people.get_person(b.store, b.user, latin, log_view=False)
    assert moved is not None and moved.phone == "0160 7654321"  # not held back
    assert _pairs(b) == []
    assert _named(b, cyrillic) == [latin]
    (updated,) = laptops.sync(b)
    assert updated.applied == 1 and updated.refused == 0
    assert sync_uc.status(b.store).need_update == 0
    assert _named(b, cyrillic) == [] and _named(b, latin) == []
    _settled(laptops, a, b)
