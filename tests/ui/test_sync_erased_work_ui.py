"""What a helper sees after a sync in which a coordinator's erasure (at the person's request)
removed the helper's unsent visit and edit of that person: how many changes, never the name."""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Iterator
from dataclasses import replace
from functools import partial
from pathlib import Path

import pytest
from PySide6.QtWidgets import QLabel
from pytestqt.qtbot import QtBot

from desktop_app.i18n.formatting import format_number
from desktop_app.i18n.text import _, ngettext, set_language
from desktop_app.ui.sync_status import SyncController
from desktop_app.usecases.accounts import Session, create_first_account
from tests.conftest import PASSWORD
from tests.integration.sync_harness import Laptops
from tests.integration.test_sync_erased_offline_work import visit_and_edit_of_an_erased_person
from tests.ui.conftest import shown_window
from tests.ui.test_status_bar_ui import _fits

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
    and offline, at 1100 px online and offline, with conflicts or without; what gives up its
    room is who is logged in, then the state's words, then the words saying when the changes
    kept here are sent (the tooltip says it), as for the rest of the line."""
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
            (1100, True, 2),
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
            else:  # the changes kept here in fewer words, or the state's, the rest is whole
                kept = _kept_here_short(3)
                assert f" · {kept} · " in shown or shown.split(" · ")[0].endswith("…"), shown
                assert status.tip().startswith(status.text())
            name = f"{width}-{'offline' if offline else 'online'}-{conflicts}-{lang}"
            window.grab().save(str(Path(SHOTS or tmp_path) / f"erasedwork-fit-{name}.png"))
            window.close()
    finally:
        set_language("en")


def _kept_here_short(count: int) -> str:
    return ngettext(
        "{count} change kept on this laptop", "{count} changes kept on this laptop", count
    ).format(count=format_number(count))


# A long name, as a Romanian colleague's may be; the last sync in September, the widest month
# ("28. Sept., 23:58").
LONG_NAME = "Maria-Magdalena Constantinescu"
SEPTEMBER = dt.datetime(2025, 9, 28, 23, 58)


@pytest.fixture
def long_named(data_dir: Path) -> Iterator[Session]:
    session = create_first_account(data_dir, "maria", LONG_NAME, PASSWORD)
    yield session
    session.close()


@pytest.mark.parametrize("lang", ["de", "bg", "ro", "en"])
def test_offline_beside_conflicts_changes_and_a_long_name_the_note_is_whole_at_1100_pixels(
    qtbot: QtBot, long_named: Session, program_font: None, lang: str, tmp_path: Path
) -> None:
    """At 1100 px offline, beside 12 conflicts, the last sync and 345 changes kept here, the
    note's end was cut off in German, Bulgarian and Romanian ("2 Änderungen entfernt
    (Lösc…"). Now the changes kept here give up their "sent when online", which the tooltip
    says, and every part is whole, the state's word too; the tooltip has the whole line."""
    from desktop_app.i18n.formatting import format_time_of_day
    from desktop_app.i18n.messages import erased_work_message, erased_work_short
    from desktop_app.sync.http_client import Offline
    from desktop_app.ui.sync_status import _OFFLINE_NEXT, last_sync_time
    from desktop_app.usecases import sync as sync_uc
    from tests.ui.test_status_bar_ui import _clock, _kept_here, _laid_out, _shown, _side_by_side

    set_language(lang)
    try:
        window = shown_window(qtbot, long_named, 1100)
        controller: SyncController = window.sync  # type: ignore[attr-defined]
        status = controller.label
        qtbot.waitUntil(partial(_has_text, status), timeout=30_000)
        with qtbot.waitSignal(controller.sync_finished, timeout=30_000):
            controller._on_sync_done(Offline("no route"))
        controller.erased_work, controller.erased_people = 2, 1
        controller.show_status(
            sync_uc.SyncStatus(True, "https://x", True, 345, _clock(SEPTEMBER), 12)
        )
        _laid_out(window)
        _side_by_side(window)
        conflicts = ngettext(
            "{count} conflict to decide", "{count} conflicts to decide", 12
        ).format(count=12)
        tried = _("last tried {time}").format(time=controller.last_tried)
        head = f"{_('Offline')} · {conflicts} · {tried}"
        note = erased_work_short(2)
        assert status.text() == f"{head} · {_kept_here(345)} · {note}"
        shown = _shown(status)
        window.grab().save(str(Path(SHOTS or tmp_path) / f"erasedwork-long-1100-{lang}.png"))
        if lang == "en":  # it fits in its whole words
            assert not status.elided() and shown == status.text()
        else:
            assert shown == f"{head} · {_kept_here_short(345)} · {note}"
            assert _fits(status, shown), (status.contentsRect().width(), shown)
            tip = status.tip()
            assert tip.startswith(status.text() + "\n"), tip
            due = dt.datetime.fromtimestamp(controller.next_try_at or 0)
            then = _(_OFFLINE_NEXT).format(time=format_time_of_day(due))
            assert then in tip and erased_work_message(2, 1) in tip, tip
            last = _("Last successful sync: {time}.").format(
                time=last_sync_time(SEPTEMBER.timestamp())
            )
            assert last in tip, tip
        # Who is logged in got no room at all beside it in de, bg, ro; the line's shorter
        # forms leave the name's start now ("Maria-Mag…"), whole in its tooltip.
        user = window.status_user
        named = _shown(user)
        assert named.startswith("Maria-Mag") and named.endswith("…"), (lang, named)
        assert _fits(user, named) and user.tip().startswith(user.text())
        # Wider, the line is whole (its "sent when online" too) and the name has more room;
        # back at 1100 px the same again (the line's minimum follows the window's width).
        window.resize(1366, window.height())
        _laid_out(window)
        _side_by_side(window)
        assert not status.elided(), (status.width(), _shown(status))
        assert len(_shown(user).removesuffix("…")) > len(named.removesuffix("…"))
        window.resize(1100, window.height())
        _laid_out(window)
        _side_by_side(window)
        assert _shown(user) == named and _shown(status) == shown
        window.close()
    finally:
        set_language("en")
