"""Accounts of the people who use a laptop, and their roles."""

from __future__ import annotations

import enum
from dataclasses import dataclass, field


class Role(enum.StrEnum):
    COORDINATOR = "coordinator"
    ADVISOR = "advisor"
    HELPER = "helper"


# Lowest first: a role allows everything a lower one does (``domain.permissions``).
_RANK = {Role.HELPER: 0, Role.ADVISOR: 1, Role.COORDINATOR: 2}


def lower_role(a: Role, b: Role) -> Role:
    """The lower of two roles."""
    return a if _RANK[a] <= _RANK[b] else b


def role_at_most(role: Role, ceiling: Role | None) -> bool:
    """Whether ``role`` is allowed under a laptop's role ceiling (None: no ceiling)."""
    return ceiling is None or _RANK[role] <= _RANK[ceiling]


@dataclass(frozen=True)
class User:
    id: str
    account: str
    display_name: str
    # The role the user works with on this laptop: their account's own role, no higher than
    # the role the laptop was approved for (``effective_user``).
    role: Role
    # The laptop's accounts are kept by this user: their account's own role is coordinator,
    # also where the laptop's ceiling lowered the role they work with. They add and remove the
    # laptop's accounts and set their passwords, giving roles up to the ceiling only
    # (``usecases.accounts.add_user``), and nothing else of a coordinator's.
    keeps_accounts: bool = field(default=False, compare=False)
    # The role the coordinator who approved this laptop chose for it; None: no ceiling (a
    # laptop that never joined, or joined before laptops were approved for a role).
    ceiling: Role | None = field(default=None, compare=False)
    # The ceiling lowered the role of this user's account (told once they log in).
    lowered: bool = field(default=False, compare=False)


def effective_user(
    user_id: str, account: str, display_name: str, own_role: Role, ceiling: Role | None
) -> User:
    """The user as they work on a laptop whose role ceiling is ``ceiling``."""
    role = own_role if ceiling is None else lower_role(own_role, ceiling)
    return User(
        user_id,
        account,
        display_name,
        role,
        keeps_accounts=own_role == Role.COORDINATOR,
        ceiling=ceiling,
        lowered=role != own_role,
    )
