"""What a letter gives each service from the person's latest life situation, read back from the
PDF: the children to the Familienkasse, the Jugendamt and (those of school age) the
Schulverwaltungsamt, the address registration to the Jobcenter, the children not insured or
unclear to the Clearingstelle Gesundheit and the Gesundheitsamt (the person's copy says for which
of them to bring the EHIC and birth certificates), nothing to the others; documents the person
cannot have left out, and a Steuer-ID the person has not received yet said to be on its way."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import pytest

from desktop_app.domain.life_facts import LifeFacts, documents_to_bring
from desktop_app.domain.person import Person, Sex
from desktop_app.letters.referral_letter import render_referral_letter
from tests.unit.letters.letter_helpers import (
    DIRECTORY,
    ORGANISATION,
    PETAR,
    STEFAN,
    TODAY,
    flat,
    pdf_text,
    referral_for,
)

# Three children: one with a full birth date (8 on the letter's day, 25 November 2026), one
# with the year only, one with month and year who lives in the home country.
FAMILY: dict[str, Any] = {
    "children_count": 3,
    "children": [
        {"child_birth": "2018-04-02", "child_lives": "with_person", "child_care": "school"},
        {"child_birth": "2022", "child_lives": "with_person", "child_care": "waiting_daycare"},
        {"child_birth": "2012-09", "child_lives": "home_country"},
    ],
    "address_registration": "registered",
    "housing_type": "own_rental",
    "work_status": ["minijob"],
}
HOMELESS: dict[str, Any] = {
    "children_count": 0,
    "address_registration": "not_registered",
    "housing_type": "homeless",
    "work_status": ["looking"],
}
REASONS = {
    "familienkasse": "kindergeld",
    "jugendamt": "family_support",
    "schulverwaltungsamt": "school_place",
    "jobcenter": "buergergeld",
    "wohnungsnotfallhilfe": "housing_emergency",
    "gesundheitsamt": "child_health",
    "awo_migration": "migration_advice",
    "clearingstelle": "health_insurance",
    "citizens_office": "address_registration",
    "employment_agency": "job_search",
}


def _pages(
    service_id: str,
    answers: dict[str, Any] | None,
    person: Person = PETAR,
    lang: str = "bg",
    extra: tuple[str, ...] = (),
) -> tuple[str, str]:
    """The letter to the service and the person's sheet (in Bulgarian), as text; the referral
    asks for the service's documents the person can have, as ``issue_referral`` chooses them,
    and the ``extra`` ones the advisor added."""
    service = DIRECTORY.get(service_id)
    facts = LifeFacts.from_answers(answers) if answers is not None else None
    documents = (*documents_to_bring(service.documents, facts), *extra)
    referral = referral_for(service, person, reason=REASONS[service_id], documents=documents)
    pdf = render_referral_letter(
        referral, person, service, ORGANISATION, lang, today=TODAY, facts=facts
    )
    pages = pdf_text(pdf)
    assert len(pages) == 2  # the letter still on one page, the sheet on the other
    return pages[0], pages[1]


# The Steuer-ID still to come, on the letter (German) and on the copy in the person's language.
TAX_ID_LETTER = (
    "hat die steuerliche Identifikationsnummer (Steuer-ID) noch nicht erhalten; das "
    "Bundeszentralamt für Steuern versendet die Nummer nach der Anmeldung per Post. Sie wird "
    "nachgereicht, sobald sie vorliegt."
)
TAX_ID_COPY = {
    "de": "Ihre Steuer-ID haben Sie noch nicht. Die Nummer kommt nach der Anmeldung per Post vom "
    "Bundeszentralamt für Steuern. Reichen Sie sie dann bei dieser Stelle nach.",
    "bg": "Все още нямате данъчен идентификационен номер (Steuer-ID). Той идва по пощата от "
    "Bundeszentralamt für Steuern след адресната регистрация (Anmeldung). Тогава го занесете "
    "или изпратете на тази служба.",
    "ro": "Încă nu aveți numărul de identificare fiscală (Steuer-ID). Acesta vine prin poștă de "
    "la Bundeszentralamt für Steuern după înregistrarea adresei (Anmeldung). Atunci duceți-l "
    "sau trimiteți-l la acest serviciu.",
    "en": "You do not have your tax ID (Steuer-ID) yet. It comes by post from the "
    "Bundeszentralamt für Steuern after your address registration (Anmeldung). Then take or "
    "send it to this office.",
}
#: The Steuer-ID as the letter lists it among the documents (the catalogue's German label).
TAX_ID_DOCUMENT = "Steuer-Identifikationsnummer (Steuer-ID)"


def test_the_familienkasse_gets_every_child_with_age_and_where_they_live() -> None:
    letter, sheet = _pages("familienkasse", FAMILY)
    assert "Kinder Anzahl: 3" in letter
    assert "– 8 Jahre, lebt im Haushalt" in letter
    assert "– geb. 2022, lebt im Haushalt" in letter
    assert "– geb. September 2012, lebt im Herkunftsland" in letter
    assert "Schule" not in letter and "Kita" not in letter  # not what it needs
    assert "Anzahl" not in sheet and "Herkunftsland" not in sheet


def test_the_youth_office_gets_the_childrens_daycare_and_school() -> None:
    letter, sheet = _pages("jugendamt", FAMILY)
    assert "Kinder im Haushalt Anzahl: 2" in letter
    assert "– 8 Jahre, besucht eine Schule" in letter
    assert "– geb. 2022, wartet auf einen Kita-Platz" in letter
    assert "2012" not in letter and "Herkunftsland" not in letter  # a child not living here
    assert "Anzahl" not in sheet


def test_the_school_office_gets_the_children_of_school_age_only() -> None:
    """A mother of a 1-, a 6- and an 11-year-old: the letter to the Schulverwaltungsamt gave
    the baby's age and daycare too, which a school office has no need of. It gets the children
    from 5 (enrolled the autumn before school starts) to 17 living in the household."""
    letter, sheet = _pages("schulverwaltungsamt", FAMILY)
    assert "Kinder im Schulalter Anzahl: 1" in letter
    assert "– 8 Jahre, besucht eine Schule" in letter
    assert "2022" not in letter and "Kita" not in letter  # 4 years old
    assert "2012" not in letter and "Herkunftsland" not in letter  # a child not living here
    assert "Anzahl" not in sheet
    children = [
        {"child_birth": "2025-11-01", "child_lives": "with_person", "child_care": "no_place"},
        {"child_birth": "2021-10-01", "child_lives": "with_person", "child_care": "daycare"},
        {"child_birth": "2020-06-01", "child_lives": "with_person", "child_care": "no_place"},
        {"child_birth": "2015-03-01", "child_lives": "with_person", "child_care": "no_place"},
    ]
    family: dict[str, Any] = {"children_count": 4, "children": children}
    letter, _sheet = _pages("schulverwaltungsamt", family)
    assert "Anzahl: 3" in letter
    assert "– 5 Jahre, besucht eine Kita" in letter  # starts school next summer
    assert "– 6 Jahre, weder in einer Kita noch in einer Schule angemeldet" in letter
    assert "– 11 Jahre, weder in einer Kita noch in einer Schule angemeldet" in letter
    assert "– 1 Jahr," not in letter
    babies = {"children_count": 1, "children": children[:1]}
    letter, _sheet = _pages("schulverwaltungsamt", babies)
    assert "Anzahl" not in letter and "Schulalter" not in letter and "– 1 Jahr" not in letter


@pytest.mark.parametrize(
    ("lang", "one", "two"),
    [
        ("de", "Dort bekommt Ihr Kind einen Schulplatz.", "Dort bekommen Ihre Kinder einen"),
        ("bg", "Там детето Ви ще получи място", "Там децата Ви ще получат място"),
        ("ro", "Acolo copilul dumneavoastră primește", "Acolo copiii dumneavoastră primesc"),
        ("en", "There your child will get a school", "There your children will get a school"),
    ],
)
def test_the_school_office_sheet_speaks_of_the_children_when_two_go_to_school(
    lang: str, one: str, two: str
) -> None:
    """A mother enrolling two children read "Ihr Kind" / "детето Ви" on her copy: the sheet
    says "Ihre Kinder" where the letter lists more than one child of school age; a baby in the
    household, not on the letter, does not count."""

    def sheet(*births: str) -> str:
        children = [
            {"child_birth": b, "child_lives": "with_person", "child_care": "no_place"}
            for b in births
        ]
        answers = {"children_count": len(children), "children": children}
        return " ".join(_pages("schulverwaltungsamt", answers, lang=lang)[1].split())

    two_children = sheet("2020-06-01", "2015-03-01", "2025-11-01")
    assert two in two_children and one not in two_children
    for one_child in (
        sheet("2020-06-01", "2025-11-01"),
        " ".join(_pages("schulverwaltungsamt", None, lang=lang)[1].split()),
    ):
        assert one in one_child and two not in one_child


@pytest.mark.parametrize(
    ("lang", "one", "two"),
    [
        ("de", "Dort bekommt Ihr Kind einen Schulplatz.", "Dort bekommen Ihre Kinder einen"),
        ("ro", "Acolo copilul dumneavoastră primește", "Acolo copiii dumneavoastră primesc"),
    ],
)
def test_the_school_office_sheet_does_not_count_a_child_already_at_school(
    lang: str, one: str, two: str
) -> None:
    """Maria Popescu's 15-year-old goes to school, her 7-year-old waits for a place: her copy
    said "there your children get a school place", both children of school age counted. It
    speaks of the child without a place; the letter to the office still lists both."""
    children = [
        {"child_birth": "2011-10-01", "child_lives": "with_person", "child_care": "school"},
        {"child_birth": "2019-10-01", "child_lives": "with_person", "child_care": "waiting_school"},
        {"child_birth": "2024-10-01", "child_lives": "with_person", "child_care": "no_place"},
    ]
    answers = {"children_count": 3, "children": children}
    letter, sheet = _pages("schulverwaltungsamt", answers, lang=lang)
    sheet = " ".join(sheet.split())
    assert one in sheet and two not in sheet
    assert "Kinder im Schulalter Anzahl: 2" in letter
    # Two waiting beside the one at school, or one in training: the plural again, the
    # trainee not counted.
    waiting = {**children[1], "child_birth": "2017-10-01"}
    training = {**children[0], "child_care": "training_work"}
    for family in ([*children, waiting], [training, children[1]]):
        answers = {"children_count": len(family), "children": family}
        sheet = " ".join(_pages("schulverwaltungsamt", answers, lang=lang)[1].split())
        assert (two in sheet) is (len(family) == 4), sheet


@pytest.mark.parametrize(
    "service_id", ["jobcenter", "wohnungsnotfallhilfe", "gesundheitsamt", "awo_migration"]
)
def test_other_services_learn_nothing_about_the_children(service_id: str) -> None:
    letter, _sheet = _pages(service_id, FAMILY)
    assert "Anzahl" not in letter and "8 Jahre" not in letter and "2022" not in letter


@pytest.mark.parametrize("answers", [None, {**FAMILY, "children_count": 0, "children": []}])
def test_without_children_recorded_the_letter_has_no_children_lines(
    answers: dict[str, Any] | None,
) -> None:
    letter, _sheet = _pages("familienkasse", answers)
    assert "Anzahl" not in letter and "Kinder im Haushalt" not in letter
    assert "Staatsangehörigkeit Bulgarien" in letter


def test_the_jobcenter_learns_the_address_registration_and_a_missing_home() -> None:
    letter, _sheet = _pages("jobcenter", HOMELESS)
    assert "Meldeadresse nicht angemeldet (keine Meldebescheinigung)" in letter
    assert "Wohnsituation wohnungslos, ohne Unterkunft" in letter
    registered, _sheet = _pages("jobcenter", FAMILY)
    assert "Meldeadresse beim Bürgerbüro angemeldet" in registered
    assert "Wohnsituation" not in registered  # a flat of one's own is not its business here
    unclear, _sheet = _pages("jobcenter", {**HOMELESS, "address_registration": "unknown"})
    assert "Meldeadresse" not in unclear  # nothing invented where the intake has no answer
    assert "Meldeadresse" not in _pages("familienkasse", HOMELESS)[0]


def test_a_homeless_person_is_not_asked_for_a_tenancy_agreement_or_registration() -> None:
    letter, sheet = _pages("jobcenter", HOMELESS)
    for text in (letter, sheet):
        assert "Mietvertrag" not in text and "Договор за наем" not in text
        assert "Meldebescheinigung (Anmeldung)" not in text
        assert "Arbeitsvertrag" not in text and "Трудов договор" not in text
        assert "Lohnabrechnungen" not in text
    assert "Personalausweis oder Reisepass" in letter and "Лична карта или паспорт" in sheet
    # the Bulgarian copy agrees with the letter (its words are its own: the German ones above
    # were never on it)
    assert "Удостоверение за адресна регистрация" not in sheet
    assert "Фишове за заплата" not in sheet
    housed_letter, housed_sheet = _pages("jobcenter", FAMILY)
    assert "Mietvertrag" in housed_letter and "Договор за наем" in housed_sheet
    assert "Meldebescheinigung (Anmeldung)" in housed_letter
    assert "Удостоверение за адресна регистрация (Anmeldung)" in housed_sheet
    assert "Lohnabrechnungen" in housed_letter and "Фишове за заплата" in housed_sheet


@pytest.mark.parametrize(
    ("answers", "gone"),
    [
        ({"housing_type": "homeless"}, {"rental_contract"}),
        ({"housing_type": "emergency_shelter"}, {"rental_contract"}),
        ({"housing_type": "with_relatives"}, {"rental_contract"}),
        ({"housing_type": "sublet", "rent_contract": "no"}, {"rental_contract"}),
        ({"housing_type": "sublet", "rent_contract": "unknown"}, set()),
        ({"address_registration": "appointment"}, {"registration"}),
        ({"address_registration": "unknown"}, set()),
        ({"work_status": ["looking", "not_working"]}, {"work_contract", "payslips"}),
        ({"work_status": ["employed"], "work_contract": "no"}, {"work_contract"}),
        ({"work_status": ["self_employed", "seasonal"]}, set()),
        ({}, set()),  # nothing answered: nothing left out
    ],
)
def test_documents_the_person_cannot_have_are_left_out(
    answers: dict[str, Any], gone: set[str]
) -> None:
    usual = DIRECTORY.get("jobcenter").documents
    kept = documents_to_bring((*usual, "Mietvertrag der Eltern"), LifeFacts.from_answers(answers))
    assert set(usual) - set(kept) == gone
    assert kept[-1] == "Mietvertrag der Eltern"  # the advisor's own words stay
    assert documents_to_bring(usual, None) == usual


def test_a_document_the_advisor_kept_is_asked_for_whatever_the_life_situation() -> None:
    """The letter lists what the referral holds: a tenancy agreement the advisor put back for
    a person now homeless (an old one the Jobcenter wants to see) is asked for."""
    service = DIRECTORY.get("jobcenter")
    referral = referral_for(service, PETAR, reason="buergergeld", documents=("rental_contract",))
    facts = LifeFacts.from_answers(HOMELESS)
    pdf = render_referral_letter(
        referral, PETAR, service, ORGANISATION, "bg", today=TODAY, facts=facts
    )
    letter, sheet = pdf_text(pdf)
    assert "Mietvertrag" in letter and "Договор за наем" in sheet


@pytest.mark.parametrize("housing", ["homeless", "emergency_shelter"])
def test_a_person_without_a_home_is_not_asked_for_a_landlords_confirmation(housing: str) -> None:
    """The Bürgerdienste's usual documents asked someone recorded homeless for a
    Wohnungsgeberbestätigung signed by a landlord they do not have."""
    _letter, sheet = _pages("citizens_office", {**HOMELESS, "housing_type": housing})
    assert "Wohnungsgeberbestätigung" not in sheet
    assert "Лична карта или паспорт" in sheet  # the other documents still listed
    _letter, sheet = _pages("citizens_office", FAMILY)
    assert "Wohnungsgeberbestätigung" in sheet


# The sheet's sentence on the child or children, by the count: (one, several, not known).
CHILD_WORDS = {
    ("jugendamt", "de"): ("Familie und Ihr Kind,", "Familie und Ihre Kinder,", "Ihre Familie, zum"),
    ("jugendamt", "bg"): (
        "семейството и детето си,",
        "семейството и децата си,",
        "семейството си,",
    ),
    ("jugendamt", "ro"): (
        "familia și copilul dumneavoastră,",
        "familia și copiii",
        "familia dumneavoastră,",
    ),
    ("jugendamt", "en"): (
        "family and your child,",
        "family and your children,",
        "your family, for",
    ),
    ("gesundheitsamt", "de"): (
        "Impfungen Ihres Kindes geprüft",
        "Impfungen Ihrer Kinder geprüft",
        "Impfungen Ihres Kindes oder Ihrer Kinder geprüft",
    ),
    ("gesundheitsamt", "bg"): (
        "ваксинации на детето Ви.",
        "ваксинации на децата Ви.",
        "ваксинации на детето или децата Ви.",
    ),
    ("gesundheitsamt", "ro"): (
        "îi lipsesc copilului dumneavoastră.",
        "le lipsesc copiilor dumneavoastră.",
        "lipsesc copilului sau copiilor dumneavoastră.",
    ),
    ("gesundheitsamt", "en"): (
        "your child's vaccinations",
        "your children's vaccinations",
        "vaccinations of your child or children",
    ),
}


@pytest.mark.parametrize(("service_id", "lang"), sorted(CHILD_WORDS))
def test_the_youth_and_health_office_sheets_speak_of_one_child_or_several_or_either(
    service_id: str, lang: str
) -> None:
    """A father of one read "Ihre Kinder" / "децата Ви" on the Jugendamt's and the
    Gesundheitsamt's sheet: it speaks of his child; of the children where two live with him (a
    third in the home country does not count); of "your child or children" where the intake
    recorded none, or there is none."""
    one, several, unknown = CHILD_WORDS[service_id, lang]

    def sheet(answers: dict[str, Any] | None) -> str:
        return flat(_pages(service_id, answers, lang=lang)[1])

    def child(birth: str, lives: str = "with_person") -> dict[str, str]:
        return {"child_birth": birth, "child_lives": lives, "child_care": "waiting_daycare"}

    abroad = child("2012-09", "home_country")
    one_child = sheet({"children_count": 2, "children": [child("2022-03-01"), abroad]})
    assert one in one_child and several not in one_child and unknown not in one_child
    two = sheet({"children_count": 3, "children": [child("2022-03-01"), child("2019"), abroad]})
    assert several in two and one not in two and unknown not in two
    for answers in (None, {"children_count": 0, "children": []}):
        text = sheet(answers)
        assert unknown in text and one not in text.replace(unknown, "")
        assert several not in text.replace(unknown, "")


@pytest.mark.parametrize(
    ("lang", "usual", "without_home", "ask_shelter"),
    [
        ("de", "Dort melden Sie Ihre Wohnung an", "wie Sie sich ohne eigene Wohnung anmelden",
         "bitten Sie dort vorher um eine schriftliche Bestätigung"),
        ("bg", "Там ще регистрирате адреса си", "как да се регистрирате без собствено жилище",
         "поискайте предварително там писмено потвърждение"),
        ("ro", "Acolo vă înregistrați domiciliul", "vă puteți înregistra fără o locuință proprie",
         "cereți dinainte de la adăpost o confirmare scrisă"),
        ("en", "There you register your address", "how you can register without a home of your own",
         "ask them beforehand for a written confirmation"),
    ],
)  # fmt: skip
def test_the_citizens_office_letter_of_a_person_without_a_home_asks_how_they_can_register(
    lang: str, usual: str, without_home: str, ask_shelter: str
) -> None:
    """A man in an emergency shelter, asked for no Wohnungsgeberbestätigung, read "Dort melden
    Sie Ihre Wohnung an" – a home he has not – and the office read "bitten Sie, die Anmeldung
    der Wohnung zu ermöglichen" with no word on why he brings no landlord's confirmation. The
    letter gives the office his housing and registration and asks how he can register; his
    copy says to ask that, and to ask the shelter for a written confirmation that he lives
    there. Children's birth certificates are not asked of a man who has none."""
    for housing in ("emergency_shelter", "homeless"):
        letter, sheet = _pages("citizens_office", {**HOMELESS, "housing_type": housing}, lang=lang)
        sheet = flat(sheet)
        assert "Meldeadresse nicht angemeldet (keine Meldebescheinigung)" in letter
        shown = "in einer Notunterkunft" if housing == "emergency_shelter" else "ohne Unterkunft"
        assert f"Wohnsituation wohnungslos, {shown}" in letter
        assert "Vermittlung zur Klärung der Anmeldung ohne eigene Wohnung" in letter
        assert "lebt ohne eigene Wohnung in Dortmund" in letter
        assert "Wir bitten um Auskunft, wie in dieser Lage eine Anmeldung" in letter
        assert "Anmeldung der Wohnung zu ermöglichen" not in letter
        assert without_home in sheet and ask_shelter in sheet and usual not in sheet
        assert "Wohnungsgeberbestätigung" not in letter + sheet
        assert "Geburtsurkunden" not in letter  # no children: recorded as none
    letter, sheet = _pages("citizens_office", FAMILY, lang=lang)
    sheet = flat(sheet)
    assert "Anmeldung der Wohnung zu ermöglichen" in letter and "Wohnsituation" not in letter
    assert "Vermittlung zur Anmeldung der Wohnung" in letter and "Klärung" not in letter
    assert usual in sheet and without_home not in sheet and ask_shelter not in sheet
    assert "Wohnungsgeberbestätigung" in letter and "Geburtsurkunden der Kinder" in letter


