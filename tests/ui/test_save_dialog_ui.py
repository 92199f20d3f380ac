"""Saving a letter as PDF, by keys and by mouse: Qt's own save dialog, opened without blocking
(``ui.save_dialog``), in the documents folder; the folder saved to is kept in memory only."""

from __future__ import annotations

from pathlib import Path

import pytest
import shiboken6
from pypdf import PdfReader
from PySide6.QtCore import QSettings, Qt
from PySide6.QtWidgets import QApplication, QFileDialog, QLineEdit, QWidget
from pytestqt.qtbot import QtBot

from desktop_app.i18n.text import _ as tr
from desktop_app.i18n.text import set_language
from desktop_app.ui.save_dialog import ask_save_path, documents_folder
from desktop_app.usecases.accounts import Session
from tests.ui.conftest import (
    answer_save_dialog,
    message_box_shown,
    save_dialog_shown,
    shown_window,
    unwritable_folder,
)
from tests.ui.test_backup_dialogs_ui import _filled_backup_dialog
from tests.ui.test_help_ui import qt_texts  # noqa: F401  (a fixture)
from tests.ui.test_keyboard_ui import _key, _letter_by_keys, _refer_by_keys
from tests.ui.test_main_window import _access_key
from tests.ui.test_referrals_ui import _preview_of_new_referral, needs_qtpdf


def _chooser(qtbot: QtBot) -> QFileDialog:
    qtbot.waitUntil(lambda: save_dialog_shown() is not None, timeout=10_000)
    chooser = save_dialog_shown()
    assert chooser is not None
    return chooser


def _name_field(chooser: QFileDialog) -> QLineEdit:
    field = chooser.findChild(QLineEdit, "fileNameEdit")
    assert field is not None
    return field


def _text(pdf: Path) -> str:
    return " ".join(" ".join(p.extract_text() or "" for p in PdfReader(pdf).pages).split())


def _focus_in(window: QWidget) -> bool:
    focused = QApplication.focusWidget()
    return focused is not None and window.isAncestorOf(focused)


@needs_qtpdf
@pytest.mark.usefixtures("qt_texts")  # Qt's own dialog in the UI language, as in the program
@pytest.mark.parametrize("lang", ["de", "ro"])
def test_the_letter_is_saved_by_keys_and_esc_in_the_dialog_saves_nothing(
    qtbot: QtBot, session: Session, home: Path, tmp_path: Path, lang: str
) -> None:
    """From the letter by keys alone: Alt+letter of "Save as PDF" opens the save dialog in the
    documents folder with the reference number as the name; Esc saves nothing and the keys
    are back on the letter; Tab to the button and Space open it again, a name typed and
    Enter save the letter there. A test typing into Qt's save dialog hung for 300 s while
    ``getSaveFileName`` ran its own event loop."""
    documents = home / "Documents"
    _main, dialog = _refer_by_keys(qtbot, session, lang)
    preview = _letter_by_keys(qtbot, dialog)
    reference = preview.referral.reference
    qtbot.waitUntil(preview.save_button.isEnabled, timeout=10_000)
    letter = _access_key(preview.save_button.text())
    assert letter is not None
    _key(qtbot, preview, Qt.Key(ord(letter.upper())), Qt.KeyboardModifier.AltModifier)
    chooser = _chooser(qtbot)
    assert Path(chooser.directory().absolutePath()) == documents
    name = _name_field(chooser)
    assert name.text() == f"{reference}.pdf"  # no name of the person in the file's name
    qtbot.waitUntil(chooser.isActiveWindow, timeout=10_000)
    assert QApplication.focusWidget() is name
    chooser.grab().save(str(tmp_path / f"save-dialog-{lang}.png"))
    qtbot.keyClick(name, Qt.Key.Key_Escape)
    qtbot.waitUntil(lambda: save_dialog_shown() is None, timeout=10_000)
    assert list(documents.iterdir()) == []
    qtbot.waitUntil(preview.isActiveWindow, timeout=10_000)
    assert _focus_in(preview), QApplication.focusWidget()

    for _ in range(20):  # Tab round the letter's window to its Save button
        if QApplication.focusWidget() is preview.save_button:
            break
        _key(qtbot, preview, Qt.Key.Key_Tab)
    assert QApplication.focusWidget() is preview.save_button
    _key(qtbot, preview, Qt.Key.Key_Space)
    chooser = _chooser(qtbot)
    name = _name_field(chooser)
    qtbot.waitUntil(chooser.isActiveWindow, timeout=10_000)
    qtbot.keyClick(name, Qt.Key.Key_A, Qt.KeyboardModifier.ControlModifier)
    qtbot.keyClicks(name, "brief-jobcenter")  # the suffix is added
    qtbot.keyClick(name, Qt.Key.Key_Return)
    saved = documents / "brief-jobcenter.pdf"
    qtbot.waitUntil(saved.exists, timeout=10_000)
    assert saved.read_bytes() == preview.pdf
    assert reference in _text(saved)
    qtbot.waitUntil(preview.isActiveWindow, timeout=10_000)
    assert _focus_in(preview), QApplication.focusWidget()
    preview.close()


