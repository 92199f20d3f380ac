"""Encrypted backup of a laptop's store, and restoring it into a fresh data folder.

The backup holds a consistent SQLCipher copy of the database (still encrypted with the store
key) and the key slot file, packed as a tar stream and encrypted as a whole under a key derived
from a passphrase (Argon2id, AES-256-GCM in 1 MiB chunks). Each chunk's associated data binds
the header, its index and whether it is the last, so a cut, reordered or altered file is refused.
Restoring needs the passphrase; opening the restored store then needs an account's password.

Format 2 adds two fields to the header, which readers of format 1 ignore (they restore it as
before): ``key_check``, a value derived from the passphrase's key, and ``digest``, a SHA-256 of
the other fields. A chunk that fails to open cannot tell a wrong key from altered data; the key
check can, so a damaged backup is no longer said to have a wrong passphrase. The digest tells a
damaged header (a changed salt fails the key check too) from a wrong passphrase.

Every later format keeps ``digest`` as it is (a SHA-256 of the header's other fields, the
format among them): a reader checks it before it believes the format, so a changed bit in the
format field is said as damage, not as a backup from a newer version.
"""

from __future__ import annotations

import contextlib
import hashlib
import hmac
import io
import json
import os
import secrets
import shutil
import struct
import tarfile
import tempfile
from pathlib import Path
from typing import BinaryIO

from argon2.low_level import Type, hash_secret_raw
from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.hashes import SHA256
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

from desktop_app.domain.permissions import Action, require
from desktop_app.domain.validation import FieldError, ValidationFailed
from desktop_app.storage.db import (
    DB_NAME,
    RESTORED_MARKER,
    SLOTS_NAME,
    StoreExists,
    StorePaths,
)
from desktop_app.storage.keyslots import KdfParams
from desktop_app.usecases import audit
from desktop_app.usecases.accounts import PASSWORD_MIN, Session, log_in

MAGIC = b"WELCOME-DESK-BACKUP\n"
CHUNK = 1 << 20
FORMAT = 2
# The formats this version reads: 1 has no key check (a wrong passphrase is told only by the
# first chunk, which altered data fails alike).
_READABLE = (1, FORMAT)
_KEY_CHECK_LABEL = b"welcome-desk backup key check v2"
_LEN = struct.Struct(">I")
_FILES = (DB_NAME, SLOTS_NAME)


class BackupError(Exception):
    """A backup that cannot be read; ``code`` is a key for a translated message."""

    code = "backup_damaged"


class WrongPassphrase(BackupError):
    code = "wrong_passphrase"


class NotABackup(BackupError):
    """A file that does not begin as a backup does (another file chosen): told apart from a
    damaged backup, since the user chooses another file rather than another backup."""

    code = "not_a_backup"


class NewerBackup(BackupError):
    """A backup written in a format this version does not know (by a newer version)."""

    code = "newer_schema"


def _derive(passphrase: str, salt: bytes, params: KdfParams) -> bytes:
    return hash_secret_raw(
        passphrase.encode("utf-8"),
        salt,
        time_cost=params.time_cost,
        memory_cost=params.memory_kib,
        parallelism=params.parallelism,
        hash_len=32,
        type=Type.ID,
    )


def _key_check(key: bytes) -> bytes:
    """A value that tells whether ``key`` is the one a backup was written with, without giving
    the key away (a one-way derivation under a label of its own). It is derived from the slow
    Argon2id output, never from the passphrase: testing a guess against it costs the same KDF
    as testing it against the first chunk."""
    return HKDF(SHA256(), length=16, salt=None, info=_KEY_CHECK_LABEL).derive(key)


def _digest(fields: dict[str, object]) -> str:
    return hashlib.sha256(json.dumps(fields, sort_keys=True).encode("ascii")).hexdigest()


def _aad(header: bytes, index: int, final: bool) -> bytes:
    return header + struct.pack(">Q?", index, final)


