"""Help → Guide and Help → Keyboard shortcuts in a real main window with its features."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QAbstractButton, QApplication, QMenu
from pytestqt.qtbot import QtBot

from desktop_app.domain.person import PersonDraft
from desktop_app.domain.users import Role
from desktop_app.i18n.text import _, set_language
from desktop_app.ui.application import QtTranslations
from desktop_app.ui.help import GuideDialog, ShortcutsDialog
from desktop_app.ui.main_window import MainWindow
from desktop_app.ui.visits import VisitWindow
from desktop_app.usecases import accounts, people
from desktop_app.usecases.accounts import Session
from tests.ui.conftest import shown_window

UI = Path(__file__).resolve().parents[2] / "desktop_app" / "ui"


def _plain(text: str) -> str:
    return text.replace("&&", "\0").replace("&", "").replace("\0", "&")


def _keys(action: QAction) -> str:
    return ", ".join(k.toString(QKeySequence.SequenceFormat.NativeText) for k in action.shortcuts())


def _shortcuts(qtbot: QtBot, window: MainWindow) -> ShortcutsDialog:
    window.shortcuts_action.trigger()
    dialog = window.shortcuts_dialog  # type: ignore[attr-defined]
    assert isinstance(dialog, ShortcutsDialog)
    qtbot.waitExposed(dialog)
    return dialog


def _guide(qtbot: QtBot, window: MainWindow) -> GuideDialog:
    window.guide_action.trigger()
    dialog = window.guide_dialog  # type: ignore[attr-defined]
    assert isinstance(dialog, GuideDialog)
    qtbot.waitExposed(dialog)
    return dialog


def _reachable(window: MainWindow) -> set[tuple[str, ...]]:
    """What a user can reach by the mouse, as shown: menu paths, buttons, a button's menu."""

    def walk(menu: QMenu, path: tuple[str, ...]) -> set[tuple[str, ...]]:
        found = set()
        for action in menu.actions():
            here = (*path, _plain(action.text()))
            sub = action.menu()
            found |= walk(sub, here) if isinstance(sub, QMenu) else {here}
        return found

    paths: set[tuple[str, ...]] = set()
    for top in window.menuBar().actions():
        menu = top.menu()
        if isinstance(menu, QMenu):
            paths |= walk(menu, (_plain(top.text()),))
    for button in window.findChildren(QAbstractButton):
        paths.add((_plain(button.text()),))
        if hasattr(button, "menu") and isinstance(button.menu(), QMenu):
            paths |= walk(button.menu(), (_plain(button.text()),))
    return paths


def test_every_action_with_keys_is_listed_with_them(qtbot: QtBot, session: Session) -> None:
    window = shown_window(qtbot, session)
    assert window.features_installed
    with_keys = [a for a in window.findChildren(QAction) if a.text() and _keys(a)]
    # The features' ones among them (sync, lock, quick contact), not only the window's own.
    assert {"Sync now", "Lock now", "Quick contact (anonymous)…"} <= {
        _plain(a.text()) for a in with_keys
    }
    rows = _shortcuts(qtbot, window).rows()
    listed = {(text, keys) for _group, text, keys in rows}
    for action in with_keys:
        assert (_plain(action.text()), _keys(action)) in listed, action.text()
    assert ("File", "Sync now", "F5") in rows
    assert ("Edit", "Find person", "Ctrl+F") in rows
    assert ("Help", "Guide", "F1") in rows
    assert ("Visit form", "Next section", "Ctrl+PgDown") in rows
    dialog = window.shortcuts_dialog  # type: ignore[attr-defined]
    assert "Alt" in dialog.intro.text()
    with qtbot.waitActive(dialog):
        dialog.activateWindow()
    assert QApplication.focusWidget() is dialog.tree
    qtbot.keyClick(dialog.tree, Qt.Key.Key_Escape)
    assert not dialog.isVisible()


