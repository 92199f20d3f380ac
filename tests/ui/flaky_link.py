"""A TCP link on 127.0.0.1 in front of a real sync server that the tests make slow, dead or cut
off in the middle of a request, as a meeting point's mobile connection is.

Threads, not asyncio: each accepted connection is two pumps (laptop → server, server → laptop).
Every wait is bounded (``STEP`` polls, ``HOLD_S`` at most for a held connection), and ``close``
ends every connection it made.
"""

from __future__ import annotations

import contextlib
import socket
import struct
import threading
import time

STEP = 0.05  # s: how often a pump looks at the mode it is to follow
HOLD_S = 60.0  # s: the longest a black hole holds a connection
PUSH = b"POST /v1/envelopes"
PULL = b"GET /v1/envelopes"


def _reset(sock: socket.socket) -> None:
    """Close with a reset (linger 0): the far side learns at once that the link is gone."""
    with contextlib.suppress(OSError):
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    sock.close()


class FlakyLink:
    """``mode``: "pass" (forwarded), "down" (no connection made: refused, as where no network
    leads to the server; the link's port stays its own),
    "black_hole" (connections taken and never answered: a network that swallows packets),
    "cut_push" / "cut_pull" (the next push, or the next pull's answer, cut after ``cut_after``
    bytes; then the link is down until ``mode`` is set again), "slow" (forwarded, each piece
    of the answer ``delay_s`` late; with ``trickle`` bytes, the answers in pieces that long,
    each ``delay_s`` after the last: a link that never stalls long enough for a timeout)."""

    def __init__(self, target_port: int) -> None:
        self.target_port = target_port
        self._mode = "pass"
        self.cut_after = 600
        self.delay_s = 0.0
        self.trickle = 0  # bytes per piece of an answer (with ``delay_s``); 0: as they come
        self.cuts: list[str] = []  # what was cut, in order ("push", "pull")
        self.connections = 0  # accepted, in every mode: how often the laptop tried
        self.requests: list[bytes] = []  # each request line forwarded to the server
        self._stop = threading.Event()
        self._lock = threading.Lock()
        self._open: set[socket.socket] = set()
        self._listener: socket.socket | None = socket.create_server(("127.0.0.1", 0))
        self._listener.settimeout(STEP)
        self.port = self._listener.getsockname()[1]
        self._threads: list[threading.Thread] = []
        self._spawn(self._accept)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def mode(self) -> str:
        return self._mode

    @mode.setter
    def mode(self, mode: str) -> None:
        """Down: the listening socket closed, so that connections are refused (a connection
        taken and reset at once is one that was made, and broke off); up again: listening
        on the same port."""
        with self._lock:
            self._mode = mode
            if mode == "down" and self._listener is not None:
                self._listener.close()
                self._listener = None
            elif mode != "down" and self._listener is None and not self._stop.is_set():
                listener = socket.create_server(("127.0.0.1", self.port))
                listener.settimeout(STEP)
                self._listener = listener

    def _spawn(self, target: object, *args: object) -> None:
        thread = threading.Thread(target=target, args=args, daemon=True)  # type: ignore[arg-type]
        with self._lock:
            self._threads = [t for t in self._threads if t.is_alive()]
            self._threads.append(thread)
        thread.start()

    def _keep(self, sock: socket.socket) -> None:
        with self._lock:
            self._open.add(sock)

    def _drop(self, *socks: socket.socket) -> None:
        for sock in socks:
            with self._lock:
                self._open.discard(sock)
            _reset(sock)

    def _polled(self, sock: socket.socket, *others: socket.socket) -> bool:
        """``sock`` read in ``STEP`` waits; False (and all dropped) if the other pump has
        closed it already."""
        try:
            sock.settimeout(STEP)
        except OSError:
            self._drop(sock, *others)
            return False
        return True

    def _accept(self) -> None:
        while not self._stop.is_set():
            listener = self._listener
            if listener is None:  # down: nothing listens
                time.sleep(STEP)
                continue
            try:
                client, _addr = listener.accept()
            except TimeoutError:
                continue
            except OSError:  # closed: down, or the link's end
                continue
            self.connections += 1
            self._keep(client)
            self._spawn(self._serve, client)

    def _serve(self, client: socket.socket) -> None:
        mode = self.mode
        if mode in ("down", "cut_done"):
            self._drop(client)
            return
        if mode == "black_hole":
            self._swallow(client)
            return
        try:
            upstream = socket.create_connection(("127.0.0.1", self.target_port), timeout=5)
        except OSError:  # the server is not running: the laptop sees the link go
            self._drop(client)
            return
        self._keep(upstream)
        cut_answer = threading.Event()  # set by the request pump: this answer is to be cut
        self._spawn(self._answers, upstream, client, cut_answer)
        self._requests(client, upstream, cut_answer)

    def _swallow(self, client: socket.socket) -> None:
        """Take what the laptop sends and answer nothing, until the mode changes or HOLD_S."""
        if not self._polled(client):
            return
        deadline = time.monotonic() + HOLD_S
        while not self._stop.is_set() and self.mode == "black_hole":
            if time.monotonic() > deadline:
                break
            try:
                if not client.recv(65536):
                    break
            except TimeoutError:
                continue
            except OSError:
                break
        self._drop(client)

    def _requests(
        self, client: socket.socket, upstream: socket.socket, cut_answer: threading.Event
    ) -> None:
        if not self._polled(client, upstream):
            return
        while not self._stop.is_set():
            if self.mode in ("down", "cut_done"):
                break
            try:
                data = client.recv(65536)
            except TimeoutError:
                continue
            except OSError:
                break
            if not data:
                break
            if data.startswith((b"GET ", b"POST ", b"PUT ", b"DELETE ")):
                self.requests.append(data.split(b"\r\n", 1)[0])
            if self.mode == "cut_push" and data.startswith(PUSH):
                # The headers and the start of the batch reach the server, the rest never.
                with contextlib.suppress(OSError):
                    upstream.sendall(data[: self.cut_after])
                self.cuts.append("push")
                self.mode = "cut_done"
                break
            if self.mode == "cut_pull" and data.startswith(PULL):
                cut_answer.set()
            try:
                upstream.sendall(data)
            except OSError:
                break
        self._drop(client, upstream)

    def _answers(
        self, upstream: socket.socket, client: socket.socket, cut_answer: threading.Event
    ) -> None:
        if not self._polled(upstream, client):
            return
        while not self._stop.is_set():
            try:
                data = upstream.recv(65536)
            except TimeoutError:
                if self.mode in ("down", "cut_done"):
                    break
                continue
            except OSError:
                break
            if not data:
                break
            if self.delay_s:
                time.sleep(min(self.delay_s, HOLD_S))
            if cut_answer.is_set() and self.mode == "cut_pull":
                with contextlib.suppress(OSError):
                    client.sendall(data[: self.cut_after])
                self.cuts.append("pull")
                self.mode = "cut_done"
                break
            try:
                self._send_answer(client, data)
            except OSError:
                break
        self._drop(client, upstream)

    def _send_answer(self, client: socket.socket, data: bytes) -> None:
        size = self.trickle
        if not size or not self.delay_s:
            client.sendall(data)
            return
        for start in range(0, len(data), size):
            if self._stop.is_set():
                return
            if start:
                time.sleep(min(self.delay_s, HOLD_S))
            client.sendall(data[start : start + size])

    def close(self) -> None:
        self._stop.set()
        with self._lock:
            if self._listener is not None:
                self._listener.close()
                self._listener = None
        with self._lock:
            socks, self._open = list(self._open), set()
            threads = list(self._threads)
        for sock in socks:
            _reset(sock)
        for thread in threads:
            thread.join(5)
