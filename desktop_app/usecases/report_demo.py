"""Generated visits, referrals, consents and quick contacts over the last 12 months, for demo
reports and letters.

Deterministic for a seed: the same people, day and seed give the same rows. Rows go in with bulk
Core inserts (no outbox entries: demo activity never syncs).
"""

from __future__ import annotations

import datetime as dt
import json
import random
import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import insert, select

from desktop_app.domain.person import nationality_answer
from desktop_app.storage.db import Store
from desktop_app.storage.models import PersonRow, table
from desktop_app.storage.referrals_models import ReferralRow
from desktop_app.storage.visits_models import ConsentRow, QuickContactRow, VisitRow

_TOPICS = (
    ("registration", 18), ("jobcenter", 16), ("kindergeld", 12), ("health_insurance", 12),
    ("health_care", 6), ("housing", 10), ("work", 12), ("labour_rights", 5),
    ("school_daycare", 7), ("language_course", 6), ("recognition", 2), ("debts", 3), ("other", 3),
)  # fmt: skip
# Postal codes weighted as newcomers from Bulgaria and Romania live in Dortmund: most in the
# Nordstadt, some in the west and east of the centre, few elsewhere; a few outside or unstated.
_POSTCODES = (
    ("44145", 26), ("44147", 24), ("44137", 6), ("44135", 5), ("44149", 5), ("44139", 3),
    ("44141", 2), ("44339", 5), ("44328", 4), ("44309", 3), ("44319", 2), ("44287", 1),
    ("44263", 2), ("44225", 1), ("44379", 3), ("44369", 3), ("44359", 2), ("44357", 2),
    ("44532", 1), ("", 2),
)  # fmt: skip
_INSURANCE_FIRST = (("none", 30), ("unclear", 20), ("ehic", 20), ("statutory", 28), ("private", 2))
_INSURANCE_LATER = (("none", 12), ("unclear", 8), ("ehic", 15), ("statutory", 63), ("private", 2))
_NATIONALITY = (
    ("bulgarian", 45), ("romanian", 40), ("other_eu", 8), ("non_eu", 4), ("stateless_unclear", 1),
    ("", 2),
)  # fmt: skip
_GERMAN = (("A1", 30), ("A2", 22), ("B1", 14), ("B2", 6), ("C1", 2), (None, 26))
_STEPS = (
    ("integration_course", 40), ("literacy_course", 15), ("job_centre_registration", 20),
    ("recognition_advice", 8), ("vocational_training", 10), ("school_certificate", 7),
)  # fmt: skip
_LIFE_STEPS = (("health_clearing", 30), ("address_registration", 20))
_HOUSING = (
    ("own_rental", 25), ("sublet", 25), ("shared_overcrowded", 25), ("with_relatives", 15),
    ("emergency_shelter", 10),
)  # fmt: skip
_REGISTRATION = (("registered", 60), ("appointment", 10), ("not_registered", 25), ("unknown", 5))
# Daycare or school of a child in the household, by age (the choices of the form's child_care).
_CARE = (
    (3, (("too_young", 6), ("daycare", 2), ("waiting_daycare", 2))),
    (6, (("daycare", 5), ("waiting_daycare", 4), ("no_place", 1))),
    (16, (("school", 6), ("waiting_school", 3), ("no_place", 1))),
    (18, (("school", 5), ("training_work", 4), ("waiting_school", 1))),
)  # fmt: skip
_SERVICES = (
    ("jobcenter", "buergergeld", 20), ("clearingstelle", "health_insurance", 16),
    ("familienkasse", "kindergeld", 12), ("vhs", "integration_course", 12),
    ("wohnungsnotfallhilfe", "housing_emergency", 8), ("gesundheitsamt", "medical_care", 8),
    ("schulverwaltungsamt", "school_place", 8), ("faire_mobilitaet", "labour_exploitation", 6),
    ("caritas_migration", "migration_advice", 5), ("jugendamt", "family_support", 3),
    ("mitternachtsmission", "trafficking", 1), ("awo_migration", "migration_advice", 1),
    ("citizens_office", "address_registration", 6), ("employment_agency", "job_search", 3),
    ("recognition_advice", "recognition", 2),
)  # fmt: skip


def _pick(rng: random.Random, weighted: Sequence[tuple[Any, ...]]) -> Any:
    total = sum(w[-1] for w in weighted)
    x = rng.random() * total
    for item in weighted:
        x -= item[-1]
        if x < 0:
            return item[0] if len(item) == 2 else item[:-1]
    return weighted[-1][0] if len(weighted[-1]) == 2 else weighted[-1][:-1]


