"""Merging two entries of one woman registered on two laptops offline, from the duplicates
notice on her page: the third button (its own access key on the page, in each language) opens
both entries side by side, Enter cancels, the advisor chooses the other entry's phone and
merges; the page then shows one entry with both visits, and after the syncs so does the other
laptop. A helper sees the button greyed and why. Real stores, a real server on 127.0.0.1."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import Qt, QTimer
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication, QLabel, QMessageBox, QRadioButton
from pytestqt.qtbot import QtBot

from desktop_app.domain.dates import PartialDate
from desktop_app.domain.person import PersonDraft
from desktop_app.domain.users import Role
from desktop_app.i18n.formatting import format_partial_date
from desktop_app.i18n.text import set_language
from desktop_app.ui.application import QtTranslations
from desktop_app.ui.duplicates import DuplicateNotice
from desktop_app.ui.main_window import MainWindow
from desktop_app.ui.merge_dialog import MergeDialog
from desktop_app.ui.visits import form_title
from desktop_app.usecases import accounts, merges, people, visits
from desktop_app.usecases.accounts import Session
from tests.conftest import PASSWORD
from tests.integration.sync_harness import Laptops, live_people
from tests.ui.conftest import shown_window
from tests.ui.tab_walk import tab_stops
from tests.ui.test_duplicates_ui import _sync_in
from tests.ui.test_status_bar_ui import _laid_out
from tests.unit.test_visits import full_life_situation

# The dialog's column headers and the mark of the page open.
HEADERS = {
    "de": ("Dieser Eintrag bleibt", "Wird mit ihm zusammengeführt", "(die geöffnete Seite)"),
    "bg": ("Този запис остава", "Обединява се с него", "(отворената страница)"),
    "ro": ("Această înregistrare rămâne", "Se contopește în ea", "(pagina deschisă)"),
}
# The notice's button, a word of the dialog's warning, and what a helper is told.
MERGE = {
    "de": ("Einträge z&usammenführen…", "rückgängig", "entscheidet eine Beraterin"),
    "bg": ("Обединя&ване на записите…", "отменено", "решава консултант"),
    "ro": ("Contopește înre&gistrările…", "anulată", "Un consilier decide"),
    "en": ("Mer&ge entries…", "undone", "An advisor decides"),
}


def _maria_twice(laptops: Laptops) -> tuple[Session, Session, str, str]:
    """Maria Popescu registered on A (a phone, a visit) and on B (another phone, her
    nationality, a visit), offline; both laptops synced."""
    a, b = laptops.new("Outreach Hbf"), laptops.new("Outreach Markt")
    on_a = people.register_person(
        a.store, a.user, PersonDraft("Maria", "Popescu", "12.04.1990", phone="0151 1111111")
    ).id
    on_b = people.register_person(
        b.store,
        b.user,
        PersonDraft("Maria", "Popescu", "12.04.1990", nationality="RO", phone="0151 2222222"),
    ).id
    # A nationality the record cannot take over: A's entry keeps none (B's holds RO).
    unclear = full_life_situation() | {"nationality": "stateless_unclear"}
    visits.finish_visit(a.store, a.user, on_a, "life_situation", unclear)
    visits.finish_visit(b.store, b.user, on_b, "life_situation", full_life_situation())
    laptops.sync(a, b, a)
    return a, b, on_a, on_b


def _page(qtbot: QtBot, session: Session, person_id: str) -> tuple[MainWindow, DuplicateNotice]:
    """The window at 1366 × 768 on the person's page, its notice naming the other entry."""
    window = shown_window(qtbot, session)
    window.resize(1366, 768)
    notice = window.duplicate_notice  # type: ignore[attr-defined]
    window.show_person(person_id)
    qtbot.waitUntil(lambda: "Popescu, Maria" in notice.text.text(), timeout=30_000)
    qtbot.waitUntil(notice.merge_button.isVisible, timeout=5000)
    return window, notice


