"""A person's correction request (GDPR Art. 16) in the register of requests: recorded as the
person's request where their details are corrected (Edit personal data), answered when the
correction is saved, or answered by hand in the register with a reason; after the save the
keyboard is back on the person's page. Real store, real widgets, offscreen."""

from __future__ import annotations

import datetime as dt
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import QDate, Qt, QTimer
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication, QDialogButtonBox, QLabel, QPushButton
from pytestqt.qtbot import QtBot

from desktop_app.domain.person import PersonDraft
from desktop_app.domain.users import Role
from desktop_app.i18n.formatting import format_long_date
from desktop_app.i18n.text import gettext_in, set_language
from desktop_app.ui.data_rights import AnswerRequestDialog, RequestsWindow
from desktop_app.ui.main_window import MainWindow
from desktop_app.ui.person_dialog import EditPersonDialog
from desktop_app.usecases import accounts, audit, data_rights, people
from desktop_app.usecases.accounts import Session
from tests.ui.conftest import alt_access_key, made_active, shown_window, type_text

ADVISOR_PASS = "advisor pass 123"


@pytest.fixture
def back_to_english() -> Iterator[None]:
    yield
    set_language("en")


def _person(session: Session) -> str:
    draft = PersonDraft("Радостина", "Жечева", "14.03.1985", "female", "BG", ("bg",), "0176 1")
    return people.register_person(session.store, session.user, draft).id


def _advisor(session: Session) -> Session:
    accounts.add_user(session, "eva", "Eva", Role.ADVISOR, ADVISOR_PASS)
    return accounts.log_in(session.store.paths.data_dir, "eva", ADVISOR_PASS)


def _editor(qtbot: QtBot, window: MainWindow, pid: str) -> EditPersonDialog:
    window.show_person(pid)
    button = window.person_page.findChild(QPushButton, "edit_person")
    assert button is not None
    button.click()
    dialog: EditPersonDialog = window.edit_person_dialog  # type: ignore[attr-defined]
    qtbot.waitExposed(dialog)
    # the person's open correction request looked up on a worker: the box is greyed till then
    qtbot.waitUntil(lambda: not dialog.correction_pending, timeout=30_000)
    assert dialog.correction_box is None or dialog.at_request.isEnabled()
    return dialog


def _saved(qtbot: QtBot, dialog: EditPersonDialog) -> None:
    with qtbot.waitSignal(dialog.person_updated, timeout=30_000):
        dialog.buttons.button(QDialogButtonBox.StandardButton.Save).click()
    qtbot.waitUntil(lambda: not dialog.isVisible(), timeout=10_000)


@pytest.mark.parametrize("lang", ["de", "bg"])
def test_an_advisor_saves_a_correction_as_the_persons_request_received_days_ago(
    qtbot: QtBot, session: Session, shots: Path, lang: str, back_to_english: None
) -> None:
    pid = _person(session)
    advisor = _advisor(session)
    set_language(lang)
    try:
        window = shown_window(qtbot, advisor)
        dialog = _editor(qtbot, window, pid)
        assert dialog.correction_box is not None and dialog.at_request.isVisible()
        assert dialog.at_request.text() == gettext_in(
            lang, "Record as the person's correction re&quest"
        )
        # Not at the person's request unless said so: the day asked waits, greyed out.
        assert not dialog.at_request.isChecked() and not dialog.received.isEnabled()
        assert dialog.received.date() == QDate.currentDate()
        assert dialog.received.maximumDate() == QDate.currentDate()  # no day to come
        dialog.at_request.click()
        assert dialog.received.isEnabled()
        asked = QDate.currentDate().addDays(-3)
        dialog.received.setDate(asked)
        dialog.family.clear()
        type_text(dialog.family, "Жечева-Петрова")
        dialog.grab().save(str(shots / f"rights2-correction-{lang}.png"))
        _saved(qtbot, dialog)
        register = data_rights.list_requests(session.store, session.user)
        [entry] = register
        assert entry.kind == data_rights.CORRECTION
        assert (entry.received, entry.answered) == (
            dt.date.today() - dt.timedelta(days=3),
            dt.date.today(),
        )
        assert entry.answered_by == Role.ADVISOR.value
        said = gettext_in(
            lang, "Personal data saved. Correction request {reference} answered."
        ).format(reference=entry.reference)
        assert window.statusBar().currentMessage() == said
        person = people.get_person(session.store, session.user, pid, log_view=False)
        assert person is not None and person.family_name == "Жечева-Петрова"
        window.close()
    finally:
        advisor.close()


