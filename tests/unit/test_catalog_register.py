"""One register per kind of text in Romanian and Bulgarian.

Romanian: commands (buttons, menu items, check boxes, command-line help) are in the imperative,
2nd person singular (Salvează, Caută…); every sentence addressed to the reader (messages,
explanations, the guide) is in the polite plural (Alegeți…, dumneavoastră). The guide under
Help said "alege", "scrii", "parola ta" beside dialogs saying "Introduceți", "vă rugăm".
Bulgarian: commands are verbal nouns (Запазване, Отваряне); sentences use the formal "Вие",
capitalised (Вие, Вас, Ви, Ваш) as Bulgarian letters to one person do, in the program as in what is
written to the person (the copy of their data, their referral sheet). The program had both: "Не се
показва за вас" beside "скрито за Вас", "паролата ви" beside "работата Ви" in the same guide.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from babel.messages.pofile import read_po

from desktop_app.letters import gdpr_texts, person_data_pdf
from desktop_app.letters.texts import default_letter_texts
from desktop_app.usecases import person_data_notice
from desktop_app.usecases.accounts import Session
from desktop_app.usecases.person_data_text import TEXT_UNKNOWN

ROOT = Path(__file__).resolve().parents[2]

# Forms of the familiar "tu" that cannot be read otherwise: pronouns, and 2nd person singular
# verbs (present and imperative) of the kinds running text uses.
RO_FAMILIAR = re.compile(
    r"(?<![\w-])(tu|te|tău|ta|tale|tăi|ție|ți|îți|ești|poți|vrei|știi|introdu|alegi|scrii|"
    r"decizi|salvezi|imprimi|pleci|lași|compari|cere-l|schimb-o|blochează-l|"
    r"deschide-o|păstrează-le|elimin-o|ștergi|nu da|apasă|calculezi)(?![\w])",
    re.IGNORECASE,
)
# A polite plural: the pronoun, its clitics, or a 2nd person plural verb (-ați, -eți, -iți, -îți).
RO_POLITE = re.compile(r"dumneavoastră|(?<![\w])vă(?![\w])|-vă|\w+(ați|eți|iți|îți)(?![\w])", re.I)
# "Вие" and its forms are capitalised; lower case reads as addressing many.
BG_LOWER_VIE = re.compile(r"(?<![\w])(вие|вас|ви|вам|ваш|ваша|вашия|вашият|вашето|вашите)(?![\w])")
BG_FORMAL = re.compile(r"(?<![\w])(Вие|Вас|Ви|Ваш\w*)(?![\w])|\w+те(?![\w])")


def _catalog(lang: str) -> dict[str, list[str]]:
    with open(ROOT / "translations" / lang / "LC_MESSAGES" / "welcome_desk.po", "rb") as fh:
        catalog = read_po(fh, locale=lang)
    return {
        (m.id if isinstance(m.id, str) else m.id[0]): (
            [m.string] if isinstance(m.string, str) else list(m.string or ())
        )
        for m in catalog
        if m.id
    }


def _running_text(msgid: str) -> bool:
    """A sentence addressed to the reader, not a command: it starts with a capital letter or a
    placeholder and holds a full stop or question mark that ends a sentence. Command-line help
    ("render the main window to PNG and exit") starts in lower case and names a command."""
    return bool(re.match(r"[A-Z{“]", msgid)) and bool(re.search(r"[.?](\s|$)", msgid))


def test_romanian_running_text_uses_the_polite_plural() -> None:
    familiar = [
        (msgid, s)
        for msgid, strings in _catalog("ro").items()
        if _running_text(msgid) or msgid == "Leaving the laptop"
        for s in strings
        if RO_FAMILIAR.search(s)
    ]
    assert familiar == []


# An instruction to the reader inside English running text: a sentence that starts with a verb in
# the imperative, or a clause after a colon ("…: click Show to compute their figures.").
EN_INSTRUCTION = re.compile(
    r"(?:^|[.;?:]\s+)(?:Add|Ask|Check|Choose|Click|Close|Compare|Decide|Enter|Keep|Open|Print|"
    r"Renew|Revoke|Save|Search|Select|Take|Try|Type|Use|Wait|Write|Please)\b"
    r"|:\s+(?:click|choose|please)\b"
)
# Running text by its punctuation, but no instruction in the polite plural is wanted: a button's
# tooltip that restates it ("Ascunde avertismentul", beside "Скриване …", "… ausblenden"), a check
# box's label, and a message that says what an option does instead of asking for it.
RO_NOT_ASKED = {
    "Hide the warning for now: the status bar keeps a short note that shows it again.",
    "Import likely duplicates as well (e.g. family members sharing a phone)",
    "Nothing was imported: likely duplicates found. Use --skip-duplicates to leave them out or "
    "--force to import them as well.",
}


def test_romanian_instructions_in_running_text_are_polite() -> None:
    """ "… Decide din nou.", "apasă „Afișează” ca să calculezi …", "Caută o persoană sau
    înregistrează una nouă (Ctrl+N).": instructions in messages said in the singular of a button
    what the rest of the program's sentences ask in the polite plural ("Decideți", "apăsați")."""
    checked = 0
    wrong = []
    for msgid, strings in _catalog("ro").items():
        if not _running_text(msgid) or not EN_INSTRUCTION.search(msgid):
            continue
        if msgid in RO_NOT_ASKED:
            continue
        checked += 1
        wrong += [(msgid, s) for s in strings if not RO_POLITE.search(s)]
    assert wrong == []
    assert checked > 80


