"""The visits tab on a laptop's screen, with a notice above the person's tabs: what it shows in
view without scrolling the tab, where it fits."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

from desktop_app.domain.person import PersonDraft
from desktop_app.i18n.text import set_language
from desktop_app.ui.application import QtTranslations
from desktop_app.usecases import people
from desktop_app.usecases.accounts import Session
from tests.ui.conftest import shown_window


@pytest.mark.parametrize("lang", ["bg", "de", "ro"])
@pytest.mark.parametrize("width", [1024, 1100])
def test_a_duplicates_notice_wrapping_above_the_tabs_does_not_make_the_visits_tab_scroll(
    qtbot: QtBot,
    qapp: QApplication,
    session: Session,
    program_font: None,
    lang: str,
    width: int,
    tmp_path: Path,
) -> None:
    """Desislava Ivanova registered twice (in Cyrillic here, in Latin letters on another
    laptop), no visit yet: the notice naming the other entry took four or five lines above the
    tabs, and the visits tab scrolled, its "Open / edit visit" out of sight, though the summary
    and the empty history fitted: the history asked for Qt's 192 px of any list. It is as high
    as the room the others leave now, its least height kept."""
    translations = QtTranslations(qapp)
    set_language(lang)
    translations.apply(lang)
    try:
        draft = PersonDraft("Десислава", "Иванова", "17.06.1992", nationality="BG")
        person = people.register_person(session.store, session.user, draft)
        again = PersonDraft("Desislava", "Ivanova", "17.06.1992", nationality="BG")
        people.register_person(session.store, session.user, again, confirm_duplicates=True)
        window = shown_window(qtbot, session, width)
        window.show_person(person.id)
        notice = window.duplicate_notice  # type: ignore[attr-defined]
        qtbot.waitUntil(notice.isVisible, timeout=30_000)
        tab = window.visits.tab  # type: ignore[attr-defined]
        window.person_page.tabs.setCurrentWidget(tab)
        text = notice.text
        qtbot.waitUntil(lambda: text.height() >= text.heightForWidth(text.width()))
        assert notice.height() >= 3 * notice.button.height()  # its buttons in two rows or more
        bar = tab.scroll_area.verticalScrollBar()
        qtbot.waitUntil(lambda: tab.edit_button.isVisible() and bar.maximum() == 0)
        window.grab().save(str(tmp_path / f"visits-{lang}-{width}.png"))
        tree = tab.tree
        assert tree.height() >= tree.minimumSizeHint().height()
        view = tab.scroll_area.viewport()
        bottom = tab.edit_button.mapTo(view, tab.edit_button.rect().bottomLeft()).y()
        assert bottom < view.height()  # the button in view
        window.close()
    finally:
        translations.stop()
        set_language("en")


def test_a_person_shown_while_the_window_is_hidden_gets_the_whole_height_for_the_tabs(
    qtbot: QtBot, session: Session
) -> None:
    """A person shown while the window was hidden (behind the idle lock, a sync's refresh, the
    first person of a start): the page asked whether its tabs were visible, which a hidden window's
    never are, and kept an empty filler sharing the room below the actions with them, so the
    visit list was some 60 px high above 200 px of nothing once the window showed again."""
    person = people.register_person(
        session.store, session.user, PersonDraft("Maria", "Popescu", "12.04.1990")
    )
    window = shown_window(qtbot, session, 1100)
    window.hide()
    window.show_person(person.id)
    window.show()
    qtbot.waitExposed(window)
    page = window.person_page
    qtbot.waitUntil(page.tabs.isVisible)
    layout = page.layout()
    assert layout is not None
    margin = layout.contentsMargins().bottom()
    qtbot.waitUntil(lambda: page.tabs.geometry().bottom() >= page.height() - margin - 2)
    window.close()
