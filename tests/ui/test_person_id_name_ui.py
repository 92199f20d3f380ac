"""The name as on the ID document in the person dialogs and on the person's page: typed in Latin
letters (Cyrillic refused at the field, in the UI language), prefilled for editing, shown
under the name where it is written otherwise, and found by the people search."""

from __future__ import annotations

import os
from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QPushButton
from pytestqt.qtbot import QtBot

from desktop_app.domain.hlc import effective_field_clocks
from desktop_app.domain.person import PERSON_FIELDS, PersonDraft
from desktop_app.i18n.text import set_language
from desktop_app.ui.main_window import MainWindow
from desktop_app.ui.person_dialog import EditPersonDialog, RegisterPersonDialog
from desktop_app.ui.visits import answers_from_person
from desktop_app.usecases import people
from desktop_app.usecases.accounts import Session
from tests.ui.conftest import shown_window, type_text


def _register_dialog(qtbot: QtBot, session: Session) -> RegisterPersonDialog:
    dialog = RegisterPersonDialog(session.store, session.user)
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitExposed(dialog)
    return dialog


def _save(qtbot: QtBot, dialog: RegisterPersonDialog) -> None:
    with qtbot.waitSignal(dialog.save.answered, timeout=30_000):
        dialog._on_save_clicked()


def test_cyrillic_in_the_id_name_is_refused_at_the_field_in_the_ui_language(
    qtbot: QtBot, session: Session
) -> None:
    set_language("de")
    try:
        dialog = _register_dialog(qtbot, session)
        assert dialog._labels["id_document_name"].text() == "Name laut Ausweis (&lateinisch)"
        assert dialog._labels["id_document_name"].buddy() is dialog.id_name
        type_text(dialog.given, "Мария")
        type_text(dialog.family, "Георгиева")
        type_text(dialog.id_name, "Георгиева Мария")
        _save(qtbot, dialog)
        error = dialog.errors["id_document_name"]
        assert error.isVisible()
        assert error.text() == (
            "Bitte schreiben Sie den Namen in lateinischen Buchstaben, so wie er im Ausweis "
            "oder Pass steht."
        )
        assert dialog.focusWidget() is dialog.id_name
        assert [n for n, e in dialog.errors.items() if e.isVisible()] == ["id_document_name"]
        assert people.count_people(session.store) == 0  # nothing stored
        dialog.id_name.clear()
        type_text(dialog.id_name, "GUEORGUIEVA Maria")
        with qtbot.waitSignal(dialog.person_registered, timeout=30_000) as registered:
            dialog._on_save_clicked()
    finally:
        set_language("en")
    person = registered.args[0]
    assert person.id_document_name == "GUEORGUIEVA Maria"
    assert [e.id for e in people.search_people(session.store, "Gueorguieva")] == [person.id]


def test_the_page_shows_the_id_name_where_it_differs_and_the_editor_changes_it(
    qtbot: QtBot, session: Session
) -> None:
    carded = people.register_person(
        session.store,
        session.user,
        PersonDraft("Мария", "Георгиева", "1990", id_document_name="GUEORGUIEVA Maria"),
    )
    same = people.register_person(
        session.store,
        session.user,
        PersonDraft("Ioana", "Mureșan", "1985", id_document_name="MUREȘAN Ioana"),
    )
    window = shown_window(qtbot, session)
    page = window.person_page
    window.show_person(carded.id)
    qtbot.waitUntil(lambda: page.person is not None and page.person.id == carded.id)
    assert page.id_name.isVisible()
    assert page.id_name.text() == "As on the ID document: GUEORGUIEVA Maria"
    window.show_person(same.id)  # only in capitals and order otherwise: not repeated
    qtbot.waitUntil(lambda: page.person is not None and page.person.id == same.id)
    assert not page.id_name.isVisible()
    window.show_person(carded.id)
    qtbot.waitUntil(lambda: page.person is not None and page.person.id == carded.id)
    button = page.findChild(QPushButton, "edit_person")
    assert button is not None
    button.click()
    dialog: EditPersonDialog = window.edit_person_dialog  # type: ignore[attr-defined]
    assert dialog.id_name.text() == "GUEORGUIEVA Maria"  # prefilled as stored
    dialog.id_name.clear()
    type_text(dialog.id_name, "GUEORGUIEVA Mariya")
    with qtbot.waitSignal(dialog.person_updated, timeout=30_000):
        dialog._on_save_clicked()
    qtbot.waitUntil(lambda: page.id_name.text() == "As on the ID document: GUEORGUIEVA Mariya")
    stored = people.get_person(session.store, session.user, carded.id)
    assert stored is not None and stored.id_document_name == "GUEORGUIEVA Mariya"
    # Only that field got a new clock (an entry equal to the person's own is not stored).
    clocks = effective_field_clocks(PERSON_FIELDS, stored.field_clocks, stored.updated_hlc)
    assert clocks["id_document_name"][0] == stored.updated_hlc != clocks["phone"][0]
    # A new life-situation check starts from it.
    assert answers_from_person(stored)["name_latin"] == "GUEORGUIEVA Mariya"


