"""Composition root: command line, settings, the Qt application and the first window."""

from __future__ import annotations

import os
import sys
import threading
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, cast

# The command line module (argparse, messages) loads after a window start's unlock has begun:
# see ``main`` and ``EarlyUnlock``.
if TYPE_CHECKING:
    import argparse

    from PySide6.QtWidgets import QApplication

    from desktop_app.storage.quick import QuickStart
    from desktop_app.ui.login import LoginDialog
    from desktop_app.ui.main_window import MainWindow
    from desktop_app.usecases.accounts import Session


def _warm_store_modules() -> None:
    """Load the store's and the use cases' modules (SQLAlchemy …) and the main window's while
    the user types the password, so that pressing Enter costs only the unlock, opening the
    store and the first page. Imports run under the import lock: the dialog's own import simply
    waits for them. (Defining Qt classes off the main thread is fine; no widget is made here.)"""
    import desktop_app.ui.main_window
    import desktop_app.usecases.accounts
    import desktop_app.usecases.people  # noqa: F401


#: Set on the main thread once Qt's bindings have loaded (``_load_qt_bindings``). shiboken6's
#: first import walks ``sys.modules`` (PySide6's signature bootstrap); a module another thread
#: loaded during that walk aborted the process ("libshiboken/signature: could not initialize
#: part 2": a clean-clone test run of 7 Dec, the unlock's worker loading SQLAlchemy to migrate
#: an older store). An unlock started before Qt loads nothing new until this is set.
_QT_BINDINGS_LOADED = threading.Event()


def _load_qt_bindings() -> None:
    """Qt's bindings on the main thread, before any worker may load modules beside them, and
    Qt's windows' package with them: it makes what PySide6 asks of every module loaded after
    it cheaper (``desktop_app/ui/__init__.py``), also of the worker's."""
    try:
        import desktop_app.ui  # noqa: F401
    finally:
        _QT_BINDINGS_LOADED.set()  # (a failed import ends the start on this thread anyway)


class _Background:
    """A function run on its own thread; ``result()`` waits for it and returns or raises."""

    def __init__(self, fn: Callable[[], object]) -> None:
        self._fn = fn
        self._value: object = None
        self._error: BaseException | None = None
        self._thread = threading.Thread(target=self._run, name="unlock", daemon=True)
        self._thread.start()

    def _run(self) -> None:
        try:
            self._value = self._fn()
        except BaseException as exc:  # handed to the caller of result()
            self._error = exc

    def result(self) -> object:
        """The function's value, once: it is not kept here (a quick start holds the key)."""
        self._thread.join()
        if self._error is not None:
            raise self._error
        value, self._value = self._value, None
        return value


_VALUED = ("--data-dir", "--account", "--lang", "--probe-typing-s")
_FLAGS = ("--password-stdin", "--startup-probe", "--probe-type-once-built")
#: how long the main thread keeps the interpreter while the unlock's worker waits, at start-up
UNLOCK_SWITCH_INTERVAL_S = 0.0001


def plain_window_start(argv: Sequence[str]) -> argparse.Namespace | None:
    """``argv`` as ``cli.parse`` reads it, if it starts the window with no more than the plain
    options above (their meaning cannot differ from argparse's); None for any other command
    line, which ``cli`` then reads. A window start so needs neither argparse's parser nor the
    command line module, nor argparse itself: the namespace is a plain one with the same
    attributes. (Qt loads argparse later, while the key is derived; loaded here, it held the
    unlock's start up by a few milliseconds.)"""
    from types import SimpleNamespace

    options: dict[str, str] = {}
    flags: set[str] = set()
    tokens = list(argv)
    while tokens:
        token = tokens.pop(0)
        name, has_value, value = token.partition("=")
        if name in _VALUED:
            if not has_value:
                if not tokens:
                    return None
                value = tokens.pop(0)
            if not value or value.startswith("-"):
                return None
            options[name] = value
        elif token in _FLAGS:
            flags.add(token)
        else:
            return None  # a command, another option, an abbreviation: argparse decides
    lang = options.get("--lang")
    if lang is not None and not _registered(lang):
        return None
    try:
        typing_s = float(options.get("--probe-typing-s", "1.0"))
    except ValueError:
        return None
    data_dir = options.get("--data-dir")
    plain = SimpleNamespace(
        screenshot=None,
        form=None,
        client_lang=None,
        section=None,
        startup_probe="--startup-probe" in flags,
        probe_typing_s=typing_s,
        probe_type_once_built="--probe-type-once-built" in flags,
        command=None,
        data_dir=Path(data_dir) if data_dir else None,
        password_stdin="--password-stdin" in flags,
        account=options.get("--account"),
        demo=False,
        lang=lang,
    )
    return cast("argparse.Namespace", plain)


