"""Joining never wastes an enrollment code: a laptop whose own store fails after the server
registered it (the disk full) joins with the same code on its next try, and whoever else holds
the code gets nothing by it. Real server processes on 127.0.0.1 (SQLite and PostgreSQL), real
encrypted stores whose writes really fail (``store_full``)."""

from __future__ import annotations

import datetime as dt
import io
import secrets
import sys
import threading
from collections.abc import Callable

import pytest
from sqlalchemy import update
from sqlalchemy.orm import Session as DbSession

from desktop_app import cli
from desktop_app.domain.users import Role
from desktop_app.exits import EXIT_INVALID, EXIT_STORE
from desktop_app.i18n.messages import failure_cause, refusal_message, sync_message
from desktop_app.i18n.text import _, set_language
from desktop_app.sync import crypto
from desktop_app.sync.http_client import (
    Forbidden,
    SyncServerClient,
    Unauthorized,
    wrapped_key,
)
from desktop_app.usecases import sync as sync_uc
from desktop_app.usecases.accounts import log_in
from sync_server import models, wire
from tests.integration.sync_harness import (
    PASSWORD,
    START_TIMEOUT,
    CuttingProxy,
    Laptops,
    Organisation,
    ServerProcess,
    approve_and_confirm,
    device_id,
    run_desk,
    store_full,
)


def _secret() -> bytes:
    return secrets.token_bytes(wire.REGISTRATION_SECRET_BYTES)


def _devices(server: ServerProcess) -> list[tuple[str, str]]:
    return [(d.device_id, d.status) for d in server.service.list_devices().devices]


def _refused(register: Callable[[], object]) -> None:
    """``register`` is met as any spent code: 403 ``enrollment_invalid``."""
    with pytest.raises(Forbidden) as refused:
        register()
    assert refused.value.code == "enrollment_invalid"


def test_a_join_whose_store_fills_after_registering_joins_again_with_the_same_code(
    server: ServerProcess, laptops: Laptops
) -> None:
    """The organisation's first laptop and a second one, each with the disk full at the moment
    it writes what the server answered: the retry with the same code got "code used already"
    and the server kept a device no laptop holds (for the first, the approved coordinator)."""
    for name, first in (("A", True), ("B", False)):
        laptop = laptops.account(name)
        code, attempt = server.enroll(name), sync_uc.JoinAttempt()
        before = _devices(server)
        with store_full(laptop), pytest.raises(Exception) as full:
            sync_uc.join(laptop.store, server.base_url, code, name, attempt=attempt)
        assert failure_cause(full.value) == "disk_full"  # said as such, not "unexpected"
        assert not sync_uc.is_joined(laptop.store)
        (orphan,) = [d for d in _devices(server) if d not in before]  # registered all the same

        joined = sync_uc.join(laptop.store, server.base_url, code, name, attempt=attempt)
        assert joined.device_id == orphan[0] == device_id(laptop)
        assert (joined.status == "approved", joined.is_coordinator) == (first, first)
        assert _devices(server) == [*before, orphan]  # exactly one device for the code
        # A try of its own (a new window, a new run: new keys, new secret) cannot: it is spent.
        fresh = crypto.DeviceKeys.generate().public_key
        with server.client() as client, pytest.raises(Forbidden) as spent:
            client.register(code, name, fresh, _secret())
        assert spent.value.code == "enrollment_invalid"
    a, b = laptops.sessions
    approve_and_confirm(a, b, role=Role.COORDINATOR)
    reports = laptops.sync(a, b, a)
    assert reports[0].pushed >= 1 and reports[1].pulled >= 1  # both authenticate and read


def test_the_same_registration_repeated_gets_the_same_device_and_a_new_token(
    org: Organisation,
) -> None:
    server = org.server
    keys, secret, code = crypto.DeviceKeys.generate(), _secret(), server.enroll("B")
    with server.client() as client:
        first = client.register(code, "Laptop B", keys.public_key, secret)
    with server.client() as client:
        again = client.register(code, "Laptop B (Büro)", keys.public_key, secret)
    assert again.device_id == first.device_id and again.token != first.token
    assert (again.status, again.is_coordinator) == ("pending", False)
    (listed,) = [d for d in server.service.list_devices().devices if d.name.startswith("Laptop")]
    assert (listed.device_id, listed.name) == (first.device_id, "Laptop B (Büro)")
    # Only the new token works: the old one's hash was replaced.
    with server.client(first.token) as stale, pytest.raises(Unauthorized):
        stale.status()
    with server.client(again.token) as fresh:
        assert fresh.status().device.status == "pending"


