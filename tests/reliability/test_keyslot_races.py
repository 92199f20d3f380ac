"""Two processes changing the key slot file at once (the app and the command line, two app
windows): each read-modify-write holds the file's lock, so no account's slot is lost, whether
the file starts in the current format or in version 1 (converted by whichever opens it first).
A login never waits for the lock, and a process killed holding it leaves it free."""

from __future__ import annotations

import json
import subprocess
import sys
import time
from pathlib import Path

import pytest

from desktop_app.storage.keyslots import KeySlotFile, _unb64, new_database_key
from tests.unit.security.test_keyslot_names import write_version_1

ADDS = 30  # accounts each process adds; bounded, so a lost slot is a count, never a hang
WAIT_S = 60.0  # a bound on waiting for a process, should it hang; nothing here measures time
ROOT = Path(__file__).resolve().parents[2]

# Each process adds its accounts one after another, as fast as the slot file lets it. Both
# wait at a start line (a file the test writes once both are ready), so their loops overlap.
ADDER = """
import sys, time
from pathlib import Path
from desktop_app.storage.keyslots import KeySlotFile
slots_path, prefix, key_hex, ready, go, wait_s, adds = sys.argv[1:8]
slots = KeySlotFile(Path(slots_path))
Path(ready).touch()
deadline = time.monotonic() + float(wait_s)
while not Path(go).exists():
    if time.monotonic() > deadline:
        sys.exit("no start signal")
    time.sleep(0.001)
for i in range(int(adds)):
    slots.add(bytes.fromhex(key_hex), f"{prefix}.{i}", f"password {prefix} {i}")
"""
# Takes the lock as a write does and keeps it until killed.
HOLDER = """
import sys, time
from pathlib import Path
from desktop_app.storage.keyslots import _FileLock
with _FileLock(Path(sys.argv[1])):
    Path(sys.argv[2]).touch()
    time.sleep(3600)
"""
LOGIN = """
import sys
from pathlib import Path
from desktop_app.storage.keyslots import KeySlotFile
key = KeySlotFile(Path(sys.argv[1])).unlock(sys.argv[2], sys.argv[3])
assert key == bytes.fromhex(sys.argv[4])
"""
ADD_ONE = """
import sys
from pathlib import Path
from desktop_app.storage.keyslots import KeySlotFile
KeySlotFile(Path(sys.argv[1])).add(bytes.fromhex(sys.argv[4]), sys.argv[2], sys.argv[3])
"""


def start(script: str, *args: object) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-c", script, *map(str, args)],
        cwd=ROOT,
        stderr=subprocess.PIPE,
        text=True,
    )


def run(script: str, *args: object) -> None:
    """``script`` in a process of its own, to its end (bounded, should it wait forever)."""
    proc = start(script, *args)
    _, err = proc.communicate(timeout=WAIT_S * 2)
    assert proc.returncode == 0, err


def wait_for(path: Path, procs: list[subprocess.Popen[str]]) -> None:
    """Until ``path`` exists, or one of ``procs`` has ended, or ``WAIT_S`` is over."""
    deadline = time.monotonic() + WAIT_S
    while not path.exists() and time.monotonic() < deadline:
        if any(p.poll() is not None for p in procs):
            return
        time.sleep(0.01)


def race(tmp_path: Path, slots: KeySlotFile, key: bytes) -> None:
    """Two processes each add ``ADDS`` accounts to ``slots`` at the same time."""
    go = tmp_path / "go"
    procs = {
        prefix: start(ADDER, slots.path, prefix, key.hex(), tmp_path / prefix, go, WAIT_S, ADDS)
        for prefix in ("app", "cli")
    }
    for prefix in procs:
        wait_for(tmp_path / prefix, list(procs.values()))
    go.touch()
    for proc in procs.values():
        _, err = proc.communicate(timeout=WAIT_S * 2)
        assert proc.returncode == 0, err


@pytest.mark.parametrize("version", [2, 1])
def test_two_processes_adding_accounts_at_once_keep_every_slot(
    tmp_path: Path, version: int
) -> None:
    key = new_database_key()
    slots = KeySlotFile(tmp_path / "data" / "keyslots.json")
    before = {"anna": "anna's password 1", "boris": "boris' password 2"}
    if version == 1:
        slots.path.parent.mkdir()
        write_version_1(slots.path, key, before)
    else:
        slots.create(key, "anna", before["anna"])
        slots.add(key, "boris", before["boris"])

    race(tmp_path, slots, key)

    data = json.loads(slots.path.read_bytes())
    assert data["version"] == 2
    assert slots.account_count() == len(before) + 2 * ADDS
    assert len({s["id"] for s in data["slots"]}) == len(data["slots"])
    _unb64(data["lookup_key"])
    passwords = dict(before)
    for prefix in ("app", "cli"):
        passwords |= {f"{prefix}.{i}": f"password {prefix} {i}" for i in range(ADDS)}
    for account, password in passwords.items():
        assert slots.unlock(account, password) == key, account
    assert not (slots.path.parent / "keyslots.tmp").exists()


def test_a_login_never_waits_for_the_lock_and_a_killed_holder_blocks_no_one(
    tmp_path: Path,
) -> None:
    """While another process holds the lock a login goes on; once that process is killed in
    the middle of a write, the next account is added and every account logs in."""
    key = new_database_key()
    slots = KeySlotFile(tmp_path / "data" / "keyslots.json")
    slots.create(key, "anna", "anna's password 1")
    held = tmp_path / "held"
    holder = start(HOLDER, slots.path.with_suffix(".lock"), held)
    try:
        wait_for(held, [holder])
        assert held.exists()
        run(LOGIN, slots.path, "anna", "anna's password 1", key.hex())
    finally:
        holder.kill()
        holder.communicate(timeout=WAIT_S)
    run(ADD_ONE, slots.path, "boris", "boris' password 2", key.hex())
    assert slots.unlock("anna", "anna's password 1") == key
    assert slots.unlock("boris", "boris' password 2") == key
