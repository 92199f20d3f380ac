"""Every message in the code has a real translation in de, bg and ro, with its placeholders."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest
from babel.messages.pofile import read_po

ROOT = Path(__file__).resolve().parents[2]
PLACEHOLDER = re.compile(r"\{[a-z_]+\}")


def _catalog(lang: str):
    with open(ROOT / "translations" / lang / "LC_MESSAGES" / "welcome_desk.po", "rb") as fh:
        return read_po(fh, locale=lang)


def _extracted(tmp_path: Path) -> set[str]:
    pot = tmp_path / "fresh.pot"
    subprocess.run(
        [
            sys.executable,
            "-m",
            "babel.messages.frontend",
            "-q",
            "extract",
            "-k",
            "N_",
            "-k",
            "Nn_:1,2",
            "-k",
            "gettext_in:2",
            "-k",
            "ngettext:1,2",
            "-o",
            str(pot),
            str(ROOT / "desktop_app"),
        ],
        check=True,
        capture_output=True,
    )
    with open(pot, "rb") as fh:
        return {m.id if isinstance(m.id, str) else m.id[0] for m in read_po(fh) if m.id}


@pytest.mark.parametrize("lang", ["de", "bg", "ro", "en"])
def test_every_message_in_the_code_is_translated(tmp_path: Path, lang: str) -> None:
    catalog = _catalog(lang)
    translated = {}
    for m in catalog:
        if not m.id:
            continue
        key = m.id if isinstance(m.id, str) else m.id[0]
        strings = [m.string] if isinstance(m.string, str) else list(m.string)
        if all(strings) and "fuzzy" not in m.flags:
            translated[key] = strings
    missing = sorted(_extracted(tmp_path) - set(translated))
    assert missing == [], f"{lang}: untranslated (run `make catalogs` and translate): {missing}"
    for key, strings in translated.items():
        for s in strings:
            assert set(PLACEHOLDER.findall(s)) == set(PLACEHOLDER.findall(key)), (lang, key, s)


# Every kind of placeholder the code fills: str.format fields (with a format spec too), and the
# %-style ones of argparse's own messages.
ANY_PLACEHOLDER = re.compile(r"\{[^{}]*\}|%\([a-z_]+\)[sdifr]|%[sdifr]")
# An access key: "&" before a character that is not another "&" ("&&" is a literal ampersand).
ACCESS_KEY = re.compile(r"(?<!&)&(?!&)")


@pytest.mark.parametrize("lang", ["de", "bg", "ro", "en"])
def test_every_entry_keeps_its_placeholders_access_key_and_line_ends(lang: str) -> None:
    """What the other test's "{name}" check left out: each placeholder as often as the msgid has
    it ("%(prog)s", "{n:,}" too), exactly one access key where the msgid has one (a lost "&"
    leaves a button without its Alt key; a doubled one shows "&" or takes two keys), no empty
    or fuzzy entry, and a trailing line break kept or left as the msgid has it."""
    wrong: list[tuple[str, str, str]] = []
    for m in _catalog(lang):
        if not m.id:
            continue
        ids = [m.id] if isinstance(m.id, str) else list(m.id)
        strings = [m.string] if isinstance(m.string, str) else list(m.string)
        if "fuzzy" in m.flags:
            wrong.append(("fuzzy", ids[0], " | ".join(strings)))
        for n, s in enumerate(strings):
            msgid = ids[min(n, len(ids) - 1)]
            if not s:
                wrong.append(("empty", msgid, s))
                continue
            if sorted(ANY_PLACEHOLDER.findall(s)) != sorted(ANY_PLACEHOLDER.findall(msgid)):
                wrong.append(("placeholders", msgid, s))
            keys = ACCESS_KEY.findall(s)
            if len(keys) != len(ACCESS_KEY.findall(msgid)) or s.count("&&") != msgid.count("&&"):
                wrong.append(("access key", msgid, s))
            if keys and not re.search(r"(?<!&)&[^&\s]", s):
                wrong.append(("access key on no letter", msgid, s))
            if s.endswith("\n") != msgid.endswith("\n"):
                wrong.append(("line end", msgid, s))
    assert wrong == []


def _words(msgid: str) -> list[str]:
    """The words of a message: its placeholders left out ("{field}, {side}: {value}" has none,
    a pattern every language may write as it is)."""
    return [w for w in re.sub(r"\{[^}]*\}", " ", msgid).split() if any(c.isalpha() for c in w)]


@pytest.mark.parametrize("lang", ["de", "bg", "ro"])
def test_translations_are_not_english_copies(lang: str) -> None:
    copies = [
        m.id
        for m in _catalog(lang)
        if isinstance(m.id, str) and len(_words(m.id)) >= 3 and m.string == m.id
    ]
    assert copies == []
    assert _words("{field}, {side}: {value}") == []
    assert _words("Sync {n} records now") == ["Sync", "records", "now"]


def test_bulgarian_is_cyrillic_and_romanian_uses_comma_below() -> None:
    bg = " ".join(m.string for m in _catalog("bg") if isinstance(m.string, str))
    assert sum("а" <= c.lower() <= "я" for c in bg) > 500
    ro = " ".join(m.string for m in _catalog("ro") if isinstance(m.string, str))
    # cedilla forms are wrong in Romanian text, capitals too ("Ştergere" beside "Ștergere")
    assert not [c for c in "şţŞŢ" if c in ro]
    assert "ș" in ro and "ț" in ro


def test_no_text_the_program_ships_uses_romanian_cedillas() -> None:
    """The letters' texts, the service directory, the districts and the forms: what the
    catalog test checks for the program's own strings (names people type may have them)."""
    shipped = [p for p in (ROOT / "resources").rglob("*") if p.suffix in {".yaml", ".yml"}]
    assert len(shipped) > 5
    cedillas = [
        (str(p.relative_to(ROOT)), n)
        for p in shipped
        for n, line in enumerate(p.read_text(encoding="utf-8").splitlines(), 1)
        if any(c in line for c in "şţŞŢ")
    ]
    assert cedillas == []


