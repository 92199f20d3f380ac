"""The record kinds that sync, registered with their adapters (people, conflicts, laptops …)."""

from __future__ import annotations

import json
from collections.abc import Callable
from collections.abc import Set as AbstractSet
from functools import lru_cache
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from desktop_app.domain.dates import PartialDate, PartialDateError
from desktop_app.domain.hlc import entry_name
from desktop_app.domain.person import PERSON_FIELDS, Person, Sex
from desktop_app.domain.publication_history import merged_content
from desktop_app.storage.db import Store
from desktop_app.storage.models import (
    REASON_REMOVED,
    DistinctPeopleRow,
    PersonMergeRow,
    PersonRow,
    data_columns,
    table,
)
from desktop_app.storage.people_repo import PeopleRepository
from desktop_app.storage.sync_models import ConflictRow, LaptopRow
from desktop_app.sync import laptops, person_merges
from desktop_app.sync.merge import Conflict, FieldState, RecordState, clock_device
from desktop_app.sync.records import (
    ABOUT_ERASED,
    FORMERLY_DELETED,
    LOAD_COLUMNS,
    LOCAL_ONLY,
    ImmutableRowAdapter,
    LocalRecord,
    NewerRecord,
    PayloadError,
    RowAdapter,
    ToSave,
    refusal,
    register,
    rows_for_ids,
)


class PersonAdapter:
    """People sync through the repository, so their search tokens follow every change."""

    kind = "person"
    fields: tuple[str, ...] = PERSON_FIELDS
    sticky_true: frozenset[str] = frozenset()
    last_writer_wins: frozenset[str] = frozenset()
    greatest: frozenset[str] = frozenset()
    union_lists: frozenset[str] = frozenset()

    def load_many(self, session: Session, record_ids: list[str]) -> dict[str, LocalRecord]:
        # Plain tuples from the driver, not ORM objects or SQLAlchemy rows: loading is most
        # of the laptop's work in sealing a first push of thousands of people.
        return {row[0]: self._local(row) for row in rows_for_ids(session, _LOAD_SQL, record_ids)}

    def _local(self, row: tuple[Any, ...]) -> LocalRecord:
        record_id, deleted, revision, author_id, updated_hlc, field_clocks = row[:6]
        if deleted:
            state = RecordState(self.kind, record_id, {}, True, updated_hlc)
            return LocalRecord(state, revision, author_id)
        stored = json.loads(field_clocks) if field_clocks and field_clocks != "{}" else {}
        values = _row_values(dict(zip(PERSON_FIELDS, row[6:], strict=True)))
        fields = {}
        for name in PERSON_FIELDS:
            # A field without its own clocks was last changed at ``updated_hlc``.
            entry = stored.get(name)
            clock, base = (entry[0], entry[1]) if entry is not None else (updated_hlc, "")
            fields[name] = FieldState(values[name], clock, base)
        return LocalRecord(RecordState(self.kind, record_id, fields), revision, author_id)

    def upgrade(self, state: RecordState, local: RecordState | None) -> RecordState:
        return state  # an older version's person lacks fields at most: ``_person_from_item``

    def save_many(
        self,
        session: Session,
        store: Store,
        items: list[ToSave],
        held: AbstractSet[str] | None = None,
    ) -> dict[str, str]:
        refused: dict[str, str] = {}
        ready: list[Person] = []
        for item in items:
            try:
                ready.append(_person_from_item(item))
            except PayloadError as exc:
                refused[item.state.id] = refusal(exc)
        if held is None:
            sql = "SELECT id FROM people WHERE id IN ({ids})"
            existing = {row[0] for row in rows_for_ids(session, sql, [p.id for p in ready])}
        else:
            existing = {p.id for p in ready if p.id in held}
        repo = PeopleRepository(session)
        new = [p for p in ready if p.id not in existing]
        if new:
            repo.add_many(new)
        for person in ready:
            if person.id not in existing:
                continue
            if person.deleted:
                # Imported here and only when needed: it pulls in the letters (PDF) package.
                from desktop_app.usecases.data_rights import apply_remote_erasure

                # An erasure from another laptop: everything held here about the person goes.
                apply_remote_erasure(
                    session,
                    store,
                    person.id,
                    revision=person.revision,
                    updated_hlc=person.updated_hlc,
                    device_id=person.device_id,
                    author_id=person.author_id,
                )
            repo.replace(person)
        return refused


