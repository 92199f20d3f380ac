"""The audit log found by a person's name: the coordinator answering "who looked at my data?"
knows the name, not the record's id."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QAbstractItemView, QApplication
from pytestqt.qtbot import QtBot

from desktop_app.domain.person import Person, PersonDraft
from desktop_app.i18n.text import set_language
from desktop_app.ui.audit import PERSON_ID, AuditWindow, open_audit_window
from desktop_app.ui.main_window import MainWindow
from desktop_app.usecases import audit, data_rights, people
from desktop_app.usecases.accounts import Session
from tests.ui.conftest import completer_popup, shown_window, type_text


def _people(session: Session) -> tuple[Person, Person]:
    """Иван Петров and Ana Pop registered, each opened once (a view in the log)."""
    s, u = session.store, session.user
    ivan = people.register_person(s, u, PersonDraft("Иван", "Петров", "14.03.1985"))
    ana = people.register_person(s, u, PersonDraft("Ana", "Pop", "02.07.1991"))
    for person in (ivan, ana):
        people.get_person(s, u, person.id)
    return ivan, ana


def _window(qtbot: QtBot, session: Session) -> AuditWindow:
    window = AuditWindow(session)
    qtbot.addWidget(window)
    window.resize(1100, 600)
    window.show()
    qtbot.waitExposed(window)
    return window


def _views(session: Session) -> int:
    return len(audit.list_entries(session.store, session.user, action="view"))


def _record_ids(window: AuditWindow) -> set[str]:
    return {window.model.item(row, 4).text() for row in range(window.model.rowCount())}


def _matches(window: AuditWindow) -> list[str]:
    model = window.person.matches
    return [model.item(row).text() for row in range(model.rowCount())]


def _choose(qtbot: QtBot, window: AuditWindow, typed: str, downs: int = 1) -> QAbstractItemView:
    """Type into the person field; Down (``downs`` times) and Enter in the matches offered."""
    type_text(window.person, typed)
    popup = completer_popup(window.person.finder)
    qtbot.waitUntil(popup.isVisible)
    for _ in range(downs):
        QTest.keyClick(popup, Qt.Key.Key_Down)
    QTest.keyClick(popup, Qt.Key.Key_Return)
    return popup


def test_a_person_found_by_a_latin_spelling_of_their_name_filters_the_log(
    qtbot: QtBot, session: Session
) -> None:
    ivan, ana = _people(session)
    window = _window(qtbot, session)
    assert _record_ids(window) >= {ivan.id, ana.id}
    views = _views(session)

    # the access key leads to the field
    window.activateWindow()
    qtbot.waitUntil(window.isActiveWindow)
    QTest.keyClick(window, Qt.Key.Key_N, Qt.KeyboardModifier.AltModifier)
    qtbot.waitUntil(window.person.hasFocus)
    type_text(window.person, "Petrov")
    assert _matches(window) == ["Петров, Иван (14 Mar 1985)"]
    popup = completer_popup(window.person.finder)
    qtbot.waitUntil(popup.isVisible)
    assert window.record.text() == ""  # nothing chosen yet: the whole log still
    QTest.keyClick(popup, Qt.Key.Key_Down)
    QTest.keyClick(popup, Qt.Key.Key_Return)

    assert window.record.text() == ivan.id
    assert window.person.text() == "Петров, Иван (14 Mar 1985)"
    assert _record_ids(window) == {ivan.id}
    assert window.count.text() == "2 entries"  # created, viewed
    assert window.since.date().year() == 2000  # all of their log, as the person page's
    # Listing the matches is not a look at anyone's record: no view logged.
    assert _views(session) == views

    # The name taken out: the whole log again.
    window.person.setFocus()
    window.person.selectAll()
    QTest.keyClick(window.person, Qt.Key.Key_Backspace)
    assert window.record.text() == ""
    assert _record_ids(window) >= {ivan.id, ana.id}


def test_a_person_is_found_by_the_date_of_birth_and_chosen_among_several(
    qtbot: QtBot, session: Session
) -> None:
    _ivan, ana = _people(session)
    popa = people.register_person(
        session.store, session.user, PersonDraft("Maria", "Popa", "02.07.1991")
    )
    window = _window(qtbot, session)
    type_text(window.person, "02.07.1991")
    assert sorted(_matches(window)) == ["Pop, Ana (2 Jul 1991)", "Popa, Maria (2 Jul 1991)"]
    second = window.person.matches.item(1).data(PERSON_ID)
    assert second in (ana.id, popa.id)
    window.person.clear()
    _choose(qtbot, window, "02.07.1991", downs=2)  # the second of the two
    assert window.record.text() == second
    assert _record_ids(window) == {second}


def test_an_erased_person_is_found_by_the_record_id_their_name_gone(
    qtbot: QtBot, session: Session
) -> None:
    ivan, _ana = _people(session)
    data_rights.erase_person(session.store, session.user, ivan.id)
    window = _window(qtbot, session)
    type_text(window.person, "Petrov")
    assert _matches(window) == []  # the name is gone with the record
    assert "erased" in window.record.toolTip()
    window.person.clear()
    type_text(window.record, ivan.id)
    QTest.keyClick(window.record, Qt.Key.Key_Return)  # the dialog's Show
    actions = sorted(window.model.item(r, 2).text() for r in range(window.model.rowCount()))
    assert actions == ["created", "erased", "viewed"]


def test_screenshots_of_the_person_field_in_german_and_bulgarian(
    qtbot: QtBot, session: Session, tmp_path: Path
) -> None:
    _people(session)
    for lang, typed in (("de", "Petr"), ("bg", "Pop")):
        set_language(lang)
        window = _window(qtbot, session)
        type_text(window.person, typed)
        popup = completer_popup(window.person.finder)
        qtbot.waitUntil(popup.isVisible)
        QApplication.processEvents()
        assert window.grab().save(str(tmp_path / f"audit-person-{lang}.png"))
        assert popup.grab().save(str(tmp_path / f"audit-person-{lang}-matches.png"))
        QTest.keyClick(popup, Qt.Key.Key_Down)
        QTest.keyClick(popup, Qt.Key.Key_Return)
        assert window.grab().save(str(tmp_path / f"audit-person-{lang}-chosen.png"))
        window.close()


def test_enter_takes_the_only_match_and_offers_several_to_choose_from(
    qtbot: QtBot, session: Session
) -> None:
    """Enter straight after typing: the only match taken; of two, neither taken unasked (the
    first offered, chosen in the list), the second Enter takes it."""
    ivan, _ana = _people(session)
    people.register_person(session.store, session.user, PersonDraft("Maria", "Popa", "02.07.1991"))
    window = _window(qtbot, session)
    window.activateWindow()
    qtbot.waitUntil(window.isActiveWindow)
    type_text(window.person, "Petrov")
    popup = completer_popup(window.person.finder)
    qtbot.waitUntil(popup.isVisible)
    assert not popup.currentIndex().isValid()
    QTest.keyClick(popup, Qt.Key.Key_Return)
    assert window.record.text() == ivan.id and _record_ids(window) == {ivan.id}

    window.person.clear()
    type_text(window.person, "02.07.1991")
    qtbot.waitUntil(popup.isVisible)
    QTest.keyClick(popup, Qt.Key.Key_Return)
    # Neither taken unasked (the choice offered), nor Ivan's filter kept under the new name.
    assert window.record.text() == ""
    qtbot.waitUntil(popup.isVisible)
    first = popup.currentIndex()
    assert first.isValid() and first.row() == 0
    QTest.keyClick(popup, Qt.Key.Key_Return)
    assert window.record.text() == first.data(PERSON_ID) != ivan.id
    assert _record_ids(window) == {window.record.text()}
    assert window.person.text() == first.data()


def _entries(session: Session) -> int:
    return len(audit.list_entries(session.store, session.user))


def _show(qtbot: QtBot, session: Session, window: MainWindow, person_id: str) -> None:
    """The person shown on the page, and its looks at the record (the person, their visits
    and referrals, the last two read on worker threads) logged: the log holds still after."""
    before = _entries(session)
    window.show_person(person_id)

    def looked_at() -> bool:
        new = audit.list_entries(session.store, session.user)[: _entries(session) - before]
        return {e.record_kind for e in new if e.action == "view"} >= {
            "person",
            "visits",
            "referrals",
        }

    qtbot.waitUntil(looked_at, timeout=10_000)


def _access_log(window: MainWindow) -> AuditWindow:
    """The person page's "Access log" chosen for the person shown: the log window it opens."""
    page = window.person_page
    (action,) = [a for a in page.more_menu.actions() if a.objectName() == "access_log"]
    action.trigger()
    (log,) = window.findChildren(AuditWindow)
    return log


