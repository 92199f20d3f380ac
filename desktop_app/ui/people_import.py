"""Import wizard for client lists: choose a file, map columns, preview and dry run, import.

Feature module: ``install(window)`` adds "Import people…" to the File menu.
"""

from __future__ import annotations

import threading
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, Qt, Signal
from PySide6.QtGui import QAction, QColor
from PySide6.QtWidgets import (
    QApplication,
    QComboBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QProgressDialog,
    QPushButton,
    QRadioButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
    QWizard,
    QWizardPage,
)

from desktop_app.domain.validation import ValidationFailed
from desktop_app.i18n.formatting import format_number, format_partial_date
from desktop_app.i18n.messages import failure_message
from desktop_app.i18n.text import _, ngettext
from desktop_app.ui.access_keys import give_keys, keys_in
from desktop_app.ui.person_dialog import SEX_OPTIONS
from desktop_app.ui.save_dialog import ask_open_path
from desktop_app.ui.tasks import TaskRunner
from desktop_app.ui.widgets import ErrorLabel, country_names, language_names
from desktop_app.usecases import people_import as pi
from desktop_app.usecases.accounts import Session

if TYPE_CHECKING:
    from desktop_app.ui.main_window import MainWindow

PREVIEW_ROWS = 10
PREVIEW_FIELDS = ("given_name", "family_name", "date_of_birth", "sex", "nationality",
                  "languages", "phone")  # fmt: skip


def _shown_date(text: str, written: str = "") -> str:
    """A date of birth as the program shows dates; one that is no date as the file has it
    ("31.02.1980"), not as read ("1980-02-31"): the dry run names the problem."""
    try:
        return format_partial_date(text)
    except ValueError:
        return written or text


class ImportCancelled(Exception):
    """The user pressed Cancel in the progress dialog; the transaction is rolled back."""


class _Progress(QObject):
    """Carries progress from the worker thread to the progress dialog (queued signal)."""

    changed = Signal(int, int)


class FilePage(QWizardPage):
    def __init__(self, wizard: PeopleImportWizard) -> None:
        super().__init__()
        self._wizard = wizard
        self.path = QLineEdit()
        self.path.textChanged.connect(self.completeChanged)
        self.browse = QPushButton()
        self.browse.clicked.connect(self._on_browse_clicked)
        self.error = ErrorLabel()
        self.hint = QLabel()
        self.hint.setWordWrap(True)
        row = QHBoxLayout()
        row.addWidget(self.path)
        row.addWidget(self.browse)
        layout = QVBoxLayout(self)
        layout.addWidget(self.hint)
        layout.addLayout(row)
        layout.addWidget(self.error)
        layout.addStretch()
        self.setTitle(_("Choose a file"))
        self.hint.setText(
            _(
                "A spreadsheet (XLSX) or CSV file with one person per row and the column "
                "names in the first row."
            )
        )
        self.browse.setText(_("&Choose…"))
        self.path.setAccessibleName(_("File"))

    def _on_browse_clicked(self) -> None:
        ask_open_path(
            self,
            _("Import people"),
            lambda path: self.path.setText(str(path)),
            name_filter=_("Spreadsheets (*.xlsx *.csv *.txt);;All files (*)"),
        )

    def isComplete(self) -> bool:
        return bool(self.path.text().strip())

    def validatePage(self) -> bool:
        self.error.show_message("")
        # A 10,000-row XLSX takes a few seconds to read; the page must answer synchronously.
        QApplication.setOverrideCursor(Qt.CursorShape.WaitCursor)
        try:
            self._wizard.table = pi.read_table(Path(self.path.text().strip()))
        except pi.ImportFileError as exc:
            self.error.show_message(pi.file_error_message(exc))
            return False
        finally:
            QApplication.restoreOverrideCursor()
        return True


