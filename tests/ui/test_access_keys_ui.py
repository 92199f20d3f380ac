"""Every window, dialog and wizard page the program shows, in each UI language: what is in
sight at once (a wizard page, a tab, a form's section, one menu) uses each access key once,
and every push button has one.

Alt+letter with two controls sharing the letter only moves between them in turn (Qt calls the
shortcut ambiguous), and a button without one is reached by tabbing only: advisors at a busy
contact point work by keyboard. Sittings found such clashes window by window by looking; this
sweeps them all. Each window is opened once per language and every check runs on what it shows.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from PySide6.QtCore import QEvent, QSettings, Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import (
    QAbstractButton,
    QApplication,
    QDialogButtonBox,
    QGroupBox,
    QLabel,
    QMainWindow,
    QMenu,
    QPushButton,
    QTabBar,
    QTabWidget,
    QWidget,
    QWizard,
)
from pytestqt.qtbot import QtBot

from desktop_app.domain.person import Person, PersonDraft
from desktop_app.domain.referral import Referral
from desktop_app.i18n.text import _, set_language
from desktop_app.ui.access_keys import DIGITS, keys_in, marked, typable
from desktop_app.ui.application import QtTranslations
from desktop_app.ui.form_view import FieldEditor, GroupEditor
from desktop_app.ui.main_window import MainWindow, merged_here_text
from desktop_app.usecases import people, visits
from desktop_app.usecases import referrals as referrals_uc
from desktop_app.usecases.accounts import Session
from desktop_app.usecases.data_rights import RequestsDue
from desktop_app.usecases.reference import FormChange, Publication, shipped_forms
from tests.conftest import PASSWORD, record_sharing_consent
from tests.ui.tab_walk import MAX_STEPS, every_control_enabled, focus_kept, tab, tab_stops
from tests.ui.test_main_window import _access_key

LANGS = ("en", "de", "bg", "ro")
LAPTOP_WIDTH = 1024  # the laptops' screens: no window wider, no button cut off within it

# Push buttons deliberately without an access key (English msgids; compared in the language
# shown). Each says why.
UNKEYED_BY_DESIGN = frozenset(
    {
        # The destructive confirmation of revoking a laptop: chosen by mouse or Tab only, never
        # by a letter typed out of habit (Cancel is the default and the escape button).
        "Revoke and renew the team key",
    }
)


# Windows whose button row Tab crosses out of order for now, and why.
TABBED_ASTRAY: dict[str, str] = {}


# Windows with no access key at all, and why.
NO_KEYS = {
    # A grid of check boxes, one per helper and section, and Save/Cancel: Tab and Space.
    "open to helpers": "a grid of check boxes",
    # Help → Guide and Keyboard shortcuts: a text or a list to read, and Close (Esc).
    "guide, shortcuts": "texts to read, and Close",
}


@dataclass
class View:
    """What one view of a window offers the keyboard."""

    where: str
    keyed: list[str] = field(default_factory=list)  # texts with an access key
    unkeyed: list[str] = field(default_factory=list)  # push buttons that need one and lack it
    cut: list[str] = field(default_factory=list)  # buttons narrower than their text wants
    dead: list[str] = field(default_factory=list)  # labels whose key leads to a disabled input
    astray: list[str] = field(default_factory=list)  # button rows Tab crosses not as they stand
    # The window scanned, as shown at the view (a menu's view: None); the accessibility sweep
    # (test_accessible_names_ui) checks its inputs at each view the openers show.
    top: QWidget | None = None

    def untypable(self) -> list[str]:
        """Texts whose key a German keyboard does not type ("&Înregistrează": Alt+I does not
        reach "&Î"); a Cyrillic one is typed as the Bulgarian program's other keys are, on
        a Bulgarian layout (see access_keys._tier)."""
        return [t for t in self.keyed if not typable(_access_key(t) or "")]

    def clashes(self) -> dict[str, list[str]]:
        by_key: dict[str, list[str]] = {}
        for text in self.keyed:
            key = _access_key(text)
            assert key is not None
            by_key.setdefault(key, []).append(text)
        return {key: texts for key, texts in by_key.items() if len(texts) > 1}


def _exempt(button: QPushButton, top: QWidget) -> bool:
    """Buttons fine without a key: a button box's standard ones (OK, Cancel, Close … in Qt's
    own words), a wizard's Cancel (its escape button), the allow-listed ones."""
    from desktop_app.ui.form_view import GroupItem

    box = button.parent()
    standard = QDialogButtonBox.StandardButton.NoButton
    if isinstance(box, QDialogButtonBox) and box.standardButton(button) != standard:
        return True
    if isinstance(top, QWizard) and button is top.button(QWizard.WizardButton.CancelButton):
        return True
    # A form's repeated group (children, languages …): "Remove" is repeated on every entry,
    # one key would be shared by all of them; reached by Tab from the entry's fields.
    if isinstance(box, GroupItem) and button is box.remove:
        return True
    return button.text() in {_(msgid) for msgid in UNKEYED_BY_DESIGN}


def _question(label: QLabel) -> FieldEditor | None:
    """The form question ``label`` names, if it names one."""
    from desktop_app.ui.form_view import FieldEditor

    editor = label.parentWidget()
    return editor if isinstance(editor, FieldEditor) and editor.title is label else None


def _keyed_elsewhere(label: QLabel) -> bool:
    """A question of a group's entry other than the newest: the newest entry's questions have
    the keys (one letter per question, not per entry; see GroupEditor.show_keys). A following
    group's rows (a child's insurance) are led to by the group's own label."""
    from desktop_app.ui.form_view import FollowerRow, GroupItem

    question = _question(label)
    entry = question.parentWidget() if question is not None else None
    if isinstance(entry, FollowerRow):  # a child's own question: the group's label has the key
        return True
    if not isinstance(entry, GroupItem):
        return False
    group = entry.parentWidget()
    while group is not None and not isinstance(group, GroupEditor):
        group = group.parentWidget()
    assert isinstance(group, GroupEditor)
    return entry is not group.items[-1]


