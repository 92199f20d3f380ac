"""What the person is told of their data when consent is recorded (Art. 13 GDPR): below the
purposes, in the consent's language, who holds the data and how to reach them, how long it is
kept, the sync server once the laptop joined one, the rights by their legal names, withdrawal,
the complaint and that no decision is automated; in the data copy's own words."""

from __future__ import annotations

import io
import re
from collections.abc import Iterator
from pathlib import Path

import pypdf
import pytest
import yaml
from PySide6.QtWidgets import QComboBox, QWidget
from pytestqt.qtbot import QtBot

from desktop_app.domain.person import Person, PersonDraft
from desktop_app.domain.referral import Organisation
from desktop_app.i18n.text import gettext_in
from desktop_app.letters import gdpr_texts, person_data_pdf
from desktop_app.ui.visits import ABOUT_ANCHOR, ConsentDialog
from desktop_app.usecases import data_rights, people, reference
from desktop_app.usecases import settings as store_settings
from desktop_app.usecases import sync as sync_uc
from desktop_app.usecases.accounts import Session
from desktop_app.usecases.consent_notice import states_withdrawal
from tests.conftest import record_sharing_consent
from tests.integration.sync_harness import Laptops
from tests.ui.conftest import choose_consent_language, open_consent_dialog
from tests.unit.security.test_consent_wording import consent_data, shipped_files

ORG = Organisation(
    name="Мост – Most e.V.",
    address_lines=("Brückstraße 21", "44135 Dortmund"),
    phone="0231 47 11 00",
    email="kontakt@most.example",
    web="https://most.example",  # not a contact the text gives: the letterhead's own line
)
CONTROLLER = {
    "bg": "Администратор на Вашите данни: Мост – Most e.V. · Brückstraße 21 · 44135 Dortmund · "
    "0231 47 11 00 · kontakt@most.example",
    "ro": "Operatorul datelor dumneavoastră: Мост – Most e.V. · Brückstraße 21 · 44135 Dortmund"
    " · 0231 47 11 00 · kontakt@most.example",
}
HEADING = {"bg": "За Вашите данни", "ro": "Despre datele dumneavoastră"}
RETENTION = {
    "bg": "След 3 години без контакт ги изтриваме.",
    "ro": "După 3 ani fără contact, le ștergem.",
}
#: each right by its name in the GDPR's Bulgarian and Romanian versions (Art. 15–18, 21)
RIGHTS = {
    "bg": (
        "право на достъп",
        "право на коригиране",
        "право на изтриване",
        "право на ограничаване на обработването",
        "право на възражение",
    ),
    "ro": (
        "dreptul de acces",
        "dreptul la rectificare",
        "dreptul la ștergerea datelor",
        "dreptul la restricționarea prelucrării",
        "dreptul la opoziție",
    ),
}
WITHDRAWAL = {
    "bg": "Оттеглянето на съгласие не засяга законосъобразността на обработването преди "
    "оттеглянето",
    "ro": "Retragerea unui consimțământ nu afectează legalitatea prelucrării efectuate înainte "
    "de retragere",
}
LEGAL_BASIS = {
    "bg": "Правното основание за обработването е Вашето съгласие (чл. 6, параграф 1, буква а) от "
    "ОРЗД), а за данните за здравословното състояние — Вашето изрично съгласие (чл. 9, "
    "параграф 2, буква а) от ОРЗД).",
    "ro": "Temeiul juridic al prelucrării este consimțământul dumneavoastră (art. 6 alin. (1) "
    "lit. (a) din RGPD), iar pentru datele privind sănătatea, consimțământul dumneavoastră "
    "explicit (art. 9 alin. (2) lit. (a) din RGPD).",
}
AUTOMATED = {
    "bg": "За Вас не се вземат автоматизирани решения (чл. 22 от ОРЗД).",
    "ro": "Nu se iau decizii automatizate cu privire la dumneavoastră (art. 22 din RGPD).",
}
COMPLAINT = {
    "bg": "Имате право на жалба до надзорен орган",
    "ro": "Aveți dreptul de a depune o plângere",
}
COMPLAINT_GENERAL = {
    "bg": "по-специално в държавата членка на ЕС",
    "ro": "în special în statul membru al UE",
}
DPO = "Dr. Petra Schulz, datenschutz@most.example"
AUTHORITY = "LDI NRW, Kavalleriestraße 2-4, 40213 Düsseldorf"
COMPLAINT_NAMED = {
    "bg": f"например до компетентния за нас: {AUTHORITY}.",
    "ro": f"de exemplu la cea competentă pentru noi: {AUTHORITY}.",
}
SERVER = {
    "bg": "Лаптопите на нашия екип обменят Вашите данни чрез нашия сървър за синхронизиране.",
    "ro": "Laptopurile echipei noastre schimbă între ele datele dumneavoastră prin serverul "
    "nostru de sincronizare.",
}
#: what the consent form's own texts say of withdrawal (its note, the advice purpose)
AT_ANY_TIME = {"bg": re.compile("по всяко време"), "ro": re.compile("oricând|în orice moment")}


