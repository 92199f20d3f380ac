"""Start-up dialogs: create the first account of a new store, or log in to an existing one."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QVBoxLayout,
    QWidget,
)

from desktop_app.domain.validation import ValidationFailed
from desktop_app.i18n.messages import error_message, field_message
from desktop_app.i18n.text import _
from desktop_app.storage.db import StoreError
from desktop_app.storage.keyslots import KeySlotError
from desktop_app.ui.widgets import ErrorLabel
from desktop_app.usecases.accounts import Session, create_first_account, log_in


def _password_field() -> QLineEdit:
    field = QLineEdit()
    field.setEchoMode(QLineEdit.EchoMode.Password)
    return field


class LoginDialog(QDialog):
    """Asks for account and password; ``session`` holds the unlocked store once accepted."""

    def __init__(self, data_dir: Path, accounts: list[str], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._data_dir = data_dir
        self.session: Session | None = None
        self.account = QLineEdit(accounts[0] if len(accounts) == 1 else "")
        self.password = _password_field()
        self.error = ErrorLabel()
        self.intro = QLabel()
        self.intro.setWordWrap(True)
        form = QFormLayout()
        self.account_label, self.password_label = QLabel(), QLabel()
        self.account_label.setBuddy(self.account)
        self.password_label.setBuddy(self.password)
        form.addRow(self.account_label, self.account)
        form.addRow(self.password_label, self.password)
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        self.buttons.accepted.connect(self._on_ok_clicked)
        self.buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(self.intro)
        layout.addLayout(form)
        layout.addWidget(self.error)
        layout.addWidget(self.buttons)
        self.setWindowTitle(_("Welcome Desk — log in"))
        self.intro.setText(_("Your data on this laptop is encrypted. Log in to open it."))
        self.account_label.setText(_("&Account"))
        self.password_label.setText(_("&Password"))
        self.account.setAccessibleName(_("Account"))
        self.password.setAccessibleName(_("Password"))
        (self.password if self.account.text() else self.account).setFocus()

    def _on_ok_clicked(self) -> None:
        try:
            self.session = log_in(self._data_dir, self.account.text(), self.password.text())
        except (KeySlotError, StoreError) as exc:
            self.error.show_message(error_message(exc.code))
            self.password.clear()
            self.password.setFocus()
            return
        self.accept()


class FirstAccountDialog(QDialog):
    """Sets up a new encrypted store with its first (coordinator) account."""

    def __init__(self, data_dir: Path, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._data_dir = data_dir
        self.session: Session | None = None
        self.account = QLineEdit()
        self.display_name = QLineEdit()
        self.password = _password_field()
        self.repeat = _password_field()
        self.errors = {
            k: ErrorLabel() for k in ("account", "display_name", "password", "password_repeat")
        }
        self.intro = QLabel()
        self.intro.setWordWrap(True)
        self.store_error = ErrorLabel()
        form = QFormLayout()
        rows = (
            ("account", self.account, _("&Account name")),
            ("display_name", self.display_name, _("&Full name")),
            ("password", self.password, _("&Password")),
            ("password_repeat", self.repeat, _("&Repeat password")),
        )
        for key, widget, text in rows:
            label = QLabel(text)
            label.setBuddy(widget)
            widget.setAccessibleName(text.replace("&", ""))
            box = QVBoxLayout()
            box.addWidget(widget)
            box.addWidget(self.errors[key])
            form.addRow(label, box)
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        self.buttons.accepted.connect(self._on_ok_clicked)
        self.buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(self.intro)
        layout.addLayout(form)
        layout.addWidget(self.store_error)
        layout.addWidget(self.buttons)
        self.setWindowTitle(_("Welcome Desk — first account"))
        self.intro.setText(
            _(
                "Welcome! Create the first account of this laptop. Its password protects all "
                "data stored here: without it the data cannot be read."
            )
        )
        self.account.setFocus()

    def _on_ok_clicked(self) -> None:
        for label in self.errors.values():
            label.show_message("")
        try:
            self.session = create_first_account(
                self._data_dir,
                self.account.text(),
                self.display_name.text(),
                self.password.text(),
                repeat=self.repeat.text(),
            )
        except ValidationFailed as exc:
            for error in exc.errors:
                self.errors[error.field].show_message(field_message(error))
            return
        except (KeySlotError, StoreError) as exc:
            self.store_error.show_message(error_message(exc.code))
            return
        self.accept()
