"""The main window's status bar on a 1024 px laptop in each language: the sync's progress, its
last time and the changes to send stay in view whatever else it says; who is logged in, and
then the state's words, give their room up first."""

from __future__ import annotations

import datetime as dt
import itertools
import os
from dataclasses import replace
from pathlib import Path

import pytest
from PySide6.QtCore import QEvent, QPoint
from PySide6.QtWidgets import QApplication, QWidget
from pytestqt.qtbot import QtBot

from desktop_app.domain.clock_check import MINUTE_MS
from desktop_app.i18n.formatting import format_number
from desktop_app.i18n.messages import sync_message
from desktop_app.i18n.text import _, ngettext, set_language
from desktop_app.ui.main_window import MainWindow, merged_here_text
from desktop_app.ui.sync_status import SyncController, last_sync_time
from desktop_app.ui.widgets import ElidingLabel
from desktop_app.usecases import referrals as referrals_uc
from desktop_app.usecases import sync as sync_uc
from desktop_app.usecases.accounts import Session
from tests.ui.conftest import shown_window, tooltip_at, type_text

WIDTH = 1024  # the narrowest laptop screen the advisors use
PENDING = 12_345
CONFLICTS = 123
LAST_SYNC = dt.datetime.now().replace(hour=23, minute=58) - dt.timedelta(days=3)


def _clock(when: dt.datetime) -> str:
    return f"{int(when.timestamp() * 1000):013d}-00000-{'d' * 8}"


def _laid_out(window: MainWindow) -> None:
    for _round in range(3):  # the status bar lays out again once its widgets have
        QApplication.sendPostedEvents(None, QEvent.Type.LayoutRequest.value)
        QApplication.processEvents()


def _shown(label: ElidingLabel) -> str:
    """What the label shows (painted) in the width it was given."""
    return label.shown_text(label.contentsRect().width()) if label.elided() else label.text()


def _fits(label: ElidingLabel, text: str) -> bool:
    return label.fontMetrics().horizontalAdvance(text) <= label.contentsRect().width()


def _in_bar(widget: QWidget) -> bool:
    return widget.isVisible() and not widget.isWindow()


def _side_by_side(window: MainWindow) -> list[QWidget]:
    """The status bar's visible widgets, left to right: each inside it, none over another
    (a tooltip shown over it is a window of its own)."""
    bar = window.statusBar()
    shown = sorted(
        (w for w in bar.findChildren(QWidget) if w.parent() is bar and _in_bar(w)),
        key=lambda w: w.x(),
    )
    for left, right in itertools.pairwise(shown):
        assert left.geometry().right() < right.x(), (left, right)
    assert all(w.x() >= 0 and w.geometry().right() < bar.width() for w in shown), shown
    return shown


