"""What ``welcome-desk sync`` says it sent and received, on two real laptops and a real server
on 127.0.0.1: a laptop's own records, which every pull after its push brings back, were said to
be "received" ("1 sent, 12 received" right after the same laptop sent 11), and the audit entry
of the command's own logging in made every sync say "1 sent". That entry still goes to the
server; only records a user made or changed are counted."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import func, select, update
from sqlalchemy.orm import Session as DbSession

from desktop_app.exits import EXIT_OK
from sync_server import models
from tests.integration.sync_harness import (
    PASSWORD,
    Laptops,
    ServerProcess,
    add_person,
    device_id,
    edit_person,
    holdings,
    push_state,
    record_state,
    run_desk,
)

pytestmark = pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)


def _sync(folder: Path, lang: str) -> str:
    done = run_desk("sync", "--data-dir", str(folder), lang=lang, password=PASSWORD)
    assert done.returncode == EXIT_OK, done.stderr
    assert "Traceback" not in done.stderr, done.stderr
    return done.stdout


def _audit_on_server(server: ServerProcess, device: str) -> int:
    """Audit entries the server holds from ``device``."""
    with DbSession(server.engine) as s:
        return int(
            s.scalar(
                select(func.count())
                .select_from(models.StoredEnvelope)
                .where(
                    models.StoredEnvelope.kind == "audit",
                    models.StoredEnvelope.author_device == device,
                )
            )
            or 0
        )


def test_five_people_sent_then_received_then_nothing_in_three_languages(
    laptops: Laptops, server: ServerProcess
) -> None:
    a, b = laptops.new("A"), laptops.new("B")
    laptops.sync(a, b, a, b)  # the laptops' own records of joining, settled
    for n in range(5):
        add_person(a, f"Ion {n}", "Popescu", "1990")
    folder_a, folder_b = a.store.paths.data_dir, b.store.paths.data_dir
    device_a = device_id(a)
    laptops.close()

    assert (
        _sync(folder_a, "de")
        == "Synchronisiert: 5 gesendet, 0 empfangen, 0 Konflikte, 0 abgelehnt.\n"
    )
    assert _sync(folder_b, "bg") == (
        "Синхронизирано: 0 изпратени, 5 получени, 0 конфликта, 0 отказани.\n"
    )
    # Nothing new on either laptop: A's pull brings back its own five people (and the audit
    # entries of their registering and of B's logging in), none of them news here.
    logged_in = _audit_on_server(server, device_a)
    assert _sync(folder_a, "ro") == "Sincronizat: 0 trimise, 0 primite, 0 conflicte, 0 refuzate.\n"
    # ... and the entry of this sync's own logging in went to the server all the same: each
    # laptop's audit chain syncs whole (a missing entry is a gap the chain check reports).
    assert _audit_on_server(server, device_a) == logged_in + 1
    assert (
        _sync(folder_b, "de")
        == "Synchronisiert: 0 gesendet, 0 empfangen, 0 Konflikte, 0 abgelehnt.\n"
    )
    assert _sync(folder_a, "bg") == (
        "Синхронизирано: 0 изпратени, 0 получени, 0 конфликта, 0 отказани.\n"
    )


def test_a_record_changed_here_and_received_back_is_counted_once_each_way(
    laptops: Laptops,
) -> None:
    """One changed record: sent by the laptop that changed it, received by the other, and
    neither laptop counts it again when it comes back."""
    a, b = laptops.new("A"), laptops.new("B")
    pid = add_person(a, "Мария", "Иванова", "1990", phone="0176 1111111")
    laptops.sync(a, b, a, b)
    edit_person(b, pid, phone="0176 2222222")
    sent_by_b, got_by_a, back_at_b = laptops.sync(b, a, b)
    assert (sent_by_b.sent, sent_by_b.received) == (1, 0)
    assert (got_by_a.sent, got_by_a.received) == (0, 1)
    assert (back_at_b.sent, back_at_b.received) == (0, 0)
    # B's own change came back to it, and was only not counted: the pull saw it.
    assert back_at_b.pulled >= 1
    assert holdings(a)[pid][1] == "0176 2222222"


def test_an_envelope_in_this_laptops_name_with_other_content_is_applied_and_received(
    laptops: Laptops,
) -> None:
    """Authentic, in this laptop's name, at a revision it does not hold (another copy of the
    app with its keys, or a restored copy's lost change): taken as main takes it, and counted
    as received, since it changed something here."""
    a, b = laptops.new("A"), laptops.new("B")
    pid = add_person(a, "Ana", "Ionescu", "1985", phone="0176 1111111")
    laptops.sync(a, b, a)
    (revision, _phone) = holdings(a)[pid]
    with a.store.reading() as s:
        row = (
            s.connection()
            .exec_driver_sql("SELECT given_name, family_name FROM people WHERE id = ?", (pid,))
            .one()
        )
    changed = record_state(
        "person",
        pid,
        {"given_name": row[0], "family_name": row[1], "phone": "0176 9999999"},
        device_id(a),
    )
    push_state(a, changed, revision=revision + 1)
    report = laptops.sync(a)[0]
    assert report.refused == 0
    assert report.received == 1
    # Merged into what this laptop holds (its other fields kept), as a colleague's change is:
    # a revision above the one pulled, sent on.
    assert holdings(a)[pid] == (revision + 2, "0176 9999999")


def test_this_laptops_own_envelope_altered_on_the_server_is_still_refused(
    laptops: Laptops, server: ServerProcess
) -> None:
    """The laptop's own envelopes coming back are still opened and authenticated before they
    are passed over: one whose ciphertext the operator changed (same record, same revision)
    is refused and said so, as before, and nothing of it is applied or counted as received."""
    a, b = laptops.new("A"), laptops.new("B")
    laptops.sync(a, b, a, b)
    pid = add_person(a, "Elena", "Dimitrova", "1979", phone="0176 1111111")
    pushed = laptops.sync(a)[0]
    assert pushed.sent == 1
    with DbSession(server.engine) as s, s.begin():
        stored = s.scalars(
            select(models.StoredEnvelope).where(models.StoredEnvelope.record_id == pid)
        ).one()
        altered = bytes([stored.ciphertext[0] ^ 1]) + stored.ciphertext[1:]
        s.execute(
            update(models.StoredEnvelope)
            .where(models.StoredEnvelope.record_id == pid)
            .values(ciphertext=altered)
        )
    report = laptops.sync(a)[0]
    assert report.refused == 1 and pid in report.refused_ids
    assert report.received == 0
    assert holdings(a)[pid][1] == "0176 1111111"