@pytest.mark.parametrize("lang", ["de", "bg", "ro"])
def test_an_advisor_merges_the_other_entry_into_this_one(
    qtbot: QtBot, qapp: QApplication, laptops: Laptops, lang: str, tmp_path: Path
) -> None:
    from tests.ui.test_keyboard_ui import _keyed_texts
    from tests.ui.test_main_window import _access_key

    a, b, on_a, on_b = _maria_twice(laptops)
    kept, gone = merges.kept_and_merged(on_a, on_b)
    phone = {on_a: "0151 1111111", on_b: "0151 2222222"}
    # In Bulgarian from the page of the entry merged away: the same entry is kept.
    page = gone if lang == "bg" else kept
    qt_texts = QtTranslations(qapp)  # Cancel as the app shows it
    set_language(lang)
    try:
        window, notice = _page(qtbot, b, page)
        button = notice.merge_button
        assert button.isEnabled() and button.text() == MERGE[lang][0]
        assert button.width() >= button.sizeHint().width()  # whole, beside the other two
        assert button.geometry().right() <= notice.width()
        texts = _keyed_texts(window) + [act.text() for act in window.menuBar().actions()]
        keys = [_access_key(t) for t in texts]
        assert button.text() in texts and len(set(keys)) == len(keys), " | ".join(texts)
        key = _access_key(button.text())
        assert key is not None
        window.grab().save(str(tmp_path / f"merge-page-{lang}.png"))

        def ask() -> MergeDialog:
            window.activateWindow()
            qtbot.waitUntil(window.isActiveWindow, timeout=5000)
            QTest.keyClick(window, Qt.Key(ord(key.upper())), Qt.KeyboardModifier.AltModifier)
            qtbot.waitUntil(lambda: notice.merge_dialog is not None, timeout=30_000)
            dialog = notice.merge_dialog
            assert isinstance(dialog, MergeDialog)
            qtbot.waitExposed(dialog)
            return dialog

        # A life-situation check begun on B for both entries: one draft of a form per entry.
        for pid in (kept, gone):
            visits.save_draft(b.store, b.user, pid, "life_situation", {"phone": phone[pid]})
        dialog = ask()
        # It names both entries, says it cannot be undone; Cancel is the default.
        intro = dialog.intro.text()
        assert "0151 2222222" in intro and "0151 1111111" in intro and MERGE[lang][1] in intro
        assert dialog.cancel_button.isDefault() and not dialog.merge_button.isDefault()
        labels = [w.text() for w in dialog.findChildren(QLabel)]
        assert labels.count("1") >= 2  # a visit on each side
        phones = dialog.take_other_buttons["phone"].group()
        assert phones is not None
        assert [r.text() for r in phones.buttons()] == [phone[kept], phone[gone]]
        # The kept entry's column says it stays; the page open is marked.
        assert [h.text() for h in dialog.headers] == [
            f"<b>{HEADERS[lang][0]}</b>",
            f"<b>{HEADERS[lang][1]}</b>",
        ]
        assert dialog.page_mark is not None and dialog.page_mark.text() == HEADERS[lang][2]
        assert dialog.page_column == (1 if page == kept else 2)
        # The other entry's draft cannot move: said before merging, naming the form.
        assert dialog.drafts_note is not None
        assert form_title("life_situation") in dialog.drafts_note.text()
        assert phones.buttons()[0].isChecked()  # the entry kept's, unless chosen otherwise
        assert dialog.width() <= 1366 and dialog.height() <= 768
        dialog.grab().save(str(tmp_path / f"merge-dialog-{lang}.png"))
        QTest.keyClick(dialog, Qt.Key.Key_Return)  # the default keeps both entries
        qtbot.waitUntil(lambda: notice.merge_dialog is None, timeout=5000)
        assert live_people(b) == {on_a, on_b}

        dialog = ask()
        other_phone = dialog.take_other_buttons["phone"]
        assert isinstance(other_phone, QRadioButton)
        qtbot.mouseClick(other_phone, Qt.MouseButton.LeftButton)
        assert dialog.take_other() == frozenset({"phone"})
        qtbot.mouseClick(dialog.merge_button, Qt.MouseButton.LeftButton)
        qtbot.waitUntil(lambda: live_people(b) == {kept}, timeout=30_000)
        qtbot.waitUntil(notice.isHidden, timeout=30_000)
        # The window shows the entry kept, also where the page open was the other's.
        qtbot.waitUntil(
            lambda: getattr(window.person_page.person, "id", None) == kept, timeout=30_000
        )
        person = people.get_person(b.store, b.user, kept, log_view=False)
        assert person is not None and person.phone == phone[gone] and person.nationality == "RO"
        assert len(visits.visit_history(b.store, b.user, kept)) == 2
        _sync_in(qtbot, window)
        laptops.sync(a)
        assert live_people(a) == {kept}
        assert len(visits.visit_history(a.store, a.user, kept)) == 2
        window.close()
    finally:
        set_language("en")
        qt_texts.stop()


