"""People in the store, and the prefix search index that finds them in any script."""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from functools import lru_cache
from itertools import repeat
from typing import Any, Generic, TypeVar

import pydantic_core
from sqlalchemy import ColumnElement, and_, delete, func, insert, or_, select
from sqlalchemy.orm import Session

from desktop_app.domain.dates import PartialDate
from desktop_app.domain.person import PERSON_BOOKKEEPING, PERSON_FIELDS, Person, Sex, person_values
from desktop_app.i18n.translit import fold, name_tokens, phone_tokens, romanian_reading, sort_form
from desktop_app.storage import people_sql
from desktop_app.storage.models import DistinctPeopleRow, PersonRow, SearchTokenRow, table
from desktop_app.storage.people_sql import PersonListEntry

__all__ = [
    "NamesByBirth",
    "PeopleRepository",
    "PersonListEntry",
    "name_key",
    "names_meet",
    "person_from_row",
    "phone_key",
]

T = TypeVar("T")


# Names repeat a lot (a first sync or an import folds the same few thousand names over and
# over); folding is pure, so the derived keys of a name are computed once.
_fold = lru_cache(maxsize=32768)(fold)


@lru_cache(maxsize=32768)
def _name_tokens(name: str) -> frozenset[str]:
    return frozenset(name_tokens(name))


@lru_cache(maxsize=1024)  # a bulk insert asks twice per person: for the key and the tokens
def _phone_tokens(phone: str) -> frozenset[str]:
    return frozenset(phone_tokens(phone))


_sort_form = lru_cache(maxsize=32768)(sort_form)


def sort_key(person: Person) -> str:
    """The list order: family name, then given name, by their Latin form (``sort_form``)."""
    return names_sort_key(person.family_name, person.given_name)


def names_sort_key(family_name: str, given_name: str) -> str:
    """:func:`sort_key` from the names as stored (migration ``sort_keys`` writes it too)."""
    return f"{_sort_form(family_name)}\x1f{_sort_form(given_name)}"


def name_key(person: Person) -> str:
    """Folded name tokens in sorted order: swapped given/family names still collide.

    Folding works word by word, so the two names are folded apart (each once, cached).
    """
    return " ".join(sorted(f"{_fold(person.given_name)} {_fold(person.family_name)}".split()))


@lru_cache(maxsize=32768)  # an import compares each name with many born the same day
def _readings(name: str) -> tuple[tuple[str, ...], ...]:
    """The words of a name as :func:`names_meet` compares them: folded, and read the Romanian
    way where that differs (a Cyrillic name)."""
    folded = tuple(_fold(name).split())
    reading = tuple(romanian_reading(name).split())
    return (folded,) if reading == folded else (folded, reading)


def names_meet(one: str, other: str) -> bool:
    """Whether two whole names are the same name, however romanised or transliterated: each
    word of one, folded (or read the Romanian way where it is Cyrillic), is a token of the
    other's (which holds its other romanisations), or the other way round."""
    for a, b in ((one, other), (other, one)):
        tokens = _name_tokens(b)
        if any(words and all(w in tokens for w in words) for words in _readings(a)):
            return True
    return False


class NamesByBirth(Generic[T]):
    """Names filed by date of birth, to find those that meet a name (:func:`names_meet`)
    among thousands without comparing it with each born that day (many share a placeholder
    date such as 01.01.1990: an import of such a list compared millions of pairs).

    Two names that meet share a word of :func:`_meeting_words` (a word of one's readings is a
    token of the other), so only names filed under a shared word are compared.
    """

    def __init__(self) -> None:
        self._filed: dict[tuple[str, str], list[int]] = {}
        self._entries: list[tuple[str, T]] = []

    def add(self, born: str, name: str, item: T) -> None:
        for word in _meeting_words(name):
            self._filed.setdefault((born, word), []).append(len(self._entries))
        self._entries.append((name, item))

    def meeting(self, born: str, name: str) -> list[T]:
        """The items filed under ``born`` whose names meet ``name``, in the order filed."""
        candidates = {n for word in _meeting_words(name) for n in self._filed.get((born, word), ())}
        return [
            self._entries[n][1] for n in sorted(candidates) if names_meet(name, self._entries[n][0])
        ]


def _meeting_words(name: str) -> frozenset[str]:
    return _name_tokens(name).union(*_readings(name))


def phone_key(phone: str) -> str:
    """National significant digits, the shortest of the phone's index forms."""
    forms = _phone_tokens(phone)
    return min(forms, key=len) if forms else ""


