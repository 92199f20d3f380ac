"""A life-situation check finished in the real window: what the person's record lacked is on
their page at once and the status line says so; where the record says otherwise, one question
lists the differences, keeping them the default, and updating changes the record."""

from __future__ import annotations

import gc
from collections.abc import Callable
from functools import partial
from pathlib import Path

import pytest
from PySide6.QtWidgets import QApplication, QLabel, QMessageBox
from pytestqt.qtbot import QtBot

from desktop_app.domain.person import Person, PersonDraft
from desktop_app.i18n.text import _, set_language
from desktop_app.ui.main_window import MainWindow
from desktop_app.ui.visits import (
    _FACT_NAMES,
    VisitsFeature,
    VisitWindow,
    form_title,
    taken_over_text,
)
from desktop_app.usecases import people, visits
from desktop_app.usecases.accounts import Session
from tests.ui.conftest import finish_form, shown_window, switch_user_at_lock
from tests.unit.test_visits import consent_answers, full_life_situation


def _person(session: Session) -> Person:
    """Maria with a phone and no nationality ("—" on her page)."""
    person = people.register_person(
        session.store,
        session.user,
        PersonDraft(
            "Мария",
            "Петрова",
            "02.04.1991",
            sex="female",
            languages=("bg", "tr"),
            phone="0176 1111111",
        ),
        confirm_duplicates=True,
    )
    visits.record_consent(session.store, session.user, person.id, consent_answers())
    return person


def _finish_check(
    qtbot: QtBot, session: Session, person: Person
) -> tuple[MainWindow, VisitsFeature]:
    window = shown_window(qtbot, session, 1100)
    feature: VisitsFeature = window.visits  # type: ignore[attr-defined]
    window.show_person(person.id)
    page = window.person_page
    qtbot.waitUntil(lambda: page.person is not None and page.person.id == person.id)
    assert page.values["nationality"].text() == "—"
    win = feature.start("life_situation")
    assert win is not None
    started = win.view.answers()
    assert "nationality" not in started and started["phone"] == "0176 1111111"
    names = {k: started[k] for k in ("family_name", "given_names", "date_of_birth")}
    # The advisor asks the nationality and hears of a new phone number.
    win.view.set_answers(full_life_situation() | names | {"phone": "0176 2222222"})
    assert finish_form(qtbot, win) is not None
    return window, feature


def test_a_check_fills_in_the_nationality_and_asks_before_changing_the_phone(
    qtbot: QtBot, session: Session
) -> None:
    person = _person(session)
    window, feature = _finish_check(qtbot, session, person)
    page = window.person_page
    qtbot.waitUntil(lambda: page.values["nationality"].text() == "Bulgaria")
    qtbot.waitUntil(
        lambda: (row := window.model.entry(0)) is not None and row.nationality == "BG"
    )  # the list too
    notice = feature.taken_over_notice
    assert notice.isVisible() and notice.text() == "Nationality taken over into the personal data."
    assert window.statusBar().currentMessage() == (
        "Check on the life situation stored, personal data completed."
    )
    box = feature.take_over_question
    assert box is not None and box.isVisible()
    assert "Phone: 0176 1111111 → 0176 2222222" in box.text()
    assert box.defaultButton() is box.escapeButton()  # keeping them: Enter and Escape
    assert box.defaultButton().text() == "&Keep them"
    assert page.values["phone"].text() == "0176 1111111"  # nothing changed unasked
    update = next(
        b for b in box.buttons() if box.buttonRole(b) is QMessageBox.ButtonRole.AcceptRole
    )
    update.click()
    qtbot.waitUntil(lambda: page.values["phone"].text() == "0176 2222222")
    assert notice.text() == "Nationality and phone taken over into the personal data."
    assert window.statusBar().currentMessage() == "Personal data updated."
    stored = people.get_person(session.store, session.user, person.id)
    assert stored is not None and (stored.phone, stored.nationality) == ("0176 2222222", "BG")
    assert feature.take_over_question is None
    window.close()


