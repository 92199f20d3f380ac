"""The reports dashboard shows how many people came with an expired EHIC (its chart, its table
with the exact counts, what each row counts), and lists the people behind a row."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCharts import QChartView
from PySide6.QtWidgets import QTableWidget
from pytestqt.qtbot import QtBot

from desktop_app.i18n.text import gettext_in
from desktop_app.ui.reports import FigurePanel
from desktop_app.usecases.accounts import Session
from desktop_app.usecases.reports import EHIC_MEANINGS, row_label
from tests.ui.conftest import cell
from tests.ui.test_reports_ui import _dashboard_in
from tests.unit.test_report_ehic import _cards_of_a_year
from tests.unit.test_report_ehic_figure import TITLES


@pytest.mark.parametrize("lang", ["bg", "de"])
def test_the_dashboard_shows_the_people_who_came_with_an_expired_ehic(
    qtbot: QtBot, session: Session, shots: Path, lang: str
) -> None:
    people = _cards_of_a_year(session)
    with _dashboard_in(qtbot, session, lang) as dashboard:
        dashboard.kind.setCurrentIndex(dashboard.kind.findData("year"))
        dashboard.year.setValue(2026)
        dashboard.resize(1100, 700)
        dashboard.show()
        qtbot.waitExposed(dashboard)
        dashboard.refresh()
        qtbot.waitUntil(lambda: dashboard.report is not None, timeout=20_000)
        grid = dashboard.findChild(QTableWidget, "table-ehic")
        assert grid is not None
        panel = grid.parentWidget()
        assert isinstance(panel, FigurePanel)
        assert panel.title() == TITLES[lang]
        assert dashboard.findChild(QChartView, "chart-ehic") is not None
        keys = ("ehic_expired", "ehic_valid", "ehic_no_date")
        shown = [(cell(grid, i, 0).text(), cell(grid, i, 1).text()) for i in range(grid.rowCount())]
        # the exact counts on screen (the exports hide the 2 as "< 5", the 6 as "×")
        assert shown == [(row_label("ehic", k, lang), n) for k, n in zip(keys, "672", strict=True)]
        # what the row counts, and that the exports hide its 6 beside the 2 ("×")
        expired = cell(grid, 0, 0).toolTip()
        assert expired.startswith(gettext_in(lang, EHIC_MEANINGS["ehic_expired"]))
        assert "„×“" in expired
        assert gettext_in(lang, EHIC_MEANINGS["ehic_no_date"]) in cell(grid, 2, 0).toolTip()
        dashboard.figures_area.ensureWidgetVisible(panel)
        assert panel.grab().save(str(shots / f"ehic-dashboard-{lang}.png"))
        # the coordinator asks who came with an expired card
        grid.cellClicked.emit(0, 0)
        qtbot.waitUntil(lambda: dashboard.cases is not None, timeout=20_000)
        cases = dashboard.cases
        assert cases is not None and cases.isVisible()
        assert cases.list.count() == len(people["expired"])
        cases.reject()
