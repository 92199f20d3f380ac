"""The backup and restore dialogs as a coordinator uses them: by keyboard, and choosing the
backup file rather than typing its path."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
import shiboken6
from PySide6.QtCore import Qt
from PySide6.QtGui import QAction, QTextBlock, QTextDocument
from PySide6.QtWidgets import QApplication, QFileDialog, QLabel, QMessageBox, QPushButton
from pytestqt.qtbot import QtBot

from desktop_app.domain.person import PersonDraft
from desktop_app.exits import EXIT_STORE
from desktop_app.i18n.text import set_language
from desktop_app.paths import (
    DataDirChoice,
    choose_data_dir,
    data_dir_choice_file,
    default_data_dir,
    remember_data_dir,
    remembered_data_dir,
)
from desktop_app.storage.db import StoreClosed
from desktop_app.ui.accounts import BackupDialog, RestoreDialog
from desktop_app.ui.login import LoginDialog
from desktop_app.ui.main_window import MainWindow
from desktop_app.ui.visits import VisitWindow
from desktop_app.usecases import backup, people, visits
from desktop_app.usecases.accounts import Session, log_in
from tests.conftest import PASSWORD
from tests.ui.conftest import answer_save_dialog, save_dialog_shown, shown_window, unwritable_folder
from tests.ui.test_forms_ui import choose
from tests.ui.test_silent_failures_ui import _restore
from tests.unit.test_cli import run

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
    qtbot: QtBot, session: Session, tmp_path: Path
) -> None:
    """The restore dialog had no "Choose…" beside the backup file: its path had to be typed."""
    written = tmp_path / "store.wdbackup"
    backup.write_backup(session, written, PASSPHRASE)
    dialog = RestoreDialog()
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitExposed(dialog)
    (choose_button,) = [b for b in dialog.findChildren(QPushButton) if b.text() == "&Choose…"]
    choose_button.click()
    qtbot.waitUntil(lambda: save_dialog_shown() is not None, timeout=10_000)
    chooser = save_dialog_shown()
    assert chooser is not None and chooser.nameFilters() == ["*.wdbackup"]
    answer_save_dialog(qtbot, written)
    assert dialog.file.text() == str(written)
    target = tmp_path / "replacement"
    dialog.folder.setText(str(target))
    dialog.passphrase.setText(PASSPHRASE)
    with qtbot.waitSignal(dialog.accepted, timeout=20_000):
        dialog.buttons.accepted.emit()
    restored = log_in(target, "anna", PASSWORD)
    assert restored.user.display_name == "Anna Schmidt"
    restored.close()


def _file_action(window: MainWindow, text: str) -> QAction:
    (action,) = [a for a in window.file_menu.actions() if a.text() == text]
    return action


def test_a_restore_without_a_data_folder_is_refused_at_the_field(
    qtbot: QtBot, session: Session, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """An empty "New data folder" was Path(""), the program's working folder: the backup was
    unpacked there (store, key slots) and the dialog closed as if all was well."""
    written = tmp_path / "store.wdbackup"
    backup.write_backup(session, written, PASSPHRASE)
    started_in = tmp_path / "started-here"
    started_in.mkdir()
    monkeypatch.chdir(started_in)
    window = shown_window(qtbot, session)
    _file_action(window, "&Restore backup…").trigger()
    (dialog,) = window.findChildren(RestoreDialog)
    qtbot.waitExposed(dialog)
    dialog.file.setText(str(written))
    dialog.passphrase.setText(PASSPHRASE)
    dialog.buttons.accepted.emit()
    assert dialog.isVisible()
    assert dialog.errors["folder"].text() == "This field is required."
    assert dialog.errors["file"].text() == ""
    window.wait_for_background()
    assert list(started_in.iterdir()) == []
    dialog.reject()


def test_a_restore_into_the_folder_in_use_says_at_the_folder_to_choose_a_new_one(
    qtbot: QtBot, session: Session, tmp_path: Path
) -> None:
    """The coordinator chose the data folder in use, as if the backup went over the data:
    "This data folder already holds a database." stood under the fields, beside none, and
    said nothing of what to do. It stands at the folder and says it; the data stays."""
    written = tmp_path / "store.wdbackup"
    backup.write_backup(session, written, PASSPHRASE)
    in_use = session.store.paths.database.parent
    before = sorted(p.name for p in in_use.iterdir())
    dialog = _restore(qtbot, written, in_use, PASSPHRASE)
    assert dialog.errors["folder"].text() == (
        "This folder already holds data. A backup is restored beside the data, never over "
        "it: choose a new or empty folder."
    )
    assert dialog.general.text() == ""
    # nothing unpacked there (a restore leaves its "restored-from-backup" mark)
    assert sorted(p.name for p in in_use.iterdir()) == before
    dialog.reject()


def _restored_from_the_menu(
    qtbot: QtBot, session: Session, tmp_path: Path, *, replaced: bool = False
) -> tuple[MainWindow, Path, QMessageBox]:
    """The window of ``session``, its backup restored from the File menu into a new folder,
    and the message said after it. A window to be ``replaced`` is deleted by the program,
    not left to qtbot to close."""
    written = tmp_path / "store.wdbackup"
    backup.write_backup(session, written, PASSPHRASE)
    if replaced:
        window = MainWindow(session)
        window.show()
        qtbot.waitExposed(window)
    else:
        window = shown_window(qtbot, session)
    _file_action(window, "&Restore backup…").trigger()
    (dialog,) = window.findChildren(RestoreDialog)
    target = tmp_path / "replacement"
    dialog.file.setText(str(written))
    dialog.folder.setText(str(target))
    dialog.passphrase.setText(PASSPHRASE)
    with qtbot.waitSignal(dialog.accepted, timeout=20_000):
        dialog.buttons.accepted.emit()
    boxes = [b for b in window.findChildren(QMessageBox) if b.isVisible()]
    assert len(boxes) == 1
    return window, target, boxes[0]


def _button(box: QMessageBox, text: str) -> QPushButton:
    (button,) = [b for b in box.findChildren(QPushButton) if b.text() == text]
    return button


def test_after_a_restore_the_coordinator_may_keep_working_and_is_told_where_the_data_is(
    qtbot: QtBot, session: Session, tmp_path: Path
) -> None:
    """The message said to start the program with "--data-dir", a command-line option: a
    coordinator at a contact point has no terminal. Keeping the current data changes nothing,
    and the message says where the restored data stays."""
    window, target, box = _restored_from_the_menu(qtbot, session, tmp_path)
    assert "--data-dir" not in box.text()
    assert box.text().count(str(target)) == 2  # where it went, where it stays
    _button(box, "&Keep working with the current data").click()
    assert window.isVisible() and window.replaced_by is None
    assert window.session.store.paths.data_dir == session.store.paths.data_dir
    assert remembered_data_dir() is None  # the next start: the same data as now
    restored = log_in(target, "anna", PASSWORD)
    restored.close()


def test_a_login_to_the_restored_data_cancelled_leaves_the_window_with_its_data(
    qtbot: QtBot, session: Session, tmp_path: Path
) -> None:
    """Nothing of the current data is closed before the restored store is open: a cancelled
    login leaves the window, its store and the next start as they were."""
    window, _target, box = _restored_from_the_menu(qtbot, session, tmp_path)
    _button(box, "&Open the restored data").click()
    (login,) = [d for d in window.findChildren(LoginDialog) if d.isVisible()]
    login.buttons.rejected.emit()
    assert not login.isVisible()
    assert window.isVisible() and window.replaced_by is None
    assert window.session is session
    assert people.count_people(session.store) == 0  # the store still answers
    assert remembered_data_dir() is None


def test_the_restored_data_opens_in_the_window_and_the_program_starts_with_it_from_then_on(
    qtbot: QtBot, session: Session, data_dir: Path, tmp_path: Path
) -> None:
    """'Open the restored data': a login with the backup's account, then the backup's people
    in the window. The form open before keeps its draft in the current store, which is closed
    and otherwise left as it was; the next start opens the restored folder."""
    person, _other = (
        people.register_person(session.store, session.user, PersonDraft(first, last, "1990-01-01"))
        for first, last in (("Ion", "Popescu"), ("Мария", "Петрова"))
    )
    window, target, box = _restored_from_the_menu(qtbot, session, tmp_path, replaced=True)
    form = VisitWindow(session, person, "skills_check", parent=window)
    form.show()
    qtbot.waitExposed(form)
    choose(form.view, "latin_literacy", "partly")  # typed after the backup, before the switch
    _button(box, "&Open the restored data").click()
    (login,) = [d for d in window.findChildren(LoginDialog) if d.isVisible()]
    assert str(target) in login.intro.text()
    assert login.account.text() == "anna"  # who is logged in and restoring, not read from it
    login.password.setText("not the password")
    login.buttons.accepted.emit()
    assert login.isVisible() and window.replaced_by is None  # refused: nothing changed yet
    assert login.error.text()
    login.password.setText(PASSWORD)
    login.buttons.accepted.emit()
    new = window.replaced_by
    assert new is not None
    # The old store is closed and refuses a reference kept to it; its session holds no key.
    assert session.store.closed and session.key == b""
    assert session.store.engine.url.password is None
    with pytest.raises(StoreClosed):
        people.count_people(session.store)
    with pytest.raises(StoreClosed):
        visits.save_draft(session.store, session.user, person.id, "skills_check", {})
    try:
        qtbot.waitExposed(new)
        assert new.session.store.paths.data_dir == target.absolute()
        assert new.session.user.display_name == "Anna Schmidt"
        qtbot.waitUntil(lambda: new.model.rowCount() == 2, timeout=10_000)
        names = {new.model.data(new.model.index(row, 0)) for row in range(2)}
        assert any("Popescu" in str(name) for name in names), names
        qtbot.waitUntil(lambda: new.features_installed, timeout=20_000)
        # read back from the file, as the next start (window or command) reads it
        assert data_dir_choice_file().read_text(encoding="utf-8") == f"{target.absolute()}\n"
        assert choose_data_dir(None) == DataDirChoice(target.absolute(), target.absolute())
    finally:
        new.close()
        new.session.close()
    # the old window is gone, and with it its idle lock (it watched the whole application)
    qtbot.waitUntil(lambda: not shiboken6.isValid(window), timeout=5000)
    # the current store: its people and the form's draft kept, the backup not in it
    again = log_in(data_dir, "anna", PASSWORD)
    try:
        assert people.count_people(again.store) == 2
        draft = visits.load_draft(again.store, again.user, person.id, "skills_check")
        assert draft is not None and draft.answers["latin_literacy"] == "partly"
    finally:
        again.close()
    restored = log_in(target, "anna", PASSWORD)
    try:  # the draft was typed after the backup: not in the restored data
        assert visits.load_draft(restored.store, restored.user, person.id, "skills_check") is None
    finally:
        restored.close()


def _switched_to_the_restored_data(
    qtbot: QtBot, session: Session, tmp_path: Path, lang: str = "en"
) -> tuple[MainWindow, Path]:
    """The backup of ``session`` restored from the menu and opened in the window, the login
    done in ``lang``: the new window and the restored folder."""
    window, target, box = _restored_from_the_menu(qtbot, session, tmp_path, replaced=True)
    _button(box, "&Open the restored data").click()
    (login,) = [d for d in window.findChildren(LoginDialog) if d.isVisible()]
    set_language(lang)
    login.password.setText(PASSWORD)
    login.buttons.accepted.emit()
    new = window.replaced_by
    assert new is not None
    qtbot.waitExposed(new)
    return new, target


def _closed(new: MainWindow) -> None:
    new.close()
    new.session.close()


def _blocks(document: QTextDocument) -> list[QTextBlock]:
    block, found = document.begin(), []
    while block.isValid():
        found.append(block)
        block = block.next()
    return found


def test_a_data_folder_choice_that_cannot_be_written_is_said_at_the_switch_with_the_folder(
    qtbot: QtBot, session: Session, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A read-only home folder: the switch went ahead, the choice was not written, and the
    next start opened the default data folder without a word (the restored data looked
    lost). Said at once, in the UI language, with the folder to name with --data-dir."""
    home = unwritable_folder(tmp_path)  # where the choice is kept, beside the default folder
    monkeypatch.setenv("XDG_DATA_HOME", str(home))
    assert data_dir_choice_file().parent == home
    new, target = _switched_to_the_restored_data(qtbot, session, tmp_path, "de")
    try:
        assert new.session.store.paths.data_dir == target.absolute()  # the switch happened
        boxes = [b for b in new.findChildren(QMessageBox) if b.isVisible()]
        assert len(boxes) == 1
        text = boxes[0].text()
        assert f'--data-dir "{target.absolute()}"' in text
        assert str(default_data_dir()) in text  # what the next start opens instead
        assert str(data_dir_choice_file()) in text
        assert "Welcome Desk konnte sich nicht merken" in text  # German, as the window
        assert boxes[0].windowTitle() == "Wiederhergestellte Daten öffnen"
        # The option on a line of its own, whole (it wrapped inside the path), to be copied.
        command = f'--data-dir "{target.absolute()}"'
        label = boxes[0].findChild(QLabel, "qt_msgbox_label")
        assert label is not None
        assert label.textInteractionFlags() & Qt.TextInteractionFlag.TextSelectableByMouse
        document = QTextDocument()  # the label's text, laid out at the label's width
        document.setDefaultFont(label.font())
        document.setHtml(label.text())
        document.setTextWidth(label.width())
        document.documentLayout()  # lays it out
        [block] = [b for b in _blocks(document) if b.text() == command]  # a paragraph alone
        assert block.layout().lineCount() == 1  # whole, on one line
        shots = Path(os.environ.get("WELCOME_DESK_SHOTS", tmp_path))
        boxes[0].grab().save(str(shots / "not-remembered-de.png"))
        # as said: the next start opens the default folder
        assert choose_data_dir(None) == DataDirChoice(default_data_dir())
        assert not data_dir_choice_file().with_name(data_dir_choice_file().name + ".part").exists()
    finally:
        set_language("en")
        _closed(new)


