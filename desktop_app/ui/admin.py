"""The coordinator's "Administration" menu, shared by the security features."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtWidgets import QMenu

from desktop_app.i18n.text import _

if TYPE_CHECKING:
    from desktop_app.ui.main_window import MainWindow


def admin_menu(window: MainWindow) -> QMenu:
    """The menu, created on first use before the Language menu."""
    menu = getattr(window, "admin_menu", None)
    if isinstance(menu, QMenu):
        return menu
    menu = QMenu(window)
    window.menuBar().insertMenu(window.language_menu.menuAction(), menu)
    window.admin_menu = menu  # type: ignore[attr-defined]

    def retranslate() -> None:
        menu.setTitle(_("&Administration"))

    window.retranslated.connect(retranslate)
    retranslate()
    return menu
