"""Real sync-server processes on 127.0.0.1 for integration tests (SQLite, and PostgreSQL when
``WELCOME_DESK_TEST_PG_URL`` points at a throwaway cluster, see ``pg_cluster.sh``)."""

from __future__ import annotations

import os
import secrets
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import httpx
import pytest

from desktop_app.sync import crypto
from desktop_app.sync.http_client import SyncServerClient, wrapped_key
from sync_server import wire

ROOT = Path(__file__).resolve().parents[2]
PG_ENV = "WELCOME_DESK_TEST_PG_URL"
START_TIMEOUT = 30.0


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def run_cli(db_url: str, *args: str, check: bool = True) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "sync_server.cli", *args, "--database-url", db_url],
        cwd=ROOT, capture_output=True, text=True, timeout=60, check=check,
    )


@dataclass
class ServerProcess:
    """One ``welcome-desk-server serve`` subprocess; restartable on the same port and database."""

    db_url: str
    log_path: Path
    port: int = field(default_factory=free_port)
    proc: subprocess.Popen[bytes] | None = None

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> None:
        log = self.log_path.open("ab")
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "sync_server.cli", "serve", "--port", str(self.port),
             "--database-url", self.db_url],
            cwd=ROOT, stdout=log, stderr=subprocess.STDOUT,
        )
        log.close()
        deadline = time.monotonic() + START_TIMEOUT
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"server exited early:\n{self.log_path.read_text()}")
            try:
                if httpx.get(f"{self.base_url}/v1/health", timeout=1).status_code == 200:
                    return
            except httpx.TransportError:
                pass
            time.sleep(0.1)
        raise RuntimeError("server did not become ready")

    def kill(self) -> None:
        """SIGKILL: no graceful shutdown, as in a crash."""
        if self.proc is not None and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGKILL)
            self.proc.wait(timeout=10)
        self.proc = None

    def stop(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(timeout=10)
        self.proc = None

    def enroll(self, name: str = "Laptop", *extra: str) -> str:
        return run_cli(self.db_url, "enroll", "--name", name, *extra).stdout.strip()

    def client(self, token: str | None = None, **kwargs: object) -> SyncServerClient:
        kwargs.setdefault("max_retries", 2)
        kwargs.setdefault("backoff_base", 0.05)
        return SyncServerClient(self.base_url, token, **kwargs)  # type: ignore[arg-type]

    def log_text(self) -> str:
        return self.log_path.read_text(encoding="utf-8", errors="replace")


def _pg_database(base_url: str) -> Iterator[str]:
    import psycopg
    from sqlalchemy.engine import make_url

    name = f"wd_test_{secrets.token_hex(6)}"
    admin = make_url(base_url).set(drivername="postgresql")
    conninfo = admin.render_as_string(hide_password=False)
    with psycopg.connect(conninfo, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    try:
        yield admin.set(database=name).render_as_string(hide_password=False)
    finally:
        with psycopg.connect(conninfo, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture(
    params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)],
)
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'server.db'}"
        return
    base = os.environ.get(PG_ENV)
    if not base:
        pytest.skip(f"{PG_ENV} not set (start a cluster with tests/integration/pg_cluster.sh)")
    yield from _pg_database(base)


@pytest.fixture
def server(db_url: str, tmp_path: Path) -> Iterator[ServerProcess]:
    proc = ServerProcess(db_url=db_url, log_path=tmp_path / "server.log")
    proc.start()
    try:
        yield proc
    finally:
        proc.stop()


@dataclass
class Member:
    """An enrolled laptop as the tests drive it: keys, device id, client, team keyring."""

    name: str
    keys: crypto.DeviceKeys
    device_id: str
    client: SyncServerClient
    keyring: dict[str, bytes] = field(default_factory=dict)

    def seal(self, team: crypto.TeamKey, record_id: str, kind: str, revision: int,
             plaintext: bytes) -> wire.Envelope:
        return crypto.seal(team.key, team.key_id, record_id, kind, revision, plaintext,
                           author_device=self.device_id,
                           client_hlc=f"{time.time_ns() // 1_000_000:013d}-00000-{self.device_id}")


@dataclass
class Organisation:
    server: ServerProcess
    team: crypto.TeamKey
    coordinator: Member
    members: list[Member] = field(default_factory=list)

    def join(self, name: str, approve: bool = True) -> Member:
        keys = crypto.DeviceKeys.generate()
        client = self.server.client()
        reg = client.register(self.server.enroll(name), name, keys.public_key)
        member = Member(name, keys, reg.device_id, client)
        if approve:
            self.approve(member)
        self.members.append(member)
        return member

    def approve(self, member: Member) -> None:
        wrapped = crypto.wrap_team_key(self.team.key, self.team.key_id, self.coordinator.keys,
                                       member.keys.public_key)
        self.coordinator.client.approve(
            member.device_id,
            [wrapped_key(self.team.key_id, wrapped, self.coordinator.keys.public_key)],
        )
        for key in member.client.fetch_wrapped_keys().keys:
            member.keyring[key.key_id] = crypto.unwrap_team_key(
                wire.b64decode(key.wrapped_key), key.key_id, member.keys,
                wire.b64decode(key.sender_public_key))

    def close(self) -> None:
        for m in [self.coordinator, *self.members]:
            m.client.close()


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
