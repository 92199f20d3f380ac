"""Reliability campaigns: real processes on 127.0.0.1, short counts here, full counts via run.py."""

from __future__ import annotations


def pytest_configure(config) -> None:
    config.addinivalue_line(
        "markers", "reliability: a fault campaign (short counts; full counts: make reliability)"
    )
