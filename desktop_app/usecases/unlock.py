"""Unlock a store for the main window: the key and the people list's first page first.

Light on imports on purpose: at start-up this runs on a worker while the main thread loads Qt,
and every module it imports there competes with Qt's for the interpreter. The store's full
modules (SQLAlchemy, models, use cases) load only when the quick reader cannot serve the store.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from desktop_app.storage.layout import StorePaths
from desktop_app.storage.quick import QuickStart, QuickUnavailable, quick_open

if TYPE_CHECKING:
    from desktop_app.usecases.accounts import Session


def only_account(data_dir: Path, account: str | None) -> str | None:
    """``account``, or the store's only account when none is named; None when the folder holds
    no store or several accounts and none is named (the caller explains which)."""
    paths = StorePaths(data_dir)
    if not paths.is_initialised():
        return None
    if account:
        return account
    accounts = paths.keyslots.accounts()
    return accounts[0] if len(accounts) == 1 else None


def open_for_window(data_dir: Path, account: str, password: str) -> QuickStart | Session:
    """The key unwrapped (guarded against guessing) and the quick reader with the first page
    read (``storage/quick.py``); the full session when the quick reader cannot serve this store
    (missing or damaged file, an older schema to migrate). Raises the key slot errors of a
    refused login and ``StoreError`` as ``accounts.log_in`` does."""
    try:
        return quick_open(data_dir, account, password)
    except QuickUnavailable as exc:
        from desktop_app.usecases.accounts import open_unlocked

        return open_unlocked(data_dir, account, exc.key)
