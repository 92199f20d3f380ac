"""The referral status dialog of a Monday's follow-up calls: Enter saves what was edited and
nothing else, "Outcome noted" needs an outcome, and the outcomes are read on the person's
referrals tab; the opening-hours warning leaves no gap under it."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDialogButtonBox, QLabel
from pytestqt.qtbot import QtBot

from desktop_app.domain.referral import Referral, ReferralStatus
from desktop_app.i18n.text import _ as gettext
from desktop_app.i18n.text import set_language
from desktop_app.storage.models import OutboxRow
from desktop_app.ui import referrals as ui
from desktop_app.usecases import referrals as uc
from desktop_app.usecases.accounts import Session
from tests.ui.conftest import cell, shown_window, type_text
from tests.ui.test_referrals_ui import _person, open_referrals_tab

SHOTS = Path("/tmp/shots-statusdlg")


def _attended_and_due(session: Session) -> Referral:
    """A referral attended, no outcome written yet, its follow-up three days past."""
    person = _person(session, "Ștefan", "Țărănescu")
    past = dt.date.today() - dt.timedelta(days=3)
    referral = uc.issue_referral(
        session.store, session.user, person.id, "jobcenter", "buergergeld", follow_up=past
    )
    return uc.change_status(session.store, session.user, referral.id, ReferralStatus.ATTENDED, "")


def _revisions(session: Session, referral_id: str) -> int:
    from sqlalchemy import func, select

    with session.store.reading() as db:
        count = db.scalar(
            select(func.count()).select_from(OutboxRow).where(OutboxRow.record_id == referral_id)
        )
    return int(count or 0)


def _whole(label: QLabel) -> bool:
    """All of the label's lines in view: as tall as they are at its width."""
    return label.height() >= label.heightForWidth(label.width())


def _active(qtbot: QtBot, dialog: ui.StatusDialog) -> None:
    qtbot.waitExposed(dialog)
    dialog.activateWindow()
    qtbot.waitUntil(dialog.isActiveWindow, timeout=5000)


def test_enter_on_the_status_dialog_saves_what_was_edited_and_nothing_else(
    qtbot: QtBot, session: Session
) -> None:
    """A Monday's calls in Bulgarian: the person will go next week, only the follow-up date
    moves. The dialog opened on the next status, and Enter saved the attended referral as
    "Резултатът е отбелязан" with no outcome. It opens on the status the referral has: Enter
    saves the new date, the status, its time and the history stay; Enter with nothing edited
    writes nothing."""
    set_language("bg")
    try:
        referral = _attended_and_due(session)
        steps = len(uc.status_history(session.store, session.user, referral.id))
        window = shown_window(qtbot, session, 1366)
        dialog = window.referrals.open_status_dialog(referral)  # type: ignore[attr-defined]
        _active(qtbot, dialog)
        assert dialog.status.currentData() == ReferralStatus.ATTENDED.value
        assert dialog.status.currentText() == "Посетено"
        assert dialog.has_follow_up.isChecked()  # still awaiting its outcome: still due
        later = dt.date.today() + dt.timedelta(days=7)
        dialog.follow_up.setFocus()
        qtbot.keyClicks(dialog.follow_up, f"{later:%d%m%Y}")
        with qtbot.waitSignal(dialog.save.answered, timeout=10_000):
            qtbot.keyClick(dialog.follow_up, Qt.Key.Key_Return)
        assert not dialog.isVisible()
        stored = uc.get_referral(session.store, session.user, referral.id)
        assert (stored.status, stored.outcome, stored.follow_up, stored.appointment) == (
            ReferralStatus.ATTENDED,
            "",
            later,
            None,
        )
        assert stored.status_changed_at == referral.status_changed_at
        # a date moved is no status step: the history did not say "Посетено" twice
        assert len(uc.status_history(session.store, session.user, referral.id)) == steps
        # opened again and Enter at once: nothing written, nothing to sync
        revisions = _revisions(session, referral.id)
        again = window.referrals.open_status_dialog(stored)  # type: ignore[attr-defined]
        _active(qtbot, again)
        focused = again.focusWidget()
        assert focused is not None
        qtbot.keyClick(focused, Qt.Key.Key_Return)
        qtbot.waitUntil(lambda: not again.isVisible(), timeout=5000)
        assert uc.get_referral(session.store, session.user, referral.id) == stored
        assert _revisions(session, referral.id) == revisions
        window.close()
    finally:
        set_language("en")


