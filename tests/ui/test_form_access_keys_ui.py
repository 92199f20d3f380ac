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
from desktop_app.ui.access_keys import (
    choose_key,
    choose_keys,
    escaped,
    key_of,
    marked,
    typable,
)
from desktop_app.ui.form_view import FormView, GroupEditor, GroupItem, MultiChoiceEditor
from tests.ui.conftest import alt_key

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
# And a fourth with a letter more, one no German keyboard types (in Bulgarian a Cyrillic one,
# typed as the program's other keys are, on a Bulgarian layout).
OXT = {"de": "Qxț", "bg": "Щюй", "ro": "Qxț", "en": "Qxț"}


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
                            "fields": [
                                {"id": "name", "type": "text", "label": RESEARCH},
                                {
                                    "id": "needs",
                                    "type": "multi_choice",
                                    "label": lab("Needs"),
                                    "options": [
                                        {"id": "school", "label": lab("School")},
                                        {"id": "doctor", "label": lab("Doctor")},
                                    ],
                                },
                            ],
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
                        {"id": "ox4", "type": "text", "label": OXT},
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
    assert isinstance(at, int)
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

    # "Qx" ("Щю") three times: two letters, the third label with a digit after it.
    assert key_of(title["ox1"].text()) and key_of(title["ox2"].text())
    assert title["ox3"].text() == OX[lang] + " (&1)"
    # "Qxț": its plain letters taken, a digit rather than "ț", which a German keyboard does
    # not type (nor does Alt+T reach it); the Bulgarian "й" is a key of the Bulgarian layout.
    assert title["ox4"].text() == ("Щю&й" if lang == "bg" else OXT[lang] + " (&2)")
    # A group's label leads to nothing (its Add has a key); a multiple choice's to its boxes.
    assert title["kids"].buddy() is None
    assert title["topics"].buddy() is topics.holder and key_of(title["topics"].text())


def test_the_keys_chosen_reach_their_controls(
    qtbot: QtBot, host: tuple[str, QWidget, FormView]
) -> None:
    _lang, window, view = host
    window.activateWindow()
    research = view.editors["research"]
    key = key_of(research.title.text())
    assert key is not None
    alt_key(window, key)
    edit = research.focus_widget()
    assert isinstance(edit, QLineEdit)
    qtbot.waitUntil(edit.hasFocus, timeout=5000)

    kids = view.editors["kids"]
    assert isinstance(kids, GroupEditor) and not kids.items
    key = key_of(kids.add.text())
    assert key is not None
    alt_key(window, key)
    qtbot.waitUntil(lambda: len(kids.items) == 1, timeout=30_000)  # Add pressed
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
        ("Über", {"b", "e", "r"}, "Ü"),  # a German keyboard's, taken when nothing else is left
        ("Cetățenie", {"c", "t"}, "e"),  # "ț" is typed on a Romanian keyboard only
        ("Cetățenie", {"c", "e", "t", "n", "i"}, "1"),  # a digit after it before "ă"
        ("Cetățenie", set("cetni1234567890"), "ă"),  # and when every digit is taken
        ("VHS курс", {"v"}, "H"),  # Latin before Cyrillic: typed on either layout
        ("Добавяне на дете", {"д", "н"}, "о"),
        ("Добавяне на дете", {"д", "н", "о", "б", "а", "в", "я", "е", "т"}, "1"),
        ("Straße", {"s", "t", "r", "a", "e"}, "1"),  # "ß" is no single key
        ("R & D", set("rd1234567890"), None),
        ("", {"1"}, "2"),
    ],
)
def test_choose_key(text: str, taken: set[str], expected: str | None) -> None:
    at = choose_key(text, taken)
    assert (at if not isinstance(at, int) else text[at]) == expected


def test_typable() -> None:
    """The keys the helpers' German keyboards type (a Cyrillic one on the Bulgarian layout the
    Bulgarian program's own keys need)."""
    assert all(map(typable, ["a", "Q", "и", "й", "ü", "Ö", "1"]))
    assert not any(map(typable, ["ă", "Î", "ș", "ț", "é", "&", " "]))


def test_marked() -> None:
    assert marked("R & D", 4) == "R && &D"
    assert marked("R & D", None) == "R && D"
    assert marked("Ox", 7) == "Ox"  # an index from another text: no key rather than a wrong one
    assert marked("R & D", "3") == "R && D (&3)"


def test_choose_keys_moves_an_earlier_key_so_that_a_later_text_gets_one() -> None:
    # Each in turn left the last of the import's fields without a key in German ("Notizen"):
    # an earlier text gives up its first choice for another of its letters instead.
    assert choose_keys(["Ab", "A"], set()) == [1, 0]  # "A&b", "&A"
    # Two letters, three texts: the third a digit after it (not a letter taken from another).
    assert choose_keys(["Ab", "A", "B"], set()) == [0, "1", 0]
    assert choose_keys(["Ab", "A"], {"b"}) == [0, "1"]  # the first keeps its key
    assert choose_keys(["Ab", "A"], set("b1234567890")) == [0, None]
    assert choose_keys([], {"a"}) == []


