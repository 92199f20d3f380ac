"""Helpers for driving real widgets offscreen."""

from __future__ import annotations

import gc
import os
import subprocess
import sys
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, TypeVar

import pytest
from PySide6.QtCore import QEvent, QPoint, QSettings, Qt
from PySide6.QtGui import QHelpEvent, QKeySequence
from PySide6.QtTest import QTest
from PySide6.QtWidgets import (
    QAbstractItemView,
    QApplication,
    QComboBox,
    QCompleter,
    QDialog,
    QFileDialog,
    QLineEdit,
    QMessageBox,
    QStyle,
    QTableWidget,
    QTableWidgetItem,
    QToolTip,
    QWidget,
)
from pytestqt.qtbot import QtBot

from desktop_app import memory
from desktop_app.ui import application as ui_application
from desktop_app.ui.application import GuiThreadCollector, collect_garbage_on_gui_thread
from desktop_app.usecases.accounts import Session
from tests.conftest import PASSWORD

if TYPE_CHECKING:
    from desktop_app.domain.person import Person
    from desktop_app.ui.main_window import MainWindow
    from desktop_app.ui.person_dialog import RegisterPersonDialog
    from desktop_app.ui.referrals import LetterPreview, ReferDialog
    from desktop_app.ui.visits import ConsentDialog, VisitWindow
    from desktop_app.usecases.visits import Visit
    from tests.integration.sync_harness import Laptops, ServerProcess
    from tests.ui.flaky_link import FlakyLink


ROOT = Path(__file__).resolve().parents[2]


def run_program(
    *argv: str, stdin: str = "", env: dict[str, str] | None = None, timeout: float = 120
) -> subprocess.CompletedProcess[str]:
    """This Python with ``argv`` (``-m desktop_app.app …``, ``-c SCRIPT …``) to its end, in the
    repository, offscreen, with the tests' cheap key derivation and ``env`` on top."""
    return subprocess.run(
        [sys.executable, *argv],
        input=stdin,
        capture_output=True,
        text=True,
        cwd=ROOT,
        env={
            **os.environ,
            "QT_QPA_PLATFORM": "offscreen",
            "WELCOME_DESK_FAST_KDF": "1",
            **(env or {}),
        },
        timeout=timeout,
        check=False,
    )


@pytest.fixture
def shots(tmp_path: Path) -> Path:
    """Where a test's screenshots go: the folder WELCOME_DESK_SHOTS names, to look at them; else
    the test's own temporary folder (nothing written outside it)."""
    folder = Path(os.environ.get("WELCOME_DESK_SHOTS", tmp_path))
    folder.mkdir(parents=True, exist_ok=True)
    return folder


@pytest.fixture
def store(tmp_path: Path) -> Path:
    """A data folder for starting the program (``run_program``): Anna's account ("a good
    password") and 120 people."""
    from desktop_app.domain.demo import generate_people
    from desktop_app.usecases import people
    from desktop_app.usecases.accounts import create_first_account

    data = tmp_path / "data"
    session = create_first_account(data, "anna", "Anna", "a good password")
    people.register_many(session.store, session.user, generate_people(120, seed=2))
    session.close()
    return data


def cell(table: QTableWidget, row: int, column: int) -> QTableWidgetItem:
    """The item in a cell that must have one (Qt's ``item`` gives None for an empty cell)."""
    item = table.item(row, column)
    assert item is not None, (row, column)
    return item


def tooltip_at(widget: QWidget, where: QPoint) -> str:
    """The tooltip ``widget`` shows when the pointer rests at ``where`` (its coordinates), as
    Qt shows it; "" where none is shown. Hidden again before returning."""
    QApplication.sendEvent(
        widget, QHelpEvent(QEvent.Type.ToolTip, where, widget.mapToGlobal(where))
    )
    try:
        return QToolTip.text() if QToolTip.isVisible() else ""
    finally:
        QToolTip.hideText()


def header_cell(table: QTableWidget, column: int) -> QTableWidgetItem:
    """The header item of a column whose header was set."""
    item = table.horizontalHeaderItem(column)
    assert item is not None, column
    return item


def completer_popup(completer: QCompleter) -> QAbstractItemView:
    """The list a completer offers its completions in (made with the completer)."""
    popup = completer.popup()
    assert popup is not None
    return popup


