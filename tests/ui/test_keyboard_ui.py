"""The main window, the register dialog and the visit window driven by keyboard alone."""

from __future__ import annotations

from pathlib import Path
from typing import TypeVar

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QColor
from PySide6.QtWidgets import (
    QAbstractButton,
    QApplication,
    QDialog,
    QDialogButtonBox,
    QLabel,
    QMessageBox,
    QProgressDialog,
    QTableWidget,
    QWidget,
)
from pytestqt.qtbot import QtBot

from desktop_app.domain.person import PersonDraft
from desktop_app.ui.person_dialog import RegisterPersonDialog
from desktop_app.ui.referrals import LetterPreview, ReferDialog
from desktop_app.ui.visits import VisitWindow
from desktop_app.usecases import people
from desktop_app.usecases.accounts import Session
from tests.ui.conftest import type_text
from tests.ui.test_main_window import _access_key, _window

ShownDialog = TypeVar("ShownDialog", bound=QDialog)


def _key(
    qtbot: QtBot,
    widget: QWidget,
    key: Qt.Key,
    modifier: Qt.KeyboardModifier = Qt.KeyboardModifier.NoModifier,
) -> QWidget | None:
    """Press ``key`` on the focused widget of ``widget``'s window; the focus after it."""
    focused = widget.window().focusWidget() or widget
    qtbot.keyClick(focused, key, modifier)
    return widget.window().focusWidget()


def _duplicate_shown(qtbot: QtBot, session: Session, lang: str = "en") -> RegisterPersonDialog:
    """The register dialog after Save (by Enter) found Ana Popa already registered."""
    window = _window(qtbot, session)
    window.switch_language(lang)
    dialog = window.open_register_dialog()
    type_text(dialog.given, "Ana")
    type_text(dialog.family, "Popa")
    type_text(dialog.dob, "14.03.1985")
    with qtbot.waitSignal(dialog.save.answered, timeout=30_000):
        qtbot.keyClick(dialog.dob, Qt.Key.Key_Return)
    assert dialog.duplicate_box.isVisible()
    assert dialog.focusWidget() is dialog.duplicates
    return dialog


def test_enter_on_a_likely_duplicate_opens_that_person(qtbot: QtBot, session: Session) -> None:
    """Enter on the highlighted existing person ran the dialog's Save and registered her a
    second time; it opens her now."""
    existing = people.register_person(
        session.store, session.user, PersonDraft("Ana", "Popa", "14.03.1985")
    )
    dialog = _duplicate_shown(qtbot, session)
    window = dialog.parent()
    with qtbot.waitSignal(dialog.open_existing, timeout=30_000) as opened:
        qtbot.keyClick(dialog.duplicates, Qt.Key.Key_Return)
    assert opened.args == [existing.id]
    qtbot.wait(100)  # a save would answer from its worker thread
    assert people.count_people(session.store) == 1
    assert not dialog.isVisible()
    assert window.person_page.person is not None  # type: ignore[union-attr]
    assert window.person_page.person.id == existing.id  # type: ignore[union-attr]


def test_the_duplicate_warning_names_the_save_button_and_squeezes_nothing(
    qtbot: QtBot, session: Session
) -> None:
    """Romanian said to press „Salvare” beside a button „Salvează”; the warning took its room
    from "Languages spoken" (1.5 rows left); "Open the selected person" had no access key."""
    people.register_person(session.store, session.user, PersonDraft("Ana", "Popa", "14.03.1985"))
    for lang in ("en", "de", "bg", "ro"):
        window = _window(qtbot, session)
        window.switch_language(lang)
        dialog = window.open_register_dialog()
        qtbot.waitExposed(dialog)
        languages_height = dialog.languages.height()
        dialog.close()
        dialog = _duplicate_shown(qtbot, session, lang)
        qtbot.wait(50)
        save = dialog.buttons.button(QDialogButtonBox.StandardButton.Save)
        assert f"{save.text().replace('&', '')}" in dialog.duplicates_title.text(), lang
        assert dialog.languages.height() >= languages_height, lang
        labels = [label.text() for label in dialog._labels.values()]
        keys = [_access_key(t) for t in [*labels, dialog.open_button.text()]]
        assert None not in keys and len(set(keys)) == len(keys), (lang, labels)
        dialog.reject()


