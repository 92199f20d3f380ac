"""Accounts in the UI: users of this laptop (coordinator), own password, backup and restore."""

from __future__ import annotations

import logging
from collections.abc import Callable
from html import escape
from pathlib import Path
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QItemSelectionModel, Qt
from PySide6.QtGui import QAction, QCloseEvent, QKeyEvent, QStandardItem, QStandardItemModel
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QMessageBox,
    QPushButton,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from desktop_app.domain.permissions import Action, PermissionDenied, allowed
from desktop_app.domain.users import Role, User, role_at_most
from desktop_app.domain.validation import FieldError, ValidationFailed
from desktop_app.i18n.messages import (
    error_message,
    failure_message,
    field_message,
    lowered_role_message,
    restore_failure_message,
)
from desktop_app.i18n.text import N_, _
from desktop_app.storage.db import StoreError
from desktop_app.storage.keyslots import KeySlotError
from desktop_app.ui.admin import admin_menu
from desktop_app.ui.error_label import CapsLockNote, with_error
from desktop_app.ui.lock import own_password_message
from desktop_app.ui.save_dialog import ask_folder, ask_open_path, ask_save_path
from desktop_app.ui.tasks import DialogSave
from desktop_app.ui.widgets import ErrorLabel, KeepsInput, ask_to_confirm, record_table
from desktop_app.usecases import accounts, backup
from desktop_app.usecases.accounts import Session

log = logging.getLogger(__name__)

if TYPE_CHECKING:
    from desktop_app.ui.login import LoginDialog
    from desktop_app.ui.main_window import MainWindow

ROLE_NAMES = {
    Role.COORDINATOR: N_("Coordinator"),
    Role.ADVISOR: N_("Advisor"),
    Role.HELPER: N_("Integration helper"),
}


def staff_label(user_id: str, role: str | None, laptop: str = "") -> str:
    """A user without an account here, as the screens name them: their id's first 8
    characters, the role an entry of theirs carries (a ``Role`` value; None where none does)
    and the laptop they worked on, e.g. "cfa63b3c (Advisor, Kontaktstelle Nord)". Accounts do
    not sync: their names are not known here, and the id alone told no one whose work it was."""
    said = ", ".join(
        part for part in (_(ROLE_NAMES[Role(role)]) if role in set(Role) else "", laptop) if part
    )
    return f"{user_id[:8]} ({said})" if said else user_id[:8]


def password_field() -> QLineEdit:
    field = QLineEdit()
    field.setEchoMode(QLineEdit.EchoMode.Password)
    return field