def test_birth_certificates_are_asked_for_unless_the_intake_recorded_no_children() -> None:
    usual = DIRECTORY.get("familienkasse").documents
    none = LifeFacts.from_answers({"children_count": 0})
    assert "birth_certificates" not in documents_to_bring(usual, none)
    for answers in ({}, {"children_count": 2}, {"children": [{"child_birth": "2019"}]}):
        assert "birth_certificates" in documents_to_bring(usual, LifeFacts.from_answers(answers))


ABROAD = {"w_field": "construction", "w_years": 12, "w_where": "home_country"}
SEEKER_ABROAD = {"looking_for_work": "yes", "experience": [ABROAD]}
SEEKER_HERE = {"looking_for_work": "yes", "experience": [{"w_where": "germany"}]}
WORK_DOCUMENTS = {"payslips", "work_contract"}


def _seeker(*experience: dict[str, Any]) -> dict[str, Any]:
    return {"looking_for_work": "yes", "experience": [ABROAD, *experience]}


@pytest.mark.parametrize(
    ("life", "skills", "gone"),
    [
        # a job seeker who has worked only abroad: no pay slips, no work contract from here
        (None, SEEKER_ABROAD, WORK_DOCUMENTS),
        (None, _seeker({"w_where": "other"}), WORK_DOCUMENTS),
        # what the skills check does not say keeps them: work here, where unknown, no
        # experience recorded, not looking for work
        (None, _seeker({"w_where": "both"}), set()),
        (None, SEEKER_HERE, set()),
        (None, _seeker({"w_field": "cleaning"}), set()),
        (None, {"looking_for_work": "yes"}, set()),
        (None, {**SEEKER_ABROAD, "looking_for_work": "no"}, set()),
        (None, {**SEEKER_ABROAD, "looking_for_work": "unknown"}, set()),
        # the life situation's work, where answered, decides: it asks about the work now
        ({"work_status": ["minijob"]}, SEEKER_ABROAD, set()),
        ({"work_status": ["looking"]}, SEEKER_HERE, WORK_DOCUMENTS),
        ({"housing_type": "homeless"}, SEEKER_ABROAD, WORK_DOCUMENTS | {"rental_contract"}),
        ({"work_status": ["minijob"]}, None, set()),
    ],
)
def test_a_job_seekers_skills_check_leaves_out_the_pay_slips_of_an_employer_they_never_had(
    life: dict[str, Any] | None, skills: dict[str, Any] | None, gone: set[str]
) -> None:
    """The Jobcenter's letter for a father with only a skills check (no life-situation check)
    asked for pay slips and a work contract: he is looking for work and has worked only in
    the home country."""
    usual = DIRECTORY.get("jobcenter").documents
    facts = LifeFacts.from_checks(life, skills)
    assert facts is not None
    assert set(usual) - set(documents_to_bring(usual, facts)) == gone
    assert LifeFacts.from_checks(None, None) is None
    # the letter's fingerprint leaves the skills check's finding out: the same as before for
    # the letters queued before the skills check counted
    assert facts.fingerprint() == LifeFacts.from_answers(life or {}).fingerprint()


