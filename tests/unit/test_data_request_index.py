"""The register of requests looked up by person (migration ``data_requests_by_person``): the
queries that ask for one person's requests use the index on ``data_requests.person_id``, in a
store made new and in one migrated from the version before."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

from sqlalchemy import event, text

from desktop_app.domain.person import PersonDraft
from desktop_app.storage.db import Store
from desktop_app.usecases import data_rights, people
from desktop_app.usecases.accounts import Session, log_in
from tests.conftest import PASSWORD, downgrade_store

INDEX = "ix_data_requests_person_id"
TODAY = dt.date(2026, 12, 7)


def _person(session: Session) -> str:
    draft = PersonDraft("Radka", "Stoyanova", "14.03.1985")
    return people.register_person(session.store, session.user, draft, confirm_duplicates=True).id


def _plans_of_register_reads(store: Store, run: Any) -> list[tuple[str, str]]:
    """Each statement ``run`` sends that reads ``data_requests`` by its person, with SQLite's
    query plan for it (``EXPLAIN QUERY PLAN``, the statement's own parameters)."""
    sent: list[tuple[str, Any]] = []

    def seen(_conn: Any, _cursor: Any, statement: str, parameters: Any, *_args: Any) -> None:
        if statement.lstrip().upper().startswith("SELECT") and "data_requests.person_id" in (
            statement
        ):
            sent.append((statement, parameters))

    event.listen(store.engine, "before_cursor_execute", seen)
    try:
        run()
    finally:
        event.remove(store.engine, "before_cursor_execute", seen)
    with store.engine.connect() as conn:
        return [
            (
                statement,
                " / ".join(
                    str(row[-1])
                    for row in conn.exec_driver_sql(f"EXPLAIN QUERY PLAN {statement}", parameters)
                ),
            )
            for statement, parameters in sent
        ]


def _looked_up_by_person(session: Session) -> list[tuple[str, str]]:
    """The person's open request read (the page and dialogs), and an erasure's unlinking."""
    pid = _person(session)
    data_rights.record_open_request(
        session.store, session.user, pid, data_rights.COPY, TODAY, today=TODAY
    )
    for _n in range(30):  # a register of others' requests to search through
        data_rights.record_open_request(
            session.store, session.user, _person(session), data_rights.ERASURE, TODAY, today=TODAY
        )

    def lookups() -> None:
        assert data_rights.open_request(session.store, session.user, pid, data_rights.COPY)
        data_rights.erase_person(session.store, session.user, pid, today=TODAY)

    return _plans_of_register_reads(session.store, lookups)


def test_a_persons_requests_are_found_by_the_index_not_by_reading_the_register(
    session: Session,
) -> None:
    plans = _looked_up_by_person(session)
    assert len(plans) >= 3  # open_request's, the erasure's open one and its unlinking
    for statement, plan in plans:
        assert f"USING INDEX {INDEX}" in plan, (statement, plan)
        assert "SCAN data_requests" not in plan, (statement, plan)


def test_a_store_of_the_version_before_gets_the_index(session: Session, data_dir: Path) -> None:
    downgrade_store(session.store, "data_requests_sync")
    with session.store.reading() as db:
        found = text("SELECT 1 FROM sqlite_master WHERE name = :name")
        assert db.execute(found, {"name": INDEX}).all() == []
    session.close()
    again = log_in(data_dir, "anna", PASSWORD)  # migrates to the head
    try:
        with again.store.reading() as db:
            made = db.execute(
                text("SELECT tbl_name FROM sqlite_master WHERE type = 'index' AND name = :name"),
                {"name": INDEX},
            ).scalar()
        assert made == "data_requests"
        plans = _looked_up_by_person(again)
        assert plans
        for statement, plan in plans:
            assert f"USING INDEX {INDEX}" in plan, (statement, plan)
    finally:
        again.close()
