"""Enter in the people search, pressed before the search has answered (it runs on a worker):
the keyboard goes on to the first person found, not to the list shown before it."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from desktop_app.domain.person import PersonDraft
from desktop_app.usecases import audit, people
from desktop_app.usecases.accounts import Session
from tests.ui.conftest import shown_window, type_text


def _viewed(session: Session, person_id: str) -> bool:
    entries = audit.list_entries(session.store, session.user, action="view", record_id=person_id)
    return bool(entries)


@pytest.mark.parametrize(("typed", "found"), (("Раду", "Radu"), ("Petrov", None)))
def test_enter_at_once_goes_to_the_first_person_found_and_opens_no_one_else(
    qtbot: QtBot, session: Session, typed: str, found: str | None
) -> None:
    """Typed and Enter at once, the first row of the list shown before was opened: its
    person's page shown (and logged as viewed) beside the person at the desk, the name typed
    found elsewhere or not at all; with nobody found, the other person's page stayed."""
    albu, _popa, radu = (
        people.register_person(session.store, session.user, PersonDraft(given, family))
        for given, family in (("Ana", "Albu"), ("Ion", "Popa"), ("Elena", "Radu"))
    )
    window = shown_window(qtbot, session, 1024)
    window.switch_language("bg")
    qtbot.waitUntil(lambda: window.model.rowCount() == 3)
    assert window.model.entry(0).id == albu.id  # type: ignore[union-attr]
    type_text(window.search, typed)
    with qtbot.waitSignal(window.search_finished, timeout=10_000):
        qtbot.keyClick(window.search, Qt.Key.Key_Return)
    shown = window.person_page.person
    if found is None:
        assert shown is None
        assert window.focusWidget() is window.search  # to type the name again
    else:
        assert shown is not None and shown.id == radu.id
        assert window.table.currentIndex().row() == 0
        assert window.focusWidget() is window.table
        qtbot.waitUntil(lambda: _viewed(session, radu.id), timeout=10_000)
    window.recorder.wait()
    assert not _viewed(session, albu.id)
