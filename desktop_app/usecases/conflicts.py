"""Conflicts between laptops: what each is about, and an advisor's decision (no Qt).

Two laptops set the same field to different values without seeing each other's value: the
merge keeps the later value on every laptop and a conflict record holds both (``sync.merge``).
An advisor decides: either value, or for text typed by hand a corrected one, or for a visit's
repeated group (its children) the entries of both. The decision is an ordinary change of the
record, so it travels like any other, and the conflict record, marked resolved, ends the
conflict on every laptop.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import json
from collections.abc import Callable, Collection
from dataclasses import dataclass, replace
from typing import Any, TypeGuard

from sqlalchemy import func, select
from sqlalchemy.orm import Session as DbSession

from desktop_app.domain.hlc import field_clocks_after_change, json_object
from desktop_app.domain.permissions import Action, PermissionDenied, allowed
from desktop_app.domain.person import PersonDraft
from desktop_app.domain.users import User
from desktop_app.storage.audit_models import AuditRow
from desktop_app.storage.db import Store
from desktop_app.storage.models import UserRow, next_revision
from desktop_app.storage.sync_models import ConflictRow
from desktop_app.sync import laptops
from desktop_app.sync.kinds import COMBINED_ANSWERS, CONFLICT_FIELDS
from desktop_app.sync.merge import clock_device
from desktop_app.sync.records import ADAPTERS
from desktop_app.usecases import audit, people

# Text typed by hand: an advisor may enter a corrected value instead of either side's.
# Codes (sex, nationality, a status), dates of a letter and form answers are chosen, not typed.
EDITABLE: dict[str, frozenset[str]] = {
    "person": frozenset(
        {"given_name", "family_name", "date_of_birth", "phone", "notes", "id_document_name"}
    ),
    "referral": frozenset({"outcome", "contact_person"}),
}
# Who may decide: whoever may make the change the decision is.
_DECIDES = {
    "person": Action.EDIT_PERSON,
    "visit": Action.FILL_FORMS,
    "consent": Action.FILL_FORMS,
    "quick_contact": Action.FILL_FORMS,
    "referral": Action.PREPARE_REFERRAL,
    "case_opening": Action.OPEN_CASE_TO_HELPER,
}
# What names a record besides its person (shown with the conflict).
_ABOUT = {
    "referral": "reference",
    "visit": "form_id",
    "consent": "purpose",
    "quick_contact": "contact_date",
    "case_opening": "kind",
}
_VISIT_JSON_FIELDS = ("answers", "next_steps")
# Whole versions of a visit's answers: of a version before they merged one by one, or two
# versions that each fit the form but not combined (``kinds.COMBINED_ANSWERS``).
_WHOLE_ANSWERS = ("answers", "next_steps", COMBINED_ANSWERS)


def visit_entry(kind: str, field: str) -> tuple[str, str] | None:
    """``(column, key)`` of a conflict over one answer (or next step) of a visit, e.g.
    ("answers", "rent") for ``answers/rent``; None for any other field. Answers merge one by
    one; a conflict over all of a visit's answers comes from a version before that."""
    column, _sep, key = field.partition("/")
    return (column, key) if kind == "visit" and key and column in _VISIT_JSON_FIELDS else None


def about_visit_answers(c: OpenConflict) -> bool:
    """A conflict over a visit's answers or next steps: one of them, or (from a version
    before they merged one by one) all of them."""
    return c.record_kind == "visit" and (
        c.field in _WHOLE_ANSWERS or visit_entry(c.record_kind, c.field) is not None
    )


def both_entries(kept: object, other: object) -> list[Any] | None:
    """A repeated group's entries (a visit's children) of both versions: those of ``kept`` (the
    version in force, or the newer) first, then those of ``other`` not among them. An entry
    equal in every sub-answer is the same one (a child recorded on both laptops is kept once;
    twins entered twice on one laptop stay two). None where a version is no list of entries,
    or where one version holds every entry of the other: taking that version is the same."""
    if not _group_entries(kept) or not _group_entries(other):
        return None
    unmatched, added = list(kept), []
    for entry in other:
        if entry in unmatched:
            unmatched.remove(entry)
        else:
            added.append(entry)
    return [*kept, *added] if added and unmatched else None


