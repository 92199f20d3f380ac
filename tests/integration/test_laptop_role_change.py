"""A coordinator lowers an approved laptop's role without it joining again, against a real
server process on 127.0.0.1 (SQLite, and PostgreSQL where the cluster runs).

Before, the only way was revoke, a new code, join again, approve, with the laptop in hand.
Now the coordinator's laptop wraps the team keys that laptop holds anew, for the lower role,
and the server keeps them in place of the old; the laptop's next sync lowers its ceiling. A
role is never raised so: that still takes joining again.
"""

from __future__ import annotations

import pytest
from sqlalchemy import select, update
from sqlalchemy.orm import Session as DbSession

from desktop_app.domain.permissions import Action, PermissionDenied, allowed
from desktop_app.domain.users import Role
from desktop_app.sync import crypto
from desktop_app.sync.engine import add_team_key
from desktop_app.sync.http_client import BadRequest, Forbidden, SyncError
from desktop_app.usecases import accounts, audit, people, visits
from desktop_app.usecases import sync as sync_uc
from desktop_app.usecases.accounts import Session
from sync_server import models
from tests.integration.sync_harness import (
    PASSWORD,
    CuttingProxy,
    Laptops,
    ServerProcess,
    active_key_id,
    add_person,
    device_id,
    keyring_of,
    logged_in_again,
    role_on_login,
    run_desk,
    wrapped_key_ids,
)


def _server_roles(server: ServerProcess, laptop: Session) -> tuple[str | None, set[str | None]]:
    """The role on the laptop's row, and those stored with its keys."""
    with DbSession(server.engine) as s:
        row = s.get(models.Device, device_id(laptop))
        assert row is not None
        keys = set(
            s.scalars(
                select(models.WrappedKey.laptop_role).where(
                    models.WrappedKey.device_id == device_id(laptop)
                )
            )
        )
        return row.laptop_role, keys


def test_an_advisors_laptop_lowered_to_student_helpers_at_its_next_sync_keeps_its_unsent_work(
    laptops: Laptops, server: ServerProcess
) -> None:
    a = laptops.new("A")
    pid = add_person(a, "Elena", "Radu")
    b = laptops.new("B", role=Role.ADVISOR)
    laptops.sync(a, b)
    assert accounts.refresh_user(b) and b.user.role is Role.ADVISOR
    held = keyring_of(b)
    # Registered on B while it is away from the network: not sent yet.
    unsent = add_person(b, "Ion", "Popa")
    assert sync_uc.status(b.store).pending_work

    listed, before = sync_uc.change_laptop_role(a.store, a.user, device_id(b), Role.HELPER)
    assert before is Role.ADVISOR and listed.device_id == device_id(b)
    assert _server_roles(server, b) == ("helper", {"helper"})
    assert [d.laptop_role for d in sync_uc.list_devices(a.store, a.user) if d.name == "B"] == [
        "helper"
    ]
    entries = audit.list_entries(a.store, a.user, record_id=device_id(b))
    assert [(e.action, e.details) for e in entries if e.action == "change_laptop_role"] == [
        (
            "change_laptop_role",
            {"role": "helper", "previous_role": "advisor", "server_coordinator": False},
        )
    ]
    # Nothing changes on B until it syncs.
    assert sync_uc.laptop_role(b.store) is Role.ADVISOR

    laptops.sync(b)
    # The same keys (no renewal): the ones it held, wrapped anew, lowered it.
    assert keyring_of(b) == held
    assert sync_uc.laptop_role(b.store) is Role.HELPER
    assert accounts.refresh_user(b)  # what the window does after the sync
    helper = b.user
    assert helper.role is Role.HELPER and helper.lowered
    assert not allowed(helper, Action.VIEW_RESTRICTED)
    assert visits.withheld_kinds(b.store, helper, pid) == {"health", "exploitation"}
    assert role_on_login(b) is Role.HELPER
    # Its person went out with the same sync, and reached A.
    assert sync_uc.status(b.store).pending_work == 0
    laptops.sync(a)
    person = people.get_person(a.store, a.user, unsent)
    assert person is not None and person.given_name == "Ion"