def test_tab_leaves_the_people_list_for_the_person_page(qtbot: QtBot, session: Session) -> None:
    """Tab moved from cell to cell and row to row, opening each person it passed (and
    logging a view of each); it goes on to the person's page now, arrows move the rows."""
    for given in ("Ana", "Ion", "Maria"):
        people.register_person(session.store, session.user, PersonDraft(given, "Popa"))
    window = _window(qtbot, session)
    table = window.table
    qtbot.waitUntil(lambda: window.model.rowCount() == 3)
    table.setFocus()
    table.setCurrentIndex(window.model.index(0, 0))
    shown = window.person_page.person
    assert shown is not None
    after = _key(qtbot, table, Qt.Key.Key_Tab)
    assert after is not table and after is not None
    assert window.person_page.isAncestorOf(after), after
    assert table.currentIndex().row() == 0
    assert window.person_page.person is not None
    assert window.person_page.person.id == shown.id
    table.setFocus()
    _key(qtbot, table, Qt.Key.Key_Down)
    assert table.currentIndex().row() == 1
    assert window.person_page.person.id != shown.id


def _keyed_texts(top: QWidget) -> list[str]:
    """The texts of the buttons and buddied labels the user sees in ``top`` now."""
    texts = [
        b.text()
        for b in top.findChildren(QAbstractButton)
        if b.isVisibleTo(top) and b.isEnabled() and _access_key(b.text())
    ]
    texts += [
        label.text()
        for label in top.findChildren(QLabel)
        if label.buddy() is not None and label.isVisibleTo(top) and _access_key(label.text())
    ]
    return texts


def _assert_unique(texts: list[str], where: object) -> None:
    keys = [_access_key(t) for t in texts]
    assert len(set(keys)) == len(keys), (where, sorted(texts, key=lambda t: _access_key(t) or ""))


def test_the_visit_window_and_register_dialog_use_each_access_key_once(
    qtbot: QtBot, session: Session
) -> None:
    """bg "&Напред ▶" and "Приключване и &насочване…" shared Н, "◀ На&зад" and "&Затваряне"
    З; ro's health section "limba &clientului" and "Obțineți &consimțământul…" C; the register
    dialog's bg "&Гражданство" and "&Говорими езици" Г: Alt+letter only took turns."""
    person = people.register_person(
        session.store, session.user, PersonDraft("Ана", "Петрова", "02.04.1991")
    )
    window = _window(qtbot, session)
    window.show_person(person.id)
    feature = window.visits  # type: ignore[attr-defined]
    win = feature.start("life_situation", person=person)
    qtbot.addWidget(win)
    view = win.view
    for lang in ("en", "de", "bg", "ro"):
        window.switch_language(lang)
        own = [win.close_button, win.finish_button, win.refer_button, view.next_button]
        for button in own:
            assert _access_key(button.text()) is not None, (lang, button.text())
        for row in range(view.navigator.count()):
            if view.navigator.item(row).isHidden():
                continue
            view.show_section_row(row)
            _assert_unique(_keyed_texts(win), (lang, view.current_section()))
        dialog = window.open_register_dialog()
        _assert_unique(_keyed_texts(dialog), (lang, "register"))
        dialog.reject()


def test_the_error_and_the_person_page_are_named_in_the_ui_language(
    qtbot: QtBot, session: Session
) -> None:
    """A screen reader said "error" and "person details" in English in every language."""
    window = _window(qtbot, session)
    window.switch_language("de")
    assert window.person_page.accessibleName() == "Angaben zur Person"
    dialog = window.open_register_dialog()
    with qtbot.waitSignal(dialog.save.answered, timeout=30_000):
        qtbot.keyClick(dialog.given, Qt.Key.Key_Return)  # nothing typed
    error = dialog.errors["given_name"]
    assert error.isVisible() and error.accessibleName() == "Fehler"
    window.switch_language("bg")
    assert window.person_page.accessibleName() == "Данни за лицето"
    dialog.reject()
    window.switch_language("en")
    assert window.person_page.accessibleName() == "Person details"