def test_after_the_switch_the_log_is_written_in_the_restored_data_folder(
    qtbot: QtBot, session: Session, data_dir: Path, tmp_path: Path
) -> None:
    """The log file stayed in the old data folder until the next start: what went wrong
    with the restored data was logged beside the data no longer in use."""
    import logging

    from desktop_app.logs import LOG_NAME, configure_logging

    root = logging.getLogger()
    before = set(root.handlers)
    configure_logging(data_dir / "logs")  # as the window's start sets it up
    try:
        new, target = _switched_to_the_restored_data(qtbot, session, tmp_path)
        try:
            logging.getLogger("welcome_desk.test").warning("after the switch %s", "marker-7")
        finally:
            _closed(new)
        for handler in root.handlers:
            handler.flush()
        new_log = (target / "logs" / LOG_NAME).read_text(encoding="utf-8")
        assert "after the switch marker-7" in new_log
        old_log = data_dir / "logs" / LOG_NAME
        assert not old_log.exists() or "marker-7" not in old_log.read_text(encoding="utf-8")
    finally:
        for handler in set(root.handlers) - before:
            root.removeHandler(handler)
            handler.close()


def test_the_data_folder_chosen_in_the_window_opens_unless_gone_or_the_command_line_names_one(
    session: Session, tmp_path: Path
) -> None:
    """A restored folder on a stick not plugged in: the first-run wizard there would have
    started an empty store; the default folder opens instead, and the choice stays for when
    the stick is back. --data-dir wins over the folder chosen in the window."""
    default = default_data_dir()
    assert choose_data_dir(None) == DataDirChoice(default)  # none chosen yet
    remember_data_dir(tmp_path / "gone")
    assert choose_data_dir(None) == DataDirChoice(default, tmp_path / "gone")
    assert remembered_data_dir() == tmp_path / "gone"  # kept for when it is there again
    in_use = session.store.paths.data_dir
    remember_data_dir(in_use)
    assert choose_data_dir(None) == DataDirChoice(in_use, in_use)
    # the command line's --data-dir still opens the folder it names
    assert choose_data_dir(tmp_path / "other") == DataDirChoice(tmp_path / "other")
    remember_data_dir(default)  # back to the default folder: the choice is forgotten
    assert not data_dir_choice_file().exists()
    assert choose_data_dir(None) == DataDirChoice(default)