@pytest.mark.parametrize("lang", ["de", "bg"])
def test_a_helper_sees_the_merge_button_greyed_with_the_reason(
    qtbot: QtBot, laptops: Laptops, lang: str, tmp_path: Path
) -> None:
    _a, b, on_a, on_b = _maria_twice(laptops)
    accounts.add_user(b, "georgi", "Georgi Ivanov", Role.HELPER, PASSWORD)
    helper = accounts.log_in(b.store.paths.data_dir, "georgi", PASSWORD)
    laptops.sessions.append(helper)
    set_language(lang)
    try:
        window, notice = _page(qtbot, helper, on_b)
        button = notice.merge_button
        assert button.isVisible() and not button.isEnabled()
        assert button.text() == MERGE[lang][0] and button.toolTip()
        assert MERGE[lang][2] in notice.text.text()
        window.grab().save(str(tmp_path / f"merge-helper-{lang}.png"))
        button.click()  # greyed: nothing opens
        assert notice.merge_dialog is None
        assert live_people(b) == {on_a, on_b}
        window.close()
    finally:
        set_language("en")


def test_the_page_of_an_entry_merged_on_another_laptop_shows_the_entry_kept(
    qtbot: QtBot, laptops: Laptops, shots: Path
) -> None:
    """B has the page of the entry merged away open, its row selected, when a sync brings
    A's merge: it does not say the person was erased; it shows the entry kept, its row
    selected in the list, and the status bar says why."""
    a, b, on_a, on_b = _maria_twice(laptops)
    kept, gone = merges.kept_and_merged(on_a, on_b)
    set_language("de")
    try:
        window, _notice = _page(qtbot, b, gone)
        window.open_person(gone)  # as a click on the row does
        qtbot.waitUntil(lambda: window._selected_person_id() == gone, timeout=30_000)
        merges.merge_people(a.store, a.user, kept, gone)
        laptops.sync(a)
        _sync_in(qtbot, window)
        qtbot.waitUntil(
            lambda: getattr(window.person_page.person, "id", None) == kept, timeout=30_000
        )
        assert "gelöscht" not in window.person_page.hint.text()
        assert window._selected_person_id() == kept
        assert window.table.selectionModel().isRowSelected(window.table.currentIndex().row())
        # What happened on the line; where, and who merged, in its tooltip and for a screen
        # reader: A's coordinator, who has no account on B (accounts do not sync), named as
        # B's audit log names them: id, role, laptop.
        bar = window.statusBar()
        assert bar.currentMessage() == "Mit diesem Eintrag zusammengeführt: Maria Popescu"
        assert bar.accessibleDescription() == (
            "Mit diesem Eintrag zusammengeführt: Maria Popescu, auf einem anderen Laptop, "
            f"von {a.user.id[:8]} (Koordination, Outreach Hbf)"
        )
        # (laid out for the sync status's new line before the picture: taken at once, it
        # showed the line squeezed into the width of the line before, "Onli… · …")
        _laid_out(window)
        window.grab().save(str(shots / "merged-elsewhere-de.png"))
        window.close()
    finally:
        set_language("en")


