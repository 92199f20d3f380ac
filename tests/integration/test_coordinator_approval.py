"""A laptop approved for coordinators is a coordinator's laptop on the server too: it lists,
approves and revokes laptops, gives codes, publishes. Before, only a coordinator's code made
one, and such a laptop's coordinators were refused as "not_coordinator". Only a coordinator's
device grants it, as the server has it (never the request's word); lowered to another role,
the laptop is a coordinator's no longer; one enrolled with a coordinator's code stays one; the
last coordinator's device is neither revoked nor lowered. Migration 0010 makes the laptops
approved for coordinators before it coordinators'. Real stores and a real server (SQLite, and
PostgreSQL where the cluster runs)."""

from __future__ import annotations

import datetime as dt
import uuid

import pytest
from sqlalchemy import select, text

from desktop_app.domain.users import Role
from desktop_app.sync import crypto
from desktop_app.sync.http_client import Forbidden, wrapped_key
from desktop_app.usecases import sync as sync_uc
from sync_server import models, service, wire
from tests.integration.sync_harness import (
    Laptops,
    Organisation,
    ServerProcess,
    approve_and_confirm,
    device_id,
    revoke_first_and_stay_last_coordinator,
)


def _on_server(server: ServerProcess, device: str) -> tuple[bool, str | None]:
    """The device's ``is_coordinator`` and ``coordinator_approved_by`` in the server's table."""
    d = models.Device
    with server.engine.connect() as db:
        row = db.execute(
            select(d.is_coordinator, d.coordinator_approved_by).where(d.id == device)
        ).one()
    return bool(row[0]), row[1]


def _device_rows(server: ServerProcess) -> list[tuple[object, ...]]:
    """Every device's row and every wrapped key, to see that a refusal changed nothing."""
    d, k = models.Device, models.WrappedKey
    with server.engine.connect() as db:
        devices = db.execute(
            select(
                d.id,
                d.status,
                d.is_coordinator,
                d.coordinator_approved_by,
                d.laptop_role,
                d.approved_by,
            ).order_by(d.id)
        ).all()
        keys = db.execute(select(k.device_id, k.key_id, k.laptop_role).order_by(k.id)).all()
    return [tuple(r) for r in [*devices, *keys]]


def test_a_laptop_approved_for_coordinators_coordinates(
    laptops: Laptops, server: ServerProcess
) -> None:
    a = laptops.new("Büro Nordstadt")
    b = laptops.new("Büro Südstadt", role=Role.COORDINATOR)  # an ordinary code
    assert _on_server(server, device_id(b)) == (True, device_id(a))
    listed = {d.name: d for d in sync_uc.list_devices(a.store, a.user)}
    assert listed["Büro Südstadt"].is_coordinator
    assert listed["Büro Südstadt"].coordinator_approved_by == device_id(a)
    assert not sync_uc.by_coordinator_code(listed["Büro Südstadt"])
    # The organisation's first: a coordinator's for good, as one by a coordinator's code.
    assert listed["Büro Nordstadt"].coordinator_approved_by is None
    assert sync_uc.by_coordinator_code(listed["Büro Nordstadt"])
    # The laptop learns it at its next sync, and does what a coordinator's laptop does.
    assert sync_uc.is_coordinator_laptop(b.store) is False
    laptops.sync(b)
    assert sync_uc.is_coordinator_laptop(b.store) is True
    assert sync_uc.issue_enrollment_code(b.store, b.user, "Laptop Ana").code
    c = laptops.new("C", approve=False)
    approve_and_confirm(b, c, role=Role.ADVISOR)
    assert _on_server(server, device_id(c)) == (False, None)  # advisors: no coordinator's
    assert {d.name for d in sync_uc.list_devices(b.store, b.user)} == {
        "Büro Nordstadt",
        "Büro Südstadt",
        "C",
    }
    # A laptop B approves for coordinators is one too, approved by B.
    d = laptops.new("D", approve=False)
    approve_and_confirm(b, d, role=Role.COORDINATOR)
    assert _on_server(server, device_id(d)) == (True, device_id(b))
    # Another sync changes nothing and asks nothing more.
    laptops.sync(b)
    assert sync_uc.is_coordinator_laptop(b.store) is True
    # B revokes C (a coordinator's right the server refused it before).
    assert sync_uc.revoke_device(b.store, b.user, device_id(c)).status == "revoked"


