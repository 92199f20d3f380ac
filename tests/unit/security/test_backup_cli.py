"""``welcome-desk backup`` / ``restore`` as real processes."""

from __future__ import annotations

from pathlib import Path

from desktop_app.exits import EXIT_STORE
from tests.unit.test_cli import run

PW = "a good password"
PHRASE = "backup phrase 99"


def test_backup_and_restore_round_trip_on_the_command_line(tmp_path: Path) -> None:
    d, new = str(tmp_path / "data"), str(tmp_path / "new")
    init = run("init", "--data-dir", d, "--account", "anna", "--password-stdin", password=PW)
    assert init.returncode == 0
    code = init.stdout.strip().splitlines()[-1]
    assert len(code.split("-")) == 8
    add = ("people", "add", "--data-dir", d, "--password-stdin", "--given", "Ivo", "--family")
    assert run(*add, "Петков", password=PW).returncode == 0
    out = str(tmp_path / "b.wdbackup")
    made = run(
        "backup",
        "--data-dir",
        d,
        "--out",
        out,
        "--password-stdin",
        "--passphrase-stdin",
        password=f"{PW}\n{PHRASE}",
    )
    assert made.returncode == 0, made.stderr
    refused = run(
        "restore", "--in", out, "--data-dir", new, "--passphrase-stdin", password="wrong phrase"
    )
    assert refused.returncode == 4 and "passphrase" in refused.stderr
    restored = run("restore", "--in", out, "--data-dir", new, "--passphrase-stdin", password=PHRASE)
    assert restored.returncode == 0, restored.stderr
    found = run("people", "search", "петков", "--data-dir", new, "--password-stdin", password=PW)
    assert found.returncode == 0 and "Петков" in found.stdout


def test_a_restore_from_a_missing_file_says_which_file_and_why(tmp_path: Path) -> None:
    """The command line said "The backup file cannot be read." for every file error, as the
    restore dialog did: which file, why, and what to do, as the dialog now says it."""
    missing = tmp_path / "stick" / "b.wdbackup"  # a USB stick pulled out
    refused = run(
        "restore",
        "--in",
        str(missing),
        "--data-dir",
        str(tmp_path / "new"),
        "--passphrase-stdin",
        password=PHRASE,
    )
    assert refused.returncode == EXIT_STORE, refused.stderr
    assert f"The backup file {missing} cannot be read." in refused.stderr
    assert "is not there (any more)" in refused.stderr
    assert "Traceback" not in refused.stderr and "FileNotFoundError" not in refused.stderr
