"""Erasure at the person's request (a confirmation written first) or at the retention period's
end, the data copy's request date, and the register of requests, under pytest-qt offscreen."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import TYPE_CHECKING

import pytest
from PySide6.QtCore import QDate, Qt, QTimer
from PySide6.QtGui import QAction, QColor
from PySide6.QtWidgets import QApplication, QDialogButtonBox, QLabel
from pytestqt.qtbot import QtBot

from desktop_app.domain.person import PersonDraft
from desktop_app.domain.users import Role
from desktop_app.i18n.formatting import format_long_date
from desktop_app.ui.data_rights import EraseDialog, ExportDialog, RequestsWindow
from desktop_app.ui.main_window import MainWindow
from desktop_app.ui.requests_due import RequestsDueBanner, RequestsDueNotice
from desktop_app.usecases import audit, data_rights, people
from desktop_app.usecases.accounts import Session
from tests.pdf_text import pdf_text
from tests.ui.conftest import alt_key, dialog_opened, shown_window, type_text

if TYPE_CHECKING:
    from tests.integration.sync_harness import Laptops

SHOTS = Path("/tmp/shots-erasure")


def _shot(widget: object, name: str) -> None:
    import os

    if os.environ.get("WELCOME_DESK_SHOTS"):  # screenshots only when asked for
        SHOTS.mkdir(exist_ok=True)
        widget.grab().save(str(SHOTS / f"{name}.png"))  # type: ignore[attr-defined]


def _person(session: Session, given: str = "Ana", family: str = "Popa") -> str:
    draft = PersonDraft(given, family, nationality="RO", languages=("ro",))
    return people.register_person(session.store, session.user, draft, confirm_duplicates=True).id


def _trigger(window: MainWindow, name: str) -> None:
    """Choose the person page's "More" action ``name`` (as from its menu)."""
    action = window.person_page.more_menu.findChild(QAction, name)
    assert action is not None
    action.trigger()


def _export_dialog(qtbot: QtBot, session: Session, pid: str) -> tuple[MainWindow, ExportDialog]:
    """The main window showing the person, and its "Export data" dialog opened."""
    window = shown_window(qtbot, session)
    window.show_person(pid)
    _trigger(window, "export_person")
    return window, dialog_opened(qtbot, window, ExportDialog)


def _erase_dialog(
    qtbot: QtBot, window: MainWindow, pid: str, folder: Path, family: str
) -> EraseDialog:
    """The window's erase dialog for the person, opened from the page's menu, the folder for
    the confirmation chosen and the family name typed (``ok`` left to click)."""
    window.show_person(pid)
    _trigger(window, "erase_person")
    dialog = dialog_opened(qtbot, window, EraseDialog)
    dialog.folder_field.line.setText(str(folder))
    type_text(dialog.confirm, family)
    return dialog


def test_the_erase_dialog_asks_why_and_for_a_folder_at_the_persons_request(
    qtbot: QtBot, session: Session, tmp_path: Path
) -> None:
    pid = _person(session)
    person = people.get_person(session.store, session.user, pid)
    assert person is not None
    dialog = EraseDialog(person)
    qtbot.addWidget(dialog)
    dialog.show()
    assert dialog.requested() and dialog.received.isVisible()
    assert dialog.received.date() == QDate.currentDate()
    assert dialog.received.maximumDate() == QDate.currentDate()  # no day to come
    assert dialog.chosen_language() == "ro"  # the person's
    type_text(dialog.confirm, "Popa")
    assert not dialog.ok.isEnabled()  # no folder for the confirmation yet
    dialog.folder_field.line.setText(str(tmp_path / "missing"))
    assert not dialog.ok.isEnabled() and dialog.folder_field.create.isVisible()
    dialog.folder_field.line.setText(str(tmp_path))
    assert dialog.ok.isEnabled()
    _shot(dialog, "erase-at-request")
    dialog.retention.click()  # the retention period: no confirmation, no folder
    assert not dialog.received.isVisible() and not dialog.folder_field.line.isVisible()
    dialog.folder_field.line.clear()
    assert dialog.ok.isEnabled()
    _shot(dialog, "erase-retention")
    dialog.confirm.clear()
    assert not dialog.ok.isEnabled()
    dialog.reject()


