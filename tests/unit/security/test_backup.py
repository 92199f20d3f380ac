"""Encrypted backup and restore: same records back, wrong passphrase refused, no names inside."""

from __future__ import annotations

import hashlib
import json
import struct
from pathlib import Path
from typing import Any

import pytest
from argon2.low_level import Type, hash_secret_raw
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.hashes import SHA256
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

from desktop_app.domain.permissions import PermissionDenied
from desktop_app.domain.person import PersonDraft
from desktop_app.domain.users import Role
from desktop_app.storage.db import StoreExists
from desktop_app.storage.keyslots import KdfParams
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


# Written by the code before format 2 (commit 3e6b24b) with WELCOME_DESK_FAST_KDF=1: account
# "anna" with the tests' PASSWORD, passphrase PASSPHRASE, one person, Radostina Жечева.
FORMAT_1 = Path(__file__).parent / "data" / "backup-format1.wdbackup"


def _header(raw: bytes) -> tuple[dict[str, Any], int]:
    """The parsed header of a backup and where its first chunk's sealed bytes begin."""
    start = len(backup.MAGIC)
    (size,) = struct.unpack(">I", raw[start : start + 4])
    end = start + 4 + size
    return json.loads(raw[start + 4 : end]), end + 4


def _flipped(source: Path, offset: int, target: Path) -> Path:
    raw = bytearray(source.read_bytes())
    raw[offset] ^= 0x10
    target.write_bytes(raw)
    return target


def test_a_bit_changed_in_the_first_chunk_is_said_as_damage_not_as_a_wrong_passphrase(
    session: Session, tmp_path: Path
) -> None:
    """The first chunk was the only test of the passphrase: a bit changed in it read as a
    wrong passphrase, and the user tried one passphrase after another on a damaged file."""
    out = tmp_path / "b.wdbackup"
    backup.write_backup(session, out, PASSPHRASE)
    head, first = _header(out.read_bytes())
    assert head["format"] == 2
    damaged = _flipped(out, first + 100, tmp_path / "damaged.wdbackup")
    with pytest.raises(backup.BackupError) as caught:
        backup.restore_backup(damaged, tmp_path / "x", PASSPHRASE)
    assert caught.value.code == "backup_damaged"
    with pytest.raises(backup.WrongPassphrase):  # the wrong passphrase is still said as such
        backup.restore_backup(damaged, tmp_path / "y", "not the phrase")
    for folder in ("x", "y"):
        assert not (tmp_path / folder / "welcome-desk.db").exists()


def test_a_changed_salt_or_key_check_in_the_header_is_damage_too(
    session: Session, tmp_path: Path
) -> None:
    """A changed salt gives another key, which fails the key check as a wrong passphrase
    does: the header's digest tells the two apart."""
    out = tmp_path / "b.wdbackup"
    backup.write_backup(session, out, PASSPHRASE)
    raw = out.read_bytes()
    head, _first = _header(raw)
    for field in (head["kdf"]["salt"], head["key_check"]):
        at = raw.index(field.encode("ascii"))
        # one hex digit for another, as a changed bit of '0'…'9' ('1' ^ 0x10 is '!') is not
        text = raw[at : at + 1]
        other = b"1" if text != b"1" else b"2"
        changed = tmp_path / f"changed-{field[:4]}.wdbackup"
        changed.write_bytes(raw[:at] + other + raw[at + 1 :])
        with pytest.raises(backup.BackupError) as caught:
            backup.restore_backup(changed, tmp_path / "x", PASSPHRASE)
        assert caught.value.code == "backup_damaged", field


def test_the_key_check_costs_a_guess_the_same_argon2id_as_the_data(
    session: Session, tmp_path: Path
) -> None:
    """The key check must not make guessing the passphrase cheaper than the key derivation:
    it is derived from the Argon2id output with the header's parameters (the same as the data
    key's, the default ones), one-way under a label, and is not a part of the key."""
    out = tmp_path / "b.wdbackup"
    backup.write_backup(session, out, PASSPHRASE)
    raw = out.read_bytes()
    head, first = _header(raw)
    kdf = head["kdf"]
    params = KdfParams.default()
    assert (kdf["alg"], kdf["time_cost"], kdf["memory_kib"], kdf["parallelism"]) == (
        "argon2id",
        params.time_cost,
        params.memory_kib,
        params.parallelism,
    )
    key = hash_secret_raw(
        PASSPHRASE.encode("utf-8"),
        bytes.fromhex(kdf["salt"]),
        time_cost=kdf["time_cost"],
        memory_cost=kdf["memory_kib"],
        parallelism=kdf["parallelism"],
        hash_len=32,
        type=Type.ID,
    )
    label = b"welcome-desk backup key check v2"
    expected = HKDF(SHA256(), length=16, salt=None, info=label).derive(key)
    check = bytes.fromhex(head["key_check"])
    assert check == expected and check not in key
    # The data key is that Argon2id output itself, as in format 1: a reader of format 1 (which
    # ignores the new fields) opens the first chunk of format 2 as it opened its own.
    (size,) = struct.unpack(">I", raw[first - 4 : first])
    nonce = bytes.fromhex(head["nonce_prefix"]) + struct.pack(">Q", 0)
    header = raw[len(backup.MAGIC) + 4 : first - 4]
    plain = AESGCM(key).decrypt(
        nonce, raw[first : first + size], header + struct.pack(">Q?", 0, True)
    )
    assert plain[257:262] == b"ustar"  # the tar stream of the store


