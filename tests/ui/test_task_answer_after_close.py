"""A background task that ended just before its store closed: its answer, come for a window
whose store is gone (a user switched at the lock screen as a check's take-over was stored),
raised StoreClosed inside Qt's event loop. It is dropped; a task that raised StoreClosed itself
was already told to nobody."""

from __future__ import annotations

from typing import Any

from pytestqt.qtbot import QtBot

from desktop_app.ui.tasks import TaskRunner
from desktop_app.usecases import people
from desktop_app.usecases.accounts import Session


def test_an_answer_arriving_after_its_store_closed_is_dropped(
    qtbot: QtBot, session: Session
) -> None:
    runner = TaskRunner()
    answered: list[Any] = []

    def on_done(count: int) -> None:  # as a window's callback reads the store again
        answered.append(count)
        answered.append(people.count_people(session.store))

    runner.run(lambda: people.count_people(session.store), on_done)
    assert runner.wait()  # the task's work is done; its answer waits in the event loop
    session.close()
    qtbot.waitUntil(lambda: bool(answered), timeout=5000)  # raised in the loop: a test error
    assert answered == [0]
    runner.deleteLater()
