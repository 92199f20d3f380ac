"""The Laptops dialog asks who uses a new laptop before approving it, and a laptop approved for
student helpers shows its first account a helper's menus once the key arrived (pytest-qt,
offscreen, a real server process on 127.0.0.1)."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QMessageBox, QRadioButton
from pytestqt.qtbot import QtBot

from desktop_app.domain.users import Role
from desktop_app.i18n.text import _, set_language
from desktop_app.ui.main_window import MainWindow
from desktop_app.ui.sync_status import DevicesDialog
from desktop_app.usecases import sync as sync_uc
from tests.integration.sync_harness import (
    Laptops,
    ServerProcess,
    approve_and_confirm,
    device_id,
)
from tests.ui.conftest import menu_bar_texts, replacing_window, shown_window, type_text


def test_approve_stays_disabled_until_who_uses_the_laptop_is_chosen(
    qtbot: QtBot, server: ServerProcess, laptops: Laptops, shots: Path
) -> None:
    a = laptops.new("A")
    b = laptops.account("B")
    sync_uc.join(b.store, server.base_url, server.enroll("B"), "Laptop Ioana")
    c = laptops.account("C")
    sync_uc.join(c.store, server.base_url, server.enroll("C", coordinator=True), "Büro Süd")
    for lang in ("de", "bg", "en"):
        set_language(lang)
        try:
            window = shown_window(qtbot, a, width=1024)
            dialog = DevicesDialog(window.sync, window)  # type: ignore[attr-defined]
            qtbot.addWidget(dialog)
            dialog.show()
            qtbot.waitUntil(
                lambda d=dialog: not d.busy and d.list.count() == 3,  # type: ignore[misc]
                timeout=10_000,
            )
            rows = {
                dialog.list.item(i).text().split(" · ")[0]: i for i in range(dialog.list.count())
            }
            # An ordinary code: nothing chosen, Approve grey, and the tooltip says why.
            dialog.list.setCurrentRow(rows["Laptop Ioana"])
            assert dialog.chosen_role() is None
            type_text(dialog.fingerprint, sync_uc.fingerprint(b.store))
            assert not dialog.approve.isEnabled()
            assert dialog.approve.toolTip() == _("Choose who uses the new laptop first.")
            assert all(button.isEnabled() for button in dialog.role_buttons.values())
            # Keyboard: from the fingerprint, Tab reaches the choice; Space picks a role.
            dialog.activateWindow()
            dialog.fingerprint.setFocus()
            qtbot.keyClick(dialog.fingerprint, Qt.Key.Key_Tab)
            focused = QApplication.focusWidget()
            assert isinstance(focused, QRadioButton) and focused in dialog.role_buttons.values()
            dialog.role_buttons[Role.HELPER].setFocus()
            qtbot.keyClick(dialog.role_buttons[Role.HELPER], Qt.Key.Key_Space)
            assert dialog.chosen_role() is Role.HELPER
            assert dialog.approve.isEnabled() and dialog.approve.toolTip() == ""
            dialog.grab().save(str(shots / f"laptops-role-{lang}.png"))
            assert dialog.width() <= 1024
            # A coordinator's code: only "Coordinators" fits, chosen already.
            dialog.list.setCurrentRow(rows["Büro Süd"])
            assert dialog.chosen_role() is Role.COORDINATOR
            assert not dialog.role_buttons[Role.HELPER].isEnabled()
            assert not dialog.role_buttons[Role.ADVISOR].isEnabled()
            # Back to the ordinary laptop: chosen anew.
            dialog.list.setCurrentRow(rows["Laptop Ioana"])
            assert dialog.chosen_role() is None and not dialog.approve.isEnabled()
            dialog.close()
            window.close()
        finally:
            set_language("en")
    # Approved for student helpers: the list says so beside its status.
    window = shown_window(qtbot, a, width=1024)
    dialog = DevicesDialog(window.sync, window)  # type: ignore[attr-defined]
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitUntil(lambda: not dialog.busy and dialog.list.count() == 3, timeout=10_000)
    rows = {dialog.list.item(i).text().split(" · ")[0]: i for i in range(dialog.list.count())}
    dialog.list.setCurrentRow(rows["Laptop Ioana"])
    type_text(dialog.fingerprint, sync_uc.fingerprint(b.store))
    dialog.role_buttons[Role.HELPER].setChecked(True)
    dialog.approve.click()
    qtbot.waitUntil(lambda: not dialog.busy and not dialog.renewed.isHidden(), timeout=10_000)
    qtbot.waitUntil(lambda: not dialog.busy, timeout=10_000)
    texts = [dialog.list.item(i).text() for i in range(dialog.list.count())]
    assert any(t.startswith("Laptop Ioana · approved · Student helpers · ") for t in texts)
    assert server.device_status(device_id(b)) == "approved"
    dialog.close()
    window.close()


def test_once_the_key_arrives_the_first_account_sees_a_helpers_menus(
    qtbot: QtBot, laptops: Laptops, shots: Path
) -> None:
    a = laptops.new("A")
    b = laptops.new("B", approve=False)
    # Not handed to qtbot: it is replaced and deleted (``follow_laptop_role``).
    window = MainWindow(b)
    window.show()
    qtbot.waitExposed(window)
    before = menu_bar_texts(window)
    assert "&Audit log…" in before and "&Users…" in before  # its first account: coordinator
    approve_and_confirm(a, b, role=Role.HELPER)
    with qtbot.waitSignal(window.sync.sync_finished, timeout=30_000):  # type: ignore[attr-defined]
        window.sync.start()  # type: ignore[attr-defined]
    new = replacing_window(qtbot, window)
    assert new.session.user.role is Role.HELPER
    after = menu_bar_texts(new)
    assert "&Audit log…" not in after and "&Backup…" not in after
    assert "&Users…" in after  # the laptop's accounts stay with its first account
    box = new.findChild(QMessageBox, "lowered_role")
    assert box is not None
    assert box.text() == (
        "This laptop was approved for student helpers: you work here as a student helper."
    )
    box.grab().save(str(shots / "lowered-role-en.png"))
    box.accept()
    new.close()
