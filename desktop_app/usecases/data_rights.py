"""The person's rights: a copy of all their data (access), erasure, and the retention list."""

from __future__ import annotations

import calendar
import datetime as dt
import json
import logging
import secrets
import uuid
from dataclasses import dataclass, field

from babel import Locale
from sqlalchemy import delete, func, select, update
from sqlalchemy.orm import Session as DbSession

from desktop_app.domain.hlc import Timestamp
from desktop_app.domain.permissions import Action, PermissionDenied, allowed, require
from desktop_app.domain.person import PERSON_FIELDS, Person, PersonDraft
from desktop_app.domain.users import Role, User
from desktop_app.i18n import languages
from desktop_app.i18n.formatting import format_partial_date, language_name
from desktop_app.i18n.messages import FIELD_NAMES, SEX_NAMES
from desktop_app.i18n.text import N_, gettext_in
from desktop_app.letters.person_data_pdf import render_person_data
from desktop_app.storage.audit_models import AuditRow
from desktop_app.storage.db import Store
from desktop_app.storage.models import (
    REASON_REMOVED,
    DataRequestRow,
    OutboxRow,
    PersonMergeRow,
    PersonRow,
    SearchTokenRow,
    next_revision,
)
from desktop_app.storage.people_repo import PeopleRepository
from desktop_app.usecases import audit, consent_texts, reference
from desktop_app.usecases.person_data import Row, sources
from sync_server import wire

log = logging.getLogger(__name__)
EXPORT_FORMAT = "welcome-desk-person-export"
DOCUMENT_LANGUAGES = languages.client_languages()

_LABELS = (
    ("given_name", N_("Given name")),
    ("family_name", N_("Family name")),
    ("id_document_name", N_("Name as on the ID document")),
    ("date_of_birth", N_("Date of birth")),
    ("sex", N_("Sex / gender")),
    ("nationality", N_("Nationality")),
    ("languages", N_("Languages spoken")),
    ("phone", N_("Phone")),
    ("notes", N_("Notes")),
)


class PersonNotFound(LookupError):
    code = "person_not_found"


class RequestDateInFuture(ValueError):
    """A request's date of receipt after the day it is answered."""

    code = "request_date_in_future"


# The register of requests (``DataRequestRow``): a copy of the data (Art. 15), a correction
# (Art. 16) or an erasure (Art. 17), each answered within a month of its receipt (Art. 12(3)
# GDPR).
COPY, ERASURE, CORRECTION = "copy", "erasure", "correction"
REQUEST_KINDS = (COPY, CORRECTION, ERASURE)
# Letters and digits read out or copied by hand without doubt: no 0/O, 1/I/L, 2/Z, 5/S, 8/B.
_REFERENCE_LETTERS = "ACDEFGHJKMNPQRTUVWXY34679"
REFERENCE_LENGTH = 8


@dataclass(frozen=True)
class DataRequest:
    """One entry of the register. Open (received, not yet answered): ``answered`` is None;
    ``person_erased`` says an open one's person is gone (an erasure unlinks every entry)."""

    reference: str
    kind: str  # COPY, CORRECTION, ERASURE
    received: dt.date
    answered: dt.date | None
    answered_by: str  # the role of the account that answered ("" while open)
    person_erased: bool = False
    # The record's id (``DataRequestRow.id``): references are drawn on one laptop each.
    id: str = field(default="", compare=False)
    # Why it was answered by hand (``answer_by_hand``: "nothing to correct"); "" otherwise.
    reason: str = ""
    # A reason it had was removed with the person's data (``unlink_requests``).
    reason_removed: bool = False

    @property
    def due(self) -> dt.date:
        return one_month_after(self.received)

    @property
    def is_open(self) -> bool:
        return self.answered is None

    @property
    def overdue(self) -> bool:
        """Answered after its due date (an open one: ``overdue_on``)."""
        return self.answered is not None and self.answered > self.due

    def overdue_on(self, today: dt.date) -> bool:
        """Answered late, or open after its due date."""
        return (self.answered or today) > self.due

    def due_soon_on(self, today: dt.date) -> bool:
        """Open, and due within the next ``DUE_SOON_DAYS`` days (today included)."""
        return self.is_open and today <= self.due <= today + dt.timedelta(days=DUE_SOON_DAYS)


# An open request this close to its due date is pointed out (the register, the login).
DUE_SOON_DAYS = 7
# ``DataRequestRow.answered`` of a request received and not yet answered.
OPEN = ""


def one_month_after(day: dt.date) -> dt.date:
    """The same day of the next month; the month's last day where it has none (31 January:
    28 or 29 February), as a deadline of one month is counted (Regulation 1182/71, Art. 3(2))."""
    year, month = (day.year + 1, 1) if day.month == 12 else (day.year, day.month + 1)
    return dt.date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def new_reference(session: DbSession) -> str:
    """A short random reference no request held here has yet, the team's synced ones
    included (25^8: a clash is all but unknown, and tried again a bounded number of times).
    Two laptops offline may still draw the same one: the record id tells them apart."""
    for _attempt in range(20):
        ref = "".join(secrets.choice(_REFERENCE_LETTERS) for _ in range(REFERENCE_LENGTH))
        taken = select(DataRequestRow.id).where(DataRequestRow.reference == ref)
        if session.scalar(taken) is None:
            return ref
    raise RuntimeError("no free request reference")  # pragma: no cover


def _check_received(received: dt.date, today: dt.date) -> None:
    if received > today:
        raise RequestDateInFuture(received.isoformat())


# The record kind of the register's entries (``DataRequestRow``; ``sync.kinds``).
DATA_REQUEST_KIND = "data_request"


def _new_row(
    session: DbSession,
    store: Store,
    user: User,
    kind: str,
    received: dt.date,
    *,
    answered: dt.date | None = None,
    reference: str | None = None,
    person_id: str = "",
) -> DataRequestRow:
    """A new entry of the register, queued for sync in the caller's transaction (its
    reference is ``.reference``)."""
    ref = reference or new_reference(session)
    row = DataRequestRow(
        id=str(uuid.uuid4()),
        reference=ref,
        kind=kind,
        received=received.isoformat(),
        answered=OPEN if answered is None else answered.isoformat(),
        answered_by="" if answered is None else user.role.value,
        person_id=person_id,
        revision=0,
        field_clocks="{}",
    )
    session.add(row)
    _queue(session, store, row, user.id)
    return row


