"""The status bar after a sync brought the merge of the open entry from another laptop, at
1366 and 1280 px in each language: the message of the merge and the sync status beside it are
both readable. The message was the whole sentence ("Mit diesem Eintrag zusammengeführt: …, auf
einem anderen Laptop, von 3fa2c1d0 (Beratung, Outreach Hbf)"), cut off at 1280 px, and it
took its room before the sync status's whole line."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import QPoint
from pytestqt.qtbot import QtBot

from desktop_app.domain.person import PersonDraft
from desktop_app.i18n.text import _, set_language
from desktop_app.ui.main_window import merged_here_short
from desktop_app.ui.status_bar import StatusBar
from desktop_app.ui.sync_status import SEPARATOR, StatusLabel, SyncController
from desktop_app.usecases import merges, people
from desktop_app.usecases import sync as sync_uc
from desktop_app.usecases.accounts import Session
from tests.ui.conftest import shown_window, tooltip_at
from tests.ui.test_status_bar_ui import (
    LAST_SYNC,
    MERGED,
    _clock,
    _fits,
    _laid_out,
    _shown,
    _side_by_side,
)


def _short_line(status: StatusLabel) -> str:
    """The sync status's line with its shorter forms."""
    return SEPARATOR.join(status._short)


@pytest.mark.parametrize("lang", ["de", "bg", "ro", "en"])
def test_the_merge_message_and_the_sync_status_are_both_readable_at_1366_and_1280_pixels(
    qtbot: QtBot, session: Session, program_font: None, lang: str, shots: Path
) -> None:
    from desktop_app.sync.http_client import Offline

    given, family = MERGED.split(" ")
    one = people.register_person(session.store, session.user, PersonDraft(given, family)).id
    two = people.register_person(session.store, session.user, PersonDraft(given, family)).id
    kept, gone = merges.kept_and_merged(one, two)
    set_language(lang)
    try:
        window = shown_window(qtbot, session, 1366)
        controller: SyncController = window.sync  # type: ignore[attr-defined]
        status, user = controller.label, window.status_user
        qtbot.waitUntil(lambda: status.text() != "", timeout=30_000)
        controller.reached = True
        online = sync_uc.SyncStatus(True, "https://x", True, 3, _clock(LAST_SYNC), 0)
        controller.show_status(online)
        shown_before = people.get_person(session.store, session.user, gone, log_view=False)
        assert shown_before is not None
        merges.merge_people(session.store, session.user, kept, gone)  # as a sync brings it
        window._show_kept_or_erased(shown_before)
        bar = window.statusBar()
        assert isinstance(bar, StatusBar)
        short = merged_here_short(MERGED)
        whole = _("Merged into this entry: {name}, on another laptop, by {user}").format(
            name=MERGED, user=session.user.display_name
        )
        assert short != whole
        # The line says what happened and to whom; who merged, in its tooltip and for a
        # screen reader.
        assert bar.currentMessage() == short
        assert bar.accessibleDescription() == whole

        def both_readable(width: int, state: str) -> None:
            window.resize(width, 700)
            _laid_out(window)
            assert window.width() == width
            _side_by_side(window)
            context = (lang, width, state)
            # the sync status's whole line, or its shorter forms whole (the changes kept
            # here without "sent when online"), never "Offl… · …" nor "… ·…"
            line = _shown(status)
            assert _fits(status, line) and "…" not in line, (context, line)
            assert line in (status.text(), _short_line(status)), (context, line)
            # the message whole
            assert bar.shown_message() == short, (context, bar.shown_message())
            inside = QPoint(bar.message_rect().left() + 4, bar.height() // 2)
            assert bar.tooltip_at(inside) == whole, context
            assert tooltip_at(bar, inside) == whole, context
            # who is logged in beside them, at least the first letters of the name
            named = _shown(user)
            assert user.width() > 0 and _fits(user, named), (context, named)
            assert len(named.rstrip("…")) >= 8, (context, named)
            bar.grab().save(str(shots / f"statusbar-merged-{state}-{lang}-{width}.png"))

        for width in (1366, 1280):
            both_readable(width, "online")
        # Offline, the sync status's line is longer (when it last tried; the changes kept
        # here, sent when online).
        with qtbot.waitSignal(controller.sync_finished, timeout=30_000):
            controller._on_sync_done(Offline("no route"))
        controller.show_status(online)
        assert status.text().startswith(_("Offline"))
        bar.show_message(short, 0, whole)  # as before the sync's message came
        for width in (1366, 1280):
            both_readable(width, "offline")
        # Another message: its own tooltip, not the merge's whole
        bar.showMessage(_("Letter printed."))
        assert bar.accessibleDescription() == _("Letter printed.")
        inside = QPoint(bar.message_rect().left() + 4, bar.height() // 2)
        assert bar.tooltip_at(inside) == ""
        window.close()
    finally:
        set_language("en")
