"""First-run wizard for a laptop without a data folder: language, then a new organisation,
joining one through a sync server, restoring a backup (a replacement laptop), or trying the
app with demo data. Creating or restoring the store and registering with the server run on a
worker thread (the wizard shows that it is busy)."""

from __future__ import annotations

import socket
from collections.abc import Callable
from pathlib import Path
from typing import Any

from PySide6.QtCore import QSettings
from PySide6.QtWidgets import (
    QCheckBox,
    QDialog,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QMessageBox,
    QPlainTextEdit,
    QProgressBar,
    QPushButton,
    QRadioButton,
    QVBoxLayout,
    QWidget,
    QWizard,
    QWizardPage,
)

from desktop_app.domain.referral import Organisation
from desktop_app.domain.validation import FieldError, ValidationFailed
from desktop_app.i18n.messages import (
    error_message,
    failure_message,
    field_message,
    restore_failure_message,
)
from desktop_app.i18n.text import LANGUAGE_NAMES, LANGUAGES, N_, _, current_language, set_language
from desktop_app.storage.db import StoreError
from desktop_app.storage.keyslots import KeySlotError, LoginDelayed
from desktop_app.ui.accounts import RESTORED_NEXT_SYNC
from desktop_app.ui.error_label import CapsLockNote, with_error
from desktop_app.ui.login import delay_message
from desktop_app.ui.save_dialog import ask_open_path
from desktop_app.ui.settings import KEY_JOIN_NAME, KEY_JOIN_SERVER, KEY_LANGUAGE, LetterheadForm
from desktop_app.ui.sync_status import (
    FINGERPRINT_STYLE,
    JOIN_TRY_AGAIN_BUTTON,
    NEXT_STEPS_AFTER_FIRST_JOIN,
    NEXT_STEPS_AFTER_JOINING,
    join_failure,
)
from desktop_app.ui.tasks import TaskRunner
from desktop_app.ui.widgets import ErrorLabel, ask_to_confirm, reachable_text
from desktop_app.usecases import backup
from desktop_app.usecases import settings as store_settings
from desktop_app.usecases import sync as sync_uc
from desktop_app.usecases.accounts import Session, create_first_account, validate_new_account

(
    PAGE_LANGUAGE,
    PAGE_CHOICE,
    PAGE_ORGANISATION,
    PAGE_ACCOUNT,
    PAGE_RECOVERY,
    PAGE_JOIN,
    PAGE_JOINED,
    PAGE_RESTORE,
    PAGE_RESTORED,
) = range(9)


class LanguagePage(QWizardPage):
    def __init__(self, wizard: FirstRunWizard) -> None:
        super().__init__()
        self._wizard = wizard
        self.buttons: dict[str, QRadioButton] = {}
        layout = QVBoxLayout(self)
        for code in LANGUAGES:
            button = QRadioButton(LANGUAGE_NAMES[code])
            button.setChecked(code == current_language())
            button.toggled.connect(lambda on, c=code: self._on_language_toggled(on, c))
            self.buttons[code] = button
            layout.addWidget(button)
        layout.addStretch()

    def _on_language_toggled(self, on: bool, code: str) -> None:
        if on:
            self._wizard.choose_language(code)

    def retranslate(self) -> None:
        self.setTitle(_("Welcome to Welcome Desk"))
        self.setSubTitle(_("Which language should the program speak?"))

    def nextId(self) -> int:
        return PAGE_CHOICE


class ChoicePage(QWizardPage):
    def __init__(self, wizard: FirstRunWizard) -> None:
        super().__init__()
        self._wizard = wizard
        self.new = QRadioButton()
        self.join = QRadioButton()
        self.restore = QRadioButton()
        self.demo = QRadioButton()
        self.new.setChecked(True)
        self.notes = {k: QLabel() for k in ("new", "join", "restore", "demo")}
        layout = QVBoxLayout(self)
        for key, button in (
            ("new", self.new),
            ("join", self.join),
            ("restore", self.restore),
            ("demo", self.demo),
        ):
            button.toggled.connect(self._on_choice_toggled)
            note = self.notes[key]
            note.setWordWrap(True)
            note.setContentsMargins(24, 0, 0, 8)
            layout.addWidget(button)
            layout.addWidget(note)
        layout.addStretch()

    def retranslate(self) -> None:
        self.setTitle(_("How do you want to start?"))
        self.new.setText(_("Set up a new &organisation"))
        self.join.setText(_("&Join an organisation"))
        self.restore.setText(_("&Restore a backup of this laptop"))
        self.demo.setText(_("&Try with demo data"))
        self.notes["new"].setText(
            _("For the first laptop of an advice centre: letterhead and coordinator account.")
        )
        self.notes["join"].setText(
            _("With the server address and enrollment code your coordinator gives you.")
        )
        # A replacement laptop: before, an account of its own had to be made first (left behind
        # in a store of its own), then File → Restore backup.
        self.notes["restore"].setText(
            _(
                "For a laptop that replaces a broken one: its backup file, the backup's "
                "passphrase and an account of the backup."
            )
        )
        self.notes["demo"].setText(
            _("Generated people in a throwaway store. Nothing is saved; start again to set up.")
        )

    def _on_choice_toggled(self, _on: bool) -> None:
        self.setFinalPage(self.demo.isChecked())
        self._wizard.update_buttons()

    def nextId(self) -> int:
        if self.demo.isChecked():
            return -1
        if self.restore.isChecked():
            return PAGE_RESTORE
        return PAGE_JOIN if self.join.isChecked() else PAGE_ORGANISATION


