"""What a referral letter and the person summary tell of the person's latest skills check:
their qualifications from abroad, work experience, languages and driving licence, with each
answer's label in every language (a form published later may name its options differently)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import ClassVar

from desktop_app.domain.fingerprints import fingerprint_text
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

    FINGERPRINT: ClassVar[tuple[str, ...]] = (
        "kind",
        "title",
        "country",
        "year",
        "document",
        "recognition_started",
        "recognition_result",
    )
    NOT_IN_FINGERPRINT: ClassVar[tuple[str, ...]] = ()

    def fingerprint(self) -> str:
        return fingerprint_text(self, self.FINGERPRINT)


@dataclass(frozen=True)
class ExperienceFact:
    """Work experience in one field."""

    field: LocalizedText  # the field's label, or the field as written for "another field"
    years: int | None
    where: LocalizedText

    FINGERPRINT: ClassVar[tuple[str, ...]] = ("field", "years", "where")
    NOT_IN_FINGERPRINT: ClassVar[tuple[str, ...]] = ()

    def fingerprint(self) -> str:
        return fingerprint_text(self, self.FINGERPRINT)


@dataclass(frozen=True)
class LanguageFact:
    """A language other than German and its level ("C2"), as the skills check recorded it."""

    language: LocalizedText  # the option's label, or the language as written for "other"
    level: str
    assessed: str  # "self", "tested", "certificate" or ""

    FINGERPRINT: ClassVar[tuple[str, ...]] = ("language", "level", "assessed")
    NOT_IN_FINGERPRINT: ClassVar[tuple[str, ...]] = ()

    def fingerprint(self) -> str:
        return fingerprint_text(self, self.FINGERPRINT)


@dataclass(frozen=True)
class SkillsFacts:
    """The answers of one skills check that referral letters and the person summary use."""

    qualifications: tuple[QualificationFact, ...] = ()
    experience: tuple[ExperienceFact, ...] = ()
    #: the German level ("A1") and how it was assessed ("self", "tested", "certificate")
    german_level: str = ""
    german_assessed: str = ""
    latin_literacy: LocalizedText = field(default_factory=LocalizedText)
    #: the literacy answer itself ("fluent", "partly", "no"; "" not answered)
    latin_literacy_answer: str = ""
    other_languages: tuple[LanguageFact, ...] = ()
    #: the licences' labels in the form's order ("kein Führerschein" where none)
    driving_licence: tuple[LocalizedText, ...] = ()

    #: The fields a queued letter's fingerprint takes the skills check by, in this order
    #: (written as the dataclass's repr wrote them: ``domain.fingerprints``), and those it
    #: leaves out. All are in, as they were when the fingerprint was the repr.
    FINGERPRINT: ClassVar[tuple[str, ...]] = (
        "qualifications",
        "experience",
        "german_level",
        "german_assessed",
        "latin_literacy",
        "latin_literacy_answer",
        "other_languages",
        "driving_licence",
    )
    NOT_IN_FINGERPRINT: ClassVar[tuple[str, ...]] = ()

    def fingerprint(self) -> str:
        return fingerprint_text(self, self.FINGERPRINT)
