"""A laptop of this version joins a sync server of the version before registration secrets.

Servers are updated by whoever runs them, not with the laptops: a laptop that sends
``registration_secret`` to a server that does not know the field is refused (422) before any
code is spent, and joins as laptops did then. The older server is that version's real code,
taken from this repository's history and run as a process on 127.0.0.1."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from desktop_app.domain.users import Role
from desktop_app.usecases import sync as sync_uc
from desktop_app.usecases.accounts import create_first_account
from tests.integration.sync_harness import PASSWORD, ServerProcess, older_server, run_cli

# The last commit whose server refuses a field it does not know in POST /register, before
# ``registration_secret`` was added.
BEFORE_REGISTRATION_SECRETS = "a6bce84f691ee6abe44b413b175b87ec69c0492e"


@pytest.fixture(name="older_server")
def _older_server(tmp_path: Path) -> Iterator[ServerProcess]:
    with older_server(BEFORE_REGISTRATION_SECRETS, tmp_path) as server:
        yield server


def _enroll(server: ServerProcess, name: str, *extra: str) -> str:
    return run_cli(
        server.db_url, "enroll", "--name", name, *extra, code_dir=server.code_dir
    ).stdout.strip()


def test_a_laptop_joins_a_server_from_before_registration_secrets(
    older_server: ServerProcess, tmp_path: Path
) -> None:
    first = create_first_account(tmp_path / "first", "anna", "Anna Schmidt", PASSWORD)
    second = create_first_account(tmp_path / "second", "ion", "Ion Popescu", PASSWORD)
    try:
        joined = sync_uc.join(
            first.store,
            older_server.base_url,
            _enroll(older_server, "Anna", "--coordinator"),
            "Anna",
        )
        assert joined.status == "approved"  # the organisation's first laptop
        waiting = sync_uc.join(
            second.store, older_server.base_url, _enroll(older_server, "Ion"), "Ion"
        )
        assert waiting.status == "pending"
        listed = run_cli(older_server.db_url, "devices", code_dir=older_server.code_dir).stdout
        assert joined.device_id in listed and waiting.device_id in listed
        # the server's log shows each code registered once, the refused try with the field
        # before it (422), no second registration
        log = older_server.log_path.read_text(errors="replace")
        assert log.count("POST /v1/register") == 4
        assert log.count('"POST /v1/register HTTP/1.1" 422') == 2
    finally:
        first.close()
        second.close()


def test_a_laptop_is_not_approved_through_a_server_that_keeps_no_roles(
    older_server: ServerProcess, tmp_path: Path
) -> None:
    """That server refuses the role wrapped with a team key as a field it does not know. The
    coordinator is told to have the server updated; no key goes without its role (the new
    laptop would have had every right)."""
    first = create_first_account(tmp_path / "first", "anna", "Anna Schmidt", PASSWORD)
    second = create_first_account(tmp_path / "second", "ion", "Ion Popescu", PASSWORD)
    try:
        sync_uc.join(
            first.store,
            older_server.base_url,
            _enroll(older_server, "Anna", "--coordinator"),
            "Anna",
        )
        waiting = sync_uc.join(
            second.store, older_server.base_url, _enroll(older_server, "Ion"), "Ion"
        )
        with pytest.raises(sync_uc.SyncSetupError) as refused:
            sync_uc.approve_device(
                first.store,
                first.user,
                waiting.device_id,
                sync_uc.fingerprint(second.store),
                role=Role.HELPER,
            )
        assert refused.value.code == "server_too_old"
        listed = run_cli(older_server.db_url, "devices", code_dir=older_server.code_dir).stdout
        assert "pending" in listed and "approved" in listed  # the second still waits
    finally:
        first.close()
        second.close()