def _queue(
    session: DbSession, store: Store, row: DataRequestRow, author_id: str, *, by_sync: bool = False
) -> None:
    """An entry changed here: its next revision, queued for sync in the same transaction."""
    next_revision(
        session,
        row,
        DATA_REQUEST_KIND,
        hlc=str(store.clock.now()),
        device_id=store.device_id,
        author_id=author_id,
        by_sync=by_sync,
    )


def _request(row: DataRequestRow) -> DataRequest:
    is_open = row.answered == OPEN
    return DataRequest(
        row.reference,
        row.kind,
        dt.date.fromisoformat(row.received),
        None if is_open else dt.date.fromisoformat(row.answered),
        row.answered_by,
        person_erased=is_open and not row.person_id,
        id=row.id,
        reason="" if row.answer_reason == REASON_REMOVED else row.answer_reason,
        reason_removed=row.answer_reason == REASON_REMOVED,
    )


def list_requests(store: Store, user: User) -> list[DataRequest]:
    """The register of requests, the team's (synced) with this laptop's: the open ones first,
    the first due first; then the answered ones, newest receipt first."""
    require(user, Action.CONFIRM_RETENTION)
    with store.reading() as session:
        rows = session.scalars(
            select(DataRequestRow).where(DataRequestRow.deleted.is_(False))
        ).all()
        requests = [_request(r) for r in rows]
    answered = sorted(
        (r for r in requests if not r.is_open),
        key=lambda r: (r.received, r.answered),
        reverse=True,
    )
    return sorted((r for r in requests if r.is_open), key=lambda r: r.due) + answered


@dataclass(frozen=True)
class RequestsDue:
    """The open requests that need answering soon: past their due date, or due within
    ``DUE_SOON_DAYS``."""

    overdue: int
    due_soon: int


def requests_due(store: Store, user: User, today: dt.date | None = None) -> RequestsDue:
    """How many open requests are overdue and how many due soon (said to a coordinator at
    login)."""
    today = today or dt.date.today()
    open_ones = [r for r in list_requests(store, user) if r.is_open]
    overdue = sum(r.overdue_on(today) for r in open_ones)
    return RequestsDue(overdue, sum(r.due_soon_on(today) for r in open_ones))


class RequestAlreadyOpen(ValueError):
    """The person has a request of this kind open already (one answer answers both)."""

    code = "request_already_open"


class UnknownRequestKind(ValueError):
    code = "unknown_request_kind"


def _require_recorder(user: User, kind: str) -> None:
    """Advisors and coordinators record and look up a person's requests of every kind (an
    advisor an erasure request too, so that its month runs from the day the person asked;
    only a coordinator carries the erasure out); helpers none."""
    if kind not in REQUEST_KINDS:
        raise UnknownRequestKind(kind)
    require(user, Action.RECORD_DATA_REQUEST)


def open_request(store: Store, user: User, person_id: str, kind: str) -> DataRequest | None:
    """The person's open request of ``kind``, if any: the one the data copy (``COPY``), the
    correction saved (``CORRECTION``) or the erasure (``ERASURE``) answers."""
    _require_recorder(user, kind)
    with store.reading() as session:
        row = _open_row(session, person_id, kind)
        return None if row is None else _request(row)


def _open_row(session: DbSession, person_id: str, kind: str) -> DataRequestRow | None:
    return next(iter(_open_rows(session, person_id, kind)), None)


def _open_rows(session: DbSession, person_id: str, kind: str) -> list[DataRequestRow]:
    """The person's open requests of ``kind``, the first received first (more than one only
    where laptops recorded one each before either had the other's)."""
    if not person_id:
        return []
    return list(
        session.scalars(
            select(DataRequestRow)
            .where(
                DataRequestRow.person_id == person_id,
                DataRequestRow.kind == kind,
                DataRequestRow.answered == OPEN,
                DataRequestRow.deleted.is_(False),
            )
            .order_by(DataRequestRow.received, DataRequestRow.id)
        )
    )


def record_open_request(
    store: Store,
    user: User,
    person_id: str,
    kind: str,
    received: dt.date,
    *,
    today: dt.date | None = None,
) -> str:
    """A request of the person received on ``received`` and not answered yet: registered
    open, linked to the person (the copy or the erasure that answers it closes this very
    entry). Advisors and coordinators record one (``_require_recorder``). Returns its
    reference."""
    _require_recorder(user, kind)
    today = today or dt.date.today()
    _check_received(received, today)
    with store.transaction() as session:
        row = session.scalar(select(PersonRow).where(PersonRow.id == person_id))
        if row is None or row.deleted:
            raise PersonNotFound(person_id)
        if _open_row(session, person_id, kind) is not None:
            raise RequestAlreadyOpen(kind)
        ref = _new_row(session, store, user, kind, received, person_id=person_id).reference
        audit.record_in(
            session,
            store,
            user.id,
            audit.AuditAction.RECEIVE_REQUEST,
            "person",
            person_id,
            {"request": ref, "kind": kind, "received": received.isoformat()},
        )
    return ref


class RequestNotAnswerable(ValueError):
    """Not an open request of someone erased: a person's open request is answered by their
    data copy or their erasure, an answered one stays as it was."""

    code = "request_not_answerable"


class AnswerBeforeReceipt(ValueError):
    """An answer dated before the request was received."""

    code = "answer_before_receipt"


class NothingCorrected(ValueError):
    """A correction "at the person's request" that changes nothing: a request answered without
    a correction is answered in the register, with its reason (:func:`answer_by_hand`)."""


class AnswerReasonMissing(ValueError):
    """A correction request marked answered by hand without saying why (no correction was
    saved: the register would not tell an answer from a slip)."""

    code = "answer_reason_missing"


#: The longest reason of an answer given by hand: a short one ("nothing to correct"), kept
#: with the entry (``DataRequestRow.answer_reason``, which syncs); the audit entry of the
#: answer says only that one was given.
REASON_LENGTH = 200