def test_a_higher_or_the_same_role_is_refused_and_the_server_refuses_raising_a_key(
    laptops: Laptops, server: ServerProcess
) -> None:
    a = laptops.new("A")
    b = laptops.new("B", role=Role.HELPER)
    laptops.sync(a, b)
    for role, code in ((Role.ADVISOR, "role_not_lower"), (Role.HELPER, "same_role")):
        with pytest.raises(sync_uc.SyncSetupError) as refused:
            sync_uc.change_laptop_role(a.store, a.user, device_id(b), role)
        assert refused.value.code == code
    # The server's own rule, for a coordinator's laptop that asks anyway.
    key_id = active_key_id(a)
    assert key_id is not None
    own = sync_uc.device_keys(a.store)
    public = sync_uc.device_keys(b.store).public_key
    blob = crypto.wrap_team_key(keyring_of(a)[key_id], key_id, own, public, laptop_role="advisor")
    with sync_uc.client_for(a.store) as client, pytest.raises(BadRequest) as raising:
        client.upload_wrapped_key(device_id(b), key_id, blob, own.public_key, laptop_role="advisor")
    assert raising.value.status == 409
    assert _server_roles(server, b) == ("helper", {"helper"})
    laptops.sync(b)
    assert sync_uc.laptop_role(b.store) is Role.HELPER
    assert audit.list_entries(a.store, a.user, action="change_laptop_role") == []


def test_a_member_laptop_changes_no_role_neither_by_the_use_case_nor_at_the_server(
    laptops: Laptops, server: ServerProcess
) -> None:
    """C was approved before laptops had roles: its first account coordinates there, but the
    server lets only a coordinator's laptop (by a coordinator's code, or approved for
    coordinators) upload keys."""
    a = laptops.new("A")
    b = laptops.new("B", role=Role.ADVISOR)
    c = laptops.new_member("C")
    laptops.sync(a, b, c)
    assert accounts.refresh_user(c) is False and c.user.role is Role.COORDINATOR
    with pytest.raises(sync_uc.SyncSetupError) as refused:
        sync_uc.change_laptop_role(c.store, c.user, device_id(b), Role.HELPER)
    assert refused.value.code == "not_coordinator_laptop"
    # Asked directly, the server refuses C's wrapping of the key C holds.
    key_id = active_key_id(c)
    assert key_id is not None
    own = sync_uc.device_keys(c.store)
    public = sync_uc.device_keys(b.store).public_key
    blob = crypto.wrap_team_key(keyring_of(c)[key_id], key_id, own, public, laptop_role="helper")
    with sync_uc.client_for(c.store) as client, pytest.raises(Forbidden) as forbidden:
        client.upload_wrapped_key(device_id(b), key_id, blob, own.public_key, laptop_role="helper")
    assert forbidden.value.code == "not_coordinator"
    # B's advisor account may not either.
    laptops.sync(b)
    assert accounts.refresh_user(b)
    with pytest.raises(PermissionDenied):
        sync_uc.change_laptop_role(b.store, b.user, device_id(c), Role.HELPER)
    assert _server_roles(server, b) == ("advisor", {"advisor"})
    laptops.sync(b)
    assert sync_uc.laptop_role(b.store) is Role.ADVISOR


def test_a_server_listing_a_higher_role_later_does_not_raise_the_lowered_laptop(
    laptops: Laptops, server: ServerProcess
) -> None:
    a = laptops.new("A")
    b = laptops.new("B", role=Role.ADVISOR)
    c = laptops.new("C", role=Role.HELPER)
    laptops.sync(a, b, c)
    sync_uc.change_laptop_role(a.store, a.user, device_id(b), Role.HELPER)
    laptops.sync(b)
    assert sync_uc.laptop_role(b.store) is Role.HELPER
    # The server's operator lists B as an advisor's again: the next renewal wraps the new key
    # for that role (the server's word), and B takes it, but stays a helpers' laptop.
    with DbSession(server.engine) as s, s.begin():
        s.execute(
            update(models.Device)
            .where(models.Device.id == device_id(b))
            .values(laptop_role="advisor")
        )
    sync_uc.revoke_device(a.store, a.user, device_id(c))
    renewed = sync_uc.rotate_team_key(a.store, a.user)
    assert device_id(b) in renewed.given
    laptops.sync(b)
    assert active_key_id(b) == renewed.key_id
    assert sync_uc.laptop_role(b.store) is Role.HELPER
    assert role_on_login(b) is Role.HELPER


