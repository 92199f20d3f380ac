"""The window's notice of a publication this laptop cannot use (forms or the service directory
from a newer Welcome Desk, or damaged): an amber banner above the list and the person's page,
so that an advisor does not fill in outdated forms or print outdated addresses unawares. Read
at start and after every sync; it goes once the publication is usable (an update, or a new
publication).

And the notice that a sync brought a service directory another laptop published: who, when
and what changed (the coordinator's note), and what it does to letters, until it is hidden."""

from __future__ import annotations

import html
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QObject, Qt
from PySide6.QtWidgets import QPushButton, QWidget

from desktop_app import __version__
from desktop_app.i18n.formatting import format_long_date
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


class DirectoryUpdatedBanner(WarningBanner):
    """A service directory another laptop published arrived: an advisor learned it nowhere (the
    coordinator's note of what changed showed only in the coordinators' directory window), and
    told a person the old address from memory or a letter printed before. "Hide notice"."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__("directory_updated_banner", parent)
        self.text.setTextFormat(Qt.TextFormat.PlainText)
        self.hide_button = QPushButton()
        self.hide_button.setObjectName("hide_directory_updated")
        self.hide_button.setAutoDefault(False)
        self.row.addWidget(self.hide_button, 0, Qt.AlignmentFlag.AlignVCenter)

    def show_publication(self, published: reference.Publication) -> None:
        when = format_long_date(published.published_at.date())
        if published.note:
            lead = _("The service directory was updated by {name} on {when}: {note}.").format(
                name=published.publisher, when=when, note=published.note.rstrip(".")
            )
        else:
            lead = _("The service directory was updated by {name} on {when}.").format(
                name=published.publisher, when=when
            )
        text = f"{lead} " + _(
            "New letters and those waiting in the print queue show the new details; letters "
            "printed before show the old ones."
        )
        self.text.setText(text)
        self.setAccessibleName(_("Notice"))
        self.setAccessibleDescription(text)
        self.text.setAccessibleName(text)
        self.hide_button.setText(_("&Understood"))
        self.hide_button.setAccessibleDescription(text)  # a screen reader says what it hides

    def plain_text(self) -> str:
        return self.text.text()


#: the directory in force when the window opened could not be read
UNKNOWN = -1


class PublicationNotice(QObject):
    """Keeps the banner as ``reference.unusable_publications`` says, and the directory's notice
    as the directory in force says after each sync, both read off the UI thread."""

    def __init__(self, window: MainWindow) -> None:
        super().__init__(window)
        self.window = window
        self.found: list[reference.Unusable] = []
        self.banner = PublicationBanner()
        window.add_banner(self.banner)
        self.directory_banner = DirectoryUpdatedBanner()
        self.directory_banner.hide_button.clicked.connect(self._on_hide_directory_clicked)
        window.add_banner(self.directory_banner)
        #: a directory another laptop published that came since the window opened, to tell
        self.directory_news: reference.Publication | None = None
        #: the revision of the directory in force when the window opened (None: not read yet)
        self._directory_seen: int | None = None
        #: a sync's reading that came back before the first one (compared once that has)
        self._waiting: tuple[reference.Publication | None, bool] | None = None
        window.retranslated.connect(self._show)
        self._generation = 0

    def check(self, _result: Any = None) -> None:
        """Read which publications cannot be used, and the directory in force (at start, and
        after every sync)."""
        self._generation += 1
        generation, store = self._generation, self.window.session.store

        def read() -> tuple[list[reference.Unusable], reference.Publication | None, bool]:
            unusable = reference.unusable_publications(store)
            if any(u.name == reference.SERVICES for u in unusable):
                return unusable, None, False  # the shipped one applies: said above
            published = reference.published_directory(store)
            return unusable, published, reference.published_here(store, reference.SERVICES)

        def found(
            answer: tuple[list[reference.Unusable], reference.Publication | None, bool],
        ) -> None:
            unusable, published, here = answer
            if generation == 1:
                # The first reading (at start): what is in force then is no news; a sync's
                # reading that came back before it is compared with it now.
                self._directory_seen = published.revision if published is not None else 0
                if self._waiting is not None:
                    self._learn(*self._waiting)
                    self._waiting = None
            elif self._directory_seen is None:
                self._waiting = (published, here)
            else:
                self._learn(published, here)
            if generation == self._generation:  # a later reading is under way or shown
                self.found = unusable
                self._show()

        def failed(_exc: Exception) -> None:
            if generation == 1:  # the next reading tells what is in force, as no news
                self._directory_seen = UNKNOWN
                if self._waiting is not None:
                    self._learn(*self._waiting)
                    self._waiting = None

        self.window.tasks.run(read, found, failed)

    def _learn(self, published: reference.Publication | None, here: bool) -> None:
        """The directory in force read after a sync: news when another laptop published it
        since the window opened (this laptop's own publication is no news to its maker)."""
        if published is None or published.revision == self._directory_seen:
            return
        if self._directory_seen == UNKNOWN:
            self._directory_seen = published.revision
            return
        self._directory_seen = published.revision
        self.directory_news = None if here else published

    def _on_hide_directory_clicked(self) -> None:
        self.directory_news = None
        self._show()

    def _show(self) -> None:
        self.banner.show_unusable(self.found)
        if self.directory_news is not None:
            self.directory_banner.show_publication(self.directory_news)
        self.directory_banner.setVisible(self.directory_news is not None)