_LOAD_COLUMNS = (*LOAD_COLUMNS, *PERSON_FIELDS)
_LOAD_SQL = f"SELECT {', '.join(_LOAD_COLUMNS)} FROM people WHERE id IN ({{ids}})"


def _row_values(values: dict[str, Any]) -> dict[str, str]:
    """``person_values(person_from_row(row))`` without building the ``Person`` in between."""
    if values["date_of_birth"]:
        values["date_of_birth"] = PartialDate.parse(values["date_of_birth"]).iso()
    values["sex"] = Sex(values["sex"]).value if values["sex"] else ""
    values["languages"] = ",".join(c for c in values["languages"].split(",") if c)
    return values


def _person_from_item(item: ToSave) -> Person:
    state = item.state
    newest = state.newest_clock()
    if state.deleted:
        return Person(
            id=state.id,
            given_name="",
            family_name="",
            revision=item.revision,
            updated_hlc=newest,
            device_id=clock_device(newest)[:36],
            author_id=item.author_id[:36],
            deleted=True,
        )
    fields = state.fields
    if not fields.keys() <= _PERSON_FIELD_SET:
        raise NewerRecord("person: fields this version does not know")
    if fields.keys() != _PERSON_FIELD_SET:
        # Written by an older version that did not have a field yet: empty, with the oldest
        # clock, so a value set for it anywhere wins (as ``RowAdapter`` does for other kinds).
        fields = {name: fields.get(name, _NOT_YET) for name in PERSON_FIELDS}
    v = {name: f.value for name, f in fields.items()}
    if not all(isinstance(value, str) for value in v.values()):
        raise PayloadError("person: field values must be text")
    try:
        dob = PartialDate.parse(v["date_of_birth"]) if v["date_of_birth"] else None
        sex = Sex(v["sex"]) if v["sex"] else None
    except (PartialDateError, ValueError) as exc:
        raise PayloadError("person: bad date or option") from exc
    return Person(
        id=state.id,
        given_name=v["given_name"],
        family_name=v["family_name"],
        date_of_birth=dob,
        sex=sex,
        nationality=v["nationality"],
        languages=tuple(c for c in v["languages"].split(",") if c),
        phone=v["phone"],
        notes=v["notes"],
        id_document_name=v["id_document_name"],
        revision=item.revision,
        updated_hlc=newest,
        device_id=clock_device(newest)[:36],
        author_id=item.author_id[:36],
        deleted=False,
        field_clocks={n: (f.clock, f.base) for n, f in fields.items()},
    )


_PERSON_FIELD_SET = frozenset(PERSON_FIELDS)
_NOT_YET = FieldState("", "", "")


CONFLICT_FIELDS = (
    "record_kind",
    "record_id",
    "person_id",
    "field",
    "kept_value",
    "kept_clock",
    "other_value",
    "other_clock",
    "resolved",
)


# Kinds about a person whose tombstones delete their rows (``RowAdapter.erase_rows``).
_ERASED_WHOLE = frozenset({"visit", "consent", "referral", "case_opening"})


def _issued_as_draft(values: dict[str, Any]) -> bool:
    """Whether a referral of a version before ``issued_as_draft`` was a helper's draft, as
    the migration ``issued_as_draft`` tells it of the referrals held then: not signed off, or
    signed off at another time or by another name than it was issued at and by (an advisor's
    own is signed off by its advisor as it is issued). A draft signed off within the second
    by an advisor of the helper's name passes for an advisor's own: not to be known."""
    signed_at = values.get("signed_off_at") or ""
    return (
        not signed_at
        or signed_at != values.get("created_at")
        or values.get("signed_off_by") != values.get("advisor_name")
    )


