"""Every audit entry carries the role its user worked with, hashed into the chain: entries
written before it (without a role) still verify, and a role altered afterwards is caught."""

from __future__ import annotations

import hashlib
import json
import uuid

import pytest
from sqlalchemy import select, update

from desktop_app.domain.person import PersonDraft
from desktop_app.domain.users import Role, User
from desktop_app.storage.audit_models import AuditRow
from desktop_app.storage.layout import LAPTOP_ROLE_META
from desktop_app.storage.models import MetaRow
from desktop_app.usecases import accounts, audit, people
from desktop_app.usecases.accounts import Session

PASS = "role pass 123"


def _stored(session: Session, entry_id: str) -> dict[str, object]:
    with session.store.reading() as db:
        details = db.scalar(select(AuditRow.details).where(AuditRow.id == entry_id))
    assert details is not None
    loaded = json.loads(details)
    assert isinstance(loaded, dict)
    return loaded


def test_an_entry_carries_its_users_role_apart_from_what_was_done(session: Session) -> None:
    accounts.add_user(session, "petar", "Petar Kolegov", Role.ADVISOR, PASS)
    advisor = accounts.log_in(session.store.paths.data_dir, "petar", PASS)
    try:
        person = people.register_person(advisor.store, advisor.user, PersonDraft("Ana", "Pop"))
        people.get_person(session.store, session.user, person.id)
    finally:
        advisor.close()
    viewed, created = audit.list_entries(session.store, session.user, record_id=person.id)
    assert (created.action, created.role) == ("create", "advisor")
    assert (viewed.action, viewed.role) == ("view", "coordinator")
    # Stored in the details, so hashed; read apart from them (what was done).
    assert _stored(session, viewed.id) == {audit.ROLE_KEY: "coordinator"}
    assert viewed.details == {}
    added = audit.list_entries(session.store, session.user, action="add_user")
    # "role" of an account added stays the new account's; the entry's own is the coordinator's.
    assert [(e.details, e.role) for e in added] == [({"role": "advisor"}, "coordinator")]
    assert audit.verify_chain(session.store) == []


def test_the_role_is_the_one_worked_with_under_the_laptops_ceiling(session: Session) -> None:
    """A coordinator's account on a laptop approved as an advisor's works as an advisor."""
    with session.store.transaction() as db:
        db.add(MetaRow(key=LAPTOP_ROLE_META, value="advisor"))
    person = people.register_person(session.store, session.user, PersonDraft("Ana", "Pop"))
    (created,) = audit.list_entries(session.store, session.user, record_id=person.id)
    assert created.role == "advisor"


def test_an_id_without_an_account_here_writes_no_role(session: Session) -> None:
    """An erasure arriving from another laptop is logged here under its author's id."""
    with session.store.transaction() as db:
        entry = audit.record_in(db, session.store, str(uuid.uuid4()), "erase", "person", "p1")
    assert entry.role is None
    assert audit.ROLE_KEY not in _stored(session, entry.id)


def test_a_view_logged_on_its_own_takes_the_role_the_user_works_with(session: Session) -> None:
    """``record`` (every view the windows log) has the user at hand: no look-up per view."""
    helper = User(str(uuid.uuid4()), "", "", Role.HELPER)  # no account row: only its role
    entry = audit.record(session.store, helper, "view", "person", "p1")
    assert entry.role == "helper"
    assert _stored(session, entry.id) == {audit.ROLE_KEY: "helper"}


def _old_entry(session: Session) -> None:
    """An entry as versions before this one wrote it: no role in its details."""
    with session.store.transaction() as db:
        entry = audit.record_in(db, session.store, session.user.id, "view", "person", "p-old")
        row = db.get(AuditRow, entry.id)
        assert row is not None
        row.details = "{}"
        row.hash = audit._entry_hash(row)
        db.get(MetaRow, audit.HEAD_KEY).value = f"{row.seq}:{row.hash}"  # type: ignore[union-attr]


def test_entries_without_a_role_still_verify_and_chain_on(session: Session) -> None:
    _old_entry(session)
    people.register_person(session.store, session.user, PersonDraft("Ana", "Pop"))
    entries = audit.list_entries(session.store, session.user)
    assert [e.role for e in entries if e.record_id == "p-old"] == [None]
    assert {e.role for e in entries if e.record_id != "p-old"} == {"coordinator"}
    assert audit.verify_chain(session.store) == []


@pytest.mark.parametrize(
    "details",
    [
        '{"user_role":"advisor"}',  # another role
        "{}",  # the role taken out
        '{"user_role":"coordinator","x":1}',  # something added beside it
    ],
)
def test_an_altered_role_is_caught_by_the_chain_check(session: Session, details: str) -> None:
    person = people.register_person(session.store, session.user, PersonDraft("Ana", "Pop"))
    people.get_person(session.store, session.user, person.id)
    (view,) = audit.list_entries(session.store, session.user, action="view")
    assert _stored(session, view.id) == {audit.ROLE_KEY: "coordinator"}
    with session.store.transaction() as db:
        db.execute(update(AuditRow).where(AuditRow.id == view.id).values(details=details))
    problems = audit.verify_chain(session.store)
    assert [(p.seq, p.code) for p in problems] == [(view.seq, "hash_mismatch")]


def test_role_in_reads_only_a_known_role() -> None:
    assert audit.role_in('{"user_role":"helper"}') == "helper"
    assert audit.role_in('{"user_role":"boss"}') is None
    assert audit.role_in("{}") is None
    assert audit.role_in("not json") is None
    assert audit.role_in("[]") is None


def _hash_as_the_version_before(row: AuditRow) -> str:
    """The entry hash as laptops of the version before compute it (a frozen copy): the role
    must not change what they hash, or they would report every new entry as tampered with."""
    canonical = json.dumps(
        [
            row.id,
            row.seq,
            row.at,
            row.user_id,
            row.device_id,
            row.action,
            row.record_kind,
            row.record_id,
            row.details,
            row.prev_hash,
        ],
        ensure_ascii=True,
        separators=(",", ":"),
    )
    return hashlib.sha256(canonical.encode("ascii")).hexdigest()


def test_entries_with_a_role_verify_as_the_version_before_verifies_them(session: Session) -> None:
    person = people.register_person(session.store, session.user, PersonDraft("Ana", "Pop"))
    people.get_person(session.store, session.user, person.id)
    with session.store.reading() as db:
        rows = db.scalars(select(AuditRow).order_by(AuditRow.seq)).all()
    assert rows and all(audit.ROLE_KEY in json.loads(r.details) for r in rows)
    prev = audit.GENESIS
    for row in rows:
        assert (row.prev_hash, row.hash) == (prev, _hash_as_the_version_before(row))
        prev = row.hash
