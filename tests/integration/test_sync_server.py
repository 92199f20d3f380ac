"""The real sync server process: enrollment, key exchange, idempotent push, paged pull,
revocation, bad requests, concurrency and crashes. Runs on SQLite and (if configured) PostgreSQL."""

from __future__ import annotations

import threading
import time
import uuid

import httpx
import pytest

from desktop_app.sync import crypto
from desktop_app.sync.http_client import (
    BadRequest,
    Forbidden,
    Offline,
    Revoked,
    SyncServerClient,
    Unauthorized,
    wrapped_key,
)
from sync_server import wire
from tests.integration.sync_harness import Member, Organisation, ServerProcess, run_cli


def _records(
    member: Member, team: crypto.TeamKey, count: int, kind: str = "person", revision: int = 1
) -> list[wire.Envelope]:
    return [
        member.seal(team, str(uuid.uuid4()), kind, revision, f"record {i}".encode())
        for i in range(count)
    ]


def _pull_all(client: SyncServerClient, limit: int = 500) -> list[wire.StoredEnvelope]:
    out: list[wire.StoredEnvelope] = []
    cursor = 0
    for _ in range(10_000):
        page = client.pull(cursor, limit)
        out.extend(page.envelopes)
        cursor = page.next_cursor
        if not page.has_more:
            return out
    raise AssertionError("pull never finished")


def test_enroll_register_approve_and_key_exchange(org: Organisation) -> None:
    server = org.server
    laptop_keys = crypto.DeviceKeys.generate()
    laptop = server.client()
    code = server.enroll_cli("Laptop Ana")
    reg = laptop.register(code, "Laptop 2", laptop_keys.public_key)
    assert reg.status == "pending" and not reg.is_coordinator
    assert laptop.status().device.status == "pending"

    # a pending laptop may poll but not sync
    with pytest.raises(Forbidden) as refused:
        laptop.pull(0)
    assert refused.value.code == "not_approved"
    assert laptop.fetch_wrapped_keys().keys == []

    # the code was single use
    with server.client() as other, pytest.raises(Forbidden) as reused:
        other.register(code, "Laptop 3", crypto.DeviceKeys.generate().public_key)
    assert reused.value.code == "enrollment_invalid"

    # the coordinator sees the same fingerprint the laptop shows on its screen
    listed = {d.device_id: d for d in org.coordinator.client.devices().devices}
    assert listed[reg.device_id].fingerprint == laptop_keys.fingerprint
    assert listed[reg.device_id].status == "pending"

    # a non-coordinator cannot approve or list
    with pytest.raises(Forbidden):
        laptop.devices()

    wrapped = crypto.wrap_team_key(
        org.team.key,
        org.team.key_id,
        org.coordinator.keys,
        wire.b64decode(listed[reg.device_id].public_key),
        laptop_role="advisor",
    )
    sender = org.coordinator.keys.public_key
    info = org.coordinator.client.approve(
        reg.device_id, [wrapped_key(org.team.key_id, wrapped, sender, laptop_role="advisor")]
    )
    assert info.status == "approved" and info.laptop_role == "advisor"
    # approving again with the same key is harmless; a different blob for the key id is refused,
    # and so is the same blob with another role
    org.coordinator.client.approve(
        reg.device_id, [wrapped_key(org.team.key_id, wrapped, sender, laptop_role="advisor")]
    )
    for blob, role in ((b"\0" * 60, "advisor"), (wrapped, "coordinator")):
        with pytest.raises(BadRequest) as clash:
            org.coordinator.client.approve(
                reg.device_id,
                [wrapped_key(org.team.key_id, blob, sender, laptop_role=role)],  # type: ignore[arg-type]
            )
        assert clash.value.status == 409
    listed = {d.device_id: d for d in org.coordinator.client.devices().devices}
    assert listed[reg.device_id].laptop_role == "advisor"  # for the coordinators' list

    status = laptop.status()
    assert status.device.status == "approved" and status.key_ids == [org.team.key_id]
    (got,) = laptop.fetch_wrapped_keys().keys
    assert got.sender_device == org.coordinator.device_id
    assert got.sender_device_name == "Büro Nordstadt"  # for the person comparing fingerprints
    team_key = crypto.unwrap_team_key(
        wire.b64decode(got.wrapped_key),
        got.key_id,
        laptop_keys,
        wire.b64decode(got.sender_public_key),
        laptop_role=got.laptop_role,
    )
    assert team_key == org.team.key and got.laptop_role == "advisor"

    # records sealed by the coordinator open on the laptop
    laptop_member = Member("laptop", laptop_keys, reg.device_id, laptop, {got.key_id: team_key})
    env = org.coordinator.seal(org.team, str(uuid.uuid4()), "person", 1, "Йордан".encode())
    assert org.coordinator.client.push([env]).accepted == 1
    (pulled,) = laptop.pull(0).envelopes
    assert crypto.open_envelope(laptop_member.keyring, pulled) == "Йордан".encode()
    laptop.close()


