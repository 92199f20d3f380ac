"""Qt application set-up: bundled fonts, Qt's own translations following the UI language,
per-laptop settings older versions left behind, a focus frame on text areas."""

from __future__ import annotations

import gc
import sys
import time

from PySide6.QtCore import QLibraryInfo, QLocale, QObject, QSettings, QTimer, QTranslator
from PySide6.QtGui import QFont, QFontDatabase, QPainter, QPalette
from PySide6.QtWidgets import (
    QApplication,
    QPlainTextEdit,
    QProxyStyle,
    QStyle,
    QStyleOption,
    QTextEdit,
    QWidget,
)

from desktop_app import memory
from desktop_app.i18n.text import N_, gettext_in, off_language_changed, on_language_changed
from desktop_app.paths import resource

FONT_FILES = ("DejaVuSans.ttf", "DejaVuSans-Bold.ttf")


#: QSettings keys older versions wrote that nothing reads any more. "security/idle_minutes":
#: the lock's own key (File → Lock after…, which anyone could set up to 120 minutes); the lock
#: reads "security/idle_lock_minutes" now, which only the settings dialog writes. Left in place,
#: a version that read it again would lock after a helper's time. "sync/server_url": where the
#: settings dialog kept an address nobody read (the sync reads the store's).
STALE_SETTINGS = ("security/idle_minutes", "sync/server_url")


def drop_stale_settings(settings: QSettings) -> list[str]:
    """Remove ``STALE_SETTINGS`` from this laptop's settings (once: at each start-up, where an
    old install still has them); the keys removed."""
    stale = [key for key in STALE_SETTINGS if settings.contains(key)]
    for key in stale:
        settings.remove(key)
    if stale:
        settings.sync()  # written now, not when the program ends (it may not end cleanly)
    return stale


#: how long a thread keeps Python's interpreter lock while another waits (Python's default 5 ms)
UI_SWITCH_INTERVAL_S = 0.001


def share_interpreter_with_workers() -> None:
    """Let the UI thread get the interpreter back quickly while workers (a sync, a report) run.

    With two busy workers, Python hands its lock on to one of the waiting threads every
    switch interval, not necessarily to the UI thread: at the default 5 ms the window waited
    over 100 ms at times during a first sync. At 1 ms the wait stays a few tens of ms; the
    workers lose a few per cent.
    """
    sys.setswitchinterval(UI_SWITCH_INTERVAL_S)


#: how often the UI thread looks whether Python's cycle collector has work to do
GC_INTERVAL_MS = 250
#: a full collection (all objects not frozen) comes at most this often, and at most once per
#: hundred times its last duration
GC_FULL_MIN_INTERVAL_S = 30.0
#: from a window's features installed until what is alive is frozen (``memory.freeze``): the
#: UI language's Babel data and the features' first reads load on workers meanwhile
GC_SETTLE_S = 5.0


