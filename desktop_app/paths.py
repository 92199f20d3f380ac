"""The one place that knows where Welcome Desk's files live: packaged resources and user data."""

from __future__ import annotations

import sys
from pathlib import Path

import platformdirs

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
    return Path(platformdirs.user_data_dir(APP_NAME, appauthor=False))


# The data folder the window opens when the command line names none (``--data-dir`` still
# wins): the default one, until the coordinator opened a restored backup's folder from the
# window, which it then keeps in its settings (QSettings) under this key.
DATA_DIR_SETTING = "storage/data_dir"
