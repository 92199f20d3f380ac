"""Report facts stay right on every write path, and reports are for coordinators only.

The facts (``report_visit_facts``, ``report_persons``) are kept by SQL triggers; these tests write
visits the ways the app does — saving and editing through the use case, bulk demo inserts,
erasure of a person, the migration's backfill — and compare the facts with the visits' answers.
"""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select, text

from desktop_app.domain.permissions import PermissionDenied
from desktop_app.domain.person import PersonDraft
from desktop_app.domain.users import Role
from desktop_app.storage import db as storage_db
from desktop_app.storage.audit_models import AuditRow
from desktop_app.storage.models import table
from desktop_app.storage.reports_models import ReportFactRow, ReportPersonRow
from desktop_app.storage.visits_models import VisitRow
from desktop_app.usecases import accounts, data_rights, visits
from desktop_app.usecases import people as people_uc
from desktop_app.usecases.people import list_people, register_many
from desktop_app.usecases.report_demo import add_demo_activity
from desktop_app.usecases.reports import (
    AdvisorChoice,
    ReportFilter,
    build_report,
    cases_behind,
    filter_choices,
    parse_period,
)
from tests.conftest import downgrade_store
from tests.unit.test_report_ehic import expected_ehic
from tests.unit.test_visits import consent_answers, full_life_situation

TODAY = dt.date.today()
THIS_YEAR = parse_period(str(TODAY.year))


def _people(session: Any, *names: str) -> list[str]:
    register_many(
        session.store,
        session.user,
        [PersonDraft(n, "Testperson", "1980", nationality="BG") for n in names],
    )
    by_name = {e.given_name: e.id for e in list_people(session.store, 0, 100)}
    return [by_name[n] for n in names]


def _finish(session: Any, person: str, answers: dict[str, Any], **kw: Any) -> visits.Visit:
    visits.record_consent(session.store, session.user, person, consent_answers(), today=TODAY)
    return visits.finish_visit(
        session.store, session.user, person, "life_situation", answers, today=TODAY, **kw
    )


def _facts(store: Any) -> dict[str, dict[str, Any]]:
    with store.reading() as s:
        return {r.visit_id: r._asdict() for r in s.execute(select(table(ReportFactRow)))}


def _persons(store: Any) -> dict[str, dict[str, Any]]:
    with store.reading() as s:
        return {r.person_id: r._asdict() for r in s.execute(select(table(ReportPersonRow)))}


def _expected_fact(row: VisitRow) -> dict[str, Any]:
    """The fact of a visit worked out in Python from its answers, as the reports define it."""
    answers = json.loads(row.answers)
    life = row.form_id == "life_situation"
    german = next(
        (
            entry["level"]["level"]
            for entry in answers.get("language_levels", [])
            if entry.get("language") == "de"
        ),
        "none",
    )
    code = answers.get("postal_code")
    return {
        "day": int(row.finished_at[:10].replace("-", "")),
        "month": int(row.finished_at[:7].replace("-", "")),
        "finished_at": row.finished_at,
        "form_id": row.form_id,
        "device_id": row.device_id,
        "author_id": row.author_id,
        "postal_code": None if not life or code is None else str(code),
        "insurance": answers.get("insurance_status") if life else None,
        "has_children": int(life and (answers.get("children_count") or 0) > 0),
        "children_here": sum(
            c.get("child_lives") == "with_person" for c in answers.get("children", [])
        )
        if life
        else 0,
        "topics": answers["topics"] if life and "topics" in answers else None,
        "german_level": german if row.form_id == "skills_check" else None,
        "next_steps": json.loads(row.next_steps) if row.next_steps not in ("", "{}") else None,
        "ehic": expected_ehic(row),
    }


