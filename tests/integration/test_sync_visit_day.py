"""Two laptops' changes of an old visit merged on different days: the same outcome whatever the
day the merging laptop receives them, as the merge is checked for the visit's own day.

A woman 55 at a visit (56 or 57 now) whose pregnancy was recorded. In the week of the visit
laptop A records that she has no home now (the rent goes); B, offline, adds a written tenancy
agreement. Each version fits the form; merged answer by answer they do not, so the merge must
keep both for an advisor (``kinds._visit_combination``). Checked for the day of the merge, a
laptop merging them two years on found her pregnancy answers "not asked" in each version,
raised no conflict, and a later save dropped B's answer unseen; one merging in the visit's
week raised it. Real encrypted stores, a real server process on 127.0.0.1."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterator
from contextlib import contextmanager
from types import SimpleNamespace

import pytest

from desktop_app.forms import evaluator
from desktop_app.usecases import sync as sync_uc
from desktop_app.usecases import visits
from tests.integration.sync_harness import Laptops, add_person
from tests.unit.test_visit_day import BEGUN, TODAY, VISIT_DAY, pregnant_at_55
from tests.unit.test_visits import consent_answers

VISIT_WEEK = VISIT_DAY + dt.timedelta(days=7)


@contextmanager
def wall_clock_day(day: dt.date) -> Iterator[None]:
    """The form engine's wall-clock day (what it checks for when no day is given) is ``day``:
    a laptop working on that day, as far as checks of answers go."""

    class Day(dt.date):
        @classmethod
        def today(cls) -> Day:
            return cls(day.year, day.month, day.day)

    before = evaluator.dt
    evaluator.dt = SimpleNamespace(date=Day)  # type: ignore[assignment]
    try:
        yield
    finally:
        evaluator.dt = before


@pytest.mark.parametrize("merged_on", [VISIT_WEEK, TODAY], ids=["in-the-visit-week", "today"])
def test_changes_of_an_old_visit_merge_alike_on_any_day(
    laptops: Laptops, merged_on: dt.date
) -> None:
    a, b = laptops.new("A"), laptops.new("B")
    pid = add_person(a, "Elena", "Dimitrova", "1969")
    visits.record_consent(a.store, a.user, pid, consent_answers())
    answers = pregnant_at_55()
    visit = visits.finish_visit(
        a.store, a.user, pid, "life_situation", answers, started_at=BEGUN, today=VISIT_DAY
    )
    laptops.sync(a, b)
    homeless = {k: v for k, v in answers.items() if k != "rent"} | {"housing_type": "homeless"}
    with wall_clock_day(VISIT_WEEK):  # both changes made in the week of the visit
        visits.edit_visit(a.store, a.user, visit.id, homeless)
        visits.edit_visit(b.store, b.user, visit.id, {**answers, "rent_contract": "yes"})
        laptops.sync(a)
    with wall_clock_day(merged_on):  # B merges A's change into its own on that day
        laptops.sync(b)
    (found_on_b,) = sync_uc.open_conflicts(b.store, b.user)  # B's own finding: A found none
    assert found_on_b.field == "answers+"
    kept, other = json.loads(str(found_on_b.kept_value)), json.loads(str(found_on_b.other_value))
    assert kept == {**visit.answers, "rent_contract": "yes"}  # B's version, pregnancy and all
    assert other == {k: v for k, v in visit.answers.items() if k != "rent"} | {
        "housing_type": "homeless"
    }
    assert kept["pregnant"] == other["pregnant"] == "yes"
    with wall_clock_day(merged_on):
        laptops.sync(a, b)
    (found_on_a,) = sync_uc.open_conflicts(a.store, a.user)
    assert found_on_a.id == found_on_b.id
    for s in (a, b):  # merged alike, nothing dropped before the advisor decides
        (shown,) = visits.visit_history(s.store, s.user, pid)
        assert shown.answers["rent_contract"] == "yes" and shown.answers["pregnant"] == "yes"
