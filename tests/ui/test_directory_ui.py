"""The coordinator's service directory window: export, a refused folder, publishing."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot
from shiboken6 import isValid

from desktop_app.domain.users import Role
from desktop_app.i18n.text import _, set_language
from desktop_app.ui.directory import DirectoryDialog, FormsDialog, PublishDialog, _ReferenceDialog
from desktop_app.ui.main_window import MainWindow
from desktop_app.usecases import accounts, reference
from desktop_app.usecases.accounts import Session
from tests.conftest import shipped_version, with_version_raised
from tests.ui.conftest import cell, store_held, type_text

SHOTS = os.environ.get("WELCOME_DESK_SHOTS")


def _menu_texts(window: MainWindow) -> list[str]:
    menu = getattr(window, "admin_menu", None)
    return [a.text() for a in menu.actions()] if menu is not None else []


def test_only_coordinators_get_the_directory_menu(qtbot: QtBot, session: Session) -> None:
    window = MainWindow(session)
    qtbot.addWidget(window)
    assert "Service &directory…" in _menu_texts(window)
    accounts.add_user(session, "ion", "Ion", Role.ADVISOR, "advisor pass 1")
    advisor = accounts.log_in(session.store.paths.data_dir, "ion", "advisor pass 1")
    other = MainWindow(advisor)
    qtbot.addWidget(other)
    assert "Service &directory…" not in _menu_texts(other)
    advisor.close()


def test_export_edit_and_publish_from_the_window(
    qtbot: QtBot, session: Session, tmp_path: Path
) -> None:
    set_language("de")
    dialog = DirectoryDialog(session)
    qtbot.addWidget(dialog)
    dialog.show()
    assert "ausgelieferte Verzeichnis (16 Stellen)" in dialog.status.text()
    assert dialog.table.rowCount() == 16
    folder = tmp_path / "dir"
    assert dialog.export_to(folder)
    assert "17 Dateien" in dialog.message.text()
    # Exporting into the same folder again would overwrite edits: refused, in German.
    assert not dialog.export_to(folder)
    assert "leeren Ordner" in dialog.error.text() and dialog.error.isVisible()
    job = folder / "jobcenter.yaml"
    job.write_text(
        job.read_text(encoding="utf-8").replace("phone: 0231 842-0", "phone: 0231 842-7777"),
        encoding="utf-8",
    )
    # A broken file is named with its entry and nothing is published.
    broken = folder / "vhs.yaml"
    good = broken.read_text(encoding="utf-8")
    broken.write_text(good.replace("  de: Volkshochschule", "  xx: Volkshochschule", 1), "utf-8")
    assert not dialog.publish_from(folder)
    assert dialog.error.text().startswith("vhs.yaml")
    assert reference.published_directory(session.store) is None
    broken.write_text(good, encoding="utf-8")
    assert dialog.check_folder(folder) == 16 and not dialog.error.isVisible()
    confirm = asked(qtbot, dialog, folder)
    type_text(confirm.note, "Neue Telefonnummer Jobcenter")
    if SHOTS:
        confirm.grab().save(str(Path(SHOTS) / "directory-publish.png"))
    with qtbot.waitSignal(dialog.published, timeout=10_000):
        QTest.keyClick(confirm.note, Qt.Key.Key_Return)  # Publish, the default
    assert "veröffentlicht von Anna Schmidt" in dialog.status.text()
    assert cell(dialog.history, 0, 2).text() == "Neue Telefonnummer Jobcenter"
    phones = [cell(dialog.table, r, 2).text() for r in range(dialog.table.rowCount())]
    assert "0231 842-7777" in phones
    if SHOTS:
        dialog.grab().save(str(Path(SHOTS) / "directory.png"))


def test_forms_window_refuses_a_removed_field_and_publishes_a_rewording(
    qtbot: QtBot, session: Session, tmp_path: Path
) -> None:
    set_language("bg")
    dialog = FormsDialog(session)
    qtbot.addWidget(dialog)
    dialog.show()
    sources = {cell(dialog.table, r, 2).text() for r in range(dialog.table.rowCount())}
    assert dialog.table.rowCount() == 3 and sources == {"вграден"}
    folder = tmp_path / "forms"
    assert dialog.export_to(folder)
    life = folder / "life_situation.yaml"
    text = with_version_raised(life.read_text(encoding="utf-8"))
    life.write_text(text.replace("      - id: family_name\n", "      - id: surname\n"), "utf-8")
    assert not dialog.publish_from(folder)
    assert "family_name" in dialog.error.text() and "трябва да остане" in dialog.error.text()
    life.write_text(
        text.replace('de: "Krankenversicherung"', 'de: "Krankenversicherung heute"'), "utf-8"
    )
    assert dialog.check_folder(folder) == 3
    confirm = asked(qtbot, dialog, folder)
    with qtbot.waitSignal(dialog.published, timeout=10_000):
        QTest.keyClick(confirm.note, Qt.Key.Key_Return)
    rows = {
        cell(dialog.table, r, 1).text(): cell(dialog.table, r, 2).text()
        for r in range(dialog.table.rowCount())
    }
    published = shipped_version("life_situation") + 1
    assert rows[str(published)] == "публикуван"
    assert reference.forms_in_force(session.store)["life_situation"].version == published
    if SHOTS:
        dialog.grab().save(str(Path(SHOTS) / "forms.png"))


def asked(qtbot: QtBot, dialog: _ReferenceDialog, folder: Path) -> PublishDialog:
    """The question ``publish_from(folder)`` opened, shown over ``dialog`` (which it blocks
    without a nested event loop: the call has returned), the keyboard in its note."""
    confirm = dialog.publish_from(folder)
    assert isinstance(confirm, PublishDialog), dialog.error.text()
    qtbot.waitExposed(confirm)
    assert confirm.windowModality() == Qt.WindowModality.WindowModal
    assert QApplication.activeModalWidget() is confirm
    confirm.note.setFocus()
    return confirm


def edited_directory(
    qtbot: QtBot, session: Session, tmp_path: Path
) -> tuple[DirectoryDialog, Path]:
    """The directory dialog shown, and its export with the job centre's phone changed."""
    dialog = DirectoryDialog(session)
    qtbot.addWidget(dialog)
    dialog.show()
    folder = tmp_path / "dir"
    assert dialog.export_to(folder)
    job = folder / "jobcenter.yaml"
    job.write_text(
        job.read_text(encoding="utf-8").replace("phone: 0231 842-0", "phone: 0231 842-7777"),
        encoding="utf-8",
    )
    return dialog, folder