def test_a_correction_answers_the_persons_open_request_and_the_register_shows_it(
    qtbot: QtBot, session: Session, shots: Path
) -> None:
    pid = _person(session)
    asked = dt.date.today() - dt.timedelta(days=35)  # overdue
    ref = data_rights.record_open_request(
        session.store, session.user, pid, data_rights.CORRECTION, asked
    )
    window = shown_window(qtbot, session)
    register = RequestsWindow(window, session)
    qtbot.addWidget(register)
    assert [register.model.item(0, c).text() for c in (0, 1, 4)] == [ref, "Correction", "open"]
    assert register.model.item(0, 3).text().endswith("(overdue)")
    register.show()
    qtbot.waitExposed(register)
    register.grab().save(str(shots / "rights2-register-correction-open.png"))
    register.reject()
    dialog = _editor(qtbot, window, pid)
    # The person's open request, which this correction answers: ticked, its day shown.
    assert dialog.at_request.isChecked()
    assert dialog.at_request.text() == f"This answers the correction re&quest {ref}"
    assert dialog.received.date() == QDate(asked.year, asked.month, asked.day)
    assert dialog.received.isReadOnly()
    dialog.phone.clear()
    type_text(dialog.phone, "0176 2223334")
    dialog.grab().save(str(shots / "rights2-correction-answers-open.png"))
    _saved(qtbot, dialog)
    [entry] = data_rights.list_requests(session.store, session.user)
    assert (entry.reference, entry.received, entry.answered) == (ref, asked, dt.date.today())
    assert entry.overdue  # answered late: the register says so
    register = RequestsWindow(window, session)
    qtbot.addWidget(register)
    assert register.model.item(0, 4).text().endswith("(late)")
    register.reject()


def test_without_the_box_ticked_a_correction_answers_no_request(
    qtbot: QtBot, session: Session
) -> None:
    pid = _person(session)
    window = shown_window(qtbot, session)
    dialog = _editor(qtbot, window, pid)
    dialog.phone.clear()
    type_text(dialog.phone, "0176 2223334")
    _saved(qtbot, dialog)
    assert data_rights.list_requests(session.store, session.user) == []
    assert window.statusBar().currentMessage() == "Personal data saved."


def test_a_helper_corrects_without_a_request_to_record(qtbot: QtBot, session: Session) -> None:
    pid = _person(session)
    accounts.add_user(session, "mihai", "Mihai", Role.HELPER, "helper pass 123")
    helper = accounts.log_in(session.store.paths.data_dir, "mihai", "helper pass 123")
    try:
        window = shown_window(qtbot, helper)
        dialog = _editor(qtbot, window, pid)
        assert dialog.correction_box is None and not dialog.at_persons_request()
        dialog.reject()
        window.close()
    finally:
        helper.close()


def test_after_the_correction_is_saved_the_keyboard_is_on_the_persons_page(
    qtbot: QtBot, session: Session
) -> None:
    """Opened by its access key from the search box, "Edit personal data" gave the keyboard
    back to the search box once saved: the person corrected was left, the next Tab went
    through the list. It goes to the person's page, its first control."""
    pid = _person(session)
    window = shown_window(qtbot, session)
    window.activateWindow()
    qtbot.waitUntil(window.isActiveWindow, timeout=5000)
    window.show_person(pid)
    window.search.setFocus()
    qtbot.waitUntil(window.search.hasFocus, timeout=5000)
    alt_access_key(window, "Edit personal &data…")
    qtbot.waitUntil(lambda: hasattr(window, "edit_person_dialog"), timeout=5000)
    dialog: EditPersonDialog = window.edit_person_dialog  # type: ignore[attr-defined]
    qtbot.waitExposed(dialog)
    dialog.phone.clear()
    type_text(dialog.phone, "0176 2223334")
    _saved(qtbot, dialog)
    window.activateWindow()
    qtbot.waitUntil(window.isActiveWindow, timeout=5000)
    page = window.person_page
    qtbot.waitUntil(lambda: QApplication.focusWidget() is not None, timeout=5000)
    focused = QApplication.focusWidget()
    assert focused is not window.search
    # The page's first control in its Tab order: "Start visit" (no notice shows).
    first = next(w for w in page.tab_order() if w.isVisible() and w.isEnabled())
    assert first.objectName() == "start_visit"
    assert focused is first


