"""Every window, dialog and wizard page the program shows, as a screen reader and the keyboard
meet it: each input in sight has a name (what Orca, NVDA or Narrator say when it gets the
focus), that name in the UI language, and Tab from the window's first field reaches it.

Users include people who cannot use a mouse well, and helpers who work fast by keyboard. The
windows are opened by the access keys' sweep (test_access_keys_ui's openers); at each view they
show, the inputs are checked here. The name is asked of Qt's accessibility layer itself (its own
accessibleName, a QLabel buddy beside it, a button's text), as a screen reader asks it.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

import pypdf
import pytest
from babel.messages.pofile import read_po
from PySide6.QtCore import QPoint, Qt
from PySide6.QtGui import QAccessible, QAction, QImage, QKeySequence
from PySide6.QtTest import QTest
from PySide6.QtWidgets import (
    QAbstractButton,
    QAbstractSpinBox,
    QApplication,
    QButtonGroup,
    QCheckBox,
    QComboBox,
    QLabel,
    QRadioButton,
    QScrollArea,
    QTabBar,
    QTableWidget,
    QWidget,
)
from pytestqt.qtbot import QtBot

from desktop_app.i18n.text import DOMAIN, _
from desktop_app.paths import translations_dir
from desktop_app.ui.application import QtTranslations
from desktop_app.ui.form_view import GroupEditor
from desktop_app.ui.main_window import MainWindow
from desktop_app.ui.visits import VisitWindow
from desktop_app.usecases import visits
from tests.ui import test_access_keys_ui as access_keys
from tests.ui.conftest import type_text
from tests.ui.tab_walk import first_stop
from tests.ui.test_access_keys_ui import (
    OPENERS,
    Desk,
    View,
    _close_new_windows,
    _switch,
)

# The access keys' windows, on a store of this module's own (its fixtures, used here).
desk = access_keys.desk
joined = access_keys.joined

# Bulgarian: an English word left in a name stands out among Cyrillic ones (German shares many
# words with English, and English would not show a name left untranslated at all).
LANG = "bg"
DIRECT = Qt.FindChildOption.FindDirectChildrenOnly
MAX_TABS = 600  # presses before a walk counts as caught: a table moves cell by cell


@cache
def _english_left_over(lang: str) -> frozenset[str]:
    """The English texts that ``lang`` says otherwise (their access key, a colon dropped): a
    name among them is one left untranslated, unless ``lang`` says it too (Romanian's "Notes"
    is "Note", an English text of its own)."""
    path = translations_dir() / lang / "LC_MESSAGES" / f"{DOMAIN}.po"
    with open(path, "rb") as fh:
        catalog = read_po(fh, locale=lang)
    english: set[str] = set()
    said: set[str] = set()
    for message in catalog:
        if isinstance(message.id, str) and isinstance(message.string, str) and message.string:
            english.add(_plain(message.id))
            said.add(_plain(message.string))
    return frozenset(english - said)


def _plain(text: str) -> str:
    return text.replace("&&", "\0").replace("&", "").replace("\0", "&").strip().rstrip(":…")


def _name(widget: QWidget) -> str:
    """What a screen reader says the widget is called: Qt's accessible name of it (its own, a
    QLabel beside it whose buddy it is, a button's text). A combo box's is its choice on Linux
    (Orca names it by the label Qt relates to it): its own name or that label, as Qt finds it."""
    if isinstance(widget, QComboBox):
        parent = widget.parentWidget()
        labels = [
            label.text()
            for label in (parent.findChildren(QLabel, options=DIRECT) if parent else [])
            if label.buddy() is widget
        ]
        return _plain(widget.accessibleName() or next(iter(labels), ""))
    interface = QAccessible.queryAccessibleInterface(widget)
    return interface.text(QAccessible.Text.Name).strip() if interface is not None else ""


def _inner(widget: QWidget) -> bool:
    """A part of another input (a spin box's or an editable combo box's line edit)."""
    parent = widget.parentWidget()
    return isinstance(parent, (QComboBox, QAbstractSpinBox)) or widget.focusProxy() is not None


def _inputs(top: QWidget) -> list[QWidget]:
    """The inputs of ``top`` in sight that Tab can give the focus to (enabled or not)."""
    return [
        w
        for w in top.findChildren(QWidget)
        if w.window() is top
        and w.isVisibleTo(top)
        and w.focusPolicy() & Qt.FocusPolicy.TabFocus == Qt.FocusPolicy.TabFocus
        and not isinstance(w, QTabBar)  # its tabs are named by their texts
        and not _inner(w)
    ]


def _describe(widget: QWidget) -> str:
    text = widget.text() if isinstance(widget, QAbstractButton) else ""
    parent = widget.parentWidget()
    return (
        f"{type(widget).__name__} {widget.objectName() or ''}{text!r} "
        f"in {type(parent).__name__ if parent else None}"
    )


def _tab_walk(top: QWidget) -> tuple[set[QWidget], str | None]:
    """The widgets Tab gives the focus to, from the window's first field round to it again
    (real key presses: an input that keeps Tab to itself keeps the walk there); and where the
    walk was caught, if it was."""
    first = first_stop(top)  # moving the focus as Tab does, not walking Qt's focus chain
    if first is None or not _tabbable(first, top):
        return set(), None
    first.setFocus(Qt.FocusReason.TabFocusReason)
    QApplication.processEvents()
    start: QWidget = top.focusWidget() or first
    seen = {start}
    current = start
    for _press in range(MAX_TABS):
        QTest.keyClick(current, Qt.Key.Key_Tab)
        now = top.focusWidget()
        if now is None:
            return seen, f"the focus left the window after {_describe(current)}"
        if now is start and current is not start:
            return seen, None
        seen.add(now)
        current = now
    return seen, f"Tab stays in {_describe(current)}"


def _tabbable(widget: QWidget, top: QWidget) -> bool:
    return (
        widget.window() is top
        and widget.isVisibleTo(top)
        and widget.isEnabled()
        and widget.focusPolicy() & Qt.FocusPolicy.TabFocus == Qt.FocusPolicy.TabFocus
    )


def _reached(widget: QWidget, seen: set[QWidget]) -> bool:
    """Tab reaches ``widget``, or it is a radio button whose group Tab reaches (the arrow keys
    choose within an exclusive group: Tab stops at its checked button only)."""
    if widget in seen:
        return True
    if isinstance(widget, QRadioButton):
        group = widget.group()
        if isinstance(group, QButtonGroup):
            return any(b in seen for b in group.buttons())
        parent = widget.parentWidget()
        return widget.autoExclusive() and any(
            isinstance(o, QRadioButton) and o in seen for o in (parent.children() if parent else [])
        )
    return False


@dataclass
class Findings:
    nameless: list[str] = field(default_factory=list)
    english: list[str] = field(default_factory=list)
    unreachable: list[str] = field(default_factory=list)
    caught: list[str] = field(default_factory=list)
    shared: list[str] = field(default_factory=list)  # one name, several inputs
    cut: list[str] = field(default_factory=list)  # a box named less than its own text says

    def problems(self) -> list[str]:
        return [
            *(f"no name: {w}" for w in self.nameless),
            *(f"name not translated: {w}" for w in self.english),
            *(f"Tab does not reach: {w}" for w in self.unreachable),
            *(f"Tab caught: {w}" for w in self.caught),
            *(f"name shared: {w}" for w in self.shared),
            *(f"name cut short: {w}" for w in self.cut),
        ]


def _cut_short(widget: QWidget, name: str) -> bool:
    """A box's text is what it sets ("Appointment agreed"); named by the label of its row
    instead ("Appointment"), a screen reader left out what ticking it means."""
    return isinstance(widget, (QCheckBox, QRadioButton)) and _plain(widget.text()) not in name


IDENTIFIER = re.compile(r"[A-Za-z]+(_[A-Za-z0-9]+)+|[a-z]+[A-Z]\w*")


def check(top: QWidget, where: str, lang: str, found: Findings) -> None:
    """``top`` as shown now: its inputs named, in ``lang``, and reached by Tab."""
    inputs = _inputs(top)
    names: dict[str, list[QWidget]] = {}
    for widget in inputs:
        name = _name(widget)
        if not isinstance(widget, (QAbstractButton,)):
            names.setdefault(name, []).append(widget)
        if not name or name == widget.objectName() or IDENTIFIER.fullmatch(name):
            found.nameless.append(f"{where}: {_describe(widget)} ({name!r})")
        elif lang != "en" and _plain(name) in _english_left_over(lang):
            found.english.append(f"{where}: {_describe(widget)} ({name!r})")
        elif _cut_short(widget, name):
            found.cut.append(f"{where}: {_describe(widget)} ({name!r})")
    for name, same in names.items():
        if len(same) > 1 and name:
            found.shared.append(f"{where}: {name!r} names {[_describe(w) for w in same]}")
    seen, caught = _tab_walk(top)
    if caught:
        found.caught.append(f"{where}: {caught}")
    for widget in inputs:
        if widget.isEnabled() and not _reached(widget, seen):
            found.unreachable.append(f"{where}: {_describe(widget)} ({_name(widget)!r})")


def _checked(views: Iterator[View], lang: str) -> tuple[Findings, int]:
    found, count = Findings(), 0
    for view in views:
        if view.top is not None:  # a window (a menu's entries are named by their texts)
            check(view.top, view.where, lang, found)
            count += 1
    return found, count


@pytest.mark.parametrize("name", list(OPENERS))
def test_every_input_is_named_in_the_language_and_reached_by_tab(
    qtbot: QtBot,
    desk: Desk,
    name: str,
) -> None:
    desk.qtbot = qtbot
    before = set(QApplication.topLevelWidgets())
    _switch(desk.window, LANG)
    try:
        found, count = _checked(OPENERS[name](desk), LANG)
    finally:
        _close_new_windows(desk, before)
        desk.window.switch_language("en")
    assert count, name  # the sweep saw a window
    assert not found.problems(), "\n".join([name, *found.problems()])


def test_the_laptops_dialog_is_named_and_reached_by_tab(
    qtbot: QtBot,
    joined: tuple[MainWindow, QtTranslations],
) -> None:
    window, _qt_texts = joined
    _switch(window, LANG)
    try:
        found, count = _checked(access_keys.laptops_views(qtbot, window), LANG)
    finally:
        window.switch_language("en")
    # the dialog, its revoke question, its new enrollment code and this laptop's fingerprint
    assert count == 4
    assert not found.problems(), "\n".join(found.problems())


def test_the_help_windows_are_named_and_reached_by_tab(qtbot: QtBot, desk: Desk) -> None:
    """Help → Guide and Help → Keyboard shortcuts (not among the access keys' windows)."""
    from desktop_app.ui import help as help_ui

    desk.qtbot = qtbot
    before = set(QApplication.topLevelWidgets())
    _switch(desk.window, LANG)
    found = Findings()
    try:
        for dialog in (help_ui.open_guide(desk.window), help_ui.open_shortcuts(desk.window)):
            qtbot.waitExposed(dialog)
            check(dialog, type(dialog).__name__, LANG, found)
            dialog.reject()
    finally:
        _close_new_windows(desk, before)
        desk.window.switch_language("en")
    assert not found.problems(), "\n".join(found.problems())


# --- the keys users expect -----------------------------------------------------------------------


def _press(qtbot: QtBot, window: QWidget, key: Qt.Key) -> None:
    """Ctrl and ``key`` in ``window``, made the active window (as the user's is)."""
    window.activateWindow()
    qtbot.waitUntil(window.isActiveWindow, timeout=5000)
    QTest.keyClick(window, key, Qt.KeyboardModifier.ControlModifier)


def test_the_common_actions_have_their_usual_keys(qtbot: QtBot, desk: Desk) -> None:
    """Find, New, Lock as users expect them; Print (Ctrl+P) opens the print queue, where the
    main window's letters are printed."""
    desk.qtbot = qtbot
    window = desk.window
    assert window.find_action.shortcut() == QKeySequence(QKeySequence.StandardKey.Find)
    assert window.new_action.shortcut() == QKeySequence(QKeySequence.StandardKey.New)
    actions = {a.shortcut().toString(): a for a in window.findChildren(QAction)}
    assert "Ctrl+L" in actions and "Ctrl+Q" in actions
    feature = window.referrals  # type: ignore[attr-defined]
    if feature.queue_window is not None:
        feature.queue_window.close()
    _press(qtbot, window, Qt.Key.Key_P)
    qtbot.waitUntil(lambda: feature.queue_window is not None, timeout=30_000)
    queue = feature.queue_window
    qtbot.waitUntil(queue.isVisible, timeout=5000)
    assert not queue.isHidden()
    queue.close()
    # Listed where the keys are looked up (Help → Keyboard shortcuts reads the window's).
    from desktop_app.ui.help import plain, shortcut_rows

    rows = {(row.group, row.text): row.keys for row in shortcut_rows(window)}
    assert rows[(plain(_("&File")), plain(_("Print q&ueue…")))] == "Ctrl+P"
    assert rows[(_("Letter"), _("Print"))] == "Ctrl+P"  # the letter preview's


def test_ctrl_p_prints_the_letter_shown(
    qtbot: QtBot,
    desk: Desk,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from desktop_app.ui import referrals as referrals_ui
    from desktop_app.usecases import referrals as referrals_uc

    if not referrals_ui.HAVE_QTPDF:
        pytest.skip("QtPdf is not installed")
    desk.qtbot = qtbot
    store, user = desk.session.store, desk.session.user
    referral = referrals_uc.issue_referral(
        store, user, desk.person.id, "vhs", "integration_course", client_lang="ro"
    )
    feature = desk.window.referrals  # type: ignore[attr-defined]
    with qtbot.waitSignal(feature.open_preview(referral).loaded, timeout=10_000):
        pass
    preview = feature.preview
    qtbot.waitUntil(preview.print_button.isEnabled, timeout=10_000)
    out = tmp_path / "printed.pdf"
    monkeypatch.setenv(referrals_ui.PRINT_TO_PDF_ENV, str(out))
    try:
        _press(qtbot, preview, Qt.Key.Key_P)
        qtbot.waitUntil(out.exists, timeout=10_000)
        # The letter shown, printed (as pictures of its pages: no text to read back).
        assert len(pypdf.PdfReader(out).pages) == preview.document.pageCount()
    finally:
        preview.reject()


def test_enter_on_a_figure_lists_the_people_behind_it(qtbot: QtBot, desk: Desk) -> None:
    """A figure's row lists its people when clicked; Enter on it does too (the keyboard had no
    way there: Tab reaches the table, the arrows its rows)."""
    from desktop_app.ui.reports import CasesDialog, ReportsWindow

    desk.qtbot = qtbot
    dashboard = ReportsWindow(desk.session, desk.window.tasks, desk.window)
    qtbot.addWidget(dashboard)
    dashboard.show()
    dashboard.refresh()
    qtbot.waitUntil(lambda: dashboard.report is not None, timeout=20_000)
    overview = dashboard.findChild(QTableWidget, "table-overview")
    assert isinstance(overview, QTableWidget)
    overview.setFocus()
    overview.setCurrentCell(0, 1)
    QTest.keyClick(overview, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: dashboard.cases is not None, timeout=20_000)
    cases = dashboard.cases
    assert isinstance(cases, CasesDialog)
    label = overview.item(0, 0)
    assert label is not None and label.text() in cases.windowTitle()
    cases.reject()
    dashboard.close()


# --- where the focus is, seen -------------------------------------------------------------------


def _ring_changed(before: QImage, after: QImage) -> float:
    """The share of a widget's outermost ring of pixels (its frame) that changed."""
    w, h = before.width(), before.height()
    ring = [(x, y) for x in range(w) for y in (0, h - 1)]
    ring += [(x, y) for x in (0, w - 1) for y in range(1, h - 1)]
    return sum(before.pixel(x, y) != after.pixel(x, y) for x, y in ring) / len(ring)


def _focused_by_tab(qtbot: QtBot, top: QWidget, before: QWidget, widget: QWidget) -> None:
    """``widget`` given the focus by Tab from ``before`` (the window active, as the user's)."""
    top.activateWindow()
    qtbot.waitUntil(top.isActiveWindow, timeout=5000)
    before.setFocus(Qt.FocusReason.TabFocusReason)
    qtbot.waitUntil(before.hasFocus, timeout=5000)
    QTest.keyClick(before, Qt.Key.Key_Tab)
    qtbot.waitUntil(widget.hasFocus, timeout=5000)


def test_a_text_area_given_the_focus_shows_it(qtbot: QtBot, desk: Desk, tmp_path: Path) -> None:
    """A line edit's frame turns to the highlight colour with the focus; a text area's did not
    (Fusion draws only its caret; a read-only one has none): the register dialog's notes and
    the consent dialog's text (framed by a style sheet) gave no sign that Tab had come."""
    from desktop_app.ui.application import show_focus

    desk.qtbot = qtbot
    app = QApplication.instance()
    assert isinstance(app, QApplication)
    frames = show_focus(app)  # as the program starts
    try:
        dialog = desk.window.open_register_dialog()
        dialog.show()
        qtbot.waitExposed(dialog)
        unfocused = dialog.notes.grab().toImage()
        _focused_by_tab(qtbot, dialog, dialog.phone, dialog.notes)
        dialog.grab().save(str(tmp_path / "register-notes-focused.png"))
        assert _ring_changed(unfocused, dialog.notes.grab().toImage()) > 0.9
        dialog.reject()
        visit = _visit_window(qtbot, desk, "life_situation")
        consent = visit.open_consent()
        qtbot.waitExposed(consent)
        texts = consent.texts
        consent.activateWindow()
        qtbot.waitUntil(consent.isActiveWindow, timeout=5000)
        texts.setFocus(Qt.FocusReason.TabFocusReason)
        qtbot.waitUntil(texts.hasFocus, timeout=5000)
        QTest.keyClick(texts, Qt.Key.Key_Tab)  # on to the first question
        qtbot.waitUntil(lambda: not texts.hasFocus(), timeout=5000)
        unfocused = texts.grab().toImage()
        after = consent.focusWidget()
        assert after is not None
        QTest.keyClick(after, Qt.Key.Key_Backtab)  # and back
        qtbot.waitUntil(texts.hasFocus, timeout=5000)
        consent.grab().save(str(tmp_path / "consent-text-focused.png"))
        assert _ring_changed(unfocused, texts.grab().toImage()) > 0.9
        consent.reject()
        visit.close()
    finally:
        frames.stop()
        frames.deleteLater()


def _visit_window(
    qtbot: QtBot, desk: Desk, form_id: str, visit: visits.Visit | None = None
) -> VisitWindow:
    """A form of the desk's person, shown (its language beside: Romanian)."""
    desk.qtbot = qtbot
    window = VisitWindow(desk.session, desk.person, form_id, visit=visit, client_lang="ro")
    qtbot.addWidget(window)
    window.show()
    return window


def _group(window: VisitWindow, field_id: str | None = None) -> GroupEditor:
    """The form's first group (the one of ``field_id``)."""
    return next(
        editor
        for page in window.view.pages
        for editor in page.editors.values()
        if isinstance(editor, GroupEditor) and field_id in (None, editor.fdef.id)
    )


def test_a_groups_entries_keep_their_numbers_in_their_names_across_languages(
    qtbot: QtBot,
    desk: Desk,
) -> None:
    """Two children's names were both "Name" to a screen reader; each says its entry, in the
    language switched to while the form is open, and after an entry before it is removed. A
    child's entry is named as it is headed ("Kind 2: Иван, 6 Jahre"): its questions and its
    Remove button said "Eintrag 2" under that heading."""
    window = _visit_window(qtbot, desk, "life_situation")
    group = _group(window, "children")
    try:
        while len(group.items) < 3:  # the desk's earlier check may have brought a child in
            group.add.click()
        desk.window.switch_language("de")
        window.retranslate()  # as the visits feature does with its open windows

        def names() -> list[str]:
            return [
                item.editors["child_name"].focus_widget().accessibleName() for item in group.items
            ]

        def removes() -> list[str]:
            return [item.remove.accessibleName() for item in group.items]

        question = group.items[0].editors["child_name"]
        label = question.langs.text(question.fdef.label)
        assert label and label != "Given name"  # German
        assert names() == [f"{label}, Kind {n}" for n in (1, 2, 3)]
        assert removes() == [f"Kind {n} entfernen" for n in (1, 2, 3)]
        assert [item.header.text().split(":")[0] for item in group.items] == [
            f"Kind {n}" for n in (1, 2, 3)
        ]
        type_text(group.items[1].editors["child_name"].focus_widget(), "Иван")
        # The Remove button tells what it removes, as the heading does.
        assert group.items[1].remove.accessibleDescription() == group.items[1].header.text()
        assert group.items[1].remove.accessibleDescription().startswith("Kind 2: Иван")
        group.remove_item(group.items[0])
        assert names() == [f"{label}, Kind {n}" for n in (1, 2)]
        assert removes() == [f"Kind {n} entfernen" for n in (1, 2)]
        assert group.items[0].remove.accessibleDescription().startswith("Kind 1: Иван")
        desk.window.switch_language("bg")
        window.retranslate()
        assert removes() == [f"Премахване на дете {n}" for n in (1, 2)]
        assert names()[1].endswith(", дете 2")
    finally:
        desk.window.switch_language("en")
        window.close()


def test_the_entries_of_a_group_of_other_things_are_named_entries(
    qtbot: QtBot,
    desk: Desk,
) -> None:
    """A skills check's languages are not children: "Sprache, Eintrag 1", "Eintrag 1 entfernen"."""
    window = _visit_window(qtbot, desk, "skills_check")
    group = _group(window)
    try:
        desk.window.switch_language("de")
        window.retranslate()
        while len(group.items) < 2:
            group.add.click()
        first = next(iter(group.items[1].editors.values()))
        label = first.langs.text(first.fdef.label)
        assert first.focus_widget().accessibleName() == f"{label}, Eintrag 2"
        assert group.items[1].remove.accessibleName() == "Eintrag 2 entfernen"
    finally:
        desk.window.switch_language("en")
        window.close()


def test_tab_goes_through_a_groups_entries_then_to_add_and_the_next_question(
    qtbot: QtBot, desk: Desk
) -> None:
    """An entry added went to the end of the window's Tab order: from the question above it
    Tab jumped past it to Add and on, the entry reached only after the window's Finish."""
    window = _visit_window(qtbot, desk, "skills_check")
    group = _group(window)
    page = next(page for page in window.view.pages if page.isAncestorOf(group))
    try:
        window.view.show_section_row(window.view.pages.index(page))
        group.add.click()
        group.add.click()
        assert len(group.items) >= 2
        window.activateWindow()
        qtbot.waitUntil(window.isActiveWindow, timeout=5000)
        # each entry's answers, then its Remove (first, it removed the entry Tab had reached)
        entries = [
            w
            for item in group.items
            for w in [
                *(w for w in _inputs(window) if item.isAncestorOf(w) and w is not item.remove),
                item.remove,
            ]
        ]
        # From the section's page (the group is its first question), as a user tabs in.
        assert next(iter(page.editors.values())) is group
        page.setFocus(Qt.FocusReason.TabFocusReason)
        visited: list[QWidget | None] = [page]
        for _press in range(len(entries) + 1):
            current = visited[-1]
            assert current is not None
            QTest.keyClick(current, Qt.Key.Key_Tab)
            visited.append(window.focusWidget())
        assert visited[1:] == [*entries, group.add]  # each entry, then Add
        QTest.keyClick(group.add, Qt.Key.Key_Tab)
        after = window.focusWidget()
        assert after is not None and page.isAncestorOf(after)  # the next question
        assert not any(item.isAncestorOf(after) for item in group.items)
    finally:
        window.close()


def test_tab_goes_through_the_persons_page_in_the_order_shown(qtbot: QtBot, desk: Desk) -> None:
    """The page's buttons and tabs come from features, each where it was made: More… and the
    tabs came before the buttons above them, the conflict's Decide… (at the top) last."""
    desk.qtbot = qtbot
    window = desk.window
    access_keys._person_shown(desk)
    notice = window.conflict_notice  # type: ignore[attr-defined]
    qtbot.waitUntil(notice.isVisible, timeout=30_000)
    window.activateWindow()
    qtbot.waitUntil(window.isActiveWindow, timeout=5000)
    window.table.setFocus(Qt.FocusReason.TabFocusReason)
    page = window.person_page

    def place(widget: QWidget) -> tuple[int, int]:
        """Where ``widget`` is on the page, a scrolled one where it is in its scroll area's
        content: the visits tab scrolls a line reached into view, and with both notices
        shown the history reached after the summary's last line was scrolled above it."""
        for area in page.findChildren(QScrollArea):
            content = area.widget()
            if content is not None and content.isAncestorOf(widget):
                at = area.viewport().mapTo(window, QPoint(0, 0))
                at += widget.mapTo(content, QPoint(0, 0))
                return at.y(), at.x()
        at = widget.mapTo(window, QPoint(0, 0))
        return at.y(), at.x()

    visited: list[tuple[QWidget, tuple[int, int]]] = []
    current: QWidget = window.table
    for _press in range(40):  # bounded: the page's inputs, then round to the search
        QTest.keyClick(current, Qt.Key.Key_Tab)
        now = window.focusWidget()
        if now is None or not page.isAncestorOf(now):
            break
        visited.append((now, place(now)))
        current = now
    assert len(visited) >= 6, [_describe(w) for w, _at in visited]  # notice, buttons, More…, tabs
    assert [at for _w, at in visited] == sorted(at for _w, at in visited), [
        (_name(w), at) for w, at in visited
    ]


def _tab_from(qtbot: QtBot, widget: QWidget) -> QWidget | None:
    """Where Tab from ``widget`` goes (its window made active, as the user's)."""
    window = widget.window()
    window.activateWindow()
    qtbot.waitUntil(window.isActiveWindow, timeout=5000)
    widget.setFocus(Qt.FocusReason.TabFocusReason)
    qtbot.waitUntil(widget.hasFocus, timeout=5000)
    QTest.keyClick(widget, Qt.Key.Key_Tab)
    return window.focusWidget()


def test_tab_reaches_the_next_steps_and_a_conflicts_answers_where_they_are_shown(
    qtbot: QtBot, desk: Desk
) -> None:
    """Made once their window was built, the next steps' choices and the answers of a visit's
    conflict came after the window's buttons: Tab went from the page to Back, from the
    versions' buttons to Close."""
    from desktop_app.ui.form_view import NextStepsPage

    window = _visit_window(qtbot, desk, "life_situation", desk.visit)
    try:
        view = window.view
        view.show_section_row(view.navigator.count() - 1)
        steps = view.stack.currentWidget()
        assert isinstance(steps, NextStepsPage) and steps.steps
        after = _tab_from(qtbot, steps)
        assert after is not None and steps.isAncestorOf(after), _describe(after or steps)
    finally:
        window.close()
    dialog = desk.window.sync.open_conflicts()  # type: ignore[attr-defined]
    try:
        qtbot.waitUntil(lambda: dialog.list.count() >= 3, timeout=30_000)
        for row in range(dialog.list.count()):
            dialog.list.setCurrentRow(row)
            if dialog.combine.isVisible():
                break
        assert dialog.combine.isVisible()
        after = _tab_from(qtbot, dialog.keep_second)  # "Take the older version"
        assert after is not None
        assert dialog.combine.isAncestorOf(after), _describe(after)
    finally:
        dialog.reject()