def answerable_by_hand(request: DataRequest) -> bool:
    """Whether the register takes an answer given outside the program for ``request``: an
    open one of someone erased since (neither a copy nor an erasure can answer it now), or an
    open correction request (e.g. there was nothing to correct)."""
    return request.is_open and (request.person_erased or request.kind == CORRECTION)


def may_answer_by_hand(user: User, request: DataRequest) -> bool:
    """Whether ``user`` may record that answer (``answer_by_hand``): a coordinator any the
    register takes; an advisor a correction request of someone still here ("nothing to
    correct": the advisor talks with the person and may correct their data, so may also
    record that it was right); a helper none."""
    if not answerable_by_hand(request):
        return False
    if allowed(user, Action.CONFIRM_RETENTION):
        return True
    return (
        allowed(user, Action.RECORD_DATA_REQUEST)
        and request.kind == CORRECTION
        and not request.person_erased
    )


def answer_by_hand(
    store: Store,
    user: User,
    reference: str,
    answered: dt.date,
    *,
    reason: str = "",
    today: dt.date | None = None,
) -> DataRequest:
    """Record as answered on ``answered`` an open request the program cannot answer itself
    (``answerable_by_hand``): one whose person was erased since (a copy asked for before the
    erasure: the answer, e.g. a letter that nothing is held any more, was given outside the
    program), or a correction request answered without a correction saved here, which takes
    a short ``reason`` ("nothing to correct"), kept with the entry (it syncs; the register
    and the person's data copy show it; the person's erasure removes it). The audit entry
    says only that a reason was given (``reason_given``), never its text: staff type it and
    it may name the person, and the log's entries are chained and cannot be changed when
    the person is erased. Coordinators any
    (the register); advisors a correction request of someone still here, helpers none
    (``may_answer_by_hand``)."""
    if not allowed(user, Action.CONFIRM_RETENTION):
        require(user, Action.RECORD_DATA_REQUEST)
    today = today or dt.date.today()
    reason = " ".join(reason.split())[:REASON_LENGTH]
    with store.transaction() as session:
        # The open entry of that reference (two laptops offline may have drawn one
        # reference: the first received of them, then the next).
        rows = session.scalars(
            select(DataRequestRow)
            .where(
                DataRequestRow.reference == reference,
                DataRequestRow.answered == OPEN,
                DataRequestRow.deleted.is_(False),
            )
            .order_by(DataRequestRow.received, DataRequestRow.id)
        ).all()
        answerable = [r for r in rows if answerable_by_hand(_request(r))]
        row = next((r for r in answerable if may_answer_by_hand(user, _request(r))), None)
        if row is None and answerable:
            # An advisor and a request of someone erased: the register's, a coordinator's.
            raise PermissionDenied(Action.CONFIRM_RETENTION, reference)
        if row is None:
            raise RequestNotAnswerable(reference)
        _answer_by_hand_in(session, store, user, row, answered, reason=reason, today=today)
        return _request(row)


def _answer_by_hand_in(
    session: DbSession,
    store: Store,
    user: User,
    row: DataRequestRow,
    answered: dt.date,
    *,
    reason: str,
    today: dt.date,
) -> None:
    """The open entry ``row`` answered by hand on ``answered`` with ``reason`` (already
    folded to one short line), audited, in the caller's transaction; refused (raised, for the
    caller's transaction to roll back) where the day is to come or before its receipt, or a
    correction request of someone still here has no reason."""
    if answered > today:
        raise RequestDateInFuture(answered.isoformat())
    if answered < dt.date.fromisoformat(row.received):
        raise AnswerBeforeReceipt(answered.isoformat())
    if row.kind == CORRECTION and row.person_id and not reason:
        raise AnswerReasonMissing(row.reference)
    _answer_open(session, store, user, row, answered, reason=reason)
    details: dict[str, audit.DetailValue] = {
        "kind": row.kind,
        "answered": answered.isoformat(),
    }
    if reason:
        # Not the text (the register keeps it, and the erasure can remove it there);
        # entries before this version have it as "reason" (migration 0039 reads those).
        details["reason_given"] = True
    audit.record_in(
        session,
        store,
        user.id,
        audit.AuditAction.ANSWER_REQUEST,
        "data_request",
        row.reference,
        details,
    )


def record_nothing_to_correct(
    store: Store,
    user: User,
    person_id: str,
    received: dt.date,
    answered: dt.date,
    *,
    reason: str,
    today: dt.date | None = None,
) -> DataRequest:
    """A correction request the person made at the desk (received on ``received``), found
    with nothing to correct: recorded and answered by hand on ``answered`` with ``reason``, in
    one transaction (the register shows one entry, asked and answered). It was two steps: the
    request recorded on the person's page first, then answered in Edit personal data. Where
    the person has an open correction request already (recorded or synced since the dialog
    looked), that one is answered instead, as a correction saved would answer it
    (``correction_answered_in``); ``received`` is then not used. Advisors and coordinators,
    helpers none. Refused with nothing written: no reason (:class:`AnswerReasonMissing`), a
    day to come (:class:`RequestDateInFuture`), an answer before the receipt
    (:class:`AnswerBeforeReceipt`), the person gone (:class:`PersonNotFound`)."""
    _require_recorder(user, CORRECTION)
    today = today or dt.date.today()
    reason = " ".join(reason.split())[:REASON_LENGTH]
    with store.transaction() as session:
        person = session.scalar(select(PersonRow).where(PersonRow.id == person_id))
        if person is None or person.deleted:
            raise PersonNotFound(person_id)
        rows = [
            r
            for r in _open_rows(session, person_id, CORRECTION)
            if r.received <= answered.isoformat()
        ]
        if not rows:
            _check_received(received, today)
            row = _new_row(session, store, user, CORRECTION, received, person_id=person_id)
            audit.record_in(
                session,
                store,
                user.id,
                audit.AuditAction.RECEIVE_REQUEST,
                "person",
                person_id,
                {"request": row.reference, "kind": CORRECTION, "received": received.isoformat()},
            )
            rows = [row]
        # Checked on the entry as it is in this transaction: a refusal takes it back too.
        for row in rows:
            _answer_by_hand_in(session, store, user, row, answered, reason=reason, today=today)
        return _request(rows[0])