def test_the_access_log_names_the_person_without_logging_a_view(
    qtbot: QtBot, session: Session, tmp_path: Path
) -> None:
    """Opened from the person page the name field was empty: only the id said whose log it
    was. The name now, as the search would show it, read without a view logged."""
    set_language("de")
    ivan, _ana = _people(session)
    window = shown_window(qtbot, session, 1100)
    _show(qtbot, session, window, ivan.id)  # the page's own look at the record, logged
    entries = _entries(session)
    log = _access_log(window)
    assert _entries(session) == entries  # opening the log logs nothing more
    assert log.person.text() == "Петров, Иван (14.03.1985)"
    assert log.record.text() == ivan.id  # the filter as it was
    assert _record_ids(log) == {ivan.id}
    assert log.since.date().year() == 2000
    views = _views(session)
    log.refresh()
    assert _views(session) == views
    assert log.grab().save(str(tmp_path / "audit-access-log-de.png"))

    # Enter in the field does not offer him again (he is the one taken).
    log.person.setFocus()
    QTest.keyClick(log.person, Qt.Key.Key_Return)
    assert not completer_popup(log.person.finder).isVisible()
    assert log.record.text() == ivan.id

    # Another id typed: the name no longer says whose log it is.
    type_text(log.record, "x")
    assert log.person.text() == ""


