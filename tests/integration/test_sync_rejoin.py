"""Joining again (``usecases.sync.join(again=True)``, ``welcome-desk join --again``): a laptop
the sync server no longer knows, because its database was restored from a backup older than
the laptop's enrollment, registers anew with a new code, keeps what it holds and, once a
coordinator has approved it, puts back on the server everything recorded only on it.

Real server processes on 127.0.0.1 (SQLite and PostgreSQL), real encrypted stores.
"""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

import pytest

from desktop_app.domain.users import Role
from desktop_app.exits import EXIT_INVALID
from desktop_app.sync import engine
from desktop_app.sync.http_client import Forbidden, Revoked, Unauthorized
from desktop_app.usecases import sync as sync_uc
from desktop_app.usecases.accounts import Session
from tests.integration.sync_harness import (
    Backup,
    Laptops,
    ServerProcess,
    add_people,
    assert_converged,
    device_id,
    device_token,
    live_people,
    run_cli,
    run_desk,
)


def _join_again(
    server: ServerProcess, laptop: Session, name: str, *, even_if_known: bool = False
) -> str:
    """Joins ``laptop`` again with a new code; its new device id."""
    result = sync_uc.join(
        laptop.store,
        server.base_url,
        server.enroll(name),
        name,
        again=True,
        even_if_known=even_if_known,
    )
    assert result.status == "pending"
    return result.device_id


def _approve(coordinator: Session, laptop: Session) -> None:
    sync_uc.approve_device(
        coordinator.store,
        coordinator.user,
        device_id(laptop),
        sync_uc.fingerprint(laptop.store),
        role=Role.COORDINATOR,
    )


def test_a_laptop_enrolled_after_the_backup_joins_again_and_the_server_gets_all_it_holds(
    server: ServerProcess, laptops: Laptops, backup: Backup
) -> None:
    a, b = laptops.new("A"), laptops.new("B")
    add_people(a, "Elena")
    laptops.sync(a, b)
    backup.take()
    c = laptops.new("C")  # enrolled after the backup
    laptops.sync(c)
    sent = add_people(c, "Ana", "Ion")  # on the server, then lost with the restore
    laptops.sync(c)
    unsent = add_people(c, "Daria")  # never sent
    from_a = add_people(a, "Radu")  # A's, also lost with the restore (A puts it back itself)
    laptops.sync(a, c)
    old_device, old_fingerprint = device_id(c), sync_uc.fingerprint(c.store)
    backup.restore()

    with pytest.raises(Unauthorized):
        laptops.sync(c)
    assert sync_uc.status(c.store).refused == "unauthorized"  # a window opened now says so
    new_device = _join_again(server, c, "C")
    assert sync_uc.status(c.store).refused == ""
    assert new_device != old_device
    assert sync_uc.fingerprint(c.store) != old_fingerprint  # a new key pair
    # Waiting for approval, the laptop syncs nothing, though it holds the team key.
    with pytest.raises(sync_uc.SyncSetupError) as waiting:
        laptops.sync(c)
    assert waiting.value.code == "not_approved"
    assert set(sent + unsent) <= live_people(c)

    laptops.sync(a)  # the coordinator's laptop finds the restore and puts Radu back
    _approve(a, c)
    (report,) = laptops.sync(c)
    assert report.server_restored  # the whole log pulled, what the server lacks sent
    on_server = {
        r[0]
        for r in server.engine.connect().exec_driver_sql("SELECT DISTINCT record_id FROM envelopes")
    }
    assert set(sent + unsent) <= on_server
    laptops.sync(a, b, c)
    laptops.sync(a, b, c)
    assert set(sent + unsent + from_a) <= live_people(b)
    assert set(from_a) <= live_people(c)
    assert_converged(server, a, b, c)
    assert all(r.refused == 0 and not r.server_restored for r in laptops.sync(a, b, c))
    with c.store.reading() as s:
        assert engine.get_meta(s, engine.RESTORING) == "0"


def test_a_laptop_the_server_still_knows_is_refused_unless_the_user_insists(
    server: ServerProcess, laptops: Laptops
) -> None:
    a, b = laptops.new("A"), laptops.new("B")
    add_people(b, "Elena")
    laptops.sync(a, b)
    before = (device_id(b), device_token(b), sync_uc.fingerprint(b.store))
    with pytest.raises(sync_uc.SyncSetupError) as refused:
        _join_again(server, b, "B")
    assert refused.value.code == "still_known"
    assert (device_id(b), device_token(b), sync_uc.fingerprint(b.store)) == before
    # Without "again", a laptop that has joined is refused whatever the server says.
    with pytest.raises(sync_uc.SyncSetupError) as joined:
        sync_uc.join(b.store, server.base_url, server.enroll("B"), "B")
    assert joined.value.code == "already_joined"
    # Insisting makes a second device of the same laptop; it still needs an approval.
    _join_again(server, b, "B", even_if_known=True)
    assert device_id(b) != before[0]
    _approve(a, b)
    laptops.sync(b, a)
    assert_converged(server, a, b)


