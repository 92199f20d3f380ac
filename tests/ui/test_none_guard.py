"""A window in use all day must not abort: PySide6 6.12.0 on Python 3.11 takes a reference from
None at every call of a Qt method that returns nothing (see ``desktop_app.ui``)."""

from __future__ import annotations

import re
import subprocess
import sys

from tests.ui.conftest import run_program

# More calls than None has references in a fresh process (some thousands) or an open window
# (some 60,000): without the guard, Python aborts long before the end.
SCRIPT = """
import sys
import desktop_app.ui  # noqa: F401
from PySide6.QtWidgets import QApplication, QLabel
app = QApplication([])
label = QLabel()
for i in range(300_000):
    label.setText("x")
    if i % 1000 == 0:
        app.processEvents()
print("survived", file=sys.stderr)
"""


def _python(*args: str) -> subprocess.CompletedProcess[str]:
    """This Python run offscreen in the repository with ``args``, to its end."""
    return run_program(*args, timeout=600)


def test_a_day_of_qt_calls_does_not_abort_python() -> None:
    done = _python("-c", SCRIPT)
    assert done.returncode == 0, done.stderr[-2000:]
    assert "survived" in done.stderr


# The windows that take references from True and False (visit, consent, refer dialog, letter)
# in bg, ro and de, then Qt's texts switched between languages: a bounded selection (about 35
# tests, some seconds), not whole files that grow with every window added (the two files took
# four to nine minutes of one worker by December).
WINDOWS_IN_THREE_LANGUAGES = (
    "visit_window_fits or consent_dialog_fits or refer_dialog_fits_with_a_service_chosen"
    " or letter_preview_fits or qt_translations or german_key"
)


def test_the_guard_covers_none_true_and_false() -> None:
    """What keeps the aborts below away: each singleton's count is beyond what any run uses."""
    import desktop_app.ui  # noqa: F401

    if sys.version_info >= (3, 12):
        return  # immortal there
    for singleton in (None, True, False):
        assert sys.getrefcount(singleton) > 1 << 39, singleton


def test_a_test_run_of_many_windows_in_three_languages_does_not_abort_at_exit() -> None:
    """True and False: PySide6 6.12.0 takes references from them too (a few hundred per visit,
    consent or referral window opened and closed); a run of real windows in bg, ro and de,
    then Qt's texts switched between languages, ended with "Fatal Python error: bool_dealloc"
    (exit status 134) after every test had passed, until the guard covered them as well."""
    done = _python(
        "-m",
        "pytest",
        "-q",
        "-p",
        "no:randomly",
        "-p",
        "no:cacheprovider",
        "tests/ui/test_window_sizes_ui.py",
        "tests/ui/test_qt_translations.py",
        "-k",
        WINDOWS_IN_THREE_LANGUAGES,
    )
    assert "Fatal Python error" not in done.stderr, done.stderr[-2000:]
    assert done.returncode == 0, (done.stdout[-2000:], done.stderr[-2000:])
    passed = re.search(r"(\d+) passed", done.stdout)
    assert passed is not None and int(passed.group(1)) >= 30, done.stdout[-2000:]