class EarlyUnlock(_Background):
    """A window start with ``--password-stdin``: the password is read and the key unwrapped
    from the process's first milliseconds, before even the command line module loads, while the
    main thread goes on to load Qt (for a command line that ``plain_window_start`` reads).

    ``result()``: the quick start or session as ``cli.open_session_quickly`` gives it, with the
    same messages and exit codes for a refused login (worded on the main thread, in the UI
    language, once it is set).
    """

    def __init__(self, args: argparse.Namespace) -> None:
        self.args = args
        self.account: str | None = args.account
        # What the key derivation needs loads here, before the worker starts: imported on the
        # worker, it would wait for the interpreter while this thread imports Qt, and the
        # derivation (which needs no interpreter) would start late. It is little on purpose
        # (see storage/keyslots.py); the rest of the worker's modules load on this thread
        # while the key is derived (``start``).
        import _blake2  # noqa: F401  (the account's slot is looked up with it)

        import desktop_app.storage.login_guard  # noqa: F401

        if args.data_dir is None:  # decided before the worker starts: a file read, no Qt
            from desktop_app.paths import choose_data_dir

            args.data_dir = choose_data_dir(None).folder
        self.data_dir: Path = args.data_dir
        super().__init__(self._open)

    @classmethod
    def start(cls, args: argparse.Namespace) -> EarlyUnlock:
        """Start the unlock of a plain window start with ``--password-stdin``
        (``plain_window_start``)."""
        from desktop_app.logs import hold_early_records

        hold_early_records()  # a refused login is logged by the worker, at once
        # Until the worker is inside the derivation (which needs no interpreter), it gets the
        # interpreter back within a tenth of a millisecond each time it asks for it, not after
        # Python's 5 ms: it reads the password and two small files first, and this thread,
        # loading modules meanwhile, held the derivation's start up by some 7 ms (median;
        # up to 20). The UI's own interval follows with Qt (share_interpreter_with_workers).
        sys.setswitchinterval(UNLOCK_SWITCH_INTERVAL_S)
        early = cls(args)
        # The rest of the worker's modules, AES-GCM and the database driver, while the key is
        # derived.
        from desktop_app.storage.keyslots import load_cipher
        from desktop_app.storage.quick import load_driver
        from desktop_app.usecases import unlock  # noqa: F401

        load_cipher()
        load_driver()
        return early

    def _open(self) -> QuickStart | Session | None:
        from desktop_app.storage.layout import StorePaths
        from desktop_app.storage.login_guard import unlock_for_start

        password = sys.stdin.readline().rstrip("\r\n")
        if not self.account and not StorePaths(self.data_dir).can_log_in_unnamed():
            return None  # no store or no account named: the main thread says which
        try:
            account, key = unlock_for_start(self.data_dir, self.account or None, password)
        finally:
            # Until here nothing is loaded that the main thread has not loaded before Qt
            # (the derivation's modules, then AES-GCM); from here the store's may be.
            _QT_BINDINGS_LOADED.wait()
        from desktop_app.usecases.unlock import open_with_key

        return open_with_key(self.data_dir, account, key)

    def result(self) -> object:
        from desktop_app.storage.keyslots import KeySlotError
        from desktop_app.storage.layout import StoreError

        _QT_BINDINGS_LOADED.set()  # this thread waits from here: it loads nothing beside
        try:
            opened = super().result()
        except (KeySlotError, StoreError) as exc:
            from desktop_app import cli

            raise cli.login_error(exc) from exc
        if opened is None:
            from desktop_app import cli

            cli.login_target(self.data_dir, self.account)  # raises the reason
            raise cli.CliError(cli.error_message("store_error"), cli.EXIT_STORE)
        return opened


