"""``welcome-desk join`` while the server cannot be reached: it waits (longer each time, at
random within a bound) and tries again, saying in the user's language what it waits for, and
gives up after five tries; Ctrl+C stops it cleanly. It tried once more at once and gave up, so
a laptop joined at a meeting point whose Wi-Fi was still coming up had to be joined again by
hand. A real server process on 127.0.0.1, down until the first try has failed."""

from __future__ import annotations

import io
import os
import signal
import subprocess
import sys
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from desktop_app import cli
from desktop_app.exits import EXIT_OK
from desktop_app.i18n.text import _, ngettext, set_language
from desktop_app.usecases import sync as sync_uc
from desktop_app.usecases.accounts import Session, create_first_account
from tests.integration.sync_harness import PASSWORD, ROOT, ServerProcess

SERVER_DOWN_EXIT = 5  # what ``welcome-desk join`` returns when the server stays out of reach
OFFLINE = "The sync server cannot be reached. Nothing was lost."  # connection_message("offline")


@pytest.fixture
def server_down(tmp_path: Path) -> Iterator[ServerProcess]:
    """A server whose database holds codes, stopped: its port refuses connections until a
    test starts it again."""
    server = ServerProcess(
        db_url=f"sqlite:///{tmp_path / 'server.db'}", log_path=tmp_path / "s.log"
    )
    server.start()
    server.stop()
    try:
        yield server
    finally:
        server.stop()
        server.dispose()
        server.release_port()


@pytest.fixture
def laptop(tmp_path: Path) -> Iterator[Session]:
    session = create_first_account(tmp_path / "A", "anna", "A", PASSWORD)
    try:
        yield session
    finally:
        session.close()


def _join_args(laptop: Session, server: ServerProcess, code: str, lang: str) -> list[str]:
    folder = str(laptop.store.paths.data_dir)
    return ["join", "--data-dir", folder, "--server", server.base_url, "--code", code,
            "--lang", lang, "--password-stdin"]  # fmt: skip


def _in(lang: str, message: str) -> str:
    """``message`` (an English msgid) in ``lang``."""
    set_language(lang)
    try:
        return _(message)
    finally:
        set_language("en")


def _waiting(lang: str, seconds: int, next_try: int) -> str:
    set_language(lang)
    try:
        text = ngettext(
            "This laptop has not joined yet. Trying again in {seconds} second (try {next} of "
            "{tries}); Ctrl+C stops.",
            "This laptop has not joined yet. Trying again in {seconds} seconds (try {next} of "
            "{tries}); Ctrl+C stops.",
            seconds,
        )
    finally:
        set_language("en")
    return text.format(seconds=seconds, next=next_try, tries=5)


Join = Callable[[str, Callable[[float], None]], int]


@pytest.fixture
def code(server_down: ServerProcess) -> str:
    return server_down.service.issue_code("A", 24.0, True).code


@pytest.fixture
def join(
    monkeypatch: pytest.MonkeyPatch, laptop: Session, server_down: ServerProcess, code: str
) -> Join:
    """``welcome-desk join`` of ``laptop`` with ``code``, run in this process in a language,
    a ``sleep`` of the test's waiting between its tries; its exit code."""

    def run(lang: str, sleep: Callable[[float], None]) -> int:
        monkeypatch.setattr(cli, "_sleep", sleep)
        monkeypatch.setattr(sys, "stdin", io.StringIO(PASSWORD + "\n"))
        try:
            return cli.run(cli.parse(_join_args(laptop, server_down, code, lang)))
        finally:
            set_language("en")

    return run


