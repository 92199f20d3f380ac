"""The summary of a returning person (household, housing, health insurance, languages,
qualifications and driving licence, open referrals, accepted next steps not referred yet), read
as the user may see it and audited."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

from desktop_app.domain.person import PersonDraft
from desktop_app.domain.referral import ReferralStatus
from desktop_app.domain.users import Role
from desktop_app.paths import resource
from desktop_app.usecases import access, accounts, audit, people, reference, visits
from desktop_app.usecases import referrals as referrals_uc
from desktop_app.usecases.person_summary import SummaryChild, person_summary
from desktop_app.usecases.visits import Visit
from tests.unit.forms.test_forms_evaluator import full_skills_check
from tests.unit.letters.test_letter_skills import SKILLS as MARIAS_SKILLS
from tests.unit.test_reference_forms import raised_version
from tests.unit.test_visits import consent_answers, full_life_situation

TODAY = dt.date.today()
KIDS = (("Мария", 1), ("Иван", 6), ("Елена", 11))
#: Accepted at the end of the first check; the first two are referred to afterwards.
ACCEPTED = ("health_clearing", "school_place", "address_registration", "daycare_place")
HELPER_PASSWORD = "helper pass 123"


def three_children(lives_elsewhere: int = 0) -> list[dict[str, Any]]:
    children: list[dict[str, Any]] = [
        {
            "child_name": name,
            "child_birth": dt.date(TODAY.year - age, 1, 1).isoformat(),
            "child_lives": "with_person",
            "child_care": "no_place",
        }
        for name, age in KIDS
    ]
    children += [
        {"child_name": "Петър", "child_birth": "2010", "child_lives": "home_country"}
    ] * lives_elsewhere
    return children


def first_check(session: Any, person_id: str, lives_elsewhere: int = 0) -> Visit:
    """A Bulgarian mother's check: three children living with her (one of them of daycare age,
    none with a place), a sublet, no health insurance, address not registered."""
    visits.record_consent(session.store, session.user, person_id, consent_answers())
    children = three_children(lives_elsewhere)
    answers = full_life_situation() | {"children_count": len(children), "children": children}
    return visits.finish_visit(
        session.store,
        session.user,
        person_id,
        "life_situation",
        answers,
        next_steps=dict.fromkeys(ACCEPTED, "accepted"),
    )


def returning_mother(session: Any) -> str:
    """The mother after her first visit: the check, and referrals to the Clearingstelle
    (follow-up in ten days) and the school administration office."""
    person = people.register_person(
        session.store,
        session.user,
        PersonDraft(given_name="Мария", family_name="Петрова", date_of_birth="02.04.1991"),
    )
    first_check(session, person.id)
    store, user = session.store, session.user
    referrals_uc.issue_referral(
        store,
        user,
        person.id,
        "clearingstelle",
        "health_insurance",
        follow_up=TODAY + dt.timedelta(days=10),
    )
    referrals_uc.issue_referral(store, user, person.id, "schulverwaltungsamt", "family_support")
    return person.id


def test_the_summary_tells_the_household_insurance_open_referrals_and_steps(
    session: Any,
) -> None:
    person_id = returning_mother(session)
    summary = person_summary(session.store, session.user, person_id)
    assert summary.children == tuple(SummaryChild(name, age) for name, age in KIDS)
    assert summary.children_count == 3
    assert summary.housing is not None and summary.housing["de"] == "Untermiete"
    assert summary.insurance is not None and summary.insurance["bg"] == "няма здравна осигуровка"
    assert [r.service_id for r in summary.open_referrals] == [
        "clearingstelle",  # the follow-up date first
        "schulverwaltungsamt",
    ]
    assert summary.open_referrals[0].follow_up == TODAY + dt.timedelta(days=10)
    # referred to: health clearing and the school place; the other two are still to do
    assert [step["en"] for step in summary.open_steps] == [
        "Address registration (Anmeldung) at the citizens' office",
        "Find a daycare place through the youth welfare office",
    ]
    assert summary.hidden == frozenset() and summary.withheld == ()


def test_children_living_elsewhere_are_counted_and_told_apart_with_where_they_live(
    session: Any,
) -> None:
    person = people.register_person(
        session.store, session.user, PersonDraft(given_name="Ana", family_name="Popescu")
    )
    first_check(session, person.id, lives_elsewhere=1)
    summary = person_summary(session.store, session.user, person.id)
    assert [c.name for c in summary.children] == ["Мария", "Иван", "Елена"]
    assert summary.children_count == 4
    assert [(c.name, where and where["de"]) for c, where in summary.children_elsewhere] == [
        ("Петър", "im Herkunftsland")
    ]


#: The walk-through's family: Petya's children of 2 and 8 live with her, the daughter of 15
#: with the grandmother in Bulgaria (the Kindergeld is paid for her too).
PETYAS_CHILDREN = (("Мария", 2, "with_person"), ("Никола", 8, "with_person"))
PETYAS_DAUGHTER = ("Елена", 15, "home_country")


def petyas_family(
    session: Any, children: Sequence[tuple[str, int, str]] = (*PETYAS_CHILDREN, PETYAS_DAUGHTER)
) -> str:
    """Petya's first life-situation check with ``children`` (name, age, where they live)."""
    person = people.register_person(
        session.store, session.user, PersonDraft(given_name="Петя", family_name="Иванова")
    )
    visits.record_consent(session.store, session.user, person.id, consent_answers())
    entries: list[dict[str, Any]] = []
    for name, age, lives in children:
        entry = {
            "child_name": name,
            "child_birth": dt.date(TODAY.year - age, 1, 1).isoformat(),
            "child_lives": lives,
        }
        entries.append(entry | {"child_care": "daycare"} if lives == "with_person" else entry)
    answers = full_life_situation() | {"children_count": len(entries), "children": entries}
    visits.finish_visit(session.store, session.user, person.id, "life_situation", answers)
    return person.id


