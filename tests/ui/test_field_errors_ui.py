"""A field's message sits right under the field: its top at the field's bottom plus the
spacing between them, one line high for one line of text. In the letter dialog each message
was a form row of its own: the form's row spacing (6 px) and the height of the message's size
hint (two lines, a wrapped label's hint is worked out narrow) with the line centred in it put
a one-line message 13 px under its field."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QPoint, QSettings, Qt
from PySide6.QtGui import QImage
from PySide6.QtWidgets import QWidget
from pytestqt.qtbot import QtBot

from desktop_app.i18n.text import set_language
from desktop_app.ui.error_label import FIELD_ERROR_SPACING, ErrorLabel
from desktop_app.ui.first_run import FirstRunWizard
from desktop_app.ui.person_dialog import RegisterPersonDialog
from desktop_app.usecases.accounts import Session
from tests.ui.test_referrals_ui import _open_dialog, _person, _window


def _top(widget: QWidget, window: QWidget) -> int:
    return widget.mapTo(window, QPoint(0, 0)).y()


def _ink_top(label: ErrorLabel) -> int:
    """The first row of the label's rendering with the message's colour in it."""
    image = label.grab().toImage().convertToFormat(QImage.Format.Format_RGB32)
    for y in range(image.height()):
        if any(image.pixelColor(x, y).red() > 150 > image.pixelColor(x, y).green() for x in
               range(image.width())):  # fmt: skip
            return y
    raise AssertionError("no message drawn")


def _assert_under(field: QWidget, error: ErrorLabel, window: QWidget) -> None:
    assert error.isVisible() and error.text()
    bottom = _top(field, window) + field.height()
    assert _top(error, window) == bottom + FIELD_ERROR_SPACING
    assert error.height() == error.heightForWidth(error.width()) == error.fontMetrics().height()
    assert error.alignment() & Qt.AlignmentFlag.AlignTop
    # the line itself at the top of the label, not centred in room below the field
    assert _ink_top(error) < error.fontMetrics().height() // 3


def test_the_letter_dialogs_messages_sit_right_under_their_fields(
    qtbot: QtBot, session: Session
) -> None:
    set_language("de")
    try:
        window, feature = _window(qtbot, session, _person(session))
        window.resize(1366, 768)
        dialog = _open_dialog(feature)
        qtbot.waitExposed(dialog)
        with qtbot.waitSignal(dialog.save.answered, timeout=10_000):
            dialog.create_button.click()  # nothing chosen: service and reason are missing
        errors = dialog.errors
        qtbot.waitUntil(lambda: errors["reason"].isVisible())
        assert [name for name, e in errors.items() if e.isVisible()] == ["service", "reason"]
        _assert_under(dialog.services, errors["service"], dialog)
        _assert_under(dialog.reason, errors["reason"], dialog)
    finally:
        set_language("en")


def test_the_register_dialogs_message_sits_right_under_its_field(
    qtbot: QtBot, session: Session
) -> None:
    dialog = RegisterPersonDialog(session.store, session.user)
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitExposed(dialog)
    dialog.errors["family_name"].show_message("Please enter the family name.")
    _assert_under(dialog.family, dialog.errors["family_name"], dialog)


def test_the_first_accounts_message_sits_as_close_under_its_field(
    qtbot: QtBot, tmp_path: Path
) -> None:
    """The first-account, first-run and account dialogs put field and message in a box of
    the form's spacing (6 px): now all as the register dialog and the forms (2 px). The first
    account is made on the first start's page (a dialog of its own was used by tests only)."""
    settings = QSettings(str(tmp_path / "settings.ini"), QSettings.Format.IniFormat)
    wizard = FirstRunWizard(tmp_path / "empty", settings)
    qtbot.addWidget(wizard)
    page = wizard.account_page
    wizard.setStartId(wizard.pageIds()[wizard.pages().index(page)])
    wizard.show()
    qtbot.waitExposed(wizard)
    assert wizard.currentPage() is page
    page.errors["account"].show_message("Required.")  # one line
    _assert_under(page.account, page.errors["account"], wizard)
    wizard.reject()
