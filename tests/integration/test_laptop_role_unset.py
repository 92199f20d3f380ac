"""Laptops approved before laptops had roles, against a real server process on 127.0.0.1
(SQLite, and PostgreSQL where the cluster runs): the server's migration 0008 left their role
NULL, and the laptop keeps no role ceiling. Nothing said so: a student helpers' laptop joined
back then let an account with a higher role do everything on it, unknown to anyone.

Now a coordinator's laptop lists them as having no role chosen yet (the Laptops dialog,
``welcome-desk devices``, the window's banner), any role is chosen for them by the role-change
path, a coordinator's too, and the laptop keeps every right until then (a team updating is not
locked out on the day) and says so to a coordinator logged in on it.
"""

from __future__ import annotations

import pytest

from desktop_app.domain.users import Role
from desktop_app.usecases import accounts, audit
from desktop_app.usecases import sync as sync_uc
from desktop_app.usecases.accounts import Session
from tests.integration.sync_harness import (
    PASSWORD,
    Laptops,
    ServerProcess,
    active_key_id,
    as_before_roles,
    device_id,
    keyring_of,
    role_on_login,
    run_desk,
)
from tests.integration.test_laptop_role_change import (
    _server_roles,
    change_cut_after_the_first_key,
)


def _pre_role(laptops: Laptops, server: ServerProcess) -> tuple[Session, Session]:
    """A coordinator's laptop A and B, approved before laptops had roles and synced."""
    a = laptops.new("A")
    b = laptops.new("B", role=Role.COORDINATOR)
    laptops.sync(a, b)
    as_before_roles(server, a, b)
    laptops.sync(a, b)  # its keys as the server keeps them now: opened, they change nothing
    assert _server_roles(server, b) == (None, {None})
    return a, b


def test_a_laptop_approved_before_roles_is_listed_without_one_and_keeps_every_right(
    laptops: Laptops, server: ServerProcess
) -> None:
    a, b = _pre_role(laptops, server)
    # A laptop enrolled with a coordinator's code is a coordinator's, role or not.
    k = laptops.new("K", coordinator=True)
    as_before_roles(server, a, k)
    assert sync_uc.status(a.store).laptops_without_role == ()  # not listed yet here
    listed = {d.name: d for d in sync_uc.list_devices(a.store, a.user)}
    assert [name for name, d in listed.items() if sync_uc.has_no_role(d)] == ["B"]
    assert sync_uc.laptops_without_role(a.store) == ["B"]
    assert sync_uc.status(a.store).laptops_without_role == ("B",)
    # The laptop itself: every right it had (its first account is a coordinator's), and it
    # knows it has no role; the coordinators' laptops do not say so of themselves.
    assert sync_uc.laptop_role(b.store) is None
    accounts.refresh_user(b)
    assert b.user.role is Role.COORDINATOR and role_on_login(b) is Role.COORDINATOR
    assert sync_uc.status(b.store).own_role_unset
    assert not sync_uc.status(a.store).own_role_unset
    assert not sync_uc.status(k.store).own_role_unset
    # Learned after a sync too (the window's first of a session), whatever the server's mark.
    mark = sync_uc.sync_now(a.store).revocations
    assert sync_uc.learn_revocations(a.store, a.user, mark) is True
    with a.store.transaction() as session:
        sync_uc.set_meta(session, sync_uc.LAPTOPS_WITHOUT_ROLE, "[]")
    assert sync_uc.learn_revocations(a.store, a.user, mark) is False  # the mark says no news
    assert sync_uc.laptops_without_role(a.store) == []  # (nothing asked)
    assert sync_uc.learn_revocations(a.store, a.user, mark, every=True) is True
    assert sync_uc.laptops_without_role(a.store) == ["B"]


