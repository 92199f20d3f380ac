"""The audit log's person filter follows the name field: a name edited after a person was
chosen is no longer that person's, so their filter goes at once (the id field with it) and
the log never lists one person's entries under another's name. Real widgets on a real store."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from pytestqt.qtbot import QtBot

from desktop_app.usecases.accounts import Session
from tests.ui.conftest import completer_popup, type_text
from tests.ui.test_audit_person_ui import _choose, _people, _record_ids, _window


def test_typing_another_name_drops_the_chosen_persons_filter_at_once(
    qtbot: QtBot, session: Session, tmp_path: Path
) -> None:
    ivan, ana = _people(session)
    window = _window(qtbot, session)
    window.activateWindow()
    qtbot.waitUntil(window.isActiveWindow)
    QTest.keyClick(window, Qt.Key.Key_N, Qt.KeyboardModifier.AltModifier)
    qtbot.waitUntil(window.person.hasFocus)
    _choose(qtbot, window, "Petrov")
    assert (window.record.text(), _record_ids(window)) == (ivan.id, {ivan.id})

    # Ivan's name selected and "Pop" typed over it: not Ivan's log under Ana's name.
    window.person.setFocus()
    window.person.selectAll()
    type_text(window.person, "P")
    assert window.record.text() == ""
    assert _record_ids(window) >= {ivan.id, ana.id}  # the whole log until Ana is chosen
    type_text(window.person, "op")
    popup = completer_popup(window.person.finder)
    qtbot.waitUntil(popup.isVisible)
    window.grab().save(str(tmp_path / "audit-typing-another-name.png"))
    QTest.keyClick(popup, Qt.Key.Key_Down)
    QTest.keyClick(popup, Qt.Key.Key_Return)
    assert (window.person.text(), window.record.text()) == ("Pop, Ana (2 Jul 1991)", ana.id)
    assert _record_ids(window) == {ana.id}

    # One letter taken off the chosen name: no longer Ana's filter either; Enter on the one
    # match sets it again.
    window.person.setFocus()
    window.person.end(False)
    QTest.keyClick(window.person, Qt.Key.Key_Backspace)
    assert window.record.text() == "" and _record_ids(window) >= {ivan.id, ana.id}
    window.person.clear()
    type_text(window.person, "Pop")
    QTest.keyClick(window.person, Qt.Key.Key_Return)
    assert (window.record.text(), _record_ids(window)) == (ana.id, {ana.id})


def test_an_id_typed_after_a_name_was_chosen_takes_the_name_away(
    qtbot: QtBot, session: Session
) -> None:
    _ivan, ana = _people(session)
    window = _window(qtbot, session)
    _choose(qtbot, window, "Petrov")
    window.record.selectAll()
    type_text(window.record, ana.id)
    QTest.keyClick(window.record, Qt.Key.Key_Return)
    assert window.person.text() == "" and _record_ids(window) == {ana.id}
