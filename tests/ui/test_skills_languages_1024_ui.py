"""The skills check's languages at 1024 px: every entry within the page, none cut at its
right edge (the page scrolls only up and down)."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import QRect
from PySide6.QtWidgets import QComboBox
from pytestqt.qtbot import QtBot

from desktop_app.ui.form_view import CefrEditor, GroupEditor, SectionPage
from desktop_app.ui.visits import VisitWindow
from desktop_app.usecases.accounts import Session
from tests.ui.test_window_sizes_ui import _person_shown


@pytest.mark.parametrize("lang", ["bg", "ro", "de"])
def test_at_1024_px_the_language_entries_fit_the_page(
    qtbot: QtBot, session: Session, program_font: None, lang: str, shots: Path
) -> None:
    """The level's box was as wide as its longest level in both languages ("C2 – почти като
    майчин език · C2 – aproape ca limba maternă"): with the form window 1024 px wide each
    entry stood 7–16 px beyond the page's right edge, its "How assessed" box cut (the page
    does not scroll sideways). The boxes give way now, down to a few characters."""
    window, person = _person_shown(qtbot, session, lang)
    client = "ro" if lang == "bg" else "bg"
    win = VisitWindow(session, person, "skills_check", client_lang=client, parent=window)
    qtbot.addWidget(win)
    win.resize(1024, 700)
    win.show()
    qtbot.waitExposed(win)
    page = next(p for p in win.view.findChildren(SectionPage) if p.isVisible())
    group = next(e for e in page.findChildren(GroupEditor) if e.fdef.id == "language_levels")
    for _ in range(2):  # three entries: the page scrolls down, its scroll bar takes its room
        group.add.click()
    qtbot.waitUntil(lambda: page.verticalScrollBar().isVisible(), timeout=5000)
    for item in group.items:  # the longest level and way chosen, and another language
        cefr = next(e for e in item.findChildren(CefrEditor))
        for box in (cefr.level, cefr.assessed):
            longest = max(range(box.count()), key=lambda i: len(box.itemText(i)))
            box.setCurrentIndex(longest)
    language = group.items[-1].editors["language"].focus_widget()
    assert isinstance(language, QComboBox)
    language.setCurrentIndex(language.findData("other"))
    which = group.items[-1].editors["language_other"]
    qtbot.waitUntil(which.isVisible, timeout=5000)
    win.grab().save(str(shots / f"skills-languages-1024-{lang}.png"))
    assert page.horizontalScrollBar().maximum() == 0
    viewport = page.viewport().rect()
    for item in group.items:
        for cefr in item.findChildren(CefrEditor):
            for box in (cefr.level, cefr.assessed):
                where = QRect(box.mapTo(page.viewport(), box.rect().topLeft()), box.size())
                assert where.right() <= viewport.right(), (box.objectName(), where, viewport)
                assert box.width() >= box.minimumSizeHint().width()
        frame = QRect(item.mapTo(page.viewport(), item.rect().topLeft()), item.size())
        assert frame.right() <= viewport.right(), (frame, viewport)
    win.close()