def test_the_register_answers_a_correction_request_by_hand_only_with_a_reason(
    qtbot: QtBot, session: Session, shots: Path
) -> None:
    pid = _person(session)
    asked = dt.date.today() - dt.timedelta(days=5)
    ref = data_rights.record_open_request(
        session.store, session.user, pid, data_rights.CORRECTION, asked
    )
    copy = data_rights.record_open_request(
        session.store, session.user, pid, data_rights.COPY, asked
    )
    window = shown_window(qtbot, session)
    register = RequestsWindow(window, session)
    qtbot.addWidget(register)
    register.show()
    qtbot.waitExposed(register)
    rows = {r.reference: i for i, r in enumerate(register.requests)}
    register.table.setCurrentIndex(register.model.index(rows[copy], 0))
    assert not register.answer_button.isEnabled()  # answered by the data copy
    register.table.setCurrentIndex(register.model.index(rows[ref], 0))
    assert register.answer_button.isEnabled()

    def answer() -> None:
        dialog = register.findChild(AnswerRequestDialog)
        assert dialog is not None
        intro = dialog.findChild(QLabel)
        assert intro is not None and ref in intro.text() and "Correction" in intro.text()
        assert dialog.reason.isVisible() and not dialog.ok.isEnabled()  # no reason yet
        type_text(dialog.reason, "nothing to correct")
        assert dialog.ok.isEnabled()
        dialog.grab().save(str(shots / "rights2-answer-correction.png"))
        dialog.ok.click()

    QTimer.singleShot(0, answer)
    register.answer_button.click()
    entries = {r.reference: r for r in data_rights.list_requests(session.store, session.user)}
    assert entries[ref].answered == dt.date.today() and entries[copy].is_open
    [logged] = [
        e for e in audit.list_entries(session.store, session.user) if e.action == "answer_request"
    ]
    assert (logged.record_id, logged.details["reason_given"]) == (ref, True)
    assert "reason" not in logged.details  # the text is the register's, not the log's
    assert not register.answer_button.isEnabled()  # answered: nothing more to record


@pytest.mark.parametrize("lang", ["de", "bg"])
def test_the_audit_log_reads_a_requests_details_in_the_ui_language(
    lang: str, back_to_english: None
) -> None:
    from desktop_app.i18n.formatting import format_long_date
    from desktop_app.ui.audit import DetailReader

    set_language(lang)
    text = DetailReader().text(
        {"request": "ACDEFGHJ", "kind": "correction", "answered": "2026-12-07", "reason": "x"}
    )
    assert "ACDEFGHJ" in text and format_long_date(dt.date(2026, 12, 7)) in text
    for word in ("Correction", "request reference", "answered on", "reason"):
        assert gettext_in(lang, word) in text, word
    assert "correction" not in text and "2026-12-07" not in text


def test_saved_unchanged_the_box_answers_nothing_and_says_where_that_answer_goes(
    qtbot: QtBot, session: Session, shots: Path
) -> None:
    """Ticked and saved with nothing changed, the box answered the open correction request
    with nothing corrected and no reason: that answer is "Nothing to correct…", with why."""
    pid = _person(session)
    data_rights.record_open_request(
        session.store, session.user, pid, data_rights.CORRECTION, dt.date.today()
    )
    window = shown_window(qtbot, session)
    dialog = _editor(qtbot, window, pid)
    assert dialog.at_request.isChecked()
    dialog.buttons.button(QDialogButtonBox.StandardButton.Save).click()
    assert dialog.isVisible() and dialog.correction_error.isVisible()
    assert "“Nothing to correct…”" in dialog.correction_error.text()
    dialog.grab().save(str(shots / "rights2-correction-unchanged.png"))
    assert data_rights.open_request(session.store, session.user, pid, data_rights.CORRECTION)
    dialog.at_request.click()  # not at the person's request: saved as it is, nothing answered
    assert not dialog.correction_error.isVisible()
    with qtbot.waitSignal(dialog.person_updated, timeout=30_000):
        dialog.buttons.button(QDialogButtonBox.StandardButton.Save).click()
    assert data_rights.open_request(session.store, session.user, pid, data_rights.CORRECTION)


