"""Restricted sections (health, exploitation) enforced in the visits use cases, not the UI.

A helper's account asks the use-case layer directly, the way a modified UI would, and gets no
restricted answer back, cannot write one, and loses nothing an advisor recorded.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterator
from typing import Any

import pytest
from sqlalchemy import func, select

from desktop_app.domain.permissions import PermissionDenied
from desktop_app.domain.person import PersonDraft
from desktop_app.domain.users import Role
from desktop_app.usecases import access, accounts, data_rights, people, visits
from desktop_app.usecases.accounts import Session
from desktop_app.usecases.visits import DraftRow, VisitRow
from tests.unit.test_visits import consent_answers, full_life_situation

TODAY = dt.date(2026, 11, 25)
HEALTH = {"insurance_status", "pregnant", "urgent_medical_need"}
EXPLOITATION = {"work_exploitation_signs", "exploitation_notes"}


def _advisor_answers() -> dict[str, Any]:
    """A full life situation check with health answers and signs of labour exploitation."""
    answers = full_life_situation()
    answers["work_exploitation_signs"] = ["wages_withheld", "documents_taken"]
    answers["exploitation_notes"] = "Arbeitgeber behält den Pass"
    return answers


def _without(answers: dict[str, Any], fields: set[str]) -> dict[str, Any]:
    return {k: v for k, v in answers.items() if k not in fields}


@pytest.fixture
def helper(session: Session) -> Iterator[Session]:
    accounts.add_user(session, "mihai", "Mihai Student", Role.HELPER, "student pass 7")
    helper = accounts.log_in(session.store.paths.data_dir, "mihai", "student pass 7")
    yield helper
    helper.close()


@pytest.fixture
def case(session: Session) -> tuple[str, visits.Visit]:
    """A person with consent and one visit an advisor (the coordinator) recorded in full."""
    store = session.store
    pid = people.register_person(store, session.user, PersonDraft("Мария", "Петрова")).id
    visits.record_consent(store, session.user, pid, consent_answers(), today=TODAY)
    visit = visits.finish_visit(
        store,
        session.user,
        pid,
        "life_situation",
        _advisor_answers(),
        next_steps={"health_clearing": "accepted", "address_registration": "accepted"},
        today=TODAY,
    )
    assert set(visit.answers) >= HEALTH | EXPLOITATION and visit.withheld == ()
    return pid, visit


def test_the_form_definitions_declare_the_restricted_sections() -> None:
    life = visits.form("life_situation")
    assert life.section("health").restricted == "health"
    assert life.withheld_fields({"health"}) >= HEALTH
    assert life.withheld_fields({"exploitation"}) == EXPLOITATION | {"housing_exploitation_signs"}
    assert life.restricted_kinds() == {"health", "exploitation"}
    assert visits.form("skills_check").restricted_kinds() == frozenset()


def test_helper_reading_a_visit_gets_no_restricted_answer(
    session: Session, helper: Session, case: tuple[str, visits.Visit]
) -> None:
    pid, visit = case
    seen = visits.get_visit(helper.store, helper.user, visit.id)
    assert seen is not None
    assert not (HEALTH | EXPLOITATION) & set(seen.answers)
    assert seen.answers["topics"] == ["jobcenter"]  # plain answers are there
    assert seen.withheld == ("exploitation", "health")
    # "Clearingstelle Gesundheit accepted" would tell that the person has no insurance
    assert seen.next_steps == {"address_registration": "accepted"}
    [listed] = visits.visit_history(helper.store, helper.user, pid)
    assert listed.answers == seen.answers and listed.withheld == seen.withheld
    text = json.dumps([seen.__dict__, listed.__dict__], ensure_ascii=False, default=str)
    assert "Pass" not in text and "insurance" not in text and "documents_taken" not in text
    # the advisor still sees everything
    full = visits.get_visit(session.store, session.user, visit.id)
    assert full is not None and full.answers["exploitation_notes"].endswith("Pass")


def test_earlier_revisions_and_drafts_are_withheld_too(
    session: Session, helper: Session, case: tuple[str, visits.Visit]
) -> None:
    pid, visit = case
    changed = {**_advisor_answers(), "urgency": "today", "insurance_status": "unclear"}
    visits.edit_visit(session.store, session.user, visit.id, changed, today=TODAY)
    [listed] = visits.visit_history(helper.store, helper.user, pid)
    assert listed.revision == 2 and len(listed.earlier) == 1
    for answers in (listed.answers, listed.earlier[0].answers):
        assert not (HEALTH | EXPLOITATION) & set(answers)
    # an advisor's unfinished draft, offered to whoever opens the app next
    visits.save_draft(session.store, session.user, pid, "life_situation", _advisor_answers())
    [draft] = visits.list_open_drafts(helper.store, helper.user)
    loaded = visits.load_draft(helper.store, helper.user, pid, "life_situation")
    for d in (draft, loaded):
        assert d is not None and d.withheld == ("exploitation", "health")
        assert not (HEALTH | EXPLOITATION) & set(d.answers)


def _stored(session: Session) -> tuple[int, int]:
    with session.store.reading() as db:
        return (
            int(db.scalar(select(func.count()).select_from(VisitRow)) or 0),
            int(db.scalar(select(func.count()).select_from(DraftRow)) or 0),
        )


def test_helper_writing_restricted_answers_is_refused_and_nothing_is_stored(
    session: Session, helper: Session, case: tuple[str, visits.Visit]
) -> None:
    pid, visit = case
    before = _stored(session)
    store, user = helper.store, helper.user
    with pytest.raises(PermissionDenied):
        visits.finish_visit(store, user, pid, "life_situation", full_life_situation(), today=TODAY)
    with pytest.raises(PermissionDenied):
        visits.save_draft(store, user, pid, "life_situation", {"pregnant": "yes"})
    with pytest.raises(PermissionDenied):
        notes = {**_without(_advisor_answers(), HEALTH), "exploitation_notes": "x"}
        visits.edit_visit(store, user, visit.id, notes, today=TODAY)
    assert _stored(session) == before
    full = visits.get_visit(session.store, session.user, visit.id, log_view=False)
    assert full is not None and full.revision == 1


def test_helper_edit_keeps_the_advisors_restricted_answers(
    session: Session, helper: Session, case: tuple[str, visits.Visit]
) -> None:
    pid, visit = case
    seen = visits.get_visit(helper.store, helper.user, visit.id)
    assert seen is not None
    edited = visits.edit_visit(
        helper.store,
        helper.user,
        visit.id,
        {**seen.answers, "urgency": "today"},
        next_steps=seen.next_steps,
        today=TODAY,
    )
    assert edited.revision == 2 and not HEALTH & set(edited.answers)
    full = visits.get_visit(session.store, session.user, visit.id)
    assert full is not None and full.answers["urgency"] == "today"
    for key in HEALTH | EXPLOITATION:
        assert full.answers[key] == visit.answers[key]
    assert full.next_steps == {"health_clearing": "accepted", "address_registration": "accepted"}
    # a helper may record a new visit without the restricted sections (they are closed for them)
    fresh = visits.finish_visit(
        helper.store,
        helper.user,
        pid,
        "life_situation",
        _without(_advisor_answers(), HEALTH | EXPLOITATION),
        today=TODAY,
    )
    assert not (HEALTH | EXPLOITATION) & set(fresh.answers)


def test_a_helpers_edit_from_a_base_keeps_restricted_answers_and_never_shows_them(
    session: Session, helper: Session, case: tuple[str, visits.Visit]
) -> None:
    """An advisor began editing the visit (the draft keeps where the edit started, restricted
    answers included); a helper continues it. The helper gets no restricted answer back, also
    not in the draft's base, and saving loses none of them."""
    pid, visit = case
    base = visits.VisitBase(visit.answers, visit.next_steps)
    visits.save_draft(
        session.store,
        session.user,
        pid,
        "life_situation",
        visit.answers,
        visit_id=visit.id,
        next_steps=visit.next_steps,
        base=base,
    )
    draft = visits.load_draft(helper.store, helper.user, pid, "life_situation")
    assert draft is not None and draft.base is not None
    assert not (HEALTH | EXPLOITATION) & (set(draft.answers) | set(draft.base.answers))
    edited = visits.edit_visit(
        helper.store,
        helper.user,
        visit.id,
        {**draft.answers, "urgency": "today"},
        next_steps=draft.next_steps,
        today=TODAY,
        base=draft.base,
    )
    assert not (HEALTH | EXPLOITATION) & set(edited.answers)
    full = visits.get_visit(session.store, session.user, visit.id)
    assert full is not None and full.answers["urgency"] == "today"
    for key in HEALTH | EXPLOITATION:
        assert full.answers[key] == visit.answers[key]