def _no_letter_left(label: QLabel) -> bool:
    """A form question's label (its key chosen by the view) without a key because each of its
    letters and each digit is taken in its section: by the window, or by the section's Add
    buttons and questions, its entries' too, shown or not (a key stays with its question while
    answers show and hide others, and entries come and go)."""
    from desktop_app.ui.form_view import FormView, SectionPage

    if _question(label) is None:
        return False
    page: QWidget | None = label.parentWidget()
    view: QWidget | None = None
    while page is not None and not isinstance(page, SectionPage):
        page = page.parentWidget()
    view = page
    while view is not None and not isinstance(view, FormView):
        view = view.parentWidget()
    assert isinstance(page, SectionPage) and isinstance(view, FormView)
    texts = [page.consent_button.text()]
    for other in page.editors.values():
        texts.append(other.title.text() if other.title.buddy() else "")
        if isinstance(other, GroupEditor):
            texts.append(other.add.text())
            for sub in other.fdef.fields or []:
                texts.append(marked(other.langs.text(sub.label), other.sub_keys.get(sub.id)))
    taken = keys_in(label.window(), outside=[view.stack])
    taken |= {key for key in map(_access_key, texts) if key}
    letters = {c.casefold() for c in label.text() if c.isalpha() and len(c.casefold()) == 1}
    return letters | set(DIGITS) <= taken


def scan(top: QWidget, where: str, extra: Iterable[str] = ()) -> View:
    """The view of ``top`` (a window) as it is shown now: its controls in sight (enabled or
    not: a button greyed until a field is filled clashes once it is not), its tab titles, its
    menu bar's titles; ``extra``: texts shown with it that are not its children."""
    view = View(where, keyed=[t for t in extra if _access_key(t)], top=top)
    if top.width() > LAPTOP_WIDTH:
        view.cut.append(f"the window itself ({top.width()} > {LAPTOP_WIDTH})")

    def mine(widget: QWidget) -> bool:
        return widget.window() is top and widget.isVisibleTo(top)

    for button in top.findChildren(QAbstractButton):
        if not mine(button) or not button.text() or isinstance(button.parent(), QTabBar):
            continue
        if button.width() < button.sizeHint().width():
            view.cut.append(f"{button.text()} ({button.width()} < {button.sizeHint().width()})")
        if _access_key(button.text()):
            view.keyed.append(button.text())
        elif isinstance(button, QPushButton) and not _exempt(button, top):
            view.unkeyed.append(button.text())
    # A wrapped label lower than its lines at its width shows them cut at top and bottom (a
    # line's leading short is not a line lost).
    for label in top.findChildren(QLabel):
        if mine(label) and label.wordWrap() and label.text() and label.width() > 0:
            wanted = label.heightForWidth(label.width())
            if label.height() < wanted - label.fontMetrics().height() // 2:
                view.cut.append(f"label {label.text()[:40]!r} ({label.height()} < {wanted} px)")
    # A label with a buddy names an input: its key moves there (a form's questions, the
    # settings' fields); one without a key leaves the input to Tab alone.
    for label in top.findChildren(QLabel):
        if not mine(label) or not label.text():
            continue
        if label.buddy() is None:
            # A form's question names its input, a multiple choice's boxes and an entry's
            # questions too; a group's leads nowhere (its Add has a key of its own).
            question = _question(label)
            if question is not None and not isinstance(question, GroupEditor):
                view.unkeyed.append(f"question without a buddy {label.text()!r}")
            continue
        if _access_key(label.text()):
            view.keyed.append(label.text())
            # Alt+letter does nothing there: a label shown usable with a key that leads
            # nowhere (a helper's settings had them beside greyed fields).
            buddy = label.buddy()
            if label.isEnabled() and buddy is not None and not buddy.isEnabled():
                view.dead.append(label.text())
        elif not _no_letter_left(label) and not _keyed_elsewhere(label):
            view.unkeyed.append(f"label {label.text()!r}")
    for box in top.findChildren(QGroupBox):
        if mine(box) and _access_key(box.title()):
            view.keyed.append(box.title())
    for bar in top.findChildren(QTabBar):
        if mine(bar):
            texts = [bar.tabText(i) for i in range(bar.count()) if bar.isTabVisible(i)]
            view.keyed += [t for t in texts if _access_key(t)]
    if isinstance(top, QMainWindow) and top.menuWidget() is not None and mine(top.menuBar()):
        titles = [a.text() for a in top.menuBar().actions() if a.isVisible() and a.menu()]
        view.keyed += [t for t in titles if _access_key(t)]
    view.astray = _tabbed_astray(top)
    return view


def menu_views(menu: QMenu, where: str) -> Iterator[View]:
    """One view per menu (and submenu): each entry with a key of its own in it."""
    view = View(where)
    for action in menu.actions():
        if action.isSeparator() or not action.isVisible() or not action.text():
            continue
        (view.keyed if _access_key(action.text()) else view.unkeyed).append(action.text())
        submenu = action.menu()
        if isinstance(submenu, QMenu):
            yield from menu_views(submenu, f"{where} › {action.text()}")
    yield view


def _settled(top: QWidget) -> None:
    """What is pending done, and ``top`` laid out for its texts now (a window kept from an
    earlier language gets its new widths at the next layout pass)."""
    for _pass in range(3):  # a new text asks for a new layout, which asks for another
        QApplication.processEvents()


def views(top: QWidget, where: str, extra: Iterable[str] = ()) -> Iterator[View]:
    """``top`` as shown, then with each tab of each of its tab widgets in front in turn."""
    _settled(top)
    extra = list(extra)
    yield scan(top, where, extra)
    for tabs in top.findChildren(QTabWidget):
        if tabs.window() is not top or not tabs.isVisibleTo(top):
            continue
        before = tabs.currentIndex()
        for index in range(tabs.count()):
            if index != before and tabs.isTabVisible(index):
                tabs.setCurrentIndex(index)
                _settled(top)
                yield scan(top, f"{where}, tab {tabs.tabText(index)!r}", extra)
        tabs.setCurrentIndex(before)