@dataclass(frozen=True)
class DemoActivity:
    """Row dicts ready for Core inserts into visits, referrals and quick_contacts."""

    visits: list[dict[str, Any]]
    referrals: list[dict[str, Any]]
    quick_contacts: list[dict[str, Any]]
    consents: list[dict[str, Any]] = field(default_factory=list)


def _sync(
    rng: random.Random, hlc: str, devices: Sequence[str], authors: Sequence[str]
) -> dict[str, Any]:
    i = int(rng.random() * len(devices))
    return {
        "id": str(uuid.UUID(int=rng.getrandbits(128), version=4)),
        "revision": 1,
        "updated_hlc": hlc,
        "device_id": devices[i],
        "author_id": authors[i % len(authors)],
        "deleted": False,
        "field_clocks": "{}",
    }


def _life_answers(
    rng: random.Random, person: dict[str, Any], first: bool, day: dt.date, facts: random.Random
) -> dict[str, Any]:
    """The answers of a life-situation visit; ``facts`` draws what only letters use (housing,
    address registration, the children's daycare or school), from a generator of its own so
    that the figures of the reports stay as they were."""
    kids = person["children"]
    answers: dict[str, Any] = {
        "nationality": person["nationality"] or "stateless_unclear",
        "postal_code": person["postal_code"],
        "children_count": kids,
        "insurance_status": _pick(rng, _INSURANCE_FIRST if first else _INSURANCE_LATER),
        "session_language": "bg" if person["nationality"] == "bulgarian" else "ro",
        "topics": sorted({_pick(rng, _TOPICS) for _ in range(1 + int(rng.random() * 3))}),
        "urgency": _pick(rng, (("today", 1), ("this_week", 3), ("routine", 6))),
    }
    # the form asks for no postal code of a homeless person
    answers["housing_type"] = _pick(facts, _HOUSING) if answers["postal_code"] else "homeless"
    answers["address_registration"] = _pick(facts, _REGISTRATION)
    if not answers["postal_code"]:
        del answers["postal_code"]
    if kids:
        drawn = [
            {
                "child_birth": str(day.year - 1 - int(rng.random() * 17)),
                "child_lives": "with_person" if rng.random() < 0.85 else "home_country",
            }
            for _ in range(kids)
        ]
        # The same children at every visit (born in the same years); drawn each time all the
        # same, so that the rest of the activity stays as it was.
        answers["children"] = [dict(c) for c in person.setdefault("children_drawn", drawn)]
        for child in answers["children"]:
            if child["child_lives"] == "with_person":
                age = day.year - int(child["child_birth"])
                # (17 at the first visit, 18 at a later one: still at school or in training)
                care = next((c for below, c in _CARE if age < below), _CARE[-1][1])
                child["child_care"] = _pick(facts, care)
    return answers


def _date_the_card(
    answers: dict[str, Any], person: dict[str, Any], day: dt.date, rng: random.Random
) -> None:
    """The date on the person's EHIC (one card per person, dated at the first visit naming it):
    some had expired by that visit, most run for a year or two more, some went unrecorded; a
    later visit may find the same card expired."""
    if "ehic_until" not in person:
        x = rng.random()
        offset = int(-400 * rng.random()) if x < 0.25 else int(30 + 900 * rng.random())
        person["ehic_until"] = None if x > 0.9 else day + dt.timedelta(days=offset)
    if person["ehic_until"] is not None:
        answers["ehic_valid_until"] = person["ehic_until"].isoformat()


