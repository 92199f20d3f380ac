"""Qt application set-up: bundled fonts, Qt's own translations following the UI language."""

from __future__ import annotations

import gc
import sys
import time

from PySide6.QtCore import QLibraryInfo, QLocale, QObject, QTimer, QTranslator
from PySide6.QtGui import QFont, QFontDatabase
from PySide6.QtWidgets import QApplication

from desktop_app.i18n.text import N_, gettext_in, off_language_changed, on_language_changed
from desktop_app.paths import resource

FONT_FILES = ("DejaVuSans.ttf", "DejaVuSans-Bold.ttf")


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
#: a full collection (all objects: some 60 ms with 10,000 people in the list) comes at most
#: this often, and at most once per hundred times its last duration
GC_FULL_MIN_INTERVAL_S = 30.0


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
    """

    def __init__(self, app: QApplication, interval_ms: int = GC_INTERVAL_MS) -> None:
        super().__init__(app)
        self._next_full = time.monotonic() + GC_FULL_MIN_INTERVAL_S
        self._timer = QTimer(self)
        self._timer.setInterval(interval_ms)
        self._timer.timeout.connect(self.collect_due)
        gc.disable()
        self._timer.start()

    def collect_due(self) -> None:
        counts = gc.get_count()
        limits = gc.get_threshold()
        generation = -1
        for gen in range(3):
            if counts[gen] <= limits[gen]:
                break
            generation = gen
        if generation == 2 and time.monotonic() < self._next_full:
            generation = 1
        if generation < 0:
            return
        started = time.monotonic()
        gc.collect(generation)
        if generation == 2:
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


def load_fonts(app: QApplication) -> None:
    """Register the bundled font so every script renders without any system font."""
    families: list[str] = []
    for name in FONT_FILES:
        font_id = QFontDatabase.addApplicationFont(str(resource("fonts", name)))
        if font_id >= 0:
            families.extend(QFontDatabase.applicationFontFamilies(font_id))
    if families:
        app.setFont(QFont(families[0], 10))


# Qt's own texts of standard buttons (OK, Cancel … in dialogs and message boxes), as Qt names
# them (``QPlatformTheme``), with our catalogs' words for them.
STANDARD_BUTTONS = {
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
}


class CatalogTranslator(QTranslator):
    """Qt's standard button texts from our catalogs, for a language Qt ships none for
    (Romanian: PySide6 has no ``qtbase_ro``)."""

    def __init__(self, lang: str, parent: QObject) -> None:
        super().__init__(parent)
        self.lang = lang

    def translate(
        self, context: str, source: str, disambiguation: str | None = None, n: int = -1
    ) -> str:
        if context == "QPlatformTheme" and source in STANDARD_BUTTONS:
            return gettext_in(self.lang, STANDARD_BUTTONS[source])
        return ""  # not ours: Qt's source text

    def isEmpty(self) -> bool:
        return False


class QtTranslations:
    """Keeps Qt's own dialog strings (OK, Cancel …) in the UI language: Qt's translations
    where Qt ships them, else our catalogs' words for the standard buttons."""

    def __init__(self, app: QApplication) -> None:
        self._app = app
        self._translator: QTranslator | None = None
        on_language_changed(self.apply)

    def stop(self) -> None:
        """Remove its translator and stop following the language (tests)."""
        off_language_changed(self.apply)
        if self._translator is not None:
            self._app.removeTranslator(self._translator)
            self._translator = None

    def apply(self, lang: str) -> None:
        if self._translator is not None:
            self._app.removeTranslator(self._translator)
            self._translator = None
        QLocale.setDefault(QLocale(lang))
        translator = QTranslator(self._app)
        folder = QLibraryInfo.path(QLibraryInfo.LibraryPath.TranslationsPath)
        if translator.load(f"qtbase_{lang}", folder):
            self._app.installTranslator(translator)
            self._translator = translator
        elif lang != "en":
            translator = CatalogTranslator(lang, self._app)
            self._app.installTranslator(translator)
            self._translator = translator
