"""The print queue and the status history as a user sees them: a letter whose referral changed
after it was queued says it was updated, one whose referral was closed is not printed, and
the status dialog says what each step did to the appointment, in the UI language."""

from __future__ import annotations

import datetime as dt
import io
import os
from pathlib import Path

import pypdf
import pytest
from PySide6.QtCore import QEvent, Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication, QMessageBox, QProgressDialog, QWidget
from pytestqt.qtbot import QtBot

from desktop_app.domain.referral import Referral, ReferralStatus
from desktop_app.i18n.text import set_language
from desktop_app.ui import referrals as ui
from desktop_app.usecases import audit
from desktop_app.usecases import referrals as uc
from desktop_app.usecases import sync as sync_uc
from desktop_app.usecases.accounts import Session
from tests.integration.sync_harness import Laptops
from tests.pdf_text import pdf_text as _text
from tests.ui.conftest import cell, header_cell, store_held
from tests.ui.test_referrals_ui import _person, _wait_loaded, _window, needs_qtpdf, print_all

ISSUED = dt.datetime(2026, 11, 25, 10, 15)
APPOINTMENT = dt.datetime(2026, 12, 8, 10, 0)  # a Tuesday


@needs_qtpdf
def test_the_queue_says_a_letter_was_updated_and_prints_it_as_it_is_now(
    qtbot: QtBot, session: Session, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    set_language("de")
    person = _person(session)
    referral = uc.issue_referral(
        session.store, session.user, person.id, "jobcenter", "buergergeld", client_lang="ro"
    )
    job = uc.queue_for_printing(session.store, session.user, referral.id)
    _win, feature = _window(qtbot, session, person)
    queue = feature.open_print_queue()
    assert header_cell(queue.table, 5).text() == "Schreiben"
    assert cell(queue.table, 0, 5).text() == "Druckbereit"  # as queued
    queue.close()
    # the job centre gave an appointment on the phone, after the letter was queued
    when = dt.datetime.combine(dt.date.today() + dt.timedelta(days=7), dt.time(10, 0))
    uc.change_status(
        session.store, session.user, referral.id, ReferralStatus.APPOINTMENT_MADE, appointment=when
    )
    queue = feature.open_print_queue()
    qtbot.waitUntil(lambda: cell(queue.table, 0, 5).text().startswith("Aktualisiert am "))
    assert "neu erstellt" in cell(queue.table, 0, 5).toolTip()
    letter = uc.print_job_pdf(session.store, session.user, job)
    kept = _text(letter)
    assert f"ora {when:%H:%M}" in kept and "Încă nu aveți o programare" not in kept
    out = tmp_path / "printed.pdf"
    monkeypatch.setenv(ui.PRINT_TO_PDF_ENV, str(out))
    assert print_all(qtbot, queue) == 1
    qtbot.waitUntil(lambda: queue.table.rowCount() == 0, timeout=30_000)
    assert len(pypdf.PdfReader(out).pages) == len(pypdf.PdfReader(io.BytesIO(letter)).pages)


@needs_qtpdf
def test_a_closed_referrals_letter_is_marked_in_the_queue_and_left_unprinted(
    qtbot: QtBot, session: Session, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    set_language("bg")
    person = _person(session)
    kept = uc.issue_referral(session.store, session.user, person.id, "vhs", "integration_course")
    withdrawn = uc.issue_referral(
        session.store, session.user, person.id, "jobcenter", "buergergeld"
    )
    for referral in (kept, withdrawn):
        uc.queue_for_printing(session.store, session.user, referral.id)
    uc.change_status(session.store, session.user, withdrawn.id, ReferralStatus.CLOSED)
    _win, feature = _window(qtbot, session, person)
    queue = feature.open_print_queue()
    states = {
        cell(queue.table, row, 4).text(): cell(queue.table, row, 5).text() for row in range(2)
    }
    assert states == {
        kept.reference: "Готово за печат",
        withdrawn.reference: "Няма да се отпечата: насочването е приключено",
    }
    assert "1 писмо няма да се отпечата" in queue.info.text()
    monkeypatch.setenv(ui.PRINT_TO_PDF_ENV, str(tmp_path / "printed.pdf"))
    assert print_all(qtbot, queue) == 1
    assert queue.notice.isVisibleTo(queue)
    assert (
        queue.notice.text() == f"{withdrawn.reference}: не е отпечатано, насочването е приключено."
    )
    qtbot.waitUntil(lambda: queue.table.rowCount() == 1, timeout=30_000)
    assert cell(queue.table, 0, 4).text() == withdrawn.reference  # left for the user to remove
    assert not queue.print_button.isEnabled()


def _queued_with_appointments_made_since(
    qtbot: QtBot, session: Session, count: int
) -> tuple[list[str], ui.PrintQueueWindow]:
    """``count`` letters queued, the queue window open (its own re-check done), then an
    appointment made for each referral: every letter must be made again to be printed."""
    person = _person(session)
    services = (
        ("jobcenter", "buergergeld"),
        ("vhs", "integration_course"),
        ("familienkasse", "kindergeld"),
    )
    referrals = [
        uc.issue_referral(session.store, session.user, person.id, service, reason)
        for service, reason in services[:count]
    ]
    jobs = [uc.queue_for_printing(session.store, session.user, r.id, "ro") for r in referrals]
    _win, feature = _window(qtbot, session, person)
    queue = feature.open_print_queue()
    qtbot.waitUntil(lambda: not queue._updating, timeout=10000)
    when = dt.datetime.combine(dt.date.today() + dt.timedelta(days=7), dt.time(10, 0))
    for referral in referrals:
        uc.change_status(
            session.store,
            session.user,
            referral.id,
            ReferralStatus.APPOINTMENT_MADE,
            appointment=when,
        )
    return jobs, queue


@pytest.fixture
def printed_pdf(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Where the printer writes what is printed (a PDF file), not written yet."""
    out = tmp_path / "printed.pdf"
    monkeypatch.setenv(ui.PRINT_TO_PDF_ENV, str(out))
    return out


@needs_qtpdf
def test_print_all_makes_the_letters_again_off_the_ui_thread_and_prints_each_once(
    qtbot: QtBot, session: Session, printed_pdf: Path
) -> None:
    set_language("ro")
    jobs, queue = _queued_with_appointments_made_since(qtbot, session, 3)
    prepared: list[tuple[int, int]] = []
    queue.preparing.connect(lambda done, total: prepared.append((done, total)))
    printed: list[int] = []
    queue.printed.connect(printed.append)
    with store_held(session) as (release, held):  # as a sync writing a page
        queue.print_button.click()
        assert held.is_set()  # it returned while the store was held: the UI does not wait
        assert not queue.print_button.isEnabled() and not queue.remove_button.isEnabled()
        assert queue.progress is not None and queue.progress.maximum() == 3
        assert queue.progress.labelText() == "Se pregătește scrisoarea 1 din 3…"
        queue.print_all()  # clicked again (or its key pressed): nothing more starts
        assert prepared == [] and not printed_pdf.exists()
        release.set()
    qtbot.waitUntil(lambda: printed != [], timeout=20000)
    assert printed == [3]
    assert prepared == [(1, 3), (2, 3), (3, 3)]
    assert queue.table.rowCount() == 0
    done = uc.print_queue(session.store, session.user, include_printed=True)
    assert {j.id for j in done} == set(jobs)
    # each made again (the appointment) before it was printed, and printed once
    assert all(j.state == "printed" and j.updated_at is not None for j in done)
    entries = audit.list_entries(session.store, session.user, action="print")
    assert sorted(
        str(e.details["referral_id"]) for e in entries if e.details["via"] == ("queue_print")
    ) == sorted(j.referral_id for j in done)
    assert len(pypdf.PdfReader(printed_pdf).pages) == queue.progress.maximum() * 2  # 3 of 2 pages
    # each entry says the letter to the service went with it (the letter and the sheet)
    assert [e.details.get("to_service") for e in entries if e.details["via"] == "queue_print"] == [
        True
    ] * 3


@needs_qtpdf
def test_print_all_cancelled_while_the_letters_are_prepared_prints_nothing(
    qtbot: QtBot, session: Session, printed_pdf: Path
) -> None:
    set_language("de")
    jobs, queue = _queued_with_appointments_made_since(qtbot, session, 2)
    with qtbot.waitSignal(queue.printed, timeout=20000) as finished, store_held(session):
        queue.print_button.click()
        assert queue.progress is not None
        assert queue.progress.labelText() == "Schreiben 1 von 2 wird vorbereitet…"
        queue.progress.cancel()
    assert finished.args == [0]
    assert not printed_pdf.exists()
    assert {j.id for j in uc.print_queue(session.store, session.user)} == set(jobs)
    assert queue.table.rowCount() == 2 and queue.print_button.isEnabled()


@pytest.mark.parametrize(
    ("lang", "expected"),
    [
        (
            "de",
            [
                "Ausgestellt (Anna Schmidt)",
                "Termin vereinbart · Termin eingetragen: Di., 8. Dez. 2026, 10:00 (Anna Schmidt)",
                "Termin verschoben auf Do., 10. Dez. 2026, 13:30 (Anna Schmidt)",
                "Termin vereinbart (Anna Schmidt): angerufen",
                "Termin entfernt (Anna Schmidt)",
            ],
        ),
        (
            "bg",
            [
                "Издадено (Anna Schmidt)",
                "Записан час · Насрочен час: вт, 8.12.2026\u202fг., 10:00 (Anna Schmidt)",
                "Часът е преместен на чт, 10.12.2026\u202fг., 13:30 (Anna Schmidt)",
                "Записан час (Anna Schmidt): angerufen",
                "Часът е премахнат (Anna Schmidt)",
            ],
        ),
    ],
)
def test_the_status_history_says_what_each_step_did_to_the_appointment(
    qtbot: QtBot, session: Session, lang: str, expected: list[str]
) -> None:
    set_language(lang)
    person = _person(session)
    referral = uc.issue_referral(
        session.store, session.user, person.id, "jobcenter", "buergergeld", now=ISSUED
    )
    for day, kwargs in enumerate(
        (
            {"appointment": APPOINTMENT},
            {"appointment": APPOINTMENT + dt.timedelta(days=2, hours=3, minutes=30)},
            {"outcome": "angerufen"},
            {"clear_appointment": True},
        ),
        start=1,
    ):
        uc.change_status(
            session.store,
            session.user,
            referral.id,
            ReferralStatus.APPOINTMENT_MADE,
            now=ISSUED + dt.timedelta(days=day),
            **kwargs,  # type: ignore[arg-type]
        )
    window, feature = _window(qtbot, session, person)
    feature.tab.table.selectRow(0)
    feature.tab.status_button.click()
    dialog = window.findChild(ui.StatusDialog)
    assert dialog is not None
    lines = dialog.history.text().splitlines()
    assert [line.split("  ", 1)[1] for line in lines] == expected
    dialog.reject()


def _queue_views(session: Session) -> int:
    """How many views of the print queue the audit log holds."""
    entries = audit.list_entries(session.store, session.user, action="view")
    return sum(e.record_kind == "print_queue" for e in entries)


def _queue_and_a_referral(
    qtbot: QtBot, session: Session
) -> tuple[ui.ReferralsFeature, ui.PrintQueueWindow, Referral]:
    """The print queue window opened (in English) on an empty queue, and a referral whose
    letter is not queued."""
    set_language("en")
    person = _person(session)
    referral = uc.issue_referral(
        session.store, session.user, person.id, "vhs", "integration_course"
    )
    _win, feature = _window(qtbot, session, person)
    return feature, feature.open_print_queue(), referral


def _preview_to_queue(
    qtbot: QtBot, feature: ui.ReferralsFeature, referral: Referral
) -> ui.LetterPreview:
    """The letter of ``referral`` previewed, ready to be queued."""
    feature.open_preview(referral)
    preview = _wait_loaded(qtbot, feature)
    qtbot.waitUntil(preview.queue_button.isEnabled, timeout=10000)
    return preview


def test_an_open_queue_shows_a_letter_queued_from_a_preview_closed_before_it_was_stored(
    qtbot: QtBot, session: Session, tmp_path: Path
) -> None:
    """The queue window is open; a preview opened after it queues its letter and is closed
    while a sync holds the store: once the letter is stored, the queue window lists it. The
    preview was gone by then, and only it told the queue window."""
    feature, queue, referral = _queue_and_a_referral(qtbot, session)
    assert queue.table.rowCount() == 0 and queue.info.text() == "The print queue is empty."
    preview = _preview_to_queue(qtbot, feature, referral)
    with store_held(session) as (release, _held):  # as a sync writing a page
        preview.queue_button.click()
        preview.close()  # deleted on close, before the letter is stored
        release.set()
    qtbot.waitUntil(lambda: queue.table.rowCount() == 1, timeout=10000)
    assert cell(queue.table, 0, 4).text() == referral.reference
    assert queue.info.text() == "1 letter waiting to be printed."
    queue.grab().save(str(Path(os.environ.get("WELCOME_DESK_SHOTS", tmp_path)) / "queue-new.png"))


def test_a_closed_queue_window_is_not_listed_again_behind_the_users_back(
    qtbot: QtBot, session: Session
) -> None:
    """A letter queued while the queue window is closed does not list the queue in the
    hidden window: its view (names of people) would go into the audit log unseen. Opened
    again, the window shows the letter, and that view is logged."""
    feature, queue, referral = _queue_and_a_referral(qtbot, session)
    queue.close()
    before = _queue_views(session)
    preview = _preview_to_queue(qtbot, feature, referral)
    with qtbot.waitSignal(preview.queued, timeout=10000):
        preview.queue_button.click()
    assert queue.table.rowCount() == 0  # as it was when closed
    assert _queue_views(session) == before
    assert feature.open_print_queue() is queue
    assert queue.table.rowCount() == 1
    assert _queue_views(session) == before + 1


def test_an_open_queue_shows_what_a_sync_brought_about_its_letters(
    qtbot: QtBot,
    laptops: Laptops,
    tmp_path: Path,
) -> None:
    """Laptop B has its print queue open; laptop A closes the letter's referral; B syncs: its
    open queue says the letter is not printed, without being opened again. Listed anew, it
    logs no second view of the same person: audit entries travel with the sync, and two
    laptops with the queue open would log views of each other's entries without end."""
    set_language("en")
    a, b = laptops.new("A"), laptops.new("B")
    person = _person(a)
    referral = uc.issue_referral(a.store, a.user, person.id, "jobcenter", "buergergeld")
    laptops.sync(a, b)
    uc.queue_for_printing(b.store, b.user, referral.id)
    _win, feature = _window(qtbot, b, person)
    queue = feature.open_print_queue()
    assert cell(queue.table, 0, 5).text() == "Ready to print"
    views = _queue_views(b)
    uc.change_status(a.store, a.user, referral.id, ReferralStatus.CLOSED, "moved away")
    sync_uc.sync_now(a.store)
    controller = _win.sync  # type: ignore[attr-defined]
    with qtbot.waitSignal(controller.sync_finished, timeout=30_000) as done:
        assert controller.start()
    assert not isinstance(done.args[0], Exception), done.args[0]
    qtbot.waitUntil(
        lambda: cell(queue.table, 0, 5).text() == "Not printed: referral closed", timeout=10000
    )
    assert queue.info.text() == (
        "1 letter is not printed: its referral was closed after it was queued."
    )
    assert not queue.print_button.isEnabled()
    assert _queue_views(b) == views
    queue.grab().save(str(Path(os.environ.get("WELCOME_DESK_SHOTS", tmp_path)) / "queue-sync.png"))
    # a letter for someone not in the list yet: their view is logged, and only theirs
    other = _person(b, "Ioana", "Popa")
    second = uc.issue_referral(b.store, b.user, other.id, "vhs", "integration_course")
    uc.queue_for_printing(b.store, b.user, second.id)
    feature.letter_events.queue_changed.emit()
    assert queue.table.rowCount() == 2
    assert queue.info.text() == (
        "1 letter waiting to be printed. "
        "1 letter is not printed: its referral was closed after it was queued."
    )
    logged = audit.list_entries(b.store, b.user, action="view")
    assert [e.record_id for e in logged if e.record_kind == "print_queue"][:1] == [other.id]
    assert _queue_views(b) == views + 1


def test_the_queue_summary_counts_letters_that_print_apart_from_those_that_do_not(
    qtbot: QtBot, session: Session
) -> None:
    """One letter not printed is not "1 letter waiting … 1 of them is not printed" (read as
    two letters): the summary counts the letters waiting and those not printed apart, each
    with its plural, in every language."""
    set_language("en")
    person = _person(session)
    ids = [
        uc.issue_referral(session.store, session.user, person.id, "vhs", "integration_course").id
        for _ in range(3)
    ]
    for referral_id in ids:
        uc.queue_for_printing(session.store, session.user, referral_id)
    _win, feature = _window(qtbot, session, person)
    queue = feature.open_print_queue()
    assert queue.info.text() == "3 letters waiting to be printed."
    for referral_id in ids[:2]:
        uc.change_status(session.store, session.user, referral_id, ReferralStatus.CLOSED, "")
    expected = {
        "en": "1 letter waiting to be printed. 2 letters are not printed: their referrals were "
        "closed after they were queued.",
        "de": "1 Schreiben wartet auf den Druck. 2 Schreiben werden nicht gedruckt: Die "
        "Vermittlungen wurden abgeschlossen, nachdem sie eingereiht wurden.",
        "bg": "1 писмо чака за печат. 2 писма няма да се отпечатат: насочванията са приключени, "
        "след като писмата са добавени в опашката.",
        "ro": "1 scrisoare așteaptă imprimarea. 2 scrisori nu se imprimă: trimiterile au fost "
        "închise după ce scrisorile au fost adăugate în coadă.",
    }
    for lang, text in expected.items():
        set_language(lang)
        queue.show_jobs(log_view=False)
        assert queue.info.text() == text
    uc.change_status(session.store, session.user, ids[2], ReferralStatus.CLOSED, "")
    set_language("de")
    queue.show_jobs(log_view=False)
    assert queue.info.text() == (
        "3 Schreiben werden nicht gedruckt: Die Vermittlungen wurden abgeschlossen, nachdem sie "
        "eingereiht wurden."
    )
    set_language("en")


def _progress_dialogs(window: QWidget) -> list[QProgressDialog]:
    """The progress dialogs ``window`` holds, once the ones deleted are gone."""
    QApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)
    return window.findChildren(QProgressDialog)


@needs_qtpdf
def test_printing_again_and_again_leaves_no_progress_dialogs_behind(
    qtbot: QtBot, session: Session, printed_pdf: Path
) -> None:
    """Every print left a hidden progress dialog in the letter's window, and every Print all
    one in the queue's (kept for the window's life): three prints, three dialogs. The letter
    keeps none now; the queue only the last one, which says what the last print did."""
    person = _person(session)
    referral = uc.issue_referral(session.store, session.user, person.id, "jobcenter", "buergergeld")
    _win, feature = _window(qtbot, session, person)
    feature.open_preview(referral)
    preview = _wait_loaded(qtbot, feature)
    for _ in range(3):
        printed_pdf.unlink(missing_ok=True)
        preview.print_button.click()
        qtbot.waitUntil(printed_pdf.exists, timeout=20_000)
        qtbot.waitUntil(preview.print_button.isEnabled, timeout=20_000)
        assert _progress_dialogs(preview) == []
    preview.close()
    queue = feature.open_print_queue()
    for _ in range(3):
        uc.queue_for_printing(session.store, session.user, referral.id)
        queue.show_jobs(log_view=False)
        qtbot.waitUntil(lambda: queue.table.rowCount() == 1, timeout=10_000)
        assert print_all(qtbot, queue) == 1
        assert _progress_dialogs(queue) == [queue.progress]
        assert queue.progress is not None and queue.progress.value() == 1


def _answer(box: QMessageBox, remove: bool) -> None:
    if remove:
        role = QMessageBox.ButtonRole.AcceptRole
        next(b for b in box.buttons() if box.buttonRole(b) == role).click()
    else:
        QTest.keyClick(box, Qt.Key.Key_Return)  # the default keeps the letter


@pytest.mark.parametrize("lang", ["ro", "de"])
def test_remove_asks_whose_letter_it_is_and_keeps_it_by_default(
    qtbot: QtBot, session: Session, lang: str, shots: Path
) -> None:
    """Remove took the chosen letter out of the queue unasked: a slip (Alt+R for Alt+P, or
    the button beside Print all) lost the person's letter silently."""
    set_language(lang)
    person = _person(session)
    queued = uc.issue_referral(session.store, session.user, person.id, "vhs", "integration_course")
    closed = uc.issue_referral(session.store, session.user, person.id, "jobcenter", "buergergeld")
    for referral in (queued, closed):
        uc.queue_for_printing(session.store, session.user, referral.id)
    uc.change_status(session.store, session.user, closed.id, ReferralStatus.CLOSED)
    window, feature = _window(qtbot, session, person)
    queue = feature.open_print_queue()
    qtbot.waitExposed(queue)
    rows = {cell(queue.table, row, 4).text(): row for row in range(2)}
    queue.table.selectRow(rows[queued.reference])
    queue.remove_button.click()
    box = queue.question
    assert box is not None and box.isVisible()
    service = cell(queue.table, rows[queued.reference], 2).text()
    for named in ("Петър Петров", service, queued.reference):
        assert named in box.text(), (named, box.text())
    assert box.defaultButton() is box.escapeButton()  # Enter and Escape keep the letter
    assert box.buttonRole(box.defaultButton()) == QMessageBox.ButtonRole.RejectRole
    box.grab().save(str(shots / f"print-queue-remove-{lang}.png"))
    _answer(box, remove=False)
    qtbot.waitUntil(lambda: queue.question is None)
    assert window.recorder.wait(10_000)
    assert len(uc.print_queue(session.store, session.user)) == 2
    # Asked again and answered Remove: gone.
    queue.remove_button.click()
    assert queue.question is not None
    _answer(queue.question, remove=True)
    qtbot.waitUntil(lambda: queue.table.rowCount() == 1, timeout=10_000)
    assert [job.reference for job in uc.print_queue(session.store, session.user)] == [
        closed.reference
    ]
    # The closed referral's letter prints no more anyway: nothing to lose, removed unasked.
    queue.table.selectRow(0)
    queue.remove_button.click()
    assert queue.question is None
    qtbot.waitUntil(lambda: queue.table.rowCount() == 0, timeout=10_000)
    queue.close()


def test_a_helpers_empty_queue_says_when_her_prepared_letters_can_join_it(
    qtbot: QtBot, session: Session
) -> None:
    """Ioana, a student helper at an outreach point, prepared Maria's referral (a draft) and
    opened the print queue for its letter: it said only that the queue was empty. It says
    that her letters come once an advisor has signed them off, and where advisors find them
    (Person → Letters to sign off…, not each person's tab); an advisor's says no more
    than that it is empty, and a helper's with a letter in it no more than its count."""
    from desktop_app.domain.users import Role
    from desktop_app.usecases import accounts

    set_language("ro")
    person = _person(session, "Maria", "Popescu")
    accounts.add_user(session, "ioana", "Ioana Dumitrescu", Role.HELPER, "helper pass 123")
    helper = accounts.log_in(session.store.paths.data_dir, "ioana", "helper pass 123")
    try:
        draft = uc.issue_referral(
            helper.store, helper.user, person.id, "schulverwaltungsamt", "school_place"
        )
        assert not draft.signed_off
        window, feature = _window(qtbot, helper, person)
        queue = feature.open_print_queue()
        # ... and where the advisors find them to sign off (in German too, to tell them)
        assert queue.info.text() == (
            "Coada de imprimare este goală. Scrisorile trimiterilor pe care le pregătiți pot fi "
            "adăugate aici după ce un consilier le-a aprobat: consilierii le găsesc în meniul "
            "Persoană → Scrisori de aprobat… (în germană: Person → Schreiben zur Freigabe…)."
        )
        queue.close()
        set_language("de")
        queue = feature.open_print_queue()
        assert queue.info.text().endswith(  # the path's "…" ends the sentence, no "…."
            "Beraterinnen und Berater finden sie unter Person → Schreiben zur Freigabe…"
        )
        queue.close()
        set_language("ro")
        uc.sign_off(session.store, session.user, draft.id)
        uc.queue_for_printing(helper.store, helper.user, draft.id)
        queue = feature.open_print_queue()
        assert queue.info.text() == "1 scrisoare așteaptă imprimarea.", queue.info.text()
        queue.close()
        window.close()
    finally:
        helper.close()
    uc.remove_from_queue(
        session.store, session.user, uc.print_queue(session.store, session.user)[0].id
    )
    window, feature = _window(qtbot, session, person)
    queue = feature.open_print_queue()
    assert queue.info.text() == "Coada de imprimare este goală."
    queue.close()
    window.close()