def _warnings_read(shot: Path) -> tuple[list[str], QTimer]:
    """A timer (started by the caller) that reads every warning shown into the list, saves
    it to ``shot`` and closes it: the warning is modal, read and closed from within its
    loop."""
    said: list[str] = []

    def answer() -> None:
        for box in QApplication.topLevelWidgets():
            if isinstance(box, QMessageBox) and box.isVisible():
                said.append(box.text())
                box.grab().save(str(shot))
                box.close()

    closer = QTimer()
    closer.timeout.connect(answer)
    return said, closer


def test_a_merge_that_fails_says_so_in_the_users_language(
    qtbot: QtBot, session: Session, qapp: QApplication, shots: Path
) -> None:
    """The other entry merged away meanwhile (here, or by a sync) while the dialog was open:
    the merge failed, "Merging…" went from the status bar, and nothing said why nothing
    happened."""
    s = session
    first = people.register_person(s.store, s.user, PersonDraft("Maria", "Popescu", "12.04.1990"))
    second = people.register_person(
        s.store, s.user, PersonDraft("Maria", "Popescu", "12.04.1990"), confirm_duplicates=True
    )
    said, closer = _warnings_read(shots / "merge-failed-same-ro.png")
    set_language("ro")
    try:
        _window, notice = _page(qtbot, s, second.id)
        notice.merge_button.click()
        qtbot.waitUntil(lambda: notice.merge_dialog is not None, timeout=30_000)
        dialog = notice.merge_dialog
        assert dialog is not None
        kept, gone = merges.kept_and_merged(first.id, second.id)
        merges.merge_people(s.store, s.user, kept, gone, frozenset())  # meanwhile
        closer.start(50)
        dialog.merge_button.click()
        qtbot.waitUntil(lambda: bool(said), timeout=10_000)
    finally:
        closer.stop()
        set_language("en")
    assert said[0].startswith("Înregistrările nu au fost contopite."), said
    # The same merge done meanwhile: "the person was erased meanwhile" was said.
    assert "au fost între timp contopite într-una singură" in said[0], said
    assert "ștearsă" not in said[0], said


def test_a_merge_whose_other_entry_went_into_a_third_says_so(
    qtbot: QtBot, session: Session, qapp: QApplication, shots: Path
) -> None:
    """The other entry merged into a third one meanwhile (by a sync, say): the failure said
    the person had been erased, and the advisor looked for an erasure that never was."""
    s = session
    maria = PersonDraft("Maria", "Popescu", "12.04.1990")
    first = people.register_person(s.store, s.user, maria)
    second = people.register_person(s.store, s.user, maria, confirm_duplicates=True)
    said, closer = _warnings_read(shots / "merge-failed-third-bg.png")
    set_language("bg")
    try:
        _window, notice = _page(qtbot, s, second.id)
        notice.merge_button.click()
        qtbot.waitUntil(lambda: notice.merge_dialog is not None, timeout=30_000)
        dialog = notice.merge_dialog
        assert dialog is not None
        _kept, gone = merges.kept_and_merged(first.id, second.id)
        # A third entry that a merge with ``gone`` keeps (the smaller id is kept): ``gone``
        # merged into it, not into the other entry of this merge.
        for _ in range(40):
            third = people.register_person(s.store, s.user, maria, confirm_duplicates=True)
            if merges.kept_and_merged(third.id, gone) == (third.id, gone):
                break
        else:
            pytest.fail("no entry with a smaller id in 40 tries")
        merges.merge_people(s.store, s.user, third.id, gone, frozenset())  # meanwhile
        closer.start(50)
        dialog.merge_button.click()
        qtbot.waitUntil(lambda: bool(said), timeout=10_000)
    finally:
        closer.stop()
        set_language("en")
    assert said[0].startswith("Записите не бяха обединени."), said
    assert "беше обединен с друг запис" in said[0], said
    assert "изтрито" not in said[0], said


