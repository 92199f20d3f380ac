"""A walk through the bad days, as the users live them: in Romanian, a helper half through a
life-situation check when the program is killed, and a laptop killed while it pulls a sync;
in German, a broken laptop's replacement restored from its backup; in Bulgarian, an advisor
who forgot her password and tried it too often."""

from __future__ import annotations

import json
import os
import signal
from pathlib import Path

import pytest
from PySide6.QtWidgets import QApplication, QDialogButtonBox, QMessageBox, QPushButton, QWidget
from pytestqt.qtbot import QtBot

from desktop_app.domain.person import PersonDraft
from desktop_app.domain.users import Role
from desktop_app.i18n.text import set_language
from desktop_app.storage.login_guard import LoginGuard
from desktop_app.ui.accounts import RestoreDialog, SetPasswordDialog, UsersDialog
from desktop_app.ui.application import QtTranslations
from desktop_app.ui.login import LoginDialog, RecoveryLoginDialog
from desktop_app.ui.main_window import MainWindow
from desktop_app.ui.visits import DraftsDialog, VisitWindow
from desktop_app.usecases import accounts, audit, people, visits
from desktop_app.usecases.accounts import Session
from tests.conftest import PASSWORD
from tests.integration.sync_harness import PASSWORD as SYNC_PASSWORD
from tests.integration.sync_harness import Laptops, live_people
from tests.integration.test_walk_recover_sync import PASSPHRASE, broken_laptop
from tests.reliability.test_draft_crash import start_worker, worker_lines
from tests.ui.conftest import shown_window, type_text
from tests.unit.security.test_forgotten_password import OLD_PW, advisor_with_a_draft

ROOT = Path(__file__).resolve().parents[2]
WORKER = ROOT / "tests" / "reliability" / "half_form_worker.py"
LINE_WAIT_S = 120  # bound on each wait for the worker (its start-up on a busy machine)
HELPER_PW = "helper pass 123"


def _shot(widget: QWidget, folder: Path, name: str) -> None:
    widget.grab().save(str(folder / f"walkrecover-{name}.png"))


def _shots(tmp_path: Path) -> Path:
    return Path(os.environ.get("WELCOME_DESK_SHOTS", tmp_path))


# --- 1. killed half through a form, in Romanian ---------------------------------------------

# What the helper gave before the kill: the person's, the household's and the housing sections
# clicked through, then a note typed key by key (Romanian letters with the comma below).
HALF_ANSWERS = {
    "sex": "male",
    "nationality": "romanian",
    "address_registration": "appointment",
    "tax_id": "no",
    "partner": "home_country",
    "household_size": 3,
    "housing_type": "sublet",
}
TYPED_FIELD, TYPED = "notes", "Lucrează pe șantier; caută o locuință în Nordstadt."


def _on_disk(session: Session, person_id: str) -> dict[str, object]:
    draft = visits.load_draft(session.store, session.user, person_id, "life_situation")
    return {} if draft is None else draft.answers


def _all_given(answers: dict[str, object]) -> bool:
    return answers.get(TYPED_FIELD) == TYPED and all(
        answers.get(k) == v for k, v in HALF_ANSWERS.items()
    )


