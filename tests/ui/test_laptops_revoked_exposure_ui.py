"""A stolen laptop revoked in the Laptops dialog (German): what it could hold, for a GDPR
Art. 33 assessment, said at the revocation and again whenever the revoked laptop is chosen:
how many people's records it had been sent by its last sync (as the server counted them), when
that was, and that they are encrypted on it. A real server on 127.0.0.1, real laptops."""

from __future__ import annotations

from pathlib import Path

from pytestqt.qtbot import QtBot

from desktop_app.domain.users import Role
from desktop_app.i18n.text import set_language
from desktop_app.ui.sync_status import laptop_last_sync
from desktop_app.usecases import sync as sync_uc
from tests.integration.sync_harness import Laptops, ServerProcess, add_person
from tests.ui.conftest import shown_window
from tests.ui.laptops_dialog import chosen, open_laptops

ENCRYPTED = (
    "Auf dem Laptop liegen sie in einer verschlüsselten Datenbank (SQLCipher), die sich nur mit "
    "dem Passwort eines seiner Konten oder mit seinem Wiederherstellungscode öffnen lässt."
)

# Who the server's figure leaves out: people erased after its last sync (their records went
# from the server with the erasure; the revoked laptop never receives it).
NOT_COUNTED = (
    "Nicht mitgezählt: Personen, die nach seiner letzten Synchronisierung auf ihren Wunsch "
    "gelöscht wurden. Der Server behält nichts von ihnen, das er zählen könnte, und ein "
    "gesperrter Laptop erhält ihre Löschung nie: Er kann ihre Daten noch enthalten."
)


def test_revoking_a_stolen_laptop_says_how_many_people_it_could_hold(
    qtbot: QtBot, server: ServerProcess, laptops: Laptops, shots: Path
) -> None:
    coordinator = laptops.new("Büro")
    laptops.new("Outreach Hbf", role=Role.ADVISOR)
    for i in range(4):
        add_person(coordinator, f"Ana {i}", "Popescu", f"1990-01-0{i + 1}")
    laptops.sync()
    add_person(coordinator, "Ivan", "Petrov", "1985-05-05")  # after the stolen one's last sync
    laptops.sync(coordinator)
    listed = {d.name: d for d in sync_uc.list_devices(coordinator.store, coordinator.user)}
    assert listed["Outreach Hbf"].pulled_at is not None
    # Its last sync as the list and the note say it: the later of its last request and its
    # last pull (noted at once; a request to the half minute).
    when = laptop_last_sync(listed["Outreach Hbf"])
    set_language("de")
    window = shown_window(qtbot, coordinator)
    dialog = open_laptops(qtbot, window, 2)
    while chosen(dialog) != "Outreach Hbf":
        dialog.list.setCurrentRow(dialog.list.currentRow() + 1)
    dialog.revoke.click()
    question = dialog.revoke_question
    assert question is not None
    confirm = next(
        b for b in question.buttons() if b.text() == "Sperren und Teamschlüssel erneuern"
    )
    with qtbot.waitSignal(dialog.calls.idle, timeout=20_000):  # revoked, renewed, listed again
        confirm.click()
    qtbot.waitUntil(lambda: not dialog.busy, timeout=20_000)
    assert not dialog.error.text()
    # At once, on its line in the list: 4 people, not the one written after its last sync.
    assert chosen(dialog) == "Outreach Hbf"
    line = dialog.list.currentItem().text()
    assert line.endswith(f"Zuletzt synchronisiert {when} · Daten von mindestens 4 Personen"), line
    assert f"nach seiner letzten Synchronisierung ({when})" in dialog.renewed.text()
    dialog.grab().save(str(shots / "laptops-revoked-held-de.png"))
    dialog.close()

    # Opened anew: the revoked laptop chosen says it in full.
    dialog = open_laptops(qtbot, window, 2)
    assert dialog.revoked_note.isHidden()
    while chosen(dialog) != "Outreach Hbf":
        dialog.list.setCurrentRow(dialog.list.currentRow() + 1)
    qtbot.waitUntil(dialog.revoked_note.isVisible, timeout=5000)
    note = dialog.revoked_note.text()
    assert f"nach seiner letzten Synchronisierung ({when})" in note, note
    assert (
        "Bis zu seiner letzten Synchronisierung hatte „Outreach Hbf“ die Daten von mindestens "
        f"4 Personen erhalten. {NOT_COUNTED} {ENCRYPTED}"
    ) in note, note
    assert note.endswith("Welcome Desk gespeichert wurden, schützt sie nicht."), note
    dialog.grab().save(str(shots / "laptops-revoked-chosen-de.png"))
    dialog.close()
    window.close()
