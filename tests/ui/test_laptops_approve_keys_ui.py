"""A new laptop approved by keys only in the Laptops dialog (Bulgarian, a real server on
127.0.0.1): the focus stays in the dialog's work, not on Close. Every control greyed while the
server answered handed it on to Close, where it stayed: Enter, the next key, closed the dialog."""

from __future__ import annotations

from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication, QDialogButtonBox
from pytestqt.qtbot import QtBot

from desktop_app.domain.users import Role
from desktop_app.i18n.text import set_language
from desktop_app.usecases import sync as sync_uc
from tests.integration.sync_harness import Laptops, ServerProcess, device_id
from tests.ui.conftest import alt_access_key, shown_window
from tests.ui.laptops_dialog import open_laptops


def test_approving_by_keys_leaves_the_focus_off_close(
    qtbot: QtBot, server: ServerProcess, laptops: Laptops
) -> None:
    coordinator = laptops.new("Координация")
    fresh = laptops.account("Outreach Hbf 2")
    code = server.enroll("Outreach Hbf 2")
    assert sync_uc.join(fresh.store, server.base_url, code, "Outreach Hbf 2").status == "pending"
    set_language("bg")
    window = shown_window(qtbot, coordinator)
    dialog = open_laptops(qtbot, window)
    assert dialog.list.currentItem().text().startswith("Outreach Hbf 2 · ")  # chosen already
    alt_access_key(dialog, dialog.fingerprint_label.text())
    assert QApplication.focusWidget() is dialog.fingerprint
    QTest.keyClicks(dialog.fingerprint, sync_uc.fingerprint(fresh.store))
    advisors = dialog.role_buttons[Role.ADVISOR]
    alt_access_key(dialog, advisors.text())
    qtbot.waitUntil(advisors.isChecked, timeout=5000)  # Alt+letter clicks after a moment
    assert QApplication.focusWidget() is advisors
    with qtbot.waitSignal(dialog.calls.idle, timeout=30_000):
        alt_access_key(dialog, dialog.approve.text())
    assert not dialog.error.text()
    assert server.device_status(device_id(fresh)) == "approved"
    box = dialog.findChild(QDialogButtonBox)
    assert box is not None
    close = box.button(QDialogButtonBox.StandardButton.Close)
    assert QApplication.focusWidget() is not close
    assert QApplication.focusWidget() is advisors  # where it was
    dialog.close()
    window.close()
