"""Key slots: the random database key, wrapped once per account by a key derived from its password.

The database key never touches the disk in the clear. Each slot holds the key encrypted with
AES-256-GCM under an Argon2id-derived key, so a copied data folder is useless without a password.
Changing or adding a password re-wraps only the 32-byte key, never the database.

Nor does the file name its staff: a slot is found by a keyed hash of the account name (the key,
random per file, is stored in it), so a copy lets a thief test a guessed name, not read the list.
The name itself is kept in the slot encrypted under the password-derived key, for a laptop's only
account to log in without typing it (the command line). Version 1 files named each slot in plain
text: they are rewritten on open (``_load``); their slots get the encrypted name at their next
unlock.

Two processes may change the file at once (the app and the command line, two app windows): each
read-modify-write holds an exclusive lock on ``keyslots.lock`` beside it (``_rewrite``), so
neither writes back a file that misses the other's slot.
"""

from __future__ import annotations

import binascii
import json
import os
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any, NamedTuple

# At start-up the key derivation begins as soon as this module is loaded (``app.EarlyUnlock``),
# so it loads little: libargon2 through argon2-cffi's own bindings package (importing ``argon2``
# itself, its PasswordHasher and profiles, costs about 20 ms), binascii rather than base64 (which
# loads ``re``), a NamedTuple rather than a dataclass (``dataclasses`` loads ``inspect``), and
# AES-GCM from ``cryptography`` only where a key is wrapped or unwrapped, after the derivation.
from _argon2_cffi_bindings import ffi, lib

if TYPE_CHECKING:
    from collections.abc import Callable
    from types import TracebackType

    from cryptography.hazmat.primitives.ciphers.aead import AESGCM

FORMAT = "welcome-desk-keyslots"
VERSION = 2
# The version bound into each wrapped key's associated data: still 1, so that the slots of a
# converted version 1 file open unchanged (a slot's data never needs its password to convert).
AAD_VERSION = 1
KEY_BYTES = 32
NAME_PADDING = 128  # bytes; an account name is at most 100 characters
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
    return f"{FORMAT}/{AAD_VERSION}/{slot_id}/{account}".encode()


def _name_aad(slot_id: str) -> bytes:
    return f"{FORMAT}/name/{slot_id}".encode()


def _lookup(lookup_key: bytes, account: str) -> str:
    """The slot's name in the file: the normalised account name's keyed BLAKE2b (a MAC by
    design, RFC 7693) under the file's random key. From ``_blake2``, the module ``hashlib``
    takes it from: importing ``hashlib`` or ``hmac`` loads OpenSSL (about 3 ms), and at
    start-up this runs before the key derivation can begin."""
    from _blake2 import blake2b

    digest = blake2b(normalise_account(account).encode("utf-8"), digest_size=32, key=lookup_key)
    return _b64(digest.digest())


def load_cipher() -> None:
    """Load AES-GCM (``cryptography``, a few milliseconds) ahead: a window start does so on its
    main thread while the unlock's worker derives the key, which then needs it at once."""
    from cryptography.hazmat.primitives.ciphers.aead import AESGCM  # noqa: F401


def new_database_key() -> bytes:
    import secrets

    return secrets.token_bytes(KEY_BYTES)


def normalise_account(name: str) -> str:
    return " ".join(name.split()).casefold()


