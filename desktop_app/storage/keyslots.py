"""Key slots: the random database key, wrapped once per account by a key derived from its password.

The database key never touches the disk in the clear. Each slot holds the key encrypted with
AES-256-GCM under an Argon2id-derived key, so a copied data folder is useless without a password.
Changing or adding a password re-wraps only the 32-byte key, never the database.
"""

from __future__ import annotations

import binascii
import json
import os
from pathlib import Path
from typing import Any, NamedTuple

# At start-up the key derivation begins as soon as this module is loaded (``app.EarlyUnlock``),
# so it loads little: libargon2 through argon2-cffi's own bindings package (importing ``argon2``
# itself, its PasswordHasher and profiles, costs about 20 ms), binascii rather than base64 (which
# loads ``re``), a NamedTuple rather than a dataclass (``dataclasses`` loads ``inspect``), and
# AES-GCM from ``cryptography`` only where a key is wrapped or unwrapped, after the derivation.
from _argon2_cffi_bindings import ffi, lib

FORMAT = "welcome-desk-keyslots"
VERSION = 1
KEY_BYTES = 32
# The slot of the coordinator's recovery code. "#" cannot start an account name.
RECOVERY_ACCOUNT = "#recovery"


class KdfParams(NamedTuple):
    """Argon2id cost. The default is RFC 9106's second recommended option (section 4: t=3,
    p=4 lanes, 64 MiB), well above OWASP's minimum (19 MiB, t=2). Lanes change neither the memory
    nor the passes an attacker must pay for; libargon2 fills them on parallel threads, so a
    laptop with two or more cores unlocks in about half the time of one lane. Each slot records
    its own parameters: older slots (p=2) keep working, rewrapping upgrades them."""

    time_cost: int = 3
    memory_kib: int = 65536
    parallelism: int = 4

    @classmethod
    def default(cls) -> KdfParams:
        # Tests and benchmarks set this to keep thousands of unlocks cheap. The parameters are
        # recorded per slot, so a weak slot is visible in the file and rewrapping upgrades it.
        if os.environ.get("WELCOME_DESK_FAST_KDF") == "1":
            return cls(time_cost=1, memory_kib=1024, parallelism=1)
        return cls()


class KeySlotError(Exception):
    """Base for key slot problems; ``code`` is a stable message key for the UI."""

    code = "keyslot_error"


class WrongPassword(KeySlotError):
    code = "wrong_password"


class UnknownAccount(KeySlotError):
    code = "unknown_account"


class CorruptKeySlots(KeySlotError):
    code = "corrupt_keyslots"


class LoginDelayed(KeySlotError):
    """Too many failed logins: the next try is allowed in ``seconds``."""

    code = "login_delayed"

    def __init__(self, seconds: float) -> None:
        super().__init__(f"wait {seconds:.0f} s")
        self.seconds = seconds


def _b64(data: bytes) -> str:
    return binascii.b2a_base64(data, newline=False).decode("ascii")


def _unb64(text: str) -> bytes:
    return binascii.a2b_base64(text.encode("ascii"), strict_mode=True)


