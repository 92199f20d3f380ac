"""The service directory's editor on an 800 px screen: the dialog capped to it, both columns
of fields as wide as each other, every label whole, nothing beyond the right edge."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtWidgets import QLabel, QScrollArea
from pytestqt.qtbot import QtBot

from desktop_app.i18n.text import set_language
from desktop_app.ui.directory import DirectoryDialog
from desktop_app.ui.service_editor import FRAME_ROOM
from desktop_app.usecases.accounts import Session

SCREEN_WIDTH = 800


@pytest.mark.parametrize("lang", ["bg", "ro", "de"])
def test_on_an_800_px_screen_both_columns_of_fields_share_the_room(
    qtbot: QtBot, session: Session, program_font: None, lang: str, shots: Path
) -> None:
    """The main topic's box wanted 20 characters at least: in the 780 px the dialog has there
    the first column's fields (the German name, the street, the city, the consent names)
    were left 87 px in Romanian, 113 in Bulgarian, beside 230 in the second. It gives way
    down to 10 characters now (its text ends in "…"; its open list shows each topic whole)."""
    set_language(lang)
    try:
        dialog = DirectoryDialog(session)
        qtbot.addWidget(dialog)
        dialog.show()
        qtbot.waitExposed(dialog)
        dialog.table.setCurrentCell(0, 0)
        editor = dialog.edit_selected()
        assert editor is not None
        editor.resize(SCREEN_WIDTH - FRAME_ROOM.width(), 560)  # as it opens there
        qtbot.waitExposed(editor)
        qtbot.waitUntil(lambda: editor.street.width() > 0)
        editor.grab().save(str(shots / f"service-editor-800-{lang}.png"))
        scroll = editor.findChild(QScrollArea)
        assert scroll is not None and scroll.horizontalScrollBar().maximum() == 0
        pairs = (
            (editor.texts[("name", "de")], editor.texts[("name", "bg")]),
            (editor.street, editor.postcode),
            (editor.city, editor.phone),
            (editor.consent_names, editor.main_topic),
        )
        for first, second in pairs:
            assert abs(first.width() - second.width()) <= 2, (first.width(), second.width())
            # 159 px in Romanian, 172 in Bulgarian while the label "Names on consent forms:"
            # (ro 268 px) set the width of the first column of labels: it wraps now.
            assert first.width() >= 210, first.width()
        for label in editor.findChildren(QLabel):
            if label.buddy() is not None and label.isVisible():
                assert label.width() >= label.sizeHint().width(), label.text()
                # wrapped, as tall as its lines
                assert label.height() >= label.heightForWidth(label.width()), label.text()
        editor.reject()
        dialog.reject()
    finally:
        set_language("en")
