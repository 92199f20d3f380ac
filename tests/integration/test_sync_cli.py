"""The headless sync commands end to end: init, join, approve by fingerprint, confirm the
coordinator's fingerprint (``devices trust``), sync, search."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from sync_harness import ROOT, ServerProcess, add_impostor, wrapped_key_ids

PW = "laptop password 1"


def wd(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "desktop_app.app", *args, "--password-stdin", "--lang", "en"],
        input=PW + "\n",
        capture_output=True,
        text=True,
        cwd=ROOT,
        env={**os.environ, "WELCOME_DESK_FAST_KDF": "1"},
        timeout=120,
    )


@pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)
def test_two_laptops_join_and_sync_from_the_command_line(
    server: ServerProcess, tmp_path: Path
) -> None:
    a, b = str(tmp_path / "a"), str(tmp_path / "b")
    for folder in (a, b):
        assert wd("init", "--data-dir", folder, "--account", "anna").returncode == 0
    joined = wd(
        "join",
        "--data-dir",
        a,
        "--server",
        server.base_url,
        "--code",
        server.enroll_cli("A"),
        "--name",
        "Laptop A",
    )
    assert joined.returncode == 0, joined.stderr
    joined_b = wd(
        "join",
        "--data-dir",
        b,
        "--server",
        server.base_url,
        "--code",
        server.enroll_cli("B"),
        "--name",
        "Laptop B",
    )
    assert "Waiting for a coordinator" in joined_b.stdout
    fingerprint = re.search(r"Fingerprint of this laptop: (.+)$", joined_b.stdout, re.MULTILINE)
    device = re.search(r"Joined as laptop (\S+)\.", joined_b.stdout)
    assert fingerprint and device
    refused = wd("sync", "--data-dir", b)
    assert refused.returncode == 1 and "waiting for a coordinator" in refused.stderr
    listed = wd("devices", "list", "--data-dir", a)
    assert device.group(1) in listed.stdout and "pending" in listed.stdout
    wrong = wd("devices", "approve", device.group(1), "--fingerprint", "XXXX", "--data-dir", a)
    assert wrong.returncode == 1 and "does not match" in wrong.stderr
    ok = wd(
        "devices",
        "approve",
        device.group(1),
        "--fingerprint",
        fingerprint.group(1),
        "--data-dir",
        a,
    )
    assert ok.returncode == 0, ok.stderr
    # B takes the team key only after its user confirms A's fingerprint, which A lists first.
    waiting = wd("sync", "--data-dir", b)
    assert waiting.returncode == 1 and "“Laptop A” sent a team key" in waiting.stderr
    assert "welcome-desk devices trust --fingerprint" in waiting.stderr
    own = re.match(r"# Fingerprint of this laptop: (.+)$", listed.stdout, re.MULTILINE)
    assert own, listed.stdout
    wrong_a = wd("devices", "trust", "--fingerprint", fingerprint.group(1), "--data-dir", b)
    assert wrong_a.returncode == 1 and "not the fingerprint" in wrong_a.stderr
    assert wd("sync", "--data-dir", b).returncode == 1  # nothing changed
    trusted = wd("devices", "trust", "--fingerprint", own.group(1).lower(), "--data-dir", b)
    assert trusted.returncode == 0, trusted.stderr
    assert "Confirmed: Laptop A" in trusted.stdout
    assert (
        wd(
            "people",
            "add",
            "--data-dir",
            a,
            "--given",
            "Радка",
            "--family",
            "Стоянова",
            "--dob",
            "1990",
        ).returncode
        == 0
    )
    # The person, and the audit entries and account records that travel with it.
    assert re.search(r"Sync done: [1-9]\d* sent", wd("sync", "--data-dir", a).stdout)
    assert re.search(r"[1-9]\d* received", wd("sync", "--data-dir", b).stdout)
    found = wd("people", "search", "stoyanova", "--data-dir", b)
    assert "Стоянова, Радка" in found.stdout
    # A device the server's operator listed as approved gets no renewed key, and is named.
    impostor = add_impostor(server, "Laptop C")
    rotated = wd("keys", "rotate", "--data-dir", a)
    assert rotated.returncode == 0, rotated.stderr
    assert "A new team key is in use." in rotated.stdout
    assert "1 laptop was not given the new team key:" in rotated.stdout
    assert f"Laptop C ({impostor.device_id}): the team has no record" in rotated.stdout
    assert "Laptop B" not in rotated.stdout and device.group(1) not in rotated.stdout
    assert "welcome-desk devices approve ID --fingerprint" in rotated.stdout
    assert wrapped_key_ids(server, impostor.device_id) == set()
    assert len(wrapped_key_ids(server, device.group(1))) == 2
    server.stop()
    offline = wd("sync", "--data-dir", b)
    assert offline.returncode == 5 and "Nothing was lost" in offline.stderr
    assert "Traceback" not in offline.stderr
    # A renewal the server is not there for: nothing given out, and said so until it is done.
    broken_off = wd("keys", "rotate", "--data-dir", a)
    assert broken_off.returncode == 5 and "Nothing was lost" in broken_off.stderr
    server.start()
    reminded = wd("sync", "--data-dir", a)
    assert reminded.returncode == 0, reminded.stderr
    reminder = "Renewing the team key was broken off: renew it again (welcome-desk keys rotate)."
    assert reminder in reminded.stderr
    assert wd("keys", "rotate", "--data-dir", a).returncode == 0
    done = wd("sync", "--data-dir", a)
    assert done.returncode == 0 and reminder not in done.stderr
    assert len(wrapped_key_ids(server, device.group(1))) == 4  # the broken-off key as well
    server.stop()