def test_opening_the_log_for_a_person_writes_no_entry(qtbot: QtBot, session: Session) -> None:
    set_language("de")
    ivan, _ana = _people(session)
    window = shown_window(qtbot, session, 1100)
    entries = _entries(session)
    log = open_audit_window(window, ivan.id)
    assert log.person.text() == "Петров, Иван (14.03.1985)"
    assert _entries(session) == entries


def test_the_access_log_of_a_person_erased_meanwhile_says_so_in_the_name_field(
    qtbot: QtBot, session: Session, tmp_path: Path
) -> None:
    """The page still shows a person erased meanwhile (on another laptop, brought by a sync):
    their name is gone, the field's placeholder says why it is empty."""
    set_language("ro")
    ivan, _ana = _people(session)
    window = shown_window(qtbot, session, 1100)
    _show(qtbot, session, window, ivan.id)
    data_rights.erase_person(session.store, session.user, ivan.id)
    entries = _entries(session)
    log = _access_log(window)
    assert _entries(session) == entries
    assert log.person.text() == ""
    assert log.person.placeholderText() == "Persoana a fost ștearsă: numele ei nu mai există."
    assert log.record.text() == ivan.id
    actions = {log.model.item(r, 2).text() for r in range(log.model.rowCount())}
    assert len(actions) == 3  # created, viewed, erased: the log keeps the id
    assert log.grab().save(str(tmp_path / "audit-access-log-erased-ro.png"))

    # The id taken out: the field's usual hint again.
    log.record.selectAll()
    type_text(log.record, "y")
    assert log.person.placeholderText() == "Nume sau data nașterii"


def test_enter_on_a_name_that_matches_nobody_says_so_under_the_field_in_german(
    qtbot: QtBot, session: Session, shots: Path
) -> None:
    """Enter on "Petrowa", whom nobody here is called, did nothing: the whole log stayed under
    the name as if it were hers, and nothing said why. It is said under the field, in the UI
    language, and goes once the name is edited."""
    ivan, ana = _people(session)
    set_language("de")
    try:
        window = _window(qtbot, session)
        type_text(window.person, "Petrowa")
        QTest.keyClick(window.person, Qt.Key.Key_Return)
        assert window.person_error.isVisible()
        assert window.person_error.text() == (
            "Hier passt niemand zu „Petrowa“: Geben Sie einen Teil eines Namens oder ein "
            "Geburtsdatum ein."
        )
        assert _record_ids(window) >= {ivan.id, ana.id}  # the whole log still, as said
        window.grab().save(str(shots / "audit-nobody-de.png"))
        QTest.keyClick(window.person, Qt.Key.Key_Backspace)
        assert not window.person_error.isVisible()
    finally:
        set_language("en")
