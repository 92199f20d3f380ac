"""A walk through a form definition changing under three laptops, as its users live it, with a
real sync server on 127.0.0.1 and real stores: the coordinator (German, 1366 × 768) exports
the forms, adds a question to the skills check and rewords one of its choices in the four
languages, and publishes (a first try that renamed the choice's id is refused); a helper's
laptop (Romanian, 1280 × 720), offline at an outreach meeting point, filled in the old version
for Ion Popescu (finished) and for his sister Mihaela (half done), then syncs and finishes
Mihaela's; an advisor (Bulgarian) opens Ion: his visit, his page, a letter that uses the
answers, his data copy (Art. 15, in Romanian); the coordinator's report counts them.
Screenshots in $WELCOME_DESK_SHOTS."""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest
from PySide6.QtCore import Qt, QTimer
from PySide6.QtTest import QTest
from PySide6.QtWidgets import (
    QApplication,
    QComboBox,
    QLabel,
    QRadioButton,
    QTableWidget,
    QWidget,
)
from pytestqt.qtbot import QtBot

from desktop_app.domain.person import PersonDraft
from desktop_app.domain.users import Role
from desktop_app.i18n.text import _, set_language
from desktop_app.sync.engine import SERVER_URL, get_meta
from desktop_app.ui import referrals as referrals_ui
from desktop_app.ui.application import QtTranslations
from desktop_app.ui.data_rights import ExportDialog
from desktop_app.ui.directory import FormsDialog, PublishDialog
from desktop_app.ui.main_window import MainWindow
from desktop_app.ui.reports import ReportsWindow
from desktop_app.ui.visits import VisitWindow
from desktop_app.usecases import people, reference, visits
from desktop_app.usecases.accounts import Session
from tests.conftest import record_sharing_consent
from tests.integration.sync_harness import Laptops, logged_in_again, move_laptop_to
from tests.pdf_text import pdf_text
from tests.ui.conftest import (
    alt_access_key,
    answer_save_dialog,
    cell,
    dialog_opened,
    made_active,
    menu_entry,
    person_more_action,
    refer_shown_person,
    shown_window,
    synced_by_f5,
    type_text,
)

pytestmark = pytest.mark.skipif(not referrals_ui.HAVE_QTPDF, reason="QtPdf is not installed")

SKILLS = "skills_check"
NEW_QUESTION = "integration_course_attended"
NEW_STEP = "german_after_integration_course"
# The choice reworded: "partly" of the reading and writing in Latin script.
OLD_PARTLY = {
    "de": "teilweise, langsam",
    "bg": "частично, бавно",
    "ro": "parțial, încet",
    "en": "partly, slowly",
}
NEW_PARTLY = {
    "de": "teilweise: liest langsam, schreibt mit Hilfe",
    "bg": "частично: чете бавно, пише с помощ",
    "ro": "parțial: citește încet, scrie cu ajutor",
    "en": "partly: reads slowly, writes with help",
}
QUESTION = {
    "de": "Schon einen Integrationskurs besucht?",
    "bg": "Посещавал/а ли е вече интеграционен курс (Integrationskurs)?",
    "ro": "A urmat deja un curs de integrare (Integrationskurs)?",
    "en": "Attended an integration course already?",
}
STEP = {
    "de": "Deutschkurs nach dem Integrationskurs (Volkshochschule)",
    "bg": "Курс по немски след интеграционния курс във Volkshochschule (VHS)",
    "ro": "Curs de germană după cursul de integrare la Volkshochschule (VHS)",
    "en": "German course after the integration course (adult education centre)",
}
STEP_REASON = {
    "de": "Integrationskurs besucht, Deutsch noch unter B1.",
    "bg": "Посетил/а е интеграционен курс, немският е още под ниво B1.",
    "ro": "A urmat cursul de integrare, germana este încă sub nivelul B1.",
    "en": "Attended the integration course, German still below B1.",
}
NOTE = "Kompetenzcheck: Frage Integrationskurs, Antwort „teilweise“ genauer"


