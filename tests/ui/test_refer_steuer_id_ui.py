"""The refer dialog tells the advisor, under the documents, whose Steuer-ID the letter will say
is still to come (the person's, as the life-situation check says they have none; a child's, to
the Familienkasse), so that the letter does not surprise them; as the documents ticked make the
letter, and not for a service that asks for no Steuer-ID."""

from __future__ import annotations

from typing import Any

import pytest
from pytestqt.qtbot import QtBot

from desktop_app.domain.person import Person
from desktop_app.i18n.text import set_language
from desktop_app.ui import referrals as ui
from desktop_app.usecases import visits
from desktop_app.usecases.accounts import Session
from tests.ui.test_referrals_ui import _open_dialog, _person, _window
from tests.unit.test_visits import full_life_situation


def _checked(person: Person, session: Session, tax_id: str, *children: str) -> None:
    """A life-situation check: the person's Steuer-ID answer, and the children's (Мария,
    Иван …), all in the household, Kindergeld not received."""
    names = ["Мария", "Иван"]
    answers: dict[str, Any] = {**full_life_situation(), "tax_id": tax_id}
    answers["children_count"] = len(children)
    answers["children"] = [
        {
            "child_name": names[i],
            "child_birth": f"{2018 + 4 * i}-05-01",
            "child_lives": "with_person",
            "child_care": "school" if i == 0 else "daycare",
            "child_tax_id": answer,
        }
        for i, answer in enumerate(children)
    ]
    visits.finish_visit(session.store, session.user, person.id, "life_situation", answers)


def _tick(dialog: ui.ReferDialog, document: str, checked: bool) -> None:
    from PySide6.QtCore import Qt

    for i in range(dialog.documents.count()):
        item = dialog.documents.item(i)
        if item.data(Qt.ItemDataRole.UserRole) == document:
            item.setCheckState(Qt.CheckState.Checked if checked else Qt.CheckState.Unchecked)
            return
    raise AssertionError(f"{document} not listed")


def test_the_dialog_says_the_letter_tells_the_persons_and_a_childs_steuer_id_follow(
    qtbot: QtBot, session: Session, shots: Any
) -> None:
    set_language("de")
    person = _person(session)
    _checked(person, session, "no", "yes", "no")
    _win, feature = _window(qtbot, session, person)
    dialog = _open_dialog(feature)
    assert dialog.tax_id_note.isHidden()  # no service chosen yet
    dialog.select_service("familienkasse")
    assert "tax_id" not in dialog.document_values()  # the check says the person has none
    assert dialog.tax_id_note.isVisible()
    assert dialog.tax_id_note.text() == (
        "Im Brief steht, dass die Steuer-IDs der Person und eines Kindes (Иван) noch nicht da "
        "sind und nachgereicht werden – so sagt es der Check der Lebenssituation."
    )
    dialog.grab().save(str(shots / "refer-steuer-id-de.png"))
    # the Jobcenter asks for no Steuer-ID: nothing to say
    dialog.select_service("jobcenter")
    assert dialog.tax_id_note.isHidden() and dialog.tax_id_note.text() == ""
    # the Agentur für Arbeit asks for the person's own, and lists no children
    dialog.select_service("employment_agency")
    assert dialog.tax_id_note.text() == (
        "Im Brief steht, dass die Person die Steuer-ID noch nicht erhalten hat und sie "
        "nachreicht – so sagt es der Check der Lebenssituation."
    )
    dialog.reject()


def test_the_note_follows_the_steuer_id_ticked(qtbot: QtBot, session: Session) -> None:
    """The person has hers: the letter says the children's follow as long as the Steuer-ID is
    asked for; the advisor untick it, the letter asks for none and says none follows."""
    set_language("ro")
    person = _person(session)
    _checked(person, session, "yes", "no", "no")
    _win, feature = _window(qtbot, session, person)
    dialog = _open_dialog(feature)
    dialog.select_service("familienkasse")
    assert "tax_id" in dialog.document_values()
    assert dialog.tax_id_note.text() == (
        "Scrisoarea va spune că numerele de identificare fiscală (Steuer-ID) ale copiilor "
        "(Мария, Иван) nu au sosit încă și vor fi prezentate ulterior – conform evaluării "
        "situației de viață."
    )
    _tick(dialog, "tax_id", False)
    assert dialog.tax_id_note.isHidden()
    _tick(dialog, "tax_id", True)
    assert dialog.tax_id_note.isVisible()
    dialog.reject()