# The tokens each part of a person gives, as stored (cut to the column's 200 characters, none
# empty): a first sync or an import indexes thousands, mostly of names and dates seen before.
@lru_cache(maxsize=32768)
def _name_index(name: str) -> frozenset[str]:
    return frozenset(t[:200] for t in _name_tokens(name) if t)


@lru_cache(maxsize=32768)
def _dob_index(dob: PartialDate | None) -> frozenset[str]:
    if dob is None:
        return frozenset()
    found = {f"d:{dob.iso()}"}
    if dob.is_full:
        found.add(f"d:{dob.day:02d}.{dob.month:02d}.{dob.year:04d}")
    return frozenset(t[:200] for t in found)


@lru_cache(maxsize=1024)  # as ``_phone_tokens``: ``phone_key`` asks just before
def _phone_index(phone: str) -> frozenset[str]:
    return frozenset(f"p:{t}"[:200] for t in _phone_tokens(phone))


def search_tokens(person: Person) -> set[str]:
    # The ID document's spelling is searched as the name is ("Gueorguieva" for "Георгиева");
    # the list still sorts by the name (``sort_key``).
    return {
        *_name_index(person.given_name),
        *_name_index(person.family_name),
        *_name_index(person.id_document_name),
        *_dob_index(person.date_of_birth),
        *_phone_index(person.phone),
    }


def _token_rows(pk: int, person: Person) -> list[dict[str, object]]:
    key = sort_key(person)[:32]
    return [{"token": t, "sort_key": key, "person_pk": pk} for t in search_tokens(person)]


def _clocks_text(clocks: dict[str, tuple[str, str]], updated_hlc: str) -> str:
    """A person's field clocks as stored: compact JSON in field order (a first sync writes
    thousands; pydantic-core writes them twice as fast as ``json.dumps``).

    A field last changed at ``updated_hlc`` with nothing before it needs no entry: read back,
    a field without one has exactly those clocks (``hlc.effective_field_clocks``), as a person
    registered here has. A person pulled in a first sync so stores ``{}``, not nine pairs of
    clocks (about 690 bytes, built, written and encrypted for each of thousands)."""
    kept = {name: c for name, c in clocks.items() if c[1] or c[0] != updated_hlc}
    return pydantic_core.to_json(dict(sorted(kept.items()))).decode() if kept else "{}"


def _to_row(person: Person) -> dict[str, object]:
    return {
        "id": person.id,
        **person_values(person),
        "sort_key": sort_key(person),
        "name_key": name_key(person),
        "phone_key": phone_key(person.phone),
        "revision": person.revision,
        "updated_hlc": person.updated_hlc,
        "device_id": person.device_id,
        "author_id": person.author_id,
        "deleted": person.deleted,
        "field_clocks": _clocks_text(person.field_clocks, person.updated_hlc),
    }


# Column order of the bulk insert (``add_many``): plain tuples for the driver's executemany.
_BULK_COLUMNS = (
    "pk",
    "id",
    *PERSON_FIELDS,
    "sort_key",
    "name_key",
    "phone_key",
    *PERSON_BOOKKEEPING,
)
_BULK_INSERT_PEOPLE = (
    f"INSERT INTO people ({', '.join(_BULK_COLUMNS)}) "
    f"VALUES ({', '.join('?' for _ in _BULK_COLUMNS)})"
)
_BULK_INSERT_TOKENS = "INSERT INTO search_tokens (token, sort_key, person_pk) VALUES (?, ?, ?)"


def _bulk_row(pk: int, person: Person, key: str) -> tuple[object, ...]:
    """``_to_row(person)`` plus ``pk`` as a tuple in ``_BULK_COLUMNS`` order (``key``: the
    person's ``sort_key``)."""
    dob = person.date_of_birth
    return (
        pk,
        person.id,
        person.given_name,
        person.family_name,
        dob.iso() if dob else "",
        person.sex.value if person.sex else "",
        person.nationality,
        ",".join(person.languages),
        person.phone,
        person.notes,
        person.id_document_name,
        key,
        name_key(person),
        phone_key(person.phone),
        person.revision,
        person.updated_hlc,
        person.device_id,
        person.author_id,
        person.deleted,
        _clocks_text(person.field_clocks, person.updated_hlc),
    )


def person_from_row(row: PersonRow) -> Person:
    return Person(
        id=row.id,
        given_name=row.given_name,
        family_name=row.family_name,
        date_of_birth=PartialDate.parse(row.date_of_birth) if row.date_of_birth else None,
        sex=Sex(row.sex) if row.sex else None,
        nationality=row.nationality,
        languages=tuple(c for c in row.languages.split(",") if c),
        phone=row.phone,
        notes=row.notes,
        id_document_name=row.id_document_name,
        revision=row.revision,
        updated_hlc=row.updated_hlc,
        device_id=row.device_id,
        author_id=row.author_id,
        deleted=row.deleted,
        field_clocks={k: (v[0], v[1]) for k, v in json.loads(row.field_clocks or "{}").items()},
    )


