"""Recording two entries of one name and date of birth as different people, in a real
SQLCipher store: who may, what it writes (one record, audited for both), what it refuses, and
a store of the version before it, migrated on login."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import select

from desktop_app.domain.permissions import PermissionDenied
from desktop_app.domain.person import PersonDraft
from desktop_app.domain.users import Role
from desktop_app.storage.models import DistinctPeopleRow, OutboxRow
from desktop_app.usecases import accounts, audit, data_rights, duplicates, people
from desktop_app.usecases.accounts import Session, create_first_account, log_in
from tests.conftest import PASSWORD, downgrade_store


def _twins(session: Session) -> tuple[str, str]:
    """Father and son, both Ion Popescu, of one recorded birth date (the year only)."""
    draft = PersonDraft("Ion", "Popescu", "1990")
    return (
        people.register_person(session.store, session.user, draft, confirm_duplicates=True).id,
        people.register_person(session.store, session.user, draft, confirm_duplicates=True).id,
    )


def _named(session: Session, person_id: str) -> list[str]:
    person = people.get_person(session.store, session.user, person_id, log_view=False)
    assert person is not None
    return [e.id for e in people.possible_duplicates(session.store, person)]


def test_recorded_once_as_one_record_and_audited_for_both(session: Session) -> None:
    father, son = _twins(session)
    third = people.register_person(
        session.store, session.user, PersonDraft("Ion", "Popescu", "1990"), confirm_duplicates=True
    ).id
    assert sorted(_named(session, father)) == sorted([son, third])
    assert duplicates.mark_different_people(session.store, session.user, father, son)
    # Only that pair is told apart: the third is still named on both pages.
    assert _named(session, father) == [third] and _named(session, son) == [third]
    assert sorted(_named(session, third)) == sorted([father, son])
    # From the other page, the same decision: nothing new.
    assert not duplicates.mark_different_people(session.store, session.user, son, father)
    with session.store.reading() as db:
        rows = db.scalars(select(DistinctPeopleRow)).all()
        queued = db.scalars(
            select(OutboxRow.record_id).where(OutboxRow.record_kind == "distinct_people")
        ).all()
    assert [(r.id, r.person_a, r.person_b, r.revision) for r in rows] == [
        (duplicates.pair_id(son, father), *sorted((father, son)), 1)
    ]
    assert queued == [rows[0].id]
    entries = audit.list_entries(session.store, session.user, action="distinct")
    assert sorted((e.record_id, e.details["other_entry"]) for e in entries) == sorted(
        [(father, son), (son, father)]
    )
    assert all(e.record_kind == "person" and e.user_id == session.user.id for e in entries)


def test_the_pair_id_is_the_same_from_either_side_and_for_no_other_pair() -> None:
    a, b, c = "0b3c", "7f21", "a9e0"
    assert duplicates.pair_id(a, b) == duplicates.pair_id(b, a)
    assert len({duplicates.pair_id(a, b), duplicates.pair_id(a, c), duplicates.pair_id(b, c)}) == 3


def test_a_helper_may_not_decide_and_nothing_is_written(session: Session) -> None:
    father, son = _twins(session)
    accounts.add_user(session, "mihai", "Mihai Student", Role.HELPER, "student pass 7")
    helper = log_in(session.store.paths.data_dir, "mihai", "student pass 7")
    try:
        with pytest.raises(PermissionDenied):
            duplicates.mark_different_people(helper.store, helper.user, father, son)
    finally:
        helper.close()
    assert _named(session, father) == [son]
    accounts.add_user(session, "elena", "Elena Advisor", Role.ADVISOR, "advisor pass 7")
    advisor = log_in(session.store.paths.data_dir, "elena", "advisor pass 7")
    try:
        assert duplicates.mark_different_people(advisor.store, advisor.user, father, son)
    finally:
        advisor.close()
    assert _named(session, father) == []


def test_refused_for_one_entry_twice_an_unknown_or_an_erased_one(session: Session) -> None:
    father, son = _twins(session)
    with pytest.raises(ValueError):
        duplicates.mark_different_people(session.store, session.user, father, father)
    with pytest.raises(data_rights.PersonNotFound):
        duplicates.mark_different_people(session.store, session.user, father, "no-such-entry")
    data_rights.erase_person(session.store, session.user, son)
    with pytest.raises(data_rights.PersonNotFound):
        duplicates.mark_different_people(session.store, session.user, father, son)
    with session.store.reading() as db:
        assert db.scalars(select(DistinctPeopleRow)).all() == []


def test_erasing_either_erases_the_decision_and_queues_its_tombstone(session: Session) -> None:
    father, son = _twins(session)
    duplicates.mark_different_people(session.store, session.user, father, son)
    record = duplicates.pair_id(father, son)
    counts = data_rights.erase_person(session.store, session.user, son)
    assert counts["distinct_people"] == 1
    with session.store.reading() as db:
        assert db.scalars(select(DistinctPeopleRow)).all() == []
        revisions = db.scalars(select(OutboxRow.revision).where(OutboxRow.record_id == record))
        assert sorted(revisions) == [1, 2]  # the decision, then its tombstone
    # Nothing of it in the person's copy of their data (it would tell of the other entry).
    raw, _pdf = data_rights.export_person(session.store, session.user, father)
    assert "distinct_people" not in raw.decode() and son not in raw.decode()


def test_a_store_of_the_version_before_is_migrated_and_decides(tmp_path: Path) -> None:
    data_dir = tmp_path / "laptop"
    session = create_first_account(data_dir, "anna", "Anna", PASSWORD)
    father, son = _twins(session)
    downgrade_store(session.store, "id_document_name")
    with session.store.engine.connect() as conn:
        tables = conn.exec_driver_sql("SELECT name FROM sqlite_master WHERE type = 'table'")
        assert "distinct_people" not in set(tables.scalars())
    session.close()
    session = log_in(data_dir, "anna", PASSWORD)  # migrates to head
    try:
        assert _named(session, father) == [son]  # the people are kept, still named
        assert duplicates.mark_different_people(session.store, session.user, father, son)
        assert _named(session, father) == [] and _named(session, son) == []
    finally:
        session.close()
