"""Letter templates: every reason and phrase in de/bg/ro/en, placeholders checked on load."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from desktop_app.domain.referral import OTHER_REASON
from desktop_app.i18n.text import LANGUAGES
from desktop_app.letters.texts import (
    PLACEHOLDERS,
    REQUIRED_COMMON,
    LetterTextsError,
    load_letter_texts,
)
from desktop_app.paths import resource


def test_shipped_texts_are_complete() -> None:
    texts = load_letter_texts()
    assert OTHER_REASON in texts.reasons and len(texts.reasons) >= 12
    for reason in texts.reasons.values():
        for field in (
            reason.label,
            reason.letter_subject,
            reason.letter_body,
            reason.client_purpose,
        ):
            assert set(field.texts) == set(LANGUAGES)
    for section, keys in REQUIRED_COMMON.items():
        for key in keys:
            assert all(texts.common[section][key].texts[lang] for lang in LANGUAGES)


def test_reasons_for_a_service_come_first() -> None:
    texts = load_letter_texts()
    assert texts.reasons_for(("health_insurance",))[0].id == "health_insurance"
    assert texts.reasons_for(("kindergeld",))[0].id == "kindergeld"
    assert len(texts.reasons_for(("school",))) == len(texts.reasons)


def test_a_reason_about_the_services_main_topic_comes_before_one_that_only_touches_it() -> None:
    """Vaccinations of children (health care; children) touch the youth office's only topic,
    children and family: support for the family comes first, and is the one suggested."""
    texts = load_letter_texts()
    ranked = [r.id for r in texts.reasons_for(("children_family",))]
    assert ranked.index("family_support") < ranked.index("child_health")
    assert texts.suggested_reason(("children_family",)).id == "family_support"  # type: ignore[union-attr]
    # The main topic first: a trafficking advice centre that also counsels on exploitation.
    ranked = [r.id for r in texts.reasons_for(("trafficking", "labour_exploitation"))]
    assert ranked[:2] == ["trafficking", "labour_exploitation"]


def test_no_reason_is_suggested_where_none_is_about_the_services_main_topic() -> None:
    texts = load_letter_texts()
    assert texts.suggested_reason(("debts", "housing")) is None  # no reason is about debts
    assert texts.suggested_reason(()) is None
    assert texts.reasons_for(("debts", "housing"))[0].id == "housing_emergency"


def test_every_shipped_service_gets_the_reason_about_its_main_topic() -> None:
    """What a referral pre-selects for each service of the shipped directory (a wrong one is
    printed on the letter and the person's copy unless the advisor notices)."""
    from desktop_app.letters.directory import default_directory

    texts = load_letter_texts()
    suggested = {
        s.id: getattr(texts.suggested_reason(s.topics), "id", None)
        for s in default_directory().services
    }
    assert suggested == {
        "awo_migration": "migration_advice",
        "caritas_migration": "migration_advice",
        "citizens_office": "address_registration",
        "clearingstelle": "health_insurance",
        "diakonie_migration": "migration_advice",
        "employment_agency": "job_search",
        "faire_mobilitaet": "labour_exploitation",
        "familienkasse": "kindergeld",
        "gesundheitsamt": "medical_care",
        "jobcenter": "buergergeld",
        "jugendamt": "family_support",
        "mitternachtsmission": "trafficking",
        "recognition_advice": "recognition",
        "schulverwaltungsamt": "school_place",
        "vhs": "integration_course",
        "wohnungsnotfallhilfe": "housing_emergency",
    }


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    target = tmp_path / "letters"
    shutil.copytree(resource("letters"), target)
    return target


def _edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def _error(folder: Path) -> LetterTextsError:
    with pytest.raises(LetterTextsError) as info:
        load_letter_texts(folder)
    return info.value


@pytest.mark.parametrize(
    ("file", "old", "new", "where"),
    [
        (
            "reasons.yaml",
            'bg: "Там ще получите помощ по въпроса, който обсъдихме с Вас."',
            'bg: "Там ще получите помощ по този въпрос: {reason_note}"',
            "reasons.other.client_purpose.bg",
        ),
        (
            "common.yaml",
            'ro: "Pentru serviciu, aceasta este descrisă',
            'ro: "{reason_note} Pentru serviciu, aceasta este descrisă',
            "client.note_in_letter.ro",
        ),
    ],
)
def test_a_persons_text_printing_the_german_note_in_another_language_is_refused(
    folder: Path, file: str, old: str, new: str, where: str
) -> None:
    """The note is written in German: a copy in Bulgarian printing it reads as if it were
    Bulgarian. Only the German copy's texts may use it."""
    _edit(folder / file, old, new)
    err = _error(folder)
    assert (err.file.name, err.where, err.code) == (file, where, "note_not_in_language")


def test_unknown_placeholder_is_refused_with_its_place(folder: Path) -> None:
    _edit(folder / "reasons.yaml", 'bg: "{latin_name} в момента', 'bg: "{latn_name} в момента')
    err = _error(folder)
    assert (err.file.name, err.where, err.code, err.detail) == (
        "reasons.yaml",
        "reasons.buergergeld.letter_body.bg",
        "unknown_placeholder",
        "latn_name",
    )
    assert "latn_name" not in PLACEHOLDERS


def test_lone_brace_missing_language_and_missing_key(folder: Path) -> None:
    _edit(
        folder / "common.yaml", 'ro: "Pagina {page} din {pages}"', 'ro: "Pagina {page din {pages}"'
    )
    assert _error(folder).code == "bad_placeholder"
    _edit(
        folder / "common.yaml", 'ro: "Pagina {page din {pages}"', 'ro: "Pagina {page} din {pages}"'
    )
    _edit(folder / "common.yaml", ', ro: "Cine v-a trimis?"', "")
    err = _error(folder)
    assert (err.where, err.code) == ("client.heading_referred_by.ro", "missing_language")
    _edit(folder / "common.yaml", "  heading_referred_by:", "  heading_referred:")
    err = _error(folder)
    assert (err.where, err.code) == ("client.heading_referred", "unknown_key")


def test_every_letter_error_key_has_a_message_in_every_language() -> None:
    texts = load_letter_texts()
    for key in REQUIRED_COMMON["errors"]:
        for lang in LANGUAGES:
            assert texts.error_message(f"letter.{key}", lang)