def test_shortcuts_follow_the_language_and_the_actions(qtbot: QtBot, session: Session) -> None:
    window = shown_window(qtbot, session)
    dialog = _shortcuts(qtbot, window)
    window.switch_language("de")
    rows = dialog.rows()
    assert ("Datei", "Jetzt synchronisieren", "F5") in rows
    assert ("Bearbeiten", "Person suchen", "Ctrl+F") in rows
    assert ("Hilfe", "Anleitung", "F1") in rows
    assert dialog.windowTitle() == "Tastenkürzel"
    assert not any(text in {"Sync now", "Find person"} for _g, text, _k in rows)
    # Read from the actions, not from a list: a key given to an action shows at once.
    assert not any(text == "Über Welcome Desk" for _g, text, _k in rows)
    window.about_action.setShortcut(QKeySequence("Ctrl+Shift+F12"))
    rows = _shortcuts(qtbot, window).rows()
    assert ("Hilfe", "Über Welcome Desk", "Ctrl+Shift+F12") in rows


def test_help_menu_entries_have_access_keys_of_their_own(qtbot: QtBot, session: Session) -> None:
    window = shown_window(qtbot, session)
    for lang in ("en", "de", "bg", "ro"):
        window.switch_language(lang)
        texts = [a.text() for a in window.help_menu.actions() if not a.isSeparator()]
        keys = [re.search(r"&(\w)", t) for t in texts]
        assert all(keys), (lang, texts)
        letters = [k.group(1).lower() for k in keys if k]
        assert len(set(letters)) == len(letters), (lang, texts)


def test_the_guide_opens_from_the_menu_and_by_f1(qtbot: QtBot, session: Session) -> None:
    window = shown_window(qtbot, session)
    assert window.guide_action in window.help_menu.actions()
    with qtbot.waitActive(window):
        window.activateWindow()
    qtbot.keyClick(window.search, Qt.Key.Key_F1)
    dialog = window.guide_dialog  # type: ignore[attr-defined]
    assert isinstance(dialog, GuideDialog)
    qtbot.waitUntil(dialog.isVisible)
    assert "Find or register a person" in dialog.browser.toPlainText()
    dialog.close()
    assert _guide(qtbot, window) is dialog and dialog.isVisible()


def test_the_guide_speaks_the_ui_language(qtbot: QtBot, session: Session) -> None:
    window = shown_window(qtbot, session)
    window.switch_language("de")
    dialog = _guide(qtbot, window)
    assert dialog.windowTitle() == "Anleitung"
    text = dialog.browser.toPlainText()
    assert "Person suchen oder aufnehmen" in text
    assert "Vermittlungsschreiben" in text and "Sie" in text
    assert "„Offline“" in text  # the status bar's words in German quotation marks
    window.switch_language("bg")
    text = dialog.browser.toPlainText()
    assert "Търсене или регистриране на лице" in text
    assert "Person suchen oder aufnehmen" not in text
    assert dialog.windowTitle() == "Ръководство"


@pytest.mark.parametrize("lang", ["en", "de", "bg", "ro"])
def test_every_menu_and_button_the_guide_names_exists(
    qtbot: QtBot, session: Session, lang: str
) -> None:
    window = shown_window(qtbot, session)  # a coordinator: the guide names the most
    window.switch_language(lang)
    dialog = _guide(qtbot, window)
    reachable = _reachable(window)
    assert len(dialog.guide.paths) >= 15
    missing = [p for p in dialog.guide.paths if p not in reachable]
    assert missing == [], (lang, missing)
    text = dialog.browser.toPlainText()
    for path in dialog.guide.paths:
        assert " → ".join(path) in text
    assert "(Ctrl+N)" in text and "(F5)" in text  # the entries' own keys beside them
    assert "Ctrl+PgDown" in text  # the visit form's, from the constants its shortcuts use


@pytest.mark.parametrize("lang", ["en", "de", "bg", "ro"])
def test_a_sentence_ending_with_a_menu_entrys_dots_has_no_full_stop_after_them(
    qtbot: QtBot, session: Session, lang: str
) -> None:
    """ "… change it with File → Change password…." read as a typo: the entry's "…" ends it."""
    window = shown_window(qtbot, session)  # a coordinator: the guide names the most
    window.switch_language(lang)
    text = _guide(qtbot, window).browser.toPlainText()
    assert "…." not in text
    change = " → ".join(_plain(_(m)) for m in ("&File", "Change &password…"))
    assert re.search(re.escape(change) + r"(\n|$)", text), change  # the paragraph's end