def _group_entries(value: object) -> TypeGuard[list[Any]]:
    """A repeated group's answer: a list of entries, each an object of sub-answers."""
    return isinstance(value, list) and all(isinstance(entry, dict) for entry in value)


class ConflictGone(Exception):
    """The conflict was decided meanwhile (here or on another laptop), or its record erased."""


@dataclass(frozen=True)
class Difference:
    """One answer (or next step) of a visit that the two laptops' versions hold differently."""

    key: str
    kept: object
    other: object

    @property
    def both(self) -> list[Any] | None:
        """For a repeated group, the entries of both versions (``both_entries``)."""
        return both_entries(self.kept, self.other)


@dataclass(frozen=True)
class OpenConflict:
    id: str
    record_kind: str
    record_id: str
    field: str
    kept_value: object  # on every laptop now, until decided
    other_value: object
    kept_clock: str = ""
    other_clock: str = ""
    person_id: str = ""  # whom the record is about
    about: str = ""  # a referral's reference, a visit's form, a consent's purpose …
    editable: bool = False  # a corrected text may be entered instead of either value
    differences: tuple[Difference, ...] = ()  # of a visit's answers or next steps
    withheld: bool = False  # some differing answers are of a kind the user may not see
    # The names of the laptops each value was set on ("" where not known, or this laptop).
    kept_laptop: str = ""
    other_laptop: str = ""
    # Who set each value (a user's name; "" where the log does not tell, see ``_author``).
    kept_by: str = ""
    other_by: str = ""
    # Who set each value where they have no account here (accounts do not sync): their user
    # id and the role the log's entry of the change carries ("", None where it does not tell).
    kept_by_elsewhere: tuple[str, str | None] = ("", None)
    other_by_elsewhere: tuple[str, str | None] = ("", None)
    # The day a visit was held (ISO, local time), so two visits with one form are told apart.
    visit_day: str = ""
    # The version of its form a visit was recorded with (0 where not a visit): its answers are
    # told in that version's words where it is an earlier one known here.
    form_version: int = 0
    # The user may make the change the decision is (``may_decide``; True when not asked).
    decidable: bool = True

    @property
    def both(self) -> list[Any] | None:
        """For a conflict over one repeated group of a visit (its children, say): the entries
        of both values, to keep instead of either (``both_entries``)."""
        entry = visit_entry(self.record_kind, self.field)
        if entry is None or entry[0] != "answers" or self.withheld:
            return None
        return both_entries(self.kept_value, self.other_value)

    @property
    def combinable(self) -> bool:
        """A visit's versions differ in several answers: each can be taken from either."""
        return len(self.differences) > 1 and not self.withheld

    def changed_at(self, which: int) -> dt.datetime | None:
        """When the value was set (``which`` 0: the kept one, 1: the other), local time."""
        clock = self.kept_clock if which == 0 else self.other_clock
        try:
            wall_ms = int(clock.split("-", 1)[0])
        except ValueError:
            return None
        return dt.datetime.fromtimestamp(wall_ms / 1000, dt.UTC).astimezone()


def open_conflicts(store: Store, user: User | None = None) -> list[OpenConflict]:
    """The conflicts still to decide, the oldest first.

    With ``user`` (the window), a visit's differing answers that the user may not see are left
    out and the conflict is marked ``withheld``; neither whole version is handed out then. A
    conflict whose decision is a change the user may not make (a helper and a section opened
    to a helper) is marked not ``decidable``: shown, for an advisor to decide.
    """
    return _open(store, user)


