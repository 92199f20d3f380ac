"""A new helper's first day, the account name: the wizard (or the coordinator who adds her)
tells her she types it at each login, and the login window asks for it by the same words and
refuses a wrong name exactly as a wrong password. Real stores, real widgets, in Bulgarian."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtWidgets import QApplication, QDialogButtonBox
from pytestqt.qtbot import QtBot

from desktop_app.i18n.text import _, set_language
from desktop_app.ui.accounts import TELL_THE_ACCOUNT_NAME, AddUserDialog
from desktop_app.ui.application import QtTranslations
from desktop_app.ui.first_run import ACCOUNT_NAME_AT_LOGIN
from desktop_app.ui.login import LoginDialog
from desktop_app.usecases.accounts import create_first_account
from tests.conftest import PASSWORD
from tests.ui.conftest import shown_window, type_text
from tests.ui.test_onboarding_ui import wizard_at_join_page


@pytest.fixture
def bulgarian(qapp: QApplication) -> Iterator[None]:
    """The UI in Bulgarian, Qt's own buttons too, as the program installs them."""
    installed = QtTranslations(qapp)
    set_language("bg")
    yield
    installed.stop()
    set_language("en")


def _refusal(dialog: LoginDialog, account: str, password: str) -> str:
    dialog.account.clear()
    type_text(dialog.account, account)
    type_text(dialog.password, password)
    dialog.buttons.button(QDialogButtonBox.StandardButton.Ok).click()
    assert dialog.session is None and dialog.password.text() == ""
    return dialog.error.text()


def test_the_login_window_asks_for_the_account_name_and_refuses_a_wrong_one_as_a_wrong_password(
    qtbot: QtBot, tmp_path: Path, bulgarian: None
) -> None:
    """It asked for a "Профил" (account) while the wizard and the Users dialog had her choose
    a "Потребителско име" (account name): with the field now empty, a new helper did not know
    whether her full name was meant."""
    create_first_account(tmp_path / "B", "maria", "Мария Иванова", PASSWORD).close()
    dialog = LoginDialog(tmp_path / "B")
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitExposed(dialog)
    assert dialog.account.text() == "" and dialog.focusWidget() is dialog.account
    asked = _("&Account name")
    assert asked == "Потребителско &име"
    assert dialog.account_label.text() == asked
    assert dialog.account.accessibleName() == "Потребителско име"
    assert [b.text() for b in dialog.buttons.buttons()] == ["Добре", "Отказ"]  # Qt's, in bg

    wrong_name = _refusal(dialog, "mariya", PASSWORD)
    dialog.grab().save(str(tmp_path / "login-wrong-name-bg.png"))
    wrong_password = _refusal(dialog, "maria", "not her password")
    # The same words for both: the window does not tell a stranger which names exist.
    assert wrong_name == wrong_password == "Потребителското име или паролата не са верни."


def test_the_wizard_says_the_account_name_is_typed_at_each_login(
    qtbot: QtBot, tmp_path: Path, bulgarian: None
) -> None:
    wizard = wizard_at_join_page(qtbot, tmp_path, "B", "bg")
    wizard.next()
    assert wizard.currentPage() is wizard.account_page
    said = _(ACCOUNT_NAME_AT_LOGIN)
    assert said.startswith("Това потребителско име и паролата си ще въвеждате")
    hint = wizard.account_page.hint
    assert hint.text().startswith(said) and hint.isVisible()
    assert hint.height() >= hint.heightForWidth(hint.width())  # nothing cut off
    wizard.grab().save(str(tmp_path / "wizard-account-bg.png"))


def test_adding_a_user_says_to_tell_them_the_account_name(
    qtbot: QtBot, tmp_path: Path, bulgarian: None
) -> None:
    session = create_first_account(tmp_path / "A", "ioana", "Ioana Popescu", PASSWORD)
    try:
        dialog = AddUserDialog(session)
        qtbot.addWidget(dialog)
        dialog.show()
        qtbot.waitExposed(dialog)
        said = _(TELL_THE_ACCOUNT_NAME)
        assert said.startswith("Съобщете на новия колега потребителското име")
        assert dialog.intro.isVisible() and dialog.intro.text() == said
        dialog.grab().save(str(tmp_path / "add-user-bg.png"))
        dialog.reject()
    finally:
        session.close()


def test_the_guide_says_the_account_name_is_typed_at_each_login(
    qtbot: QtBot, tmp_path: Path, bulgarian: None
) -> None:
    """The guide (F1) said each user has "their own login": nothing told a helper facing the
    empty account field that it wants the account name, which the window does not show."""
    from desktop_app.ui.help import GuideDialog

    session = create_first_account(tmp_path / "A", "maria", "Мария Иванова", PASSWORD)
    try:
        window = shown_window(qtbot, session)
        window.guide_action.trigger()
        dialog = window.guide_dialog  # type: ignore[attr-defined]
        assert isinstance(dialog, GuideDialog)
        qtbot.waitExposed(dialog)
        text = " ".join(dialog.browser.toPlainText().split())
        assert (
            "всеки има свое потребителско име и парола и ги въвежда при всяко влизане "
            "(прозорецът за вход не показва имена)"
        ) in text
        dialog.close()
        window.close()
    finally:
        session.close()


def test_a_helpers_draft_referral_is_not_called_issued_in_the_persons_summary(
    qtbot: QtBot, tmp_path: Path, bulgarian: None
) -> None:
    """The Referrals tab said "Издадено – очаква одобрение" of a helper's referral, the summary
    above the visits "Издадено" (issued): she took the letter as ready to hand over."""
    from desktop_app.domain.person import PersonDraft
    from desktop_app.domain.users import Role
    from desktop_app.ui.person_summary import PersonSummaryView
    from desktop_app.usecases import accounts, people
    from desktop_app.usecases import referrals as referrals_uc

    coordinator = create_first_account(tmp_path / "A", "ioana", "Ioana Popescu", PASSWORD)
    accounts.add_user(coordinator, "maria", "Мария Иванова", Role.HELPER, PASSWORD, PASSWORD)
    coordinator.close()
    helper = accounts.log_in(tmp_path / "A", "maria", PASSWORD)
    try:
        person = people.register_person(
            helper.store, helper.user, PersonDraft("Петър", "Петров", "1985-03-14")
        )
        referrals_uc.issue_referral(
            helper.store, helper.user, person.id, service_id="vhs", reason="integration_course"
        )
        window = shown_window(qtbot, helper, 1280)
        window.show_person(person.id)
        view: PersonSummaryView = window.visits.tab.summary  # type: ignore[attr-defined]
        qtbot.waitUntil(lambda: "VHS" in view.values["referrals"].text(), timeout=30_000)
        said = view.values["referrals"].text()
        window.grab().save(str(tmp_path / "summary-draft-bg.png"))
        assert ": Издадено – очаква одобрение, проследяване на " in said, said
        window.close()
    finally:
        helper.close()
