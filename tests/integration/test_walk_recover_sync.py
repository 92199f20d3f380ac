"""The bad days' walk where no window is involved (``tests/ui/test_walk_recover_ui.py`` has the
rest), with a real server on 127.0.0.1: a laptop killed (SIGKILL) in the middle of a sync's pull;
a broken laptop's backup restored on its replacement."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

import pytest

from desktop_app.domain.person import PersonDraft
from desktop_app.domain.users import Role
from desktop_app.sync.http_client import Revoked
from desktop_app.usecases import accounts, backup, people
from desktop_app.usecases import sync as sync_uc
from tests.integration.sync_harness import (
    PASSWORD,
    ROOT,
    START_TIMEOUT,
    CuttingProxy,
    Laptops,
    ServerProcess,
    add_people,
    assert_converged,
    device_id,
    live_people,
)

OFFICE_PEOPLE = 1200  # three pages of a pull


PASSPHRASE = "eine lange Passphrase 7"


@dataclass(frozen=True)
class BrokenLaptop:
    """What a laptop that broke held, by person id, and its last backup."""

    synced: tuple[str, ...]  # synced before the backup
    in_backup: str  # in the backup, not synced
    after: str  # synced after the backup
    lost: str  # neither synced nor in the backup
    saved: Path
    device: str  # its id on the server


def broken_laptop(laptops: Laptops, saved: Path, passphrase: str) -> BrokenLaptop:
    """A laptop "Beratung" that synced, was backed up to ``saved``, synced again and broke."""
    broken = laptops.new("Beratung")
    synced = add_people(broken, "Elena", "Mihai")
    laptops.sync(broken)
    (in_backup,) = add_people(broken, "Ioana")
    backup.write_backup(broken, saved, passphrase)
    (after,) = add_people(broken, "Radu")
    laptops.sync(broken)
    (lost,) = add_people(broken, "Sorin")
    device = device_id(broken)
    broken.close()
    laptops.sessions.remove(broken)
    return BrokenLaptop(tuple(synced), in_backup, after, lost, saved, device)


def restored(laptops: Laptops, saved: Path, folder: Path, passphrase: str) -> accounts.Session:
    """The backup ``saved`` restored into ``folder`` on a new laptop, logged in."""
    backup.restore_backup(saved, folder, passphrase)
    session = accounts.log_in(folder, "anna", PASSWORD)
    laptops.sessions.append(session)
    return session


def _given_names(session: accounts.Session) -> Counter[str]:
    with session.store.reading() as s:
        rows = s.connection().exec_driver_sql("SELECT given_name FROM people").all()
    return Counter(r[0] for r in rows)


def test_a_laptop_killed_while_it_pulls_loses_nothing_and_doubles_nothing(
    server: ServerProcess, tmp_path: Path
) -> None:
    proxy = CuttingProxy(server.base_url)
    laptops = Laptops(server, tmp_path, url=proxy.url)
    try:
        office = laptops.new("office")
        victim = laptops.new("victim")
        people.register_many(
            office.store,
            office.user,
            [
                PersonDraft(f"Maria{i}", "Popescu", phone=f"0176 {i:07d}")
                for i in range(OFFICE_PEOPLE)
            ],
        )
        laptops.sync(office)
        (own,) = add_people(victim, "Ștefan")  # the victim's own, not sent yet
        victim.close()
        laptops.sessions.remove(victim)
        data_dir = tmp_path / "victim"

        # ``welcome-desk sync`` as a scheduled task runs it; killed while its pull waits for
        # the second page (the first one on its way into the store).
        proxy.hold_when = lambda method, path: (
            method == "GET" and path.startswith("/v1/envelopes") and "after=0&" not in path
        )
        argv = ["sync", "--data-dir", str(data_dir), "--password-stdin", "--lang", "ro"]
        with (tmp_path / "sync.err").open("w") as err:
            proc = subprocess.Popen(
                [sys.executable, "-m", "desktop_app.app", *argv],
                cwd=ROOT,
                stdin=subprocess.PIPE,
                stdout=subprocess.DEVNULL,
                stderr=err,
                text=True,
                env={**os.environ, "WELCOME_DESK_FAST_KDF": "1"},
            )
        try:
            assert proc.stdin is not None
            proc.stdin.write(PASSWORD + "\n")
            proc.stdin.close()
            assert proxy.held.wait(START_TIMEOUT), (
                proxy.forwarded,
                (tmp_path / "sync.err").read_text(),
            )
            os.kill(proc.pid, signal.SIGKILL)
            assert proc.wait(START_TIMEOUT) == -signal.SIGKILL
        finally:
            if proc.poll() is None:
                proc.kill()
                proc.wait()
            proxy.hold_when = lambda _method, _path: False
            proxy.let_through()

        # The program started again: the store intact, every page kept whole or not at all.
        again = accounts.log_in(data_dir, "anna", PASSWORD)
        laptops.sessions.append(again)
        assert again.store.integrity_ok()
        held = _given_names(again)
        assert held["Ștefan"] == 1 and max(held.values()) == 1
        assert len(held) - 1 in (0, 500, 1000)  # whole pages, or none
        # The next sync: everything there once, nothing waiting to be sent.
        laptops.sync(again, office)
        held = _given_names(again)
        assert len(held) == OFFICE_PEOPLE + 1 and max(held.values()) == 1
        assert _given_names(office) == held
        assert people.get_person(office.store, office.user, own, log_view=False) is not None
        assert sync_uc.status(again.store).pending_changes == 0
        assert_converged(server, again, office)
    finally:
        laptops.close()
        proxy.close()


def test_a_broken_laptops_backup_restored_on_its_replacement_brings_back_all_it_held(
    server: ServerProcess, laptops: Laptops, tmp_path: Path
) -> None:
    """A laptop breaks. Its last backup is restored on the new one: what it synced comes back
    (also what it synced after the backup), what it held unsynced at the backup goes to the
    team with the next sync, nothing is doubled. What it recorded after both the backup and its
    last sync is lost with it. Revoked afterwards (its disk leaves the office), the broken
    laptop's replacement, which goes on under its name on the server, is refused too; it joins
    again with a new code and keeps everything."""
    coordinator = laptops.new("Koordination", coordinator=True)
    broken = broken_laptop(laptops, tmp_path / "beratung.wdbackup", PASSPHRASE)
    synced, in_backup, after_backup, lost = (
        broken.synced,
        broken.in_backup,
        broken.after,
        broken.lost,
    )
    laptops.sync(coordinator)
    replacement = restored(laptops, broken.saved, tmp_path / "neuer-laptop", PASSPHRASE)
    assert live_people(replacement) == {*synced, in_backup}  # as at the backup
    reports = laptops.sync(replacement, coordinator)
    assert all(r.refused == 0 for r in reports)
    expected = {*synced, in_backup, after_backup}
    assert live_people(replacement) == live_people(coordinator) == expected
    assert lost not in live_people(coordinator)
    assert_converged(server, replacement, coordinator)
    assert device_id(replacement) == broken.device  # the same laptop to the server

    # Revoked as the guide says of a laptop that left the office's hands: the replacement is
    # that laptop to the server, refused from now on; it joins again and keeps its data.
    sync_uc.revoke_device(coordinator.store, coordinator.user, broken.device)
    with pytest.raises(Revoked):
        sync_uc.sync_now(replacement.store, max_retries=1, backoff_base=0.01)
    (new_work,) = add_people(replacement, "Nicoleta")  # recorded meanwhile
    sync_uc.join(replacement.store, laptops.url, server.enroll("Beratung"), "Beratung", again=True)
    sync_uc.approve_device(
        coordinator.store,
        coordinator.user,
        device_id(replacement),
        sync_uc.fingerprint(replacement.store),
        role=Role.COORDINATOR,
    )
    laptops.sync(replacement, coordinator, replacement)
    assert device_id(replacement) != broken.device
    assert live_people(replacement) == live_people(coordinator) == {*expected, new_work}
    assert_converged(server, replacement, coordinator)