class MappingPage(QWizardPage):
    def __init__(self, wizard: PeopleImportWizard) -> None:
        super().__init__()
        self._wizard = wizard
        self.saved = QComboBox()
        self.saved.activated.connect(self._on_saved_activated)
        self.combos: dict[str, QComboBox] = {}
        self.labels: dict[str, QLabel] = {}
        form = QFormLayout()
        self.saved_label = QLabel()
        self.saved_label.setBuddy(self.saved)
        form.addRow(self.saved_label, self.saved)
        for name in pi.IMPORT_FIELDS:
            combo = QComboBox()
            combo.setAccessibleName(pi.field_label(name))
            label = QLabel(pi.field_label(name))
            label.setBuddy(combo)
            self.combos[name], self.labels[name] = combo, label
            form.addRow(label, combo)
        self.save_name = QLineEdit()
        self.save_button = QPushButton()
        self.save_button.clicked.connect(self._on_save_clicked)
        save_row = QHBoxLayout()
        save_row.addWidget(self.save_name)
        save_row.addWidget(self.save_button)
        self.save_label = QLabel()
        self.save_label.setBuddy(self.save_name)
        form.addRow(self.save_label, save_row)
        self.error = ErrorLabel()
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.error)
        self.setTitle(_("Which column holds what?"))
        self.setSubTitle(
            _("Guessed from the column names. Fields that are not in the file stay empty.")
        )
        self.saved_label.setText(_("Saved &mapping"))
        self.save_label.setText(_("Save mapping &as"))
        self.save_button.setText(_("&Save"))
        self.save_name.setAccessibleName(_("Name of the mapping"))

    def initializePage(self) -> None:
        table = self._wizard.table
        assert table is not None
        for combo in self.combos.values():
            combo.clear()
            combo.addItem(_("— not in the file —"), "")
            for header in table.headers:
                combo.addItem(header, header)
        self._saved = pi.saved_mappings(self._wizard.session.store)
        self.saved.clear()
        self.saved.addItem(_("(guessed from the column names)"), "")
        for name in sorted(self._saved):
            self.saved.addItem(name, name)
        self.set_mapping(pi.guess_mapping(table.headers))
        # The fields' names (the preview's column titles too) mark no key: each gets a letter
        # the page's other controls and the wizard's buttons, named by now, leave free.
        wizard = self.wizard()
        taken = keys_in(wizard, outside=self.labels.values()) if wizard else set()
        give_keys([(label, pi.field_label(name)) for name, label in self.labels.items()], taken)

    def set_mapping(self, mapping: dict[str, str]) -> None:
        for name, combo in self.combos.items():
            combo.setCurrentIndex(max(combo.findData(mapping.get(name, "")), 0))

    def mapping(self) -> pi.ColumnMapping:
        return {name: str(c.currentData()) for name, c in self.combos.items() if c.currentData()}

    def _on_saved_activated(self, index: int) -> None:
        name = str(self.saved.itemData(index) or "")
        table = self._wizard.table
        assert table is not None
        self.set_mapping(self._saved[name] if name else pi.guess_mapping(table.headers))

    def _on_save_clicked(self) -> None:
        try:
            pi.save_mapping(self._wizard.session.store, self.save_name.text(), self.mapping())
        except ValidationFailed as exc:
            self.error.show_message(pi.describe(exc.errors[0]))
            return
        self.error.show_message("")
        self._wizard.status(_("Mapping saved."))

    def validatePage(self) -> bool:
        table = self._wizard.table
        assert table is not None
        errors = pi.check_mapping(self.mapping(), table.headers)
        self.error.show_message(" ".join(pi.describe(e) for e in errors))
        if not errors:
            self._wizard.mapping = self.mapping()
        return not errors