@pytest.mark.parametrize("lang", ["de", "bg", "ro", "en"])
def test_the_status_bar_keeps_progress_last_sync_and_changes_in_view_at_1024_pixels(
    qtbot: QtBot, session: Session, program_font: None, lang: str, tmp_path: Path
) -> None:
    set_language(lang)
    try:
        window = shown_window(qtbot, session, WIDTH)
        controller: SyncController = window.sync  # type: ignore[attr-defined]
        status, user = controller.label, window.status_user
        qtbot.waitUntil(lambda: status.text() != "", timeout=30_000)  # the window's own reading
        logged_in = _("Logged in: {name}").format(name=session.user.display_name)
        pending = ngettext("{count} change to send", "{count} changes to send", PENDING).format(
            count=format_number(PENDING)
        )
        last = _("last sync {time}").format(time=last_sync_time(LAST_SYNC.timestamp()))
        conflicts = ngettext(
            "{count} conflict to decide", "{count} conflicts to decide", CONFLICTS
        ).format(count=format_number(CONFLICTS))
        joined = sync_uc.SyncStatus(True, "https://x", True, PENDING, _clock(LAST_SYNC), 0)

        # Syncing: the progress bar and how far it is, whole, beside who is logged in.
        for phase, words in (
            ("push", _("Sending changes… {percent}%")),
            ("pull", _("Receiving changes… {percent}%")),
        ):
            controller.running = True
            controller.bar.show()
            controller._on_worker_progress(phase, 99, 100)
            _laid_out(window)
            widgets = _side_by_side(window)
            assert widgets.index(user) + 1 == widgets.index(controller.bar)
            assert widgets.index(controller.bar) + 1 == widgets.index(status)
            assert controller.bar.width() >= controller.bar.minimumSizeHint().width()
            assert not status.elided() and status.text() == words.format(percent=99)
            assert not user.elided() and user.text() == logged_in
            window.grab().save(str(tmp_path / f"status-{phase}-{lang}.png"))
        controller.running = False
        controller.bar.hide()

        # The longest lines of a working day: all of it shown, the name too.
        for name, error, reached, state in (
            ("offline", _("Offline"), False, joined),
            ("conflicts", "", True, replace(joined, open_conflicts=CONFLICTS)),
            ("offline-conflicts", _("Offline"), False, replace(joined, open_conflicts=CONFLICTS)),
        ):
            controller.last_error, controller.reached = error, reached
            controller.offline = error == _("Offline")
            controller.show_status(state)
            _laid_out(window)
            _side_by_side(window)
            text = status.text()
            ends = f"{last} · {_kept_here(PENDING) if controller.offline else pending}"
            assert text.endswith(ends), text
            assert (conflicts in text) == bool(state.open_conflicts)
            if controller.offline:
                # Longer (where the changes are, and that they go by themselves): at 1024 px
                # the name, then the state's words, give their room up; the counts stay whole.
                shown = _shown(status)
                assert _fits(status, shown) and shown.endswith(ends), (name, shown)
            else:
                assert not status.elided(), (name, text)
                assert not user.elided(), (name, status.width(), user.width())
            window.grab().save(str(tmp_path / f"status-{name}-{lang}.png"))
        controller.offline = False

        # Longer still (what went wrong in so many words, a wrong clock's note beside): the
        # name, then the state's words, give their room up; the counts stay whole.
        controller.clock.after_sync(-59 * MINUTE_MS)
        controller.clock.banner.hide_button.click()  # its short note in the status bar
        for name, error in (
            ("clock", ""),
            ("failed", _("Sync failed.")),
            ("approval", sync_message("not_approved")),
            ("confirmation", _("Waiting for confirmation")),
        ):
            controller.last_error, controller.reached = error, not error
            controller.show_status(replace(joined, open_conflicts=CONFLICTS))
            _laid_out(window)
            widgets = _side_by_side(window)
            assert widgets[0] is controller.clock.indicator
            indicator = controller.clock.indicator
            assert indicator.width() >= indicator.sizeHint().width()  # whole
            shown = _shown(status)
            assert _fits(status, shown), (name, shown)
            assert shown.endswith(f"{conflicts} · {last} · {pending}"), (name, shown)
            if status.elided():
                assert user.width() == 0, name  # the name went first
                assert shown.split(" · ")[0].endswith("…"), shown  # then the state's words
                assert status.tip().startswith(status.text())  # the whole line in the tooltip
            if user.elided() and user.width():
                # the name without "Logged in:", the whole of it in the tooltip
                assert session.user.display_name.startswith(_shown(user).rstrip("…"))
                assert tooltip_at(user, QPoint(2, user.height() // 2)) == logged_in
            window.grab().save(str(tmp_path / f"status-{name}-{lang}.png"))
        window.close()
    finally:
        set_language("en")


def _at_1280(qtbot: QtBot, session: Session) -> tuple[MainWindow, SyncController]:
    """The window on a 1280 × 720 laptop, its own first reading of the status shown."""
    window = shown_window(qtbot, session, 1280)
    window.resize(1280, 720)
    controller: SyncController = window.sync  # type: ignore[attr-defined]
    qtbot.waitUntil(lambda: controller.label.text() != "", timeout=30_000)
    return window, controller


def _kept_here(count: int) -> str:
    return ngettext(
        "{count} change kept on this laptop, sent when online",
        "{count} changes kept on this laptop, sent when online",
        count,
    ).format(count=format_number(count))


@pytest.mark.parametrize("lang", ["de", "bg", "ro", "en"])
def test_offline_the_changes_to_send_are_said_to_be_kept_here_and_fit_at_1280_pixels(
    qtbot: QtBot, session: Session, program_font: None, lang: str, tmp_path: Path
) -> None:
    """Offline it said "Offline · … · 3 changes to send": a student helper read "not sent" as
    "lost". The line itself says they are kept on this laptop and sent when online; on a
    1280 × 720 laptop all of it shows, and who is logged in beside it. Once a sync gets
    through to the server (or fails otherwise: the server answers with a fault, a kind of
    Offline in the sync's own terms), it says "to send" again."""
    from desktop_app.sync.http_client import Offline, ServerError

    set_language(lang)
    try:
        window, controller = _at_1280(qtbot, session)
        status, user = controller.label, window.status_user
        joined = sync_uc.SyncStatus(True, "https://x", True, 3, _clock(LAST_SYNC), 0)
        with qtbot.waitSignal(controller.sync_finished, timeout=30_000):
            controller._on_sync_done(Offline("no route"))  # as a sync without a network ends
        controller.show_status(joined)
        _laid_out(window)
        _side_by_side(window)
        # when it last tried on the line; the last sync that got through in the tooltip
        tried = _("last tried {time}").format(time=controller.last_tried)
        assert status.text() == f"{_('Offline')} · {tried} · {_kept_here(3)}"
        last = _("Last successful sync: {time}.").format(time=last_sync_time(LAST_SYNC.timestamp()))
        assert last in status.toolTip(), status.toolTip()
        to_send = ngettext("{count} change to send", "{count} changes to send", 3)
        assert to_send.format(count=3) not in status.text()
        assert not status.elided() and not user.elided(), (status.width(), user.width())
        assert user.text() == _("Logged in: {name}").format(name=session.user.display_name)
        window.grab().save(str(tmp_path / f"offline-1280-{lang}.png"))
        # nothing to send: nothing said to be kept
        controller.show_status(replace(joined, pending_changes=0))
        assert status.text().endswith(
            ngettext("{count} change to send", "{count} changes to send", 0).format(count=0)
        )
        with qtbot.waitSignal(controller.sync_finished, timeout=30_000):
            controller._on_sync_done(ServerError(503, "busy"))  # it answered: not offline
        controller.show_status(joined)
        assert status.text().endswith(to_send.format(count=3)), status.text()
        window.close()
    finally:
        set_language("en")


@pytest.mark.parametrize("lang", ["de", "bg", "ro", "en"])
def test_a_revoked_laptop_says_so_and_that_its_changes_wait_here_for_it_to_join_again(
    qtbot: QtBot, session: Session, program_font: None, lang: str, tmp_path: Path
) -> None:
    """A revoked laptop said "This laptop was revoked and no longer syncs. · join again (File
    menu) · … · 4 changes to send": they cannot be sent, and nothing said they were kept. Its
    line says it is revoked, and that its changes are kept on it until it joins again; on a
    1280 × 720 laptop all of it shows, and who is logged in beside it. The tooltip says how it
    comes back."""
    from desktop_app.i18n.messages import refusal_message

    set_language(lang)
    try:
        window, controller = _at_1280(qtbot, session)
        status, user = controller.label, window.status_user
        revoked = sync_uc.SyncStatus(
            True, "https://x", True, 4, _clock(LAST_SYNC), 0, refused="revoked"
        )
        controller.show_status(revoked)
        _laid_out(window)
        _side_by_side(window)
        last = _("last sync {time}").format(time=last_sync_time(LAST_SYNC.timestamp()))
        kept = ngettext(
            "{count} change kept on this laptop until it joins again (File menu)",
            "{count} changes kept on this laptop until it joins again (File menu)",
            4,
        ).format(count=4)
        assert status.text() == f"{_('This laptop is revoked')} · {last} · {kept}"
        assert not status.elided() and not user.elided(), (status.width(), user.width())
        tip = status.toolTip()
        assert tip.startswith(refusal_message("revoked")), tip
        assert _("&Join again…").replace("&", "") in tip, tip
        window.grab().save(str(tmp_path / f"revoked-1280-{lang}.png"))
        # nothing to send: where it joins again, as before
        controller.show_status(replace(revoked, pending_changes=0))
        assert status.text().endswith(
            f"{_('join again (File menu)')} · {last} · "
            + ngettext("{count} change to send", "{count} changes to send", 0).format(count=0)
        ), status.text()
        window.close()
    finally:
        set_language("en")


@pytest.mark.parametrize("lang", ["de", "bg", "ro", "en"])
def test_offline_with_conflicts_and_changes_the_line_is_whole_at_1100_pixels(
    qtbot: QtBot, session: Session, program_font: None, lang: str, tmp_path: Path
) -> None:
    """On an 1100 px laptop offline, "Offline · 12 Konflikte zu entscheiden · zuletzt
    synchronisiert … · 345 Änderungen sicher auf diesem Laptop, Versand sobald online" left
    who is logged in cut off ("Angemeldet: Anna Sch…"; bg alike), and a longer name or any
    note more took the line's own room. Shorter wordings (de "12 Konflikte offen", bg
    "синхронизирано …", "запазени тук") leave all of it whole, the name beside it."""
    from desktop_app.sync.http_client import Offline

    set_language(lang)
    try:
        window = shown_window(qtbot, session, 1100)
        controller: SyncController = window.sync  # type: ignore[attr-defined]
        status, user = controller.label, window.status_user
        qtbot.waitUntil(lambda: status.text() != "", timeout=30_000)
        with qtbot.waitSignal(controller.sync_finished, timeout=30_000):
            controller._on_sync_done(Offline("no route"))
        joined = sync_uc.SyncStatus(True, "https://x", True, 345, _clock(LAST_SYNC), 0)
        controller.show_status(replace(joined, open_conflicts=12))
        _laid_out(window)
        _side_by_side(window)
        tried = _("last tried {time}").format(time=controller.last_tried)
        conflicts = ngettext(
            "{count} conflict to decide", "{count} conflicts to decide", 12
        ).format(count=12)
        assert status.text() == f"{_('Offline')} · {conflicts} · {tried} · {_kept_here(345)}"
        window.grab().save(str(tmp_path / f"offline-conflicts-1100-{lang}.png"))
        assert not status.elided(), (status.width(), _shown(status))
        assert not user.elided(), (user.width(), _shown(user))
        assert user.text() == _("Logged in: {name}").format(name=session.user.display_name)
        window.close()
    finally:
        set_language("en")


@pytest.mark.parametrize("lang", ["de", "bg"])
def test_a_laptop_that_has_not_joined_says_in_the_tooltip_where_it_joins(
    qtbot: QtBot, session: Session, program_font: None, lang: str
) -> None:
    """A coordinator who set up the organisation on this laptop and has not joined the sync
    server yet read only "Not connected to a server · all data stays on this laptop", with no
    word of where it joins (a revoked laptop is told). The tooltip names the menu entry, in
    the program's language, as the settings do."""
    set_language(lang)
    try:
        window, controller = _at_1280(qtbot, session)
        status = controller.label
        controller.show_status(sync_uc.SyncStatus(False, "", False, 0, "", 0))
        assert status.text() == _("Not connected to a server · all data stays on this laptop")
        tip = status.toolTip()
        sentence = _("This laptop has not joined a sync server yet. To join one, choose {menu}.")
        assert tip.startswith(sentence.split("{menu}")[0]), tip
        assert _("&Join an organisation…").replace("&", "") in tip, tip
        assert tip.endswith("…"), tip  # the menu path's "…" ends the sentence
        window.close()
    finally:
        set_language("en")


# A helper's name as long as the team's longest, and the longest message of what was just done:
# a helper's referral saved as a draft.
LONG_NAME = "Maria-Magdalena Constantinescu"
MERGED = "Маргарита-Александра Константинова-Василева"  # the entry a sync merged, by name


def _room_beside(window: MainWindow) -> int:
    """Where the first widget right of the message begins (the message is painted left of
    it): measured on the widgets, not asked of the status bar."""
    bar = window.statusBar()
    beside = [w for w in bar.findChildren(QWidget) if w.parent() is bar and _in_bar(w)]
    return min((w.x() for w in beside if w.x() > 0), default=bar.width())


def _message_readable(window: MainWindow, text: str, context: object) -> str:
    """The message, whole or ending in "…", in the room beside the widgets, whole in the
    tooltip where it is shortened and in the status bar's accessible description; the name
    shown beside it, at least its first letters."""
    from desktop_app.ui.status_bar import StatusBar

    bar = window.statusBar()
    assert isinstance(bar, StatusBar)
    assert bar.currentMessage() == text and bar.accessibleDescription() == text
    shown = bar.shown_message()
    metrics = bar.fontMetrics()
    assert metrics.horizontalAdvance(shown) < _room_beside(window) - 6, (context, shown)
    rect = bar.message_rect()
    inside = QPoint(rect.left() + 4, bar.height() // 2)
    if shown == text:
        assert not bar.message_elided() and bar.tooltip_at(inside) == "", context
    else:
        assert shown.endswith("…") and text.startswith(shown[:-1]), (context, shown)
        assert len(shown) > 24, (context, shown)  # a sentence's first words, not one word
        assert tooltip_at(bar, inside) == text, context
    user = window.status_user
    named = _shown(user)
    assert user.isVisible() and user.width() > 0, (context, user.width())
    assert _fits(user, named), (context, named)
    whole = user.text()
    if named not in (whole, user.shorter):  # "Logged in: …", or the name alone
        assert named.endswith("…") and LONG_NAME.startswith(named[:-1]), (context, named)
        assert len(named) > 8, (context, named)  # the name's first letters, not "Mari…"
        assert user.tip().startswith(whole), context
    return shown


@pytest.mark.parametrize("lang", ["de", "bg", "ro", "en"])
def test_what_was_just_done_is_readable_beside_the_name_and_the_sync_status(
    qtbot: QtBot, session: Session, program_font: None, lang: str, tmp_path: Path
) -> None:
    """At 1024 and 1100 px Qt painted "Насочване WD-2026-12-DX5… е запи" beside "Logged in:
    …" and the sync status, cut off without a sign: what was just done was not to be read.
    Now a referral saved (the longest such message, a helper's draft) and a sync's message are
    whole where there is room, else end in "…" and are whole in the tooltip and the status
    bar's accessible description; the name (first letters at least) and the sync status's
    counts stay beside them, nothing over anything; so too after the window was made wider
    and narrower again (a label of its own for the message kept its room where it was hidden,
    and the name had none)."""
    from desktop_app.domain.users import Role
    from desktop_app.sync.http_client import Offline
    from desktop_app.ui.status_bar import StatusBar
    from desktop_app.usecases import accounts
    from tests.ui.test_referrals_ui import _create, _open_dialog, _person, _window

    shots = Path(os.environ.get("WELCOME_DESK_SHOTS", tmp_path))
    accounts.add_user(session, "maria", LONG_NAME, Role.HELPER, "helper pass 12")
    helper = accounts.log_in(session.store.paths.data_dir, "maria", "helper pass 12")
    set_language(lang)
    try:
        person = _person(helper)
        window, feature = _window(qtbot, helper, person)
        controller: SyncController = window.sync  # type: ignore[attr-defined]
        status = controller.label
        qtbot.waitUntil(lambda: status.text() != "", timeout=30_000)
        window.resize(1024, 700)
        dialog = _open_dialog(feature)
        type_text(dialog.search, "clearing")
        dialog.reason.setCurrentIndex(dialog.reason.findData("health_insurance"))
        _create(qtbot, dialog)
        bar = window.statusBar()
        said = bar.currentMessage()
        [referral] = referrals_uc.referrals_of(helper.store, helper.user, person.id)
        assert said == _(
            "Referral {reference} saved as a draft for an advisor to sign off."
        ).format(reference=referral.reference)
        bar.showMessage(said)  # kept until the test is done with it (not 5 s)
        if feature.preview is not None:
            feature.preview.close()

        def check(width: int, text: str, count: str, name: str) -> None:
            window.resize(width, 700)
            _laid_out(window)
            # narrowed again, as narrow as asked: the status bar's widgets do not hold it wide
            assert window.width() == width, (name, lang, width, window.width())
            _side_by_side(window)
            if width == 1024:
                bar.grab().save(str(shots / f"statusbar-{name}-{lang}-{width}.png"))
            shown = _message_readable(window, text, (name, lang, width))
            # the sync status as its own rules have it: at least its shorter forms, the counts
            assert status.width() >= status.least_width(), (name, lang, width)
            assert _fits(status, _shown(status)), (name, lang, width)
            # the changes kept here, counted, in the line's last part (whole or shorter)
            last = _shown(status).split(" · ")[-1]
            assert last.startswith(count) and not last.endswith("…"), (name, lang, width, last)
            if name == "referral":
                assert referral.reference in shown, (lang, width, shown)

        for width in (1024, 1100, 1366, 1024, 1600, 1100):
            check(width, said, "", "referral")  # not joined: no counts
        # After a sync that found no network and merged the open entry into another: the
        # longest line the sync status has, and the message of the merge.
        with qtbot.waitSignal(controller.sync_finished, timeout=30_000):
            controller._on_sync_done(Offline("no route"))
        joined = sync_uc.SyncStatus(True, "https://x", True, 345, _clock(LAST_SYNC), 12)
        controller.show_status(joined)
        merged = merged_here_text(MERGED)
        bar.showMessage(merged)
        for width in (1024, 1100, 1366, 1024, 1600, 1100):
            check(width, merged, format_number(345), "sync")
        # Gone, the name has all its room again and the painted message none.
        bar.clearMessage()
        _laid_out(window)
        _side_by_side(window)
        assert isinstance(bar, StatusBar)
        assert bar.accessibleDescription() == "" and bar.shown_message() == ""
        assert window.status_user.minimumWidth() == 0
        window.close()
    finally:
        set_language("en")
        helper.close()


@pytest.mark.parametrize("lang", ["bg", "ro", "de", "en"])
def test_at_1024_pixels_offline_the_merge_message_says_what_happened_in_the_room_it_has(
    qtbot: QtBot, session: Session, program_font: None, lang: str
) -> None:
    """Beside an offline laptop's longest sync status, the message that the open entry was
    merged on another laptop has some 35 letters: "Отвореният запис на Маргарита-А…" said
    neither that it was merged nor into what (the rest only in the tooltip). What happened
    comes first now, then whose entry; all of it in the tooltip as before."""
    from desktop_app.domain.person import PersonDraft
    from desktop_app.sync.http_client import Offline
    from desktop_app.ui.status_bar import StatusBar
    from desktop_app.usecases import merges, people

    given, family = MERGED.split(" ")
    one = people.register_person(session.store, session.user, PersonDraft(given, family)).id
    two = people.register_person(session.store, session.user, PersonDraft(given, family)).id
    kept, gone = merges.kept_and_merged(one, two)
    set_language(lang)
    try:
        window = shown_window(qtbot, session, WIDTH)
        controller: SyncController = window.sync  # type: ignore[attr-defined]
        qtbot.waitUntil(lambda: controller.label.text() != "", timeout=30_000)
        with qtbot.waitSignal(controller.sync_finished, timeout=30_000):
            controller._on_sync_done(Offline("no route"))
        # hundreds of changes kept after an offline week, conflicts to decide, days ago
        longest = sync_uc.SyncStatus(True, "https://x", True, 345, _clock(LAST_SYNC), 12)
        controller.show_status(longest)
        shown_before = people.get_person(session.store, session.user, gone, log_view=False)
        assert shown_before is not None
        merges.merge_people(session.store, session.user, kept, gone)  # as a sync brings it
        window._show_kept_or_erased(shown_before)
        _laid_out(window)
        _side_by_side(window)
        bar = window.statusBar()
        # What happened and whose entry on the line; where, and who merged, in its tooltip:
        # the account that did has one here, so by its display name.
        template = _("Merged into this entry: {name}")
        english = "Merged into this entry: {name}"
        assert template != english or lang == "en"
        said = template.format(name=MERGED)
        assert bar.currentMessage() == said
        whole = _("Merged into this entry: {name}, on another laptop, by {user}").format(
            name=MERGED, user=session.user.display_name
        )
        news = template.split("{name}")[0].strip()
        assert isinstance(bar, StatusBar)
        shown = bar.shown_message()
        assert bar.fontMetrics().horizontalAdvance(shown) < _room_beside(window) - 6, shown
        assert shown.startswith(news), (lang, shown)  # what happened, whole
        inside = QPoint(bar.message_rect().left() + 4, bar.height() // 2)
        assert bar.tooltip_at(inside) == whole
        # Made wider and narrower again, the message has the room it had: the sync status
        # kept the whole line it had at 1600 px (", sent when online") as its least, and at
        # 1100 px the message was "Обединен с този запи…".
        first: dict[int, str] = {1024: shown}
        for width in (1100, 1600, 1100, 1024):
            window.resize(width, 700)
            _laid_out(window)
            _side_by_side(window)
            again = bar.shown_message()
            assert again == first.setdefault(width, again), (lang, width, again)
            assert again.startswith(news), (lang, width, again)
        assert window.person_page.person is not None and window.person_page.person.id == kept
        window.close()
    finally:
        set_language("en")


def test_the_sync_state_follows_a_language_switch_at_once(qtbot: QtBot, session: Session) -> None:
    """The state was shown again only once a new reading of it came back from a worker: a
    screenshot right after switching to Bulgarian still had it in English."""
    window = shown_window(qtbot, session)
    controller: SyncController = window.sync  # type: ignore[attr-defined]
    english = "Not connected to a server · all data stays on this laptop"
    qtbot.waitUntil(lambda: controller.label.text() == english)
    try:
        window.switch_language("bg")
        assert controller.label.text() == _(english) != english  # before any event is handled
    finally:
        window.switch_language("en")
    assert controller.label.text() == english