def test_expired_code_refused(server: ServerProcess) -> None:
    code = server.enroll_cli("Late", "--valid-hours", "0.0002")  # 0.72 s
    time.sleep(1.0)
    with server.client() as client, pytest.raises(Forbidden) as refused:
        client.register(code, "Late laptop", crypto.DeviceKeys.generate().public_key)
    assert refused.value.code == "enrollment_invalid"


def test_push_is_idempotent_and_conflicts_are_refused(org: Organisation) -> None:
    laptop = org.join("Laptop")
    batch = _records(laptop, org.team, 50)
    first = laptop.client.push(batch)
    assert (first.accepted, first.duplicate, first.refused) == (50, 0, 0)
    again = laptop.client.push(batch)
    assert (again.accepted, again.duplicate, again.refused) == (0, 50, 0)
    assert [r.seq for r in again.results] == [r.seq for r in first.results]
    assert len(_pull_all(laptop.client)) == 50

    # same record and revision, different content: a per-item conflict, nothing stored
    other = laptop.seal(org.team, batch[0].record_id, "person", 1, b"changed")
    fresh = _records(laptop, org.team, 1)[0]
    mixed = laptop.client.push([other, fresh, fresh])
    assert [r.status for r in mixed.results] == ["refused", "accepted", "duplicate"]
    assert mixed.results[0].code == "conflict" and mixed.results[0].reason
    assert mixed.results[1].seq == mixed.results[2].seq
    # the same revision twice in one batch with different content: the second is a conflict
    twin = _records(laptop, org.team, 1)[0]
    other_twin = laptop.seal(org.team, twin.record_id, "person", 1, b"other content")
    pair = laptop.client.push([twin, other_twin])
    assert [(r.status, r.code) for r in pair.results] == [
        ("accepted", None),
        ("refused", "conflict"),
    ]
    # a device cannot push in another device's name
    forged = org.coordinator.seal(org.team, str(uuid.uuid4()), "person", 1, b"x")
    assert laptop.client.push([forged]).results[0].code == "author_mismatch"

    stored = _pull_all(laptop.client)
    assert len(stored) == 52
    assert {(e.record_id, e.revision) for e in stored} == {
        (e.record_id, e.revision) for e in [*batch, fresh, twin]
    }
    by_id = {e.record_id: e for e in stored}
    assert by_id[batch[0].record_id].ciphertext == batch[0].ciphertext


def test_pull_pages_with_cursor(org: Organisation) -> None:
    a, b = org.join("A"), org.join("B")
    pushed = _records(a, org.team, 70) + _records(b, org.team, 50, kind="visit")
    a.client.push(pushed[:70])
    b.client.push(pushed[70:])
    pages = []
    cursor = 0
    while True:
        page = a.client.pull(cursor, 50)
        pages.append(page)
        assert page.next_cursor >= cursor
        cursor = page.next_cursor
        if not page.has_more:
            break
    assert [len(p.envelopes) for p in pages] == [50, 50, 20]
    seqs = [e.seq for p in pages for e in p.envelopes]
    assert seqs == sorted(seqs) and len(set(seqs)) == 120
    assert [e.record_id for p in pages for e in p.envelopes] == [e.record_id for e in pushed]
    empty = a.client.pull(cursor, 50)
    assert empty.envelopes == [] and not empty.has_more and empty.next_cursor == cursor
    assert a.client.status().latest_seq == cursor


