"""A coordinator's device uploads wrapped team keys only as their sender, against a real server
process on 127.0.0.1 (SQLite, and PostgreSQL where the cluster runs).

A laptop takes a wrapped key by its sender's public key: its own, or that of a coordinator's
laptop whose fingerprint a person confirmed (``desktop_app.sync.key_senders``). The server
stored the ``sender_public_key`` an upload named, whatever it was, so a coordinator's device
could hand a laptop a key labelled with another laptop's public key. Now an approval or key
upload naming any public key but the uploading device's own registered one is refused (403
``sender_not_uploader``) and nothing of it is stored.
"""

from __future__ import annotations

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session as DbSession

from desktop_app.sync import crypto
from desktop_app.sync.http_client import Forbidden, wrapped_key
from sync_server import models, wire
from tests.integration.sync_harness import Member, Organisation, ServerProcess

REFUSED = "sender_not_uploader"


def _second_coordinator(org: Organisation) -> Member:
    """Another coordinator's device, enrolled with a coordinator's code and approved by the
    first with the team key (closed with the organisation)."""
    keys = crypto.DeviceKeys.generate()
    client = org.server.client()
    code = org.server.enroll("Zweitbüro", coordinator=True)
    reg = client.register(code, "Zweitbüro", keys.public_key)
    member = Member("second", keys, reg.device_id, client)
    org.members.append(member)
    org.approve(member, role="coordinator")
    assert reg.is_coordinator and member.keyring == {org.team.key_id: org.team.key}
    return member


def _stored(server: ServerProcess, device: str) -> tuple[str | None, list[tuple[object, ...]]]:
    """The device's role on the server and every wrapped key stored for it, as stored."""
    with DbSession(server.engine) as s:
        row = s.get(models.Device, device)
        assert row is not None
        keys = s.execute(
            select(
                models.WrappedKey.key_id,
                models.WrappedKey.wrapped_key,
                models.WrappedKey.sender_public_key,
                models.WrappedKey.sender_device,
                models.WrappedKey.laptop_role,
            )
            .where(models.WrappedKey.device_id == device)
            .order_by(models.WrappedKey.id)
        )
        return row.laptop_role, [tuple(k) for k in keys]


def test_a_key_upload_naming_another_devices_public_key_as_sender_is_refused(
    org: Organisation, server: ServerProcess
) -> None:
    x = _second_coordinator(org)
    m = org.join("Laptop M", role="advisor")
    before = _stored(server, m.device_id)
    assert before[0] == "advisor" and len(before[1]) == 1

    new_team = crypto.new_team_key()
    blob = crypto.wrap_team_key(
        new_team.key, new_team.key_id, x.keys, m.keys.public_key, laptop_role="advisor"
    )
    # The key in use, wrapped anew for a lower role: the path that replaces a stored key.
    lower = crypto.wrap_team_key(
        org.team.key, org.team.key_id, x.keys, m.keys.public_key, laptop_role="helper"
    )
    # Posing as the first coordinator's laptop, and as the laptop itself (each trusts itself).
    for posing_as in (org.coordinator.keys.public_key, m.keys.public_key):
        for key_id, wrapped, role in (
            (new_team.key_id, blob, "advisor"),
            (org.team.key_id, lower, "helper"),
        ):
            with pytest.raises(Forbidden) as refused:
                x.client.upload_wrapped_key(
                    m.device_id,
                    key_id,
                    wrapped,
                    posing_as,
                    laptop_role=role,  # type: ignore[arg-type]
                )
            assert refused.value.status == 403 and refused.value.code == REFUSED
            assert "sender_public_key" in refused.value.reason
    assert _stored(server, m.device_id) == before
    assert [k.key_id for k in m.client.fetch_wrapped_keys().keys] == [org.team.key_id]
    assert "sender is not the uploader" in server.log_text()

    # The same uploads naming the uploader's own key are taken, and open on the laptop.
    x.client.upload_wrapped_key(
        m.device_id, new_team.key_id, blob, x.keys.public_key, laptop_role="advisor"
    )
    x.client.upload_wrapped_key(
        m.device_id, org.team.key_id, lower, x.keys.public_key, laptop_role="helper"
    )
    server_role, stored = _stored(server, m.device_id)
    assert server_role == "helper"
    assert [(k[0], k[2], k[3], k[4]) for k in stored] == [
        (org.team.key_id, x.keys.public_key, x.device_id, "helper"),
        (new_team.key_id, x.keys.public_key, x.device_id, "advisor"),
    ]
    got = {k.key_id: k for k in m.client.fetch_wrapped_keys().keys}
    for team in (org.team, new_team):
        key = got[team.key_id]
        assert wire.b64decode(key.sender_public_key) == x.keys.public_key
        opened = crypto.unwrap_team_key(
            wire.b64decode(key.wrapped_key),
            key.key_id,
            m.keys,
            x.keys.public_key,
            laptop_role=key.laptop_role,
        )
        assert opened == team.key


def test_an_approval_with_one_key_naming_another_devices_public_key_stores_nothing(
    org: Organisation, server: ServerProcess
) -> None:
    x = _second_coordinator(org)
    p = org.join("Laptop P", approve=False)
    new_team = crypto.new_team_key()
    keys = [
        wrapped_key(
            team.key_id,
            crypto.wrap_team_key(
                team.key, team.key_id, x.keys, p.keys.public_key, laptop_role="advisor"
            ),
            x.keys.public_key,
            laptop_role="advisor",
        )
        for team in (org.team, new_team)
    ]
    # The second key names the first coordinator's laptop as its sender.
    posing = keys[1].model_copy(
        update={"sender_public_key": wire.b64encode(org.coordinator.keys.public_key)}
    )
    with pytest.raises(Forbidden) as refused:
        x.client.approve(p.device_id, [keys[0], posing])
    assert refused.value.status == 403 and refused.value.code == REFUSED
    # Not approved, not half-approved: the first key, valid, was not kept either.
    assert server.device_status(p.device_id) == "pending"
    assert _stored(server, p.device_id) == (None, [])
    assert p.client.fetch_wrapped_keys().keys == []

    info = x.client.approve(p.device_id, keys)
    assert info.status == "approved" and info.laptop_role == "advisor"
    assert [k.key_id for k in p.client.fetch_wrapped_keys().keys] == [
        org.team.key_id,
        new_team.key_id,
    ]
