"""A walk through a coordinator's month, in German, with real laptops and a real server on
127.0.0.1: two advisors' laptops and a helper's did the month's work; the coordinator reports it
to the funder, answers a request for a copy of a person's data and one for erasure, revokes the
helper's stolen laptop, and backs up and restores a laptop."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import os
import re
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from functools import partial
from pathlib import Path

import pypdf
import pytest
from openpyxl import load_workbook
from PySide6.QtCore import Qt
from PySide6.QtGui import QAction
from PySide6.QtWidgets import (
    QApplication,
    QLabel,
    QLineEdit,
    QMessageBox,
    QTableWidget,
    QWidget,
)
from pytestqt.qtbot import QtBot
from sqlalchemy import func, select

from desktop_app.domain.person import PersonDraft
from desktop_app.domain.referral import ReferralStatus
from desktop_app.domain.users import Role
from desktop_app.i18n.text import gettext_in, set_language
from desktop_app.letters import person_data_pdf
from desktop_app.storage.reports_models import ReportPersonRow
from desktop_app.ui import reports as reports_ui
from desktop_app.ui.application import QtTranslations
from desktop_app.ui.data_rights import EraseDialog, ExportDialog
from desktop_app.ui.main_window import MainWindow
from desktop_app.ui.sync_status import DevicesDialog, SyncController
from desktop_app.usecases import accounts, people, visits
from desktop_app.usecases import referrals as uc
from desktop_app.usecases.accounts import Session
from desktop_app.usecases.reports import build_report, month_period, period_label
from tests.integration.sync_harness import Laptops, ServerProcess, active_key_id, keyring_of
from tests.ui.conftest import answer_save_dialog, cell, dialog_opened, shown_window, type_text

# Screenshots and the PDFs rendered as pages, to look at: WELCOME_DESK_SHOTS=/tmp (say).
SHOTS = os.environ.get("WELCOME_DESK_SHOTS")


@pytest.fixture
def qt_texts(qapp: QApplication) -> Iterator[None]:
    """Qt's own texts (Cancel, Yes …) in the UI language, as the program has them."""
    translations = QtTranslations(qapp)
    yield
    translations.stop()


def _shot(widget: QWidget, name: str) -> None:
    if SHOTS:
        widget.grab().save(str(Path(SHOTS) / f"walkde-{name}.png"))


def _pages(pdf: bytes, name: str) -> None:
    """The PDF as printed pages (pdftoppm), to look at."""
    if SHOTS:
        path = Path(SHOTS) / f"walkde-{name}.pdf"
        path.write_bytes(pdf)
        subprocess.run(["pdftoppm", "-r", "60", "-png", str(path), str(path.with_suffix(""))],
                       check=True)  # fmt: skip


def _pdf_text(data: bytes) -> str:
    pages = pypdf.PdfReader(io.BytesIO(data)).pages
    return " ".join(" ".join(p.extract_text() or "" for p in pages).split())


@dataclass
class Team:
    coordinator: Session
    advisor_a: Session  # Jonas Weber's laptop
    advisor_b: Session  # Elena Dimitrova's laptop
    helper: Session  # Ioana Popescu's laptop
    people: dict[str, str]  # family name -> person id


def _life(nationality: str, topics: list[str], lang: str, **more: object) -> dict[str, object]:
    return {
        "sex": "female",
        "nationality": nationality,
        "address_registration": "registered",
        "partner": "none",
        "household_size": 1,
        "children_count": 0,
        "housing_type": "own_rental",
        "insurance_status": "statutory",
        "urgent_medical_need": "no",
        "work_status": ["looking"],
        "benefits": ["none"],
        "session_language": lang,
        "topics": topics,
        "urgency": "this_week",
    } | more


def _visit(s: Session, person_id: str, answers: dict[str, object]) -> None:
    """A finished check on the life situation, its person part as registering filled it."""
    person = people.get_person(s.store, s.user, person_id)
    assert person is not None and person.date_of_birth is not None
    named = {
        "family_name": person.family_name,
        "given_names": person.given_name,
        "date_of_birth": person.date_of_birth.iso(),
        "languages": list(person.languages),
    }
    visits.finish_visit(s.store, s.user, person_id, "life_situation", named | answers)


