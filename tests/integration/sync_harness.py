"""Helpers for sync integration tests: a real server subprocess, enrolled laptops."""

from __future__ import annotations

import atexit
import email.utils
import functools
import json
import os
import secrets
import select as fd_select
import shutil
import signal
import socket
import sqlite3
import ssl
import subprocess
import sys
import tempfile
import threading
import time
import uuid
import weakref
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import Engine, event, select, update
from sqlalchemy.engine import make_url
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session as DbSession
from sqlalchemy.pool import Pool

from desktop_app.domain.person import PersonDraft
from desktop_app.domain.referral import Referral
from desktop_app.domain.users import Role
from desktop_app.sync import crypto, engine
from desktop_app.sync.engine import DEVICE_ID, active_key, get_meta, keyring
from desktop_app.sync.http_client import BadRequest, SyncServerClient, wrapped_key
from desktop_app.sync.merge import FieldState, RecordState
from desktop_app.sync.records import LocalRecord, encode
from desktop_app.usecases import people, referrals
from desktop_app.usecases import sync as sync_uc
from desktop_app.usecases.accounts import Session, create_first_account
from sync_server import models, wire
from sync_server.db import create_db_engine, resolve_database_url
from sync_server.service import ApiError, SyncService, hash_secret

ROOT = Path(__file__).resolve().parents[2]
PG_ENV = "WELCOME_DESK_TEST_PG_URL"  # a throwaway PostgreSQL cluster (pg_cluster.sh)
START_TIMEOUT = 30.0


