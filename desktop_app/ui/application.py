"""Qt application set-up: bundled fonts, Qt's own translations following the UI language."""

from __future__ import annotations

import sys

from PySide6.QtCore import QLibraryInfo, QLocale, QTranslator
from PySide6.QtGui import QFont, QFontDatabase
from PySide6.QtWidgets import QApplication

from desktop_app.i18n.text import on_language_changed
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


def load_fonts(app: QApplication) -> None:
    """Register the bundled font so every script renders without any system font."""
    families: list[str] = []
    for name in FONT_FILES:
        font_id = QFontDatabase.addApplicationFont(str(resource("fonts", name)))
        if font_id >= 0:
            families.extend(QFontDatabase.applicationFontFamilies(font_id))
    if families:
        app.setFont(QFont(families[0], 10))


class QtTranslations:
    """Keeps Qt's own dialog strings (OK, Cancel …) in the UI language where Qt ships them."""

    def __init__(self, app: QApplication) -> None:
        self._app = app
        self._translator: QTranslator | None = None
        on_language_changed(self.apply)

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