class OrganisationPage(QWizardPage):
    def __init__(self, wizard: FirstRunWizard) -> None:
        super().__init__()
        self._wizard = wizard
        self.form = LetterheadForm()
        self.form.name.textChanged.connect(self.completeChanged)
        layout = QVBoxLayout(self)
        layout.addWidget(self.form)
        layout.addStretch()

    def initializePage(self) -> None:
        if not self.form.name.text():
            self.form.address.setPlaceholderText("Musterstraße 1\n44135 Dortmund")

    def retranslate(self) -> None:
        self.setTitle(_("Your organisation"))
        self.setSubTitle(_("Printed at the top of referral letters. You can change it later."))
        self.form.retranslate()

    def isComplete(self) -> bool:
        return bool(self.form.name.text().strip())

    def entered(self) -> bool:
        """Whether any of the letterhead was typed (Escape and Cancel ask before losing it)."""
        org = self.form.organisation()
        return any((org.name, org.subtitle, org.address_lines, org.phone, org.email, org.logo_path))

    def clear(self) -> None:
        for field in (self.form.name, self.form.subtitle, self.form.phone, self.form.email,
                      self.form.logo):  # fmt: skip
            field.clear()
        self.form.address.clear()

    def validatePage(self) -> bool:
        org = store_settings.clean_letterhead(self.form.organisation())
        errors = store_settings.letterhead_errors(org)
        if not errors and (logo_error := store_settings.logo_file_error(org.logo_path)):
            # read here, once (a fraction of a second): refused after the account was made,
            # the letterhead would be lost
            errors.append(logo_error)
        self.form.show_errors(errors)
        if not errors:
            self._wizard.organisation = org
        return not errors

    def nextId(self) -> int:
        return PAGE_ACCOUNT


def busy_indicator() -> tuple[QLabel, QProgressBar]:
    """A line that says what runs on the worker and a bar that moves meanwhile (how long cannot
    be known), both hidden until then (``show_busy``)."""
    label, bar = QLabel(), QProgressBar()
    bar.setRange(0, 0)
    bar.setTextVisible(False)
    label.hide()
    bar.hide()
    return label, bar


def show_busy(wizard: QWizard, label: QLabel, bar: QProgressBar, what: str | None) -> None:
    """``what`` runs (None: nothing does any more): said, and Back and Cancel wait for it."""
    if what is not None:
        label.setText(what)
        bar.setAccessibleName(what)
    for widget in (label, bar):
        widget.setVisible(what is not None)
    for which in (QWizard.WizardButton.BackButton, QWizard.WizardButton.CancelButton):
        wizard.button(which).setEnabled(what is None)


# The login window starts with its account field empty and shows nobody's name (the key slots
# do not name their accounts): next morning, the name chosen here is the one to type.
ACCOUNT_NAME_AT_LOGIN = N_(
    "You will type this account name and your password each time you log in; the login "
    "window does not show it. Note it down."
)


