"""Logging that cannot leak personal data: only ids, codes and numbers reach the log file.

Log calls pass values as arguments (``log.info("person %s registered", person.id)``); any text
argument that does not look like an id or a code is replaced by ``<text>``. Exception messages
are dropped from tracebacks (they may quote what a user typed); type, file and line remain.
Uncaught exceptions go through the same path, and stderr shows no exception text either.
"""

from __future__ import annotations

import logging
import re
import sys
import traceback
import weakref
from pathlib import Path
from types import TracebackType

LOG_NAME = "welcome-desk.log"
REDACTED = "<text>"
# UUIDs, HLC stamps, message codes, file names of our own, numbers: nothing a person is called.
_SAFE = re.compile(r"^[0-9a-f-]{1,64}$|^[a-z0-9_.:/-]{1,64}$|^[A-Z0-9_]{1,32}$")


def safe_value(value: object) -> object:
    if isinstance(value, bool | int | float) or value is None:
        return value
    text = str(value)
    return text if _SAFE.match(text) else REDACTED


class RedactingFilter(logging.Filter):
    """Replaces free-text arguments; a message template itself is code, never user input."""

    def filter(self, record: logging.LogRecord) -> bool:
        if isinstance(record.args, dict):
            record.args = {k: safe_value(v) for k, v in record.args.items()}
        elif record.args:
            record.args = tuple(safe_value(a) for a in record.args)
        record.msg = str(record.msg) if _is_template(record) else REDACTED
        if record.exc_info:
            # Another handler may already have cached the full text (with the message).
            record.exc_text = format_exception_safely(record.exc_info[0], record.exc_info[2])
        return True


def _is_template(record: logging.LogRecord) -> bool:
    """Templates with %-arguments are code. A message without arguments may be an f-string
    with a name in it: keep it only if it is plain ASCII without "Capitalised Capitalised"."""
    text = str(record.msg)
    if record.args:
        return True
    plain = re.fullmatch(r"[A-Za-z0-9 _.,:;()'%/=#+-]*", text) is not None
    return plain and re.search(r"\b[A-Z][a-z]+ [A-Z][a-z]+\b", text) is None


class RedactingFormatter(logging.Formatter):
    def formatException(self, ei) -> str:  # type: ignore[no-untyped-def]
        return format_exception_safely(ei[0], ei[2])


def format_exception_safely(kind: type[BaseException] | None, tb: TracebackType | None) -> str:
    """Traceback frames and the exception's type, without its message."""
    frames = "".join(traceback.format_tb(tb))
    return f"Traceback (most recent call last):\n{frames}{kind.__name__ if kind else '?'}"


def _rotating_file(path: Path) -> logging.Handler:
    """A rotating log file whose folder is made with the first message, so that commands that
    log nothing leave no trace. (``logging.handlers`` loads here, not at start-up.)"""
    import logging.handlers

    class LazyFileHandler(logging.handlers.RotatingFileHandler):
        def _open(self):  # type: ignore[no-untyped-def]
            Path(self.baseFilename).parent.mkdir(parents=True, exist_ok=True)
            return super()._open()

    return LazyFileHandler(path, maxBytes=2_000_000, backupCount=3, encoding="utf-8", delay=True)


# The handlers of the log files set up here (``move_logging`` moves them).
_LOG_FILES: weakref.WeakSet[logging.Handler] = weakref.WeakSet()


class _EarlyRecords(logging.Handler):
    """Holds the first records until the log file is set up (a window start sets it up after
    the first paint); ``configure_logging`` then writes them, redacted like any other."""

    LIMIT = 1000

    def __init__(self) -> None:
        super().__init__()
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        if len(self.records) < self.LIMIT:
            self.records.append(record)


def hold_early_records(level: int = logging.INFO) -> None:
    """Keep what is logged from now on for ``configure_logging``, which follows shortly."""
    root = logging.getLogger()
    root.setLevel(level)
    if not any(isinstance(h, _EarlyRecords) for h in root.handlers):
        root.addHandler(_EarlyRecords())


def configure_logging(
    log_dir: Path, level: int = logging.INFO, name: str = LOG_NAME
) -> logging.Handler:
    """Log to ``log_dir/name`` (rotating, created on first message), with what was held since
    ``hold_early_records``. A process of its own (the window's sync) has a file of its own:
    two processes cannot rotate one file safely."""
    handler = _rotating_file(log_dir / name)
    _LOG_FILES.add(handler)
    handler.addFilter(RedactingFilter())
    handler.setFormatter(RedactingFormatter("%(asctime)s %(levelname)s %(name)s %(message)s"))
    root = logging.getLogger()
    root.setLevel(level)
    root.addHandler(handler)
    for early in [h for h in root.handlers if isinstance(h, _EarlyRecords)]:
        root.removeHandler(early)
        for record in early.records:
            if record.levelno >= level:
                handler.handle(record)
    return handler


def move_logging(log_dir: Path) -> None:
    """Log to ``log_dir`` from now on, in place of the log file(s) ``configure_logging`` set up:
    the window switched to another data folder (a restored backup's), and its log stayed in
    the old one until the next start. Nothing is set up where there was no log file (a demo)."""
    root = logging.getLogger()
    old = [h for h in root.handlers if h in _LOG_FILES]
    for handler in old:
        root.removeHandler(handler)
        handler.close()
    files = [h for h in old if isinstance(h, logging.FileHandler)]
    for name in dict.fromkeys(Path(h.baseFilename).name for h in files):
        configure_logging(log_dir, root.level, name)


def install_excepthook() -> None:
    """Uncaught exceptions: logged safely; stderr gets the type and frames, never the message."""

    def hook(kind: type[BaseException], exc: BaseException, tb: TracebackType | None) -> None:
        logging.getLogger("welcome_desk.crash").error(
            "uncaught exception", exc_info=(kind, exc, tb)
        )
        print(format_exception_safely(kind, tb), file=sys.stderr)

    sys.excepthook = hook
