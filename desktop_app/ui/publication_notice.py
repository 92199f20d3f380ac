"""The window's notice of a publication this laptop cannot use (forms or the service directory
from a newer Welcome Desk, or damaged): an amber banner above the list and the person's page,
so that an advisor does not fill in outdated forms or print outdated addresses unawares. Read
at start and after every sync; it goes once the publication is usable (an update, or a new
publication).

And the notices that a sync brought a service directory or form definitions another laptop
published: who, when and what changed (the coordinator's note, the services or the forms and
their versions), and what it does to letters or to drafts in progress, until each is hidden."""

from __future__ import annotations

import html
import logging
from typing import TYPE_CHECKING, Any, Generic, TypeVar

from PySide6.QtCore import QObject, Qt
from PySide6.QtWidgets import QPushButton, QWidget
from sqlalchemy.exc import SQLAlchemyError

from desktop_app import __version__
from desktop_app.forms import FormDefinition
from desktop_app.forms.labels import label
from desktop_app.i18n.formatting import format_long_date
from desktop_app.i18n.messages import unusable_publication_detail, unusable_publication_message
from desktop_app.i18n.text import _, current_language
from desktop_app.letters.directory import ServiceDirectory
from desktop_app.storage.db import Store
from desktop_app.storage.layout import StoreClosed
from desktop_app.ui.banner import WarningBanner
from desktop_app.usecases import reference
from desktop_app.usecases import sync as sync_uc

if TYPE_CHECKING:
    from desktop_app.ui.main_window import MainWindow

log = logging.getLogger(__name__)


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


def form_change_line(change: reference.FormChange, lang: str) -> str:
    """ "Skills check: version 2 → 3", in ``lang``'s words of the form's title."""
    return _("{form}: version {old} → {new}").format(
        form=label(change.form.title, lang), old=change.old_version, new=change.new_version
    )


class _UpdatedBanner(WarningBanner):
    """A publication another laptop made arrived: said until its button hides it."""

    def __init__(self, name: str, parent: QWidget | None = None) -> None:
        super().__init__(f"{name}_updated_banner", parent)
        self.text.setTextFormat(Qt.TextFormat.PlainText)
        self.hide_button = QPushButton()
        self.hide_button.setObjectName(f"hide_{name}_updated")
        self.hide_button.setAutoDefault(False)
        self.row.addWidget(self.hide_button, 0, Qt.AlignmentFlag.AlignVCenter)

    @staticmethod
    def _lead(published: reference.Publication, noted: str, plain: str) -> str:
        """The notice's first sentence: who published, on which day, and the note where one
        was given (``noted``, else ``plain``: that sentence in the UI language)."""
        when = format_long_date(published.published_at.date())
        if published.note:
            return noted.format(
                name=published.publisher, when=when, note=published.note.rstrip(".")
            )
        return plain.format(name=published.publisher, when=when)

    def _say(self, text: str, button: str) -> None:
        self.text.setText(text)
        self.setAccessibleName(_("Notice"))
        self.setAccessibleDescription(text)
        self.text.setAccessibleName(text)
        self.hide_button.setText(button)
        self.hide_button.setAccessibleDescription(text)  # a screen reader says what it hides

    def plain_text(self) -> str:
        return self.text.text()


class DirectoryUpdatedBanner(_UpdatedBanner):
    """A service directory another laptop published arrived: an advisor learned it nowhere (the
    coordinator's note of what changed showed only in the coordinators' directory window), and
    told a person the old address from memory or a letter printed before. "Hide notice"."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__("directory", parent)

    def show_publication(
        self, published: reference.Publication, changes: reference.DirectoryChanges
    ) -> None:
        lead = self._lead(
            published,
            _("The service directory was updated by {name} on {when}: {note}."),
            _("The service directory was updated by {name} on {when}."),
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
        self._say(" ".join(parts), _("&Understood"))


class FormsUpdatedBanner(_UpdatedBanner):
    """Form definitions another laptop published arrived: nobody was told that the skills
    check is now version 3, nor the coordinator's note; a helper learned of a question added
    only when finishing a draft was refused."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__("forms", parent)

    def show_publication(
        self, published: reference.Publication, changes: tuple[reference.FormChange, ...]
    ) -> None:
        lead = self._lead(
            published,
            _("The forms were updated by {name} on {when}: {note}."),
            _("The forms were updated by {name} on {when}."),
        )
        lang = current_language()
        parts = [lead]
        for change in changes:
            line = form_change_line(change, lang)
            required = change.required_added
            if required:
                names = ", ".join(label(f.label, lang) for f in required)
                line += " " + _("(new questions to answer before finishing: {names})").format(
                    names=names
                )
            parts.append(line + ".")
        if any(c.required_added for c in changes):
            drafts = _("Drafts in progress continue in the new version.")
        else:
            drafts = _(
                "Drafts in progress continue in the new version; no new question needs an answer."
            )
        parts.append(drafts)
        self._say(" ".join(parts), _("Ne&w forms: understood"))


