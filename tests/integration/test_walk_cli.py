"""A walk through the two command lines as their users meet them, in real processes on
127.0.0.1: the city's IT person running ``welcome-desk-server`` (help, migrate on SQLite and
PostgreSQL, serve with TLS, enroll, devices, revoke, and what goes wrong) and an advisor's
laptop without its window (``welcome-desk join`` and ``sync``). A mistake gets one line that
says what is wrong and what to do, no traceback, and an exit code that --help names."""

from __future__ import annotations

import re
import socket
import ssl
import subprocess
import sys
from pathlib import Path

import httpx
import pytest

from tests.integration.sync_harness import (
    ROOT,
    PortReservation,
    ServerProcess,
    run_cli,
    self_signed_certificate,
    started_server,
)

SERVER_COMMANDS = ("serve", "migrate", "enroll", "devices", "revoke")


def server_cli(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "sync_server.cli", *args],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
    )


def said_once(result: subprocess.CompletedProcess[str], code: int) -> str:
    """The one error line of a failed command, checked: its exit code, no traceback."""
    assert result.returncode == code, (result.returncode, result.stderr)
    assert "Traceback" not in result.stderr, result.stderr
    errors = [line for line in result.stderr.splitlines() if line.startswith("error: ")]
    assert len(errors) == 1, result.stderr
    return errors[0]


# --- The server's administrator -------------------------------------------------------------


def test_every_server_command_says_in_its_help_what_it_does_and_its_exit_codes() -> None:
    """A command's own --help said nothing of what it does, the exit codes were only in the
    README, and --log-level had no help at all."""
    overview = server_cli("--help")
    assert overview.returncode == 0
    assert "exit codes: 0 done; 1 failed" in overview.stdout
    for command in SERVER_COMMANDS:
        shown = server_cli(command, "--help")
        assert shown.returncode == 0, shown.stderr
        rest = shown.stdout.split("\n\n", 1)[1]  # after the usage
        description = rest.splitlines()[0]
        assert description and not description.startswith(("options:", "positional")), rest
        assert description in overview.stdout  # the same words as in the list of commands
        assert "exit codes: 0 done" in shown.stdout
    serve_help = " ".join(server_cli("serve", "--help").stdout.split())
    assert "--log-level {debug,info,warning} how much the server logs" in serve_help
    assert "--port PORT TCP port, 1-65535" in serve_help


def test_migrate_a_fresh_database_then_enroll_list_and_revoke(db_url: str) -> None:
    """On a new SQLite file and on PostgreSQL alike, twice (a second run changes nothing)."""
    for _ in range(2):
        migrated = run_cli(db_url, "migrate")
        assert migrated.stdout.startswith("database is up to date: ")
        assert "Traceback" not in migrated.stderr
    assert run_cli(db_url, "devices").stdout == "no devices\n"
    enrolled = run_cli(db_url, "enroll", "--name", "Büro Nordstadt")
    assert re.fullmatch(r"[0-9A-Z]{4}(-[0-9A-Z]{4}){3}\n", enrolled.stdout), enrolled.stdout
    assert "for 'Büro Nordstadt', single use, valid until " in enrolled.stderr
    for hours in ("0", "-1", "721"):
        refused = run_cli(db_url, "enroll", "--name", "x", "--valid-hours", hours, check=False)
        # It said "between 0 and 720" and refused 0.
        line = said_once(refused, 2)
        assert line == "error: the code must be valid for more than 0 and at most 720 hours"
    unnamed = said_once(run_cli(db_url, "enroll", "--name", " ", check=False), 2)
    assert "the name must be 1 to 100 characters" in unnamed


def test_revoking_an_unknown_device_or_one_revoked_already(
    server: ServerProcess, tmp_path: Path
) -> None:
    first = server.enroll("Laptop 1")
    client = server.client()
    try:
        device = client.register(first, "Laptop 1", b"k" * 32).device_id
    finally:
        client.close()
    unknown = said_once(run_cli(server.db_url, "revoke", "ffff0000", check=False), 1)
    assert unknown == (
        "error: no device matches 'ffff0000'; welcome-desk-server devices lists the devices "
        "and their ids"
    )
    revoked = run_cli(server.db_url, "revoke", device[:8], "--force")
    assert revoked.stdout.startswith(f"revoked {device} (Laptop 1)")
    # Revoked again, it said "revoked" and to renew the team key, as if it had been approved.
    again = run_cli(server.db_url, "revoke", device[:8], "--force", check=False)
    line = said_once(again, 1)
    assert line.startswith(f"error: {device} (Laptop 1) is revoked already since 20")
    assert line.endswith("UTC; nothing changed. Its requests stay refused.")
    assert again.stdout == ""
    assert server.device_status(device) == "revoked"


