"""The window's sync runs in a process of its own; this is that process and its handle.

A first sync decrypts, merges and writes thousands of records in Python. In the window's
process that work shares the interpreter lock with the UI thread, and painting the people list
(every cell's text comes from Python) waited for its turn again and again: the window stalled
for 100-200 ms at a time. In a child process the sync shares nothing with the window but the
store file, whose writers take turns (``Store.transaction`` begins IMMEDIATE).

The child reads the store's folder and key from its stdin pipe (never from its command line or
environment), then runs ``usecases.sync.sync_now`` whenever asked and writes progress and the
outcome back as JSON lines. Each message carries the sender's clock and each side observes the
other's, so a change made in the window after a sync sorts after what the sync brought in, and
the other way round (hybrid logical clocks, see ``domain.hlc``). Closing the pipe ends the
child; so does the window's process ending, even by a crash.

The headless ``welcome-desk sync`` runs the sync in its own process, as before.
"""

from __future__ import annotations

import contextlib
import dataclasses
import json
import logging
import os
import subprocess
import sys
import threading
from collections.abc import Sequence
from pathlib import Path
from typing import IO, Any

from desktop_app.domain.hlc import Timestamp
from desktop_app.storage.db import Store, StoreClosed
from desktop_app.sync.engine import Progress, SyncReport
from desktop_app.sync.http_client import (
    BadRequest,
    CertificateProblem,
    ConnectionLost,
    Forbidden,
    Offline,
    ProtocolError,
    RequestRefused,
    Revoked,
    ServerError,
    Unauthorized,
)

#: the first argument that makes ``welcome-desk`` (a bundle has no ``-m``) run as this child
CHILD_FLAG = "--sync-process"
LOG_NAME = "welcome-desk-sync.log"
CHILD_NICENESS = 10


class SyncProcessFailed(Exception):
    """The sync process failed in a way the window has no better word for (``kind`` names
    the error in the child, for the log), or ended unexpectedly. ``cause``: what the child
    found behind it (a key of ``messages.failure_cause``: disk full, store busy …), if any."""

    def __init__(self, kind: str, cause: str | None = None) -> None:
        super().__init__(kind)
        self.kind = kind
        self.cause = cause


class _EndedUnheard(SyncProcessFailed):
    """The child ended before it said anything of the round asked of it."""


_REFUSED: dict[str, type[RequestRefused]] = {
    cls.__name__: cls for cls in (RequestRefused, Unauthorized, Revoked, Forbidden, BadRequest)
}


def _describe(exc: BaseException) -> dict[str, Any]:
    """An error as the window needs it: its type and stable codes, never free text that
    could quote a record."""
    from desktop_app.usecases.sync import SyncSetupError

    described: dict[str, Any] = {"type": type(exc).__name__}
    if isinstance(exc, SyncSetupError):
        described["code"] = exc.code
    elif isinstance(exc, RequestRefused):
        described.update(status=exc.status, code=exc.code, reason=exc.reason)
    elif isinstance(exc, ServerError):
        described.update(status=exc.status, reason=exc.reason)
    elif isinstance(exc, CertificateProblem):
        described["reason"] = exc.reason
    elif isinstance(exc, Offline):
        described["hint"] = exc.hint  # a key (``connect_hint``), never the exception's text
    elif not isinstance(exc, ProtocolError):
        # Here, not at the top: the texts' module is not needed until something fails.
        from desktop_app.i18n.messages import failure_cause

        described["cause"] = failure_cause(exc)  # a key, never the exception's text
    return described


def _expected(exc: Exception) -> bool:
    """Errors the window explains itself (network, server, set-up), not worth a traceback."""
    from desktop_app.usecases.sync import SyncSetupError

    return isinstance(
        exc, SyncSetupError | RequestRefused | Offline | ProtocolError | CertificateProblem
    )


def _rebuild(described: dict[str, Any]) -> Exception:
    from desktop_app.usecases.sync import SyncSetupError

    kind = str(described.get("type", ""))
    if kind == "SyncSetupError":
        return SyncSetupError(str(described.get("code", "")))
    if kind in _REFUSED:
        return _REFUSED[kind](
            int(described.get("status", 0)),
            str(described.get("code", "")),
            str(described.get("reason", "")),
        )
    if kind == "ServerError":
        return ServerError(int(described.get("status", 0)), str(described.get("reason", "")))
    if kind == "Offline":
        return Offline("the sync server cannot be reached", str(described.get("hint", "")))
    if kind == "ConnectionLost":
        return ConnectionLost("the connection to the sync server broke off")
    if kind == "CertificateProblem":
        return CertificateProblem(str(described.get("reason", "")))
    if kind == "ProtocolError":
        return ProtocolError("the server's answer did not match the wire schema")
    cause = described.get("cause")
    return SyncProcessFailed(kind or "unknown", str(cause) if cause else None)


