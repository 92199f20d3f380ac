"""No widget's Python wrapper is owned by one of its own descendants.

PySide6 (6.12) takes the widget ``nextInFocusChain`` or ``previousInFocusChain`` returns for a
child of the widget asked, whatever it is: walking a window's focus chain made its window a
"child" of its last input. The garbage collector, freeing such wrappers, crashed in Shiboken's
``removeParent`` (a segmentation fault in one run of the keyboard sweep in four). The program no
longer walks the chain; these tests look at the owners Shiboken records after what walked it.
"""

from __future__ import annotations

import re

import shiboken6
from PySide6.QtCore import QSettings
from PySide6.QtWidgets import QApplication, QDialogButtonBox, QMessageBox, QWidget
from pytestqt.qtbot import QtBot

from tests.ui.tab_walk import every_control_enabled, focus_kept, tab_stops
from tests.ui.test_access_keys_ui import (  # noqa: F401  (desk: the fixture)
    Desk,
    _close_new_windows,
    _shown,
    _tabbed_astray,
    desk,
)
from tests.ui.test_accessible_names_ui import _group, _visit_window

# "parent............ <PySide6.QtWidgets.QDialog at 0x7f8eb95fc380>" in shiboken6.dump
_OWNER = re.compile(r"^parent\.+ <[^>]* at (0x[0-9a-f]+)>", re.MULTILINE)


def owned_by_a_descendant(top: QWidget) -> list[str]:
    """The widgets of ``top``'s window whose wrapper's recorded owner is inside them. Read from
    every wrapper alive, not by ``findChildren`` (which records ``top`` as every child's owner,
    hiding what was recorded before)."""
    wrappers = shiboken6.getAllValidWrappers()
    by_address = {hex(id(w)): w for w in wrappers}
    window = top.window()
    found = []
    for widget in wrappers:
        if not isinstance(widget, QWidget) or widget.window() is not window:
            continue
        match = _OWNER.search(shiboken6.dump(widget))
        owner = by_address.get(match.group(1)) if match else None
        if isinstance(owner, QWidget) and widget.isAncestorOf(owner):
            found.append(f"{type(widget).__name__} owned by {type(owner).__name__}")
    return found


def test_an_entry_added_to_a_group_leaves_no_widget_owned_by_its_descendant(
    qtbot: QtBot,
    desk: Desk,  # noqa: F811
) -> None:
    window = _visit_window(qtbot, desk, "skills_check")
    try:
        group = _group(window)
        assert owned_by_a_descendant(window) == []
        group.add.click()
        group.add.click()
        assert owned_by_a_descendant(window) == []
    finally:
        window.close()


def test_the_persons_page_ordering_its_tabs_leaves_no_widget_owned_by_its_descendant(
    qtbot: QtBot,
    desk: Desk,  # noqa: F811
) -> None:
    desk.qtbot = qtbot
    page = desk.window.person_page
    page.show_person(desk.person)
    page._order_tabs()  # as each feature's button, tab or notice added calls it
    assert owned_by_a_descendant(desk.window) == []


def test_the_tests_tab_walks_leave_no_widget_owned_by_its_descendant(
    qtbot: QtBot,
    desk: Desk,  # noqa: F811
) -> None:
    """The access-key sweep reads each button row's Tab order (going back from its first
    button), and the directory's test its whole Tab cycle: walked along the focus chain, round
    past the dialog, they made it a "child" of its last input."""
    from desktop_app.ui.directory import DirectoryDialog
    from desktop_app.ui.settings import SettingsDialog

    desk.qtbot = qtbot
    before = set(QApplication.topLevelWidgets())
    try:
        directory = DirectoryDialog(desk.session, desk.window)
        _shown(desk, directory)
        with every_control_enabled(directory), focus_kept(directory):
            stops = tab_stops(directory, directory.table)
        assert stops[0] is directory.table and directory.publish_button in stops
        assert owned_by_a_descendant(directory) == []
        qsettings = QSettings(str(desk.folder / "settings.ini"), QSettings.Format.IniFormat)
        settings = SettingsDialog(desk.session, qsettings, desk.window)
        _shown(desk, settings)
        save = settings.buttons.button(QDialogButtonBox.StandardButton.Save)
        save.setEnabled(False)  # a row's disabled button is walked too, and stays disabled
        had_focus = settings.focusWidget()
        assert _tabbed_astray(settings) == []
        assert not save.isEnabled() and settings.focusWidget() is had_focus
        assert owned_by_a_descendant(settings) == []
        # Nothing but the row takes the focus: the walk back went round past the window
        buttons = QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No
        question = QMessageBox(QMessageBox.Icon.Question, "?", "?", buttons, desk.window)
        _shown(desk, question)
        assert _tabbed_astray(question) == []
        assert owned_by_a_descendant(question) == []
        assert owned_by_a_descendant(desk.window) == []
    finally:
        _close_new_windows(desk, before)
