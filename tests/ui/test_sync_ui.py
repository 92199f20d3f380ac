"""Sync in the window: runs in the background while the user types, shows status, conflicts."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from pytestqt.qtbot import QtBot

from desktop_app.domain.person import PersonDraft
from desktop_app.ui.main_window import MainWindow
from desktop_app.usecases import people
from desktop_app.usecases import sync as sync_uc
from desktop_app.usecases.accounts import Session, create_first_account
from tests.integration.sync_harness import ServerProcess, approve_and_confirm
from tests.ui.conftest import type_text


@pytest.fixture
def server(tmp_path: Path) -> Iterator[ServerProcess]:
    proc = ServerProcess(db_url=f"sqlite:///{tmp_path / 'server.db'}", log_path=tmp_path / "s.log")
    proc.start()
    yield proc
    proc.stop()
    proc.dispose()


def _laptop(tmp_path: Path, name: str, server: ServerProcess, first: Session | None) -> Session:
    session = create_first_account(tmp_path / name, "anna", name, "password 123")
    joined = sync_uc.join(session.store, server.base_url, server.enroll(name), name)
    if first is not None and not joined.is_coordinator:
        approve_and_confirm(first, session)
    return session


def test_sync_runs_in_background_while_typing_and_resolves_conflicts(
    qtbot: QtBot, tmp_path: Path, server: ServerProcess
) -> None:
    a = _laptop(tmp_path, "A", server, None)
    b = _laptop(tmp_path, "B", server, a)
    try:
        pid = people.register_person(
            a.store, a.user, PersonDraft("Elena", "Radu", phone="0176 1111111")
        ).id
        for i in range(300):  # enough records that the sync takes a while
            people.register_person(a.store, a.user, PersonDraft(f"Ion{i}", "Popescu"))
        sync_uc.sync_now(a.store)
        window = MainWindow(b)
        qtbot.addWidget(window)
        window.show()
        controller = window.sync  # type: ignore[attr-defined]
        qtbot.waitUntil(lambda: "pending" in controller.label.text(), timeout=5000)
        with qtbot.waitSignal(controller.sync_finished, timeout=30_000) as done:
            assert controller.start()
            assert controller.label.text() == "Syncing…"
            type_text(window.search, "Radu")  # the UI thread keeps working meanwhile
            assert window.search.text() == "Radu"
        report = done.args[0]
        assert not isinstance(report, Exception), report
        assert report.applied >= 301  # the people, and the audit entries of their registration
        assert people.count_people(b.store) == 301
        assert "last sync" in controller.label.text() and "0 pending" in controller.label.text()
        with qtbot.waitSignal(window.search_finished, timeout=5000):
            window._on_search_timer_timeout()
        assert window.model.rowCount() == 1

        # A conflict: both laptops change the same phone number, then sync.
        for session, phone in ((a, "0176 2222222"), (b, "0176 3333333")):
            person = people.get_person(session.store, session.user, pid)
            assert person is not None
            values = people.person_values(person) | {"phone": phone}
            langs = tuple(c for c in values.pop("languages").split(",") if c)
            people.update_person(
                session.store, session.user, pid, PersonDraft(**values, languages=langs)
            )
        sync_uc.sync_now(a.store)
        with qtbot.waitSignal(controller.sync_finished, timeout=30_000):
            controller.start()
        assert "1 conflicts to decide" in controller.label.text()
        dialog = controller.open_conflicts()
        assert dialog.list.count() == 1 and "Elena Radu" in dialog.list.item(0).text()
        dialog.keep_second.click()
        assert dialog.list.count() == 0
        assert sync_uc.open_conflicts(b.store) == []
        window.close()
    finally:
        a.close()
        b.close()
