"""The coordinator's Laptops dialog as the tests open it: shown over the main window, active,
the server's list of laptops arrived."""

from __future__ import annotations

from pytestqt.qtbot import QtBot

from desktop_app.ui.main_window import MainWindow
from desktop_app.ui.sync_status import DevicesDialog


def open_laptops(qtbot: QtBot, window: MainWindow, count: int | None = None) -> DevicesDialog:
    """The dialog shown and active (the keys in it), once the server listed its laptops
    (``count`` of them, where given)."""
    dialog = DevicesDialog(window.sync, window)  # type: ignore[attr-defined]
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitExposed(dialog)
    dialog.activateWindow()
    qtbot.waitUntil(dialog.isActiveWindow, timeout=5000)
    listed = (lambda: True) if count is None else (lambda: dialog.list.count() == count)
    qtbot.waitUntil(lambda: not dialog.busy and listed(), timeout=20_000)
    return dialog


def chosen(dialog: DevicesDialog) -> str:
    """The name of the laptop chosen in the list ("" for none)."""
    item = dialog.list.currentItem()
    return item.text().split(" · ")[0] if item is not None else ""
