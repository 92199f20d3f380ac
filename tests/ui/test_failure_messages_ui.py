"""Failures said in the user's words: what failed, why and what to do, never the exception's
class name ("Die Aktion ist fehlgeschlagen: IsADirectoryError" could not be acted on). Each
failure here is caused for real: a full device, a folder that may not be written to, a folder
where a file should be, a path that is gone, a store another connection holds a write lock on,
a read-only store connection, a person erased meanwhile."""

from __future__ import annotations

import contextlib
import errno
import logging
import os
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtWidgets import QMessageBox
from pytestqt.qtbot import QtBot

from desktop_app.domain.person import PersonDraft
from desktop_app.domain.users import Role
from desktop_app.i18n.messages import failure_cause, failure_message
from desktop_app.i18n.text import set_language
from desktop_app.logs import configure_logging
from desktop_app.ui.accounts import AddUserDialog, UsersDialog
from desktop_app.ui.data_rights import erase_shown_person
from desktop_app.usecases import accounts, data_rights, people, visits
from desktop_app.usecases.accounts import Session
from tests.conftest import PASSWORD, store_write_locked
from tests.ui.conftest import shown_window, unwritable_folder

CLASS_NAMES = (
    "Error",
    "Exception",
    "PersonErased",
    "PersonNotFound",
    "OperationalError",
    "errno",
    "Errno",
)


def _raised(action: Callable[[], object]) -> Exception:
    try:
        action()
    except Exception as exc:
        return exc
    raise AssertionError("the action did not fail")


@contextlib.contextmanager
def _other_connection(session: Session) -> Iterator[Any]:
    """A second SQLCipher connection to the store, beside those the program uses."""
    raw = session.store.engine.raw_connection()
    try:
        assert raw.driver_connection is not None
        yield raw.driver_connection
    finally:
        raw.close()


def _disk_full(_session: Session, _tmp_path: Path) -> Exception:
    def write() -> None:
        with open("/dev/full", "wb") as device:  # the device that is always full
            device.write(b"x")

    return _raised(write)


def _no_permission(_session: Session, tmp_path: Path) -> Exception:
    return _raised(lambda: (unwritable_folder(tmp_path) / "x.wdbackup").write_bytes(b"x"))


def _is_folder(_session: Session, tmp_path: Path) -> Exception:
    (tmp_path / "welcome-desk.wdbackup").mkdir()
    return _raised(lambda: (tmp_path / "welcome-desk.wdbackup").write_bytes(b"x"))


def _file_in_the_way(_session: Session, tmp_path: Path) -> Exception:
    (tmp_path / "stick").write_bytes(b"a file")
    return _raised(lambda: (tmp_path / "stick" / "x.wdbackup").write_bytes(b"x"))


def _missing(_session: Session, tmp_path: Path) -> Exception:
    return _raised(lambda: (tmp_path / "stick pulled out" / "x.wdbackup").read_bytes())


def _store_busy(session: Session, _tmp_path: Path) -> Exception:
    with store_write_locked(session):  # the store waits its busy timeout, then gives up
        return _raised(
            lambda: people.register_person(
                session.store, session.user, PersonDraft("Ana", "Popa", languages=("ro",))
            )
        )


def _read_only_store(session: Session, _tmp_path: Path) -> Exception:
    with _other_connection(session) as other:
        other.execute("PRAGMA query_only = ON")  # SQLite refuses every write on it
        try:
            return _raised(lambda: other.execute("CREATE TABLE t (x)"))
        finally:
            other.execute("PRAGMA query_only = OFF")


def _person_erased(session: Session, _tmp_path: Path) -> Exception:
    person = people.register_person(
        session.store, session.user, PersonDraft("Ana", "Popa", languages=("ro",))
    )
    data_rights.erase_person(session.store, session.user, person.id)
    return _raised(
        lambda: visits.save_draft(session.store, session.user, person.id, "life_situation", {})
    )


