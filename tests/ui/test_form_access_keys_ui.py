"""A form definition marks no access keys (coordinators write its labels in four languages and
publish them): the view chooses them, letters the window does not use, for the Add buttons and
the questions' labels; a label's own "&" is shown as written; with every letter taken a label
goes without a key. The shipped forms are swept by test_access_keys_ui."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication, QLabel, QLineEdit, QPushButton, QVBoxLayout, QWidget
from pytestqt.qtbot import QtBot

from desktop_app.forms.definition import form_from_mapping
from desktop_app.i18n.text import set_language
from desktop_app.ui.access_keys import choose_key, choose_keys, key_of, marked
from desktop_app.ui.form_view import FormView, GroupEditor, MultiChoiceEditor

LANGS = ("en", "de", "bg", "ro")

KIDS_ADD = {
    "de": "Kind & Jugendliche hinzufügen",
    "bg": "Добавяне на дете & младеж",
    "ro": "Adaugă copil & tânăr",
    "en": "Add child & youth",
}
RESEARCH = {
    "de": "Forschung & Entwicklung",
    "bg": "Наука & развитие",
    "ro": "Cercetare & dezvoltare",
    "en": "Research & development",
}
# Two letters no other text here takes, for three labels: the third finds both taken.
OX = {"de": "Qx", "bg": "Щю", "ro": "Qx", "en": "Qx"}


def lab(text: str) -> dict[str, str]:
    return {lang: text for lang in LANGS}


def definition() -> Any:
    return form_from_mapping(
        {
            "id": "keys",
            "version": 1,
            "title": lab("Keys"),
            "sections": [
                {
                    "id": "main",
                    "label": lab("Main"),
                    "fields": [
                        {
                            "id": "kids",
                            "type": "group",
                            "label": lab("Kids"),
                            "add_label": KIDS_ADD,
                            "fields": [{"id": "name", "type": "text", "label": RESEARCH}],
                        },
                        {
                            "id": "langs",
                            "type": "group",
                            "label": lab("Languages"),
                            "add_label": {
                                "de": "Sprache hinzufügen",
                                "bg": "Добавяне на език",
                                "ro": "Adaugă o limbă",
                                "en": "Add a language",
                            },
                            "fields": [{"id": "lang", "type": "text", "label": lab("Language")}],
                        },
                        {"id": "research", "type": "text", "label": RESEARCH},
                        {"id": "ox1", "type": "text", "label": OX},
                        {"id": "ox2", "type": "integer", "label": OX},
                        {"id": "ox3", "type": "multiline", "label": OX},
                        {
                            "id": "topics",
                            "type": "multi_choice",
                            "label": lab("Topics"),
                            "options": [
                                {"id": "rd", "label": RESEARCH},
                                {"id": "other", "label": lab("Other")},
                            ],
                        },
                    ],
                }
            ],
        }
    )


def shown_as(text: str) -> str:
    """What Qt shows for a text that marks a key: the mark gone, "&&" as "&"."""
    return text.replace("&&", "\0").replace("&", "").replace("\0", "&")


def _first_choice(view: FormView, lang: str) -> int:
    """Where the first Add's key goes beside Back and Next alone."""
    taken = {key_of(view.back_button.text()), key_of(view.next_button.text())}
    at = choose_key(KIDS_ADD[lang], {key for key in taken if key})
    assert at is not None
    return at


@pytest.fixture(params=LANGS)
def host(request: pytest.FixtureRequest, qtbot: QtBot) -> Iterator[tuple[str, QWidget, FormView]]:
    """The form in a window that names a button of its own after the view was built, with
    the letter the first Add would take as its key: the view must leave it to the button."""
    lang = request.param
    set_language(lang)
    try:
        window = QWidget()
        qtbot.addWidget(window)
        view = FormView(definition())
        layout = QVBoxLayout(window)
        layout.addWidget(view)
        layout.addWidget(QPushButton(marked(KIDS_ADD[lang], _first_choice(view, lang))))
        window.resize(900, 900)
        window.show()
        qtbot.waitExposed(window)
        yield lang, window, view
    finally:
        set_language("en")


