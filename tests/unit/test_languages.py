"""Adding a language is a translation task, not a code change (product.md, "Languages"): the
languages are those translations/languages.toml lists; every shipped text is in each of them;
and a language added to a copy of the program by its files alone (an entry in the registry,
a catalog) is offered as a UI language and a person's language, with its dates, while the
tests name each of the program's texts still to be translated into it."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import textwrap
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml
from babel.messages.pofile import read_po, write_po

from desktop_app.i18n import languages
from desktop_app.i18n.text import LANGUAGES
from desktop_app.paths import project_root, resources_dir, translations_dir


def _language_maps(data: Any, where: str) -> Iterator[tuple[str, dict[str, Any]]]:
    """Every text given by language in ``data`` (a mapping whose keys are language codes,
    two of the first version's among them), with the place it is at."""
    if isinstance(data, dict):
        keys = [str(key) for key in data]
        if (
            sum(code in keys for code in languages.CORE) >= 2
            and all(languages.CODE.match(key) for key in keys)
            and all(isinstance(value, str | list) for value in data.values())
        ):
            yield where, data
            return
        for key, value in data.items():
            yield from _language_maps(value, f"{where}.{key}")
    elif isinstance(data, list):
        for index, value in enumerate(data):
            yield from _language_maps(value, f"{where}[{index}]")


def untranslated(resources: Path, codes: tuple[str, ...]) -> list[str]:
    """The places in the YAML files below ``resources`` whose text lacks one of ``codes``."""
    missing: list[str] = []
    for path in sorted(resources.rglob("*.yaml")):
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        name = path.relative_to(resources).as_posix()
        for where, texts in _language_maps(data, name):
            missing += [f"{where}: {code}" for code in codes if not texts.get(code)]
    return missing


def test_the_registry_is_the_programs_languages() -> None:
    """Each language listed has its catalog; each catalog is of a language listed; the menus'
    order is the file's; a person's language is offered theirs first, then German, English."""
    assert LANGUAGES == languages.codes() == ("de", "bg", "ro", "en")
    folders = {p.name for p in translations_dir().iterdir() if (p / "LC_MESSAGES").is_dir()}
    assert folders == set(LANGUAGES)
    for code in LANGUAGES:
        assert (translations_dir() / code / "LC_MESSAGES" / "welcome_desk.po").is_file()
    assert languages.client_languages() == ("bg", "ro", "de", "en")
    assert languages.names()["bg"] == "Български"
    assert languages.date_locales()["en"] == "en_GB"  # "7 Dec 2026", as Europe writes it
    assert languages.locale_words()["romanian"] == "ro"


def test_the_domains_fallback_order_is_the_registrys() -> None:
    """The domain imports nothing of ours but the domain: LocalizedText keeps its own copy."""
    from desktop_app.domain.service import FALLBACK_ORDER

    assert FALLBACK_ORDER == languages.FALLBACK_ORDER


def test_every_shipped_text_is_in_every_language() -> None:
    """The forms, the letters, the service directory, the nationalities, the districts: each
    text given by language has all of them (the code asks only the first version's four of a
    text, since a published directory or form may come from a laptop of another version)."""
    common = yaml.safe_load((resources_dir() / "letters" / "common.yaml").read_text("utf-8"))
    assert len(list(_language_maps(common, "common"))) > 20  # the walk finds the texts
    assert untranslated(resources_dir(), LANGUAGES) == []


def _tree_with_turkish(root: Path) -> Path:
    """A copy of the program (its code, resources and catalogs) with Turkish added the way
    translations/languages.toml says: an entry there and a catalog, some of it translated."""
    ignore = shutil.ignore_patterns("__pycache__", "*.pyc")
    for part in ("desktop_app", "resources", "translations"):
        shutil.copytree(project_root() / part, root / part, ignore=ignore)
    registry = root / "translations" / "languages.toml"
    registry.write_text(
        registry.read_text(encoding="utf-8")
        + '\n[[language]]\ncode = "tr"\nname = "Türkçe"\ndates = "tr"\nwords = ["turkish"]\n',
        encoding="utf-8",
    )
    with (root / "translations" / "welcome_desk.pot").open("rb") as fh:
        catalog = read_po(fh, locale="tr")
    turkish = {"&File": "&Dosya", "&Language": "&Dil"}
    for message in catalog:
        if message.id in turkish:
            message.string = turkish[str(message.id)]
    folder = root / "translations" / "tr" / "LC_MESSAGES"
    folder.mkdir(parents=True)
    with (folder / "welcome_desk.po").open("wb") as fh:
        write_po(fh, catalog)
    return root


# Run in the copy, as the program would be: its registry, catalogs and resources.
_IN_THE_COPY = textwrap.dedent(
    """
    import json, os
    os.environ["LANG"] = "tr_TR.UTF-8"
    from desktop_app.i18n import languages
    from desktop_app.i18n.text import LANGUAGES, LANGUAGE_NAMES, _, set_language, system_language
    from desktop_app.i18n.formatting import format_partial_date
    from desktop_app.forms import load_shipped_forms
    from desktop_app.forms.labels import label
    from desktop_app.ui.visits import CLIENT_LANGUAGES
    from desktop_app.usecases.data_rights import DOCUMENT_LANGUAGES
    started_in = system_language()
    set_language("tr")
    form = load_shipped_forms()["life_situation"]
    print(json.dumps({
        "languages": LANGUAGES,
        "name": LANGUAGE_NAMES["tr"],
        "system": started_in,
        "file_menu": _("&File"),
        "untranslated": _("&Help"),
        "client": CLIENT_LANGUAGES,
        "documents": DOCUMENT_LANGUAGES,
        "persons": languages.persons_language(["de", "tr", "ro"]),
        "day": format_partial_date("2026-12-07", "tr"),
        "form_title": label(form.title, "tr"),
        "english_title": label(form.title, "en"),
    }))
    """
)


@pytest.mark.slow
def test_a_language_added_by_its_files_alone_is_offered(tmp_path: Path) -> None:
    root = _tree_with_turkish(tmp_path / "copy")
    env = {**os.environ, "PYTHONPATH": str(root), "QT_QPA_PLATFORM": "offscreen"}
    env.pop("WELCOME_DESK_LANG", None)
    env.pop("LC_ALL", None)
    env.pop("LC_MESSAGES", None)
    env.pop("LANGUAGE", None)

    def run(*args: str) -> str:
        ran = subprocess.run(
            [sys.executable, *args],
            cwd=root,
            env=env,
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )
        assert ran.returncode == 0, ran.stderr
        return ran.stdout

    seen = json.loads(run("-c", _IN_THE_COPY).strip().splitlines()[-1])
    assert seen["languages"] == ["de", "bg", "ro", "en", "tr"]
    assert seen["name"] == "Türkçe"
    assert seen["system"] == "tr"  # a Turkish desktop starts the program in Turkish
    assert seen["file_menu"] == "&Dosya"
    assert seen["untranslated"] == "&Help"  # gettext's own fallback until translated
    assert seen["client"] == ["bg", "ro", "tr", "de", "en"]
    assert seen["documents"] == ["bg", "ro", "tr", "de", "en"]
    # a person who speaks German, Turkish and Romanian sees the forms in Turkish beside the
    # UI's language, and their copy of a letter is in Turkish
    assert seen["persons"] == "tr"
    assert seen["day"] == "7 Ara 2026"  # CLDR's Turkish
    assert seen["form_title"] == seen["english_title"]  # until its Turkish is written
    # The command line offers it too (argparse's choices are the registry's).
    shown = run(
        "-c",
        "import sys; from desktop_app.app import main; sys.exit(main())",
        "--lang",
        "tr",
        "--help",
    )
    assert "--lang {de,bg,ro,en,tr}" in shown, shown
    # What is left for the translator: the tests name every text without its Turkish.
    missing = untranslated(root / "resources", ("de", "bg", "ro", "en", "tr"))
    assert missing and all(m.endswith(": tr") for m in missing)
    files = {m.split(".yaml")[0] for m in missing}
    assert {
        "forms/life_situation",
        "letters/common",
        "nationalities/eu_adjectives",
        "nationalities/import_words",
    } <= files