class GuiThreadCollector(QObject):
    """Python's cycle collector runs on the UI thread only, driven by a timer.

    Left alone, the collector runs in whichever thread allocates past its threshold. When that
    is a worker (a sync, a letter being drawn) and the garbage holds a closed dialog, the
    dialog's C++ side is destroyed off the UI thread and the program crashes (a test run died
    so with a segmentation fault). Automatic collection is switched off; the timer collects
    the generations whose counts passed Python's own thresholds, as Python would have, but on
    the UI thread; a full collection, whose time grows with everything alive, no more often
    than ``GC_FULL_MIN_INTERVAL_S`` (Python spaces them out too). Objects without cycles are
    freed at once as before.

    The program (``freeze_when_settled``) also freezes what is alive once a window's features
    are installed: some 180,000 objects of modules, classes, Babel's data and the window, which
    every full collection walked again (a quarter of a second on the UI thread with the demo's
    5,000 people, measured beside a CI run: ``bench/gc_pause.py``). A store that closes gives
    them back (``memory.thaw``: cycles holding its key are among them), and the next tick
    collects them all; ``GC_SETTLE_S`` later (or after the next window has settled) what is
    alive is frozen again.
    """

    def __init__(self, app: QApplication, interval_ms: int = GC_INTERVAL_MS) -> None:
        super().__init__(app)
        self._next_full = time.monotonic() + GC_FULL_MIN_INTERVAL_S
        self._freezes = False
        self._freeze_at: float | None = None
        self._froze = False
        self._timer = QTimer(self)
        self._timer.setInterval(interval_ms)
        self._timer.timeout.connect(self.collect_due)
        gc.disable()
        self._timer.start()

    def freeze_when_settled(self, freezes: bool = True) -> None:
        """From now on, freeze what is alive ``GC_SETTLE_S`` after a window has settled."""
        self._freezes = freezes
        if not freezes:
            self._freeze_at = None

    def settled(self) -> None:
        """A window has installed its features (``MainWindow.install_features``)."""
        if self._freezes and not memory.is_frozen():
            self._freeze_at = time.monotonic() + GC_SETTLE_S

    def collect_due(self) -> None:
        if self._froze and not memory.is_frozen():  # a store closed: what held its key goes
            self._froze = False
            self._collect_full()
            if self._freezes:  # (a window that settled while the old store was open said so)
                self._freeze_at = max(self._freeze_at or 0.0, time.monotonic() + GC_SETTLE_S)
            return
        if self._freeze_at is not None and time.monotonic() >= self._freeze_at:
            self._freeze_at = None
            if not memory.is_frozen():
                self._collect_full()  # garbage now is not frozen with the rest
                memory.freeze()
                self._froze = True
            return
        counts = gc.get_count()
        limits = gc.get_threshold()
        generation = -1
        for gen in range(3):
            if counts[gen] <= limits[gen]:
                break
            generation = gen
        if generation == 2 and time.monotonic() < self._next_full:
            generation = 1
        if generation == 2:
            self._collect_full()
        elif generation >= 0:
            gc.collect(generation)

    def _collect_full(self) -> None:
        started = time.monotonic()
        gc.collect(2)
        took = time.monotonic() - started
        self._next_full = started + max(GC_FULL_MIN_INTERVAL_S, 100 * took)

    def stop(self) -> None:
        self._timer.stop()
        gc.enable()


def collect_garbage_on_gui_thread(app: QApplication) -> GuiThreadCollector:
    """Install the collector once per application (later calls return the same one)."""
    existing = app.findChild(GuiThreadCollector)
    if isinstance(existing, GuiThreadCollector):
        return existing
    return GuiThreadCollector(app)


def window_settled() -> None:
    """Tell the application's collector, if one is installed, that a window has settled."""
    app = QApplication.instance()
    collector = app.findChild(GuiThreadCollector) if app is not None else None
    if isinstance(collector, GuiThreadCollector):
        collector.settled()


def load_fonts(app: QApplication) -> None:
    """Register the bundled font so every script renders without any system font."""
    families: list[str] = []
    for name in FONT_FILES:
        font_id = QFontDatabase.addApplicationFont(str(resource("fonts", name)))
        if font_id >= 0:
            families.extend(QFontDatabase.applicationFontFamilies(font_id))
    if families:
        app.setFont(QFont(families[0], 10))


class FocusFrameStyle(QProxyStyle):
    """The platform's style, with the frame of a text area in the highlight colour while it
    has the focus, as a line edit's is. Fusion (Linux) changes nothing on a text area given the
    focus but its caret: the notes, a form's long answers and the consent text (read-only, no
    caret at all) gave a keyboard user no sign of where Tab had gone."""

    def drawControl(
        self,
        element: QStyle.ControlElement,
        option: QStyleOption,
        painter: QPainter,
        widget: QWidget | None = None,
    ) -> None:
        super().drawControl(element, option, painter, widget)
        if (
            element == QStyle.ControlElement.CE_ShapedFrame
            and option.state & QStyle.StateFlag.State_HasFocus
            and isinstance(widget, (QTextEdit, QPlainTextEdit))
        ):
            painter.save()
            painter.setPen(option.palette.color(QPalette.ColorRole.Highlight))
            painter.drawRect(option.rect.adjusted(0, 0, -1, -1))
            painter.restore()