def test_the_restore_dialog_shows_the_paths_whole_beside_buttons_as_wide_in_every_language(
    qtbot: QtBot, shots: Path
) -> None:
    """460 px wide, the dialog cut the backup's path off in its field, and the folder's. Its
    two "Choose…" buttons differed in width (92 and 136 px in German); made as wide beside
    the labels, they cut the paths at 800 px (the folder's was cut in Bulgarian already)."""
    source = r"E:\Sicherungen\Beratungsstelle Nord\welcome-desk-2026-12-05.wdbackup"
    folder = r"C:\Users\Koordination\Documents\Welcome Desk (wiederhergestellt)"
    for lang in ("de", "bg", "ro", "en"):
        set_language(lang)
        dialog = RestoreDialog()
        qtbot.addWidget(dialog)
        dialog.file.setText(source)
        dialog.folder.setText(folder)
        dialog.show()
        qtbot.waitExposed(dialog)
        # offscreen: an 800 px screen, narrower than the coordinators' 1024 and 1366
        assert dialog.width() <= dialog.screen().availableGeometry().width() - 60
        for field, path in ((dialog.file, source), (dialog.folder, folder)):
            assert field.toolTip() == path
            shown = field.width() - 2 * field.style().pixelMetric(
                field.style().PixelMetric.PM_DefaultFrameWidth
            )
            assert field.fontMetrics().horizontalAdvance(path) < shown, (lang, path)
        rows = [field.parentWidget() for field in (dialog.file, dialog.folder)]
        choose = [b for row in rows if row is not None for b in row.findChildren(QPushButton)]
        assert len(choose) == 2 and len({button.width() for button in choose}) == 1, lang
        dialog.grab().save(str(shots / f"restore-{lang}.png"))
        dialog.reject()