def type_text(widget: QWidget, text: str) -> None:
    """Type any Unicode text, one key event per character (keyClicks aborts on non-ASCII)."""
    widget.setFocus()
    for ch in text:
        QTest.sendKeyEvent(
            QTest.KeyAction.Click, widget, Qt.Key.Key_unknown, ch, Qt.KeyboardModifier.NoModifier
        )


def fill_register_dialog(
    dialog: RegisterPersonDialog,
    given: str,
    family: str,
    born: str,
    nationality: str,
    languages: list[str],
) -> None:
    """Type a person's names and date of birth into the register dialog as a user does
    (any script), and choose the nationality and the languages spoken."""
    type_text(dialog.given, given)
    type_text(dialog.family, family)
    type_text(dialog.dob, born)
    dialog.nationality.set_code(nationality)
    dialog.languages.set_codes(languages)


@pytest.fixture(scope="session", autouse=True)
def _collect_on_gui_thread(qapp: QApplication) -> Iterator[None]:
    """As the program does: cycles are collected on this thread only, never in a worker that
    happens to allocate (a dialog left over from an earlier test, collected in a worker thread,
    crashed a run with a segmentation fault)."""
    collector = collect_garbage_on_gui_thread(qapp)
    yield
    collector.stop()


@pytest.fixture(autouse=True)
def _own_qsettings(tmp_path_factory: pytest.TempPathFactory) -> None:
    """The program's QSettings() of each test in a folder of its own: not the user's ~/.config
    (which the other xdist worker writes at the same time), nor a folder an earlier test on the
    same worker pointed QSettings at (which test ran before which depends on the workers)."""
    folder = str(tmp_path_factory.mktemp("qsettings"))
    for fmt in (QSettings.Format.NativeFormat, QSettings.Format.IniFormat):
        QSettings.setPath(fmt, QSettings.Scope.UserScope, folder)


@pytest.fixture(autouse=True)
def _collect_after_test() -> Iterator[None]:
    """What a test leaves behind goes on this thread before the next test starts workers:
    first the windows it closed (pytest-qt's ``deleteLater``), then the cycles.

    A ``deleteLater`` waits for an event loop, and none may run before the next test's (or
    the end of the run). The service editor's dialogs left so kept laying themselves out
    (some 350 events in 0.3 s a test, growing with each one), and the worker that had run its
    eight variants took 35 s, and longer each time, for a test that takes one."""
    yield
    from desktop_app.ui import main_window

    # A window a test put in another's place (a role change, a restore, a user switch) is
    # the program's window in use: kept there, it outlived the test.
    main_window._in_use.clear()
    QApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)
    gc.collect()
    _ui_tests_done[0] += 1
    if _ui_tests_done[0] in FREEZE_AFTER or _thawed[0]:
        _thawed[0] = False
        # What the first tests imported and cached lives to the end as what the collection
        # froze (``tests/conftest.py``): Alembic, Mako, Pygments, Babel's data, the forms, some
        # 70,000 objects every later collection walked again. Three times only: whatever a
        # test left alive and later drops in a cycle stays, so few snapshots, early on.
        gc.freeze()


# After which UI test of a worker what is alive is frozen (``_collect_after_test``).
FREEZE_AFTER = frozenset({1, 10, 100})
_ui_tests_done = [0]
# Whether a test thawed what the run had frozen (``freezing_collector``).
_thawed = [False]


@pytest.fixture
def freezing_collector(
    qapp: QApplication, monkeypatch: pytest.MonkeyPatch
) -> Iterator[GuiThreadCollector]:
    """The tests' collector told to freeze as the program's does (``app.py``), at once when a
    window has settled; the run's own frozen objects frozen again afterwards."""
    monkeypatch.setattr(ui_application, "GC_SETTLE_S", 0.0)
    collector = collect_garbage_on_gui_thread(qapp)
    collector.freeze_when_settled()
    yield collector
    collector.freeze_when_settled(False)
    memory.thaw()
    # What the run had frozen (tests/conftest.py) was thawed with the rest: frozen again after
    # the test's windows are closed (``_collect_after_test``), not with them.
    _thawed[0] = True