def test_whoever_else_holds_a_spent_code_gets_nothing_by_it(org: Organisation) -> None:
    """What someone who read the code off the coordinator's note, or off the wire, can try
    once the laptop it was meant for has registered with it."""
    server = org.server
    keys, secret = crypto.DeviceKeys.generate(), _secret()
    code = server.enroll("B")
    with server.client() as client:
        laptop = client.register(code, "Laptop B", keys.public_key, secret)
    other = crypto.DeviceKeys.generate()

    def register(public_key: bytes, sent: bytes | None) -> Callable[[], object]:
        def call() -> object:
            with server.client() as client:
                return client.register(code, "Laptop B", public_key, sent)

        return call

    _refused(register(other.public_key, _secret()))  # another key with the code
    _refused(register(other.public_key, secret))  # even with the secret: not its key
    _refused(register(other.public_key, None))
    _refused(register(keys.public_key, None))  # the public key (the server lists it) alone
    _refused(register(keys.public_key, _secret()))  # with a guessed secret
    flipped = bytes([secret[0] ^ 1]) + secret[1:]
    _refused(register(keys.public_key, flipped))
    assert register(keys.public_key, secret)() is not None  # the laptop itself still can

    # Once a coordinator approved the device, nobody gets it again: not even with its secret.
    team, coordinator = org.team, org.coordinator
    wrapped = crypto.wrap_team_key(
        team.key, team.key_id, coordinator.keys, keys.public_key, laptop_role="helper"
    )
    coordinator.client.approve(
        laptop.device_id,
        [wrapped_key(team.key_id, wrapped, coordinator.keys.public_key, laptop_role="helper")],
    )
    _refused(register(keys.public_key, secret))
    ids = [d.device_id for d in server.service.list_devices().devices]
    assert ids.count(laptop.device_id) == 1


def test_a_device_that_has_made_a_request_is_not_registered_again(org: Organisation) -> None:
    server = org.server
    keys, secret, code = crypto.DeviceKeys.generate(), _secret(), server.enroll("B")
    with server.client() as client:
        laptop = client.register(code, "Laptop B", keys.public_key, secret)
        assert client.status().device.status == "pending"  # its first authenticated request
    with server.client() as client, pytest.raises(Forbidden) as refused:
        client.register(code, "Laptop B", keys.public_key, secret)
    assert refused.value.code == "enrollment_invalid"
    with server.client(laptop.token) as client:
        assert client.status().device.device_id == laptop.device_id  # its token still works


def test_a_revoked_device_or_an_expired_code_is_not_registered_again(org: Organisation) -> None:
    server = org.server
    tries = {}
    for name in ("revoked", "expired"):
        keys, secret, code = crypto.DeviceKeys.generate(), _secret(), server.enroll(name)
        with server.client() as client:
            registered = client.register(code, name, keys.public_key, secret)
        tries[name] = (keys, secret, code, registered.device_id)
    server.service.revoke(tries["revoked"][3])
    # The code's validity over (as hours later): the operator's database says so.
    with DbSession(server.engine) as s, s.begin():
        s.execute(
            update(models.EnrollmentCode)
            .where(models.EnrollmentCode.used_by == tries["expired"][3])
            .values(expires_at=models.utcnow() - dt.timedelta(seconds=1))
        )
    for name, (keys, secret, code, _device) in tries.items():
        with server.client() as client, pytest.raises(Forbidden) as refused:
            client.register(code, name, keys.public_key, secret)
        assert refused.value.code == "enrollment_invalid", name
    assert server.device_status(tries["revoked"][3]) == "revoked"


def test_a_laptop_from_before_keeps_its_code_spent_by_the_first_request(
    org: Organisation,
) -> None:
    """A laptop that sends no secret (an older version): its registration cannot be repeated,
    by it or by anyone who adds a secret now."""
    server = org.server
    keys, code = crypto.DeviceKeys.generate(), server.enroll("old")
    with server.client() as client:
        client.register(code, "Old laptop", keys.public_key)
    for secret in (None, _secret()):
        with server.client() as client, pytest.raises(Forbidden) as refused:
            client.register(code, "Old laptop", keys.public_key, secret)
        assert refused.value.code == "enrollment_invalid"


def test_registrations_from_before_the_migration_cannot_be_repeated(
    server: ServerProcess,
) -> None:
    """Migration 0007 down and up again on the server's database (SQLite, PostgreSQL): the
    secrets of devices from before it are gone, their codes stay spent; new ones repeat."""
    keys, secret, code = crypto.DeviceKeys.generate(), _secret(), server.enroll("A")
    with server.client() as client:
        client.register(code, "A", keys.public_key, secret)
    server.migrate_again_from("0006")
    with server.client() as client, pytest.raises(Forbidden):
        client.register(code, "A", keys.public_key, secret)
    keys, secret, code = crypto.DeviceKeys.generate(), _secret(), server.enroll("B")
    with server.client() as client:
        first = client.register(code, "B", keys.public_key, secret)
    with server.client() as client:
        assert client.register(code, "B", keys.public_key, secret).device_id == first.device_id


