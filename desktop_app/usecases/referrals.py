"""Referring a person to a service: issuing, letters, the print queue, status and follow-ups.

Every function owns its transaction, takes the logged-in ``User`` and checks the permissions
table first. The print queue lives inside the encrypted store; PDFs reach the disk only when
the user saves one. Issuing, status changes, every view of a person's referrals and every
letter that leaves the app (printed, saved as PDF, queued, printed again) is written to the
audit log; the entry's record id is the person's id, details hold ids only.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import uuid
from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING

from sqlalchemy import delete, func, select, update
from sqlalchemy.orm import Session as DbSession

from desktop_app.domain.life_facts import LifeFacts, documents_to_bring
from desktop_app.domain.permissions import Action, allowed, require
from desktop_app.domain.person import Person
from desktop_app.domain.referral import (
    OTHER_REASON,
    Organisation,
    Referral,
    ReferralStatus,
    appointment_errors,
    new_referral,
)
from desktop_app.domain.service import NOT_KEPT, LocalizedText, Service, ServiceAsIssued
from desktop_app.domain.skills_facts import (
    ExperienceFact,
    LanguageFact,
    QualificationFact,
    SkillsFacts,
)
from desktop_app.domain.users import User
from desktop_app.domain.validation import FieldError, ValidationFailed, has_control_characters
from desktop_app.forms.definition import FieldDef, FormDefinition, NextStepRule
from desktop_app.i18n.text import LANGUAGES
from desktop_app.letters.directory import ServiceDirectory, default_directory, names_service
from desktop_app.letters.referral_letter import (
    LetterError,
    asks_children_steuer_ids_not_known_alone,
    explained_inside_its_brackets,
    render_referral_letter,
    shows_skills,
)
from desktop_app.letters.texts import LetterTexts, default_letter_texts
from desktop_app.storage.audit_models import AuditRow
from desktop_app.storage.db import Store
from desktop_app.storage.models import OutboxRow, PersonRow, next_revision
from desktop_app.storage.people_repo import PeopleRepository
from desktop_app.storage.referrals_models import PrintJobRow, ReferralRow
from desktop_app.storage.referrals_repo import (
    ReferralRepository,
    StatusChange,
    appointment_change,
    history_json,
    history_of,
    referral_columns,
    service_as_issued,
    service_as_issued_json,
    to_referral,
)
from desktop_app.storage.sync_models import ConflictRow
from desktop_app.sync.conflict_records import record_edit_conflicts, synced_state
from desktop_app.usecases import audit, reference, visits
from desktop_app.usecases.settings import get_letterhead

if TYPE_CHECKING:
    from desktop_app.usecases.visits import Visit

RECORD_KIND = "referral"
MAX_TEXT = 200
MAX_NOTE = 2000
MAX_DOCUMENTS = 60
#: Fields whose clocks move when the status changes (sync merges field by field).


class NotSignedOff(PermissionError):
    """A letter of a referral a helper prepared leaves the app only after an advisor's sign-off."""

    code = "referral_not_signed_off"

    def __init__(self, referral_id: str) -> None:
        super().__init__(referral_id)
        self.referral_id = referral_id


class ReferralNotFound(KeyError):
    """No referral (or print job) with this id in the store."""


class LetterWithdrawn(Exception):
    """A queued letter whose referral was closed since: it is not printed (the person would
    go to a service about a matter that is over)."""

    code = "letter_withdrawn"

    def __init__(self, job_id: str) -> None:
        super().__init__(job_id)
        self.job_id = job_id


class ReferralClosed(Exception):
    """The letter of a closed referral does not leave the app: not printed, not saved as a
    PDF, not queued (as :class:`LetterWithdrawn` for a queued one). It may still be shown."""

    code = "referral_closed"

    def __init__(self, referral_id: str) -> None:
        super().__init__(referral_id)
        self.referral_id = referral_id


@dataclass(frozen=True)
class PrintJob:
    """A letter in the print queue, without its PDF bytes (fetched with ``print_job_pdf``)."""

    id: str
    referral_id: str
    reference: str
    person_name: str
    service_id: str
    client_lang: str
    created_at: dt.datetime
    state: str
    printed_at: dt.datetime | None
    size: int
    #: when the letter was rendered again because what it shows changed after it was queued
    updated_at: dt.datetime | None = None
    #: the referral was closed after the letter was queued: the letter is not printed
    closed: bool = False
    #: whose letter it is ("" where the person was erased meanwhile)
    person_id: str = ""
    #: the day the referral's letter was first given, where it keeps what that letter said
    #: of the service (a reprint, which shows that); None: not given yet, or given before
    issued_on: dt.date | None = None
    #: what the directory says otherwise now than the letter given (as ``Letter``'s)
    changed_since_issue: tuple[str, ...] = ()


@dataclass(frozen=True)
class FollowUp:
    """A referral whose follow-up date has come, with the name of the person to call and
    the number to call them on."""

    referral: Referral
    person_name: str
    person_phone: str = ""
    #: the other number where the phone was changed differently on two laptops and that is
    #: not decided yet ("" where it is not): either may be the one that reaches them
    phone_in_conflict: str = ""


@dataclass(frozen=True)
class AwaitingSignOff:
    """A helper's referral waiting for an advisor's sign-off, with the person's name."""

    referral: Referral
    person_name: str


def _now() -> dt.datetime:
    return dt.datetime.now().replace(microsecond=0)


def _text_errors(
    field: str, value: str, limit: int, *, multiline: bool = False
) -> list[FieldError]:
    if len(value) > limit:
        return [FieldError(field, "too_long", {"max": limit})]
    if has_control_characters(value, allow_newlines=multiline):
        return [FieldError(field, "control_characters")]
    return []


def validate_referral(
    *,
    service_id: str,
    reason: str,
    reason_note: str = "",
    contact_person: str = "",
    documents: tuple[str, ...] = (),
    client_lang: str = "de",
    directory: ServiceDirectory | None = None,
    texts: LetterTexts | None = None,
) -> list[FieldError]:
    """Field errors of a referral the advisor is about to issue (empty list: fine)."""
    directory = directory or default_directory()
    texts = texts or default_letter_texts()
    errors: list[FieldError] = []
    if not service_id.strip():
        errors.append(FieldError("service", "required"))
    elif directory.find(service_id) is None:
        errors.append(FieldError("service", "not_an_option"))
    if not reason.strip():
        errors.append(FieldError("reason", "required"))
    elif reason not in texts.reasons:
        errors.append(FieldError("reason", "not_an_option"))
    elif reason == OTHER_REASON and not reason_note.strip():
        errors.append(FieldError("reason_note", "required"))
    errors += _text_errors("reason_note", reason_note, MAX_NOTE, multiline=True)
    errors += _text_errors("contact_person", contact_person, MAX_TEXT)
    if len(documents) > MAX_DOCUMENTS:
        errors.append(FieldError("documents", "too_long", {"max": MAX_DOCUMENTS}))
    for item in documents:
        found = _text_errors("documents", item, MAX_TEXT)
        if found:
            errors += found
            break
    if client_lang not in LANGUAGES:
        errors.append(FieldError("client_lang", "not_an_option"))
    return errors


def issue_referral(
    store: Store,
    user: User,
    person_id: str,
    service_id: str,
    reason: str,
    appointment: dt.datetime | None = None,
    contact_person: str = "",
    documents: tuple[str, ...] | None = None,
    follow_up: dt.date | None = None,
    client_lang: str = "de",
    *,
    reason_note: str = "",
    advisor_phone: str = "",
    advisor_email: str = "",
    now: dt.datetime | None = None,
    directory: ServiceDirectory | None = None,
    texts: LetterTexts | None = None,
) -> Referral:
    """Validate and store a new referral with its outbox entry; raises ``ValidationFailed``
    (an appointment before the day of issue or years ahead too).

    ``documents`` defaults to the service's usual documents, without those the person cannot
    have by their latest life situation; the reference number is unique in the store
    (checked, and guarded by a unique index).
    """
    require(user, Action.PREPARE_REFERRAL)
    directory = directory or reference.service_directory(store)
    service = directory.find(service_id)
    if service and documents is None:
        documents = documents_to_bring(service.documents, document_facts(store, user, person_id))
    documents = tuple(" ".join(d.split()) for d in documents or ())
    documents = tuple(d for d in documents if d)
    reason_note = reason_note.strip()
    contact_person = " ".join(contact_person.split())
    errors = validate_referral(
        service_id=service_id,
        reason=reason,
        reason_note=reason_note,
        contact_person=contact_person,
        documents=documents,
        client_lang=client_lang,
        directory=directory,
        texts=texts,
    )
    now = now or _now()
    if appointment is not None:
        # as change_status checks one recorded later: not before today, nor years ahead
        errors += appointment_errors(appointment, now, now.date())
    with store.transaction() as session:
        if PeopleRepository(session).get(person_id) is None:
            errors.insert(0, FieldError("person", "required"))
        if errors:
            raise ValidationFailed(errors)
        repo = ReferralRepository(session)
        # An advisor's own is signed off as it is issued; a helper's is a draft until one
        # signs it off (``sign_off``), which the referral says for good (``issued_as_draft``).
        signs = allowed(user, Action.SIGN_REFERRAL)
        for _attempt in range(8):
            referral = new_referral(
                person_id=person_id,
                service_id=service_id,
                reason=reason,
                advisor_name=user.display_name,
                advisor_phone=advisor_phone,
                advisor_email=advisor_email,
                created_at=now,
                reason_note=reason_note,
                appointment=appointment,
                contact_person=contact_person,
                documents=documents,
                follow_up=follow_up,
                issued_as_draft=not signs,
            )
            if signs:
                referral = replace(referral, signed_off_by=user.display_name, signed_off_at=now)
            if not repo.reference_taken(referral.reference):
                break
        else:  # 8 collisions of 40 random bits: the id generator is broken, not bad luck
            raise RuntimeError("no unique reference number")
        hlc = str(store.clock.now())
        session.add(
            ReferralRow(
                **referral_columns(referral),
                client_lang=client_lang,
                status_history=history_json(
                    [
                        StatusChange(
                            ReferralStatus.ISSUED,
                            now,
                            user.display_name,
                            "",
                            *appointment_change(None, referral.appointment),
                            hlc,
                        )
                    ]
                ),
                revision=1,
                updated_hlc=hlc,
                device_id=store.device_id,
                author_id=user.id,
                deleted=False,
                field_clocks="{}",
            )
        )
        session.add(OutboxRow(record_kind=RECORD_KIND, record_id=referral.id, revision=1, hlc=hlc))
        audit.record_in(
            session,
            store,
            user.id,
            audit.AuditAction.CREATE,
            "referral",
            person_id,
            {"referral_id": referral.id, "service": service_id},
        )
    return referral


