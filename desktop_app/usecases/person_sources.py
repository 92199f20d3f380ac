"""Visits, drafts, consents, referrals and the print queue as sources of a person's data.

Registered with ``usecases.person_data`` so that the person's access export, erasure (here and,
through the person's tombstone, on every laptop that syncs) and the retention list reach them.
"""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

from sqlalchemy import ColumnElement, delete, func, select
from sqlalchemy.orm import InstrumentedAttribute
from sqlalchemy.orm import Session as DbSession

from desktop_app.domain.hlc import clock_device, history_step_time
from desktop_app.domain.users import User
from desktop_app.i18n.text import N_
from desktop_app.storage.audit_models import AuditRow, CaseOpeningRow
from desktop_app.storage.db import Store
from desktop_app.storage.models import DistinctPeopleRow, OutboxRow, PersonMergeRow
from desktop_app.storage.reference_models import ConsentWordingRow
from desktop_app.storage.referrals_models import PrintJobRow, ReferralRow
from desktop_app.storage.sync_models import ConflictRow
from desktop_app.storage.visits_models import (
    CarriedDraftRow,
    ConsentRow,
    DraftRow,
    VisitRevisionRow,
    VisitRow,
)
from desktop_app.usecases import audit
from desktop_app.usecases.person_data import (
    AWAITING_SIGN_OFF,
    PersonDataSource,
    Row,
    register_person_data_source,
)
from desktop_app.usecases.person_data_authors import CHANGED_KEY, KEPT_KEY, OTHER_KEY, Authors
from desktop_app.usecases.person_data_authors import KEY as RECORDED_BY


def _date(text: str) -> dt.date | None:
    try:
        return dt.datetime.fromisoformat(text).date()
    except ValueError:
        return None


def entries_of(db: DbSession, person_id: str) -> list[str]:
    """The person's entry and those merged into it: each logged its records (and the log of
    its consultations) under its id."""
    return [
        person_id,
        *db.scalars(
            select(PersonMergeRow.merged_id).where(
                PersonMergeRow.kept_id == person_id, PersonMergeRow.deleted.is_(False)
            )
        ),
    ]


def _logged_role(db: DbSession, records: set[str], clock: str, author_id: str) -> str | None:
    """The role the log's entry of a change at ``clock`` carries, where ``author_id`` wrote
    it (``person_data_authors``); None otherwise. Also for an account of this laptop: its
    role then, which its role now need not be."""
    from desktop_app.usecases.conflicts import logged_at  # loads the sync machinery

    user_id, role = logged_at(db, records, clock)
    return role if user_id == author_id else None


def _recorders(db: DbSession, person_id: str) -> dict[str, tuple[str, str, str | None]]:
    """Who recorded each of the person's visits (user id, store id, the role the entry
    carries), by the log's entry of it:
    the visit itself carries only who saved it last (an edit, a merge moving it), and only the
    laptop that edited it keeps its earlier versions. The log syncs with the records, so every
    laptop reads the same. Entries merged into the person's logged theirs under their own id."""
    entries = entries_of(db, person_id)
    found: dict[str, tuple[str, str, str | None]] = {}
    logged = db.execute(
        select(AuditRow.user_id, AuditRow.device_id, AuditRow.details)
        .where(
            AuditRow.record_id.in_(entries),
            AuditRow.action == "create",
            AuditRow.record_kind == "visit",
        )
        .order_by(AuditRow.at)
    )
    for user_id, device_id, details in logged:
        try:
            visit_id = json.loads(details).get("visit_id")
        except (ValueError, AttributeError):
            continue
        if isinstance(visit_id, str):
            found.setdefault(visit_id, (user_id, device_id, audit.role_in(details)))
    return found