def test_publishing_does_not_wait_while_a_sync_writes(
    qtbot: QtBot, session: Session, tmp_path: Path
) -> None:
    """Publishing wrote to the store on the UI thread: while a sync held the store (applying
    a page it fetched) the whole window froze until the sync let go. It publishes on a worker
    thread; the window says so meanwhile and shows the publication when it is stored."""
    dialog, folder = edited_directory(qtbot, session, tmp_path)
    confirm = asked(qtbot, dialog, folder)
    with store_held(session) as (release, held):
        QTest.keyClick(confirm.note, Qt.Key.Key_Return)
        assert held.is_set()  # returned while the sync still holds the store
        assert dialog.message.text() == "Publishing…"
        assert not dialog.publish_button.isEnabled()
        with qtbot.waitSignal(dialog.published, timeout=10_000):
            release.set()
    assert dialog.publish_button.isEnabled()
    assert dialog.message.text().startswith("Published: 16 services.")
    phones = [cell(dialog.table, r, 2).text() for r in range(dialog.table.rowCount())]
    assert "0231 842-7777" in phones
    published = reference.published_directory(session.store)
    assert published is not None and published.count == 16


def test_the_menu_opens_the_directory_without_blocking_and_leaves_nothing_behind(
    qtbot: QtBot, session: Session
) -> None:
    """The menu's entries exec'd their window: a nested event loop under the window's syncs
    and lock, and each window closed stayed a hidden child of the main window, its table and
    all, one more for every opening in a day. Opened now, and gone once closed."""
    from PySide6.QtCore import QEvent
    from PySide6.QtWidgets import QApplication

    window = MainWindow(session)
    qtbot.addWidget(window)
    window.show()
    qtbot.waitExposed(window)
    menu = window.admin_menu  # type: ignore[attr-defined]
    action = next(a for a in menu.actions() if a.text() == "Service &directory…")
    for _round in range(3):
        action.trigger()  # returns at once: no nested loop
        (dialog,) = [d for d in window.findChildren(DirectoryDialog) if d.isVisible()]
        assert dialog.isModal() and dialog.table.rowCount() > 0
        dialog.close()
        QApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)
        assert window.findChildren(DirectoryDialog) == []


def _publish_questions() -> list[PublishDialog]:
    """Every question before publishing still alive, shown or hidden, once what was closed is
    deleted."""
    from PySide6.QtCore import QEvent

    QApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)
    return [w for w in QApplication.allWidgets() if isinstance(w, PublishDialog)]


