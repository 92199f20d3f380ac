"""The reason list's "please choose" entry is short, as a drop-down's placeholder is, and says
it as the rest of each catalogue does: Romanian running text (and this entry) in the polite
plural ("alegeți"), Bulgarian "изберете". Real widgets on a real store."""

from __future__ import annotations

from pathlib import Path

import pytest
from pytestqt.qtbot import QtBot

from desktop_app.i18n.text import set_language
from desktop_app.usecases.accounts import Session
from tests.ui.conftest import type_text
from tests.ui.test_referrals_ui import _open_dialog, _person, _window


@pytest.mark.parametrize(
    ("lang", "entry", "hint"),
    [
        ("ro", "— alegeți —", "Alegeți mai întâi un serviciu"),
        ("bg", "— изберете —", "Първо изберете служба"),
        ("de", "— bitte wählen —", "Wählen Sie zuerst eine Stelle"),
    ],
)
def test_the_reason_lists_choose_entry_is_short_and_polite(
    qtbot: QtBot, session: Session, tmp_path: Path, lang: str, entry: str, hint: str
) -> None:
    person = _person(session)
    set_language(lang)
    _win, feature = _window(qtbot, session, person)
    dialog = _open_dialog(feature)
    qtbot.waitExposed(dialog)
    assert dialog.reason.placeholderText() == hint
    type_text(dialog.search, "jobcenter")
    assert dialog.reason.itemText(0) == entry and dialog.reason.itemData(0) == ""
    dialog.reason.setCurrentIndex(0)  # the advisor takes the suggested reason back
    assert dialog.reason.currentText() == entry
    assert dialog.grab().save(str(tmp_path / f"refer-choose-{lang}.png"))
    dialog.reject()
