"""The letters helpers prepared, of every person, listed for an advisor to read and sign off:
they were found only on each person's referrals tab, and the advisor the next morning had
to know whose page to open."""

from __future__ import annotations

import datetime as dt
import os
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot
from sqlalchemy import select

from desktop_app.domain.permissions import PermissionDenied
from desktop_app.domain.person import PersonDraft
from desktop_app.domain.referral import ReferralStatus
from desktop_app.domain.users import Role
from desktop_app.i18n.text import set_language
from desktop_app.storage.audit_models import AuditRow
from desktop_app.ui import referrals as referrals_ui
from desktop_app.usecases import accounts, people
from desktop_app.usecases import referrals as uc
from desktop_app.usecases.accounts import Session
from tests.ui.conftest import shown_window

pytestmark = pytest.mark.skipif(not referrals_ui.HAVE_QTPDF, reason="QtPdf is not installed")

HELPER_PW = "helper pass 123"
ISSUED = dt.datetime(2026, 12, 1, 10, 15)


def _drafts(session: Session) -> tuple[Session, list[uc.Referral]]:
    """A helper's two drafts (Maria's school place, then Ion's job centre), the advisor's own
    referral (signed off as issued) and a helper's draft closed since: the helper's session
    and the two drafts waiting."""
    accounts.add_user(session, "andrei", "Andrei Lungu", Role.HELPER, HELPER_PW)
    helper = accounts.log_in(session.store.paths.data_dir, "andrei", HELPER_PW)
    store, user = helper.store, helper.user
    maria = people.register_person(store, user, PersonDraft("Maria", "Popescu", "1992"))
    ion = people.register_person(store, user, PersonDraft("Ion", "Popescu", "1989"))
    school = uc.issue_referral(
        store, user, maria.id, "schulverwaltungsamt", "school_place", now=ISSUED
    )
    job = uc.issue_referral(
        store, user, ion.id, "jobcenter", "buergergeld", now=ISSUED + dt.timedelta(minutes=5)
    )
    uc.issue_referral(session.store, session.user, ion.id, "vhs", "integration_course")
    closed = uc.issue_referral(store, user, maria.id, "familienkasse", "kindergeld")
    uc.change_status(session.store, session.user, closed.id, ReferralStatus.CLOSED)
    return helper, [school, job]


def test_the_advisor_lists_the_helpers_drafts_of_everyone_and_signs_them_off_from_there(
    qtbot: QtBot, session: Session, program_font: None, tmp_path: Path
) -> None:
    shots = Path(os.environ.get("WELCOME_DESK_SHOTS", tmp_path))
    helper, drafts = _drafts(session)
    try:
        # A helper may not sign off: neither the list nor its notice or menu entry is theirs.
        with pytest.raises(PermissionDenied):
            uc.awaiting_sign_off(helper.store, helper.user)
        assert uc.count_awaiting_sign_off(helper.store, helper.user) == 0
        window = shown_window(qtbot, helper, 1280)
        feature: referrals_ui.ReferralsFeature = window.referrals  # type: ignore[attr-defined]
        assert not feature.sign_off_action.isVisible()
        assert feature.sign_off_notice.isHidden()
        window.close()
    finally:
        helper.close()

    set_language("de")
    window = shown_window(qtbot, session, 1920)
    feature = window.referrals  # type: ignore[attr-defined]
    assert feature.sign_off_action.isVisible()
    notice = feature.sign_off_notice
    qtbot.waitUntil(notice.isVisible)
    assert notice.text.text() == (
        "2 von Integrationshelferinnen und -helfern vorbereitete Schreiben warten auf Ihre "
        "Freigabe."
    )
    window.grab().save(str(shots / "signoff-notice.png"))
    notice.button.setFocus()
    QTest.keyClick(notice.button, Qt.Key.Key_Space)
    listed = feature.sign_off_window
    assert listed is not None
    qtbot.waitExposed(listed)
    table = listed.table
    assert [w.referral.id for w in listed.waiting] == [d.id for d in drafts]  # oldest first
    rows = [
        [table.item(r, c).text() for c in range(table.columnCount())]  # type: ignore[union-attr]
        for r in range(table.rowCount())
    ]
    assert rows[0][listed.PERSON] == "Maria Popescu"
    assert rows[0][listed.SERVICE].startswith("Schulverwaltungsamt")
    assert rows[0][listed.PREPARED_BY] == "Andrei Lungu"
    assert rows[1][listed.PERSON] == "Ion Popescu"
    listed.grab().save(str(shots / "signoff-list.png"))
    # Each person named is a view in the audit log (and not logged again by a re-listing).
    with session.store.reading() as db:
        logged = db.scalars(
            select(AuditRow.record_id).where(AuditRow.record_kind == "sign_off_queue")
        ).all()
    assert sorted(logged) == sorted(d.person_id for d in drafts)

    # Enter on the chosen row shows its letter, where it is signed off.
    table.setFocus()
    QTest.keyClick(table, Qt.Key.Key_Down)
    assert listed.selected() is not None and listed.selected().referral.id == drafts[1].id  # type: ignore[union-attr]
    QTest.keyClick(table, Qt.Key.Key_Return)
    preview = feature.preview
    assert preview is not None and preview.referral.id == drafts[1].id
    qtbot.waitUntil(lambda: bool(preview.pdf) and preview.sign_button.isVisible(), timeout=10_000)
    preview.sign_button.click()
    qtbot.waitUntil(preview.print_button.isEnabled, timeout=10_000)
    # Signed off: it leaves the list, the other stays chosen.
    qtbot.waitUntil(lambda: [w.referral.id for w in listed.waiting] == [drafts[0].id])
    assert table.rowCount() == 1 and listed.info.text().startswith("1 von einer")
    preview.close()
    with session.store.reading() as db:
        logged = db.scalars(
            select(AuditRow.record_id).where(AuditRow.record_kind == "sign_off_queue")
        ).all()
    assert len(logged) == 2  # the window's own re-listing logged no view again
    QApplication.processEvents()
    window.close()
    set_language("en")


def test_the_sign_off_list_opened_again_is_another_view_of_the_people_it_names(
    qtbot: QtBot, session: Session
) -> None:
    """Listed anew while open it logs nobody again; closed and opened again it is another
    look at the people it names, as the print queue and the follow-ups log it: it logged them
    only the first time it was opened in a session."""
    helper, drafts = _drafts(session)
    helper.close()
    window = shown_window(qtbot, session, 1366)
    feature: referrals_ui.ReferralsFeature = window.referrals  # type: ignore[attr-defined]

    def logged() -> list[str]:
        with session.store.reading() as db:
            return list(
                db.scalars(
                    select(AuditRow.record_id).where(AuditRow.record_kind == "sign_off_queue")
                ).all()
            )

    listed = feature.open_sign_off()
    listed.refresh()
    assert sorted(logged()) == sorted(d.person_id for d in drafts)
    listed.reject()
    assert feature.open_sign_off() is listed
    assert sorted(logged()) == sorted(2 * [d.person_id for d in drafts])
    listed.reject()
    window.close()
