"""The children's health insurance in letters, read back from the PDF: the Clearingstelle
Gesundheit and the Gesundheitsamt learn which children are not insured or unclear (by age, as
letters to offices name children), the person's copy for which of them to bring the EHIC and
birth certificates; nothing where no child needs it or none is recorded."""

from __future__ import annotations

from typing import Any

import pytest

from desktop_app.domain.life_facts import LifeFacts, documents_to_bring
from desktop_app.letters.referral_letter import render_referral_letter
from tests.unit.letters.letter_helpers import (
    DIRECTORY,
    ORGANISATION,
    PETAR,
    TODAY,
    flat,
    pdf_text,
    referral_for,
)

# Two children on the letter's day (25 November 2026): Мария 8, Иван born 2022 (the year only).
TWO_CHILDREN: dict[str, Any] = {
    "children_count": 2,
    "children": [
        {
            "child_name": "Мария",
            "child_birth": "2018-04-02",
            "child_lives": "with_person",
            "child_care": "school",
        },
        {
            "child_name": "Иван",
            "child_birth": "2022",
            "child_lives": "with_person",
            "child_care": "daycare",
        },
    ],
    "insurance_status": "statutory",
    "children_insurance": [
        {"child_name": "Иван", "child_birth": "2022", "child_insurance": "statutory"},
        {"child_name": "Мария", "child_birth": "2018-04-02", "child_insurance": "none"},
    ],
}
REASONS = {"clearingstelle": "health_insurance", "gesundheitsamt": "child_health"}


def _pages(
    service_id: str, answers: dict[str, Any], lang: str = "bg", extra: tuple[str, ...] = ()
) -> tuple[str, str]:
    service = DIRECTORY.get(service_id)
    facts = LifeFacts.from_answers(answers)
    documents = (*documents_to_bring(service.documents, facts), *extra)
    referral = referral_for(service, PETAR, reason=REASONS[service_id], documents=documents)
    pdf = render_referral_letter(
        referral, PETAR, service, ORGANISATION, lang, today=TODAY, facts=facts
    )
    letter, sheet = pdf_text(pdf)
    return flat(letter), flat(sheet)


def test_the_clearingstelle_learns_the_child_not_insured_of_two() -> None:
    letter, sheet = _pages("clearingstelle", TWO_CHILDREN, extra=("birth_certificates",))
    assert "Kinder ohne geklärte Krankenversicherung" in letter
    assert "8 Jahre, nicht krankenversichert" in letter
    # The insured child is none of its business; letters to offices name no child.
    assert "2022" not in letter and "Мария" not in letter and "Иван" not in letter
    assert "Европейска здравноосигурителна карта (ЕЗОК) – също и за Мария (8)" in sheet
    assert "Удостоверения за раждане на децата – за Мария (8)" in sheet
    assert "Иван" not in sheet


def test_the_health_office_learns_an_unclear_insurance_and_the_romanian_copy_names_the_child() -> (
    None
):
    answers = dict(TWO_CHILDREN)
    answers["children_insurance"] = [
        {"child_name": "Мария", "child_birth": "2018-04-02", "child_insurance": "statutory"},
        {"child_name": "Иван", "child_birth": "2022", "child_insurance": "unclear"},
    ]
    letter, sheet = _pages("gesundheitsamt", answers, lang="ro")
    assert "geb. 2022, Krankenversicherung unklar" in letter
    assert "8 Jahre" not in letter
    ehic = "Cardul european de asigurări sociale de sănătate (CEASS)"
    assert f"{ehic} – și pentru Иван (născut(ă) în 2022)" in sheet


@pytest.mark.parametrize("service_id", ["clearingstelle", "gesundheitsamt"])
def test_without_children_or_with_all_insured_nothing_is_said(service_id: str) -> None:
    insured = dict(TWO_CHILDREN)
    insured["children_insurance"] = [
        {**entry, "child_insurance": "ehic"} for entry in TWO_CHILDREN["children_insurance"]
    ]
    none = {"children_count": 0, "insurance_status": "none"}
    for answers in (insured, none):
        letter, sheet = _pages(service_id, answers)
        assert "Krankenversicherung der Kinder" not in letter
        assert "ohne geklärte" not in letter and "krankenversichert" not in letter
        assert "също и за" not in sheet and "– за" not in sheet


def test_other_services_learn_nothing_of_the_childrens_insurance() -> None:
    service = DIRECTORY.get("familienkasse")
    facts = LifeFacts.from_answers(TWO_CHILDREN)
    referral = referral_for(service, PETAR, reason="kindergeld", documents=("birth_certificates",))
    pdf = render_referral_letter(
        referral, PETAR, service, ORGANISATION, "bg", today=TODAY, facts=facts
    )
    letter, sheet = (flat(page) for page in pdf_text(pdf))
    assert "krankenversichert" not in letter
    assert "Удостоверения за раждане на децата" in sheet and "– за" not in sheet


def test_each_childs_insurance_is_the_entry_naming_that_child() -> None:
    """Entries are matched by the child's name and birth, not their place: an entry without an
    answer is not stored, and a helper (who does not see the health section) may remove or
    rename a child; such an entry belongs to nobody, twins without names go in order."""
    facts = LifeFacts.from_answers(TWO_CHILDREN)
    assert [(c.name, c.insurance) for c in facts.children] == [
        ("Мария", "none"),
        ("Иван", "statutory"),
    ]
    assert [c.name for c in facts.children_insurance_to_clear] == ["Мария"]
    renamed = {
        **TWO_CHILDREN,
        "children": [{**TWO_CHILDREN["children"][0], "child_name": "Марийка"}],
        "children_count": 1,
    }
    assert [c.insurance for c in LifeFacts.from_answers(renamed).children] == [""]
    twins = {
        "children_count": 2,
        "children": [{"child_birth": "2020"}, {"child_birth": "2020"}],
        "children_insurance": [
            {"child_birth": "2020", "child_insurance": "none"},
            {"child_birth": "2020", "child_insurance": "private"},
        ],
    }
    assert [c.insurance for c in LifeFacts.from_answers(twins).children] == ["none", "private"]
    assert LifeFacts.from_answers({"children_insurance": "broken"}).children == ()