def test_reading_the_summary_is_audited_as_reading_the_visit(session: Any) -> None:
    person_id = returning_mother(session)
    (visit,) = visits.visit_history(session.store, session.user, person_id, log_view=False)
    before = audit.list_entries(session.store, session.user, record_id=person_id, action="view")
    person_summary(session.store, session.user, person_id)
    views = audit.list_entries(session.store, session.user, record_id=person_id, action="view")
    new = views[: len(views) - len(before)]
    assert sorted((e.record_kind, e.details) for e in new) == [
        ("referrals", {"count": 2}),
        ("visit", {"visit_id": visit.id, "form": "life_situation"}),
    ]
    # a re-display the window has logged already writes nothing
    person_summary(session.store, session.user, person_id, log_view=False)
    again = audit.list_entries(session.store, session.user, record_id=person_id, action="view")
    assert len(again) == len(views)


def test_a_helper_sees_no_insurance_until_health_is_opened_to_them(session: Any) -> None:
    person_id = returning_mother(session)
    helper_user = accounts.add_user(session, "ana", "Ana Helfer", Role.HELPER, HELPER_PASSWORD)
    helper = accounts.log_in(session.store.paths.data_dir, "ana", HELPER_PASSWORD)
    try:
        summary = person_summary(helper.store, helper.user, person_id)
        assert summary.insurance is None and "insurance_status" in summary.hidden
        # the Clearingstelle step is suggested by the insurance answer alone: it would tell it
        assert all("Clearingstelle" not in step["de"] for step in summary.open_steps)
        assert [c.name for c in summary.children] == ["Мария", "Иван", "Елена"]
        access.open_case_to_helper(session.store, session.user, person_id, helper_user.id, "health")
        opened = person_summary(helper.store, helper.user, person_id)
        assert opened.insurance is not None and "insurance_status" not in opened.hidden
    finally:
        helper.close()


