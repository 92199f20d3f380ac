"""A renewed team key reaches only the laptops the team itself vouches for, against a real server
process on 127.0.0.1.

The server's device list is its operator's word. An operator who adds a device of their own,
swaps a laptop's public key, or lists a revoked laptop as approved again gets no new team key:
the coordinator wraps it only for laptops with a "laptop" record that a holder of the team key
wrote, for the same public key, vouched for under the key in use and never revoked (architecture
properties 4 and 6). Each such laptop is named in the rotation's result.
"""

from __future__ import annotations

import time
from pathlib import Path

import pytest
from sqlalchemy import delete, select
from sqlalchemy.orm import Session as DbSession

from desktop_app.domain.users import Role
from desktop_app.storage.models import OutboxRow
from desktop_app.storage.sync_models import LaptopRow
from desktop_app.sync import crypto
from desktop_app.sync.engine import active_key
from desktop_app.sync.http_client import Forbidden, Offline
from desktop_app.sync.laptops import (
    NOT_CURRENT,
    NOT_KNOWN,
    OTHER_KEY,
    REVOKED,
    VOUCHED,
    is_revoked,
    record_id,
    standing,
)
from desktop_app.sync.merge import FieldState, RecordState
from desktop_app.sync.records import LocalRecord, encode
from desktop_app.usecases import sync as sync_uc
from desktop_app.usecases.accounts import Session
from sync_server import models, wire
from tests.integration.sync_harness import (
    CuttingProxy,
    Laptops,
    ServerProcess,
    active_key_id,
    add_impostor,
    add_person,
    approve_and_confirm,
    device_id,
    keyring_of,
    person_names,
    wrapped_key_ids,
)


def _ids(*sessions: Session) -> set[str]:
    return {device_id(s) for s in sessions}


def _skipped(result: sync_uc.RotationResult) -> dict[str, str]:
    return {s.device_id: s.reason for s in result.skipped}


def _own_standing(session: Session) -> str:
    """How the laptop's own store vouches for the laptop itself."""
    public = sync_uc.device_keys(session.store).public_key
    with session.store.reading() as s:
        team = active_key(s)
        assert team is not None
        in_use = crypto.TeamKey(team.key_id, team.key)
        return standing(s, device_id(session), public, in_use)


def _set_status(server: ServerProcess, laptop: Session, status: str) -> None:
    with DbSession(server.engine) as s, s.begin():
        device = s.get(models.Device, device_id(laptop))
        assert device is not None
        device.status = status
        device.revoked_at = None


def _forget_laptop_records(*sessions: Session) -> None:
    """As the migration leaves a store that joined before the team kept records of its laptops
    (none of these has synced yet, so nothing of them is on the server either)."""
    for session in sessions:
        with session.store.transaction() as s:
            s.execute(delete(LaptopRow))
            s.execute(delete(OutboxRow).where(OutboxRow.record_kind == "laptop"))


def _clock(device: str, ahead_ms: int = 0) -> str:
    return f"{time.time_ns() // 1_000_000 + ahead_ms:013d}-00000-{device}"


def _laptop_state(
    laptop: str,
    public: bytes,
    clock: str,
    *,
    revoked: bool = False,
    vouch: str = "",
    other_key: bytes | None = None,
) -> RecordState:
    """A laptop record as a holder of a team key can write it; ``other_key`` goes into the
    record that ``public`` names."""
    values = {
        "laptop_id": laptop,
        "public_key": wire.b64encode(other_key or public),
        "name": "Laptop",
        "revoked": revoked,
        "vouch": vouch,
        "store_id": "",
    }
    fields = {name: FieldState(value, clock) for name, value in values.items()}
    return RecordState("laptop", record_id(laptop, public), fields)


