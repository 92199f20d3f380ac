"""The main window's first seconds: list and search from the quick reader, then the store."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtWidgets import QMessageBox
from pytestqt.qtbot import QtBot
from sqlcipher3 import dbapi2 as sqlcipher

from desktop_app.domain.demo import generate_people
from desktop_app.domain.person import PersonDraft
from desktop_app.storage.quick import quick_open
from desktop_app.ui.main_window import MainWindow
from desktop_app.usecases import audit, people
from desktop_app.usecases.accounts import Session
from tests.conftest import PASSWORD
from tests.ui.conftest import type_text


def test_list_and_search_work_before_the_store_opens_then_it_takes_over(
    qtbot: QtBot, session: Session, data_dir: Path
) -> None:
    people.register_many(session.store, session.user, generate_people(300, seed=5))
    people.register_person(
        session.store,
        session.user,
        PersonDraft(given_name="Ștefan", family_name="Țăranu", date_of_birth="1979"),
    )
    quick = quick_open(data_dir, "anna", PASSWORD)
    window = MainWindow(None, quick=quick, defer_features=True)
    qtbot.addWidget(window)
    window.show()
    assert not window.has_session
    assert window.model.rowCount() == 301
    assert "301" in window.result_label.text()
    assert "Anna Schmidt" in window.status_user.text()
    assert not window.new_action.isEnabled()  # registering needs the store

    with qtbot.waitSignal(window.search_finished, timeout=30_000):
        type_text(window.search, "stefan taranu")
    assert window.model.rowCount() == 1
    entry = window.model.entry(0)
    assert entry is not None and entry.family_name == "Țăranu"

    # A person chosen before the store is open is shown (and the view logged) once it is.
    window.table.selectRow(0)
    assert window.person_page.person is None
    window.install_features()
    assert not window.features_installed  # waits for the store

    def person_views() -> int:  # the Visits and Referrals tabs log their own views too
        entries = audit.list_entries(session.store, session.user, action="view")
        return sum(e.record_kind == "person" for e in entries)

    views_before = person_views()

    with qtbot.waitSignal(window.features_ready, timeout=10000):
        window.attach_session(session)
    assert window.has_session and window.new_action.isEnabled()
    assert window.person_page.person is not None
    assert window.person_page.person.id == entry.id
    qtbot.waitUntil(lambda: person_views() == views_before + 1, timeout=30_000)  # off the UI thread

    # From now on the store answers, also for pages not read yet: the quick reader can go.
    window.close_quick_reader()
    with qtbot.waitSignal(window.search_finished, timeout=30_000):
        window.search.clear()
    assert window.model.rowCount() == 301 and window.model.entry(250) is not None
    people.register_person(
        session.store, session.user, PersonDraft(given_name="Zoya", family_name="Zlatanova")
    )
    with qtbot.waitSignal(window.search_finished, timeout=30_000):
        type_text(window.search, "zlatanova")
    assert window.model.rowCount() == 1
    window.close()


def test_the_store_taking_over_closes_the_quick_reader_and_answers_a_search_under_way(
    qtbot: QtBot, session: Session, data_dir: Path
) -> None:
    """The quick reader (opened with the key) stayed open for the whole session. It goes when
    the store takes over; a search typed just before, still reading it on a worker, is asked
    of the store again: its answer comes, and no error."""
    people.register_many(session.store, session.user, generate_people(50, seed=3))
    people.register_person(
        session.store, session.user, PersonDraft(given_name="Ștefan", family_name="Țăranu")
    )
    quick = quick_open(data_dir, "anna", PASSWORD)
    window = MainWindow(None, quick=quick, defer_features=True)
    qtbot.addWidget(window)
    window.show()
    type_text(window.search, "taranu")
    with qtbot.waitSignal(window.search_finished, timeout=30_000):
        window.search_timer.timeout.emit()  # the search under way on the quick reader …
        window.attach_session(session)  # … when the store takes over
    assert window._quick is None
    with pytest.raises(sqlcipher.ProgrammingError, match="closed"):
        quick.reader.search("taranu")
    entry = window.model.entry(0)
    assert window.model.rowCount() == 1 and entry is not None and entry.family_name == "Țăranu"
    assert not [b for b in window.findChildren(QMessageBox) if b.isVisible()]
    window.close()