def frozen(obj: object) -> bool:
    """Tracked by the collector but in none of its generations: in the permanent one."""
    return gc.is_tracked(obj) and not any(o is obj for o in gc.get_objects())


@pytest.fixture
def qsettings(tmp_path: Path) -> Iterator[QSettings]:
    """Settings a dialog is given of its own, in an INI file of the test's."""
    yield QSettings(str(tmp_path / "settings.ini"), QSettings.Format.IniFormat)


def alt_key(widget: QWidget, key: str) -> None:
    """Alt+``key`` as the keyboard sends it (Qt's key code of a letter: its capital's)."""
    QTest.keyClick(widget, Qt.Key(ord(key.upper())), Qt.KeyboardModifier.AltModifier)


def alt_access_key(widget: QWidget, text: str) -> None:
    """Alt and the access key of ``text`` (a label with its "&"), as the keyboard sends it."""
    key = QKeySequence.mnemonic(text)
    assert not key.isEmpty(), f"no access key in {text!r}"
    QTest.keyClick(widget, key[0].key(), Qt.KeyboardModifier.AltModifier)  # type: ignore[index]


def menu_entry(qtbot: QtBot, window: QWidget, menu: str, entry: str) -> None:
    """``menu`` of ``window``'s menu bar opened with Alt and its key, ``entry`` chosen with its
    key (in any script), as a user does by keys; both given as written in the code (their
    translation is looked up)."""
    from PySide6.QtWidgets import QMenu

    from desktop_app.i18n.text import _

    alt_access_key(window, _(menu))
    qtbot.waitUntil(lambda: isinstance(QApplication.activePopupWidget(), QMenu), timeout=5000)
    popup = QApplication.activePopupWidget()
    assert popup is not None
    text = _(entry)
    letter = text[text.index("&") + 1]
    key = Qt.Key(ord(letter.upper())) if letter.isalpha() else Qt.Key.Key_unknown
    none = Qt.KeyboardModifier.NoModifier
    QTest.sendKeyEvent(QTest.KeyAction.Click, popup, key, letter.lower(), none)


