"""An erasure arriving by sync is logged on the laptop it reaches (in that laptop's chain, by
the erasing user's id): with the laptop it was made on, and the role its user erased with,
which only the erasing laptop's own entry of it tells (accounts do not sync). Real server
process on 127.0.0.1, real encrypted stores."""

from __future__ import annotations

import json

import pytest
from sqlalchemy import select

from desktop_app.storage.audit_models import AuditRow
from desktop_app.sync import engine
from desktop_app.usecases import audit, data_rights
from desktop_app.usecases.accounts import Session
from tests.integration.sync_harness import Laptops, add_person


def _erasures(laptop: Session, person_id: str) -> dict[str, dict[str, object]]:
    """The log's erasure entries of the person on ``laptop``: details (the role included) by
    the store id of the chain they are in."""
    with laptop.store.reading() as db:
        rows = db.execute(
            select(AuditRow.device_id, AuditRow.details).where(
                AuditRow.record_id == person_id, AuditRow.action == "erase"
            )
        ).all()
    return {device: json.loads(details) for device, details in rows}


@pytest.mark.parametrize("page", [engine.PULL_PAGE, 1])
def test_an_erasure_arriving_is_logged_with_its_laptop_and_the_role_it_was_made_with(
    laptops: Laptops, monkeypatch: pytest.MonkeyPatch, page: int
) -> None:
    """The entry written where the erasure arrived carried no role (the erasing user has no
    account there) and named no laptop but by its own chain. The erasing laptop's entry is
    pushed right after the person's tombstone; a page applies the log's entries before the
    records, so the role is known where both come in one page. In pages of one envelope the
    tombstone comes first: the entry then names the laptop and leaves the role out."""
    monkeypatch.setattr(engine, "PULL_PAGE", page)
    a, b = laptops.new("Koordination"), laptops.new("Kontaktstelle Nord")
    pid = add_person(a, "Radka", "Stoyanova", "1990")
    laptops.sync(a, b)
    data_rights.erase_person(a.store, a.user, pid)
    laptops.sync(a, b, a)
    on_b = _erasures(b, pid)
    assert on_b[a.store.device_id]["user_role"] == "coordinator"  # A's own entry
    arrived = on_b[b.store.device_id]
    assert (arrived["remote"], arrived[data_rights.ERASED_ON]) == (True, a.store.device_id)
    if page == 1:
        assert "user_role" not in arrived
    else:
        assert arrived["user_role"] == "coordinator"
    # B's entry travels back to A whole: both chains verify on both laptops.
    assert _erasures(a, pid)[b.store.device_id] == arrived
    assert audit.verify_chain(a.store) == audit.verify_chain(b.store) == []


def test_an_erasure_from_a_laptop_of_the_version_before_is_logged_with_its_laptop_alone(
    laptops: Laptops, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The erasing laptop's own entry carries no role (written by the version before): the
    entry where it arrives names the laptop and no role."""
    a, b = laptops.new("Koordination"), laptops.new("Kontaktstelle Nord")
    pid = add_person(a, "Radka", "Stoyanova", "1990")
    laptops.sync(a, b)
    with monkeypatch.context() as before:
        before.setattr(audit, "acting_role", lambda _db, _user_id: None)
        data_rights.erase_person(a.store, a.user, pid)
    laptops.sync(a, b)
    arrived = _erasures(b, pid)[b.store.device_id]
    assert arrived[data_rights.ERASED_ON] == a.store.device_id
    assert "user_role" not in arrived
    assert audit.verify_chain(b.store) == []