# The glossary's terms, each used throughout: a second word for the same thing made users ask
# whether it was another thing. (lang, what the English says, the term, words not to use)
TERMS = [
    ("bg", re.compile(r"\brevok", re.I), "блокир", ("отнет", "анулир")),
    ("bg", re.compile(r"\baccounts?\b", re.I), "", ("акаунт",)),
    ("de", re.compile(r"\brevok", re.I), "sperr", ("widerruf", "entzogen")),
    ("de", re.compile(r"\bcoordinator", re.I), "", ("koordinator ", "koordinatorin")),
    ("ro", re.compile(r"\brevok", re.I), "revoc", ()),
    # one word for a folder ("Dosar nou", "Alege dosarul"), one for a backup; "Folder nou de
    # date" and "copie de rezervă" stood beside them; a person's case is "caz" ("dosar" is
    # the folder)
    ("ro", re.compile(r"(?<!{)\bfolders?\b(?!})", re.I), "dosar", ("folder ", " folder")),
    ("ro", re.compile(r"\bbackups?\b", re.I), "", ("rezervă",)),
    ("ro", re.compile(r"\bperson's case\b", re.I), "caz", ()),
    # printing is "imprimare" as on the buttons (Imprimă…, Coadă de imprimare), not "tipărire"
    ("ro", re.compile(r"\bprint", re.I), "", ("tipăr",)),
    # A helper is "asistent (de integrare)" everywhere else; "ajutor" is Help.
    ("ro", re.compile(r"\bhelpers?\b", re.I), "asisten", ("ajutor",)),
    ("bg", re.compile(r"\bhelpers?\b", re.I), "помощни", ()),
    # a referral's follow-up: "Nachfassen" in its column and date, "Fällige Nachverfolgungen"
    # in the window listing them, "überfällige Nachfrage" in the report
    ("de", re.compile(r"\bfollow[- ]?ups?\b", re.I), "nachverfolg", ("nachfass", "nachfrage")),
    # Dortmund's twelve Stadtbezirke, as the report's table names them ("Stadtteil" in the guide)
    ("de", re.compile(r"\bdistricts?\b", re.I), "stadtbezirk", ("stadtteil",)),
    # the role: "Integrationshelfer/in" ("für Helfer/in freigegeben" in the access log)
    ("de", re.compile(r"\bhelpers?\b", re.I), "integrationshelfer", ()),
    # the people advised are "the person" on every screen ("Also show in the client's
    # language" beside "Language of the person's copy"); the command line's "client
    # language of the letters" is the letters' term
    ("en", re.compile(r"\bclient's\b", re.I), "", ("client",)),
    ("ro", re.compile(r"\bclient's\b", re.I), "", ("client",)),
    # one log, one name: the menu said "Protokoll der Zugriffe", its window and the person's
    # "More…" "Zugriffsprotokoll"; in English "Audit log" and "Access log"
    ("de", re.compile(r"\b(audit|access) log\b", re.I), "zugriffsprotokoll", ()),
    ("en", re.compile(r"\b(audit|access) log\b", re.I), "audit log", ("access log",)),
    ("ro", re.compile(r"\b(audit|access) log\b", re.I), "jurnal", ("de acces",)),
    # "Synchronisierung" as in "Jetzt synchronisieren" and the guide, not "Synchronisation"
    # (settings, erasure) or "Abgleich" (conflicts)
    ("de", re.compile(r"\bsync(ed|s|ing)?\b", re.I), "", ("synchronisation", "abgleich")),
    # the consent the person signs has "scrisoare de trimitere" since 2026-12-2; the access log
    # and the person's copy still said "scrisoare de recomandare", a letter of recommendation
    ("ro", re.compile(r"\breferral letters?\b", re.I), "trimitere", ("recomandare",)),
    # the advice centre is the consent's "centrul de consiliere" / "консултантският център":
    # the person's copy called it "serviciul de consiliere" / "консултантската служба" in one
    # sentence (a "serviciu" / "служба" is one of the directory's services) and "centru" in the next
    (
        "ro",
        re.compile(r"\badvice (service|centre)\b", re.I),
        "centru",
        ("serviciul de consiliere",),
    ),
    ("bg", re.compile(r"\badvice (service|centre)\b", re.I), "център", ("служба",)),
    # the glossary's German name, as the letters, forms and directory write it ("в Jobcenter")
    ("bg", re.compile(r"\bjob ?cent(re|er)", re.I), "jobcenter", ("джобцент",)),
    ("ro", re.compile(r"\bjob ?cent(re|er)", re.I), "jobcenter", ()),
]


