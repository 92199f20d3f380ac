"""Editing the service directory in its window: a service's fields in a dialog, checked as a
published folder is and published through the same path, on a real encrypted store; letters
made afterwards read back from their PDF."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QDialogButtonBox, QMessageBox, QWidget
from pytestqt.qtbot import QtBot

from desktop_app.i18n.text import set_language
from desktop_app.letters.directory import default_directory
from desktop_app.ui.directory import DirectoryDialog, PublishDialog
from desktop_app.ui.service_editor import OPENING_MOST, ServiceDialog
from desktop_app.usecases import reference
from desktop_app.usecases import referrals as referrals_uc
from desktop_app.usecases import sync as sync_uc
from desktop_app.usecases.accounts import Session
from tests.conftest import record_sharing_consent
from tests.integration.sync_harness import Laptops
from tests.pdf_text import pdf_text as _text
from tests.ui.conftest import cell, store_held, type_text
from tests.unit.test_referrals import _issue, _person

SHOTS = os.environ.get("WELCOME_DESK_SHOTS")
NEW_HOURS = "Mo–Fr 7:30–12:00 Uhr, Do zusätzlich 14:00–18:00 Uhr"
NEW_HOURS_BG = "пон.–пет. 7:30–12:00 ч., в четвъртък също 14:00–18:00 ч."


def _window(qtbot: QtBot, session: Session) -> DirectoryDialog:
    dialog = DirectoryDialog(session)
    qtbot.addWidget(dialog)
    dialog.resize(1100, 600)
    dialog.show()
    qtbot.waitExposed(dialog)
    return dialog


# The shipped directory's services: what a publication of every entry counts.
SHIPPED = len(default_directory().services)


def _row(dialog: DirectoryDialog, service_id: str) -> int:
    return dialog.service_ids.index(service_id)


def _replace(edit: QWidget, text: str) -> None:
    edit.setFocus()
    QTest.keyClick(edit, Qt.Key.Key_A, Qt.KeyboardModifier.ControlModifier)
    QTest.keyClick(edit, Qt.Key.Key_Delete)
    type_text(edit, text)


def _save(qtbot: QtBot, dialog: DirectoryDialog, editor: ServiceDialog) -> PublishDialog | None:
    """Save in the editor; the question before publishing when it came (else None)."""
    dialog.confirm = None
    qtbot.mouseClick(editor.save_button, Qt.MouseButton.LeftButton)
    return dialog.confirm


def _publish(qtbot: QtBot, dialog: DirectoryDialog, confirm: PublishDialog) -> None:
    buttons = confirm.findChild(QDialogButtonBox)
    assert buttons is not None
    ok = buttons.button(QDialogButtonBox.StandardButton.Ok)
    with qtbot.waitSignal(dialog.published, timeout=10_000):
        qtbot.mouseClick(ok, Qt.MouseButton.LeftButton)


def _edit(qtbot: QtBot, dialog: DirectoryDialog, service_id: str) -> ServiceDialog:
    """Open a service's editor as a user does: its row, then Enter."""
    dialog.table.setFocus()
    dialog.table.setCurrentCell(_row(dialog, service_id), 0)
    QTest.keyClick(dialog.table, Qt.Key.Key_Return)
    editor = dialog.editor
    assert editor is not None
    qtbot.waitExposed(editor)
    return editor


