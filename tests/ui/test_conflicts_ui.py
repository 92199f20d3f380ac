"""The conflicts dialog: every kind of conflict shown readably, decided by choosing or by
entering the right text, stored on a worker thread, and reaching the other laptop."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

from desktop_app.domain.person import PersonDraft
from desktop_app.domain.referral import ReferralStatus
from desktop_app.i18n.formatting import format_partial_date
from desktop_app.i18n.text import set_language
from desktop_app.ui.conflicts import ConflictsDialog
from desktop_app.ui.main_window import MainWindow
from desktop_app.ui.visits import form_title
from desktop_app.usecases import conflicts as conflicts_uc
from desktop_app.usecases import people, referrals, visits
from desktop_app.usecases import sync as sync_uc
from desktop_app.usecases.accounts import Session
from desktop_app.usecases.conflicts import combination
from tests.integration.sync_harness import Laptops, older_answers_conflict
from tests.ui.conftest import shown_window, store_held
from tests.ui.test_sync_ui import SHOTS
from tests.unit.test_visits import full_life_situation


def _edit_person(session: Session, person_id: str, **changes: str) -> None:
    person = people.get_person(session.store, session.user, person_id)
    assert person is not None
    values = people.person_values(person) | changes
    langs = tuple(c for c in values.pop("languages").split(",") if c)
    people.update_person(
        session.store, session.user, person_id, PersonDraft(**values, languages=langs)
    )


def _record_conflicts(session: Session, pid: str, *fields: tuple[str, str, str]) -> None:
    """Open conflicts on the person's ``fields``: (field, the value kept here, the other's)."""
    from desktop_app.sync.conflict_records import record_conflict
    from desktop_app.sync.merge import Conflict

    clocks = (f"{'1' * 13}-00000-a", f"{'1' * 13}-00001-b")
    with session.store.transaction() as db:
        for field, mine, theirs in fields:
            conflict = Conflict("person", pid, field, mine, clocks[0], theirs, clocks[1])
            record_conflict(db, session.store, conflict, pid)


def _titles(dialog: ConflictsDialog) -> list[str]:
    return [dialog.list.item(i).text() for i in range(dialog.list.count())]


def test_conflicts_of_a_person_a_referral_and_a_visit_are_shown_readably_and_decided(
    qtbot: QtBot,
    laptops: Laptops,
) -> None:
    a = laptops.new("A")
    b = laptops.new("B")
    try:
        pid = people.register_person(
            a.store, a.user, PersonDraft("Elena", "Radu", phone="0176 1111111")
        ).id
        referral = referrals.issue_referral(
            a.store, a.user, pid, "jobcenter", "buergergeld", client_lang="ro"
        )
        # No sex answered: the record stays without one, both laptops set it below.
        answers = {k: v for k, v in full_life_situation().items() if k != "sex"}
        visit = visits.finish_visit(a.store, a.user, pid, "life_situation", answers)
        for s in (a, b):
            sync_uc.sync_now(s.store)
        # Both laptops offline: the same things changed differently on each.
        _edit_person(a, pid, phone="0176 2222222", sex="female")
        _edit_person(b, pid, phone="0176 3333333", sex="diverse")
        referrals.change_status(a.store, a.user, referral.id, ReferralStatus.APPOINTMENT_MADE)
        referrals.change_status(b.store, b.user, referral.id, ReferralStatus.CLOSED)
        visits.edit_visit(a.store, a.user, visit.id, {**answers, "housing_type": "own_rental"})
        visits.edit_visit(b.store, b.user, visit.id, {**answers, "housing_type": "homeless"})
        for s in (a, b, a):
            sync_uc.sync_now(s.store)
        assert len(sync_uc.open_conflicts(b.store)) == 4

        set_language("en")
        window = shown_window(qtbot, b)
        # The person's page says so, and leads to the dialog.
        notice = window.conflict_notice  # type: ignore[attr-defined]
        assert notice.isHidden()
        window.show_person(pid)
        assert notice.isVisible()
        assert notice.text.text() == (
            "4 values about this person were changed differently on two laptops."
        )
        notice.button.click()
        dialog = window.findChild(ConflictsDialog)
        assert dialog is not None and dialog.isVisible()
        assert dialog.conflicts[dialog.list.currentRow()].person_id == pid
        titles = _titles(dialog)
        assert len(titles) == 4 and all(t.startswith("Elena Radu · ") for t in titles)
        assert "Elena Radu · Phone" in titles and "Elena Radu · Sex / gender" in titles
        assert f"Elena Radu · Referral {referral.reference} · Status" in titles
        life = visits.form("life_situation")
        housing = life.field("housing_type")
        # A visit's conflict is about one answer, named by its question.
        visit_title = f"· {housing.label['en']}"
        assert any(t.startswith("Elena Radu · Visit “") and t.endswith(visit_title) for t in titles)

        # The referral's status by its name, never its code.
        dialog.list.setCurrentRow(
            titles.index(f"Elena Radu · Referral {referral.reference} · Status")
        )
        shown = {dialog.kept_text.text(), dialog.other_text.text()}
        assert shown == {"Appointment made", "Closed"}
        assert dialog.edit_line.isHidden() and dialog.save_edit.isHidden()  # chosen, not typed
        assert (dialog.kept_box.title(), dialog.other_box.title()) == (
            "In force now",
            "Not in force",
        )
        # Each value says where it was set: here, or on the laptop of the team by its name;
        # by whom: an account here by its name, one of A by the role its log entry carries.
        changed = {dialog.kept_changed.text(), dialog.other_changed.text()}
        by_a = f"changed by {a.user.id[:8]} (Coordinator) on the laptop “A”"
        assert {c.split(",")[0] for c in changed} == {
            "changed by B on this laptop",  # B's account, named after its laptop
            by_a,
        }
        other = dialog.other_text.text()
        dialog.keep_second.click()
        qtbot.waitUntil(lambda: dialog.list.count() == 3, timeout=30_000)
        assert notice.text.text().startswith("3 values about this person")

        # The visit: the answer both changed, under its label, with the option's name. The
        # rent, which B removed (not asked for the homeless) and A left alone, merged.
        row = next(i for i, t in enumerate(_titles(dialog)) if "Visit" in t)
        dialog.list.setCurrentRow(row)
        by_option = {o.id: o.label["en"] for o in housing.options or []}
        lines = {dialog.kept_text.text(), dialog.other_text.text()}
        assert lines == {
            f"{housing.label['en']}: {by_option['homeless']}",
            f"{housing.label['en']}: {by_option['own_rental']}",
        }
        assert not dialog.combine.isVisible()  # one answer: either value, nothing to combine
        # In Bulgarian the visit's title is longer than the list is wide: it wraps onto a
        # second line instead of being read by scrolling sideways.
        window.switch_language("bg")
        dialog.resize(dialog.minimumWidth(), dialog.height())
        qtbot.wait(50)
        view = dialog.list
        line = view.fontMetrics()
        assert line.horizontalAdvance(view.item(row).text()) > view.viewport().width() * 0.9
        assert view.horizontalScrollBar().maximum() == 0
        rect = view.visualRect(view.model().index(row, 0))
        assert rect.right() <= view.viewport().width()
        if line.horizontalAdvance(view.item(row).text()) >= rect.width() - 4:
            assert rect.height() >= 2 * line.lineSpacing()  # wrapped, not cut or elided
        window.switch_language("en")
        dialog.list.setCurrentRow(_titles(dialog).index("Elena Radu · Sex / gender"))
        assert not dialog.combine.isVisible()  # one value, nothing to combine

        # The phone: the right number is entered by hand. A wrong one is refused in place.
        dialog.list.setCurrentRow(_titles(dialog).index("Elena Radu · Phone"))
        assert dialog.edit_line.isVisible() and dialog.save_edit.isVisible()
        dialog.edit_line.setText("call me" + "9" * 60)
        dialog.save_edit.click()
        qtbot.waitUntil(lambda: dialog.error.isVisible(), timeout=30_000)
        assert dialog.list.count() == 3  # still open
        dialog.edit_line.setText("0176 4444444")
        with store_held(b) as (_release, held):  # the sync holds the store: no waiting
            dialog.save_edit.click()
            assert held.is_set()  # it returned while the store was held
            assert not dialog.choice.isEnabled()  # the choices wait for the answer
            assert dialog.save.saving
        qtbot.waitUntil(lambda: dialog.list.count() == 2, timeout=30_000)
        assert dialog.choice.isEnabled()
        dialog.reject()

        for s in (b, a):
            sync_uc.sync_now(s.store)
        on_a = people.get_person(a.store, a.user, pid)
        assert on_a is not None and on_a.phone == "0176 4444444"
        status_on_a = referrals.get_referral(a.store, a.user, referral.id).status
        assert (
            status_on_a.value == {"Appointment made": "appointment_made", "Closed": "closed"}[other]
        )
        assert len(sync_uc.open_conflicts(a.store)) == 2  # sex and the visit: still to decide
        window.close()
    finally:
        set_language("en")


def _with_an_older_answers_conflict(
    qtbot: QtBot, a: Session
) -> tuple[MainWindow, str, dict[str, object]]:
    """Elena Radu's visit, and a conflict over all its answers as an older version stored it
    (the other version: homeless, no rent); the window shown in English."""
    pid = people.register_person(a.store, a.user, PersonDraft("Elena", "Radu")).id
    visit = visits.finish_visit(a.store, a.user, pid, "life_situation", full_life_situation())
    theirs = {k: v for k, v in visit.answers.items() if k != "rent"}
    theirs["housing_type"] = "homeless"
    older_answers_conflict(a, visit.id, pid, visit.answers, theirs)
    set_language("en")
    window = shown_window(qtbot, a)
    return window, pid, theirs


def test_a_conflict_over_all_answers_from_an_older_version_is_combined_answer_by_answer(
    qtbot: QtBot,
    laptops: Laptops,
) -> None:
    """Versions before answers merged one by one stored a conflict over all of a visit's
    answers: the dialog offers each differing answer from either version."""
    a = laptops.new("A")
    try:
        window, pid, theirs = _with_an_older_answers_conflict(qtbot, a)
        window.show_person(pid)
        window.conflict_notice.button.click()  # type: ignore[attr-defined]
        dialog = window.findChild(ConflictsDialog)
        assert dialog is not None and _titles(dialog)[0].endswith("· Answers")
        life = visits.form("life_situation")
        housing, rent = life.field("housing_type"), life.field("rent")
        by_option = {o.id: o.label["en"] for o in housing.options or []}
        lines = {dialog.kept_text.text(), dialog.other_text.text()}
        assert lines == {
            f"{housing.label['en']}: {by_option['homeless']}\n{rent.label['en']}: —",
            f"{housing.label['en']}: {by_option['sublet']}\n{rent.label['en']}: 450",
        }
        # One row per differing answer, the value in force chosen.
        assert dialog.combine.isVisible() and set(dialog.take_other) == {"housing_type", "rent"}
        assert not any(b.isChecked() for b in dialog.take_other.values())
        conflict = dialog.conflicts[0]
        assert dialog._combined_value() == combination(conflict, set())
        dialog.take_other["rent"].click()
        assert dialog._combined_value() == combination(conflict, {"rent"})
        dialog.take_other["housing_type"].click()
        dialog.save_combination.click()
        qtbot.waitUntil(lambda: dialog.list.count() == 0, timeout=30_000)
        (shown,) = visits.visit_history(a.store, a.user, pid)
        assert shown.answers == theirs
        dialog.reject()
        window.close()
    finally:
        set_language("en")


def test_two_versions_that_do_not_fit_together_are_offered_as_versions_not_as_values(
    qtbot: QtBot,
    laptops: Laptops,
) -> None:
    """A merge found that each laptop's answers fit the form but combined do not: neither
    side is "in force" (the combination is), so the sides are the newer and older version,
    with a word on what happened; the older one is taken by keyboard."""
    a = laptops.new("A")
    try:
        pid = people.register_person(a.store, a.user, PersonDraft("Elena", "Radu")).id
        visit = visits.finish_visit(a.store, a.user, pid, "life_situation", full_life_situation())
        older = {k: v for k, v in visit.answers.items() if k != "rent"}
        older["housing_type"] = "homeless"
        newer = {**visit.answers, "rent_contract": "yes"}
        older_answers_conflict(a, visit.id, pid, newer, older, field="answers+")
        set_language("en")
        window = shown_window(qtbot, a)
        dialog = window.sync.open_conflicts()  # type: ignore[attr-defined]
        # Which visit: the form and the day it was held (a person may have several).
        today = format_partial_date(dt.date.today().isoformat())
        assert _titles(dialog)[0] == (
            f"Elena Radu · Visit “{form_title('life_situation')}” of {today} · "
            "Answers that do not fit together"
        )
        assert dialog.why.isVisible() and "do not fit the form" in dialog.why.text()
        assert (dialog.kept_box.title(), dialog.other_box.title()) == (
            "Newer version",
            "Older version",
        )
        assert dialog.keep_second.text() == "Take the o&lder version"
        assert set(dialog.take_other) == {"housing_type", "rent", "rent_contract"}
        window.switch_language("ro")
        assert dialog.other_box.title() not in ("Older version", "Not in force")
        window.switch_language("en")
        dialog.keep_second.setFocus()
        qtbot.keyClick(dialog.keep_second, Qt.Key.Key_Space)
        qtbot.waitUntil(lambda: dialog.list.count() == 0, timeout=30_000)
        (shown,) = visits.visit_history(a.store, a.user, pid)
        assert shown.answers == older
        # With nothing left to decide, the usual titles are back and the word is gone.
        assert dialog.kept_box.title() == "In force now" and not dialog.why.isVisible()
        dialog.reject()
        window.close()
    finally:
        set_language("en")


def test_the_dialog_changes_language_with_the_window_and_keeps_what_was_chosen(
    qtbot: QtBot,
    laptops: Laptops,
) -> None:
    a = laptops.new("A")
    try:
        window, _pid, _theirs = _with_an_older_answers_conflict(qtbot, a)
        dialog = window.sync.open_conflicts()  # type: ignore[attr-defined]
        assert dialog.windowTitle() == "Conflicts to decide"
        english_title = _titles(dialog)[0]
        dialog.take_other["rent"].click()
        window.switch_language("de")
        assert dialog.windowTitle() == "Zu entscheidende Konflikte"
        assert dialog.kept_box.title() == "Gilt jetzt"
        assert dialog.keep_second.text() == "&Anderen Wert übernehmen"
        life = visits.form("life_situation")
        housing, rent = life.field("housing_type"), life.field("rent")
        (title,) = _titles(dialog)
        assert title != english_title and title.startswith("Elena Radu · ")
        assert f"{rent.label['de']}: 450" in dialog.kept_text.text().splitlines()
        # The answer taken from the other version is still taken.
        assert dialog.take_other["rent"].isChecked()
        assert not dialog.take_other["housing_type"].isChecked()
        assert dialog.take_other["rent"].text() == "—"
        assert housing.label["de"] in dialog.take_other["housing_type"].accessibleName()
        dialog.reject()
        window.close()
    finally:
        set_language("en")


def test_a_differing_answer_is_shown_under_its_label_with_the_names_of_its_options(
    qapp: object,
) -> None:
    from desktop_app.ui.conflicts import answer_text

    set_language("en")
    life = visits.form("life_situation")
    # A question keeps its mark, with no colon after it (it read "Urgent medical need?: …").
    assert answer_text(life, "urgent_medical_need", "unknown") == "Urgent medical need? don't know"
    children = [{"child_birth": "2018-05-01", "child_lives": "with_person"}, {"child_name": "Ana"}]
    assert answer_text(life, "children", children) == (
        "Children: (Date or year of birth: 1 May 2018, Where does the child live? in the same "
        "household); (Given name: Ana)"
    )
    assert answer_text(life, "no_such_answer", [1, 2]) == "no_such_answer: 1, 2"
    assert answer_text(life, "rent", None) == "Rent per month in euros (the person's share): —"


def test_what_a_record_is_about_is_named_in_words_not_codes(qtbot: QtBot, session: Session) -> None:
    """A consent's purpose, a case opening's section and a quick contact's day, as people read
    them (they were the purpose's code and an ISO date)."""
    from desktop_app.usecases.conflicts import OpenConflict

    window = MainWindow(session)
    qtbot.addWidget(window)
    dialog = ConflictsDialog(window.sync, window)  # type: ignore[attr-defined]
    qtbot.addWidget(dialog)

    def title(kind: str, about: str, field: str) -> str:
        return dialog._title(OpenConflict("c", kind, "r", field, "a", "b", about=about))

    consent = visits.form("consent")
    sharing = next(p for p in consent.purposes if p.id == "referral_sharing")
    set_language("en")
    try:
        assert title("consent", "referral_sharing", "granted").startswith(
            f"Consent {sharing.label['en']} · "
        )
        assert title("quick_contact", "2026-12-04", "note").startswith("Quick contact 4 Dec 2026")
        assert title("case_opening", "health", "opened").startswith(
            "Case opened to a helper (Health details) · "
        )
        set_language("de")
        assert f" {sharing.label['de']} · " in title("consent", "referral_sharing", "granted")
        assert "(Notizen zu Ausbeutung) · " in title("case_opening", "exploitation", "opened")
        assert " 04.12.2026 · " in title("quick_contact", "2026-12-04", "note")
    finally:
        set_language("en")


def test_a_referrals_values_are_shown_by_their_names(qapp: object) -> None:
    from desktop_app.ui.conflicts import field_label, value_text
    from desktop_app.usecases.conflicts import OpenConflict

    set_language("en")

    def shown(field: str, value: object) -> str:
        return value_text(OpenConflict("c", "referral", "r", field, value, value), value)

    assert shown("status", "appointment_made") == "Appointment made"
    assert shown("documents", '["Mietvertrag", "Pass"]') == "Mietvertrag, Pass"
    assert shown("documents", "[]") == "—"
    assert shown("follow_up", "2026-12-24") == "24 Dec 2026"
    assert shown("outcome", "") == "—"
    assert field_label("documents") == "Documents to bring"
    person = OpenConflict("c", "person", "p", "nationality", "RO", "BG")
    assert value_text(person, "RO") == "Romania"
    sex = OpenConflict("c", "person", "p", "sex", "not_stated", "female")
    assert value_text(sex, "not_stated") == "prefers not to say"
    # A service by its name in the directory in force (the export reads it so too).
    from desktop_app.letters.directory import default_directory

    directory = default_directory()
    service = directory.find("jobcenter")
    assert service is not None
    by_service = OpenConflict("c", "referral", "r", "service_id", "jobcenter", "other")
    assert value_text(by_service, "jobcenter", directory) == service.name.get("en")
    set_language("de")
    assert value_text(by_service, "jobcenter", directory) == service.name.get("de")
    assert shown("status", "appointment_made") == "Termin vereinbart"
    # An appointment (recorded with a status change, so a conflict can be over it): its date
    # and time as the language writes them, not the ISO text stored.
    assert shown("appointment", "2026-12-09T10:30:00") == "09.12.2026, 10:30"
    assert field_label("appointment") == "Termin"
    set_language("ro")
    assert shown("appointment", "2026-12-09T10:30:00") == "9 dec. 2026, 10:30"
    set_language("en")


def test_the_dialog_logs_a_view_of_the_person_shown_not_of_everyone_listed(
    qtbot: QtBot, session: Session
) -> None:
    """Names in the list are no look at a record (as in the people list); showing a person's
    two values is, once while the dialog is open."""
    from desktop_app.usecases import audit

    ids = [
        people.register_person(session.store, session.user, PersonDraft(g, "Radu")).id
        for g in ("Elena", "Ion")
    ]
    values = (("0176 1", "0176 2"), ("0176 3", "0176 4"))
    for pid, (mine, theirs) in zip(ids, values, strict=True):
        _record_conflicts(session, pid, ("phone", mine, theirs))

    def views() -> list[str]:
        entries = audit.list_entries(session.store, session.user, action="view")
        return [e.record_id for e in entries if e.record_kind == "person"]

    window = MainWindow(session)
    qtbot.addWidget(window)
    dialog = window.sync.open_conflicts()  # type: ignore[attr-defined]
    assert dialog.list.count() == 2
    first = dialog.conflicts[0].person_id
    qtbot.waitUntil(lambda: views() == [first], timeout=30_000)
    dialog.list.setCurrentRow(1)
    dialog.list.setCurrentRow(0)  # again: no second entry
    other = dialog.conflicts[1].person_id
    qtbot.waitUntil(lambda: sorted(views()) == sorted([first, other]), timeout=30_000)
    assert window.recorder.wait(5000)
    assert sorted(views()) == sorted(ids)


def test_a_date_of_birth_to_correct_is_offered_as_it_is_typed(
    qtbot: QtBot, session: Session, tmp_path: Path
) -> None:
    pid = people.register_person(session.store, session.user, PersonDraft("Elena", "Radu")).id
    _record_conflicts(
        session,
        pid,
        ("date_of_birth", "1991-02-04", "1991-04-02"),
        ("notes", "Termin beim Jobcenter am Montag", "Termin abgesagt"),
    )
    window = MainWindow(session)
    qtbot.addWidget(window)
    window.resize(900, 700)
    dialog = window.sync.open_conflicts()  # type: ignore[attr-defined]
    rows = {c.field: i for i, c in enumerate(dialog.conflicts)}
    dialog.list.setCurrentRow(rows["date_of_birth"])
    assert dialog.edit_line.text() == "04.02.1991"
    dialog.list.setCurrentRow(rows["notes"])
    qtbot.waitExposed(dialog)
    # A text to edit stands beside its button, on the row under its label.
    box, button = dialog.edit_text.geometry(), dialog.save_edit.geometry()
    assert dialog.edit_text.isVisible() and button.top() == box.top()
    assert dialog.edit_label.geometry().bottom() < box.top()
    dialog.grab().save(str(tmp_path / "conflict-notes.png"))


def test_with_no_conflicts_the_dialog_says_there_is_nothing_to_decide(
    qtbot: QtBot, session: Session
) -> None:
    """It showed the instructions and two greyed panes with buttons to choose from."""
    window = shown_window(qtbot, session)
    dialog = window.sync.open_conflicts()  # type: ignore[attr-defined]
    qtbot.waitExposed(dialog)
    assert dialog.intro.text() == "Nothing to decide: there are no conflicts."
    assert not dialog.list.isVisible() and not dialog.choice.isVisible()
    window.switch_language("de")
    try:
        assert dialog.intro.text() == "Nichts zu entscheiden: Es gibt keine Konflikte."
    finally:
        window.switch_language("en")
    dialog.reject()


def _child(name: str) -> dict[str, str]:
    return {
        "child_name": name,
        "child_birth": "2020",
        "child_lives": "with_person",
        "child_care": "daycare",
    }


def _children_conflict(
    session: Session,
    count: int,
    mine: tuple[str, ...] = ("Ana",),
    theirs: tuple[str, ...] = ("Ion",),
) -> tuple[str, list[dict[str, str]]]:
    """Elena Radu's visit listing her first child and Ana (``mine``; in force, ``count``
    children counted), and a conflict over the list: another laptop listed her first child
    and Ion (``theirs``)."""
    from desktop_app.sync.conflict_records import record_conflict
    from desktop_app.sync.merge import Conflict

    pid = people.register_person(session.store, session.user, PersonDraft("Elena", "Radu")).id
    answers = full_life_situation()
    first = answers["children"][0]
    kept = [first, *map(_child, mine)]
    answers.update(children_count=count, children=kept)
    visit = visits.finish_visit(session.store, session.user, pid, "life_situation", answers)
    with session.store.transaction() as db:
        other = [first, *map(_child, theirs)]
        ours_at, theirs_at = f"{'1' * 13}-00001-a", f"{'1' * 13}-00000-b"
        conflict = Conflict("visit", visit.id, "answers/children", kept, ours_at, other, theirs_at)
        record_conflict(db, session.store, conflict, pid)
    return pid, [*kept, *map(_child, theirs)]


@contextmanager
def _conflicts_dialog(
    qtbot: QtBot, session: Session, lang: str
) -> Iterator[tuple[MainWindow, ConflictsDialog]]:
    """The window in ``lang`` with its conflicts dialog open; closed (and English) after."""
    set_language(lang)
    window = shown_window(qtbot, session)
    try:
        dialog = window.sync.open_conflicts()  # type: ignore[attr-defined]
        qtbot.waitExposed(dialog)
        yield window, dialog
        dialog.reject()
    finally:
        set_language("en")
        window.close()


def test_both_lists_of_children_are_kept_by_keyboard_and_shown_before(
    qtbot: QtBot, session: Session, tmp_path: Path
) -> None:
    """A conflict over a visit's children offers a third choice: both lists, every child
    once. The dialog shows what that gives, in the language chosen, and Alt+B takes it."""
    pid, both = _children_conflict(session, count=3)
    with _conflicts_dialog(qtbot, session, "en") as (window, dialog):
        assert dialog.both_box.isVisible() and dialog.both_box.title() == "Both"
        assert dialog.keep_both.text() == "Keep &both"
        assert dialog.both_count.text() == "3 entries from both values, each once"
        shown = dialog.both_text.text()
        assert shown.startswith("Children: (") and shown.count("(") == 3
        assert shown.index("Ana") < shown.index("Ion")  # the list in force first
        assert "Ion" not in dialog.kept_text.text() and "Ana" not in dialog.other_text.text()
        window.switch_language("de")
        assert (dialog.both_box.title(), dialog.keep_both.text()) == (
            "Beide",
            "Beide &zusammenführen",
        )
        assert dialog.both_count.text() == "3 Einträge aus beiden Werten, jeder einmal"
        assert dialog.both_text.text().startswith("Kinder: (")
        dialog.grab().save(str(tmp_path / "both-de.png"))
        window.switch_language("en")
        dialog.activateWindow()  # shortcuts go to the active window
        qtbot.waitUntil(dialog.isActiveWindow)
        qtbot.keyClick(dialog.list, Qt.Key.Key_B, Qt.KeyboardModifier.AltModifier)
        qtbot.waitUntil(lambda: dialog.list.count() == 0, timeout=30_000)
        assert not dialog.both_box.isVisible()
        (visit,) = visits.visit_history(session.store, session.user, pid)
        assert visit.answers["children"] == both


def test_both_lists_of_children_raise_their_count_and_beyond_the_maximum_are_refused(
    qtbot: QtBot, session: Session
) -> None:
    """Two children counted, three listed in both: keeping both counts three. Twenty-one
    children (the form allows twenty) are refused with the form's message, in German."""
    pid, both = _children_conflict(session, count=2)
    many = _children_conflict(
        session, 20, tuple(f"A{i}" for i in range(10)), tuple(f"B{i}" for i in range(10))
    )[0]
    with _conflicts_dialog(qtbot, session, "de") as (_window, dialog):
        assert dialog.list.count() == 2
        dialog.list.setCurrentRow(
            next(i for i, c in enumerate(dialog.conflicts) if c.person_id == pid)
        )
        assert dialog.both_count.text() == "3 Einträge aus beiden Werten, jeder einmal"
        dialog.keep_both.setFocus()
        qtbot.keyClick(dialog.keep_both, Qt.Key.Key_Space)
        qtbot.waitUntil(lambda: dialog.list.count() == 1, timeout=30_000)
        (visit,) = visits.visit_history(session.store, session.user, pid)
        assert visit.answers["children"] == both and visit.answers["children_count"] == 3
        dialog.list.setCurrentRow(0)
        assert dialog.both_count.text() == "21 Einträge aus beiden Werten, jeder einmal"
        dialog.keep_both.setFocus()
        qtbot.keyClick(dialog.keep_both, Qt.Key.Key_Space)
        qtbot.waitUntil(lambda: dialog.error.isVisible(), timeout=30_000)
        assert "Höchstens 20 Einträge sind möglich." in dialog.error.text()
        assert dialog.list.count() == 1 and dialog.choice.isEnabled()
        (visit,) = visits.visit_history(session.store, session.user, many)
        assert len(visit.answers["children"]) == 11  # nothing stored


def test_two_versions_of_answers_keep_both_lists_of_children_chosen_by_keyboard(
    qtbot: QtBot, session: Session
) -> None:
    """Two versions that do not fit together (answers+): the children of both may be kept,
    with the rest taken answer by answer. The choice is reached with the arrow keys."""
    pid = people.register_person(session.store, session.user, PersonDraft("Elena", "Radu")).id
    answers = {**full_life_situation(), "children_count": 3}
    first = answers["children"][0]
    visit = visits.finish_visit(session.store, session.user, pid, "life_situation", answers)
    newer = {**visit.answers, "rent_contract": "yes", "children": [first, _child("Ana")]}
    older = {k: v for k, v in visit.answers.items() if k != "rent"}
    older.update(housing_type="homeless", children=[first, _child("Ion")])
    older_answers_conflict(session, visit.id, pid, newer, older, field="answers+")
    with _conflicts_dialog(qtbot, session, "en") as (window, dialog):
        assert not dialog.both_box.isVisible()  # both is chosen per answer here
        assert set(dialog.take_both) == {"children"}
        both_button = dialog.take_both["children"]
        assert both_button.text() == "Both: 3 entries"
        assert "Ana" in both_button.toolTip() and "Ion" in both_button.toolTip()
        dialog.take_other["children"].click()
        window.switch_language("ro")  # what is chosen stays
        assert dialog.take_other["children"].isChecked()
        assert dialog.take_both["children"].text() == "Ambele: 3 înregistrări"
        window.switch_language("en")
        both_button = dialog.take_both["children"]
        dialog.activateWindow()  # the keys go to the focus of the active window
        qtbot.waitUntil(dialog.isActiveWindow)
        dialog.take_other["children"].setFocus()
        qtbot.keyClick(dialog.take_other["children"], Qt.Key.Key_Right)
        assert both_button.isChecked() and both_button.hasFocus()
        dialog.save_combination.click()
        qtbot.waitUntil(lambda: dialog.list.count() == 0, timeout=30_000)
        (shown,) = visits.visit_history(session.store, session.user, pid)
        assert shown.answers == {**newer, "children": [first, _child("Ana"), _child("Ion")]}


def _section_closed_and_opened_again_at_once(a: Session, b: Session) -> str:
    """B closes Elena Radu's health section to the helper Mihai (an account of A's) while A
    opens it again, neither having seen the other's: a conflict on both laptops. Her id."""
    from sqlalchemy import select

    from desktop_app.domain.users import Role
    from desktop_app.storage.audit_models import CaseOpeningRow
    from desktop_app.sync.merge import FieldState, RecordState
    from desktop_app.usecases import access, accounts
    from tests.integration.sync_harness import push_state, record_state

    pid = people.register_person(a.store, a.user, PersonDraft("Elena", "Radu")).id
    accounts.add_user(a, "mihai", "Mihai Student", Role.HELPER, "student pass 7")
    helper = accounts.log_in(a.store.paths.data_dir, "mihai", "student pass 7")
    helper.close()
    access.open_case_to_helper(a.store, a.user, pid, helper.user.id, "health")
    access.close_case_to_helper(a.store, a.user, pid, helper.user.id, "health")
    for s in (a, b):
        sync_uc.sync_now(s.store)
    with b.store.reading() as db:
        row = db.scalars(select(CaseOpeningRow).where(CaseOpeningRow.person_id == pid)).one()
        opening, base = row.id, row.updated_hlc
    clock = record_state("x", opening, {"x": 1}, b.store.device_id).fields["x"].clock
    fields = {
        n: FieldState(v, base)
        for n, v in {"person_id": pid, "helper_id": helper.user.id, "kind": "health"}.items()
    }
    fields["opened"] = FieldState(False, clock, base)
    push_state(b, RecordState("case_opening", opening, fields), revision=4)
    access.open_case_to_helper(a.store, a.user, pid, helper.user.id, "health")
    for s in (a, b):
        sync_uc.sync_now(s.store)
    return pid


def test_a_section_closed_and_opened_again_at_once_is_decided_in_the_dialog(
    qtbot: QtBot,
    tmp_path: Path,
    laptops: Laptops,
) -> None:
    """B closes a section to a helper while A opens it again, neither having seen the other's:
    the conflict is shown as the field by its name, the values as yes and no; the advisor's
    choice holds on both laptops."""
    from desktop_app.usecases import access

    a = laptops.new("A")
    b = laptops.new("B")
    try:
        pid = _section_closed_and_opened_again_at_once(a, b)
        set_language("en")
        window = shown_window(qtbot, a)
        window.show_person(pid)
        window.conflict_notice.button.click()  # type: ignore[attr-defined]
        dialog = window.findChild(ConflictsDialog)
        assert dialog is not None and dialog.isVisible()
        assert _titles(dialog) == [
            "Elena Radu · Case opened to a helper (Health details) · Open to the helper"
        ]
        assert (dialog.kept_text.text(), dialog.other_text.text()) == ("yes", "no")
        dialog.grab().save(str(tmp_path / "case_opening_conflict.png"))
        dialog.keep_second.click()  # closed after all
        qtbot.waitUntil(lambda: dialog.list.count() == 0, timeout=30_000)
        dialog.reject()
        window.close()
        for s in (a, b):
            sync_uc.sync_now(s.store)
        assert [access.openings_of(s.store, s.user, pid) for s in (a, b)] == [{}, {}]
    finally:
        set_language("en")


def test_a_helper_sees_a_conflict_an_advisor_decides_and_is_told_so_before_choosing(
    qtbot: QtBot, laptops: Laptops
) -> None:
    """A helper may decide a person's phone, not whether a section is opened to a helper: the
    dialog offered Keep / Take the other, and only the click said "not allowed". Now the
    choices are closed and the dialog says who decides; the use case refuses it all the same."""
    from desktop_app.domain.permissions import PermissionDenied
    from desktop_app.usecases import accounts

    a = laptops.new("A")
    b = laptops.new("B")
    pid = _section_closed_and_opened_again_at_once(a, b)
    helper = accounts.log_in(a.store.paths.data_dir, "mihai", "student pass 7")
    laptops.sessions.append(helper)
    (conflict,) = sync_uc.open_conflicts(a.store, helper.user)
    assert not conflict.decidable
    with pytest.raises(PermissionDenied):
        conflicts_uc.resolve_conflict(a.store, helper.user, conflict.id, conflict.other_value)
    set_language("bg")
    try:
        window = shown_window(qtbot, helper)
        window.show_person(pid)
        window.conflict_notice.button.click()  # type: ignore[attr-defined]
        dialog = window.findChild(ConflictsDialog)
        assert dialog is not None and dialog.isVisible()
        assert dialog.list.count() == 1  # shown: the helper knows it is there
        assert not dialog.kept_box.isEnabled() and not dialog.other_box.isEnabled()
        assert dialog.error.isVisible()
        assert dialog.error.text() == (
            "Вашият профил няма право да прави тази промяна. Този конфликт се решава от консултант."
        )
        dialog.keep_second.click()  # closed: nothing happens
        assert len(sync_uc.open_conflicts(a.store)) == 1
        dialog.reject()
        window.close()
    finally:
        set_language("en")
    # The advisor's view of the same conflict is a choice.
    (same,) = sync_uc.open_conflicts(a.store, a.user)
    assert same.decidable


@pytest.mark.parametrize("lang", ["de", "bg", "ro", "en"])
def test_the_field_for_the_right_value_has_an_access_key_of_its_own(
    qtbot: QtBot, session: Session, lang: str
) -> None:
    """The label "Or enter the right value:" named the field but had no access key: the
    dialog's only field was reached by tabbing through every button before it."""
    from tests.ui.test_keyboard_ui import _keyed_texts
    from tests.ui.test_main_window import _access_key

    pid = people.register_person(
        session.store, session.user, PersonDraft("Elena", "Radu", phone="0176 1")
    ).id
    _record_conflicts(session, pid, ("phone", "0176 1", "0176 2"))
    with _conflicts_dialog(qtbot, session, lang) as (_window, dialog):
        qtbot.waitUntil(lambda: dialog.list.count() == 1, timeout=30_000)
        assert dialog.edit_line.isVisible() and dialog.edit_label.buddy() is dialog.edit_line
        key = _access_key(dialog.edit_label.text())
        assert key is not None, dialog.edit_label.text()
        keys = [_access_key(t) for t in _keyed_texts(dialog)]
        assert keys.count(key) == 1, (lang, _keyed_texts(dialog))
        assert len(set(keys)) == len(keys), (lang, _keyed_texts(dialog))


@pytest.mark.parametrize("lang", ["de", "bg", "ro", "en"])
def test_the_notice_on_a_persons_page_has_an_access_key_of_its_own(
    qtbot: QtBot, session: Session, lang: str
) -> None:
    """German "&Entscheiden…" shared E with the page's "Vermitt&eln…": Alt+E went to one of
    them in turn. (Bulgarian said "Ре&шете…" where the page's buttons are nouns.)"""
    from tests.ui.test_keyboard_ui import _keyed_texts
    from tests.ui.test_main_window import _access_key

    pid = people.register_person(
        session.store, session.user, PersonDraft("Elena", "Radu", phone="0176 1")
    ).id
    _record_conflicts(session, pid, ("phone", "0176 1", "0176 2"))
    set_language(lang)
    try:
        window = shown_window(qtbot, session, 1100)
        window.show_person(pid)
        notice = window.conflict_notice  # type: ignore[attr-defined]
        qtbot.waitUntil(notice.isVisible, timeout=30_000)
        assert _access_key(notice.button.text()) is not None, notice.button.text()
        texts = _keyed_texts(window) + [a.text() for a in window.menuBar().actions()]
        assert notice.button.text() in texts
        keys = [_access_key(t) for t in texts]
        assert len(set(keys)) == len(keys), (lang, sorted(texts))
        window.close()
    finally:
        set_language("en")


@pytest.mark.parametrize("shape", ["value", "children", "versions"])
def test_the_bulgarian_buttons_name_their_actions_with_nouns_each_key_once(
    qtbot: QtBot, session: Session, tmp_path: Path, shape: str
) -> None:
    """Bulgarian said "Запази …" and "Вземи …" (imperatives) where the rest of its UI names
    actions with nouns ("Блокиране", "Присъединяване", "Ре&шаване…"). Each of the dialog's
    three shapes (a value, a visit's children, two versions of a visit's answers)."""
    from PySide6.QtWidgets import QPushButton

    from tests.ui.test_keyboard_ui import _keyed_texts
    from tests.ui.test_main_window import _access_key

    if shape == "value":
        pid = people.register_person(
            session.store, session.user, PersonDraft("Elena", "Radu", phone="0176 1")
        ).id
        _record_conflicts(session, pid, ("phone", "0176 1", "0176 2"))
    elif shape == "children":
        _children_conflict(session, count=3)
    else:
        pid = people.register_person(session.store, session.user, PersonDraft("Elena", "Radu")).id
        answers = full_life_situation()
        visit = visits.finish_visit(session.store, session.user, pid, "life_situation", answers)
        older = {k: v for k, v in visit.answers.items() if k != "rent"}
        older["housing_type"] = "homeless"
        newer = {**visit.answers, "rent_contract": "yes"}
        older_answers_conflict(session, visit.id, pid, newer, older, field="answers+")
    with _conflicts_dialog(qtbot, session, "bg") as (_window, dialog):
        qtbot.waitUntil(lambda: dialog.list.count() == 1, timeout=30_000)
        buttons = [
            b
            for b in dialog.findChildren(QPushButton)
            if b.isVisibleTo(dialog) and _access_key(b.text())
        ]
        shown = [b.text() for b in buttons]
        # Whole, also where three sides share the width (the nouns are longer)
        cut = [b.text() for b in buttons if b.width() < b.sizeHint().width()]
        assert cut == [], shown
        assert len(shown) == 3, shown  # the two sides and the third choice of each shape
        # A verbal noun ("Запазване", "Приемане"), as "&Затваряне" beside them
        verbs = [t for t in shown if not t.replace("&", "").split()[0].endswith("не")]
        assert verbs == [], shown
        keys = [_access_key(t) for t in _keyed_texts(dialog)]
        assert len(set(keys)) == len(keys), _keyed_texts(dialog)
        if SHOTS:
            dialog.grab().save(str(Path(SHOTS) / f"conflicts-bg-{shape}.png"))


def test_enter_in_the_list_decides_nothing(qtbot: QtBot, session: Session) -> None:
    """The list had the focus and "Keep the value in force" was the dialog's default button:
    Enter, pressed to open the conflict chosen, threw the other laptop's value away."""
    pid = people.register_person(
        session.store, session.user, PersonDraft("Elena", "Radu", phone="0176 1")
    ).id
    _record_conflicts(session, pid, ("phone", "0176 1", "0176 2"))
    with _conflicts_dialog(qtbot, session, "ro") as (_window, dialog):
        qtbot.waitUntil(lambda: dialog.list.count() == 1, timeout=30_000)
        dialog.activateWindow()
        qtbot.waitUntil(dialog.isActiveWindow)
        dialog.list.setFocus()
        qtbot.waitUntil(dialog.list.hasFocus)
        qtbot.keyClick(dialog.list, Qt.Key.Key_Return)
        assert not dialog.save.saving  # no decision on its way to the store
        assert [c.field for c in conflicts_uc.open_conflicts(session.store, session.user)] == [
            "phone"
        ]
        assert dialog.list.count() == 1


def test_enter_in_the_field_for_the_right_value_saves_what_was_typed(
    qtbot: QtBot, session: Session
) -> None:
    """Enter in "Or enter the right value" went to the dialog's default button, "Keep the
    value in force": the number typed was dropped and the old one kept."""
    pid = people.register_person(
        session.store, session.user, PersonDraft("Elena", "Radu", phone="0176 1")
    ).id
    _record_conflicts(session, pid, ("phone", "0176 1", "0176 2"))
    with _conflicts_dialog(qtbot, session, "bg") as (_window, dialog):
        qtbot.waitUntil(lambda: dialog.list.count() == 1, timeout=30_000)
        dialog.activateWindow()
        qtbot.waitUntil(dialog.isActiveWindow)
        dialog.edit_line.setFocus()
        dialog.edit_line.selectAll()
        qtbot.keyClicks(dialog.edit_line, "0176 3")
        qtbot.keyClick(dialog.edit_line, Qt.Key.Key_Return)
        qtbot.waitUntil(lambda: dialog.list.count() == 0, timeout=30_000)
        assert dialog.isVisible()  # decided, not closed
    person = people.get_person(session.store, session.user, pid)
    assert person is not None and person.phone == "0176 3"


@pytest.mark.parametrize(("lang", "born"), [("bg", "1.05.2018\u202fг."), ("ro", "1 mai 2018")])
def test_a_childs_date_of_birth_is_shown_in_the_languages_format(
    qtbot: QtBot, session: Session, lang: str, born: str
) -> None:
    """A child's date of birth in a conflict over a visit's children was shown as stored,
    "2018-05-01", in every language (the person's data copy says "1.05.2018 г.")."""
    _children_conflict(session, count=3)
    with _conflicts_dialog(qtbot, session, lang) as (_window, dialog):
        qtbot.waitUntil(lambda: dialog.list.count() == 1, timeout=30_000)
        shown = [dialog.kept_text.text(), dialog.other_text.text(), dialog.both_text.text()]
    assert all("2018-05-01" not in text for text in shown), shown
    assert all(born in text for text in shown), shown


@pytest.mark.parametrize("lang", ["bg", "ro"])
def test_enter_on_a_choice_of_each_answer_saves_the_answers_chosen(
    qtbot: QtBot, session: Session, lang: str, shots: Path
) -> None:
    """Enter on a "take each answer" choice went to Close, which asked whether to throw the
    answers chosen away: it saves them now, as "Save these answers" does."""
    pid = people.register_person(session.store, session.user, PersonDraft("Elena", "Radu")).id
    visit = visits.finish_visit(
        session.store, session.user, pid, "life_situation", full_life_situation()
    )
    theirs = {k: v for k, v in visit.answers.items() if k != "rent"}
    theirs["housing_type"] = "homeless"
    older_answers_conflict(session, visit.id, pid, visit.answers, theirs)
    with _conflicts_dialog(qtbot, session, lang) as (_window, dialog):
        assert dialog.combine.isVisible()
        dialog.activateWindow()
        qtbot.waitUntil(dialog.isActiveWindow)
        for key in ("rent", "housing_type"):
            dialog.take_other[key].setFocus()
            qtbot.keyClick(dialog.take_other[key], Qt.Key.Key_Space)
            assert dialog.take_other[key].isChecked()
        dialog.grab().save(str(shots / f"conflicts-each-answer-{lang}.png"))
        qtbot.keyClick(dialog.take_other["housing_type"], Qt.Key.Key_Return)
        assert dialog.keeps_input.question is None  # not asked whether to throw them away
        qtbot.waitUntil(lambda: dialog.list.count() == 0, timeout=30_000)
        assert dialog.isVisible()  # decided, not closed
    (shown,) = visits.visit_history(session.store, session.user, pid)
    assert shown.answers == theirs


def test_a_decision_refreshes_the_notice_and_the_sync_status_once(
    qtbot: QtBot, session: Session, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Deciding a conflict read the person page's count of conflicts and the sync status
    twice each: once directly, once more through the window's ``person_data_saved`` it says.
    Counted here by the store readings they make (the real ones, counted on their way)."""
    pid = people.register_person(
        session.store, session.user, PersonDraft("Elena", "Radu", phone="0176 1")
    ).id
    _record_conflicts(session, pid, ("phone", "0176 1", "0176 2"))
    window = shown_window(qtbot, session)
    try:
        window.show_person(pid)
        notice = window.conflict_notice  # type: ignore[attr-defined]
        qtbot.waitUntil(notice.isVisible, timeout=30_000)
        controller = window.sync  # type: ignore[attr-defined]
        controller.timer.stop()  # no sync of its own meanwhile
        dialog = controller.open_conflicts()
        qtbot.waitExposed(dialog)
        qtbot.waitUntil(lambda: dialog.list.count() == 1, timeout=30_000)
        window.tasks.wait()  # the window's own readings done before counting
        QApplication.processEvents()  # ...and their answers shown

        counted: list[str] = []
        count_about, status = conflicts_uc.open_count_about, sync_uc.status

        def counting_count_about(*args: object, **kwargs: object) -> int:
            counted.append("notice")
            return count_about(*args, **kwargs)  # type: ignore[arg-type]

        def counting_status(*args: object, **kwargs: object) -> sync_uc.SyncStatus:
            counted.append("status")  # (on a worker: a list's append is atomic)
            return status(*args, **kwargs)  # type: ignore[arg-type]

        monkeypatch.setattr(conflicts_uc, "open_count_about", counting_count_about)
        monkeypatch.setattr(sync_uc, "status", counting_status)
        with qtbot.waitSignal(dialog.decided, timeout=30_000):
            dialog.keep_second.click()  # the other laptop's number
        assert window.tasks.wait(30_000)  # the readings started on workers have run
        qtbot.waitUntil(lambda: not notice.isVisible(), timeout=30_000)
        assert sorted(counted) == ["notice", "status"], counted
        person = people.get_person(session.store, session.user, pid)
        assert person is not None and person.phone == "0176 2"
        dialog.reject()
    finally:
        window.close()
