"""Referring from a person's page as a user would: dialog, preview, print queue, follow-ups."""

from __future__ import annotations

import datetime as dt
import io
import os
import tempfile
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pypdf
import pytest
from PySide6.QtCore import QEvent, QRect, Qt
from PySide6.QtGui import QColor, QImage
from PySide6.QtTest import QTest
from PySide6.QtWidgets import (
    QAbstractButton,
    QApplication,
    QCheckBox,
    QDialogButtonBox,
    QLabel,
    QTabWidget,
    QWidget,
)
from pytestqt.qtbot import QtBot

from desktop_app.domain.person import Person, PersonDraft
from desktop_app.domain.referral import _CROCKFORD, Referral, ReferralStatus
from desktop_app.domain.users import Role
from desktop_app.i18n.formatting import format_partial_date
from desktop_app.i18n.text import _ as gettext
from desktop_app.i18n.text import set_language
from desktop_app.ui import referrals as ui
from desktop_app.ui.help import plain
from desktop_app.ui.main_window import MainWindow
from desktop_app.ui.widgets import hanging_lines
from desktop_app.usecases import accounts, people
from desktop_app.usecases import referrals as uc
from desktop_app.usecases.accounts import Session
from tests.conftest import record_sharing_consent
from tests.pdf_text import pdf_pages
from tests.ui.conftest import (
    accept_every_next_step,
    answer_save_dialog,
    cell,
    header_cell,
    shown_window,
    store_held,
    type_text,
)

if TYPE_CHECKING:
    from tests.integration.sync_harness import Laptops

needs_qtpdf = pytest.mark.skipif(
    not ui.HAVE_QTPDF, reason="QtPdf (PySide6-Pdf wheel) is not installed"
)


