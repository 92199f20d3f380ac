"""Editing a person's details from their page: prefilled, checked at the field, stored on a
worker thread, and only the changed fields get a new clock (so edits merge per field)."""

from __future__ import annotations

from PySide6.QtWidgets import QPushButton
from pytestqt.qtbot import QtBot

from desktop_app.domain.hlc import effective_field_clocks
from desktop_app.domain.person import PERSON_FIELDS, Person, PersonDraft
from desktop_app.ui.conflicts import ConflictNotice
from desktop_app.ui.main_window import MainWindow
from desktop_app.ui.person_dialog import EditPersonDialog
from desktop_app.usecases import audit, data_rights, people
from desktop_app.usecases import sync as sync_uc
from desktop_app.usecases.accounts import Session
from tests.ui.conftest import shown_window, store_held, type_text


def _open_editor(qtbot: QtBot, session: Session, person_id: str) -> EditPersonDialog:
    window = shown_window(qtbot, session)
    window.show_person(person_id)
    button = window.person_page.findChild(QPushButton, "edit_person")
    assert button is not None and button.isVisible()
    assert button.text() == "Edit personal &data…"
    button.click()
    dialog: EditPersonDialog = window.edit_person_dialog  # type: ignore[attr-defined]
    return dialog


def _conflict_notice(dialog: EditPersonDialog) -> ConflictNotice:
    window = dialog.parent()
    assert isinstance(window, MainWindow)
    notice: ConflictNotice = window.conflict_notice  # type: ignore[attr-defined]  # a feature's
    return notice


def test_a_persons_phone_is_changed_from_their_page(qtbot: QtBot, session: Session) -> None:
    person = people.register_person(
        session.store,
        session.user,
        PersonDraft(
            "Петър",
            "Петров",
            "14.03.1985",
            sex="male",
            nationality="BG",
            languages=("bg", "tr"),
            phone="+359 88 123 4567",
            notes="Termin Jobcenter",
        ),
    )
    dialog = _open_editor(qtbot, session, person.id)
    assert dialog.windowTitle() == "Edit personal data"
    # Prefilled as stored, the date as it is typed.
    assert (dialog.given.text(), dialog.family.text(), dialog.dob.text()) == (
        "Петър",
        "Петров",
        "14.03.1985",
    )
    assert dialog.sex.currentData() == "male" and dialog.nationality.code() == "BG"
    assert dialog.languages.codes() == ["bg", "tr"]
    assert dialog.notes.toPlainText() == "Termin Jobcenter"
    # A wrong date is shown at the field; nothing is stored.
    dialog.dob.clear()
    type_text(dialog.dob, "31.02.1985")
    with qtbot.waitSignal(dialog.save.answered, timeout=30_000):
        dialog._on_save_clicked()
    assert dialog.errors["date_of_birth"].isVisible()
    dialog.dob.clear()
    type_text(dialog.dob, "14.03.1985")
    dialog.phone.clear()
    type_text(dialog.phone, "0176 5554443")
    window = dialog.parent()
    with (
        qtbot.waitSignal(dialog.person_updated, timeout=30_000),
        store_held(session) as (_release, held),  # a sync writes: the window does not wait
    ):
        dialog._on_save_clicked()
        assert held.is_set() and not dialog.buttons.isEnabled()
    assert not dialog.isVisible()
    stored = people.get_person(session.store, session.user, person.id)
    assert stored is not None and stored.phone == "0176 5554443"
    assert stored.given_name == "Петър" and stored.notes == "Termin Jobcenter"
    # Only the phone got a new clock: an edit of another field elsewhere merges with it.
    clocks = effective_field_clocks(PERSON_FIELDS, stored.field_clocks, stored.updated_hlc)
    assert clocks["phone"][0] != clocks["given_name"][0]
    assert isinstance(window, MainWindow)
    assert window.person_page.values["phone"].text() == "0176 5554443"
    [change] = audit.list_entries(session.store, session.user, action="change")
    assert change.details == {"fields": "phone"}