@contextmanager
def refusing_url() -> Iterator[str]:
    """The address of a loopback port nobody listens on, held so for the whole block: a socket
    bound to it without SO_REUSEADDR that never listens, so a connection to it is refused and no
    server of another test worker can bind it meanwhile. A port found free and let go at once was
    taken by another worker's server in a full run, which then answered "this laptop is unknown"
    where the test expected "cannot be reached"."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        yield f"http://127.0.0.1:{sock.getsockname()[1]}"


class PortReservation:
    """A loopback port held for as long as this lives (or until ``release``): a socket bound to
    it with SO_REUSEADDR that never listens. The kernel's bind(0) (another test worker's
    reservation, a client's outgoing connection) never hands out a port so held, in any process;
    the server's own bind, with SO_REUSEADDR too (uvicorn, asyncio), may share it; and as nothing
    listens, a connection to it is refused while no server runs. A port found free, closed and
    then bound by the server left a window in which a test on another xdist worker got it too."""

    def __init__(self) -> None:
        sock = socket.socket()
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind(("127.0.0.1", 0))
        self.port = int(sock.getsockname()[1])
        # Closed explicitly (no ResourceWarning) when the holder is let go without ``release``.
        self._release = weakref.finalize(self, sock.close)

    def release(self) -> None:
        self._release()

    def __enter__(self) -> int:
        return self.port

    def __exit__(self, *exc: object) -> None:
        self.release()


def run_cli(
    db_url: str, *args: str, check: bool = True, code_dir: Path = ROOT
) -> subprocess.CompletedProcess[str]:
    """``welcome-desk-server ARGS`` on ``db_url``; ``code_dir``: the server's code from there
    (an earlier version's, say)."""
    return subprocess.run(
        [sys.executable, "-m", "sync_server.cli", *args, "--database-url", db_url],
        cwd=code_dir,
        env=_code_from(code_dir),
        capture_output=True,
        text=True,
        timeout=60,
        check=check,
    )


def _code_from(code_dir: Path) -> dict[str, str] | None:
    """The environment of a process that imports the server's code from ``code_dir``."""
    if code_dir == ROOT:
        return None
    return {**os.environ, "PYTHONPATH": str(code_dir)}


class _Zygote:
    """``server_zygote`` running for this test process (started at the first server), which
    forks each server from its imported code."""

    _lock = threading.Lock()
    _running: _Zygote | None = None

    def __init__(self) -> None:
        self._proc = subprocess.Popen(
            [sys.executable, "-m", "tests.integration.server_zygote"],
            cwd=ROOT,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
        )
        atexit.register(self._end)

    @classmethod
    def ask(cls, **request: Any) -> dict[str, int]:
        with cls._lock:
            if cls._running is None or cls._running._proc.poll() is not None:
                cls._running = cls()
            proc = cls._running._proc
            assert proc.stdin is not None and proc.stdout is not None
            proc.stdin.write(json.dumps(request) + "\n")
            proc.stdin.flush()
            answer = proc.stdout.readline()
        if not answer:
            raise RuntimeError("the server zygote ended")
        result: dict[str, int] = json.loads(answer)
        return result

    def _end(self) -> None:
        if self._proc.stdin is not None:
            self._proc.stdin.close()
        self._proc.wait(timeout=10)
        if self._proc.stdout is not None:  # (left open, Python warned of it at exit)
            self._proc.stdout.close()


class _ForkedServer:
    """A server process forked by ``_Zygote``, with what the harness uses of Popen: its exit
    seen through a pidfd, signalled through it (the zygote reaps the child only once it has
    exited and ``poll``/``wait`` asked, so the pid is never another process's meanwhile)."""

    def __init__(self, argv: list[str], log_path: Path) -> None:
        env = dict(os.environ)
        answer = _Zygote.ask(op="spawn", argv=argv, env=env, cwd=str(ROOT), log=str(log_path))
        self.pid = answer["pid"]
        self._pidfd = os.pidfd_open(self.pid)
        self.returncode: int | None = None

    def _ended(self, timeout: float | None) -> bool:
        ready, _, _ = fd_select.select([self._pidfd], [], [], timeout)
        return bool(ready)

    def _reap(self) -> None:
        self.returncode = _Zygote.ask(op="reap", pid=self.pid)["code"]
        os.close(self._pidfd)

    def poll(self) -> int | None:
        if self.returncode is None and self._ended(0):
            self._reap()
        return self.returncode

    def wait(self, timeout: float | None = None) -> int:
        if self.returncode is None:
            if not self._ended(timeout):
                raise subprocess.TimeoutExpired(["sync_server.cli", "serve"], timeout or 0)
            self._reap()
        assert self.returncode is not None
        return self.returncode

    def send_signal(self, sig: int) -> None:
        if self.returncode is None:
            signal.pidfd_send_signal(self._pidfd, sig)

    def terminate(self) -> None:
        self.send_signal(signal.SIGTERM)

    def kill(self) -> None:
        self.send_signal(signal.SIGKILL)


# Forking needs Linux's pidfds (3.9+); elsewhere each server is a new interpreter.
_FORK_SERVERS = hasattr(os, "pidfd_open") and hasattr(signal, "pidfd_send_signal")


class _PortTaken(RuntimeError):
    """The server could not bind its port: something else listens there."""


@dataclass
class ServerProcess:
    """One ``welcome-desk-server serve`` subprocess; restartable on the same port and database."""

    db_url: str
    log_path: Path
    port: int = 0  # 0: a port reserved for this server (PortReservation), kept across restarts
    workers: int = 1  # server processes (``serve --workers``)
    tls: tuple[Path, Path] | None = None  # certificate and key: serve HTTPS
    code_dir: Path = ROOT  # where the server's code comes from (an earlier version's, say)
    proc: subprocess.Popen[bytes] | _ForkedServer | None = None
    _engine: Engine | None = None
    _service: SyncService | None = None
    _reservation: PortReservation | None = None
    _started: bool = False

    def __post_init__(self) -> None:
        if not self.port:
            self._reservation = PortReservation()
            self.port = self._reservation.port

    @property
    def base_url(self) -> str:
        scheme = "https" if self.tls else "http"
        return f"{scheme}://127.0.0.1:{self.port}"

    def start(self) -> None:
        # A process outside this test run that found the port free before it was reserved may
        # still bind it (SO_REUSEADDR) and listen: on a first start, take another port then.
        for _ in range(5):
            try:
                self._start()
            except _PortTaken:
                if self._started or self._reservation is None:
                    raise
                self._reservation.release()
                self._reservation = PortReservation()
                self.port = self._reservation.port
            else:
                self._started = True
                return
        raise RuntimeError("no port the server could bind in 5 tries")

    def _start(self) -> None:
        logged = self.log_path.stat().st_size if self.log_path.exists() else 0
        argv = [
            "serve",
            "--port",
            str(self.port),
            "--database-url",
            self.db_url,
            "--workers",
            str(self.workers),
            *(["--cert", str(self.tls[0]), "--key", str(self.tls[1])] if self.tls else []),
        ]
        # Forked from the imported server (``server_zygote``), but a new interpreter for
        # another version's code, and for worker processes (uvicorn spawns them and each
        # imports the parent's main module, which is the zygote's in a fork).
        if _FORK_SERVERS and self.code_dir == ROOT and self.workers == 1:
            self.log_path.touch()
            self.proc = _ForkedServer(argv, self.log_path)
        else:
            log = self.log_path.open("ab")
            self.proc = subprocess.Popen(
                [sys.executable, "-m", "sync_server.cli", *argv],
                cwd=self.code_dir,
                env=_code_from(self.code_dir),
                stdout=log,
                stderr=subprocess.STDOUT,
            )
            log.close()
        verify = ssl.create_default_context(cafile=str(self.tls[0])) if self.tls else True
        deadline = time.monotonic() + START_TIMEOUT
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                text = self.log_path.read_text(errors="replace")
                if "address already in use" in text[logged:].lower():
                    self.proc = None
                    raise _PortTaken(text[logged:])
                raise RuntimeError(f"server exited early:\n{text}")
            try:
                health = httpx.get(f"{self.base_url}/v1/health", timeout=1, verify=verify)
                if health.status_code == 200:
                    return
            except httpx.TransportError:
                pass
            time.sleep(0.1)
        raise RuntimeError("server did not become ready")

    def kill(self) -> None:
        """SIGKILL: no graceful shutdown, as in a crash."""
        if self.proc is not None and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGKILL)
            self.proc.wait(timeout=10)
        self.proc = None

    def stop(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(timeout=10)
        self.proc = None

    def enroll(
        self, name: str = "Laptop", valid_hours: float = 24.0, *, coordinator: bool = False
    ) -> str:
        """A one-time code, issued by the same code path as ``welcome-desk-server enroll``
        but in-process (the CLI itself is tested in test_server_cli.py)."""
        return self.service.issue_code(name, valid_hours, coordinator).code

    def device_status(self, device_id: str) -> str:
        """How the server lists a device now: "approved", "pending", "revoked"."""
        return {d.device_id: d.status for d in self.service.list_devices().devices}[device_id]

    @property
    def engine(self) -> Engine:
        """The server's database itself, as its operator has it."""
        if self._engine is None:
            self._engine = create_db_engine(resolve_database_url(self.db_url))
        return self._engine

    @property
    def service(self) -> SyncService:
        """The server's own service on its database: what its operator can do."""
        if self._service is None:
            self._service = SyncService(self.engine)
        return self._service

    def enroll_cli(self, name: str, *extra: str) -> str:
        return run_cli(self.db_url, "enroll", "--name", name, *extra).stdout.strip()

    def dispose(self) -> None:
        if self._engine is not None:
            self._engine.dispose()
        self._engine = self._service = None

    def release_port(self) -> None:
        """Done with this server for good: its port may go to another test."""
        if self._reservation is not None:
            self._reservation.release()

    def migrate_again_from(self, revision: str) -> None:
        """Stopped, its database taken down to migration ``revision`` and up to the newest
        again, started: what the columns added since hold for data from before them (as after
        restoring a backup made under an older version of the server)."""
        from alembic import command

        from sync_server import db

        self.stop()
        self.dispose()
        config = db.alembic_config()
        with self.engine.begin() as connection:
            config.attributes["connection"] = connection
            command.downgrade(config, revision)
            command.upgrade(config, "head")
        self.dispose()
        self.start()

    def client(self, token: str | None = None, **kwargs: object) -> SyncServerClient:
        kwargs.setdefault("max_retries", 2)
        kwargs.setdefault("backoff_base", 0.05)
        return SyncServerClient(self.base_url, token, **kwargs)  # type: ignore[arg-type]

    def log_text(self) -> str:
        return self.log_path.read_text(encoding="utf-8", errors="replace")


@contextmanager
def started_server(
    db_url: str,
    log_path: Path,
    *,
    workers: int = 1,
    tls: tuple[Path, Path] | None = None,
    code_dir: Path = ROOT,
) -> Iterator[ServerProcess]:
    """A server process on ``db_url``, started on the port reserved for it, stopped after and
    its port let go: how every test starts a server for its length (fixtures and tests)."""
    proc = ServerProcess(
        db_url=db_url, log_path=log_path, workers=workers, tls=tls, code_dir=code_dir
    )
    try:
        proc.start()
        yield proc
    finally:
        proc.stop()
        proc.dispose()
        proc.release_port()


@contextmanager
def older_server(commit: str, folder: Path) -> Iterator[ServerProcess]:
    """A server of the code of ``commit`` (its ``sync_server`` unpacked in ``folder``) on an
    SQLite file there: the server a laptop meets before the server is updated. Skips the test
    where the commit is not in this clone's history (a shallow clone)."""
    import io
    import tarfile

    import pytest

    archive = subprocess.run(
        ["git", "-C", str(ROOT), "archive", commit, "sync_server"],
        capture_output=True,
        check=False,
    )
    if archive.returncode != 0:
        pytest.skip("the older server's code is not in this clone's history (a shallow clone)")
    code_dir = folder / "older"
    with tarfile.open(fileobj=io.BytesIO(archive.stdout)) as tar:
        tar.extractall(code_dir, filter="data")
    with started_server(
        f"sqlite:///{folder / 'older.db'}", folder / "older.log", code_dir=code_dir
    ) as server:
        yield server


def assert_never_failed(server: ServerProcess) -> None:
    """Property 13: whatever a test sent, the server never failed internally."""
    log = server.log_text()
    assert "internal error" not in log and "Traceback" not in log, log[-3000:]
    assert " 500 " not in log


def device_id(session: Session) -> str:
    with session.store.reading() as s:
        value = get_meta(s, DEVICE_ID)
    assert value, "this laptop has not joined"
    return value


def approve_and_confirm(coordinator: Session, laptop: Session, *, role: Role) -> None:
    """Both comparisons of joining, as the two people make them: the coordinator approves the
    new laptop by its fingerprint, for ``role``; the new laptop fetches the key the coordinator
    sent and confirms the coordinator's fingerprint (shown on the coordinator's screen)."""
    sync_uc.approve_device(
        coordinator.store,
        coordinator.user,
        device_id(laptop),
        sync_uc.fingerprint(laptop.store),
        role=role,
    )
    with sync_uc.client_for(laptop.store) as client:
        sync_uc.fetch_keys(laptop.store, client)
    sync_uc.confirm_coordinator(laptop.store, laptop.user, sync_uc.fingerprint(coordinator.store))


@dataclass(frozen=True)
class Impostor:
    """A device a malicious operator put into the server's database: its key pair and token are
    the operator's."""

    device_id: str
    keys: crypto.DeviceKeys
    token: str


def add_impostor(server: ServerProcess, name: str = "Laptop") -> Impostor:
    """What an operator can do with the server's own database: a device of its own, listed as
    approved like any laptop the coordinator let in."""
    keys = crypto.DeviceKeys.generate()
    token = secrets.token_urlsafe(32)
    device = str(uuid.uuid4())
    with DbSession(server.engine) as s, s.begin():
        now = models.utcnow()
        s.add(
            models.Device(
                id=device,
                name=name,
                public_key=keys.public_key,
                token_hash=hash_secret(token),
                status="approved",
                is_coordinator=False,
                enrollment_name=name,
                created_at=now,
                approved_at=now,
            )
        )
    return Impostor(device, keys, token)


def wrapped_key_ids(server: ServerProcess, device: str) -> set[str]:
    """The ids of the team keys wrapped for ``device``, read from the server's database."""
    with DbSession(server.engine) as s:
        rows = s.scalars(
            select(models.WrappedKey.key_id).where(models.WrappedKey.device_id == device)
        )
        return set(rows)


@dataclass
class Member:
    """An enrolled laptop as the tests drive it: keys, device id, client, team keyring."""

    name: str
    keys: crypto.DeviceKeys
    device_id: str
    client: SyncServerClient
    keyring: dict[str, bytes] = field(default_factory=dict)

    def seal(
        self, team: crypto.TeamKey, record_id: str, kind: str, revision: int, plaintext: bytes
    ) -> wire.Envelope:
        return crypto.seal(
            team.key,
            team.key_id,
            record_id,
            kind,
            revision,
            plaintext,
            author_device=self.device_id,
            client_hlc=f"{time.time_ns() // 1_000_000:013d}-00000-{self.device_id}",
        )


@dataclass
class Organisation:
    server: ServerProcess
    team: crypto.TeamKey
    coordinator: Member
    members: list[Member] = field(default_factory=list)

    def join(self, name: str, approve: bool = True, role: wire.LaptopRole = "advisor") -> Member:
        keys = crypto.DeviceKeys.generate()
        client = self.server.client()
        reg = client.register(self.server.enroll(name), name, keys.public_key)
        member = Member(name, keys, reg.device_id, client)
        if approve:
            self.approve(member, role)
        self.members.append(member)
        return member

    def approve(self, member: Member, role: wire.LaptopRole = "advisor") -> None:
        wrapped = crypto.wrap_team_key(
            self.team.key,
            self.team.key_id,
            self.coordinator.keys,
            member.keys.public_key,
            laptop_role=role,
        )
        self.coordinator.client.approve(
            member.device_id,
            [
                wrapped_key(
                    self.team.key_id,
                    wrapped,
                    self.coordinator.keys.public_key,
                    laptop_role=role,
                )
            ],
        )
        for key in member.client.fetch_wrapped_keys().keys:
            member.keyring[key.key_id] = crypto.unwrap_team_key(
                wire.b64decode(key.wrapped_key),
                key.key_id,
                member.keys,
                wire.b64decode(key.sender_public_key),
                laptop_role=key.laptop_role,
            )

    def close(self) -> None:
        for m in [self.coordinator, *self.members]:
            m.client.close()


PASSWORD = "laptop password 1"


def logged_in_again(session: Session) -> Session:
    """The laptop's first account logging in anew (after a key or a role arrived); the caller
    closes it."""
    from desktop_app.usecases import accounts

    return accounts.log_in(session.store.paths.data_dir, "anna", PASSWORD)


def role_on_login(session: Session) -> Role:
    """The role the laptop's first account works with when it logs in anew."""
    again = logged_in_again(session)
    try:
        return again.user.role
    finally:
        again.close()


class CuttingProxy:
    """An HTTP proxy on 127.0.0.1 in front of a real server that goes away at a chosen request:
    once ``cut_when(method, path)`` is true for a request, that request and every one after it
    get no answer (the connection is closed), until ``restore()``.

    Stands for the server or the network failing between two requests of one step. With
    ``rewrite(method, path, body) -> body`` it stands for a server that lies in its answers.
    Its answers carry a Date header of its own, ``date_shift_s`` behind this machine's clock: a
    laptop in another process sees its own clock that far ahead of the server's (the laptop's
    clock is what is wrong; only the difference counts). A request for which
    ``hold_when(method, path)`` is true waits before it is forwarded (``held`` is set) until
    ``let_through()``: a server slow to answer, for as long as a test needs."""

    def __init__(self, target: str) -> None:
        self.target = target
        self.cut_when: Callable[[str, str], bool] = lambda _method, _path: False
        self.hold_when: Callable[[str, str], bool] = lambda _method, _path: False
        self.held = threading.Event()
        self._go_on = threading.Event()
        self.rewrite: Callable[[str, str, bytes], bytes] = lambda _method, _path, body: body
        self.cut = False
        self.forwarded: list[tuple[str, str]] = []
        self.date_shift_s = 0.0
        upstream = httpx.Client(base_url=target, timeout=30)
        proxy = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def _forward(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length) if length else b""
                if proxy.cut or proxy.cut_when(self.command, self.path):
                    proxy.cut = True
                    self.close_connection = True
                    return
                if proxy.hold_when(self.command, self.path):
                    proxy.held.set()
                    proxy._go_on.wait(START_TIMEOUT)
                headers = {
                    k: v for k, v in self.headers.items() if k.lower() not in ("host", "connection")
                }
                answer = upstream.request(self.command, self.path, content=body, headers=headers)
                proxy.forwarded.append((self.command, self.path))
                content = proxy.rewrite(self.command, self.path, answer.content)
                self.send_response(answer.status_code)
                for key, value in answer.headers.items():
                    if key.lower() not in (
                        "date",  # one of its own (``date_time_string``)
                        "server",
                        "content-length",
                        "transfer-encoding",
                        "connection",
                        "content-encoding",
                    ):
                        self.send_header(key, value)
                self.send_header("Content-Length", str(len(content)))
                self.end_headers()
                self.wfile.write(content)

            do_GET = do_POST = do_PUT = do_DELETE = _forward

            def date_time_string(self, timestamp: float | None = None) -> str:
                # The Date header ``send_response`` adds (the server's own is not forwarded).
                when = time.time() if timestamp is None else timestamp
                return email.utils.formatdate(when - proxy.date_shift_s, usegmt=True)

            def log_message(self, format: str, *args: object) -> None:
                pass

        self._upstream = upstream
        self._httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._thread = threading.Thread(target=self._httpd.serve_forever, daemon=True)
        self._thread.start()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self._httpd.server_address[1]}"

    def restore(self) -> None:
        self.cut = False
        self.cut_when = lambda _method, _path: False

    def let_through(self) -> None:
        """The requests held (and any held from now on) go on to the server."""
        self._go_on.set()

    def close(self) -> None:
        self._go_on.set()
        self._httpd.shutdown()
        self._httpd.server_close()
        self._upstream.close()


