"""A laptop's coordinator's role after its approval, against a real server on 127.0.0.1
(SQLite, and PostgreSQL where the cluster runs). A laptop approved before roles whose role a
coordinator then chose as "Coordinators" was a coordinator's on the laptop (its keys said so)
and a member's on the server (it listed no laptops, its directory was refused): the server now
makes it a coordinator's by the rule of an approval for coordinators, and a lowering ends it.
An approved laptop of another role is not raised by approving it again for coordinators (the
audit said "coordinators" where nothing changed anywhere), nor does the server's list say it.
The audit entries of approvals and role changes say whether the server counts the laptop as a
coordinator's afterwards."""

from __future__ import annotations

import datetime as dt
import os
import uuid

import pytest
from sqlalchemy import select, text

from desktop_app.domain.users import Role
from desktop_app.sync import crypto
from desktop_app.sync.http_client import Forbidden
from desktop_app.usecases import audit
from desktop_app.usecases import sync as sync_uc
from desktop_app.usecases.accounts import Session
from sync_server import models, service, wire
from tests.integration.sync_harness import (
    Laptops,
    ServerProcess,
    active_key_id,
    approve_and_confirm,
    device_id,
    keyring_of,
    revoke_first_and_stay_last_coordinator,
    role_on_login,
)


def _on_server(server: ServerProcess, laptop: Session) -> tuple[bool, str | None, str | None]:
    """The laptop's ``is_coordinator``, ``coordinator_approved_by`` and ``laptop_role``."""
    d = models.Device
    with server.engine.connect() as db:
        row = db.execute(
            select(d.is_coordinator, d.coordinator_approved_by, d.laptop_role).where(
                d.id == device_id(laptop)
            )
        ).one()
    return bool(row[0]), row[1], row[2]


def _rows(server: ServerProcess) -> list[tuple[object, ...]]:
    """Every device's row and every wrapped key, to see that a refusal changed nothing."""
    d, k = models.Device, models.WrappedKey
    with server.engine.connect() as db:
        devices = db.execute(
            select(
                d.id, d.status, d.is_coordinator, d.coordinator_approved_by, d.laptop_role
            ).order_by(d.id)
        ).all()
        keys = db.execute(
            select(k.device_id, k.key_id, k.laptop_role, k.wrapped_key).order_by(k.id)
        ).all()
    return [tuple(r) for r in [*devices, *keys]]


def _entries(laptop: Session, action: str, of: Session) -> list[dict[str, object]]:
    return [
        dict(e.details)
        for e in audit.list_entries(laptop.store, laptop.user, record_id=device_id(of))
        if e.action == action
    ]


def test_a_coordinators_role_chosen_for_a_laptop_approved_before_roles_makes_it_one(
    laptops: Laptops, server: ServerProcess
) -> None:
    a = laptops.new("Büro")
    b = laptops.new_member("Beratung Nord")  # approved before roles: every right, a member's
    laptops.sync(a, b)
    assert _on_server(server, b) == (False, None, None)
    assert sync_uc.is_coordinator_laptop(b.store) is False

    sync_uc.change_laptop_role(a.store, a.user, device_id(b), Role.COORDINATOR)
    # Made a coordinator's by the laptop that chose it, as an approval for coordinators does.
    assert _on_server(server, b) == (True, device_id(a), "coordinator")
    assert _entries(a, "change_laptop_role", b) == [
        {"role": "coordinator", "previous_role": sync_uc.NO_ROLE_BEFORE, "server_coordinator": True}
    ]
    listed = {d.name: d for d in sync_uc.list_devices(a.store, a.user)}
    assert listed["Beratung Nord"].is_coordinator
    assert not sync_uc.by_coordinator_code(listed["Beratung Nord"])  # a lowering ends it
    # The laptop: its keys say coordinators, and the server agrees at its next sync.
    laptops.sync(b)
    assert sync_uc.laptop_role(b.store) is Role.COORDINATOR
    assert sync_uc.is_coordinator_laptop(b.store) is True
    assert role_on_login(b) is Role.COORDINATOR
    assert {d.name for d in sync_uc.list_devices(b.store, b.user)} == {"Büro", "Beratung Nord"}
    assert sync_uc.issue_enrollment_code(b.store, b.user, "Laptop Ana").code
    c = laptops.new("C", approve=False)
    approve_and_confirm(b, c, role=Role.HELPER)
    assert _on_server(server, c) == (False, None, "helper")

    # Lowered, it is a coordinator's no longer, on the server and (after its sync) on itself.
    sync_uc.change_laptop_role(a.store, a.user, device_id(b), Role.ADVISOR)
    assert _on_server(server, b) == (False, None, "advisor")
    assert _entries(a, "change_laptop_role", b)[0] == {
        "role": "advisor",
        "previous_role": "coordinator",
        "server_coordinator": False,
    }
    laptops.sync(b)
    assert sync_uc.laptop_role(b.store) is Role.ADVISOR
    assert sync_uc.is_coordinator_laptop(b.store) is False
    with sync_uc.client_for(b.store) as client, pytest.raises(Forbidden) as refused:
        client.devices()
    assert refused.value.code == "not_coordinator"


