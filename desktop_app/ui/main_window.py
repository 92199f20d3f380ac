"""Main window: people list with type-ahead search, person details, language menu."""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any, Protocol

from PySide6.QtCore import QModelIndex, Qt, QTimer, Signal
from PySide6.QtGui import QAction, QActionGroup, QCloseEvent, QKeySequence, QResizeEvent
from PySide6.QtWidgets import (
    QLabel,
    QLineEdit,
    QMainWindow,
    QMessageBox,
    QSplitter,
    QStyle,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from desktop_app import __version__
from desktop_app.domain.person import Person, Sex
from desktop_app.i18n.formatting import format_number
from desktop_app.i18n.messages import FIELD_NAMES, failure_message
from desktop_app.i18n.text import (
    LANGUAGE_NAMES,
    LANGUAGES,
    _,
    current_language,
    ngettext,
    set_language,
)
from desktop_app.storage.people_sql import PersonListEntry
from desktop_app.ui.application import window_settled
from desktop_app.ui.arrival import RecordsArrival
from desktop_app.ui.people_model import PAGE, SEARCH_SHOWN, PeopleTable, PeopleTableModel
from desktop_app.ui.person_dialog import RegisterPersonDialog
from desktop_app.ui.person_page import PersonPage
from desktop_app.ui.status_bar import StatusBar
from desktop_app.ui.tasks import TaskRunner
from desktop_app.ui.widgets import ElidingLabel

# The store's modules (SQLAlchemy) load after the first paint: imported where used.
log = logging.getLogger(__name__)

if TYPE_CHECKING:
    from desktop_app.domain.person import PersonDraft
    from desktop_app.domain.users import User
    from desktop_app.storage.db import Store
    from desktop_app.storage.quick import QuickStart
    from desktop_app.usecases.accounts import Session
    from desktop_app.usecases.merges import MergedBy

SEARCH_DEBOUNCE_MS = 25

# The program's main window in use: what keeps it alive once the function that made it has
# returned, and whose store the program closes when it ends (``app.py``). A window opened in
# another's place (a user switch at the lock, a restored backup, a new role) takes its place
# here (``put_in_place``), and nothing of the program holds on to the old one any more.
_in_use: list[MainWindow] = []


def window_in_use() -> MainWindow | None:
    """The main window in use (``use_window``, ``put_in_place``), if any."""
    return _in_use[-1] if _in_use else None


def use_window(window: MainWindow) -> None:
    """``window`` is the program's main window from now on (kept alive here)."""
    _in_use[:] = [window]


def put_in_place(old: MainWindow, new: MainWindow) -> None:
    """``new`` is the window in use in place of ``old``, which is deleted (once the event loop
    is back): its list, its person's page, its sync and its dialogs go with it. A window left
    alive kept the people it listed in memory for the rest of the program (its signals'
    connections hold closures that refer back to it, and Python's collector cannot see
    through Qt), and every user switch added one."""
    old.replaced_by = new
    use_window(new)
    old.deleteLater()
    sync_soon(new)


def show_window(window: MainWindow, in_place_of: MainWindow | None = None) -> None:
    """Show ``window``: as ``in_place_of`` was (where, how large, maximised), a window it
    replaces; else at its own size, or maximised on a screen too small for that (a laptop
    1024 px wide: the window opened 1100 px wide, the person's page cut off at the right)."""
    if in_place_of is not None:
        if in_place_of.isMaximized():
            window.showMaximized()
            return
        window.setGeometry(in_place_of.geometry())
        window.show()
        return
    screen = window.screen()
    room = screen.availableGeometry().size() if screen is not None else None
    if room is not None and (room.width() < window.width() or room.height() < window.height()):
        window.showMaximized()
    else:
        window.show()


def sync_soon(window: MainWindow) -> None:
    """A joined laptop syncs soon after the window opens, once the sync is installed with the
    other features (not only a minute later, on the regular timer): at start-up and in a
    window put in place of another (a user switch at the lock waited for the timer)."""
    if window.features_installed:
        window.sync.start_soon()  # type: ignore[attr-defined]
    else:
        window.features_ready.connect(lambda: window.sync.start_soon())  # type: ignore[attr-defined]


def registered_text(person: Person) -> str:
    """The status bar's word that ``person`` was registered. Romanian and Bulgarian write the
    participle by the person's sex ("înregistrată", "регистрирана"): a message per sex
    recorded, and where none is, or "diverse", one that names the person "the person"
    ("Persoana … a fost înregistrată", "Лицето … е регистрирано"), not both endings
    ("înregistrat(ă)"), which read as a form to fill in.
    The code has no gettext contexts, so the English msgids differ by a note in brackets,
    which the English catalog leaves out."""
    name = f"{person.given_name} {person.family_name}"
    if person.sex is Sex.FEMALE:
        return _("{name} registered (female).").format(name=name)
    if person.sex is Sex.MALE:
        return _("{name} registered (male).").format(name=name)
    return _("{name} registered.").format(name=name)


class PeopleSource(Protocol):
    def count(self) -> int: ...
    def page(self, offset: int, limit: int) -> list[PersonListEntry]: ...
    def search(self, query: str, limit: int = 50) -> list[PersonListEntry]: ...
    def position(self, person_id: str) -> int | None: ...


class StorePeople:
    """The list and the search through the people use cases of an open store."""

    def __init__(self, store: Store) -> None:
        from desktop_app.usecases import people

        self._people = people
        self._store = store

    def count(self) -> int:
        return self._people.count_people(self._store)

    def page(self, offset: int, limit: int) -> list[PersonListEntry]:
        return self._people.list_people(self._store, offset, limit)

    def search(self, query: str, limit: int = 50) -> list[PersonListEntry]:
        return self._people.search_people(self._store, query, limit)

    def position(self, person_id: str) -> int | None:
        return self._people.list_position(self._store, person_id)


class _NoPeople:
    """The list of a window built while the key is still being derived: empty until then."""

    def count(self) -> int:
        return 0

    def page(self, offset: int, limit: int) -> list[PersonListEntry]:
        return []

    def search(self, query: str, limit: int = 50) -> list[PersonListEntry]:
        return []

    def position(self, person_id: str) -> int | None:
        return None


class SearchBox(QLineEdit):
    """The people search: its placeholder says how to search where the box is wide enough,
    else only what it is for (the tooltip keeps the whole explanation)."""

    def __init__(self) -> None:
        super().__init__()
        self._hints = ("", "")

    def set_hints(self, long: str, short: str) -> None:
        self._hints = (long, short)
        self.setToolTip(long)
        self._fit_placeholder()

    def text_width(self) -> int:
        """The room for text: the box less its frame, Qt's margins and the clear button."""
        frame = self.style().pixelMetric(QStyle.PixelMetric.PM_DefaultFrameWidth, None, self)
        margins = self.textMargins()
        clear_button = self.height() if self.isClearButtonEnabled() else 0
        return (
            self.contentsRect().width()
            - 2 * frame
            - 4  # QLineEdit's horizontal margin, 2 px a side
            - margins.left()
            - margins.right()
            - clear_button
        )

    def _fit_placeholder(self) -> None:
        long, short = self._hints
        fits = self.fontMetrics().horizontalAdvance(long) <= self.text_width()
        self.setPlaceholderText(long if fits else short)

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        self._fit_placeholder()


def merged_here_text(name: str, by: str = "") -> str:
    """What the status bar says when the entry open was merged into the one shown on another
    laptop, whole: what happened first, then whose entry, then where and ``by`` whom (as the
    audit log names them, ``merged_by_text``). At 1024 px beside an offline laptop's longest
    sync status it has some 35 letters, and "The open entry of Маргарита-А…" said neither that
    it was merged nor into what. The line shows its short form (``merged_here_short``), this
    in its tooltip."""
    if by:
        return _("Merged into this entry: {name}, on another laptop, by {user}").format(
            name=name, user=by
        )
    return _("Merged into this entry: {name} (on another laptop)").format(name=name)


def merged_here_short(name: str) -> str:
    """The status bar's line when the entry open was merged into the one shown on another
    laptop: what happened and whose entry, where and by whom in its tooltip
    (``merged_here_text``). The whole sentence at 1280 px in German, "Mit diesem Eintrag
    zusammengeführt: …, auf einem anderen Laptop, von 3fa2c1d0 (Beratung, Outreach Hbf)", was
    cut off beside the sync status."""
    return _("Merged into this entry: {name}").format(name=name)


def merged_by_text(by: MergedBy | None) -> str:
    """Who merged, as the audit log names them: the display name where the user has an
    account here, else their id, role and laptop ("3fa2c1d0 (Advisor, Punct de contact)")."""
    from desktop_app.ui.accounts import staff_label  # the accounts' dialogs only when asked

    if by is None:
        return ""
    return by.name or staff_label(by.user_id, by.role, by.laptop)


class ListAndPage(QSplitter):
    """The people list beside the person's page. A narrower window than 1100 px is shared
    3 : 2 (the stretch factors); a wider one widens the page, the list giving way from
    LIST_WIDTH to LIST_LEAST over the first 40 px beyond 1100 and then keeping it, until the
    page is PAGE_WIDTH wide, and beyond that both grow alike; until the user drags the
    divider. At 1366 px the list had 800 px for five short columns while the page's referrals
    showed their issue date and reason only by scrolling sideways; at 640 px for the list the
    reason had 70 px ("Kranke…")."""

    LIST_WIDTH = 640  # at 1100 px: the names whole beside the page's 460
    LIST_LEAST = 600  # the names still whole (NAME_ROOM each); a long header elided
    # the page's width in a 1366 px window: the referrals' six columns in view, the reason
    # readable (wrapped at its longest word)
    PAGE_WIDTH = 760
    LAPTOP_WIDTH = 1100

    def __init__(self) -> None:
        super().__init__()
        self.dragged = False
        self.splitterMoved.connect(self._on_splitter_moved)
        #: the width the list wants for its headers whole (``PeopleTable.wanted_width`` and
        #: the margins around the table); LIST_LEAST when not set
        self.list_wanted: Callable[[], int] | None = None

    def _on_splitter_moved(self, _pos: int, _index: int) -> None:
        self.dragged = True  # the user's widths are kept

    def _list_least(self) -> int:
        """LIST_LEAST, or up to LIST_WIDTH where the list's headers want it: at 1366 and
        1280 px in German "Geburtsdatum" and "Staatsangehörigkeit" were cut in 600 px (the
        page gives up at most 40 px of its PAGE_WIDTH for them)."""
        wanted = self.list_wanted() if self.list_wanted is not None else 0
        return min(self.LIST_WIDTH, max(self.LIST_LEAST, wanted))

    def fit(self) -> None:
        """Share the width between the list and the page (see the class); again when the
        list's headers change (another language)."""
        sizes = self.sizes()
        if self.dragged or len(sizes) != 2:
            return
        total = sum(sizes)
        least = self._list_least()
        beyond = max(0, total - least - self.PAGE_WIDTH)
        giving = max(0, total - self.LAPTOP_WIDTH)
        shown = max(least, self.LIST_WIDTH - giving) + beyond // 2
        # Up to 1100 px the stretch factors share the width and the list only gives way;
        # wider, the list has what it wants as well (a language switch may widen it).
        if sizes[0] > shown or (giving and sizes[0] != shown):
            self.setSizes([shown, total - shown])

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        self.fit()


class MainWindow(QMainWindow):
    """People list on the left, the person's page on the right.

    Features (visits, referrals, sync …) plug in through ``ui/features.py``: they add actions
    to ``person_menu`` / ``file_menu``, buttons and tabs to ``person_page``, widgets to the
    status bar, and listen to ``retranslated`` to follow the UI language.
    """

    search_finished = Signal(int)  # number of results shown
    retranslated = Signal()
    # A change about a person (their id) was stored on this laptop: a visit, a referral's status,
    # their details. What shows counts (pending changes, conflicts to decide) may have moved.
    person_data_saved = Signal(str)
    session_ready = Signal()  # the store is open: person pages, registering, features
    features_ready = Signal()
    closing = Signal()  # before the window waits for its background work and closes

    def __init__(
        self,
        session: Session | None,
        *,
        demo: bool = False,
        defer_features: bool = False,
        quick: QuickStart | None = None,
    ) -> None:
        """``session`` is the open store; at start-up it may follow later (``attach_session``)
        while ``quick`` serves the list and the search (see ``storage/quick.py``). With neither,
        the window is built while the key is derived and stays unshown until ``attach_quick``
        or ``attach_session`` gives it the people."""
        super().__init__()
        self.demo = demo
        self._quick = quick
        #: the window of a restored backup's data, opened in this one's place (ui/accounts.py)
        self.replaced_by: MainWindow | None = None
        self._people: PeopleSource = _NoPeople()
        self.user: User | None = None
        if session is not None:
            self.session = session
            self.user = session.user
            self._people = StorePeople(session.store)
        elif quick is not None:
            self.user = quick.user
            self._people = quick.reader
        self._pending_person: str | None = None
        self._select_when_found: str | None = None  # a person just registered
        self._first_when_found = False  # Enter in the search: to the first person it finds
        self._features_wanted = False
        self.tasks = TaskRunner(self)
        # Views of a person go to the audit log here, in order, after the person is shown:
        # the write waits while the sync holds the store (a commit at 10,000 people takes
        # up to some 150 ms), the window does not.
        # What the window records besides saves (views for the audit log, a letter printed,
        # a print job queued): written in order on one worker thread, never on the UI thread.
        self.recorder = TaskRunner(self, max_threads=1)
        # An audit write's failure is said once, until one succeeds again (``record``).
        self._audit_failure_said = False
        self._search_generation = 0
        self._search_pending = False  # the search (or reload) asked last has not answered yet
        self._keeping_place = False  # the list is refilled after a sync (``refresh_after_sync``)
        self._total = 0

        self.search = SearchBox()
        self.search.setClearButtonEnabled(True)
        self.search.textChanged.connect(self._on_search_text_changed)
        self.search.returnPressed.connect(self._on_search_return_pressed)
        self.search_timer = QTimer(self)
        self.search_timer.setSingleShot(True)
        self.search_timer.setInterval(SEARCH_DEBOUNCE_MS)
        self.search_timer.timeout.connect(self._on_search_timer_timeout)
        self.result_label = QLabel()
        self.result_label.setWordWrap(True)  # while records arrive, it says so (two lines)
        # What the window's sync receives (connected in ``ui/sync_status.install``).
        self.arrival = RecordsArrival(self)
        self.arrival.changed.connect(self._update_result_label)
        self.arrival.list_due.connect(self._on_arrival_list_due)

        self.model = PeopleTableModel(self)
        self.model.load_pages_with(self.tasks.run)
        self.table = PeopleTable(self.model)
        self.table.setSelectionBehavior(QTableView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QTableView.SelectionMode.SingleSelection)
        self.table.verticalHeader().hide()
        self.table.verticalHeader().setDefaultSectionSize(24)
        self.table.setAlternatingRowColors(True)
        self.table.selectionModel().currentRowChanged.connect(self._on_table_current_changed)
        self.person_page = PersonPage()
        self.person_page.tab_after = self.table  # Tab goes on from the list to the page

        left = QWidget()
        left_layout = QVBoxLayout(left)
        left_layout.addWidget(self.search)
        left_layout.addWidget(self.result_label)
        left_layout.addWidget(self.table)
        splitter = ListAndPage()
        splitter.addWidget(left)
        splitter.addWidget(self.person_page)
        splitter.setStretchFactor(0, 3)
        splitter.setStretchFactor(1, 2)
        # At 1100 px: some 640 for the list (names whole), 460 for the page (its visit history).
        splitter.setSizes([ListAndPage.LIST_WIDTH, 460])
        splitter.list_wanted = lambda: self.table.wanted_width() + left.width() - self.table.width()
        # once the list knows its width (after the splitter's first sharing of it)
        self.table.room_known.connect(splitter.fit, Qt.ConnectionType.QueuedConnection)
        self.splitter = splitter
        # Above the list and the page: banners of what concerns the whole laptop (a wrong
        # clock), across the window's width. In the central widget, so that the lock screen,
        # which takes its place, covers them as well.
        content = QWidget()
        self.banners = QVBoxLayout(content)
        self.banners.setContentsMargins(0, 0, 0, 0)
        self.banners.setSpacing(0)
        self.banners.addWidget(splitter, 1)
        self.setCentralWidget(content)
        status_bar = StatusBar()
        self.setStatusBar(status_bar)
        # Who is logged in gives its room up first where the status bar is too narrow: the
        # sync status beside it (progress, last sync, changes to send) matters more, and a
        # message of what was just done, while it shows (down to the name's first letters).
        self.status_user = ElidingLabel(yields=True)
        # squeezed, its name beside the sync status, not a gap between them
        self.status_user.setAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        status_bar.name = self.status_user
        status_bar.addPermanentWidget(self.status_user)

        self._build_menus()
        self.new_action.setEnabled(session is not None)
        self.features_installed = False
        if not defer_features:
            self.install_features()
        self.retranslate()
        self.resize(1100, 680)
        self.reload_all()
        self.search.setFocus()

    def add_banner(self, banner: QWidget) -> None:
        """``banner`` at the top of the window's content, above those added before it."""
        self.banners.insertWidget(0, banner)

    @property
    def has_session(self) -> bool:
        return hasattr(self, "session")

    def attach_session(self, session: Session) -> None:
        """The store opened after the first paint: it takes over the list and the search, and
        the person pages, registering and (if asked for meanwhile) the features follow."""
        waiting = self.user is None
        self.session = session
        self.user = session.user
        self._people = StorePeople(session.store)
        if waiting:
            self._show_user()
            self.reload_all()
        elif not self.model.is_search_result():
            people = self._people
            self.model.replace_fetch(lambda offset, limit: people.page(offset, limit))
        self.new_action.setEnabled(True)
        # The quick reader and the quick start (which holds the key) go now, not at the end of
        # the session: a search still reading it on a worker is asked of the store again.
        if self._quick is not None:
            self.close_quick_reader()
            if self._search_pending:
                self._on_search_timer_timeout()
        pending, self._pending_person = self._pending_person, None
        if pending is not None and self._selected_person_id() == pending:
            self.show_person(pending)
        self.session_ready.emit()
        if self._features_wanted:
            self.install_features()

    def attach_quick(self, quick: QuickStart) -> None:
        """The key is unwrapped: the quick reader serves the list and the search of a window
        that was built meanwhile (the store follows with ``attach_session``)."""
        self._quick = quick
        self.user = quick.user
        self._people = quick.reader
        self._show_user()
        self.reload_all()

    def install_features(self) -> None:
        """Plug in visits, referrals, sync, reports …; deferred at start-up so that the list
        and search are usable before the features' modules have loaded."""
        if self.features_installed:
            return
        if not self.has_session:
            self._features_wanted = True  # attach_session installs them
            return
        self.features_installed = True
        from desktop_app.ui.features import FEATURES

        for install in FEATURES:
            install(self)
        self.retranslate()
        self.features_ready.emit()
        self._load_locale_data_behind(current_language())
        window_settled()  # the program then freezes what is alive (ui/application.py)

    def _load_locale_data_behind(self, lang: str) -> None:
        """Load Babel's CLDR data of ``lang`` on a worker, after the first paint: the first
        screen that needs it would otherwise load it on the main thread. The register dialog's
        language names did (120-170 ms, the window stood still, on the first "Register
        person" after a login at the lock, a restore or a language switch). Loaded already
        (the start-up's worker does so), this costs a fraction of a millisecond."""
        from desktop_app.i18n.formatting import load_locale_data

        self.tasks.run(lambda: load_locale_data(lang), lambda _none: None, lambda _exc: None)

    # --- menus ---------------------------------------------------------------------------
    def _build_menus(self) -> None:
        bar = self.menuBar()
        self.file_menu = bar.addMenu("")
        self.new_action = QAction(self)
        self.new_action.setShortcut(QKeySequence.StandardKey.New)
        self.new_action.triggered.connect(self._on_new_triggered)
        self.quit_action = QAction(self)
        self.quit_action.setShortcut(QKeySequence("Ctrl+Q"))
        self.quit_action.triggered.connect(self.close)
        self.file_menu.addAction(self.quit_action)

        self.person_menu = bar.addMenu("")
        self.person_menu.addAction(self.new_action)

        self.edit_menu = bar.addMenu("")
        self.find_action = QAction(self)
        self.find_action.setShortcut(QKeySequence.StandardKey.Find)
        self.find_action.triggered.connect(self._on_find_triggered)
        self.edit_menu.addAction(self.find_action)

        self.language_menu = bar.addMenu("")
        group = QActionGroup(self)
        self.language_actions: dict[str, QAction] = {}
        for code in LANGUAGES:
            action = QAction(LANGUAGE_NAMES[code], self, checkable=True)
            action.setData(code)
            action.setChecked(code == current_language())
            action.triggered.connect(lambda _checked=False, c=code: self.switch_language(c))
            group.addAction(action)
            self.language_menu.addAction(action)
            self.language_actions[code] = action

        self.help_menu = bar.addMenu("")
        self.guide_action = QAction(self)
        self.guide_action.setShortcut(QKeySequence.StandardKey.HelpContents)  # F1
        self.guide_action.triggered.connect(self._on_guide_triggered)
        self.help_menu.addAction(self.guide_action)
        self.shortcuts_action = QAction(self)
        self.shortcuts_action.triggered.connect(self._on_shortcuts_triggered)
        self.help_menu.addAction(self.shortcuts_action)
        self.help_menu.addSeparator()
        self.about_action = QAction(self)
        self.about_action.triggered.connect(self._on_about_triggered)
        self.help_menu.addAction(self.about_action)

    def switch_language(self, lang: str) -> None:
        set_language(lang)
        self.language_actions[lang].setChecked(True)
        self.retranslate()
        if self.features_installed:  # else installing them loads it
            self._load_locale_data_behind(lang)

    def retranslate(self) -> None:
        title = _("Welcome Desk")
        if self.demo:
            title += " — " + _("DEMO (generated data, not saved)")
        self.setWindowTitle(title)
        self.file_menu.setTitle(_("&File"))
        self.new_action.setText(_("&Register person…"))
        self.quit_action.setText(_("&Quit"))
        self.person_menu.setTitle(_("&Person"))
        self.edit_menu.setTitle(_("&Edit"))
        self.find_action.setText(_("&Find person"))
        self.language_menu.setTitle(_("&Language"))
        self.help_menu.setTitle(_("&Help"))
        self.guide_action.setText(_("&Guide"))
        self.shortcuts_action.setText(_("&Keyboard shortcuts"))
        self.about_action.setText(_("&About Welcome Desk"))
        self.search.set_hints(
            _("Find a person: name in any alphabet, date of birth or phone (Ctrl+F)"),
            _("Find a person (Ctrl+F)"),
        )
        self.search.setAccessibleName(_("Find a person"))
        self.table.setAccessibleName(_("People"))
        self._show_user()
        self.model.retranslate()
        self.table.fit_columns()
        self.splitter.fit()  # the list's headers in this language may want more room
        self.person_page.retranslate()
        self._update_result_label()
        self.retranslated.emit()

    def _show_user(self) -> None:
        name = self.user.display_name if self.user is not None else ""
        self.status_user.setText(_("Logged in: {name}").format(name=name) if name else "")
        self.status_user.shorter = name

    # --- list and search -----------------------------------------------------------------
    def reload_all(self) -> None:
        """The whole list again, its first page read here (at start-up it is read already)."""
        source = self._people
        self._total = source.count()
        first_page = source.page(0, PAGE) if self._total else []
        self.model.show_all(
            self._total, lambda offset, limit: source.page(offset, limit), first_page
        )
        self._update_result_label()

    def refresh_after_sync(self) -> None:
        """A sync brought changes: the list (the search typed, the row selected, where it was
        scrolled to) and the person's page show them; what the user was at stays. A person
        erased by the sync: their page says so. No view is logged again (nobody opened one)."""
        shown = self.person_page.person
        chosen = self._selected_person_id()
        if chosen and self.has_session:
            from desktop_app.usecases import merges

            # Merged into another entry on another laptop: the entry kept is selected (and
            # shown, below), not the row of one gone from the list.
            chosen = merges.kept_entry(self.session.store, chosen) or chosen
        query = self.search.text().strip()
        if self.model.is_search_result() and query:
            self._search_generation += 1  # a search under way read the store before
            found = self._people.search(query, SEARCH_SHOWN + 1)
            self._refill_in_place(chosen, lambda: self.model.show_results(found), None)
        else:
            row = self._people.position(chosen) if chosen else None
            self._refill_in_place(chosen, self.reload_all, row)
        if shown is None or not self.has_session:
            return
        from desktop_app.usecases import people

        session = self.session
        person = people.get_person(session.store, session.user, shown.id, log_view=False)
        if person is None:
            self._show_kept_or_erased(shown)
        else:
            self.person_page.show_person(person, reread=True)

    def _show_kept_or_erased(self, shown: Person) -> None:
        """The person shown is gone after a sync: merged into another entry on another laptop
        (``usecases.merges``), the entry kept is shown instead and the status bar says why; else
        erased, and the page says so."""
        from desktop_app.usecases import merges, people

        session = self.session
        kept_id = merges.kept_entry(session.store, shown.id)
        kept = people.get_person(session.store, session.user, kept_id) if kept_id else None
        if kept is None:
            self.person_page.show_erased()
            return
        self.person_page.show_person(kept)
        # Who merged it: the colleague on the other laptop was told that it happened alone.
        by = merged_by_text(merges.merged_by(session.store, shown.id))
        name = f"{shown.given_name} {shown.family_name}"
        # Short on the line, where and by whom in its tooltip (``merged_here_short``).
        bar = self.statusBar()
        assert isinstance(bar, StatusBar)
        bar.show_message(merged_here_short(name), 15000, merged_here_text(name, by))

    def _on_arrival_list_due(self) -> None:
        """The laptop's first sync has brought records since the list was last read (every
        few seconds, ``RecordsArrival.list_due``): the list, or the search typed, read again on
        a worker and shown where the user was. It was read only when the sync had finished."""
        if self._search_pending:
            return  # a search or reload under way reads what has come
        chosen, query = self._selected_person_id(), self.search.text().strip()
        searching = self.model.is_search_result() and bool(query)
        self._search_generation += 1
        generation, source = self._search_generation, self._people

        def read() -> tuple[int, list[PersonListEntry], int | None]:
            if searching:
                found = source.search(query, SEARCH_SHOWN + 1)
                return len(found), found, None
            row = source.position(chosen) if chosen else None
            return source.count(), source.page(0, PAGE), row

        def arrived(result: tuple[int, list[PersonListEntry], int | None]) -> None:
            if generation != self._search_generation:
                return  # a keystroke asked again meanwhile
            total, entries, row = result

            def fill() -> None:
                if searching:
                    self.model.show_results(entries)
                    return
                self._total = total
                self.model.show_all(
                    total, lambda offset, limit: source.page(offset, limit), entries
                )

            self._refill_in_place(chosen, fill, row)

        self.tasks.run(read, arrived, lambda _exc: None)  # the next read, or the sync's end

    def _refill_in_place(
        self, chosen: str | None, fill: Callable[[], None], row: int | None
    ) -> None:
        """``fill`` the list anew, keeping the person ``chosen`` selected (at ``row`` of the whole
        list, or found among the results) and where they were on screen, or the scroll where no
        one is selected. Their page is not shown again (it is theirs already)."""
        before = self.table.currentIndex().row()
        scroll = self.table.verticalScrollBar().value()
        self._keeping_place = True
        try:
            fill()
            self._update_result_label()
            if chosen and self.model.is_search_result():
                row = self.model.row_of(chosen)
            if chosen and row is not None and row >= 0:
                self.table.setCurrentIndex(self.model.index(row, 0))
                if before >= 0:  # as far down the screen as before (others came before them)
                    scroll += self._rows_to_scroll(row - before)
            self.table.verticalScrollBar().setValue(scroll)
        finally:
            self._keeping_place = False

    def _rows_to_scroll(self, rows: int) -> int:
        """The scroll bar's steps for ``rows`` rows (a row, or its height in pixels)."""
        if self.table.verticalScrollMode() == QTableView.ScrollMode.ScrollPerItem:
            return rows
        return rows * self.table.verticalHeader().defaultSectionSize()

    def _update_result_label(self) -> None:
        if self.model.is_search_result():
            n = self.model.rowCount()
            text = (
                self.arrival.found_so_far_text(n)
                or ngettext("{count} found", "{count} found", n).format(count=format_number(n))
                if n
                else self.arrival.nobody_found_text() or _("Nobody found.")
            )
            if n and self.model.more_found and not self.arrival.found_so_far_text(n):
                # "50 found" of the 5,000 people when more matched (Ivan): the first 50.
                text = ngettext(
                    "The first {count} found, more match: type more of the name or the date "
                    "of birth.",
                    "The first {count} found, more match: type more of the name or the date "
                    "of birth.",
                    n,
                ).format(count=format_number(n))
        elif not self._total and self.arrival.empty_list_text():
            text = self.arrival.empty_list_text()
        else:
            text = self.arrival.registered_so_far_text(self._total) or ngettext(
                "{count} person registered", "{count} people registered", self._total
            ).format(count=format_number(self._total))
        self.result_label.setText(text)

    def _on_search_text_changed(self, _text: str) -> None:
        self._first_when_found = False  # typing on after Enter: the keyboard stays here
        self.search_timer.start()

    def _on_search_return_pressed(self) -> None:
        self.search_timer.stop()
        self._on_search_timer_timeout()
        # Once the search has answered (on a worker): the list's first row was opened at
        # once, from the list shown before, another person's page (logged as viewed) beside
        # the person at the desk, and kept where the name typed found nobody.
        self._first_when_found = True

    def _go_to_first_found(self) -> None:
        """After Enter in the search: the first person found opened and the list focused;
        nobody found, the keyboard stays in the search to type the name again."""
        if self._first_when_found:
            self._first_when_found = False
            if self.model.rowCount():
                self._select_row(0)

    def _on_search_timer_timeout(self) -> None:
        query = self.search.text().strip()
        self._search_generation += 1
        generation = self._search_generation
        self._search_pending = True
        source = self._people
        if not query:
            # The whole list again, read on a worker: the list shown stays until it is there.
            self.tasks.run(
                lambda: (source.count(), source.page(0, PAGE)),
                lambda read: self._on_reload_done(generation, source, read),
                lambda exc: self._on_search_failed(generation, exc),
            )
            return
        self.tasks.run(
            lambda: source.search(query, SEARCH_SHOWN + 1),
            lambda result: self._on_search_done(generation, result),
            lambda exc: self._on_search_failed(generation, exc),
        )

    def _on_search_failed(self, generation: int, exc: Exception) -> None:
        if generation != self._search_generation:
            return  # asked again meanwhile (the quick reader it read was closed)
        self._search_pending = False
        self._first_when_found = False  # nothing found: no later search's row to jump to
        self._on_task_failed(exc)

    def _on_reload_done(
        self, generation: int, source: PeopleSource, read: tuple[int, list[PersonListEntry]]
    ) -> None:
        if generation != self._search_generation:
            return  # a newer keystroke already asked again
        self._search_pending = False
        self._total, first_page = read
        self.model.show_all(
            self._total, lambda offset, limit: source.page(offset, limit), first_page
        )
        self._update_result_label()
        self._go_to_first_found()
        self.search_finished.emit(self.model.rowCount())

    def _on_search_done(self, generation: int, result: list[PersonListEntry]) -> None:
        if generation != self._search_generation:
            return  # a newer keystroke already asked again
        self._search_pending = False
        self.model.show_results(result)
        self._update_result_label()
        wanted, self._select_when_found = self._select_when_found, None
        if wanted is not None:
            # The person just registered: their row current, in view and the list focused, so
            # the keyboard goes on from them (not from the search box holding their name).
            row = self.model.row_of(wanted)
            if row >= 0:
                self._select_row(row)
            elif self.person_page.person is None or self.person_page.person.id != wanted:
                self.show_person(wanted)  # not among the names found: their page all the same
        self._go_to_first_found()
        self.search_finished.emit(len(result))

    def _select_row(self, row: int) -> None:
        """The list's row current (its person's page shown), in view and the list focused."""
        index = self.model.index(row, 0)
        entry = self.model.entry(row)
        shown = self.person_page.person
        if index == self.table.currentIndex() and entry and (shown is None or shown.id != entry.id):
            self.show_person(entry.id)  # current already, another page shown: no change said so
        self.table.setCurrentIndex(index)
        self.table.scrollTo(index)
        self.table.setFocus()

    def _on_task_failed(self, exc: Exception, what: str | None = None) -> None:
        """A background task's failure, said as what failed (``what``, translated), why, and
        what to do: the exception's class name was shown, and nobody could act on it."""
        QMessageBox.warning(self, _("Welcome Desk"), failure_message(exc, what))

    def _on_find_triggered(self) -> None:
        self.search.setFocus()
        self.search.selectAll()

    def _on_table_current_changed(self, current: QModelIndex, _previous: QModelIndex) -> None:
        if self._keeping_place:
            return  # the row selected again after a sync: its person's page is shown already
        entry = self.model.entry(current.row()) if current.isValid() else None
        self.show_person(entry.id if entry else None)

    def _selected_person_id(self) -> str | None:
        current = self.table.currentIndex()
        entry = self.model.entry(current.row()) if current.isValid() else None
        return entry.id if entry else None

    def show_person(self, person_id: str | None) -> None:
        if person_id and not self.has_session:
            self._pending_person = person_id  # shown when the store is open, a moment later
            return
        from desktop_app.usecases import people

        session = self.session
        if session.store.closed:  # a selection that came round after the store closed
            return
        person = (
            people.get_person(session.store, session.user, person_id, log_view=False)
            if person_id
            else None
        )
        self.person_page.show_person(person)
        if person is not None:
            self.log_view("person", person.id)

    def open_person(self, person_id: str) -> None:
        """The person's page, their row selected and in view in the list (from the follow-ups):
        the page alone left the list where it was, on somebody else's row or none. The search
        stays as the user left it: their name put into it left the list filtered to them
        alone, and only the search box's clear button brought the list back. A search's result
        without them: their page, and no row of the list selected."""
        row = self.model.row_of(person_id)
        if row >= 0:
            self._select_row(row)
        elif self.model.is_search_result():
            self._show_unlisted(person_id)
        else:
            self._select_in_whole_list(person_id)

    def _select_in_whole_list(self, person_id: str) -> None:
        """Their row in the whole list, found and its page read on a worker (100,000 people:
        the row may be far from any page read yet)."""
        from desktop_app.usecases import people

        store, source, generation = self.session.store, self._people, self.model.generation

        def read() -> tuple[int, list[PersonListEntry]] | None:
            position = people.list_position(store, person_id)
            if position is None:
                return None
            first = position - position % PAGE
            return position, source.page(first, PAGE)

        def found(place: tuple[int, list[PersonListEntry]] | None) -> None:
            if place is None:  # erased meanwhile: the page says so
                self.show_person(person_id)
                return
            position, rows = place
            if self.model.keep_page(generation, position - position % PAGE, rows):
                self._select_row(position)
            else:  # the list was refilled or searched meanwhile
                self.open_person(person_id)

        self.tasks.run(read, found, self._on_task_failed)

    def _show_unlisted(self, person_id: str) -> None:
        """The person's page with no row of the list selected (the row was somebody else's)."""
        self._keeping_place = True
        try:
            self.table.selectionModel().clear()
        finally:
            self._keeping_place = False
        self.show_person(person_id)

    def log_view(
        self, kind: str, person_id: str, details: Mapping[str, str | int] | None = None
    ) -> None:
        """Write a view of what the window shows of a person to the audit log (``record``)."""
        from desktop_app.usecases import audit

        store, user = self.session.store, self.session.user
        self.record(lambda: audit.record_view(store, user, kind, person_id, details))

    def record(
        self,
        fn: Callable[[], Any],
        on_done: Callable[[Any], None] | None = None,
        on_failed: Callable[[Exception], None] | None = None,
    ) -> None:
        """Run a write on ``recorder``: in order, off the UI thread (a sync may hold the store).
        A failure goes to ``on_failed``, else it is an audit write's (``_on_record_failed``)."""
        done = on_done or (lambda _result: None)
        if on_failed is None:  # an audit write: once one succeeds, a new failure is said again

            def written(result: Any) -> None:
                self._audit_failure_said = False
                done(result)

            self.recorder.run(fn, written, self._on_record_failed)
        else:
            self.recorder.run(fn, done, on_failed)

    def _on_record_failed(self, exc: Exception) -> None:
        """An audit write failed (a view, a letter sent out): a security matter (property 14),
        so said, but once, not for every row shown while the store stays unwritable. It went
        to the application's error handler, which only logs: nobody learned of it."""
        if self._audit_failure_said:  # the user was told already: the log keeps each one
            log.warning("an audit write failed again", exc_info=exc)
            return
        self._audit_failure_said = True
        what = _("What you viewed or did could not be written to the audit log.")
        self._on_task_failed(exc, what)

    def wait_for_background(self, msecs: int = 3000) -> None:
        """Let the window's worker threads finish (before the store is closed)."""
        self.recorder.wait(msecs)
        self.tasks.wait(msecs)

    # --- registering ---------------------------------------------------------------------
    def _on_new_triggered(self) -> None:
        # During the laptop's first sync, the person may be among the records still to come.
        if not self.arrival.ask_before_registering(self, self.open_register_dialog):
            self.open_register_dialog()

    def open_register_dialog(self) -> RegisterPersonDialog:
        dialog = RegisterPersonDialog(self.session.store, self.session.user, self)
        dialog.person_registered.connect(self._on_dialog_person_registered)
        # what was typed, for the entry opened instead (read before the dialog closes)
        dialog.open_existing.connect(
            lambda person_id, d=dialog: self._on_dialog_open_existing(person_id, d.draft())
        )
        dialog.open()
        return dialog

    def _on_dialog_person_registered(self, person: Person) -> None:
        self._total += 1
        # What counts changes (the status bar's changes kept here): offline it said "0 changes
        # to send" after a registration until the next sync tried, up to a minute later.
        self.person_data_saved.emit(person.id)
        self._search_for(person.id, person.family_name, person.given_name)
        self.person_page.show_person(person)
        self.statusBar().showMessage(registered_text(person), 5000)

    def _search_for(self, person_id: str, family_name: str, given_name: str) -> None:
        """The person's name in the search box and their row, among the people it finds,
        current and the list focused (their page shown with it): after the register dialog,
        the person registered or the entry opened instead."""
        self._select_when_found = person_id
        self.search.setText(f"{family_name} {given_name}")
        # searched now, not once more when the typing pause ends: that second search reset
        # the list after the first had made the new person's row current
        self.search_timer.stop()
        self._on_search_timer_timeout()

    def _show_found(self, person_id: str) -> None:
        """The entry the duplicate check found, opened: as a person registered, their name in
        the search box and their row selected in what it finds. Their page alone left the
        search as typed before the dialog ("Popescu Maria") and the list on its result, or
        on somebody else's row, beside another person's page."""
        from desktop_app.usecases import people

        entry, _erased = people.list_entry(self.session.store, person_id)
        if entry is None:  # erased meanwhile: the page says so
            self.show_person(person_id)
            return
        self._search_for(person_id, entry.family_name, entry.given_name)

    def _on_dialog_open_existing(self, person_id: str, typed: PersonDraft | None = None) -> None:
        """The entry the duplicate check found, opened instead of registering the person
        again: what was typed of them fills in what it lacks (the full date of birth from
        the ID card where it had the year only), and the status line says what. The helper
        who opened the father's entry lost the date typed from his card, and the letters
        went on saying "geb. 1989"."""
        from desktop_app.usecases import people

        if typed is None:
            self._show_found(person_id)
            return
        store, user = self.session.store, self.session.user

        def completed(fields: tuple[str, ...]) -> None:
            if store is not self.session.store or store.closed:
                return  # locked or another user meanwhile
            # searched for after what was added: the list's date and nationality columns
            self._show_found(person_id)
            if fields:
                self.person_data_saved.emit(person_id)
                from babel.lists import format_list

                names = format_list([_(FIELD_NAMES[f]) for f in fields], locale=current_language())
                self.statusBar().showMessage(
                    _("Added to the personal data from what you typed: {fields}.").format(
                        fields=names
                    ),
                    8000,
                )

        def failed(exc: Exception) -> None:
            self._show_found(person_id)
            self._on_task_failed(exc)

        self.tasks.run(
            lambda: people.complete_from_registration(store, user, person_id, typed),
            completed,
            failed,
        )

    def _on_guide_triggered(self) -> None:
        from desktop_app.ui.help import open_guide

        open_guide(self)

    def _on_shortcuts_triggered(self) -> None:
        from desktop_app.ui.help import open_shortcuts

        open_shortcuts(self)

    def _on_about_triggered(self) -> None:
        QMessageBox.about(
            self,
            _("About Welcome Desk"),
            _("Welcome Desk {version}: open advice sessions, offline and encrypted.").format(
                version=__version__
            ),
        )

    def closeEvent(self, event: QCloseEvent) -> None:
        self.close_forms()
        self.closing.emit()
        self.wait_for_background()
        self.close_quick_reader()
        super().closeEvent(event)

    def close_forms(self) -> None:
        """Close the windows opened from this one (a visit form saves what was typed as its
        draft) while the store is still open: quitting ended the program with them open, and
        what was typed since the last autosave was lost when the store closed."""
        for child in self.findChildren(QWidget):
            if child.isWindow() and child.isVisible():
                child.close()

    def close_quick_reader(self) -> None:
        if self._quick is not None:
            self._quick.reader.close()
            self._quick = None