class FocusFrames(QObject):
    """Each text area drawn with FocusFrameStyle from the first time it gets the focus. Only
    they: the whole application in a style written in Python painted a 60-row table a quarter
    slower (each cell's drawing calls into Python)."""

    def __init__(self, app: QApplication) -> None:
        super().__init__(app)
        self.app = app
        self.style = FocusFrameStyle(app.style().name())
        self.style.setParent(app)  # outlives this object: the widgets keep it
        app.focusChanged.connect(self._on_focus_changed)

    def _on_focus_changed(self, _old: QWidget | None, new: QWidget | None) -> None:
        # A style sheet's frame is drawn by no style: such a one says it by a :focus rule.
        if (
            isinstance(new, (QTextEdit, QPlainTextEdit))
            and not new.styleSheet()
            and new.style() is not self.style
        ):
            new.setStyle(self.style)

    def stop(self) -> None:
        self.app.focusChanged.disconnect(self._on_focus_changed)


def show_focus(app: QApplication) -> FocusFrames:
    """Install the text areas' focus frame once per application (later calls return it)."""
    existing = app.findChild(FocusFrames)
    if isinstance(existing, FocusFrames):
        return existing
    return FocusFrames(app)


# Qt's own texts where PySide6 ships no translation (Romanian), by Qt's context and source text,
# with our catalogs' words for them: the standard buttons of dialogs and message boxes, the
# context menus of text fields and spin boxes, and Qt's own file dialog (on a desktop without
# a native one). Anything else stays in Qt's English.
_EDIT_MENU = {
    "&Undo": N_("&Undo"),
    "&Redo": N_("&Redo"),
    "Cu&t": N_("Cu&t"),
    "&Copy": N_("&Copy"),
    "&Paste": N_("&Paste"),
    "Delete": N_("Delete"),
    "Select All": N_("Select All"),
}
_QT_CONTEXTS: dict[str, dict[str, str]] = {
    "QPlatformTheme": {
        "OK": N_("OK"),
        "Save": N_("Save"),
        "Open": N_("Open"),
        "&Yes": N_("&Yes"),
        "&No": N_("&No"),
        "Close": N_("Close"),
        "Cancel": N_("Cancel"),
        "Discard": N_("Discard"),
        "Apply": N_("Apply"),
        "Help": N_("Help"),
    },
    "QProgressDialog": {"Cancel": N_("Cancel")},
    "QLineEdit": _EDIT_MENU,
    "QWidgetTextControl": {**_EDIT_MENU, "Copy &Link Location": N_("Copy &Link Location")},
    "QAbstractSpinBox": {
        "&Select All": N_("&Select All"),
        "&Step up": N_("&Step up"),
        "Step &down": N_("Step &down"),
    },
    "QFileDialog": {
        "&Look in:": N_("&Look in:"),
        "File &name:": N_("File &name:"),
        "Files of &type:": N_("Files of &type:"),
        "Directory:": N_("Directory:"),
        "&Open": N_("&Open"),
        "&Save": N_("&Save"),
        "&Choose": N_("&Choose"),
        "All Files (*)": N_("All Files (*)"),
        "Back": N_("Back"),
        "Forward": N_("Forward"),
        "Go back": N_("Go back"),
        "Go forward": N_("Go forward"),
        "Parent Directory": N_("Parent Directory"),
        "Go to the parent directory": N_("Go to the parent directory"),
        "Create New Folder": N_("Create New Folder"),
        "Create a New Folder": N_("Create a New Folder"),
        "&New Folder": N_("&New Folder"),
        "&Rename": N_("&Rename"),
        "&Delete": N_("&Delete"),
        "Show &hidden files": N_("Show &hidden files"),
        "List View": N_("List View"),
        "Detail View": N_("Detail View"),
        "Change to list view mode": N_("Change to list view mode"),
        "Change to detail view mode": N_("Change to detail view mode"),
        "Sidebar": N_("Sidebar"),
        "List of places and bookmarks": N_("List of places and bookmarks"),
        "Files": N_("Files"),
        "Directories": N_("Directories"),
    },
    "QAbstractFileIconProvider": {
        "Folder": N_("Folder"),
        "File Folder": N_("Folder"),
        "Drive": N_("Drive"),
        "File": N_("File"),
    },
    "QFileSystemModel": {
        "Name": N_("Name"),
        "Size": N_("Size"),
        "Type": N_("Type"),
        "Date Modified": N_("Date Modified"),
        "Computer": N_("Computer"),
    },
}
QT_TEXTS: dict[tuple[str, str], str] = {
    (context, source): message
    for context, texts in _QT_CONTEXTS.items()
    for source, message in texts.items()
}
# Key names Qt shows in shortcuts (menus, the shortcuts list, tooltips) that ours replace in
# every language, Qt's own translation included: Qt names the big key "Return" (German too:
# "Strg+Return"), while the keyboards and the users say Enter (German: Eingabe). Both Qt
# names, as the keypad's Enter is the same key to a user.
KEY_NAMES: dict[tuple[str, str], str] = {
    ("QShortcut", "Return"): N_("Enter (key)"),
    ("QShortcut", "Enter"): N_("Enter (key)"),
}


