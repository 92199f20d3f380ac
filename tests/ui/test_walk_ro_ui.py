"""A walk through the program as its users go: a Romanian-speaking student helper registers a
young man at an outreach meeting point, offline, checks his life situation and skills, and
prepares three referrals; after a sync an advisor on another laptop, in German, sees it all,
signs the letters off, records an appointment; the person's page at a laptop's widths."""

from __future__ import annotations

import datetime as dt
import os
from pathlib import Path

import pytest
from PySide6.QtCore import QDateTime, QSize
from PySide6.QtWidgets import QDialogButtonBox, QLabel, QWidget
from pytestqt.qtbot import QtBot

from desktop_app.domain.referral import ReferralStatus
from desktop_app.domain.users import Role
from desktop_app.i18n.text import set_language
from desktop_app.ui import referrals as referrals_ui
from desktop_app.ui.main_window import MainWindow
from desktop_app.usecases import accounts, visits
from desktop_app.usecases import referrals as uc
from desktop_app.usecases.accounts import Session
from tests.integration.sync_harness import Laptops
from tests.pdf_text import pdf_text as _text
from tests.ui.conftest import (
    fill_register_dialog,
    finish_form,
    refer_shown_person,
    shown_window,
    type_text,
)
from tests.unit.forms.test_forms_evaluator import full_skills_check

pytestmark = pytest.mark.skipif(not referrals_ui.HAVE_QTPDF, reason="QtPdf is not installed")

Save = QDialogButtonBox.StandardButton.Save


def _shot(widget: QWidget, folder: Path, name: str) -> None:
    widget.grab().save(str(folder / f"walkro-{name}.png"))


def _referrals_in_view(qtbot: QtBot, window: MainWindow) -> referrals_ui.ReferralsTab:
    """The referrals tab, once laid out: nothing to its right, every column shown in view."""
    tab: referrals_ui.ReferralsTab = window.referrals.tab  # type: ignore[attr-defined]
    table = tab.table

    def laid_out() -> None:
        assert table.horizontalScrollBar().maximum() == 0
        for column in range(table.columnCount()):
            if not table.isColumnHidden(column):
                right = table.columnViewportPosition(column) + table.columnWidth(column)
                assert right <= table.viewport().width(), (column, right)

    qtbot.waitUntil(laid_out)
    return tab