def get_referral(store: Store, user: User, referral_id: str, *, log_view: bool = True) -> Referral:
    """One referral; reading it is written to the audit log."""
    require(user, Action.VIEW_PERSON)
    with store.reading() as session:
        row = ReferralRepository(session).row(referral_id)
        if row is None:
            raise ReferralNotFound(referral_id)
        referral = to_referral(row)
    if log_view:
        audit.record(
            store,
            user,
            audit.AuditAction.VIEW,
            "referral",
            referral.person_id,
            {"referral_id": referral.id},
        )
    return referral


def referral_language(store: Store, user: User, referral_id: str) -> str:
    """The client language the referral was issued with (its copy for the person)."""
    require(user, Action.VIEW_PERSON)
    with store.reading() as session:
        row = ReferralRepository(session).row(referral_id)
        if row is None:
            raise ReferralNotFound(referral_id)
        return row.client_lang


def status_history(
    store: Store, user: User, referral_id: str, *, log_view: bool = True
) -> list[StatusChange]:
    """The referral's status changes, oldest first; reading them is audited."""
    require(user, Action.VIEW_PERSON)
    with store.reading() as session:
        row = ReferralRepository(session).row(referral_id)
        if row is None:
            raise ReferralNotFound(referral_id)
        history, person_id = history_of(row), row.person_id
    if log_view:
        audit.record(
            store,
            user,
            audit.AuditAction.VIEW,
            "referral",
            person_id,
            {"referral_id": referral_id, "part": "status_history"},
        )
    return history


def step_laptops(store: Store, steps: Sequence[StatusChange]) -> list[str]:
    """The name of the laptop each of ``steps`` was made on where it is another laptop of the
    team; empty for this laptop's own steps, and for steps without a clock. "By Ana" alone
    did not say where a colleague's step came from (accounts do not sync: the same name may
    be on two laptops). Apart from the history, which reads the same on every laptop."""
    from desktop_app.sync import laptops
    from desktop_app.sync.merge import clock_device

    with store.reading() as session:
        names = laptops.store_names(session)
    names.pop(store.device_id, None)
    return [names.get(clock_device(step.hlc), "") if step.hlc else "" for step in steps]


def _letter_printed_before(session: DbSession, person_id: str, referral_id: str) -> bool:
    """Whether this letter was printed or saved before (queueing alone does not count)."""
    details = session.scalars(
        select(AuditRow.details).where(
            AuditRow.record_id == person_id,
            AuditRow.record_kind == "letter",
            AuditRow.action == audit.AuditAction.PRINT.value,
        )
    )
    return any(
        entry.get("referral_id") == referral_id and entry.get("via") != "queue"
        for entry in map(json.loads, details)
    )


LETTER_OUTPUTS = ("print", "pdf", "queue", "queue_print")
#: The outputs that give the letter to the person (queueing alone does not): the first of
#: them keeps what the letter says of the service with the referral (``service_as_issued``).
GIVEN_OUTPUTS = frozenset({"print", "pdf", "queue_print"})


def record_letter_output(
    store: Store,
    user: User,
    referral_id: str,
    via: str,
    client_lang: str,
    *,
    shown: Letter,
    today: dt.date | None = None,
) -> bool:
    """Write to the audit log that a letter left the app: printed from the preview (``print``),
    saved as a PDF file (``pdf``), put into the print queue (``queue``) or printed from it
    (``queue_print``). Returns whether it is a reprint (the letter went out before).

    The first letter given to the person (printed or saved) issues it: the referral keeps
    what ``shown``, the letter that went out, says of the service (``Letter.as_given``),
    dated ``today``. Later letters show that (:func:`make_letter`), whatever the directory
    says by then. There is no guess from the directory in force: it may say otherwise than
    the letter printed (a sync between showing and printing), and the referral would keep a
    letter that was never given; a letter of another referral is refused (``ValueError``)."""
    require(user, Action.PRINT)
    if via not in LETTER_OUTPUTS:
        raise ValueError(via)
    if shown.referral_id != referral_id:
        raise ValueError(f"letter of {shown.referral_id}, not of {referral_id}")
    if via in GIVEN_OUTPUTS and shown.as_given is None:
        raise ValueError("the letter given does not say what it showed of the service")
    with store.transaction() as session:
        row = ReferralRepository(session).row(referral_id)
        if row is None:
            raise ReferralNotFound(referral_id)
        if not row.signed_off_at:
            raise NotSignedOff(referral_id)
        if via in GIVEN_OUTPUTS and shown.as_given is not None:
            issued = replace(shown.as_given, issued_on=today or _today())
            _keep_as_issued(session, store, user, row, issued)
        again = _letter_printed_before(session, row.person_id, referral_id)
        audit.record_in(
            session,
            store,
            user.id,
            audit.AuditAction.PRINT,
            "letter",
            row.person_id,
            {
                "referral_id": referral_id,
                "via": via,
                "lang": client_lang,
                "reprint": again,
                # whether the letter to the service went with it (_consent_as_given)
                TO_SERVICE: shown.to_service,
            },
        )
    return again


def _today() -> dt.date:
    return _now().date()


#: The detail of a letter's audit entry (``PRINT``) that says whether the letter to the
#: service went with it (the person's consent covered the service then); entries written
#: before it say nothing of it.
TO_SERVICE = "to_service"


def _consent_as_given(store: Store, person_id: str, referral_id: str) -> SharingConsent | None:
    """The person's consent that covered the letter to the service when the referral's
    letter was last given with it, where it still does; None where that is not known.

    For a letter given before the short names a consent may name the service by were kept
    with it, of a service no directory has any more (:func:`_letter_inputs`): a consent
    naming it by such a name ("Nordberatung") no longer names it by the names kept. The
    letter given decides: where the newest audit entry of it leaving the app that says so
    (``TO_SERVICE``; entries of the versions before say nothing) says the letter to the
    service went with it, a consent covered the service then. It covers it still where the
    person's decisions stand as they stood then: only consents added since, no refusal,
    nothing changed or removed (which one covered it is not known). The decision returned
    is the newest consent of then."""
    from desktop_app.storage.visits_models import ConsentRow

    with store.reading() as session:
        entries = session.execute(
            select(AuditRow.at, AuditRow.details)
            .where(
                AuditRow.record_id == person_id,
                AuditRow.record_kind == "letter",
                AuditRow.action == audit.AuditAction.PRINT.value,
            )
            .order_by(AuditRow.at.desc())
        ).all()
        given_at = ""
        for at, details in entries:
            entry = json.loads(details)
            if entry.get("referral_id") == referral_id and TO_SERVICE in entry:
                if entry[TO_SERVICE] is not True:
                    return None
                given_at = str(at)
                break
        if not given_at:
            return None
        decisions = session.execute(
            select(
                ConsentRow.granted,
                ConsentRow.given_on,
                ConsentRow.shared_with,
                ConsentRow.deleted,
                ConsentRow.revision,
                ConsentRow.updated_hlc,
            )
            .where(ConsentRow.person_id == person_id, ConsentRow.purpose == SHARING_PURPOSE)
            .order_by(ConsentRow.updated_hlc.desc())
        ).all()
    since = [d for d in decisions if d.updated_hlc > given_at]
    if any(not d.granted or d.deleted or d.revision != 1 for d in since):
        return None  # a refusal, or a decision of then changed or removed since
    then = [d for d in decisions if d.updated_hlc <= given_at and not d.deleted]
    if not then or not then[0].granted:
        return None
    return SharingConsent(True, str(then[0].given_on), str(then[0].shared_with), covers=True)