class AccountPage(QWizardPage):
    FIELDS = ("account", "display_name", "password", "password_repeat")

    def __init__(self, wizard: FirstRunWizard) -> None:
        super().__init__()
        self._wizard = wizard
        self.account = QLineEdit()
        self.display_name = QLineEdit()
        self.password = QLineEdit()
        self.repeat = QLineEdit()
        for field in (self.password, self.repeat):
            field.setEchoMode(QLineEdit.EchoMode.Password)
        self.errors = {k: ErrorLabel() for k in self.FIELDS}
        self.labels = {k: QLabel() for k in self.FIELDS}
        self.store_error = ErrorLabel()
        # As at the login: the password typed twice in capitals was taken as typed, and the
        # first login with Caps Lock off failed.
        self.caps_lock = CapsLockNote(self.password, self.repeat)
        self.busy = False
        self._proceed = False  # the background work is done: the next validatePage passes
        # Next pressed again after a failure on this laptop while it registered: the same
        # registration again, so the same code joins (``sync_uc.JoinAttempt``).
        self._attempt = sync_uc.JoinAttempt()
        # The registration failed on the way to the server: its button says Try again, as in
        # the join dialog (``sync_status.join_failure``).
        self.offers_retry = False
        self._failed_for: tuple[str, str] | None = None  # the join inputs it failed with
        self.busy_label, self.bar = busy_indicator()
        self.created = QLabel()
        self.created.setWordWrap(True)
        self.created.hide()
        # Once Next has made the store (and registered the laptop), nothing before can be
        # changed: going back to the address and code only to have them ignored misled.
        self.setCommitPage(True)
        form = QFormLayout()
        widgets = dict(zip(self.FIELDS, (self.account, self.display_name, self.password,
                                         self.repeat), strict=True))  # fmt: skip
        for key, widget in widgets.items():
            self.labels[key].setBuddy(widget)
            form.addRow(self.labels[key], with_error(widget, self.errors[key]))
        self.hint = QLabel()
        self.hint.setWordWrap(True)
        layout = QVBoxLayout(self)
        layout.addWidget(self.hint)
        layout.addLayout(form)
        layout.addWidget(self.caps_lock)
        layout.addWidget(self.busy_label)
        layout.addWidget(self.bar)
        layout.addWidget(self.created)
        layout.addWidget(self.store_error)
        layout.addStretch()

    def initializePage(self) -> None:
        # Back on the join page, the address or the code corrected: the failure of the last
        # registration ("the same code still works, press Try again", "the server does not
        # accept this code") is no longer what Next does, and stayed beside it.
        if self._failed_for is not None and self._failed_for != self._join_inputs():
            self._failed_for = None
            self.offers_retry = False
            self.store_error.show_message("")
        self.retranslate()  # the title depends on the path chosen since the last retranslate

    def _join_inputs(self) -> tuple[str, str]:
        page = self._wizard.join_page
        return page.server.text(), page.code.text()

    def entered(self) -> bool:
        """Whether anything was typed here before the account was made (Escape and Cancel ask
        before losing it)."""
        fields = (self.account, self.display_name, self.password, self.repeat)
        return any(field.text() for field in fields)

    def clear(self) -> None:
        for field in (self.account, self.display_name, self.password, self.repeat):
            field.clear()

    def retranslate(self) -> None:
        if self._wizard.joining():
            # Not the organisation's coordinator: the first account of a joining laptop keeps
            # the laptop's accounts, and works with the role the coordinator approves the
            # laptop for (``domain.users.effective_user``).
            self.setTitle(_("This laptop's first account"))
            self.setSubTitle(
                _(
                    "Your account here. It adds the accounts of others who use this laptop; "
                    "its rights follow the role the laptop is approved for."
                )
            )
        else:
            self.setTitle(_("The coordinator's account"))
            self.setSubTitle(_("The first account of this laptop. It can add the others."))
        password = _(
            "The password protects all data stored on this laptop: without it (or the "
            "recovery code) nobody can read the data, not even you."
        )
        self.hint.setText(f"{_(ACCOUNT_NAME_AT_LOGIN)} {password}")
        from desktop_app.ui.help import menu_path

        # Cancelled here, the program started unjoined and nothing said how to join later.
        later = _(
            "If you cancel now, the program starts without joining: join later with {join}, "
            "where the server address is filled in."
        ).format(join=menu_path("&File", "&Join an organisation…"))
        if self.offers_retry:  # the failure beside it names the button
            made = _(
                "Your account on this laptop has been created. Back lets you correct the "
                "server address or the code."
            )
        else:
            made = _(
                "Your account on this laptop has been created. Next registers the laptop with "
                "the server again; Back lets you correct the server address or the code."
            )
        self.created.setText(f"{made} {later}")
        self.setButtonText(
            QWizard.WizardButton.CommitButton,
            _(JOIN_TRY_AGAIN_BUTTON) if self.offers_retry else _("&Next >"),
        )
        texts = (_("&Account name"), _("&Full name"), _("&Password"), _("&Repeat password"))
        for key, text in zip(self.FIELDS, texts, strict=True):
            self.labels[key].setText(text)
        self.caps_lock.retranslate()

    def validatePage(self) -> bool:
        """Check the fields here, then create the store and (on the join path) register with
        the server on a worker thread: the wizard stays responsive while the key is derived
        and the server answers. When that has worked the wizard moves on by itself. A second
        press after an error never creates a second store."""
        if self._proceed:
            self._proceed = False
            return True
        if self.busy:
            return False
        for label in (*self.errors.values(), self.store_error):
            label.show_message("")
        if self._wizard.session is not None:
            return self._join()
        account, name = self.account.text(), self.display_name.text()
        password, repeat = self.password.text(), self.repeat.text()
        try:
            validate_new_account(account, name, password, repeat)
        except ValidationFailed as exc:
            for error in exc.errors:
                self.errors.get(error.field, self.store_error).show_message(field_message(error))
            return False
        organisation, data_dir = self._wizard.organisation, self._wizard.data_dir

        def create() -> Session:
            session = create_first_account(data_dir, account, name, password, repeat=repeat)
            if organisation is not None:
                # Saved and published as in Settings: it goes to every laptop that joins this
                # organisation at their first sync (the team's first laptop may publish).
                store_settings.save_organisation_settings(
                    session.store, session.user, organisation, authority="", dpo=""
                )
            return session

        self._run(_("Creating the encrypted data store…"), create, self._created)
        return False

    def _created(self, session: Session) -> None:
        self._wizard.session = session
        self._wizard.recovery_code = getattr(session, "recovery_code", None) or None
        self.password.clear()
        self.repeat.clear()
        self.caps_lock.on = False  # the fields are done: nothing more is typed into them
        self.caps_lock.retranslate()
        if self._join():
            self._move_on()

    def _join(self) -> bool:
        """On the join path: register this laptop (in the background; False meanwhile)."""
        wizard = self._wizard
        if not wizard.choice_page.join.isChecked() or wizard.fingerprint or wizard.session is None:
            return True
        store = wizard.session.store
        server, code = wizard.join_page.server.text(), wizard.join_page.code.text()
        name = wizard.join_page.name.text().strip() or socket.gethostname()
        attempt = self._attempt
        self._run(
            _("Registering this laptop with the sync server…"),
            lambda: sync_uc.join(store, server, code, name, attempt=attempt),
            self._joined,
        )
        return False

    def _joined(self, joined: Any) -> None:
        assert self._wizard.session is not None
        self._wizard.first_laptop = joined.status == "approved" and joined.is_coordinator
        self._wizard.fingerprint = sync_uc.fingerprint(self._wizard.session.store)
        self._move_on()

    def _move_on(self) -> None:
        self._proceed = True
        self._wizard.next()

    def _run(self, what: str, call: Callable[[], Any], on_done: Callable[[Any], None]) -> None:
        self._set_busy(what)

        def done(result: Any) -> None:
            self._set_busy(None)
            on_done(result)

        def failed(exc: Exception) -> None:
            self._set_busy(None)
            self._show_failure(exc)

        self._wizard.tasks.run(call, done, failed)

    def _set_busy(self, what: str | None) -> None:
        self.busy = busy = what is not None
        made = self._wizard.session is not None  # the account exists: its fields are done
        for field in (self.account, self.display_name, self.password, self.repeat):
            field.setEnabled(not busy and not made)
        self.created.setVisible(made and not busy)
        self.completeChanged.emit()  # Next; the wizard re-enables Back with it
        show_busy(self._wizard, self.busy_label, self.bar, what)

    def isComplete(self) -> bool:
        return not self.busy

    def _show_failure(self, exc: Exception) -> None:
        again = False
        if isinstance(exc, ValidationFailed):
            for error in exc.errors:
                self.errors.get(error.field, self.store_error).show_message(field_message(error))
        elif isinstance(exc, KeySlotError | StoreError):
            self.store_error.show_message(error_message(exc.code))
        else:
            # Joining: the server's answer; or a failure here (the store busy, the disk full),
            # which went to the application's error handler, and the page said nothing. The
            # connection dropped, it said only "cannot be reached" beside Next.
            message, again = join_failure(exc)
            self.store_error.show_message(message)
            self._failed_for = self._join_inputs()
        self.offers_retry = again
        self.retranslate()

    def nextId(self) -> int:
        # Before the store is made, too: its recovery code comes next. Taken for the last page,
        # this one offered "Start", which then showed the recovery code instead of starting.
        if self._wizard.recovery_code or self._wizard.session is None:
            return PAGE_RECOVERY
        return PAGE_JOINED if self._wizard.choice_page.join.isChecked() else -1