def test_a_helper_killed_half_through_a_check_in_romanian_finds_every_answer_again(
    qtbot: QtBot, qapp: QApplication, program_font: None, tmp_path: Path
) -> None:
    shots = _shots(tmp_path)
    data_dir = tmp_path / "laptop"
    first = accounts.create_first_account(data_dir, "anna", "Anna Schmidt", PASSWORD)
    accounts.add_user(first, "ana", "Ana Moldovan", Role.HELPER, HELPER_PW)
    person = people.register_person(
        first.store, first.user, PersonDraft("Ionuț", "Popa", "1998", nationality="RO")
    )
    first.close()
    observer = accounts.log_in(data_dir, "ana", HELPER_PW)  # as the restarted program reads
    proc = start_worker(
        WORKER,
        [
            *("--data-dir", str(data_dir), "--account", "ana", "--person", person.id),
            *("--answers", json.dumps(HALF_ANSWERS), "--type", f"{TYPED_FIELD}={TYPED}"),
        ],
        tmp_path / "worker.err",
        HELPER_PW,
    )
    try:
        lines, _reader = worker_lines(proc)
        assert lines.get(timeout=LINE_WAIT_S) == "typed", (tmp_path / "worker.err").read_text()
        # The autosave promises the draft at most a second after the last key, with no pause
        # and nothing more typed: every answer on disk, the last key too, then the kill.
        qtbot.waitUntil(lambda: _all_given(_on_disk(observer, person.id)), timeout=30_000)
        os.kill(proc.pid, signal.SIGKILL)
        assert proc.wait(timeout=LINE_WAIT_S) == -signal.SIGKILL
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
        if proc.stdout is not None:
            proc.stdout.close()
    assert observer.store.integrity_ok()
    observer.close()

    # The program started again: the helper logs in, and the form is offered to go on with.
    translations = QtTranslations(qapp)
    helper = accounts.log_in(data_dir, "ana", HELPER_PW)
    try:
        set_language("ro")
        translations.apply("ro")
        window = shown_window(qtbot, helper, 1100)
        qtbot.waitUntil(
            lambda: any(d.isVisible() for d in window.findChildren(DraftsDialog)), timeout=10_000
        )
        (offered,) = [d for d in window.findChildren(DraftsDialog) if d.isVisible()]
        _shot(offered, shots, "01-ro-drafts-offered")
        assert offered.windowTitle() == "Formulare nefinalizate"
        assert offered.list.count() == 1 and "Ionuț Popa" in offered.list.item(0).text()
        offered.list.setCurrentRow(0)
        offered.continue_button.click()
        feature = window.visits  # type: ignore[attr-defined]
        qtbot.waitUntil(lambda: bool(feature.open_windows), timeout=10_000)
        (form,) = feature.open_windows
        assert isinstance(form, VisitWindow)
        qtbot.waitExposed(form)
        answers = form.view.answers()
        assert _all_given(answers), answers
        # She lands where her typing stopped: the note, the keyboard in it.
        notes = form.view.input(TYPED_FIELD)
        qtbot.waitUntil(notes.hasFocus, timeout=10_000)
        _shot(form, shots, "02-ro-where-left")
        nav = form.view.navigator
        for row in range(nav.count()):
            nav.setCurrentRow(row)
            _shot(form, shots, f"03-ro-form-{row:02d}")
        assert helper.store.integrity_ok()
        form.close()
        window.close()
    finally:
        helper.close()
        translations.stop()
        set_language("en")


# --- 2. a broken laptop's replacement, in German ---------------------------------------------