@pytest.mark.parametrize("lang", ["bg", "ro"])
def test_a_screen_reader_hears_which_field_and_whose_value_each_choice_is(
    qtbot: QtBot, session: Session, lang: str
) -> None:
    """Each choice of a differing field was named by its value alone: "Ion", then "Мария",
    with nothing to say it was the given name, nor which entry it came from."""
    from PySide6.QtGui import QAccessible

    s = session
    first = people.register_person(s.store, s.user, PersonDraft("Maria", "Popescu", "12.04.1990"))
    second = people.register_person(
        s.store, s.user, PersonDraft("Mariana", "Popescu", "12.04.1990"), confirm_duplicates=True
    )
    set_language(lang)
    try:
        dialog = MergeDialog(merges.preview(s.store, s.user, first.id, second.id))
        qtbot.addWidget(dialog)
        dialog.show()
        qtbot.waitExposed(dialog)
        other = dialog.take_other_buttons["given_name"]
        group = other.group()
        assert group is not None
        heard = []
        for button in group.buttons():
            face = QAccessible.queryAccessibleInterface(button)
            assert face is not None
            heard.append(
                (face.text(QAccessible.Text.Name), face.text(QAccessible.Text.Description))
            )
        dialog.reject()
    finally:
        set_language("en")
    given = {"bg": "Име", "ro": "Prenume"}[lang]
    kept, merged = HEADERS[lang][:2]
    values = {b.text() for b in group.buttons()}
    assert values == {"Maria", "Mariana"}
    assert sorted(heard) == sorted(
        [
            (f"{given}: {b.text()}", side)
            for b, side in zip(group.buttons(), (kept, merged), strict=True)
        ]
    )


@pytest.mark.parametrize("lang", ["de", "ro"])
def test_the_whole_date_of_birth_is_chosen_where_the_entry_kept_knows_the_month_alone(
    qtbot: QtBot, session: Session, lang: str, shots: Path
) -> None:
    """Ralf registered Ion as born 03.1987, Elena as born 14.03.1987; his entry happened to be
    the one kept (the smaller id), and Merge pressed at once kept the month alone: the day
    Elena had recorded was gone from both laptops. The whole date is chosen by default, and
    the note says so; where the entry kept holds the whole date, its own stays."""
    s = session
    one = people.register_person(s.store, s.user, PersonDraft("Ion", "Popescu", "14.03.1987"))
    two = people.register_person(
        s.store, s.user, PersonDraft("Ion", "Popescu", "14.03.1987"), confirm_duplicates=True
    )
    kept, gone = merges.kept_and_merged(one.id, two.id)
    said = {
        "de": "Das vollständige Datum des anderen Eintrags ist ausgewählt.",
        "ro": "este aleasă data completă a celeilalte înregistrări.",
    }[lang]
    set_language(lang)
    try:
        for partial, whole in ((kept, gone), (gone, kept)):
            people.update_person(s.store, s.user, partial, PersonDraft("Ion", "Popescu", "03.1987"))
            people.update_person(
                s.store, s.user, whole, PersonDraft("Ion", "Popescu", "14.03.1987")
            )
            dialog = MergeDialog(merges.preview(s.store, s.user, kept, gone))
            qtbot.addWidget(dialog)
            group = dialog.take_other_buttons["date_of_birth"].group()
            assert group is not None
            checked = group.checkedButton()
            assert checked is not None
            assert checked.text() == format_partial_date(PartialDate.parse("14.03.1987"))
            dialog.show()
            qtbot.waitExposed(dialog)
            dialog.activateWindow()
            qtbot.waitUntil(dialog.isActiveWindow, timeout=5000)
            # Tab (from Cancel, by the intro) enters the choice at the date checked, as Space
            # would keep it.
            assert dialog.cancel_button is not None
            stops = tab_stops(dialog, dialog.cancel_button)
            assert stops[1] is dialog.intro and stops[2] is checked, [
                (w.objectName(), getattr(w, "text", str)()) for w in stops
            ]
            if partial == kept:
                dialog.grab().save(str(shots / f"merge-whole-date-{lang}.png"))
                assert dialog.take_other() == frozenset({"date_of_birth"})
                assert dialog.note.text().endswith(said), dialog.note.text()
            else:
                assert dialog.take_other() == frozenset()
                assert said not in dialog.note.text()
            dialog.reject()
    finally:
        set_language("en")