class RecoveryPage(QWizardPage):
    """Shown only when account creation handed out a recovery code (security feature)."""

    def __init__(self, wizard: FirstRunWizard) -> None:
        super().__init__()
        self._wizard = wizard
        self.code = QPlainTextEdit()
        self.code.setReadOnly(True)
        self.code.setMaximumHeight(80)
        self.code.setStyleSheet("font-size: 14pt; font-family: monospace;")
        self.confirm = QCheckBox()
        self.confirm.toggled.connect(self.completeChanged)
        # The page says to print the code: it had no way to (only the dialog of a new code had).
        self.print_button = QPushButton()
        self.print_button.clicked.connect(self._on_print_clicked)
        # QWizard disables Back only on the page right after a commit page: the page after
        # this one (the fingerprint, on the join path) must not lead back to it either.
        self.setCommitPage(True)
        self.hint = QLabel()
        self.hint.setWordWrap(True)
        layout = QVBoxLayout(self)
        layout.addWidget(self.hint)
        layout.addWidget(self.code)
        row = QHBoxLayout()
        row.addWidget(self.print_button)
        row.addStretch()
        layout.addLayout(row)
        layout.addWidget(self.confirm)
        layout.addStretch()

    def initializePage(self) -> None:
        self.code.setPlainText(str(self._wizard.recovery_code or ""))

    def _on_print_clicked(self) -> None:
        from desktop_app.ui.accounts import print_recovery_code

        print_recovery_code(self, self.code.toPlainText())

    def retranslate(self) -> None:
        self.setTitle(_("Recovery code"))
        self.code.setAccessibleName(_("Recovery code"))  # no label beside it: the page's title
        self.hint.setText(
            _(
                "Print or write down this code and keep it locked away, apart from the laptop. "
                "It opens the data if every password is forgotten. It is shown only now."
            )
        )
        self.confirm.setText(_("I have &written down or printed the recovery code"))
        self.print_button.setText(_("&Print the code…"))

    def isComplete(self) -> bool:
        return self.confirm.isChecked()

    def nextId(self) -> int:
        return PAGE_JOINED if self._wizard.choice_page.join.isChecked() else -1


