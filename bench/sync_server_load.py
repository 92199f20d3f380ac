"""Sync server benchmarks on loopback: 200 laptops syncing at once, and a 10,000-record first sync.

    python bench/sync_server_load.py [--database-url URL] [--laptops 200] [--changes 50]

Without --database-url it uses $WELCOME_DESK_TEST_PG_URL (a fresh database is created in that
cluster, see tests/integration/pg_cluster.sh) or else a temporary SQLite file. Prints figures
beside their budgets and exits 1 when a budget is missed.
"""

from __future__ import annotations

import argparse
import os
import random
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import httpx  # noqa: E402

from desktop_app.domain.users import Role  # noqa: E402
from desktop_app.sync import crypto  # noqa: E402
from desktop_app.sync.http_client import SyncServerClient, wrapped_key  # noqa: E402
from sync_server import wire  # noqa: E402
from sync_server.db import create_db_engine, resolve_database_url  # noqa: E402
from sync_server.service import SyncService  # noqa: E402

LOAD_P95_BUDGET_S = 0.5
FIRST_SYNC_BUDGET_S = 5.0
FIRST_SYNC_RATIO_BUDGET = 10.0


def p95(samples: list[float]) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@contextmanager
def database(url: str | None) -> Iterator[str]:
    base = url or os.environ.get("WELCOME_DESK_TEST_PG_URL")
    if base is None:
        with tempfile.TemporaryDirectory() as folder:
            yield f"sqlite:///{folder}/bench.db"
        return
    if base.startswith("sqlite"):
        yield base
        return
    from tests.integration.sync_harness import pg_database

    with pg_database(base) as pg_url:
        yield pg_url


@contextmanager
def server(db_url: str, workers: int = 1) -> Iterator[str]:
    port = free_port()
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "sync_server.cli",
            "serve",
            "--port",
            str(port),
            "--database-url",
            db_url,
            "--log-level",
            "warning",
            *(["--workers", str(workers)] if workers != 1 else []),
        ],
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(300):
            try:
                if httpx.get(f"{base}/v1/health", timeout=1).status_code == 200:
                    break
            except httpx.TransportError:
                time.sleep(0.1)
        else:
            raise SystemExit("server did not start")
        yield base
    finally:
        proc.send_signal(signal.SIGTERM)
        proc.wait(timeout=20)


class Laptop:
    def __init__(self, base: str, service: SyncService, name: str) -> None:
        self.keys = crypto.DeviceKeys.generate()
        self.client = SyncServerClient(base, max_retries=0, timeout=60)
        reg = self.client.register(service.issue_code(name, 1).code, name, self.keys.public_key)
        self.device_id = reg.device_id

    def envelopes(self, team: crypto.TeamKey, count: int, size: int) -> list[wire.Envelope]:
        hlc = f"{time.time_ns() // 1_000_000:013d}-00000-{self.device_id}"
        return [
            crypto.seal(
                team.key,
                team.key_id,
                str(uuid.uuid4()),
                "person",
                1,
                os.urandom(size),
                author_device=self.device_id,
                client_hlc=hlc,
            )
            for _ in range(count)
        ]


class Organisation:
    def __init__(self, base: str, service: SyncService, database: str = "") -> None:
        self.base, self.service, self.database = base, service, database
        self.coordinator = Laptop(base, service, "coordinator")  # first device: coordinator
        self.team = crypto.new_team_key()


def enroll_many(org: Organisation, count: int) -> tuple[crypto.TeamKey, list[Laptop]]:
    base, service, coordinator, team = org.base, org.service, org.coordinator, org.team
    laptops = []
    for i in range(count):
        laptop = Laptop(base, service, f"laptop {i}")
        blob = crypto.wrap_team_key(
            team.key, team.key_id, coordinator.keys, laptop.keys.public_key, laptop_role="advisor"
        )
        coordinator.client.approve(
            laptop.device_id,
            [wrapped_key(team.key_id, blob, coordinator.keys.public_key, laptop_role="advisor")],
        )
        laptops.append(laptop)
    return team, laptops


