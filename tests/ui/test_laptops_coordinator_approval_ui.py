"""Approving in the Laptops dialog a laptop for coordinators that joined with an ordinary code
makes it a coordinator's laptop on the server too (it was refused as "not_coordinator" before,
and the dialog warned of it): nothing is warned any more, its line names beside its role the
laptop that approved it, its role can be lowered (unlike one of a coordinator's code, which
keeps only "Coordinators" and names no approver). After its next sync it lists the laptops
itself. In German and Bulgarian, a real server on 127.0.0.1."""

from __future__ import annotations

from pathlib import Path

import pytest
from pytestqt.qtbot import QtBot

from desktop_app.domain.users import Role
from desktop_app.i18n.text import set_language
from desktop_app.ui.sync_status import DevicesDialog
from desktop_app.usecases import sync as sync_uc
from tests.integration.sync_harness import Laptops, ServerProcess
from tests.ui.conftest import shown_window, type_text
from tests.ui.laptops_dialog import chosen, open_laptops

# Beside its role, on the laptop's first line.
APPROVED_BY = {
    "de": "Koordination (freigegeben von „{name}“) · Version",
    "bg": "Координатори (одобрен от „{name}“) · Версия",
}
# What the dialog said of an ordinary code's laptop approved for coordinators, before.
WARNED = {"de": "gewöhnlichen Anmeldecode", "bg": "обикновен код"}


def _lines(dialog: DevicesDialog, name: str) -> str:
    return next(
        dialog.list.item(i).text()
        for i in range(dialog.list.count())
        if dialog.list.item(i).text().startswith(name)
    )


def _choose(dialog: DevicesDialog, name: str) -> None:
    row = next(i for i in range(dialog.list.count()) if dialog.list.item(i).text().startswith(name))
    dialog.list.setCurrentRow(row)
    assert chosen(dialog) == name


@pytest.mark.parametrize("lang", ["de", "bg"])
def test_a_laptop_approved_for_coordinators_is_listed_as_a_coordinators_by_its_approver(
    qtbot: QtBot, server: ServerProcess, laptops: Laptops, shots: Path, lang: str
) -> None:
    a = laptops.new("Büro")
    b = laptops.account("B")
    sync_uc.join(b.store, server.base_url, server.enroll("B"), "Laptop Süd")
    k = laptops.account("K")
    sync_uc.join(k.store, server.base_url, server.enroll("K", coordinator=True), "Laptop Nord")
    set_language(lang)
    window = shown_window(qtbot, a)
    dialog = open_laptops(qtbot, window, 3)
    for name, laptop in (("Laptop Süd", b), ("Laptop Nord", k)):
        _choose(dialog, name)
        dialog.role_buttons[Role.COORDINATOR].setChecked(True)
        type_text(dialog.fingerprint, sync_uc.fingerprint(laptop.store))
        dialog.approve.click()
        qtbot.waitUntil(lambda: not dialog.busy and not dialog.renewed.isHidden(), timeout=20_000)
        qtbot.waitUntil(lambda: not dialog.busy, timeout=20_000)  # listed again
        assert not dialog.error.text(), dialog.error.text()
        assert WARNED[lang] not in dialog.renewed.text(), dialog.renewed.text()
    said = APPROVED_BY[lang].format(name="Büro")
    assert said in _lines(dialog, "Laptop Süd")
    assert said not in _lines(dialog, "Laptop Nord")  # a coordinator's code: nobody's approval
    # Approved for coordinators: every role may be chosen, and its role lowered.
    _choose(dialog, "Laptop Süd")
    assert all(button.isEnabled() for button in dialog.role_buttons.values())
    assert dialog.change_role.isEnabled()
    # A coordinator's code: only "Coordinators", nothing to lower.
    _choose(dialog, "Laptop Nord")
    enabled = {role for role, button in dialog.role_buttons.items() if button.isEnabled()}
    assert enabled == {Role.COORDINATOR}
    assert not dialog.change_role.isEnabled()
    _choose(dialog, "Laptop Süd")
    dialog.grab().save(str(shots / f"laptops-approved-coordinator-{lang}.png"))
    dialog.close()
    window.close()

    # The laptop learns it at its next sync, and lists the laptops itself.
    assert sync_uc.is_coordinator_laptop(b.store) is False
    with sync_uc.client_for(b.store) as client:
        sync_uc.fetch_keys(b.store, client)
    sync_uc.confirm_coordinator(b.store, b.user, sync_uc.fingerprint(a.store))
    laptops.sync(b)
    assert sync_uc.is_coordinator_laptop(b.store) is True
    window_b = shown_window(qtbot, b)
    dialog_b = open_laptops(qtbot, window_b, 3)
    assert not dialog_b.error.text(), dialog_b.error.text()
    assert "Büro ·" in dialog_b.list.item(0).text()  # the server listed them all to it
    dialog_b.close()
    window_b.close()


def test_an_advisors_laptop_approved_again_for_coordinators_is_refused_and_nothing_changes(
    qtbot: QtBot, server: ServerProcess, laptops: Laptops, shots: Path
) -> None:
    """The approved advisors' laptop chosen, its fingerprint typed, "Coordinators" chosen and
    approved: the dialog said it was approved and sent the team key, the audit entry said
    "coordinators", and nothing changed (on the laptop, on the server). Now the dialog says a
    higher role takes joining again, and nothing is sent or written."""
    from desktop_app.usecases import audit

    a = laptops.new("Büro")
    c = laptops.new("Laptop West", role=Role.ADVISOR)
    laptops.sync(a, c)
    entries = len(audit.list_entries(a.store, a.user))
    set_language("de")
    try:
        window = shown_window(qtbot, a)
        dialog = open_laptops(qtbot, window, 2)
        _choose(dialog, "Laptop West")
        dialog.role_buttons[Role.COORDINATOR].setChecked(True)
        type_text(dialog.fingerprint, sync_uc.fingerprint(c.store))
        assert dialog.approve.isEnabled()
        dialog.approve.click()
        qtbot.waitUntil(lambda: not dialog.busy and bool(dialog.error.text()), timeout=20_000)
        assert "kann hier nur herabgesetzt werden" in dialog.error.text(), dialog.error.text()
        assert dialog.renewed.isHidden()  # not "approved and sent the team key"
        line = _lines(dialog, "Laptop West")
        assert "· Beratung ·" in line and "Koordination" not in line, line
        dialog.grab().save(str(shots / "laptops-approved-again-higher-de.png"))
        dialog.close()
        window.close()
    finally:
        set_language("en")
    assert len(audit.list_entries(a.store, a.user)) == entries
    listed = {d.name: d for d in sync_uc.list_devices(a.store, a.user)}
    assert listed["Laptop West"].laptop_role == "advisor"
    assert not listed["Laptop West"].is_coordinator