def _tabbed(top: QWidget, buttons: list[QAbstractButton]) -> list[QAbstractButton]:
    """``buttons`` (a row of them) as Tab reaches them coming from the control before them
    (moving the focus as Tab does, every control enabled for it; see tests/ui/tab_walk.py)."""
    with every_control_enabled(top), focus_kept(top):
        buttons[0].setFocus(Qt.FocusReason.BacktabFocusReason)
        seen: list[QWidget] = []
        for _step in range(MAX_STEPS):  # back to a control of ``top`` outside the row
            widget = tab(top, forward=False)
            if (widget not in buttons and widget.window() is top) or widget in seen:
                break  # (or round the window without one: only the row takes the focus)
            seen.append(widget)
        reached: list[QAbstractButton] = []
        for _step in range(MAX_STEPS):  # on from there until the whole row is reached
            widget = tab(top)
            if isinstance(widget, QAbstractButton) and widget in buttons and widget not in reached:
                reached.append(widget)
            if len(reached) == len(buttons):
                break
    return reached


def _tabbed_astray(top: QWidget) -> list[str]:
    """Each button box of ``top`` that Tab enters elsewhere than at its left button or goes
    through out of their order (a Close made with the box came before the buttons added
    next to it, though it stands right of them)."""
    astray = []
    for box in top.findChildren(QDialogButtonBox):
        if box.window() is not top or not box.isVisibleTo(top):
            continue
        tabbed = Qt.FocusPolicy.TabFocus
        row = [b for b in box.buttons() if b.isVisibleTo(top) and b.focusPolicy() & tabbed]
        if len(row) < 2:
            continue
        row.sort(key=lambda b: b.mapTo(top, b.rect().topLeft()).x())
        reached = _tabbed(top, row)
        if reached != row:
            astray.append(f"{[b.text() for b in reached]} standing as {[b.text() for b in row]}")
    return astray


# --- what the windows need ---------------------------------------------------------------------


@dataclass
class Desk:
    session: Session
    window: MainWindow
    person: Person
    referral: Referral
    visit: visits.Visit
    folder: Path
    qtbot: QtBot | None = None

    @property
    def bot(self) -> QtBot:
        assert self.qtbot is not None
        return self.qtbot


@pytest.fixture(scope="module")
def desk(qapp: QApplication, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Desk]:
    """One coordinator's store (everything offered) with a person who has a consent, a
    referral, a finished visit, a draft and conflicts to decide; the main window on it, 1024
    px wide (the laptops' screens). As the program runs: its own font, and Qt's own texts
    (OK, Cancel, Close …, some with keys of their own) in the UI language."""
    from desktop_app.domain.users import Role
    from desktop_app.ui.application import load_fonts
    from desktop_app.usecases import accounts
    from desktop_app.usecases.accounts import create_first_account
    from tests.integration.sync_harness import older_answers_conflict
    from tests.ui.test_conflicts_ui import _children_conflict, _record_conflicts
    from tests.unit.test_visits import full_life_situation

    folder = tmp_path_factory.mktemp("keys")
    session = create_first_account(folder / "data", "anna", "Anna Schmidt", PASSWORD)
    store, user = session.store, session.user
    accounts.add_user(session, "mihai", "Mihai", Role.HELPER, "helper pass 12")  # users, cases
    person = people.register_person(
        store,
        user,
        PersonDraft("Мария", "Петрова", "1991-04-02", languages=("bg", "ro"), phone="0176 1"),
    )
    record_sharing_consent(session, person.id)
    # The same woman registered again on another laptop (Latin letters): her page names the
    # other entry, beside the conflicts notice (every notice a person's page has, at once).
    people.register_person(
        store, user, PersonDraft("Maria", "Petrova", "1991-04-02"), confirm_duplicates=True
    )
    today = dt.date.today()
    referral = referrals_uc.issue_referral(
        store, user, person.id, "vhs", "integration_course", client_lang="bg", follow_up=today
    )
    referrals_uc.queue_for_printing(store, user, referral.id)
    visit = visits.finish_visit(store, user, person.id, "life_situation", full_life_situation())
    visits.save_draft(store, user, person.id, "skills_check", {})
    _record_conflicts(session, person.id, ("phone", "0176 1", "0176 2"))
    _children_conflict(session, count=3)
    # The dialog's third shape: two versions of a visit's answers that do not fit together.
    other = people.register_person(store, user, PersonDraft("Ion", "Popa"))
    answers = full_life_situation()
    theirs = visits.finish_visit(store, user, other.id, "life_situation", answers)
    older = {k: v for k, v in theirs.answers.items() if k != "rent"} | {"housing_type": "homeless"}
    newer = {**theirs.answers, "rent_contract": "yes"}
    older_answers_conflict(session, theirs.id, other.id, newer, older, field="answers+")
    font = qapp.font()
    load_fonts(qapp)
    qt_texts = QtTranslations(qapp)
    set_language("en")
    window = MainWindow(session)
    # Not to sync (no server) while the module runs.
    window.sync.timer.stop()  # type: ignore[attr-defined]
    window.resize(LAPTOP_WIDTH, 700)
    window.show()
    # The unfinished forms offered at start (checked by their own opener below) out of the way.
    QApplication.processEvents()
    drafts = window.visits.drafts_dialog  # type: ignore[attr-defined]
    if drafts is not None:
        drafts.reject()
    window.show_person(person.id)
    yield Desk(session, window, person, referral, visit, folder)
    set_language("en")
    for widget in QApplication.topLevelWidgets():
        if widget is not window:
            widget.close()
    window.close()
    window.deleteLater()
    QApplication.processEvents()
    session.close()
    qt_texts.stop()
    qapp.setFont(font)


Opener = Callable[[Desk], Iterator[View]]
OPENERS: dict[str, Opener] = {}


def opener(name: str) -> Callable[[Opener], Opener]:
    def register(function: Opener) -> Opener:
        OPENERS[name] = function
        return function

    return register


def _publication(name: str = "services") -> Publication:
    """A service directory (or forms) as another laptop published it, with a note."""
    return Publication(
        name, {}, "Jobcenter Dortmund: address", "Koordination",
        dt.datetime(2026, 12, 7, 9, 30), 2, 17,
    )  # fmt: skip


def _form_changes() -> tuple[FormChange, ...]:
    """The skills check as if a version with a question more had come."""
    skills = shipped_forms()["skills_check"]
    return (FormChange(skills, skills.version - 1, (next(skills.fields()),)),)


def _person_shown(desk: Desk) -> None:
    """The person on the main window's page again (locking the window empties it)."""
    desk.window.show_person(desk.person.id)
    desk.bot.waitUntil(lambda: desk.window.person_page.person is not None, timeout=30_000)