class CpuShares:
    """Where the machine's CPU went during a measurement (Linux /proc; empty elsewhere).

    The load generator runs on the same machine as the server and the database, so its own
    share shows how much of the cores was left for the server."""

    TICK = os.sysconf("SC_CLK_TCK") if hasattr(os, "sysconf") else 100

    def __init__(self, database: str) -> None:
        self.database = database
        self.start = self._sample()

    @staticmethod
    def _stat(pid: str) -> tuple[int, float]:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        return int(fields[1]), (int(fields[11]) + int(fields[12])) / CpuShares.TICK

    def _sample(self) -> dict[str, float]:
        if not Path("/proc/stat").exists():
            return {}
        me = str(os.getpid())
        parents: dict[str, int] = {}
        cpu: dict[str, float] = {}
        database_pids: set[str] = set()
        for entry in Path("/proc").iterdir():
            if not entry.name.isdigit():
                continue
            try:
                parents[entry.name], cpu[entry.name] = self._stat(entry.name)
                if self.database and self.database.encode() in (entry / "cmdline").read_bytes():
                    database_pids.add(entry.name)
            except (OSError, ValueError, IndexError):
                continue

        def under_me(pid: str) -> bool:
            for _ in range(20):
                if pid == me:
                    return True
                parent = parents.get(pid)
                if parent is None or parent <= 1:
                    return False
                pid = str(parent)
            return False

        totals = Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]
        busy = sum(map(int, totals)) - int(totals[3]) - int(totals[4])  # minus idle, iowait
        servers = {p for p in cpu if p != me and under_me(p)}
        # Per process, so processes that start or end in between count from zero.
        sample = {f"server {p}": cpu[p] for p in servers}
        sample.update({f"database {p}": cpu[p] for p in database_pids - servers - {me}})
        sample.update(generator=cpu.get(me, 0.0), machine=busy / self.TICK)
        return sample

    def summary(self, wall: float) -> str:
        end = self._sample()
        if not end or not self.start:
            return "  (no /proc: CPU shares not measured)"
        d: dict[str, float] = {"server": 0.0, "database": 0.0}
        for key, value in end.items():
            group = key.split()[0]
            d[group] = d.get(group, 0.0) + value - self.start.get(key, 0.0)
        cores = os.cpu_count() or 1
        others = max(0.0, d["machine"] - d["generator"] - d["server"] - d["database"])
        return (
            f"  CPU seconds over {wall:.1f} s on {cores} cores ({wall * cores:.1f} available): "
            f"load generator {d['generator']:.1f}, server {d['server']:.1f}, "
            f"PostgreSQL backends {d['database']:.1f}, other processes {others:.1f}"
        )


def load_test(org: Organisation, laptops_n: int, changes: int, spread: float) -> bool:
    """Each laptop pushes its changes in one request and pulls one page of the others'.

    The simulated laptops use bare httpx with pre-serialised bodies, so the figures are the
    server's latency and not this one process parsing for 200 laptops under one GIL."""
    service = org.service
    team, laptops = enroll_many(org, laptops_n)
    bodies = [
        wire.PushRequest(envelopes=laptop.envelopes(team, changes, 600)).model_dump_json()
        for laptop in laptops
    ]
    cursor0 = laptops[0].client.status().latest_seq
    push_l: list[float] = []
    pull_l: list[float] = []
    errors: list[str] = []
    lock = threading.Lock()
    start = threading.Barrier(laptops_n)
    rng = random.Random(7)
    delays = [rng.uniform(0, spread) for _ in laptops]

    def sync(laptop: Laptop, body: str, delay: float, http: httpx.Client) -> None:
        headers = {
            "Authorization": f"Bearer {laptop.client.token}",
            "Content-Type": "application/json",
        }
        try:
            with http:
                start.wait(timeout=60)
                time.sleep(delay)
                t0 = time.perf_counter()
                pushed = http.post("/envelopes", content=body, headers=headers)
                t1 = time.perf_counter()
                pulled = http.get(
                    "/envelopes", params={"after": cursor0, "limit": 500}, headers=headers
                )
                t2 = time.perf_counter()
            with lock:
                push_l.append(t1 - t0)
                pull_l.append(t2 - t1)
                if pushed.status_code != 200 or pulled.status_code != 200:
                    errors.append(f"HTTP {pushed.status_code}/{pulled.status_code}")
        except Exception as exc:  # counted, reported below
            with lock:
                errors.append(f"{type(exc).__name__}: {exc}")

    # Each laptop has its own connection; the clients are made before the clock starts (each
    # one loads a TLS context, which is the generator's cost, not the server's).
    clients = [httpx.Client(base_url=f"{org.base}/v1", timeout=120) for _ in laptops]
    threads = [
        threading.Thread(target=sync, args=(lp, b, d, c))
        for lp, b, d, c in zip(laptops, bodies, delays, clients, strict=True)
    ]
    shares = CpuShares(org.database)
    wall = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=300)
    wall = time.perf_counter() - wall
    for laptop in laptops:
        laptop.client.close()
    latencies = push_l + pull_l
    stored = service.status(laptops[0].device_id).latest_seq - cursor0
    ok = not errors and p95(latencies) <= LOAD_P95_BUDGET_S and stored == laptops_n * changes
    print(
        f"load: {laptops_n} laptops x {changes} changes, arrivals spread over {spread:g} s: "
        f"{len(latencies)} requests, {len(errors)} errors, p95 {p95(latencies) * 1000:.0f} ms "
        f"(budget {LOAD_P95_BUDGET_S * 1000:.0f} ms), max {max(latencies) * 1000:.0f} ms, "
        f"wall {wall:.2f} s, stored {stored}  {'OK' if ok else 'MISSED'}"
    )
    print(
        f"  push p95 {p95(push_l) * 1000:.0f} ms, pull (≤500 envelopes) p95 "
        f"{p95(pull_l) * 1000:.0f} ms"
    )
    print(shares.summary(wall))
    for error in errors[:5]:
        print("  error:", error)
    return ok