def child_command() -> list[str]:
    if getattr(sys, "frozen", False):  # a bundle: the program itself, told to be the child
        return [sys.executable, CHILD_FLAG]
    return [sys.executable, "-m", __name__]


class SyncProcess:
    """The window's handle on its sync process: started at the first ``sync``, kept for the
    next ones, restarted if it ended. One sync at a time; call from a worker thread (``sync``
    waits for the child)."""

    def __init__(self, store: Store, key: bytes, command: Sequence[str] | None = None) -> None:
        self._store = store
        self._key = key
        self._command = list(command or child_command())
        self._child: subprocess.Popen[bytes] | None = None
        self._lock = threading.Lock()
        self._syncing: int | None = None  # the thread running a sync
        self._ended = False
        # Each request's deadline in the child (s; ``SyncServerClient``'s ``deadline``), None:
        # the client's own. Shorter in tests of a link that trickles.
        self.request_deadline_s: float | None = None

    def sync(self, progress: Progress | None = None) -> SyncReport:
        """One sync round in the child, as ``usecases.sync.sync_now``: its report, or its
        error raised here (``Offline``, ``RequestRefused`` …, ``SyncSetupError``)."""
        with self._lock:
            self._syncing = threading.get_ident()
            try:
                kept = self._child
                child = self._running()
                try:
                    return self._round(child, progress)
                except _EndedUnheard:
                    if child is not kept:
                        raise
                # The child kept from the last round had ended meanwhile without a word
                # (killed, or its end not yet seen by ``poll``): the round goes to a new one.
                return self._round(self._running(), progress)
            finally:
                self._syncing = None

    def _round(self, child: subprocess.Popen[bytes], progress: Progress | None) -> SyncReport:
        request: dict[str, Any] = {"sync": str(self._store.clock.latest())}
        if self.request_deadline_s is not None:
            request["deadline_s"] = self.request_deadline_s
        heard = False
        try:
            self._send(child, request)
            while True:
                message = self._receive(child)
                heard = True
                if "progress" in message:
                    if progress is not None:
                        phase, done, total = message["progress"]
                        progress(str(phase), int(done), int(total))
                elif "report" in message:
                    return SyncReport(**message["report"])
                elif "failed" in message:
                    raise _rebuild(message["failed"])
        except SyncProcessFailed as exc:
            if exc.kind == "ended" and not heard:
                raise _EndedUnheard("ended") from exc
            raise

    def end(self) -> None:
        """For good (the window closes, its store with it): the child ends, the key is
        dropped, and a later ``sync`` raises ``StoreClosed`` rather than starting a child
        that would open the store again with it."""
        self._ended = True
        self.close()
        self._key = b""

    def close(self) -> None:
        """End the child: at once if it waits for work; killed if a sync runs (the window is
        closing; the sync resumes where it stopped next time)."""
        child, self._child = self._child, None
        if child is None:
            return
        syncing = self._syncing
        if syncing is not None:
            child.kill()
        with contextlib.suppress(OSError):
            assert child.stdin is not None
            child.stdin.close()
        try:
            child.wait(timeout=3)
        except subprocess.TimeoutExpired:
            child.kill()
            child.wait()
        if syncing in (None, threading.get_ident()):  # else that sync's thread still reads it
            assert child.stdout is not None
            child.stdout.close()

    @property
    def pid(self) -> int | None:
        return self._child.pid if self._child is not None else None

    # --- plumbing -------------------------------------------------------------------------
    def _running(self) -> subprocess.Popen[bytes]:
        if self._child is not None and self._child.poll() is None:
            return self._child
        self.close()
        key = self._key
        if self._ended or self._store.closed or not key:
            raise StoreClosed(str(self._store.paths.database))
        child = subprocess.Popen(
            self._command,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            # Windows: no console window for the child of the windowed program, and the
            # window comes first when both want the processor (``child_main`` does the same
            # elsewhere).
            creationflags=getattr(subprocess, "CREATE_NO_WINDOW", 0)
            | getattr(subprocess, "BELOW_NORMAL_PRIORITY_CLASS", 0),
        )
        self._child = child
        try:
            self._send(child, {"data_dir": str(self._store.paths.data_dir), "key": key.hex()})
            message = self._receive(child)
        except BaseException:
            self.close()
            raise
        if "failed" in message:
            self.close()
            raise _rebuild(message["failed"])
        return child

    def _send(self, child: subprocess.Popen[bytes], message: dict[str, Any]) -> None:
        assert child.stdin is not None
        try:
            child.stdin.write(json.dumps(message).encode() + b"\n")
            child.stdin.flush()
        except OSError as exc:  # the child has ended
            self.close()
            raise SyncProcessFailed("ended") from exc

    def _receive(self, child: subprocess.Popen[bytes]) -> dict[str, Any]:
        assert child.stdout is not None
        line = child.stdout.readline()
        if not line:
            self.close()
            child.stdout.close()
            raise SyncProcessFailed("ended")
        message: dict[str, Any] = json.loads(line)
        clock = message.get("clock")
        if clock:
            self._store.clock.observe(Timestamp.parse(clock))
        return message


