"""Failed-login counter beside the database: a growing wait after wrong passwords.

The file holds only a count and a time (no account names, nothing personal), so it may stay
in the clear. It lives on disk so that restarting the program does not reset the wait.
"""

from __future__ import annotations

import json
import os
import time
from collections.abc import Callable
from pathlib import Path

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