def _given_from_directory(store: Store, referral_id: str, on: dt.date) -> ServiceAsIssued | None:
    """What a letter of the referral made from the directory in force says of the service
    (for a print job queued before jobs kept it, whose letter followed the directory); None
    where the referral is gone or the directory in force no longer has the service: such a
    job printed as it was queued, from an entry no longer known (the shipped one may say
    otherwise), and nothing is kept rather than a guess."""
    with store.reading() as session:
        row = ReferralRepository(session).row(referral_id)
        referral = to_referral(row) if row is not None else None
    if referral is None:
        return None
    directory = reference.service_directory(store)
    entry = directory.find(referral.service_id)
    if entry is None:
        return None
    return ServiceAsIssued.of(entry, on, _document_labels(directory, entry, referral))


def _document_labels(
    directory: ServiceDirectory, service: Service, referral: Referral
) -> dict[str, LocalizedText]:
    """The catalogue's labels of the documents a letter of ``referral`` lists or may list
    (the referral's, and the service's own: the Steuer-ID named for children), as kept with
    what the letter said of the service."""
    ids = dict.fromkeys((*referral.documents, *service.documents))
    return {i: directory.documents[i] for i in ids if i in directory.documents}


def _changed_since_issue(
    issued: ServiceAsIssued | None,
    entry: Service | None,
    service_id: str,
    labels: Mapping[str, LocalizedText],
) -> tuple[str, ...]:
    """What the directory in force (its entry ``entry`` of ``service_id``, None: taken out)
    says otherwise than a letter given (``issued``): ``ISSUED_PARTS``, or ``TAKEN_OUT``, with
    ``NOT_KEPT`` where the letter is made without the parts a first-version snapshot lacks (no
    directory, not even the shipped one, has the service: :func:`_letter_inputs`). Empty for
    a letter not given yet, or given before that was kept. The preview and the print queue
    say it. ``labels``: the catalogue's labels of documents in force (a document the letter
    listed renamed since is a change of its documents)."""
    if issued is None:
        return ()
    changed = issued.changed_in(entry, labels)
    if entry is None and not issued.whole and default_directory().find(service_id) is None:
        changed = (*changed, NOT_KEPT)
    return changed


def _keep_as_issued(
    session: DbSession, store: Store, user: User, row: ReferralRow, issued: ServiceAsIssued
) -> None:
    """The referral's letter is given to the person for the first time: it keeps what the
    letter says of the service (inside the caller's transaction; a new revision that syncs).
    Only then: a referral that keeps one already is left as it is."""
    if row.service_as_issued:
        return
    row.service_as_issued = service_as_issued_json(issued)
    hlc = str(store.clock.now())
    next_revision(session, row, RECORD_KIND, hlc=hlc, device_id=store.device_id, author_id=user.id)


@dataclass(frozen=True)
class SharingConsent:
    """The person's recorded decision on passing their data to the service of a referral."""

    granted: bool  # the latest decision is a consent (not a refusal)
    given_on: str  # ISO date of the decision shown
    shared_with: str  # the service(s) the consent names, as written on the consent form
    covers: bool = False  # it names the referral's service: the letter may go to the service


def letter_directory(store: Store, service_id: str) -> ServiceDirectory:
    """The directory a letter to ``service_id`` takes the service from: the published one,
    or the shipped one where the service was taken out of a later publication.

    A service a coordinator added and took out again is in neither (a referral to it made on
    a laptop that had not synced the removal yet): ``LetterError`` says so, as any letter
    that cannot be made does. A letter given before of such a referral is made from what the
    referral keeps of the service (:func:`_letter_inputs`), without this.
    """
    directory = reference.service_directory(store)
    if directory.find(service_id) is not None:
        return directory
    shipped = default_directory()
    if shipped.find(service_id) is None:
        raise LetterError("letter.service_unknown", service_id)
    return shipped


def sharing_consent(
    store: Store, user: User, person_id: str, service: Service
) -> SharingConsent | None:
    """The person's decision on passing their data to ``service``; None if none recorded."""
    return consent_for(sharing_decisions(store, user, person_id), service)


def sharing_decisions(store: Store, user: User, person_id: str) -> list[SharingConsent]:
    """The person's consents and refusals to pass their data to a service, newest first."""
    from desktop_app.storage.visits_models import ConsentRow

    require(user, Action.VIEW_PERSON)
    with store.reading() as session:
        rows = session.execute(
            select(ConsentRow.granted, ConsentRow.given_on, ConsentRow.shared_with)
            .where(
                ConsentRow.person_id == person_id,
                ConsentRow.purpose == SHARING_PURPOSE,
                ConsentRow.deleted.is_(False),
            )
            .order_by(ConsentRow.updated_hlc.desc())
        ).all()
    return [SharingConsent(bool(g), str(d), str(w)) for g, d, w in rows]


def consent_for(decisions: list[SharingConsent], service: Service) -> SharingConsent | None:
    """The decision (of ``decisions``, newest first) that rules a letter to ``service``.

    A consent covers the services it names (``names_service``). Consents given since the
    person's latest refusal count, the newest naming the service first; a refusal withdraws
    every consent before it. Without a covering consent a referral prints the person's sheet
    only, and the decision returned is the latest one, to tell the advisor why.
    """
    for decision in decisions:
        if not decision.granted:
            break
        if names_service(decision.shared_with, service):
            return replace(decision, covers=True)
    return decisions[0] if decisions else None


# The consent form's purpose that covers a letter to a service (resources/forms/consent.yaml).
SHARING_PURPOSE = "referral_sharing"
LIFE_SITUATION_FORM = "life_situation"
SKILLS_FORM = "skills_check"


def life_facts(store: Store, user: User, person_id: str) -> LifeFacts | None:
    """What referrals use of the person's latest life-situation visit (children, address
    registration, housing, work); None where no visit was recorded. Read for a referral or its
    letter, whose use is audited there. Without the restricted answers ``user`` may not read
    (a helper's letter to the Clearingstelle says nothing of the person's or the children's
    insurance)."""
    found = _latest_readable_answers(store, user, person_id, LIFE_SITUATION_FORM)
    return LifeFacts.from_answers(found[1]) if found is not None else None


def document_facts(store: Store, user: User, person_id: str) -> LifeFacts | None:
    """What the person's own latest life-situation check and latest skills check say of the
    documents they can have (``documents_to_bring``): the skills check of a job seeker who has
    only worked abroad says there are no pay slips (the life-situation check's work, where it
    has one, decides). None where the person has neither check. Never a household member's
    checks: the mother's check says nothing of the father's registration or employer."""
    life = _latest_readable_answers(store, user, person_id, LIFE_SITUATION_FORM)
    skills = _latest_readable_answers(store, user, person_id, SKILLS_FORM)
    return LifeFacts.from_checks(
        life[1] if life is not None else None, skills[1] if skills is not None else None
    )


def skills_facts(store: Store, user: User, person_id: str) -> SkillsFacts | None:
    """What referral letters use of the person's latest skills check (qualifications from
    abroad, work experience, German), labelled in the words the check was recorded in (its
    version of the form, where known here; else the form in force); None where no skills
    check was recorded. Read for a letter, whose use is audited there. Without
    the restricted answers ``user`` may not read, as ``life_facts``."""
    found = _latest_readable_answers(store, user, person_id, SKILLS_FORM)
    return skills_from_answers(*found) if found is not None else None


def _latest_readable_answers(
    store: Store, user: User, person_id: str, form_id: str
) -> tuple[FormDefinition, dict[str, object]] | None:
    """The form the person's latest finished visit of it was asked in (``visits.
    form_recorded_in``: its answers told in the words they were given to) and the answers
    of it that ``user`` may read (restricted sections not opened to a helper left out, as the
    form in force restricts them); None without one."""
    from desktop_app.storage.visits_models import latest_finished

    require(user, Action.VIEW_PERSON)
    with store.reading() as session:
        row = session.scalars(latest_finished(person_id, form_id)).one_or_none()
        answers = row.answers if row is not None else None
        version = row.form_version if row is not None else 0
    if answers is None:
        return None
    in_force = visits.form(form_id, store)
    hidden = in_force.withheld_fields(visits.withheld_kinds(store, user, person_id))
    readable = {k: v for k, v in json.loads(answers).items() if k not in hidden}
    return visits.form_recorded_in(store, form_id, version, readable), readable


def _option_text(field: FieldDef | None, answer: object) -> LocalizedText:
    """The label of the option ``answer`` of ``field`` in every language (empty: none)."""
    option = field.option(answer) if field is not None and isinstance(answer, str) else None
    return LocalizedText(option.label) if option is not None else LocalizedText()