def _month_of_work(laptops: Laptops) -> Team:
    """The month on three laptops: 6 people advised in 7 visits, 4 referrals (Jobcenter twice,
    one attended, one not; VHS attended; Clearingstelle pending), 5 quick contacts."""
    coordinator = laptops.new("Koordination", coordinator=True)
    a, b, h = laptops.new("Laptop Jonas"), laptops.new("Laptop Elena"), laptops.new("Laptop Ioana")
    accounts.add_user(a, "jonas", "Jonas Weber", Role.ADVISOR, "advisor pass 123")
    accounts.add_user(b, "elena", "Elena Dimitrova", Role.ADVISOR, "advisor pass 456")
    accounts.add_user(h, "ioana", "Ioana Popescu", Role.HELPER, "helper pass 789")
    jonas = accounts.log_in(a.store.paths.data_dir, "jonas", "advisor pass 123")
    elena = accounts.log_in(b.store.paths.data_dir, "elena", "advisor pass 456")
    ioana = accounts.log_in(h.store.paths.data_dir, "ioana", "helper pass 789")
    laptops.sessions += [jonas, elena, ioana]
    ids: dict[str, str] = {}

    def register(s: Session, given: str, family: str, dob: str, nat: str, lang: str) -> str:
        draft = PersonDraft(given, family, dob, nationality=nat, languages=(lang,))
        ids[family] = people.register_person(s.store, s.user, draft).id
        return ids[family]

    # Jonas: three people from Bulgaria, one of them twice
    petrov = register(jonas, "Петър", "Петров", "14.03.1985", "BG", "bg")
    _visit(jonas, petrov, _life("bulgarian", ["jobcenter", "housing"], "bg", sex="male"))
    _visit(jonas, petrov, _life("bulgarian", ["jobcenter"], "bg", sex="male"))
    ivanova = register(jonas, "Мария", "Иванова", "02.04.1991", "BG", "bg")
    _visit(jonas, ivanova, _life("bulgarian", ["health_insurance"], "bg"))
    georgiev = register(jonas, "Георги", "Георгиев", "1979", "BG", "bg")
    _visit(jonas, georgiev, _life("bulgarian", ["jobcenter"], "bg", sex="male"))
    # Elena: two people from Romania
    popa = register(elena, "Ionuț", "Popa", "14.05.2002", "RO", "ro")
    _visit(elena, popa, _life("romanian", ["language_course"], "ro", sex="male"))
    stan = register(elena, "Ana", "Stan", "1990", "RO", "ro")
    _visit(elena, stan, _life("romanian", ["jobcenter", "language_course"], "ro"))
    # Ioana, the helper: one person from Romania
    munteanu = register(ioana, "Ștefan", "Munteanu", "1988", "RO", "ro")
    helpers = {  # a helper writes no health answers
        k: v
        for k, v in _life("romanian", ["registration"], "ro", sex="male").items()
        if k not in ("insurance_status", "urgent_medical_need")
    }
    _visit(ioana, munteanu, helpers)

    def refer(s: Session, person: str, service: str, reason: str, *steps: ReferralStatus) -> None:
        ref = uc.issue_referral(s.store, s.user, person, service, reason, client_lang="de")
        for step in steps:
            ref = uc.change_status(s.store, s.user, ref.id, step)

    attended = (ReferralStatus.APPOINTMENT_MADE, ReferralStatus.ATTENDED)
    refer(jonas, petrov, "jobcenter", "job_search", *attended)
    refer(jonas, georgiev, "jobcenter", "job_search", ReferralStatus.CLOSED)  # did not go
    refer(jonas, ivanova, "clearingstelle", "health_insurance")
    refer(elena, popa, "vhs", "integration_course", *attended)
    today = dt.date.today()
    for i, topics in enumerate(
        (
            ("jobcenter",),
            ("housing",),
            ("jobcenter", "health_insurance"),
            ("registration",),
            ("housing",),
        )
    ):
        contact = visits.QuickContact(
            today, ("bg", "ro")[i % 2], topics, referral_given=i == 0, nationality=""
        )
        by = elena if i % 2 else jonas
        visits.record_quick_contact(by.store, by.user, contact)
    laptops.sync(jonas, elena, ioana, coordinator)
    return Team(coordinator, jonas, elena, ioana, ids)


