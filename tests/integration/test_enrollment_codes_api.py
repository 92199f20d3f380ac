"""A coordinator's laptop asks the real server for a laptop's enrollment code
(``POST /v1/devices/enrollment-codes``): who may, what the code does, its bounds, and that
neither the server's log nor its database holds it. SQLite and (if configured) PostgreSQL."""

from __future__ import annotations

import datetime as dt
import subprocess
from pathlib import Path

import httpx
import pytest
from sqlalchemy import select, update

from desktop_app.sync import crypto
from desktop_app.sync.http_client import (
    BadRequest,
    Forbidden,
    Revoked,
    SyncServerClient,
    wrapped_key,
)
from sync_server import models
from sync_server.service import CODE_VALID_HOURS, MAX_OUTSTANDING_CODES, normalize_code
from tests.integration.sync_harness import Organisation, ServerProcess


def _stored(server: ServerProcess) -> bytes:
    """Everything the server's database holds, as its operator could copy it."""
    if server.db_url.startswith("sqlite"):
        db_file = Path(server.db_url.removeprefix("sqlite:///"))
        return b"".join(p.read_bytes() for p in db_file.parent.glob(db_file.name + "*"))
    return subprocess.run(
        ["pg_dump", "--no-owner", server.db_url.replace("+psycopg", "")],
        capture_output=True,
        check=True,
        timeout=60,
    ).stdout


def _second_coordinator(org: Organisation) -> tuple[str, SyncServerClient]:
    """Another coordinator's laptop: joined with a coordinator's code, approved as one."""
    keys = crypto.DeviceKeys.generate()
    client = org.server.client()
    code = org.server.enroll("Zweites Büro", coordinator=True)
    reg = client.register(code, "Büro Südstadt", keys.public_key)
    sender = org.coordinator.keys.public_key
    blob = crypto.wrap_team_key(
        org.team.key,
        org.team.key_id,
        org.coordinator.keys,
        keys.public_key,
        laptop_role="coordinator",
    )
    org.coordinator.client.approve(
        reg.device_id, [wrapped_key(org.team.key_id, blob, sender, laptop_role="coordinator")]
    )
    return reg.device_id, client


def test_a_coordinators_laptop_gets_a_code_a_new_laptop_joins_with_once(
    org: Organisation,
) -> None:
    before = dt.datetime.now(dt.UTC)
    issued = org.coordinator.client.issue_enrollment_code("  Laptop Ana  ")
    after = dt.datetime.now(dt.UTC)
    assert issued.name == "Laptop Ana"
    expires = dt.datetime.fromisoformat(issued.expires_at)
    valid = dt.timedelta(hours=CODE_VALID_HOURS)
    assert before + valid <= expires <= after + valid
    assert CODE_VALID_HOURS == 24.0  # the command line's default (sync_server/cli.py)

    # a new laptop joins with it, waiting for approval, never as a coordinator
    keys = crypto.DeviceKeys.generate()
    with org.server.client() as laptop:
        reg = laptop.register(issued.code, "Laptop 2", keys.public_key)
        assert reg.status == "pending" and not reg.is_coordinator
    listed = {d.device_id: d for d in org.coordinator.client.devices().devices}
    assert listed[reg.device_id].fingerprint == keys.fingerprint
    assert listed[reg.device_id].status == "pending"
    with org.server.engine.connect() as db:
        row = db.execute(
            select(models.EnrollmentCode).where(models.EnrollmentCode.used_by == reg.device_id)
        ).one()
    assert row.name == "Laptop Ana" and row.coordinator is False

    # single use: a second laptop with the same code is refused
    with org.server.client() as other, pytest.raises(Forbidden) as reused:
        other.register(issued.code, "Laptop 3", crypto.DeviceKeys.generate().public_key)
    assert reused.value.code == "enrollment_invalid"


def test_an_expired_code_from_a_coordinators_laptop_joins_nobody(org: Organisation) -> None:
    issued = org.coordinator.client.issue_enrollment_code("Laptop Late")
    # as a day later: the server's own clock decides, so its row is moved back a day
    past = dt.datetime.now(dt.UTC) - dt.timedelta(seconds=1)
    with org.server.engine.begin() as db:
        moved = db.execute(
            update(models.EnrollmentCode)
            .where(models.EnrollmentCode.used_at.is_(None))
            .values(expires_at=past)
        )
        assert moved.rowcount == 1
    with org.server.client() as laptop, pytest.raises(Forbidden) as refused:
        laptop.register(issued.code, "Late laptop", crypto.DeviceKeys.generate().public_key)
    assert refused.value.code == "enrollment_invalid"