def answer_erased_request(
    store: Store,
    user: User,
    reference: str,
    answered: dt.date,
    *,
    today: dt.date | None = None,
) -> DataRequest:
    """Record as answered on ``answered`` an open request whose person was erased since
    (``answer_by_hand``)."""
    require(user, Action.CONFIRM_RETENTION)
    with store.reading() as session:
        erased = session.scalar(
            select(DataRequestRow.id).where(
                DataRequestRow.reference == reference,
                DataRequestRow.answered == OPEN,
                DataRequestRow.person_id == "",
                DataRequestRow.deleted.is_(False),
            )
        )
    if erased is None:
        raise RequestNotAnswerable(reference)
    return answer_by_hand(store, user, reference, answered, today=today)


def correction_answered_in(
    session: DbSession,
    store: Store,
    user: User,
    person_id: str,
    received: dt.date | None,
    today: dt.date,
) -> str:
    """A correction of the person's data saved today (in the caller's transaction, the one
    that saves it) at their request: their open correction requests are answered (the first
    one's reference returned, its receipt stands); without one, the request received on
    ``received`` is registered, answered today."""
    require(user, Action.RECORD_DATA_REQUEST)
    opened = [r for r in _open_rows(session, person_id, CORRECTION) if r.received <= str(today)]
    for row in opened:
        _answer_open(session, store, user, row, today)
    if opened:
        ref = opened[0].reference
    else:
        if received is None:
            raise RequestNotAnswerable(person_id)
        _check_received(received, today)
        ref = _new_row(
            session, store, user, CORRECTION, received, answered=today, person_id=person_id
        ).reference
    audit.record_in(
        session,
        store,
        user.id,
        audit.AuditAction.ANSWER_REQUEST,
        "person",
        person_id,
        {"request": ref, "kind": CORRECTION, "answered": today.isoformat()},
    )
    return ref


def correct_at_request(
    store: Store,
    user: User,
    person_id: str,
    draft: PersonDraft,
    *,
    received: dt.date | None = None,
    base: Person | None = None,
    today: dt.date | None = None,
) -> tuple[Person, str]:
    """The person's details corrected (``people.update_person``) at their request, in one
    transaction with the register's entry (``correction_answered_in``): their open correction
    request answered, else one received on ``received`` registered answered. Returns the
    person as saved and the request's reference. Raises :class:`NothingCorrected`, with
    nothing written, where the details would stay as they are (as a sync left them while the
    dialog was open, too)."""
    from desktop_app.usecases import people

    require(user, Action.RECORD_DATA_REQUEST)
    today = today or dt.date.today()
    if received is not None:
        _check_received(received, today)
    refs: list[str] = []

    def register(session: DbSession, changed: set[str]) -> None:
        if not changed:
            raise NothingCorrected(person_id)
        refs.append(correction_answered_in(session, store, user, person_id, received, today))

    person = people.update_person(
        store, user, person_id, draft, today=today, base=base, with_changes=register
    )
    return person, refs[0]


def _answer_open(
    session: DbSession,
    store: Store,
    user: User,
    row: DataRequestRow,
    answered: dt.date,
    *,
    by_sync: bool = False,
    reason: str = "",
) -> str:
    """Answer an open entry on ``answered`` (by hand: with its ``reason``), queued for sync.
    Where another laptop answered it too, every laptop keeps the earlier answer, with who
    gave it and its reason (``sync.kinds``)."""
    row.answered, row.answered_by = answered.isoformat(), user.role.value
    row.answer_reason = reason
    _queue(session, store, row, user.id, by_sync=by_sync)
    return row.reference


def follow_erasures(session: DbSession, store: Store, linked: dict[str, list[str]]) -> None:
    """For the sync client: entries that arrived linked to a person (``linked``: person id ->
    record ids) whom this laptop holds erased or merged into another entry. Erased: the link
    empties, and an open erasure request is answered by that erasure, on its day (not before
    the receipt), as ``apply_remote_erasure`` answers one held here when the erasure arrives,
    and the reason of an answer given by hand is removed, as ``unlink_requests`` removes it.
    Merged away: the link moves to the entry kept (none where that one was erased since).
    Each a change of its own that syncs, no user's (``OutboxRow.by_sync``)."""
    from desktop_app.sync import person_merges

    gone = {
        pid: (hlc, author)
        for pid, hlc, author in session.execute(
            select(PersonRow.id, PersonRow.updated_hlc, PersonRow.author_id).where(
                PersonRow.id.in_(linked), PersonRow.deleted.is_(True)
            )
        )
    }
    if not gone:
        return
    kept = person_merges.kept_entries(session, gone)
    erased_kept = set(
        session.scalars(
            select(PersonRow.id).where(
                PersonRow.id.in_(set(kept.values())), PersonRow.deleted.is_(True)
            )
        )
    )
    for person_id in sorted(gone):
        target = kept.get(person_id, "")
        target = "" if target in erased_kept else target
        erased_on, eraser = _hlc_date(gone[person_id][0]), gone[person_id][1]
        for record_id in linked[person_id]:
            row = session.get(DataRequestRow, record_id)
            if row is None or row.deleted:
                continue
            changed = row.person_id != target
            row.person_id = target
            if not target and _remove_reason(row):  # erased, not merged into someone kept
                changed = True
            if person_id not in kept and row.kind == ERASURE and row.answered == OPEN:
                day = max(erased_on, dt.date.fromisoformat(row.received))
                row.answered, row.answered_by = day.isoformat(), Role.COORDINATOR.value
                changed = True
            if changed:
                _queue(session, store, row, eraser, by_sync=True)


def remove_reasons_of_erased(session: DbSession, store: Store, entries: dict[str, str]) -> None:
    """For the sync client: entries saved here (``entries``: record id -> the author of the
    version saved) whose person link an erasure emptied after the reason of an answer given by
    hand (``sync.kinds.DataRequestAdapter``: the reason's clock is older than the link's). The
    answer came from a laptop that had not heard of the erasure, and the erasing laptop, which
    had not heard of the answer, removed no reason: the merge of the two kept it, unlinked, on
    every laptop and the server. Removed now, as the erasure removes it (``unlink_requests``),
    in a change of this laptop's that syncs, no user's. A reason given after the erasure (a
    coordinator answering an erased person's request) is newer than the link and stays."""
    for record_id, author in sorted(entries.items()):
        row = session.get(DataRequestRow, record_id)
        if row is None or row.deleted or row.person_id:
            continue
        if _remove_reason(row):
            _queue(session, store, row, author, by_sync=True)


