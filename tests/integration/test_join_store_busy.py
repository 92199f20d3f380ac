"""Joining while this laptop's store is busy, and a helper's ``welcome-desk sync`` while the
team key waits for a coordinator's confirmation. A real server process on 127.0.0.1, real
encrypted stores, the real command line."""

from __future__ import annotations

import pytest

from desktop_app.domain.users import Role
from desktop_app.exits import EXIT_INVALID
from desktop_app.i18n.messages import coordinator_to_confirm, failure_cause, sync_message
from desktop_app.i18n.text import _, set_language
from desktop_app.usecases import accounts
from desktop_app.usecases import sync as sync_uc
from tests.conftest import store_write_locked
from tests.integration.sync_harness import Laptops, ServerProcess, device_id, run_desk


@pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)
def test_a_busy_store_does_not_spend_the_enrollment_code(
    server: ServerProcess, laptops: Laptops
) -> None:
    """The organisation's first laptop, its store busy when it joins: the server registered it
    (the approved coordinator) and the write failed after, so the retry the message asks for
    got "code used already", and the server kept a coordinator no laptop holds."""
    laptop = laptops.account("A")
    code = server.enroll("A")
    with store_write_locked(laptop), pytest.raises(Exception) as busy:
        sync_uc.join(laptop.store, server.base_url, code, "Laptop A")
    assert failure_cause(busy.value) == "store_busy"  # "wait a moment and try again"
    assert not sync_uc.is_joined(laptop.store)
    assert server.service.list_devices().devices == []

    result = sync_uc.join(laptop.store, server.base_url, code, "Laptop A")  # the same code
    assert result.status == "approved" and result.is_coordinator
    devices = server.service.list_devices().devices
    assert [(d.device_id, d.name) for d in devices] == [(result.device_id, "Laptop A")]
    assert device_id(laptop) == result.device_id
    assert laptops.sync(laptop)[0].pushed >= 1  # its own record, under the team key it made


@pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)
@pytest.mark.parametrize("lang", ["en", "ro"])
def test_a_helpers_sync_says_a_coordinator_has_to_confirm(
    server: ServerProcess, laptops: Laptops, lang: str
) -> None:
    """A helper's ``welcome-desk sync`` while the team key waits for the coordinator's laptop
    to be confirmed asked them to confirm it here (``devices trust``), which refuses them."""
    a = laptops.new("A")
    b = laptops.new("B", approve=False)
    accounts.add_user(b, "mia", "Mia Helfer", Role.HELPER, "helper pass 12")
    sync_uc.approve_device(
        a.store, a.user, device_id(b), sync_uc.fingerprint(b.store), role=Role.COORDINATOR
    )
    folder = str(b.store.paths.data_dir)

    helper = run_desk(
        "sync", "--data-dir", folder, "--account", "mia", password="helper pass 12", lang=lang
    )
    set_language(lang)
    try:
        told = coordinator_to_confirm("welcome-desk devices trust")
        asked = sync_message("confirm_coordinator")
    finally:
        set_language("en")
    assert helper.returncode == EXIT_INVALID, helper.stderr
    assert helper.stderr.strip() == told
    assert asked not in helper.stderr and "--fingerprint" not in helper.stderr
    if lang == "ro":  # translated, not the English wording
        assert "coordonator" in told and "coordinator's" not in told

    # The laptop's coordinator: asked to compare and confirm, as before.
    coordinator = run_desk("sync", "--data-dir", folder, "--account", "anna")
    assert coordinator.returncode == EXIT_INVALID
    assert sync_message("confirm_coordinator") in coordinator.stderr
    assert 'welcome-desk devices trust --fingerprint "…"' in coordinator.stderr


@pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)
def test_a_helpers_sync_that_went_through_says_a_coordinator_has_to_confirm_a_newer_key(
    server: ServerProcess, laptops: Laptops
) -> None:
    """A second coordinator's laptop renewed the team key: the helper's ``welcome-desk sync``
    went through under the key the laptop holds, then asked the helper to compare and confirm
    the sender "here" (``devices trust``, which refuses them)."""
    a, b = laptops.new("A"), laptops.new("B")
    c = laptops.new("C", coordinator=True)  # approved by A; C confirmed A
    laptops.sync(a, b, c)
    sync_uc.rotate_team_key(c.store, c.user)  # for A, B and C: B has not confirmed C
    accounts.add_user(b, "mia", "Mia Helfer", Role.HELPER, "helper pass 12")
    folder = str(b.store.paths.data_dir)

    helper = run_desk(
        "sync", "--data-dir", folder, "--account", "mia", password="helper pass 12", lang="bg"
    )
    set_language("bg")
    try:
        told = coordinator_to_confirm("welcome-desk devices trust")
        done = _("Sync done: {pushed}, {pulled}, {conflicts}, {refused}.")
    finally:
        set_language("en")
    assert helper.returncode == 0, helper.stderr
    assert helper.stdout.startswith(done.split("{")[0])  # it went through
    assert told in helper.stderr.splitlines() and "координатор" in told  # in Bulgarian
    assert "--fingerprint" not in helper.stderr and "“C”" not in helper.stderr
    assert sync_uc.status(b.store).unconfirmed_senders == ("C",)

    # The laptop's coordinator: asked to compare and confirm C, as before.
    coordinator = run_desk("sync", "--data-dir", folder, "--account", "anna")
    assert coordinator.returncode == 0, coordinator.stderr
    assert "The laptop “C” sent a team key." in coordinator.stderr
    assert 'welcome-desk devices trust --fingerprint "…"' in coordinator.stderr
    assert told not in coordinator.stderr