def test_every_text_of_the_definition_gets_a_key_of_its_own_or_none_when_all_are_taken(
    host: tuple[str, QWidget, FormView],
) -> None:
    lang, window, view = host
    kids, langs = view.editors["kids"], view.editors["langs"]
    assert isinstance(kids, GroupEditor) and isinstance(langs, GroupEditor)
    title = {field_id: view.editors[field_id].title for field_id in view.editors}

    # Each key once in the window: the view's, the window's own button, Back and Next.
    keyed = [b.text() for b in window.findChildren(QPushButton) if b.isVisibleTo(window)]
    keyed += [lab.text() for lab in window.findChildren(QLabel) if lab.buddy() is not None]
    keys = [key_of(text) for text in keyed if key_of(text)]
    assert len(keys) == len(set(keys)), keyed
    assert key_of(kids.add.text()) not in {
        None,
        KIDS_ADD[lang][_first_choice(view, lang)].casefold(),
    }
    assert key_of(langs.add.text()) is not None
    assert key_of(title["research"].text()) is not None

    # A label's own "&" shown as written, the key marked beside it.
    assert shown_as(kids.add.text()) == KIDS_ADD[lang]
    assert shown_as(title["research"].text()) == RESEARCH[lang]
    topics = view.editors["topics"]
    assert isinstance(topics, MultiChoiceEditor)
    assert shown_as(topics.checks["rd"].text()) == RESEARCH[lang]
    assert key_of(topics.checks["rd"].text()) is None
    # An entry's question is repeated in every entry: no key, no buddy, its "&" as written.
    entry = kids.add_item()
    sub = entry.editors["name"].title
    assert sub.buddy() is None and sub.text() == RESEARCH[lang]

    # "Qx" ("Щю") three times: two letters, the third label without a key, as written.
    assert key_of(title["ox1"].text()) and key_of(title["ox2"].text())
    assert title["ox3"].text() == OX[lang]
    # A group's label and a multiple choice's lead to a button: no buddy, no key.
    assert title["kids"].buddy() is None and title["topics"].buddy() is None


def _alt(window: QWidget, key: str) -> None:
    """Alt+``key`` as the keyboard sends it (Qt's key code of a letter: its capital's)."""
    QTest.keyClick(window, Qt.Key(ord(key.upper())), Qt.KeyboardModifier.AltModifier)


def test_the_keys_chosen_reach_their_controls(
    qtbot: QtBot, host: tuple[str, QWidget, FormView]
) -> None:
    _lang, window, view = host
    window.activateWindow()
    research = view.editors["research"]
    key = key_of(research.title.text())
    assert key is not None
    _alt(window, key)
    edit = research.focus_widget()
    assert isinstance(edit, QLineEdit)
    qtbot.waitUntil(edit.hasFocus, timeout=5000)

    kids = view.editors["kids"]
    assert isinstance(kids, GroupEditor) and not kids.items
    key = key_of(kids.add.text())
    assert key is not None
    _alt(window, key)
    qtbot.waitUntil(lambda: len(kids.items) == 1, timeout=5000)  # Add pressed
    QApplication.processEvents()


def test_keys_are_chosen_anew_for_another_language(qtbot: QtBot) -> None:
    """A label's key is a letter of its text in the language shown, not the earlier one's."""
    set_language("en")
    try:
        view = FormView(definition())
        qtbot.addWidget(view)
        before = view.editors["research"].title.text()
        set_language("bg")
        view.retranslate()
        after = view.editors["research"].title.text()
        assert shown_as(after) == RESEARCH["bg"] and key_of(after)
        assert key_of(after) != key_of(before)
    finally:
        set_language("en")


@pytest.mark.parametrize(
    ("text", "taken", "expected"),
    [
        ("Add a child", set(), "A"),
        ("Add a child", {"a"}, "c"),  # word starts first
        ("Add a child", {"a", "c"}, "d"),  # then any letter
        ("Über uns", {"n"}, "u"),  # a plain letter before one with a diacritic
        ("Über", {"b", "e", "r"}, "Ü"),  # which is taken when nothing else is left
        ("Straße", {"s", "t", "r", "a", "e"}, None),  # "ß" is no single key
        ("Добавяне на дете", {"д", "н"}, "о"),
        ("R & D", {"r", "d"}, None),
        ("", set(), None),
    ],
)
def test_choose_key(text: str, taken: set[str], expected: str | None) -> None:
    at = choose_key(text, taken)
    assert (None if at is None else text[at]) == expected


def test_marked() -> None:
    assert marked("R & D", 4) == "R && &D"
    assert marked("R & D", None) == "R && D"
    assert marked("Ox", 7) == "Ox"  # an index from another text: no key rather than a wrong one


def test_choose_keys_moves_an_earlier_key_so_that_a_later_text_gets_one() -> None:
    # Each in turn left the last of the import's fields without a key in German ("Notizen"):
    # an earlier text gives up its first choice for another of its letters instead.
    assert choose_keys(["Ab", "A"], set()) == [1, 0]  # "A&b", "&A"
    assert choose_keys(["Ab", "A", "B"], set()).count(None) == 1  # two letters, three texts
    assert choose_keys(["Ab", "A"], {"b"}) == [0, None]  # the first keeps its key
    assert choose_keys([], {"a"}) == []
