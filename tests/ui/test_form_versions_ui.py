"""The visit window of a skills check recorded under version 3 of its form, opened after
version 4 arrived by sync: its answers read in version 3's words, the note names the question
added since; a draft of a correction says which version it was begun in, as a draft of a new
check does. Real stores and a real sync server on 127.0.0.1."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtWidgets import QComboBox
from pytestqt.qtbot import QtBot

from desktop_app.i18n.text import set_language
from desktop_app.ui.visits import VisitWindow
from desktop_app.usecases import people, reference, visits
from desktop_app.usecases.accounts import Session
from tests.integration.sync_harness import Laptops
from tests.integration.test_form_versions_sync import record_v3_check
from tests.unit.forms.test_forms_evaluator import full_skills_check
from tests.unit.test_form_definitions import V3, V4, skills_files

OLDER_NOTE = {
    "de": (
        "Dieser Check wurde mit Version 3 des Formulars erfasst; das Formular wurde seitdem "
        "geändert (jetzt Version 4). Die Antworten werden im Wortlaut der Version 3 angezeigt. "
        "Die seitdem hinzugekommene Frage wurde damals nicht gestellt und darf unbeantwortet "
        "bleiben: Braucht eine Lesebrille?"
    ),
    "ro": (
        "Această evaluare a fost înregistrată cu versiunea 3 a formularului; între timp "
        "formularul a fost modificat (acum versiunea 4). Răspunsurile sunt afișate cu "
        "formularea versiunii 3. Întrebarea adăugată între timp nu a fost pusă atunci și poate "
        "rămâne fără răspuns: Are nevoie de ochelari de citit?"
    ),
}


def _window(qtbot: QtBot, session: Session, person_id: str, **kwargs: object) -> VisitWindow:
    person = people.get_person(session.store, session.user, person_id)
    win = VisitWindow(session, person, "skills_check", **kwargs)  # type: ignore[arg-type]
    qtbot.addWidget(win)
    win.resize(1280, 720)
    win.show()
    qtbot.waitExposed(win)
    return win


def test_a_check_of_version_3_opened_after_version_4_arrived_reads_in_its_words(
    qtbot: QtBot, laptops: Laptops, shots: Path
) -> None:
    _a, b, person, visit_id = record_v3_check(laptops)
    visit = visits.get_visit(b.store, b.user, visit_id)
    assert visit is not None and visit.form_version == 3
    try:
        for lang in ("ro", "de"):
            set_language(lang)
            win = _window(qtbot, b, person, visit=visit)
            combo = win.view.input("latin_literacy")
            assert isinstance(combo, QComboBox)
            assert combo.currentText() == V3[lang]
            shown = {combo.itemText(i) for i in range(combo.count())}
            assert V4[lang] not in shown
            # the question added since, in its own words (version 4's), needs no answer
            assert win.view.input("reading_glasses") is not None
            assert "reading_glasses" in win.view.optional
            note = win.view.older_note
            assert note.isVisible() and note.text() == OLDER_NOTE[lang], note.text()
            assert win.view.draft_version_note.isHidden()
            qtbot.wait(50)  # laid out before the screenshot
            win.grab().save(str(shots / f"forms3-v3-check-after-v4-{lang}.png"))
            win.done_ = True
            win.close()
    finally:
        set_language("en")
    # A correction is checked by the form in force (version 4), without the added question.
    edited = visits.edit_visit(b.store, b.user, visit_id, {**visit.answers, "school_years": 11})
    assert edited.answers["school_years"] == 11 and "reading_glasses" not in edited.answers


def test_a_draft_of_a_correction_says_the_version_it_was_begun_in(
    qtbot: QtBot, laptops: Laptops, shots: Path
) -> None:
    """A correction of a version 3 check left as a draft, then version 4 arrived: the draft
    said nothing of versions (only drafts of new checks did), nor of the check's own."""
    a, b = laptops.new("A"), laptops.new("B")
    reference.publish_forms(a.store, a.user, skills_files(3))
    laptops.sync(a, b)
    person = people.register_person(
        b.store, b.user, people.PersonDraft("Ion", "Popescu", "1991-02-03")
    ).id
    partly = full_skills_check() | {"latin_literacy": "partly"}
    visit = visits.finish_visit(b.store, b.user, person, "skills_check", partly)
    base = visits.VisitBase(visit.answers, visit.next_steps)
    corrected = {**visit.answers, "school_years": 11}
    visits.save_draft(
        b.store, b.user, person, "skills_check", corrected, visit_id=visit.id, base=base
    )
    reference.publish_forms(a.store, a.user, skills_files(4))
    laptops.sync(a, b)
    draft = visits.load_draft(b.store, b.user, person, "skills_check")
    assert draft is not None and draft.visit_id == visit.id and draft.form_version == 3
    set_language("de")
    try:
        win = _window(qtbot, b, person, draft=draft)
        note = win.view.draft_version_note
        assert note.isVisible()
        assert note.text() == (
            "Dieser Entwurf wurde mit Version 3 des Formulars begonnen und wird mit Version 4 "
            "fortgesetzt; keine seither hinzugekommene Frage muss beantwortet werden."
        ), note.text()
        # and the check's own version, as when the correction is opened from the check
        assert win.view.older_note.isVisible()
        assert win.view.older_note.text() == OLDER_NOTE["de"]
        combo = win.view.input("latin_literacy")
        assert isinstance(combo, QComboBox) and combo.currentText() == V3["de"]
        qtbot.wait(50)
        win.grab().save(str(shots / "forms3-correction-draft-de.png"))
        win.done_ = True
        win.close()
    finally:
        set_language("en")