def _helper_prepares(qtbot: QtBot, helper: Session, shots: Path) -> str:
    """The helper's part, in Romanian: Ionuț Popa registered, both checks, three referrals
    (drafts until an advisor signs them off). Returns his id."""
    set_language("ro")
    window = shown_window(qtbot, helper, 1100)
    dialog = window.open_register_dialog()
    qtbot.waitExposed(dialog)
    fill_register_dialog(dialog, "Ionuț", "Popa", "14.05.2002", "RO", ["ro", "en"])
    type_text(dialog.phone, "0176 1234567")
    _shot(dialog, shots, "register")
    dialog.buttons.button(Save).click()
    qtbot.waitUntil(lambda: not dialog.isVisible(), timeout=10_000)
    person = window.person_page.person
    assert person is not None and (person.given_name, person.family_name) == ("Ionuț", "Popa")

    feature = window.visits  # type: ignore[attr-defined]
    form = feature.start("life_situation", client_lang="ro")
    qtbot.waitExposed(form)
    arrived = dt.date.today() - dt.timedelta(days=21)
    form.view.set_answers(
        form.view.answers()  # what registering filled in: names, birth, languages, phone
        | {
            "sex": "male",
            "arrival_date": arrived.isoformat(),
            "address_registration": "not_registered",
            "partner": "none",
            "household_size": 6,
            "children_count": 0,
            "housing_type": "shared_overcrowded",
            "housing_exploitation_signs": ["rent_per_bed", "overcrowding"],
            "work_status": ["looking"],
            "working_field": "construcții",
            "benefits": ["none"],
            "session_language": "ro",
            "topics": ["registration", "jobcenter", "health_insurance", "language_course"],
            "urgency": "this_week",
        }
    )
    assert form.view.answers()["phone"] == "0176 1234567"
    _shot(form, shots, "life-situation")
    assert finish_form(qtbot, form) is not None

    form = feature.start("skills_check", client_lang="ro")
    qtbot.waitExposed(form)
    # The fullest skills check the tests know, made his: no qualification, four years of
    # construction at home, some English, a driving licence.
    answers = full_skills_check() | {
        "school_certificate": "vocational_secondary",
        "experience": [{"w_field": "construction", "w_years": 4, "w_where": "home_country"}],
        "driving_licence": ["b"],
        "computer_skills": "smartphone",
        "job_wishes": "construcții",
    }
    answers["language_levels"][1] = {"language": "en", "level": {"level": "A2", "assessed": "self"}}
    del answers["qualifications"]
    form.view.set_answers(answers)
    nav = form.view.navigator
    nav.setCurrentRow(nav.count() - 1)
    _shot(form, shots, "skills-next-steps")
    # the glossary's term beside the Romanian one: what he will hear at the office
    shown = [label.text() for label in form.view.findChildren(QLabel) if label.isVisible()]
    assert "Curs de integrare (Integrationskurs)" in shown, shown
    assert finish_form(qtbot, form) is not None

    visits.record_consent(
        helper.store,
        helper.user,
        person.id,
        {
            "consent_language": "ro",
            "consent_advice": "given",
            "consent_central_storage": "given",
            "consent_referral_sharing": "given",
            "consent_date": dt.date.today().isoformat(),
            "consent_form": "signed",
            "shared_with_service": "Jobcenter, Clearingstelle, VHS",
        },
    )
    referrals = window.referrals  # type: ignore[attr-defined]
    for search, reason in (
        ("jobcenter", "job_search"),
        ("clearing", "health_insurance"),
        ("vhs", "integration_course"),
    ):

        def looked_at(refer: referrals_ui.ReferDialog) -> None:
            assert refer.client_lang.currentData() == "ro"  # from his languages

        preview = refer_shown_person(qtbot, window, search, reason, looked_at)
        text = _text(preview.pdf)
        # a draft, marked so in every language, printed by no one until signed off
        assert "CIORNĂ" in text and not preview.print_button.isEnabled()
        assert "Trimiterea dumneavoastră" in text and "Ionuț" in text
        assert not any(c in text for c in "şţŞŢ")  # comma below, never the cedilla
        _shot(preview, shots, f"draft-{search}")
        preview.close()
    window.person_page.tabs.setCurrentWidget(referrals.tab)
    _referrals_in_view(qtbot, window)
    _shot(window, shots, "helper-referrals")
    window.close()
    return person.id


