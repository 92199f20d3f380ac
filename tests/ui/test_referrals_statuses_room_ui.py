"""The referrals tab at 1100 px as a follow-up goes on: statuses recorded one after another,
nothing ever scrolled sideways."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from pytestqt.qtbot import QtBot

from desktop_app.domain.person import PersonDraft
from desktop_app.domain.referral import ReferralStatus
from desktop_app.i18n.text import set_language
from desktop_app.ui import referrals as referrals_ui
from desktop_app.usecases import people
from desktop_app.usecases import referrals as uc
from desktop_app.usecases.accounts import Session
from tests.conftest import record_sharing_consent
from tests.ui.conftest import shown_window

SERVICES = ("vhs", "schulverwaltungsamt", "clearingstelle", "jobcenter")
# Two weeks later: one by one, what came of the referrals.
STEPS = (
    ("jobcenter", ReferralStatus.ATTENDED),
    ("clearingstelle", ReferralStatus.OUTCOME_NOTED),
    ("schulverwaltungsamt", ReferralStatus.APPOINTMENT_MADE),
    ("vhs", ReferralStatus.APPOINTMENT_MADE),
)


@pytest.mark.parametrize("lang", ["de", "bg", "ro"])
def test_the_referrals_tab_stays_in_view_as_statuses_are_recorded_one_by_one(
    qtbot: QtBot, session: Session, program_font: None, lang: str, tmp_path: Path
) -> None:
    """In German, after "Wahrgenommen" and "Ergebnis notiert" the follow-up column was left
    out at 1100 px; a further status brought it back, reckoned as wide as its dates (a hidden
    column's header asks for no width) but shown at its header's width ("Nachverfolgung"):
    the table was 39 px too wide and scrolled sideways, the follow-up cut. Each column shown
    is as wide as reckoned now."""
    set_language(lang)
    try:
        draft = PersonDraft("Десислава", "Иванова", "02.01.1992", nationality="BG")
        person = people.register_person(session.store, session.user, draft)
        record_sharing_consent(session, person.id)
        referrals = {
            service: uc.issue_referral(
                session.store,
                session.user,
                person.id,
                service,
                "health_insurance",
                follow_up=dt.date.today() + dt.timedelta(days=14),
            )
            for service in SERVICES
        }
        window = shown_window(qtbot, session, 1100)
        window.show_person(person.id)
        tab: referrals_ui.ReferralsTab = window.referrals.tab  # type: ignore[attr-defined]
        window.person_page.tabs.setCurrentWidget(tab)
        qtbot.waitExposed(tab.table)
        table = tab.table

        def in_view() -> None:
            assert table.horizontalScrollBar().maximum() == 0
            shown = [c for c in range(table.columnCount()) if not table.isColumnHidden(c)]
            assert sum(table.columnWidth(c) for c in shown) <= table.viewport().width()

        qtbot.waitUntil(in_view)
        for step, (service, status) in enumerate(STEPS):
            outcome = "Versicherung geklärt" if status is ReferralStatus.OUTCOME_NOTED else ""
            uc.change_status(session.store, session.user, referrals[service].id, status, outcome)
            tab.refresh(person)  # as a status saved in its dialog refreshes it
            qtbot.waitUntil(in_view)
            window.grab().save(str(tmp_path / f"referrals-{lang}-{step}.png"))
        window.close()
    finally:
        set_language("en")
