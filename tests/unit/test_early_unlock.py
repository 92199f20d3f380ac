"""A plain window start skips the command line module (``app.plain_window_start``), and with
--password-stdin begins the unlock before it would have loaded (``app.EarlyUnlock``). It may
only do so where argparse would read the command line the same way; everything else must be
left to argparse."""

from __future__ import annotations

from pathlib import Path

import pytest

from desktop_app import cli
from desktop_app.app import plain_window_start

PLAIN = [
    [],  # the login prompt
    ["--data-dir", "/tmp/x"],
    ["--password-stdin"],
    ["--data-dir", "/tmp/x", "--password-stdin"],
    ["--data-dir=/tmp/x", "--account=anna", "--password-stdin", "--lang", "bg"],
    ["--password-stdin", "--account", "anna", "--startup-probe", "--lang=ro"],
    ["--account", "a", "--account", "b", "--password-stdin"],  # the last one counts, as argparse
    ["--lang", "de", "--password-stdin", "--data-dir", "rel/folder"],
    ["--startup-probe", "--probe-typing-s", "0.2", "--lang", "en"],
    ["--probe-typing-s=3"],
]

NOT_PLAIN = [
    ["--password-stdin", "people", "search", "x"],  # a command
    ["people", "search", "x", "--password-stdin"],
    ["--password-stdin", "--demo"],
    ["--demo"],
    ["--password-stdin", "--screenshot", "out.png"],
    ["--screenshot=out.png"],
    ["--pass", "--data-dir", "/tmp/x"],  # an abbreviation argparse accepts
    ["--password-stdin", "--acc", "anna"],
    ["--password-stdin", "--account"],  # a value missing
    ["--password-stdin", "--account", "--lang", "de"],
    ["--password-stdin", "--data-dir="],
    ["--password-stdin", "--lang", "fr"],  # argparse refuses it: so does the scan
    ["--probe-typing-s", "soon"],
    ["--password-stdin=yes"],
    ["--password-stdin", "--", "--data-dir", "x"],
    ["-h", "--password-stdin"],
    ["--help"],
    ["--version"],
]


@pytest.mark.parametrize("argv", PLAIN)
def test_a_plain_window_start_is_read_as_argparse_reads_it(argv: list[str]) -> None:
    plain = plain_window_start(argv)
    args = cli.parse(argv)
    assert plain is not None
    assert args.command is None and not args.demo and not args.screenshot
    assert vars(plain) == vars(args)


@pytest.mark.parametrize("argv", NOT_PLAIN)
def test_anything_else_is_left_to_argparse(argv: list[str]) -> None:
    assert plain_window_start(argv) is None


def test_a_relative_folder_stays_as_given() -> None:
    plain = plain_window_start(["--data-dir", "rel", "--password-stdin"])
    assert plain is not None and plain.data_dir == Path("rel") and plain.account is None


def test_the_scan_knows_the_languages_the_program_has() -> None:
    """The scan reads translations/languages.toml as text: it finds each language the
    registry's parser finds, and no other."""
    from desktop_app import app
    from desktop_app.i18n.text import LANGUAGES

    assert all(app._registered(code) for code in LANGUAGES)
    assert not any(app._registered(code) for code in ("tr", "xx", "DE", "d", "de\n"))
    for code in LANGUAGES:
        plain = plain_window_start(["--lang", code])
        assert plain is not None and plain.lang == code
    assert plain_window_start(["--lang", "tr"]) is None  # argparse says it is no choice


# A fresh interpreter unlocks a slot as a window start does: noted when the derivation begins,
# whether AES-GCM (cryptography, some milliseconds) was loaded first.
_UNLOCK_NOTING = """
import sys
from pathlib import Path
from desktop_app.storage import keyslots

derive = keyslots._derive

def noting(*args, **kwargs):
    print("cryptography loaded at the derivation:", "cryptography" in sys.modules)
    return derive(*args, **kwargs)

keyslots._derive = noting
key = keyslots.KeySlotFile(Path(sys.argv[1])).unlock("anna", "pw")
print("unlocked", key.hex())
"""


def test_the_derivation_begins_before_aes_gcm_loads(tmp_path: Path) -> None:
    """At start-up the unlock's worker derives the key while the main thread loads AES-GCM
    (``keyslots.load_cipher``): the derivation waited for it before."""
    import subprocess
    import sys

    from desktop_app.paths import project_root
    from desktop_app.storage.keyslots import KdfParams, KeySlotFile, new_database_key

    key = new_database_key()
    KeySlotFile(tmp_path / "k.json").create(key, "anna", "pw", KdfParams(1, 8, 1))
    done = subprocess.run(
        [sys.executable, "-c", _UNLOCK_NOTING, str(tmp_path / "k.json")],
        capture_output=True,
        text=True,
        check=True,
        cwd=project_root(),
    )
    assert done.stdout.splitlines() == [
        "cryptography loaded at the derivation: False",
        f"unlocked {key.hex()}",
    ]


def test_the_probe_times_from_the_benchmarks_spawn_when_told(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """bench/startup.py hands its clock's reading at the spawn; without it, the kernel's start
    time (ticks of 10 ms) is read as before."""
    import time

    from desktop_app import app

    monkeypatch.setenv(app.PROBE_T0_VARIABLE, repr(time.perf_counter() - 7.25))
    assert 7.25 <= app._seconds_since_start() < 3600
    monkeypatch.delenv(app.PROBE_T0_VARIABLE)
    assert app._seconds_since_start() > 0  # this test process started before this test


# A fresh interpreter starts the unlock of a window start (``app.EarlyUnlock``); its worker
# notes the interpreter's switch interval when the derivation begins.
_EARLY_UNLOCK_NOTING = """
import sys
from desktop_app import app
from desktop_app.storage import keyslots

class Noted(Exception):
    pass

def noting(*args, **kwargs):
    print("switch interval at the derivation:", round(sys.getswitchinterval(), 6))
    raise Noted

keyslots._derive = noting
args = app.plain_window_start(["--data-dir", sys.argv[1], "--account", "anna", "--password-stdin"])
try:
    app.EarlyUnlock.start(args).result()
except Noted:
    print("derivation reached")
"""


def test_the_unlocks_worker_gets_the_interpreter_back_at_once(tmp_path: Path) -> None:
    """Before the derivation the worker reads the password and the key slots while the main
    thread loads modules: at Python's 5 ms switch interval each of its turns waited that long
    (the derivation began 7 ms late, median). The UI's interval (1 ms) follows with Qt."""
    import subprocess
    import sys

    from desktop_app.app import UNLOCK_SWITCH_INTERVAL_S
    from desktop_app.paths import project_root
    from desktop_app.storage.keyslots import KdfParams, KeySlotFile, new_database_key

    KeySlotFile(tmp_path / "keyslots.json").create(new_database_key(), "anna", "pw", KdfParams())
    done = subprocess.run(
        [sys.executable, "-c", _EARLY_UNLOCK_NOTING, str(tmp_path)],
        input="pw\n",
        capture_output=True,
        text=True,
        check=True,
        cwd=project_root(),
    )
    assert done.stdout.splitlines() == [
        f"switch interval at the derivation: {UNLOCK_SWITCH_INTERVAL_S}",
        "derivation reached",
    ]
    assert UNLOCK_SWITCH_INTERVAL_S <= 0.0001 < sys.getswitchinterval()