def test_the_list_says_whether_an_approval_or_a_role_chosen_made_it_a_coordinators(
    laptops: Laptops, server: ServerProcess
) -> None:
    """``coordinator_role_chosen``: the Laptops dialog said "approved by" of a laptop whose
    coordinator's role was only set; a lowering clears it with the approver."""
    a = laptops.new("A")
    b = laptops.new_member("B")
    laptops.new("C", role=Role.COORDINATOR)
    laptops.sync(a, b)
    sync_uc.change_laptop_role(a.store, a.user, device_id(b), Role.COORDINATOR)
    listed = {d.name: d for d in sync_uc.list_devices(a.store, a.user)}
    assert (listed["B"].coordinator_approved_by, listed["B"].coordinator_role_chosen) == (
        device_id(a),
        True,
    )
    assert (listed["C"].coordinator_approved_by, listed["C"].coordinator_role_chosen) == (
        device_id(a),
        False,
    )
    sync_uc.change_laptop_role(a.store, a.user, device_id(b), Role.ADVISOR)
    listed = {d.name: d for d in sync_uc.list_devices(a.store, a.user)}
    assert (listed["B"].coordinator_approved_by, listed["B"].coordinator_role_chosen) == (
        None,
        False,
    )


def test_migration_0011_marks_the_coordinators_made_so_by_another_laptop_than_their_approver(
    db_url: str,
) -> None:
    """A database of 0010: one laptop approved for coordinators by the first (both columns
    name it), one approved by the first before roles whose role the second chose (the columns
    differ), an advisors' one. Upgraded, only the second is marked as made so by a role chosen;
    downgraded, the column is gone."""
    from alembic import command

    from sync_server import db

    engine = db.create_db_engine(db.resolve_database_url(db_url))
    try:
        config = db.alembic_config()
        with engine.begin() as connection:
            config.attributes["connection"] = connection
            command.upgrade(config, "0010")
        now = dt.datetime.now(dt.UTC)
        first, approved, chosen, advisor = (str(uuid.uuid4()) for _ in range(4))
        rows = [
            (first, True, "coordinator", None, None),
            (approved, True, "coordinator", first, first),
            (chosen, True, "coordinator", first, approved),
            (advisor, False, "advisor", first, None),
        ]
        with engine.begin() as connection:
            connection.execute(
                text(
                    "INSERT INTO devices (id, name, public_key, token_hash, status, "
                    "is_coordinator, enrollment_name, created_at, approved_at, approved_by, "
                    "laptop_role, coordinator_approved_by) "
                    "VALUES (:id, :n, :pk, :t, 'approved', :c, :n, :at, :at, :by, :r, :cby)"
                ),
                [
                    {
                        "id": i,
                        "n": f"Laptop {n}",
                        "pk": bytes(32),
                        "t": service.hash_secret(i),
                        "c": coordinator,
                        "at": now,
                        "by": by,
                        "r": role,
                        "cby": coordinator_by,
                    }
                    for n, (i, coordinator, role, by, coordinator_by) in enumerate(rows)
                ],
            )
        db.migrate(engine)
        assert db.current_revision(engine) == db.HEAD_REVISION
        d = models.Device
        with engine.connect() as connection:
            found = {
                i: bool(chosen_role)
                for i, chosen_role in connection.execute(select(d.id, d.coordinator_role_chosen))
            }
        assert found == {first: False, approved: False, chosen: True, advisor: False}
        with engine.begin() as connection:
            config.attributes["connection"] = connection
            command.downgrade(config, "0010")
        with engine.connect() as connection:
            columns = connection.execute(text("SELECT * FROM devices")).keys()
        assert "coordinator_role_chosen" not in columns
    finally:
        engine.dispose()