def test_a_correction_a_sync_made_meanwhile_answers_nothing_and_says_so(
    qtbot: QtBot, session: Session
) -> None:
    """The phone corrected in the dialog while a colleague's same correction arrived by sync:
    saving changed nothing, yet answered the person's request as corrected here. Refused
    below the dialog (``NothingCorrected``), it says where that answer goes; nothing written."""
    pid = _person(session)
    data_rights.record_open_request(
        session.store, session.user, pid, data_rights.CORRECTION, dt.date.today()
    )
    window = shown_window(qtbot, session)
    dialog = _editor(qtbot, window, pid)
    assert dialog.at_request.isChecked()
    dialog.phone.setText("0176 2")
    # the colleague's correction, as a sync writes it, while the dialog is open
    people.update_person(
        session.store,
        session.user,
        pid,
        PersonDraft("Радостина", "Жечева", "14.03.1985", "female", "BG", ("bg",), "0176 2"),
    )
    dialog.buttons.button(QDialogButtonBox.StandardButton.Save).click()
    qtbot.waitUntil(dialog.correction_error.isVisible, timeout=30_000)
    assert dialog.isVisible() and "“Nothing to correct…”" in dialog.correction_error.text()
    assert data_rights.open_request(session.store, session.user, pid, data_rights.CORRECTION)


@pytest.mark.parametrize("lang", ["en", "ro"])
def test_an_advisor_answers_the_open_correction_request_with_nothing_to_correct(
    qtbot: QtBot, session: Session, shots: Path, lang: str, back_to_english: None
) -> None:
    """The advisor talked with the person and found their data right: "Nothing to correct…"
    beside the request asks the day and the reason (the register's dialog), answers the
    request with them and closes; the details stay as they were. The register shows why."""
    pid = _person(session)
    asked = dt.date.today() - dt.timedelta(days=4)
    ref = data_rights.record_open_request(
        session.store, session.user, pid, data_rights.CORRECTION, asked
    )
    advisor = _advisor(session)
    set_language(lang)
    try:
        window = shown_window(qtbot, advisor)
        dialog = _editor(qtbot, window, pid)
        button = dialog.nothing_to_correct
        assert button is not None and button.isVisible() and button.isEnabled()
        assert button.text() == gettext_in(lang, "Nothing to co&rrect…")
        dialog.grab().save(str(shots / f"rights3-edit-nothing-to-correct-{lang}.png"))
        dialog.at_request.click()  # not answering the request: nothing to answer either
        assert not button.isEnabled()
        dialog.at_request.click()

        def answer() -> None:
            asking = dialog.findChild(AnswerRequestDialog)
            if asking is None or not asking.isVisible():  # not open yet: the key is on its way
                QTimer.singleShot(10, answer)
                return
            assert asking.reason.isVisible()
            assert not asking.ok.isEnabled()  # never without a reason
            type_text(asking.reason, "Adresa și telefonul sunt corecte")
            asking.grab().save(str(shots / f"rights3-nothing-to-correct-reason-{lang}.png"))
            asking.ok.click()

        made_active(qtbot, dialog)
        QTimer.singleShot(0, answer)
        with qtbot.waitSignal(dialog.correction_answered, timeout=30_000) as answered:
            alt_access_key(dialog, button.text())
        assert answered.args == [ref]
        qtbot.waitUntil(lambda: not dialog.isVisible(), timeout=10_000)
        said = gettext_in(
            lang, "Correction request {reference} answered: nothing to correct."
        ).format(reference=ref)
        assert window.statusBar().currentMessage() == said
        [entry] = data_rights.list_requests(session.store, session.user)
        assert (entry.answered, entry.answered_by, entry.reason) == (
            dt.date.today(),
            Role.ADVISOR.value,
            "Adresa și telefonul sunt corecte",
        )
        person = people.get_person(session.store, session.user, pid, log_view=False)
        assert person is not None and person.phone == "0176 1"  # nothing saved as corrected
        window.close()
    finally:
        advisor.close()