def _operator_stores(
    server: ServerProcess, team: crypto.TeamKey, author: str, states: list[RecordState]
) -> None:
    """Records sealed with a team key a revoked laptop kept, stored by the operator directly in
    the server's database (the server refuses the revoked laptop's own pushes)."""
    with DbSession(server.engine) as s, s.begin():
        counter = s.get(models.SeqCounter, 1)
        assert counter is not None
        for state in states:
            clock = _clock(author)
            envelope = crypto.seal(
                team.key,
                team.key_id,
                state.id,
                state.kind,
                100,
                encode(LocalRecord(state, 100, "")),
                author_device=author,
                client_hlc=clock,
            )
            counter.last_seq += 1
            s.add(
                models.StoredEnvelope(
                    seq=counter.last_seq,
                    record_id=envelope.record_id,
                    kind=envelope.kind,
                    revision=envelope.revision,
                    key_id=envelope.key_id,
                    nonce=wire.b64decode(envelope.nonce),
                    ciphertext=wire.b64decode(envelope.ciphertext),
                    author_device=author,
                    client_hlc=clock,
                    received_at=models.utcnow(),
                )
            )


def test_a_device_the_operator_adds_to_the_list_gets_no_new_key(
    laptops: Laptops, server: ServerProcess
) -> None:
    a, b, c = laptops.new("A"), laptops.new("B"), laptops.new("C")
    # Joined and confirmed the normal way: vouched for before any sync, here and on A.
    assert _own_standing(b) == _own_standing(c) == VOUCHED
    impostor = add_impostor(server, "C")  # named like a laptop of the team
    rotated = sync_uc.rotate_team_key(a.store, a.user)
    assert set(rotated.given) == _ids(a, b, c)
    assert _skipped(rotated) == {impostor.device_id: NOT_KNOWN}
    assert rotated.key_id not in wrapped_key_ids(server, impostor.device_id)
    assert rotated.key_id in wrapped_key_ids(server, device_id(b))
    with server.client(impostor.token) as as_impostor:  # what the operator can fetch
        assert as_impostor.fetch_wrapped_keys().keys == []

    # A renewal right after this one reaches the same laptops, though none has synced since.
    again = sync_uc.rotate_team_key(a.store, a.user)
    assert set(again.given) == _ids(a, b, c)
    assert _skipped(again) == {impostor.device_id: NOT_KNOWN}
    assert wrapped_key_ids(server, impostor.device_id) == set()

    # The laptops of the team take the new keys and go on syncing under the newest.
    add_person(a, "Ana", "Pop")
    laptops.sync(a, b, c)
    add_person(b, "Bogdan", "Ionescu")
    reports = laptops.sync(b, c, a)
    assert all(r.refused == 0 for r in reports)
    assert active_key_id(a) == active_key_id(b) == active_key_id(c) == again.key_id
    assert person_names(a) == person_names(c) == {"Ana Pop", "Bogdan Ionescu"}


def _swap_key(server: ServerProcess, laptop: Session, keys: crypto.DeviceKeys) -> None:
    """The operator puts a public key of their own in place of the laptop's."""
    with DbSession(server.engine) as s, s.begin():
        device = s.get(models.Device, device_id(laptop))
        assert device is not None
        device.public_key = keys.public_key


def test_a_laptop_whose_key_the_operator_swaps_gets_no_new_key(
    laptops: Laptops, server: ServerProcess
) -> None:
    a, b, c = laptops.new("A"), laptops.new("B"), laptops.new("C")
    laptops.sync()
    _swap_key(server, b, crypto.DeviceKeys.generate())
    rotated = sync_uc.rotate_team_key(a.store, a.user)
    assert _skipped(rotated) == {device_id(b): OTHER_KEY}
    assert set(rotated.given) == _ids(a, c)
    assert rotated.key_id not in wrapped_key_ids(server, device_id(b))
    add_person(a, "Nach", "Tausch")
    laptops.sync(a, c, b)
    assert "Nach Tausch" in person_names(c) and active_key_id(c) == rotated.key_id
    assert rotated.key_id not in keyring_of(b) and "Nach Tausch" not in person_names(b)


