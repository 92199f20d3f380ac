"""Language names in the UI language: Vlax Romani ("rmy"), which many people here speak, has no
name of its own in CLDR and showed as "Rmy"; it takes its macrolanguage's name."""

from __future__ import annotations

import pytest

from desktop_app.i18n.formatting import language_name
from desktop_app.usecases.person_data_text import conflict_value


@pytest.mark.parametrize(
    ("lang", "romani", "bulgarian"),
    [("bg", "ромски", "български"), ("ro", "romani", "bulgară"), ("de", "Romani", "Bulgarisch")],
)
def test_romani_is_named_in_every_language(lang: str, romani: str, bulgarian: str) -> None:
    assert language_name("rmy", lang) == romani
    assert language_name("bg", lang) == bulgarian


def test_a_code_without_a_name_is_shown_as_it_is() -> None:
    assert language_name("qqq", "de") == "qqq"


def test_a_conflict_over_languages_names_them() -> None:
    shown = conflict_value("person", "languages", "bg,rmy", None, "bg", None)
    assert shown == "български, ромски"


@pytest.mark.parametrize("lang", ["de", "en", "bg", "ro"])
def test_romani_is_named_as_the_forms_name_it(lang: str) -> None:
    """The person's page said "Romani" (de) and "Romany" (en), the visit form's languages
    "Romanes" and "Romani"."""
    from desktop_app.forms import load_shipped_forms

    option = load_shipped_forms()["life_situation"].field("languages").option("rom")
    assert option is not None
    assert option.label[lang] == language_name("rmy", lang) == language_name("rom", lang)
