"""Log-in dialog: the wait after failures is shown; the recovery code sets a new password."""

from __future__ import annotations

from pathlib import Path

import pytest
from pytestqt.qtbot import QtBot

from desktop_app.i18n.text import set_language
from desktop_app.storage.login_guard import LoginGuard
from desktop_app.ui.login import LoginDialog, RecoveryLoginDialog
from desktop_app.usecases import accounts
from tests.conftest import PASSWORD
from tests.ui.conftest import type_text


def test_login_dialog_shows_the_wait_and_then_lets_in(qtbot: QtBot, data_dir: Path) -> None:
    accounts.create_first_account(data_dir, "anna", "Anna", PASSWORD).close()
    dialog = LoginDialog(data_dir)
    qtbot.addWidget(dialog)
    assert dialog.account.text() == ""  # no one's name is shown to whoever opens the laptop
    type_text(dialog.account, "anna")
    for _ in range(3):
        type_text(dialog.password, "wrong password")
        dialog._on_ok_clicked()
    assert "wait" in dialog.error.text() and dialog.session is None
    LoginGuard(data_dir).succeeded()
    type_text(dialog.password, PASSWORD)
    dialog._on_ok_clicked()
    assert dialog.session is not None
    dialog.session.close()


def recovery_code_of_a_first_account(data_dir: Path) -> str:
    """The first account, "anna", made in ``data_dir``: the recovery code printed for it."""
    first = accounts.create_first_account(data_dir, "anna", "Anna", PASSWORD)
    code = first.recovery_code
    first.close()
    assert code
    return code


def test_recovery_dialog_sets_a_new_password(qtbot: QtBot, data_dir: Path) -> None:
    code = recovery_code_of_a_first_account(data_dir)
    dialog = RecoveryLoginDialog(data_dir, "anna")
    qtbot.addWidget(dialog)
    type_text(dialog.code, code.lower())
    type_text(dialog.password, "brand new pass")
    type_text(dialog.repeat, "brand new pass")
    dialog._on_ok_clicked()
    assert dialog.session is not None, dialog.error.text()
    dialog.session.close()
    accounts.log_in(data_dir, "anna", "brand new pass").close()


def test_a_wrong_password_message_leaves_the_fields_their_full_height(
    qtbot: QtBot, data_dir: Path
) -> None:
    """The dialog grows for the message instead of squeezing the fields to half height."""
    accounts.create_first_account(data_dir, "anna", "Anna", PASSWORD).close()
    dialog = LoginDialog(data_dir, quick=False)
    qtbot.addWidget(dialog)
    type_text(dialog.account, "anna")
    dialog.show()
    qtbot.waitExposed(dialog)
    full = dialog.password.height()
    assert full >= dialog.password.sizeHint().height()
    type_text(dialog.password, "wrong password")
    dialog._on_ok_clicked()
    assert dialog.error.isVisible()
    qtbot.wait(50)  # the layout settles
    assert dialog.password.height() == full
    assert dialog.account.height() == full
    assert dialog.error.geometry().bottom() <= dialog.forgot.geometry().top()


@pytest.mark.parametrize(
    ("lang", "forgot"),
    [
        ("ro", "Parolă uitată? Folosește codul de &recuperare…"),
        ("bg", "&Забравена парола? Вход с кода за възстановяване…"),
    ],
)
def test_the_forgotten_password_button_is_worded_as_the_languages_other_buttons(
    qtbot: QtBot, data_dir: Path, lang: str, forgot: str
) -> None:
    """A button says what it does as every other button of the language does: the Romanian
    imperative singular ("Folosește", as "Deblochează" on the lock screen), the Bulgarian verbal
    noun ("Вход", as "Отключване"); both said "Use" in the plural of polite running text."""
    accounts.create_first_account(data_dir, "anna", "Anna", PASSWORD).close()
    set_language(lang)
    dialog = LoginDialog(data_dir)
    qtbot.addWidget(dialog)
    assert dialog.forgot.text() == forgot