class _FormDialog(QDialog):
    """A small form whose rows each have an error label under the field."""

    def __init__(self, title: str, parent: QWidget | None) -> None:
        super().__init__(parent)
        self.setWindowTitle(title)
        self.form = QFormLayout()
        self.errors: dict[str, ErrorLabel] = {}
        self.general = ErrorLabel()
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        self.buttons.accepted.connect(self._on_ok_clicked)
        # Escape pressed by reflex threw away the passwords typed twice, the paths chosen.
        self.fields: list[QLineEdit | QComboBox] = []  # each row's, in ``add_row``
        self.keeps_input = KeepsInput(self, self._entered)
        self.buttons.rejected.connect(self.keeps_input.cancel)
        # Under the form, as at the login: a new password typed twice with Caps Lock on was
        # refused as two that differ, or worse taken, and the next login failed. Told by the
        # letters typed into each password row (``add_row``).
        self.caps_lock = CapsLockNote()
        layout = QVBoxLayout(self)
        self.intro = QLabel()
        self.intro.setWordWrap(True)
        self.intro.hide()
        layout.addWidget(self.intro)
        layout.addLayout(self.form)
        layout.addWidget(self.caps_lock)
        layout.addWidget(self.general)
        layout.addWidget(self.buttons)
        self.setMinimumWidth(460)
        self.save = DialogSave(self, self.buttons)
        self.result_value: object = None  # what the work returned (``_on_saved``)

    def add_row(self, key: str, text: str, widget: QWidget) -> None:
        first = not self.errors
        label = QLabel(text)
        field = widget.focusProxy() or widget  # a row of field and button: the field
        assert isinstance(field, QLineEdit | QComboBox)
        self.fields.append(field)
        if isinstance(field, QLineEdit) and field.echoMode() == QLineEdit.EchoMode.Password:
            self.caps_lock.watch(field)
        label.setBuddy(field)
        widget.setAccessibleName(text.replace("&", ""))
        self.errors[key] = ErrorLabel()
        self.form.addRow(label, with_error(widget, self.errors[key]))
        if first:
            # The first field has the keyboard when the dialog opens: the buttons, made before
            # any row, came first in the focus chain, so it opened on "OK" and what was typed
            # went nowhere (Enter sent the empty form).
            field.setFocus()

    def file_row(
        self, field: QLineEdit, choose: Callable[[], None], text: str | None = None
    ) -> QWidget:
        """``field`` with a "Choose…" button beside it, as one row whose label's access key
        reaches the field (``add_row``): the row itself takes no focus, and Alt+F in the backup
        dialog left the focus where it was."""
        browse = QPushButton(text or _("&Choose…"))
        browse.clicked.connect(choose)
        row = QWidget()
        box = QHBoxLayout(row)
        box.setContentsMargins(0, 0, 0, 0)
        box.addWidget(field, 1)
        box.addWidget(browse)
        row.setFocusProxy(field)
        return row

    def _entered(self) -> tuple[object, ...]:
        """What Cancel and Escape would throw away (``keeps_input``): each row's text or
        choice."""
        return tuple(
            f.text() if isinstance(f, QLineEdit) else f.currentIndex() for f in self.fields
        )

    # The row under which a refused password of the user logged in is said (None: none asked).
    own_password: str | None = None

    def show_errors(self, exc: Exception) -> None:
        for label in [*self.errors.values(), self.general]:
            label.show_message("")
        code = getattr(exc, "code", "")
        if self.own_password is not None and code == "wrong_password":
            self.errors[self.own_password].show_message(own_password_message(code))
        elif isinstance(exc, ValidationFailed):
            for error in exc.errors:
                target = self.errors.get(error.field, self.general)
                target.show_message(field_message(error))
        else:
            self.general.show_message(error_message(getattr(exc, "code", "error")))

    def _on_ok_clicked(self) -> None:
        """Checks what can be checked at once, then runs the work on a worker thread (password
        hashing, a backup: up to a second, longer while a sync holds the store); the buttons
        wait for the answer."""
        try:
            work = self.prepare()
        except ValidationFailed as exc:
            self.show_errors(exc)
            return
        # What was said of the last try goes: a folder's "add a file name" stayed under the
        # field corrected, beside the answer to this try.
        for label in [*self.errors.values(), self.general]:
            label.show_message("")
        self.save.start(work, self._on_saved, self._on_failed)

    def _on_saved(self, result: object) -> None:
        self.result_value = result  # what the work returned, for whoever opened the dialog
        self.accept()

    def _on_failed(self, exc: Exception) -> None:
        if isinstance(
            exc,
            ValidationFailed | KeySlotError | StoreError | PermissionDenied | backup.BackupError,
        ):
            self.show_errors(exc)
        elif isinstance(exc, OSError):
            self.general.show_message(error_message("backup_unreadable"))
        else:
            # The store busy (a sync), the disk full …: the application's error handler only
            # logged it, and the dialog waited with nothing said.
            self.general.show_message(failure_message(exc))

    def prepare(self) -> Callable[[], object]:
        """Read the fields (on the UI thread) and return the work to run with them."""
        raise NotImplementedError

    def reject(self) -> None:
        self.save.dismiss()
        super().reject()


TELL_THE_ACCOUNT_NAME = N_(
    "Tell the new user their account name and password: they type both each time they log in, "
    "and the login window shows no account names."
)


class AddUserDialog(_FormDialog):
    def __init__(self, session: Session, parent: QWidget | None = None) -> None:
        super().__init__(_("Add user"), parent)
        self.session = session
        self.account, self.display_name = QLineEdit(), QLineEdit()
        self.role = QComboBox()
        # Up to the role this laptop was approved for (``accounts.add_user`` refuses more).
        ceiling = session.user.ceiling
        for role in (Role.HELPER, Role.ADVISOR, Role.COORDINATOR):
            if role_at_most(role, ceiling):
                self.role.addItem(_(ROLE_NAMES[role]), role.value)
        self.password, self.repeat = password_field(), password_field()
        self.add_row("account", _("&Account name"), self.account)
        self.add_row("display_name", _("&Full name"), self.display_name)
        self.add_row("role", _("R&ole"), self.role)
        self.add_row("password", _("&Password"), self.password)
        self.add_row("password_repeat", _("&Repeat password"), self.repeat)
        # The login window shows no account names: the new user learns hers from whoever
        # adds it here.
        self.intro.setText(_(TELL_THE_ACCOUNT_NAME))
        self.intro.show()

    def prepare(self) -> Callable[[], object]:
        session, account, name = self.session, self.account.text(), self.display_name.text()
        role, password, repeat = (
            Role(self.role.currentData()),
            self.password.text(),
            self.repeat.text(),
        )
        return lambda: accounts.add_user(session, account, name, role, password, repeat)