#: the publication in force when the window opened could not be read
UNKNOWN = -1
T = TypeVar("T")
#: what a reading after a sync found of one publication: the one published (None: none, or
#: one this laptop cannot use), whether this laptop published it, what is in force
Found = tuple["reference.Publication | None", bool, Any]
#: a reading: whether the first sync was still due, and what it found of each publication
Reading = tuple[bool, dict[str, Found]]
#: what the window's start held: whether the first sync was due, each publication as stored
Held = tuple[bool, dict[str, "reference.StoredPublication | None"]]


class _News(Generic[T]):
    """What the syncs brought of one publication (the directory, the forms): the publication
    another laptop made that came since the window opened (to tell), and what was in force
    when the window opened or when the last news was hidden (what the news is told against)."""

    def __init__(self) -> None:
        self.news: reference.Publication | None = None
        #: the revision in force when the window opened (None: not read yet)
        self.seen: int | None = None
        #: which publication that revision holds (None: none, or not known)
        self.seen_entry: reference.PublicationEntry | None = None
        self.before: T | None = None
        self.now: T | None = None

    def start(self, published: reference.Publication | None, content: T) -> None:
        self.seen = published.revision if published is not None else 0
        self.seen_entry = published.entry if published is not None else None
        self.before = self.now = content

    def learn(
        self, published: reference.Publication | None, here: bool, content: T, joining: bool
    ) -> bool:
        """Whether a sync's reading is news: another laptop published it since the window
        opened (this laptop's own publication is no news to its maker), and not the one a new
        laptop's first sync brings."""
        self.now = content
        if published is None or published.revision == self.seen:
            return False
        unknown, known = self.seen == UNKNOWN, published.entry == self.seen_entry
        self.seen, self.seen_entry = published.revision, published.entry
        if known:
            # The same publication in another revision: its record's history merged with
            # another laptop's (two coordinators published at once). Told once, if at all.
            return False
        if joining or unknown or self.before is None:
            self.before = content
            return False
        if here:
            self.news = None
            self.before = content
            return False
        self.news = published
        return True

    def hide(self) -> None:
        self.news = None
        self.before = self.now  # what was told is known now


def _at_start(store: Store, held: Held | None, now: dict[str, Found]) -> Reading | None:
    """What ``held`` (read when the window opened) found of each publication, as a reading
    (``now``'s where it is still the one stored, not parsed again); None without ``held``."""
    if held is None:
        return None
    first_sync_due, stored = held
    found: dict[str, Found] = {}
    for name, of in (
        (reference.SERVICES, reference.directory_of),
        (reference.FORMS, reference.forms_of),
    ):
        then = stored[name]
        if then == reference.stored_publication(store, name):
            found[name] = now[name]
            continue
        published, content = of(then)
        found[name] = (published, then is not None and then.device_id == store.device_id, content)
    return first_sync_due, found


