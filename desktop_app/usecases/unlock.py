"""Unlock a store for the main window: the key and the people list's first page first.

Light on imports on purpose: at start-up this loads while the key is derived, and the store's
full modules (SQLAlchemy, models, use cases) load only when the quick reader cannot serve the
store (``storage/quick.py``).
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from desktop_app.storage.login_guard import unlock_for_start
from desktop_app.storage.quick import QuickStart, QuickUnavailable, quick_open_with_key

if TYPE_CHECKING:
    from desktop_app.usecases.accounts import Session


def open_for_window(data_dir: Path, account: str | None, password: str) -> QuickStart | Session:
    """The key unwrapped (guarded against guessing) and the store opened for the window
    (``open_with_key``). Raises the key slot errors of a refused login and ``StoreError`` as
    ``accounts.log_in`` does. ``account`` None: the laptop's only account."""
    return open_with_key(data_dir, *unlock_for_start(data_dir, account, password))


def open_with_key(data_dir: Path, account: str, key: bytes) -> QuickStart | Session:
    """The quick reader with the first page read; the full session when the quick reader
    cannot serve this store (missing or damaged file, an older schema to migrate)."""
    try:
        return quick_open_with_key(data_dir, account, key)
    except QuickUnavailable as exc:
        from desktop_app.usecases.accounts import open_unlocked

        return open_unlocked(data_dir, account, exc.key)
