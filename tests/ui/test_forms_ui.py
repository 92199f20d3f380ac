"""Forms driven by keyboard in the real main window: a whole life situation check with consent,
a skills check with next steps, drafts that survive a killed window, bilingual labels."""

from __future__ import annotations

import datetime as dt
import os
import threading
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import QRect, Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import (
    QAbstractButton,
    QApplication,
    QCheckBox,
    QComboBox,
    QLabel,
    QLineEdit,
    QMessageBox,
    QRadioButton,
    QStyle,
    QStyledItemDelegate,
    QStyleOptionViewItem,
    QTreeWidget,
    QWidget,
)
from pytestqt.qtbot import QtBot
from sqlalchemy import select

from desktop_app.domain.person import Person, PersonDraft
from desktop_app.forms import evaluate
from desktop_app.i18n.formatting import format_moment
from desktop_app.i18n.text import set_language
from desktop_app.storage.visits_models import VisitRow
from desktop_app.ui.application import load_fonts
from desktop_app.ui.form_view import FieldEditor, FollowerEditor, FormView, GroupEditor
from desktop_app.ui.main_window import MainWindow
from desktop_app.ui.referrals import ReferDialog, ReferralsFeature
from desktop_app.ui.visits import DraftsDialog, VisitsFeature, VisitWindow, form_title
from desktop_app.ui.widgets import hanging_lines
from desktop_app.usecases import people, visits
from desktop_app.usecases import referrals as uc
from desktop_app.usecases import sync as sync_uc
from desktop_app.usecases.accounts import Session
from tests.conftest import record_sharing_consent
from tests.pdf_text import pdf_pages
from tests.ui.conftest import finish_form, shown_whole, shown_window, store_held, type_text
from tests.ui.test_main_window import _access_key
from tests.unit.test_visits import consent_answers


def _person(session: Session) -> Person:
    return people.register_person(
        session.store,
        session.user,
        PersonDraft(
            given_name="Мария",
            family_name="Петрова",
            date_of_birth="02.04.1991",
            sex="female",
            nationality="BG",
            languages=("bg", "tr"),
        ),
    )


def _window(qtbot: QtBot, session: Session) -> tuple[MainWindow, VisitsFeature]:
    window = shown_window(qtbot, session)
    feature: VisitsFeature = window.visits  # type: ignore[attr-defined]
    return window, feature


def _open(qtbot: QtBot, session: Session, form_id: str) -> tuple[VisitWindow, Person]:
    person = _person(session)
    window, feature = _window(qtbot, session)
    window.show_person(person.id)
    button = feature.start_button if form_id == "life_situation" else feature.skills_button
    assert button.isVisible()
    button.setFocus()
    QTest.keyClick(button, Qt.Key.Key_Space)
    (win,) = feature.open_windows
    qtbot.addWidget(win)
    win.activateWindow()
    qtbot.waitUntil(win.isActiveWindow, timeout=30_000)  # window shortcuts need an active window
    return win, person


def choose(view: FormView, path: str, option_id: str) -> None:
    """Pick an option of a combo box with the arrow keys."""
    combo = view.input(path)
    assert isinstance(combo, QComboBox)
    target = combo.findData(option_id)
    assert target >= 0, (path, option_id)
    combo.setFocus()
    QTest.keyClick(combo, Qt.Key.Key_Home)
    for _ in range(target):
        QTest.keyClick(combo, Qt.Key.Key_Down)
    assert combo.currentData() == option_id


def tick(view: FormView, path: str, option_id: str) -> None:
    check = view.findChild(QCheckBox, f"{path}:{option_id}")
    assert check is not None
    check.setFocus()
    QTest.keyClick(check, Qt.Key.Key_Space)
    assert check.isChecked()


def type_into(view: FormView, path: str, text: str) -> None:
    widget = view.input(path)
    type_text(widget, text)


def press(widget: QWidget) -> None:
    widget.setFocus()
    QTest.keyClick(widget, Qt.Key.Key_Space)


def remove_entry(remove: QWidget) -> None:
    """Press an entry's Remove and confirm it (an entry with answers asks first) by keys."""
    press(remove)
    shown = [w for w in QApplication.topLevelWidgets() if w.isVisible()]
    box = next((w for w in shown if isinstance(w, QMessageBox)), None)
    if box is None:  # nothing entered in it: removed at once
        return
    accept = QMessageBox.ButtonRole.AcceptRole
    confirm = next(b for b in box.buttons() if box.buttonRole(b) is accept)
    confirm.setFocus()  # the question opens on Cancel
    QTest.keyClick(confirm, Qt.Key.Key_Space)


def editor(view: FormView, field_id: str) -> FieldEditor:
    return view.editors[field_id]


def test_whole_life_situation_check_by_keyboard(qtbot: QtBot, session: Session) -> None:
    win, person = _open(qtbot, session, "life_situation")
    view = win.view
    # the person section is filled from the person's record
    assert view.input("family_name").text() == "Петрова"  # type: ignore[attr-defined]
    choose(view, "address_registration", "not_registered")

    QTest.keyClick(view.input("phone"), Qt.Key.Key_PageDown, Qt.KeyboardModifier.ControlModifier)
    assert view.current_section() == "household"
    children = editor(view, "children")
    assert children.isHidden()
    type_into(view, "children_count", "1")
    assert not children.isHidden()  # appears once there are children
    assert isinstance(children, GroupEditor)
    press(children.add)
    type_into(view, "children[0].child_name", "Ана")
    type_into(view, "children[0].child_birth", "05.2018")
    assert children.items[0].editors["child_care"].isHidden()
    choose(view, "children[0].child_lives", "with_person")
    assert not children.items[0].editors["child_care"].isHidden()
    choose(view, "children[0].child_care", "waiting_school")

    press(view.next_button)
    assert view.current_section() == "housing"
    assert editor(view, "rent").isHidden()
    choose(view, "housing_type", "sublet")
    assert not editor(view, "rent").isHidden()
    type_into(view, "rent", "450")

    # the health section is closed until consent is recorded
    press(view.next_button)
    assert view.current_section() == "health"
    page = view.pages[3]
    assert page.consent_button.isVisible() and editor(view, "insurance_status").isHidden()
    press(page.consent_button)
    dialog = win.consent_dialog
    assert dialog is not None
    assert "Съгласен/на съм" in dialog.texts.toPlainText()  # the text in the person's language
    cview = dialog.view
    choose(cview, "consent_advice", "given")
    choose(cview, "consent_central_storage", "given")
    choose(cview, "consent_referral_sharing", "refused")
    choose(cview, "consent_form", "signed")
    with qtbot.waitSignal(dialog.recording.answered, timeout=10_000):
        dialog.save.click()
    assert visits.granted_purposes(session.store, session.user, person.id) == {
        "advice",
        "central_storage",
    }
    qtbot.waitUntil(win.isActiveWindow, timeout=30_000)  # typing goes on in the form
    assert view.current_section() == "health"
    assert not editor(view, "insurance_status").isHidden()
    choose(view, "insurance_status", "none")
    choose(view, "urgent_medical_need", "no")

    press(view.next_button)
    tick(view, "work_status", "minijob")
    press(view.next_button)
    assert view.current_section() == "visit"
    choose(view, "session_language", "bg")
    tick(view, "topics", "jobcenter")
    tick(view, "topics", "school_daycare")
    choose(view, "urgency", "this_week")
    type_into(view, "notes", "Termin am Montag – носи документи")

    press(view.next_button)
    assert view.current_section() == "__next_steps__"
    steps = {s.id for s in view.steps_page.steps}
    assert {"health_clearing", "address_registration", "school_place"} <= steps
    accept = view.findChild(QRadioButton, "step:school_place:accepted")
    assert accept is not None
    press(accept)

    with qtbot.waitSignal(win.finished_visit, timeout=30_000) as blocker:
        QTest.keyClick(accept, Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)
    visit = blocker.args[0]
    assert visit.answers["children"][0]["child_name"] == "Ана"
    assert visit.answers["insurance_status"] == "none"
    assert visit.answers["notes"] == "Termin am Montag – носи документи"
    assert visit.next_steps == {"school_place": "accepted"}
    assert visits.load_draft(session.store, session.user, person.id, "life_situation") is None
    history = visits.visit_history(session.store, session.user, person.id)
    assert [v.id for v in history] == [visit.id]


