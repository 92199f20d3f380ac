"""The one way the UI runs use cases off the main thread and gets results back on it."""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QObject, QRunnable, QThreadPool, Signal, Slot

log = logging.getLogger(__name__)


class _Signals(QObject):
    done = Signal(object)
    failed = Signal(object)


class _Task(QRunnable):
    def __init__(self, fn: Callable[[], Any], signals: _Signals) -> None:
        super().__init__()
        self._fn = fn
        self._signals = signals

    @Slot()
    def run(self) -> None:
        try:
            result = self._fn()
        except Exception as exc:  # handed to the caller's failure slot on the main thread
            log.debug("background task failed: %s", type(exc).__name__)
            self._signals.failed.emit(exc)
        else:
            self._signals.done.emit(result)


class TaskRunner(QObject):
    """Runs callables on a thread pool; callbacks run on the thread that owns this object."""

    def __init__(self, parent: QObject | None = None, max_threads: int = 2) -> None:
        super().__init__(parent)
        self._pool = QThreadPool(self)
        self._pool.setMaxThreadCount(max_threads)
        self._alive: set[_Signals] = set()

    def run(
        self,
        fn: Callable[[], Any],
        on_done: Callable[[Any], None],
        on_failed: Callable[[Exception], None] | None = None,
    ) -> None:
        signals = _Signals(self)
        self._alive.add(signals)

        def finish(callback: Callable[[Any], None] | None, value: Any) -> None:
            self._alive.discard(signals)
            signals.deleteLater()
            if callback is not None:
                callback(value)

        signals.done.connect(lambda value: finish(on_done, value))
        signals.failed.connect(lambda exc: finish(on_failed, exc))
        self._pool.start(_Task(fn, signals))

    def wait(self, msecs: int = 5000) -> bool:
        return self._pool.waitForDone(msecs)
