"""``welcome-desk devices code --name NAME`` on a coordinator's laptop prints a new laptop's
one-time code, with which the new laptop joins; a member's laptop and a bad name are refused
in the user's language. A real server on 127.0.0.1."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from desktop_app.exits import EXIT_INVALID
from tests.integration.sync_harness import ServerProcess, run_desk

CODE = re.compile(r"[A-Z2-9]{4}(-[A-Z2-9]{4}){3}")


def _joined(server: ServerProcess, folder: str, code: str, name: str) -> str:
    assert run_desk("init", "--data-dir", folder, "--account", "anna").returncode == 0
    joined = run_desk(
        "join", "--data-dir", folder, "--server", server.base_url, "--code", code, "--name", name
    )
    assert joined.returncode == 0, joined.stderr
    return joined.stdout


@pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)
def test_a_coordinators_laptop_prints_a_code_a_new_laptop_joins_with(
    server: ServerProcess, tmp_path: Path
) -> None:
    a, b, c = (str(tmp_path / n) for n in "abc")
    _joined(server, a, server.enroll_cli("A"), "Laptop A")
    issued = run_desk("devices", "code", "--name", "Laptop B", "--data-dir", a, lang="de")
    assert issued.returncode == 0, issued.stderr
    code = issued.stdout.strip()
    assert CODE.fullmatch(code), issued.stdout  # the code alone on standard output
    assert "„Laptop B“" in issued.stderr and "Gültig bis" not in issued.stdout
    assert server.base_url in issued.stderr and "welcome-desk join" in issued.stderr
    assert "Waiting for a coordinator" in _joined(server, b, code, "Laptop B")
    listed = run_desk("devices", "list", "--data-dir", a).stdout
    assert "pending" in listed and "Laptop B" in listed
    # single use
    assert run_desk("init", "--data-dir", c, "--account", "anna").returncode == 0
    again = run_desk(
        "join", "--data-dir", c, "--server", server.base_url, "--code", code, "--name", "C"
    )
    assert again.returncode != 0 and "does not accept this enrollment code" in again.stderr

    # a bad name: refused before any request, in the user's language
    bad = run_desk("devices", "code", "--name", "   ", "--data-dir", a, lang="bg")
    assert bad.returncode == EXIT_INVALID, (bad.returncode, bad.stderr)
    assert "Името на новия лаптоп" in bad.stderr and not bad.stdout

    # a laptop that is not a coordinator's on the server: refused by it
    assert run_desk("devices", "code", "--name", "X", "--data-dir", b).returncode != 0
