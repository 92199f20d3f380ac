"""The window's notice of a publication this laptop cannot use (forms or the service directory
from a newer Welcome Desk, or damaged): an amber banner above the list and the person's page,
so that an advisor does not fill in outdated forms or print outdated addresses unawares. Read
at start and after every sync; it goes once the publication is usable (an update, or a new
publication)."""

from __future__ import annotations

import html
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QObject, Qt
from PySide6.QtWidgets import QWidget

from desktop_app import __version__
from desktop_app.i18n.messages import unusable_publication_detail, unusable_publication_message
from desktop_app.i18n.text import _
from desktop_app.ui.banner import WarningBanner
from desktop_app.usecases import reference

if TYPE_CHECKING:
    from desktop_app.ui.main_window import MainWindow


class PublicationBanner(WarningBanner):
    """One sentence per unusable publication; what to do in the tooltip. Nothing to hide: it
    stays while the shipped data is used instead of what the coordination published."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__("publication_banner", parent)
        self.text.setTextFormat(Qt.TextFormat.PlainText)

    def show_unusable(self, found: list[reference.Unusable]) -> None:
        lines = [unusable_publication_message(u.name, u.reason, u.refused) for u in found]
        details = list(
            dict.fromkeys(
                unusable_publication_detail(u.reason, u.publisher_version, __version__)
                for u in found
            )
        )
        self.text.setText("\n".join(lines))
        tip = "\n".join([*lines, *details])
        self.text.setToolTip(html.escape(tip).replace("\n", "<br>"))
        self.setToolTip(self.text.toolTip())
        self.setAccessibleName(_("Warning"))
        self.setAccessibleDescription(tip)
        self.text.setAccessibleName(tip)
        self.setVisible(bool(found))

    def plain_text(self) -> str:
        return self.text.text()


class PublicationNotice(QObject):
    """Keeps the banner as ``reference.unusable_publications`` says, read off the UI thread."""

    def __init__(self, window: MainWindow) -> None:
        super().__init__(window)
        self.window = window
        self.found: list[reference.Unusable] = []
        self.banner = PublicationBanner()
        window.add_banner(self.banner)
        window.retranslated.connect(self._show)
        self._generation = 0

    def check(self, _result: Any = None) -> None:
        """Read which publications cannot be used (at start, and after every sync)."""
        self._generation += 1
        generation, store = self._generation, self.window.session.store

        def found(unusable: list[reference.Unusable]) -> None:
            if generation == self._generation:  # a later reading is under way or shown
                self.found = unusable
                self._show()

        self.window.tasks.run(
            lambda: reference.unusable_publications(store), found, lambda _e: None
        )

    def _show(self) -> None:
        self.banner.show_unusable(self.found)