def entries_with_reason_removed(session: DbSession) -> list[str]:
    """For the sync client: the record ids of the entries held with the reason of an answer
    given by hand removed (``REASON_REMOVED``), in order (``engine.UNFLAGGED_REDACTIONS``)."""
    return list(
        session.scalars(
            select(DataRequestRow.id)
            .where(
                DataRequestRow.answer_reason == REASON_REMOVED, DataRequestRow.deleted.is_(False)
            )
            .order_by(DataRequestRow.id)
        )
    )


def send_redacted_again(session: DbSession, store: Store, record_ids: list[str]) -> set[str]:
    """For the sync client: a new revision, queued for sync, of each of ``record_ids`` held
    with the reason removed, its content unchanged (no user's change, its author kept). Pushed
    from a laptop whose role may erase, it carries ``redacts_through``, and the server deletes
    the entry's earlier envelopes, which may hold the reason (``engine._redact_owed``).
    Returns the ids queued; the others are not held so (any more)."""
    queued: set[str] = set()
    rows = session.scalars(select(DataRequestRow).where(DataRequestRow.id.in_(record_ids)))
    for row in rows:
        if row.deleted or row.answer_reason != REASON_REMOVED:
            continue
        _queue(session, store, row, row.author_id, by_sync=True)
        queued.add(row.id)
    return queued


def _remove_reason(row: DataRequestRow) -> bool:
    """The reason of an answer given by hand replaced by ``REASON_REMOVED`` (free text staff
    typed, it may name the person); whether there was one."""
    if row.answer_reason in ("", REASON_REMOVED):
        return False
    row.answer_reason = REASON_REMOVED
    return True


def unlink_requests(
    session: DbSession, store: Store, person_id: str, author_id: str, *, by_sync: bool = False
) -> int:
    """The register keeps an erased person's requests, no longer whose they were: each
    entry's person link emptied, and the reason of an answer given by hand removed (the
    register says it was), in a revision of its own that syncs, so that no laptop keeps
    either (``by_sync``: the erasure came from another laptop). Returns how many."""
    rows = session.scalars(
        select(DataRequestRow).where(
            DataRequestRow.person_id == person_id, DataRequestRow.deleted.is_(False)
        )
    ).all()
    for row in rows:
        row.person_id = ""
        _remove_reason(row)
        _queue(session, store, row, author_id, by_sync=by_sync)
    return len(rows)


def preferred_language(person: Person) -> str | None:
    """The first language the person speaks that documents exist in, if any."""
    return next((code for code in person.languages if code in DOCUMENT_LANGUAGES), None)


def document_language(person: Person) -> str:
    """The first language the person speaks that documents exist in; else by nationality."""
    return preferred_language(person) or {"BG": "bg", "RO": "ro"}.get(person.nationality, "de")


def _person_dict(person: Person) -> Row:
    return {
        "id": person.id,
        "given_name": person.given_name,
        "family_name": person.family_name,
        "date_of_birth": person.date_of_birth.iso() if person.date_of_birth else "",
        "sex": person.sex.value if person.sex else "",
        "nationality": person.nationality,
        "languages": list(person.languages),
        "phone": person.phone,
        "notes": person.notes,
        "id_document_name": person.id_document_name,
        "registered_or_changed": _hlc_date(person.updated_hlc).isoformat(),
    }


def _hlc_date(hlc: str) -> dt.date:
    return dt.datetime.fromtimestamp(Timestamp.parse(hlc).wall_ms / 1000, dt.UTC).date()


@dataclass(frozen=True)
class CopyRequest:
    """The request a data copy answers: its reference, chosen before the copy is written so
    that the copy names it (``copy_request``), and when it was received."""

    reference: str
    received: dt.date


def copy_request(
    store: Store,
    user: User,
    person_id: str,
    received: dt.date,
    *,
    today: dt.date | None = None,
) -> CopyRequest:
    """Before a data copy at the person's request received on ``received``: the request it
    answers, to pass to ``export_person`` (which prints it) and, once the copy is written, to
    ``record_copy_request``. The person's open copy request where one was registered (its
    reference and date of receipt), else a new reference no request here has; nothing is
    registered yet (a copy that is not written answers nothing)."""
    require(user, Action.EXPORT_PERSON)
    today = today or dt.date.today()
    _check_received(received, today)
    with store.reading() as session:
        opened = _open_row(session, person_id, COPY)
        if opened is not None:
            return CopyRequest(opened.reference, dt.date.fromisoformat(opened.received))
        return CopyRequest(new_reference(session), received)