def generate_activity(
    person_ids: Sequence[str],
    today: dt.date,
    *,
    seed: int = 1,
    visits_per_person: float = 3.0,
    devices: Sequence[str] = ("demo-laptop-1", "demo-laptop-2"),
    authors: Sequence[str] = ("demo",),
    nationalities: Sequence[str] | None = None,
) -> DemoActivity:
    """Visits of the given people spread over the 12 months up to ``today`` (more in later
    months, as a new advice centre grows), with referrals and anonymous quick contacts, and
    each person's consent form from their first visit (see ``_consents``).

    ``nationalities``: each person's recorded nationality (ISO code, "" for none), in the order
    of ``person_ids``; their visits answer accordingly. Without it, one is drawn per person."""
    rng = random.Random(seed)
    # consents from a generator of their own: the visits and referrals stay as they were
    consent_rng = random.Random(f"consents-{seed}")
    facts_rng = random.Random(f"facts-{seed}")
    # the dates on the EHICs too (the figures drawn before them stay as they were)
    ehic_rng = random.Random(f"ehic-{seed}")
    # the times of the status steps too (the report figures read only the statuses)
    history_rng = random.Random(f"history-{seed}")
    consents: list[dict[str, Any]] = []
    r = rng.random
    start = today - dt.timedelta(days=364)
    visits: list[dict[str, Any]] = []
    referrals: list[dict[str, Any]] = []
    quick: list[dict[str, Any]] = []
    hlc = f"{dt.datetime(today.year, today.month, today.day, tzinfo=dt.UTC).timestamp():.0f}"
    for number, pid in enumerate(person_ids):
        drawn = _pick(rng, _NATIONALITY)  # drawn all the same: the rest stays as it was
        person = {
            # A Romanian's check answered "stateless_unclear" (drawn, not the record's).
            "nationality": drawn
            if nationalities is None
            else nationality_answer(nationalities[number]),
            "postal_code": _pick(rng, _POSTCODES),
            "children": 0 if r() < 0.45 else 1 + int(r() * r() * 5),
        }
        # first visit: growing intake, the square root skews it towards recent months
        offset = int((r() ** 0.7) * 364)
        day = start + dt.timedelta(days=offset)
        n = max(1, int(rng.expovariate(1 / visits_per_person) + 0.5))
        first = True
        referred: list[str] = []  # services, for the consent to pass data on
        for _ in range(n):
            if day > today:
                break
            at = dt.datetime(day.year, day.month, day.day, 9 + int(r() * 8), int(r() * 60))
            stamp = at.replace(tzinfo=dt.UTC).isoformat()
            skills = not first and r() < 0.25
            row = _sync(rng, hlc, devices, authors)
            if skills:
                level = _pick(rng, _GERMAN)
                levels: list[dict[str, Any]] = [
                    {"language": "bg" if person["nationality"] == "bulgarian" else "ro",
                     "level": {"level": "C2", "assessed": "self"}}
                ]  # fmt: skip
                if level is not None:
                    levels.append({"language": "de", "level": {"level": level, "assessed": "self"}})
                answers: dict[str, Any] = {"language_levels": levels}
                steps = {
                    _pick(rng, _STEPS): "accepted" if r() < 0.6 else "dismissed"
                    for _ in range(1 + int(r() * 2))
                }
            else:
                answers = _life_answers(rng, person, first, day, facts_rng)
                if answers["insurance_status"] == "ehic":
                    _date_the_card(answers, person, day, ehic_rng)
                steps = {}
                if answers["insurance_status"] in ("none", "unclear"):
                    steps["health_clearing"] = "accepted" if r() < 0.7 else "dismissed"
            row.update(
                person_id=pid,
                form_id="skills_check" if skills else "life_situation",
                form_version=1,
                answers=json.dumps(answers, ensure_ascii=False, sort_keys=True),
                next_steps=json.dumps(steps, sort_keys=True),
                status="finished",
                started_at=stamp,
                finished_at=stamp,
            )
            visits.append(row)
            if not skills and r() < 0.45:
                service, reason = _pick(rng, _SERVICES)
                age = (today - day).days
                x = r()
                if age < 14:
                    status = "issued" if x < 0.6 else "appointment_made"
                elif x < 0.55:
                    status = "attended" if r() < 0.5 else "outcome_noted"
                elif x < 0.75:
                    status = "closed"
                else:
                    status = "appointment_made" if r() < 0.5 else "issued"
                went = status == "closed" and r() < 0.6
                history = _status_steps(history_rng, status, went, at, today)
                # "Outcome noted" has one written (the status dialog asks for it); picked in
                # turn, so the demo's figures drawn after it stay as they were
                outcome = (
                    _OUTCOMES[len(referrals) % len(_OUTCOMES)] if status == "outcome_noted" else ""
                )
                history[-1]["outcome"] = outcome
                ref = _sync(rng, hlc, devices, authors)
                ref.update(
                    person_id=pid,
                    service_id=service,
                    reason=reason,
                    reason_note="",
                    created_at=at.isoformat(),
                    reference=f"WD-DEMO-{len(referrals):08d}",
                    advisor_name="Demo",
                    # issued by an advisor, so signed off as it was made (the referrals tab
                    # said "awaiting sign-off" beside closed ones)
                    signed_off_by="Demo",
                    signed_off_at=at.isoformat(),
                    appointment=_demo_appointment(history_rng, history),
                    contact_person="",
                    documents="[]",
                    client_lang="bg" if person["nationality"] == "bulgarian" else "ro",
                    status=status,
                    follow_up=(day + dt.timedelta(days=14)).isoformat(),
                    outcome=outcome,
                    status_changed_at=history[-1]["at"],
                    status_history=json.dumps(history),
                )
                referrals.append(ref)
                referred.append(service)
            if first:
                first_visit = (day, "bg" if person["nationality"] == "bulgarian" else "ro")
            first = False
            day += dt.timedelta(days=7 + int(r() * 60))
        if not first:
            consents += _consents(consent_rng, pid, *first_visit, referred, hlc, devices, authors)
    # quick contacts: about one per working day, more in later months
    day = start
    while day <= today:
        if day.weekday() < 5:
            growth = 0.5 + (day - start).days / 364
            for _ in range(int(r() * 3 * growth)):
                q = _sync(rng, hlc, devices, authors)
                q.update(
                    contact_date=day.isoformat(),
                    session_language="bg" if r() < 0.5 else "ro",
                    topics=json.dumps(
                        sorted({_pick(rng, _TOPICS) for _ in range(1 + int(r() * 2))})
                    ),
                    referral_given=r() < 0.3,
                    nationality=_pick(rng, _NATIONALITY),
                    sex=("female", "male")[int(r() * 2)],
                )
                quick.append(q)
        day += dt.timedelta(days=1)
    return DemoActivity(visits, referrals, quick, consents)