def mother_with_ehic(session: Any, valid_until: str) -> str:
    """The returning mother, whose second check records an EHIC with ``valid_until``."""
    person_id = returning_mother(session)
    second = full_life_situation() | {"insurance_status": "ehic", "ehic_valid_until": valid_until}
    visits.finish_visit(session.store, session.user, person_id, "life_situation", second)
    return person_id


def test_the_summary_tells_until_when_the_ehic_is_valid_or_that_it_expired(session: Any) -> None:
    day = TODAY + dt.timedelta(days=1)
    person_id = mother_with_ehic(session, day.isoformat())
    store, user = session.store, session.user
    summary = person_summary(store, user, person_id)
    assert summary.insurance is not None and summary.insurance["de"].startswith("Europäische")
    assert summary.ehic_valid_until == day and not summary.ehic_expired
    # valid through the day on the card, expired the day after
    assert not person_summary(store, user, person_id, today=day).ehic_expired
    after = person_summary(store, user, person_id, today=day + dt.timedelta(days=1))
    assert after.ehic_valid_until == day and after.ehic_expired


def test_a_helper_learns_nothing_of_the_ehic_until_health_is_opened(session: Any) -> None:
    person_id = mother_with_ehic(session, "2020-01-31")
    helper_user = accounts.add_user(session, "ana", "Ana Helfer", Role.HELPER, HELPER_PASSWORD)
    helper = accounts.log_in(session.store.paths.data_dir, "ana", HELPER_PASSWORD)
    try:
        withheld = person_summary(helper.store, helper.user, person_id)
        assert withheld.ehic_valid_until is None and not withheld.ehic_expired
        access.open_case_to_helper(session.store, session.user, person_id, helper_user.id, "health")
        opened = person_summary(helper.store, helper.user, person_id)
        assert opened.ehic_valid_until == dt.date(2020, 1, 31) and opened.ehic_expired
    finally:
        helper.close()


def household_restricted(session: Any) -> None:
    """A publication of the life-situation form whose household section is marked health (a
    team that counts the children's situation as such): as restricted as a shipped section."""
    files = {p.name: p.read_text(encoding="utf-8") for p in reference_forms()}
    text = raised_version(files["life_situation.yaml"])
    marker = "  - id: household\n"
    assert marker in text
    head, tail = text.split(marker, 1)
    files["life_situation.yaml"] = head + marker + "    restricted: health\n" + tail
    reference.publish_forms(session.store, session.user, files)


def reference_forms() -> list[Any]:
    return sorted(resource("forms").glob("*.yaml"))


def test_a_helper_without_the_household_section_does_not_see_the_children(
    session: Any,
) -> None:
    household_restricted(session)
    person_id = returning_mother(session)
    helper_user = accounts.add_user(session, "ana", "Ana Helfer", Role.HELPER, HELPER_PASSWORD)
    helper = accounts.log_in(session.store.paths.data_dir, "ana", HELPER_PASSWORD)
    try:
        summary = person_summary(helper.store, helper.user, person_id)
        assert summary.children == () and summary.children_count is None
        assert "children_count" in summary.hidden
        names = repr(summary)
        assert all(name not in names for name, _age in KIDS)
        access.open_case_to_helper(session.store, session.user, person_id, helper_user.id, "health")
        opened = person_summary(helper.store, helper.user, person_id)
        assert [c.name for c in opened.children] == ["Мария", "Иван", "Елена"]
    finally:
        helper.close()


