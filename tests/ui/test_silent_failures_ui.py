"""The last failures that were only logged: deciding a conflict, publishing the directory,
opening a case to helpers, writing the audit log, and restoring a backup. Each failure is
caused for real (another connection holding the store's write lock, real files) and said in
German or Romanian where the user is."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication, QMessageBox
from pytestqt.qtbot import QtBot

from desktop_app.domain.person import PersonDraft
from desktop_app.domain.users import Role
from desktop_app.i18n.text import set_language
from desktop_app.ui.accounts import RestoreDialog
from desktop_app.ui.case_access import CaseAccessDialog
from desktop_app.usecases import access, accounts, audit, backup, people, reference
from desktop_app.usecases import referrals as referrals_uc
from desktop_app.usecases.accounts import Session
from tests.conftest import store_write_locked
from tests.ui.conftest import shown_window, unwritable_folder
from tests.ui.test_conflicts_ui import _conflicts_dialog, _record_conflicts
from tests.ui.test_directory_ui import asked, edited_directory
from tests.ui.test_failure_messages_ui import CASES
from tests.ui.test_referrals_ui import _person as _referral_person
from tests.ui.test_referrals_ui import _window

BUSY_DE, BUSY_RO = CASES["store_busy"][1], CASES["store_busy"][2]
PASSPHRASE = "a long backup passphrase 7"
SHOTS = os.environ.get("WELCOME_DESK_SHOTS")


def _person(session: Session) -> str:
    draft = PersonDraft("Ana", "Popa", languages=("ro",))
    return people.register_person(session.store, session.user, draft).id


def test_a_conflict_decided_while_the_store_is_busy_says_so_in_the_dialog_in_german(
    qtbot: QtBot, session: Session
) -> None:
    """The failure went to the application's error handler, which only logs: the conflict
    stayed as it was, with nothing said."""
    pid = _person(session)
    _record_conflicts(session, pid, ("phone", "0176 1111111", "0176 2222222"))
    with _conflicts_dialog(qtbot, session, "de") as (window, dialog):
        assert window.recorder.wait(10_000)  # the dialog's view logged before the lock
        with store_write_locked(session), qtbot.waitSignal(dialog.save.answered, timeout=20_000):
            dialog.keep_second.click()
        assert dialog.error.text() == f"Die Entscheidung konnte nicht gespeichert werden. {BUSY_DE}"
        assert len(dialog.conflicts) == 1  # still to decide: nothing half done
        if SHOTS:
            dialog.grab().save(str(Path(SHOTS) / "conflict-failed.png"))


def test_publishing_while_the_store_is_busy_says_nothing_was_published_in_romanian(
    qtbot: QtBot, session: Session, tmp_path: Path
) -> None:
    set_language("ro")
    dialog, folder = edited_directory(qtbot, session, tmp_path)
    confirm = asked(qtbot, dialog, folder)
    with store_write_locked(session), qtbot.waitSignal(dialog.save.answered, timeout=20_000):
        QTest.keyClick(confirm.note, Qt.Key.Key_Return)
    assert dialog.error.text() == f"Nu s-a publicat nimic. {BUSY_RO}"
    assert dialog.message.text() == ""  # not "Se publică…" any more
    assert reference.published_directory(session.store) is None
    if SHOTS:
        dialog.grab().save(str(Path(SHOTS) / "publish-failed.png"))


def test_opening_a_case_to_a_helper_while_the_store_is_busy_says_so_in_german(
    qtbot: QtBot, session: Session
) -> None:
    """The dialog stayed open with Save enabled again and nothing said."""
    set_language("de")
    accounts.add_user(session, "mia", "Mia Helfer", Role.HELPER, "helper pass 12")
    pid = _person(session)
    person = people.get_person(session.store, session.user, pid)
    assert person is not None
    dialog = CaseAccessDialog(session, person)
    qtbot.addWidget(dialog)
    dialog.show()
    box = next(iter(dialog.boxes.values()))
    box.setChecked(True)
    with store_write_locked(session), qtbot.waitSignal(dialog.save.answered, timeout=20_000):
        dialog.buttons.accepted.emit()
    assert dialog.isVisible()
    assert dialog.error.text() == (
        "Der Zugriff für Integrationshelfer/innen konnte nicht gespeichert werden. " + BUSY_DE
    )
    assert access.openings_of(session.store, session.user, pid) == {}
    if SHOTS:
        dialog.grab().save(str(Path(SHOTS) / "case-access-failed.png"))


def test_views_not_logged_while_the_store_is_busy_are_said_once_in_romanian(
    qtbot: QtBot, session: Session, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A view that could not be written to the audit log (property 14) was only logged by the
    application's error handler. Said once, not for each person looked at; said again after
    the audit log was written to once more."""
    set_language("ro")
    first, second = _person(session), _person(session)
    window = shown_window(qtbot, session)
    assert window.recorder.wait(10_000) and window.tasks.wait(10_000)
    warned: list[str] = []
    monkeypatch.setattr(QMessageBox, "warning", lambda _parent, _title, text: warned.append(text))
    before = len(audit.list_entries(session.store, session.user, record_id=first))
    said = "Ce ați vizualizat sau ați făcut nu a putut fi scris în jurnalul de audit. " + BUSY_RO
    with store_write_locked(session):
        window.show_person(first)
        window.show_person(second)
        assert window.recorder.wait(120_000)  # each write waits the busy timeout
        QApplication.processEvents()  # both failures' answers, posted before the writer ended
    assert warned == [said]
    window.show_person(first)  # written: the audit log works again
    assert window.recorder.wait(10_000)
    QApplication.processEvents()
    assert len(audit.list_entries(session.store, session.user, record_id=first)) > before
    with store_write_locked(session):
        window.show_person(second)
        assert window.recorder.wait(120_000)  # each write waits the busy timeout
        QApplication.processEvents()
    assert warned == [said, said]


