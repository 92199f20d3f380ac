"""The team's own list of its laptops: synced records of kind "laptop", one per laptop and key.

The server's device list is only the server's word: a malicious operator could add a device of
its own to it, swap a laptop's public key, or call a revoked laptop approved. A laptop record can
only be written by a holder of the team key (it syncs encrypted and authenticated like every
record), and it carries a vouch made with a team key (``crypto.laptop_vouch``). A rotation wraps
the new key only for laptops that ``standing`` finds vouched for under the key in use and never
revoked. Requiring the key in use, not any key, keeps out what a laptop revoked at an earlier
rotation could still vouch for with the old keys it holds.

Who writes them: every laptop its own record as soon as it holds a team key, and again under each
newer key; the coordinator who approves a laptop after comparing its fingerprint; the coordinator
who rotates, under the new key, for every laptop it gave the key. Revoking marks every record of
the laptop, for good. The id binds the laptop's device id and public key, so a record can never
be turned into one about another key; records of laptops are never erased, and they say nothing
about a person.
"""

from __future__ import annotations

import uuid

from sqlalchemy import select
from sqlalchemy.orm import Session

from desktop_app.storage.db import Store
from desktop_app.storage.models import next_revision
from desktop_app.storage.sync_models import LaptopRow, TeamKeyRow
from desktop_app.sync import crypto
from desktop_app.sync.records import PayloadError
from sync_server import wire

KIND = "laptop"
_NAMESPACE = uuid.UUID("3d0f8a52-6c1e-4f7b-b1f4-2a9e6c55d0e7")
_MAX_TEXT = 200

# What ``standing`` finds about a laptop the server lists as approved.
VOUCHED = "vouched"
NOT_KNOWN = "not_known"  # no record of this laptop: not let in by the team (or not synced since)
OTHER_KEY = "other_key"  # the team knows this laptop with another public key
REVOKED = "revoked"  # revoked by a coordinator, whatever the server says now
NOT_CURRENT = "not_current"  # vouched for only under an older team key (skipped at a rotation)


def record_id(laptop_id: str, public_key: bytes) -> str:
    return str(uuid.uuid5(_NAMESPACE, f"welcome-desk:laptop:{laptop_id}:{public_key.hex()}"))


def _canonical(laptop_id: str) -> str | None:
    try:
        return str(uuid.UUID(laptop_id))
    except ValueError:
        return None


def _records(session: Session, laptop_id: str) -> list[LaptopRow]:
    return list(
        session.scalars(
            select(LaptopRow).where(LaptopRow.laptop_id == laptop_id, LaptopRow.deleted.is_(False))
        )
    )


def is_revoked(session: Session, laptop_id: str) -> bool:
    return any(row.revoked for row in _records(session, laptop_id))


def standing(session: Session, laptop_id: str, public_key: bytes, team: crypto.TeamKey) -> str:
    """Whether the team vouches for ``laptop_id`` having ``public_key`` under the team key in
    use (``VOUCHED``), or why not."""
    laptop = _canonical(laptop_id)
    rows = _records(session, laptop) if laptop == laptop_id else []
    if any(row.revoked for row in rows):
        return REVOKED
    if not rows:
        return NOT_KNOWN
    wanted = record_id(laptop_id, public_key)
    row = next((r for r in rows if r.id == wanted), None)
    if row is None or row.public_key != wire.b64encode(public_key):
        return OTHER_KEY
    if not crypto.laptop_vouch_holds({team.key_id: team.key}, row.vouch, laptop_id, public_key):
        return NOT_CURRENT
    return VOUCHED


def vouch(
    session: Session,
    store: Store,
    author_id: str,
    laptop_id: str,
    public_key: bytes,
    name: str,
    team: crypto.TeamKey,
) -> None:
    """Vouch for the laptop and its key under ``team`` (nothing changes if the record was
    vouched for under this key or a newer one already)."""
    proof = crypto.laptop_vouch(team, laptop_id, public_key)
    row = session.get(LaptopRow, record_id(laptop_id, public_key))
    if row is None:
        _add(session, store, author_id, laptop_id, public_key, name, revoked=False, vouch=proof)
        return
    if row.deleted or max(row.vouch, proof) == row.vouch:
        return
    changes: dict[str, object] = {"vouch": proof}
    if not row.name and name:
        changes["name"] = name[:_MAX_TEXT]
    _write(session, store, author_id, row, **changes)


def names_store(session: Session, store: Store, laptop_id: str, public_key: bytes) -> bool:
    """Whether this laptop's own record names its store."""
    row = session.get(LaptopRow, record_id(laptop_id, public_key))
    return row is not None and row.store_id == store.device_id


def claim_store(session: Session, store: Store, laptop_id: str, public_key: bytes) -> None:
    """This laptop's own record names its store (a write only when it does not yet)."""
    row = session.get(LaptopRow, record_id(laptop_id, public_key))
    if row is not None and not row.deleted and row.store_id != store.device_id:
        _write(session, store, "", row, store_id=store.device_id)


