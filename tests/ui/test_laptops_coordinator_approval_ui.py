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


# The line of a laptop approved before roles whose role a coordinator then set: beside its role,
# who set it (it said "approved by", and the laptop had been approved long before by another).
ROLE_SET_BY = {
    "de": "Koordination (Rolle festgelegt von „{name}“) · Version",
    "bg": "Координатори (ролята е определена от „{name}“) · Версия",
}


def _set_role(qtbot: QtBot, dialog: DevicesDialog, name: str, role: Role) -> None:
    """ "Change role…" on ``name``, ``role`` chosen in its dialog and confirmed."""
    _choose(dialog, name)
    dialog.change_role.click()
    role_dialog = dialog.role_dialog
    assert role_dialog is not None
    qtbot.waitExposed(role_dialog)
    role_dialog.role_buttons[role].setChecked(True)
    role_dialog.ok.click()
    qtbot.waitUntil(lambda: not dialog.busy and not dialog.renewed.isHidden(), timeout=20_000)
    qtbot.waitUntil(lambda: not dialog.busy, timeout=20_000)  # listed again


@pytest.mark.parametrize("lang", ["de", "bg"])
def test_a_role_set_for_a_laptop_approved_before_roles_is_listed_as_set_not_approved(
    qtbot: QtBot, server: ServerProcess, laptops: Laptops, shots: Path, lang: str
) -> None:
    """ "Laptop Süd", approved before roles, is given the coordinators' role by "Büro": the
    server makes it a coordinator's, and its line said "approved by “Büro”" as of a laptop
    approved for coordinators. It says that Büro set its role; one approved for coordinators
    still says "approved by"."""
    a = laptops.new("Büro")
    laptops.new_member("Laptop Süd")
    laptops.new("Laptop Nord", role=Role.COORDINATOR)
    set_language(lang)
    window = shown_window(qtbot, a)
    dialog = open_laptops(qtbot, window, 3)
    _set_role(qtbot, dialog, "Laptop Süd", Role.COORDINATOR)
    assert not dialog.error.text(), dialog.error.text()
    line = _lines(dialog, "Laptop Süd")
    assert ROLE_SET_BY[lang].format(name="Büro") in line, line
    assert APPROVED_BY[lang].format(name="Büro") not in line, line
    assert APPROVED_BY[lang].format(name="Büro") in _lines(dialog, "Laptop Nord")
    dialog.grab().save(str(shots / f"laptops-role-set-by-{lang}.png"))
    dialog.close()
    window.close()


@pytest.mark.parametrize("lang", ["de", "bg"])
def test_approving_a_laptop_again_at_its_role_changes_nothing_and_says_so(
    qtbot: QtBot, server: ServerProcess, laptops: Laptops, shots: Path, lang: str
) -> None:
    """The approved advisors' laptop approved again for advisors: the server kept every key
    as it was, yet the dialog said it was approved and sent the team key, and the audit log
    had one more approval. Now it says that nothing changed, in the user's language, and
    writes no entry."""
    from desktop_app.usecases import audit

    a = laptops.new("Büro")
    c = laptops.new("Laptop West", role=Role.ADVISOR)
    laptops.sync(a, c)
    entries = len(audit.list_entries(a.store, a.user))
    set_language(lang)
    window = shown_window(qtbot, a)
    dialog = open_laptops(qtbot, window, 2)
    _choose(dialog, "Laptop West")
    dialog.role_buttons[Role.ADVISOR].setChecked(True)
    type_text(dialog.fingerprint, sync_uc.fingerprint(c.store))
    dialog.approve.click()
    qtbot.waitUntil(lambda: not dialog.busy and bool(dialog.error.text()), timeout=20_000)
    said = {
        "de": "Der Laptop ist bereits für diese Rolle freigegeben: Es wurde nichts geändert.",
        "bg": "Лаптопът вече е одобрен за тази роля: нищо не е променено.",
    }
    assert dialog.error.text() == said[lang]
    assert dialog.renewed.isHidden()  # not "approved and sent the team key"
    dialog.grab().save(str(shots / f"laptops-approved-again-same-{lang}.png"))
    dialog.close()
    window.close()
    assert len(audit.list_entries(a.store, a.user)) == entries
    listed = {d.name: d for d in sync_uc.list_devices(a.store, a.user)}
    assert listed["Laptop West"].laptop_role == "advisor"


# A server of the version before a coordinator's role chosen made a laptop a coordinator's.
BEFORE_ROLE_CHOSEN_MAKES_COORDINATOR = "76096043efd42545d30cadbf90f4c35d4e5dde37"
# The start of the warning under the role set, once the server listed the laptop again.
NOT_COUNTED = {
    "de": "Der Server zählt „Laptop Süd“ nicht als Laptop der Koordination",
    "bg": "Сървърът не счита „Laptop Süd“ за лаптоп на координатор",
    "ro": "Serverul nu consideră „Laptop Süd” un laptop de coordonator",
    "en": "The server does not count “Laptop Süd” as a coordinator's laptop",
}


@pytest.mark.parametrize("lang", ["de", "bg", "ro", "en"])
def test_an_older_server_that_leaves_a_laptop_set_to_coordinators_a_members_is_warned_of(
    qtbot: QtBot, tmp_path: Path, shots: Path, lang: str
) -> None:
    """A server of the version before: the coordinators' role chosen for a laptop approved
    before roles leaves it a member's laptop there (its accounts have a coordinator's rights on
    it, the server refuses it the laptops and publishing). The audit entry said so, the dialog
    only that it was done; now it warns under it."""
    from tests.integration.sync_harness import Laptops, older_server

    with (
        older_server(BEFORE_ROLE_CHOSEN_MAKES_COORDINATOR, tmp_path) as server,
        Laptops(server, tmp_path) as laptops,
    ):
        a = laptops.new("Büro")
        laptops.new_member("Laptop Süd")
        set_language(lang)
        window = shown_window(qtbot, a)
        dialog = open_laptops(qtbot, window, 2)
        _set_role(qtbot, dialog, "Laptop Süd", Role.COORDINATOR)
        assert not dialog.renewed.isHidden()  # what was done, above the warning
        assert dialog.error.text().startswith(NOT_COUNTED[lang]), dialog.error.text()
        assert dialog.error.isVisible()
        if lang in ("de", "bg"):
            dialog.grab().save(str(shots / f"laptops-role-set-older-server-{lang}.png"))
        listed = {d.name: d for d in sync_uc.list_devices(a.store, a.user)}
        assert listed["Laptop Süd"].laptop_role == "coordinator"
        assert not listed["Laptop Süd"].is_coordinator
        dialog.close()
        window.close()
