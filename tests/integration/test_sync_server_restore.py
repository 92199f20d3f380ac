"""A sync server whose database is restored from an older backup (installer/server/README.md,
"Backups"): laptops notice that the server went back in time, pull again and push back what it
lost, so that they converge and the server holds every record again. And the other way round:
a laptop restored from its own backup takes back what it sent after it.

Real server processes on 127.0.0.1; the backup is a copy of the SQLite file taken while the
server is stopped, or on PostgreSQL a database created from it as a template.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from desktop_app.domain.person import PersonDraft
from desktop_app.storage.models import OutboxRow
from desktop_app.sync import engine
from desktop_app.usecases import people
from desktop_app.usecases.accounts import Session
from sync_server import wire
from tests.integration.sync_harness import (
    PASSWORD,
    Backup,
    CuttingProxy,
    Laptops,
    ServerProcess,
    add_people,
    assert_converged,
    device_id,
    device_token,
    holdings,
    live_people,
    outbox_size,
    run_desk,
    server_top_revisions,
)


@pytest.mark.parametrize("a_first", [True, False], ids=["A-first", "B-first"])
def test_after_a_restore_from_an_older_backup_the_laptops_converge_and_the_server_holds_all(
    server: ServerProcess, laptops: Laptops, backup: Backup, a_first: bool
) -> None:
    a, b, c = laptops.new("A"), laptops.new("B"), laptops.new("C")
    add_people(a, "Elena", "Mihai")
    laptops.sync(a, b, c)
    backup.take()
    # After the backup: A adds people, B pulls them and edits one, C is away.
    added = add_people(a, "Radu", "Stoyan", "Daria")
    laptops.sync(a)
    laptops.sync(b)
    current = people.get_person(b.store, b.user, added[0], log_view=False)
    assert current is not None
    people.update_person(
        b.store, b.user, added[0], PersonDraft("Radu", "Ivanova", phone="0176 2"), base=current
    )
    laptops.sync(b)
    before = holdings(b)
    backup.restore()

    reports = laptops.sync(a, b) if a_first else laptops.sync(b, a)
    assert all(r.server_restored for r in reports)
    # C synced last before the backup: the server remembers all it holds, nothing to recover.
    reports += laptops.sync(a, b, c)
    assert not reports[-1].server_restored
    reports += laptops.sync(a, b, c)  # a conflict refused in the round before settles here
    # Pulled again, what a laptop held already is no replay to warn of.
    assert all(r.refused == 0 for r in reports)
    assert holdings(a) == before
    assert holdings(b)[added[0]][1] == "0176 2"
    assert_converged(server, a, b, c)
    # Once told, never again: the server remembers what each laptop holds now.
    assert not any(r.server_restored for r in laptops.sync(a, b, c))


def test_a_laptop_that_pushed_after_the_backup_without_pulling_gets_its_records_back_on(
    server: ServerProcess, laptops: Laptops, backup: Backup
) -> None:
    a, b = laptops.new("A"), laptops.new("B")
    laptops.sync(a, b)
    add_people(a, "Elena")
    laptops.sync(a, b)
    backup.take()
    # A's push is the last thing it did before the restore: its next pull came no more.
    added = add_people(a, "Ana", "Ion")
    with server.client(device_token(a)) as client:
        refused = engine.SyncEngine(a.store, client)._push(engine.SyncReport())
    assert not refused
    assert outbox_size(a) == 0
    backup.restore()

    (restored,) = laptops.sync(a)
    assert restored.server_restored
    on_server = server_top_revisions(server)
    assert all(person_id in on_server for person_id in added)
    laptops.sync(b)
    assert_converged(server, a, b)


def test_no_false_alarm_without_a_restore(server: ServerProcess, laptops: Laptops) -> None:
    a, b = laptops.new("A"), laptops.new("B")
    for round_ in range(4):
        add_people(a, f"Name{round_}")
        add_people(b, f"Other{round_}")
        reports = laptops.sync(a, b)
        assert not any(r.server_restored for r in reports)
    server.stop()
    server.start()  # restarted, not restored
    reports = laptops.sync(a, b, a)
    assert not any(r.server_restored for r in reports)
    assert all(r.pushed == 0 for r in reports[1:])
    with a.store.reading() as s:
        assert s.query(OutboxRow).count() == 0
    assert_converged(server, a, b)


def test_no_false_alarm_on_a_server_migrated_from_0004(
    server: ServerProcess, laptops: Laptops
) -> None:
    """Devices from before migration 0005 are not known to have pulled or pushed anything
    (NULL): their laptops, far ahead of that, are not taken for ones of a restored server."""
    a, b = laptops.new("A"), laptops.new("B")
    add_people(a, "Elena")
    add_people(b, "Ion")
    laptops.sync(a, b, a)
    server.migrate_again_from("0004")
    _assert_devices_not_remembered(server)
    reports = laptops.sync(a, b)
    assert not any(r.server_restored for r in reports)
    assert all(r.pushed == 0 and r.refused == 0 for r in reports)
    add_people(a, "Mihai")
    reports = laptops.sync(a, b, a)
    assert not any(r.server_restored for r in reports)
    assert_converged(server, a, b)


def _assert_devices_not_remembered(server: ServerProcess) -> None:
    with server.engine.connect() as connection:
        seen = connection.exec_driver_sql("SELECT pulled_seq, pushed_seq FROM devices").all()
    assert {tuple(row) for row in seen} == {(None, None)}


def test_a_restore_from_a_backup_made_before_migration_0005_is_found_by_the_laptops_beyond_it(
    server: ServerProcess, laptops: Laptops, backup: Backup
) -> None:
    """The backup predates the server's memory of what each device pulled and pushed: after the
    migration, the restored server knows nothing of the devices (NULL). A laptop that holds a
    sequence number beyond the highest the server handed out finds the restore all the same
    and pushes back what was lost: first A (its pushes went beyond), then B (its own pushes
    went beyond the records A pushed back)."""
    a, b = laptops.new("A"), laptops.new("B")
    add_people(a, "Elena")
    laptops.sync(a, b, a)
    backup.take()
    radu = add_people(a, "Radu")
    laptops.sync(a)
    ion = add_people(b, "Ion", "Daria")
    laptops.sync(b)
    backup.restore()
    server.migrate_again_from("0004")
    _assert_devices_not_remembered(server)
    lost = set(radu + ion)
    assert not lost & set(server_top_revisions(server))

    reports = laptops.sync(a, b)
    assert [r.server_restored for r in reports] == [True, True]
    reports = laptops.sync(a, b, a)
    assert not any(r.server_restored for r in reports)
    assert all(r.refused == 0 for r in reports)
    assert lost <= set(server_top_revisions(server))
    assert lost <= live_people(a) and lost <= live_people(b)
    assert_converged(server, a, b)


def test_an_older_server_without_the_highest_sequence_number_in_its_pulls_raises_no_alarm(
    server: ServerProcess, laptops: Laptops, backup: Backup, tmp_path: Path
) -> None:
    """A server before ``latest_seq`` (its pull answers without it, as a proxy makes them here),
    restored from a backup before migration 0005: nothing can tell, and the laptops sync on as
    before, with no recovery started by a field that is missing."""
    import json

    proxy = CuttingProxy(server.base_url)

    def as_an_older_server(method: str, path: str, body: bytes) -> bytes:
        if method == "GET" and path.startswith("/v1/envelopes"):
            answer = json.loads(body)
            answer.pop("latest_seq")
            return json.dumps(answer).encode()
        return body

    proxy.rewrite = as_an_older_server
    group = Laptops(server, tmp_path, url=proxy.url)
    try:
        a = group.new("A")
        add_people(a, "Elena")
        group.sync(a)
        backup.take()
        add_people(a, "Radu")
        group.sync(a)
        backup.restore()
        server.migrate_again_from("0004")
        (report,) = group.sync(a)
        assert not report.server_restored and report.pushed == 0
    finally:
        group.close()
        proxy.close()


def test_a_record_pushed_back_by_two_laptops_at_once_settles_without_an_endless_outbox(
    server: ServerProcess, laptops: Laptops, backup: Backup
) -> None:
    """Both laptops hold a record the restored server lost and both push it back: the second
    push is refused as a conflict (same revision, other ciphertext); its next round pulls the
    first one's and finds nothing left to send."""
    a, b = laptops.new("A"), laptops.new("B")
    laptops.sync(a, b)
    backup.take()
    added = add_people(a, "Stoyan", "Daria")
    laptops.sync(a, b)
    backup.restore()

    with server.client(device_token(a)) as client:
        first = engine.SyncEngine(a.store, client)
        report = engine.SyncReport()
        first._pull(report)  # A finds the restore, pulls everything, queues what was lost
        # the two people and their audit entries
        assert report.server_restored and outbox_size(a) == 2 * len(added)
        (b_report,) = laptops.sync(b)  # meanwhile B pushes the same records back first
        assert b_report.server_restored
        assert first._push(engine.SyncReport())  # refused: the server holds them now
    assert outbox_size(a) > 0
    (settled,) = laptops.sync(a)
    assert not settled.server_restored and settled.pushed == 0 and settled.refused == 0
    assert_converged(server, a, b)
    assert set(added) <= set(server_top_revisions(server))


@pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)
def test_welcome_desk_sync_says_in_german_that_the_server_was_restored(
    server: ServerProcess, laptops: Laptops, backup: Backup, tmp_path: Path
) -> None:
    a = laptops.new("A")
    laptops.sync(a)
    backup.take()
    add_people(a, "Elena")
    laptops.sync(a)
    backup.restore()
    a.close()  # the command line opens the laptop's store itself
    done = run_desk("sync", "--data-dir", str(tmp_path / "A"), lang="de", password=PASSWORD)
    assert done.returncode == 0, done.stderr
    assert (
        "Der Synchronisierungsserver wurde aus einer älteren Sicherung wiederhergestellt."
        in done.stderr
    )
    again = run_desk("sync", "--data-dir", str(tmp_path / "A"), lang="de", password=PASSWORD)
    assert again.returncode == 0 and "Sicherung" not in again.stderr


def test_a_coordinators_laptop_revokes_again_the_laptops_revoked_after_the_backup(
    server: ServerProcess, laptops: Laptops, backup: Backup
) -> None:
    """The restored server lists a laptop revoked after the backup as approved again; the
    coordinator's laptop that finds the restore revokes it there again (the team's records,
    written only with the team key, say it is revoked)."""
    from desktop_app.sync.http_client import Revoked
    from desktop_app.usecases import sync as sync_uc

    a, b, c = laptops.new("A"), laptops.new("B"), laptops.new("C")
    laptops.sync(a, b, c)
    backup.take()
    revoked = sync_uc.revoke_device(a.store, a.user, sync_uc.own_device_id(b.store) or "")
    assert revoked.status == "revoked"
    laptops.sync(a)
    backup.restore()
    assert server.device_status(revoked.device_id) == "approved"  # as in the backup

    (report,) = laptops.sync(a)
    assert report.server_restored
    assert server.device_status(revoked.device_id) == "revoked"
    assert server.device_status(sync_uc.own_device_id(c.store) or "") == "approved"
    with pytest.raises(Revoked):
        laptops.sync(b)


