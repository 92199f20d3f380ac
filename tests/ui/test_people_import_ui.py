"""The import wizard driven as a user would: file, mapping, dry run report, import, cancel."""

from __future__ import annotations

import os
from pathlib import Path

from openpyxl import Workbook
from PySide6.QtWidgets import QPushButton, QWizard
from pytestqt.qtbot import QtBot

from desktop_app.ui.main_window import MainWindow
from desktop_app.ui.people_import import PeopleImportWizard
from desktop_app.usecases import people, people_import
from desktop_app.usecases.accounts import Session
from tests.ui.conftest import cell, shown_window, type_text

SHOTS = os.environ.get("WELCOME_DESK_SHOTS")  # a folder to save screenshots into, if set

CSV = (
    "Фамилия;Име;Дата на раждане;Пол;Гражданство;Езици;Телефон\n"
    "Петрова;Мария;14.03.1985;ж;България;български, ромски;0170 1234567\n"
    "Țăranu;Ștefan;1979;m;Rumänien;ro;\n"
    "Popescu;;31.02.1990;f;RO;ro;12\n"
    "Petrova;Maria;1985-03-14;f;BG;bg;\n"
)


def shot(widget, name: str) -> None:
    if SHOTS:
        widget.grab().save(str(Path(SHOTS) / f"{name}.png"))


def open_wizard(qtbot: QtBot, session: Session) -> tuple[MainWindow, PeopleImportWizard]:
    window = shown_window(qtbot, session)
    window.import_action.trigger()  # type: ignore[attr-defined]
    wizard: PeopleImportWizard = window.import_wizard  # type: ignore[attr-defined]
    return window, wizard


def go_to_preview(qtbot: QtBot, wizard: PeopleImportWizard, path: Path) -> None:
    type_text(wizard.file_page.path, str(path))
    shot(wizard, "import-1-file")
    wizard.next()
    assert wizard.currentPage() is wizard.mapping_page
    shot(wizard, "import-2-mapping")
    with qtbot.waitSignal(wizard.preview_page.completeChanged, timeout=10_000):
        wizard.next()
    qtbot.waitUntil(lambda: wizard.preview_page.report() is not None, timeout=10_000)


def test_import_csv_from_the_file_menu(qtbot: QtBot, session: Session, tmp_path: Path) -> None:
    path = tmp_path / "clients.csv"
    path.write_text(CSV, encoding="utf-8-sig")
    window, wizard = open_wizard(qtbot, session)
    assert window.import_action.text() == "&Import people…"  # type: ignore[attr-defined]
    go_to_preview(qtbot, wizard, path)
    # Bulgarian headers were recognised.
    assert wizard.mapping["family_name"] == "Фамилия"
    assert wizard.mapping["languages"] == "Езици"
    page = wizard.preview_page
    assert cell(page.preview, 0, 1).text() == "Петрова"
    assert cell(page.preview, 0, 5).text() == "Bulgarian, Romani"
    # A date as the program shows dates; one that is no date as the file has it, not as read
    # ("1990-02-31", in a form the user never typed).
    assert cell(page.preview, 0, 2).text() == "14 Mar 1985"
    assert cell(page.preview, 2, 2).text() == "31.02.1990"
    # Every value fits its column (or the column is at its 220 px cap, with a tooltip).
    metrics = page.preview.fontMetrics()
    for c in range(page.preview.columnCount() - 1):  # the last one stretches
        item = cell(page.preview, 0, c)
        needed = metrics.horizontalAdvance(item.text())
        assert page.preview.columnWidth(c) >= min(needed, 220), (c, item.text())
        assert item.toolTip() == item.text()
    assert cell(page.preview, 0, 2).text() == "14 Mar 1985"
    lines = [page.problems.item(i).text() for i in range(page.problems.count())]
    assert any(line.startswith("Line 4 (Popescu) refused:") for line in lines), lines
    assert "Line 5 (Maria Petrova) is likely the same person as line 2." in lines
    assert "can be imported: 2 · left out because of errors: 1" in page.summary.text()
    assert page.skip.isChecked()
    shot(wizard, "import-3-preview")
    with qtbot.waitSignal(wizard.imported, timeout=10_000) as imported:
        wizard.button(QWizard.WizardButton.FinishButton).click()
    assert imported.args == [2]
    assert people.count_people(session.store) == 2
    qtbot.waitUntil(lambda: "2 people registered" in window.result_label.text(), timeout=30_000)


def test_xlsx_with_saved_mapping_and_unknown_name_column(
    qtbot: QtBot, session: Session, tmp_path: Path
) -> None:
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(["Klient", "Geb", "Handy"])
    sheet.append(["Ionescu, Ana", "02.05.1979", "0151 2345678"])
    path = tmp_path / "list.xlsx"
    book.save(path)
    _window, wizard = open_wizard(qtbot, session)
    type_text(wizard.file_page.path, str(path))
    wizard.next()
    mapping = wizard.mapping_page
    mapping.set_mapping({})
    wizard.next()
    assert wizard.currentPage() is mapping  # no name column: refused at the page
    assert "family and given name" in mapping.error.text()
    mapping.set_mapping({"full_name": "Klient", "phone": "Handy"})
    type_text(mapping.save_name, "AWO Liste")
    mapping.save_button.click()
    assert people_import.saved_mappings(session.store) == {
        "AWO Liste": {"full_name": "Klient", "phone": "Handy"}
    }
    go_back_and_forth = mapping.saved.findData("AWO Liste")
    mapping.saved.setCurrentIndex(go_back_and_forth)
    mapping._on_saved_activated(go_back_and_forth)
    with qtbot.waitSignal(wizard.preview_page.completeChanged, timeout=10_000):
        wizard.next()
    qtbot.waitUntil(lambda: wizard.preview_page.report() is not None, timeout=10_000)
    assert cell(wizard.preview_page.preview, 0, 0).text() == "Ana"
    with qtbot.waitSignal(wizard.imported, timeout=10_000):
        wizard.button(QWizard.WizardButton.FinishButton).click()
    found = people.search_people(session.store, "ionescu")
    assert [(e.given_name, e.phone) for e in found] == [("Ana", "0151 2345678")]


def test_unreadable_file_is_reported_at_the_field(
    qtbot: QtBot, session: Session, tmp_path: Path
) -> None:
    _window, wizard = open_wizard(qtbot, session)
    type_text(wizard.file_page.path, str(tmp_path / "missing.xlsx"))
    wizard.next()
    assert wizard.currentPage() is wizard.file_page
    assert wizard.file_page.error.text() == "The file does not exist."


def test_cancelled_import_stores_nothing(qtbot: QtBot, session: Session, tmp_path: Path) -> None:
    rows = ["Vorname;Nachname"] + [f"Ana;Pop{n}" for n in range(3000)]
    path = tmp_path / "big.csv"
    path.write_text("\n".join(rows), encoding="utf-8")
    _window, wizard = open_wizard(qtbot, session)
    go_to_preview(qtbot, wizard, path)
    with qtbot.waitSignal(wizard.failed, timeout=10_000) as failed:
        wizard.button(QWizard.WizardButton.FinishButton).click()
        assert wizard.progress is not None
        # Pressed at once: the worker sees it at its next progress report, at the latest
        # after 500 rows, long before the 3,000 are written.
        cancel = wizard.progress.findChild(QPushButton)
        assert cancel is not None
        cancel.click()
    assert failed.args == ["Import cancelled. Nothing was imported."]
    assert people.count_people(session.store) == 0
    assert wizard.isVisible()