def _person(session: Session) -> Person:
    draft = PersonDraft("Мария", "Петрова", "1991-04-02", languages=("bg",))
    return people.register_person(session.store, session.user, draft)


@pytest.fixture
def person(session: Session) -> Person:
    return _person(session)


def _plain(text: str) -> str:
    return re.sub(r"\s+", " ", text)


def _section(dialog: ConsentDialog, lang: str) -> str:
    """The dialog's text from the heading "About your data" on (after every purpose's text)."""
    text = _plain(dialog.texts.toPlainText())
    start = text.index(HEADING[lang])
    last_purpose = dialog.definition.purposes[-1].text[lang]
    assert text.index(last_purpose) < start
    return text[start:]


@pytest.fixture
def dialog(
    qtbot: QtBot, session: Session, person: Person, parent: QWidget
) -> Iterator[ConsentDialog]:
    store_settings.set_letterhead(session.store, session.user, ORG)
    opened = open_consent_dialog(qtbot, session, person, parent)
    yield opened
    opened.reject()


def test_the_person_is_told_who_holds_their_data_for_how_long_and_their_rights(
    dialog: ConsentDialog,
) -> None:
    for lang in ("bg", "ro"):
        choose_consent_language(dialog, lang)
        section = _section(dialog, lang)
        other = "ro" if lang == "bg" else "bg"
        assert HEADING[other] not in dialog.texts.toPlainText()
        # The controller on one line, first: the rights' "the address above" is theirs.
        assert section.startswith(f"{HEADING[lang]} {CONTROLLER[lang]} ")
        assert "most.example" not in section.replace("kontakt@most.example", "")
        assert RETENTION[lang] in section
        rights = section.index(RIGHTS[lang][0])
        assert all(section.index(r) >= rights for r in RIGHTS[lang]), section
        assert WITHDRAWAL[lang] in section
        # Art. 13(1)(c): the legal basis, before what withdrawing it does not undo.
        assert section.index(LEGAL_BASIS[lang]) < section.index(WITHDRAWAL[lang])
        # Withdrawal at any time is said by the form's own texts; here only what they do not.
        assert not AT_ANY_TIME[lang].search(section)
        assert AT_ANY_TIME[lang].search(dialog.texts.toPlainText())
        # No authority set: the right in the words of Art. 77(1); no officer, no server.
        assert COMPLAINT[lang] in section and COMPLAINT_GENERAL[lang] in section
        assert AUTOMATED[lang] in section
        assert SERVER[lang] not in section
        assert ("длъжностно лице" if lang == "bg" else "responsabil") not in section


def test_the_complaint_names_the_authority_where_one_is_set(
    qtbot: QtBot, session: Session, person: Person, parent: QWidget
) -> None:
    store_settings.set_supervisory_authority(session.store, session.user, AUTHORITY)
    dialog = open_consent_dialog(qtbot, session, person, parent)
    try:
        for lang in ("bg", "ro"):
            choose_consent_language(dialog, lang)
            section = _section(dialog, lang)
            assert COMPLAINT[lang] in section and COMPLAINT_NAMED[lang] in section
            assert COMPLAINT_GENERAL[lang] not in section
    finally:
        dialog.reject()


def test_the_server_is_named_once_the_laptop_joined_one(
    qtbot: QtBot, laptops: Laptops, parent: QWidget
) -> None:
    session = laptops.account("A")
    person = _person(session)
    alone = open_consent_dialog(qtbot, session, person, parent)
    try:
        assert SERVER["bg"] not in _section(alone, "bg")
    finally:
        alone.reject()
    code = laptops.server.enroll("A", coordinator=True)
    assert sync_uc.join(session.store, laptops.url, code, "A").status == "approved"
    joined = open_consent_dialog(qtbot, session, person, parent)
    try:
        for lang in ("bg", "ro"):
            choose_consent_language(joined, lang)
            section = _section(joined, lang)
            assert _plain(gettext_in(lang, gdpr_texts.RECIPIENTS_SERVER)) in section
            assert SERVER[lang] in section
    finally:
        joined.reject()


