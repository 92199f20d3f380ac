"""A form begun on both entries of one person, merged: the kept entry's page says that the
other entry's is kept too (the form, when it was begun, by whom), and offers to continue it
(asking before it replaces the entry's own draft) or to discard it (asking first), also
where the merge came by sync while the page was open. Before, the other entry's answers went
with its tombstone. Real stores, real widgets, a real server on 127.0.0.1."""

from __future__ import annotations

from functools import partial
from pathlib import Path

import pytest
from PySide6.QtWidgets import QApplication, QLabel, QMessageBox
from pytestqt.qtbot import QtBot

from desktop_app.domain.person import PersonDraft
from desktop_app.i18n.text import set_language
from desktop_app.ui.access_keys import key_of
from desktop_app.ui.main_window import MainWindow
from desktop_app.ui.visits import VisitsFeature, form_title
from desktop_app.usecases import merges, people, visits
from desktop_app.usecases.accounts import Session
from tests.integration.sync_harness import Laptops
from tests.ui.conftest import shown_window
from tests.ui.test_duplicates_ui import _sync_in

PHONES = ("0151 1111111", "0151 2222222")
# How the notice begins, and the words of its buttons, in each language.
NOTICE = {
    "de": ("Aus dem zusammengeführten Eintrag, nicht abgeschlossen: ", "Fortsetzen", "Verwerfen…"),
    "bg": ("Неприключен формуляр от записа, обединен с този: ", "Продължаване", "Изхвърляне…"),
    "ro": (
        "Formular nefinalizat din înregistrarea contopită în aceasta: ",
        "Continuă",
        "Renunță la formularul nefinalizat…",
    ),
    "en": ("An unfinished ", "Continue it", "Discard it…"),
}


def _merged_with_two_drafts(session: Session) -> tuple[str, str]:
    """Maria Popescu registered twice, a life-situation check begun on each entry (another
    phone typed in each), merged: the entry kept and the one merged away."""
    store, user = session.store, session.user
    maria = PersonDraft("Maria", "Popescu", "12.04.1990")
    kept, gone = merges.kept_and_merged(
        *(people.register_person(store, user, maria, confirm_duplicates=True).id for _ in "12")
    )
    for pid, phone in zip((kept, gone), PHONES, strict=True):
        visits.save_draft(store, user, pid, "life_situation", {"phone": phone})
    merges.merge_people(store, user, kept, gone)
    return kept, gone


def _page(qtbot: QtBot, session: Session, person_id: str) -> tuple[MainWindow, VisitsFeature]:
    window = shown_window(qtbot, session, 1280)
    feature: VisitsFeature = window.visits  # type: ignore[attr-defined]
    window.show_person(person_id)
    window.person_page.tabs.setCurrentWidget(feature.tab)
    return window, feature


def _question() -> QMessageBox:
    (question,) = [
        w for w in QApplication.topLevelWidgets() if isinstance(w, QMessageBox) and w.isVisible()
    ]
    return question


def _answer(question: QMessageBox, role: QMessageBox.ButtonRole) -> None:
    (button,) = [b for b in question.buttons() if question.buttonRole(b) == role]
    button.click()


@pytest.mark.parametrize("lang", ["de", "bg", "ro", "en"])
def test_the_kept_entrys_page_tells_of_the_other_entrys_form_and_continues_it(
    qtbot: QtBot, session: Session, lang: str, tmp_path: Path
) -> None:
    kept, _gone = _merged_with_two_drafts(session)
    set_language(lang)
    try:
        window, feature = _page(qtbot, session, kept)
        tab = feature.tab
        qtbot.waitUntil(tab.carried_box.isVisible, timeout=5000)
        (note,) = tab.carried_notes
        text = note.text()
        assert text.startswith(NOTICE[lang][0]), text
        assert form_title("life_situation") in text and session.user.display_name in text
        ((go_on, discard),) = tab.carried_buttons
        assert [b.text().replace("&", "") for b in (go_on, discard)] == list(NOTICE[lang][1:])
        # Each its own access key, none of the window's other controls'.
        assert key_of(go_on.text()) and key_of(discard.text())
        assert key_of(go_on.text()) != key_of(discard.text())
        assert tab.drafts_note.isVisible()  # the entry's own draft is said as before
        assert note.width() <= tab.width() and go_on.isVisible() and discard.isVisible()
        window.grab().save(str(tmp_path / f"carried-{lang}.png"))

        # Continuing it where the entry has its own: asked first; Cancel keeps both.
        go_on.click()
        question = _question()
        question.grab().save(str(tmp_path / f"carried-replace-{lang}.png"))
        assert "0151" not in question.text()  # about the forms, nothing of their answers
        _answer(question, QMessageBox.ButtonRole.RejectRole)
        assert (
            not feature.open_windows
            and len(visits.list_carried_drafts(session.store, session.user, kept)) == 1
        )
        own = visits.load_draft(session.store, session.user, kept, "life_situation")
        assert own is not None and own.answers == {"phone": PHONES[0]}

        # Replace it: the form opens with the other entry's answers; the notice is gone.
        go_on.click()
        _answer(_question(), QMessageBox.ButtonRole.AcceptRole)
        qtbot.waitUntil(lambda: len(feature.open_windows) == 1, timeout=5000)
        (win,) = feature.open_windows
        assert win.view.input("phone").text() == PHONES[1]  # type: ignore[attr-defined]
        assert tab.carried_box.isHidden() and tab.carried_notes == []
        win.close()
        qtbot.waitUntil(lambda: not feature.open_windows, timeout=30_000)
        window.close()
    finally:
        set_language("en")