def _dashboard(qtbot: QtBot, window: MainWindow) -> reports_ui.ReportsWindow:
    """File → Berichte…, as the coordinator opens it; the last complete month first."""
    (action,) = [a for a in window.file_menu.actions() if a.text() == "Be&richte…"]
    action.trigger()
    (dashboard,) = window.findChildren(reports_ui.ReportsWindow)
    qtbot.waitUntil(lambda: dashboard.report is not None, timeout=20_000)
    return dashboard


def _said(dashboard: reports_ui.ReportsWindow, text: str) -> bool:
    return text in dashboard.status.text()


def _grid(dashboard: reports_ui.ReportsWindow, key: str) -> dict[str, list[str]]:
    (grid,) = dashboard.findChildren(QTableWidget, f"table-{key}")  # the earlier ones gone
    return {
        cell(grid, r, 0).text(): [cell(grid, r, c).text() for c in range(1, grid.columnCount())]
        for r in range(grid.rowCount())
    }


def test_the_coordinators_month_report_counts_what_the_laptops_entered(
    qtbot: QtBot,
    laptops: Laptops,
    program_font: None,
    qt_texts: None,
    tmp_path: Path,
) -> None:
    team = _month_of_work(laptops)
    set_language("de")
    window = shown_window(qtbot, team.coordinator, 1100)
    dashboard = _dashboard(qtbot, window)
    today = dt.date.today()
    dashboard.part.setCurrentIndex(today.month - 1)
    dashboard.year.setValue(today.year)
    dashboard.show_button.click()
    period = month_period(today.year, today.month)
    qtbot.waitUntil(lambda: dashboard.report is not None and dashboard.report.period == period,
                    timeout=20_000)  # fmt: skip
    # the last month's figures, replaced, are gone from the window
    qtbot.waitUntil(lambda: len(dashboard.findChildren(QTableWidget, "table-overview")) == 1)
    dashboard.resize(1100, 700)
    # whose figures: a person's filter, named as one ("Beratung", advice, it said)
    assert dashboard.advisor_label.text() == "&Beratende"
    assert dashboard.advisor.currentText() == "Alle Beraterinnen und Berater"
    _shot(dashboard, "report-dashboard")
    _shot(dashboard.panels, "report-panels")
    # on screen, exact: what the three laptops entered
    overview = _grid(dashboard, "overview")
    figures = ("Beratene Personen", "Besuche", "Kurzkontakte", "Vermittlungen")
    assert {k: overview[k][0] for k in figures} == {
        "Beratene Personen": "6",
        "Besuche": "7",
        "Kurzkontakte": "5",
        "Vermittlungen": "4",
    }
    assert _grid(dashboard, "referrals") == {
        "Jobcenter Dortmund": ["2", "1", "1", "0"],
        "Clearingstelle Gesundheit": ["1", "0", "0", "1"],
        "Volkshochschule Dortmund": ["1", "1", "0", "0"],
    }
    topics = _grid(dashboard, "topics")
    assert topics["Jobcenter / Bürgergeld"] == ["4", "2"]
    assert topics["Deutschkurs / Integrationskurs"] == ["2", "0"]
    assert _grid(dashboard, "nationality") == {
        "bulgarisch": ["3", "0"],
        "rumänisch": ["3", "0"],
        "keine Angabe": ["0", "5"],
    }
    # who the six are: the row chosen by keyboard, Enter
    (grid,) = dashboard.findChildren(QTableWidget, "table-overview")
    grid.setFocus()
    grid.setCurrentCell(0, 0)
    qtbot.keyClick(grid, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: dashboard.cases is not None and dashboard.cases.isVisible())
    cases = dashboard.cases
    assert cases is not None
    _shot(cases, "report-cases")
    listed = sorted(cases.list.item(i).text() for i in range(cases.list.count()))
    assert len(listed) == 6 and any("Popa" in name for name in listed), listed
    cases.close()
    for fmt, index in (("pdf", 0), ("xlsx", 1), ("csv", 2)):
        out = str(tmp_path / f"bericht.{fmt}")
        dashboard.export_buttons[index].click()
        answer_save_dialog(qtbot, Path(out))
        qtbot.waitUntil(partial(_said, dashboard, out), timeout=20_000)
    # the exports: counts below 5 as "< 5", the rest exact
    text = (tmp_path / "bericht.csv").read_text(encoding="utf-8-sig")
    rows = {r[0]: r[1:] for r in csv.reader(io.StringIO(text), delimiter=";") if r}
    assert rows["Zeitraum"][0].startswith(period_label(period, "de"))  # "Dezember 2026 (…)"
    assert rows["Beratene Personen"] == ["6"] and rows["Besuche"] == ["7"]
    assert rows["Kurzkontakte"] == ["5"] and rows["Vermittlungen"] == ["< 5"]
    assert rows["Jobcenter Dortmund"] == ["< 5", "< 5", "< 5", "0"]
    book = load_workbook(tmp_path / "bericht.xlsx")
    cells = {
        str(row[0]): row[1:]
        for sheet in book.worksheets
        for row in sheet.iter_rows(values_only=True)
        if row and row[0]
    }
    assert cells["Beratene Personen"][0] == 6 and cells["Besuche"][0] == 7
    assert cells["Vermittlungen"][0] == "< 5"
    pdf = (tmp_path / "bericht.pdf").read_bytes()
    printed = _pdf_text(pdf)
    assert "Beratene Personen 6" in printed and "Besuche 7" in printed
    assert "Vermittlungen < 5" in printed
    for name in ("Петров", "Popa", "Munteanu", "Jonas Weber"):
        assert name not in printed and name not in text
    _pages(pdf, "report")
    window.close()


