"""Key slots: the database key is only ever stored wrapped by a password-derived key."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import pytest

from desktop_app.storage.keyslots import (
    CorruptKeySlots,
    KdfParams,
    KeySlotError,
    KeySlotFile,
    UnknownAccount,
    WrongPassword,
    new_database_key,
)


def test_unlock_returns_the_key_and_wrong_password_is_refused(tmp_path: Path) -> None:
    slots = KeySlotFile(tmp_path / "keyslots.json")
    key = new_database_key()
    slots.create(key, "Anna", "secret-password")
    assert slots.unlock("anna", "secret-password") == key
    assert slots.unlock("  ANNA ", "secret-password") == key
    with pytest.raises(WrongPassword):
        slots.unlock("anna", "secret-passworD")
    with pytest.raises(UnknownAccount):
        slots.unlock("boris", "secret-password")


def test_key_never_stored_in_clear_and_params_recorded(tmp_path: Path) -> None:
    slots = KeySlotFile(tmp_path / "keyslots.json")
    key = new_database_key()
    slots.create(key, "anna", "pw-123456", KdfParams(time_cost=2, memory_kib=2048, parallelism=1))
    raw = slots.path.read_bytes()
    assert key not in raw and key.hex().encode() not in raw
    import base64

    assert base64.b64encode(key) not in raw
    kdf = json.loads(raw)["slots"][0]["kdf"]
    assert kdf == {**kdf, "alg": "argon2id", "time_cost": 2, "memory_kib": 2048}


def test_adding_and_removing_accounts_rewraps_only_the_key(tmp_path: Path) -> None:
    slots = KeySlotFile(tmp_path / "keyslots.json")
    key = new_database_key()
    slots.create(key, "anna", "first-password")
    slots.add(key, "boris", "second-password")
    assert slots.account_count() == 2 and slots.has_slot("Boris") and not slots.has_slot("bo")
    assert slots.unlock("boris", "second-password") == key
    slots.add(key, "anna", "changed-password")  # a password change replaces the slot
    with pytest.raises(WrongPassword):
        slots.unlock("anna", "first-password")
    assert slots.unlock("anna", "changed-password") == key
    slots.remove("boris")
    with pytest.raises(UnknownAccount):
        slots.unlock("boris", "second-password")


def test_slot_moved_to_another_account_is_refused(tmp_path: Path) -> None:
    """The account name is bound into the slot: giving a slot another account's lookup in the
    file (as a thief who can write could) breaks it."""
    slots = KeySlotFile(tmp_path / "keyslots.json")
    key = new_database_key()
    slots.create(key, "anna", "pw-anna-123")
    slots.add(key, "mallory", "pw-mallory-1")
    data = json.loads(slots.path.read_text())
    anna, mallory = data["slots"]
    anna["lookup"], mallory["lookup"] = mallory["lookup"], anna["lookup"]
    slots.path.write_text(json.dumps(data))
    with pytest.raises(WrongPassword):
        slots.unlock("mallory", "pw-anna-123")


@pytest.mark.parametrize("content", [b"", b"not json", b"{}", b'{"format": "x", "slots": []}'])
def test_corrupt_slot_file_gives_a_clear_error(tmp_path: Path, content: bytes) -> None:
    path = tmp_path / "keyslots.json"
    path.write_bytes(content)
    digest = hashlib.sha256(content).hexdigest()
    with pytest.raises(CorruptKeySlots):
        KeySlotFile(path).unlock("anna", "pw")
    with pytest.raises(KeySlotError):
        KeySlotFile(path).create(new_database_key(), "anna", "pw")
    assert hashlib.sha256(path.read_bytes()).hexdigest() == digest


def test_production_kdf_is_rfc9106_second_recommendation() -> None:
    """t=3, p=4, 64 MiB (RFC 9106, section 4); never below OWASP's 19 MiB / t=2 floor."""
    params = KdfParams()
    assert (params.time_cost, params.parallelism, params.memory_kib) == (3, 4, 64 * 1024)


def test_slot_unlocks_with_its_own_recorded_lanes(tmp_path: Path) -> None:
    """A slot written with other parameters (e.g. the former two lanes) still opens: the lanes
    are read from the slot, not taken from the current default."""
    slots = KeySlotFile(tmp_path / "keyslots.json")
    key = new_database_key()
    slots.create(key, "anna", "pw-123456", KdfParams(time_cost=1, memory_kib=1024, parallelism=2))
    assert json.loads(slots.path.read_bytes())["slots"][0]["kdf"]["parallelism"] == 2
    slots.add(key, "boris", "pw-654321", KdfParams(time_cost=1, memory_kib=1024, parallelism=4))
    assert slots.unlock("anna", "pw-123456") == key
    assert slots.unlock("boris", "pw-654321") == key


@pytest.mark.parametrize("lanes", [1, 2, 4])
def test_derivation_does_not_depend_on_threads(lanes: int) -> None:
    """Start-up fills the lanes on fewer threads than lanes; the key must be the same, and the
    same as argon2-cffi's reference function gives (slots written before stay readable)."""
    from argon2.low_level import Type, hash_secret_raw

    from desktop_app.storage.keyslots import _derive

    params = KdfParams(time_cost=2, memory_kib=4096, parallelism=lanes)
    reference = hash_secret_raw(
        "pässwort".encode(), b"0123456789abcdef", 2, 4096, lanes, 32, Type.ID
    )
    for threads in (None, 1, 2, 8):
        assert _derive("pässwort", b"0123456789abcdef", params, threads) == reference
    other = _derive("passwort", b"0123456789abcdef", params, 1)
    assert other != reference
