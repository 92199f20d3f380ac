"""A revocation's note ("stolen from a car on Monday") is kept in its audit entry, one line and
bounded; none is kept where none was given. Real stores and a real server."""

from __future__ import annotations

from desktop_app.domain.users import Role
from desktop_app.usecases import audit
from desktop_app.usecases import sync as sync_uc
from tests.integration.sync_harness import Laptops, device_id


def _revocations(laptops: Laptops) -> dict[str, dict[str, object]]:
    a = laptops.sessions[0]
    return {
        e.record_id: dict(e.details)
        for e in audit.list_entries(a.store, a.user, action="revoke_laptop")
    }


def test_a_revocation_keeps_its_note_in_the_audit_log(laptops: Laptops) -> None:
    a = laptops.new("Büro")
    stolen = laptops.new("Outreach Hbf", role=Role.ADVISOR)
    broken = laptops.new("Laptop alt", role=Role.ADVISOR)
    long_note = "Gestohlen\naus dem\tAuto am Montag " + "x" * 300
    sync_uc.revoke_device(a.store, a.user, device_id(stolen), note=long_note)
    sync_uc.revoke_device(a.store, a.user, device_id(broken), note="   ")
    kept = _revocations(laptops)
    note = kept[device_id(stolen)]["note"]
    assert isinstance(note, str)
    assert note.startswith("Gestohlen aus dem Auto am Montag xxx")  # one line
    assert len(note) == sync_uc.REVOKE_NOTE_MAX
    assert kept[device_id(broken)] == {}  # nothing typed: nothing kept
    assert laptops.server.device_status(device_id(stolen)) == "revoked"
