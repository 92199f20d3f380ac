"""The letter preview and a closed referral: opened on one, or the referral closed while it
was open (on another laptop, synced), the preview says so in the user's language and the
letter is not printed, saved or queued, as the print queue withdraws such a letter. And the
Queue button of a letter in another language, chosen while the first was being queued."""

from __future__ import annotations

from pathlib import Path

import pytest
from pytestqt.qtbot import QtBot

from desktop_app.domain.referral import ReferralStatus
from desktop_app.i18n.text import set_language
from desktop_app.ui import referrals as ui
from desktop_app.usecases import referrals as uc
from desktop_app.usecases.accounts import Session
from tests.ui.conftest import cell, save_dialog_shown
from tests.ui.test_letter_preview_current_ui import _shot
from tests.ui.test_referrals_ui import (
    _person,
    _preview_of_new_referral,
    _wait_loaded,
    _window,
    needs_qtpdf,
)


def _outputs_disabled(preview: ui.LetterPreview) -> bool:
    buttons = (preview.print_button, preview.save_button, preview.queue_button)
    return not any(b.isEnabled() for b in buttons)


@needs_qtpdf
@pytest.mark.parametrize(
    ("lang", "said"),
    [
        (
            "de",
            "Diese Vermittlung ist abgeschlossen. Ihr Schreiben wird hier nur angezeigt: Es wird "
            "nicht gedruckt, gespeichert oder in die Druckwarteschlange gestellt.",
        ),
        (
            "bg",
            "Това насочване е приключено. Писмото към него само се показва тук: не се "
            "отпечатва, не се запазва и не се добавя към опашката за печат.",
        ),
    ],
)
def test_a_preview_opened_on_a_closed_referral_shows_the_letter_and_says_it_stays_here(
    qtbot: QtBot, session: Session, tmp_path: Path, lang: str, said: str
) -> None:
    set_language(lang)
    person = _person(session)
    referral = uc.issue_referral(
        session.store, session.user, person.id, "jobcenter", "buergergeld", client_lang="bg"
    )
    uc.change_status(session.store, session.user, referral.id, ReferralStatus.CLOSED)
    _win, feature = _window(qtbot, session, person)
    feature.open_preview(referral)
    preview = _wait_loaded(qtbot, feature)
    assert preview.pdf and preview.document.pageCount() > 0  # to be looked at
    assert preview.notice.isVisibleTo(preview) and preview.notice.text() == said
    assert _outputs_disabled(preview)
    _shot(qtbot, preview, tmp_path, f"preview-closed-{lang}.png")
    # another language: the same
    preview.language.setCurrentIndex(preview.language.findData("ro"))
    qtbot.waitUntil(lambda: bool(preview.pdf), timeout=10000)
    assert preview.notice.text() == said and _outputs_disabled(preview)


@needs_qtpdf
def test_print_save_and_queue_of_a_letter_whose_referral_was_closed_meanwhile_do_nothing(
    qtbot: QtBot, session: Session, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    set_language("ro")
    person = _person(session)
    _win, feature = _window(qtbot, session, person)
    said = (
        "Trimiterea a fost închisă între timp (aici sau pe alt laptop). Scrisoarea nu se "
        "imprimă, nu se salvează și nu se adaugă în coada de imprimare."
    )
    out, saved = tmp_path / "printed.pdf", tmp_path / "letter.pdf"
    monkeypatch.setenv(ui.PRINT_TO_PDF_ENV, str(out))
    for button in ("print_button", "save_button", "queue_button"):
        referral = uc.issue_referral(
            session.store, session.user, person.id, "jobcenter", "buergergeld", client_lang="ro"
        )
        feature.open_preview(referral)
        preview = _wait_loaded(qtbot, feature)
        assert preview.print_button.isEnabled() and not preview.notice.isVisibleTo(preview)
        # a colleague closes the referral on another laptop; the sync brings it here
        uc.change_status(session.store, session.user, referral.id, ReferralStatus.CLOSED)
        getattr(preview, button).click()
        notice = preview.notice
        qtbot.waitUntil(notice.isVisible, timeout=10000)
        assert preview.notice.text() == said, button
        assert save_dialog_shown() is None, button
        assert _outputs_disabled(preview)
        assert preview.queue_button.text() == "Adaugă în &coada de imprimare"
        _shot(qtbot, preview, tmp_path, f"preview-closed-meanwhile-{button}-ro.png")
        preview.close()
    assert not out.exists() and not saved.exists()
    assert uc.print_queue(session.store, session.user) == []


@needs_qtpdf
def test_a_letter_in_another_language_chosen_while_one_was_queued_is_not_said_to_be_queued(
    qtbot: QtBot, session: Session
) -> None:
    _, _, window, _, preview = _preview_of_new_referral(
        qtbot, session, "jobcenter", "buergergeld", client_lang="bg"
    )
    with qtbot.waitSignals([preview.queued, preview.loaded], timeout=10000):
        preview.queue_button.click()
        # at once, before the queue's answer: the Romanian copy
        preview.language.setCurrentIndex(preview.language.findData("ro"))
    assert window.recorder.wait(10_000) and window.tasks.wait(10_000)
    qtbot.waitUntil(lambda: bool(preview.pdf), timeout=10000)
    # the Bulgarian letter went into the queue; the Romanian one shown is not in it
    assert [job.client_lang for job in uc.print_queue(session.store, session.user)] == ["bg"]
    assert preview.queue_button.text() == "Add to print &queue"
    assert preview.queue_button.isEnabled()
    with qtbot.waitSignal(preview.queued, timeout=10000):
        preview.queue_button.click()
    assert preview.queue_button.text() == "In the print queue"
    assert not preview.queue_button.isEnabled()
    jobs = uc.print_queue(session.store, session.user)
    assert sorted(job.client_lang for job in jobs) == ["bg", "ro"]


@needs_qtpdf
def test_a_preview_closed_while_its_letter_is_queued_gets_no_answer_the_window_says_it(
    qtbot: QtBot, session: Session
) -> None:
    """Queue, then Escape at once: the preview is deleted on close; the letter is queued and
    the main window says so (the answer went to the deleted dialog: RuntimeError)."""
    from PySide6.QtCore import QEvent, Qt
    from PySide6.QtTest import QTest
    from PySide6.QtWidgets import QApplication

    _, _, window, _, preview = _preview_of_new_referral(
        qtbot, session, "jobcenter", "buergergeld", client_lang="bg"
    )
    preview.queue_button.click()
    QTest.keyClick(preview, Qt.Key.Key_Escape)
    QApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)  # deleted on close
    assert window.recorder.wait(10_000)
    qtbot.waitUntil(
        lambda: window.statusBar().currentMessage() == "Letter added to the print queue.",
        timeout=10000,
    )
    assert [job.client_lang for job in uc.print_queue(session.store, session.user)] == ["bg"]


