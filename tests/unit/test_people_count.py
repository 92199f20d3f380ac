"""The people list's number comes from ``people_count``, kept by triggers on ``people``: it
must equal a count of the rows after every kind of write, and a store migrated from before the
counter starts with the right number."""

from __future__ import annotations

from typing import Any

from sqlalchemy import text

from desktop_app.domain.person import PersonDraft
from desktop_app.storage import db as storage_db
from desktop_app.usecases import data_rights
from desktop_app.usecases import people as people_uc
from tests.conftest import downgrade_store


def _counted(store: Any) -> tuple[int, int]:
    """(the list's number, a count of the rows not deleted)."""
    with store.reading() as s:
        rows = s.execute(text("SELECT count(*) FROM people WHERE deleted = 0")).scalar_one()
    return people_uc.count_people(store), int(rows)


def _drafts(n: int, prefix: str) -> list[PersonDraft]:
    return [PersonDraft(f"{prefix}{i}", "Zählperson", "1985") for i in range(n)]


def test_the_count_follows_registering_erasing_and_raw_writes(session: Any) -> None:
    store, user = session.store, session.user
    assert _counted(store) == (0, 0)
    people_uc.register_many(store, user, _drafts(25, "A"))
    person = people_uc.register_person(store, user, PersonDraft("Мария", "Петрова", "1990"))
    assert _counted(store) == (26, 26)

    data_rights.erase_person(store, user, person.id)
    assert _counted(store) == (25, 25)

    # What a sync merge or a tombstone does to the rows, written directly: a soft delete, an
    # undelete, an edit that leaves the flag alone, a physical delete of a live and of a
    # deleted row, and an insert of an already deleted row.
    with store.transaction() as s:
        pks = [r[0] for r in s.execute(text("SELECT pk FROM people WHERE deleted = 0 LIMIT 4"))]
        s.execute(
            text("UPDATE people SET deleted = 1 WHERE pk IN (:a, :b)"), {"a": pks[0], "b": pks[1]}
        )
        s.execute(text("UPDATE people SET deleted = 0 WHERE pk = :a"), {"a": pks[0]})
        s.execute(
            text("UPDATE people SET notes = 'x', deleted = deleted WHERE pk = :a"), {"a": pks[2]}
        )
        s.execute(text("DELETE FROM people WHERE pk IN (:a, :b)"), {"a": pks[1], "b": pks[3]})
        s.execute(
            text(
                "INSERT INTO people (id, given_name, family_name, sort_key, name_key, revision, "
                "updated_hlc, device_id, author_id, deleted, date_of_birth, sex, nationality, "
                "languages, phone, notes, phone_key, field_clocks) SELECT 'gone-1', given_name, "
                "family_name, sort_key, name_key, revision, updated_hlc, device_id, author_id, 1, "
                "date_of_birth, sex, nationality, languages, phone, notes, phone_key, field_clocks "
                "FROM people WHERE pk = :a"
            ),
            {"a": pks[0]},
        )
    assert _counted(store) == (23, 23)


def test_a_store_from_before_the_counter_starts_with_its_people(session: Any) -> None:
    store = session.store
    # People written before the counter was (registered as this version writes them, then
    # the store taken back: a store of that time lacks columns added since); three of them
    # erased while it had no counter (no triggers).
    people_uc.register_many(store, session.user, _drafts(40, "B"))
    downgrade_store(store, "report_facts_2")
    with store.transaction() as s:
        s.execute(text("UPDATE people SET deleted = 1 WHERE given_name IN ('B1', 'B2', 'B3')"))
    storage_db.migrate(store.engine)
    assert _counted(store) == (37, 37)


def test_a_persons_position_is_their_row_in_the_list(session: Any) -> None:
    """``list_position``: where the list, refilled while the team's records arrive, finds the
    person selected (others may have come before them); None once they are erased."""
    store, user = session.store, session.user
    ids = [people_uc.register_person(store, user, d).id for d in _drafts(12, "Pos")]
    for name in ("Ана", "Ștefan", "Zoe"):  # Cyrillic, a comma below, the end of the alphabet
        ids.append(people_uc.register_person(store, user, PersonDraft(name, "Albu")).id)
    listed = [e.id for e in people_uc.list_people(store, 0, 100)]
    assert [people_uc.list_position(store, i) for i in listed] == list(range(len(listed)))
    data_rights.erase_person(store, user, ids[0])
    assert people_uc.list_position(store, ids[0]) is None
    assert people_uc.list_position(store, "no-such-person") is None
    listed = [e.id for e in people_uc.list_people(store, 0, 100)]
    assert [people_uc.list_position(store, i) for i in listed] == list(range(len(listed)))