def test_outcome_noted_without_an_outcome_is_refused_at_the_field(
    qtbot: QtBot, session: Session
) -> None:
    """Saved as "Outcome noted" with the outcome empty, a referral said an outcome was
    recorded where none was. It is refused under the outcome, which gets the focus; written,
    it is saved."""
    set_language("de")
    try:
        referral = _attended_and_due(session)
        window = shown_window(qtbot, session, 1366)
        dialog = window.referrals.open_status_dialog(referral)  # type: ignore[attr-defined]
        _active(qtbot, dialog)
        dialog.set_status(ReferralStatus.OUTCOME_NOTED)
        save = dialog.buttons.button(QDialogButtonBox.StandardButton.Save)
        with qtbot.waitSignal(dialog.save.answered, timeout=10_000):
            save.click()
        assert dialog.isVisible()
        assert dialog.outcome_error.isVisible()
        assert dialog.outcome_error.text() == (
            "Bitte notieren Sie das Ergebnis oder wählen Sie einen anderen Status."
        )
        # right under the field it is about
        gap = dialog.outcome_error.geometry().top() - dialog.outcome.geometry().bottom()
        assert 0 <= gap <= 6, gap
        assert dialog.focusWidget() is dialog.outcome
        assert uc.get_referral(session.store, session.user, referral.id).status is (
            ReferralStatus.ATTENDED
        )
        type_text(dialog.outcome, "Antrag gestellt")
        with qtbot.waitSignal(dialog.save.answered, timeout=10_000):
            save.click()
        assert not dialog.isVisible()
        stored = uc.get_referral(session.store, session.user, referral.id)
        assert (stored.status, stored.outcome) == (ReferralStatus.OUTCOME_NOTED, "Antrag gestellt")
        window.close()
    finally:
        set_language("en")


@pytest.mark.parametrize(
    ("lang", "label"), [("bg", "Резултат: "), ("de", "Ergebnis: "), ("ro", "Rezultat: ")]
)
def test_the_latest_outcome_is_read_on_the_referrals_tab(
    qtbot: QtBot, session: Session, program_font: None, lang: str, label: str
) -> None:
    """Outcomes were in the status cell's tooltip only (the mouse's) and in the status dialog.
    The chosen referral's latest outcome stands under the list (at 1024 px too), and each
    row tells a screen reader its outcome."""
    set_language(lang)
    try:
        person = _person(session)
        long = "Antrag auf Bürgergeld gestellt; Bescheid kommt per Post. " * 5
        texts = {"jobcenter": long.strip(), "vhs": "Kurs ab Januar, Mo–Do 9–12 Uhr"}
        for service, outcome in texts.items():
            made = uc.issue_referral(
                session.store, session.user, person.id, service, "health_insurance"
            )
            uc.change_status(session.store, session.user, made.id, ReferralStatus.ATTENDED, outcome)
        uc.issue_referral(session.store, session.user, person.id, "familienkasse", "kindergeld")
        window, tab = open_referrals_tab(qtbot, session, person.id, 1024)
        qtbot.waitUntil(tab.outcome.isVisible, timeout=5000)
        described = Qt.ItemDataRole.AccessibleDescriptionRole
        for row, referral in enumerate(tab.referrals):
            tab.table.setFocus()
            tab.table.setCurrentCell(row, 0)
            text = tab.outcome.text()
            assert text.startswith(label), text
            description = str(cell(tab.table, row, tab.SERVICE).data(described) or "")
            if referral.outcome:
                start = referral.outcome[:40]
                assert start in text and start in description, (text, description)
                assert tab.outcome.toolTip() == referral.outcome  # whole
            else:
                assert text == gettext("Outcome: none noted yet")
                assert label not in description
            # on two lines at most, all of them in view (not cut under the first)
            qtbot.waitUntil(lambda: _whole(tab.outcome))
            assert tab.outcome.height() <= 2 * tab.outcome.fontMetrics().lineSpacing() + 6
            assert tab.outcome.geometry().right() <= tab.width()
        if SHOTS.is_dir():
            longest = next(r for r in tab.referrals if r.service_id == "jobcenter")
            tab.table.setCurrentCell(tab.referrals.index(longest), 0)
            qtbot.waitUntil(lambda: _whole(tab.outcome))
            window.grab().save(str(SHOTS / f"tab-{lang}-1024.png"))
        window.close()
    finally:
        set_language("en")