class KeySlotFile:
    """The JSON file of slots beside the database. Writes are atomic (temp file, fsync, rename)."""

    def __init__(self, path: Path) -> None:
        self.path = path

    def exists(self) -> bool:
        return self.path.exists()

    def _read(self) -> dict[str, Any]:
        try:
            data = json.loads(self.path.read_text(encoding="utf-8"))
        except (OSError, ValueError) as exc:
            raise CorruptKeySlots(str(self.path)) from exc
        if not isinstance(data, dict) or data.get("format") != FORMAT:
            raise CorruptKeySlots(str(self.path))
        if not isinstance(data.get("slots"), list):
            raise CorruptKeySlots(str(self.path))
        return data

    def _load(self) -> dict[str, Any]:
        """The file's slots, for reading. A version 1 file is converted and written back at
        once; one that cannot be written is read as converted all the same."""
        data = self._read()
        if data.get("version") == 1:
            try:
                data = self._rewrite(lambda _data: False)
            except OSError:
                _log_unwritable()
                data = self._converted(data)
        self._check(data)
        return data

    def _rewrite(self, change: Callable[[dict[str, Any]], bool]) -> dict[str, Any]:
        """Read the file, let ``change`` alter it (it says whether it did) and write it back,
        all under the lock; a version 1 file is converted and written back in any case.
        Raises ``OSError`` where the lock or the file cannot be written."""
        with _FileLock(self.path.with_suffix(".lock")):
            data = self._read()  # after the lock: what another process wrote is in it
            converted = data.get("version") == 1
            if converted:
                data = self._converted(data)
            self._check(data)
            if change(data) or converted:
                self._save(data)
        return data

    def _check(self, data: dict[str, Any]) -> None:
        try:
            _unb64(data["lookup_key"])
        except (KeyError, ValueError, TypeError) as exc:
            raise CorruptKeySlots(str(self.path)) from exc

    def _converted(self, data: dict[str, Any]) -> dict[str, Any]:
        """A version 1 file named each slot in plain text: name it by its keyed hash instead
        (nothing else in a slot changes, nothing needs a password)."""
        import secrets

        lookup_key = secrets.token_bytes(32)
        slots = []
        for slot in data["slots"]:
            if not isinstance(slot, dict) or not isinstance(slot.get("account"), str):
                raise CorruptKeySlots(str(self.path))
            converted = {k: v for k, v in slot.items() if k != "account"}
            converted["lookup"] = _lookup(lookup_key, slot["account"])
            slots.append(converted)
        return {
            "format": FORMAT,
            "version": VERSION,
            "lookup_key": _b64(lookup_key),
            "slots": slots,
        }

    def _save(self, data: dict[str, Any]) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        tmp = self.path.with_suffix(".tmp")
        with open(tmp, "w", encoding="utf-8") as fh:
            json.dump(data, fh, indent=1)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, self.path)
        try:  # the rename itself survives a power cut only once the folder is written too
            folder = os.open(self.path.parent, os.O_RDONLY)
        except OSError:  # not on Windows
            return
        try:
            os.fsync(folder)
        finally:
            os.close(folder)

    def _find(self, data: dict[str, Any], account: str) -> dict[str, Any] | None:
        wanted = _lookup(_unb64(data["lookup_key"]), account)
        return next((s for s in data["slots"] if s.get("lookup") == wanted), None)

    def _personal_slots(self, data: dict[str, Any]) -> list[dict[str, Any]]:
        recovery = _lookup(_unb64(data["lookup_key"]), RECOVERY_ACCOUNT)
        return [s for s in data["slots"] if s.get("lookup") != recovery]

    def account_count(self) -> int:
        """How many accounts can log in (the recovery slot is not one)."""
        return len(self._personal_slots(self._load()))

    def only_account_known(self) -> bool:
        """Whether the laptop has one account and its slot holds its name (``unlock_only``)."""
        personal = self._personal_slots(self._load())
        return len(personal) == 1 and "name" in personal[0]

    def has_slot(self, account: str) -> bool:
        return self._find(self._load(), account) is not None

    def kdf_params(self, account: str) -> KdfParams:
        """The key derivation cost ``account``'s slot records; ``UnknownAccount`` without one."""
        slot = self._find(self._load(), account)
        if slot is None:
            raise UnknownAccount(account)
        return self._params(slot)

    def create(
        self, key: bytes, account: str, password: str, params: KdfParams | None = None
    ) -> None:
        """Start the slot file of a new store with its first account. Refuses to overwrite."""
        import secrets

        with _FileLock(self.path.with_suffix(".lock")):
            if self.exists():
                raise KeySlotError("keyslots_exist")
            self._save(
                {
                    "format": FORMAT,
                    "version": VERSION,
                    "lookup_key": _b64(secrets.token_bytes(32)),
                    "slots": [],
                }
            )
        self.add(key, account, password, params)

    def add(self, key: bytes, account: str, password: str, params: KdfParams | None = None) -> None:
        params = params or KdfParams.default()
        account = normalise_account(account)
        self._load()  # a missing or broken file is refused before the key derivation
        import secrets
        import uuid  # here, not at the top: unlocking at start-up needs neither

        slot_id = str(uuid.uuid4())
        salt = secrets.token_bytes(16)
        nonce = secrets.token_bytes(12)
        from cryptography.hazmat.primitives.ciphers.aead import AESGCM

        kek = AESGCM(_derive(password, salt, params))
        wrapped = kek.encrypt(nonce, key, _aad(slot_id, account))
        slot = {
            "id": slot_id,
            "lookup": "",  # under the lock, from the file as it is then
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
        _seal_name(slot, kek, account)

        def put(data: dict[str, Any]) -> bool:
            slot["lookup"] = _lookup(_unb64(data["lookup_key"]), account)
            data["slots"] = [s for s in data["slots"] if s.get("lookup") != slot["lookup"]]
            data["slots"].append(slot)
            return True

        self._rewrite(put)

    def remove(self, account: str) -> None:
        def drop(data: dict[str, Any]) -> bool:
            lookup = _lookup(_unb64(data["lookup_key"]), account)
            data["slots"] = [s for s in data["slots"] if s.get("lookup") != lookup]
            return True

        self._rewrite(drop)

    def unlock(self, account: str, password: str, *, threads: int | None = None) -> bytes:
        """Return the database key, or raise ``WrongPassword`` / ``UnknownAccount``.

        ``threads``: Argon2 lanes computed at once (see ``_derive``)."""
        account = normalise_account(account)
        data = self._load()
        slot = self._find(data, account)
        if slot is None:
            raise UnknownAccount(account)
        kek = self._kek(slot, password, threads)
        key = self._unwrap(slot, kek, account)
        if "name" not in slot:  # a slot of a converted version 1 file: its name goes in now

            def seal(current: dict[str, Any]) -> bool:
                again = self._find(current, account)  # unless replaced or removed meanwhile
                if again is None or again.get("id") != slot["id"] or "name" in again:
                    return False
                _seal_name(again, kek, account)
                return True

            try:
                self._rewrite(seal)
            except OSError:  # a folder that cannot be written: the login goes on all the same
                _log_unwritable()
        return key

    def unlock_only(self, password: str, *, threads: int | None = None) -> tuple[str, bytes]:
        """The only account's name and the database key, its name read from its slot; raises
        ``UnknownAccount`` unless ``only_account_known``, and ``WrongPassword``."""
        personal = self._personal_slots(self._load())
        if len(personal) != 1 or "name" not in personal[0]:
            raise UnknownAccount("")
        slot = personal[0]
        kek = self._kek(slot, password, threads)
        from cryptography.exceptions import InvalidTag

        try:
            name_nonce, sealed = _unb64(slot["name"]["nonce"]), _unb64(slot["name"]["sealed"])
            name = kek.decrypt(name_nonce, sealed, _name_aad(str(slot["id"])))
            account = name.rstrip(b"\0").decode("utf-8")
        except InvalidTag as exc:
            raise WrongPassword("") from exc
        except (KeyError, ValueError, TypeError) as exc:
            raise CorruptKeySlots(str(self.path)) from exc
        return account, self._unwrap(slot, kek, account)

    def _params(self, slot: dict[str, Any]) -> KdfParams:
        try:
            kdf = slot["kdf"]
            return KdfParams(int(kdf["time_cost"]), int(kdf["memory_kib"]), int(kdf["parallelism"]))
        except (KeyError, ValueError, TypeError) as exc:
            raise CorruptKeySlots(str(self.path)) from exc

    def _kek(self, slot: dict[str, Any], password: str, threads: int | None) -> AESGCM:
        params = self._params(slot)
        try:
            salt = _unb64(slot["kdf"]["salt"])
        except (KeyError, ValueError, TypeError) as exc:
            raise CorruptKeySlots(str(self.path)) from exc
        derived = _derive(password, salt, params, threads)
        # Imported after the derivation: at start-up the main thread loads it meanwhile
        # (``load_cipher``), and the derivation need not wait for it.
        from cryptography.hazmat.primitives.ciphers.aead import AESGCM

        return AESGCM(derived)

    def _unwrap(self, slot: dict[str, Any], kek: AESGCM, account: str) -> bytes:
        from cryptography.exceptions import InvalidTag

        try:
            nonce, wrapped = _unb64(slot["nonce"]), _unb64(slot["wrapped_key"])
        except (KeyError, ValueError, TypeError) as exc:
            raise CorruptKeySlots(str(self.path)) from exc
        try:
            return kek.decrypt(nonce, wrapped, _aad(str(slot["id"]), account))
        except InvalidTag as exc:
            raise WrongPassword(account) from exc


class _FileLock:
    """An exclusive lock on ``path`` (created if need be), held for one read-modify-write of
    the slot file. The operating system drops it when its process ends, however it ends, so a
    crashed process never leaves the file locked. It is held for milliseconds (a read and a
    write, never a key derivation); where it cannot be taken (a read-only folder) ``OSError``
    is raised, as the write would raise it."""

    __slots__ = ("fd", "path")

    def __init__(self, path: Path) -> None:
        self.path = path
        self.fd = -1

    def __enter__(self) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o600)
        try:
            _lock(fd)
        except BaseException:
            os.close(fd)
            raise
        self.fd = fd

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        try:
            _unlock(self.fd)
        finally:
            os.close(self.fd)
            self.fd = -1