def test_a_coordinator_whose_key_the_operator_swaps_renews_the_key_for_no_laptop(
    laptops: Laptops, server: ServerProcess
) -> None:
    """The rotating coordinator's own key swapped: the laptop gives itself no key under it (it
    is not its key), and the server takes a key only from its uploader's registered public key
    (``sender_not_uploader``), so the renewal is refused before any laptop has the new key. The
    team goes on under the key in use."""
    a, b, c = laptops.new("A"), laptops.new("B"), laptops.new("C")
    laptops.sync()
    in_use = active_key_id(a)
    held = [wrapped_key_ids(server, device_id(laptop)) for laptop in (a, b, c)]
    _swap_key(server, a, crypto.DeviceKeys.generate())
    with pytest.raises(Forbidden) as refused:
        sync_uc.rotate_team_key(a.store, a.user)
    assert refused.value.code == "sender_not_uploader"
    assert [wrapped_key_ids(server, device_id(laptop)) for laptop in (a, b, c)] == held
    assert active_key_id(a) == in_use
    add_person(a, "Nach", "Tausch")
    laptops.sync(a, c, b)
    assert "Nach Tausch" in person_names(b) and "Nach Tausch" in person_names(c)
    assert active_key_id(c) == in_use


def test_a_revoked_laptop_the_server_lists_as_approved_again_gets_no_new_key(
    laptops: Laptops, server: ServerProcess
) -> None:
    a, b = laptops.new("A"), laptops.new("B")
    c = laptops.new("C", coordinator=True)
    laptops.sync()
    sync_uc.revoke_device(a.store, a.user, device_id(b))
    _set_status(server, b, "approved")  # the operator lets B in again
    rotated = sync_uc.rotate_team_key(a.store, a.user)
    assert _skipped(rotated) == {device_id(b): REVOKED}
    assert set(rotated.given) == _ids(a, c)
    assert rotated.key_id not in wrapped_key_ids(server, device_id(b))
    add_person(a, "Nach", "Widerruf")
    laptops.sync(a)
    # A's first sync after the revocation sees B approved on the server and revokes it there
    # again; the operator lets it in once more.
    assert server.device_status(device_id(b)) == "revoked"
    _set_status(server, b, "approved")
    laptops.sync(b)  # the server lets B pull, but B cannot read what came after
    assert rotated.key_id not in keyring_of(b) and "Nach Widerruf" not in person_names(b)
    # Nor does approving it again by its fingerprint help: revoked stays revoked.
    with pytest.raises(sync_uc.SyncSetupError) as refused:
        sync_uc.approve_device(
            a.store, a.user, device_id(b), sync_uc.fingerprint(b.store), role=Role.COORDINATOR
        )
    assert refused.value.code == "revoked_laptop"
    assert rotated.key_id not in wrapped_key_ids(server, device_id(b))

    # The other coordinator learns of the revocation by syncing, and leaves B out as well.
    laptops.sync(c)
    assert active_key_id(c) == rotated.key_id  # from A, whom C confirmed when it joined
    again = sync_uc.rotate_team_key(c.store, c.user)
    assert _skipped(again) == {device_id(b): REVOKED}
    assert set(again.given) == _ids(a, c)
    assert wrapped_key_ids(server, device_id(b)) & {rotated.key_id, again.key_id} == set()


def test_laptops_joined_before_the_team_kept_records_get_the_key_once_they_synced(
    laptops: Laptops, server: ServerProcess
) -> None:
    a, b, c = laptops.new("A"), laptops.new("B"), laptops.new("C")
    _forget_laptop_records(a, b, c)
    laptops.sync(b, c, a)  # each publishes its own record; A's sync brings theirs
    rotated = sync_uc.rotate_team_key(a.store, a.user)
    assert set(rotated.given) == _ids(a, b, c) and rotated.skipped == ()
    add_person(a, "Ana", "Pop")
    laptops.sync(a, b, c)
    assert active_key_id(b) == active_key_id(c) == rotated.key_id
    assert "Ana Pop" in person_names(b) and "Ana Pop" in person_names(c)


