"""The audit log names the laptop an entry is about: after a laptop was stolen, the coordinator
looked for its revocation and found "laptop revoked" beside a device id ("8611c703-…") that
no screen shows, with a real server on 127.0.0.1."""

from __future__ import annotations

import pytest
from pytestqt.qtbot import QtBot

from desktop_app.domain.users import Role
from desktop_app.i18n.text import set_language
from desktop_app.ui.audit import AuditWindow
from desktop_app.usecases import sync as sync_uc
from tests.integration.sync_harness import Laptops, ServerProcess, device_id

LAPTOP = {"bg": "лаптоп", "de": "Laptop", "ro": "laptopul"}
REVOKED = {"bg": "лаптопът е блокиран", "de": "Laptop gesperrt", "ro": "laptop revocat"}
OPEN = {"bg": ("„", "“"), "de": ("„", "“"), "ro": ("„", "”")}


@pytest.mark.parametrize("lang", ["bg", "de", "ro"])
def test_the_revoked_laptop_and_the_renewal_are_named(
    qtbot: QtBot, server: ServerProcess, laptops: Laptops, lang: str
) -> None:
    coordinator = laptops.new("Координация")
    stolen = laptops.new("Outreach Hbf", role=Role.ADVISOR)
    laptops.sync()
    stolen_id = device_id(stolen)
    sync_uc.revoke_device(coordinator.store, coordinator.user, stolen_id)
    sync_uc.rotate_team_key(coordinator.store, coordinator.user)
    set_language(lang)
    window = AuditWindow(coordinator)
    qtbot.addWidget(window)
    window.refresh()
    model = window.model
    rows = [
        [model.item(r, c).text() for c in range(model.columnCount())]
        for r in range(model.rowCount())
    ]
    left, right = OPEN[lang]
    revoked = [row for row in rows if row[4] == stolen_id and row[2] == REVOKED[lang]]
    assert [row[3] for row in revoked] == [f"{LAPTOP[lang]} {left}Outreach Hbf{right}"], rows
    # The renewal, made on the coordinator's own laptop, is about that laptop.
    renewed = [row for row in rows if row[4] == coordinator.store.device_id]
    assert renewed and {row[3] for row in renewed} == {
        f"{LAPTOP[lang]} {left}Координация{right}"
    }, rows
    # An id the team's records do not know stays as it was: the kind of record alone.
    assert all(row[3] != "" for row in rows)
    window.close()
