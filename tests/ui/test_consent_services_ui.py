"""The consent form's "name of the service" completes the directory's names by keyboard and
says which services a letter can go to, warning about a name the directory does not know."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication, QComboBox, QLineEdit, QWidget
from pytestqt.qtbot import QtBot

from desktop_app.domain.person import Person, PersonDraft
from desktop_app.i18n.text import set_language
from desktop_app.ui.form_view import ServiceNamesEditor
from desktop_app.ui.visits import ConsentDialog, VisitWindow
from desktop_app.usecases import people
from desktop_app.usecases import referrals as uc
from desktop_app.usecases.accounts import Session
from tests.ui.conftest import completer_popup, shown_window

FIELD = "shared_with_service"


def _opened_consent(
    qtbot: QtBot, session: Session, draft: PersonDraft, client_lang: str
) -> tuple[ConsentDialog, Person]:
    """The consent dialog opened from a life-situation check of a person registered from
    ``draft``, shown in ``client_lang`` beside the UI language."""
    person = people.register_person(session.store, session.user, draft)
    window = shown_window(qtbot, session)
    window.show_person(person.id)
    win = VisitWindow(session, person, "life_situation", client_lang=client_lang, parent=window)
    qtbot.addWidget(win)
    win.show()
    dialog = win.open_consent()
    qtbot.waitExposed(dialog)
    return dialog, person


def _consent_dialog(qtbot: QtBot, session: Session) -> tuple[ConsentDialog, Person]:
    """The consent dialog opened from a life-situation check, sharing consent given."""
    draft = PersonDraft("Мария", "Петрова", "1991-04-02", languages=("bg",))
    dialog, person = _opened_consent(qtbot, session, draft, "bg")
    dialog.activateWindow()
    qtbot.waitUntil(dialog.isActiveWindow, timeout=30_000)
    for field_id in ("consent_advice", "consent_central_storage", "consent_referral_sharing"):
        combo = dialog.view.input(field_id)
        assert isinstance(combo, QComboBox)
        combo.setFocus()
        QTest.keyClick(combo, Qt.Key.Key_Down)  # the first option: given
        assert combo.currentData() == "given"
    return dialog, person


def _names_editor(dialog: ConsentDialog) -> ServiceNamesEditor:
    editor = dialog.view.editors[FIELD]
    assert isinstance(editor, ServiceNamesEditor) and editor.isVisible()
    return editor


def _keyboard() -> QWidget:
    """Where a key goes: the open completion list, else the widget with the focus."""
    target = QApplication.activePopupWidget() or QApplication.focusWidget()
    assert target is not None
    return target


def _type(text: str) -> None:
    for ch in text:
        key, none = Qt.Key.Key_unknown, Qt.KeyboardModifier.NoModifier
        QTest.sendKeyEvent(QTest.KeyAction.Click, _keyboard(), key, ch, none)


def _press(key: Qt.Key) -> None:
    QTest.keyClick(_keyboard(), key)


def _offered(editor: ServiceNamesEditor) -> list[str]:
    completer = editor.completer
    model = completer.completionModel()
    return [str(model.index(row, 0).data()) for row in range(model.rowCount())]


def test_names_complete_after_each_comma_and_enter_accepts_without_recording(
    qtbot: QtBot, session: Session
) -> None:
    dialog, _person = _consent_dialog(qtbot, session)
    editor = _names_editor(dialog)
    edit = editor.edit
    edit.setFocus()
    _type("jobc")  # any case
    popup = completer_popup(editor.completer)
    qtbot.waitUntil(popup.isVisible)
    assert _offered(editor)[0] == "Jobcenter Dortmund"
    assert not editor.unnamed.isVisible()  # still being typed, with names offered for it
    _press(Qt.Key.Key_Down)
    _press(Qt.Key.Key_Return)
    assert edit.text() == "Jobcenter Dortmund"
    assert not popup.isVisible()
    assert dialog.isVisible() and not dialog.recording.saving  # Enter took the name only
    assert editor.named.text() == "A letter can go to: Jobcenter Dortmund"

    _type(", famil")
    qtbot.waitUntil(popup.isVisible)
    assert _offered(editor)[0] == "Familienkasse Nordrhein-Westfalen Ost"
    _press(Qt.Key.Key_Down)
    _press(Qt.Key.Key_Down)  # the short name, after the full one
    _press(Qt.Key.Key_Tab)
    assert edit.text() == "Jobcenter Dortmund, Familienkasse"
    assert editor.named.text() == (
        "A letter can go to: Jobcenter Dortmund, Familienkasse Nordrhein-Westfalen Ost"
    )
    assert not editor.unnamed.isVisible()
    assert dialog.view.answers()[FIELD] == "Jobcenter Dortmund, Familienkasse"


def test_a_name_the_directory_does_not_know_is_warned_about_and_saved_as_typed(
    qtbot: QtBot, session: Session
) -> None:
    dialog, person = _consent_dialog(qtbot, session)
    editor = _names_editor(dialog)
    editor.edit.setFocus()
    _type("Arbeitsamt")  # nothing to offer for it: judged at once
    assert not completer_popup(editor.completer).isVisible()
    assert editor.unnamed.isVisible()
    assert editor.unnamed.text() == (
        "“Arbeitsamt” names no service of the directory: a letter cannot go to it."
    )
    assert editor.unnamed.palette().color(editor.unnamed.foregroundRole()).name() == "#8a5300"
    assert not editor.named.isVisible()
    _type(", faire mobilitat")  # without the umlaut, and a known name: no warning for it
    qtbot.waitUntil(completer_popup(editor.completer).isVisible)
    assert _offered(editor) == ["Faire Mobilität – Beratungsstelle Dortmund", "Faire Mobilität"]
    _press(Qt.Key.Key_Escape)
    assert editor.unnamed.text().count("names no service") == 1
    assert editor.named.text() == "A letter can go to: Faire Mobilität – Beratungsstelle Dortmund"

    # not blocking: the consent is recorded, the text as typed
    combo = dialog.view.input("consent_form")
    assert isinstance(combo, QComboBox)
    combo.setFocus()
    QTest.keyClick(combo, Qt.Key.Key_Down)  # signed
    with qtbot.waitSignal(dialog.recording.answered, timeout=10_000):
        dialog.save.click()
    assert not dialog.isVisible()
    [decision] = uc.sharing_decisions(session.store, session.user, person.id)
    assert decision.granted and decision.shared_with == "Arbeitsamt, faire mobilitat"


def test_the_names_in_the_users_language(qtbot: QtBot, session: Session) -> None:
    set_language("bg")
    dialog, _person = _consent_dialog(qtbot, session)
    editor = _names_editor(dialog)
    edit = editor.edit
    assert isinstance(edit, QLineEdit)
    edit.setFocus()
    _type("Джобцентър, VHS")
    assert editor.unnamed.text() == (
        "„Джобцентър“ не е име на служба от указателя: до нея не може да се изпрати писмо."
    )
    assert editor.named.text() == "Писмо може да се изпрати до: Volkshochschule Dortmund"


def test_the_romanian_consent_text_names_the_referral_letter_as_the_program_does(
    qtbot: QtBot, session: Session
) -> None:
    """It said "scrisoare de recomandare" (a letter of recommendation); the text of 2026-12-2
    says "scrisoare de trimitere", as the program names a referral letter."""
    set_language("ro")
    try:
        draft = PersonDraft("Ioana", "Mureșan", "1990-05-02", languages=("ro",))
        dialog, _person = _opened_consent(qtbot, session, draft, "ro")
        shown = " ".join(dialog.texts.toPlainText().split())
        assert "(de exemplu printr-o scrisoare de trimitere)" in shown
        assert "recomandare" not in shown
        dialog.reject()
    finally:
        set_language("en")