def test_new_opening_hours_edited_in_the_dialog_reach_a_new_letter(
    qtbot: QtBot, session: Session
) -> None:
    dialog = _window(qtbot, session)
    editor = _edit(qtbot, dialog, "jobcenter")
    assert editor.windowTitle() == "Edit service"
    # It opens in its first field, the German name, with what is in force.
    assert editor.focusWidget() is editor.texts[("name", "de")]
    assert editor.texts[("name", "de")].text() == "Jobcenter Dortmund"
    assert editor.street.text() == "Steinstraße 39" and editor.phone.text() == "0231 842-0"
    assert editor.main_topic.currentData() == "jobcenter_benefits"
    # Tab goes as the fields stand: the German name, the Bulgarian beside it, the Romanian
    # below.
    for field, after in (
        (editor.texts[("name", "de")], editor.texts[("name", "bg")]),
        (editor.texts[("name", "bg")], editor.texts[("name", "ro")]),
        (editor.email, editor.consent_names),
        (editor.documents, editor.save_button),
    ):
        field.setFocus()
        editor.focusNextChild()
        assert editor.focusWidget() is after
    editor.texts[("name", "de")].setFocus()
    # It fits a 1366 × 768 screen: the fields scroll, the buttons stay in view.
    assert editor.width() <= 1100 and editor.height() <= 728
    _replace(editor.texts[("opening_hours", "de")], NEW_HOURS)
    _replace(editor.texts[("opening_hours", "bg")], NEW_HOURS_BG)
    confirm = _save(qtbot, dialog, editor)
    assert confirm is not None and confirm.isVisible()
    # The folder's question, with what changed filled in.
    assert confirm.note.text() == "Jobcenter Dortmund: opening hours"
    assert reference.published_directory(session.store) is None  # not before Publish
    _publish(qtbot, dialog, confirm)
    assert not editor.isVisible()
    published = reference.published_directory(session.store)
    assert published is not None and published.note == "Jobcenter Dortmund: opening hours"
    assert published.count == SHIPPED
    job = reference.service_directory(session.store).get("jobcenter")
    assert job.opening_hours.get("de") == NEW_HOURS
    # The other languages and fields are as they were (the file was written anew).
    assert job.opening_hours.get("ro") == "luni–vineri 8:00–12:30, joi, în plus, 14:00–17:30"
    assert job.address.extra.get("de") == "Eingangszone im Erdgeschoss"
    assert job.documents[:2] == ("id_card", "registration") and job.consent_names == ("Jobcenter",)
    hours = cell(dialog.table, _row(dialog, "jobcenter"), 3).text()
    assert hours == "Mon–Fri 8:00–12:30, Thu also 14:00–17:30"  # English left as it was
    assert cell(dialog.history, 0, 2).text() == "Jobcenter Dortmund: opening hours"
    # A letter to the job centre issued now gives the person the new hours, in Bulgarian.
    person = _person(session)
    referral = _issue(session, person, service_id="jobcenter", reason="buergergeld")
    letter = _text(referrals_uc.make_letter(session.store, session.user, referral.id, "bg").pdf)
    assert NEW_HOURS_BG in letter
    assert "8:00–12:30" not in letter


def test_a_new_service_added_in_the_dialog_can_be_referred_to_and_then_stays(
    qtbot: QtBot, session: Session
) -> None:
    dialog = _window(qtbot, session)
    qtbot.mouseClick(dialog.add_button, Qt.MouseButton.LeftButton)
    editor = dialog.editor
    assert editor is not None and editor.windowTitle() == "Add service"
    assert editor.focusWidget() is editor.texts[("name", "de")]
    type_text(editor.texts[("name", "de")], "Tafel Dortmund e.V.")
    type_text(editor.texts[("name", "bg")], "Tafel Dortmund (безплатни храни)")
    type_text(editor.texts[("opening_hours", "de")], "Di und Do 10:00–13:00 Uhr")
    type_text(editor.street, "Osterlandwehr 33")
    type_text(editor.postcode, "44145")
    type_text(editor.city, "Dortmund")
    type_text(editor.email, "info@dortmunder-tafel.de")
    type_text(editor.consent_names, "Tafel")
    editor.main_topic.setCurrentIndex(editor.main_topic.findText("Housing"))
    for box, text in ((editor.languages, "Bulgarian"), (editor.documents, "Identity card")):
        item = next(box.item(i) for i in range(box.count()) if box.item(i).text().startswith(text))
        item.setCheckState(Qt.CheckState.Checked)
    confirm = _save(qtbot, dialog, editor)
    assert confirm is not None
    assert confirm.note.text() == "New service: Tafel Dortmund e.V."
    _publish(qtbot, dialog, confirm)
    directory = reference.service_directory(session.store)
    tafel = directory.get("tafel_dortmund_e_v")
    assert len(directory.services) == SHIPPED + 1 and dialog.table.rowCount() == SHIPPED + 1
    # Its row is the one chosen, in sight (it was listed by its name, out of sight).
    selected = dialog.selected_service()
    assert selected is not None and selected.id == "tafel_dortmund_e_v"
    row = dialog.table.visualItemRect(cell(dialog.table, dialog.table.currentRow(), 0))
    assert dialog.table.viewport().rect().contains(row), row
    assert tafel.topics == ("housing",) and tafel.languages == ("bg",)
    # Languages left empty read as the directory reads them: English, then German.
    assert tafel.name.get("ro") == "Tafel Dortmund e.V."
    assert tafel.contact.email == "info@dortmunder-tafel.de"
    # An advisor refers to it; its letter names it and says where it is and when it is open.
    person = _person(session, sharing="")
    record_sharing_consent(session, person.id, named="Tafel")
    referral = _issue(session, person, service_id="tafel_dortmund_e_v", reason="housing_emergency")
    letter = _text(referrals_uc.make_letter(session.store, session.user, referral.id, "bg").pdf)
    assert "Tafel Dortmund (безплатни храни)" in letter
    assert "Osterlandwehr 33" in letter and "Di und Do 10:00–13:00 Uhr" in letter
    # Taken out, its letter would have no service to name: it stays while referrals go to it.
    dialog.table.setCurrentCell(_row(dialog, "tafel_dortmund_e_v"), 0)
    qtbot.mouseClick(dialog.remove_button, Qt.MouseButton.LeftButton)
    assert "1 referral on this laptop goes to it" in dialog.error.text()
    assert reference.service_directory(session.store).find("tafel_dortmund_e_v") is not None
    assert referrals_uc.make_letter(session.store, session.user, referral.id, "de").pdf