def _assert_facts_match_visits(store: Any) -> None:
    facts = _facts(store)
    persons = {p["key"]: pid for pid, p in _persons(store).items()}
    with store.reading() as s:
        rows = list(s.scalars(select(VisitRow).where(VisitRow.deleted.is_(False))))
    assert set(facts) == {r.id for r in rows}
    first_days: dict[str, int] = {}
    answers: dict[str, list[tuple[str, str]]] = {}
    lives: dict[str, tuple[Any, ...]] = {}
    for row in rows:
        fact = dict(facts[row.id])
        assert persons[fact.pop("person_key")] == row.person_id
        fact.pop("visit_id")
        for key in ("topics", "next_steps"):
            fact[key] = None if fact[key] is None else json.loads(fact[key])
        assert fact == _expected_fact(row), row.id
        day = fact["day"]
        first_days[row.person_id] = min(first_days.get(row.person_id, day), day)
        if fact["insurance"] is not None:
            answers.setdefault(row.person_id, []).append((row.finished_at, fact["insurance"]))
        if row.form_id == "life_situation":
            latest = (row.finished_at, fact["postal_code"], fact["has_children"])
            lives[row.person_id] = max(lives.get(row.person_id, latest), latest)
    stored = _persons(store)
    assert {pid: p["first_day"] for pid, p in stored.items()} == first_days
    grouped = "month, device_id, author_id, form_id"
    with store.reading() as s:
        counted = set(
            s.execute(
                text(
                    f"SELECT {grouped}, topics, german_level, next_steps, visits "
                    "FROM report_month_answers"
                )
            )
        )
        regrouped = set(
            s.execute(
                text(
                    f"SELECT {grouped}, coalesce(topics, ''), coalesce(german_level, ''), "
                    f"coalesce(next_steps, ''), count(*) FROM report_visit_facts "
                    f"GROUP BY {grouped}, topics, german_level, next_steps"
                )
            )
        )
    assert counted == regrouped
    for pid, p in stored.items():
        given = sorted(answers.get(pid, []))
        first, last = (given[0], given[-1]) if given else ((None, None), (None, None))
        assert (p["first_insurance_at"], p["first_insurance"]) == first
        assert (p["last_insurance_at"], p["last_insurance"]) == last
        life = (p["last_life_at"], p["last_life_postal_code"], p["last_life_has_children"])
        assert life == lives.get(pid, (None, None, None))


def test_saving_a_visit_fills_its_facts_in_the_same_transaction(session: Any) -> None:
    (maria,) = _people(session, "Maria")
    answers = {**full_life_situation(), "postal_code": "44145", "topics": ["jobcenter", "work"]}
    visit = _finish(session, maria, answers, next_steps={"health_clearing": "accepted"})
    facts = _facts(session.store)
    assert set(facts) == {visit.id}
    fact = facts[visit.id]
    assert (fact["postal_code"], fact["insurance"], fact["children_here"]) == ("44145", "none", 1)
    assert json.loads(fact["topics"]) == ["jobcenter", "work"]
    _assert_facts_match_visits(session.store)
    report = build_report(session.store, session.user, THIS_YEAR)
    assert report.table("overview").value("people_advised") == 1
    assert report.table("overview").value("children_in_households") == 1
    assert report.table("district").as_dict() == {"innenstadt_nord": 1}
    assert report.table("topics").as_dict() == {"jobcenter": 1, "work": 1}
    assert report.table("next_steps").as_dict() == {"health_clearing": 1}


def test_editing_a_visit_replaces_its_facts(session: Any) -> None:
    (maria,) = _people(session, "Maria")
    first = _finish(session, maria, {**full_life_situation(), "postal_code": "44145"})
    changed = {
        **full_life_situation(),
        "postal_code": "44532",  # outside the city now
        "insurance_status": "statutory",
        "topics": ["housing"],
        "children_count": 0,
        "children": [],
    }
    second = visits.edit_visit(session.store, session.user, first.id, changed, today=TODAY)
    assert second.revision == 2
    facts = _facts(session.store)
    assert list(facts) == [first.id]  # still one fact: the visit's current revision
    assert (facts[first.id]["postal_code"], facts[first.id]["insurance"]) == ("44532", "statutory")
    _assert_facts_match_visits(session.store)
    report = build_report(session.store, session.user, THIS_YEAR)
    assert report.table("district").as_dict() == {"outside": 1}
    assert report.table("topics").as_dict() == {"housing": 1}
    assert report.table("overview").value("households_with_children") == 0
    assert report.table("insurance").as_dict(1) == {"statutory": 1}