def _collect_visits(db: DbSession, person_id: str) -> list[Row]:
    rows = db.scalars(
        select(VisitRow).where(VisitRow.person_id == person_id, VisitRow.deleted.is_(False))
    ).all()
    authors = Authors.read(db)
    recorders = _recorders(db, person_id)
    records = set(entries_of(db, person_id))
    # The versions a visit had before it was edited: held (and shown on the person's page)
    # until the person is erased, so they are part of the copy too.
    earlier: dict[str, list[Row]] = {}
    for rev in db.scalars(
        select(VisitRevisionRow)
        .where(VisitRevisionRow.visit_id.in_([r.id for r in rows]))
        .order_by(VisitRevisionRow.visit_id, VisitRevisionRow.revision)
    ):
        earlier.setdefault(rev.visit_id, []).append(
            {
                "revision": rev.revision,
                "saved_at": rev.saved_at,
                # Kept on this laptop, at an edit here; saved where its clock says.
                RECORDED_BY: authors.of(
                    rev.author_id,
                    clock_device(rev.updated_hlc),
                    _logged_role(db, {*records, rev.visit_id}, rev.updated_hlc, rev.author_id),
                ),
                "answers": json.loads(rev.answers or "{}"),
                "next_steps": json.loads(rev.next_steps or "{}"),
            }
        )
    found: list[Row] = []
    for r in rows:
        # Who recorded it, and who saved it as it reads now where that is someone else (an
        # earlier version kept here says who saved it). A visit the log does not name
        # (recorded before it was logged) by who saved it.
        # Each with the role the log's entry of it carries (its user's then, here too).
        saved = (r.author_id, r.device_id)
        saved_role = _logged_role(db, {*records, r.id}, r.updated_hlc, r.author_id)
        recorder, recorded_on, recorded_role = recorders.get(r.id, (*saved, saved_role))
        recorded = (recorder, recorded_on)
        found.append(
            {
                "form": r.form_id,
                "form_version": r.form_version,
                "finished_at": r.finished_at,
                RECORDED_BY: authors.of(*recorded, recorded_role),
                **({CHANGED_KEY: authors.of(*saved, saved_role)} if saved != recorded else {}),
                "answers": json.loads(r.answers or "{}"),
                "next_steps": json.loads(r.next_steps or "{}"),
                **({"earlier_versions": earlier[r.id]} if r.id in earlier else {}),
            }
        )
    return found


# The synced kinds of records about a person, and their tables. Erasing the person deletes
# them here and queues a tombstone of each (``erase_synced``).
_SYNCED: dict[str, Any] = {
    "visit": VisitRow,
    "consent": ConsentRow,
    "referral": ReferralRow,
    "conflict": ConflictRow,
    "case_opening": CaseOpeningRow,  # erased by its own source (``access``)
    "distinct_people": DistinctPeopleRow,
    "person_merge": PersonMergeRow,
}


def erase_records(db: DbSession, kind: str, ids: list[str]) -> None:
    """Delete records of ``kind`` (one of ``_SYNCED``) about a person, with what hangs on them
    (a visit's earlier versions, a referral's letters waiting to be printed).

    For the erasure here, and for their tombstones arriving from another laptop: a record
    about a person keeps no row once erased (a referral's wiped row would even clash with
    another's empty reference); sync bookkeeping refuses replays of what it held."""
    if not ids:
        return
    # Overwrite freed pages instead of leaving erased text in them.
    db.connection().exec_driver_sql("PRAGMA secure_delete = ON")
    for start in range(0, len(ids), 500):
        chunk = ids[start : start + 500]
        if kind == "visit":
            db.execute(delete(VisitRevisionRow).where(VisitRevisionRow.visit_id.in_(chunk)))
        elif kind == "referral":
            db.execute(delete(PrintJobRow).where(PrintJobRow.referral_id.in_(chunk)))
        elif kind == "consent":
            db.execute(delete(ConsentWordingRow).where(ConsentWordingRow.consent_id.in_(chunk)))
        model = _SYNCED[kind]
        db.execute(delete(model).where(model.id.in_(chunk)))