def test_the_notice_is_shown_whole_in_romanian_at_1024_pixels(
    qtbot: QtBot, session: Session, program_font: None
) -> None:
    """Reported cut off vertically in Romanian (its last line not shown). Not reproduced at
    1024 x 700 or 1366 x 768 in ro, bg or de, nor with a long summary, a language switch or a
    merge arriving while the page was open: a guard that the notice, the note on the entry's
    own draft beside it and the buttons get all the height their text needs at the width they
    have, with the program's font."""
    kept, _gone = _merged_with_two_drafts(session)
    set_language("ro")
    try:
        window = shown_window(qtbot, session, 1024)
        feature: VisitsFeature = window.visits  # type: ignore[attr-defined]
        window.show_person(kept)
        window.person_page.tabs.setCurrentWidget(feature.tab)
        tab = feature.tab
        qtbot.waitUntil(tab.carried_box.isVisible, timeout=5000)
        (note,) = tab.carried_notes

        def whole(label: QLabel) -> bool:
            return label.height() >= label.heightForWidth(label.width()) > 0

        for label in (note, tab.drafts_note):  # once the page is laid out
            qtbot.waitUntil(partial(whole, label), timeout=5000)
        assert note.height() > note.fontMetrics().lineSpacing() * 2  # wrapped, three lines
        ((go_on, discard),) = tab.carried_buttons
        assert go_on.height() >= go_on.sizeHint().height() <= discard.height()
        window.close()
    finally:
        set_language("en")


def test_discarding_the_other_entrys_form_asks_first(qtbot: QtBot, session: Session) -> None:
    kept, _gone = _merged_with_two_drafts(session)
    window, feature = _page(qtbot, session, kept)
    tab = feature.tab
    qtbot.waitUntil(tab.carried_box.isVisible, timeout=5000)
    ((_go_on, discard),) = tab.carried_buttons
    discard.click()
    question = _question()
    assert form_title("life_situation") in question.text()
    assert question.defaultButton() is question.escapeButton()  # Enter keeps it
    _answer(question, QMessageBox.ButtonRole.RejectRole)
    assert len(visits.list_carried_drafts(session.store, session.user, kept)) == 1
    assert tab.carried_box.isVisible()

    ((_go_on, discard),) = tab.carried_buttons
    discard.click()
    _answer(_question(), QMessageBox.ButtonRole.AcceptRole)
    assert visits.list_carried_drafts(session.store, session.user, kept) == []
    assert tab.carried_box.isHidden()
    own = visits.load_draft(session.store, session.user, kept, "life_situation")
    assert own is not None and own.answers == {"phone": PHONES[0]}  # its own untouched
    window.close()


def test_without_a_draft_of_its_own_the_other_entrys_form_continues_unasked(
    qtbot: QtBot, session: Session
) -> None:
    kept, _gone = _merged_with_two_drafts(session)
    visits.discard_draft(session.store, session.user, kept, "life_situation")  # or finished
    window, feature = _page(qtbot, session, kept)
    tab = feature.tab
    qtbot.waitUntil(tab.carried_box.isVisible, timeout=5000)
    assert not tab.drafts_note.isVisible()
    ((go_on, _discard),) = tab.carried_buttons
    go_on.click()
    (win,) = feature.open_windows
    assert win.view.input("phone").text() == PHONES[1]  # type: ignore[attr-defined]
    assert tab.carried_box.isHidden()
    win.close()
    qtbot.waitUntil(lambda: not feature.open_windows, timeout=30_000)
    assert tab.drafts_note.isVisible()  # now the entry's own draft, to continue as any
    window.close()


def test_a_merge_arriving_by_sync_shows_the_other_entrys_form_on_the_page_open(
    qtbot: QtBot, laptops: Laptops
) -> None:
    """B, at an outreach point, began a check for both entries of Maria; A merged them. B's
    page of the kept entry, open during the sync, says the other entry's check is kept too,
    with its answers; before, they went with the tombstone without a word."""
    a, b = laptops.new("Büro"), laptops.new("Outreach Hbf")
    maria = PersonDraft("Maria", "Popescu", "12.04.1990")
    kept, gone = merges.kept_and_merged(
        *(people.register_person(a.store, a.user, maria, confirm_duplicates=True).id for _ in "12")
    )
    laptops.sync(a, b)
    for pid, phone in zip((kept, gone), PHONES, strict=True):
        visits.save_draft(b.store, b.user, pid, "life_situation", {"phone": phone})
    window, feature = _page(qtbot, b, kept)
    assert feature.tab.carried_box.isHidden()
    merges.merge_people(a.store, a.user, kept, gone)
    laptops.sync(a)
    _sync_in(qtbot, window)
    qtbot.waitUntil(feature.tab.carried_box.isVisible, timeout=30_000)
    (note,) = feature.tab.carried_notes
    assert form_title("life_situation") in note.text()
    ((go_on, _discard),) = feature.tab.carried_buttons
    visits.discard_draft(b.store, b.user, kept, "life_situation")  # finished, say
    go_on.click()
    (win,) = feature.open_windows
    assert win.view.input("phone").text() == PHONES[1]  # type: ignore[attr-defined]
    win.close()
    qtbot.waitUntil(lambda: not feature.open_windows, timeout=30_000)
    window.close()