def _form_dialogs(session: Session) -> list[tuple[QDialog, QWidget]]:
    """The small form dialogs of the File and Administration menus, with their first field."""
    from desktop_app.ui.accounts import (
        AddUserDialog,
        BackupDialog,
        ChangePasswordDialog,
        RestoreDialog,
    )

    backup, restore = BackupDialog(session), RestoreDialog()
    password, user = ChangePasswordDialog(session), AddUserDialog(session)
    return [
        (backup, backup.file),
        (restore, restore.file),
        (password, password.old),
        (user, user.account),
    ]


def test_the_form_dialogs_open_with_the_keyboard_in_their_first_field(
    qtbot: QtBot, session: Session
) -> None:
    """They opened on "OK" (their buttons were made before their fields): what was typed went
    nowhere, and Enter sent the empty form."""
    for dialog, first in _form_dialogs(session):
        qtbot.addWidget(dialog)
        dialog.open()
        qtbot.waitExposed(dialog)
        assert dialog.focusWidget() is first, type(dialog).__name__
        dialog.reject()


def test_tab_leaves_the_coordinators_lists_for_their_buttons(
    qtbot: QtBot, session: Session
) -> None:
    """Tab went from cell to cell in the service directory, the users, the audit log and the
    retention list: the keyboard never reached the buttons below them."""
    from desktop_app.ui.accounts import UsersDialog
    from desktop_app.ui.audit import AuditWindow
    from desktop_app.ui.data_rights import RequestsWindow, RetentionWindow
    from desktop_app.ui.directory import DirectoryDialog

    window = _window(qtbot, session)
    people.register_person(session.store, session.user, PersonDraft("Ana", "Popa"))
    for dialog in (
        DirectoryDialog(session, window),
        UsersDialog(session, window),
        AuditWindow(session, window),
        RetentionWindow(window),
        RequestsWindow(window, session),
    ):
        table = dialog.table
        dialog.show()
        qtbot.waitExposed(dialog)
        dialog.activateWindow()
        qtbot.waitActive(dialog)
        table.setFocus()
        qtbot.waitUntil(table.hasFocus)
        after = _key(qtbot, table, Qt.Key.Key_Tab)
        assert after is not None and after is not table, type(dialog).__name__
        assert not table.isAncestorOf(after)
        dialog.close()


def _visit_opened_by_keys(
    qtbot: QtBot, session: Session, lang: str, button: str = "start_button"
) -> VisitWindow:
    """A life-situation check (or the form of another ``button`` of the person's page)
    started from the people list with Down and Alt+letter."""
    people.register_person(session.store, session.user, PersonDraft("Ana", "Popa", "01.01.1990"))
    window = _window(qtbot, session)
    window.switch_language(lang)
    qtbot.waitUntil(lambda: window.model.rowCount() == 1)
    window.table.setFocus()
    _key(qtbot, window.table, Qt.Key.Key_Down)
    start = getattr(window.visits, button)  # type: ignore[attr-defined]
    qtbot.waitUntil(start.isEnabled)  # her page read
    window.activateWindow()
    qtbot.waitUntil(window.isActiveWindow)  # Alt+letter is a shortcut of the active window
    letter = _access_key(start.text())
    assert letter is not None
    _key(qtbot, window.table, Qt.Key(ord(letter.upper())), Qt.KeyboardModifier.AltModifier)

    def opened() -> list[VisitWindow]:
        return [w for w in QApplication.topLevelWidgets() if isinstance(w, VisitWindow)]

    qtbot.waitUntil(lambda: len(opened()) == 1)
    wins = opened()
    win = wins[0]
    qtbot.addWidget(win)
    qtbot.waitExposed(win)
    win.activateWindow()
    qtbot.waitUntil(win.isActiveWindow)
    return win


def _drawn_focused(qtbot: QtBot, win: VisitWindow) -> QWidget:
    """The focused widget, after checking it looks other than once Tab has left it."""
    focused = win.focusWidget()
    assert focused is not None
    with_focus = focused.grab().toImage()
    _key(qtbot, focused, Qt.Key.Key_Tab)
    assert win.focusWidget() is not focused
    assert focused.grab().toImage() != with_focus, focused.objectName()
    return focused


