"""What a person's data copy tells beyond the data itself (GDPR Art. 15(1)): who received it,
where it came from, who consulted the case and why, how long it is kept, and which categories
it falls into, in the copy's language.

The log of consultations gives dates, purposes and the role of who consulted, never a staff
member's name: the CJEU (C-579/21, J.M. v Pankki, 2023) holds that the person is owed the dates
and purposes of consultations, and the identity of employees acting under the controller's
authority only where it is needed to exercise their rights.
"""

from __future__ import annotations

import datetime as dt
import json
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from sqlalchemy import or_, select
from sqlalchemy.orm import Session as DbSession

from desktop_app.domain.hlc import Timestamp
from desktop_app.forms.definition import FormDefinition
from desktop_app.forms.labels import label as pick
from desktop_app.i18n.formatting import format_long_date
from desktop_app.i18n.messages import removed_service_name
from desktop_app.i18n.text import N_, Nn_, gettext_in
from desktop_app.letters.directory import ServiceDirectory
from desktop_app.letters.person_data_pdf import (
    REQUEST_KIND_NAMES,
    REQUEST_OPEN,
    Consultation,
    DataCopyNotice,
    Recipient,
    RequestEntry,
    plural_in,
)
from desktop_app.letters.referral_letter import unbroken
from desktop_app.storage.audit_models import AuditRow
from desktop_app.storage.models import (
    REASON_REMOVED,
    DataRequestRow,
    PersonMergeRow,
    PersonRow,
    UserRow,
)
from desktop_app.storage.referrals_models import ReferralRow
from desktop_app.storage.visits_models import ConsentRow, VisitRow
from desktop_app.usecases.audit import role_in
from desktop_app.usecases.person_data import Row
from desktop_app.usecases.person_data_authors import ROLES, role_text
from desktop_app.usecases.person_sources import entries_of

LOOKED = N_("Looked at your data for the advice")
#: Why the case was consulted, by the audit entry's action and then its record kind.
PURPOSES: Mapping[str, Mapping[str, str]] = {
    "view": {"": LOOKED, "letter": N_("Looked at a referral letter")},
    "create": {
        "": N_("Recorded new data"),
        "person": N_("Registered you"),
        "visit": N_("Recorded a visit"),
        "consent": N_("Recorded your consent"),
        "referral": N_("Made a referral"),
    },
    "change": {"": N_("Corrected or added data")},
    "print": {"": N_("Printed a referral letter")},
    "export": {"": N_("Made a copy of your data for you")},
    "open_case": {"": N_("Gave an integration helper access to a part of your data")},
    "decide": {"": N_("Chose between two values entered on two laptops")},
    "merge_kept": {"": N_("Joined two entries about you into one")},
    "distinct": {"": N_("Noted that another entry is a different person")},
    # Of an entry merged into the person's, erased on another laptop before the merge came.
    "erase": {"": N_("Erased data")},
    # A request about the person's data (a copy, a correction, an erasure) recorded, and a
    # correction request answered by the correction saved (``data_rights``).
    "receive_request": {"": N_("Recorded your request about your data")},
    "answer_request": {"": N_("Answered your request about your data")},
}
OTHER_PURPOSE = N_("Other work on your case")
#: A referral letter's "print" entry by how the letter left (details "via",
#: ``referrals.LETTER_OUTPUTS``): one put in the print queue was not printed (yet), and the copy
#: said "Printed a referral letter" of it; printed from the queue is printed.
LETTER_OUTPUT_PURPOSES: Mapping[str, str] = {
    "queue": N_("Put a referral letter in the queue for printing"),
    "pdf": N_("Saved a referral letter as a PDF file"),
}

SOURCE_SELF = N_("You told us most of this data yourself, in the advice sessions.")
SOURCE_SERVICES = N_(
    "What happened after a referral (appointment, outcome) may also come from the service you "
    "were referred to."
)
SOURCE_OTHER_LAPTOP = Nn_(
    "{count} entry was made or last changed by a colleague on another laptop of our team.",
    "{count} entries were made or last changed by a colleague on another laptop of our team.",
    "count",
)
SOURCE_MERGED = N_(
    "On {date}, a second entry about you was joined with this one. It had been made twice by "
    "mistake. Its data is now part of this copy."
)
#: After it: who joined them, by role (``person_data_authors``: never a name nor a laptop).
SOURCE_MERGED_BY = N_("Joined by: {role}.")