def _open(store: Store, user: User | None, only: str | None = None) -> list[OpenConflict]:
    query = select(ConflictRow).where(
        ConflictRow.resolved.is_(False), ConflictRow.deleted.is_(False)
    )
    if only is not None:
        query = query.where(ConflictRow.id == only)
    with store.reading() as session:
        rows = session.scalars(query.order_by(ConflictRow.updated_hlc)).all()
        names = laptops.store_names(session)
        names.pop(store.device_id, None)
        found = []
        for r in rows:
            person_id, about, day, version = _record_context(session, r.record_kind, r.record_id)
            person_id = r.person_id or person_id
            records = {r.record_id, person_id} - {""}
            kept_by, kept_logged = _author(session, records, r.kept_clock)
            other_by, other_logged = _author(session, records, r.other_clock)
            found.append(
                OpenConflict(
                    r.id,
                    r.record_kind,
                    r.record_id,
                    r.field,
                    json.loads(r.kept_value),
                    json.loads(r.other_value),
                    r.kept_clock,
                    r.other_clock,
                    person_id,
                    about,
                    r.field in EDITABLE.get(r.record_kind, ()),
                    kept_laptop=names.get(clock_device(r.kept_clock), ""),
                    other_laptop=names.get(clock_device(r.other_clock), ""),
                    visit_day=day,
                    form_version=version,
                    kept_by=kept_by,
                    other_by=other_by,
                    kept_by_elsewhere=kept_logged,
                    other_by_elsewhere=other_logged,
                )
            )
    return [
        _with_differences(store, user, replace(c, decidable=user is None or may_decide(user, c)))
        for c in found
    ]


def may_decide(user: User, c: OpenConflict) -> bool:
    """Whether ``user`` may make the change deciding ``c`` is (``resolve_conflict`` checks)."""
    return allowed(user, _DECIDES.get(c.record_kind, Action.EDIT_PERSON))


# The log's entries for a change, as against a view, a print or an export of the record.
_CHANGES = (
    audit.AuditAction.CREATE,
    audit.AuditAction.CHANGE,
    audit.AuditAction.DECIDE,
    audit.AuditAction.OPEN_CASE,  # a section opened to a helper, or closed
    audit.AuditAction.SIGN_OFF,
)
# A change and its log entry are written in one transaction: the entry's clock follows the
# change's by a few milliseconds. An entry later than this belongs to some later change.
_LOGGED_WITHIN_MS = 5_000


def _author(
    session: DbSession, records: Collection[str], clock: str
) -> tuple[str, tuple[str, str | None]]:
    """Who set a field at ``clock`` (``logged_at``): the name of the user where they have an
    account here, else "" and their id with the role the log's entry carries (the dialog
    names them as the audit log does, never by a name: none is known here); "" and ("",
    None) where the log does not tell (the dialog names the laptop alone then)."""
    user_id, role = logged_at(session, records, clock)
    if not user_id:
        return "", ("", None)
    name = session.scalar(select(UserRow.display_name).where(UserRow.id == user_id))
    return (name, ("", None)) if name else ("", (user_id, role))


def author_at(session: DbSession, records: Collection[str], clock: str) -> str:
    """The id of the user whose change set a field at ``clock``: the first change of the
    record (or, for a visit, whose log entry names the person) that the laptop of ``clock``
    logged right after it. The log syncs with the records, so every laptop reads the same.
    "" where it is not found (a value typed into an edit left open while a sync ran, a
    version before the log)."""
    return logged_at(session, records, clock)[0]


def logged_at(session: DbSession, records: Collection[str], clock: str) -> tuple[str, str | None]:
    """``author_at``'s user id, and the role the log's entry carries (``audit.ROLE_KEY``; None
    in an entry written before entries carried it): ("", None) where none is found."""
    wall = clock.partition("-")[0]
    device = clock_device(clock)
    if not wall.isdigit() or not device or not records:
        return "", None
    until = f"{int(wall) + _LOGGED_WITHIN_MS:0{len(wall)}d}"
    found = session.execute(
        select(AuditRow.user_id, AuditRow.details)
        .where(
            AuditRow.device_id == device,
            AuditRow.record_id.in_(records),
            AuditRow.action.in_([str(a) for a in _CHANGES]),
            AuditRow.at >= clock,
            AuditRow.at < until,
        )
        .order_by(AuditRow.at)
        .limit(1)
    ).first()
    return (found[0], audit.role_in(found[1])) if found else ("", None)