def test_pull_json_sends_exactly_the_pull_response(org: Organisation) -> None:
    """The API's pull answer is built without models; it must say what ``pull`` says."""
    a, b = org.join("A"), org.join("B")
    a.client.push(_records(a, org.team, 30))
    b.client.push(_records(b, org.team, 5, kind="visit", revision=3))
    org.server.enroll("warm-up")  # opens the harness's in-process service on the same database
    service = org.server._service
    assert service is not None
    device = service.authenticate(a.client.token)
    for after, limit in ((0, 7), (0, 500), (5, 10), (30, 10), (35, 10)):
        sent = wire.PullResponse.model_validate_json(service.pull_json(device, after, limit))
        assert sent.model_dump() == service.pull(device, after, limit).model_dump()
        # The server's highest sequence number, in an empty page too
        assert sent.latest_seq == 35
    # What the device was handed before (``device_pulled_seq``) as the API request found it
    device = service.authenticate(a.client.token)
    assert device.pulled_seq == 35 and device.pushed_seq is not None
    assert a.client.pull(0, 500).model_dump() == service.pull(device, 0, 500).model_dump()


def test_a_coordinators_pull_marks_the_revocations_and_only_a_coordinators(
    org: Organisation,
) -> None:
    """``PullResponse.revocations``: it changes with every revocation, so that a coordinator's
    laptop asks for the list of laptops only then; a member's laptop is told nothing of them.
    Built without models as with them (``pull_json``)."""
    a, b = org.join("A"), org.join("B")
    coordinator = org.coordinator.client
    assert coordinator.pull(0).revocations == "0/"
    assert a.client.pull(0).revocations is None
    org.server.service.revoke(b.device_id)
    first = coordinator.pull(0).revocations
    assert first is not None and first.startswith("1/20"), first  # one, and when
    assert a.client.pull(0).revocations is None
    org.server.service.revoke(b.device_id)  # revoked already: nothing changes
    assert coordinator.pull(0).revocations == first
    org.server.service.revoke(a.device_id)
    second = coordinator.pull(0).revocations
    assert second is not None and second.startswith("2/") and second != first
    service = org.server.service
    device = service.authenticate(coordinator.token)
    sent = wire.PullResponse.model_validate_json(service.pull_json(device, 0, 10))
    assert sent.model_dump() == service.pull(device, 0, 10).model_dump()
    assert sent.revocations == second


def test_revoked_device_refused_at_once(org: Organisation) -> None:
    laptop = org.join("Stolen laptop")
    other = org.join("Other laptop")
    assert laptop.client.push(_records(laptop, org.team, 3)).accepted == 3
    run_cli(org.server.db_url, "revoke", laptop.device_id[:8])
    with pytest.raises(Revoked):
        laptop.client.push(_records(laptop, org.team, 1))
    with pytest.raises(Revoked):
        laptop.client.pull(0)
    with pytest.raises(Revoked):
        laptop.client.status()
    with pytest.raises(Revoked):
        laptop.client.fetch_wrapped_keys()

    # rotation: the new key goes to the remaining laptop only
    new_team = crypto.new_team_key()
    for member in (other, laptop):
        blob = crypto.wrap_team_key(
            new_team.key,
            new_team.key_id,
            org.coordinator.keys,
            member.keys.public_key,
            laptop_role="advisor",
        )
        if member is laptop:
            with pytest.raises(BadRequest) as refused:
                org.coordinator.client.upload_wrapped_key(
                    member.device_id,
                    new_team.key_id,
                    blob,
                    org.coordinator.keys.public_key,
                    laptop_role="advisor",
                )
            assert refused.value.status == 409
        else:
            org.coordinator.client.upload_wrapped_key(
                member.device_id,
                new_team.key_id,
                blob,
                org.coordinator.keys.public_key,
                laptop_role="advisor",
            )
    assert other.client.status().key_ids == [org.team.key_id, new_team.key_id]

    # coordinator revokes through the API too; the coordinator cannot revoke itself
    assert org.coordinator.client.revoke(other.device_id).status == "revoked"
    with pytest.raises(Revoked):
        other.client.pull(0)
    with pytest.raises(BadRequest):
        org.coordinator.client.revoke(org.coordinator.device_id)
    devices = run_cli(org.server.db_url, "devices").stdout
    assert devices.count("revoked") == 2


