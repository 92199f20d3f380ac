"""The bulk insert (imports, first sync) writes exactly the rows of the one-by-one path."""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
import uuid
from pathlib import Path
from typing import Any

from sqlalchemy import text

from desktop_app.domain.dates import PartialDate
from desktop_app.domain.demo import generate_people
from desktop_app.domain.hlc import effective_field_clocks
from desktop_app.domain.person import PERSON_FIELDS, Person, Sex, validate_person
from desktop_app.i18n.translit import name_tokens, phone_tokens
from desktop_app.storage.people_repo import PeopleRepository, search_tokens
from desktop_app.usecases.accounts import Session, create_first_account

TODAY = dt.date(2026, 11, 25)
CLOCK = "1764086400000-00003-0b5c6a2e-8c1d-4f57-9d7e-3f1c2a4b5d6e"


def _people() -> list[Person]:
    """Generated people in both scripts, plus the odd cases a sync brings along."""
    found = []
    for n, draft in enumerate(generate_people(300, seed=11)):
        person = validate_person(draft, TODAY)
        found.append(
            dataclasses.replace(
                person,
                id=str(uuid.UUID(int=n + 1)),
                revision=1 + n % 3,
                updated_hlc=CLOCK,
                device_id="0b5c6a2e-8c1d-4f57-9d7e-3f1c2a4b5d6e",
                author_id=str(uuid.UUID(int=10_000)),
                # Some arrive by sync with every field's clocks, some are local and have none.
                field_clocks={"notes": (CLOCK, "x"), "family_name": (CLOCK, "")} if n % 2 else {},
            )
        )
    found += [
        Person(
            id=str(uuid.UUID(int=900)),
            given_name="Юлия",
            family_name="Иванова-Петрова",
            date_of_birth=PartialDate(1985, 3),
            sex=Sex.FEMALE,
            nationality="BG",
            languages=("bg", "de"),
            phone="+359 88 123 4567",
            notes='quotes " and \\ backslash, Ştefan Mureșan',
            updated_hlc=CLOCK,
        ),
        # A tombstone that arrives before its person ever did.
        Person(id=str(uuid.UUID(int=901)), given_name="", family_name="", deleted=True),
    ]
    return found


def _dump(session: Session) -> dict[str, Any]:
    with session.store.reading() as s:
        conn = s.connection()
        columns = [
            c
            for c in conn.exec_driver_sql("SELECT * FROM people LIMIT 0").keys()  # noqa: SIM118
            if c != "pk"  # local numbering only
        ]
        people = {
            row[0]: tuple(row)
            for row in conn.exec_driver_sql(f"SELECT {', '.join(columns)} FROM people")
        }
        tokens = sorted(
            conn.exec_driver_sql(
                "SELECT p.id, t.token, t.sort_key FROM search_tokens t "
                "JOIN people p ON p.pk = t.person_pk"
            ).all()
        )
        facts = sorted(s.execute(text("SELECT person_id, nationality FROM report_persons")).all())
    return {"columns": columns, "people": people, "tokens": tokens, "facts": facts}


def _store(tmp_path: Path, name: str) -> Session:
    return create_first_account(tmp_path / name, "anna", "Anna", "password 123")


def test_bulk_insert_writes_the_rows_tokens_and_facts_of_adding_one_by_one(
    tmp_path: Path,
) -> None:
    people = _people()
    one, bulk = _store(tmp_path, "one"), _store(tmp_path, "bulk")
    try:
        for store_session in (one, bulk):
            # A visit that arrived before its person: the person's facts follow their insert.
            with store_session.store.transaction() as s:
                s.execute(
                    text("INSERT INTO report_persons (person_id) VALUES (:id)"),
                    {"id": people[-2].id},
                )
        with one.store.transaction() as s:
            repo = PeopleRepository(s)
            for person in people:
                repo.add(person)
        with bulk.store.transaction() as s:
            # In two calls, so the second continues the numbering of the first.
            PeopleRepository(s).add_many(people[:150])
            PeopleRepository(s).add_many(people[150:])
        expected, got = _dump(one), _dump(bulk)
        assert got["people"] == expected["people"]
        assert got["tokens"] == expected["tokens"]
        assert got["facts"] == expected["facts"] == [(people[-2].id, "BG")]
        assert len(got["people"]) == len(people)
        # The person's field clocks, as stored, are those it came with, but for a field last
        # changed at the person's own clock with nothing before it: that one reads back alike
        # without an entry (``test_field_clocks_read_back_as_written``).
        with bulk.store.reading() as s:
            stored = s.connection().exec_driver_sql(
                "SELECT field_clocks FROM people WHERE id = ?", (people[1].id,)
            )
            assert json.loads(stored.scalar_one()) == {"notes": [CLOCK, "x"]}
        # Replacing a bulk-inserted person with itself (the one-by-one sync path) changes
        # nothing: both paths derive the same columns.
        with bulk.store.transaction() as s:
            repo = PeopleRepository(s)
            for person in people[:20]:
                repo.replace(person)
        assert _dump(bulk) == got
    finally:
        one.close()
        bulk.close()


