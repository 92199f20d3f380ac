"""A check's question of where the person's record says otherwise, held for its user in the
encrypted store until they are there to answer it (``visits.hold_question``): by ids and field
names only, read again with the record as it is when asked, per user, and let go once
answered or once its difference is gone. Real SQLCipher stores, closed and opened again."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path
from typing import Any

from sqlalchemy import select

from desktop_app.domain.check_facts import FactDifference
from desktop_app.domain.person import PersonDraft
from desktop_app.domain.users import Role
from desktop_app.storage.models import MetaRow
from desktop_app.usecases import accounts, data_rights, people, visits
from tests.conftest import PASSWORD
from tests.unit.test_check_facts import _person
from tests.unit.test_visits import TODAY, full_life_situation

ANSWERS = full_life_situation() | {"phone": "0176 2222222"}


def _held_after_check(session: Any) -> tuple[str, visits.HeldQuestion]:
    """Maria (phone 0176 1111111) and a check saying 0176 2222222, its question held."""
    store, user = session.store, session.user
    person = _person(session, phone="0176 1111111")
    visit = visits.finish_visit(store, user, person.id, "life_situation", ANSWERS, today=TODAY)
    assert visit.facts is not None and [d.field for d in visit.facts.differing] == ["phone"]
    question = visits.HeldQuestion(visit.id, ("phone",), refer=True)
    visits.hold_question(store, user, question)
    return person.id, question


def test_a_held_question_outlives_the_store_and_holds_no_value_of_the_person(
    session: Any, data_dir: Path
) -> None:
    pid, question = _held_after_check(session)
    visits.hold_question(session.store, session.user, question)  # held again: still one
    with session.store.reading() as db:
        [kept] = db.scalars(
            select(MetaRow.value).where(MetaRow.key.startswith(visits.HELD_QUESTIONS_META))
        ).all()
    assert "0176" not in kept and pid not in kept  # ids of the visit and field names only
    session.close()
    anna = accounts.log_in(data_dir, "anna", PASSWORD)  # the program started again
    try:
        [(held, person_id, facts)] = visits.held_questions(anna.store, anna.user)
        assert (held, person_id) == (question, pid)
        assert facts.differing == (FactDifference("phone", "0176 1111111", "0176 2222222"),)
        assert facts.person is not None and facts.person.phone == "0176 1111111"
        # asked, not answered yet: still held; answered: let go
        assert len(visits.held_questions(anna.store, anna.user)) == 1
        visits.release_question(anna.store, anna.user, question.visit_id)
        assert visits.held_questions(anna.store, anna.user) == []
        with anna.store.reading() as db:
            assert db.scalars(select(MetaRow.key).where(MetaRow.key.like("held%"))).all() == []
    finally:
        anna.close()


def test_a_question_is_held_for_its_user_only(session: Any) -> None:
    _pid, _question = _held_after_check(session)
    accounts.add_user(session, "mihai", "Mihai", Role.ADVISOR, "advisor pass 12")
    mihai = accounts.log_in(session.store.paths.data_dir, "mihai", "advisor pass 12")
    try:
        assert visits.held_questions(mihai.store, mihai.user) == []
    finally:
        mihai.close()
    assert len(visits.held_questions(session.store, session.user)) == 1


def test_a_question_whose_difference_is_gone_meanwhile_is_let_go_unasked(session: Any) -> None:
    """A colleague (or a sync) put the check's phone into the record meanwhile: nothing to
    ask. Changed to a third number: asked with that one, as the record says now."""
    store, user = session.store, session.user
    pid, _question = _held_after_check(session)
    draft = PersonDraft("Мария", "Петрова", "1991", phone="0176 3333333")
    people.update_person(store, user, pid, draft)
    [(_h, _p, facts)] = visits.held_questions(store, user)
    assert facts.differing == (FactDifference("phone", "0176 3333333", "0176 2222222"),)
    people.update_person(store, user, pid, replace(draft, phone="0176 2222222"))
    assert visits.held_questions(store, user) == []
    with store.reading() as db:
        assert db.scalars(select(MetaRow.key).where(MetaRow.key.like("held%"))).all() == []


def test_the_persons_erasure_lets_their_held_question_go(session: Any) -> None:
    pid, _question = _held_after_check(session)
    data_rights.erase_person(session.store, session.user, pid, today=TODAY)
    assert visits.held_questions(session.store, session.user) == []


def test_a_helper_is_asked_nothing(session: Any) -> None:
    _held_after_check(session)
    helper = accounts.add_user(session, "ina", "Ina", Role.HELPER, "helper pass 1234")
    assert visits.held_questions(session.store, helper) == []