def _shown(desk: Desk, widget: QWidget) -> QWidget:
    widget.show()
    desk.bot.waitExposed(widget)
    return widget


@opener("main window")
def _main(desk: Desk) -> Iterator[View]:
    window = desk.window
    window.show_person(None)
    yield from views(window, "no one selected")
    _person_shown(desk)
    # Every notice a person's page has, shown at once: the conflicts to decide, the other
    # entry of the same person (looked up on a worker), and the status bar's word that an
    # entry was merged into this one elsewhere (a text without keys, here to be in sight).
    notices = (window.conflict_notice, window.duplicate_notice)  # type: ignore[attr-defined]
    desk.bot.waitUntil(lambda: all(n.isVisible() for n in notices), timeout=30_000)
    name = f"{desk.person.given_name} {desk.person.family_name}"
    window.statusBar().showMessage(merged_here_text(name))
    # And the coordinator's banner of requests due, with its two buttons.
    requests_due = window.requests_due_notice  # type: ignore[attr-defined]
    requests_due.due = RequestsDue(2, 1)
    requests_due._show()
    # And the notices that a sync brought a service directory and forms published elsewhere
    # (both at once: their buttons' keys must differ).
    publications = window.sync.publications  # type: ignore[attr-defined]
    publications.directory_news = _publication()
    publications.forms_news = _publication("forms")
    publications.forms_changes = _form_changes()
    publications._show()
    assert publications.forms_banner.isVisible()
    yield from views(window, "a person shown, every notice")
    requests_due.due = RequestsDue(0, 0)
    requests_due._show()
    publications.directory_news = None
    publications.forms_news = None
    publications._show()
    for action in window.menuBar().actions():
        menu = action.menu()
        if isinstance(menu, QMenu):
            for view in menu_views(menu, f"menu {action.text()!r}"):
                if menu is window.language_menu:
                    view.unkeyed = []  # each language's name as it writes it, no letter marked
                yield view
    yield from menu_views(window.person_page.more_menu, "menu More…")


@opener("lock screen")
def _lock(desk: Desk) -> Iterator[View]:
    locker = desk.window.locker  # type: ignore[attr-defined]
    locker.lock()
    try:
        yield from views(desk.window, "locked")
    finally:
        locker.unlock()


@opener("register person")
def _register(desk: Desk) -> Iterator[View]:
    dialog = desk.window.open_register_dialog()
    yield from views(_shown(desk, dialog), "register")
    dialog.reject()


@opener("merge entries")
def _merge_entries(desk: Desk) -> Iterator[View]:
    """Both entries side by side (Ion Popa's merged into Мария Петрова's: their names differ,
    so the dialog shows its choices too); never merged here."""
    from desktop_app.ui.merge_dialog import MergeDialog
    from desktop_app.usecases import merges

    s = desk.session
    ion = next(e.id for e in people.list_people(s.store, 0, 100) if e.family_name == "Popa")
    dialog = MergeDialog(merges.preview(s.store, s.user, desk.person.id, ion), desk.window)
    yield from views(_shown(desk, dialog), "merge entries")
    dialog.reject()


@opener("edit person")
def _edit_person(desk: Desk) -> Iterator[View]:
    from desktop_app.ui.person_dialog import EditPersonDialog
    from desktop_app.usecases.data_rights import CORRECTION, DataRequest

    s = desk.session
    # A coordinator's: "Record as the person's correction request" and its date, or, with the
    # person's correction request open, the line that the correction answers it.
    opened = DataRequest("ACDEFGHJ", CORRECTION, dt.date.today(), None, "")
    for open_correction in (None, opened):
        dialog = EditPersonDialog(s.store, s.user, desk.person, desk.window, open_correction)
        assert dialog.correction_box is not None
        yield from views(_shown(desk, dialog), "edit person")
        dialog.reject()


def _visit_window_views(desk: Desk, form_id: str, visit: visits.Visit | None) -> Iterator[View]:
    from desktop_app.ui.visits import VisitWindow

    win = VisitWindow(
        desk.session, desk.person, form_id, visit=visit, client_lang="ro", parent=desk.window
    )
    _shown(desk, win)
    view = win.view
    for row in range(view.navigator.count()):
        if not view.navigator.item(row).isHidden():
            view.show_section_row(row)
            yield from views(win, f"{form_id}, section {view.current_section()}")
            # Two entries of each group shown (a new form has none): their questions too.
            editors = view.pages[row].editors.values() if row < len(view.pages) else []
            groups = [e for e in editors if isinstance(e, GroupEditor) and e.isVisibleTo(win)]
            for group in groups:
                while len(group.items) < 2 and group.add.isEnabled():
                    group.add.click()
            if groups:
                yield from views(win, f"{form_id}, section {view.current_section()}, entries")
    if form_id == "life_situation" and visit is None:
        consent = win.open_consent()
        yield from views(_shown(desk, consent), "consent")
        consent.reject()
    win.close()


@opener("visit: life situation")
def _life_situation(desk: Desk) -> Iterator[View]:
    yield from _visit_window_views(desk, "life_situation", None)


@opener("visit: a finished one opened")
def _visit_opened(desk: Desk) -> Iterator[View]:
    yield from _visit_window_views(desk, "life_situation", desk.visit)


@opener("visit: skills check")
def _skills(desk: Desk) -> Iterator[View]:
    yield from _visit_window_views(desk, "skills_check", None)


@opener("quick contact")
def _quick_contact(desk: Desk) -> Iterator[View]:
    dialog = desk.window.visits.open_quick_contact()  # type: ignore[attr-defined]
    yield from views(_shown(desk, dialog), "quick contact")
    dialog.reject()


@opener("unfinished forms")
def _drafts(desk: Desk) -> Iterator[View]:
    from desktop_app.ui.visits import DraftsDialog

    s = desk.session
    drafts = visits.list_open_drafts(s.store, s.user)
    assert drafts
    dialog = DraftsDialog(s, drafts, desk.window, desk.window.log_view)
    yield from views(_shown(desk, dialog), "drafts")
    dialog.reject()


@opener("refer")
def _refer(desk: Desk) -> Iterator[View]:
    _person_shown(desk)
    dialog = desk.window.referrals.open_refer_dialog()  # type: ignore[attr-defined]
    assert dialog is not None
    yield from views(_shown(desk, dialog), "refer")
    dialog.reject()


