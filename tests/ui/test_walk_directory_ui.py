"""A walk through the service directory changing, as its users live it, with a real sync server
on 127.0.0.1 and real stores: the coordinator (German, 1366 × 768) learns that the Jobcenter's
contact point moved and a new language-course provider opened, edits the directory by keys
and publishes; an advisor's laptop (Bulgarian, 1280 × 720) with a Jobcenter letter waiting in
its print queue and one printed last week syncs; a helper's laptop (Romanian) that was offline
prepares a referral with the old directory, then syncs. Screenshots in $WELCOME_DESK_SHOTS."""

from __future__ import annotations

import datetime as dt
import io
from pathlib import Path

import pypdf
import pytest
from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication, QLabel, QListWidget, QWidget
from pytestqt.qtbot import QtBot

from desktop_app.domain.person import Person, PersonDraft
from desktop_app.domain.users import Role
from desktop_app.i18n.formatting import format_long_date
from desktop_app.i18n.text import _, set_language
from desktop_app.ui import referrals as referrals_ui
from desktop_app.ui.application import QtTranslations
from desktop_app.ui.directory import DirectoryDialog
from desktop_app.ui.main_window import MainWindow
from desktop_app.ui.service_editor import ServiceDialog
from desktop_app.usecases import people, reference
from desktop_app.usecases import referrals as uc
from desktop_app.usecases import sync as sync_uc
from desktop_app.usecases.accounts import Session
from tests.conftest import record_sharing_consent
from tests.integration.sync_harness import Laptops, logged_in_again
from tests.pdf_text import pdf_text
from tests.ui.conftest import (
    alt_access_key,
    cell,
    dialog_opened,
    made_active,
    menu_entry,
    refer_shown_person,
    shown_window,
    synced_by_f5,
    type_text,
)

pytestmark = pytest.mark.skipif(not referrals_ui.HAVE_QTPDF, reason="QtPdf is not installed")

OLD_STREET, NEW_STREET = "Steinstraße 39", "Königswall 21"
NEW_POSTCODE = "44137"
NEW_HOURS = {
    "de": "Mo–Fr 8:00–12:00 Uhr, Do zusätzlich 14:00–18:00 Uhr",
    "bg": "пон.–пет. 8:00–12:00 ч., в четвъртък също 14:00–18:00 ч.",
    "ro": "luni–vineri 8:00–12:00, joi, în plus, 14:00–18:00",
    "en": "Mon–Fri 8:00–12:00, Thu also 14:00–18:00",
}
# the new building's reception (the old one's: "Eingangszone im Erdgeschoss")
NEW_BUILDING = {
    "de": "Empfang im 1. Obergeschoss",
    "bg": "Информация на първия етаж",
    "ro": "Recepția de la etajul 1",
    "en": "Reception on the first floor",
}
OLD_HOURS_BG = "пон.–пет. 8:00–12:30 ч., в четвъртък също 14:00–17:30 ч."
# The new language-course provider, in the four languages the app offers.
SCHOOL = {
    "name": {
        "de": "Sprachschule Brücke Dortmund",
        "bg": "Sprachschule Brücke Dortmund (езикови курсове по немски)",
        "ro": "Sprachschule Brücke Dortmund (cursuri de limba germană)",
        "en": "Sprachschule Brücke Dortmund (German language school)",
    },
    "description": {
        "de": "Deutschkurse A1 bis B2, auch abends; Beratung auf Bulgarisch und Rumänisch",
        "bg": "Курсове по немски A1 до B2, също вечер; консултации на български и румънски",
        "ro": "Cursuri de germană A1–B2, și seara; consiliere în bulgară și română",
        "en": "German courses A1 to B2, evenings too; advice in Bulgarian and Romanian",
    },
    "opening_hours": {
        "de": "Mo–Do 10:00–18:00 Uhr",
        "bg": "пон.–четв. 10:00–18:00 ч.",
        "ro": "luni–joi 10:00–18:00",
        "en": "Mon–Thu 10:00–18:00",
    },
}
SCHOOL_STREET = "Kampstraße 45"


def _shot(widget: QWidget, folder: Path, name: str) -> None:
    widget.grab().save(str(folder / f"walkdir-{name}.png"))


def _shot_letter(preview: referrals_ui.LetterPreview, folder: Path, name: str) -> None:
    """The preview, and the letter it shows as a PDF beside it (to render and look at)."""
    _shot(preview, folder, name)
    (folder / f"walkdir-{name}.pdf").write_bytes(preview.pdf)