def usable_cores() -> int:
    """Cores this process may run on."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # not on Linux
        return max(1, os.cpu_count() or 1)


def _derive(password: str, salt: bytes, params: KdfParams, threads: int | None = None) -> bytes:
    """Argon2id with ``params``. ``threads`` (default: one per lane, at most one per core) says
    how many lanes are filled at once; the result does not depend on it, only the wall time and
    how much of the machine the derivation takes (start-up leaves a core to loading Qt)."""
    threads = max(1, min(params.parallelism, threads or usable_cores()))
    secret = password.encode("utf-8")
    out = ffi.new("uint8_t[]", KEY_BYTES)
    c_secret, c_salt = ffi.new("uint8_t[]", secret), ffi.new("uint8_t[]", salt)
    context = ffi.new(
        "argon2_context *",
        {
            "out": out,
            "outlen": KEY_BYTES,
            "pwd": c_secret,
            "pwdlen": len(secret),
            "salt": c_salt,
            "saltlen": len(salt),
            "secret": ffi.NULL,
            "secretlen": 0,
            "ad": ffi.NULL,
            "adlen": 0,
            "t_cost": params.time_cost,
            "m_cost": params.memory_kib,
            "lanes": params.parallelism,
            "threads": threads,
            "version": lib.ARGON2_VERSION_NUMBER,
            "allocate_cbk": ffi.NULL,
            "free_cbk": ffi.NULL,
            "flags": 0,
        },
    )
    code = lib.argon2_ctx(context, lib.Argon2_id)  # releases the GIL
    if code != lib.ARGON2_OK:
        raise RuntimeError(ffi.string(lib.argon2_error_message(code)).decode("ascii"))
    return bytes(ffi.buffer(out, KEY_BYTES))


def _aad(slot_id: str, account: str) -> bytes:
    return f"{FORMAT}/{VERSION}/{slot_id}/{account}".encode()


def new_database_key() -> bytes:
    import secrets

    return secrets.token_bytes(KEY_BYTES)


def normalise_account(name: str) -> str:
    return " ".join(name.split()).casefold()


class KeySlotFile:
    """The JSON file of slots beside the database. Writes are atomic (temp file + rename)."""

    def __init__(self, path: Path) -> None:
        self.path = path

    def exists(self) -> bool:
        return self.path.exists()

    def _load(self) -> dict[str, Any]:
        try:
            data = json.loads(self.path.read_text(encoding="utf-8"))
        except (OSError, ValueError) as exc:
            raise CorruptKeySlots(str(self.path)) from exc
        if not isinstance(data, dict) or data.get("format") != FORMAT:
            raise CorruptKeySlots(str(self.path))
        if not isinstance(data.get("slots"), list):
            raise CorruptKeySlots(str(self.path))
        return data

    def _save(self, data: dict[str, Any]) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        tmp = self.path.with_suffix(".tmp")
        with open(tmp, "w", encoding="utf-8") as fh:
            json.dump(data, fh, indent=1)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, self.path)

    def accounts(self) -> list[str]:
        """Accounts that can log in (the recovery slot is not one)."""
        return [
            str(slot["account"])
            for slot in self._load()["slots"]
            if slot.get("account") != RECOVERY_ACCOUNT
        ]

    def has_slot(self, account: str) -> bool:
        account = normalise_account(account)
        return any(slot.get("account") == account for slot in self._load()["slots"])

    def create(
        self, key: bytes, account: str, password: str, params: KdfParams | None = None
    ) -> None:
        """Start the slot file of a new store with its first account. Refuses to overwrite."""
        if self.exists():
            raise KeySlotError("keyslots_exist")
        self._save({"format": FORMAT, "version": VERSION, "slots": []})
        self.add(key, account, password, params)

    def add(self, key: bytes, account: str, password: str, params: KdfParams | None = None) -> None:
        params = params or KdfParams.default()
        account = normalise_account(account)
        data = self._load()
        data["slots"] = [s for s in data["slots"] if s.get("account") != account]
        import secrets
        import uuid  # here, not at the top: unlocking at start-up needs neither

        slot_id = str(uuid.uuid4())
        salt = secrets.token_bytes(16)
        nonce = secrets.token_bytes(12)
        from cryptography.hazmat.primitives.ciphers.aead import AESGCM

        wrapped = AESGCM(_derive(password, salt, params)).encrypt(
            nonce, key, _aad(slot_id, account)
        )
        data["slots"].append(
            {
                "id": slot_id,
                "account": account,
                "kdf": {
                    "alg": "argon2id",
                    "salt": _b64(salt),
                    "time_cost": params.time_cost,
                    "memory_kib": params.memory_kib,
                    "parallelism": params.parallelism,
                },
                "nonce": _b64(nonce),
                "wrapped_key": _b64(wrapped),
            }
        )
        self._save(data)

    def remove(self, account: str) -> None:
        account = normalise_account(account)
        data = self._load()
        data["slots"] = [s for s in data["slots"] if s.get("account") != account]
        self._save(data)

    def unlock(self, account: str, password: str, *, threads: int | None = None) -> bytes:
        """Return the database key, or raise ``WrongPassword`` / ``UnknownAccount``.

        ``threads``: Argon2 lanes computed at once (see ``_derive``)."""
        account = normalise_account(account)
        for slot in self._load()["slots"]:
            if slot.get("account") != account:
                continue
            try:
                kdf = slot["kdf"]
                params = KdfParams(
                    int(kdf["time_cost"]), int(kdf["memory_kib"]), int(kdf["parallelism"])
                )
                kek = _derive(password, _unb64(kdf["salt"]), params, threads)
                nonce, wrapped = _unb64(slot["nonce"]), _unb64(slot["wrapped_key"])
            except (KeyError, ValueError, TypeError) as exc:
                raise CorruptKeySlots(str(self.path)) from exc
            from cryptography.exceptions import InvalidTag
            from cryptography.hazmat.primitives.ciphers.aead import AESGCM

            try:
                return AESGCM(kek).decrypt(nonce, wrapped, _aad(str(slot["id"]), account))
            except InvalidTag as exc:
                raise WrongPassword(account) from exc
        raise UnknownAccount(account)
