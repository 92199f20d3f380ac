"""The dialogs that open a file or choose a folder (a logo, a list of people, the directory's
folder, a backup, a data copy's folder) start where the save dialogs do (``ui.save_dialog``):
in the documents folder or the folder last used in this login, never the working folder."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
import shiboken6
from PySide6.QtCore import QSettings, QTimer
from PySide6.QtWidgets import QDialog, QPushButton, QWidget
from pytestqt.qtbot import QtBot

from desktop_app.ui.accounts import RestoreDialog
from desktop_app.ui.data_rights import ExportDialog
from desktop_app.ui.directory import DirectoryDialog
from desktop_app.ui.main_window import MainWindow
from desktop_app.ui.people_import import PeopleImportWizard
from desktop_app.ui.settings import SettingsDialog
from desktop_app.usecases.accounts import Session
from tests.ui.conftest import answer_save_dialog, save_dialog_shown, shown_window
from tests.ui.test_esc_keeps_more_input_ui import _person
from tests.ui.test_people_import_ui import CSV


def _button(dialog: QWidget, text: str) -> QPushButton:
    (button,) = [b for b in dialog.findChildren(QPushButton) if b.text() == text]
    return button


def _shown(qtbot: QtBot, dialog: QDialog) -> QDialog:
    dialog.show()
    qtbot.waitExposed(dialog)
    return dialog


def _logo(qtbot: QtBot, window: MainWindow) -> QPushButton:
    dialog = SettingsDialog(window.session, parent=window)
    _shown(qtbot, dialog)
    return dialog.letterhead.logo_button


def _people(qtbot: QtBot, window: MainWindow) -> QPushButton:
    wizard = PeopleImportWizard(window.session, window.tasks, window)
    _shown(qtbot, wizard)
    return wizard.file_page.browse


def _export_directory(qtbot: QtBot, window: MainWindow) -> QPushButton:
    return _directory(qtbot, window).export_button


def _publish_directory(qtbot: QtBot, window: MainWindow) -> QPushButton:
    return _directory(qtbot, window).publish_button


def _directory(qtbot: QtBot, window: MainWindow) -> DirectoryDialog:
    dialog = DirectoryDialog(window.session, window)
    _shown(qtbot, dialog)
    return dialog


def _backup(qtbot: QtBot, window: MainWindow) -> QPushButton:
    return _button(_shown(qtbot, RestoreDialog(window)), "&Choose…")


def _new_data_folder(qtbot: QtBot, window: MainWindow) -> QPushButton:
    return _button(_shown(qtbot, RestoreDialog(window)), "Choose fol&der…")


def _data_copy(qtbot: QtBot, window: MainWindow) -> QPushButton:
    return _button(_shown(qtbot, ExportDialog(_person(window.session), window)), "&Choose…")


BUTTONS: dict[str, Callable[[QtBot, MainWindow], QPushButton]] = {
    "logo": _logo,
    "people to import": _people,
    "directory export": _export_directory,
    "directory publication": _publish_directory,
    "backup to restore": _backup,
    "restore's new data folder": _new_data_folder,
    "data copy's folder": _data_copy,
}


def _folder_opened(qtbot: QtBot, button: QPushButton) -> Path:
    """The folder the dialog ``button`` opens starts in; the dialog is closed again. Looked
    at from a timer: the static ``QFileDialog`` functions used before did not return from
    the click until their dialog was closed."""
    seen: list[Path] = []

    def look() -> None:
        chooser = save_dialog_shown()
        if chooser is not None and not seen:
            seen.append(Path(chooser.directory().absolutePath()))
            chooser.reject()

    timer = QTimer()
    timer.setInterval(20)
    timer.timeout.connect(look)
    timer.start()
    button.click()
    qtbot.waitUntil(lambda: bool(seen), timeout=10_000)
    timer.stop()
    qtbot.waitUntil(lambda: save_dialog_shown() is None, timeout=10_000)
    return seen[0]


@pytest.mark.parametrize("opener", list(BUTTONS))
def test_each_open_dialog_starts_in_the_documents_folder(
    qtbot: QtBot, session: Session, home: Path, opener: str
) -> None:
    """They opened in the program's working folder (the installation's folder, or wherever
    the shortcut started it), as the save dialogs did."""
    window = shown_window(qtbot, session)
    button = BUTTONS[opener](qtbot, window)
    started = _folder_opened(qtbot, button)
    assert started == home / "Documents", Path.cwd()


def test_the_folder_used_last_is_where_the_next_dialog_opens_and_stays_off_the_disk(
    qtbot: QtBot, session: Session, home: Path, tmp_path: Path
) -> None:
    """A list of people opened from a folder named after a person: the logo's dialog opens
    there next, in this login only. Qt's own dialog wrote the folder into the settings all
    Qt programs of the user share (QtProject.conf, unencrypted); what was there is put back.
    A folder chosen is where the next one opens: "Publish" finds the folder "Export" wrote."""
    qt = QSettings(QSettings.Scope.UserScope, "QtProject")
    qt.setValue("FileDialog/lastVisited", "file:///srv/another-programs-folder")
    qt.sync()
    private = home / "Documents" / "Petrov Ivan"
    private.mkdir()
    listed = private / "clients.csv"
    listed.write_text(CSV, encoding="utf-8-sig")
    window = shown_window(qtbot, session)
    wizard = PeopleImportWizard(window.session, window.tasks, window)
    _shown(qtbot, wizard)
    wizard.file_page.browse.click()
    chooser = save_dialog_shown()
    assert chooser is not None
    wizard.grab().save(str(tmp_path / "import.png"))
    chooser.grab().save(str(tmp_path / "open-dialog.png"))
    answer_save_dialog(qtbot, listed)
    assert wizard.file_page.path.text() == str(listed)
    qtbot.waitUntil(lambda: not shiboken6.isValid(chooser), timeout=10_000)  # deleted
    qt = QSettings(QSettings.Scope.UserScope, "QtProject")
    assert qt.value("FileDialog/lastVisited") == "file:///srv/another-programs-folder"
    assert qt.value("FileDialog/history") is None
    settings_folder = Path(qt.fileName()).parent
    for path in (p for p in settings_folder.rglob("*") if p.is_file()):
        assert b"Petrov" not in path.read_bytes(), path
    wizard.reject()

    assert _folder_opened(qtbot, _logo(qtbot, window)) == private
    # another login (a switch of user opens a new main window) starts in the documents
    other = shown_window(qtbot, session)
    assert _folder_opened(qtbot, _logo(qtbot, other)) == home / "Documents"

    exported = home / "Documents" / "directory"
    exported.mkdir()
    directory = _directory(qtbot, window)
    directory.export_button.click()
    answer_save_dialog(qtbot, exported)
    qtbot.waitUntil(lambda: any(exported.iterdir()), timeout=10_000)
    directory.grab().save(str(tmp_path / "directory.png"))
    assert _folder_opened(qtbot, directory.publish_button) == exported


def test_a_data_copy_folder_typed_is_where_its_dialog_opens(
    qtbot: QtBot, session: Session, home: Path
) -> None:
    """The folder already typed beside "Choose…" is where the dialog starts, as before."""
    typed = home / "copies"
    typed.mkdir()
    window = shown_window(qtbot, session)
    dialog = ExportDialog(_person(window.session), window)
    _shown(qtbot, dialog)
    dialog.folder.setText(str(typed))
    assert _folder_opened(qtbot, _button(dialog, "&Choose…")) == typed
    dialog.folder.setText(str(home / "not there"))
    assert _folder_opened(qtbot, _button(dialog, "&Choose…")) == home / "Documents"