def _keep_them_with_screenshots(qtbot: QtBot, session: Session, lang: str, shots: Path) -> None:
    person = _person(session)
    window, feature = _finish_check(qtbot, session, person)
    box = feature.take_over_question
    assert box is not None and box.isVisible()
    qtbot.waitUntil(lambda: "—" not in window.person_page.values["nationality"].text())
    QApplication.processEvents()
    assert window.grab().save(str(shots / f"facts-page-{lang}.png"))
    assert box.grab().save(str(shots / f"facts-question-{lang}.png"))
    box.defaultButton().click()  # keep them
    qtbot.waitUntil(lambda: feature.take_over_question is None)
    stored = people.get_person(session.store, session.user, person.id)
    assert stored is not None and stored.phone == "0176 1111111"
    window.close()


def test_keeping_them_leaves_the_record_and_screenshots_in_german_and_bulgarian(
    qtbot: QtBot, session: Session, shots: Path
) -> None:
    try:
        for lang in ("de", "bg"):
            set_language(lang)
            _keep_them_with_screenshots(qtbot, session, lang, shots)
    finally:
        set_language("en")


def _fits_the_status_line(window: MainWindow) -> str:
    """The status line's message, painted whole in the room its widgets leave it."""
    from desktop_app.ui.status_bar import StatusBar

    bar = window.statusBar()
    assert isinstance(bar, StatusBar)
    for _round in range(3):  # the status bar lays out again once its widgets have
        QApplication.processEvents()
    message = bar.currentMessage()
    assert message and not bar.message_elided(), message
    assert bar.fontMetrics().horizontalAdvance(message) <= bar.message_rect().width()
    assert bar.shown_message() == message
    return message


def _shown_whole(label: QLabel) -> bool:
    """The label is on screen with all its lines (word-wrapped in the width it has)."""
    return label.isVisible() and label.heightForWidth(label.width()) <= label.height()


@pytest.mark.parametrize("lang", ["de", "bg"])
def test_at_1100_pixels_what_a_check_took_over_is_read_whole(
    qtbot: QtBot, session: Session, program_font: None, lang: str, shots: Path
) -> None:
    """The status line said "Check der Lebenssituation gespeichert. Staatsangehörigkeit,
    Geschlecht, Telef…" at 1100 px (bg: "… Прехвърлени в личните данн…"): which fields a check
    took over into the record was cut off. Now the status line says shortly that the record
    was completed, whole, and the person's page lists the fields, whole, until another person
    is opened; the fields a later "Update" takes over join the list."""
    person = people.register_person(
        session.store,
        session.user,
        PersonDraft("Мария", "Петрова", "02.04.1991", phone="0176 1111111"),
        confirm_duplicates=True,
    )
    other = people.register_person(
        session.store, session.user, PersonDraft("Ion", "Popescu", "01.01.1980")
    )
    visits.record_consent(session.store, session.user, person.id, consent_answers())
    set_language(lang)
    try:
        window, feature = _finish_check(qtbot, session, person)
        notice = feature.taken_over_notice
        filled = ("nationality", "sex", "languages")
        qtbot.waitUntil(lambda: _shown_whole(notice))
        assert notice.text() == taken_over_text(filled)
        for field in filled:
            assert _(_FACT_NAMES[field]) in notice.text(), field
        said = _fits_the_status_line(window)
        assert said == _("{form} stored, personal data completed.").format(
            form=form_title("life_situation")
        )
        window.grab().save(str(shots / f"taken-over-{lang}.png"))
        box = feature.take_over_question
        assert box is not None
        update = next(
            b for b in box.buttons() if box.buttonRole(b) is QMessageBox.ButtonRole.AcceptRole
        )
        update.click()
        qtbot.waitUntil(lambda: window.person_page.values["phone"].text() == "0176 2222222")
        assert notice.text() == taken_over_text((*filled, "phone"))
        assert _fits_the_status_line(window) == _("Personal data updated.")
        qtbot.waitUntil(lambda: _shown_whole(notice))
        window.grab().save(str(shots / f"taken-over-updated-{lang}.png"))
        window.show_person(other.id)  # not hers: the notice goes
        qtbot.waitUntil(lambda: window.person_page.person is not None)
        shown = window.person_page.person
        assert shown is not None and shown.id == other.id and notice.isHidden()
        window.close()
    finally:
        set_language("en")


