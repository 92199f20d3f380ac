"""Back in the Laptops dialog after a laptop was stolen and revoked (opened anew, in Bulgarian,
by keys): the revoked laptop chosen says what was lost with it (recorded after its last sync,
the forms left unfinished on it) and what to do. It was said once, at the revocation, and gone
at the next approval or when the dialog was opened again. A real server on 127.0.0.1."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from pytestqt.qtbot import QtBot

from desktop_app.domain.person import PersonDraft
from desktop_app.domain.users import Role
from desktop_app.i18n.text import set_language
from desktop_app.usecases import people
from desktop_app.usecases import sync as sync_uc
from tests.integration.sync_harness import Laptops, ServerProcess, device_id
from tests.ui.conftest import shown_window
from tests.ui.laptops_dialog import chosen, open_laptops


def test_the_revoked_laptop_chosen_says_what_was_lost_with_it(
    qtbot: QtBot, server: ServerProcess, laptops: Laptops
) -> None:
    coordinator = laptops.new("Координация")
    stolen = laptops.new("Outreach Hbf", role=Role.ADVISOR)
    laptops.new("Laptop Beratung", role=Role.ADVISOR)
    laptops.sync()
    people.register_person(stolen.store, stolen.user, PersonDraft("Ion", "Nesincronizat"))
    sync_uc.revoke_device(coordinator.store, coordinator.user, device_id(stolen))
    sync_uc.rotate_team_key(coordinator.store, coordinator.user)
    set_language("bg")
    window = shown_window(qtbot, coordinator)
    dialog = open_laptops(qtbot, window, 3)
    assert dialog.revoked_note.isHidden()
    while chosen(dialog) != "Outreach Hbf":
        QTest.keyClick(dialog.list, Qt.Key.Key_Down)
    line = dialog.list.currentItem().text()
    # (then what it could hold, as the server counted it at the revocation)
    when = line.split("Синхронизирано ")[1].split(" · ")[0]
    note = dialog.revoked_note
    assert note.isVisible()
    assert note.text().startswith(
        f"Записаното на „Outreach Hbf“ след последната му синхронизация ({when}) не е стигнало "
        "до сървъра, както и неприключените формуляри на него."
    ), note.text()
    assert "попитайте човека, който е работил на него" in note.text()
    # Under the list, the dialog grown to hold it: it was drawn over the laptops below.
    qtbot.waitUntil(lambda: note.y() > dialog.list.geometry().bottom(), timeout=5000)
    qtbot.waitUntil(lambda: dialog.fingerprint_label.y() >= note.geometry().bottom(), timeout=5000)
    # Another laptop chosen: the note goes.
    QTest.keyClick(dialog.list, Qt.Key.Key_Down)
    assert chosen(dialog) == "Laptop Beratung" and note.isHidden()
    QTest.keyClick(dialog.list, Qt.Key.Key_Up)
    assert note.isVisible()
    dialog.close()
    window.close()