def erase_synced(db: DbSession, store: Store, kind: str, condition: ColumnElement[bool]) -> int:
    """Delete the records of ``kind`` that ``condition`` selects, and queue a tombstone of
    each: the server then drops every revision of them it holds, and laptops that hold them
    erase them too (when the person's tombstone does not reach them first). A revision above
    the one held here, so above any the server holds that this laptop knows of."""
    model = _SYNCED[kind]
    held: dict[str, int] = dict(db.execute(select(model.id, model.revision).where(condition)).all())
    if held:
        hlc = str(store.clock.now())
        # Only outbox entries, not ``models.next_revision``: the rows are deleted just below,
        # in bulk; a tombstone's revision lives in the outbox until it is pushed.
        db.add_all(
            OutboxRow(record_kind=kind, record_id=rid, revision=revision + 1, hlc=hlc)
            for rid, revision in held.items()
        )
        erase_records(db, kind, list(held))
    return len(held)


def _erase_visits(db: DbSession, store: Store, _user: User, person_id: str) -> int:
    return erase_synced(db, store, "visit", VisitRow.person_id == person_id)


def _collect_drafts(db: DbSession, person_id: str) -> list[Row]:
    """Forms begun and not finished (kept on this laptop until finished or discarded), also
    those of an entry merged into the person's kept beside their own (``carried_drafts``)."""
    rows: list[DraftRow | CarriedDraftRow] = [
        *db.scalars(select(DraftRow).where(DraftRow.person_id == person_id)),
        *db.scalars(select(CarriedDraftRow).where(CarriedDraftRow.person_id == person_id)),
    ]
    authors = Authors.read(db)
    return [
        {
            "form": r.form_id,
            "started_at": r.started_at,
            "updated_at": r.updated_at,
            # Drafts never leave this laptop: typed by an account of it.
            RECORDED_BY: authors.of(r.author_id, authors.here),
            "answers": json.loads(r.answers or "{}"),
            "next_steps": json.loads(r.next_steps or "{}"),
        }
        for r in rows
    ]


def _erase_drafts(db: DbSession, _store: Store, _user: User, person_id: str) -> int:
    """Drafts never leave this laptop: deleted, no tombstone (carried ones too)."""
    count = 0
    for model in (DraftRow, CarriedDraftRow):
        count += db.scalar(select(func.count()).where(model.person_id == person_id)) or 0
        db.execute(delete(model).where(model.person_id == person_id))
    return int(count)


def _last_contact(
    db: DbSession, person_id: InstrumentedAttribute[str], when: InstrumentedAttribute[str]
) -> dict[str, dt.date]:
    """The day of each person's latest ``when`` (an ISO time) in its table."""
    found: dict[str, dt.date] = {}
    for person, last in db.execute(select(person_id, func.max(when)).group_by(person_id)):
        if day := _date(str(last)):
            found[person] = day
    return found


def _visits_last_contact(db: DbSession) -> dict[str, dt.date]:
    return _last_contact(db, VisitRow.person_id, VisitRow.finished_at)


def _collect_consents(db: DbSession, person_id: str) -> list[Row]:
    rows = db.execute(
        select(ConsentRow, ConsentWordingRow.digest)
        .outerjoin(ConsentWordingRow, ConsentWordingRow.consent_id == ConsentRow.id)
        .where(ConsentRow.person_id == person_id)
    )
    authors = Authors.read(db)
    records = set(entries_of(db, person_id))
    found: list[Row] = []
    for r, digest in rows:
        row: Row = {
            "purpose": r.purpose,
            "granted": r.granted,
            "text_version": r.text_version,
            "language": r.language,
            "given_on": r.given_on,
        }
        if digest:  # which wording of the version, where recorded here (``with_consent_texts``)
            row["text_digest"] = digest
        # How it was given, before whom, and to which service a sharing consent reaches:
        # where recorded (a witness only for an oral consent, a service only for sharing).
        row.update((k, v) for k, v in (("how", r.how), ("witness", r.witness)) if v)
        if r.shared_with:
            row["shared_with"] = r.shared_with
        role = _logged_role(db, records, r.updated_hlc, r.author_id)
        row[RECORDED_BY] = authors.of(r.author_id, r.device_id, role)
        found.append(row)
    return found


