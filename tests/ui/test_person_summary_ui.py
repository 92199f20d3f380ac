"""The summary at the top of a person's visits: two weeks after a Bulgarian mother's first
visit the next advisor read "Check on the life situation, version 1: 21 answers" and had to open
each visit to learn of her children, the open referrals and what was agreed."""

from __future__ import annotations

import datetime as dt
import os
import threading
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import QRect, Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

from desktop_app.domain.person import PersonDraft
from desktop_app.domain.referral import FOLLOW_UP_AFTER, ReferralStatus
from desktop_app.domain.service import LocalizedText
from desktop_app.domain.skills_facts import SkillsFacts
from desktop_app.domain.users import Role
from desktop_app.i18n.formatting import format_partial_date
from desktop_app.i18n.text import set_language
from desktop_app.ui import visits as visits_ui
from desktop_app.ui.main_window import MainWindow
from desktop_app.ui.person_summary import (
    PersonSummaryView,
    languages_text,
    qualifications_text,
)
from desktop_app.usecases import accounts, people, visits
from desktop_app.usecases import referrals as referrals_uc
from desktop_app.usecases.accounts import Session
from desktop_app.usecases.person_summary import PersonSummary
from tests.ui.conftest import shown_window
from tests.unit.test_person_summary import (
    HELPER_PASSWORD,
    PETYAS_DAUGHTER,
    first_check,
    household_restricted,
    mother_with_childrens_insurance,
    mother_with_ehic,
    nurse_skills,
    petyas_family,
    returning_mother,
    three_children,
)
from tests.unit.test_visits import full_life_situation

FOLLOW_UP = dt.date.today() + dt.timedelta(days=10)


def _summary(
    qtbot: QtBot, session: Session, person_id: str
) -> tuple[MainWindow, PersonSummaryView]:
    window = shown_window(qtbot, session)
    window.resize(1366, 768)
    window.show_person(person_id)
    view: PersonSummaryView = window.visits.tab.summary  # type: ignore[attr-defined]
    qtbot.waitUntil(view.isVisible, timeout=10_000)
    return window, view


def _short(day: dt.date) -> str:
    return format_partial_date(day.isoformat())


def _shot(window: MainWindow, name: str, tmp_path: Path) -> None:
    folder = Path(os.environ.get("SUMMARY_SHOTS", tmp_path))
    QApplication.processEvents()  # the layout requests of the person just shown
    window.grab().save(str(folder / f"summary-{name}.png"))


@pytest.mark.parametrize(
    ("lang", "children", "housing", "insurance", "referrals", "steps"),
    [
        (
            "de",
            "3 Kinder: Мария (1), Иван (6), Елена (11)",
            "Untermiete",
            "nicht versichert",
            "Clearingstelle Gesundheit: Ausgestellt, Nachverfolgung am {date}\n"
            "Schulverwaltungsamt Dortmund: Ausgestellt, Nachverfolgung am {later}",
            "Anmeldung beim Bürgerbüro\nKita-Platz über das Jugendamt suchen",
        ),
        (
            "bg",
            "3 деца: Мария (1), Иван (6), Елена (11)",
            "на квартира при друг наемател (Untermiete)",
            "няма здравна осигуровка",
            "",
            "",
        ),
    ],
)
def test_the_next_advisor_reads_the_children_referrals_and_steps_at_once(
    qtbot: QtBot,
    session: Session,
    tmp_path: Path,
    lang: str,
    children: str,
    housing: str,
    insurance: str,
    referrals: str,
    steps: str,
) -> None:
    set_language(lang)
    person_id = returning_mother(session)
    window, view = _summary(qtbot, session, person_id)
    assert view.values["children"].text() == children
    assert view.values["housing"].text() == housing
    assert view.values["insurance"].text() == insurance
    shown = view.values["referrals"].text()
    later = dt.date.today() + FOLLOW_UP_AFTER
    if referrals:
        expected = referrals.format(date=_short(FOLLOW_UP), later=_short(later))
        assert shown == expected
        assert view.values["steps"].text() == steps
    else:  # in Bulgarian: the services as the directory names them, with the dates
        assert shown.count("\n") == 1
        assert _short(FOLLOW_UP) in shown.splitlines()[0]
        assert "Clearingstelle" in shown.splitlines()[0]
        assert len(view.values["steps"].text().splitlines()) == 2
    # reached by Tab and read by a screen reader, each with what it is about
    for key, value in view.values.items():
        assert value.focusPolicy() & value.focusPolicy().TabFocus
        assert value.accessibleName().startswith(view.labels[key].text())
        assert value.accessibleName().endswith(value.text())
    _shot(window, lang, tmp_path)
    window.close()


