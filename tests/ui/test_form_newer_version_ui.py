"""A check recorded with a newer version of the form, opened on a laptop not updated yet: the
form says quietly that what it cannot show is kept, and saving a changed answer keeps it."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from pytestqt.qtbot import QtBot

from desktop_app.i18n.text import set_language
from desktop_app.storage.visits_models import VisitRow
from desktop_app.ui.visits import VisitWindow
from desktop_app.usecases import visits
from desktop_app.usecases.accounts import Session
from tests.ui.conftest import finish_form
from tests.ui.test_forms_ui import _person
from tests.unit.test_visits import full_life_situation
from tests.unit.test_visits_newer_form import newer_visit

NOTES = {
    "de": "Dieser Check wurde mit einer neueren Version des Formulars erfasst",
    "bg": "Този преглед е записан с по-нова версия на формуляра",
}


@pytest.mark.parametrize("lang", ["de", "bg"])
def test_the_form_says_so_and_saving_keeps_what_it_cannot_show(
    qtbot: QtBot, session: Session, tmp_path: Path, lang: str
) -> None:
    set_language(lang)
    try:
        person = _person(session)
        visit = newer_visit(session, person.id)
        win = VisitWindow(session, person, "life_situation", visit=visit, client_lang="bg")
        qtbot.addWidget(win)
        win.show()
        qtbot.waitExposed(win)
        note = win.view.newer_note
        assert note.isVisible() and note.text().startswith(NOTES[lang])
        win.grab().save(str(tmp_path / f"keepanswers-newer-{lang}.png"))
        # What the form shows: the known topic ticked, no question for the newer ones.
        shown = win.view.answers()
        assert shown["topics"] == ["jobcenter"] and "school_meals" not in shown
        assert "child_allergies" not in shown["children"][0]
        win.view.set_answer("urgency", "today")
        saved = finish_form(qtbot, win)
        assert saved is not None
        with session.store.reading() as db:
            row = db.get(VisitRow, visit.id)
            assert row is not None
            answers, version = json.loads(row.answers), row.form_version
        assert answers == {**visit.answers, "urgency": "today"}
        assert version == visit.form_version
    finally:
        set_language("de")


def test_a_visit_of_this_version_has_no_note(qtbot: QtBot, session: Session) -> None:
    person = _person(session)
    visit = visits.finish_visit(
        session.store, session.user, person.id, "life_situation", full_life_situation()
    )
    win = VisitWindow(session, person, "life_situation", visit=visit)
    qtbot.addWidget(win)
    win.show()
    qtbot.waitExposed(win)
    assert not win.view.newer_note.isVisible()
