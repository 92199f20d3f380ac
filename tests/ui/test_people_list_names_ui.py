"""The people list at a laptop's widths: the names in view whole, never scrolled sideways."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import QSize, Qt
from pytestqt.qtbot import QtBot

from desktop_app.domain.person import PersonDraft
from desktop_app.i18n.text import set_language
from desktop_app.ui.people_model import NAME_COLUMNS
from desktop_app.usecases import people
from desktop_app.usecases.accounts import Session
from tests.ui.conftest import shown_whole, shown_window

# Long names as they come: double family names, double given names, in both scripts.
LONG_NAMES = (
    ("Десислава", "Христозова-Иванова", "1992-06-17", "+359 88 123 4567"),
    ("Ștefania-Alexandra", "Popa", "1988-02-03", "0176 1234567"),
    ("Мария-Магдалена", "Петрова", "1979-11-20", ""),
    ("Ion", "Dumitrescu-Popescu", "2001-04-09", "0157 3344556"),
)


@pytest.mark.parametrize("lang", ["bg", "ro", "de"])
@pytest.mark.parametrize("width", [1024, 1100])
def test_at_a_laptops_width_the_long_names_in_view_are_whole(
    qtbot: QtBot, session: Session, program_font: None, lang: str, width: int, tmp_path: Path
) -> None:
    """At 1100 px the two name columns were stretched alike, some 120 px each in Bulgarian:
    "Христозова-Ив…" and "Dumitrescu-Pop…" were cut beside short given names ("Ion") with
    room to spare, and "Ștefania-Alexan…" beside "Popa". The name columns are as wide as the
    names in view want now, the others giving up their headers' room first; nothing scrolls
    sideways. At 1024 px the list has too little room for the longest of them, which keep
    their whole text in their tooltips."""
    set_language(lang)
    try:
        for given, family, born, phone in LONG_NAMES:
            people.register_person(
                session.store,
                session.user,
                PersonDraft(given, family, born, nationality="BG", phone=phone),
            )
        window = shown_window(qtbot, session, width)
        window.resize(QSize(width, 700))
        table, model = window.table, window.model
        qtbot.waitUntil(lambda: model.rowCount() == len(LONG_NAMES), timeout=10_000)

        def names_whole() -> None:
            assert table.horizontalScrollBar().maximum() == 0
            columns = range(model.columnCount())
            assert sum(table.columnWidth(c) for c in columns) <= table.viewport().width()
            for row in range(model.rowCount()):
                for column in NAME_COLUMNS:
                    index = model.index(row, column)
                    text = model.data(index)
                    assert model.data(index, Qt.ItemDataRole.ToolTipRole) == text
                    if width >= 1100:  # narrower, the longest may be elided (its tooltip)
                        shown = shown_whole(table, text, table.columnWidth(column))
                        assert shown, (text, table.columnWidth(column))

        qtbot.waitUntil(names_whole, timeout=10_000)
        window.grab().save(str(tmp_path / f"people-{lang}-{width}.png"))
        # and found by a search, the result's names as whole
        window.search.setText("Христозова")
        qtbot.waitUntil(lambda: model.rowCount() == 1, timeout=10_000)
        qtbot.waitUntil(names_whole, timeout=10_000)
        window.close()
    finally:
        set_language("en")
