"""Visits: drafts saved while typing, finishing and editing a visit, consent, quick contacts.

Every function owns its transaction, takes the logged-in ``User`` and checks the permissions
table first. Finished visits and consents hold cleaned answers only: :func:`finish_visit`
validates with the form engine first and stores nothing when anything is missing or malformed
(it raises :class:`~desktop_app.forms.InvalidAnswers`).

Restricted sections (``restricted: health|exploitation`` in the form definitions) are enforced
here: a helper to whom no advisor opened this person's case gets visits and drafts with those
answers removed (``Visit.withheld`` names the kinds), is refused when writing them
(``PermissionDenied``), and saving a visit or draft keeps the advisor's restricted answers
that the helper never saw. Every read of a person's visits and every change is audited; the
audit entry's record id is the person's id, so the person's access log finds all of them.
"""

from __future__ import annotations

import datetime as dt
import json
import uuid
from collections.abc import Callable, Collection, Mapping
from dataclasses import dataclass, field, replace
from functools import lru_cache
from threading import Lock
from typing import Any

from sqlalchemy import delete, select
from sqlalchemy.orm import Session as DbSession

from desktop_app.domain.check_facts import CHECK_FACTS, FactsTakenOver
from desktop_app.domain.hlc import Timestamp, entry_name, json_object
from desktop_app.domain.life_facts import CHILDREN_FIELD, corrected_entries
from desktop_app.domain.permissions import (
    RESTRICTED_KINDS,
    Action,
    PermissionDenied,
    allowed,
    require,
)
from desktop_app.domain.users import User
from desktop_app.domain.validation import FieldError as PlainFieldError
from desktop_app.domain.validation import ValidationFailed
from desktop_app.forms import FormDefinition, InvalidAnswers, clean, evaluate, load_shipped_forms
from desktop_app.forms.definition import FormDefinitionError
from desktop_app.forms.evaluator import FieldError, message
from desktop_app.forms.expressions import is_empty
from desktop_app.forms.newer import (
    recorded_in,
    shown_answers,
    unknown_answers,
    with_unknown_kept,
    worded_as,
)
from desktop_app.storage.db import Store
from desktop_app.storage.models import MetaRow, OutboxRow, UserRow, next_revision
from desktop_app.storage.people_repo import PeopleRepository
from desktop_app.storage.visits_models import (
    DRAFT_CONTENT,
    NEWEST_FIRST,
    CarriedDraftRow,
    ConsentRow,
    DraftRow,
    QuickContactRow,
    VisitRevisionRow,
    VisitRow,
    latest_finished,
)
from desktop_app.sync.conflict_records import record_edit_conflicts, synced_state
from desktop_app.usecases import audit, consent_texts, people, reference

VISIT_FORMS: tuple[str, ...] = ("life_situation", "skills_check")
# The life-situation check's answer with the name as on the ID document, in Latin letters: it
# fills in the person's field where that is empty (``people.take_over_check_facts``).
ID_NAME_ANSWER = people.ID_NAME_ANSWER
#: The form whose answers about the person go onto their record (``people.take_over_check_facts``).
LIFE_SITUATION = "life_situation"
CONSENT_FORM = "consent"
STEP_DECISIONS = frozenset({"accepted", "dismissed"})
DRAFT_MAX_CHARS = 2_000_000  # far above any real form; a runaway draft must not fill the disk


@lru_cache(maxsize=1)
def shipped_forms() -> dict[str, FormDefinition]:
    """The form definitions in resources/forms, loaded once."""
    return load_shipped_forms()


def form(form_id: str, store: Store | None = None) -> FormDefinition:
    """The definition in force in ``store`` (a coordinator may have published a newer one),
    or the shipped one without a store."""
    forms = reference.forms_in_force(store) if store is not None else shipped_forms()
    try:
        return forms[form_id]
    except KeyError:
        raise UnknownForm(form_id) from None


def form_recorded_in(
    store: Store, form_id: str, version: int, answers: Mapping[str, Any]
) -> FormDefinition:
    """The definition whose words a visit of ``form_id`` recorded with ``version`` was asked
    in, where this laptop knows it (the shipped forms, every one published here or received by
    sync, ``reference.known_forms``) and it names every answer; else the one in force
    (``forms.newer.recorded_in``). For telling the answers, not for what they may show:
    restrictions are the form in force's."""
    in_force = form(form_id, store)
    return recorded_in(reference.known_forms(store), in_force, version, answers) or in_force


def recorded_version(
    store: Store, definition: FormDefinition, version: int
) -> tuple[FormDefinition | None, FormDefinition]:
    """For a visit recorded with ``version`` of the form ``definition`` is in force of: that
    version's definition where it is an earlier one known here (None otherwise), and the
    definition to show the visit with: ``definition`` in that version's words where known
    (``forms.newer.worded_as``; questions added since in their own). The visit window, the
    conflict view and the visit history's changed answers tell an older check so."""
    if not 0 < version < definition.version:
        return None, definition
    older = reference.form_of_version(store, definition.id, version)
    if older is None:
        return None, definition
    return older, _worded(definition, older)


# The form in force in an earlier version's words, by the two definitions (held here, so their
# ids are not reused): the history and the conflict view ask for it row by row, and rewording
# parses the form again. The definitions are the ones ``reference`` keeps while unchanged.
_WORDED_KEPT = 8
_worded_lock = Lock()
_worded_cache: dict[tuple[int, int], tuple[FormDefinition, FormDefinition, FormDefinition]] = {}


def _worded(definition: FormDefinition, older: FormDefinition) -> FormDefinition:
    key = (id(definition), id(older))
    with _worded_lock:
        found = _worded_cache.get(key)
    if found is not None:
        return found[2]
    try:
        worded = worded_as(definition, older)
    except FormDefinitionError:  # words the form in force refuses: its own are shown
        worded = definition
    with _worded_lock:
        while len(_worded_cache) >= _WORDED_KEPT:
            del _worded_cache[next(iter(_worded_cache))]
        _worded_cache[key] = (definition, older, worded)
    return worded


def form_worded_as_recorded(store: Store, form_id: str, version: int) -> FormDefinition:
    """The form ``form_id`` in force, in the words of ``version`` where that is an earlier
    version known here (``recorded_version``). Raises ``UnknownForm`` as ``form`` does."""
    return recorded_version(store, form(form_id, store), version)[1]


class UnknownForm(KeyError):
    pass


class VisitNotFound(LookupError):
    pass


class PersonErased(LookupError):
    """The person was erased (here, or a sync brought the erasure) while their form was open:
    a visit stored now would be data about them again, and go out to every laptop."""

    code = "person_erased"


def _now() -> str:
    return dt.datetime.now(dt.UTC).isoformat(timespec="seconds")


def changed_at(hlc: str) -> str:
    """When a record was last changed on some laptop, from its clock (``updated_hlc``), as an
    ISO timestamp in UTC as ``finished_at`` is written: an edited visit's current version was
    saved then."""
    moment = dt.datetime.fromtimestamp(Timestamp.parse(hlc).wall_ms / 1000, dt.UTC)
    return moment.isoformat(timespec="seconds")


