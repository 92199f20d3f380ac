"""The features that plug into the main window, in menu order.

Each entry is ``install(window: MainWindow) -> None``: it adds its actions, buttons, tabs and
status-bar widgets, and connects to ``window.retranslated`` and
``window.person_page.person_changed``.
One line per feature keeps the main window free of feature code.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from desktop_app.ui import (
    accounts,
    audit,
    case_access,
    data_rights,
    directory,
    lock,
    people_import,
    person_dialog,
    referrals,
    reports,
    settings,
    sync_status,
    visits,
)

if TYPE_CHECKING:
    from desktop_app.ui.main_window import MainWindow

FEATURES: list[Callable[[MainWindow], None]] = [
    visits.install,
    referrals.install,
    person_dialog.install,
    sync_status.install,
    accounts.install,
    data_rights.install,
    case_access.install,
    audit.install,
    lock.install,
    people_import.install,
    settings.install,
    reports.install,
    directory.install,
]