def register_builtin_kinds() -> None:
    from desktop_app.storage.referrals_models import ReferralRow
    from desktop_app.storage.visits_models import ConsentRow, QuickContactRow, VisitRow

    register(PersonAdapter())
    from desktop_app.storage.audit_models import AuditRow, CaseOpeningRow

    # Bookkeeping that comes with a change (when it was made, who signed off) follows the change
    # that won, never a conflict of its own; a referral's status history keeps every step made
    # on any laptop. What an advisor wrote or chose (answers, status, outcome) can conflict.
    later_wins = {
        "visit": frozenset({"finished_at", "form_version"}),
        # The service as issued is written once, when the letter is first given; two laptops
        # that each gave it offline both gave a letter: the later one's stands, no conflict.
        "referral": frozenset(
            {"status_changed_at", "signed_off_by", "signed_off_at", SERVICE_AS_ISSUED}
        ),
    }
    # Sent only once they hold a value (``RowAdapter.held_back_while_empty``): a version before
    # them keeps only such records for its update and reads every other one as before.
    held_while_empty = {"referral": frozenset({SERVICE_AS_ISSUED})}
    histories = {"referral": frozenset({"status_history"})}
    # Set when the record is made and never changed: laptops differ on it only where they
    # guessed it for a record of a version before it (``guessed``), and a draft is then
    # told for sure (never signed off, or by another or later), an advisor's own only guessed.
    flags = {"referral": frozenset({"issued_as_draft"})}
    guesses = {"referral": {"issued_as_draft": _issued_as_draft}}
    for kind, model in (
        ("visit", VisitRow),
        ("consent", ConsentRow),
        ("quick_contact", QuickContactRow),
        ("referral", ReferralRow),
        ("case_opening", CaseOpeningRow),
    ):
        owner = "person_id" if "person_id" in data_columns(model) else None
        register(
            RowAdapter(
                kind,
                model,
                data_columns(model),
                person_column=owner,
                sticky_true=flags.get(kind, frozenset()),
                last_writer_wins=later_wins.get(kind, frozenset()),
                union_lists=histories.get(kind, frozenset()),
                check_combination=_visit_combination if kind == "visit" else None,
                erase_rows=_eraser(kind) if kind in _ERASED_WHOLE else None,
                check_content=_visit_answers_shape if kind == "visit" else None,
                guessed=guesses.get(kind),
                held_back_while_empty=held_while_empty.get(kind, frozenset()),
            )
        )
    register(DistinctPeopleAdapter())
    register(DataRequestAdapter())
    register(PersonMergeAdapter())
    # A section closed to a helper: ``opened`` false (versions before it deleted the record).
    FORMERLY_DELETED["case_opening"] = "opened"
    # Audit entries travel whole (their chain needs every column, the device id included).
    # Accounts belong to one laptop (their key slots cannot travel): they never leave it.
    LOCAL_ONLY.add("user")
    audit_fields = tuple(c.key for c in table(AuditRow).columns if c.key != "id")
    register(ImmutableRowAdapter("audit", AuditRow, audit_fields, clock="at"))
    register(
        RowAdapter(
            "conflict",
            ConflictRow,
            CONFLICT_FIELDS,
            sticky_true=frozenset({"resolved"}),
            person_of=_conflict_person,
            erase_rows=_eraser("conflict"),
        )
    )
    from desktop_app.storage.reference_models import ReferenceRow

    # A publication replaces the one before; two at once: the later one (its clock) is in
    # force everywhere, and its history holds both (``publication_history.merged_content``).
    fields = data_columns(ReferenceRow)
    register(
        RowAdapter(
            "reference",
            ReferenceRow,
            fields,
            last_writer_wins=frozenset(fields) - {"content"},
            combined={"content": merged_content},
            on_save=_keep_forms_publication,
        )
    )
    # The team's laptops (see sync.laptops): a revocation anywhere stands, the newest vouch
    # stands, and the rest (the same values from every writer; the name a label) never
    # conflicts. Not about a person: erasure never reaches them.
    fields = data_columns(LaptopRow)
    register(
        RowAdapter(
            laptops.KIND,
            LaptopRow,
            fields,
            on_save=laptops.check_saved,
            sticky_true=frozenset({"revoked"}),
            greatest=frozenset({"vouch"}),
            last_writer_wins=frozenset(fields) - {"revoked", "vouch"},
        )
    )


