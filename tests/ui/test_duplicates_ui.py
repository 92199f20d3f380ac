"""Two helpers offline register the same man, one in Latin, one in Cyrillic letters: after the
sync each entry's page names the other and leads to it by keyboard; a family sharing a phone
is not named; erasing one entry ends the notice on every laptop at its next sync. Two people
of one name and birth date are recorded as such by an advisor (a helper is told why she
cannot), and then neither page names the other, on every laptop."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication, QMessageBox
from pytestqt.qtbot import QtBot

from desktop_app.domain.person import PersonDraft
from desktop_app.domain.users import Role
from desktop_app.i18n.text import set_language
from desktop_app.ui.application import QtTranslations
from desktop_app.ui.duplicates import DuplicateNotice
from desktop_app.ui.main_window import MainWindow
from desktop_app.usecases import accounts, data_rights, duplicates, people, visits
from desktop_app.usecases.accounts import Session
from tests.conftest import PASSWORD
from tests.integration.sync_harness import Laptops
from tests.ui.conftest import shown_window
from tests.ui.test_conflicts_ui import _record_conflicts
from tests.unit.test_visits import full_life_situation


@pytest.mark.parametrize("lang", ["de", "bg", "ro", "en"])
def test_the_same_man_registered_on_two_laptops_offline_is_named_on_each_page(
    qtbot: QtBot, laptops: Laptops, lang: str
) -> None:
    from tests.ui.test_keyboard_ui import _keyed_texts
    from tests.ui.test_main_window import _access_key

    a, b = laptops.new("Outreach Hbf"), laptops.new("Outreach Markt")
    latin = people.register_person(
        a.store, a.user, PersonDraft("Dimitar", "Georgiev", "12.04.1990", phone="0160 1234567")
    ).id
    # His wife, on the same phone: registering warns about her, the page does not name her.
    wife = people.register_person(
        a.store,
        a.user,
        PersonDraft("Radka", "Georgieva", "03.02.1992", phone="0160 1234567"),
        confirm_duplicates=True,
    ).id
    cyrillic = people.register_person(
        b.store, b.user, PersonDraft("Димитър", "Георгиев", "12.04.1990")
    ).id
    # With a visit and a value to decide, the page shows every key it may have.
    visits.finish_visit(b.store, b.user, cyrillic, "life_situation", full_life_situation())
    _record_conflicts(b, cyrillic, ("phone", "", "0160 7654321"))
    laptops.sync(a, b, a)
    set_language(lang)
    try:
        window = shown_window(qtbot, b, 1100)
        notice = window.duplicate_notice  # type: ignore[attr-defined]
        window.show_person(cyrillic)
        qtbot.waitUntil(lambda: "Georgiev, Dimitar" in notice.text.text(), timeout=30_000)
        assert notice.isVisible()
        assert "0160 1234567" in notice.text.text()  # told apart as in the register dialog
        # Its key is the page's only one of its letter, and takes the helper to the other.
        qtbot.waitUntil(window.conflict_notice.isVisible, timeout=30_000)  # type: ignore[attr-defined]
        texts = _keyed_texts(window) + [act.text() for act in window.menuBar().actions()]
        assert notice.button.text() in texts
        keys = [_access_key(t) for t in texts]
        assert len(set(keys)) == len(keys), " | ".join(sorted(texts))
        key = _access_key(notice.button.text())
        assert key is not None
        window.activateWindow()
        qtbot.waitUntil(window.isActiveWindow, timeout=5000)
        QTest.keyClick(window, Qt.Key(ord(key.upper())), Qt.KeyboardModifier.AltModifier)
        qtbot.waitUntil(
            lambda: getattr(window.person_page.person, "id", None) == latin, timeout=30_000
        )
        # Looked up on a worker thread: nothing is said of him before it answers.
        qtbot.waitUntil(lambda: "Георгиев, Димитър" in notice.text.text(), timeout=30_000)
        assert notice.isVisible()
        assert "Georgieva" not in notice.text.text()
        window.show_person(wife)
        qtbot.waitUntil(notice.isHidden, timeout=30_000)
        radka = people.get_person(b.store, b.user, wife, log_view=False)
        assert radka is not None and people.possible_duplicates(b.store, radka) == []

        # The coordinator erases the entry in Latin letters (asked to keep one): at the
        # helper's next sync the other's page names nobody any more.
        window.show_person(cyrillic)
        qtbot.waitUntil(notice.isVisible, timeout=30_000)
        data_rights.erase_person(a.store, a.user, latin)
        laptops.sync(a)
        _sync_in(qtbot, window)
        qtbot.waitUntil(notice.isHidden, timeout=30_000)
        window.close()
    finally:
        set_language("en")


# The button, and what a helper is told instead, in the languages the team reads.
NOT_THE_SAME = {
    "de": ("N&icht dieselbe Person", "entscheidet eine Beraterin oder ein Berater"),
    "bg": ("От&белязване като различни лица", "решава консултант"),
    "ro": ("Marc&hează ca persoane diferite", "Un consilier decide"),
    "en": ("&Not the same person", "An advisor decides"),
}


def _register(session: Session, given: str, family: str, born: str) -> str:
    """The id of the person registered, told of no likely duplicate (as after the warning)."""
    draft = PersonDraft(given, family, born)
    return people.register_person(session.store, session.user, draft, confirm_duplicates=True).id


def _dimitar_twice(laptops: Laptops) -> tuple[Session, Session, str, str]:
    """Laptops A and B, each having registered Dimitar Georgiev offline, synced."""
    a, b = laptops.new("Outreach Hbf"), laptops.new("Outreach Markt")
    latin = _register(a, "Dimitar", "Georgiev", "12.04.1990")
    cyrillic = _register(b, "Димитър", "Георгиев", "12.04.1990")
    laptops.sync(a, b, a)
    return a, b, latin, cyrillic


def _named(laptop: Session, person_id: str) -> list[str]:
    person = people.get_person(laptop.store, laptop.user, person_id, log_view=False)
    assert person is not None
    return [entry.id for entry in people.possible_duplicates(laptop.store, person)]


def _page_naming_latin(
    qtbot: QtBot, session: Session, person_id: str
) -> tuple[MainWindow, DuplicateNotice]:
    """The window of ``session`` at 1100 px, on the person's page, its notice naming Dimitar
    Georgiev (in Latin letters), whole."""
    window = shown_window(qtbot, session, 1100)
    notice = window.duplicate_notice  # type: ignore[attr-defined]
    window.show_person(person_id)
    qtbot.waitUntil(lambda: "Georgiev, Dimitar" in notice.text.text(), timeout=30_000)
    _whole(qtbot, notice)
    return window, notice


def _sync_in(qtbot: QtBot, window: MainWindow) -> None:
    """A sync started from the window, as its button does, waited for."""
    with qtbot.waitSignal(window.sync.sync_finished, timeout=20000):  # type: ignore[attr-defined]
        assert window.sync.start()  # type: ignore[attr-defined]


def _whole(qtbot: QtBot, notice: DuplicateNotice) -> None:
    """The notice's text is shown whole (as high as its lines at its width), its buttons
    under it, each whole."""
    text = notice.text
    qtbot.waitUntil(lambda: text.height() >= text.heightForWidth(text.width()), timeout=5000)
    buttons = (notice.button, notice.different_button, notice.merge_button)
    # Wrapped to a second row where the page is narrow, inside the notice.
    qtbot.waitUntil(
        lambda: all(b.geometry().bottom() < notice.height() for b in buttons), timeout=5000
    )
    for button in buttons:
        assert button.geometry().top() >= text.geometry().bottom()
        assert button.width() >= button.sizeHint().width()
        assert button.geometry().right() <= notice.width()


@pytest.mark.parametrize("lang", ["de", "bg", "ro"])
def test_an_advisor_records_the_two_as_different_people_after_being_asked_once(
    qtbot: QtBot, qapp: QApplication, laptops: Laptops, lang: str, tmp_path: Path
) -> None:
    """Father and son, or cousins: on B the notice's second button, by its own access key,
    asks once (Enter keeps things as they are), then records the two as different people;
    the notice goes, and after the syncs A names neither on either page."""
    from tests.ui.test_keyboard_ui import _keyed_texts
    from tests.ui.test_main_window import _access_key

    a, b, latin, cyrillic = _dimitar_twice(laptops)
    qt_texts = QtTranslations(qapp)  # the question's Cancel as the app shows it
    set_language(lang)
    try:
        window, notice = _page_naming_latin(qtbot, b, cyrillic)
        button = notice.different_button
        assert button.isVisible() and button.isEnabled()
        assert button.text() == NOT_THE_SAME[lang][0]
        assert NOT_THE_SAME[lang][1] not in notice.text.text()  # said to a helper only
        assert ".." not in notice.text.text()  # bg's '1990 г.' ends the sentence once
        window.grab().save(str(tmp_path / f"not-the-same-{lang}.png"))
        texts = _keyed_texts(window) + [act.text() for act in window.menuBar().actions()]
        keys = [_access_key(t) for t in texts]
        assert button.text() in texts and len(set(keys)) == len(keys), " | ".join(texts)
        key = _access_key(button.text())
        assert key is not None

        def ask() -> QMessageBox:
            window.activateWindow()  # again after the question: offscreen, nothing gives it back
            qtbot.waitUntil(window.isActiveWindow, timeout=5000)
            QTest.keyClick(window, Qt.Key(ord(key.upper())), Qt.KeyboardModifier.AltModifier)
            qtbot.waitUntil(lambda: notice.question is not None, timeout=5000)
            question = notice.question
            assert isinstance(question, QMessageBox) and question.isVisible()
            return question

        question = ask()
        # It names both entries, this page's and the other, as the notice tells them apart.
        assert "Георгиев, Димитър" in question.text() and "Georgiev, Dimitar" in question.text()
        question.grab().save(str(tmp_path / f"not-the-same-asked-{lang}.png"))
        QTest.keyClick(question, Qt.Key.Key_Return)  # the default keeps things as they are
        assert notice.question is None and notice.isVisible()
        assert _named(b, cyrillic) == [latin]
        question = ask()
        go_ahead = next(
            b
            for b in question.buttons()
            if question.buttonRole(b) == QMessageBox.ButtonRole.AcceptRole
        )
        qtbot.mouseClick(go_ahead, Qt.MouseButton.LeftButton)
        qtbot.waitUntil(notice.isHidden, timeout=30_000)
        assert _named(b, cyrillic) == [] and _named(b, latin) == []
        _sync_in(qtbot, window)
        laptops.sync(a)
        assert _named(a, latin) == [] and _named(a, cyrillic) == []
        window.close()
    finally:
        set_language("en")
        qt_texts.stop()


@pytest.mark.parametrize("lang", ["de", "ro"])
def test_a_helper_sees_the_button_greyed_with_the_reason_until_an_advisor_decides_elsewhere(
    qtbot: QtBot, laptops: Laptops, lang: str, tmp_path: Path
) -> None:
    """A student helper on B sees the notice, its button greyed and why; the advisor on A
    records the two as different people, and at B's next sync the notice there is gone."""
    a, b, latin, cyrillic = _dimitar_twice(laptops)
    accounts.add_user(b, "georgi", "Georgi Ivanov", Role.HELPER, PASSWORD)
    helper = accounts.log_in(b.store.paths.data_dir, "georgi", PASSWORD)
    laptops.sessions.append(helper)
    set_language(lang)
    try:
        window, notice = _page_naming_latin(qtbot, helper, cyrillic)
        button = notice.different_button
        assert button.isVisible() and not button.isEnabled()
        assert button.text() == NOT_THE_SAME[lang][0]
        assert NOT_THE_SAME[lang][1] in notice.text.text()
        assert button.toolTip()
        window.grab().save(str(tmp_path / f"not-the-same-helper-{lang}.png"))
        button.click()  # greyed: nothing is asked
        assert notice.question is None
        duplicates.mark_different_people(a.store, a.user, latin, cyrillic)
        laptops.sync(a)
        _sync_in(qtbot, window)
        qtbot.waitUntil(notice.isHidden, timeout=30_000)
        assert _named(helper, cyrillic) == []
        window.close()
    finally:
        set_language("en")