# ---------------------------------------------------------------- the children's insurance
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


def test_the_clearingstelle_learns_the_child_not_insured_of_two() -> None:
    letter, sheet = (
        flat(p) for p in _pages("clearingstelle", TWO_CHILDREN, extra=("birth_certificates",))
    )
    assert "Kinder ohne geklärte Krankenversicherung" in letter
    assert "8 Jahre, nicht krankenversichert" in letter
    # The insured child is none of its business; letters to offices name no child.
    assert "2022" not in letter and "Мария" not in letter and "Иван" not in letter
    assert "Европейска здравноосигурителна карта (ЕЗОК) – също и за Мария (8)" in sheet
    assert "Удостоверения за раждане на децата – за Мария (8)" in sheet
    assert "Иван" not in sheet


def test_a_child_in_the_home_country_is_no_business_of_the_clearingstelle() -> None:
    answers = dict(TWO_CHILDREN)
    answers["children"] = [
        {**TWO_CHILDREN["children"][0], "child_lives": "home_country"},
        TWO_CHILDREN["children"][1],
    ]
    letter, sheet = (flat(p) for p in _pages("clearingstelle", answers))
    assert "ohne geklärte" not in letter and "Мария" not in sheet


def test_the_health_office_learns_an_unclear_insurance_and_the_romanian_copy_names_the_child() -> (
    None
):
    answers = dict(TWO_CHILDREN)
    answers["children_insurance"] = [
        {"child_name": "Мария", "child_birth": "2018-04-02", "child_insurance": "statutory"},
        {"child_name": "Иван", "child_birth": "2022", "child_insurance": "unclear"},
    ]
    letter, sheet = (flat(p) for p in _pages("gesundheitsamt", answers, lang="ro"))
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
        letter, sheet = (flat(p) for p in _pages(service_id, answers))
        assert "Krankenversicherung der Kinder" not in letter
        assert "ohne geklärte" not in letter and "Jahre" not in letter and "geb. 2022" not in letter
        assert "също и за" not in sheet and "– за" not in sheet


