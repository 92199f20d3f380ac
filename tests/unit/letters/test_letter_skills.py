"""What a letter gives the recognition advice and the language courses from the person's latest
skills check, read back from the PDF: the qualification from abroad as written with its kind,
country and year and the work experience to the one, the German level to the other; nothing
to the other services, whose letters stay as they were."""

from __future__ import annotations

import io
from typing import Any

import pypdf

from desktop_app.domain.person import PersonDraft
from desktop_app.domain.users import Role
from desktop_app.paths import resource
from desktop_app.usecases import accounts, people, reference, visits
from desktop_app.usecases import referrals as uc
from desktop_app.usecases.accounts import Session
from tests.conftest import record_sharing_consent, with_version_raised
from tests.unit.forms.test_forms_evaluator import full_skills_check

# Maria Popescu, a nurse from Iași: German A1, a nursing diploma from Romania, recognition
# not started, six years in a hospital.
SKILLS: dict[str, Any] = full_skills_check() | {
    "language_levels": [{"language": "de", "level": {"level": "A1", "assessed": "self"}}],
    "qualifications": [
        {
            "q_kind": "vocational",
            "q_title": "asistentă medicală generalistă",
            "q_country": "ro",
            "q_year": "2016",
            "q_document": "yes",
            "q_recognition_started": "no",
        },
        # a course is not what recognition is about: not in the letter
        {"q_kind": "course", "q_title": "curs de prim ajutor", "q_country": "ro"},
    ],
    "experience": [{"w_field": "care", "w_years": 6, "w_where": "home_country"}],
}


def _maria(session: Session, skills: dict[str, Any] | None = SKILLS) -> str:
    person = people.register_person(
        session.store,
        session.user,
        PersonDraft("Maria", "Popescu", "1992", "female", "RO", ("ro",)),
    )
    record_sharing_consent(session, person.id)
    if skills is not None:
        visits.finish_visit(session.store, session.user, person.id, "skills_check", skills)
    return person.id


def _pages(session: Session, person_id: str, service: str, reason: str) -> list[str]:
    referral = uc.issue_referral(
        session.store, session.user, person_id, service, reason, client_lang="ro"
    )
    pdf = uc.render_letter(session.store, session.user, referral.id)
    pages = pypdf.PdfReader(io.BytesIO(pdf)).pages
    return [" ".join((page.extract_text() or "").split()) for page in pages]


def test_the_recognition_advice_reads_the_qualification_as_written_and_the_experience(
    session: Session,
) -> None:
    letter, *copy = _pages(session, _maria(session), "recognition_advice", "recognition")
    assert (
        "Abschlüsse „asistentă medicală generalistă“ (Bezeichnung im Original), "
        "Berufsausbildung, Rumänien, 2016; Urkunde oder Zeugnis vorhanden; "
        "Anerkennung in Deutschland noch nicht beantragt"
    ) in letter
    assert "Berufserfahrung Pflege und Betreuung: 6 Jahre, im Herkunftsland" in letter
    assert "prim ajutor" not in letter
    assert "Deutschkenntnisse" not in letter  # not what the recognition advice needs
    # Maria's own sheet repeats none of it
    assert all("Bezeichnung" not in page and "generalistă" not in page for page in copy)


def test_the_language_course_reads_the_german_level_and_nothing_of_the_qualifications(
    session: Session,
) -> None:
    letter, *_copy = _pages(session, _maria(session), "vhs", "integration_course")
    assert "Deutschkenntnisse A1 – Anfänger (Selbsteinschätzung)" in letter
    assert "Lesen und Schreiben sicher (lateinische Schrift)" in letter
    assert "generalistă" not in letter and "Berufserfahrung" not in letter


def test_a_recognition_started_says_its_state(session: Session) -> None:
    skills = SKILLS | {
        "qualifications": [
            SKILLS["qualifications"][0]
            | {"q_recognition_started": "yes", "q_recognition_result": "partial"}
        ]
    }
    letter, *_copy = _pages(session, _maria(session, skills), "recognition_advice", "recognition")
    assert "Anerkennung: teilweise anerkannt (Ausgleichsmaßnahme nötig)" in letter
    assert "noch nicht beantragt" not in letter


def test_other_services_get_nothing_of_the_skills_check_and_their_letters_stay_the_same(
    session: Session,
) -> None:
    person_id = _maria(session, None)
    referral = uc.issue_referral(session.store, session.user, person_id, "jobcenter", "job_search")
    recognition = uc.issue_referral(
        session.store, session.user, person_id, "recognition_advice", "recognition"
    )
    before = uc.make_letter(session.store, session.user, referral.id)
    before_recognition = uc.make_letter(session.store, session.user, recognition.id)
    visits.finish_visit(session.store, session.user, person_id, "skills_check", SKILLS)
    after = uc.make_letter(session.store, session.user, referral.id)
    # a queued Jobcenter letter is not flagged as changed by a skills check it does not show
    assert after.inputs == before.inputs
    text = " ".join(p.extract_text() or "" for p in pypdf.PdfReader(io.BytesIO(after.pdf)).pages)
    assert "generalistă" not in text and "Deutschkenntnisse" not in text
    # the recognition advice's letter shows it now: made again before it prints
    assert uc.make_letter(session.store, session.user, recognition.id).inputs != (
        before_recognition.inputs
    )


def test_a_restricted_section_of_the_skills_check_is_left_out_of_a_helpers_facts(
    session: Session,
) -> None:
    """A published skills check whose qualifications section is health data (as a team may
    decide for a qualification obtained in a clinic): a helper's letter is made from the
    answers they may read, as from the life-situation check's (the shipped form has no
    restricted section)."""
    files = {p.name: p.read_text(encoding="utf-8") for p in resource("forms").glob("*.yaml")}
    heading = "  - id: qualifications\n    label:"
    assert heading in files["skills_check.yaml"]
    files["skills_check.yaml"] = with_version_raised(
        files["skills_check.yaml"].replace(
            heading, "  - id: qualifications\n    restricted: health\n    label:", 1
        )
    )
    reference.publish_forms(session.store, session.user, files)
    assert visits.form("skills_check", session.store).withheld_fields({"health"}) == {
        "qualifications"
    }
    pid = _maria(session)
    accounts.add_user(session, "mihai", "Mihai Student", Role.HELPER, "student pass 7")
    helper = accounts.log_in(session.store.paths.data_dir, "mihai", "student pass 7")
    try:
        theirs = uc.skills_facts(helper.store, helper.user, pid)
    finally:
        helper.close()
    ours = uc.skills_facts(session.store, session.user, pid)
    assert theirs is not None and ours is not None
    assert "asistentă medicală generalistă" in [q.title for q in ours.qualifications]
    assert theirs.qualifications == ()
    assert theirs.experience == ours.experience and theirs.experience  # not restricted
