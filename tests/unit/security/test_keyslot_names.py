"""Property 1 for the key slots: the file names none of the laptop's staff, a guessed name can
only be tested; data folders of the former format (version 1, each slot named in plain text)
are rewritten on open and every slot still opens."""

from __future__ import annotations

import json
import os
import secrets
import uuid
from pathlib import Path

import pytest
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from desktop_app.domain.users import Role
from desktop_app.i18n.translit import fold
from desktop_app.storage.keyslots import (
    RECOVERY_ACCOUNT,
    KdfParams,
    KeySlotFile,
    UnknownAccount,
    WrongPassword,
    _b64,
    _derive,
    new_database_key,
    normalise_account,
)
from desktop_app.storage.layout import StorePaths
from desktop_app.storage.login_guard import LoginGuard
from desktop_app.usecases import accounts
from tests.conftest import PASSWORD

COORDINATOR = ("Radostina.Zhecheva", "Радостина Жечева")
ADVISOR = ("stefan.taranu", "Ștefan Țăranu")
ADVISOR_PW = "advisor password 7"


def needles(*names: str) -> list[bytes]:
    """The names as a thief would look for them: as typed, normalised, folded; UTF-8, UTF-16."""
    words = {w for n in names for w in (n, normalise_account(n), fold(n), *n.split())}
    return sorted({w.encode(enc) for w in words for enc in ("utf-8", "utf-16-le")})


def leaked(path: Path, *names: str) -> list[str]:
    raw = path.read_bytes()
    return [n.decode("utf-8", "replace") for n in needles(*names) if n in raw]


def write_version_1(path: Path, key: bytes, passwords: dict[str, str]) -> None:
    """A key slot file as the code before version 2 wrote it: each slot named by its account."""
    params = KdfParams.default()
    slots = []
    for account, password in passwords.items():
        account = normalise_account(account)
        slot_id, salt, nonce = str(uuid.uuid4()), secrets.token_bytes(16), secrets.token_bytes(12)
        aad = f"welcome-desk-keyslots/1/{slot_id}/{account}".encode()
        wrapped = AESGCM(_derive(password, salt, params)).encrypt(nonce, key, aad)
        kdf = {"alg": "argon2id", "salt": _b64(salt), **params._asdict()}
        slots.append(
            {"id": slot_id, "account": account, "kdf": kdf}
            | {"nonce": _b64(nonce), "wrapped_key": _b64(wrapped)}
        )
    with open(path, "w", encoding="utf-8") as fh:
        json.dump({"format": "welcome-desk-keyslots", "version": 1, "slots": slots}, fh, indent=1)


def old_store(data_dir: Path, *, advisor: bool = True) -> str:
    """A data folder as the former code left it (its key slots in version 1); its recovery
    code."""
    first = accounts.create_first_account(data_dir, *COORDINATOR, PASSWORD)
    code = first.recovery_code
    assert code is not None
    if advisor:
        accounts.add_user(first, ADVISOR[0], ADVISOR[1], Role.ADVISOR, ADVISOR_PW)
    key = first.key
    first.close()
    passwords = {COORDINATOR[0]: PASSWORD, RECOVERY_ACCOUNT: code}
    if advisor:
        passwords[ADVISOR[0]] = ADVISOR_PW
    slots = data_dir / "keyslots.json"
    os.remove(slots)
    write_version_1(slots, key, passwords)
    assert "radostina.zhecheva" in leaked(slots, COORDINATOR[0])  # the old file named them
    return code


def test_a_new_stores_slot_file_names_no_one_and_a_guess_can_only_be_tested(
    data_dir: Path,
) -> None:
    session = accounts.create_first_account(data_dir, *COORDINATOR, PASSWORD)
    accounts.add_user(session, ADVISOR[0], ADVISOR[1], Role.ADVISOR, ADVISOR_PW)
    session.close()
    slots = StorePaths(data_dir).keyslots
    assert not leaked(slots.path, *COORDINATOR, *ADVISOR)
    data = json.loads(slots.path.read_bytes())
    assert data["version"] == 2 and len(data["slots"]) == 3
    assert all("account" not in s for s in data["slots"])
    # Nor the names' lengths: "#recovery", "stefan.taranu", "radostina.zhecheva" seal alike.
    assert len({len(s["name"]["sealed"]) for s in data["slots"]}) == 1
    # What a thief can do with the copy: test a guessed name, one at a time.
    assert slots.has_slot("stefan.taranu") and not slots.has_slot("stefan")
    assert slots.account_count() == 2
    for account, password in ((COORDINATOR[0], PASSWORD), ("  STEFAN.taranu ", ADVISOR_PW)):
        again = accounts.log_in(data_dir, account, password)
        assert again.user.display_name in (COORDINATOR[1], ADVISOR[1])
        again.close()