@pytest.mark.parametrize("lang", ["de", "ro"])
@pytest.mark.parametrize(
    ("key", "section", "field"),
    [(Qt.Key.Key_Return, "person", "nationality"), (Qt.Key.Key_PageDown, "household", "partner")],
    ids=["finish", "next-section"],
)
def test_the_keyboard_sent_to_a_choice_shows_where_it_is(
    qtbot: QtBot, session: Session, lang: str, key: Qt.Key, section: str, field: str
) -> None:
    """Finish (Ctrl+Return) refused and put the keyboard in the first missing answer, the
    nationality; Ctrl+PgDown went to the household's first question: both combo boxes, drawn
    exactly as without focus until Tab had been pressed once in the window, so an advisor
    without a mouse could not see where the keys would go."""
    win = _visit_opened_by_keys(qtbot, session, lang)
    _key(qtbot, win, key, Qt.KeyboardModifier.ControlModifier)
    qtbot.waitUntil(lambda: win.focusWidget() is not None)  # Finish checks on a thread
    assert win.view.current_section() == section
    assert _drawn_focused(qtbot, win).objectName() == field


@pytest.mark.parametrize("lang", ["de", "ro"])
def test_the_skills_check_opens_in_its_first_language_entry(
    qtbot: QtBot, session: Session, lang: str
) -> None:
    """It opened with the keyboard on "Add language", below the empty first entry: Tab went
    on to reading and writing, and Space added a second empty entry."""
    win = _visit_opened_by_keys(qtbot, session, lang, "skills_button")
    assert win.view.current_section() == "languages"
    first = win.focusWidget()
    assert first is not None and first.objectName() == "language_levels[0].language"
    after = _key(qtbot, first, Qt.Key.Key_Tab)
    assert after is not None and after.objectName() == "language_levels[0].level"


def _buttons_in_tab_order(qtbot: QtBot, dialog: QDialog, box: QDialogButtonBox) -> list[QWidget]:
    """``box``'s buttons in the order Tab reaches them, once round the dialog."""
    start = dialog.focusWidget()
    assert start is not None
    reached: list[QWidget] = []
    focused: QWidget | None = start
    for _ in range(60):
        focused = _key(qtbot, dialog, Qt.Key.Key_Tab)
        if focused is start:
            break
        if focused is not None and box.isAncestorOf(focused) and focused not in reached:
            reached.append(focused)
    assert focused is start, "Tab did not come round"
    return reached


def _x(widget: QWidget) -> int:
    return widget.mapTo(widget.window(), widget.rect().topLeft()).x()


def _shown(kind: type[QDialog]) -> QDialog | None:
    found = [w for w in QApplication.topLevelWidgets() if isinstance(w, kind)]
    return found[0] if found and found[0].isVisible() else None


def _opened(qtbot: QtBot, kind: type[ShownDialog]) -> ShownDialog:
    """The dialog of ``kind`` the keys opened, once it is shown, as the active window."""

    def shown() -> ShownDialog | None:
        found = [w for w in QApplication.topLevelWidgets() if isinstance(w, kind)]
        return next((w for w in found if w.isVisible()), None)

    qtbot.waitUntil(lambda: shown() is not None)
    dialog = shown()
    assert dialog is not None
    dialog.activateWindow()
    qtbot.waitUntil(dialog.isActiveWindow)
    return dialog


def _refer_by_keys(qtbot: QtBot, session: Session, lang: str) -> tuple[QWidget, ReferDialog]:
    """The main window, and its refer dialog for Ana Popa opened from the people list by Down
    and Alt+letter."""
    people.register_person(session.store, session.user, PersonDraft("Ana", "Popa", "01.01.1990"))
    window = _window(qtbot, session)
    window.switch_language(lang)
    qtbot.waitUntil(lambda: window.model.rowCount() == 1)
    window.table.setFocus()
    _key(qtbot, window.table, Qt.Key.Key_Down)
    refer = window.referrals.refer_button  # type: ignore[attr-defined]
    qtbot.waitUntil(refer.isEnabled)
    window.activateWindow()
    qtbot.waitUntil(window.isActiveWindow)
    letter = _access_key(refer.text())
    assert letter is not None
    _key(qtbot, window, Qt.Key(ord(letter.upper())), Qt.KeyboardModifier.AltModifier)
    qtbot.waitUntil(lambda: _shown(ReferDialog) is not None)
    dialog = _shown(ReferDialog)
    assert isinstance(dialog, ReferDialog)
    dialog.activateWindow()
    qtbot.waitUntil(dialog.isActiveWindow)
    return window, dialog