def test_a_laptop_a_rotation_left_out_gets_every_key_once_approved_again(
    laptops: Laptops, server: ServerProcess
) -> None:
    a, b = laptops.new("A"), laptops.new("B")
    _forget_laptop_records(a, b)  # B joined before records were kept, and has not synced since
    first = sync_uc.rotate_team_key(a.store, a.user)
    assert _skipped(first) == {device_id(b): NOT_KNOWN}
    add_person(a, "Nach", "Erneuerung")
    laptops.sync(a, b, a)  # B publishes its record, under the only key it has
    second = sync_uc.rotate_team_key(a.store, a.user)
    assert _skipped(second) == {device_id(b): NOT_CURRENT}
    assert wrapped_key_ids(server, device_id(b)) & {first.key_id, second.key_id} == set()

    # A's coordinator compares B's fingerprint and approves it again: B gets the keys it lacks
    # (what was written under them arrives), and from now on every new key.
    sync_uc.approve_device(
        a.store, a.user, device_id(b), sync_uc.fingerprint(b.store), role=Role.COORDINATOR
    )
    (report,) = laptops.sync(b)
    assert {first.key_id, second.key_id} <= set(keyring_of(b)) and report.refused == 0
    assert "Nach Erneuerung" in person_names(b) and active_key_id(b) == second.key_id
    third = sync_uc.rotate_team_key(a.store, a.user)
    assert set(third.given) == _ids(a, b) and third.skipped == ()


def test_a_second_coordinator_rotates_with_the_records_the_first_one_wrote(
    laptops: Laptops, server: ServerProcess
) -> None:
    a, b = laptops.new("A"), laptops.new("B")
    c = laptops.new("C", coordinator=True)
    d = laptops.new("D")
    laptops.sync(a, c)  # B and D have not synced: C knows them from what A wrote approving them
    impostor = add_impostor(server, "D")
    by_c = sync_uc.rotate_team_key(c.store, c.user)
    assert set(by_c.given) == _ids(a, b, c, d)
    assert _skipped(by_c) == {impostor.device_id: NOT_KNOWN}

    # The others take C's key after comparing C's fingerprint, as from any new sender.
    laptops.sync(c, a, b, d)
    for laptop in (a, b, d):
        sync_uc.confirm_coordinator(laptop.store, laptop.user, sync_uc.fingerprint(c.store))
    add_person(c, "Cezar", "Dumitru")
    laptops.sync(c, a, b, d)
    assert all(active_key_id(s) == by_c.key_id for s in (a, b, d))
    assert all("Cezar Dumitru" in person_names(s) for s in (a, b, d))

    # And the first coordinator renews it with the records C wrote under its key.
    sync_uc.revoke_device(a.store, a.user, device_id(d))
    by_a = sync_uc.rotate_team_key(a.store, a.user)
    assert set(by_a.given) == _ids(a, b, c)
    assert _skipped(by_a) == {impostor.device_id: NOT_KNOWN}  # D: revoked on the server too
    laptops.sync(a, c)
    _set_status(server, d, "approved")
    by_c_again = sync_uc.rotate_team_key(c.store, c.user)
    assert _skipped(by_c_again) == {impostor.device_id: NOT_KNOWN, device_id(d): REVOKED}
    assert set(by_c_again.given) == _ids(a, b, c)
    seen_by_d = wrapped_key_ids(server, device_id(d))
    assert seen_by_d & {by_a.key_id, by_c_again.key_id} == set()
    assert wrapped_key_ids(server, impostor.device_id) == set()


def _team_records(session: Session) -> dict[str, tuple[object, ...]]:
    with session.store.reading() as s:
        return {
            r.id: (r.laptop_id, r.public_key, r.name, r.revoked, r.vouch, r.deleted)
            for r in s.scalars(select(LaptopRow))
        }


