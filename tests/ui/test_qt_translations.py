"""Qt's own button texts (OK, Cancel, Close, Yes, No …) follow the UI language: Qt's
translations where it ships them (de, bg), our catalogs where it does not (ro)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from PySide6.QtWidgets import QApplication, QDialogButtonBox, QMessageBox

from desktop_app.i18n.text import set_language
from desktop_app.ui.application import QtTranslations

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
        ("ro", ["OK", "Anulare", "Închide", "Salvează"]),
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
    qtbot,  # type: ignore[no-untyped-def]
) -> None:
    set_language("de")
    translations.apply("de")
    box = QDialogButtonBox(Std.Close)
    qtbot.addWidget(box)
    assert box.button(Std.Close).text() == "Schließen"
    set_language("ro")
    translations.apply("ro")
    qtbot.waitUntil(lambda: box.button(Std.Close).text() == "Închide", timeout=2000)
