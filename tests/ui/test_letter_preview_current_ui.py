"""The letter preview's Print and Save as a user meets them after a sync changed the referral
while the preview was open: the preview shows the letter made again and says so in the UI
language, nothing leaves the app until the user has seen it; then it is the new letter that
is printed or saved."""

from __future__ import annotations

import datetime as dt
import io
import os
from pathlib import Path

import pypdf
import pytest
from PySide6.QtCore import QEvent, Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

from desktop_app.domain.referral import ReferralStatus
from desktop_app.i18n.text import set_language
from desktop_app.ui import referrals as ui
from desktop_app.usecases import referrals as uc
from desktop_app.usecases.accounts import Session
from tests.conftest import record_sharing_consent
from tests.pdf_text import pdf_text as _text
from tests.ui.conftest import answer_save_dialog, save_dialog_shown
from tests.ui.test_referrals_ui import (
    _preview_of_new_referral,
    needs_qtpdf,
)


def _shot(qtbot: QtBot, widget: ui.LetterPreview, tmp_path: Path, name: str) -> None:
    """A screenshot to look at; where one is asked for (``WELCOME_DESK_SHOTS``) the PDF view
    is given a moment to draw its pages (it renders them on a thread of its own)."""
    folder = os.environ.get("WELCOME_DESK_SHOTS")
    if folder:
        qtbot.wait(500)
    widget.grab().save(str(Path(folder or tmp_path) / name))


def _appointment() -> dt.datetime:
    return dt.datetime.combine(dt.date.today() + dt.timedelta(days=7), dt.time(10, 0))


@needs_qtpdf
def test_print_shows_the_letter_made_again_after_a_sync_and_prints_it_once_seen(
    qtbot: QtBot, session: Session, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    set_language("de")
    _, referral, _win, _, preview = _preview_of_new_referral(
        qtbot, session, "jobcenter", "buergergeld", client_lang="ro"
    )
    assert "Încă nu aveți o programare" in _text(preview.pdf)
    assert not preview.notice.isVisibleTo(preview)
    # a sync lands while the preview is open: a colleague made the appointment
    when = _appointment()
    uc.change_status(
        session.store, session.user, referral.id, ReferralStatus.APPOINTMENT_MADE, appointment=when
    )
    out = tmp_path / "printed.pdf"
    monkeypatch.setenv(ui.PRINT_TO_PDF_ENV, str(out))
    preview.print_button.click()
    assert not preview.print_button.isEnabled()  # one click, one letter
    qtbot.waitUntil(lambda: preview.notice.isVisibleTo(preview), timeout=10000)
    assert not out.exists()  # the letter the user had not seen was not printed
    assert preview.notice.text() == (
        "Das Schreiben wurde neu erstellt: Die Vermittlung, die Angaben der Stelle oder die "
        "Einwilligung der Person haben sich geändert, seit es angezeigt wurde. Prüfen Sie es "
        "und drucken oder speichern Sie es dann."
    )
    shown = _text(preview.pdf)
    assert f"ora {when:%H:%M}" in shown and "Încă nu aveți o programare" not in shown
    assert preview.document.pageCount() == len(pypdf.PdfReader(io.BytesIO(preview.pdf)).pages)
    assert preview.print_button.isEnabled()
    _shot(qtbot, preview, tmp_path, "preview-updated-de.png")

    # seen: now it prints, the letter as it is shown
    preview.print_button.click()
    qtbot.waitUntil(out.exists, timeout=10000)
    assert len(pypdf.PdfReader(out).pages) == preview.document.pageCount()
    assert preview.print_button.isEnabled()


@needs_qtpdf
def test_save_after_the_consent_changed_saves_the_letter_as_it_is_now(
    qtbot: QtBot, session: Session, tmp_path: Path
) -> None:
    set_language("ro")
    person, _, _win, _, preview = _preview_of_new_referral(
        qtbot, session, "jobcenter", "buergergeld", client_lang="ro"
    )
    pages = preview.document.pageCount()
    # the person's new consent form, synced from another laptop: nothing to the service
    record_sharing_consent(session, person.id, "refused")
    saved = tmp_path / "letter.pdf"
    preview.save_button.click()
    qtbot.waitUntil(lambda: preview.notice.isVisibleTo(preview), timeout=10000)
    assert not saved.exists() and save_dialog_shown() is None
    assert preview.notice.text().startswith("Scrisoarea a fost refăcută:")
    assert preview.document.pageCount() < pages
    # what the preview says of the letter follows the consent as it is now
    assert "doar foaia pentru persoană" in preview.message.text()
    _shot(qtbot, preview, tmp_path, "preview-updated-ro.png")
    preview.save_button.click()
    answer_save_dialog(qtbot, saved)
    qtbot.waitUntil(saved.exists, timeout=10000)
    assert saved.read_bytes() == preview.pdf
    assert "Sehr geehrte" not in _text(saved.read_bytes())


@needs_qtpdf
def test_a_letter_that_cannot_be_made_any_more_is_not_printed(
    qtbot: QtBot, session: Session, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The person was erased on another laptop while the preview was open here."""
    from desktop_app.usecases import data_rights

    set_language("en")
    person, _, _win, _, preview = _preview_of_new_referral(
        qtbot, session, "jobcenter", "buergergeld"
    )
    data_rights.erase_person(session.store, session.user, person.id)
    out = tmp_path / "printed.pdf"
    monkeypatch.setenv(ui.PRINT_TO_PDF_ENV, str(out))
    preview.print_button.click()
    qtbot.waitUntil(lambda: preview.message.styleSheet() != "", timeout=10000)
    assert preview.message.text() == (
        "The letter cannot be made any more: the referral is no longer in the records (the "
        "person's data was erased)."
    )
    assert not out.exists()
    assert not preview.print_button.isEnabled() and not preview.save_button.isEnabled()


@needs_qtpdf
def test_a_preview_closed_while_print_checks_the_letter_prints_nothing_and_stays_quiet(
    qtbot: QtBot, session: Session, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Print, then Escape at once: the preview is deleted on close, and the check's answer
    goes to nobody (not to the deleted dialog, not to the printer)."""
    _, _, window, _, preview = _preview_of_new_referral(qtbot, session, "vhs", "integration_course")
    out = tmp_path / "printed.pdf"
    monkeypatch.setenv(ui.PRINT_TO_PDF_ENV, str(out))
    preview.print_button.click()
    QTest.keyClick(preview, Qt.Key.Key_Escape)
    QApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)  # deleted on close
    assert window.tasks.wait(20_000)
    QApplication.processEvents()  # the check's answer delivered: to nobody
    assert not out.exists()