def test_the_lowered_laptops_keeper_of_accounts_adds_no_advisor(laptops: Laptops) -> None:
    a = laptops.new("A")
    b = laptops.new("B", role=Role.ADVISOR)
    laptops.sync(a, b)
    sync_uc.change_laptop_role(a.store, a.user, device_id(b), Role.HELPER)
    laptops.sync(b)
    keeper = logged_in_again(b)
    try:
        assert keeper.user.keeps_accounts and keeper.user.role is Role.HELPER
        with pytest.raises(PermissionDenied):
            accounts.add_user(keeper, "ana", "Ana", Role.ADVISOR, "advisor pass 12")
        mia = accounts.add_user(keeper, "mia", "Mia", Role.HELPER, "helper pass 12")
        assert mia.role is Role.HELPER
    finally:
        keeper.close()


def test_laptops_whose_role_is_not_changed_so(laptops: Laptops) -> None:
    """This laptop, a laptop waiting for approval, one enrolled with a coordinator's code, and
    one revoked: each refused with its reason, and nothing sent."""
    a = laptops.new("A")
    waiting = laptops.new("W", approve=False)
    coordinator = laptops.new("K", coordinator=True)
    revoked = laptops.new("R", role=Role.ADVISOR)
    sync_uc.revoke_device(a.store, a.user, device_id(revoked))
    for laptop, code in (
        (a, "own_laptop_role"),
        (waiting, "not_approved_laptop"),
        (coordinator, "coordinator_code_role"),
        (revoked, "revoked_laptop"),
    ):
        with pytest.raises(sync_uc.SyncSetupError) as refused:
            sync_uc.change_laptop_role(a.store, a.user, device_id(laptop), Role.HELPER)
        assert refused.value.code == code, laptop.store.paths.data_dir
    # The server's own rule: a laptop enrolled with a coordinator's code stays a coordinator's.
    key_id = active_key_id(a)
    assert key_id is not None
    own = sync_uc.device_keys(a.store)
    public = sync_uc.device_keys(coordinator.store).public_key
    blob = crypto.wrap_team_key(keyring_of(a)[key_id], key_id, own, public, laptop_role="helper")
    with sync_uc.client_for(a.store) as client, pytest.raises(BadRequest) as kept:
        client.upload_wrapped_key(
            device_id(coordinator), key_id, blob, own.public_key, laptop_role="helper"
        )
    assert kept.value.code == "role_not_coordinator"
    with pytest.raises(sync_uc.SyncSetupError) as unknown:
        sync_uc.change_laptop_role(a.store, a.user, "no-such-laptop", Role.HELPER)
    assert unknown.value.code == "unknown_device"


def test_a_renewal_broken_off_on_the_coordinators_laptop_gives_the_lowered_laptop_no_new_key(
    laptops: Laptops, server: ServerProcess
) -> None:
    """A keeps the key of a renewal it began and could not finish, unused (newer than the key
    in use): wrapped for B here, B would encrypt with a key the other laptops may lack."""
    a = laptops.new("A")
    sync_uc.rotate_team_key(a.store, a.user)  # B gets an older key and the one in use
    b = laptops.new("B", role=Role.ADVISOR)
    laptops.sync(a, b)
    in_use = active_key_id(a)
    given = wrapped_key_ids(server, device_id(b))
    assert in_use is not None and len(given) == 2
    unfinished = sync_uc.new_team_key()
    with a.store.transaction() as s:
        add_team_key(s, unfinished.key_id, unfinished.key, str(a.store.clock.now()), active=False)
    assert sync_uc.renewal_unfinished(a.store)
    sync_uc.change_laptop_role(a.store, a.user, device_id(b), Role.HELPER)
    assert wrapped_key_ids(server, device_id(b)) == given
    assert _server_roles(server, b) == ("helper", {"helper"})  # both keys it holds
    laptops.sync(b)
    assert active_key_id(b) == in_use and sync_uc.laptop_role(b.store) is Role.HELPER


