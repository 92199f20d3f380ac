"""The admin CLI as a real process: plain-HTTP refusal, loud dev mode, TLS, migrate, revoke."""

from __future__ import annotations

import errno
import signal
import socket
import ssl
import subprocess
import sys
from pathlib import Path

import httpx
import pytest

from desktop_app.domain.users import Role
from desktop_app.sync.http_client import CertificateProblem, SyncServerClient
from desktop_app.usecases import sync as sync_uc
from sync_server.service import ApiError
from tests.integration.sync_harness import (
    ROOT,
    Laptops,
    PortReservation,
    ServerProcess,
    device_id,
    migrated_sqlite,
    run_cli,
    self_signed_certificate,
)


def _serve(tmp_path: Path, *args: str) -> subprocess.CompletedProcess[str]:
    with PortReservation() as port:
        return subprocess.run(
            [
                sys.executable,
                "-m",
                "sync_server.cli",
                "serve",
                "--database-url",
                f"sqlite:///{tmp_path / 's.db'}",
                "--port",
                str(port),
                *args,
            ],
            cwd=ROOT,
            capture_output=True,
            text=True,
            timeout=60,
        )


def test_plain_http_refused_off_loopback(tmp_path: Path) -> None:
    result = _serve(tmp_path, "--host", "0.0.0.0")
    assert result.returncode == 2
    assert "refusing plain HTTP" in result.stderr
    assert not (tmp_path / "s.db").exists()  # refused before touching anything


def test_cert_without_key_refused(tmp_path: Path) -> None:
    result = _serve(tmp_path, "--cert", str(tmp_path / "c.pem"))
    assert result.returncode == 2 and "--cert and --key" in result.stderr


def test_insecure_dev_mode_says_so_loudly(tmp_path: Path) -> None:
    # 192.0.2.1 (TEST-NET-1) is not ours: binding fails, so nothing is ever exposed.
    result = _serve(tmp_path, "--host", "192.0.2.1", "--insecure-dev")
    assert "WARNING" in result.stderr and "INSECURE DEVELOPMENT MODE" in result.stderr
    assert result.returncode != 0
    # A first start migrates a fresh database: a dozen log lines that scrolled the only
    # warning out of sight. It is repeated after them, just before the server starts.
    lines = result.stderr.splitlines()
    last_migration = max(i for i, line in enumerate(lines) if "alembic" in line)
    assert any("INSECURE DEVELOPMENT MODE" in line for line in lines[last_migration:])


def test_tls_serving(tmp_path: Path) -> None:
    cert, key = self_signed_certificate(tmp_path)
    db_url = f"sqlite:///{tmp_path / 'tls.db'}"
    held = PortReservation()  # the server's bind shares it; no other worker gets it meanwhile
    port = held.port
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "sync_server.cli",
            "serve",
            "--port",
            str(port),
            "--database-url",
            db_url,
            "--cert",
            str(cert),
            "--key",
            str(key),
        ],
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        context = ssl.create_default_context(cafile=str(cert))
        with SyncServerClient(
            f"https://127.0.0.1:{port}",
            verify=context,
            max_retries=40,
            backoff_base=0.1,
            backoff_max=0.3,
        ) as client:
            assert client.health().status == "ok"
        # Without being told to trust that certificate, a client refuses the server (the
        # default authorities are loaded once per process and shared by every client).
        for _ in range(2):
            untrusting = SyncServerClient(f"https://127.0.0.1:{port}", max_retries=0)
            with untrusting, pytest.raises(CertificateProblem):
                untrusting.health()
    finally:
        proc.terminate()
        proc.wait(timeout=10)


def test_migrate_enroll_devices_revoke(tmp_path: Path) -> None:
    db_url = f"sqlite:///{tmp_path / 'admin.db'}"
    assert "up to date" in run_cli(db_url, "migrate").stdout
    assert "up to date" in run_cli(db_url, "migrate").stdout  # idempotent
    code = run_cli(db_url, "enroll", "--name", "Laptop Ana").stdout.strip()
    assert len(code) == 19 and code.count("-") == 3
    assert (
        run_cli(db_url, "enroll", "--name", "x", "--valid-hours", "0", check=False).returncode == 2
    )
    assert run_cli(db_url, "devices").stdout.strip() == "no devices"
    missing = run_cli(db_url, "revoke", "0000", check=False)
    assert missing.returncode == 1 and "no device" in missing.stderr


