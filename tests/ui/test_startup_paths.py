"""Starting the real program (offscreen): with --password-stdin and through the login prompt."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

import pytest

from tests.ui.conftest import run_program

PROBE = re.compile(r"(\w+)=([\d.-]+)")


def _start(
    data: Path | None, *args: str, stdin: str, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    """The program on ``data`` (None: without --data-dir, the folder it chooses itself)."""
    folder = ["--data-dir", str(data)] if data is not None else []
    return run_program(
        "-m", "desktop_app.app", *folder, *args, "--lang", "en", stdin=stdin, env=env
    )


def _prompt_start(
    data: Path | None, typing_s: str, *, once_built: bool = False
) -> subprocess.CompletedProcess[str]:
    """A start at the login prompt: the user types their account and, after ``typing_s``
    seconds, the password (``--startup-probe``); with ``once_built``, ``typing_s`` after the
    window is built behind the prompt."""
    probe = ["--startup-probe", "--probe-typing-s", typing_s]
    probe += ["--probe-type-once-built"] if once_built else []
    return _start(data, "--account", "anna", *probe, stdin="a good password\n")


def _probe(out: str) -> dict[str, float]:
    line = next(x for x in out.splitlines() if x.startswith("startup-probe"))
    return {k: float(v) for k, v in PROBE.findall(line)}


def test_password_stdin_shows_the_list_then_the_store_and_features_follow(store: Path) -> None:
    done = _start(store, "--password-stdin", "--startup-probe", stdin="a good password\n")
    assert done.returncode == 0, done.stderr
    probe = _probe(done.stdout)
    assert probe["rows"] == 120 and probe["first_row"] == 1  # people shown at the first paint
    assert 0 < probe["interactive_s"] <= probe["session_s"] <= probe["features_s"]


def test_password_stdin_wrong_password_is_a_message_not_a_window(store: Path) -> None:
    done = _start(store, "--password-stdin", "--startup-probe", stdin="wrong password\n")
    assert done.returncode == 3
    assert "password" in done.stderr.lower() and "Traceback" not in done.stderr
    assert "startup-probe" not in done.stdout
    # logged before the log file was set up (that waits for the first paint), written after
    log = (store / "logs" / "welcome-desk.log").read_text(encoding="utf-8")
    assert "failed login, 1 in a row" in log


def test_login_prompt_then_list(store: Path) -> None:
    done = _prompt_start(store, "0.2")
    assert done.returncode == 0, done.stderr
    probe = _probe(done.stdout)
    assert probe["rows"] == 120
    assert 0 < probe["prompt_s"] < probe["submitted_s"] < probe["interactive_s"]
    assert probe["features_s"] >= probe["interactive_s"]


def test_the_window_is_built_while_the_password_is_typed(store: Path) -> None:
    """At the prompt the store's and the window's modules load and the window is built while
    the user types; OK then only unlocks, reads the first page and paints. The probe types
    once the window is built (a fixed typing time of 2.5 s was too short on a loaded machine);
    it is built with nothing typed, and used when OK comes."""
    done = _prompt_start(store, "0.2", once_built=True)
    assert done.returncode == 0, done.stderr
    probe = _probe(done.stdout)
    assert probe["prompt_s"] < probe["built_s"] < probe["submitted_s"]
    assert probe["rows"] == 120 and probe["prebuilt"] == 1 and probe["first_row"] == 1
    # with --password-stdin the window is built while the key is derived
    done = _start(store, "--password-stdin", "--startup-probe", stdin="a good password\n")
    assert done.returncode == 0, done.stderr
    assert _probe(done.stdout)["prebuilt"] == 1


# The program as ``python -m desktop_app.app`` runs it, counting, once the window has its
# store and features (after the tasks' callables are let go), the quick starts still alive.
_COUNT_QUICK_STARTS = """
import gc, sys
from PySide6.QtCore import QTimer
from desktop_app import app
from desktop_app.storage.quick import QuickStart
from desktop_app.ui.main_window import MainWindow

install, init = MainWindow.install_features, QuickStart.__init__
made = []

def init_and_count(self, *args, **kwargs):
    init(self, *args, **kwargs)
    made.append(1)

QuickStart.__init__ = init_and_count

def count():
    gc.collect()
    alive = [o for o in gc.get_objects() if isinstance(o, QuickStart)]
    print("quick-starts-made", len(made), "alive", len(alive), flush=True)

def install_then_count(self):
    if self.has_session and not self.features_installed:
        QTimer.singleShot(0, count)  # before the probe's quit, after the tasks' release
    install(self)