class Laptops:
    def __init__(self, server: ServerProcess, tmp_path: Path, url: str = "") -> None:
        self.server = server
        self.tmp_path = tmp_path
        self.url = url or server.base_url  # where the laptops join (a proxy in front, say)
        self.sessions: list[Session] = []

    def account(self, name: str) -> Session:
        """A new laptop's account, not joined to any organisation yet (closed with the rest)."""
        session = create_first_account(self.tmp_path / name, "anna", name, PASSWORD)
        self.sessions.append(session)
        return session

    def new(
        self,
        name: str,
        *,
        approve: bool = True,
        coordinator: bool = False,
        role: Role = Role.COORDINATOR,
    ) -> Session:
        """A laptop joined (and approved for ``role`` by the first one, unless it is the first).
        Approved for coordinators (the default), it is a coordinator's laptop on the server too
        from then on, as one of a coordinator's code (``coordinator``) is: a member's laptop
        whose accounts have every right is ``new_member``'s."""
        session = self.account(name)
        code = self.server.enroll(name, coordinator=coordinator)
        result = sync_uc.join(session.store, self.url, code, name)
        if approve and result.status != "approved":  # all but the organisation's first
            approve_and_confirm(self.sessions[0], session, role=role)
        return session

    def new_member(self, name: str) -> Session:
        """A laptop whose accounts have every right on it, but a member's laptop on the server:
        one approved before laptops had roles (``as_before_roles``). A laptop approved for
        coordinators (``new``'s default) is a coordinator's laptop on the server too."""
        session = self.new(name, role=Role.ADVISOR)
        as_before_roles(self.server, self.sessions[0], session)
        return session

    def sync(self, *sessions: Session) -> list[sync_uc.SyncReport]:
        return [
            sync_uc.sync_now(s.store, max_retries=2, backoff_base=0.05)
            for s in (sessions or self.sessions)
        ]

    def close(self) -> None:
        for s in self.sessions:
            s.close()

    def __enter__(self) -> Laptops:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def as_before_roles(server: ServerProcess, coordinator: Session, laptop: Session) -> None:
    """``laptop`` as a laptop approved before laptops had roles is left by the server's
    migration 0008 (NULL on its row and with its keys) and by the laptop's update (no role
    ceiling in its store): its keys wrapped by ``coordinator`` as that version did, with no
    role bound in (``crypto._wrap_context``). Not a coordinator's on the server, unless by a
    coordinator's code (only that made one then): every right on the laptop, a member's
    laptop on the server, which it knows (as a laptop that joined with an ordinary code)."""
    from cryptography.hazmat.primitives.ciphers.aead import AESGCM

    from desktop_app.storage.models import MetaRow

    sender = sync_uc.device_keys(coordinator.store)
    public = sync_uc.device_keys(laptop.store).public_key
    held = keyring_of(coordinator)
    with DbSession(server.engine) as s, s.begin():
        rows = s.scalars(
            select(models.WrappedKey).where(models.WrappedKey.device_id == device_id(laptop))
        )
        for row in rows:
            context = crypto._wrap_context(sender.public_key, public, row.key_id, None)
            nonce = os.urandom(12)
            kek = crypto._kek(sender, public, context)
            row.wrapped_key = nonce + AESGCM(kek).encrypt(nonce, held[row.key_id], context)
            row.sender_public_key = sender.public_key
            row.sender_device = device_id(coordinator)
            row.laptop_role = None
        approved = s.scalar(
            select(models.Device.coordinator_approved_by).where(
                models.Device.id == device_id(laptop)
            )
        )
        s.execute(
            update(models.Device)
            .where(models.Device.id == device_id(laptop))
            .values(laptop_role=None)
        )
        if approved is not None:  # approved for coordinators (migration 0010): not then
            s.execute(
                update(models.Device)
                .where(models.Device.id == device_id(laptop))
                .values(is_coordinator=False, coordinator_approved_by=None)
            )
    with laptop.store.transaction() as session:
        ceiling = session.get(MetaRow, engine.LAPTOP_ROLE)
        if ceiling is not None:
            session.delete(ceiling)
        if approved is not None:
            engine.set_meta(session, engine.COORDINATOR, "0")


