"""Language names standing alone start upper case in every UI language; inside running text
and joined values they are written as the language writes them in a sentence. The register
dialog's list said "Български", "Română" while the visit form's check boxes said "български",
"română" (Bulgarian and Romanian write language names in lower case in a sentence; their
native UIs list them capitalised, as LibreOffice and Windows do)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QCheckBox, QComboBox
from pytestqt.qtbot import QtBot

from desktop_app.i18n.text import set_language
from desktop_app.ui.form_view import FormView
from desktop_app.ui.person_dialog import RegisterPersonDialog
from desktop_app.ui.visits import QuickContactDialog
from desktop_app.ui.widgets import language_names, names_languages
from desktop_app.usecases.accounts import Session
from desktop_app.usecases.reference import shipped_forms

STANDING = {
    "bg": {"bg": "Български", "ro": "Румънски", "rom": "Ромски", "other": "Друг език"},
    "ro": {"bg": "Bulgară", "ro": "Română", "rom": "Romani", "other": "Altă limbă"},
    "de": {"bg": "Bulgarisch", "ro": "Rumänisch", "rom": "Romani", "other": "Andere Sprache"},
    "en": {"bg": "Bulgarian", "ro": "Romanian", "rom": "Romani", "other": "Other language"},
}
# which of the drop-downs offer the language (the session's: the visit form's and the quick
# contact's; a language level's; the consent text's)
OFFERED = {
    "bg": {"session", "quick", "skills", "consent"},
    "ro": {"session", "quick", "skills", "consent"},
    "rom": {"skills"},
    "other": {"session", "quick", "skills"},
}
RUNNING = {
    "bg": "Български, румънски, ромски",
    "ro": "Bulgară, română, romani",
    "de": "Bulgarisch, Rumänisch, Romani",
    "en": "Bulgarian, Romanian, Romani",
}


@pytest.fixture(params=sorted(STANDING))
def lang(request: pytest.FixtureRequest) -> Iterator[str]:
    set_language(request.param)
    yield request.param
    set_language("en")


def _combo_text(combo: QComboBox | None, code: str) -> str:
    assert combo is not None
    return combo.itemText(combo.findData(code))


def test_language_names_standing_alone_read_alike_in_the_register_dialog_and_the_forms(
    qtbot: QtBot, session: Session, lang: str
) -> None:
    expected = STANDING[lang]
    dialog = RegisterPersonDialog(session.store, session.user)
    qtbot.addWidget(dialog)
    listed = dialog.languages
    register = {
        listed.item(i).data(Qt.ItemDataRole.UserRole): listed.item(i).text()
        for i in range(listed.count())
    }
    life = FormView(shipped_forms()["life_situation"])
    skills = FormView(shipped_forms()["skills_check"])
    consent = FormView(shipped_forms()["consent"])
    quick = QuickContactDialog(session)
    for widget in (life, skills, consent, quick):
        qtbot.addWidget(widget)
    combos = {
        "session": life.findChild(QComboBox, "session_language"),
        "quick": quick.language,
        "skills": skills.findChild(QComboBox, "language_levels[0].language"),
        "consent": consent.findChild(QComboBox, "consent_language"),
    }
    assert all(combo is not None for combo in combos.values())
    for code, name in expected.items():
        check = life.findChild(QCheckBox, f"languages:{code}")
        assert check is not None and check.text() == name
        if code != "other":
            assert register[code] == name
        offered = {where for where, combo in combos.items() if _combo_text(combo, code)}
        assert {_combo_text(combos[where], code) for where in offered} == {name}
        assert offered == OFFERED[code]
    # in running text, after the first, as the language writes them in a sentence
    assert language_names(["bg", "ro", "rom"]) == RUNNING[lang]


def test_other_choices_keep_the_forms_wording(qtbot: QtBot, lang: str) -> None:
    """Only language questions: the sex (a form's options are written as in a sentence) and
    the country of a qualification, coded "bg", "ro", "de" like languages, stay as written."""
    life = shipped_forms()["life_situation"]
    view = FormView(life)
    qtbot.addWidget(view)
    female = life.field("sex").option("female")
    assert female is not None
    assert _combo_text(view.findChild(QComboBox, "sex"), "female") == female.label[lang]
    country = shipped_forms()["skills_check"].field("qualifications").fields or []
    [q_country] = [f for f in country if f.id == "q_country"]
    options = q_country.options or []
    assert not names_languages((o.id, o.label["de"]) for o in options)