def test_server_process_fixture_is_restartable(tmp_path: Path) -> None:
    server = ServerProcess(db_url=f"sqlite:///{tmp_path / 'r.db'}", log_path=tmp_path / "r.log")
    server.start()
    server.kill()
    server.start()
    with server.client() as client:
        assert client.health().status == "ok"
    server.stop()


def test_servers_forked_for_tests_are_processes_of_their_own(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The harness forks each server from a process that imported the server once: each is a
    process of its own, with the test's environment, its output in its own log, its end seen as
    Popen's (a crash as SIGKILL, a stop as SIGTERM), the others unharmed."""
    servers = [
        ServerProcess(db_url=migrated_sqlite(tmp_path / f"{n}.db"), log_path=tmp_path / f"{n}.log")
        for n in "ab"
    ]
    # The server refuses this address only if it reads the environment it was started with.
    refused = ServerProcess(db_url="", log_path=tmp_path / "refused.log")
    try:
        with monkeypatch.context() as env, pytest.raises(RuntimeError, match="exited early"):
            env.setenv("WELCOME_DESK_SERVER_DB", "not a url")
            refused.start()
    finally:
        refused.stop()  # one that started on another database after all
        refused.release_port()
    assert "not a database URL" in refused.log_text()
    try:
        for server in servers:
            server.start()
        first, second = (server.proc for server in servers)
        assert first is not None and second is not None and first.pid != second.pid
        servers[0].kill()
        assert first.returncode == -signal.SIGKILL
        with servers[1].client() as client:
            assert client.health().status == "ok"
        servers[1].stop()
        # As a new interpreter's: uvicorn shuts down, then raises the signal it caught again.
        assert second.returncode == -signal.SIGTERM
        for server in servers:
            assert "Uvicorn running on http://127.0.0.1:" in server.log_text()
        assert f":{servers[0].port}" not in servers[1].log_text()
    finally:
        for server in servers:
            server.stop()
            server.release_port()


def _bind_fails(port: int) -> bool:
    """Whether another process binding ``port`` (as a server on another test worker would,
    after its own bind(0) handed it out) is refused."""
    with socket.socket() as other:
        try:
            other.bind(("127.0.0.1", port))
        except OSError as exc:
            return exc.errno == errno.EADDRINUSE
        return False


@pytest.mark.parametrize("workers", [1, 2])
def test_server_port_is_held_from_creation_to_release(tmp_path: Path, workers: int) -> None:
    """Under pytest-xdist, a port found free and closed again before the server bound it could
    go to a server on the other worker in between; so could the port of a stopped server
    before its restart. The port stays bound from the ServerProcess's creation on."""
    server = ServerProcess(
        db_url=f"sqlite:///{tmp_path / 'p.db'}", log_path=tmp_path / "p.log", workers=workers
    )
    port = server.port
    assert _bind_fails(port)  # before the first start
    server.start()
    server.stop()
    assert _bind_fails(port)  # between a stop and the restart
    with pytest.raises(httpx.ConnectError):  # and nothing answers there meanwhile
        httpx.get(f"{server.base_url}/v1/health", timeout=5)
    server.start()
    assert server.port == port
    with server.client() as client:
        assert client.health().status == "ok"
    server.stop()
    server.release_port()
    assert not _bind_fails(port)


def test_server_moves_to_another_port_if_its_first_is_taken(tmp_path: Path) -> None:
    """A process outside the test run may have found the port free before it was reserved and
    listen on it (SO_REUSEADDR binds share a port nobody listens on): the first start then
    takes another port instead of failing the test."""
    server = ServerProcess(db_url=f"sqlite:///{tmp_path / 't.db'}", log_path=tmp_path / "t.log")
    taken = server.port
    with socket.socket() as squatter:
        squatter.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        squatter.bind(("127.0.0.1", taken))
        squatter.listen()
        server.start()
        try:
            assert server.port != taken
            with server.client() as client:
                assert client.health().status == "ok"
        finally:
            server.stop()
            server.release_port()
    assert "address already in use" in server.log_text().lower()


def test_head_revision_constant_matches_migrations() -> None:
    from alembic.script import ScriptDirectory

    from sync_server import db

    script = ScriptDirectory.from_config(db.alembic_config())
    assert script.get_current_head() == db.HEAD_REVISION


def test_serve_uses_the_c_http_parser_and_event_loop() -> None:
    """httptools and uvloop are dependencies: with h11 and asyncio a push took a third more
    server CPU (bench/sync_server_load.py). uvicorn's "auto" picks them when importable."""
    import uvicorn
    from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol

    config = uvicorn.Config("sync_server.app:create_app_from_env", http="auto", loop="auto")
    config.load()
    assert config.http_protocol_class is HttpToolsProtocol
    if sys.platform != "win32":
        import uvloop

        factory = config.get_loop_factory()
        assert factory is not None
        loop = factory()
        try:
            assert isinstance(loop, uvloop.Loop)
        finally:
            loop.close()


def _no_traceback(result: subprocess.CompletedProcess[str]) -> None:
    assert "Traceback" not in result.stderr, result.stderr


def test_unreachable_database_is_one_clear_line(tmp_path: Path) -> None:
    # Nothing listens on this loopback port: PostgreSQL refuses the connection at once.
    nobody = PortReservation()  # held for the test: no other worker's server listens there
    url = f"postgresql://welcome_desk:secret-pw@127.0.0.1:{nobody.port}/welcome_desk"
    for command in (["migrate"], ["enroll", "--name", "Laptop 3"], ["devices"]):
        result = run_cli(url, *command, check=False)
        _no_traceback(result)
        assert result.returncode == 1
        assert "error: cannot use the database postgresql+psycopg://welcome_desk:***@" in (
            result.stderr
        )
        assert "secret-pw" not in result.stderr + result.stdout
    served = _serve(tmp_path, "--database-url", url)
    _no_traceback(served)
    assert served.returncode == 1 and "cannot use the database" in served.stderr


def test_malformed_database_url_is_a_usage_error(tmp_path: Path) -> None:
    result = run_cli("not a url", "migrate", check=False)
    _no_traceback(result)
    assert result.returncode == 2 and "not a database URL" in result.stderr


def test_database_of_a_newer_server_is_refused_clearly(tmp_path: Path) -> None:
    import sqlite3

    db_url = f"sqlite:///{tmp_path / 'newer.db'}"
    run_cli(db_url, "migrate")
    with sqlite3.connect(tmp_path / "newer.db") as conn:
        conn.execute("UPDATE alembic_version SET version_num = '9999'")
    result = run_cli(db_url, "enroll", "--name", "x", check=False)
    _no_traceback(result)
    assert result.returncode == 1
    assert "schema revision 9999" in result.stderr and "newer" in result.stderr


def test_migrate_upgrades_a_database_of_the_previous_revision(tmp_path: Path) -> None:
    """An existing server database one revision behind (downgraded with Alembic) is brought
    up to date by ``migrate``, keeping its devices; a second ``migrate`` changes nothing."""
    from alembic import command

    from sync_server import db

    db_url = f"sqlite:///{tmp_path / 'old.db'}"
    run_cli(db_url, "migrate")
    run_cli(db_url, "enroll", "--name", "Laptop 1")
    engine = db.create_db_engine(db_url)
    try:
        config = db.alembic_config()
        with engine.begin() as connection:
            config.attributes["connection"] = connection
            command.downgrade(config, "-1")
        assert db.current_revision(engine) != db.HEAD_REVISION
        assert "up to date" in run_cli(db_url, "migrate").stdout
        assert db.current_revision(engine) == db.HEAD_REVISION
        assert "up to date" in run_cli(db_url, "migrate").stdout
    finally:
        engine.dispose()


def test_a_database_of_revision_0002_upgraded_stores_erasing_envelopes(db_url: str) -> None:
    """Migrations 0003 and 0004 on a database of 0002 (SQLite and PostgreSQL, whose push
    function they replace): the envelopes stored before keep their place; a tombstone pushed
    after the upgrade drops its record's earlier revision, in the same push."""
    import os
    import uuid

    from alembic import command
    from sqlalchemy import select

    from desktop_app.sync import crypto
    from sync_server import db, models, wire
    from sync_server.service import SyncService

    run_cli(db_url, "migrate")
    engine = db.create_db_engine(db.resolve_database_url(db_url))
    try:
        config = db.alembic_config()
        with engine.begin() as connection:
            config.attributes["connection"] = connection
            command.downgrade(config, "0002")
        assert db.current_revision(engine) == "0002"
        assert "up to date" in run_cli(db_url, "migrate").stdout
        service = SyncService(engine)
        keys = crypto.DeviceKeys.generate()
        code = service.issue_code("Laptop", 1).code
        reg = service.register(
            wire.RegisterRequest(
                code=code, device_name="Laptop", public_key=wire.b64encode(keys.public_key)
            )
        )
        device = service.authenticate(reg.token)
        team, record = crypto.new_team_key(), str(uuid.uuid4())

        def envelope(revision: int, erases: bool) -> wire.Envelope:
            return crypto.seal(
                team.key,
                team.key_id,
                record,
                "visit",
                revision,
                os.urandom(40),
                author_device=device.id,
                client_hlc=f"{revision:013d}-00000-{device.id}",
                erases=erases,
            )

        first = service.push(device, wire.PushRequest(envelopes=[envelope(1, False)]))
        assert first.accepted == 1
        answer = service.push(
            device, wire.PushRequest(envelopes=[envelope(2, True), envelope(3, False)])
        )
        assert [r.status for r in answer.results] == ["accepted", "refused"]
        stored = models.StoredEnvelope
        with engine.connect() as connection:
            held = connection.execute(select(stored.revision, stored.erases)).all()
        assert [tuple(row) for row in held] == [(2, True)]
    finally:
        engine.dispose()


def test_unreadable_tls_files_are_one_clear_line(tmp_path: Path) -> None:
    cert, key = self_signed_certificate(tmp_path)
    missing = _serve(tmp_path, "--cert", str(tmp_path / "nope.pem"), "--key", str(key))
    _no_traceback(missing)
    assert missing.returncode == 2 and "cannot load the TLS certificate" in missing.stderr
    swapped = _serve(tmp_path, "--cert", str(key), "--key", str(cert))
    _no_traceback(swapped)
    assert swapped.returncode == 2 and "cannot load the TLS certificate" in swapped.stderr
    assert not (tmp_path / "s.db").exists()  # refused before touching the database


def _statuses(db_url: str) -> dict[str, str]:
    """Device id: status, as ``welcome-desk-server devices`` lists them."""
    header, *lines = run_cli(db_url, "devices").stdout.splitlines()
    assert header.split()[:2] == ["ID", "STATUS"], header
    return {line.split()[0]: line.split()[1] for line in lines if not line.startswith("unused")}


def test_the_last_approved_coordinator_device_is_revoked_only_with_force(
    laptops: Laptops, server: ServerProcess
) -> None:
    """Revoked, the organisation's last coordinator device leaves nobody who can approve a
    laptop, renew the team key or publish reference data (a coordinator enrolled but not
    approved yet cannot: only a coordinator approves it). The operator is told so in one line
    and nothing changes, unless ``--force``."""
    # A coordinates, B is a member's laptop (one approved for coordinators would count)
    a, b = laptops.new("A"), laptops.new("B", role=Role.ADVISOR)
    waiting = laptops.new("W", approve=False, coordinator=True)  # enrolled, not approved
    url = server.db_url
    refused = run_cli(url, "revoke", device_id(a)[:8], check=False)
    assert refused.returncode == 1 and refused.stdout == ""
    (line,) = refused.stderr.strip().splitlines()
    assert line.startswith(f"error: {device_id(a)} is the last approved coordinator device")
    assert "nobody could approve new laptops" in line and "--force" in line
    assert _statuses(url)[device_id(a)] == "approved"
    laptops.sync(a)  # still syncs
    # A member's laptop, and a coordinator's while another is left: revoked as before.
    assert run_cli(url, "revoke", device_id(b)).returncode == 0
    c = laptops.new("C", coordinator=True)  # approved by A
    done = run_cli(url, "revoke", device_id(a))
    assert done.stdout.startswith(f"revoked {device_id(a)}") and "warning" not in done.stderr
    # Now C is the last one.
    assert run_cli(url, "revoke", device_id(c), check=False).returncode == 1
    assert _statuses(url)[device_id(c)] == "approved"
    forced = run_cli(url, "revoke", device_id(c), "--force")
    assert forced.stdout.startswith(f"revoked {device_id(c)}")
    assert "warning: no approved coordinator device is left" in forced.stderr
    statuses = _statuses(url)
    assert [statuses[device_id(s)] for s in (a, b, c, waiting)] == [
        "revoked",
        "revoked",
        "revoked",
        "pending",
    ]


def test_two_coordinators_revoking_each_other_at_once_leave_one(
    laptops: Laptops, server: ServerProcess
) -> None:
    """What the server does with C's request to revoke A when A's revocation of C committed
    between C's authentication and its write (the counted coordinators are read under the
    write lock): the second is refused, and A remains."""
    a = laptops.new("A")
    c = laptops.new("C", coordinator=True)
    with sync_uc.client_for(a.store) as client:
        assert client.revoke(device_id(c)).status == "revoked"
    with pytest.raises(ApiError) as refused:
        server.service.revoke(device_id(a), by=device_id(c))  # as the API handler calls it
    assert (refused.value.status, refused.value.code) == (409, "last_coordinator")
    assert _statuses(server.db_url)[device_id(a)] == "approved"
    laptops.sync(a)
