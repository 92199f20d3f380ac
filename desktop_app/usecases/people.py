"""Registering, finding and reading people; every read and change is checked and audited."""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Callable, Collection, Mapping, Sequence
from dataclasses import replace
from typing import Any

from sqlalchemy import insert
from sqlalchemy.orm import Session as DbSession

from desktop_app.domain import check_facts
from desktop_app.domain.check_facts import CHECK_FACTS, FactsTakenOver
from desktop_app.domain.hlc import SentField, field_clocks_after_change
from desktop_app.domain.permissions import Action, allowed, require
from desktop_app.domain.person import (
    PERSON_FIELDS,
    Person,
    PersonDraft,
    check_id_document_name,
    person_values,
    validate_person,
)
from desktop_app.domain.users import User
from desktop_app.domain.validation import FieldError, ValidationFailed
from desktop_app.storage.db import Store
from desktop_app.storage.models import OutboxRow, sent_text, table, unsent_since
from desktop_app.storage.people_repo import PeopleRepository, PersonListEntry
from desktop_app.sync.conflict_records import record_edit_conflicts, synced_state
from desktop_app.usecases import audit

#: The life-situation check's answer with the name as on the ID document, in Latin letters: it
#: fills in the person's field where that is empty (``take_over_check_facts``).
ID_NAME_ANSWER = "name_latin"


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
    user: User,
    draft: PersonDraft,
    *,
    confirm_duplicates: bool = False,
    today: dt.date | None = None,
) -> Person:
    """Validate and store a new person with search tokens, outbox and audit entry, atomically."""
    require(user, Action.REGISTER_PERSON)
    person = _stamp(store, validate_person(draft, today or dt.date.today()), user.id)
    with store.transaction() as session:
        repo = PeopleRepository(session)
        if not confirm_duplicates and (candidates := repo.likely_duplicates(person)):
            raise DuplicatesFound(candidates)
        repo.add(person)
        session.add(
            OutboxRow(record_kind="person", record_id=person.id, revision=1, hlc=person.updated_hlc)
        )
        audit.record_in(session, store, user.id, audit.AuditAction.CREATE, "person", person.id)
    return person


#: What a registration typed may fill into the existing entry opened instead: where that
#: entry has none (the date of birth: where it refines the entry's).
COMPLETED_FROM_REGISTRATION = ("sex", "nationality", "languages", "phone", "id_document_name")


def complete_from_registration(
    store: Store,
    user: User,
    person_id: str,
    draft: PersonDraft,
    *,
    today: dt.date | None = None,
) -> tuple[str, ...]:
    """What a registration typed of the person onto the existing entry the duplicate check
    found and the user opened instead, where the entry lacks it: a date of birth that refines
    the entry's (1989 → 20.02.1989, from the ID card now), sex, nationality, languages, phone,
    the name as on the ID document. Nothing recorded is replaced, the names never. The fields
    filled (``PERSON_FIELDS`` order); none for a draft that does not validate or a user who
    may not change a person's details. One change, synced and audited as an edit is."""
    if not allowed(user, Action.EDIT_PERSON):
        return ()
    try:
        typed = validate_person(draft, today or dt.date.today())
    except ValidationFailed:
        return ()
    with store.transaction() as session:
        current = PeopleRepository(session).get(person_id)
        if current is None:
            return ()
        values: dict[str, Any] = {}
        had, new = current.date_of_birth, typed.date_of_birth
        if new is not None and (
            had is None or (len(new.iso()) > len(had.iso()) and new.iso().startswith(had.iso()))
        ):
            values["date_of_birth"] = new
        for name in COMPLETED_FROM_REGISTRATION:
            if getattr(typed, name) and not getattr(current, name):
                values[name] = getattr(typed, name)
        if values:
            _write_change(session, store, user, current, replace(current, **values), set(values))
    return tuple(name for name in PERSON_FIELDS if name in values)


def register_many(store: Store, user: User, drafts: Sequence[PersonDraft]) -> int:
    """Store many valid people in one transaction (demo data, imports); all or nothing.

    One audit entry covers the whole import (its count), not one per person.
    """
    require(user, Action.REGISTER_PERSON)
    today = dt.date.today()
    people = [_stamp(store, validate_person(d, today), user.id) for d in drafts]
    with store.transaction() as session:
        PeopleRepository(session).add_many(people)
        session.connection().execute(
            insert(table(OutboxRow)),
            [
                {"record_kind": "person", "record_id": p.id, "revision": 1, "hlc": p.updated_hlc}
                for p in people
            ],
        )
        audit.record_in(
            session,
            store,
            user.id,
            audit.AuditAction.CREATE,
            "person",
            "",
            {"import_count": len(people)},
        )
    return len(people)