class JoinPage(QWizardPage):
    """Server address and enrollment code; the laptop registers after its account is made."""

    def __init__(self, wizard: FirstRunWizard) -> None:
        super().__init__()
        self._wizard = wizard
        self.server = QLineEdit()
        self.server.setPlaceholderText("https://sync.example.org")
        self.code = QLineEdit()
        self.code.setPlaceholderText("K7QX-2MPA-9TZD")
        # As in the join dialog: the name the coordinator sees in the Laptops dialog. The
        # computer's name alone was all it saw ("DESKTOP-7G3K2LQ", or the same name twice).
        self.name = QLineEdit(socket.gethostname())
        self.name.setMaxLength(100)
        self.server_error = ErrorLabel()
        self.code_error = ErrorLabel()
        self.name_error = ErrorLabel()
        self.server.textChanged.connect(self._on_server_changed)
        self.server.editingFinished.connect(self._on_server_editing_finished)
        self.code.textChanged.connect(self._on_code_changed)
        self.code.editingFinished.connect(self._on_code_editing_finished)
        self.name.textChanged.connect(self._on_name_changed)
        self.labels = {"server": QLabel(), "code": QLabel(), "name": QLabel()}
        self.labels["server"].setBuddy(self.server)
        self.labels["code"].setBuddy(self.code)
        self.labels["name"].setBuddy(self.name)
        self.note = QLabel()
        self.note.setWordWrap(True)
        self.note.setStyleSheet("background: #fff4d6; padding: 8px;")
        form = QFormLayout()
        for key, widget, error in (
            ("server", self.server, self.server_error),
            ("code", self.code, self.code_error),
            ("name", self.name, self.name_error),
        ):
            box = QVBoxLayout()
            box.addWidget(widget)
            box.addWidget(error)
            form.addRow(self.labels[key], box)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.note)
        layout.addStretch()

    def retranslate(self) -> None:
        self.setTitle(_("Join an organisation"))
        self.setSubTitle(_("Your coordinator gives you the server address and an enrollment code."))
        self.labels["server"].setText(_("&Server address"))
        self.labels["code"].setText(_("&Enrollment code"))
        # Its own access key: the join dialog's "&Name" is taken by the wizard's "&Next".
        self.labels["name"].setText(_("Name of this &laptop"))
        self.name.setToolTip(_("Shown to the coordinator who approves it, e.g. “Laptop 3”."))
        self.note.setText(
            _(
                "Next you create your account on this laptop. Then the laptop registers with "
                "the server and shows a fingerprint: a coordinator compares it and approves "
                "the laptop. Until then everything works here, offline."
            )
        )

    def _on_server_changed(self, _text: str) -> None:
        # As the code: while it is typed, only what more typing cannot mend ("https://" was
        # called no web address until the host's first letter).
        error = store_settings.server_url_error_so_far(self.server.text())
        self.server_error.show_message(store_settings.describe(error) if error else "")
        self.completeChanged.emit()

    def _on_server_editing_finished(self) -> None:
        """The field left, or Enter pressed in it: an address begun but no address is wrong now."""
        if self.server.text().strip():
            error = store_settings.server_url_error(self.server.text())
            self.server_error.show_message(store_settings.describe(error) if error else "")

    def _on_name_changed(self, _text: str) -> None:
        named = bool(self.name.text().strip())
        self.name_error.show_message("" if named else field_message(FieldError("name", "required")))
        self.completeChanged.emit()

    def _on_code_changed(self, _text: str) -> None:
        # While it is typed, only what more typing cannot mend: checked whole after four
        # characters, a code turned red as wrong halfway through (``_on_code_editing_finished``
        # says the rest when the field is left; typing elsewhere leaves that said).
        code_error = store_settings.enrollment_code_error_so_far(self.code.text())
        self.code_error.show_message(store_settings.describe(code_error) if code_error else "")
        self.completeChanged.emit()

    def _on_code_editing_finished(self) -> None:
        """The field left, or Enter pressed in it: a code begun but not finished is wrong
        now (Next stays greyed out, and nothing said why)."""
        if self.code.text().strip():
            code_error = store_settings.enrollment_code_error(self.code.text())
            self.code_error.show_message(store_settings.describe(code_error) if code_error else "")

    def inputs_valid(self) -> bool:
        return (
            bool(self.server.text().strip())
            and store_settings.server_url_error(self.server.text()) is None
            and store_settings.enrollment_code_error(self.code.text()) is None
            and bool(self.name.text().strip())
        )

    def isComplete(self) -> bool:
        return self.inputs_valid()

    def entered(self) -> bool:
        """Whether the address or the code was typed, or the laptop named (Escape and Cancel
        ask before losing them)."""
        named = self.name.text() != socket.gethostname()
        return bool(self.server.text() or self.code.text()) or named

    def clear(self) -> None:
        self.server.clear()
        self.code.clear()
        self.name.setText(socket.gethostname())

    def nextId(self) -> int:
        return PAGE_ACCOUNT