def _lists_devices(requests: list[tuple[str, str]]) -> bool:
    """Whether a laptop asked for the server's list of laptops (a coordinator's re-revoke)."""
    return ("GET", "/v1/devices") in requests


def test_a_re_revocation_that_failed_is_made_by_a_later_sync_and_never_by_a_members_laptop(
    server: ServerProcess, backup: Backup, tmp_path: Path
) -> None:
    """The coordinator's laptop finds the restore, but the revocation it makes again fails (the
    connection drops at it): B stays approved on the server. The coordinator's next sync, which
    finds no restore any more, revokes B all the same, and B's next sync is refused. A member's
    laptop that finds the restore never lists or revokes laptops; nor does an ordinary sync
    once nothing is left to revoke."""
    from desktop_app.sync.http_client import Revoked
    from desktop_app.usecases import sync as sync_uc

    proxy = CuttingProxy(server.base_url)
    group = Laptops(server, tmp_path, url=proxy.url)
    try:
        # C: a member's laptop on the server, whose accounts have every right on it.
        a, b, c = group.new("A"), group.new("B"), group.new_member("C")
        group.sync(a, b, c)
        backup.take()
        revoked = sync_uc.revoke_device(a.store, a.user, device_id(b)).device_id
        group.sync(a, c)  # C, a member's laptop, learns of it too
        backup.restore()
        assert server.device_status(revoked) == "approved"  # as in the backup

        seen = len(proxy.forwarded)
        (member,) = group.sync(c)
        assert member.server_restored and not member.revoke_again_pending
        assert not _lists_devices(proxy.forwarded[seen:])
        with c.store.reading() as s:
            assert engine.get_meta(s, engine.REVOKE_AGAIN) is None

        proxy.cut_when = lambda method, path: method == "POST" and path.endswith("/revoke")
        (found,) = group.sync(a)  # the sync itself goes through
        assert found.server_restored and found.revoke_again_pending
        proxy.restore()
        assert server.device_status(revoked) == "approved"

        (later,) = group.sync(a)
        assert not later.server_restored and not later.revoke_again_pending
        assert server.device_status(revoked) == "revoked"
        assert server.device_status(device_id(c)) == "approved"
        with pytest.raises(Revoked):
            group.sync(b)

        seen = len(proxy.forwarded)
        (ordinary,) = group.sync(a)
        assert not ordinary.revoke_again_pending
        assert not _lists_devices(proxy.forwarded[seen:])
    finally:
        group.close()
        proxy.close()


