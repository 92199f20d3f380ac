"""Sync server benchmarks on loopback: 200 laptops syncing at once, and a 10,000-record first sync.

    python bench/sync_server_load.py [--database-url URL] [--laptops 200] [--changes 50]

Without --database-url it uses $WELCOME_DESK_TEST_PG_URL (a fresh database is created in that
cluster, see tests/integration/pg_cluster.sh) or else a temporary SQLite file. Prints figures
beside their budgets and exits 1 when a budget is missed.
"""

from __future__ import annotations

import argparse
import http.server
import os
import random
import secrets
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
    import psycopg
    from sqlalchemy.engine import make_url

    admin = make_url(base).set(drivername="postgresql")
    conninfo = admin.render_as_string(hide_password=False)
    name = f"wd_bench_{secrets.token_hex(4)}"
    with psycopg.connect(conninfo, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    try:
        yield admin.set(database=name).render_as_string(hide_password=False)
    finally:
        with psycopg.connect(conninfo, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@contextmanager
def server(db_url: str) -> Iterator[str]:
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
    def __init__(self, base: str, service: SyncService) -> None:
        self.base, self.service = base, service
        self.coordinator = Laptop(base, service, "coordinator")  # first device: coordinator
        self.team = crypto.new_team_key()


def enroll_many(org: Organisation, count: int) -> tuple[crypto.TeamKey, list[Laptop]]:
    base, service, coordinator, team = org.base, org.service, org.coordinator, org.team
    laptops = []
    for i in range(count):
        laptop = Laptop(base, service, f"laptop {i}")
        blob = crypto.wrap_team_key(team.key, team.key_id, coordinator.keys, laptop.keys.public_key)
        coordinator.client.approve(
            laptop.device_id, [wrapped_key(team.key_id, blob, coordinator.keys.public_key)]
        )
        laptops.append(laptop)
    return team, laptops


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

    def sync(laptop: Laptop, body: str, delay: float) -> None:
        headers = {
            "Authorization": f"Bearer {laptop.client.token}",
            "Content-Type": "application/json",
        }
        try:
            with httpx.Client(base_url=f"{org.base}/v1", timeout=120) as http:
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

    threads = [
        threading.Thread(target=sync, args=(lp, b, d))
        for lp, b, d in zip(laptops, bodies, delays, strict=True)
    ]
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
    for error in errors[:5]:
        print("  error:", error)
    return ok


class _Sink(http.server.BaseHTTPRequestHandler):
    """Plain-HTTP baseline: receives bodies and sends back a body of the same size."""

    last = b""

    def do_POST(self) -> None:
        _Sink.last = self.rfile.read(int(self.headers["Content-Length"]))
        self.send_response(200)
        self.send_header("Content-Length", "2")
        self.end_headers()
        self.wfile.write(b"{}")

    def do_GET(self) -> None:
        self.send_response(200)
        self.send_header("Content-Length", str(len(_Sink.last)))
        self.end_headers()
        self.wfile.write(_Sink.last)

    def log_message(self, *_args: object) -> None:
        pass


def first_sync(org: Organisation, records: int) -> bool:
    team, (sender, receiver) = enroll_many(org, 2)
    envelopes = sender.envelopes(team, records, 1500)
    bodies = [
        httpx.Request(
            "POST", "/", json={"envelopes": [e.model_dump() for e in envelopes[i : i + 500]]}
        ).read()
        for i in range(0, records, 500)
    ]

    sink = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Sink)
    threading.Thread(target=sink.serve_forever, daemon=True).start()
    t0 = time.perf_counter()
    with httpx.Client(base_url=f"http://127.0.0.1:{sink.server_address[1]}") as plain:
        for body in bodies:
            plain.post("/", content=body, headers={"Content-Type": "application/json"})
            plain.get("/").read()
    baseline = time.perf_counter() - t0
    sink.shutdown()

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
        "--spread",
        type=float,
        default=5.0,
        help="laptops start within this many seconds (background sync timers are jittered)",
    )
    args = parser.parse_args()
    ok = True
    with database(args.database_url) as db_url:
        print(f"backend: {db_url.split(':')[0]}")
        with server(db_url) as base:
            engine = create_db_engine(resolve_database_url(db_url))
            service = SyncService(engine)
            org = Organisation(base, service)
            ok &= load_test(org, args.laptops, args.changes, args.spread)
            ok &= first_sync(org, args.records)
            org.coordinator.client.close()
            engine.dispose()
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
