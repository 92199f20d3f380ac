"""The headless sync commands end to end: init, join, approve by fingerprint, confirm the
coordinator's fingerprint (``devices trust``), sync, search."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from desktop_app.exits import EXIT_INVALID
from desktop_app.sync import crypto
from tests.integration.sync_harness import (
    ROOT,
    ServerProcess,
    add_impostor,
    run_cli,
    run_desk,
    wrapped_key_ids,
)

PW = "laptop password 1"


wd = run_desk  # the laptop's command line, in English


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
    # Who uses the laptop is chosen, never assumed.
    unchosen = wd("devices", "approve", device.group(1), "--fingerprint", "XXXX", "--data-dir", a)
    assert unchosen.returncode == 2 and "--role" in unchosen.stderr
    wrong = wd(
        "devices",
        "approve",
        device.group(1),
        "--fingerprint",
        "XXXX",
        "--role",
        "advisor",
        "--data-dir",
        a,
    )
    assert wrong.returncode == 1 and "does not match" in wrong.stderr
    # The id as `devices list` shows it, or a unique beginning of it, as the server's revoke.
    ok = wd(
        "devices",
        "approve",
        device.group(1)[:8],
        "--fingerprint",
        fingerprint.group(1),
        "--role",
        "advisor",
        "--data-dir",
        a,
    )
    assert ok.returncode == 0, ok.stderr
    assert "for Advisors" in ok.stdout
    assert "\tLaptop B\tAdvisors" in wd("devices", "list", "--data-dir", a).stdout
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
    # Laptop B lowered to student helpers, without joining again; never raised so.
    b_id = device.group(1)[:8]
    higher = wd("devices", "set-role", b_id, "--role", "coordinator", "--data-dir", a)
    # (Coordinators are offered for a laptop approved before roles, with none chosen yet.)
    assert higher.returncode == EXIT_INVALID and "joins again" in higher.stderr
    lowered = wd("devices", "set-role", b_id, "--role", "helper", "--data-dir", a)
    assert lowered.returncode == 0, lowered.stderr
    assert "Laptop B: for Student helpers from its next sync on (was: Advisors)" in lowered.stdout
    same = wd("devices", "set-role", b_id, "--role", "helper", "--data-dir", a)
    assert same.returncode == 0 and "nothing was changed" in same.stdout
    raised = wd("devices", "set-role", b_id, "--role", "advisor", "--data-dir", a)
    assert raised.returncode == EXIT_INVALID and "joins again" in raised.stderr
    assert "\tLaptop B\tStudent helpers" in wd("devices", "list", "--data-dir", a).stdout
    assert wd("sync", "--data-dir", b).returncode == 0
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


def welcome_desk(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    """``welcome-desk`` as a user runs it: no ``--lang``, the language from the environment."""
    base = {k: v for k, v in os.environ.items() if k not in LOCALE_VARS}
    return subprocess.run(
        [sys.executable, "-m", "desktop_app.app", *args, "--password-stdin"],
        input=PW + "\n",
        capture_output=True,
        text=True,
        cwd=ROOT,
        env={**base, "WELCOME_DESK_FAST_KDF": "1", **(env or {})},
        timeout=120,
    )


LOCALE_VARS = ("LANGUAGE", "LC_ALL", "LC_MESSAGES", "LANG", "WELCOME_DESK_LANG")


def wd_lang(lang: str, *args: str) -> subprocess.CompletedProcess[str]:
    return welcome_desk(*args, "--lang", lang)


@pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)
def test_a_scheduled_sync_syncs_the_data_opened_in_the_window_after_a_restore(
    server: ServerProcess, tmp_path: Path
) -> None:
    """``welcome-desk sync`` without --data-dir, as a scheduled task runs it, synced the
    default folder's old data after the coordinator had opened restored data in the window.
    It syncs the data the window opens now, and says which folder."""
    from desktop_app.paths import default_data_dir, remember_data_dir

    old, restored = default_data_dir(), tmp_path / "restored"
    for folder in (old, restored):
        assert wd("init", "--data-dir", str(folder), "--account", "anna").returncode == 0
    remember_data_dir(restored)
    joined = wd("join", "--server", server.base_url, "--code", server.enroll_cli("A"))
    assert joined.returncode == 0, joined.stderr
    added = wd("people", "add", "--given", "Радка", "--family", "Стоянова", "--dob", "1990")
    assert added.returncode == 0, added.stderr
    synced = wd("sync")
    assert synced.returncode == 0, synced.stderr
    assert re.search(r"Sync done: [1-9]\d* sent", synced.stdout)
    assert f"Working on the data in {restored}," in synced.stderr
    # the old data joined nothing and holds nobody: the command left it alone
    refused = wd("sync", "--data-dir", str(old))
    assert refused.returncode != 0 and "Sync done" not in refused.stdout
    assert wd("people", "search", "Стоянова", "--data-dir", str(old)).stdout == ""


@pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)
def test_join_refusals_are_sentences_in_the_users_language(
    server: ServerProcess, tmp_path: Path
) -> None:
    laptop = str(tmp_path / "laptop")
    assert wd("init", "--data-dir", laptop, "--account", "anna").returncode == 0

    def join(code: str, *extra: str, lang: str = "en") -> subprocess.CompletedProcess[str]:
        return wd_lang(
            lang, "join", "--data-dir", laptop, "--server", server.base_url, "--code", code, *extra
        )

    unknown = join("AAAA-BBBB-CCCC-DDDD")
    assert unknown.returncode == 6, unknown.stderr
    assert "The server does not accept this enrollment code" in unknown.stderr
    assert "enrollment_invalid" not in unknown.stderr
    bulgarian = join("AAAA-BBBB-CCCC-DDDD", lang="bg")
    assert bulgarian.returncode == 6 and "enrollment_invalid" not in bulgarian.stderr
    assert "код" in bulgarian.stderr
    # Typed wrongly (too short, a character no code has), a name too long: said, no traceback.
    for bad in (["abc"], ["K7QX_2MPA_9TZD_4HRB"], [server.enroll_cli("x"), "--name", "n" * 101]):
        result = join(*bad)
        assert result.returncode == 1, result.stderr
        assert "Traceback" not in result.stderr and result.stderr.strip()
    for url in ("http://[::1", "https://127.0.0.1:99999"):
        result = wd("join", "--data-dir", laptop, "--server", url, "--code", "AAAA-BBBB-CCCC")
        assert result.returncode == 1 and "not a server address" in result.stderr, result.stderr


@pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)
def test_a_revoked_laptop_is_told_so(server: ServerProcess, tmp_path: Path) -> None:
    laptop = str(tmp_path / "laptop")
    assert wd("init", "--data-dir", laptop, "--account", "anna").returncode == 0
    joined = wd(
        "join", "--data-dir", laptop, "--server", server.base_url, "--code", server.enroll_cli("A")
    )
    assert joined.returncode == 0, joined.stderr
    assert wd("sync", "--data-dir", laptop).returncode == 0
    device = re.search(r"Joined as laptop (\S+)\.", joined.stdout)
    assert device
    # Its own laptop, from the coordinator's command line: refused there, before the server.
    for lang, words in (("en", "A laptop cannot revoke itself."), ("de", "nicht selbst sperren")):
        own = wd_lang(lang, "devices", "revoke", device.group(1)[:8], "--data-dir", laptop)
        assert own.returncode == EXIT_INVALID and words in own.stderr, own.stderr
        assert "Traceback" not in own.stderr
    assert f"{device.group(1)}  approved" in run_cli(server.db_url, "devices").stdout
    # Another laptop, revoked from the coordinator's command line: what it could hold is said
    # (it never synced: nobody's records).
    other = server.client()
    keys = crypto.DeviceKeys.generate()
    reg = other.register(server.enroll("Laptop B"), "Laptop B", keys.public_key)
    other.close()
    revoked = wd_lang("de", "devices", "revoke", reg.device_id, "--data-dir", laptop)
    assert revoked.returncode == 0, revoked.stderr
    assert "„Laptop B“ hatte von niemandem Daten erhalten." in revoked.stdout, revoked.stdout
    assert "SQLCipher" in revoked.stdout
    # The organisation's only coordinator: revoked only when the operator insists.
    assert run_cli(server.db_url, "revoke", device.group(1), check=False).returncode == 1
    run_cli(server.db_url, "revoke", device.group(1), "--force")
    refused = wd("sync", "--data-dir", laptop)
    assert refused.returncode == 6
    assert "This laptop was revoked and no longer syncs." in refused.stderr, refused.stderr


@pytest.mark.parametrize(
    ("env", "expected"),
    [
        # The locale need not be installed on the machine for its language to be meant.
        ({"LANG": "bg_BG.UTF-8"}, "няма хранилище"),
        ({"LC_ALL": "ro_RO.UTF-8", "LANG": "de_DE.UTF-8"}, "nu există"),
        ({"LANGUAGE": "bg:en", "LANG": "en_US.UTF-8"}, "няма хранилище"),
        # "C" says nothing about a language: the app's default, German.
        ({"LANG": "C.UTF-8"}, "keinen Datenbestand"),
        ({"WELCOME_DESK_LANG": "ro", "LANG": "bg_BG.UTF-8"}, "nu există"),
    ],
)
def test_messages_follow_the_language_of_the_environment(
    tmp_path: Path, env: dict[str, str], expected: str
) -> None:
    result = welcome_desk("sync", "--data-dir", str(tmp_path / "none"), env=env)
    assert result.returncode == 4
    assert expected in result.stderr, result.stderr


def test_joining_a_server_with_a_certificate_of_the_organisation(tmp_path: Path) -> None:
    """A self-signed certificate (or one of the organisation's own authority): refused with
    a sentence saying so while the laptop does not trust it; joined once it does."""
    from tests.integration.sync_harness import self_signed_certificate, started_server

    cert, key = self_signed_certificate(tmp_path)
    db_url = f"sqlite:///{tmp_path / 'tls.db'}"
    with started_server(db_url, tmp_path / "server.log", tls=(cert, key)) as server:
        laptop = str(tmp_path / "laptop")
        assert wd("init", "--data-dir", laptop, "--account", "anna").returncode == 0
        code = server.enroll_cli("Laptop A")
        url = f"https://127.0.0.1:{server.port}"
        untrusted = wd("join", "--data-dir", laptop, "--server", url, "--code", code)
        assert untrusted.returncode == 5, untrusted.stderr
        assert "certificate is not valid" in untrusted.stderr
        assert "Traceback" not in untrusted.stderr
        # OpenSSL's variable for an extra authority, as an administrator sets it on Linux.
        trusted = welcome_desk(
            "join",
            "--data-dir",
            laptop,
            "--server",
            url,
            "--code",
            code,
            "--lang",
            "en",
            env={"SSL_CERT_FILE": str(cert)},
        )
        assert trusted.returncode == 0, trusted.stderr
        assert "Joined as laptop" in trusted.stdout