@pytest.mark.parametrize("lang", ["de", "bg"])
def test_publishing_a_folder_asks_without_blocking_and_is_answered_by_keys(
    qtbot: QtBot, session: Session, tmp_path: Path, shots: Path, lang: str
) -> None:
    """The folder's question was exec'd: a nested event loop under the window's syncs and the
    lock. It is opened window-modal now (``asked``: the call has returned with it open);
    Escape publishes nothing and leaves no window behind, the note typed and Enter publish."""
    set_language(lang)
    dialog, folder = edited_directory(qtbot, session, tmp_path)
    confirm = asked(qtbot, dialog, folder)
    type_text(confirm.note, "nicht veröffentlichen")
    confirm.grab().save(str(shots / f"publish-question-{lang}.png"))
    QTest.keyClick(confirm.note, Qt.Key.Key_Escape)
    assert not confirm.isVisible()
    assert _publish_questions() == [] and dialog.confirm is None
    assert reference.published_directory(session.store) is None
    assert "…" not in dialog.message.text()  # not "Wird veröffentlicht…"
    confirm = asked(qtbot, dialog, folder)
    type_text(confirm.note, "Neue Telefonnummer Jobcenter")
    with qtbot.waitSignal(dialog.published, timeout=10_000):
        QTest.keyClick(confirm.note, Qt.Key.Key_Return)
    published = reference.published_directory(session.store)
    assert published is not None and published.note == "Neue Telefonnummer Jobcenter"
    assert _publish_questions() == []


def test_the_lock_keeps_the_question_and_a_user_switch_publishes_nothing(
    qtbot: QtBot, session: Session, tmp_path: Path
) -> None:
    """Through the lock the open question is hidden with its window and comes back as it was
    (the note typed), to be answered then; a user switch at the lock answers it "Cancel":
    nothing published, no question left, hidden or shown. The directory opened from the
    menu, as a coordinator does."""
    from tests.ui.conftest import switch_user_at_lock

    set_language("de")
    # Not handed to qtbot, which would close it at the end: the switch deletes it.
    window = MainWindow(session)
    window.show()
    try:
        _asked_through_the_lock(qtbot, session, window, tmp_path / "dir")
    except BaseException:
        window.close()
        raise
    # asked again, and the user switched at the lock meanwhile
    (dialog,) = window.findChildren(DirectoryDialog)
    confirm = asked(qtbot, dialog, tmp_path / "dir")
    type_text(confirm.note, "nicht veröffentlicht")
    new = switch_user_at_lock(window)
    qtbot.addWidget(new)
    assert _publish_questions() == []
    assert not isValid(window)  # closed and deleted by the switch
    assert not [w for w in QApplication.allWidgets() if isinstance(w, DirectoryDialog)]
    after = reference.published_directory(new.session.store)
    assert after is not None and after.note == "Neue Öffnungszeiten"  # the first, no other


def _asked_through_the_lock(
    qtbot: QtBot, session: Session, window: MainWindow, folder: Path
) -> None:
    """The directory opened from the menu, the folder's question asked, the window locked
    and unlocked: the question back as it was, answered then."""
    from desktop_app.ui.lock import Locker
    from tests.conftest import PASSWORD

    qtbot.waitExposed(window)
    menu = window.admin_menu  # type: ignore[attr-defined]
    next(a for a in menu.actions() if a.text() == _("Service &directory…")).trigger()
    (dialog,) = [d for d in window.findChildren(DirectoryDialog) if d.isVisible()]
    assert dialog.export_to(folder)
    confirm = asked(qtbot, dialog, folder)
    type_text(confirm.note, "Neue Öffnungszeiten")
    locker = window.locker  # type: ignore[attr-defined]
    assert isinstance(locker, Locker)
    locker.lock()
    assert not confirm.isVisible() and not dialog.isVisible()
    assert reference.published_directory(session.store) is None
    type_text(locker.screen.password, PASSWORD)  # type: ignore[union-attr]
    QTest.keyClick(locker.screen.password, Qt.Key.Key_Return)  # type: ignore[union-attr]
    qtbot.waitUntil(confirm.isVisible, timeout=5000)
    assert confirm.note.text() == "Neue Öffnungszeiten"
    assert QApplication.activeModalWidget() is confirm
    with qtbot.waitSignal(dialog.published, timeout=10_000):
        QTest.keyClick(confirm.note, Qt.Key.Key_Return)
    published = reference.published_directory(session.store)
    assert published is not None and published.note == "Neue Öffnungszeiten"
