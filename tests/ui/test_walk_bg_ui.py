"""A walk through the program as its users go, in Bulgarian: an advisor at the contact point
registers Desislava Ivanova and her two children, online until the connection drops, checks her
life situation and skills, records her consent and prepares four referrals, and prints the
letters; two weeks later another advisor, in German, records what came of them and finds her by
her name misspelled the German way and in Cyrillic."""

from __future__ import annotations

import datetime as dt
import os
from functools import partial
from pathlib import Path

import pytest
from PySide6.QtCore import QSize
from PySide6.QtWidgets import QApplication, QDialogButtonBox, QWidget
from pytestqt.qtbot import QtBot

from desktop_app.domain.person import PersonDraft
from desktop_app.domain.referral import ReferralStatus
from desktop_app.domain.users import Role
from desktop_app.i18n.text import set_language
from desktop_app.ui import referrals as referrals_ui
from desktop_app.ui.application import QtTranslations
from desktop_app.ui.main_window import MainWindow
from desktop_app.ui.people_model import NAME_COLUMNS
from desktop_app.usecases import accounts, people
from desktop_app.usecases import referrals as uc
from desktop_app.usecases.accounts import Session
from tests.integration.sync_harness import Laptops
from tests.ui.conftest import finish_form, refer_shown_person, shown_whole, shown_window, type_text
from tests.unit.letters.letter_helpers import pdf_text

pytestmark = pytest.mark.skipif(not referrals_ui.HAVE_QTPDF, reason="QtPdf is not installed")

Save = QDialogButtonBox.StandardButton.Save


def _shot(widget: QWidget, folder: Path, name: str) -> None:
    widget.grab().save(str(folder / f"walkbg-{name}.png"))


def _born_years_ago(years: int) -> str:
    """A birth year of someone ``years`` old today (born on 1 January: the age is exact)."""
    return str(dt.date.today().year - years)