def test_skills_check_by_keyboard_with_next_steps(qtbot: QtBot, session: Session) -> None:
    win, _ = _open(qtbot, session, "skills_check")
    view = win.view
    # the languages of the person's record are listed, their levels to ask
    assert view.answers()["language_levels"] == [{"language": "bg"}, {"language": "tr"}]
    for n, level in enumerate(("C2", "B1")):
        choose(view, f"language_levels[{n}].level", level)
        choose(view, f"language_levels[{n}].level:assessed", "self")
    levels = editor(view, "language_levels")
    assert isinstance(levels, GroupEditor)
    press(levels.add)
    choose(view, "language_levels[2].language", "de")
    choose(view, "language_levels[2].level", "A2")
    choose(view, "language_levels[2].level:assessed", "tested")
    press(levels.add)
    choose(view, "language_levels[3].language", "other")
    type_into(view, "language_levels[3].language_other", "Romanes")
    choose(view, "language_levels[3].level", "C2")
    choose(view, "language_levels[3].level:assessed", "self")
    choose(view, "latin_literacy", "fluent")
    view.show_section("schooling")
    type_into(view, "school_years", "10")
    choose(view, "school_certificate", "lower_secondary")
    _add_qualification(view, "Шивачка", "bg")
    view.show_section("further_skills")
    choose(view, "looking_for_work", "yes")
    choose(view, "jobcenter_registration", "no")
    view.show_section("__next_steps__")
    steps = {s.id for s in view.steps_page.steps}
    assert {"integration_course", "recognition_advice", "job_centre_registration"} <= steps
    press(view.findChild(QRadioButton, "step:integration_course:accepted"))  # type: ignore[arg-type]
    press(view.findChild(QRadioButton, "step:recognition_advice:dismissed"))  # type: ignore[arg-type]
    visit = finish_form(qtbot, win)
    assert visit is not None
    assert visit.answers["language_levels"][0] == {
        "language": "bg",
        "level": {"level": "C2", "assessed": "self"},
    }
    assert visit.answers["language_levels"][3] == {
        "language": "other",
        "language_other": "Romanes",
        "level": {"level": "C2", "assessed": "self"},
    }
    assert visit.next_steps == {
        "integration_course": "accepted",
        "recognition_advice": "dismissed",
    }


def test_incomplete_form_shows_what_is_missing_and_stores_nothing(
    qtbot: QtBot, session: Session
) -> None:
    win, person = _open(qtbot, session, "life_situation")
    type_into(win.view, "rent", "")  # nothing relevant there yet
    assert finish_form(qtbot, win) is None
    assert win.view.banner.isVisible()
    assert "Address registration" in win.view.banner.text()
    assert win.view.current_section() == "person"
    error = editor(win.view, "address_registration").error
    assert error.isVisible() and error.text() == "Please fill this in."
    assert visits.visit_history(session.store, session.user, person.id) == []


def test_a_refused_finish_takes_the_keyboard_to_the_first_answer_missing(
    qtbot: QtBot, session: Session
) -> None:
    """Ctrl+Enter on a form not finished left the keyboard in the section's first question
    (the family name, answered): a helper typing at a laptop tabbed through the answers
    given to find the one missing, the nationality, some ten fields down."""
    win, person = _open(qtbot, session, "life_situation")
    QTest.keyClick(
        win.view.input("family_name"), Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier
    )
    qtbot.waitUntil(lambda: win.view.banner.isVisible(), timeout=10_000)
    assert win.view.current_section() == "person"
    assert win.focusWidget() is win.view.input("address_registration")

    # The person's section answered: the next refusal goes on to the next section's.
    choose(win.view, "address_registration", "not_registered")
    win.view.show_section("visit")
    QTest.keyClick(
        win.view.input("session_language"), Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier
    )
    qtbot.waitUntil(lambda: win.view.current_section() == "household", timeout=10_000)
    assert win.focusWidget() is win.view.input("children_count")
    assert visits.visit_history(session.store, session.user, person.id) == []


def _crash_after_autosave(
    qtbot: QtBot, session: Session, win: VisitWindow, field: str, value: Any
) -> tuple[MainWindow, VisitsFeature, DraftsDialog]:
    """Once the autosave (after a short pause, nothing closed) holds ``value`` for ``field``,
    the form's window dies without a close event (a crash, a power cut); then the program is
    started again: its window, the visits feature, and the unfinished forms it offers."""
    person_id, form_id = win.person.id, win.form_id
    qtbot.waitUntil(
        lambda: (
            (d := visits.load_draft(session.store, session.user, person_id, form_id)) is not None
            and d.answers.get(field) == value
        ),
        timeout=30_000,
    )
    win.periodic.stop()
    win.done_ = True
    win.deleteLater()
    qtbot.wait(10)
    window, feature = _window(qtbot, session)
    qtbot.waitUntil(lambda: feature.drafts_dialog is not None, timeout=30_000)
    dialog = feature.drafts_dialog
    assert dialog is not None
    return window, feature, dialog


def test_killed_window_draft_is_offered_and_restored(qtbot: QtBot, session: Session) -> None:
    win, person = _open(qtbot, session, "life_situation")
    type_into(win.view, "phone", "+49 231 555")
    choose(win.view, "address_registration", "appointment")
    window, feature, dialog = _crash_after_autosave(
        qtbot, session, win, "address_registration", "appointment"
    )
    assert dialog.list.count() == 1
    assert "Петрова" in dialog.list.item(0).text()
    press(dialog.continue_button)
    (restored,) = feature.open_windows
    qtbot.addWidget(restored)
    assert restored.view.input("phone").text() == "+49 231 555"  # type: ignore[attr-defined]
    assert restored.view.answers()["address_registration"] == "appointment"
    assert window.person_page.person is not None and window.person_page.person.id == person.id


def test_a_draft_continued_after_a_crash_opens_where_the_typing_stopped(
    qtbot: QtBot, session: Session
) -> None:
    """The restored form showed its first section with the focus in the family name: the
    helper, who had been writing the notes of the last section, had to find the place."""
    win, _person = _open(qtbot, session, "life_situation")
    win.view.show_section("visit")
    type_into(win.view, "notes", "Caută locuință")
    _main, feature, dialog = _crash_after_autosave(qtbot, session, win, "notes", "Caută locuință")
    press(dialog.continue_button)
    (restored,) = feature.open_windows
    qtbot.addWidget(restored)
    assert restored.view.current_section() == "visit"
    notes = restored.view.input("notes")
    assert restored.focusWidget() is notes
    type_text(notes, " în Dortmund")  # goes on at the end of what was written
    assert restored.view.answers()["notes"] == "Caută locuință în Dortmund"


def test_in_romanian_a_repeated_entry_is_headed_by_its_number(
    qtbot: QtBot, session: Session
) -> None:
    """Each language of the skills check (each child of the household …) was headed "Intrarea
    1", "the entrance 1": a form's entry is "Nr. 1" in Romanian."""
    set_language("ro")
    win, _person = _open(qtbot, session, "skills_check")
    group = next(
        e for p in win.view.pages for e in p.editors.values() if isinstance(e, GroupEditor)
    )
    if not group.items:
        press(group.add)
    item = group.items[0]
    assert item.header.text() == "Nr. 1: bulgară"  # the person's first language, listed
    assert item.remove.accessibleName() == "Elimină nr. 1"


def test_a_skills_entry_is_headed_by_its_first_answer(qtbot: QtBot, session: Session) -> None:
    """The languages of the skills check were "Eintrag 1", "Eintrag 2": each is headed by its
    first answer now, in the UI language."""
    set_language("de")
    win, _person = _open(qtbot, session, "skills_check")
    group = editor(win.view, "language_levels")
    assert isinstance(group, GroupEditor)
    assert [i.header.text() for i in group.items] == [  # the person's, from the record
        "Eintrag 1: Bulgarisch",
        "Eintrag 2: Türkisch",
    ]
    press(group.add)
    assert group.items[2].header.text() == "Eintrag 3"
    choose(win.view, "language_levels[2].language", "de")
    assert group.items[2].header.text() == "Eintrag 3: Deutsch"


