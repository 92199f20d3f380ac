"""Two entries of one person merged into one, so that the next advisor sees one history.

After an offline week two laptops may have registered one woman twice. An advisor merges the
entries: the visits, referrals, consents and sections opened to helpers of the entry merged
away move to the entry kept (each a synced change of its person), the fields the advisor
chose are a change of the kept person, a synced ``person_merge`` record names the entry kept,
and the entry merged away is left as a tombstone; a decision that it and a third entry are
different people is written for the kept entry and the third (``decisions_followed``). Every
laptop that gets the merge moves what it holds of the entry merged away, also what it
recorded offline and has not sent, and moves records arriving later (``sync.person_merges``).
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from typing import Any

from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session as DbSession

from desktop_app.domain.dates import PartialDate, PartialDateError
from desktop_app.domain.hlc import effective_field_clocks
from desktop_app.domain.permissions import Action, require
from desktop_app.domain.person import PERSON_FIELDS, Person, Sex, person_values
from desktop_app.domain.users import User
from desktop_app.storage.db import Store
from desktop_app.storage.models import (
    DataRequestRow,
    DistinctPeopleRow,
    OutboxRow,
    PersonMergeRow,
    PersonRow,
    UserRow,
    next_revision,
)
from desktop_app.storage.people_repo import PeopleRepository
from desktop_app.storage.referrals_models import ReferralRow
from desktop_app.storage.sync_models import ConflictRow
from desktop_app.storage.visits_models import (
    DRAFT_CONTENT,
    CarriedDraftRow,
    ConsentRow,
    DraftRow,
    VisitRow,
)
from desktop_app.sync import kinds as _kinds  # noqa: F401  (registers the record kinds)
from desktop_app.sync.merge import Conflict, FieldState, RecordState
from desktop_app.sync.person_merges import KIND, MOVES, kept_entries
from desktop_app.sync.records import ADAPTERS, RowAdapter
from desktop_app.usecases import audit, duplicates
from desktop_app.usecases.data_rights import PersonNotFound
from sync_server import wire

# What the dialog counts of each entry (the keys of ``MergeSide.counts``).
COUNTED = ("visits", "referrals", "consents")


def model_of(kind: str) -> Any:
    """The table of a kind whose records move (``sync.person_merges.MOVES``): the sync's own
    (``sync.records.ADAPTERS``), so that the kinds that move are listed in one place."""
    adapter = ADAPTERS[kind]
    assert isinstance(adapter, RowAdapter), kind
    return adapter.model


def kept_and_merged(one: str, other: str) -> tuple[str, str]:
    """Which of two entries of one person is kept and which is merged away: the smaller id is
    kept. Ids never change and are alike everywhere, so two advisors merging the same pair
    offline from either entry's page write the same merge record and the same tombstone,
    instead of each erasing the entry the other kept."""
    return (one, other) if one < other else (other, one)


def kept_entry(store: Store, person_id: str) -> str | None:
    """The entry that holds the records of ``person_id`` now if it was merged away (here or on
    a laptop this one synced with, following merges of merges), else None."""
    with store.reading() as session:
        return kept_entries(session, [person_id]).get(person_id)


def merge_id(merged_id: str) -> str:
    """The id of the record that an entry was merged away: the same on every laptop (the
    server reads it too: an advisor's laptop may send the tombstone of an entry merged away,
    not an erasure, ``SyncService.push``)."""
    return wire.person_merge_id(merged_id)


@dataclass(frozen=True)
class MergedBy:
    """Who merged an entry away, as this laptop's audit log can name them: the account's
    display name where it has one here (accounts do not sync), else only the user's id, the
    role the merging laptop's entry carries and that laptop's name."""

    user_id: str
    name: str = ""  # the display name, where the user has (or had) an account here
    role: str | None = None  # a ``Role`` value, where an entry carries it
    laptop: str = ""  # the merging laptop's name, where it said it


def merged_by(store: Store, merged_id: str) -> MergedBy | None:
    """Who merged ``merged_id`` into another entry (its merge record's author, on the laptop
    that wrote it); None where no merge record names it merged away."""
    # Imported here: ``data_rights`` and the sync package import this module.
    from desktop_app.sync import laptops
    from desktop_app.usecases.data_rights import _role_logged

    with store.reading() as session:
        row = session.get(PersonMergeRow, merge_id(merged_id))
        if row is None or row.deleted or row.merged_id != merged_id or not row.author_id:
            return None
        author, device = str(row.author_id), str(row.device_id)
        account = session.get(UserRow, author)
        role = _role_logged(session, audit.AuditAction.MERGED_AWAY, merged_id, device, author)
        if role is None and account is not None:
            role = audit.acting_role(session, author)
        return MergedBy(
            author,
            account.display_name if account is not None else "",
            role.value if role is not None else None,
            laptops.store_names(session).get(device, ""),
        )


@dataclass(frozen=True)
class MergeSeen:
    """What a merge saw of the entry merged away (``PersonMergeRow.seen``): a change of it
    made on a laptop that had not heard of the merge is judged by it (``carry_over``)."""

    # Each field's clocks as the merge saw it (of its last change, of the value that change
    # replaced): a value with a later clock, or one its value was not built on, is news.
    clocks: dict[str, tuple[str, str]] = field(default_factory=dict)
    # Fields whose value the kept entry took from the entry merged away (or had empty, or
    # alike): a newer value of that entry is the kept entry's newer value too.
    carried: frozenset[str] = frozenset()
    # The merge's clock: a field of the kept entry last changed no later was not changed
    # after the merge (the merge's own change of it included).
    at: str = ""

    def to_json(self) -> str:
        return json.dumps(
            {"clocks": self.clocks, "carried": sorted(self.carried), "at": self.at},
            sort_keys=True,
        )

    @classmethod
    def from_json(cls, text: str) -> MergeSeen:
        """What a merge record holds; nothing seen for a merge made before this was kept."""
        try:
            data = json.loads(text or "{}")
            clocks = {str(k): (str(v[0]), str(v[1])) for k, v in data["clocks"].items()}
            carried = frozenset(map(str, data["carried"]))
            return cls(clocks, carried, str(data["at"]))
        except (ValueError, TypeError, AttributeError, KeyError, IndexError):
            return cls()


@dataclass(frozen=True)
class MergeSide:
    person: Person
    counts: dict[str, int]  # COUNTED -> how many of them the entry holds


@dataclass(frozen=True)
class MergePreview:
    kept: MergeSide
    merged: MergeSide
    # Fields both entries hold, with different values: the advisor chooses (default: kept).
    differing: tuple[str, ...]
    # Fields only the entry merged away holds: the kept entry takes them.
    filled: tuple[str, ...]
    # The forms the entry merged away has begun here (drafts) that the kept entry has begun
    # too: the merged one is kept beside the kept entry's (``carry_drafts``); the dialog says so.
    drafts_on_both: tuple[str, ...] = ()


def preview(store: Store, user: User, one: str, other: str) -> MergePreview:
    """Both entries side by side (the one kept first, ``kept_and_merged``), and which fields
    the merge asks about or fills in."""
    require(user, Action.DECIDE_DUPLICATES)
    if one == other:
        raise ValueError("an entry cannot be merged into itself")
    kept_id, merged_id = kept_and_merged(one, other)
    with store.reading() as session:
        kept, merged = (_side(session, pid) for pid in (kept_id, merged_id))
        begun = [
            set(session.scalars(select(DraftRow.form_id).where(DraftRow.person_id == pid)))
            for pid in (kept_id, merged_id)
        ]
    ours, theirs = person_values(kept.person), person_values(merged.person)
    differing = tuple(n for n in PERSON_FIELDS if ours[n] and theirs[n] and ours[n] != theirs[n])
    filled = tuple(n for n in PERSON_FIELDS if theirs[n] and not ours[n])
    return MergePreview(kept, merged, differing, filled, tuple(sorted(begun[0] & begun[1])))


def _side(session: DbSession, person_id: str) -> MergeSide:
    person = PeopleRepository(session).get(person_id)
    if person is None or person.deleted:
        raise PersonNotFound(person_id)
    counts = {}
    for name, model in (("visits", VisitRow), ("referrals", ReferralRow), ("consents", ConsentRow)):
        counts[name] = int(
            session.scalar(
                select(func.count()).where(model.person_id == person_id, model.deleted.is_(False))
            )
            or 0
        )
    return MergeSide(person, counts)


class EntryMergedAway(PersonNotFound):
    """An entry to merge was merged into another one meanwhile (here or by a sync), not
    erased: said as "the person was erased meanwhile", which was not what happened. ``code``
    says whether into the other entry of this merge (the same merge done already) or into a
    third one."""

    def __init__(self, person_id: str, kept_id: str, *, into_the_other: bool) -> None:
        super().__init__(person_id)
        self.kept_id = kept_id
        self.code = "entries_merged" if into_the_other else "person_merged"


def _gone(session: DbSession, person_id: str, other_id: str) -> PersonNotFound:
    """Why ``person_id`` can no longer be merged with ``other_id``: merged away (its merge
    record names where to), or erased."""
    row = session.get(PersonMergeRow, merge_id(person_id))
    if row is None or row.deleted or row.merged_id != person_id:
        return PersonNotFound(person_id)
    return EntryMergedAway(person_id, row.kept_id, into_the_other=row.kept_id == other_id)


def merge_people(
    store: Store,
    user: User,
    one: str,
    other: str,
    take_other: frozenset[str] = frozenset(),
) -> dict[str, int]:
    """Merge two entries of one person, in one transaction, whichever of them the advisor
    started from: the one kept is ``kept_and_merged(one, other)[0]``. The kept entry takes
    the other's value of each field in ``take_other`` and of every field it has empty;
    everything recorded about the other moves to it; the other is left as a tombstone.
    Returns how many records of each kind moved. Audited for both entries.

    Raises ``PersonNotFound`` if either is unknown here or gone (``EntryMergedAway`` if
    merged into another entry meanwhile), ``ValueError`` for one entry
    twice or a field that is not a person's."""
    require(user, Action.DECIDE_DUPLICATES)
    if one == other:
        raise ValueError("an entry cannot be merged into itself")
    kept_id, merged_id = kept_and_merged(one, other)
    if not take_other <= set(PERSON_FIELDS):
        raise ValueError("not a person's field")
    # Imported here: ``people`` imports the sync package, whose kinds import this module.
    from desktop_app.usecases.data_rights import _erase_row
    from desktop_app.usecases.people import _write_change

    with store.transaction() as session:
        repo = PeopleRepository(session)
        kept, merged = repo.get(kept_id), repo.get(merged_id)
        for pid, person, other_id in ((kept_id, kept, merged_id), (merged_id, merged, kept_id)):
            if person is None or person.deleted:
                raise _gone(session, pid, other_id)
        assert kept is not None and merged is not None
        ours, theirs = person_values(kept), person_values(merged)
        taken = {n for n in PERSON_FIELDS if theirs[n] and (n in take_other or not ours[n])}
        changed = {n for n in taken if theirs[n] != ours[n]}
        if changed:
            chosen = replace(kept, **{n: getattr(merged, n) for n in changed})
            _write_change(session, store, user, kept, chosen, changed)
        # Taken after the kept entry's change: a field of it no newer is still the merge's.
        hlc = str(store.clock.now())
        clocks = effective_field_clocks(PERSON_FIELDS, merged.field_clocks, merged.updated_hlc)
        seen = MergeSeen(
            {n: clocks[n] for n in PERSON_FIELDS},
            frozenset(n for n in PERSON_FIELDS if n in taken or ours[n] in ("", theirs[n])),
            hlc,
        )
        # The merge record before the tombstone: its outbox entry goes out first, so that no
        # laptop hears of the tombstone before it knows where the records went.
        row = session.get(PersonMergeRow, merge_id(merged_id))
        if row is None:
            row = PersonMergeRow(id=merge_id(merged_id), revision=0, field_clocks="{}")
            session.add(row)
        row.merged_id, row.kept_id, row.deleted = merged_id, kept_id, False
        row.seen = seen.to_json()
        next_revision(session, row, KIND, hlc=hlc, device_id=store.device_id, author_id=user.id)
        moved = move_records(session, store, merged_id, kept_id, user.id)
        # What was waiting to be sent of the entry merged away: its tombstone alone goes, and
        # after the merge record (the push sends each record in the order of its first entry).
        session.execute(
            delete(OutboxRow).where(
                OutboxRow.record_kind == "person", OutboxRow.record_id == merged_id
            )
        )
        gone = session.scalar(select(PersonRow).where(PersonRow.id == merged_id))
        assert gone is not None
        left = _erase_row(session, store, user, gone)
        next_revision(
            session,
            gone,
            "person",
            hlc=str(store.clock.now()),
            device_id=store.device_id,
            author_id=user.id,
        )
        audit.record_in(
            session,
            store,
            user.id,
            audit.AuditAction.MERGE_KEPT,
            "person",
            kept_id,
            {"other_entry": merged_id, "fields": ",".join(sorted(changed)), **moved},
        )
        audit.record_in(
            session,
            store,
            user.id,
            audit.AuditAction.MERGED_AWAY,
            "person",
            merged_id,
            {"other_entry": kept_id, **{k: v for k, v in left.items() if v}},
        )
    return moved


