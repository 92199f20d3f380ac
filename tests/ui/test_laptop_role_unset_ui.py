"""Laptops approved before laptops had roles (pytest-qt, offscreen, a real server process on
127.0.0.1): a coordinator's window says how many there are after its first sync, with a
button to the Laptops dialog, which lists them as having no role chosen yet and offers every
role for them; the laptop's own window says it to a coordinator logged in on it."""

from __future__ import annotations

from pathlib import Path

from pytestqt.qtbot import QtBot

from desktop_app.domain.users import Role
from desktop_app.i18n.text import set_language
from desktop_app.ui.main_window import MainWindow
from desktop_app.ui.sync_status import DevicesDialog, SyncController
from desktop_app.usecases import sync as sync_uc
from tests.integration.sync_harness import Laptops, ServerProcess, as_before_roles, device_id
from tests.ui.conftest import shown_window


def _row_of(dialog: DevicesDialog, name: str) -> int:
    return next(
        i for i in range(dialog.list.count()) if dialog.list.item(i).text().startswith(f"{name} ")
    )


def _synced(qtbot: QtBot, controller: SyncController) -> None:
    with qtbot.waitSignal(controller.sync_finished, timeout=30_000):
        controller.start()


def test_a_coordinators_window_says_which_laptops_have_no_role_and_one_is_chosen_in_german(
    qtbot: QtBot, server: ServerProcess, laptops: Laptops, shots: Path
) -> None:
    a = laptops.new("A")
    b = laptops.new("B")
    laptops.sync(a, b)
    as_before_roles(server, a, b)
    set_language("de")
    try:
        window = shown_window(qtbot, a, width=1024)
        controller: SyncController = window.sync  # type: ignore[attr-defined]
        banner = controller.no_role
        assert banner.isHidden()  # nothing known here before the list of laptops is asked
        _synced(qtbot, controller)
        qtbot.waitUntil(banner.isVisible, timeout=20_000)
        text = banner.text.text()
        assert text.startswith("1 Laptop ist beigetreten, bevor Laptops Rollen hatten"), text
        assert "Datei → Laptops der Organisation" in text, text
        assert banner.button.isVisible() and banner.button.text() == "Rollen &wählen…"
        window.grab().save(str(shots / "no-role-banner-de.png"))

        banner.button.click()
        dialog = window.findChild(DevicesDialog)
        assert dialog is not None
        qtbot.waitExposed(dialog)
        qtbot.waitUntil(lambda: not dialog.busy and dialog.list.count() == 2, timeout=10_000)
        line = dialog.list.item(_row_of(dialog, "B")).text()
        assert "· noch keine Rolle gewählt ·" in line, line
        assert "keine Rolle" not in dialog.list.item(_row_of(dialog, "A")).text()
        dialog.grab().save(str(shots / "laptops-no-role-de.png"))
        dialog.list.setCurrentRow(_row_of(dialog, "B"))
        assert dialog.change_role.isEnabled()
        dialog.change_role.click()
        qtbot.waitUntil(lambda: dialog.role_dialog is not None, timeout=5_000)
        asked = dialog.role_dialog
        assert asked is not None
        qtbot.waitExposed(asked)
        # Every role, a coordinator's too, none chosen for the coordinator.
        assert list(asked.role_buttons) == [Role.COORDINATOR, Role.ADVISOR, Role.HELPER]
        assert asked.chosen_role() is None and not asked.ok.isEnabled()
        assert asked.role_buttons[Role.COORDINATOR].text() == "&Koordination"
        asked.grab().save(str(shots / "laptop-role-unset-de.png"))
        asked.role_buttons[Role.COORDINATOR].click()
        asked.ok.click()
        qtbot.waitUntil(lambda: dialog.role_dialog is None, timeout=5_000)
        qtbot.waitUntil(lambda: not dialog.busy and not dialog.renewed.isHidden(), timeout=10_000)
        qtbot.waitUntil(lambda: not dialog.busy and dialog.list.count() == 2, timeout=10_000)
        assert dialog.error.text() == ""
        assert "„B“ ein Laptop für die Koordination" in dialog.renewed.text()
        line = dialog.list.item(_row_of(dialog, "B")).text()
        # A coordinator's laptop on the server too, made so by the role this one set (a
        # lowering ends it): not "approved by" A, which approved it long before, without a role.
        assert "· Koordination (Rolle festgelegt von „A“) ·" in line, line
        dialog.grab().save(str(shots / "laptops-role-chosen-coordinator-de.png"))
        # The listing kept that none is left without a role: the banner goes.
        qtbot.waitUntil(banner.isHidden, timeout=10_000)
        dialog.close()
        window.close()
    finally:
        set_language("en")
    laptops.sync(b)
    assert sync_uc.laptop_role(b.store) is Role.COORDINATOR
    assert sync_uc.is_coordinator_laptop(b.store) is True  # the server's word, as its keys'