def test_a_qualification_is_headed_by_its_kind_and_its_title(
    qtbot: QtBot, session: Session
) -> None:
    """Two diplomas of a Romanian nurse were headed "Nr. 1: formare profesională" and "Nr. 2:
    formare profesională": which was which, the advisor had to open each to read. An entry is
    headed by its first answer and the first required text after it (the title as typed)."""
    set_language("ro")
    win, _person = _open(qtbot, session, "skills_check")
    view = win.view
    view.show_section("qualifications")
    group = editor(view, "qualifications")
    assert isinstance(group, GroupEditor)
    for n, title in enumerate(("asistentă medicală generalistă", "moașă")):
        press(group.add)
        choose(view, f"qualifications[{n}].q_kind", "vocational")
        type_into(view, f"qualifications[{n}].q_title", title)
        choose(view, f"qualifications[{n}].q_country", "ro")  # a later answer adds nothing
    assert [i.header.text() for i in group.items] == [
        "Nr. 1: formare profesională, asistentă medicală generalistă",
        "Nr. 2: formare profesională, moașă",
    ]
    # an optional text is not a name: the work experience's tasks stay out of its heading
    view.show_section("work_experience")
    work = editor(view, "experience")
    assert isinstance(work, GroupEditor)
    press(work.add)
    choose(view, "experience[0].w_field", "care")
    type_into(view, "experience[0].w_tasks", "asistentă medicală în spital, Iași")
    assert work.items[0].header.text() == "Nr. 1: îngrijire și asistență"


def test_each_child_is_headed_by_name_and_age_and_the_heading_follows_the_typing(
    qtbot: QtBot, session: Session
) -> None:
    """A mother with three children: their entries were "Eintrag 1", "Eintrag 2", "Eintrag 3",
    and the advisor had to read each entry's answers to find the 6-year-old. Each child is
    headed by its name and age now, as typed, in the UI language."""
    set_language("de")
    win, _person = _open(qtbot, session, "life_situation")
    view = win.view
    today = dt.date.today()
    born = dt.date(today.year - 6, 1, 1)  # 6 years old on any day of this year
    type_into(view, "children_count", "3")
    view.show_section("household")
    group = editor(view, "children")
    assert isinstance(group, GroupEditor)
    while len(group.items) < 3:
        press(group.add)
    assert [i.header.text() for i in group.items] == ["Kind 1", "Kind 2", "Kind 3"]
    type_into(view, "children[1].child_name", "Иван")
    assert group.items[1].header.text() == "Kind 2: Иван"
    type_into(view, "children[1].child_birth", born.strftime("%d.%m.%Y"))
    assert group.items[1].header.text() == "Kind 2: Иван, 6 Jahre"
    type_into(view, "children[2].child_birth", str(today.year - 11))  # the year alone
    assert group.items[2].header.text() == f"Kind 3: geb. {today.year - 11}"
    remove_entry(group.items[0].remove)  # the others move up, their headings with them
    assert [i.header.text() for i in group.items] == [
        "Kind 1: Иван, 6 Jahre",
        f"Kind 2: geb. {today.year - 11}",
    ]
    main = win.parentWidget()
    assert isinstance(main, MainWindow)
    main.switch_language("bg")
    assert group.items[0].header.text() == "Дете 1: Иван, 6 години"


def test_a_second_check_starts_with_the_children_and_asks_their_daycare_or_school_again(
    qtbot: QtBot, session: Session
) -> None:
    """Two weeks after the first check of a mother with three children, the next check showed
    "Number of children: (empty)", and the advisor typed the three children in again. It
    starts with them now, headed by name and age; whether each goes to daycare or school is
    asked again, and the household is not complete until it is."""
    from tests.unit.test_visits import full_life_situation

    person = _person(session)
    today = dt.date.today()
    kids = [("Виктория", 1), ("Иван", 6), ("Георги", 11)]
    children = [
        {
            "child_name": name,
            "child_birth": dt.date(today.year - age, 1, 1).isoformat(),
            "child_lives": "with_person",
            "child_care": "no_place",
        }
        for name, age in kids
    ]
    answers = full_life_situation() | {"children_count": 3, "children": children}
    visits.finish_visit(session.store, session.user, person.id, "life_situation", answers)
    window, feature = _window(qtbot, session)
    window.show_person(person.id)
    press(feature.start_button)
    (win,) = feature.open_windows
    qtbot.addWidget(win)
    view = win.view
    group = editor(view, "children")
    assert isinstance(group, GroupEditor)
    assert [i.header.text() for i in group.items] == [
        "Child 1: Виктория, 1 year",
        "Child 2: Иван, 6 years",
        "Child 3: Георги, 11 years",
    ]
    assert view.answers()["children_count"] == 3
    assert all("child_care" not in c for c in view.answers()["children"])

    def missing() -> set[str]:  # as finishing the visit checks it
        state = evaluate(view.definition, view.answers())
        return {e.field_path for e in state.errors if e.field_path.startswith("children")}

    assert missing() == {f"children[{i}].child_care" for i in range(3)}
    household = view.navigator.item(1)
    assert household.text().startswith("○ Household and children")  # not ticked: to be asked
    for index in range(3):
        choose(view, f"children[{index}].child_care", "school")
    assert missing() == set()
    assert household.text().startswith("✓ Household and children")


def test_a_check_after_four_months_starts_with_the_arrival_in_germany_of_the_last_one(
    qtbot: QtBot, session: Session
) -> None:
    """A woman back after four months: the new check asked again when she had come to
    Germany, which the last one recorded and which had not changed. It starts with it now;
    what may have changed since (her address registration, her housing) is asked again."""
    from tests.unit.test_visits import full_life_situation

    person = _person(session)
    arrived = (dt.date.today() - dt.timedelta(days=200)).isoformat()
    answers = full_life_situation() | {"arrival_date": arrived}
    visits.finish_visit(session.store, session.user, person.id, "life_situation", answers)
    window, feature = _window(qtbot, session)
    window.show_person(person.id)
    press(feature.start_button)
    (win,) = feature.open_windows
    qtbot.addWidget(win)
    started = win.view.answers()
    assert started["arrival_date"] == arrived
    assert "address_registration" not in started and "housing_type" not in started
    win.close()


def test_the_session_language_is_the_client_language_chosen_until_the_advisor_answers_it(
    qtbot: QtBot, session: Session
) -> None:
    """ "Language of the session" (required) stayed empty beside the client language the form
    was shown in: the advisor said the language twice."""
    win, person = _open(qtbot, session, "life_situation")  # she speaks Bulgarian
    language = win.view.input("session_language")
    assert isinstance(language, QComboBox)
    assert win.client_combo.currentData() == "bg"
    assert language.currentData() == "bg"
    # opening the form is no change: no draft saved for it
    assert visits.load_draft(session.store, session.user, person.id, "life_situation") is None
    win.client_combo.setFocus()
    QTest.keyClick(win.client_combo, Qt.Key.Key_Down)  # Romanian
    assert win.client_combo.currentData() == "ro"
    assert language.currentData() == "ro"  # follows the choice
    QTest.keyClick(win.client_combo, Qt.Key.Key_Down)  # German
    assert language.currentData() == "de"
    QTest.keyClick(win.client_combo, Qt.Key.Key_Down)  # English: no such answer, it stays
    assert language.currentData() == "de"
    choose(win.view, "session_language", "tr")  # the advisor's own answer
    for _ in range(3):
        QTest.keyClick(win.client_combo, Qt.Key.Key_Up)
    assert win.client_combo.currentData() == "bg"
    assert language.currentData() == "tr"  # is kept
    win.close()
    draft = visits.load_draft(session.store, session.user, person.id, "life_situation")
    assert draft is not None and draft.answers["session_language"] == "tr"


def test_closing_keeps_the_draft(qtbot: QtBot, session: Session) -> None:
    win, person = _open(qtbot, session, "skills_check")
    choose(win.view, "latin_literacy", "partly")
    win.close()  # before the autosave pause is over
    draft = visits.load_draft(session.store, session.user, person.id, "skills_check")
    assert draft is not None and draft.answers["latin_literacy"] == "partly"


def test_autosave_does_not_wait_while_a_sync_writes_to_the_store(
    qtbot: QtBot, session: Session
) -> None:
    win, person = _open(qtbot, session, "life_situation")
    with store_held(session) as (_release, held):
        type_into(win.view, "phone", "+49 231 555")
        win.save_draft()  # what the autosave timer calls, on the UI thread
        assert held.is_set()  # it returned while the store was still held: nobody waited
        type_into(win.view, "phone", "6")  # typing goes on meanwhile
        win.save_draft()  # asked for again while the first is in flight

    def stored() -> str | None:
        draft = visits.load_draft(session.store, session.user, person.id, "life_situation")
        return None if draft is None else draft.answers.get("phone")

    # Both saved in order: the second with what was typed by then.
    qtbot.waitUntil(lambda: stored() == "+49 231 5556" and not win.dirty, timeout=10_000)
    assert win.saved_label.text().startswith("Draft saved at")


