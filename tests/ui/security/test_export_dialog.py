"""The person's data copy (Art. 15) in the language chosen in its dialog."""

from __future__ import annotations

import datetime as dt
import io
from pathlib import Path

import pytest
from pypdf import PdfReader
from PySide6.QtCore import Qt
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QMessageBox
from pytestqt.qtbot import QtBot

from desktop_app.domain.person import PersonDraft
from desktop_app.i18n.text import set_language
from desktop_app.ui.data_rights import ExportDialog
from desktop_app.ui.main_window import MainWindow
from desktop_app.usecases import audit, data_rights, people
from desktop_app.usecases.accounts import Session
from tests.ui.conftest import dialog_opened, shown_window


def _window(qtbot: QtBot, session: Session) -> MainWindow:
    return shown_window(qtbot, session)


def _text(pdf: Path) -> str:
    reader = PdfReader(io.BytesIO(pdf.read_bytes()))
    return " ".join(" ".join((page.extract_text() or "").split()) for page in reader.pages)


def test_the_data_copy_is_written_in_the_language_chosen(
    qtbot: QtBot, session: Session, tmp_path: Path
) -> None:
    person = people.register_person(
        session.store, session.user, PersonDraft("Ana", "Popa", languages=("bg",))
    )
    window = _window(qtbot, session)
    window.show_person(person.id)
    page = window.person_page
    action = page.more_menu.findChild(QAction, "export_person")  # in "More…"
    assert page.more_button.isVisible()
    assert action is not None and action.text() == "&Export data…"
    action.trigger()
    dialog = dialog_opened(qtbot, window, ExportDialog)
    # the languages by their own names; the person speaks Bulgarian, so that comes first
    names = [dialog.language.itemText(i) for i in range(dialog.language.count())]
    assert names == ["Deutsch", "Български", "Română", "English"]
    assert dialog.chosen_language() == "bg"
    assert not dialog.ok.isEnabled()  # no folder yet
    dialog.language.setCurrentIndex(dialog.language.findText("Română"))
    dialog.folder.setText(str(tmp_path))
    assert dialog.ok.isEnabled()
    dialog.ok.click()
    pdf = tmp_path / f"welcome-desk-data-{person.id[:8]}.pdf"
    qtbot.waitUntil(
        lambda: "Data copy written" in window.statusBar().currentMessage(), timeout=10_000
    )
    content = _text(pdf)
    assert "Datele dumneavoastră la" in content and "Despre dumneavoastră" in content
    assert "Вашите данни" not in content and "Your data" not in content
    assert "Prenume" in content  # a field's label, not only the title
    (entry,) = audit.list_entries(session.store, session.user, record_id=person.id, action="export")
    # the copy answers a request received today (the dialog's default): the register has it
    [request] = data_rights.list_requests(session.store, session.user)
    assert (request.kind, request.received) == ("copy", dt.date.today())
    assert entry.details == {"lang": "ro", "request": request.reference}
    # the copy names it, in the person's language, for both to refer to
    assert f"Număr de referință {request.reference}" in content


def test_without_a_language_of_the_person_the_ui_language_is_proposed(
    qtbot: QtBot, session: Session
) -> None:
    person = people.register_person(
        session.store, session.user, PersonDraft("Ana", "Popa", languages=("tr",))
    )
    set_language("de")
    dialog = ExportDialog(person)
    qtbot.addWidget(dialog)
    assert dialog.chosen_language() == "de"
    set_language("en")
    dialog = ExportDialog(person)
    qtbot.addWidget(dialog)
    assert dialog.chosen_language() == "en"


def test_a_folder_that_is_not_there_is_said_at_the_field_and_can_be_created(
    qtbot: QtBot, session: Session, tmp_path: Path
) -> None:
    """The Export button stayed disabled for a folder typed that does not exist, without a
    word why. Now the field says so, in the UI language, and offers to create the folder."""
    person = people.register_person(session.store, session.user, PersonDraft("Ana", "Popa"))
    dialog = ExportDialog(person)
    qtbot.addWidget(dialog)
    dialog.show()
    target = tmp_path / "copies" / "ana"
    dialog.folder.setText(str(target))
    assert dialog.folder_error.isVisible()
    assert dialog.folder_error.text() == "This folder does not exist."
    assert dialog.create_folder.isVisible() and dialog.create_folder.text() == "C&reate folder"
    assert dialog.create_folder.focusPolicy() & Qt.FocusPolicy.TabFocus
    assert not dialog.ok.isEnabled()
    dialog.create_folder.setFocus()
    qtbot.keyClick(dialog.create_folder, Qt.Key.Key_Space)  # by keyboard
    assert target.is_dir()
    assert not dialog.folder_error.isVisible() and not dialog.create_folder.isVisible()
    assert dialog.ok.isEnabled()
    # a file is not a folder; nothing to create there
    a_file = tmp_path / "notes.txt"
    a_file.write_text("x")
    dialog.folder.setText(str(a_file))
    assert dialog.folder_error.text() == "This is a file, not a folder."
    assert not dialog.create_folder.isVisible() and not dialog.ok.isEnabled()
    # a folder that cannot be created says so and stays disabled
    dialog.folder.setText(str(a_file / "inside"))
    dialog.create_folder.click()
    assert dialog.folder_error.text() == "The folder could not be created."
    assert not dialog.ok.isEnabled()
    dialog.folder.clear()
    assert not dialog.folder_error.isVisible()


def test_the_missing_folder_is_said_in_the_ui_language(
    qtbot: QtBot, session: Session, tmp_path: Path
) -> None:
    person = people.register_person(session.store, session.user, PersonDraft("Ana", "Popa"))
    set_language("bg")
    try:
        dialog = ExportDialog(person)
        qtbot.addWidget(dialog)
        dialog.show()
        dialog.folder.setText(str(tmp_path / "няма"))
        assert dialog.folder_error.text() == "Тази папка не съществува."
        assert dialog.create_folder.text() == "&Създаване на папката"
        dialog.grab().save(str(tmp_path / "export-missing-folder-bg.png"))
    finally:
        set_language("en")


def test_a_copy_that_cannot_be_written_is_said_in_the_ui_language_and_leaves_nothing_behind(
    qtbot: QtBot, session: Session, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A stick without room or a share it may not write to was told as "Die Aktion ist
    fehlgeschlagen: IsADirectoryError" (the exception's English name), and the JSON written
    before the PDF failed stayed there: half a copy of personal data left behind."""
    set_language("de")
    person = people.register_person(
        session.store, session.user, PersonDraft("Ana", "Popa", languages=("bg",))
    )
    stem = f"welcome-desk-data-{person.id[:8]}"
    (tmp_path / f"{stem}.pdf").mkdir()  # the PDF cannot be written where a folder is
    warned: list[str] = []
    monkeypatch.setattr(QMessageBox, "warning", lambda _parent, _title, text: warned.append(text))
    window = _window(qtbot, session)
    window.show_person(person.id)
    action = window.person_page.more_menu.findChild(QAction, "export_person")
    assert action is not None
    action.trigger()
    dialog = dialog_opened(qtbot, window, ExportDialog)
    dialog.folder.setText(str(tmp_path))
    dialog.ok.click()
    qtbot.waitUntil(lambda: bool(warned), timeout=10_000)
    assert warned == [
        f"Die Datenkopie konnte nicht in den Ordner {tmp_path} geschrieben werden. Wo die Datei "
        "stehen soll, steht ein Ordner mit demselben Namen. Wählen Sie einen anderen Namen "
        "oder Ort."
    ]
    assert not (tmp_path / f"{stem}.json").exists()