def test_helper_continuing_an_advisors_draft_keeps_its_restricted_answers(
    session: Session, helper: Session, case: tuple[str, visits.Visit]
) -> None:
    pid, _visit = case
    visits.save_draft(session.store, session.user, pid, "skills_check", {"school_years": 3})
    visits.save_draft(session.store, session.user, pid, "life_situation", _advisor_answers())
    draft = visits.load_draft(helper.store, helper.user, pid, "life_situation")
    assert draft is not None
    visits.save_draft(
        helper.store, helper.user, pid, "life_situation", {**draft.answers, "urgency": "today"}
    )
    visit = visits.finish_visit(
        helper.store,
        helper.user,
        pid,
        "life_situation",
        {**draft.answers, "urgency": "today"},
        today=TODAY,
    )
    full = visits.get_visit(session.store, session.user, visit.id)
    assert full is not None and full.answers["urgency"] == "today"
    assert full.answers["exploitation_notes"] == "Arbeitgeber behält den Pass"
    assert full.answers["insurance_status"] == "none"


def test_after_the_advisor_opens_the_case_the_helper_sees_that_kind_only(
    session: Session, helper: Session, case: tuple[str, visits.Visit]
) -> None:
    pid, visit = case
    access.open_case_to_helper(session.store, session.user, pid, helper.user.id, "health")
    seen = visits.get_visit(helper.store, helper.user, visit.id)
    assert seen is not None and seen.withheld == ("exploitation",)
    assert set(seen.answers) >= HEALTH and not EXPLOITATION & set(seen.answers)
    assert seen.next_steps == {"health_clearing": "accepted", "address_registration": "accepted"}
    # …and may now write health answers, but still no notes on exploitation
    visits.edit_visit(
        helper.store,
        helper.user,
        visit.id,
        {**seen.answers, "insurance_status": "statutory"},
        today=TODAY,
    )
    with pytest.raises(PermissionDenied):
        visits.save_draft(
            helper.store, helper.user, pid, "life_situation", {"exploitation_notes": "x"}
        )
    # another person's case stays closed
    other = people.register_person(session.store, session.user, PersonDraft("Ion", "Popa")).id
    assert visits.withheld_kinds(helper.store, helper.user, other) == {"health", "exploitation"}
    access.close_case_to_helper(session.store, session.user, pid, helper.user.id, "health")
    again = visits.get_visit(helper.store, helper.user, visit.id)
    assert again is not None and not HEALTH & set(again.answers)