def test_closing_during_an_autosave_keeps_what_was_typed_last(
    qtbot: QtBot, session: Session
) -> None:
    win, person = _open(qtbot, session, "life_situation")
    with store_held(session) as (release, _held):
        type_into(win.view, "phone", "0231 1")
        win.save_draft()  # in flight with "0231 1" until the store is free
        type_into(win.view, "phone", "2")
        # The sync's transaction ends a moment later; closing waits for the autosave in
        # flight, then saves what is typed now.
        threading.Timer(0.3, release.set).start()
        win.close()
    draft = visits.load_draft(session.store, session.user, person.id, "life_situation")
    assert draft is not None and draft.answers["phone"] == "0231 12"


def test_closing_the_main_window_flushes_open_forms(qtbot: QtBot, session: Session) -> None:
    win, person = _open(qtbot, session, "life_situation")
    type_into(win.view, "phone", "0231 1234")
    main = win.parentWidget()
    assert isinstance(main, MainWindow)
    main.close()  # at once, before the autosave pause is over
    draft = visits.load_draft(session.store, session.user, person.id, "life_situation")
    assert draft is not None and draft.answers["phone"] == "0231 1234"


def test_switching_the_ui_language_retranslates_an_open_form(
    qtbot: QtBot, session: Session
) -> None:
    win, _ = _open(qtbot, session, "life_situation")
    main = win.parentWidget()
    assert isinstance(main, MainWindow)
    main.switch_language("ro")
    # its access key chosen anew: "N" is Next's ("Înai&nte"), and the section's questions
    # (the languages' multiple choice among them) share the letters so that each has one
    # (the last had none when each took its first choice in turn)
    assert editor(win.view, "family_name").title.text() == "Nume &de familie *"
    assert editor(win.view, "family_name").client_title.text() == "Фамилия"
    assert win.finish_button.text() == "&Finalizează vizita"


def test_an_entry_added_by_its_access_key_shows_its_questions(
    qtbot: QtBot, session: Session
) -> None:
    """Alt and the letter chosen for "Adaugă o calificare" adds an entry; the entry's questions
    are named at once (an entry added by Add showed bare inputs, its choices by their ids),
    with keys of their own (the newest entry's)."""
    set_language("ro")
    try:
        win, _ = _open(qtbot, session, "skills_check")
        view = win.view
        view.show_section("qualifications")
        group = editor(view, "qualifications")
        assert isinstance(group, GroupEditor) and not group.items
        text = group.add.text()
        key = text[text.index("&") + 1]
        assert text.replace("&", "") == "Adaugă o calificare"
        QTest.keyClick(win, Qt.Key(ord(key.upper())), Qt.KeyboardModifier.AltModifier)
        qtbot.waitUntil(lambda: len(group.items) == 1, timeout=30_000)
        (item,) = group.items
        # With a key of its own: which letter is free depends on the window's other words
        # (test_form_access_keys_ui holds the keys to being unique).
        title = item.editors["q_kind"].title.text()
        assert title.replace("&", "") == "Tipul *" and _access_key(title) is not None, title
        combo = view.input("qualifications[0].q_kind")
        assert isinstance(combo, QComboBox)
        texts = [combo.itemText(i) for i in range(1, combo.count())]
        assert "studii universitare · висше образование" in texts, texts
        assert all(e.title.text() for e in item.editors.values())
    finally:
        set_language("en")


def test_the_section_list_shows_every_row_whole_in_both_languages(
    qtbot: QtBot, session: Session
) -> None:
    """Each row is as tall as its text wrapped at the width it is painted at (with its hanging
    indent): "Suggested next steps" in the second language was cut to "Предложени следващи …"
    (Romanian window)."""
    app = QApplication.instance()
    assert isinstance(app, QApplication)
    before = app.font()
    load_fonts(app)  # the app's own font, as the program runs with
    try:
        _every_section_row_whole(qtbot, session)
    finally:
        app.setFont(before)


def _every_section_row_whole(qtbot: QtBot, session: Session) -> None:
    set_language("ro")
    win, _ = _open(qtbot, session, "life_situation")
    win.resize(1080, 760)
    nav = win.view.navigator
    qtbot.waitUntil(lambda: nav.viewport().width() > 100)
    # Qt text margin inside the painted rectangle (QCommonStyle's viewItemDrawText)
    margin = nav.style().pixelMetric(QStyle.PixelMetric.PM_FocusFrameHMargin, None, nav) + 1
    for width in range(180, 330, 3):  # a row that just fits the measure is at some width
        nav.setFixedWidth(width)
        QApplication.processEvents()
        nav.doItemsLayout()
        for row in range(nav.count()):
            item = nav.item(row)
            if item.isHidden():
                continue
            rect = nav.visualItemRect(item)
            option = QStyleOptionViewItem()
            option.initFrom(nav)
            option.rect = rect
            delegate = nav.itemDelegate()
            assert isinstance(delegate, QStyledItemDelegate)
            delegate.initStyleOption(option, nav.indexFromItem(item))
            painted = nav.style().subElementRect(
                QStyle.SubElement.SE_ItemViewItemText, option, nav
            )  # where Qt draws the text
            # as the rows' delegate paints it: wrapped lines under the text after the mark
            lines = hanging_lines(item.text(), nav.font(), painted.width() - 2 * margin)
            height = lines[-1].boundingRect().bottom()
            assert height <= rect.height(), (width, item.text(), rect)
    assert "Предложени следващи стъпки" in nav.item(nav.count() - 1).text()


def test_bilingual_mode_shows_both_languages(qtbot: QtBot, session: Session) -> None:
    set_language("de")
    win, _ = _open(qtbot, session, "life_situation")
    view = win.view
    assert win.client_combo.currentData() == "bg"  # from the person's languages
    family = editor(view, "family_name")
    assert family.title.text() == "Fa&milienname *"  # "a" is "Besuch &abschließen"'s
    assert family.client_title.text() == "Фамилия" and not family.client_title.isHidden()
    combo = view.input("nationality")
    assert isinstance(combo, QComboBox)
    assert combo.currentText() == "bulgarisch · българско"
    assert "Лични данни" in view.navigator.item(0).text()
    choose_client: Any = win.client_combo
    choose_client.setCurrentIndex(choose_client.findData("ro"))
    assert family.client_title.text() == "Nume de familie"
    choose_client.setCurrentIndex(0)  # off
    assert family.client_title.isHidden()
    assert combo.currentText() == "bulgarisch"


def test_a_next_steps_reason_is_said_in_the_persons_language_too(
    qtbot: QtBot, session: Session
) -> None:
    """With the person's language shown, the end page gave a step's name in both languages
    and its reason only in the advisor's: why the step is suggested was not said to them."""
    set_language("de")
    win, _ = _open(qtbot, session, "skills_check")
    view = win.view
    _answer_skills_for_a_course_and_the_jobcenter(view)
    view.show_section("__next_steps__")
    page = view.steps_page
    [step] = [s for s in page.steps if s.id == "integration_course"]
    assert step.reason is not None
    texts = [w.text() for w in page.findChildren(QLabel) if w.isVisible()]
    assert win.client_combo.currentData() == "bg"
    assert step.reason["de"] in texts and step.reason["bg"] in texts
    if shots := os.environ.get("FORM_SHOTS"):
        win.grab().save(f"{shots}/steps-reason-de-bg.png")
    choose_client: Any = win.client_combo
    choose_client.setCurrentIndex(0)  # off: the advisor's language only

    def shown() -> list[str]:
        return [w.text() for w in page.findChildren(QLabel) if w.isVisible()]

    qtbot.waitUntil(lambda: step.reason is not None and step.reason["de"] in shown())
    assert step.reason["bg"] not in shown()
    win.close()


# A finished life-situation check of ``_person`` (urgency: today).
CHECK_ANSWERS: dict[str, Any] = {
    "family_name": "Петрова",
    "given_names": "Мария",
    "date_of_birth": "1991-04-02",
    "nationality": "bulgarian",
    "languages": ["bg"],
    "address_registration": "registered",
    "children_count": 0,
    "housing_type": "homeless",
    "work_status": ["looking"],
    "session_language": "bg",
    "topics": ["housing"],
    "urgency": "today",
}


