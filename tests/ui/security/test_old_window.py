"""After "Switch user" at the lock (or a window put in another's place), the old main window
goes: its widgets, its people list and person's page, its sync, and nothing of the program
keeps the Python objects that held what it showed (``main_window.put_in_place``)."""

from __future__ import annotations

import gc
import weakref
from collections.abc import Iterator

import pytest
import shiboken6
from PySide6.QtCore import QEvent, QObject
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

from desktop_app import app as program
from desktop_app.domain.person import PersonDraft
from desktop_app.ui import main_window
from desktop_app.ui.main_window import MainWindow, window_in_use
from desktop_app.ui.people_model import PeopleTableModel
from desktop_app.ui.person_page import PersonPage
from desktop_app.ui.sync_status import SyncController
from desktop_app.usecases import people
from desktop_app.usecases.accounts import Session
from tests.integration import sync_harness
from tests.integration.sync_harness import Laptops
from tests.ui.conftest import switch_user_at_lock, type_text

# typed into the old window's search before the lock: a text found nowhere else
TYPED = "Quuxtrova Zenobia-Ilinca"


def _search(qtbot: QtBot, window: MainWindow, text: str) -> None:
    """Type ``text`` into the window's search and wait for its result."""
    type_text(window.search, text)
    qtbot.waitUntil(lambda: not window.search_timer.isActive() and not window._search_pending)


def _gone_by_now() -> None:
    """What the event loop deletes (``deleteLater``), then what only the collector frees."""
    for _ in range(2):
        QApplication.processEvents()  # (a worker's result that still refers to a window)
        QApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)
        gc.collect()


def _count_becomes(qtbot: QtBot, cls: type, expected: int) -> None:
    """Wait (5 s at most) until ``expected`` objects of ``cls`` are alive, collecting: a
    background task finishing late may hold a window a moment longer, never for good."""

    def reached() -> bool:
        _gone_by_now()
        return _alive(cls) == expected

    qtbot.waitUntil(reached, timeout=5000)


def _alive(cls: type) -> int:
    """How many objects of ``cls`` are alive (a count: a list of them, kept by the assertion,
    would hold them). Earlier tests' windows may be among them (kept by the run's freeze)."""
    return sum(isinstance(o, cls) for o in gc.get_objects())


def _main_windows_shown() -> int:
    return sum(isinstance(w, MainWindow) and w.isVisible() for w in QApplication.topLevelWidgets())


@pytest.fixture
def in_use() -> Iterator[None]:
    """The windows put in place during the test closed, their stores too, at its end."""
    yield
    window = window_in_use()
    main_window._in_use.clear()
    if window is not None and shiboken6.isValid(window):
        window.close()
        window.session.close()
        window.deleteLater()
    _gone_by_now()


def test_the_old_window_its_people_and_its_sync_are_freed_after_a_user_switch(
    qtbot: QtBot, session: Session, in_use: None
) -> None:
    people.register_person(session.store, session.user, PersonDraft("Zenobia", "Quuxtrova"))
    _gone_by_now()
    before = {cls: _alive(cls) for cls in (MainWindow, PeopleTableModel, PersonPage)}
    window = MainWindow(session)
    window.show()
    _search(qtbot, window, TYPED)
    controller = window.sync  # type: ignore[attr-defined]
    assert isinstance(controller, SyncController)
    process = controller.process
    content = window.centralWidget()
    assert content is not None
    held: dict[str, weakref.ref[QObject]] = {
        "window": weakref.ref(window),
        "people model": weakref.ref(window.model),
        "person page": weakref.ref(window.person_page),
        "sync": weakref.ref(controller),
        "lock": weakref.ref(window.locker),  # type: ignore[attr-defined]
        "content": weakref.ref(content),
    }
    del controller, content
    new = switch_user_at_lock(window)
    del window
    _count_becomes(qtbot, MainWindow, before[MainWindow] + 1)
    assert new.isVisible() and new.search.text() == ""
    assert [name for name, ref in held.items() if ref() is not None] == []
    # the new window's alone besides those alive before
    assert {cls: _alive(cls) - 1 for cls in before} == before
    # its sync process ended, for good: no second sync for the old session
    assert process.pid is None and process._ended
    assert session.store.closed
    # what the old user typed (kept by the lock to put back on unlocking) is held by nothing
    holders = [
        o
        for o in gc.get_objects()
        if any(isinstance(r, str) and r == TYPED for r in gc.get_referents(o))
    ]
    assert holders == []


def test_five_user_switches_in_a_row_leave_one_main_window(
    qtbot: QtBot, session: Session, in_use: None
) -> None:
    _gone_by_now()
    before = _alive(MainWindow)
    window = MainWindow(session)
    window.show()
    replaced = []
    for _ in range(5):
        replaced.append(weakref.ref(window))
        window = switch_user_at_lock(window)
        _count_becomes(qtbot, MainWindow, before + 1)
        assert _main_windows_shown() == 1 and window.isVisible()
    assert [ref() for ref in replaced] == [None] * 5
    assert window.isVisible() and not window.session.store.closed


def test_the_program_closes_the_store_of_the_window_switched_to_at_its_end(
    qtbot: QtBot, session: Session, in_use: None
) -> None:
    """The program's end closes the store of the window in use, not of the first one (whose
    store the switch closed already): the switched-to user's store stayed open."""
    window = MainWindow(session)
    main_window.use_window(window)
    window.show()
    new = switch_user_at_lock(window)
    new.close()
    program._close_window_session()
    assert new.session.store.closed


def test_the_window_switched_to_on_a_joined_laptop_syncs_soon(
    qtbot: QtBot, laptops: Laptops, in_use: None
) -> None:
    """As at start-up, the new user's window syncs a few seconds after it opens, not only
    when the regular timer (a minute) comes round: what the first user recorded on another
    laptop a moment ago is there when the second starts."""
    laptop = laptops.new("A", coordinator=True)
    window = MainWindow(laptop)
    window.show()
    qtbot.waitUntil(lambda: window.features_installed, timeout=10_000)
    new = switch_user_at_lock(window, sync_harness.PASSWORD)
    controller = new.sync  # type: ignore[attr-defined]
    assert isinstance(controller, SyncController)
    assert controller.interval_ms >= 60_000  # the regular timer would come a minute later
    with qtbot.waitSignal(controller.sync_finished, timeout=20_000):
        pass
