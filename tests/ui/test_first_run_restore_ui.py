"""A broken laptop's replacement: its backup restored from the first-run wizard's first page,
with a real backup written by the real code, and nothing left behind when it is refused or
cancelled."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import QSettings, Qt
from PySide6.QtWidgets import QFileDialog, QMessageBox, QWizard
from pytestqt.qtbot import QtBot

from desktop_app.domain.person import PersonDraft
from desktop_app.i18n.text import set_language
from desktop_app.ui.first_run import FirstRunWizard
from desktop_app.ui.save_dialog import documents_folder
from desktop_app.usecases import backup, people
from desktop_app.usecases.accounts import create_first_account
from tests.conftest import PASSWORD
from tests.ui.conftest import answer_save_dialog, save_dialog_shown, shown_window, type_text

PASSPHRASE = "a long backup passphrase 7"
SHOTS = os.environ.get("WELCOME_DESK_SHOTS")


@pytest.fixture
def written(tmp_path: Path) -> Path:
    """The broken laptop's backup, written by the real code: two people and Anna's account."""
    old = create_first_account(tmp_path / "old", "anna", "Anna Schmidt", PASSWORD)
    try:
        for first, last in (("Ion", "Popescu"), ("Мария", "Петрова")):
            people.register_person(old.store, old.user, PersonDraft(first, last, "1990-01-01"))
        file = tmp_path / "stick" / "laptop-3.wdbackup"
        backup.write_backup(old, file, PASSPHRASE)
    finally:
        old.close()
    return file


@pytest.fixture
def wizard(qtbot: QtBot, data_dir: Path, tmp_path: Path) -> Iterator[FirstRunWizard]:
    settings = QSettings(str(tmp_path / "settings.ini"), QSettings.Format.IniFormat)
    w = FirstRunWizard(data_dir, settings)
    qtbot.addWidget(w)
    w.resize(1024, 700)  # a laptop's screen
    w.show()
    qtbot.waitExposed(w)
    yield w
    if w.session is not None:
        w.session.close()


def _to_restore_page(wizard: FirstRunWizard, language: str = "en") -> None:
    wizard.language_page.buttons[language].setChecked(True)
    wizard.next()
    assert wizard.currentPage() is wizard.choice_page
    wizard.choice_page.restore.setChecked(True)
    wizard.next()
    assert wizard.currentPage() is wizard.restore_page


def _fill(wizard: FirstRunWizard, file: Path, passphrase: str, password: str) -> None:
    page = wizard.restore_page
    page.file.setText(str(file))
    type_text(page.passphrase, passphrase)
    type_text(page.account, "anna")
    type_text(page.password, password)


def _press_next(qtbot: QtBot, wizard: FirstRunWizard) -> None:
    """Next, then wait for the worker's answer."""
    wizard.button(QWizard.WizardButton.CommitButton).click()
    qtbot.waitUntil(lambda: not wizard.restore_page.busy, timeout=30_000)


def test_a_backup_chosen_on_the_first_page_opens_with_its_people_in_the_main_window(
    qtbot: QtBot, wizard: FirstRunWizard, written: Path, data_dir: Path
) -> None:
    """No throwaway account first: the backup, its passphrase, an account of it, and the main
    window shows the broken laptop's people."""
    _to_restore_page(wizard)
    page = wizard.restore_page
    page.choose.click()  # Qt's own dialog, in the documents folder as the save dialogs
    qtbot.waitUntil(lambda: save_dialog_shown() is not None, timeout=10_000)
    chooser = save_dialog_shown()
    assert chooser is not None
    assert chooser.acceptMode() == QFileDialog.AcceptMode.AcceptOpen
    assert Path(chooser.directory().absolutePath()) == documents_folder()
    answer_save_dialog(qtbot, written)
    assert page.file.text() == str(written)
    type_text(page.passphrase, PASSPHRASE)
    type_text(page.account, "anna")
    type_text(page.password, PASSWORD)
    _press_next(qtbot, wizard)
    qtbot.waitUntil(lambda: wizard.currentPage() is wizard.restored_page, timeout=10_000)
    # as after File → Restore backup: what the next sync brings back
    assert wizard.restored_page.hint.text().startswith(
        "The restored data is as it was when the backup was made. Its next sync brings back "
        "what was synced from it after the backup;"
    )
    finish = wizard.button(QWizard.WizardButton.FinishButton)
    assert finish.isVisible() and finish.text() == "&Start"
    finish.click()
    assert wizard.result() == QWizard.DialogCode.Accepted
    session = wizard.session
    assert session is not None and not wizard.demo
    assert session.store.paths.data_dir == data_dir
    assert session.user.display_name == "Anna Schmidt"
    window = shown_window(qtbot, session, 1024)
    qtbot.waitUntil(lambda: window.model.rowCount() == 2, timeout=10_000)
    names = " ".join(str(window.model.data(window.model.index(r, 0))) for r in range(2))
    assert "Popescu" in names and "Петрова" in names, names
    window.close()


