"""``welcome-desk-server devices`` as the operator reads it: a table with a header; each
device's last sync (the Laptops dialog's: the later of its last request and its last pull),
its last pull, the enrollment codes it asked for that are still unused, and for a revoked
device how many people's records it had been sent. A real server and real laptops (SQLite,
and PostgreSQL where the cluster runs)."""

from __future__ import annotations

import datetime as dt
import re

from sqlalchemy import update

from desktop_app.domain.users import Role
from desktop_app.sync import crypto
from desktop_app.ui.sync_status import laptop_last_sync, last_sync_time
from desktop_app.usecases import sync as sync_uc
from sync_server import models
from sync_server.cli import DEVICE_COLUMNS
from tests.integration.sync_harness import (
    Laptops,
    ServerProcess,
    add_person,
    device_id,
    run_cli,
)

_UUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")


def _table(db_url: str) -> tuple[dict[str, dict[str, str]], list[str]]:
    """The rows of ``welcome-desk-server devices`` by device id (cells by their header, cut
    where the header's columns begin), and the lines below the table."""
    lines = run_cli(db_url, "devices").stdout.splitlines()
    header = lines[0]
    names = list(DEVICE_COLUMNS)
    starts = [header.index(name) for name in names]
    assert starts == sorted(starts), header
    ends = [*starts[1:], None]
    rows: dict[str, dict[str, str]] = {}
    below = []
    for line in lines[1:]:
        if not _UUID.fullmatch(line.split()[0]):  # the lines below the table
            below.append(line)
            continue
        cells = {n: line[s:e].strip() for n, s, e in zip(names, starts, ends, strict=True)}
        rows[cells["ID"]] = cells
    return rows, below


def times_apart(server: ServerProcess, *, request_later: str, pull_later: str) -> dt.datetime:
    """The last request and last pull of two devices as the server notes them, minutes apart
    on one day (returned): ``request_later`` last asked at 10:47 after its last pull at 10:00,
    ``pull_later`` last pulled at 9:30 after its last request at 9:00."""
    day = dt.datetime(2026, 3, 4, tzinfo=dt.UTC)
    d = models.Device
    with server.engine.begin() as db:
        db.execute(
            update(d)
            .where(d.id == request_later)
            .values(last_seen_at=day.replace(hour=10, minute=47), pulled_at=day.replace(hour=10))
        )
        db.execute(
            update(d)
            .where(d.id == pull_later)
            .values(last_seen_at=day.replace(hour=9), pulled_at=day.replace(hour=9, minute=30))
        )
    return day


def test_devices_lists_last_sync_last_pull_unused_codes_and_what_a_revoked_one_held(
    laptops: Laptops, server: ServerProcess
) -> None:
    office = laptops.new("Büro Nordstadt")  # the organisation's coordinator
    stolen = laptops.new("Outreach Hbf", role=Role.ADVISOR)
    harbour = laptops.new("Hafen", role=Role.HELPER)
    waiting = laptops.new("Warteraum", approve=False)
    for i in range(3):
        add_person(office, f"Ana {i}", "Popescu", f"1990-01-0{i + 1}")
    laptops.sync(office, stolen, harbour)
    add_person(office, "Ivan", "Petrov", "1985-05-05")  # after the stolen one's last sync
    laptops.sync(office)
    # Codes the coordinator's laptop asked for: one is used, two are not; and one from the
    # command line, unused.
    used = sync_uc.issue_enrollment_code(office.store, office.user, "Laptop Ana")
    sync_uc.issue_enrollment_code(office.store, office.user, "Laptop Ion")
    sync_uc.issue_enrollment_code(office.store, office.user, "Laptop Elena")
    with server.client() as client:
        joined = client.register(used.code, "Laptop Ana", crypto.DeviceKeys.generate().public_key)
    assert joined.status == "pending"
    server.enroll_cli("Ersatz")
    revoked = sync_uc.revoke_device(office.store, office.user, device_id(stolen), note="gestohlen")
    assert revoked.people_at_revocation == 3

    # The times as the server noted them, set apart by minutes (a request is noted to the half
    # minute, a pull at once): one device whose last request came after its last pull, and one
    # whose last pull came after its last request.
    day = times_apart(server, request_later=device_id(harbour), pull_later=device_id(stolen))
    with server.engine.begin() as db:
        d = models.Device
        db.execute(update(d).where(d.id == joined.device_id).values(last_seen_at=None))

    rows, below = _table(server.db_url)
    everyone = {device_id(s) for s in (office, stolen, harbour, waiting)} | {joined.device_id}
    assert set(rows) == everyone
    first = rows[device_id(office)]
    assert (first["STATUS"], first["ROLE"], first["NAME"]) == (
        "approved",
        "coordinator",
        "Büro Nordstadt",
    )
    assert first["UNUSED CODES"] == "2"
    assert first["PEOPLE AT REVOCATION"] == "-"
    assert first["FINGERPRINT"] == sync_uc.fingerprint(office.store)
    helper = rows[device_id(harbour)]
    assert (helper["STATUS"], helper["ROLE"], helper["NAME"]) == ("approved", "helper", "Hafen")
    assert helper["LAST SYNC (UTC)"] == "2026-03-04 10:47"  # its last request
    assert helper["LAST PULL (UTC)"] == "2026-03-04 10:00"
    assert helper["UNUSED CODES"] == "0"
    gone = rows[device_id(stolen)]
    assert (gone["STATUS"], gone["ROLE"], gone["NAME"]) == ("revoked", "advisor", "Outreach Hbf")
    assert gone["LAST SYNC (UTC)"] == gone["LAST PULL (UTC)"] == "2026-03-04 09:30"
    assert gone["UNUSED CODES"] == "0"
    assert gone["PEOPLE AT REVOCATION"] == "3"  # not Ivan, written after its last pull
    new = rows[joined.device_id]
    assert (new["STATUS"], new["ROLE"], new["NAME"]) == ("pending", "-", "Laptop Ana")
    assert (new["LAST SYNC (UTC)"], new["LAST PULL (UTC)"]) == ("-", "never")
    assert rows[device_id(waiting)]["LAST PULL (UTC)"] == "never"  # never handed a record
    assert rows[device_id(waiting)]["PEOPLE AT REVOCATION"] == "-"
    # The command line's code belongs to no device.
    assert below == [
        "unused enrollment codes asked for by no listed device (welcome-desk-server enroll): 1"
    ]

    # The Laptops dialog of the coordinator's laptop says the same last sync of each (listed
    # there first: the coordinator's laptop's request to list them is its latest).
    listed = {x.device_id: x for x in sync_uc.list_devices(office.store, office.user)}
    for laptop, hour, minute in ((harbour, 10, 47), (stolen, 9, 30)):
        when = day.replace(hour=hour, minute=minute)
        assert laptop_last_sync(listed[device_id(laptop)]) == last_sync_time(when.timestamp())
    rows, _below = _table(server.db_url)
    assert rows[device_id(office)]["LAST SYNC (UTC)"] != "-"
    for device, row in rows.items():
        shown = row["LAST SYNC (UTC)"]
        if shown == "-":
            assert laptop_last_sync(listed[device]) == ""
            continue
        when = dt.datetime.strptime(shown, "%Y-%m-%d %H:%M").replace(tzinfo=dt.UTC)
        assert laptop_last_sync(listed[device]) == last_sync_time(when.timestamp()), row