#: What advisors note as a referral's outcome (in German, as they write them for colleagues).
_OUTCOMES = (
    "Antrag gestellt, Bescheid steht noch aus.",
    "Termin wahrgenommen, Unterlagen werden nachgereicht.",
    "Kursplatz zugesagt, Beginn im nächsten Monat.",
    "Krankenversicherung geklärt, Versichertenkarte beantragt.",
    "Beratung erfolgt, derzeit kein weiterer Bedarf.",
    "Anmeldung erledigt, Bestätigung liegt vor.",
)


def _status_steps(
    rng: random.Random, status: str, went: bool, issued: dt.datetime, today: dt.date
) -> list[dict[str, Any]]:
    """A referral's status history up to ``status``, each step as the status dialog records
    it, in order, at plausible times after the issue and not after ``today``: the appointment
    a few days after the letter, the visit there within weeks, the outcome a few days later.
    A closed referral went there (``went``: attended first) or was closed without a visit,
    sometimes after an appointment was made."""
    if status == "closed":
        steps = (
            ["appointment_made", "attended"]
            if went
            else (["appointment_made"] if rng.random() < 0.4 else [])
        )
        steps.append("closed")
    else:
        order = ["appointment_made", "attended", "outcome_noted"]
        steps = order[: order.index(status) + 1] if status in order else []
    gaps = {"appointment_made": (1, 5), "attended": (3, 21), "outcome_noted": (0, 7),
            "closed": (1, 14)}  # fmt: skip
    latest = dt.datetime(today.year, today.month, today.day, 18, 0)
    history = [{"status": "issued", "at": issued.isoformat(), "by": "Demo", "outcome": ""}]
    at = issued
    for step in steps:
        low, high = gaps[step]
        day = at.date() + dt.timedelta(days=low + int(rng.random() * (high - low + 1)))
        later = dt.datetime(day.year, day.month, day.day, 9 + int(rng.random() * 8),
                            int(rng.random() * 60))  # fmt: skip
        if later <= at or later > latest:
            # a recent letter: the steps follow within the hour, still in order
            later = at + dt.timedelta(minutes=5 + int(rng.random() * 25))
        at = later
        history.append({"status": step, "at": at.isoformat(), "by": "Demo", "outcome": ""})
    return history


def _demo_appointment(rng: random.Random, history: list[dict[str, Any]]) -> str:
    """The appointment of a referral whose history has one made: the day the person went there
    where they did, else a working morning or afternoon 3 to 14 days after it was made
    (stored as ``change_status`` stores it, to the minute). Without one: none."""
    made = [h for h in history if h["status"] == "appointment_made"]
    if not made:
        return ""
    attended = [h for h in history if h["status"] == "attended"]
    if attended:
        # That day at an office's usual time (on the hour or half hour, 8:00 to 15:30) before
        # the visit was noted and after the appointment was made: the noting time itself
        # showed appointments at 13:43.
        went = dt.datetime.fromisoformat(attended[0]["at"]).replace(second=0, microsecond=0)
        after = dt.datetime.fromisoformat(made[0]["at"])
        slots = [went.replace(hour=h, minute=m) for h in range(8, 16) for m in (0, 30)]
        fitting = [s for s in slots if after <= s <= went]
        if fitting:
            return fitting[-1].isoformat()
        quarter = went.replace(minute=went.minute - went.minute % 15)
        return (quarter if quarter >= after else went).isoformat()
    day = dt.datetime.fromisoformat(made[0]["at"]).date()
    day += dt.timedelta(days=3 + int(rng.random() * 12))
    while day.weekday() >= 5:
        day += dt.timedelta(days=1)
    hour = (8, 9, 10, 11, 14, 15)[int(rng.random() * 6)]
    return dt.datetime(
        day.year, day.month, day.day, hour, (0, 30)[int(rng.random() * 2)]
    ).isoformat()


