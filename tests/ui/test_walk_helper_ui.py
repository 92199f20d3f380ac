"""A student helper's day in Romanian, with a helper's rights: what the windows offer and
withhold, the forms side by side at a laptop's sizes, the household and its health answers,
and a referral the helper prepares that an advisor signs off."""

from __future__ import annotations

import pytest
from pytestqt.qtbot import QtBot

from desktop_app.domain.permissions import PermissionDenied
from desktop_app.domain.person import PersonDraft
from desktop_app.domain.users import Role
from desktop_app.usecases import accounts, people, person_summary, visits
from desktop_app.usecases.accounts import Session
from tests.conftest import record_sharing_consent
from tests.unit.test_visits import full_life_situation


# ------------------------------------------------------------------ the household and health


HELPER_PASSWORD = "helper pass 123"


def _helper_of(session: Session) -> Session:
    accounts.add_user(session, "ana", "Ana Moldovan", Role.HELPER, HELPER_PASSWORD)
    return accounts.log_in(session.store.paths.data_dir, "ana", HELPER_PASSWORD)


def _mother_of_ioan(session: Session) -> str:
    """Elena Stan, insured, whose son Ioan (8) is not: the advisor's check suggests the
    Clearingstelle for him, and the advisor accepted it."""
    person = people.register_person(
        session.store, session.user, PersonDraft("Elena", "Stan", "1990"), confirm_duplicates=True
    )
    record_sharing_consent(session, person.id)
    answers = full_life_situation() | {
        "insurance_status": "statutory",
        "children": [IOAN],
        "children_insurance": [
            {"child_name": "Ioan", "child_birth": IOAN["child_birth"], "child_insurance": "none"}
        ],
    }
    visits.finish_visit(
        session.store,
        session.user,
        person.id,
        "life_situation",
        answers,
        next_steps={"health_clearing": "accepted"},
    )
    return person.id


IOAN = {"child_name": "Ioan", "child_birth": "2018-05-01", "child_lives": "with_person",
        "child_care": "school"}  # fmt: skip


def test_a_helper_reads_and_writes_no_household_members_health(session: Session) -> None:
    """The household (partner, children, their schooling) is the helper's to record, as the
    permissions say (FILL_FORMS); each child's insurance, asked in the health section, is
    not. Tried every way a helper's save can reach it: nothing read, nothing written."""
    person_id = _mother_of_ioan(session)
    helper = _helper_of(session)
    try:
        seen = visits.latest_visit(helper.store, helper.user, person_id, "life_situation")
        assert seen is not None
        assert "children_insurance" not in seen.answers and "insurance_status" not in seen.answers
        assert seen.answers["children"] == [IOAN]  # the household is theirs to see
        assert seen.next_steps == {}  # the Clearingstelle's step says what is withheld
        summary = person_summary.person_summary(helper.store, helper.user, person_id)
        assert summary.insurance is None and summary.children_insurance == ()
        # Written beside the household's answers, the insurance is refused, draft or visit.
        written = {**seen.answers, "children_insurance": [{**IOAN, "child_insurance": "ehic"}]}
        with pytest.raises(PermissionDenied):
            visits.save_draft(helper.store, helper.user, person_id, "life_situation", written)
        with pytest.raises(PermissionDenied):
            visits.edit_visit(helper.store, helper.user, seen.id, written)
        # Smuggled into the child's own entry, it is not kept anywhere.
        smuggled = {**seen.answers, "children": [{**IOAN, "child_insurance": "statutory"}]}
        visits.edit_visit(helper.store, helper.user, seen.id, smuggled)
        stored = visits.get_visit(session.store, session.user, seen.id)
        assert stored is not None
        assert stored.answers["children"] == [IOAN]
        assert stored.answers["children_insurance"] == [
            {"child_name": "Ioan", "child_birth": IOAN["child_birth"], "child_insurance": "none"}
        ]
        assert stored.next_steps == {"health_clearing": "accepted"}
    finally:
        helper.close()


@pytest.mark.parametrize("corrected", [{"child_name": "Ion"}, {"child_birth": "2018-06-01"}])
def test_a_helper_correcting_a_childs_name_or_birth_keeps_the_childs_insurance(
    session: Session, corrected: dict[str, str]
) -> None:
    """A helper corrects the spelling of Ioan's name (or his date of birth) in the household:
    his insurance, which the helper cannot see, stays his. It was kept about "Ioan", a child
    no longer recorded, so it counted for nobody: the accepted Clearingstelle step went at
    the helper's save, unseen, and the advisor's next save dropped the insurance too."""
    person_id = _mother_of_ioan(session)
    helper = _helper_of(session)
    try:
        seen = visits.latest_visit(helper.store, helper.user, person_id, "life_situation")
        assert seen is not None
        fixed = {**seen.answers, "children": [{**IOAN, **corrected}]}
        insured = [
            {"child_name": "Ioan", "child_birth": "2018-05-01", "child_insurance": "none"}
            | corrected
        ]
        # In a draft the advisor began (the insurance typed), as in the finished visit.
        begun = visits.get_visit(session.store, session.user, seen.id)
        assert begun is not None
        visits.save_draft(session.store, session.user, person_id, "life_situation", begun.answers)
        visits.save_draft(helper.store, helper.user, person_id, "life_situation", fixed)
        draft = visits.load_draft(session.store, session.user, person_id, "life_situation")
        assert draft is not None and draft.answers["children_insurance"] == insured
        visits.edit_visit(helper.store, helper.user, seen.id, fixed)
        stored = visits.get_visit(session.store, session.user, seen.id)
        assert stored is not None
        assert stored.answers["children_insurance"] == insured
        assert stored.next_steps == {"health_clearing": "accepted"}
        # Ioan replaced by another child (name and birth both other): nothing is moved to
        # her, an unknown insurance rather than another child's.
        other = {**IOAN, "child_name": "Maria", "child_birth": "2021-02-03"}
        visits.edit_visit(helper.store, helper.user, seen.id, {**fixed, "children": [other]})
        stored = visits.get_visit(session.store, session.user, seen.id)
        assert stored is not None
        assert [e["child_name"] for e in stored.answers["children_insurance"]] == [
            corrected.get("child_name", "Ioan")
        ]
    finally:
        helper.close()