def skills_from_answers(definition: FormDefinition, answers: dict[str, object]) -> SkillsFacts:
    """The facts of a skills check's ``answers``, labelled as ``definition`` names them."""

    def field(field_id: str) -> FieldDef | None:
        try:
            return definition.field(field_id)
        except KeyError:  # a published form without the question
            return None

    def items(field_id: str) -> list[dict[str, object]]:
        value = answers.get(field_id)
        return [i for i in value if isinstance(i, dict)] if isinstance(value, list) else []

    def text(value: object) -> str:
        return " ".join(value.split()) if isinstance(value, str) else ""

    quals, work = field("qualifications"), field("experience")

    def sub(group: FieldDef | None, field_id: str) -> FieldDef | None:
        return group.subfield(field_id) if group is not None else None

    qualifications = tuple(
        QualificationFact(
            kind=_option_text(sub(quals, "q_kind"), q.get("q_kind")),
            title=text(q.get("q_title")),
            country=_option_text(sub(quals, "q_country"), q.get("q_country")),
            year=text(q.get("q_year"))[:4],
            document=text(q.get("q_document")),
            recognition_started=text(q.get("q_recognition_started")),
            recognition_result=_option_text(
                sub(quals, "q_recognition_result"), q.get("q_recognition_result")
            ),
        )
        # what recognition is about: a vocational or academic qualification from abroad
        for q in items("qualifications")
        if q.get("q_kind") in ("vocational", "academic") and q.get("q_country") != "de"
    )
    experience = tuple(
        ExperienceFact(
            field=LocalizedText({"de": other})
            if (other := text(w.get("w_field_other"))) and w.get("w_field") == "other"
            else _option_text(sub(work, "w_field"), w.get("w_field")),
            years=years if isinstance(years := w.get("w_years"), int) else None,
            where=_option_text(sub(work, "w_where"), w.get("w_where")),
        )
        for w in items("experience")
    )

    def level_of(item: dict[str, object]) -> dict[str, object]:
        level = item.get("level")
        return level if isinstance(level, dict) else {}

    languages = items("language_levels")
    german = next((lv for lv in languages if lv.get("language") == "de"), {})
    level = level_of(german)
    others = tuple(
        LanguageFact(
            language=LocalizedText({"de": other})
            if (other := text(lv.get("language_other"))) and lv.get("language") == "other"
            else _option_text(sub(field("language_levels"), "language"), lv.get("language")),
            level=text(level_of(lv).get("level")),
            assessed=text(level_of(lv).get("assessed")),
        )
        for lv in languages
        if lv.get("language") != "de"
    )
    licences = answers.get("driving_licence")
    licence_field = field("driving_licence")
    return SkillsFacts(
        qualifications=qualifications,
        experience=tuple(e for e in experience if e.field),
        german_level=text(level.get("level")),
        german_assessed=text(level.get("assessed")),
        latin_literacy=_option_text(field("latin_literacy"), answers.get("latin_literacy")),
        latin_literacy_answer=text(answers.get("latin_literacy")),
        other_languages=tuple(lv for lv in others if lv.language),
        driving_licence=tuple(
            label
            for licence in (licences if isinstance(licences, list) else ())
            if (label := _option_text(licence_field, licence))
        ),
    )


def open_next_steps(
    store: Store, history: Sequence[Visit], referred: Sequence[Referral]
) -> list[NextStepRule]:
    """The next steps accepted in the person's latest visit of each form (``history`` newest
    first), newest visit first, in the form's order, without those whose service was referred to
    since that visit was begun (a step without a service stays until the next visit)."""
    from desktop_app.usecases import visits as visits_uc

    latest: dict[str, Visit] = {}
    for visit in history:  # newest first
        latest.setdefault(visit.form_id, visit)
    found: list[NextStepRule] = []
    for visit in latest.values():
        # Referred to since the form was begun: not since it was finished, which an edit of
        # the visit later moves on (its services would be offered again). created_at is the
        # laptop's local time, started_at UTC.
        started = dt.datetime.fromisoformat(visit.started_at)
        if started.tzinfo is not None:
            started = started.astimezone().replace(tzinfo=None)
        for rule in visits_uc.form(visit.form_id, store).next_steps:
            if visit.next_steps.get(rule.id) != "accepted" or any(
                r.service_id == rule.service and r.created_at >= started for r in referred
            ):
                continue
            found.append(rule)
    return found


def suggested_services(store: Store, user: User, person_id: str) -> list[str]:
    """Ids of the directory's services that the next steps accepted in the person's latest visit
    of each form lead to (``service`` of the form's next-step rules), newest visit first, in the
    form's order; a service referred to since that visit was begun is done and left out, as is
    one the directory in force lacks. The refer dialog offers these first: the advisor accepted
    them at the end of the form and had to find each service again in the directory."""
    return list(suggested_steps(store, user, person_id))


def suggested_steps(store: Store, user: User, person_id: str) -> dict[str, tuple[str, ...]]:
    """``suggested_services`` (in their order), each with the ids of the accepted next steps
    that lead to it: the refer dialog chooses the letter's reason by them (a man registering
    as looking for work is not applying for Bürgergeld, which the job centre's main topic
    chose)."""
    from desktop_app.usecases import visits as visits_uc

    # one read for the dialog, whose opening the person page has already audited
    history = visits_uc.visit_history(store, user, person_id, log_view=False)
    referred = referrals_of(store, user, person_id, log_view=False)
    directory = reference.service_directory(store)
    found: dict[str, tuple[str, ...]] = {}
    for rule in open_next_steps(store, history, referred):
        service = rule.service
        if service is not None and directory.find(service) is not None:
            found[service] = (*found.get(service, ()), rule.id)
    return found


@dataclass(frozen=True)
class _LetterInputs:
    """Everything a referral letter is rendered from, read in one go."""

    referral: Referral
    person: Person
    service: Service
    organisation: Organisation
    lang: str
    today: dt.date
    directory: ServiceDirectory
    to_service: bool
    facts: LifeFacts | None
    #: the consent that rules whether the letter to the service is in (its effect, to_service,
    #: is in the digest; the consent itself says why, for the preview)
    consent: SharingConsent | None = None
    #: the person's latest skills check, for the services it concerns (_skills_rows)
    skills: SkillsFacts | None = None
    #: the service's entry in the directory in force (None: taken out of it); ``service`` is
    #: what the letter shows of it, the referral's ``service_as_issued`` where the letter was
    #: given before
    entry: Service | None = None
    #: the letter to the service is left out because whether the person's consent names it
    #: is not known (:attr:`Letter.consent_not_known`)
    consent_not_known: bool = False
    #: the labels of the documents catalogue in force (``directory`` has those a letter
    #: given listed, as it listed them): what changed since it was given
    catalogue: Mapping[str, LocalizedText] | None = None

    def changed_since_issue(self) -> tuple[str, ...]:
        """What the directory in force says otherwise than the letter given (``ISSUED_PARTS``,
        or ``TAKEN_OUT``); empty for a letter not given yet, or given before it was kept."""
        issued, service_id = self.referral.service_as_issued, self.referral.service_id
        catalogue = self.directory.documents if self.catalogue is None else self.catalogue
        return _changed_since_issue(issued, self.entry, service_id, catalogue)

    def as_given(self, on: dt.date) -> ServiceAsIssued:
        """What the referral keeps of the service where this letter is the first one given,
        dated ``on``: the service as the letter shows it, with the labels of its documents."""
        labels = _document_labels(self.directory, self.service, self.referral)
        return ServiceAsIssued.of(self.service, on, labels)

    def digest(self) -> str:
        """A fingerprint of what the letter shows: equal inputs, equal letter (the PDF is
        rendered invariant). Each input enters by the fields its class lists for it
        (``domain.fingerprints``), written as its repr was when the fingerprint was the repr:
        the letters queued then keep their fingerprints. The status bookkeeping (status,
        outcome, follow-up) is written as at issue: the letter never shows it, and a status
        change alone must not flag a queued letter as updated. The directory enters by the
        labels of the referral's documents, the only part the letter takes from it besides
        the service."""
        labels = [
            (item, self.directory.document_label(item, lang))
            for item in self.referral.documents
            for lang in sorted({self.lang, "de"})
        ]
        # the logo by what it looks like: another logo kept (or a new one saved over the
        # shipped one's file) is another letter, the same one from another folder the same
        logo = (
            hashlib.sha256(self.organisation.logo).hexdigest()
            if self.organisation.logo
            else logo_fingerprint(self.organisation.logo_path)
        )
        text = repr(
            (
                _LETTER_FORMAT,
                _Verbatim(self.referral.fingerprint()),
                _Verbatim(self.person.fingerprint()),
                _Verbatim(self.service.fingerprint()),
                _Verbatim(self.organisation.fingerprint(logo)),
                self.lang,
                self.today,
                labels,
                self.to_service,
                # the facts by the fields a letter shows, written as their repr was
                _Verbatim(self.facts.fingerprint()) if self.facts is not None else None,
                # only where there is one: the letters queued before skills were shown (or of
                # a person without a skills check) keep their fingerprints
                *((_Verbatim(self.skills.fingerprint()),) if self.skills is not None else ()),
                # a helper's letter signed off names the advisor as its contact since: those
                # queued before (naming the helper) are made again, the others keep theirs
                *(("contact", "signer") if self.referral.signed_off_by_another else ()),
                # the person's copy names under "Where?" a service explained inside its German
                # name's brackets once since (the Bürgerdienste): those queued before printed
                # the name twice and are made again, the others keep their fingerprints
                *(("where", "named once") if self._named_once_where() else ()),
                # a child's Steuer-ID not known is asked for where the person's own is still
                # to come since: those queued before asked for it nowhere and are made again
                *(("steuer-id", "children not known") if self._children_not_known() else ()),
            )
        )
        return hashlib.sha256(text.encode("utf-8")).hexdigest()

    def _children_not_known(self) -> bool:
        return asks_children_steuer_ids_not_known_alone(
            self.service, self.referral.documents, self.facts
        )

    def _named_once_where(self) -> bool:
        return explained_inside_its_brackets(
            self.service.german_name, self.service.name.get(self.lang)
        )


