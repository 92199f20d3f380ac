"""A person as the sync reads it from the store (``PersonAdapter.load_many``, what a push seals):
the same values and clocks as the person read through the repository, however the row holds
them (no clocks of its own, some after an edit, dates and languages as older versions stored
them), and a tombstone for an erased one."""

from __future__ import annotations

import pytest

import desktop_app.sync.kinds  # noqa: F401  (registers the kinds that sync)
from desktop_app.domain.hlc import effective_field_clocks
from desktop_app.domain.person import PERSON_FIELDS, PersonDraft, person_values
from desktop_app.storage.people_repo import PeopleRepository
from desktop_app.sync.merge import FieldState, RecordState
from desktop_app.sync.records import ADAPTERS, LocalRecord
from desktop_app.usecases import people

DRAFTS = [
    PersonDraft("Ana-Maria", "Ștefănescu", "14.03.1985", "female", "RO", ("ro", "de")),
    PersonDraft("Гергана", "Иванова", "1990", "", "BG", ()),
    PersonDraft("Ion", "Popa", "1979-11", "not_stated", "", ("ro",), "+49 151 2222", "x" * 300),
    PersonDraft("Kemal", "Yılmaz", "", "diverse", "BG", ("tr", "bg"), id_document_name="YILMAZ"),
]


def _through_the_repository(session: object, person_id: str) -> LocalRecord:
    """The record as the domain reads it: ``person_values`` of the repository's ``Person``."""
    person = PeopleRepository(session).get(person_id)  # type: ignore[arg-type]
    assert person is not None
    values = person_values(person)
    clocks = effective_field_clocks(PERSON_FIELDS, person.field_clocks, person.updated_hlc)
    fields = {name: FieldState(values[name], *clocks[name]) for name in PERSON_FIELDS}
    return LocalRecord(RecordState("person", person.id, fields), person.revision, person.author_id)


def test_people_load_as_the_repository_reads_them(session) -> None:
    store, user = session.store, session.user
    ids = [people.register_person(store, user, draft).id for draft in DRAFTS]
    # Two fields of the third changed since: clocks of their own, the others' still shared.
    people.update_person(
        store, user, ids[2], PersonDraft("Ioan", "Popa", "1979-11", "male", "", ("ro",))
    )
    with store.transaction() as db:
        # As a row may hold them: a date in the German form, languages with empty entries.
        db.connection().exec_driver_sql(
            "UPDATE people SET date_of_birth = '1.2.1990', languages = ',bg,,tr,' WHERE id = ?",
            (ids[1],),
        )
    with store.reading() as db:
        loaded = ADAPTERS["person"].load_many(db, ids)
        expected = {person_id: _through_the_repository(db, person_id) for person_id in ids}
    assert loaded == expected
    assert loaded[ids[1]].state.fields["date_of_birth"].value == "1990-02-01"
    assert loaded[ids[1]].state.fields["languages"].value == "bg,tr"
    edited = loaded[ids[2]].state.fields
    assert edited["given_name"].clock != edited["family_name"].clock
    assert all(type(f) is FieldState for r in loaded.values() for f in r.state.fields.values())


def test_an_erased_person_loads_as_a_tombstone(session) -> None:
    person = people.register_person(session.store, session.user, DRAFTS[0])
    with session.store.transaction() as db:
        db.connection().exec_driver_sql(
            "UPDATE people SET deleted = 1, updated_hlc = 'c' WHERE id = ?", (person.id,)
        )
    with session.store.reading() as db:
        loaded = ADAPTERS["person"].load_many(db, [person.id])[person.id]
    assert loaded.state == RecordState("person", person.id, {}, True, "c")


def test_a_row_with_an_unknown_option_is_not_loaded(session) -> None:
    person = people.register_person(session.store, session.user, DRAFTS[0])
    with session.store.transaction() as db:
        db.connection().exec_driver_sql(
            "UPDATE people SET sex = 'unknown' WHERE id = ?", (person.id,)
        )
    with session.store.reading() as db, pytest.raises(ValueError):
        ADAPTERS["person"].load_many(db, [person.id])