@pytest.mark.parametrize("role", [Role.HELPER, Role.ADVISOR, Role.COORDINATOR])
def test_a_role_is_chosen_for_a_laptop_approved_before_roles(
    laptops: Laptops, server: ServerProcess, role: Role
) -> None:
    a, b = _pre_role(laptops, server)
    held = keyring_of(b)
    sync_uc.list_devices(a.store, a.user)
    listed, before = sync_uc.change_laptop_role(a.store, a.user, device_id(b), role)
    assert listed.laptop_role is None and before is Role.COORDINATOR  # every right it had
    assert _server_roles(server, b) == (role.value, {role.value})
    assert not any(sync_uc.has_no_role(d) for d in sync_uc.list_devices(a.store, a.user))
    assert sync_uc.laptops_without_role(a.store) == []
    entries = audit.list_entries(a.store, a.user, record_id=device_id(b))
    # No role was chosen before (it said "previous_role: coordinator", as if one had been).
    assert [e.details for e in entries if e.action == "change_laptop_role"] == [
        {
            "role": role.value,
            "previous_role": sync_uc.NO_ROLE_BEFORE,
            # A coordinator's role chosen makes it a coordinator's on the server too.
            "server_coordinator": role is Role.COORDINATOR,
        }
    ]
    assert sync_uc.status(b.store).own_role_unset  # until it syncs
    laptops.sync(b)
    assert keyring_of(b) == held  # the same keys, wrapped anew, set its ceiling
    assert sync_uc.laptop_role(b.store) is role
    assert not sync_uc.status(b.store).own_role_unset
    assert role_on_login(b) is role
    # Chosen once: the same role again changes nothing, a higher one takes joining again.
    with pytest.raises(sync_uc.SyncSetupError) as again:
        sync_uc.change_laptop_role(a.store, a.user, device_id(b), role)
    assert again.value.code == "same_role"


def test_the_command_line_lists_laptops_without_a_role_and_chooses_one(
    laptops: Laptops, server: ServerProcess
) -> None:
    a, b = _pre_role(laptops, server)
    data_dir = str(a.store.paths.data_dir)
    listed = run_desk("devices", "list", "--data-dir", data_dir, password=PASSWORD)
    assert listed.returncode == 0, listed.stderr
    line = next(row for row in listed.stdout.splitlines() if row.startswith(device_id(b)))
    assert line.endswith("\tB\tno role chosen yet"), line
    own = next(row for row in listed.stdout.splitlines() if row.startswith(device_id(a)))
    assert own.endswith("\tA\tCoordinators"), own
    german = run_desk("devices", "list", "--data-dir", data_dir, password=PASSWORD, lang="de")
    assert "\tB\tnoch keine Rolle gewählt" in german.stdout, german.stdout
    chosen = run_desk(
        "devices",
        "set-role",
        device_id(b)[:8],
        "--role",
        "coordinator",
        "--data-dir",
        data_dir,
        password=PASSWORD,
    )
    assert chosen.returncode == 0, chosen.stderr
    assert "B: for Coordinators from its next sync on (was: no role chosen yet)" in chosen.stdout
    assert _server_roles(server, b) == ("coordinator", {"coordinator"})


@pytest.mark.parametrize("role", [Role.HELPER, Role.COORDINATOR])
def test_a_renewal_leaves_a_laptop_without_a_role_listed_so_and_a_role_is_chosen_after_it(
    laptops: Laptops, server: ServerProcess, role: Role
) -> None:
    """A renewal wraps the new key for a coordinator's (the laptop had every right), and the
    server listed the laptop as a coordinators' from then on: nobody had chosen that, and
    nothing said any more that it had no role."""
    a, b = _pre_role(laptops, server)
    c = laptops.new("C", role=Role.HELPER)
    laptops.sync(c)
    sync_uc.revoke_device(a.store, a.user, device_id(c))
    renewal = sync_uc.rotate_team_key(a.store, a.user)
    assert device_id(b) in renewal.given
    assert _server_roles(server, b) == (None, {None, "coordinator"})
    listed = {d.name: d for d in sync_uc.list_devices(a.store, a.user)}
    assert sync_uc.has_no_role(listed["B"])
    laptops.sync(b)
    laptops.sync(b)  # the renewal's key held: taken again, it sets no role either
    assert sync_uc.laptops_without_role(a.store) == ["B"]
    # Every right, as before, and it still says no role was chosen for it: the renewal's key,
    # wrapped for a coordinator's, was taken as its role, and its banner went while the
    # coordinators' list still said "no role chosen yet".
    assert sync_uc.laptop_role(b.store) is None
    assert sync_uc.status(b.store).own_role_unset
    assert role_on_login(b) is Role.COORDINATOR
    assert active_key_id(b) == renewal.key_id
    sync_uc.change_laptop_role(a.store, a.user, device_id(b), role)
    assert _server_roles(server, b) == (role.value, {role.value})
    assert not any(sync_uc.has_no_role(d) for d in sync_uc.list_devices(a.store, a.user))
    assert sync_uc.laptops_without_role(a.store) == []
    laptops.sync(b)
    assert sync_uc.laptop_role(b.store) is role


