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
from desktop_app.letters.directory import ServiceDirectory
from desktop_app.ui.banner import WarningBanner
from desktop_app.usecases import reference
from desktop_app.usecases import sync as sync_uc

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

    def show_publication(
        self, published: reference.Publication, changes: reference.DirectoryChanges
    ) -> None:
        when = format_long_date(published.published_at.date())
        if published.note:
            lead = _("The service directory was updated by {name} on {when}: {note}.").format(
                name=published.publisher, when=when, note=published.note.rstrip(".")
            )
        else:
            lead = _("The service directory was updated by {name} on {when}.").format(
                name=published.publisher, when=when
            )
        # By the entries themselves: the note names what its own publication changed, and a
        # laptop that syncs after two publications got the last one's note only.
        parts = [lead]
        for names, said in (
            (changes.changed, _("Changed: {names}.")),
            (changes.added, _("New: {names}.")),
            (changes.removed, _("Taken out: {names}.")),
        ):
            if names:
                parts.append(said.format(names=", ".join(names)))
        parts.append(
            _(
                "New letters and those waiting in the print queue show the new details; "
                "letters printed before show the old ones."
            )
        )
        text = " ".join(parts)
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
#: what a reading after a sync found: the directory published (None: none, or one this laptop
#: cannot use), whether this laptop published it, the directory in force
Reading = tuple["reference.Publication | None", bool, "ServiceDirectory", bool]


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
        #: the services it changed against the directory told last (or in force at start)
        self.directory_changes = reference.DirectoryChanges()
        #: the directory in force when the window opened, or when the last news was hidden
        self._directory_before: ServiceDirectory | None = None
        self._directory_now: ServiceDirectory | None = None
        #: the revision of the directory in force when the window opened (None: not read yet)
        self._directory_seen: int | None = None
        #: a sync's reading that came back before the first one (compared once that has)
        self._waiting: Reading | None = None
        #: no sync had got through on this laptop at the last reading: the directory its first
        #: sync brings is the team's, in force since before it joined, and no news (its user
        #: was told each difference from the shipped one: every service of the city)
        self._first_sync_due = False
        window.retranslated.connect(self._show)
        self._generation = 0

    def check(self, _result: Any = None) -> None:
        """Read which publications cannot be used, and the directory in force (at start, and
        after every sync)."""
        self._generation += 1
        generation, store = self._generation, self.window.session.store

        def read() -> tuple[list[reference.Unusable], Reading]:
            due = sync_uc.first_sync_due(store)
            unusable = reference.unusable_publications(store)
            directory = reference.service_directory(store)
            if any(u.name == reference.SERVICES for u in unusable):
                return unusable, (None, False, directory, due)  # the shipped one: said above
            published = reference.published_directory(store)
            here = reference.published_here(store, reference.SERVICES)
            return unusable, (published, here, directory, due)

        def found(answer: tuple[list[reference.Unusable], Reading]) -> None:
            unusable, reading = answer
            if generation == 1:
                # The first reading (at start): what is in force then is no news; a sync's
                # reading that came back before it is compared with it now.
                published, _here, directory, self._first_sync_due = reading
                self._directory_seen = published.revision if published is not None else 0
                self._directory_before = self._directory_now = directory
                if self._waiting is not None:
                    self._learn(*self._waiting)
                    self._waiting = None
            elif self._directory_seen is None:
                self._waiting = reading
            else:
                self._learn(*reading)
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

    def _learn(
        self,
        published: reference.Publication | None,
        here: bool,
        directory: ServiceDirectory,
        first_sync_due: bool,
    ) -> None:
        """The directory in force read after a sync: news when another laptop published it
        since the window opened (this laptop's own publication is no news to its maker), and
        not the one a new laptop's first sync brings."""
        joining, self._first_sync_due = self._first_sync_due, first_sync_due
        self._directory_now = directory
        if published is None or published.revision == self._directory_seen:
            return
        if joining or self._directory_seen == UNKNOWN or self._directory_before is None:
            self._directory_seen = published.revision
            self._directory_before = directory
            return
        self._directory_seen = published.revision
        if here:
            self.directory_news = None
            self._directory_before = directory
            return
        self.directory_news = published
        self.directory_changes = reference.directory_changes(self._directory_before, directory)

    def _on_hide_directory_clicked(self) -> None:
        self.directory_news = None
        self._directory_before = self._directory_now  # what was told is known now
        self._show()

    def _show(self) -> None:
        self.banner.show_unusable(self.found)
        if self.directory_news is not None:
            self.directory_banner.show_publication(self.directory_news, self.directory_changes)
        self.directory_banner.setVisible(self.directory_news is not None)
