"""The Laptops dialog lowers an approved laptop's role by keyboard, offering only the lower
roles, and the lowered laptop's window follows at its next sync (pytest-qt, offscreen, a real
server process on 127.0.0.1)."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import (
    QAbstractButton,
    QApplication,
    QDialogButtonBox,
    QMessageBox,
    QWidget,
)
from pytestqt.qtbot import QtBot
from sqlalchemy import select
from sqlalchemy.orm import Session as DbSession

from desktop_app.domain.users import Role
from desktop_app.i18n.text import _, set_language
from desktop_app.ui.main_window import MainWindow
from desktop_app.ui.sync_status import _LOWERABLE_ROLE, DevicesDialog, LaptopRoleDialog
from desktop_app.usecases import accounts, people
from desktop_app.usecases import sync as sync_uc
from sync_server import models
from tests.integration.sync_harness import (
    CuttingProxy,
    Laptops,
    ServerProcess,
    add_person,
    device_id,
)
from tests.ui.conftest import menu_bar_texts, replacing_window, shown_window


def _alt(qtbot: QtBot, widget: QWidget, letter: str) -> None:
    """Alt and an access key's letter (any alphabet), pressed in ``widget``'s window."""
    window = widget.window()
    window.activateWindow()
    qtbot.waitUntil(window.isActiveWindow, timeout=5_000)
    QTest.keyClick(window, Qt.Key(ord(letter.upper())), Qt.KeyboardModifier.AltModifier)


def _row_of(dialog: DevicesDialog, name: str) -> int:
    return next(
        i for i in range(dialog.list.count()) if dialog.list.item(i).text().startswith(f"{name} ")
    )


def test_the_laptops_dialog_lowers_an_advisors_laptop_by_keyboard_in_bulgarian(
    qtbot: QtBot, server: ServerProcess, laptops: Laptops, shots: Path
) -> None:
    a = laptops.new("A")
    laptops.new("B", role=Role.ADVISOR)
    laptops.new("C", role=Role.COORDINATOR)  # an ordinary code, approved for coordinators
    b = laptops.sessions[1]
    set_language("bg")
    try:
        window = shown_window(qtbot, a, width=1024)
        dialog = DevicesDialog(window.sync, window)  # type: ignore[attr-defined]
        qtbot.addWidget(dialog)
        dialog.show()
        qtbot.waitExposed(dialog)
        qtbot.waitUntil(lambda: not dialog.busy and dialog.list.count() == 3, timeout=10_000)
        assert dialog.change_role.text() == "&Смяна на ролята на избрания лаптоп…"
        dialog.activateWindow()
        dialog.list.setFocus()
        # This laptop: nothing to change here.
        qtbot.keyClick(dialog.list, Qt.Key.Key_Home)
        assert dialog.list.currentRow() == _row_of(dialog, "A")
        assert not dialog.change_role.isEnabled()
        # C, approved for coordinators: both lower roles offered, none chosen, OK grey.
        while dialog.list.currentRow() != _row_of(dialog, "C"):
            qtbot.keyClick(dialog.list, Qt.Key.Key_Down)
        assert dialog.change_role.isEnabled()
        _alt(qtbot, dialog, "с")
        qtbot.waitUntil(lambda: dialog.role_dialog is not None, timeout=5_000)  # animated click
        asked = dialog.role_dialog
        assert asked is not None
        qtbot.waitExposed(asked)
        assert list(asked.role_buttons) == [Role.ADVISOR, Role.HELPER]
        assert asked.chosen_role() is None and not asked.ok.isEnabled()
        # Escape to the question itself: which widget the application names as focused
        # may lag behind offscreen on a busy worker (a full run timed out so).
        qtbot.keyClick(asked.focusWidget() or asked, Qt.Key.Key_Escape)
        qtbot.waitUntil(lambda: dialog.role_dialog is None, timeout=5_000)
        # B, approved for advisors: student helpers only, chosen already.
        while dialog.list.currentRow() != _row_of(dialog, "B"):
            qtbot.keyClick(dialog.list, Qt.Key.Key_Up)
        _alt(qtbot, dialog, "с")
        qtbot.waitUntil(lambda: dialog.role_dialog is not None, timeout=5_000)  # animated click
        asked = dialog.role_dialog
        assert asked is not None
        qtbot.waitExposed(asked)
        assert list(asked.role_buttons) == [Role.HELPER]
        assert asked.chosen_role() is Role.HELPER and asked.ok.isEnabled()
        assert asked.role_buttons[Role.HELPER].text() == "Помощници по &интеграция"
        assert asked.ok.text() == "Смяна на &ролята"
        asked.grab().save(str(shots / "laptop-role-change-bg.png"))
        _alt(qtbot, asked, "р")
        qtbot.waitUntil(lambda: dialog.role_dialog is None, timeout=5_000)
        qtbot.waitUntil(lambda: not dialog.busy and not dialog.renewed.isHidden(), timeout=10_000)
        qtbot.waitUntil(lambda: not dialog.busy and dialog.list.count() == 3, timeout=10_000)
        assert dialog.error.text() == ""
        line = dialog.list.item(_row_of(dialog, "B")).text()
        assert "· Помощници по интеграция ·" in line, line
        assert "„B“ е лаптоп за помощници по интеграция" in dialog.renewed.text()
        dialog.grab().save(str(shots / "laptops-role-lowered-bg.png"))
        assert sync_uc.laptop_role(b.store) is Role.ADVISOR  # until its next sync
        dialog.close()
        window.close()
    finally:
        set_language("en")
    with DbSession(server.engine) as s:
        row = s.get(models.Device, device_id(b))
        assert row is not None and row.laptop_role == "helper"


def test_the_lowered_laptops_window_follows_at_its_next_sync_and_sends_its_work(
    qtbot: QtBot, laptops: Laptops
) -> None:
    a = laptops.new("A")
    b = laptops.new("B", role=Role.ADVISOR)
    laptops.sync(a, b)
    assert accounts.refresh_user(b)  # as it logs in after approval
    # Not handed to qtbot: it is replaced and deleted (``follow_laptop_role``).
    window = MainWindow(b)
    window.show()
    qtbot.waitExposed(window)
    assert window.session.user.role is Role.ADVISOR
    unsent = add_person(b, "Ion", "Popa")
    sync_uc.change_laptop_role(a.store, a.user, device_id(b), Role.HELPER)
    with qtbot.waitSignal(window.sync.sync_finished, timeout=30_000):  # type: ignore[attr-defined]
        window.sync.start()  # type: ignore[attr-defined]
    new = replacing_window(qtbot, window)
    assert new.session.user.role is Role.HELPER
    box = new.findChild(QMessageBox, "lowered_role")
    assert box is not None
    assert box.text() == (
        "This laptop was approved for student helpers: you work here as a student helper."
    )
    box.accept()
    assert sync_uc.status(b.store).pending_work == 0
    laptops.sync(a)
    person = people.get_person(a.store, a.user, unsent)
    assert person is not None and person.family_name == "Popa"
    assert _("&Users…") in menu_bar_texts(new)
    new.close()


def test_the_role_question_uses_each_access_key_once_in_every_language(
    qtbot: QtBot, qapp: QApplication
) -> None:
    """Both lower roles offered (a coordinators' laptop), OK and Cancel as Qt says them."""
    from desktop_app.ui.application import QtTranslations
    from tests.ui.test_main_window import _access_key

    parent = QWidget()
    qtbot.addWidget(parent)
    qt_texts = QtTranslations(qapp)
    try:
        for lang in ("en", "de", "bg", "ro"):
            set_language(lang)
            asked = LaptopRoleDialog(parent, "B", Role.COORDINATOR)
            qtbot.addWidget(asked)
            texts = [b.text() for b in asked.findChildren(QAbstractButton)]
            cancel = asked.buttons.button(QDialogButtonBox.StandardButton.Cancel).text()
            # Qt's own Cancel may have none (it is the Escape key's).
            keys = [_access_key(t) for t in texts if t != cancel or "&" in t]
            assert len(texts) == 4 and None not in keys, (lang, texts)
            assert len(set(keys)) == len(keys), (lang, texts)
            asked.close()
    finally:
        set_language("en")
    del qt_texts


def _open_laptops(qtbot: QtBot, window: MainWindow, count: int) -> DevicesDialog:
    dialog = DevicesDialog(window.sync, window)  # type: ignore[attr-defined]
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitExposed(dialog)
    qtbot.waitUntil(lambda: not dialog.busy and dialog.list.count() == count, timeout=10_000)
    return dialog


def _lower_to_helpers(qtbot: QtBot, dialog: DevicesDialog, name: str) -> None:
    dialog.list.setCurrentRow(_row_of(dialog, name))
    assert dialog.change_role.isEnabled()
    dialog.change_role.click()
    asked = dialog.role_dialog
    assert asked is not None
    qtbot.waitExposed(asked)
    assert list(asked.role_buttons) == [Role.HELPER] and asked.chosen_role() is Role.HELPER
    asked.ok.click()
    qtbot.waitUntil(lambda: dialog.role_dialog is None, timeout=5_000)


def test_a_role_change_broken_off_is_said_in_the_laptops_dialog_and_finished_from_it(
    qtbot: QtBot, server: ServerProcess, laptops: Laptops, shots: Path
) -> None:
    """The link to the server is cut after the first of B's two keys: the server lists B for
    student helpers, which the dialog offered no lower role for, so it could not be finished."""
    a = laptops.new("A")
    sync_uc.rotate_team_key(a.store, a.user)  # B gets an older key and the one in use
    b = laptops.new("B", role=Role.ADVISOR)
    laptops.sync(a, b)
    proxy = CuttingProxy(server.base_url)
    try:
        sync_uc.change_server_url(a.store, a.user, proxy.url)
        uploads: list[str] = []

        def after_the_first_key(method: str, path: str) -> bool:
            if method == "POST" and path.endswith("/keys"):
                uploads.append(path)
            return len(uploads) > 1

        proxy.cut_when = after_the_first_key
        window = shown_window(qtbot, a, width=1024)
        dialog = _open_laptops(qtbot, window, 2)
        assert dialog.role_unfinished.isHidden()
        _lower_to_helpers(qtbot, dialog, "B")
        qtbot.waitUntil(lambda: not dialog.busy and dialog.error.text() != "", timeout=20_000)
        assert not dialog.role_unfinished.isHidden()
        dialog.close()

        proxy.restore()
        dialog = _open_laptops(qtbot, window, 2)  # later, with the server back
        note = dialog.role_unfinished.text()
        assert note == (
            "Changing the role of “B” was broken off (the server or the network failed). "
            "Change its role again to finish it."
        )
        assert "· Student helpers ·" in dialog.list.item(_row_of(dialog, "B")).text()
        dialog.grab().save(str(shots / "laptops-role-change-broken-off.png"))
        _lower_to_helpers(qtbot, dialog, "B")
        qtbot.waitUntil(lambda: not dialog.busy and not dialog.renewed.isHidden(), timeout=10_000)
        qtbot.waitUntil(lambda: not dialog.busy and dialog.list.count() == 2, timeout=10_000)
        assert dialog.error.text() == "" and dialog.role_unfinished.isHidden()
        dialog.close()
        window.close()
    finally:
        proxy.close()
    with DbSession(server.engine) as s:
        roles = set(
            s.scalars(
                select(models.WrappedKey.laptop_role).where(
                    models.WrappedKey.device_id == device_id(b)
                )
            )
        )
    assert roles == {"helper"}
    laptops.sync(b)
    assert sync_uc.laptop_role(b.store) is Role.HELPER


def test_a_lowering_by_a_coordinators_laptop_not_confirmed_here_shows_a_banner_and_is_confirmed(
    qtbot: QtBot, laptops: Laptops, shots: Path
) -> None:
    """B confirmed A when it joined, never K: K's lowering was ignored without a word. Now B's
    window says who changed its role to what (in the user's language), and its button leads
    to confirming K; once K's fingerprint is typed, the window follows the lower role."""
    from desktop_app.ui.sync_status import ConfirmCoordinatorDialog

    a = laptops.new("A")
    b = laptops.new("B", role=Role.ADVISOR)
    k = laptops.new("K", coordinator=True)
    laptops.sync(a, b, k)
    sync_uc.change_laptop_role(k.store, k.user, device_id(b), Role.HELPER)
    laptops.sync(b)
    assert accounts.refresh_user(b)  # as it logs in after approval: an advisor
    set_language("de")
    try:
        # Not handed to qtbot: it is replaced and deleted (``follow_laptop_role``).
        window = MainWindow(b)
        window.resize(1024, 700)
        window.show()
        qtbot.waitExposed(window)
        banner = window.sync.role_lowering  # type: ignore[attr-defined]
        qtbot.waitUntil(banner.isVisible, timeout=5_000)
        assert banner.text.text() == (
            "Der Laptop der Koordination „K“ hat die Rolle dieses Laptops herabgesetzt auf: "
            "Integrationshelfer/innen. Dieser Laptop übernimmt die Änderung, sobald der "
            "Fingerabdruck jenes Laptops hier bestätigt wurde (Datei → Laptop der Koordination "
            "bestätigen…)."
        ), banner.text.text()
        assert banner.button.isVisible()
        window.grab().save(str(shots / "role-lowering-banner-de.png"))
        assert sync_uc.laptop_role(b.store) is Role.ADVISOR
        banner.button.click()
        dialog = window.findChild(ConfirmCoordinatorDialog)
        assert dialog is not None
        qtbot.waitExposed(dialog)
        assert "„K“" in dialog.intro.text() and "Rolle" in dialog.intro.text()
        dialog.grab().save(str(shots / "role-lowering-confirm-de.png"))
        dialog.fingerprint.setText(sync_uc.fingerprint(k.store))
        dialog.buttons.button(QDialogButtonBox.StandardButton.Ok).click()
        assert sync_uc.laptop_role(b.store) is Role.HELPER  # at once
        new = replacing_window(qtbot, window, timeout=30_000)
        assert new.session.user.role is Role.HELPER
        box = new.findChild(QMessageBox, "lowered_role")
        assert box is not None
        box.accept()
        new_banner = new.sync.role_lowering  # type: ignore[attr-defined]
        qtbot.waitUntil(lambda: not new.sync.running, timeout=10_000)  # type: ignore[attr-defined]
        assert new_banner.isHidden()
        new.close()
    finally:
        set_language("en")


def test_an_open_laptops_dialog_drops_a_note_a_sync_dropped(
    qtbot: QtBot, server: ServerProcess, laptops: Laptops, shots: Path
) -> None:
    """A's change of B's role broken off, finished from K: A's sync drops the note, and the
    open dialog said it (and offered B's role again) until it was opened anew."""
    from tests.integration.test_laptop_role_change import _broken_off_with_a_second_coordinator

    a, b, k = _broken_off_with_a_second_coordinator(laptops, server)
    sync_uc.change_laptop_role(k.store, k.user, device_id(b), Role.HELPER)
    window = shown_window(qtbot, a, width=1024)
    try:
        dialog = _open_laptops(qtbot, window, 3)
        assert not dialog.role_unfinished.isHidden()
        row = _row_of(dialog, "B")
        assert dialog.list.item(row).data(_LOWERABLE_ROLE)  # offered again: it is not done
        with qtbot.waitSignal(window.sync.sync_finished, timeout=30_000):  # type: ignore[attr-defined]
            window.sync.start()  # type: ignore[attr-defined]
        assert dialog.role_unfinished.isHidden()
        assert sync_uc.unfinished_role_changes(a.store) == []
        qtbot.waitUntil(lambda: not dialog.busy and dialog.list.count() == 3, timeout=10_000)
        assert not dialog.list.item(_row_of(dialog, "B")).data(_LOWERABLE_ROLE)
        dialog.grab().save(str(shots / "laptops-role-note-dropped-by-sync.png"))
        dialog.close()
    finally:
        window.close()