def test_a_backup_made_from_the_menu_says_where_it_was_saved(
    qtbot: QtBot, session: Session, tmp_path: Path
) -> None:
    """The dialog closed without a word: whether, and where, the backup was written was left
    to guess."""
    window = shown_window(qtbot, session)
    _file_action(window, "&Backup…").trigger()
    (dialog,) = window.findChildren(BackupDialog)
    target = tmp_path / "monday.wdbackup"
    dialog.file.setText(str(target))
    dialog.passphrase.setText(PASSPHRASE)
    dialog.repeat.setText(PASSPHRASE)
    with qtbot.waitSignal(dialog.accepted, timeout=20_000):
        dialog.buttons.accepted.emit()
    assert target.exists()
    assert window.statusBar().currentMessage() == f"Backup written to {target}."


def test_the_new_data_folder_of_a_restore_is_chosen_too(qtbot: QtBot, tmp_path: Path) -> None:
    """Beside the backup file a "Choose…", beside the new data folder nothing: its whole path
    (C:\\Users\\…\\WelcomeDesk) had to be typed by hand. Its button has an access key of its
    own, and the label's key still reaches the field."""
    dialog = RestoreDialog()
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitExposed(dialog)
    chosen = tmp_path / "replacement laptop"
    chosen.mkdir()
    (button,) = [b for b in dialog.findChildren(QPushButton) if b.text() == "Choose fol&der…"]
    button.click()
    qtbot.waitUntil(lambda: save_dialog_shown() is not None, timeout=10_000)
    chooser = save_dialog_shown()
    assert chooser is not None and chooser.windowTitle() == "New data folder"
    assert chooser.fileMode() == QFileDialog.FileMode.Directory
    answer_save_dialog(qtbot, chosen)
    assert dialog.folder.text() == str(chosen)
    dialog.file.setFocus()
    qtbot.waitUntil(dialog.file.hasFocus)
    qtbot.keyClick(dialog.file, Qt.Key.Key_N, Qt.KeyboardModifier.AltModifier)
    assert QApplication.focusWidget() is dialog.folder
    dialog.reject()


