"""PySide6 windows, models and dialogs: the only package that imports Qt."""

from __future__ import annotations

import sys
from types import ModuleType


def _keep_none_alive() -> None:
    """PySide6 6.12.0 on Python 3.11: every call of a Qt method that returns nothing takes a
    reference from None that it never gave it. None's count (some 60,000 in an open window)
    reaches zero after that many calls and Python aborts ("Fatal Python error: none_dealloc"):
    a window in use all day would close with whatever was being typed in it. PySide6 6.11 does
    not do this, and Python 3.12 makes None immortal; this does by hand what 3.12 does, a count
    that no run can use up (tests/ui/test_none_guard.py).

    True and False too: some of PySide6's conversions take references from them as well (a
    few hundred per window opened and closed, enough that a test run opening the visit,
    consent and referral windows in three languages aborted at exit with "Fatal Python error:
    bool_dealloc"); 3.12 makes them immortal as well."""
    if sys.version_info >= (3, 12) or sys.implementation.name != "cpython":
        return
    import ctypes

    for singleton in (None, True, False):
        count = ctypes.c_ssize_t.from_address(id(singleton))
        if count.value < 1 << 40:
            count.value += 1 << 40


_keep_none_alive()


def _ask_pyside_less() -> None:
    """Once PySide6 has loaded, its import hook asks of every module imported whether its source
    names PySide6 (for ``from __feature__ import …``, which Welcome Desk does not use) through
    ``inspect.getsource``: the file read, decoded, split into lines and kept in ``linecache``,
    for each of the some 80 modules the window imports before its first paint (a twentieth of
    its start-up) and the hundreds its features load after it, whose sources then stayed in
    memory. The same question is answered here from the file's bytes; where there is no
    source file (a bundle's archive, an extension), PySide6's own answer."""
    import PySide6  # noqa: F401  (installs the hook and the module asked below)

    feature = sys.modules.get("shibokensupport.feature")
    asks = getattr(feature, "_mod_uses_pyside", None)
    if feature is None or asks is None or getattr(asks, "reads_bytes", False):
        return  # another PySide6, or done already

    def uses_pyside(module: ModuleType) -> bool:
        path = getattr(module, "__file__", None)
        if isinstance(path, str) and path.endswith(".py"):
            try:
                with open(path, "rb") as source:
                    return b"PySide6" in source.read()
            except OSError:
                pass
        return bool(asks(module))

    uses_pyside.reads_bytes = True  # type: ignore[attr-defined]
    feature._mod_uses_pyside = uses_pyside  # type: ignore[attr-defined]


_ask_pyside_less()