def _plant_wrapping(
    server: ServerProcess, laptop: Session, key_id: str, by: Session, role: str
) -> None:
    """The server's store, as a malicious server (or one restored from an old backup) keeps it:
    the key ``key_id`` for ``laptop`` replaced by one ``by`` wrapped for ``role``. ``by``
    holds the key, and ``laptop``'s public key is no secret; the server itself takes keys only
    from a coordinator's laptop (a member's is refused: the test above), so planted here."""
    sender = sync_uc.device_keys(by.store)
    public = sync_uc.device_keys(laptop.store).public_key
    blob = crypto.wrap_team_key(keyring_of(by)[key_id], key_id, sender, public, laptop_role=role)
    with DbSession(server.engine) as s, s.begin():
        s.execute(
            update(models.WrappedKey)
            .where(
                models.WrappedKey.device_id == device_id(laptop),
                models.WrappedKey.key_id == key_id,
            )
            .values(
                wrapped_key=blob,
                sender_public_key=sender.public_key,
                sender_device=device_id(by),
                laptop_role=role,
            )
        )


def test_a_lowering_wrapped_by_a_laptop_not_confirmed_as_a_coordinators_is_not_taken(
    laptops: Laptops, server: ServerProcess, caplog: pytest.LogCaptureFixture
) -> None:
    """C, a helpers' laptop, holds the team key, as any laptop of the team (or a revoked one's
    stored key pair) does: its wrapping of that key for B, with a lower role, opens on B to the
    very key B holds. B never confirmed C's fingerprint: it stays a coordinators' laptop, says
    that C's change waits for C to be confirmed, and its sync goes on. A's lowering, made
    afterwards, still lowers it, and the waiting one is dropped with the wrapping it was."""
    a = laptops.new("A")
    b = laptops.new("B", role=Role.COORDINATOR)  # an ordinary code, approved for coordinators
    c = laptops.new("C", role=Role.HELPER)
    laptops.sync(a, b, c)
    key_id = active_key_id(b)
    assert key_id is not None and key_id == active_key_id(c)
    _plant_wrapping(server, b, key_id, by=c, role="advisor")
    pid = add_person(b, "Ion", "Popa")

    with caplog.at_level("WARNING", logger="desktop_app.usecases.sync"):
        laptops.sync(b)
    assert sync_uc.laptop_role(b.store) is Role.COORDINATOR
    assert role_on_login(b) is Role.COORDINATOR
    assert any("not confirmed here: waits" in r.getMessage() for r in caplog.records)
    state = sync_uc.status(b.store)
    assert state.role_lowerings == (("C", "advisor"),) and state.unconfirmed_senders == ("C",)
    assert state.pending_work == 0  # the sync went on: Ion was sent
    laptops.sync(a)
    assert people.get_person(a.store, a.user, pid) is not None

    # The coordinator's own lowering, to a role below the planted one, replaces it and is taken.
    sync_uc.change_laptop_role(a.store, a.user, device_id(b), Role.HELPER)
    laptops.sync(b)
    assert sync_uc.laptop_role(b.store) is Role.HELPER
    assert role_on_login(b) is Role.HELPER
    state = sync_uc.status(b.store)
    assert state.role_lowerings == () and state.unconfirmed_senders == ()


def _second_coordinator_lowers(laptops: Laptops) -> tuple[Session, Session, Session]:
    """A approved B for advisors and K, a second coordinators' laptop; K lowers B to student
    helpers. B confirmed A's fingerprint when it joined, never K's."""
    a = laptops.new("A")
    b = laptops.new("B", role=Role.ADVISOR)
    k = laptops.new("K", coordinator=True)
    laptops.sync(a, b, k)
    sync_uc.change_laptop_role(k.store, k.user, device_id(b), Role.HELPER)
    return a, b, k


def test_a_lowering_by_a_coordinators_laptop_not_confirmed_here_is_said_and_taken_once_confirmed(
    laptops: Laptops, server: ServerProcess
) -> None:
    """It was ignored without a word: B went on as an advisors' laptop and nobody knew. Now B
    keeps its role meanwhile (a lowering taken unconfirmed could not be undone: a role is
    raised only by joining again) and says who changed it to what; confirming K takes it."""
    _a, b, k = _second_coordinator_lowers(laptops)
    held = keyring_of(b)
    for _sync in range(2):  # kept from one sync to the next, once
        laptops.sync(b)
        assert sync_uc.laptop_role(b.store) is Role.ADVISOR
        state = sync_uc.status(b.store)
        assert state.role_lowerings == (("K", "helper"),)
        assert state.unconfirmed_senders == ("K",)
    [waiting] = sync_uc.waiting_senders(b.store)
    assert waiting.lowered_to == "helper" and waiting.device_name == "K"
    assert keyring_of(b) == held

    sync_uc.confirm_coordinator(b.store, b.user, sync_uc.fingerprint(k.store))
    # At once, before any sync.
    assert sync_uc.laptop_role(b.store) is Role.HELPER
    assert role_on_login(b) is Role.HELPER
    assert sync_uc.status(b.store).role_lowerings == ()
    assert sync_uc.waiting_senders(b.store) == []
    [entry] = audit.list_entries(
        b.store, b.user, action="confirm_coordinator", record_id=device_id(k)
    )
    assert entry.details == {"fingerprint": waiting.fingerprint, "role": "helper"}
    laptops.sync(b)
    assert sync_uc.laptop_role(b.store) is Role.HELPER and keyring_of(b) == held


@pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)
def test_the_command_line_sync_says_a_lowering_waits_for_its_sender(
    laptops: Laptops, server: ServerProcess
) -> None:
    _a, b, k = _second_coordinator_lowers(laptops)
    done = run_desk("sync", "--data-dir", str(b.store.paths.data_dir), password=PASSWORD)
    assert done.returncode == 0, done.stderr
    assert (
        "The coordinator's laptop “K” changed this laptop's role to Student helpers" in done.stderr
    )
    assert "welcome-desk devices trust" in done.stderr
    assert sync_uc.laptop_role(b.store) is Role.ADVISOR
    trusted = run_desk(
        "devices",
        "trust",
        "--fingerprint",
        sync_uc.fingerprint(k.store),
        "--data-dir",
        str(b.store.paths.data_dir),
        password=PASSWORD,
    )
    assert trusted.returncode == 0, trusted.stderr
    assert "Confirmed: K. This laptop is for Student helpers from now on." in trusted.stdout
    assert sync_uc.laptop_role(b.store) is Role.HELPER


def change_cut_after_the_first_key(
    server: ServerProcess, a: Session, b: Session, role: Role
) -> CuttingProxy:
    """A changes B's role to ``role`` through a link that is cut after the first key went up
    (the server or the network gone between two keys): the change breaks off halfway. Returns
    the link, restored (A still speaks to the server through it)."""
    proxy = CuttingProxy(server.base_url)
    uploads: list[str] = []

    def after_the_first_key(method: str, path: str) -> bool:
        if method == "POST" and path.endswith("/keys"):
            uploads.append(path)
        return len(uploads) > 1

    try:
        sync_uc.change_server_url(a.store, a.user, proxy.url)
        proxy.cut_when = after_the_first_key
        with pytest.raises(SyncError):
            sync_uc.change_laptop_role(a.store, a.user, device_id(b), role)
    except BaseException:
        proxy.close()
        raise
    proxy.restore()
    return proxy


def _broken_off_after_the_first_key(server: ServerProcess, a: Session, b: Session) -> CuttingProxy:
    """A lowers B to student helpers, broken off after the first key; returns the link,
    restored."""
    proxy = change_cut_after_the_first_key(server, a, b, Role.HELPER)
    # The server lists the new role from the first key on; the older key is still an advisor's.
    assert _server_roles(server, b) == ("helper", {"helper", "advisor"})
    assert sync_uc.unfinished_role_changes(a.store) == [
        sync_uc.UnfinishedRoleChange(device_id(b), "B", Role.HELPER, Role.ADVISOR)
    ]
    assert audit.list_entries(a.store, a.user, action="change_laptop_role") == []
    return proxy


def _two_keys_held(laptops: Laptops) -> tuple[Session, Session]:
    a = laptops.new("A")
    sync_uc.rotate_team_key(a.store, a.user)  # B gets an older key and the one in use
    b = laptops.new("B", role=Role.ADVISOR)
    laptops.sync(a, b)
    assert len(keyring_of(b)) == 2
    return a, b


