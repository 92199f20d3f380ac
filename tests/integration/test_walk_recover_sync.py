"""The bad days' walk where no window is involved (``tests/ui/test_walk_recover_ui.py`` has the
rest): a laptop killed (SIGKILL) in the middle of a sync's pull, with a real server on
127.0.0.1; after the restart and the next sync nothing is lost and nothing doubled."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from collections import Counter
from pathlib import Path

from desktop_app.domain.person import PersonDraft
from desktop_app.usecases import accounts, people
from desktop_app.usecases import sync as sync_uc
from tests.integration.sync_harness import (
    PASSWORD,
    ROOT,
    START_TIMEOUT,
    CuttingProxy,
    Laptops,
    ServerProcess,
    add_people,
    assert_converged,
)

OFFICE_PEOPLE = 1200  # three pages of a pull


def _given_names(session: accounts.Session) -> Counter[str]:
    with session.store.reading() as s:
        rows = s.connection().exec_driver_sql("SELECT given_name FROM people").all()
    return Counter(r[0] for r in rows)


def test_a_laptop_killed_while_it_pulls_loses_nothing_and_doubles_nothing(
    server: ServerProcess, tmp_path: Path
) -> None:
    proxy = CuttingProxy(server.base_url)
    laptops = Laptops(server, tmp_path, url=proxy.url)
    try:
        office = laptops.new("office")
        victim = laptops.new("victim")
        people.register_many(
            office.store,
            office.user,
            [
                PersonDraft(f"Maria{i}", "Popescu", phone=f"0176 {i:07d}")
                for i in range(OFFICE_PEOPLE)
            ],
        )
        laptops.sync(office)
        (own,) = add_people(victim, "Ștefan")  # the victim's own, not sent yet
        victim.close()
        laptops.sessions.remove(victim)
        data_dir = tmp_path / "victim"

        # ``welcome-desk sync`` as a scheduled task runs it; killed while its pull waits for
        # the second page (the first one on its way into the store).
        proxy.hold_when = lambda method, path: (
            method == "GET" and path.startswith("/v1/envelopes") and "after=0&" not in path
        )
        argv = ["sync", "--data-dir", str(data_dir), "--password-stdin", "--lang", "ro"]
        with (tmp_path / "sync.err").open("w") as err:
            proc = subprocess.Popen(
                [sys.executable, "-m", "desktop_app.app", *argv],
                cwd=ROOT,
                stdin=subprocess.PIPE,
                stdout=subprocess.DEVNULL,
                stderr=err,
                text=True,
                env={**os.environ, "WELCOME_DESK_FAST_KDF": "1"},
            )
        try:
            assert proc.stdin is not None
            proc.stdin.write(PASSWORD + "\n")
            proc.stdin.close()
            assert proxy.held.wait(START_TIMEOUT), (
                proxy.forwarded,
                (tmp_path / "sync.err").read_text(),
            )
            os.kill(proc.pid, signal.SIGKILL)
            assert proc.wait(START_TIMEOUT) == -signal.SIGKILL
        finally:
            if proc.poll() is None:
                proc.kill()
                proc.wait()
            proxy.hold_when = lambda _method, _path: False
            proxy.let_through()

        # The program started again: the store intact, every page kept whole or not at all.
        again = accounts.log_in(data_dir, "anna", PASSWORD)
        laptops.sessions.append(again)
        assert again.store.integrity_ok()
        held = _given_names(again)
        assert held["Ștefan"] == 1 and max(held.values()) == 1
        assert len(held) - 1 in (0, 500, 1000)  # whole pages, or none
        # The next sync: everything there once, nothing waiting to be sent.
        laptops.sync(again, office)
        held = _given_names(again)
        assert len(held) == OFFICE_PEOPLE + 1 and max(held.values()) == 1
        assert _given_names(office) == held
        assert people.get_person(office.store, office.user, own, log_view=False) is not None
        assert sync_uc.status(again.store).pending_changes == 0
        assert_converged(server, again, office)
    finally:
        laptops.close()
        proxy.close()
