"""Restricted sections in the UI: a helper's visit form hides them behind a note, an advisor
opens them to a helper from the person page. (The rule itself holds in the use cases, see
tests/unit/security/test_restricted_sections.py.)"""

from __future__ import annotations

import datetime as dt
import os
from pathlib import Path

from PySide6.QtGui import QAction
from PySide6.QtWidgets import QCheckBox
from pytestqt.qtbot import QtBot
from sqlalchemy import func, select

from desktop_app.domain.person import PersonDraft
from desktop_app.domain.users import Role
from desktop_app.i18n.text import set_language
from desktop_app.storage.audit_models import CaseOpeningRow
from desktop_app.ui.case_access import CaseAccessDialog
from desktop_app.ui.main_window import MainWindow
from desktop_app.ui.visits import VisitsFeature, VisitWindow
from desktop_app.usecases import access, accounts, audit, people, visits
from desktop_app.usecases.accounts import Session
from tests.ui.conftest import finish_form, shown_window
from tests.unit.test_visits import consent_answers, full_life_situation

TODAY = dt.date.today()
RESTRICTED = {"insurance_status", "urgent_medical_need", "work_exploitation_signs"}


def _shots(tmp_path: Path) -> Path:
    return Path(os.environ.get("WELCOME_DESK_SHOTS", tmp_path))


def _login(session: Session, account: str, role: Role) -> Session:
    accounts.add_user(session, account, account.title(), role, f"{account} pass 12")
    return accounts.log_in(session.store.paths.data_dir, account, f"{account} pass 12")


def _case(session: Session) -> tuple[str, visits.Visit]:
    store = session.store
    pid = people.register_person(
        store, session.user, PersonDraft("Мария", "Петрова", "02.04.1991", "female", "BG")
    ).id
    visits.record_consent(store, session.user, pid, consent_answers(), today=TODAY)
    answers = {**full_life_situation(), "work_exploitation_signs": ["wages_withheld"]}
    answers["exploitation_notes"] = "Lohn seit März nicht gezahlt"
    # Languages the record takes over that open the form in one language, as before.
    answers["languages"] = ["de"]
    visit = visits.finish_visit(store, session.user, pid, "life_situation", answers, today=TODAY)
    return pid, visit


def _open_visit(qtbot: QtBot, user: Session, pid: str) -> tuple[MainWindow, VisitWindow]:
    window = shown_window(qtbot, user)
    window.show_person(pid)
    feature: VisitsFeature = window.visits  # type: ignore[attr-defined]
    assert len(feature.tab.visits) == 1
    visit_item = feature.tab.tree.topLevelItem(0)
    assert visit_item is not None
    feature.tab.tree.setCurrentItem(visit_item)
    feature.tab.edit_button.click()
    (win,) = feature.open_windows
    qtbot.addWidget(win)
    win.resize(1000, 700)
    return window, win


def test_in_romanian_the_withheld_section_is_named_in_words_that_agree_with_it(
    qtbot: QtBot, session: Session
) -> None:
    """A helper's form said "Sănătate – nu vă este afișat" and "Nu vă este afișat: note despre
    exploatare, …", a masculine participle after feminine and plural names; "nu aveți acces"
    agrees with any section, and the note names "secțiunea" it speaks of."""
    pid, _visit = _case(session)
    helper = _login(session, "mihai", Role.HELPER)
    set_language("ro")
    window, win = _open_visit(qtbot, helper, pid)
    feature: VisitsFeature = window.visits  # type: ignore[attr-defined]
    assert feature.tab.withheld_note.text().startswith(
        "Nu aveți acces la: note despre exploatare, date despre sănătate."
    )
    view = win.view
    view.show_section("health")
    health = next(p for p in view.pages if p.section.id == "health")
    assert health.withheld_note.text().startswith("Această secțiune nu vă este afișată.")
    rows = [view.navigator.item(r).text() for r in range(view.navigator.count())]
    assert "⊘ Sănătate – nu aveți acces" in rows
    assert not [text for text in rows if "afișat" in text]


def test_helper_form_hides_restricted_sections_and_keeps_the_advisors_answers(
    qtbot: QtBot, session: Session, tmp_path: Path
) -> None:
    pid, visit = _case(session)
    helper = _login(session, "mihai", Role.HELPER)
    window, win = _open_visit(qtbot, helper, pid)
    feature: VisitsFeature = window.visits  # type: ignore[attr-defined]
    assert feature.tab.withheld_note.isVisible()
    assert "health details" in feature.tab.withheld_note.text()
    assert window.person_page.more_menu.findChild(QAction, "open_to_helpers") is None
    view = win.view
    view.show_section("health")
    health = next(p for p in view.pages if p.section.id == "health")
    assert health.withheld_note.isVisible() and "Not shown to you" in health.withheld_note.text()
    assert not any(editor.isVisible() for editor in health.editors.values())
    rows = [view.navigator.item(r).text() for r in range(view.navigator.count())]
    assert any(text.startswith("⊘") and "not shown to you" in text for text in rows)
    win.grab().save(str(_shots(tmp_path) / "visit-helper-health.png"))
    view.show_section("work_income")
    work = next(p for p in view.pages if p.section.id == "work_income")
    assert work.withheld_note.isVisible()
    assert not work.editors["work_exploitation_signs"].isVisible()
    assert work.editors["work_status"].isVisible()
    win.grab().save(str(_shots(tmp_path) / "visit-helper-work.png"))
    assert not RESTRICTED & set(view.answers())
    # saving the helper's change keeps what the advisor recorded in the hidden sections
    stored = finish_form(qtbot, win)
    assert stored is not None and stored.revision == 2
    full = visits.get_visit(session.store, session.user, visit.id)
    assert full is not None
    assert {k: full.answers[k] for k in RESTRICTED} == {k: visit.answers[k] for k in RESTRICTED}
    helper.close()


