"""The sync server's PostgreSQL connection pool survives connections the database dropped.

Pooled connections are checked with a round trip only after they have been idle a while
(``sync_server.db.IDLE_PING_AFTER_S``), not on every checkout as ``pool_pre_ping`` did.
"""

from __future__ import annotations

import os
from collections.abc import Iterator

import pytest
from sqlalchemy import text

from sync_server import db
from tests.integration.sync_harness import PG_ENV, pg_database

pytestmark = pytest.mark.postgres


@pytest.fixture
def pg_url() -> Iterator[str]:
    base = os.environ.get(PG_ENV)
    if not base:
        pytest.skip(f"{PG_ENV} not set (start a cluster with tests/integration/pg_cluster.sh)")
    with pg_database(base) as url:
        yield url


def _backend_pid(engine: object) -> int:
    with engine.connect() as connection:  # type: ignore[attr-defined]
        return int(connection.execute(text("SELECT pg_backend_pid()")).scalar_one())


def _terminate(url: str, pid: int) -> None:
    import psycopg
    from sqlalchemy.engine import make_url

    conninfo = make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)
    with psycopg.connect(conninfo, autocommit=True) as admin:
        assert admin.execute("SELECT pg_terminate_backend(%s)", (pid,)).fetchone() == (True,)


def test_an_idle_connection_the_database_dropped_is_replaced_without_an_error(
    pg_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    engine = db.create_db_engine(db.resolve_database_url(pg_url))
    try:
        first = _backend_pid(engine)
        assert _backend_pid(engine) == first  # used a moment ago: taken from the pool as it is
        _terminate(pg_url, first)
        # Everything in the pool now counts as idle long enough to be checked first.
        monkeypatch.setattr(db, "IDLE_PING_AFTER_S", 0.0)
        second = _backend_pid(engine)
        assert second != first
        monkeypatch.setattr(db, "IDLE_PING_AFTER_S", 3600.0)
        assert _backend_pid(engine) == second
    finally:
        engine.dispose()


def test_a_connection_dropped_while_in_use_fails_once_and_the_pool_recovers(pg_url: str) -> None:
    from sqlalchemy.exc import OperationalError

    engine = db.create_db_engine(db.resolve_database_url(pg_url))
    try:
        first = _backend_pid(engine)
        _terminate(pg_url, first)
        # Used a moment ago, so not checked: the statement fails (the laptop retries it) ...
        with pytest.raises(OperationalError), engine.connect() as connection:
            connection.execute(text("SELECT 1"))
        # ... and SQLAlchemy has discarded the pool, so the retry gets a live connection.
        assert _backend_pid(engine) != first
    finally:
        engine.dispose()