def test_a_push_waiting_for_the_counter_lock_is_refused_if_its_device_is_revoked_meanwhile(
    org: Organisation,
) -> None:
    """The device's status is read again once the push holds the lock that orders every
    server write: a revocation that commits while the push waits refuses it, nothing stored."""
    laptop = org.join("Laptop")
    other = org.join("Other laptop")
    url = org.server.db_url
    if url.startswith("sqlite"):
        import sqlite3

        holder = sqlite3.connect(url.removeprefix("sqlite:///"), isolation_level=None)
        holder.execute("BEGIN IMMEDIATE")  # the write lock every server write takes first
        paramstyle = "?"
    else:
        import psycopg
        from sqlalchemy.engine import make_url

        holder = psycopg.connect(  # type: ignore[assignment]
            make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)
        )
        holder.execute("UPDATE seq_counter SET last_seq = last_seq WHERE id = 1")
        paramstyle = "%s"
    outcome: list[BaseException | wire.PushResponse] = []

    def push() -> None:
        try:
            with org.server.client(laptop.client.token, max_retries=0, timeout=60) as client:
                outcome.append(client.push(_records(laptop, org.team, 3)))
        except BaseException as exc:
            outcome.append(exc)

    pushing = threading.Thread(target=push)
    try:
        pushing.start()
        time.sleep(1.5)
        assert pushing.is_alive() and not outcome, "the push did not wait for the lock"
        holder.execute(
            f"UPDATE devices SET status = 'revoked' WHERE id = {paramstyle}", (laptop.device_id,)
        )
        holder.execute("COMMIT") if url.startswith("sqlite") else holder.commit()
    finally:
        pushing.join(timeout=60)
        holder.close()
    assert len(outcome) == 1 and isinstance(outcome[0], Revoked), outcome
    assert _pull_all(other.client) == []


def test_bad_requests_get_4xx_with_reason(org: Organisation) -> None:
    laptop = org.join("Laptop")
    url = f"{org.server.base_url}/v1"
    auth = {"Authorization": f"Bearer {laptop.client.token}"}
    good = _records(laptop, org.team, 1)[0].model_dump()

    def post(body: object, path: str = "/envelopes", **kw: object) -> httpx.Response:
        return httpx.post(f"{url}{path}", json=body, headers=auth, timeout=30, **kw)  # type: ignore[arg-type]

    cases: list[tuple[httpx.Response, int, str]] = [
        (
            httpx.post(
                f"{url}/envelopes", content=b"x" * (9 * 1024 * 1024), headers=auth, timeout=30
            ),
            413,
            "too_large",
        ),
        (post({"envelopes": [{**good, "revision": "three"}]}), 422, "revision"),
        (post({"envelopes": [good] * 501}), 422, "envelopes"),
        (post({"envelopes": [{**good, "ciphertext": "%%%not base64%%%"}]}), 422, "base64"),
        (post({"envelopes": [{**good, "nonce": wire.b64encode(b"\0" * 8)}]}), 422, "nonce"),
        (post({"envelopes": [{**good, "surprise": 1}]}), 422, "surprise"),
        (post({"envelopes": []}), 422, "envelopes"),
        (post([1, 2, 3]), 422, "invalid"),
        (
            httpx.post(f"{url}/envelopes", content=b"{not json", headers=auth, timeout=10),
            422,
            "invalid",
        ),
        (httpx.get(f"{url}/envelopes", params={"limit": 0}, headers=auth), 422, "limit"),
        (httpx.get(f"{url}/envelopes", params={"after": -1}, headers=auth), 422, "after"),
        (httpx.get(f"{url}/envelopes", params={"after": "x"}, headers=auth), 422, "after"),
        (httpx.get(f"{url}/envelopes"), 401, "token"),
        (httpx.get(f"{url}/envelopes", headers={"Authorization": "Bearer nope"}), 401, "token"),
        (httpx.get(f"{url}/nowhere"), 404, "not_found"),
        (
            post({"device_name": "x\x00y", "code": "AAAA-BBBB", "public_key": "AA=="}, "/register"),
            422,
            "device_name",
        ),
        (
            post(
                {
                    "code": "AAAA-BBBB-CCCC-DDDD",
                    "device_name": "x",
                    "public_key": wire.b64encode(b"\1" * 32),
                },
                "/register",
            ),
            403,
            "enrollment_invalid",
        ),
    ]
    for response, status, needle in cases:
        assert response.status_code == status, (needle, response.text[:300])
        body = response.json()
        assert body["code"] and body["detail"], body
        assert needle in response.text, (needle, response.text[:300])
    # a valid request still works afterwards: the server did not crash
    assert post({"envelopes": [good]}).json()["accepted"] == 1
    assert "5" not in {str(r.status_code)[0] for r, _, _ in cases}
    assert "Traceback" not in org.server.log_text()