def test_advisor_sees_the_sections_and_opens_them_to_a_helper(
    qtbot: QtBot, session: Session, tmp_path: Path
) -> None:
    pid, _visit = _case(session)
    helper = _login(session, "mihai", Role.HELPER)
    advisor = _login(session, "eva", Role.ADVISOR)
    window, win = _open_visit(qtbot, advisor, pid)
    view = win.view
    view.show_section("health")
    health = next(p for p in view.pages if p.section.id == "health")
    assert not health.withheld_note.isVisible()
    assert health.editors["insurance_status"].isVisible()
    win.grab().save(str(_shots(tmp_path) / "visit-advisor-health.png"))
    win.close()

    page = window.person_page
    action = page.more_menu.findChild(QAction, "open_to_helpers")  # in "More…"
    assert page.more_button.isVisible()
    assert action is not None and action.text() == "Open to &helpers…"
    action.trigger()
    dialog = window.case_access_dialog  # type: ignore[attr-defined]
    assert isinstance(dialog, CaseAccessDialog)
    box = dialog.findChild(QCheckBox, "open:mihai:health")
    assert box is not None and not box.isChecked()
    box.setChecked(True)
    dialog.grab().save(str(_shots(tmp_path) / "open-to-helpers.png"))
    assert dialog.changes() == [(helper.user.id, "health", True)]
    with qtbot.waitSignal(dialog.accepted, timeout=30_000):  # stored on a worker thread
        dialog.apply()
    assert visits.withheld_kinds(helper.store, helper.user, pid) == {"exploitation"}
    opened = audit.list_entries(session.store, session.user, record_id=pid, action="open_case")
    assert [e.user_id for e in opened] == [advisor.user.id]
    assert opened[0].details == {"helper_id": helper.user.id, "kind": "health", "opened": True}

    _helper_window, helper_win = _open_visit(qtbot, helper, pid)
    helper_win.view.show_section("health")
    health = next(p for p in helper_win.view.pages if p.section.id == "health")
    assert health.editors["insurance_status"].isVisible()
    assert not health.withheld_note.isVisible()
    # the advisor closes the case again while the helper's form is open: the helper's next
    # save of health answers is refused with a message, not a crash
    access.close_case_to_helper(advisor.store, advisor.user, pid, helper.user.id, "health")
    health.editors["insurance_status"].set_value("private")
    helper_win.dirty = True
    helper_win.save_draft()  # on a worker thread: refused there, told here
    refused = "Your role does not allow this."
    qtbot.waitUntil(lambda: helper_win.saved_label.text() == refused, timeout=10_000)
    assert helper_win.dirty  # not kept: the next autosave or closing tries again
    assert finish_form(qtbot, helper_win) is None
    assert helper_win.view.banner.text() == "Your role does not allow this."
    helper_win.done_ = True  # nothing more to save when the test closes it

    # Opened again from the dialog: the same record, its ``opened`` field set again.
    action.trigger()
    dialog = window.case_access_dialog  # type: ignore[attr-defined]
    box = dialog.findChild(QCheckBox, "open:mihai:health")
    assert box is not None and not box.isChecked()
    box.setChecked(True)
    with qtbot.waitSignal(dialog.accepted, timeout=30_000):
        dialog.apply()
    action.trigger()
    dialog = window.case_access_dialog  # type: ignore[attr-defined]
    box = dialog.findChild(QCheckBox, "open:mihai:health")
    assert box is not None and box.isChecked()
    dialog.grab().save(str(_shots(tmp_path) / "opened-again-to-helpers.png"))
    dialog.reject()
    assert visits.withheld_kinds(helper.store, helper.user, pid) == {"exploitation"}
    with session.store.reading() as db:
        assert db.scalars(select(func.count()).select_from(CaseOpeningRow)).one() == 1
    helper.close()
    advisor.close()


def test_withheld_notes_are_translated(qtbot: QtBot, session: Session) -> None:
    pid, _visit = _case(session)
    helper = _login(session, "mihai", Role.HELPER)
    set_language("de")
    window, win = _open_visit(qtbot, helper, pid)
    health = next(p for p in win.view.pages if p.section.id == "health")
    assert "nicht angezeigt" in health.withheld_note.text()
    feature: VisitsFeature = window.visits  # type: ignore[attr-defined]
    assert "Gesundheit" in feature.tab.withheld_note.text()
    helper.close()


def test_without_helper_accounts_the_dialog_says_so_and_offers_close_only(
    qtbot: QtBot, session: Session
) -> None:
    """It showed the note above an empty table's headings and a Save that saved nothing."""
    from PySide6.QtWidgets import QDialogButtonBox, QLabel

    person = people.register_person(
        session.store, session.user, PersonDraft("Мария", "Петрова", "1991-04-02")
    )
    dialog = CaseAccessDialog(session, person)
    qtbot.addWidget(dialog)
    dialog.show()
    texts = [label.text() for label in dialog.findChildren(QLabel) if label.isVisible()]
    assert "There are no helper accounts on this laptop." in texts
    assert not any("Integration helper" in text for text in texts)
    Button = QDialogButtonBox.StandardButton
    assert dialog.buttons.button(Button.Save) is None
    close = dialog.buttons.button(Button.Close)
    assert close is not None and close.isVisible()
    close.click()
    assert not dialog.isVisible() and dialog.changes() == []