def test_removing_a_shipped_service_asks_naming_it_and_old_letters_keep_it(
    qtbot: QtBot, session: Session
) -> None:
    person = _person(session)
    referral = _issue(session, person, service_id="vhs", reason="integration_course")
    dialog = _window(qtbot, session)
    dialog.table.setCurrentCell(_row(dialog, "vhs"), 0)
    qtbot.mouseClick(dialog.remove_button, Qt.MouseButton.LeftButton)
    question = dialog.question
    assert isinstance(question, QMessageBox) and question.isVisible()
    assert "Remove “Volkshochschule Dortmund" in question.text()
    assert "as Welcome Desk ships it" in question.text()
    # Cancel is the default: Enter keeps the service.
    QTest.keyClick(question, Qt.Key.Key_Return)
    assert dialog.confirm is None and len(dialog.service_ids) == SHIPPED
    qtbot.mouseClick(dialog.remove_button, Qt.MouseButton.LeftButton)
    question = dialog.question
    assert question is not None
    remove = next(b for b in question.buttons() if "Remove" in b.text())
    qtbot.mouseClick(remove, Qt.MouseButton.LeftButton)
    confirm = dialog.confirm
    assert confirm is not None and confirm.note.text().startswith("Removed: Volkshochschule")
    _publish(qtbot, dialog, confirm)
    assert "vhs" not in dialog.service_ids and dialog.table.rowCount() == SHIPPED - 1
    assert reference.service_directory(session.store).find("vhs") is None
    letter = _text(referrals_uc.make_letter(session.store, session.user, referral.id, "de").pdf)
    assert "Hansastraße 2–4" in letter  # the shipped entry


def test_a_refused_edit_stays_open_with_the_message_at_its_field(
    qtbot: QtBot, session: Session
) -> None:
    set_language("de")
    dialog = _window(qtbot, session)
    editor = _edit(qtbot, dialog, "jobcenter")
    _replace(editor.texts[("name", "de")], "")
    _replace(editor.email, "jobcenter at dortmund")
    _replace(editor.phone, "0231 842-1234")
    assert _save(qtbot, dialog, editor) is None
    assert editor.isVisible()
    name_error, email_error = editor.errors["name.de"], editor.errors["contact.email"]
    assert (
        name_error.isVisible() and name_error.text() == "Bitte geben Sie den deutschen Namen ein."
    )
    assert email_error.isVisible() and "keine E-Mail-Adresse" in email_error.text()
    assert editor.focusWidget() is editor.texts[("name", "de")]
    # Nothing typed is lost, nothing is published.
    assert editor.phone.text() == "0231 842-1234" and editor.email.text() == "jobcenter at dortmund"
    assert reference.published_directory(session.store) is None
    if SHOTS:
        editor.grab().save(str(Path(SHOTS) / "directory-editor-refused.png"))
    # Opening hours the appointment warning cannot read: said once, kept if saved again.
    type_text(editor.texts[("name", "de")], "Jobcenter Dortmund")
    _replace(editor.email, "jobcenter@dortmund.de")
    _replace(editor.texts[("opening_hours", "de")], "vormittags")
    assert _save(qtbot, dialog, editor) is None
    assert "nicht warnen" in editor.hours_warning.text() and editor.hours_warning.isVisible()
    assert not name_error.isVisible() and not email_error.isVisible()
    confirm = _save(qtbot, dialog, editor)
    assert confirm is not None
    assert confirm.note.text() == "Jobcenter Dortmund: Öffnungszeiten, Telefon, E-Mail"
    _publish(qtbot, dialog, confirm)
    job = reference.service_directory(session.store).get("jobcenter")
    assert (job.contact.phone, job.contact.email) == ("0231 842-1234", "jobcenter@dortmund.de")
    assert job.opening_hours.get("de") == "vormittags"


