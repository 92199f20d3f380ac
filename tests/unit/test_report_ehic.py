"""The report facts say whether a person's EHIC had expired on the day of each visit (migration
``report_ehic``), on every write path, after erasure and in a store upgraded from 0037.

The fact is worked out by SQL triggers; these tests write visits as sync and the demo write
them (straight into ``visits``, any answers a laptop may hold) and as the use cases do, and
compare each fact with what ``LifeFacts`` (the referral letters' and the person page's reading
of the same answers) says for the visit's day.
"""

from __future__ import annotations

import datetime as dt
import json
import uuid
from pathlib import Path
from typing import Any

from sqlalchemy import func, insert, select, text, update

from desktop_app.domain.life_facts import LifeFacts
from desktop_app.domain.person import PersonDraft
from desktop_app.storage import db as storage_db
from desktop_app.storage.layout import SCHEMA_HEAD
from desktop_app.storage.models import table
from desktop_app.storage.reports_models import (
    EHIC_EXPIRED,
    EHIC_NO_DATE,
    EHIC_VALID,
    ReportFactRow,
)
from desktop_app.storage.visits_models import VisitRow
from desktop_app.usecases import data_rights
from desktop_app.usecases.people import list_people, register_many
from desktop_app.usecases.reports import parse_period
from desktop_app.usecases.visits import day_of
from tests.conftest import downgrade_store

YEAR = parse_period("2026")
#: the day the visits below were begun and finished (UTC noon: the same day in any zone here)
VISIT = dt.date(2026, 3, 31)


def _people(session: Any, count: int, prefix: str = "Given") -> list[str]:
    names = [f"{prefix}{i}" for i in range(count)]
    register_many(
        session.store,
        session.user,
        [PersonDraft(n, "Testperson", "1980", nationality="RO") for n in names],
    )
    by_name = {e.given_name: e.id for e in list_people(session.store, 0, 1000)}
    return [by_name[n] for n in names]


def _visit(
    person: str,
    answers: dict[str, Any],
    *,
    day: dt.date = VISIT,
    form: str = "life_situation",
    device: str = "laptop-1",
) -> dict[str, Any]:
    stamp = f"{day.isoformat()}T12:00:00+00:00"
    return {
        "id": str(uuid.uuid4()),
        "revision": 1,
        "updated_hlc": "1",
        "device_id": device,
        "author_id": "advisor-1",
        "deleted": False,
        "field_clocks": "{}",
        "person_id": person,
        "form_id": form,
        "form_version": 1,
        "answers": json.dumps(answers, ensure_ascii=False),
        "next_steps": "{}",
        "status": "finished",
        "started_at": stamp,
        "finished_at": stamp,
    }


def _insert(store: Any, rows: list[dict[str, Any]]) -> None:
    with store.transaction() as s:
        s.execute(insert(VisitRow), rows)


def _ehic_facts(store: Any) -> dict[str, int | None]:
    facts = table(ReportFactRow)
    with store.reading() as s:
        return {v: e for v, e in s.execute(select(facts.c.visit_id, facts.c.ehic))}


def expected_ehic(row: Any) -> int | None:
    """A visit's ``ehic`` fact as ``LifeFacts`` reads its answers, on the day its form was
    checked for (``visits.day_of``)."""
    if row.form_id != "life_situation":
        return None
    answers = json.loads(row.answers)
    if answers.get("insurance_status") != "ehic":
        return None
    expired = LifeFacts.from_answers(answers).ehic_expired(day_of(row.started_at))
    return {None: EHIC_NO_DATE, False: EHIC_VALID, True: EHIC_EXPIRED}[expired]


def assert_ehic_facts_match_life_facts(store: Any) -> None:
    with store.reading() as s:
        rows = list(s.scalars(select(VisitRow).where(VisitRow.deleted.is_(False))))
    facts = _ehic_facts(store)
    assert {r.id: expected_ehic(r) for r in rows} == facts


#: the card's date as laptops may hold it, and what it says on ``VISIT`` (31 March 2026)
CARD_DATES: list[tuple[Any, int]] = [
    ("2026-03-30", EHIC_EXPIRED),
    ("2026-03-31", EHIC_VALID),  # valid through the date on the card
    ("2026-04-01", EHIC_VALID),
    ("2021-12-31", EHIC_EXPIRED),
    (" 2026-03-30\t", EHIC_EXPIRED),  # as typed, blanks around
    ("30.03.2026", EHIC_EXPIRED),  # the German form PartialDate reads too
    ("1.4.2026", EHIC_VALID),
    ("31.3.2026", EHIC_VALID),
    ("2026-03", EHIC_NO_DATE),  # a month alone: not known (LifeFacts wants a whole date)
    ("03.2026", EHIC_NO_DATE),
    ("2026", EHIC_NO_DATE),
    ("2026-02-30", EHIC_NO_DATE),  # no such day
    ("2026-13-01", EHIC_NO_DATE),
    ("2026-00-10", EHIC_NO_DATE),
    ("0000-01-01", EHIC_NO_DATE),
    ("32.01.2026", EHIC_NO_DATE),
    ("2026/03/30", EHIC_NO_DATE),
    ("", EHIC_NO_DATE),
    (20260330, EHIC_NO_DATE),  # not text
    (None, EHIC_NO_DATE),
]