def test_a_revocation_that_never_reached_the_server_is_made_by_the_next_sync(
    server: ServerProcess, tmp_path: Path
) -> None:
    """The coordinator revokes B; the team's record is written, but the connection drops at
    the server's revoke: B is still approved there. The coordinator's next sync revokes it,
    and B's next sync is refused; the sync after that asks nothing more."""
    from desktop_app.sync.http_client import Revoked, SyncError
    from desktop_app.usecases import sync as sync_uc

    proxy = CuttingProxy(server.base_url)
    group = Laptops(server, tmp_path, url=proxy.url)
    try:
        a, b = group.new("A"), group.new("B")
        group.sync(a, b)
        proxy.cut_when = lambda method, path: method == "POST" and path.endswith("/revoke")
        with pytest.raises(SyncError):
            sync_uc.revoke_device(a.store, a.user, device_id(b))
        proxy.restore()
        assert server.device_status(device_id(b)) == "approved"
        group.sync(b)  # nothing refuses it yet

        (made,) = group.sync(a)
        assert not made.revoke_again_pending and not made.server_restored
        assert server.device_status(device_id(b)) == "revoked"
        with pytest.raises(Revoked):
            group.sync(b)
        seen = len(proxy.forwarded)
        group.sync(a)
        assert not _lists_devices(proxy.forwarded[seen:])
    finally:
        group.close()
        proxy.close()


def test_a_revocation_undone_by_a_restore_before_the_coordinator_synced_again_is_made_again(
    server: ServerProcess, backup: Backup, laptops: Laptops
) -> None:
    """The server revoked B, then was restored from a backup made before that, and the
    coordinator's laptop had not synced in between: nothing it holds is beyond the restored
    server, so no sync finds the restore. B, approved again by the restore, is revoked again
    by the coordinator's next sync all the same."""
    from desktop_app.sync.http_client import Revoked
    from desktop_app.usecases import sync as sync_uc

    a, b = laptops.new("A"), laptops.new("B")
    laptops.sync(a, b)
    backup.take()
    sync_uc.revoke_device(a.store, a.user, device_id(b))
    assert server.device_status(device_id(b)) == "revoked"
    backup.restore()
    assert server.device_status(device_id(b)) == "approved"

    (found,) = laptops.sync(a)
    assert not found.server_restored and not found.revoke_again_pending
    assert server.device_status(device_id(b)) == "revoked"
    with pytest.raises(Revoked):
        laptops.sync(b)


@pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)
def test_welcome_desk_sync_says_in_german_while_a_laptop_revoked_after_the_backup_can_sync(
    server: ServerProcess, backup: Backup, tmp_path: Path
) -> None:
    from desktop_app.usecases import sync as sync_uc

    proxy = CuttingProxy(server.base_url)
    group = Laptops(server, tmp_path, url=proxy.url)
    try:
        a, b = group.new("A"), group.new("B")
        group.sync(a, b)
        backup.take()
        revoked = sync_uc.revoke_device(a.store, a.user, device_id(b)).device_id
        group.sync(a)
        backup.restore()
        a.close()  # the command line opens the laptop's store itself
        proxy.cut_when = lambda method, path: method == "POST" and path.endswith("/revoke")
        done = run_desk("sync", "--data-dir", str(tmp_path / "A"), lang="de", password=PASSWORD)
        assert done.returncode == 0, done.stderr
        assert "wiederhergestellt" in done.stderr
        assert "konnte sie dort noch nicht erneut sperren" in done.stderr
        proxy.restore()
        again = run_desk("sync", "--data-dir", str(tmp_path / "A"), lang="de", password=PASSWORD)
        assert again.returncode == 0, again.stderr
        assert "sperren" not in again.stderr and "wiederhergestellt" not in again.stderr
        assert server.device_status(revoked) == "revoked"
    finally:
        group.close()
        proxy.close()