@needs_qtpdf
def test_the_folder_saved_to_is_kept_for_the_login_and_never_written_to_the_disk(
    qtbot: QtBot, session: Session, home: Path
) -> None:
    """The next save opens where the last one went. Qt's own dialog writes the folders it saw
    into the settings all Qt programs of the user share (QtProject.conf, unencrypted): a
    folder named after the person could be read there from a copy of the disk. What was
    there before is put back; another program's last folder stays as it was."""
    qt = QSettings(QSettings.Scope.UserScope, "QtProject")
    qt.setValue("FileDialog/lastVisited", "file:///srv/another-programs-folder")
    qt.sync()
    private = home / "Documents" / "Petrov Ivan"
    private.mkdir()
    _person, _referral, window, _feature, preview = _preview_of_new_referral(qtbot, session)
    preview.save_button.click()
    chooser = _chooser(qtbot)
    chooser.setDirectory(str(private))  # as a double click on the folder goes into it
    qtbot.keyClick(_name_field(chooser), Qt.Key.Key_A, Qt.KeyboardModifier.ControlModifier)
    qtbot.keyClicks(_name_field(chooser), "letter")
    qtbot.keyClick(_name_field(chooser), Qt.Key.Key_Return)
    qtbot.waitUntil((private / "letter.pdf").exists, timeout=10_000)
    qtbot.waitUntil(lambda: not shiboken6.isValid(chooser), timeout=10_000)  # deleted
    settings_folder = Path(QSettings(QSettings.Scope.UserScope, "QtProject").fileName()).parent
    written = [p for p in settings_folder.rglob("*") if p.is_file()]
    assert written  # Qt did write its dialog's settings
    for path in written:
        assert b"Petrov" not in path.read_bytes(), path
    qt = QSettings(QSettings.Scope.UserScope, "QtProject")
    assert qt.value("FileDialog/lastVisited") == "file:///srv/another-programs-folder"
    assert qt.value("FileDialog/history") is None

    preview.save_button.click()
    chooser = _chooser(qtbot)
    assert Path(chooser.directory().absolutePath()) == private
    qtbot.keyClick(_name_field(chooser), Qt.Key.Key_Escape)
    qtbot.waitUntil(lambda: save_dialog_shown() is None, timeout=10_000)
    # another login (a switch of user opens a new main window) starts in the documents again
    other = shown_window(qtbot, session)
    assert other is not window
    chooser = ask_save_path(other, "", "x.pdf", lambda _path: None)
    assert Path(chooser.directory().absolutePath()) == home / "Documents"
    chooser.reject()