def search_people(store: Store, query: str, limit: int = 50) -> list[PersonListEntry]:
    with store.reading() as session:
        return PeopleRepository(session).search(query, limit)


def list_people(store: Store, offset: int, limit: int) -> list[PersonListEntry]:
    with store.reading() as session:
        return PeopleRepository(session).page(offset, limit)


def list_entry(store: Store, person_id: str) -> tuple[PersonListEntry | None, bool]:
    """The person as the people list shows them, and whether they were erased. Like the list
    and the search it logs no view: a name is not a look at the record."""
    with store.reading() as session:
        repo = PeopleRepository(session)
        return repo.entry(person_id), repo.is_erased(person_id)


def list_position(store: Store, person_id: str) -> int | None:
    """The person's row in the whole people list (``list_people``'s order); None where erased
    or unknown. Like the list it logs no view."""
    with store.reading() as session:
        return PeopleRepository(session).position(person_id)


def count_people(store: Store) -> int:
    with store.reading() as session:
        return PeopleRepository(session).count()


def get_person(store: Store, user: User, person_id: str, *, log_view: bool = True) -> Person | None:
    """Read a person's record; the read is written to the audit log (``log_view=False`` only for
    re-reads of an already logged view inside one use case)."""
    require(user, Action.VIEW_PERSON)
    with store.reading() as session:
        person = PeopleRepository(session).get(person_id)
    if person is not None and log_view:
        audit.record(store, user, audit.AuditAction.VIEW, "person", person_id)
    return person


def possible_duplicates(store: Store, person: Person) -> list[PersonListEntry]:
    """Others with the same name (in any script) and date of birth as ``person``: registered
    twice, often on two laptops offline, where registering could not warn about the other.
    Not by phone, as registering warns: a family shares one phone, and would be named on
    each other's pages for good."""
    with store.reading() as session:
        repo = PeopleRepository(session)
        found = repo.likely_duplicates(replace(person, phone=""))
        apart = repo.told_apart(person.id) if found else set()
    # Those an advisor decided are someone else (``usecases.duplicates``) are not named again.
    return [entry for entry in found if entry.id not in apart]


def update_person(
    store: Store,
    user: User,
    person_id: str,
    draft: PersonDraft,
    *,
    today: dt.date | None = None,
    also: Callable[[DbSession], None] | None = None,
    base: Person | None = None,
    with_changes: Callable[[DbSession, set[str]], None] | None = None,
) -> Person:
    """Change a person's details; only changed fields get a new clock, so edits merge per field.

    ``also`` writes something that belongs to the change in the same transaction (a conflict
    the change decides), changed or not; ``with_changes`` is told the fields that change (none:
    an empty set) before they are written, and may refuse by raising. With ``base``, the person
    as the edit began (a dialog open while a sync ran), a field the edit left as it was keeps
    its value now."""
    require(user, Action.EDIT_PERSON)
    checked = validate_person(draft, today or dt.date.today())
    with store.transaction() as session:
        repo = PeopleRepository(session)
        current = repo.get(person_id)
        if current is None:
            raise KeyError(person_id)
        if also is not None:
            also(session)
        before, after = person_values(current), person_values(checked)
        edited, began = after, person_values(base) if base is not None else {}
        if base is not None:
            untouched = [name for name in PERSON_FIELDS if after[name] == began[name]]
            checked = replace(checked, **{name: getattr(current, name) for name in untouched})
            after = person_values(checked)
        changed = {name for name in PERSON_FIELDS if before[name] != after[name]}
        if with_changes is not None:
            with_changes(session, changed)
        if not changed:
            return current
        stored = synced_state(session, "person", person_id) if base is not None else None
        updated = _write_change(session, store, user, current, checked, changed)
        if stored is not None:
            record_edit_conflicts(session, store, stored, began, edited, person_id)
    return updated


def _write_change(
    session: DbSession,
    store: Store,
    user: User,
    current: Person,
    changed_to: Person,
    changed: set[str],
) -> Person:
    """``current`` as ``changed_to`` (the fields named in ``changed`` differ): its next
    revision, with an outbox and an audit entry, in the caller's transaction."""
    return write_change_by(session, store, user.id, current, changed_to, changed)


