"""The coordinator's reference data windows: the service directory and the form definitions.

Each shows what is in force and lets a coordinator export it for editing and publish an edited
folder to every laptop (after it is checked).
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtGui import QAction, QShowEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QMessageBox,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)
from shiboken6 import isValid

from desktop_app.domain.permissions import Action, allowed
from desktop_app.domain.service import Service
from desktop_app.forms.labels import label
from desktop_app.i18n.formatting import format_long_date, format_moment, format_number
from desktop_app.i18n.messages import directory_problem, failure_message
from desktop_app.i18n.text import _, current_language, ngettext
from desktop_app.letters.directory import read_directory_files
from desktop_app.ui.admin import admin_menu
from desktop_app.ui.publication_notice import form_change_line
from desktop_app.ui.save_dialog import ask_folder
from desktop_app.ui.service_editor import ServiceDialog
from desktop_app.ui.tasks import DialogSave
from desktop_app.ui.widgets import ErrorLabel, ask_to_confirm, record_table
from desktop_app.usecases import directory_edit, reference
from desktop_app.usecases.accounts import Session

if TYPE_CHECKING:
    from desktop_app.ui.main_window import MainWindow

_REFUSALS = reference.REFUSALS

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class _Listing:
    """What a reference window shows, read from the store (``_ReferenceDialog._read``, on a
    worker thread after a sync): no widget is touched while it is read."""

    status: str
    history: list[reference.PublicationEntry]
    rows: list[tuple[str, ...]]
    keys: list[str]  # each row's id (a service's, a form's), to keep the row chosen


class PublishDialog(QDialog):
    """Confirm a checked folder before it goes to every laptop, with a note on what changed."""

    def __init__(self, summary: str, parent: QWidget | None) -> None:
        super().__init__(parent)
        self.setWindowTitle(_("Publish to all laptops"))
        layout = QVBoxLayout(self)
        text = QLabel(summary)
        text.setWordWrap(True)
        text.setTextFormat(Qt.TextFormat.PlainText)  # laptops' names as the server lists them
        layout.addWidget(text)
        form = QFormLayout()
        self.note = QLineEdit()
        self.note.setMaxLength(reference.MAX_NOTE)
        self.note.setAccessibleName(_("What changed"))
        self.note.setPlaceholderText(_("e.g. new opening hours of the job centre"))
        form.addRow(_("&What changed:"), self.note)
        layout.addLayout(form)
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        buttons.button(QDialogButtonBox.StandardButton.Ok).setText(_("&Publish"))
        buttons.button(QDialogButtonBox.StandardButton.Cancel).setText(_("Cancel"))
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)
        self.setMinimumWidth(480)


class _ReferenceDialog(QDialog):
    """What is in force (status, note, a table), export for editing, publish from a folder."""

    published = Signal()  # a publication was stored (on a worker thread) and is shown
    NAME = ""  # the publication's (``reference.SERVICES``, ``reference.FORMS``)
    # publications listed in the window before "Show the older ones"
    HISTORY_SHOWN = 5

    def __init__(self, session: Session, title: str, headers: list[str], parent: QWidget | None):
        super().__init__(parent)
        self.session = session
        self.confirm: PublishDialog | None = None  # the question before publishing, if asked
        self.setWindowTitle(title)
        self.resize(900, 520)
        layout = QVBoxLayout(self)
        self.status = QLabel()
        self.status.setAccessibleName(_("In force"))
        self.status.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        layout.addWidget(self.status)
        # Every publication's note, newest first: with the last one's alone, a user who was
        # away for two publications learnt nothing of the first one's changes.
        self.history_entries: list[reference.PublicationEntry] = []
        self.history_label = QLabel(_("Publication &history:"))
        self.older_button = QPushButton()
        self.older_button.setAutoDefault(False)
        self.older_button.clicked.connect(self.show_older)
        history_row = QHBoxLayout()
        history_row.addWidget(self.history_label)
        history_row.addStretch(1)
        history_row.addWidget(self.older_button)
        layout.addLayout(history_row)
        self.history = record_table(QTableWidget(0, 3), _("Publication history"))
        self.history.setAccessibleDescription(_("Newest first"))
        self.history.setHorizontalHeaderLabels([_("Published"), _("By"), _("What changed")])
        self.history.setWordWrap(True)
        self.history.setVerticalScrollMode(QAbstractItemView.ScrollMode.ScrollPerPixel)
        history_header = self.history.horizontalHeader()
        for column in (0, 1):
            history_header.setSectionResizeMode(column, QHeaderView.ResizeMode.ResizeToContents)
        history_header.setSectionResizeMode(2, QHeaderView.ResizeMode.Stretch)
        self.history_label.setBuddy(self.history)
        layout.addWidget(self.history)
        self.table = record_table(QTableWidget(0, len(headers)), title)
        self.table.setHorizontalHeaderLabels(headers)
        self.table.setWordWrap(True)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        header.setSectionResizeMode(len(headers) - 1, QHeaderView.ResizeMode.Stretch)
        layout.addWidget(self.table, 1)
        self.error = ErrorLabel()
        layout.addWidget(self.error)
        self.message = QLabel()
        self.message.setWordWrap(True)
        layout.addWidget(self.message)
        row = QHBoxLayout()
        self.button_row = row
        self.export_button = QPushButton(_("&Export for editing…"))
        self.export_button.setToolTip(
            _("Writes what is in force as YAML files into an empty folder, to edit them there.")
        )
        self.publish_button = QPushButton(_("&Publish from folder…"))
        self.publish_button.setToolTip(
            _("Checks an edited folder and sends it to every laptop of the organisation.")
        )
        # Qt's own Close, as in every other dialog: Escape is its key.
        close = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        self.export_button.clicked.connect(self._choose_export)
        self.publish_button.clicked.connect(self._choose_publish)
        close.rejected.connect(self.accept)
        # "Export for editing…", the first, was the default: Enter on a form in the list asked
        # for a folder to export into. A list without an action of its row closes on Enter,
        # as by its Close button; the directory's rows are edited by Enter (its Edit).
        for button in (self.export_button, self.publish_button):
            button.setAutoDefault(False)
        row.addWidget(self.export_button)
        row.addWidget(self.publish_button)
        row.addStretch(1)
        row.addWidget(close)
        layout.addLayout(row)
        # Publishing writes to the store, which a sync may hold meanwhile: on a worker thread,
        # or the window froze until the sync let go.
        self.save = DialogSave(self, self.publish_button)
        # A member's laptop on a sync server cannot publish to the team: said before anyone
        # edits a folder for nothing.
        # A sync that brings a publication while the window is open: shown with the others.
        controller = getattr(parent, "sync", None)
        if controller is not None:
            controller.sync_finished.connect(self._on_sync_finished)
        # Read anew after a sync on the window's worker threads: on the UI thread the window
        # (and the main window under it) froze while the sync or a save held the store.
        self.tasks = getattr(parent, "tasks", None)
        self.reading = False  # a read after a sync under way
        self._read_again = False  # another sync finished meanwhile
        self.keys: list[str] = []  # the id of each row, as last listed
        # Wrapped rows as high as their text at the columns' widths: made so once, on opening,
        # they kept that height when the window was resized (a narrow window cut their lines,
        # a wide one left them tall and half empty). Once per round of events, however many
        # sections were resized.
        self._refit = QTimer(self)
        self._refit.setSingleShot(True)
        self._refit.setInterval(0)
        self._refit.timeout.connect(self._fit_rows)
        for table in (self.table, self.history):
            table.horizontalHeader().sectionResized.connect(self._on_section_resized)
        refusal = reference.publish_refusal(session.store)
        if refusal is not None:
            reason = directory_problem("", "", refusal)
            self.publish_button.setEnabled(False)
            self.publish_button.setToolTip(reason)
            self.message.setText(reason)

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        # Wrapped cells get their height once the columns have their real widths.
        self.table.resizeRowsToContents()

    def _on_section_resized(self, *_args: object) -> None:
        self._refit.start()

    def _fit_rows(self) -> None:
        """Each row as high as its wrapped text at the columns' widths now."""
        self.table.resizeRowsToContents()
        self.history.resizeRowsToContents()
        self._fit_history()

    # -- what each kind of reference data provides ---------------------------------------------
    def _published(self) -> reference.Publication | None:
        raise NotImplementedError

    def _shipped_text(self) -> str:
        raise NotImplementedError

    def _published_text(self, published: reference.Publication) -> str:
        raise NotImplementedError

    def _rows(self) -> list[tuple[str, tuple[str, ...]]]:
        """Each row's id and its cells (read on a worker thread: no widget touched)."""
        raise NotImplementedError

    def _export(self, folder: Path) -> int:
        raise NotImplementedError

    def _check(self, files: dict[str, str]) -> int:
        raise NotImplementedError

    def _publish(self, folder: Path, note: str) -> reference.Publication:
        raise NotImplementedError

    def _summary(self, folder: Path, count: int) -> str:
        raise NotImplementedError

    def _done(self, count: int) -> str:
        raise NotImplementedError

    # -- shared behaviour -----------------------------------------------------------------------
    def refresh(self) -> None:
        """Read and shown at once (on opening, after a publication made here)."""
        self._show(self._read())

    def _read(self) -> _Listing:
        published = self._published()
        status = self._shipped_text() if published is None else self._published_text(published)
        history = reference.publication_history(self.session.store, self.NAME)
        rows = self._rows()
        return _Listing(status, history, [cells for _k, cells in rows], [k for k, _c in rows])

    def _show(self, listing: _Listing) -> None:
        self.status.setText(listing.status)
        # the older ones stay shown where the user asked for them
        every = self.history.rowCount() > self.HISTORY_SHOWN
        self.show_history(listing.history, every)
        # The row chosen stays chosen (by its id) when a sync lists the rows anew.
        row = self.table.currentRow()
        chosen = self.keys[row] if 0 <= row < len(self.keys) else None
        self.keys = listing.keys
        self.table.setRowCount(len(listing.rows))
        for i, cells in enumerate(listing.rows):
            for column, value in enumerate(cells):
                item = QTableWidgetItem(value)
                item.setToolTip(value)
                self.table.setItem(i, column, item)
        if chosen in self.keys:
            self.table.setCurrentCell(self.keys.index(chosen), max(self.table.currentColumn(), 0))
        self.table.resizeRowsToContents()

    def refresh_later(self) -> None:
        """Read on the window's worker threads, shown once read: the window answers meanwhile.
        Without the main window's runner (a window of its own), at once."""
        if self.tasks is None:
            self.refresh()
            return
        if self.reading:
            self._read_again = True  # the read under way may have missed what came since
            return
        self.reading = True
        self.tasks.run(self._read, self._on_read, self._on_read_failed)

    def _on_read(self, listing: _Listing) -> None:
        if not isValid(self):
            return  # closed meanwhile (deleted on closing)
        self.reading = False
        self._show(listing)
        if self._read_again:
            self._read_again = False
            self.refresh_later()

    def _on_read_failed(self, exc: Exception) -> None:
        if not isValid(self):
            return
        self.reading = False
        # The store busy past its wait, say: what was shown stays, the next sync reads again.
        log.warning("the %s window was not read anew: %s", self.NAME, type(exc).__name__)
        if self._read_again:
            self._read_again = False
            self.refresh_later()

    def _on_sync_finished(self, result: object) -> None:
        # Imported here: the sync machinery is not needed to show the directory.
        from desktop_app.usecases import sync as sync_uc

        if isinstance(result, sync_uc.SyncReport) and result.received and self.isVisible():
            self.refresh_later()

    def show_history(self, entries: list[reference.PublicationEntry], every: bool = False) -> None:
        """``entries`` (newest first): the newest ``HISTORY_SHOWN``, or ``every`` one, the
        button to show the older ones where there are more; nothing while none is published."""
        self.history_entries = entries
        shown = entries if every else entries[: self.HISTORY_SHOWN]
        table = self.history
        table.setRowCount(len(shown))
        for row, entry in enumerate(shown):
            note = entry.note or _("no note given")
            for column, text in enumerate(
                (format_moment(entry.published_at), entry.publisher, note)
            ):
                item = QTableWidgetItem(text)
                item.setToolTip(text)
                if column == 2 and not entry.note:
                    item.setForeground(table.palette().placeholderText())
                table.setItem(row, column, item)
        table.resizeRowsToContents()
        older = len(entries) - len(shown)
        self.older_button.setText(
            ngettext(
                "Show the &older one ({count} more)", "Show the &older ones ({count} more)", older
            ).format(count=format_number(older))
        )
        self.older_button.setVisible(older > 0)
        for widget in (self.history_label, table):
            widget.setVisible(bool(entries))
        self._fit_history()

    def _fit_history(self) -> None:
        """As tall as its rows, up to ``HISTORY_SHOWN`` of them (the older ones scroll): the
        directory's own table keeps the rest of the window."""
        table = self.history
        rows = [table.rowHeight(r) for r in range(table.rowCount())][: self.HISTORY_SHOWN]
        frame = 2 * table.frameWidth()
        header = table.horizontalHeader().sizeHint().height()
        table.setFixedHeight(frame + header + sum(rows))
        # Laid out now, not a round of events later: grown for a new publication, it lay over
        # the directory's first rows until then (and in a screen grabbed meanwhile).
        layout = self.layout()
        if layout is not None:
            layout.activate()

    def show_older(self) -> None:
        """Every publication the history keeps, the keyboard on the first older one."""
        first_older = self.HISTORY_SHOWN
        self.show_history(self.history_entries, every=True)
        self.history.setFocus()
        if first_older < self.history.rowCount():
            self.history.setCurrentCell(first_older, 0)
            item = self.history.item(first_older, 0)
            if item is not None:
                self.history.scrollToItem(item)

    def _show_refusal(self, exc: Exception) -> None:
        self.error.show_message("\n".join(reference.problem_messages(exc)))

    def _choose_export(self) -> None:
        ask_folder(self, _("Choose an empty folder"), self.export_to)

    def _choose_publish(self) -> None:
        ask_folder(self, _("Choose the edited folder"), self.publish_from)

    def export_to(self, folder: Path) -> bool:
        self.error.show_message("")
        try:
            count = self._export(folder)
        except _REFUSALS as exc:
            self._show_refusal(exc)
            return False
        self.message.setText(
            ngettext(
                "{count} file written to {folder}. Edit it, then publish the folder.",
                "{count} files written to {folder}. Edit them, then publish the folder.",
                count,
            ).format(count=format_number(count), folder=folder)
        )
        return True

    def check_folder(self, folder: Path) -> int | None:
        """How many services or forms the folder holds, or None (the reason is shown)."""
        self.error.show_message("")
        try:
            return self._check(read_directory_files(folder))
        except _REFUSALS as exc:
            self._show_refusal(exc)
            return None

    def publish_from(self, folder: Path) -> PublishDialog | None:
        """Check ``folder``, then ask before publishing it: the question, opened (or None,
        the reason shown). Answered "Publish", the folder is published on the worker thread.

        The question was exec'd: a nested event loop under the window's syncs and the lock,
        which stays out: it is window-modal, and closing this window or a user switch at the
        lock answers it "Cancel" (nothing published)."""
        refusal = reference.publish_refusal(self.session.store)
        if refusal is not None:
            self._show_refusal(reference.PublishRefused(refusal))
            return None
        count = self.check_folder(folder)
        if count is None:
            return None
        summary = self._summary(folder, count)

        def go_ahead(note: str) -> None:
            self.message.setText(_("Publishing…"))
            self.save.start(
                lambda: self._publish(folder, note), self._on_published, self._on_publish_failed
            )

        return self._ask(self, summary, "", go_ahead)

    def _ask(
        self, parent: QWidget, summary: str, note: str, go_ahead: Callable[[str], None]
    ) -> PublishDialog:
        """The question before publishing (``note`` filled in as what changed), window-modal
        over ``parent`` and gone once answered; ``go_ahead(note)`` once answered "Publish"."""
        confirm = PublishDialog(self._with_older_laptops(summary), parent)
        confirm.note.setText(note)
        self.confirm = confirm
        confirm.accepted.connect(lambda: go_ahead(confirm.note.text()))
        confirm.finished.connect(lambda _result: self._on_confirm_finished(confirm))
        confirm.open()
        return confirm

    def _on_confirm_finished(self, confirm: PublishDialog) -> None:
        if self.confirm is confirm:
            self.confirm = None
        confirm.deleteLater()

    def _with_older_laptops(self, summary: str) -> str:
        # From the last list of laptops fetched here (never a network call on this thread).
        # Imported here: the sync machinery is not needed to show the directory.
        from desktop_app.usecases import sync as sync_uc

        older = sync_uc.laptops_on_older_versions(self.session.store)
        if older:
            summary += "\n\n" + _(
                "These laptops run an older version of Welcome Desk and may not be able to use "
                "what you publish until they are updated: {names}"
            ).format(names=", ".join(older))
        return summary

    def _on_published(self, done: reference.Publication) -> None:
        self.message.setText(self._done(done.count))
        self.refresh()
        self.published.emit()

    def _on_publish_failed(self, exc: Exception) -> None:
        self.message.setText("")
        if isinstance(exc, _REFUSALS):
            self._show_refusal(exc)
        else:
            # The store busy (a sync), the disk full …: the application's error handler only
            # logged it, and "Publishing…" went with nothing said.
            self.error.show_message(failure_message(exc, _("Nothing was published.")))

    def done(self, result: int) -> None:
        # Closed while publishing (Close, Escape, the lock): the publication is kept.
        self.save.dismiss()
        # Closed while it asked (a user switch at the lock closes both): the question is
        # answered "Cancel", nothing is published, and no hidden window is left behind.
        confirm = self.confirm
        if confirm is not None and isValid(confirm):
            confirm.reject()  # also where the lock hid it
        super().done(result)


