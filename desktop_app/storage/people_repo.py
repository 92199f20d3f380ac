"""People in the store, and the prefix search index that finds them in any script."""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from sqlalchemy import ColumnElement, and_, delete, exists, func, insert, or_, select
from sqlalchemy.orm import Session, aliased

from desktop_app.domain.dates import PartialDate
from desktop_app.domain.person import Person, Sex, person_values
from desktop_app.i18n.translit import fold, name_tokens, phone_query, phone_tokens, query_tokens
from desktop_app.storage.models import PersonRow, SearchTokenRow, table

# Upper end of a prefix range: every token starting with the prefix sorts below prefix + this.
_PREFIX_END = "\U0010ffff"
_DATE_WORD = re.compile(r"^[0-9][0-9.\-/]*$")


@dataclass(frozen=True)
class PersonListEntry:
    """What the people list shows of a person: enough to tell people apart, nothing more."""

    id: str
    family_name: str
    given_name: str
    date_of_birth: str
    nationality: str
    phone: str


def sort_key(person: Person) -> str:
    return f"{fold(person.family_name)}\x1f{fold(person.given_name)}"


def name_key(person: Person) -> str:
    """Folded name tokens in sorted order: swapped given/family names still collide."""
    return " ".join(sorted(fold(f"{person.given_name} {person.family_name}").split()))


def phone_key(phone: str) -> str:
    """National significant digits, the shortest of the phone's index forms."""
    forms = phone_tokens(phone)
    return min(forms, key=len) if forms else ""


def _dob_tokens(dob: PartialDate | None) -> set[str]:
    if dob is None:
        return set()
    found = {f"d:{dob.iso()}"}
    if dob.is_full:
        found.add(f"d:{dob.day:02d}.{dob.month:02d}.{dob.year:04d}")
    return found


def search_tokens(person: Person) -> set[str]:
    tokens = name_tokens(person.given_name) | name_tokens(person.family_name)
    tokens |= _dob_tokens(person.date_of_birth)
    tokens |= {f"p:{t}" for t in phone_tokens(person.phone)}
    return {t[:200] for t in tokens if t}


def _token_rows(pk: int, person: Person) -> list[dict[str, object]]:
    key = sort_key(person)[:32]
    return [{"token": t, "sort_key": key, "person_pk": pk} for t in search_tokens(person)]


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
        "field_clocks": json.dumps(person.field_clocks, sort_keys=True),
    }


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


def _word_ranges(word: str) -> list[str]:
    """Token prefixes one typed word may match: a name, or a date of birth / phone number."""
    if any(ch.isdigit() for ch in word):
        prefixes = []
        if _DATE_WORD.match(word):
            prefixes.append(f"d:{word}")
        number = phone_query(word)
        if len(number) >= 3:
            prefixes.append(f"p:{number}")
        return prefixes
    return [t for t in query_tokens(word)]


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
        """Bulk insert for imports and demo data: one executemany per table, no ORM units."""
        conn = self.session.connection()
        first = int(conn.execute(select(func.coalesce(func.max(PersonRow.pk), 0))).scalar_one())
        rows = [{**_to_row(p), "pk": first + n} for n, p in enumerate(people, start=1)]
        conn.execute(insert(table(PersonRow)), rows)
        tokens = [
            token for n, p in enumerate(people, start=1) for token in _token_rows(first + n, p)
        ]
        if tokens:
            conn.execute(insert(table(SearchTokenRow)), tokens)

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

    def get(self, person_id: str) -> Person | None:
        row = self._row(person_id)
        return None if row is None or row.deleted else person_from_row(row)

    def count(self) -> int:
        return int(
            self.session.scalar(select(func.count()).where(PersonRow.deleted.is_(False))) or 0
        )

    def page(self, offset: int, limit: int) -> list[PersonListEntry]:
        """People in list order (family name, given name), for lazy loading of long lists."""
        stmt = (
            select(*_LIST_COLUMNS)
            .where(PersonRow.deleted.is_(False))
            .order_by(PersonRow.sort_key, PersonRow.pk)
            .offset(offset)
            .limit(limit)
        )
        return _entries(self.session.execute(stmt).all())

    def search(self, query: str, limit: int = 50) -> list[PersonListEntry]:
        """Type-ahead search: every typed word must prefix-match one of the person's tokens.

        Ranked by the matched token (an exact name sorts before longer ones), then by name.
        Runs as B-tree range scans over ``search_tokens``, never a full scan.
        """
        words = query.split()
        if words and all(_DATE_WORD.match(w) or w in "+()" for w in words) and len(words) > 1:
            words = ["".join(words)]  # "0170 123 45" is one phone number
        alternatives = [alts for w in words if (alts := _word_ranges(w))]
        if not alternatives:
            return []
        # Drive the scan by the most selective word (the longest prefix), filter by the rest.
        alternatives.sort(key=lambda alts: -max(len(a) for a in alts))
        driving, others = alternatives[0], alternatives[1:]
        seen: dict[int, None] = {}
        t = SearchTokenRow
        for prefix in driving:
            if len(seen) >= limit:
                break
            conditions: list[ColumnElement[bool]] = [
                t.token >= prefix,
                t.token < prefix + _PREFIX_END,
            ]
            for n, alts in enumerate(others):
                # Fixed alias names keep the compiled statement cacheable across keystrokes.
                u = aliased(SearchTokenRow, name=f"also{n}")
                conditions.append(
                    exists().where(
                        u.person_pk == t.person_pk,
                        or_(*(and_(u.token >= a, u.token < a + _PREFIX_END) for a in alts)),
                    )
                )
            stmt = select(t.person_pk).where(*conditions).order_by(t.token, t.sort_key)
            for (person_pk,) in self.session.execute(stmt.limit(limit * 4)):
                seen.setdefault(person_pk, None)
                if len(seen) >= limit:
                    break
        pks = list(seen)
        if not pks:
            return []
        # Filtering "deleted" in SQL here would make SQLite prefer the list index and scan
        # every person; rowid lookups plus a check in Python stay well under a millisecond.
        rows = self.session.execute(
            select(PersonRow.pk, PersonRow.deleted, *_LIST_COLUMNS).where(PersonRow.pk.in_(pks))
        ).all()
        by_pk = {row[0]: row[2:] for row in rows if not row[1]}
        return _entries(by_pk[pk] for pk in pks if pk in by_pk)

    def likely_duplicates(self, person: Person, limit: int = 20) -> list[PersonListEntry]:
        """Same folded name and date of birth, or the same phone number."""
        conditions: list[ColumnElement[bool]] = []
        if person.date_of_birth is not None:
            conditions.append(
                and_(
                    PersonRow.name_key == name_key(person),
                    PersonRow.date_of_birth == person.date_of_birth.iso(),
                )
            )
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
