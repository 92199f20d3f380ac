"""Red-team tests of properties 4 and 5: what a malicious server operator can forge or learn.

The operator owns the server's database: it can hand out envelopes it made up, under any
metadata it likes. None of them may change anything on a laptop, not even its bookkeeping.
"""

from __future__ import annotations

import os
import uuid

from sqlalchemy import select
from sqlalchemy.orm import Session as DbSession

from desktop_app.domain.person import PERSON_FIELDS
from desktop_app.usecases import people
from desktop_app.usecases import sync as sync_uc
from sync_server import models
from tests.integration.sync_harness import (
    Laptops,
    ServerProcess,
    active_key_id,
    add_person,
    device_id,
    edit_person,
    operator_inserts,
)


def test_an_envelope_forged_in_a_laptops_name_does_not_stop_its_changes_from_travelling(
    laptops: Laptops, server: ServerProcess
) -> None:
    """A laptop skips opening its own envelopes coming back from the server: it only notes that
    the server holds them. One the operator made up in its name, with a high revision and no
    valid ciphertext, must not count as held, or the laptop's later changes never leave it."""
    a, b = laptops.new("A"), laptops.new("B")
    pid = add_person(a, "Maria", "Ivanova", phone="0176 1111111")
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
    edit_person(a, pid, phone="0176 2222222")
    assert sync_uc.status(a.store).pending_changes >= 1
    laptops.sync(a, b)
    assert sync_uc.status(a.store).pending_changes == 0
    person = people.get_person(b.store, b.user, pid)
    assert person is not None and person.phone == "0176 2222222"


# The namespace the app's source gives conflict ids (``merge._CONFLICT_NS``): public knowledge.
_PUBLISHED_CONFLICT_NS = uuid.UUID("7f0b1f3e-3c1a-4b8e-9a53-6f3f0d7c2a11")


def test_the_operator_cannot_tell_from_a_conflicts_id_which_field_it_is_about(
    laptops: Laptops, server: ServerProcess
) -> None:
    """A conflict syncs as a record whose id two laptops derive alike. Derived from the record,
    the field and a clock alone, the operator could try every field and every clock near the
    times it saw, and learn which field of which person two laptops disagreed on (for a visit:
    which answer, e.g. about health). The operator knows the app, the record ids, the laptops'
    clocks' device parts and the times; it must still learn nothing from the id."""
    a, b = laptops.new("A"), laptops.new("B")
    pid = add_person(a, "Elena", "Radu")
    laptops.sync(a, b)
    edit_person(a, pid, family_name="Radu-Pop")
    edit_person(b, pid, family_name="Radu-Ionescu")
    laptops.sync(a, b, a)
    assert len(sync_uc.open_conflicts(a.store)) == 1
    stored = models.StoredEnvelope
    with DbSession(server.engine) as s:
        rows = s.execute(select(stored.kind, stored.record_id, stored.client_hlc)).all()
    conflict_ids = {r.record_id for r in rows if r.kind == "conflict"}
    person_ids = {r.record_id for r in rows if r.kind == "person"}
    clocks = [r.client_hlc.split("-", 2) for r in rows]
    stores = {device for _ms, _counter, device in clocks}
    times = [int(ms) for ms, _counter, _device in clocks]
    assert conflict_ids and pid in person_ids
    # Every guess within the span of the clocks the server saw (edits happen before a push):
    # the test takes seconds, so that is a few thousand milliseconds.
    guessed = set()
    for ms in range(min(times) - 2000, max(times) + 1):
        for counter in range(3):
            for device in stores:
                clock = f"{ms:013d}-{counter:05d}-{device}"
                for record in person_ids:
                    for name in PERSON_FIELDS:
                        key = f"person/{record}/{name}/{clock}"
                        if str(uuid.uuid5(_PUBLISHED_CONFLICT_NS, key)) in conflict_ids:
                            guessed.add(name)
    assert guessed == set()