def test_romanian_commands_stay_in_the_singular() -> None:
    """The other half of the convention: a button's accessible name is a command like its text
    ("Elimină"), not the polite plural of running text."""
    ro = _catalog("ro")
    assert ro["Remove entry {n}"] == ["Elimină nr. {n}"]
    assert ro["&Save"] == ["&Salvează"]


def test_romanian_add_buttons_of_the_shipped_forms_are_commands() -> None:
    """The forms' "Add …" buttons are commands like every other button ("Adaugă o limbă"); they
    said "Adăugați o limbă", the polite plural of running text."""
    labels = re.findall(
        r'add_label:.*?ro: "([^"]+)"',
        "".join(p.read_text(encoding="utf-8") for p in (ROOT / "resources/forms").glob("*.yaml")),
    )
    assert len(labels) >= 4
    assert [s for s in labels if RO_POLITE.search(s) or not s.startswith("Adaugă ")] == []


def _addressed_to_the_person() -> dict[str, dict[str, str]]:
    """What the person reads about themselves: their data copy's sentences (from the catalog)
    and their referral sheet (from the letter texts), per language."""
    catalogs = {lang: _catalog(lang) for lang in ("ro", "bg")}
    msgids = [
        person_data_pdf.INTRO,
        gdpr_texts.LEGAL_COMPLAINT,
        TEXT_UNKNOWN,
        # What the copy tells beyond the data (Art. 15(1) GDPR)
        person_data_pdf.LOG_INTRO,
        person_data_pdf.RETENTION_DATES,
        person_data_pdf.RETENTION_EARLIER,
        person_data_pdf.LEGAL_BASIS,
        gdpr_texts.LEGAL_RIGHTS,
        # What the consent texts tell beyond the data copy's words (Art. 13 GDPR)
        gdpr_texts.ABOUT_HEADING,
        gdpr_texts.CONTROLLER,
        gdpr_texts.RIGHT_OF_ACCESS,
        gdpr_texts.WITHDRAWAL_BEFORE,
        person_data_notice.SOURCE_SELF,
        person_data_notice.SOURCE_MERGED,
        person_data_notice.SOURCE_MERGED_BY,
    ]
    texts: dict[str, dict[str, str]] = {
        lang: {msgid: catalogs[lang][msgid][0] for msgid in msgids} for lang in catalogs
    }
    letter = default_letter_texts()
    for lang in texts:
        for key, text in letter.common["client"].items():
            texts[lang][f"client.{key}"] = text.get(lang)
        for reason in letter.reasons.values():
            texts[lang][f"{reason.id}.client_purpose"] = reason.client_purpose.get(lang)
            if reason.client_purpose_children is not None:
                plural = reason.client_purpose_children.get(lang)
                texts[lang][f"{reason.id}.client_purpose_children"] = plural
    return texts


@pytest.mark.parametrize("lang", ["ro", "bg"])
def test_what_the_person_reads_is_in_the_polite_form(lang: str) -> None:
    texts = _addressed_to_the_person()[lang]
    if lang == "ro":
        wrong = {k: t for k, t in texts.items() if RO_FAMILIAR.search(t)}
    else:
        wrong = {k: t for k, t in texts.items() if BG_LOWER_VIE.search(t)}
    assert wrong == {}
    # The sentences that ask the person to do something say so politely.
    for key in (
        TEXT_UNKNOWN,
        gdpr_texts.LEGAL_COMPLAINT,
        gdpr_texts.LEGAL_RIGHTS,
        gdpr_texts.RIGHT_OF_ACCESS,
        person_data_pdf.RETENTION_EARLIER,
        "client.appointment_tip",
    ):
        assert (RO_POLITE if lang == "ro" else BG_FORMAL).search(texts[key]), (key, texts[key])


def test_bulgarian_addresses_its_reader_with_a_capital_vie_throughout() -> None:
    """The advisor's messages and the guide said "вие", "ви" in fourteen places and "Вас", "Ви"
    in five; the person's copy and the letters always capitalise. One form everywhere."""
    lower = [
        (msgid, s)
        for msgid, strings in _catalog("bg").items()
        for s in strings
        if BG_LOWER_VIE.search(s)
    ]
    assert lower == []
    capital = re.compile(r"(?<![\w])(Вие|Вас|Ви|Вам|Ваш\w*)(?![\w])")
    assert sum(bool(capital.search(s)) for strings in _catalog("bg").values() for s in strings) > 40