class PreviewPage(QWizardPage):
    def __init__(self, wizard: PeopleImportWizard) -> None:
        super().__init__()
        self._wizard = wizard
        self._report: pi.ImportReport | None = None
        self._generation = 0
        self.preview = QTableWidget(0, len(PREVIEW_FIELDS))
        self.preview.verticalHeader().hide()
        self.preview.horizontalHeader().setStretchLastSection(True)
        self.preview.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        # Tab leaves the table for the choices below (it went from cell to cell and round
        # again: the keyboard never reached the duplicates' choice nor Import).
        self.preview.setTabKeyNavigation(False)
        self.preview.setMaximumHeight(220)
        self.summary = QLabel()
        self.summary.setWordWrap(True)
        self.problems = QListWidget()
        self.problems.setWordWrap(True)
        self.problems.setResizeMode(QListWidget.ResizeMode.Adjust)
        self.skip = QRadioButton()
        self.include = QRadioButton()
        self.skip.setChecked(True)
        layout = QVBoxLayout(self)
        layout.addWidget(self.preview)
        layout.addWidget(self.summary)
        layout.addWidget(self.problems)
        layout.addWidget(self.skip)
        layout.addWidget(self.include)
        self.setTitle(_("Preview and check"))
        self.setSubTitle(_("The first rows as they will be stored, and every row with a problem."))
        self.skip.setText(_("Leave likely duplicates out"))
        self.include.setText(
            _("Import likely duplicates as well (e.g. family members sharing a phone)")
        )
        self.preview.setAccessibleName(_("Preview"))
        self.problems.setAccessibleName(_("Rows with problems"))

    def initializePage(self) -> None:
        table, mapping = self._wizard.table, self._wizard.mapping
        assert table is not None
        self.preview.setHorizontalHeaderLabels([pi.field_label(f) for f in PREVIEW_FIELDS])
        rows = pi.preview(table, mapping, PREVIEW_ROWS)
        sex_labels = {code: _(label) for code, label in SEX_OPTIONS}
        countries = country_names()
        self.preview.setRowCount(len(rows))
        for r, row in enumerate(rows):
            draft = row.draft
            values = (
                draft.given_name,
                draft.family_name,
                _shown_date(draft.date_of_birth, row.written_date),
                sex_labels.get(draft.sex, draft.sex),
                countries.get(draft.nationality, ""),
                language_names(draft.languages),
                draft.phone,
            )
            for c, value in enumerate(values):
                item = QTableWidgetItem(value)
                item.setToolTip(value)
                self.preview.setItem(r, c, item)
        # Each column as wide as its header and values (up to 220 px, then a tooltip shows
        # the rest); the table scrolls sideways rather than cutting every column short.
        self.preview.resizeColumnsToContents()
        for c in range(self.preview.columnCount()):
            self.preview.setColumnWidth(c, min(self.preview.columnWidth(c), 220))
        self._report = None
        self.problems.clear()
        self.summary.setText(_("Checking every row…"))
        self.completeChanged.emit()
        self._generation += 1
        generation = self._generation
        store = self._wizard.session.store
        self._wizard.tasks.run(
            lambda: pi.dry_run(store, table, mapping),
            lambda report: self._on_dry_run_done(generation, report),
            self._wizard.task_failed,
        )

    def _on_dry_run_done(self, generation: int, report: pi.ImportReport) -> None:
        if generation != self._generation:
            return
        self._report = report
        self.problems.clear()
        for verdict in report.refused:
            if verdict.line - 2 < self.preview.rowCount():
                for c in range(self.preview.columnCount()):
                    item = self.preview.item(verdict.line - 2, c)
                    if item is not None:
                        item.setBackground(QColor("#fde2e2"))
            reasons = " · ".join(
                f"{pi.field_label(e.field)}: {pi.describe(e)}" for e in verdict.errors
            )
            self.problems.addItem(
                _("Line {line} ({name}) refused: {reasons}").format(
                    line=verdict.line, name=verdict.name or "—", reasons=reasons
                )
            )
        for verdict in report.duplicates:
            if verdict.same_as_line is not None:
                self.problems.addItem(
                    _("Line {line} ({name}) is likely the same person as line {other}.").format(
                        line=verdict.line, name=verdict.name, other=verdict.same_as_line
                    )
                )
            for entry in verdict.duplicate_of:
                self.problems.addItem(
                    _("Line {line} ({name}) is likely already stored: {person}").format(
                        line=verdict.line,
                        name=verdict.name,
                        person=f"{entry.family_name}, {entry.given_name} {entry.date_of_birth}",
                    )
                )
        self.summary.setText(
            _(
                "Rows: {total} · can be imported: {ok} · left out because of errors: {refused} "
                "· likely duplicates: {duplicates}"
            ).format(
                total=format_number(report.total),
                ok=format_number(report.total - len(report.refused) - len(report.duplicates)),
                refused=format_number(len(report.refused)),
                duplicates=format_number(len(report.duplicates)),
            )
        )
        has_duplicates = bool(report.duplicates)
        self.skip.setVisible(has_duplicates)
        self.include.setVisible(has_duplicates)
        self.completeChanged.emit()

    def report(self) -> pi.ImportReport | None:
        return self._report

    def policy(self) -> pi.DuplicatePolicy:
        return "import" if self.include.isChecked() else "skip"

    def isComplete(self) -> bool:
        return self._report is not None