def test_the_last_coordinator_made_so_by_a_role_chosen_is_not_lowered(
    laptops: Laptops, server: ServerProcess
) -> None:
    """B, made a coordinator's by the role chosen for it, revokes the organisation's first
    laptop; then B is the last coordinator's laptop and its own lowering is refused."""
    a = laptops.new("A")
    b = laptops.new_member("B")
    laptops.sync(a, b)
    sync_uc.change_laptop_role(a.store, a.user, device_id(b), Role.COORDINATOR)
    laptops.sync(b)
    revoke_first_and_stay_last_coordinator(server, b, a)
    assert _on_server(server, b) == (True, device_id(a), "coordinator")


def _chosen_for_coordinators(sender: Session, laptop: Session) -> wire.WrappedKeyUpload:
    """The key in use, wrapped by ``sender`` for ``laptop`` with the coordinator's role, as a
    role chosen for it is uploaded (``change_laptop_role``)."""
    key_id = active_key_id(laptop)
    assert key_id is not None
    keys = sync_uc.device_keys(sender.store)
    public = sync_uc.device_keys(laptop.store).public_key
    blob = crypto.wrap_team_key(
        keyring_of(laptop)[key_id], key_id, keys, public, laptop_role="coordinator"
    )
    return wire.WrappedKeyUpload(
        device_id=device_id(laptop),
        key_id=key_id,
        wrapped_key=wire.b64encode(blob),
        sender_public_key=wire.b64encode(keys.public_key),
        laptop_role="coordinator",
    )


def test_only_a_coordinators_laptop_as_the_server_has_it_now_makes_one_by_a_role(
    laptops: Laptops, server: ServerProcess
) -> None:
    """A laptop without a role asks for a coordinator's role for itself, and a member's laptop
    for it (direct requests): 403. A device that was a coordinator's when its request was
    authenticated and is one no longer (lowered meanwhile) makes none, and nothing is stored."""
    a = laptops.new("A")
    b = laptops.new_member("B")
    lowered = laptops.new("Früher Koordination", role=Role.COORDINATOR)
    laptops.sync(a, b, lowered)
    sync_uc.change_laptop_role(a.store, a.user, device_id(lowered), Role.ADVISOR)
    before = _rows(server)
    for sender in (b, lowered):
        upload = _chosen_for_coordinators(sender, b)
        with sync_uc.client_for(sender.store) as client, pytest.raises(Forbidden) as refused:
            client.upload_wrapped_key(
                upload.device_id,
                upload.key_id,
                wire.b64decode(upload.wrapped_key),
                wire.b64decode(upload.sender_public_key),
                laptop_role="coordinator",
            )
        assert refused.value.code == "not_coordinator"
    # As ``authenticate`` found it a moment before its lowering was committed.
    stale = service.AuthenticatedDevice(device_id(lowered), "approved", True)
    with pytest.raises(service.ApiError) as stale_refused:
        server.service.upload_key(stale, _chosen_for_coordinators(lowered, b))
    assert (stale_refused.value.status, stale_refused.value.code) == (403, "not_coordinator")
    assert _rows(server) == before
    assert _on_server(server, b) == (False, None, None)