@pytest.mark.parametrize("lang", ["de", "bg"])
def test_at_1100_px_the_notice_leaves_the_people_list_its_width(
    qtbot: QtBot,
    tmp_path: Path,
    qapp: QApplication,
    session: Session,
    program_font: None,
    lang: str,
) -> None:
    """Its three buttons in one row made the page some 640 px wide at the least: at 1100 px
    the people list gave way to it, its names and headers cut ("Dimitrova-…", "Geburtsdat…",
    "Дата на ра…"). They wrap under the text now, and the list keeps its width."""
    from desktop_app.ui.main_window import ListAndPage

    translations = QtTranslations(qapp)
    set_language(lang)
    translations.apply(lang)
    try:
        elena = _register(session, "Elena", "Dimitrova-Popova", "03.02.1988")
        stefan = _register(session, "Ștefan", "Popescu", "20.11.1979")
        _register(session, "Stefan", "Popescu", "20.11.1979")  # on another laptop, say
        window = shown_window(qtbot, session, 1100)
        window.show_person(elena)  # a page with no notice
        qtbot.waitUntil(lambda: window.person_page.person is not None, timeout=10_000)
        list_width = window.splitter.sizes()[0]
        assert list_width >= ListAndPage.LIST_LEAST
        notice = window.duplicate_notice  # type: ignore[attr-defined]
        window.show_person(stefan)
        qtbot.waitUntil(lambda: "Popescu, Stefan" in notice.text.text(), timeout=30_000)
        qtbot.waitUntil(notice.isVisible, timeout=5_000)
        _whole(qtbot, notice)
        window.grab().save(str(tmp_path / f"walkcoord-duplicate-notice-{lang}.png"))
        assert window.splitter.sizes()[0] == list_width, (window.splitter.sizes(), list_width)
    finally:
        translations.stop()
        set_language("en")