def _editing(
    qtbot: QtBot, session: Session, answers: dict[str, Any] = CHECK_ANSWERS, consent: bool = False
) -> tuple[VisitsFeature, VisitWindow, Person]:
    """A finished life-situation check (urgency: today), opened again from the Visits tab;
    with ``consent`` the person consented to advice (the health section is open)."""
    person = _person(session)
    if consent:
        visits.record_consent(session.store, session.user, person.id, consent_answers())
    visits.finish_visit(session.store, session.user, person.id, "life_situation", answers)
    window, feature = _window(qtbot, session)
    window.show_person(person.id)
    tree = feature.tab.tree
    assert tree.topLevelItemCount() == 1
    visit_item = tree.topLevelItem(0)
    assert visit_item is not None
    tree.setCurrentItem(visit_item)
    press(feature.tab.edit_button)
    (win,) = feature.open_windows
    qtbot.addWidget(win)
    return feature, win, person


def _history_shown(
    qtbot: QtBot,
    session: Session,
    lang: str,
    size: tuple[int, int],
    *,
    edited: bool,
    days_ago: int = 0,
) -> QTreeWidget:
    """The Visits tab of ``_person`` in ``lang``, the window ``size`` large, the person's page
    given the room its buttons need (as the splitter does in use): a finished life-situation
    check (``days_ago``: recorded that many days ago), and with ``edited`` its second version
    (housing and urgency changed) saved now."""
    set_language(lang)
    person = _person(session)
    first = visits.finish_visit(
        session.store, session.user, person.id, "life_situation", CHECK_ANSWERS
    )
    if days_ago:
        with session.store.transaction() as s:
            row = s.get_one(VisitRow, first.id)
            back = dt.datetime.fromisoformat(row.finished_at) - dt.timedelta(days=days_ago)
            row.started_at = row.finished_at = back.isoformat()
    if edited:
        changed = {**CHECK_ANSWERS, "urgency": "this_week", "housing_type": "emergency_shelter"}
        visits.edit_visit(session.store, session.user, first.id, changed)
    window, feature = _window(qtbot, session)
    window.resize(*size)
    window.show_person(person.id)
    tree, page = feature.tab.tree, window.person_page
    qtbot.waitUntil(lambda: tree.isVisible() and page.width() >= page.minimumSizeHint().width())
    # and its columns sized to the rows (after the rows are in: on a busy machine the date's
    # was still the header's default 100 px when the test looked)
    header = tree.header()
    qtbot.waitUntil(lambda: header.sectionSize(0) != header.defaultSectionSize())
    return tree


def test_at_1100_px_in_bulgarian_the_visit_history_shows_its_answers(
    qtbot: QtBot, session: Session, program_font: None
) -> None:
    """The form's title sized to its contents ("Преглед на житейската ситуация, версия 1")
    pushed the answers column out of the pane, cut off without an ellipsis. Title and answers
    now share the pane, elided where they must be, whole in their tooltips."""
    tree = _history_shown(qtbot, session, "bg", (1100, 700), edited=True)
    header = tree.header()
    assert header.sectionPosition(2) + header.sectionSize(2) <= tree.viewport().width()
    assert tree.horizontalScrollBar().maximum() == 0
    assert header.sectionSizeFromContents(2).width() <= header.sectionSize(2)  # "Отговори"
    top = tree.topLevelItem(0)
    assert (
        top is not None and top.text(1) == "Преглед на житейската ситуация, с промени (редакция 2)"
    )
    assert top.text(2) == "променено: Жилищна ситуация, Спешност"
    earlier = top.child(0)
    assert earlier is not None and earlier.text(2) == "12 отговора"
    assert shown_whole(tree, earlier.text(2), header.sectionSize(2))
    for item in (top, earlier):
        for column in (1, 2):
            assert item.toolTip(column) == item.text(column)
    set_language("en")


@pytest.mark.parametrize("lang", ["bg", "ro", "de", "en"])
def test_at_1100_px_every_row_of_the_visit_history_is_two_lines_at_most(
    qtbot: QtBot, session: Session, program_font: None, lang: str
) -> None:
    """The pane leaves 416 px at 1100: the form's title ("Преглед на житейската ситуация,
    версия 2", 308 px) was elided to "Преглед на жи…", readable only in the line below; then
    it wrapped whole, into four or five lines a row. Each cell now wraps to two lines at most,
    its last line ending in "…" where the text goes on, whole in its tooltip."""
    tree = _history_shown(qtbot, session, lang, (1100, 700), edited=True)
    top = tree.topLevelItem(0)
    assert top is not None
    earlier = top.child(0)
    assert earlier is not None
    header = tree.header()
    assert header.sectionPosition(2) + header.sectionSize(2) <= tree.viewport().width()
    assert tree.horizontalScrollBar().maximum() == 0
    metrics = tree.fontMetrics()
    margin = tree.style().pixelMetric(QStyle.PixelMetric.PM_FocusFrameHMargin, None, tree) + 1
    for item in (top, earlier):
        assert shown_whole(tree, item.text(0), header.sectionSize(0) - tree.indentation() * 2)
        cell = tree.visualItemRect(item)
        assert cell.height() < 3 * metrics.lineSpacing(), (item.text(1), cell)
        for column in (1, 2):
            text, room = item.text(column), header.sectionSize(column) - 2 * margin
            lines = metrics.boundingRect(QRect(0, 0, room, 10_000), Qt.TextFlag.TextWordWrap, text)
            if lines.height() > cell.height():  # cut: whole in its tooltip
                assert item.toolTip(column) == text, text
    set_language("en")


def test_at_1366_px_in_german_the_visit_history_shows_the_forms_title_whole(
    qtbot: QtBot, session: Session, program_font: None
) -> None:
    """Title and answers shared the pane half and half: "Check der Lebenssituation, Version 1"
    was cut off beside "12 Antworten" in a column three times as wide as that. The title now
    takes what it needs where the answers leave room."""
    tree = _history_shown(qtbot, session, "de", (1366, 740), edited=False)
    header = tree.header()
    top = tree.topLevelItem(0)
    assert top is not None and top.text(1) == "Check der Lebenssituation"
    assert top.text(2) == "12 Antworten"
    assert shown_whole(tree, top.text(1), header.sectionSize(1))
    assert shown_whole(tree, top.text(2), header.sectionSize(2))
    assert header.sectionPosition(2) + header.sectionSize(2) <= tree.viewport().width()
    assert tree.horizontalScrollBar().maximum() == 0
    set_language("en")


@pytest.mark.parametrize("width", [1366, 1100])
def test_in_bulgarian_a_first_visit_leaves_its_answers_in_view(
    qtbot: QtBot, session: Session, program_font: None, width: int
) -> None:
    """Beside "12 отговора" the title took all the room the answers left, but the stretched
    last column keeps 100 px of its own: the tree scrolled sideways by the difference and cut
    the answers off at the pane's edge, at 1366 px as at 1100."""
    tree = _history_shown(qtbot, session, "bg", (width, 700), edited=False)
    header = tree.header()
    top = tree.topLevelItem(0)
    assert top is not None and top.text(2) == "12 отговора"
    assert header.sectionPosition(2) + header.sectionSize(2) <= tree.viewport().width()
    assert tree.horizontalScrollBar().maximum() == 0
    assert shown_whole(tree, top.text(2), header.sectionSize(2))
    assert top.toolTip(1) == top.text(1)  # the title, elided, whole in its tooltip
    set_language("en")


@pytest.mark.parametrize(
    ("lang", "on"), [("de", "(am {})"), ("bg", "(на {})"), ("ro", "(la {})"), ("en", "(on {})")]
)
def test_a_check_corrected_on_a_later_day_keeps_its_date_and_says_when_it_was_changed(
    qtbot: QtBot, session: Session, lang: str, on: str, shots: Path
) -> None:
    """A correction moved the visit to the day it was made: the history listed September's
    check under December. It keeps its own date; what changed says when."""
    tree = _history_shown(qtbot, session, lang, (1366, 768), edited=True, days_ago=90)
    top = tree.topLevelItem(0)
    assert top is not None and top.childCount() == 1
    with session.store.reading() as s:
        row = s.scalars(select(VisitRow)).one()
        finished, clock = row.finished_at, row.updated_hlc
    assert dt.date.fromisoformat(finished[:10]) < dt.date.today() - dt.timedelta(days=80)
    assert top.text(0) == format_moment(dt.datetime.fromisoformat(finished))
    first = top.child(0)
    assert first is not None and first.text(0) == top.text(0)  # saved when the visit was
    corrected = format_moment(dt.datetime.fromisoformat(visits.changed_at(clock)))
    assert top.text(2).endswith(" " + on.format(corrected)), top.text(2)
    assert top.toolTip(2) == top.text(2)
    tree.window().grab().save(str(shots / f"corrected-later-{lang}.png"))
    set_language("en")