@pytest.fixture
def home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A home folder of the test's own, with a documents folder: the file dialogs open there,
    and nothing is saved into the home of whoever runs the tests."""
    home = tmp_path / "home"
    (home / "Documents").mkdir(parents=True)
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(home / ".config"))  # no user-dirs.dirs there
    return home


def save_dialog_shown() -> QFileDialog | None:
    """The file dialog (save, open or choose a folder) the program has open
    (``ui.save_dialog``), if any."""
    for widget in QApplication.topLevelWidgets():
        if isinstance(widget, QFileDialog) and widget.isVisible():
            return widget
    return None


def message_box_shown(qtbot: QtBot) -> QMessageBox:
    """The one message box the program has open (window-modal, opened without blocking),
    once it is shown."""

    def shown() -> list[QMessageBox]:
        boxes = [w for w in QApplication.topLevelWidgets() if isinstance(w, QMessageBox)]
        return [box for box in boxes if box.isVisible()]

    qtbot.waitUntil(lambda: bool(shown()), timeout=10_000)
    (box,) = shown()
    return box


_Dialog = TypeVar("_Dialog", bound=QWidget)


def dialog_opened(qtbot: QtBot, parent: QWidget, kind: type[_Dialog]) -> _Dialog:
    """The one dialog of ``kind`` of ``parent`` shown, once it is: one opened after what it
    shows was read on a worker (the data copy's and the erasure's, with the person's open
    requests) comes after the action that asked for it has returned."""

    def shown() -> list[_Dialog]:
        return [d for d in parent.findChildren(kind) if d.isVisible()]

    qtbot.waitUntil(lambda: bool(shown()), timeout=10_000)
    (dialog,) = shown()
    return dialog


def answer_save_dialog(qtbot: QtBot, path: Path) -> None:
    """Choose ``path`` in the file dialog the program opens (Qt's own, opened without
    blocking): the name put in and accepted, as Enter in the dialog does. For a file that
    exists, or a folder, the answer Qt's dialog gives once its replace question was answered
    Yes (that question is a nested event loop of Qt's own), or once it was opened or chosen."""
    qtbot.waitUntil(lambda: save_dialog_shown() is not None, timeout=10_000)
    dialog = save_dialog_shown()
    assert dialog is not None
    if path.exists():
        dialog.fileSelected.emit(str(path))
        dialog.done(QDialog.DialogCode.Accepted)
        return
    # Typed into its name field: selectFile() leaves the field alone while it has the focus
    name = dialog.findChild(QLineEdit, "fileNameEdit")
    assert name is not None
    name.setText(str(path))
    dialog.accept()


@contextmanager
def store_held(session: Session) -> Iterator[tuple[threading.Event, threading.Event]]:
    """Hold the store's write transaction from another thread, as the sync does while it
    applies a page, until the first event yielded is set (or 10 s have passed: a bound); the
    second is set while it is held."""
    release, held = threading.Event(), threading.Event()

    def hold() -> None:
        with session.store.transaction():
            held.set()
            release.wait(10)
        held.clear()

    holder = threading.Thread(target=hold)
    holder.start()
    try:
        assert held.wait(5)
        yield release, held
    finally:
        release.set()
        holder.join()


def finish_form(qtbot: QtBot, win: VisitWindow) -> Visit | None:
    """Finish a visit form as its button does and wait for the answer (the visit is stored on
    a worker thread): the stored visit, or None (problems shown, or refused)."""
    with qtbot.waitSignal(win.finish_answered, timeout=10_000) as answered:
        win.finish()
    visit: Visit | None = answered.args[0]
    return visit


@pytest.fixture
def program_font(qapp: QApplication) -> Iterator[None]:
    """The program's own font (bundled), for tests of what fits where; the test's font after."""
    from desktop_app.ui.application import load_fonts

    before = qapp.font()
    load_fonts(qapp)
    yield
    qapp.setFont(before)


def shown_whole(view: QAbstractItemView, text: str, width: int) -> bool:
    """Whether ``text`` fits a cell ``width`` wide of ``view`` unelided (Qt's text margins, and
    a pixel of slack for the fractional widths Qt lays text out with)."""
    margin = view.style().pixelMetric(QStyle.PixelMetric.PM_FocusFrameHMargin, None, view) + 1
    return view.fontMetrics().horizontalAdvance(text) + 2 * margin <= width + 1


def made_active(qtbot: QtBot, widget: QWidget) -> None:
    """``widget``'s window made the active one, waited for: its shortcuts and access keys
    answer only then (keys typed before went to the window that was active)."""
    widget.activateWindow()
    qtbot.waitUntil(widget.isActiveWindow, timeout=5000)


def shown_window(
    qtbot: QtBot, session: Session, width: int = 0, height: int = 700, *, active: bool = False
) -> MainWindow:
    """The main window of ``session``, shown (and exposed) offscreen; ``width`` × ``height``
    (a laptop's screen) if given, set before it is shown so that it is laid out at that size;
    ``active``: made the active window, for keys typed at it (``made_active``)."""
    from desktop_app.ui.main_window import MainWindow

    window = MainWindow(session)
    qtbot.addWidget(window)
    if width:
        window.resize(width, height)
    window.show()
    qtbot.waitExposed(window)
    if active:
        made_active(qtbot, window)
    return window


def synced_by_f5(qtbot: QtBot, window: MainWindow) -> object:
    """F5 in ``window``, as a user syncs by hand: what its sync reported (a report, or the
    exception it ended with)."""
    made_active(qtbot, window)
    with qtbot.waitSignal(window.sync.sync_finished, timeout=30_000) as done:  # type: ignore[attr-defined]
        QTest.keyClick(window, Qt.Key.Key_F5)
    return done.args[0]


def replacing_window(qtbot: QtBot, window: MainWindow, timeout: int = 10_000) -> MainWindow:
    """The window that replaces ``window`` when its laptop's role changes
    (``follow_laptop_role``), handed to qtbot and waited for until its features are in."""
    qtbot.waitUntil(lambda: window.replaced_by is not None, timeout=timeout)
    new = window.replaced_by
    assert new is not None
    qtbot.addWidget(new)
    qtbot.waitUntil(lambda: new.features_installed, timeout=10_000)
    return new


def switch_user_at_lock(
    window: MainWindow, password: str = PASSWORD, account: str = "anna"
) -> MainWindow:
    """Lock ``window``, "Switch user" and log in (as anna again, unless ``account`` says
    whom): the window in use after."""
    from PySide6.QtCore import QTimer
    from PySide6.QtWidgets import QApplication

    from desktop_app.ui.lock import Locker, LockScreen
    from desktop_app.ui.login import LoginDialog
    from desktop_app.ui.main_window import MainWindow, window_in_use

    tries = [250]  # 5 s at most

    def log_in() -> None:
        dialog = next(
            (
                w
                for w in QApplication.topLevelWidgets()
                if isinstance(w, LoginDialog) and w.isVisible()
            ),
            None,
        )
        if dialog is None:  # not asking yet (a busy machine)
            tries[0] -= 1
            if tries[0]:
                QTimer.singleShot(20, log_in)
            return
        dialog.account.setText(account)
        type_text(dialog.password, password)
        dialog.buttons.accepted.emit()

    locker = window.locker  # type: ignore[attr-defined]
    assert isinstance(locker, Locker)
    locker.lock()
    QTimer.singleShot(50, log_in)
    screen = locker.screen
    assert isinstance(screen, LockScreen)
    screen.switch_button.click()
    new = window_in_use()
    assert isinstance(new, MainWindow) and new is not window
    return new


def menu_bar_texts(window: QWidget) -> set[str]:
    """The texts of every entry in ``window``'s menu bar and its menus, submenus included."""
    from PySide6.QtWidgets import QMainWindow, QMenu

    assert isinstance(window, QMainWindow)
    texts: set[str] = set()
    pending = list(window.menuBar().actions())
    while pending:
        action = pending.pop()
        texts.add(action.text())
        menu = action.menu()
        if isinstance(menu, QMenu):
            pending += menu.actions()
    return texts


def person_more_action(qtbot: QtBot, window: MainWindow, mnemonic_text: str) -> None:
    """Alt and the person page's "More…" key, then the access key of the menu's entry
    ``mnemonic_text`` (its text with "&", in any script), as the keyboard does."""
    from PySide6.QtCore import QTimer
    from PySide6.QtWidgets import QMenu

    chosen: list[str] = []

    def choose(tries: int = 200) -> None:
        popup = QApplication.activePopupWidget()
        if isinstance(popup, QMenu):
            letter = mnemonic_text[mnemonic_text.index("&") + 1]
            key = Qt.Key(ord(letter.upper())) if letter.isascii() else Qt.Key.Key_unknown
            none = Qt.KeyboardModifier.NoModifier
            QTest.sendKeyEvent(QTest.KeyAction.Click, popup, key, letter.lower(), none)
            chosen.append(mnemonic_text)
        elif tries:
            QTimer.singleShot(20, lambda: choose(tries - 1))

    made_active(qtbot, window)
    QTimer.singleShot(0, choose)
    alt_access_key(window, window.person_page.more_button.text())
    qtbot.waitUntil(lambda: bool(chosen), timeout=10_000)


def unwritable_folder(tmp_path: Path) -> Path:
    """A real folder nobody may write to: chmod'ed read-only; as root (who may write anyway)
    /sys, whose folder the kernel refuses to create files in, even for root."""
    folder = tmp_path / "read-only"
    folder.mkdir()
    folder.chmod(0o555)
    probe = folder / "probe"
    try:
        probe.write_bytes(b"")
    except PermissionError:
        return folder
    probe.unlink()
    folder.chmod(0o755)
    try:
        Path("/sys/welcome-desk-probe").write_bytes(b"")
    except PermissionError:
        return Path("/sys")
    pytest.skip("no folder here refuses writing")


# A real sync server on 127.0.0.1 for the tests that join and sync, started as the integration
# tests' is (``sync_harness.started_server``); on SQLite only. The harness is imported when a
# test asks for one, not by every UI test.
@pytest.fixture
def server(tmp_path: Path) -> Iterator[ServerProcess]:
    from tests.integration.sync_harness import assert_never_failed, migrated_sqlite, started_server

    with started_server(migrated_sqlite(tmp_path / "server.db"), tmp_path / "s.log") as proc:
        yield proc
    assert_never_failed(proc)


@pytest.fixture
def laptops(server: ServerProcess, tmp_path: Path) -> Iterator[Laptops]:
    """Laptops joined to ``server`` (the first one coordinates), closed after the test."""
    from tests.integration.sync_harness import Laptops

    with Laptops(server, tmp_path) as group:
        yield group


@pytest.fixture
def link(server: ServerProcess) -> Iterator[FlakyLink]:
    """A link on 127.0.0.1 in front of ``server`` that a test makes slow, dead or cut off."""
    from tests.ui.flaky_link import FlakyLink

    flaky = FlakyLink(server.port)
    yield flaky
    flaky.close()


@pytest.fixture
def first_laptop_name() -> str:
    """The name of ``behind_link``'s first laptop (a module names its own by overriding it)."""
    return "A"


@pytest.fixture
def behind_link(
    server: ServerProcess, link: FlakyLink, tmp_path: Path, first_laptop_name: str
) -> Iterator[Laptops]:
    """Laptops whose first (the coordinator's, ``first_laptop_name``) reaches the server through
    ``link``; the ones made after it directly. Closed before the link."""
    from tests.integration.sync_harness import Laptops

    laptops = Laptops(server, tmp_path, url=link.url)
    try:
        laptops.new(first_laptop_name, coordinator=True)
        laptops.url = server.base_url
        yield laptops
    finally:
        laptops.close()


@pytest.fixture
def refused_url() -> Iterator[str]:
    """A loopback address nobody listens on, held so until the test ends (``refusing_url``)."""
    from tests.integration.sync_harness import refusing_url

    with refusing_url() as url:
        yield url


def accept_every_next_step(session: Session, person: Person) -> None:
    """A finished life-situation check with every next step accepted: seven services suggested,
    listed first in the refer dialog, each marked with an arrow."""
    from desktop_app.usecases import visits
    from tests.unit.test_visits import full_life_situation

    answers = full_life_situation() | {
        "children": [
            {"child_birth": "2018-05-01", "child_lives": "with_person", "child_care": "no_place"}
        ],
        "housing_type": "emergency_shelter",
        "pregnant": "yes",
        "prenatal_care": "no",
        "work_status": ["seasonal"],
        "work_exploitation_signs": ["wages_withheld"],
        "benefits": ["none"],
        "kindergeld_status": "not_applied",
    }
    del answers["rent"]  # not asked in an emergency shelter
    rules = visits.form("life_situation").next_steps
    visits.finish_visit(
        session.store,
        session.user,
        person.id,
        "life_situation",
        answers,
        next_steps={rule.id: "accepted" for rule in rules},
    )


def refer_shown_person(
    qtbot: QtBot,
    window: MainWindow,
    search: str,
    reason: str,
    before: Callable[[ReferDialog], None] = lambda _dialog: None,
) -> LetterPreview:
    """Refer the person shown as a user does: "Refer…", the service found by typing ``search``,
    ``reason`` chosen, ``before`` (to look at the dialog), "Create letter"; the preview, once
    its letter is made."""
    referrals = window.referrals  # type: ignore[attr-defined]
    referrals.refer_button.click()
    refer = referrals.dialog
    assert refer is not None
    qtbot.waitExposed(refer)
    type_text(refer.search, search)
    refer.reason.setCurrentIndex(refer.reason.findData(reason))
    before(refer)
    with qtbot.waitSignal(refer.save.answered, timeout=10_000):
        refer.create_button.click()
    preview: LetterPreview | None = referrals.preview
    assert preview is not None
    qtbot.waitUntil(lambda: bool(preview.pdf), timeout=10_000)
    return preview


@pytest.fixture
def parent(qtbot: QtBot) -> QWidget:
    """A window for a dialog to open over (a person's visit, elsewhere), kept while the test
    runs."""
    widget = QWidget()
    qtbot.addWidget(widget)
    return widget


def open_consent_dialog(
    qtbot: QtBot, session: Session, person: Person, parent: QWidget
) -> ConsentDialog:
    """The consent dialog of ``person``, in Bulgarian (their language), as a visit opens it."""
    from desktop_app.ui.visits import ConsentDialog

    dialog = ConsentDialog(session, person, "bg", parent)
    dialog.show()
    qtbot.waitExposed(dialog)
    return dialog


def choose_consent_language(dialog: ConsentDialog, lang: str) -> None:
    combo = dialog.view.input("consent_language")
    assert isinstance(combo, QComboBox)
    combo.setCurrentIndex(combo.findData(lang))