def test_an_erasure_at_request_writes_the_confirmation_then_erases_and_registers(
    qtbot: QtBot, session: Session, tmp_path: Path
) -> None:
    pid = _person(session, "Ioana", "Căpraru")
    window = shown_window(qtbot, session)
    window.show_person(pid)
    received = QDate.currentDate().addDays(-2)
    dialog = _erase_dialog(qtbot, window, pid, tmp_path, "Capraru")
    dialog.received.setDate(received)
    dialog.ok.click()
    qtbot.waitUntil(lambda: window.person_page.person is None, timeout=10_000)
    [pdf] = list(tmp_path.glob("welcome-desk-erasure-*.pdf"))
    reference = pdf.stem.removeprefix("welcome-desk-erasure-")
    assert window.statusBar().currentMessage() == (
        f"The person was erased. Confirmation written: {pdf.name}"
    )
    text = pdf_text(pdf.read_bytes())
    assert "Ioana Căpraru" in text and reference in text and "Confirmare" in text
    assert people.get_person(session.store, session.user, pid) is None
    [entry] = data_rights.list_requests(session.store, session.user)
    assert (entry.reference, entry.kind) == (reference, data_rights.ERASURE)
    assert entry.received == dt.date.fromisoformat(received.toString(Qt.DateFormat.ISODate))
    erased = [e for e in audit.list_entries(session.store, session.user) if e.action == "erase"]
    assert [e.details.get("request") for e in erased] == [reference]


def test_nothing_is_erased_when_the_confirmation_cannot_be_written(
    qtbot: QtBot, session: Session, tmp_path: Path
) -> None:
    from PySide6.QtWidgets import QMessageBox

    from tests.ui.conftest import unwritable_folder

    pid = _person(session)
    folder = unwritable_folder(tmp_path)
    window = shown_window(qtbot, session)
    window.show_person(pid)

    told: list[str] = []

    def answer(tries: int = 200) -> None:  # the warning is modal (a loop of its own)
        box = QApplication.activeModalWidget()
        if isinstance(box, QMessageBox):
            told.append(box.text())
            box.accept()
        elif tries:
            QTimer.singleShot(50, lambda: answer(tries - 1))

    dialog = _erase_dialog(qtbot, window, pid, folder, "Popa")
    QTimer.singleShot(0, answer)
    dialog.ok.click()
    qtbot.waitUntil(lambda: bool(told), timeout=10_000)
    assert "Nothing was erased" in told[0]
    assert people.get_person(session.store, session.user, pid) is not None
    assert data_rights.list_requests(session.store, session.user) == []
    assert window.person_page.isEnabled()


def test_the_data_copy_records_the_request_and_the_register_shows_it(
    qtbot: QtBot, session: Session, tmp_path: Path
) -> None:
    pid = _person(session)
    window, dialog = _export_dialog(qtbot, session, pid)
    assert dialog.received.maximumDate() == QDate.currentDate()
    late = QDate.currentDate().addMonths(-2)
    dialog.received.setDate(late)
    dialog.folder.setText(str(tmp_path))
    _shot(dialog, "export-with-request-date")
    dialog.ok.click()
    qtbot.waitUntil(
        lambda: "Data copy written" in window.statusBar().currentMessage(), timeout=10_000
    )
    # The register, from the menu where the retention list is reached.
    [entry] = data_rights.list_requests(session.store, session.user)
    [pdf] = tmp_path.glob("welcome-desk-data-*.pdf")
    text = pdf_text(pdf.read_bytes())
    # the copy names the request it answers, under the reference the register keeps
    assert f"Număr de referință {entry.reference}" in text  # the person's language
    menu_action = window.findChild(QAction, "data_requests")
    assert menu_action is not None and menu_action.text() == "Re&quests about personal data…"
    menu_action.trigger()
    register = window.findChild(RequestsWindow)
    assert register is not None and register.isVisible()
    model = register.model
    assert model.rowCount() == 1
    headers = [model.headerData(c, Qt.Orientation.Horizontal) for c in range(model.columnCount())]
    assert headers == ["Reference", "Request", "Received", "Due", "Answered"]
    assert model.item(0, 1).text() == "Copy of data"
    assert model.item(0, 4).text().endswith("(late)")  # two months after receipt
    assert "1 answered late" in register.count.text()
    assert "share this register when they sync" in register.intro.text()
    assert register.table.accessibleName() == "Register of requests"
    assert not register.table.tabKeyNavigation()  # Tab leaves the table for Close
    _shot(register, "register")
    register.reject()
    dialog_left = window.findChild(ExportDialog)
    if dialog_left is not None:
        dialog_left.close()