def _for_coordinators(
    org: Organisation, sender: crypto.DeviceKeys, public: bytes
) -> list[wire.WrappedKeyIn]:
    """The team key wrapped by ``sender`` for ``public``, for coordinators, as an approval
    carries it (the sender's own public key named, so the server's sender check passes)."""
    blob = crypto.wrap_team_key(
        org.team.key, org.team.key_id, sender, public, laptop_role="coordinator"
    )
    return [wrapped_key(org.team.key_id, blob, sender.public_key, laptop_role="coordinator")]


def test_only_a_coordinators_device_grants_it(org: Organisation) -> None:
    """An advisor's or helper's laptop forges an approval for coordinators with its own token
    (a direct request): 403, nothing stored; nor can a laptop make itself a coordinator's, by an
    approval or a key for coordinators of its own; a laptop waiting grants nothing either."""
    advisor = org.join("Beratung", role="advisor")
    helper = org.join("Hilfe", role="helper")
    waiting = org.join("Neu", approve=False)
    other = org.join("Auch neu", approve=False)
    before = _device_rows(org.server)
    for member in (advisor, helper):
        forged = _for_coordinators(org, member.keys, waiting.keys.public_key)
        with pytest.raises(Forbidden) as refused:
            member.client.approve(waiting.device_id, forged)
        assert refused.value.code == "not_coordinator"
        own = _for_coordinators(org, member.keys, member.keys.public_key)
        with pytest.raises(Forbidden) as itself:
            member.client.approve(member.device_id, own)
        assert itself.value.code == "not_coordinator"
        with pytest.raises(Forbidden) as upload:
            member.client.upload_wrapped_key(
                member.device_id,
                org.team.key_id,
                wire.b64decode(own[0].wrapped_key),
                member.keys.public_key,
                laptop_role="coordinator",
            )
        assert upload.value.code == "not_coordinator"
    for target in (waiting, other):
        with pytest.raises(Forbidden) as pending:
            other.client.approve(
                target.device_id, _for_coordinators(org, other.keys, target.keys.public_key)
            )
        assert pending.value.code == "not_approved"
    assert _device_rows(org.server) == before  # nothing changed, no key stored
    listed = {d.device_id: d for d in org.coordinator.client.devices().devices}
    for member in (advisor, helper, waiting, other):
        assert not listed[member.device_id].is_coordinator
        assert listed[member.device_id].coordinator_approved_by is None
    assert listed[waiting.device_id].status == "pending"
    with pytest.raises(Forbidden) as still:
        advisor.client.devices()
    assert still.value.code == "not_coordinator"
    # The coordinator's approval with keys of two roles, one a coordinator's: approved, but
    # a coordinator's laptop only with every key wrapped for coordinators.
    mixed = _for_coordinators(org, org.coordinator.keys, waiting.keys.public_key)
    older = crypto.wrap_team_key(
        org.team.key,
        "k-older",
        org.coordinator.keys,
        waiting.keys.public_key,
        laptop_role="advisor",
    )
    mixed.append(
        wrapped_key("k-older", older, org.coordinator.keys.public_key, laptop_role="advisor")
    )
    assert org.coordinator.client.approve(waiting.device_id, mixed).status == "approved"
    assert _on_server(org.server, waiting.device_id) == (False, None)
    # The organisation's first is a coordinator's as before, by no approval.
    assert _on_server(org.server, org.coordinator.device_id) == (True, None)


def test_lowered_it_is_a_coordinators_laptop_no_longer_unless_by_code(
    laptops: Laptops, server: ServerProcess
) -> None:
    a = laptops.new("A")
    b = laptops.new("B", role=Role.COORDINATOR)
    k = laptops.new("K", coordinator=True)
    laptops.sync(a, b, k)
    assert sync_uc.is_coordinator_laptop(b.store) is True
    sync_uc.change_laptop_role(a.store, a.user, device_id(b), Role.ADVISOR)
    assert _on_server(server, device_id(b)) == (False, None)
    laptops.sync(b)
    assert sync_uc.laptop_role(b.store) is Role.ADVISOR
    assert sync_uc.is_coordinator_laptop(b.store) is False
    with sync_uc.client_for(b.store) as client, pytest.raises(Forbidden) as refused:
        client.devices()
    assert refused.value.code == "not_coordinator"
    # Enrolled with a coordinator's code: stays one.
    with pytest.raises(sync_uc.SyncSetupError) as kept:
        sync_uc.change_laptop_role(a.store, a.user, device_id(k), Role.ADVISOR)
    assert kept.value.code == "coordinator_code_role"
    assert _on_server(server, device_id(k)) == (True, None)