def test_a_broken_laptops_backup_restored_on_its_replacement_in_german(
    qtbot: QtBot, qapp: QApplication, laptops: Laptops, program_font: None, tmp_path: Path
) -> None:
    """The coordinator sets up an account on the new laptop, restores the broken one's last
    backup from the File menu, is told what the restored data holds and lacks, opens it, and
    its first sync brings back what the broken laptop synced after the backup."""
    shots = _shots(tmp_path)
    laptops.new("Koordination", coordinator=True)
    broken = broken_laptop(laptops, tmp_path / "beratung.wdbackup", PASSPHRASE)
    saved = broken.saved

    # The new laptop: an account set up first (its wizard offers no restore), then the menu.
    fresh = accounts.create_first_account(tmp_path / "neu", "anna", "Anna Schmidt", PASSWORD)
    translations = QtTranslations(qapp)
    new: MainWindow | None = None
    try:
        set_language("de")
        translations.apply("de")
        window = MainWindow(fresh)  # replaced by the restored data's window: deleted then
        window.show()
        qtbot.waitExposed(window)
        (restore,) = [
            a for a in window.file_menu.actions() if a.text() == "Sicherung wie&derherstellen…"
        ]
        restore.trigger()
        (dialog,) = window.findChildren(RestoreDialog)
        dialog.file.setText(str(saved))
        dialog.folder.setText(str(tmp_path / "wiederhergestellt"))
        dialog.passphrase.setText(PASSPHRASE)
        _shot(dialog, shots, "20-de-restore")
        with qtbot.waitSignal(dialog.accepted, timeout=30_000):
            dialog.buttons.accepted.emit()
        (box,) = [b for b in window.findChildren(QMessageBox) if b.isVisible()]
        _shot(box, shots, "21-de-restored")
        # what the restored data holds and lacks, said before it is opened
        assert "so, wie sie beim Anlegen der Sicherung waren" in box.text()
        assert "nie synchronisiert wurde, ist nicht darin" in box.text()
        (open_now,) = [
            b
            for b in box.findChildren(QPushButton)
            if b.text() == "Wiederhergestellte Daten ö&ffnen"
        ]
        open_now.click()
        (login,) = [d for d in window.findChildren(LoginDialog) if d.isVisible()]
        login.password.setText(SYNC_PASSWORD)  # the broken laptop's account
        login.buttons.accepted.emit()
        new = window.replaced_by
        assert new is not None
        qtbot.waitExposed(new)
        expected = {*broken.synced, broken.in_backup, broken.after}
        # Its first sync (started once its features are in): Radu back, Ioana sent.
        qtbot.waitUntil(lambda: live_people(new.session) == expected, timeout=60_000)
        qtbot.waitUntil(lambda: new.model.rowCount() == len(expected), timeout=30_000)
        _shot(new, shots, "22-de-after-sync")
        # The coordinator's guide says what to do with a broken laptop.
        new.guide_action.trigger()
        guide = new.guide_dialog  # type: ignore[attr-defined]
        qtbot.waitExposed(guide)
        text = guide.browser.toPlainText()
        assert "Ein defekter Laptop: Stellen Sie seine letzte Sicherung" in text
        guide.close()
    finally:
        if new is not None:
            new.close()
            new.session.close()
        translations.stop()
        set_language("en")


# --- 3. a forgotten password, in Bulgarian ---------------------------------------------------


def _login(qtbot: QtBot, data_dir: Path, account: str, password: str) -> LoginDialog:
    dialog = LoginDialog(data_dir)
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitExposed(dialog)
    type_text(dialog.account, account)
    type_text(dialog.password, password)
    dialog.buttons.button(QDialogButtonBox.StandardButton.Ok).click()
    return dialog


def _ok(dialog: QWidget) -> None:
    buttons = dialog.findChild(QDialogButtonBox)
    assert buttons is not None
    buttons.button(QDialogButtonBox.StandardButton.Ok).click()


def _wait_out_the_delay(qtbot: QtBot, data_dir: Path) -> None:
    guard = LoginGuard(data_dir)
    qtbot.waitUntil(lambda: guard.remaining() == 0, timeout=30_000)