def _new_check(
    qtbot: QtBot, session: Session, person: Person
) -> tuple[MainWindow, VisitsFeature, VisitWindow]:
    """The main window (1100 px) on ``person``, a new life-situation check opened in it."""
    window = shown_window(qtbot, session, 1100)
    feature: VisitsFeature = window.visits  # type: ignore[attr-defined]
    window.show_person(person.id)
    qtbot.waitUntil(lambda: window.person_page.person is not None)
    win = feature.start("life_situation")
    assert win is not None
    return window, feature, win


def _check_with_a_new_phone(
    qtbot: QtBot, session: Session, person: Person
) -> tuple[MainWindow, VisitsFeature, VisitWindow]:
    """The main window (1100 px) on ``person``, a new life-situation check in it answered in
    full, its phone 0176 2222222 (the record's is another): ready to finish."""
    window, feature, win = _new_check(qtbot, session, person)
    started = win.view.answers()
    names = {k: started[k] for k in ("family_name", "given_names", "date_of_birth")}
    win.view.set_answers(full_life_situation() | names | {"phone": "0176 2222222"})
    return window, feature, win


def _closed_while_stored(qtbot: QtBot, session: Session, person: Person) -> MainWindow:
    """The check with a new phone finished, and its window closed before the visit's answer
    came back (the visit is stored on a worker; closing waits for it)."""
    window, _feature, win = _check_with_a_new_phone(qtbot, session, person)
    with qtbot.waitSignal(win.finish_answered, timeout=10_000) as answered:
        win.finish()
        assert win._finishing is not None  # stored on its worker: the answer not back yet
        win.close()
    assert answered.args[0] is not None and win.closed_meanwhile
    return window


def test_a_form_closed_while_it_is_stored_still_asks_about_the_differences(
    qtbot: QtBot, session: Session
) -> None:
    """Closed while the visit was stored (Close, Escape), the check asked nothing: the
    record kept its old phone and nobody was told the check said otherwise. The question is
    asked all the same, in the main window."""
    person = _person(session)
    window = _closed_while_stored(qtbot, session, person)
    feature: VisitsFeature = window.visits  # type: ignore[attr-defined]
    qtbot.waitUntil(lambda: feature.take_over_question is not None)
    box = feature.take_over_question
    assert box is not None and box.isVisible()
    assert "Phone: 0176 1111111 → 0176 2222222" in box.text()
    update = next(
        b for b in box.buttons() if box.buttonRole(b) is QMessageBox.ButtonRole.AcceptRole
    )
    update.click()
    qtbot.waitUntil(lambda: window.person_page.values["phone"].text() == "0176 2222222")
    stored = people.get_person(session.store, session.user, person.id)
    assert stored is not None and stored.phone == "0176 2222222"
    window.close()


@pytest.mark.parametrize("lang", ["en", "de"])
def test_the_main_window_closed_while_a_check_is_stored_keeps_the_record_and_says_so(
    qtbot: QtBot, session: Session, lang: str
) -> None:
    """Quitting (the main window closed, which closes the forms) while the check is stored:
    nobody is there to ask. The record is kept, as the question's default would have it, and
    the status line says so and what the check says otherwise."""
    person = _person(session)
    set_language(lang)
    try:
        window, feature, win = _check_with_a_new_phone(qtbot, session, person)
        with qtbot.waitSignal(win.finish_answered, timeout=10_000):
            win.finish()
            assert win._finishing is not None
            window.close()  # closes the form first, which waits for the visit
        assert win.closed_meanwhile
        assert feature.take_over_question is None
        said = window.statusBar().currentMessage()
        assert said == _(
            "Personal data kept as it was; the check says otherwise: {fields}."
        ).format(fields=_(_FACT_NAMES["phone"])), said
        stored = people.get_person(session.store, session.user, person.id)
        assert stored is not None and stored.phone == "0176 1111111"
    finally:
        set_language("en")


def _finished_behind_the_lock(
    qtbot: QtBot, win: VisitWindow, locker: object, finish: Callable[[], object]
) -> None:
    """The check finished (``finish``: Finish, or Finish and refer) and the laptop locked
    before its answer came back; the answer is in once this returns."""
    with qtbot.waitSignal(win.finish_answered, timeout=10_000) as answered:
        finish()
        locker.lock()  # type: ignore[attr-defined]
    assert answered.args[0] is not None
    QApplication.processEvents()


