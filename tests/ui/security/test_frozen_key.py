"""The program freezes what is alive once its window has settled (``desktop_app/memory.py``),
the open store and its key among it: logging out still leaves whatever held the key to the
cycle collector, which frees it on the UI thread, and the next user's window is frozen again."""

from __future__ import annotations

import weakref

import shiboken6
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

from desktop_app import memory
from desktop_app.ui import main_window
from desktop_app.ui.application import GuiThreadCollector, collect_garbage_on_gui_thread
from desktop_app.ui.main_window import MainWindow, window_in_use
from desktop_app.usecases.accounts import Session
from tests.ui.conftest import frozen, switch_user_at_lock


class _KeyInCycle:
    """What a window's closure or a dialog left over holds: the key, in a reference cycle that
    only the collector frees."""

    def __init__(self, key: bytes) -> None:
        self.key = key
        self.me = self


def test_what_held_the_key_when_frozen_is_freed_after_logging_out_at_the_lock(
    qtbot: QtBot, session: Session, freezing_collector: GuiThreadCollector
) -> None:
    window = MainWindow(session)  # installs its features: settled
    window.show()
    pool = session.store.engine.pool
    # Held by the engine's pool as its connect hooks are: the store's closing lets go of it.
    pool.left_over = _KeyInCycle(bytes(session.key))  # type: ignore[attr-defined]
    holders = [weakref.ref(pool.left_over), weakref.ref(pool), weakref.ref(pool._creator)]  # type: ignore[attr-defined]
    del pool
    qtbot.waitUntil(memory.is_frozen, timeout=5000)
    assert [frozen(h()) for h in holders] == [
        True
    ] * 3  # frozen late, with the store open: the trap
    try:
        new = switch_user_at_lock(window)
        assert session.store.closed and isinstance(new, MainWindow) and new is not window
        # The key's holders go with the next tick's full collection, on this thread.
        qtbot.waitUntil(lambda: all(h() is None for h in holders), timeout=5000)
        assert new.session is not session
        qtbot.waitUntil(memory.is_frozen, timeout=5000)  # the new window settled: frozen again
        assert frozen(new.session.store.engine.pool)
    finally:
        if shiboken6.isValid(window):  # (deleted once the switch is done)
            window.close()
        switched_to = window_in_use()
        main_window._in_use.clear()
        if switched_to is not None and switched_to is not window:
            switched_to.close()
            switched_to.session.close()
    assert not memory.is_frozen()  # the new store's closing gave it back too


def test_a_tests_collector_freezes_nothing(
    qtbot: QtBot, session: Session, qapp: QApplication
) -> None:
    """Only the program asks for the freeze (``app.py``): the UI tests' own collector
    (``tests/ui/conftest.py``) is left as it was, and a window settling there freezes nothing."""
    window = MainWindow(session)
    qtbot.addWidget(window)
    collector = collect_garbage_on_gui_thread(qapp)
    for _ in range(3):
        collector.collect_due()
    assert window.features_installed and not memory.is_frozen()
