"""The one place that knows where Welcome Desk's files live: packaged resources and user data."""

from __future__ import annotations

import contextlib
import os
import sys
from pathlib import Path
from typing import NamedTuple

APP_NAME = "WelcomeDesk"


def project_root() -> Path:
    """Folder holding ``resources/`` and ``translations/`` (the bundle folder when frozen)."""
    frozen = getattr(sys, "_MEIPASS", None)
    if frozen:
        return Path(frozen)
    return Path(__file__).resolve().parent.parent


def resources_dir() -> Path:
    return project_root() / "resources"


def resource(*parts: str) -> Path:
    return resources_dir().joinpath(*parts)


def translations_dir() -> Path:
    return project_root() / "translations"


def default_data_dir() -> Path:
    """Per-user data folder (e.g. ``~/.local/share/WelcomeDesk`` on Linux)."""
    import platformdirs  # here: a start with --data-dir needs it only after its first paint

    return Path(platformdirs.user_data_dir(APP_NAME, appauthor=False))


# The data folder every start works on when the command line names none (``--data-dir`` still
# wins): the default one, until the coordinator opened a restored backup's folder from the
# window. That choice is kept in this file beside the default folder (not in it: a restore
# wants an empty folder; not in QSettings: the command line and the --password-stdin start,
# which unlocks before Qt has loaded, read it without Qt), one line, the folder's path.
DATA_DIR_CHOICE = f"{APP_NAME}-data-folder.txt"


def data_dir_choice_file() -> Path:
    return default_data_dir().parent / DATA_DIR_CHOICE


class DataDirChoice(NamedTuple):
    """The data folder a start works on (``folder``) and the one chosen in the window
    (``remembered``; None when the command line named the folder or none was chosen). Both
    differ when the chosen folder holds no store: ``folder`` is then the default one."""

    folder: Path
    remembered: Path | None = None


def choose_data_dir(given: Path | None) -> DataDirChoice:
    """The data folder of every start, the window's and each command's: ``--data-dir``
    (``given``), else the one chosen in the window while it holds a store, else the default.
    A chosen folder without a store (a stick not plugged in) is passed over: a store would be
    set up in it, or a command would say there is none, while the data is elsewhere."""
    if given is not None:
        return DataDirChoice(given)
    remembered = remembered_data_dir()
    if remembered is None:
        return DataDirChoice(default_data_dir())
    from desktop_app.storage.layout import StorePaths

    if StorePaths(remembered).is_initialised():
        return DataDirChoice(remembered, remembered)
    return DataDirChoice(default_data_dir(), remembered)


def remembered_data_dir() -> Path | None:
    """The data folder chosen in the window (``remember_data_dir``), None if none was."""
    try:
        saved = data_dir_choice_file().read_text(encoding="utf-8").rstrip("\r\n")
    except (OSError, UnicodeDecodeError):  # none chosen (or unreadable): the default folder
        return None
    return Path(saved) if saved else None


def remember_data_dir(folder: Path) -> None:
    """Every later start works on ``folder`` (``choose_data_dir``); the default folder is
    remembered by forgetting the choice. Written whole or not at all (an interrupted write
    must not leave half a path, which would open nothing). Raises ``OSError`` where the
    choice cannot be written (a read-only home folder): the caller says which folder the next
    start opens instead (``choose_data_dir``)."""
    choice = data_dir_choice_file()
    folder = folder.absolute()
    if folder == default_data_dir().absolute():
        choice.unlink(missing_ok=True)
        return
    choice.parent.mkdir(parents=True, exist_ok=True)
    partial = choice.with_name(choice.name + ".part")
    try:
        partial.write_text(f"{folder}\n", encoding="utf-8")
        os.replace(partial, choice)
    except OSError:
        with contextlib.suppress(OSError):  # no half-written part left where one was made
            partial.unlink(missing_ok=True)
        raise