def open_count_about(store: Store, person_id: str) -> int:
    """How many conflicts about the person (their fields, their records) are still open."""
    with store.reading() as session:
        return int(
            session.scalar(
                select(func.count())
                .select_from(ConflictRow)
                .where(
                    ConflictRow.resolved.is_(False),
                    ConflictRow.deleted.is_(False),
                    (ConflictRow.person_id == person_id)
                    | (
                        (ConflictRow.record_kind == "person") & (ConflictRow.record_id == person_id)
                    ),
                )
            )
            or 0
        )


def _record_context(session: Any, kind: str, record_id: str) -> tuple[str, str, str, int]:
    """The person a record is about, what it is about (a form, a referral …) and, for a
    visit, the day it was held and the version of its form it was recorded with."""
    if kind == "person":
        return record_id, "", "", 0
    adapter = ADAPTERS.get(kind)
    model: Any = getattr(adapter, "model", None)
    if model is None:
        return "", "", "", 0
    row = session.scalars(select(model).where(model.id == record_id)).one_or_none()
    if row is None:
        return "", "", "", 0
    about = _ABOUT.get(kind)
    day, version = "", 0
    if kind == "visit":
        with contextlib.suppress(ValueError):
            day = dt.datetime.fromisoformat(row.started_at).astimezone().date().isoformat()
        version = row.form_version if isinstance(row.form_version, int) else 0
    return (
        str(getattr(row, "person_id", "")),
        str(getattr(row, about)) if about else "",
        day,
        version,
    )


def _with_differences(store: Store, user: User | None, c: OpenConflict) -> OpenConflict:
    if not about_visit_answers(c):
        return c
    from desktop_app.usecases import visits

    entry = visit_entry(c.record_kind, c.field)
    if entry is not None:
        differences: tuple[Difference, ...] = (Difference(entry[1], c.kept_value, c.other_value),)
    else:
        kept, other = json_object(c.kept_value), json_object(c.other_value)
        differences = tuple(
            Difference(key, kept.get(key), other.get(key))
            for key in sorted(kept.keys() | other.keys())
            if kept.get(key) != other.get(key)
        )
    hidden: frozenset[str] = frozenset()
    if user is not None and c.person_id:
        withheld = visits.withheld_kinds(store, user, c.person_id)
        if withheld:
            try:
                hidden = visits.form(c.about, store).withheld_fields(withheld)
            except KeyError:  # a form this laptop does not know: nothing of it is shown
                return replace(c, kept_value=None, other_value=None, withheld=True)
    if any(d.key in hidden for d in differences):
        shown = tuple(d for d in differences if d.key not in hidden)
        return replace(c, kept_value=None, other_value=None, differences=shown, withheld=True)
    return replace(c, differences=differences)


def _combines(c: OpenConflict, value: object) -> bool:
    """A visit's answers (or next steps) taken answer by answer from one version or the other."""
    if c.record_kind != "visit" or c.field not in _WHOLE_ANSWERS or c.withheld:
        return False
    kept, other, combined = json_object(c.kept_value), json_object(c.other_value), None
    if isinstance(value, str):
        combined = json_object(value)
    if not combined:
        return False
    keys = kept.keys() | other.keys() | combined.keys()
    missing = object()

    def taken(key: str) -> bool:
        mine, theirs = kept.get(key, missing), other.get(key, missing)
        value, both = combined.get(key, missing), both_entries(mine, theirs)
        return value in (mine, theirs) or (both is not None and value == both)

    return all(taken(key) for key in keys)


def combination(
    c: OpenConflict, take_other: set[str], take_both: Collection[str] = frozenset()
) -> str:
    """The visit's answers as kept, with the answers named in ``take_other`` from the other
    version (an answer the other version does not have is left out), and for the repeated
    groups named in ``take_both`` the entries of both versions (``both_entries``)."""
    kept, other = json_object(c.kept_value), json_object(c.other_value)
    for key in take_both:  # before ``take_other`` changes what is kept
        both = both_entries(kept.get(key), other.get(key))
        if both is not None:
            kept[key] = both
    for key in take_other:
        if key in other:
            kept[key] = other[key]
        else:
            kept.pop(key, None)
    return json.dumps(kept, ensure_ascii=False, sort_keys=True)