class SetPasswordDialog(_FormDialog):
    """A coordinator gives the account of a user who forgot her password a new one (the
    recovery code at the login serves coordinators only)."""

    def __init__(self, session: Session, user: User, parent: QWidget | None = None) -> None:
        super().__init__(_("Set a new password"), parent)
        self.session, self.user = session, user
        self.new, self.repeat = password_field(), password_field()
        self.add_row("password", _("&New password"), self.new)
        self.add_row("password_repeat", _("&Repeat password"), self.repeat)
        self.intro.setText(
            _(
                "New password for {name} (account name: {account}). The old password stops "
                "working at once; nothing of the data changes. Tell {name} the new password, "
                "and ask them to change it under File → Change password."
            ).format(name=user.display_name, account=user.account)
        )
        self.intro.show()

    def prepare(self) -> Callable[[], object]:
        session, user_id, new, repeat = (
            self.session,
            self.user.id,
            self.new.text(),
            self.repeat.text(),
        )
        return lambda: accounts.set_password(session, user_id, new, repeat)


class UsersDialog(QDialog):
    """The accounts of this laptop; a coordinator adds and removes them."""

    def __init__(self, session: Session, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.session = session
        self.setWindowTitle(_("Users of this laptop"))
        self.model = QStandardItemModel(self)
        self.table = record_table(QTableView(), _("Users"))
        self.table.setModel(self.model)
        self.table.setSelectionMode(QTableView.SelectionMode.SingleSelection)
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Stretch)
        self.add_button = QPushButton(_("&Add user…"))
        self.add_button.clicked.connect(self._on_add_clicked)
        self.remove_button = QPushButton(_("&Remove user"))
        self.remove_button.clicked.connect(self._on_remove_clicked)
        # For a user who forgot the password: the recovery code is for coordinators only.
        self.password_button = QPushButton(_("New &password…"))
        self.password_button.clicked.connect(self._on_password_clicked)
        self.recovery_button = QPushButton(_("New recovery &code…"))
        self.recovery_button.clicked.connect(self._on_recovery_clicked)
        self.error = ErrorLabel()
        self.notice = QLabel()  # what was just done
        self.notice.setWordWrap(True)
        self.notice.hide()
        buttons = QWidget()
        row = QHBoxLayout(buttons)
        row.setContentsMargins(0, 0, 0, 0)
        for b in (self.add_button, self.remove_button, self.password_button, self.recovery_button):
            # "Add user…", the first, was the default: Enter on a user in the list opened
            # the dialog of a new one. Enter closes the list now, as its Close button.
            b.setAutoDefault(False)
            row.addWidget(b)
        row.addStretch(1)
        self.save = DialogSave(self, buttons)
        # Closing was only Esc or the title bar; beside the buttons that wait for a change,
        # not among them, so that it stays usable meanwhile.
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        self.buttons.rejected.connect(self.reject)
        bottom = QHBoxLayout()
        bottom.addWidget(buttons, 1)
        bottom.addWidget(self.buttons)
        layout = QVBoxLayout(self)
        layout.addWidget(self.table, 1)
        layout.addWidget(self.error)
        layout.addWidget(self.notice)
        layout.addLayout(bottom)
        self.resize(620, 380)
        self.refresh()

    def refresh(self) -> None:
        self.users = accounts.list_users(self.session.store)
        self.model.clear()
        self.model.setHorizontalHeaderLabels([_("Name"), _("Account"), _("Role")])
        for u in self.users:
            self.model.appendRow(
                [
                    QStandardItem(u.display_name),
                    QStandardItem(u.account),
                    QStandardItem(_(ROLE_NAMES[u.role])),
                ]
            )

    def _on_add_clicked(self) -> None:
        dialog = AddUserDialog(self.session, self)
        if dialog.exec() != QDialog.DialogCode.Accepted:
            return
        self.refresh()
        added = dialog.result_value
        if not isinstance(added, User):
            return
        # The list was filled anew with nothing chosen and nothing said: the new user is
        # chosen (a new password or her removal are a key away) and how she logs in is said.
        row = next(i for i, u in enumerate(self.users) if u.id == added.id)
        self.table.selectionModel().setCurrentIndex(
            self.model.index(row, 0),
            QItemSelectionModel.SelectionFlag.ClearAndSelect
            | QItemSelectionModel.SelectionFlag.Rows,
        )
        self.table.setFocus()
        self.error.show_message("")
        self.notice.setText(
            _("{name} is added and logs in with the account name “{account}”.").format(
                name=added.display_name, account=added.account
            )
        )
        self.notice.show()

    def _on_remove_clicked(self) -> None:
        rows = self.table.selectionModel().selectedRows()
        if not rows:
            return
        user = self.users[rows[0].row()]
        answer = QMessageBox.question(
            self,
            _("Remove user"),
            _("Remove the account of {name}? Their past work stays in the records.").format(
                name=user.display_name
            ),
        )
        if answer != QMessageBox.StandardButton.Yes:
            return
        session, user_id = self.session, user.id
        self._run(lambda: accounts.remove_user(session, user_id), lambda _none: self.refresh())

    def _on_password_clicked(self) -> SetPasswordDialog | None:
        rows = self.table.selectionModel().selectedRows()
        if not rows:
            self.error.show_message(_("Choose the user who needs a new password first."))
            return None
        self.error.show_message("")
        self.notice.hide()
        dialog = SetPasswordDialog(self.session, self.users[rows[0].row()], self)
        dialog.accepted.connect(lambda: self._say_password_set(dialog.user))
        dialog.open()
        return dialog

    def _say_password_set(self, user: User) -> None:
        self.notice.setText(
            _("{name} logs in with the new password from now on.").format(name=user.display_name)
        )
        self.notice.show()

    def _run(self, work: Callable[[], object], on_done: Callable[[Any], None]) -> None:
        """A change of the accounts on a worker thread (a key derivation takes a moment, and
        a sync may hold the store); the buttons wait for the answer."""
        self.error.show_message("")
        self.save.start(work, on_done, self._on_failed)

    def _on_failed(self, exc: Exception) -> None:
        if isinstance(exc, PermissionDenied | KeySlotError):
            self.error.show_message(error_message(exc.code))
        else:  # the application's error handler only logged it: nothing was said
            self.error.show_message(failure_message(exc))

    def _on_recovery_clicked(self) -> None:
        answer = QMessageBox.question(
            self,
            _("New recovery code"),
            _("Make a new recovery code? The old one stops working at once."),
        )
        if answer == QMessageBox.StandardButton.Yes:
            session = self.session
            self._run(
                lambda: accounts.renew_recovery_code(session),
                lambda code: RecoveryCodeDialog(code, self).open(),
            )

    def reject(self) -> None:
        self.save.dismiss()
        super().reject()


