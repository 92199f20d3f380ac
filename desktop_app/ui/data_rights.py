"""The person's rights in the UI: export all data, erase the person, the retention list."""

from __future__ import annotations

import contextlib
import datetime as dt
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Generic, TypeVar

from PySide6.QtCore import QDate, Qt, Signal
from PySide6.QtGui import QAction, QColor, QStandardItem, QStandardItemModel
from PySide6.QtWidgets import (
    QButtonGroup,
    QComboBox,
    QDateEdit,
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
    QRadioButton,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from desktop_app.domain.permissions import Action, allowed
from desktop_app.domain.person import Person
from desktop_app.i18n.formatting import format_long_date, format_number
from desktop_app.i18n.messages import failure_message
from desktop_app.i18n.text import (
    LANGUAGE_NAMES,
    LANGUAGES,
    N_,
    _,
    current_language,
    ngettext,
)
from desktop_app.i18n.translit import fold
from desktop_app.ui.admin import admin_menu
from desktop_app.ui.error_label import ErrorLabel, WarningLabel
from desktop_app.ui.requests_due import RequestsDueNotice, requests_changed
from desktop_app.ui.save_dialog import ask_folder
from desktop_app.ui.tasks import TaskRunner
from desktop_app.ui.widgets import KeepsInput, record_table, tab_buttons_as_shown
from desktop_app.usecases import data_rights
from desktop_app.usecases import settings as store_settings
from desktop_app.usecases.accounts import Session
from desktop_app.usecases.data_rights import DataRequest, RetentionEntry

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
    """Asks to type the person's family name before erasing, so nobody erases by a slip; and
    why: at the person's request (then with the day it was received and a folder for the
    confirmation the person gets) or because the retention period is over."""

    def __init__(
        self,
        person: Person,
        parent: QWidget | None = None,
        open_requests: dict[str, DataRequest] | None = None,
    ) -> None:
        super().__init__(parent)
        self.person = person
        opened = open_requests or {}
        self.open_request = opened.get(data_rights.ERASURE)
        self.setWindowTitle(_("Erase person"))
        text = QLabel(
            _(
                "This erases {name} and everything recorded about them (visits, referrals, "
                "drafts, documents waiting to be printed) on this laptop now and on every other "
                "laptop at the next sync. It cannot be undone. The audit log keeps only that an "
                "erasure happened."
            ).format(name=f"{person.given_name} {person.family_name}")
        )
        text.setWordWrap(True)
        self.at_request = QRadioButton(_("At the person's re&quest"))
        self.retention = QRadioButton(_("Retention period &over"))
        self.why = QButtonGroup(self)
        for button in (self.at_request, self.retention):
            self.why.addButton(button)
        self.at_request.setChecked(True)
        why_row = QHBoxLayout()
        why_row.addWidget(self.at_request)
        why_row.addWidget(self.retention)
        why_row.addStretch(1)
        self.received = request_date_edit(_("Date the person asked for the erasure"))
        self.received_label = QLabel(_("&Date of the request:"))
        self.received_label.setBuddy(self.received)
        self.answers = _answers_label(self.received, self.open_request)
        self.due = _due_label(self.received, self.open_request)
        # An open copy request can no longer be answered once the data is gone: said first.
        copy = opened.get(data_rights.COPY)
        self.copy_warning = WarningLabel()
        self.copy_warning.setWordWrap(True)
        self.copy_warning.show_message(
            _(
                "A request for a copy of their data is open (reference {reference}, due "
                "{due}). Export the data first: after the erasure the copy cannot be given."
            ).format(reference=copy.reference, due=format_long_date(copy.due))
            if copy is not None
            else ""
        )
        self.language = _language_choice(person, _("Language of the confirmation"))
        self.language_label = QLabel(_("&Language of the confirmation:"))
        self.language_label.setBuddy(self.language)
        self.folder_field = FolderField(
            self, _("Folder for the confirmation"), lambda _usable: self._update()
        )
        self.request_hint = QLabel(
            _(
                "The person gets a confirmation (PDF, written before the erasure) with the "
                "reference of their request; the register of requests keeps the dates and the "
                "reference, nothing about the person."
            )
        )
        self.request_hint.setWordWrap(True)
        # What only a request takes, shown and hidden as one (the dialog shrinks with it).
        self.request_box = QWidget()
        box = QVBoxLayout(self.request_box)
        box.setContentsMargins(0, 0, 0, 0)
        box.addWidget(self.request_hint)
        box.addWidget(self.answers)
        form = QFormLayout()
        form.addRow(self.received_label, self.received)
        form.addRow("", self.due)
        form.addRow(self.language_label, self.language)
        self.folder_field.add_to(form)
        box.addLayout(form)
        self.confirm_label = QLabel(_("Type the family name to confirm:"))
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
        self.folder_field.next_focus = self.confirm
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        self.confirm.textChanged.connect(self._update)
        self.why.buttonToggled.connect(self._update)
        layout = QVBoxLayout(self)
        layout.addWidget(text)
        layout.addWidget(self.copy_warning)
        layout.addLayout(why_row)
        layout.addWidget(self.request_box)
        layout.addWidget(self.confirm_label)
        layout.addWidget(self.latin)
        layout.addWidget(self.confirm)
        layout.addWidget(self.buttons)
        # A wrapped label reports its height only for a known width: fix the width first.
        text.setMinimumWidth(480)
        layout.setSizeConstraint(QVBoxLayout.SizeConstraint.SetMinimumSize)
        self._update()

    def requested(self) -> bool:
        """Whether the erasure is at the person's request (else: the retention period)."""
        return self.at_request.isChecked()

    def chosen_received(self) -> dt.date:
        return _day(self.received)

    def chosen_language(self) -> str:
        return str(self.language.currentData())

    def chosen_folder(self) -> Path:
        return self.folder_field.chosen()

    def _update(self, *_args: object) -> None:
        requested = self.requested()
        if self.request_box.isHidden() == requested:
            self.request_box.setVisible(requested)
            self.adjustSize()
        confirmed = _confirms(self.confirm.text(), self.person.family_name)
        self.ok.setEnabled(confirmed and (not requested or self.folder_field.usable()))


def request_date_edit(accessible_name: str) -> QDateEdit:
    """The day a person's request was received: today by default, never a day to come."""
    edit = QDateEdit(QDate.currentDate())
    edit.setCalendarPopup(True)
    edit.setDisplayFormat("dd.MM.yyyy")
    edit.setMaximumDate(QDate.currentDate())
    edit.setAccessibleName(accessible_name)
    return edit


def _answers_label(edit: QDateEdit, request: DataRequest | None) -> QLabel:
    """With the person's open ``request`` (``record_open_request``): its date of receipt in
    ``edit``, fixed, and a line that says the answer closes it; hidden without one."""
    label = QLabel()
    label.setWordWrap(True)
    label.setVisible(request is not None)
    if request is not None:
        edit.setDate(QDate(request.received.year, request.received.month, request.received.day))
        # Read-only, not disabled: still reached by its label's key and read out.
        edit.setReadOnly(True)
        edit.setCalendarPopup(False)
        edit.setButtonSymbols(QDateEdit.ButtonSymbols.NoButtons)
        label.setText(
            _(
                "This answers the open request {reference}, received on {received}, due {due}."
            ).format(
                reference=request.reference,
                received=format_long_date(request.received),
                due=format_long_date(request.due),
            )
        )
    return label


def _due_label(edit: QDateEdit, request: DataRequest | None) -> QLabel:
    """Without an open ``request`` of the person's: when the answer to the request received on
    the day in ``edit`` is due (one month after), kept up as the day changes, and, past it,
    that the register marks the answer late. A request received by post weeks ago was
    answered without a word of its deadline, and the register then said "(late)"."""
    label = QLabel()
    label.setWordWrap(True)
    label.setVisible(request is None)
    if request is not None:  # ``_answers_label`` says it, with the request's own dates
        return label

    def show() -> None:
        due = data_rights.one_month_after(_day(edit))
        label.setText(
            _("The answer is due by {due}.").format(due=format_long_date(due))
            if due >= dt.date.today()
            else _(
                "The answer was due on {due}: the register of requests marks it as late."
            ).format(due=format_long_date(due))
        )

    edit.dateChanged.connect(lambda _day: show())
    show()
    return label


def _day(edit: QDateEdit) -> dt.date:
    return dt.date.fromisoformat(edit.date().toString(Qt.DateFormat.ISODate))


class FolderField:
    """A folder to write a document for the person to: typed or chosen, said at the field
    when it is not there (with a way to create it) or is a file; ``changed`` is told whether
    the folder is usable now. Shared by the data copy and the erasure's confirmation."""

    def __init__(self, dialog: QDialog, title: str, changed: Callable[[bool], None]) -> None:
        self.dialog, self.title, self.changed = dialog, title, changed
        self.next_focus: QWidget | None = None  # after "Create folder", which hides itself
        self.line = QLineEdit()
        self.line.setAccessibleName(title)
        self.choose = QPushButton(_("&Choose…"))
        self.choose.clicked.connect(self._on_choose_clicked)
        self.row = QHBoxLayout()
        self.row.addWidget(self.line, 1)
        self.row.addWidget(self.choose)
        self.label = QLabel(_("&Folder:"))
        self.label.setBuddy(self.line)  # a row holding a layout gets no buddy of its own
        # A folder typed that is not there: said at the field, with a way to create it (the
        # dialog's button alone, staying disabled, did not say why).
        self.error = ErrorLabel()
        self.error.setAccessibleName(_("Problem with the folder"))
        self.create = QPushButton(_("C&reate folder"))
        self.create.setObjectName("create_folder")
        self.create.clicked.connect(self._on_create_clicked)
        self.create.hide()
        self.problem_row = QHBoxLayout()
        self.problem_row.addWidget(self.error, 1)
        self.problem_row.addWidget(self.create, 0, Qt.AlignmentFlag.AlignTop)
        self.line.textChanged.connect(self._on_text_changed)

    def add_to(self, form: QFormLayout) -> None:
        form.addRow(self.label, self.row)
        form.addRow("", self.problem_row)

    def chosen(self) -> Path:
        return Path(self.line.text().strip())

    def usable(self) -> bool:
        return bool(self.line.text().strip()) and self.chosen().is_dir()

    def _missing(self) -> bool:
        return bool(self.line.text().strip()) and not self.chosen().exists()

    def _on_choose_clicked(self) -> None:
        ask_folder(
            self.dialog,
            self.title,
            lambda folder: self.line.setText(str(folder)),
            typed=self.line.text(),
        )

    def _on_text_changed(self, text: str) -> None:
        path = Path(text.strip())
        if not text.strip() or path.is_dir():
            message = ""
        elif self._missing():
            message = _("This folder does not exist.")
        else:
            message = _("This is a file, not a folder.")
        self.error.show_message(message)
        self.create.setVisible(self._missing())
        self.changed(self.usable())

    def _on_create_clicked(self) -> None:
        try:
            self.chosen().mkdir(parents=True, exist_ok=True)
        except PermissionError:
            self.error.show_message(_("The folder could not be created: you may not write there."))
            return
        except OSError:  # a file where a folder of the path should be, a drive gone …
            self.error.show_message(_("The folder could not be created."))
            return
        self._on_text_changed(self.line.text())
        if self.next_focus is not None:
            self.next_focus.setFocus()  # the focus was on the button just hidden


def _language_choice(person: Person, accessible_name: str) -> QComboBox:
    """The document languages, each by its own name (the person can point at theirs); by
    default the person's own language when documents exist in it, else the UI's."""
    combo = QComboBox()
    for code in (c for c in LANGUAGES if c in data_rights.DOCUMENT_LANGUAGES):
        combo.addItem(LANGUAGE_NAMES[code], code)
    combo.setAccessibleName(accessible_name)
    default = data_rights.preferred_language(person) or current_language()
    combo.setCurrentIndex(max(combo.findData(default), 0))
    return combo


class ExportDialog(QDialog):
    """Where to write the person's data copy, in which language its PDF is written, and when
    the person asked for it (the register of requests records it)."""

    def __init__(
        self,
        person: Person,
        parent: QWidget | None = None,
        open_request: DataRequest | None = None,
    ) -> None:
        super().__init__(parent)
        self.person = person
        self.open_request = open_request
        self.setWindowTitle(_("Export data"))
        intro = QLabel(
            _(
                "A copy of everything recorded about {name}: a PDF to read and a JSON file "
                "with the same data for other programs."
            ).format(name=f"{person.given_name} {person.family_name}")
        )
        intro.setWordWrap(True)
        self.language = _language_choice(person, _("Language of the PDF"))
        self.received = request_date_edit(_("Date the person asked for the copy"))
        self.answers = _answers_label(self.received, open_request)
        self.due = _due_label(self.received, open_request)
        self.folder_field = FolderField(self, _("Folder for the data copy"), self._on_folder)
        self.folder = self.folder_field.line
        self.folder_error = self.folder_field.error
        self.create_folder = self.folder_field.create
        form = QFormLayout()
        form.addRow(_("&Language of the PDF:"), self.language)
        form.addRow(_("&Date of the request:"), self.received)
        form.addRow("", self.answers)
        form.addRow("", self.due)
        self.folder_field.add_to(form)
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        self.ok = self.buttons.button(QDialogButtonBox.StandardButton.Ok)
        self.ok.setText(_("&Export"))
        self.ok.setEnabled(False)
        self.folder_field.next_focus = self.ok
        self.buttons.accepted.connect(self.accept)
        # Escape pressed by reflex threw away the folder chosen (a stick's, found in the picker).
        self.keeps_input = KeepsInput(
            self,
            lambda: (self.language.currentIndex(), self.folder.text(), self.received.date()),
        )
        self.buttons.rejected.connect(self.keeps_input.cancel)
        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addLayout(form)
        layout.addWidget(self.buttons)
        intro.setMinimumWidth(480)
        layout.setSizeConstraint(QVBoxLayout.SizeConstraint.SetMinimumSize)

    def chosen_language(self) -> str:
        return str(self.language.currentData())

    def chosen_folder(self) -> Path:
        return self.folder_field.chosen()

    def chosen_received(self) -> dt.date:
        return _day(self.received)

    def _on_folder(self, usable: bool) -> None:
        self.ok.setEnabled(usable)


class RecordRequestDialog(QDialog):
    """A request of the person about their data, received and not answered yet: which one
    (a copy, a correction, an erasure: ``recordable_kinds``) and when it was received. The
    register then shows it open with its due date until the data copy, the correction saved
    or the erasure answers it (an advisor records an erasure request; a coordinator erases)."""

    def __init__(
        self,
        person: Person,
        kinds: list[str],
        open_requests: dict[str, DataRequest],
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.person, self.open_requests = person, open_requests
        self.setWindowTitle(_("Record a request about their data"))
        intro = QLabel(
            _(
                "{name} made a request about their data. The register of requests keeps it "
                "open with its due date (one month after receipt) until it is answered: by the "
                "data copy, the correction saved or the erasure."
            ).format(name=f"{person.given_name} {person.family_name}")
        )
        intro.setWordWrap(True)
        texts = {
            data_rights.COPY: _("A &copy of their data"),
            data_rights.CORRECTION: _("A c&orrection of their data"),
            data_rights.ERASURE: _("&Erasure of their data"),
        }
        self.kind = QButtonGroup(self)
        self.kind_buttons: dict[str, QRadioButton] = {}
        kind_row = QVBoxLayout()
        for kind in kinds:
            button = QRadioButton(texts[kind])
            self.kind.addButton(button)
            self.kind_buttons[kind] = button
            kind_row.addWidget(button)
        self.kind_buttons[kinds[0]].setChecked(True)
        self.received = request_date_edit(_("Date the person made the request"))
        self.due = _due_label(self.received, None)
        self.already = WarningLabel()
        self.already.setWordWrap(True)
        form = QFormLayout()
        form.addRow(_("Request:"), kind_row)
        form.addRow(_("&Date of the request:"), self.received)
        form.addRow("", self.due)
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        self.ok = self.buttons.button(QDialogButtonBox.StandardButton.Ok)
        self.ok.setText(_("&Record"))
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        self.kind.buttonToggled.connect(self._update)
        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addLayout(form)
        layout.addWidget(self.already)
        layout.addWidget(self.buttons)
        intro.setMinimumWidth(440)
        layout.setSizeConstraint(QVBoxLayout.SizeConstraint.SetMinimumSize)
        self._update()

    def chosen_kind(self) -> str:
        return next(k for k, b in self.kind_buttons.items() if b.isChecked())

    def chosen_received(self) -> dt.date:
        return _day(self.received)

    def _update(self, *_args: object) -> None:
        # One open request of a kind per person: the one answer answers it.
        opened = self.open_requests.get(self.chosen_kind())
        self.already.show_message(
            _(
                "This request is registered already (reference {reference}, received on "
                "{received}, due {due})."
            ).format(
                reference=opened.reference,
                received=format_long_date(opened.received),
                due=format_long_date(opened.due),
            )
            if opened is not None
            else ""
        )
        self.ok.setEnabled(opened is None)


def recordable_kinds(session: Session) -> list[str]:
    """The kinds of request the user records on a person's page: a copy (who may give it),
    a correction and an erasure (advisors and coordinators; only a coordinator erases)."""
    if not allowed(session.user, Action.RECORD_DATA_REQUEST):
        return []
    copy = [data_rights.COPY] if allowed(session.user, Action.EXPORT_PERSON) else []
    return [*copy, data_rights.CORRECTION, data_rights.ERASURE]


def open_requests_of(session: Session, person_id: str) -> dict[str, DataRequest]:
    """The person's open requests, by kind, of the kinds the user records."""
    found: dict[str, DataRequest] = {}
    for kind in recordable_kinds(session):
        request = data_rights.open_request(session.store, session.user, person_id, kind)
        if request is not None:
            found[kind] = request
    return found


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
        self.erase_button.setAutoDefault(False)  # Enter in the list does not erase: it closes
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
            requests_changed(self.window_)  # an erasure answers the person's open one
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


REQUEST_KIND_NAMES = {
    data_rights.COPY: N_("Copy of data"),
    data_rights.CORRECTION: N_("Correction"),
    data_rights.ERASURE: N_("Erasure"),
}


class RequestsWindow(QDialog):
    """The register of the persons' requests about their data: each with its reference, when
    it was received, when it was due (a month later) and when it was answered; late ones
    marked. The team's: every laptop's entries, as synced."""

    answered = Signal()  # an answer was recorded here (``requests_changed``)

    def __init__(self, window: QWidget, session: Session, today: dt.date | None = None) -> None:
        super().__init__(window)
        self.session = session
        self.today = today  # None: the day the register is read
        self.setWindowTitle(_("Requests about personal data"))
        self.intro = QLabel(
            _(
                "Requests for a copy of the data, for a correction or for erasure received or "
                "answered on any of the team's laptops: the team's laptops share this register "
                "when they sync. An answer is due within one month of receipt; open requests "
                "come first. The register names no one."
            )
        )
        self.intro.setWordWrap(True)
        self.model = QStandardItemModel(self)
        self.table = record_table(QTableView(), _("Register of requests"))
        self.table.setModel(self.model)
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Stretch)
        # Alt+letter reaches the table from wherever the focus is (the window has no other key).
        heading = QLabel(_("&Requests:"))
        heading.setBuddy(self.table)
        self.count = QLabel()
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        self.buttons.rejected.connect(self.reject)
        # An open request of someone erased since can be answered by neither the data copy
        # nor the erasure: its answer (e.g. a letter that nothing is held any more) is given
        # outside the program and recorded here, else it would stay overdue for ever. So is
        # a correction request answered without a correction (nothing to correct), with why.
        self.answer_button = QPushButton(_("Record the &answer…"))
        self.answer_button.setToolTip(
            _(
                "For an open request of a person erased since, or a correction request "
                "answered without a correction saved here: the day it was answered."
            )
        )
        self.answer_button.clicked.connect(self._answer)
        self.buttons.addButton(self.answer_button, QDialogButtonBox.ButtonRole.ActionRole)
        row = QHBoxLayout()
        row.addWidget(self.count)
        row.addStretch(1)
        row.addWidget(self.buttons)
        layout = QVBoxLayout(self)
        layout.addWidget(self.intro)
        layout.addWidget(heading)
        layout.addWidget(self.table, 1)
        layout.addLayout(row)
        tab_buttons_as_shown(self.buttons)  # Tab went from the list to Close, then the answer
        self.resize(720, 420)
        self.refresh()
        self.table.selectionModel().currentRowChanged.connect(self._update_answer)
        self._update_answer()

    def selected_request(self) -> DataRequest | None:
        index = self.table.currentIndex()
        return self.requests[index.row()] if index.isValid() else None

    def _update_answer(self, *_args: object) -> None:
        chosen = self.selected_request()
        self.answer_button.setEnabled(chosen is not None and data_rights.answerable_by_hand(chosen))

    def _answer(self) -> None:
        chosen = self.selected_request()
        if chosen is None or not data_rights.answerable_by_hand(chosen):
            return
        dialog = AnswerRequestDialog(chosen, self)
        if dialog.exec() != QDialog.DialogCode.Accepted:
            return
        data_rights.answer_by_hand(
            self.session.store,
            self.session.user,
            chosen.reference,
            _day(dialog.answered),
            reason=dialog.reason.text(),
            today=self.today,
        )
        self.refresh()
        self._update_answer()
        self.answered.emit()

    def refresh(self) -> None:
        today = self.today or dt.date.today()
        self.requests = data_rights.list_requests(self.session.store, self.session.user)
        self.model.clear()
        self.model.setHorizontalHeaderLabels(
            [_("Reference"), _("Request"), _("Received"), _("Due"), _("Answered")]
        )
        for r in self.requests:
            due = format_long_date(r.due)
            if r.answered is not None:
                answered = format_long_date(r.answered)
                if r.overdue:
                    answered = _("{date} (late)").format(date=answered)
                if r.reason:  # answered by hand: why, under the date
                    answered += "\n" + _("Reason: {reason}").format(reason=r.reason)
                elif r.reason_removed:  # the person's erasure took it (it may name them)
                    answered += "\n" + _("Reason removed with the person's data")
            else:
                # An open copy request of someone erased since: no copy can be given now.
                answered = _("open, person erased") if r.person_erased else _("open")
                if r.overdue_on(today):
                    due = _("{date} (overdue)").format(date=due)
                elif r.due_soon_on(today):
                    due = _("{date} (due soon)").format(date=due)
            items = [
                QStandardItem(r.reference),
                QStandardItem(_(REQUEST_KIND_NAMES.get(r.kind, r.kind))),
                QStandardItem(format_long_date(r.received)),
                QStandardItem(due),
                QStandardItem(answered),
            ]
            if r.reason or r.reason_removed:
                items[-1].setToolTip(answered)
            # Marked by colour and by the word beside the date (colour alone says nothing to
            # whom cannot tell red apart).
            colour = (
                Qt.GlobalColor.darkRed
                if r.overdue_on(today)
                else QColor(DUE_SOON_COLOUR)
                if r.due_soon_on(today)
                else None
            )
            if colour is not None:
                for item in items:
                    item.setForeground(colour)
            if r.is_open:
                font = items[0].font()
                font.setBold(True)
                for item in items:
                    item.setFont(font)
            self.model.appendRow(items)
        # A date with its mark takes three lines in Bulgarian: rows as tall as they need.
        self.table.resizeRowsToContents()
        open_ones = [r for r in self.requests if r.is_open]
        overdue = sum(r.overdue_on(today) for r in open_ones)
        late = sum(r.overdue for r in self.requests)
        parts = [
            ngettext("{count} request", "{count} requests", len(self.requests)).format(
                count=format_number(len(self.requests))
            )
        ]
        if open_ones:
            parts.append(
                ngettext("{count} open", "{count} open", len(open_ones)).format(
                    count=format_number(len(open_ones))
                )
            )
        if overdue:
            parts.append(
                ngettext("{count} overdue", "{count} overdue", overdue).format(
                    count=format_number(overdue)
                )
            )
        if late:
            parts.append(
                ngettext("{count} answered late", "{count} answered late", late).format(
                    count=format_number(late)
                )
            )
        self.count.setText(", ".join(parts))


class AnswerRequestDialog(QDialog):
    """The day an open request the program cannot answer was answered outside it: one of a
    person erased since, or a correction request without a correction saved (then with a
    short reason, "nothing to correct"); not before it was received, not a day to come."""

    def __init__(
        self, request: DataRequest, parent: QWidget | None = None, *, recorded_now: bool = False
    ) -> None:
        """``recorded_now``: ``request`` is a correction request the person makes at the desk,
        not in the register yet (no reference): recorded and answered in one step
        (``data_rights.record_nothing_to_correct``)."""
        super().__init__(parent)
        self.setWindowTitle(_("Record the answer"))
        # A correction request of someone still here: answered without a correction saved.
        self.needs_reason = request.kind == data_rights.CORRECTION and not request.person_erased
        what = (
            _(
                "The person's correction request, received on {received}, is recorded and "
                "answered in one step, without a correction saved in the program. Record the "
                "day it was answered and why (e.g. nothing to correct)."
            )
            if recorded_now
            else _(
                "Request {reference} ({kind}, received on {received}): record the day it was "
                "answered without a correction saved in the program, and why (e.g. nothing to "
                "correct)."
            )
            if self.needs_reason
            else _(
                "Request {reference} ({kind}, received on {received}): the person was erased "
                "since, so the program cannot answer it. Record the day it was answered, e.g. "
                "by a letter saying that no data about the person is held any more."
            )
        )
        intro = QLabel(
            what.format(
                reference=request.reference,
                kind=_(REQUEST_KIND_NAMES.get(request.kind, request.kind)),
                received=format_long_date(request.received),
            )
        )
        intro.setWordWrap(True)
        intro.setMinimumWidth(420)
        self.answered = request_date_edit(_("Date the request was answered"))
        self.answered.setMinimumDate(
            QDate(request.received.year, request.received.month, request.received.day)
        )
        self.reason = QLineEdit()
        self.reason.setMaxLength(data_rights.REASON_LENGTH)
        self.reason.setAccessibleName(_("Why the request was answered so"))
        form = QFormLayout()
        form.addRow(_("&Answered on:"), self.answered)
        if self.needs_reason:
            form.addRow(_("Rea&son:"), self.reason)
        else:
            self.reason.hide()
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        self.ok = self.buttons.button(QDialogButtonBox.StandardButton.Ok)
        self.ok.setText(_("&Record"))
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        # Without a reason the register could not tell an answer from a slip.
        self.reason.textChanged.connect(self._update)
        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addLayout(form)
        layout.addWidget(self.buttons)
        layout.setSizeConstraint(QVBoxLayout.SizeConstraint.SetMinimumSize)
        self._update()

    def _update(self, *_args: object) -> None:
        self.ok.setEnabled(not self.needs_reason or bool(self.reason.text().strip()))


# Amber, as a warning under a field (``WarningLabel``): due within the week, not late yet.
DUE_SOON_COLOUR = WarningLabel.COLOUR


def erase_on_request_to(
    session: Session, person_id: str, folder: Path, received: dt.date, lang: str
) -> Path:
    """Write the person's confirmation of the erasure into ``folder`` (named by the request's
    reference, never by a name), then erase them, the request registered. Nothing is erased
    when the confirmation cannot be written; a confirmation of an erasure that failed goes."""
    store, user = session.store, session.user
    request, pdf = data_rights.erasure_confirmation(store, user, person_id, received, lang=lang)
    path = folder / f"welcome-desk-erasure-{request.reference}.pdf"
    try:
        path.write_bytes(pdf)
        data_rights.erase_person(store, user, person_id, request=request)
    except BaseException:
        with contextlib.suppress(OSError):
            if path.is_file():
                path.unlink()
        raise
    return path


def confirmation_failed_message(folder: Path, exc: OSError) -> str:
    return failure_message(
        exc,
        _(
            "The confirmation could not be written to the folder {folder}. Nothing was erased."
        ).format(folder=folder),
    )


def erase_shown_person(
    window: MainWindow, person_id: str, request: tuple[dt.date, str, Path] | None = None
) -> None:
    """Erase the person on the page on a worker thread (a sync may hold the store meanwhile);
    the page waits greyed out, then shows nobody. At the person's ``request`` (received on,
    language and folder of the confirmation) the confirmation is written first."""
    page, session = window.person_page, window.session
    page.setEnabled(False)
    window.statusBar().showMessage(_("Erasing…"))

    def erase() -> Path | None:
        if request is not None:
            received, lang, folder = request
            return erase_on_request_to(session, person_id, folder, received, lang)
        with contextlib.suppress(data_rights.PersonNotFound):  # erased meanwhile (a sync)
            data_rights.erase_person(session.store, session.user, person_id)
        return None

    def erased(confirmation: Path | None) -> None:
        page.setEnabled(True)
        page.show_person(None)
        window.search.clear()
        window.reload_all()
        window.statusBar().showMessage(
            _("The person was erased. Confirmation written: {file}").format(file=confirmation.name)
            if confirmation is not None
            else _("The person was erased."),
            8000 if confirmation is not None else 5000,
        )
        # The erasure waits to be sent to the other laptops: the status bar said "0 changes to
        # send" until the next sync, as if it had reached them.
        controller = getattr(window, "sync", None)  # None without the sync feature
        if controller is not None:
            controller.refresh()
        requests_changed(window)  # the erasure may have answered a request

    def failed(exc: Exception) -> None:
        page.setEnabled(True)
        window.statusBar().clearMessage()
        if request is not None and isinstance(exc, OSError):
            QMessageBox.warning(
                window, _("Erase person"), confirmation_failed_message(request[2], exc)
            )
            return
        window._on_task_failed(exc, _("The person could not be erased."))

    window.tasks.run(erase, erased, failed)


def export_person_to(
    session: Session,
    person_id: str,
    folder: Path,
    lang: str | None = None,
    received: dt.date | None = None,
) -> list[Path]:
    """Write the JSON and PDF copies (the PDF in ``lang``, by default the person's language);
    file names carry only the record id, never a name. ``received``: the day the person asked
    for it; the request's reference is chosen first (the PDF names it), and registered once
    both files are written (a copy cut short answered nothing)."""
    store, user = session.store, session.user
    request = (
        None if received is None else data_rights.copy_request(store, user, person_id, received)
    )
    json_bytes, pdf_bytes = data_rights.export_person(
        store, user, person_id, lang=lang, request=request
    )
    stem = f"welcome-desk-data-{person_id[:8]}"
    paths = [folder / f"{stem}.json", folder / f"{stem}.pdf"]
    written: list[Path] = []
    try:
        for path, data in zip(paths, (json_bytes, pdf_bytes), strict=True):
            written.append(path)
            path.write_bytes(data)
        if request is not None:
            data_rights.record_copy_request(
                store, user, person_id, request.received, reference=request.reference
            )
    except BaseException:
        # Half a copy (the JSON without the PDF, a PDF cut short) is personal data left on a
        # stick or share for nothing, and so is a copy naming a request the register does
        # not hold: what was written goes again.
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


def _when_shown_still(window: MainWindow, person: Person, then: Callable[[], None]) -> None:
    """``then``, unless the person's page shows someone else by now (the user moved on while
    a dialog's data was read)."""
    shown = window.person_page.person
    if shown is not None and shown.id == person.id:
        then()


_Read = TypeVar("_Read")


class _ReadThenOpen(Generic[_Read]):
    """A dialog about the person shown, opened from their page once its data is read on a
    worker (the person's open requests: the register has no index by person, each lookup
    reads it all): a second click meanwhile opens no second dialog, and none opens once the
    page shows someone else."""

    def __init__(
        self,
        window: MainWindow,
        read: Callable[[Session, str], _Read],
        dialog: Callable[[Person, _Read], None],
    ) -> None:
        self.window = window
        self.read = read
        self.dialog = dialog
        self.reading = False

    def __call__(self, person: Person) -> None:
        if self.reading:
            return
        self.reading = True
        window, read, session = self.window, self.read, self.window.session

        def done(result: _Read) -> None:
            self.reading = False
            _when_shown_still(window, person, lambda: self.dialog(person, result))

        def failed(exc: Exception) -> None:
            self.reading = False
            window._on_task_failed(exc)

        window.tasks.run(lambda: read(session, person.id), done, failed)


def install(window: MainWindow) -> None:
    user = window.session.user
    page = window.person_page
    if allowed(user, Action.EXPORT_PERSON):

        def export_dialog(person: Person, opened: DataRequest | None) -> None:
            dialog = ExportDialog(person, window, opened)
            dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)

            def accepted() -> None:
                folder, lang = dialog.chosen_folder(), dialog.chosen_language()
                received = dialog.chosen_received()

                def failed(exc: Exception) -> None:
                    # A full stick or a share it may not write to was told as "The action
                    # failed: PermissionError", in English whatever the language.
                    if not isinstance(exc, OSError):
                        window._on_task_failed(exc)
                        return
                    QMessageBox.warning(
                        window, _("Export data"), export_failed_message(folder, exc)
                    )

                def written(paths: list[Path]) -> None:
                    window.statusBar().showMessage(
                        _("Data copy written: {files}").format(
                            files=", ".join(p.name for p in paths)
                        ),
                        8000,
                    )
                    requests_changed(window)  # the copy answered a request

                window.tasks.run(
                    lambda: export_person_to(window.session, person.id, folder, lang, received),
                    written,
                    failed,
                )

            dialog.accepted.connect(accepted)
            dialog.open()

        export = _ReadThenOpen(
            window,
            lambda session, pid: data_rights.open_request(
                session.store, session.user, pid, data_rights.COPY
            ),
            export_dialog,
        )
        page.add_more_action("export_person", lambda: _("&Export data…"), export)
    if allowed(user, Action.ERASE_PERSON):

        def erase_dialog(person: Person, opened: dict[str, DataRequest]) -> None:
            dialog = EraseDialog(person, window, opened)
            dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)

            def accepted() -> None:
                request = (
                    (dialog.chosen_received(), dialog.chosen_language(), dialog.chosen_folder())
                    if dialog.requested()
                    else None
                )
                erase_shown_person(window, person.id, request)

            dialog.accepted.connect(accepted)
            dialog.open()

        erase = _ReadThenOpen(window, open_requests_of, erase_dialog)
        page.add_more_action("erase_person", lambda: _("E&rase person…"), erase, destructive=True)
    kinds = recordable_kinds(window.session)
    if kinds:

        def record_dialog(person: Person, opened: dict[str, DataRequest]) -> None:
            dialog = RecordRequestDialog(person, kinds, opened, window)
            dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)

            def accepted() -> None:
                kind, received = dialog.chosen_kind(), dialog.chosen_received()
                store, user = window.session.store, window.session.user

                def recorded(reference: str) -> None:
                    due = format_long_date(data_rights.one_month_after(received))
                    window.statusBar().showMessage(
                        _("Request recorded: reference {reference}, due {due}.").format(
                            reference=reference, due=due
                        ),
                        10_000,
                    )
                    requests_changed(window)  # received long ago, it may be due already

                window.tasks.run(
                    lambda: data_rights.record_open_request(store, user, person.id, kind, received),
                    recorded,
                    lambda exc: window._on_task_failed(
                        exc, _("The request could not be recorded.")
                    ),
                )

            dialog.accepted.connect(accepted)
            dialog.open()

        record = _ReadThenOpen(window, open_requests_of, record_dialog)
        page.add_more_action(
            "record_request", lambda: _("Record a re&quest about their data…"), record
        )
    if allowed(user, Action.CONFIRM_RETENTION):

        def open_register() -> None:
            register = RequestsWindow(window, window.session)
            register.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
            register.answered.connect(lambda: requests_changed(window))
            register.open()

        # Overdue or soon-due requests: a banner from login until none is due (or hidden).
        notice = RequestsDueNotice(window, open_register)
        window.requests_due_notice = notice  # type: ignore[attr-defined]
        controller = getattr(window, "sync", None)  # a sync may answer one (a remote erasure)
        if controller is not None:
            controller.sync_finished.connect(notice.check)
        notice.check()
        retention = QAction(window)
        retention.triggered.connect(lambda: RetentionWindow(window).open())
        admin_menu(window).addAction(retention)
        requests = QAction(window)
        requests.setObjectName("data_requests")
        requests.triggered.connect(open_register)
        admin_menu(window).addAction(requests)

        def retranslate() -> None:
            retention.setText(_("&Retention…"))
            requests.setText(_("Re&quests about personal data…"))

        window.retranslated.connect(retranslate)
        retranslate()
