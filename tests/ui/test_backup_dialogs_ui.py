"""The backup and restore dialogs as a coordinator uses them: by keyboard, and choosing the
backup file rather than typing its path."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QFileDialog, QPushButton
from pytestqt.qtbot import QtBot

from desktop_app.ui.accounts import BackupDialog, RestoreDialog
from desktop_app.usecases import backup
from desktop_app.usecases.accounts import Session, log_in
from tests.conftest import PASSWORD

PASSPHRASE = "a long backup passphrase 7"


def test_alt_f_reaches_the_backup_file_field_in_both_dialogs(
    qtbot: QtBot, session: Session
) -> None:
    """The label "Backup &file" had the row (field and button) as its buddy, which takes no
    focus: Alt+F left the focus in the passphrase field."""
    for dialog in (BackupDialog(session), RestoreDialog()):
        qtbot.addWidget(dialog)
        dialog.show()
        qtbot.waitExposed(dialog)
        dialog.passphrase.setFocus()
        qtbot.waitUntil(dialog.passphrase.hasFocus)
        qtbot.keyClick(dialog.passphrase, Qt.Key.Key_F, Qt.KeyboardModifier.AltModifier)
        assert QApplication.focusWidget() is dialog.file, type(dialog).__name__
        dialog.reject()


def test_the_backup_to_restore_is_chosen_and_restored(
    qtbot: QtBot, session: Session, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The restore dialog had no "Choose…" beside the backup file: its path had to be typed."""
    written = tmp_path / "store.wdbackup"
    backup.write_backup(session, written, PASSPHRASE)
    dialog = RestoreDialog()
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitExposed(dialog)
    asked: list[str] = []

    def choose(_parent: object, _title: str, _folder: str, pattern: str) -> tuple[str, str]:
        asked.append(pattern)
        return str(written), pattern

    # the platform's file dialog cannot be driven here; what it answers can
    monkeypatch.setattr(QFileDialog, "getOpenFileName", choose)
    (choose_button,) = [b for b in dialog.findChildren(QPushButton) if b.text() == "&Choose…"]
    choose_button.click()
    assert asked == ["*.wdbackup"]
    assert dialog.file.text() == str(written)
    target = tmp_path / "replacement"
    dialog.folder.setText(str(target))
    dialog.passphrase.setText(PASSPHRASE)
    with qtbot.waitSignal(dialog.accepted, timeout=20_000):
        dialog.buttons.accepted.emit()
    restored = log_in(target, "anna", PASSWORD)
    assert restored.user.display_name == "Anna Schmidt"
    restored.close()
