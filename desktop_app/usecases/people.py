"""Registering, finding and reading people."""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Sequence
from dataclasses import replace

from sqlalchemy import insert

from desktop_app.domain.hlc import field_clocks_after_change
from desktop_app.domain.person import Person, PersonDraft, validate_person
from desktop_app.storage.db import Store
from desktop_app.storage.models import OutboxRow, table
from desktop_app.storage.people_repo import PeopleRepository, PersonListEntry

PERSON_FIELDS = (
    "given_name",
    "family_name",
    "date_of_birth",
    "sex",
    "nationality",
    "languages",
    "phone",
    "notes",
)


class DuplicatesFound(Exception):
    """Likely duplicates exist; the user must confirm before a new person is stored."""

    def __init__(self, candidates: list[PersonListEntry]) -> None:
        super().__init__(f"{len(candidates)} likely duplicates")
        self.candidates = candidates


def _stamp(store: Store, person: Person, author_id: str) -> Person:
    hlc = str(store.clock.now())
    return replace(
        person,
        id=str(uuid.uuid4()),
        revision=1,
        updated_hlc=hlc,
        device_id=store.device_id,
        author_id=author_id,
        # Empty: every field was last changed at ``updated_hlc`` (see domain.merge_clocks).
        field_clocks={},
    )


def check_person(
    store: Store, draft: PersonDraft, today: dt.date | None = None
) -> list[PersonListEntry]:
    """Validate a draft (raises ValidationFailed) and return its likely duplicates."""
    person = validate_person(draft, today or dt.date.today())
    with store.reading() as session:
        return PeopleRepository(session).likely_duplicates(person)


def register_person(
    store: Store,
    author_id: str,
    draft: PersonDraft,
    *,
    confirm_duplicates: bool = False,
    today: dt.date | None = None,
) -> Person:
    """Validate and store a new person with its search tokens and outbox entry, atomically."""
    person = _stamp(store, validate_person(draft, today or dt.date.today()), author_id)
    with store.transaction() as session:
        repo = PeopleRepository(session)
        if not confirm_duplicates and (candidates := repo.likely_duplicates(person)):
            raise DuplicatesFound(candidates)
        repo.add(person)
        session.add(
            OutboxRow(record_kind="person", record_id=person.id, revision=1, hlc=person.updated_hlc)
        )
    return person


def register_many(store: Store, author_id: str, drafts: Sequence[PersonDraft]) -> int:
    """Store many valid people in one transaction (demo data, imports); all or nothing."""
    today = dt.date.today()
    people = [_stamp(store, validate_person(d, today), author_id) for d in drafts]
    with store.transaction() as session:
        PeopleRepository(session).add_many(people)
        session.connection().execute(
            insert(table(OutboxRow)),
            [
                {"record_kind": "person", "record_id": p.id, "revision": 1, "hlc": p.updated_hlc}
                for p in people
            ],
        )
    return len(people)


def search_people(store: Store, query: str, limit: int = 50) -> list[PersonListEntry]:
    with store.reading() as session:
        return PeopleRepository(session).search(query, limit)


def list_people(store: Store, offset: int, limit: int) -> list[PersonListEntry]:
    with store.reading() as session:
        return PeopleRepository(session).page(offset, limit)


def count_people(store: Store) -> int:
    with store.reading() as session:
        return PeopleRepository(session).count()


def get_person(store: Store, person_id: str) -> Person | None:
    with store.reading() as session:
        return PeopleRepository(session).get(person_id)


def person_values(person: Person) -> dict[str, str]:
    """A person's synced fields as text, as they travel and are compared."""
    return {
        "given_name": person.given_name,
        "family_name": person.family_name,
        "date_of_birth": person.date_of_birth.iso() if person.date_of_birth else "",
        "sex": person.sex.value if person.sex else "",
        "nationality": person.nationality,
        "languages": ",".join(person.languages),
        "phone": person.phone,
        "notes": person.notes,
    }


def update_person(
    store: Store,
    author_id: str,
    person_id: str,
    draft: PersonDraft,
    *,
    today: dt.date | None = None,
) -> Person:
    """Change a person's details; only changed fields get a new clock, so edits merge per field."""
    checked = validate_person(draft, today or dt.date.today())
    with store.transaction() as session:
        repo = PeopleRepository(session)
        current = repo.get(person_id)
        if current is None:
            raise KeyError(person_id)
        before, after = person_values(current), person_values(checked)
        changed = {name for name in PERSON_FIELDS if before[name] != after[name]}
        if not changed:
            return current
        hlc = str(store.clock.now())
        updated = replace(
            checked,
            id=current.id,
            revision=current.revision + 1,
            updated_hlc=hlc,
            device_id=store.device_id,
            author_id=author_id,
            field_clocks=field_clocks_after_change(
                PERSON_FIELDS, current.field_clocks, current.updated_hlc, changed, hlc
            ),
        )
        repo.replace(updated)
        session.add(
            OutboxRow(record_kind="person", record_id=person_id, revision=updated.revision, hlc=hlc)
        )
    return updated