LEAD_DE = "Die Aktion konnte nicht ausgeführt werden."
LEAD_RO = "Acțiunea nu a putut fi finalizată."
CASES: dict[str, tuple[Callable[[Session, Path], Exception], str, str]] = {
    "disk_full": (
        _disk_full,
        "Der Datenträger ist voll. Schaffen Sie Platz (löschen Sie Dateien, die nicht mehr "
        "gebraucht werden), und versuchen Sie es dann erneut.",
        "Discul este plin. Eliberați spațiu (ștergeți fișierele de care nu mai aveți nevoie), "
        "apoi încercați din nou.",
    ),
    "no_permission": (
        _no_permission,
        "Welcome Desk darf diese Datei oder diesen Ordner nicht verwenden. Wählen Sie einen "
        "anderen Ort, oder fragen Sie die Person, die diesen Laptop betreut.",
        "Welcome Desk nu are voie să folosească acest fișier sau acest dosar. Alegeți alt loc "
        "sau întrebați persoana care se ocupă de acest laptop.",
    ),
    "is_folder": (
        _is_folder,
        "Wo die Datei stehen soll, steht ein Ordner mit demselben Namen. Wählen Sie einen "
        "anderen Namen oder Ort.",
        "În locul fișierului se află un dosar cu același nume. Alegeți alt nume sau alt loc.",
    ),
    "file_in_the_way": (
        _file_in_the_way,
        "Wo ein Ordner stehen soll, steht eine Datei mit demselben Namen. Wählen Sie einen "
        "anderen Namen oder Ort.",
        "În locul dosarului se află un fișier cu același nume. Alegeți alt nume sau alt loc.",
    ),
    "missing": (
        _missing,
        "Eine Datei oder ein Ordner ist nicht (mehr) vorhanden. Prüfen Sie, ob der USB-Stick "
        "oder das Laufwerk angeschlossen ist, oder wählen Sie einen anderen Ort.",
        "Un fișier sau un dosar nu (mai) există. Verificați dacă stickul USB sau unitatea este "
        "conectată ori alegeți alt loc.",
    ),
    "store_busy": (
        _store_busy,
        "Die Unterlagen sind gerade belegt: Eine Synchronisierung oder ein anderes "
        "Welcome-Desk-Fenster schreibt in sie. Warten Sie einen Moment, und versuchen Sie es "
        "dann erneut.",
        "Evidențele sunt ocupate: o sincronizare sau o altă fereastră Welcome Desk scrie în "
        "ele. Așteptați puțin, apoi încercați din nou.",
    ),
    "read_only": (
        _read_only_store,
        "Dort kann nichts geschrieben werden: Das Laufwerk oder die Datei ist schreibgeschützt. "
        "Wählen Sie einen anderen Ort, oder fragen Sie die Person, die diesen Laptop betreut.",
        "Acolo nu se poate scrie nimic: unitatea sau fișierul este protejat la scriere. Alegeți "
        "alt loc sau întrebați persoana care se ocupă de acest laptop.",
    ),
    "person_erased": (
        _person_erased,
        "Die Person wurde inzwischen gelöscht (hier oder durch eine Synchronisierung); es gibt "
        "nichts mehr zu ändern.",
        "Persoana a fost ștearsă între timp (aici sau printr-o sincronizare); nu mai este "
        "nimic de schimbat.",
    ),
}


@pytest.mark.parametrize("cause", list(CASES))
def test_a_real_failure_is_said_in_german_and_romanian_without_a_class_name(
    cause: str, session: Session, tmp_path: Path
) -> None:
    make, german, romanian = CASES[cause]
    exc = make(session, tmp_path)
    assert failure_cause(exc) == cause
    set_language("de")
    said_de = failure_message(exc)
    set_language("ro")
    said_ro = failure_message(exc)
    assert said_de == f"{LEAD_DE} {german}"
    assert said_ro == f"{LEAD_RO} {romanian}"
    for said in (said_de, said_ro):
        assert type(exc).__name__ not in said
        assert not any(name in said for name in CLASS_NAMES), said