def keyring_of(session: Session) -> dict[str, bytes]:
    """The team keys a laptop holds, by key id."""
    with session.store.reading() as s:
        return keyring(s)


def active_key_id(session: Session) -> str | None:
    """The id of the team key a laptop encrypts with (None before it has one)."""
    with session.store.reading() as s:
        row = active_key(s)
        return row.key_id if row else None


def revoke_first_and_stay_last_coordinator(
    server: ServerProcess, last: Session, first: Session
) -> None:
    """``last``, a coordinator's laptop, revokes ``first`` (the organisation's first laptop),
    and is then the last coordinator's device: the server's operator cannot revoke it, and its
    own lowering (the key in use wrapped anew for advisors, uploaded by itself) is refused as
    "last_coordinator" (409). Nobody could approve laptops any more after either."""
    assert sync_uc.revoke_device(last.store, last.user, device_id(first)).status == "revoked"
    with pytest.raises(ApiError) as revoked:
        server.service.revoke(device_id(last))
    assert revoked.value.code == "last_coordinator"
    key_id = active_key_id(last)
    assert key_id is not None
    own = sync_uc.device_keys(last.store)
    blob = crypto.wrap_team_key(
        keyring_of(last)[key_id], key_id, own, own.public_key, laptop_role="advisor"
    )
    with sync_uc.client_for(last.store) as client, pytest.raises(BadRequest) as lowered:
        client.upload_wrapped_key(
            device_id(last), key_id, blob, own.public_key, laptop_role="advisor"
        )
    assert (lowered.value.status, lowered.value.code) == (409, "last_coordinator")


