"""The revoke question takes a short note for the audit log ("stolen from a car on Monday"):
the log said only that a laptop was revoked, and whoever read it later (an insurer, the data
protection officer) learnt nothing of why. By keys only, in Bulgarian, with a real server on
127.0.0.1: Enter in the note keeps the laptop, as Enter and Escape in the question do; the
note typed and Revoke chosen revokes it, and the audit window shows the note."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication, QMessageBox
from pytestqt.qtbot import QtBot

from desktop_app.domain.users import Role
from desktop_app.i18n.text import set_language
from desktop_app.ui.audit import AuditWindow
from desktop_app.ui.main_window import MainWindow
from desktop_app.ui.sync_status import DevicesDialog
from desktop_app.ui.widgets import ConfirmQuestion
from desktop_app.usecases import audit
from tests.integration.sync_harness import Laptops, ServerProcess, device_id
from tests.ui.conftest import alt_access_key, type_text
from tests.ui.laptops_dialog import chosen, open_laptops

NOTE = "откраднат от кола в понеделник"


def _question(qtbot: QtBot, dialog: DevicesDialog) -> ConfirmQuestion:
    qtbot.waitUntil(dialog.isActiveWindow, timeout=5000)
    alt_access_key(dialog, dialog.revoke.text())
    qtbot.waitUntil(lambda: dialog.revoke_question is not None, timeout=5000)
    question = dialog.revoke_question
    assert question is not None and question.note is not None
    qtbot.waitUntil(question.isActiveWindow, timeout=5000)
    assert question.buttonRole(question.focusWidget()) == QMessageBox.ButtonRole.RejectRole  # type: ignore[arg-type]
    return question


def test_a_revocation_keeps_its_note_in_the_audit_log(
    qtbot: QtBot, server: ServerProcess, laptops: Laptops, program_font: None, shots: Path
) -> None:
    coordinator = laptops.new("Координация")
    stolen = laptops.new("Outreach Hbf", role=Role.ADVISOR)
    laptops.sync()
    set_language("bg")
    try:
        window = MainWindow(coordinator)
        qtbot.addWidget(window)
        window.sync.timer.stop()  # type: ignore[attr-defined]
        window.resize(1366, 768)
        window.show()
        qtbot.waitExposed(window)
        dialog = open_laptops(qtbot, window, 2)
        while chosen(dialog) != "Outreach Hbf":
            QTest.keyClick(dialog.list, Qt.Key.Key_Down)

        # Enter in the note keeps the laptop, as Escape does
        question = _question(qtbot, dialog)
        note = question.note
        assert note is not None
        alt_access_key(question, _label_text(question))
        assert note.hasFocus()
        type_text(note, NOTE)
        question.grab().save(str(shots / "revoke-note-bg.png"))
        QTest.keyClick(note, Qt.Key.Key_Return)
        qtbot.waitUntil(lambda: dialog.revoke_question is None, timeout=5000)
        assert server.device_status(device_id(stolen)) == "approved"
        question = _question(qtbot, dialog)
        QTest.keyClick(question.focusWidget(), Qt.Key.Key_Escape)
        qtbot.waitUntil(lambda: dialog.revoke_question is None, timeout=5000)
        assert server.device_status(device_id(stolen)) == "approved"

        # typed, then Tab to "Revoke and renew" and Space
        question = _question(qtbot, dialog)
        note = question.note
        assert note is not None and not note.text()  # a new question, a new note
        alt_access_key(question, _label_text(question))
        type_text(note, NOTE)
        QTest.keyClick(note, Qt.Key.Key_Tab)
        go = question.focusWidget()
        assert question.buttonRole(go) == QMessageBox.ButtonRole.AcceptRole  # type: ignore[arg-type]
        with qtbot.waitSignal(dialog.calls.idle, timeout=60_000):
            QTest.keyClick(go, Qt.Key.Key_Space)
        qtbot.waitUntil(lambda: not dialog.busy, timeout=30_000)
        assert server.device_status(device_id(stolen)) == "revoked"
        (entry,) = [
            e
            for e in audit.list_entries(coordinator.store, coordinator.user)
            if e.action == "revoke_laptop"
        ]
        assert entry.details == {"note": NOTE}
        dialog.close()

        log = AuditWindow(coordinator, window)
        qtbot.addWidget(log)
        log.show()
        model = log.model
        qtbot.waitUntil(lambda: model.rowCount() > 0, timeout=10_000)
        rows = [
            [model.item(r, c).text() for c in range(model.columnCount())]
            for r in range(model.rowCount())
        ]
        (revoked,) = [row for row in rows if row[2] == "лаптопът е блокиран"]
        assert f"бележка: {NOTE}" in revoked, revoked
        log.close()
    finally:
        set_language("en")
        QApplication.processEvents()


def _label_text(question: ConfirmQuestion) -> str:
    from PySide6.QtWidgets import QLabel

    (label,) = [w for w in question.findChildren(QLabel) if w.buddy() is question.note]
    return label.text()
