"""The name as on the ID document travels as a person field of its own: set on one laptop while
another changed the phone, both are kept everywhere; a person from the version before (without
the field) applies and keeps the value held; the version before keeps a person that has it
until it is updated. Real encrypted stores and a real server process on 127.0.0.1."""

from __future__ import annotations

import pytest

from desktop_app.domain.person import PERSON_FIELDS, Person
from desktop_app.sync import kinds
from desktop_app.sync.records import ADAPTERS, reader_version
from desktop_app.usecases import people
from desktop_app.usecases.accounts import Session
from tests.integration.sync_harness import (
    Laptops,
    add_person,
    device_id,
    edit_person,
    push_state,
    record_state,
)

# The person's fields as the version before this field knew them.
_BEFORE = tuple(name for name in PERSON_FIELDS if name != "id_document_name")


def _person(session: Session, person_id: str) -> Person:
    person = people.get_person(session.store, session.user, person_id)
    assert person is not None
    return person


def test_one_laptop_sets_the_id_name_another_the_phone_and_both_are_kept(
    laptops: Laptops,
) -> None:
    a, b = laptops.new("A"), laptops.new("B")
    pid = add_person(a, "Мария", "Георгиева", "1990", phone="0176 1111111")
    laptops.sync(a, b)
    # Offline on both: A records the ID card's spelling, B a new phone number.
    edit_person(a, pid, id_document_name="GUEORGUIEVA Maria")
    edit_person(b, pid, phone="0176 2222222")
    reports = laptops.sync(a, b, a)
    assert all(r.conflicts == 0 and r.refused == 0 for r in reports)
    for laptop in (a, b):
        person = _person(laptop, pid)
        assert (person.id_document_name, person.phone) == ("GUEORGUIEVA Maria", "0176 2222222")
        # found by the card's spelling on both laptops (the search index followed the sync)
        found = people.search_people(laptop.store, "Gueorguieva")
        assert [e.id for e in found] == [pid]
    # The same field changed on both, offline: a conflict keeps both values to decide.
    edit_person(a, pid, id_document_name="GUEORGUIEVA Mariya")
    edit_person(b, pid, id_document_name="GHEORGHIEVA Maria")
    reports = laptops.sync(a, b, a)
    assert sum(r.conflicts for r in reports) >= 1
    assert _person(a, pid).id_document_name == _person(b, pid).id_document_name


def test_a_person_from_the_version_before_without_the_field_applies_and_keeps_it(
    laptops: Laptops,
) -> None:
    """The version before sends a person without ``id_document_name``: a new person takes it
    empty (the oldest clock, so a value set anywhere wins); a change of another field keeps
    the ID name this laptop holds."""
    a, b = laptops.new("A"), laptops.new("B")
    laptops.sync(a, b)
    values = {
        "given_name": "Мария",
        "family_name": "Георгиева",
        "date_of_birth": "1990",
        "sex": "female",
        "nationality": "BG",
        "languages": "bg",
        "phone": "0176 1111111",
        "notes": "",
    }
    assert tuple(values) == _BEFORE
    new = "0c3e5a1e-7d2a-4c1b-9a55-000000000001"
    push_state(a, record_state("person", new, values, device_id(a)))
    (report,) = laptops.sync(b)
    assert report.refused == 0 and report.deferred == 0
    person = _person(b, new)
    assert person.id_document_name == "" and person.field_clocks["id_document_name"] == ("", "")
    # B records the ID name; then the older laptop changes the phone (its record lacks it).
    edit_person(b, new, id_document_name="GUEORGUIEVA Maria")
    laptops.sync(b)
    changed = {**values, "phone": "0176 3333333"}
    push_state(a, record_state("person", new, changed, device_id(a)), revision=3)
    (report,) = laptops.sync(b)
    assert report.refused == 0 and report.applied >= 1
    person = _person(b, new)
    assert (person.phone, person.id_document_name) == ("0176 3333333", "GUEORGUIEVA Maria")
    assert [e.id for e in people.search_people(b.store, "Gueorguieva")] == [new]


def test_the_version_before_keeps_a_person_with_the_field_and_applies_it_once_updated(
    laptops: Laptops, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Laptop B runs the version before (its person adapter without the field, refusing a
    record with a field it does not know, as ``kinds._person_from_item`` did): a person with
    an ID name is kept, not refused and not half-applied; updated, B applies it."""
    a, b = laptops.new("A"), laptops.new("B")
    pid = add_person(a, "Мария", "Георгиева", "1990", phone="0176 1111111")
    laptops.sync(a, b)
    updated_reader = reader_version()
    monkeypatch.setattr(ADAPTERS["person"], "fields", _BEFORE)
    monkeypatch.setattr(kinds, "_PERSON_FIELD_SET", frozenset(_BEFORE))
    assert reader_version() != updated_reader
    edit_person(a, pid, id_document_name="GUEORGUIEVA Maria", phone="0176 2222222")
    laptops.sync(a)
    (report,) = laptops.sync(b)
    assert report.refused == 0 and report.deferred == 1
    person = _person(b, pid)
    assert (person.phone, person.id_document_name) == ("0176 1111111", "")  # nothing of it
    monkeypatch.undo()  # B updated to this version: the record kept is applied
    (report,) = laptops.sync(b)
    assert report.refused == 0 and report.applied == 1
    person = _person(b, pid)
    assert (person.phone, person.id_document_name) == ("0176 2222222", "GUEORGUIEVA Maria")
    assert [e.id for e in people.search_people(b.store, "Gueorguieva")] == [pid]