def test_the_ehic_fact_reads_the_cards_date_as_life_facts_does(session: Any) -> None:
    people = _people(session, len(CARD_DATES) + 3)
    rows = []
    for person, (date, _state) in zip(people, CARD_DATES, strict=False):
        answers: dict[str, Any] = {"insurance_status": "ehic"}
        if date is not None:
            answers["ehic_valid_until"] = date
        rows.append(_visit(person, answers))
    extra = people[len(CARD_DATES) :]
    # another insurance keeps no date (a card changed for a German insurance is no EHIC);
    # a skills check has no insurance; an EHIC without its question (an older form)
    rows.append(
        _visit(extra[0], {"insurance_status": "statutory", "ehic_valid_until": "2020-01-01"})
    )
    rows.append(_visit(extra[1], {"insurance_status": "ehic"}, form="skills_check"))
    rows.append(_visit(extra[2], {"insurance_status": "ehic", "topics": ["health_insurance"]}))
    _insert(session.store, rows)
    facts = _ehic_facts(session.store)
    states = [facts[r["id"]] for r in rows]
    assert states == [state for _d, state in CARD_DATES] + [None, None, EHIC_NO_DATE]
    assert_ehic_facts_match_life_facts(session.store)


def test_the_day_is_the_one_the_visit_was_begun_not_its_last_edit(session: Any) -> None:
    """An edit saved by a laptop of an earlier version moves ``finished_at`` (the visit's day
    in the other figures) to the day of the edit; a card valid when the person came stays
    valid "at the visit". A change of the day the visit was begun (a sync merge of it) is
    followed."""
    (person,) = _people(session, 1)
    row = _visit(person, {"insurance_status": "ehic", "ehic_valid_until": "2026-03-31"})
    _insert(session.store, [row])
    assert _ehic_facts(session.store) == {row["id"]: EHIC_VALID}
    with session.store.transaction() as s:
        s.execute(
            update(VisitRow)
            .where(VisitRow.id == row["id"])
            .values(finished_at="2026-05-04T09:00:00+00:00", revision=2)
        )
    assert _ehic_facts(session.store) == {row["id"]: EHIC_VALID}
    with session.store.transaction() as s:
        s.execute(
            update(VisitRow)
            .where(VisitRow.id == row["id"])
            .values(started_at="2026-04-01T12:00:00+00:00")
        )
    assert _ehic_facts(session.store) == {row["id"]: EHIC_EXPIRED}
    assert_ehic_facts_match_life_facts(session.store)


def test_a_card_recorded_through_the_use_case_on_the_visits_day(session: Any) -> None:
    """Saved and edited as advisors do: the form's answers, today's date."""
    from desktop_app.usecases import visits
    from tests.unit.test_visits import consent_answers, full_life_situation

    today = dt.date.today()
    (person,) = _people(session, 1)
    visits.record_consent(session.store, session.user, person, consent_answers(), today=today)
    answers = {
        **full_life_situation(),
        "insurance_status": "ehic",
        "ehic_valid_until": (today - dt.timedelta(days=1)).isoformat(),
    }
    saved = visits.finish_visit(
        session.store, session.user, person, "life_situation", answers, today=today
    )
    assert _ehic_facts(session.store) == {saved.id: EHIC_EXPIRED}
    renewed = {**answers, "ehic_valid_until": (today + dt.timedelta(days=700)).isoformat()}
    visits.edit_visit(session.store, session.user, saved.id, renewed, today=today)
    assert _ehic_facts(session.store) == {saved.id: EHIC_VALID}
    statutory = {k: v for k, v in renewed.items() if k != "ehic_valid_until"}
    visits.edit_visit(
        session.store, session.user, saved.id, {**statutory, "insurance_status": "statutory"}
    )
    assert _ehic_facts(session.store) == {saved.id: None}
    assert_ehic_facts_match_life_facts(session.store)


def _card(until: str | None) -> dict[str, Any]:
    answers: dict[str, Any] = {"insurance_status": "ehic"}
    if until is not None:
        answers["ehic_valid_until"] = until
    return answers


