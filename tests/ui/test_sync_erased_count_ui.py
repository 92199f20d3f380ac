"""The status bar's count of changes to send after a sync brought a person's erasure from
another laptop: the tombstones the sync sends back for what it removed here (a visit recorded
offline, an edit of the person) are not the user's changes. They still go to the server.
Real stores, a real server on 127.0.0.1, reached through a link that can cut a push off."""

from __future__ import annotations

import pytest
from pytestqt.qtbot import QtBot

from desktop_app.sync.http_client import ConnectionLost
from desktop_app.ui.sync_status import SyncController
from desktop_app.usecases import data_rights, visits
from desktop_app.usecases import sync as sync_uc
from tests.integration.sync_harness import Laptops, add_person, edit_person
from tests.ui.conftest import shown_window
from tests.ui.flaky_link import FlakyLink
from tests.unit.test_visits import full_life_situation


@pytest.fixture
def first_laptop_name() -> str:
    """The outreach laptop reaches the server through ``link``; the office's directly."""
    return "Outreach Markt"


def _round(qtbot: QtBot, controller: SyncController) -> object:
    with qtbot.waitSignal(controller.sync_finished, timeout=60_000) as done:
        assert controller.start()
    return done.args[0]


def test_what_a_sync_removed_for_an_erasure_elsewhere_is_not_counted_as_changes_to_send(
    qtbot: QtBot, behind_link: Laptops, link: FlakyLink
) -> None:
    """The office erased Maria (a visit of hers synced to both laptops); offline, the outreach
    laptop recorded another visit and changed her phone. Its sync's pull removed all of it
    and queued tombstones for the visits; the push broke off, and the status bar said "2
    changes kept on this laptop" for work the erasure had just removed. The office's erasure
    is its user's one change (the tombstones of Maria's visits that it queues are not)."""
    outreach = behind_link.sessions[0]
    office = behind_link.new("Büro")
    pid = add_person(office, "Maria", "Popescu")
    visits.finish_visit(office.store, office.user, pid, "life_situation", full_life_situation())
    behind_link.sync(office, outreach)
    data_rights.erase_person(office.store, office.user, pid)
    assert sync_uc.status(office.store).pending_work == 1  # the erasure: the office's one change
    behind_link.sync(office)
    visits.finish_visit(outreach.store, outreach.user, pid, "life_situation", full_life_situation())
    edit_person(outreach, pid, phone="0151 8888888")
    assert sync_uc.status(outreach.store).pending_work == 2

    window = shown_window(qtbot, outreach, 1024)
    controller: SyncController = window.sync  # type: ignore[attr-defined]
    try:
        link.cut_after = 100
        link.mode = "cut_push"  # the pull goes through, the push breaks off
        assert isinstance(_round(qtbot, controller), ConnectionLost)
        state = sync_uc.status(outreach.store)
        assert visits.visit_history(outreach.store, outreach.user, pid) == []  # removed here
        assert state.pending_work == 0 and state.pending_changes > 0, state  # the tombstones wait
        qtbot.waitUntil(lambda: " 0 changes to send" in controller.label.text(), timeout=10_000)

        link.mode = "pass"
        result = _round(qtbot, controller)
        assert not isinstance(result, Exception), result
        assert sync_uc.status(outreach.store).pending_changes == 0  # they went all the same
        assert " 0 changes to send" in controller.label.text()
    finally:
        window.close()
