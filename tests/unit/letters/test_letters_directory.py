"""The service directory: shipped entries load, search is folded, bad files fail precisely."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from desktop_app.forms.definition import load_shipped_forms
from desktop_app.i18n.text import LANGUAGES
from desktop_app.letters.directory import DirectoryError, load_directory
from desktop_app.paths import resource

SHIPPED = resource("services")


def _ids(services: list) -> list[str]:
    return [s.id for s in services]


def test_shipped_directory_covers_the_services_of_flow_4() -> None:
    directory = load_directory()
    ids = set(_ids(list(directory.services)))
    assert {
        "jobcenter",
        "gesundheitsamt",
        "clearingstelle",
        "vhs",
        "jugendamt",
        "schulverwaltungsamt",
        "familienkasse",
        "wohnungsnotfallhilfe",
        "faire_mobilitaet",
        "mitternachtsmission",
        "caritas_migration",
        "diakonie_migration",
        "awo_migration",
    } <= ids
    names = [s.german_name.casefold() for s in directory.services]
    assert names == sorted(names)  # as lists show them, not by file name
    for service in directory.services:
        assert set(service.name.texts) == set(LANGUAGES)
        assert service.address.city == "Dortmund"
        for doc in service.documents:
            assert all(directory.documents[doc].texts[lang] for lang in LANGUAGES)


def test_every_service_a_shipped_next_step_names_is_in_the_shipped_directory() -> None:
    """A next step accepted at the end of a form ("Anmeldung beim Bürgerbüro", "Anerkennungs-
    beratung") is offered first in the refer dialog only if its service is in the directory:
    citizens_office, employment_agency and recognition_advice were not, and no letter could be
    written for those steps."""
    ids = set(_ids(list(load_directory().services)))
    missing = sorted(
        f"{form.id}.{rule.id}: {rule.service}"
        for form in load_shipped_forms().values()
        for rule in form.next_steps
        if rule.service is not None and rule.service not in ids
    )
    assert missing == []
    named = {r.service for f in load_shipped_forms().values() for r in f.next_steps}
    assert {"citizens_office", "employment_agency", "recognition_advice"} <= named


def test_romanian_labels_use_comma_below_never_cedilla() -> None:
    text = "".join(p.read_text(encoding="utf-8") for p in sorted(SHIPPED.glob("*.yaml")))
    text += "".join(p.read_text(encoding="utf-8") for p in resource("letters").glob("*.yaml"))
    assert "ş" not in text and "ţ" not in text and "Ş" not in text and "Ţ" not in text
    assert "ș" in text and "ț" in text


@pytest.mark.parametrize(
    ("query", "expected_first"),
    [
        ("jobcenter", "jobcenter"),
        ("ДЖОБЦЕНТЪР", "jobcenter"),  # Cyrillic, any case
        ("dzhobtsentar", "jobcenter"),  # transliterated Bulgarian
        ("clearingstelle", "clearingstelle"),
        ("Şcoală", "schulverwaltungsamt"),  # cedilla form finds the comma-below label (topic)
        ("kindergeld", "familienkasse"),
        ("volkshochschule", "vhs"),
        ("menschenhandel", "mitternachtsmission"),
    ],
)
def test_search_by_name_or_topic_is_folded(query: str, expected_first: str) -> None:
    found = load_directory().search(query)
    assert found and found[0].id == expected_first


def test_search_matches_all_words_and_lists_name_hits_first() -> None:
    directory = load_directory()
    assert _ids(directory.search("gesundheit dortmund")) == ["gesundheitsamt"]
    health = _ids(directory.search("sănătate"))
    assert {"gesundheitsamt", "clearingstelle"} <= set(health)
    assert directory.search("") == list(directory.services)
    assert directory.search("no such service xyz") == []
    assert _ids(directory.by_topic("migration_advice")) == [
        "awo_migration",
        "caritas_migration",
        "diakonie_migration",
    ]


def test_document_label_translates_ids_and_keeps_free_text() -> None:
    directory = load_directory()
    assert directory.document_label("id_card", "bg") == "Лична карта или паспорт"
    assert directory.document_label("Mietbescheinigung vom Vermieter", "ro") == (
        "Mietbescheinigung vom Vermieter"
    )


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    target = tmp_path / "services"
    shutil.copytree(SHIPPED, target)
    return target


def _edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def _error(folder: Path) -> DirectoryError:
    with pytest.raises(DirectoryError) as info:
        load_directory(folder)
    return info.value


def test_missing_language_names_file_and_place(folder: Path) -> None:
    _edit(
        folder / "vhs.yaml",
        "  ro: Volkshochschule Dortmund (VHS, centrul de educație pentru adulți)\n",
        "",
    )
    err = _error(folder)
    assert (err.file.name, err.where, err.code) == ("vhs.yaml", "name.ro", "missing_language")
    assert str(err) == "vhs.yaml: name.ro: missing_language"


def test_a_language_a_newer_version_added_is_kept_and_a_key_no_language_refused(
    folder: Path,
) -> None:
    """A directory published by a laptop of a newer version, which speaks Turkish too, is read
    by this one (it was refused as "unknown_language": the laptop fell back to the shipped
    directory, without the coordination's services); its Turkish is kept, the others' texts
    are as before. A key that is no language code is still refused."""
    line = "  en: Volkshochschule Dortmund (VHS, adult education centre)\n"
    _edit(folder / "vhs.yaml", line, line + "  tr: Dortmund Halk Eğitim Merkezi\n")
    vhs = next(s for s in load_directory(folder).services if s.id == "vhs")
    assert vhs.name.get("tr") == "Dortmund Halk Eğitim Merkezi"
    assert vhs.name.get("ro").startswith("Volkshochschule Dortmund (VHS, centrul")
    assert list(vhs.name.texts)[: len(LANGUAGES)] == list(LANGUAGES)
    _edit(folder / "vhs.yaml", "  tr: ", "  Turkish: ")
    err = _error(folder)
    assert (err.file.name, err.where, err.code) == ("vhs.yaml", "name", "unknown_language")


def test_unknown_topic_and_document_ids(folder: Path) -> None:
    _edit(
        folder / "jobcenter.yaml",
        "topics: [jobcenter_benefits, work",
        "topics: [jobcenter_benefits, wrok",
    )
    err = _error(folder)
    assert (err.file.name, err.where, err.code, err.detail) == (
        "jobcenter.yaml",
        "topics[1]",
        "unknown_id",
        "wrok",
    )
    _edit(folder / "jobcenter.yaml", "wrok", "work")
    _edit(folder / "jobcenter.yaml", "documents: [id_card,", "documents: [passport,")
    err = _error(folder)
    assert (err.where, err.code, err.detail) == ("documents[0]", "unknown_id", "passport")


def test_typo_in_a_key_empty_label_and_wrong_id(folder: Path) -> None:
    _edit(folder / "jugendamt.yaml", "address:", "adress:")
    err = _error(folder)
    assert (err.file.name, err.where, err.code) == ("jugendamt.yaml", "adress", "unknown_key")
    _edit(folder / "jugendamt.yaml", "adress:", "address:")
    _edit(
        folder / "jugendamt.yaml", "  en: Dortmund Youth Welfare Office (Jugendamt)", '  en: "  "'
    )
    err = _error(folder)
    assert (err.where, err.code) == ("name.en", "empty")
    _edit(folder / "jugendamt.yaml", '  en: "  "', "  en: Youth Welfare Office")
    _edit(folder / "jugendamt.yaml", "id: jugendamt", "id: youth_office")
    assert (_error(folder).where, _error(folder).code) == ("id", "id_not_file_name")


def test_broken_yaml_catalogue_label_and_missing_catalogue(folder: Path) -> None:
    (folder / "broken.yaml").write_text("id: broken\nname: {de: [unclosed\n", encoding="utf-8")
    err = _error(folder)
    assert (err.file.name, err.code) == ("broken.yaml", "invalid_yaml")
    (folder / "broken.yaml").unlink()
    _edit(folder / "catalogue.yaml", "    bg: Лична карта или паспорт\n", "")
    err = _error(folder)
    assert (err.file.name, err.where, err.code) == (
        "catalogue.yaml",
        "documents.id_card.bg",
        "missing_language",
    )
    (folder / "catalogue.yaml").unlink()
    assert _error(folder).code == "missing_file"


def test_missing_address_and_contact_are_allowed(folder: Path) -> None:
    text = (folder / "vhs.yaml").read_text(encoding="utf-8")
    start, end = text.index("address:"), text.index("opening_hours:")
    (folder / "vhs.yaml").write_text(text[:start] + text[end:], encoding="utf-8")
    vhs = load_directory(folder).get("vhs")
    assert vhs.address.is_empty and vhs.address.lines() == ()