def test_join_waits_for_a_server_that_comes_up_after_the_first_try(
    server_down: ServerProcess, laptop: Session, join: Join, capsys: pytest.CaptureFixture[str]
) -> None:
    waits: list[float] = []

    def server_comes_up(seconds: float) -> None:
        waits.append(seconds)
        server_down.start()  # while the command waits: the Wi-Fi is there now

    exit_code = join("ro", server_comes_up)
    out, err = capsys.readouterr()
    assert exit_code == EXIT_OK, err
    assert len(waits) == 1 and 1.0 <= waits[0] <= 2.0  # the first wait: 1 to 2 s
    offline = _in("ro", OFFLINE)
    assert err.splitlines() == [offline, _waiting("ro", round(waits[0]), 2)]
    assert "nu s-a alăturat încă" in err  # in the user's language
    assert sync_uc.is_joined(laptop.store)
    (device,) = server_down.service.list_devices().devices  # one try registered it
    assert sync_uc.own_device_id(laptop.store) == device.device_id
    assert device.device_id in out


def test_join_gives_up_after_five_tries_within_about_half_a_minute(
    server_down: ServerProcess, laptop: Session, join: Join, capsys: pytest.CaptureFixture[str]
) -> None:
    waits: list[float] = []
    exit_code = join("de", waits.append)
    err = capsys.readouterr().err
    assert exit_code == SERVER_DOWN_EXIT
    # Four waits between five tries, each up to twice the one before, at random in its upper
    # half: 1-2, 2-4, 4-8, 8-16 s; 30 s in all at most.
    assert len(waits) == 4
    for i, wait in enumerate(waits):
        assert 2**i <= wait <= 2 ** (i + 1), waits
    assert sum(waits) <= 30
    said = [_waiting("de", round(w), n) for n, w in enumerate(waits, start=2)]
    assert all(line in err.splitlines() for line in said), err
    assert "Erneuter Versuch in" in said[0]
    offline = _in("de", OFFLINE)
    assert err.count(offline) == 5 and err.splitlines()[-2] == offline
    # then that the same code still works (it ended at the offline message)
    assert err.splitlines()[-1].startswith("Dieser Laptop ist nicht beigetreten. Führen Sie")
    assert not sync_uc.is_joined(laptop.store)
    assert server_down.service.list_devices().devices == []


@pytest.mark.parametrize("code", ["ABCD-EFGH-JKMN"])  # one nobody issued
def test_a_refused_code_is_not_tried_again(
    server_down: ServerProcess, join: Join, capsys: pytest.CaptureFixture[str]
) -> None:
    """A refusal says so at once: waiting would not change it."""
    server_down.start()
    waits: list[float] = []
    exit_code = join("en", waits.append)
    assert exit_code == 6 and waits == []
    assert "does not accept this enrollment code" in capsys.readouterr().err


def test_ctrl_c_stops_a_join_waiting_for_the_server(
    server_down: ServerProcess, laptop: Session, code: str
) -> None:
    """In a terminal, as a person stops it: the command says that the laptop has not joined
    and what to do, with no traceback; the code is left unspent."""
    with subprocess.Popen(
        [sys.executable, "-m", "desktop_app.app", *_join_args(laptop, server_down, code, "bg")],
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        cwd=ROOT, env={**os.environ, "WELCOME_DESK_FAST_KDF": "1"},
    ) as terminal:  # fmt: skip
        assert terminal.stdin is not None and terminal.stderr is not None
        try:
            terminal.stdin.write(PASSWORD + "\n")
            terminal.stdin.flush()
            said = []
            for line in terminal.stderr:  # up to the first wait said
                said.append(line)
                if "Ctrl+C" in line:
                    break
            terminal.send_signal(signal.SIGINT)
            _out, rest = terminal.communicate(timeout=60)
        finally:
            if terminal.poll() is None:
                terminal.kill()
    assert any("Ctrl+C" in line for line in said), said
    stopped = _in(
        "bg",
        "Stopped: this laptop has not joined. Run the command again with the same code; if the "
        "server says it was used already, ask your coordinator for a new one.",
    )
    assert terminal.returncode == 130
    assert rest.strip() == stopped and "Traceback" not in rest
    assert stopped.startswith("Прекъснато: този лаптоп не е присъединен.")
    assert not sync_uc.is_joined(laptop.store)
    server_down.start()
    assert sync_uc.join(laptop.store, server_down.base_url, code, "A").status == "approved"