@pytest.mark.parametrize(
    ("lang", "said"), [("de", "Hinweis zum Gebäude"), ("bg", "бележката за сградата")]
)
def test_a_moved_service_whose_building_note_stayed_is_told_once(
    qtbot: QtBot, session: Session, lang: str, said: str
) -> None:
    """The Jobcenter moved: the coordinator typed the new street, and its letters went on
    sending people to "the reception on the ground floor" of the old building. Saving says so
    once, at the note; saving again keeps it. A changed note, or an unchanged street, is
    saved at once."""
    set_language(lang)
    dialog = _window(qtbot, session)
    editor = _edit(qtbot, dialog, "jobcenter")
    _replace(editor.phone, "0231 842-1234")
    confirm = _save(qtbot, dialog, editor)  # the street as it was: no word of the note
    assert confirm is not None and not editor.building_warning.isVisible()
    confirm.reject()
    editor = _edit(qtbot, dialog, "jobcenter")
    _replace(editor.street, "Königswall 15")
    assert _save(qtbot, dialog, editor) is None
    warning = editor.building_warning
    assert warning.isVisible() and said in warning.text(), warning.text()
    assert editor.focusWidget() is editor.texts[("address.extra", "de")]
    if SHOTS:
        editor.grab().save(str(Path(SHOTS) / f"directory-editor-building-{lang}.png"))
    confirm = _save(qtbot, dialog, editor)  # kept as written
    assert confirm is not None
    confirm.reject()
    editor = _edit(qtbot, dialog, "jobcenter")
    _replace(editor.street, "Königswall 15")
    _replace(editor.texts[("address.extra", "de")], "Eingang B, 2. Etage")
    confirm = _save(qtbot, dialog, editor)
    assert confirm is not None and not editor.building_warning.isVisible()