def test_an_advisor_who_forgot_her_password_gets_a_new_one_from_the_coordinator_in_bulgarian(
    qtbot: QtBot, qapp: QApplication, program_font: None, tmp_path: Path
) -> None:
    shots = _shots(tmp_path)
    data_dir = tmp_path / "laptop"
    coordinator = accounts.create_first_account(data_dir, "anna", "Anna Schmidt", PASSWORD)
    code = coordinator.recovery_code
    assert code is not None
    rumyana, person = advisor_with_a_draft(coordinator)
    translations = QtTranslations(qapp)
    try:
        set_language("bg")
        translations.apply("bg")
        # She tries what she remembers: refused, and again; the third try at once is asked
        # to wait, a second (the wait doubles with each further failure, up to five minutes).
        refused = _login(qtbot, data_dir, "rumyana", "advisor pass 321")
        assert refused.result() == 0 and refused.session is None
        assert refused.error.text() == "Потребителското име или паролата не са верни."
        _shot(refused, shots, "30-bg-wrong-password")
        type_text(refused.password, "advisor pass 132")
        refused.buttons.button(QDialogButtonBox.StandardButton.Ok).click()
        type_text(refused.password, "advisor pass 312")
        refused.buttons.button(QDialogButtonBox.StandardButton.Ok).click()
        assert refused.error.text().startswith("Твърде много неуспешни опита. Моля, изчакайте")
        _shot(refused, shots, "31-bg-wait")
        assert LoginGuard(data_dir).failures == 2  # a try refused for the wait is not counted

        # "Forgot password?": the way for her is said, not only the coordinators' code.
        recovery = RecoveryLoginDialog(data_dir, "rumyana", refused)  # closed with it
        recovery.show()
        qtbot.waitExposed(recovery)
        assert "координатор" in recovery.others.text()
        assert "Нищо от работата Ви не се губи" in recovery.others.text()
        _shot(recovery, shots, "32-bg-recovery")
        _wait_out_the_delay(qtbot, data_dir)
        type_text(recovery.code, "ABCDE-FGHIJ")  # a code she does not have
        type_text(recovery.password, "нова парола 2026")
        type_text(recovery.repeat, "нова парола 2026")
        _ok(recovery)
        assert recovery.error.text().startswith("Кодът за възстановяване не е верен")
        _shot(recovery, shots, "33-bg-recovery-wrong-code")
        # The coordinator's code with her account: said whose it is, and what she does.
        _wait_out_the_delay(qtbot, data_dir)
        recovery.code.setText(code)
        # the code typed off the sheet in view whole, to be checked against it
        room = recovery.code.contentsRect().width()
        assert recovery.code.fontMetrics().horizontalAdvance(code) < room
        _ok(recovery)
        said = recovery.error.text()
        assert said.startswith("rumyana не е профил на координатор.") and "координатор" in said
        _shot(recovery, shots, "34-bg-recovery-not-a-coordinator")
        with pytest.raises(Exception):  # noqa: B017 - her password is still the old one
            accounts.log_in(data_dir, "rumyana", "нова парола 2026")
        recovery.reject()

        # The coordinator sets a new password for her account.
        users = UsersDialog(coordinator)
        qtbot.addWidget(users)
        users.show()
        qtbot.waitExposed(users)
        row = next(i for i, u in enumerate(users.users) if u.id == rumyana.id)
        users.table.selectRow(row)
        dialog = users._on_password_clicked()
        assert isinstance(dialog, SetPasswordDialog)
        qtbot.waitExposed(dialog)
        assert "Румяна Петкова" in dialog.intro.text() and "rumyana" in dialog.intro.text()
        type_text(dialog.new, "нова парола 2026")
        type_text(dialog.repeat, "нова парола 2026")
        _shot(dialog, shots, "35-bg-set-password")
        _wait_out_the_delay(qtbot, data_dir)
        with qtbot.waitSignal(dialog.accepted, timeout=30_000):
            dialog.buttons.button(QDialogButtonBox.StandardButton.Ok).click()
        qtbot.waitUntil(users.notice.isVisible)
        assert users.notice.text().startswith("Румяна Петкова")
        _shot(users, shots, "36-bg-users-after")

        # Her old password opens nothing any more; the new one opens her work, all of it.
        _wait_out_the_delay(qtbot, data_dir)
        old = _login(qtbot, data_dir, "rumyana", OLD_PW)
        assert old.session is None and old.error.text().startswith("Потребителското име")
        _wait_out_the_delay(qtbot, data_dir)
        new = _login(qtbot, data_dir, "rumyana", "нова парола 2026")
        assert new.session is not None and new.session.user.id == rumyana.id
        draft = visits.load_draft(new.session.store, new.session.user, person.id, "life_situation")
        assert draft is not None and draft.answers["notes"] == "От Сливен."
        new.session.close()
        # The audit log says who gave whose account a new password.
        entries = audit.list_entries(
            coordinator.store, coordinator.user, action=audit.AuditAction.CHANGE_PASSWORD
        )
        assert [(e.user_id, e.record_id) for e in entries] == [(coordinator.user.id, rumyana.id)]
    finally:
        coordinator.close()
        translations.stop()
        set_language("en")