class _Verbatim(str):
    """A text that enters a fingerprint's repr as it is (not quoted): an object's own
    fingerprint text where its repr once stood."""

    __slots__ = ()

    def __repr__(self) -> str:
        return str(self)


#: logo digests by (path, inode, size, modified, changed): a letter's fingerprint is taken
#: for every queued letter each time the queue is listed, and for every print or save
_LOGO_DIGESTS: dict[tuple[str, int, int, int, int], str] = {}
_LOGO_DIGESTS_MAX = 16


def logo_fingerprint(path: str | None) -> str | None:
    """What a letterhead's logo file holds, as a SHA-256 of its bytes (None: no logo). A
    file that cannot be read has none (``"unreadable"``): rendering the letter says why.
    The digest is kept while the file's size and times stay as they are; the change time
    moves with every write or rename and cannot be set back by copying tools."""
    if not path:
        return None
    try:
        stat = os.stat(path)
    except OSError:
        return "unreadable"
    key = (path, stat.st_ino, stat.st_size, stat.st_mtime_ns, stat.st_ctime_ns)
    digest = _LOGO_DIGESTS.get(key)
    if digest is None:
        try:
            with open(path, "rb") as logo:
                digest = hashlib.file_digest(logo, "sha256").hexdigest()
        except OSError:
            return "unreadable"
        if len(_LOGO_DIGESTS) >= _LOGO_DIGESTS_MAX:  # logos replaced over a long session
            _LOGO_DIGESTS.clear()
        _LOGO_DIGESTS[key] = digest
    return digest


# Part of every digest: bump it when the letter's layout or texts change in a way that should
# make letters queued under the older version render again.
_LETTER_FORMAT = 3


def _letter_inputs(
    store: Store, user: User, referral_id: str, client_lang: str | None, today: dt.date | None
) -> _LetterInputs:
    with store.reading() as session:
        row = ReferralRepository(session).row(referral_id)
        if row is None:
            raise ReferralNotFound(referral_id)
        referral = to_referral(row)
        lang = client_lang or row.client_lang
        person = PeopleRepository(session).get(referral.person_id)
    if person is None:
        raise ReferralNotFound(referral.person_id)
    in_force = reference.service_directory(store)
    entry = in_force.find(referral.service_id)
    # Given to the person before: the letter says of the service what it said then, also
    # once the service is taken out of the directory (kept whole since the topics and
    # documents were kept; a first-version snapshot takes them from the directory still,
    # and where no directory has the service any more, is made without them: a letter once
    # given is always shown again, and says what is not known, ``NOT_KEPT``).
    issued = referral.service_as_issued
    names_lost = False  # the names a consent may name the service by are not known
    if issued is None:  # not given yet: from the directory, or no letter (LetterError)
        directory = letter_directory(store, referral.service_id)
        service = directory.get(referral.service_id)
    elif issued.whole:
        directory = _labelled(in_force, issued)
        service = (
            issued.applied_to(entry)
            if entry is not None
            else issued.as_service(referral.service_id)
        )
    else:  # a first-version snapshot: the parts it lacks from the directory, where one has it
        try:
            directory = letter_directory(store, referral.service_id)
        except LetterError:
            directory = _labelled(in_force, issued)
            service = issued.as_service(referral.service_id)
            names_lost = issued.consent_names is None
        else:
            service = issued.applied_to(directory.get(referral.service_id))
    consent = sharing_consent(store, user, person.id, service)
    names_unknown = False
    if names_lost and not (consent is not None and consent.covers):
        # A first-version snapshot of a service no directory has any more: the short names a
        # consent may name it by ("Nordberatung") were not kept, and a consent naming it so
        # no longer covers it by its names. The letter given decides: where it went to the
        # service, the consent covered it then, and does still unless the decisions changed.
        as_given = _consent_as_given(store, person.id, referral.id)
        if as_given is not None:
            consent = as_given
        else:
            names_unknown = consent is not None and consent.granted
    return _LetterInputs(
        referral,
        person,
        service,
        get_letterhead(store),  # as saved in the settings (the shipped one until then)
        lang,
        # the letter is dated the day of issue, however often it is printed
        today or referral.created_at.date(),
        directory,
        # The letter passes the person's data to the service: only with their consent.
        consent is not None and consent.covers,
        life_facts(store, user, person.id),
        consent,
        # read only for the services shown it: the letter to another one stays as it was
        skills_facts(store, user, person.id) if shows_skills(service) else None,
        entry,
        names_unknown,
        in_force.documents,
    )


def _labelled(directory: ServiceDirectory, issued: ServiceAsIssued) -> ServiceDirectory:
    """``directory``'s catalogue, the documents a letter given listed named as it named them:
    the labels a letter takes from the directory (``document_label``), and nothing else."""
    if not issued.document_labels:
        return directory
    documents = {**directory.documents, **issued.document_labels}
    return ServiceDirectory(services=(), topics=directory.topics, documents=documents)


def _render(inputs: _LetterInputs) -> bytes:
    return render_referral_letter(
        inputs.referral,
        inputs.person,
        inputs.service,
        inputs.organisation,
        inputs.lang,
        today=inputs.today,
        directory=inputs.directory,
        to_service=inputs.to_service,
        facts=inputs.facts,
        skills=inputs.skills,
    )


def render_letter(
    store: Store,
    user: User,
    referral_id: str,
    client_lang: str | None = None,
    *,
    today: dt.date | None = None,
    log_view: bool = True,
) -> bytes:
    """The referral letter as PDF bytes, in memory (the preview); raises ``LetterError`` with a
    message key. Showing it is audited as a view of the person's letter (``log_view``); it is
    audited again when it leaves the app (:func:`record_letter_output`,
    :func:`queue_for_printing`, :func:`mark_printed`).

    ``client_lang`` defaults to the language the referral was issued with.
    """
    require(user, Action.PRINT)
    inputs = _letter_inputs(store, user, referral_id, client_lang, today)
    if log_view:
        _log_letter_view(store, user, referral_id, inputs)
    return _render(inputs)


def _log_letter_view(store: Store, user: User, referral_id: str, inputs: _LetterInputs) -> None:
    audit.record(
        store,
        user,
        audit.AuditAction.VIEW,
        "letter",
        inputs.person.id,
        {"referral_id": referral_id, "lang": inputs.lang},
    )


@dataclass(frozen=True)
class Letter:
    """A letter as the preview shows it, with what it was made from."""

    referral_id: str
    lang: str
    pdf: bytes
    #: the fingerprint of what it was rendered from (as a queued letter keeps it)
    inputs: str
    #: whether the letter to the service is in it (the person's consent covers the service);
    #: else it is the person's own sheet only
    to_service: bool
    #: the person's consent that rules it (None: none recorded), to say why a sheet is alone
    consent: SharingConsent | None = None
    #: the service's German name, as consent forms name it
    service_name: str = ""
    #: the referral is closed: the letter is shown, and does not leave the app
    closed: bool = False
    #: the service as the letter shows it (printed or saved for the first time, the referral
    #: keeps it: :func:`record_letter_output`)
    service: Service | None = None
    #: the day the letter was first given to the person, where the referral keeps what it
    #: said of the service (None: not given yet, or given before that was kept)
    issued_on: dt.date | None = None
    #: what the directory says otherwise now than the letter given (``ISSUED_PARTS``, or
    #: ``TAKEN_OUT``): the letter shows what was given, a new referral the entry as it is
    changed_since_issue: tuple[str, ...] = ()
    #: what the referral keeps of the service where this letter is the first one given
    #: (printed or saved: :func:`record_letter_output`), dated the day it was made
    as_given: ServiceAsIssued | None = None
    #: the letter to the service is left out because whether the person's consent (granted,
    #: ``consent``) names the service is not known: its letter was given before the short
    #: names a consent may name it by were kept with it, the service is in no directory any
    #: more, and no record of the letter given says it went to the service
    #: (:func:`_consent_as_given`)
    consent_not_known: bool = False


def _letter(inputs: _LetterInputs, pdf: bytes, digest: str) -> Letter:
    issued = inputs.referral.service_as_issued
    return Letter(
        inputs.referral.id,
        inputs.lang,
        pdf,
        digest,
        inputs.to_service,
        inputs.consent,
        inputs.service.german_name,
        _closed(inputs.referral),
        inputs.service,
        issued.issued_on if issued is not None else None,
        inputs.changed_since_issue(),
        inputs.as_given(_today()),
        inputs.consent_not_known,
    )


