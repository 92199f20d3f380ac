"""The laptops this one takes team keys from, and keys waiting for a person to confirm their sender.

The server hands each wrapped team key over with the public key of the laptop that wrapped it.
A malicious server could wrap a key of its own and name its own key pair as the sender, so a key
is opened only when its sender is trusted here: this laptop itself, or a laptop whose fingerprint
a person here compared with the one on that laptop's screen. Other keys wait, still wrapped.

A key this laptop holds already, wrapped anew for a lower role by a laptop not trusted here, waits
so too: a coordinator's laptop lowered this laptop's role (``usecases.sync.change_laptop_role``),
taken once a person here confirms that laptop (``lowered_to``).
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from desktop_app.domain.users import Role, lower_role
from desktop_app.storage.sync_models import TeamKeyRow, TrustedSenderRow, WaitingTeamKeyRow
from desktop_app.sync import crypto

# The server's labels are stored as given but no longer than the server itself allows.
_NAME_CHARS = 100
_DEVICE_CHARS = 36


@dataclass(frozen=True)
class WaitingKey:
    key_id: str
    wrapped_key: bytes
    sender_public_key: bytes
    sender_device: str
    sender_name: str
    # The role it was wrapped for, as the server handed it over (checked when it is opened).
    laptop_role: str | None = None


@dataclass(frozen=True)
class WaitingSender:
    """A laptop that sent this one a team key and is not trusted yet (the UI shows these)."""

    public_key: bytes
    device_id: str
    device_name: str
    key_ids: tuple[str, ...]
    # The lowest role it wrapped a key this laptop holds already for, lower than this laptop's:
    # it lowered this laptop's role ("helper", "advisor"). None: it only sent keys not held here.
    lowered_to: str | None = None

    @property
    def fingerprint(self) -> str:
        return crypto.fingerprint(self.public_key)


def trusted_keys(session: Session) -> set[bytes]:
    return set(session.scalars(select(TrustedSenderRow.public_key)))


def trusted_name(session: Session, public_key: bytes) -> str:
    """The name a trusted laptop had when it was trusted ("" if unknown or not trusted)."""
    row = session.get(TrustedSenderRow, public_key)
    return row.device_name if row is not None else ""


def trust(
    session: Session, public_key: bytes, device_id: str, device_name: str, reason: str, hlc: str
) -> None:
    if session.get(TrustedSenderRow, public_key) is not None:
        return
    session.add(
        TrustedSenderRow(
            public_key=public_key,
            device_id=device_id[:_DEVICE_CHARS],
            device_name=device_name[:_NAME_CHARS],
            reason=reason,
            added_hlc=hlc,
        )
    )


def hold(session: Session, key: WaitingKey, hlc: str) -> None:
    """Keep a wrapped key until its sender is confirmed (once per key id and sender)."""
    if session.get(WaitingTeamKeyRow, (key.key_id, key.sender_public_key)) is not None:
        return
    session.add(
        WaitingTeamKeyRow(
            key_id=key.key_id,
            sender_public_key=key.sender_public_key,
            wrapped_key=key.wrapped_key,
            sender_device=key.sender_device[:_DEVICE_CHARS],
            sender_name=key.sender_name[:_NAME_CHARS],
            received_hlc=hlc,
            laptop_role=key.laptop_role,
        )
    )


def lowers(role: str | None, ceiling: Role | None) -> bool:
    """Whether a key wrapped for ``role`` lowers a laptop whose role ceiling is ``ceiling``
    (None: none, every right)."""
    if role is None or role not in crypto.LAPTOP_ROLES:
        return False
    return ceiling is None or lower_role(ceiling, Role(role)) is not ceiling


def hold_lowering(session: Session, key: WaitingKey, hlc: str) -> None:
    """Keep a wrapping of a key held here, for a lower role, until its sender is confirmed;
    the sender's latest wrapping of that key replaces one it sent before."""
    row = session.get(WaitingTeamKeyRow, (key.key_id, key.sender_public_key))
    if row is None:
        hold(session, key, hlc)
    elif row.wrapped_key != key.wrapped_key or row.laptop_role != key.laptop_role:
        row.wrapped_key = key.wrapped_key
        row.laptop_role = key.laptop_role
        row.sender_device = key.sender_device[:_DEVICE_CHARS]
        row.sender_name = key.sender_name[:_NAME_CHARS]
        row.received_hlc = hlc


def forget_lowerings_not_listed(session: Session, listed: set[tuple[str, bytes]]) -> None:
    """Drop the waiting wrappings of keys held here that the server no longer lists (``listed``:
    key id and sender of each it lists): the server replaced or dropped them, and they say
    nothing of this laptop's role any more."""
    held = set(session.scalars(select(TeamKeyRow.key_id)))
    for row in session.scalars(
        select(WaitingTeamKeyRow).where(WaitingTeamKeyRow.key_id.in_(held))
    ).all():
        if (row.key_id, row.sender_public_key) not in listed:
            session.delete(row)


def waiting_keys(session: Session, sender_public_key: bytes | None = None) -> list[WaitingKey]:
    query = select(WaitingTeamKeyRow).order_by(WaitingTeamKeyRow.key_id)
    if sender_public_key is not None:
        query = query.where(WaitingTeamKeyRow.sender_public_key == sender_public_key)
    return [
        WaitingKey(
            r.key_id,
            r.wrapped_key,
            r.sender_public_key,
            r.sender_device,
            r.sender_name,
            r.laptop_role,
        )
        for r in session.scalars(query)
    ]


def waiting_senders(session: Session) -> list[WaitingSender]:
    """One entry per sender, oldest first; the name is the one given with its newest key."""
    by_sender: dict[bytes, list[WaitingTeamKeyRow]] = {}
    for row in session.scalars(select(WaitingTeamKeyRow).order_by(WaitingTeamKeyRow.received_hlc)):
        by_sender.setdefault(row.sender_public_key, []).append(row)
    held = set(session.scalars(select(TeamKeyRow.key_id)))
    return [
        WaitingSender(
            public_key,
            rows[-1].sender_device,
            rows[-1].sender_name,
            tuple(sorted(r.key_id for r in rows)),
            _lowest([r.laptop_role for r in rows if r.key_id in held]),
        )
        for public_key, rows in by_sender.items()
    ]


def _lowest(roles: list[str | None]) -> str | None:
    lowest: Role | None = None
    for role in roles:
        if role in crypto.LAPTOP_ROLES and role is not None:
            lowest = Role(role) if lowest is None else lower_role(lowest, Role(role))
    return lowest.value if lowest is not None else None


def forget_settled(session: Session, ceiling: Role | None) -> None:
    """Drop waiting keys whose sender is trusted by now, and those whose key id this laptop
    holds unless they would lower its role ceiling (``lowers``): those wait for their sender."""
    session.execute(
        delete(WaitingTeamKeyRow).where(
            WaitingTeamKeyRow.sender_public_key.in_(select(TrustedSenderRow.public_key))
        )
    )
    held = select(TeamKeyRow.key_id)
    for row in session.scalars(
        select(WaitingTeamKeyRow).where(WaitingTeamKeyRow.key_id.in_(held))
    ).all():
        if not lowers(row.laptop_role, ceiling):
            session.delete(row)
