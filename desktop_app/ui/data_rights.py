"""The person's rights in the UI: export all data, erase the person, the retention list."""

from __future__ import annotations

import contextlib
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import Qt
from PySide6.QtGui import QAction, QStandardItem, QStandardItemModel
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QMessageBox,
    QProgressBar,
    QPushButton,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from desktop_app.domain.permissions import Action, allowed
from desktop_app.domain.person import Person
from desktop_app.i18n.formatting import format_long_date, format_number
from desktop_app.i18n.messages import failure_message
from desktop_app.i18n.text import LANGUAGE_NAMES, LANGUAGES, _, current_language, ngettext
from desktop_app.i18n.translit import fold
from desktop_app.ui.admin import admin_menu
from desktop_app.ui.error_label import ErrorLabel
from desktop_app.ui.save_dialog import ask_folder
from desktop_app.ui.tasks import TaskRunner
from desktop_app.ui.widgets import KeepsInput, record_table
from desktop_app.usecases import data_rights
from desktop_app.usecases import settings as store_settings
from desktop_app.usecases.accounts import Session
from desktop_app.usecases.data_rights import RetentionEntry

if TYPE_CHECKING:
    from desktop_app.ui.main_window import MainWindow


def _fold(text: str) -> str:
    return " ".join(text.split()).casefold()


def _confirms(typed: str, family_name: str) -> bool:
    """Whether ``typed`` is the family name as written, or in Latin letters: a coordinator at
    a German keyboard could not type "Ахмедова" (nor copy it from the dialog), and erasing a
    Bulgarian written in Cyrillic was a dead end; "Ahmedova" will do, as the search takes it."""
    if _fold(typed) == _fold(family_name):
        return True
    latin = fold(family_name)
    return bool(latin) and fold(typed) == latin