def export_person(
    store: Store,
    user: User,
    person_id: str,
    *,
    lang: str | None = None,
    today: dt.date | None = None,
    request: CopyRequest | None = None,
) -> tuple[bytes, bytes]:
    """All data held about a person: (JSON bytes, PDF bytes in ``lang``, by default the
    person's language). The PDF names the ``request`` it answers (its reference and date of
    receipt), as the erasure's confirmation does; the audit entry names its reference."""
    require(user, Action.EXPORT_PERSON)
    with store.reading() as session:
        person = PeopleRepository(session).get(person_id)
        if person is None:
            raise PersonNotFound(person_id)
        collected = [(s, s.collect(session, person_id)) for s in sources() if s.collect]
        updated_hlc = session.scalar(select(PersonRow.updated_hlc).where(PersonRow.id == person_id))
        last = last_contact(session, person_id, str(updated_hlc))
    today = today or dt.date.today()
    doc_lang = lang or document_language(person)
    if doc_lang not in DOCUMENT_LANGUAGES:
        raise ValueError(f"no documents in {doc_lang!r}")
    from desktop_app.usecases.person_data_text import readable, with_consent_texts

    forms, directory = reference.forms_in_force(store), reference.service_directory(store)
    # the versions of the forms whose words are known here: the shipped ones, every one
    # published here or received by sync, those in force
    known = list(reference.known_forms(store))
    # The wording each consent was given under, in both copies: among the consent form in
    # force, the shipped one and the texts kept of every consent form in force here before (a
    # publication outranked by an update, or replaced by one made from the shipped form), the
    # one the consent names, or every one of its version (``with_consent_texts``).
    consent_forms = [
        f for f in (*forms.values(), *reference.shipped_forms().values()) if f.text_version
    ]
    with store.reading() as session:
        kept = consent_texts.kept(session)
    collected = [
        (
            s,
            with_consent_texts(rows, doc_lang, consent_forms, kept)
            if s.kind == "consents"
            else rows,
        )
        for s, rows in collected
    ]
    from desktop_app.usecases.person_data_notice import merges_json, request_facts

    answering = None if request is None else (request.reference, request.received)
    with store.reading() as session:
        # As the PDF says them: its part on the requests, and the merges among its sources.
        requests = request_facts(session, person_id, answering)
        merges = merges_json(session, person_id, store.device_id)
    data = {
        "format": EXPORT_FORMAT,
        "version": 1,
        "exported_on": today.isoformat(),
        "person": _person_dict(person),
        **{source.kind: rows for source, rows in collected},
        "requests": requests,
        "merges": merges,
    }
    json_bytes = json.dumps(data, ensure_ascii=False, indent=2, default=str).encode("utf-8")
    values = _person_dict(person)
    values["date_of_birth"] = format_partial_date(person.date_of_birth, doc_lang)
    values["sex"] = gettext_in(doc_lang, SEX_NAMES[person.sex.value]) if person.sex else ""
    names = Locale.parse(doc_lang)
    values["nationality"] = names.territories.get(person.nationality, person.nationality)
    values["languages"] = ", ".join(language_name(c, doc_lang) for c in person.languages)
    person_rows = [(label, str(values[key])) for key, label in _LABELS]
    sections = [
        (s.title, readable(s.kind, rows, doc_lang, forms, directory, known))
        for s, rows in collected
    ]
    from desktop_app.usecases.person_data_notice import notice
    from desktop_app.usecases.settings import (
        get_data_protection_officer,
        get_letterhead,
        get_retention_years,
        get_supervisory_authority,
    )
    from desktop_app.usecases.sync import server_url

    years = get_retention_years(store)  # the one the retention list applies here
    synced = bool(server_url(store))  # the server then keeps encrypted copies
    with store.reading() as session:
        told = notice(
            session,
            person_id,
            doc_lang,
            device_id=store.device_id,
            collected=[(s.kind, rows) for s, rows in collected],
            forms=forms,
            directory=directory,
            last_contact=last,
            erase_from=years_after(last, years),
            retention_years=years,
            supervisory_authority=get_supervisory_authority(store),
            synced=synced,
            data_protection_officer=get_data_protection_officer(store),
            answering=None if request is None else (request.reference, request.received),
        )
    organisation = get_letterhead(store)
    pdf_bytes = render_person_data(
        doc_lang,
        person_rows,
        sections,
        today,
        FIELD_NAMES,
        organisation=organisation,
        notice=told,
        request=None if request is None else (request.reference, request.received),
    )
    details: dict[str, audit.DetailValue] = {"lang": doc_lang}
    if request is not None:
        details["request"] = request.reference
    audit.record(store, user, audit.AuditAction.EXPORT, "person", person_id, details)
    return json_bytes, pdf_bytes


def record_copy_request(
    store: Store,
    user: User,
    person_id: str,
    received: dt.date,
    *,
    reference: str | None = None,
    today: dt.date | None = None,
) -> str:
    """A copy of the data given today (``export_person``, once it was written) at the
    person's request received on ``received``: registered, linked to the person while they
    exist; where the person's request was registered open (``record_open_request``), that
    entry is answered instead (its date of receipt stands). ``reference``: the one the copy
    names (``copy_request``): its open entry is answered, else it is registered under it, so
    that the register holds the reference the person was given. Every other copy request of
    the person's open by then is answered by the copy too (one that arrived by sync after
    the reference was chosen: a copy of all the data answers each). Returns the reference."""
    require(user, Action.EXPORT_PERSON)
    today = today or dt.date.today()
    _check_received(received, today)
    with store.transaction() as session:
        ref = _register_copy(session, store, user, person_id, received, reference, today)
        # Open ones left: recorded on another laptop (its person's page showed none here when
        # the reference was chosen) and arrived since. Answered today; where that laptop
        # answered one too, the earlier answer stays everywhere (``sync.kinds``).
        for row in _open_rows(session, person_id, COPY):
            if row.received <= today.isoformat():
                _answer_open(session, store, user, row, today)
    return ref


def _register_copy(
    session: DbSession,
    store: Store,
    user: User,
    person_id: str,
    received: dt.date,
    reference: str | None,
    today: dt.date,
) -> str:
    """``record_copy_request``'s entry of the copy: the one of ``reference`` (answered, where
    still open) or the person's first open one, else a new one answered today."""
    if reference is not None:
        # The entry of that reference (the person's own first, where two laptops offline
        # drew one reference).
        named = session.scalars(
            select(DataRequestRow)
            .where(
                DataRequestRow.reference == reference,
                DataRequestRow.kind == COPY,
                DataRequestRow.deleted.is_(False),
            )
            .order_by(
                (DataRequestRow.person_id == person_id).desc(),
                DataRequestRow.received,
                DataRequestRow.id,
            )
        ).first()
        if named is not None:
            if named.answered != OPEN:  # answered meanwhile: it stays as it was
                return named.reference
            return _answer_open(session, store, user, named, today)
        return _new_row(
            session,
            store,
            user,
            COPY,
            received,
            answered=today,
            reference=reference,
            person_id=person_id,
        ).reference
    # An open request of the person's answered: that entry closes, its receipt stands.
    row = _open_row(session, person_id, COPY)
    if row is not None:
        return _answer_open(session, store, user, row, today)
    return _new_row(
        session, store, user, COPY, received, answered=today, person_id=person_id
    ).reference