def test_a_device_revoked_before_the_server_counted_says_so(
    laptops: Laptops, server: ServerProcess
) -> None:
    """Revoked by a server before migration 0009: nobody counted what it had been sent."""
    office = laptops.new("Büro")
    other = laptops.new("Hafen", role=Role.HELPER)
    sync_uc.revoke_device(office.store, office.user, device_id(other))
    d = models.Device
    with server.engine.begin() as db:
        db.execute(update(d).where(d.id == device_id(other)).values(people_at_revocation=None))
    rows, below = _table(server.db_url)
    assert rows[device_id(other)]["PEOPLE AT REVOCATION"] == "not counted"
    assert rows[device_id(office)]["PEOPLE AT REVOCATION"] == "-"
    assert below == []


def test_role_is_the_approved_one_and_last_pull_tells_never_from_unknown(
    laptops: Laptops, server: ServerProcess
) -> None:
    """ROLE: the role each was approved for; a laptop approved for coordinators with an
    ordinary code is a coordinator's (the server said "member" of it, as of every laptop not
    of a coordinator's code); one approved before roles has none. LAST PULL: "never" for a
    laptop never handed a record, "unknown (before the update)" for one handed records before
    the server noted when (migration 0009: a cursor above 0, no time)."""
    office = laptops.new("Büro")
    south = laptops.new("Büro Süd", role=Role.COORDINATOR)  # an ordinary code
    advisor = laptops.new("Beratung", role=Role.ADVISOR)
    laptops.new_member("Alt")  # approved before laptops had roles
    laptops.new("Nord", coordinator=True)
    add_person(office, "Ana", "Popescu", "1990-01-01")
    laptops.sync(office, south, advisor)
    d = models.Device
    with server.engine.begin() as db:
        # As migration 0009 left a device that pulled before it, and none since.
        db.execute(update(d).where(d.id == device_id(advisor)).values(pulled_at=None))
    rows, _below = _table(server.db_url)
    roles = {rows[device_id(s)]["NAME"]: rows[device_id(s)]["ROLE"] for s in laptops.sessions}
    assert roles == {
        "Büro": "coordinator",
        "Büro Süd": "coordinator",
        "Beratung": "advisor",
        "Alt": "no role",
        "Nord": "coordinator",
    }
    pulls = {
        rows[device_id(s)]["NAME"]: rows[device_id(s)]["LAST PULL (UTC)"] for s in laptops.sessions
    }
    assert pulls["Beratung"] == "unknown (before the update)"
    assert pulls["Alt"] == pulls["Nord"] == "never"
    assert re.fullmatch(r"\d{4}-\d\d-\d\d \d\d:\d\d", pulls["Büro Süd"]), pulls
    # Lowered, the laptop approved for coordinators is listed with its new role.
    sync_uc.change_laptop_role(office.store, office.user, device_id(south), Role.HELPER)
    rows, _below = _table(server.db_url)
    assert rows[device_id(south)]["ROLE"] == "helper"