def test_a_data_copy_that_could_not_be_written_registers_no_request(
    session: Session, tmp_path: Path
) -> None:
    from desktop_app.ui.data_rights import export_person_to
    from tests.ui.conftest import unwritable_folder

    pid = _person(session)
    with pytest.raises(OSError):
        export_person_to(session, pid, unwritable_folder(tmp_path), received=dt.date.today())
    assert data_rights.list_requests(session.store, session.user) == []
    export_person_to(session, pid, tmp_path, received=dt.date.today())
    assert len(data_rights.list_requests(session.store, session.user)) == 1


def _date(day: QDate) -> dt.date:
    return dt.date.fromisoformat(day.toString(Qt.DateFormat.ISODate))


def test_a_request_recorded_on_the_persons_page_shows_open_in_the_register_with_its_due_date(
    qtbot: QtBot, session: Session
) -> None:
    from desktop_app.ui.data_rights import RecordRequestDialog

    pid = _person(session)
    window = shown_window(qtbot, session)
    window.show_person(pid)
    action = window.person_page.more_menu.findChild(QAction, "record_request")
    assert action is not None and action.text() == "Record a re&quest about their data…"
    action.trigger()
    dialog = dialog_opened(qtbot, window, RecordRequestDialog)
    assert list(dialog.kind_buttons) == [
        data_rights.COPY,
        data_rights.CORRECTION,
        data_rights.ERASURE,
    ]
    assert dialog.received.date() == QDate.currentDate()
    assert dialog.received.maximumDate() == QDate.currentDate()  # no day to come
    dialog.kind_buttons[data_rights.ERASURE].click()
    received = QDate.currentDate().addDays(-40)
    dialog.received.setDate(received)
    _shot(dialog, "record-request")
    dialog.ok.click()
    qtbot.waitUntil(
        lambda: "Request recorded" in window.statusBar().currentMessage(), timeout=10_000
    )
    [entry] = data_rights.list_requests(session.store, session.user)
    assert entry.reference in window.statusBar().currentMessage()
    assert (entry.kind, entry.received, entry.answered) == (
        data_rights.ERASURE,
        _date(received),
        None,
    )
    # A second one of the kind is not taken: the dialog names the open one.
    action.trigger()
    again = dialog_opened(qtbot, window, RecordRequestDialog)
    again.kind_buttons[data_rights.ERASURE].click()
    assert not again.ok.isEnabled() and entry.reference in again.already.text()
    again.kind_buttons[data_rights.COPY].click()
    assert again.ok.isEnabled()
    again.reject()
    # The register, read on a day before the due date, then on one after it.
    due = entry.due
    for today, word, counted in (
        (due - dt.timedelta(days=20), "", "1 request, 1 open"),
        (due - dt.timedelta(days=3), "(due soon)", "1 request, 1 open"),
        (due + dt.timedelta(days=1), "(overdue)", "1 request, 1 open, 1 overdue"),
    ):
        register = RequestsWindow(window, session, today=today)
        qtbot.addWidget(register)
        model = register.model
        assert model.item(0, 0).text() == entry.reference
        assert model.item(0, 4).text() == "open"
        assert model.item(0, 3).text().startswith(format_long_date(due))
        assert model.item(0, 3).text().endswith(word)
        assert register.count.text() == counted
        if word == "(overdue)":
            assert model.item(0, 3).foreground().color() == QColor(Qt.GlobalColor.darkRed)
            register.show()
            _shot(register, "register-overdue")
        register.reject()
        register.deleteLater()


