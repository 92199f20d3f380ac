"""Qt's own texts (OK, Cancel, Close, Yes, No, a text field's context menu, its file dialog …)
follow the UI language: Qt's translations where it ships them (de, bg), our catalogs where it
does not (ro, and gaps in Qt's Bulgarian); nothing is left blank."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from PySide6.QtGui import QKeySequence
from PySide6.QtWidgets import (
    QApplication,
    QDialogButtonBox,
    QFileDialog,
    QLabel,
    QLineEdit,
    QMessageBox,
    QPlainTextEdit,
    QProgressBar,
    QWidget,
)
from pytestqt.qtbot import QtBot

from desktop_app.i18n.text import set_language
from desktop_app.ui.application import QtTranslations
from desktop_app.ui.widgets import key_text

Std = QDialogButtonBox.StandardButton
Msg = QMessageBox.StandardButton


@pytest.fixture
def translations(qapp: QApplication) -> Iterator[QtTranslations]:
    installed = QtTranslations(qapp)
    yield installed
    installed.stop()
    set_language("en")


def _texts(box: QDialogButtonBox) -> list[str]:
    return [box.button(b).text() for b in (Std.Ok, Std.Cancel, Std.Close, Std.Save)]


@pytest.mark.parametrize(
    ("lang", "expected"),
    [
        ("ro", ["OK", "Anulează", "Închide", "Salvează"]),
        ("de", ["OK", "Abbrechen", "Schließen", "Speichern"]),
        ("bg", ["Добре", "Отказ", "Затваряне", "Запазване"]),
        ("en", ["OK", "Cancel", "Close", "Save"]),
    ],
)
def test_standard_buttons_speak_the_ui_language(
    translations: QtTranslations, lang: str, expected: list[str]
) -> None:
    set_language(lang)
    translations.apply(lang)
    box = QDialogButtonBox(Std.Ok | Std.Cancel | Std.Close | Std.Save)
    assert _texts(box) == expected


def test_a_message_box_asks_yes_or_no_in_romanian(translations: QtTranslations) -> None:
    set_language("ro")
    translations.apply("ro")
    box = QMessageBox(QMessageBox.Icon.Question, "", "", Msg.Yes | Msg.No)
    assert [box.button(b).text().replace("&", "") for b in (Msg.Yes, Msg.No)] == ["Da", "Nu"]


def test_an_open_dialogs_buttons_follow_a_language_switch(
    translations: QtTranslations,
    qtbot: QtBot,
) -> None:
    set_language("de")
    translations.apply("de")
    box = QDialogButtonBox(Std.Close)
    qtbot.addWidget(box)
    assert box.button(Std.Close).text() == "Schließen"
    set_language("ro")
    translations.apply("ro")
    qtbot.waitUntil(lambda: box.button(Std.Close).text() == "Închide", timeout=30_000)


def _menu_texts(widget: QWidget) -> list[str]:
    menu = widget.createStandardContextMenu()  # type: ignore[attr-defined]
    return [a.text() for a in menu.actions() if not a.isSeparator()]


def test_a_text_fields_context_menu_is_in_romanian_with_its_shortcuts(
    translations: QtTranslations,
    qtbot: QtBot,
) -> None:
    set_language("ro")
    translations.apply("ro")
    field = QLineEdit()
    qtbot.addWidget(field)
    assert _menu_texts(field) == [
        "&Anulează\tCtrl+Z",
        "&Refă\tCtrl+Y",
        "&Decupează\tCtrl+X",
        "&Copiază\tCtrl+C",
        "&Lipește\tCtrl+V",
        "Șterge",
        "Selectează tot\tCtrl+A",
    ]
    notes = QPlainTextEdit()
    qtbot.addWidget(notes)
    assert _menu_texts(notes)[3] == "&Copiază\tCtrl+C"


@pytest.mark.parametrize("lang", ["de", "bg", "ro", "en"])
def test_no_qt_text_is_left_blank(
    translations: QtTranslations,
    lang: str,
    qtbot: QtBot,
) -> None:
    """A Qt text neither Qt nor our catalogs translate stays in Qt's English (key names in
    menus, a progress bar's percentage): an empty translation would blank it."""
    set_language(lang)
    translations.apply(lang)
    keys = QKeySequence("Ctrl+Shift+F").toString(QKeySequence.SequenceFormat.NativeText)
    assert keys == ("Strg+Umschalt+F" if lang == "de" else "Ctrl+Shift+F")
    bar = QProgressBar()
    qtbot.addWidget(bar)
    bar.setValue(40)
    assert bar.text() == "40%"
    for text in _menu_texts(QLineEdit()):
        label, _tab, shortcut = text.partition("\t")
        assert label.replace("&", "").strip(), text
        assert not shortcut or len(shortcut.split("+")[0]) > 1, text


@pytest.mark.parametrize(
    ("lang", "look_in", "file_name"),
    [
        ("ro", "&Caută în:", "&Nume fișier:"),
        # Qt's Bulgarian leaves "Look in" untranslated: ours fills the gap, Qt's own wins else.
        ("bg", "&Търсене в:", "Име на &файла:"),
        ("de", "&Suchen in:", "Datei&name:"),
    ],
)
def test_qts_own_file_dialog_speaks_the_ui_language(
    translations: QtTranslations,
    lang: str,
    look_in: str,
    file_name: str,
    qtbot: QtBot,
) -> None:
    set_language(lang)
    translations.apply(lang)
    dialog = QFileDialog(None, "")
    dialog.setOption(QFileDialog.Option.DontUseNativeDialog, True)
    dialog.setAcceptMode(QFileDialog.AcceptMode.AcceptSave)
    qtbot.addWidget(dialog)
    labels = {label.text() for label in dialog.findChildren(QLabel)}
    assert {look_in, file_name} <= labels, labels


@pytest.mark.parametrize(
    ("lang", "expected"),
    [
        # Qt's own names were "Strg+Return" (German) and "Ctrl+Return" (all others).
        ("de", "Strg+Eingabe"),
        ("bg", "Ctrl+Enter"),
        ("ro", "Ctrl+Enter"),
        ("en", "Ctrl+Enter"),
    ],
)
def test_the_enter_key_has_the_name_on_the_keyboard(
    translations: QtTranslations, lang: str, expected: str
) -> None:
    set_language(lang)
    translations.apply(lang)
    assert key_text("Ctrl+Return") == expected
    assert key_text("Ctrl+Enter") == expected  # the keypad's: the same key to a user
    # Qt's own translation still names the other keys.
    page_down = {"de": "Strg+Bild abwärts"}.get(lang, "Ctrl+PgDown")
    assert key_text(QKeySequence("Ctrl+PgDown")) == page_down


def test_the_german_key_names_and_buttons_come_from_one_translator(
    translations: QtTranslations, qapp: QApplication
) -> None:
    """Ours answers before Qt's German without a second translator: each one installed makes
    every widget retranslate itself."""
    set_language("de")
    translations.apply("de")
    assert len(translations._translators) == 1
    assert QApplication.translate("QPlatformTheme", "Cancel") == "Abbrechen"
    assert QApplication.translate("QShortcut", "Return") == "Eingabe"