def test_the_dialog_and_the_data_copy_say_it_in_the_same_words(
    dialog: ConsentDialog, session: Session, person: Person
) -> None:
    for lang in ("bg", "ro"):
        _json, pdf = data_rights.export_person(session.store, session.user, person.id, lang=lang)
        pages = pypdf.PdfReader(io.BytesIO(pdf)).pages
        copy = _plain(" ".join(page.extract_text() or "" for page in pages))
        choose_consent_language(dialog, lang)
        section = _section(dialog, lang)
        rights = _plain(gettext_in(lang, gdpr_texts.LEGAL_RIGHTS))
        assert rights.startswith(("Вашите права: право на коригиране", "Drepturile dumneavoastră"))
        for sentence in (rights, AUTOMATED[lang], COMPLAINT[lang], RETENTION[lang]):
            assert sentence in section and sentence in copy, sentence


@pytest.mark.parametrize("lang", ["bg", "ro"])
def test_the_section_is_read_on_a_small_screen(
    qtbot: QtBot,
    session: Session,
    person: Person,
    parent: QWidget,
    lang: str,
    program_font: None,
    shots: Path,
) -> None:
    """At its longest (an officer and an authority named), on an 800 x 600 screen."""
    store_settings.set_letterhead(session.store, session.user, ORG)
    store_settings.set_supervisory_authority(session.store, session.user, AUTHORITY)
    store_settings.set_data_protection_officer(session.store, session.user, DPO)
    dialog = open_consent_dialog(qtbot, session, person, parent)
    try:
        choose_consent_language(dialog, lang)
        dialog.resize(800, 600)
        qtbot.waitUntil(lambda: dialog.width() == 800)
        assert dialog.height() <= 600
        texts = dialog.texts
        # The texts keep a share a person can read, and scroll to the section and through it.
        assert texts.viewport().height() >= 150
        bar = texts.verticalScrollBar()
        assert bar.maximum() > 0 and bar.value() == 0
        texts.scrollToAnchor(ABOUT_ANCHOR)
        assert bar.value() > 0
        top = texts.cursorForPosition(texts.viewport().rect().topLeft()).block().text()
        assert top == HEADING[lang]
        dialog.grab().save(str(shots / f"consent-art13-{lang}-800x600.png"))
        bar.setValue(bar.maximum())
        bottom = texts.cursorForPosition(texts.viewport().rect().bottomLeft()).block().text()
        assert bottom == AUTOMATED[lang]
        dialog.grab().save(str(shots / f"consent-art13-{lang}-800x600-end.png"))
    finally:
        dialog.reject()


def test_the_texts_stay_where_they_are_read_while_answers_are_given(
    qtbot: QtBot, dialog: ConsentDialog
) -> None:
    """The advisor reads the section out and records the answers: the texts keep their place
    (they jumped back to the top at every answer), and change only with the language."""
    dialog.resize(800, 600)
    qtbot.waitUntil(lambda: dialog.width() == 800)
    bar = dialog.texts.verticalScrollBar()
    dialog.texts.scrollToAnchor(ABOUT_ANCHOR)
    read_at = bar.value()
    assert read_at > 0
    for name in ("consent_advice", "consent_central_storage"):
        combo = dialog.view.input(name)
        assert isinstance(combo, QComboBox)
        combo.setCurrentIndex(combo.findData("given"))
        assert dialog.view.answers()[name] == "given"
        assert bar.value() == read_at
    choose_consent_language(dialog, "ro")
    assert HEADING["ro"] in dialog.texts.toPlainText()
    assert HEADING["bg"] not in dialog.texts.toPlainText()


#: the right to withdraw, as the program says it where the form's texts do not (Art. 7(3) GDPR)
WITHDRAWAL_RIGHT = {
    "de": "Sie haben das Recht, Ihre Einwilligung jederzeit zu widerrufen.",
    "bg": "Имате право да оттеглите съгласието си по всяко време.",
    "ro": "Aveți dreptul să vă retrageți consimțământul în orice moment.",
    "en": "You have the right to withdraw your consent at any time.",
}
#: the sentence of the shipped advice purpose that says it, by language
ADVICE_WITHDRAWAL = {
    "de": " Ich kann diese Einwilligung jederzeit widerrufen.",
    "bg": " Мога да оттегля това съгласие по всяко време.",
    "ro": " Pot retrage oricând acest consimțământ.",
    "en": " I can withdraw this consent at any time.",
}


