"""The sync server moved: a coordinator changes the address this laptop syncs with, and the
next sync goes there (``usecases.sync.change_server_url``)."""

from __future__ import annotations

from pathlib import Path

import pytest

from desktop_app.domain.permissions import PermissionDenied
from desktop_app.domain.person import PersonDraft
from desktop_app.domain.users import Role
from desktop_app.sync.engine import REFUSED, get_meta, set_meta
from desktop_app.usecases import accounts, audit, people
from desktop_app.usecases import sync as sync_uc
from desktop_app.usecases.accounts import Session
from tests.integration.sync_harness import (
    PASSWORD,
    Laptops,
    ServerProcess,
    device_id,
    started_server,
)


def _colleague(coordinator: Session, role: Role) -> Session:
    accounts.add_user(coordinator, "mihai", "Mihai Student", role, PASSWORD)
    return accounts.log_in(coordinator.store.paths.data_dir, "mihai", PASSWORD)


def test_the_next_sync_goes_to_the_address_a_coordinator_changed_to(
    server: ServerProcess, laptops: Laptops, tmp_path: Path
) -> None:
    a = laptops.new("Büro Nordstadt", coordinator=True)
    laptops.sync(a)
    # The same server (its database) answers at another address; the old one is gone.
    with started_server(server.db_url, tmp_path / "moved.log") as moved:
        server.stop()
        people.register_person(
            a.store, a.user, PersonDraft("Ana", "Popescu"), confirm_duplicates=True
        )

        stored = sync_uc.change_server_url(a.store, a.user, f"{moved.base_url}/")

        assert stored == moved.base_url  # as joining stores it: without the trailing slash
        assert sync_uc.server_url(a.store) == moved.base_url
        assert sync_uc.status(a.store).server_url == moved.base_url
        (report,) = laptops.sync(a)  # no restart: the sync reads the address at each round
        assert report.pushed >= 1
        assert sync_uc.status(a.store).pending_changes == 0
        # Audited as the other changes to this laptop's sync, by whom and to where.
        (entry,) = [e for e in audit.list_entries(a.store, a.user) if e.action == "change_server"]
        assert entry.user_id == a.user.id
        assert entry.record_id == device_id(a)
        assert entry.details == {"server_url": moved.base_url}


def test_saving_the_same_address_again_changes_nothing(laptops: Laptops) -> None:
    a = laptops.new("Büro Nordstadt", coordinator=True)
    url = sync_uc.server_url(a.store)
    assert sync_uc.change_server_url(a.store, a.user, f" {url}/ ") == url
    assert not [e for e in audit.list_entries(a.store, a.user) if e.action == "change_server"]


def test_a_refusal_by_the_old_address_is_not_said_of_the_new_one(laptops: Laptops) -> None:
    a = laptops.new("Büro Nordstadt", coordinator=True)
    with a.store.transaction() as db:
        set_meta(db, REFUSED, "unauthorized")  # as a sync refused by the old address left it
    sync_uc.change_server_url(a.store, a.user, "https://sync.example.org")
    with a.store.reading() as db:
        assert get_meta(db, REFUSED) == ""
    assert sync_uc.status(a.store).refused == ""


@pytest.mark.parametrize("role", [Role.HELPER, Role.ADVISOR])
def test_only_a_coordinator_changes_the_address(laptops: Laptops, role: Role) -> None:
    a = laptops.new("Büro Nordstadt", coordinator=True)
    url = sync_uc.server_url(a.store)
    other = _colleague(a, role)
    try:
        with pytest.raises(PermissionDenied):
            sync_uc.change_server_url(other.store, other.user, "https://sync.example.org")
    finally:
        other.close()
    assert sync_uc.server_url(a.store) == url


@pytest.mark.parametrize(
    ("typed", "code"),
    [
        ("http://sync.example.org", "insecure_url"),  # plain HTTP only to this machine
        ("https://", "bad_url"),  # no host ("sync.example.org" alone is taken as https)
        ("", "bad_url"),
        ("https://sync.example.org:99999", "bad_url"),
        ("ftp://sync.example.org", "bad_url"),
    ],
)
def test_an_address_joining_would_refuse_is_refused(
    laptops: Laptops, typed: str, code: str
) -> None:
    a = laptops.new("Büro Nordstadt", coordinator=True)
    url = sync_uc.server_url(a.store)
    with pytest.raises(sync_uc.SyncSetupError) as info:
        sync_uc.change_server_url(a.store, a.user, typed)
    assert info.value.code == code
    assert sync_uc.server_url(a.store) == url


def test_a_laptop_that_has_not_joined_joins_instead(laptops: Laptops) -> None:
    a = laptops.account("Büro Nordstadt")
    with pytest.raises(sync_uc.SyncSetupError) as info:
        sync_uc.change_server_url(a.store, a.user, "https://sync.example.org")
    assert info.value.code == "not_joined"
    assert sync_uc.server_url(a.store) == ""
    assert not sync_uc.is_joined(a.store)