def _registered(lang: str) -> bool:
    """Whether translations/languages.toml lists ``lang``, read as plain text: its parser
    loads with i18n.text, not this early. An entry written otherwise than ``code = "xx"`` only
    takes the command line to argparse, whose choices are the parsed registry's."""
    from desktop_app.paths import translations_dir

    try:
        registry = (translations_dir() / "languages.toml").read_text(encoding="utf-8")
    except OSError:
        return False
    return lang.isalpha() and f'\ncode = "{lang}"\n' in registry


def _open_gui_session(  # type: ignore[no-untyped-def]
    args: argparse.Namespace, unlocking: _Background | None, waiting: list[MainWindow]
):
    from desktop_app.paths import default_data_dir
    from desktop_app.storage.layout import StorePaths

    if args.demo:
        from desktop_app.usecases.demo import open_demo_session

        # with a year of visits and referrals, so person pages and reports have something
        return open_demo_session(activity=True)
    paths = StorePaths(args.data_dir or default_data_dir())
    if unlocking is not None:
        return unlocking.result()
    if not paths.is_initialised():
        from desktop_app.ui.first_run import FirstRunWizard

        wizard = FirstRunWizard(paths.data_dir)
        wizard.exec()
        if wizard.demo:
            from desktop_app.usecases.demo import open_demo_session

            args.demo = True  # the window title then says the data is generated
            return open_demo_session(activity=True)
        return wizard.session
    from desktop_app.ui.login import LoginDialog

    dialog = LoginDialog(paths.data_dir, quick=not args.screenshot, account=args.account or "")
    if not args.screenshot:
        _prepare_while_typing(dialog, args, waiting)
    if args.startup_probe:
        _probe_login(dialog, args, waiting)
    if not dialog.exec():
        return None
    opened, dialog.quick_start = dialog.quick_start or dialog.session, None  # (its key)
    return opened


def _prepare_while_typing(
    dialog: LoginDialog, args: argparse.Namespace, waiting: list[MainWindow]
) -> None:
    """Once the prompt shows: load the store's and the window's modules on a worker, then
    build the main window (unshown) into ``waiting``, so that after OK only the unlock, the
    first page and a paint are left. If OK comes first, the window is built then."""
    from PySide6.QtCore import QTimer

    worker: list[threading.Thread] = []
    poll = QTimer(dialog)
    poll.setInterval(20)

    def start() -> None:
        worker.append(threading.Thread(target=_warm_store_modules, name="warm", daemon=True))
        worker[0].start()
        poll.start()

    def check() -> None:
        if worker[0].is_alive() and dialog.isVisible():
            return
        poll.stop()
        if not waiting and dialog.isVisible():  # still asking
            from desktop_app.ui.main_window import MainWindow

            waiting.append(MainWindow(None, demo=args.demo, defer_features=True))

    poll.timeout.connect(check)
    QTimer.singleShot(0, start)