CATEGORY_PERSON = N_("Personal details: name, date of birth, nationality, languages, phone")
CATEGORY_HEALTH = N_("Health data: a special category of personal data (Art. 9 GDPR)")
#: categories by the data copy's source kind (``usecases/person_sources``, ``access``)
CATEGORIES = {
    "consents": N_("Your consents"),
    "referrals": N_("Referrals to other services"),
    "drafts": N_("Forms not yet finished"),
    "conflicts": N_("Values entered differently on two laptops"),
    "case_openings": N_("Which parts of your data an integration helper may read"),
}


def _day(hlc: str) -> dt.date:
    moment = dt.datetime.fromtimestamp(Timestamp.parse(hlc).wall_ms / 1000, dt.UTC)
    return moment.astimezone().date()


def consultations(
    session: DbSession, person_id: str, lang: str, device_id: str
) -> list[Consultation]:
    """Every logged access to the person's case, by day, role and purpose, oldest first
    (``device_id``: this laptop's store)."""
    roles = dict(session.execute(select(UserRow.id, UserRow.role)).all())
    # In the order of each group's first entry (the log's clock orders entries of all laptops).
    counted: Counter[tuple[dt.date, str, str]] = Counter()
    rows = session.execute(
        select(
            AuditRow.at,
            AuditRow.user_id,
            AuditRow.action,
            AuditRow.record_kind,
            AuditRow.device_id,
            AuditRow.details,
        )
        .where(AuditRow.record_id.in_(entries_of(session, person_id)))
        .order_by(AuditRow.at)
    ).all()
    for at, user_id, action, kind, made_on, details in rows:
        if action == "merged_away":
            continue  # the same merge as its "merge_kept" entry on the entry kept
        purposes = PURPOSES.get(action, {})
        purpose = purposes.get(kind) or purposes.get("") or OTHER_PURPOSE
        if action == "print":
            purpose = LETTER_OUTPUT_PURPOSES.get(str(_details(details).get("via")), purpose)
        # The role the entry carries (its user's then), else (an entry written before entries
        # carried it) the account's here, if any (``person_data_authors``, as each entry).
        role = role_text(role_in(details) or roles.get(user_id), made_on == device_id)
        counted[_day(at), role, purpose] += 1
    return [
        Consultation(
            format_long_date(day, lang),
            gettext_in(lang, role),
            gettext_in(lang, purpose),
            times,
        )
        for (day, role, purpose), times in counted.items()
    ]


def _details(details: str | None) -> dict[str, object]:
    """An audit entry's details as stored (JSON); {} where unreadable."""
    try:
        loaded = json.loads(details or "{}")
    except ValueError:
        return {}
    return loaded if isinstance(loaded, dict) else {}


def request_facts(
    session: DbSession, person_id: str, answering: tuple[str, dt.date] | None = None
) -> list[dict[str, str]]:
    """The person's requests about their data in the register (a copy, a correction, an
    erasure), the first received first, as the machine-readable copy keeps them: ``kind``,
    ``reference``, ``received`` and ``answered`` (ISO dates; "" while open) and
    ``answer_reason`` (why one was answered by hand, "nothing to correct"; else "").
    ``answering``: the reference and receipt of the request this copy answers; it and every
    other open copy request are answered today (the register closes them once the copy is
    written)."""
    rows = session.execute(
        select(
            DataRequestRow.kind,
            DataRequestRow.reference,
            DataRequestRow.received,
            DataRequestRow.answered,
            DataRequestRow.answer_reason,
        )
        .where(DataRequestRow.person_id == person_id, DataRequestRow.deleted.is_(False))
        .order_by(DataRequestRow.received, DataRequestRow.reference)
    ).all()
    found = [tuple(row) for row in rows]
    if answering is not None and answering[0] not in {row[1] for row in found}:
        # A copy at a request not registered before: the register takes it once written.
        found.append(("copy", answering[0], answering[1].isoformat(), "", ""))
    facts = []
    today = dt.date.today().isoformat()
    for kind, ref, received, answered, reason in found:
        # The copy answers its own request and every open copy request of the person's
        # (``data_rights.record_copy_request``): answered today, as the register will say.
        if answering is not None and kind == "copy" and not answered and received <= today:
            answered = today
        facts.append(
            {
                "kind": kind,
                "reference": ref,
                "received": received,
                "answered": answered,
                # A reason an erasure removed on a laptop where a merge linked the entry to
                # another person meanwhile (the later link won): none to give.
                "answer_reason": "" if reason == REASON_REMOVED else reason,
            }
        )
    return facts


