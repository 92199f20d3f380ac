"""A skills check recorded under version 3 of its form, version 4 in force (its question on
reading and writing and its "partly" reworded): the conflict view and the visit history's
changed answers tell the check in version 3's words, as the visit window and the data copy do.
Real stores and a real sync server on 127.0.0.1."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtWidgets import QLabel, QTreeWidget
from pytestqt.qtbot import QtBot

from desktop_app.i18n.text import set_language
from desktop_app.sync.conflict_records import record_conflict
from desktop_app.sync.merge import Conflict
from desktop_app.usecases import reference, visits
from desktop_app.usecases.accounts import Session
from tests.integration.sync_harness import Laptops, older_answers_conflict
from tests.ui.conftest import shown_window
from tests.unit.forms.test_forms_evaluator import full_skills_check
from tests.unit.security.test_data_rights import _person
from tests.unit.test_form_definitions import V3, V4, skills_files
from tests.unit.test_reference_forms import _edit

# The question on reading and writing as versions 2 and 3 ask it, and as version 4 does.
ASKED = {
    "de": "Lesen und Schreiben in lateinischer Schrift",
    "ro": "Citit și scris cu alfabetul latin",
}
ASKED_V4 = {"de": "Lesen und Schreiben im lateinischen Alphabet", "ro": "Citit și scris latin"}
YEARS = {"de": "Jahre Schulbesuch", "ro": "Ani de școală"}
YEARS_V4 = {"de": "Jahre in der Schule", "ro": "Ani petrecuți la școală"}


def v4_reworded() -> dict[str, str]:
    """``skills_files(4)`` with the questions on reading and writing and on school years
    reworded too (de, ro)."""
    files = skills_files(4)
    for lang in ("de", "ro"):
        for words in (ASKED, YEARS):
            new = ASKED_V4 if words is ASKED else YEARS_V4
            _edit(
                files,
                "skills_check.yaml",
                f'{lang}: "{words[lang]}"',
                f'{lang}: "{new[lang]}"',
                bump=False,
            )
    return files


def _v3_check(laptops: Laptops, *, corrected: bool = False) -> tuple[Session, str, str]:
    """A publishes version 3; B records a check with "partly" under it (and, ``corrected``,
    corrects its school years under version 3); A publishes the reworded version 4, which B
    receives. Returns B, the person and the visit."""
    a, b = laptops.new("A"), laptops.new("B")
    reference.publish_forms(a.store, a.user, skills_files(3))
    laptops.sync(a, b)
    person = _person(b)
    partly = full_skills_check() | {"latin_literacy": "partly"}
    visit = visits.finish_visit(b.store, b.user, person, "skills_check", partly)
    assert visit.form_version == 3
    if corrected:
        visits.edit_visit(b.store, b.user, visit.id, {**visit.answers, "school_years": 9})
    reference.publish_forms(a.store, a.user, v4_reworded())
    laptops.sync(a, b)
    in_force = reference.forms_in_force(b.store)["skills_check"]
    assert in_force.version == 4
    assert in_force.field("latin_literacy").label["de"] == ASKED_V4["de"]
    return b, person, visit.id


def test_the_conflict_view_tells_a_check_of_version_3_in_its_words(
    qtbot: QtBot, laptops: Laptops, shots: Path
) -> None:
    """Its two versions' answers, the rows to take each answer from either, and the title of
    a conflict over one answer: version 3's question and "partly", not version 4's."""
    b, person, visit_id = _v3_check(laptops)
    visit = visits.get_visit(b.store, b.user, visit_id)
    assert visit is not None and visit.form_version == 3
    theirs = {**visit.answers, "latin_literacy": "no", "school_years": 8}
    older_answers_conflict(b, visit_id, person, visit.answers, theirs)
    clocks = (f"{'1' * 13}-00000-a", f"{'1' * 13}-00001-b")
    with b.store.transaction() as db:
        one = Conflict(
            "visit", visit_id, "answers/latin_literacy", "partly", clocks[0], "no", clocks[1]
        )
        record_conflict(db, b.store, one, person)
    try:
        for lang in ("de", "ro"):
            set_language(lang)
            window = shown_window(qtbot, b, 1024, 680)
            dialog = window.sync.open_conflicts()  # type: ignore[attr-defined]
            qtbot.waitExposed(dialog)
            titles = [dialog.list.item(i).text() for i in range(dialog.list.count())]
            assert len(titles) == 2
            (single,) = [t for t in titles if t.endswith(ASKED[lang])]
            assert ASKED_V4[lang] not in single
            dialog.list.setCurrentRow(1 - titles.index(single))
            assert dialog.combine.isVisible()
            assert set(dialog.take_other) == {"latin_literacy", "school_years"}
            labels = {w.text() for w in dialog.combine.findChildren(QLabel) if w.isVisible()}
            assert {ASKED[lang], YEARS[lang]} <= labels, labels
            assert not {ASKED_V4[lang], YEARS_V4[lang]} & labels
            kept = dialog.take_other["latin_literacy"].group().buttons()[0]
            assert kept.text() == V3[lang] and kept.isChecked()
            assert kept.accessibleName() == f"{ASKED[lang]}: {V3[lang]}"
            assert f"{ASKED[lang]}: {V3[lang]}" in dialog.kept_text.text()
            assert V4[lang] not in dialog.kept_text.text()
            qtbot.wait(50)  # laid out before the screenshot
            dialog.grab().save(str(shots / f"forms4-conflict-v3-{lang}.png"))
            # the conflict over the one answer: its sides in version 3's words
            dialog.list.setCurrentRow(titles.index(single))
            assert f"{ASKED[lang]}: {V3[lang]}" in {
                dialog.kept_text.text(),
                dialog.other_text.text(),
            }
            dialog.reject()
            window.close()
    finally:
        set_language("en")


def test_the_visit_history_names_changed_answers_in_the_words_of_the_version_saved(
    qtbot: QtBot, laptops: Laptops, shots: Path
) -> None:
    """A check of version 3 corrected under version 3 (its school years), then under version 4
    (the question it adds answered, so the check is version 4's from then on): the first
    correction's changes are named as version 3 asked them, the second's as version 4 does."""
    b, person, visit_id = _v3_check(laptops, corrected=True)
    visit = visits.get_visit(b.store, b.user, visit_id)
    assert visit is not None and visit.form_version == 3
    again = {**visit.answers, "school_years": 10, "reading_glasses": "yes"}
    assert visits.edit_visit(b.store, b.user, visit_id, again).form_version == 4
    try:
        for lang in ("de", "ro"):
            set_language(lang)
            window = shown_window(qtbot, b, 1280, 720)
            window.show_person(person)
            tree = window.findChild(QTreeWidget, "visit_history")
            assert isinstance(tree, QTreeWidget)
            assert tree.topLevelItemCount() == 1  # listed as the person is shown
            top = tree.topLevelItem(0)
            assert top is not None and top.childCount() == 2
            newest, first_fix = top.text(2), top.child(0).text(2)  # type: ignore[union-attr]
            assert YEARS_V4[lang] in newest and YEARS[lang] not in newest, newest
            assert YEARS[lang] in first_fix and YEARS_V4[lang] not in first_fix, first_fix
            qtbot.wait(50)
            window.grab().save(str(shots / f"forms4-history-v3-{lang}.png"))
            window.close()
    finally:
        set_language("en")