# Consent form purposes (resources/forms/consent.yaml)
_CONSENT_PURPOSES = ("advice", "central_storage", "referral_sharing")


def consent_text_version(day: dt.date) -> str:
    """The consent text in force on ``day``. A text version names the month it was written
    ("2026-11-1": the first text of November 2026) and carries no other date, so it is taken
    to be in force from the first of that month until the next; a consent dated before the
    earliest version gets the earliest text (the demo's year reaches back before it)."""
    from desktop_app.usecases.visits import CONSENT_FORM, shipped_forms

    form = shipped_forms()[CONSENT_FORM]
    names = [e.text_version for e in form.earlier_texts]
    if form.text_version:
        names.append(form.text_version)

    def starts(name: str) -> tuple[int, int, int]:
        year, month, *number = (int(part) for part in name.split("-"))
        return (year, month, number[0] if number else 1)

    ordered = sorted(names, key=starts)
    in_force = [n for n in ordered if starts(n)[:2] <= (day.year, day.month)]
    return in_force[-1] if in_force else ordered[0]


def _consents(
    rng: random.Random,
    person_id: str,
    day: dt.date,
    lang: str,
    referred: Sequence[str],
    hlc: str,
    devices: Sequence[str],
    authors: Sequence[str],
) -> list[dict[str, Any]]:
    """The consent form filled in at a person's first visit: advice and storage given; passing
    data on to a service given by most (naming the services they were referred to), refused by
    about one in eight, whose referral letters then print the person's sheet only."""
    from desktop_app.letters.directory import default_directory

    directory = default_directory()
    sharing = rng.random() >= 0.12
    oral = rng.random() < 0.15
    names = []
    for service_id in dict.fromkeys(referred):
        service = directory.find(service_id)
        names.append(service.german_name if service is not None else service_id)
    if not names:
        # The form requires a service where passing data on is agreed: one named by none
        # showed as "agreed … to: —" in the refer dialog. Not drawn from ``rng``, so that the
        # rest of the generated data stays as it was for every seed.
        jobcenter = directory.find("jobcenter")
        names.append(jobcenter.german_name if jobcenter is not None else "Jobcenter")
    rows = []
    for purpose in _CONSENT_PURPOSES:
        row = _sync(rng, hlc, devices, authors)
        granted = sharing if purpose == "referral_sharing" else True
        row.update(
            person_id=person_id,
            purpose=purpose,
            granted=granted,
            text_version=consent_text_version(day),
            language=lang,
            given_on=day.isoformat(),
            how="oral" if oral else "signed",
            witness="Demo" if oral else "",
            shared_with=", ".join(names)[:300] if purpose == "referral_sharing" and granted else "",
        )
        rows.append(row)
    return rows


def insert_activity(store: Store, activity: DemoActivity, chunk: int = 20_000) -> None:
    """Bulk-insert generated rows (one transaction; no outbox: demo rows never sync)."""
    with store.transaction() as session:
        conn = session.connection()
        for model, rows in (
            (VisitRow, activity.visits),
            (ReferralRow, activity.referrals),
            (QuickContactRow, activity.quick_contacts),
            (ConsentRow, activity.consents),
        ):
            for i in range(0, len(rows), chunk):
                conn.execute(insert(table(model)), rows[i : i + chunk])


def add_demo_activity(
    store: Store, author_id: str, *, today: dt.date | None = None, seed: int = 1
) -> DemoActivity:
    """Generate and store a year of activity for the people already in ``store``."""
    with store.reading() as session:
        rows = session.execute(
            select(PersonRow.id, PersonRow.nationality).order_by(PersonRow.pk)
        ).all()
    activity = generate_activity(
        [row.id for row in rows],
        today or dt.date.today(),
        seed=seed,
        devices=(store.device_id, "demo-laptop-2"),
        authors=(author_id,),
        nationalities=[row.nationality for row in rows],
    )
    insert_activity(store, activity)
    return activity