def data_requests(
    session: DbSession, person_id: str, lang: str, answering: tuple[str, dt.date] | None = None
) -> list[RequestEntry]:
    """``request_facts`` as the PDF copy says them in ``lang``: when each was received and
    answered (and why, where answered by hand), or that it is open."""
    return [
        RequestEntry(
            gettext_in(lang, REQUEST_KIND_NAMES.get(f["kind"], f["kind"])),
            f["reference"],
            unbroken(format_long_date(dt.date.fromisoformat(f["received"]), lang)),
            unbroken(format_long_date(dt.date.fromisoformat(f["answered"]), lang))
            if f["answered"]
            else gettext_in(lang, REQUEST_OPEN),
            f["answer_reason"],
        )
        for f in request_facts(session, person_id, answering)
    ]


@dataclass(frozen=True)
class MergeFact:
    """A second entry of the person's joined with theirs: on which day (this laptop's
    calendar), the role of who joined them (None where not known) and whether here."""

    day: dt.date
    role: str | None
    this_laptop: bool


def merge_facts(session: DbSession, person_id: str, device_id: str) -> list[MergeFact]:
    """The entries merged into the person's, the first merged first (``device_id``: this
    laptop's store)."""
    merges = session.execute(
        select(
            PersonMergeRow.updated_hlc,
            PersonMergeRow.merged_id,
            PersonMergeRow.author_id,
            PersonMergeRow.device_id,
        )
        .where(PersonMergeRow.kept_id == person_id, PersonMergeRow.deleted.is_(False))
        .order_by(PersonMergeRow.updated_hlc)
    ).all()
    return [
        MergeFact(_day(hlc), _merge_role(session, merged_id, author, made_on), made_on == device_id)
        for hlc, merged_id, author, made_on in merges
    ]


def merges_json(session: DbSession, person_id: str, device_id: str) -> list[dict[str, object]]:
    """``merge_facts`` as the machine-readable copy keeps them, the same facts the PDF says
    under its sources: ``joined_on`` (ISO date) and ``joined_by`` (``role``, one of
    ``Role``'s values or null where not known, and ``this_laptop``, as ``recorded_by``: never
    a name nor a laptop's)."""
    return [
        {
            "joined_on": m.day.isoformat(),
            "joined_by": {
                "role": m.role if m.role in ROLES else None,
                "this_laptop": m.this_laptop,
            },
        }
        for m in merge_facts(session, person_id, device_id)
    ]


def recipients(
    session: DbSession, person_id: str, lang: str, directory: ServiceDirectory
) -> list[Recipient]:
    """The services the person was referred to: which one got which letter, and when. Not a
    referral a helper prepared that no advisor signed off yet: its letter cannot be printed,
    no service got it (the copy listed it as passed on)."""
    rows = session.execute(
        select(ReferralRow.service_id, ReferralRow.created_at, ReferralRow.reference)
        .where(
            ReferralRow.person_id == person_id,
            ReferralRow.deleted.is_(False),
            or_(ReferralRow.issued_as_draft.is_(False), ReferralRow.signed_off_at != ""),
        )
        .order_by(ReferralRow.created_at)
    ).all()
    found = []
    for service_id, created_at, reference in rows:
        service = directory.find(service_id)
        name = service.name.get(lang) if service else removed_service_name(service_id, lang)
        try:
            day = format_long_date(dt.datetime.fromisoformat(created_at).date(), lang)
        except ValueError:
            day = created_at
        found.append(Recipient(name, day, reference))
    return found