def test_the_laptops_own_window_says_it_has_no_role_to_a_coordinator_until_one_is_chosen(
    qtbot: QtBot, server: ServerProcess, laptops: Laptops, shots: Path
) -> None:
    a = laptops.new("A")
    b = laptops.new("B")
    laptops.sync(a, b)
    as_before_roles(server, a, b)
    # Not handed to qtbot: it is replaced and deleted once the role is set (``follow_laptop_role``).
    window = MainWindow(b)
    window.resize(1024, 700)
    window.show()
    qtbot.waitExposed(window)
    controller: SyncController = window.sync  # type: ignore[attr-defined]
    banner = controller.no_role
    qtbot.waitUntil(banner.isVisible, timeout=10_000)  # from the store: no sync needed
    assert banner.text.text().startswith("This laptop joined before laptops had roles"), (
        banner.text.text()
    )
    assert banner.button.isHidden()  # its role is chosen on a coordinator's laptop
    assert window.session.user.role is Role.COORDINATOR  # every right it had
    window.grab().save(str(shots / "own-no-role-en.png"))
    sync_uc.change_laptop_role(a.store, a.user, device_id(b), Role.ADVISOR)
    _synced(qtbot, controller)
    qtbot.waitUntil(lambda: window.replaced_by is not None, timeout=10_000)
    new = window.replaced_by
    assert new is not None
    qtbot.addWidget(new)
    qtbot.waitExposed(new)
    # its sync controller comes with the features, installed after its first paint
    qtbot.waitUntil(lambda: new.features_installed, timeout=10_000)
    assert new.session.user.role is Role.ADVISOR
    assert not sync_uc.status(b.store).own_role_unset
    new.sync.show_status(sync_uc.status(b.store))  # type: ignore[attr-defined]
    assert new.sync.no_role.isHidden()  # type: ignore[attr-defined]
    new.close()


def test_the_audit_view_says_no_role_was_chosen_before_in_every_language() -> None:
    """The entry of a role chosen for a laptop approved before roles said "role before:
    Coordinators", as if one had been chosen."""
    from desktop_app.ui.audit import detail_text

    said = {
        "de": "Rolle: Integrationshelfer/in · Rolle vorher: keine Rolle gewählt",
        "bg": "роля: Помощник по интеграция · предишна роля: няма избрана роля",
        "ro": "rol: Asistent de integrare · rolul anterior: niciun rol ales",
        "en": "role: Integration helper · role before: no role chosen",
    }
    # Whether the server counts the laptop as a coordinator's after the change.
    on_server = {
        "de": "Laptop der Koordination auf dem Server: nein",
        "bg": "лаптоп на координатор на сървъра: не",
        "ro": "laptop de coordonator pe server: nu",
        "en": "coordinator's laptop on the server: no",
    }
    try:
        for lang, text in said.items():
            set_language(lang)
            details: dict[str, object] = {
                "role": "helper",
                "previous_role": sync_uc.NO_ROLE_BEFORE,
            }
            assert detail_text(details) == text
            details[sync_uc.SERVER_COORDINATOR] = False
            assert detail_text(details) == f"{text} · {on_server[lang]}"
    finally:
        set_language("en")