def test_a_check_stored_behind_the_lock_asks_once_unlocked(qtbot: QtBot, session: Session) -> None:
    """The laptop locked while the check was stored: the question, which lists the person's
    phone numbers, is not put over the lock screen, and not dropped either: it is asked once
    the laptop is unlocked."""
    person = _person(session)
    window, feature, win = _check_with_a_new_phone(qtbot, session, person)
    locker = window.locker  # type: ignore[attr-defined]
    _finished_behind_the_lock(qtbot, win, locker, win.finish)
    assert locker.is_locked and feature.take_over_question is None
    assert not any(
        isinstance(w, QMessageBox) and w.isVisible() for w in QApplication.topLevelWidgets()
    )
    locker.unlock()
    qtbot.waitUntil(lambda: feature.take_over_question is not None)
    box = feature.take_over_question
    assert box is not None and box.isVisible()
    assert "Phone: 0176 1111111 → 0176 2222222" in box.text()
    box.defaultButton().click()  # keep them
    qtbot.waitUntil(lambda: feature.take_over_question is None)
    stored = people.get_person(session.store, session.user, person.id)
    assert stored is not None and stored.phone == "0176 1111111"
    # held in the store while the lock was on (for a restart); answered, let go
    assert feature._held.wait(10_000)
    assert visits.held_questions(session.store, session.user) == []
    window.close()


def test_a_question_waiting_for_unlock_waits_for_its_user_when_another_logs_in(
    qtbot: QtBot, session: Session
) -> None:
    """The check stored behind the lock, and another user logged in at the lock screen: the
    question, which waited for the unlock, was dropped without a word. It is kept for the
    user whose check it was: the other user sees nothing of it (it lists the person's phone
    numbers), and it is asked when that user next logs in (after a restart too: held in the
    store, test_a_question_held_for_its_user_is_asked_at_their_login_after_a_restart)."""
    from desktop_app.domain.users import Role
    from desktop_app.usecases import accounts

    accounts.add_user(session, "mihai", "Mihai Popescu", Role.ADVISOR, "advisor pass 12")
    person = _person(session)
    window, feature, win = _check_with_a_new_phone(qtbot, session, person)
    locker = window.locker  # type: ignore[attr-defined]
    _finished_behind_the_lock(qtbot, win, locker, win.finish)
    assert feature.take_over_question is None
    # Another user logs in at the lock screen: nothing of the question for them.
    other = switch_user_at_lock(window, "advisor pass 12", "mihai")
    del window, feature, win, locker  # closed and deleted by the switch
    gc.collect()  # (qtbot would close the deleted window at the end)
    installed = partial(getattr, other, "features_installed")
    qtbot.waitUntil(installed, timeout=10_000)
    del installed
    qtbot.wait(100)  # the new window's first events: where a waiting question would be asked
    assert other.user is not None and other.user.account == "mihai"
    assert other.visits.take_over_question is None  # type: ignore[attr-defined]
    assert not any(
        isinstance(w, QMessageBox) and w.isVisible() for w in QApplication.topLevelWidgets()
    )
    assert "0176" not in other.statusBar().currentMessage()
    # Anna logs in again: she is asked, and her answer is stored.
    again = switch_user_at_lock(other)
    del other
    gc.collect()
    qtbot.addWidget(again)
    qtbot.waitUntil(lambda: again.features_installed, timeout=10_000)
    again_feature: VisitsFeature = again.visits  # type: ignore[attr-defined]
    qtbot.waitUntil(lambda: again_feature.take_over_question is not None, timeout=10_000)
    box = again_feature.take_over_question
    assert box is not None and box.isVisible()
    assert "Phone: 0176 1111111 → 0176 2222222" in box.text()
    page = again.person_page  # whose record it is: the question does not name her
    qtbot.waitUntil(lambda: page.person is not None and page.person.id == person.id)
    update = next(
        b for b in box.buttons() if b.text().replace("&", "") == "Update the personal data"
    )
    # the answer stored and shown (the window is closed only after: its store with it)
    with qtbot.waitSignal(again.person_data_saved, timeout=10_000):
        update.click()
    qtbot.waitUntil(lambda: again_feature.take_over_question is None)
    store, user = again.session.store, again.session.user
    qtbot.waitUntil(
        lambda: getattr(people.get_person(store, user, person.id), "phone", "") == "0176 2222222",
        timeout=10_000,
    )
    again.close()
    again.session.close()  # the store this test's switch opened