def test_a_role_change_broken_off_after_the_first_key_is_finished_by_asking_again(
    laptops: Laptops, server: ServerProcess
) -> None:
    """Asked again, the change answered "same role" (the server lists it from the first key),
    and the older key stayed wrapped for advisors."""
    a, b = _two_keys_held(laptops)
    held = keyring_of(b)
    proxy = _broken_off_after_the_first_key(server, a, b)
    sync_uc.change_server_url(a.store, a.user, server.base_url)
    proxy.close()
    listed, before = sync_uc.change_laptop_role(a.store, a.user, device_id(b), Role.HELPER)
    assert listed.device_id == device_id(b) and before is Role.ADVISOR
    assert _server_roles(server, b) == ("helper", {"helper"})
    assert sync_uc.unfinished_role_changes(a.store) == []
    entries = audit.list_entries(a.store, a.user, action="change_laptop_role")
    assert [e.details for e in entries] == [
        {"role": "helper", "previous_role": "advisor", "server_coordinator": False}
    ]
    laptops.sync(b)
    assert keyring_of(b) == held
    assert sync_uc.laptop_role(b.store) is Role.HELPER
    # Done: asked once more, nothing is left to change.
    with pytest.raises(sync_uc.SyncSetupError) as same:
        sync_uc.change_laptop_role(a.store, a.user, device_id(b), Role.HELPER)
    assert same.value.code == "same_role"


def _broken_off_with_a_second_coordinator(
    laptops: Laptops, server: ServerProcess
) -> tuple[Session, Session, Session]:
    """A's lowering of B broken off after the first key; K, a second coordinators' laptop that
    holds both keys and the team's records of its laptops, is there to finish it."""
    a, b = _two_keys_held(laptops)
    k = laptops.new("K", coordinator=True)
    laptops.sync(a, b, k)
    proxy = _broken_off_after_the_first_key(server, a, b)
    sync_uc.change_server_url(a.store, a.user, server.base_url)
    proxy.close()
    # The server lists B's new role from the first key on: not done for that.
    laptops.sync(a)
    assert len(sync_uc.unfinished_role_changes(a.store)) == 1
    return a, b, k


# K's entry of A's change finished there: the role before as the server's list gave it.
_FINISHED_BY_K = {"role": "helper", "previous_role": "advisor", "server_coordinator": False}


def _role_change_entries(a: Session) -> list[tuple[str, dict[str, object]]]:
    return [
        (e.device_id, dict(e.details))
        for e in reversed(audit.list_entries(a.store, a.user, action="change_laptop_role"))
    ]


def test_a_role_change_broken_off_here_and_finished_on_another_coordinators_laptop_is_noticed(
    laptops: Laptops, server: ServerProcess
) -> None:
    """The note stayed on A until the change was asked for again there. Now A's next sync
    sees every key of B's at the role chosen and drops it; K's own entry of the change
    reached A first, so A writes no second one."""
    a, b, k = _broken_off_with_a_second_coordinator(laptops, server)
    _listed, before = sync_uc.change_laptop_role(k.store, k.user, device_id(b), Role.HELPER)
    # K took what B had from the server's list before replacing the keys: the advisors' key
    # still kept (its entry had no role before; A's own is no longer written).
    assert before is Role.ADVISOR
    assert sync_uc.unfinished_role_changes(k.store) == []
    assert _server_roles(server, b) == ("helper", {"helper"})
    laptops.sync(k, a)
    assert sync_uc.unfinished_role_changes(a.store) == []
    assert _role_change_entries(a) == [(k.store.device_id, _FINISHED_BY_K)]
    laptops.sync(a)  # nothing more
    assert _role_change_entries(a) == [(k.store.device_id, _FINISHED_BY_K)]
    laptops.sync(b)
    assert sync_uc.laptop_role(b.store) is Role.HELPER


def test_a_role_change_finished_elsewhere_has_one_entry_when_this_laptop_synced_first(
    laptops: Laptops, server: ServerProcess
) -> None:
    """A synced before K sent its entry of the change: A wrote an entry of its own (marked as
    finished on another laptop), and once K's arrived the log held two for one change. Now
    the laptop that replaced the keys writes the entry, and A drops its note without one."""
    a, b, k = _broken_off_with_a_second_coordinator(laptops, server)
    sync_uc.change_laptop_role(k.store, k.user, device_id(b), Role.HELPER)
    laptops.sync(a)  # before K's entry is on the server
    assert sync_uc.unfinished_role_changes(a.store) == []
    assert _role_change_entries(a) == []
    laptops.sync(k, a)
    assert _role_change_entries(a) == [(k.store.device_id, _FINISHED_BY_K)]
    laptops.sync(a, k)
    assert (
        _role_change_entries(a) == _role_change_entries(k) == [(k.store.device_id, _FINISHED_BY_K)]
    )
    assert audit.verify_chain(a.store) == []