# ---------------------------------------------------------------- whose insurance to clear
GENERIC_BODY = "Der Krankenversicherungsschutz von"
CHILD_BODY = (
    "ist selbst krankenversichert. Der Krankenversicherungsschutz des oben genannten Kindes muss"
    " geklärt werden."
)
GENERIC_COPY_BG = "дали и къде сте здравно осигурени"


def test_an_insured_person_whose_child_is_not_insured_is_referred_for_the_child() -> None:
    """Insured herself, one child not insured: the body speaks of the child, not of her own
    insurance, and her copy of her child."""
    letter, sheet = (flat(p) for p in _pages("clearingstelle", TWO_CHILDREN))
    assert "8 Jahre, nicht krankenversichert" in letter
    assert CHILD_BODY in letter and "als familienversichertes Kind" in letter
    assert GENERIC_BODY not in letter
    assert "дали и къде е здравно осигурено детето Ви" in sheet
    assert GENERIC_COPY_BG not in sheet


def test_a_privately_insured_person_with_two_children_to_clear_is_referred_for_them() -> None:
    answers = {**TWO_CHILDREN, "insurance_status": "private"}
    answers["children_insurance"] = [
        {"child_name": "Иван", "child_birth": "2022", "child_insurance": "unclear"},
        {"child_name": "Мария", "child_birth": "2018-04-02", "child_insurance": "none"},
    ]
    letter, sheet = (flat(p) for p in _pages("clearingstelle", answers, lang="ro"))
    assert "Der Krankenversicherungsschutz der oben genannten Kinder muss geklärt werden" in letter
    assert "als familienversicherte Kinder" in letter and GENERIC_BODY not in letter
    assert "dacă și unde sunt asigurați copiii dumneavoastră" in sheet


@pytest.mark.parametrize("answer", ["none", "ehic", "unclear", "", None])
def test_a_person_not_insured_herself_is_referred_for_her_own_insurance(
    answer: str | None,
) -> None:
    """Her own insurance to clear (or not answered): the body is the one it always was, even
    with a child not insured."""
    answers = {**TWO_CHILDREN, "insurance_status": answer}
    if answer is None:
        del answers["insurance_status"]
    letter, sheet = (flat(p) for p in _pages("clearingstelle", answers))
    assert "8 Jahre, nicht krankenversichert" in letter
    assert GENERIC_BODY in letter and "selbst krankenversichert" not in letter
    assert GENERIC_COPY_BG in sheet and "детето Ви" not in sheet


