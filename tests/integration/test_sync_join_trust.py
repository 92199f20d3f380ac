"""Joining compares fingerprints both ways, against a real server process on 127.0.0.1.

A new laptop uses a team key only when a person at it has confirmed the fingerprint of the
laptop that wrapped it. A server operator who wraps a key of their own for the new laptop (with
the server's database, or through its API from a coordinator device nobody confirmed) never gets
anything that laptop sends under that key (architecture property 4).
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session as DbSession

from desktop_app.domain.users import Role
from desktop_app.sync import crypto
from desktop_app.usecases import audit
from desktop_app.usecases import sync as sync_uc
from desktop_app.usecases.accounts import Session
from sync_server import models, wire
from tests.integration.sync_harness import (
    CuttingProxy,
    Laptops,
    ServerProcess,
    active_key_id,
    add_person,
    device_id,
    keyring_of,
    person_names,
    wrapped_key_ids,
)

# Sorts after every key id the app makes ("k" + creation time): the key a laptop would have
# made its active one, had it taken every key the server handed it.
IMPOSTOR_KEY_ID = "kffffffffffffimpostor"


def _sent_by(server: ServerProcess, laptop: Session) -> list[wire.StoredEnvelope]:
    """Everything on the server that ``laptop`` pushed (read as the operator would)."""
    author = device_id(laptop)
    with DbSession(server.engine) as s:
        stored = models.StoredEnvelope
        rows = s.scalars(select(stored).where(stored.author_device == author))
        return [
            wire.StoredEnvelope(
                seq=r.seq,
                record_id=r.record_id,
                kind=r.kind,
                revision=r.revision,
                key_id=r.key_id,
                nonce=wire.b64encode(r.nonce),
                ciphertext=wire.b64encode(r.ciphertext),
                author_device=r.author_device,
                client_hlc=r.client_hlc,
            )
            for r in rows
        ]


def _slip_in_key(
    server: ServerProcess, laptop: Session, posing_as: Session
) -> tuple[crypto.DeviceKeys, crypto.TeamKey]:
    """What a malicious operator can do with the server's own database: approve the laptop
    behind the coordinator's back and hand it a team key the operator knows, wrapped with a key
    pair of the operator's, labelled as coming from the coordinator's laptop."""
    impostor = crypto.DeviceKeys.generate()
    team = crypto.TeamKey(IMPOSTOR_KEY_ID, crypto.new_team_key().key)
    with DbSession(server.engine) as s, s.begin():
        device = s.get(models.Device, device_id(laptop))
        assert device is not None
        device.status = "approved"
        wrapped = crypto.wrap_team_key(
            team.key, team.key_id, impostor, device.public_key, laptop_role="coordinator"
        )
        s.add(
            models.WrappedKey(
                device_id=device.id,
                key_id=team.key_id,
                wrapped_key=wrapped,
                sender_public_key=impostor.public_key,
                sender_device=device_id(posing_as),
                created_at=models.utcnow(),
                laptop_role="coordinator",
            )
        )
    return impostor, team


def _cannot_open(envelopes: list[wire.StoredEnvelope], team: crypto.TeamKey) -> bool:
    """Neither under its own id nor under the ids the envelopes name does ``team`` open any."""
    for envelope in envelopes:
        for ring in ({team.key_id: team.key}, {envelope.key_id: team.key}):
            with pytest.raises(crypto.EnvelopeError):
                crypto.open_envelope(ring, envelope)
    return True


def test_a_new_laptop_takes_the_key_only_after_confirming_the_coordinators_fingerprint(
    laptops: Laptops, server: ServerProcess
) -> None:
    a = laptops.new("A")
    b = laptops.new("B", approve=False)
    add_person(a, "Ana", "Pop")
    laptops.sync(a)
    sync_uc.approve_device(
        a.store, a.user, device_id(b), sync_uc.fingerprint(b.store), role=Role.COORDINATOR
    )
    add_person(b, "Bogdan", "Ionescu")  # registered while B waits
    with pytest.raises(sync_uc.SyncSetupError) as info:
        laptops.sync(b)
    assert info.value.code == "confirm_coordinator"
    # What B's user is shown: the approving laptop's name; its fingerprint, computed on B from
    # the key that wrapped the team key, is what they compare with A's screen.
    (sender,) = sync_uc.waiting_senders(b.store)
    assert sender.device_name == "A" and sender.device_id == device_id(a)
    assert sender.fingerprint == sync_uc.fingerprint(a.store)
    state = sync_uc.status(b.store)
    assert state.unconfirmed_senders == ("A",) and not state.approved
    assert keyring_of(b) == {} and _sent_by(server, b) == []

    # A wrong fingerprint (B's own, or nothing) is refused and changes nothing.
    for wrong in (sync_uc.fingerprint(b.store), "", "AAAA BBBB CCCC DDDD EEEE FFFF"):
        with pytest.raises(sync_uc.SyncSetupError) as refused:
            sync_uc.confirm_coordinator(b.store, b.user, wrong)
        assert refused.value.code == "fingerprint_mismatch"
    assert keyring_of(b) == {} and len(sync_uc.waiting_senders(b.store)) == 1
    assert not [e for e in audit.list_entries(b.store, b.user) if e.action == "confirm_coordinator"]

    # Typed as a person might: small letters, dashes instead of spaces.
    typed = sync_uc.fingerprint(a.store).lower().replace(" ", "-")
    confirmed = sync_uc.confirm_coordinator(b.store, b.user, typed)
    assert confirmed.device_id == device_id(a)
    assert sync_uc.waiting_senders(b.store) == [] and set(keyring_of(b)) == set(keyring_of(a))
    (entry,) = [e for e in audit.list_entries(b.store, b.user) if e.action == "confirm_coordinator"]
    assert entry.record_kind == "device" and entry.record_id == device_id(a)
    with pytest.raises(sync_uc.SyncSetupError) as again:
        sync_uc.confirm_coordinator(b.store, b.user, typed)
    assert again.value.code == "nothing_to_confirm"
    laptops.sync(b, a)
    assert person_names(b) == person_names(a) == {"Ana Pop", "Bogdan Ionescu"}

    # A rotation by the coordinator B confirmed is taken without asking again.
    new_key = sync_uc.rotate_team_key(a.store, a.user).key_id
    laptops.sync(a)
    before = {e.seq for e in _sent_by(server, b)}
    add_person(b, "Bianca", "Stan")
    laptops.sync(b)
    assert active_key_id(b) == new_key and sync_uc.waiting_senders(b.store) == []
    after = [e for e in _sent_by(server, b) if e.seq not in before]
    assert after and {e.key_id for e in after} == {new_key}


def test_a_key_the_server_operator_wraps_for_a_new_laptop_is_never_used(
    laptops: Laptops, server: ServerProcess
) -> None:
    a = laptops.new("A")
    b = laptops.new("B", approve=False)
    add_person(a, "Ana", "Pop")
    laptops.sync(a)
    add_person(b, "Bogdan", "Ionescu")
    impostor, fake = _slip_in_key(server, b, posing_as=a)

    # B is "approved" and holds a key on the server, but does not open it into its keyring,
    # so nothing leaves B.
    with pytest.raises(sync_uc.SyncSetupError) as info:
        laptops.sync(b)
    assert info.value.code == "confirm_coordinator"
    assert keyring_of(b) == {} and _sent_by(server, b) == []
    (waiting,) = sync_uc.waiting_senders(b.store)
    assert waiting.device_name == "A"  # the label lies; the fingerprint does not
    assert waiting.fingerprint == impostor.fingerprint != sync_uc.fingerprint(a.store)
    # The person at B compares with A's screen: that is not the sender of the waiting key.
    with pytest.raises(sync_uc.SyncSetupError) as refused:
        sync_uc.confirm_coordinator(b.store, b.user, sync_uc.fingerprint(a.store))
    assert refused.value.code == "fingerprint_mismatch"
    assert keyring_of(b) == {} and _sent_by(server, b) == []

    # A approves B for real: two senders wait, and only A's fingerprint installs a key.
    sync_uc.approve_device(
        a.store, a.user, device_id(b), sync_uc.fingerprint(b.store), role=Role.COORDINATOR
    )
    with pytest.raises(sync_uc.SyncSetupError):
        laptops.sync(b)
    assert {w.fingerprint for w in sync_uc.waiting_senders(b.store)} == {
        impostor.fingerprint,
        sync_uc.fingerprint(a.store),
    }
    sync_uc.confirm_coordinator(b.store, b.user, sync_uc.fingerprint(a.store))
    assert set(keyring_of(b)) == set(keyring_of(a)) and fake.key_id not in keyring_of(b)
    assert active_key_id(b) == active_key_id(a)  # though the impostor's key id sorts after it
    laptops.sync(b, a)
    assert person_names(a) == person_names(b) == {"Ana Pop", "Bogdan Ionescu"}
    # The impostor still waits (and is shown), and can read nothing B sent.
    assert [w.fingerprint for w in sync_uc.waiting_senders(b.store)] == [impostor.fingerprint]
    assert sync_uc.status(b.store).unconfirmed_senders == ("A",)
    sent = _sent_by(server, b)
    assert sent and {e.key_id for e in sent} == {active_key_id(a)}
    assert _cannot_open(sent, fake)


def test_a_key_from_a_coordinator_nobody_confirmed_waits_while_sync_goes_on(
    laptops: Laptops, server: ServerProcess
) -> None:
    """A second coordinator device, enrolled with a coordinator code (as an operator can issue
    one), uploads keys through the server's API. Laptops that hold a key keep syncing with it;
    the new key, and what is written under it, wait until its sender is confirmed."""
    a, b = laptops.new("A"), laptops.new("B")
    c = laptops.new("C", coordinator=True)  # approved by A; C confirmed A
    old_key = active_key_id(a)
    add_person(a, "Ana", "Pop")
    laptops.sync(a, b, c)
    rotated = sync_uc.rotate_team_key(c.store, c.user).key_id  # for A, B and C
    add_person(c, "Cezar", "Dumitru")  # sent under the new key
    laptops.sync(c)
    add_person(b, "Bogdan", "Ionescu")
    report = laptops.sync(b)[0]
    assert report.deferred >= 1 and report.refused == 0
    assert active_key_id(b) == old_key and rotated not in keyring_of(b)
    assert sync_uc.status(b.store).unconfirmed_senders == ("C",)
    assert "Cezar Dumitru" not in person_names(b)
    new_from_b = [e for e in _sent_by(server, b) if e.key_id != old_key]
    assert new_from_b == []  # B kept sending under the key it trusts
    laptops.sync(a)
    assert "Bogdan Ionescu" in person_names(a)  # which A (and C) still read

    with pytest.raises(sync_uc.SyncSetupError):
        sync_uc.confirm_coordinator(b.store, b.user, sync_uc.fingerprint(a.store))
    sync_uc.confirm_coordinator(b.store, b.user, sync_uc.fingerprint(c.store))
    assert active_key_id(b) == rotated
    report = laptops.sync(b)[0]
    # What C wrote under the new key while B waited arrives now: nothing was dropped.
    assert "Cezar Dumitru" in person_names(b) and report.refused == 0
    add_person(b, "Bianca", "Stan")
    laptops.sync(b)
    assert {e.key_id for e in _sent_by(server, b) if e.key_id != old_key} == {rotated}


def test_a_store_joined_before_confirmation_existed_trusts_the_sender_of_its_key(
    laptops: Laptops,
) -> None:
    """Upgrading: a laptop that joined under the old rules trusts only the laptop that wrapped
    the key it already encrypts with (that wrapping must open to exactly this key)."""
    from desktop_app.storage.sync_models import TrustedSenderRow

    a, b = laptops.new("A"), laptops.new("B")
    with b.store.transaction() as s:
        s.query(TrustedSenderRow).delete()  # as the migration leaves a joined store
    sync_uc.rotate_team_key(a.store, a.user)
    laptops.sync(b)
    assert active_key_id(b) == active_key_id(a) and sync_uc.waiting_senders(b.store) == []
    with b.store.reading() as s:
        reasons = {r.public_key: r.reason for r in s.scalars(select(TrustedSenderRow))}
    assert reasons == {
        sync_uc.device_keys(a.store).public_key: "held_key",
        sync_uc.device_keys(b.store).public_key: "self",
    }


def test_only_a_coordinator_of_this_laptop_confirms(laptops: Laptops) -> None:
    from desktop_app.domain.permissions import PermissionDenied
    from desktop_app.domain.users import Role
    from desktop_app.usecases import accounts

    a, b = laptops.new("A"), laptops.new("B", approve=False)
    sync_uc.approve_device(
        a.store, a.user, device_id(b), sync_uc.fingerprint(b.store), role=Role.COORDINATOR
    )
    with pytest.raises(sync_uc.SyncSetupError):
        laptops.sync(b)
    accounts.add_user(b, "ion", "Ion", Role.ADVISOR, "advisor pass 1")
    advisor = accounts.log_in(b.store.paths.data_dir, "ion", "advisor pass 1")
    try:
        with pytest.raises(PermissionDenied):
            sync_uc.confirm_coordinator(advisor.store, advisor.user, sync_uc.fingerprint(a.store))
    finally:
        advisor.close()
    assert keyring_of(b) == {}


def test_a_coordinator_wraps_the_team_key_only_for_the_key_whose_fingerprint_was_compared(
    server: ServerProcess, tmp_path: Path
) -> None:
    """A server that lies in its list of laptops: the new laptop's fingerprint as it really
    is, beside a public key of the operator's. Approving compares the fingerprint of the key
    it wraps the team key for, so the operator never gets a team key it can open."""
    proxy = CuttingProxy(server.base_url)
    group = Laptops(server, tmp_path, url=proxy.url)
    try:
        a = group.new("A")
        b = group.new("B", approve=False)
        operator = crypto.DeviceKeys.generate()

        def swap_key(method: str, path: str, body: bytes) -> bytes:
            if method != "GET" or not path.endswith("/devices"):
                return body
            listed = json.loads(body)
            for device in listed["devices"]:
                if device["device_id"] == device_id(b):
                    device["public_key"] = wire.b64encode(operator.public_key)
            return json.dumps(listed).encode()

        proxy.rewrite = swap_key
        with pytest.raises(sync_uc.SyncSetupError) as refused:
            sync_uc.approve_device(
                a.store, a.user, device_id(b), sync_uc.fingerprint(b.store), role=Role.COORDINATOR
            )
        assert refused.value.code == "fingerprint_mismatch"
        assert wrapped_key_ids(server, device_id(b)) == set()  # nothing was wrapped for it
        statuses = {d.name: d.status for d in sync_uc.list_devices(a.store, a.user)}
        assert statuses["B"] == "pending"
        # Told the truth, the same approval goes through.
        proxy.rewrite = lambda _method, _path, body: body
        sync_uc.approve_device(
            a.store, a.user, device_id(b), sync_uc.fingerprint(b.store), role=Role.COORDINATOR
        )
        assert wrapped_key_ids(server, device_id(b))
    finally:
        group.close()
        proxy.close()