def record_state(kind: str, record_id: str, values: dict[str, Any], device: str) -> RecordState:
    """A record as a laptop (``device``) writes it now, every field with the same clock."""
    clock = f"{time.time_ns() // 1_000_000:013d}-00000-{device}"
    return RecordState(kind, record_id, {n: FieldState(v, clock) for n, v in values.items()})


def push_state(
    session: Session, state: RecordState, revision: int = 1, payload: bytes | None = None
) -> None:
    """``state`` (or ``payload`` as its plaintext) sealed under the team key and pushed by the
    laptop of ``session``, as another version of the app on that laptop would."""
    with session.store.reading() as db:
        key = active_key(db)
        assert key is not None
    device = device_id(session)
    sealer = crypto.EnvelopeSealer(key.key, key.key_id, device)
    clock = f"{time.time_ns() // 1_000_000:013d}-00000-{device}"
    plaintext = payload or encode(LocalRecord(state, revision, ""))
    envelope = sealer.seal(state.id, state.kind, revision, plaintext, clock)
    with sync_uc.client_for(session.store) as client:
        assert client.push([envelope]).accepted == 1


def older_answers_conflict(
    session: Session,
    visit_id: str,
    person_id: str,
    kept: dict[str, Any],
    other: dict[str, Any],
    field: str = "answers",
) -> str:
    """A conflict over all of a visit's answers, as versions before answers merged one by one
    stored it (both versions whole, as JSON text), held by the laptop of ``session``; with
    ``field="answers+"``, as a merge stores two versions that do not fit together."""
    import json

    from desktop_app.storage.sync_models import ConflictRow

    clock = f"{time.time_ns() // 1_000_000:013d}-00000-{'b' * 36}"
    conflict_id = str(uuid.uuid4())
    with session.store.transaction() as db:
        db.add(
            ConflictRow(
                id=conflict_id,
                record_kind="visit",
                record_id=visit_id,
                person_id=person_id,
                field=field,
                kept_value=json.dumps(json.dumps(kept)),
                kept_clock=clock,
                other_value=json.dumps(json.dumps(other)),
                other_clock=clock,
                resolved=False,
                revision=1,
                updated_hlc=clock,
                device_id="b" * 36,
                author_id="",
            )
        )
    return conflict_id


