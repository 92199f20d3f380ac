"""The one way the UI runs use cases off the main thread and gets results back on it."""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QObject, QRunnable, QThreadPool, Signal, Slot

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

        def finish(callback: Callable[[Any], None] | None) -> None:
            self._alive.pop(signals, None)
            value, signals.outcome = signals.outcome, None
            signals.deleteLater()
            if callback is not None:
                callback(value)

        signals.done.connect(lambda: finish(on_done))
        signals.failed.connect(lambda: finish(on_failed))
        self._pool.start(_Task(fn, signals))

    def wait(self, msecs: int = 5000) -> bool:
        return self._pool.waitForDone(msecs)