class DistinctPeopleAdapter(RowAdapter):
    """Decisions that two entries of one name and date of birth are two people
    (``usecases.duplicates``). A decision names two people: one arriving after either was
    erased here is dropped (and its tombstone queued), as a visit about an erased person is;
    ``RowAdapter`` looks at one person column, ``person_a``, and this at ``person_b`` too."""

    def __init__(self) -> None:
        super().__init__(
            "distinct_people",
            DistinctPeopleRow,
            data_columns(DistinctPeopleRow),
            person_column="person_a",
            erase_rows=_eraser("distinct_people"),
        )

    def save_many(
        self,
        session: Session,
        store: Store,
        items: list[ToSave],
        held: AbstractSet[str] | None = None,
    ) -> dict[str, str]:
        def second(item: ToSave) -> str | None:
            field = item.state.fields.get("person_b")
            return None if item.state.deleted or field is None else str(field.value)

        named = {pid for item in items if (pid := second(item)) is not None}
        erased = set(
            session.scalars(
                select(PersonRow.id).where(PersonRow.id.in_(named), PersonRow.deleted.is_(True))
            )
        )
        refused = {item.state.id: ABOUT_ERASED for item in items if second(item) in erased}
        rest = [item for item in items if item.state.id not in refused]
        refused |= super().save_many(session, store, rest, held)
        # One naming an entry merged away (here refused as about a tombstone, or saved before
        # the tombstone came) follows it to the entry kept, as a held one did at the merge.
        # After the page's own are saved: one of them may be that very decision.
        from desktop_app.usecases.merges import decisions_followed

        decisions_followed(
            session,
            store,
            [
                (str(item.state.fields["person_a"].value), pid, item.author_id)
                for item in items
                if (pid := second(item)) is not None and "person_a" in item.state.fields
            ],
            by_sync=True,
        )
        return refused


#: A referral's field keeping what its letter said of the service when it was given
#: (``ReferralRow.service_as_issued``).
SERVICE_AS_ISSUED = "service_as_issued"
#: A data request's field naming why it was answered by hand (``DataRequestRow.answer_reason``).
REASON = "answer_reason"


def _unaware(side: RecordState, other: RecordState) -> RecordState:
    """``side`` with its reason removed where it links the person and ``other``'s link was
    emptied later (``DataRequestAdapter.unaware``); else ``side`` itself."""
    reason, link = side.fields.get(REASON), side.fields.get("person_id")
    emptied = other.fields.get("person_id")
    if (
        reason is None
        or reason.value in ("", REASON_REMOVED)
        or link is None
        or not link.value
        or emptied is None
        or emptied.value
        or not emptied.clock > link.clock
    ):
        return side
    fields = {**side.fields, REASON: reason._replace(value=REASON_REMOVED)}
    return RecordState(side.kind, side.id, fields, side.deleted, side.deleted_clock)


class DataRequestAdapter(RowAdapter):
    """The register of requests about personal data (``usecases.data_rights``): each laptop's
    entries reach the coordinator who answers them.

    An answer, once given, stays: of two answers (two laptops answered one open request) the
    earlier date wins everywhere, an open copy's "" loses to any (``least``), and who answered
    goes with the date kept (``follows``). Reference, kind and receipt never change after the
    entry is made. The person link only empties (an erasure) or moves to the entry kept (a
    merge): the later change wins, never a conflict. Not erased with the person (the register
    outlives the erasure it records): one arriving about a person erased here has its link
    emptied (an open erasure request answered by that erasure) as it is saved, a change of
    this laptop's that syncs, as ``apply_remote_erasure`` does for those held here when the
    erasure arrives; one about an entry merged away moves to the entry kept
    (``data_rights.follow_erasures``). Any role may push it (the server cannot tell the kinds'
    content apart, and a helper's laptop sends the emptied link after an erasure)."""

    least = frozenset({"answered"})
    follows = {"answered_by": "answered", REASON: "answered"}

    def __init__(self) -> None:
        from desktop_app.storage.models import DataRequestRow

        super().__init__(
            "data_request",
            DataRequestRow,
            data_columns(DataRequestRow),
            last_writer_wins=frozenset({"person_id"}),
            held_back_while_empty=frozenset({REASON}),
        )

    def redacted(self, state: RecordState) -> bool:
        """Whether ``state`` is a version without personal text it held: the reason of an
        answer given by hand removed with the person's data (``REASON_REMOVED``). Sent from a
        laptop whose role may erase, it has the server delete the entry's earlier envelopes,
        which hold the reason (``SyncEngine._redactions``, ``wire.Envelope.redacts_through``);
        every later version of the entry does too (nothing is left to delete then)."""
        field = state.fields.get(REASON)
        return field is not None and field.value == REASON_REMOVED

    def unaware(self, local: RecordState, incoming: RecordState) -> tuple[RecordState, RecordState]:
        """``local`` and ``incoming`` before they are merged, the reason removed from a side that
        still links the person where the other side's link was emptied after (an erasure):
        given on a laptop that had not heard of the erasure, whatever the clocks say. The rule
        of ``save_many`` (the reason's clock older than the emptied link's) misses it where the
        erasing laptop's clock ran behind the answering one's: the erasure's clock then reads
        earlier than the answer it never saw, and the reason stayed, unlinked, everywhere. A
        reason given after the erasure was heard of is given on an entry unlinked already. Both
        orders of merging give the same state (the removal keeps the reason's clocks)."""
        return _unaware(local, incoming), _unaware(incoming, local)

    def holds_personal_text(self, state: RecordState) -> bool:
        """Whether ``state`` holds the personal text a redacting version removes: the reason
        of an answer given by hand (``SyncEngine._owe_stale``)."""
        field = state.fields.get(REASON)
        return field is not None and field.value not in ("", REASON_REMOVED)

    def save_many(
        self,
        session: Session,
        store: Store,
        items: list[ToSave],
        held: AbstractSet[str] | None = None,
    ) -> dict[str, str]:
        refused = super().save_many(session, store, items, held)
        linked: dict[str, list[str]] = {}
        unlinked: dict[str, str] = {}  # reasons older than the erasure that unlinked them
        for item in items:
            field = item.state.fields.get("person_id")
            if item.state.id in refused or item.state.deleted or field is None:
                continue
            if not field.value:
                reason = item.state.fields.get(REASON)
                if (
                    reason is not None
                    and reason.value not in ("", REASON_REMOVED)
                    and reason.clock < field.clock
                ):
                    unlinked[item.state.id] = item.author_id
                continue
            linked.setdefault(str(field.value), []).append(item.state.id)
        if linked or unlinked:
            # Imported here: the use cases import the sync package.
            from desktop_app.usecases.data_rights import follow_erasures, remove_reasons_of_erased

            if linked:
                follow_erasures(session, store, linked)
            if unlinked:
                remove_reasons_of_erased(session, store, unlinked)
        return refused