def _more(window: MainWindow, name: str) -> None:
    """An action of the person page's "Weitere…" menu, chosen."""
    action = window.person_page.more_menu.findChild(QAction, name)
    assert action is not None and action.isEnabled(), name
    action.trigger()


def test_a_copy_of_a_persons_data_and_an_erasure_that_reaches_every_laptop(
    qtbot: QtBot,
    laptops: Laptops,
    server: ServerProcess,
    program_font: None,
    qt_texts: None,
    tmp_path: Path,
) -> None:
    team = _month_of_work(laptops)
    set_language("de")
    coordinator = team.coordinator
    window = shown_window(qtbot, coordinator, 1100)
    # Art. 15: Petar Petrov asks for his data; he reads Bulgarian.
    petrov = team.people["Петров"]
    window.show_person(petrov)
    _shot(window, "person-petrov")
    _more(window, "export_person")
    dialog = dialog_opened(qtbot, window, ExportDialog)
    qtbot.waitExposed(dialog)
    assert dialog.chosen_language() == "bg"
    folder = tmp_path / "auskunft"
    folder.mkdir()
    dialog.folder.setText(str(folder))
    _shot(dialog, "export-dialog")
    dialog.ok.click()
    qtbot.waitUntil(lambda: "Datenkopie" in window.statusBar().currentMessage(), timeout=20_000)
    stem = f"welcome-desk-data-{petrov[:8]}"
    pdf = (folder / f"{stem}.pdf").read_bytes()
    _pages(pdf, "auskunft")
    text = _pdf_text(pdf)
    # in his language, all he is recorded with on any laptop: both visits, the referral and
    # its steps, made on Jonas's laptop
    assert text.startswith("Вашите данни в Welcome Europe"), text[:80]
    # both visits among the data held (the legal part at the end names the form once more,
    # as a category of data)
    held = text[: text.index(gettext_in("bg", person_data_pdf.RECIPIENTS_HEADING))]
    assert held.count("Преглед на житейската ситуация") == 2
    assert "Jobcenter Dortmund" in text and "Посетено (Jonas Weber)" in text
    data = json.loads((folder / f"{stem}.json").read_text(encoding="utf-8"))
    assert data["person"]["family_name"] == "Петров" and len(data["visits"]) == 2
    assert [r["status"] for r in data["referrals"]] == ["attended"]
    # nobody else's
    whole = text + json.dumps(data, ensure_ascii=False)
    for other in ("Иванова", "Георгиев", "Popa", "Stan", "Munteanu", "Ionuț", "Ștefan"):
        assert other not in whole, other

    # Art. 17: Ionuț Popa, advised on Elena's laptop, asks to be erased.
    popa = team.people["Popa"]
    window.show_person(popa)

    _more(window, "erase_person")
    erase = dialog_opened(qtbot, window, EraseDialog)
    _shot(erase, "erase-empty")
    assert erase.requested()  # at his request: he gets a confirmation, in Romanian
    assert erase.chosen_language() == "ro"
    type_text(erase.confirm, "Popa")
    assert not erase.ok.isEnabled()  # not before the confirmation has a folder
    erase.folder_field.line.setText(str(folder))
    assert erase.ok.isEnabled()
    _shot(erase, "erase-typed")
    erase.ok.click()
    qtbot.waitUntil(lambda: window.person_page.person is None, timeout=20_000)
    [confirmation] = folder.glob("welcome-desk-erasure-*.pdf")
    assert window.statusBar().currentMessage() == (
        f"Die Person wurde gelöscht. Bestätigung geschrieben: {confirmation.name}"
    )
    told = _pdf_text(confirmation.read_bytes())
    assert "Ionuț Popa" in told and "Confirmare" in told, told[:200]
    # not yet on the other laptops: the status bar says that it waits to be sent
    status = window.sync.label  # type: ignore[attr-defined]
    qtbot.waitUntil(lambda: " 0 Änderungen zu senden" not in status.text(), timeout=10_000)
    assert re.search(r"\d+ Änderung(en)? zu senden", status.text()), status.text()
    _shot(window, "erased")
    laptops.sync(team.coordinator, team.advisor_b, team.advisor_a, team.helper)
    for s in (team.coordinator, team.advisor_a, team.advisor_b, team.helper):
        assert people.get_person(s.store, s.user, popa) is None
        assert not [p for p in people.search_people(s.store, "popa") if p.id == popa]
        assert not people.search_people(s.store, "Ionuț")
        with s.store.reading() as db:  # nor a trace of him in what the reports read
            assert db.scalar(select(func.count()).where(ReportPersonRow.person_id == popa)) == 0
    # Elena looks for him on her laptop, in the window
    elena = shown_window(qtbot, team.advisor_b, 1100)
    type_text(elena.search, "Popa")
    qtbot.waitUntil(lambda: elena.result_label.text() == "Niemand gefunden.", timeout=10_000)
    _shot(elena, "elena-popa-gone")
    elena.close()
    # The server never held his name; it does not now either.
    server_files = b"".join(p.read_bytes() for p in tmp_path.glob("server.db*"))
    assert server_files
    for name in ("Popa", "Ionuț", "Петров"):
        assert name.encode() not in server_files
    # The month's figures lose him: 5 people, 6 visits, 3 referrals.
    report = build_report(
        coordinator.store,
        coordinator.user,
        month_period(dt.date.today().year, dt.date.today().month),
    )
    overview = report.table("overview")
    assert [overview.value(k) for k in ("people_advised", "visits", "referrals")] == [5, 6, 3]
    window.close()