@pytest.mark.parametrize(("lang", "english", "term", "avoid"), TERMS)
def test_the_glossary_terms_are_used_throughout(
    lang: str, english: re.Pattern[str], term: str, avoid: tuple[str, ...]
) -> None:
    """Bulgarian said "отнет достъп" for a revoked laptop where the rest of the program (the
    laptops dialog, the status bar) says "блокиран", and "акаунт" beside "профил"."""
    wrong = []
    for m in _catalog(lang):
        ids = [m.id] if isinstance(m.id, str) else list(m.id)
        strings = [m.string] if isinstance(m.string, str) else list(m.string)
        if not any(english.search(i) for i in ids if i):
            continue
        for s in strings:
            low = s.lower()
            if (term and term not in low) or any(a in low for a in avoid):
                wrong.append((ids[0], s))
    assert wrong == [], wrong


@pytest.mark.parametrize("lang", ["de", "bg", "ro"])
def test_a_sentence_keeps_its_full_stop(lang: str) -> None:
    """The directory dialog showed "Формулярите са публикувани от … на …" without the full stop
    the other languages end the sentence with."""
    wrong = [
        (m.id, s)
        for m in _catalog(lang)
        if isinstance(m.id, str) and m.id.endswith(".")
        for s in ([m.string] if isinstance(m.string, str) else list(m.string))
        if not s.endswith(".")
    ]
    assert wrong == []


@pytest.mark.parametrize("lang", ["en", "de", "bg", "ro"])
def test_no_full_stop_after_dots(lang: str) -> None:
    """ "Смяна на паролата…." read as a typo: a text ending with a menu entry's "…" ends with
    it (menu entries put into a sentence are checked where the guide and settings show them)."""
    wrong = [
        s
        for m in _catalog(lang)
        if m.id
        for s in ([m.string] if isinstance(m.string, str) else list(m.string))
        if "…." in s
    ]
    assert wrong == []


@pytest.mark.parametrize("lang", ["de", "en"])
def test_the_phone_numbers_characters_stay_on_one_line(lang: str) -> None:
    """Wrapped under the phone field (wizard, settings), "+ - / ( )" broke between "(" and
    ")": the characters are joined by no-break spaces, and wrap only as one."""
    from desktop_app.domain.validation import FieldError
    from desktop_app.i18n.messages import field_message
    from desktop_app.i18n.text import set_language

    set_language(lang)
    text = field_message(FieldError("phone", "phone_characters"))
    assert "+\u00a0-\u00a0/\u00a0(\u00a0)" in text, text