def test_edit_from_the_visits_tab_makes_a_revision(qtbot: QtBot, session: Session) -> None:
    feature, win, person = _editing(qtbot, session)
    tree = feature.tab.tree
    assert win.finish_button.text() == "&Save changes"
    choose(win.view, "urgency", "this_week")
    assert finish_form(qtbot, win) is not None
    top = tree.topLevelItem(0)
    assert top is not None and top.childCount() == 1
    assert top.text(1) == "Check on the life situation, edited (version 2)"
    assert top.child(0).text(1) == "earlier version 1"  # type: ignore[union-attr]
    assert top.text(2) == "changed: Urgency"
    (visit,) = visits.visit_history(session.store, session.user, person.id)
    assert visit.answers["urgency"] == "this_week"
    assert visit.earlier[0].answers["urgency"] == "today"


@pytest.mark.parametrize(
    ("lang", "edited", "earlier"),
    [
        ("de", "Check der Lebenssituation, geändert (3. Fassung)", "{n}. Fassung (vorher)"),
        ("bg", "Преглед на житейската ситуация, с промени (редакция 3)", "редакция {n} (предишна)"),
        (
            "ro",
            "Evaluarea situației de viață, cu modificări (varianta 3)",
            "varianta {n} (anterioară)",
        ),
        ("en", "Check on the life situation, edited (version 3)", "earlier version {n}"),
    ],
)
def test_the_visit_list_counts_the_visits_saves_not_the_records_revision(
    qtbot: QtBot, session: Session, lang: str, edited: str, earlier: str, tmp_path: Path
) -> None:
    """The page said "Check der Lebenssituation, Version 1" beside the data copy's "Version
    des Formulars: Version 5": the record's revision, which a merge or a sync counts up too (a
    visit never edited read "Version 2" once its person was merged). A visit never edited is
    named by its form alone; an edited one says so and which save it is, its earlier ones
    numbered by their saves."""
    from desktop_app.usecases import merges

    store, user = session.store, session.user
    draft = PersonDraft("Maria", "Popescu", "12.04.1990")
    ids = [people.register_person(store, user, draft, confirm_duplicates=True).id for _ in "12"]
    kept, gone = merges.kept_and_merged(*ids)
    untouched, check = (
        visits.finish_visit(store, user, gone, "life_situation", CHECK_ANSWERS) for _ in "12"
    )
    merges.merge_people(store, user, kept, gone)  # the visits' records move: their revision
    (moved,) = [v for v in visits.visit_history(store, user, kept) if v.id == untouched.id]
    assert moved.revision > 1 and not moved.earlier
    for urgency in ("this_week", "routine"):
        visits.edit_visit(store, user, check.id, {**CHECK_ANSWERS, "urgency": urgency})
    set_language(lang)
    try:
        window, feature = _window(qtbot, session)
        window.show_person(kept)
        window.person_page.tabs.setCurrentWidget(feature.tab)
        tree = feature.tab.tree
        items = [tree.topLevelItem(i) for i in range(tree.topLevelItemCount())]
        titles = {item.text(1): item for item in items if item is not None}
        assert set(titles) == {edited, form_title("life_situation")}, titles
        item = titles[edited]
        children = [item.child(i) for i in range(item.childCount())]
        assert [child.text(1) for child in children if child is not None] == [
            earlier.format(n=2),
            earlier.format(n=1),
        ]
        window.grab().save(str(tmp_path / f"visits-{lang}.png"))
        window.close()
    finally:
        set_language("en")


def test_saving_an_edit_keeps_answers_a_sync_changed_while_the_form_was_open(
    qtbot: QtBot, session: Session
) -> None:
    """The form was opened; meanwhile a sync brought another laptop's change of the work
    status. Saving the urgency changed here must not put the old work status back."""
    _feature, win, person = _editing(qtbot, session)
    choose(win.view, "urgency", "this_week")
    win.save_draft_now()  # the draft keeps what the edit started from, also across a restart
    (visit,) = visits.visit_history(session.store, session.user, person.id)
    draft = visits.load_draft(session.store, session.user, person.id, "life_situation")
    assert draft is not None and draft.base is not None
    assert draft.base.answers == visit.answers
    synced = {**visit.answers, "work_status": ["employed"]}
    visits.edit_visit(session.store, session.user, visit.id, synced)  # as a sync would
    assert finish_form(qtbot, win) is not None
    (visit,) = visits.visit_history(session.store, session.user, person.id)
    assert visit.answers["urgency"] == "this_week"
    assert visit.answers["work_status"] == ["employed"]


def test_an_answer_changed_in_the_form_and_by_a_sync_meanwhile_shows_as_a_conflict(
    qtbot: QtBot, session: Session
) -> None:
    """The same answer changed in the open form and by a sync: the form's value is stored, and
    the person's page tells at once that a value is to be decided (the sync's is kept)."""
    feature, win, person = _editing(qtbot, session)
    notice = feature.window.conflict_notice  # type: ignore[attr-defined]
    assert not notice.isVisible()
    choose(win.view, "urgency", "this_week")
    (visit,) = visits.visit_history(session.store, session.user, person.id)
    visits.edit_visit(  # as a sync would
        session.store, session.user, visit.id, {**visit.answers, "urgency": "routine"}
    )
    assert finish_form(qtbot, win) is not None
    (visit,) = visits.visit_history(session.store, session.user, person.id)
    assert visit.answers["urgency"] == "this_week"
    qtbot.waitUntil(notice.isVisible, timeout=30_000)
    assert notice.text.text() == (
        "1 value about this person was changed differently on two laptops."
    )
    (conflict,) = sync_uc.open_conflicts(session.store, session.user)
    assert (conflict.field, conflict.kept_value, conflict.other_value) == (
        "answers/urgency",
        "this_week",
        "routine",
    )


def test_finishing_does_not_wait_while_a_sync_writes(qtbot: QtBot, session: Session) -> None:
    _feature, win, person = _editing(qtbot, session)
    choose(win.view, "urgency", "this_week")
    # The store is let go first, then the answer waited for (contexts end in reverse order).
    with (
        qtbot.waitSignal(win.finish_answered, timeout=10_000) as answered,
        store_held(session) as (_release, held),
    ):
        win.finish()
        assert held.is_set()  # it returned while the store was held
        assert not win.view.isEnabled() and not win.finish_button.isEnabled()
    assert answered.args[0] is not None and answered.args[0].revision == 2
    (visit,) = visits.visit_history(session.store, session.user, person.id)
    assert visit.answers["urgency"] == "this_week"


def test_closing_while_finishing_stores_the_visit_and_leaves_no_draft(
    qtbot: QtBot, session: Session
) -> None:
    feature, win, person = _editing(qtbot, session)
    choose(win.view, "urgency", "this_week")
    win.refer_after = True  # "Finish and refer": closed meanwhile, nothing opens
    with store_held(session) as (release, _held):
        win.finish()
        release.set()
        win.close()  # waits for the visit to be stored, then goes
    (visit,) = visits.visit_history(session.store, session.user, person.id)
    assert visit.answers["urgency"] == "this_week" and visit.revision == 2
    assert visits.load_draft(session.store, session.user, person.id, "life_situation") is None
    visit_item = feature.tab.tree.topLevelItem(0)
    assert visit_item is not None and visit_item.childCount() == 1  # the tab was told
    assert feature.window.referrals.dialog is None  # type: ignore[attr-defined]


def test_quick_contact_from_the_person_menu(qtbot: QtBot, session: Session) -> None:
    window, feature = _window(qtbot, session)
    feature.quick_action.trigger()
    dialog = feature.quick_dialog
    assert dialog is not None
    with qtbot.waitSignal(dialog.recording.answered, timeout=10_000):
        dialog.buttons.accepted.emit()  # nothing chosen yet: errors, nothing stored
    assert dialog.error.isVisible() and "Topics" in dialog.error.text()
    dialog.language.setFocus()
    QTest.keyClick(dialog.language, Qt.Key.Key_Down)  # first language: Bulgarian
    press(dialog.topics["jobcenter"])
    press(dialog.referral)
    with qtbot.waitSignal(dialog.recorded, timeout=30_000):
        dialog.buttons.accepted.emit()
    today = dialog.contact().contact_date
    assert visits.count_quick_contacts(session.store, today, today) == 1
    del window


