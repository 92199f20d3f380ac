"""A visit's answers and next steps sync one by one: each has its own clocks in the store and
is a field of its own in the record that travels (``SyncMixin.keyed_json``)."""

from __future__ import annotations

import json
from dataclasses import replace
from typing import Any

import pytest

import desktop_app.sync.kinds  # noqa: F401  (registers the kinds that sync)
from desktop_app.storage.visits_models import VisitRow
from desktop_app.sync.merge import FieldState, RecordState
from desktop_app.sync.records import (
    ADAPTERS,
    LocalRecord,
    PayloadError,
    RowAdapter,
    ToSave,
    load_one,
    reader_version,
)
from desktop_app.usecases import visits
from tests.conftest import mark_sent
from tests.unit.test_visits import PERSON, TODAY, consent_answers, full_life_situation


def _clocks(store: Any, visit_id: str) -> dict[str, list[str]]:
    with store.reading() as db:
        row = db.get(VisitRow, visit_id)
        assert row is not None
        return dict(json.loads(row.field_clocks))


def _finished(session: Any) -> visits.Visit:
    store, user = session.store, session.user
    visits.record_consent(store, user, PERSON, consent_answers(), today=TODAY)
    return visits.finish_visit(
        store,
        user,
        PERSON,
        "life_situation",
        full_life_situation(),
        next_steps={"health_clearing": "accepted"},
        today=TODAY,
    )


def _loaded(session: Any) -> tuple[visits.Visit, RowAdapter, LocalRecord]:
    """A finished visit, the visit kind's adapter and the record that would sync."""
    visit = _finished(session)
    adapter = ADAPTERS["visit"]
    assert isinstance(adapter, RowAdapter)
    with session.store.reading() as db:
        local = load_one(adapter, db, visit.id)
    assert local is not None
    return visit, adapter, local


def test_an_edit_moves_the_clocks_of_the_answers_it_changed_only(session: Any) -> None:
    store, user = session.store, session.user
    visit = _finished(session)
    assert _clocks(store, visit.id) == {}  # a new visit: every answer as old as the visit
    mark_sent(store, visit.id)
    with store.reading() as db:
        created = db.get(VisitRow, visit.id).updated_hlc
    without_rent = {k: v for k, v in visit.answers.items() if k != "rent"}
    steps = visit.next_steps
    visits.edit_visit(  # one answer changed, one removed
        store, user, visit.id, {**without_rent, "urgency": "today"}, next_steps=steps, today=TODAY
    )
    clocks = _clocks(store, visit.id)
    changed = clocks["answers/urgency"]
    assert changed[1] == created and changed[0] > created
    assert clocks["answers/rent"] == changed  # removed: the removal has its clock
    assert clocks["answers/housing_type"] == [created, ""]  # untouched
    assert clocks["answers"] == [created, ""]  # the column's own clock did not move
    assert "next_steps/health_clearing" not in clocks  # the decisions did not change
    # A second edit before the first was sent replaces it: nobody else saw the first.
    visits.edit_visit(
        store, user, visit.id, {**without_rent, "urgency": "routine"}, next_steps=steps, today=TODAY
    )
    again = _clocks(store, visit.id)["answers/urgency"]
    assert again[1] == created and again[0] > changed[0]
    # Once sent, the next edit builds on it.
    mark_sent(store, visit.id)
    visits.edit_visit(
        store, user, visit.id, {**without_rent, "urgency": "today"}, next_steps=steps, today=TODAY
    )
    assert _clocks(store, visit.id)["answers/urgency"][1] == again[0]


def test_the_record_that_syncs_holds_each_answer_as_a_field_and_reads_back(
    session: Any,
) -> None:
    store = session.store
    visit = _finished(session)
    without_rent = {k: v for k, v in visit.answers.items() if k != "rent"}
    visits.edit_visit(
        store, session.user, visit.id, without_rent, next_steps=visit.next_steps, today=TODAY
    )
    adapter = ADAPTERS["visit"]
    with store.reading() as db:
        local = load_one(adapter, db, visit.id)
    assert local is not None
    fields = local.state.fields
    assert "answers" not in fields and "next_steps" not in fields
    assert fields["answers/housing_type"].value == "sublet"
    assert fields["answers/rent"].value is None  # removed here: travels as removed
    assert fields["next_steps/health_clearing"].value == "accepted"
    assert fields["form_id"].value == "life_situation"
    # Saved as received, it is the same visit with the same clocks.
    changed = dict(fields)
    changed["answers/urgency"] = FieldState("today", "9999999999999-00000-x", "")
    with store.transaction() as db:
        saved = ToSave(replace(local.state, fields=changed), 9, "")
        refused = adapter.save_many(db, store, [saved])
    assert refused == {}
    with store.reading() as db:
        row = db.get(VisitRow, visit.id)
        assert row is not None
        assert json.loads(row.answers) == {**without_rent, "urgency": "today"}
        assert json.loads(row.next_steps) == {"health_clearing": "accepted"}
        again = load_one(adapter, db, visit.id)
    assert again is not None and dict(again.state.fields) == changed


def test_an_older_versions_whole_answers_are_split_and_a_missing_answer_is_removed(
    session: Any,
) -> None:
    visit, adapter, local = _loaded(session)
    older = {k: v for k, v in visit.answers.items() if k != "rent"}
    plain = {n: f for n, f in local.state.fields.items() if "/" not in n}
    whole = RecordState(
        "visit",
        visit.id,
        {
            **plain,
            "answers": FieldState(json.dumps(older), "c2", "c1"),
            "next_steps": FieldState("{}", "c2", "c1"),
        },
    )
    upgraded = adapter.upgrade(whole, local.state)
    assert upgraded.fields["answers/urgency"] == FieldState("this_week", "c2", "c1")
    assert upgraded.fields["answers/rent"] == FieldState(None, "c2", "c1")  # held here only
    assert upgraded.fields["next_steps/health_clearing"] == FieldState(None, "c2", "c1")
    assert "answers" not in upgraded.fields
    assert adapter.upgrade(upgraded, local.state) == upgraded  # once is enough
    broken = replace(whole, fields={**whole.fields, "answers": FieldState("[1]", "c2", "c1")})
    with pytest.raises(PayloadError):
        adapter.upgrade(broken, local.state)


def test_an_entry_of_a_column_that_does_not_merge_by_entries_is_a_newer_versions(
    session: Any,
) -> None:
    visit, adapter, local = _loaded(session)
    fields = {**local.state.fields, "status/x": FieldState("y", "c3", "")}
    with session.store.transaction() as db:
        newer = ToSave(replace(local.state, fields=fields), 5, "")
        refused = adapter.save_many(db, session.store, [newer])
    assert refused == {visit.id: "written by a newer version"}


def test_the_reader_version_changes_when_a_column_starts_merging_by_entries(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    before = reader_version()
    monkeypatch.setattr(ADAPTERS["visit"], "keyed", ())
    assert reader_version() != before
