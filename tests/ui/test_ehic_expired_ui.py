"""The end page of the life-situation check suggests the Clearingstelle for an EHIC that has
expired, with the reason that says so (German and Romanian), and not for a valid one."""

from __future__ import annotations

import datetime as dt
import os
from pathlib import Path

import pytest
from PySide6.QtWidgets import QApplication, QLabel, QLineEdit, QRadioButton
from pytestqt.qtbot import QtBot

from desktop_app.i18n.text import set_language
from desktop_app.ui.visits import VisitWindow
from desktop_app.usecases.accounts import Session
from tests.ui.conftest import finish_form
from tests.ui.test_forms_ui import CHECK_ANSWERS, _editing, choose, press, type_into

STEP = "health_clearing_ehic_expired"
REASONS = {
    "de": "Die Europäische Krankenversicherungskarte ist abgelaufen.",
    "ro": "Cardul european de asigurări sociale de sănătate a expirat.",
}


def _card_expired_in_2020(qtbot: QtBot, session: Session) -> VisitWindow:
    """A finished check opened again (consent given), its insurance changed to an EHIC valid
    until 31.01.2020."""
    answers = {**CHECK_ANSWERS, "insurance_status": "statutory", "urgent_medical_need": "no"}
    _feature, win, _person = _editing(qtbot, session, answers, consent=True)
    view = win.view
    view.show_section("health")
    choose(view, "insurance_status", "ehic")
    # the form is evaluated for the visit's day (today): 2020 is past, five years on ahead
    type_into(view, "ehic_valid_until", "31.01.2020")
    return win


@pytest.mark.parametrize("lang", ["de", "ro"])
def test_the_end_page_suggests_the_clearingstelle_for_an_expired_card(
    qtbot: QtBot, session: Session, tmp_path: Path, lang: str
) -> None:
    set_language(lang)
    win = _card_expired_in_2020(qtbot, session)
    view = win.view
    assert view.answers()["ehic_valid_until"] == "2020-01-31"
    view.show_section("__next_steps__")
    page = view.steps_page
    assert [s.id for s in page.steps if s.service == "clearingstelle"] == [STEP]
    texts = [w.text() for w in page.findChildren(QLabel) if w.isVisible()]
    assert REASONS[lang] in texts
    QApplication.processEvents()
    shots = Path(os.environ.get("FORM_SHOTS", tmp_path))
    win.grab().save(str(shots / f"ehic-expired-{lang}.png"))
    view.show_section("health")
    ahead = dt.date.today().year + 5
    typed = view.input("ehic_valid_until")
    assert isinstance(typed, QLineEdit)
    typed.selectAll()  # typed over, not after 31.01.2020
    type_into(view, "ehic_valid_until", f"31.12.{ahead}")
    assert view.answers()["ehic_valid_until"] == f"{ahead}-12-31"
    assert not [e for e in view.refresh().errors if e.field_path == "ehic_valid_until"]
    view.show_section("__next_steps__")
    assert STEP not in [s.id for s in page.steps]
    texts = [w.text() for w in page.findChildren(QLabel) if w.isVisible()]
    assert REASONS[lang] not in texts
    set_language("en")
    win.close()


def test_the_step_accepted_is_stored_with_the_visit(qtbot: QtBot, session: Session) -> None:
    set_language("de")
    win = _card_expired_in_2020(qtbot, session)
    view = win.view
    view.show_section("__next_steps__")
    radio = view.steps_page.findChild(QRadioButton, f"step:{STEP}:accepted")
    assert radio is not None
    press(radio)
    assert view.decisions() == {STEP: "accepted"}
    visit = finish_form(qtbot, win)
    assert visit is not None
    assert visit.next_steps.get(STEP) == "accepted"
