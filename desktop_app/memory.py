"""What the program has moved out of the cycle collector's way once started (``gc.freeze``),
and giving it back when a store closes."""

from __future__ import annotations

import gc
import threading

_lock = threading.Lock()
_frozen = [False]


def freeze() -> None:
    """Move every object alive now (modules, classes, Babel's data, the window, the open store)
    into Python's permanent generation: a full collection then walks only what came later.

    The caller collects first, on the UI thread (``ui.application.GuiThreadCollector``), so
    that no garbage is frozen with the rest. What is frozen is still freed when nothing refers
    to it any more; only a cycle among it waits for ``thaw``."""
    with _lock:
        gc.freeze()
        _frozen[0] = True


def thaw() -> bool:
    """Give what ``freeze`` moved back to the collector; whether anything was frozen.

    A store that closes calls this: its engine's old pool, connect hooks and URL (closures and
    strings holding the key) sit in reference cycles that only the collector frees, and frozen
    they would stay in memory until the program ends. The UI thread's collector sees the thaw
    and makes a full collection at once."""
    with _lock:
        if not _frozen[0]:
            return False
        gc.unfreeze()
        _frozen[0] = False
        return True


def is_frozen() -> bool:
    """Whether what ``freeze`` moved is still out of the collector's way."""
    return _frozen[0]