def _erase_consents(db: DbSession, store: Store, _user: User, person_id: str) -> int:
    return erase_synced(db, store, "consent", ConsentRow.person_id == person_id)


def _collect_referrals(db: DbSession, person_id: str) -> list[Row]:
    rows = db.scalars(select(ReferralRow).where(ReferralRow.person_id == person_id))
    authors = Authors.read(db)
    records = set(entries_of(db, person_id))
    found: list[Row] = []
    for r in rows:
        row: Row = {
            "reference": r.reference,
            "service": r.service_id,
            "reason": r.reason,
            "created_at": r.created_at,
        }
        named = bool(r.signed_off_at) or not r.issued_as_draft
        if named:
            # The advisor who served the person, as the letters name them: the record carries
            # the name to every laptop (accounts do not sync), so the copy names them anywhere.
            row["advisor"] = r.advisor_name
            # a helper's draft signed off (by another account, whatever its name): who did
            if r.signed_off_by and r.signed_off_at and r.issued_as_draft:
                row["signed_off_by"] = r.signed_off_by
        else:
            # A helper's draft, not signed off: no letter went out naming anyone, so the copy
            # gives the role, never the name (``person_data_authors``), as for a form's draft.
            role = _logged_role(db, records, r.updated_hlc, r.author_id)
            row[RECORDED_BY] = authors.of(r.author_id, r.device_id, role)
            row[AWAITING_SIGN_OFF] = True  # no letter was given: "issued" alone misled
        row.update(
            {
                "appointment": r.appointment,
                "status": r.status,
                "outcome": r.outcome,
                "note": r.reason_note,
                "contact_person": r.contact_person,
                "documents": json.loads(r.documents or "[]"),
                "follow_up": r.follow_up,
                "status_history": _steps(r.status_history, named=named),
            }
        )
        found.append(row)
    return found


def _steps(stored: str, *, named: bool = True) -> list[Any]:
    """The status steps in the order they were made, as the app shows them; without the
    clock of each step (sync bookkeeping, naming the laptop, as no other record's), and,
    unless ``named`` (a letter signed off names its staff), without who made each."""
    steps = sorted(json.loads(stored or "[]"), key=history_step_time)
    dropped = {"hlc"} if named else {"hlc", "by"}
    return [
        {k: v for k, v in step.items() if k not in dropped} if isinstance(step, dict) else step
        for step in steps
    ]


def _erase_referrals(db: DbSession, store: Store, _user: User, person_id: str) -> int:
    return erase_synced(db, store, "referral", ReferralRow.person_id == person_id)


def _referrals_last_contact(db: DbSession) -> dict[str, dt.date]:
    return _last_contact(db, ReferralRow.person_id, ReferralRow.created_at)


register_person_data_source(
    PersonDataSource(
        kind="visits",
        title=N_("Visits"),
        collect=_collect_visits,
        erase=_erase_visits,
        last_contact=_visits_last_contact,
        record_kinds=("visit",),
    )
)
register_person_data_source(
    PersonDataSource(
        kind="drafts",
        title=N_("Forms not yet finished"),
        collect=_collect_drafts,
        erase=_erase_drafts,
    )
)
register_person_data_source(
    PersonDataSource(
        kind="consents",
        title=N_("Consents"),
        collect=_collect_consents,
        erase=_erase_consents,
        record_kinds=("consent",),
    )
)
register_person_data_source(
    PersonDataSource(
        kind="referrals",
        title=N_("Referrals"),
        collect=_collect_referrals,
        erase=_erase_referrals,
        last_contact=_referrals_last_contact,
        record_kinds=("referral",),
    )
)


def _about(person_id: str):  # type: ignore[no-untyped-def]
    """Conflicts over the person's own fields and over records about them (visits, referrals,
    consents …): each holds two values of theirs."""
    return (ConflictRow.person_id == person_id) | (
        (ConflictRow.record_kind == "person") & (ConflictRow.record_id == person_id)
    )


