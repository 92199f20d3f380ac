"""The laptops dialog (File → Laptops of the organisation) as high as the laptops it lists:
every one in view up to a dozen lines, and no empty room under a short list."""

from __future__ import annotations

import datetime as dt
import os
from pathlib import Path

import pytest
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot
from sqlalchemy import update
from sqlalchemy.orm import Session as DbSession

from desktop_app.ui.sync_status import DevicesDialog, SyncController
from sync_server import models
from tests.integration.sync_harness import Laptops, ServerProcess, add_impostor
from tests.ui.conftest import shown_window


@pytest.mark.parametrize("count", [2, 4, 12])
def test_the_laptops_dialog_fits_its_laptops_without_a_gap(
    qtbot: QtBot, server: ServerProcess, laptops: Laptops, count: int, tmp_path: Path
) -> None:
    """With two or four laptops it left half a list of empty room under them (a list's own
    size hint, some 190 px); it is as high as its lines, up to a dozen, and the dialog as high
    as what it holds."""
    a = laptops.new("A")
    others = [add_impostor(server, f"Laptop {n}") for n in range(2, count + 1)]
    # Laptops that synced yesterday: their line says when, on a second line.
    seen = dt.datetime.now(dt.UTC) - dt.timedelta(days=1)
    with DbSession(server.engine) as s, s.begin():
        s.execute(
            update(models.Device)
            .where(models.Device.id.in_([o.device_id for o in others[: count // 2]]))
            .values(last_seen_at=seen)
        )
    window = shown_window(qtbot, a)
    controller: SyncController = window.sync  # type: ignore[attr-defined]
    dialog = DevicesDialog(controller, window)
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitUntil(lambda: not dialog.busy and dialog.list.count() == count, timeout=10_000)
    QApplication.processEvents()  # the layout after the listing
    shot = os.environ.get("WELCOME_DESK_SHOTS")
    dialog.grab().save(str(Path(shot or tmp_path) / f"laptops-{count}.png"))

    listed = dialog.list
    rows = sum(listed.sizeHintForRow(i) for i in range(count))
    lines = sum(listed.item(i).text().count("\n") + 1 for i in range(count))
    frame = 2 * listed.frameWidth()
    if lines <= 12:
        # every laptop in view, and no room under the last one
        assert listed.viewport().height() == rows, (listed.viewport().height(), rows)
        assert listed.verticalScrollBar().maximum() == 0
    else:
        assert listed.height() == 12 * listed.fontMetrics().lineSpacing() + frame
    # the fingerprint field's label right under the list, the dialog no higher than it needs
    layout = dialog.layout()
    assert layout is not None
    spacing = layout.spacing()
    assert dialog.fingerprint_label.y() - listed.geometry().bottom() - 1 <= spacing + 1
    assert dialog.height() == dialog.sizeHint().height()
    window.close()
