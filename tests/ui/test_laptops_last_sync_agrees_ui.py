"""The Laptops dialog and the server's ``welcome-desk-server devices`` say the same last sync of
a laptop: the later of its last request (noted to the half minute) and its last pull that
handed it records (noted at once), whichever came later. A real server on 127.0.0.1, real
laptops, the times as the server's database holds them (set minutes apart)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from pytestqt.qtbot import QtBot

from desktop_app.domain.users import Role
from desktop_app.i18n.text import set_language
from desktop_app.ui.sync_status import last_sync_time
from tests.integration.sync_harness import Laptops, ServerProcess, device_id, run_cli
from tests.integration.test_server_devices_cli import times_apart
from tests.ui.conftest import shown_window
from tests.ui.laptops_dialog import open_laptops


def _cli_last_sync(db_url: str, device: str) -> dt.datetime:
    lines = run_cli(db_url, "devices").stdout.splitlines()
    at = lines[0].index("LAST SYNC (UTC)")
    (line,) = [x for x in lines if x.startswith(device)]
    shown = line[at : at + len("2026-03-04 10:47")]
    return dt.datetime.strptime(shown, "%Y-%m-%d %H:%M").replace(tzinfo=dt.UTC)


def test_the_dialog_and_the_server_list_say_the_same_last_sync(
    qtbot: QtBot, server: ServerProcess, laptops: Laptops, shots: Path
) -> None:
    office = laptops.new("Büro")
    harbour = laptops.new("Hafen", role=Role.HELPER)  # last request after its last pull
    outreach = laptops.new("Outreach", role=Role.ADVISOR)  # last pull after its last request
    laptops.sync()
    day = times_apart(server, request_later=device_id(harbour), pull_later=device_id(outreach))
    assert _cli_last_sync(server.db_url, device_id(harbour)) == day.replace(hour=10, minute=47)
    assert _cli_last_sync(server.db_url, device_id(outreach)) == day.replace(hour=9, minute=30)
    set_language("en")
    window = shown_window(qtbot, office)
    dialog = open_laptops(qtbot, window, 3)
    lines = {
        dialog.list.item(i).text().split(" · ")[0]: dialog.list.item(i).text()
        for i in range(dialog.list.count())
    }
    for laptop, name in ((harbour, "Hafen"), (outreach, "Outreach")):
        when = _cli_last_sync(server.db_url, device_id(laptop))
        assert f"Last sync {last_sync_time(when.timestamp())}" in lines[name], lines[name]
    dialog.grab().save(str(shots / "laptops-last-sync-en.png"))
    dialog.close()
    window.close()