@opener("letter preview")
def _preview(desk: Desk) -> Iterator[View]:
    from desktop_app.ui import referrals as referrals_ui

    if not referrals_ui.HAVE_QTPDF:
        pytest.skip("QtPdf is not installed")
    feature = desk.window.referrals  # type: ignore[attr-defined]
    with desk.bot.waitSignal(feature.open_preview(desk.referral).loaded, timeout=10_000):
        pass
    yield from views(_shown(desk, feature.preview), "letter preview")
    feature.preview.reject()


@opener("referral status")
def _status(desk: Desk) -> Iterator[View]:
    dialog = desk.window.referrals.open_status_dialog(desk.referral)  # type: ignore[attr-defined]
    yield from views(_shown(desk, dialog), "status")
    dialog.reject()


@opener("print queue")
def _queue(desk: Desk) -> Iterator[View]:
    queue = desk.window.referrals.open_print_queue()  # type: ignore[attr-defined]
    queue.table.selectRow(0)
    yield from views(_shown(desk, queue), "print queue")
    queue.close()


@opener("follow-ups due")
def _follow_ups(desk: Desk) -> Iterator[View]:
    window = desk.window.referrals.open_follow_ups()  # type: ignore[attr-defined]
    window.table.selectRow(0)
    yield from views(_shown(desk, window), "follow-ups")
    window.close()


@opener("conflicts")
def _conflicts(desk: Desk) -> Iterator[View]:
    dialog = desk.window.sync.open_conflicts()  # type: ignore[attr-defined]
    desk.bot.waitUntil(lambda: dialog.list.count() >= 3, timeout=30_000)
    for row in range(dialog.list.count()):
        dialog.list.setCurrentRow(row)
        yield from views(_shown(desk, dialog), f"conflict {dialog.list.item(row).text()!r}")
    dialog.reject()


@opener("join")
def _join(desk: Desk) -> Iterator[View]:
    from desktop_app.ui.sync_status import JoinDialog

    for again in (False, True):
        dialog = JoinDialog(desk.window.sync, desk.window, again=again)  # type: ignore[attr-defined]
        yield from views(_shown(desk, dialog), f"join (again: {again})")
        dialog.reject()


# The laptops dialog (File → Laptops of the organisation): at the end, with a server.


@opener("confirm coordinator")
def _confirm(desk: Desk) -> Iterator[View]:
    from desktop_app.ui.sync_status import ConfirmCoordinatorDialog

    dialog = ConfirmCoordinatorDialog(desk.window.sync, desk.window)  # type: ignore[attr-defined]
    yield from views(_shown(desk, dialog), "confirm coordinator")
    dialog.reject()


@opener("a laptop's role")
def _laptop_role(desk: Desk) -> Iterator[View]:
    """The laptops dialog's question of a laptop's role, every role offered (a laptop approved
    before roles)."""
    from desktop_app.ui.sync_status import LaptopRoleDialog

    dialog = LaptopRoleDialog(desk.window, "B", None)
    yield from views(_shown(desk, dialog), "a laptop's role")
    dialog.reject()


@opener("users")
def _users(desk: Desk) -> Iterator[View]:
    from desktop_app.ui.accounts import AddUserDialog, UsersDialog

    users = UsersDialog(desk.session, desk.window)
    users.table.selectRow(0)
    yield from views(_shown(desk, users), "users")
    add = AddUserDialog(desk.session, users)
    yield from views(_shown(desk, add), "add user")
    add.reject()
    users.reject()


@opener("recovery code")
def _recovery_code(desk: Desk) -> Iterator[View]:
    from desktop_app.ui.accounts import RecoveryCodeDialog

    dialog = RecoveryCodeDialog("ABCD-EFGH-IJKL-MNOP", desk.window)
    yield from views(_shown(desk, dialog), "recovery code")
    dialog.reject()


@opener("change password, backup, restore")
def _password_backup(desk: Desk) -> Iterator[View]:
    from desktop_app.ui.accounts import BackupDialog, ChangePasswordDialog, RestoreDialog

    for dialog in (
        ChangePasswordDialog(desk.session, desk.window),
        BackupDialog(desk.session, desk.window),
        RestoreDialog(desk.window),
    ):
        yield from views(_shown(desk, dialog), type(dialog).__name__)
        dialog.reject()


@opener("login")
def _login(desk: Desk) -> Iterator[View]:
    from desktop_app.ui.login import LoginDialog, RecoveryLoginDialog

    data = desk.folder / "data"
    for dialog in (
        LoginDialog(data),
        RecoveryLoginDialog(data, "anna"),
    ):  # the first account is made on the first start's page (``_first_run``)
        yield from views(_shown(desk, dialog), type(dialog).__name__)
        dialog.reject()
        dialog.deleteLater()


@opener("erase, export")
def _data_rights(desk: Desk) -> Iterator[View]:
    from desktop_app.ui.data_rights import (
        AnswerRequestDialog,
        EraseDialog,
        ExportDialog,
        RecordRequestDialog,
    )
    from desktop_app.usecases.data_rights import COPY, CORRECTION, ERASURE, DataRequest

    # Each also with the person's open requests (a date fixed, a line or a warning more).
    today = dt.date.today()
    opened = {k: DataRequest("ACDEFGHJ", k, today, None, "") for k in (COPY, ERASURE)}
    kinds = [COPY, CORRECTION, ERASURE]
    correction = DataRequest("ACDEFGHK", CORRECTION, today, None, "")
    for dialog in (
        EraseDialog(desk.person, desk.window),
        EraseDialog(desk.person, desk.window, opened),
        ExportDialog(desk.person, desk.window),
        ExportDialog(desk.person, desk.window, opened[COPY]),
        RecordRequestDialog(desk.person, kinds, {}, desk.window),
        RecordRequestDialog(desk.person, kinds, {COPY: opened[COPY]}, desk.window),
        # The register's answer to a correction request, with its reason.
        AnswerRequestDialog(correction, desk.window),
        # ... and to one the person makes at the desk, recorded with it ("Nothing to correct…").
        AnswerRequestDialog(
            DataRequest("", CORRECTION, today, None, ""), desk.window, recorded_now=True
        ),
    ):
        yield from views(_shown(desk, dialog), type(dialog).__name__)
        dialog.reject()