def test_field_clocks_read_back_as_written(tmp_path: Path) -> None:
    """Every field's clocks read back as the person had them, in bulk and one by one; only
    entries that say no more than the person's own clock are left out (a person pulled in a
    first sync stores ``{}``, as one registered here does)."""
    older = "1764086300000-00000-0b5c6a2e-8c1d-4f57-9d7e-3f1c2a4b5d6e"
    cases: list[dict[str, tuple[str, str]]] = [
        dict.fromkeys(PERSON_FIELDS, (CLOCK, "")),  # pulled: every field at the newest clock
        {},  # registered here
        {**dict.fromkeys(PERSON_FIELDS, (CLOCK, "")), "phone": (CLOCK, older)},  # edited
        {**dict.fromkeys(PERSON_FIELDS, (older, "")), "notes": (CLOCK, older)},
        {"given_name": (older, ""), "id_document_name": ("", "")},  # an older version's
        {"family_name": (CLOCK, ""), "sex": (older, "")},
    ]
    people = [
        dataclasses.replace(
            _people()[n], id=str(uuid.UUID(int=5000 + n)), updated_hlc=CLOCK, field_clocks=clocks
        )
        for n, clocks in enumerate(cases)
    ]
    session = _store(tmp_path, "clocks")
    try:
        with session.store.transaction() as s:
            PeopleRepository(s).add_many(people[:3])
            for person in people[3:]:
                PeopleRepository(s).add(person)
        with session.store.reading() as s:
            repo = PeopleRepository(s)
            for person in people:
                back = repo.get(person.id)
                assert back is not None
                assert effective_field_clocks(
                    PERSON_FIELDS, back.field_clocks, back.updated_hlc
                ) == effective_field_clocks(PERSON_FIELDS, person.field_clocks, CLOCK)
            stored: dict[str, str] = dict(
                s.connection().exec_driver_sql("SELECT id, field_clocks FROM people").all()
            )
        assert stored[people[0].id] == stored[people[1].id] == "{}"
        assert json.loads(stored[people[2].id]) == {"phone": [CLOCK, older]}
        assert json.loads(stored[people[5].id]) == {"sex": [older, ""]}
    finally:
        session.close()


def test_search_tokens_are_those_of_each_name_the_date_and_the_phone_as_the_column_holds_them() -> (
    None
):
    """Every token of the given and family name, the ID document's name, the date of birth
    (ISO, and German for a full date) and the phone (its forms, "p:"), cut to the column's 200
    characters, none empty: however they are put together."""
    long_name = "Ștefănescu" * 25  # 250 characters, one word
    people = [
        *_people(),
        Person(
            id=str(uuid.UUID(int=902)),
            given_name=long_name,
            family_name="Иванова-Петрова",
            date_of_birth=PartialDate(1990, 1, 1),
            phone="0049 (0)170 1234567",
            id_document_name="Ivanova-Petrova",
        ),
        Person(id=str(uuid.UUID(int=903)), given_name="", family_name="", phone="+"),
    ]
    for person in people:
        dob = person.date_of_birth
        dates = set()
        if dob is not None:
            dates.add(f"d:{dob.iso()}")
            if dob.is_full:
                dates.add(f"d:{dob.day:02d}.{dob.month:02d}.{dob.year:04d}")
        names = (person.given_name, person.family_name, person.id_document_name)
        tokens = {t for name in names for t in name_tokens(name)} | dates
        tokens |= {f"p:{t}" for t in phone_tokens(person.phone)}
        assert search_tokens(person) == {t[:200] for t in tokens if t}
    long_tokens = search_tokens(people[-2])
    assert max(map(len, long_tokens)) == 200 and "" not in long_tokens
    assert {"d:1990-01-01", "d:01.01.1990", "p:1701234567"} <= long_tokens
