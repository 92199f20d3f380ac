"""Encrypted backup and restore: same records back, wrong passphrase refused, no names inside."""

from __future__ import annotations

from pathlib import Path

import pytest

from desktop_app.domain.permissions import PermissionDenied
from desktop_app.domain.person import PersonDraft
from desktop_app.domain.users import Role
from desktop_app.storage.db import StoreExists
from desktop_app.usecases import accounts, backup, people
from desktop_app.usecases.accounts import Session
from tests.conftest import PASSWORD

PASSPHRASE = "backup phrase 2026"
NAMES = ("Жечева", "Țăranu", "Radostina")


def _fill(session: Session) -> list[str]:
    ids = [
        people.register_person(session.store, session.user, PersonDraft("Radostina", "Жечева")).id,
        people.register_person(session.store, session.user, PersonDraft("Ștefan", "Țăranu")).id,
    ]
    drafts = [PersonDraft(f"Given{n}", f"Family{n}", "1990") for n in range(3000)]
    people.register_many(session.store, session.user, drafts)  # more than one 1 MiB chunk
    return ids


def _everyone(session: Session) -> list[tuple[str, ...]]:
    entries = people.list_people(session.store, 0, 10_000)
    return [(e.id, e.family_name, e.given_name, str(e.date_of_birth)) for e in entries]


def test_restore_on_a_fresh_folder_gives_the_same_records(session: Session, tmp_path: Path) -> None:
    ids = _fill(session)
    before = _everyone(session)
    out = tmp_path / "backups" / "laptop.wdbackup"
    backup.write_backup(session, out, PASSPHRASE)
    assert out.stat().st_size > 1 << 20
    fresh = tmp_path / "new-laptop"
    backup.restore_backup(out, fresh, PASSPHRASE)
    restored = accounts.log_in(fresh, "anna", PASSWORD)
    try:
        assert _everyone(restored) == before and len(before) == 3002
        person = people.get_person(restored.store, restored.user, ids[0])
        assert person is not None and person.family_name == "Жечева"
    finally:
        restored.close()
    with pytest.raises(StoreExists):  # never over an existing store
        backup.restore_backup(out, fresh, PASSPHRASE)


def test_wrong_passphrase_and_damaged_backups_are_refused(session: Session, tmp_path: Path) -> None:
    _fill(session)
    out = tmp_path / "b.wdbackup"
    backup.write_backup(session, out, PASSPHRASE)
    with pytest.raises(backup.WrongPassphrase):
        backup.restore_backup(out, tmp_path / "x", "not the phrase")
    assert not (tmp_path / "x" / "welcome-desk.db").exists()
    raw = bytearray(out.read_bytes())
    raw[len(raw) // 2] ^= 1
    (tmp_path / "flipped").write_bytes(raw)
    with pytest.raises(backup.BackupError):
        backup.restore_backup(tmp_path / "flipped", tmp_path / "y", PASSPHRASE)
    (tmp_path / "cut").write_bytes(out.read_bytes()[: -(1 << 16)])
    with pytest.raises(backup.BackupError):
        backup.restore_backup(tmp_path / "cut", tmp_path / "z", PASSPHRASE)
    assert not (tmp_path / "z" / "welcome-desk.db").exists()


def test_backup_file_contains_no_known_names(session: Session, tmp_path: Path) -> None:
    _fill(session)
    out = tmp_path / "b.wdbackup"
    backup.write_backup(session, out, PASSPHRASE)
    raw = out.read_bytes()
    for name in NAMES:
        for encoding in ("utf-8", "utf-16-le"):
            assert name.encode(encoding) not in raw
    assert b"Family1" not in raw and b"anna" not in raw
    assert not [p for p in session.store.paths.data_dir.iterdir() if p.name.startswith(".backup")]


def test_only_a_coordinator_makes_backups(session: Session, tmp_path: Path) -> None:
    accounts.add_user(session, "eva", "Eva", Role.ADVISOR, "advisor pass 1")
    eva = accounts.log_in(session.store.paths.data_dir, "eva", "advisor pass 1")
    try:
        with pytest.raises(PermissionDenied):
            backup.write_backup(eva, tmp_path / "b", PASSPHRASE)
    finally:
        eva.close()