def _republish_without_withdrawal(session: Session) -> None:
    """A coordinator republishes the consent form: its advice purpose, and its note, no longer
    say that a consent can be withdrawn at any time."""
    data = consent_data()
    current = {p["id"]: dict(p["text"]) for p in data["purposes"]}
    for purpose in data["purposes"]:
        if purpose["id"] == "advice":
            for lang, sentence in ADVICE_WITHDRAWAL.items():
                assert sentence in purpose["text"][lang]
                purpose["text"][lang] = purpose["text"][lang].replace(sentence, "")
    data["help"] = {lang: text.split(". ")[0] + "." for lang, text in data["help"].items()}
    earlier = [{"text_version": data["text_version"], "purposes": current}, *data["earlier_texts"]]
    data.update(version=data["version"] + 1, text_version="2027-01-9", earlier_texts=earlier)
    files = shipped_files()
    files["consent.yaml"] = yaml.safe_dump(data, allow_unicode=True, sort_keys=False)
    reference.publish_forms(session.store, session.user, files)
    assert reference.forms_in_force(session.store)["consent"].text_version == "2027-01-9"


def test_the_right_to_withdraw_is_said_where_the_forms_texts_no_longer_say_it(
    qtbot: QtBot, session: Session, person: Person, parent: QWidget, shots: Path
) -> None:
    """Its "at any time" was said by the shipped purpose texts alone: republished forms without
    it dropped it silently. Now the section says it, once, in the words of the GDPR's own
    language versions; with the shipped texts it is not said twice (the first test)."""
    _republish_without_withdrawal(session)
    dialog = open_consent_dialog(qtbot, session, person, parent)
    try:
        for lang in ("bg", "ro", "de", "en"):
            choose_consent_language(dialog, lang)
            text = _plain(dialog.texts.toPlainText())
            assert text.count(WITHDRAWAL_RIGHT[lang]) == 1, text
            assert ADVICE_WITHDRAWAL[lang].strip() not in text
            if lang in WITHDRAWAL:
                section = _section(dialog, lang)
                # the right, then what withdrawing does not undo, after the legal basis
                right = section.index(WITHDRAWAL_RIGHT[lang])
                assert section.index(LEGAL_BASIS[lang]) < right < section.index(WITHDRAWAL[lang])
        choose_consent_language(dialog, "ro")
        dialog.texts.scrollToAnchor(ABOUT_ANCHOR)
        dialog.grab().save(str(shots / "consent-withdrawal-republished-ro.png"))
    finally:
        dialog.reject()
    # The person's data copy, with a consent given under the republished texts, says it too.
    record_sharing_consent(session, person.id)
    for lang in ("bg", "ro"):
        _json, pdf = data_rights.export_person(session.store, session.user, person.id, lang=lang)
        pages = pypdf.PdfReader(io.BytesIO(pdf)).pages
        copy = _plain(" ".join(page.extract_text() or "" for page in pages))
        assert AT_ANY_TIME[lang].search(copy), copy
        assert _plain(gettext_in(lang, person_data_pdf.LEGAL_BASIS)) in copy
        assert ADVICE_WITHDRAWAL[lang].strip() not in copy  # said by the program, not the form


def test_the_right_is_recognised_in_each_languages_wording() -> None:
    """Where a purpose text says it, in any of its usual wordings, it is not said again."""
    said = {
        "de": ["Ich kann diese Einwilligung jederzeit widerrufen.", "Jederzeit widerrufbar."],
        "bg": ["Мога да оттегля това съгласие по всяко време."],
        "ro": ["Pot retrage oricând acest consimțământ.", "Îl pot retrage în orice moment."],
        "en": ["I can withdraw this consent at any time.", "At any time, I may withdraw it."],
    }
    for lang, texts in said.items():
        assert all(states_withdrawal(text, lang) for text in texts), lang
        assert not states_withdrawal("Die Daten werden verschlüsselt gespeichert.", lang)
        # "at any time" of something else, in another sentence, is not it
        assert not states_withdrawal(
            {
                "de": "Ich kann jederzeit fragen. Ich kann widerrufen.",
                "bg": "Мога да питам по всяко време. Мога да оттегля.",
                "ro": "Pot întreba oricând. Pot retrage.",
                "en": "I can ask at any time. I can withdraw.",
            }[lang],
            lang,
        )
    assert not states_withdrawal("I can withdraw this consent at any time.", "tr")
