"""Real sync-server processes on 127.0.0.1 for integration tests (SQLite, and PostgreSQL when
``WELCOME_DESK_TEST_PG_URL`` points at a throwaway cluster, see ``pg_cluster.sh``)."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from desktop_app.sync import crypto
from tests.integration.sync_harness import (
    PG_ENV,
    Backup,
    Laptops,
    Member,
    Organisation,
    ServerProcess,
    assert_never_failed,
    migrated_sqlite,
    pg_database,
    started_server,
)


@pytest.fixture(
    params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)],
)
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """The server's database: empty, or, for a test with a ``server`` (which would migrate it
    before anything else touches it), already holding the schema at head (a copy of a template
    migrated once, ``sync_harness.migrated_sqlite``)."""
    migrated = "server" in request.fixturenames
    if request.param == "sqlite":
        path = tmp_path / "server.db"
        yield migrated_sqlite(path) if migrated else f"sqlite:///{path}"
        return
    base = os.environ.get(PG_ENV)
    if not base:
        pytest.skip(f"{PG_ENV} not set (start a cluster with tests/integration/pg_cluster.sh)")
    with pg_database(base, migrated=migrated) as url:
        yield url


@pytest.fixture
def server(db_url: str, tmp_path: Path, request: pytest.FixtureRequest) -> Iterator[ServerProcess]:
    """A server process; ``@pytest.mark.parametrize("server", [2], indirect=True)`` runs it
    with that many worker processes."""
    workers = int(getattr(request, "param", 1))
    with started_server(db_url, tmp_path / "server.log", workers=workers) as proc:
        yield proc
    assert_never_failed(proc)


@pytest.fixture
def org(server: ServerProcess) -> Iterator[Organisation]:
    """A server whose first device (the coordinator) holds a fresh team key."""
    keys = crypto.DeviceKeys.generate()
    client = server.client()
    reg = client.register(server.enroll("Coordinator"), "Büro Nordstadt", keys.public_key)
    assert reg.status == "approved" and reg.is_coordinator
    team = crypto.new_team_key()
    coordinator = Member("coordinator", keys, reg.device_id, client, {team.key_id: team.key})
    organisation = Organisation(server, team, coordinator)
    try:
        yield organisation
    finally:
        organisation.close()


@pytest.fixture
def laptops(server: ServerProcess, tmp_path: Path) -> Iterator[Laptops]:
    """Laptops with real encrypted stores, joined to ``server`` (the first one coordinates)."""
    with Laptops(server, tmp_path) as group:
        yield group


@pytest.fixture
def backup(server: ServerProcess, tmp_path: Path) -> Iterator[Backup]:
    """The server's database, to be taken and put back (``sync_harness.Backup``)."""
    made = Backup(server, tmp_path)
    try:
        yield made
    finally:
        made.drop()
