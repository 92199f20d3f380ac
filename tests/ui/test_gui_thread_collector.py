"""Cycles holding Qt objects are collected on the UI thread, never in a worker thread."""

from __future__ import annotations

import gc
import threading
import time
from collections.abc import Callable

from PySide6.QtWidgets import QApplication, QDialog

from desktop_app.ui.application import GC_FULL_MIN_INTERVAL_S, collect_garbage_on_gui_thread


class _Cycle:
    def __init__(self) -> None:
        self.me = self


def test_a_dropped_dialog_in_a_cycle_is_destroyed_on_the_ui_thread(
    qapp: QApplication, qtbot
) -> None:
    collect_garbage_on_gui_thread(qapp)
    destroyed_in: list[str] = []

    class Dropped(QDialog):
        def __del__(self) -> None:
            destroyed_in.append(threading.current_thread().name)

    dialog = Dropped()
    dialog.keep = dialog  # type: ignore[attr-defined]  # a cycle: only the collector frees it
    del dialog

    def allocate() -> None:  # a worker allocating enough to trigger Python's own collector
        for _ in range(50_000):
            _Cycle()

    worker = threading.Thread(target=allocate, name="worker")
    worker.start()
    worker.join()
    assert destroyed_in == []  # the worker's allocations did not collect it
    qtbot.waitUntil(lambda: destroyed_in != [], timeout=30_000)
    assert destroyed_in == [threading.main_thread().name]


def test_installing_twice_keeps_one_collector(qapp: QApplication) -> None:
    assert collect_garbage_on_gui_thread(qapp) is collect_garbage_on_gui_thread(qapp)


def test_a_window_a_finished_task_held_last_is_destroyed_on_the_ui_thread(qtbot) -> None:
    from desktop_app.ui.tasks import TaskRunner

    runner = TaskRunner()
    destroyed_in: list[str] = []
    release = threading.Event()
    answers: list[object] = []

    class Closed(QDialog):
        def __del__(self) -> None:
            destroyed_in.append(threading.current_thread().name)

    dialog = Closed()

    def task(window: QDialog = dialog) -> str:  # the task holds the window, as callbacks do
        release.wait(5)
        return window.objectName() or "drawn"

    runner.run(task, answers.append)
    del task, dialog  # the window is closed and forgotten while its task still runs
    release.set()
    qtbot.waitUntil(lambda: answers == ["drawn"], timeout=30_000)
    assert runner.wait(5000)
    qtbot.waitUntil(lambda: destroyed_in != [], timeout=30_000)
    assert destroyed_in == [threading.main_thread().name]


def test_old_cycles_go_in_a_full_collection_which_waits_its_turn(qapp: QApplication) -> None:
    collector = collect_garbage_on_gui_thread(qapp)
    freed: list[bool] = []

    class Old:
        def __init__(self) -> None:
            self.me = self

        def __del__(self) -> None:
            freed.append(True)

    old = Old()
    gc.collect(1)  # it survives: now in the oldest generation
    del old

    def busy_ticks(ticks: int) -> None:  # allocation between timer ticks, as a sync makes
        for _ in range(ticks):
            for _ in range(gc.get_threshold()[0] + 100):
                _Cycle()
            collector.collect_due()

    collector._next_full = time.monotonic() + 3600  # a full collection was just made
    busy_ticks(300)  # enough for Python's counts to ask for a full one several times
    assert freed == []
    collector._next_full = 0.0  # its turn
    busy_ticks(300)
    assert freed == [True]
    assert collector._next_full >= time.monotonic() + GC_FULL_MIN_INTERVAL_S - 1


def test_a_dialog_without_parent_dropped_by_its_own_saves_callback_is_destroyed_safely(
    qtbot,
) -> None:
    """The callback of a ``DialogSave`` held the last reference to its dialog. Released when
    the task's signal object was destroyed, the dialog (no parent) was destroyed from inside
    that object's destructor, which destroyed the object again: a segmentation fault."""
    import shiboken6
    from PySide6.QtWidgets import QDialogButtonBox, QVBoxLayout

    from desktop_app.ui.tasks import DialogSave

    class Saving(QDialog):
        def __init__(self) -> None:
            super().__init__()
            self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok)
            QVBoxLayout(self).addWidget(self.buttons)
            self.save = DialogSave(self, self.buttons)

    dialog = Saving()
    button_box = dialog.buttons

    # The callback holds the dialog itself (a default), not this test's variable.
    def accepted(_result: object, accept: Callable[[], None] = dialog.accept) -> None:
        accept()

    with qtbot.waitSignal(dialog.save.answered, timeout=30_000):
        dialog.save.start(lambda: 1, accepted, lambda _e: None)
    assert dialog.result() == QDialog.DialogCode.Accepted
    del dialog, accepted  # the callback's closure holds it now, and nothing else
    qtbot.waitUntil(lambda: not shiboken6.isValid(button_box), timeout=5000)


def test_a_frozen_dialog_given_back_by_a_store_closed_in_a_worker_is_destroyed_on_the_ui_thread(
    qtbot, session, freezing_collector
) -> None:
    """What the program froze once its window settled goes back to the collector when a store
    closes, on whichever thread that closes it; the collection itself stays on the UI thread."""
    from desktop_app import memory
    from desktop_app.ui.main_window import MainWindow
    from tests.ui.conftest import frozen

    destroyed_in: list[str] = []

    class Dropped(QDialog):
        def __del__(self) -> None:
            destroyed_in.append(threading.current_thread().name)

    window = MainWindow(session)  # installs its features: settled
    qtbot.addWidget(window)
    dialog = Dropped()
    dialog.keep = dialog  # type: ignore[attr-defined]  # a cycle: only the collector frees it
    qtbot.waitUntil(memory.is_frozen, timeout=5000)
    assert frozen(dialog) and frozen(window)  # out of every full collection's walk now
    del dialog
    gc.collect(2)
    assert destroyed_in == []  # frozen: even a full collection leaves it

    closer = threading.Thread(target=session.store.close, name="worker")
    closer.start()
    closer.join()
    assert not memory.is_frozen() and destroyed_in == []  # given back, not collected there
    qtbot.waitUntil(lambda: destroyed_in != [], timeout=5000)
    assert destroyed_in == [threading.main_thread().name]


def test_a_window_that_settled_while_the_old_store_was_open_is_frozen_after_it_closed(
    qtbot, session, freezing_collector, tmp_path
) -> None:
    """A window put in place of another (a restore, another user's login) may install its
    features before the old window's store closes: what is alive is frozen again after the
    store's closing gave it back, without another window settling."""
    from desktop_app import memory
    from desktop_app.ui.main_window import MainWindow
    from desktop_app.usecases.accounts import create_first_account
    from tests.conftest import PASSWORD
    from tests.ui.conftest import frozen

    old = MainWindow(session)
    qtbot.addWidget(old)
    qtbot.waitUntil(memory.is_frozen, timeout=5000)
    other = create_first_account(tmp_path / "other", "boris", "Boris", PASSWORD)
    try:
        new = MainWindow(other)  # settles while everything is frozen still
        qtbot.addWidget(new)
        assert not frozen(new)
        old.close()
        session.close()
        assert not memory.is_frozen()
        qtbot.waitUntil(memory.is_frozen, timeout=5000)
        assert frozen(new)
    finally:
        other.close()
