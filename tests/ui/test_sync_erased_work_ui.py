"""What a helper sees after a sync in which a coordinator's erasure (at the person's request)
removed the helper's unsent visit and edit of that person: how many changes, never the name."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from pytestqt.qtbot import QtBot

from desktop_app.i18n.text import set_language
from desktop_app.ui.sync_status import SyncController
from tests.integration.sync_harness import Laptops
from tests.integration.test_sync_erased_offline_work import visit_and_edit_of_an_erased_person
from tests.ui.conftest import shown_window

SHOTS = os.environ.get("WELCOME_DESK_SHOTS")

# The status bar's few words and the tooltip's sentence, for two changes.
SAID = {
    "ro": (
        "2 modificări eliminate (persoană ștearsă la cerere)",
        "2 modificări făcute pe acest laptop priveau o persoană ștearsă la cererea sa pe alt "
        "laptop; au fost eliminate și aici.",
    ),
    "bg": (
        "2 промени премахнати (лицето е изтрито по негово искане)",
        "2 промени, направени на този лаптоп, засягаха лице, изтрито по негово искане на друг "
        "лаптоп; те бяха премахнати и тук.",
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
        qtbot.waitUntil(lambda: short in controller.label.text(), timeout=5000)
        assert whole in controller.label.toolTip()
        shown = controller.label.text() + controller.label.toolTip()
        assert "Popescu" not in shown and "Maria" not in shown
        qtbot.waitUntil(lambda: controller.label.width() >= controller.label.sizeHint().width())
        window.grab().save(str(Path(SHOTS or "/tmp") / f"erasedwork-status-{lang}.png"))
        # Said once: the count stays while the window is open, and a later sync adds nothing.
        with qtbot.waitSignal(controller.sync_finished, timeout=30_000):
            controller.start()
        qtbot.waitUntil(lambda: short in controller.label.text(), timeout=5000)
    finally:
        set_language("en")