class EraseDialog(QDialog):
    """Asks to type the person's family name before erasing, so nobody erases by a slip."""

    def __init__(self, person: Person, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.person = person
        self.setWindowTitle(_("Erase person"))
        text = QLabel(
            _(
                "This erases {name} and everything recorded about them (visits, referrals, "
                "drafts, documents waiting to be printed) on this laptop now and on every other "
                "laptop at the next sync. It cannot be undone. The audit log keeps only that an "
                "erasure happened.\n\nType the family name to confirm:"
            ).format(name=f"{person.given_name} {person.family_name}")
        )
        text.setWordWrap(True)
        # Said in Latin letters where it is written otherwise (or with letters a German
        # keyboard lacks: "Căpraru"), as the dialog takes it.
        latin = " ".join(word.capitalize() for word in fold(person.family_name).split())
        self.latin = QLabel(
            _("or in Latin letters: {name}").format(name=latin)
            if latin and not person.family_name.isascii()
            else ""
        )
        self.latin.setVisible(bool(self.latin.text()))
        self.confirm = QLineEdit()
        self.confirm.setAccessibleName(_("Family name to confirm"))
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        self.ok = self.buttons.button(QDialogButtonBox.StandardButton.Ok)
        self.ok.setText(_("Erase for good"))
        self.ok.setEnabled(False)
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        self.confirm.textChanged.connect(self._on_confirm_text_changed)
        layout = QVBoxLayout(self)
        layout.addWidget(text)
        layout.addWidget(self.latin)
        layout.addWidget(self.confirm)
        layout.addWidget(self.buttons)
        # A wrapped label reports its height only for a known width: fix the width first.
        text.setMinimumWidth(480)
        layout.setSizeConstraint(QVBoxLayout.SizeConstraint.SetMinimumSize)

    def _on_confirm_text_changed(self, text: str) -> None:
        self.ok.setEnabled(_confirms(text, self.person.family_name))


class ExportDialog(QDialog):
    """Where to write the person's data copy, and in which language its PDF is written: by
    default the person's own language when documents exist in it, else the UI's."""

    def __init__(self, person: Person, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.person = person
        self.setWindowTitle(_("Export data"))
        intro = QLabel(
            _(
                "A copy of everything recorded about {name}: a PDF to read and a JSON file "
                "with the same data for other programs."
            ).format(name=f"{person.given_name} {person.family_name}")
        )
        intro.setWordWrap(True)
        self.language = QComboBox()
        for code in (c for c in LANGUAGES if c in data_rights.DOCUMENT_LANGUAGES):
            # each language by its own name, so the person can point at theirs
            self.language.addItem(LANGUAGE_NAMES[code], code)
        self.language.setAccessibleName(_("Language of the PDF"))
        default = data_rights.preferred_language(person) or current_language()
        self.language.setCurrentIndex(max(self.language.findData(default), 0))
        self.folder = QLineEdit()
        self.folder.setAccessibleName(_("Folder for the data copy"))
        choose = QPushButton(_("&Choose…"))
        choose.clicked.connect(self._on_choose_clicked)
        folder_row = QHBoxLayout()
        folder_row.addWidget(self.folder, 1)
        folder_row.addWidget(choose)
        form = QFormLayout()
        form.addRow(_("&Language of the PDF:"), self.language)
        folder_label = QLabel(_("&Folder:"))
        folder_label.setBuddy(self.folder)  # a row holding a layout gets no buddy of its own
        form.addRow(folder_label, folder_row)
        # A folder typed that is not there: said at the field, with a way to create it (the
        # Export button alone, staying disabled, did not say why).
        self.folder_error = ErrorLabel()
        self.folder_error.setAccessibleName(_("Problem with the folder"))
        self.create_folder = QPushButton(_("C&reate folder"))
        self.create_folder.setObjectName("create_folder")
        self.create_folder.clicked.connect(self._on_create_folder_clicked)
        self.create_folder.hide()
        problem_row = QHBoxLayout()
        problem_row.addWidget(self.folder_error, 1)
        problem_row.addWidget(self.create_folder, 0, Qt.AlignmentFlag.AlignTop)
        form.addRow("", problem_row)
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        self.ok = self.buttons.button(QDialogButtonBox.StandardButton.Ok)
        self.ok.setText(_("&Export"))
        self.ok.setEnabled(False)
        self.buttons.accepted.connect(self.accept)
        # Escape pressed by reflex threw away the folder chosen (a stick's, found in the picker).
        self.keeps_input = KeepsInput(
            self, lambda: (self.language.currentIndex(), self.folder.text())
        )
        self.buttons.rejected.connect(self.keeps_input.cancel)
        self.folder.textChanged.connect(self._on_folder_text_changed)
        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addLayout(form)
        layout.addWidget(self.buttons)
        intro.setMinimumWidth(480)
        layout.setSizeConstraint(QVBoxLayout.SizeConstraint.SetMinimumSize)

    def chosen_language(self) -> str:
        return str(self.language.currentData())

    def chosen_folder(self) -> Path:
        return Path(self.folder.text().strip())

    def _on_choose_clicked(self) -> None:
        ask_folder(
            self,
            _("Folder for the data copy"),
            lambda folder: self.folder.setText(str(folder)),
            typed=self.folder.text(),
        )

    def _on_folder_text_changed(self, text: str) -> None:
        path = Path(text.strip())
        missing = bool(text.strip()) and not path.exists()
        if not text.strip() or path.is_dir():
            message = ""
        elif missing:
            message = _("This folder does not exist.")
        else:
            message = _("This is a file, not a folder.")
        self.folder_error.show_message(message)
        self.create_folder.setVisible(missing)
        self.ok.setEnabled(bool(text.strip()) and path.is_dir())

    def _on_create_folder_clicked(self) -> None:
        try:
            self.chosen_folder().mkdir(parents=True, exist_ok=True)
        except PermissionError:
            self.folder_error.show_message(
                _("The folder could not be created: you may not write there.")
            )
            return
        except OSError:  # a file where a folder of the path should be, a drive gone …
            self.folder_error.show_message(_("The folder could not be created."))
            return
        self._on_folder_text_changed(self.folder.text())
        self.ok.setFocus()  # the focus was on the button just hidden


class RetentionWindow(QDialog):
    """People without contact for the retention period; the coordinator confirms erasure."""

    def __init__(self, window: MainWindow) -> None:
        super().__init__(window)
        self.window_ = window
        self.session: Session = window.session
        self.setWindowTitle(_("Retention: people without contact"))
        self.intro = QLabel()  # what the list holds, or that it is empty (refresh)
        self.intro.setWordWrap(True)
        self.model = QStandardItemModel(self)
        self.table = record_table(QTableView(), _("People due for deletion"))
        self.table.setModel(self.model)
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Stretch)
        self.erase_button = QPushButton(_("&Erase selected…"))
        self.erase_button.clicked.connect(self._on_erase_clicked)
        self.count = QLabel()
        self.progress = QProgressBar()
        self.progress.hide()
        self.runner = TaskRunner(self, max_threads=1)
        self.erasing = False
        row = QHBoxLayout()
        row.addWidget(self.count)
        row.addWidget(self.progress)
        row.addStretch(1)
        row.addWidget(self.erase_button)
        # Closing was only Esc or the title bar.
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        self.buttons.rejected.connect(self.reject)
        row.addWidget(self.buttons)
        layout = QVBoxLayout(self)
        layout.addWidget(self.intro)
        layout.addWidget(self.table, 1)
        layout.addLayout(row)
        self.entries: list[RetentionEntry] = []
        self.resize(640, 480)
        self.refresh()

    def refresh(self) -> None:
        # The period in force on this laptop (the team's, or a coordinator's saved here).
        years = store_settings.get_retention_years(self.session.store)
        self.entries = data_rights.people_due_for_deletion(
            self.session.store, self.session.user, years
        )
        self.model.clear()
        self.model.setHorizontalHeaderLabels([_("Name"), _("Last contact")])
        for e in self.entries:
            self.model.appendRow(
                [
                    QStandardItem(f"{e.family_name}, {e.given_name}"),
                    QStandardItem(format_long_date(e.last_contact)),
                ]
            )
        self.intro.setText(
            ngettext(
                "These people have had no contact for {years} year. Check each one, then erase "
                "the selected people.",
                "These people have had no contact for {years} years. Check each one, then erase "
                "the selected people.",
                years,
            ).format(years=format_number(years))
            if self.entries
            # An empty list under "These people …" said nothing of why it was empty.
            else ngettext(
                "No one is due for deletion: everyone on this laptop has had contact within "
                "the last {years} year.",
                "No one is due for deletion: everyone on this laptop has had contact within "
                "the last {years} years.",
                years,
            ).format(years=format_number(years))
        )
        count = len(self.entries)
        self.count.setText(
            ngettext("{count} person", "{count} people", count).format(count=format_number(count))
        )
        self.count.setVisible(bool(self.entries))
        self.erase_button.setEnabled(bool(self.entries))

    def _on_erase_clicked(self) -> None:
        rows = sorted({i.row() for i in self.table.selectionModel().selectedRows()})
        if not rows or self.erasing:
            return
        answer = QMessageBox.question(
            self,
            _("Erase people"),
            ngettext(
                "Erase {count} person and all their data for good?",
                "Erase {count} people and all their data for good?",
                len(rows),
            ).format(count=format_number(len(rows))),
        )
        if answer != QMessageBox.StandardButton.Yes:
            return
        self._erase_from([self.entries[r].person_id for r in rows], 0)

    def _erase_from(self, person_ids: list[str], done: int) -> None:
        """Erase ``person_ids[done:]`` one by one on a worker thread (a sync may hold the
        store meanwhile), with the progress shown; the list waits greyed out."""
        self.erasing = done < len(person_ids)
        self.table.setEnabled(not self.erasing)
        self.erase_button.setEnabled(not self.erasing)
        self.progress.setVisible(self.erasing)
        if not self.erasing:
            self.window_.person_page.show_person(None)
            self.window_.reload_all()
            self.refresh()
            return
        self.count.setText(
            _("Erasing {number} of {count}…").format(
                number=format_number(done + 1), count=format_number(len(person_ids))
            )
        )
        self.progress.setRange(0, len(person_ids))
        self.progress.setValue(done)
        store, user, person_id = self.session.store, self.session.user, person_ids[done]

        def erase() -> None:
            with contextlib.suppress(data_rights.PersonNotFound):  # erased meanwhile
                data_rights.erase_person(store, user, person_id)

        self.runner.run(
            erase, lambda _none: self._erase_from(person_ids, done + 1), self._on_erase_failed
        )

    def _on_erase_failed(self, exc: Exception) -> None:
        self._erase_from([], 0)  # what was erased stays erased; the list shows what is left
        self.window_._on_task_failed(
            exc, _("Erasing stopped; the people erased before stay erased.")
        )


def erase_shown_person(window: MainWindow, person_id: str) -> None:
    """Erase the person on the page on a worker thread (a sync may hold the store meanwhile);
    the page waits greyed out, then shows nobody."""
    page, session = window.person_page, window.session
    page.setEnabled(False)
    window.statusBar().showMessage(_("Erasing…"))

    def erase() -> None:
        with contextlib.suppress(data_rights.PersonNotFound):  # erased meanwhile (a sync)
            data_rights.erase_person(session.store, session.user, person_id)

    def erased(_none: None) -> None:
        page.setEnabled(True)
        page.show_person(None)
        window.search.clear()
        window.reload_all()
        window.statusBar().showMessage(_("The person was erased."), 5000)
        # The erasure waits to be sent to the other laptops: the status bar said "0 changes to
        # send" until the next sync, as if it had reached them.
        controller = getattr(window, "sync", None)  # None without the sync feature
        if controller is not None:
            controller.refresh()

    def failed(exc: Exception) -> None:
        page.setEnabled(True)
        window.statusBar().clearMessage()
        window._on_task_failed(exc, _("The person could not be erased."))

    window.tasks.run(erase, erased, failed)


def export_person_to(
    session: Session, person_id: str, folder: Path, lang: str | None = None
) -> list[Path]:
    """Write the JSON and PDF copies (the PDF in ``lang``, by default the person's language);
    file names carry only the record id, never a name."""
    json_bytes, pdf_bytes = data_rights.export_person(
        session.store, session.user, person_id, lang=lang
    )
    stem = f"welcome-desk-data-{person_id[:8]}"
    paths = [folder / f"{stem}.json", folder / f"{stem}.pdf"]
    written: list[Path] = []
    try:
        for path, data in zip(paths, (json_bytes, pdf_bytes), strict=True):
            written.append(path)
            path.write_bytes(data)
    except OSError:
        # Half a copy (the JSON without the PDF, a PDF cut short) is personal data left on a
        # stick or share for nothing: what was written goes again.
        for path in written:
            with contextlib.suppress(OSError):
                if path.is_file():
                    path.unlink()
        raise
    return paths


def export_failed_message(folder: Path, exc: OSError) -> str:
    """Why (a full stick, a write-protected one, no permission), not every cause at once."""
    return failure_message(
        exc, _("The data copy could not be written to the folder {folder}.").format(folder=folder)
    )


def install(window: MainWindow) -> None:
    user = window.session.user
    page = window.person_page
    if allowed(user, Action.EXPORT_PERSON):

        def export(person: Person) -> None:
            dialog = ExportDialog(person, window)
            dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)

            def accepted() -> None:
                folder, lang = dialog.chosen_folder(), dialog.chosen_language()

                def failed(exc: Exception) -> None:
                    # A full stick or a share it may not write to was told as "The action
                    # failed: PermissionError", in English whatever the language.
                    if not isinstance(exc, OSError):
                        window._on_task_failed(exc)
                        return
                    QMessageBox.warning(
                        window, _("Export data"), export_failed_message(folder, exc)
                    )

                window.tasks.run(
                    lambda: export_person_to(window.session, person.id, folder, lang),
                    lambda paths: window.statusBar().showMessage(
                        _("Data copy written: {files}").format(
                            files=", ".join(p.name for p in paths)
                        ),
                        8000,
                    ),
                    failed,
                )

            dialog.accepted.connect(accepted)
            dialog.open()

        page.add_more_action("export_person", lambda: _("&Export data…"), export)
    if allowed(user, Action.ERASE_PERSON):

        def erase(person: Person) -> None:
            dialog = EraseDialog(person, window)
            if dialog.exec() == QDialog.DialogCode.Accepted:
                erase_shown_person(window, person.id)

        page.add_more_action("erase_person", lambda: _("E&rase person…"), erase, destructive=True)
    if allowed(user, Action.CONFIRM_RETENTION):
        retention = QAction(window)
        retention.triggered.connect(lambda: RetentionWindow(window).open())
        admin_menu(window).addAction(retention)

        def retranslate() -> None:
            retention.setText(_("&Retention…"))

        window.retranslated.connect(retranslate)
        retranslate()
