"""The team's records of its laptops: vouches, what a record from another laptop must be to be
taken, and how ``standing`` reads them (no server; see test_sync_rotation_trust.py for that)."""

from __future__ import annotations

import uuid
from typing import Any

import pytest
from sqlalchemy import select

from desktop_app.storage.models import OutboxRow
from desktop_app.storage.sync_models import LaptopRow
from desktop_app.sync import crypto, laptops
from desktop_app.sync.engine import add_team_key
from desktop_app.sync.records import PayloadError
from sync_server import wire

LAPTOP = str(uuid.uuid4())
KEY = crypto.DeviceKeys.generate().public_key
OTHER = crypto.DeviceKeys.generate().public_key
OLD = crypto.TeamKey("k0000000000010000aaaa", crypto.new_team_key().key)
NEW = crypto.TeamKey("k0000000000020000bbbb", crypto.new_team_key().key)


def test_a_vouch_holds_only_for_its_laptop_its_key_and_its_team_key() -> None:
    vouch = crypto.laptop_vouch(NEW, LAPTOP, KEY)
    assert crypto.vouch_key_id(vouch) == NEW.key_id
    ring = {NEW.key_id: NEW.key, OLD.key_id: OLD.key}
    assert crypto.laptop_vouch_holds(ring, vouch, LAPTOP, KEY)
    assert not crypto.laptop_vouch_holds(ring, vouch, LAPTOP, OTHER)
    assert not crypto.laptop_vouch_holds(ring, vouch, str(uuid.uuid4()), KEY)
    assert not crypto.laptop_vouch_holds({OLD.key_id: OLD.key}, vouch, LAPTOP, KEY)
    moved = f"{OLD.key_id}:{vouch.partition(':')[2]}"  # another key's id on the same proof
    assert not crypto.laptop_vouch_holds(ring, moved, LAPTOP, KEY)
    for broken in ("", ":", f"{NEW.key_id}:", f"{NEW.key_id}:{'0' * 64}", "nonsense"):
        assert not crypto.laptop_vouch_holds(ring, broken, LAPTOP, KEY)


def _row(**changes: Any) -> LaptopRow:
    values: dict[str, Any] = {
        "id": laptops.record_id(LAPTOP, KEY),
        "laptop_id": LAPTOP,
        "public_key": wire.b64encode(KEY),
        "name": "Laptop",
        "revoked": False,
        "vouch": crypto.laptop_vouch(NEW, LAPTOP, KEY),
        "deleted": False,
        "store_id": "",
    }
    return LaptopRow(**(values | changes))


@pytest.mark.parametrize(
    "changes",
    [
        # the id of the laptop with another key, though the content (and vouch) is consistent
        {"id": laptops.record_id(LAPTOP, OTHER)},
        {"public_key": wire.b64encode(OTHER)},
        {"laptop_id": LAPTOP.upper()},
        {"public_key": "not base64"},
        {"vouch": crypto.laptop_vouch(NEW, LAPTOP, OTHER)},
        {"vouch": crypto.laptop_vouch(crypto.TeamKey("k-unknown", NEW.key), LAPTOP, KEY)},
        {"vouch": f"{NEW.key_id}:{'0' * 64}"},
        {"revoked": "yes"},
        {"name": 7},
        {"name": "x" * 201},
        {"deleted": True},
        {"store_id": "not a store"},
        {"store_id": str(uuid.uuid4()).upper()},
        {"store_id": 5},
    ],
)
def test_a_record_from_another_laptop_is_refused_unless_it_is_what_its_id_names(
    session: Any, changes: dict[str, Any]
) -> None:
    with session.store.transaction() as db:
        add_team_key(db, NEW.key_id, NEW.key, "0", active=True)
    with session.store.reading() as db:
        laptops.check_saved(db, _row())  # as written by a holder of the key: taken
        laptops.check_saved(db, _row(vouch="", revoked=True))  # a revocation needs no vouch
        laptops.check_saved(db, _row(store_id=str(uuid.uuid4())))  # its store named
        with pytest.raises(PayloadError):
            laptops.check_saved(db, _row(**changes))


def test_vouches_only_grow_revocations_stick_and_every_change_goes_to_the_outbox(
    session: Any,
) -> None:
    store = session.store
    with store.transaction() as db:
        assert laptops.standing(db, LAPTOP, KEY, OLD) == laptops.NOT_KNOWN
        laptops.vouch(db, store, "u1", LAPTOP, KEY, "Laptop", NEW)
        laptops.vouch(db, store, "u1", LAPTOP, KEY, "Laptop", OLD)  # older key: no change
        assert laptops.standing(db, LAPTOP, KEY, NEW) == laptops.VOUCHED
        assert laptops.standing(db, LAPTOP, KEY, OLD) == laptops.NOT_CURRENT
        assert laptops.standing(db, LAPTOP, OTHER, NEW) == laptops.OTHER_KEY
        assert laptops.standing(db, LAPTOP.upper(), KEY, NEW) == laptops.NOT_KNOWN
        # Revoked under any key, whatever key the server names for it now.
        laptops.revoke(db, store, "u1", LAPTOP, OTHER, "Laptop")
        for public in (KEY, OTHER):
            assert laptops.standing(db, LAPTOP, public, NEW) == laptops.REVOKED
        assert laptops.is_revoked(db, LAPTOP)
    with store.reading() as db:
        rows = {r.public_key: r for r in db.scalars(select(LaptopRow))}
        assert set(rows) == {wire.b64encode(KEY), wire.b64encode(OTHER)}
        assert all(r.revoked for r in rows.values())
        assert crypto.vouch_key_id(rows[wire.b64encode(KEY)].vouch) == NEW.key_id
        queued = [
            (o.record_id, o.revision)
            for o in db.scalars(select(OutboxRow).where(OutboxRow.record_kind == "laptop"))
        ]
    ours = laptops.record_id(LAPTOP, KEY)
    theirs = laptops.record_id(LAPTOP, OTHER)
    assert sorted(queued) == sorted([(ours, 1), (ours, 2), (theirs, 1)])


def test_erasing_a_person_leaves_the_laptops_alone(session: Any) -> None:
    from desktop_app.domain.person import PersonDraft
    from desktop_app.usecases import data_rights, people

    store = session.store
    with store.transaction() as db:
        laptops.vouch(db, store, session.user.id, LAPTOP, KEY, "Laptop", NEW)
    person = people.register_person(store, session.user, PersonDraft("Ana", "Pop"))

    def laptop_rows() -> list[tuple[object, ...]]:
        with store.reading() as db:
            return [
                (r.id, r.revision, r.vouch, r.revoked, r.deleted)
                for r in db.scalars(select(LaptopRow))
            ]

    before = laptop_rows()
    counts = data_rights.erase_person(store, session.user, person.id)
    assert laptop_rows() == before and len(before) == 1
    assert "laptop" not in counts
