"""Red-team tests of properties 4 and 5: what a malicious server operator can forge or learn.

The operator owns the server's database: it can hand out envelopes it made up, under any
metadata it likes. None of them may change anything on a laptop, not even its bookkeeping.
"""

from __future__ import annotations

import os

from sqlalchemy import update
from sqlalchemy.orm import Session as DbSession
from sync_harness import Laptops, ServerProcess, active_key_id, device_id

from desktop_app.domain.person import PersonDraft
from desktop_app.usecases import people
from desktop_app.usecases import sync as sync_uc
from desktop_app.usecases.accounts import Session
from sync_server import models


def _add(session: Session, given: str, family: str, phone: str = "") -> str:
    return people.register_person(
        session.store,
        session.user,
        PersonDraft(given, family, phone=phone),
        confirm_duplicates=True,
    ).id


def _edit_phone(session: Session, person_id: str, phone: str) -> None:
    person = people.get_person(session.store, session.user, person_id)
    assert person is not None
    values = people.person_values(person)
    values["phone"] = phone
    languages = tuple(c for c in values.pop("languages").split(",") if c)
    people.update_person(
        session.store, session.user, person_id, PersonDraft(**values, languages=languages)
    )


def operator_inserts(server: ServerProcess, **envelope: object) -> int:
    """An envelope the operator writes into the server's database itself, with the next
    sequence number, as if a laptop had pushed it; returns that sequence number."""
    counter = models.SeqCounter
    with DbSession(server.engine) as s, s.begin():
        seq = s.execute(
            update(counter)
            .where(counter.id == 1)
            .values(last_seq=counter.last_seq + 1)
            .returning(counter.last_seq)
        ).scalar_one()
        s.add(models.StoredEnvelope(seq=seq, received_at=models.utcnow(), **envelope))
    return int(seq)


def test_an_envelope_forged_in_a_laptops_name_does_not_stop_its_changes_from_travelling(
    laptops: Laptops, server: ServerProcess
) -> None:
    """A laptop skips opening its own envelopes coming back from the server: it only notes that
    the server holds them. One the operator made up in its name, with a high revision and no
    valid ciphertext, must not count as held, or the laptop's later changes never leave it."""
    a, b = laptops.new("A"), laptops.new("B")
    pid = _add(a, "Maria", "Ivanova", "0176 1111111")
    laptops.sync(a, b)
    key_id = active_key_id(a)
    assert key_id is not None
    operator_inserts(
        server,
        record_id=pid,
        kind="person",
        revision=50,
        key_id=key_id,
        nonce=os.urandom(12),
        ciphertext=os.urandom(80),
        author_device=device_id(a),
        client_hlc="9999999999999-00000-forged",
    )
    first = laptops.sync(a)[0]
    assert first.refused_ids == [pid]
    _edit_phone(a, pid, "0176 2222222")
    assert sync_uc.status(a.store).pending_changes >= 1
    laptops.sync(a, b)
    assert sync_uc.status(a.store).pending_changes == 0
    person = people.get_person(b.store, b.user, pid)
    assert person is not None and person.phone == "0176 2222222"