def sources(session: DbSession, person_id: str, lang: str, device_id: str) -> list[str]:
    """Where the data came from, where not from the person in this laptop's sessions."""
    said = [gettext_in(lang, SOURCE_SELF)]
    elsewhere = 0
    for model in (VisitRow, ConsentRow, ReferralRow):
        elsewhere += len(
            session.scalars(
                select(model.id).where(
                    model.person_id == person_id,
                    model.deleted.is_(False),
                    model.device_id != device_id,
                )
            ).all()
        )
    person = session.scalar(select(PersonRow.device_id).where(PersonRow.id == person_id))
    elsewhere += int(person is not None and person != device_id)
    if elsewhere:
        said.append(plural_in(lang, SOURCE_OTHER_LAPTOP, elsewhere).format(count=elsewhere))
    for merge in merge_facts(session, person_id, device_id):
        line = gettext_in(lang, SOURCE_MERGED).format(date=format_long_date(merge.day, lang))
        role = role_text(merge.role, merge.this_laptop)
        by = gettext_in(lang, SOURCE_MERGED_BY).format(role=gettext_in(lang, role))
        said.append(f"{line} {by}")
    if session.scalar(select(ReferralRow.id).where(ReferralRow.person_id == person_id).limit(1)):
        said.append(gettext_in(lang, SOURCE_SERVICES))
    return said


def _merge_role(session: DbSession, merged_id: str, author_id: str, made_on: str) -> str | None:
    """The role the merging user worked with, as the merging laptop's log entry of the merge
    carries it (the log syncs), else their account's here; None where neither is known."""
    logged = session.scalars(
        select(AuditRow.details).where(
            AuditRow.action == "merged_away",
            AuditRow.record_id == merged_id,
            AuditRow.user_id == author_id,
            AuditRow.device_id == made_on,
        )
    ).first()
    role = role_in(logged) if logged is not None else None
    return role or session.scalar(select(UserRow.role).where(UserRow.id == author_id))


def categories(
    collected: Sequence[tuple[str, Sequence[Row]]], forms: Mapping[str, FormDefinition], lang: str
) -> list[str]:
    """The categories of data held, by the parts of the copy that hold entries."""
    found = [gettext_in(lang, CATEGORY_PERSON)]
    health = False
    for kind, rows in collected:
        if not rows:
            continue
        if kind == "visits":
            for form_id in dict.fromkeys(str(r.get("form")) for r in rows):
                form = forms.get(form_id)
                found.append(pick(form.title, lang) if form else form_id)
            health = health or any(_holds_health(r, forms) for r in rows)
        elif kind in CATEGORIES:
            found.append(gettext_in(lang, CATEGORIES[kind]))
    if health:
        found.append(gettext_in(lang, CATEGORY_HEALTH))
    return found


def _holds_health(row: Row, forms: Mapping[str, FormDefinition]) -> bool:
    form, answers = forms.get(str(row.get("form"))), row.get("answers")
    if form is None or not isinstance(answers, Mapping):
        return False
    for field_id, value in answers.items():
        try:
            restricted = form.restriction_of(str(field_id))
        except (KeyError, StopIteration):
            continue
        if restricted == "health" and value not in (None, "", [], {}):
            return True
    return False


def purposes(forms: Mapping[str, FormDefinition], lang: str) -> list[str]:
    """The purposes of processing, as the consent form in force names them."""
    consent = next((f for f in forms.values() if f.text_version), None)
    return [pick(p.label, lang) for p in consent.purposes] if consent else []


def notice(
    session: DbSession,
    person_id: str,
    lang: str,
    *,
    device_id: str,
    collected: Sequence[tuple[str, Sequence[Row]]],
    forms: Mapping[str, FormDefinition],
    directory: ServiceDirectory,
    last_contact: dt.date,
    erase_from: dt.date,
    retention_years: int,
    supervisory_authority: str = "",
    synced: bool = False,
    data_protection_officer: str = "",
    answering: tuple[str, dt.date] | None = None,
) -> DataCopyNotice:
    return DataCopyNotice(
        requests=data_requests(session, person_id, lang, answering),
        purposes=purposes(forms, lang),
        categories=categories(collected, forms, lang),
        recipients=recipients(session, person_id, lang, directory),
        sources=sources(session, person_id, lang, device_id),
        consultations=consultations(session, person_id, lang, device_id),
        last_contact=last_contact,
        erase_from=erase_from,
        retention_years=retention_years,
        supervisory_authority=supervisory_authority,
        synced=synced,
        data_protection_officer=data_protection_officer,
    )