def _filled_backup_dialog(qtbot: QtBot, session: Session, file: Path) -> BackupDialog:
    """The backup dialog shown, its file and both passphrases typed, not yet sent."""
    dialog = BackupDialog(session)
    qtbot.addWidget(dialog)
    dialog.show()
    dialog.file.setText(str(file))
    dialog.passphrase.setText(PASSPHRASE)
    dialog.repeat.setText(PASSPHRASE)
    return dialog


def test_a_backup_to_a_folder_asks_for_a_file_name_at_the_field(
    qtbot: QtBot, session: Session, tmp_path: Path
) -> None:
    """The stick's folder typed as the backup file was refused with "The backup file cannot
    be read" (a backup being written, not read) and left "stick.part" beside the folder."""
    stick = tmp_path / "stick"
    stick.mkdir()
    dialog = _filled_backup_dialog(qtbot, session, stick)
    dialog.buttons.accepted.emit()
    assert dialog.isVisible()
    assert dialog.errors["file"].text() == (
        "This is a folder. Add the backup's file name to it, for example "
        f"{stick / 'welcome-desk.wdbackup'}."
    )
    assert dialog.general.text() == ""
    assert sorted(p.name for p in tmp_path.iterdir()) == ["data", "stick"]
    # corrected: what was said of the folder goes
    dialog.file.setText(str(stick / "welcome-desk.wdbackup"))
    with qtbot.waitSignal(dialog.accepted, timeout=20_000):
        dialog.buttons.accepted.emit()
    assert dialog.errors["file"].text() == ""
    assert (stick / "welcome-desk.wdbackup").is_file()