@pytest.fixture
def clean_tmp(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A fresh temp folder for Qt and Python, to see whether printing leaves files behind."""
    folder = tmp_path / "tmp"
    folder.mkdir()
    monkeypatch.setenv("TMPDIR", str(folder))
    monkeypatch.setattr(tempfile, "tempdir", str(folder))
    return folder


def _person(
    session: Session, given: str = "Петър", family: str = "Петров", *, sharing: str = "given"
) -> Person:
    """A person who agreed to their data being passed to a service (unless ``sharing`` says
    "refused", or "" for no consent recorded)."""
    person = people.register_person(
        session.store,
        session.user,
        PersonDraft(given, family, "1985-03-14", languages=("bg", "de")),
        confirm_duplicates=True,
    )
    if sharing:
        record_sharing_consent(session, person.id, sharing)
    return person


def _window(
    qtbot: QtBot, session: Session, person: Person
) -> tuple[MainWindow, ui.ReferralsFeature]:
    window = shown_window(qtbot, session)
    window.show_person(person.id)
    return window, window.referrals  # type: ignore[attr-defined]


def open_referrals_tab(
    qtbot: QtBot, session: Session, person_id: str, width: int
) -> tuple[MainWindow, ui.ReferralsTab]:
    """The main window ``width`` px wide, the person opened on her referrals tab."""
    window = shown_window(qtbot, session, width)
    window.show_person(person_id)
    tab = window.referrals.tab  # type: ignore[attr-defined]
    [tabs] = [t for t in window.findChildren(QTabWidget) if t.indexOf(tab) >= 0]
    tabs.setCurrentWidget(tab)
    qtbot.waitUntil(tab.table.isVisible, timeout=5000)
    return window, tab


def _open_dialog(feature: ui.ReferralsFeature) -> ui.ReferDialog:
    assert feature.refer_button.isVisible()
    feature.refer_button.click()
    assert feature.dialog is not None
    return feature.dialog


def _create(qtbot: QtBot, dialog: ui.ReferDialog) -> None:
    """Click Create letter and wait for its answer (issued on a worker thread)."""
    with qtbot.waitSignal(dialog.save.answered, timeout=10_000):
        dialog.create_button.click()


def print_all(qtbot: QtBot, queue: ui.PrintQueueWindow) -> int:
    """Click Print all and wait until it is done (the letters are fetched off the UI thread,
    printed, and marked): how many were printed."""
    with qtbot.waitSignal(queue.printed, timeout=20_000) as done:
        queue.print_button.click()
    count: int = done.args[0]
    return count


def _wait_loaded(qtbot: QtBot, feature: ui.ReferralsFeature) -> ui.LetterPreview:
    preview = feature.preview
    assert preview is not None
    qtbot.waitUntil(lambda: bool(preview.pdf) or preview.message.styleSheet() != "", timeout=10000)
    return preview


def _preview_of_new_referral(
    qtbot: QtBot,
    session: Session,
    service: str = "jobcenter",
    reason: str = "buergergeld",
    **issue: Any,
) -> tuple[Person, Referral, MainWindow, ui.ReferralsFeature, ui.LetterPreview]:
    """A person referred to ``service`` (issued with ``issue``), shown in the main window, and
    the preview of the letter opened and loaded."""
    person = _person(session)
    referral = uc.issue_referral(session.store, session.user, person.id, service, reason, **issue)
    window, feature = _window(qtbot, session, person)
    feature.open_preview(referral)
    return person, referral, window, feature, _wait_loaded(qtbot, feature)


@needs_qtpdf
def test_refer_preview_queue_and_print_leave_no_pdf_behind(
    qtbot: QtBot,
    session: Session,
    data_dir: Path,
    tmp_path: Path,
    clean_tmp: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    person = _person(session)
    _win, feature = _window(qtbot, session, person)
    assert feature.refer_action.isEnabled()
    dialog = _open_dialog(feature)
    assert dialog.client_lang.currentData() == "bg"  # from the person's languages

    type_text(dialog.search, "clearing")
    assert dialog.services.count() == 1 and dialog.service_id() == "clearingstelle"
    assert dialog.documents.count() > 0  # pre-filled from the directory entry
    # no reason chosen: the message stands at the field and nothing is stored
    dialog.reason.setCurrentIndex(0)
    _create(qtbot, dialog)
    assert dialog.isVisible()
    assert dialog.errors["reason"].isVisible()
    assert dialog.errors["reason"].text() == "This field is required."
    assert uc.referrals_of(session.store, session.user, person.id) == []

    dialog.reason.setCurrentIndex(dialog.reason.findData("health_insurance"))
    dialog.has_appointment.setChecked(True)
    type_text(dialog.contact, "Frau Schäfer")
    type_text(dialog.new_document, "Mietvertrag")
    dialog.new_document.returnPressed.emit()
    _create(qtbot, dialog)
    [referral] = uc.referrals_of(session.store, session.user, person.id)
    assert referral.contact_person == "Frau Schäfer"
    assert referral.documents[-1] == "Mietvertrag"
    assert referral.appointment is not None
    assert feature.tab.table.rowCount() == 1
    assert cell(feature.tab.table, 0, feature.tab.STATUS).text() == "Issued"

    preview = _wait_loaded(qtbot, feature)
    assert preview.document.status() == ui.QPdfDocument.Status.Ready
    assert preview.document.pageCount() >= 2
    assert preview.print_button.isEnabled()
    text = " ".join(p.extract_text() or "" for p in pypdf.PdfReader(io.BytesIO(preview.pdf)).pages)
    assert "Петър Петров" in " ".join(text.split())

    # the person's copy can be switched to another language in the preview
    preview.language.setCurrentIndex(preview.language.findData("ro"))
    qtbot.waitUntil(lambda: bool(preview.pdf), timeout=10000)
    ro_text = " ".join(
        p.extract_text() or "" for p in pypdf.PdfReader(io.BytesIO(preview.pdf)).pages
    )
    assert "Trimiterea dumneavoastră" in " ".join(ro_text.split())
    preview.language.setCurrentIndex(preview.language.findData("bg"))
    qtbot.waitUntil(lambda: bool(preview.pdf), timeout=10000)

    # Save as PDF: the one time a letter reaches the disk, where the user says
    saved = tmp_path / "saved" / "letter"
    saved.parent.mkdir()
    preview.save_button.click()  # once a check off the UI thread found the letter current
    answer_save_dialog(qtbot, saved)
    qtbot.waitUntil((tmp_path / "saved" / "letter.pdf").exists, timeout=10000)
    assert (tmp_path / "saved" / "letter.pdf").read_bytes() == preview.pdf

    preview.queue_button.click()
    assert not preview.queue_button.isEnabled()
    qtbot.waitUntil(lambda: preview.queue_button.text() == "In the print queue", timeout=30_000)
    assert not preview.queue_button.isEnabled()
    [job] = uc.print_queue(session.store, session.user)
    assert job.referral_id == referral.id and job.size == len(preview.pdf)
    pages = preview.document.pageCount()
    preview.close()

    out = tmp_path / "printer" / "printed.pdf"
    out.parent.mkdir()
    monkeypatch.setenv(ui.PRINT_TO_PDF_ENV, str(out))
    queue = feature.open_print_queue()
    assert queue.table.rowCount() == 1
    assert cell(queue.table, 0, 1).text() == "Петър Петров"
    assert print_all(qtbot, queue) == 1
    assert queue.progress is not None
    assert queue.progress.maximum() == 1 and queue.progress.value() == 1
    qtbot.waitUntil(lambda: queue.table.rowCount() == 0, timeout=30_000)  # marked printed
    printed = pypdf.PdfReader(out)
    assert len(printed.pages) == pages
    width, height = (float(v) for v in printed.pages[0].mediabox.upper_right)
    assert abs(width - 595.3) < 2 and abs(height - 841.9) < 2  # A4
    assert uc.print_queue(session.store, session.user) == []
    assert queue.table.rowCount() == 0

    # no PDF (or any other file) left in the temp folder, no PDF in the data folder
    assert list(clean_tmp.rglob("*")) == []
    assert [p for p in data_dir.rglob("*") if p.suffix.lower() == ".pdf"] == []


@needs_qtpdf
def test_print_queue_prints_many_letters_in_one_go(
    qtbot: QtBot, session: Session, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    person = _person(session)
    _win, feature = _window(qtbot, session, person)
    for service, reason in (
        ("jobcenter", "buergergeld"),
        ("vhs", "integration_course"),
        ("familienkasse", "kindergeld"),
    ):
        referral = uc.issue_referral(
            session.store, session.user, person.id, service, reason, client_lang="ro"
        )
        uc.queue_for_printing(session.store, session.user, referral.id)
    out = tmp_path / "batch.pdf"
    monkeypatch.setenv(ui.PRINT_TO_PDF_ENV, str(out))
    queue = feature.open_print_queue()
    assert queue.table.rowCount() == 3
    assert print_all(qtbot, queue) == 3
    assert queue.progress is not None and queue.progress.value() == 3
    assert len(pypdf.PdfReader(out).pages) >= 6
    qtbot.waitUntil(lambda: "empty" in queue.info.text(), timeout=30_000)


def test_status_changes_show_in_the_follow_up_list(qtbot: QtBot, session: Session) -> None:
    person = _person(session, "Ștefan", "Țărănescu")
    today = dt.date.today()
    referral = uc.issue_referral(
        session.store, session.user, person.id, "vhs", "integration_course", follow_up=today
    )
    window, feature = _window(qtbot, session, person)
    follow_ups = feature.open_follow_ups()
    assert follow_ups.table.rowCount() == 1
    assert cell(follow_ups.table, 0, follow_ups.PERSON).text() == "Ștefan Țărănescu"
    assert cell(follow_ups.table, 0, follow_ups.STATUS).text() == "Issued"

    feature.tab.table.selectRow(0)
    feature.tab.status_button.click()
    dialog = window.findChild(ui.StatusDialog)
    assert dialog is not None
    dialog.set_status(ReferralStatus.ATTENDED)
    type_text(dialog.outcome, "Kurs ab Januar")
    with qtbot.waitSignal(dialog.save.answered, timeout=10_000):
        dialog.buttons.button(QDialogButtonBox.StandardButton.Save).click()
    assert cell(follow_ups.table, 0, follow_ups.STATUS).text() == "Attended"
    assert cell(feature.tab.table, 0, feature.tab.STATUS).text() == "Attended"
    assert uc.get_referral(session.store, session.user, referral.id).outcome == "Kurs ab Januar"
    history = cell(feature.tab.table, 0, feature.tab.STATUS).toolTip()
    assert "Issued (Anna Schmidt)" in history
    assert "Attended (Anna Schmidt): Kurs ab Januar" in history

    feature.tab.status_button.click()
    dialogs = [d for d in window.findChildren(ui.StatusDialog) if d.isVisible()]
    assert len(dialogs) == 1
    # the status cannot go back: earlier statuses are not offered
    offered = [dialogs[0].status.itemData(i) for i in range(dialogs[0].status.count())]
    assert offered == ["attended", "outcome_noted", "closed"]
    dialogs[0].set_status(ReferralStatus.CLOSED)
    with qtbot.waitSignal(dialogs[0].save.answered, timeout=10_000):
        dialogs[0].buttons.button(QDialogButtonBox.StandardButton.Save).click()
    assert follow_ups.table.rowCount() == 0
    assert follow_ups.info.text() == "No follow-ups are due."

    follow_ups.refresh()
    window.show_person(None)
    assert not feature.refer_action.isEnabled()


@needs_qtpdf
def test_bad_input_is_refused_at_the_field_or_lays_out(qtbot: QtBot, session: Session) -> None:
    long_name = ("Константин-Александър " * 10)[:200]
    person = _person(session, long_name, "Papadopoulos-Ștefănescu")
    _win, feature = _window(qtbot, session, person)
    dialog = _open_dialog(feature)
    dialog.select_service("wohnungsnotfallhilfe")
    dialog.reason.setCurrentIndex(dialog.reason.findData("other"))
    _create(qtbot, dialog)  # "other" needs the advisor's own words
    assert dialog.errors["reason_note"].text() == "This field is required."
    type_text(dialog.reason_note, "Braucht dringend einen Schlafplatz für heute Nacht.")
    dialog.contact.setText("x" * 201)
    _create(qtbot, dialog)
    assert dialog.errors["contact_person"].text() == "This is too long (at most 200 characters)."
    assert dialog.errors["reason_note"].isHidden()
    dialog.contact.setText("Herr Öztürk")
    for n in range(40):
        dialog.new_document.setText(f"Nachweis Nummer {n + 1} über frühere Wohnadressen")
        dialog.new_document.returnPressed.emit()
    _create(qtbot, dialog)
    assert not dialog.isVisible()
    preview = _wait_loaded(qtbot, feature)
    assert preview.document.pageCount() >= 3
    text = " ".join(p.extract_text() or "" for p in pypdf.PdfReader(io.BytesIO(preview.pdf)).pages)
    assert "Nachweis Nummer 40" in " ".join(text.split())
    preview.close()


def test_a_service_picked_by_its_code_shows_its_address_below_the_list_not_over_it(
    qtbot: QtBot, session: Session, program_font: None
) -> None:
    """The address and opening hours, wrapped to three lines in Bulgarian, were laid over the
    foot of the service list: the dialog had not grown for them."""
    set_language("bg")
    person = _person(session)
    _win, feature = _window(qtbot, session, person)
    dialog = _open_dialog(feature)
    qtbot.waitExposed(dialog)
    info, services = dialog.service_info, dialog.services
    for code in ("caritas_migration", "jobcenter"):
        dialog.search.clear()
        type_text(dialog.search, code)
        assert dialog.service_id() == code
        QApplication.processEvents()  # the layout it asked for
        assert "Dortmund" in info.text()
        assert not info.geometry().intersects(services.geometry())
        assert info.height() >= info.heightForWidth(info.width())  # every line shown


def test_without_qtpdf_the_letter_can_still_be_saved_and_queued(
    qtbot: QtBot, session: Session, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Where the PySide6-Pdf wheel is missing, nothing pretends to preview or print."""
    monkeypatch.setattr(ui, "HAVE_QTPDF", False)
    person = _person(session)
    _win, feature = _window(qtbot, session, person)
    dialog = _open_dialog(feature)
    dialog.select_service("jobcenter")
    assert dialog.reason.currentData() == "buergergeld"  # the service's own reasons come first
    _create(qtbot, dialog)
    preview = _wait_loaded(qtbot, feature)
    assert preview.view is None
    assert "Qt PDF" in preview.message.text()
    assert not preview.print_button.isEnabled()
    assert preview.save_button.isEnabled()
    preview.queue_button.click()
    qtbot.waitUntil(lambda: preview.queue_button.text() == "In the print queue", timeout=30_000)
    queue = feature.open_print_queue()
    assert queue.table.rowCount() == 1
    assert not queue.print_button.isEnabled()


def test_the_reason_pre_selected_is_the_one_about_the_services_main_topic(
    qtbot: QtBot, session: Session
) -> None:
    """The youth office gets support for the family, not the children's vaccinations that
    only touch its topic (which the person's copy would then promise)."""
    _win, feature = _window(qtbot, session, _person(session))
    dialog = _open_dialog(feature)
    dialog.select_service("jugendamt")
    assert dialog.reason.currentData() == "family_support"
    dialog.select_service("mitternachtsmission")
    assert dialog.reason.currentData() == "trafficking"
    dialog.select_service("vhs")
    assert dialog.reason.currentData() == "integration_course"
    assert dialog.reason.itemData(2) == "literacy_course"  # the service's other reason next


def test_a_helpers_letter_is_a_draft_until_an_advisor_signs_it_off(
    qtbot: QtBot, session: Session, tmp_path: Path
) -> None:
    from desktop_app.domain.users import Role
    from desktop_app.usecases import accounts

    accounts.add_user(session, "mihai", "Mihai", Role.HELPER, "helper pass 12")
    helper = accounts.log_in(session.store.paths.data_dir, "mihai", "helper pass 12")
    try:
        person = _person(helper)
        referral = uc.issue_referral(
            helper.store, helper.user, person.id, service_id="vhs", reason="integration_course"
        )
        _helper_window, feature = _window(qtbot, helper, person)
        assert "awaiting sign-off" in cell(feature.tab.table, 0, feature.tab.STATUS).text()
        feature.open_preview(referral)
        preview = _wait_loaded(qtbot, feature)
        qtbot.waitUntil(lambda: "draft" in preview.message.text(), timeout=10000)
        buttons = (preview.print_button, preview.save_button, preview.queue_button)
        assert not any(b.isEnabled() for b in buttons)
        assert not preview.sign_button.isVisible()  # a helper cannot sign off
        # ... and is told where the draft waits and where advisors find it to sign it off:
        # in their list of every helper's drafts; all of it, the path in German too (to tell
        # them), in the tooltip
        assert preview.message.text() == (
            "A draft, kept in the “Referrals” tab: an advisor signs it off under Person → "
            "Letters to sign off…, here or on their laptop after a sync. Then it can be printed."
        )
        assert preview.message.toolTip().endswith(
            " It is kept in the person's “Referrals” tab. Advisors find it among the letters "
            "to sign off, on this laptop or on theirs after a sync: under Person → Letters to "
            "sign off… (in German: Person → Schreiben zur Freigabe…), or from the notice in "
            "the main window that says how many wait."
        )
        preview.close()
        # The coordinator opens the same letter, signs it off, and may print it.
        _advisor_window, advisor_feature = _window(qtbot, session, person)
        advisor_feature.open_preview(referral)
        preview = _wait_loaded(qtbot, advisor_feature)
        qtbot.waitUntil(lambda: "draft" in preview.message.text(), timeout=10000)
        assert preview.sign_button.isVisible()
        assert "It is kept" not in preview.message.text()  # the button is before them
        assert not preview.message.toolTip()
        preview.grab().save(str(Path(os.environ.get("WELCOME_DESK_SHOTS", tmp_path)) / "draft.png"))
        preview.sign_button.click()
        qtbot.waitUntil(lambda: preview.queue_button.isEnabled(), timeout=10000)
        assert not preview.sign_button.isVisible()
        assert uc.get_referral(session.store, session.user, referral.id).signed_off
        advisor_tab = advisor_feature.tab
        assert "awaiting sign-off" not in cell(advisor_tab.table, 0, advisor_tab.STATUS).text()
    finally:
        helper.close()


@pytest.mark.parametrize("lang", ["de", "bg", "ro", "en"])
def test_a_helpers_draft_message_above_the_letter_takes_at_most_three_lines(
    qtbot: QtBot, session: Session, lang: str, program_font: None, shots: Path
) -> None:
    """Above a helper's draft letter the message took seven or eight lines (the draft, where
    it is kept, where advisors find it, the path in German, the notice): the letter's top was
    out of view. It says it in three lines at most now, in the preview as it opens, with the
    path in the helper's language; all of it is in its tooltip."""
    accounts.add_user(session, "mihai", "Mihai", Role.HELPER, "helper pass 12")
    helper = accounts.log_in(session.store.paths.data_dir, "mihai", "helper pass 12")
    set_language(lang)
    try:
        person = _person(helper)
        referral = uc.issue_referral(
            helper.store, helper.user, person.id, service_id="vhs", reason="integration_course"
        )
        _helper_window, feature = _window(qtbot, helper, person)
        feature.open_preview(referral)
        preview = _wait_loaded(qtbot, feature)
        message = preview.message
        qtbot.waitUntil(lambda: bool(message.toolTip()), timeout=10000)
        QApplication.processEvents()
        path = " → ".join(plain(gettext(m)) for m in ("&Person", "Letters to si&gn off…"))
        assert path in message.text(), message.text()
        assert plain(gettext("Referrals")) in message.text()
        metrics = message.fontMetrics()
        lines = (
            metrics.boundingRect(
                QRect(0, 0, message.contentsRect().width(), 10_000),
                Qt.TextFlag.TextWordWrap,
                message.text(),
            ).height()
            // metrics.lineSpacing()
        )
        assert 1 <= lines <= 3, (lines, message.width(), message.text())
        assert message.height() <= 3 * metrics.lineSpacing() + 10, message.height()
        assert message.toolTip().startswith(
            gettext(
                "A draft: an advisor must sign this referral off before the letter can be "
                "printed or saved."
            )
        )
        preview.grab().save(str(shots / f"draft-helper-{lang}.png"))
        preview.close()
    finally:
        set_language("en")
        helper.close()


# What the status bar says after "Create letter": (a helper's draft, an advisor's letter).
_CREATED = {
    "en": ("saved as a draft", "issued"),
    "de": ("als Entwurf gespeichert", "ausgestellt"),
    "bg": ("е чернова", "издадено"),
    "ro": ("salvată ca ciornă", "emisă"),
}


@pytest.mark.parametrize("lang", list(_CREATED))
def test_the_status_bar_says_a_helpers_referral_is_a_draft_and_an_advisors_issued(
    qtbot: QtBot, session: Session, lang: str, tmp_path: Path
) -> None:
    """After a helper created a letter the status bar said "Referral … issued" ("a fost
    emisă") though it waits for an advisor's sign-off: they took it as ready to hand over."""
    from desktop_app.domain.users import Role
    from desktop_app.usecases import accounts

    accounts.add_user(session, "mihai", "Mihai", Role.HELPER, "helper pass 12")
    helper = accounts.log_in(session.store.paths.data_dir, "mihai", "helper pass 12")
    set_language(lang)
    draft, issued = _CREATED[lang]
    try:
        for who in (helper, session):
            person = _person(who)
            window, feature = _window(qtbot, who, person)
            dialog = _open_dialog(feature)
            type_text(dialog.search, "clearing")
            dialog.reason.setCurrentIndex(dialog.reason.findData("health_insurance"))
            _create(qtbot, dialog)
            [referral] = uc.referrals_of(who.store, who.user, person.id)
            bar = window.statusBar()
            said = bar.currentMessage()
            if who is helper:
                shots = Path(os.environ.get("WELCOME_DESK_SHOTS", tmp_path))
                window.grab().save(str(shots / f"draft-status-{lang}.png"))
            assert referral.reference in said, said
            # read whole beside the user's name and the sync state, at the laptop's width,
            # whatever the reference's letters: a random one with wide letters (W, M) had the
            # Bulgarian draft's message a few pixels too long, now and then
            metrics = bar.fontMetrics()
            widest = max(_CROCKFORD, key=metrics.horizontalAdvance)
            said_widest = said.replace(referral.reference[-8:], widest * 8)
            beside = [w for w in bar.findChildren(QWidget) if w.isVisible() and w.x() > 0]
            room = min(w.x() for w in beside) if beside else bar.width()
            assert metrics.horizontalAdvance(said_widest) < room - 8, (said_widest, room)
            if who is helper:
                assert not referral.signed_off
                assert draft in said and issued not in said, said
            else:
                assert referral.signed_off
                assert issued in said and draft not in said, said
            if feature.preview is not None:
                feature.preview.close()
    finally:
        helper.close()


def _filled_dialog(
    qtbot: QtBot, session: Session
) -> tuple[Person, ui.ReferralsFeature, ui.ReferDialog]:
    """A referral to the clearing centre for health insurance, ready to be created."""
    person = _person(session)
    _win, feature = _window(qtbot, session, person)
    dialog = _open_dialog(feature)
    type_text(dialog.search, "clearing")
    dialog.reason.setCurrentIndex(dialog.reason.findData("health_insurance"))
    return person, feature, dialog


def test_creating_a_letter_does_not_wait_while_a_sync_writes(
    qtbot: QtBot, session: Session
) -> None:
    person, _feature, dialog = _filled_dialog(qtbot, session)
    issued: list[object] = []
    dialog.referral_issued.connect(issued.append)
    with (
        qtbot.waitSignal(dialog.save.answered, timeout=10_000),
        store_held(session) as (_release, held),
    ):
        dialog.create_button.click()
        assert held.is_set()  # it returned while the store was held
        assert dialog.save.saving and not dialog.create_button.isEnabled()
        assert issued == []
    assert len(issued) == 1 and not dialog.isVisible()
    [referral] = uc.referrals_of(session.store, session.user, person.id)
    assert referral.service_id == "clearingstelle"


def test_a_letter_dialog_closed_while_it_creates_keeps_the_referral_and_opens_nothing(
    qtbot: QtBot, session: Session
) -> None:
    person, feature, dialog = _filled_dialog(qtbot, session)
    with store_held(session) as (release, _held):
        dialog.create_button.click()
        release.set()
        dialog.reject()  # Escape, or the lock closing every dialog
    assert len(uc.referrals_of(session.store, session.user, person.id)) == 1
    qtbot.wait(50)  # the answer arrives: nobody hears of it
    assert feature.preview is None


def test_a_status_change_does_not_wait_while_a_sync_writes(qtbot: QtBot, session: Session) -> None:
    person = _person(session)
    _win, feature = _window(qtbot, session, person)
    referral = uc.issue_referral(
        session.store, session.user, person.id, "vhs", "integration_course"
    )
    dialog = feature.open_status_dialog(referral)
    dialog.set_status(ReferralStatus.ATTENDED)
    with (
        qtbot.waitSignal(dialog.save.answered, timeout=10_000),
        store_held(session) as (_release, held),
    ):
        dialog.buttons.button(QDialogButtonBox.StandardButton.Save).click()
        assert held.is_set() and dialog.save.saving  # it returned while the store was held
    assert not dialog.isVisible()
    changed = uc.get_referral(session.store, session.user, referral.id)
    assert changed is not None and changed.status is ReferralStatus.ATTENDED


def test_a_status_dialog_keeps_the_outcome_a_sync_brought_while_it_was_open(
    qtbot: QtBot, session: Session
) -> None:
    """The dialog shows the outcome as it was when opened. A colleague's outcome arrives
    meanwhile; moving the status on without touching the outcome keeps the colleague's."""
    person = _person(session)
    _win, feature = _window(qtbot, session, person)
    referral = uc.issue_referral(
        session.store, session.user, person.id, "vhs", "integration_course"
    )
    dialog = feature.open_status_dialog(referral)
    assert dialog.outcome.toPlainText() == ""
    uc.change_status(  # as a sync would
        session.store, session.user, referral.id, ReferralStatus.APPOINTMENT_MADE, "Test am 9.12."
    )
    dialog.set_status(ReferralStatus.ATTENDED)
    with qtbot.waitSignal(dialog.save.answered, timeout=10_000):
        dialog.buttons.button(QDialogButtonBox.StandardButton.Save).click()
    changed = uc.get_referral(session.store, session.user, referral.id)
    assert (changed.status, changed.outcome) == (ReferralStatus.ATTENDED, "Test am 9.12.")
    assert cell(feature.tab.table, 0, feature.tab.STATUS).text() == "Attended"


def test_a_letter_saved_and_queued_does_not_wait_while_a_sync_writes(
    qtbot: QtBot, session: Session, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Recording that the letter left the app and queueing it are written off the UI thread,
    in order; the queue button waits for the job."""
    from desktop_app.usecases import audit

    monkeypatch.setattr(ui, "HAVE_QTPDF", False)  # the preview is not what is tested here
    person, feature, dialog = _filled_dialog(qtbot, session)
    _create(qtbot, dialog)
    preview = _wait_loaded(qtbot, feature)
    saved = tmp_path / "letter.pdf"
    with store_held(session) as (_release, held):
        preview.save_button.click()
        assert held.is_set()  # it returned while the store was held
        answer_save_dialog(qtbot, saved)
        # the file itself does not wait (the check that the letter is current only reads)
        qtbot.waitUntil(saved.exists, timeout=10000)
        assert saved.read_bytes() == preview.pdf
        preview.queue_button.click()
        assert held.is_set()
        assert not preview.queue_button.isEnabled()
        assert preview.queue_button.text() == "Add to print &queue"
        assert uc.print_queue(session.store, session.user) == []
    qtbot.waitUntil(lambda: preview.queue_button.text() == "In the print queue", timeout=30_000)
    assert not preview.queue_button.isEnabled()
    [job] = uc.print_queue(session.store, session.user)
    assert job.person_name.endswith(person.family_name)
    entries = audit.list_entries(session.store, session.user, action="print")
    assert sorted(str(e.details["via"]) for e in entries) == ["pdf", "queue"]  # both written


@needs_qtpdf
def test_the_dialog_and_preview_say_what_goes_to_the_service_by_the_persons_consent(
    qtbot: QtBot, session: Session
) -> None:
    """Before the letter is made the advisor reads what the person agreed to; without a
    consent given the preview holds the person's sheet only and says why."""
    person = _person(session, "Ана", "Иванова", sharing="")
    _win, feature = _window(qtbot, session, person)
    dialog = _open_dialog(feature)
    assert dialog.consent_note.text().startswith("No consent of Ана Иванова")
    type_text(dialog.search, "clearing")
    dialog.reason.setCurrentIndex(dialog.reason.findData("health_insurance"))
    _create(qtbot, dialog)
    preview = _wait_loaded(qtbot, feature)
    assert preview.document.pageCount() == 1
    assert preview.message.text() == (
        "1 page: the person's own sheet only. No consent to their data being passed on to a "
        "service is recorded."
    )
    text = " ".join(p.extract_text() or "" for p in pypdf.PdfReader(io.BytesIO(preview.pdf)).pages)
    assert "einverstanden" not in text and "Sehr geehrte" not in " ".join(text.split())
    preview.reject()
    # Given (on the consent form, naming a service): said with the date and the service.
    record_sharing_consent(session, person.id, "given", "Clearingstelle Gesundheit")
    dialog = _open_dialog(feature)
    when = format_partial_date("2026-11-25")
    assert dialog.consent_note.text() == (
        f"Ана Иванова agreed on {when} to their data being passed on to: Clearingstelle "
        "Gesundheit. A letter goes only to a service named there; for any other, only their "
        "own sheet is printed."
    )
    type_text(dialog.search, "clearing")
    assert dialog.consent_note.text() == (
        f"Ана Иванова agreed on {when} to their data being passed on to: Clearingstelle "
        "Gesundheit. The letter to the service and their own sheet are printed."
    )
    assert not dialog.consent_note.styleSheet()
    # A consent covers the services it names: not the Jobcenter, which gets nothing.
    dialog.search.clear()
    dialog.select_service("jobcenter")
    assert dialog.consent_note.text() == (
        f"Ана Иванова's consent of {when} names “Clearingstelle Gesundheit”, not Jobcenter "
        "Dortmund. Only their own sheet is printed; the service gets nothing from us. Record "
        "a consent that names Jobcenter Dortmund to print the letter to it too."
    )
    assert "#8a5300" in dialog.consent_note.styleSheet()
    dialog.reason.setCurrentIndex(dialog.reason.findData("buergergeld"))
    _create(qtbot, dialog)
    preview = _wait_loaded(qtbot, feature)
    assert preview.document.pageCount() == 1
    # Why, as the dialog said: the person did agree, to another service. The preview said
    # "They did not agree … (or no consent is recorded)", which was not so.
    assert preview.message.text() == (
        "1 page: the person's own sheet only. Their consent names “Clearingstelle "
        "Gesundheit”, not Jobcenter Dortmund."
    )
    preview.reject()


def _access_key(text: str) -> str | None:
    """The letter after a single "&" ("&&" is a literal ampersand)."""
    plain = text.replace("&&", "")
    at = plain.find("&")
    return plain[at + 1].casefold() if 0 <= at < len(plain) - 1 else None


def _tab(qtbot: QtBot, dialog: QWidget, key: Qt.Key = Qt.Key.Key_Tab) -> QWidget:
    focused = dialog.focusWidget()
    assert focused is not None
    qtbot.keyClick(focused, key)
    after = dialog.focusWidget()
    assert after is not None
    return after


def test_the_letter_dialog_is_filled_and_created_by_keyboard_alone(
    qtbot: QtBot, session: Session
) -> None:
    """Tab into the note wrote tab characters and stayed there, so nothing below it could be
    reached; Enter pressed "Add" (the default button at runtime) and never made the letter."""
    person = _person(session)
    _win, feature = _window(qtbot, session, person)
    dialog = _open_dialog(feature)
    qtbot.waitUntil(lambda: dialog.search.hasFocus())
    type_text(dialog.search, "clearing")
    dialog.reason.setFocus()
    reached: list[QWidget] = [_tab(qtbot, dialog)]
    assert reached[0] is dialog.reason_note
    type_text(dialog.reason_note, "Seit Mai ohne Krankenversicherung.")
    for _ in range(12):
        reached.append(_tab(qtbot, dialog))
    assert dialog.reason_note.toPlainText() == "Seit Mai ohne Krankenversicherung."
    for widget in (
        dialog.has_appointment,
        dialog.contact,
        dialog.documents,
        dialog.new_document,
        dialog.add_button,
        dialog.remove_button,
        dialog.client_lang,
        dialog.create_button,
    ):
        assert widget in reached, widget
    # Space ticks the appointment; Tab then reaches its date
    dialog.has_appointment.setFocus()
    qtbot.keyClick(dialog.has_appointment, Qt.Key.Key_Space)
    assert _tab(qtbot, dialog) is dialog.appointment
    # Enter in the new-document field adds the document and makes no letter
    type_text(dialog.new_document, "Mietvertrag")
    qtbot.keyClick(dialog.new_document, Qt.Key.Key_Return)
    assert dialog.isVisible()
    assert "Mietvertrag" in dialog.document_values()
    assert not dialog.add_button.isDefault() and not dialog.add_button.autoDefault()
    assert not dialog.remove_button.autoDefault()
    # Enter anywhere else makes the letter
    type_text(dialog.contact, "Frau Schäfer")
    with qtbot.waitSignal(dialog.save.answered, timeout=10_000):
        qtbot.keyClick(dialog.contact, Qt.Key.Key_Return)
    assert not dialog.isVisible()
    [referral] = uc.referrals_of(session.store, session.user, person.id)
    assert referral.contact_person == "Frau Schäfer"
    assert referral.reason_note == "Seit Mai ohne Krankenversicherung."
    assert "Mietvertrag" in referral.documents and referral.appointment is not None
    assert feature.preview is not None


def test_the_arrow_keys_in_the_service_search_choose_among_the_services_found(
    qtbot: QtBot, session: Session
) -> None:
    """A search for "jugend" finds the Jugendamt by its name and four more by a topic: none was
    chosen, the Down key in the search did nothing, and Enter only said the service was
    missing. Now Down and Up move through the services found, the typing stays in the search,
    Enter makes the letter."""
    person = _person(session)
    _win, feature = _window(qtbot, session, person)
    dialog = _open_dialog(feature)
    qtbot.waitUntil(lambda: dialog.search.hasFocus())
    type_text(dialog.search, "jugend")
    assert dialog.services.count() > 1 and dialog.service_id() == ""
    qtbot.keyClick(dialog.search, Qt.Key.Key_Down)
    assert dialog.service_id() == "jugendamt"  # the name's match comes first
    assert dialog.search.hasFocus() and dialog.search.text() == "jugend"
    qtbot.keyClick(dialog.search, Qt.Key.Key_Down)
    second = dialog.service_id()
    assert second not in ("", "jugendamt")
    qtbot.keyClick(dialog.search, Qt.Key.Key_Up)
    qtbot.keyClick(dialog.search, Qt.Key.Key_Up)  # stays on the first
    assert dialog.service_id() == "jugendamt"
    assert dialog.reason.currentData()  # the reason about its main topic, pre-selected
    with qtbot.waitSignal(dialog.save.answered, timeout=10_000):
        qtbot.keyClick(dialog.search, Qt.Key.Key_Return)
    [referral] = uc.referrals_of(session.store, session.user, person.id)
    assert referral.service_id == "jugendamt"


def test_every_field_of_the_letter_dialog_has_an_access_key_of_its_own(
    qtbot: QtBot, session: Session
) -> None:
    """Alt+letter reaches each field and button, in every language, and a screen reader
    names each field."""
    window, feature = _window(qtbot, session, _person(session))
    try:
        for lang in ("en", "de", "bg", "ro"):
            window.switch_language(lang)
            dialog = _open_dialog(feature)
            labels = [
                label
                for label in dialog.findChildren(QLabel)
                if label.buddy() is not None and label.isVisibleTo(dialog)
            ]
            buttons = [dialog.add_button, dialog.remove_button, dialog.create_button]
            texts = [w.text() for w in labels] + [b.text() for b in buttons]
            keys = [_access_key(t) for t in texts]
            assert len(labels) == 7, (lang, [w.text() for w in labels])
            assert None not in keys, (lang, texts)
            others = [  # Cancel (Escape), the appointment's box (its label's key)
                b.text()
                for b in dialog.findChildren(QAbstractButton)
                if b.isVisibleTo(dialog) and b not in buttons
            ]
            keys += [k for k in map(_access_key, others) if k is not None]
            assert len(set(keys)) == len(keys), (lang, texts, others)
            for label in labels:
                buddy = label.buddy()
                if isinstance(buddy, QCheckBox):  # read by its own text ("Appointment agreed")
                    assert buddy.accessibleName() == "", lang
                    continue
                assert buddy.accessibleName() == label.text().replace("&", "").rstrip(":"), lang
            for field in (dialog.services, dialog.appointment, dialog.new_document):
                assert field.accessibleName(), (lang, field)
            # Alt+key moves the focus to each field, Cyrillic keys too: sent as the key code
            # of the capital letter, as a Bulgarian keyboard sends it (QTest's text keys are
            # Latin only)
            dialog.activateWindow()  # shortcuts go to the active window
            qtbot.waitUntil(dialog.isActiveWindow)
            for label in labels:
                key = _access_key(label.text())
                assert key is not None
                focused = dialog.focusWidget()
                assert focused is not None
                qtbot.keyClick(focused, Qt.Key(ord(key.upper())), Qt.KeyboardModifier.AltModifier)
                buddy = label.buddy()
                assert dialog.focusWidget() in (buddy, buddy.focusProxy()), (lang, label.text())
            dialog.reject()
    finally:
        window.switch_language("en")


def _appointment(dialog: ui.ReferDialog, when: dt.datetime) -> None:
    from PySide6.QtCore import QDateTime

    dialog.appointment.setDateTime(QDateTime(when))


@pytest.mark.parametrize(
    ("lang", "hours", "says"),
    [
        ("en", "Mon–Fri 8:00–12:30, Thu also 14:00–17:30", "outside the opening hours of"),
        (
            "de",
            "Mo–Fr 8:00–12:30 Uhr, Do zusätzlich 14:00–17:30 Uhr",
            "außerhalb der Öffnungszeiten von",
        ),
        # the hours end with the abbreviation's full stop, which ends the sentence too
        ("bg", "в четвъртък също 14:00–17:30 ч. Моля", "извън работното време на"),
    ],
)
def test_an_appointment_outside_the_opening_hours_is_warned_of_not_refused(
    qtbot: QtBot, session: Session, lang: str, hours: str, says: str
) -> None:
    from desktop_app.i18n.text import set_language

    set_language(lang)
    _win, feature = _window(qtbot, session, _person(session))
    dialog = _open_dialog(feature)
    dialog.select_service("jobcenter")
    warning = dialog.hours_warning
    # A Monday at least a week ahead: an appointment in the past is refused, not warned of.
    today = dt.date.today()
    monday = today + dt.timedelta(days=7 + (7 - today.weekday()) % 7)
    thursday, saturday = monday + dt.timedelta(days=3), monday + dt.timedelta(days=5)

    def at(day: dt.date, hour: int, minute: int = 0) -> dt.datetime:
        return dt.datetime.combine(day, dt.time(hour, minute))

    _appointment(dialog, at(monday, 15))
    assert warning.isHidden()  # no appointment ticked yet
    dialog.has_appointment.setChecked(True)
    assert warning.isVisible() and hours in warning.text() and says in warning.text()
    assert "Jobcenter Dortmund" in warning.text()
    assert "#8a5300" in warning.styleSheet()  # amber: a warning, not an error
    dialog.show()
    _appointment(dialog, at(monday, 9, 30))
    assert warning.isHidden()
    _appointment(dialog, at(thursday, 16))  # Thursday afternoon: open
    assert warning.isHidden()
    _appointment(dialog, at(saturday, 10))
    assert warning.isVisible()
    dialog.select_service("clearingstelle")  # "… und nach Vereinbarung": no warning possible
    assert warning.isHidden()
    dialog.select_service("jobcenter")
    assert warning.isVisible()
    dialog.has_appointment.setChecked(False)
    assert warning.isHidden()
    # Not blocking: the advisor may know better, the referral is made with the appointment.
    dialog.has_appointment.setChecked(True)
    _create(qtbot, dialog)
    referral = uc.referrals_of(session.store, session.user, dialog.person.id)[0]
    assert referral.appointment == at(saturday, 10)


def test_an_appointment_is_offered_on_the_next_working_day() -> None:
    """Offered for tomorrow at 9:00, it was a Saturday on Fridays (the Jobcenter closed: a
    warning as soon as "Appointment agreed" was ticked)."""
    friday, saturday, sunday, monday = (dt.date(2026, 12, d) for d in (4, 5, 6, 7))
    assert ui.next_working_day(friday) == monday
    assert ui.next_working_day(saturday) == monday
    assert ui.next_working_day(sunday) == monday
    assert ui.next_working_day(monday) == dt.date(2026, 12, 8)
    offered = ui.appointment_field(None).dateTime().toPython()
    assert isinstance(offered, dt.datetime)
    assert offered == dt.datetime.combine(ui.next_working_day(dt.date.today()), dt.time(9, 0))


def test_the_status_dialog_warns_of_the_opening_hours_only_while_the_appointment_is_ahead(
    qtbot: QtBot, session: Session
) -> None:
    """A referral attended or closed showed "outside the opening hours … Please check the date
    and time" under an appointment that had taken place (the demo's, every few referrals)."""
    person = _person(session)
    issued = dt.datetime(2026, 11, 20, 9, 0)
    saturday = dt.datetime(2026, 11, 28, 10, 0)  # the Jobcenter is closed
    referral = uc.issue_referral(
        session.store,
        session.user,
        person.id,
        "jobcenter",
        "buergergeld",
        appointment=saturday,
        now=issued,
    )
    _win, feature = _window(qtbot, session, person)
    dialog = feature.open_status_dialog(referral)
    assert dialog.has_appointment.isChecked()
    assert dialog.hours_warning.isVisible()  # still to come: worth checking
    dialog.status.setCurrentIndex(dialog.status.findData(str(ReferralStatus.ATTENDED)))
    assert dialog.hours_warning.isHidden()
    dialog.reject()
    went = uc.change_status(
        session.store,
        session.user,
        referral.id,
        ReferralStatus.CLOSED,
        "Antrag gestellt",
        now=dt.datetime(2026, 11, 30, 9, 0),
    )
    dialog = feature.open_status_dialog(went)
    assert dialog.has_appointment.isChecked()
    assert dialog.hours_warning.isHidden()
    dialog.reject()


def test_a_homeless_persons_documents_start_without_a_tenancy_agreement(
    qtbot: QtBot, session: Session
) -> None:
    from desktop_app.usecases import visits
    from tests.unit.test_visits import full_life_situation

    person = _person(session)
    answers = {**full_life_situation(), "housing_type": "homeless", "rent": None}
    visits.finish_visit(session.store, session.user, person.id, "life_situation", answers)
    _win, feature = _window(qtbot, session, person)
    dialog = _open_dialog(feature)
    dialog.select_service("jobcenter")
    listed = [dialog.documents.item(i).text() for i in range(dialog.documents.count())]
    assert "Identity card or passport" in listed
    assert "Tenancy agreement" not in listed
    assert "Certificate of address registration (Anmeldung)" not in listed  # not registered
    dialog.select_service("wohnungsnotfallhilfe")
    assert dialog.document_values()[:1] == ("id_card",)
    assert "rental_contract" not in dialog.document_values()
    # no landlord to sign a Wohnungsgeberbestätigung for the Bürgerdienste either
    dialog.select_service("citizens_office")
    assert "id_card" in dialog.document_values()
    assert "landlord_confirmation" not in dialog.document_values()


def _two_due_and_queued(session: Session) -> Person:
    """A person with two referrals (one to the Familienkasse, with its long name), each due
    for a follow-up today and its letter in the print queue."""
    person = _person(session)
    for service, reason in (("familienkasse", "kindergeld"), ("jobcenter", "buergergeld")):
        referral = uc.issue_referral(
            session.store, session.user, person.id, service, reason, follow_up=dt.date.today()
        )
        uc.queue_for_printing(session.store, session.user, referral.id)
    return person


@pytest.mark.parametrize("lang", ["bg", "ro"])
def test_the_follow_ups_and_the_print_queue_show_every_column_without_scrolling(
    qtbot: QtBot, session: Session, program_font: None, lang: str
) -> None:
    """A service's full name ("Familienkasse Nordrhein-Westfalen Ost (каса за семейни
    помощи)") took the follow-ups' width: the status, the appointment and the reference, and
    the print queue's language, were out of sight to the right. The name is elided now, whole
    in its tooltip."""
    set_language(lang)
    person = _two_due_and_queued(session)
    _win, feature = _window(qtbot, session, person)
    for window in (feature.open_follow_ups(), feature.open_print_queue()):
        qtbot.waitExposed(window)
        table = window.table
        assert table.rowCount() == 2
        assert table.horizontalHeader().length() <= table.viewport().width(), lang
        assert not table.horizontalScrollBar().isVisible()
        service = window.SERVICE if isinstance(window, ui.FollowUpsWindow) else 2
        names = {cell(table, row, service).toolTip() for row in range(2)}
        assert any(name.startswith("Familienkasse Nordrhein-Westfalen Ost (") for name in names)
        window.close()


def test_the_refer_dialogs_commands_in_romanian_are_imperatives(
    qtbot: QtBot, session: Session
) -> None:
    """Romanian commands are the imperative, 2nd person singular, as "Anulează" beside them
    and "Caută o persoană" in the main window: the dialog said "Adăugare", "Eliminare",
    "Creare scrisoare" (nouns) and "Căutați un serviciu" (plural)."""
    set_language("ro")
    person = _person(session)
    _win, feature = _window(qtbot, session, person)
    dialog = _open_dialog(feature)
    assert dialog.add_button.text() == "&Adaugă"
    assert dialog.remove_button.text() == "&Elimină"
    assert dialog.create_button.text() == "Creează sc&risoarea"
    assert dialog.search.placeholderText() == "Caută un serviciu după nume sau temă"
    dialog.reject()


# a long name in both languages, the service's German name first in each
LAPTOP_SERVICES = ("familienkasse", "jobcenter", "wohnungsnotfallhilfe")


@pytest.mark.parametrize(
    ("lang", "service_header", "appointment_header"),
    [
        ("bg", "Служба", "Час"),
        ("de", "Stelle", "Termin"),
    ],
)
def test_the_persons_referrals_show_service_and_appointment_at_a_laptops_width(
    qtbot: QtBot,
    session: Session,
    program_font: None,
    lang: str,
    service_header: str,
    appointment_header: str,
) -> None:
    """On a 1100 px screen in Bulgarian the service's full name filled the person's referrals
    and the appointment, after it, was out of sight; then with the status and dates first the
    service, fourth, was cut to "Jobc…" or off the tab: rows told apart only by scrolling. The
    service comes first now, elided (whole in its tooltip), the appointment beside it."""
    set_language(lang)
    person = _person(session)
    when = dt.datetime.combine(dt.date.today() + dt.timedelta(days=5), dt.time(9, 30))
    for service_id in LAPTOP_SERVICES:
        uc.issue_referral(
            session.store, session.user, person.id, service_id, "kindergeld", appointment=when
        )
    _window, tab = open_referrals_tab(qtbot, session, person.id, 1100)
    table, header = tab.table, tab.table.horizontalHeader()
    headers = [header_cell(table, c).text() for c in range(table.columnCount())]
    service, appointment = headers.index(service_header), headers.index(appointment_header)
    room = table.viewport().width()
    for column in (service, appointment):
        assert header.sectionViewportPosition(column) >= 0
        assert header.sectionViewportPosition(column) + header.sectionSize(column) <= room
    names = {ui.service_name(s, session.store) for s in LAPTOP_SERVICES}
    assert table.rowCount() == len(names)
    shown = set()
    for row in range(table.rowCount()):
        assert cell(table, row, appointment).text() == ui._date(when)
        name = cell(table, row, service).text()
        # whole in its tooltip's first line (the columns left out at 1100 px on the next)
        assert name in names and cell(table, row, service).toolTip().split("\n")[0] == name
        # what the cell draws: Qt's margins (about 4 px each side) leave the rest for the text
        drawn = table.fontMetrics().elidedText(
            name, Qt.TextElideMode.ElideRight, header.sectionSize(service) - 8
        )
        # the real name from its start, its first word whole at least ("Familienkasse
        # Nordrhein-Westfal…", not "Fam…"): enough to tell the rows apart
        assert name.startswith(drawn.removesuffix("…")), (drawn, name)
        assert len(drawn.removesuffix("…")) >= len(name.split(" ")[0]) + 8, (drawn, name)
        shown.add(drawn)
    assert len(shown) == len(names)


def test_the_status_dialog_shows_the_steps_so_far(qtbot: QtBot, session: Session) -> None:
    """The status history was only in the status cell's tooltip, out of a keyboard's reach;
    the dialog that changes the status lists it."""
    set_language("ro")
    person = _person(session, "Ștefan", "Țărănescu")
    referral = uc.issue_referral(
        session.store, session.user, person.id, "vhs", "integration_course"
    )
    uc.change_status(
        session.store, session.user, referral.id, ReferralStatus.ATTENDED, "Kurs ab Januar"
    )
    window, feature = _window(qtbot, session, person)
    feature.tab.table.selectRow(0)
    feature.tab.status_button.click()
    dialog = window.findChild(ui.StatusDialog)
    assert dialog is not None
    lines = dialog.history.text().splitlines()
    assert len(lines) == 2
    assert lines[0].endswith("Emisă (Anna Schmidt)")
    assert lines[1].endswith("S-a prezentat (Anna Schmidt): Kurs ab Januar")
    dialog.reject()


@pytest.mark.parametrize(
    ("lang", "made", "no_date"),
    [
        ("de", "Termin vereinbart", "Datum noch nicht bekannt"),
        ("ro", "Programare făcută", "Data nu se știe încă"),
    ],
)
def test_an_appointment_arranged_after_issuing_is_entered_in_the_status_dialog_by_keyboard(
    qtbot: QtBot, session: Session, lang: str, made: str, no_date: str
) -> None:
    """The advisor phones the job centre the day after issuing the letter. The status dialog
    offered "Appointment made" but nowhere to say when: the person's referrals, the
    follow-ups and a reprinted copy went on saying there was no appointment."""
    set_language(lang)
    person = _person(session, "Ștefan", "Țărănescu")
    referral = uc.issue_referral(
        session.store,
        session.user,
        person.id,
        "jobcenter",
        "buergergeld",
        follow_up=dt.date.today(),
    )
    window, feature = _window(qtbot, session, person)
    follow_ups = feature.open_follow_ups()
    headers = [header_cell(follow_ups.table, c).text() for c in range(7)]
    in_follow_ups = headers.index(gettext("Appointment"))
    assert cell(follow_ups.table, 0, in_follow_ups).text() == "—"
    feature.tab.table.selectRow(0)
    feature.tab.status_button.click()
    dialog = window.findChild(ui.StatusDialog)
    assert dialog is not None
    dialog.set_status(ReferralStatus.APPOINTMENT_MADE)  # it opens on the status it has
    assert dialog.status.currentText() == made
    # "Appointment made" with no date yet is allowed, and said so beside the field
    assert not dialog.has_appointment.isChecked() and not dialog.appointment.isEnabled()
    assert dialog.no_date.isVisibleTo(dialog) and dialog.no_date.text() == no_date
    # Closed (or attended) without one: nothing is awaited any more, so nothing is said
    dialog.set_status(ReferralStatus.CLOSED)
    assert not dialog.no_date.isVisibleTo(dialog)
    dialog.set_status(ReferralStatus.APPOINTMENT_MADE)
    assert dialog.no_date.isVisibleTo(dialog)
    [label] = [w for w in dialog.findChildren(QLabel) if w.buddy() is dialog.has_appointment]
    key = _access_key(label.text())
    assert key is not None
    dialog.activateWindow()
    qtbot.waitUntil(dialog.isActiveWindow)
    focused = dialog.focusWidget()
    assert focused is not None
    qtbot.keyClick(focused, Qt.Key(ord(key.upper())), Qt.KeyboardModifier.AltModifier)
    assert dialog.focusWidget() is dialog.has_appointment
    qtbot.keyClick(dialog.has_appointment, Qt.Key.Key_Space)
    assert dialog.appointment.isEnabled() and not dialog.no_date.isVisibleTo(dialog)
    assert _tab(qtbot, dialog) is dialog.appointment
    when = dt.datetime.combine(dt.date.today() + dt.timedelta(days=6), dt.time(10, 30))
    qtbot.keyClicks(dialog.appointment, f"{when:%d%m%Y%H%M}")
    assert dialog.appointment.dateTime().toPython() == when
    # the follow-up due today was before it: two weeks after the appointment is proposed
    follow_up = when.date() + dt.timedelta(days=14)
    assert dialog.follow_up.date().toPython() == follow_up
    with qtbot.waitSignal(dialog.save.answered, timeout=10_000):
        qtbot.keyClick(dialog.appointment, Qt.Key.Key_Return)
    assert not dialog.isVisible()
    stored = uc.get_referral(session.store, session.user, referral.id)
    assert (stored.status, stored.appointment) == (ReferralStatus.APPOINTMENT_MADE, when)
    assert stored.follow_up == follow_up
    headers = [header_cell(feature.tab.table, c).text() for c in range(6)]
    in_tab = headers.index(gettext("Appointment"))
    assert cell(feature.tab.table, 0, in_tab).text() == ui._date(when)
    assert follow_ups.table.rowCount() == 0  # no longer due today
    follow_ups.refresh(follow_up)
    assert cell(follow_ups.table, 0, in_follow_ups).text() == ui._date(when)
    # Opened again, the dialog shows it; unticked and saved, it is gone again
    feature.tab.status_button.click()
    [again] = [d for d in window.findChildren(ui.StatusDialog) if d.isVisible()]
    assert again.has_appointment.isChecked()
    assert again.appointment.dateTime().toPython() == when
    again.has_appointment.setChecked(False)
    with qtbot.waitSignal(again.save.answered, timeout=10_000):
        again.buttons.button(QDialogButtonBox.StandardButton.Save).click()
    assert uc.get_referral(session.store, session.user, referral.id).appointment is None
    assert cell(feature.tab.table, 0, in_tab).text() == "—"


def test_an_appointment_before_the_letter_was_issued_is_refused_in_the_status_dialog(
    qtbot: QtBot, session: Session
) -> None:
    set_language("de")
    person = _person(session)
    referral = uc.issue_referral(
        session.store, session.user, person.id, "vhs", "integration_course"
    )
    _win, feature = _window(qtbot, session, person)
    dialog = feature.open_status_dialog(referral)
    dialog.has_appointment.setChecked(True)
    from PySide6.QtCore import QDateTime

    dialog.appointment.setDateTime(QDateTime(referral.created_at - dt.timedelta(days=3)))
    with qtbot.waitSignal(dialog.save.answered, timeout=10_000):
        dialog.buttons.button(QDialogButtonBox.StandardButton.Save).click()
    assert dialog.isVisible()
    assert dialog.error.text().startswith("Der Termin liegt vor dem Tag")
    assert uc.get_referral(session.store, session.user, referral.id).appointment is None
    dialog.reject()


def test_an_appointment_recorded_later_moves_a_follow_up_before_it_in_the_status_dialog(
    qtbot: QtBot, session: Session
) -> None:
    """The letter went out with the usual follow-up in two weeks; the appointment, arranged
    later, is in five weeks: saved as it was, the follow-up asked how an appointment went
    three weeks before it. The dialog proposes the date issuing would have given (two weeks
    after the appointment), in the field, and leaves a date the user picked here alone."""
    set_language("bg")
    person = _person(session)
    referral = uc.issue_referral(session.store, session.user, person.id, "jobcenter", "buergergeld")
    issued_follow_up = referral.follow_up
    assert issued_follow_up == referral.created_at.date() + dt.timedelta(days=14)
    _win, feature = _window(qtbot, session, person)
    dialog = feature.open_status_dialog(referral)
    assert dialog.has_follow_up.isChecked()
    dialog.activateWindow()
    qtbot.waitUntil(dialog.isActiveWindow)
    dialog.has_appointment.setFocus()
    qtbot.keyClick(dialog.has_appointment, Qt.Key.Key_Space)
    assert _tab(qtbot, dialog) is dialog.appointment
    when = dt.datetime.combine(referral.created_at.date() + dt.timedelta(days=35), dt.time(10, 0))
    qtbot.keyClicks(dialog.appointment, f"{when:%d%m%Y%H%M}")
    assert dialog.appointment.dateTime().toPython() == when
    proposed = when.date() + dt.timedelta(days=14)
    assert dialog.follow_up.date().toPython() == proposed
    # the user can still pick another date
    dialog.has_follow_up.setFocus()
    assert _tab(qtbot, dialog) is dialog.follow_up
    own = when.date() + dt.timedelta(days=3)
    qtbot.keyClicks(dialog.follow_up, f"{own:%d%m%Y}")
    assert dialog.follow_up.date().toPython() == own
    # and moving the appointment past it now leaves the user's date as it is
    dialog.has_appointment.setFocus()
    assert _tab(qtbot, dialog) is dialog.appointment
    later = when + dt.timedelta(days=10)
    qtbot.keyClicks(dialog.appointment, f"{later:%d%m%Y%H%M}")
    assert dialog.appointment.dateTime().toPython() == later
    assert dialog.follow_up.date().toPython() == own
    with qtbot.waitSignal(dialog.save.answered, timeout=10_000):
        dialog.buttons.button(QDialogButtonBox.StandardButton.Save).click()
    stored = uc.get_referral(session.store, session.user, referral.id)
    assert (stored.appointment, stored.follow_up) == (later, own)


def test_the_status_dialog_proposes_no_follow_up_when_none_is_ticked_or_it_is_after(
    qtbot: QtBot, session: Session
) -> None:
    set_language("de")
    person = _person(session)
    far = dt.date.today() + dt.timedelta(days=90)
    referral = uc.issue_referral(
        session.store, session.user, person.id, "vhs", "integration_course", follow_up=far
    )
    _win, feature = _window(qtbot, session, person)
    dialog = feature.open_status_dialog(referral)
    dialog.has_appointment.setChecked(True)
    from PySide6.QtCore import QDateTime

    dialog.appointment.setDateTime(QDateTime(referral.created_at + dt.timedelta(days=20)))
    assert dialog.follow_up.date().toPython() == far  # already after the appointment
    later = referral.created_at + dt.timedelta(days=120)
    dialog.appointment.setDateTime(QDateTime(later))
    assert dialog.follow_up.date().toPython() == later.date() + dt.timedelta(days=14)
    dialog.has_appointment.setChecked(False)  # no appointment after all: as it was
    assert dialog.follow_up.date().toPython() == far
    dialog.has_appointment.setChecked(True)
    dialog.appointment.setDateTime(QDateTime(referral.created_at + dt.timedelta(days=20)))
    dialog.has_follow_up.setChecked(False)
    dialog.appointment.setDateTime(QDateTime(referral.created_at + dt.timedelta(days=200)))
    assert dialog.follow_up.date().toPython() == far  # no follow-up wanted: nothing proposed
    dialog.reject()


def test_the_refer_dialog_refuses_an_appointment_before_today_at_the_field_in_romanian(
    qtbot: QtBot, session: Session
) -> None:
    """The refer dialog issued a letter naming an appointment of the day before (the status
    dialog refused that): the message now stands at the appointment, which gets the focus."""
    from PySide6.QtCore import QDateTime

    set_language("ro")
    person = _person(session, "Ștefan", "Țărănescu")
    _win, feature = _window(qtbot, session, person)
    dialog = _open_dialog(feature)
    dialog.select_service("vhs")
    dialog.reason.setCurrentIndex(dialog.reason.findData("integration_course"))
    dialog.has_appointment.setChecked(True)
    yesterday = dt.datetime.combine(dt.date.today() - dt.timedelta(days=1), dt.time(10, 0))
    dialog.appointment.setDateTime(QDateTime(yesterday))
    dialog.activateWindow()
    qtbot.waitUntil(dialog.isActiveWindow)
    _create(qtbot, dialog)
    assert dialog.isVisible()
    error = dialog.errors["appointment"]
    assert error.isVisible()
    assert error.text().startswith("Programarea este înainte de ziua")
    assert dialog.focusWidget() is dialog.appointment
    assert uc.referrals_of(session.store, session.user, person.id) == []
    tomorrow = yesterday + dt.timedelta(days=2)
    dialog.appointment.setDateTime(QDateTime(tomorrow))
    _create(qtbot, dialog)
    assert not dialog.isVisible()
    [referral] = uc.referrals_of(session.store, session.user, person.id)
    assert referral.appointment == tomorrow


def test_a_preview_closed_before_its_letter_is_ready_takes_the_letter_quietly(
    qtbot: QtBot, session: Session
) -> None:
    """Escape at once after opening the preview: the preview is deleted on close, and the
    letter rendered meanwhile went to it ("Internal C++ object (LetterPreview) already
    deleted" to the error handler)."""
    person = _person(session, "Ion", "Popa")
    window, feature = _window(qtbot, session, person)
    referral = uc.issue_referral(
        session.store, session.user, person.id, "vhs", "integration_course", client_lang="ro"
    )
    preview = feature.open_preview(referral)
    QTest.keyClick(preview, Qt.Key.Key_Escape)
    QApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)  # deleted on close
    assert window.tasks.wait(20_000)
    QApplication.processEvents()  # the rendered letter delivered: to nobody


def test_tab_leaves_the_referral_lists_for_their_buttons(qtbot: QtBot, session: Session) -> None:
    """Tab in the follow-ups, the print queue and a person's referrals went from cell to cell
    and never reached the buttons under them, as the record lists did before record_table."""
    person = _two_due_and_queued(session)
    win, feature = _window(qtbot, session, person)
    [tabs] = [t for t in win.findChildren(QTabWidget) if t.indexOf(feature.tab) >= 0]
    tabs.setCurrentWidget(feature.tab)
    follow_ups, queue = feature.open_follow_ups(), feature.open_print_queue()
    for table, buttons in (
        (follow_ups.table, follow_ups.buttons.buttons()),
        (queue.table, queue.buttons.buttons()),
        (feature.tab.table, [feature.tab.status_button, feature.tab.letter_button]),
    ):
        qtbot.waitExposed(table)
        assert table.rowCount() == 2
        table.setFocus()
        table.setCurrentCell(0, 0)
        qtbot.keyClick(table, Qt.Key.Key_Tab)
        assert table.window().focusWidget() in buttons, table.accessibleName()
        assert table.currentColumn() == 0
        assert table.accessibleName()  # what a screen reader calls it
    follow_ups.close()
    queue.close()


def _gap(above: QWidget, below: QWidget) -> int:
    """The pixels between two widgets of one dialog, one under the other."""
    return below.geometry().top() - above.geometry().bottom() - 1


def test_the_services_address_row_takes_no_room_until_a_service_is_chosen(
    qtbot: QtBot, session: Session, program_font: None
) -> None:
    """With no service chosen, the empty row of its address took the form's spacing twice and
    a line: some 30 px between the service list's message and "Reason" ("Motiv" in Romanian),
    where the other rows are a spacing apart. The row shows when a service is chosen, and
    moves down only what is under it, by its own height."""
    set_language("ro")
    person = _person(session)
    _win, feature = _window(qtbot, session, person)
    dialog = _open_dialog(feature)
    qtbot.waitExposed(dialog)
    spacing = dialog.form.verticalSpacing()

    def form_places() -> dict[QWidget, QRect]:
        """Where the fields are in the form (the consent note above it says other words
        for the service chosen, moving the whole form)."""
        top = dialog.search.geometry().top()
        return {
            w: w.geometry().translated(0, -top)
            for w in (dialog.services, dialog.reason, dialog.reason_note, dialog.contact)
        }

    before = form_places()
    assert _gap(dialog.services, dialog.reason) == spacing
    assert dialog.service_info.isHidden()
    type_text(dialog.search, "jobcenter")
    assert dialog.service_id() == "jobcenter"
    QApplication.processEvents()  # the layout the row asked for
    assert dialog.service_info.isVisible() and "Dortmund" in dialog.service_info.text()
    assert _gap(dialog.services, dialog.service_info) == spacing
    moved = dialog.service_info.height() + spacing
    after = form_places()
    assert after[dialog.services] == before[dialog.services]
    for field in (dialog.reason, dialog.reason_note, dialog.contact):
        assert after[field] == before[field].translated(0, moved)

    dialog.search.clear()
    type_text(dialog.search, "zzz")  # nothing found: none chosen, the row hidden again
    qtbot.keyClick(dialog.search, Qt.Key.Key_Return)  # Enter: the list says it is required
    qtbot.waitUntil(lambda: dialog.errors["service"].isVisible(), timeout=10_000)
    QApplication.processEvents()
    assert dialog.service_id() == "" and dialog.service_info.isHidden()
    assert dialog.reason.count() == 0 and dialog.documents.count() == 0  # the Jobcenter's
    assert dialog.errors["reason"].isVisible()
    # the list's message is a spacing above "Reason", as the reason's one above "Note"
    assert _gap(dialog.errors["service"], dialog.reason) == spacing
    assert _gap(dialog.errors["reason"], dialog.reason_note) == spacing
    dialog.reject()


@pytest.mark.parametrize("lang", ["de", "bg"])
def test_the_services_address_row_is_as_tall_as_its_lines(
    qtbot: QtBot, session: Session, program_font: None, lang: str, tmp_path: Path
) -> None:
    """A one-line address and opening hours stood in a row three lines (48 px) high, centred,
    with a gap above and below: the form gave the row its label's size hint, worked out narrow.
    The row is as tall as its lines now, for every service, the form a spacing apart."""
    set_language(lang)
    person = _person(session)
    window, feature = _window(qtbot, session, person)
    window.resize(1366, 768)
    dialog = _open_dialog(feature)
    qtbot.waitExposed(dialog)
    info, spacing = dialog.service_info, dialog.form.verticalSpacing()
    line = info.fontMetrics().lineSpacing()
    heights = set()
    for row in range(dialog.services.count()):
        dialog.services.setCurrentRow(row)
        QApplication.processEvents()  # the layout the row asked for
        service = dialog.service_id()
        assert info.isVisible()
        assert info.height() == info.heightForWidth(info.width()), service
        one_line = info.fontMetrics().horizontalAdvance(info.text()) <= info.width()
        assert (info.height() < 2 * line) == one_line, (service, info.height())
        assert _gap(dialog.services, info) == spacing
        assert _gap(info, dialog.reason) == spacing
        heights.add(info.height())
    assert min(heights) < 2 * line  # most take one line
    dialog.select_service("jobcenter")
    QApplication.processEvents()
    shots = Path(os.environ.get("WELCOME_DESK_SHOTS", tmp_path))
    dialog.grab().save(str(shots / f"refer-address-{lang}.png"))
    dialog.reject()


def test_enter_in_the_service_search_chooses_the_first_service_found(
    qtbot: QtBot, session: Session
) -> None:
    """A search finding several services chose none, and Enter only said "This field is
    required". Enter chooses the first found now and makes no letter yet: the typing stays in
    the search, the service shows chosen (arrows change it), and Enter again makes the letter.
    A search finding one service has it chosen at once: Enter makes the letter. With nothing
    typed, Enter still says a service is required."""
    person = _person(session)
    _win, feature = _window(qtbot, session, person)
    dialog = _open_dialog(feature)
    qtbot.waitUntil(lambda: dialog.search.hasFocus())
    with qtbot.waitSignal(dialog.save.answered, timeout=10_000):
        qtbot.keyClick(dialog.search, Qt.Key.Key_Return)  # nothing typed: nothing chosen
    assert dialog.service_id() == ""
    assert dialog.errors["service"].isVisible() and dialog.errors["reason"].isVisible()
    type_text(dialog.search, "jugend")
    assert dialog.services.count() > 1 and dialog.service_id() == ""
    qtbot.keyClick(dialog.search, Qt.Key.Key_Return)
    assert dialog.service_id() == "jugendamt"  # the first found
    assert dialog.reason.currentData()  # the reason about its main topic: no longer required
    assert dialog.isVisible() and dialog.search.hasFocus() and dialog.search.text() == "jugend"
    assert dialog.errors["service"].isHidden() and dialog.errors["reason"].isHidden()
    assert not dialog.save.saving
    assert uc.referrals_of(session.store, session.user, person.id) == []

    dialog.search.clear()
    type_text(dialog.search, "jobcenter")
    assert dialog.services.count() == 1 and dialog.service_id() == "jobcenter"
    with qtbot.waitSignal(dialog.save.answered, timeout=10_000):
        qtbot.keyClick(dialog.search, Qt.Key.Key_Return)
    [referral] = uc.referrals_of(session.store, session.user, person.id)
    assert referral.service_id == "jobcenter"


def test_the_reason_says_to_choose_a_service_until_one_is_chosen(
    qtbot: QtBot, session: Session, tmp_path: Path
) -> None:
    """The reason list was empty and said nothing until a service was chosen: its reasons
    are the service's. It says to choose a service first now, in the user's language; the
    service's reasons replace the hint, and it comes back when no service is chosen."""
    hints = {"de": "Wählen Sie zuerst eine Stelle", "ro": "Alegeți mai întâi un serviciu"}
    person = _person(session)
    for lang, hint in hints.items():
        set_language(lang)
        _win, feature = _window(qtbot, session, person)
        dialog = _open_dialog(feature)
        qtbot.waitExposed(dialog)
        reason = dialog.reason
        assert reason.count() == 0 and reason.currentIndex() == -1
        assert reason.placeholderText() == hint
        assert reason.currentText() == ""  # the placeholder is what it shows
        assert dialog.grab().save(str(tmp_path / f"refer-no-service-{lang}.png"))
        assert reason.grab().save(str(tmp_path / f"refer-reason-hint-{lang}.png"))

        type_text(dialog.search, "jobcenter")
        assert dialog.service_id() == "jobcenter"
        assert reason.currentIndex() >= 0 and reason.currentData() == "buergergeld"
        assert reason.count() > 2  # "please choose" and the Jobcenter's reasons
        assert dialog.grab().save(str(tmp_path / f"refer-jobcenter-{lang}.png"))

        dialog.search.clear()
        type_text(dialog.search, "zzz")  # nothing found: none chosen, the hint again
        assert dialog.service_id() == ""
        assert reason.count() == 0 and reason.currentIndex() == -1
        dialog.reject()


@pytest.mark.parametrize("lang", ["de", "bg", "ro", "en"])
def test_the_contact_persons_example_is_written_as_the_german_letter_prints_it(
    qtbot: QtBot, session: Session, lang: str
) -> None:
    """The contact person goes into the German letter (address field, greeting): its example
    was translated ("г-жа Шефер, стая 204", "doamna Schäfer, camera 204", "Ms Schäfer, room
    204"), and a contact typed so was printed in Cyrillic, in Romanian or in English in the
    letter to a German office ("Guten Tag г-жа Шефер, стая 204,")."""
    set_language(lang)
    person = _person(session)
    window, feature = _window(qtbot, session, person)
    dialog = _open_dialog(feature)
    assert "Frau Schäfer, Zimmer 204" in dialog.contact.placeholderText()
    dialog.close()
    del window


def _ink_left(image: QImage, rect: QRect, rows: range) -> int:
    """The leftmost pixel in ``rows`` of ``rect`` darker than the list's background (the text),
    or ``rect.right() + 1`` where there is none."""
    left = rect.right() + 1
    for y in rows:
        for x in range(rect.left(), left):
            if QColor(image.pixel(x, y)).lightness() < 160:
                left = x
                break
    return left


@pytest.mark.parametrize("lang", ["de", "bg", "ro", "en"])
def test_a_suggested_services_long_name_wraps_under_the_name_not_under_the_arrow(
    qtbot: QtBot, session: Session, program_font: None, lang: str, tmp_path: Path
) -> None:
    """In a narrow dialog a suggested service's long name wrapped to the start of the row,
    under the arrow, where its second line read as a service of its own. It wraps under the
    name now, as the form's section list does; read back from the pixels painted. Every row
    is as tall as its lines."""
    set_language("en")
    person = _person(session)
    accept_every_next_step(session, person)
    set_language(lang)
    _win, feature = _window(qtbot, session, person)
    dialog = _open_dialog(feature)
    qtbot.waitExposed(dialog)
    dialog.resize(dialog.minimumWidth(), 700)  # the list taller: more rows shown whole
    services = dialog.services
    qtbot.waitUntil(lambda: services.viewport().width() < 500)
    services.doItemsLayout()
    QApplication.processEvents()
    services.setCurrentRow(-1)  # no row selected: every text dark on the list's background
    services.clearSelection()
    image = services.viewport().grab().toImage()
    image.save(str(tmp_path / f"services-{lang}.png"))
    metrics = services.fontMetrics()
    arrow = metrics.horizontalAdvance("→ ")
    wrapped = 0
    for row in range(services.count()):
        item = services.item(row)
        rect = services.visualItemRect(item)
        if not image.rect().contains(rect):
            continue  # scrolled out of sight
        lines = hanging_lines(item.text(), services.font(), rect.width() - 8)
        height = lines[-1].boundingRect().bottom()
        assert height <= rect.height(), (item.text(), rect)  # every line shown
        if not item.text().startswith("→ ") or lines[0].lineCount() < 2:
            continue
        wrapped += 1
        ink = [
            y
            for y in range(rect.top(), rect.bottom() + 1)
            if _ink_left(image, rect, range(y, y + 1)) <= rect.right()
        ]
        first_line = _ink_left(image, rect, range(ink[0], ink[0] + metrics.ascent() // 2))
        below = range(ink[0] + metrics.lineSpacing() - 1, ink[-1] + 1)
        assert _ink_left(image, rect, below) >= first_line + arrow * 3 // 4, (item.text(), lang)
    # German names alone fit the narrowest list; the others' name and its German one wrap
    assert wrapped or lang == "de", [services.item(r).text() for r in range(services.count())]


def _gap_above_buttons(dialog: ui.ReferDialog) -> int:
    """The empty room between the last field and the dialog's buttons."""
    field = dialog.client_lang
    bottom = field.mapTo(dialog, field.rect().bottomLeft()).y()
    return dialog.buttons.mapTo(dialog, dialog.buttons.rect().topLeft()).y() - bottom


@pytest.mark.parametrize("lang", ["de", "bg"])
def test_the_refer_dialog_fits_a_shorter_service_again_but_keeps_the_users_height(
    qtbot: QtBot, session: Session, program_font: None, lang: str, tmp_path: Path
) -> None:
    """A service with a long address, documents and the consent's warning grew the dialog, and
    a shorter one chosen after left it that tall, the lists stretched and gaps between the
    fields. It shrinks back to what its fields need now, but no lower than the height the user
    gave it by hand; a longer service still grows it."""
    set_language("en")
    person = _person(session)
    record_sharing_consent(
        session, person.id, named="Jobcenter Dortmund, Familienkasse Nordrhein-Westfalen Ost"
    )
    set_language(lang)
    _win, feature = _window(qtbot, session, person)
    dialog = _open_dialog(feature)
    qtbot.waitExposed(dialog)
    dialog.resize(dialog.minimumWidth(), dialog.height())  # its texts wrap to more lines
    dialog.fit_height()
    layout = dialog.layout()
    assert layout is not None
    wanted = {}
    for row in range(dialog.services.count()):
        dialog.services.setCurrentRow(row)
        wanted[dialog.service_id()] = layout.heightForWidth(dialog.width())
        assert dialog.height() == max(
            wanted[dialog.service_id()], dialog.minimumSizeHint().height()
        )
    tall = max(wanted, key=lambda s: wanted[s])
    short = min(wanted, key=lambda s: wanted[s])
    # a line at least (the address row is as tall as its lines: more was its slack)
    assert wanted[tall] - wanted[short] >= dialog.service_info.fontMetrics().lineSpacing(), wanted
    dialog.select_service(tall)
    tall_height = dialog.height()
    gap = _gap_above_buttons(dialog)
    dialog.grab().save(str(tmp_path / f"refer-tall-{lang}.png"))
    dialog.select_service(short)
    QApplication.processEvents()
    assert dialog.height() < tall_height
    assert dialog.height() == max(wanted[short], dialog.minimumSizeHint().height())
    assert _gap_above_buttons(dialog) <= gap  # no empty room opened up
    assert dialog.services.height() == dialog.services.minimumHeight()  # not stretched
    dialog.grab().save(str(tmp_path / f"refer-short-{lang}.png"))
    # made taller by hand: the room stays the user's, the service list takes it
    hand = wanted[short] + 60
    dialog.resize(dialog.width(), hand)
    QApplication.processEvents()
    assert dialog.hand_height == hand
    dialog.select_service(tall)
    assert dialog.height() == max(hand, wanted[tall])
    dialog.select_service(short)
    assert dialog.height() == hand
    assert dialog.services.height() > dialog.services.minimumHeight()


def test_the_service_list_is_used_by_keyboard_with_the_suggested_services_first(
    qtbot: QtBot, session: Session
) -> None:
    """In the service list the suggested services come first, each marked; typing a service's
    first letters finds it, the arrow's also (Qt compared the typing with "→ …" and found
    none of them); the arrow keys move; Enter makes the letter."""
    set_language("de")
    person = _person(session)
    accept_every_next_step(session, person)
    suggested = uc.suggested_services(session.store, session.user, person.id)
    _win, feature = _window(qtbot, session, person)
    dialog = _open_dialog(feature)
    qtbot.waitExposed(dialog)
    services = dialog.services
    marked = [services.item(r).data(Qt.ItemDataRole.UserRole) for r in range(len(suggested))]
    assert marked == list(suggested)
    assert all(services.item(r).text().startswith("→ ") for r in range(len(suggested)))
    assert not services.item(len(suggested)).text().startswith("→ ")
    assert dialog.service_id() == suggested[0]
    services.setFocus()
    qtbot.waitUntil(services.hasFocus)
    # a suggested service, by the first letters of its name (after the arrow)
    target = services.item(len(suggested) - 1)
    name = target.text()[2:]
    QTest.qWait(QApplication.keyboardInputInterval() + 50)  # a search of its own
    type_text(services, name[:5])
    assert services.currentItem() is target, (name, dialog.service_id())
    # one not suggested, by its first letters
    other = services.item(services.count() - 1)
    QTest.qWait(QApplication.keyboardInputInterval() + 50)
    type_text(services, other.text()[:5])
    assert services.currentItem() is other, other.text()
    qtbot.keyClick(services, Qt.Key.Key_Up)
    assert services.currentRow() == services.count() - 2
    qtbot.keyClick(services, Qt.Key.Key_Home)
    assert dialog.service_id() == suggested[0]
    qtbot.keyClick(services, Qt.Key.Key_Down)
    chosen = dialog.service_id()
    assert chosen == suggested[1]
    with qtbot.waitSignal(dialog.save.answered, timeout=10_000):
        qtbot.keyClick(services, Qt.Key.Key_Return)
    [referral] = uc.referrals_of(session.store, session.user, person.id)
    assert referral.service_id == chosen


@pytest.mark.parametrize(
    ("lang", "german"), [("ro", "în germană"), ("bg", "на немски"), ("en", "in German")]
)
def test_the_note_field_says_it_is_written_in_german_for_the_letter_to_the_service(
    qtbot: QtBot, session: Session, lang: str, german: str
) -> None:
    """A Romanian advisor read "Cuvintele dumneavoastră pentru scrisoare": her note went, in
    Romanian, into the German letter to the office (and not onto the person's copy). The
    field says now that it is the letter to the service's, in German."""
    set_language(lang)
    person = _person(session)
    _win, feature = _window(qtbot, session, person)
    dialog = _open_dialog(feature)
    dialog.select_service("vhs")
    assert german in dialog.reason_note.placeholderText()
    type_text(dialog.reason_note, "Braucht einen Kurs mit Kinderbetreuung.")
    _create(qtbot, dialog)
    (referral,) = uc.referrals_of(session.store, session.user, person.id)
    pdf = uc.render_letter(session.store, session.user, referral.id)
    letter, *copy = pdf_pages(pdf)
    assert "Hinweis aus der Beratung: Braucht einen Kurs mit Kinderbetreuung." in letter
    assert all("Kinderbetreuung" not in page for page in copy)


@pytest.mark.parametrize(
    ("lang", "language"), [("de", "Bulgarisch"), ("bg", "български"), ("ro", "bulgară")]
)
def test_with_the_other_reason_the_dialog_says_the_german_note_stays_off_the_persons_copy(
    qtbot: QtBot, session: Session, lang: str, language: str
) -> None:
    """With the "other" reason the note was printed on the Bulgarian copy as well, a German
    sentence as if it were Bulgarian. The copy leaves it out now, and the dialog says so
    under the note, in the copy's language; for a German copy, which prints it, it says
    nothing."""
    set_language(lang)
    person = _person(session)
    _win, feature = _window(qtbot, session, person)
    dialog = _open_dialog(feature)
    dialog.select_service("vhs")
    assert not dialog.note_hint.isVisible()  # not with the reason the service suggests
    dialog.reason.setCurrentIndex(dialog.reason.findData("other"))
    assert dialog.client_lang.currentData() == "bg"
    assert dialog.note_hint.isVisible() and language in dialog.note_hint.text()
    dialog.client_lang.setCurrentIndex(dialog.client_lang.findData("de"))
    assert not dialog.note_hint.isVisible()
    dialog.client_lang.setCurrentIndex(dialog.client_lang.findData("bg"))
    assert dialog.note_hint.isVisible()
    hint = dialog.note_hint
    assert hint.height() >= hint.heightForWidth(hint.width())  # every line shown
    type_text(dialog.reason_note, "Hilfe beim Ausfüllen des Wohngeldantrags.")
    _create(qtbot, dialog)
    (referral,) = uc.referrals_of(session.store, session.user, person.id)
    letter, *copy = pdf_pages(uc.render_letter(session.store, session.user, referral.id))
    assert "beraten: Hilfe beim Ausfüllen des Wohngeldantrags." in letter
    assert copy and all("Wohngeld" not in page for page in copy)
    assert "който обсъдихме с Вас" in copy[0]


def test_a_service_without_a_street_says_so_where_it_is_chosen(
    qtbot: QtBot, session: Session
) -> None:
    """The recognition advice has no street in the shipped directory: the dialog showed
    "Dortmund · cu programare" as if that were its address, while the person's copy tells them
    the address is not known yet and to ask us. The dialog says so now."""
    set_language("ro")
    person = _person(session)
    _win, feature = _window(qtbot, session, person)
    dialog = _open_dialog(feature)
    dialog.select_service("recognition_advice")
    assert dialog.service_info.text() == (
        "Dortmund · cu programare · strada lipsește din registru: pe copia sa, persoana este "
        "rugată să vă întrebe"
    )
    dialog.select_service("vhs")
    assert "strada" not in dialog.service_info.text()
    assert dialog.service_info.text().startswith("Hansastraße 2–4, 44137 Dortmund · ")
    dialog.select_service("recognition_advice")
    _create(qtbot, dialog)
    (referral,) = uc.referrals_of(session.store, session.user, person.id)
    pdf = uc.render_letter(session.store, session.user, referral.id, "ro")
    copy = pdf_pages(pdf)[-1]
    assert "Încă nu avem adresa exactă – vă rugăm să ne întrebați." in copy


def test_the_status_history_says_on_which_laptop_a_colleague_made_a_step(
    qtbot: QtBot, laptops: Laptops
) -> None:
    """Maria's recognition advice, issued at the contact point, followed up three weeks later
    at the job centre's outreach laptop: the history at the contact point said "Programare
    făcută (Anna)", and which of the two Annas, at which laptop, it did not say. A step made
    on another laptop of the team names that laptop now; this laptop's own steps the user."""
    a, b = laptops.new("Anlaufstelle Nord"), laptops.new("Jobcenter Mitte")
    person = _person(a, "Maria", "Popescu")
    referral = uc.issue_referral(a.store, a.user, person.id, "recognition_advice", "recognition")
    laptops.sync(a, b)
    uc.change_status(b.store, b.user, referral.id, ReferralStatus.APPOINTMENT_MADE)
    laptops.sync(b, a)
    set_language("ro")
    window = shown_window(qtbot, a)
    window.show_person(person.id)
    dialog = window.referrals.open_status_dialog(  # type: ignore[attr-defined]
        uc.get_referral(a.store, a.user, referral.id)
    )
    lines = dialog.history.text().splitlines()
    assert lines[0].endswith(f"Emisă ({a.user.display_name})")
    assert lines[1].endswith(
        f"Programare făcută ({b.user.display_name}, laptopul „Jobcenter Mitte”)"
    )


def test_a_helpers_draft_signed_off_on_another_laptop_shows_the_sign_off_on_both(
    qtbot: QtBot, laptops: Laptops, tmp_path: Path
) -> None:
    """A student helper at the contact point prepares Maria's referral; the advisor at the
    job centre's laptop, of the helper's name, signs it off within the second it was made.
    The status history on both laptops lists the helper's issue and the sign-off (it took a
    draft signed off so for an advisor's own and showed no sign-off); the advisor's own
    referral, synced the other way, lists no sign-off on either."""
    a, b = laptops.new("Anlaufstelle Nord"), laptops.new("Jobcenter Mitte")
    person = _person(a, "Maria", "Popescu")
    accounts.add_user(a, "mihai", b.user.display_name, Role.HELPER, "student pass 7")
    helper = accounts.log_in(a.store.paths.data_dir, "mihai", "student pass 7")
    issued = dt.datetime(2026, 12, 1, 10, 15)
    try:
        draft = uc.issue_referral(
            helper.store, helper.user, person.id, "jobcenter", "buergergeld", now=issued
        )
    finally:
        helper.close()
    laptops.sync(a, b)
    uc.sign_off(b.store, b.user, draft.id, now=issued)
    own = uc.issue_referral(b.store, b.user, person.id, "vhs", "integration_course", now=issued)
    laptops.sync(b, a)
    shots = Path(os.environ.get("WELCOME_DESK_SHOTS", tmp_path))
    for laptop in (a, b):
        window = shown_window(qtbot, laptop)
        window.show_person(person.id)
        feature = window.referrals  # type: ignore[attr-defined]
        dialog = feature.open_status_dialog(uc.get_referral(laptop.store, laptop.user, draft.id))
        lines = dialog.history.text().splitlines()
        assert len(lines) == 2, lines
        assert "Issued (Jobcenter Mitte" in lines[0], lines
        assert lines[1].endswith("Letter signed off (Jobcenter Mitte)"), lines
        dialog.grab().save(str(shots / f"draft-signed-elsewhere-{laptop.user.display_name}.png"))
        dialog.reject()
        dialog = feature.open_status_dialog(uc.get_referral(laptop.store, laptop.user, own.id))
        lines = dialog.history.text().splitlines()
        assert len(lines) == 1 and "Issued (Jobcenter Mitte" in lines[0], lines
        dialog.reject()
        window.close()