MainWindow.install_features = install_then_count
sys.exit(app.main(sys.argv[1:]))
"""


@pytest.mark.parametrize("start", ["--password-stdin", "login prompt"])
def test_the_quick_start_and_its_key_are_let_go_once_the_window_has_its_store(
    store: Path, start: str
) -> None:
    """The quick start (the key unwrapped for the first paint, and the reader opened with it)
    stayed referenced for the whole session: by the window, the start-up's own variables and
    the unlock's thread. Once the store is open it serves the window; nothing keeps them."""
    prompt = ["--account", "anna", "--probe-typing-s", "0.2"]  # the password typed at the prompt
    args = ["--password-stdin"] if start == "--password-stdin" else prompt
    args += ["--startup-probe", "--lang", "en"]
    done = run_program(
        "-c", _COUNT_QUICK_STARTS, "--data-dir", str(store), *args, stdin="a good password\n"
    )
    assert done.returncode == 0, done.stderr
    assert _probe(done.stdout)["rows"] == 120  # the quick start served the first paint
    assert "quick-starts-made 1 alive 0" in done.stdout.splitlines(), done.stdout


def test_password_stdin_without_a_store_says_so(tmp_path: Path) -> None:
    done = _start(tmp_path / "empty", "--password-stdin", stdin="a good password\n")
    assert done.returncode == 4
    assert "No store in" in done.stderr and "Traceback" not in done.stderr


def test_password_stdin_with_two_accounts_asks_which(store: Path) -> None:
    from desktop_app.domain.users import Role
    from desktop_app.usecases import accounts

    session = accounts.log_in(store, "anna", "a good password")
    accounts.add_user(session, "bogdan", "Bogdan", Role.HELPER, "another password")
    session.close()
    done = _start(store, "--password-stdin", "--startup-probe", stdin="another password\n")
    assert done.returncode == 2
    assert "--account" in done.stderr and "startup-probe" not in done.stdout
    done = _start(
        store,
        "--account",
        "bogdan",
        "--password-stdin",
        "--startup-probe",
        stdin="another password\n",
    )
    assert done.returncode == 0, done.stderr
    assert _probe(done.stdout)["rows"] == 120


def test_password_stdin_on_an_older_store_migrates_it_then_lists(store: Path) -> None:
    """The quick reader serves only the current schema: an older store opens the full way
    (migrating it) into the window that was built while the key was derived."""
    from desktop_app.storage.layout import SCHEMA_HEAD
    from desktop_app.usecases import accounts
    from tests.conftest import downgrade_store

    session = accounts.log_in(store, "anna", "a good password")
    downgrade_store(session.store, "report_facts_2")
    session.close()
    done = _start(store, "--password-stdin", "--startup-probe", stdin="a good password\n")
    assert done.returncode == 0, done.stderr
    probe = _probe(done.stdout)
    assert probe["rows"] == 120
    assert probe["session_s"] == probe["interactive_s"]  # the full store was there at once
    session = accounts.log_in(store, "anna", "a good password")
    with session.store.reading() as s:
        from sqlalchemy import text

        assert s.execute(text("SELECT version_num FROM alembic_version")).scalar() == SCHEMA_HEAD
    session.close()


def test_both_window_starts_open_the_data_folder_opened_in_the_window_after_a_restore(
    store: Path,
) -> None:
    """The coordinator opened a restored backup's data (``store``) in the window: a start
    with --password-stdin, which unlocks before Qt has loaded, went on opening the default
    folder (here empty: "No store in …"). Both starts open the chosen folder now."""
    from desktop_app.paths import remember_data_dir

    remember_data_dir(store)
    done = _start(None, "--password-stdin", "--startup-probe", stdin="a good password\n")
    assert done.returncode == 0, done.stderr
    assert _probe(done.stdout)["rows"] == 120
    # logged where the data is (the log file is set up from the folder chosen)
    assert (store / "logs" / "welcome-desk.log").exists()
    done = _prompt_start(None, "0.2")
    assert done.returncode == 0, done.stderr
    assert _probe(done.stdout)["rows"] == 120


def test_a_password_stdin_start_passes_over_a_chosen_folder_without_data(tmp_path: Path) -> None:
    """The chosen folder on a stick not plugged in: the default folder, never a new store on
    the stick's mount point."""
    from desktop_app.paths import default_data_dir, remember_data_dir

    remember_data_dir(tmp_path / "stick")
    done = _start(None, "--password-stdin", stdin="a good password\n")
    assert done.returncode == 4
    assert f"No store in {default_data_dir()}." in done.stderr
    assert not (tmp_path / "stick").exists()


