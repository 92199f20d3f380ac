"""A new laptop's first sync in the window: while the team's records arrive, an empty list or
search says so (not "0 people registered"), and registering someone asks once whether to wait
for them. A real server on 127.0.0.1, a pull of several pages, the sync's own progress."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QMessageBox
from pytestqt.qtbot import QtBot

from desktop_app.domain.person import PersonDraft
from desktop_app.i18n.text import set_language
from desktop_app.ui.main_window import MainWindow
from desktop_app.ui.person_dialog import RegisterPersonDialog
from desktop_app.usecases import people
from desktop_app.usecases import sync as sync_uc
from desktop_app.usecases.accounts import Session
from tests.integration.sync_harness import Laptops
from tests.ui.conftest import shown_window, type_text

QUESTION = (
    "This laptop is receiving the team's records for the first time. The person may have been "
    "registered on another laptop already and be among them. Wait until the sync has finished "
    "and search for them then, or register them anyway."
)


def _list_arriving(percent: int | None) -> str:
    shown = "" if percent is None else f" ({percent}%)"
    return (
        f"Nobody registered here yet: the team's records are still arriving{shown}. The list "
        "fills in when the sync has finished."
    )


def _search_arriving(percent: int) -> str:
    return (
        f"Nobody found yet: the team's records are still arriving ({percent}%). The search runs "
        "again when the sync has finished."
    )


def _register_dialogs(window: MainWindow) -> list[RegisterPersonDialog]:
    return [d for d in window.findChildren(RegisterPersonDialog) if d.isVisible()]


def _a_team_of_301(laptops: Laptops) -> None:
    """The organisation's first laptop, with more than a page of records for the next to
    receive (people, audit entries): 300 Popescu, and Elena Radu among the last."""
    a = laptops.new("A")
    for i in range(300):
        people.register_person(a.store, a.user, PersonDraft(f"Ion{i}", "Popescu"))
    people.register_person(a.store, a.user, PersonDraft("Elena", "Radu"))
    sync_uc.sync_now(a.store)


def test_a_new_laptop_says_the_teams_records_are_arriving_and_asks_before_registering(
    qtbot: QtBot, laptops: Laptops
) -> None:
    _a_team_of_301(laptops)
    b = laptops.new("B")
    assert sync_uc.first_sync_due(b.store)
    window = shown_window(qtbot, b)
    controller = window.sync  # type: ignore[attr-defined]
    assert window.result_label.text() == "0 people registered"

    # As the window showed each moment; the window's own slots ran first.
    started: list[str] = []
    controller.first_sync_started.connect(lambda: started.append(window.result_label.text()))
    pulls: list[tuple[int, int, str]] = []
    asked: list[str] = []
    registering: list[int] = []  # register dialogs open after each "Register person…"

    def on_progress(phase: str, done: int, total: int) -> None:
        if phase != "pull":
            return
        pulls.append((done, total, window.result_label.text()))
        if len(pulls) == 1:  # asked once: whether to wait; the helper waits
            window.new_action.trigger()
            question = window.arrival.question
            assert question is not None and question.isVisible()
            asked.append(question.text())
            registering.append(len(_register_dialogs(window)))
            wait = next(b for b in question.buttons() if b.text() == "Wait")
            assert question.defaultButton() is wait and question.escapeButton() is wait
            wait.click()
            registering.append(len(_register_dialogs(window)))
        elif len(pulls) == 2:  # not asked again: the dialog opens
            window.new_action.trigger()
            assert window.arrival.question is None
            registering.append(len(_register_dialogs(window)))
            for dialog in _register_dialogs(window):
                dialog.reject()

    controller.progress.connect(on_progress)
    with qtbot.waitSignal(controller.sync_finished, timeout=60_000) as done:
        assert controller.start()
    assert not isinstance(done.args[0], Exception), done.args[0]

    assert started == [_list_arriving(None)]  # before anything came: no share yet
    assert len(pulls) >= 2
    assert all(0 < d <= t for d, t, _text in pulls)
    assert [text for _d, _t, text in pulls] == [_list_arriving(100 * d // t) for d, t, _ in pulls]
    assert asked == [QUESTION]
    assert registering == [0, 0, 1]
    # Arrived: the list as usual, and no longer a first sync.
    assert window.result_label.text() == "301 people registered"
    assert not window.arrival.receiving and not sync_uc.first_sync_due(b.store)

    # A later sync is not a first one: registering opens the dialog at once.
    with qtbot.waitSignal(controller.sync_finished, timeout=30_000):
        assert controller.start()
        window.new_action.trigger()
        assert window.arrival.question is None
        assert len(_register_dialogs(window)) == 1
        assert window.result_label.text() == "301 people registered"
    for dialog in _register_dialogs(window):
        dialog.reject()
    window.close()


def test_a_search_during_the_first_sync_says_the_records_are_arriving_and_runs_again(
    qtbot: QtBot, laptops: Laptops
) -> None:
    _a_team_of_301(laptops)
    c = laptops.new("C")
    window = shown_window(qtbot, c)
    controller = window.sync  # type: ignore[attr-defined]
    with qtbot.waitSignal(window.search_finished, timeout=30_000):
        type_text(window.search, "Radu")
    assert window.result_label.text() == "Nobody found."
    pulls: list[tuple[int, int, str]] = []
    controller.progress.connect(
        lambda phase, done, total: (
            pulls.append((done, total, window.result_label.text())) if phase == "pull" else None
        )
    )
    with qtbot.waitSignal(controller.sync_finished, timeout=60_000):
        assert controller.start()
    assert len(pulls) >= 2
    assert [text for _d, _t, text in pulls] == [_search_arriving(100 * d // t) for d, t, _ in pulls]
    # The search ran again with what came: she is found.
    assert window.result_label.text() == "1 found"
    found = window.model.entry(0)
    assert found is not None and found.family_name == "Radu"
    assert not isinstance(window.findChild(QMessageBox), QMessageBox)  # nothing was asked
    window.close()


def _so_far(count: int, percent: int) -> str:
    return f"{count} people registered so far: the team's records are still arriving ({percent}%)."


def test_a_search_cleared_during_the_first_sync_still_says_the_records_are_arriving(
    qtbot: QtBot, tmp_path: Path, laptops: Laptops
) -> None:
    """A new laptop that holds two people of its own: a search cleared while the team's records
    arrived showed "2 people registered", as if that were all. It says they are still arriving
    (and how far) for as long as the first sync runs, then the whole count."""
    _a_team_of_301(laptops)
    c = laptops.new("C")
    for given in ("Maria", "Ana"):
        people.register_person(c.store, c.user, PersonDraft(given, "Dobre"))
    window = shown_window(qtbot, c)
    controller = window.sync  # type: ignore[attr-defined]
    with qtbot.waitSignal(window.search_finished, timeout=30_000):
        type_text(window.search, "Radu")
    shown: list[tuple[int, str]] = []  # the list's label as each reading under way showed it

    def on_progress(phase: str, done: int, total: int) -> None:
        if phase == "pull" and not shown and window.model.is_search_result():
            window.search.clear()
            qtbot.keyClick(window.search, Qt.Key.Key_Return)  # read at once, on a worker

    def on_search_finished(_n: int) -> None:
        if window.arrival.first:
            shown.append((window.arrival.percent() or 0, window.result_label.text()))
            window.grab().save(str(tmp_path / "syncux-arriving-cleared-search.png"))

    controller.progress.connect(on_progress)
    window.search_finished.connect(on_search_finished)
    with qtbot.waitSignal(controller.sync_finished, timeout=60_000):
        assert controller.start()
    assert shown, "the search was cleared while the records arrived"
    for percent, text in shown:  # as many as were there when read: pages go on arriving
        count = int(text.split(" ", 1)[0])
        assert 2 <= count <= 303 and text == _so_far(count, percent), text
    assert window.result_label.text() == "303 people registered"  # arrived: as usual
    window.close()


def test_during_the_first_sync_the_list_is_read_again_every_few_seconds_keeping_its_place(
    qtbot: QtBot, tmp_path: Path, session: Session
) -> None:
    """Read only at the sync's end, the list of a new laptop stayed as it was for minutes
    while thousands of records came. It is read again at most every few seconds while pages
    arrive, not at each page, and the person selected stays selected where they were on the
    screen, though people came before them in the list."""
    for i in range(60):
        people.register_person(session.store, session.user, PersonDraft(f"Ion{i:02}", "Zamfir"))
    set_language("ro")
    try:
        window = shown_window(qtbot, session, 1100)
        table, arrival = window.table, window.arrival
        chosen = next(
            r for r in range(60) if (e := window.model.entry(r)) and e.given_name == "Ion40"
        )
        table.setCurrentIndex(window.model.index(chosen, 0))
        table.scrollTo(window.model.index(chosen, 0))
        on_screen = table.rowViewportPosition(chosen)
        assert on_screen >= 0
        arrival.first_sync_started()
        due: list[int] = []
        arrival.list_due.connect(lambda: due.append(len(due)))
        # Pages arrive (here written by hand), each reported as the sync does: read once.
        for page in range(1, 6):
            people.register_person(session.store, session.user, PersonDraft(f"Ana{page}", "Albu"))
            arrival.progress("pull", page, 10)
        assert due == []  # not at each page
        with qtbot.waitSignal(arrival.list_due, timeout=10_000):
            pass
        qtbot.waitUntil(lambda: window.model.rowCount() == 65, timeout=10_000)
        assert due == [0]
        text = window.result_label.text()
        assert text == (
            "65 de persoane înregistrate până acum: înregistrările echipei încă sosesc (50%)."
        ), text
        row = table.currentIndex().row()
        entry = window.model.entry(row)
        assert row == chosen + 5 and entry is not None and entry.given_name == "Ion40"
        assert table.rowViewportPosition(row) == on_screen  # where it was on the screen
        window.grab().save(str(tmp_path / "syncux-arriving-list-ro.png"))
        arrival.sync_finished(None)
        assert not arrival.list_timer.isActive()
        window.close()
    finally:
        set_language("en")