def test_buttons_of_other_windows_the_guide_names_are_the_uis_own(
    qtbot: QtBot, session: Session
) -> None:
    """The guide names the buttons of dialogs it cannot look into (the visit form, the
    letter preview, the lock screen) by msgid: each must still be one those dialogs use."""
    window = shown_window(qtbot, session)
    dialog = _guide(qtbot, window)
    sources = "".join(p.read_text("utf-8") for p in UI.glob("*.py") if p.name != "help.py")
    for msgid in dialog.guide.msgids:
        assert f'"{msgid}"' in sources, msgid


def test_the_guide_is_for_the_role(qtbot: QtBot, session: Session) -> None:
    accounts.add_user(session, "mihai", "Mihai", Role.HELPER, "helper pass 1")
    helper = accounts.log_in(session.store.paths.data_dir, "mihai", "helper pass 1")
    window = shown_window(qtbot, helper)
    dialog = _guide(qtbot, window)
    text = dialog.browser.toPlainText()
    assert "For the coordination" not in text
    assert "Export data" not in text and "Erase person" not in text
    assert "pass it on to an advisor" in text
    reachable = _reachable(window)
    assert [p for p in dialog.guide.paths if p not in reachable] == []
    coordinator = _guide(qtbot, shown_window(qtbot, session))
    assert "For the coordination" in coordinator.browser.toPlainText()
    helper.close()


def test_the_guide_by_keyboard(qtbot: QtBot, session: Session) -> None:
    window = shown_window(qtbot, session)
    dialog = _guide(qtbot, window)
    with qtbot.waitActive(dialog):
        dialog.activateWindow()
    browser = dialog.browser
    assert QApplication.focusWidget() is browser  # reading starts at once
    bar = browser.verticalScrollBar()
    assert bar.maximum() > 0  # longer than the dialog: it scrolls
    qtbot.keyClick(browser, Qt.Key.Key_PageDown)
    assert bar.value() > 0
    for _page in range(20):  # to the end, page by page (some three pages in English)
        qtbot.keyClick(browser, Qt.Key.Key_PageDown)
    assert bar.value() == bar.maximum()
    qtbot.keyClick(browser, Qt.Key.Key_PageUp)
    assert 0 < bar.value() < bar.maximum()
    # Tab leaves the text for the Close button and comes back to it.
    qtbot.keyClick(browser, Qt.Key.Key_Tab)
    close = dialog.buttons.buttons()[0]
    assert QApplication.focusWidget() is close
    qtbot.keyClick(close, Qt.Key.Key_Tab)
    assert QApplication.focusWidget() is browser
    qtbot.keyClick(browser, Qt.Key.Key_Escape)
    assert not dialog.isVisible()


@pytest.fixture
def qt_texts(qapp: QApplication) -> Iterator[QtTranslations]:
    """Qt's own texts (key names among them) following the UI language, as in the program."""
    installed = QtTranslations(qapp)
    yield installed
    installed.stop()
    set_language("en")


@pytest.mark.parametrize(
    ("lang", "finish", "next_section"),
    [
        ("de", "Strg+Eingabe", "Strg+Bild abwärts"),
        ("bg", "Ctrl+Enter", "Ctrl+PgDown"),
        ("ro", "Ctrl+Enter", "Ctrl+PgDown"),
        ("en", "Ctrl+Enter", "Ctrl+PgDown"),
    ],
)
def test_the_visit_forms_keys_are_named_in_the_ui_language(
    qtbot: QtBot,
    session: Session,
    qt_texts: QtTranslations,
    lang: str,
    finish: str,
    next_section: str,
) -> None:
    """The shortcuts list, the guide and the visit form's tooltips said "Strg+Return" (German)
    or "Ctrl+Return"; the tooltips even in the code's own spelling in every language."""
    window = shown_window(qtbot, session)
    window.switch_language(lang)
    finish_rows = [r for r in _shortcuts(qtbot, window).rows() if r[2].endswith(finish)]
    assert len(finish_rows) == 1, finish_rows
    assert not any("Return" in keys for _g, _t, keys in _shortcuts(qtbot, window).rows())
    text = _guide(qtbot, window).browser.toPlainText()
    assert finish in text and next_section in text and "Return" not in text
    person = people.register_person(
        session.store, session.user, PersonDraft("Maria", "Petrova", "1991-04-02")
    )
    visit = VisitWindow(session, person, "life_situation", parent=window)
    qtbot.addWidget(visit)
    visit.show()
    assert visit.finish_button.toolTip() == finish
    assert visit.view.next_button.toolTip() == next_section