def _advisor_registers(qtbot: QtBot, laptops: Laptops, advisor: Session, shots: Path) -> str:
    """The advisor's part, in Bulgarian, online until the server goes away: Desislava
    registered, her consent, both checks, four referrals and their letters. Her id."""
    window = shown_window(qtbot, advisor, 1100)
    controller = window.sync  # type: ignore[attr-defined]
    with qtbot.waitSignal(controller.sync_finished, timeout=30_000):
        controller.start()
    assert controller.reached  # online: the first sync got through
    _shot(window, shots, "01-online")
    dialog = window.open_register_dialog()
    qtbot.waitExposed(dialog)
    type_text(dialog.given, "Десислава")
    type_text(dialog.family, "Иванова")
    type_text(dialog.dob, "02.01." + _born_years_ago(34))
    dialog.nationality.set_code("BG")
    dialog.languages.set_codes(["bg"])
    type_text(dialog.phone, "0157 3344556")
    _shot(dialog, shots, "02-register")
    dialog.buttons.button(Save).click()
    qtbot.waitUntil(lambda: not dialog.isVisible(), timeout=10_000)
    person = window.person_page.person
    assert person is not None and (person.given_name, person.family_name) == (
        "Десислава",
        "Иванова",
    )
    _shot(window, shots, "03-registered")

    # The connection drops: the server goes away mid-session.
    laptops.server.stop()
    with qtbot.waitSignal(controller.sync_finished, timeout=60_000):
        controller.start()
    label = controller.label
    qtbot.waitUntil(lambda: label.width() >= label.minimumSizeHint().width())
    _shot(window, shots, "04-offline")
    # said in her advisor's language: nothing is lost, it is kept here and sent later; one
    # change, Desislava registered (the audit entries that go with her are not counted)
    assert label.text().startswith("Офлайн") and "1 промяна запазена тук" in label.text()
    assert "Нищо не е загубено" in label.toolTip()

    feature = window.visits  # type: ignore[attr-defined]
    form = feature.start("life_situation", client_lang="bg")
    qtbot.waitExposed(form)
    # Her consent first, read to her in Bulgarian: the health section opens with it.
    consent = form.open_consent()
    qtbot.waitExposed(consent)
    consent.view.set_answers(
        {
            "consent_language": "bg",
            "consent_advice": "given",
            "consent_central_storage": "given",
            "consent_referral_sharing": "given",
            "consent_date": dt.date.today().isoformat(),
            "consent_form": "signed",
            "shared_with_service": "Jobcenter, Clearingstelle, Schulverwaltungsamt, VHS",
        }
    )
    _shot(consent, shots, "05-consent")
    with qtbot.waitSignal(consent.recorded, timeout=10_000):
        consent.save.click()
    arrived = dt.date.today() - dt.timedelta(days=61)
    form.view.set_answers(
        form.view.answers()
        | {
            "sex": "female",
            "nationality": "bulgarian",
            "arrival_date": arrived.isoformat(),
            "address_registration": "registered",
            "tax_id": "unknown",
            "partner": "not_stated",
            "household_size": 3,
            "children_count": 2,
            "children": [
                {
                    "child_name": "Николай",
                    "child_birth": _born_years_ago(8),
                    "child_lives": "with_person",
                    "child_care": "school",
                },
                {
                    "child_name": "Йоана",
                    "child_birth": _born_years_ago(15),
                    "child_lives": "with_person",
                    "child_care": "no_place",
                },
            ],
            "housing_type": "with_relatives",
            "insurance_status": "unclear",
            "pregnant": "no",
            "urgent_medical_need": "no",
            "work_status": ["minijob"],
            "working_field": "почистване, 10 часа седмично",
            "work_contract": "yes",
            "benefits": ["none"],
            "debts": "no",
            "session_language": "bg",
            "topics": ["jobcenter", "health_insurance", "school_daycare", "language_course"],
            "urgency": "this_week",
            "notes": "От Сливен. Била е осигурена в България, ЕЗОК е изтекла.",
        }
    )
    nav = form.view.navigator
    for row in range(nav.count()):
        nav.setCurrentRow(row)
        _shot(form, shots, f"05-life-{row:02d}")
    visit = finish_form(qtbot, form)
    # the health section open with her consent: its answers kept, none lost
    assert visit is not None and visit.answers["insurance_status"] == "unclear"
    assert [c["child_name"] for c in visit.answers["children"]] == ["Николай", "Йоана"]

    form = feature.start("skills_check", client_lang="bg")
    qtbot.waitExposed(form)
    form.view.set_answers(
        {
            "language_levels": [
                {"language": "bg", "level": {"level": "C2", "assessed": "self"}},
                {"language": "de", "level": {"level": "A1", "assessed": "self"}},
                {"language": "ru", "level": {"level": "A2", "assessed": "self"}},
            ],
            "latin_literacy": "fluent",
            "school_years": 11,
            "school_certificate": "lower_secondary",
            "school_certificate_document": "yes",
            "experience": [
                {"w_field": "cleaning", "w_years": 6, "w_where": "home_country"},
                {"w_field": "retail", "w_years": 3, "w_where": "home_country"},
            ],
            "driving_licence": ["none"],
            "computer_skills": "smartphone",
            "looking_for_work": "yes",
            "jobcenter_registration": "no",
            "training_wishes": ["german"],
            "job_wishes": "продавачка в магазин",
        }
    )
    nav = form.view.navigator
    for row in range(nav.count()):
        nav.setCurrentRow(row)
        _shot(form, shots, f"06-skills-{row:02d}")
    assert finish_form(qtbot, form) is not None

    referrals = window.referrals  # type: ignore[attr-defined]
    for search, reason in (
        ("jobcenter", "buergergeld"),
        ("clearing", "health_insurance"),
        ("schulverwaltungsamt", "school_place"),
        ("vhs", "integration_course"),
    ):

        def looked_at(refer: referrals_ui.ReferDialog, search: str = search) -> None:
            assert refer.client_lang.currentData() == "bg"  # from her languages
            _shot(refer, shots, f"07-refer-{search}")

        preview = refer_shown_person(qtbot, window, search, reason, looked_at)
        _shot(preview, shots, f"08-letter-{search}")
        text = " ".join(pdf_text(preview.pdf))
        # the German letter names her and the advisor in Latin letters, her copy in Bulgarian
        assert "Десислава Иванова (Desislava Ivanova), geb. 2. Januar" in text
        assert "Rumyana Petkova" in text and "Вашето насочване" in text
        assert "Румяна Петкова · Welcome Europe" in text
        (shots / f"walkbg-{search}.pdf").write_bytes(preview.pdf)
        preview.close()
    window.person_page.tabs.setCurrentWidget(referrals.tab)
    _shot(window, shots, "09-referrals")
    window.person_page.tabs.setCurrentWidget(feature.tab)
    _shot(window, shots, "10-visits")
    window.close()
    return person.id


def _is_wide(window: MainWindow, width: int) -> bool:
    return window.width() == width


def _names_whole(window: MainWindow) -> None:
    table, model = window.table, window.model
    assert table.horizontalScrollBar().maximum() == 0
    for row in range(model.rowCount()):
        for column in NAME_COLUMNS:
            text = model.data(model.index(row, column))
            assert shown_whole(table, text, table.columnWidth(column)), text