class PersonMergeAdapter(RowAdapter):
    """Entries merged into others (``usecases.merges``): one arriving moves every record held
    here about the entry merged away to the entry kept, also those recorded here offline and
    not sent yet, before that entry's tombstone (applied after it, ``SyncEngine._apply_page``)
    could take them. One naming a kept entry erased here is dropped, as a visit about it is."""

    def __init__(self) -> None:
        super().__init__(
            person_merges.KIND,
            PersonMergeRow,
            data_columns(PersonMergeRow),
            person_column="kept_id",
            erase_rows=_eraser(person_merges.KIND),
            # Two laptops merging one entry offline may have seen it differently: either
            # view serves, no advisor is asked to choose between them.
            last_writer_wins=frozenset({"seen"}),
        )

    def save_many(
        self,
        session: Session,
        store: Store,
        items: list[ToSave],
        held: AbstractSet[str] | None = None,
    ) -> dict[str, str]:
        refused = super().save_many(session, store, items, held)
        # Imported here: the use cases import the sync package.
        from desktop_app.usecases.merges import move_records

        saved = [i.state.id for i in items if not i.state.deleted and i.state.id not in refused]
        if not saved:
            return refused
        row = PersonMergeRow
        pairs = session.execute(
            select(row.id, row.merged_id, row.kept_id).where(
                row.id.in_(saved), row.deleted.is_(False)
            )
        ).all()
        authors = {item.state.id: item.author_id for item in items}
        for record_id, merged_id, kept_id in pairs:
            if merged_id and kept_id and merged_id != kept_id:  # else names no entry to move
                move_records(session, store, merged_id, kept_id, authors[record_id], by_sync=True)
        return refused


def _keep_forms_publication(session: Session, row: Any) -> None:
    """A forms publication that arrives: its consent texts and its form definitions are kept,
    so that a consent given under one reads in the data copy after a later publication or
    update replaced it, and a visit recorded under one of its versions is told in its words
    after the next publication."""
    if row.name == "forms" and not row.deleted:
        # Imported here: the use cases import the sync package.
        from desktop_app.usecases import consent_texts, form_definitions

        consent_texts.keep_publication(session, row.content)
        # The team's words for each of its versions (``form_definitions.keep``).
        form_definitions.keep_publication(session, row.content, form_definitions.TEAM)