def _letter_by_keys(qtbot: QtBot, dialog: ReferDialog) -> LetterPreview:
    """The letter to the job centre, chosen by typing, the reason by arrow, Enter."""
    qtbot.keyClicks(dialog.search, "Jobcenter")
    assert dialog.service_id() == "jobcenter"
    _key(qtbot, dialog, Qt.Key.Key_Tab)  # the services found
    _key(qtbot, dialog, Qt.Key.Key_Tab)  # the reason
    _key(qtbot, dialog, Qt.Key.Key_Down)
    _key(qtbot, dialog, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: _shown(LetterPreview) is not None, timeout=20_000)
    preview = _shown(LetterPreview)
    assert isinstance(preview, LetterPreview)
    preview.activateWindow()
    qtbot.waitUntil(preview.isActiveWindow)
    qtbot.waitUntil(preview.print_button.isEnabled, timeout=20_000)
    return preview


@pytest.mark.parametrize("lang", ["de", "ro"])
def test_tab_goes_through_the_refer_and_letter_buttons_as_they_stand(
    qtbot: QtBot, session: Session, lang: str
) -> None:
    """Refer by keys (Alt+letter, the job centre chosen by typing, a reason by arrow, Enter):
    Tab went to Cancel before "Create letter" left of it, and in the letter to Close (far
    right) before Print, Save as PDF and Add to print queue."""
    _main, dialog = _refer_by_keys(qtbot, session, lang)
    tabbed = _buttons_in_tab_order(qtbot, dialog, dialog.buttons)
    assert tabbed[0] is dialog.create_button
    assert [_x(b) for b in tabbed] == sorted(_x(b) for b in tabbed)
    preview = _letter_by_keys(qtbot, dialog)
    tabbed = _buttons_in_tab_order(qtbot, preview, preview.buttons)
    assert tabbed[0] is preview.print_button and len(tabbed) == 4
    assert [_x(b) for b in tabbed] == sorted(_x(b) for b in tabbed)
    preview.close()


@pytest.mark.parametrize("lang", ["de", "ro"])
def test_the_letter_is_printed_by_keys_and_the_keys_go_on_to_the_letter(
    qtbot: QtBot,
    session: Session,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    lang: str,
) -> None:
    """The letter preview by keys: Ctrl+P prints it (to a PDF file here, no printer), and the
    keys go on to the letter: the hidden progress dialog kept the active window, so Ctrl+P
    and the access key of "Save as PDF" did nothing until a click. Saving by keys, a name
    typed into the save dialog: test_save_dialog_ui."""
    from pypdf import PdfReader

    from desktop_app.ui.referrals import PRINT_TO_PDF_ENV

    printed = tmp_path / "printed.pdf"
    monkeypatch.setenv(PRINT_TO_PDF_ENV, str(printed))
    _main, dialog = _refer_by_keys(qtbot, session, lang)
    preview = _letter_by_keys(qtbot, dialog)
    _key(qtbot, preview, Qt.Key.Key_P, Qt.KeyboardModifier.ControlModifier)
    qtbot.waitUntil(printed.exists, timeout=20_000)
    qtbot.waitUntil(lambda: _shown(QProgressDialog) is None, timeout=20_000)
    assert len(PdfReader(printed).pages) >= 1
    preview.grab().save(str(tmp_path / f"letter-{lang}.png"))
    qtbot.waitUntil(preview.save_button.isEnabled, timeout=20_000)
    qtbot.waitUntil(preview.isActiveWindow, timeout=20_000)  # the keys go on to the letter
    focused = QApplication.focusWidget()
    assert focused is not None and preview.isAncestorOf(focused), focused
    assert _access_key(preview.save_button.text()) is not None
    preview.close()