def test_the_data_copy_takes_the_open_requests_date_and_closes_it(
    qtbot: QtBot, session: Session, tmp_path: Path
) -> None:
    pid = _person(session)
    received = dt.date.today() - dt.timedelta(days=10)
    ref = data_rights.record_open_request(
        session.store, session.user, pid, data_rights.COPY, received
    )
    window, dialog = _export_dialog(qtbot, session, pid)
    assert _date(dialog.received.date()) == received and dialog.received.isReadOnly()
    assert dialog.answers.isVisible() and ref in dialog.answers.text()
    dialog.folder.setText(str(tmp_path))
    _shot(dialog, "export-answers-open-request")
    dialog.ok.click()
    qtbot.waitUntil(
        lambda: "Data copy written" in window.statusBar().currentMessage(), timeout=10_000
    )
    [entry] = data_rights.list_requests(session.store, session.user)
    assert (entry.reference, entry.received, entry.answered) == (ref, received, dt.date.today())


def test_the_erase_dialog_takes_the_open_erasure_request_and_warns_of_an_open_copy(
    qtbot: QtBot, session: Session
) -> None:
    from desktop_app.ui.data_rights import open_requests_of

    pid = _person(session)
    received = dt.date.today() - dt.timedelta(days=5)
    erasure = data_rights.record_open_request(
        session.store, session.user, pid, data_rights.ERASURE, received
    )
    copy = data_rights.record_open_request(
        session.store, session.user, pid, data_rights.COPY, received
    )
    person = people.get_person(session.store, session.user, pid)
    assert person is not None
    dialog = EraseDialog(person, None, open_requests_of(session, pid))
    qtbot.addWidget(dialog)
    dialog.show()
    assert dialog.requested() and dialog.received.isReadOnly()
    assert dialog.chosen_received() == received and erasure in dialog.answers.text()
    assert dialog.copy_warning.isVisible() and copy in dialog.copy_warning.text()
    _shot(dialog, "erase-open-requests")
    dialog.reject()


def _overdue(session: Session, pid: str, kind: str = data_rights.COPY, days: int = 40) -> str:
    """A request of the person's received ``days`` ago and open: overdue after a month."""
    received = dt.date.today() - dt.timedelta(days=days)
    return data_rights.record_open_request(session.store, session.user, pid, kind, received)


def _due_banner(window: MainWindow) -> RequestsDueBanner:
    notice = window.requests_due_notice  # type: ignore[attr-defined]
    assert isinstance(notice, RequestsDueNotice)
    return notice.banner