@needs_qtpdf
def test_a_closed_draft_offers_no_sign_off_and_one_closed_meanwhile_is_not_signed(
    qtbot: QtBot, session: Session, tmp_path: Path
) -> None:
    """A helper's referral closed before an advisor signed it off: the advisor's preview shows
    the letter and offers no Sign off, and the person's referrals do not say it awaits one. A
    draft closed while its preview is open (a sync) is not signed off by the click: the
    preview says it was closed and the button goes."""
    from desktop_app.domain.users import Role
    from desktop_app.usecases import accounts

    set_language("en")
    accounts.add_user(session, "mihai", "Mihai", Role.HELPER, "helper pass 12")
    helper = accounts.log_in(session.store.paths.data_dir, "mihai", "helper pass 12")
    try:
        person = _person(helper)
        closed, meanwhile = (
            uc.issue_referral(helper.store, helper.user, person.id, service, reason)
            for service, reason in (("vhs", "integration_course"), ("jobcenter", "buergergeld"))
        )
        uc.change_status(helper.store, helper.user, closed.id, ReferralStatus.CLOSED)
    finally:
        helper.close()
    _win, feature = _window(qtbot, session, person)
    statuses = {
        r.id: cell(feature.tab.table, row, feature.tab.STATUS).text()
        for row, r in enumerate(feature.tab.referrals)
    }
    assert statuses == {closed.id: "Closed", meanwhile.id: "Issued – awaiting sign-off"}

    feature.open_preview(closed)
    preview = _wait_loaded(qtbot, feature)
    qtbot.waitUntil(preview.notice.isVisible, timeout=10000)
    assert preview.notice.text().startswith("This referral is closed.")
    assert not preview.sign_button.isVisible()
    assert _outputs_disabled(preview)
    _shot(qtbot, preview, tmp_path, "preview-closed-draft.png")
    preview.close()

    feature.open_preview(meanwhile)
    preview = _wait_loaded(qtbot, feature)
    qtbot.waitUntil(lambda: "draft" in preview.message.text(), timeout=10000)
    assert preview.sign_button.isVisible()
    # the helper closes it on their laptop; the sync brings it here
    uc.change_status(session.store, session.user, meanwhile.id, ReferralStatus.CLOSED)
    with qtbot.waitSignal(preview.loaded, timeout=10000):  # shown again, as it is now
        preview.sign_button.click()
    assert preview.notice.isVisible()
    assert preview.notice.text().startswith("This referral is closed.")
    assert "draft" not in preview.message.text()
    assert not preview.sign_button.isVisible()
    assert _outputs_disabled(preview)
    assert not uc.get_referral(session.store, session.user, meanwhile.id).signed_off
    _shot(qtbot, preview, tmp_path, "preview-draft-closed-meanwhile.png")


@needs_qtpdf
def test_a_preview_closed_while_its_sign_off_is_stored_leaves_the_referral_signed_and_said(
    qtbot: QtBot, session: Session
) -> None:
    """Sign off, then Escape at once (the preview is deleted on close): the sign-off is
    stored, the main window says so and the person's referrals no longer await it (the
    answer went to the deleted dialog: RuntimeError)."""
    from PySide6.QtCore import QEvent, Qt
    from PySide6.QtTest import QTest
    from PySide6.QtWidgets import QApplication

    from desktop_app.domain.users import Role
    from desktop_app.usecases import accounts

    set_language("en")
    accounts.add_user(session, "mihai", "Mihai", Role.HELPER, "helper pass 12")
    helper = accounts.log_in(session.store.paths.data_dir, "mihai", "helper pass 12")
    try:
        person = _person(helper)
        draft = uc.issue_referral(helper.store, helper.user, person.id, "vhs", "integration_course")
    finally:
        helper.close()
    window, feature = _window(qtbot, session, person)
    feature.open_preview(draft)
    preview = _wait_loaded(qtbot, feature)
    qtbot.waitUntil(lambda: "draft" in preview.message.text(), timeout=10000)
    preview.sign_button.click()
    QTest.keyClick(preview, Qt.Key.Key_Escape)
    QApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)  # deleted on close
    assert window.recorder.wait(10_000)
    qtbot.waitUntil(
        lambda: window.statusBar().currentMessage() == "Referral signed off.", timeout=10000
    )
    assert uc.get_referral(session.store, session.user, draft.id).signed_off
    assert cell(feature.tab.table, 0, feature.tab.STATUS).text() == "Issued"