def _to_the_persons_tabs(qtbot: QtBot, window: QWidget) -> None:
    """From the people list to the only person's page by Down, then Tab to its tabs."""
    qtbot.waitUntil(lambda: window.model.rowCount() == 1)  # type: ignore[attr-defined]
    window.activateWindow()
    qtbot.waitUntil(window.isActiveWindow)
    window.table.setFocus()  # type: ignore[attr-defined]
    _key(qtbot, window, Qt.Key.Key_Down)
    qtbot.waitUntil(lambda: window.person_page.person is not None)  # type: ignore[attr-defined]
    for _ in range(12):
        focused = _key(qtbot, window, Qt.Key.Key_Tab)
        if focused is not None and focused.objectName() == "qt_tabwidget_tabbar":
            return
    raise AssertionError("Tab did not reach the person's tabs")


@pytest.mark.parametrize("lang", ["de", "ro"])
def test_enter_on_a_referral_changes_its_status(qtbot: QtBot, session: Session, lang: str) -> None:
    """Enter on a row of the Referrals tab did nothing (a double click opened "Change
    status"); it opens it now, and the status chosen with the arrows is saved with Enter."""
    from desktop_app.domain.referral import ReferralStatus
    from desktop_app.ui.referrals import StatusDialog
    from desktop_app.usecases import referrals as uc

    person = people.register_person(
        session.store, session.user, PersonDraft("Ana", "Popa", "01.01.1990")
    )
    referral = uc.issue_referral(session.store, session.user, person.id, "jobcenter", "buergergeld")
    window = _window(qtbot, session)
    window.switch_language(lang)
    _to_the_persons_tabs(qtbot, window)
    _key(qtbot, window, Qt.Key.Key_Right)  # "Referrals", Tab to its list
    table: QTableWidget = window.referrals.tab.table  # type: ignore[attr-defined]
    assert _key(qtbot, window, Qt.Key.Key_Tab) is table
    qtbot.waitUntil(lambda: table.rowCount() == 1)
    _key(qtbot, window, Qt.Key.Key_Down)
    _key(qtbot, window, Qt.Key.Key_Return)
    dialog = _opened(qtbot, StatusDialog)
    assert dialog.focusWidget() is dialog.status
    before = dialog.status.currentData()
    _key(qtbot, dialog, Qt.Key.Key_Down)
    chosen = dialog.status.currentData()
    assert chosen != before
    _key(qtbot, dialog, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: _shown(StatusDialog) is None)
    stored = uc.get_referral(session.store, session.user, referral.id, log_view=False)
    assert stored.status is ReferralStatus(chosen)


def _shown_box() -> QMessageBox | None:
    found = [w for w in QApplication.topLevelWidgets() if isinstance(w, QMessageBox)]
    return next((w for w in found if w.isVisible()), None)


