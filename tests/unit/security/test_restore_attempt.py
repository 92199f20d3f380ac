"""The first-run wizard's restore (``backup.RestoreAttempt``): refused or undone, the data
folder is left as it was; a refused password neither loses the restore nor starts the wait
between failed logins afresh."""

from __future__ import annotations

from pathlib import Path

import pytest

from desktop_app.domain.person import PersonDraft
from desktop_app.storage.db import StoreExists
from desktop_app.storage.keyslots import KeySlotError, LoginDelayed
from desktop_app.usecases import backup, people
from desktop_app.usecases.accounts import Session, create_first_account, log_in
from tests.conftest import PASSWORD

PASSPHRASE = "backup phrase 2026"


def _backup_of(tmp_path: Path, name: str, account: str, person: str) -> Path:
    old = create_first_account(tmp_path / name, account, account.title(), PASSWORD)
    try:
        people.register_person(old.store, old.user, PersonDraft(person, "Petrova"))
        file = tmp_path / f"{name}.wdbackup"
        backup.write_backup(old, file, PASSPHRASE)
    finally:
        old.close()
    return file


def _tree(folder: Path) -> list[str]:
    return sorted(p.relative_to(folder).as_posix() for p in folder.rglob("*"))


def _given_names(session: Session) -> list[str]:
    return [e.given_name for e in people.list_people(session.store, 0, 10)]


def test_a_wrong_passphrase_makes_no_folder_and_a_right_one_opens_the_backup(
    tmp_path: Path,
) -> None:
    file = _backup_of(tmp_path, "old", "anna", "Mariya")
    target = tmp_path / "new" / "data"
    attempt = backup.RestoreAttempt(target)
    with pytest.raises(backup.WrongPassphrase):
        attempt.open(file, "not the passphrase", "anna", PASSWORD)
    assert not target.exists()
    session = attempt.open(file, PASSPHRASE, "anna", PASSWORD)
    try:
        assert session.store.paths.data_dir == target
        assert _given_names(session) == ["Mariya"]
    finally:
        session.close()


def test_undone_after_a_refused_password_only_what_it_added_goes(tmp_path: Path) -> None:
    file = _backup_of(tmp_path, "old", "anna", "Mariya")
    target = tmp_path / "data"
    (target / "logs").mkdir(parents=True)
    (target / "logs" / "welcome-desk.log").write_text("started\n", encoding="utf-8")
    (target / "notes.txt").write_text("kept\n", encoding="utf-8")
    before = _tree(target)
    attempt = backup.RestoreAttempt(target)
    with pytest.raises(KeySlotError):
        attempt.open(file, PASSPHRASE, "anna", "not the password")
    assert (target / "welcome-desk.db").exists()  # kept for the next try
    attempt.undo()
    assert _tree(target) == before
    assert (target / "notes.txt").read_text(encoding="utf-8") == "kept\n"
    attempt.undo()  # twice: nothing more goes
    assert _tree(target) == before


def test_retrying_the_password_keeps_the_wait_between_failed_logins(tmp_path: Path) -> None:
    """Each Next after a refused password logs in to the same restored store: the failures
    count on (an unpacked-afresh store would start them at nought), and once the wait is on,
    the right password waits too."""
    file = _backup_of(tmp_path, "old", "anna", "Mariya")
    target = tmp_path / "data"
    attempt = backup.RestoreAttempt(target)
    refused = 0
    with pytest.raises(LoginDelayed):
        for _try in range(12):  # the wait grows with each failure: it is on long before
            try:
                attempt.open(file, PASSPHRASE, "anna", f"guess {refused}")
            except LoginDelayed:
                raise
            except KeySlotError:  # (the wait is one too)
                refused += 1
    assert refused >= 2
    with pytest.raises(LoginDelayed):
        attempt.open(file, PASSPHRASE, "anna", PASSWORD)


def test_another_file_after_a_refused_password_replaces_the_first_restore(
    tmp_path: Path,
) -> None:
    first = _backup_of(tmp_path, "laptop-2", "anna", "Mariya")
    second = _backup_of(tmp_path, "laptop-3", "boris", "Ioana")
    target = tmp_path / "data"
    attempt = backup.RestoreAttempt(target)
    with pytest.raises(KeySlotError):
        attempt.open(first, PASSPHRASE, "boris", PASSWORD)  # Boris's account is in the other
    session = attempt.open(second, PASSPHRASE, "boris", PASSWORD)
    try:
        assert _given_names(session) == ["Ioana"]
    finally:
        session.close()
    with pytest.raises(KeySlotError):
        log_in(target, "anna", PASSWORD)  # nothing of the first backup is left in the folder


def test_a_folder_holding_a_store_is_refused_and_its_store_left_whole(
    session: Session, data_dir: Path, tmp_path: Path
) -> None:
    file = _backup_of(tmp_path, "old", "anna", "Mariya")
    people.register_person(session.store, session.user, PersonDraft("Kept", "Here"))
    session.close()
    before = _tree(data_dir)
    attempt = backup.RestoreAttempt(data_dir)
    with pytest.raises(StoreExists):
        attempt.open(file, PASSPHRASE, "anna", PASSWORD)
    attempt.undo()
    assert _tree(data_dir) == before
    again = log_in(data_dir, "anna", PASSWORD)
    try:
        assert _given_names(again) == ["Kept"]
    finally:
        again.close()
