"""A field changed and changed back before the laptop sent it again: it is left as it was sent
(its clocks the sent ones), where that is certain. Real encrypted stores; the outbox notes the
field as sent with the first change since (``OutboxRow.sent``)."""

from __future__ import annotations

import json

from sqlalchemy import insert, select

from desktop_app.storage.models import PUSH_BEGAN, OutboxRow, table
from desktop_app.storage.visits_models import VisitRow
from desktop_app.sync.engine import set_meta
from desktop_app.usecases import data_rights, people, visits
from desktop_app.usecases.accounts import Session
from tests.conftest import mark_sent
from tests.integration.sync_harness import add_person, edit_person
from tests.unit.test_visits import PERSON, TODAY, consent_answers, full_life_situation

FIRST, TYPO = "0176 1111111", "0176 2222222"


def _sent_maria(session: Session) -> tuple[str, tuple[str, str]]:
    """Maria, registered and sent: her id and her phone's clocks as sent."""
    pid = add_person(session, "Maria", "Popescu", phone=FIRST)
    mark_sent(session.store, pid)
    return pid, _phone_clocks(session, pid)


def _phone_clocks(session: Session, pid: str) -> tuple[str, str]:
    person = people.get_person(session.store, session.user, pid, log_view=False)
    assert person is not None
    return person.field_clocks.get("phone", (person.updated_hlc, ""))


def _notes(session: Session) -> list[str | None]:
    with session.store.reading() as db:
        people_only = select(OutboxRow.sent).where(OutboxRow.record_kind == "person")
        return list(db.scalars(people_only.order_by(OutboxRow.seq)))


def test_a_phone_changed_back_before_it_was_sent_takes_its_sent_clocks_again(
    session: Session,
) -> None:
    pid, sent = _sent_maria(session)
    edit_person(session, pid, phone=TYPO)
    assert _phone_clocks(session, pid)[1] == sent[0]
    edit_person(session, pid, phone=FIRST)
    assert _phone_clocks(session, pid) == sent
    # Changed again from there: a change on top of the value as sent.
    edit_person(session, pid, phone=TYPO)
    assert _phone_clocks(session, pid)[1] == sent[0]
    noted = _notes(session)
    assert len(noted) == 3 and all(n and "phone" in n for n in noted[::2]) and noted[1] == "{}"
    assert FIRST not in "".join(n or "" for n in noted)  # a digest, not the number


def test_after_a_pulled_change_of_the_record_a_change_back_is_a_change(session: Session) -> None:
    """A pull merged into the record while B's change waited (its outbox row notes nothing):
    what was noted before may no longer be what the others hold."""
    pid, sent = _sent_maria(session)
    edit_person(session, pid, phone=TYPO)
    with session.store.transaction() as db:
        db.execute(
            insert(table(OutboxRow)),
            [{"record_kind": "person", "record_id": pid, "revision": 3, "hlc": "9" * 13}],
        )
    edit_person(session, pid, phone=FIRST)
    clocks = _phone_clocks(session, pid)
    assert clocks != sent and clocks[1] == sent[0]


def test_after_a_push_began_a_change_back_is_a_change(session: Session) -> None:
    """A push may have reached the server with the change, its answer lost."""
    pid, sent = _sent_maria(session)
    edit_person(session, pid, phone=TYPO)
    with session.store.transaction() as db:
        set_meta(db, PUSH_BEGAN, str(session.store.clock.now()))
    edit_person(session, pid, phone=FIRST)
    clocks = _phone_clocks(session, pid)
    assert clocks != sent and clocks[1] == sent[0]
    # Once the push is confirmed, the next changes are noted and trusted again.
    mark_sent(session.store, pid)
    edit_person(session, pid, phone=TYPO)
    edit_person(session, pid, phone=FIRST)
    assert _phone_clocks(session, pid) == clocks


def test_an_answer_changed_back_takes_its_sent_clocks_again(session: Session) -> None:
    store, user = session.store, session.user
    visits.record_consent(store, user, PERSON, consent_answers(), today=TODAY)
    answers = full_life_situation()
    visit = visits.finish_visit(store, user, PERSON, "life_situation", answers, today=TODAY)
    mark_sent(store, visit.id)

    def rent_clocks() -> list[str]:
        with store.reading() as db:
            row = db.get(VisitRow, visit.id)
            assert row is not None
            clocks: dict[str, list[str]] = json.loads(row.field_clocks)
        return clocks.get("answers/rent", [row.updated_hlc, ""])

    sent = rent_clocks()
    visits.edit_visit(store, user, visit.id, {**answers, "rent": 4800}, today=TODAY)
    assert rent_clocks()[1] == sent[0]
    visits.edit_visit(store, user, visit.id, answers, today=TODAY)
    assert rent_clocks() == sent


def test_an_erasure_drops_the_notes_of_values_as_sent(session: Session) -> None:
    pid, _sent = _sent_maria(session)
    other = add_person(session, "Ion", "Lungu", phone="0176 3333333")
    mark_sent(session.store, other)
    edit_person(session, other, phone=TYPO)
    edit_person(session, pid, phone=TYPO)
    assert all(_notes(session))
    data_rights.erase_person(session.store, session.user, pid)
    assert not any(n and n != "{}" for n in _notes(session))
    # Ion's number changed back now is a change like any other.
    before = _phone_clocks(session, other)
    edit_person(session, other, phone="0176 3333333")
    assert _phone_clocks(session, other)[1] == before[1]


def test_a_records_waiting_changes_are_found_and_deleted_through_its_index(
    session: Session,
) -> None:
    """Every edit looks up its record's waiting changes and every confirmed push deletes them
    by record: both through ``ix_outbox_record``, which holds the record id alone (a wider
    entry is a page more to write for each change a push confirms)."""
    pid, _sent = _sent_maria(session)
    edit_person(session, pid, phone=TYPO)
    with session.store.reading() as db:
        conn = db.connection()
        columns = [row[2] for row in conn.exec_driver_sql("PRAGMA index_info(ix_outbox_record)")]
        plans = {
            # ``models.unsent_since``'s query
            "lookup": conn.exec_driver_sql(
                "EXPLAIN QUERY PLAN SELECT record_id, hlc, sent FROM outbox "
                "WHERE record_id IN (?) ORDER BY seq",
                (pid,),
            ).all(),
            "delete": conn.exec_driver_sql(
                "EXPLAIN QUERY PLAN DELETE FROM outbox WHERE seq <= ? AND record_id IN (?, ?)",
                (99, pid, "other"),
            ).all(),
        }
    assert columns == ["record_id"]
    for name, plan in plans.items():
        assert any("USING INDEX ix_outbox_record" in str(step[-1]) for step in plan), (name, plan)