def _shot(widget: QWidget, folder: Path, name: str) -> None:
    widget.grab().save(str(folder / f"walkforms-{name}.png"))


def _pdf_shot(pdf: bytes, folder: Path, name: str) -> None:
    """The PDF beside the screenshots, and its pages as images (to look at)."""
    path = folder / f"walkforms-{name}.pdf"
    path.write_bytes(pdf)
    if shutil.which("pdftoppm"):
        pages = str(path.with_suffix(""))
        subprocess.run(["pdftoppm", "-png", "-r", "60", str(path), pages], check=True)


def _window(qtbot: QtBot, session: Session, size: tuple[int, int]) -> MainWindow:
    return shown_window(qtbot, session, *size, active=True)


def _label(labels: dict[str, str]) -> str:
    return "{" + ", ".join(f'{k}: "{v}"' for k, v in labels.items()) + "}"


def _edited(text: str, *, rename_id: bool) -> str:
    """The skills check as the coordinator edits it in her text editor: version 3, the
    question on the integration course after the reading and writing, a next step that
    follows from it, "partly" reworded (or, in her first try, renamed to another id)."""
    version = int(re.search(r"^version: (\d+)$", text, re.M).group(1))  # type: ignore[union-attr]
    text = text.replace(f"version: {version}\n", f"version: {version + 1}\n", 1)
    old = "          - {id: partly, label: " + _label(OLD_PARTLY) + "}\n"
    assert old in text, "the export writes the choice as the shipped file does"
    if rename_id:
        text = text.replace(old, old.replace("id: partly,", "id: partly_slow,"))
        return text.replace("['no', 'partly']", "['no', 'partly_slow']").replace(
            "['partly', 'no']", "['partly_slow', 'no']"
        )
    text = text.replace(old, "          - {id: partly, label: " + _label(NEW_PARTLY) + "}\n")
    question = (
        f"      - id: {NEW_QUESTION}\n"
        "        type: yes_no_unknown\n"
        "        required: true\n"
        f"        label: {_label(QUESTION)}\n"
    )
    # after the section's last question, before the schooling
    text, found = re.subn(r"\n(\n *# -+\n  - id: schooling\n)", "\n" + question + r"\1", text)
    assert found == 1
    step = (
        f"  - id: {NEW_STEP}\n"
        f"    when: \"{NEW_QUESTION} == 'yes' and not german_b1_or_better\"\n"
        "    service: vhs\n"
        f"    label: {_label(STEP)}\n"
        f"    reason: {_label(STEP_REASON)}\n"
    )
    text = text.replace(
        "not german_b1_or_better and latin_literacy == 'fluent'\"",
        f"not german_b1_or_better and latin_literacy == 'fluent' and {NEW_QUESTION} != 'yes'\"",
    )
    return text.rstrip("\n") + "\n" + step


def _publish_by_keys(qtbot: QtBot, forms: FormsDialog, folder: Path, shots: Path) -> list[str]:
    """ "Publish from folder…" by its key, the folder chosen, the note typed and Enter at the
    question (a nested event loop: answered from a timer). What the question said."""
    said: list[str] = []

    def answer(tries: int = 250) -> None:
        shown = QApplication.activeModalWidget()
        if isinstance(shown, PublishDialog):
            said.extend(label.text() for label in shown.findChildren(QLabel))
            _shot(shown, shots, "03-publish-question")
            type_text(shown.note, NOTE)
            QTest.keyClick(shown.note, Qt.Key.Key_Return)
        elif tries:
            QTimer.singleShot(20, lambda: answer(tries - 1))

    made_active(qtbot, forms)
    alt_access_key(forms, forms.publish_button.text())
    QTimer.singleShot(0, answer)
    answer_save_dialog(qtbot, folder)
    return said


