"""The people list's and the type-ahead search's queries, as plain SQL on any DB-API execute.

The one place these queries live: ``PeopleRepository`` runs them on its SQLAlchemy connection,
and the start-up reader (``storage/quick.py``) on a bare SQLCipher connection, so the first page
and the search work before SQLAlchemy has loaded. No SQLAlchemy import here.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from desktop_app.i18n.translit import name_tokens, phone_query, query_alternatives

# Runs one statement with positional ("?") parameters and returns its rows.
Execute = Callable[[str, Sequence[Any]], Iterable[Sequence[Any]]]

# Upper end of a prefix range: every token starting with the prefix sorts below prefix + this.
PREFIX_END = "\U0010ffff"
DATE_WORD = re.compile(r"^[0-9][0-9.\-/]*$")

_LIST_COLUMNS = "id, family_name, given_name, date_of_birth, nationality, phone"


@dataclass(frozen=True)
class PersonListEntry:
    """What the people list shows of a person: enough to tell people apart, nothing more."""

    id: str
    family_name: str
    given_name: str
    date_of_birth: str
    nationality: str
    phone: str
    #: the name as on the ID document, where a search found the person by it and not by the
    #: name (a helper typing "Gueorguieva" from the card saw only "Георгиева, Мария")
    found_as: str = ""


def _entries(rows: Iterable[Sequence[Any]]) -> list[PersonListEntry]:
    return [PersonListEntry(*row) for row in rows]


def count(execute: Execute) -> int:
    # kept by triggers (migration ``people_count``): counting the rows reads the whole index
    for (n,) in execute("SELECT people FROM people_count WHERE id = 1", ()):
        return int(n)
    return 0


def page(execute: Execute, offset: int, limit: int) -> list[PersonListEntry]:
    """People in list order (family name, given name), for lazy loading of long lists."""
    return _entries(
        execute(
            f"SELECT {_LIST_COLUMNS} FROM people WHERE deleted = 0 "
            "ORDER BY sort_key, pk LIMIT ? OFFSET ?",
            (limit, offset),
        )
    )


def position(execute: Execute, person_id: str) -> int | None:
    """The person's row in the list order of ``page`` (None where erased or unknown): a count
    of the people before them on the list's own index."""
    for (n,) in execute(
        "SELECT (SELECT count(*) FROM people AS p WHERE p.deleted = 0 "
        "AND (p.sort_key, p.pk) < (me.sort_key, me.pk)) "
        "FROM people AS me WHERE me.id = ? AND me.deleted = 0",
        (person_id,),
    ):
        return int(n)
    return None


def entry(execute: Execute, person_id: str) -> PersonListEntry | None:
    """One person as the people list shows them (None where erased or unknown)."""
    found = _entries(
        execute(f"SELECT {_LIST_COLUMNS} FROM people WHERE id = ? AND deleted = 0", (person_id,))
    )
    return found[0] if found else None


def word_ranges(word: str) -> list[str]:
    """Token prefixes one typed word may match: a name, or a date of birth / phone number."""
    if any(ch.isdigit() for ch in word):
        prefixes = []
        if DATE_WORD.match(word):
            prefixes.append(f"d:{word}")
        number = phone_query(word)
        if len(number) >= 3:
            prefixes.append(f"p:{number}")
        return prefixes
    return query_alternatives(word)


def search(execute: Execute, query: str, limit: int = 50) -> list[PersonListEntry]:
    """Type-ahead search: every typed word must prefix-match one of the person's tokens.

    Ranked by the matched token (an exact name sorts before longer ones), then by name.
    Runs as B-tree range scans over ``search_tokens``, never a full scan.
    """
    words = query.split()
    if words and all(DATE_WORD.match(w) or w in "+()" for w in words) and len(words) > 1:
        words = ["".join(words)]  # "0170 123 45" is one phone number
    alternatives = [alts for w in words if (alts := word_ranges(w))]
    if not alternatives:
        return []
    # Drive the scan by the most selective word (the longest prefix), filter by the rest.
    alternatives.sort(key=lambda alts: -max(len(a) for a in alts))
    driving, others = alternatives[0], alternatives[1:]
    filters = ""
    filter_params: list[str] = []
    for n, alts in enumerate(others):
        ranges = " OR ".join(f"(also{n}.token >= ? AND also{n}.token < ?)" for _ in alts)
        filters += (
            f" AND EXISTS (SELECT 1 FROM search_tokens AS also{n}"
            f" WHERE also{n}.person_pk = t.person_pk AND ({ranges}))"
        )
        for a in alts:
            filter_params += [a, a + PREFIX_END]
    statement = (
        "SELECT t.person_pk FROM search_tokens AS t WHERE t.token >= ? AND t.token < ?"
        f"{filters} ORDER BY t.token, t.sort_key LIMIT ?"
    )
    seen: dict[int, None] = {}
    for prefix in driving:
        if len(seen) >= limit:
            break
        params = [prefix, prefix + PREFIX_END, *filter_params, limit * 4]
        for (person_pk,) in execute(statement, params):
            seen.setdefault(person_pk, None)
            if len(seen) >= limit:
                break
    pks = list(seen)
    if not pks:
        return []
    # Filtering "deleted" in SQL here would make SQLite prefer the list index and scan
    # every person; rowid lookups plus a check in Python stay well under a millisecond.
    marks = ", ".join("?" for _ in pks)
    rows = execute(
        f"SELECT pk, deleted, {_LIST_COLUMNS}, id_document_name FROM people WHERE pk IN ({marks})",
        pks,
    )
    by_pk = {row[0]: row[2:] for row in rows if not row[1]}
    names = [alts for alts in alternatives if not alts[0].startswith(("d:", "p:"))]
    found = []
    for pk in pks:
        if (row := by_pk.get(pk)) is not None:
            pid, family, given, born, nationality, phone, id_name = row
            found_as = _found_as(names, family, given, id_name)
            found.append(PersonListEntry(pid, family, given, born, nationality, phone, found_as))
    return found


def _found_as(words: list[list[str]], family_name: str, given_name: str, id_name: str) -> str:
    """``id_name`` if a typed name word (``words``: each one's prefixes) meets no token of the
    person's name, so that the search found them by the name as on the ID document; else ""."""
    if not id_name or not words:
        return ""
    tokens = name_tokens(family_name) | name_tokens(given_name)
    if all(any(t.startswith(prefix) for prefix in alts for t in tokens) for alts in words):
        return ""
    return id_name