def test_helper_export_of_a_persons_data_is_refused(
    helper: Session, case: tuple[str, visits.Visit]
) -> None:
    pid, _visit = case
    with pytest.raises(PermissionDenied):
        data_rights.export_person(helper.store, helper.user, pid)
    with pytest.raises(PermissionDenied):
        access.openings_of(helper.store, helper.user, pid)


def test_the_childrens_insurance_is_health_data_a_helper_neither_reads_nor_writes_nor_misplaces(
    session: Session, helper: Session
) -> None:
    """Each child's insurance (``children_insurance``, in the health section) is withheld from a
    helper like the adult's: not in the visit they read, nor in the facts their letter to the
    Clearingstelle is made from; writing it is refused. A helper who removes the first child
    (they see the children, not their insurance) leaves the second child's insurance with that
    child: entries are matched by the child's name and birth, not by their place."""
    from desktop_app.usecases import referrals

    store = session.store
    pid = people.register_person(store, session.user, PersonDraft("Мария", "Петрова")).id
    visits.record_consent(store, session.user, pid, consent_answers(), today=TODAY)
    answers = _advisor_answers()
    first = {"child_name": "Ана", "child_birth": "2018-05-01", "child_lives": "with_person"}
    second = {"child_name": "Иво", "child_birth": "2023", "child_lives": "with_person"}
    answers["children_count"] = 2
    answers["children"] = [{**first, "child_care": "school"}, {**second, "child_care": "daycare"}]
    answers["children_insurance"] = [
        {"child_name": "Ана", "child_birth": "2018-05-01", "child_insurance": "none"},
        {"child_name": "Иво", "child_birth": "2023", "child_insurance": "statutory"},
    ]
    visit = visits.finish_visit(store, session.user, pid, "life_situation", answers, today=TODAY)
    assert visits.form("life_situation").withheld_fields({"health"}) >= {"children_insurance"}

    seen = visits.get_visit(helper.store, helper.user, visit.id)
    assert seen is not None and "children_insurance" not in seen.answers
    helper_facts = referrals.life_facts(helper.store, helper.user, pid)
    assert helper_facts is not None and [c.insurance for c in helper_facts.children] == ["", ""]
    advisor_facts = referrals.life_facts(store, session.user, pid)
    assert advisor_facts is not None
    assert [c.insurance for c in advisor_facts.children] == ["none", "statutory"]

    with pytest.raises(PermissionDenied):
        visits.edit_visit(
            helper.store,
            helper.user,
            visit.id,
            {**seen.answers, "children_insurance": [{**first, "child_insurance": "ehic"}]},
            today=TODAY,
        )
    visits.edit_visit(
        helper.store,
        helper.user,
        visit.id,
        {**seen.answers, "children_count": 1, "children": [seen.answers["children"][1]]},
        next_steps=seen.next_steps,
        today=TODAY,
    )
    facts = referrals.life_facts(store, session.user, pid)
    assert facts is not None
    assert [(c.name, c.insurance) for c in facts.children] == [("Иво", "statutory")]
    assert facts.children_insurance_to_clear == ()
    # The removed child's insurance, which the helper never saw, stays stored, counting for no
    # child; the advisor's form drops it at the advisor's next save there.
    kept = visits.get_visit(store, session.user, visit.id)
    assert kept is not None
    assert kept.answers["children_insurance"] == answers["children_insurance"]