def test_an_unexpected_failure_is_a_general_sentence_and_its_trace_goes_to_the_log_without_names(
    session: Session, tmp_path: Path
) -> None:
    """Any other failure: no class name and no exception text on the screen (it may quote what
    was typed); in the log its type and where it happened, never its text (properties 1/4)."""
    typed = session.user.display_name  # "Anna Schmidt", quoted in the ValueError's text
    exc = _raised(lambda: int(typed))
    handler = configure_logging(tmp_path / "logs")
    try:
        set_language("de")
        said = failure_message(exc, "Das Schreiben konnte nicht erstellt werden.")
    finally:
        logging.getLogger().removeHandler(handler)
        handler.close()
    assert said == (
        "Das Schreiben konnte nicht erstellt werden. Ein unerwarteter Fehler ist aufgetreten. "
        "Versuchen Sie es erneut; geschieht es wieder, sagen Sie Ihrer Koordination Bescheid "
        "(die Einzelheiten stehen im Protokoll des Programms)."
    )
    assert "ValueError" not in said and "Anna" not in said
    logged = (tmp_path / "logs" / "welcome-desk.log").read_text(encoding="utf-8")
    assert "a failure was shown to the user: unexpected" in logged
    assert "ValueError" in logged  # whoever helps sees what kind of failure, and where
    assert "test_failure_messages_ui.py" in logged
    assert "Anna" not in logged and "Schmidt" not in logged


def test_erasing_while_another_connection_holds_the_store_says_so_in_romanian(
    qtbot: QtBot, session: Session, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Erasing failed with "Acțiunea a eșuat: OperationalError" when a sync held the store."""
    set_language("ro")
    person = people.register_person(
        session.store, session.user, PersonDraft("Ana", "Popa", languages=("ro",))
    )
    window = shown_window(qtbot, session)
    window.show_person(person.id)
    # the page's view written to the audit log first: under the lock it would fail too
    assert window.recorder.wait(10_000) and window.tasks.wait(10_000)
    warned: list[str] = []
    monkeypatch.setattr(QMessageBox, "warning", lambda _parent, _title, text: warned.append(text))
    with store_write_locked(session):
        erase_shown_person(window, person.id)
        qtbot.waitUntil(lambda: bool(warned), timeout=20_000)
    assert warned == [
        "Persoana nu a putut fi ștearsă. Evidențele sunt ocupate: o sincronizare sau o altă "
        "fereastră Welcome Desk scrie în ele. Așteptați puțin, apoi încercați din nou."
    ]
    assert window.person_page.isEnabled()
    # the lock gone, the same person can be erased: nothing was half done
    data_rights.erase_person(session.store, session.user, person.id)


def test_the_error_numbers_not_caused_here_have_their_sentence_too() -> None:
    """Those that cannot be caused here for real (a write-protected stick, a quota, EPERM)."""
    causes = {
        errno.EROFS: "read_only",
        errno.EDQUOT: "disk_full",
        errno.EPERM: "no_permission",
    }
    for code, cause in causes.items():
        assert failure_cause(OSError(code, os.strerror(code))) == cause


def test_adding_a_user_while_another_connection_holds_the_store_says_so_in_german(
    qtbot: QtBot, session: Session
) -> None:
    """The failure went to the application's error handler, which only logs: the dialog
    stayed open with nothing said."""
    set_language("de")
    dialog = AddUserDialog(session)
    qtbot.addWidget(dialog)
    dialog.show()
    dialog.account.setText("ion")
    dialog.display_name.setText("Ion Țăranu")
    dialog.password.setText(PASSWORD)
    dialog.repeat.setText(PASSWORD)
    with store_write_locked(session), qtbot.waitSignal(dialog.save.answered, timeout=20_000):
        dialog.buttons.accepted.emit()
    assert dialog.isVisible()
    assert dialog.general.text() == f"{LEAD_DE} {CASES['store_busy'][1]}"


def test_removing_a_user_while_another_connection_holds_the_store_says_so_in_romanian(
    qtbot: QtBot, session: Session, monkeypatch: pytest.MonkeyPatch
) -> None:
    set_language("ro")
    accounts.add_user(session, "eva", "Eva Ionescu", Role.ADVISOR, "advisor pass 1")
    monkeypatch.setattr(QMessageBox, "question", lambda *_a: QMessageBox.StandardButton.Yes)
    users = UsersDialog(session)
    qtbot.addWidget(users)
    users.table.selectRow([u.account for u in users.users].index("eva"))
    with store_write_locked(session), qtbot.waitSignal(users.save.answered, timeout=20_000):
        users.remove_button.click()
    assert users.error.text() == f"{LEAD_RO} {CASES['store_busy'][2]}"
    assert "eva" in [u.account for u in accounts.list_users(session.store)]