def _restore(qtbot: QtBot, source: Path, folder: Path, passphrase: str) -> RestoreDialog:
    dialog = RestoreDialog()
    qtbot.addWidget(dialog)
    dialog.show()
    dialog.file.setText(str(source))
    dialog.folder.setText(str(folder))
    dialog.passphrase.setText(passphrase)
    with qtbot.waitSignal(dialog.save.answered, timeout=60_000):
        dialog.buttons.accepted.emit()
    assert dialog.isVisible()
    return dialog


@pytest.fixture
def written(session: Session, tmp_path: Path) -> Path:
    out = tmp_path / "store.wdbackup"
    backup.write_backup(session, out, PASSPHRASE)
    return out


def test_a_restore_says_which_reading_failed_and_what_to_do_in_german_and_romanian(
    qtbot: QtBot, written: Path, tmp_path: Path
) -> None:
    """Every failure was "The backup file cannot be read.": a wrong file chosen, a wrong
    passphrase, a damaged backup and a stick pulled out each ask something else."""
    other = tmp_path / "photo.jpg"
    other.write_bytes(b"\xff\xd8\xff\xe0 not a backup at all")
    damaged = tmp_path / "cut.wdbackup"
    damaged.write_bytes(written.read_bytes()[: -(1 << 16)])
    gone = tmp_path / "stick pulled out" / "store.wdbackup"
    set_language("de")
    dialog = _restore(qtbot, other, tmp_path / "a", PASSPHRASE)
    assert dialog.general.text() == (
        "Diese Datei ist keine Welcome-Desk-Sicherung. Wählen Sie die Sicherungsdatei (ihr Name "
        "endet auf „.wdbackup“)."
    )
    dialog = _restore(qtbot, written, tmp_path / "b", "not the passphrase")
    assert dialog.general.text() == ""
    assert dialog.errors["passphrase"].text() == (
        "Die Passphrase passt nicht zu dieser Sicherung. Geben Sie die Passphrase ein, die beim "
        "Schreiben der Sicherung gewählt wurde (Groß- und Kleinschreibung zählt)."
    )
    set_language("ro")
    dialog = _restore(qtbot, damaged, tmp_path / "c", PASSPHRASE)
    assert dialog.general.text() == (
        "Această copie de siguranță este deteriorată (incompletă sau modificată) și nu poate fi "
        "restaurată. Nu s-a restaurat nimic; alegeți altă copie de siguranță, de exemplu una "
        "mai veche."
    )
    dialog = _restore(qtbot, gone, tmp_path / "d", PASSPHRASE)
    assert dialog.general.text() == (
        f"Fișierul copiei de siguranță {gone} nu poate fi citit. {CASES['missing'][2]}"
    )
    if SHOTS:
        dialog.grab().save(str(Path(SHOTS) / "restore-failed.png"))
    for name in "abcd":
        assert not (tmp_path / name / "welcome-desk.db").exists()


def test_a_new_data_folder_that_may_not_be_written_is_not_said_as_an_unreadable_backup(
    qtbot: QtBot, written: Path, tmp_path: Path
) -> None:
    set_language("de")
    folder = unwritable_folder(tmp_path) / "laptop"
    dialog = _restore(qtbot, written, folder, PASSPHRASE)
    assert dialog.general.text() == (
        f"Die Sicherung konnte nicht in den Ordner {folder} wiederhergestellt werden. "
        f"{CASES['no_permission'][1]}"
    )


def test_a_letter_not_removed_from_the_queue_is_said_as_such_not_as_an_audit_failure(
    qtbot: QtBot, session: Session, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Removing went to the window's audit writer's failure: its sentence would have said an
    audit write failed, and the Remove button stayed disabled."""
    set_language("de")
    person = _referral_person(session)
    referral = referrals_uc.issue_referral(
        session.store, session.user, person.id, "jobcenter", "buergergeld", client_lang="ro"
    )
    referrals_uc.queue_for_printing(session.store, session.user, referral.id)
    window, feature = _window(qtbot, session, person)
    queue = feature.open_print_queue()
    assert window.recorder.wait(10_000) and window.tasks.wait(10_000)
    QApplication.processEvents()
    warned: list[str] = []
    monkeypatch.setattr(QMessageBox, "warning", lambda _parent, _title, text: warned.append(text))
    queue.table.selectRow(0)
    queue.remove_button.click()  # asked first whose letter it is
    assert queue.question is not None
    go_ahead = QMessageBox.ButtonRole.AcceptRole
    remove = next(b for b in queue.question.buttons() if queue.question.buttonRole(b) == go_ahead)
    with store_write_locked(session):
        remove.click()
        assert window.recorder.wait(60_000)
        QApplication.processEvents()
    assert warned == [
        f"Das Schreiben konnte nicht aus der Druckwarteschlange entfernt werden. {BUSY_DE}"
    ]
    assert queue.remove_button.isEnabled()
    assert len(referrals_uc.print_queue(session.store, session.user)) == 1
