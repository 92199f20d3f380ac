"""Evaluating answers against the shipped forms: relevance, required-if, constraints, computed
values, cleaning, progress, consent and next-step rules."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from desktop_app.forms import (
    FormDefinition,
    InvalidAnswers,
    NextStep,
    clean,
    completeness,
    computed_values,
    evaluate,
    granted_purposes,
    label,
    load_shipped_forms,
    suggest_next_steps,
    validate,
)

TODAY = dt.date(2026, 11, 25)


@pytest.fixture(scope="module")
def forms() -> dict[str, FormDefinition]:
    return load_shipped_forms()


@pytest.fixture(scope="module")
def life(forms: dict[str, FormDefinition]) -> FormDefinition:
    return forms["life_situation"]


@pytest.fixture(scope="module")
def skills(forms: dict[str, FormDefinition]) -> FormDefinition:
    return forms["skills_check"]


def full_life_situation() -> dict[str, Any]:
    return {
        "family_name": "Петрова",
        "given_names": "Мария",
        "name_latin": "Petrova Mariya",
        "date_of_birth": "1991-04-02",
        "sex": "female",
        "nationality": "bulgarian",
        "languages": ["bg", "tr"],
        "phone": "+49 231 000000",
        "arrival_date": "2025-09",
        "address_registration": "registered",
        "tax_id": "yes",
        "partner": "here",
        "household_size": 4,
        "children_count": 2,
        "children": [
            {
                "child_name": "Ана",
                "child_birth": "2018-05-01",
                "child_lives": "with_person",
                "child_care": "school",
            },
            {
                "child_name": "Иво",
                "child_birth": "2023",
                "child_lives": "with_person",
                "child_care": "waiting_daycare",
            },
        ],
        "housing_type": "sublet",
        "rent": 450,
        "rent_contract": "no",
        "housing_exploitation_signs": ["none"],
        "insurance_status": "statutory",
        "pregnant": "no",
        "urgent_medical_need": "no",
        "children_vaccinations": "complete",
        "children_u_checks": "yes",
        "work_status": ["minijob", "looking"],
        "working_field": "Reinigung",
        "work_contract": "yes",
        "benefits": ["kindergeld"],
        "debts": "no",
        "work_exploitation_signs": ["none"],
        "session_language": "bg",
        "topics": ["jobcenter", "language_course"],
        "urgency": "this_week",
        "notes": "Termin beim Jobcenter am Montag.\n\tUnterlagen mitbringen.",
    }


def test_complete_answers_are_valid_and_kept(life: FormDefinition) -> None:
    answers = full_life_situation()
    state = evaluate(life, answers, today=TODAY)
    assert state.errors == []
    assert state.dropped == []
    assert state.answers == answers
    assert clean(life, answers, today=TODAY, require_complete=True) == answers
    assert all(p.complete for p in state.progress.values())
    # Иво (born 2023) waits for a daycare place: the Jugendamt helps find one; Мария looks for
    # work beside her minijob, without Bürgergeld: the Jobcenter registers her
    assert [s.id for s in state.next_steps] == ["daycare_place", "job_centre_registration"]


def test_sections_and_fields_appear_only_when_relevant(life: FormDefinition) -> None:
    answers = full_life_situation()
    answers.update(children_count=0, sex="male")
    state = evaluate(life, answers, today=TODAY)
    for hidden in ("children", "pregnant", "children_vaccinations", "children_u_checks"):
        assert not state.is_relevant(hidden)
    # the answers to the now hidden questions are dropped, not errors
    assert {"children", "pregnant", "children_vaccinations", "children_u_checks"} <= set(
        state.dropped
    )
    assert "children" not in state.answers and "pregnant" not in state.answers
    assert state.errors == []


def test_pregnancy_only_where_it_applies(life: FormDefinition) -> None:
    answers = full_life_situation()
    assert evaluate(life, answers, today=TODAY).is_relevant("pregnant")
    answers["date_of_birth"] = "2016"  # ten years old
    assert not evaluate(life, answers, today=TODAY).is_relevant("pregnant")
    answers["date_of_birth"] = "1960"
    assert not evaluate(life, answers, today=TODAY).is_relevant("pregnant")
    answers.update(date_of_birth="1995", pregnant="yes", due_date="2027-03")
    state = evaluate(life, answers, today=TODAY)
    assert state.is_relevant("due_date") and state.answers["due_date"] == "2027-03"


def test_required_if(life: FormDefinition) -> None:
    answers = full_life_situation()
    answers["urgent_medical_need"] = "yes"
    errors = validate(life, answers, today=TODAY)
    assert [(e.field_path, e.code) for e in errors] == [("urgent_medical_details", "required")]
    assert errors[0].message["de"] == "Bitte ausfüllen."
    assert errors[0].message["bg"].startswith("Моля")
    answers["urgent_medical_details"] = "Insulin fehlt"
    assert validate(life, answers, today=TODAY) == []
    # a draft may stay incomplete
    del answers["family_name"]
    assert validate(life, answers, today=TODAY, require_complete=False) == []
    assert [e.code for e in validate(life, answers, today=TODAY)] == ["required"]


def test_required_group_items_and_item_conditions(life: FormDefinition) -> None:
    answers = full_life_situation()
    answers["children"] = [
        {"child_birth": "2019", "child_lives": "with_person"},
        {"child_birth": "2012", "child_lives": "home_country", "child_care": "school"},
    ]
    state = evaluate(life, answers, today=TODAY)
    assert [(e.field_path, e.code) for e in state.errors] == [
        ("children[0].child_care", "required")
    ]
    assert state.is_relevant("children[0].child_care")
    assert not state.is_relevant("children[1].child_care")
    assert "children[1].child_care" in state.dropped
    assert "child_care" not in state.answers["children"][1]


def test_constraints_with_messages(life: FormDefinition) -> None:
    answers = full_life_situation()
    answers["arrival_date"] = "1980"
    answers["children"].append({"child_birth": "2024", "child_lives": "home_country"})
    answers["work_exploitation_signs"] = ["none", "wages_withheld"]
    errors = {e.field_path: e for e in validate(life, answers, today=TODAY)}
    assert errors["arrival_date"].code == "arrival_before_birth"
    assert "Geburt" in errors["arrival_date"].message["de"]
    assert errors["children"].code == "more_children_than_count"
    assert errors["work_exploitation_signs"].code == "none_with_others"
    assert set(errors) == {"arrival_date", "children", "work_exploitation_signs"}


def test_computed_values(life: FormDefinition) -> None:
    answers = full_life_situation()
    answers["children"][1]["child_lives"] = "home_country"
    del answers["children"][1]["child_care"]
    values = computed_values(life, answers, today=TODAY)
    assert values == {
        "person_age": 35,
        "children_here": 1,
        "children_without_school_place": 0,
        "children_without_daycare_place": 0,
        "ehic_expired": False,
        "exploitation_suspected": False,
    }
    answers["children"][0]["child_care"] = "waiting_school"
    answers["housing_exploitation_signs"] = ["rent_per_bed"]
    values = computed_values(life, answers, today=TODAY)
    assert values["children_without_school_place"] == 1
    assert values["exploitation_suspected"] is True


def test_life_situation_next_steps(life: FormDefinition) -> None:
    answers = full_life_situation()
    answers.update(
        insurance_status="unclear",
        address_registration="not_registered",
        housing_type="homeless",
        benefits=["none"],
        kindergeld_status="not_applied",
        work_exploitation_signs=["documents_taken"],
        exploitation_notes="Pass beim Vorarbeiter.",
    )
    answers["children"][0]["child_care"] = "waiting_school"
    steps = suggest_next_steps(life, answers, today=TODAY)
    assert [s.id for s in steps] == [
        "health_clearing",
        "address_registration",
        "school_place",
        "daycare_place",
        "kindergeld",
        "job_centre_registration",
        "exploitation_counselling",
        "housing_help",
    ]
    assert steps[0].service == "clearingstelle"
    assert label(steps[4].label, "bg").startswith("Заявление за детски надбавки")
    assert steps[0].reason is not None and steps[0].reason["ro"]


def test_a_section_with_an_entry_missing_a_required_answer_is_not_complete(
    life: FormDefinition,
) -> None:
    """The household was ticked complete while a child's "daycare or school" (required) was
    still empty: a group counts as answered once each entry has its required answers."""
    answers = full_life_situation()
    del answers["children"][1]["child_care"]
    state = evaluate(life, answers, today=TODAY, require_complete=False)
    assert not state.progress["household"].complete
    answers["children"][1]["child_lives"] = "home_country"  # the question is not asked then
    state = evaluate(life, answers, today=TODAY, require_complete=False)
    assert state.progress["household"].complete


def test_a_child_of_daycare_age_without_a_place_is_a_step_to_the_jugendamt(
    life: FormDefinition,
) -> None:
    """A mother of a 1-, a 6- and an 11-year-old, none in daycare or school: the check
    suggested the school place and Kindergeld, nothing for the 1-year-old, though a child has
    a right to a daycare place from its first birthday and the Jugendamt finds one."""
    answers = full_life_situation()
    kids = [("2025-10-01", "no_place"), ("2020-09-01", "no_place"), ("2015-06-01", "no_place")]
    answers["children_count"] = 3
    answers["children"] = [
        {"child_birth": born, "child_lives": "with_person", "child_care": care}
        for born, care in kids
    ]
    steps = suggest_next_steps(life, answers, today=TODAY)
    daycare = [s for s in steps if s.id == "daycare_place"]
    assert [s.service for s in daycare] == ["jugendamt"]
    assert label(daycare[0].label, "de") == "Kita-Platz über das Jugendamt suchen"
    assert "school_place" in [s.id for s in steps]
    values = computed_values(life, answers, today=TODAY)
    assert values["children_without_daycare_place"] == 1
    # Not for a baby (under one), one waiting at school age, nor one with a place already.
    for born, care in [("2026-06-01", "no_place"), ("2020-09-01", "waiting_daycare")]:
        answers["children"] = [
            {"child_birth": born, "child_lives": "with_person", "child_care": care}
        ]
        assert "daycare_place" not in [s.id for s in suggest_next_steps(life, answers, today=TODAY)]
    answers["children"] = [
        {"child_birth": "2023", "child_lives": "with_person", "child_care": "waiting_daycare"},
        {"child_birth": "2022-01-01", "child_lives": "with_person", "child_care": "daycare"},
        {"child_birth": "2023-01-01", "child_lives": "home_country"},
    ]
    values = computed_values(life, answers, today=TODAY)
    assert values["children_without_daycare_place"] == 1


def test_a_person_looking_for_work_is_a_step_to_the_jobcenter(life: FormDefinition) -> None:
    """The life-situation check asks whether the person looks for work, and only the skills
    check suggested the Jobcenter: a man looking for work, with no benefits, got no step there
    from the check every visit starts with. Not one the Jobcenter or the employment agency
    has already (Bürgergeld, unemployment benefit), nor one not looking."""
    answers = full_life_situation()
    answers.update(work_status=["looking"], benefits=["none"])

    def jobcenter_steps() -> list[NextStep]:
        steps = suggest_next_steps(life, answers, today=TODAY)
        return [s for s in steps if s.id == "job_centre_registration"]

    [step] = jobcenter_steps()
    assert step.service == "jobcenter"
    assert (
        label(step.label, "de") == "Beim Jobcenter oder der Agentur für Arbeit arbeitsuchend melden"
    )
    assert step.reason is not None and "Arbeitslosengeld" in step.reason["de"]
    del answers["benefits"]  # not asked: the Jobcenter may not know the person yet
    assert len(jobcenter_steps()) == 1
    for benefits in (["buergergeld"], ["kindergeld", "unemployment"]):
        answers["benefits"] = benefits
        assert jobcenter_steps() == []
    answers.update(work_status=["employed"], benefits=["none"])
    assert jobcenter_steps() == []


def full_skills_check() -> dict[str, Any]:
    return {
        "language_levels": [
            {"language": "ro", "level": {"level": "C2", "assessed": "self"}},
            {"language": "de", "level": {"level": "A2", "assessed": "tested"}},
        ],
        "latin_literacy": "fluent",
        "school_years": 12,
        "school_certificate": "upper_secondary",
        "school_certificate_document": "yes",
        "qualifications": [
            {
                "q_kind": "vocational",
                "q_title": "Elektriker",
                "q_country": "ro",
                "q_year": "2010",
                "q_document": "yes",
                "q_recognition_started": "no",
            },
        ],
        "experience": [
            {
                "w_field": "construction",
                "w_years": 8,
                "w_where": "both",
                "w_tasks": "Elektroinstallation",
            },
            {"w_field": "other", "w_field_other": "Imkerei", "w_years": 2},
        ],
        "driving_licence": ["b", "c"],
        "computer_skills": "basic",
        "looking_for_work": "yes",
        "jobcenter_registration": "no",
        "training_wishes": ["german"],
        "job_wishes": "Elektriker",
    }


def test_skills_check_next_steps(skills: FormDefinition) -> None:
    answers = full_skills_check()
    assert validate(skills, answers, today=TODAY) == []
    steps = [s.id for s in suggest_next_steps(skills, answers, today=TODAY)]
    assert steps == ["integration_course", "recognition_advice", "job_centre_registration"]

    answers["language_levels"][1]["level"] = {"level": "B2", "assessed": "certificate"}
    answers["qualifications"][0].update(q_recognition_started="yes", q_recognition_result="full")
    answers["jobcenter_registration"] = "jobcenter"
    steps = [s.id for s in suggest_next_steps(skills, answers, today=TODAY)]
    assert steps == ["job_german_course"]

    answers["latin_literacy"] = "partly"
    answers["language_levels"] = [{"language": "rom", "level": {"level": "C2", "assessed": "self"}}]
    answers["qualifications"] = []
    answers["school_years"] = 4
    answers["school_certificate"] = "primary"
    steps = [s.id for s in suggest_next_steps(skills, answers, today=TODAY)]
    assert steps == ["literacy_course", "vocational_training", "school_certificate"]


def test_cefr_answers(skills: FormDefinition) -> None:
    answers = full_skills_check()
    answers["language_levels"][0]["level"] = {"level": "B1"}
    answers["language_levels"][1]["level"] = {"level": "D1", "assessed": "self"}
    errors = [(e.field_path, e.code) for e in validate(skills, answers, today=TODAY)]
    assert errors == [
        ("language_levels[0].level", "assessment_missing"),
        ("language_levels[1].level", "unknown_option"),
    ]


def test_group_minimum(skills: FormDefinition) -> None:
    answers = full_skills_check()
    answers["language_levels"] = [{}]
    codes = [(e.field_path, e.code) for e in validate(skills, answers, today=TODAY)]
    assert ("language_levels", "required") in codes
    assert "language_levels" not in clean(skills, answers, today=TODAY)


def test_completeness_counts(life: FormDefinition) -> None:
    progress = completeness(life, {"family_name": "Popescu", "children_count": 0}, today=TODAY)
    person = progress["person"]
    assert person.relevant and person.answered == 1 and person.required == 6
    assert person.required_answered == 1 and not person.complete
    household = progress["household"]
    assert household.fields == 3  # the children group is not relevant with no children
    assert household.required == 1 and household.complete


def test_consent_closes_special_category_sections(
    forms: dict[str, FormDefinition], life: FormDefinition
) -> None:
    consent = forms["consent"]
    given = granted_purposes(
        consent,
        {
            "consent_language": "ro",
            "consent_advice": "refused",
            "consent_central_storage": "given",
            "consent_referral_sharing": "refused",
            "consent_date": "2026-11-25",
            "consent_form": "signed",
        },
    )
    assert given == frozenset({"central_storage"})
    answers = full_life_situation()
    answers["work_exploitation_signs"] = ["wages_withheld"]
    state = evaluate(life, answers, today=TODAY, consents=given)
    assert "health" not in state.relevant_sections
    assert "insurance_status" not in state.answers
    assert "work_exploitation_signs" not in state.answers
    assert state.errors == []
    with_advice = evaluate(life, answers, today=TODAY, consents=given | {"advice"})
    assert with_advice.answers["insurance_status"] == "statutory"


def test_clean_is_all_or_nothing(life: FormDefinition) -> None:
    answers = full_life_situation()
    answers["rent"] = 10**12
    with pytest.raises(InvalidAnswers) as info:
        clean(life, answers, today=TODAY)
    assert [(e.field_path, e.code) for e in info.value.errors] == [("rent", "above_max")]


def test_label_fallback() -> None:
    assert label({"de": "Ja", "en": "Yes", "bg": "Да", "ro": "Da"}, "ro") == "Da"
    assert label({"de": "Ja", "en": "Yes"}, "tr") == "Yes"
    assert label({"de": "Ja", "en": ""}, "uk") == "Ja"
    assert label({"fr": "Oui"}, "de") == "Oui"
    assert label(None, "de") == ""


def test_required_group_and_date_precision(life: FormDefinition) -> None:
    answers = full_life_situation()
    del answers["children"]
    answers.update(pregnant="yes", due_date="2027")
    codes = [(e.field_path, e.code) for e in validate(life, answers, today=TODAY)]
    assert codes == [("children", "required"), ("due_date", "date_needs_month")]
    answers["due_date"] = "2027-02"
    assert [e.field_path for e in validate(life, answers, today=TODAY)] == ["children"]


def test_consent_form_conditions(forms: dict[str, FormDefinition]) -> None:
    consent = forms["consent"]
    answers = {
        "consent_language": "bg",
        "consent_advice": "given",
        "consent_central_storage": "given",
        "consent_referral_sharing": "given",
        "consent_date": "2026-11-25",
        "consent_form": "oral",
    }
    codes = [(e.field_path, e.code) for e in validate(consent, answers, today=TODAY)]
    assert codes == [("shared_with_service", "required"), ("witness", "required")]
    answers.update(shared_with_service="Jobcenter Dortmund", witness="Elena Ionescu")
    assert validate(consent, answers, today=TODAY) == []
    assert granted_purposes(consent, answers) == {"advice", "central_storage", "referral_sharing"}
    answers["consent_date"] = "2026-11"
    assert [e.code for e in validate(consent, answers, today=TODAY)] == ["date_needs_day"]


def _clearing(life: FormDefinition, answers: dict[str, Any]) -> bool:
    steps = evaluate(life, answers, today=TODAY, consents={"advice"}).next_steps
    return "health_clearing" in {s.id for s in steps}


def test_the_clearingstelle_is_suggested_for_the_children_the_letters_name(
    life: FormDefinition,
) -> None:
    """The adult insured: a child not insured suggests the Clearingstelle only where it lives
    in Germany (one in the home country is insured there or not, and the letters to the
    Clearingstelle leave it out). Where a merge of two laptops' answers kept two entries about
    one child, the first counts, as letters and summaries read it (``LifeFacts``); an entry
    about no child (renamed by a helper who does not see it) counts for none, and is kept."""
    from desktop_app.domain.life_facts import LifeFacts

    answers = full_life_situation()
    ana, ivo = (
        {"child_name": n, "child_birth": b} for n, b in (("Ана", "2018-05-01"), ("Иво", "2023"))
    )
    answers["children_insurance"] = [{**ana, "child_insurance": "none"}]
    assert _clearing(life, answers)
    answers["children"][0]["child_lives"] = "home_country"
    answers["children"][0].pop("child_care")
    assert not _clearing(life, answers)
    assert LifeFacts.from_answers(answers).children_insurance_to_clear == ()

    both = [{**ivo, "child_insurance": "statutory"}, {**ivo, "child_insurance": "none"}]
    answers["children_insurance"] = both
    assert not _clearing(life, answers)
    assert LifeFacts.from_answers(answers).children[1].insurance == "statutory"
    answers["children_insurance"] = both[::-1]
    assert _clearing(life, answers)
    assert LifeFacts.from_answers(answers).children[1].insurance == "none"

    renamed = [{"child_name": "Иван", "child_birth": "2023", "child_insurance": "none"}]
    answers["children_insurance"] = renamed
    state = evaluate(life, answers, today=TODAY, consents={"advice"})
    assert "health_clearing" not in {s.id for s in state.next_steps}
    assert state.answers["children_insurance"] == renamed  # stored, not dropped unseen


def test_each_childs_health_insurance_is_asked_in_the_health_section(
    life: FormDefinition,
) -> None:
    """A mother insured through her job, her children not: the check asked the adult's
    insurance only. Each child's is asked now (``children_insurance``, one entry per child
    naming it as the household section does), only with children recorded and the health
    section open; a child not insured or unclear suggests the Clearingstelle as the adult's
    answer does."""
    answers = full_life_situation()
    insurance = [
        {"child_name": "Ана", "child_birth": "2018-05-01", "child_insurance": "statutory"},
        {"child_name": "Иво", "child_birth": "2023", "child_insurance": "none"},
    ]
    answers["children_insurance"] = insurance
    state = evaluate(life, answers, today=TODAY, consents={"advice"})
    assert state.errors == []
    assert state.answers["children_insurance"] == insurance
    assert "health_clearing" in {s.id for s in state.next_steps}  # the adult is insured
    insurance[1]["child_insurance"] = "ehic"
    assert "health_clearing" not in {s.id for s in suggest_next_steps(life, answers, today=TODAY)}

    # Not asked: without children, with the health section closed to a helper, or before
    # the person consented to advice (its answers dropped, as the adult's are).
    no_children = {**answers, "children_count": 0, "children": []}
    state = evaluate(life, no_children, today=TODAY, require_complete=False)
    assert "children_insurance" not in state.relevant_fields
    assert "children_insurance" not in state.answers
    for closed in (
        evaluate(life, answers, today=TODAY, withheld={"health"}),
        evaluate(life, answers, today=TODAY, consents={"central_storage"}),
    ):
        assert "children_insurance" not in closed.relevant_fields
        assert "children_insurance" not in closed.answers
    assert life.restriction_of("children_insurance") == "health"
    assert life.withheld_fields({"health"}) >= {"insurance_status", "children_insurance"}

    # The same choices as the adult's; an answer that is none of them is refused.
    assert life.field("children_insurance").subfield("child_insurance").option_ids() == (  # type: ignore[union-attr]
        life.field("insurance_status").option_ids()
    )
    insurance[0]["child_insurance"] = "family"
    with pytest.raises(InvalidAnswers) as info:
        clean(life, answers, today=TODAY)
    assert [e.field_path for e in info.value.errors] == ["children_insurance[0].child_insurance"]