# --- the child ------------------------------------------------------------------------------
def _reply(out: IO[bytes], store: Store | None, message: dict[str, Any]) -> None:
    if store is not None:
        message["clock"] = str(store.clock.latest())
    out.write(json.dumps(message).encode() + b"\n")
    out.flush()


def child_main() -> int:
    """Serve sync requests from the window until it closes the pipe."""
    # The pipes are the window's (file descriptors 0 and 1, also where a windowed program has
    # no sys.stdout): the answer pipe is ours alone, and whatever a library prints goes to
    # stderr, or nowhere if there is none.
    out = os.fdopen(os.dup(1), "wb")
    requests = os.fdopen(0, "rb")
    try:
        os.dup2(sys.stderr.fileno(), 1)
    except (AttributeError, OSError, ValueError):  # no stderr (a windowed program)
        os.dup2(os.open(os.devnull, os.O_WRONLY), 1)
    sys.stdout = sys.stderr
    if hasattr(os, "nice"):
        os.nice(CHILD_NICENESS)  # background work: the window comes first for the processor

    from desktop_app.logs import configure_logging, install_excepthook

    install_excepthook()
    setup = json.loads(requests.readline() or "{}")
    if not setup:
        return 0
    data_dir = Path(setup["data_dir"])
    configure_logging(data_dir / "logs", name=LOG_NAME)

    from desktop_app.storage.db import StorePaths, open_with_key
    from desktop_app.usecases import sync as sync_uc

    try:
        store = open_with_key(StorePaths(data_dir), bytes.fromhex(setup["key"]))
    except Exception as exc:  # told to the window, which shows it like a failed sync
        _reply(out, None, {"failed": _describe(exc)})
        return 1
    del setup
    try:
        _reply(out, store, {"ready": store.device_id})
        for line in requests:
            request = json.loads(line)
            if "sync" not in request:
                continue
            if request["sync"]:
                store.clock.observe(Timestamp.parse(request["sync"]))

            def progress(phase: str, done: int, total: int) -> None:
                _reply(out, store, {"progress": [phase, done, total]})

            try:
                # Unanswered requests are not resent within the round (the window's next
                # round comes within a minute): a network that swallows them is told as
                # offline after one timeout, not after five.
                options: dict[str, object] = {"retry_unanswered": False}
                if request.get("deadline_s"):
                    options["deadline"] = float(request["deadline_s"])
                report = sync_uc.sync_now(store, progress=progress, **options)
            except BrokenPipeError:
                raise
            except Exception as exc:
                if not _expected(exc):
                    logging.getLogger(__name__).exception("sync failed")
                _reply(out, store, {"failed": _describe(exc)})
            else:
                logging.getLogger(__name__).info(
                    "sync: pushed %d, pulled %d, applied %d, conflicts %d, refused %d",
                    report.pushed,
                    report.pulled,
                    report.applied,
                    report.conflicts,
                    report.refused,
                )
                _reply(out, store, {"report": dataclasses.asdict(report)})
    except BrokenPipeError:  # the window has gone
        pass
    finally:
        store.close()
    return 0


if __name__ == "__main__":
    sys.exit(child_main())