def _keys_of(entry: GroupItem) -> dict[str, str | None]:
    return {sub_id: key_of(e.title.text()) for sub_id, e in entry.editors.items()}


def test_the_questions_of_the_newest_entry_have_keys_of_their_own(
    qtbot: QtBot, host: tuple[str, QWidget, FormView]
) -> None:
    """An entry's questions (a child's name, its needs) were reached by Tab alone. Their keys
    are letters of the window's own, the same however many entries there are, and they are
    the newest entry's: no two entries share a key."""
    lang, window, view = host
    kids = view.editors["kids"]
    assert isinstance(kids, GroupEditor)
    window.activateWindow()
    qtbot.waitUntil(window.isActiveWindow, timeout=5000)
    first = kids.add_item()
    keys = _keys_of(first)
    assert None not in keys.values(), keys
    others = [lab.text() for lab in window.findChildren(QLabel) if lab.buddy() is not None]
    others += [b.text() for b in window.findChildren(QPushButton)]
    all_keys = [key_of(text) for text in others if key_of(text)]
    assert len(all_keys) == len(set(all_keys)), others  # none twice in the window
    for editor in first.editors.values():
        assert shown_as(editor.title.text()).startswith(editor.langs.text(editor.fdef.label))

    second = kids.add_item()
    assert _keys_of(second) == keys  # the same letters, now the newest entry's
    assert set(_keys_of(first).values()) == {None}
    assert first.editors["name"].title.text() == escaped(RESEARCH[lang])  # "&" as written
    name_key = keys["name"]
    assert name_key is not None
    qtbot.waitUntil(second.isVisible, timeout=5000)  # a layout shows what it is given later
    alt_key(window, name_key)
    qtbot.waitUntil(second.editors["name"].focus_widget().hasFocus, timeout=5000)

    kids.remove_item(second)
    assert _keys_of(first) == keys  # back with the entry left
    needs_key = keys["needs"]
    assert needs_key is not None
    alt_key(window, needs_key)
    needs = first.editors["needs"]
    assert isinstance(needs, MultiChoiceEditor)
    qtbot.waitUntil(needs.checks["school"].hasFocus, timeout=5000)
    assert needs.value() is None  # focus only, nothing ticked


def test_a_multiple_choice_questions_key_leads_to_its_first_box_without_ticking_it(
    qtbot: QtBot, host: tuple[str, QWidget, FormView]
) -> None:
    """A multiple choice's boxes were reached by Tab alone (its label had no key: a box as
    its buddy would be ticked by it)."""
    _lang, window, view = host
    topics = view.editors["topics"]
    assert isinstance(topics, MultiChoiceEditor)
    key = key_of(topics.title.text())
    assert key is not None
    window.activateWindow()
    qtbot.waitUntil(window.isActiveWindow, timeout=5000)
    alt_key(window, key)
    first, second = topics.checks.values()
    qtbot.waitUntil(first.hasFocus, timeout=5000)
    assert topics.value() is None
    # Tab goes on to the next box: the holder is no stop of its own.
    QTest.keyClick(first, Qt.Key.Key_Tab)
    qtbot.waitUntil(second.hasFocus, timeout=5000)
    QTest.keyClick(second, Qt.Key.Key_Space)
    assert topics.value() == ["other"]


@pytest.mark.parametrize(
    ("label", "typed", "reached"),
    [
        ("Cet&ățenie", Qt.Key.Key_A, False),  # a German keyboard's Alt+A
        ("Cet&ățenie", Qt.Key(ord("Ă")), True),  # a Romanian one's Alt+ă
        ("&Име", Qt.Key.Key_I, False),  # Alt+I, where the phonetic layout has "и"
        ("&Име", Qt.Key.Key_B, False),  # Alt+B, where BDS has it
        ("&Име", Qt.Key(ord("И")), True),
        ("Qx (&1)", Qt.Key.Key_1, True),
    ],
)
def test_qt_matches_a_key_by_its_own_character_only(
    qtbot: QtBot, label: str, typed: Qt.Key, reached: bool
) -> None:
    """Why a digit rather than "ă" (see access_keys._tier): Alt with the base letter does not
    reach a letter with a diacritic, nor Alt with a Latin letter a Cyrillic one."""
    window = QWidget()
    qtbot.addWidget(window)
    layout = QVBoxLayout(window)
    elsewhere, edit, title = QLineEdit(), QLineEdit(), QLabel(label)
    title.setBuddy(edit)
    for widget in (elsewhere, title, edit):
        layout.addWidget(widget)
    window.show()
    window.activateWindow()
    qtbot.waitUntil(window.isActiveWindow, timeout=5000)
    elsewhere.setFocus()
    qtbot.waitUntil(elsewhere.hasFocus, timeout=5000)
    QTest.keyClick(window, typed, Qt.KeyboardModifier.AltModifier)
    QApplication.processEvents()
    assert edit.hasFocus() is reached