def _said_when_writing_fails(qtbot: QtBot, session: Session, target: Path) -> str:
    """What the dialog says under its fields after writing the backup to ``target`` failed."""
    dialog = _filled_backup_dialog(qtbot, session, target)
    with qtbot.waitSignal(dialog.save.answered, timeout=20_000):
        dialog.buttons.accepted.emit()
    assert dialog.isVisible()
    return dialog.general.text()


def test_a_backup_that_cannot_be_written_says_it_could_not_be_written(
    qtbot: QtBot, session: Session, tmp_path: Path
) -> None:
    """Writing failed (here: the "folder" is a file) was told as "The backup file cannot be
    read"."""
    not_a_folder = tmp_path / "stick"
    not_a_folder.write_text("a file", encoding="utf-8")
    target = not_a_folder / "welcome-desk.wdbackup"
    assert _said_when_writing_fails(qtbot, session, target) == (
        f"The backup could not be written to {target}. A file of the same name stands where a "
        "folder should be. Choose another name or place."
    )


def test_a_backup_written_over_a_folder_leaves_no_part_file(
    session: Session, tmp_path: Path
) -> None:
    """A backup that fails half-way (the stick full or pulled out; here its name is taken by
    a folder) left its encrypted "….part" beside the backups."""
    taken = tmp_path / "welcome-desk.wdbackup"
    taken.mkdir()
    with pytest.raises(OSError):
        backup.write_backup(session, taken, PASSPHRASE)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["data", "welcome-desk.wdbackup"]