def test_the_summary_follows_a_new_check_and_a_new_referral(qtbot: QtBot, session: Session) -> None:
    set_language("de")
    person_id = returning_mother(session)
    window, view = _summary(qtbot, session, person_id)
    assert view.values["housing"].text() == "Untermiete"
    second = full_life_situation() | {
        "children_count": 3,
        "children": three_children(),
        "housing_type": "own_rental",
        "insurance_status": "statutory",
    }
    visits.finish_visit(session.store, session.user, person_id, "life_situation", second)
    window.person_data_saved.emit(person_id)  # as the visit's window does when it finishes
    # Read on a worker thread: the summary before stays until the new one is in.
    qtbot.waitUntil(lambda: view.values["housing"].text() == "eigene Mietwohnung")
    assert view.values["insurance"].text() == "gesetzlich versichert in Deutschland"
    assert view.values["steps"].text() == "keine"
    referral = referrals_uc.issue_referral(
        session.store, session.user, person_id, "jugendamt", "family_support"
    )
    window.referrals._on_referral_issued(referral)  # type: ignore[attr-defined]
    qtbot.waitUntil(lambda: view.values["referrals"].text().count("\n") == 2)
    assert "Jugendamt" in view.values["referrals"].text()
    window.close()


def test_a_helper_without_the_household_section_sees_no_children(
    qtbot: QtBot, session: Session
) -> None:
    set_language("de")
    household_restricted(session)
    person_id = returning_mother(session)
    accounts.add_user(session, "ana", "Ana Helfer", Role.HELPER, HELPER_PASSWORD)
    helper = accounts.log_in(session.store.paths.data_dir, "ana", HELPER_PASSWORD)
    try:
        window, view = _summary(qtbot, helper, person_id)
        text = "\n".join(v.text() + v.accessibleName() for v in view.values.values())
        assert "Мария" not in text and "Иван" not in text and "Елена" not in text
        assert view.values["children"].text() == "für Sie nicht sichtbar (geschützt)"
        assert view.values["insurance"].text() == "für Sie nicht sichtbar (geschützt)"
        window.close()
    finally:
        helper.close()


