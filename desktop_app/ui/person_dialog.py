"""Dialogs to register a person (validation at the field, likely duplicates before saving)
and to edit a person's details."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

from PySide6.QtCore import QDate, Qt, Signal
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDateEdit,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QPlainTextEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from desktop_app.domain.dates import PartialDate
from desktop_app.domain.person import PERSON_FIELDS, Person, PersonDraft
from desktop_app.domain.users import User
from desktop_app.domain.validation import ValidationFailed
from desktop_app.i18n.formatting import format_partial_date
from desktop_app.i18n.messages import field_message
from desktop_app.i18n.text import N_, _
from desktop_app.storage.people_sql import PersonListEntry
from desktop_app.ui.error_label import with_error
from desktop_app.ui.tasks import DialogSave, TaskRunner
from desktop_app.ui.widgets import (
    CountryCombo,
    ErrorLabel,
    KeepsInput,
    LanguageList,
    focus_shown,
)

if TYPE_CHECKING:
    from desktop_app.storage.db import Store
    from desktop_app.ui.main_window import MainWindow
    from desktop_app.usecases.data_rights import DataRequest

# The phone field's example: a German mobile number, as most people have one soon after
# arriving, and in the national form they give it in. One for every person and language: the
# UI's language is the advisor's, and a nationality's example ("+359 88 …" in a Romanian UI
# before) pointed to the number left behind at home, which the person rarely answers here.
PHONE_EXAMPLE = "0176 12345678"

SEX_OPTIONS = (
    ("", N_("not recorded")),
    ("female", N_("female")),
    ("male", N_("male")),
    ("diverse", N_("diverse")),
    ("not_stated", N_("prefers not to say")),
)


def entry_text(entry: PersonListEntry) -> str:
    """A likely duplicate as it is told apart: name, date of birth and phone."""
    text = f"{entry.family_name}, {entry.given_name}"
    if entry.date_of_birth:
        text += f" · {format_partial_date(entry.date_of_birth)}"
    if entry.phone:
        text += f" · {entry.phone}"
    return text


class RegisterPersonDialog(QDialog):
    """Collects a ``PersonDraft``; ``person_registered`` carries the stored person.

    Saving runs on a worker thread (``save``, a ``DialogSave``): the answer closes the dialog
    or shows what to correct."""

    person_registered = Signal(object)
    open_existing = Signal(str)

    def __init__(self, store: Store, user: User, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._store = store
        self._user = user
        self._confirmed_duplicates = False
        self.setMinimumWidth(520)

        self.given = QLineEdit()
        self.family = QLineEdit()
        self.id_name = QLineEdit()
        self.dob = QLineEdit()
        self.sex = QComboBox()
        self.nationality = CountryCombo()
        self.languages = LanguageList()
        self.phone = QLineEdit()
        self.notes = QPlainTextEdit()
        self.notes.setTabChangesFocus(True)
        self.notes.setMaximumHeight(90)
        self.errors = {name: ErrorLabel() for name in PERSON_FIELDS}
        self.form = QFormLayout()
        self._labels: dict[str, QLabel] = {}
        for name, widget in (
            ("given_name", self.given),
            ("family_name", self.family),
            ("id_document_name", self.id_name),
            ("date_of_birth", self.dob),
            ("sex", self.sex),
            ("nationality", self.nationality),
            ("languages", self.languages),
            ("phone", self.phone),
            ("notes", self.notes),
        ):
            label = QLabel()
            label.setBuddy(widget)
            self._labels[name] = label
            self.form.addRow(label, with_error(widget, self.errors[name]))

        self.duplicates_title = QLabel()
        self.duplicates_title.setWordWrap(True)
        self.duplicates_title.setStyleSheet("font-weight: bold; color: #8a5a00;")
        self.duplicates = QListWidget()
        self.duplicates.setMaximumHeight(100)
        self.duplicates.itemDoubleClicked.connect(self._on_open_existing_clicked)
        self.open_button = QPushButton()
        self.open_button.clicked.connect(self._on_open_existing_clicked)
        self.duplicate_box = QWidget()
        dup_layout = QVBoxLayout(self.duplicate_box)
        dup_layout.setContentsMargins(0, 0, 0, 0)
        dup_layout.addWidget(self.duplicates_title)
        dup_layout.addWidget(self.duplicates)
        dup_layout.addWidget(self.open_button, alignment=Qt.AlignmentFlag.AlignLeft)
        self.duplicate_box.hide()

        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel
        )
        self.buttons.accepted.connect(self._on_save_clicked)
        self.save = DialogSave(self, self.buttons)
        # Escape pressed by reflex threw away a whole registration
        self.keeps_input = KeepsInput(self, self.draft)
        self.buttons.rejected.connect(self.keeps_input.cancel)

        layout = QVBoxLayout(self)
        layout.addLayout(self.form)
        layout.addWidget(self.duplicate_box)
        layout.addWidget(self.buttons)
        for w in (self.given, self.family, self.id_name, self.dob, self.phone):
            w.textEdited.connect(self._on_field_edited)
        self.retranslate()
        self.given.setFocus()

    def retranslate(self) -> None:
        self.setWindowTitle(_("Register a person"))
        texts = {
            "given_name": _("&Given name(s)"),
            "family_name": _("&Family name"),
            "id_document_name": _("Name as on the &ID document"),
            "date_of_birth": _("&Date of birth"),
            "sex": _("&Sex / gender"),
            "nationality": _("&Nationality"),
            "languages": _("&Languages spoken"),
            "phone": _("&Phone"),
            "notes": _("N&otes"),
        }
        for name, text in texts.items():
            self._labels[name].setText(text)
        widgets = {
            "given_name": self.given,
            "family_name": self.family,
            "id_document_name": self.id_name,
            "date_of_birth": self.dob,
            "sex": self.sex,
            "nationality": self.nationality,
            "languages": self.languages,
            "phone": self.phone,
            "notes": self.notes,
        }
        for name, widget in widgets.items():
            widget.setAccessibleName(texts[name].replace("&", ""))
        self.given.setPlaceholderText(_("as written, in any alphabet"))
        self.family.setPlaceholderText(_("as written, in any alphabet"))
        self.id_name.setPlaceholderText(_("in Latin letters, if spelled otherwise"))
        self.dob.setPlaceholderText(_("DD.MM.YYYY, MM.YYYY or YYYY"))
        self.phone.setPlaceholderText(PHONE_EXAMPLE)
        current = self.sex.currentData()
        self.sex.clear()
        for value, label in SEX_OPTIONS:
            self.sex.addItem(_(label), value)
        self.sex.setCurrentIndex(max(self.sex.findData(current), 0))
        self.nationality.fill()
        self.languages.fill()
        self._set_duplicates_title()
        self.open_button.setText(_("Op&en the selected person"))
        self.open_button.setAccessibleName(_("Open the selected person"))
        self.duplicates.setAccessibleName(_("Possible duplicates"))

    def _set_duplicates_title(self) -> None:
        # the Save button's own words (Qt translates it): "Salvare" stood beside "Salvează"
        save = self.buttons.button(QDialogButtonBox.StandardButton.Save)
        self.duplicates_title.setText(
            _(
                "Possibly already registered. Open the existing person, or press {button} "
                "again to register a new person anyway."
            ).format(button=save.text().replace("&", ""))
        )

    def keyPressEvent(self, event: QKeyEvent) -> None:
        # Enter on a likely duplicate opens that person; passed on, it pressed Save and
        # registered them a second time.
        enter = event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter)
        if enter and self.duplicate_box.isVisible() and self.focusWidget() is self.duplicates:
            event.accept()
            self._on_open_existing_clicked()
            return
        super().keyPressEvent(event)

    def draft(self) -> PersonDraft:
        return PersonDraft(
            given_name=self.given.text(),
            family_name=self.family.text(),
            date_of_birth=self.dob.text(),
            sex=str(self.sex.currentData() or ""),
            nationality=self.nationality.code(),
            languages=tuple(self.languages.codes()),
            phone=self.phone.text(),
            notes=self.notes.toPlainText(),
            id_document_name=self.id_name.text(),
        )

    def _on_field_edited(self) -> None:
        # A changed name, date or phone needs a fresh duplicate check before saving.
        self._confirmed_duplicates = False
        self.duplicate_box.hide()

    def _show_errors(self, exc: ValidationFailed | None) -> None:
        for label in self.errors.values():
            label.show_message("")
        if exc is None:
            return
        for error in exc.errors:
            if error.field in self.errors:
                self.errors[error.field].show_message(field_message(error))
        first = exc.errors[0].field
        focus = {
            "given_name": self.given,
            "family_name": self.family,
            "id_document_name": self.id_name,
            "date_of_birth": self.dob,
            "phone": self.phone,
            "notes": self.notes,
        }.get(first)
        if focus is not None:
            focus_shown(focus)

    def _on_save_clicked(self) -> None:
        from desktop_app.usecases import people  # SQLAlchemy: not needed for the first paint

        store, user, draft = self._store, self._user, self.draft()
        confirm = self._confirmed_duplicates
        self.save.start(
            lambda: people.register_person(store, user, draft, confirm_duplicates=confirm),
            self._on_saved,
            self._on_save_failed,
        )

    def _on_saved(self, person: Person) -> None:
        self.person_registered.emit(person)
        self.accept()

    def _on_save_failed(self, exc: Exception) -> None:
        from desktop_app.usecases import people

        if isinstance(exc, ValidationFailed):
            self._show_errors(exc)
        elif isinstance(exc, people.DuplicatesFound):
            self._show_errors(None)
            self._show_duplicates(exc.candidates)
        else:
            raise exc  # not one to correct here: the application's error handler

    def reject(self) -> None:
        self.save.dismiss()
        super().reject()

    def _show_duplicates(self, candidates: list[PersonListEntry]) -> None:
        self.duplicates.clear()
        for entry in candidates:
            self.duplicates.addItem(entry_text(entry))
            self.duplicates.item(self.duplicates.count() - 1).setData(
                Qt.ItemDataRole.UserRole, entry.id
            )
        self.duplicates.setCurrentRow(0)
        self._set_duplicates_title()
        self.duplicate_box.show()
        # the dialog grows for the warning instead of taking its room from the fields
        layout = self.layout()
        assert layout is not None
        layout.activate()
        self.resize(self.width(), max(self.height(), self.sizeHint().height()))
        self._confirmed_duplicates = True
        self.duplicates.setFocus()

    def _on_open_existing_clicked(self) -> None:
        item = self.duplicates.currentItem()
        if item is not None:
            self.open_existing.emit(str(item.data(Qt.ItemDataRole.UserRole)))
            self.reject()


def typed_date(value: PartialDate | None) -> str:
    """A stored date of birth as it is typed in the form (``14.03.1985``, ``03.1985``,
    ``1985``)."""
    if value is None:
        return ""
    if value.day is not None and value.month is not None:
        return f"{value.day:02d}.{value.month:02d}.{value.year:04d}"
    if value.month is not None:
        return f"{value.month:02d}.{value.year:04d}"
    return value.iso()


class EditPersonDialog(RegisterPersonDialog):
    """The person's details corrected or brought up to date; ``person_updated`` carries them.

    Only the fields changed get a new clock, so changes made on two laptops meanwhile merge
    field by field (the same field changed on both becomes a conflict to decide). Saved on a
    worker thread, as registering is."""

    person_updated = Signal(object)
    # The open correction request answered with nothing to correct (its reference): the
    # details stay as they were (``_on_nothing_to_correct_clicked``).
    correction_answered = Signal(str)

    def __init__(
        self,
        store: Store,
        user: User,
        person: Person,
        parent: QWidget | None = None,
        open_correction: DataRequest | None = None,
        tasks: TaskRunner | None = None,
    ):
        self.person = person
        # The person's open correction request (``data_rights.CORRECTION``), which this
        # correction answers; without one, the correction can be recorded as made at their
        # request (``correction_box``). The reference of the one answered, once saved.
        # Given ``tasks``, it is looked up there (``look_up_correction``), not given.
        self.open_correction = open_correction
        self.correction_reference: str | None = None
        self.nothing_to_correct: QPushButton | None = None  # ``_correction_box``
        self._tasks = tasks
        #: whether the box is waiting for the lookup of the open correction request
        self.correction_pending = False
        super().__init__(store, user, parent)
        self.given.setText(person.given_name)
        self.family.setText(person.family_name)
        self.dob.setText(typed_date(person.date_of_birth))
        self.sex.setCurrentIndex(max(self.sex.findData(person.sex.value if person.sex else ""), 0))
        self.nationality.set_code(person.nationality)
        self.languages.set_codes(list(person.languages))
        self.phone.setText(person.phone)
        self.notes.setPlainText(person.notes)
        self.id_name.setText(person.id_document_name)
        self.correction_box = self._correction_box(user)  # after the fields: ``unchanged``

    def _correction_box(self, user: User) -> QWidget | None:
        """For advisors and coordinators (who keep the person's requests about their data,
        GDPR Art. 16): "record as the person's correction request", received today or on the
        day they asked; or, with their correction request open, that this answers it (ticked).
        None for a helper. Given ``tasks``, the box is greyed until the lookup of the open
        request has answered (``look_up_correction``)."""
        from desktop_app.domain.permissions import Action, allowed
        from desktop_app.ui.data_rights import request_date_edit

        if not allowed(user, Action.RECORD_DATA_REQUEST):
            return None
        box = QWidget()
        column = QVBoxLayout(box)
        column.setContentsMargins(0, 0, 0, 0)
        row = QHBoxLayout()
        self.at_request = QCheckBox(_("Record as the person's correction re&quest"))
        self.at_request.setObjectName("correction_request")
        column.addWidget(self.at_request)
        column.addLayout(row)
        self.received = request_date_edit(_("Date the person asked for the correction"))
        self.received_label = QLabel(_("Recei&ved on:"))
        self.received_label.setBuddy(self.received)
        row.addWidget(self.received_label)
        row.addWidget(self.received)
        row.addStretch(1)
        # The advisor talks with the person and may find their data right: the open request
        # is answered with why (``data_rights.answer_by_hand``), nothing saved as corrected;
        # without one, the request they make at the desk is recorded and answered so in one
        # step (``data_rights.record_nothing_to_correct``). Shown once the lookup has answered
        # (``_show_open_correction``), enabled with the box ticked (it is the person's request).
        self.nothing_to_correct = QPushButton(_("Nothing to co&rrect…"))
        self.nothing_to_correct.setObjectName("nothing_to_correct")
        self.nothing_to_correct.clicked.connect(self._on_nothing_to_correct_clicked)
        self.nothing_to_correct.setEnabled(False)
        self.nothing_to_correct.hide()
        self.at_request.toggled.connect(self.nothing_to_correct.setEnabled)
        row.addWidget(self.nothing_to_correct)
        for widget in (self.received_label, self.received):
            widget.setEnabled(False)
        self.at_request.toggled.connect(self.received.setEnabled)
        self.at_request.toggled.connect(self.received_label.setEnabled)
        if self._tasks is not None:
            self.look_up_correction(self._tasks)
        else:
            self._show_open_correction(self.open_correction)
        # Saved unchanged, the box answered the request with nothing corrected and no word of
        # why: that answer is the register's, with its reason.
        self.unchanged = self.draft()
        self.correction_error = ErrorLabel()
        column.addWidget(self.correction_error)
        self.at_request.toggled.connect(lambda _on: self.correction_error.show_message(""))
        layout = self.layout()
        assert isinstance(layout, QVBoxLayout)
        layout.insertWidget(layout.indexOf(self.buttons), box)
        QWidget.setTabOrder(self.notes, self.at_request)
        QWidget.setTabOrder(self.at_request, self.received)
        if self.nothing_to_correct is not None:
            QWidget.setTabOrder(self.received, self.nothing_to_correct)
        return box

    def _on_nothing_to_correct_clicked(self) -> None:
        """The correction request answered with nothing corrected: the day and the reason
        asked (``AnswerRequestDialog``, as the register asks them), then recorded. The open
        one answered; without one, the request the person makes now (received on the day the
        box says) recorded and answered in one transaction."""
        from desktop_app.ui.data_rights import AnswerRequestDialog
        from desktop_app.usecases import data_rights

        if not self.at_persons_request():
            return
        opened = self.open_correction
        asked = self.received.date()
        received = dt.date(asked.year(), asked.month(), asked.day())
        if opened is None:
            new = data_rights.DataRequest("", data_rights.CORRECTION, received, None, "")
            dialog = AnswerRequestDialog(new, self, recorded_now=True)
        else:
            dialog = AnswerRequestDialog(opened, self)
        if dialog.exec() != QDialog.DialogCode.Accepted:
            return
        store, user, person_id = self._store, self._user, self.person.id
        day = dialog.answered.date()
        answered = dt.date(day.year(), day.month(), day.day())
        reason = dialog.reason.text()
        if opened is None:
            self.save.start(
                lambda: data_rights.record_nothing_to_correct(
                    store, user, person_id, received, answered, reason=reason
                ),
                self._on_answered_by_hand,
                self._on_save_failed,
            )
            return
        self.save.start(
            lambda: data_rights.answer_by_hand(
                store, user, opened.reference, answered, reason=reason
            ),
            self._on_answered_by_hand,
            self._on_save_failed,
        )

    def _on_answered_by_hand(self, request: DataRequest) -> None:
        self.correction_answered.emit(request.reference)
        self.accept()

    def look_up_correction(self, tasks: TaskRunner) -> None:
        """The person's open correction request looked up on a worker of ``tasks`` (one query,
        by the indexed person link; it was read on the UI thread as the dialog was made), the
        box greyed until it has answered. Saved before then, the correction answers no
        request, as with the box not ticked. Where the lookup fails, the box offers to record
        one: saving at the person's request answers their open one all the same
        (``data_rights.correct_at_request``)."""
        from desktop_app.usecases import data_rights

        store, user, person_id = self._store, self._user, self.person.id
        self.correction_pending = True
        self.at_request.setEnabled(False)
        tasks.run(
            lambda: data_rights.open_request(store, user, person_id, data_rights.CORRECTION),
            self._show_open_correction,
            lambda _exc: self._show_open_correction(None),
        )

    def _show_open_correction(self, opened: DataRequest | None) -> None:
        """The box as the person's open correction request has it: ticked, saying that this
        answers it, its day of receipt shown and not to be changed; without one, to record
        the correction as made at their request. Enabled."""
        self.open_correction = opened
        self.correction_pending = False
        if opened is not None:
            answers = _("This answers the correction re&quest {reference}")
            self.at_request.setText(answers.format(reference=opened.reference))
            received = opened.received
            self.received.setDate(QDate(received.year, received.month, received.day))
            self.received.setReadOnly(True)
            self.received.setCalendarPopup(False)
            self.received.setButtonSymbols(QDateEdit.ButtonSymbols.NoButtons)
            self.at_request.setChecked(True)
        if self.nothing_to_correct is not None:
            self.nothing_to_correct.setEnabled(self.at_request.isChecked())
            self.nothing_to_correct.show()
        self.at_request.setEnabled(True)

    def at_persons_request(self) -> bool:
        """Whether the correction is saved as answering the person's correction request."""
        return self.correction_box is not None and self.at_request.isChecked()

    def retranslate(self) -> None:
        super().retranslate()
        self.setWindowTitle(_("Edit personal data"))

    def _on_save_clicked(self) -> None:
        from desktop_app.usecases import data_rights, people

        store, user, person, draft = self._store, self._user, self.person, self.draft()
        if self.at_persons_request() and draft == self.unchanged:
            self._show_nothing_corrected()
            return
        if self.at_persons_request():
            asked = self.received.date()
            received = (
                None
                if self.open_correction is not None
                else dt.date(asked.year(), asked.month(), asked.day())
            )
            self.save.start(
                lambda: data_rights.correct_at_request(
                    store, user, person.id, draft, received=received, base=person
                ),
                self._on_corrected,
                self._on_save_failed,
            )
            return
        # Fields left as they were keep what a sync may have brought while the dialog was open.
        self.save.start(
            lambda: people.update_person(store, user, person.id, draft, base=person),
            self._on_updated,
            self._on_save_failed,
        )

    def _on_corrected(self, saved: tuple[Person, str]) -> None:
        person, self.correction_reference = saved
        self._on_updated(person)

    def _on_updated(self, person: Person) -> None:
        self.person_updated.emit(person)
        self.accept()

    def _show_nothing_corrected(self) -> None:
        # With or without an open request: "Nothing to correct…" records one too.
        self.correction_error.show_message(
            _(
                "Nothing was changed. If the data is right, answer the request with "
                "“Nothing to correct…” and say why."
            )
        )

    def _on_save_failed(self, exc: Exception) -> None:
        from desktop_app.usecases import data_rights

        if isinstance(exc, data_rights.NothingCorrected):  # a sync made the same change meanwhile
            self._show_nothing_corrected()
            return
        if isinstance(exc, KeyError | data_rights.PersonNotFound):
            # erased meanwhile (here, or a sync brought the erasure)
            self.errors["given_name"].show_message(
                _("This person was erased meanwhile. Nothing was saved.")
            )
            self.buttons.button(QDialogButtonBox.StandardButton.Save).setEnabled(False)
            return
        super()._on_save_failed(exc)


