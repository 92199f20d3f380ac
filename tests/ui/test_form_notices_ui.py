"""What a helper's keyboard walk (Romanian UI, 1366 × 768, a family of five) found in the
forms: the life-situation check says, in amber and stopping nothing, that fewer children are
entered than stated (the household not ticked complete) and that a child's daycare or school
does not fit the age; a new skills check starts with the languages of the person's record,
their levels left to ask (a stored check reopened shows its own)."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import QSize, Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication, QLineEdit
from pytestqt.qtbot import QtBot

from desktop_app.domain.person import Person, PersonDraft
from desktop_app.i18n.text import set_language
from desktop_app.ui.form_view import FormView, GroupEditor
from desktop_app.ui.visits import VisitWindow, opening_size
from desktop_app.usecases import people, visits
from desktop_app.usecases.accounts import Session
from tests.ui.conftest import finish_form
from tests.ui.test_forms_ui import CHECK_ANSWERS, choose, type_into
from tests.unit.test_visits import short_skills_check

SCREEN = QSize(1366, 768)  # the helper's laptop
FAMILY_NOTICE = {
    "ro": "Copii – declarați: 3, introduși: 1.",
    "bg": "Деца – посочени: 3, въведени: 1.",
}
AGE_NOTICE = {
    "ro": "La 6 ani sau mai mult, copilul este de vârstă școlară",
    "bg": "Дете на 6 или повече години е в училищна възраст",
}


def _shots(tmp_path: Path) -> Path:
    folder = Path(os.environ.get("WELCOME_DESK_SHOTS", tmp_path))
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def _person(session: Session, languages: tuple[str, ...] = ("ro",)) -> Person:
    return people.register_person(
        session.store,
        session.user,
        PersonDraft("Ioana", "Popescu", "1988-02-11", languages=languages),
    )


def _window(qtbot: QtBot, session: Session, person: Person, form_id: str, **kw: Any) -> VisitWindow:
    win = VisitWindow(session, person, form_id, **kw)
    qtbot.addWidget(win)
    win.resize(opening_size(SCREEN))
    win.show()
    qtbot.waitExposed(win)
    return win


def _retype(view: FormView, path: str, text: str) -> None:
    """Type ``text`` over what the answer holds (Ctrl+A, then the keys)."""
    widget = view.input(path)
    widget.setFocus()
    QTest.keyClick(widget, Qt.Key.Key_A, Qt.KeyboardModifier.ControlModifier)
    type_into(view, path, text)


def _household_row(win: VisitWindow) -> str:
    row = [p.section.id for p in win.view.pages].index("household")
    return win.view.navigator.item(row).text()


@pytest.mark.parametrize("lang", ["ro", "bg"])
def test_one_child_of_three_and_a_15_year_old_too_young_are_said_not_refused(
    qtbot: QtBot, session: Session, tmp_path: Path, lang: str
) -> None:
    set_language(lang)
    person = _person(session)
    win = _window(qtbot, session, person, "life_situation")
    view = win.view
    answers = {**CHECK_ANSWERS, "family_name": "Popescu", "given_names": "Ioana"}
    view.set_answers({**answers, "partner": "here", "household_size": 5})
    view.show_section("household")
    _retype(view, "children_count", "3")
    group = view.editors["children"]
    assert isinstance(group, GroupEditor)
    group.add.click()
    type_into(view, "children[0].child_name", "Andrei")
    type_into(view, "children[0].child_birth", "2011")  # 15 this year
    choose(view, "children[0].child_lives", "with_person")
    choose(view, "children[0].child_care", "too_young")
    care = group.items[0].editors["child_care"]
    QApplication.processEvents()
    assert group.notice.isVisible() and group.notice.text().startswith(FAMILY_NOTICE[lang])
    assert care.notice.isVisible() and care.notice.text().startswith(AGE_NOTICE[lang])
    assert not group.error.isVisible() and not care.error.isVisible()
    # every question of the household answered, and still not ticked complete
    assert _household_row(win).startswith("○") and "4/4" in _household_row(win)
    view.pages[[p.section.id for p in view.pages].index("household")].ensureWidgetVisible(
        care.notice
    )
    QApplication.processEvents()
    win.grab().save(str(_shots(tmp_path) / f"notices-household-{lang}.png"))
    choose(view, "children[0].child_care", "waiting_school")
    assert not care.notice.isVisible()
    assert group.notice.isVisible()
    # not stopped: the visit is stored with one child of three
    visit = finish_form(qtbot, win)
    assert visit is not None
    assert visit.answers["children_count"] == 3 and len(visit.answers["children"]) == 1
    set_language("en")


def test_the_notice_goes_and_the_household_is_complete_with_every_child(
    qtbot: QtBot, session: Session
) -> None:
    set_language("ro")
    win = _window(qtbot, session, _person(session), "life_situation")
    view = win.view
    child = {"child_birth": "2016", "child_lives": "with_person", "child_care": "school"}
    view.set_answers({**CHECK_ANSWERS, "children_count": 2, "children": [child]})
    group = view.editors["children"]
    assert isinstance(group, GroupEditor)
    view.show_section("household")
    QApplication.processEvents()
    assert "declarați: 2, introduși: 1" in group.notice.text()
    _retype(view, "children_count", "1")
    assert not group.notice.isVisible()
    assert _household_row(win).startswith("✓")
    win.close()
    set_language("en")


@pytest.mark.parametrize("lang", ["ro", "bg"])
def test_a_new_skills_check_starts_with_the_persons_languages(
    qtbot: QtBot, session: Session, tmp_path: Path, lang: str
) -> None:
    """Romanian and Romani (rmy in the record: the form's rom) and German; Polish has no
    option of its own: it is "other language", named in German as the job centre's letter
    quotes it. Their levels are asked: the check is not finished before, so no language is
    stored that nobody confirmed."""
    set_language(lang)
    person = _person(session, ("ro", "rmy", "pl", "de"))
    win = _window(qtbot, session, person, "skills_check")
    view = win.view
    assert view.answers()["language_levels"] == [
        {"language": "ro"},
        {"language": "rom"},
        {"language": "other", "language_other": "Polnisch"},
        {"language": "de"},
    ]
    other = view.input("language_levels[2].language_other")
    assert isinstance(other, QLineEdit) and other.isVisible() and other.text() == "Polnisch"
    assert not win.dirty  # opening is no change: no draft of it
    # the keyboard at the first level to ask, not at the language already chosen
    group = view.editors["language_levels"]
    assert isinstance(group, GroupEditor)
    win.activateWindow()
    view.focus_first()
    level = group.items[0].editors["level"].first_input()
    qtbot.waitUntil(level.hasFocus, timeout=3000)
    QApplication.processEvents()
    win.grab().save(str(_shots(tmp_path) / f"skills-languages-prefilled-{lang}.png"))
    assert finish_form(qtbot, win) is None
    assert all(item.editors["level"].error.isVisible() for item in group.items)
    win.close()
    set_language("en")


def test_a_stored_skills_check_reopened_shows_its_own_languages(
    qtbot: QtBot, session: Session
) -> None:
    set_language("ro")
    person = _person(session, ("ro", "hu"))
    answers = short_skills_check()
    visit = visits.finish_visit(session.store, session.user, person.id, "skills_check", answers)
    win = _window(qtbot, session, person, "skills_check", visit=visit)
    assert win.view.answers()["language_levels"] == answers["language_levels"]
    win.close()
    set_language("en")