def test_a_wrong_passphrase_is_said_at_its_field_in_bulgarian_and_leaves_no_folder(
    qtbot: QtBot, wizard: FirstRunWizard, written: Path, data_dir: Path
) -> None:
    _to_restore_page(wizard, "bg")
    _fill(wizard, written, "not the passphrase", PASSWORD)
    _press_next(qtbot, wizard)
    assert wizard.currentPage() is wizard.restore_page and wizard.session is None
    said = wizard.restore_page.errors["passphrase"].text()
    assert said.startswith("Паролата не отговаря на това резервно копие"), said
    assert not data_dir.exists()  # nothing made: the next start runs this wizard again
    assert wizard.restore_page.passphrase.hasFocus()


def test_a_refused_password_then_cancel_leaves_the_data_folder_as_it_was(
    qtbot: QtBot, wizard: FirstRunWizard, written: Path, data_dir: Path
) -> None:
    """The folder existed (the program's log in it): after a restore whose login was refused
    and a cancelled wizard it holds what it held, and no store that the next start would
    open."""
    (data_dir / "logs").mkdir(parents=True)
    (data_dir / "logs" / "welcome-desk.log").write_text("started\n", encoding="utf-8")
    _to_restore_page(wizard, "de")
    _fill(wizard, written, PASSPHRASE, "not the password")
    _press_next(qtbot, wizard)
    page = wizard.restore_page
    assert wizard.currentPage() is page and wizard.session is None
    assert page.errors["password"].text() == "Kontoname oder Passwort ist nicht richtig."
    assert page.password.text() == "" and page.password.hasFocus()
    assert (data_dir / "welcome-desk.db").exists()  # restored, kept for the next try
    # Escape with the fields filled asks first; discarding undoes the restore.
    qtbot.keyClick(page.account, Qt.Key.Key_Escape)
    question = wizard.discard_question
    assert question is not None and question.text() == "Verwerfen, was Sie eingegeben haben?"
    assert wizard.isVisible()
    (discard,) = [b for b in question.buttons() if b.text() == "&Verwerfen"]
    discard.click()
    assert not wizard.isVisible() and wizard.result() == QWizard.DialogCode.Rejected
    assert wizard.session is None
    assert sorted(p.relative_to(data_dir).as_posix() for p in data_dir.rglob("*")) == [
        "logs",
        "logs/welcome-desk.log",
    ]


def test_a_file_that_is_no_backup_and_a_damaged_one_are_said_at_the_file_in_romanian(
    qtbot: QtBot, wizard: FirstRunWizard, written: Path, data_dir: Path, tmp_path: Path
) -> None:
    letter = tmp_path / "scrisoare.pdf"
    letter.write_bytes(b"%PDF-1.7\n")
    raw = bytearray(written.read_bytes())
    raw[-200] ^= 1
    damaged = tmp_path / "damaged.wdbackup"
    damaged.write_bytes(raw)
    _to_restore_page(wizard, "ro")
    page = wizard.restore_page
    _fill(wizard, letter, PASSPHRASE, PASSWORD)
    _press_next(qtbot, wizard)
    said = page.errors["file"].text()
    assert said.startswith("Acest fișier nu este o copie de siguranță Welcome Desk"), said
    assert not data_dir.exists()
    page.file.setText(str(damaged))
    page.password.setText(PASSWORD)
    _press_next(qtbot, wizard)
    said = page.errors["file"].text()
    assert "deteriorată" in said, said
    assert wizard.session is None and not data_dir.exists()


def test_escape_with_nothing_typed_closes_at_once_and_an_empty_field_is_named(
    qtbot: QtBot, wizard: FirstRunWizard, data_dir: Path
) -> None:
    _to_restore_page(wizard)
    page = wizard.restore_page
    wizard.button(QWizard.WizardButton.CommitButton).click()
    assert page.errors["file"].text() and page.errors["password"].text()
    assert page.file.hasFocus() and not data_dir.exists()
    qtbot.keyClick(page.file, Qt.Key.Key_Escape)
    assert wizard.discard_question is None
    assert not wizard.isVisible() and wizard.result() == QWizard.DialogCode.Rejected
    assert not data_dir.exists()


@pytest.mark.parametrize("language", ["de", "bg"])
def test_the_restore_choice_and_its_page_at_1024_by_700(
    qtbot: QtBot, wizard: FirstRunWizard, written: Path, tmp_path: Path, language: str
) -> None:
    """Looked at: the third way beside the others, the page's rows with their access keys."""
    folder = Path(SHOTS) if SHOTS else tmp_path
    wizard.language_page.buttons[language].setChecked(True)
    wizard.next()
    wizard.choice_page.restore.setChecked(True)
    wizard.choice_page.grab()
    wizard.grab().save(str(folder / f"firstrestore-choice-{language}.png"))
    keys = [b.text() for b in (wizard.choice_page.new, wizard.choice_page.join)]
    keys += [wizard.choice_page.restore.text(), wizard.choice_page.demo.text()]
    assert len({text.split("&")[1][0].lower() for text in keys}) == 4, keys
    wizard.next()
    page = wizard.restore_page
    page.file.setText(str(written))
    type_text(page.passphrase, "x")
    wizard.button(QWizard.WizardButton.CommitButton).click()  # the account's field is named
    wizard.grab().save(str(folder / f"firstrestore-page-{language}.png"))
    for label in page.labels.values():
        assert label.buddy() is not None and "&" in label.text()
    set_language("en")
    if wizard.discard_question is None:
        return
    wizard.discard_question.done(QMessageBox.StandardButton.Cancel)