class PublicationNotice(QObject):
    """Keeps the banner as ``reference.unusable_publications`` says, and the notices of the
    directory and the forms as those in force say after each sync, all read off the UI
    thread (but for the two records held when the window opened: read as stored, parsed
    later)."""

    def __init__(self, window: MainWindow) -> None:
        super().__init__(window)
        self.window = window
        self.found: list[reference.Unusable] = []
        self.banner = PublicationBanner()
        window.add_banner(self.banner)
        self.directory_banner = DirectoryUpdatedBanner()
        self.directory_banner.hide_button.clicked.connect(self._on_hide_directory_clicked)
        window.add_banner(self.directory_banner)
        self.forms_banner = FormsUpdatedBanner()
        self.forms_banner.hide_button.clicked.connect(self._on_hide_forms_clicked)
        window.add_banner(self.forms_banner)
        self.directory: _News[ServiceDirectory] = _News()
        self.forms: _News[dict[str, FormDefinition]] = _News()
        #: the services the directory told changed against the one told last (or at start)
        self.directory_changes = reference.DirectoryChanges()
        #: the forms the publication told changed, with their versions and questions added
        self.forms_changes: tuple[reference.FormChange, ...] = ()
        #: a sync's reading that came back before the first one (compared once that has)
        self._waiting: Reading | None = None
        #: no sync had got through on this laptop at the last reading: what its first sync
        #: brings is the team's, in force since before it joined, and no news (its user was
        #: told each difference from the shipped one: every service of the city)
        self._first_sync_due = False
        window.retranslated.connect(self._show)
        self._generation = 0
        #: what this laptop held when the window opened, read at once (two rows and a marker,
        #: nothing parsed): the first reading runs in the window's task pool, behind the
        #: people list's pages, and a sync (F5 at once, or the window's first) could store a
        #: colleague's publication before it ran; taken as what was in force at the start,
        #: that one was never told. None: not read (the first reading stands in for it).
        self._at_start = self._held(window.session.store)

    @staticmethod
    def _held(store: Store) -> Held | None:
        try:
            return sync_uc.first_sync_due(store), {
                name: reference.stored_publication(store, name)
                for name in (reference.SERVICES, reference.FORMS)
            }
        except (SQLAlchemyError, StoreClosed) as exc:
            # StoreClosed: a window made for a store replaced meanwhile (a restore or a data
            # folder chosen anew closes it before the window's features are installed)
            log.warning("publications not read at the window's start: %s", type(exc).__name__)
            return None

    # The directory's news, as tests and the access keys' walk set and read it.
    @property
    def directory_news(self) -> reference.Publication | None:
        return self.directory.news

    @directory_news.setter
    def directory_news(self, news: reference.Publication | None) -> None:
        self.directory.news = news

    @property
    def forms_news(self) -> reference.Publication | None:
        return self.forms.news

    @forms_news.setter
    def forms_news(self, news: reference.Publication | None) -> None:
        self.forms.news = news

    @property
    def _directory_seen(self) -> int | None:
        return self.directory.seen

    def check(self, _result: Any = None) -> None:
        """Read which publications cannot be used, and the directory and forms in force (at
        start, and after every sync)."""
        self._generation += 1
        generation, store = self._generation, self.window.session.store
        at_start = self._at_start if generation == 1 else None

        def read() -> tuple[list[reference.Unusable], Reading, Reading | None]:
            due = sync_uc.first_sync_due(store)
            unusable = reference.unusable_publications(store)
            refused = {u.name for u in unusable}
            directory = reference.service_directory(store)
            forms = reference.forms_in_force(store)
            found: dict[str, Found] = {}
            for name, content, published in (
                (reference.SERVICES, directory, reference.published_directory),
                (reference.FORMS, forms, reference.published_forms),
            ):
                if name in refused:  # the shipped one: said above
                    found[name] = (None, False, content)
                else:
                    found[name] = (published(store), reference.published_here(store, name), content)
            return unusable, (due, found), _at_start(store, at_start, found)

        def found(answer: tuple[list[reference.Unusable], Reading, Reading | None]) -> None:
            unusable, reading, start = answer
            if generation == 1:
                # The first reading: what was in force when the window opened is no news;
                # what was stored since (a sync before this reading ran) is, as a sync's
                # reading that came back before it, compared with it now.
                self._first_sync_due, publications = start or reading
                for name, news in self._trackers():
                    published, _here, content = publications[name]
                    news.start(published, content)
                if start is not None:
                    self._learn(reading)
                if self._waiting is not None:
                    self._learn(self._waiting)
                    self._waiting = None
            elif self.directory.seen is None:
                self._waiting = reading
            else:
                self._learn(reading)
            if generation == self._generation:  # a later reading is under way or shown
                self.found = unusable
                self._show()

        def failed(_exc: Exception) -> None:
            if generation == 1:  # the next reading tells what is in force, as no news
                for _name, news in self._trackers():
                    news.seen = UNKNOWN
                if self._waiting is not None:
                    self._learn(self._waiting)
                    self._waiting = None

        self.window.tasks.run(read, found, failed)

    def _trackers(self) -> tuple[tuple[str, _News[Any]], ...]:
        return ((reference.SERVICES, self.directory), (reference.FORMS, self.forms))

    def _learn(self, reading: Reading) -> None:
        """What a reading after a sync found: the news of each publication."""
        first_sync_due, publications = reading
        joining, self._first_sync_due = self._first_sync_due, first_sync_due
        published, here, directory = publications[reference.SERVICES]
        if self.directory.learn(published, here, directory, joining):
            assert self.directory.before is not None
            self.directory_changes = reference.directory_changes(self.directory.before, directory)
        published, here, forms = publications[reference.FORMS]
        if self.forms.learn(published, here, forms, joining):
            assert self.forms.before is not None
            self.forms_changes = reference.form_changes(self.forms.before, forms)
            if not self.forms_changes:  # no form in force changed (a shipped one is newer)
                self.forms.hide()

    def _on_hide_directory_clicked(self) -> None:
        self.directory.hide()
        self._show()

    def _on_hide_forms_clicked(self) -> None:
        self.forms.hide()
        self._show()

    def _show(self) -> None:
        self.banner.show_unusable(self.found)
        if self.directory.news is not None:
            self.directory_banner.show_publication(self.directory.news, self.directory_changes)
        self.directory_banner.setVisible(self.directory.news is not None)
        if self.forms.news is not None:
            self.forms_banner.show_publication(self.forms.news, self.forms_changes)
        self.forms_banner.setVisible(self.forms.news is not None)