def _advisor_follows_up(qtbot: QtBot, advisor: Session, person_id: str, shots: Path) -> None:
    """The advisor's part, in German, on the other laptop after a sync."""
    set_language("de")
    window = shown_window(qtbot, advisor, 1100)
    window.show_person(person_id)
    history = window.visits.tab  # type: ignore[attr-defined]
    qtbot.waitUntil(lambda: len(history.visits) == 2)  # both checks, made on the other laptop
    assert sorted(v.form_id for v in history.visits) == ["life_situation", "skills_check"]
    _shot(window, shots, "advisor-visits")
    feature: referrals_ui.ReferralsFeature = window.referrals  # type: ignore[attr-defined]
    tab = feature.tab
    window.person_page.tabs.setCurrentWidget(tab)
    assert tab.table.rowCount() == 3
    for referral in list(tab.referrals):
        preview = feature.open_preview(referral)

        def ready(p: referrals_ui.LetterPreview = preview) -> bool:
            return bool(p.pdf) and p.sign_button.isVisible()

        def signed(p: referrals_ui.LetterPreview = preview) -> bool:
            return "ENTWURF" not in _text(p.pdf)

        qtbot.waitUntil(ready, timeout=10_000)
        preview.sign_button.click()
        qtbot.waitUntil(preview.print_button.isEnabled, timeout=10_000)
        qtbot.waitUntil(signed, timeout=10_000)
        text = _text(preview.pdf)
        assert "Ionuț Popa, geb. 14. Mai 2002" in text  # the German letter to the office
        assert "Trimiterea dumneavoastră" in text  # his copy, in Romanian
        if referral.service_id == "jobcenter":
            assert "nicht angemeldet" in text  # no Anmeldung yet: the office is told
        if referral.service_id == "vhs":
            assert "Integrationskurs" in text
        _shot(preview, shots, f"signed-{referral.service_id}")
        (shots / f"walkro-{referral.service_id}.pdf").write_bytes(preview.pdf)
        preview.close()
    # The job centre gave an appointment: recorded, with a follow-up after it.
    jobcenter = next(r for r in tab.referrals if r.service_id == "jobcenter")
    tab.table.selectRow(tab.referrals.index(jobcenter))
    tab.status_button.click()
    dialog = window.findChild(referrals_ui.StatusDialog)
    assert dialog is not None
    qtbot.waitExposed(dialog)
    dialog.set_status(ReferralStatus.APPOINTMENT_MADE)
    dialog.has_appointment.setChecked(True)
    when = dt.datetime.combine(dt.date.today() + dt.timedelta(days=8), dt.time(9, 30))
    dialog.appointment.setDateTime(QDateTime(when))
    assert dialog.has_follow_up.isChecked()
    follow_up: dt.date = dialog.follow_up.date().toPython()  # type: ignore[assignment]
    assert follow_up > when.date()
    _shot(dialog, shots, "status")
    with qtbot.waitSignal(dialog.save.answered, timeout=10_000):
        dialog.buttons.button(Save).click()
    stored = uc.get_referral(advisor.store, advisor.user, jobcenter.id)
    assert (stored.status, stored.appointment, stored.follow_up) == (
        ReferralStatus.APPOINTMENT_MADE,
        when,
        follow_up,
    )
    assert stored.signed_off
    window.close()


def test_a_helper_prepares_ionut_popas_referrals_in_romanian_and_an_advisor_follows_up(
    qtbot: QtBot, laptops: Laptops, program_font: None, tmp_path: Path
) -> None:
    shots = Path(os.environ.get("WELCOME_DESK_SHOTS", tmp_path))
    first = laptops.new("A", coordinator=True)
    other = laptops.new("B")
    accounts.add_user(first, "ana", "Ana Moldovan", Role.HELPER, "helper pass 123")
    helper = accounts.log_in(first.store.paths.data_dir, "ana", "helper pass 123")
    try:
        person_id = _helper_prepares(qtbot, helper, shots)
    finally:
        helper.close()
    laptops.sync(first, other)
    accounts.add_user(other, "jonas", "Jonas Weber", Role.ADVISOR, "advisor pass 123")
    advisor = accounts.log_in(other.store.paths.data_dir, "jonas", "advisor pass 123")
    try:
        _advisor_follows_up(qtbot, advisor, person_id, shots)
        # The person's page at a laptop's widths: the referrals never scroll sideways, also
        # once the window is widened from 1100 px (the dates' columns, left out at 1100 px,
        # came back 5 px wider than reckoned, and the table scrolled by them in German).
        for lang in ("ro", "bg", "de"):
            set_language(lang)
            window = shown_window(qtbot, advisor, 1100)
            window.show_person(person_id)
            window.person_page.tabs.setCurrentWidget(window.referrals.tab)  # type: ignore[attr-defined]
            for size in (QSize(1100, 700), QSize(1366, 728)):
                window.resize(size)
                tab = _referrals_in_view(qtbot, window)
                hidden = [tab.table.isColumnHidden(c) for c in range(6)]
                assert any(hidden) == (size.width() == 1100), hidden
                _shot(window, shots, f"{lang}-{size.width()}")
            window.close()
    finally:
        advisor.close()