def _probe_login(dialog: LoginDialog, args: argparse.Namespace, waiting: list[MainWindow]) -> None:
    """For bench/startup.py: note when the prompt is usable, then type the password (read from
    standard input) after ``--probe-typing-s`` seconds and press OK, as a user would. With
    ``--probe-type-once-built`` the typing begins once the window is built behind the prompt
    (``_prepare_while_typing``; at most ``PROBE_BUILD_WAIT_S``), and ``built_s`` says when."""
    from PySide6.QtCore import QTimer
    from PySide6.QtWidgets import QApplication

    password = sys.stdin.readline().rstrip("\r\n")
    typing_ms = int(args.probe_typing_s * 1000)

    def submit() -> None:
        dialog.password.setText(password)
        _PROBE["submitted_s"] = _seconds_since_start()
        dialog.buttons.accepted.emit()

    def type_once_built(until: float) -> None:
        if waiting or time.monotonic() >= until:
            if waiting:
                _PROBE["built_s"] = _seconds_since_start()
            QTimer.singleShot(typing_ms, submit)
            return
        QTimer.singleShot(20, lambda: type_once_built(until))

    def shown() -> None:
        _PROBE["prompt_s"] = _seconds_since_start()
        if args.probe_type_once_built:
            type_once_built(time.monotonic() + PROBE_BUILD_WAIT_S)
        else:
            QTimer.singleShot(typing_ms, submit)

    dialog.show()
    QApplication.processEvents()
    QTimer.singleShot(0, shown)


#: ``--probe-type-once-built``: how long the probe waits for the window before typing anyway
PROBE_BUILD_WAIT_S = 60.0

_PROBE: dict[str, float] = {}


#: set by bench/startup.py: its ``time.perf_counter()`` just before it spawned this process
PROBE_T0_VARIABLE = "WELCOME_DESK_PROBE_T0"


def _seconds_since_start() -> float:
    """Seconds since this process started, for the start-up benchmark: since the moment the
    benchmark spawned it (``PROBE_T0_VARIABLE``; ``perf_counter`` is one clock for every
    process of a machine, to the microsecond), else since the kernel's start time (Linux, in
    ticks of 10 ms; 0 elsewhere)."""
    spawned = os.environ.get(PROBE_T0_VARIABLE)
    if spawned:
        return time.perf_counter() - float(spawned)
    try:
        stat = Path("/proc/self/stat").read_text().rsplit(")", 1)[1].split()
        started = int(stat[19]) / os.sysconf("SC_CLK_TCK")
        return float(Path("/proc/uptime").read_text().split()[0]) - started
    except (OSError, ValueError, IndexError):
        return 0.0


def _peak_rss_kb() -> int:
    status = Path("/proc/self/status")
    if not status.exists():
        return 0
    for line in status.read_text().splitlines():
        if line.startswith("VmHWM"):
            return int(line.split()[1])
    return 0


def _choose_platform(args: argparse.Namespace) -> str | None:
    """Screenshots render offscreen; without any display, say so instead of letting Qt abort."""
    if os.environ.get("QT_QPA_PLATFORM"):
        return None
    if args.screenshot:
        os.environ["QT_QPA_PLATFORM"] = "offscreen"
        return None
    if sys.platform.startswith("linux") and not (
        os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY")
    ):
        return (
            "Welcome Desk needs a screen (no DISPLAY is set). "
            "Use --screenshot for a headless render."
        )
    return None


def run_gui(args: argparse.Namespace, early: EarlyUnlock | None = None) -> int:
    """The window: ``early`` is an unlock ``main`` started already (``EarlyUnlock``)."""
    log_file = _hold_logs(args)
    try:
        return _run_gui(args, early, log_file)
    finally:
        log_file()


def _hold_logs(args: argparse.Namespace) -> Callable[[], None]:
    """What is logged from now on is held; the returned function sets up the log file (after
    the first paint: loading the logging handlers is not on the way to the window)."""
    if args.demo:
        return lambda: None  # as the command line: a throwaway store keeps no log
    from desktop_app.logs import hold_early_records, install_excepthook

    hold_early_records()
    install_excepthook()
    done: list[bool] = []
    once = threading.Lock()

    def set_up() -> None:
        with once:  # after the first paint on a worker, and at the end (if it never came)
            if not done:
                done.append(True)
                from desktop_app.logs import configure_logging
                from desktop_app.paths import default_data_dir

                configure_logging((args.data_dir or default_data_dir()) / "logs")

    return set_up