def test_bulgarian_commands_are_verbal_nouns() -> None:
    """A label with an access key does not start with a 2nd person singular imperative (-ай,
    -яй, -ей): "&Публикувай" stood among "&Запазване", "&Отваряне" …"""
    imperative = re.compile(r"^[\w&]*(ай|яй|ей)(?![\w])")
    wrong = [
        (msgid, s)
        for msgid, strings in _catalog("bg").items()
        if "&" in msgid
        for s in strings
        if imperative.search(s.replace("&", ""))
    ]
    assert wrong == []


def test_bulgarian_choices_side_by_side_are_both_verbal_nouns() -> None:
    """The import's two choices for likely duplicates read "Вероятните дубликати да се
    пропуснат" above "Импортиране и на вероятните дубликати …"."""
    bg = _catalog("bg")
    choices = [
        bg["Leave likely duplicates out"][0],
        bg["Import likely duplicates as well (e.g. family members sharing a phone)"][0],
    ]
    assert [c for c in choices if not re.match(r"\w+(не|ние)(?!\w)", c)] == []


def test_german_requests_say_sie_and_nothing_says_du() -> None:
    """Field messages side by side said "Bitte geben Sie eine Zahl … ein" and "Bitte das Datum
    als TT.MM.JJJJ … eingeben"; Qt's file dialog "Gehe zum übergeordneten Verzeichnis". A
    request says "Sie" (the combo box's "— bitte wählen —" is a label, not a sentence)."""
    de = _catalog("de")
    requests = [
        (msgid, s)
        for msgid, strings in de.items()
        if re.search(r"\bplease\b", msgid, re.I) and msgid != "— please choose —"
        for s in strings
    ]
    assert len(requests) > 30
    assert [(msgid, s) for msgid, s in requests if not re.search(r"\bSie\b", s)] == []
    du = re.compile(r"\b(du|dich|dir|dein\w*|gehe|wähle|klicke|gib)\b", re.I)
    assert [
        s for strings in de.values() for s in strings if du.search(s.replace("--data-dir", ""))
    ] == []


def test_romanian_report_headers_are_labels_not_commands(session: Session) -> None:
    """A column header names what is counted: alone above its column, "Acceptați" (accepted
    steps) read as the polite command "Accept!"; it is "Acceptate" beside "Propuneri". (The
    table's title keeps its participles after their noun: "Pașii următori: propuși și
    acceptați".)"""
    from desktop_app.i18n.text import gettext_in
    from desktop_app.usecases.reports import build_report, parse_period

    report = build_report(session.store, session.user, parse_period("2026-10"))
    headers = {c for table in report.tables for c in table.columns}
    assert "Accepted" in headers
    commands = [(h, gettext_in("ro", h)) for h in headers if RO_POLITE.search(gettext_in("ro", h))]
    assert commands == []


@pytest.mark.parametrize("msgid", ["not recorded", "name not recorded"])
def test_romanian_not_recorded_is_not_the_word_for_registered(msgid: str) -> None:
    """ "German: neînregistrat", "Sex / gen: neînregistrat": the Romanian for an answer left
    blank read "unregistered", beside the forms' "înregistrat" for the address registration
    (Anmeldung) and the job centre, in a person's summary an advisor acts on."""
    [text] = _catalog("ro")[msgid]
    assert "înregistr" not in text and "necompletat" in text, text


# Both endings of a word in brackets or after a slash: "е регистриран(а)", "înregistrat(ă)",
# "ein/e", "dem/der". They read as a form to fill in; a sentence can say it without them
# ("Лицето … е регистрирано", "Persoana … a fost înregistrată", "Integrationshelfer/innen, denen").
GENDER_ENDINGS = {
    "bg": re.compile(r"\w\((а|я|на|ка|ица)\)|\w/(а|на|ка)(?![\w])"),
    "ro": re.compile(r"\w\((ă|a|ul|ei|oare)\)|\w/(ă|a)(?![\w])"),
    "de": re.compile(
        r"(?<![\w])(ein/e|eine/r|einem/einer|einen/eine|dem/der|der/die|die/der|"
        r"den/die|jede/r|er/sie|sie/er|ihm/ihr|sein/ihr|seine/ihre)(?![\w])"
    ),
}


@pytest.mark.parametrize("lang", ["bg", "ro", "de"])
def test_no_sentence_gives_both_gender_endings(lang: str) -> None:
    """The status line said "Мария Георгиева е регистриран(а)." and "… a fost înregistrat(ă).";
    the German explanations of what a helper sees said "ein/e Integrationshelfer/in, dem/der
    …". The role's own name stays "Integrationshelfer/in" (the glossary's), and the words for
    the person's sex in the register dialog are no sentences."""
    wrong = [
        (msgid, s)
        for msgid, strings in _catalog(lang).items()
        for s in strings
        if GENDER_ENDINGS[lang].search(s)
    ]
    assert wrong == []