class RecoveryCodeDialog(QDialog):
    """Shows the recovery code once, to be printed or written down and locked away."""

    def __init__(self, code: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(_("Recovery code"))
        intro = QLabel(
            _(
                "This recovery code opens the data of this laptop if every password is "
                "forgotten. It is shown only now. Print it or write it down and keep it locked "
                "away, separate from the laptop."
            )
        )
        intro.setWordWrap(True)
        self.code = QLabel(code)
        self.code.setStyleSheet("font-family: monospace; font-size: 15pt; font-weight: bold;")
        self.code.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.code.setAccessibleName(_("Recovery code"))
        self.print_button = QPushButton(_("&Print…"))
        self.print_button.clicked.connect(self._on_print_clicked)
        # Enter out of habit (its button was the default) or Escape closed it, and the code,
        # shown only now, was gone before it was written down. Closing waits for this box
        # (the wizard's recovery page asks the same); the keys and Tab still reach everything.
        self.confirm = QCheckBox(_("I have &written down or printed the recovery code"))
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok)
        self.done_button = buttons.button(QDialogButtonBox.StandardButton.Ok)
        self.done_button.setText(_("I have kept the code safe"))
        self.done_button.setDefault(True)  # Enter: nothing while it waits, not Print
        self.done_button.setEnabled(False)
        self.confirm.toggled.connect(self.done_button.setEnabled)
        buttons.addButton(self.print_button, QDialogButtonBox.ButtonRole.ActionRole)
        buttons.accepted.connect(self.accept)
        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addWidget(self.code)
        layout.addWidget(self.confirm)
        layout.addWidget(buttons)
        self.confirm.setFocus()

    def keyPressEvent(self, event: QKeyEvent) -> None:
        if event.key() == Qt.Key.Key_Escape and not self.confirm.isChecked():
            event.accept()  # as the button: once the box is ticked
            return
        super().keyPressEvent(event)

    def closeEvent(self, event: QCloseEvent) -> None:
        # The title bar's close, as Escape. The program's own closing goes through (the lock
        # hides the dialog and brings it back; quitting or another user's login close it).
        if event.spontaneous() and not self.confirm.isChecked():
            event.ignore()
            return
        super().closeEvent(event)

    def _on_print_clicked(self) -> None:
        print_recovery_code(self, self.code.text())