def move_records(
    session: DbSession,
    store: Store,
    merged_id: str,
    kept_id: str,
    author_id: str,
    *,
    by_sync: bool = False,
) -> dict[str, int]:
    """Move every record held here about ``merged_id`` to ``kept_id``: a synced change of its
    person column each (two laptops moving one record write the same value: no conflict),
    and the drafts begun here (``carry_drafts``). In the caller's transaction; for a merge
    here and for one arriving from another laptop (``by_sync``: the changes are queued as no
    user's here, ``OutboxRow.by_sync``, left out of the changes to send)."""
    moved: dict[str, int] = {}
    hlc = ""  # taken when something moves: the clock ticks for a change only
    for kind, column in MOVES.items():
        model = model_of(kind)
        where = [getattr(model, column) == merged_id, model.deleted.is_(False)]
        if kind == "conflict":  # one over the entry's own fields goes with it
            where.append(ConflictRow.record_kind != "person")
        rows = session.scalars(select(model).where(*where)).all()
        for row in rows:
            hlc = hlc or str(store.clock.now())
            setattr(row, column, kept_id)
            next_revision(
                session,
                row,
                kind,
                hlc=hlc,
                device_id=store.device_id,
                author_id=author_id,
                by_sync=by_sync,
            )
        if rows:
            moved[_COUNT_NAMES.get(kind, kind)] = len(rows)
    if carried := _carry_conflicts(session, store, merged_id, kept_id):
        moved["conflicts_carried"] = carried
    pair = DistinctPeopleRow
    decided = session.execute(
        select(pair.person_a, pair.person_b).where(
            (pair.person_a == merged_id) | (pair.person_b == merged_id), pair.deleted.is_(False)
        )
    ).all()
    followed = decisions_followed(
        session, store, [(a, b, author_id) for a, b in decided], by_sync=by_sync
    )
    if followed:
        moved["distinct_people"] = followed
    # The register of requests follows the person too (not counted): left on the entry
    # merged away, a copy request lost its person at once. A change of its own that syncs;
    # one arriving later about the entry merged away moves as it is saved (``sync.kinds``).
    requests = session.scalars(
        select(DataRequestRow).where(
            DataRequestRow.person_id == merged_id, DataRequestRow.deleted.is_(False)
        )
    ).all()
    for request in requests:
        request.person_id = kept_id
        next_revision(
            session,
            request,
            "data_request",
            hlc=str(store.clock.now()),
            device_id=store.device_id,
            author_id=author_id,
            by_sync=by_sync,
        )
    drafts, carried = carry_drafts(session, merged_id, kept_id)
    if drafts:
        moved["drafts"] = drafts
    if carried:
        moved["drafts_carried"] = carried
    session.flush()
    return moved