def _window(qtbot: QtBot, session: Session, size: tuple[int, int]) -> MainWindow:
    return shown_window(qtbot, session, *size, active=True)


def _synced(qtbot: QtBot, window: MainWindow) -> object:
    """F5, as a user syncs by hand; what the sync reported, which got through."""
    report = synced_by_f5(qtbot, window)
    assert not isinstance(report, Exception), report
    return report


def _label_of(dialog: QWidget, field: QWidget) -> QLabel:
    (label,) = [label for label in dialog.findChildren(QLabel) if label.buddy() is field]
    return label


def _to_field(dialog: QWidget, field: QWidget) -> None:
    """The field reached by its label's access key, as a user does by keys."""
    alt_access_key(dialog, _label_of(dialog, field).text())
    assert dialog.focusWidget() is field, (field.accessibleName(), dialog.focusWidget())


def _retype(dialog: QWidget, field: QWidget, text: str) -> None:
    """What a field holds replaced by ``text``: reached by its key, all chosen, typed over."""
    _to_field(dialog, field)
    QTest.keyClick(field, Qt.Key.Key_A, Qt.KeyboardModifier.ControlModifier)
    QTest.keyClick(field, Qt.Key.Key_Delete)
    type_text(field, text)


def _tick(dialog: QWidget, box: QListWidget, texts: list[str]) -> None:
    """The entries starting with ``texts`` ticked by keys: the list reached by its label's key,
    the arrows to each, Space."""
    _to_field(dialog, box)
    for text in texts:
        row = next(i for i in range(box.count()) if box.item(i).text().startswith(text))
        QTest.keyClick(box, Qt.Key.Key_Home)
        for _step in range(row):
            QTest.keyClick(box, Qt.Key.Key_Down)
        QTest.keyClick(box, Qt.Key.Key_Space)
        assert box.item(row).checkState() == Qt.CheckState.Checked, text


def _publish_by_enter(qtbot: QtBot, directory: DirectoryDialog, editor: ServiceDialog) -> str:
    """Save and publish (its key), then Enter at the question: the note it proposed."""
    directory.confirm = None  # the last one's, deleted once closed

    def said() -> list[str]:
        return [e.text() for e in [*editor.errors.values(), editor.error] if e.text()]

    before = said()  # a message of the save before stays until this one's answer
    alt_access_key(editor, editor.save_button.text())  # a button's key clicks it a bit later
    qtbot.waitUntil(lambda: directory.confirm is not None or said() != before, timeout=5000)
    assert directory.confirm is not None, said()
    qtbot.waitUntil(directory.confirm.isVisible)
    confirm = directory.confirm
    assert confirm is not None
    made_active(qtbot, confirm)
    note = confirm.note.text()
    with qtbot.waitSignal(directory.published, timeout=20_000):
        QTest.keyClick(confirm.note, Qt.Key.Key_Return)
    return note


