"""The Laptops dialog and the status bar of a coordinator's laptop whose registered public key
the server's operator swapped: renewing the team key is refused (``sender_not_uploader``), and
the window says why and whom to tell, in the user's language. It said "The team key was not
renewed yet: renew it here as soon as the server can be reached." above "The sync server
refused the request. If it happens again, ask your coordinator.", and the status bar asked to
finish the renewal. Real server process on 127.0.0.1, real stores, real widgets offscreen."""

from __future__ import annotations

from pathlib import Path

from pytestqt.qtbot import QtBot

from desktop_app.i18n.text import set_language
from desktop_app.sync import crypto
from desktop_app.ui.sync_status import DevicesDialog
from tests.integration.sync_harness import Laptops, ServerProcess, active_key_id
from tests.integration.test_key_swapped_refusal import SAID
from tests.integration.test_sync_rotation_trust import _swap_key
from tests.ui.test_sync_ui import _laptops_dialog

STATUS = (
    "auf dem Server ist ein anderer Schlüssel für diesen Laptop hinterlegt: Informieren Sie die "
    "Administration Ihres Teams (Datei → Laptops der Organisation)"
)


def test_the_laptops_dialog_says_the_server_holds_another_key_for_this_laptop(
    qtbot: QtBot, laptops: Laptops, server: ServerProcess, shots: Path
) -> None:
    a = laptops.new("A")
    laptops.new("B")  # a laptop of the team, to be given the new key
    laptops.sync()
    in_use = active_key_id(a)
    _swap_key(server, a, crypto.DeviceKeys.generate())
    set_language("de")
    try:
        window, dialog = _laptops_dialog(qtbot, a)
        dialog.show()
        qtbot.waitUntil(lambda: not dialog.busy, timeout=10_000)
        dialog.renew.click()
        qtbot.waitUntil(lambda: not dialog.busy and bool(dialog.error.text()), timeout=10_000)
        assert SAID["de"] in dialog.error.text()
        assert dialog.renewed.text() == "Der Teamschlüssel wurde nicht erneuert."
        assert "sobald der Server erreichbar" not in dialog.renewed.text()
        assert active_key_id(a) == in_use
        dialog.grab().save(str(shots / "laptops-dialog-key-refused-de.png"))
        controller = dialog.controller
        controller.refresh()
        qtbot.waitUntil(lambda: STATUS in controller.label.text(), timeout=10_000)
        assert "nicht abgeschlossen" not in controller.label.text()
        dialog.close()
        # Opened again later: said again, not "renew it here as soon as ...".
        again = DevicesDialog(controller, window)
        qtbot.addWidget(again)
        assert again.renewed.text() == "Der Teamschlüssel wurde nicht erneuert."
        assert SAID["de"] in again.error.text()
        qtbot.waitUntil(lambda: not again.busy, timeout=10_000)
        again.close()
        window.close()
    finally:
        set_language("en")


def test_the_laptops_dialog_says_a_refused_approval_without_a_renewal_not_done(
    qtbot: QtBot, laptops: Laptops, server: ServerProcess, shots: Path
) -> None:
    """An approval refused so is kept as a renewal's refusal is (``own_key_refused``): the
    dialog opened later says it, but not "The team key was not renewed.", as none was asked."""
    import pytest

    from desktop_app.domain.users import Role
    from desktop_app.sync.http_client import Forbidden
    from desktop_app.usecases import sync as sync_uc
    from tests.integration.sync_harness import device_id

    a = laptops.new("A")
    n = laptops.new("N", approve=False)
    _swap_key(server, a, crypto.DeviceKeys.generate())
    with pytest.raises(Forbidden):
        sync_uc.approve_device(
            a.store, a.user, device_id(n), sync_uc.fingerprint(n.store), role=Role.HELPER
        )
    window, dialog = _laptops_dialog(qtbot, a)
    try:
        dialog.show()
        qtbot.waitUntil(lambda: not dialog.busy, timeout=10_000)
        assert SAID["en"] in dialog.error.text()
        assert dialog.renewed.isHidden() and "renewed" not in dialog.renewed.text()
        dialog.grab().save(str(shots / "laptops-dialog-approval-key-refused-en.png"))
        dialog.close()
    finally:
        window.close()