def test_screenshots_of_the_dialog_and_the_page_in_german_and_bulgarian(
    qtbot: QtBot, session: Session, tmp_path: Path
) -> None:
    person = people.register_person(
        session.store,
        session.user,
        PersonDraft(
            "Мария",
            "Георгиева",
            "02.04.1991",
            sex="female",
            nationality="BG",
            languages=("bg",),
            phone="0176 1234567",
            id_document_name="GUEORGUIEVA Maria",
        ),
    )
    try:
        for lang in ("de", "bg"):
            set_language(lang)
            window = shown_window(qtbot, session, 1100)
            window.show_person(person.id)
            qtbot.waitUntil(window.person_page.id_name.isVisible)
            QApplication.processEvents()
            assert window.grab().save(str(tmp_path / f"page-{lang}.png"))
            dialog = EditPersonDialog(session.store, session.user, person, window)
            dialog.show()
            qtbot.waitExposed(dialog)
            assert dialog.grab().save(str(tmp_path / f"edit-{lang}.png"))
            dialog.id_name.setText("Георгиева")
            _save(qtbot, dialog)
            assert dialog.errors["id_document_name"].isVisible()
            QApplication.processEvents()
            assert dialog.grab().save(str(tmp_path / f"edit-{lang}-refused.png"))
            dialog.reject()
            register = _register_dialog(qtbot, session)
            assert register.grab().save(str(tmp_path / f"register-{lang}.png"))
            register.reject()
            window.close()
    finally:
        set_language("en")


def test_a_search_result_found_by_the_id_name_alone_shows_it_in_the_row(
    qtbot: QtBot, session: Session, tmp_path: Path
) -> None:
    """ "Gueorguieva" typed from the card lists "Георгиева | Мария · ID: GUEORGUIEVA Maria" (in
    the UI language), whole in the cell's tooltip; "Георгиева" typed lists her name alone."""
    people.register_person(
        session.store,
        session.user,
        PersonDraft(
            "Мария", "Георгиева", "02.04.1991", nationality="BG", phone="0176 1234567",
            id_document_name="GUEORGUIEVA Maria",
        ),
    )  # fmt: skip
    people.register_person(
        session.store, session.user, PersonDraft("Maria", "Gueorguieva", "03.04.1991")
    )
    shots = Path(os.environ.get("WELCOME_DESK_SHOTS") or tmp_path)
    expected = {
        "de": "Мария · Laut Ausweis: GUEORGUIEVA Maria",
        "bg": "Мария · По документ за самоличност: GUEORGUIEVA Maria",
        "ro": "Мария · Conform actului de identitate: GUEORGUIEVA Maria",
        "en": "Мария · As on the ID document: GUEORGUIEVA Maria",
    }
    try:
        for lang, text in expected.items():
            set_language(lang)
            window = shown_window(qtbot, session)
            window.resize(1366, 768)

            def rows(query: str, window: MainWindow = window) -> list[list[str]]:
                window.search.clear()
                with qtbot.waitSignal(window.search_finished, timeout=30_000):
                    type_text(window.search, query)
                model = window.model
                return [[model.index(r, c).data() for c in (0, 1)] for r in range(model.rowCount())]

            shown = "Мария · GUEORGUIEVA Maria".replace(" ", "\u00a0")  # not wrapped away
            assert rows("Gueorguieva") == [["Георгиева", shown], ["Gueorguieva", "Maria"]]
            index = window.model.index(0, 1)
            assert index.data(Qt.ItemDataRole.ToolTipRole) == text
            assert index.data(Qt.ItemDataRole.AccessibleTextRole) == text
            QApplication.processEvents()
            if lang in ("de", "bg"):
                assert window.grab().save(str(shots / f"arriving-id-row-{lang}.png"))
            assert rows("Георгиева") == [["Георгиева", "Мария"]]
            window.close()
    finally:
        set_language("en")
