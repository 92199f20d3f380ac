"""Which failures of writing a pulled record refuse that record (``record_fault``): its own
values (a trigger that cannot read them, a constraint, a value the driver cannot bind), never
the database's state (locked, full): a refused record is not pulled again, so a busy database
must stop the pull as before. Real SQLCipher connections to a file through SQLAlchemy."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
import sqlcipher3.dbapi2 as sqlcipher
from sqlalchemy import Engine, create_engine, text
from sqlalchemy.exc import StatementError

from desktop_app.sync.records import record_fault


@pytest.fixture
def engine(tmp_path: Path) -> Iterator[Engine]:
    url = f"sqlite:///{tmp_path / 'faults.db'}"
    engine = create_engine(url, module=sqlcipher, connect_args={"timeout": 0})
    with engine.begin() as db:
        db.execute(text("CREATE TABLE t (id TEXT PRIMARY KEY, flag BOOLEAN, body TEXT)"))
        db.execute(
            text(
                "CREATE TRIGGER reads AFTER INSERT ON t BEGIN "
                "SELECT json_extract(NEW.body, '$'); END"
            )
        )
    yield engine
    engine.dispose()


def _failure(engine: Engine, statement: str, params: dict[str, object]) -> StatementError:
    with engine.begin() as db, pytest.raises(StatementError) as caught:
        db.execute(text(statement), params)
    return caught.value


def test_a_records_own_values_refuse_it_with_a_reason_that_holds_no_value(engine: Engine) -> None:
    insert = "INSERT INTO t (id, flag, body) VALUES (:id, :flag, :body)"
    malformed = _failure(engine, insert, {"id": "1", "flag": True, "body": "secret"})
    assert record_fault(malformed) == "malformed JSON"
    with engine.begin() as db:
        db.execute(text(insert), {"id": "2", "flag": True, "body": "{}"})
    duplicate = _failure(engine, insert, {"id": "2", "flag": True, "body": "{}"})
    assert record_fault(duplicate) == "UNIQUE constraint failed: t.id"
    unbindable = _failure(engine, insert, {"id": "3", "flag": True, "body": ["secret"]})
    why = record_fault(unbindable)
    assert why is not None and "secret" not in why


def test_a_locked_database_refuses_no_record(engine: Engine, tmp_path: Path) -> None:
    holder = sqlcipher.connect(tmp_path / "faults.db", isolation_level=None)
    try:
        holder.execute("BEGIN IMMEDIATE")
        insert = "INSERT INTO t (id, flag, body) VALUES (:id, :flag, :body)"
        locked = _failure(engine, insert, {"id": "1", "flag": True, "body": "{}"})
        assert "locked" in str(locked.orig)
        assert record_fault(locked) is None
    finally:
        holder.close()


def test_a_schema_fault_refuses_no_record(engine: Engine) -> None:
    """SQLite's generic error is a schema's too: a table or column missing after a faulty
    migration must stop the pull, not refuse every record of it for good."""
    with engine.begin() as db:
        db.execute(text("CREATE TRIGGER lost AFTER INSERT ON t BEGIN DELETE FROM gone; END"))
    insert = "INSERT INTO t (id, flag, body) VALUES (:id, :flag, :body)"
    missing = _failure(engine, insert, {"id": "1", "flag": True, "body": "{}"})
    assert "no such table" in str(missing.orig)
    assert record_fault(missing) is None
    no_column = _failure(engine, "INSERT INTO t (id, nope) VALUES (:id, :x)", {"id": "2", "x": 1})
    assert record_fault(no_column) is None
