"""Cold start to an interactive main window with 100,000 people, against a bare Qt window.

Budget (quality.md): <= 1.5 s and <= 2.5 x (python + import PySide6 + show an empty
QMainWindow), measured in the same run; memory with the list open <= 300 MB RSS.
Both sides are timed the same way: from the moment this script spawns the process (its
``time.perf_counter()`` just before, handed to the child in WELCOME_DESK_PROBE_T0: one clock
for all processes, to the microsecond) until the window has been shown and painted, as the
program itself reads it (``--startup-probe``). (Before, both read the kernel's start time of
the process, in ticks of 10 ms: a tick was 0.09 x of the ratio.)

Two ways in, both with the production Argon2id parameters (a deliberate cost that protects the
data: RFC 9106's second recommended option, t=3, 64 MiB, 4 lanes; its share is printed):
- ``--password-stdin``: the password is known at start; the key is unwrapped and the first
  page read while Qt loads. "Usable" = list scrolls and search answers (the store's full
  modules, person pages and registering follow in the background; printed too). This is the
  start-up budget: the whole cold start, key derivation included, against the bare window.
- the login prompt: what a user waits for = (start -> prompt usable) + (OK pressed -> list
  usable); the typing time in between (``--probe-typing-s``) is not counted, but the program
  may use it (it loads the store's and the window's modules and builds the window meanwhile).
  The key derivation cannot start before OK, so its wall time (about 0.1 s on two cores) is
  added in full, by design. Budgets: the prompt itself <= 2.5 x the bare window, the wait
  <= 1.5 s, and the machine's share of the wait (the wait without the derivation) <= 2.5 x;
  the plain ratio of the wait is printed beside them.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from _common import ACCOUNT, PASSWORD, ROOT, big_store, compiled_catalogs, median, report

from desktop_app.app import PROBE_T0_VARIABLE

BASELINE = (
    "from PySide6.QtWidgets import QApplication, QMainWindow\n"
    "from PySide6.QtCore import QTimer\n"
    "app = QApplication([]); w = QMainWindow(); w.resize(1100, 680); w.show()\n"
    "app.processEvents()\n"
    "import os, time\n"  # the same clock as desktop_app.app._seconds_since_start
    "shown = time.perf_counter() - float(os.environ['WELCOME_DESK_PROBE_T0'])\n"
    "print(f'shown_s={shown:.4f} cpu_s={time.process_time():.4f}')\n"
    "QTimer.singleShot(0, app.quit); app.exec()\n"
)
RUNS = 7
TYPING_S = 1.0  # a password typed in a second: the program may use it, the figure excludes it
PROBE = re.compile(r"(\w+)=([\d.-]+)")


def laptop_screen() -> str:
    """The offscreen platform with a laptop's screen, 1366 × 768: the program opens its window
    at its own size there, as the bare window does. (On the platform's own 800 px screen it
    opens maximised since 7 Dec, ``main_window.show_window``: smaller than the bare window.)"""
    screen = {"name": "laptop", "x": 0, "y": 0, "width": 1366, "height": 768}
    config = Path(tempfile.gettempdir()) / "welcome-desk-bench-screen.json"
    config.write_text(json.dumps({"screens": [{**screen, "logicalDpi": 96, "dpr": 1}]}))
    return f"offscreen:configfile={config}"


def timed(cmd: list[str], stdin: str | None = None) -> tuple[float, str]:
    env = {**os.environ, "QT_QPA_PLATFORM": laptop_screen()}
    env.pop("WELCOME_DESK_FAST_KDF", None)
    # An installed program runs from cached bytecode (pip compiles it; a first start writes it):
    # the warm-up run below caches ours, as PySide6's already is in site-packages.
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    t = time.perf_counter()
    env[PROBE_T0_VARIABLE] = repr(t)  # the child times itself from here
    done = subprocess.run(
        cmd, input=stdin, capture_output=True, text=True, env=env, cwd=ROOT, timeout=120, check=True
    )
    return time.perf_counter() - t, done.stdout


def kdf_seconds() -> float:
    from desktop_app.storage.keyslots import KdfParams, KeySlotFile, new_database_key

    os.environ.pop("WELCOME_DESK_FAST_KDF", None)
    slots = KeySlotFile(Path(tempfile.mkdtemp()) / "k.json")
    slots.create(new_database_key(), "a", "pw", KdfParams())
    times = []
    for _ in range(5):  # every core, as the login dialog after OK
        t = time.perf_counter()
        slots.unlock("a", "pw")
        times.append(time.perf_counter() - t)
    return median(times)


def probe(out: str) -> dict[str, float]:
    line = next(x for x in out.splitlines() if x.startswith("startup-probe"))
    return {k: float(v) for k, v in PROBE.findall(line)}


def production_slot(data: Path) -> None:
    """The bench account's slot with today's default parameters (rewrapped if it is older)."""
    from desktop_app.storage.keyslots import KdfParams, KeySlotFile

    slots = KeySlotFile(data / "keyslots.json")
    wanted = KdfParams()
    if slots.kdf_params(ACCOUNT) != wanted:
        slots.add(slots.unlock(ACCOUNT, PASSWORD), ACCOUNT, PASSWORD, wanted)


def main() -> int:
    compiled_catalogs()
    data = big_store()
    production_slot(data)
    common = [sys.executable, "-m", "desktop_app.app", "--data-dir", str(data)]
    common += ["--account", ACCOUNT, "--startup-probe", "--lang", "de"]
    stdin_cmd = [*common, "--password-stdin"]
    login_cmd = [*common, "--probe-typing-s", str(TYPING_S)]
    base_cmd = [sys.executable, "-c", BASELINE]
    timed(base_cmd)
    timed(stdin_cmd, PASSWORD + "\n")  # warm the OS file cache, as a second start of the day
    base, base_exit, base_cpu, runs, logins = [], [], [], [], []
    for _ in range(RUNS):
        seconds, out = timed(base_cmd)
        base_exit.append(seconds)
        shown = {k: float(v) for k, v in PROBE.findall(out)}
        base.append(shown["shown_s"])
        base_cpu.append(shown["cpu_s"])
        runs.append(probe(timed(stdin_cmd, PASSWORD + "\n")[1]))
        logins.append(probe(timed(login_cmd, PASSWORD + "\n")[1]))
    kdf = kdf_seconds()
    b = median(base)
    a = median([r["interactive_s"] for r in runs])
    prompt = median([r["prompt_s"] for r in logins])
    after_ok = median([r["interactive_s"] - r["submitted_s"] for r in logins])
    waited = median([r["prompt_s"] + r["interactive_s"] - r["submitted_s"] for r in logins])
    rows = int(runs[-1]["rows"])
    if not all(r.get("first_row") == 1 for r in runs + logins):
        print("a first paint showed no people: the figures would not mean a usable list")
        return 1
    rss_kb = max(int(r["peak_rss_kb"]) for r in runs + logins)
    print(f"rows in the list: {rows:,}; runs: {RUNS}; Argon2id unlock alone {kdf:.3f} s")
    print(
        f"baseline (python + import PySide6 + empty QMainWindow shown): median {b:.3f} s "
        f"(process start to exit {median(base_exit):.3f} s)"
    )
    print(
        f"--password-stdin: list and search usable after {a:.3f} s (median, process start to "
        f"first paint, incl. unlock and first page); store open (person pages, registering) "
        f"after {median([r['session_s'] for r in runs]):.3f} s; every feature menu after "
        f"{median([r['features_s'] for r in runs]):.3f} s"
    )
    print(
        "longest event-loop stall between first paint and installed features (a keystroke "
        f"waits this long at most): median {median([r['stall_s'] for r in runs]):.3f} s, "
        f"worst {max(r['stall_s'] for r in runs):.3f} s"
    )
    print(
        f"login prompt: usable after {prompt:.3f} s; OK pressed -> list usable {after_ok:.3f} s "
        f"(typing {TYPING_S:.1f} s not counted); waited {waited:.3f} s"
    )
    kdf_all = kdf  # after OK nothing else runs: every core derives, as in the dialog
    print(
        f"ratio {a / b:.2f}x (--password-stdin), {waited / b:.2f}x (login prompt, of which "
        f"the Argon2id derivation with every core {kdf_all:.3f} s); prompt {prompt / b:.2f}x"
    )
    main_cpu = median([r["main_cpu_s"] for r in runs])
    process_cpu = median([r["process_cpu_s"] for r in runs])
    print(
        f"CPU seconds until shown (hardly moved by other load; the window's path is the main "
        f"thread, the unlock runs beside it): baseline {median(base_cpu):.3f}; --password-stdin "
        f"main thread {main_cpu:.3f} ({main_cpu / median(base_cpu):.2f}x), whole process "
        f"{process_cpu:.3f}; load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores"
    )
    return report(
        [
            ("start to main window, --password-stdin (s)", a, "<= 1.5 s", a <= 1.5),
            ("ratio to bare Qt window, --password-stdin", a / b, "<= 2.5 x", a / b <= 2.5),
            (
                "login prompt usable, ratio to bare Qt window",
                prompt / b,
                "<= 2.5 x",
                prompt / b <= 2.5,
            ),
            ("waited at the login prompt (s)", waited, "<= 1.5 s", waited <= 1.5),
            (
                "login prompt wait without the derivation, ratio",
                (waited - kdf_all) / b,
                "<= 2.5 x",
                (waited - kdf_all) / b <= 2.5,
            ),
            ("peak RSS, list open (MB)", rss_kb / 1024, "<= 300 MB", rss_kb / 1024 <= 300),
        ]
    )


if __name__ == "__main__":
    sys.exit(main())