def resolve_conflict(store: Store, user: User, conflict_id: str, value: object) -> None:
    """An advisor's decision: the field gets ``value`` (either side's; for an editable field a
    corrected text; for a visit's repeated group the entries of ``both``; for a visit's answers
    a ``combination`` of both versions) on every laptop, and the conflict is resolved.

    Raises ``ConflictGone`` if it was decided meanwhile, ``ValidationFailed`` for a corrected
    value that is not valid, ``PermissionDenied`` if the user may not make the change (or may
    not see what differs), and ``ValueError`` for a value that is neither side's where only a
    choice is allowed.
    """
    found = _open(store, user, only=conflict_id)
    if not found:
        raise ConflictGone(conflict_id)
    conflict = found[0]
    kind, field_name = conflict.record_kind, conflict.field
    if not may_decide(user, conflict):
        raise PermissionDenied(_DECIDES.get(kind, Action.EDIT_PERSON))
    if conflict.withheld:
        raise PermissionDenied(Action.VIEW_RESTRICTED, "differing answers withheld")
    chosen = value in (conflict.kept_value, conflict.other_value)
    chosen = chosen or (conflict.both is not None and value == conflict.both)
    if not (chosen or conflict.editable or _combines(conflict, value)):
        raise ValueError(f"{kind}.{field_name}: only one of the two values can be chosen")

    def resolved(session: DbSession) -> None:
        _mark_resolved(session, store, user, conflict_id)

    # The value and the conflict's end are one transaction: a decision is never half made.
    if kind == "person":
        _decide_person(store, user, conflict, value, resolved)
    elif about_visit_answers(conflict):
        _decide_visit(store, user, conflict, value, resolved)
    else:
        _decide_row(store, user, conflict, value, resolved)


Resolved = Callable[[DbSession], None]


def _count_both(store: Store, form_id: str, group: str, answers: dict[str, Any]) -> None:
    """The entries of both laptops kept: the answer that counts them (``counted_by``, e.g.
    the number of children) is raised to their number. Each laptop that added a child also
    raised the count, to the same number, so without this the form refused both lists."""
    from desktop_app.usecases import visits

    try:
        definition = visits.form(form_id, store)
        counter = definition.field(group).counted_by
        most = definition.field(counter).max if counter is not None else None
    except (KeyError, visits.UnknownForm):
        return
    entries = answers.get(group)
    if counter is None or not isinstance(entries, list):
        return
    if most is not None and len(entries) > most:
        return  # more than the form allows: refused with the group's own message
    have = answers.get(counter)
    if not isinstance(have, int) or isinstance(have, bool) or have < len(entries):
        answers[counter] = len(entries)


def _decide_person(
    store: Store, user: User, c: OpenConflict, value: object, resolved: Resolved
) -> None:
    person = people.get_person(store, user, c.record_id, log_view=False)
    if person is None:  # erased meanwhile (its conflicts went with it)
        return
    values = people.person_values(person)
    values[c.field] = str(value)
    languages = tuple(code for code in values.pop("languages").split(",") if code)
    draft = PersonDraft(**values, languages=languages)
    people.update_person(store, user, c.record_id, draft, also=resolved)


