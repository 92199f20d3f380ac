"""Shared widgets (desktop_app/ui/widgets.py). The word-wrapping delegate in each kind of view
it serves (the referrals' table, the visit history's tree, a form's sections list): a row grows
by the lines its text wraps to, its text whole in it, and shrinks to one line when its column
widens. The read-only record lists of the coordinator's windows."""

from __future__ import annotations

import math
from collections.abc import Callable

import pytest
from PySide6.QtCore import QModelIndex, QPointF, QRect, Qt
from PySide6.QtGui import QTextLayout, QTextOption
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QHeaderView,
    QListView,
    QListWidget,
    QStyle,
    QStyleOptionViewItem,
    QTableView,
    QTableWidget,
    QTableWidgetItem,
    QTreeWidget,
    QTreeWidgetItem,
)
from pytestqt.qtbot import QtBot

from desktop_app.ui.accounts import UsersDialog
from desktop_app.ui.audit import AuditWindow
from desktop_app.ui.data_rights import RetentionWindow
from desktop_app.ui.directory import DirectoryDialog, FormsDialog
from desktop_app.ui.main_window import MainWindow
from desktop_app.ui.widgets import WrappingDelegate
from desktop_app.usecases.accounts import Session
from tests.ui.conftest import shown_window

LONG = "Издадено – очаква одобрение от консултант на службата"
SHORT = "Издадено"


def _table() -> QTableWidget:
    """As the referrals tab: one wrapping column in a table that elides, rows sized to it."""
    table = QTableWidget(2, 1)
    table.setWordWrap(False)
    table.setItemDelegateForColumn(0, WrappingDelegate(table))
    rows = table.verticalHeader()
    rows.setMinimumSectionSize(rows.defaultSectionSize())
    rows.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
    table.horizontalHeader().setStretchLastSection(False)
    for row, text in enumerate((LONG, SHORT)):
        table.setItem(row, 0, QTableWidgetItem(text))
    return table


def _tree() -> QTreeWidget:
    """As the visit history: a wrapping tree measured by the style, the long text a child (its
    first column indented)."""
    tree = QTreeWidget()
    tree.setColumnCount(1)
    tree.setWordWrap(True)
    tree.setUniformRowHeights(False)
    tree.setItemDelegate(WrappingDelegate(tree, by_style=True, top_aligned=True))
    tree.header().setStretchLastSection(False)
    top = QTreeWidgetItem([SHORT])
    tree.addTopLevelItem(top)
    top.addChild(QTreeWidgetItem([LONG]))
    tree.expandAll()
    return tree


def _list() -> QListWidget:
    """As a form's sections: a wrapping list laid out again at each width."""
    view = QListWidget()
    view.setWordWrap(True)
    view.setResizeMode(QListView.ResizeMode.Adjust)
    view.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
    view.setSpacing(2)
    view.setItemDelegate(WrappingDelegate(view))
    view.addItems([LONG, SHORT])
    return view


def _indexes(view: QAbstractItemView) -> tuple[QModelIndex, QModelIndex]:
    """The long text's index and the short one's."""
    model = view.model()
    if isinstance(view, QTreeWidget):
        top = model.index(0, 0)
        return model.index(0, 0, top), top
    return model.index(0, 0), model.index(1, 0)


def _set_room(view: QAbstractItemView, width: int) -> None:
    """The text's column (the list: the list itself) ``width`` pixels wide, rows laid out."""
    if isinstance(view, QTableWidget):
        view.setColumnWidth(0, width)
        # rows sized to their contents are sized again when the table is resized, not when
        # one of its columns is
        view.resizeRowsToContents()
    elif isinstance(view, QTreeWidget):
        view.header().resizeSection(0, width)
    else:
        view.setFixedWidth(width + 2 * view.frameWidth())
    view.doItemsLayout()


