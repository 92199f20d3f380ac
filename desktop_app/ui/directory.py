"""The coordinator's service directory window: what is in force, export for editing, publish."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import Qt
from PySide6.QtGui import QAction
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from desktop_app.domain.permissions import Action, PermissionDenied, allowed
from desktop_app.i18n.formatting import format_long_date
from desktop_app.i18n.messages import directory_problem, error_message
from desktop_app.i18n.text import _, current_language
from desktop_app.letters.directory import DirectoryError, ServiceDirectory
from desktop_app.ui.admin import admin_menu
from desktop_app.ui.widgets import ErrorLabel
from desktop_app.usecases import reference
from desktop_app.usecases.accounts import Session

if TYPE_CHECKING:
    from desktop_app.ui.main_window import MainWindow


def _problem(exc: Exception) -> str:
    if isinstance(exc, DirectoryError):
        return directory_problem(exc.file.name, exc.where, exc.code)
    if isinstance(exc, reference.PublishRefused):
        return directory_problem(exc.detail if exc.code == "file_too_large" else "", "", exc.code)
    if isinstance(exc, PermissionDenied):
        return error_message(exc.code)
    if isinstance(exc, OSError):
        return _("The folder cannot be read or written: {reason}").format(
            reason=exc.strerror or exc
        )
    raise exc


class PublishDialog(QDialog):
    """Confirm a checked folder before it goes to every laptop, with a note on what changed."""

    def __init__(self, folder: Path, directory: ServiceDirectory, parent: QWidget | None) -> None:
        super().__init__(parent)
        self.setWindowTitle(_("Publish the service directory"))
        layout = QVBoxLayout(self)
        summary = QLabel(
            _(
                "The folder {folder} was checked: {count} services, no problems. After publishing, "
                "every laptop uses it for new referral letters after its next sync."
            ).format(folder=folder, count=len(directory.services))
        )
        summary.setWordWrap(True)
        layout.addWidget(summary)
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


class DirectoryDialog(QDialog):
    """Shows the directory in force and lets a coordinator export and publish it."""

    def __init__(self, session: Session, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.session = session
        self.setWindowTitle(_("Service directory"))
        self.resize(900, 520)
        layout = QVBoxLayout(self)
        self.status = QLabel()
        self.status.setAccessibleName(_("Directory in force"))
        self.status.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        layout.addWidget(self.status)
        self.note = QLabel()
        self.note.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        layout.addWidget(self.note)
        self.table = QTableWidget(0, 4)
        self.table.setAccessibleName(_("Services"))
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.verticalHeader().hide()
        self.table.setHorizontalHeaderLabels(
            [_("Service"), _("Address"), _("Phone"), _("Opening hours")]
        )
        self.table.setWordWrap(True)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        header.setSectionResizeMode(3, QHeaderView.ResizeMode.Stretch)
        for column, width in enumerate((280, 230, 120)):
            header.resizeSection(column, width)
        layout.addWidget(self.table, 1)
        self.error = ErrorLabel()
        layout.addWidget(self.error)
        self.message = QLabel()
        self.message.setWordWrap(True)
        layout.addWidget(self.message)
        row = QHBoxLayout()
        self.export_button = QPushButton(_("&Export for editing…"))
        self.export_button.setToolTip(
            _("Writes the directory as YAML files into an empty folder, to edit them there.")
        )
        self.publish_button = QPushButton(_("&Publish from folder…"))
        self.publish_button.setToolTip(
            _("Checks an edited folder and sends it to every laptop of the organisation.")
        )
        close = QPushButton(_("Close"))
        self.export_button.clicked.connect(self._choose_export)
        self.publish_button.clicked.connect(self._choose_publish)
        close.clicked.connect(self.accept)
        row.addWidget(self.export_button)
        row.addWidget(self.publish_button)
        row.addStretch(1)
        row.addWidget(close)
        layout.addLayout(row)
        self.refresh()

    def refresh(self) -> None:
        store = self.session.store
        published = reference.published_directory(store)
        directory = reference.service_directory(store)
        if published is None:
            self.status.setText(
                _("In force: the directory shipped with Welcome Desk ({count} services).").format(
                    count=len(directory.services)
                )
            )
        else:
            text = _("In force: published by {name} on {when} ({count} services).").format(
                name=published.publisher,
                when=format_long_date(published.published_at.date()),
                count=published.services,
            )
            self.status.setText(text)
        note = published.note if published else ""
        self.note.setText(_("What changed: {note}").format(note=note) if note else "")
        self.note.setVisible(bool(note))
        lang = current_language()
        self.table.setRowCount(len(directory.services))
        for i, service in enumerate(directory.services):
            address = service.address
            where = ", ".join(
                part
                for part in (address.street, f"{address.postcode} {address.city}".strip())
                if part
            )
            cells = (
                service.name.get(lang),
                where,
                service.contact.phone,
                service.opening_hours.get(lang),
            )
            for column, value in enumerate(cells):
                item = QTableWidgetItem(value)
                item.setToolTip(value)
                self.table.setItem(i, column, item)
        self.table.resizeRowsToContents()

    def _choose_export(self) -> None:
        folder = QFileDialog.getExistingDirectory(self, _("Choose an empty folder"))
        if folder:
            self.export_to(Path(folder))

    def _choose_publish(self) -> None:
        folder = QFileDialog.getExistingDirectory(self, _("Choose the edited directory folder"))
        if folder:
            self.publish_from(Path(folder))

    def export_to(self, folder: Path) -> bool:
        self.error.show_message("")
        try:
            count = reference.export_directory(self.session.store, self.session.user, folder)
        except (reference.PublishRefused, PermissionDenied, OSError) as exc:
            self.error.show_message(_problem(exc))
            return False
        self.message.setText(
            _("{count} files written to {folder}. Edit them, then publish the folder.").format(
                count=count, folder=folder
            )
        )
        return True

    def check_folder(self, folder: Path) -> ServiceDirectory | None:
        self.error.show_message("")
        try:
            from desktop_app.letters.directory import read_directory_files

            return reference.check_files(read_directory_files(folder))
        except (DirectoryError, reference.PublishRefused, OSError) as exc:
            self.error.show_message(_problem(exc))
            return None

    def publish_from(self, folder: Path, confirm: PublishDialog | None = None) -> bool:
        directory = self.check_folder(folder)
        if directory is None:
            return False
        dialog = confirm or PublishDialog(folder, directory, self)
        if confirm is None and dialog.exec() != QDialog.DialogCode.Accepted:
            return False
        try:
            done = reference.publish_directory_folder(
                self.session.store, self.session.user, folder, dialog.note.text()
            )
        except (DirectoryError, reference.PublishRefused, PermissionDenied, OSError) as exc:
            self.error.show_message(_problem(exc))
            return False
        self.message.setText(
            _("Published: {count} services. Other laptops use them after their next sync.").format(
                count=done.services
            )
        )
        self.refresh()
        return True


def install(window: MainWindow) -> None:
    if not allowed(window.session.user, Action.MANAGE_DIRECTORY):
        return
    action = QAction(window)
    action.triggered.connect(lambda: DirectoryDialog(window.session, window).exec())
    admin_menu(window).addAction(action)

    def retranslate() -> None:
        action.setText(_("Service &directory…"))

    window.retranslated.connect(retranslate)
    retranslate()