def choice_broken_off(
    laptops: Laptops, server: ServerProcess, role: Role
) -> tuple[Session, Session]:
    """A coordinator's laptop A chooses ``role`` for B, approved before roles with two keys,
    and the link is cut after the first key; the server lists that role from then on."""
    a = laptops.new("A")
    sync_uc.rotate_team_key(a.store, a.user)  # B gets two keys: the link is cut between them
    b = laptops.new("B")
    laptops.sync(a, b)
    as_before_roles(server, a, b)
    laptops.sync(a, b)
    change_cut_after_the_first_key(server, a, b, role).close()
    sync_uc.change_server_url(a.store, a.user, server.base_url)
    assert _server_roles(server, b) == (role.value, {role.value, None})
    [note] = sync_uc.unfinished_role_changes(a.store)
    assert note.unset and note.role is role
    return a, b


def test_a_choice_broken_off_for_a_laptop_without_a_role_is_audited_as_from_none(
    laptops: Laptops, server: ServerProcess
) -> None:
    """Once the first key is replaced the server lists the role chosen: the note kept here
    says that the laptop had none, for the entry of the change finished by asking again."""
    a, b = choice_broken_off(laptops, server, Role.HELPER)
    sync_uc.change_laptop_role(a.store, a.user, device_id(b), Role.HELPER)
    assert _server_roles(server, b) == ("helper", {"helper"})
    entries = audit.list_entries(a.store, a.user, action="change_laptop_role")
    assert [e.details for e in entries] == [
        {"role": "helper", "previous_role": sync_uc.NO_ROLE_BEFORE, "server_coordinator": False}
    ]


def test_a_renewal_from_a_coordinators_laptop_confirmed_later_sets_no_role(
    laptops: Laptops, server: ServerProcess
) -> None:
    """K, a second coordinators' laptop B has not confirmed, renews the team key: its key for B
    waits, wrapped for a coordinator's (B had every right). Confirming K later took that as B's
    role, as the sync's fetch had before 9dee374b: B stopped saying it has no role while the
    coordinators' list still said so. A role K chooses for B afterwards is taken as before."""
    a, b = _pre_role(laptops, server)
    k = laptops.new("K", coordinator=True)
    c = laptops.new("C", role=Role.HELPER)
    laptops.sync(a, b, k, c)
    sync_uc.revoke_device(k.store, k.user, device_id(c))
    renewal = sync_uc.rotate_team_key(k.store, k.user)
    assert device_id(b) in renewal.given
    laptops.sync(b)
    assert sync_uc.status(b.store).unconfirmed_senders == ("K",)
    assert sync_uc.laptop_role(b.store) is None

    sync_uc.confirm_coordinator(b.store, b.user, sync_uc.fingerprint(k.store))
    assert active_key_id(b) == renewal.key_id
    assert sync_uc.laptop_role(b.store) is None
    assert sync_uc.status(b.store).own_role_unset
    assert role_on_login(b) is Role.COORDINATOR
    laptops.sync(b)
    assert sync_uc.laptop_role(b.store) is None

    sync_uc.change_laptop_role(k.store, k.user, device_id(b), Role.ADVISOR)
    laptops.sync(b)
    assert sync_uc.laptop_role(b.store) is Role.ADVISOR
    assert not sync_uc.status(b.store).own_role_unset
