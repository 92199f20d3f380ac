"""A correction keeps a visit when it was. January's check corrected in December stayed in
January's report figures only until the correction: saving moved the visit's finish to the day of
the correction, so January's figures shrank, December's grew, and the corrected old check
became the person's latest, the one their letters and the next check go by."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import select

from desktop_app.domain.hlc import Timestamp
from desktop_app.storage.visits_models import VisitRow
from desktop_app.usecases import visits
from desktop_app.usecases.reports import build_report, parse_period
from tests.unit.test_report_facts import TODAY, _finish, _people
from tests.unit.test_visits import full_life_situation

LAST_YEAR = TODAY.year - 1


def _move_back(store: Any, visit_id: str, to: dt.date) -> str:
    """The visit as finished on ``to`` (a check recorded back then); its new finish."""
    with store.transaction() as s:
        row = s.scalars(select(VisitRow).where(VisitRow.id == visit_id)).one()
        when = dt.datetime.fromisoformat(row.finished_at)
        row.finished_at = row.started_at = dt.datetime.combine(to, when.timetz()).isoformat(
            timespec="seconds"
        )
        return row.finished_at


def _advised_last_and_this_year(session: Any) -> tuple[int, int]:
    """The people advised last year and this year, as the reports count them."""
    counts = []
    for year in (LAST_YEAR, TODAY.year):
        report = build_report(session.store, session.user, parse_period(str(year)))
        counts.append(int(report.table("overview").value("people_advised")))
    return counts[0], counts[1]


def test_a_corrected_old_check_stays_when_it_was_and_the_newer_one_stays_the_latest(
    session: Any,
) -> None:
    (maria,) = _people(session, "Maria")
    old = _finish(session, maria, {**full_life_situation(), "postal_code": "44145"})
    finished = _move_back(session.store, old.id, dt.date(LAST_YEAR, 6, 15))
    newer = _finish(session, maria, {**full_life_situation(), "postal_code": "44137"})
    assert _advised_last_and_this_year(session) == (1, 1)

    corrected = {**full_life_situation(), "postal_code": "44147"}
    visits.edit_visit(session.store, session.user, old.id, corrected, today=TODAY)

    (edited,) = [v for v in visits.visit_history(session.store, session.user, maria) if v.earlier]
    assert edited.id == old.id and edited.answers["postal_code"] == "44147"
    assert edited.finished_at == finished  # not moved to the day of the correction
    latest = visits.latest_visit(session.store, session.user, maria, "life_situation")
    assert latest is not None and latest.id == newer.id
    assert latest.answers["postal_code"] == "44137"
    # last year's figures keep her, this year's count her visit of this year only
    assert _advised_last_and_this_year(session) == (1, 1)


def test_each_earlier_version_says_when_it_was_saved(session: Any) -> None:
    (maria,) = _people(session, "Maria")
    visit = _finish(session, maria, full_life_situation())
    finished = _move_back(session.store, visit.id, TODAY - dt.timedelta(days=30))
    before_first = dt.datetime.now(dt.UTC).replace(microsecond=0)
    visits.edit_visit(
        session.store,
        session.user,
        visit.id,
        {**full_life_situation(), "postal_code": "44147"},
        today=TODAY,
    )
    (once,) = visits.visit_history(session.store, session.user, maria)
    first_edit = visits.changed_at(once.updated_hlc)
    assert dt.datetime.fromisoformat(first_edit) >= before_first
    assert first_edit == dt.datetime.fromtimestamp(
        Timestamp.parse(once.updated_hlc).wall_ms / 1000, dt.UTC
    ).isoformat(timespec="seconds")
    visits.edit_visit(
        session.store,
        session.user,
        visit.id,
        {**full_life_situation(), "postal_code": "44149"},
        today=TODAY,
    )
    (twice,) = visits.visit_history(session.store, session.user, maria)
    assert twice.finished_at == finished
    assert [r.answers.get("postal_code") for r in twice.earlier] == ["44147", None]
    # newest first: the first correction's version was saved by that correction, the first
    # version when the visit was finished
    assert [r.saved_at for r in twice.earlier] == [first_edit, finished]
