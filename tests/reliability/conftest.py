"""Reliability campaigns: real processes on 127.0.0.1, short counts here, full counts via run.py."""

from __future__ import annotations

import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
for extra in (HERE, HERE.parent / "integration"):
    if str(extra) not in sys.path:
        sys.path.insert(0, str(extra))


def pytest_configure(config) -> None:
    config.addinivalue_line(
        "markers", "reliability: a fault campaign (short counts; full counts: make reliability)"
    )