class AnsweringStub:
    """A server on 127.0.0.1 that answers every request with ``status`` and an error body as
    the sync server's (a server with a fault, behind a broken proxy …); with ``tls``, over
    HTTPS with a self-signed certificate that no laptop trusts (a wrong server, a public
    Wi-Fi's login page). ``connections`` and ``requests`` count what reached it."""

    def __init__(self, status: int, tmp_path: Path, *, tls: bool = False) -> None:
        self.connections = 0
        self.requests = 0
        stub = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def _answer(self) -> None:
                stub.requests += 1
                length = int(self.headers.get("Content-Length") or 0)
                if length:
                    self.rfile.read(length)
                body = b'{"code": "internal", "detail": "internal server error", "errors": []}'
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            do_GET = do_POST = do_PUT = do_DELETE = _answer

            def log_message(self, format: str, *args: object) -> None:
                pass

        class Server(ThreadingHTTPServer):
            def get_request(self) -> tuple[Any, Any]:
                stub.connections += 1
                return super().get_request()

            def handle_error(self, request: object, client_address: object) -> None:
                pass  # a client that refused the certificate: what the stub is for

        self._httpd = Server(("127.0.0.1", 0), Handler)
        self.scheme = "http"
        if tls:
            import ssl

            cert, key = self_signed_certificate(tmp_path, "stub-")
            context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
            context.load_cert_chain(cert, key)
            # Handshakes in the request threads: a refused one must not stop the server.
            self._httpd.socket = context.wrap_socket(
                self._httpd.socket, server_side=True, do_handshake_on_connect=False
            )
            self.scheme = "https"
        self._thread = threading.Thread(target=self._httpd.serve_forever, daemon=True)
        self._thread.start()

    @property
    def url(self) -> str:
        return f"{self.scheme}://127.0.0.1:{self._httpd.server_address[1]}"

    def close(self) -> None:
        self._httpd.shutdown()
        self._httpd.server_close()


def self_signed_certificate(folder: Path, stem: str = "") -> tuple[Path, Path]:
    """A certificate for 127.0.0.1 signed by its own key (``{stem}cert.pem``, ``{stem}key.pem``
    in ``folder``): valid in form, trusted by nobody until told to (it is its own authority)."""
    import datetime as dt
    import ipaddress

    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "127.0.0.1")])
    now = dt.datetime.now(dt.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(days=1))
        .not_valid_after(now + dt.timedelta(days=1))
        .add_extension(
            x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]),
            critical=False,
        )
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )
    cert_path, key_path = folder / f"{stem}cert.pem", folder / f"{stem}key.pem"
    cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    return cert_path, key_path


@contextmanager
def store_full(session: Session) -> Iterator[None]:
    """The laptop's disk full, as its store meets it: SQLite's ``max_page_count`` holds the
    store at the size it has, on every connection to its file this process opens (the
    session's, and those of a command run in-process), and its meta table's page is filled
    to the last byte, so the next write that adds a row fails with "database or disk is full"
    (SQLITE_FULL), as on a full disk. Room again afterwards; the filler rows go."""
    database = str(session.store.paths.database)
    unlimited = 1073741823  # SQLite's default
    limit = {"pages": unlimited}

    def cap(dbapi_connection: Any, _record: object, _proxy: object) -> None:
        cursor = dbapi_connection.cursor()
        files = {row[2] for row in cursor.execute("PRAGMA database_list")}
        if database in files:
            cursor.execute(f"PRAGMA max_page_count = {limit['pages']}")
        cursor.close()

    event.listen(Pool, "checkout", cap)
    try:
        with session.store.engine.connect() as connection:
            limit["pages"] = int(connection.exec_driver_sql("PRAGMA page_count").scalar_one())
        filled = 0
        for size in (200, 50, 10, 1):  # large rows first, then ever smaller into what is left
            while True:
                try:
                    with session.store.transaction() as db:
                        db.connection().exec_driver_sql(
                            "INSERT INTO meta (key, value) VALUES (?, ?)",
                            (f"test.filler.{filled:04d}", "x" * size),
                        )
                except OperationalError as exc:
                    assert "database or disk is full" in str(exc)
                    break
                filled += 1
        yield
    finally:
        limit["pages"] = unlimited
        with session.store.transaction() as db:
            db.connection().exec_driver_sql("DELETE FROM meta WHERE key LIKE 'test.filler.%'")
        event.remove(Pool, "checkout", cap)