def _text_rect(view: QAbstractItemView, index: QModelIndex) -> QRect:
    """Where the style paints the text of ``index`` (QCommonStyle's viewItemDrawText: the
    text's rectangle less a margin on either side)."""
    option = QStyleOptionViewItem()
    option.initFrom(view)
    option.rect = view.visualRect(index)
    delegate = view.itemDelegateForIndex(index)
    assert isinstance(delegate, WrappingDelegate)
    delegate.initStyleOption(option, index)
    painted = view.style().subElementRect(QStyle.SubElement.SE_ItemViewItemText, option, view)
    margin = view.style().pixelMetric(QStyle.PixelMetric.PM_FocusFrameHMargin, None, view) + 1
    return painted.adjusted(margin, 0, -margin, 0)


def _shown_whole(view: QAbstractItemView, index: QModelIndex) -> bool:
    """Whether the text of ``index``, laid out as the style paints it, has no line elided ("…"
    where it is wider than its room) and no line cut off below."""
    room = _text_rect(view, index)
    layout = QTextLayout(str(index.data()), view.font())
    wrap = QTextOption()
    wrap.setWrapMode(QTextOption.WrapMode.WordWrap)
    layout.setTextOption(wrap)
    layout.beginLayout()
    height = widest = 0.0
    while (line := layout.createLine()).isValid():
        line.setLineWidth(room.width())
        line.setPosition(QPointF(0, height))
        height += line.height()
        widest = max(widest, line.naturalTextWidth())
    layout.endLayout()
    return widest <= room.width() and math.ceil(height) <= room.height()


@pytest.mark.parametrize("make", [_table, _tree, _list], ids=["table", "tree", "list"])
def test_rows_grow_with_their_wrapped_text_and_shrink_when_the_column_widens(
    qtbot: QtBot, program_font: None, make: Callable[[], QAbstractItemView]
) -> None:
    view = make()
    qtbot.addWidget(view)
    view.resize(900, 400)
    view.show()
    qtbot.waitExposed(view)
    long, short = _indexes(view)
    metrics = view.fontMetrics()
    one_line = view.visualRect(short).height()
    words = max(metrics.horizontalAdvance(word) for word in LONG.split())

    _set_room(view, words + 80)  # the long text wraps to three lines or more
    narrow = view.visualRect(long).height()
    assert narrow >= one_line + 2 * metrics.height(), (narrow, one_line)
    assert _shown_whole(view, long)
    assert view.visualRect(short).height() == one_line

    _set_room(view, words + 200)  # fewer lines: the row shrinks, still whole
    fewer = view.visualRect(long).height()
    assert one_line < fewer < narrow, (one_line, fewer, narrow)
    assert _shown_whole(view, long)

    checked = 0
    for width in range(words, metrics.horizontalAdvance(LONG) + 20, 3):
        # a line that just fits the measure is at some width: whole there too (where each
        # word fits: a longer one is elided whatever the row's height)
        _set_room(view, width)
        if words <= _text_rect(view, long).width():
            assert _shown_whole(view, long), width
            checked += 1
    assert checked > 50

    _set_room(view, metrics.horizontalAdvance(LONG) + 120)  # one line, as tall as the short one
    assert view.visualRect(long).height() == one_line
    assert view.visualRect(short).height() == one_line


@pytest.mark.parametrize(
    "open_window",
    [
        lambda window: UsersDialog(window.session),
        lambda window: RetentionWindow(window),
        lambda window: AuditWindow(window.session),
        lambda window: DirectoryDialog(window.session),
        lambda window: FormsDialog(window.session),
    ],
    ids=["users", "retention", "audit", "directory", "forms"],
)
def test_the_coordinators_lists_are_read_only_and_named(
    qtbot: QtBot, session: Session, open_window: Callable[[MainWindow], QDialog]
) -> None:
    """A double click or a typed key selects a record, never edits its cell in place; a row is
    selected whole; a screen reader names the list."""
    window = shown_window(qtbot, session)
    dialog = open_window(window)
    qtbot.addWidget(dialog)
    table = dialog.table  # type: ignore[attr-defined]
    assert isinstance(table, QTableView)
    assert table.editTriggers() == QAbstractItemView.EditTrigger.NoEditTriggers
    assert table.selectionBehavior() == QAbstractItemView.SelectionBehavior.SelectRows
    assert table.verticalHeader().isHidden()
    assert table.accessibleName()