def test_coordinators_revoking_at_once_and_laptops_renewing_their_records_never_conflict(
    laptops: Laptops, server: ServerProcess
) -> None:
    a, b = laptops.new("A"), laptops.new("B")
    c = laptops.new("C", coordinator=True)
    d = laptops.new("D", approve=False)
    # A's record of D gives D's name as the server lists it, D's own the name D joined with.
    with DbSession(server.engine) as s, s.begin():
        device = s.get(models.Device, device_id(d))
        assert device is not None
        device.name = "D (Büro Nordstadt)"
    approve_and_confirm(a, d, role=Role.COORDINATOR)
    laptops.sync()
    # Both coordinators revoke B before either has synced; A renews the key, vouching anew for
    # C and D, which vouch anew for themselves once they take it.
    sync_uc.revoke_device(a.store, a.user, device_id(b))
    sync_uc.revoke_device(c.store, c.user, device_id(b))
    rotated = sync_uc.rotate_team_key(a.store, a.user)
    laptops.sync(c, d, a)
    laptops.sync(c, d, a)
    assert active_key_id(c) == active_key_id(d) == rotated.key_id
    records = _team_records(a)
    assert records == _team_records(c) == _team_records(d)
    assert len(records) == 4 and [r[3] for r in records.values()].count(True) == 1
    assert all(
        crypto.vouch_key_id(str(r[4])) == rotated.key_id for r in records.values() if not r[3]
    )
    for laptop in (a, c, d):
        assert (
            sync_uc.open_conflicts(laptop.store) == []
            and sync_uc.status(laptop.store).pending_changes == 0
        )


def test_a_laptop_revoked_at_a_rotation_cannot_vouch_with_the_keys_it_kept(
    laptops: Laptops, server: ServerProcess
) -> None:
    """Revoked laptop and operator together: records sealed with the old key the laptop kept
    are authentic, but vouch only under that key; a vouch for a key it never had does not hold;
    its own revocation cannot be undone; other laptops' records cannot be erased, given another
    key, or set back to the old key."""
    a, b, c = laptops.new("A"), laptops.new("B"), laptops.new("C")
    d, e = laptops.new("D"), laptops.new("E")
    laptops.sync()
    old_id = active_key_id(b)
    assert old_id is not None
    kept = crypto.TeamKey(old_id, keyring_of(b)[old_id])
    sync_uc.revoke_device(a.store, a.user, device_id(b))
    rotated = sync_uc.rotate_team_key(a.store, a.user)
    laptops.sync(a)

    first, second = add_impostor(server, "B1"), add_impostor(server, "B2")
    public = {device_id(s): sync_uc.device_keys(s.store).public_key for s in (b, c, d, e)}
    b_id, c_id, d_id, e_id = (device_id(s) for s in (b, c, d, e))
    later = _clock(b_id, ahead_ms=3_600_000)
    _operator_stores(
        server,
        kept,
        b_id,
        [
            _laptop_state(
                first.device_id,
                first.keys.public_key,
                later,
                vouch=crypto.laptop_vouch(kept, first.device_id, first.keys.public_key),
            ),
            _laptop_state(
                second.device_id,
                second.keys.public_key,
                later,
                vouch=f"{rotated.key_id}:{'0' * 64}",
            ),
            _laptop_state(
                b_id, public[b_id], later, vouch=crypto.laptop_vouch(kept, b_id, public[b_id])
            ),
            RecordState("laptop", record_id(c_id, public[c_id]), {}, True, later),
            _laptop_state(
                d_id, public[d_id], later, vouch=crypto.laptop_vouch(kept, d_id, public[d_id])
            ),
            _laptop_state(e_id, public[e_id], later, other_key=first.keys.public_key),
        ],
    )
    _set_status(server, b, "approved")
    (report,) = laptops.sync(a)
    assert report.refused == 3  # the claim of the new key, the erasure, the other key
    renewed = sync_uc.rotate_team_key(a.store, a.user)
    assert _skipped(renewed) == {
        first.device_id: NOT_CURRENT,
        second.device_id: NOT_KNOWN,
        device_id(b): REVOKED,
    }
    assert set(renewed.given) == _ids(a, c, d, e)
    for device in (first.device_id, second.device_id, device_id(b)):
        assert wrapped_key_ids(server, device) & {rotated.key_id, renewed.key_id} == set()
    add_person(a, "Nach", "Versuch")
    laptops.sync(a, c)
    assert "Nach Versuch" in person_names(c) and active_key_id(c) == renewed.key_id