def print_recovery_code(parent: QWidget, code: str) -> None:
    """The recovery code on a sheet of its own, on the printer the user chooses (the first-run
    wizard's recovery page and the dialog of a new code)."""
    from PySide6.QtGui import QTextDocument

    from desktop_app.ui.referrals import choose_printer

    printer = choose_printer(parent)
    if printer is None:
        return
    doc = QTextDocument()
    doc.setPlainText(_("Welcome Desk recovery code") + "\n\n" + code)
    doc.print_(printer)


class ChangePasswordDialog(_FormDialog):
    own_password = "old"

    def __init__(self, session: Session, parent: QWidget | None = None) -> None:
        super().__init__(_("Change password"), parent)
        self.session = session
        self.old, self.new, self.repeat = password_field(), password_field(), password_field()
        self.add_row("old", _("&Current password"), self.old)
        self.add_row("password", _("&New password"), self.new)
        self.add_row("password_repeat", _("&Repeat password"), self.repeat)

    def prepare(self) -> Callable[[], object]:
        session, old, new, repeat = (
            self.session,
            self.old.text(),
            self.new.text(),
            self.repeat.text(),
        )
        return lambda: accounts.change_password(session, old, new, repeat)


_IS_FOLDER = "is_folder"  # a backup file's path that names a folder


class BackupDialog(_FormDialog):
    """Passphrase and file for an encrypted backup."""

    def __init__(self, session: Session, parent: QWidget | None = None) -> None:
        super().__init__(_("Encrypted backup"), parent)
        self.session = session
        self.intro.setText(
            _(
                "The backup is encrypted with this passphrase. Without it the backup cannot be "
                "restored, so keep it apart from the backup."
            )
        )
        self.intro.show()
        self.file = QLineEdit()
        row = self.file_row(self.file, self._on_browse_clicked)
        self.file.setAccessibleName(_("Backup file"))
        self.passphrase, self.repeat = password_field(), password_field()
        self.add_row("file", _("Backup &file"), row)
        self.add_row("passphrase", _("&Passphrase"), self.passphrase)
        self.add_row("password_repeat", _("&Repeat passphrase"), self.repeat)
        #: the file the file picker chose: it asked before replacing it already
        self._picked: Path | None = None
        #: the question whether to replace an existing file, while it is open
        self.replace_question: QMessageBox | None = None

    def _on_browse_clicked(self) -> None:
        ask_save_path(
            self,
            _("Backup file"),
            "welcome-desk.wdbackup",
            self._on_file_picked,
            name_filter="*.wdbackup",
            suffix="wdbackup",
        )

    def _on_file_picked(self, path: Path) -> None:
        self.file.setText(str(path))
        self._picked = path

    def _on_ok_clicked(self) -> None:
        """A typed path of an existing file is replaced only when the user says so: the file
        picker asks, but a typed path overwrote last week's backup without a word."""
        try:
            self.prepare()
        except ValidationFailed:
            super()._on_ok_clicked()  # says what to correct first
            return
        path = Path(self.file.text().strip())
        if path.is_file() and path != self._picked:
            self._ask_replace(path)
            return
        super()._on_ok_clicked()

    def _ask_replace(self, path: Path) -> None:
        """Asks window-modal (not blocking); Enter or Escape keeps the file."""

        def answered(replace: bool) -> None:
            self.replace_question = None
            if replace:
                self._picked = path  # asked: not again
                super(BackupDialog, self)._on_ok_clicked()
            else:
                self.file.setFocus()
                self.file.selectAll()

        self.replace_question = ask_to_confirm(
            self,
            _("Encrypted backup"),
            _(
                "The file {file} exists already. Replace it with the new backup? The backup "
                "it holds now is lost."
            ).format(file=path),
            _("&Replace"),
            answered,
        )

    def prepare(self) -> Callable[[], object]:
        if self.passphrase.text() != self.repeat.text():
            raise ValidationFailed([FieldError("password_repeat", "passwords_differ")])
        if not self.file.text().strip():
            raise ValidationFailed([FieldError("file", "required")])
        session, path, passphrase = (
            self.session,
            Path(self.file.text().strip()),
            self.passphrase.text(),
        )
        if path.is_dir():
            # The stick's folder typed as the file: it failed with "The backup file cannot be
            # read" and left "<folder>.part" beside it.
            raise ValidationFailed([FieldError("file", _IS_FOLDER)])
        return lambda: backup.write_backup(session, path, passphrase)

    def show_errors(self, exc: Exception) -> None:
        super().show_errors(exc)
        if isinstance(exc, ValidationFailed) and any(e.code == _IS_FOLDER for e in exc.errors):
            self.errors["file"].show_message(
                _(
                    "This is a folder. Add the backup's file name to it, for example {example}."
                ).format(example=Path(self.file.text().strip()) / "welcome-desk.wdbackup")
            )

    def _on_failed(self, exc: Exception) -> None:
        if isinstance(exc, OSError):  # writing, not reading: "cannot be read" was said
            # Why (a full stick, a write-protected one, no permission), not every cause at once.
            self.general.show_message(
                failure_message(
                    exc,
                    _("The backup could not be written to {file}.").format(
                        file=self.file.text().strip()
                    ),
                )
            )
            return
        super()._on_failed(exc)