@pytest.mark.parametrize("lang", ["bg", "ro"])
def test_a_request_made_at_the_desk_is_recorded_and_answered_with_nothing_to_correct_by_keys(
    qtbot: QtBot, session: Session, shots: Path, lang: str, back_to_english: None
) -> None:
    """The person asks at the desk for a correction, and the advisor finds their data right.
    "Nothing to correct…" was offered only beside a request recorded before (on the person's
    page, a step of its own). Now, by keys in the same dialog: the box ticked (the person's
    request, received today), "Nothing to correct…", the day and the reason: one entry in the
    register, asked and answered today, with the reason; the details unchanged."""
    pid = _person(session)
    advisor = _advisor(session)
    set_language(lang)
    try:
        window = shown_window(qtbot, advisor)
        dialog = _editor(qtbot, window, pid)
        assert dialog.open_correction is None
        button = dialog.nothing_to_correct
        assert button is not None and button.isVisible()
        assert not button.isEnabled()  # not the person's request until the box says so
        made_active(qtbot, dialog)
        alt_access_key(dialog, dialog.at_request.text())
        qtbot.waitUntil(dialog.at_request.isChecked, timeout=5000)  # (an animated click)
        assert button.isEnabled()
        assert dialog.received.date() == QDate.currentDate()  # asked today, at the desk
        dialog.grab().save(str(shots / f"requests3-edit-nothing-to-correct-{lang}.png"))
        seen: list[str] = []

        def answer() -> None:
            asking = dialog.findChild(AnswerRequestDialog)
            if asking is None or not asking.isVisible():  # not open yet: the key is on its way
                QTimer.singleShot(10, answer)
                return
            intro = asking.findChild(QLabel)
            assert intro is not None
            seen.append(intro.text())
            assert asking.answered.date() == QDate.currentDate()
            assert not asking.ok.isEnabled()  # never without a reason
            type_text(asking.reason, "Адресът е верен" if lang == "bg" else "Adresa e corectă")
            assert asking.ok.isEnabled()
            asking.grab().save(str(shots / f"requests3-nothing-to-correct-reason-{lang}.png"))
            QTest.keyClick(asking.reason, Qt.Key.Key_Return)  # Enter: "Record"

        QTimer.singleShot(0, answer)
        with qtbot.waitSignal(dialog.correction_answered, timeout=10_000) as answered:
            alt_access_key(dialog, button.text())
        [intro] = seen
        today = format_long_date(dt.date.today())
        assert intro == gettext_in(
            lang,
            "The person's correction request, received on {received}, is recorded and "
            "answered in one step, without a correction saved in the program. Record the "
            "day it was answered and why (e.g. nothing to correct).",
        ).format(received=today)
        qtbot.waitUntil(lambda: not dialog.isVisible(), timeout=10_000)
        [entry] = data_rights.list_requests(session.store, session.user)
        assert answered.args == [entry.reference]
        assert (entry.kind, entry.received, entry.answered, entry.answered_by) == (
            data_rights.CORRECTION,
            dt.date.today(),
            dt.date.today(),
            Role.ADVISOR.value,
        )
        assert entry.reason == ("Адресът е верен" if lang == "bg" else "Adresa e corectă")
        said = gettext_in(
            lang, "Correction request {reference} answered: nothing to correct."
        ).format(reference=entry.reference)
        assert window.statusBar().currentMessage() == said
        person = people.get_person(session.store, session.user, pid, log_view=False)
        assert person is not None and person.phone == "0176 1"  # nothing saved as corrected
        # the coordinator's register: the one entry, asked and answered today, with why
        register = RequestsWindow(window, session)
        qtbot.addWidget(register)
        register.show()
        qtbot.waitExposed(register)
        assert register.requests == [entry]
        register.grab().save(str(shots / f"requests3-register-{lang}.png"))
        register.close()
        window.close()
    finally:
        advisor.close()


def test_a_request_at_the_desk_answered_with_no_reason_records_nothing(
    qtbot: QtBot, session: Session
) -> None:
    """Cancelled at the day and the reason: the request is not recorded either, and the
    dialog stays open to correct or to save."""
    pid = _person(session)
    window = shown_window(qtbot, session)
    dialog = _editor(qtbot, window, pid)
    button = dialog.nothing_to_correct
    assert button is not None
    dialog.at_request.click()

    def cancel() -> None:
        asking = dialog.findChild(AnswerRequestDialog)
        if asking is None or not asking.isVisible():
            QTimer.singleShot(10, cancel)
            return
        asking.reject()

    QTimer.singleShot(0, cancel)
    button.click()
    assert dialog.isVisible() and not dialog.save.saving
    assert data_rights.list_requests(session.store, session.user) == []
    dialog.reject()
    window.close()