def test_a_recovery_cut_off_by_a_lost_connection_is_finished_by_the_next_sync(
    server: ServerProcess, laptops: Laptops, backup: Backup, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The sync that finds the restore fails right after (the connection drops before the
    pull from the start): the next one pulls everything, pushes back what the server lost,
    and says so, though the server now remembers nothing more than the laptop's cursor."""
    from desktop_app.sync.http_client import Offline, SyncServerClient

    a, b = laptops.new("A"), laptops.new("B")
    laptops.sync(a, b)
    backup.take()
    added = add_people(a, "Ana", "Ion")
    laptops.sync(a, b)
    backup.restore()

    real_pull = SyncServerClient.pull

    def pull_from_the_start_fails(
        self: SyncServerClient, cursor: int = 0, limit: int = 500
    ) -> wire.PullResponse:
        if cursor == 0:
            raise Offline("connection lost")
        return real_pull(self, cursor, limit)

    with monkeypatch.context() as patched:
        patched.setattr(SyncServerClient, "pull", pull_from_the_start_fails)
        with pytest.raises(Offline):
            laptops.sync(a)
    (finished,) = laptops.sync(a)
    assert finished.server_restored
    assert set(added) <= set(server_top_revisions(server))
    laptops.sync(b, a, b)
    assert_converged(server, a, b)


def test_an_erasure_lost_with_the_restore_reaches_the_server_and_every_laptop_again(
    server: ServerProcess, laptops: Laptops, backup: Backup
) -> None:
    """A person erased after the backup: the restored server holds their record again; the
    laptops that erased it send the erasure again, and a laptop that never heard of it (it
    synced last before the erasure) erases them too (Art. 17)."""
    from desktop_app.usecases import data_rights

    a, b, c = laptops.new("A"), laptops.new("B"), laptops.new("C")
    (erased,) = add_people(a, "Elena")
    laptops.sync(a, b, c)
    backup.take()
    data_rights.erase_person(a.store, a.user, erased)
    laptops.sync(a, b)
    assert erased not in live_people(b)
    backup.restore()
    assert erased in server_top_revisions(server)  # the backup's copy

    laptops.sync(a, b, c)
    laptops.sync(a, b, c)
    for laptop in (a, b, c):
        assert erased not in live_people(laptop)
    with server.engine.connect() as conn:
        left = conn.exec_driver_sql(
            "SELECT erases FROM envelopes WHERE record_id = ?"
            if backup.sqlite
            else "SELECT erases FROM envelopes WHERE record_id = %s",
            (erased,),
        ).all()
    assert [bool(row[0]) for row in left] == [True]  # only the tombstone is left
    assert_converged(server, a, b, c)


def test_two_laptops_that_changed_one_person_after_the_backup_keep_both_changes(
    server: ServerProcess, laptops: Laptops, backup: Backup
) -> None:
    """B's change reached the server and was lost with the restore; A changed another field of
    the same person offline, at the same revision. Pulled again, A's revision is not B's: it
    is merged, not taken for the one B holds already."""
    a, b = laptops.new("A"), laptops.new("B")
    (pid,) = add_people(a, "Elena")
    laptops.sync(a, b)
    backup.take()

    def change(session: Session, **fields: str) -> None:
        current = people.get_person(session.store, session.user, pid, log_view=False)
        assert current is not None
        values = {"given_name": "Elena", "family_name": "Ivanova", "phone": current.phone}
        values["notes"] = current.notes
        values.update(fields)
        people.update_person(
            session.store,
            session.user,
            pid,
            PersonDraft(
                values["given_name"],
                values["family_name"],
                phone=values["phone"],
                notes=values["notes"],
            ),
            base=current,
        )

    change(b, phone="0176 2")
    laptops.sync(b)
    change(a, notes="comes on Tuesdays")  # offline: not synced before the restore
    backup.restore()

    laptops.sync(a, b)
    laptops.sync(a, b)
    laptops.sync(a, b)
    for session in (a, b):
        person = people.get_person(session.store, session.user, pid, log_view=False)
        assert person is not None
        assert (person.phone, person.notes) == ("0176 2", "comes on Tuesdays"), session
    assert_converged(server, a, b)


# --- the other way round: a laptop restored from its own backup ------------------------------


def test_a_laptop_restored_from_its_own_backup_gets_back_what_it_synced_after_it(
    server: ServerProcess, laptops: Laptops, tmp_path: Path
) -> None:
    """``welcome-desk restore`` puts back a laptop's store as it was at its backup, sync state
    and all. What it pushed after the backup is on the server and comes back in its pulls as its
    own envelopes: they are applied, not only noted as held (it would lack its own records, and
    an edit made on the restored laptop at a revision the server holds would never be sent)."""
    from desktop_app.usecases import accounts
    from desktop_app.usecases import backup as laptop_backup

    a, b = laptops.new("A"), laptops.new("B")
    (pid,) = add_people(a, "Elena")
    laptops.sync(a, b)
    saved = tmp_path / "a.wdbackup"
    laptop_backup.write_backup(a, saved, "a long backup passphrase")
    # After the backup, A adds a person and changes Elena; both reach the server and B.
    (later,) = add_people(a, "Mihai")
    current = people.get_person(a.store, a.user, pid, log_view=False)
    assert current is not None
    people.update_person(
        a.store, a.user, pid, PersonDraft("Elena", "Ivanova", phone="0176 2"), base=current
    )
    laptops.sync(a, b)
    old_id = a.store.device_id
    a.close()
    laptops.sessions.remove(a)

    restored_dir = tmp_path / "A-restored"
    laptop_backup.restore_backup(saved, restored_dir, "a long backup passphrase")
    restored = accounts.log_in(restored_dir, "anna", PASSWORD)
    laptops.sessions.append(restored)
    assert later not in live_people(restored)  # as at the backup
    # Its own store id from now on: its audit chain cannot take the numbers A used after
    # the backup (other laptops refuse a second entry under the same device and number).
    assert restored.store.device_id != old_id
    assert not (restored_dir / "restored-from-backup").exists()

    # Edited on the restored laptop before its first sync: the revision it makes is one the
    # server holds already (A's change above), with other content.
    current = people.get_person(restored.store, restored.user, pid, log_view=False)
    assert current is not None and current.phone == "0176 1"
    people.update_person(
        restored.store,
        restored.user,
        pid,
        PersonDraft("Elena", "Ivanova", phone="0176 1", notes="comes on Tuesdays"),
        base=current,
    )
    reports = laptops.sync(restored, b) + laptops.sync(restored, b)
    assert all(r.refused == 0 for r in reports)
    assert not any(r.server_restored for r in reports)
    assert later in live_people(restored)
    for session in (restored, b):
        person = people.get_person(session.store, session.user, pid, log_view=False)
        assert person is not None
        assert (person.phone, person.notes) == ("0176 2", "comes on Tuesdays")
    assert_converged(server, restored, b)