def test_right_after_a_merge_the_page_shows_nothing_of_the_entry_as_it_was(
    qtbot: QtBot, session: Session, shots: Path
) -> None:
    """Merged from the page of the entry kept, whose entry had no life-situation check and one
    referral: the page, photographed as the merge ended, still said "No check of the life
    situation yet" and listed one open referral of two (the summary, read again on a worker,
    was left as it was while it was read), and the notice naming the other entry was still
    there. At once now: no notice, and the summary holds nothing of the entry as it was; once
    read, both checks' and both referrals' data."""
    from desktop_app.ui.person_summary import PersonSummaryView
    from desktop_app.usecases import referrals as referrals_uc

    s = session
    maria = PersonDraft("Maria", "Popescu", "12.04.1990")
    one = people.register_person(s.store, s.user, maria).id
    two = people.register_person(s.store, s.user, maria, confirm_duplicates=True).id
    kept, gone = merges.kept_and_merged(one, two)
    visits.finish_visit(s.store, s.user, gone, "life_situation", full_life_situation())
    referrals_uc.issue_referral(s.store, s.user, kept, "jobcenter", "job_search", client_lang="ro")
    referrals_uc.issue_referral(
        s.store, s.user, gone, "vhs", "integration_course", client_lang="ro"
    )
    window, notice = _page(qtbot, s, kept)
    summary = window.findChild(PersonSummaryView)
    assert summary is not None
    qtbot.waitUntil(lambda: summary.summary is not None, timeout=10_000)
    before = summary.summary
    assert before is not None and not before.visit_id  # "No check of the life situation yet."
    stale = {summary.heading.text(), summary.values["referrals"].text()}
    # What the page shows as the merge ends, before any worker has answered.
    seen: dict[str, object] = {}

    def at_once(_person_id: str) -> None:
        if seen:
            return
        seen["notice"] = notice.isVisible()
        seen["summary"] = summary.summary
        seen["texts"] = {summary.heading.text()} | {v.text() for v in summary.values.values()}
        seen["page"] = getattr(window.person_page.person, "id", None)
        # Where the page's first line is: no band left where the notice was.
        seen["top"] = window.person_page.values["date_of_birth"].y()
        seen["referrals shown"] = summary.labels["referrals"].isVisible()
        window.grab().save(str(shots / "merge-page-at-once.png"))

    notice.merge_button.click()
    qtbot.waitUntil(lambda: notice.merge_dialog is not None, timeout=30_000)
    dialog = notice.merge_dialog
    assert dialog is not None
    window.person_data_saved.connect(at_once)  # after the window's own: as the merge left it
    dialog.merge_button.click()
    qtbot.waitUntil(lambda: bool(seen), timeout=30_000)
    assert seen["page"] == kept
    assert seen["notice"] is False
    assert seen["summary"] is None or seen["summary"] is not before
    texts = seen["texts"]
    assert isinstance(texts, set)
    assert not (stale & texts), (stale, texts)
    if seen["summary"] is None:  # being read: said so, no label left with nothing beside it
        assert "Reading the summary…" in texts and seen["referrals shown"] is False
    # Read: the check of the entry merged away, both referrals, each line whole.
    qtbot.waitUntil(
        lambda: summary.summary is not None and bool(summary.summary.visit_id), timeout=10_000
    )
    referrals = summary.values["referrals"]
    assert len(referrals.text().splitlines()) == 2, referrals.text()
    qtbot.waitUntil(
        lambda: referrals.height() >= referrals.heightForWidth(referrals.width()), timeout=5000
    )
    window.grab().save(str(shots / "merge-page-read.png"))
    assert notice.isHidden()
    assert window.person_page.values["date_of_birth"].y() == seen["top"]
    window.close()


