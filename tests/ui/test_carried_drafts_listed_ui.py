"""The unfinished forms offered at start-up list the forms kept from an entry merged into
another (``carried_drafts``), marked as from the merged entry: only that person's page said
so, and an advisor who never opened it never learnt of the answers. Continuing one opens the
person's page and goes on as its notice does (asking where the entry has a draft of its own);
a helper is shown no restricted answer of it. Real stores, real widgets."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from PySide6.QtWidgets import QApplication, QMessageBox
from pytestqt.qtbot import QtBot

from desktop_app.domain.person import PersonDraft
from desktop_app.domain.users import Role
from desktop_app.i18n.text import set_language
from desktop_app.ui.main_window import MainWindow
from desktop_app.ui.visits import DraftsDialog, VisitsFeature, form_title
from desktop_app.usecases import audit, merges, people, visits
from desktop_app.usecases.accounts import Session
from tests.ui.conftest import shown_window
from tests.ui.security.test_restricted_ui import _login
from tests.ui.test_merged_drafts_ui import PHONES, _answer, _merged_with_two_drafts, _question

# How a carried draft's row goes on after the person's name, in each language.
MARKED = {
    "de": ", aus dem zusammengeführten Eintrag (begonnen am ",
    "bg": ", от обединения запис (начало: ",
    "ro": ", din înregistrarea contopită (formular început pe ",
    "en": ", from the merged entry (begun ",
}


def _offered(qtbot: QtBot, session: Session) -> tuple[MainWindow, VisitsFeature, DraftsDialog]:
    """The window started as the program starts: the unfinished forms it offers."""
    window = shown_window(qtbot, session, 1100)
    feature: VisitsFeature = window.visits  # type: ignore[attr-defined]
    qtbot.waitUntil(lambda: feature.drafts_dialog is not None, timeout=30_000)
    dialog = feature.drafts_dialog
    assert isinstance(dialog, DraftsDialog)
    qtbot.waitExposed(dialog)
    return window, feature, dialog


def _rows(dialog: DraftsDialog) -> list[str]:
    return [dialog.list.item(i).text() for i in range(dialog.list.count())]


def _shots(tmp_path: Path) -> Path:
    return Path(os.environ.get("WELCOME_DESK_SHOTS", tmp_path))


@pytest.mark.parametrize("lang", ["de", "bg", "ro", "en"])
def test_the_merged_entrys_form_is_listed_marked_and_continued_as_on_the_page(
    qtbot: QtBot, session: Session, lang: str, tmp_path: Path
) -> None:
    kept, _gone = _merged_with_two_drafts(session)
    set_language(lang)
    try:
        window, feature, dialog = _offered(qtbot, session)
        title = form_title("life_situation")
        own, carried = _rows(dialog)
        assert own.startswith(f"Maria Popescu – {title} (")
        assert carried.startswith(f"Maria Popescu – {title}{MARKED[lang]}"), carried
        assert "0151" not in own + carried  # the forms, nothing of their answers
        dialog.grab().save(str(_shots(tmp_path) / f"drafts-carried-{lang}.png"))

        # Continued: the person's page, and the question its notice asks (the entry has a
        # draft of that form of its own); Cancel keeps both, nothing opened.
        dialog.list.setCurrentRow(1)
        dialog.continue_button.click()
        assert not dialog.isVisible()
        page = window.person_page
        assert page.person is not None and page.person.id == kept
        question = _question()
        assert title in question.text() and "0151" not in question.text()
        _answer(question, QMessageBox.ButtonRole.RejectRole)
        assert not feature.open_windows
        assert len(visits.list_carried_drafts(session.store, session.user, kept)) == 1
        assert feature.tab.carried_box.isVisible()  # the page still offers it
        window.close()
    finally:
        set_language("en")


def test_without_a_draft_of_its_own_the_merged_entrys_form_alone_is_offered_and_opens(
    qtbot: QtBot, session: Session
) -> None:
    """Before, with no unfinished form of its own on the laptop, nothing was offered at all."""
    kept, _gone = _merged_with_two_drafts(session)
    visits.discard_draft(session.store, session.user, kept, "life_situation")  # or finished
    window, feature, dialog = _offered(qtbot, session)
    (row,) = _rows(dialog)
    assert MARKED["en"] in row and session.user.display_name not in row
    dialog.continue_button.click()
    qtbot.waitUntil(lambda: len(feature.open_windows) == 1, timeout=5000)
    (win,) = feature.open_windows
    assert win.view.input("phone").text() == PHONES[1]  # type: ignore[attr-defined]
    assert window.person_page.person is not None and window.person_page.person.id == kept
    assert visits.list_carried_drafts(session.store, session.user, kept) == []
    assert feature.tab.carried_box.isHidden()
    # Listed, the person was viewed (property 14), as for a draft of their own.
    window.wait_for_background()
    entries = audit.list_entries(session.store, session.user, action="view")
    assert kept in {e.record_id for e in entries if e.record_kind == "person"}
    win.close()
    qtbot.waitUntil(lambda: not feature.open_windows, timeout=30_000)
    window.close()


def test_a_helper_is_offered_the_merged_entrys_form_without_its_restricted_answers(
    qtbot: QtBot, session: Session
) -> None:
    """An advisor typed signs of exploitation into the form of one entry (a restricted
    section); the entries merged, a helper starting the program sees the form listed and
    continues it without those answers; they stay in the draft for an advisor."""
    store, user = session.store, session.user
    maria = PersonDraft("Maria", "Popescu", "12.04.1990")
    kept, gone = merges.kept_and_merged(
        *(people.register_person(store, user, maria, confirm_duplicates=True).id for _ in "12")
    )
    secret = "Lohn seit März nicht gezahlt"
    visits.save_draft(store, user, kept, "life_situation", {"phone": PHONES[0]})
    visits.save_draft(
        store,
        user,
        gone,
        "life_situation",
        {
            "phone": PHONES[1],
            "work_exploitation_signs": ["wages_withheld"],
            "exploitation_notes": secret,
        },
    )
    merges.merge_people(store, user, kept, gone)
    visits.discard_draft(store, user, kept, "life_situation")
    helper = _login(session, "mihai", Role.HELPER)
    try:
        window, feature, dialog = _offered(qtbot, helper)
        (row,) = _rows(dialog)
        assert MARKED["en"] in row and secret not in row
        dialog.continue_button.click()
        qtbot.waitUntil(lambda: len(feature.open_windows) == 1, timeout=5000)
        (win,) = feature.open_windows
        answers = win.view.answers()
        assert answers.get("phone") == PHONES[1]
        assert "exploitation_notes" not in answers and "work_exploitation_signs" not in answers
        assert secret not in str(answers)
        win.close()
        qtbot.waitUntil(lambda: not feature.open_windows, timeout=30_000)
        window.close()
        # An advisor's draft keeps them.
        draft = visits.load_draft(store, user, kept, "life_situation")
        assert draft is not None and draft.answers.get("exploitation_notes") == secret
    finally:
        helper.close()
    assert not [
        w for w in QApplication.topLevelWidgets() if isinstance(w, QMessageBox) and w.isVisible()
    ]


@pytest.mark.parametrize("lang", ["de", "bg", "ro", "en"])
def test_the_merged_entrys_form_can_be_discarded_from_the_list_after_asking(
    qtbot: QtBot, session: Session, lang: str, tmp_path: Path
) -> None:
    """It could be continued from the list but discarded only on the person's page: an
    advisor who did not want it had it offered again at each start. The list offers to discard
    it (for it only, not for the person's own form), asks first as the page does, and once it
    is gone neither the list nor the page offers it."""
    kept, _gone = _merged_with_two_drafts(session)
    set_language(lang)
    try:
        window, feature, dialog = _offered(qtbot, session)
        window.show_person(kept)
        window.person_page.tabs.setCurrentWidget(feature.tab)
        qtbot.waitUntil(feature.tab.carried_box.isVisible, timeout=5000)
        discard = dialog.discard_button
        assert discard.isVisible() and dialog.list.currentRow() == 0
        assert not discard.isEnabled()  # the person's own form: discarded in its window
        dialog.list.setCurrentRow(1)
        assert discard.isEnabled()
        dialog.grab().save(str(_shots(tmp_path) / f"drafts-discard-{lang}.png"))

        discard.click()
        question = _question()
        title = form_title("life_situation")
        assert title in question.text() and "0151" not in question.text()
        assert question.defaultButton() is question.escapeButton()  # Enter keeps it
        _answer(question, QMessageBox.ButtonRole.RejectRole)
        assert len(visits.list_carried_drafts(session.store, session.user, kept)) == 1
        assert len(_rows(dialog)) == 2 and dialog.isVisible()

        discard.click()
        _answer(_question(), QMessageBox.ButtonRole.AcceptRole)
        assert visits.list_carried_drafts(session.store, session.user, kept) == []
        (own,) = _rows(dialog)
        assert MARKED[lang] not in own and dialog.isVisible()
        assert discard.isHidden()  # nothing of a merged entry left to discard
        assert feature.tab.carried_box.isHidden()  # nor on the page
        draft = visits.load_draft(session.store, session.user, kept, "life_situation")
        assert draft is not None and draft.answers == {"phone": PHONES[0]}  # untouched
        window.close()
    finally:
        set_language("en")


def test_discarding_the_only_form_listed_closes_the_list(qtbot: QtBot, session: Session) -> None:
    kept, _gone = _merged_with_two_drafts(session)
    visits.discard_draft(session.store, session.user, kept, "life_situation")
    window, _feature, dialog = _offered(qtbot, session)
    assert dialog.discard_button.isEnabled()
    dialog.discard_button.click()
    _answer(_question(), QMessageBox.ButtonRole.AcceptRole)
    assert not dialog.isVisible()
    assert visits.list_carried_drafts(session.store, session.user, kept) == []
    window.close()