def test_holding_the_arrow_key_through_20_people_reads_no_summary_on_the_ui_thread(
    qtbot: QtBot, session: Session, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Each step down the people list read the person's summary on the UI thread (tens of ms
    a step). Now read on a worker: none is read on the UI thread, none is shown on another
    person's page, and the one shown at the end is the last person's."""
    set_language("de")
    check_of: dict[str, str] = {}  # person id -> their check's visit id
    for i in range(21):
        person = people.register_person(
            session.store, session.user, PersonDraft(f"Elena {i:02}", f"Radu {i:02}")
        )
        children = [{**three_children()[0], "child_name": f"Kind {i:02}"}]
        answers = full_life_situation() | {"children_count": 1, "children": children}
        visit = visits.finish_visit(
            session.store, session.user, person.id, "life_situation", answers
        )
        check_of[person.id] = visit.id
    reads_on_ui_thread: list[str] = []
    real_read = visits_ui.person_summary

    def read(*args: Any, **kwargs: Any) -> PersonSummary:
        if threading.current_thread() is threading.main_thread():
            reads_on_ui_thread.append(args[2])
        return real_read(*args, **kwargs)

    monkeypatch.setattr(visits_ui, "person_summary", read)
    window = shown_window(qtbot, session, 1366)
    view: PersonSummaryView = window.visits.tab.summary  # type: ignore[attr-defined]
    shown_on: list[tuple[str, str]] = []  # (check shown, check of the person on the page)
    show = view.show_summary

    def recorded(summary: PersonSummary | None, *directory: Any) -> None:
        page = window.person_page.person
        if summary is not None and page is not None:
            shown_on.append((summary.visit_id, check_of[page.id]))
        show(summary, *directory)

    monkeypatch.setattr(view, "show_summary", recorded)
    model, table = window.model, window.table
    qtbot.waitUntil(lambda: model.rowCount() == 21 and model.entry(20) is not None)
    table.setFocus()
    table.setCurrentIndex(model.index(0, 0))
    for _step in range(20):  # the key held: its repeats come between the window's events
        qtbot.keyClick(table, Qt.Key.Key_Down)
        QApplication.processEvents()
    last, page = model.entry(20), window.person_page.person
    assert last is not None and page is not None and page.id == last.id
    qtbot.waitUntil(lambda: view.summary is not None and view.summary.visit_id == check_of[last.id])
    assert view.isVisible()
    assert view.values["children"].text().startswith("1 Kind: Kind 20 (")
    assert reads_on_ui_thread == []
    assert shown_on and all(shown == expected for shown, expected in shown_on), shown_on
    window.close()


@pytest.mark.parametrize(
    ("lang", "insurance"),
    [
        (
            "de",
            "gesetzlich versichert in Deutschland\n"
            "Мария (1): gesetzlich versichert (auch familienversichert)\n"
            "Иван (6): nicht versichert",
        ),
        (
            "bg",
            "задължително осигурен/а в Германия (gesetzliche Krankenkasse)\n"
            "Мария (1): задължително осигурено в Германия (gesetzliche Krankenkasse), "
            "вкл. семейно осигуряване\n"
            "Иван (6): няма здравна осигуровка",
        ),
    ],
)
def test_the_summary_shows_which_children_are_insured(
    qtbot: QtBot, session: Session, tmp_path: Path, lang: str, insurance: str
) -> None:
    """A mother insured, her son not: the summary said only the mother's insurance."""
    set_language(lang)
    person_id = mother_with_childrens_insurance(session)
    window, view = _summary(qtbot, session, person_id)
    assert view.values["insurance"].text() == insurance
    assert view.values["insurance"].accessibleName().endswith(insurance)
    _shot(window, f"children-insurance-{lang}", tmp_path)
    window.close()


@pytest.mark.parametrize(
    ("lang", "valid_until", "shown", "marked"),
    [
        ("de", "2020-01-31", "abgelaufen am 31. Januar 2020", True),
        ("bg", "2020-01-31", "изтекла на 31 януари 2020\u202fг.", True),
        # within the 15 years a date may lie ahead (for the next ten years of this test)
        ("ro", "2040-03-31", "valabil până la 31 martie 2040", False),
    ],
)
def test_the_summary_shows_until_when_the_ehic_is_valid_and_marks_an_expired_one(
    qtbot: QtBot,
    session: Session,
    tmp_path: Path,
    lang: str,
    valid_until: str,
    shown: str,
    marked: bool,
) -> None:
    set_language(lang)
    person_id = mother_with_ehic(session, valid_until)
    window, view = _summary(qtbot, session, person_id)
    value = view.values["ehic"]
    assert value.isVisible() and view.labels["ehic"].isVisible()
    assert value.text() == shown
    assert value.accessibleName() == f"{view.labels['ehic'].text()} {shown}"
    assert ("#8a5300" in value.styleSheet()) is marked
    _shot(window, f"ehic-{lang}", tmp_path)
    # another person, with a German insurance: no such line, nothing marked
    other = people.register_person(
        session.store,
        session.user,
        PersonDraft(given_name="Ioana", family_name="Popescu", date_of_birth="1988"),
    )
    first_check(session, other.id)
    window.show_person(other.id)
    # Hidden at once while hers is read (``blank``); then, read, not shown for her.
    assert not value.isVisible() and value.styleSheet() == ""
    qtbot.waitUntil(lambda: view.summary is not None)
    assert not value.isVisible()
    assert value.text() == "" and value.styleSheet() == ""
    window.close()


