"""The laptops this one takes team keys from, and keys waiting for a person to confirm their sender.

The server hands each wrapped team key over with the public key of the laptop that wrapped it.
A malicious server could wrap a key of its own and name its own key pair as the sender, so a key
is opened only when its sender is trusted here: this laptop itself, or a laptop whose fingerprint
a person here compared with the one on that laptop's screen. Other keys wait, still wrapped.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

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
    return [
        WaitingSender(
            public_key,
            rows[-1].sender_device,
            rows[-1].sender_name,
            tuple(sorted(r.key_id for r in rows)),
        )
        for public_key, rows in by_sender.items()
    ]


def forget_settled(session: Session) -> None:
    """Drop waiting keys whose sender is trusted by now or whose key id this laptop holds."""
    session.execute(
        delete(WaitingTeamKeyRow).where(
            WaitingTeamKeyRow.sender_public_key.in_(select(TrustedSenderRow.public_key))
            | WaitingTeamKeyRow.key_id.in_(select(TeamKeyRow.key_id))
        )
    )