def test_a_coordinator_sees_overdue_requests_in_a_banner_until_the_last_is_answered(
    qtbot: QtBot, session: Session, tmp_path: Path
) -> None:
    """At login, a banner (not a status-bar message that a later one replaced, or 20 s
    ended) with a button to the register, reached by its key; the data copy answers one
    request, the erasure the last: the banner goes."""
    pid, other = _person(session), _person(session, "Ion", "Popescu")
    reference = _overdue(session, pid)
    soon = _overdue(session, other, data_rights.ERASURE, days=27)  # due within the week
    window = shown_window(qtbot, session)
    banner = _due_banner(window)
    qtbot.waitUntil(banner.isVisible, timeout=10_000)
    assert banner.plain_text() == (
        "1 request about personal data is overdue; 1 request about personal data is due "
        "within 7 days. An answer is due within one month of receipt."
    )
    window.statusBar().showMessage("Something else was done.")  # what replaced the message
    assert banner.isVisible()
    # The register by the banner's key (Alt+Q), the requests due first.
    assert banner.open_button.text() == "Show re&quests…"
    assert banner.open_button.focusPolicy() & Qt.FocusPolicy.TabFocus
    window.activateWindow()
    qtbot.waitUntil(window.isActiveWindow, timeout=5000)
    alt_key(window, "q")
    register = dialog_opened(qtbot, window, RequestsWindow)
    assert [register.model.item(r, 0).text() for r in range(2)] == [reference, soon]
    register.reject()
    _shot(window, "requests-due-banner")
    # The copy answers the overdue one: the one due soon is left, said alone.
    window.show_person(pid)
    _trigger(window, "export_person")
    export = dialog_opened(qtbot, window, ExportDialog)
    export.folder.setText(str(tmp_path))
    export.ok.click()
    qtbot.waitUntil(lambda: "overdue" not in banner.plain_text(), timeout=10_000)
    assert banner.isVisible()
    assert banner.plain_text().startswith("1 request about personal data is due within 7 days.")
    # The erasure the person asked for answers the last one: the banner goes.
    _erase_dialog(qtbot, window, other, tmp_path, "Popescu").ok.click()
    qtbot.waitUntil(lambda: not banner.isVisible(), timeout=10_000)
    assert data_rights.requests_due(session.store, session.user) == data_rights.RequestsDue(0, 0)


def test_the_banner_hidden_comes_back_when_more_are_due_and_goes_with_the_registers_answer(
    qtbot: QtBot, session: Session, tmp_path: Path
) -> None:
    from desktop_app.ui.data_rights import AnswerRequestDialog, RecordRequestDialog

    gone, kept = _person(session), _person(session, "Ion", "Popescu")
    reference = _overdue(session, gone)
    data_rights.erase_person(session.store, session.user, gone)  # only the register answers
    window = shown_window(qtbot, session)
    banner = _due_banner(window)
    qtbot.waitUntil(banner.isVisible, timeout=10_000)
    # Hidden by its key: it stays hidden while no more are due …
    assert banner.hide_button.text() == "Hide noti&ce"
    window.activateWindow()
    qtbot.waitUntil(window.isActiveWindow, timeout=5000)
    alt_key(window, "c")
    qtbot.waitUntil(lambda: not banner.isVisible(), timeout=5000)  # an animated click
    assert window.search.hasFocus()
    # … also after the register was read again (a data copy of someone with none due) …
    window.show_person(kept)
    _trigger(window, "export_person")
    export = dialog_opened(qtbot, window, ExportDialog)
    export.folder.setText(str(tmp_path))
    export.ok.click()
    qtbot.waitUntil(
        lambda: "Data copy written" in window.statusBar().currentMessage(), timeout=10_000
    )
    qtbot.wait(100)
    assert not banner.isVisible()
    # … and comes back when one more is: a request received long ago, recorded today.
    _trigger(window, "record_request")
    record = dialog_opened(qtbot, window, RecordRequestDialog)
    record.kind_buttons[data_rights.ERASURE].click()
    record.received.setDate(QDate.currentDate().addDays(-35))
    record.ok.click()
    qtbot.waitUntil(banner.isVisible, timeout=10_000)
    assert banner.plain_text().startswith("2 requests about personal data are overdue.")
    # The register answers the one of the person erased: one is left …
    banner.open_button.click()
    register = dialog_opened(qtbot, window, RequestsWindow)
    row = next(i for i, r in enumerate(register.requests) if r.reference == reference)
    register.table.setCurrentIndex(register.model.index(row, 0))

    def answer() -> None:
        dialog = register.findChild(AnswerRequestDialog)
        assert dialog is not None
        dialog.buttons.button(QDialogButtonBox.StandardButton.Ok).click()

    QTimer.singleShot(0, answer)
    register.answer_button.click()
    qtbot.waitUntil(lambda: banner.plain_text().startswith("1 request "), timeout=10_000)
    assert banner.isVisible()
    register.reject()
    # … and, once the erasure answered that, none: the banner goes.
    _erase_dialog(qtbot, window, kept, tmp_path, "Popescu").ok.click()
    qtbot.waitUntil(lambda: not banner.isVisible(), timeout=10_000)