@pytest.mark.parametrize("lang", ["de", "ro"])
def test_tab_reaches_an_entrys_remove_after_its_answers_and_remove_asks(
    qtbot: QtBot, tmp_path: Path, session: Session, lang: str
) -> None:
    """Remove stands top right in each entry and came first in its Tab order: Tab, Space
    removed the language entry just reached, with what was entered in it. Tab reaches it
    after the entry's answers now, and an entry with answers goes only once confirmed."""
    win = _visit_opened_by_keys(qtbot, session, lang, "skills_button")
    group = win.view.editors["language_levels"]
    item = group.items[0]  # type: ignore[attr-defined]
    first = win.focusWidget()
    assert first is not None and item.isAncestorOf(first)
    before = _key(qtbot, first, Qt.Key.Key_Backtab)
    assert before is not None and not item.isAncestorOf(before)
    assert _key(qtbot, win, Qt.Key.Key_Tab) is first
    _key(qtbot, win, Qt.Key.Key_Down)  # a language chosen
    assert item.value()
    reached = [first]
    while (focused := _key(qtbot, win, Qt.Key.Key_Tab)) is not None and item.isAncestorOf(focused):
        reached.append(focused)
    assert reached[-1] is item.remove, [w.objectName() for w in reached]
    assert item.remove not in reached[:-1]
    win.grab().save(str(tmp_path / f"kbd2-remove-last-{lang}.png"))
    assert _key(qtbot, win, Qt.Key.Key_Backtab) is item.remove
    _key(qtbot, win, Qt.Key.Key_Space)
    qtbot.waitUntil(lambda: _shown_box() is not None)
    box = _shown_box()
    assert box is not None
    box.grab().save(str(tmp_path / f"kbd2-remove-ask-{lang}.png"))
    qtbot.keyClick(box, Qt.Key.Key_Escape)  # keeps it
    qtbot.waitUntil(lambda: _shown_box() is None)
    assert group.items == [item] and item.value()  # type: ignore[attr-defined]
    assert win.focusWidget() is item.remove
    _key(qtbot, win, Qt.Key.Key_Space)
    qtbot.waitUntil(lambda: _shown_box() is not None)
    box = _shown_box()
    assert box is not None
    confirm = next(
        b for b in box.buttons() if box.buttonRole(b) is QMessageBox.ButtonRole.AcceptRole
    )
    for _ in range(4):
        if box.focusWidget() is confirm:
            break
        qtbot.keyClick(box.focusWidget() or box, Qt.Key.Key_Tab)
    assert box.focusWidget() is confirm
    qtbot.keyClick(confirm, Qt.Key.Key_Space)
    qtbot.waitUntil(lambda: _shown_box() is None)
    assert item not in group.items  # type: ignore[attr-defined]


@pytest.mark.parametrize("lang", ["de", "ro"])
def test_enter_on_a_visit_in_the_history_opens_it(
    qtbot: QtBot, tmp_path: Path, session: Session, lang: str
) -> None:
    """Enter on a visit of the person's Visits tab opens it, as a double click does."""
    from desktop_app.usecases import visits
    from tests.unit.test_visits import full_life_situation

    person = people.register_person(
        session.store, session.user, PersonDraft("Ana", "Popa", "01.01.1990")
    )
    visit = visits.finish_visit(
        session.store, session.user, person.id, "life_situation", full_life_situation()
    )
    window = _window(qtbot, session)
    window.switch_language(lang)
    tree = window.visits.tab.tree  # type: ignore[attr-defined]
    _to_the_persons_tabs(qtbot, window)  # "Visits" first, Tab to its history
    qtbot.waitUntil(lambda: tree.topLevelItemCount() >= 1)
    assert _key(qtbot, window, Qt.Key.Key_Tab) is tree
    _key(qtbot, window, Qt.Key.Key_Down)
    window.grab().save(str(tmp_path / f"kbd2-history-{lang}.png"))
    _key(qtbot, window, Qt.Key.Key_Return)

    def opened() -> list[VisitWindow]:
        return [
            w
            for w in QApplication.topLevelWidgets()
            if isinstance(w, VisitWindow) and w.isVisible()
        ]

    qtbot.waitUntil(lambda: len(opened()) == 1)
    win = opened()[0]
    qtbot.addWidget(win)
    assert win.visit_id == visit.id


@pytest.mark.parametrize("lang", ["de", "ro"])
def test_consent_is_recorded_by_keys_without_a_blank_tab_stop(
    qtbot: QtBot, tmp_path: Path, session: Session, lang: str
) -> None:
    """The consent dialog walked by keys: Alt+letter opens it, Tab to each purpose, Down
    to grant it, the language, the date and how it was given, Enter records it. Tab stopped
    on the form's page itself between the texts and the first question, nothing shown
    focused."""
    from desktop_app.ui.visits import ConsentDialog
    from desktop_app.usecases import visits

    win = _visit_opened_by_keys(qtbot, session, lang)
    letter = _access_key(win.consent_button.text())
    assert letter is not None
    _key(qtbot, win, Qt.Key(ord(letter.upper())), Qt.KeyboardModifier.AltModifier)
    dialog = _opened(qtbot, ConsentDialog)
    assert dialog.focusWidget() is dialog.texts
    names = ["consent_language", "consent_advice", "consent_central_storage"]
    names += ["consent_referral_sharing", "shared_with_service", "consent_date"]
    for name in [*names, "consent_form"]:
        focused = _key(qtbot, dialog, Qt.Key.Key_Tab)
        assert focused is not None and focused.objectName() == name
        if name == "shared_with_service":  # asked once sharing is granted
            qtbot.keyClicks(focused, "Jobcenter")
        elif name != "consent_date":
            _key(qtbot, dialog, Qt.Key.Key_Down)  # the first choice: granted, in person
    dialog.grab().save(str(tmp_path / f"kbd2-consent-{lang}.png"))
    assert _key(qtbot, dialog, Qt.Key.Key_Tab) is dialog.save
    with qtbot.waitSignal(dialog.recorded, timeout=30_000) as recorded:
        _key(qtbot, dialog, Qt.Key.Key_Return)
    person = win.person
    granted = visits.granted_purposes(session.store, session.user, person.id)
    assert recorded.args == [granted] and granted
    assert not dialog.isVisible()


