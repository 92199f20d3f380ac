"""The start-up list of unfinished forms reads, and writes nothing on the UI thread: a sync
holding the store does not keep it from opening."""

from __future__ import annotations

import time

from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

from desktop_app.domain.person import PersonDraft
from desktop_app.ui.visits import DraftsDialog, VisitsFeature
from desktop_app.usecases import audit, people, visits
from desktop_app.usecases.accounts import Session
from tests.ui.conftest import shown_window, store_held

# Measured, not asserted (no timed assertions): printed with -s for the report.
OPENED_IN: list[float] = []


def test_the_drafts_dialog_opens_while_a_sync_holds_the_store_and_logs_the_views_after(
    qtbot: QtBot, session: Session
) -> None:
    """Listing the drafts logged a view of each person listed from the UI thread: with the
    sync holding the store the dialog waited until the store was free (10 s here). Now
    the names are read (a read does not wait in WAL mode) and the views are written by the
    window's recorder, once the store is free; each person's view once."""
    window = shown_window(qtbot, session)
    feature: VisitsFeature = window.visits  # type: ignore[attr-defined]
    QApplication.processEvents()  # the start-up offer (a timer's): nothing to offer yet
    assert feature.drafts_dialog is None
    ana = people.register_person(session.store, session.user, PersonDraft("Ana", "Pop"))
    ivan = people.register_person(session.store, session.user, PersonDraft("Иван", "Петров"))
    visits.save_draft(session.store, session.user, ana.id, "life_situation", {"phone": "0151"})
    visits.save_draft(session.store, session.user, ivan.id, "skills_check", {})
    window.wait_for_background()

    def views() -> list[str]:
        entries = audit.list_entries(session.store, session.user, action="view")
        return sorted(e.record_id for e in entries if e.record_kind == "person")

    assert views() == []
    with store_held(session) as (_release, held):
        started = time.perf_counter()
        feature.offer_drafts()
        OPENED_IN.append(time.perf_counter() - started)
        assert held.is_set()  # it returned while the store was still held: nobody waited
        dialog = feature.drafts_dialog
        assert isinstance(dialog, DraftsDialog) and dialog.isVisible()
        texts = sorted(dialog.list.item(i).text() for i in range(dialog.list.count()))
        assert texts[0].startswith("Ana Pop – ") and texts[1].startswith("Иван Петров – ")
        assert views() == []  # not written yet: the writes wait for the store
    qtbot.waitUntil(lambda: views() == sorted([ana.id, ivan.id]), timeout=10_000)
    print(f"drafts dialog opened in {OPENED_IN[-1] * 1000:.1f} ms with the store held")

    dialog.refresh()  # listed anew (after a sync): nobody opened anything, no view again
    window.wait_for_background()
    assert views() == sorted([ana.id, ivan.id])