@contextmanager
def plain_sink() -> Iterator[str]:
    """The plain-HTTP baseline server (bench/_sink.py): uvicorn in its own process, like the
    sync server, but without parsing, crypto or a database."""
    port = free_port()
    proc = subprocess.Popen(
        [sys.executable, str(ROOT / "bench" / "_sink.py"), str(port)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(300):
            try:
                httpx.get(base, timeout=1)
                break
            except httpx.TransportError:
                time.sleep(0.05)
        else:
            raise SystemExit("baseline server did not start")
        yield base
    finally:
        proc.send_signal(signal.SIGTERM)
        proc.wait(timeout=20)


def plain_http_seconds(bodies: list[bytes]) -> float:
    """Send the same bytes the way the protocol does: each page up in one POST (a push) and
    down in one GET (a pull), one request at a time over one keep-alive connection."""
    with plain_sink() as base, httpx.Client(base_url=base) as plain:
        plain.get("/").read()  # connect before the clock starts, as the sync client has
        started = time.perf_counter()
        for body in bodies:
            plain.post("/", content=body, headers={"Content-Type": "application/json"})
            plain.get("/").read()
        return time.perf_counter() - started


def two_laptops(folder: Path, db_url: str, base: str):
    """Two real laptop stores in ``folder`` joined to the server at ``base`` (database
    ``db_url``), the second approved by the first and confirming it: ``(a, b)`` sessions."""
    from desktop_app.usecases import sync as sync_uc
    from desktop_app.usecases.accounts import create_first_account
    from sync_server.db import create_db_engine, resolve_database_url
    from sync_server.service import SyncService
    from tests.integration.sync_harness import approve_and_confirm

    service = SyncService(create_db_engine(resolve_database_url(db_url)))
    a = create_first_account(folder / "a", "anna", "A", "password 123")
    b = create_first_account(folder / "b", "anna", "B", "password 123")
    sync_uc.join(a.store, base, service.issue_code("A", 1).code, "A")
    sync_uc.join(b.store, base, service.issue_code("B", 1).code, "B")
    approve_and_confirm(a, b, role=Role.ADVISOR)
    return a, b


def first_sync(org: Organisation, records: int) -> bool:
    team, (sender, receiver) = enroll_many(org, 2)
    envelopes = sender.envelopes(team, records, 1500)
    bodies = [
        httpx.Request(
            "POST", "/", json={"envelopes": [e.model_dump() for e in envelopes[i : i + 500]]}
        ).read()
        for i in range(0, records, 500)
    ]

    baseline = plain_http_seconds(bodies)

    t0 = time.perf_counter()
    for i in range(0, records, 500):
        sender.client.push(envelopes[i : i + 500])
    pushed = time.perf_counter() - t0
    cursor, got = 0, 0
    while True:
        page = receiver.client.pull(cursor, 500)
        got += len(page.envelopes)
        cursor = page.next_cursor
        if not page.has_more:
            break
    total = time.perf_counter() - t0
    for laptop in (sender, receiver):
        laptop.client.close()
    ratio = total / baseline
    ok = got == records and total <= FIRST_SYNC_BUDGET_S and ratio <= FIRST_SYNC_RATIO_BUDGET
    print(
        f"first sync: {records} records pushed ({pushed:.2f} s) and pulled, total {total:.2f} s "
        f"(budget {FIRST_SYNC_BUDGET_S:.0f} s); plain HTTP same bytes {baseline:.2f} s; ratio "
        f"{ratio:.1f} x (budget {FIRST_SYNC_RATIO_BUDGET:.0f} x)  {'OK' if ok else 'MISSED'}"
    )
    return ok


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--database-url")
    parser.add_argument("--laptops", type=int, default=200)
    parser.add_argument("--changes", type=int, default=50)
    parser.add_argument("--records", type=int, default=10_000)
    parser.add_argument(
        "--workers",
        type=int,
        default=os.cpu_count() or 1,
        help="server processes (welcome-desk-server serve --workers); default: one per core",
    )
    parser.add_argument(
        "--spread",
        type=float,
        default=5.0,
        help="laptops start within this many seconds (background sync timers are jittered)",
    )
    args = parser.parse_args()
    ok = True
    with database(args.database_url) as db_url:
        print(f"backend: {db_url.split(':')[0]}, server workers: {args.workers}")
        with server(db_url, args.workers) as base:
            engine = create_db_engine(resolve_database_url(db_url))
            service = SyncService(engine)
            org = Organisation(base, service, engine.url.database or "")
            ok &= load_test(org, args.laptops, args.changes, args.spread)
            ok &= first_sync(org, args.records)
            org.coordinator.client.close()
            engine.dispose()
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