def test_generated_activity_soft_deletes_and_erasure_keep_the_facts_right(session: Any) -> None:
    ids = _people(session, *(f"P{i}" for i in range(30)))
    add_demo_activity(session.store, session.user.id, today=TODAY, seed=3)
    _assert_facts_match_visits(session.store)
    # a tombstone (as sync writes one) takes the visit's fact away
    with session.store.transaction() as s:
        row = s.scalars(select(VisitRow).where(VisitRow.person_id == ids[0])).first()
        assert row is not None
        row.deleted, row.answers = True, "{}"
        gone = row.id
    assert gone not in _facts(session.store)
    _assert_facts_match_visits(session.store)
    # erasure removes the person's facts and their report key
    data_rights.erase_person(session.store, session.user, ids[1])
    assert ids[1] not in _persons(session.store)
    _assert_facts_match_visits(session.store)
    year = parse_period(f"{TODAY.year - 1}-{TODAY.month:02d}-01..{TODAY.isoformat()}")
    report = build_report(session.store, session.user, year)
    cases = cases_behind(session.store, session.user, year, None, "overview", "people_advised")
    assert cases is not None  # the figure counts people
    names = {c.person_id for c in cases}
    assert ids[1] not in names
    assert report.table("overview").value("people_advised") == len(names)


def test_backfill_of_a_store_from_before_the_facts(data_dir: Path, session: Any) -> None:
    ids = _people(session, *(f"P{i}" for i in range(12)))
    downgrade_store(session.store, "referral_signoff")
    # visits written while the store had no facts (no triggers)
    add_demo_activity(session.store, session.user.id, today=TODAY, seed=4)
    with session.store.reading() as s:
        assert s.scalar(select(VisitRow.id).limit(1)) is not None
    storage_db.migrate(session.store.engine)
    assert len(_persons(session.store)) <= len(ids)
    _assert_facts_match_visits(session.store)


# --------------------------------------------------------------------------------------------
# Reports are for coordinators


@pytest.mark.parametrize("role", [Role.HELPER, Role.ADVISOR])
def test_helpers_and_advisors_are_refused_reports_and_cases(
    session: Any, data_dir: Path, role: Role
) -> None:
    (maria,) = _people(session, "Maria")
    _finish(session, maria, full_life_situation())
    accounts.add_user(session, "mihai", "Mihai", role, "their own pass 1")
    other = accounts.log_in(data_dir, "mihai", "their own pass 1")
    try:
        with pytest.raises(PermissionDenied):
            build_report(other.store, other.user, THIS_YEAR)
        with pytest.raises(PermissionDenied):
            filter_choices(other.store, other.user)
        with pytest.raises(PermissionDenied):
            cases_behind(other.store, other.user, THIS_YEAR, None, "overview", "people_advised")
    finally:
        other.close()


def test_listing_the_cases_behind_a_figure_is_audited(session: Any) -> None:
    (maria,) = _people(session, "Maria")
    _finish(session, maria, full_life_situation())
    cases = cases_behind(session.store, session.user, THIS_YEAR, None, "overview", "people_advised")
    assert cases is not None  # the figure counts people
    assert [c.person_id for c in cases] == [maria]
    with session.store.reading() as s:
        entry = s.scalars(select(AuditRow).where(AuditRow.record_kind == "report_cases")).one()
    assert (entry.user_id, entry.action) == (session.user.id, "view")
    details = json.loads(entry.details)
    assert details == {
        "period": THIS_YEAR.text,
        "figure": "overview",
        "row": "people_advised",
        "people": 1,
        "user_role": "coordinator",  # who listed them, by role (``audit.ROLE_KEY``)
    }
    assert "Maria" not in entry.details
    assert filter_choices(session.store, session.user).advisors == (
        AdvisorChoice(session.user.id, session.user.display_name),
    )