@pytest.mark.parametrize(
    ("lang", "children", "abroad_only"),
    [
        (
            "de",
            "3 Kinder: Мария (2), Никола (8); im Herkunftsland: Елена (15)",
            "1 Kind, nicht im Haushalt – im Herkunftsland: Елена (15)",
        ),
        (
            "bg",
            "3 деца: Мария (2), Никола (8); в родината: Елена (15)",
            "1 дете, което не живее в домакинството – в родината: Елена (15)",
        ),
        (
            "ro",
            "3 copii: Мария (2), Никола (8); în țara de origine: Елена (15)",
            "1 copil, care nu locuiește în gospodărie – în țara de origine: Елена (15)",
        ),
        (
            "en",
            "3 children: Мария (2), Никола (8); in the home country: Елена (15)",
            "1 child, not in the household – in the home country: Елена (15)",
        ),
    ],
)
def test_the_summary_names_the_children_living_elsewhere_with_where(
    qtbot: QtBot, session: Session, tmp_path: Path, lang: str, children: str, abroad_only: str
) -> None:
    """The walk-through's summary said "2 Kinder: Мария, Никола" and never mentioned the
    daughter at her grandmother's in Bulgaria (the Kindergeld is paid for her too)."""
    set_language(lang)
    window, view = _summary(qtbot, session, petyas_family(session))
    assert view.values["children"].text() == children
    assert view.values["children"].accessibleName().endswith(children)
    _shot(window, f"children-elsewhere-{lang}", tmp_path)
    window.show_person(petyas_family(session, (PETYAS_DAUGHTER,)))
    qtbot.waitUntil(lambda: view.values["children"].text() == abroad_only, timeout=10_000)
    window.close()


def _with_skills_check(session: Session) -> str:
    """The Bulgarian mother's household, referrals and steps, and Maria Popescu's skills
    check: the summary at its fullest."""
    person_id = returning_mother(session)
    visits.finish_visit(
        session.store,
        session.user,
        person_id,
        "skills_check",
        nurse_skills(),
        next_steps={"recognition_advice": "accepted", "job_german_course": "accepted"},
    )
    return person_id