def _collect_conflicts(db: DbSession, person_id: str) -> list[Row]:
    """Values of the person's data set differently on two laptops: both are held until an
    advisor decides (and the other value stays in the record after that)."""
    rows = db.scalars(
        select(ConflictRow)
        .where(_about(person_id))
        .order_by(ConflictRow.record_kind, ConflictRow.field)
    ).all()
    # A visit's answers are read by the questions of its form.
    visit_ids = [r.record_id for r in rows if r.record_kind == "visit"]
    forms = dict(
        db.execute(select(VisitRow.id, VisitRow.form_id).where(VisitRow.id.in_(visit_ids))).all()
    )
    # Imported here: the conflicts' use cases load the sync machinery.
    from desktop_app.usecases.conflicts import logged_at

    authors = Authors.read(db)

    def by(key: str, r: ConflictRow, clock: str) -> Row:
        """Who set one of the two values: on the laptop of its clock, the user the log of
        that laptop names for the change."""
        if not clock_device(clock):
            return {}
        user_id, role = logged_at(db, {r.record_id, r.person_id} - {""}, clock)
        return {key: authors.of(user_id, clock_device(clock), role)}

    return [
        {
            "record": r.record_kind,
            **({"form": forms[r.record_id]} if r.record_id in forms else {}),
            "field": r.field,
            "kept_value": json.loads(r.kept_value),
            **by(KEPT_KEY, r, r.kept_clock),
            "other_value": json.loads(r.other_value),
            **by(OTHER_KEY, r, r.other_clock),
            "decided": r.resolved,
        }
        for r in rows
    ]


def _erase_conflicts(db: DbSession, store: Store, _user: User, person_id: str) -> int:
    """Conflicts about the person hold two of their values: they go with the person.

    Every laptop does this when the person's tombstone arrives, and drops conflict records
    about an erased person that arrive later (``kinds.register_builtin_kinds``), so no conflict
    about an erased person stays open anywhere and none keeps their data.
    """
    return erase_synced(db, store, "conflict", _about(person_id))


register_person_data_source(
    PersonDataSource(
        kind="conflicts",
        title=N_("Values recorded differently on two laptops"),
        collect=_collect_conflicts,
        erase=_erase_conflicts,
        record_kinds=("conflict",),
    )
)


def _erase_distinct_people(db: DbSession, store: Store, _user: User, person_id: str) -> int:
    """Decisions that the person and another entry of their name and date of birth are two
    people (``usecases.duplicates``): they name the person's entry, so they go with it, here
    and (their tombstones, and the person's) on every laptop."""
    pair = DistinctPeopleRow
    return erase_synced(
        db, store, "distinct_people", (pair.person_a == person_id) | (pair.person_b == person_id)
    )


# Not in the person's copy of their data (``collect`` None): a decision holds two entries' ids
# and nothing of the person; what it tells is that someone else of their name and date of birth
# is registered, which is that other person's data.
register_person_data_source(
    PersonDataSource(
        kind="distinct_people",
        title=N_("Entries recorded as other people"),
        collect=None,
        erase=_erase_distinct_people,
        record_kinds=("distinct_people",),
    )
)


def _erase_person_merges(db: DbSession, store: Store, _user: User, person_id: str) -> int:
    """Entries merged into the person's (``usecases.merges``): each names an entry of theirs,
    so it goes with them, here and (its tombstone) on every laptop. Only those naming the
    person as the entry kept: one naming them as merged away is what moves their records to
    the entry kept, and their tombstone of the merge must not take it."""
    return erase_synced(db, store, "person_merge", PersonMergeRow.kept_id == person_id)


# Not in the person's copy of their data: their visits, referrals and consents moved to the
# entry kept are (under "Visits", "Referrals" …); the map holds two ids and nothing else.
register_person_data_source(
    PersonDataSource(
        kind="merges",
        title=N_("Entries merged into this one"),
        collect=None,
        erase=_erase_person_merges,
        record_kinds=("person_merge",),
    )
)
