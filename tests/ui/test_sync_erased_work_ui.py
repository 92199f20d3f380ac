"""What a helper sees after a sync in which a coordinator's erasure (at the person's request)
removed the helper's unsent visit and edit of that person: how many changes, never the name."""

from __future__ import annotations

import os
from dataclasses import replace
from functools import partial
from pathlib import Path

import pytest
from PySide6.QtWidgets import QLabel
from pytestqt.qtbot import QtBot

from desktop_app.i18n.text import _, set_language
from desktop_app.ui.sync_status import SyncController
from desktop_app.usecases.accounts import Session
from tests.integration.sync_harness import Laptops
from tests.integration.test_sync_erased_offline_work import visit_and_edit_of_an_erased_person
from tests.ui.conftest import shown_window

SHOTS = os.environ.get("WELCOME_DESK_SHOTS")

# The status bar's few words and the tooltip's sentence, for two changes.
SAID = {
    "ro": (
        "2 modificări eliminate (ștergere la cerere)",
        "1 persoană a fost ștearsă la cererea sa pe alt laptop. 2 modificări făcute pe acest "
        "laptop privind datele șterse au fost eliminate și aici.",
    ),
    "bg": (
        "2 промени премахнати (изтриване по искане)",
        "1 лице беше изтрито по негово искане на друг лаптоп. 2 промени на този лаптоп, "
        "засягащи изтритите данни, бяха премахнати и тук.",
    ),
}


@pytest.mark.parametrize("lang", sorted(SAID))
def test_the_helper_learns_how_many_changes_an_erasure_removed_without_the_name(
    qtbot: QtBot, laptops: Laptops, lang: str
) -> None:
    helper = visit_and_edit_of_an_erased_person(laptops)
    set_language(lang)
    try:
        window = shown_window(qtbot, helper, 1366)
        controller: SyncController = window.sync  # type: ignore[attr-defined]
        with qtbot.waitSignal(controller.sync_finished, timeout=30_000):
            controller.start()
        short, whole = SAID[lang]
        qtbot.waitUntil(lambda: short in controller.label.text(), timeout=30_000)
        assert whole in controller.label.toolTip()
        shown = controller.label.text() + controller.label.toolTip()
        assert "Popescu" not in shown and "Maria" not in shown
        qtbot.waitUntil(lambda: controller.label.width() >= controller.label.sizeHint().width())
        window.grab().save(str(Path(SHOTS or "/tmp") / f"erasedwork-status-{lang}.png"))
        # Said once: the count stays while the window is open, and a later sync adds nothing.
        with qtbot.waitSignal(controller.sync_finished, timeout=30_000):
            controller.start()
        qtbot.waitUntil(lambda: short in controller.label.text(), timeout=30_000)
    finally:
        set_language("en")


def _has_text(label: QLabel) -> bool:
    return label.text() != ""


@pytest.mark.parametrize("lang", ["de", "bg", "ro", "en"])
def test_the_removed_changes_note_stays_whole_beside_the_counts_at_1280_and_1100_pixels(
    qtbot: QtBot, session: Session, program_font: None, lang: str, tmp_path: Path
) -> None:
    """Checked at 1366 px only, the note ("2 Änderungen entfernt (Person auf Wunsch
    gelösc…") was cut off at 1280 px offline, and beside conflicts at 1100 px in Bulgarian.
    Beside the conflicts, the last sync and the changes to send it is whole at 1280 px online
    and offline, at 1100 px online and offline without conflicts; what gives up its room is
    who is logged in, then the state's words, as for the rest of the line."""
    from desktop_app.i18n.messages import erased_work_short
    from desktop_app.ui.sync_status import last_sync_time
    from desktop_app.usecases import sync as sync_uc
    from tests.ui.test_status_bar_ui import LAST_SYNC, _clock, _laid_out, _shown, _side_by_side

    set_language(lang)
    try:
        joined = sync_uc.SyncStatus(True, "https://x", True, 3, _clock(LAST_SYNC), 0)
        note = erased_work_short(2)
        last = _("last sync {time}").format(time=last_sync_time(LAST_SYNC.timestamp()))
        for width, offline, conflicts in (
            (1280, False, 2),
            (1280, True, 2),
            (1100, False, 2),
            (1100, True, 0),
        ):
            window = shown_window(qtbot, session, width)
            controller: SyncController = window.sync  # type: ignore[attr-defined]
            status = controller.label
            qtbot.waitUntil(partial(_has_text, status), timeout=30_000)
            controller.erased_work, controller.erased_people = 2, 1
            controller.reached = not offline
            controller.offline = offline
            controller.last_error = _("Offline") if offline else ""
            controller.show_status(replace(joined, open_conflicts=conflicts))
            _laid_out(window)
            _side_by_side(window)
            shown = _shown(status)
            assert shown.endswith(f" · {note}"), (width, offline, shown)
            assert f" · {last} · " in shown, (width, offline, shown)
            if not status.elided():
                assert shown == status.text()
            else:  # the state's words gave their room up, the rest is whole
                assert shown.split(" · ")[0].endswith("…"), shown
                assert status.tip().startswith(status.text())
            name = f"{width}-{'offline' if offline else 'online'}-{lang}"
            window.grab().save(str(Path(SHOTS or tmp_path) / f"erasedwork-fit-{name}.png"))
            window.close()
    finally:
        set_language("en")