@pytest.mark.parametrize("role", ["helper", "advisor"])
def test_a_member_laptop_may_not_issue_a_code(org: Organisation, role: str) -> None:
    member = org.join(f"Laptop {role}", role=role)  # type: ignore[arg-type]
    with pytest.raises(Forbidden) as refused:
        member.client.issue_enrollment_code("Laptop X")
    assert refused.value.status == 403 and refused.value.code == "not_coordinator"
    waiting = org.join("Laptop waiting", approve=False)
    with pytest.raises(Forbidden) as pending:
        waiting.client.issue_enrollment_code("Laptop Y")
    assert pending.value.code == "not_approved"
    with org.server.engine.connect() as db:
        codes = db.execute(select(models.EnrollmentCode.name)).scalars().all()
    assert "Laptop X" not in codes and "Laptop Y" not in codes


def test_a_revoked_coordinators_laptop_may_not_issue_a_code(org: Organisation) -> None:
    device_id, stolen = _second_coordinator(org)
    assert stolen.issue_enrollment_code("Laptop 5").code  # while it is the team's
    org.coordinator.client.revoke(device_id)
    with pytest.raises(Revoked) as refused:
        stolen.issue_enrollment_code("Laptop 6")
    assert refused.value.status == 403
    stolen.close()


def test_unused_codes_are_bounded_and_a_name_is_checked(org: Organisation) -> None:
    client = org.coordinator.client
    # the organisation's first code was used by the coordinator's own laptop: none outstanding
    codes = [client.issue_enrollment_code(f"Laptop {i}").code for i in range(MAX_OUTSTANDING_CODES)]
    assert len(set(codes)) == MAX_OUTSTANDING_CODES
    with pytest.raises(BadRequest) as refused:
        client.issue_enrollment_code("One too many")
    assert refused.value.status == 429 and refused.value.code == "too_many_codes"
    # one used: one more may be issued
    with org.server.client() as laptop:
        laptop.register(codes[0], "Laptop 0", crypto.DeviceKeys.generate().public_key)
    assert client.issue_enrollment_code("Laptop 21").code
    with pytest.raises(BadRequest):
        client.issue_enrollment_code("One too many")

    for name in ("", "   ", "x" * 101, "Tab\there"):
        response = httpx.post(
            f"{org.server.base_url}/v1/devices/enrollment-codes",
            json={"name": name},
            headers={"Authorization": f"Bearer {client.token}"},
        )
        assert response.status_code == 422, name
        assert response.json()["code"] == "invalid"
    response = httpx.post(
        f"{org.server.base_url}/v1/devices/enrollment-codes",
        json={"name": "Laptop", "coordinator": True},  # never a coordinator's code
        headers={"Authorization": f"Bearer {client.token}"},
    )
    assert response.status_code == 422
    schema = httpx.get(f"{org.server.base_url}/openapi.json").json()
    operation = schema["paths"]["/v1/devices/enrollment-codes"]["post"]
    assert "201" in operation["responses"] and "429" in operation["responses"]


def test_neither_the_log_nor_the_database_holds_an_issued_code(org: Organisation) -> None:
    issued = [org.coordinator.client.issue_enrollment_code(f"Laptop {i}") for i in range(3)]
    with org.server.client() as laptop:
        laptop.register(issued[0].code, "Laptop 0", crypto.DeviceKeys.generate().public_key)
    org.server.stop()  # flush everything to disk
    stored = _stored(org.server)
    log = org.server.log_text()
    # the log and the dump are the real thing: they name the issuing laptop and the codes' names
    assert (
        f"enrollment code issued name_len=8 coordinator=False by={org.coordinator.device_id}" in log
    )
    assert b"Laptop 2" in stored
    for code in (i.code for i in issued):
        for form in (code, normalize_code(code), code.lower()):
            assert form not in log, form
            assert form.encode() not in stored, form