@opener("retention")
def _retention(desk: Desk) -> Iterator[View]:
    from desktop_app.ui.data_rights import RetentionWindow

    dialog = RetentionWindow(desk.window)
    yield from views(_shown(desk, dialog), "retention")
    dialog.reject()


@opener("requests")
def _requests(desk: Desk) -> Iterator[View]:
    from desktop_app.ui.data_rights import RequestsWindow

    dialog = RequestsWindow(desk.window, desk.session)
    yield from views(_shown(desk, dialog), "requests")
    dialog.reject()


@opener("open to helpers")
def _case_access(desk: Desk) -> Iterator[View]:
    from desktop_app.ui.case_access import CaseAccessDialog

    dialog = CaseAccessDialog(desk.session, desk.person, desk.window)
    yield from views(_shown(desk, dialog), "case access")
    dialog.reject()


@opener("audit log")
def _audit(desk: Desk) -> Iterator[View]:
    from desktop_app.ui.audit import AuditWindow

    dialog = AuditWindow(desk.session, desk.window)
    yield from views(_shown(desk, dialog), "audit")
    dialog.reject()


@opener("service directory, forms, publish")
def _directory(desk: Desk) -> Iterator[View]:
    from desktop_app.ui.directory import DirectoryDialog, FormsDialog, PublishDialog

    for dialog in (
        DirectoryDialog(desk.session, desk.window),
        FormsDialog(desk.session, desk.window),
    ):
        yield from views(_shown(desk, dialog), type(dialog).__name__)
        if isinstance(dialog, DirectoryDialog):
            confirm = PublishDialog(dialog._summary(desk.folder, 13), dialog)
            yield from views(_shown(desk, confirm), "publish")
            confirm.reject()
            dialog.table.setCurrentCell(0, 0)
            editor = dialog.edit_selected()
            assert editor is not None
            yield from views(_shown(desk, editor), "service editor")
            editor.reject()
        dialog.reject()


@opener("settings")
def _settings(desk: Desk) -> Iterator[View]:
    from desktop_app.ui.settings import SettingsDialog

    qsettings = QSettings(str(desk.folder / "settings.ini"), QSettings.Format.IniFormat)
    dialog = SettingsDialog(desk.session, qsettings, desk.window)
    yield from views(_shown(desk, dialog), "settings")
    dialog.reject()
    # As a helper sees it: the shared settings read-only, with a note why.
    from desktop_app.usecases import accounts

    helper = accounts.log_in(desk.session.store.paths.data_dir, "mihai", "helper pass 12")
    try:
        dialog = SettingsDialog(helper, qsettings, desk.window)
        assert dialog.role_note.isVisibleTo(dialog) and not dialog.idle_lock.isEnabled()
        yield from views(_shown(desk, dialog), "settings (a helper's)")
        dialog.reject()
        dialog.deleteLater()
    finally:
        helper.close()


@opener("reports")
def _reports(desk: Desk) -> Iterator[View]:
    from desktop_app.ui.reports import CasesDialog, ReportsWindow
    from desktop_app.usecases.reports import Case

    dashboard = ReportsWindow(desk.session, desk.window.tasks, desk.window)
    _shown(desk, dashboard)
    dashboard.refresh()
    desk.bot.waitUntil(lambda: dashboard.report is not None, timeout=20_000)
    yield from views(dashboard, "reports")
    # A period of one's own: its From and To shown, with keys of their own.
    dashboard.kind.setCurrentIndex(dashboard.kind.findData("custom"))
    yield from views(dashboard, "reports, a period of one's own")
    for action in dashboard.menuBar().actions() if dashboard.menuWidget() else []:
        menu = action.menu()
        if isinstance(menu, QMenu):
            yield from menu_views(menu, f"reports menu {action.text()!r}")
    cases = CasesDialog(
        _("Visits"), [Case("id", "Мария Петрова")], dashboard, open_person=lambda _id: None
    )
    yield from views(_shown(desk, cases), "cases")
    cases.reject()
    dashboard.close()


@opener("import people")
def _import(desk: Desk) -> Iterator[View]:
    from desktop_app.ui.people_import import PeopleImportWizard
    from tests.ui.test_people_import_ui import CSV

    path = desk.folder / "clients.csv"
    path.write_text(CSV, encoding="utf-8-sig")
    wizard = PeopleImportWizard(desk.session, desk.window.tasks, desk.window)
    _shown(desk, wizard)
    yield from views(wizard, "file")
    wizard.file_page.path.setText(str(path))
    wizard.next()
    assert wizard.currentPage() is wizard.mapping_page
    yield from views(wizard, "mapping")
    wizard.next()
    page = wizard.preview_page
    desk.bot.waitUntil(lambda: page.report() is not None, timeout=10_000)
    yield from views(wizard, "preview")
    wizard.reject()


@opener("first start")
def _first_run(desk: Desk) -> Iterator[View]:
    from desktop_app.ui.first_run import FirstRunWizard

    settings = QSettings(str(desk.folder / "first.ini"), QSettings.Format.IniFormat)
    wizard = FirstRunWizard(desk.folder / "first", settings)
    _shown(desk, wizard)
    back = wizard.buttonText(QWizard.WizardButton.BackButton)

    def at(page: QWidget, where: str, with_back: bool = True) -> Iterator[View]:
        """The wizard started at ``page``, as reached from the page before it (Back shown)."""
        wizard.setStartId(wizard.pageIds()[wizard.pages().index(page)])
        wizard.restart()
        yield from views(wizard, where, [back] if with_back else [])

    yield from at(wizard.language_page, "language", with_back=False)
    for choice in (wizard.choice_page.new, wizard.choice_page.join, wizard.choice_page.demo):
        choice.setChecked(True)
        yield from at(wizard.choice_page, f"choice {choice.text()!r}")
    wizard.choice_page.new.setChecked(True)
    yield from at(wizard.organisation_page, "organisation")
    yield from at(wizard.account_page, "account")
    wizard.choice_page.join.setChecked(True)
    yield from at(wizard.join_page, "join")
    yield from at(wizard.account_page, "account (joining)")
    # After the commit page (the account): no way back.
    yield from at(wizard.recovery_page, "recovery", with_back=False)
    yield from at(wizard.joined_page, "joined", with_back=False)
    # A replacement laptop's path: its backup and an account of it, then what was restored.
    wizard.choice_page.restore.setChecked(True)
    yield from at(wizard.choice_page, f"choice {wizard.choice_page.restore.text()!r}")
    yield from at(wizard.restore_page, "restore")
    yield from at(wizard.restored_page, "restored", with_back=False)
    wizard.close()
    wizard.deleteLater()