def test_an_approved_laptop_is_not_raised_to_coordinators_by_approving_it_again(
    laptops: Laptops, server: ServerProcess
) -> None:
    """An advisors' laptop chosen again in the Laptops dialog, its fingerprint typed and
    "Coordinators" chosen: the approval went through, its audit entry said "coordinators",
    and nothing changed (the server kept its keys and its role, the laptop its ceiling).
    Refused as a role change to a higher role is, before anything is sent."""
    a = laptops.new("A")
    c = laptops.new("C", role=Role.ADVISOR)
    laptops.sync(a, c)
    entries = len(audit.list_entries(a.store, a.user))
    before = _rows(server)
    for raise_to in (
        lambda: sync_uc.approve_device(
            a.store, a.user, device_id(c), sync_uc.fingerprint(c.store), role=Role.COORDINATOR
        ),
        lambda: sync_uc.change_laptop_role(a.store, a.user, device_id(c), Role.COORDINATOR),
    ):
        with pytest.raises(sync_uc.SyncSetupError) as refused:
            raise_to()
        assert refused.value.code == "role_not_lower"
    assert _rows(server) == before
    assert len(audit.list_entries(a.store, a.user)) == entries

    # A key it lacks (as a renewal that left it out would give it), wrapped for coordinators
    # by a coordinator's laptop: stored, but the server's list goes on saying advisors (it said
    # coordinators) and the laptop takes it at its own role.
    extra = "k000000000000" + os.urandom(4).hex()  # sorts before the key in use
    blob = crypto.wrap_team_key(
        os.urandom(32),
        extra,
        sync_uc.device_keys(a.store),
        sync_uc.device_keys(c.store).public_key,
        laptop_role="coordinator",
    )
    with sync_uc.client_for(a.store) as client:
        client.upload_wrapped_key(
            device_id(c),
            extra,
            blob,
            sync_uc.device_keys(a.store).public_key,
            laptop_role="coordinator",
        )
    assert _on_server(server, c) == (False, None, "advisor")
    listed = {d.name: d for d in sync_uc.list_devices(a.store, a.user)}
    assert listed["C"].laptop_role == "advisor" and not listed["C"].is_coordinator
    laptops.sync(c)
    assert extra in keyring_of(c)
    assert sync_uc.laptop_role(c.store) is Role.ADVISOR
    assert sync_uc.is_coordinator_laptop(c.store) is False

    # Approved again for a lower role: lowered, as a role change does.
    sync_uc.approve_device(
        a.store, a.user, device_id(c), sync_uc.fingerprint(c.store), role=Role.HELPER
    )
    assert _on_server(server, c) == (False, None, "helper")
    assert _entries(a, "approve_laptop", c)[0] == {"role": "helper", "server_coordinator": False}


def test_the_approvals_audit_entry_says_whether_the_server_made_it_a_coordinators(
    laptops: Laptops, server: ServerProcess
) -> None:
    a = laptops.new("A")
    b = laptops.new("B", role=Role.COORDINATOR)
    c = laptops.new("C", role=Role.ADVISOR)
    assert _entries(a, "approve_laptop", b) == [{"role": "coordinator", "server_coordinator": True}]
    assert _entries(a, "approve_laptop", c) == [{"role": "advisor", "server_coordinator": False}]
    # A laptop approved before roles, approved again for coordinators (the Approve button, as
    # for a laptop a renewal left out): its keys are replaced, the server makes it one, and the
    # entry says so (the server's list asked again: the upload's answer says nothing).
    d = laptops.new_member("D")
    laptops.sync(a, d)
    sync_uc.approve_device(
        a.store, a.user, device_id(d), sync_uc.fingerprint(d.store), role=Role.COORDINATOR
    )
    assert _on_server(server, d) == (True, device_id(a), "coordinator")
    assert _entries(a, "approve_laptop", d)[0] == {
        "role": "coordinator",
        "server_coordinator": True,
    }