def test_the_banner_goes_when_a_sync_brings_the_erasure_that_answers_the_last_request(
    qtbot: QtBot, laptops: Laptops
) -> None:
    """The person's erasure made on another laptop answers their open erasure request here
    (``apply_remote_erasure``): the sync that brings it takes the banner away."""
    a, b = laptops.new("Contact point"), laptops.new("Outreach")
    pid = _person(a)
    laptops.sync(a, b)
    _overdue(a, pid, data_rights.ERASURE)
    window = shown_window(qtbot, a)
    window.sync.timer.stop()  # type: ignore[attr-defined]  # the sync below, not the timer's
    banner = _due_banner(window)
    qtbot.waitUntil(banner.isVisible, timeout=10_000)
    data_rights.erase_person(b.store, b.user, pid)
    laptops.sync(b)
    with qtbot.waitSignal(window.sync.sync_finished, timeout=30_000):  # type: ignore[attr-defined]
        assert window.sync.start()  # type: ignore[attr-defined]
    qtbot.waitUntil(lambda: not banner.isVisible(), timeout=10_000)
    [entry] = data_rights.list_requests(a.store, a.user)
    assert entry.answered == dt.date.today()


@pytest.mark.parametrize(
    ("lang", "lead", "button"),
    [
        ("bg", "2 искания относно лични данни са просрочени. ", "О&тваряне на регистъра…"),
        ("ro", "2 cereri privind datele personale au termenul depășit. ", "Ve&zi registrul…"),
        ("de", "2 Anfragen zu personenbezogenen Daten sind überfällig. ", "Verzeichnis &öffnen…"),
    ],
)
def test_the_requests_banner_reads_in_the_ui_language_at_1100_pixels(
    qtbot: QtBot, session: Session, lang: str, lead: str, button: str
) -> None:
    _overdue(session, _person(session), days=70)
    _overdue(session, _person(session, "Ion", "Popescu"), days=35)
    window = shown_window(qtbot, session, 1100)
    banner = _due_banner(window)
    qtbot.waitUntil(banner.isVisible, timeout=10_000)
    try:
        window.switch_language(lang)
        QApplication.processEvents()  # laid out for the new texts
        assert banner.plain_text().startswith(lead), banner.plain_text()
        assert banner.open_button.text() == button
        for b in (banner.open_button, banner.hide_button):  # whole, not cut off
            assert b.isVisible() and b.width() >= b.sizeHint().width(), b.text()
        assert banner.geometry().right() <= window.width()
        _shot(window, f"requests-due-banner-{lang}")
    finally:
        window.switch_language("en")


