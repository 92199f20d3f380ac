"""A change made on a laptop to a record another laptop made is credited to this laptop and to
the user who made it, here and on every laptop it reaches: the record's device and author are
those of its newest revision, as reports (by laptop, by advisor) and the synced payload's
author read them. Erasing a person and deciding a conflict kept the device of the revision
before (``models.next_revision`` now sets both for every change); accounts, which stay on
their laptop, are tested in tests/unit/security/test_accounts_and_roles.py.

Real encrypted stores syncing through a real server process on 127.0.0.1."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from desktop_app.storage.models import PersonRow
from desktop_app.storage.sync_models import ConflictRow
from desktop_app.usecases import data_rights
from desktop_app.usecases import sync as sync_uc
from desktop_app.usecases.accounts import Session
from tests.integration.sync_harness import Laptops, add_person, edit_person


def _stamp(session: Session, model: Any, record_id: str) -> tuple[str, str, int]:
    """The device, author and revision a laptop holds of a record (deleted or not)."""
    with session.store.reading() as db:
        row = db.scalars(select(model).where(model.id == record_id)).one()
        return row.device_id, row.author_id, row.revision


def _by(session: Session) -> tuple[str, str]:
    return session.store.device_id, session.user.id


def test_a_person_erased_on_another_laptop_than_where_registered_names_that_laptop(
    laptops: Laptops,
) -> None:
    a, b = laptops.new("A"), laptops.new("B")
    pid = add_person(a, "Radka", "Stoyanova", "1990-04-01")
    laptops.sync(a, b)

    data_rights.erase_person(b.store, b.user, pid)
    device, author, revision = _stamp(b, PersonRow, pid)
    assert (device, author) == _by(b)
    laptops.sync(b, a)
    assert _stamp(a, PersonRow, pid) == (device, author, revision)


def test_a_conflict_decided_on_a_laptop_that_pulled_it_names_that_laptop_everywhere(
    laptops: Laptops,
) -> None:
    a, b, c = laptops.new("A"), laptops.new("B"), laptops.new("C")
    pid = add_person(a, "Elena", "Radu", phone="0176 1111111")
    laptops.sync(a, b)
    edit_person(a, pid, phone="0176 2222222")
    edit_person(b, pid, phone="0176 3333333")
    laptops.sync(a, b, a, c)  # the conflict arises on A and B; C pulls it as theirs
    (conflict,) = sync_uc.open_conflicts(c.store)
    assert _stamp(c, ConflictRow, conflict.id)[0] in {a.store.device_id, b.store.device_id}

    sync_uc.resolve_conflict(c.store, c.user, conflict.id, conflict.kept_value)
    device, author, revision = _stamp(c, ConflictRow, conflict.id)
    assert (device, author) == _by(c)
    laptops.sync(c, a)
    assert _stamp(a, ConflictRow, conflict.id) == (device, author, revision)
    assert sync_uc.open_conflicts(a.store) == []