def carry_drafts(session: DbSession, merged_id: str, kept_id: str) -> tuple[int, int]:
    """The drafts of ``merged_id`` held here, kept on ``kept_id``: a draft of a form the kept
    entry has not begun becomes its draft; one of a form it has begun too is kept beside it
    (``CarriedDraftRow``, from the entry merged away), as are the drafts the entry merged away
    had carried from a merge before. Left behind they went with its tombstone, unsaid where
    the merge came by sync. Returns how many became drafts and how many were carried."""
    begun = set(session.scalars(select(DraftRow.form_id).where(DraftRow.person_id == kept_id)))
    drafts = carried = 0
    for row in session.scalars(select(DraftRow).where(DraftRow.person_id == merged_id)).all():
        content = {name: getattr(row, name) for name in DRAFT_CONTENT}
        if row.form_id in begun:
            session.merge(
                CarriedDraftRow(
                    person_id=kept_id, form_id=row.form_id, carried_from=merged_id, **content
                )
            )
            carried += 1
        else:
            session.add(DraftRow(person_id=kept_id, form_id=row.form_id, **content))
            drafts += 1
        session.delete(row)
    held = {
        (str(form), str(source))
        for form, source in session.execute(
            select(CarriedDraftRow.form_id, CarriedDraftRow.carried_from).where(
                CarriedDraftRow.person_id == kept_id
            )
        )
    }
    for old in session.scalars(
        select(CarriedDraftRow).where(CarriedDraftRow.person_id == merged_id)
    ).all():
        if (old.form_id, old.carried_from) not in held:  # else the same draft, carried twice
            old.person_id = kept_id
            carried += 1
    session.flush()
    return drafts, carried