def make_letter(
    store: Store, user: User, referral_id: str, client_lang: str | None = None
) -> Letter:
    """The referral letter for the preview, dated the day of issue (:func:`render_letter`,
    whose view it logs), with the fingerprint :func:`current_letter` checks it against. The
    letter of a closed referral is made too (to be looked at), and says it is closed."""
    require(user, Action.PRINT)
    inputs = _letter_inputs(store, user, referral_id, client_lang, None)
    _log_letter_view(store, user, referral_id, inputs)
    return _letter(inputs, _render(inputs), inputs.digest())


def _closed(referral: Referral) -> bool:
    return referral.status is ReferralStatus.CLOSED


def current_letter(store: Store, user: User, shown: Letter) -> Letter:
    """The letter as it prints now: ``shown`` when nothing it shows changed since it was
    made, else the letter made again from the data as it is (a sync may have brought a new
    appointment, the service's new address or the person's consent while the preview was
    open). A letter made again is shown to the user before it leaves the app: its view is
    logged. Raises ``ReferralNotFound`` (erased meanwhile), ``ReferralClosed`` (closed, here
    or by a sync; the digest leaves the status out) or ``LetterError``.

    Closed, the letter is not saved as a PDF either: a PDF on the disk is a letter that can
    be printed and handed over as any other, outside the app and its audit, for a matter
    that is over (the print queue withdraws such letters); and what the person was given
    is not what it would show now. The referral, its history and the person's copy of their
    data stay in the app; the preview still shows the letter."""
    require(user, Action.PRINT)
    inputs = _letter_inputs(store, user, shown.referral_id, shown.lang, None)
    if _closed(inputs.referral):
        raise ReferralClosed(shown.referral_id)
    digest = inputs.digest()
    if digest == shown.inputs:
        return shown
    fresh = _render(inputs)
    if fresh == shown.pdf:  # rendered invariant: the same bytes are the same letter
        return replace(_letter(inputs, shown.pdf, digest), closed=False)
    _log_letter_view(store, user, shown.referral_id, inputs)
    return replace(_letter(inputs, fresh, digest), closed=False)


def queue_for_printing(
    store: Store,
    user: User,
    referral_id: str,
    client_lang: str | None = None,
    *,
    now: dt.datetime | None = None,
) -> str:
    """Put a letter into this laptop's print queue (inside the encrypted store); the job id.

    The letter is rendered here, from the data as it is now (a preview open for a while may
    show what a sync changed since), and the job keeps a fingerprint of what it was rendered
    from: :func:`print_job_pdf` renders it again when that changes. Raises
    ``ReferralClosed`` for a closed referral (the queue would withdraw its letter).
    """
    require(user, Action.PRINT)
    lang = client_lang or referral_language(store, user, referral_id)
    inputs = _letter_inputs(store, user, referral_id, lang, None)
    pdf = _render(inputs)  # no view: the PRINT entry below
    job_id = str(uuid.uuid4())
    with store.transaction() as session:
        referral_row = ReferralRepository(session).row(referral_id)
        if referral_row is None:
            raise ReferralNotFound(referral_id)
        if not referral_row.signed_off_at:
            raise NotSignedOff(referral_id)
        if referral_row.status == ReferralStatus.CLOSED.value:  # here, as it is now
            raise ReferralClosed(referral_id)
        audit.record_in(
            session,
            store,
            user.id,
            audit.AuditAction.PRINT,
            "letter",
            referral_row.person_id,
            {
                "referral_id": referral_id,
                "via": "queue",
                "lang": lang,
                "reprint": _letter_printed_before(session, referral_row.person_id, referral_id),
            },
        )
        session.add(
            PrintJobRow(
                id=job_id,
                referral_id=referral_id,
                client_lang=lang,
                pdf=pdf,
                created_at=(now or _now()).isoformat(),
                state="queued",
                printed_at="",
                inputs=inputs.digest(),
                updated_at="",
                service=_shown_json(inputs),
            )
        )
    return job_id


def _shown_json(inputs: _LetterInputs) -> str:
    """What a queued letter says of the service, as its job keeps it (dated the day it was
    rendered; the referral keeps it dated the day it is printed)."""
    return service_as_issued_json(inputs.as_given(_today()))


def _log_list_view(
    store: Store,
    user: User,
    kind: str,
    count_key: str,
    person_ids: Iterable[str],
    logged: Collection[str],
) -> None:
    """A list that names people (the print queue, the follow-ups, the letters awaiting
    sign-off) read: one view entry of ``kind`` for each person in it, with how many of their
    rows it lists (``count_key``), but for those in ``logged`` and rows of nobody (erased)."""
    counts: dict[str, int] = {}
    for person_id in person_ids:
        if person_id and person_id not in logged:
            counts[person_id] = counts.get(person_id, 0) + 1
    if not counts:
        return
    with store.transaction() as session:
        for person_id, n in counts.items():
            audit.record_in(
                session,
                store,
                user.id,
                audit.AuditAction.VIEW,
                kind,
                person_id,
                {count_key: n},
            )


def print_queue(
    store: Store,
    user: User,
    *,
    include_printed: bool = False,
    log_view: bool = True,
    logged: Collection[str] = (),
) -> list[PrintJob]:
    """Letters waiting to be printed, oldest first (without their PDF bytes). The list names
    people: each person in it gets an entry in the audit log (a view of the print queue;
    ``log_view=False`` only to re-display a list whose view was already logged), but for the
    people in ``logged``, whose view in the same open window was logged already. An open
    queue is listed anew after each sync that brought changes; audit entries travel with the
    sync, so two laptops with the queue open would otherwise log views of each other's
    entries without end."""
    require(user, Action.PRINT)
    stmt = (
        select(
            ReferralRow.person_id,
            PrintJobRow.id,
            PrintJobRow.referral_id,
            ReferralRow.reference,
            PersonRow.given_name,
            PersonRow.family_name,
            ReferralRow.service_id,
            PrintJobRow.client_lang,
            PrintJobRow.created_at,
            PrintJobRow.state,
            PrintJobRow.printed_at,
            func.length(PrintJobRow.pdf),
            PrintJobRow.updated_at,
            ReferralRow.status,
            ReferralRow.service_as_issued,
        )
        .join(ReferralRow, ReferralRow.id == PrintJobRow.referral_id)
        .outerjoin(PersonRow, PersonRow.id == ReferralRow.person_id)
        .order_by(PrintJobRow.created_at, PrintJobRow.id)
    )
    if not include_printed:
        stmt = stmt.where(PrintJobRow.state == "queued")
    with store.reading() as session:
        rows = session.execute(stmt).all()
    if log_view:
        _log_list_view(store, user, "print_queue", "letters", (r[0] for r in rows), logged)
    directory = reference.service_directory(store) if any(r[14] for r in rows) else None
    issued = [service_as_issued(r[14]) for r in rows]
    return [
        PrintJob(
            id=r[1],
            referral_id=r[2],
            reference=r[3],
            person_name=" ".join(p for p in (r[4], r[5]) if p),
            service_id=r[6],
            client_lang=r[7],
            created_at=dt.datetime.fromisoformat(r[8]),
            state=r[9],
            printed_at=dt.datetime.fromisoformat(r[10]) if r[10] else None,
            size=int(r[11] or 0),
            updated_at=dt.datetime.fromisoformat(r[12]) if r[12] else None,
            closed=r[13] == ReferralStatus.CLOSED.value,
            person_id=r[0] or "",
            issued_on=given.issued_on if given is not None else None,
            changed_since_issue=_changed_since_issue(
                given, directory.find(r[6]), r[6], directory.documents
            )
            if given is not None and directory is not None
            else (),
        )
        for r, given in zip(rows, issued, strict=True)
    ]


def print_job_pdf(
    store: Store, user: User, job_id: str, *, now: dt.datetime | None = None
) -> bytes:
    """The queued letter as it prints now. When what it was rendered from changed since (an
    appointment made or moved, the service's address where the letter was not given before,
    the person's name; here or by a sync) it is rendered again, in the job's language and
    dated the day of issue as any reprint, and kept so, with the time it was updated; a
    letter given before shows the service as given (``Referral.service_as_issued``); a
    letter to a service taken out of the directory since prints as it was queued. Raises
    ``LetterWithdrawn`` when the referral was closed since it was queued, ``LetterError``
    when the letter cannot be made now."""
    require(user, Action.PRINT)
    return _job_letter(store, user, job_id, now)[0]


@dataclass(frozen=True)
class QueuedLetter:
    """A queued letter as it prints now (:func:`print_job_letter`)."""

    pdf: bytes
    #: what it says of the service, for the referral to keep where it is the first letter
    #: given (:func:`mark_printed`); None for a job queued before jobs kept it
    as_given: ServiceAsIssued | None
    #: whether the letter to the service is in it (None: not known, a letter printed as it
    #: was queued), for the audit entry of its printing (``TO_SERVICE``)
    to_service: bool | None = None


def print_job_letter(
    store: Store, user: User, job_id: str, *, now: dt.datetime | None = None
) -> QueuedLetter:
    """:func:`print_job_pdf`, with what the letter says of the service: Print all hands it to
    :func:`mark_printed` once it is printed. The job's own may be another letter's by then:
    a sync while the print dialog was open brought a change, and the open queue made the
    letter again."""
    require(user, Action.PRINT)
    pdf, _changed, service, to_service = _job_letter(store, user, job_id, now)
    return QueuedLetter(pdf, service_as_issued(service), to_service)