def test_nothing_is_said_where_the_check_says_nothing_is_missing_or_not_known(
    qtbot: QtBot, session: Session
) -> None:
    person = _person(session)
    _checked(person, session, "unknown", "yes", "yes")
    _win, feature = _window(qtbot, session, person)
    dialog = _open_dialog(feature)
    dialog.select_service("familienkasse")
    assert "tax_id" in dialog.document_values()
    assert dialog.tax_id_note.isHidden() and dialog.tax_id_note.text() == ""
    dialog.reject()


#: The note on a Steuer-ID the letter asks for although the check does not know of it (Иван's,
#: "unknown"), in the four languages of the UI.
ASKED_IVAN = {
    "de": "Im Brief wird die Steuer-ID eines Kindes (Иван) angefordert – der Check der "
    "Lebenssituation sagt nicht, ob es schon eine hat.",
    "bg": "В писмото ще бъде поискан данъчният идентификационен номер (Steuer-ID) на едно дете "
    "(Иван) – прегледът на житейската ситуация не казва дали детето вече има такъв.",
    "ro": "Scrisoarea va cere numărul de identificare fiscală (Steuer-ID) al unui copil (Иван) – "
    "evaluarea situației de viață nu spune dacă acesta are deja unul.",
    "en": "The letter will ask for the Steuer-ID of one child (Иван): the life-situation check "
    "does not say whether it has one.",
}


def test_the_dialog_says_a_childs_steuer_id_not_known_is_asked_for(
    qtbot: QtBot, session: Session
) -> None:
    """The person has hers; Иван's is "unknown": the letter asks for it with hers (the
    Steuer-ID ticked), and the dialog says so; unticked, the letter asks for no Steuer-ID
    and the dialog says nothing."""
    set_language("de")
    person = _person(session)
    _checked(person, session, "unknown", "yes", "unknown")
    _win, feature = _window(qtbot, session, person)
    dialog = _open_dialog(feature)
    dialog.select_service("familienkasse")
    assert "tax_id" in dialog.document_values()
    assert dialog.tax_id_note.isVisible() and dialog.tax_id_note.text() == ASKED_IVAN["de"]
    _tick(dialog, "tax_id", False)
    assert dialog.tax_id_note.isHidden()
    # the Agentur für Arbeit lists no children: nothing to say of theirs
    dialog.select_service("employment_agency")
    assert dialog.tax_id_note.isHidden()
    dialog.reject()


#: The person's and Мария's Steuer-IDs to come, as the note says it (test above, in German).
TO_FOLLOW_MARIA = {
    "de": "Im Brief steht, dass die Steuer-IDs der Person und eines Kindes (Мария) noch nicht da "
    "sind und nachgereicht werden – so sagt es der Check der Lebenssituation.",
    "bg": "В писмото ще пише, че данъчните идентификационни номера (Steuer-ID) на лицето и на "
    "едно дете (Мария) още не са получени и ще бъдат представени допълнително – според "
    "прегледа на житейската ситуация.",
    "ro": "Scrisoarea va spune că numerele de identificare fiscală (Steuer-ID) ale persoanei și "
    "ale unui copil (Мария) nu au sosit încă și vor fi prezentate ulterior – conform evaluării "
    "situației de viață.",
    "en": "The letter will say that the Steuer-IDs of the person and of one child (Мария) have "
    "not come yet and will be handed in later, as the life-situation check says.",
}


@pytest.mark.parametrize("lang", ["de", "bg", "ro", "en"])
def test_the_dialog_says_whose_steuer_id_follows_and_whose_is_asked_for_in_one_place(
    qtbot: QtBot, session: Session, shots: Any, lang: str
) -> None:
    """The person has none yet and Мария neither ("no"); Иван's is "unknown". The referral
    leaves the Steuer-ID out (the person's), yet the letter lists it for Иван (before, it
    asked for his nowhere): the note under the documents says both, the Steuer-IDs to
    follow and the one asked for."""
    set_language(lang)
    person = _person(session)
    _checked(person, session, "no", "no", "unknown")
    _win, feature = _window(qtbot, session, person)
    dialog = _open_dialog(feature)
    dialog.select_service("familienkasse")
    assert "tax_id" not in dialog.document_values()
    assert dialog.tax_id_note.isVisible()
    assert dialog.tax_id_note.text() == f"{TO_FOLLOW_MARIA[lang]} {ASKED_IVAN[lang]}"
    # the whole note shown, wrapped, not cut off
    note = dialog.tax_id_note
    assert note.height() >= note.heightForWidth(note.width())
    dialog.grab().save(str(shots / f"refer-steuer-id-asked-{lang}.png"))
    dialog.reject()