def decisions_followed(
    session: DbSession,
    store: Store,
    decided: Iterable[tuple[str, str, str]],
    *,
    by_sync: bool = False,
) -> int:
    """Decisions that two entries are different people (``usecases.duplicates``; ``decided``:
    both entries and the decision's author) that name an entry merged away, written anew for
    the entries holding their records now (following merges of merges): the kept entry and
    the other one. None of the kept entry with itself, none where that pair is decided
    already; the decision naming the entry merged away goes with its tombstone. Its id
    follows from the pair, so every laptop writes the same record, in whatever order the
    merge and the decision reach it. In the caller's transaction; for a merge here, one
    arriving, and a decision arriving after its merge (``by_sync``: written by a sync, not a
    user here, ``OutboxRow.by_sync``). Returns how many were written."""
    decided = list(decided)
    kept = kept_entries(session, {pid for a, b, _author in decided for pid in (a, b)})
    written = 0
    for a, b, author in decided:
        if a in kept or b in kept:
            first, second = kept.get(a, a), kept.get(b, b)
            written += duplicates.record_in(session, store, author, first, second, by_sync=by_sync)
    return written


# The names the counts of moved records carry in audit entries (as an erasure's do).
_COUNT_NAMES = {
    "visit": "visits",
    "consent": "consents",
    "referral": "referrals",
    "case_opening": "case_openings",
    "conflict": "conflicts",
    KIND: "merges",
}