def _run_gui(
    args: argparse.Namespace, early: EarlyUnlock | None, log_file: Callable[[], None]
) -> int:
    from desktop_app.exits import EXIT_STORE, EXIT_USAGE, CliError

    problem = _choose_platform(args)
    if problem:
        print(problem, file=sys.stderr)
        return EXIT_USAGE
    unlocking: _Background | None = early
    if early is None and not args.demo:  # (an early unlock has chosen it already)
        from desktop_app.paths import choose_data_dir

        args.data_dir = choose_data_dir(args.data_dir).folder
    if args.lang:  # before the worker words its messages (the saved choice needs Qt, below)
        from desktop_app.i18n.text import set_language

        set_language(args.lang)
    _load_qt_bindings()
    if unlocking is None and args.password_stdin and not args.demo:
        # Unwrap the key (Argon2id, GIL-free) and read the people list's first page on a
        # worker thread while this thread loads Qt: the two overlap on a second core. The
        # store's full modules (SQLAlchemy) load after the first paint (storage/quick.py).
        # Screenshots want every feature at once: they take the full path. (Started after Qt's
        # bindings: unlike the early unlock, this worker loads modules from its start.)
        from desktop_app import cli

        opener = cli.open_session if args.screenshot else cli.open_session_quickly
        unlocking = _Background(lambda: opener(args))
    from PySide6.QtCore import QSettings, QTimer
    from PySide6.QtWidgets import QApplication, QWidget

    from desktop_app.i18n.messages import error_message
    from desktop_app.i18n.text import LANGUAGES, set_language, system_language
    from desktop_app.storage.keyslots import KeySlotError
    from desktop_app.storage.layout import StoreError
    from desktop_app.storage.quick import QuickStart
    from desktop_app.ui.application import (
        QtTranslations,
        collect_garbage_on_gui_thread,
        drop_stale_settings,
        load_fonts,
        share_interpreter_with_workers,
        show_focus,
    )

    share_interpreter_with_workers()
    existing = QApplication.instance()
    app = existing if isinstance(existing, QApplication) else QApplication(sys.argv[:1])
    collect_garbage_on_gui_thread(app).freeze_when_settled()
    app.setApplicationName("Welcome Desk")
    app.setOrganizationName("WelcomeDesk")
    load_fonts(app)
    show_focus(app)
    from PySide6.QtGui import QIcon

    from desktop_app.paths import resource

    icon = resource("icons", "welcome-desk-256.png")  # rendered at build time; SVG otherwise
    app.setWindowIcon(QIcon(str(icon if icon.exists() else resource("icons", "welcome-desk.svg"))))
    settings = QSettings()
    drop_stale_settings(settings)
    qt_translations = QtTranslations(app)
    saved = str(settings.value("ui/language", ""))
    lang = args.lang or (saved if saved in LANGUAGES else system_language())
    set_language(lang)
    qt_translations.apply(lang)

    # While the key is still being derived, build the window (unshown) so that only filling
    # the list and painting are left when it is there.
    # (At a login prompt: built while the user types, see ``_prepare_while_typing``.)
    waiting: list[MainWindow] = []
    if unlocking is not None and not args.screenshot:
        from desktop_app.ui.main_window import MainWindow

        waiting.append(MainWindow(None, demo=args.demo, defer_features=True))
    try:
        opened = _open_gui_session(args, unlocking, waiting)
    except CliError as exc:
        print(str(exc), file=sys.stderr)
        return exc.code
    except (KeySlotError, StoreError) as exc:
        print(error_message(exc.code), file=sys.stderr)
        return EXIT_STORE
    if opened is None:
        return 0
    from desktop_app.ui.main_window import MainWindow, show_window, sync_soon, use_window

    prebuilt = bool(waiting)
    if waiting:
        window = waiting.pop()  # (the list would keep it after another took its place)
        if isinstance(opened, QuickStart):
            window.attach_quick(opened)
        else:
            window.attach_session(opened)
    elif isinstance(opened, QuickStart):
        window = MainWindow(None, quick=opened, demo=args.demo, defer_features=True)
    else:
        window = MainWindow(opened, demo=args.demo, defer_features=not args.screenshot)
    use_window(window)
    from desktop_app.i18n.text import on_language_changed

    on_language_changed(lambda code: settings.setValue("ui/language", code))
    if args.screenshot:
        window.show()  # at its own size, whatever the screen
    else:
        show_window(window)

    # The list and search work now; the features' menus and tabs follow right after the
    # first paint (their modules pull in PDF, charts, HTTP and form libraries).
    app.processEvents()
    interactive = _seconds_since_start()
    # CPU seconds so far: the main thread's (its path to the window) and the whole process's
    # (adds the unlock on the worker). Unlike wall time, these hardly move with other load.
    cpu = (time.thread_time(), time.process_time())
    # The log file is set up on a worker (loading the logging handlers here could wait for the
    # store's modules loading on a worker meanwhile: imports share locks), and on the same one
    # as the store opens: two workers busy with Python at once hold the window up longer.
    if not isinstance(opened, QuickStart):
        window.tasks.run(log_file, lambda _none: None, lambda _exc: None)
    failed: list[int] = []
    if isinstance(opened, QuickStart):
        _open_store_behind(window, opened, failed, log_file)  # then loads and installs the features
    else:
        QTimer.singleShot(0, window.install_features)
    # The quick start holds the key: the window drops it once its store is open, and nothing
    # here keeps it for the whole session.
    del opened
    if args.startup_probe:
        # whether the first paint showed people, not an empty list still being read
        first_row = window.model.data(window.model.index(0, 0)) is not None
        return _finish_probe(app, window, interactive, cpu, prebuilt=prebuilt, first_row=first_row)
    if args.screenshot:
        if window.model.rowCount():
            window.table.selectRow(0)  # show a person's page too, as after a search
        app.processEvents()
        window.tasks.wait(3000)  # what the status bar reads in the background (sync status)
        app.processEvents()  # delivers it
        app.processEvents()  # lays the status bar out around it
        args.screenshot.parent.mkdir(parents=True, exist_ok=True)
        shown: QWidget = window
        if getattr(args, "form", None):
            from desktop_app.ui.visits import open_form_for_screenshot

            shown = open_form_for_screenshot(window, args.form, args.client_lang, args.section)
            # The form's entries and their drop-downs take their widths over several layout
            # passes: grabbed after one, the skills check's language levels stood past the
            # page's right edge and its entries were drawn squeezed into each other.
            settled = time.monotonic() + 0.5
            while time.monotonic() < settled:
                app.processEvents()
                time.sleep(0.01)
        ok = shown.grab().save(str(args.screenshot), "PNG")
        if shown is not window:
            shown.close()
        window.close()
        window.session.close()
        return 0 if ok else 1
    sync_soon(window)
    # Held only as the window in use (``main_window.use_window``): a window put in its place
    # (a user switch at the lock, a restored backup) is deleted, and this function's reference
    # kept it, its people and its page in memory until the program ended.
    del window
    code = app.exec()
    _close_window_session()
    return failed[0] if failed else code


