"""What a referral letter tells a service from the person's latest skills check: their
qualifications from abroad, work experience and German, with each answer's label in every
language (a form published later may name its options differently)."""

from __future__ import annotations

from dataclasses import dataclass, field

from desktop_app.domain.service import LocalizedText


@dataclass(frozen=True)
class QualificationFact:
    """A vocational or academic qualification from abroad, as the skills check recorded it."""

    kind: LocalizedText  # "Berufsausbildung", "Studium (Hochschule)"
    title: str  # as written, often in the person's language: the original designation
    country: LocalizedText
    year: str  # "2016", or ""
    #: the certificate's answer: "yes", "no", "unknown" or ""
    document: str
    #: "no" (not started), "yes" (started) or "unknown"/""
    recognition_started: str
    #: the state of a recognition started ("läuft noch", "teilweise anerkannt" …), or empty
    recognition_result: LocalizedText


@dataclass(frozen=True)
class ExperienceFact:
    """Work experience in one field."""

    field: LocalizedText  # the field's label, or the field as written for "another field"
    years: int | None
    where: LocalizedText


@dataclass(frozen=True)
class SkillsFacts:
    """The answers of one skills check that referral letters use."""

    qualifications: tuple[QualificationFact, ...] = ()
    experience: tuple[ExperienceFact, ...] = ()
    #: the German level ("A1") and how it was assessed ("self", "tested", "certificate")
    german_level: str = ""
    german_assessed: str = ""
    latin_literacy: LocalizedText = field(default_factory=LocalizedText)