def test_each_file_hashes_names_with_a_key_of_its_own(tmp_path: Path) -> None:
    """No table of hashed common names fits two laptops: the same account is another entry."""
    lookups = []
    for folder in ("one", "two"):
        slots = KeySlotFile(tmp_path / folder / "keyslots.json")
        slots.create(new_database_key(), "anna", "pw-123456")
        lookups.append(json.loads(slots.path.read_bytes())["slots"][0]["lookup"])
    assert lookups[0] != lookups[1]


def test_a_version_1_folder_is_rewritten_on_open_and_every_slot_still_opens(
    data_dir: Path,
) -> None:
    code = old_store(data_dir)
    slots = StorePaths(data_dir).keyslots
    before = json.loads(slots.path.read_bytes())["slots"]
    assert slots.account_count() == 2  # opening the file, without any password, converts it
    assert not leaked(slots.path, *COORDINATOR, *ADVISOR)
    assert not (data_dir / "keyslots.tmp").exists()
    after = json.loads(slots.path.read_bytes())
    assert after["version"] == 2
    # Not a slot lost, none changed but for its name: the same wrapped keys in the same order.
    keep = ("id", "kdf", "nonce", "wrapped_key")
    assert [{k: s[k] for k in keep} for s in after["slots"]] == [
        {k: s[k] for k in keep} for s in before
    ]
    advisor = accounts.log_in(data_dir, ADVISOR[0], ADVISOR_PW)
    assert advisor.user.display_name == ADVISOR[1]
    advisor.close()
    with pytest.raises(WrongPassword):
        accounts.log_in(data_dir, COORDINATOR[0], ADVISOR_PW)
    LoginGuard(data_dir).succeeded()
    with pytest.raises(UnknownAccount):
        accounts.log_in(data_dir, "radostina", PASSWORD)
    LoginGuard(data_dir).succeeded()
    # The coordinator's recovery path (property 2) opens the converted recovery slot.
    recovered = accounts.log_in_with_recovery(
        data_dir, code, COORDINATOR[0], "a new password 1", "a new password 1"
    )
    assert recovered.user.display_name == COORDINATOR[1]
    recovered.close()
    accounts.log_in(data_dir, COORDINATOR[0], "a new password 1").close()
    assert not leaked(slots.path, *COORDINATOR, *ADVISOR)


def test_the_only_account_of_an_old_folder_logs_in_unnamed_after_its_first_login(
    data_dir: Path,
) -> None:
    """The command line leaves out --account on a laptop with one account: the slot keeps the
    name encrypted under the password. A version 1 slot gets it at its first login by name."""
    old_store(data_dir, advisor=False)
    paths = StorePaths(data_dir)
    assert not paths.can_log_in_unnamed()  # converted, but the name is not in the slot yet
    accounts.log_in(data_dir, COORDINATOR[0], PASSWORD).close()
    assert paths.can_log_in_unnamed()
    assert not leaked(paths.keyslots.path, *COORDINATOR)
    with pytest.raises(WrongPassword):
        accounts.log_in(data_dir, None, "not the password")
    assert LoginGuard(data_dir).failures == 1  # unnamed guesses wait as named ones do
    LoginGuard(data_dir).succeeded()
    unnamed = accounts.log_in(data_dir, None, PASSWORD)
    assert unnamed.user.account == "radostina.zhecheva"
    assert unnamed.user.display_name == COORDINATOR[1]
    unnamed.close()


def test_a_slot_file_that_cannot_be_rewritten_stays_whole_and_logins_go_on(
    data_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A failure at the rename (a full disk, a read-only folder) leaves the old file as it was,
    every slot in it; the login is not refused for it, and the next open converts it."""
    old_store(data_dir)
    slots = StorePaths(data_dir).keyslots
    old = slots.path.read_bytes()
    real_replace = os.replace

    def full_disk(src: object, dst: object) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "replace", full_disk)
    accounts.log_in(data_dir, ADVISOR[0], ADVISOR_PW).close()
    assert slots.path.read_bytes() == old
    monkeypatch.setattr(os, "replace", real_replace)
    accounts.log_in(data_dir, COORDINATOR[0], PASSWORD).close()
    assert not leaked(slots.path, *COORDINATOR, *ADVISOR)
    accounts.log_in(data_dir, ADVISOR[0], ADVISOR_PW).close()