class PeopleImportWizard(QWizard):
    """Import a client list; ``imported(count)`` is emitted after the transaction committed."""

    imported = Signal(int)
    failed = Signal(str)

    def __init__(self, session: Session, tasks: TaskRunner, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.session = session
        self.tasks = tasks
        self.table: pi.ImportTable | None = None
        self.mapping: pi.ColumnMapping = {}
        self.outcome: pi.ImportReport | None = None
        self.progress: QProgressDialog | None = None
        self._cancel = threading.Event()
        self.file_page = FilePage(self)
        self.mapping_page = MappingPage(self)
        self.preview_page = PreviewPage(self)
        for page in (self.file_page, self.mapping_page, self.preview_page):
            self.addPage(page)
        self.setWindowTitle(_("Import people"))
        # Qt ships no Romanian catalogue for its own buttons: name them ourselves.
        self.setButtonText(QWizard.WizardButton.FinishButton, _("&Import"))
        self.setButtonText(QWizard.WizardButton.NextButton, _("&Next >"))
        self.setButtonText(QWizard.WizardButton.BackButton, _("< &Back"))
        self.setButtonText(QWizard.WizardButton.CancelButton, _("Cancel"))
        self.setOption(QWizard.WizardOption.NoBackButtonOnLastPage, False)
        self.setWizardStyle(QWizard.WizardStyle.ClassicStyle)
        self.resize(760, 620)

    def status(self, text: str) -> None:
        parent = self.parent()
        if parent is not None and hasattr(parent, "statusBar"):
            parent.statusBar().showMessage(text, 5000)

    def task_failed(self, exc: Exception) -> None:
        self.preview_page.summary.setText(failure_message(exc))

    def accept(self) -> None:
        """Run the import in the background behind a progress dialog; close when it is done."""
        table = self.table
        assert table is not None
        mapping, policy = self.mapping, self.preview_page.policy()
        session = self.session
        self._cancel.clear()
        progress = QProgressDialog(_("Importing people…"), _("Cancel"), 0, 100, self)
        progress.setWindowTitle(_("Import people"))
        progress.setWindowModality(Qt.WindowModality.WindowModal)
        progress.setMinimumDuration(0)
        progress.canceled.connect(self._cancel.set)
        self.progress = progress
        signal = _Progress(self)
        signal.changed.connect(lambda done, total: progress.setValue(done * 100 // max(total, 1)))

        def on_progress(done: int, total: int) -> None:
            if self._cancel.is_set():
                raise ImportCancelled
            signal.changed.emit(done, total)

        self.button(QWizard.WizardButton.FinishButton).setEnabled(False)
        self.tasks.run(
            lambda: pi.import_people(
                session.store,
                session.user,
                table,
                mapping,
                policy=policy,
                progress=on_progress,
            ),
            self._on_import_done,
            self._on_import_failed,
        )

    def _on_import_done(self, report: pi.ImportReport) -> None:
        self.outcome = report
        if self.progress is not None:
            self.progress.close()
        self.status(
            ngettext("{count} person imported.", "{count} people imported.", report.stored).format(
                count=format_number(report.stored)
            )
        )
        self.imported.emit(report.stored)
        super().accept()

    def _on_import_failed(self, exc: Exception) -> None:
        if self.progress is not None:
            self.progress.close()
        self.button(QWizard.WizardButton.FinishButton).setEnabled(True)
        if isinstance(exc, ImportCancelled):
            message = _("Import cancelled. Nothing was imported.")
        else:
            message = failure_message(exc, _("The import failed; nothing was imported."))
        self.preview_page.summary.setText(message)
        self.failed.emit(message)


def _after_import(window: MainWindow) -> None:
    window.reload_all()
    # The status bar's changes to send: it said "0 changes to send" after hundreds were
    # imported, until the next sync tried, up to a minute later.
    controller = getattr(window, "sync", None)
    if controller is not None:
        controller.refresh()


def install(window: MainWindow) -> None:
    action = QAction(window)
    window.file_menu.insertAction(window.quit_action, action)
    window.file_menu.insertSeparator(window.quit_action)

    def open_wizard() -> None:
        wizard = PeopleImportWizard(window.session, window.tasks, window)
        wizard.imported.connect(lambda _count: _after_import(window))
        wizard.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        wizard.open()
        window.import_wizard = wizard  # type: ignore[attr-defined]  # for tests and screenshots

    def retranslate() -> None:
        action.setText(_("&Import people…"))

    action.triggered.connect(open_wizard)
    window.retranslated.connect(retranslate)
    window.import_action = action  # type: ignore[attr-defined]
    retranslate()
