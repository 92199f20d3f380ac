"""The first "Register person" of a session shows its dialog without loading CLDR data on the
main thread: the window loads the UI language's data on a worker once its features are in
(the dialog's language names needed it; loading it held the window 120-200 ms)."""

from __future__ import annotations

from collections.abc import Iterator

import babel.core
import babel.localedata
import pytest
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

from desktop_app.ui.main_window import MainWindow
from desktop_app.ui.person_dialog import RegisterPersonDialog
from desktop_app.usecases.accounts import Session
from tests.ui.conftest import shown_window


@pytest.fixture
def no_cldr_loaded(monkeypatch: pytest.MonkeyPatch) -> Iterator[dict[str, object]]:
    """Babel as in a program that has not loaded any CLDR data yet (other tests of this
    process have); the data loaded meanwhile is in the dict yielded, then forgotten."""
    loaded: dict[str, object] = {}
    monkeypatch.setattr(babel.localedata, "_cache", loaded)
    # Babel's wrappers of the loaded data, kept apart from it (getattr: not in every version)
    if getattr(babel.localedata, "_dict_cache", None) is not None:
        monkeypatch.setattr(babel.localedata, "_dict_cache", {})
    monkeypatch.setattr(babel.core, "_global_data", None)
    yield loaded


def _loaded_by_opening(qtbot: QtBot, window: MainWindow, loaded: dict[str, object]) -> set[str]:
    """The CLDR data the register dialog's opening loaded, once the window's background work
    (as after a user's moment idle) is done."""
    assert window.tasks.wait(10_000)
    qtbot.wait(1)  # the tasks' answers delivered
    before = set(loaded)
    window.new_action.trigger()
    dialog = QApplication.activeModalWidget()
    try:
        assert isinstance(dialog, RegisterPersonDialog) and dialog.isVisible()
        return set(loaded) - before
    finally:
        if isinstance(dialog, RegisterPersonDialog):
            dialog.reject()


def test_first_register_dialog_loads_no_cldr_data(
    qtbot: QtBot, session: Session, no_cldr_loaded: dict[str, object]
) -> None:
    # a window on an open session: a login at the lock, a restore, a colleague's switch
    window = shown_window(qtbot, session)
    assert window.features_installed
    assert _loaded_by_opening(qtbot, window, no_cldr_loaded) == set()
    assert "en" in no_cldr_loaded  # loaded behind the window, in the UI language


def test_register_dialog_after_a_language_switch_loads_no_cldr_data(
    qtbot: QtBot, session: Session, no_cldr_loaded: dict[str, object]
) -> None:
    window = shown_window(qtbot, session)
    window.switch_language("ro")
    assert _loaded_by_opening(qtbot, window, no_cldr_loaded) == set()
    assert "ro" in no_cldr_loaded