def _register_with_an_answer_by_hand(
    qtbot: QtBot, session: Session, lang: str, reason: str, *, erased: bool
) -> tuple[RequestsWindow, str, str]:
    """A person's correction request answered by hand with ``reason`` and a request for a
    copy left open (the person then erased, if ``erased``); the register shown in ``lang``
    over a main window of a 1366 px screen. The register, and the two requests' references."""
    pid = _person(session)
    asked = dt.date.today() - dt.timedelta(days=40)
    ref = data_rights.record_open_request(
        session.store, session.user, pid, data_rights.CORRECTION, asked
    )
    copy = data_rights.record_open_request(
        session.store, session.user, pid, data_rights.COPY, asked
    )
    data_rights.answer_by_hand(session.store, session.user, ref, dt.date.today(), reason=reason)
    if erased:
        data_rights.erase_person(session.store, session.user, pid)
    set_language(lang)
    window = shown_window(qtbot, session, width=1366)
    register = RequestsWindow(window, session)
    qtbot.addWidget(register)
    register.show()
    qtbot.waitExposed(register)
    return register, ref, copy


@pytest.mark.parametrize("lang", ["de", "bg"])
def test_the_register_shows_why_a_request_was_answered_by_hand(
    qtbot: QtBot, session: Session, shots: Path, lang: str, back_to_english: None
) -> None:
    """In the row of the request, under the day of the answer (and as its tooltip), in the UI
    language; the window at the size it opens in, in a main window of a 1366 px screen."""
    reason = "Адресът и телефонът са верни"
    register, ref, _copy = _register_with_an_answer_by_hand(
        qtbot, session, lang, reason, erased=False
    )
    row = next(i for i, r in enumerate(register.requests) if r.reference == ref)
    cell = register.model.item(row, 4)
    label = gettext_in(lang, "Reason: {reason}").format(reason=reason)
    assert cell.text().splitlines()[-1] == label
    assert cell.toolTip() == cell.text()
    # the whole reason in sight: the row as tall as its lines
    index = register.model.index(row, 4)
    needed = register.table.sizeHintForIndex(index).height()
    assert register.table.rowHeight(row) >= needed
    register.grab().save(str(shots / f"rights3-register-reason-{lang}.png"))
    register.reject()


@pytest.mark.parametrize("lang", ["de", "bg", "ro", "en"])
def test_the_register_says_the_reason_was_removed_with_the_persons_data(
    qtbot: QtBot, session: Session, shots: Path, lang: str, back_to_english: None
) -> None:
    """The reason named the person; erased, the row says under the answer's day (and as its
    tooltip) that it was removed with the person's data, in the UI language; a request that
    had no reason says nothing of one. In a main window of a 1366 px screen."""
    reason = "Телефонът сверен с личната карта на Радостина Жечева"
    register, ref, copy = _register_with_an_answer_by_hand(
        qtbot, session, lang, reason, erased=True
    )
    row = next(i for i, r in enumerate(register.requests) if r.reference == ref)
    cell = register.model.item(row, 4)
    said = gettext_in(lang, "Reason removed with the person's data")
    assert said != "Reason removed with the person's data" or lang == "en"
    assert cell.text().splitlines()[-1] == said
    assert cell.toolTip() == cell.text() and "Жечева" not in cell.text()
    index = register.model.index(row, 4)
    assert register.table.rowHeight(row) >= register.table.sizeHintForIndex(index).height()
    other = next(i for i, r in enumerate(register.requests) if r.reference == copy)
    assert said not in register.model.item(other, 4).text()  # open, it had no reason
    register.grab().save(str(shots / f"rights4-register-reason-removed-{lang}.png"))
    register.reject()