def _decide_visit(
    store: Store, user: User, c: OpenConflict, value: object, resolved: Resolved
) -> None:
    """The visit as one laptop stored it: an edit like any other (a new revision, validated)."""
    from desktop_app.storage.visits_models import VisitRow
    from desktop_app.usecases import visits

    with store.reading() as session:
        row = session.get(VisitRow, c.record_id)
        held = None if row is None or row.deleted else (row.answers, row.next_steps, row.form_id)
    if held is None:  # erased meanwhile
        with store.transaction() as session:
            resolved(session)
        return
    answers, steps = json.loads(held[0]), json.loads(held[1])
    entry = visit_entry(c.record_kind, c.field)
    column = entry[0] if entry is not None else c.field
    if column == COMBINED_ANSWERS:
        column = "answers"
    before = answers if column == "answers" else steps
    if entry is None:
        after = json_object(value)
        if c.field == COMBINED_ANSWERS:  # a group kept with the entries of both versions
            kept, other = json_object(c.kept_value), json_object(c.other_value)
            for key in [
                k for k, v in after.items() if v == both_entries(kept.get(k), other.get(k))
            ]:
                _count_both(store, held[2], key, after)
    else:  # one answer (or next step); None: the version without it
        key = entry[1]
        after = {k: v for k, v in before.items() if k != key}
        if value is not None:
            after[key] = value
        if c.both is not None and value == c.both and column == "answers":
            _count_both(store, held[2], key, after)
    if column == "answers":
        answers = after
    else:
        steps = after
    # The answer chosen must stay, not go as a question the other answers do not ask: answers
    # merged from two laptops need not fit together.
    keep: tuple[str, ...] = ()
    if entry is not None and column == "answers" and value is not None:
        keep = (entry[1],)
    elif c.field == COMBINED_ANSWERS:  # the answers chosen, every one of them
        keep = tuple(after)
    if after == before:  # it holds the chosen value already
        if keep:
            visits.check_kept(store, user, c.record_id, answers, keep, next_steps=steps)
        with store.transaction() as session:
            resolved(session)
        return
    visits.edit_visit(
        store, user, c.record_id, answers, next_steps=steps, also=resolved, must_keep=keep
    )


def _decide_row(
    store: Store, user: User, c: OpenConflict, value: object, resolved: Resolved
) -> None:
    """Any other record: the field set in one change, with its clock, outbox and audit entry."""
    adapter = ADAPTERS[c.record_kind]
    model: Any = adapter.model  # type: ignore[attr-defined]  # row adapters (see sync.kinds)
    if c.record_kind == "referral":
        from desktop_app.usecases import referrals

        referrals.check_decided_text(c.field, value)
    with store.transaction() as session:
        resolved(session)
        row = session.scalars(select(model).where(model.id == c.record_id)).one_or_none()
        if row is None or row.deleted or getattr(row, c.field) == value:
            return
        hlc = str(store.clock.now())
        if c.record_kind == "referral":
            referrals.apply_decision(row, c.field, value, user.display_name, hlc=hlc)
        else:
            setattr(row, c.field, value)
        next_revision(
            session, row, c.record_kind, hlc=hlc, device_id=store.device_id, author_id=user.id
        )
        audit.record_in(
            session,
            store,
            user.id,
            audit.AuditAction.CHANGE,
            c.record_kind,
            c.person_id or row.id,
            {"field": c.field, "conflict": c.id},
        )


def _mark_resolved(session: DbSession, store: Store, user: User, conflict_id: str) -> None:
    row = session.get(ConflictRow, conflict_id)
    if row is None or row.resolved:
        return
    hlc = str(store.clock.now())
    stored = {k: (v[0], v[1]) for k, v in json.loads(row.field_clocks or "{}").items()}
    clocks = field_clocks_after_change(CONFLICT_FIELDS, stored, row.updated_hlc, {"resolved"}, hlc)
    row.resolved = True
    row.field_clocks = json.dumps({k: list(v) for k, v in clocks.items()}, sort_keys=True)
    next_revision(session, row, "conflict", hlc=hlc, device_id=store.device_id, author_id=user.id)
    # The decision itself, whether or not it changes a value: keeping the value a record holds
    # is a decision about the person's data too, and changes nothing else that is audited.
    person = row.person_id or (row.record_id if row.record_kind == "person" else "")
    audit.record_in(
        session,
        store,
        user.id,
        audit.AuditAction.DECIDE,
        row.record_kind,
        person or row.record_id,
        {"conflict": conflict_id, "field": row.field},
    )