def test_a_registration_whose_answer_was_lost_is_sent_again(server: ServerProcess) -> None:
    """With a secret the client resends a registration like any other request (the server
    takes it again); a connection cut after the server registered no longer spends the code."""
    proxy = CuttingProxy(server.base_url)
    try:
        answered = {"n": 0}

        def lose_first_answer(method: str, path: str, body: bytes) -> bytes:
            answered["n"] += 1
            if answered["n"] == 1:
                raise ConnectionError("the answer is lost")  # the handler drops the connection
            return body

        proxy.rewrite = lose_first_answer
        keys, secret = crypto.DeviceKeys.generate(), _secret()
        with SyncServerClient(proxy.url, max_retries=2, backoff_base=0.01) as client:
            result = client.register(server.enroll("A"), "A", keys.public_key, secret)
        assert proxy.forwarded == [("POST", "/v1/register")] * 2
        assert _devices(server) == [(result.device_id, "approved")]
        with server.client(result.token) as own:
            assert own.status().device.device_id == result.device_id
    finally:
        proxy.close()


@pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)
def test_a_second_join_while_one_runs_is_told_so_and_spends_no_code(
    server: ServerProcess, laptops: Laptops
) -> None:
    """The window's join waits for the server; meanwhile ``welcome-desk join`` in a terminal
    (another process) and a second join of the window (another thread) each spent a code of
    their own, and the later of them made the laptop a device the server lists twice."""
    laptop = laptops.account("A")
    code, other_code = server.enroll("A"), server.enroll("A, in the terminal")
    proxy = CuttingProxy(server.base_url)
    proxy.hold_when = lambda _method, path: path.endswith("/register")
    outcome: dict[str, object] = {}

    def window_join() -> None:
        try:
            outcome["joined"] = sync_uc.join(laptop.store, proxy.url, code, "A")
        except Exception as exc:  # said after the thread ended
            outcome["failed"] = exc

    window = threading.Thread(target=window_join)
    window.start()
    try:
        assert proxy.held.wait(START_TIMEOUT)  # the window's registration is under way
        folder = str(laptop.store.paths.data_dir)
        terminal = run_desk(
            "join", "--data-dir", folder, "--server", server.base_url, "--code", other_code,
            lang="ro",
        )  # fmt: skip
        with pytest.raises(sync_uc.SyncSetupError) as second:
            sync_uc.join(laptop.store, server.base_url, other_code, "A")
        assert second.value.code == "join_running"
    finally:
        proxy.let_through()
        window.join()
        proxy.close()
    set_language("ro")
    try:
        told = sync_message("join_running")
    finally:
        set_language("en")
    assert "se alătură deja" in told  # in the user's language
    assert terminal.returncode == EXIT_INVALID and terminal.stderr.strip() == told
    assert "failed" not in outcome, outcome
    assert _devices(server) == [(device_id(laptop), "approved")]
    # The other code is unspent: another laptop joins with it.
    other = laptops.account("B")
    assert sync_uc.join(other.store, server.base_url, other_code, "B").status == "pending"


@pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)
def test_welcome_desk_join_tries_again_within_its_run_with_the_same_registration(
    server: ServerProcess,
    laptops: Laptops,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The command (run in this process, so that its own connections meet the full disk too)
    tries again twice within its run; the server takes each try as the first one again. At the
    end it says the code is used up, which a new run then finds so."""
    laptop = laptops.account("A")
    code, folder = server.enroll("A"), str(laptop.store.paths.data_dir)
    argv = ["join", "--data-dir", folder, "--server", server.base_url, "--code", code]
    args = cli.parse([*argv, "--password-stdin", "--lang", "de"])
    # Logged in once before: a login's own writes (its audit entry) find room, as they did
    # when the disk filled during the join.
    log_in(laptop.store.paths.data_dir, "anna", PASSWORD).close()
    monkeypatch.setattr(sys, "stdin", io.StringIO(PASSWORD + "\n"))
    try:
        with store_full(laptop):
            exit_code = cli.run(args)
        said = capsys.readouterr().err
        trying = _("Trying again with the same code…")
        used_up = _(
            "The server had registered this laptop already, so this code cannot be used "
            "again: try again with a new code from your coordinator."
        )
    finally:
        set_language("en")
    assert exit_code == EXIT_STORE, said
    assert said.count(trying) == 2 and trying != "Trying again with the same code…"
    assert said.count("Der Datenträger ist voll.") == 3  # each try, in German
    assert said.rstrip().endswith(used_up)
    (device,) = server.service.list_devices().devices  # three tries, one device
    assert not sync_uc.is_joined(laptop.store)

    monkeypatch.setattr(sys, "stdin", io.StringIO(PASSWORD + "\n"))
    try:  # a new run: refused by the server
        assert cli.run(cli.parse([*argv, "--password-stdin", "--lang", "en"])) == 6
    finally:
        set_language("en")
    assert capsys.readouterr().err.strip() == refusal_message("enrollment_invalid")
    assert [d.device_id for d in server.service.list_devices().devices] == [device.device_id]