def test_the_last_coordinator_counts_those_approved_and_is_kept(
    laptops: Laptops, server: ServerProcess
) -> None:
    """B, approved for coordinators, revokes the organisation's first laptop (the server
    refused that before: B did not count); then B is the last and is neither revoked by the
    server's operator nor lowered by its own request."""
    a = laptops.new("A")
    b = laptops.new("B", role=Role.COORDINATOR)
    laptops.sync(b)
    revoke_first_and_stay_last_coordinator(server, b, a)
    assert _on_server(server, device_id(b)) == (True, device_id(a))
    listed = {d.name: d for d in sync_uc.list_devices(b.store, b.user)}
    assert listed["B"].laptop_role == "coordinator"


def test_migration_0010_makes_the_laptops_approved_for_coordinators_coordinators(
    db_url: str,
) -> None:
    """A database of 0009: the first laptop, one approved for coordinators (not counted as a
    coordinator's then), one for advisors, one revoked after an approval for coordinators, one
    waiting. Upgraded, only the approved one for coordinators becomes a coordinator's, as
    approved by its approver; downgraded, it is an ordinary device again."""
    from alembic import command

    from sync_server import db

    engine = db.create_db_engine(db.resolve_database_url(db_url))
    try:
        config = db.alembic_config()
        with engine.begin() as connection:
            config.attributes["connection"] = connection
            command.upgrade(config, "0009")
        now = dt.datetime.now(dt.UTC)
        first, chosen, advisor, gone, waiting = (str(uuid.uuid4()) for _ in range(5))
        rows = [
            (first, "approved", True, "coordinator", None),
            (chosen, "approved", False, "coordinator", first),
            (advisor, "approved", False, "advisor", first),
            (gone, "revoked", False, "coordinator", first),
            (waiting, "pending", False, None, None),
        ]
        with engine.begin() as connection:
            # As a server of 0009 wrote them (its model knew no ``coordinator_approved_by``).
            connection.execute(
                text(
                    "INSERT INTO devices (id, name, public_key, token_hash, status, "
                    "is_coordinator, enrollment_name, created_at, approved_at, approved_by, "
                    "laptop_role) VALUES (:id, :n, :pk, :t, :s, :c, :n, :at, :at, :by, :r)"
                ),
                [
                    {
                        "id": i,
                        "n": f"Laptop {n}",
                        "pk": bytes(32),
                        "t": service.hash_secret(i),
                        "s": status,
                        "c": coordinator,
                        "at": now,
                        "by": by,
                        "r": role,
                    }
                    for n, (i, status, coordinator, role, by) in enumerate(rows)
                ],
            )
        db.migrate(engine)
        assert db.current_revision(engine) == db.HEAD_REVISION
        d = models.Device
        with engine.connect() as connection:
            found = {
                i: (bool(c), by)
                for i, c, by in connection.execute(
                    select(d.id, d.is_coordinator, d.coordinator_approved_by)
                )
            }
        assert found == {
            first: (True, None),
            chosen: (True, first),
            advisor: (False, None),
            gone: (False, None),
            waiting: (False, None),
        }
        # Counted as a coordinator's: the first is revoked no longer only with --force.
        service.SyncService(engine).revoke(first)
        with engine.begin() as connection:
            config.attributes["connection"] = connection
            command.downgrade(config, "0009")
        with engine.connect() as connection:
            coordinators = {
                i: bool(c)
                for i, c in connection.execute(text("SELECT id, is_coordinator FROM devices"))
            }
        assert coordinators[chosen] is False and coordinators[first] is True
    finally:
        engine.dispose()


def test_an_approver_lowered_since_its_request_was_authenticated_makes_no_coordinator(
    org: Organisation,
) -> None:
    """The approver's row is read again as the approval is written: a device that was a
    coordinator's when its request was authenticated, but is not any more (lowered or revoked
    meanwhile), approves nothing for coordinators."""
    lowered = org.join("Früher Koordination", role="advisor")
    waiting = org.join("Neu", approve=False)
    before = _device_rows(org.server)
    # As ``authenticate`` found it a moment before the lowering was committed.
    stale = service.AuthenticatedDevice(lowered.device_id, "approved", True)
    request = wire.ApproveRequest(
        wrapped_keys=_for_coordinators(org, lowered.keys, waiting.keys.public_key)
    )
    with pytest.raises(service.ApiError) as refused:
        org.server.service.approve(stale, waiting.device_id, request)
    assert (refused.value.status, refused.value.code) == (403, "not_coordinator")
    assert _device_rows(org.server) == before