def _coordinator_publishes(qtbot: QtBot, coordinator: Session, shots: Path, home: Path) -> None:
    """The coordinator's part, in German: the form definitions exported, the skills check
    edited, a first try refused (a choice's id renamed), published, synced."""
    set_language("de")
    window = _window(qtbot, coordinator, (1366, 768))
    menu_entry(qtbot, window, "&Administration", "&Form definitions…")
    forms = dialog_opened(qtbot, window, FormsDialog)
    made_active(qtbot, forms)
    rows = {cell(forms.table, r, 0).text(): cell(forms.table, r, 1).text() for r in range(3)}
    assert rows["Kompetenzcheck"] == "2", rows
    _shot(forms, shots, "01-forms")
    folder = home / "Documents" / "Formulare"
    folder.mkdir()
    alt_access_key(forms, forms.export_button.text())
    answer_save_dialog(qtbot, folder)
    assert forms.message.text().startswith("3 Dateien nach "), forms.message.text()
    skills = folder / "skills_check.yaml"
    shipped = skills.read_text("utf-8")
    # First try: the choice renamed by its id as well. Refused, and said why.
    skills.write_text(_edited(shipped, rename_id=True), "utf-8")
    made_active(qtbot, forms)
    alt_access_key(forms, forms.publish_button.text())
    answer_save_dialog(qtbot, folder)
    qtbot.waitUntil(lambda: bool(forms.error.text()), timeout=5000)
    refusal = forms.error.text()
    _shot(forms, shots, "02-refused")
    # Said what to do: only the label may change, the id kept.
    assert "Lassen Sie „id: partly“ unverändert und formulieren Sie nur das label um" in refusal
    assert reference.forms_in_force(coordinator.store)[SKILLS].version == 2
    # Second: the id kept, the label reworded.
    skills.write_text(_edited(shipped, rename_id=False), "utf-8")
    with qtbot.waitSignal(forms.published, timeout=20_000):
        said = _publish_by_keys(qtbot, forms, folder, shots)
    assert any("geprüft" in text for text in said), said
    # which form changes, and to which version (not only "3 forms")
    assert any("\n\nKompetenzcheck: Version 2 → 3" in text for text in said), said
    rows = {cell(forms.table, r, 0).text(): cell(forms.table, r, 2).text() for r in range(3)}
    assert rows["Kompetenzcheck"] == "veröffentlicht", rows
    # the publication heads the window's history, with its note
    assert cell(forms.history, 0, 2).text() == NOTE, cell(forms.history, 0, 2).text()
    _shot(forms, shots, "04-published")
    QTest.keyClick(forms.table, Qt.Key.Key_Escape)
    qtbot.waitUntil(lambda: not forms.isVisible())
    synced_by_f5(qtbot, window)
    # Her own publication is no news to her.
    assert window.sync.publications.forms_banner.isHidden()  # type: ignore[attr-defined]
    window.close()


def _choose(qtbot: QtBot, win: VisitWindow, field_id: str, option: str) -> None:
    """An answer chosen by keys: the question reached by its access key, the arrows."""
    view = win.view
    section = view.definition.section_of(field_id)
    view.show_section(section.id)
    editor = view.editors[field_id]
    made_active(qtbot, win)
    alt_access_key(win, editor.title.text())
    combo = editor.focus_widget()
    assert isinstance(combo, QComboBox) and win.focusWidget() is combo, win.focusWidget()
    QTest.keyClick(combo, Qt.Key.Key_Home)
    for _step in range(combo.count()):
        if combo.currentData() == option:
            break
        QTest.keyClick(combo, Qt.Key.Key_Down)
    assert combo.currentData() == option, (field_id, option)