def test_a_backup_to_a_folder_it_may_not_write_to_says_why_in_german(
    qtbot: QtBot, session: Session, tmp_path: Path
) -> None:
    """Said as "check that the folder can be written to and has room left": not which."""
    set_language("de")
    target = unwritable_folder(tmp_path) / "welcome-desk.wdbackup"
    assert _said_when_writing_fails(qtbot, session, target) == (
        f"Die Sicherung konnte nicht in {target} geschrieben werden. Welcome Desk darf diese "
        "Datei oder diesen Ordner nicht verwenden. Wählen Sie einen anderen Ort, oder fragen "
        "Sie die Person, die diesen Laptop betreut."
    )
    assert not target.exists()


REPLACE_RO = "Înl&ocuiește"


def _asked_to_replace(qtbot: QtBot, session: Session, tmp_path: Path) -> BackupDialog:
    """Last week's backup's path typed in the Romanian dialog and sent: the question is open."""
    set_language("ro")
    earlier = tmp_path / "monday.wdbackup"
    earlier.write_bytes(b"last week's backup")
    dialog = _filled_backup_dialog(qtbot, session, earlier)
    dialog.buttons.accepted.emit()
    box = dialog.replace_question
    assert box is not None and box.isVisible()
    assert box.text() == (
        f"Fișierul {earlier} există deja. Doriți să-l înlocuiți cu noua copie de siguranță? "
        "Copia de siguranță pe care o conține acum se pierde."
    )
    # Enter and Escape keep the file
    assert box.defaultButton() is box.escapeButton()
    assert box.defaultButton().text() != REPLACE_RO
    return dialog


def _answer(qtbot: QtBot, dialog: BackupDialog, text: str | None) -> None:
    """Click the question's button named ``text`` (None: its default)."""
    box = dialog.replace_question
    assert box is not None
    (
        box.defaultButton() if text is None else next(b for b in box.buttons() if b.text() == text)
    ).click()
    qtbot.waitUntil(lambda: dialog.replace_question is None)


def test_a_typed_path_of_an_existing_backup_is_kept_when_the_user_says_no(
    qtbot: QtBot, session: Session, tmp_path: Path
) -> None:
    """A typed path overwrote last week's backup without a word (the file picker asks)."""
    dialog = _asked_to_replace(qtbot, session, tmp_path)
    _answer(qtbot, dialog, None)
    assert dialog.isVisible()
    assert dialog.focusWidget() is dialog.file  # to type another name
    assert (tmp_path / "monday.wdbackup").read_bytes() == b"last week's backup"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["data", "monday.wdbackup"]


def test_a_typed_path_of_an_existing_backup_is_replaced_when_the_user_says_so(
    qtbot: QtBot, session: Session, tmp_path: Path
) -> None:
    dialog = _asked_to_replace(qtbot, session, tmp_path)
    with qtbot.waitSignal(dialog.accepted, timeout=20_000):
        _answer(qtbot, dialog, REPLACE_RO)
    replaced = tmp_path / "monday.wdbackup"
    assert replaced.read_bytes() != b"last week's backup"
    backup.restore_backup(replaced, tmp_path / "restored", PASSPHRASE)  # a backup now
    log_in(tmp_path / "restored", "anna", PASSWORD).close()