@opener("guide, shortcuts")
def _help(desk: Desk) -> Iterator[View]:
    from desktop_app.ui.help import GuideDialog, ShortcutsDialog

    for dialog in (GuideDialog(desk.window), ShortcutsDialog(desk.window)):
        yield from views(_shown(desk, dialog), type(dialog).__name__)
        dialog.reject()


def _switch(window: MainWindow, lang: str) -> None:
    """The UI language switched, as the Language menu does, and Qt's own change of language
    delivered to every widget before a window is opened (as by the time a user opens one):
    delivered to a window made meanwhile, Qt's would put its own texts back on the standard
    buttons the window names itself ("&Save")."""
    window.switch_language(lang)
    QApplication.processEvents()


def _problems(shown: list[View]) -> list[str]:
    problems = [
        f"{v.where}: {key!r} shared by {texts}" for v in shown for key, texts in v.clashes().items()
    ]
    problems += [f"{v.where}: no access key on {v.unkeyed}" for v in shown if v.unkeyed]
    problems += [f"{v.where}: cut off {v.cut}" for v in shown if v.cut]
    problems += [f"{v.where}: keys leading to disabled inputs {v.dead}" for v in shown if v.dead]
    problems += [f"{v.where}: Tab goes {'; '.join(v.astray)}" for v in shown if v.astray]
    problems += [
        f"{v.where}: keys no German keyboard types {u}" for v in shown if (u := v.untypable())
    ]
    return problems


def _close_new_windows(desk: Desk, before: set[QWidget]) -> None:
    """The windows an opener made, gone (not only hidden): each language switch retranslates
    every widget alive, and the module's time grew with each one kept."""
    feature = desk.window.referrals  # type: ignore[attr-defined]
    kept = {desk.window, feature.queue_window, feature.follow_ups_window}  # the feature's own
    for widget in QApplication.topLevelWidgets():
        if widget not in before and widget not in kept:
            widget.close()
            widget.deleteLater()
    QApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)


@pytest.mark.parametrize("lang", LANGS)
@pytest.mark.parametrize("name", list(OPENERS))
def test_each_access_key_once_and_every_button_with_one(
    qtbot: QtBot, desk: Desk, name: str, lang: str
) -> None:
    desk.qtbot = qtbot
    before = set(QApplication.topLevelWidgets())
    _switch(desk.window, lang)
    try:
        shown = list(OPENERS[name](desk))
    finally:
        _close_new_windows(desk, before)
        desk.window.switch_language("en")
    # The sweep sees the controls (a window without any key at all is a finding of its own).
    assert any(view.keyed for view in shown) or name in NO_KEYS, (name, shown)
    if name in TABBED_ASTRAY:
        assert any(view.astray for view in shown), f"{name}: tabs in order now, unlist it"
        for view in shown:
            view.astray = []
    problems = _problems(shown)
    assert not problems, "\n".join([f"{name} [{lang}]", *problems])


def _press_label_key(desk: Desk, label: QLabel) -> None:
    """Alt and ``label``'s key, in its window made active; its buddy then has the focus."""
    window = label.window()
    window.activateWindow()
    desk.bot.waitUntil(window.isActiveWindow, timeout=5000)
    key = _access_key(label.text())
    assert key is not None, label.text()
    QTest.keyClick(window, Qt.Key(ord(key.upper())), Qt.KeyboardModifier.AltModifier)
    buddy = label.buddy()
    assert buddy is not None
    desk.bot.waitUntil(buddy.hasFocus, timeout=5000)


@pytest.mark.parametrize("lang", LANGS)
def test_the_labels_that_had_no_key_lead_to_their_fields(
    qtbot: QtBot, desk: Desk, lang: str
) -> None:
    """The letterhead's lines, the audit log's period and the preview's language were named
    by labels without a key (or without a buddy): reached by Tab alone."""
    from desktop_app.ui import referrals as referrals_ui
    from desktop_app.ui.audit import AuditWindow
    from desktop_app.ui.settings import SettingsDialog

    desk.qtbot = qtbot
    before = set(QApplication.topLevelWidgets())
    _switch(desk.window, lang)
    try:
        qsettings = QSettings(str(desk.folder / "settings.ini"), QSettings.Format.IniFormat)
        settings = _shown(desk, SettingsDialog(desk.session, qsettings, desk.window))
        assert isinstance(settings, SettingsDialog)
        form = settings.letterhead
        for name in ("subtitle", "phone", "email", "logo_path"):
            _press_label_key(desk, form.labels[name])
        settings.reject()
        audit = _shown(desk, AuditWindow(desk.session, desk.window))
        assert isinstance(audit, AuditWindow)
        (period,) = [lab for lab in audit.findChildren(QLabel) if lab.buddy() is audit.since]
        _press_label_key(desk, period)
        audit.reject()
        if referrals_ui.HAVE_QTPDF:
            feature = desk.window.referrals  # type: ignore[attr-defined]
            with desk.bot.waitSignal(feature.open_preview(desk.referral).loaded, timeout=10_000):
                pass
            preview = _shown(desk, feature.preview)
            assert isinstance(preview, referrals_ui.LetterPreview)
            (language,) = [
                lab for lab in preview.findChildren(QLabel) if lab.buddy() is preview.language
            ]
            _press_label_key(desk, language)
            preview.reject()
    finally:
        _close_new_windows(desk, before)
        desk.window.switch_language("en")


# --- the laptops dialog: it opens on a laptop joined to a server only ---------------------------