@pytest.mark.parametrize(
    ("lang", "languages", "qualifications", "driving", "step"),
    [
        (
            "de",
            "Deutsch: B1 – Mittelstufe (getestet)\n"
            "Andere Sprachen: Rumänisch C2, Englisch A2, Aromână B1",
            "asistentă medicală generalistă – Berufsausbildung, Rumänien, 2016; "
            "Anerkennung nicht begonnen\n"
            "Moașă – Studium (Hochschule), Rumänien; Anerkennung: läuft noch",
            "Klasse B (Auto), Staplerschein",
            "Anerkennungsberatung",
        ),
        (
            "ro",
            "Germană: B1 – intermediar (testat)\nAlte limbi: română C2, engleză A2, Aromână B1",
            "asistentă medicală generalistă – formare profesională, România, 2016; "
            "recunoașterea nu a fost începută\n"
            "Moașă – studii universitare, România; recunoaștere: în curs",
            "categoria B (autoturism), autorizație de stivuitorist",
            "Consiliere pentru recunoașterea calificărilor (Anerkennungsberatung)",
        ),
        (
            "bg",
            "Немски: B1 – средно ниво (с тест)\nДруги езици: румънски C2, английски A2, Aromână B1",
            "asistentă medicală generalistă – професионално обучение, Румъния, 2016; "
            "признаването не е започнато\n"
            "Moașă – висше образование, Румъния; признаване: в процес",
            "категория B (лек автомобил), свидетелство за мотокар",
            "Консултация за признаване на квалификация (Anerkennungsberatung)",
        ),
    ],
)
def test_the_next_advisor_reads_what_the_skills_check_found(
    qtbot: QtBot,
    session: Session,
    tmp_path: Path,
    lang: str,
    languages: str,
    qualifications: str,
    driving: str,
    step: str,
) -> None:
    """Maria Popescu, a nurse from Romania: the summary said "skills check, version 1: 11
    answers", and the next advisor had to open it to learn her German and her diploma."""
    set_language(lang)
    person_id = _with_skills_check(session)
    window, view = _summary(qtbot, session, person_id)
    assert view.values["languages"].text() == languages
    assert view.values["qualifications"].text() == qualifications
    assert view.values["driving"].text() == driving
    assert step in view.values["steps"].text().splitlines()
    assert (
        view.values["skills_heading"]
        .text()
        .startswith(
            {
                "de": "Aus dem Kompetenzcheck vom",
                "ro": "Din evaluarea competențelor din",
                "bg": "От оценката на уменията на",
            }[lang]
        )
    )
    for key in ("skills_heading", "languages", "qualifications", "driving"):
        value = view.values[key]
        assert value.isVisible() and value.accessibleName().endswith(value.text())
    # at 1366x768 beside the rest: every line of the summary whole, inside the window
    QApplication.processEvents()
    for key, value in view.values.items():
        if not value.isVisible():
            continue
        assert value.height() >= value.heightForWidth(value.width()), key
        bottom = value.mapTo(window, value.rect().bottomLeft()).y()
        assert bottom < window.height(), key
    _shot(window, f"skills-{lang}", tmp_path)
    window.close()


def test_without_a_skills_check_the_summary_shows_none_of_its_lines(
    qtbot: QtBot, session: Session
) -> None:
    set_language("de")
    window, view = _summary(qtbot, session, returning_mother(session))
    for key in ("skills_heading", "languages", "qualifications", "driving"):
        assert view.values[key].isHidden() and view.labels[key].isHidden()
    window.close()


def test_reading_and_writing_not_confident_is_said_and_german_not_recorded() -> None:
    set_language("de")
    skills = SkillsFacts(
        latin_literacy=LocalizedText({"de": "teilweise, langsam"}),
        latin_literacy_answer="partly",
    )
    assert languages_text(skills) == (
        "Deutsch: nicht erfasst\nLesen und Schreiben in lateinischer Schrift: teilweise, langsam"
    )
    assert qualifications_text(skills) == "keine aus dem Ausland"


@pytest.mark.parametrize("lang", ["bg", "de"])
def test_on_a_1100_x_700_laptop_a_helper_reads_every_line_of_the_summary_whole(
    qtbot: QtBot, session: Session, tmp_path: Path, lang: str, program_font: None
) -> None:
    """The walk-through's helper (UI in Bulgarian, on a 1100 × 700 laptop) opened a mother's
    page: the summary's heading, her housing, "hidden from you (restricted)" and the open
    referral were each cut to half a line, the visits tab having less room than its lines and
    the note on what is withheld. The tab scrolls now, and each line has its whole height."""
    set_language(lang)
    person_id = returning_mother(session)
    accounts.add_user(session, "ana", "Ana Helfer", Role.HELPER, HELPER_PASSWORD)
    helper = accounts.log_in(session.store.paths.data_dir, "ana", HELPER_PASSWORD)
    try:
        window = shown_window(qtbot, helper)
        window.resize(1100, 700)
        window.show_person(person_id)
        tab = window.visits.tab  # type: ignore[attr-defined]
        view: PersonSummaryView = tab.summary
        qtbot.waitUntil(view.isVisible, timeout=10_000)
        qtbot.waitUntil(tab.withheld_note.isVisible, timeout=10_000)
        QApplication.processEvents()  # the layout requests of the person just shown
        _shot(window, f"helper-1100-{lang}", tmp_path)
        lines = [view.heading, tab.withheld_note, tab.edit_button]
        lines += [v for v in view.values.values() if v.isVisible()]
        for line in lines:
            wanted = line.heightForWidth(line.width()) if line.hasHeightForWidth() else -1
            wanted = max(wanted, line.minimumSizeHint().height())
            assert line.height() >= wanted, (line.objectName(), line.text(), line.height(), wanted)
        # The history keeps room for its rows beside them.
        assert tab.tree.viewport().height() >= 2 * tab.tree.fontMetrics().height()
        # A line reached by Tab is scrolled into view.
        last = view.values["steps"]
        view.values["referrals"].setFocus()
        QTest.keyClick(view.values["referrals"], Qt.Key.Key_Tab)
        assert last.hasFocus()
        top_left = last.mapTo(tab, last.rect().topLeft())
        assert tab.rect().contains(QRect(top_left, last.size())), (top_left, tab.rect())
        window.close()
    finally:
        helper.close()