def _job_letter(
    store: Store, user: User, job_id: str, now: dt.datetime | None
) -> tuple[bytes, bool, str, bool | None]:
    """The queued letter as it prints now, whether it was rendered anew and came out
    different from the one kept, what it says of the service (as the job keeps it) and
    whether the letter to the service is in it (None: printed as queued, not known)."""
    with store.reading() as session:
        job = session.get(PrintJobRow, job_id)
        if job is None:
            raise ReferralNotFound(job_id)
        state, referral_id, lang, digest = job.state, job.referral_id, job.client_lang, job.inputs
        pdf, service = bytes(job.pdf), job.service
        row = ReferralRepository(session).row(referral_id)
        if row is None:
            raise ReferralNotFound(referral_id)
        closed = row.status == ReferralStatus.CLOSED.value
        service_id = row.service_id
    if state != "queued":
        return pdf, False, service, None  # printed: its bytes were dropped
    if closed:
        raise LetterWithdrawn(job_id)
    if reference.service_directory(store).find(service_id) is None:
        # Taken out of the directory after the letter was queued: the letter made again took
        # the shipped entry (the address the coordinator had corrected printed as shipped),
        # or found none (a coordinator's own service: "taken out", and nothing printed). The
        # service's details are now only in the letter kept, and that prints, as queued.
        return pdf, False, service, None
    inputs = _letter_inputs(store, user, referral_id, lang, None)
    current = inputs.digest()
    if current == digest:  # to_service is in the digest: the letter queued says the same
        return pdf, False, service, inputs.to_service
    fresh = _render(inputs)
    service = _shown_json(inputs)
    values: dict[str, object] = {"inputs": current, "service": service}
    if fresh != pdf:  # rendered invariant: other bytes, another letter
        values.update(pdf=fresh, updated_at=(now or _now()).isoformat())
    with store.transaction() as session:
        session.execute(
            update(PrintJobRow)
            .where(PrintJobRow.id == job_id, PrintJobRow.state == "queued")
            .values(**values)
        )
    return fresh, fresh != pdf, service, inputs.to_service


def update_queued_letters(store: Store, user: User, *, now: dt.datetime | None = None) -> int:
    """Render again every queued letter whose data changed since it was queued (see
    :func:`print_job_pdf`), so that the queue shows which letters were updated; the number
    of letters that came out different. Letters that cannot be made now, or whose referral
    was closed, stay as they are (the queue says so; printing tells)."""
    require(user, Action.PRINT)
    with store.reading() as session:
        jobs = list(session.scalars(select(PrintJobRow.id).where(PrintJobRow.state == "queued")))
    changed = 0
    for job_id in jobs:
        try:
            changed += _job_letter(store, user, job_id, now)[1]
        except (LetterWithdrawn, LetterError, ReferralNotFound):
            continue
    return changed


def mark_printed(
    store: Store,
    user: User,
    job_id: str,
    *,
    at: dt.datetime | None = None,
    shown: ServiceAsIssued | None = None,
    to_service: bool | None = None,
) -> None:
    """The letter came out of the printer: keep the fact, drop the PDF bytes; audited. The
    first letter given so issues the referral: it keeps what the letter printed says of the
    service (``shown``, ``QueuedLetter.as_given``; else the job's, or for a job queued before
    jobs kept it the entry in force, where there is one), dated the day it was printed
    (:func:`record_letter_output`). ``to_service``: whether the letter to the service was in
    it (``QueuedLetter.to_service``), for the audit entry; None where not known."""
    require(user, Action.PRINT)
    at = at or _now()
    with store.reading() as session:
        queued = session.execute(
            select(PrintJobRow.referral_id, PrintJobRow.service).where(PrintJobRow.id == job_id)
        ).first()
    if shown is None and queued is not None:
        shown = service_as_issued(queued[1])
    if queued is not None and shown is None:
        shown = _given_from_directory(store, queued[0], at.date())
    with store.transaction() as session:
        job = session.execute(
            select(PrintJobRow.referral_id, PrintJobRow.client_lang, ReferralRow.person_id)
            .join(ReferralRow, ReferralRow.id == PrintJobRow.referral_id)
            .where(PrintJobRow.id == job_id)
        ).first()
        result = session.execute(
            update(PrintJobRow)
            .where(PrintJobRow.id == job_id)
            .values(state="printed", printed_at=at.isoformat(), pdf=b"")
        )
        if result.rowcount == 0:  # type: ignore[attr-defined]
            raise ReferralNotFound(job_id)
        if job is not None:
            referral_id, lang, person_id = job
            row = ReferralRepository(session).row(referral_id)
            if row is not None and shown is not None:
                _keep_as_issued(session, store, user, row, replace(shown, issued_on=at.date()))
            audit.record_in(
                session,
                store,
                user.id,
                audit.AuditAction.PRINT,
                "letter",
                person_id,
                {
                    "referral_id": referral_id,
                    "via": "queue_print",
                    "lang": lang,
                    "reprint": _letter_printed_before(session, person_id, referral_id),
                    **({TO_SERVICE: to_service} if to_service is not None else {}),
                },
            )


def remove_from_queue(store: Store, user: User, job_id: str) -> None:
    require(user, Action.PRINT)
    with store.transaction() as session:
        result = session.execute(delete(PrintJobRow).where(PrintJobRow.id == job_id))
        if result.rowcount == 0:  # type: ignore[attr-defined]
            raise ReferralNotFound(job_id)


def _changed_row(
    session: DbSession,
    store: Store,
    user: User,
    row: ReferralRow,
    action: audit.AuditAction,
    details: dict[str, str],
    *,
    hlc: str = "",
) -> None:
    """A referral row changed by ``user``: new revision and clock (``hlc``, a new one unless
    given), outbox entry, audit entry.

    The changed fields' clocks are stamped on flush (storage.models._stamp_field_clocks)."""
    hlc = hlc or str(store.clock.now())
    next_revision(session, row, RECORD_KIND, hlc=hlc, device_id=store.device_id, author_id=user.id)
    audit.record_in(
        session,
        store,
        user.id,
        action,
        "referral",
        row.person_id,
        {"referral_id": row.id, **details},
    )


def sign_off(
    store: Store, user: User, referral_id: str, *, now: dt.datetime | None = None
) -> Referral:
    """An advisor signs off a referral a helper prepared: its letter may then be printed.
    Raises ``ReferralClosed`` for a draft closed meanwhile (here or by a sync): a sign-off
    would let its letter leave the app for a matter that is over."""
    require(user, Action.SIGN_REFERRAL)
    now = now or _now()
    with store.transaction() as session:
        row = ReferralRepository(session).row(referral_id)
        if row is None:
            raise ReferralNotFound(referral_id)
        if row.signed_off_at:
            return to_referral(row)
        if row.status == ReferralStatus.CLOSED.value:  # as it is now, in this transaction
            raise ReferralClosed(referral_id)
        signed = replace(to_referral(row), signed_off_by=user.display_name, signed_off_at=now)
        columns = referral_columns(signed)
        row.signed_off_by = columns["signed_off_by"]
        row.signed_off_at = columns["signed_off_at"]
        _changed_row(session, store, user, row, audit.AuditAction.SIGN_OFF, {})
    return signed