def test_an_advisor_records_an_erasure_request_the_coordinator_sees_it_due_and_erases(
    qtbot: QtBot, session: Session
) -> None:
    """The month of an erasure request runs from the day the person asked: the advisor who
    hears it records it on the person's page; the advisor cannot erase, and the coordinator's
    banner and register show the request waiting. A helper records none."""
    from desktop_app.domain.users import Role
    from desktop_app.ui.data_rights import RecordRequestDialog
    from desktop_app.usecases import accounts

    pid = _person(session)
    accounts.add_user(session, "eva", "Eva", Role.ADVISOR, "advisor pass 123")
    accounts.add_user(session, "mihai", "Mihai", Role.HELPER, "helper pass 123")
    asked = QDate.currentDate().addDays(-27)  # due within the week
    advisor = accounts.log_in(session.store.paths.data_dir, "eva", "advisor pass 123")
    try:
        window = shown_window(qtbot, advisor)
        # The register is the coordinators': no banner of requests due.
        assert not hasattr(window, "requests_due_notice")
        assert window.findChild(RequestsDueBanner) is None
        window.show_person(pid)
        action = window.person_page.more_menu.findChild(QAction, "record_request")
        assert action is not None
        assert window.person_page.more_menu.findChild(QAction, "erase_person") is None
        action.trigger()
        dialog = dialog_opened(qtbot, window, RecordRequestDialog)
        assert list(dialog.kind_buttons) == [
            data_rights.COPY,
            data_rights.CORRECTION,
            data_rights.ERASURE,
        ]
        dialog.kind_buttons[data_rights.ERASURE].click()
        dialog.received.setDate(asked)
        dialog.ok.click()
        qtbot.waitUntil(
            lambda: "Request recorded" in window.statusBar().currentMessage(), timeout=10_000
        )
        opened = data_rights.open_request(advisor.store, advisor.user, pid, data_rights.ERASURE)
        assert opened is not None and opened.received == _date(asked)
        window.close()
    finally:
        advisor.close()
    helper = accounts.log_in(session.store.paths.data_dir, "mihai", "helper pass 123")
    try:
        window = shown_window(qtbot, helper)
        window.show_person(pid)
        assert window.person_page.more_menu.findChild(QAction, "record_request") is None
        window.close()
    finally:
        helper.close()
    window = shown_window(qtbot, session)
    banner = _due_banner(window)
    qtbot.waitUntil(banner.isVisible, timeout=10_000)
    assert banner.plain_text().startswith("1 request about personal data is due within 7 days")
    register = RequestsWindow(window, session)
    qtbot.addWidget(register)
    assert register.model.item(0, 0).text() == opened.reference
    assert register.model.item(0, 1).text() == "Erasure"
    assert register.model.item(0, 4).text() == "open"
    register.reject()
    # Only the coordinator erases; the erase dialog takes the advisor's request.
    window.show_person(pid)
    _trigger(window, "erase_person")
    erase = dialog_opened(qtbot, window, EraseDialog)
    assert erase.open_request is not None and erase.open_request.reference == opened.reference
    assert erase.received.date() == asked
    erase.reject()


def test_the_register_records_the_answer_to_an_open_request_of_someone_erased(
    qtbot: QtBot, session: Session
) -> None:
    """Only an open request whose person was erased since gets "Record the answer…" (a
    person's own is answered by their data copy or erasure); the day is chosen, not before the
    request, and the entry is answered, no longer counted open."""
    from desktop_app.ui.data_rights import AnswerRequestDialog

    gone, kept = _person(session), _person(session, "Ion", "Popescu")
    received = dt.date.today() - dt.timedelta(days=45)
    for pid in (gone, kept):
        data_rights.record_open_request(
            session.store, session.user, pid, data_rights.COPY, received
        )
    data_rights.erase_person(session.store, session.user, gone)
    window = shown_window(qtbot, session)
    register = RequestsWindow(window, session)
    qtbot.addWidget(register)
    register.show()
    qtbot.waitExposed(register)
    assert register.answer_button.text() == "Record the &answer…"
    erased_row = next(i for i, r in enumerate(register.requests) if r.person_erased)
    register.table.setCurrentIndex(register.model.index(1 - erased_row, 0))
    assert not register.answer_button.isEnabled()  # the person is there: their data copy
    register.table.setCurrentIndex(register.model.index(erased_row, 0))
    assert register.answer_button.isEnabled()
    reference = register.requests[erased_row].reference

    def answer() -> None:
        dialog = register.findChild(AnswerRequestDialog)
        assert dialog is not None
        intro = dialog.findChild(QLabel)
        assert intro is not None and reference in intro.text()
        assert dialog.answered.minimumDate() == QDate(received.year, received.month, received.day)
        assert dialog.answered.maximumDate() == QDate.currentDate()
        dialog.answered.setDate(QDate.currentDate().addDays(-2))
        _shot(dialog, "answer-request")
        dialog.buttons.button(QDialogButtonBox.StandardButton.Ok).click()

    QTimer.singleShot(0, answer)
    register.answer_button.click()
    entries = {r.reference: r for r in data_rights.list_requests(session.store, session.user)}
    assert entries[reference].answered == dt.date.today() - dt.timedelta(days=2)
    assert register.count.text() == "2 requests, 1 open, 1 overdue, 1 answered late"
    row = next(i for i, r in enumerate(register.requests) if r.reference == reference)
    assert register.model.item(row, 4).text().endswith("(late)")
    register.table.setCurrentIndex(register.model.index(row, 0))
    assert not register.answer_button.isEnabled()  # answered: stays as it was
    register.reject()