def test_an_insured_person_whose_children_are_insured_gets_the_usual_body() -> None:
    answers = dict(TWO_CHILDREN)
    answers["children_insurance"] = [
        {**entry, "child_insurance": "statutory"} for entry in TWO_CHILDREN["children_insurance"]
    ]
    letter, sheet = (flat(p) for p in _pages("clearingstelle", answers))
    assert GENERIC_BODY in letter and "selbst krankenversichert" not in letter
    assert GENERIC_COPY_BG in sheet


def test_without_the_facts_the_letter_is_the_usual_one() -> None:
    """No facts (a letter without the life situation, as a helper's is without the health
    answers): nothing is said of whose insurance it is."""
    letter, sheet = (flat(p) for p in _pages("clearingstelle", None))
    assert GENERIC_BODY in letter and "selbst krankenversichert" not in letter
    assert GENERIC_COPY_BG in sheet


# ---------------------------------------------------------------- the person's own insurance
OWN_INSURANCE = "Krankenversicherung (eigene Angabe)"


@pytest.mark.parametrize(
    ("answer", "stated"),
    [
        ("none", "nicht krankenversichert"),
        ("ehic", "Europäische Krankenversicherungskarte (EHIC) aus Bulgarien"),
        ("unclear", "unklar"),
    ],
)
@pytest.mark.parametrize("service_id", ["clearingstelle", "gesundheitsamt"])
def test_the_health_services_learn_the_persons_own_insurance_as_recorded(
    service_id: str, answer: str, stated: str
) -> None:
    """The walk-through's letter said "ungeklärt" of a person the check recorded as not
    insured: the recorded answer stands next to the request now, before the children's."""
    letter, _sheet = (
        flat(p) for p in _pages(service_id, {**TWO_CHILDREN, "insurance_status": answer})
    )
    assert f"{OWN_INSURANCE} {stated} Kinder ohne geklärte Krankenversicherung" in letter
    assert "8 Jahre, nicht krankenversichert" in letter
    if service_id == "clearingstelle":
        assert "ungeklärt" not in letter
        assert "Der Krankenversicherungsschutz von Petar Petrov muss geklärt werden." in letter


# ---------------------------------------------------------------- the EHIC's date
EHIC_BG = "Европейска здравноосигурителна карта (ЕЗОК)"


def _ehic(valid_until: str | None) -> dict[str, Any]:
    answers = {**TWO_CHILDREN, "insurance_status": "ehic", "ehic_valid_until": valid_until}
    if valid_until is None:
        del answers["ehic_valid_until"]
    return answers


@pytest.mark.parametrize("service_id", ["clearingstelle", "gesundheitsamt"])
def test_a_valid_ehic_is_stated_from_the_home_country_with_its_date(service_id: str) -> None:
    letter, sheet = (flat(p) for p in _pages(service_id, _ehic("2027-03-31")))
    card = "Europäische Krankenversicherungskarte (EHIC) aus Bulgarien, gültig bis 31. März 2027"
    assert f"{OWN_INSURANCE} {card} Kinder ohne geklärte" in letter
    assert "abgelaufen" not in letter
    # The copy's checklist: her own card's date, then the child it is needed for too.
    assert f"{EHIC_BG} – Вашата карта е валидна до 31 март 2027 г.; също и за Мария (8)" in sheet


def test_an_expired_ehic_is_stated_as_expired_on_the_letters_day_and_in_the_romanian_copy() -> None:
    letter, sheet = (flat(p) for p in _pages("clearingstelle", _ehic("2026-01-31"), STEFAN, "ro"))
    card = (
        "Europäische Krankenversicherungskarte (EHIC) aus Rumänien, abgelaufen am 31. Januar 2026"
    )
    assert f"{OWN_INSURANCE} {card}" in letter and "gültig bis" not in letter
    ehic = "Cardul european de asigurări sociale de sănătate (CEASS)"
    expired = "cardul dumneavoastră a expirat la 31 ianuarie 2026 (aduceți-l totuși)"
    assert f"{ehic} – {expired}; și pentru Мария (8)" in sheet


def test_an_ehic_is_valid_through_the_day_on_the_card() -> None:
    """The letter's day is 25 November 2026: the card is still valid that day, not the next."""
    letter, sheet = (flat(p) for p in _pages("clearingstelle", _ehic("2026-11-25")))
    assert "aus Bulgarien, gültig bis 25. November 2026" in letter
    assert "Вашата карта е валидна до 25 ноември 2026 г." in sheet
    letter, sheet = (flat(p) for p in _pages("clearingstelle", _ehic("2026-11-24")))
    assert "aus Bulgarien, abgelaufen am 24. November 2026" in letter
    assert "Вашата карта е изтекла на 24 ноември 2026 г. (носете я въпреки това)" in sheet


@pytest.mark.parametrize(
    ("nationality", "country"), [("", ""), ("SK", ""), ("MD", ""), ("PL", "Polen")]
)
def test_the_ehics_country_is_named_only_where_german_says_aus_without_an_article(
    nationality: str, country: str
) -> None:
    """A person without a nationality recorded, from Slovakia ("aus der Slowakei") or from
    Moldova (no EHIC of its own: the card is a Romanian one) keeps "aus dem Herkunftsland"."""
    person = replace(PETAR, nationality=nationality)
    letter, _sheet = (flat(p) for p in _pages("clearingstelle", _ehic("2027-03-31"), person))
    where = f"aus {country}" if country else "aus dem Herkunftsland"
    assert f"Krankenversicherungskarte (EHIC) {where}, gültig bis 31. März 2027" in letter


def test_without_a_date_the_ehic_is_stated_without_one() -> None:
    letter, sheet = (flat(p) for p in _pages("clearingstelle", _ehic(None)))
    assert f"{OWN_INSURANCE} Europäische Krankenversicherungskarte (EHIC) aus Bulgarien Kinder" in (
        letter
    )
    assert "gültig" not in letter and "abgelaufen" not in letter
    assert "Вашата карта" not in sheet and f"{EHIC_BG} – също и за Мария (8)" in sheet


def test_a_date_kept_from_an_ehic_no_longer_recorded_is_not_stated() -> None:
    """A laptop of the previous form version keeps the date when the insurance is changed
    there: the card is no longer the person's insurance."""
    answers = {**_ehic("2026-01-31"), "insurance_status": "none"}
    letter, sheet = (flat(p) for p in _pages("clearingstelle", answers))
    assert f"{OWN_INSURANCE} nicht krankenversichert" in letter
    assert "2026 Kinder" not in letter and "abgelaufen" not in letter
    assert "Вашата карта" not in sheet


@pytest.mark.parametrize("service_id", ["familienkasse", "jobcenter", "schulverwaltungsamt"])
def test_other_services_learn_nothing_of_the_ehics_date(service_id: str) -> None:
    letter, sheet = (flat(p) for p in _pages(service_id, {**FAMILY, **_ehic("2026-01-31")}))
    assert "Krankenversicherungskarte (EHIC) aus" not in letter
    assert "2026 Kinder" not in letter and "abgelaufen" not in letter
    assert "Вашата карта" not in sheet and "31 януари" not in sheet


@pytest.mark.parametrize("answer", ["statutory", "private", ""])
def test_an_insurance_in_germany_or_none_recorded_is_not_stated(answer: str) -> None:
    """Insured in Germany is none of the Clearingstelle's business (nor is an unanswered
    question a fact): the letter tells only the child to clear."""
    answers = {**TWO_CHILDREN, "insurance_status": answer}
    letter, _sheet = (flat(p) for p in _pages("clearingstelle", answers))
    assert OWN_INSURANCE not in letter
    assert "gesetzlich" not in letter and "privat" not in letter
    assert "8 Jahre, nicht krankenversichert" in letter