class DirectoryDialog(_ReferenceDialog):
    """The service directory used for referral letters."""

    NAME = reference.SERVICES

    def __init__(self, session: Session, parent: QWidget | None = None) -> None:
        headers = [_("Service"), _("Address"), _("Phone"), _("Opening hours")]
        super().__init__(session, _("Service directory"), headers, parent)
        for column, width in enumerate((280, 230, 120)):
            self.table.horizontalHeader().resizeSection(column, width)
        self.editor: ServiceDialog | None = None
        self.question: QMessageBox | None = None
        self.edit_button = QPushButton(_("Ed&it…"))
        self.edit_button.setToolTip(_("Change the selected service and publish the change."))
        self.add_button = QPushButton(_("&Add service…"))
        self.remove_button = QPushButton(_("&Remove…"))
        for i, button in enumerate((self.edit_button, self.add_button, self.remove_button)):
            self.button_row.insertWidget(i, button)
        self.button_row.insertSpacing(3, 12)
        # Tab as the row reads: made after Export, Publish and Close, the three came after
        # them in the focus chain (the table, Export, Publish, Close, Edit, Add, Remove).
        QWidget.setTabOrder(self.table, self.edit_button)
        QWidget.setTabOrder(self.edit_button, self.add_button)
        QWidget.setTabOrder(self.add_button, self.remove_button)
        QWidget.setTabOrder(self.remove_button, self.export_button)
        # Enter on a row edits it (the table passes Enter on to the dialog's default button).
        self.edit_button.setDefault(True)
        self.edit_button.clicked.connect(self.edit_selected)
        self.add_button.clicked.connect(self.add_service)
        self.remove_button.clicked.connect(self.remove_selected)
        self.table.doubleClicked.connect(lambda _index: self.edit_selected())
        if reference.publish_refusal(session.store) is not None:
            # As the folder's Publish: said before anyone edits a service for nothing.
            for button in (self.edit_button, self.add_button, self.remove_button):
                button.setEnabled(False)
                button.setToolTip(self.publish_button.toolTip())
        self.refresh()

    def _published(self) -> reference.Publication | None:
        return reference.published_directory(self.session.store)

    def _shipped_text(self) -> str:
        count = len(reference.service_directory(self.session.store).services)
        return ngettext(
            "In force: the directory shipped with Welcome Desk ({count} service).",
            "In force: the directory shipped with Welcome Desk ({count} services).",
            count,
        ).format(count=format_number(count))

    def _published_text(self, published: reference.Publication) -> str:
        return ngettext(
            "In force: published by {name} on {when} ({count} service).",
            "In force: published by {name} on {when} ({count} services).",
            published.count,
        ).format(
            name=published.publisher,
            when=format_long_date(published.published_at.date()),
            count=format_number(published.count),
        )

    def _rows(self) -> list[tuple[str, tuple[str, ...]]]:
        lang = current_language()
        rows: list[tuple[str, tuple[str, ...]]] = []
        for service in reference.service_directory(self.session.store).services:
            address = service.address
            town = f"{address.postcode} {address.city}".strip()
            where = ", ".join(part for part in (address.street, town) if part)
            cells = (
                service.name.get(lang),
                where,
                service.contact.phone,
                service.opening_hours.get(lang),
            )
            rows.append((service.id, cells))
        return rows

    @property
    def service_ids(self) -> list[str]:
        """Each row's service, as last listed."""
        return self.keys

    def _export(self, folder: Path) -> int:
        return reference.export_directory(self.session.store, self.session.user, folder)

    def _check(self, files: dict[str, str]) -> int:
        return len(reference.check_files(files, strict=True).services)

    def _publish(self, folder: Path, note: str) -> reference.Publication:
        store, user = self.session.store, self.session.user
        return reference.publish_directory_folder(store, user, folder, note)

    def _summary(self, folder: Path, count: int) -> str:
        return ngettext(
            "The folder {folder} was checked: {count} service, no problems. After publishing, "
            "every laptop uses it for new referral letters after its next sync.",
            "The folder {folder} was checked: {count} services, no problems. After publishing, "
            "every laptop uses it for new referral letters after its next sync.",
            count,
        ).format(folder=folder, count=format_number(count))

    def _done(self, count: int) -> str:
        return ngettext(
            "Published: {count} service. Other laptops use it after their next sync.",
            "Published: {count} services. Other laptops use them after their next sync.",
            count,
        ).format(count=format_number(count))

    # -- editing one service ----------------------------------------------------------------------
    def selected_service(self) -> Service | None:
        row = self.table.currentRow()
        if not 0 <= row < len(self.service_ids):
            return None
        return reference.service_directory(self.session.store).find(self.service_ids[row])

    def show_service(self, service_id: str) -> None:
        """``service_id``'s row chosen and scrolled into view: a service added was listed by
        its name, out of sight, while the row chosen before stayed chosen."""
        if service_id in self.service_ids:
            row = self.service_ids.index(service_id)
            self.table.setCurrentCell(row, 0)
            item = self.table.item(row, 0)
            if item is not None:
                self.table.scrollToItem(item)

    def _refused(self) -> bool:
        """Whether this laptop may not publish (said in the window)."""
        refusal = reference.publish_refusal(self.session.store)
        if refusal is not None:
            self._show_refusal(reference.PublishRefused(refusal))
        return refusal is not None

    def edit_selected(self) -> ServiceDialog | None:
        service = self.selected_service()
        if service is None:
            self.error.show_message(_("Please select a service in the list first."))
            return None
        return self._open_editor(directory_edit.draft_of(service))

    def add_service(self) -> ServiceDialog | None:
        return self._open_editor(None)

    def _open_editor(self, draft: directory_edit.ServiceDraft | None) -> ServiceDialog | None:
        self.error.show_message("")
        if self._refused():
            return None
        directory = reference.service_directory(self.session.store)
        self.editor = editor = ServiceDialog(directory, draft, self._save_service, self)
        editor.saving.answered.connect(lambda: self._on_editor_saving_answered(editor))
        editor.finished.connect(editor.deleteLater)
        self.editor.open()
        return self.editor

    def _save_service(self, editor: ServiceDialog, draft: directory_edit.ServiceDraft) -> None:
        """Check the edit as a published folder is checked, then ask and publish it."""
        store = self.session.store
        refusal = reference.publish_refusal(store)
        if refusal is not None:
            editor.show_failure(directory_problem("", "", refusal))
            return
        try:
            files, ident = directory_edit.edited_files(store, draft)
        except directory_edit.DraftRefused as exc:
            editor.show_problems(exc.problems)
            return
        except _REFUSALS as exc:
            editor.show_failure("\n".join(reference.problem_messages(exc)))
            return
        count = len(files) - 1
        summary = ngettext(
            "The change was checked: {count} service, no problems. After publishing, every "
            "laptop uses it for new referral letters after its next sync.",
            "The change was checked: {count} services, no problems. After publishing, every "
            "laptop uses them for new referral letters after its next sync.",
            count,
        ).format(count=format_number(count))
        note = directory_edit.change_note(editor.original, draft)

        def failed(exc: Exception) -> None:
            self.message.setText("")
            if isinstance(exc, directory_edit.DraftRefused):
                editor.show_problems(exc.problems)
            elif isinstance(exc, _REFUSALS):
                editor.show_failure("\n".join(reference.problem_messages(exc)))
            else:
                editor.show_failure(failure_message(exc, _("Nothing was published.")))

        def done(publication: reference.Publication) -> None:
            editor.accept()
            self._on_published(publication)
            self.show_service(ident)

        self._ask_and_publish(editor, summary, note, files, editor.saving, done, failed)

    def _on_editor_saving_answered(self, editor: ServiceDialog) -> None:
        """The editor was closed while it published (Cancel, Escape): its answer went to
        nobody and this window said "Publishing…" until it was opened again."""
        if not editor.saving.dismissed:
            return  # the editor's own answer did it
        answer = editor.saving.answer
        if isinstance(answer, directory_edit.DraftRefused):
            self.message.setText("")
            self.error.show_message("\n".join(p.message for p in answer.problems))
        elif isinstance(answer, Exception):
            self._on_publish_failed(answer)
        elif isinstance(answer, reference.Publication):
            self._on_published(answer)

    def _ask_and_publish(
        self,
        parent: QWidget,
        summary: str,
        note: str,
        files: dict[str, str],
        save: DialogSave,
        done: Callable[[reference.Publication], None],
        failed: Callable[[Exception], None],
    ) -> None:
        """The folder's question ("What changed" filled in), then the folder's publish path on
        the worker thread."""
        store, user = self.session.store, self.session.user

        def go_ahead(text: str) -> None:
            self.message.setText(_("Publishing…"))
            save.start(lambda: directory_edit.publish_edit(store, user, files, text), done, failed)

        self._ask(parent, summary, note, go_ahead)

    def remove_selected(self) -> None:
        self.error.show_message("")
        service = self.selected_service()
        if service is None:
            self.error.show_message(_("Please select a service in the list first."))
            return
        if self._refused():
            return
        store = self.session.store
        name = service.name.get(current_language())
        held = directory_edit.removal_refusal(store, service.id)
        if held:
            self.error.show_message(
                ngettext(
                    "“{name}” stays in the directory: {count} referral on this laptop goes to "
                    "it, and its letter needs the entry. You can change the entry instead.",
                    "“{name}” stays in the directory: {count} referrals on this laptop go to "
                    "it, and their letters need the entry. You can change the entry instead.",
                    held,
                ).format(name=name, count=format_number(held))
            )
            return
        try:
            files = directory_edit.removed_files(store, service.id)
        except directory_edit.DraftRefused as exc:
            self.error.show_message("\n".join(p.message for p in exc.problems))
            return
        text = _(
            "Remove “{name}” from the service directory? New referrals can no longer go to it."
        ).format(name=name)
        if directory_edit.shipped(service.id):
            text += " " + _(
                "Referrals already made to it stay as they are; their letters show the "
                "service as Welcome Desk ships it."
            )
        count = len(files) - 1
        summary = ngettext(
            "After publishing, {count} service is left in the directory. Every laptop uses it "
            "for new referral letters after its next sync.",
            "After publishing, {count} services are left in the directory. Every laptop uses "
            "them for new referral letters after its next sync.",
            count,
        ).format(count=format_number(count))

        def answered(yes: bool) -> None:
            if yes:
                self._ask_and_publish(
                    self,
                    summary,
                    directory_edit.removal_note(service),
                    files,
                    self.save,
                    self._on_published,
                    self._on_publish_failed,
                )

        self.question = ask_to_confirm(
            self, _("Remove service"), text, _("&Remove from the directory"), answered
        )