def test_a_topic_left_unchosen_is_said_at_the_main_topic(qtbot: QtBot, session: Session) -> None:
    dialog = _window(qtbot, session)
    # A double click on a row edits that service.
    row = _row(dialog, "vhs")
    rect = dialog.table.visualItemRect(cell(dialog.table, row, 1))
    qtbot.mouseClick(dialog.table.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    qtbot.mouseDClick(dialog.table.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    assert dialog.editor is not None
    assert dialog.editor.texts[("name", "de")].text() == "Volkshochschule Dortmund"
    dialog.editor.reject()
    qtbot.mouseClick(dialog.add_button, Qt.MouseButton.LeftButton)
    editor = dialog.editor
    assert editor is not None
    type_text(editor.texts[("name", "de")], "Beratungsstelle Nord")
    type_text(editor.texts[("description", "bg")], "Консултации")
    assert _save(qtbot, dialog, editor) is None
    assert editor.errors["topics"].text() == "Please choose the main topic."
    assert "in German too" in editor.errors["description.de"].text()
    assert len(reference.service_directory(session.store).services) == SHIPPED


def test_a_postcode_without_its_city_is_refused_at_the_city_and_a_city_alone_is_kept(
    qtbot: QtBot, tmp_path: Path, session: Session
) -> None:
    """The city cleared and the postcode left: the editor published it, and the letter's
    address window showed "44137" alone where the town goes. Refused at the city's field, in
    the UI language; a city without a postcode is an address that reads well, and publishes."""
    set_language("de")
    dialog = _window(qtbot, session)
    editor = _edit(qtbot, dialog, "jobcenter")
    postcode = editor.postcode.text()
    assert postcode and editor.city.text()
    _replace(editor.city, "")
    assert _save(qtbot, dialog, editor) is None
    city_error = editor.errors["address.city"]
    assert city_error.isVisible() and city_error.text() == "Bitte geben Sie auch den Ort ein."
    assert editor.focusWidget() is editor.city and editor.postcode.text() == postcode
    editor.grab().save(str(tmp_path / "postcode-alone.png"))
    assert reference.published_directory(session.store) is None
    # The postcode cleared as well and the city typed: no address line alone, it publishes.
    _replace(editor.postcode, "")
    type_text(editor.city, "Dortmund")
    confirm = _save(qtbot, dialog, editor)
    assert confirm is not None and not city_error.isVisible()
    _publish(qtbot, dialog, confirm)
    address = reference.service_directory(session.store).get("jobcenter").address
    assert (address.postcode, address.city) == ("", "Dortmund")


@pytest.mark.parametrize("lang", ["de", "bg", "ro", "en"])
def test_the_citys_refusal_reads_on_one_line_under_the_city(
    qtbot: QtBot, session: Session, lang: str
) -> None:
    """ "Please enter the city too: a postcode alone is no address on the letter." wrapped to
    five lines under the city's field (half the dialog wide) in German and Bulgarian. It is
    short now, one line under the field, as wide as the field at most."""
    set_language(lang)
    try:
        dialog = _window(qtbot, session)
        editor = _edit(qtbot, dialog, "jobcenter")
        editor.resize(OPENING_MOST)  # as it opens on a 1366 × 768 laptop
        _replace(editor.city, "")
        assert _save(qtbot, dialog, editor) is None
        error = editor.errors["address.city"]
        qtbot.waitUntil(lambda: error.isVisible() and error.width() > 0)
        editor.grab().save(str(Path(SHOTS or "/tmp") / f"fit-city-alone-{lang}.png"))
        metrics = error.fontMetrics()
        assert metrics.horizontalAdvance(error.text()) <= error.contentsRect().width(), (
            error.text(),
            error.width(),
        )
        assert error.height() < 2 * metrics.lineSpacing(), error.height()
        assert error.geometry().right() <= editor.city.geometry().right() + 1
    finally:
        set_language("en")


def test_screenshots_of_the_window_and_the_dialog_in_german_and_bulgarian(
    qtbot: QtBot, session: Session
) -> None:
    """Looked at for each change of the dialog (WELCOME_DESK_SHOTS=folder): at 1366 × 768, every
    label whole, the buttons in view."""
    for lang in ("de", "bg"):
        set_language(lang)
        dialog = _window(qtbot, session)
        dialog.table.setCurrentCell(_row(dialog, "jobcenter"), 0)
        editor = _edit(qtbot, dialog, "jobcenter")
        labels = [label.text() for label in editor.findChildren(type(editor.error))]
        assert labels  # the messages' places exist in either language
        assert editor.save_button.text() != "&Save and publish…"  # translated
        if SHOTS:
            dialog.grab().save(str(Path(SHOTS) / f"directory-window-{lang}.png"))
            editor.grab().save(str(Path(SHOTS) / f"directory-editor-{lang}.png"))
        editor.reject()
        dialog.reject()


def test_a_member_laptop_cannot_open_the_editor_as_it_cannot_publish_a_folder(
    qtbot: QtBot, laptops: Laptops
) -> None:
    laptops.new("A")
    member = laptops.new("B")  # a member's laptop on the server
    dialog = _window(qtbot, member)
    assert not dialog.publish_button.isEnabled()
    for button in (dialog.edit_button, dialog.add_button, dialog.remove_button):
        assert not button.isEnabled() and "coordinator" in button.toolTip()
    dialog.table.setCurrentCell(_row(dialog, "jobcenter"), 0)
    assert dialog.edit_selected() is None and dialog.add_service() is None
    assert "ask your coordinator" in dialog.error.text()
    QTest.keyClick(dialog.table, Qt.Key.Key_Return)
    assert dialog.editor is None


def test_an_edit_made_in_the_dialog_reaches_a_second_laptop(qtbot: QtBot, laptops: Laptops) -> None:
    a = laptops.new("A")
    b = laptops.new("B", coordinator=True)
    dialog = _window(qtbot, a)
    editor = _edit(qtbot, dialog, "jobcenter")
    _replace(editor.phone, "0231 842-5555")
    confirm = _save(qtbot, dialog, editor)
    assert confirm is not None and confirm.note.text() == "Jobcenter Dortmund: phone"
    _publish(qtbot, dialog, confirm)
    assert reference.service_directory(b.store).get("jobcenter").contact.phone == "0231 842-0"
    laptops.sync(a, b)
    assert reference.service_directory(b.store).get("jobcenter").contact.phone == "0231 842-5555"
    published = reference.published_directory(b.store)
    assert published is not None and published.note == "Jobcenter Dortmund: phone"
    assert sync_uc.open_conflicts(b.store) == []


def test_the_window_shows_the_publication_of_an_editor_closed_while_it_published(
    qtbot: QtBot, session: Session, tmp_path: Path
) -> None:
    """Closing the editor (Cancel, Escape) while it published left the window saying
    "Publishing…" until it was opened again, though the publication was stored."""
    dialog = _window(qtbot, session)
    editor = _edit(qtbot, dialog, "jobcenter")
    _replace(editor.phone, "0231 842-7777")
    confirm = _save(qtbot, dialog, editor)
    assert confirm is not None
    buttons = confirm.findChild(QDialogButtonBox)
    assert buttons is not None
    with store_held(session) as (release, _held):
        qtbot.mouseClick(
            buttons.button(QDialogButtonBox.StandardButton.Ok), Qt.MouseButton.LeftButton
        )
        assert editor.saving.saving and dialog.message.text() == "Publishing…"
        with qtbot.waitSignal(dialog.published, timeout=30_000):
            release.set()  # the sync lets go while the editor is being closed
            editor.reject()
    assert dialog.message.text().startswith(f"Published: {SHIPPED} services.")
    phones = [cell(dialog.table, r, 2).text() for r in range(dialog.table.rowCount())]
    assert "0231 842-7777" in phones
    dialog.grab().save(str(Path(SHOTS or tmp_path) / "directory-editor-closed-published.png"))


@pytest.mark.parametrize("style", ["Windows", "Fusion"])
@pytest.mark.parametrize("lang", ["de", "bg", "ro", "en"])
def test_the_main_topics_open_list_shows_every_topic_whole_the_closed_box_stays_narrow(
    qtbot: QtBot, session: Session, program_font: None, lang: str, style: str, tmp_path: Path
) -> None:
    """The main topic's box is capped at about 20 characters (so that the fields beside it keep
    their room); its open list was as narrow as the box in Windows' styles, and long topics
    ("Anerkennung ausländischer Berufsabschlüsse") ended in "…". The list is as wide as its
    longest topic in every style, the box closed as narrow as before."""
    from PySide6.QtGui import QPainter
    from PySide6.QtWidgets import QStyleFactory

    set_language(lang)
    try:
        dialog = _window(qtbot, session)
        editor = _edit(qtbot, dialog, "jobcenter")
        editor.resize(OPENING_MOST)  # as it opens on a 1366 × 768 laptop
        box = editor.main_topic
        look = QStyleFactory.create(style)
        box.setStyle(look)
        box.view().setStyle(look)
        qtbot.waitUntil(lambda: box.width() > 0)
        closed, city = box.width(), editor.city.width()
        view = box.view()
        widths = [  # each item's, its text whole (Fusion's item does not count its text)
            max(
                view.sizeHintForIndex(box.model().index(i, 0)).width(),
                view.fontMetrics().horizontalAdvance(box.itemText(i)) + 4,  # and a margin
            )
            for i in range(box.count())
        ]
        assert box.sizeHint().width() < max(widths)  # capped below its longest topic
        box.showPopup()
        popup = view.window()
        qtbot.waitExposed(popup)
        try:
            room = view.viewport().width()
            for i, width in enumerate(widths):
                assert width <= room, (box.itemText(i), width, room)
            assert (box.width(), editor.city.width()) == (closed, city)
            shot = editor.grab()
            painter = QPainter(shot)
            painter.drawPixmap(editor.mapFromGlobal(popup.pos()), popup.grab())
            painter.end()
            shot.save(str(Path(SHOTS or tmp_path) / f"main-topic-open-{style}-{lang}.png"))
        finally:
            box.hidePopup()
        assert box.width() == closed
    finally:
        set_language("en")
