"""A coordinator's walk after a laptop was stolen, by keys only (a wrist injury: no mouse), on
a 1366 × 768 laptop, in Bulgarian (and the same screens in German and Romanian): she reads
when the stolen "Outreach Hbf" last synced, revokes it (the team key renewed with it), lists
the replacement that joined meanwhile, compares its fingerprint and approves it; the new
laptop confirms hers and receives the team's records; the audit log names the laptop she
revoked. A real sync server on 127.0.0.1, real stores; screenshots in $WELCOME_DESK_SHOTS."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication, QDialogButtonBox, QMessageBox, QWidget
from pytestqt.qtbot import QtBot

from desktop_app.domain.person import PersonDraft
from desktop_app.domain.users import Role
from desktop_app.i18n.text import set_language
from desktop_app.ui.application import QtTranslations
from desktop_app.ui.audit import AuditWindow
from desktop_app.ui.main_window import MainWindow
from desktop_app.ui.sync_status import ConfirmCoordinatorDialog, DevicesDialog
from desktop_app.usecases import people
from desktop_app.usecases import sync as sync_uc
from desktop_app.usecases.accounts import Session
from tests.integration.sync_harness import Laptops, ServerProcess, device_id
from tests.ui.conftest import alt_access_key, made_active, menu_entry, replacing_window
from tests.ui.laptops_dialog import chosen

SIZE = (1366, 768)
# What her language calls a laptop's last sync, its revocation and the laptop in the audit log.
LAST_SYNC = {"bg": "Синхронизирано ", "de": "Zuletzt synchronisiert ", "ro": "Ultima sincronizare "}
REVOKED = {"bg": "лаптопът е блокиран", "de": "Laptop gesperrt", "ro": "laptop revocat"}
THE_LAPTOP = {"bg": "лаптоп „{}“", "de": "Laptop „{}“", "ro": "laptopul „{}”"}


def _shot(widget: QWidget, folder: Path, lang: str, name: str) -> None:
    widget.grab().save(str(folder / f"walkcoord-{lang}-{name}.png"))


def _shown(qtbot: QtBot, window: QWidget, kind: type[QWidget]) -> QWidget:
    def found() -> list[QWidget]:
        return [w for w in window.findChildren(kind) if w.isVisible()]

    qtbot.waitUntil(lambda: bool(found()), timeout=10_000)
    (widget,) = found()
    return widget


def _window(qtbot: QtBot, session: Session, *, replaced: bool = False) -> MainWindow:
    window = MainWindow(session)
    if not replaced:  # one replaced is deleted (``follow_laptop_role``): not qtbot's to close
        qtbot.addWidget(window)
    window.resize(*SIZE)
    window.show()
    qtbot.waitExposed(window)
    made_active(qtbot, window)
    return window


def _type(widget: QWidget, text: str) -> None:
    for ch in text:
        none = Qt.KeyboardModifier.NoModifier
        QTest.sendKeyEvent(QTest.KeyAction.Click, widget, Qt.Key.Key_unknown, ch, none)


@pytest.mark.parametrize("lang", ["bg", "de", "ro"])
def test_a_coordinator_deals_with_a_stolen_laptop_by_keys_only(
    qtbot: QtBot,
    qapp: QApplication,
    server: ServerProcess,
    laptops: Laptops,
    program_font: None,
    tmp_path: Path,
    lang: str,
) -> None:
    shots = Path(os.environ.get("WELCOME_DESK_SHOTS", tmp_path))
    translations = QtTranslations(qapp)  # Qt's own texts too (Cancel, Close …)
    coordinator = laptops.new("Координация")
    stolen = laptops.new("Outreach Hbf", role=Role.ADVISOR)
    laptops.new("Laptop Beratung", role=Role.ADVISOR)
    synced = people.register_person(
        stolen.store, stolen.user, PersonDraft("Мария", "Петрова", "1990")
    )
    laptops.sync(stolen, coordinator)
    # Recorded on the stolen laptop after its last sync: lost with it.
    people.register_person(stolen.store, stolen.user, PersonDraft("Ion", "Nesincronizat", "1985"))
    try:
        set_language(lang)
        translations.apply(lang)
        window = _window(qtbot, coordinator)
        _shot(window, shots, lang, "01-main")

        # File → Laptops of the organisation: when the stolen laptop last reached the server.
        menu_entry(qtbot, window, "&File", "Lap&tops of the organisation…")
        dialog = _shown(qtbot, window, DevicesDialog)
        assert isinstance(dialog, DevicesDialog)
        qtbot.waitUntil(lambda: not dialog.busy and dialog.list.count() == 3, timeout=20_000)
        assert dialog.list.hasFocus()
        lines = {dialog.list.item(i).text().split(" · ")[0]: dialog.list.item(i).text()
                 for i in range(dialog.list.count())}  # fmt: skip
        below = lines["Outreach Hbf"].split("\n")[1]
        assert LAST_SYNC[lang] in below, lines
        when = below.split(LAST_SYNC[lang])[1]  # its last sync, in words
        _shot(dialog, shots, lang, "02-laptops")

        # Chosen with the arrow keys, revoked with Alt+letter; Escape at the question first.
        while chosen(dialog) != "Outreach Hbf":
            QTest.keyClick(dialog.list, Qt.Key.Key_Down)
        alt_access_key(dialog, dialog.revoke.text())
        qtbot.waitUntil(lambda: dialog.revoke_question is not None, timeout=5000)
        question = dialog.revoke_question
        assert question is not None
        qtbot.waitUntil(question.isActiveWindow, timeout=5000)
        _shot(question, shots, lang, "03-revoke-question")
        # Enter and Escape keep the laptop (Cancel is the default).
        QTest.keyClick(question.focusWidget(), Qt.Key.Key_Escape)
        qtbot.waitUntil(lambda: dialog.revoke_question is None, timeout=5000)
        assert server.device_status(device_id(stolen)) == "approved"
        qtbot.waitUntil(dialog.isActiveWindow, timeout=5000)  # the keys back in the dialog
        alt_access_key(dialog, dialog.revoke.text())
        qtbot.waitUntil(lambda: dialog.revoke_question is not None, timeout=5000)
        question = dialog.revoke_question
        assert question is not None
        qtbot.waitUntil(question.isActiveWindow, timeout=5000)
        # to "Revoke and renew", left of Cancel (Tab goes to the note above them first)
        QTest.keyClick(question.focusWidget(), Qt.Key.Key_Backtab)
        go = question.focusWidget()
        assert question.buttonRole(go) == QMessageBox.ButtonRole.AcceptRole  # type: ignore[arg-type]
        with qtbot.waitSignal(dialog.calls.idle, timeout=60_000):  # revoked, renewed, listed
            QTest.keyClick(go, Qt.Key.Key_Space)
        qtbot.waitUntil(lambda: not dialog.busy, timeout=30_000)
        assert server.device_status(device_id(stolen)) == "revoked"
        said = dialog.renewed.text()
        assert said.startswith(("„Outreach Hbf“", "„Outreach Hbf”")), said
        assert f"({when})" in said, said  # what was recorded on it after that is lost
        assert not dialog.error.text()
        qtbot.waitUntil(dialog.isActiveWindow, timeout=5000)
        assert dialog.list.hasFocus() and chosen(dialog) == "Outreach Hbf"
        assert dialog.revoked_note.isHidden()  # said once, below
        _shot(dialog, shots, lang, "04-revoked")

        # The replacement joins meanwhile (its first-start wizard, with a new code).
        fresh = laptops.account("Outreach Hbf 2")
        code = server.enroll("Outreach Hbf 2")
        assert sync_uc.join(fresh.store, server.base_url, code, "Outreach Hbf 2").status == (
            "pending"
        )
        with qtbot.waitSignal(dialog.calls.idle, timeout=30_000):
            alt_access_key(dialog, dialog.refresh_list.text())
        assert chosen(dialog) == "Outreach Hbf 2" and dialog.list.hasFocus()
        # Its fingerprint read off its screen and typed, who uses it chosen, approved.
        alt_access_key(dialog, dialog.fingerprint_label.text())
        assert dialog.fingerprint.hasFocus()
        _type(dialog.fingerprint, sync_uc.fingerprint(fresh.store))
        advisors = dialog.role_buttons[Role.ADVISOR]
        alt_access_key(dialog, advisors.text())
        qtbot.waitUntil(advisors.isChecked, timeout=5000)
        with qtbot.waitSignal(dialog.calls.idle, timeout=30_000):
            alt_access_key(dialog, dialog.approve.text())
        assert not dialog.error.text(), dialog.error.text()
        assert server.device_status(device_id(fresh)) == "approved"
        box = dialog.findChild(QDialogButtonBox)
        assert box is not None
        close = box.button(QDialogButtonBox.StandardButton.Close)
        assert QApplication.focusWidget() is not close
        _shot(dialog, shots, lang, "05-approved")
        # Later: what was lost with the stolen laptop, read again by choosing it.
        dialog.list.setFocus()
        while chosen(dialog) != "Outreach Hbf":
            QTest.keyClick(dialog.list, Qt.Key.Key_Up)
        assert dialog.revoked_note.isVisible()
        assert f"({when})" in dialog.revoked_note.text()
        # Below the list, the dialog grown to hold it (once laid out), nothing overlapping.
        note, listed = dialog.revoked_note, dialog.list
        qtbot.waitUntil(lambda: note.y() > listed.geometry().bottom(), timeout=5000)
        qtbot.waitUntil(
            lambda: dialog.fingerprint_label.y() >= note.geometry().bottom(), timeout=5000
        )
        _shot(dialog, shots, lang, "06-what-was-lost")
        # Escape closes it (nothing typed is left).
        focused = QApplication.focusWidget()
        assert focused is not None
        QTest.keyClick(focused, Qt.Key.Key_Escape)
        qtbot.waitUntil(lambda: not dialog.isVisible(), timeout=5000)

        # On the new laptop: F5 syncs, File → Confirm the coordinator's laptop, her fingerprint
        # typed, Enter; it receives the team's records.
        new = _window(qtbot, fresh, replaced=True)
        with qtbot.waitSignal(new.sync.sync_finished, timeout=30_000):  # type: ignore[attr-defined]
            QTest.keyClick(new, Qt.Key.Key_F5)
        _shot(new, shots, lang, "07-new-waiting")
        menu_entry(qtbot, new, "&File", "Con&firm the coordinator's laptop…")
        confirm = _shown(qtbot, new, ConfirmCoordinatorDialog)
        assert isinstance(confirm, ConfirmCoordinatorDialog)
        made_active(qtbot, confirm)
        assert confirm.fingerprint.hasFocus()
        _type(confirm.fingerprint, sync_uc.fingerprint(coordinator.store))
        _shot(confirm, shots, lang, "08-confirm")
        QTest.keyClick(confirm.fingerprint, Qt.Key.Key_Return)
        # Approved for advisors: its window is built anew for that role, and says so.
        new = replacing_window(qtbot, new, timeout=30_000)
        told = new.findChild(QMessageBox, "lowered_role")
        if told is not None and told.isVisible():
            qtbot.waitUntil(told.isActiveWindow, timeout=5000)
            QTest.keyClick(told.focusWidget() or told, Qt.Key.Key_Return)
            qtbot.waitUntil(lambda: not told.isVisible(), timeout=5000)
        controller = new.sync  # type: ignore[attr-defined]
        if not controller.reached:
            with qtbot.waitSignal(controller.sync_finished, timeout=30_000):
                controller.start()
        assert people.get_person(fresh.store, fresh.user, synced.id) is not None
        qtbot.waitUntil(lambda: new.model.rowCount() >= 1, timeout=10_000)
        _shot(new, shots, lang, "09-new-synced")
        new.close()

        # Administration → Audit log: the revocation names the stolen laptop.
        made_active(qtbot, window)
        menu_entry(qtbot, window, "&Administration", "&Audit log…")
        log = _shown(qtbot, window, AuditWindow)
        assert isinstance(log, AuditWindow)
        model = log.model
        rows = [
            [model.item(r, c).text() for c in range(model.columnCount())]
            for r in range(model.rowCount())
        ]
        revoked = [row for row in rows if row[2] == REVOKED[lang]]
        assert [row[3] for row in revoked] == [THE_LAPTOP[lang].format("Outreach Hbf")], rows
        _shot(log, shots, lang, "10-audit")
        log.close()
        window.close()
    finally:
        translations.stop()
        set_language("en")