def test_a_person_erased_meanwhile_is_said_so_and_nothing_is_saved(
    qtbot: QtBot, session: Session
) -> None:
    person = people.register_person(session.store, session.user, PersonDraft("Ion", "Lungu"))
    dialog = _open_editor(qtbot, session, person.id)
    data_rights.erase_person(session.store, session.user, person.id)  # a sync brought it
    type_text(dialog.phone, "0176 1")
    with qtbot.waitSignal(dialog.save.answered, timeout=30_000):
        dialog._on_save_clicked()
    assert dialog.isVisible()
    assert dialog.errors["given_name"].text() == (
        "This person was erased meanwhile. Nothing was saved."
    )
    assert people.get_person(session.store, session.user, person.id) is None


def _editor_while_a_sync_changes_the_phone(
    qtbot: QtBot, session: Session
) -> tuple[Person, EditPersonDialog]:
    """Petar's details open for editing (phone …111); meanwhile a sync brings a colleague's
    new phone (…222)."""
    person = people.register_person(
        session.store, session.user, PersonDraft("Petar", "Petrov", phone="0176 1111111")
    )
    dialog = _open_editor(qtbot, session, person.id)
    assert not _conflict_notice(dialog).isVisible()
    newer = PersonDraft("Petar", "Petrov", phone="0176 2222222")
    people.update_person(session.store, session.user, person.id, newer)  # as a sync would
    return person, dialog


def test_saving_keeps_what_a_sync_changed_while_the_dialog_was_open(
    qtbot: QtBot, session: Session
) -> None:
    """The dialog shows the phone as it was; meanwhile a sync brings a colleague's new phone.
    Saving a corrected given name must not put the old phone back."""
    person, dialog = _editor_while_a_sync_changes_the_phone(qtbot, session)
    dialog.given.clear()
    type_text(dialog.given, "Петър")
    with qtbot.waitSignal(dialog.person_updated, timeout=30_000):
        dialog._on_save_clicked()
    stored = people.get_person(session.store, session.user, person.id)
    assert stored is not None
    assert (stored.given_name, stored.phone) == ("Петър", "0176 2222222")


def test_a_phone_changed_here_and_by_a_sync_meanwhile_is_kept_to_decide(
    qtbot: QtBot, session: Session
) -> None:
    person, dialog = _editor_while_a_sync_changes_the_phone(qtbot, session)
    notice = _conflict_notice(dialog)
    dialog.phone.clear()
    type_text(dialog.phone, "0176 3333333")
    with qtbot.waitSignal(dialog.person_updated, timeout=30_000):
        dialog._on_save_clicked()
    stored = people.get_person(session.store, session.user, person.id)
    assert stored is not None and stored.phone == "0176 3333333"
    qtbot.waitUntil(notice.isVisible, timeout=30_000)
    (conflict,) = sync_uc.open_conflicts(session.store, session.user)
    assert (conflict.field, conflict.other_value) == ("phone", "0176 2222222")


def test_a_month_and_year_of_birth_is_shown_and_kept_as_typed(
    qtbot: QtBot, session: Session
) -> None:
    """Prefilled as the form and the placeholder write it (03.1988, not 1988-03), and saved
    unchanged when only the phone changes."""
    person = people.register_person(
        session.store, session.user, PersonDraft("Ангел", "Ъгленов", "03.1988", nationality="BG")
    )
    assert person.date_of_birth is not None and person.date_of_birth.iso() == "1988-03"
    dialog = _open_editor(qtbot, session, person.id)
    assert dialog.dob.text() == "03.1988"
    assert "MM.YYYY" in dialog.dob.placeholderText()
    type_text(dialog.phone, "0176 5554443")
    with qtbot.waitSignal(dialog.person_updated, timeout=30_000):
        dialog._on_save_clicked()
    stored = people.get_person(session.store, session.user, person.id)
    assert stored is not None and stored.date_of_birth == person.date_of_birth
    assert stored.phone == "0176 5554443"