if sys.platform == "win32":

    def _lock(fd: int) -> None:
        """The file's first byte (the position of a file just opened), through the C runtime:
        LK_LOCK tries once a second and raises ``OSError`` after 10 seconds."""
        import msvcrt

        msvcrt.locking(fd, msvcrt.LK_LOCK, 1)

    def _unlock(fd: int) -> None:
        import msvcrt

        os.lseek(fd, 0, os.SEEK_SET)
        msvcrt.locking(fd, msvcrt.LK_UNLCK, 1)

else:

    def _lock(fd: int) -> None:
        import fcntl

        fcntl.flock(fd, fcntl.LOCK_EX)

    def _unlock(fd: int) -> None:
        pass  # closing the file releases it


def _log_unwritable() -> None:
    import logging

    logging.getLogger(__name__).warning("key slot file not rewritten: the folder is not writable")


def _seal_name(slot: dict[str, Any], kek: AESGCM, account: str) -> None:
    import secrets

    nonce = secrets.token_bytes(12)
    # Padded, so that the sealed name's length does not tell how long the name is. Account
    # names hold no control characters (``validate_new_account``): the padding is stripped.
    name = account.encode("utf-8")
    name += b"\0" * (-len(name) % NAME_PADDING)
    sealed = kek.encrypt(nonce, name, _name_aad(str(slot["id"])))
    slot["name"] = {"nonce": _b64(nonce), "sealed": _b64(sealed)}