def change_status(
    store: Store,
    user: User,
    referral_id: str,
    status: ReferralStatus,
    outcome: str | None = None,
    *,
    follow_up: dt.date | None = None,
    clear_follow_up: bool = False,
    appointment: dt.datetime | None = None,
    clear_appointment: bool = False,
    now: dt.datetime | None = None,
    base: Referral | None = None,
) -> Referral:
    """Move a referral on (never backwards, closing always allowed); raises
    ``ReferralStatusError`` or ``ValidationFailed`` (outcome too long, "outcome noted" with no
    outcome, an appointment before the day of issue or years ahead).

    The status left as it is (a follow-up date moved, an outcome added): the time of its last
    change stays, and the history gets a step only for a new outcome or a moved appointment.

    The appointment is often arranged after the letter was issued (a phone call the next
    day): ``appointment`` sets or changes it, ``clear_appointment`` removes it.

    With ``base``, the referral as the dialog showed it: an outcome, follow-up date or
    appointment left as it was keeps its value now (a sync may have brought a colleague's
    meanwhile), and one changed here that a sync changed too is kept as a conflict to decide,
    not silently overwritten."""
    require(user, Action.PREPARE_REFERRAL)
    now = now or _now()
    if outcome is not None:
        outcome = outcome.strip()
        if errors := _text_errors("outcome", outcome, MAX_NOTE, multiline=True):
            raise ValidationFailed(errors)
    with store.transaction() as session:
        row = ReferralRepository(session).row(referral_id)
        if row is None:
            raise ReferralNotFound(referral_id)
        current = to_referral(row)
        changed = current.with_status(status, now, outcome=outcome)
        if clear_follow_up:
            changed = replace(changed, follow_up=None)
        elif follow_up is not None:
            changed = replace(changed, follow_up=follow_up)
        if clear_appointment:
            changed = replace(changed, appointment=None)
        elif appointment is not None:
            appointment = appointment.replace(second=0, microsecond=0)
            # Only a value typed now is checked: one stored or shown before stands as agreed.
            earlier = {current.appointment, base.appointment if base else None}
            if appointment not in earlier and (
                errors := appointment_errors(appointment, current.created_at, now.date())
            ):
                raise ValidationFailed(errors)
            changed = replace(changed, appointment=appointment)
        stored, began, edited = None, {}, {}
        if base is not None:
            stored = synced_state(session, "referral", referral_id)
            columns, as_shown = referral_columns(changed), referral_columns(base)
            began = {key: as_shown[key] for key in _STATUS_TEXTS}
            edited = {key: columns[key] for key in _STATUS_TEXTS}
            # Left as it was: the value now stays (a sync may have brought a colleague's).
            untouched = [key for key in _STATUS_TEXTS if edited[key] == began[key]]
            changed = replace(changed, **{key: getattr(current, key) for key in untouched})
        # "Outcome noted" says an outcome is written: Enter in the status dialog, which then
        # proposed it, recorded it with none. One noted so before (older data) stays editable.
        noting = status is ReferralStatus.OUTCOME_NOTED and not changed.outcome
        if noting and (current.status is not status or current.outcome):
            raise ValidationFailed([FieldError("outcome", "outcome_required")])
        same = status is current.status
        if same:  # not a status change: when the status last changed stays
            changed = replace(changed, status_changed_at=current.status_changed_at)
        history = history_of(row)
        noted = changed.outcome if outcome is not None else ""
        moved, to = appointment_change(current.appointment, changed.appointment)
        # The change's clock orders the step among those of the same second, on every laptop.
        hlc = str(store.clock.now())
        # A follow-up date moved alone is no step: it read as the status set again.
        if not same or moved or changed.outcome != current.outcome:
            history.append(StatusChange(status, now, user.display_name, noted, moved, to, hlc))
        columns = referral_columns(changed)
        for key in ("status", "outcome", "follow_up", "appointment", "status_changed_at"):
            setattr(row, key, columns[key])
        row.status_history = history_json(history)
        details = {"status": status.value}
        if changed.appointment != current.appointment:  # that it moved, not when (ids only)
            details["appointment"] = "cleared" if changed.appointment is None else "set"
        _changed_row(session, store, user, row, audit.AuditAction.CHANGE, details, hlc=hlc)
        if stored is not None:
            record_edit_conflicts(session, store, stored, began, edited, row.person_id)
    return changed


# What the status dialog writes besides the status.
_STATUS_TEXTS = ("outcome", "follow_up", "appointment")

_DECIDED_TEXT = {"outcome": (MAX_NOTE, True), "contact_person": (MAX_TEXT, False)}


def check_decided_text(field: str, value: object) -> None:
    """A corrected text entered to decide a conflict over ``field``: as when first written."""
    if field in _DECIDED_TEXT and isinstance(value, str):
        limit, multiline = _DECIDED_TEXT[field]
        if errors := _text_errors(field, value, limit, multiline=multiline):
            raise ValidationFailed(errors)


def apply_decision(
    row: ReferralRow,
    field: str,
    value: object,
    by: str,
    *,
    now: dt.datetime | None = None,
    hlc: str = "",
) -> None:
    """A conflict over ``field`` decided (inside the caller's transaction, which stamps the
    change). A status may go back too: the advisor chose it. The history says who decided.

    A decided appointment is a step of the history too, as the status dialog's: set, moved
    or removed, with the one now in force. It is worked out here, once, from the appointment
    this laptop held before the decision, and kept in the step: the step travels with the
    history, and every laptop shows what the deciding one recorded. ``hlc`` is the decision's
    clock, kept in the step (it orders the steps of one second)."""
    now = now or _now()
    if field == "appointment":
        before = to_referral(row).appointment
        setattr(row, field, value)  # the text one laptop stored (the choice made)
        moved, to = appointment_change(before, to_referral(row).appointment)
        if moved:
            history = history_of(row)
            status = ReferralStatus(row.status)  # the step leaves the status as it is
            history.append(StatusChange(status, now, by, "", moved, to, hlc))
            row.status_history = history_json(history)
        return
    if field != "status":
        setattr(row, field, value)
        return
    decided = replace(to_referral(row), status=ReferralStatus(str(value)), status_changed_at=now)
    columns = referral_columns(decided)
    row.status = columns["status"]
    row.status_changed_at = columns["status_changed_at"]
    history = history_of(row)
    history.append(StatusChange(decided.status, now, by, "", hlc=hlc))
    row.status_history = history_json(history)


def referrals_of(
    store: Store, user: User, person_id: str, *, log_view: bool = True
) -> list[Referral]:
    """The person's referrals, newest first. Listing them is one audit entry
    (``log_view=False`` only to re-display a list whose view was already logged)."""
    require(user, Action.VIEW_PERSON)
    with store.reading() as session:
        found = [to_referral(row) for row in ReferralRepository(session).of_person(person_id)]
    if log_view:
        audit.record(
            store, user, audit.AuditAction.VIEW, "referrals", person_id, {"count": len(found)}
        )
    return found


def count_follow_ups_due(store: Store, user: User, today: dt.date) -> int:
    """How many referrals ``follow_ups_due`` lists, without reading them."""
    require(user, Action.VIEW_PERSON)
    with store.reading() as session:
        return ReferralRepository(session).count_due(today)


def follow_ups_due(
    store: Store,
    user: User,
    today: dt.date,
    *,
    log_view: bool = True,
    logged: Collection[str] = (),
) -> list[FollowUp]:
    """Open referrals whose follow-up date is today or earlier, the most overdue first. The
    list names people and their phone numbers: each person in it gets an entry in the audit
    log (a view of the follow-ups), as the print queue's and the sign-off list's, but those
    in ``logged`` (their view in the same open window was logged already;
    ``log_view=False`` to show again a list whose views were logged)."""
    require(user, Action.VIEW_PERSON)
    found = _follow_ups(store, today)
    if log_view:
        listed = (item.referral.person_id for item in found)
        _log_list_view(store, user, "follow_ups", "referrals", listed, logged)
    return found


def _follow_ups(store: Store, today: dt.date) -> list[FollowUp]:
    with store.reading() as session:
        rows = ReferralRepository(session).due(today)
        ids = {row.person_id for row in rows}
        people = {
            pid: (f"{given} {family}".strip(), phone)
            for pid, given, family, phone in session.execute(
                select(
                    PersonRow.id, PersonRow.given_name, PersonRow.family_name, PersonRow.phone
                ).where(PersonRow.id.in_(ids))
            )
        }
        others = _phones_in_conflict(session, ids)
        return [
            FollowUp(
                to_referral(row),
                *people.get(row.person_id, ("", "")),
                phone_in_conflict=others.get(row.person_id, ""),
            )
            for row in rows
        ]


def _phones_in_conflict(session: DbSession, person_ids: Collection[str]) -> dict[str, str]:
    """The people's other phone numbers, where an open conflict holds two (the record holds
    the kept one until someone decides), by person; the latest conflict's where there are
    several."""
    rows = session.execute(
        select(ConflictRow.record_id, ConflictRow.other_value)
        .where(
            ConflictRow.record_kind == "person",
            ConflictRow.record_id.in_(person_ids),
            ConflictRow.field == "phone",
            ConflictRow.resolved.is_(False),
            ConflictRow.deleted.is_(False),
        )
        .order_by(ConflictRow.updated_hlc)
    )
    found: dict[str, str] = {}
    for person_id, other in rows:
        value = json.loads(other)
        found[person_id] = value if isinstance(value, str) else ""
    return {pid: phone for pid, phone in found.items() if phone}


def count_awaiting_sign_off(store: Store, user: User) -> int:
    """How many referrals ``awaiting_sign_off`` lists, without reading them (no names: no
    view to log). Nothing for a user who may not sign off."""
    if not allowed(user, Action.SIGN_REFERRAL):
        return 0
    with store.reading() as session:
        return ReferralRepository(session).count_awaiting_sign_off()


def awaiting_sign_off(
    store: Store, user: User, *, log_view: bool = True, logged: Collection[str] = ()
) -> list[AwaitingSignOff]:
    """The helpers' referrals that wait for an advisor to sign them off (on this laptop or
    brought by a sync), not closed, the oldest first. The list names people: each gets an
    entry in the audit log, but those in ``logged`` (their view in the same open window was
    logged already; ``log_view=False`` to show again a list whose views were logged)."""
    require(user, Action.SIGN_REFERRAL)
    with store.reading() as session:
        rows = ReferralRepository(session).awaiting_sign_off()
        ids = {row.person_id for row in rows}
        names = {
            pid: f"{given} {family}".strip()
            for pid, given, family in session.execute(
                select(PersonRow.id, PersonRow.given_name, PersonRow.family_name).where(
                    PersonRow.id.in_(ids)
                )
            )
        }
    found = [AwaitingSignOff(to_referral(row), names.get(row.person_id, "")) for row in rows]
    if log_view:
        listed = (item.referral.person_id for item in found)
        _log_list_view(store, user, "sign_off_queue", "letters", listed, logged)
    return found