def test_a_revoked_laptop_joining_again_waits_for_approval_and_gets_nothing_meanwhile(
    server: ServerProcess, laptops: Laptops
) -> None:
    a, b = laptops.new("A"), laptops.new("B")
    laptops.sync(a, b)
    sync_uc.revoke_device(a.store, a.user, device_id(b))
    # A joining again needs the server's word that it no longer takes this laptop: revoked.
    _join_again(server, b, "B")
    later = add_people(a, "Secret")
    laptops.sync(a)
    for _round in range(2):
        with pytest.raises(sync_uc.SyncSetupError) as waiting:
            laptops.sync(b)
        assert waiting.value.code == "not_approved"
    # Asked directly with its new token, the server gives it nothing either.
    with server.client(device_token(b)) as client:
        with pytest.raises(Forbidden):
            client.pull(0)
        assert client.fetch_wrapped_keys().keys == []
    assert not set(later) & live_people(b)
    _approve(a, b)
    laptops.sync(b)
    assert set(later) <= live_people(b)


def _set_token(laptop: Session, token: str) -> None:
    with laptop.store.transaction() as s:
        engine.set_meta(s, engine.TOKEN, token)


def test_a_refusal_is_kept_until_a_sync_goes_through_or_the_laptop_joins_again(
    server: ServerProcess, laptops: Laptops
) -> None:
    """What the window shows after a restart (``status().refused``): the last sync's refusal
    as unauthorized or revoked, whoever ran that sync (window, command line)."""
    a, b = laptops.new("A"), laptops.new("B")
    laptops.sync(a, b)
    assert sync_uc.status(b.store).refused == ""
    token = device_token(b)
    _set_token(b, "not" + token[3:])  # a token the server does not know: 401
    for _round in range(2):
        with pytest.raises(Unauthorized):
            laptops.sync(b)
        assert sync_uc.status(b.store).refused == "unauthorized"
    _set_token(b, token)
    laptops.sync(b)
    assert sync_uc.status(b.store).refused == ""
    sync_uc.revoke_device(a.store, a.user, device_id(b))
    with pytest.raises(Revoked):
        laptops.sync(b)
    assert sync_uc.status(b.store).refused == "revoked"
    _join_again(server, b, "B")
    assert sync_uc.status(b.store).refused == ""
    with pytest.raises(sync_uc.SyncSetupError):  # waiting for approval: not a refusal to keep
        laptops.sync(b)
    assert sync_uc.status(b.store).refused == ""


def _wd(*args: str) -> subprocess.CompletedProcess[str]:
    return run_desk(*args, lang="de")


@pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)
def test_joining_again_from_the_command_line_in_german(
    server: ServerProcess, tmp_path: Path
) -> None:
    a, b = str(tmp_path / "a"), str(tmp_path / "b")
    for folder in (a, b):
        assert _wd("init", "--data-dir", folder, "--account", "anna").returncode == 0

    def join(folder: str, name: str, *extra: str) -> subprocess.CompletedProcess[str]:
        code = server.enroll_cli(name)
        return _wd(
            "join",
            "--data-dir",
            folder,
            "--server",
            server.base_url,
            "--code",
            code,
            "--name",
            name,
            *extra,
        )

    assert join(a, "A").returncode == 0
    first = join(b, "B")
    assert first.returncode == 0, first.stderr
    old = re.search(r"(\S+)\.$", first.stdout.splitlines()[0])
    assert old
    again = join(b, "B")
    assert again.returncode == EXIT_INVALID
    assert "--again" in again.stderr and "bereits" in again.stderr
    known = join(b, "B", "--again")
    assert known.returncode == EXIT_INVALID
    assert "--even-if-known" in known.stderr and "kennt" in known.stderr
    # The server forgets the laptop: revoked there (a restore forgets it alike).
    run_cli(server.db_url, "revoke", old.group(1))
    rejoined = join(b, "B", "--again")
    assert rejoined.returncode == 0, rejoined.stderr
    assert "Erneut beigetreten" in rejoined.stdout and old.group(1) not in rejoined.stdout
    waiting = _wd("sync", "--data-dir", b)
    assert waiting.returncode == EXIT_INVALID and "Freigabe" in waiting.stderr
    helped = _wd("join", "--help")
    assert "--again" in helped.stdout and "Sicherung" in helped.stdout