# Every field of the person (a field added later is erased too), and what is derived from them.
_PERSONAL_COLUMNS = {
    **dict.fromkeys(PERSON_FIELDS, ""),
    "sort_key": "",
    "name_key": "",
    "phone_key": "",
}


def _erase_row(
    session: DbSession, store: Store, user: User, row: PersonRow, *, by_sync: bool = False
) -> dict[str, int]:
    """Everything but the row's revision: sources (conflicts about the person included),
    search tokens, personal columns."""
    # Overwrite freed pages instead of leaving erased text in them.
    session.connection().exec_driver_sql("PRAGMA secure_delete = ON")
    counts = {s.kind: s.erase(session, store, user, row.id) for s in sources()}
    counts["search_tokens"] = int(
        session.scalar(select(func.count()).where(SearchTokenRow.person_pk == row.pk)) or 0
    )
    session.execute(delete(SearchTokenRow).where(SearchTokenRow.person_pk == row.pk))
    for column, blank in _PERSONAL_COLUMNS.items():
        setattr(row, column, blank)
    row.deleted = True
    row.field_clocks = "{}"
    # Values as sent are noted by digest until pushed (``OutboxRow.sent``): a phone number's
    # can be found by trying them all. Every note goes (which records were the person's is not
    # known here): a change made back before the next push is then a change like any other.
    session.execute(update(OutboxRow).where(OutboxRow.sent.is_not(None)).values(sent=None))
    # The register of requests keeps the person's requests, no longer whose they were.
    unlink_requests(session, store, row.id, user.id, by_sync=by_sync)
    return counts


@dataclass(frozen=True)
class ErasureRequest:
    """An erasure the person asked for: when the request was received, and the reference its
    confirmation names (``erasure_confirmation``)."""

    reference: str
    received: dt.date


def erase_person(
    store: Store,
    user: User,
    person_id: str,
    *,
    request: ErasureRequest | None = None,
    today: dt.date | None = None,
) -> dict[str, int]:
    """Remove a person and everything registered about them, at once and for good.

    The person's row stays as a tombstone (deleted, no personal fields) with an outbox entry,
    so that sync removes the person on every other laptop too. Returns the counts erased per
    source; the audit log keeps only this non-personal trace. At the person's ``request`` the
    register of requests records it (nothing of the person, only dates and the reference),
    and the audit entry names the reference.
    """
    require(user, Action.ERASE_PERSON)
    today = today or dt.date.today()
    if request is not None:
        _check_received(request.received, today)
    with store.transaction() as session:
        row = session.scalar(select(PersonRow).where(PersonRow.id == person_id))
        if row is None or row.deleted:
            raise PersonNotFound(person_id)
        # The person's open erasure request is answered by any erasure (the data it asked
        # to erase is gone): the entry closes under its reference, the one the confirmation
        # names (``erasure_confirmation``). Looked up before the erasure unlinks it.
        opened = _open_row(session, person_id, ERASURE)
        counts = _erase_row(session, store, user, row)
        hlc = str(store.clock.now())
        next_revision(session, row, "person", hlc=hlc, device_id=store.device_id, author_id=user.id)
        details: dict[str, audit.DetailValue] = dict(counts)
        if opened is not None:
            details["request"] = _answer_open(session, store, user, opened, today)
        elif request is not None:
            details["request"] = _new_row(
                session,
                store,
                user,
                ERASURE,
                request.received,
                answered=today,
                reference=request.reference,
            ).reference
        audit.record_in(
            session, store, user.id, audit.AuditAction.ERASE, "person", person_id, details
        )
    log.info("person %s erased by %s: %d items", person_id, user.id, sum(counts.values()))
    return counts


def erasure_confirmation(
    store: Store,
    user: User,
    person_id: str,
    received: dt.date,
    *,
    lang: str | None = None,
    today: dt.date | None = None,
) -> tuple[ErasureRequest, bytes]:
    """Before an erasure at the person's request: the request (a new reference, ``received``;
    the person's open erasure request where one was registered) to pass to ``erase_person``,
    and the confirmation PDF telling the person, in ``lang`` (by default their language),
    what is erased, where, and what is kept."""
    from desktop_app.letters.erasure_confirmation_pdf import (
        ErasureConfirmation,
        render_erasure_confirmation,
    )
    from desktop_app.usecases.settings import (
        get_data_protection_officer,
        get_letterhead,
        get_supervisory_authority,
    )
    from desktop_app.usecases.sync import server_url

    require(user, Action.ERASE_PERSON)
    today = today or dt.date.today()
    _check_received(received, today)
    with store.reading() as session:
        person = PeopleRepository(session).get(person_id)
        if person is None:
            raise PersonNotFound(person_id)
        counts = [
            (s.title, n)
            for s in sources()
            if s.collect and (n := len(s.collect(session, person_id)))
        ]
        # The person's open erasure request keeps its reference and date of receipt.
        opened = _open_row(session, person_id, ERASURE)
        request = (
            ErasureRequest(opened.reference, dt.date.fromisoformat(opened.received))
            if opened is not None
            else ErasureRequest(new_reference(session), received)
        )
        received = request.received
    doc_lang = lang or document_language(person)
    if doc_lang not in DOCUMENT_LANGUAGES:
        raise ValueError(f"no documents in {doc_lang!r}")
    pdf = render_erasure_confirmation(
        ErasureConfirmation(
            lang=doc_lang,
            name=f"{person.given_name} {person.family_name}",
            reference=request.reference,
            received=received,
            erased_on=today,
            counts=counts,
            synced=bool(server_url(store)),
            organisation=get_letterhead(store),
            data_protection_officer=get_data_protection_officer(store),
            supervisory_authority=get_supervisory_authority(store),
        )
    )
    return request, pdf