def store_names(session: Session) -> dict[str, str]:
    """The team's laptops' names by the ids of their stores (those that said theirs)."""
    return {
        store_id: name
        for store_id, name in session.execute(
            select(LaptopRow.store_id, LaptopRow.name).where(
                LaptopRow.store_id != "", LaptopRow.name != "", LaptopRow.deleted.is_(False)
            )
        )
    }


def device_names(session: Session) -> dict[str, str]:
    """The team's laptops' names by their device ids (the server's), revoked ones too."""
    return {
        laptop_id: name
        for laptop_id, name in session.execute(
            select(LaptopRow.laptop_id, LaptopRow.name).where(
                LaptopRow.name != "", LaptopRow.deleted.is_(False)
            )
        )
    }


def revoked_holding(session: Session, key_id: str) -> list[str]:
    """The names of revoked laptops vouched for under the team key ``key_id`` or a newer one:
    they were given the key in use (revoked on the server alone, or before a renewal that
    failed), and can read what is written under it until the key is renewed."""
    rows = session.scalars(
        select(LaptopRow).where(LaptopRow.revoked.is_(True), LaptopRow.deleted.is_(False))
    )
    return sorted(
        {
            row.name or row.laptop_id
            for row in rows
            if row.vouch and crypto.vouch_key_id(row.vouch) >= key_id
        }
    )


def revoke(
    session: Session,
    store: Store,
    author_id: str,
    laptop_id: str,
    public_key: bytes | None,
    name: str,
) -> None:
    """Mark every record of the laptop revoked, and keep one for the key the server names if
    the team had none (a laptop that never synced since it joined)."""
    rows = _records(session, laptop_id)
    if public_key is not None and not any(r.id == record_id(laptop_id, public_key) for r in rows):
        _add(session, store, author_id, laptop_id, public_key, name, revoked=True, vouch="")
    for row in rows:
        if not row.revoked:
            _write(session, store, author_id, row, revoked=True)


def _add(
    session: Session,
    store: Store,
    author_id: str,
    laptop_id: str,
    public_key: bytes,
    name: str,
    *,
    revoked: bool,
    vouch: str,
) -> None:
    """A new record of the laptop and its key, queued for sync."""
    _write(
        session,
        store,
        author_id,
        None,
        laptop_id=laptop_id,
        public_key=wire.b64encode(public_key),
        name=name[:_MAX_TEXT],
        revoked=revoked,
        vouch=vouch,
    )


def _write(
    session: Session, store: Store, author_id: str, row: LaptopRow | None, **values: object
) -> None:
    """Create or change a record and queue it for sync in the same transaction."""
    hlc = str(store.clock.now())
    if row is None:
        laptop_id, public_key = str(values["laptop_id"]), str(values["public_key"])
        row = LaptopRow(
            id=record_id(laptop_id, wire.b64decode(public_key)),
            revision=0,
            deleted=False,
            field_clocks="{}",
            **values,
        )
        session.add(row)
    else:
        for name, value in values.items():
            setattr(row, name, value)
    next_revision(session, row, KIND, hlc=hlc, device_id=store.device_id, author_id=author_id[:36])


def check_saved(session: Session, row: LaptopRow) -> None:
    """A record from another laptop, as merged here: refused (``PayloadError``) unless it is
    about the laptop and key its id names, and its vouch holds under a team key held here."""
    if row.deleted:
        raise PayloadError("laptop: records of laptops are never erased")
    texts = (row.laptop_id, row.public_key, row.name, row.vouch, row.store_id)
    if not all(isinstance(t, str) for t in texts) or not isinstance(row.revoked, bool):
        raise PayloadError("laptop: unexpected field values")
    if row.store_id and _canonical(row.store_id) != row.store_id:
        raise PayloadError("laptop: the store id is not a UUID")
    try:
        public = wire.b64decode(row.public_key)
    except ValueError:
        public = b""
    if (
        len(public) != wire.PUBLIC_KEY_BYTES
        or wire.b64encode(public) != row.public_key
        or _canonical(row.laptop_id) != row.laptop_id
        or row.id != record_id(row.laptop_id, public)
        or max(len(row.name), len(row.vouch)) > _MAX_TEXT
    ):
        raise PayloadError("laptop: the record is not about the laptop its id names")
    if row.vouch:
        # The row is not valid yet, so it must not be flushed by this query.
        with session.no_autoflush:
            key_id = crypto.vouch_key_id(row.vouch)
            key = session.scalar(select(TeamKeyRow.key).where(TeamKeyRow.key_id == key_id))
        keyring = {key_id: key} if key is not None else {}
        if not crypto.laptop_vouch_holds(keyring, row.vouch, row.laptop_id, public):
            raise PayloadError("laptop: its vouch does not hold under a team key held here")
