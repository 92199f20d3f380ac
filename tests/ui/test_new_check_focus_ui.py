"""Where a new check opens the keyboard: at the first question the person's record did not
answer, not at the family name filled in from it (a helper tabbed through four answers given
before the first one to ask). A draft continues where it was left, a stored visit reopened and
a section gone to start at their first question."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication, QComboBox, QLineEdit
from pytestqt.qtbot import QtBot

from desktop_app.domain.person import Person, PersonDraft
from desktop_app.i18n.text import set_language
from desktop_app.ui.main_window import MainWindow
from desktop_app.ui.visits import VisitsFeature, VisitWindow
from desktop_app.usecases import people, visits
from desktop_app.usecases.accounts import Session
from tests.ui.conftest import finish_form, shown_window
from tests.unit.test_visits import full_life_situation


@pytest.fixture
def language() -> Iterator[None]:
    yield
    set_language("en")


def _register(session: Session, given: str, family: str, nationality: str, **kw: str) -> Person:
    """A person registered with name, date of birth, nationality and languages (no sex, no
    phone: the record leaves those to the check)."""
    lang = nationality.lower()
    return people.register_person(
        session.store,
        session.user,
        PersonDraft(given, family, "14.03.1985", nationality=nationality, languages=(lang,), **kw),
        confirm_duplicates=True,
    )


def _opened(qtbot: QtBot, window: MainWindow, person: Person, form: str) -> VisitWindow:
    """The check ``form`` opened for ``person`` from their page by Space on its button, at
    1366 × 768 (less the taskbar)."""
    feature: VisitsFeature = window.visits  # type: ignore[attr-defined]
    window.show_person(person.id)
    button = feature.start_button if form == "life_situation" else feature.skills_button
    button.setFocus()
    QTest.keyClick(button, Qt.Key.Key_Space)
    (win,) = feature.open_windows
    qtbot.addWidget(win)
    win.resize(1366, 728)
    win.activateWindow()
    qtbot.waitUntil(win.isActiveWindow, timeout=30_000)
    return win


def _focus_is(win: VisitWindow, path: str) -> bool:
    return QApplication.focusWidget() is win.view.input(path)


@pytest.mark.parametrize(
    ("lang", "given", "family", "nationality", "id_name", "first"),
    [
        # a name in Latin script: its "name in Latin script" is no question to ask
        ("ro", "Ion", "Popescu", "RO", "", "sex"),
        # in Cyrillic: the name as on the ID card is asked, unless the record has it
        ("bg", "Петър", "Петров", "BG", "", "name_latin"),
        ("bg", "Петър", "Петров", "BG", "Petar Petrov", "sex"),
    ],
)
def test_a_new_life_situation_check_opens_at_the_first_question_the_record_did_not_answer(
    qtbot: QtBot,
    session: Session,
    program_font: None,
    shots: Path,
    language: None,
    lang: str,
    given: str,
    family: str,
    nationality: str,
    id_name: str,
    first: str,
) -> None:
    set_language(lang)
    person = _register(session, given, family, nationality, id_document_name=id_name)
    window = shown_window(qtbot, session, 1366)
    win = _opened(qtbot, window, person, "life_situation")
    view = win.view
    assert view.current_section() == "person"
    assert _focus_is(win, first), QApplication.focusWidget()
    focused = QApplication.focusWidget()
    assert focused is not None and focused.isVisible()
    # and drawn as focused once the window is active (the combo box looked as the others)
    assert win.testAttribute(Qt.WidgetAttribute.WA_KeyboardFocusChange)
    # shown within the page, not scrolled out of sight
    page = view.pages[0]
    top = focused.mapTo(page.viewport(), focused.rect().topLeft()).y()
    assert 0 <= top < page.viewport().height()
    name = "-".join(filter(None, ("new-check", lang, id_name and "id")))
    win.grab().save(str(shots / f"{name}.png"))
    # what the record gave is answered above it
    answers = view.answers()
    assert answers["family_name"] == family and answers["date_of_birth"] == "1985-03-14"
    assert answers["nationality"] and answers["languages"] == [nationality.lower()]
    assert "sex" not in answers
    # Typing goes to the question focused: Down picks its first option.
    combo = view.input(first)
    if isinstance(combo, QComboBox):
        QTest.keyClick(combo, Qt.Key.Key_Down)
        assert view.answers()[first] == combo.itemData(1)
    else:
        assert isinstance(combo, QLineEdit)
        QTest.keyClicks(combo, "Petar Petrov")
        assert view.answers()[first] == "Petar Petrov"

    # A section gone to by the keys starts at its first question, as before.
    QTest.keyClick(view.input(first), Qt.Key.Key_PageDown, Qt.KeyboardModifier.ControlModifier)
    assert view.current_section() == "household"
    assert _focus_is(win, "partner")
    window.close()


def test_a_reopened_visit_starts_at_the_top_and_a_new_skills_check_at_the_level_to_ask(
    qtbot: QtBot, session: Session, shots: Path, language: None
) -> None:
    """A stored visit reopened to correct it starts where it always did (every question is
    answered); a new skills check at the level of the language the record gave."""
    set_language("ro")
    person = _register(session, "Ion", "Popescu", "RO")
    answers = full_life_situation() | {"family_name": "Popescu", "given_names": "Ion"}
    visit = visits.finish_visit(session.store, session.user, person.id, "life_situation", answers)
    window = shown_window(qtbot, session, 1366)
    feature: VisitsFeature = window.visits  # type: ignore[attr-defined]
    window.show_person(person.id)
    win = feature.start("life_situation", person=person, visit=visit)
    assert win is not None
    qtbot.addWidget(win)
    win.activateWindow()
    qtbot.waitUntil(win.isActiveWindow, timeout=30_000)
    assert win.view.current_section() == "person" and _focus_is(win, "family_name")
    assert finish_form(qtbot, win) is not None
    qtbot.waitUntil(lambda: not feature.open_windows)

    skills = _opened(qtbot, window, person, "skills_check")
    assert skills.view.answers()["language_levels"] == [{"language": "ro"}]
    assert _focus_is(skills, "language_levels[0].level")
    skills.grab().save(str(shots / "new-skills-check-ro.png"))
    window.close()
