"""Failed-login counter beside the database: a growing wait after wrong passwords.

The file holds only a count and a time (no account names, nothing personal), so it may stay
in the clear. It lives on disk so that restarting the program does not reset the wait.
"""

from __future__ import annotations

import json
import logging
import os
import time
from collections.abc import Callable
from pathlib import Path

from desktop_app.storage.keyslots import (
    RECOVERY_ACCOUNT,
    LoginDelayed,
    UnknownAccount,
    WrongPassword,
    normalise_account,
    usable_cores,
)
from desktop_app.storage.layout import StorePaths

log = logging.getLogger(__name__)

GUARD_NAME = "login-guard.json"
MAX_DELAY_S = 300


def delay_after(failures: int) -> int:
    """Seconds to wait before the next try: 0, 0, 1, 2, 4, 8 … capped at five minutes."""
    if failures < 2:
        return 0
    return int(min(2 ** (failures - 2), MAX_DELAY_S))


class LoginGuard:
    """Counts consecutive failed logins of a data folder (all accounts together)."""

    def __init__(self, data_dir: Path, now: Callable[[], float] = time.time) -> None:
        self.path = data_dir / GUARD_NAME
        self._now = now

    def _load(self) -> tuple[int, float]:
        try:
            data = json.loads(self.path.read_text(encoding="ascii"))
            return int(data["failures"]), float(data["last_failure"])
        except FileNotFoundError:
            return 0, 0.0
        except (OSError, ValueError, KeyError, TypeError):
            # A damaged counter must not become a way around the wait: assume the worst.
            return 64, self._now()

    def _save(self, failures: int, last_failure: float) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        tmp = self.path.with_suffix(".tmp")
        with open(tmp, "w", encoding="ascii") as fh:
            json.dump({"failures": failures, "last_failure": last_failure}, fh)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, self.path)

    @property
    def failures(self) -> int:
        return self._load()[0]

    def remaining(self) -> float:
        """Seconds until the next try is allowed (0 when it is allowed now)."""
        failures, last = self._load()
        wait = delay_after(failures)
        if not wait:
            return 0.0
        # A clock set back must not stretch the wait beyond its length.
        return max(0.0, min(float(wait), last + wait - self._now()))

    def failed(self) -> None:
        failures, _last = self._load()
        self._save(failures + 1, self._now())

    def succeeded(self) -> None:
        if self.path.exists():
            self._save(0, 0.0)


def unlock_guarded(
    data_dir: Path, account: str, secret: str, *, threads: int | None = None
) -> bytes:
    """Unwrap the key, counting failures; raises LoginDelayed while the wait is not over.
    ``threads``: Argon2 lanes computed at once (``keyslots._derive``)."""
    return unlock_account(data_dir, account, secret, threads=threads)[1]


def unlock_account(
    data_dir: Path, account: str | None, secret: str, *, threads: int | None = None
) -> tuple[str, bytes]:
    """``unlock_guarded``, also for the only account unnamed (None): its name and the key."""
    guard = LoginGuard(data_dir)
    wait = guard.remaining()
    if wait > 0:
        raise LoginDelayed(wait)
    slots = StorePaths(data_dir).keyslots
    try:
        if account is None:
            account, key = slots.unlock_only(secret, threads=threads)
        else:
            key = slots.unlock(account, secret, threads=threads)
    except (WrongPassword, UnknownAccount):
        guard.failed()
        log.warning("failed login, %d in a row", guard.failures)
        raise
    guard.succeeded()
    return account, key


def unlock_for_start(
    data_dir: Path, account: str | None, password: str, *, kdf_threads: int | None = None
) -> tuple[str, bytes]:
    """The account and key for a window's start: a person's account, never the recovery slot;
    ``account`` None: the laptop's only account (``StorePaths.can_log_in_unnamed``).

    ``kdf_threads`` defaults to leaving one core free: at start-up this runs while the main
    thread loads Qt and builds the window, and more Argon2 threads than free cores would only
    slow the window down (the longer of the two paths). After a login prompt nothing else
    runs, and every core may work on the key.
    """
    if account is not None and normalise_account(account) == RECOVERY_ACCOUNT:
        raise UnknownAccount(account)
    threads = kdf_threads or max(1, usable_cores() - 1)
    return unlock_account(data_dir, account, password, threads=threads)
