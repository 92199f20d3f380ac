"""The Laptops dialog lists a laptop that joined while it was open: a coordinator, on the phone
with whoever set up the replacement of a stolen laptop, saw nothing come (the list was asked
for only when the dialog opened; a sync, F5 or waiting did not list it). By keys only, in
Bulgarian, with a real server on 127.0.0.1."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from pytestqt.qtbot import QtBot

from desktop_app.domain.users import Role
from desktop_app.i18n.text import set_language
from desktop_app.usecases import sync as sync_uc
from tests.integration.sync_harness import Laptops, ServerProcess, device_id
from tests.ui.conftest import alt_access_key, shown_window
from tests.ui.laptops_dialog import chosen, open_laptops


def test_a_laptop_that_joins_while_the_dialog_is_open_is_listed_and_chosen(
    qtbot: QtBot, server: ServerProcess, laptops: Laptops
) -> None:
    coordinator = laptops.new("Координация")
    stolen = laptops.new("Outreach Hbf", role=Role.ADVISOR)
    laptops.sync()
    set_language("bg")
    window = shown_window(qtbot, coordinator)
    dialog = open_laptops(qtbot, window)
    assert dialog.list.count() == 2 and dialog.list.hasFocus()
    QTest.keyClick(dialog.list, Qt.Key.Key_Down)
    QTest.keyClick(dialog.list, Qt.Key.Key_Down)
    assert chosen(dialog) == "Outreach Hbf"

    # The replacement joins, elsewhere, while the dialog is open.
    fresh = laptops.account("Outreach Hbf 2")
    code = server.enroll("Outreach Hbf 2")
    assert sync_uc.join(fresh.store, server.base_url, code, "Outreach Hbf 2").status == "pending"
    assert dialog.refresh_list.text() == "Обновяване на списъка с &лаптопи"
    with qtbot.waitSignal(dialog.calls.idle, timeout=30_000):
        alt_access_key(dialog, dialog.refresh_list.text())
    names = [dialog.list.item(i).text().split(" · ")[0] for i in range(dialog.list.count())]
    assert names == ["Координация", "Outreach Hbf", "Outreach Hbf 2"]
    # The laptop to approve is chosen, the keys on the list: its fingerprint typed at once.
    assert chosen(dialog) == "Outreach Hbf 2" and dialog.list.hasFocus()

    # Approved: the list asked for again keeps it chosen (the keys stayed nowhere before).
    dialog.fingerprint.setText(sync_uc.fingerprint(fresh.store))
    dialog.role_buttons[Role.ADVISOR].setChecked(True)
    with qtbot.waitSignal(dialog.calls.idle, timeout=30_000):
        dialog.approve.click()
    assert not dialog.error.text()
    assert server.device_status(device_id(fresh)) == "approved"
    assert chosen(dialog) == "Outreach Hbf 2"
    # Another chosen is kept at a refresh when no laptop waits.
    dialog.list.setFocus()
    QTest.keyClick(dialog.list, Qt.Key.Key_Up)
    assert chosen(dialog) == "Outreach Hbf"
    with qtbot.waitSignal(dialog.calls.idle, timeout=30_000):
        alt_access_key(dialog, dialog.refresh_list.text())
    assert chosen(dialog) == "Outreach Hbf"
    assert device_id(stolen)  # still listed, approved
    dialog.close()
    window.close()
