"""The campaign framework: a seed, a count, a time limit, counters of what was done and a list of
what held, printed as a short report. Shared by the pytest entries and ``run.py``."""

from __future__ import annotations

import os
import random
import sys
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
if str(ROOT) not in sys.path:  # run.py may be started by path, not with -m
    sys.path.insert(0, str(ROOT))

os.environ.setdefault("WELCOME_DESK_FAST_KDF", "1")

PG_ENV = "WELCOME_DESK_TEST_PG_URL"  # a throwaway PostgreSQL cluster (pg_cluster.sh)
SEED_ENV = "RELIABILITY_SEED"
COUNT_ENV = "RELIABILITY_COUNT"  # overrides every campaign's count
FULL_ENV = "RELIABILITY_FULL"  # "1": the full counts of quality.md
DEFAULT_SEED = 9  # timing still varies between runs; the seed fixes every random choice

# name -> (short count for every test run, full count)
COUNTS: dict[str, tuple[int, int]] = {
    "client_crashes": (8, 200),
    "server_crashes": (5, 50),
    "bad_network": (3, 25),
    "tampering": (40, 1000),
    "bad_envelopes": (40, 1000),
    "bad_form_input": (100, 2000),
    "openapi_fuzz": (20, 120),  # seconds of schemathesis
}


# Campaigns that also run with the server on PostgreSQL when PG_ENV is set, with their short
# counts there (the full counts are the same as on SQLite).
# openapi_fuzz: 20 s as on SQLite; with 10 s a busy machine (two test workers) could spend the
# time before schemathesis finished one operation and it reported no test cases.
PG_CAMPAIGNS: dict[str, int] = {"server_crashes": 3, "bad_network": 2, "openapi_fuzz": 20}


class CampaignFailed(AssertionError):
    pass


@dataclass
class Campaign:
    """One campaign run. ``rng`` is the only source of randomness, so a seed replays a run."""

    name: str
    seed: int
    count: int
    database: str = "sqlite"  # the sync server's database: "sqlite" or "postgres"
    time_limit: float = 1800.0
    rng: random.Random = field(init=False)
    did: Counter[str] = field(default_factory=Counter)
    held: list[str] = field(default_factory=list)
    started: float = field(default_factory=time.monotonic)

    def __post_init__(self) -> None:
        self.rng = random.Random(self.seed)

    def note(self, what: str, n: int = 1) -> None:
        self.did[what] += n

    def check(self, condition: bool, claim: str, detail: str = "") -> None:
        if not condition:
            raise CampaignFailed(
                f"[{self.name} seed={self.seed}] did not hold: {claim}. {detail}"[:4000]
            )

    def holds(self, claim: str) -> None:
        """Record a claim that was checked (with ``check``) every time it was due."""
        if claim not in self.held:
            self.held.append(claim)

    def out_of_time(self) -> bool:
        return time.monotonic() - self.started > self.time_limit

    def iterations(self) -> range:
        return range(self.count)

    def report(self) -> str:
        seconds = time.monotonic() - self.started
        did = ", ".join(f"{k} {v}" for k, v in sorted(self.did.items()))
        lines = [
            f"campaign {self.name} (server on {self.database}): seed {self.seed}, "
            f"count {self.count}, {seconds:.0f} s"
        ]
        lines.append(f"  did:  {did}")
        lines += [f"  held: {claim}" for claim in self.held]
        return "\n".join(lines)


def campaign(
    name: str,
    *,
    full: bool | None = None,
    seed: int | None = None,
    count: int | None = None,
    database: str = "sqlite",
) -> Campaign:
    """A campaign with its seed and count from the arguments, else the environment."""
    if full is None:
        full = os.environ.get(FULL_ENV) == "1"
    if seed is None:
        seed = int(os.environ.get(SEED_ENV) or DEFAULT_SEED)
    if count is None:
        env = os.environ.get(COUNT_ENV)
        short, long = COUNTS[name]
        if database == "postgres":
            short = PG_CAMPAIGNS[name]
        count = int(env) if env else (long if full else short)
    return Campaign(name, seed, count, database)
