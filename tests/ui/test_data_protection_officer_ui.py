"""The data protection officer in the settings: a coordinator names them by keyboard, beside the
supervisory authority; the consent texts shown to the person then name them too (Art. 13(1)(b)
GDPR), in the consent's language, and say nothing of one while none is named."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import QSettings, Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QWidget
from pytestqt.qtbot import QtBot

from desktop_app.domain.person import Person, PersonDraft
from desktop_app.i18n.text import set_language
from desktop_app.ui.settings import SettingsDialog
from desktop_app.usecases import people
from desktop_app.usecases import settings as store_settings
from desktop_app.usecases.accounts import Session
from tests.ui.conftest import alt_key, choose_consent_language, open_consent_dialog, type_text

DPO = "Dr. Petra Schulz, datenschutz@welcome-europe.example, 0231 50-00099"
SENTENCE = {
    "bg": "С въпроси относно Вашите данни и Вашите права можете да се обърнете и към нашето "
    f"длъжностно лице по защита на данните: {DPO}.",
    "ro": "Pentru întrebări despre datele dumneavoastră și drepturile dumneavoastră vă puteți "
    f"adresa și responsabilului nostru cu protecția datelor: {DPO}.",
}


@pytest.fixture
def german() -> Iterator[None]:
    set_language("de")
    yield
    set_language("en")


def test_a_coordinator_names_the_officer_by_keyboard_in_german(
    qtbot: QtBot, session: Session, qsettings: QSettings, german: None
) -> None:
    dialog = SettingsDialog(session, qsettings)
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitExposed(dialog)
    dialog.activateWindow()
    qtbot.waitUntil(dialog.isActiveWindow, timeout=5000)
    assert dialog.dpo_label.text() == "Datenschutz&beauftragte/r (Name und Kontakt)"
    assert dialog.dpo.accessibleName() == "Datenschutzbeauftragte/r (Name und Kontakt)"
    assert dialog.dpo.placeholderText() == "Name, E-Mail oder Telefon"
    assert "leer" in dialog.dpo.accessibleDescription()
    # Alt+B: the officer's field (the authority's is Alt+D, the save button Alt+S).
    alt_key(dialog, "b")
    qtbot.waitUntil(dialog.dpo.hasFocus, timeout=5000)
    # A bell character pasted from elsewhere: said at the field, in German, nothing stored.
    type_text(dialog.dpo, "Dr. Petra Schulz")
    dialog.dpo.insert("\x07")  # as a paste puts it in (typed, Qt drops it)
    alt_key(dialog, "s")
    qtbot.waitUntil(dialog.dpo_error.isVisible, timeout=5000)
    assert dialog.dpo_error.text() == store_settings.describe(
        store_settings.data_protection_officer_error("\x07") or pytest.fail("no error")
    )
    assert "Steuerzeichen" in dialog.dpo_error.text(), dialog.dpo_error.text()
    assert store_settings.get_data_protection_officer(session.store) == ""
    # Typing again clears the message; spaces around and between are collapsed on saving.
    QTest.keyClick(dialog.dpo, Qt.Key.Key_A, Qt.KeyboardModifier.ControlModifier)
    type_text(dialog.dpo, "  " + DPO.replace(", ", ",   ") + "  ")
    assert not dialog.dpo_error.isVisible()
    with qtbot.waitSignal(dialog.saved, timeout=30_000):
        alt_key(dialog, "s")
    assert store_settings.get_data_protection_officer(session.store) == DPO
    again = SettingsDialog(session, qsettings)
    qtbot.addWidget(again)
    assert again.dpo.text() == DPO


@pytest.mark.parametrize("lang", ["de", "bg", "ro"])
def test_the_dialog_still_fits_with_the_officer_in_every_language(
    qtbot: QtBot,
    session: Session,
    qsettings: QSettings,
    lang: str,
    program_font: None,
    shots: Path,
) -> None:
    set_language(lang)
    try:
        store_settings.set_data_protection_officer(session.store, session.user, DPO)
        dialog = SettingsDialog(session, qsettings)
        qtbot.addWidget(dialog)
        dialog.show()  # at the size it opens with, not resized by the test
        qtbot.waitExposed(dialog)
        # As tall as it wants on a screen with room (offscreen: 800 px): Qt's two thirds of
        # it (533 px) cut the Romanian letterhead's second label to one line once the
        # officer's row was added.
        room = dialog.screen().availableGeometry().height() - 40
        assert dialog.height() == min(dialog.sizeHint().height(), room)
        labels = [
            *dialog.labels.values(),
            *dialog.letterhead.labels.values(),
            dialog.authority_label,
            dialog.dpo_label,
        ]
        for label in labels:
            assert label.height() >= label.heightForWidth(label.width()), label.text()
        words = dialog.dpo_label.text().replace("&", "").split()
        label = dialog.dpo_label
        assert all(label.fontMetrics().horizontalAdvance(w) < label.width() for w in words)
        assert dialog.dpo.width() == dialog.authority.width() == dialog.letterhead.name.width()
        placeholder = dialog.dpo.placeholderText()
        assert dialog.dpo.fontMetrics().horizontalAdvance(placeholder) < dialog.dpo.width() - 8
        assert dialog.height() <= 700  # as the supervisory authority's test: the smallest screen
        dialog.grab().save(str(shots / f"settings-dpo-{lang}.png"))
        dialog.resize(dialog.minimumSizeHint())
        dialog.grab().save(str(shots / f"settings-dpo-{lang}-smallest.png"))
        dialog.close()
    finally:
        set_language("en")


@pytest.fixture
def person(session: Session) -> Person:
    draft = PersonDraft("Мария", "Петрова", "1991-04-02", languages=("bg",))
    return people.register_person(session.store, session.user, draft)


def test_the_consent_texts_name_the_officer_in_the_consent_language(
    qtbot: QtBot, session: Session, person: Person, parent: QWidget, shots: Path
) -> None:
    store_settings.set_data_protection_officer(session.store, session.user, DPO)
    dialog = open_consent_dialog(qtbot, session, person, parent)
    try:
        assert SENTENCE["bg"] in dialog.texts.toPlainText()
        bar = dialog.texts.verticalScrollBar()
        bar.setValue(bar.maximum())
        dialog.grab().save(str(shots / "consent-dpo-bg.png"))
        choose_consent_language(dialog, "ro")
        shown = dialog.texts.toPlainText()
        assert SENTENCE["ro"] in shown and SENTENCE["bg"] not in shown
        # After the purposes, in "About your data", the line after who holds the data.
        lines = shown.splitlines()
        controller = next(i for i, line in enumerate(lines) if line.startswith("Operatorul "))
        assert lines[controller - 1] == "Despre datele dumneavoastră"
        assert lines[controller + 1] == SENTENCE["ro"]
    finally:
        dialog.reject()


def test_the_consent_texts_name_no_officer_while_none_is_set(
    qtbot: QtBot, session: Session, person: Person, parent: QWidget
) -> None:
    dialog = open_consent_dialog(qtbot, session, person, parent)
    try:
        for lang, officer in (("bg", "длъжностно лице"), ("ro", "responsabil")):
            choose_consent_language(dialog, lang)
            assert officer not in dialog.texts.toPlainText()
        # An officer whose contact reads like markup is shown as written.
        store_settings.set_data_protection_officer(session.store, session.user, "<b>A & B</b>")
    finally:
        dialog.reject()
    again = open_consent_dialog(qtbot, session, person, parent)
    try:
        assert "нашето длъжностно лице по защита на данните: <b>A & B</b>." in (
            again.texts.toPlainText()
        )
    finally:
        again.reject()