def test_openapi_published(server: ServerProcess) -> None:
    schema = httpx.get(f"{server.base_url}/openapi.json").json()
    for path in (
        "/v1/envelopes",
        "/v1/register",
        "/v1/keys",
        "/v1/devices/me",
        "/v1/devices/{device_id}/approve",
    ):
        assert path in schema["paths"]


def test_server_stores_and_logs_no_plaintext(org: Organisation, tmp_path: object) -> None:
    import subprocess
    from pathlib import Path

    names = ["Петров", "Ștefan", "Țărnă", "Müller-Lüdenscheidt", "Йорданка Иванова"]
    laptop = org.join("Laptop 7")
    envelopes = [
        laptop.seal(
            org.team,
            str(uuid.uuid4()),
            "person",
            1,
            f'{{"given_name": "{n}", "notes": "Wohnung in Dortmund gesucht"}}'.encode(),
        )
        for n in names
    ]
    laptop.client.push(envelopes)
    pulled = _pull_all(laptop.client)
    assert {crypto.open_envelope(laptop.keyring, e).decode() for e in pulled} >= {
        f'{{"given_name": "{n}", "notes": "Wohnung in Dortmund gesucht"}}' for n in names
    }
    org.server.stop()  # flush everything to disk

    if org.server.db_url.startswith("sqlite"):
        db_file = Path(org.server.db_url.removeprefix("sqlite:///"))
        stored = b"".join(p.read_bytes() for p in db_file.parent.glob(db_file.name + "*"))
    else:
        stored = subprocess.run(
            ["pg_dump", "--no-owner", org.server.db_url.replace("+psycopg", "")],
            capture_output=True,
            check=True,
            timeout=60,
        ).stdout
    log = org.server.log_text().encode()
    # the dump is the real thing: it holds the opaque ids we pushed
    assert envelopes[0].record_id.encode() in stored
    assert laptop.device_id.encode() in log
    for secret in [*names, "Wohnung", "Dortmund"]:
        for encoding in ("utf-8", "utf-16-le"):
            assert secret.encode(encoding) not in stored, secret
            assert secret.encode(encoding) not in log, secret
    for env in envelopes:
        assert env.ciphertext.encode() not in log
        assert env.nonce.encode() not in log