_LIST_COLUMNS = (
    PersonRow.id,
    PersonRow.family_name,
    PersonRow.given_name,
    PersonRow.date_of_birth,
    PersonRow.nationality,
    PersonRow.phone,
)


def _entries(rows: Iterable[Sequence[str]]) -> list[PersonListEntry]:
    return [PersonListEntry(*row) for row in rows]


class PeopleRepository:
    """Reads and writes people inside a caller's transaction."""

    def __init__(self, session: Session) -> None:
        self.session = session

    def add(self, person: Person) -> None:
        pk = self.session.execute(
            insert(table(PersonRow)).returning(table(PersonRow).c.pk), [_to_row(person)]
        ).scalar_one()
        self._write_tokens(pk, person)

    def add_many(self, people: Sequence[Person]) -> None:
        """Bulk insert for imports, demo data and a first sync: one executemany per table.

        The rows go to the driver as plain tuples on the session's own connection, so inside
        the caller's transaction, without SQLAlchemy's per-row parameter processing (that was
        a third of a 10,000-person first sync). They are the rows ``add`` writes, one by one.
        """
        if not people:
            return
        conn = self.session.connection()
        first = int(conn.execute(select(func.coalesce(func.max(PersonRow.pk), 0))).scalar_one())
        rows: list[tuple[object, ...]] = []
        tokens: list[tuple[str, str, int]] = []
        for pk, person in enumerate(people, start=first + 1):
            key = sort_key(person)  # built once for the row and its tokens
            rows.append(_bulk_row(pk, person, key))
            tokens.extend(zip(search_tokens(person), repeat(key[:32]), repeat(pk)))
        cursor = conn.connection.driver_connection.cursor()  # type: ignore[union-attr]
        try:
            cursor.executemany(_BULK_INSERT_PEOPLE, rows)
            if tokens:
                cursor.executemany(_BULK_INSERT_TOKENS, tokens)
        finally:
            cursor.close()

    def replace(self, person: Person) -> None:
        row = self._row(person.id)
        if row is None:
            raise KeyError(person.id)
        for key, value in _to_row(person).items():
            setattr(row, key, value)
        self.session.execute(delete(SearchTokenRow).where(SearchTokenRow.person_pk == row.pk))
        if not person.deleted:
            self._write_tokens(row.pk, person)

    def _write_tokens(self, pk: int, person: Person) -> None:
        rows = _token_rows(pk, person)
        if rows:
            self.session.execute(insert(table(SearchTokenRow)), rows)

    def _row(self, person_id: str) -> PersonRow | None:
        return self.session.scalar(select(PersonRow).where(PersonRow.id == person_id))

    def is_erased(self, person_id: str) -> bool:
        """Whether the person was erased: their row is a tombstone (here, or brought by a sync)."""
        row = self._row(person_id)
        return row is not None and row.deleted

    def get(self, person_id: str) -> Person | None:
        row = self._row(person_id)
        return None if row is None or row.deleted else person_from_row(row)

    def _execute(self, statement: str, params: Sequence[Any]) -> Iterable[Sequence[Any]]:
        return self.session.connection().exec_driver_sql(statement, tuple(params))

    def count(self) -> int:
        return people_sql.count(self._execute)

    def page(self, offset: int, limit: int) -> list[PersonListEntry]:
        """People in list order (family name, given name), for lazy loading of long lists."""
        return people_sql.page(self._execute, offset, limit)

    def position(self, person_id: str) -> int | None:
        """The person's row in ``page``'s order (None where erased or unknown)."""
        return people_sql.position(self._execute, person_id)

    def entry(self, person_id: str) -> PersonListEntry | None:
        """The person as the people list shows them (no record read): None where erased."""
        return people_sql.entry(self._execute, person_id)

    def search(self, query: str, limit: int = 50) -> list[PersonListEntry]:
        """Type-ahead search over the name, date and phone tokens (``storage/people_sql``)."""
        return people_sql.search(self._execute, query, limit)

    def born_on(self, dates: Iterable[str]) -> list[PersonListEntry]:
        """The people born on any of these days (ISO dates as stored, partial ones too),
        found by the dates' search tokens (an erased person has none)."""
        tokens = sorted({f"d:{iso}" for iso in dates})
        found: list[PersonListEntry] = []
        for start in range(0, len(tokens), 500):  # within SQLite's limit of parameters
            born = select(SearchTokenRow.person_pk).where(
                SearchTokenRow.token.in_(tokens[start : start + 500])
            )
            stmt = select(*_LIST_COLUMNS).where(PersonRow.pk.in_(born))
            found += _entries(self.session.execute(stmt).all())
        return found

    def born_within(self, iso: str) -> list[PersonListEntry]:
        """The people born on a day or in a month within the partial date ``iso`` ("1989",
        "1989-02"), found by a range of the dates' search tokens ("d:1989-…")."""
        born = select(SearchTokenRow.person_pk).where(
            SearchTokenRow.token >= f"d:{iso}-", SearchTokenRow.token < f"d:{iso}."
        )
        stmt = select(*_LIST_COLUMNS).where(PersonRow.pk.in_(born))
        return _entries(self.session.execute(stmt).all())

    def id_document_names(self, person_ids: list[str]) -> dict[str, str]:
        """The ID-document names recorded of these people (those with one)."""
        found: dict[str, str] = {}
        for start in range(0, len(person_ids), 500):  # within SQLite's limit of parameters
            rows = self.session.execute(
                select(PersonRow.id, PersonRow.id_document_name).where(
                    PersonRow.id.in_(person_ids[start : start + 500]),
                    PersonRow.id_document_name != "",
                )
            )
            found.update((pid, name) for pid, name in rows)
        return found

    def likely_duplicates(self, person: Person, limit: int = 20) -> list[PersonListEntry]:
        """Same date of birth and the same name, also spelled another way ("Raina Petrova" for
        "Райна Петрова", "Константин" for "Constantin"), or the same phone number."""
        conditions: list[ColumnElement[bool]] = []
        if person.date_of_birth is not None:
            # A date known in part is the same person's as a fuller one it agrees with: the
            # father registered last year as born "1989" was registered again, unwarned, as
            # born 20.02.1989 (the dates compared as typed). Those the typed date refines
            # (1989, 02.1989), and those that refine a typed partial one (1989 → 20.02.1989).
            dob = person.date_of_birth
            coarser = {dob.iso(), f"{dob.year:04d}"}
            if dob.month is not None:
                coarser.add(f"{dob.year:04d}-{dob.month:02d}")
            agrees: ColumnElement[bool] = PersonRow.date_of_birth.in_(sorted(coarser))
            if not dob.is_full:
                agrees = or_(agrees, PersonRow.date_of_birth.startswith(f"{dob.iso()}-"))
            conditions.append(and_(PersonRow.name_key == name_key(person), agrees))
            # Only the official folding met before: "Raina Petrova" was registered a second
            # time beside "Райна Петрова" (folded "rayna") born the same day, unwarned. Those
            # born that day are found by the date's search token, their names compared here.
            # The name as on an ID document counts as the name: "Maria Gueorguieva" typed from
            # the card meets "Мария Георгиева" whose card says "GUEORGUIEVA Maria".
            names = [f"{person.given_name} {person.family_name}", person.id_document_name]
            born = self.born_on(coarser)
            if not dob.is_full:
                # Those born within a date typed in part too: "Raina Petrova, 1999" was not
                # found beside "Райна Петрова, 03.11.1999" (only the dates it refines were).
                seen = {e.id for e in born}
                born += [e for e in self.born_within(dob.iso()) if e.id not in seen]
            id_names = self.id_document_names([e.id for e in born])
            spelled = [
                e.id
                for e in born
                if any(
                    names_meet(name, other)
                    for name in names
                    if name
                    for other in (f"{e.given_name} {e.family_name}", id_names.get(e.id, ""))
                    if other
                )
            ]
            if spelled:
                conditions.append(PersonRow.id.in_(spelled))
        key = phone_key(person.phone)
        if key:
            conditions.append(PersonRow.phone_key == key)
        if not conditions:
            return []
        stmt = (
            select(*_LIST_COLUMNS)
            .where(or_(*conditions), PersonRow.deleted.is_(False), PersonRow.id != person.id)
            .order_by(PersonRow.sort_key)
            .limit(limit)
        )
        return _entries(self.session.execute(stmt).all())

    def told_apart(self, person_id: str) -> set[str]:
        """The entries an advisor decided are other people than ``person_id``'s, though of the
        same name and date of birth (``DistinctPeopleRow``)."""
        row = DistinctPeopleRow
        pairs = self.session.execute(
            select(row.person_a, row.person_b).where(
                or_(row.person_a == person_id, row.person_b == person_id),
                row.deleted.is_(False),
            )
        )
        return {b if a == person_id else a for a, b in pairs}