def test_without_a_documents_folder_the_dialogs_open_in_the_home_folder(
    qtbot: QtBot, session: Session, home: Path
) -> None:
    """The backup's "Choose…" shares the letter's save dialog: it opened in the program's
    working folder (the installation's folder, say)."""
    backup = _filled_backup_dialog(qtbot, session, home / "x.wdbackup")
    backup._on_browse_clicked()
    chooser = _chooser(qtbot)
    assert Path(chooser.directory().absolutePath()) == home / "Documents"
    assert _name_field(chooser).text() == "welcome-desk.wdbackup"
    chooser.reject()
    (home / "Documents").rmdir()  # a fresh account may have none
    assert documents_folder() == home


@needs_qtpdf
@pytest.mark.parametrize(
    ("lang", "where", "why"),
    [
        # a folder that may not be written to (chmod 0o555; as root, /sys)
        ("de", "read-only", "Welcome Desk darf diese Datei oder diesen Ordner nicht verwenden."),
        ("bg", "read-only", "Welcome Desk няма право да използва този файл или папка."),
        # a file where the folder should be
        ("ro", "under-a-file", "În locul dosarului se află un fișier cu același nume."),
    ],
    ids=["de-read-only", "bg-read-only", "ro-under-a-file"],
)
def test_a_letter_that_cannot_be_written_says_why_and_another_place_can_be_chosen(
    qtbot: QtBot,
    session: Session,
    home: Path,
    tmp_path: Path,
    shots: Path,
    lang: str,
    where: str,
    why: str,
) -> None:
    """A folder it may not write to (or a file where the folder should be) went to the general
    error handler as an unexpected error. The user is told, in their language, that the letter
    could not be saved at that path and why; the letter stays open as it was, and "Choose
    another place…" (the default) opens the save dialog again."""
    set_language(lang)
    try:
        _person, referral, window, _feature, preview = _preview_of_new_referral(qtbot, session)
        if where == "read-only":
            target = unwritable_folder(tmp_path) / "brief.pdf"
        else:
            (tmp_path / "file.txt").write_text("x")
            target = tmp_path / "file.txt" / "brief.pdf"
        qtbot.waitUntil(preview.save_button.isEnabled, timeout=10_000)
        preview.save_button.click()
        answer_save_dialog(qtbot, target)
        box = message_box_shown(qtbot)
        said = tr("The letter could not be saved as {path}.").format(path=target)
        assert said != f"The letter could not be saved as {target}."  # translated
        assert box.text().startswith(f"{said} {why}"), box.text()
        assert not target.exists()
        assert preview.isVisible() and preview.save_button.isEnabled()
        assert preview.referral.reference == referral.reference
        box.grab().save(str(shots / f"letter-not-saved-{lang}-{where}.png"))
        again = box.defaultButton()
        assert again is not None and again.text() == tr("&Choose another place…")
        again.click()
        saved = home / "Documents" / "brief.pdf"
        answer_save_dialog(qtbot, saved)
        qtbot.waitUntil(saved.exists, timeout=10_000)
        assert saved.read_bytes() == preview.pdf
        assert referral.reference in _text(saved)
        assert window.statusBar().currentMessage() == tr("Letter saved as {file}.").format(
            file="brief.pdf"
        )
        preview.close()
    finally:
        set_language("en")


@needs_qtpdf
def test_cancel_after_a_failed_write_leaves_the_letter_open_and_nothing_written(
    qtbot: QtBot, session: Session, home: Path, tmp_path: Path
) -> None:
    _person, _referral, _window, _feature, preview = _preview_of_new_referral(qtbot, session)
    (tmp_path / "file.txt").write_text("x")
    qtbot.waitUntil(preview.save_button.isEnabled, timeout=10_000)
    preview.save_button.click()
    answer_save_dialog(qtbot, tmp_path / "file.txt" / "letter.pdf")
    box = message_box_shown(qtbot)
    qtbot.keyClick(box, Qt.Key.Key_Escape)
    qtbot.waitUntil(lambda: not box.isVisible(), timeout=10_000)
    QApplication.processEvents()
    assert save_dialog_shown() is None
    assert preview.isVisible() and preview.save_button.isEnabled()
    assert list((home / "Documents").iterdir()) == []
    preview.close()
