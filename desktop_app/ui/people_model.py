"""Table model of the people list: lazily paged over the whole store, or a search result."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt

from desktop_app.i18n.formatting import format_partial_date
from desktop_app.i18n.text import N_, _
from desktop_app.storage.people_sql import PersonListEntry

COLUMNS = (
    ("family_name", N_("Family name")),
    ("given_name", N_("Given name")),
    ("date_of_birth", N_("Date of birth")),
    ("nationality", N_("Nationality")),
    ("phone", N_("Phone")),
)
PAGE = 200

Index = QModelIndex | QPersistentModelIndex


class PeopleTableModel(QAbstractTableModel):
    """Rows come from ``fetch_page(offset, limit)`` on demand, or from a fixed result list."""

    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self._total = 0
        self._fetch: Callable[[int, int], list[PersonListEntry]] | None = None
        self._pages: dict[int, list[PersonListEntry]] = {}
        self._results: list[PersonListEntry] | None = None

    # --- filling -------------------------------------------------------------------------
    def show_all(self, total: int, fetch_page: Callable[[int, int], list[PersonListEntry]]) -> None:
        self.beginResetModel()
        self._total, self._fetch, self._pages, self._results = total, fetch_page, {}, None
        self.endResetModel()

    def replace_fetch(self, fetch_page: Callable[[int, int], list[PersonListEntry]]) -> None:
        """Read further pages from another source of the same rows (no reset, no flicker)."""
        self._fetch = fetch_page

    def show_results(self, entries: list[PersonListEntry]) -> None:
        self.beginResetModel()
        self._results, self._pages = list(entries), {}
        self.endResetModel()

    def is_search_result(self) -> bool:
        return self._results is not None

    def entry(self, row: int) -> PersonListEntry | None:
        if self._results is not None:
            return self._results[row] if 0 <= row < len(self._results) else None
        if not 0 <= row < self._total or self._fetch is None:
            return None
        page = row // PAGE
        if page not in self._pages:
            if len(self._pages) > 50:  # keep memory flat while scrolling through 100,000 rows
                self._pages.clear()
            self._pages[page] = self._fetch(page * PAGE, PAGE)
        rows = self._pages[page]
        offset = row - page * PAGE
        return rows[offset] if offset < len(rows) else None

    def row_of(self, person_id: str) -> int:
        if self._results is not None:
            for i, e in enumerate(self._results):
                if e.id == person_id:
                    return i
        return -1

    # --- Qt model API --------------------------------------------------------------------
    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        if parent.isValid():
            return 0
        return len(self._results) if self._results is not None else self._total

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(COLUMNS)

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or role not in (
            Qt.ItemDataRole.DisplayRole,
            Qt.ItemDataRole.ToolTipRole,
            Qt.ItemDataRole.AccessibleTextRole,
        ):
            return None
        entry = self.entry(index.row())
        if entry is None:
            return None
        key = COLUMNS[index.column()][0]
        value = getattr(entry, key)
        if key == "date_of_birth":
            return format_partial_date(value)
        return value

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if role == Qt.ItemDataRole.DisplayRole and orientation == Qt.Orientation.Horizontal:
            return _(COLUMNS[section][1])
        return None

    def retranslate(self) -> None:
        self.headerDataChanged.emit(Qt.Orientation.Horizontal, 0, len(COLUMNS) - 1)
        if self.rowCount():
            self.dataChanged.emit(
                self.index(0, 0), self.index(self.rowCount() - 1, len(COLUMNS) - 1)
            )