RESTORE_DIALOG_WIDTH = 900


class RestoreDialog(_FormDialog):
    """Restore a backup into a new, empty data folder (for a replacement laptop)."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(_("Restore backup"), parent)
        # It said nothing above its fields: whether the backup would go over this laptop's data
        # was left to guess.
        self.intro.setText(
            _(
                "The backup is restored into a new, empty folder beside the current data, which "
                "stays as it is. Afterwards you choose whether to open the restored data."
            )
        )
        self.intro.show()
        self.file, self.folder = QLineEdit(), QLineEdit()
        self.passphrase = password_field()
        # The backup is chosen, not typed: its whole path had to be typed by hand.
        row = self.file_row(self.file, self._on_browse_clicked)
        self.file.setAccessibleName(_("Backup file"))
        self.add_row("file", _("Backup &file"), row)
        # Chosen too: its whole path had to be typed by hand.
        folder_row = self.file_row(
            self.folder, self._on_choose_folder_clicked, _("Choose fol&der…")
        )
        self.folder.setAccessibleName(_("&New data folder").replace("&", ""))
        self.add_row("folder", _("&New data folder"), folder_row)
        self.add_row("passphrase", _("&Passphrase"), self.passphrase)
        # At 460 px a backup's path (on a stick, in a user's folder) was cut off in its field,
        # and so was the new folder's: as wide as a 1024 px screen allows, each field ends at
        # the file or folder name, and the whole path is in its tooltip.
        screen = self.screen()
        available = screen.availableGeometry().width() if screen is not None else 1024
        self.setMinimumWidth(min(RESTORE_DIALOG_WIDTH, available - 60))
        # The two buttons one above the other, as wide as each other: "Choose…" ended short of
        # "Choose folder…" (92 and 136 px in German). Made as wide, on an 800 px screen they
        # took the room a path needs (the backup's cut in Bulgarian and Romanian; the folder's
        # was cut in Bulgarian already): where the dialog cannot have its full width, the
        # labels stand above their fields, which get the whole width.
        choose = [row.findChild(QPushButton) for row in (row, folder_row)]
        widest = max(button.sizeHint().width() for button in choose if button is not None)
        for button in choose:
            if button is not None:
                button.setMinimumWidth(widest)
        if available - 60 < RESTORE_DIALOG_WIDTH:
            self.form.setRowWrapPolicy(QFormLayout.RowWrapPolicy.WrapAllRows)
        for field in (self.file, self.folder):
            field.textChanged.connect(field.setToolTip)

    def _on_browse_clicked(self) -> None:
        ask_open_path(
            self,
            _("Backup file"),
            lambda path: self.file.setText(str(path)),
            name_filter="*.wdbackup",
        )

    def _on_choose_folder_clicked(self) -> None:
        ask_folder(
            self,
            _("&New data folder").replace("&", ""),
            lambda folder: self.folder.setText(str(folder)),
            typed=self.folder.text(),
        )

    def prepare(self) -> Callable[[], object]:
        # An empty field is Path(""), the program's working folder: the backup was unpacked
        # there, silently, wherever the program happened to be started from.
        missing = [
            FieldError(key, "required")
            for key, field in (("file", self.file), ("folder", self.folder))
            if not field.text().strip()
        ]
        if missing:
            raise ValidationFailed(missing)
        source, folder = Path(self.file.text().strip()), Path(self.folder.text().strip())
        passphrase = self.passphrase.text()
        return lambda: backup.restore_backup(source, folder, passphrase)

    def show_errors(self, exc: Exception) -> None:
        super().show_errors(exc)
        if isinstance(exc, backup.WrongPassphrase):  # under the field to correct
            self.general.show_message("")
            self.errors["passphrase"].show_message(error_message(exc.code))
        elif getattr(exc, "code", "") == "store_exists":
            # The folder in use chosen, as if the backup went over the data: "This data folder
            # already holds a database." under the buttons said neither where nor what next.
            self.general.show_message("")
            self.errors["folder"].show_message(
                _(
                    "This folder already holds data. A backup is restored beside the data, "
                    "never over it: choose a new or empty folder."
                )
            )

    def _on_failed(self, exc: Exception) -> None:
        if isinstance(exc, OSError):
            # "The backup file cannot be read" was said for every such failure, also for a new
            # data folder that could not be written: which file, why, and what to do.
            source, folder = Path(self.file.text().strip()), self.folder.text().strip()
            self.general.show_message(restore_failure_message(exc, source, folder))
            return
        super()._on_failed(exc)

    def restored_folder(self) -> Path:
        return Path(self.folder.text().strip()).absolute()


#: What a restored store holds, and what its next sync brings back: said after a restore from
#: the File menu and from the first-run wizard alike.
RESTORED_NEXT_SYNC = N_(
    "The restored data is as it was when the backup was made. Its next sync brings back what "
    "was synced from it after the backup; what was recorded after the backup and never synced "
    "is not in it."
)


def tell_restored(window: MainWindow, folder: Path) -> QMessageBox:
    """Where the backup went, and the choice to open it now: it said to start the program with
    "--data-dir", a command-line option a coordinator at a contact point has no way to use."""
    paragraphs = (
        _("The backup was restored into the folder {folder}.").format(folder=folder),
        _(RESTORED_NEXT_SYNC),
        _(
            "Open the restored data now? The current data is closed (drafts of open forms are "
            "saved first) and you log in with an account of the backup. Welcome Desk then "
            "starts with the restored data from now on."
        ),
        _(
            "If you keep working with the current data, nothing of it changes, and the "
            "restored data stays in {folder}."
        ).format(folder=folder),
    )
    box = QMessageBox(
        QMessageBox.Icon.Information,
        _("Restore backup"),
        "\n\n".join(paragraphs),
        QMessageBox.StandardButton.NoButton,
        window,
    )
    open_now = box.addButton(_("&Open the restored data"), QMessageBox.ButtonRole.AcceptRole)
    keep = box.addButton(
        _("&Keep working with the current data"), QMessageBox.ButtonRole.RejectRole
    )
    box.setDefaultButton(open_now)
    box.setEscapeButton(keep)
    open_now.clicked.connect(lambda: open_restored(window, folder))
    box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
    box.open()
    return box


def open_restored(window: MainWindow, folder: Path) -> LoginDialog:
    """Ask for the password of one of the backup's accounts first: cancelled or refused, the
    window goes on with its data as before. Once the restored store is open, it takes this
    window's place (``_replace_window``)."""
    from desktop_app.ui.login import LoginDialog

    dialog = LoginDialog(folder, window, account=window.session.user.account)
    dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
    dialog.intro.setText(
        _("Log in with an account of the backup to open the restored data in {folder}.").format(
            folder=folder
        )
    )

    def logged_in() -> None:
        if dialog.session is not None:
            _replace_window(window, dialog.session, folder)

    dialog.accepted.connect(logged_in)
    dialog.open()
    return dialog