def move_laptop_to(session: Session, url: str) -> None:
    """The laptop's server address changed to ``url`` (as if the server moved there)."""
    from desktop_app.sync.engine import SERVER_URL, set_meta

    with session.store.transaction() as db:
        set_meta(db, SERVER_URL, url)


class Backup:
    """The server's database as it was when ``take`` ran; ``restore`` puts it back. The server
    is stopped for both (as an operator restores: service stopped, dump loaded, started)."""

    def __init__(self, server: ServerProcess, tmp_path: Path) -> None:
        self.server = server
        self.url = make_url(server.db_url)
        self.sqlite = self.url.get_backend_name() == "sqlite"
        self.copy = tmp_path / "backup.db"
        self.copy_name = f"{self.url.database}_bak_{secrets.token_hex(3)}"

    def _admin(self, sql: str) -> None:
        import psycopg

        admin = self.url.set(drivername="postgresql", database="postgres")
        with psycopg.connect(admin.render_as_string(hide_password=False), autocommit=True) as c:
            c.execute(sql)

    def take(self) -> None:
        self.server.stop()
        self.server.dispose()  # no connection left open on the database
        if self.sqlite:
            # SQLite's own backup: the database with whatever its write-ahead log still holds.
            with sqlite3.connect(str(self.url.database)) as src, sqlite3.connect(self.copy) as dst:
                src.backup(dst)
            src.close()
            dst.close()
        else:
            self._admin(f'CREATE DATABASE "{self.copy_name}" TEMPLATE "{self.url.database}"')
        self.server.start()

    def restore(self) -> None:
        self.server.stop()
        self.server.dispose()
        if self.sqlite:
            # The log of the database replaced goes with it (left, it would be replayed).
            for suffix in ("-wal", "-shm"):
                Path(f"{self.url.database}{suffix}").unlink(missing_ok=True)
            shutil.copyfile(self.copy, str(self.url.database))
        else:
            self._admin(f'DROP DATABASE "{self.url.database}" WITH (FORCE)')
            self._admin(f'CREATE DATABASE "{self.url.database}" TEMPLATE "{self.copy_name}"')
        self.server.start()

    def drop(self) -> None:
        if not self.sqlite:
            self._admin(f'DROP DATABASE IF EXISTS "{self.copy_name}" WITH (FORCE)')


def run_desk(
    *args: str, lang: str = "en", password: str = "laptop password 1"
) -> subprocess.CompletedProcess[str]:
    """``welcome-desk`` (the laptop's command line) in a subprocess, the password on stdin."""
    return subprocess.run(
        [sys.executable, "-m", "desktop_app.app", *args, "--password-stdin", "--lang", lang],
        input=password + "\n",
        capture_output=True,
        text=True,
        cwd=ROOT,
        env={**os.environ, "WELCOME_DESK_FAST_KDF": "1"},
        timeout=120,
    )


# People on laptops, as the integration tests add, edit and compare them.


def person_names(session: Session) -> set[str]:
    return {f"{e.given_name} {e.family_name}" for e in people.list_people(session.store, 0, 1000)}


#: What ``tests.unit.test_visits.full_life_situation`` says of the person, for a record that
#: finishing that check adds nothing to (a check fills in what the record lacks: a new revision).
AS_THE_CHECK_SAYS: dict[str, Any] = {
    "sex": "female",
    "nationality": "BG",
    "languages": ("bg", "tr"),
}


def add_person(
    session: Session, given: str, family: str, dob: str = "", phone: str = "", **details: Any
) -> str:
    return people.register_person(
        session.store,
        session.user,
        PersonDraft(given, family, dob, phone=phone, **details),
        confirm_duplicates=True,
    ).id


def referred_on_two_laptops(laptops: Laptops, **person: Any) -> tuple[Session, Session, Referral]:
    """Two laptops, A and B: Maria Ivanova (``person``: more of her details) added on A and
    referred there to the job centre for Bürgergeld, her copy in Romanian; synced to B."""
    a, b = laptops.new("A"), laptops.new("B")
    pid = add_person(a, "Maria", "Ivanova", "1990", **person)
    referral = referrals.issue_referral(
        a.store, a.user, pid, "jobcenter", "buergergeld", client_lang="ro"
    )
    laptops.sync(a, b)
    return a, b, referral


def edit_person(session: Session, person_id: str, **changes: str) -> None:
    person = people.get_person(session.store, session.user, person_id)
    assert person is not None
    values = people.person_values(person)
    values.update(changes)
    languages = tuple(c for c in values.pop("languages").split(",") if c)
    people.update_person(
        session.store, session.user, person_id, PersonDraft(**values, languages=languages)
    )


def holdings(session: Session) -> dict[str, tuple[int, str]]:
    """Every person on a laptop: revision and phone (what an edit changed)."""
    with session.store.reading() as s:
        rows = s.connection().exec_driver_sql("SELECT id, revision, phone FROM people").all()
    return {r[0]: (int(r[1]), str(r[2])) for r in rows}


def live_people(session: Session) -> set[str]:
    """The people a laptop holds who were not erased."""
    with session.store.reading() as s:
        rows = s.connection().exec_driver_sql("SELECT id FROM people WHERE NOT deleted").all()
    return {r[0] for r in rows}