@pytest.mark.parametrize("lang", ["en", "de", "bg", "ro"])
def test_the_quick_contacts_topics_are_reached_by_their_access_key(
    qtbot: QtBot, session: Session, lang: str
) -> None:
    """ "Topics" ("Subiecte") was the one label of the dialog without an access key: the
    topics were reached only by tabbing past the language. Alt+its letter goes to the first
    topic now, a letter no other label or button of the dialog uses."""
    set_language(lang)
    window, feature = _window(qtbot, session)
    dialog = feature.open_quick_contact()
    qtbot.waitExposed(dialog)
    dialog.activateWindow()
    qtbot.waitUntil(dialog.isActiveWindow, timeout=30_000)
    first = next(iter(dialog.topics.values()))
    (label,) = [label for label in dialog.findChildren(QLabel) if label.buddy() is first]
    key = _access_key(label.text())
    assert key is not None, label.text()
    others = [w.text() for w in dialog.findChildren(QLabel) if w is not label and w.buddy()]
    others += [b.text() for b in dialog.findChildren(QAbstractButton) if b.isVisible()]
    assert key not in {_access_key(text) for text in others}, (key, others)
    dialog.date.setFocus()
    QTest.keyClick(dialog.date, Qt.Key(ord(key.upper())), Qt.KeyboardModifier.AltModifier)
    qtbot.waitUntil(lambda: dialog.focusWidget() is first)
    del window


def test_a_quick_contact_by_keyboard_in_romanian_says_what_is_required_and_goes_there(
    qtbot: QtBot, session: Session
) -> None:
    """The session's language and the topics are required, and nothing said so until Save:
    Enter on a topic then showed the message under the whole list of topics and left the
    keyboard on the topic, the language's box some twenty Tabs back."""
    set_language("ro")
    window, feature = _window(qtbot, session)
    window.activateWindow()
    qtbot.waitUntil(window.isActiveWindow, timeout=30_000)
    QTest.keyClick(
        window.search,
        Qt.Key.Key_K,
        Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier,
    )
    dialog = feature.quick_dialog
    assert dialog is not None
    qtbot.waitUntil(dialog.isActiveWindow, timeout=30_000)
    labels = {label.buddy(): label.text() for label in dialog.findChildren(QLabel) if label.buddy()}
    assert labels[dialog.language] == "&Limba consilierii *"
    assert labels[dialog.topics["registration"]] == "Su&biecte *"

    topic = dialog.topics["jobcenter"]
    press(topic)
    with qtbot.waitSignal(dialog.recording.answered, timeout=10_000):
        QTest.keyClick(topic, Qt.Key.Key_Return)
    assert dialog.isVisible()
    assert dialog.error.text() == "Limba consilierii: Acest câmp este obligatoriu."
    assert dialog.focusWidget() is dialog.language  # where the correction is typed

    QTest.keyClick(dialog.language, Qt.Key.Key_Down)  # the first language: Bulgarian
    with qtbot.waitSignal(dialog.recorded, timeout=10_000):
        QTest.keyClick(dialog.language, Qt.Key.Key_Return)
    today = dialog.contact().contact_date
    assert visits.count_quick_contacts(session.store, today, today) == 1


def _answer_skills_for_a_course_and_the_jobcenter(view: FormView) -> None:
    """German A1 (beside the Bulgarian and Turkish of the person's record, listed), literate,
    looking for work and not registered: the integration course and registering at the
    Jobcenter are suggested."""
    for n, level in enumerate(("C2", "B1")):
        choose(view, f"language_levels[{n}].level", level)
        choose(view, f"language_levels[{n}].level:assessed", "self")
    levels = view.editors["language_levels"]
    assert isinstance(levels, GroupEditor)
    press(levels.add)
    choose(view, "language_levels[2].language", "de")
    choose(view, "language_levels[2].level", "A1")
    choose(view, "language_levels[2].level:assessed", "self")
    choose(view, "latin_literacy", "fluent")
    view.show_section("schooling")
    type_into(view, "school_years", "8")
    choose(view, "school_certificate", "lower_secondary")
    view.show_section("further_skills")
    choose(view, "looking_for_work", "yes")
    choose(view, "jobcenter_registration", "no")


def _finish_and_refer(
    qtbot: QtBot, win: VisitWindow, decisions: dict[str, str]
) -> tuple[ReferralsFeature, ReferDialog]:
    """Decide each next step ("accepted" or "dismissed") by keyboard, then "Finish and refer…":
    the referrals feature and its dialog, open for the form's person."""
    for step, decision in decisions.items():
        press(_step_button(win.view, f"step:{step}:{decision}"))
    main = win.parent()
    with qtbot.waitSignal(win.finish_answered, timeout=10_000):
        press(win.refer_button)
    assert win.done_, "the visit was not stored"
    referrals: ReferralsFeature = main.referrals  # type: ignore[union-attr]
    dialog = referrals.dialog
    assert dialog is not None and dialog.isVisible() and dialog.person.id == win.person.id
    return referrals, dialog


def _step_button(view: FormView, name: str) -> QRadioButton:
    button = view.findChild(QRadioButton, name)
    assert isinstance(button, QRadioButton), name
    return button


def _add_qualification(view: FormView, title: str, country: str) -> None:
    """A vocational qualification from ``country`` whose recognition was not started."""
    view.show_section("qualifications")
    quals = editor(view, "qualifications")
    assert isinstance(quals, GroupEditor)
    press(quals.add)
    choose(view, "qualifications[0].q_kind", "vocational")
    type_into(view, "qualifications[0].q_title", title)
    choose(view, "qualifications[0].q_country", country)
    choose(view, "qualifications[0].q_recognition_started", "no")


def test_finish_and_refer_opens_the_referral_dialog_for_the_same_person(
    qtbot: QtBot, session: Session
) -> None:
    win, person = _open(qtbot, session, "skills_check")
    view = win.view
    _answer_skills_for_a_course_and_the_jobcenter(view)
    main = win.parent()
    assert win.refer_button.isVisible() and win.refer_button.text() == "Finish and &refer…"
    with qtbot.waitSignal(win.finish_answered, timeout=10_000):
        press(win.refer_button)
    assert win.done_, "the visit was not stored"
    referrals = main.referrals  # type: ignore[union-attr]
    dialog = referrals.dialog
    assert dialog is not None and dialog.isVisible()
    assert dialog.person.id == person.id
    dialog.close()


def test_finish_and_refer_goes_on_with_the_services_of_the_next_steps_accepted(
    qtbot: QtBot, session: Session
) -> None:
    """The steps accepted at the end of the skills check lead to their services: the refer
    dialog lists them first and has the first chosen; once referred, a service is no longer
    offered. Before, the dialog opened with no service chosen, the accepted steps forgotten."""
    win, _ = _open(qtbot, session, "skills_check")
    view = win.view
    _answer_skills_for_a_course_and_the_jobcenter(view)
    view.show_section("__next_steps__")
    steps = [s.id for s in view.steps_page.steps]
    assert steps[:2] == ["integration_course", "vocational_training"]  # VHS, Agentur für Arbeit
    assert "job_centre_registration" in steps  # the Jobcenter
    referrals, dialog = _finish_and_refer(
        qtbot, win, {s: "dismissed" if s == "vocational_training" else "accepted" for s in steps}
    )
    assert dialog.service_id() == "vhs"  # chosen: the first step accepted
    items = [dialog.services.item(row) for row in range(dialog.services.count())]
    marked = [i.data(Qt.ItemDataRole.UserRole) for i in items if i.text().startswith("→ ")]
    assert marked == ["vhs", "jobcenter"]  # listed first, marked
    assert [i.data(Qt.ItemDataRole.UserRole) for i in items[:2]] == marked
    assert items[0].toolTip().startswith("Next step accepted, not referred yet\n")
    assert dialog.reason.currentData()  # the service's main reason, as when chosen by hand
    with qtbot.waitSignal(dialog.save.answered, timeout=10_000):
        dialog.create_button.click()
    preview = referrals.preview
    assert preview is not None
    preview.close()
    again = referrals.open_refer_dialog()
    assert again is not None
    assert again.service_id() == "jobcenter"  # the VHS is referred to now
    listed = [again.services.item(row) for row in range(again.services.count())]
    assert [i.data(Qt.ItemDataRole.UserRole) for i in listed if i.text().startswith("→ ")] == [
        "jobcenter"
    ]
    again.close()


