"""Where the user saves a file (a letter, a report, a backup), opens one (a logo, a list of
people) or chooses a folder: Qt's own file dialog, opened without blocking, in the documents
folder or the folder last used in this login."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import QSettings, QStandardPaths, Qt
from PySide6.QtWidgets import QFileDialog, QMessageBox, QWidget

from desktop_app.i18n.text import _

#: the dynamic property of the main window that holds the folder last used
FOLDER_PROPERTY = "welcome_desk_save_folder"
#: what Qt's own file dialog writes of the folders it saw, unencrypted, into the settings of
#: every Qt program of the user (QtProject.conf), when it is deleted; it cannot be turned off
QT_DIALOG_KEYS = ("FileDialog/history", "FileDialog/lastVisited")


def _root(widget: QWidget) -> QWidget:
    """The main window ``widget`` belongs to (the top of its parents): a switch of user
    opens a new one, so the folder remembered goes with the login that chose it."""
    while (parent := widget.parentWidget()) is not None:
        widget = parent
    return widget


def documents_folder() -> Path:
    """The user's documents folder, else their home folder (a fresh account may have none)."""
    found = QStandardPaths.writableLocation(QStandardPaths.StandardLocation.DocumentsLocation)
    if found and Path(found).is_dir():
        return Path(found)
    return Path.home()


def start_folder(parent: QWidget) -> Path:
    """The folder a file dialog of ``parent`` opens in: the one last saved to, opened from
    or chosen in this login while it is there, else the documents folder. The program's
    working folder was the start before: the installation's folder, or wherever the
    shortcut started it."""
    kept = _root(parent).property(FOLDER_PROPERTY)
    if isinstance(kept, str) and kept and Path(kept).is_dir():
        return Path(kept)
    return documents_folder()


def _keep_folders_off_the_disk(dialog: QFileDialog) -> None:
    """Put back what Qt's settings held of the file dialog's folders before ``dialog`` was
    opened, once it is deleted: it wrote the folder saved to ("…/Petrov Ivan") into them
    unencrypted, where a copy of the disk shows it without a password (architecture.md,
    at rest 1). The other Qt programs of the user keep their own last folders."""
    settings = QSettings(QSettings.Scope.UserScope, "QtProject")
    before = {key: settings.value(key) for key in QT_DIALOG_KEYS}

    def put_back() -> None:
        settings = QSettings(QSettings.Scope.UserScope, "QtProject")
        for key, value in before.items():
            if value is None:
                settings.remove(key)
            else:
                settings.setValue(key, value)
        settings.sync()

    dialog.destroyed.connect(put_back)


def _file_dialog(
    parent: QWidget,
    title: str,
    folder: Path,
    name_filter: str,
    chosen: Callable[[Path], object],
    kept: Callable[[Path], Path],
) -> QFileDialog:
    """Qt's own file dialog for ``parent`` in ``folder``, deleted once closed; ``chosen``
    gets the path chosen, and ``kept(path)`` is the folder the next dialog opens in.

    Window-modal and opened with ``open()``, not ``exec()``: the static
    ``QFileDialog.getSaveFileName`` ran a nested event loop, which a test typing into it
    could not get out of (it hung for 300 s). Qt's own dialog, not the desktop's, so it is
    the same on every system and can be used by keys alike.

    The folder is remembered in memory only, for this login: in the settings it would be
    written unencrypted to the disk, and a folder's name can be a person's name."""
    dialog = QFileDialog(parent, title, str(folder), name_filter)
    dialog.setOption(QFileDialog.Option.DontUseNativeDialog, True)
    dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
    root = _root(parent)

    def on_file_selected(name: str) -> None:
        path = Path(name)
        root.setProperty(FOLDER_PROPERTY, str(kept(path)))
        chosen(path)

    dialog.fileSelected.connect(on_file_selected)
    # The keys go back to the window it was opened from, as after a print (the closed dialog
    # left no window active, and Alt+letter did nothing until the window was clicked).
    dialog.finished.connect(lambda _result: parent.window().activateWindow())
    _keep_folders_off_the_disk(dialog)
    return dialog


def ask_save_path(
    parent: QWidget,
    title: str,
    file_name: str,
    chosen: Callable[[Path], object],
    *,
    name_filter: str = "",
    suffix: str = "",
) -> QFileDialog:
    """Open a save dialog for ``file_name`` (a name without a folder) and return at once;
    ``chosen`` gets the path once the user chose one (nothing happens on Cancel or Esc).
    It asks before it replaces a file. ``suffix`` (without the dot) is added to a name typed
    without one."""
    dialog = _file_dialog(
        parent, title, start_folder(parent), name_filter, chosen, lambda path: path.parent
    )
    dialog.setAcceptMode(QFileDialog.AcceptMode.AcceptSave)
    dialog.setFileMode(QFileDialog.FileMode.AnyFile)
    if suffix:
        dialog.setDefaultSuffix(suffix)
    dialog.selectFile(file_name)
    dialog.open()
    return dialog


def ask_open_path(
    parent: QWidget, title: str, chosen: Callable[[Path], object], *, name_filter: str = ""
) -> QFileDialog:
    """Open a dialog to choose a file that exists and return at once; ``chosen`` gets its
    path (nothing happens on Cancel or Esc)."""
    dialog = _file_dialog(
        parent, title, start_folder(parent), name_filter, chosen, lambda path: path.parent
    )
    dialog.setAcceptMode(QFileDialog.AcceptMode.AcceptOpen)
    dialog.setFileMode(QFileDialog.FileMode.ExistingFile)
    dialog.open()
    return dialog


def ask_folder(
    parent: QWidget, title: str, chosen: Callable[[Path], object], *, typed: str = ""
) -> QFileDialog:
    """Open a dialog to choose a folder and return at once; ``chosen`` gets it (nothing
    happens on Cancel or Esc). It opens in ``typed``, a folder already typed into the
    field beside the button, if that is one, and the next dialog opens in the folder
    chosen: "Publish" finds the folder "Export" wrote to without a search."""
    folder = Path(typed.strip()) if typed.strip() and Path(typed.strip()).is_dir() else None
    dialog = _file_dialog(
        parent, title, folder or start_folder(parent), "", chosen, lambda path: path
    )
    dialog.setAcceptMode(QFileDialog.AcceptMode.AcceptOpen)
    dialog.setFileMode(QFileDialog.FileMode.Directory)
    dialog.setOption(QFileDialog.Option.ShowDirsOnly, True)
    dialog.open()
    return dialog


def save_failed(
    parent: QWidget, title: str, text: str, choose_again: Callable[[], object]
) -> QMessageBox:
    """Say that a file could not be written where the user chose (``text``: which file,
    where, why and what to do, as ``failure_message`` says it), and offer to choose another
    place (``choose_again``), the default; Cancel leaves it. Window-modal, not blocking. A
    letter's write went to the general error handler: "An unexpected error occurred", with
    the letter still unsaved and no way on but to start again."""
    box = QMessageBox(parent)
    box.setIcon(QMessageBox.Icon.Warning)
    box.setWindowTitle(title)
    box.setTextFormat(Qt.TextFormat.PlainText)  # a path may hold any character
    box.setText(text)
    again = box.addButton(_("&Choose another place…"), QMessageBox.ButtonRole.AcceptRole)
    cancel = box.addButton(QMessageBox.StandardButton.Cancel)
    box.setDefaultButton(again)
    box.setEscapeButton(cancel)
    box.finished.connect(lambda _result: choose_again() if box.clickedButton() is again else None)
    box.open()
    return box
