"""Which version of Welcome Desk each laptop runs: every request states it, the server keeps it
per device (migration 0006) and lists it to the coordinator and its operator; a bad value is
ignored, never a refused sync. And a laptop that receives a publication from a newer version
says so. Real server processes on 127.0.0.1 (SQLite, and PostgreSQL when configured)."""

from __future__ import annotations

import json
from pathlib import Path

import httpx
import pytest

from desktop_app import __version__
from desktop_app.paths import resource
from desktop_app.sync import crypto
from desktop_app.usecases import reference
from desktop_app.usecases import sync as sync_uc
from sync_server import wire
from tests.integration.sync_harness import (
    PASSWORD,
    Laptops,
    Organisation,
    ServerProcess,
    device_id,
    push_state,
    record_state,
    run_cli,
    run_desk,
)


def _stored_versions(server: ServerProcess) -> dict[str, str | None]:
    with server.engine.connect() as connection:
        rows = connection.exec_driver_sql("SELECT id, app_version FROM devices").all()
    return {r[0]: r[1] for r in rows}


def test_the_server_keeps_the_version_each_laptop_states_and_lists_it(org: Organisation) -> None:
    a = org.join("A")  # its approval fetched its key: one request with this version
    waiting = org.join("W", approve=False)  # only registered: its version from then
    coordinator = org.coordinator
    listed = {d.device_id: d.app_version for d in coordinator.client.devices().devices}
    assert listed[a.device_id] == listed[waiting.device_id] == __version__
    # The laptop updated (or put back): the list says so at its next request, not throttled.
    with org.server.client(a.client.token, app_version="0.2.0") as updated:
        updated.pull(0, 10)
    listed = {d.device_id: d.app_version for d in coordinator.client.devices().devices}
    assert listed[a.device_id] == "0.2.0"
    assert listed[coordinator.device_id] == __version__
    shown = run_cli(org.server.db_url, "devices").stdout
    (line,) = [x for x in shown.splitlines() if x.startswith(a.device_id)]
    header = shown.splitlines()[0]
    at = header.index("VERSION")
    assert line[at:].split()[0] == "0.2.0"  # in the VERSION column


@pytest.mark.parametrize(
    "bad",
    ["9" * 200, "1.0\t2", "1.0 beta", "0.3.0;drop", "0.3.0\x80", ""],
    ids=["too-long", "tab", "space", "punctuation", "not-ascii", "empty"],
)
def test_a_bad_version_header_is_ignored_and_the_sync_goes_on(org: Organisation, bad: str) -> None:
    a = org.join("A")
    envelope = a.seal(org.team, "5f0c1d8e-0000-4000-8000-000000000001", "person", 1, b"{}")
    headers = {
        b"Authorization": f"Bearer {a.client.token}".encode("ascii"),
        b"Welcome-Desk-Version": bad.encode("latin-1"),  # as sent, byte for byte
    }
    base = org.server.base_url + wire.API_PREFIX
    with httpx.Client(base_url=base, timeout=10) as http:
        pushed = http.post(
            "/envelopes", json={"envelopes": [envelope.model_dump(mode="json")]}, headers=headers
        )
        pulled = http.get("/envelopes", params={"after": 0, "limit": 10}, headers=headers)
    assert pushed.status_code == 200, pushed.text
    assert pushed.json()["accepted"] == 1
    assert pulled.status_code == 200, pulled.text
    assert _stored_versions(org.server)[a.device_id] == __version__  # kept as it was
    # A laptop that joins with it is registered all the same, its version not known.
    keys = crypto.DeviceKeys.generate()
    body = {
        "code": org.server.enroll("N"),
        "device_name": "N",
        "public_key": wire.b64encode(keys.public_key),
    }
    with httpx.Client(base_url=base, timeout=10) as http:
        joined = http.post(
            "/register",
            json=body,
            headers={b"Welcome-Desk-Version": headers[b"Welcome-Desk-Version"]},
        )
    assert joined.status_code == 201, joined.text
    assert _stored_versions(org.server)[joined.json()["device_id"]] is None


def test_migration_0006_upgrades_a_database_with_devices_and_the_next_sync_fills_it_in(
    server: ServerProcess, laptops: Laptops
) -> None:
    a, b = laptops.new("A"), laptops.new("B")
    laptops.sync(a, b)
    assert set(_stored_versions(server).values()) == {__version__}
    server.migrate_again_from("0005")  # the column dropped, and added again by 0006
    assert set(_stored_versions(server).values()) == {None}
    assert all(r.refused == 0 for r in laptops.sync(a, b))
    assert _stored_versions(server) == {device_id(a): __version__, device_id(b): __version__}
    assert {d.app_version for d in sync_uc.list_devices(a.store, a.user)} == {__version__}


def test_forms_a_newer_version_published_are_reported_on_an_older_laptop(
    server: ServerProcess, laptops: Laptops, tmp_path: Path
) -> None:
    """The coordinator's laptop (A, a newer version) publishes forms with a key this version
    does not know; B receives them by sync, keeps its shipped forms and says why, in German on
    the command line."""
    a, b = laptops.new("A"), laptops.new("B")
    files = {p.name: p.read_text(encoding="utf-8") for p in resource("forms").glob("*.yaml")}
    files["consent.yaml"] = files["consent.yaml"].replace(
        "        suggest: services\n",
        "        suggest: services\n        suggest_limit: 5\n",
        1,
    )
    content = {
        "files": files,
        "note": "",
        "publisher": "Maria",
        "published_at": "2026-11-30T10:00:00+00:00",
        "app_version": "0.4.0",
        "format": reference.PUBLICATION_FORMAT + 1,
    }
    values = {"name": reference.FORMS, "content": json.dumps(content)}
    push_state(a, record_state("reference", reference.reference_id(reference.FORMS), values, "x"))
    (report,) = laptops.sync(b)
    assert report.refused == 0 and report.applied >= 1
    assert reference.unusable_publications(b.store) == [
        reference.Unusable(reference.FORMS, reference.NEWER, "0.4.0", 1)
    ]
    assert reference.forms_in_force(b.store) == reference.shipped_forms()
    b.close()  # the command line opens the laptop's store itself
    done = run_desk("sync", "--data-dir", str(tmp_path / "B"), lang="de", password=PASSWORD)
    assert done.returncode == 0, done.stderr
    assert (
        "Die Koordination hat Formulare veröffentlicht, die diese Version von Welcome Desk "
        "nicht lesen kann." in done.stderr
    )
    assert f"Welcome Desk 0.4.0 veröffentlicht; dieser Laptop hat {__version__}" in done.stderr