@pytest.mark.parametrize(
    ("lang", "noted"), [("de", "; Ergebnis: "), ("bg", "; резултат: "), ("ro", "; rezultat: ")]
)
def test_the_summary_gives_each_open_referrals_latest_outcome_short(
    qtbot: QtBot, session: Session, lang: str, noted: str
) -> None:
    """An open referral's outcome (the job centre's answer on the phone) was read only in the
    referrals tab's tooltip; the summary's line gives it, cut short (whole on the tab)."""
    set_language(lang)
    try:
        person_id = returning_mother(session)
        [first, second] = referrals_uc.referrals_of(session.store, session.user, person_id)
        long = "Antrag gestellt, Bescheid kommt per Post in etwa drei Wochen, Kopie liegt vor"
        for referral, outcome in ((first, long), (second, "")):
            referrals_uc.change_status(
                session.store,
                session.user,
                referral.id,
                ReferralStatus.ATTENDED,
                outcome,
            )
        window, view = _summary(qtbot, session, person_id)
        lines = view.values["referrals"].text().splitlines()
        assert len(lines) == 2
        [with_outcome] = [line for line in lines if noted in line]
        said = with_outcome.split(noted, 1)[1]
        assert said.endswith("…") and long.startswith(said.removesuffix("…"))
        assert len(said) <= 40
        assert view.values["referrals"].accessibleName().endswith(view.values["referrals"].text())
        if (shots := Path("/tmp/shots-statusdlg")).is_dir():
            _shot(window, f"outcome-{lang}", shots)
        window.close()
    finally:
        set_language("en")


@pytest.mark.parametrize(
    ("lang", "overdue", "due_today"),
    [
        ("de", "Nachverfolgung überfällig seit", "Nachverfolgung heute fällig"),
        ("bg", "проследяването е просрочено от", "проследяване днес"),
        ("ro", "urmărire restantă din", "urmărire astăzi"),
    ],
)
def test_a_follow_up_whose_day_has_passed_is_said_to_be_overdue(
    qtbot: QtBot, session: Session, lang: str, overdue: str, due_today: str
) -> None:
    """A returning person's summary said "follow-up on 3 Sept" of a call three months
    overdue, as of one still ahead: the advisor in front of her did not ask how it went."""
    set_language(lang)
    try:
        person_id = returning_mother(session)
        [first, second] = referrals_uc.referrals_of(session.store, session.user, person_id)
        today = dt.date.today()
        past = today - dt.timedelta(days=95)
        for referral, day in ((first, past), (second, today)):
            referrals_uc.change_status(
                session.store, session.user, referral.id, referral.status, follow_up=day
            )
        window, view = _summary(qtbot, session, person_id)
        lines = view.values["referrals"].text().splitlines()
        assert any(line.endswith(f"{overdue} {_short(past)}") for line in lines), lines
        assert any(line.endswith(due_today) for line in lines), lines
        window.close()
    finally:
        set_language("en")