def test_a_new_file_or_one_the_file_picker_asked_about_is_not_asked_again(
    qtbot: QtBot, session: Session, tmp_path: Path
) -> None:
    target = tmp_path / "new.wdbackup"
    dialog = _filled_backup_dialog(qtbot, session, target)
    with qtbot.waitSignal(dialog.accepted, timeout=20_000):
        dialog.buttons.accepted.emit()
    assert dialog.replace_question is None
    assert target.is_file()
    # the picker asked before replacing it (Qt's save dialog does): not a second time
    again = _filled_backup_dialog(qtbot, session, tmp_path / "other.wdbackup")
    (browse,) = [b for b in again.findChildren(QPushButton) if b.text() == "&Choose…"]
    browse.click()
    answer_save_dialog(qtbot, target)
    assert again.file.text() == str(target)
    with qtbot.waitSignal(again.accepted, timeout=20_000):
        again.buttons.accepted.emit()
    assert again.replace_question is None


def test_a_damaged_backup_is_said_as_damaged_and_a_wrong_passphrase_at_its_field(
    qtbot: QtBot, session: Session, tmp_path: Path
) -> None:
    """A bit changed in the first chunk was said as a wrong passphrase, under the passphrase
    field: the coordinator tried passphrase after passphrase on a damaged file. The command
    line says what the dialog says."""
    written = tmp_path / "store.wdbackup"
    backup.write_backup(session, written, PASSPHRASE)
    raw = bytearray(written.read_bytes())
    header_size = int.from_bytes(raw[len(backup.MAGIC) : len(backup.MAGIC) + 4], "big")
    first_chunk = len(backup.MAGIC) + 4 + header_size + 4  # magic, header, the chunk's length
    raw[first_chunk + 100] ^= 1
    damaged = tmp_path / "damaged.wdbackup"
    damaged.write_bytes(raw)

    dialog = _restore(qtbot, damaged, tmp_path / "new", PASSPHRASE)
    said = (
        "This backup is damaged (cut short or altered) and cannot be restored. Nothing was "
        "restored; choose another backup, such as an earlier one."
    )
    assert dialog.general.text() == said
    assert dialog.errors["passphrase"].text() == ""
    dialog.grab().save(str(tmp_path / "damaged.png"))
    dialog.reject()
    assert not (tmp_path / "new" / "welcome-desk.db").exists()
    cli = run(
        "restore",
        "--in",
        str(damaged),
        "--data-dir",
        str(tmp_path / "new"),
        "--passphrase-stdin",
        password=PASSPHRASE,
    )
    assert cli.returncode == EXIT_STORE and said in " ".join(cli.stderr.split())

    dialog = _restore(qtbot, written, tmp_path / "new", "not the passphrase")
    assert dialog.errors["passphrase"].text() == (
        "The passphrase does not fit this backup. Type the passphrase chosen when the backup "
        "was written (capital and small letters count)."
    )
    assert dialog.general.text() == ""
    dialog.grab().save(str(tmp_path / "wrong.png"))
    dialog.reject()


@pytest.mark.parametrize("lang", ["bg", "ro"])
def test_the_restore_dialog_says_first_that_the_data_here_stays_as_it_is(
    qtbot: QtBot, lang: str, program_font: None
) -> None:
    """It opened on three fields, nothing above them: a coordinator restoring a backup did not
    know whether it would go over the data of this laptop (the backup dialog says what its
    passphrase is for; this one said nothing)."""
    set_language(lang)
    try:
        dialog = RestoreDialog()
        qtbot.addWidget(dialog)
        dialog.show()
        qtbot.waitExposed(dialog)
        QApplication.processEvents()
        intro = dialog.intro
        assert intro.isVisible()
        said = {"bg": "нова, празна папка", "ro": "dosar nou și gol"}[lang]
        assert said in intro.text(), intro.text()
        assert intro.height() >= intro.heightForWidth(intro.width())  # every line in sight
        assert dialog.width() <= 1024
        dialog.reject()
    finally:
        set_language("en")
