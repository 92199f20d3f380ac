"""Run the fault campaigns from the command line: ``python -m tests.reliability.run --full``.

Prints each campaign's report (what it did, what held); exits 1 if any property did not hold.
With ``WELCOME_DESK_TEST_PG_URL`` set (``tests/integration/pg_cluster.sh start``), the campaigns
in ``PG_CAMPAIGNS`` run once more with the server on PostgreSQL (``--database`` to choose).
"""

from __future__ import annotations

import argparse
import logging
import os
import sys
import tempfile
import time
import traceback
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))  # also when run by path

from tests.reliability.campaign import COUNTS, PG_CAMPAIGNS, PG_ENV, CampaignFailed, campaign


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--full", action="store_true", help="the full counts of quality.md")
    parser.add_argument("--seed", type=int, help="seed for every campaign (default: env or 9)")
    parser.add_argument("--count", type=int, help="one count for every campaign")
    parser.add_argument("--only", nargs="*", choices=sorted(COUNTS), help="campaigns to run")
    parser.add_argument(
        "--model-examples",
        type=int,
        default=0,
        help="also run the model-based sync test with this many examples",
    )
    parser.add_argument(
        "--database",
        choices=["sqlite", "postgres", "both"],
        help="the server's database (default: both if the PG URL is set, else sqlite)",
    )
    args = parser.parse_args(argv)
    database = args.database or ("both" if os.environ.get(PG_ENV) else "sqlite")
    if database != "sqlite" and not os.environ.get(PG_ENV):
        parser.error(f"{PG_ENV} is not set (tests/integration/pg_cluster.sh start)")
    logging.getLogger("desktop_app.sync").setLevel(logging.ERROR)  # refusals are counted instead
    from tests.reliability.campaigns import CAMPAIGNS

    runs = [
        (name, db)
        for name in args.only or sorted(CAMPAIGNS)
        for db in ("sqlite", "postgres")
        if database in (db, "both") and (db == "sqlite" or name in PG_CAMPAIGNS)
    ]
    failed = 0
    for name, db in runs:
        c = campaign(name, full=args.full, seed=args.seed, count=args.count, database=db)
        print(f"--- {name} (server on {db}): seed {c.seed}, count {c.count}", flush=True)
        with tempfile.TemporaryDirectory(prefix=f"wd-{name}-") as tmp:
            try:
                CAMPAIGNS[name](c, Path(tmp))
            except CampaignFailed as exc:
                failed += 1
                print(f"FAILED: {exc}")
            except Exception:  # a crash of the campaign is a finding too
                failed += 1
                traceback.print_exc()
        print(c.report(), flush=True)
    if args.model_examples or args.full:
        import subprocess

        examples = args.model_examples or 150
        env = {**os.environ, "RELIABILITY_MODEL_EXAMPLES": str(examples)}
        started = time.monotonic()
        result = subprocess.run(
            [
                sys.executable,
                "-m",
                "pytest",
                "-q",
                "-p",
                "no:cacheprovider",
                "tests/reliability/test_sync_model.py",
            ],
            env=env,
            check=False,
            cwd=Path(__file__).resolve().parents[2],
        )
        outcome = "passed" if result.returncode == 0 else "FAILED"
        seconds = time.monotonic() - started
        print(f"campaign sync_model: {examples} hypothesis examples, {seconds:.0f} s, {outcome}")
        failed += result.returncode != 0
    return 1 if failed else 0


if __name__ == "__main__":
    raise SystemExit(main())