@pytest.mark.parametrize("service_id", ["familienkasse", "jobcenter", "citizens_office"])
def test_other_services_learn_nothing_of_the_persons_insurance(service_id: str) -> None:
    letter, _sheet = (flat(p) for p in _pages(service_id, {**FAMILY, "insurance_status": "none"}))
    assert OWN_INSURANCE not in letter and "krankenversichert" not in letter


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


# ------------------------------------------------- proof of income and the Steuer-ID
MOTHER_NO_INCOME: dict[str, Any] = {
    **FAMILY,
    "work_status": ["not_working"],
    "benefits": ["none"],
    "tax_id": "no",
}
INCOME = ("Nachweise über Einkommen", "Документи за доходите")
TAX_ID = ("Steuer-Identifikationsnummer", "Данъчен идентификационен номер")


def test_the_familienkasse_letter_asks_a_mother_without_income_or_steuer_id_for_neither() -> None:
    """The Familienkasse's letter for a mother who does not work, receives no benefits and has
    no Steuer-ID yet asked her to bring proof of income and her Steuer-ID: she has neither."""
    letter, sheet = _pages("familienkasse", MOTHER_NO_INCOME)
    for text in (letter, sheet):
        assert INCOME[0] not in text
    assert INCOME[1] not in sheet
    # her own Steuer-ID is not asked for: the Steuer-ID is listed for the children alone (the
    # check does not say whether they have one)
    assert f"{TAX_ID_DOCUMENT} – für die Kinder (8 Jahre und geb. 2022)" in letter
    assert f"{TAX_ID[1]} (Steuer-ID) – за детето (8 години) и детето (роден(а) 2022 г.)" in sheet
    # the documents she can have are still asked for
    assert "Personalausweis oder Reisepass" in letter and "Лична карта или паспорт" in sheet
    assert "Geburtsurkunden der Kinder" in letter
    # the same letter where the check does not say so asks for both
    letter, sheet = _pages("familienkasse", FAMILY)
    assert INCOME[0] in letter and TAX_ID[0] in letter
    assert INCOME[1] in sheet and TAX_ID[1] in sheet


@pytest.mark.parametrize(
    ("answers", "kept"),
    [
        ({"work_status": ["not_working"], "benefits": ["none"]}, False),
        ({"work_status": ["looking", "not_working"], "benefits": ["none"]}, False),
        # a benefit or work that earns is an income, with its notice or pay slips
        ({"work_status": ["not_working"], "benefits": ["buergergeld"]}, True),
        ({"work_status": ["not_working"], "benefits": ["kindergeld"]}, True),
        ({"work_status": ["minijob"], "benefits": ["none"]}, True),
        ({"work_status": ["self_employed"], "benefits": ["none"]}, True),
        ({"work_status": ["looking", "seasonal"], "benefits": ["none"]}, True),
        # either unanswered is not known
        ({"work_status": ["not_working"]}, True),
        ({"benefits": ["none"]}, True),
        ({}, True),
    ],
)
def test_proof_of_income_is_asked_for_unless_the_check_records_no_income(
    answers: dict[str, Any], kept: bool
) -> None:
    facts = LifeFacts.from_answers(answers)
    for service_id in ("familienkasse", "wohnungsnotfallhilfe"):
        usual = DIRECTORY.get(service_id).documents
        assert ("income_proof" in documents_to_bring(usual, facts)) is kept
    # a skills check says nothing of benefits: a job seeker who worked only abroad may
    # live on Bürgergeld
    skills = LifeFacts.from_checks(None, SEEKER_ABROAD)
    assert skills is not None and skills.can_have("income_proof")


@pytest.mark.parametrize(("answer", "kept"), [("no", False), ("yes", True), ("unknown", True)])
def test_the_steuer_id_is_asked_for_unless_the_check_says_there_is_none(
    answer: str, kept: bool
) -> None:
    for service_id in ("familienkasse", "employment_agency"):
        usual = DIRECTORY.get(service_id).documents
        facts = LifeFacts.from_answers({"tax_id": answer})
        assert ("tax_id" in documents_to_bring(usual, facts)) is kept
        assert "tax_id" in documents_to_bring(usual, LifeFacts.from_answers({}))


@pytest.mark.parametrize("lang", ["de", "bg", "ro", "en"])
def test_a_steuer_id_not_received_yet_is_said_to_be_on_its_way(lang: str) -> None:
    """The check says the person has no Steuer-ID yet: the referral does not ask for it (no
    office can have it brought sooner), and the letter to the Familienkasse says it comes
    from the Bundeszentralamt für Steuern after the Anmeldung and will be handed in later, as
    the copy does in the person's language (before, both only left it out)."""
    petar = replace(PETAR, sex=Sex.MALE)
    letter, sheet = _pages("familienkasse", {**FAMILY, "tax_id": "no"}, petar, lang)
    assert f"Herr Petrov {TAX_ID_LETTER}" in letter
    # listed for the children alone, whose Steuer-IDs the check does not know of
    assert f"{TAX_ID_DOCUMENT} – für die Kinder (8 Jahre und geb. 2022) –" in letter
    assert TAX_ID_COPY[lang] in sheet
    if lang != "de":  # the copy says nothing in German but the offices' names
        assert "steuerliche Identifikationsnummer" not in sheet


def test_the_job_agency_is_told_of_a_steuer_id_on_its_way_too() -> None:
    """Any service that asks for the Steuer-ID (here the Agentur für Arbeit) is told, by the
    person's name where the sex is not recorded."""
    letter, sheet = _pages("employment_agency", {"tax_id": "no"}, STEFAN, "ro")
    assert f"Ștefan Țărănescu {TAX_ID_LETTER}" in letter
    assert TAX_ID_DOCUMENT not in letter
    assert TAX_ID_COPY["ro"] in sheet


@pytest.mark.parametrize("answer", ["unknown", "yes", None])
def test_a_steuer_id_the_check_does_not_say_is_missing_is_asked_for(answer: str | None) -> None:
    """ "unknown", "yes", unanswered, or no life situation at all: the Steuer-ID is one of the
    documents to bring, and nothing says it is on its way."""
    answers = None if answer is None else {**FAMILY, "tax_id": answer}
    letter, sheet = _pages("familienkasse", answers, lang="de")
    assert TAX_ID_DOCUMENT in letter and TAX_ID_DOCUMENT in sheet
    assert "noch nicht erhalten" not in letter and TAX_ID_COPY["de"] not in sheet


def test_a_steuer_id_the_advisor_put_back_is_asked_for_not_said_to_be_on_its_way() -> None:
    """The advisor knows better than the check (the letter came meanwhile): the referral asks
    for it, and the letter does not say it is still to come."""
    letter, sheet = _pages(
        "familienkasse", {**FAMILY, "tax_id": "no"}, lang="de", extra=("tax_id",)
    )
    assert TAX_ID_DOCUMENT in letter and TAX_ID_DOCUMENT in sheet
    assert "noch nicht erhalten" not in letter and TAX_ID_COPY["de"] not in sheet