def _window_in_place_of(old: MainWindow, session: Session) -> MainWindow:
    """A new main window on ``session`` shown where ``old`` was, then ``old`` closed (its open
    forms save their drafts first, its background work and sync stop) and deleted once the
    event loop is back (``put_in_place``). The caller closes what else ``old`` held."""
    from PySide6.QtCore import QTimer

    from desktop_app.ui.main_window import MainWindow, put_in_place, show_window

    old.close_forms()  # a visit form saves its draft into the store it came from, still open
    new = MainWindow(session, demo=old.demo, defer_features=True)
    # Shown before the old one closes: the last window closed would end the program.
    show_window(new, in_place_of=old)
    QTimer.singleShot(0, new.install_features)
    put_in_place(old, new)
    old.close()  # waits for its background work, stops its sync
    return new


def _replace_window(old: MainWindow, session: Session, folder: Path) -> MainWindow:
    """The restored data in a new main window, in place of ``old``, whose open forms keep
    their drafts (closing one saves it) and whose store is then closed as on quitting. The
    program and its commands work on ``folder`` from now on (``paths.choose_data_dir``). Done
    in this process, not by a restart: nothing to find again on the screen, and no second
    program that could open the store while this one still has it."""
    from desktop_app.logs import move_logging
    from desktop_app.paths import choose_data_dir, remember_data_dir

    new = _window_in_place_of(old, session)
    old.close_quick_reader()
    if old.has_session:
        old.session.close()
    move_logging(folder / "logs")  # it stayed in the old folder until the next start
    try:
        remember_data_dir(folder)
    except OSError as exc:
        log.warning("the data folder chosen could not be noted: %s", type(exc).__name__)
        next_start = choose_data_dir(None).folder
        if next_start != folder.absolute():  # (the file may name it already)
            tell_not_remembered(new, folder, next_start)
    return new