def _coordinator_edits(qtbot: QtBot, coordinator: Session, shots: Path) -> str:
    """The coordinator's part, in German, by keys: the Jobcenter's new address and hours, the
    language school added, published, synced. The new service's id."""
    set_language("de")
    window = _window(qtbot, coordinator, (1366, 768))
    _shot(window, shots, "01-coordinator")
    menu_entry(qtbot, window, "&Administration", "Service &directory…")
    directory = dialog_opened(qtbot, window, DirectoryDialog)
    made_active(qtbot, directory)
    # The Jobcenter found by typing its first letters in the list; Enter edits it.
    directory.table.setFocus()
    QTest.keyClicks(directory.table, "Jobc")
    assert directory.selected_service() is not None
    assert directory.selected_service().id == "jobcenter"  # type: ignore[union-attr]
    _shot(directory, shots, "02-directory")
    QTest.keyClick(directory.table, Qt.Key.Key_Return)
    editor = directory.editor
    assert editor is not None
    qtbot.waitExposed(editor)
    made_active(qtbot, editor)
    assert editor.street.text() == OLD_STREET
    _retype(editor, editor.street, NEW_STREET)
    _retype(editor, editor.postcode, NEW_POSTCODE)
    for lang, hours in NEW_HOURS.items():
        _retype(editor, editor.texts[("opening_hours", lang)], hours)
    # Saved, she is told the building's note is the old address's ("ground floor"): she
    # writes the new one in each language.
    alt_access_key(editor, editor.save_button.text())
    qtbot.waitUntil(editor.building_warning.isVisible, timeout=5000)
    assert "Hinweis zum Gebäude" in editor.building_warning.text()
    _shot(editor, shots, "03-jobcenter-edited")
    for lang, reception in NEW_BUILDING.items():
        _retype(editor, editor.texts[("address.extra", lang)], reception)
    note = _publish_by_enter(qtbot, directory, editor)
    assert note == "Jobcenter Dortmund: Öffnungszeiten, Adresse", note
    assert reference.service_directory(coordinator.store).get("jobcenter").address.street == (
        NEW_STREET
    )
    # The language school added: its texts in the four languages, its address, its topic.
    made_active(qtbot, directory)
    alt_access_key(directory, directory.add_button.text())
    qtbot.waitUntil(lambda: directory.editor is not None and directory.editor is not editor)
    editor = directory.editor
    assert editor is not None and editor.windowTitle() == "Stelle hinzufügen"
    qtbot.waitExposed(editor)
    made_active(qtbot, editor)
    for key, texts in SCHOOL.items():
        for lang, text in texts.items():
            _to_field(editor, editor.texts[(key, lang)])
            type_text(editor.texts[(key, lang)], text)
    for field, text in (
        (editor.street, SCHOOL_STREET),
        (editor.postcode, "44137"),
        (editor.city, "Dortmund"),
        (editor.phone, "0231 556677"),
        (editor.consent_names, "Sprachschule Brücke"),
    ):
        _to_field(editor, field)
        type_text(field, text)
    # The main topic chosen by typing its first letters in the closed box.
    _to_field(editor, editor.main_topic)
    QTest.keyClicks(editor.main_topic, "Deutschk")
    assert editor.main_topic.currentData() == "language_course"
    _tick(editor, editor.further_topics, ["Integrationskurs"])
    _tick(editor, editor.languages, ["Bulgarisch", "Rumänisch"])
    _tick(editor, editor.documents, ["Personalausweis"])
    _shot(editor, shots, "04-school-added")
    note = _publish_by_enter(qtbot, directory, editor)
    assert note == f"Neue Stelle: {SCHOOL['name']['de']}", note
    chosen = directory.selected_service()  # the school's row, in sight
    assert chosen is not None and chosen.german_name == SCHOOL["name"]["de"]
    _shot(directory, shots, "05-published")
    assert "Königswall 21, 44137 Dortmund" in [
        cell(directory.table, r, 1).text() for r in range(directory.table.rowCount())
    ]
    QTest.keyClick(directory.table, Qt.Key.Key_Escape)
    qtbot.waitUntil(lambda: not directory.isVisible())
    _synced(qtbot, window)
    window.close()
    (school,) = [
        s
        for s in reference.service_directory(coordinator.store).services
        if s.german_name == SCHOOL["name"]["de"]
    ]
    return school.id


def _last_week(advisor: Session) -> tuple[Person, str, str, str]:
    """What the advisor's laptop holds from before: Petar Petrov, a Jobcenter letter printed
    last week (its text as printed, what he holds in his hand) and another one queued
    yesterday, waiting for the printer. Petar, the printed referral's id, the text, the
    queued referral's id."""
    now = dt.datetime.now().replace(microsecond=0)
    store, user = advisor.store, advisor.user
    person = people.register_person(
        store, user, PersonDraft("Петър", "Петров", "1985-03-14", languages=("bg",))
    )
    record_sharing_consent(advisor, person.id)
    week_ago = now - dt.timedelta(days=7)
    printed = uc.issue_referral(
        store, user, person.id, "jobcenter", "buergergeld", client_lang="bg", now=week_ago
    )
    job = uc.queue_for_printing(store, user, printed.id, now=week_ago)
    handed = pdf_text(uc.print_job_pdf(store, user, job))
    uc.mark_printed(store, user, job, at=week_ago)
    waiting = uc.issue_referral(
        store, user, person.id, "jobcenter", "job_search", client_lang="bg",
        now=now - dt.timedelta(days=1),
    )  # fmt: skip
    uc.queue_for_printing(store, user, waiting.id, now=now - dt.timedelta(days=1))
    return person, printed.id, handed, waiting.id


def _wait_letter(qtbot: QtBot, preview: referrals_ui.LetterPreview) -> str:
    """The text of the letter the preview shows, once it is made."""
    qtbot.waitUntil(lambda: bool(preview.pdf), timeout=10_000)
    return pdf_text(preview.pdf)