class _EncryptingWriter(io.RawIOBase):
    """A write-only stream that seals everything written to it in chunks."""

    def __init__(self, out: BinaryIO, passphrase: str) -> None:
        super().__init__()
        params = KdfParams.default()
        salt = secrets.token_bytes(16)
        self._prefix = secrets.token_bytes(4)
        # The key itself stays as in format 1, so that version's readers restore this format too.
        key = _derive(passphrase, salt, params)
        fields: dict[str, object] = {
            "format": FORMAT,
            "kdf": {
                "alg": "argon2id",
                "salt": salt.hex(),
                "time_cost": params.time_cost,
                "memory_kib": params.memory_kib,
                "parallelism": params.parallelism,
            },
            "nonce_prefix": self._prefix.hex(),
            "chunk": CHUNK,
            "key_check": _key_check(key).hex(),
        }
        fields["digest"] = _digest(fields)
        self._header = json.dumps(fields, sort_keys=True).encode("ascii")
        self._aes = AESGCM(key)
        self._out = out
        self._buffer = bytearray()
        self._index = 0
        out.write(MAGIC + _LEN.pack(len(self._header)) + self._header)

    def writable(self) -> bool:
        return True

    def write(self, data: bytes | bytearray | memoryview) -> int:  # type: ignore[override]
        self._buffer += data
        while len(self._buffer) > CHUNK:
            self._seal(bytes(self._buffer[:CHUNK]), final=False)
            del self._buffer[:CHUNK]
        return len(data)

    def _seal(self, plain: bytes, final: bool) -> None:
        nonce = self._prefix + struct.pack(">Q", self._index)
        sealed = self._aes.encrypt(nonce, plain, _aad(self._header, self._index, final))
        self._out.write(_LEN.pack(len(sealed)) + sealed)
        self._index += 1

    def finish(self) -> None:
        self._seal(bytes(self._buffer), final=True)
        self._buffer.clear()


class _DecryptingReader(io.RawIOBase):
    def __init__(self, src: BinaryIO, passphrase: str) -> None:
        super().__init__()
        if src.read(len(MAGIC)) != MAGIC:
            raise NotABackup("not a backup")
        try:
            (size,) = _LEN.unpack(src.read(_LEN.size))
            self._header = src.read(size)
            head = json.loads(self._header)
            fmt = int(head.get("format", 1))
            # Before the format is believed: a changed bit in its one digit read as a newer
            # format ('2' to '3', a format 1 backup's '1' to '3', '5' or '9') and asked for an
            # update that cannot read it either. A header with a digest is of format 2 or later
            # whatever its format field says (its name changed reads as format 1).
            if (fmt >= 2 or "digest" in head) and head.pop("digest") != _digest(head):
                raise BackupError("damaged header")
            if fmt > FORMAT:
                raise NewerBackup(f"format {fmt}")
            if fmt not in _READABLE:
                raise BackupError(f"format {fmt}")
            kdf = head["kdf"]
            params = KdfParams(
                int(kdf["time_cost"]), int(kdf["memory_kib"]), int(kdf["parallelism"])
            )
            self._prefix = bytes.fromhex(head["nonce_prefix"])
            salt = bytes.fromhex(kdf["salt"])
            check = bytes.fromhex(head["key_check"]) if fmt >= 2 else None
        except (struct.error, ValueError, KeyError, TypeError, AttributeError) as exc:
            raise BackupError("bad header") from exc
        key = _derive(passphrase, salt, params)
        # Only the key check says "wrong passphrase" when there is one; a chunk that fails to
        # open after it passed is damaged. Format 1 has only the first chunk to go by.
        if check is not None and not hmac.compare_digest(_key_check(key), check):
            raise WrongPassphrase()
        self._checked = check is not None
        self._aes = AESGCM(key)
        self._src = src
        self._index = 0
        self._plain = b""
        self._done = False

    def readable(self) -> bool:
        return True

    def _next_chunk(self) -> None:
        raw_len = self._src.read(_LEN.size)
        if len(raw_len) != _LEN.size:
            raise BackupError("truncated")
        (size,) = _LEN.unpack(raw_len)
        sealed = self._src.read(size)
        if len(sealed) != size:  # cut short: said as a wrong passphrase were it the first chunk
            raise BackupError("truncated")
        nonce = self._prefix + struct.pack(">Q", self._index)
        for final in (False, True):
            try:
                self._plain = self._aes.decrypt(
                    nonce, sealed, _aad(self._header, self._index, final)
                )
            except InvalidTag:
                continue
            self._done = final
            self._index += 1
            return
        if self._index == 0 and not self._checked:
            raise WrongPassphrase()
        raise BackupError("damaged chunk")

    def readinto(self, buffer: memoryview) -> int:  # type: ignore[override]
        while not self._plain and not self._done:
            self._next_chunk()
        n = min(len(buffer), len(self._plain))
        buffer[:n] = self._plain[:n]
        self._plain = self._plain[n:]
        if self._done and not self._plain and self._src.read(1):
            raise BackupError("data after the end")
        return n


def _check_passphrase(passphrase: str) -> None:
    if len(passphrase) < PASSWORD_MIN:
        raise ValidationFailed(
            [FieldError("passphrase", "password_too_short", {"min": PASSWORD_MIN})]
        )


