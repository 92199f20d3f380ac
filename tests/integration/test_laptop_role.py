"""A joining laptop gets the role the approving coordinator chose, against a real server process
on 127.0.0.1 (SQLite, and PostgreSQL where the cluster runs).

The first account of every laptop is its coordinator. On a laptop handed to a student helper
that account had every coordinator right over the organisation's synced data once the laptop
was approved: restricted sections, erasure, export, the audit log, reports, backups. Now the
coordinator approves a laptop for a role, bound into the team key wrapped for it; no account on
the laptop works above it, and a server that changes the role gets a key that does not open.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import update
from sqlalchemy.orm import Session as DbSession

from desktop_app.domain.permissions import Action, PermissionDenied, allowed
from desktop_app.domain.users import Role
from desktop_app.sync import crypto
from desktop_app.usecases import accounts, audit, backup, data_rights, reports, visits
from desktop_app.usecases import sync as sync_uc
from desktop_app.usecases.accounts import Session
from sync_server import models
from tests.integration.sync_harness import (
    Laptops,
    ServerProcess,
    active_key_id,
    add_person,
    approve_and_confirm,
    device_id,
    keyring_of,
    logged_in_again,
    role_on_login,
)


def _set_server_role(server: ServerProcess, laptop: Session, role: str) -> None:
    """The server's operator edits the role stored with the laptop's keys and on its row."""
    with DbSession(server.engine) as s, s.begin():
        s.execute(
            update(models.WrappedKey)
            .where(models.WrappedKey.device_id == device_id(laptop))
            .values(laptop_role=role)
        )
        s.execute(
            update(models.Device)
            .where(models.Device.id == device_id(laptop))
            .values(laptop_role=role)
        )


def _listed_role(coordinator: Session, laptop: Session) -> str | None:
    listed = sync_uc.list_devices(coordinator.store, coordinator.user)
    return next(d.laptop_role for d in listed if d.device_id == device_id(laptop))


def test_a_laptop_approved_for_student_helpers_gives_its_first_account_a_helpers_rights(
    laptops: Laptops, tmp_path: Path
) -> None:
    a = laptops.new("A")
    assert sync_uc.laptop_role(a.store) is Role.COORDINATOR  # it made the team key
    assert sync_uc.laptop_role(laptops.account("Z").store) is None  # never joined: no ceiling
    pid = add_person(a, "Elena", "Radu")
    laptops.sync(a)
    b = laptops.new("B", role=Role.HELPER)
    assert sync_uc.laptop_role(b.store) is Role.HELPER
    assert _listed_role(a, b) == "helper"  # the Laptops dialog's column
    # The session open while the key arrived follows (the window does the same after a sync).
    assert b.user.role is Role.COORDINATOR
    assert accounts.refresh_user(b)
    user = b.user  # as it is now
    assert user.role is Role.HELPER and user.lowered and user.keeps_accounts
    assert not accounts.refresh_user(b)  # nothing changed since
    laptops.sync(b)

    helper = logged_in_again(b)
    try:
        user, store = helper.user, helper.store
        assert user.role is Role.HELPER and user.lowered and user.ceiling is Role.HELPER
        # What a helper does: register people and fill in forms.
        own = add_person(helper, "Ion", "Popa")
        visits.save_draft(store, user, own, "skills_check", {"school_years": 3})
        assert visits.load_draft(store, user, own, "skills_check") is not None
        # Nothing of a coordinator's or an advisor's.
        assert visits.withheld_kinds(store, user, pid) == {"health", "exploitation"}
        for action in (
            Action.VIEW_RESTRICTED,
            Action.ERASE_PERSON,
            Action.EXPORT_PERSON,
            Action.VIEW_AUDIT,
            Action.VIEW_REPORTS,
            Action.VIEW_REPORT_CASES,
            Action.BACKUP,
            Action.MANAGE_LAPTOPS,
            Action.MANAGE_SETTINGS,
            Action.MANAGE_DIRECTORY,
        ):
            assert not allowed(user, action), action
        with pytest.raises(PermissionDenied):
            data_rights.erase_person(store, user, pid)
        with pytest.raises(PermissionDenied):
            data_rights.export_person(store, user, pid)
        with pytest.raises(PermissionDenied):
            audit.list_entries(store, user)
        with pytest.raises(PermissionDenied):
            reports.build_report(store, user, reports.month_period(2026, 1))
        with pytest.raises(PermissionDenied):
            backup.write_backup(helper, tmp_path / "backup", "a backup passphrase 1")
        with pytest.raises(PermissionDenied):
            sync_uc.list_devices(store, user)
        # The laptop's own accounts stay in its hands, up to the laptop's role.
        with pytest.raises(PermissionDenied):
            accounts.add_user(helper, "ana", "Ana", Role.ADVISOR, "advisor pass 12")
        with pytest.raises(PermissionDenied):
            accounts.add_user(helper, "ana", "Ana", Role.COORDINATOR, "coordinator pass 1")
        mia = accounts.add_user(helper, "mia", "Mia", Role.HELPER, "helper pass 12")
        accounts.set_password(helper, mia.id, "helper pass 34", "helper pass 34")
        assert accounts.log_in(store.paths.data_dir, "mia", "helper pass 34").user.role is (
            Role.HELPER
        )
        accounts.remove_user(helper, mia.id)
    finally:
        helper.close()


def test_a_laptop_approved_for_advisors_reads_restricted_sections_but_does_not_coordinate(
    laptops: Laptops,
) -> None:
    a = laptops.new("A")
    pid = add_person(a, "Elena", "Radu")
    laptops.sync(a)
    b = laptops.new("B", role=Role.ADVISOR)
    laptops.sync(b)
    advisor = logged_in_again(b)
    try:
        user = advisor.user
        assert user.role is Role.ADVISOR and user.lowered
        assert visits.withheld_kinds(advisor.store, user, pid) == frozenset()
        assert allowed(user, Action.EXPORT_PERSON) and allowed(user, Action.MANAGE_USERS)
        assert not allowed(user, Action.ERASE_PERSON) and not allowed(user, Action.VIEW_AUDIT)
        accounts.add_user(advisor, "ion", "Ion", Role.ADVISOR, "advisor pass 12")  # up to it
        with pytest.raises(PermissionDenied):
            accounts.add_user(advisor, "eva", "Eva", Role.COORDINATOR, "coordinator pass 1")
    finally:
        advisor.close()


def test_a_role_changed_on_the_server_makes_the_key_fail_to_open(
    laptops: Laptops, server: ServerProcess
) -> None:
    """The server's operator edits the role stored with the key to "coordinator": the laptop
    refuses the key (it was wrapped for "helper") and takes nothing; told the truth again, it
    takes it as a helper's."""
    a = laptops.new("A")
    b = laptops.new("B", approve=False)
    sync_uc.approve_device(
        a.store, a.user, device_id(b), sync_uc.fingerprint(b.store), role=Role.HELPER
    )
    _set_server_role(server, b, "coordinator")
    with sync_uc.client_for(b.store) as client, pytest.raises(crypto.KeyUnwrapError):
        sync_uc.fetch_keys(b.store, client)
    assert keyring_of(b) == {} and sync_uc.laptop_role(b.store) is None
    _set_server_role(server, b, "helper")
    # Approved again for helpers: the server holds its key at that role already, so nothing
    # changes and nothing is written ("same_role"); the laptop takes the key it holds.
    with pytest.raises(sync_uc.SyncSetupError) as again:
        approve_and_confirm(a, b, role=Role.HELPER)
    assert again.value.code == "same_role"
    with sync_uc.client_for(b.store) as client:
        sync_uc.fetch_keys(b.store, client)
    sync_uc.confirm_coordinator(b.store, b.user, sync_uc.fingerprint(a.store))
    assert keyring_of(b) and sync_uc.laptop_role(b.store) is Role.HELPER