def _open_store_behind(
    window: MainWindow, quick: QuickStart, failed: list[int], log_file: Callable[[], None]
) -> None:
    """Open the full store on a worker after the first paint; it then takes over the window."""
    from PySide6.QtWidgets import QApplication, QMessageBox

    from desktop_app.exits import EXIT_STORE
    from desktop_app.i18n.messages import error_message

    def open_store() -> Session:
        from desktop_app.usecases.accounts import open_unlocked

        log_file()
        return open_unlocked(quick.data_dir, quick.account, quick.key)

    def load_features() -> None:
        # The features' modules (PDF, charts, forms, HTTP) load on the worker too, so that
        # installing them on the main thread only builds widgets and typing stays live.
        # Defining Qt classes off the main thread is fine; no widget is made here. Babel's data
        # of the UI language too: the first paint did without it (i18n/cldr_cache.py).
        import desktop_app.ui.features  # noqa: F401
        from desktop_app.i18n.formatting import load_locale_data

        load_locale_data()

    def opened(session: Session) -> None:
        window.attach_session(session)
        # Installed even if loading failed here: the main thread's import then reports it.
        window.tasks.run(
            load_features, lambda _: window.install_features(), lambda _: window.install_features()
        )

    def on_failed(exc: Exception) -> None:
        text = error_message(getattr(exc, "code", "store_error"))
        print(text, file=sys.stderr)
        failed.append(EXIT_STORE)
        QMessageBox.critical(window, "Welcome Desk", text)
        window.close()
        QApplication.quit()

    window.tasks.run(open_store, opened, on_failed)