def write_backup(session: Session, out: Path, passphrase: str) -> None:
    """Write an encrypted, consistent backup of the open store to ``out`` (atomically)."""
    require(session.user, Action.BACKUP)
    _check_passphrase(passphrase)
    store = session.store
    data_dir = store.paths.data_dir
    # The snapshot stays inside the data folder and is encrypted with the store key: no clear
    # copy of the database ever reaches a temporary folder.
    work = Path(tempfile.mkdtemp(prefix=".backup-", dir=data_dir))
    try:
        snapshot = work / DB_NAME
        with store.engine.connect() as conn:
            driver = conn.connection.dbapi_connection
            assert driver is not None
            driver.execute(
                f"ATTACH DATABASE ? AS backup KEY \"x'{session.key.hex()}'\"", (str(snapshot),)
            )
            try:
                driver.execute("SELECT sqlcipher_export('backup')")
            finally:
                driver.execute("DETACH DATABASE backup")
        audit.record(store, session.user, audit.AuditAction.BACKUP, "store", store.device_id)
        out.parent.mkdir(parents=True, exist_ok=True)
        tmp = out.with_name(out.name + ".part")
        try:
            with open(tmp, "wb") as fh:
                writer = _EncryptingWriter(fh, passphrase)
                with tarfile.open(fileobj=writer, mode="w|") as tar:
                    tar.add(snapshot, arcname=DB_NAME)
                    tar.add(data_dir / SLOTS_NAME, arcname=SLOTS_NAME)
                writer.finish()
                fh.flush()
                os.fsync(fh.fileno())
            os.replace(tmp, out)
        except BaseException:
            # A stick full or pulled out: no half-written ".part" left beside the backups.
            with contextlib.suppress(OSError):
                tmp.unlink()
            raise
    finally:
        shutil.rmtree(work, ignore_errors=True)


def restore_backup(backup: Path, data_dir: Path, passphrase: str) -> None:
    """Unpack a backup into a new, empty data folder; refuses a folder that holds a store."""
    paths = StorePaths(data_dir)
    if paths.is_initialised():
        raise StoreExists(str(data_dir))
    data_dir.mkdir(parents=True, exist_ok=True)
    work = Path(tempfile.mkdtemp(prefix=".restore-", dir=data_dir))
    try:
        with open(backup, "rb") as fh:
            reader = io.BufferedReader(_DecryptingReader(fh, passphrase), CHUNK)
            try:
                with tarfile.open(fileobj=reader, mode="r|") as tar:
                    for member in tar:
                        if member.name not in _FILES or not member.isfile():
                            raise BackupError(f"unexpected entry {member.name!r}")
                        source = tar.extractfile(member)
                        assert source is not None
                        with open(work / member.name, "wb") as target:
                            shutil.copyfileobj(source, target)
            except tarfile.TarError as exc:
                raise BackupError("bad archive") from exc
        if not all((work / name).exists() for name in _FILES):
            raise BackupError("incomplete")
        # Before the store itself: a store in place is one that has been marked.
        (data_dir / RESTORED_MARKER).touch()
        for name in _FILES:
            os.replace(work / name, data_dir / name)
    finally:
        shutil.rmtree(work, ignore_errors=True)


class RestoreAttempt:
    """A restore into a data folder that is undone unless an account of the backup logs in
    (the first-run wizard's "Restore a backup of this laptop"): a wrong passphrase, another
    file, a cancelled wizard leave the folder as it was, with no store in it that the next
    start would ask a password for. A refused password keeps the restored store for the next
    try (its key slots count the failed logins), and only another backup file unpacks again.

    Whatever the attempt added to the folder goes when it is undone, nothing that was there
    before it (the program's log folder, say). Never stored: gone with the window."""

    def __init__(self, data_dir: Path) -> None:
        self.data_dir = data_dir
        self._before: frozenset[str] | None = None  # the folder's entries before; None: no folder
        self._restored: Path | None = None  # the backup unpacked into it now
        self._started = False

    def open(self, source: Path, passphrase: str, account: str, password: str) -> Session:
        """Restore ``source`` (unless it is restored already), then log in with an account of
        it. Runs on a worker; raises as ``restore_backup`` and ``log_in`` do."""
        if self._restored != source:
            self.undo()
            self._started = True
            folder = self.data_dir
            self._before = frozenset(p.name for p in folder.iterdir()) if folder.is_dir() else None
            try:
                restore_backup(source, self.data_dir, passphrase)
            except BaseException:
                self.undo()
                raise
            self._restored = source
        return log_in(self.data_dir, account, password)

    def undo(self) -> None:
        """Take out what the attempt put into the folder (the folder too, if it made it)."""
        if not self._started:
            return
        self._started, self._restored = False, None
        if self._before is None:
            shutil.rmtree(self.data_dir, ignore_errors=True)
            return
        with contextlib.suppress(FileNotFoundError):
            for entry in self.data_dir.iterdir():
                if entry.name in self._before:
                    continue
                if entry.is_dir() and not entry.is_symlink():
                    shutil.rmtree(entry, ignore_errors=True)
                else:
                    with contextlib.suppress(FileNotFoundError):
                        entry.unlink()