def test_a_backup_of_format_1_restores_as_before(tmp_path: Path) -> None:
    raw = FORMAT_1.read_bytes()
    head, first = _header(raw)
    assert head["format"] == 1 and "key_check" not in head
    with pytest.raises(backup.WrongPassphrase):
        backup.restore_backup(FORMAT_1, tmp_path / "wrong", "not the phrase")
    # Without a key check, the first chunk is all a format 1 backup has to go by: as before.
    damaged = _flipped(FORMAT_1, first + 100, tmp_path / "damaged.wdbackup")
    with pytest.raises(backup.WrongPassphrase):
        backup.restore_backup(damaged, tmp_path / "damaged", PASSPHRASE)
    backup.restore_backup(FORMAT_1, tmp_path / "restored", PASSPHRASE)
    restored = accounts.log_in(tmp_path / "restored", "anna", PASSWORD)
    try:
        assert [
            (e.family_name, e.given_name) for e in people.list_people(restored.store, 0, 10)
        ] == [("Жечева", "Radostina")]
    finally:
        restored.close()


def _with_header(raw: bytes, head: dict[str, Any]) -> bytes:
    """``raw`` with its header replaced by ``head`` (the chunks as they were)."""
    _old, first = _header(raw)
    text = json.dumps(head, sort_keys=True).encode("ascii")
    return backup.MAGIC + struct.pack(">I", len(text)) + text + raw[first - 4 :]


def test_a_backup_of_a_newer_format_asks_for_the_update(session: Session, tmp_path: Path) -> None:
    """As a newer version writes it: another format, and the digest over the fields as
    every format from 2 on has it."""
    out = tmp_path / "b.wdbackup"
    backup.write_backup(session, out, PASSPHRASE)
    raw = out.read_bytes()
    head, _first = _header(raw)
    del head["digest"]
    head["format"] = 3
    head["digest"] = hashlib.sha256(json.dumps(head, sort_keys=True).encode("ascii")).hexdigest()
    newer = tmp_path / "newer.wdbackup"
    newer.write_bytes(_with_header(raw, head))
    with pytest.raises(backup.NewerBackup) as caught:
        backup.restore_backup(newer, tmp_path / "x", PASSPHRASE)
    assert caught.value.code == "newer_schema"


def test_a_bit_changed_in_the_format_field_is_damage_not_a_newer_version(
    session: Session, tmp_path: Path
) -> None:
    """The format was read before the digest: '2' with one bit changed is '3' or '6', a
    format 1 backup's '1' is '3', '5' or '9', and restore asked for an update (which cannot
    read the backup either) instead of saying it is damaged."""
    out = tmp_path / "b.wdbackup"
    backup.write_backup(session, out, PASSPHRASE)
    for source, digit in ((out, b"2"), (FORMAT_1, b"1")):
        raw = source.read_bytes()
        field = raw.index(b'"format": ' + digit)
        digit_at = field + len(b'"format": ')
        # Every bit of the digit; of format 2, of the field's name too (which then reads as
        # format 1). Format 1 has no digest: a renamed field reads as format 1 there, whose
        # first chunk alone tells a wrong passphrase, as it always did.
        names = range(field + 1, field + 7) if source is out else range(0)
        for offset in [digit_at, *names]:
            for bit in range(8):
                changed = bytearray(raw)
                changed[offset] ^= 1 << bit
                name = f"{source.stem}-{offset}-{bit}"
                flipped = tmp_path / f"{name}.wdbackup"
                flipped.write_bytes(changed)
                with pytest.raises(backup.BackupError) as caught:
                    backup.restore_backup(flipped, tmp_path / name, PASSPHRASE)
                assert caught.value.code == "backup_damaged", (source.name, offset, bit)
                assert not (tmp_path / name / "welcome-desk.db").exists()
    # Unchanged, both restore.
    backup.restore_backup(FORMAT_1, tmp_path / "format1", PASSPHRASE)
    backup.restore_backup(out, tmp_path / "format2", PASSPHRASE)
    for folder in ("format1", "format2"):
        assert (tmp_path / folder / "welcome-desk.db").exists()