def test_the_other_entry_opened_from_the_notice_is_the_row_chosen_in_the_list(
    qtbot: QtBot, session: Session
) -> None:
    """ "Open the other entry" showed the other's page, and the list kept the first entry's
    row chosen: the list and the page named two people. The other's row is chosen now, as
    "Open person" chooses it (in the whole list, or among what the search found)."""
    people.register_person(session.store, session.user, PersonDraft("Ana", "Albu", "1980"))
    first = _register(session, "Dimitar", "Georgiev", "12.04.1990")
    second = _register(session, "Димитър", "Георгиев", "12.04.1990")
    window = shown_window(qtbot, session, 1366)
    notice = window.duplicate_notice  # type: ignore[attr-defined]
    for search in ("", "Georgiev"):
        if search:
            with qtbot.waitSignal(window.search_finished, timeout=10_000):
                window.search.setText(search)
            assert window.model.rowCount() == 2
        rows = {e.id: r for r in range(window.model.rowCount()) if (e := window.model.entry(r))}
        window.table.selectRow(rows[first])
        qtbot.waitUntil(lambda: "Георгиев, Димитър" in notice.text.text(), timeout=10_000)
        notice.button.click()

        def chosen() -> list[str]:
            rows = window.table.selectionModel().selectedRows()
            return [e.id for i in rows if (e := window.model.entry(i.row())) is not None]

        qtbot.waitUntil(
            lambda: (
                getattr(window.person_page.person, "id", None) == second and chosen() == [second]
            ),
            timeout=10_000,
        )
        assert window.search.text() == search  # the user's own search stays
    window.close()