def test_a_list_of_cases_listed_anew_logs_a_view_only_of_the_people_it_did_not_show(
    session: Any,
) -> None:
    """An open list is listed anew after each sync: the people shown before are no new view
    (audit entries sync too: two laptops would log each other's views without end)."""
    (maria,) = _people(session, "Maria")
    _finish(session, maria, full_life_situation())

    def entries() -> list[dict[str, Any]]:
        with session.store.reading() as s:
            rows = s.scalars(select(AuditRow).where(AuditRow.record_kind == "report_cases"))
            return [json.loads(row.details) for row in rows]

    args = (session.store, session.user, THIS_YEAR, None, "overview", "people_advised")
    cases_behind(*args, logged={maria})
    assert entries() == []
    (ion,) = _people(session, "Ion")
    _finish(session, ion, full_life_situation())
    cases = cases_behind(*args, logged={maria})
    assert cases is not None and {c.person_id for c in cases} == {maria, ion}
    assert [e["people"] for e in entries()] == [1]  # Ion, newly shown


def _periods(today: dt.date) -> list[Any]:
    """Every month of the last year, the quarters, the year and two ranges cutting months."""
    out = []
    y, m = today.year - 1, today.month
    for _ in range(13):
        out.append(parse_period(f"{y}-{m:02d}"))
        y, m = (y + 1, 1) if m == 12 else (y, m + 1)
    out += [parse_period(f"{today.year}-Q{q}") for q in range(1, 5)]
    out.append(parse_period(str(today.year)))
    a, b = today - dt.timedelta(days=200), today - dt.timedelta(days=17)
    out.append(parse_period(f"{a.isoformat()}..{b.isoformat()}"))
    return out


def test_figures_agree_whether_read_from_the_person_keys_or_looked_up(session: Any) -> None:
    """A filter matching every visit sends every person through the look-up of their facts in
    the period; without it most come from their report key row. Both must count the same, also
    for past periods after which people came again."""
    _people(session, *(f"P{i}" for i in range(40)))
    add_demo_activity(session.store, session.user.id, today=TODAY, seed=8)
    everyone = ReportFilter(author_id=session.user.id)
    looked_at = 0
    for period in _periods(TODAY):
        plain = build_report(session.store, session.user, period, as_of=TODAY)
        filtered = build_report(session.store, session.user, period, everyone, as_of=TODAY)
        for key in ("overview", "nationality", "district", "insurance", "topics", "trend"):
            assert plain.table(key).rows == filtered.table(key).rows, (period.text, key)
        looked_at += plain.table("overview").value("people_advised")
    assert looked_at > 40  # the periods are not empty
    # whole months come from the monthly counts, cut months from the facts: they add up
    for period in _periods(TODAY)[:13]:
        middle = period.start + dt.timedelta(days=13)
        halves = [
            parse_period(f"{a.isoformat()}..{b.isoformat()}")
            for a, b in ((period.start, middle), (middle + dt.timedelta(days=1), period.end))
        ]
        for key in ("topics", "german_levels", "next_steps", "referrals"):
            whole = build_report(session.store, session.user, period, as_of=TODAY).table(key)
            summed: dict[str, list[int]] = {}
            for half in halves:
                for row in build_report(session.store, session.user, half).table(key).rows:
                    acc = summed.setdefault(row.key, [0] * len(row.values))
                    for i, v in enumerate(row.values):
                        acc[i] += v
            assert {r.key: list(r.values) for r in whole.rows} == summed, (period.text, key)


def test_a_persons_nationality_follows_their_record(session: Any) -> None:
    (maria,) = _people(session, "Maria")
    _finish(session, maria, full_life_situation())
    assert build_report(session.store, session.user, THIS_YEAR).table("nationality").as_dict() == {
        "bulgarian": 1
    }
    person = people_uc.get_person(session.store, session.user, maria)
    assert person is not None
    values = people_uc.person_values(person)
    values["nationality"] = "RO"
    languages = tuple(c for c in values.pop("languages").split(",") if c)
    people_uc.update_person(
        session.store, session.user, maria, PersonDraft(**values, languages=languages)
    )
    assert build_report(session.store, session.user, THIS_YEAR).table("nationality").as_dict() == {
        "romanian": 1
    }