def _advisor_syncs(
    qtbot: QtBot,
    advisor: Session,
    petar: Person,
    letters: tuple[str, str],
    school_id: str,
    shots: Path,
    tmp_path: Path,
    handed: str,
) -> None:
    """The advisor's part, in Bulgarian: F5; the print queue (Ctrl+P) prints the waiting letter
    with the new address; the letter printed last week (``handed``, its text as printed): as
    given, and the line that says the address changed since; a referral to the language
    school."""
    printed_id, waiting_id = letters
    set_language("bg")
    window = _window(qtbot, advisor, (1280, 720))
    _shot(window, shots, "06-advisor-before-sync")
    _synced(qtbot, window)
    # The notice above the list: who published, when, the note of the last publication, and
    # what changed since the directory this laptop had (both publications came in one sync).
    banner = window.sync.publications.directory_banner  # type: ignore[attr-defined]
    qtbot.waitUntil(banner.isVisible, timeout=10_000)
    told = banner.plain_text()
    assert told.startswith("Указателят на службите е обновен от Koordination на "), told
    assert f": Neue Stelle: {SCHOOL['name']['de']}. Променени: Jobcenter Dortmund. " in told
    assert f"Нови: {SCHOOL['name']['de']}. Новите писма" in told, told
    _shot(window, shots, "07-advisor-synced")
    # Ctrl+P: the queue; the waiting letter was made again with the new address.
    QTest.keyClick(window, Qt.Key.Key_P, Qt.KeyboardModifier.ControlModifier)
    feature = window.referrals  # type: ignore[attr-defined]
    queue = feature.queue_window
    assert queue is not None
    qtbot.waitExposed(queue)
    made_active(qtbot, queue)
    updated = _("Updated {when}").split("{")[0]
    qtbot.waitUntil(lambda: cell(queue.table, 0, 5).text().startswith(updated), timeout=10_000)
    assert [job.referral_id for job in queue.jobs] == [waiting_id]
    _shot(queue, shots, "08-advisor-queue")
    store, user = advisor.store, advisor.user
    kept = uc.print_job_pdf(store, user, queue.jobs[0].id)  # the letter as it prints now
    letter = pdf_text(kept)
    assert NEW_STREET in letter and NEW_HOURS["bg"] in letter  # the German page has no hours
    assert OLD_STREET not in letter and OLD_HOURS_BG not in letter
    with qtbot.waitSignal(queue.printed, timeout=20_000) as printed:
        alt_access_key(queue, queue.print_button.text())
    assert printed.args == [1]
    # the printer got that letter (printed as images of its pages: no text to read back)
    out = pypdf.PdfReader(tmp_path / "printed.pdf")
    assert len(out.pages) == len(pypdf.PdfReader(io.BytesIO(kept)).pages)
    QTest.keyClick(queue.table, Qt.Key.Key_Escape)
    qtbot.waitUntil(lambda: not queue.isVisible())
    made_active(qtbot, window)
    alt_access_key(window, banner.hide_button.text())  # read: hidden by its key
    qtbot.waitUntil(banner.isHidden, timeout=5000)
    # The letter printed last week: the queue kept the fact, not the letter.
    (job,) = [
        j
        for j in uc.print_queue(store, user, include_printed=True, log_view=False)
        if j.referral_id == printed_id
    ]
    assert job.state == "printed" and uc.print_job_pdf(store, user, job.id) == b""
    # Its preview shows the letter as it was given (what Petar holds in his hand), and says
    # that the address and the hours changed since: a new referral gives the new ones.
    window.show_person(petar.id)
    given = uc.get_referral(store, user, printed_id)
    preview = feature.open_preview(given)
    shown = _wait_letter(qtbot, preview)
    assert shown == handed
    assert OLD_STREET in shown and OLD_HOURS_BG in shown and NEW_STREET not in shown
    qtbot.waitUntil(lambda: preview.as_issued.isVisibleTo(preview), timeout=10_000)
    day = format_long_date(given.created_at.date(), "bg")
    assert preview.as_issued.text() == (
        f"Откакто това писмо е издадено на {day}, адресът и други данни на службата са "
        "променени. Писмото ги показва така, както са дадени тогава. За новите данни направете "
        "ново насочване."
    )
    _shot_letter(preview, shots, "09-advisor-printed-letter-as-given")
    preview.close()

    # A new referral: the language school is found and chosen.
    def looked_at(refer: referrals_ui.ReferDialog) -> None:
        assert refer.service_id() == school_id
        assert SCHOOL_STREET in refer.service_info.text()
        _shot(refer, shots, "10-advisor-refer-school")

    preview = refer_shown_person(qtbot, window, "Brücke", "integration_course", looked_at)
    letter = _wait_letter(qtbot, preview)
    assert SCHOOL["name"]["bg"] in letter and SCHOOL_STREET in letter
    assert SCHOOL["opening_hours"]["bg"] in letter
    _shot_letter(preview, shots, "11-advisor-school-letter")
    preview.close()
    window.close()


