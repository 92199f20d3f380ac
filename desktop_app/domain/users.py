"""Accounts of the people who use a laptop, and their roles."""

from __future__ import annotations

import enum
from dataclasses import dataclass


class Role(enum.StrEnum):
    COORDINATOR = "coordinator"
    ADVISOR = "advisor"
    HELPER = "helper"


@dataclass(frozen=True)
class User:
    id: str
    account: str
    display_name: str
    role: Role