def tell_not_remembered(window: MainWindow, folder: Path, next_start: Path) -> QMessageBox:
    """The restored data is open, but the next start opens ``next_start`` (the choice could
    not be written): said at once, with the folder to name at the next start. The next start
    opened the other data silently, and the restored data looked lost."""
    from desktop_app.paths import data_dir_choice_file

    said = _(
        "The restored data is open, but Welcome Desk could not note that it is to start "
        "with it from now on: the file {file} cannot be written. The next start opens the "
        "data in {next_start} again."
    ).format(file=data_dir_choice_file(), next_start=next_start)
    # The option on a line of its own, never wrapped, to be copied: in the running text it
    # broke inside the folder's path.
    command = f'--data-dir "{folder.absolute()}"'
    then = _("To open the restored data then, start Welcome Desk with:")
    or_ask = _("Or ask whoever looks after this laptop to allow writing that file.")
    paragraphs = (
        f"<p>{escape(said)}</p>",
        f"<p>{escape(then)}</p>",
        f'<p style="white-space: pre"><code>{escape(command, quote=False)}</code></p>',
        f"<p>{escape(or_ask)}</p>",
    )
    box = QMessageBox(
        QMessageBox.Icon.Warning,
        _("Open the restored data"),
        "".join(paragraphs),
        QMessageBox.StandardButton.Ok,
        window,
    )
    box.setTextFormat(Qt.TextFormat.RichText)
    box.setTextInteractionFlags(
        Qt.TextInteractionFlag.TextSelectableByMouse
        | Qt.TextInteractionFlag.TextSelectableByKeyboard
    )
    box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
    box.open()
    return box


def _open_backup(window: MainWindow) -> BackupDialog:
    dialog = BackupDialog(window.session, window)
    dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
    path = dialog.file

    def saved() -> None:
        # The dialog closed without a word: whether, and where, the backup was written
        # was left to guess.
        written = Path(path.text().strip()).absolute()
        window.statusBar().showMessage(_("Backup written to {file}.").format(file=written), 15000)

    dialog.accepted.connect(saved)
    dialog.open()
    return dialog


def _open_restore(window: MainWindow) -> RestoreDialog:
    dialog = RestoreDialog(window)
    dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
    dialog.accepted.connect(lambda: tell_restored(window, dialog.restored_folder()))
    dialog.open()
    return dialog


def follow_laptop_role(window: MainWindow) -> MainWindow | None:
    """After a sync or a confirmation of the coordinator's laptop: a team key came with the
    role this laptop was approved for, and the user's role here changed with it. The window
    is built anew in this one's place, with the menus of that role (each feature chose what
    to offer when it was installed), and a lower role is said. None when nothing changed."""
    if not window.has_session or window.replaced_by is not None:
        return None
    try:
        changed = accounts.refresh_user(window.session)
    except StoreError:  # read again after the next sync
        return None
    if not changed:
        return None
    new = _window_in_place_of(window, window.session)  # the same store, left open
    user = new.session.user
    if user.lowered and user.ceiling is not None:
        box = QMessageBox(
            QMessageBox.Icon.Information,
            _("Welcome Desk"),
            lowered_role_message(user.ceiling.value),
            QMessageBox.StandardButton.Ok,
            new,
        )
        box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        box.setObjectName("lowered_role")
        box.open()
    return new


def install(window: MainWindow) -> None:
    session = window.session
    if session.user.lowered and session.user.ceiling is not None:
        # Each time: the account's own role says more than the laptop lets it do.
        window.statusBar().showMessage(lowered_role_message(session.user.ceiling.value), 15_000)
    texts: list[tuple[QAction, str]] = []
    change = QAction(window)
    change.triggered.connect(lambda: ChangePasswordDialog(window.session, window).open())
    window.file_menu.insertAction(window.quit_action, change)
    texts.append((change, N_("Change &password…")))
    if allowed(session.user, Action.BACKUP):
        make = QAction(window)
        make.triggered.connect(lambda: _open_backup(window))
        restore = QAction(window)
        restore.triggered.connect(lambda: _open_restore(window))
        window.file_menu.insertAction(window.quit_action, make)
        window.file_menu.insertAction(window.quit_action, restore)
        texts += [(make, N_("&Backup…")), (restore, N_("&Restore backup…"))]
    window.file_menu.insertSeparator(window.quit_action)
    if allowed(session.user, Action.MANAGE_USERS):
        users = QAction(window)
        users.triggered.connect(lambda: UsersDialog(window.session, window).open())
        admin_menu(window).addAction(users)
        texts.append((users, N_("&Users…")))

    def retranslate() -> None:
        for action, msgid in texts:
            action.setText(_(msgid))

    window.retranslated.connect(retranslate)
    retranslate()