@pytest.mark.parametrize("server", [1, 2], indirect=True, ids=["1 process", "2 processes"])
def test_concurrent_pushes_get_gapless_sequence_seen_by_a_concurrent_reader(
    org: Organisation,
) -> None:
    """Seq order = commit order, so a reader following its cursor never skips a record; also
    when server processes race and pushes carry duplicates and conflicts (which reserve no
    sequence number)."""
    laptops = [org.join(f"L{i}") for i in range(4)]
    pushed: list[wire.Envelope] = []
    errors: list[BaseException] = []
    done = threading.Event()

    def writer(member: Member) -> None:
        try:
            with org.server.client(member.client.token, max_retries=0) as client:
                previous: list[wire.Envelope] = []
                seqs: dict[str, int | None] = {}
                for _ in range(5):
                    batch = _records(member, org.team, 20)
                    pushed.extend(batch)
                    clash = member.seal(org.team, batch[0].record_id, "person", 1, b"other")
                    # Earlier envelopes again (duplicates), new ones, and a conflict.
                    mixed = client.push([*previous[:5], *batch, clash])
                    assert (mixed.accepted, mixed.duplicate, mixed.refused) == (
                        20,
                        len(previous[:5]),
                        1,
                    ), mixed
                    assert [r.seq for r in mixed.results[: len(previous[:5])]] == [
                        seqs[e.record_id] for e in previous[:5]
                    ]
                    seqs.update(
                        (r.record_id, r.seq) for r in mixed.results if r.status == "accepted"
                    )
                    previous = batch
        except BaseException as exc:
            errors.append(exc)

    seen: list[wire.StoredEnvelope] = []

    def reader() -> None:
        with org.server.client(laptops[0].client.token) as client:
            cursor = 0
            for _ in range(100_000):
                finished = done.is_set()
                page = client.pull(cursor, 7)
                seen.extend(page.envelopes)
                cursor = page.next_cursor
                if finished and not page.has_more:
                    return

    threads = [threading.Thread(target=writer, args=(m,)) for m in laptops]
    reading = threading.Thread(target=reader)
    reading.start()
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    done.set()
    reading.join(timeout=120)
    assert not errors, errors
    stored = _pull_all(laptops[1].client)
    assert [e.seq for e in stored] == list(range(1, len(pushed) + 1))
    assert sorted(e.record_id for e in seen) == sorted(e.record_id for e in pushed)


def test_server_killed_mid_push_no_record_lost_or_doubled(org: Organisation) -> None:
    laptop = org.join("Laptop")
    batches: list[list[wire.Envelope]] = []  # the outbox: everything we tried to send
    killer = threading.Timer(0.5, org.server.kill)
    killer.start()
    interrupted = False
    try:
        with org.server.client(laptop.client.token, max_retries=0) as client:
            for _ in range(200):  # bounded; the kill lands long before the end
                batches.append(_records(laptop, org.team, 100))
                client.push(batches[-1])
    except Offline:
        interrupted = True
    finally:
        killer.join()
    assert interrupted, "the server was not killed during the pushes"
    org.server.start()
    with org.server.client(laptop.client.token) as client:
        outcomes = [client.push(batch) for batch in batches]  # the outbox retries everything
        stored = _pull_all(client)
    total = 100 * len(batches)
    assert sum(o.refused for o in outcomes) == 0
    assert sum(o.accepted for o in outcomes) < total  # some had arrived before the crash
    assert sum(o.accepted + o.duplicate for o in outcomes) == total
    assert len(stored) == total
    assert {e.record_id for e in stored} == {e.record_id for b in batches for e in b}
    assert [e.seq for e in stored] == list(range(1, total + 1))


def test_client_retries_until_the_server_is_back(org: Organisation) -> None:
    laptop = org.join("Laptop")
    org.server.kill()
    with org.server.client(laptop.client.token, max_retries=1) as client, pytest.raises(Offline):
        client.push(_records(laptop, org.team, 1))
    restarter = threading.Timer(1.0, org.server.start)
    restarter.start()
    try:
        with org.server.client(
            laptop.client.token, max_retries=30, backoff_base=0.1, backoff_max=0.5
        ) as client:
            assert client.push(_records(laptop, org.team, 5)).accepted == 5
    finally:
        restarter.join()


def test_unauthorized_without_token(server: ServerProcess) -> None:
    with server.client() as client:
        with pytest.raises(Unauthorized):
            client.pull(0)
        client.token = "made-up"
        with pytest.raises(Unauthorized):
            client.status()