def _cards_of_a_year(session: Any) -> dict[str, list[str]]:
    """People with visits in 2026: who came with an expired card at some visit, with a valid
    one, with no date on record, and with another insurance."""
    ids = _people(session, 16)
    expired, valid, no_date, other = ids[:6], ids[6:13], ids[13:15], ids[15:]
    rows = []
    for person in expired:
        # valid at the first visit, expired at the second: counted once, as expired
        rows.append(_visit(person, _card("2026-03-31"), day=dt.date(2026, 2, 1)))
        rows.append(_visit(person, _card("2026-03-31"), day=dt.date(2026, 6, 1)))
    for person in valid:
        rows.append(_visit(person, _card("2027-01-31"), day=dt.date(2026, 2, 1), device="laptop-2"))
        rows.append(_visit(person, _card(None), day=dt.date(2026, 9, 1), device="laptop-2"))
    for person in no_date:
        rows.append(_visit(person, _card("2026-03")))
    for person in other:
        rows.append(_visit(person, {"insurance_status": "statutory"}))
        rows.append(_visit(person, _card("2025-01-01"), day=dt.date(2025, 6, 1)))  # last year
    _insert(session.store, rows)
    return {"expired": expired, "valid": valid, "no_date": no_date, "other": other}


def test_erasure_takes_the_persons_ehic_facts_away(session: Any) -> None:
    people = _cards_of_a_year(session)
    gone = people["expired"][0]
    data_rights.erase_person(session.store, session.user, gone)
    facts = table(ReportFactRow)
    with session.store.reading() as s:
        left = s.scalar(
            select(func.count())
            .select_from(VisitRow)
            .join(facts, facts.c.visit_id == VisitRow.id)
            .where(VisitRow.person_id == gone)
        )
    assert left == 0
    assert_ehic_facts_match_life_facts(session.store)


# --------------------------------------------------------------------------------------------
# The upgrade of a store from before the figure


def test_upgrading_a_store_from_0037_backfills_the_ehic_of_every_visit(
    session: Any, data_dir: Path
) -> None:
    """A real SQLCipher store taken back to ``data_requests_by_person`` (0037), visits with
    EHIC dates written there (expired and not, partial, in the German form, no date), then
    opened by this version: every fact gets its ``ehic``, the triggers keep it from then on."""
    downgrade_store(session.store, "data_requests_by_person")
    with session.store.reading() as s:
        columns = {r[1] for r in s.execute(text("PRAGMA table_info(report_visit_facts)"))}
    assert "ehic" not in columns
    people = _cards_of_a_year(session)  # written with the triggers of 0037
    dated = _people(session, len(CARD_DATES), prefix="Dated")
    _insert(
        session.store,
        [
            _visit(p, _card(d) if d is not None else {"insurance_status": "ehic"})
            for p, (d, _s) in zip(dated, CARD_DATES, strict=True)
        ],
    )
    # a tombstone left from before: no fact to fill
    with session.store.transaction() as s:
        s.execute(
            update(VisitRow)
            .where(VisitRow.person_id == people["other"][0])
            .values(deleted=True, answers="{}")
        )
    assert session.store.engine.url.drivername == "sqlite+pysqlcipher"
    storage_db.migrate(session.store.engine)
    with session.store.reading() as s:
        assert s.scalar(text("SELECT version_num FROM alembic_version")) == SCHEMA_HEAD
    assert_ehic_facts_match_life_facts(session.store)
    facts = _ehic_facts(session.store)
    with session.store.reading() as s:
        by_person = {
            p: v
            for p, v in s.execute(
                select(VisitRow.person_id, VisitRow.id).where(VisitRow.person_id.in_(dated))
            )
        }
    assert [facts[by_person[p]] for p in dated] == [state for _d, state in CARD_DATES]
    fact_rows = table(ReportFactRow)
    with session.store.reading() as s:
        of_people = {
            (p, e)
            for p, e in s.execute(
                select(VisitRow.person_id, fact_rows.c.ehic).join(
                    fact_rows, fact_rows.c.visit_id == VisitRow.id
                )
            )
        }
    assert {(p, EHIC_EXPIRED) for p in people["expired"]} < of_people
    # from now on the triggers keep the fact
    (late,) = _people(session, 1, prefix="Late")
    row = _visit(late, _card("2026-03-01"))
    _insert(session.store, [row])
    assert _ehic_facts(session.store)[row["id"]] == EHIC_EXPIRED
    # and the way back leaves the store as 0037 had it
    downgrade_store(session.store, "data_requests_by_person")
    with session.store.reading() as s:
        columns = {r[1] for r in s.execute(text("PRAGMA table_info(report_visit_facts)"))}
        indexes = {r[1] for r in s.execute(text("PRAGMA index_list(report_visit_facts)"))}
    assert "ehic" not in columns and "ix_report_facts_ehic" not in indexes
    _insert(session.store, [_visit(late, _card("2026-03-01"))])  # the old triggers still work