@pytest.mark.parametrize("lang", ["de", "bg", "ro", "en"])
def test_the_audit_window_says_an_answer_by_hand_had_a_reason_not_what_it_said(
    qtbot: QtBot, session: Session, shots: Path, lang: str, back_to_english: None
) -> None:
    """The answer's entry says that a reason was given and where it is kept, in the UI
    language (not "reason_given: yes"); the reason's text is in no cell of the log."""
    from desktop_app.ui.audit import AuditWindow

    pid = _person(session)
    asked = dt.date.today() - dt.timedelta(days=4)
    ref = data_rights.record_open_request(
        session.store, session.user, pid, data_rights.CORRECTION, asked
    )
    reason = "Адресът е сверен с личната карта"
    data_rights.answer_by_hand(session.store, session.user, ref, dt.date.today(), reason=reason)
    set_language(lang)
    window = shown_window(qtbot, session, width=1366)
    log = AuditWindow(session, window)
    qtbot.addWidget(log)
    log.resize(1340, 420)  # the screen's width: the details column in sight in the photo
    log.show()
    qtbot.waitExposed(log)
    model = log.model
    cells = [
        [model.item(r, c).text() for c in range(model.columnCount())]
        for r in range(model.rowCount())
    ]
    [answer] = [row for row in cells if row[log.RECORD_ID] == ref]
    given = gettext_in(lang, "reason") + ": "
    given += gettext_in(lang, "given, kept in the register of requests")
    details = answer[log.DETAILS]
    assert details.endswith(given), details
    assert gettext_in(lang, "Correction") in details and "reason_given" not in details
    assert not any(reason in cell for row in cells for cell in row)
    log.grab().save(str(shots / f"rights4-audit-reason-given-{lang}.png"))
    log.reject()


def test_the_open_correction_request_is_looked_up_off_the_ui_thread(
    qtbot: QtBot, session: Session, monkeypatch: pytest.MonkeyPatch, shots: Path
) -> None:
    """The dialog looked up the person's open correction request on the UI thread as it was
    made. It opens at once now, its box greyed ("Record as the person's correction request",
    unticked) while the lookup runs on a worker; once it has answered, the box says that the
    correction answers the request, ticked, and is enabled."""
    pid = _person(session)
    asked = dt.date.today() - dt.timedelta(days=2)
    ref = data_rights.record_open_request(
        session.store, session.user, pid, data_rights.CORRECTION, asked
    )
    window = shown_window(qtbot, session)
    window.show_person(pid)
    gate, threads = threading.Event(), []
    real = data_rights.open_request

    def held_lookup(*args: Any, **kwargs: Any) -> data_rights.DataRequest | None:
        threads.append(threading.current_thread())
        gate.wait(30)  # (on the UI thread this would hold the window: the test fails below)
        return real(*args, **kwargs)

    monkeypatch.setattr(data_rights, "open_request", held_lookup)
    button = window.person_page.findChild(QPushButton, "edit_person")
    assert button is not None
    try:
        button.click()
        dialog: EditPersonDialog = window.edit_person_dialog  # type: ignore[attr-defined]
        qtbot.waitExposed(dialog)
        qtbot.waitUntil(lambda: bool(threads), timeout=10_000)
        assert threads == [t for t in threads if t is not threading.main_thread()]
        # shown while the lookup waits: the box greyed, not ticked, its date too
        assert dialog.correction_pending and dialog.isVisible()
        assert not dialog.at_request.isEnabled() and not dialog.at_request.isChecked()
        assert dialog.at_request.text() == "Record as the person's correction re&quest"
        assert not dialog.received.isEnabled()
        # "Nothing to correct…" answers an open request: not offered before one is found
        assert dialog.nothing_to_correct is not None
        assert not dialog.nothing_to_correct.isVisible()
        dialog.grab().save(str(shots / "correction-looking-up.png"))
    finally:
        gate.set()
    qtbot.waitUntil(dialog.at_request.isEnabled, timeout=30_000)
    assert not dialog.correction_pending
    assert dialog.at_request.isChecked()
    assert dialog.at_request.text() == f"This answers the correction re&quest {ref}"
    assert dialog.received.date() == QDate(asked.year, asked.month, asked.day)
    assert dialog.received.isReadOnly() and dialog.received.isEnabled()
    assert dialog.nothing_to_correct.isVisible() and dialog.nothing_to_correct.isEnabled()
    dialog.grab().save(str(shots / "correction-looked-up.png"))
    dialog.phone.clear()
    type_text(dialog.phone, "0176 2223334")
    _saved(qtbot, dialog)
    [entry] = data_rights.list_requests(session.store, session.user)
    assert (entry.reference, entry.answered) == (ref, dt.date.today())
    window.close()
