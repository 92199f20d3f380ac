"""The command line's help and argparse's own messages (usage, errors) speak the user's
language, as everything else the commands print does."""

from __future__ import annotations

import argparse
import ast
import contextlib
import inspect
import io
import itertools
import os
import re
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from desktop_app import cli
from desktop_app.i18n.argparse_text import ARGPARSE_MESSAGES, argparse_in_ui_language
from desktop_app.i18n.text import LANGUAGES, set_language

ROOT = Path(__file__).resolve().parents[2]
LOCALE_VARS = ("LANGUAGE", "LC_ALL", "LC_MESSAGES", "LANG", "WELCOME_DESK_LANG")
# English words argparse would print if a text escaped the catalog.
ENGLISH = ("usage:", "options:", "positional arguments", "show this help message", "error:")


def welcome_desk(*args: str, **env: str) -> subprocess.CompletedProcess[str]:
    """The real entry point (``welcome-desk`` runs ``desktop_app.app:main``), with only the
    locale variables given here."""
    clean = {k: v for k, v in os.environ.items() if k not in LOCALE_VARS}
    return subprocess.run(
        [sys.executable, "-m", "desktop_app.app", *args],
        capture_output=True,
        text=True,
        cwd=ROOT,
        env={**clean, **env},
        timeout=60,
    )


def test_help_in_bulgarian() -> None:
    shown = welcome_desk("--lang", "bg", "--help")
    assert shown.returncode == 0, shown.stderr
    out = shown.stdout
    assert out.startswith("употреба: welcome-desk [-h] [--data-dir ПАПКА]")
    for words in (
        "позиционни аргументи:",
        "опции:",
        "показване на тази помощ и изход",
        "регистриране и търсене на лица",  # a command's help
        "папка за данни (по подразбиране:",  # an option's help
        "КОМАНДА",
    ):
        assert words in out
    for english in (*ENGLISH, "register and find people", "FOLDER"):
        assert english not in out


def test_help_of_a_command_in_romanian_from_the_locale() -> None:
    shown = welcome_desk("people", "import", "--help", LANG="ro_RO.UTF-8")
    assert shown.returncode == 0, shown.stderr
    out = shown.stdout
    assert out.startswith("utilizare: welcome-desk people import")
    for words in (
        "argumente poziționale:",
        "opțiuni:",
        "afișează acest ajutor și ieși",
        "importă persoane dintr-un fișier CSV sau XLSX",  # the command's own description
        "--map CÂMP=COLOANĂ",
        "omite probabilele duplicate",
        "FIȘIER",
    ):
        assert words in out
    for english in (*ENGLISH, "FIELD=COLUMN", "leave likely duplicates out", "FILE"):
        assert english not in out


def test_missing_required_argument_in_german() -> None:
    refused = welcome_desk("people", "import", "--lang", "de")
    assert refused.returncode == 2
    assert refused.stdout == ""
    err = refused.stderr
    assert err.startswith("Aufruf: welcome-desk people import")
    assert "welcome-desk people import: Fehler: folgende Argumente sind erforderlich: DATEI" in err
    for english in (*ENGLISH, "the following arguments are required", "FILE"):
        assert english not in err


def test_invalid_choice_in_german() -> None:
    refused = welcome_desk(
        "report", "--period", "2026", "--out", "x.pdf", "--format", "doc", "--lang=de"
    )
    assert refused.returncode == 2
    assert (
        "welcome-desk report: Fehler: Argument --format: ungültige Auswahl: 'doc' "
        "(wählen Sie aus 'pdf', 'xlsx', 'csv')"
    ) in refused.stderr
    for english in (*ENGLISH, "invalid choice", "choose from", "argument --format"):
        assert english not in refused.stderr


def test_an_unknown_language_is_refused_in_the_users_language() -> None:
    refused = welcome_desk("sync", "--lang", "fr", LANG="bg_BG.UTF-8")
    assert refused.returncode == 2
    assert "грешка: аргумент --lang: невалиден избор: 'fr' (изберете от" in refused.stderr


