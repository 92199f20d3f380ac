"""Each child's Steuer-ID in the life-situation check's children (version 10), on screen: asked
under each child in the household in the advisor's language and the person's (German UI, a
Romanian client), gone once Kindergeld is recorded as received (an answer of another section),
and stored with the child."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

from desktop_app.i18n.text import set_language
from desktop_app.ui.form_view import GroupEditor
from desktop_app.usecases.accounts import Session
from tests.ui.conftest import finish_form
from tests.ui.test_form_notices_ui import _person, _window
from tests.ui.test_forms_ui import CHECK_ANSWERS, choose

FIELD = "child_tax_id"


def test_each_childs_steuer_id_is_asked_in_both_languages_until_kindergeld_is_received(
    qtbot: QtBot, session: Session, shots: Path
) -> None:
    set_language("de")
    person = _person(session)  # speaks Romanian: her language beside the advisor's German
    win = _window(qtbot, session, person, "life_situation")
    view = win.view
    choose_client = win.client_combo
    choose_client.setCurrentIndex(choose_client.findData("ro"))
    assert choose_client.currentData() == "ro"
    children = [
        {
            "child_name": "Ioana",
            "child_birth": "2018-04-02",
            "child_lives": "with_person",
            "child_care": "school",
        },
        {
            "child_name": "Mihai",
            "child_birth": "2023",
            "child_lives": "with_person",
            "child_care": "daycare",
        },
    ]
    view.set_answers({**CHECK_ANSWERS, "children_count": 2, "children": children})
    view.show_section("household")
    group = view.editors["children"]
    assert isinstance(group, GroupEditor)
    QApplication.processEvents()
    asked = [item.editors[FIELD] for item in group.items]
    assert all(e.isVisible() for e in asked)
    assert asked[0].title.text().replace("&", "") == (
        "Steuerliche Identifikationsnummer (Steuer-ID) des Kindes vorhanden?"
    )
    assert asked[0].client_title.text() == "Are copilul număr de identificare fiscală (Steuer-ID)?"
    choose(view, f"children[0].{FIELD}", "yes")
    choose(view, f"children[1].{FIELD}", "no")
    page = view.pages[[p.section.id for p in view.pages].index("household")]
    page.ensureWidgetVisible(asked[1])
    QApplication.processEvents()
    win.grab().save(str(shots / "child-steuer-id-de-ro.png"))
    assert [c.get(FIELD) for c in view.answers()["children"]] == ["yes", "no"]

    # Kindergeld received (and not a topic): the Familienkasse has the numbers already
    view.set_answers({**view.answers(), "benefits": ["kindergeld"]})
    view.show_section("household")
    QApplication.processEvents()
    group = view.editors["children"]
    assert isinstance(group, GroupEditor)
    assert not any(item.editors[FIELD].isVisible() for item in group.items)
    view.set_answers({**view.answers(), "benefits": ["none"]})
    QApplication.processEvents()

    visit = finish_form(qtbot, win)
    assert visit is not None
    assert [c.get(FIELD) for c in visit.answers["children"]] == ["yes", "no"]
    set_language("en")