class JoinedPage(QWizardPage):
    """After registering with the server: this laptop's fingerprint to compare."""

    def __init__(self, wizard: FirstRunWizard) -> None:
        super().__init__()
        self._wizard = wizard
        self.fingerprint = QLabel()
        self.fingerprint.setStyleSheet(FINGERPRINT_STYLE)
        # As in the join dialog: reached and copied by keyboard too, and read out whole.
        reachable_text(self.fingerprint)
        self.hint = QLabel()
        self.hint.setWordWrap(True)
        layout = QVBoxLayout(self)
        layout.addWidget(self.hint)
        layout.addWidget(self.fingerprint)
        layout.addStretch()

    def initializePage(self) -> None:
        self.fingerprint.setText(self._wizard.fingerprint)
        self._name_fingerprint()
        self._say_next_steps()

    def _say_next_steps(self) -> None:
        # The organisation's first laptop waits for nobody: it was told to have itself approved.
        first = self._wizard.first_laptop
        self.hint.setText(_(NEXT_STEPS_AFTER_FIRST_JOIN if first else NEXT_STEPS_AFTER_JOINING))

    def _name_fingerprint(self) -> None:
        fp = self.fingerprint.text()
        self.fingerprint.setAccessibleName(_("Fingerprint of this laptop: {fp}").format(fp=fp))

    def retranslate(self) -> None:
        self.setTitle(_("Registered with the server"))
        self._say_next_steps()
        self._name_fingerprint()

    def nextId(self) -> int:
        return -1