def test_a_service_that_does_not_ask_for_the_steuer_id_is_not_told_of_it() -> None:
    letter, sheet = _pages("jobcenter", {**FAMILY, "tax_id": "no"}, lang="de")
    assert "Steuer-ID" not in letter and "Steuer-ID" not in sheet


def test_the_sheet_alone_says_the_steuer_id_is_on_its_way() -> None:
    """Without the person's consent no letter goes to the office: the sheet alone tells the
    person to hand the Steuer-ID in later."""
    service = DIRECTORY.get("familienkasse")
    facts = LifeFacts.from_answers({**FAMILY, "tax_id": "no"})
    documents = documents_to_bring(service.documents, facts)
    referral = referral_for(service, PETAR, reason="kindergeld", documents=documents)
    pdf = render_referral_letter(
        referral, PETAR, service, ORGANISATION, "bg", today=TODAY, facts=facts, to_service=False
    )
    [sheet] = pdf_text(pdf)
    assert TAX_ID_COPY["bg"] in sheet and "Steuerliche" not in sheet


# Each child's Steuer-ID (life-situation check version 10), to the Familienkasse: a family of
# two children in the household, Мария (8, has one) and Иван (born 2022, has none yet).
TAX_ID_FAMILY: dict[str, Any] = {
    **FAMILY,
    "children_count": 2,
    "children": [
        {**FAMILY["children"][0], "child_name": "Мария", "child_tax_id": "yes"},
        {**FAMILY["children"][1], "child_name": "Иван", "child_tax_id": "no"},
    ],
}
#: the second child's line in the letter, saying its Steuer-ID follows
CHILD_TO_FOLLOW = "– geb. 2022, lebt im Haushalt, Steuer-ID wird nachgereicht"
CHILD_TAX_ID_COPY = {
    "bg": "Данъчният идентификационен номер (Steuer-ID) на Иван (роден(а) 2022 г.) още не е "
    "пристигнал. Щом дойде по пощата, занесете го или го изпратете на тази служба.",
    "ro": "Numărul de identificare fiscală (Steuer-ID) pentru Иван (născut(ă) în 2022) nu a "
    "sosit încă. Când vine prin poștă, duceți-l sau trimiteți-l la acest serviciu.",
}
ALSO_FOR = {
    "bg": "Данъчен идентификационен номер (Steuer-ID) – също и за Мария (8)",
    "ro": "Numărul de identificare fiscală (Steuer-ID) – și pentru Мария (8)",
}


@pytest.mark.parametrize("lang", ["bg", "ro"])
def test_a_childs_steuer_id_not_there_is_said_to_follow_and_one_there_asked_for(
    lang: str,
) -> None:
    """The letter's list of the children says Иван's Steuer-ID follows (Мария's line says
    nothing), and the Steuer-ID among the documents is asked for Мария too, by her age (the
    office gets no names); the copy, in the person's language and still on one page, names
    them: Мария's beside the Steuer-ID to tick, Иван's under the checklist as to follow."""
    letter, sheet = _pages("familienkasse", {**TAX_ID_FAMILY, "tax_id": "yes"}, lang=lang)
    assert "Kinder Anzahl: 2 – 8 Jahre, lebt im Haushalt – geb. 2022" in letter
    assert CHILD_TO_FOLLOW in letter
    assert letter.count("Steuer-ID wird nachgereicht") == 1
    assert f"{TAX_ID_DOCUMENT} – auch für das Kind (8 Jahre)" in letter
    assert "Мария" not in letter and "Иван" not in letter
    assert "noch nicht erhalten" not in letter  # the person's own is there
    assert ALSO_FOR[lang] in sheet
    assert CHILD_TAX_ID_COPY[lang] in sheet
    assert TAX_ID_COPY[lang] not in sheet


def test_the_persons_and_a_childs_steuer_id_to_come_are_said_together_on_the_copy() -> None:
    """The person has none yet either: the letter says so as before, the Steuer-ID is asked for
    Мария alone in its place, and the copy says in one paragraph that the person's and Иван's
    follow (two paragraphs pushed the copy onto a third page)."""
    letter, sheet = _pages("familienkasse", {**TAX_ID_FAMILY, "tax_id": "no"}, lang="bg")
    assert f"Petar Petrov {TAX_ID_LETTER}" in letter
    assert CHILD_TO_FOLLOW in letter
    assert f"{TAX_ID_DOCUMENT} – für das Kind (8 Jahre)" in letter
    assert "Данъчен идентификационен номер (Steuer-ID) – за Мария (8)" in sheet
    assert (
        "Данъчните идентификационни номера (Steuer-ID) за Вас и за Иван (роден(а) 2022 г.) още "
        "не са пристигнали. Щом дойдат по пощата от Bundeszentralamt für Steuern, занесете ги "
        "или ги изпратете на тази служба."
    ) in sheet
    assert TAX_ID_COPY["bg"] not in sheet


def test_two_childrens_steuer_ids_to_follow() -> None:
    answers = {**TAX_ID_FAMILY, "tax_id": "yes"}
    answers["children"] = [{**c, "child_tax_id": "no"} for c in TAX_ID_FAMILY["children"]]
    letter, sheet = _pages("familienkasse", answers, lang="ro")
    assert letter.count("Steuer-ID wird nachgereicht") == 2
    assert "für das Kind" not in letter  # the person's own alone is asked for
    assert (
        "Numerele de identificare fiscală (Steuer-ID) pentru Мария (8) și Иван (născut(ă) în "
        "2022) nu au sosit încă."
    ) in sheet


@pytest.mark.parametrize("answer", ["unknown", None])
def test_a_childs_steuer_id_not_known_is_asked_for_as_before(answer: str | None) -> None:
    """ "unknown" or unanswered: the Steuer-ID is asked for as it was, nothing is said to
    follow, no child is named beside it."""
    answers = {**TAX_ID_FAMILY, "tax_id": "yes"}
    answers["children"] = [
        {k: v for k, v in c.items() if k != "child_tax_id"}
        | ({"child_tax_id": answer} if answer else {})
        for c in TAX_ID_FAMILY["children"]
    ]
    letter, sheet = _pages("familienkasse", answers, lang="bg")
    assert "für das Kind" not in letter and TAX_ID_DOCUMENT in letter
    assert "nachgereicht" not in letter
    assert "Данъчен идентификационен номер (Steuer-ID) –" not in sheet
    assert "още не е пристигнал" not in sheet


#: Мария's Steuer-ID among the documents of the copy, in place of the person's still to come
FOR_MARIA = {
    "bg": "Данъчен идентификационен номер (Steuer-ID) – за Мария (8)",
    "ro": "Numărul de identificare fiscală (Steuer-ID) – pentru Мария (8)",
}


@pytest.mark.parametrize("answer", ["unknown", None])
@pytest.mark.parametrize("lang", ["bg", "ro"])
def test_a_childs_steuer_id_not_known_is_asked_for_where_the_persons_own_is_to_come(
    lang: str, answer: str | None
) -> None:
    """The person has none yet ("no"): the referral leaves the Steuer-ID out, and Мария's, which
    the check does not know of ("unknown", or unanswered), was asked for nowhere (the form asks
    a child's whatever the parent's answer: a child born or registered here has one). It is
    listed for her in place of the person's, in the letter by her age and on the copy by her
    name; Иван's ("no") and the person's are said to follow, as before."""
    answers = {**TAX_ID_FAMILY, "tax_id": "no"}
    first = {k: v for k, v in TAX_ID_FAMILY["children"][0].items() if k != "child_tax_id"}
    answers["children"] = [
        first | ({"child_tax_id": answer} if answer else {}),
        TAX_ID_FAMILY["children"][1],
    ]
    letter, sheet = _pages("familienkasse", answers, lang=lang)
    assert f"Petar Petrov {TAX_ID_LETTER}" in letter
    assert f"{TAX_ID_DOCUMENT} – für das Kind (8 Jahre) – Nachweise" in letter
    assert CHILD_TO_FOLLOW in letter and letter.count("Steuer-ID wird nachgereicht") == 1
    assert FOR_MARIA[lang] in sheet
    assert "Иван" in sheet.split(FOR_MARIA[lang])[1]  # said to follow, under the checklist