@pytest.mark.parametrize("lang", ["de", "ro"])
def test_logging_in_by_keys_and_again_after_a_wrong_password(
    qtbot: QtBot, session: Session, data_dir: Path, tmp_path: Path, lang: str
) -> None:
    """The login window by keys: the account typed, Tab, the password, Enter. A wrong
    password is refused with the keyboard back in the emptied password field, so the right
    one is typed at once and Enter logs in."""
    from desktop_app.i18n.text import set_language
    from desktop_app.ui.login import LoginDialog
    from tests.conftest import PASSWORD

    set_language(lang)
    dialog = LoginDialog(data_dir)
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitExposed(dialog)
    dialog.activateWindow()
    qtbot.waitUntil(dialog.isActiveWindow)
    assert dialog.focusWidget() is dialog.account
    qtbot.keyClicks(dialog.account, "anna")
    assert _key(qtbot, dialog, Qt.Key.Key_Tab) is dialog.password
    qtbot.keyClicks(dialog.password, "wrong horse 42")
    _key(qtbot, dialog, Qt.Key.Key_Return)
    assert dialog.error.isVisible() and dialog.error.text()
    assert dialog.result() != QDialog.DialogCode.Accepted and dialog.isVisible()
    assert dialog.focusWidget() is dialog.password and dialog.password.text() == ""
    dialog.grab().save(str(tmp_path / f"login-wrong-{lang}.png"))
    qtbot.keyClicks(dialog.focusWidget(), PASSWORD)
    _key(qtbot, dialog, Qt.Key.Key_Return)
    assert dialog.result() == QDialog.DialogCode.Accepted
    assert dialog.session is not None and dialog.session.user.account == "anna"
    dialog.session.store.close()


def _ink_rows(widget: QWidget) -> list[int]:
    """How many dark pixels each row of ``widget`` drawn holds, top to bottom."""
    image = widget.grab().toImage()
    return [
        sum(1 for x in range(image.width()) if QColor(image.pixel(x, y)).lightness() < 100)
        for y in range(image.height())
    ]


@pytest.mark.parametrize("lang", ["bg", "ro"])
@pytest.mark.parametrize("button", ["start_button", "skills_button"])
def test_the_visit_windows_title_shows_whole_on_a_laptops_screen(
    qtbot: QtBot, tmp_path: Path, session: Session, lang: str, button: str
) -> None:
    """The title "… – Ana Popa" beside the client language and the consent button: whole,
    descenders (р, у, ș, ț, p) and all, wrapped where narrow, at 1024 × 700 and 1366 × 768."""
    win = _visit_opened_by_keys(qtbot, session, lang, button)
    heading = win.heading
    for width, height in ((1024, 700), (1366, 768)):
        win.resize(width, height)
        wanted = (width, height)
        qtbot.waitUntil(lambda: win.size().toTuple() == wanted)  # noqa: B023
        qtbot.wait(20)  # laid out again
        win.grab().save(str(tmp_path / f"kbd2-title-{lang}-{button}-{width}.png"))
        # Whole, on as many lines as the row leaves it room for (it wraps where narrow).
        assert heading.height() >= heading.heightForWidth(heading.width()), width
        rows = _ink_rows(heading)
        assert any(rows) and rows[-1] == 0, (width, rows)  # nothing cut off below
        assert heading.geometry().bottom() < win.view.geometry().top()