def day_of(started_at: str | None, today: dt.date | None = None) -> dt.date:
    """The day a visit's form is checked for: the day it was begun (``started_at``, on this
    laptop's calendar, as the list of conflicts names the visit's day), for as long as it is
    kept, edited or merged. Ages, the time since a date and the dates not allowed after it are
    measured to this day: checked against the day of an edit, a woman aged 55 at the visit and
    57 at the edit lost her pregnancy answers ("not asked" from 56 on), and two laptops merging
    the same changes on different days found different conflicts. ``today`` (default: the
    wall clock's) where no start is known."""
    try:
        begun = dt.datetime.fromisoformat(started_at or "")
    except ValueError:
        return today or dt.date.today()
    if begun.tzinfo is not None:
        begun = begun.astimezone()
    return begun.date()


def _dump(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"), sort_keys=True)


# ---------------------------------------------------------------------------------------------
# records handed to the UI


@dataclass(frozen=True)
class Draft:
    person_id: str
    form_id: str
    answers: dict[str, Any]
    next_steps: dict[str, str]
    visit_id: str  # "" for a new visit, else the visit being edited
    started_at: str
    updated_at: str
    withheld: tuple[str, ...] = ()
    """Restriction kinds whose answers were removed for the reading user."""
    day: dt.date | None = None
    """The day its form is checked for (``day_of``): the visit's when it edits one, else the
    day the draft was begun (the day the visit it finishes is stored as begun)."""
    # Editing a finished visit: its answers and next steps when the edit began (``edit_visit``
    # changes only what differs from them); None for a new visit or a draft from before.
    base: VisitBase | None = None
    form_version: int = 0
    """The version of its form the draft was begun in; 0 for a draft from before it was kept."""


@dataclass(frozen=True)
class CarriedDraft:
    """A draft of an entry merged into this person's, of a form this person's entry had begun
    too (``merges.carry_drafts``): kept beside their own until continued or discarded."""

    draft: Draft
    carried_from: str  # the entry merged away
    author: str  # who typed it last: the account's name here ("" where it is gone)


@dataclass(frozen=True)
class VisitBase:
    """The answers and next steps an edit of a finished visit started from."""

    answers: dict[str, Any]
    next_steps: dict[str, str]


@dataclass(frozen=True)
class VisitRevision:
    revision: int
    form_version: int
    answers: dict[str, Any]
    next_steps: dict[str, str]
    author_id: str
    saved_at: str


@dataclass(frozen=True)
class Visit:
    id: str
    person_id: str
    form_id: str
    form_version: int
    answers: dict[str, Any]
    next_steps: dict[str, str]
    revision: int
    started_at: str
    finished_at: str
    author_id: str
    updated_hlc: str
    earlier: list[VisitRevision] = field(default_factory=list)
    """Earlier revisions, newest first (filled by :func:`visit_history`)."""
    withheld: tuple[str, ...] = ()
    """Restriction kinds (``health``, ``exploitation``) whose answers were removed because the
    reading user may not see them; the UI says so instead of showing the sections."""
    facts: FactsTakenOver | None = None
    """Of a life-situation check just finished or edited: what it took onto the person's
    record and where the record says otherwise (``people.take_over_check_facts``)."""


@dataclass(frozen=True)
class ConsentRecord:
    id: str
    person_id: str
    purpose: str
    granted: bool
    text_version: str
    language: str
    given_on: str
    how: str
    witness: str
    shared_with: str
    updated_hlc: str


@dataclass(frozen=True)
class QuickContact:
    contact_date: dt.date
    session_language: str
    topics: tuple[str, ...]
    referral_given: bool
    nationality: str = ""
    sex: str = ""


def _visit(row: VisitRow) -> Visit:
    return Visit(
        id=row.id,
        person_id=row.person_id,
        form_id=row.form_id,
        form_version=row.form_version,
        answers=json.loads(row.answers),
        next_steps=json.loads(row.next_steps),
        revision=row.revision,
        started_at=row.started_at,
        finished_at=row.finished_at,
        author_id=row.author_id,
        updated_hlc=row.updated_hlc,
    )


def _draft(row: DraftRow | CarriedDraftRow, session: DbSession) -> Draft:
    return Draft(
        person_id=row.person_id,
        form_id=row.form_id,
        answers=json.loads(row.answers),
        next_steps=json.loads(row.next_steps),
        visit_id=row.visit_id,
        started_at=row.started_at,
        updated_at=row.updated_at,
        day=_draft_day(session, row),
        base=_base_from(row.base),
        form_version=row.form_version,
    )


def _draft_day(session: DbSession, row: DraftRow | CarriedDraftRow) -> dt.date:
    """The day a draft's form is checked for: that of the visit it edits, else its own."""
    if row.visit_id:
        begun = session.scalar(select(VisitRow.started_at).where(VisitRow.id == row.visit_id))
        if begun is not None:
            return day_of(begun)
    return day_of(row.started_at)


def _base_from(text: str) -> VisitBase | None:
    loaded = json_object(text)
    answers, steps = loaded.get("answers"), loaded.get("next_steps")
    if not isinstance(answers, dict) or not isinstance(steps, dict):
        return None
    return VisitBase(answers, steps)


def _rebased(
    edited: Mapping[str, Any], base: Mapping[str, Any], current: Mapping[str, Any]
) -> dict[str, Any]:
    """``edited`` on top of ``current``: what the edit left as it was in ``base`` takes its
    value now (changed by a sync meanwhile, e.g. on another laptop), the rest the edit's."""
    result: dict[str, Any] = {}
    for key in edited.keys() | base.keys() | current.keys():
        source = edited if _edited(key, edited, base) else current
        if key in source:
            result[key] = source[key]
    return result


def _edited(key: str, edited: Mapping[str, Any], base: Mapping[str, Any]) -> bool:
    return (key in edited) != (key in base) or edited.get(key) != base.get(key)


def _consent(row: ConsentRow) -> ConsentRecord:
    return ConsentRecord(
        id=row.id,
        person_id=row.person_id,
        purpose=row.purpose,
        granted=row.granted,
        text_version=row.text_version,
        language=row.language,
        given_on=row.given_on,
        how=row.how,
        witness=row.witness,
        shared_with=row.shared_with,
        updated_hlc=row.updated_hlc,
    )


# ---------------------------------------------------------------------------------------------
# restricted sections


def withheld_kinds(store: Store, user: User, person_id: str) -> frozenset[str]:
    """Restriction kinds of this person's forms that ``user`` may not read or write.

    Empty for advisors and coordinators; for a helper, every kind an advisor has not opened
    to them for this person (``access.open_case_to_helper``).
    """
    if allowed(user, Action.VIEW_RESTRICTED):
        return frozenset()
    from desktop_app.usecases import access  # access registers a person-data source at import

    return frozenset(RESTRICTED_KINDS) - access.opened_kinds(store, user, person_id)


def _form_withheld(definition: FormDefinition, withheld: frozenset[str]) -> tuple[str, ...]:
    return tuple(sorted(withheld & definition.restricted_kinds()))


def _split(
    definition: FormDefinition, answers: Mapping[str, Any], withheld: frozenset[str]
) -> tuple[dict[str, Any], dict[str, Any]]:
    """(answers the user may see, restricted answers withheld from them). Answers to
    questions this laptop's form does not have (a newer version's) are withheld too: whether
    they are restricted is not known here."""
    if not withheld:
        return dict(answers), {}
    hidden_fields = definition.withheld_fields(withheld)

    def hidden_key(key: str) -> bool:
        return key in hidden_fields or not _known(definition, key)

    visible = {k: v for k, v in answers.items() if not hidden_key(k)}
    hidden = {k: v for k, v in answers.items() if hidden_key(k)}
    return visible, hidden


def _known(definition: FormDefinition, field_id: str) -> bool:
    try:
        definition.field(field_id)
    except KeyError:
        return False
    return True


def _refuse_restricted_answers(
    definition: FormDefinition, answers: Mapping[str, Any], withheld: frozenset[str]
) -> None:
    """A user who may not read a restricted kind may not write it either."""
    if not withheld:
        return
    hidden_fields = definition.withheld_fields(withheld)
    for key, value in answers.items():
        if key in hidden_fields and not is_empty(value):
            raise PermissionDenied(
                Action.VIEW_RESTRICTED, f"write {definition.restriction_of(key)}"
            )


def _following_corrections(
    definition: FormDefinition,
    before: Mapping[str, Any],
    after: Mapping[str, Any],
    hidden: dict[str, Any],
) -> dict[str, Any]:
    """``hidden`` (restricted answers a helper's save keeps) with the entries of a group that
    follows another moved along where the helper corrected that group's entry in place: a
    child's insurance stays the child's when the helper fixes the name. Kept about the name
    as it was, it counted for no child, and the steps it suggested went unseen."""
    moved = dict(hidden)
    for f in definition.fields():
        entries = hidden.get(f.id)
        if f.follows is None or not isinstance(entries, list):
            continue
        group = definition.field(f.follows)
        keys = [s.id for s in f.fields or [] if group.subfield(s.id) is not None]
        entries = list(entries)
        for old, new in corrected_entries(before.get(f.follows), after.get(f.follows), keys):
            for index, entry in enumerate(entries):
                if isinstance(entry, dict) and [entry.get(k) for k in keys] == old:
                    rest = {k: v for k, v in entry.items() if k not in keys}
                    named = {k: v for k, v in zip(keys, new, strict=True) if v is not None}
                    entries[index] = named | rest
                    break
        moved[f.id] = entries
    return moved


def _visible_steps(
    definition: FormDefinition,
    visible: Mapping[str, Any],
    decisions: Mapping[str, str],
    withheld: frozenset[str],
    day: dt.date,
    consents: Collection[str] | None = None,
) -> dict[str, str]:
    """Decisions on next steps the user's own view of the answers suggests (a step suggested
    only by restricted answers would tell what those answers are), checked for ``day`` (the
    visit's, ``day_of``)."""
    if not withheld or not decisions:
        return dict(decisions)
    state = evaluate(
        definition,
        visible,
        today=day,
        require_complete=False,
        consents=consents,
        withheld=withheld,
    )
    suggested = {step.id for step in state.next_steps}
    return {k: v for k, v in decisions.items() if k in suggested}


# ---------------------------------------------------------------------------------------------
# drafts


def _check_decisions(decisions: Mapping[str, str] | None) -> dict[str, str]:
    out: dict[str, str] = {}
    for key, value in (decisions or {}).items():
        if not isinstance(key, str) or value not in STEP_DECISIONS:
            raise ValidationFailed([PlainFieldError("next_steps", "unknown_option")])
        out[key] = value
    return out


def _draft_for(store: Store, user: User, draft: Draft) -> Draft:
    """The draft as ``user`` may see it: restricted answers removed for a helper."""
    withheld = withheld_kinds(store, user, draft.person_id)
    if not withheld:
        return draft
    definition = form(draft.form_id, store)
    day = draft.day or day_of(draft.started_at)
    visible, _hidden = _split(definition, draft.answers, withheld)
    base = draft.base
    if base is not None:
        seen = _split(definition, base.answers, withheld)[0]
        base = VisitBase(seen, _visible_steps(definition, seen, base.next_steps, withheld, day))
    return replace(
        draft,
        answers=visible,
        next_steps=_visible_steps(definition, visible, draft.next_steps, withheld, day),
        withheld=_form_withheld(definition, withheld),
        base=base,
    )


def save_draft(
    store: Store,
    user: User,
    person_id: str,
    form_id: str,
    answers: Mapping[str, Any],
    *,
    next_steps: Mapping[str, str] | None = None,
    visit_id: str = "",
    base: VisitBase | None = None,
) -> Draft:
    """Keep the answers typed so far (any state, also half-valid) until finished or discarded.

    Editing a finished visit (``visit_id``), ``base`` is what the edit started from; the
    draft keeps the first one given.

    A helper may not type restricted answers (``PermissionDenied``); restricted answers an
    advisor left in the same draft are kept as they were. Nothing is kept about a person
    erased meanwhile (``PersonErased``).
    """
    require(user, Action.FILL_FORMS)
    definition = form(form_id, store)
    withheld = withheld_kinds(store, user, person_id)
    _refuse_restricted_answers(definition, answers, withheld)
    decided = _check_decisions(next_steps)
    now = _now()
    with store.transaction() as session:
        # A form left open while a sync brought the person's erasure (which deleted their
        # drafts): its autosave must not keep their answers on this laptop again.
        if PeopleRepository(session).is_erased(person_id):
            raise PersonErased(person_id)
        row = session.get(DraftRow, (person_id, form_id))
        merged = dict(answers)
        if withheld and row is not None:
            before_answers = json.loads(row.answers)
            seen_answers, hidden = _split(definition, before_answers, withheld)
            merged.update(_following_corrections(definition, before_answers, answers, hidden))
            before_steps = json.loads(row.next_steps)
            day = _draft_day(session, row)
            seen = _visible_steps(definition, seen_answers, before_steps, withheld, day)
            decided = {**{k: v for k, v in before_steps.items() if k not in seen}, **decided}
        text = _dump(merged)
        if len(text) > DRAFT_MAX_CHARS:
            raise ValidationFailed([PlainFieldError("answers", "too_long")])
        if row is None:
            row = DraftRow(
                person_id=person_id,
                form_id=form_id,
                visit_id=visit_id,
                author_id=user.id,
                started_at=now,
                form_version=definition.version,
            )
            session.add(row)
        row.answers = text
        row.next_steps = _dump(decided)
        row.updated_at = now
        row.author_id = user.id
        if visit_id:
            row.visit_id = visit_id
        if base is not None and not row.base:
            row.base = _dump({"answers": base.answers, "next_steps": base.next_steps})
        draft = _draft(row, session)
    return _draft_for(store, user, draft)


def load_draft(store: Store, user: User, person_id: str, form_id: str) -> Draft | None:
    """The open draft of this person and form, as ``user`` may see it."""
    require(user, Action.FILL_FORMS)
    with store.reading() as session:
        row = session.get(DraftRow, (person_id, form_id))
        draft = _draft(row, session) if row is not None else None
    return _draft_for(store, user, draft) if draft is not None else None


def discard_draft(store: Store, user: User, person_id: str, form_id: str) -> bool:
    require(user, Action.FILL_FORMS)
    with store.transaction() as session:
        result = session.execute(
            delete(DraftRow).where(DraftRow.person_id == person_id, DraftRow.form_id == form_id)
        )
        return bool(getattr(result, "rowcount", 0))


def list_open_drafts(store: Store, user: User, person_id: str | None = None) -> list[Draft]:
    """Drafts left open (e.g. after a crash), newest first; offered again at start-up. With
    ``person_id``, that person's only: what their page says is still to be finished."""
    require(user, Action.FILL_FORMS)
    query = select(DraftRow).order_by(DraftRow.updated_at.desc())
    if person_id is not None:
        query = query.where(DraftRow.person_id == person_id)
    with store.reading() as session:
        rows = session.scalars(query).all()
        drafts = [_draft(row, session) for row in rows]
    return [_draft_for(store, user, draft) for draft in drafts]


class OwnDraftHeld(LookupError):
    """The person has a draft of that form of their own: continuing the carried one in its
    place discards it, so the user is asked first (``replace_own``)."""


def list_carried_drafts(
    store: Store, user: User, person_id: str | None = None
) -> list[CarriedDraft]:
    """The drafts of entries merged into ``person_id``'s kept beside their own (oldest begun
    first), as ``user`` may see them: what their page offers to continue or discard. Without
    ``person_id``, everyone's: listed with the unfinished forms at start-up."""
    require(user, Action.FILL_FORMS)
    query = (
        select(CarriedDraftRow, UserRow.display_name)
        .outerjoin(UserRow, UserRow.id == CarriedDraftRow.author_id)
        .order_by(CarriedDraftRow.started_at, CarriedDraftRow.form_id)
    )
    if person_id is not None:
        query = query.where(CarriedDraftRow.person_id == person_id)
    with store.reading() as session:
        rows = session.execute(query).all()
        found = [(_draft(row, session), row.carried_from, name or "") for row, name in rows]
    return [CarriedDraft(_draft_for(store, user, d), source, name) for d, source, name in found]


def continue_carried_draft(
    store: Store,
    user: User,
    person_id: str,
    form_id: str,
    carried_from: str,
    *,
    replace_own: bool = False,
) -> Draft:
    """Make the carried draft the person's draft of its form, to be continued as any. Where
    the person has one of that form, raises ``OwnDraftHeld`` unless ``replace_own`` (then
    theirs is discarded). Raises ``LookupError`` if the carried draft is gone (discarded or
    continued meanwhile, or the person erased)."""
    require(user, Action.FILL_FORMS)
    with store.transaction() as session:
        carried = session.get(CarriedDraftRow, (person_id, form_id, carried_from))
        if carried is None:
            raise LookupError(form_id)
        own = session.get(DraftRow, (person_id, form_id))
        if own is not None:
            if not replace_own:
                raise OwnDraftHeld(form_id)
            session.delete(own)
            session.flush()
        row = DraftRow(
            person_id=person_id,
            form_id=form_id,
            **{name: getattr(carried, name) for name in DRAFT_CONTENT},
        )
        session.add(row)
        session.delete(carried)
        draft = _draft(row, session)
    return _draft_for(store, user, draft)


def discard_carried_draft(
    store: Store, user: User, person_id: str, form_id: str, carried_from: str
) -> bool:
    require(user, Action.FILL_FORMS)
    with store.transaction() as session:
        result = session.execute(
            delete(CarriedDraftRow).where(
                CarriedDraftRow.person_id == person_id,
                CarriedDraftRow.form_id == form_id,
                CarriedDraftRow.carried_from == carried_from,
            )
        )
        return bool(getattr(result, "rowcount", 0))


# ---------------------------------------------------------------------------------------------
# consent


def _granted(session: DbSession, person_id: str) -> frozenset[str]:
    latest: dict[str, tuple[str, bool]] = {}
    rows = session.execute(
        select(ConsentRow.purpose, ConsentRow.granted, ConsentRow.updated_hlc).where(
            ConsentRow.person_id == person_id, ConsentRow.deleted.is_(False)
        )
    )
    for purpose, granted, hlc in rows:
        if purpose not in latest or hlc > latest[purpose][0]:
            latest[purpose] = (hlc, granted)
    return frozenset(p for p, (_hlc, granted) in latest.items() if granted)


def granted_purposes(store: Store, user: User, person_id: str) -> frozenset[str]:
    """Purposes the person currently consents to (the latest record per purpose counts)."""
    require(user, Action.VIEW_PERSON)
    with store.reading() as session:
        return _granted(session, person_id)


def record_consent(
    store: Store,
    user: User,
    person_id: str,
    answers: Mapping[str, Any],
    *,
    today: dt.date | None = None,
) -> list[ConsentRecord]:
    """Store one record per purpose from a completed consent form (raises InvalidAnswers)."""
    require(user, Action.FILL_FORMS)
    consent_form = form(CONSENT_FORM, store)
    cleaned = clean(consent_form, answers, today=today, require_complete=True)
    records: list[ConsentRecord] = []
    with store.transaction() as session:
        # The wording stays readable for the data copy once this form is no longer in force.
        consent_texts.keep_form(session, consent_form)
        for f in consent_form.fields():
            if f.purpose is None or f.id not in cleaned:
                continue
            hlc = str(store.clock.now())
            row = ConsentRow(
                id=str(uuid.uuid4()),
                revision=1,
                updated_hlc=hlc,
                device_id=store.device_id,
                author_id=user.id,
                deleted=False,
                field_clocks="{}",
                person_id=person_id,
                purpose=f.purpose,
                granted=cleaned[f.id] == "given",
                text_version=consent_form.text_version or str(consent_form.version),
                language=cleaned["consent_language"],
                given_on=cleaned["consent_date"],
                how=cleaned.get("consent_form", ""),
                witness=cleaned.get("witness", ""),
                shared_with=cleaned.get("shared_with_service", "")
                if f.purpose == "referral_sharing"
                else "",
            )
            session.add(row)
            # Which wording exactly: another text may be kept under the same version.
            wording = consent_form.consent_text(row.text_version, f.purpose)
            if wording:
                consent_texts.note_wording(session, row.id, wording)
            session.add(OutboxRow(record_kind="consent", record_id=row.id, revision=1, hlc=hlc))
            records.append(_consent(row))
        audit.record_in(
            session,
            store,
            user.id,
            audit.AuditAction.CREATE,
            "consent",
            person_id,
            {"purposes": ",".join(sorted(r.purpose for r in records))},
        )
    return records


def consents_of(store: Store, user: User, person_id: str) -> list[ConsentRecord]:
    """Every consent record of the person, newest first."""
    require(user, Action.VIEW_PERSON)
    with store.reading() as session:
        rows = session.scalars(
            select(ConsentRow)
            .where(ConsentRow.person_id == person_id, ConsentRow.deleted.is_(False))
            .order_by(ConsentRow.updated_hlc.desc())
        ).all()
        return [_consent(row) for row in rows]


# ---------------------------------------------------------------------------------------------
# visits


def _validated(
    store: Store,
    form_id: str,
    answers: Mapping[str, Any],
    consents: Collection[str],
    day: dt.date,
    next_steps: Mapping[str, str] | None,
    *,
    withheld: frozenset[str] = frozenset(),
    kept_answers: Mapping[str, Any] | None = None,
    kept_steps: Mapping[str, str] | None = None,
    optional: Collection[str] = (),
) -> tuple[FormDefinition, dict[str, Any], dict[str, str]]:
    """Validated answers and next-step decisions of a visit about to be stored, checked for
    ``day``: the visit's (``day_of``).

    With ``withheld`` (a helper's unopened restriction kinds) restricted answers are refused,
    the restricted sections are closed for validation, and the restricted answers and step
    decisions of the stored visit or draft (``kept_answers``, ``kept_steps``) are carried over
    unchanged, so the helper's save loses nothing an advisor recorded. ``optional``: questions
    the visit was not asked (``not_asked``), which need no answer.
    """
    if form_id not in VISIT_FORMS:
        raise UnknownForm(form_id)
    definition = form(form_id, store)
    _refuse_restricted_answers(definition, answers, withheld)
    state = evaluate(
        definition,
        answers,
        today=day,
        require_complete=True,
        consents=consents,
        withheld=withheld,
        optional=optional,
    )
    if state.errors:
        raise InvalidAnswers(state.errors)
    suggested = {step.id for step in state.next_steps}
    # decisions about steps no longer suggested are dropped with them
    decisions = {k: v for k, v in _check_decisions(next_steps).items() if k in suggested}
    cleaned = state.answers
    if withheld and (kept_answers or kept_steps):
        _seen, hidden = _split(definition, kept_answers or {}, withheld)
        hidden = _following_corrections(definition, kept_answers or {}, cleaned, hidden)
        full = evaluate(
            definition,
            {**cleaned, **hidden},
            today=day,
            require_complete=False,
            consents=consents,
        )
        broken = {e.field_path.split("[")[0].split(".")[0] for e in full.errors}
        cleaned = {
            **cleaned,
            **{k: v for k, v in full.answers.items() if k in hidden and k not in broken},
        }
        full_steps = {step.id for step in full.next_steps}
        for key, value in (kept_steps or {}).items():
            if key in full_steps and key not in suggested and value in STEP_DECISIONS:
                decisions[key] = value
    return definition, cleaned, decisions


def answers_fit(
    session: DbSession,
    store: Store,
    form_id: str,
    person_id: str,
    answers: Mapping[str, Any],
    day: dt.date,
) -> bool | None:
    """Whether a finished visit's answers fit its form as in force here, as a save would check
    them (for ``day``, the visit's: ``day_of``): complete, no rule broken, and no answer to a
    question the other answers do not ask (a save would drop it). None for a form this laptop
    does not know."""
    try:
        definition = form(form_id, store)
    except UnknownForm:
        return None
    shown = _as_shown(definition, answers)
    state = evaluate(
        definition,
        shown,
        today=day,
        require_complete=True,
        consents=_granted(session, person_id),
    )
    # What this form cannot show (a newer version's answers) a save keeps as it is.
    return not state.errors and shown.keys() <= state.answers.keys()


def _as_shown(
    definition: FormDefinition,
    answers: Mapping[str, Any],
    unknown: Collection[str] | None = None,
) -> dict[str, Any]:
    """``answers`` as ``definition`` shows them where they hold what it cannot show (those of
    ``unknown``, else every such answer): a newer version's questions and options left out."""
    if unknown is None:
        unknown = unknown_answers(definition, answers)
    plain = {k: v for k, v in answers.items() if k not in unknown}
    return plain | shown_answers(definition, {k: v for k, v in answers.items() if k in unknown})


def recorded_with_newer_form(
    store: Store, form_id: str, answers: Mapping[str, Any], form_version: int = 0
) -> bool:
    """Whether a visit's answers (recorded with ``form_version``) hold what the form in force
    here cannot show: a newer version's questions or options. A save keeps them unchanged."""
    definition = form(form_id, store)
    return form_version > definition.version or bool(unknown_answers(definition, answers))


def not_asked(
    definition: FormDefinition, answers: Mapping[str, Any], form_version: int
) -> frozenset[str]:
    """The questions of ``definition`` that a visit recorded with ``form_version`` of its form
    was not asked: for a visit of an earlier version, those its ``answers`` leave unanswered (a
    question added since, or asked in more cases since; every one it asked then that was
    required is answered). An edit need not answer them: a correction of a check recorded
    before a required question was added was refused until someone answered, for the person,
    a question never put to them."""
    if form_version >= definition.version:
        return frozenset()
    return frozenset(f.id for f in definition.fields() if is_empty(answers.get(f.id)))


def finish_visit(
    store: Store,
    user: User,
    person_id: str,
    form_id: str,
    answers: Mapping[str, Any],
    *,
    next_steps: Mapping[str, str] | None = None,
    started_at: str | None = None,
    today: dt.date | None = None,
) -> Visit:
    """Validate the complete answers and store them as a finished visit; delete the draft.

    Raises :class:`InvalidAnswers` (listing every missing or invalid field) and stores nothing
    if the answers are not complete and valid. Sections needing consent the person has not
    given are closed, their answers dropped. A helper may not write restricted answers
    (``PermissionDenied``); restricted answers an advisor left in the draft are kept.

    The answers are checked for the day the visit is stored as begun (``started_at``, else its
    draft's start; ``day_of``), as every later edit and merge of it is: a draft begun on an
    earlier day is checked for that day. ``today`` (default: the wall clock's) is the day of a
    visit begun now, without a draft.
    """
    require(user, Action.FILL_FORMS)
    withheld = withheld_kinds(store, user, person_id)
    with store.reading() as session:
        consents = _granted(session, person_id)
        draft_row = session.get(DraftRow, (person_id, form_id))
        begun = started_at or (draft_row.started_at if draft_row is not None else None)
        held = draft_row if withheld else None
        kept = json.loads(held.answers) if held is not None else None
        kept_steps = json.loads(held.next_steps) if held is not None else None
    definition, cleaned, decisions = _validated(
        store,
        form_id,
        answers,
        consents,
        day_of(begun, today),
        next_steps,
        withheld=withheld,
        kept_answers=kept,
        kept_steps=kept_steps,
    )
    now = _now()
    hlc = str(store.clock.now())
    with store.transaction() as session:
        if PeopleRepository(session).is_erased(person_id):
            raise PersonErased(person_id)
        draft = session.get(DraftRow, (person_id, form_id))
        row = VisitRow(
            id=str(uuid.uuid4()),
            revision=1,
            updated_hlc=hlc,
            device_id=store.device_id,
            author_id=user.id,
            deleted=False,
            field_clocks="{}",
            person_id=person_id,
            form_id=form_id,
            form_version=definition.version,
            answers=_dump(cleaned),
            next_steps=_dump(decisions),
            status="finished",
            started_at=begun or now,
            finished_at=now,
        )
        session.add(row)
        session.add(OutboxRow(record_kind="visit", record_id=row.id, revision=1, hlc=hlc))
        facts = (
            people.take_over_check_facts(session, store, user, person_id, cleaned)
            if form_id == LIFE_SITUATION
            else None
        )
        if draft is not None and not draft.visit_id:
            session.delete(draft)
        audit.record_in(
            session,
            store,
            user.id,
            audit.AuditAction.CREATE,
            "visit",
            person_id,
            {"visit_id": row.id, "form": form_id},
        )
        visit = replace(_visit(row), facts=facts)
    return _visit_for(store, visit, withheld)


def edit_visit(
    store: Store,
    user: User,
    visit_id: str,
    answers: Mapping[str, Any],
    *,
    next_steps: Mapping[str, str] | None = None,
    today: dt.date | None = None,
    also: Callable[[DbSession], None] | None = None,
    must_keep: Collection[str] = (),
    base: VisitBase | None = None,
) -> Visit:
    """Store changed answers as a new revision of a finished visit; the old one stays readable.

    A helper's edit keeps the restricted answers they were not shown. ``also`` writes
    something that belongs to the edit in the same transaction (a conflict it decides).
    An answer named in ``must_keep`` that the form would not keep (a question not asked with
    the other answers) raises ``InvalidAnswers`` instead of going unnoticed. With ``base``
    (what the edit started from, e.g. in a form left open for days) only the answers and next
    steps changed in the edit change: one a sync changed meanwhile keeps that change.

    The answers are checked for the visit's day (``day_of`` its start), not the edit's: an
    unrelated edit years later keeps what the visit asked then. ``today`` (default: the wall
    clock's) only stands in for a visit whose start is not known.
    """
    require(user, Action.FILL_FORMS)

    def checked() -> _Edit:
        return _checked_edit(store, user, visit_id, answers, next_steps, today, must_keep, base)

    for attempt in range(_REBASES):
        last = attempt + 1 == _REBASES
        edit = None if last else checked()
        with store.transaction() as session:
            # The last attempt is checked under the write lock, so no sync commits in between.
            edit = edit or checked()
            row = session.get(VisitRow, visit_id)
            if row is None:
                raise VisitNotFound(visit_id)
            if base is not None and (row.answers, row.next_steps) != edit.stored and not last:
                continue  # a sync changed it since it was read: rebase on that
            before = synced_state(session, "visit", visit_id) if base is not None else None
            visit = _save_edit(session, store, user, row, edit, also)
            if before is not None and base is not None:
                began = _entries(base.answers, base.next_steps if next_steps is not None else {})
                edited = _entries(answers, next_steps or {})
                record_edit_conflicts(session, store, before, began, edited, edit.person_id)
        return _visit_for(store, visit, edit.withheld)
    raise AssertionError("unreachable: the last attempt saves")


# Attempts at an edit from a base: it is checked, then saved in a transaction if no sync
# changed the visit in between (each attempt takes milliseconds; a sync commits every few
# seconds). The last one is checked inside the transaction, holding off syncs for that long.
_REBASES = 3


def _entries(answers: Mapping[str, Any], next_steps: Mapping[str, str]) -> dict[str, Any]:
    """Answers and next-step decisions named as in the synced record (``answers/rent``)."""
    named = {entry_name("answers", k): v for k, v in answers.items()}
    named.update((entry_name("next_steps", k), v) for k, v in next_steps.items())
    return named


def _save_edit(
    session: DbSession,
    store: Store,
    user: User,
    row: VisitRow,
    edit: _Edit,
    also: Callable[[DbSession], None] | None,
) -> Visit:
    """The checked edit as the visit's next revision (in the caller's transaction)."""
    hlc = str(store.clock.now())
    if also is not None:
        also(session)
    # Only the latest check says what the person's record should say now (read before this
    # save makes it the latest finished); an older one fills in the ID-document name only.
    newest = session.scalars(latest_finished(row.person_id, row.form_id)).one_or_none()
    latest = row.form_id == LIFE_SITUATION and newest is row
    answers_before = json.loads(row.answers)
    edited_before = session.scalar(
        select(VisitRevisionRow.revision).where(VisitRevisionRow.visit_id == row.id).limit(1)
    )
    session.add(
        VisitRevisionRow(
            visit_id=row.id,
            revision=row.revision,
            form_version=row.form_version,
            answers=row.answers,
            next_steps=row.next_steps,
            author_id=row.author_id,
            updated_hlc=row.updated_hlc,
            # the version kept was saved when the visit was finished, or by the edit before
            saved_at=row.finished_at if edited_before is None else changed_at(row.updated_hlc),
        )
    )
    # A visit recorded with a newer version of the form keeps that version: its answers
    # to that version's questions are kept (``with_unknown_kept``). One of an earlier version
    # takes the form's once it answers what that asks (``not_asked``).
    if not edit.left_unasked:
        row.form_version = max(row.form_version, edit.definition.version)
    row.answers = _dump(edit.answers)
    row.next_steps = _dump(edit.next_steps)
    # A correction keeps the visit when it was (``finished_at``): January's check corrected in
    # December stays in January's report figures, and a later check stays the latest, the one
    # the person's letters and a new check's answers go by. Its version says when it was saved.
    next_revision(session, row, "visit", hlc=hlc, device_id=store.device_id, author_id=user.id)
    facts = None
    if row.form_id == LIFE_SITUATION:
        changed = {
            k
            for k in answers_before.keys() | edit.answers.keys()
            if answers_before.get(k) != edit.answers.get(k)
        }
        facts = people.take_over_check_facts(
            session,
            store,
            user,
            row.person_id,
            edit.answers,
            facts=CHECK_FACTS if latest else (),
            asked=changed,
        )
    session.execute(
        delete(DraftRow).where(
            DraftRow.person_id == row.person_id,
            DraftRow.form_id == row.form_id,
            DraftRow.visit_id == row.id,
        )
    )
    audit.record_in(
        session,
        store,
        user.id,
        audit.AuditAction.CHANGE,
        "visit",
        row.person_id,
        {"visit_id": row.id, "form": row.form_id, "revision": row.revision},
    )
    return replace(_visit(row), facts=facts)


def check_kept(
    store: Store,
    user: User,
    visit_id: str,
    answers: Mapping[str, Any],
    keys: Collection[str],
    *,
    next_steps: Mapping[str, str] | None = None,
) -> None:
    """Raises ``InvalidAnswers`` as ``edit_visit(..., must_keep=keys)`` would, storing nothing:
    for answers already stored that the form would not keep (merged from two laptops)."""
    require(user, Action.FILL_FORMS)
    _checked_edit(store, user, visit_id, answers, next_steps, None, keys, None)


def _checked_edit(
    store: Store,
    user: User,
    visit_id: str,
    answers: Mapping[str, Any],
    next_steps: Mapping[str, str] | None,
    today: dt.date | None,
    must_keep: Collection[str],
    base: VisitBase | None,
) -> _Edit:
    """An edit of a stored visit, validated."""
    with store.reading() as session:
        current = session.get(VisitRow, visit_id)
        if current is None or current.deleted:
            raise VisitNotFound(visit_id)
        person_id, form_id = current.person_id, current.form_id
        consents = _granted(session, person_id)
        day = day_of(current.started_at, today)
        stored = (current.answers, current.next_steps)
        kept, kept_steps = json.loads(current.answers), json.loads(current.next_steps)
        recorded_with = current.form_version
    withheld = withheld_kinds(store, user, person_id)
    in_force = form(form_id, store)
    unasked = not_asked(in_force, kept, recorded_with)
    # Answers of a newer version of the form (this laptop not updated yet) are put back as
    # stored after the check (``with_unknown_kept``): only what this form shows is edited
    # and checked.
    unknown = unknown_answers(in_force, kept)
    if base is not None:
        began = _as_shown(in_force, base.answers)
        # Restricted answers a helper may not see are carried over as they are (not taken
        # from the current visit here); one the helper wrote is refused below.
        hidden = in_force.withheld_fields(withheld) if withheld else frozenset()
        rebased = _rebased(answers, began, kept)
        answers = {
            k: v for k, v in rebased.items() if k not in hidden or _edited(k, answers, began)
        }
        if next_steps is not None:
            next_steps = _rebased(next_steps, base.next_steps, kept_steps)
    answers = _as_shown(in_force, answers, unknown)
    definition, cleaned, decisions = _validated(
        store,
        form_id,
        answers,
        consents,
        day,
        next_steps,
        withheld=withheld,
        kept_answers=kept,
        kept_steps=kept_steps,
        optional=unasked,
    )
    # Left unanswered, a question the visit was not asked keeps it the earlier version's
    # visit: it would be required at the next edit otherwise, and the visit would claim a
    # version whose questions it does not answer.
    left_unasked = bool(unasked) and any(
        e.code == "required" and e.field_path in unasked
        for e in evaluate(
            definition, cleaned, today=day, consents=consents, withheld=withheld
        ).errors
    )
    cleaned = with_unknown_kept(definition, cleaned, kept)
    if next_steps is not None:
        # Decisions on steps this form does not suggest, where a newer version's answers
        # (or steps) may be what suggests them, stay as they were.
        known_steps = {rule.id for rule in definition.next_steps}
        for key, value in kept_steps.items():
            if key not in known_steps or unknown:
                decisions.setdefault(key, value)
    dropped = [key for key in must_keep if key in answers and key not in cleaned]
    if dropped:
        raise InvalidAnswers([FieldError(k, "not_asked", message("not_asked")) for k in dropped])
    return _Edit(person_id, definition, cleaned, decisions, withheld, stored, left_unasked)


@dataclass(frozen=True)
class _Edit:
    """A checked edit of a stored visit."""

    person_id: str
    definition: FormDefinition
    answers: dict[str, Any]  # cleaned
    next_steps: dict[str, str]  # the decisions kept
    withheld: frozenset[str]  # restriction kinds withheld from the user
    stored: tuple[str, str]  # the visit's answers and next steps (JSON) it was checked against
    # questions of the form in force the visit (of an earlier version) was not asked are
    # still unanswered: it keeps its version
    left_unasked: bool = False


def _visit_for(store: Store, visit: Visit, withheld: frozenset[str]) -> Visit:
    """The visit with the answers (also of earlier revisions) the reader may not see removed."""
    if not withheld:
        return visit
    definition = form(visit.form_id, store)
    kinds = _form_withheld(definition, withheld)
    if not kinds:
        return visit

    def strip(
        answers: dict[str, Any], steps: dict[str, str]
    ) -> tuple[dict[str, Any], dict[str, str]]:
        seen, _hidden = _split(definition, answers, withheld)
        return seen, _visible_steps(definition, seen, steps, withheld, day_of(visit.started_at))

    answers, steps = strip(visit.answers, visit.next_steps)
    earlier = []
    for rev in visit.earlier:
        rev_answers, rev_steps = strip(rev.answers, rev.next_steps)
        earlier.append(replace(rev, answers=rev_answers, next_steps=rev_steps))
    return replace(visit, answers=answers, next_steps=steps, earlier=earlier, withheld=kinds)


def log_visit_view(store: Store, user: User, visit: Visit) -> None:
    """One visit of a person read by ``user`` (opened, or what a summary shows of it)."""
    audit.record(
        store,
        user,
        audit.AuditAction.VIEW,
        "visit",
        visit.person_id,
        {"visit_id": visit.id, "form": visit.form_id},
    )


#: The key in the store's ``meta`` of a user's held questions (+ the user's id).
HELD_QUESTIONS_META = "held_facts_questions:"


@dataclass(frozen=True)
class HeldQuestion:
    """A life-situation check's question of where the person's record says otherwise, held
    for the user who stored it behind the lock until they are there to answer (the unlock,
    or their next login: after another user logged in at the lock, after the program was
    closed or crashed). Kept in the encrypted store, by ids and field names only: the values
    are read again when it is asked (``held_questions``), so nothing of the person is copied
    and their erasure leaves nothing behind. ``refer``: the check was finished with
    "Refer…" (the Refer dialog follows the answer)."""

    visit_id: str
    fields: tuple[str, ...]
    refer: bool = False


def _held_rows(session: DbSession, user: User) -> tuple[MetaRow | None, list[HeldQuestion]]:
    row = session.get(MetaRow, HELD_QUESTIONS_META + user.id)
    held: list[HeldQuestion] = []
    if row is not None:
        for item in json.loads(row.value):
            fields = tuple(f for f in item.get("fields", ()) if f in CHECK_FACTS)
            held.append(HeldQuestion(str(item["visit"]), fields, bool(item.get("refer"))))
    return row, held


def _keep_held(
    session: DbSession, user: User, row: MetaRow | None, held: list[HeldQuestion]
) -> None:
    value = json.dumps(
        [{"visit": h.visit_id, "fields": list(h.fields), "refer": h.refer} for h in held]
    )
    if not held:
        if row is not None:
            session.delete(row)
    elif row is None:
        session.add(MetaRow(key=HELD_QUESTIONS_META + user.id, value=value))
    else:
        row.value = value


def hold_question(store: Store, user: User, question: HeldQuestion) -> None:
    """``question`` held for ``user`` (after those held before; one per visit: held again, it
    takes the place of the one held before)."""
    with store.transaction() as session:
        row, held = _held_rows(session, user)
        held = [h for h in held if h.visit_id != question.visit_id] + [question]
        _keep_held(session, user, row, held)


def release_question(store: Store, user: User, visit_id: str) -> None:
    """The question of ``visit_id`` answered (or kept as it was by nobody there to ask): no
    longer held for ``user``."""
    with store.transaction() as session:
        row, held = _held_rows(session, user)
        if any(h.visit_id == visit_id for h in held):
            _keep_held(session, user, row, [h for h in held if h.visit_id != visit_id])


def held_questions(store: Store, user: User) -> list[tuple[HeldQuestion, str, FactsTakenOver]]:
    """The questions held for ``user``, in the order held, each with the person's id and what
    their check says otherwise than their record as it is now (``people.differences_now``).
    One whose difference is gone meanwhile (the record changed to the check's value, the
    visit or the person erased) is let go here, unasked; the rest stay held until answered
    (``release_question``). None for a user who may no longer change a person's details."""
    if not allowed(user, Action.EDIT_PERSON):
        return []
    asked: list[tuple[HeldQuestion, str, FactsTakenOver]] = []
    with store.reading() as session:  # read at every login: no write unless one goes
        _row, held = _held_rows(session, user)
        for question in held:
            visit = session.get(VisitRow, question.visit_id)
            if visit is None or visit.deleted or not question.fields:
                continue
            facts = people.differences_now(
                session, visit.person_id, json.loads(visit.answers), question.fields
            )
            if facts.differing:
                asked.append((question, visit.person_id, facts))
    gone = {q.visit_id for q in held} - {q.visit_id for q, _p, _f in asked}
    if gone:
        with store.transaction() as session:
            row, now = _held_rows(session, user)  # as it is now (held meanwhile: kept)
            _keep_held(session, user, row, [q for q in now if q.visit_id not in gone])
    return asked


def get_visit(store: Store, user: User, visit_id: str, *, log_view: bool = True) -> Visit | None:
    """One visit as ``user`` may see it; opening it is written to the audit log."""
    require(user, Action.VIEW_PERSON)
    with store.reading() as session:
        row = session.get(VisitRow, visit_id)
        visit = _visit(row) if row is not None and not row.deleted else None
    if visit is None:
        return None
    if log_view:
        log_visit_view(store, user, visit)
    return _visit_for(store, visit, withheld_kinds(store, user, visit.person_id))


def visit_history(
    store: Store, user: User, person_id: str, *, log_view: bool = True
) -> list[Visit]:
    """The person's finished visits, newest first, each with its earlier revisions.

    Listing them is one audit entry (``log_view=False`` only for a re-display of a list whose
    view was already logged, e.g. after a change of the UI language).
    """
    require(user, Action.VIEW_PERSON)
    with store.reading() as session:
        rows = session.scalars(
            select(VisitRow)
            .where(VisitRow.person_id == person_id, VisitRow.deleted.is_(False))
            .order_by(*NEWEST_FIRST)
        ).all()
        visits = [_visit(row) for row in rows]
        earlier: dict[str, list[VisitRevision]] = {}
        if visits:
            for rev in session.scalars(
                select(VisitRevisionRow)
                .where(VisitRevisionRow.visit_id.in_([v.id for v in visits]))
                .order_by(VisitRevisionRow.revision.desc())
            ):
                earlier.setdefault(rev.visit_id, []).append(
                    VisitRevision(
                        revision=rev.revision,
                        form_version=rev.form_version,
                        answers=json.loads(rev.answers),
                        next_steps=json.loads(rev.next_steps),
                        author_id=rev.author_id,
                        saved_at=rev.saved_at,
                    )
                )
    if log_view:
        audit.record(
            store, user, audit.AuditAction.VIEW, "visits", person_id, {"count": len(visits)}
        )
    withheld = withheld_kinds(store, user, person_id)
    return [_visit_for(store, replace(v, earlier=earlier.get(v.id, [])), withheld) for v in visits]


#: What a new life-situation check takes over of each child from the latest one: who the child
#: is and where they live. Daycare or school changes from visit to visit and is asked again.
CHILD_ANSWERS_KEPT = ("child_name", "child_birth", "child_lives")
#: The life-situation answer that counts the children (the group's ``counted_by``).
COUNTED_CHILDREN = "children_count"


def latest_visit(
    store: Store, user: User, person_id: str, form_id: str, *, log_view: bool = True
) -> Visit | None:
    """The person's latest finished visit of ``form_id`` as ``user`` may see it (no earlier
    revisions); None where none was recorded. Reading it is an audit entry, as opening the
    visit is (``log_view=False`` where a window logs the view itself)."""
    require(user, Action.VIEW_PERSON)
    with store.reading() as session:
        row = session.scalars(latest_finished(person_id, form_id)).one_or_none()
        latest = _visit(row) if row is not None else None
    if latest is None:
        return None
    if log_view:
        log_visit_view(store, user, latest)
    return _visit_for(store, latest, withheld_kinds(store, user, person_id))


#: Answers of the latest life-situation check that the next one starts with as they were:
#: when the person came to Germany does not change from one visit to the next, yet a person
#: back after four months had it asked and typed in again. Shown in the form, it can still
#: be corrected (one who went home and came again).
FACTS_KEPT = ("arrival_date",)


def known_from_latest_check(store: Store, user: User, person_id: str) -> dict[str, Any]:
    """What the next life-situation check starts with from the latest one: ``FACTS_KEPT``
    and the children (``children_known``); empty where none was recorded. Reading them is
    one audit entry, as reading the visit is."""
    latest = latest_visit(store, user, person_id, "life_situation")
    if latest is None:
        return {}
    facts = {key: latest.answers[key] for key in FACTS_KEPT if latest.answers.get(key)}
    return facts | _children_of(latest.answers)


def children_known(store: Store, user: User, person_id: str) -> dict[str, Any]:
    """The answers on the person's children of the latest life-situation check (their number,
    and of each child ``CHILD_ANSWERS_KEPT``), to start the next check with; empty where none
    was recorded. Reading them is an audit entry, as reading the visit is."""
    latest = latest_visit(store, user, person_id, "life_situation")
    if latest is None:
        return {}
    return _children_of(latest.answers)


def _children_of(answers: dict[str, Any]) -> dict[str, Any]:
    """The children's part of ``children_known``, from a check's ``answers``."""
    children = [
        kept
        for entry in answers.get(CHILDREN_FIELD) or ()
        if isinstance(entry, dict)
        and (kept := {key: entry[key] for key in CHILD_ANSWERS_KEPT if key in entry})
    ]
    count = answers.get(COUNTED_CHILDREN)
    if not isinstance(count, int) or not children:
        return {}
    return {COUNTED_CHILDREN: max(count, len(children)), CHILDREN_FIELD: children}


# ---------------------------------------------------------------------------------------------
# quick contacts


def _options(form_id: str, field_id: str) -> list[str]:
    return form(form_id).field(field_id).option_ids()


def quick_contact_choices() -> dict[str, list[str]]:
    """Allowed ids for a quick contact, taken from the life situation check."""
    return {
        "session_language": _options("life_situation", "session_language"),
        "topics": _options("life_situation", "topics"),
        "nationality": _options("life_situation", "nationality"),
        "sex": _options("life_situation", "sex"),
    }


def validate_quick_contact(contact: QuickContact, today: dt.date | None = None) -> None:
    choices = quick_contact_choices()
    errors: list[PlainFieldError] = []
    today = today or dt.date.today()
    if not isinstance(contact.contact_date, dt.date) or contact.contact_date > today:
        errors.append(PlainFieldError("contact_date", "date_future"))
    if contact.session_language not in choices["session_language"]:
        errors.append(PlainFieldError("session_language", "required"))
    if not contact.topics:
        errors.append(PlainFieldError("topics", "required"))
    elif any(t not in choices["topics"] for t in contact.topics) or len(set(contact.topics)) != len(
        contact.topics
    ):
        errors.append(PlainFieldError("topics", "unknown_option"))
    if contact.nationality and contact.nationality not in choices["nationality"]:
        errors.append(PlainFieldError("nationality", "unknown_option"))
    if contact.sex and contact.sex not in choices["sex"]:
        errors.append(PlainFieldError("sex", "unknown_option"))
    if errors:
        raise ValidationFailed(errors)


def record_quick_contact(
    store: Store, user: User, contact: QuickContact, *, today: dt.date | None = None
) -> str:
    """Store an anonymous contact (no name, no person link); returns its id. Not audited: it
    holds no personal data."""
    require(user, Action.FILL_FORMS)
    validate_quick_contact(contact, today)
    hlc = str(store.clock.now())
    row_id = str(uuid.uuid4())
    with store.transaction() as session:
        session.add(
            QuickContactRow(
                id=row_id,
                revision=1,
                updated_hlc=hlc,
                device_id=store.device_id,
                author_id=user.id,
                deleted=False,
                field_clocks="{}",
                contact_date=contact.contact_date.isoformat(),
                session_language=contact.session_language,
                topics=_dump(list(contact.topics)),
                referral_given=bool(contact.referral_given),
                nationality=contact.nationality,
                sex=contact.sex,
            )
        )
        session.add(OutboxRow(record_kind="quick_contact", record_id=row_id, revision=1, hlc=hlc))
    return row_id


def count_quick_contacts(store: Store, start: dt.date, end: dt.date) -> int:
    """Quick contacts between ``start`` and ``end`` inclusive (for reports and checks)."""
    from sqlalchemy import func

    with store.reading() as session:
        return int(
            session.scalar(
                select(func.count())
                .select_from(QuickContactRow)
                .where(
                    QuickContactRow.contact_date >= start.isoformat(),
                    QuickContactRow.contact_date <= end.isoformat(),
                    QuickContactRow.deleted.is_(False),
                )
            )
            or 0
        )