def test_the_summary_follows_a_new_check_and_a_referral(session: Any) -> None:
    person_id = returning_mother(session)
    store, user = session.store, session.user
    second = full_life_situation() | {
        "children_count": 3,
        "children": three_children(),
        "insurance_status": "statutory",
        "housing_type": "own_rental",
    }
    visits.finish_visit(store, user, person_id, "life_situation", second)
    summary = person_summary(store, user, person_id)
    assert summary.housing is not None and summary.housing["en"] == "own rented flat"
    assert summary.insurance is not None and summary.insurance["en"] == "German statutory insurance"
    referral = referrals_uc.issue_referral(store, user, person_id, "jugendamt", "family_support")
    referrals_uc.change_status(store, user, summary.open_referrals[0].id, ReferralStatus.CLOSED)
    after = person_summary(store, user, person_id)
    # the same follow-up day (two weeks after issue): the newer first
    assert [r.id for r in after.open_referrals] == [referral.id, summary.open_referrals[1].id]
    assert after.open_referrals[1].service_id == "schulverwaltungsamt"


def mother_with_childrens_insurance(session: Any) -> str:
    """A mother insured by the German statutory insurance; of her three children Мария (1) is
    family-insured, Иван (6) not insured, Елена's (11) not recorded."""
    person = people.register_person(
        session.store, session.user, PersonDraft(given_name="Мария", family_name="Петрова")
    )
    visits.record_consent(session.store, session.user, person.id, consent_answers())
    children = three_children()
    insurance = [
        {key: child[key] for key in ("child_name", "child_birth")} | {"child_insurance": answer}
        for child, answer in zip(children, ("statutory", "none"), strict=False)
    ]
    answers = full_life_situation() | {
        "children_count": 3,
        "children": children,
        "insurance_status": "statutory",
        "children_insurance": insurance[::-1],  # the order of the entries does not matter
    }
    visits.finish_visit(session.store, session.user, person.id, "life_situation", answers)
    return person.id


def test_the_summary_tells_each_childs_insurance_recorded(session: Any) -> None:
    """The next advisor sees that the mother is insured and her son is not."""
    person_id = mother_with_childrens_insurance(session)
    summary = person_summary(session.store, session.user, person_id)
    assert summary.insurance is not None and summary.insurance["de"].startswith("gesetzlich")
    assert [(c, labels["de"]) for c, labels in summary.children_insurance] == [
        (SummaryChild("Мария", 1), "gesetzlich versichert (auch familienversichert)"),
        (SummaryChild("Иван", 6), "nicht versichert"),
    ]
    accounts.add_user(session, "ana", "Ana Helfer", Role.HELPER, HELPER_PASSWORD)
    helper = accounts.log_in(session.store.paths.data_dir, "ana", HELPER_PASSWORD)
    try:
        withheld = person_summary(helper.store, helper.user, person_id)
        assert withheld.children_insurance == () and "insurance_status" in withheld.hidden
    finally:
        helper.close()


def nurse_skills(german: str = "B1") -> dict[str, Any]:
    """Maria Popescu's skills check: a nurse and a midwife from Romania (recognition of the
    first not started, of the second under way), a course (not a qualification to recognise),
    German tested, Romanian and English self-assessed, licence B and a forklift licence."""
    return full_skills_check() | {
        "language_levels": [
            {"language": "ro", "level": {"level": "C2", "assessed": "self"}},
            {"language": "de", "level": {"level": german, "assessed": "tested"}},
            {"language": "en", "level": {"level": "A2", "assessed": "self"}},
            {
                "language": "other",
                "language_other": "Aromână",
                "level": {"level": "B1", "assessed": "certificate"},
            },
        ],
        "qualifications": [
            MARIAS_SKILLS["qualifications"][0],  # the nurse's diploma of the letters' tests
            {
                "q_kind": "academic",
                "q_title": "Moașă",
                "q_country": "ro",
                "q_recognition_started": "yes",
                "q_recognition_result": "pending",
            },
            {"q_kind": "course", "q_title": "Prim ajutor", "q_country": "ro"},
        ],
        "driving_licence": ["b", "forklift"],
        "training_wishes": ["german", "recognition"],
    }