def test_a_choice_broken_off_for_a_laptop_without_a_role_offers_every_role_again(
    qtbot: QtBot, server: ServerProcess, laptops: Laptops, shots: Path
) -> None:
    """The server lists the role chosen from the first key on: the dialog took it for the
    role B had and offered only those below it, so a coordinator's chosen for it could not be
    finished from there."""
    from tests.integration.test_laptop_role_unset import choice_broken_off

    a, b = choice_broken_off(laptops, server, Role.COORDINATOR)
    window = shown_window(qtbot, a, width=1024)
    try:
        dialog = DevicesDialog(window.sync, window)  # type: ignore[attr-defined]
        qtbot.addWidget(dialog)
        dialog.show()
        qtbot.waitUntil(lambda: not dialog.busy and dialog.list.count() == 2, timeout=10_000)
        assert not dialog.role_unfinished.isHidden()
        dialog.list.setCurrentRow(_row_of(dialog, "B"))
        dialog.change_role.click()
        qtbot.waitUntil(lambda: dialog.role_dialog is not None, timeout=5_000)
        asked = dialog.role_dialog
        assert asked is not None
        assert list(asked.role_buttons) == [Role.COORDINATOR, Role.ADVISOR, Role.HELPER]
        qtbot.waitExposed(asked)
        dialog.grab().save(str(shots / "laptops-unset-choice-broken-off.png"))
        asked.role_buttons[Role.COORDINATOR].click()
        asked.ok.click()
        qtbot.waitUntil(lambda: not dialog.busy and not dialog.renewed.isHidden(), timeout=10_000)
        assert dialog.error.text() == "" and dialog.role_unfinished.isHidden()
        qtbot.waitUntil(lambda: not dialog.busy, timeout=10_000)
        dialog.close()
    finally:
        window.close()
    assert sync_uc.unfinished_role_changes(a.store) == []
    laptops.sync(b)
    assert sync_uc.laptop_role(b.store) is Role.COORDINATOR
    assert not sync_uc.status(b.store).own_role_unset


def test_the_audit_view_says_a_first_role_chosen_not_lowered_and_a_lowering_as_before(
    qtbot: QtBot, server: ServerProcess, laptops: Laptops, shots: Path
) -> None:
    """A role chosen for a laptop approved before roles was "laptop's role lowered", as if it
    had had one: now "laptop's role chosen", in every language; a real lowering keeps its label."""
    from desktop_app.ui.audit import AuditWindow, action_name
    from tests.integration.test_laptop_role_unset import _pre_role

    a, b = _pre_role(laptops, server)
    c = laptops.new("C", role=Role.ADVISOR)
    sync_uc.change_laptop_role(a.store, a.user, device_id(b), Role.HELPER)
    sync_uc.change_laptop_role(a.store, a.user, device_id(c), Role.HELPER)
    chosen = {"role": "helper", "previous_role": sync_uc.NO_ROLE_BEFORE}
    said = {
        "de": ("Rolle des Laptops gewählt", "Rolle des Laptops herabgesetzt"),
        "bg": ("ролята на лаптопа е избрана", "ролята на лаптопа е понижена"),
        "ro": ("rolul laptopului a fost ales", "rolul laptopului a fost redus"),
        "en": ("laptop's role chosen", "laptop's role lowered"),
    }
    try:
        for lang, (first, lowered) in said.items():
            set_language(lang)
            assert action_name("change_laptop_role", chosen) == first
            assert action_name("change_laptop_role", {"role": "helper"}) == lowered
            lowering = {"role": "helper", "previous_role": "advisor"}
            assert action_name("change_laptop_role", lowering) == lowered
        set_language("bg")
        window = AuditWindow(a)
        qtbot.addWidget(window)
        window.resize(1100, 500)
        window.show()
        qtbot.waitExposed(window)
        window.refresh()
        model = window.model
        rows = [(model.item(r, 4).text(), model.item(r, 2).text()) for r in range(model.rowCount())]
        changes = [(record, action) for record, action in rows if action in said["bg"]]
        assert sorted(changes) == sorted(
            [(device_id(b), said["bg"][0]), (device_id(c), said["bg"][1])]
        )
        # Each says whether the server counts the laptop as a coordinator's after it.
        details = [
            model.item(r, 5).text()
            for r in range(model.rowCount())
            if model.item(r, 2).text() in said["bg"]
        ]
        assert len(details) == 2
        assert all(d.endswith("лаптоп на координатор на сървъра: не") for d in details), details
        window.grab().save(str(shots / "audit-role-chosen-bg.png"))
        window.close()
    finally:
        set_language("en")
