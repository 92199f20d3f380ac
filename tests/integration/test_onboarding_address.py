"""A server address typed as an operator gives it, without "https://": joined over https,
not refused as "not a server address". A real server process with TLS on 127.0.0.1 and the
``welcome-desk`` command in a process of its own (which trusts the test's authority by
SSL_CERT_FILE, as an administrator sets it)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from desktop_app.usecases import sync as sync_uc
from desktop_app.usecases.settings import server_url_error
from tests.integration.sync_harness import ROOT, self_signed_certificate, started_server

PW = "laptop password 1"


@pytest.mark.parametrize(
    ("typed", "taken"),
    [
        ("sync.example.org", "https://sync.example.org"),
        (" sync.example.org:8443 ", "https://sync.example.org:8443"),
        ("https://sync.example.org:8443/", "https://sync.example.org:8443"),
    ],
)
def test_an_address_without_a_scheme_is_taken_as_https(typed: str, taken: str) -> None:
    assert sync_uc.check_server_url(typed) == taken
    assert server_url_error(typed) is None  # the first-run wizard lets it through too


def test_plain_http_to_another_machine_is_still_refused() -> None:
    with pytest.raises(sync_uc.SyncSetupError) as refused:
        sync_uc.check_server_url("http://sync.example.org")
    assert refused.value.code == "insecure_url"
    error = server_url_error("http://sync.example.org")
    assert error is not None and error.code == "url_not_https"


def _welcome_desk(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "desktop_app.app", *args, "--password-stdin", "--lang", "ro"],
        input=PW + "\n",
        capture_output=True,
        text=True,
        cwd=ROOT,
        env={**os.environ, "WELCOME_DESK_FAST_KDF": "1", **env},
        timeout=120,
    )


def test_a_laptop_joins_by_an_address_typed_without_https(tmp_path: Path) -> None:
    cert, key = self_signed_certificate(tmp_path)
    url = f"sqlite:///{tmp_path / 'server.db'}"
    with started_server(url, tmp_path / "s.log", tls=(cert, key)) as server:
        laptop = str(tmp_path / "laptop")
        trust = {"SSL_CERT_FILE": str(cert)}
        made = _welcome_desk("init", "--data-dir", laptop, "--account", "ioana", env=trust)
        assert made.returncode == 0, made.stderr
        typed = f"127.0.0.1:{server.port}"  # as the operator said it: host and port
        joined = _welcome_desk(
            "join", "--data-dir", laptop, "--server", typed,
            "--code", server.enroll_cli("Birou Nordstadt"), env=trust,
        )  # fmt: skip
        assert joined.returncode == 0, joined.stderr
        assert "https://" not in joined.stderr
        devices = server.service.list_devices().devices
        assert [d.name for d in devices] and devices[0].status == "approved"
