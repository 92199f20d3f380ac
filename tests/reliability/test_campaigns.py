"""One pytest entry per fault campaign, with the short counts (RELIABILITY_* env overrides)."""

from __future__ import annotations

from pathlib import Path

import pytest
from campaign import campaign
from campaigns import CAMPAIGNS


@pytest.mark.reliability
@pytest.mark.slow
@pytest.mark.parametrize("name", sorted(CAMPAIGNS))
def test_campaign(name: str, tmp_path: Path) -> None:
    c = campaign(name)
    CAMPAIGNS[name](c, tmp_path)
    print(c.report())