def test_a_renewal_the_server_fails_in_the_middle_of_leaves_no_laptop_unable_to_read(
    server: ServerProcess, tmp_path: Path
) -> None:
    """The server goes away after the new key reached the coordinator itself and B, before C.
    B encrypts with the new key from its next sync; once the coordinator renews again, C (and
    every laptop) holds every key anything was written under, and they read the same people."""
    proxy = CuttingProxy(server.base_url)
    group = Laptops(server, tmp_path, url=proxy.url)
    try:
        a, b, c = group.new("A"), group.new("B"), group.new("C")
        group.sync()
        before = active_key_id(a)
        uploads: list[str] = []

        def third_key_upload(method: str, path: str) -> bool:
            if method == "POST" and path == "/v1/keys":
                uploads.append(path)
            return len(uploads) == 3  # A's own and B's went through (devices by age)

        proxy.cut_when = third_key_upload
        with pytest.raises(Offline):
            sync_uc.rotate_team_key(a.store, a.user)
        proxy.restore()
        unfinished = wrapped_key_ids(server, device_id(b)) - {before}
        assert len(unfinished) == 1 and not wrapped_key_ids(server, device_id(c)) & unfinished
        # The coordinator holds the key it handed out but goes on encrypting with the old one.
        assert unfinished <= set(keyring_of(a)) and active_key_id(a) == before

        group.sync(b)
        assert active_key_id(b) in unfinished
        add_person(b, "Bogdan", "Ionescu")  # under the key C does not have
        group.sync(b, c, a)
        assert "Bogdan Ionescu" in person_names(a)

        again = sync_uc.rotate_team_key(a.store, a.user)
        assert set(again.given) == _ids(a, b, c) and again.skipped == ()
        add_person(a, "Ana", "Pop")
        reports = group.sync(a, b, c, a)
        assert all(r.refused == 0 for r in reports)
        assert active_key_id(a) == active_key_id(b) == active_key_id(c) == again.key_id
        assert unfinished <= set(keyring_of(c))
        assert (
            person_names(a) == person_names(b) == person_names(c) == {"Ana Pop", "Bogdan Ionescu"}
        )
    finally:
        group.close()
        proxy.close()


def _key_ids_of(server: ServerProcess, record: str) -> set[str]:
    """The team keys the server holds a record's envelopes under."""
    with DbSession(server.engine) as s:
        return set(
            s.scalars(
                select(models.StoredEnvelope.key_id).where(
                    models.StoredEnvelope.record_id == record
                )
            )
        )


