"""PySide6 windows, models and dialogs: the only package that imports Qt."""

from __future__ import annotations

import sys


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