@pytest.mark.parametrize(("lang", "named"), [("en", "Poland"), ("de", "Polen"), ("bg", "Полша")])
def test_a_new_check_says_which_eu_nationality_the_record_holds(
    qtbot: QtBot, session: Session, lang: str, named: str
) -> None:
    """A person recorded as Polish: a new check answered "other EU nationality" and left
    "Which nationality?" empty, to be asked again. It is filled in with the country's name in
    the UI language, and finishing the check as it was prefilled finds no difference."""
    person = people.register_person(
        session.store,
        session.user,
        PersonDraft("Anna", "Kowalska", "02.04.1991", sex="female", nationality="PL"),
        confirm_duplicates=True,
    )
    visits.record_consent(session.store, session.user, person.id, consent_answers())
    set_language(lang)
    try:
        window, feature, win = _new_check(qtbot, session, person)
        started = win.view.answers()
        assert started["nationality"] == "other_eu"
        assert started["nationality_other"] == named
        editor = win.view.editors["nationality_other"]
        assert editor.isVisibleTo(win)
        rest = {k: v for k, v in full_life_situation().items() if k not in started}
        win.view.set_answers(started | rest)
        visit = finish_form(qtbot, win)
        assert visit is not None and visit.facts is not None
        assert visit.facts.differing == ()
        assert feature.take_over_question is None
        stored = people.get_person(session.store, session.user, person.id)
        assert stored is not None and stored.nationality == "PL"
        window.close()
    finally:
        set_language("en")


def test_a_question_held_for_its_user_leads_back_to_the_refer_dialog_it_came_from(
    qtbot: QtBot, session: Session, shots: Path
) -> None:
    """A check finished with "Finish and refer…" as the laptop locked, and another user
    logged in at the lock: when the check's user logged in again she was asked about the
    differences, and then nothing: the Refer dialog the check was finished for did not open,
    and nothing said it had not. Answered now, the question leads to that person's Refer
    dialog, as it does without the lock; the other user sees neither."""
    from desktop_app.domain.users import Role
    from desktop_app.ui.referrals import ReferDialog
    from desktop_app.usecases import accounts

    def refer_dialogs() -> list[ReferDialog]:
        return [
            w
            for w in QApplication.topLevelWidgets()
            if isinstance(w, ReferDialog) and w.isVisible()
        ]

    accounts.add_user(session, "mihai", "Mihai Popescu", Role.ADVISOR, "advisor pass 12")
    person = _person(session)
    window, _feature, win = _check_with_a_new_phone(qtbot, session, person)
    locker = window.locker  # type: ignore[attr-defined]
    _finished_behind_the_lock(qtbot, win, locker, win.refer_button.click)  # Finish and refer…
    assert not refer_dialogs()  # not over the lock screen either
    other = switch_user_at_lock(window, "advisor pass 12", "mihai")
    del window, _feature, win, locker  # closed and deleted by the switch
    gc.collect()
    installed = partial(getattr, other, "features_installed")
    qtbot.waitUntil(installed, timeout=10_000)
    del installed
    assert other.user is not None and other.user.account == "mihai"
    assert other.visits.take_over_question is None  # type: ignore[attr-defined]
    assert not refer_dialogs()
    again = switch_user_at_lock(other)
    del other
    gc.collect()
    qtbot.addWidget(again)
    qtbot.waitUntil(lambda: again.features_installed, timeout=10_000)
    feature: VisitsFeature = again.visits  # type: ignore[attr-defined]
    qtbot.waitUntil(lambda: feature.take_over_question is not None, timeout=10_000)
    box = feature.take_over_question
    assert box is not None and "Phone: 0176 1111111 → 0176 2222222" in box.text()
    assert not refer_dialogs()  # after the answer, as without the lock
    again.grab().save(str(shots / "held-question-asked.png"))
    box.grab().save(str(shots / "held-question-box.png"))
    box.defaultButton().click()  # keep them
    qtbot.waitUntil(lambda: bool(refer_dialogs()), timeout=10_000)
    [dialog] = refer_dialogs()
    assert dialog.parent() is again
    page = again.person_page
    assert page.person is not None and page.person.id == person.id  # the Refer dialog's
    assert again.referrals.dialog is dialog  # type: ignore[attr-defined]
    qtbot.waitExposed(dialog)
    dialog.grab().save(str(shots / "held-question-refer-dialog.png"))
    dialog.reject()
    again.close()
    again.session.close()  # the store this test's switch opened


