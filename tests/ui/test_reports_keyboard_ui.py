"""The reports window by keyboard: its figures named as Tab reaches them, Escape closes it."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication, QGroupBox, QTableWidget, QWidget
from pytestqt.qtbot import QtBot

from desktop_app.domain.person import PersonDraft
from desktop_app.i18n.text import set_language
from desktop_app.ui import reports as ui
from desktop_app.ui.main_window import MainWindow
from desktop_app.usecases.accounts import Session
from desktop_app.usecases.people import register_many
from desktop_app.usecases.report_demo import add_demo_activity


def test_tab_names_each_figures_table_and_escape_closes_the_reports(
    qtbot: QtBot, session: Session
) -> None:
    """Tab went from the exports through nine tables a screen reader called nothing; and
    Escape, which closes every dialog of the program, left the reports open (a window of its
    own, not a dialog): only the mouse closed it."""
    drafts = [PersonDraft(f"Name{i}", f"Family{i}", "1980", nationality="BG") for i in range(12)]
    register_many(session.store, session.user, drafts)
    add_demo_activity(session.store, session.user.id, seed=5)
    set_language("de")
    try:
        window = MainWindow(session)
        qtbot.addWidget(window)
        (action,) = [a for a in window.file_menu.actions() if a.text() == "Be&richte…"]
        action.trigger()
        (dashboard,) = window.findChildren(ui.ReportsWindow)
        qtbot.waitUntil(lambda: dashboard.report is not None, timeout=20_000)
        dashboard.activateWindow()
        qtbot.waitUntil(dashboard.isActiveWindow, timeout=5000)
        focused: QWidget = dashboard.export_buttons[-1]  # "CSV exportieren…", before them
        focused.setFocus()
        named: list[tuple[str, str]] = []

        def shown() -> list[QTableWidget]:  # the tables laid out (a moment after the report)
            grids = dashboard.panels.findChildren(QTableWidget)
            return [g for g in grids if g.isVisibleTo(dashboard)]

        # (a figure with nothing to count says so instead of a table)
        qtbot.waitUntil(lambda: len(shown()) >= 5, timeout=5000)
        for _table in shown():
            QTest.keyClick(focused, Qt.Key.Key_Tab)
            grid = QApplication.focusWidget()
            assert isinstance(grid, QTableWidget)
            focused = grid
            panel = grid.parentWidget()
            assert isinstance(panel, QGroupBox)
            named.append((grid.accessibleName(), panel.title()))
        assert named[0] == ("Übersicht", "Übersicht")
        assert all(name == title for name, title in named), named
        assert len({name for name, _title in named}) == len(named)
        QTest.keyClick(focused, Qt.Key.Key_Escape)
        qtbot.waitUntil(lambda: not window.findChildren(ui.ReportsWindow), timeout=5000)
    finally:
        set_language("en")