class FormsDialog(_ReferenceDialog):
    """The form definitions (intake, skills check, consent) used for visits."""

    NAME = reference.FORMS

    def __init__(self, session: Session, parent: QWidget | None = None) -> None:
        headers = [_("Form"), _("Version"), _("Source")]
        super().__init__(session, _("Form definitions"), headers, parent)
        self.table.horizontalHeader().resizeSection(0, 360)
        self.table.horizontalHeader().resizeSection(1, 90)
        self._changes: tuple[reference.FormChange, ...] = ()
        self.refresh()

    def _published(self) -> reference.Publication | None:
        return reference.published_forms(self.session.store)

    def _shipped_text(self) -> str:
        return _("In force: the forms shipped with Welcome Desk.")

    def _published_text(self, published: reference.Publication) -> str:
        return _("Forms published by {name} on {when}.").format(
            name=published.publisher, when=format_long_date(published.published_at.date())
        )

    def _rows(self) -> list[tuple[str, tuple[str, ...]]]:
        shipped = reference.shipped_forms()
        lang = current_language()
        return [
            (
                form_id,
                (
                    label(form.title, lang),
                    str(form.version),
                    _("shipped") if form is shipped[form_id] else _("published"),
                ),
            )
            for form_id, form in reference.forms_in_force(self.session.store).items()
        ]

    def _export(self, folder: Path) -> int:
        return reference.export_forms(self.session.store, self.session.user, folder)

    def _check(self, files: dict[str, str]) -> int:
        store = self.session.store
        checked = reference.check_forms(store, files)
        # What the question names: each form whose version the folder changes.
        self._changes = reference.form_changes(reference.forms_in_force(store), checked)
        return len(checked)

    def _publish(self, folder: Path, note: str) -> reference.Publication:
        store, user = self.session.store, self.session.user
        return reference.publish_forms_folder(store, user, folder, note)

    def _summary(self, folder: Path, count: int) -> str:
        checked = ngettext(
            "The folder {folder} was checked: {count} form, no problems, every stored answer "
            "stays readable. After publishing, every laptop uses it after its next sync.",
            "The folder {folder} was checked: {count} forms, no problems, every stored answer "
            "stays readable. After publishing, every laptop uses them after its next sync.",
            count,
        ).format(folder=folder, count=format_number(count))
        # "3 forms" said nothing of which one changes: each named, with its new version.
        changes = self._changes
        if not changes:
            return checked + "\n\n" + _("No form gets a new version.")
        lines = [form_change_line(c, current_language()) for c in changes]
        return checked + "\n\n" + "\n".join(lines)

    def _done(self, count: int) -> str:
        return ngettext(
            "Published: {count} form. Other laptops use it after their next sync.",
            "Published: {count} forms. Other laptops use them after their next sync.",
            count,
        ).format(count=format_number(count))


def _menu_action(
    window: MainWindow, opener: Callable[[], QDialog], text: Callable[[], str]
) -> None:
    action = QAction(window)

    def open_dialog() -> None:
        # Opened, not exec'd: each exec'd dialog stayed a hidden child of the window, table
        # and all, once closed (one more for every opening in a day), and ran a nested event
        # loop under the window's syncs and lock.
        dialog = opener()
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.open()

    action.triggered.connect(open_dialog)
    admin_menu(window).addAction(action)
    window.retranslated.connect(lambda: action.setText(text()))
    action.setText(text())


def install(window: MainWindow) -> None:
    if not allowed(window.session.user, Action.MANAGE_DIRECTORY):
        return
    _menu_action(
        window, lambda: DirectoryDialog(window.session, window), lambda: _("Service &directory…")
    )
    _menu_action(
        window, lambda: FormsDialog(window.session, window), lambda: _("&Form definitions…")
    )
