"""Start-up dialogs: log in to an existing store, or with the recovery code (a new store's
first account is made by the first start, ``first_run.AccountPage``)."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from desktop_app.domain.permissions import PermissionDenied
from desktop_app.domain.validation import ValidationFailed
from desktop_app.i18n.messages import error_message, field_message
from desktop_app.i18n.text import N_, _, ngettext
from desktop_app.storage.keyslots import KeySlotError, LoginDelayed
from desktop_app.storage.layout import StoreError
from desktop_app.ui.error_label import CapsLockNote, ErrorLabel

# The account use cases pull in SQLAlchemy: imported when a button is pressed, so the login
# prompt shows at once (start-up loads them on a worker meanwhile, see app.py).
if TYPE_CHECKING:
    from desktop_app.storage.quick import QuickStart
    from desktop_app.usecases.accounts import Session


OTHERS_ASK_A_COORDINATOR = N_(
    "Advisors and integration helpers who forgot their password: ask a coordinator to set a "
    "new one (Administration → Users…). Nothing of your work is lost."
)


def _password_field() -> QLineEdit:
    field = QLineEdit()
    field.setEchoMode(QLineEdit.EchoMode.Password)
    return field


class LoginDialog(QDialog):
    """Asks for account and password; ``session`` holds the unlocked store once accepted.

    With ``quick`` (the program's start), accepting may instead give ``quick_start``: the key
    and a reader of the people list, the store itself opening after the window shows
    (``storage/quick.py``).

    The account field starts empty, also on a laptop with one account: the key slots do not
    name their accounts (whoever opens a shared or lost laptop is shown no one's name), and
    the field is where each user says who they are. ``account`` fills it with a name the
    person in front of the screen gave or is logged in as (``--account``, a restore)."""

    def __init__(
        self,
        data_dir: Path,
        parent: QWidget | None = None,
        *,
        quick: bool = False,
        account: str = "",
    ) -> None:
        super().__init__(parent)
        self._data_dir = data_dir
        self._quick = quick
        self.session: Session | None = None
        self.quick_start: QuickStart | None = None
        self.account = QLineEdit(account)
        self.password = _password_field()
        self.caps_lock = CapsLockNote(self.password)
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
        self.forgot = QPushButton(_("&Forgot password? Use the recovery code…"))
        self.forgot.setFlat(True)
        self.forgot.clicked.connect(self._on_forgot_clicked)
        layout = QVBoxLayout(self)
        layout.addWidget(self.intro)
        layout.addLayout(form)
        layout.addWidget(self.caps_lock)
        layout.addWidget(self.error)
        layout.addWidget(self.forgot)
        layout.addWidget(self.buttons)
        self.setWindowTitle(_("Welcome Desk — log in"))
        self.intro.setText(_("Your data on this laptop is encrypted. Log in to open it."))
        # "Account name", as the wizard and the Users dialog that made it call it, and as the
        # refusal of a wrong one says: "Account" alone left a new helper unsure whether her
        # full name was asked for.
        self.account_label.setText(_("&Account name"))
        self.password_label.setText(_("&Password"))
        self.account.setAccessibleName(self.account_label.text().replace("&", ""))
        self.password.setAccessibleName(_("Password"))
        (self.password if self.account.text() else self.account).setFocus()

    def _log_in(self) -> None:
        account, password = self.account.text(), self.password.text()
        if self._quick:
            from desktop_app.storage.keyslots import usable_cores
            from desktop_app.storage.quick import QuickUnavailable, quick_open

            try:
                # Nothing else runs now: the key derivation may use every core.
                self.quick_start = quick_open(
                    self._data_dir, account, password, kdf_threads=usable_cores()
                )
                return
            except QuickUnavailable as exc:
                from desktop_app.usecases.accounts import open_unlocked

                self.session = open_unlocked(self._data_dir, account, exc.key)
                return
        from desktop_app.usecases.accounts import log_in

        self.session = log_in(self._data_dir, account, password)

    def _on_ok_clicked(self) -> None:
        try:
            self._log_in()
        except LoginDelayed as exc:
            self.error.show_message(delay_message(exc.seconds))
            self.password.clear()
            return
        except (KeySlotError, StoreError) as exc:
            self.error.show_message(error_message(exc.code))
            self.password.clear()
            self.password.setFocus()
            return
        self.accept()

    def _on_forgot_clicked(self) -> None:
        dialog = RecoveryLoginDialog(self._data_dir, self.account.text(), self)
        if dialog.exec() == QDialog.DialogCode.Accepted and dialog.session is not None:
            self.session = dialog.session
            self.accept()


def delay_message(seconds: float) -> str:
    whole = int(seconds + 0.999)
    return ngettext(
        "Too many failed attempts. Please wait {seconds} second.",
        "Too many failed attempts. Please wait {seconds} seconds.",
        whole,
    ).format(seconds=whole)


class RecoveryLoginDialog(QDialog):
    """A coordinator opens the store with the recovery code and sets a new password.

    The code, typed off the sheet printed at set-up (some forty characters), is asked about
    before Escape or Cancel throws it away (``KeepsInput``); the passwords are not (typed
    anew, as the login dialog's, which asks about nothing)."""

    def __init__(self, data_dir: Path, account: str, parent: QWidget | None = None) -> None:
        # Here, not above: the login prompt shows before the widgets' module is needed.
        from desktop_app.ui.widgets import KeepsInput

        super().__init__(parent)
        self._data_dir = data_dir
        self.session: Session | None = None
        self.code = QLineEdit()
        self.account = QLineEdit(account)
        self.password = _password_field()
        self.repeat = _password_field()
        # The new password typed twice in capitals was taken as it was typed: the next login
        # with Caps Lock off failed. Not the code's field: it is typed in capitals anyway.
        self.caps_lock = CapsLockNote(self.password, self.repeat)
        self.error = ErrorLabel()
        intro = QLabel(
            _(
                "Type the recovery code that was printed when this laptop was set up, and the "
                "coordinator account that gets a new password."
            )
        )
        intro.setWordWrap(True)
        # An advisor or helper who forgot the password clicked "Forgot password?" too, and
        # found only a code she never had; her way is a coordinator.
        self.others = QLabel(_(OTHERS_ASK_A_COORDINATOR))
        self.others.setWordWrap(True)
        form = QFormLayout()
        for widget, text in (
            (self.code, _("Recovery &code")),
            (self.account, _("Coordinator &account")),
            (self.password, _("&New password")),
            (self.repeat, _("&Repeat password")),
        ):
            label = QLabel(text)
            label.setBuddy(widget)
            widget.setAccessibleName(text.replace("&", ""))
            form.addRow(label, widget)
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        buttons.accepted.connect(self._on_ok_clicked)
        self.keeps_input = KeepsInput(self, self.code.text)
        buttons.rejected.connect(self.keeps_input.cancel)
        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addWidget(self.others)
        layout.addLayout(form)
        layout.addWidget(self.caps_lock)
        layout.addWidget(self.error)
        layout.addWidget(buttons)
        self.setWindowTitle(_("Recovery code"))
        # Room for any code whole, eight groups of five of the widest letter: the dialog was
        # as narrow as its fields' least, the code's beginning scrolled out of view while it
        # was checked against the sheet.
        widest = "-".join(["W" * 5] * 8)
        self.code.setMinimumWidth(self.code.fontMetrics().horizontalAdvance(widest) + 16)
        self.code.setFocus()

    def _on_ok_clicked(self) -> None:
        from desktop_app.usecases.accounts import log_in_with_recovery

        try:
            self.session = log_in_with_recovery(
                self._data_dir,
                self.code.text(),
                self.account.text(),
                self.password.text(),
                self.repeat.text(),
            )
        except ValidationFailed as exc:
            self.error.show_message(" ".join(field_message(e) for e in exc.errors))
            return
        except LoginDelayed as exc:
            self.error.show_message(delay_message(exc.seconds))
            return
        except PermissionDenied:
            # The code was right, the account not a coordinator's: "Your role does not allow
            # this" left an advisor guessing what to do.
            self.error.show_message(
                _("{account} is not a coordinator's account.").format(
                    account=self.account.text().strip()
                )
                + " "
                + _("Ask a coordinator to set a new password for it.")
            )
            return
        except KeySlotError as exc:
            # A code typed wrong was said as "The account name or password is not correct",
            # of a dialog that asks for neither an old password nor whose account it is.
            wrong = exc.code in ("wrong_password", "unknown_account")
            self.error.show_message(
                _(
                    "The recovery code is not correct. Type it as printed on the sheet from "
                    "this laptop's set-up."
                )
                if wrong
                else error_message(exc.code)
            )
            return
        except StoreError as exc:
            self.error.show_message(error_message(exc.code))
            return
        self.accept()
