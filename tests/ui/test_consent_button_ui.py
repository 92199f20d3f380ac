"""The person's consent is recorded from the visit window by its own button, by anyone who fills
in forms. It opened only from a section closed for want of consent (the health section): a
helper, to whom that section is not shown, could record no consent at all (so a letter the
helper prepared went to no service: "Record the consent first"), and an advisor none after
the first (a further service named, a refusal)."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication, QComboBox, QLineEdit
from pytestqt.qtbot import QtBot

from desktop_app.domain.person import PersonDraft
from desktop_app.domain.users import Role
from desktop_app.i18n.text import set_language
from desktop_app.ui.visits import ConsentDialog, VisitWindow
from desktop_app.usecases import accounts, people, visits
from desktop_app.usecases import referrals as uc
from desktop_app.usecases.accounts import Session
from tests.conftest import record_sharing_consent
from tests.ui.conftest import alt_access_key, shown_window, type_text
from tests.ui.test_keyboard_ui import _assert_unique, _keyed_texts

HELPER_PASSWORD = "helper pass 123"


def _open_by_keyboard(qtbot: QtBot, win: VisitWindow) -> ConsentDialog:
    win.activateWindow()
    qtbot.waitUntil(win.isActiveWindow, timeout=5000)
    assert win.consent_button.isVisible() and win.consent_button.isEnabled()
    alt_access_key(win, win.consent_button.text())
    qtbot.waitUntil(lambda: win.consent_dialog is not None, timeout=5000)
    dialog = win.consent_dialog
    assert dialog is not None
    qtbot.waitExposed(dialog)
    dialog.activateWindow()
    qtbot.waitUntil(dialog.isActiveWindow, timeout=5000)
    return dialog


def _give_every_consent(qtbot: QtBot, dialog: ConsentDialog, service: str) -> None:
    choices = ("consent_advice", "consent_central_storage", "consent_referral_sharing")
    for field_id in (*choices, "consent_form"):
        combo = dialog.view.input(field_id)
        assert isinstance(combo, QComboBox)
        combo.setFocus()
        QTest.keyClick(combo, Qt.Key.Key_Down)  # the first option: given; signed
        assert combo.currentData() in ("given", "signed")
    names = dialog.view.input("shared_with_service")
    assert isinstance(names, QLineEdit)
    type_text(names, service)
    popup = names.completer().popup() if names.completer() is not None else None
    if popup is not None:
        popup.hide()
    alt_access_key(dialog, dialog.save.text())
    qtbot.waitUntil(lambda: not dialog.isVisible(), timeout=10_000)


@pytest.mark.parametrize("lang", ["bg", "de", "ro", "en"])
def test_a_helper_records_the_consent_first_by_keyboard(
    qtbot: QtBot, session: Session, lang: str
) -> None:
    """The walk-through's helper at an outreach point, UI in Bulgarian: consent first."""
    person = people.register_person(
        session.store, session.user, PersonDraft("Петя", "Иванова", "1988", languages=("bg",))
    )
    accounts.add_user(session, "ivo", "Ivo Helper", Role.HELPER, HELPER_PASSWORD)
    helper = accounts.log_in(session.store.paths.data_dir, "ivo", HELPER_PASSWORD)
    set_language(lang)
    try:
        window = shown_window(qtbot, helper)
        win = VisitWindow(helper, person, "life_situation", client_lang="bg", parent=window)
        qtbot.addWidget(win)
        win.show()
        qtbot.waitExposed(win)
        _assert_unique(_keyed_texts(win), (lang, "visit window"))
        dialog = _open_by_keyboard(qtbot, win)
        _give_every_consent(qtbot, dialog, "Schulverwaltungsamt")
        granted = visits.granted_purposes(helper.store, helper.user, person.id)
        assert granted == {"advice", "central_storage", "referral_sharing"}
        # The letter the helper prepares goes to the service now (once signed off).
        referral = uc.issue_referral(
            helper.store, helper.user, person.id, "schulverwaltungsamt", "school_place"
        )
        assert uc.make_letter(helper.store, helper.user, referral.id).to_service
        win.close()
        window.close()
    finally:
        helper.close()


def test_an_advisor_records_a_further_consent_once_the_health_section_is_open(
    qtbot: QtBot, session: Session
) -> None:
    """After the first consent no section is closed, and no button opened the form again:
    the Jugendamt, named a week later, could not be added."""
    person = people.register_person(
        session.store, session.user, PersonDraft("Петя", "Иванова", "1988", languages=("bg",))
    )
    record_sharing_consent(session, person.id, named="Clearingstelle")
    set_language("de")
    window = shown_window(qtbot, session)
    win = VisitWindow(session, person, "life_situation", client_lang="bg", parent=window)
    qtbot.addWidget(win)
    win.show()
    qtbot.waitExposed(win)
    assert not any(page.consent_button.isVisibleTo(win) for page in win.view.pages)
    _assert_unique(_keyed_texts(win), "visit window, consent given")
    dialog = _open_by_keyboard(qtbot, win)
    _give_every_consent(qtbot, dialog, "Jugendamt")
    jugendamt = uc.issue_referral(
        session.store, session.user, person.id, "jugendamt", "family_support"
    )
    assert uc.make_letter(session.store, session.user, jugendamt.id).to_service
    QApplication.processEvents()
    win.close()
    window.close()