@pytest.fixture(scope="module")
def joined(
    qapp: QApplication, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[tuple[MainWindow, QtTranslations]]:
    """A coordinator's laptop joined to a real server on 127.0.0.1, a second laptop waiting
    for approval; the coordinator's main window."""
    from tests.integration.sync_harness import Laptops, started_server

    folder = tmp_path_factory.mktemp("laptops")
    with (
        started_server(f"sqlite:///{folder / 'server.db'}", folder / "s.log") as server,
        Laptops(server, folder) as group,
    ):
        coordinator = group.new("A")
        group.new("B", approve=False)
        qt_texts = QtTranslations(qapp)
        set_language("en")
        window = MainWindow(coordinator)
        window.sync.timer.stop()  # type: ignore[attr-defined]
        window.show()
        yield window, qt_texts
        window.close()
        window.deleteLater()
        QApplication.processEvents()
        qt_texts.stop()


def laptops_views(qtbot: QtBot, window: MainWindow) -> Iterator[View]:
    """The laptops dialog with the waiting laptop chosen (Approve and Revoke offered), then
    its revoke question and its new enrollment code's dialog, then this laptop's fingerprint
    (the accessibility sweep checks them too)."""
    from desktop_app.ui.sync_status import DevicesDialog, FingerprintDialog

    dialog = DevicesDialog(window.sync, window)  # type: ignore[attr-defined]
    qtbot.addWidget(dialog)
    try:
        dialog.show()
        qtbot.waitUntil(lambda: not dialog.busy and dialog.list.count() == 2, timeout=10_000)
        waiting = next(
            row
            for row in range(dialog.list.count())
            if dialog.list.item(row).text().startswith("B ")
        )
        dialog.list.setCurrentRow(waiting)  # Approve and Revoke offered
        yield from views(dialog, "laptops")
        dialog.revoke.click()
        box = dialog.revoke_question
        assert box is not None
        qtbot.waitExposed(box)
        yield from views(box, "revoke question")
        box.reject()
        # New enrollment code…: its name asked (Get the code, Close)
        dialog.new_code.click()
        code = dialog.code_dialog
        assert code is not None
        qtbot.waitExposed(code)
        yield from views(code, "new enrollment code")
        code.reject()
    finally:
        dialog.reject()
    # File → This laptop's fingerprint (on a joined laptop only): Close alone, no key.
    fingerprint = FingerprintDialog(window.sync, window)  # type: ignore[attr-defined]
    qtbot.addWidget(fingerprint)
    fingerprint.show()
    qtbot.waitExposed(fingerprint)
    yield from views(fingerprint, "this laptop's fingerprint")
    fingerprint.reject()


@pytest.mark.parametrize("lang", LANGS)
def test_the_laptops_dialog_and_its_revoke_question_use_each_access_key_once(
    qtbot: QtBot, joined: tuple[MainWindow, QtTranslations], lang: str
) -> None:
    window, _qt_texts = joined
    _switch(window, lang)
    try:
        shown = list(laptops_views(qtbot, window))
    finally:
        window.switch_language("en")
    assert any(view.keyed for view in shown)
    assert not _problems(shown), "\n".join([f"laptops [{lang}]", *_problems(shown)])


def test_the_laptops_dialog_opens_on_its_list(
    qtbot: QtBot, joined: tuple[MainWindow, QtTranslations]
) -> None:
    """The list, greyed while the server answered, handed the focus on to Close, where it
    stayed: the dialog opened on Close, the laptops to approve a Shift+Tab away."""
    from desktop_app.ui.sync_status import DevicesDialog

    window, _qt_texts = joined
    dialog = DevicesDialog(window.sync, window)  # type: ignore[attr-defined]
    qtbot.addWidget(dialog)
    try:
        dialog.show()
        qtbot.waitUntil(lambda: not dialog.busy and dialog.list.count() == 2, timeout=10_000)
        assert dialog.focusWidget() is dialog.list
    finally:
        dialog.reject()


@pytest.mark.parametrize("lang", ("bg", "ro"))
def test_coordinators_dialogs_start_in_an_input_and_tab_as_they_read(
    qtbot: QtBot, desk: Desk, lang: str
) -> None:
    """The service directory's Tab went from the table to Export, Publish and Close, then
    back to Edit, Add and Remove at the row's start; a helper's settings opened in the note
    above them (a text cursor blinking at its end), not in the language beneath."""
    from desktop_app.ui.directory import DirectoryDialog
    from desktop_app.ui.settings import SettingsDialog
    from desktop_app.usecases import accounts

    desk.qtbot = qtbot
    before = set(QApplication.topLevelWidgets())
    _switch(desk.window, lang)
    helper = accounts.log_in(desk.session.store.paths.data_dir, "mihai", "helper pass 12")
    try:
        directory = DirectoryDialog(desk.session, desk.window)
        _shown(desk, directory)
        # Every button in its place, a disabled one too (on a laptop that may not publish)
        with every_control_enabled(directory), focus_kept(directory):
            stops = tab_stops(directory, directory.table)
        buttons = [w for w in stops if isinstance(w, QPushButton)]
        close = directory.findChild(QDialogButtonBox).button(  # type: ignore[union-attr]
            QDialogButtonBox.StandardButton.Close
        )
        assert buttons == [
            directory.edit_button,
            directory.add_button,
            directory.remove_button,
            directory.export_button,
            directory.publish_button,
            close,
        ]
        qsettings = QSettings(str(desk.folder / "settings.ini"), QSettings.Format.IniFormat)
        settings = SettingsDialog(helper, qsettings, desk.window)
        _shown(desk, settings)
        assert settings.role_note.isVisible()
        assert settings.focusWidget() is settings.language
    finally:
        helper.close()
        _close_new_windows(desk, before)
        desk.window.switch_language("en")


@pytest.mark.parametrize("lang", ("bg", "ro"))
def test_the_coordinators_laptop_is_confirmed_with_the_whole_intro_in_sight(
    qtbot: QtBot, desk: Desk, lang: str
) -> None:
    """Opened narrower than its hint (at most two thirds of the screen), the dialog kept the
    height of its intro's lines at the hint's width: in Bulgarian the intro's first and last
    lines were cut off, above the fingerprint to type."""
    from desktop_app.ui.sync_status import ConfirmCoordinatorDialog

    desk.qtbot = qtbot
    before = set(QApplication.topLevelWidgets())
    _switch(desk.window, lang)
    try:
        dialog = ConfirmCoordinatorDialog(desk.window.sync, desk.window)  # type: ignore[attr-defined]
        _shown(desk, dialog)
        _settled(dialog)
        intro = dialog.intro
        assert intro.height() >= intro.heightForWidth(intro.width())
    finally:
        _close_new_windows(desk, before)
        desk.window.switch_language("en")