def carry_over(
    session: DbSession, store: Store, merged: RecordState, kept_id: str, author_id: str
) -> dict[str, int]:
    """The changes of an entry merged away that its merge did not see (made on a laptop that
    had not heard of it: ``merged`` is that entry as it wrote it), kept on ``kept_id`` instead
    of being lost to the tombstone. In the caller's transaction; for a change arriving after
    the merge and for a merge arriving after it. Returns how many fields were taken
    ("fields") and how many became conflicts ("conflicts").

    Each field is judged alike on every laptop, from what the merge record says it saw:

    - a value the merge saw (its clock), or the kept entry's value already: nothing to do;
    - the kept entry's value came from the merged entry or was empty (``MergeSeen.carried``),
      and has not changed since the merge, or changed before this value was written: the
      kept entry takes it, as a change made here (two laptops carrying it write one value);
    - otherwise the kept entry's value stays and this one is a conflict on it, for an
      advisor to choose (one conflict however many laptops find it: its identity is the
      kept entry, the field and this value's clock).
    """
    from desktop_app.usecases.people import write_change_by

    done = {"fields": 0, "conflicts": 0}
    repo = PeopleRepository(session)
    kept = repo.get(kept_id)
    if kept is None or kept.deleted or merged.deleted:
        return done
    row = session.get(PersonMergeRow, merge_id(merged.id))
    seen = MergeSeen.from_json(row.seen if row is not None and not row.deleted else "{}")
    ours = person_values(kept)
    clocks = effective_field_clocks(PERSON_FIELDS, kept.field_clocks, kept.updated_hlc)
    taken: dict[str, str] = {}
    for name in PERSON_FIELDS:
        theirs = merged.fields.get(name)
        if theirs is None or not isinstance(theirs.value, str):
            continue
        if theirs.value == ours[name] or not _news(theirs, seen.clocks.get(name)):
            continue
        mine = clocks[name][0]
        carried = name in seen.carried or not ours[name]
        later = theirs.clock > seen.clocks.get(name, ("", ""))[0]
        if carried and later and (mine <= seen.at or mine < theirs.clock):
            taken[name] = theirs.value
            continue
        conflict = Conflict("person", kept_id, name, ours[name], mine, theirs.value, theirs.clock)
        done["conflicts"] += _conflict_on_kept(session, store, conflict)
    if taken:
        try:
            changed_to = _with_values(kept, taken)
        except (PartialDateError, ValueError):
            return done  # not a value a person holds (``kinds`` refuses such a record)
        write_change_by(session, store, author_id, kept, changed_to, set(taken))
        done["fields"] = len(taken)
    return done