#: The copy's Steuer-ID for the child of 8 without a name, and the person's and the other's
#: (born 2022) to follow: "the child", not the age alone ("за 8 години" read "for 8 years").
UNNAMED = {
    "bg": (
        "Данъчен идентификационен номер (Steuer-ID) – за детето (8 години)",
        "Данъчните идентификационни номера (Steuer-ID) за Вас и за детето (роден(а) 2022 г.) "
        "още не са пристигнали.",
    ),
    "ro": (
        "Numărul de identificare fiscală (Steuer-ID) – pentru copilul (8 ani)",
        "Numerele de identificare fiscală (Steuer-ID) pentru dumneavoastră și pentru copilul "
        "(născut(ă) în 2022) nu au sosit încă.",
    ),
    "de": (
        "Steuer-Identifikationsnummer (Steuer-ID) – für das Kind (8 Jahre)",
        "Die Steuer-IDs für Sie und für das Kind (geb. 2022) sind noch nicht da.",
    ),
    "en": (
        "Tax identification number (Steuer-ID) – for the child (8 years)",
        "The tax IDs (Steuer-ID) for you and for the child (born 2022) have not come yet.",
    ),
}


@pytest.mark.parametrize("lang", ["bg", "ro", "de", "en"])
def test_the_copy_names_a_child_without_a_name_as_the_child(lang: str) -> None:
    answers = {**FAMILY, "tax_id": "no"}
    first, second, abroad = FAMILY["children"]
    answers["children"] = [
        {**first, "child_tax_id": "yes"},
        {**second, "child_tax_id": "no"},
        abroad,
    ]
    _letter, sheet = _pages("familienkasse", answers, lang=lang)
    asked, to_follow = UNNAMED[lang]
    assert asked in sheet and to_follow in sheet


@pytest.mark.parametrize(
    ("lang", "all_of_them"),
    [
        ("bg", "Данъчен идентификационен номер (Steuer-ID) – за децата ☐"),
        ("ro", "Numărul de identificare fiscală (Steuer-ID) – pentru copiii ☐"),
    ],
)
def test_the_copy_says_the_children_where_all_are_meant_and_one_has_no_name(
    lang: str, all_of_them: str
) -> None:
    """Three children in Germany without names (a check from before version 10), the person's
    own Steuer-ID to come: the Steuer-ID is asked for all three. "детето (8 години), детето
    (роден(а) 2022 г.) и детето (11 години)" took the copy onto a second sheet; it says "the
    children", as the letter does."""
    answers = {**FAMILY, "tax_id": "no"}
    answers["children"] = [
        *FAMILY["children"][:2],
        {"child_birth": "2015-09-01", "child_lives": "elsewhere_de"},
    ]
    letter, sheet = _pages("familienkasse", answers, lang=lang)  # one page each
    assert f"{TAX_ID_DOCUMENT} – für die Kinder – " in letter
    assert all_of_them in sheet and "детето (" not in sheet and "copilul (" not in sheet


@pytest.mark.parametrize("lang", ["de", "bg", "ro", "en"])
def test_the_steuer_id_for_all_the_children_keeps_the_letter_on_one_page(lang: str) -> None:
    """Three children in Germany, the person's own Steuer-ID to come: the Steuer-ID is asked
    for all three ("yes", "unknown", unanswered). Named by their three ages the line wrapped
    twice and the letter's closing went onto a second page; the letter, which lists them
    with their ages just above, says "für die Kinder", and the copy names them."""
    answers = {**TAX_ID_FAMILY, "tax_id": "no", "children_count": 3}
    first, second = TAX_ID_FAMILY["children"]
    answers["children"] = [
        first,
        {**second, "child_tax_id": "unknown"},
        {"child_name": "Елена", "child_birth": "2015-09-01", "child_lives": "elsewhere_de"},
    ]
    letter, sheet = _pages("familienkasse", answers, lang=lang)  # one page each
    assert f"{TAX_ID_DOCUMENT} – für die Kinder – " in letter
    assert "Steuer-ID wird nachgereicht" not in letter  # no child's said to follow
    if lang == "bg":
        assert (
            "Данъчен идентификационен номер (Steuer-ID) – за Мария (8), Иван (роден(а) 2022 г.) "
            "и Елена (11)"
        ) in sheet


@pytest.mark.parametrize("own", ["yes", "no", "unknown", None])
@pytest.mark.parametrize("child", ["yes", "no", "unknown", None])
def test_a_childs_steuer_id_is_asked_for_or_said_to_follow_whatever_the_persons_answer(
    own: str | None, child: str | None
) -> None:
    """Every combination of the person's and a child's answer (the child in the household,
    Kindergeld not received): the letter to the Familienkasse either asks for the child's
    Steuer-ID or says it follows, never neither."""
    answers: dict[str, Any] = {
        **FAMILY,
        "children_count": 1,
        "children": [
            {**FAMILY["children"][0], **({"child_tax_id": child} if child else {})},
        ],
    }
    if own:
        answers["tax_id"] = own
    letter, _sheet = _pages("familienkasse", answers, lang="de")
    follows = "– 8 Jahre, lebt im Haushalt, Steuer-ID wird nachgereicht" in letter
    listed = [line for line in letter.split(" – ") if line.startswith(TAX_ID_DOCUMENT)]
    asked = bool(listed)
    assert (follows, asked) == (child == "no", child != "no" or own != "no")
    if own == "no" and child != "no":
        assert f"{TAX_ID_DOCUMENT} – für das Kind (8 Jahre)" in letter
    elif child == "yes":
        assert f"{TAX_ID_DOCUMENT} – auch für das Kind (8 Jahre)" in letter


def test_no_childs_steuer_id_where_the_advisor_took_the_steuer_id_off() -> None:
    """The advisor took the Steuer-ID off the referral: the letter asks for none, and says
    none follows."""
    service = DIRECTORY.get("familienkasse")
    facts = LifeFacts.from_answers({**TAX_ID_FAMILY, "tax_id": "yes"})
    documents = [d for d in documents_to_bring(service.documents, facts) if d != "tax_id"]
    referral = referral_for(service, PETAR, reason="kindergeld", documents=documents)
    pdf = render_referral_letter(
        referral, PETAR, service, ORGANISATION, "bg", today=TODAY, facts=facts
    )
    letter, sheet = pdf_text(pdf)
    assert "Steuer-ID" not in letter and "Steuer-ID" not in sheet


def test_the_jugendamt_is_not_told_of_a_childs_steuer_id() -> None:
    letter, sheet = _pages("jugendamt", {**TAX_ID_FAMILY, "tax_id": "yes"}, lang="bg")
    assert "Steuer-ID" not in letter and "Steuer-ID" not in sheet
