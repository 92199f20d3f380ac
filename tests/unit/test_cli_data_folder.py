"""The commands work on the data folder the window opens: after the coordinator opened a
restored backup's data in the window, a backup (or a sync, tests/integration/test_sync_cli.py)
from the command line took the old data in the default folder, unsaid. Real processes."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from desktop_app.domain.person import PersonDraft
from desktop_app.paths import default_data_dir, remember_data_dir
from desktop_app.usecases import people
from desktop_app.usecases.accounts import create_first_account, log_in
from desktop_app.usecases.backup import restore_backup
from tests.conftest import PASSWORD
from tests.unit.test_cli import ROOT, run

PASSPHRASE = "a long backup passphrase 7"


def _store(folder: Path, given: str, family: str) -> Path:
    session = create_first_account(folder, "anna", "Anna Schmidt", PASSWORD)
    people.register_person(session.store, session.user, PersonDraft(given, family, "1990"))
    session.close()
    return folder


@pytest.fixture
def default_store() -> Path:
    """The data the program worked on before the restore, in the default folder."""
    return _store(default_data_dir(), "Ion", "Vechiul")


@pytest.fixture
def restored(tmp_path: Path, default_store: Path) -> Path:
    """A restored backup's data, opened in the window (which remembers its folder)."""
    folder = _store(tmp_path / "restored", "Мария", "Новакова")
    remember_data_dir(folder)
    return folder


def _run(*args: str, stdin: str = PASSWORD, lang: str = "en") -> subprocess.CompletedProcess[str]:
    """``welcome-desk ARGS`` as a scheduled task runs it: no --data-dir unless given (the
    subprocess has the test's own XDG_DATA_HOME, tests/conftest.py)."""
    return run(*args, "--password-stdin", password=stdin, lang=lang)


def _names(folder: Path) -> set[str]:
    session = log_in(folder, "anna", PASSWORD)
    try:
        return {e.family_name for e in people.list_people(session.store, 0, 100)}
    finally:
        session.close()


def test_a_backup_from_the_command_line_is_of_the_data_opened_in_the_window(
    restored: Path, tmp_path: Path
) -> None:
    out = tmp_path / "nightly.wdbackup"
    done = _run(
        "backup", "--out", str(out), "--passphrase-stdin", stdin=f"{PASSWORD}\n{PASSPHRASE}"
    )
    assert done.returncode == 0, done.stderr
    assert done.stderr == (
        f"Working on the data in {restored}, the folder opened in the window after a restore "
        "(--data-dir chooses another).\n"
    )
    restore_backup(out, tmp_path / "check", PASSPHRASE)
    assert _names(tmp_path / "check") == {"Новакова"}  # not the default folder's "Vechiul"


def test_the_data_dir_option_still_names_the_folder_and_no_note_is_needed(
    restored: Path, default_store: Path
) -> None:
    found = _run("people", "search", "Vechiul", "--data-dir", str(default_store))
    assert found.returncode == 0, found.stderr
    assert "Vechiul, Ion" in found.stdout and found.stderr == ""
    found = _run("people", "search", "Vechiul")  # without it: the restored data
    assert found.returncode == 0 and "Vechiul" not in found.stdout
    assert str(restored) in found.stderr
    assert "Новакова, Мария" in _run("people", "search", "Новакова").stdout


def test_a_remembered_folder_that_holds_no_data_falls_back_to_the_default_and_says_so(
    default_store: Path, tmp_path: Path
) -> None:
    """The restored data on a stick not plugged in: the default folder's data, and a note
    naming both folders, in the user's language."""
    remember_data_dir(tmp_path / "stick")
    found = _run("people", "search", "Vechiul")
    assert found.returncode == 0, found.stderr
    assert "Vechiul, Ion" in found.stdout
    assert found.stderr == (
        f"The data folder opened in the window after a restore, {tmp_path / 'stick'}, holds no "
        f"data (a drive not connected?): working on the default data folder {default_store}.\n"
    )
    german = _run("people", "search", "Vechiul", lang="de")
    assert german.returncode == 0
    assert "Standard-Datenordner" in german.stderr and str(tmp_path / "stick") in german.stderr
    assert not (tmp_path / "stick").exists()  # nothing set up there


def test_the_default_folder_and_commands_without_data_say_nothing(
    default_store: Path, tmp_path: Path
) -> None:
    found = _run("people", "search", "Vechiul")
    assert found.returncode == 0 and "Vechiul, Ion" in found.stdout and found.stderr == ""
    remember_data_dir(tmp_path / "stick")
    checked = _run("forms", "check", str(ROOT / "resources" / "forms"))
    assert checked.returncode == 0, checked.stderr
    assert "data folder" not in checked.stderr.lower()