def test_serve_with_a_self_signed_certificate_on_loopback(tmp_path: Path) -> None:
    cert, key = self_signed_certificate(tmp_path)
    db_url = f"sqlite:///{tmp_path / 'tls.db'}"
    with started_server(db_url, tmp_path / "server.log", tls=(cert, key)) as server:
        url = f"https://127.0.0.1:{server.port}/v1/health"
        with pytest.raises(httpx.ConnectError, match="CERTIFICATE_VERIFY_FAILED"):
            httpx.get(url)
        trusted = ssl.create_default_context(cafile=str(cert))
        assert httpx.get(url, verify=trusted).json()["status"] == "ok"
        # plain HTTP to the TLS port gets no answer of the API
        with pytest.raises(httpx.HTTPError):
            httpx.get(f"http://127.0.0.1:{server.port}/v1/health").raise_for_status()


@pytest.mark.parametrize("host", ["0.0.0.0", "::", "192.0.2.10", "sync.example.org"])
def test_plain_http_off_loopback_is_refused_before_anything_listens(
    tmp_path: Path, host: str
) -> None:
    """Checked only: refused before the server binds (nothing but loopback is ever bound)."""
    database = tmp_path / "s.db"
    with PortReservation() as port:
        result = server_cli(
            "serve", "--database-url", f"sqlite:///{database}", "--host", host, "--port", str(port)
        )
    line = said_once(result, 2)
    assert line == (
        f"error: refusing plain HTTP on {host}: records and tokens would cross the network "
        "unprotected. Give --cert and --key, bind to 127.0.0.1, or (development only) pass "
        "--insecure-dev."
    )
    assert not database.exists()


def test_a_port_in_use_is_one_line_that_says_what_to_do(tmp_path: Path) -> None:
    """uvicorn logged "[Errno 98] error while attempting to bind" and exited 3, a code no
    help named."""
    database = tmp_path / "s.db"
    with socket.socket() as other:
        other.bind(("127.0.0.1", 0))
        other.listen()
        port = other.getsockname()[1]
        result = server_cli("serve", "--database-url", f"sqlite:///{database}", "--port", str(port))
    line = said_once(result, 1)
    assert line == (
        f"error: cannot listen on 127.0.0.1 port {port}: address already in use by another "
        "program (a welcome-desk-server still running?). Stop that one, or give another --port."
    )
    assert "Started server process" not in result.stderr


def test_a_port_out_of_range_is_a_usage_error(tmp_path: Path) -> None:
    """--port 99999 was taken, and uvicorn listened on 34463 while it said 99999."""
    result = server_cli(
        "serve", "--database-url", f"sqlite:///{tmp_path / 's.db'}", "--port", "99999"
    )
    assert result.returncode == 2 and "Traceback" not in result.stderr
    assert "argument --port: 99999 is not a TCP port (1-65535)" in result.stderr
    assert not (tmp_path / "s.db").exists()


def test_a_missing_certificate_file_is_named(tmp_path: Path) -> None:
    _, key = self_signed_certificate(tmp_path)
    missing = tmp_path / "chain.pem"
    with PortReservation() as port:
        result = server_cli(
            "serve",
            "--database-url",
            f"sqlite:///{tmp_path / 's.db'}",
            "--port",
            str(port),
            "--cert",
            str(missing),
            "--key",
            str(key),
        )
    line = said_once(result, 2)
    assert line.startswith(f"error: cannot load the TLS certificate {missing} with the key {key}")
    assert line.endswith(f"No such file or directory: {missing}")


def test_a_sqlite_path_that_cannot_be_made_is_one_line(tmp_path: Path) -> None:
    """A file where the database's folder should be: a traceback of pathlib's mkdir."""
    blocker = tmp_path / "server.db"
    blocker.write_text("not a folder")
    url = f"sqlite:///{blocker / 'sync.db'}"
    for command in (["migrate"], ["devices"], ["enroll", "--name", "Laptop 3"]):
        line = said_once(run_cli(url, *command, check=False), 1)
        assert line == (
            f"error: cannot use the database {url}: File exists: {blocker}. Give a path whose "
            "folder exists or can be created."
        )


def test_an_unreachable_database_says_what_to_check() -> None:
    nobody = PortReservation()  # nothing listens: refused at once
    url = f"postgresql://welcome_desk:pw@127.0.0.1:{nobody.port}/welcome_desk"
    line = said_once(run_cli(url, "devices", check=False), 1)
    assert "Connection refused. Check that the database server runs at that host and port" in line