def apply_remote_erasure(
    session: DbSession,
    store: Store,
    person_id: str,
    *,
    revision: int,
    updated_hlc: str,
    device_id: str,
    author_id: str,
) -> bool:
    """For the sync client: a person's tombstone arrived; erase everything held here.

    Runs in the sync's transaction and writes an audit entry marked ``remote``: an erasure
    (``erase``), or, for the tombstone of an entry merged into another (its merge record
    arrived first), the merge (``merged_away``, as the merging laptop logs it). The person's
    own tombstone is not sent back (it came from outside); the records of theirs held here
    (visits, consents, referrals …) are queued as tombstones of their own (``erase_synced``),
    so that the server drops every revision of them, also those of laptops the person's
    tombstone has not reached; the status bar does not count them as the user's changes
    (``engine.outbox_counts``). Returns False if there was nothing left to erase.
    """
    row = session.scalar(select(PersonRow).where(PersonRow.id == person_id))
    if row is None or (row.deleted and row.revision >= revision):
        return False
    author = User(author_id, "", "", Role.COORDINATOR)
    # Merged into another entry, not erased: the merge record came first (pushed before the
    # tombstone, applied first in a page, ``engine``) and moved what this laptop held of it.
    kept_id = _merged_into(session, person_id)
    # An erasure request registered open here is answered by it (only coordinators erase),
    # on the day of the erasure (its clock's; not before the request was received, recorded
    # here before the erasure arrived): every laptop the erasure reaches answers it alike.
    # Where the erasing laptop held the request, its own answer arrives too. A merge answers
    # none (it moved the person's requests to the entry kept).
    opened = _open_row(session, person_id, ERASURE) if kept_id is None else None
    counts = _erase_row(session, store, author, row, by_sync=True)
    if opened is not None:
        day = max(_hlc_date(updated_hlc), dt.date.fromisoformat(opened.received))
        _answer_open(session, store, author, opened, day, by_sync=True)
    row.revision, row.updated_hlc = revision, updated_hlc
    row.device_id, row.author_id = device_id, author_id
    # Which laptop erased the person (this entry is in this laptop's chain), and the role its
    # user worked with: the author has no account here (accounts do not sync), so only the
    # erasing laptop's own entry tells it, where it arrived first (``_role_logged``). A merge
    # is logged as the merging laptop logs it, with the entry kept (``merges.merge_people``).
    action = audit.AuditAction.ERASE
    details: dict[str, audit.DetailValue] = {**counts, "remote": True, ERASED_ON: device_id}
    if kept_id is not None:
        action = audit.AuditAction.MERGED_AWAY
        left = {k: v for k, v in counts.items() if v}
        details = {"other_entry": kept_id, **left, "remote": True, ERASED_ON: device_id}
    audit.record_in(
        session,
        store,
        author_id,
        action,
        "person",
        person_id,
        details,
        role=_role_logged(session, action, person_id, device_id, author_id),
    )
    return True


#: The key of a remote erasure's (or merge's) audit details naming the laptop (its store id)
#: it was made on.
ERASED_ON = "laptop"


def _merged_into(session: DbSession, person_id: str) -> str | None:
    """The entry ``person_id`` was merged into, as its merge record names it (the one the
    merging laptop's entry names); None where no live merge record names it merged away: a
    real erasure, also of an entry whose kept entry was erased since (its merge record went
    with that erasure, and what was moved to it too)."""
    merge = session.get(PersonMergeRow, wire.person_merge_id(person_id))
    if merge is None or merge.deleted or merge.merged_id != person_id or not merge.kept_id:
        return None
    return str(merge.kept_id)


def _role_logged(
    session: DbSession,
    action: audit.AuditAction,
    person_id: str,
    device_id: str,
    author_id: str,
) -> Role | None:
    """The role ``author_id`` erased (``action`` ERASE) or merged away (MERGED_AWAY) the
    person with on the laptop of ``device_id``, as that laptop's own audit entry of it carries
    it; None where that entry has not arrived (the sync applies the log's entries of a page
    before its records, ``engine``, but the entry may come in a later page) or carries none
    (a version before entries carried it)."""
    details = session.scalar(
        select(AuditRow.details)
        .where(
            AuditRow.record_id == person_id,
            AuditRow.device_id == device_id,
            AuditRow.user_id == author_id,
            AuditRow.action == str(action),
            AuditRow.record_kind == "person",
        )
        .order_by(AuditRow.at.desc())
        .limit(1)
    )
    role = audit.role_in(details) if details is not None else None
    return Role(role) if role is not None else None


def years_after(day: dt.date, years: int) -> dt.date:
    """``day`` moved by ``years`` (back, when negative); 29 February becomes the 28th."""
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February
        return day.replace(year=day.year + years, day=28)


def last_contact(session: DbSession, person_id: str, updated_hlc: str) -> dt.date:
    """The person's last contact, as the retention list counts it: the newest of the person's
    own change and every registered source's dates."""
    days = [s.last_contact(session).get(person_id) for s in sources() if s.last_contact]
    return max([_hlc_date(updated_hlc), *(d for d in days if d is not None)])


@dataclass(frozen=True)
class RetentionEntry:
    person_id: str
    given_name: str
    family_name: str
    last_contact: dt.date


def people_due_for_deletion(
    store: Store,
    user: User,
    years: int | None = None,
    today: dt.date | None = None,
) -> list[RetentionEntry]:
    """People without contact for ``years`` (by default the retention period in force here,
    ``settings.get_retention_years``), oldest contact first, for the coordinator to confirm.

    Last contact is the newest of the person's own change and every registered source's dates.
    Only lists: a shorter period erases nobody by itself (``erase_person`` does, when a
    coordinator confirms).
    """
    from desktop_app.usecases.settings import get_retention_years

    require(user, Action.CONFIRM_RETENTION)
    years = get_retention_years(store) if years is None else years
    today = today or dt.date.today()
    cutoff = years_after(today, -years)
    with store.reading() as session:
        rows = session.execute(
            select(
                PersonRow.id, PersonRow.given_name, PersonRow.family_name, PersonRow.updated_hlc
            ).where(PersonRow.deleted.is_(False))
        ).all()
        contacts: list[dict[str, dt.date]] = [
            s.last_contact(session) for s in sources() if s.last_contact is not None
        ]
    due = []
    for pid, given, family, hlc in rows:
        last = max([_hlc_date(hlc), *(c[pid] for c in contacts if pid in c)])
        if last < cutoff:
            due.append(RetentionEntry(pid, given, family, last))
    due.sort(key=lambda e: (e.last_contact, e.family_name))
    return due
