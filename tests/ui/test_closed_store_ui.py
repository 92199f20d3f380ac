"""The window's work when its store closes (quitting, switching to a restored store): what
was typed is kept, and work still running or starting afterwards stops quietly, with no error
said and no store opened again."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtWidgets import QApplication, QMessageBox
from pytestqt.qtbot import QtBot

from desktop_app.app import _close_window_session
from desktop_app.domain.person import PersonDraft
from desktop_app.storage.db import StoreClosed
from desktop_app.ui.main_window import MainWindow
from desktop_app.ui.visits import VisitWindow
from desktop_app.usecases import people, visits
from desktop_app.usecases.accounts import Session, log_in
from desktop_app.usecases.sync_process import SyncProcess
from tests.conftest import PASSWORD
from tests.ui.test_forms_ui import choose


def _said() -> list[str]:
    return [b.text() for b in QApplication.topLevelWidgets() if isinstance(b, QMessageBox)]


def test_quitting_with_an_autosave_pending_keeps_what_was_typed_and_says_nothing(
    qtbot: QtBot, session: Session, data_dir: Path
) -> None:
    person = people.register_person(
        session.store, session.user, PersonDraft("Ion", "Popescu", "1990-01-01")
    )
    window = MainWindow(session)
    window.show()
    qtbot.waitExposed(window)
    form = VisitWindow(session, person, "skills_check", parent=window)
    form.show()
    qtbot.waitExposed(form)
    choose(form.view, "latin_literacy", "partly")
    form.save_draft()  # an autosave in flight ...
    choose(form.view, "latin_literacy", "no")  # ... and what was typed after it, pending
    assert form.dirty and form.autosave.isActive()

    # The program's exit path: the window closes, then its store.
    window.close()  # Quit, or the window's own close button: the form is still open
    _close_window_session(window)
    assert session.store.closed
    # The autosave's timer and the window's own timers may still fire: refused quietly.
    form.save_draft()
    window.tasks.wait()
    form.drafts.wait()
    QApplication.processEvents()
    QApplication.processEvents()
    assert _said() == []

    again = log_in(data_dir, "anna", PASSWORD)
    try:
        draft = visits.load_draft(again.store, again.user, person.id, "skills_check")
        assert draft is not None and draft.answers["latin_literacy"] == "no"
    finally:
        again.close()
    window.deleteLater()


def test_a_background_task_that_finds_its_store_closed_stops_without_a_word(
    qtbot: QtBot, session: Session
) -> None:
    window = MainWindow(session)
    qtbot.addWidget(window)
    window.show()
    qtbot.waitExposed(window)
    window.wait_for_background()
    session.close()
    answers: list[object] = []
    window.tasks.run(lambda: people.count_people(session.store), answers.append, answers.append)
    window.tasks.wait()
    QApplication.processEvents()
    QApplication.processEvents()
    assert answers == []  # neither a result nor a failure to show
    assert _said() == []
    # The sync's status bar: a timer's start after closing neither syncs nor raises.
    assert window.sync.start() is False  # type: ignore[attr-defined]


def test_the_sync_process_of_a_closed_store_starts_no_child_with_its_key(
    session: Session,
) -> None:
    """The window's sync process keeps the key to start its child: after the window ends it,
    or once the store is closed, a sync is refused before any child opens the store again."""
    process = SyncProcess(session.store, session.key, command=["/bin/false"])
    process.end()
    with pytest.raises(StoreClosed):
        process.sync()
    assert process.pid is None
    assert process._key == b""

    other = SyncProcess(session.store, session.key, command=["/bin/false"])
    session.close()
    with pytest.raises(StoreClosed):
        other.sync()
    assert other.pid is None
