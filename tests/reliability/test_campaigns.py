"""One pytest entry per fault campaign, with the short counts (RELIABILITY_* env overrides).

The campaigns in ``PG_CAMPAIGNS`` run a second time with the server on PostgreSQL when
``WELCOME_DESK_TEST_PG_URL`` is set (as ``scripts/test`` does), and are skipped otherwise.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from tests.reliability.campaign import PG_CAMPAIGNS, PG_ENV, campaign
from tests.reliability.campaigns import CAMPAIGNS

CASES = [pytest.param(name, "sqlite", id=name) for name in sorted(CAMPAIGNS)] + [
    pytest.param(name, "postgres", id=f"{name}-postgres", marks=pytest.mark.postgres)
    for name in PG_CAMPAIGNS
]


@pytest.mark.reliability
@pytest.mark.slow
@pytest.mark.parametrize(("name", "database"), CASES)
def test_campaign(name: str, database: str, tmp_path: Path) -> None:
    if database == "postgres" and not os.environ.get(PG_ENV):
        pytest.skip(f"{PG_ENV} not set (start a cluster with tests/integration/pg_cluster.sh)")
    c = campaign(name, database=database)
    CAMPAIGNS[name](c, tmp_path)
    print(c.report())