def _advisor_follows_up(qtbot: QtBot, advisor: Session, person_id: str, shots: Path) -> None:
    """Two weeks later, in German, on the other laptop: found by her name as German offices
    spell it and in Cyrillic; what came of three referrals; the follow-ups."""
    window = shown_window(qtbot, advisor, 1100)
    for query in ("Dessislava Iwanowa", "Десислава Иванова", "iwanowa"):
        window.search.clear()
        with qtbot.waitSignal(window.search_finished, timeout=10_000):
            type_text(window.search, query)
        _shot(window, shots, f"20-search-{query.replace(' ', '_')}")
        # both her entries: this one, and the one a helper made at the job centre
        assert window.model.rowCount() == 2, query
        _names_whole(window)
    window.show_person(person_id)
    notice = window.duplicate_notice  # type: ignore[attr-defined]
    qtbot.waitUntil(notice.isVisible, timeout=30_000)
    feature: referrals_ui.ReferralsFeature = window.referrals  # type: ignore[attr-defined]
    tab = feature.tab
    window.person_page.tabs.setCurrentWidget(tab)
    _shot(window, shots, "21-de-referrals")
    outcomes = {
        "jobcenter": (ReferralStatus.ATTENDED, "Termin wahrgenommen, Antrag gestellt."),
        "clearingstelle": (ReferralStatus.OUTCOME_NOTED, "Versicherung geklärt: AOK."),
        "schulverwaltungsamt": (ReferralStatus.APPOINTMENT_MADE, "Schulplatz noch offen."),
    }
    for service, (status, outcome) in outcomes.items():
        referral = next(r for r in tab.referrals if r.service_id == service)
        tab.table.selectRow(tab.referrals.index(referral))
        tab.status_button.click()
        dialog = next(
            d
            for d in window.findChildren(referrals_ui.StatusDialog)
            if d.referral.id == referral.id and d.isVisible()
        )
        qtbot.waitExposed(dialog)
        dialog.set_status(status)
        type_text(dialog.outcome, outcome)
        _shot(dialog, shots, f"22-status-{service}")
        with qtbot.waitSignal(dialog.save.answered, timeout=10_000):
            dialog.buttons.button(Save).click()
        stored = uc.get_referral(advisor.store, advisor.user, referral.id)
        assert (stored.status, stored.outcome) == (status, outcome)
    # the new statuses' words ("Ergebnis notiert") in view, nothing scrolled sideways
    qtbot.waitUntil(lambda: tab.table.horizontalScrollBar().maximum() == 0, timeout=5_000)
    _shot(window, shots, "23-de-referrals-after")
    follow_ups = feature.open_follow_ups()
    qtbot.waitExposed(follow_ups)
    _shot(follow_ups, shots, "24-follow-ups")
    follow_ups.close()
    window.close()


def _her_page_in_bulgarian(qtbot: QtBot, advisor: Session, person_id: str, shots: Path) -> None:
    """Her page at a laptop's widths in Bulgarian, the notice of her other entry above it."""
    window = shown_window(qtbot, advisor, 1100)
    window.search.setText("Иванова")
    qtbot.waitUntil(lambda: window.model.rowCount() == 2, timeout=10_000)
    window.show_person(person_id)
    notice = window.duplicate_notice  # type: ignore[attr-defined]
    qtbot.waitUntil(notice.isVisible, timeout=30_000)
    visits_tab = window.visits.tab  # type: ignore[attr-defined]
    for width in (1024, 1100):
        window.resize(QSize(width, 700))
        qtbot.waitUntil(partial(_is_wide, window, width))
        for tab in (visits_tab, window.referrals.tab):  # type: ignore[attr-defined]
            window.person_page.tabs.setCurrentWidget(tab)
            qtbot.waitUntil(tab.isVisible)
            _shot(window, shots, f"30-bg-{width}-{tab.objectName() or type(tab).__name__}")
        assert window.table.horizontalScrollBar().maximum() == 0
        if width == 1100:
            _names_whole(window)
    window.close()


def test_an_advisor_registers_desislava_ivanova_in_bulgarian_and_another_follows_up(
    qtbot: QtBot, qapp: QApplication, laptops: Laptops, program_font: None, tmp_path: Path
) -> None:
    shots = Path(os.environ.get("WELCOME_DESK_SHOTS", tmp_path))
    translations = QtTranslations(qapp)  # Qt's own texts too (Cancel, Close …)
    first = laptops.new("A", coordinator=True)
    other = laptops.new("B")
    accounts.add_user(first, "rumyana", "Румяна Петкова", Role.ADVISOR, "advisor pass 123")
    advisor = accounts.log_in(first.store.paths.data_dir, "rumyana", "advisor pass 123")
    try:
        set_language("bg")
        translations.apply("bg")
        person_id = _advisor_registers(qtbot, laptops, advisor, shots)
        # Meanwhile, at the job centre, a helper on the other laptop registered her from her
        # ID card, not knowing she was registered already.
        people.register_person(
            other.store,
            other.user,
            PersonDraft("Desislava", "Ivanova", "02.01." + _born_years_ago(34), nationality="BG"),
        )
        laptops.server.start()  # the connection is back
        laptops.sync(first, other, first)
        accounts.add_user(other, "jonas", "Jonas Weber", Role.ADVISOR, "advisor pass 123")
        second = accounts.log_in(other.store.paths.data_dir, "jonas", "advisor pass 123")
        try:
            set_language("de")
            translations.apply("de")
            _advisor_follows_up(qtbot, second, person_id, shots)
            set_language("bg")
            translations.apply("bg")
            _her_page_in_bulgarian(qtbot, second, person_id, shots)
        finally:
            second.close()
    finally:
        advisor.close()
        translations.stop()
        set_language("en")