def skills_checked(session: Any, german: str = "B1") -> tuple[str, Visit]:
    person = people.register_person(
        session.store, session.user, PersonDraft(given_name="Maria", family_name="Popescu")
    )
    visit = visits.finish_visit(
        session.store,
        session.user,
        person.id,
        "skills_check",
        nurse_skills(german),
        next_steps={"recognition_advice": "accepted", "job_german_course": "accepted"},
    )
    return person.id, visit


def test_the_summary_tells_the_languages_qualifications_and_licence_of_the_skills_check(
    session: Any,
) -> None:
    person_id, visit = skills_checked(session)
    summary = person_summary(session.store, session.user, person_id)
    skills = summary.skills
    assert skills is not None
    assert (summary.skills_visit_id, summary.skills_finished_at) == (visit.id, visit.finished_at)
    assert (skills.german_level, skills.german_assessed) == ("B1", "tested")
    assert [(lv.language.get("ro"), lv.level, lv.assessed) for lv in skills.other_languages] == [
        ("română", "C2", "self"),
        ("engleză", "A2", "self"),
        ("Aromână", "B1", "certificate"),  # as written
    ]
    assert skills.latin_literacy_answer == "fluent"
    # the qualifications from abroad, the title as written; the course is not one of them
    assert [
        (q.title, q.kind.get("de"), q.country.get("de"), q.year, q.recognition_started)
        for q in skills.qualifications
    ] == [
        ("asistentă medicală generalistă", "Berufsausbildung", "Rumänien", "2016", "no"),
        ("Moașă", "Studium (Hochschule)", "Rumänien", "", "yes"),
    ]
    assert skills.qualifications[1].recognition_result.get("ro") == "în curs"
    assert [d.get("de") for d in skills.driving_licence] == ["Klasse B (Auto)", "Staplerschein"]
    # no life-situation check: nothing of it, the skills check's steps still to refer
    assert summary.visit_id == "" and summary.children == ()
    assert [step["de"] for step in summary.open_steps] == [
        "Berufsbezogener Deutschkurs",
        "Anerkennungsberatung",
    ]


def test_without_a_skills_check_the_summary_tells_nothing_of_it(session: Any) -> None:
    person_id = returning_mother(session)
    summary = person_summary(session.store, session.user, person_id)
    assert summary.skills is None
    assert (summary.skills_visit_id, summary.skills_finished_at) == ("", "")


def test_the_summary_reads_the_latest_finished_skills_check(session: Any) -> None:
    person_id, first = skills_checked(session, german="A1")
    later = visits.finish_visit(
        session.store, session.user, person_id, "skills_check", nurse_skills("B2")
    )
    # a third begun and not finished yet: not what the skills check found
    visits.save_draft(session.store, session.user, person_id, "skills_check", nurse_skills("C2"))
    summary = person_summary(session.store, session.user, person_id)
    assert summary.skills is not None and summary.skills.german_level == "B2"
    assert summary.skills_visit_id == later.id != first.id


def test_reading_the_skills_of_the_summary_is_audited_and_open_to_a_helper(
    session: Any,
) -> None:
    """The skills check has no restricted section: a helper reads it as on its tab."""
    person_id, visit = skills_checked(session)
    before = audit.list_entries(session.store, session.user, record_id=person_id, action="view")
    person_summary(session.store, session.user, person_id)
    views = audit.list_entries(session.store, session.user, record_id=person_id, action="view")
    assert ("visit", {"visit_id": visit.id, "form": "skills_check"}) in [
        (e.record_kind, e.details) for e in views[: len(views) - len(before)]
    ]
    accounts.add_user(session, "ana", "Ana Helfer", Role.HELPER, HELPER_PASSWORD)
    helper = accounts.log_in(session.store.paths.data_dir, "ana", HELPER_PASSWORD)
    try:
        seen = person_summary(helper.store, helper.user, person_id)
        assert seen.skills == person_summary(session.store, session.user, person_id).skills
    finally:
        helper.close()