def install(window: MainWindow) -> None:
    """The button "Edit personal data…" on the person's page, for whoever may change them."""
    from desktop_app.domain.permissions import Action, allowed

    if not allowed(window.session.user, Action.EDIT_PERSON):
        return

    def edit(person: Person) -> None:
        store, user = window.session.store, window.session.user
        # The person's open correction request is looked up on the window's workers: the
        # dialog opens at once, as the keyboard expects it to, its box greyed until known.
        dialog = EditPersonDialog(store, user, person, window, tasks=window.tasks)
        dialog.person_updated.connect(lambda saved: on_updated(dialog, saved))
        dialog.correction_answered.connect(on_answered)
        window.edit_person_dialog = dialog  # type: ignore[attr-defined]  # for tests
        dialog.open()

    def on_answered(reference: str) -> None:
        from desktop_app.ui.requests_due import requests_changed

        window.statusBar().showMessage(
            _("Correction request {reference} answered: nothing to correct.").format(
                reference=reference
            ),
            8000,
        )
        requests_changed(window)

    def on_updated(dialog: EditPersonDialog, person: Person) -> None:
        from desktop_app.ui.requests_due import requests_changed

        window.person_page.show_person(person)
        window.reload_all()  # the list shows the name as it is now
        window.person_data_saved.emit(person.id)
        reference = dialog.correction_reference
        window.statusBar().showMessage(
            _("Personal data saved. Correction request {reference} answered.").format(
                reference=reference
            )
            if reference is not None
            else _("Personal data saved."),
            8000 if reference is not None else 5000,
        )
        if reference is not None:
            requests_changed(window)  # the coordinator's notice of requests due
        # Back to the person's page, not where the dialog was opened from (the search box,
        # opened by its access key from there): the window's focus as the dialog closes.
        window.person_page.focus_first_control()

    window.person_page.add_person_action("edit_person", lambda: _("Edit personal &data…"), edit)
