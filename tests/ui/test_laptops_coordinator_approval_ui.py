"""Approving a laptop for coordinators that joined with an ordinary code: its accounts get
every right, but the sync server does not count it as a coordinator's laptop (only a
coordinator's code makes one), and its coordinators were refused later as "not_coordinator"
with nothing saying why. The Laptops dialog now says so at the approval, in German and
Bulgarian; a laptop that joined with a coordinator's code is told nothing of the kind. A real
server on 127.0.0.1."""

from __future__ import annotations

from pathlib import Path

import pytest
from pytestqt.qtbot import QtBot

from desktop_app.domain.users import Role
from desktop_app.i18n.text import set_language
from desktop_app.usecases import sync as sync_uc
from tests.integration.sync_harness import Laptops, ServerProcess
from tests.ui.conftest import shown_window, type_text
from tests.ui.laptops_dialog import chosen, open_laptops

SAID = {
    "de": "„{name}“ ist mit einem gewöhnlichen Anmeldecode beigetreten: Die Koordination arbeitet "
    "dort mit allen Rechten, aber der Synchronisierungsserver lässt von dort keine Laptops "
    "freigeben oder sperren",
    "bg": "„{name}“ е присъединен с обикновен код за присъединяване: координаторите работят на "
    "него с всички права, но сървърът за синхронизиране не позволява",
}


@pytest.mark.parametrize("lang", ["de", "bg"])
def test_approving_an_ordinary_codes_laptop_for_coordinators_says_what_it_may_not(
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
        row = next(
            i for i in range(dialog.list.count()) if dialog.list.item(i).text().startswith(name)
        )
        dialog.list.setCurrentRow(row)
        assert chosen(dialog) == name
        dialog.role_buttons[Role.COORDINATOR].setChecked(True)
        type_text(dialog.fingerprint, sync_uc.fingerprint(laptop.store))
        dialog.approve.click()
        qtbot.waitUntil(lambda: not dialog.busy and not dialog.renewed.isHidden(), timeout=20_000)
        qtbot.waitUntil(lambda: not dialog.busy, timeout=20_000)  # listed again
        assert not dialog.error.text(), dialog.error.text()
        said = dialog.renewed.text()
        if laptop is b:
            assert SAID[lang].format(name=name) in said, said
            dialog.grab().save(str(shots / f"laptops-ordinary-code-coordinators-{lang}.png"))
        else:  # a coordinator's code: a coordinator's laptop on the server
            assert "gewöhnlichen" not in said and "обикновен" not in said, said
    dialog.close()
    window.close()