def _shown_texts(root: QWidget) -> str:
    texts = [root.windowTitle()]
    for widget in [root, *root.findChildren(QWidget)]:
        if widget.isVisible() and isinstance(widget, QLabel | QLineEdit):
            texts.append(widget.text())
    return " ".join(" ".join(texts).split())


def test_the_helpers_stolen_laptop_is_revoked_and_the_team_syncs_on(
    qtbot: QtBot, laptops: Laptops, server: ServerProcess, program_font: None, qt_texts: None
) -> None:
    team = _month_of_work(laptops)
    set_language("de")
    window = shown_window(qtbot, team.coordinator, 1100)
    (action,) = [a for a in window.file_menu.actions() if a.text() == "&Laptops der Organisation…"]
    action.trigger()
    (dialog,) = window.findChildren(DevicesDialog)
    qtbot.waitExposed(dialog)
    qtbot.waitUntil(lambda: not dialog.busy, timeout=20_000)
    _shot(dialog, "laptops")
    lines = [dialog.list.item(i).text() for i in range(dialog.list.count())]
    assert [line.split(" · ")[:2] for line in lines] == [
        ["Koordination", "freigegeben"],
        ["Laptop Jonas", "freigegeben"],
        ["Laptop Elena", "freigegeben"],
        ["Laptop Ioana", "freigegeben"],
    ]
    row = next(i for i, line in enumerate(lines) if line.startswith("Laptop Ioana"))
    dialog.list.setCurrentRow(row)
    dialog.revoke.click()
    question = dialog.revoke_question
    assert question is not None
    qtbot.waitExposed(question)
    _shot(question, "revoke-question")
    assert question.text().startswith("„Laptop Ioana“ sperren?"), question.text()
    assert sorted(b.text() for b in question.buttons()) == [
        "Abbrechen",
        "Sperren und Teamschlüssel erneuern",
    ]
    confirm = next(
        b for b in question.buttons() if question.buttonRole(b) != QMessageBox.ButtonRole.RejectRole
    )
    with qtbot.waitSignal(dialog.calls.idle, timeout=30_000):
        confirm.click()
    qtbot.waitUntil(lambda: not dialog.busy, timeout=20_000)
    _shot(dialog, "revoked")
    # every laptop in view, the revoked one too, without scrolling the list
    assert dialog.list.verticalScrollBar().maximum() == 0
    listed = dialog.list.viewport().rect()
    for i in range(dialog.list.count()):
        shown = dialog.list.visualItemRect(dialog.list.item(i))
        assert listed.contains(shown), (i, shown, listed)
    assert dialog.height() <= 700 - 40
    said = dialog.renewed.text()
    assert said.startswith("„Laptop Ioana“ ist gesperrt"), said
    assert "Ein neuer Teamschlüssel ist in Gebrauch." in said
    dialog.close()
    # The other laptops sync on, under the new key.
    people.register_person(
        team.advisor_a.store, team.advisor_a.user, PersonDraft("Radka", "Koleva", "1970")
    )
    reports = laptops.sync(team.advisor_a, team.advisor_b, team.coordinator)
    assert not any(r.refused for r in reports)
    assert people.search_people(team.advisor_b.store, "koleva")
    assert active_key_id(team.advisor_b) == active_key_id(team.coordinator)
    assert active_key_id(team.coordinator) not in keyring_of(team.helper)
    # The stolen laptop (say it was found unlocked): refused, and told so.
    stolen = shown_window(qtbot, team.helper, 1100)
    controller: SyncController = stolen.sync  # type: ignore[attr-defined]
    with qtbot.waitSignal(controller.sync_finished, timeout=30_000):
        assert controller.start()
    qtbot.waitUntil(lambda: stolen.locker.is_locked, timeout=10_000)  # type: ignore[attr-defined]
    _shot(stolen, "stolen")
    said = _shown_texts(stolen)
    assert "Dieser Laptop wurde für die Synchronisierung gesperrt" in said, said
    assert "Dieser Laptop ist gesperrt · erneut beitreten (Menü Datei)" in said, said
    assert not people.search_people(team.helper.store, "koleva")  # nothing new reaches it
    stolen.close()
    # and from the command line, in German
    done = subprocess.run(
        [sys.executable, "-m", "desktop_app.app", "sync", "--lang", "de", "--password-stdin",
         "--data-dir", str(team.helper.store.paths.data_dir), "--account", "ioana"],
        input="helper pass 789\n", capture_output=True, text=True, timeout=120,
        env={**os.environ, "WELCOME_DESK_FAST_KDF": "1"},
    )  # fmt: skip
    assert done.returncode == 6, done.stderr  # refused by the server
    assert "Dieser Laptop wurde gesperrt und synchronisiert nicht mehr." in done.stderr
    window.close()