def _accept_step(qtbot: QtBot, win: VisitWindow, step_id: str) -> list[str]:
    """The suggested next steps reached by Ctrl+PgDown, ``step_id`` accepted by Tab and
    Space. The steps suggested."""
    view = win.view
    made_active(qtbot, win)
    while view.navigator.currentRow() < view.navigator.count() - 1:
        QTest.keyClick(win, Qt.Key.Key_PageDown, Qt.KeyboardModifier.ControlModifier)
    radio = view.steps_page.findChild(QRadioButton, f"step:{step_id}:accepted")
    assert radio is not None, [s.id for s in view.steps_page.steps]
    for _press in range(40):
        if win.focusWidget() is radio:
            break
        QTest.keyClick(win.focusWidget() or win, Qt.Key.Key_Tab)
    assert win.focusWidget() is radio
    QTest.keyClick(radio, Qt.Key.Key_Space)
    assert view.decisions().get(step_id) == "accepted"
    return [step.id for step in view.steps_page.steps]


ION_ANSWERS = {
    "language_levels": [
        {"language": "ro", "level": {"level": "C2", "assessed": "self"}},
        {"language": "de", "level": {"level": "A1", "assessed": "self"}},
    ],
    "school_years": 6,
    "school_certificate": "primary",
    "school_certificate_document": "no",
    "experience": [{"w_field": "agriculture", "w_years": 5, "w_where": "home_country"}],
    "looking_for_work": "yes",
    "jobcenter_registration": "no",
}


def _helper_offline(
    qtbot: QtBot, helper: Session, ion: str, mihaela: str, shots: Path
) -> MainWindow:
    """The helper's part at the meeting point, offline, in Romanian: Ion's skills check
    finished with the old form (reading and writing "partly"), Mihaela's begun and left."""
    set_language("ro")
    window = _window(qtbot, helper, (1280, 720))
    window.show_person(ion)
    feature = window.visits  # type: ignore[attr-defined]
    form = feature.start(SKILLS, client_lang="ro")
    qtbot.waitExposed(form)
    form.view.set_answers(form.view.answers() | ION_ANSWERS)
    _choose(qtbot, form, "latin_literacy", "partly")
    assert OLD_PARTLY["ro"] in form.view.editors["latin_literacy"].focus_widget().currentText()
    assert NEW_QUESTION not in form.view.editors
    _shot(form, shots, "05-helper-ion-old-form")
    assert "literacy_course" in _accept_step(qtbot, form, "literacy_course")
    made_active(qtbot, form)
    with qtbot.waitSignal(form.finish_answered, timeout=10_000) as answered:
        QTest.keyClick(form, Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)
    stored = answered.args[0]
    assert stored is not None and stored.form_version == 2
    # Mihaela: her languages and her schooling, then she had to go.
    window.show_person(mihaela)
    form = feature.start(SKILLS, client_lang="ro")
    qtbot.waitExposed(form)
    form.view.set_answers(form.view.answers() | {"language_levels": ION_ANSWERS["language_levels"]})
    _choose(qtbot, form, "latin_literacy", "fluent")
    form.view.set_answer("school_years", 10)
    _shot(form, shots, "06-helper-mihaela-half")
    QTest.keyClick(form, Qt.Key.Key_Escape)  # Close: the draft is kept
    qtbot.waitUntil(lambda: not form.isVisible(), timeout=5000)
    assert visits.load_draft(helper.store, helper.user, mihaela, SKILLS) is not None
    return window