def _shown_for(qtbot: QtBot, data_dir: Path, account: str, password: str) -> MainWindow:
    """The program started again on ``data_dir`` (the store opened anew) and ``account``
    logged in: its main window, its features in, the questions held for it read."""
    from desktop_app.usecases import accounts

    window = shown_window(qtbot, accounts.log_in(data_dir, account, password), 1100)
    qtbot.waitUntil(lambda: window.features_installed, timeout=10_000)
    feature: VisitsFeature = window.visits  # type: ignore[attr-defined]
    assert feature._held.wait(10_000)  # the read of the held questions, on its worker
    QApplication.processEvents()  # its answer, to the window
    return window


@pytest.mark.parametrize("end", ["closed", "crashed"])
def test_a_question_held_for_its_user_is_asked_at_their_login_after_a_restart(
    qtbot: QtBot, session: Session, shots: Path, end: str
) -> None:
    """The check stored behind the lock, and the program closed before its user came back
    (quit at the lock screen, or a crash): the question was held in memory only, and went
    with the program; the check's phone was never asked about. It is held in the encrypted
    store now, by ids and field names (no value in any file of the data folder): after a
    restart, another user who logs in first sees nothing of it; the check's user is asked at
    their login, with the record as it is then, and once answered it is asked no more."""
    from desktop_app.domain.users import Role
    from desktop_app.usecases import accounts
    from tests.conftest import PASSWORD

    accounts.add_user(session, "mihai", "Mihai Popescu", Role.ADVISOR, "advisor pass 12")
    person = _person(session)
    window, feature, win = _check_with_a_new_phone(qtbot, session, person)
    _finished_behind_the_lock(qtbot, win, window.locker, win.finish)  # type: ignore[attr-defined]
    assert feature.take_over_question is None
    data_dir = session.store.paths.data_dir
    if end == "closed":
        window.close()  # the program ends at the lock screen
        session.close()
    else:  # killed: nothing closed, the window left as it was (only its worker's write done)
        assert feature._held.wait(10_000)
    for path in (p for p in data_dir.rglob("*") if p.is_file()):
        assert b"2222222" not in path.read_bytes(), path  # the check's phone: nowhere plain

    other = _shown_for(qtbot, data_dir, "mihai", "advisor pass 12")
    assert other.visits.take_over_question is None  # type: ignore[attr-defined]
    assert not any(
        isinstance(w, QMessageBox) and w.isVisible() for w in QApplication.topLevelWidgets()
    )
    other.close()
    other.session.close()

    again = _shown_for(qtbot, data_dir, "anna", PASSWORD)
    again_feature: VisitsFeature = again.visits  # type: ignore[attr-defined]
    qtbot.waitUntil(lambda: again_feature.take_over_question is not None, timeout=10_000)
    box = again_feature.take_over_question
    assert box is not None and box.isVisible()
    assert "Phone: 0176 1111111 → 0176 2222222" in box.text()
    page = again.person_page  # whose record it is: the question does not name her
    qtbot.waitUntil(lambda: page.person is not None and page.person.id == person.id)
    again.grab().save(str(shots / f"held-question-after-restart-{end}.png"))
    box.grab().save(str(shots / f"held-question-after-restart-box-{end}.png"))
    update = next(
        b for b in box.buttons() if b.text().replace("&", "") == "Update the personal data"
    )
    with qtbot.waitSignal(again.person_data_saved, timeout=10_000):
        update.click()
    qtbot.waitUntil(lambda: again_feature.take_over_question is None)
    store, user = again.session.store, again.session.user
    qtbot.waitUntil(
        lambda: getattr(people.get_person(store, user, person.id), "phone", "") == "0176 2222222",
        timeout=10_000,
    )
    assert again_feature._held.wait(10_000)  # let go in the store
    assert visits.held_questions(store, user) == []
    again.close()
    again.session.close()