def write_change_by(
    session: DbSession,
    store: Store,
    author_id: str,
    current: Person,
    changed_to: Person,
    changed: set[str],
) -> Person:
    """``_write_change`` by the user ``author_id``: also for a change the sync makes on a
    colleague's behalf (``merges.carry_over``: their change of an entry merged away)."""
    hlc = str(store.clock.now())
    noted: dict[str, SentField] = {}
    # Not ``models.next_revision``: a person goes through PeopleRepository as a domain
    # ``Person`` (its search tokens follow every write), and its field clocks are set
    # here, from the fields the edit changed, not from the row's history on flush.
    updated = replace(
        changed_to,
        id=current.id,
        revision=current.revision + 1,
        updated_hlc=hlc,
        device_id=store.device_id,
        author_id=author_id,
        field_clocks=field_clocks_after_change(
            PERSON_FIELDS,
            current.field_clocks,
            current.updated_hlc,
            changed,
            hlc,
            unsent_since(session, [current.id]).get(current.id),
            (person_values(current), person_values(changed_to)),
            noted,
        ),
    )
    PeopleRepository(session).replace(updated)
    session.add(
        OutboxRow(
            record_kind="person",
            record_id=current.id,
            revision=updated.revision,
            hlc=hlc,
            sent=sent_text(noted),
        )
    )
    audit.record_in(
        session,
        store,
        author_id,
        audit.AuditAction.CHANGE,
        "person",
        current.id,
        {"fields": ",".join(sorted(changed))},
    )
    return updated


def take_over_check_facts(
    session: DbSession,
    store: Store,
    user: User,
    person_id: str,
    answers: Mapping[str, Any],
    *,
    facts: tuple[str, ...] = CHECK_FACTS,
    asked: Collection[str] | None = None,
) -> FactsTakenOver:
    """What a life-situation check's ``answers`` say of the person, onto their record where it
    lacks it (the check starts from the record, see ``ui.visits.answers_from_person``), in the
    caller's transaction: one change of those fields (synced, audited, searched) as an edit in
    the person's details is. Of ``facts`` (``check_facts.CHECK_FACTS``), and the name as on the
    ID document (``ID_NAME_ANSWER``) in Latin letters; one in Cyrillic stays in the answers.
    Where the record holds another value it stays, and is named (``differing``) for the user
    to decide; of an edit, only the facts whose answers it changed (``asked``: the answers
    changed). Names and the date of birth are never touched. Nothing for a user who may not
    change a person's details."""
    if not allowed(user, Action.EDIT_PERSON):
        return FactsTakenOver()
    current = PeopleRepository(session).get(person_id)
    if current is None:
        return FactsTakenOver()
    missing, differing = check_facts.compare(current, answers, facts, _country_of)
    if asked is not None:
        differing = [
            d for d in differing if any(k in asked for k in check_facts.ANSWERS_OF[d.field])
        ]
    changed_to = check_facts.with_values(current, missing)
    name = answers.get(ID_NAME_ANSWER)
    if isinstance(name, str) and not current.id_document_name:
        errors: list[FieldError] = []
        value = check_id_document_name(name, errors)
        if value and not errors:
            changed_to = replace(changed_to, id_document_name=value)
    changed = {n for n in PERSON_FIELDS if getattr(changed_to, n) != getattr(current, n)}
    if changed:
        _write_change(session, store, user, current, changed_to, changed)
        current = PeopleRepository(session).get(person_id) or current  # its clocks as stored
    filled = tuple(n for n in (*CHECK_FACTS, "id_document_name") if n in changed)
    return FactsTakenOver(filled, tuple(differing), current)


def differences_now(
    session: DbSession,
    person_id: str,
    answers: Mapping[str, Any],
    fields: tuple[str, ...] = CHECK_FACTS,
) -> FactsTakenOver:
    """Where the person's record, as it is now, says otherwise than a check's ``answers``, of
    ``fields`` (a question held since the check was stored: a sync or a colleague may have
    changed the record meanwhile, or taken the check's value over); nothing where the person
    is gone. ``person`` is the record read, the base of ``take_over_differences``."""
    current = PeopleRepository(session).get(person_id)
    if current is None:
        return FactsTakenOver()
    _missing, differing = check_facts.compare(current, answers, fields, _country_of)
    return FactsTakenOver((), tuple(differing), current)


def _country_of(text: str) -> str | None:
    """The country a check's "Which nationality?" names, in any of the UI languages (CLDR's
    names, as an import reads them)."""
    from desktop_app.usecases.people_import import country_code  # its index: when asked

    return country_code(text)


def take_over_differences(
    store: Store, user: User, person_id: str, taken: FactsTakenOver
) -> Person:
    """The check's values where the record said otherwise (``taken.differing``), onto the
    record as an edit in the person's details: a field a sync changed since (``taken.person``
    as it was then) is a conflict, as any edit's."""
    base = taken.person
    if base is None:
        raise KeyError(person_id)
    values = person_values(base) | {d.field: d.checked for d in taken.differing}
    languages = tuple(code for code in values.pop("languages").split(",") if code)
    draft = PersonDraft(**values, languages=languages)
    return update_person(store, user, person_id, draft, base=base)