def _helper_back_online(
    qtbot: QtBot, window: MainWindow, helper: Session, mihaela: str, shots: Path
) -> None:
    """Back at the contact point: F5, then Mihaela's draft continued and finished."""
    report = synced_by_f5(qtbot, window)
    assert not isinstance(report, Exception), report
    skills = reference.forms_in_force(helper.store)[SKILLS]
    assert skills.version == 3
    # Told at once: who published, when, her note, the form's new version and the question
    # to answer, and what it means for drafts in progress.
    notice = window.sync.publications.forms_banner  # type: ignore[attr-defined]
    qtbot.waitUntil(notice.isVisible, timeout=10_000)
    told = notice.plain_text()
    assert told.startswith("Formularele au fost actualizate de "), told
    assert f": {NOTE}. {skills.title['ro']}: versiunea 2 → 3 (întrebări noi, de " in told, told
    assert f"înainte de finalizare: {QUESTION['ro']}). Ciornele începute" in told, told
    _shot(window, shots, "07-helper-synced")
    window.show_person(mihaela)
    feature = window.visits  # type: ignore[attr-defined]
    form = feature.start(SKILLS, client_lang="ro")
    qtbot.waitExposed(form)
    # Said above the form: begun in version 2, continued in 3, the question to answer.
    note = form.view.draft_version_note
    assert note.isVisible()
    assert note.text() == (
        "Această ciornă a fost începută în versiunea 2 a formularului și continuă în versiunea "
        f"3. Întrebarea adăugată între timp necesită un răspuns înainte de finalizare: "
        f"{QUESTION['ro']}"  # its question mark ends the sentence
    ), note.text()
    _shot(form, shots, "08-helper-mihaela-continued")
    continued = {
        "saved": form.saved_label.text(),
        "notes": [lbl.text() for lbl in form.view.findChildren(QLabel) if lbl.isVisible()],
    }
    (shots / "walkforms-08-continued.txt").write_text(repr(continued), "utf-8")
    # Finished as it is: the new question is asked (it is required).
    made_active(qtbot, form)
    with qtbot.waitSignal(form.finish_answered, timeout=10_000) as answered:
        QTest.keyClick(form, Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)
    assert answered.args[0] is None
    banner = form.view.banner.text()
    _shot(form, shots, "09-helper-mihaela-refused")
    # The refusal names the question too, and puts the keyboard in it.
    assert QUESTION["ro"] in banner, banner
    assert form.focusWidget() is form.view.editors[NEW_QUESTION].focus_widget()
    _choose(qtbot, form, NEW_QUESTION, "yes")
    # and the rest of the form, as she tells it now
    form.view.set_answer("school_certificate", "upper_secondary")
    form.view.set_answer("looking_for_work", "no")
    steps = _accept_step(qtbot, form, NEW_STEP)
    assert "integration_course" not in steps  # attended already
    _shot(form, shots, "10-helper-mihaela-answered")
    made_active(qtbot, form)
    with qtbot.waitSignal(form.finish_answered, timeout=10_000) as answered:
        QTest.keyClick(form, Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)
    stored = answered.args[0]
    assert stored is not None, form.view.banner.text()
    assert stored.form_version == 3 and stored.answers[NEW_QUESTION] == "yes"
    # The notice hidden by its key; the next sync brings nothing new and leaves it so.
    made_active(qtbot, window)
    alt_access_key(window, notice.hide_button.text())
    qtbot.waitUntil(notice.isHidden, timeout=5000)
    synced_by_f5(qtbot, window)
    assert notice.isHidden()
    window.close()


