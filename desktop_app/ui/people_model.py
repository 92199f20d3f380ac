"""The people list: its table model, lazily paged over the whole store or a search result, and
the view that sizes its columns to the texts of the UI language."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt, Signal
from PySide6.QtGui import QResizeEvent
from PySide6.QtWidgets import QHeaderView, QTableView, QWidget

from desktop_app.i18n.formatting import format_partial_date
from desktop_app.i18n.text import N_, _, current_language
from desktop_app.storage.people_sql import PersonListEntry
from desktop_app.ui.widgets import FIRST_COUNTRIES, country_names

COLUMNS = (
    ("family_name", N_("Family name")),
    ("given_name", N_("Given name")),
    ("date_of_birth", N_("Date of birth")),
    ("nationality", N_("Nationality")),
    ("phone", N_("Phone")),
)
PAGE = 200
#: the people a search lists; one more is read to know whether more match
SEARCH_SHOWN = 50
NAME_COLUMNS = (0, 1)
# What the other columns typically show, to size them by (rows are not measured: 100k).
SAMPLE_DATES = ("1985-05-28", "1985-09-28", "1985-12-28")
SAMPLE_PHONE = "+359 88 123 4567"
CELL_PADDING = 12  # the delegate's margins around a cell's text (6), and a little air
NAME_ROOM = 110  # what each name column keeps before the other columns widen to their headers

Index = QModelIndex | QPersistentModelIndex
#: runs ``fn`` on a worker, then ``on_done(result)`` or ``on_failed(exc)`` on the UI thread
Background = Callable[[Callable[[], Any], Callable[[Any], None], Callable[[Exception], None]], None]


class PeopleTableModel(QAbstractTableModel):
    """Rows come from ``fetch_page(offset, limit)`` on demand, or from a fixed result list."""

    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self._total = 0
        self._fetch: Callable[[int, int], list[PersonListEntry]] | None = None
        self._pages: dict[int, list[PersonListEntry]] = {}
        self._results: list[PersonListEntry] | None = None
        self.more_found = False  # the search found more than it lists (``show_results``)
        self._background: Background | None = None
        self._loading: set[int] = set()
        self._generation = 0
        self._countries: tuple[str, dict[str, str]] = ("", {})

    def load_pages_with(self, background: Background) -> None:
        """Read the pages that painting asks for with ``background(fn, on_done, on_failed)``
        (a worker): their cells stay empty for the moment it takes. Reading on the UI thread
        while a sync writes could hold the window for a tenth of a second, as each row read
        hands the interpreter over. Without this, pages are read when asked for."""
        self._background = background

    # --- filling -------------------------------------------------------------------------
    def show_all(
        self,
        total: int,
        fetch_page: Callable[[int, int], list[PersonListEntry]],
        first_page: list[PersonListEntry] | None = None,
    ) -> None:
        """The whole list, ``total`` rows read by ``fetch_page``; ``first_page`` if it has been
        read already (then the list shows it at once)."""
        self.beginResetModel()
        self._generation += 1
        self._total, self._fetch, self._pages, self._results = total, fetch_page, {}, None
        self._loading = set()
        if first_page is not None:
            self._pages[0] = list(first_page)
        self.endResetModel()

    def replace_fetch(self, fetch_page: Callable[[int, int], list[PersonListEntry]]) -> None:
        """Read further pages from another source of the same rows (no reset, no flicker)."""
        self._fetch = fetch_page

    def show_results(self, entries: list[PersonListEntry]) -> None:
        """The people a search found (read ``SEARCH_SHOWN`` + 1: the first ``SEARCH_SHOWN``
        listed, ``more_found`` if there were more)."""
        self.beginResetModel()
        self._generation += 1
        self.more_found = len(entries) > SEARCH_SHOWN
        self._results, self._pages = list(entries[:SEARCH_SHOWN]), {}
        self._loading = set()
        self.endResetModel()

    @property
    def generation(self) -> int:
        """Counts the refills: a page read for an older one does not belong to the list."""
        return self._generation

    def keep_page(self, generation: int, first_row: int, rows: list[PersonListEntry]) -> bool:
        """A page of the whole list read on a worker from ``first_row`` (a multiple of
        ``PAGE``), kept as if painting had asked for it; False where the list was refilled
        meanwhile or shows a search's result."""
        if generation != self._generation or self._results is not None or first_row % PAGE:
            return False
        self._keep(first_row // PAGE, rows)
        return True

    def is_search_result(self) -> bool:
        return self._results is not None

    def entry(self, row: int) -> PersonListEntry | None:
        if self._results is not None:
            return self._results[row] if 0 <= row < len(self._results) else None
        if not 0 <= row < self._total or self._fetch is None:
            return None
        page = row // PAGE
        if page not in self._pages:
            self._keep(page, self._fetch(page * PAGE, PAGE))
        rows = self._pages[page]
        offset = row - page * PAGE
        return rows[offset] if offset < len(rows) else None

    def _keep(self, page: int, rows: list[PersonListEntry]) -> None:
        if len(self._pages) > 50:  # keep memory flat while scrolling through 100,000 rows
            self._pages.clear()
        self._pages[page] = rows

    def _shown_entry(self, row: int) -> PersonListEntry | None:
        """``entry`` for painting: a page not read yet is asked for in the background."""
        if self._results is not None or self._background is None or self._fetch is None:
            return self.entry(row)
        if not 0 <= row < self._total:
            return None
        page = row // PAGE
        rows = self._pages.get(page)
        if rows is None:
            self._ask_for(page)
            return None
        offset = row - page * PAGE
        return rows[offset] if offset < len(rows) else None

    def _ask_for(self, page: int) -> None:
        if page in self._loading or self._background is None or self._fetch is None:
            return
        self._loading.add(page)
        generation, fetch = self._generation, self._fetch

        def arrived(rows: list[PersonListEntry]) -> None:
            if generation != self._generation:
                return  # the list was refilled meanwhile
            self._loading.discard(page)
            self._keep(page, rows)
            first, last = page * PAGE, min(self._total, page * PAGE + len(rows)) - 1
            if last >= first:
                self.dataChanged.emit(self.index(first, 0), self.index(last, len(COLUMNS) - 1))

        def failed(_exc: Exception) -> None:
            if generation == self._generation:
                self._loading.discard(page)  # painting asks again

        self._background(lambda: fetch(page * PAGE, PAGE), arrived, failed)

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
        entry = self._shown_entry(index.row())
        if entry is None:
            return None
        key = COLUMNS[index.column()][0]
        value = getattr(entry, key)
        if key == "date_of_birth":
            return format_partial_date(value)
        if key == "nationality":
            return self._country_name(value)
        if key == "given_name" and entry.found_as:
            # Found by the name as on the ID document only: the row says why it is there. The
            # cell has room for a few letters of it, as typed from the card ("Мария ·
            # GUEORGU…", unbroken: a wrapped line was cut to "Мария · …"); the tooltip names it.
            if role == Qt.ItemDataRole.DisplayRole:
                return f"{value} · {entry.found_as}".replace(" ", "\u00a0")
            return f"{value} · " + _("As on the ID document: {name}").format(name=entry.found_as)
        return value

    def _country_name(self, code: str) -> str:
        """The country's name in the UI language (the person's page and dialog say the same);
        the names are looked up once per language, not once per painted cell."""
        lang = current_language()
        if self._countries[0] != lang:
            self._countries = (lang, country_names(lang))
        return self._countries[1].get(code, code) if code else ""

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if orientation == Qt.Orientation.Horizontal and role in (
            Qt.ItemDataRole.DisplayRole,
            Qt.ItemDataRole.ToolTipRole,  # whole where a narrow column elides the header
        ):
            return _(COLUMNS[section][1])
        return None

    def retranslate(self) -> None:
        self.headerDataChanged.emit(Qt.Orientation.Horizontal, 0, len(COLUMNS) - 1)
        if self.rowCount():
            self.dataChanged.emit(
                self.index(0, 0), self.index(self.rowCount() - 1, len(COLUMNS) - 1)
            )


class PeopleTable(QTableView):
    """The people list. Date of birth, nationality and phone are as wide as their typical texts
    in the UI language, and as wide as their headers where the names in view leave the room;
    the name columns are as wide as the names in view want, then at least ``NAME_ROOM`` each
    where there is room, and share what is left. Where even so there is not room, a name or a
    header is elided, and its tooltip, as every cell's, gives the whole text."""

    #: the width there is is known (its first resize): ``wanted_width`` can say what it wants
    room_known = Signal()

    def __init__(self, model: PeopleTableModel, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setModel(model)
        # Tab goes on to the person's page; moving cell by cell opened every person passed
        self.setTabKeyNavigation(False)
        self.setTextElideMode(Qt.TextElideMode.ElideRight)
        header = self.horizontalHeader()
        header.setTextElideMode(Qt.TextElideMode.ElideRight)
        header.setStretchLastSection(False)
        # Every width is set by ``fit_columns``: stretched, the two name columns were always
        # alike, and at 1100 px a long family name ("Христозова-Иванова") was cut beside a
        # short given name with room to spare.
        for column in range(len(COLUMNS)):
            header.setSectionResizeMode(column, QHeaderView.ResizeMode.Interactive)
        # The width there is: the viewport's, as its resize events give it (a scroll area's
        # ``resizeEvent`` is its viewport's). None until the first, which comes before the
        # first paint. Asking the viewport itself the first time made PySide6 set up every
        # widget class Qt has, to find the one it is (a twentieth of the start-up).
        self._room: int | None = None
        self._room_height = 0  # the viewport's height, as its resize events give it too
        # The names in view decide the name columns' widths: refitted when other rows come
        # into view or arrive (a page read on a worker, a search's result).
        model.modelReset.connect(self.fit_columns)
        model.dataChanged.connect(self.fit_columns)
        self.verticalScrollBar().valueChanged.connect(self.fit_columns)

    def _names_wanted(self, column: int) -> int:
        """The width the names in view want in ``column``, with the cell's margins."""
        model, metrics = self.model(), self.fontMetrics()
        rows = model.rowCount()
        if not rows or self._room is None:
            return 0
        first = max(self.rowAt(0), 0)
        last = self.rowAt(self._room_height - 1)
        last = rows - 1 if last < 0 else last
        widest = 0
        for row in range(first, last + 1):
            text = model.data(model.index(row, column))
            if text:
                widest = max(widest, metrics.horizontalAdvance(str(text)))
        return widest + CELL_PADDING if widest else 0

    def _typical_widths(self) -> tuple[dict[int, int], dict[int, int]]:
        """Of the date, nationality and phone columns: the least width (their typical texts)
        and the wanted one (their headers whole too)."""
        header, metrics = self.horizontalHeader(), self.fontMetrics()
        typical = {
            "date_of_birth": [format_partial_date(d) for d in SAMPLE_DATES],
            "nationality": list(map(country_names().get, FIRST_COUNTRIES, FIRST_COUNTRIES)),
            "phone": [SAMPLE_PHONE],
        }
        least: dict[int, int] = {}
        wanted: dict[int, int] = {}
        for column, (key, _title) in enumerate(COLUMNS):
            if key in typical:
                text = max(metrics.horizontalAdvance(t) for t in typical[key]) + CELL_PADDING
                least[column] = text
                wanted[column] = max(text, header.sectionSizeFromContents(column).width())
        return least, wanted

    def wanted_width(self) -> int:
        """The width the list wants for every header whole beside the names in view (or
        ``NAME_ROOM`` each before any are read), its frame and scroll bar included."""
        if self._room is None:
            return 0  # not laid out yet (``room_known`` says when it is)
        header = self.horizontalHeader()
        _least, wanted = self._typical_widths()
        names = sum(
            max(
                self._names_wanted(column) or NAME_ROOM,
                header.sectionSizeFromContents(column).width(),
            )
            for column in NAME_COLUMNS
        )
        return names + sum(wanted.values()) + self.width() - self._room

    def fit_columns(self, *_args: object) -> None:
        """Size the columns for the UI language, the names in view and the width there is
        (see the class)."""
        if self._room is None:
            return  # not laid out yet: its first resize event fits them
        header = self.horizontalHeader()
        least, wanted = self._typical_widths()
        # The names first, as far as the others' least widths leave room for them.
        wants = {
            column: max(self._names_wanted(column), header.sectionSizeFromContents(column).width())
            for column in NAME_COLUMNS
        }
        names = {column: max(NAME_ROOM, want) for column, want in wants.items()}
        for_names = max(self._room - sum(least.values()), len(NAME_COLUMNS) * NAME_ROOM)
        over = sum(names.values()) - for_names
        if over > 0:  # each name column gives up its share of what is too much
            beyond = {c: w - NAME_ROOM for c, w in names.items()}
            total = sum(beyond.values())
            names = {c: w - (over * beyond[c] + total - 1) // total for c, w in names.items()}
        # Then the others' headers, as far as the room beside what the names in view need
        # goes: holding ``NAME_ROOM`` for short names first, at 1366 px in Bulgarian "Дата на
        # раж…" and "Граждан…" were cut beside "Иван" in a column of 110 px.
        needed = {c: min(w, wants[c]) for c, w in names.items()}
        room = max(self._room - sum(needed.values()) - sum(least.values()), 0)
        extra = sum(wanted.values()) - sum(least.values())
        share = 1.0 if extra <= room else room / extra
        widths = {c: w + int((wanted[c] - w) * share) for c, w in least.items()}
        # What is left widens the names: up to ``NAME_ROOM`` first, then alike.
        left = max(self._room - sum(needed.values()) - sum(widths.values()), 0)
        for column in NAME_COLUMNS:
            top_up = min(left, names[column] - needed[column])
            needed[column] += top_up
            left -= top_up
        names = needed
        first, *others = NAME_COLUMNS
        for column in others:
            names[column] += left // len(NAME_COLUMNS)
        names[first] += left - left // len(NAME_COLUMNS) * len(others)
        for column, width in {**names, **widths}.items():
            if self.columnWidth(column) != width:
                self.setColumnWidth(column, width)

    def resizeEvent(self, event: QResizeEvent) -> None:
        first = self._room is None
        self._room, self._room_height = event.size().width(), event.size().height()
        if first:
            self.room_known.emit()
        super().resizeEvent(event)
        if event.size() != event.oldSize():  # taller, more names in view
            self.fit_columns()