def test_the_register_shows_a_request_recorded_on_another_laptop(
    qtbot: QtBot, laptops: Laptops
) -> None:
    """An advisor's laptop records an open copy request; after both sync, the coordinator's
    register lists it, due a month after its receipt, and says that the team's laptops share
    the register (no longer that it stays on this laptop)."""
    from tests.integration.sync_harness import logged_in_again

    a = laptops.new("A")
    pid = _person(a)
    b = laptops.new("B", role=Role.ADVISOR)
    laptops.sync(a, b)
    received = dt.date.today() - dt.timedelta(days=3)
    advisor = logged_in_again(b)
    try:
        reference = data_rights.record_open_request(
            advisor.store, advisor.user, pid, data_rights.COPY, received
        )
    finally:
        advisor.close()
    laptops.sync(b, a)
    window = shown_window(qtbot, a)
    register = RequestsWindow(window, a)
    qtbot.addWidget(register)
    register.show()
    qtbot.waitExposed(register)
    assert "share this register" in register.intro.text()
    assert "not synced" not in register.intro.text()
    assert [r.reference for r in register.requests] == [reference]
    cells = [register.model.item(0, column).text() for column in range(5)]
    assert cells[0] == reference
    assert cells[2] == format_long_date(received)
    assert cells[3] == format_long_date(data_rights.one_month_after(received))
    assert register.count.text() == "1 request, 1 open"
    _shot(register, "register-synced")
    register.reject()


def test_the_dialogs_of_a_request_say_when_its_answer_is_due_and_that_it_is_late(
    qtbot: QtBot, session: Session
) -> None:
    """The data copy's, the erasure's and the recording's dialog said nothing of the deadline
    of a request without an open entry (received by post weeks ago, say): the copy was given
    and the register then said "(late)". Under the day of the request: when the answer is due,
    kept up as the day changes, and, past it, that the register marks it late (Romanian)."""
    from desktop_app.i18n.text import set_language
    from desktop_app.ui.data_rights import RecordRequestDialog

    pid = _person(session)
    person = people.get_person(session.store, session.user, pid)
    assert person is not None
    today = dt.date.today()
    set_language("ro")
    try:
        dialogs = (
            ExportDialog(person),
            EraseDialog(person),
            RecordRequestDialog(person, [data_rights.COPY], {}),
        )
        for dialog in dialogs:
            qtbot.addWidget(dialog)
            dialog.show()
            due = data_rights.one_month_after(today)
            assert dialog.due.isVisible()
            assert dialog.due.text() == f"Termenul de răspuns este {format_long_date(due)}."
            received = QDate.currentDate().addMonths(-2)
            dialog.received.setDate(received)
            late = data_rights.one_month_after(_date(received))
            assert dialog.due.text() == (
                f"Termenul de răspuns a fost {format_long_date(late)}: "
                "registrul cererilor îl marchează ca întârziat."
            )
            _shot(dialog, f"due-{type(dialog).__name__}")
            dialog.reject()
    finally:
        set_language("en")


def test_a_dialog_answering_an_open_request_says_its_due_date_once(
    qtbot: QtBot, session: Session
) -> None:
    """With the person's open request, its own line says the due date: no second one."""
    pid = _person(session)
    received = dt.date.today() - dt.timedelta(days=3)
    data_rights.record_open_request(session.store, session.user, pid, data_rights.COPY, received)
    _window, dialog = _export_dialog(qtbot, session, pid)
    assert dialog.answers.isVisible() and not dialog.due.isVisible()
    dialog.reject()