def _eraser(kind: str) -> Callable[[Session, list[str]], None]:
    """Deletes records of ``kind`` about a person whose tombstones arrived."""

    def erase(session: Session, ids: list[str]) -> None:
        # Imported here: the use cases import the sync package.
        from desktop_app.usecases.person_sources import erase_records

        erase_records(session, kind, ids)

    return erase


@lru_cache(maxsize=1)
def _group_answers() -> frozenset[str]:
    """The answers that are groups in a shipped form (children, language levels …): a list
    of one object an item, which the form and the report triggers read so."""
    from desktop_app.forms.definition import FieldType
    from desktop_app.usecases.visits import shipped_forms

    return frozenset(
        field.id
        for form in shipped_forms().values()
        for section in form.sections
        for field in section.fields
        if field.type is FieldType.GROUP
    )


def _visit_answers_shape(values: dict[str, Any], entries: dict[str, dict[str, Any]]) -> None:
    """A pulled visit whose group answer is not a list of objects is refused: its row's report
    trigger failed on it ("malformed JSON") and stopped every pull, the form could not show it."""
    answers = entries.get("answers", {})
    for name in _group_answers() & answers.keys():
        items = answers[name]
        if type(items) is not list or any(type(item) is not dict for item in items):
            raise PayloadError(f"visit.answers/{name}: not a list of objects")


# The field of a conflict over a visit's answers that fit the form on each laptop but not
# combined (``_visit_combination``): the two versions are its values, whole.
COMBINED_ANSWERS = "answers+"


def _answers(state: RecordState) -> tuple[dict[str, Any], str]:
    """A visit state's answers, and the clock of the last change among them."""
    prefix = entry_name("answers", "")
    answers, newest = {}, ""
    for name, field in state.fields.items():
        if name.startswith(prefix):
            newest = max(newest, field.clock)
            if field.value is not None:
                answers[name[len(prefix) :]] = field.value
    return answers, newest


def _visit_combination(
    session: Session, store: Store, local: RecordState, incoming: RecordState, merged: RecordState
) -> Conflict | None:
    """A conflict when two laptops each changed answers of a visit so that each version fits
    the form but the answers merged one by one do not (e.g. "employed: no" here, the employer's
    name there): an advisor decides, instead of a later save dropping answers unseen."""
    if merged.deleted or local.deleted or incoming.deleted:
        return None
    (mine, mine_clock), (theirs, theirs_clock) = _answers(local), _answers(incoming)
    both, _newest = _answers(merged)
    if both in (mine, theirs):
        return None
    from desktop_app.usecases import visits

    form_id, person = merged.fields.get("form_id"), merged.fields.get("person_id")
    if form_id is None or person is None:
        return None
    # Checked for the visit's day, never the day this laptop receives the changes: a laptop
    # merging them later (a woman 55 at the visit, 57 now: her pregnancy answers no longer
    # asked) found no conflict where one merging earlier did, and a later save dropped answers.
    begun = merged.fields.get("started_at")
    day = visits.day_of(str(begun.value) if begun is not None and begun.value else None)

    def fits(answers: dict[str, Any]) -> bool | None:
        return visits.answers_fit(
            session, store, str(form_id.value), str(person.value), answers, day
        )

    if fits(both) is not False or not fits(mine) or not fits(theirs):
        return None  # it fits, or the form is unknown here, or a side did not fit on its own
    # The same two versions give the same conflict (and id) on every laptop: newer one kept.
    (kept, kept_clock), (other, other_clock) = sorted(
        ((mine, mine_clock), (theirs, theirs_clock)), key=lambda side: side[1], reverse=True
    )
    return Conflict(
        "visit",
        merged.id,
        COMBINED_ANSWERS,
        _answers_text(kept),
        kept_clock,
        _answers_text(other),
        other_clock,
    )


def _answers_text(answers: dict[str, Any]) -> str:
    return json.dumps(answers, ensure_ascii=False, separators=(",", ":"), sort_keys=True)


def _conflict_person(state: RecordState) -> str | None:
    """The person a conflict is about: it is dropped where that person was erased."""
    person = state.fields.get("person_id")
    if person is not None and person.value:
        return str(person.value)
    kind, record = state.fields.get("record_kind"), state.fields.get("record_id")
    if kind is None or record is None or kind.value != "person":
        return None
    return str(record.value)


register_builtin_kinds()