@pytest.mark.parametrize("lang", ["bg", "de"])
def test_the_opening_hours_warning_leaves_no_gap_in_the_status_dialog(
    qtbot: QtBot, session: Session, program_font: None, lang: str
) -> None:
    """In Bulgarian some 40 px stood empty under the three lines of the opening-hours
    warning, before the follow-up: the dialog took the height Qt reckons for the warning
    wrapped narrow."""
    set_language(lang)
    try:
        person = _person(session)
        today = dt.date.today()
        saturday = today + dt.timedelta(days=(5 - today.weekday()) % 7 or 7)
        referral = uc.issue_referral(
            session.store,
            session.user,
            person.id,
            "jobcenter",
            "buergergeld",
            appointment=dt.datetime.combine(saturday, dt.time(10, 0)),
        )
        window = shown_window(qtbot, session, 1366)
        dialog = window.referrals.open_status_dialog(referral)  # type: ignore[attr-defined]
        qtbot.waitExposed(dialog)
        warning = dialog.hours_warning
        assert warning.isVisible() and warning.text()
        lines = warning.heightForWidth(warning.width()) // warning.fontMetrics().lineSpacing()
        assert lines >= 2, lines
        # the label as tall as its lines: it took the room, its text at its top
        assert warning.height() - warning.heightForWidth(warning.width()) <= 4, warning.height()
        top = dialog.has_follow_up.mapTo(dialog, dialog.has_follow_up.rect().topLeft()).y()
        bottom = warning.mapTo(dialog, warning.rect().bottomLeft()).y()
        assert top - bottom <= 12, top - bottom
        if SHOTS.is_dir():
            dialog.grab().save(str(SHOTS / f"status-{lang}-warning.png"))
        dialog.reject()
        window.close()
    finally:
        set_language("en")


def test_an_appointment_agreed_moves_an_issued_referral_to_appointment_made(
    qtbot: QtBot, session: Session
) -> None:
    """An advisor noting the date the job centre gave ticked "Appointment agreed" and saved:
    the referral stayed "issued" (the dialog opens on the status it has). Ticked, the status
    goes to "Appointment made" with it, and back unticked; a status the user chose stays."""
    set_language("de")
    try:
        person = _person(session, "Ștefan", "Țărănescu")
        referral = uc.issue_referral(
            session.store, session.user, person.id, "jobcenter", "buergergeld"
        )
        window = shown_window(qtbot, session, 1366)
        dialog = window.referrals.open_status_dialog(referral)  # type: ignore[attr-defined]
        _active(qtbot, dialog)
        assert dialog.status.currentData() == ReferralStatus.ISSUED.value
        dialog.has_appointment.setFocus()
        qtbot.keyClick(dialog.has_appointment, Qt.Key.Key_Space)
        assert dialog.status.currentData() == ReferralStatus.APPOINTMENT_MADE.value
        qtbot.keyClick(dialog.has_appointment, Qt.Key.Key_Space)  # not agreed after all
        assert dialog.status.currentData() == ReferralStatus.ISSUED.value
        # the status chosen by the user (arrow keys on the list) is theirs: the tick keeps it
        dialog.status.setFocus()
        qtbot.keyClick(dialog.status, Qt.Key.Key_Down)
        qtbot.keyClick(dialog.status, Qt.Key.Key_Down)
        assert dialog.status.currentData() == ReferralStatus.ATTENDED.value
        dialog.has_appointment.setFocus()
        qtbot.keyClick(dialog.has_appointment, Qt.Key.Key_Space)
        assert dialog.status.currentData() == ReferralStatus.ATTENDED.value
        dialog.status.setFocus()
        qtbot.keyClick(dialog.status, Qt.Key.Key_Up)
        assert dialog.status.currentData() == ReferralStatus.APPOINTMENT_MADE.value
        with qtbot.waitSignal(dialog.save.answered, timeout=10_000):
            qtbot.keyClick(dialog.status, Qt.Key.Key_Return)
        assert not dialog.isVisible()
        stored = uc.get_referral(session.store, session.user, referral.id)
        assert stored.status is ReferralStatus.APPOINTMENT_MADE
        assert stored.appointment is not None
        window.close()
    finally:
        set_language("en")


def test_an_appointment_ticked_on_a_referral_past_issued_leaves_its_status(
    qtbot: QtBot, session: Session
) -> None:
    """Attended, the appointment's date noted afterwards is history: the status stays."""
    referral = _attended_and_due(session)
    window = shown_window(qtbot, session, 1366)
    dialog = window.referrals.open_status_dialog(referral)  # type: ignore[attr-defined]
    _active(qtbot, dialog)
    dialog.has_appointment.setFocus()
    qtbot.keyClick(dialog.has_appointment, Qt.Key.Key_Space)
    assert dialog.has_appointment.isChecked()
    assert dialog.status.currentData() == ReferralStatus.ATTENDED.value
    dialog.reject()
    window.close()