def _carry_conflicts(session: DbSession, store: Store, merged_id: str, kept_id: str) -> int:
    """The open conflicts over the merged entry's own fields, as conflicts on the kept entry:
    the value not kept there against the kept entry's (unless it holds that value). They go
    with the merged entry's tombstone; one over a field the advisor merged is still open."""
    kept = PeopleRepository(session).get(kept_id)
    if kept is None or kept.deleted:
        return 0
    ours = person_values(kept)
    clocks = effective_field_clocks(PERSON_FIELDS, kept.field_clocks, kept.updated_hlc)
    found = 0
    for row in session.scalars(
        select(ConflictRow).where(
            ConflictRow.record_kind == "person",
            ConflictRow.record_id == merged_id,
            ConflictRow.resolved.is_(False),
            ConflictRow.deleted.is_(False),
        )
    ):
        other = json.loads(row.other_value)
        if row.field not in ours or not isinstance(other, str) or other == ours[row.field]:
            continue
        mine = clocks[row.field][0]
        conflict = Conflict(
            "person", kept_id, row.field, ours[row.field], mine, other, row.other_clock
        )
        found += _conflict_on_kept(session, store, conflict)
    return found


def _conflict_on_kept(session: DbSession, store: Store, conflict: Conflict) -> int:
    """Store a conflict on the kept entry unless it is held already (1 if new): found again
    on this laptop, or on another one and synced (its id is alike only under a team key)."""
    from desktop_app.sync.conflict_records import record_conflict

    held = session.scalar(
        select(func.count()).where(
            ConflictRow.record_kind == conflict.record_kind,
            ConflictRow.record_id == conflict.record_id,
            ConflictRow.field == conflict.field,
            ConflictRow.other_clock == conflict.other_clock,
        )
    )
    if held:
        return 0
    return record_conflict(session, store, conflict, conflict.record_id)


def _news(value: FieldState, seen: tuple[str, str] | None) -> bool:
    """Whether the merge did not see ``value`` of a field, nor one built on it (the field's
    clocks as the merge saw them: ``seen``; as ``sync.merge`` tells a concurrent change)."""
    if seen is None:
        return True
    clock, base = seen
    return value.clock != clock and (value.clock > clock or value.clock > base)


def _with_values(person: Person, values: dict[str, str]) -> Person:
    """``person`` with fields set from their values as they travel (``person_values``)."""
    typed: dict[str, Any] = {}
    for name, value in values.items():
        if name == "date_of_birth":
            typed[name] = PartialDate.parse(value) if value else None
        elif name == "sex":
            typed[name] = Sex(value) if value else None
        elif name == "languages":
            typed[name] = tuple(code for code in value.split(",") if code)
        else:
            typed[name] = value
    return replace(person, **typed)