@pytest.mark.parametrize("lang", ["de", "bg"])
def test_a_screen_reader_reaches_the_comparison_with_one_tab_stop_more(
    qtbot: QtBot, session: Session, lang: str, shots: Path
) -> None:
    """The intro, the values both entries hold and the counts were plain labels: Tab went from
    the choices to the buttons, and a screen reader heard the choices alone. The intro is
    reached by Tab now and says the whole comparison as its description (each value named by
    its field and its entry's side, each count too); each label is named so; the dialog is
    described by the intro as it opens. One stop more than the choices and the two buttons."""
    from PySide6.QtGui import QAccessible

    s = session
    first = people.register_person(
        s.store, s.user, PersonDraft("Maria", "Popescu", "12.04.1990", phone="0151 1111111")
    )
    second = people.register_person(
        s.store,
        s.user,
        PersonDraft("Mariana", "Popescu", "12.04.1990"),
        confirm_duplicates=True,
    )
    kept, gone = merges.kept_and_merged(first.id, second.id)
    visits.finish_visit(s.store, s.user, gone, "life_situation", full_life_situation())
    set_language(lang)
    try:
        dialog = MergeDialog(merges.preview(s.store, s.user, kept, gone))
        qtbot.addWidget(dialog)
        dialog.show()
        qtbot.waitExposed(dialog)
        dialog.activateWindow()
        qtbot.waitUntil(dialog.isActiveWindow, timeout=5000)
        stay, merged = HEADERS[lang][:2]
        visits_word, phone_word, nationality = {
            "de": ("Besuche", "Telefon", "Staatsangehörigkeit"),
            "bg": ("Посещения", "Телефон", "Гражданство"),
        }[lang]

        def heard(widget: QLabel | MergeDialog) -> tuple[str, str]:
            face = QAccessible.queryAccessibleInterface(widget)
            assert face is not None
            return face.text(QAccessible.Text.Name), face.text(QAccessible.Text.Description)

        name, description = heard(dialog.intro)
        assert name == dialog.intro.text()
        lines = description.splitlines()
        # The phone only the first entry holds, on its side (taken over, if merged into it).
        side = stay if first.id == kept else merged
        assert any(line.startswith(f"{phone_word}, {side}: 0151 1111111") for line in lines), lines
        assert f"{visits_word}, {stay}: 0" in lines and f"{visits_word}, {merged}: 1" in lines
        assert any(line.startswith(f"{nationality}, {merged}: ") for line in lines), lines
        assert lines[-1] == dialog.note.text()
        assert heard(dialog)[1] == dialog.intro.text()
        # Each value and count named by its field and side, not by the value alone.
        # (The choices are named by field and value, and described by their side.)
        named = {heard(label)[0] for label in dialog.findChildren(QLabel)}
        choices = [
            line
            for line in lines
            if line.split(",")[0]
            == dialog.take_other_buttons["given_name"].accessibleName().split(":")[0]
        ]
        assert len(choices) == 2
        assert set(lines[:-1]) - set(choices) <= named, set(lines[:-1]) - named
        # Tab: the intro, the one choice (the given name), Merge, Cancel; nothing else.
        stops = tab_stops(dialog, dialog.intro)
        assert stops[0] is dialog.intro and len(stops) == 4, [w.objectName() for w in stops]
        assert {w.objectName() for w in stops[1:2]} == {"merge given_name"}
        dialog.grab().save(str(shots / f"merge-dialog-reader-{lang}.png"))
        dialog.reject()
    finally:
        set_language("en")