def test_a_role_change_broken_off_for_a_laptop_revoked_since_is_dropped(
    laptops: Laptops, server: ServerProcess
) -> None:
    """Revoked from another coordinator's laptop, B's change broken off on A stayed on A (its
    Laptops dialog said to change B's role again, which is refused for a revoked laptop).
    Now A's next sync drops it, as its list of laptops does."""
    a, b, k = _broken_off_with_a_second_coordinator(laptops, server)
    sync_uc.revoke_device(k.store, k.user, device_id(b))
    laptops.sync(a)
    assert sync_uc.unfinished_role_changes(a.store) == []
    assert _role_change_entries(a) == []
    # The list of laptops (the Laptops dialog, ``welcome-desk devices list``) drops it too.
    c = laptops.new("C", role=Role.ADVISOR)
    laptops.sync(a, c)
    proxy = CuttingProxy(server.base_url)
    try:
        sync_uc.change_server_url(a.store, a.user, proxy.url)
        proxy.cut_when = lambda method, path: method == "POST" and path.endswith("/keys")
        with pytest.raises(SyncError):
            sync_uc.change_laptop_role(a.store, a.user, device_id(c), Role.HELPER)
    finally:
        proxy.close()
    sync_uc.change_server_url(a.store, a.user, server.base_url)
    assert [n.device_id for n in sync_uc.unfinished_role_changes(a.store)] == [device_id(c)]
    server.service.revoke(device_id(c))  # by the server's operator
    sync_uc.list_devices(a.store, a.user)
    assert sync_uc.unfinished_role_changes(a.store) == []


@pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)
def test_the_command_line_finishes_a_role_change_broken_off(
    laptops: Laptops, server: ServerProcess
) -> None:
    a, b = _two_keys_held(laptops)
    proxy = _broken_off_after_the_first_key(server, a, b)
    try:
        done = run_desk(
            "devices",
            "set-role",
            device_id(b)[:8],
            "--role",
            "helper",
            "--data-dir",
            str(a.store.paths.data_dir),
            password=PASSWORD,
        )
    finally:
        proxy.close()
    assert done.returncode == 0, done.stderr
    assert "B: for Student helpers from its next sync on (was: Advisors)" in done.stdout
    assert _server_roles(server, b) == ("helper", {"helper"})
    assert sync_uc.unfinished_role_changes(a.store) == []


def test_a_role_change_broken_off_here_is_dropped_once_another_coordinator_chose_a_third_role(
    laptops: Laptops, server: ServerProcess
) -> None:
    """A lowers B, a coordinators' laptop, to advisors and is cut off after the first key; K
    then lowers B to student helpers. The server lists neither the role A chose nor the one B
    had: the note stayed on A ("broken off: change its role again"), and finishing it there
    was refused as a higher role. K's choice stands: A's next sync drops the note."""
    a = laptops.new("A")
    sync_uc.rotate_team_key(a.store, a.user)  # B gets two keys: the link is cut between them
    b = laptops.new("B", role=Role.COORDINATOR)
    k = laptops.new("K", coordinator=True)
    laptops.sync(a, b, k)
    change_cut_after_the_first_key(server, a, b, Role.ADVISOR).close()
    sync_uc.change_server_url(a.store, a.user, server.base_url)
    assert _server_roles(server, b) == ("advisor", {"advisor", "coordinator"})
    [note] = sync_uc.unfinished_role_changes(a.store)
    assert (note.role, note.before) == (Role.ADVISOR, Role.COORDINATOR)

    sync_uc.change_laptop_role(k.store, k.user, device_id(b), Role.HELPER)
    assert _server_roles(server, b) == ("helper", {"helper"})
    laptops.sync(a)
    assert sync_uc.unfinished_role_changes(a.store) == []
    laptops.sync(k, a)
    # K's own change, from the role the server listed; A wrote none.
    assert _role_change_entries(a) == [
        (
            k.store.device_id,
            {"role": "helper", "previous_role": "advisor", "server_coordinator": False},
        )
    ]
    laptops.sync(b)  # K's lowering, taken once B confirms K (B confirmed only A so far)
    assert sync_uc.status(b.store).role_lowerings == (("K", "helper"),)