def test_the_recognition_advice_accepted_in_the_skills_check_gets_its_letter(
    qtbot: QtBot, session: Session, tmp_path: Path
) -> None:
    """A Bulgarian vocational qualification not yet recognised: the advisor accepts the
    recognition advice at the end of the skills check and finishes and refers. Its service was
    missing from the directory, so the dialog offered nothing for the step and no letter could
    be written; now it is chosen, with the reason about recognition, and the letter prints."""
    set_language("de")
    win, person = _open(qtbot, session, "skills_check")
    record_sharing_consent(
        session, person.id, named="Anerkennungsberatung im IQ Netzwerk NRW, Jobcenter"
    )
    view = win.view
    _answer_skills_for_a_course_and_the_jobcenter(view)
    _add_qualification(view, "Шивачка", "bg")
    view.show_section("__next_steps__")
    steps = [s.id for s in view.steps_page.steps]
    assert "recognition_advice" in steps
    referrals, dialog = _finish_and_refer(
        qtbot, win, {s: "accepted" if s == "recognition_advice" else "dismissed" for s in steps}
    )
    assert dialog.service_id() == "recognition_advice"
    first = dialog.services.item(0)
    assert first.text() == "→ Anerkennungsberatung im IQ Netzwerk NRW"
    assert dialog.reason.currentData() == "recognition"
    # No street in the shipped directory: the dialog says so, as the person's copy does.
    assert dialog.service_info.text().startswith("Dortmund · nach Vereinbarung · keine Straße")
    documents = [dialog.documents.item(i).text() for i in range(dialog.documents.count())]
    assert documents[0] == "Personalausweis oder Reisepass" and "Lebenslauf" in documents
    with qtbot.waitSignal(dialog.save.answered, timeout=10_000):
        dialog.create_button.click()
    [referral] = uc.referrals_of(session.store, session.user, person.id)
    assert (referral.service_id, referral.reason) == ("recognition_advice", "recognition")
    preview = referrals.preview
    assert preview is not None
    qtbot.waitUntil(lambda: bool(preview.pdf), timeout=10_000)
    pdf = preview.pdf
    (tmp_path / "recognition.pdf").write_bytes(pdf)  # to look at (pdftoppm)
    pages = pdf_pages(pdf)
    letter, copy = pages[0], " ".join(pages[1:])
    assert "Anerkennungsberatung im IQ Netzwerk NRW" in letter
    assert "Vermittlung zur Anerkennungsberatung" in letter
    assert "im Ausland erworben, der in Deutschland noch nicht anerkannt ist" in letter
    assert "Консултацията е безплатна." in copy  # the person's copy, in Bulgarian
    assert "Лична карта или паспорт" in copy
    preview.close()


def test_escape_closes_the_form_keeps_what_was_typed_and_start_opens_it_again(
    qtbot: QtBot, session: Session
) -> None:
    win, person = _open(qtbot, session, "life_situation")
    window = win.parent()
    assert isinstance(window, MainWindow)
    feature: VisitsFeature = window.visits  # type: ignore[attr-defined]
    type_into(win.view, "phone", "+49 231 555")
    QTest.keyClick(win, Qt.Key.Key_Escape)  # before the autosave's debounce has run
    assert not win.isVisible()
    draft = visits.load_draft(session.store, session.user, person.id, "life_situation")
    assert draft is not None and draft.answers.get("phone") == "+49 231 555"
    qtbot.waitUntil(lambda: feature.open_windows == [])  # gone, not hidden
    again = feature.start("life_situation", person=person)
    assert again is not None and again is not win and again.isVisible()
    phone = again.view.input("phone")
    assert isinstance(phone, QLineEdit) and phone.text() == "+49 231 555"
    again.close()


@pytest.mark.parametrize("lang", ["de", "bg"])
def test_each_childs_insurance_is_asked_under_the_childs_heading_and_stays_with_the_child(
    qtbot: QtBot, session: Session, tmp_path: Path, lang: str
) -> None:
    """A mother insured through her job, her son not: the check asked only her insurance. The
    health section asks each child's under the child's heading, beside it in the person's
    language; removing the first child in the household section leaves the second child's
    answer with the second child."""
    set_language(lang)
    answers = {**CHECK_ANSWERS, "insurance_status": "statutory", "urgent_medical_need": "no"}
    _feature, win, _person = _editing(qtbot, session, answers, consent=True)
    view = win.view
    follower = editor(view, "children_insurance")
    assert isinstance(follower, FollowerEditor)
    view.show_section("health")
    assert follower.isHidden()  # no children recorded
    view.show_section("household")
    type_into(view, "children_count", "2")
    children = editor(view, "children")
    assert isinstance(children, GroupEditor)
    for index, (name, born, care) in enumerate(
        [("Ана", "2018", "school"), ("Иво", "2023", "daycare")]
    ):
        press(children.add)
        type_into(view, f"children[{index}].child_name", name)
        type_into(view, f"children[{index}].child_birth", born)
        choose(view, f"children[{index}].child_lives", "with_person")
        choose(view, f"children[{index}].child_care", care)

    view.show_section("health")
    assert not follower.isHidden()
    headings = [row.header.text() for row in follower.rows]
    assert headings == [item.header.text() for item in children.items]
    assert headings[1] in ("Kind 2: Иво, geb. 2023", "Дете 2: Иво, р. 2023\u202fг.")
    choose(view, "children_insurance[0].child_insurance", "statutory")
    choose(view, "children_insurance[1].child_insurance", "none")
    combo = view.input("children_insurance[1].child_insurance")
    assert isinstance(combo, QComboBox)
    if lang == "de":  # side by side with the person's Bulgarian
        assert follower.title.text().replace("&", "") == "Krankenversicherung der Kinder"
        assert follower.client_title.text() == "Здравна осигуровка на децата"
        assert combo.currentText() == "nicht versichert · няма здравна осигуровка"
        assert combo.itemText(combo.findData("statutory")).startswith(
            "gesetzlich versichert (auch familienversichert) · задължително осигурено"
        )
    else:
        assert follower.title.text().replace("&", "") == "Здравна осигуровка на децата"
        assert combo.currentText() == "няма здравна осигуровка"
    # The question's access key leads to the first child's answer.
    key = _access_key(follower.title.text())
    assert key is not None
    win.activateWindow()
    qtbot.waitUntil(win.isActiveWindow, timeout=30_000)  # window shortcuts need an active one
    QTest.keyClick(win, Qt.Key(ord(key.upper())), Qt.KeyboardModifier.AltModifier)
    assert win.focusWidget() is view.input("children_insurance[0].child_insurance")
    QApplication.processEvents()
    win.grab().save(str(tmp_path / f"children-insurance-{lang}.png"))

    view.show_section("household")
    remove_entry(children.items[0].remove)
    count = view.input("children_count")
    assert isinstance(count, QLineEdit)
    count.selectAll()
    type_into(view, "children_count", "1")
    view.show_section("health")
    assert [row.header.text() for row in follower.rows] == [children.items[0].header.text()]
    kept = view.input("children_insurance[0].child_insurance")
    assert isinstance(kept, QComboBox) and kept.currentData() == "none"
    visit = finish_form(qtbot, win)
    assert visit is not None
    assert visit.answers["children_insurance"] == [
        {"child_name": "Иво", "child_birth": "2023", "child_insurance": "none"}
    ]


def test_the_ehics_date_is_asked_only_with_an_ehic_and_a_future_one_is_kept(
    qtbot: QtBot, session: Session, tmp_path: Path
) -> None:
    set_language("de")
    answers = {**CHECK_ANSWERS, "insurance_status": "statutory", "urgent_medical_need": "no"}
    _feature, win, _person = _editing(qtbot, session, answers, consent=True)
    view = win.view
    date = editor(view, "ehic_valid_until")
    view.show_section("health")
    assert date.isHidden()
    choose(view, "insurance_status", "ehic")
    assert not date.isHidden()
    ahead = dt.date.today().year + 5  # in the future, within the 15 years a date may be ahead
    type_into(view, "ehic_valid_until", f"31.03.{ahead}")
    assert view.answers()["ehic_valid_until"] == f"{ahead}-03-31"
    assert view.refresh().errors == []  # a date in the future: the card's
    QApplication.processEvents()
    win.grab().save(str(Path(os.environ.get("FORM_SHOTS", tmp_path)) / "ehic-de.png"))
    choose(view, "insurance_status", "private")
    assert date.isHidden() and "ehic_valid_until" not in view.refresh().answers
    choose(view, "insurance_status", "ehic")  # the date typed is still there
    visit = finish_form(qtbot, win)
    assert visit is not None
    assert visit.answers["insurance_status"] == "ehic"
    assert visit.answers["ehic_valid_until"] == f"{ahead}-03-31"