def audit_ids(session: Session) -> set[str]:
    with session.store.reading() as s:
        return {r[0] for r in s.connection().exec_driver_sql("SELECT id FROM audit_log")}


def server_top_revisions(server: ServerProcess) -> dict[str, int]:
    with server.engine.connect() as conn:
        rows = conn.exec_driver_sql(
            "SELECT record_id, max(revision) FROM envelopes GROUP BY record_id"
        ).all()
    return {r[0]: int(r[1]) for r in rows}


def outbox_size(session: Session) -> int:
    return engine.pending_changes(session.store)


def add_people(session: Session, *names: str) -> list[str]:
    return [
        people.register_person(
            session.store,
            session.user,
            PersonDraft(n, "Ivanova", phone="0176 1"),
            confirm_duplicates=True,
        ).id
        for n in names
    ]


def assert_converged(server: ServerProcess, *laptops: Session) -> None:
    first = holdings(laptops[0])
    for laptop in laptops[1:]:
        assert holdings(laptop) == first
    on_server = server_top_revisions(server)
    for person_id, (revision, _phone) in first.items():
        assert on_server.get(person_id) == revision, person_id
    for laptop in laptops:
        assert audit_ids(laptop) <= set(on_server)
        assert outbox_size(laptop) == 0


def device_token(session: Session) -> str:
    with session.store.reading() as s:
        token = engine.get_meta(s, engine.TOKEN)
    assert token is not None
    return token


def operator_inserts(server: ServerProcess, **envelope: object) -> int:
    """An envelope the operator writes into the server's database itself, with the next
    sequence number, as if a laptop had pushed it; returns that sequence number."""
    counter = models.SeqCounter
    with DbSession(server.engine) as s, s.begin():
        seq = s.execute(
            update(counter)
            .where(counter.id == 1)
            .values(last_seq=counter.last_seq + 1)
            .returning(counter.last_seq)
        ).scalar_one()
        s.add(models.StoredEnvelope(seq=seq, received_at=models.utcnow(), **envelope))
    return int(seq)


# A server's first start migrates its empty database (8 migrations and Alembic's import: about
# 0.2 s of CPU, paid again by each of the ~600 servers a test run starts). A test whose server
# starts on an empty database gets the schema those migrations leave from a template migrated
# once per test process, by the server's own ``db.migrate``: a file copy on SQLite, CREATE
# DATABASE ... TEMPLATE on PostgreSQL. The first start on an empty database is tested itself
# (test_server_cli, test_server_deployment), as is each migration on data (migrate_again_from).


@functools.cache
def _sqlite_template() -> Path:
    """A SQLite database migrated to head, once per process (removed at its exit)."""
    folder = Path(tempfile.mkdtemp(prefix="wd-server-template-"))
    atexit.register(shutil.rmtree, folder, ignore_errors=True)
    path = folder / "server.db"
    _migrate(f"sqlite:///{path}")
    leftover = [p.name for p in folder.iterdir() if p != path]
    assert not leftover, leftover  # closed cleanly: the file alone holds the schema
    return path


def migrated_sqlite(path: Path) -> str:
    """The URL of a new SQLite database at ``path`` holding the schema at head, as a server's
    first start leaves an empty one (``_sqlite_template``)."""
    shutil.copyfile(_sqlite_template(), path)
    return f"sqlite:///{path}"


def _migrate(url: str) -> None:
    from sync_server import db

    engine = create_db_engine(url)
    try:
        db.migrate(engine)
    finally:
        engine.dispose()


_pg_templates: dict[str, str] = {}


def _pg_template(admin: Any, conninfo: str) -> str:
    """The name of a database in the cluster migrated to head, once per process and cluster
    (each xdist worker its own: CREATE DATABASE ... TEMPLATE refuses a template another
    connection uses); dropped at the process's exit."""
    import psycopg

    if conninfo not in _pg_templates:
        name = f"wd_template_{secrets.token_hex(6)}"
        with psycopg.connect(conninfo, autocommit=True) as conn:
            conn.execute(f'CREATE DATABASE "{name}"')
        _migrate(admin.set(database=name).render_as_string(hide_password=False))
        _pg_templates[conninfo] = name

        def drop() -> None:
            with psycopg.connect(conninfo, autocommit=True) as conn:
                conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')

        atexit.register(drop)
    return _pg_templates[conninfo]


@contextmanager
def pg_database(base_url: str, *, migrated: bool = False) -> Iterator[str]:
    """A fresh database in the throwaway PostgreSQL cluster at ``base_url``, dropped after;
    ``migrated``: holding the schema at head, as a server's first start leaves an empty one
    (``_pg_template``)."""
    import psycopg

    name = f"wd_test_{secrets.token_hex(6)}"
    admin = make_url(base_url).set(drivername="postgresql")
    conninfo = admin.render_as_string(hide_password=False)
    template = f' TEMPLATE "{_pg_template(admin, conninfo)}"' if migrated else ""
    with psycopg.connect(conninfo, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"{template}')
    try:
        yield admin.set(database=name).render_as_string(hide_password=False)
    finally:
        with psycopg.connect(conninfo, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def conflicts_alike(found: list[list[Any]]) -> list[list[Any]]:
    """Each laptop's open conflicts (``OpenConflict``) without what names laptops and who set
    the values: each laptop's own is "this laptop" and only its own accounts are named (the
    others' by id and role), the rest must be the same everywhere."""
    from dataclasses import replace

    unnamed: tuple[str, str | None] = ("", None)
    return [
        [
            replace(
                conflict,
                kept_laptop="",
                other_laptop="",
                kept_by="",
                other_by="",
                kept_by_elsewhere=unnamed,
                other_by_elsewhere=unnamed,
            )
            for conflict in conflicts
        ]
        for conflicts in found
    ]