def _advisor_opens_ion(
    qtbot: QtBot, advisor: Session, ion: str, shots: Path, tmp_path: Path
) -> None:
    """The advisor's part, in Bulgarian: F5; Ion's page, his visit, a letter to the VHS, his
    data copy in Romanian."""
    set_language("bg")
    window = _window(qtbot, advisor, (1280, 720))
    synced_by_f5(qtbot, window)
    window.show_person(ion)
    _shot(window, shots, "11-advisor-ion-page")
    (visit,) = visits.visit_history(advisor.store, advisor.user, ion, log_view=False)
    assert visit.form_version == 2 and visit.answers["latin_literacy"] == "partly"
    assert NEW_QUESTION not in visit.answers
    feature = window.visits  # type: ignore[attr-defined]
    form = feature.start(SKILLS, visit=visit)
    qtbot.waitExposed(form)
    combo = form.view.editors["latin_literacy"].focus_widget()
    assert isinstance(combo, QComboBox)
    shown_literacy = combo.currentText()
    _shot(form, shots, "12-advisor-ion-visit")
    # Said above the answers: an earlier version's visit, in the words he was asked in
    # (version 2's, known here), the question added since named, not asked then (and not
    # required of it).
    assert form.view.older_note.isVisible()
    older_said = form.view.older_note.text()
    assert older_said.startswith("Този преглед е записан с версия 2 на формуляра"), older_said
    assert "с формулировката на версия 2" in older_said, older_said
    assert older_said.endswith(f": {QUESTION['bg']}"), older_said
    assert not form.view.editors[NEW_QUESTION].title.text().endswith("*")
    texts = [lbl.text() for lbl in form.view.findChildren(QLabel) if lbl.isVisible()]
    (shots / "walkforms-12-visit.txt").write_text(repr((shown_literacy, texts)), "utf-8")
    assert shown_literacy == f"{OLD_PARTLY['bg']} · {OLD_PARTLY['ro']}"
    assert QUESTION["ro"] in texts and not any(QUESTION["en"] in t for t in texts)
    # He went to school for 7 years, not 6: corrected and saved.
    view = form.view
    view.show_section("schooling")
    field = view.editors["school_years"].focus_widget()
    made_active(qtbot, form)
    alt_access_key(form, view.editors["school_years"].title.text())
    assert form.focusWidget() is field
    QTest.keyClick(field, Qt.Key.Key_A, Qt.KeyboardModifier.ControlModifier)
    type_text(field, "7")
    made_active(qtbot, form)
    with qtbot.waitSignal(form.finish_answered, timeout=10_000) as answered:
        QTest.keyClick(form, Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)
    corrected = answered.args[0]
    assert corrected is not None, view.banner.text()  # the question added since not asked
    assert corrected.answers["school_years"] == 7 and NEW_QUESTION not in corrected.answers
    assert corrected.form_version == 2  # what it asked is version 2's still
    # the literacy course at the VHS: the letter tells the reading and writing
    record_sharing_consent(advisor, ion)
    preview = refer_shown_person(qtbot, window, "Volkshochschule", "literacy_course")
    letter = pdf_text(preview.pdf)
    _pdf_shot(preview.pdf, shots, "13-advisor-letter")
    (shots / "walkforms-13-letter.txt").write_text(letter, "utf-8")
    # In the words he was asked in, not the reworded ones.
    assert f"Lesen und Schreiben {OLD_PARTLY['de']} (lateinische Schrift)" in letter
    assert NEW_PARTLY["de"] not in letter
    preview.close()
    # his data copy, in Romanian
    person_more_action(qtbot, window, _("&Export data…"))
    export = dialog_opened(qtbot, window, ExportDialog)
    folder = tmp_path / "stick"
    folder.mkdir()
    export.folder.setText(str(folder))
    _shot(export, shots, "14-advisor-export")
    assert export.chosen_language() == "ro"
    QTest.keyClick(export.folder, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: bool(list(folder.glob("*.pdf"))), timeout=15_000)
    (pdf_path,) = folder.glob("*.pdf")
    copy = pdf_text(pdf_path.read_bytes())
    _pdf_shot(pdf_path.read_bytes(), shots, "15-advisor-data-copy")
    (shots / "walkforms-15-copy.txt").write_text(copy, "utf-8")
    # His copy: the version he was asked with, his answer in the words he was asked in.
    assert "Versiunea formularului versiunea 2, între timp înlocuită de versiunea 3" in copy
    assert f"Citit și scris cu alfabetul latin: {OLD_PARTLY['ro']} " in copy
    assert NEW_PARTLY["ro"] not in copy
    assert not re.search(r"\b(version|Skills check|Answers|partly)\b", copy)  # no English
    window.close()


