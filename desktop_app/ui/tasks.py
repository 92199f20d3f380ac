"""The one way the UI runs use cases off the main thread and gets results back on it."""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QObject, QRunnable, QThreadPool, QTimer, Signal, Slot
from PySide6.QtWidgets import QDialog, QWidget

from desktop_app.storage.layout import StoreClosed

log = logging.getLogger(__name__)


class _Signals(QObject):
    """Carries one task's outcome to the main thread; the worker keeps no reference to it."""

    done = Signal()
    failed = Signal()

    def __init__(self, parent: QObject) -> None:
        super().__init__(parent)
        self.outcome: Any = None


class _Task(QRunnable):
    """Runs ``fn`` on a worker thread. Everything it touched (the callable and what it holds,
    often a window; the result; an exception and its frames) is handed back before the signal
    goes, so the last reference is dropped on the main thread: a window whose last reference
    went in a worker would be destroyed there, and Qt crashes on that."""

    def __init__(self, fn: Callable[[], Any], signals: _Signals) -> None:
        super().__init__()
        self._fn: Callable[[], Any] | None = fn
        self._signals: _Signals | None = signals

    @Slot()
    def run(self) -> None:
        fn, signals = self._fn, self._signals
        self._fn = self._signals = None
        assert fn is not None and signals is not None
        ok = True
        try:
            signals.outcome = fn()
        except Exception as exc:  # handed to the caller's failure slot on the main thread
            log.debug("background task failed: %s", type(exc).__name__)
            signals.outcome = exc
            ok = False
        del fn
        (signals.done if ok else signals.failed).emit()


_RELEASING: list[object] = []


def release_later(*objects: object) -> None:
    """Keep ``objects`` until the event loop is idle again, then let them go.

    A task's callbacks often hold the last reference to a dialog without a parent. Were it
    released inside the task's own signal (or when that signal object is destroyed), Qt would
    destroy the dialog, and with it the runner and signal object it is in the middle of: a
    crash. Released from a timer of its own, the dialog goes at a quiet moment.
    """
    if not _RELEASING:
        QTimer.singleShot(0, _RELEASING.clear)
    _RELEASING.extend(objects)


class TaskRunner(QObject):
    """Runs callables on a thread pool; callbacks run on the thread that owns this object."""

    def __init__(self, parent: QObject | None = None, max_threads: int = 2) -> None:
        super().__init__(parent)
        self._pool = QThreadPool(self)
        self._pool.setMaxThreadCount(max_threads)
        #: each task's signals and its callable, released here on the main thread
        self._alive: dict[_Signals, Callable[[], Any]] = {}

    def run(
        self,
        fn: Callable[[], Any],
        on_done: Callable[[Any], None],
        on_failed: Callable[[Exception], None] | None = None,
    ) -> None:
        signals = _Signals(self)
        self._alive[signals] = fn
        # The connections below hold only this list: the callbacks (often holding a dialog)
        # must not be released when ``signals`` is destroyed (see ``release_later``).
        callbacks: list[Callable[[Any], None] | None] = [on_done, on_failed]

        def finish(ok: bool) -> None:
            task = self._alive.pop(signals, None)
            value, signals.outcome = signals.outcome, None
            signals.deleteLater()
            done, failed = callbacks
            callbacks.clear()
            release_later(task, done, failed, value)
            if isinstance(value, StoreClosed):
                # Work that was still running when its store closed (logging out, quitting,
                # a restored store opened in its place): stopped, and nobody is to be told.
                log.info("background task stopped: its store was closed")
                return
            callback = done if ok else failed
            if callback is None:
                return
            try:
                callback(value)
            except StoreClosed:
                # The task ended just before its store closed (a user switched at the lock
                # screen as a take-over was stored): its answer came for a window gone.
                log.info("background task's answer dropped: its store was closed meanwhile")

        signals.done.connect(lambda: finish(True))
        signals.failed.connect(lambda: finish(False))
        self._pool.start(_Task(fn, signals))

    def wait(self, msecs: int = 5000) -> bool:
        return self._pool.waitForDone(msecs)


#: how long closing a dialog waits for its save in flight (a sync holds the store for less)
SAVE_WAIT_MS = 5000


class DialogSave(QObject):
    """A dialog's save (Save, Create …) on a worker thread: the window does not wait while
    the sync writes to the store. The dialog's buttons wait for the answer, which goes to the
    dialog's callbacks on the UI thread; ``answered`` follows every answer.

    A dialog closed meanwhile (Escape, the lock) calls ``dismiss`` from its ``reject``: it
    waits for the save, which is kept, and its answer goes to nobody (behind the lock the
    window must not show what was saved)."""

    answered = Signal()

    def __init__(self, dialog: QDialog, buttons: QWidget) -> None:
        """``buttons``: what waits for the answer (the button box, or a panel of choices)."""
        super().__init__(dialog)
        self._buttons = buttons
        self._runner = TaskRunner(self, max_threads=1)
        self.saving = False
        self.dismissed = False
        #: the last answer (a value or an Exception), for whoever ``answered`` tells of a save
        #: its dialog was closed during (the window behind it shows how it went)
        self.answer: Any = None

    def start(
        self,
        fn: Callable[[], Any],
        on_done: Callable[[Any], None],
        on_failed: Callable[[Exception], None],
    ) -> None:
        if self.saving or self.dismissed:
            return
        self.saving = True
        self._buttons.setEnabled(False)
        self._runner.run(
            fn, lambda value: self._answer(on_done, value), lambda exc: self._answer(on_failed, exc)
        )

    def _answer(self, callback: Callable[[Any], None], value: Any) -> None:
        self.saving = False
        self.answer = value
        self._buttons.setEnabled(True)
        try:
            if not self.dismissed:
                callback(value)
            elif isinstance(value, Exception):
                log.warning("a dismissed dialog's save failed: %s", type(value).__name__)
        finally:
            self.answered.emit()

    def dismiss(self) -> None:
        if self.saving:
            self._runner.wait(SAVE_WAIT_MS)
            self.dismissed = True