def test_renewals_keep_the_ceiling_even_where_the_server_lists_a_higher_role(
    laptops: Laptops, server: ServerProcess
) -> None:
    a = laptops.new("A")
    b = laptops.new("B", role=Role.HELPER)
    c = laptops.new("C", role=Role.ADVISOR)
    laptops.sync(a, b, c)
    # A renewal after a revocation: B gets the new key, for the role the server lists.
    sync_uc.revoke_device(a.store, a.user, device_id(c))
    first = sync_uc.rotate_team_key(a.store, a.user)
    assert device_id(b) in first.given
    laptops.sync(b)
    assert active_key_id(b) == first.key_id and sync_uc.laptop_role(b.store) is Role.HELPER
    # The server lists B as a coordinator's: the next key is wrapped so (the server's word),
    # and opens, but lowers nothing and raises nothing.
    _set_server_role(server, b, "coordinator")
    second = sync_uc.rotate_team_key(a.store, a.user)
    assert device_id(b) in second.given
    laptops.sync(b)
    assert active_key_id(b) == second.key_id
    assert sync_uc.laptop_role(b.store) is Role.HELPER
    assert role_on_login(b) is Role.HELPER


def test_a_laptop_enrolled_with_a_coordinators_code_is_approved_for_coordinators_only(
    laptops: Laptops,
) -> None:
    a = laptops.new("A")
    b = laptops.new("B", approve=False, coordinator=True)
    for role in (Role.HELPER, Role.ADVISOR):
        with pytest.raises(sync_uc.SyncSetupError) as refused:
            sync_uc.approve_device(
                a.store, a.user, device_id(b), sync_uc.fingerprint(b.store), role=role
            )
        assert refused.value.code == "role_not_coordinator"
    approve_and_confirm(a, b, role=Role.COORDINATOR)
    assert sync_uc.laptop_role(b.store) is Role.COORDINATOR
    assert role_on_login(b) is Role.COORDINATOR