def _close_window_session(window: MainWindow | None = None) -> None:
    """Close the store of ``window``, or of the window in use at the end: the one opened in
    the first's place (a user switch at the lock, the restored data), whose store stayed open
    when the program ended after a user switch."""
    from desktop_app.ui.main_window import window_in_use

    window = window or window_in_use()
    if window is None:
        return
    while window.replaced_by is not None:  # the restored data opened in its place
        window = window.replaced_by
    window.close_quick_reader()
    if window.has_session:
        window.session.close()


def _finish_probe(
    app: QApplication,
    window: MainWindow,
    interactive: float,
    cpu: tuple[float, float],
    *,
    prebuilt: bool,
    first_row: bool,
) -> int:
    """--startup-probe: wait for the store and the features, then print the moments."""
    from PySide6.QtCore import QTimer

    marks = {"session_s": interactive} if window.has_session else {}

    def session_ready() -> None:
        marks["session_s"] = _seconds_since_start()

    def features_ready() -> None:
        marks["features_s"] = _seconds_since_start()
        QTimer.singleShot(0, app.quit)  # once the loop is idle

    # The longest the event loop was away between the first paint and the features: how long
    # a keystroke in the search could wait meanwhile.
    ticks = {"last": time.perf_counter(), "max": 0.0}

    def tick() -> None:
        now = time.perf_counter()
        ticks["max"], ticks["last"] = max(ticks["max"], now - ticks["last"]), now

    timer = QTimer()
    timer.setInterval(5)
    timer.timeout.connect(tick)
    timer.start()
    window.features_ready.connect(tick)  # counts the installing itself, then stops
    window.features_ready.connect(timer.stop)
    window.session_ready.connect(session_ready)
    window.features_ready.connect(features_ready)
    if window.features_installed:
        features_ready()
    QTimer.singleShot(120_000, app.quit)  # a bound, should anything never arrive
    app.exec()
    login = ""
    if _PROBE:
        login = f" prompt_s={_PROBE['prompt_s']:.4f} submitted_s={_PROBE['submitted_s']:.4f}"
        if "built_s" in _PROBE:
            login += f" built_s={_PROBE['built_s']:.4f}"
    print(
        f"startup-probe ready rows={window.model.rowCount()} peak_rss_kb={_peak_rss_kb()} "
        f"interactive_s={interactive:.4f} session_s={marks.get('session_s', -1):.4f} "
        f"features_s={marks.get('features_s', -1):.4f}{login} "
        f"main_cpu_s={cpu[0]:.3f} process_cpu_s={cpu[1]:.3f} stall_s={ticks['max']:.3f} "
        f"prebuilt={int(prebuilt)} first_row={int(first_row)}"
    )
    _close_window_session(window)
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    arguments = list(sys.argv[1:] if argv is None else argv)
    if arguments[:1] == ["--sync-process"]:  # a bundle's window started its sync process
        from desktop_app.usecases.sync_process import child_main

        return child_main()
    args = plain_window_start(arguments)  # before the command line module loads
    if args is not None:
        return run_gui(args, EarlyUnlock.start(args) if args.password_stdin else None)
    from desktop_app import cli

    return cli.main(arguments)


if __name__ == "__main__":
    sys.exit(main())
