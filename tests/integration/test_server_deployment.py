"""The documented server deployment: unit file and example environment parse and agree with
the server's command line; the documented PostgreSQL set-up runs on a real cluster."""

from __future__ import annotations

import configparser
import os
import re
import shlex
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
SERVER = ROOT / "installer" / "server"


def _env_example() -> dict[str, str]:
    pairs = {}
    for line in (SERVER / "server.env.example").read_text().splitlines():
        if line.strip() and not line.startswith("#"):
            key, _, value = line.partition("=")
            pairs[key] = value
    return pairs


def test_unit_file_parses_and_its_command_line_is_accepted(tmp_path: Path) -> None:
    unit = configparser.ConfigParser(strict=False, interpolation=None)
    unit.optionxform = str  # type: ignore[assignment,method-assign]
    unit.read(SERVER / "welcome-desk-server.service")
    assert unit["Service"]["EnvironmentFile"] == "/etc/welcome-desk/server.env"
    env = _env_example()
    assert env["WELCOME_DESK_SERVER_DB"].startswith("postgresql://")
    command = unit["Service"]["ExecStart"]
    used = set(re.findall(r"\$\{(\w+)\}", command))
    assert used <= set(env), used - set(env)
    argv = shlex.split(re.sub(r"\$\{(\w+)\}", lambda m: env[m.group(1)], command))
    assert argv[0].endswith("welcome-desk-server") and argv[1] == "serve"
    # The server's own parser accepts every option the unit passes.
    from sync_server.cli import _parser

    args = _parser().parse_args(argv[1:])
    assert args.cert == env["WELCOME_DESK_TLS_CERT"] and args.port == int(env["WELCOME_DESK_PORT"])
    assert unit["Service"]["ExecStartPre"].endswith("welcome-desk-server migrate")


@pytest.mark.postgres
def test_documented_postgres_setup_gives_a_database_the_server_migrates(tmp_path: Path) -> None:
    base = os.environ.get("WELCOME_DESK_TEST_PG_URL")
    if not base:
        pytest.skip("WELCOME_DESK_TEST_PG_URL not set")
    from sqlalchemy.engine import make_url

    url = make_url(base)
    suffix = os.urandom(3).hex()
    role, db = f"wd_role_{suffix}", f"wd_db_{suffix}"
    env = {
        **os.environ,
        "PGHOST": url.host or "127.0.0.1",
        "PGPORT": str(url.port or 5432),
        "PGUSER": url.username or "postgres",
        "PGDATABASE": "postgres",
        "WELCOME_DESK_DB_PASSWORD": "test-password-1",
        "WELCOME_DESK_DB_ROLE": role,
        "WELCOME_DESK_DB_NAME": db,
    }
    done = subprocess.run(
        [str(SERVER / "setup-postgres.sh")], env=env, capture_output=True, text=True, timeout=60
    )
    assert done.returncode == 0, done.stderr
    target = f"postgresql://{role}:test-password-1@{env['PGHOST']}:{env['PGPORT']}/{db}"
    migrated = subprocess.run(
        [sys.executable, "-m", "sync_server.cli", "migrate", "--database-url", target],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert migrated.returncode == 0, migrated.stderr
    subprocess.run(["psql", "-q", "-c", f'DROP DATABASE "{db}" WITH (FORCE)'], env=env, check=True)
    subprocess.run(["psql", "-q", "-c", f'DROP ROLE "{role}"'], env=env, check=True)


def test_documented_enroll_command_runs_with_the_example_environment(tmp_path: Path) -> None:
    """The command installer/server/README.md gives for a first code, run as written against a
    copy of server.env.example (its database URL pointed at a throwaway SQLite file)."""
    readme = (SERVER / "README.md").read_text()
    lines = [line for line in readme.splitlines() if "welcome-desk-server enroll" in line]
    assert lines, "README names no enroll command"
    argv = shlex.split(lines[0].strip().strip("`"))
    start = next(i for i, arg in enumerate(argv) if arg.endswith("/welcome-desk-server"))
    assert argv[:start] == ["sudo", "-u", "welcome-desk"], argv[:start]
    args = argv[start + 1 :]
    env_file = tmp_path / "server.env"
    example = (SERVER / "server.env.example").read_text()
    env_file.write_text(
        re.sub(
            r"^WELCOME_DESK_SERVER_DB=.*$",
            f"WELCOME_DESK_SERVER_DB=sqlite:///{tmp_path / 'server.db'}",
            example,
            flags=re.MULTILINE,
        )
    )
    assert "/etc/welcome-desk/server.env" in args
    args = [str(env_file) if a == "/etc/welcome-desk/server.env" else a for a in args]
    clean = {k: v for k, v in os.environ.items() if not k.startswith("WELCOME_DESK_")}
    done = subprocess.run(
        [sys.executable, "-m", "sync_server.cli", *args],
        cwd=ROOT,
        env=clean,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 0, done.stderr
    assert re.fullmatch(r"[0-9A-Z]{4}(-[0-9A-Z]{4}){3}\n", done.stdout), done.stdout
    assert (tmp_path / "server.db").exists()  # the database named in the file, none other
    listed = subprocess.run(
        [sys.executable, "-m", "sync_server.cli", "devices", "--env-file", str(env_file)],
        cwd=ROOT,
        env=clean,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert listed.returncode == 0 and listed.stdout.strip() == "no devices", listed.stderr