def test_start_up_removes_the_settings_old_versions_left_behind(
    store: Path, tmp_path: Path
) -> None:
    """An old install's settings still hold "security/idle_minutes" (set by anyone through
    File → Lock after…) and "sync/server_url" (read by nothing): the program removes them
    as it starts, and keeps the rest."""
    from PySide6.QtCore import QSettings

    config = tmp_path / "config"
    path = config / "WelcomeDesk" / "Welcome Desk.conf"  # Qt's user settings on Linux
    old = QSettings(str(path), QSettings.Format.IniFormat)
    for key, value in (
        ("security/idle_minutes", 120),
        ("sync/server_url", "https://old.example.org"),
        ("security/idle_lock_minutes", 7),
        ("ui/language", "bg"),
    ):
        old.setValue(key, value)
    old.sync()
    del old
    env = {"XDG_CONFIG_HOME": str(config)}
    done = _start(store, "--password-stdin", "--startup-probe", stdin="a good password\n", env=env)
    assert done.returncode == 0, done.stderr
    kept = QSettings(str(path), QSettings.Format.IniFormat)
    assert sorted(kept.allKeys()) == ["security/idle_lock_minutes", "ui/language"]
    assert kept.value("security/idle_lock_minutes") in (7, "7")
    assert kept.value("ui/language") == "bg"


def test_stale_settings_are_removed_once_and_nothing_else(tmp_path: Path) -> None:
    from PySide6.QtCore import QSettings

    from desktop_app.ui.application import drop_stale_settings

    settings = QSettings(str(tmp_path / "settings.ini"), QSettings.Format.IniFormat)
    settings.setValue("security/idle_minutes", 120)
    settings.setValue("sync/server_url", "https://old.example.org")
    settings.setValue("security/idle_lock_minutes", 7)
    assert drop_stale_settings(settings) == ["security/idle_minutes", "sync/server_url"]
    assert drop_stale_settings(settings) == []  # a later start finds nothing to remove
    on_disk = QSettings(str(tmp_path / "settings.ini"), QSettings.Format.IniFormat)
    assert on_disk.allKeys() == ["security/idle_lock_minutes"]


# The program as ``python -m desktop_app.app`` runs it, with Qt's bindings loading slowly: the
# main thread's load of ``shiboken6.Shiboken`` (whose bootstrap walks sys.modules) is held for
# 0.4 s, and every module another thread loads meanwhile is printed.
_WATCH_QT_BINDINGS = """
import os, sys, threading, time

beside = []

def in_bindings_import():
    frame = sys._current_frames().get(threading.main_thread().ident)
    while frame is not None:
        if frame.f_code.co_filename.endswith(os.path.join("shiboken6", "__init__.py")):
            return True
        frame = frame.f_back
    return False

class Watch:
    @staticmethod
    def find_spec(name, path=None, target=None):
        if threading.current_thread() is threading.main_thread():
            if name == "shiboken6.Shiboken":
                time.sleep(0.4)
        elif in_bindings_import():
            beside.append(f"{threading.current_thread().name}:{name}")
        return None

sys.meta_path.insert(0, Watch)
from desktop_app import app
try:
    code = app.main(sys.argv[1:])
finally:
    print("loaded-beside-bindings", " ".join(beside) or "none", flush=True)
sys.exit(code)
"""


@pytest.mark.parametrize("start", ["current store", "older store", "full command line"])
def test_no_module_loads_beside_qt_bindings_at_start(store: Path, start: str) -> None:
    """shiboken6's first import walks sys.modules; a module the unlock's worker loaded during
    that walk aborted the program (a clean-clone run of 7 Dec, migrating an older store).
    With the bindings' import held up, the worker (whose cheap test derivation is done long
    before) waits for them before loading the store's modules."""
    if start == "older store":
        from desktop_app.usecases import accounts
        from tests.conftest import downgrade_store

        session = accounts.log_in(store, "anna", "a good password")
        downgrade_store(session.store, "report_facts_2")
        session.close()
    # an abbreviation: the command line module reads it (the unlock then starts with Qt)
    probe = "--startup-prob" if start == "full command line" else "--startup-probe"
    done = run_program(
        "-c", _WATCH_QT_BINDINGS, "--data-dir", str(store), "--password-stdin", probe,
        "--lang", "en", stdin="a good password\n",
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert _probe(done.stdout)["rows"] == 120
    assert "loaded-beside-bindings none" in done.stdout.splitlines(), done.stdout