def _file_action(window: MainWindow, text: str) -> QAction:
    (action,) = [a for a in window.file_menu.actions() if a.text() == text]
    return action


def test_a_laptop_backed_up_and_restored_into_a_fresh_folder_keeps_its_data_and_syncs_on(
    qtbot: QtBot, laptops: Laptops, program_font: None, qt_texts: None, tmp_path: Path
) -> None:
    from desktop_app.ui.accounts import BackupDialog, RestoreDialog

    team = _month_of_work(laptops)
    set_language("de")
    elena = team.advisor_b.store.paths.data_dir
    # Elena's laptop, its coordinator's account (the first one made on it)
    owner = laptops.sessions[2]
    assert owner.store.paths.data_dir == elena and owner.user.role is Role.COORDINATOR
    window = shown_window(qtbot, owner, 1100)
    _file_action(window, "Si&cherung…").trigger()
    (dialog,) = window.findChildren(BackupDialog)
    qtbot.waitExposed(dialog)
    written = tmp_path / "stick" / "laptop-elena.wdbackup"
    written.parent.mkdir()
    type_text(dialog.file, str(written))
    type_text(dialog.passphrase, "Sicherung Dezember 2026")
    type_text(dialog.repeat, "Sicherung Dezember 2026")
    _shot(dialog, "backup")
    with qtbot.waitSignal(dialog.accepted, timeout=60_000):
        dialog.buttons.accepted.emit()
    said = f"Sicherung in {written} geschrieben."
    qtbot.waitUntil(lambda: window.statusBar().currentMessage() == said, timeout=10_000)
    _shot(window, "backup-written")
    assert written.is_file()
    for name in (b"Popa", "Ionuț".encode(), b"Stan"):
        assert name not in written.read_bytes()
    # The laptop is replaced: its backup restored into a fresh data folder.
    _file_action(window, "Sicherung wie&derherstellen…").trigger()
    (restore,) = window.findChildren(RestoreDialog)
    qtbot.waitExposed(restore)
    fresh = tmp_path / "neuer-laptop"
    type_text(restore.file, str(written))
    type_text(restore.folder, str(fresh))
    type_text(restore.passphrase, "Sicherung Dezember 2026")
    _shot(restore, "restore")
    with qtbot.waitSignal(restore.accepted, timeout=60_000):
        restore.buttons.accepted.emit()
    (box,) = [b for b in window.findChildren(QMessageBox) if b.isVisible()]
    _shot(box, "restored")
    assert box.text().startswith(f"Die Sicherung wurde im Ordner {fresh} wiederhergestellt.")
    (keep,) = [b for b in box.buttons() if b.text() == "Mit den aktuellen Daten &weiterarbeiten"]
    keep.click()
    window.close()
    restored = accounts.log_in(fresh, "elena", "advisor pass 456")
    laptops.sessions.append(restored)
    before = {p.family_name for p in people.list_people(owner.store, 0, 100)}
    assert {p.family_name for p in people.list_people(restored.store, 0, 100)} == before
    popa = team.people["Popa"]
    assert len(visits.visit_history(restored.store, restored.user, popa)) == 1
    (vhs,) = uc.referrals_of(restored.store, restored.user, popa)
    assert (vhs.service_id, vhs.status) == ("vhs", ReferralStatus.ATTENDED)
    window = shown_window(qtbot, restored, 1100)
    window.show_person(popa)
    _shot(window, "restored-popa")
    window.close()
    # and it syncs on: what the helper's laptop sent since arrives
    (report,) = laptops.sync(restored)
    assert not report.refused
    assert people.search_people(restored.store, "Munteanu")