def test_a_laptop_approved_after_a_renewal_broke_off_writes_what_the_others_can_read(
    server: ServerProcess, tmp_path: Path
) -> None:
    """A's renewal broke off after A's own key went to the server, before B's: A holds the new
    key unused. A then approves C: C is given the keys up to the one in use, not the broken-off
    one, so what C writes B reads. Once A renews again, C gets the new key like every other
    laptop (and the broken-off one), and the three write and read under it."""
    proxy = CuttingProxy(server.base_url)
    group = Laptops(server, tmp_path, url=proxy.url)
    try:
        a, b = group.new("A"), group.new("B")
        group.sync()
        before = active_key_id(a)
        uploads: list[str] = []

        def second_key_upload(method: str, path: str) -> bool:
            if method == "POST" and path == "/v1/keys":
                uploads.append(path)
            return len(uploads) == 2  # A's own went through (devices by age), B's did not

        proxy.cut_when = second_key_upload
        with pytest.raises(Offline):
            sync_uc.rotate_team_key(a.store, a.user)
        proxy.restore()
        unfinished = set(keyring_of(a)) - {before}
        assert len(unfinished) == 1 and active_key_id(a) == before
        assert sync_uc.renewal_unfinished(a.store)
        assert not wrapped_key_ids(server, device_id(b)) & unfinished

        c = group.new("C")  # approved by A while the renewal is broken off
        assert not wrapped_key_ids(server, device_id(c)) & unfinished
        first = add_person(c, "Corina", "Dima")
        assert all(r.refused == 0 for r in group.sync(c, b))
        assert active_key_id(c) == before and not set(keyring_of(c)) & unfinished
        assert "Corina Dima" in person_names(b) and _key_ids_of(server, first) == {before}
        # Approved again: it lacks no key up to the one in use, so nothing is sent (and said so,
        # "same_role"); above all not the broken-off key.
        fingerprint = sync_uc.fingerprint(c.store)
        with pytest.raises(sync_uc.SyncSetupError) as again_approved:
            sync_uc.approve_device(
                a.store, a.user, device_id(c), fingerprint, role=Role.COORDINATOR
            )
        assert again_approved.value.code == "same_role"
        assert not wrapped_key_ids(server, device_id(c)) & unfinished

        again = sync_uc.rotate_team_key(a.store, a.user)
        assert set(again.given) == _ids(a, b, c) and again.skipped == ()
        assert {again.key_id, *unfinished} <= wrapped_key_ids(server, device_id(c))
        later = add_person(c, "Cosmin", "Stan")
        reports = group.sync(a, b, c, a, b)
        assert all(r.refused == 0 for r in reports)
        assert active_key_id(a) == active_key_id(b) == active_key_id(c) == again.key_id
        names = {"Corina Dima", "Cosmin Stan"}
        assert person_names(a) == person_names(b) == person_names(c) == names
        assert _key_ids_of(server, later) == {again.key_id}
    finally:
        group.close()
        proxy.close()


def test_a_laptop_approved_after_more_renewals_than_one_approval_carries_gets_every_key(
    laptops: Laptops, server: ServerProcess
) -> None:
    a = laptops.new("A")
    sync_uc.rotate_team_key(a.store, a.user)
    add_person(a, "Ana", "Pop")  # under the second key of many
    laptops.sync(a)
    for _ in range(wire.MAX_KEYS_PER_APPROVAL):
        sync_uc.rotate_team_key(a.store, a.user)
    add_person(a, "Bogdan", "Ionescu")  # under the newest
    laptops.sync(a)
    assert len(keyring_of(a)) == wire.MAX_KEYS_PER_APPROVAL + 2
    b = laptops.new("B")  # approved by A, with every key A holds
    (report,) = laptops.sync(b)
    assert report.refused == 0 and keyring_of(b) == keyring_of(a)
    assert active_key_id(b) == active_key_id(a)
    assert person_names(b) == {"Ana Pop", "Bogdan Ionescu"}


def test_a_laptop_revoked_on_the_server_alone_stays_revoked_in_the_teams_records(
    laptops: Laptops, server: ServerProcess
) -> None:
    a, b, c = laptops.new("A"), laptops.new("B"), laptops.new("C")
    laptops.sync()
    server.service.revoke(device_id(b))  # as `welcome-desk-server revoke` does
    listed = {d.device_id: d.status for d in sync_uc.list_devices(a.store, a.user)}
    assert listed[device_id(b)] == "revoked"  # the coordinator looked at the list
    _set_status(server, b, "approved")  # later, the operator lets B in again
    rotated = sync_uc.rotate_team_key(a.store, a.user)
    assert _skipped(rotated) == {device_id(b): REVOKED}
    assert set(rotated.given) == _ids(a, c)
    assert rotated.key_id not in wrapped_key_ids(server, device_id(b))
    laptops.sync(a, c)  # the revocation travels in the team's records
    with c.store.reading() as s:
        assert is_revoked(s, device_id(b))


def test_a_laptop_without_a_team_key_cannot_renew_one_and_keeps_none(
    laptops: Laptops, server: ServerProcess
) -> None:
    laptops.new("A")
    b = laptops.new("B", approve=False)  # joined, waiting for approval
    with pytest.raises(sync_uc.SyncSetupError) as refused:
        sync_uc.rotate_team_key(b.store, b.user)
    assert refused.value.code == "no_team_key"
    assert keyring_of(b) == {} and wrapped_key_ids(server, device_id(b)) == set()