def test_a_helpers_letter_to_the_clearingstelle_says_nothing_of_the_persons_own_insurance(
    session: Session, helper: Session, case: tuple[str, visits.Visit]
) -> None:
    """The adult's recorded insurance (``insurance_status``, health section) goes into the
    letter to the Clearingstelle an advisor prints, never into the one a helper (who does not
    see the health section) prints of the same referral, nor into the facts it is made from."""
    import io

    import pypdf

    from desktop_app.usecases import referrals
    from tests.conftest import record_sharing_consent

    pid, visit = case
    assert visit.answers["insurance_status"] == "none"
    record_sharing_consent(session, pid, "given", "Clearingstelle Gesundheit")
    referral = referrals.issue_referral(
        session.store, session.user, pid, "clearingstelle", "health_insurance"
    )

    def letter(user_session: Session) -> str:
        """The letter to the service (page 1; the person's copy follows)."""
        pdf = referrals.render_letter(user_session.store, user_session.user, referral.id)
        return (pypdf.PdfReader(io.BytesIO(pdf)).pages[0].extract_text() or "").replace("\n", " ")

    shown = "Krankenversicherung (eigene Angabe) nicht krankenversichert"
    advisor_facts = referrals.life_facts(session.store, session.user, pid)
    assert advisor_facts is not None and advisor_facts.insurance == "none"
    assert shown in letter(session)
    helper_facts = referrals.life_facts(helper.store, helper.user, pid)
    assert helper_facts is not None and helper_facts.insurance == ""
    helpers = letter(helper)
    assert "Clearingstelle Gesundheit" in helpers  # the letter to the service is there
    assert "eigene Angabe" not in helpers and "nicht krankenversichert" not in helpers


def test_a_helpers_letter_for_an_insured_persons_child_says_nothing_of_whose_insurance(
    session: Session, helper: Session
) -> None:
    """Insured herself, her child not insured: the advisor's letter to the Clearingstelle says
    she is insured and the child's insurance must be cleared; the helper's letter of the same
    referral (no health answers) keeps the usual body, which tells nothing of either."""
    import io

    import pypdf

    from desktop_app.usecases import referrals
    from tests.conftest import record_sharing_consent

    store = session.store
    pid = people.register_person(store, session.user, PersonDraft("Мария", "Петрова")).id
    visits.record_consent(store, session.user, pid, consent_answers(), today=TODAY)
    answers = _advisor_answers()
    child = {"child_name": "Ана", "child_birth": "2018-05-01", "child_lives": "with_person"}
    answers["insurance_status"] = "statutory"
    answers["children_count"] = 1
    answers["children"] = [{**child, "child_care": "school"}]
    answers["children_insurance"] = [
        {"child_name": "Ана", "child_birth": "2018-05-01", "child_insurance": "none"}
    ]
    visits.finish_visit(store, session.user, pid, "life_situation", answers, today=TODAY)
    record_sharing_consent(session, pid, "given", "Clearingstelle Gesundheit")
    referral = referrals.issue_referral(
        store, session.user, pid, "clearingstelle", "health_insurance"
    )

    def letter(user_session: Session) -> str:
        pdf = referrals.render_letter(user_session.store, user_session.user, referral.id)
        return (pypdf.PdfReader(io.BytesIO(pdf)).pages[0].extract_text() or "").replace("\n", " ")

    advisors = letter(session)
    assert "selbst krankenversichert" in advisors and "oben genannten Kindes" in advisors
    helpers = letter(helper)
    assert "Clearingstelle Gesundheit" in helpers
    assert "Der Krankenversicherungsschutz von" in helpers
    assert "selbst krankenversichert" not in helpers and "Kindes" not in helpers
