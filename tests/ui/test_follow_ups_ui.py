"""The follow-ups due as a coordinator lists them at a month's end: hundreds of them."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QTableWidgetItem
from pytestqt.qtbot import QtBot

from desktop_app.domain.person import PersonDraft
from desktop_app.ui import referrals as ui
from desktop_app.usecases import referrals as uc
from desktop_app.usecases.accounts import Session
from desktop_app.usecases.people import register_many
from desktop_app.usecases.report_demo import add_demo_activity
from tests.ui.conftest import cell, shown_window


class _CountedItem(QTableWidgetItem):
    """A cell that counts how often its text is read (to draw it, to size its column)."""

    reads = 0

    def data(self, role: int) -> Any:
        if role == Qt.ItemDataRole.DisplayRole:
            _CountedItem.reads += 1
        return super().data(role)


def _counted_item(text: str, data: Any = None) -> QTableWidgetItem:
    item = _CountedItem(text)
    item.setFlags(item.flags() & ~Qt.ItemFlag.ItemIsEditable)
    if data is not None:
        item.setData(Qt.ItemDataRole.UserRole, data)
    return item


@pytest.fixture
def busy(session: Session) -> Session:
    """A store with 160 people and a year of their generated visits and referrals."""
    drafts = [PersonDraft(f"Name{i}", f"Family{i}", "1980") for i in range(160)]
    register_many(session.store, session.user, drafts)
    add_demo_activity(session.store, session.user.id, seed=5)
    return session


def test_the_follow_ups_window_lists_hundreds_without_reading_them_again_per_row(
    qtbot: QtBot, busy: Session, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Listed anew while shown (a status recorded, a sync), each cell set sized the columns
    again over every row: 200 follow-ups took 14 s, the demo's 3,139 some minutes, the window
    frozen. The columns are sized once, after the last cell: a cell's text is read a few
    times, not once per row of the list."""
    today = dt.date.today()
    due = uc.follow_ups_due(busy.store, busy.user, today)
    assert len(due) >= 100, len(due)
    window = shown_window(qtbot, busy, 1366)
    feature = window.referrals  # type: ignore[attr-defined]
    follow_ups = feature.open_follow_ups()
    qtbot.waitExposed(follow_ups)
    monkeypatch.setattr(ui, "_item", _counted_item)
    _CountedItem.reads = 0
    follow_ups.refresh()
    cells = len(due) * follow_ups.table.columnCount()
    assert follow_ups.table.rowCount() == len(due)
    assert _CountedItem.reads < 10 * cells, (_CountedItem.reads, cells)
    # sized to their contents all the same: the references whole, the status whole
    header = follow_ups.table.horizontalHeader()
    for column in (3, 5):
        widest = max(
            follow_ups.table.fontMetrics().horizontalAdvance(
                cell(follow_ups.table, r, column).text()
            )
            for r in range(len(due))
        )
        assert header.sectionSize(column) >= widest, column