class CatalogTranslator(QTranslator):
    """Qt's own texts from our catalogs: the key names (``KEY_NAMES``) always, before Qt's own
    translation (``beneath``, if Qt ships one); the texts of ``QT_TEXTS`` where Qt has none
    (Romanian: PySide6 has no ``qtbase_ro``; gaps in Qt's Bulgarian)."""

    def __init__(
        self,
        lang: str,
        parent: QObject,
        only: set[tuple[str, str]] | None = None,
        beneath: QTranslator | None = None,
    ) -> None:
        super().__init__(parent)
        self.lang = lang
        # Which of QT_TEXTS it answers (all unless given: those Qt's own translation lacks).
        chosen = QT_TEXTS if only is None else {k: QT_TEXTS[k] for k in only}
        self.texts = {**chosen, **KEY_NAMES}
        self.beneath = beneath

    def translate(
        self, context: str, source: str, disambiguation: str | None = None, n: int = -1
    ) -> str | None:
        message = self.texts.get((context, source))
        if message is not None:
            return gettext_in(self.lang, message)
        if self.beneath is not None:
            theirs = self.beneath.translate(context, source, disambiguation, n)
            if theirs:
                return theirs
        # Not ours: a null string, so Qt uses its source text. An empty one ("") would be
        # taken as the translation: blank context-menu entries, "\tZ" for "Ctrl+Z" in menus.
        return None

    def isEmpty(self) -> bool:
        return False


class QtTranslations:
    """Keeps Qt's own texts (OK, Cancel, a text field's context menu, key names …) in the UI
    language: Qt's translations where Qt ships them, and our catalogs' words where it does
    not (Romanian, the few texts Qt's Bulgarian leaves untranslated), and for the key names
    in every language, English too."""

    def __init__(self, app: QApplication) -> None:
        self._app = app
        self._translators: list[QTranslator] = []
        on_language_changed(self.apply)

    def stop(self) -> None:
        """Remove its translators and stop following the language (tests)."""
        off_language_changed(self.apply)
        self._remove()

    def _remove(self) -> None:
        for translator in self._translators:
            self._app.removeTranslator(translator)
        self._translators = []

    def apply(self, lang: str) -> None:
        self._remove()
        QLocale.setDefault(QLocale(lang))
        if lang == "en":
            self._install(CatalogTranslator(lang, self._app, set()))  # the key names alone
            return
        qt = QTranslator(self._app)
        if not qt.load(
            f"qtbase_{lang}", QLibraryInfo.path(QLibraryInfo.LibraryPath.TranslationsPath)
        ):
            self._install(CatalogTranslator(lang, self._app))  # Romanian: ours alone
            return
        # One translator, ours with Qt's beneath it: every translator installed makes every
        # widget retranslate itself, which was a tenth of the start-up in German. Ours answers
        # the key names, and of QT_TEXTS only what Qt's leaves untranslated (Bulgarian: "Look
        # in", "Folder" …); Qt's answers the rest.
        gaps = {key for key in QT_TEXTS if not qt.translate(*key)}
        self._install(CatalogTranslator(lang, self._app, gaps, beneath=qt))

    def _install(self, translator: QTranslator) -> None:
        self._app.installTranslator(translator)
        self._translators.append(translator)