@pytest.mark.parametrize(
    ("argv", "expected"),
    [
        (
            ["people", "search", "--limit", "viele", "x"],
            "welcome-desk people search: Fehler: Argument --limit: ungültiger Wert 'viele' "
            "(erwartet: ganze Zahl)",
        ),
        (
            ["people", "add", "--given"],
            "welcome-desk people add: Fehler: Argument --given: ein Argument erwartet",
        ),
        (["sync", "extra"], "welcome-desk: Fehler: unbekannte Argumente: extra"),
        (
            ["people", "import", "f.csv", "--force", "--skip-duplicates"],
            "Fehler: Argument --skip-duplicates: nicht zusammen mit dem Argument --force erlaubt",
        ),
        (
            ["people", "import", "f.csv", "--dry-run=ja"],
            "Fehler: Argument --dry-run: diese Option nimmt keinen Wert an: 'ja'",
        ),
        (["--d", "sync"], "Fehler: mehrdeutige Option: --d könnte --data-dir, --demo bedeuten"),
    ],
)
def test_argparse_errors_in_german(
    argv: list[str], expected: str, capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(SystemExit) as exited:
        cli.main([*argv, "--lang", "de"])
    assert exited.value.code == 2
    err = capsys.readouterr().err
    assert err.startswith("Aufruf: welcome-desk")
    assert expected in err
    assert not any(english in err for english in ENGLISH)


def test_the_binding_ends_with_our_parser() -> None:
    """The server's command line (and any other parser) keeps argparse's English."""
    with pytest.raises(SystemExit):
        cli.parse(["--lang", "bg", "sync", "extra"])
    other = argparse.ArgumentParser(prog="other")
    assert other.format_help().startswith("usage: other")
    assert "show this help message and exit" in other.format_help()
    with argparse_in_ui_language():
        assert argparse.ArgumentParser(prog="x").format_help().startswith("употреба: x")
    assert argparse.ArgumentParser(prog="x").format_help().startswith("usage: x")


@pytest.mark.parametrize(
    ("argv", "expected"),
    [
        (["--lang", "bg", "sync"], "bg"),
        (["sync", "--lang=ro"], "ro"),
        (["--lang", "bg", "sync", "--lang", "ro"], "ro"),  # the last one, as argparse takes
        (["--lang", "fr", "sync"], None),  # argparse refuses it
        (["--lang"], None),
        (["people", "search", "--", "--lang", "bg"], None),  # a query, not an option
        (["--language", "bg"], None),
        # argparse takes an unambiguous abbreviation of an option the (sub)parser knows
        (["--lan", "bg", "sync"], "bg"),
        (["sync", "--la=ro"], "ro"),
        (["--l", "bg"], "bg"),
        (["people", "add", "--lan", "bg"], None),  # --lang or the person's --language
        (["people", "add", "--langu", "bg"], None),  # the person's --language
        (["people", "--lang", "bg", "add"], None),  # "people" itself has no --lang
        (["--lang", "bg", "--", "--lang", "ro"], "bg"),
        (["--lang", "--", "bg"], None),  # argparse: "expected one argument"
        (["--d", "sync", "--lan", "de"], "de"),  # an ambiguous option does not end the search
    ],
)
def test_the_language_option_is_found_before_parsing(argv: list[str], expected: str | None) -> None:
    assert cli.lang_option(argv) == expected


# Pieces of command lines, put together below in every order.
PIECES = (
    ["--lang", "bg"],
    ["--lan", "ro"],
    ["--la=de"],
    ["--lang="],
    ["--langu", "en"],
    ["--demo"],
    ["--data-dir", "d"],
    ["--"],
    ["sync"],
    ["people", "add", "--given=x", "--family=y"],
)


def test_the_language_option_is_what_argparse_takes() -> None:
    """Wherever argparse accepts the line, it sets --lang to what was found before parsing."""
    parser = cli.build_parser()
    accepted = 0
    for n in range(1, 4):
        for pieces in itertools.product(PIECES, repeat=n):
            argv = [token for piece in pieces for token in piece]
            try:
                with contextlib.redirect_stderr(io.StringIO()):
                    lang = getattr(parser.parse_args(argv), "lang", None)
            except SystemExit:
                continue
            accepted += 1
            assert cli.lang_option(argv, parser) == (lang if lang in LANGUAGES else None), argv
    assert accepted > 100  # the lines argparse refuses are not all there is


def test_an_abbreviated_language_option_words_the_help() -> None:
    shown = welcome_desk("--lan", "bg", "--help", LANG="de_DE.UTF-8")
    assert shown.returncode == 0, shown.stderr
    assert shown.stdout.startswith("употреба: welcome-desk [-h]")
    assert "регистриране и търсене на лица" in shown.stdout


def test_an_abbreviated_language_option_words_the_errors() -> None:
    refused = welcome_desk("people", "import", "--la=ro", LANG="de_DE.UTF-8")
    assert refused.returncode == 2
    assert refused.stderr.startswith("utilizare: welcome-desk people import")
    assert "Aufruf" not in refused.stderr and "Fehler" not in refused.stderr


def test_without_the_option_the_users_language_applies(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in LOCALE_VARS:
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("LANG", "ro_RO.UTF-8")
    assert cli.chosen_language(cli.lang_option(["sync"])) == "ro"
    assert cli.chosen_language(cli.lang_option(["sync", "--lang", "bg"])) == "bg"


def _parsers(parser: argparse.ArgumentParser) -> Iterator[argparse.ArgumentParser]:
    yield parser
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for sub in dict.fromkeys(action.choices.values()):
                yield from _parsers(sub)


def _texts(parser: argparse.ArgumentParser) -> list[tuple[str, str]]:
    """(where, text) of every help, description and metavar a user can read, in order."""
    texts: list[tuple[str, str]] = []
    for p in _parsers(parser):
        texts.append((f"{p.prog}: description", p.description or ""))
        for action in p._actions:
            where = f"{p.prog} {'/'.join(action.option_strings) or action.dest}"
            if action.help == argparse.SUPPRESS:
                continue
            texts.append((f"{where}: help", action.help or ""))
            if isinstance(action.metavar, str):
                texts.append((f"{where}: metavar", action.metavar))
            if getattr(action.type, "__module__", None) == cli.__name__:  # named for errors
                texts.append((f"{where}: type", getattr(action.type, "__name__", "")))
            if isinstance(action, argparse._SubParsersAction):
                for choice in action._choices_actions:
                    texts.append((f"{where} {choice.dest}: help", choice.help or ""))
    return texts


def _built_in(lang: str) -> argparse.ArgumentParser:
    set_language(lang)
    return cli.build_parser()


# Words that are the same in English and the language, rightly.
SAME_AS_ENGLISH = {("de", "NAME")}


@pytest.mark.parametrize("lang", ["de", "bg", "ro"])
def test_every_help_text_and_metavar_is_translated(lang: str) -> None:
    english = _texts(_built_in("en"))
    translated = _texts(_built_in(lang))
    assert [where for where, _ in english] == [where for where, _ in translated]
    missing = [where for where, text in english if not text]
    assert missing == [], f"give these a help text (through _()): {missing}"
    untranslated = [
        (where, text)
        for (where, text), (_, theirs) in zip(english, translated, strict=True)
        if text == theirs and (lang, text) not in SAME_AS_ENGLISH
    ]
    assert untranslated == [], f"{lang}: not translated (mark with _() and translate)"


def test_every_value_is_named_in_the_users_words() -> None:
    """An option's value without a metavar shows argparse's DEST in English capitals."""
    unnamed = []
    for p in _parsers(cli.build_parser()):
        for action in p._actions:
            takes_value = action.nargs != 0 and not isinstance(
                action, (argparse._HelpAction, argparse._SubParsersAction)
            )
            shown = takes_value and action.help != argparse.SUPPRESS and action.choices is None
            if shown and not (isinstance(action.metavar, str) and action.metavar):
                unnamed.append(f"{p.prog} {'/'.join(action.option_strings) or action.dest}")
    assert unnamed == []


@pytest.mark.parametrize("lang", ["de", "bg", "ro", "en"])
def test_every_help_page_can_be_shown(lang: str) -> None:
    """A stray % in a translation would break argparse's formatting; a space in a metavar
    its usage line."""
    with argparse_in_ui_language():
        for p in _parsers(_built_in(lang)):
            page = p.format_help()
            assert page.strip()
            for action in p._actions:
                assert not isinstance(action.metavar, str) or not re.search(r"\s", action.metavar)


def _argparse_msgids() -> set[str]:
    """The strings this Python's argparse hands to gettext."""
    found: set[str] = set()
    for node in ast.walk(ast.parse(inspect.getsource(argparse))):
        if (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Name)
            and node.func.id in ("_", "ngettext")
        ):
            found.update(
                arg.value
                for arg in node.args
                if isinstance(arg, ast.Constant) and isinstance(arg.value, str)
            )
    return found


def test_our_msgids_are_the_ones_argparse_asks_for() -> None:
    """A Python whose argparse words a message differently would leave it in English."""
    assert set(ARGPARSE_MESSAGES) - _argparse_msgids() == set()
    assert {"expected %s argument", "expected %s arguments"} <= _argparse_msgids()


PERCENT = re.compile(r"%(?:\([a-z_]+\))?[sr]")


@pytest.mark.parametrize("lang", ["de", "bg", "ro", "en"])
def test_argparse_translations_keep_the_placeholders(lang: str) -> None:
    set_language(lang)
    from desktop_app.i18n.text import _

    for msgid in ARGPARSE_MESSAGES:
        assert sorted(PERCENT.findall(_(msgid))) == sorted(PERCENT.findall(msgid)), msgid
        assert _(msgid).endswith("\n") == msgid.endswith("\n")
        assert _(msgid).endswith(" ") == msgid.endswith(" ")


def _helps(parser: argparse.ArgumentParser) -> Iterator[str]:
    """Every help text of ``parser`` and its commands', their descriptions too."""
    if parser.description:
        yield parser.description
    for action in parser._actions:
        if action.help and action.help != argparse.SUPPRESS:
            yield action.help
        if isinstance(action, argparse._SubParsersAction):
            for choice in action._choices_actions:
                if choice.help:
                    yield choice.help
            for sub in action.choices.values():
                yield from _helps(sub)


def test_the_romanian_command_line_help_words_commands_in_the_singular() -> None:
    """A command's help says what it does as a command, in the imperative singular
    ("alătură-te serverului unei organizații", "afișează acest ajutor și ieși"), as the
    window's buttons; the polite plural of the window's sentences ("alăturați-vă") does not
    belong there."""
    from tests.unit.test_catalog_register import RO_POLITE

    set_language("ro")
    try:
        helps = list(_helps(cli.build_parser()))
    finally:
        set_language("en")
    assert len(helps) > 60
    polite = [h for h in helps if RO_POLITE.search(h)]
    assert polite == []
    assert "alătură-te serverului unei organizații" in helps