class RestorePage(QWizardPage):
    """A replacement laptop: the broken one's backup file and passphrase, and an account of
    the backup to log in with. Next restores it into this laptop's data folder and logs in
    (``backup.RestoreAttempt``): refused or cancelled, the folder is left as it was."""

    FIELDS = ("file", "passphrase", "account", "password")

    def __init__(self, wizard: FirstRunWizard) -> None:
        super().__init__()
        self._wizard = wizard
        self.attempt = backup.RestoreAttempt(wizard.data_dir)
        self.file = QLineEdit()
        self.file.textChanged.connect(self.file.setToolTip)  # the whole path, when cut off
        self.choose = QPushButton()
        self.choose.clicked.connect(self._on_choose_clicked)
        self.chooser: QFileDialog | None = None  # the file dialog, while it is open
        self.passphrase = QLineEdit()
        self.account = QLineEdit()
        self.password = QLineEdit()
        for field in (self.passphrase, self.password):
            field.setEchoMode(QLineEdit.EchoMode.Password)
        self.fields = dict(
            zip(self.FIELDS, (self.file, self.passphrase, self.account, self.password), strict=True)
        )
        self.errors = {k: ErrorLabel() for k in self.FIELDS}
        self.labels = {k: QLabel() for k in self.FIELDS}
        self.general = ErrorLabel()
        # The old laptop's password refused for Caps Lock said only that it was not correct.
        self.caps_lock = CapsLockNote(self.passphrase, self.password)
        self.busy = False
        self._proceed = False  # restored and logged in: the next validatePage passes
        self.busy_label, self.bar = busy_indicator()
        # Once the restored data is open, there is nothing to go back to.
        self.setCommitPage(True)
        row = QWidget()
        box = QHBoxLayout(row)
        box.setContentsMargins(0, 0, 0, 0)
        box.addWidget(self.file, 1)
        box.addWidget(self.choose)
        row.setFocusProxy(self.file)
        form = QFormLayout()
        for key, field in self.fields.items():
            self.labels[key].setBuddy(field)
            shown = row if field is self.file else field
            form.addRow(self.labels[key], with_error(shown, self.errors[key]))
        self.hint = QLabel()
        self.hint.setWordWrap(True)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.caps_lock)
        layout.addWidget(self.hint)
        layout.addWidget(self.busy_label)
        layout.addWidget(self.bar)
        layout.addWidget(self.general)
        layout.addStretch()

    def retranslate(self) -> None:
        self.setTitle(_("Restore a backup of this laptop"))
        self.setSubTitle(
            _("The backup of the laptop this one replaces, and an account of the backup.")
        )
        texts = (_("Backup &file"), _("&Passphrase"), _("&Account name"), _("Pass&word"))
        for key, text in zip(self.FIELDS, texts, strict=True):
            self.labels[key].setText(text)
            self.fields[key].setAccessibleName(text.replace("&", ""))
        self.choose.setText(_("&Choose…"))
        self.caps_lock.retranslate()
        self.hint.setText(
            _(
                "The passphrase is the one chosen when the backup was written. Then log in as "
                "on the old laptop: with the account name and password of one of its accounts."
            )
        )

    def entered(self) -> bool:
        """Whether anything was typed or chosen here (Escape and Cancel ask before losing it)."""
        return any(field.text() for field in self.fields.values())

    def clear(self) -> None:
        for field in self.fields.values():
            field.clear()

    def _on_choose_clicked(self) -> None:
        # Qt's own dialog, opened without blocking, in the documents folder (as the save
        # dialogs): a backup is usually on a stick, reached from there.
        self.chooser = ask_open_path(
            self, _("Backup file"), self._on_file_selected, name_filter="*.wdbackup"
        )
        self.chooser.finished.connect(self._on_chooser_finished)

    def _on_file_selected(self, path: Path) -> None:
        self.file.setText(str(path))
        self.passphrase.setFocus()

    def _on_chooser_finished(self, _result: int) -> None:
        self.chooser = None

    def validatePage(self) -> bool:
        """Restore and log in on a worker thread (the key derivations, the unpacking); once
        the restored store is open the wizard moves on by itself."""
        if self._proceed:
            self._proceed = False
            return True
        if self.busy:
            return False
        for label in (*self.errors.values(), self.general):
            label.show_message("")
        missing = [k for k, field in self.fields.items() if not field.text().strip()]
        for key in missing:
            self.errors[key].show_message(field_message(FieldError(key, "required")))
        if missing:
            self.fields[missing[0]].setFocus()
            return False
        source = Path(self.file.text().strip())
        passphrase, account, password = (
            self.passphrase.text(),
            self.account.text(),
            self.password.text(),
        )
        attempt = self.attempt
        self._set_busy(True)

        def done(session: Session) -> None:
            self._set_busy(False)
            self._wizard.session = session
            for field in (self.passphrase, self.password):
                field.clear()
            self._proceed = True
            self._wizard.next()

        def failed(exc: Exception) -> None:
            self._set_busy(False)
            self._show_failure(exc, source)

        self._wizard.tasks.run(
            lambda: attempt.open(source, passphrase, account, password), done, failed
        )
        return False

    def _show_failure(self, exc: Exception, source: Path) -> None:
        """Said at the field to correct, in the wizard's language."""
        again: QLineEdit = self.password
        if isinstance(exc, backup.WrongPassphrase):
            self.errors["passphrase"].show_message(error_message(exc.code))
            again = self.passphrase
        elif isinstance(exc, backup.BackupError):  # not a backup, damaged, from a newer version
            self.errors["file"].show_message(error_message(exc.code))
            again = self.file
        elif isinstance(exc, LoginDelayed):
            self.general.show_message(delay_message(exc.seconds))
        elif isinstance(exc, KeySlotError | StoreError):
            self.errors["password"].show_message(error_message(exc.code))
        elif isinstance(exc, ValidationFailed):
            for error in exc.errors:
                self.errors.get(error.field, self.general).show_message(field_message(error))
        elif isinstance(exc, OSError):
            message = restore_failure_message(exc, source, self._wizard.data_dir)
            self.general.show_message(message)
            again = self.file
        else:
            self.general.show_message(failure_message(exc))
        if again is self.password:
            self.password.clear()
        again.setFocus()

    def _set_busy(self, busy: bool) -> None:
        self.busy = busy
        for control in (*self.fields.values(), self.choose):
            control.setEnabled(not busy)
        self.completeChanged.emit()
        what = _("Restoring the backup…") if busy else None
        show_busy(self._wizard, self.busy_label, self.bar, what)

    def isComplete(self) -> bool:
        return not self.busy

    def cleanupPage(self) -> None:
        # Back to the choice after a refused password: the store restored for it goes (a new
        # organisation chosen next would find the folder taken).
        self.attempt.undo()

    def nextId(self) -> int:
        return PAGE_RESTORED


class RestoredPage(QWizardPage):
    """The restored data is open: what it holds, and what its next sync brings back (as
    after File → Restore backup)."""

    def __init__(self, wizard: FirstRunWizard) -> None:
        super().__init__()
        self._wizard = wizard
        self.hint = QLabel()
        self.hint.setWordWrap(True)
        layout = QVBoxLayout(self)
        layout.addWidget(self.hint)
        layout.addStretch()

    def retranslate(self) -> None:
        self.setTitle(_("The backup has been restored"))
        self.hint.setText(
            "\n\n".join(
                (
                    _(RESTORED_NEXT_SYNC),
                    _("Start opens the restored data, logged in with the account you gave."),
                )
            )
        )

    def nextId(self) -> int:
        return -1