def test_a_higher_role_takes_joining_again_with_a_new_code(
    laptops: Laptops, server: ServerProcess
) -> None:
    """Approving a laptop again for a higher role raises nothing: it is refused as a role
    change to a higher one is (it went through, the audit said "advisors", and its keys kept
    the role they were wrapped for). Joined again with a new code and approved for advisors,
    it works as an advisor's."""
    a = laptops.new("A")
    b = laptops.new("B", role=Role.HELPER)
    laptops.sync(a, b)
    with pytest.raises(sync_uc.SyncSetupError) as refused:
        sync_uc.approve_device(
            a.store, a.user, device_id(b), sync_uc.fingerprint(b.store), role=Role.ADVISOR
        )
    assert refused.value.code == "role_not_lower"
    laptops.sync(b)
    assert sync_uc.laptop_role(b.store) is Role.HELPER
    sync_uc.revoke_device(a.store, a.user, device_id(b))
    sync_uc.join(b.store, laptops.url, server.enroll("B again"), "B", again=True)
    assert sync_uc.laptop_role(b.store) is Role.HELPER  # until the new approval's key came
    sync_uc.approve_device(
        a.store, a.user, device_id(b), sync_uc.fingerprint(b.store), role=Role.ADVISOR
    )
    laptops.sync(b)
    assert sync_uc.laptop_role(b.store) is Role.ADVISOR
    assert role_on_login(b) is Role.ADVISOR


def test_a_helpers_laptop_confirms_another_coordinators_laptop_and_stays_a_helpers(
    laptops: Laptops,
) -> None:
    """A key renewed by a second coordinator's laptop waits on the helpers' laptop until its
    fingerprint is confirmed there: its first account, a helper's now, may confirm it (nobody
    else on that laptop could), and the key's role lowers nothing it may not lower."""
    a = laptops.new("A")
    c = laptops.new("C", coordinator=True)
    b = laptops.new("B", role=Role.HELPER)
    laptops.sync(a, b, c)
    laptops.sync(c)
    renewed = sync_uc.rotate_team_key(c.store, c.user)
    assert device_id(b) in renewed.given
    laptops.sync(b)  # under the key it has; C's waits
    assert active_key_id(b) != renewed.key_id
    assert [w.device_name for w in sync_uc.waiting_senders(b.store)] == ["C"]
    helper = logged_in_again(b)
    try:
        assert helper.user.role is Role.HELPER
        sync_uc.confirm_coordinator(helper.store, helper.user, sync_uc.fingerprint(c.store))
    finally:
        helper.close()
    laptops.sync(b)
    assert active_key_id(b) == renewed.key_id
    assert sync_uc.laptop_role(b.store) is Role.HELPER