def _helper_prepares_offline(
    qtbot: QtBot, helper: Session, advisor: Session, petar: Person, shots: Path
) -> None:
    """The helper's part, in Romanian: offline during the publication, a Jobcenter referral
    prepared with the old directory (a draft); a second one begun, and the laptop comes online
    while its dialog is open (the sync runs by itself); F5. The advisor signs the first off."""
    set_language("ro")
    window = _window(qtbot, helper, (1280, 720))
    window.show_person(petar.id)

    def looked_at(refer: referrals_ui.ReferDialog) -> None:
        assert OLD_STREET in refer.service_info.text()
        _shot(refer, shots, "12-helper-refer-offline")

    preview = refer_shown_person(qtbot, window, "Jobcenter", "buergergeld", looked_at)
    letter = _wait_letter(qtbot, preview)
    assert OLD_STREET in letter  # as the directory stands on this laptop: a draft
    _shot_letter(preview, shots, "13-helper-draft-offline")
    first = preview.referral
    preview.close()
    controller = window.sync  # type: ignore[attr-defined]

    def online_meanwhile(refer: referrals_ui.ReferDialog) -> None:
        assert OLD_STREET in refer.service_info.text()
        with qtbot.waitSignal(controller.sync_finished, timeout=30_000):
            assert controller.start()  # as its timer starts it once the network is back
        # The dialog shows the new address, and says so under it.
        qtbot.waitUntil(refer.directory_notice.isVisible, timeout=10_000)
        assert NEW_STREET in refer.service_info.text()
        assert NEW_HOURS["ro"] in refer.service_info.text()
        assert refer.directory_notice.text().startswith("Între timp registrul de servicii")
        _shot(refer, shots, "14-helper-refer-when-online")

    preview = refer_shown_person(qtbot, window, "Jobcenter", "job_search", online_meanwhile)
    letter = _wait_letter(qtbot, preview)
    assert NEW_STREET in letter and OLD_STREET not in letter
    preview.close()
    banner = controller.publications.directory_banner
    qtbot.waitUntil(banner.isVisible, timeout=10_000)
    assert banner.plain_text().startswith("Registrul de servicii a fost actualizat de ")
    _synced(qtbot, window)  # F5: the second draft goes out too
    _shot(window, shots, "15-helper-synced")
    # The first draft's letter, looked at again: the new address, nothing printed meanwhile.
    feature = window.referrals  # type: ignore[attr-defined]
    preview = feature.open_preview(first)
    letter = _wait_letter(qtbot, preview)
    _shot_letter(preview, shots, "16-helper-draft-after-sync")
    assert NEW_STREET in letter and OLD_STREET not in letter
    preview.close()
    window.close()
    # The advisor signs it off after her sync: the letter that goes out has the new address.
    sync_uc.sync_now(advisor.store)
    uc.sign_off(advisor.store, advisor.user, first.id)
    signed = pdf_text(uc.make_letter(advisor.store, advisor.user, first.id).pdf)
    assert NEW_STREET in signed and OLD_STREET not in signed


def test_the_service_directory_changes_under_three_laptops(
    qtbot: QtBot,
    qapp: QApplication,
    laptops: Laptops,
    program_font: None,
    shots: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    translations = QtTranslations(qapp)
    coordinator = laptops.new("Koordination")
    advisor_laptop = laptops.new("Beratung Nord", role=Role.ADVISOR)
    helper_laptop = laptops.new("Helfer Hbf", role=Role.HELPER)
    advisor = logged_in_again(advisor_laptop)
    helper = logged_in_again(helper_laptop)
    assert helper.user.role is Role.HELPER
    try:
        petar, printed_id, handed, waiting_id = _last_week(advisor)
        assert OLD_STREET in handed and OLD_HOURS_BG in handed
        # The helper's laptop synced this morning, then went out to the meeting point.
        laptops.sync(advisor, helper)
        translations.apply("de")
        school_id = _coordinator_edits(qtbot, coordinator, shots)
        translations.apply("bg")
        monkeypatch.setenv(referrals_ui.PRINT_TO_PDF_ENV, str(tmp_path / "printed.pdf"))
        _advisor_syncs(
            qtbot, advisor, petar, (printed_id, waiting_id), school_id, shots, tmp_path, handed
        )
        translations.apply("ro")
        _helper_prepares_offline(qtbot, helper, advisor, petar, shots)
    finally:
        translations.stop()
        set_language("en")
        advisor.close()
        helper.close()