class FirstRunWizard(QWizard):
    """Leads a new laptop to a working app. After ``exec()``: ``session`` (new store),
    or ``demo`` True (the caller opens a demo session), or neither (cancelled)."""

    def __init__(
        self,
        data_dir: Path,
        settings: QSettings | None = None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.data_dir = data_dir
        self.settings = settings or QSettings()
        self.session: Session | None = None
        self.organisation: Organisation | None = None
        self.recovery_code: str | None = None
        self.demo = False
        self.tasks = TaskRunner(self, max_threads=1)
        self.language_page = LanguagePage(self)
        self.choice_page = ChoicePage(self)
        self.organisation_page = OrganisationPage(self)
        self.account_page = AccountPage(self)
        self.recovery_page = RecoveryPage(self)
        self.join_page = JoinPage(self)
        self.joined_page = JoinedPage(self)
        self.restore_page = RestorePage(self)
        self.restored_page = RestoredPage(self)
        #: "Discard what you entered?" on the restore page, while it is open
        self.discard_question: QMessageBox | None = None
        self.fingerprint = ""
        self.first_laptop = False  # joined as the organisation's first (coordinating) laptop
        for page_id, page in enumerate(self.pages()):
            self.setPage(page_id, page)
        self.setWizardStyle(QWizard.WizardStyle.ClassicStyle)
        self.setOption(QWizard.WizardOption.NoBackButtonOnStartPage, True)
        self.resize(640, 520)
        self.currentIdChanged.connect(lambda _id: self.update_buttons())
        self.retranslate()

    def pages(self) -> tuple[QWizardPage, ...]:
        return (self.language_page, self.choice_page, self.organisation_page,
                self.account_page, self.recovery_page, self.join_page,
                self.joined_page, self.restore_page, self.restored_page)  # fmt: skip

    def joining(self) -> bool:
        """The join path was chosen (not a new organisation)."""
        return self.choice_page.join.isChecked()

    def choose_language(self, code: str) -> None:
        set_language(code)
        self.settings.setValue(KEY_LANGUAGE, code)
        self.retranslate()

    def retranslate(self) -> None:
        self.setWindowTitle(_("Welcome Desk — first start"))
        for page in self.pages():
            page.retranslate()  # type: ignore[attr-defined]
        self.setButtonText(QWizard.WizardButton.NextButton, _("&Next >"))
        # The commit pages' Next: the same words (the pages say what it does)
        self.setButtonText(QWizard.WizardButton.CommitButton, _("&Next >"))
        self.setButtonText(QWizard.WizardButton.BackButton, _("< &Back"))
        self.setButtonText(QWizard.WizardButton.CancelButton, _("Cancel"))
        self.update_buttons()

    def update_buttons(self) -> None:
        page = self.currentPage()
        finish = _("&Start")
        if page is self.choice_page and self.choice_page.demo.isChecked():
            finish = _("&Start the demo")
        self.setButtonText(QWizard.WizardButton.FinishButton, finish)

    def accept(self) -> None:
        self.demo = self.session is None and self.choice_page.demo.isChecked()
        super().accept()

    def reject(self) -> None:
        if self.account_page.busy or self.restore_page.busy:
            return  # Escape or the close button while the store is made or the server asked
        # A store created on the account page is kept: the next start asks for its password.
        if self.session is not None:
            self._keep_join_inputs()
            # Accepted, not through QWizard's own done(): that validates the page first, and
            # the account page's validation registers the laptop, so Cancel after a failed
            # registration tried again (the server still out of reach) instead of closing.
            QDialog.done(self, QDialog.DialogCode.Accepted.value)
            return
        if any(page.entered() for page in self._typed_in()):
            self._ask_to_discard()
            return
        # Nothing of a restore stays behind: the next start would ask for its password.
        self.restore_page.attempt.undo()
        super().reject()

    def _typed_in(self) -> tuple[OrganisationPage | AccountPage | JoinPage | RestorePage, ...]:
        """The pages whose typing Cancel throws away (the account page's until it is made)."""
        return (self.organisation_page, self.account_page, self.join_page, self.restore_page)

    def _ask_to_discard(self) -> None:
        """The letterhead, an account, a server's address and code, or the backup's path, its
        passphrase and an account typed: Escape pressed by reflex asks first, as the
        program's dialogs do (``widgets.KeepsInput``); with nothing typed it closes at once.
        (Only the restore page asked: on the others Escape threw the letterhead and the
        account typed away, and a first start began again with the language.)"""
        if self.discard_question is not None:
            return

        def answered(discard: bool) -> None:
            self.discard_question = None
            if discard:
                for page in self._typed_in():
                    page.clear()
                self.reject()

        self.discard_question = ask_to_confirm(
            self,
            self.windowTitle(),
            _("Discard what you entered?"),
            _("&Discard"),
            answered,
            cancel=_("&Keep editing"),
        )

    def _keep_join_inputs(self) -> None:
        """Cancelled on the join path before the laptop registered (the server out of reach,
        say): the address and the laptop's name wait in the join dialog (File menu), which
        had them empty."""
        if self.joining() and not self.fingerprint:
            self.settings.setValue(KEY_JOIN_SERVER, self.join_page.server.text().strip())
            self.settings.setValue(KEY_JOIN_NAME, self.join_page.name.text().strip())
            self.settings.sync()