def _coordinator_counts(qtbot: QtBot, coordinator: Session, shots: Path) -> None:
    """The coordinator's dashboard after a sync (File, Reports): the German levels and next
    steps of both checks, the step the new version added by its name in each language."""
    set_language("de")
    window = _window(qtbot, coordinator, (1366, 768))
    synced_by_f5(qtbot, window)
    menu_entry(qtbot, window, "&File", "Rep&orts…")
    qtbot.waitUntil(lambda: bool(window.findChildren(ReportsWindow)), timeout=5000)
    (dashboard,) = window.findChildren(ReportsWindow)
    qtbot.waitUntil(lambda: dashboard.report is not None, timeout=20_000)
    # The year so far: its period chosen by keys, shown by its button's key.
    made_active(qtbot, dashboard)
    alt_access_key(dashboard, dashboard.period_label.text())
    assert dashboard.focusWidget() is dashboard.kind
    while dashboard.kind.currentData() != "year":
        QTest.keyClick(dashboard.kind, Qt.Key.Key_Down)
    alt_access_key(dashboard, dashboard.show_button.text())
    qtbot.waitUntil(
        lambda: dashboard.report is not None and dashboard.report.period.kind == "year",
        timeout=20_000,
    )
    report = dashboard.report
    assert report is not None
    steps = report.table("next_steps")
    assert steps.as_dict(1) == {"literacy_course": 1, NEW_STEP: 1}  # accepted, one each
    assert report.table("german_levels").as_dict() == {"A1": 2}
    for lang, text in STEP.items():
        assert steps.label(NEW_STEP, lang) == text
    qtbot.waitUntil(lambda: dashboard.findChild(QTableWidget, "table-next_steps") is not None)
    grid = dashboard.findChild(QTableWidget, "table-next_steps")
    assert grid is not None
    shown = {cell(grid, r, 0).text() for r in range(grid.rowCount())}
    assert STEP["de"] in shown, shown
    dashboard.figures_area.ensureWidgetVisible(grid)
    _shot(dashboard, shots, "16-coordinator-report")
    dashboard.close()
    window.close()


def test_a_form_definition_changes_under_three_laptops(
    qtbot: QtBot,
    qapp: QApplication,
    laptops: Laptops,
    program_font: None,
    shots: Path,
    tmp_path: Path,
    home: Path,
    refused_url: str,
) -> None:
    translations = QtTranslations(qapp)
    coordinator = laptops.new("Koordination")
    advisor_laptop = laptops.new("Beratung Nord", role=Role.ADVISOR)
    helper_laptop = laptops.new("Helfer Hbf", role=Role.HELPER)
    advisor = logged_in_again(advisor_laptop)
    helper = logged_in_again(helper_laptop)
    try:
        # Ion and his sister, registered at an earlier outreach on the helper's laptop.
        store, user = helper.store, helper.user
        ion = people.register_person(
            store, user, PersonDraft("Ion", "Popescu", "1991-02-03", "male", "RO", ("ro",))
        ).id
        mihaela = people.register_person(
            store, user, PersonDraft("Mihaela", "Popescu", "1995-07-08", "female", "RO", ("ro",))
        ).id
        laptops.sync(helper)
        translations.apply("de")
        _coordinator_publishes(qtbot, coordinator, shots, home)
        # The helper's laptop is out of reach of the server meanwhile.
        with helper.store.reading() as db:
            url = get_meta(db, SERVER_URL)
        move_laptop_to(helper, refused_url)
        translations.apply("ro")
        window = _helper_offline(qtbot, helper, ion, mihaela, shots)
        move_laptop_to(helper, str(url))
        _helper_back_online(qtbot, window, helper, mihaela, shots)
        translations.apply("bg")
        _advisor_opens_ion(qtbot, advisor, ion, shots, tmp_path)
        translations.apply("de")
        _coordinator_counts(qtbot, coordinator, shots)
    finally:
        translations.stop()
        set_language("en")
        advisor.close()
        helper.close()
