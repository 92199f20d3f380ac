"""Sync in the window: status bar, "Sync now", joining a server, approving laptops and confirming
the coordinator's laptop by its fingerprint, conflicts.

The sync itself runs in the window's sync process (``usecases.sync_process``), waited for on a
worker thread; this module only starts it, shows its progress and result, and never lets the UI
wait for the network.
"""

from __future__ import annotations

import datetime as dt
import html
import random
import socket
import time
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any

import shiboken6
from PySide6.QtCore import QMargins, QObject, QSettings, QSize, Qt, QTimer, Signal
from PySide6.QtGui import QAction, QKeySequence, QResizeEvent, QShowEvent
from PySide6.QtWidgets import (
    QApplication,
    QButtonGroup,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QProgressBar,
    QPushButton,
    QRadioButton,
    QVBoxLayout,
    QWidget,
)

from desktop_app import __version__
from desktop_app.domain.permissions import Action, PermissionDenied, allowed
from desktop_app.domain.users import Role
from desktop_app.domain.versions import is_older
from desktop_app.i18n.formatting import (
    format_appointment,
    format_number,
    format_short_moment,
    format_time_of_day,
)
from desktop_app.i18n.messages import (
    cause_message,
    code_for_helpers,
    confirm_message,
    connection_message,
    coordinator_to_confirm,
    erased_work_message,
    erased_work_short,
    error_message,
    failure_reason,
    held_on_revoked_laptop,
    held_on_revoked_short,
    laptop_role_name,
    laptops_not_given_the_key,
    laptops_without_role_message,
    no_role_yet,
    not_understood_message,
    offline_message,
    own_role_unset_message,
    refusal_message,
    revoke_again_pending_message,
    revoke_again_pending_short,
    revoked_holding_key_message,
    role_lowered_message,
    server_restored_message,
    server_restored_short,
    sync_message,
    unsent_on_revoked_laptop,
    withdrawn_message,
    withdrawn_short,
)
from desktop_app.i18n.text import N_, _, ngettext
from desktop_app.sync.http_client import (
    CertificateProblem,
    ConnectionLost,
    Offline,
    ProtocolError,
    RequestRefused,
    Revoked,
    ServerError,
    may_get_through_later,
)
from desktop_app.ui.banner import WarningBanner
from desktop_app.ui.clock_banner import ClockWarning
from desktop_app.ui.publication_notice import PublicationNotice
from desktop_app.ui.settings import KEY_JOIN_NAME, KEY_JOIN_SERVER, not_joined_note
from desktop_app.ui.widgets import (
    ConfirmQuestion,
    ElidingLabel,
    ErrorLabel,
    KeepsInput,
    ask_to_confirm,
    grow_to_wrapped_lines,
    reachable_text,
)
from desktop_app.usecases import sync as sync_uc
from desktop_app.usecases.sync_process import SyncProcess, SyncProcessFailed

if TYPE_CHECKING:
    from desktop_app.ui.conflicts import ConflictsDialog
    from desktop_app.ui.main_window import MainWindow

AUTO_SYNC_MS = 60_000
#: after a round that failed on the way to the server or at it (``retried_sooner``: no server,
#: the connection broke off, the server's fault, an answer not understood, the sync process
#: failed): the next tries this much later (ms), then every AUTO_SYNC_MS, each ± RETRY_JITTER
#: (laptops at one meeting point, offline together, do not all come back in the same second),
#: never sooner than RETRY_FLOOR_MS after the round's end; a round that gets through starts the
#: schedule again. The server coming back was noticed up to a minute late.
RETRY_AFTER_MS = (10_000, 20_000, 40_000)
RETRY_JITTER = 0.2
RETRY_FLOOR_MS = 10_000
#: between the parts of the status line
SEPARATOR = " · "
#: letters of the status line's first part kept where the line is squeezed ("Offl…")
HEAD_KEPT = 4
#: after the program opens its window, the first sync (the laptop may have been offline for
#: days): soon, not a whole AUTO_SYNC_MS later, and after the window's first work is done
FIRST_SYNC_MS = 3_000
#: a server that does not mark its revocations (``wire.PullResponse.revocations``, an older
#: one): how often a coordinator's window asks it for them at most (s)
REVOCATIONS_EVERY_S = 600
_NAME_ROLE = Qt.ItemDataRole.UserRole + 1
_REVOCABLE_ROLE = Qt.ItemDataRole.UserRole + 2
_OTHER_ROLE = Qt.ItemDataRole.UserRole + 3  # a laptop other than this one (approvable)
_LAST_SYNC_ROLE = Qt.ItemDataRole.UserRole + 4  # when it last reached the server, in words
# Enrolled with a coordinator's code: it can be approved for coordinators only.
_COORDINATOR_CODE_ROLE = Qt.ItemDataRole.UserRole + 5
# The role of an approved laptop whose role can be lowered here ("" if none can be).
_LOWERABLE_ROLE = Qt.ItemDataRole.UserRole + 6
_PENDING_ROLE = Qt.ItemDataRole.UserRole + 7  # waiting for approval
# A revoked laptop: what it could hold (``held_on_revoked_laptop``), in words.
_HELD_ROLE = Qt.ItemDataRole.UserRole + 8
# Who uses a laptop, highest first (the Laptops dialog's choices).
_ROLES_HIGHEST_FIRST = (Role.COORDINATOR, Role.ADVISOR, Role.HELPER)
# Before a laptop's second line in the Laptops dialog: indented, it reads as the laptop's above,
# not as a line of its own.
_SECOND_LINE = "\u2003\u2003"
_NOT_RENEWED_YET = N_(
    "The team key was not renewed yet: renew it here as soon as the server can be reached."
)
_NOT_RENEWED = N_("The team key was not renewed.")
FINGERPRINT_STYLE = "font-size: 16pt; font-family: monospace;"  # as on the first-run page
# After joining again: the laptop holds the team key and trusts the coordinator's laptop
# already; only the coordinator's approval of its new fingerprint is missing.
NEXT_STEPS_AFTER_JOINING_AGAIN = N_(
    "Tell your coordinator this laptop's new fingerprint. When it matches the one on the "
    "coordinator's screen, the coordinator approves this laptop. Then the next sync sends "
    "everything recorded here that the server lacks."
)
# After joining, at a laptop that waits for approval (the first-run wizard says the same).
NEXT_STEPS_AFTER_JOINING = N_(
    "Tell your coordinator this laptop's fingerprint. When it matches the one on "
    "the coordinator's screen, the coordinator approves this laptop. Then compare "
    "the other way round: after the next sync, File → Confirm the coordinator's "
    "laptop asks for the fingerprint shown on the coordinator's laptop."
)
# After joining, at the organisation's first laptop: it made the team key and coordinates, so
# nothing waits; what it does next is bring in the other laptops (the first-run wizard says the
# same).
NEXT_STEPS_AFTER_FIRST_JOIN = N_(
    "This is the organisation's first laptop on this server: it made the team key and "
    "approves the other laptops. For each further laptop, ask whoever runs the server for an "
    "enrollment code. When that laptop has joined, type the fingerprint it shows in File → "
    "Laptops of the organisation here and approve it."
)
DEVICE_STATUS = {
    "pending": N_("waiting for approval"),
    "approved": N_("approved"),
    "revoked": N_("revoked"),
}


# Offline, after "Nothing was lost": what happens to the work of the day. It said only that
# nothing was lost, and a helper at a meeting point without a network was left to wonder
# whether the changes counted beside it had to be sent somehow.
_OFFLINE_NEXT = N_(
    "What you save stays on this laptop and is sent by itself when the server can be reached "
    "again; the next try is at about {time}."
)
# Offline, in the tooltip where no sync of this laptop has got through yet: the line says
# when it last tried, not whether any try ever did ("Last successful sync: …" where one did).
_NEVER_SYNCED = N_("No sync of this laptop has got through to the server yet.")
# On the lock screen of a laptop locked because a sync found it revoked: whoever typed in it
# learns why it locked at once, and that their work is safe.
_LOCKED_REVOKED = N_(
    "This laptop was revoked and locked itself. What was recorded on it is kept; after you "
    "unlock it, the status bar says how it comes back."
)
# In the status bar's tooltip of a revoked laptop, after "revoked … Ask your coordinator".
_REVOKED_NEXT = N_(
    "What was recorded on this laptop is kept on it. It comes back with a new enrollment code "
    "from your coordinator ({join}); once the coordinator has approved it, the next sync sends "
    "what was recorded here."
)
_SYNC_REFUSED = N_("The server refused the sync. If it happens again, ask your coordinator.")
# After a round that failed otherwise (``retried_sooner``): when the window's timer tries again.
# It said "within a minute", and the next try came up to 72 s later.
_TRIED_AGAIN = N_("It is tried again by itself at about {time}.")


def show_fingerprint(label: QLabel, fingerprint: str) -> QLabel:
    """``label`` showing this laptop's ``fingerprint`` to be read out and compared: large, on one
    line, reached by Tab and copied, read out whole by a screen reader."""
    label.setText(fingerprint)
    label.setStyleSheet(FINGERPRINT_STYLE)
    label.setAccessibleName(_("Fingerprint of this laptop: {fp}").format(fp=fingerprint))
    return reachable_text(label)


def _menu_path(*msgids: str) -> str:
    from desktop_app.ui.help import menu_path

    return menu_path(*msgids)


def _menu_path_elsewhere(*msgids: str) -> str:
    from desktop_app.ui.help import menu_path_elsewhere

    return menu_path_elsewhere(*msgids)


def greyed_laptop_entries_notes(state: sync_uc.SyncStatus) -> tuple[str, str]:
    """Why "Confirm the coordinator's laptop…" and "Laptops of the organisation…" are greyed
    ("" where an entry is not): they were greyed without a word, as if broken. The first opens
    while a team key from another laptop waits to be confirmed here, the second once this
    laptop holds the team key (a coordinator approved it, and its sender was confirmed)."""
    from desktop_app.ui.help import end_cleanly

    confirm = devices = ""
    if not state.joined:
        join = _("Only after this laptop has joined an organisation. To join one, choose {menu}.")
        confirm = devices = end_cleanly(
            join.format(menu=_menu_path("&File", "&Join an organisation…"))
        )
    elif not state.approved:
        if not state.unconfirmed_senders:
            confirm = _(
                "Only after a coordinator has approved this laptop: the next sync then brings "
                "the team key from the coordinator's laptop, to be confirmed here."
            )
            devices = _(
                "Only after a coordinator has approved this laptop and you have confirmed the "
                "coordinator's laptop here."
            )
        else:
            menu = _menu_path("&File", "Con&firm the coordinator's laptop…")
            devices = _("Only after you have confirmed the coordinator's laptop ({menu}).").format(
                menu=menu
            )
    elif not state.unconfirmed_senders:
        confirm = _("Nothing to confirm: no team key from another laptop is waiting here.")
    return confirm, devices


def no_fingerprint_yet_note() -> str:
    """Why "This laptop's fingerprint…" is greyed on a laptop that has not joined: it was
    greyed without a word, as if broken."""
    from desktop_app.ui.help import end_cleanly

    menu = _menu_path("&File", "&Join an organisation…")
    return end_cleanly(
        _(
            "This laptop has a fingerprint once it has joined an organisation or set one "
            "up. To join one, choose {menu}."
        ).format(menu=menu)
    )


def refused_message(code: str) -> str:
    """What a refusal of the server means for the user, and what to do."""
    return refusal_message(code, _SYNC_REFUSED)


# What a call to the server may fail with half-way through a step of several calls.
_SERVER_FAILURES = (Offline, RequestRefused, CertificateProblem, ProtocolError)


def retried_sooner(result: object) -> bool:
    """Whether the round that ended with ``result`` failed so that a try soon may get through
    (on the way to the server or at it, or here: the sync process), and the next comes on the
    schedule of ``RETRY_AFTER_MS``. Not a refusal that needs a person (revoked, unauthorized,
    waiting for approval or confirmation, the server too old), nor a certificate not valid:
    those are tried every AUTO_SYNC_MS, as before."""
    if not isinstance(result, Exception):
        return False
    return not isinstance(result, RequestRefused | CertificateProblem | sync_uc.SyncSetupError)


def failure_message(exc: Exception) -> str | None:
    """What a failed call to the sync server means for the user, in the user's words; None
    for any other failure (``server_call_failure`` says its cause)."""
    if isinstance(exc, CertificateProblem):
        return connection_message("certificate")
    if isinstance(exc, ServerError):  # it answered: not the network, and not offline
        return connection_message("server_fault")
    if isinstance(exc, ConnectionLost):  # it was reached: the connection broke off
        return connection_message("lost")
    if isinstance(exc, Offline):
        return offline_message(exc.hint)
    if isinstance(exc, RequestRefused):
        return refusal_message(exc.code)
    if isinstance(exc, ProtocolError):  # something other than the sync server answered
        return not_understood_message()
    if isinstance(exc, sync_uc.SyncSetupError):
        return sync_message(exc.code)
    if isinstance(exc, PermissionDenied):
        return error_message(exc.code)
    return None


def server_call_failure(exc: Exception) -> str:
    """``failure_message``, and for any other failure of a dialog's call (the store busy, the
    disk full, a bug) its cause in the user's words, logged with its traceback: the dialogs
    passed those to the application's error handler, which only logs, and said nothing."""
    message = failure_message(exc)
    return message if message is not None else failure_reason(exc)


def laptop_last_sync(device: Any) -> str:
    """When a listed laptop (``wire.DeviceInfo``) last reached the server, in words ("" for
    never): the server notes it at each request, to the half minute."""
    # The later of its last request and the last pull that sent it records (``pulled_at``,
    # noted at once, where the last request is noted to the half minute): what a revoked
    # laptop holds, it held by then (``laptop_held``).
    times = [t for t in (device.last_seen_at, getattr(device, "pulled_at", None)) if t]
    if not times:
        return ""
    return last_sync_time(max(dt.datetime.fromisoformat(t).timestamp() for t in times))


def laptop_held(device: Any) -> str:
    """For a revoked laptop (``wire.DeviceInfo``): whose records it could hold, as the server
    counted them at its revocation ("" for one not revoked)."""
    if device.status != "revoked":
        return ""
    return held_on_revoked_laptop(
        device.name,
        getattr(device, "people_at_revocation", None),
        # Handed records at all: a laptop that only joined and waited was handed nothing.
        synced=bool(getattr(device, "pulled_at", None)),
    )


def last_sync_time(wall: float, now: dt.datetime | None = None) -> str:
    """When the last sync was: its time today, else its date as well (an offline laptop that
    last synced days ago must not look up to date)."""
    when = dt.datetime.fromtimestamp(wall)
    now = now or dt.datetime.now()
    if when.date() == now.date():
        return format_time_of_day(when)
    return format_short_moment(when)


class RevokedKeyBanner(WarningBanner):
    """For a coordinator: revoked laptops that still hold the team key in use (revoked by the
    server's operator, which renews no key), and a button to the Laptops dialog that renews it.
    Nothing said so outside that dialog, and nobody opened it."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__("revoked_key_banner", parent)
        self.text.setTextFormat(Qt.TextFormat.PlainText)  # names as the team gave them
        self.button = QPushButton()
        self.button.setAutoDefault(False)
        self.row.addWidget(self.button, 0, Qt.AlignmentFlag.AlignVCenter)
        self.names: tuple[str, ...] = ()

    def show_names(self, names: Sequence[str]) -> None:
        self.names = tuple(names)
        text = "\n".join(
            _(
                "“{name}” was revoked, but the team key was not renewed since: it can still "
                "read what is written from now on."
            ).format(name=name)
            for name in self.names
        )
        self.text.setText(text)
        self.button.setText(_("&Renew the team key…"))
        self.button.setAccessibleDescription(text)
        self.setAccessibleName(_("Warning"))
        self.setAccessibleDescription(text)
        self.text.setAccessibleName(text)
        self.setVisible(bool(self.names))


class RoleLoweringBanner(WarningBanner):
    """A coordinator's laptop not confirmed here lowered this laptop's role (``SyncStatus.
    role_lowerings``): who, to what, and that it is taken once that laptop's fingerprint is
    confirmed here, with a button to that for whoever may confirm. The lowering was ignored
    without a word, and the laptop went on with its higher role unknown to anyone."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__("role_lowering_banner", parent)
        self.text.setTextFormat(Qt.TextFormat.PlainText)  # names as the team gave them
        self.button = QPushButton()
        self.button.setAutoDefault(False)
        self.row.addWidget(self.button, 0, Qt.AlignmentFlag.AlignVCenter)
        self.lowerings: tuple[tuple[str, str], ...] = ()

    def show_lowerings(self, lowerings: Sequence[tuple[str, str]], *, may_confirm: bool) -> None:
        self.lowerings = tuple(lowerings)
        where = _menu_path("&File", "Con&firm the coordinator's laptop…")
        text = "\n".join(
            role_lowered_message(name, role, where, may_confirm=may_confirm)
            for name, role in self.lowerings
        )
        self.text.setText(text)
        self.button.setText(_("Con&firm the coordinator's laptop…"))
        self.button.setVisible(may_confirm)
        self.button.setAccessibleDescription(text)
        self.setAccessibleName(_("Warning"))
        self.setAccessibleDescription(text)
        self.text.setAccessibleName(text)
        self.setVisible(bool(self.lowerings))


class NoRoleBanner(WarningBanner):
    """For a coordinator: laptops that joined before laptops had roles and were given none
    since (``SyncStatus.laptops_without_role``), with a button to the Laptops dialog where
    their role is chosen; on such a laptop itself, that it has none (``SyncStatus.
    own_role_unset``). Nothing limits what the accounts on them may do, and nothing said so."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__("no_role_banner", parent)
        self.text.setTextFormat(Qt.TextFormat.PlainText)
        self.button = QPushButton()
        self.button.setAutoDefault(False)
        self.row.addWidget(self.button, 0, Qt.AlignmentFlag.AlignVCenter)
        self.count = 0
        self.own = False

    def show_unset(self, count: int, *, own: bool, may_choose: bool) -> None:
        self.count, self.own = count, own
        where = _menu_path("&File", "Lap&tops of the organisation…")
        lines = [own_role_unset_message()] if own else []
        if count:
            lines.append(laptops_without_role_message(count, where))
        text = "\n".join(lines)
        self.text.setText(text)
        self.button.setText(_("&Choose roles…"))
        self.button.setVisible(bool(count) and may_choose)
        self.button.setAccessibleDescription(text)
        self.setAccessibleName(_("Warning"))
        self.setAccessibleDescription(text)
        self.text.setAccessibleName(text)
        self.setVisible(bool(lines))


class StatusLabel(ElidingLabel):
    """The sync status, one line in the status bar, its parts joined by ``SEPARATOR``. Where
    the window is too narrow for it (a 1024 px laptop in German or Bulgarian, or several notes
    at once) its first part (the state, or what went wrong) gives its room up first, so that
    the counts after it stay in view (the last sync and the changes to send, which come before
    the notes); where that is not enough, the parts that have a shorter form take it (the
    changes kept offline without "sent when online", which the tooltip says). The whole line
    is in the tooltip."""

    def __init__(self) -> None:
        super().__init__()
        self._parts: tuple[str, ...] = ()
        self._short: tuple[str, ...] = ()
        #: the label beside it that gives its room up first (who is logged in)
        self.beside: QWidget | None = None
        self._whole_fits = True

    def set_parts(self, parts: Sequence[str | tuple[str, str]]) -> None:
        """``parts``: each its text, or its text and a shorter form of it for a line too narrow
        for the whole."""
        self._parts = tuple(p if isinstance(p, str) else p[0] for p in parts)
        self._short = tuple(p if isinstance(p, str) else p[1] for p in parts)
        self.setText(SEPARATOR.join(self._parts))

    def minimumSizeHint(self) -> QSize:
        """The whole line, as wide as it is, where it fits beside ``beside`` (who is logged in,
        which gives its room up first); where it does not, the line with its shorter forms,
        and the room beyond them is the name's. At 1100 px offline beside conflicts, the last
        sync, the changes kept here and a note, the line took the shorter forms and all the
        room: "Maria-Magdalena Constantinescu" was not shown at all in German, Bulgarian and
        Romanian."""
        hint = super().minimumSizeHint()
        self._whole_fits = self._fits_whole(hint.width())
        if self._whole_fits:
            return hint
        return QSize(self.least_width(), hint.height())

    def least_width(self) -> int:
        """The line with its shorter forms (the counts whole), as wide as it is: the least
        it takes beside a message of the status bar (``StatusBar``), which has the rest. Its
        least was the whole line where the window had been wider before it was narrowed: at
        1100 px offline the line kept ", sent when online" and a sync's message beside it
        had some 20 letters."""
        hint = super().minimumSizeHint()
        if self._short == self._parts or SEPARATOR.join(self._parts) != self.text():
            return hint.width()
        metrics = self.fontMetrics()
        head, rest = self._short[0], SEPARATOR + SEPARATOR.join(self._short[1:])
        # measured as shown_text measures it, and the label's margins around it
        margins = hint.width() - metrics.horizontalAdvance(self.text())
        shorter = metrics.horizontalAdvance(head) + metrics.horizontalAdvance(rest) + margins + 2
        return min(hint.width(), shorter)

    def _fits_whole(self, width: int) -> bool:
        """Whether ``width`` fits in the room this line shares with ``beside``: the two
        widths together are the same however the status bar divides them."""
        beside = self.beside
        if beside is None or not beside.isVisible():
            return True
        return width <= self.width() + beside.width()

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        # A window made narrower or wider: the room shared with the name changed, and with it
        # which minimum applies (asked of the layout before it set the new widths).
        if self._fits_whole(super().minimumSizeHint().width()) != self._whole_fits:
            self.updateGeometry()

    def shown_text(self, width: int) -> str:
        if SEPARATOR.join(self._parts) != self.text() or len(self._parts) < 2:
            return super().shown_text(width)
        metrics, right = self.fontMetrics(), Qt.TextElideMode.ElideRight
        # The state keeps a few letters, so that the line still says what it is about.
        least = metrics.horizontalAdvance(self._parts[0][:HEAD_KEPT] + "…")
        # At 1100 px offline beside conflicts, the last sync, the changes kept here and the
        # note of removed changes, the note's end was cut off in German, Bulgarian, Romanian:
        # the shorter forms leave each part whole, the state's word too.
        for parts in (self._parts, self._short):
            head, rest = parts[0], SEPARATOR + SEPARATOR.join(parts[1:])
            room = width - metrics.horizontalAdvance(rest)
            if parts is self._short and metrics.horizontalAdvance(head) <= room:
                return head + rest
            if room >= least:
                return metrics.elidedText(head, right, room) + rest
        return metrics.elidedText(metrics.elidedText(head, right, least) + rest, right, width)


class SyncController(QObject):
    """Owns the status-bar widgets and runs at most one sync at a time."""

    sync_finished = Signal(object)  # SyncReport or Exception
    progress = Signal(str, int, int)  # emitted from the worker thread, delivered on the UI's
    # The sync starting is this laptop's first: the team's records are all to come (emitted
    # from the worker thread before its progress, delivered on the UI's).
    first_sync_started = Signal()

    def __init__(self, window: MainWindow) -> None:
        super().__init__(window)
        self.window = window
        self.store = window.session.store
        self.running = False
        # The sync runs in a process of its own (started at the first sync), so that its
        # Python work never competes with painting this window.
        self.process = SyncProcess(self.store, window.session.key)
        window.closing.connect(self.process.end)
        self.last_error = ""
        self.detail = ""  # why ``last_error``, in words, for the tooltip
        # Offline: the time of the try that failed, for the line ("last tried 13:16")
        self.last_tried = ""
        # Whether the last sync of this window reached the server: until one has, nothing
        # is known about the network, and the status bar must not say "Online".
        self.reached = False
        # Whether the last sync of this window found no network: the changes to send are then
        # said to be kept here (a helper read "to send", offline, as "not sent": lost).
        self.offline = False
        # A sync is to follow the one running (``start_anew``): that one may have set out for
        # the server's old address.
        self.again_after_running = False
        # The automatic tries' schedule (``RETRY_AFTER_MS``; tests make it shorter): rounds in a
        # row that found no server, and when the next try is due (``time.time``), or None.
        self.interval_ms = AUTO_SYNC_MS
        self.retry_after_ms: tuple[int, ...] = RETRY_AFTER_MS
        self.retry_floor_ms = RETRY_FLOOR_MS
        self.failed_rounds = 0
        self.next_try_at: float | None = None
        self._random = random.Random()
        self.label = StatusLabel()
        self.label.beside = window.status_user  # the name gets what its shorter forms leave
        self.bar = QProgressBar()
        self.bar.setMaximumWidth(160)
        self.bar.setTextVisible(False)
        self.bar.hide()
        window.statusBar().addPermanentWidget(self.bar)
        window.statusBar().addPermanentWidget(self.label)
        # How far this laptop's clock was off the server's at the last sync that got through:
        # a banner above the content until a sync finds it right (a sync that fails says
        # nothing about the clock). Not in the status bar: there the sentence and its advice
        # took four or five lines in German and Bulgarian.
        self.clock = ClockWarning(window)
        # Forms or a service directory the coordination published that this laptop cannot use
        # (from a newer version, or damaged): a banner at start and after each sync, as long
        # as the shipped ones are used instead.
        self.publications = PublicationNotice(window)
        self.sync_finished.connect(self.publications.check)
        self.publications.check()
        # Only for a coordinator: the key a revoked laptop holds, to renew.
        self.revoked_key = RevokedKeyBanner()
        window.add_banner(self.revoked_key)
        # A coordinator's laptop not confirmed here lowered this laptop's role.
        self.role_lowering = RoleLoweringBanner()
        window.add_banner(self.role_lowering)
        # Only for a coordinator: laptops that joined before laptops had roles and have none.
        self.no_role = NoRoleBanner()
        window.add_banner(self.no_role)
        # Whether this window had the list of laptops asked for after a sync: once a session,
        # so that a role chosen on another coordinator's laptop is seen here.
        self.roles_asked = False
        # Publications this member's laptop had made itself and a sync withdrew (name: the
        # folder of its copy): said from then on while the window is open, so that whoever
        # made them learns where they are (the sync that withdrew them is the only one to know).
        self.withdrawn: dict[str, str] = {}
        # A sync found the server restored from an older backup and sent back what it had
        # lost: said from then on while the window is open (no later sync knows of it).
        self.server_restored = False
        # Changes made here and not sent, about people another laptop erased at their request,
        # that syncs removed: said from then on while the window is open (no later sync knows
        # of them), as a count: naming the person would undo the erasure.
        self.erased_work = 0
        self.erased_people = 0
        # Laptops revoked after the server's backup are not revoked on it again yet: said
        # while the last sync that got through left it so (each sync tries again).
        self.revoke_again_pending = False
        # When this window last asked a server that does not mark its revocations for them
        # (``time.monotonic``; None: not yet, or the asking failed).
        self.revocations_asked: float | None = None
        # The last sync (of this window or an earlier one: ``SyncStatus.refused``) was refused
        # because the server no longer knows this laptop (restored from an older backup) or
        # revoked it: the File menu offers to join again.
        self.forgotten = False
        # Whether this window knows the laptop is revoked (from its store or a sync): the first
        # sync to learn it locks the window, once (a revoked laptop may be a stolen one, open).
        self.revoked = False
        self.progress.connect(self._on_worker_progress)
        self._status_generation = 0
        self._shown_status: sync_uc.SyncStatus | None = None  # (retranslate shows it again)

        self.sync_action = QAction(window)
        self.sync_action.setShortcut(QKeySequence("F5"))
        self.sync_action.triggered.connect(self._on_sync_action_triggered)
        self.join_action = QAction(window)
        self.join_action.triggered.connect(self._on_join_triggered)
        # This laptop's fingerprint, also after a restart: the wizard and the join dialog show
        # it once, and a laptop still waiting for approval had it nowhere, though its status
        # said to compare it (a member's laptop may not open the Laptops dialog).
        self.fingerprint_action = QAction(window)
        self.fingerprint_action.setEnabled(False)
        self.fingerprint_action.triggered.connect(self.open_fingerprint)
        self.waiting_for_approval = False
        self.confirm_action = QAction(window)
        self.confirm_action.setEnabled(False)
        self.confirm_action.triggered.connect(self.open_confirm_coordinator)
        self.devices_action = QAction(window)
        self.devices_action.triggered.connect(self._on_devices_triggered)
        self.revoked_key.button.clicked.connect(self._on_devices_triggered)
        self.role_lowering.button.clicked.connect(self.open_confirm_coordinator)
        self.no_role.button.clicked.connect(self._on_devices_triggered)
        # Not offered to a helper or an advisor: it only said they may not (as the
        # Administration menu, which they do not see either). Confirming the coordinator's
        # laptop neither: the status bar says a coordinator has to log in for it.
        self.may_manage_laptops = allowed(window.session.user, Action.MANAGE_LAPTOPS)
        self.devices_action.setVisible(self.may_manage_laptops)
        # Also where this laptop was approved for a lower role: its first account confirms the
        # coordinators' laptops that send it keys (``sync_uc.confirm_coordinator``).
        self.may_confirm = self.may_manage_laptops or window.session.user.keeps_accounts
        self.confirm_action.setVisible(self.may_confirm)
        self.conflicts_action = QAction(window)
        self.conflicts_action.triggered.connect(self.open_conflicts)
        # Above "Quit", which the main window put into the File menu first.
        for action in (
            self.sync_action,
            self.join_action,
            self.fingerprint_action,
            self.confirm_action,
            self.devices_action,
            self.conflicts_action,
        ):
            window.file_menu.insertAction(window.quit_action, action)
        window.file_menu.setToolTipsVisible(True)  # why an entry is greyed (``show_status``)
        window.file_menu.insertSeparator(window.quit_action)

        self.timer = QTimer(self)
        self.timer.setInterval(AUTO_SYNC_MS)
        self.timer.timeout.connect(self.start)
        self.timer.start()
        window.retranslated.connect(self.retranslate)
        self.retranslate()

    # --- running -------------------------------------------------------------------------
    def start_soon(self, delay_ms: int = FIRST_SYNC_MS) -> None:
        """The program's first sync, ``delay_ms`` after its window opened; the regular ones
        follow every AUTO_SYNC_MS from then on."""
        QTimer.singleShot(delay_ms, self._on_first_sync_due)

    def _on_first_sync_due(self) -> None:
        if self.start():
            self.timer.start(self.interval_ms)  # due again when the round ends (``_schedule``)

    def _on_sync_action_triggered(self) -> None:
        if self.running:
            # It did nothing the user could see: one more round follows this one (only one,
            # however often it is pressed), and the status line says so.
            self.again_after_running = True
            self.label.setText(_("A sync is running; another follows when it ends."))
            return
        # "Sync now" as the first sync: the minute's timer, due a moment later, started
        # another round right after the user's (five more tries at a server out of reach).
        if self.start():
            self.timer.start(self.interval_ms)

    def next_delay_ms(self) -> int:
        """When the next automatic round is due after the one that ended (ms): sooner after
        the first rounds that failed (``retried_sooner``), then every ``interval_ms``;
        jittered."""
        n = self.failed_rounds
        if not n:
            return self.interval_ms
        base = self.retry_after_ms[n - 1] if n <= len(self.retry_after_ms) else self.interval_ms
        jittered = base * self._random.uniform(1 - RETRY_JITTER, 1 + RETRY_JITTER)
        return max(self.retry_floor_ms, round(jittered))

    def _schedule(self, result: Any) -> None:
        """The next automatic round, counted from the end of this one."""
        # Once only after a round that found no server: after a broken answer or a failure
        # here the next came after the plain minute ± 20 %, up to 72 s, while the status bar
        # said "it is tried again within a minute".
        self.failed_rounds = self.failed_rounds + 1 if retried_sooner(result) else 0
        delay = self.next_delay_ms()
        self.timer.start(delay)
        self.next_try_at = time.time() + delay / 1000

    def start(self) -> bool:
        """Start a sync in the background; False if one runs already or none is set up."""
        if self.store.closed:  # the window's store closed (a timer fired after it)
            return False
        if self.running or not sync_uc.is_joined(self.store):
            self.refresh()
            return False
        self.running = True
        self.bar.setRange(0, 0)
        self.bar.show()
        self.label.setText(_("Syncing…"))
        emit, process, store = self.progress.emit, self.process, self.store
        first = self.first_sync_started.emit

        def sync() -> sync_uc.SyncReport:
            if sync_uc.first_sync_due(store):
                first()
            return process.sync(progress=emit)

        self.window.tasks.run(sync, self._on_sync_done, self._on_sync_done)
        return True

    def start_anew(self) -> None:
        """Sync at once with what the store says now (the server's address was changed), or
        right after the sync that runs: it may have read the old one."""
        if self.running:
            self.again_after_running = True
        else:
            self.start()

    def _on_worker_progress(self, phase: str, done: int, total: int) -> None:
        if not self.running:
            return  # a late report of a sync that has ended
        if not total:
            self.bar.setRange(0, 0)
            return
        self.bar.setRange(0, total)
        self.bar.setValue(done)
        percent = 100 * min(done, total) // total
        if phase == "push":
            text = _("Sending changes… {percent}%").format(percent=percent)
        elif phase == "pull":
            text = _("Receiving changes… {percent}%").format(percent=percent)
        else:
            return
        if self.again_after_running:  # "Sync now" pressed meanwhile: said until this ends
            text += SEPARATOR + _("another sync follows")
        self.label.setText(text)

    def _on_sync_done(self, result: Any) -> None:
        self.running = False
        self.bar.hide()
        self._schedule(result)
        # The tooltip says why in the user's words, and at most a stable code for whoever
        # helps: it showed the exception's class name ("ProtocolError") or the server's text.
        self.detail = ""
        self.offline = False  # (a server fault and a bad certificate are Offline's kinds too)
        self.last_tried = ""
        next_try = format_time_of_day(dt.datetime.fromtimestamp(self.next_try_at or time.time()))
        # When the next try comes, as the window's timer then makes it (``_schedule``).
        again = _(_TRIED_AGAIN).format(time=next_try)
        failed = _("Sync failed.")
        if isinstance(result, CertificateProblem):
            self.last_error = connection_message("certificate")
        elif isinstance(result, ServerError):
            self.last_error = connection_message("server_fault")
            self.detail = f"{again} {code_for_helpers(str(result.status))}"
        elif isinstance(result, Offline):
            # The changes are kept here, to be sent when the server can be reached again.
            self.offline = True
            then = _(_OFFLINE_NEXT).format(time=next_try)
            # When it last tried, for the line ("last tried 13:16"): a laptop offline for hours
            # did not say whether it was trying at all. Not in the tooltip as well: it said
            # "Last tried at 13:16." under the line that said it; the tooltip says what the
            # line does not (why, when the next try is, the last sync that got through).
            self.last_tried = format_time_of_day(dt.datetime.now())
            if isinstance(result, ConnectionLost):
                # It was reached, and the connection broke off (a link that dropped, the
                # request's deadline): "Offline", "cannot be reached" sent the user to look for
                # a network that was there.
                self.last_error = _("Connection broke off")
                self.detail = f"{connection_message('lost')} {then}"
            else:
                self.last_error = _("Offline")
                self.detail = f"{offline_message(result.hint)} {then}"
        elif isinstance(result, sync_uc.SyncSetupError) and result.code == "confirm_coordinator":
            self.last_error = _("Waiting for confirmation")  # the status says of what
            self.detail = sync_message(result.code) if self.may_confirm else ""
        elif isinstance(result, sync_uc.SyncSetupError):
            self.last_error = sync_message(result.code)
            if result.code == "not_approved":  # where the fingerprint to compare is
                self.detail = _("{fingerprint} shows it to read out to the coordinator.").format(
                    fingerprint=_menu_path("&File", "This laptop's fi&ngerprint…")
                )
        elif isinstance(result, RequestRefused):
            self.last_error = refused_message(result.code)
            self.detail = code_for_helpers(f"{result.status} {result.code}")
            if isinstance(result, Revoked) and not self.revoked:
                self._lock_revoked()
        elif isinstance(result, ProtocolError):
            self.last_error = failed
            self.detail = f"{not_understood_message()} {again}"
        elif isinstance(result, SyncProcessFailed):
            self.last_error = failed
            # the child logged the exception
            self.detail = f"{cause_message(result.cause)} {again}"
        elif isinstance(result, Exception):
            self.last_error = failed
            self.detail = f"{failure_reason(result)} {again}"
        else:
            self.last_error = ""
            self.clock.after_sync(result.clock_offset_ms)
            self.withdrawn.update(result.withdrawn)
            self.server_restored |= result.server_restored
            self.erased_work += result.erased_work
            self.erased_people += result.erased_people
            self.revoke_again_pending = result.revoke_again_pending
            if result.applied:
                self.window.refresh_after_sync()
            if self.may_manage_laptops:
                # The first sync of a session asks for the list of laptops whatever the mark
                # says: which laptops have no role is not part of it.
                self._learn_revocations(result.revocations, every=not self.roles_asked)
                self.roles_asked = True
        self.reached = not isinstance(result, Exception)
        self._status_generation += 1  # a reading from before the sync is out of date

        def shown(state: sync_uc.SyncStatus) -> None:
            self.show_status(state)
            self.sync_finished.emit(result)
            if self.again_after_running:
                self.again_after_running = False
                self.start()

        self.window.tasks.run(
            lambda: sync_uc.status(self.store), shown, lambda _exc: self.sync_finished.emit(result)
        )

    def _lock_revoked(self) -> None:
        """The server says this laptop is revoked: it may be a stolen one, open and unlocked,
        that stayed readable until the idle lock. Locked at once, as the idle lock does, the
        open forms' drafts saved now (the laptop may be switched off hard); the password
        unlocks it, and the status bar then says it was revoked and how it comes back."""
        self.revoked = True
        locker = getattr(self.window, "locker", None)
        if locker is not None:
            locker.lock()
            if locker.screen is not None:
                locker.screen.show_reason(_LOCKED_REVOKED)
        feature = getattr(self.window, "visits", None)
        for form in list(getattr(feature, "open_windows", ())):
            form.save_draft()

    def _learn_revocations(self, mark: str | None, *, every: bool = False) -> None:
        """After a sync that got through, on a coordinator's laptop: which laptops the server
        revoked, for the banner that asks to renew a key one of them holds. Asked of the server
        when its ``mark`` of them changed; a server that does not say (an older one) at the
        window's first sync and then at most every ``REVOCATIONS_EVERY_S``: it was asked after
        every sync, a request a minute. ``every``: asked whatever the mark (the window's first
        sync: the list also says which laptops have no role, ``NoRoleBanner``)."""
        if mark is None or every:
            now = time.monotonic()
            last = self.revocations_asked
            if last is not None and now - last < REVOCATIONS_EVERY_S:
                return
            self.revocations_asked = now

        def failed(_exc: Exception) -> None:
            # The next sync asks again; the Laptops dialog lists them too.
            self.revocations_asked = None
            self.roles_asked = False

        store, user = self.store, self.window.session.user
        self.window.tasks.run(
            lambda: sync_uc.learn_revocations(store, user, mark, every=every),
            lambda asked: self.refresh() if asked else None,
            failed,
        )

    # --- status --------------------------------------------------------------------------
    def refresh(self) -> None:
        """Read the status off the UI thread (counting a long outbox takes a while), then show
        it; an older reading that arrives late is dropped."""
        self._status_generation += 1
        generation = self._status_generation
        self.window.tasks.run(
            lambda: sync_uc.status(self.store),
            lambda state: (
                self.show_status(state) if generation == self._status_generation else None
            ),
            lambda _exc: None,  # the store is closing; the next refresh shows the state
        )

    def show_status(self, state: sync_uc.SyncStatus) -> None:
        self._shown_status = state
        self.devices_action.setEnabled(state.approved and self.may_manage_laptops)
        self.forgotten = bool(state.refused)
        self.revoked = state.refused == "revoked"
        again = state.joined and self.forgotten
        self.join_action.setEnabled(not state.joined or again)
        self._name_join_action()
        self.confirm_action.setEnabled(bool(state.unconfirmed_senders))
        self.sync_action.setEnabled(state.joined)
        self.fingerprint_action.setEnabled(state.joined)
        # A greyed entry says why in the menu's tooltip (a status tip: Qt shows none for it)
        self.fingerprint_action.setToolTip("" if state.joined else no_fingerprint_yet_note())
        self.sync_action.setToolTip("" if state.joined else not_joined_note())
        confirm_note, devices_note = greyed_laptop_entries_notes(state)
        self.confirm_action.setToolTip(confirm_note)
        self.devices_action.setToolTip(devices_note)
        self.waiting_for_approval = (
            state.joined and not state.approved and not state.unconfirmed_senders and not again
        )
        self.revoked_key.show_names(state.revoked_holding_key if self.may_manage_laptops else ())
        self.role_lowering.show_lowerings(state.role_lowerings, may_confirm=self.may_confirm)
        self.no_role.show_unset(
            len(state.laptops_without_role) if self.may_manage_laptops else 0,
            own=state.own_role_unset and self.window.session.user.role is Role.COORDINATOR,
            may_choose=self.may_manage_laptops,
        )
        if self.running:
            return
        if not state.joined:
            self.label.setText(_("Not connected to a server · all data stays on this laptop"))
            # Where it joins, for a coordinator who set up the organisation and did not yet.
            self.label.setToolTip(not_joined_note())
            return
        # A refusal kept from an earlier sync (a window opened since, or the command line's)
        # is said until a sync of this window has something to say.
        error = self.last_error or (refused_message(state.refused) if state.refused else "")
        # A long message (waiting for approval: what to compare) shows its first sentence
        # here and whole in the tooltip, so the counts after it stay in view.
        first, _dot, rest = error.partition(". ")
        head = first + "." if first and rest else first
        # Revoked, its changes are said to wait here for it to join again (below).
        kept_until_joined = again and state.refused == "revoked" and bool(state.pending_work)
        if again and state.refused == "revoked" and error == refused_message("revoked"):
            # Shorter still: its changes' count says what it means for them (1280 px).
            head, rest = _("This laptop is revoked"), error
        parts: list[str | tuple[str, str]] = []
        if head:
            parts.append(head)
        elif self.reached:
            parts.append(_("Online"))
        elif not state.last_success:
            parts.append(_("Not synced yet"))
        if again and not kept_until_joined:  # right after the refusal it answers, before the
            # counts (a narrow window squeezes the line's end away)
            parts.append(_("join again (File menu)"))
        if state.open_conflicts:  # what needs someone first
            n = state.open_conflicts
            parts.append(
                ngettext("{count} conflict to decide", "{count} conflicts to decide", n).format(
                    count=format_number(n)
                )
            )
        # Then what else is to be done, before the counts (a narrow window squeezes the
        # line's end away).
        senders = ", ".join(state.unconfirmed_senders)
        if senders and self.may_confirm:
            parts.append(_("confirm “{name}” by its fingerprint (File menu)").format(name=senders))
        elif senders:  # not this user's to do, nor offered to them
            parts.append(_("a coordinator has to log in to confirm “{name}”").format(name=senders))
        if state.own_key_refused:  # renewing again is refused again: who can help
            parts.append(
                _(
                    "the server holds another key for this laptop: tell your team's "
                    "administrator (File → Laptops of the organisation)"
                )
            )
        elif state.renewal_unfinished:
            parts.append(_("team key renewal not finished (File → Laptops of the organisation)"))
        synced = ""  # when the last sync that got through was
        if state.last_success:
            from desktop_app.domain.hlc import Timestamp

            synced = last_sync_time(Timestamp.parse(state.last_success).wall_ms / 1000)
        synced_tip = ""
        if self.offline and self.last_tried:
            # Offline, the line says when it last tried: it said only when the last sync that
            # got through was, and a laptop offline since the morning did not say whether it
            # was trying at all (that was in the tooltip only). The last sync that got through
            # is in the tooltip: both on the line took the name's room at 1100 and 1280 px.
            parts.append(_("last tried {time}").format(time=self.last_tried))
            if synced:
                synced_tip = _("Last successful sync: {time}.").format(time=synced)
            else:
                synced_tip = _(_NEVER_SYNCED)
        elif synced:
            template = _("last sync {time}") if parts else _("Last sync {time}")
            parts.append(template.format(time=synced))
        n = state.pending_work  # the user's changes: not the audit entries that go with them
        if kept_until_joined:
            # Not "to send": they cannot be, until the laptop has joined again (a revoked
            # laptop's user read that they would go, and a helper that they were lost).
            pending = ngettext(
                "{count} change kept on this laptop until it joins again (File menu)",
                "{count} changes kept on this laptop until it joins again (File menu)",
                n,
            )
        elif again and n:
            # The server forgot this laptop (restored from an older backup): they cannot go
            # before it has joined again, which the hint after the refusal says how to do.
            # "To send" read as if the next sync would send them.
            pending = ngettext(
                "{count} change kept on this laptop, sent once it has joined again",
                "{count} changes kept on this laptop, sent once it has joined again",
                n,
            )
        elif self.offline and n:
            # Short (the status bar of a 1280 px laptop): where the changes are, and that
            # nobody has to send them; what the user saves meanwhile in the tooltip.
            pending = ngettext(
                "{count} change kept on this laptop, sent when online",
                "{count} changes kept on this laptop, sent when online",
                n,
            )
        else:
            pending = ngettext("{count} change to send", "{count} changes to send", n)
        count = format_number(n)
        if self.offline and n and not again:
            # Where the line is too narrow: when they go is in the tooltip (``_OFFLINE_NEXT``).
            kept = ngettext(
                "{count} change kept on this laptop", "{count} changes kept on this laptop", n
            )
            parts.append((pending.format(count=count), kept.format(count=count)))
        else:
            parts.append(pending.format(count=count))
        if state.held_back:  # short here; why, and whom to ask, in the tooltip
            n = state.held_back
            parts.append(
                ngettext(
                    "{count} publication kept on this laptop",
                    "{count} publications kept on this laptop",
                    n,
                ).format(count=format_number(n))
            )
        if state.need_update:
            n = state.need_update
            parts.append(
                ngettext(
                    "{count} record from colleagues needs a newer version of Welcome Desk",
                    "{count} records from colleagues need a newer version of Welcome Desk",
                    n,
                ).format(count=format_number(n))
            )
        if self.withdrawn:
            parts.append(withdrawn_short(len(self.withdrawn)))
        if self.server_restored:
            parts.append(server_restored_short())
        if self.erased_work:
            parts.append(erased_work_short(self.erased_work))
        if self.revoke_again_pending:
            parts.append(revoke_again_pending_short())
        self.label.set_parts(parts)
        held = sync_message("publisher_not_coordinator") if state.held_back else ""
        withdrawn = [withdrawn_message(n, f) for n, f in sorted(self.withdrawn.items())]
        restored = server_restored_message() if self.server_restored else ""
        erased = (
            erased_work_message(self.erased_work, self.erased_people) if self.erased_work else ""
        )
        unrevoked = revoke_again_pending_message() if self.revoke_again_pending else ""
        self.label.setToolTip(
            "\n".join(
                t
                for t in (
                    error if rest else "",
                    self._revoked_next(state),
                    held,
                    *withdrawn,
                    restored,
                    erased,
                    unrevoked,
                    self.detail,
                    synced_tip,
                    self._coordinator_to_confirm(state),
                )
                if t
            )
        )

    def _revoked_next(self, state: sync_uc.SyncStatus) -> str:
        """For a revoked laptop (a stolen one, or one revoked by mistake): that what was
        recorded on it is kept, and how it comes back."""
        if not state.joined or state.refused != "revoked":
            return ""
        return _(_REVOKED_NEXT).format(join=_menu_path("&File", "&Join again…"))

    def _coordinator_to_confirm(self, state: sync_uc.SyncStatus) -> str:
        """For a user who may not confirm the coordinator's laptop while its key waits: who
        has to, and where (the status bar's short part says no more)."""
        if not state.unconfirmed_senders or self.may_confirm:
            return ""
        return coordinator_to_confirm(_menu_path("&File", "Con&firm the coordinator's laptop…"))

    def _name_join_action(self) -> None:
        again = self.forgotten  # only a laptop that has joined can be refused a sync
        self.join_action.setText(_("&Join again…") if again else _("&Join an organisation…"))

    def retranslate(self) -> None:
        self.label.setAccessibleName(_("Sync status"))
        self.sync_action.setText(_("&Sync now"))
        self._name_join_action()
        self.fingerprint_action.setText(_("This laptop's fi&ngerprint…"))
        self.confirm_action.setText(_("Con&firm the coordinator's laptop…"))
        self.devices_action.setText(_("Lap&tops of the organisation…"))
        self.conflicts_action.setText(_("&Conflicts to decide…"))
        if self._shown_status is not None:  # in the new language at once, not after a read
            self.show_status(self._shown_status)
        self.refresh()

    # --- dialogs -------------------------------------------------------------------------
    def _on_join_triggered(self) -> None:
        again = self.forgotten and sync_uc.is_joined(self.store)
        JoinDialog(self, self.window, again=again).open()

    def _on_devices_triggered(self) -> None:
        DevicesDialog(self, self.window).open()

    def open_fingerprint(self) -> FingerprintDialog:
        dialog = FingerprintDialog(self, self.window)
        dialog.open()
        return dialog

    def open_confirm_coordinator(self) -> ConfirmCoordinatorDialog:
        dialog = ConfirmCoordinatorDialog(self, self.window)
        dialog.open()
        return dialog

    def open_conflicts(self) -> ConflictsDialog:
        from desktop_app.ui.conflicts import ConflictsDialog

        dialog = ConflictsDialog(self, self.window)
        self.sync_finished.connect(dialog.after_sync)  # what a sync brings, listed while open
        # (the person's page counts what is left to decide once one is decided: the window's
        # ``person_data_saved``, which the dialog says, refreshes it, ``install_notice``)
        dialog.open()
        return dialog


class ServerCalls(QObject):
    """A dialog's calls to the sync server, run on the window's worker threads: the window and
    the dialog stay responsive while the server is slow or unreachable, and ``label`` and
    ``bar`` (for the dialog's layout) show that it is waiting."""

    busy_changed = Signal(bool)
    idle = Signal()  # the last call made has been answered

    def __init__(self, dialog: QDialog, window: MainWindow) -> None:
        super().__init__(dialog)  # goes with the dialog: no answer reaches a closed one
        self._window = window
        self._count = 0
        self.label = QLabel(_("Waiting for the sync server…"))
        self.bar = QProgressBar()
        self.bar.setRange(0, 0)  # busy: how long cannot be known
        self.bar.setTextVisible(False)
        self.bar.setAccessibleName(self.label.text())
        for widget in (self.label, self.bar):
            widget.hide()

    @property
    def busy(self) -> bool:
        return self._count > 0

    def run(
        self,
        call: Callable[[], Any],
        on_done: Callable[[Any], None],
        on_failed: Callable[[Exception], None],
    ) -> None:
        """``call`` on a worker thread; ``on_done(result)`` or ``on_failed(error)`` here
        afterwards, unless the dialog is gone by then."""

        def finished(callback: Callable[[Any], None], value: Any) -> None:
            if not shiboken6.isValid(self):
                return
            self._count -= 1
            self._changed()
            try:
                callback(value)
            finally:
                if not self._count:
                    self.idle.emit()

        self._count += 1
        self._changed()
        self._window.tasks.run(
            call,
            lambda result: finished(on_done, result),
            lambda exc: finished(on_failed, exc),
        )

    def _changed(self) -> None:
        for widget in (self.label, self.bar):
            widget.setVisible(self.busy)
        self.busy_changed.emit(self.busy)


# A join (the join dialog, the first-run wizard) that failed on the way to the server: nothing
# tries it again by itself, so the person is told that the laptop has not joined, that the
# same code still works, and to press Try again. After "The sync server cannot be reached.":
_JOIN_TRY_AGAIN = N_(
    "This laptop has not joined yet. Press Try again when the connection is back: the same "
    "code still works."
)
# A server fault: the sync's words ("it is tried again automatically") were untrue of a join.
_JOIN_SERVER_FAULT = N_(
    "The sync server has a fault. This laptop has not joined yet. Press Try again in a few "
    "minutes: the same code still works. If it lasts, tell your coordinator."
)
#: the join's button after such a failure (``join_failure``)
JOIN_TRY_AGAIN_BUTTON = N_("&Try again")


def join_failure(exc: Exception) -> tuple[str, bool]:
    """What a failed join says, and whether its button then offers Try again (the connection
    failed or dropped, or the server had a fault: the same registration goes again, and the
    same code joins; ``sync_uc.JoinAttempt``)."""
    if not may_get_through_later(exc):
        return server_call_failure(exc), False
    if isinstance(exc, ServerError):
        return _(_JOIN_SERVER_FAULT), True
    return f"{server_call_failure(exc)} {_(_JOIN_TRY_AGAIN)}", True


class JoinDialog(QDialog):
    """Joining a sync server; ``again``: a laptop the server no longer knows joins anew as a
    new device, keeping what it holds (``usecases.sync.join``)."""

    def __init__(self, controller: SyncController, parent: QWidget, *, again: bool = False) -> None:
        super().__init__(parent)
        self.controller = controller
        self.again = again
        self.setWindowTitle(
            _("Join the organisation again") if again else _("Join an organisation")
        )
        self.setMinimumWidth(460)
        state = sync_uc.status(controller.store) if again else None
        if state is not None and state.refused == "revoked":
            # A revoked laptop (lost or stolen, and found again) was told the server no longer
            # knew it, which is not what happened.
            intro = _(
                "This laptop was revoked, as a lost or stolen laptop is. If it is back with its "
                "team, join again with a new enrollment code from your coordinator: everything "
                "recorded on this laptop stays here and is sent once a coordinator has approved it."
            )
        else:
            intro = _(
                "The sync server no longer knows this laptop. Join again with a new enrollment "
                "code from your coordinator: everything recorded on this laptop stays here and "
                "is sent once a coordinator has approved it."
            )
        self.intro = QLabel(intro)
        self.intro.setWordWrap(True)
        self.intro.setVisible(again)
        # A first-run wizard cancelled before the laptop registered left what it was given.
        kept = QSettings()
        self.server = QLineEdit(
            state.server_url if state is not None else str(kept.value(KEY_JOIN_SERVER, "") or "")
        )
        self.server.setPlaceholderText("https://sync.example.org")
        self.code = QLineEdit()
        # Joining again, the name it had (the coordinator approving it recognises the laptop;
        # it was offered the computer's name, "vm" or "DESKTOP-4F2K", and listed under it).
        known = sync_uc.own_device_name(controller.store) if again else ""
        self.name = QLineEdit(
            known or str(kept.value(KEY_JOIN_NAME, "") or "") or socket.gethostname()
        )
        self.error = ErrorLabel()
        self.outcome = QLabel()
        self.outcome.setWordWrap(True)
        self.outcome.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        # Large and on one line, as on the first-run page: it is read out and compared, and
        # a fingerprint broken across two lines was easy to misread.
        self.joined_fingerprint = QLabel()
        self.joined_fingerprint.setStyleSheet(FINGERPRINT_STYLE)
        reachable_text(self.joined_fingerprint)  # reached by Tab
        self.joined_fingerprint.hide()
        self.next_steps = QLabel()
        self.next_steps.setWordWrap(True)
        self.next_steps.hide()
        form = QFormLayout()
        for text, widget in (
            (_("&Server address"), self.server),
            (_("&Enrollment code"), self.code),
            (_("&Name of this laptop"), self.name),
        ):
            label = QLabel(text)
            label.setBuddy(widget)
            widget.setAccessibleName(text.replace("&", ""))
            form.addRow(label, widget)
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Close
        )
        # Says what it does (an "OK" beside "Close" did not), with an access key of its own.
        self.buttons.button(QDialogButtonBox.StandardButton.Ok).setText(_("&Join"))
        self.buttons.accepted.connect(self._on_ok_clicked)
        # Escape pressed by reflex threw away the address and the code typed from a letter;
        # once joined they are spent, and Close closes at once (``_joined``).
        self.keeps_input = KeepsInput(
            self, lambda: (self.server.text(), self.code.text(), self.name.text())
        )
        self.buttons.rejected.connect(self.keeps_input.cancel)
        self.calls = ServerCalls(self, controller.window)
        self.calls.busy_changed.connect(self._show_busy)
        self.server.textEdited.connect(self._on_join_input_edited)
        self.code.textEdited.connect(self._on_join_input_edited)
        # Pressed again after a failure here, the join registers what it registered before
        # (the same code then joins; ``sync_uc.JoinAttempt``).
        self._attempt = sync_uc.JoinAttempt()
        layout = QVBoxLayout(self)
        layout.addWidget(self.intro)
        layout.addLayout(form)
        layout.addWidget(self.calls.label)
        layout.addWidget(self.calls.bar)
        layout.addWidget(self.error)
        layout.addWidget(self.outcome)
        layout.addWidget(self.joined_fingerprint)
        layout.addWidget(self.next_steps)
        layout.addWidget(self.buttons)

    def _on_ok_clicked(self) -> None:
        if self.calls.busy:
            return
        store = self.controller.store
        server, code, name = self.server.text(), self.code.text(), self.name.text()
        again, attempt = self.again, self._attempt
        self.error.show_message("")
        self.calls.run(
            lambda: sync_uc.join(store, server, code, name, again=again, attempt=attempt),
            self._joined,
            self._join_failed,
        )

    def _show_busy(self, busy: bool) -> None:
        for widget in (self.server, self.code, self.name):
            widget.setEnabled(not busy)
        self.buttons.button(QDialogButtonBox.StandardButton.Ok).setEnabled(
            not busy and not self.outcome.text()
        )

    def _join_failed(self, exc: Exception) -> None:
        # The connection dropped: it said "cannot be reached. Nothing was lost." beside "Join",
        # and the person did not know whether the laptop had joined or the code was spent.
        message, again = join_failure(exc)
        self.error.show_message(message)
        ok = self.buttons.button(QDialogButtonBox.StandardButton.Ok)
        ok.setText(_(JOIN_TRY_AGAIN_BUTTON) if again else _("&Join"))

    def _on_join_input_edited(self, _text: str) -> None:
        # Another address or code is another registration (``sync_uc.JoinAttempt``): what the
        # last one failed with, "the same code still works, press Try again" or "the server
        # does not accept this code", no longer holds, and stayed beside the corrected code.
        self.error.show_message("")
        self.buttons.button(QDialogButtonBox.StandardButton.Ok).setText(_("&Join"))

    def _joined(self, joined: Any) -> None:
        self.keeps_input.settled()  # what was typed did its work: nothing to lose by closing
        kept = QSettings()
        for key in (KEY_JOIN_SERVER, KEY_JOIN_NAME):
            kept.remove(key)
        own = sync_uc.fingerprint(self.controller.store)
        self.outcome.setText(_("Joined. Fingerprint of this laptop:"))
        show_fingerprint(self.joined_fingerprint, own).show()
        if joined.status != "approved":
            steps = NEXT_STEPS_AFTER_JOINING_AGAIN if self.again else NEXT_STEPS_AFTER_JOINING
            self.next_steps.setText(_(steps))
            self.next_steps.show()
        elif joined.is_coordinator and not self.again:
            # The organisation's first laptop: it said "Joined" and nothing more, and the
            # coordinator did not learn how the next laptops come in.
            self.next_steps.setText(_(NEXT_STEPS_AFTER_FIRST_JOIN))
            self.next_steps.show()
        if self.again:
            self.controller.forgotten = False  # joined: the menu offers no second re-join
        # Done: what was sent stays readable (and copyable), but neither looks editable nor
        # can be sent again, so nobody thinks changing it here changes the laptop's joining.
        for field in (self.server, self.code, self.name):
            field.setReadOnly(True)
            field.setFrame(False)
            field.setStyleSheet("QLineEdit { background: transparent; }")  # a value, not a box
        ok = self.buttons.button(QDialogButtonBox.StandardButton.Ok)
        ok.setEnabled(False)
        ok.hide()
        self.buttons.button(QDialogButtonBox.StandardButton.Close).setDefault(True)
        self.buttons.button(QDialogButtonBox.StandardButton.Close).setFocus()
        self.adjustSize()  # grown by the lines shown now, none of them cut off
        self.controller.refresh()


class FingerprintDialog(QDialog):
    """File → This laptop's fingerprint: to read out to the coordinator who approves this
    laptop, at any time after joining (and after a restart); with what comes next while the
    laptop waits for approval."""

    def __init__(self, controller: SyncController, parent: QWidget) -> None:
        super().__init__(parent)
        self.setWindowTitle(_("This laptop's fingerprint"))
        self.setMinimumWidth(460)
        self.intro = QLabel(_("Fingerprint of this laptop:"))
        self.fingerprint = show_fingerprint(QLabel(), sync_uc.fingerprint(controller.store))
        self.next_steps = QLabel(_(NEXT_STEPS_AFTER_JOINING))
        self.next_steps.setWordWrap(True)
        self.next_steps.setVisible(controller.waiting_for_approval)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(self.intro)
        layout.addWidget(self.fingerprint)
        layout.addWidget(self.next_steps)
        layout.addWidget(buttons)
        self.fingerprint.setFocus()


class ConfirmCoordinatorDialog(QDialog):
    """On a laptop being joined: the person types the fingerprint shown on the coordinator's
    laptop; only a match lets this laptop use the team key that laptop sent (the server cannot
    slip in a key of its own). The fingerprint is not shown here: it is to be compared."""

    def __init__(self, controller: SyncController, parent: QWidget) -> None:
        super().__init__(parent)
        self.controller = controller
        self.setWindowTitle(_("Confirm the coordinator's laptop"))
        self.setMinimumWidth(520)
        waiting = sync_uc.waiting_senders(controller.store)
        names = [w.device_name for w in waiting]
        if waiting and all(w.lowered_to for w in waiting):
            # Only laptops that lowered this laptop's role (``RoleLoweringBanner``).
            intro = _(
                "The laptop “{name}” changed this laptop's role. On that laptop, {laptops} "
                "shows its fingerprint at the top, in large type. Type that fingerprint here. "
                "This laptop takes the change only if they match."
            )
        else:
            intro = _(
                "The laptop “{name}” approved this laptop and sent it the team key. On that "
                "laptop, {laptops} shows its fingerprint at the top, in large type. Type that "
                "fingerprint here. This laptop uses the key only if they match."
            )
        self.intro = QLabel(
            intro.format(
                name=", ".join(names) or "—",
                # the coordinator's menu, which may be in another language than this reader's
                laptops=_menu_path_elsewhere("&File", "Lap&tops of the organisation…"),
            )
        )
        self.intro.setWordWrap(True)
        self.fingerprint = QLineEdit()
        self.fingerprint.setPlaceholderText("XXXX XXXX XXXX XXXX XXXX XXXX")
        label = QLabel(_("&Fingerprint shown on the coordinator's laptop"))
        label.setBuddy(self.fingerprint)
        self.fingerprint.setAccessibleName(label.text().replace("&", ""))
        self.error = ErrorLabel()
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        self.buttons.button(QDialogButtonBox.StandardButton.Ok).setText(_("C&onfirm"))
        self.buttons.accepted.connect(self._on_ok_clicked)
        # the fingerprint read off another laptop's screen, letter by letter
        self.keeps_input = KeepsInput(self, self.fingerprint.text)
        self.buttons.rejected.connect(self.keeps_input.cancel)
        layout = QVBoxLayout(self)
        layout.addWidget(self.intro)
        layout.addWidget(label)
        layout.addWidget(self.fingerprint)
        layout.addWidget(self.error)
        layout.addWidget(self.buttons)

    def showEvent(self, event: QShowEvent) -> None:
        grow_to_wrapped_lines(self)  # the intro lost its first and last lines in Bulgarian
        super().showEvent(event)

    def _on_ok_clicked(self) -> None:
        try:
            sync_uc.confirm_coordinator(
                self.controller.store, self.controller.window.session.user, self.fingerprint.text()
            )
        except sync_uc.SyncSetupError as exc:
            self.error.show_message(confirm_message(exc.code))
            self.fingerprint.setFocus()
            self.fingerprint.selectAll()
            return
        except PermissionDenied as exc:
            self.error.show_message(error_message(exc.code))
            return
        self.error.show_message("")
        self.accept()
        self.controller.last_error = ""
        if not self.controller.start():  # syncs under the key it now holds
            self.controller.refresh()


class DevicesDialog(QDialog):
    """Coordinator: the organisation's laptops; approve one after comparing fingerprints, revoke
    one (a lost or stolen laptop: the team key is renewed with it), renew the team key (and see
    which laptops the server lists that the team does not vouch for). Shows this laptop's own
    fingerprint, which a new laptop compares before it takes the key.

    Every call to the server runs on the window's worker threads: the window and this dialog
    stay responsive while the server is slow or unreachable, and show that they are waiting."""

    def __init__(self, controller: SyncController, parent: QWidget) -> None:
        super().__init__(parent)
        self.controller = controller
        self.calls = ServerCalls(self, controller.window)
        self.setWindowTitle(_("Laptops of the organisation"))
        # Wide enough for a line's name, status, fingerprint and version in German/Bulgarian.
        self.setMinimumWidth(640)
        # From this laptop's own key, never from the server's list; on a line of its own, large,
        # as the new laptop's person reads it from here.
        own = sync_uc.fingerprint(controller.store)
        template = _("Fingerprint of this laptop: {fp}")
        self.own_fingerprint = QLabel(
            html.escape(template).format(fp=f"<br><span style='{FINGERPRINT_STYLE}'>{own}</span>")
        )
        self.own_fingerprint.setTextFormat(Qt.TextFormat.RichText)
        self.own_fingerprint.setAccessibleName(template.format(fp=own))
        reachable_text(self.own_fingerprint)
        self.list = QListWidget()
        self.list.setAccessibleName(_("Laptops"))
        self._focus_before: QWidget | None = None  # while the server answers (``_show_busy``)
        # Until the server answers: a line or two, not a list's own 190 px (``_fit_lines``).
        self.list.setFixedHeight(3 * self.list.fontMetrics().lineSpacing())
        # A new laptop that joins while the dialog is open: the server's list is asked for
        # again. It was listed only when the dialog was opened anew, and the coordinator, on
        # the phone with whoever set up the replacement of a stolen laptop, saw nothing come.
        self.refresh_list = QPushButton(_("Refresh the &list"))
        # A revoked laptop chosen: what its revocation cost, whenever the list is read again
        # (said once, at the revocation, and gone at the next approval or on opening the
        # dialog anew, when the coordinator came back to see what was lost with it).
        self.revoked_note = QLabel()
        self.revoked_note.setWordWrap(True)
        self.revoked_note.setTextFormat(Qt.TextFormat.PlainText)  # names as the server gives
        self.revoked_note.hide()
        self.refresh_list.clicked.connect(self._on_refresh_list_clicked)
        # A replacement for a stolen laptop joins with a code from here: before, only whoever
        # runs the server could give one, and the coordinator had to call them first.
        self.new_code = QPushButton(_("New enrollment &code…"))
        self.new_code.clicked.connect(self._on_new_code_clicked)
        self.code_dialog: EnrollmentCodeDialog | None = None
        self.fingerprint = QLineEdit()
        self.fingerprint.setAccessibleName(_("Fingerprint shown on the new laptop"))
        self.fingerprint.setPlaceholderText("XXXX XXXX XXXX XXXX XXXX XXXX")
        # A label that stays while typing (the placeholder went at the first key), with an
        # access key of its own.
        self.fingerprint_label = QLabel(_("Fingerprint shown on the &new laptop:"))
        self.fingerprint_label.setBuddy(self.fingerprint)
        # Who uses the new laptop: no account on it works above this role. Nothing chosen for
        # the coordinator (``_on_list_current_changed``): a laptop handed to a student helper
        # had every coordinator's right over the organisation's data.
        self.role_label = QLabel(_("Who uses the new laptop?"))
        self.roles = QButtonGroup(self)
        self.role_buttons: dict[Role, QRadioButton] = {}
        role_row = QHBoxLayout()
        for role, text in (
            (Role.HELPER, _("&Student helpers")),
            (Role.ADVISOR, _("A&dvisors")),
            (Role.COORDINATOR, _("C&oordinators")),
        ):
            button = QRadioButton(text)
            button.setAccessibleDescription(self.role_label.text())
            self.roles.addButton(button)
            self.role_buttons[role] = button
            role_row.addWidget(button)
        role_row.addStretch(1)
        self.roles.buttonToggled.connect(self._update_buttons)
        self.role_note = QLabel(
            _(
                "No account on the new laptop works with more rights than this. To give the "
                "laptop a higher role later, it joins again with a new code."
            )
        )
        self.role_note.setWordWrap(True)
        self.approve = QPushButton(_("&Approve selected laptop"))
        self.approve.clicked.connect(self._on_approve_clicked)
        self.revoke = QPushButton(_("Re&voke selected laptop…"))
        self.revoke.clicked.connect(self._on_revoke_clicked)
        self.revoke_question: ConfirmQuestion | None = None
        self.change_role = QPushButton(_("C&hange role of selected laptop…"))
        self.change_role.clicked.connect(self._on_change_role_clicked)
        self.role_dialog: LaptopRoleDialog | None = None
        # Role changes begun here that the server or the network broke off: what is still to do.
        self.role_unfinished = QLabel()
        self.role_unfinished.setWordWrap(True)
        self.role_unfinished.setTextFormat(Qt.TextFormat.PlainText)  # names as the server gives
        self.role_unfinished.hide()
        self.unfinished_shown: list[sync_uc.UnfinishedRoleChange] = []
        # The laptop just approved for coordinators, or given a coordinator's role, here: once
        # listed again, whether the server made it a coordinator's (``_warn_if_member``).
        self.made_coordinator: str | None = None
        # A sync may drop those notes (``after_sync``): said while the dialog is open.
        controller.sync_finished.connect(self.after_sync)
        self.list.currentItemChanged.connect(self._on_list_current_changed)
        self.fingerprint.textChanged.connect(self._update_buttons)
        self.renew = QPushButton(_("&Renew the team key"))
        self.renew.clicked.connect(self._on_renew_clicked)
        # Laptops revoked by the server's operator, which renews no key: what is still to do.
        self.key_still_held = QLabel()
        self.key_still_held.setWordWrap(True)
        self.key_still_held.setTextFormat(Qt.TextFormat.PlainText)  # names as the team gave them
        self.key_still_held.hide()
        self.renewed = QLabel()
        self.renewed.setWordWrap(True)
        self.renewed.setTextFormat(Qt.TextFormat.PlainText)  # names as the server gives them
        self.renewed.hide()
        self.error = ErrorLabel()
        self.calls.busy_changed.connect(self._show_busy)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        # A new laptop's fingerprint typed, not yet approved with (approving clears it).
        self.keeps_input = KeepsInput(self, self.fingerprint.text)
        buttons.rejected.connect(self.keeps_input.cancel)
        layout = QVBoxLayout(self)
        layout.addWidget(self.own_fingerprint)
        layout.addWidget(self.list)
        layout.addWidget(self.revoked_note)
        layout.addWidget(self.fingerprint_label)
        layout.addWidget(self.fingerprint)
        layout.addWidget(self.role_label)
        layout.addLayout(role_row)
        layout.addWidget(self.role_note)
        layout.addWidget(self.approve)
        layout.addWidget(self.revoke)
        layout.addWidget(self.change_role)
        layout.addWidget(self.role_unfinished)
        layout.addWidget(self.key_still_held)
        layout.addWidget(self.renew)
        layout.addWidget(self.renewed)
        # Full width as the buttons above: beside Refresh the list and Close, its Bulgarian
        # text was cut off at the dialog's least width.
        layout.addWidget(self.new_code)
        layout.addWidget(self.calls.label)
        layout.addWidget(self.calls.bar)
        layout.addWidget(self.error)
        # Beside Close, before it as Tab goes: the fingerprint's label stays right under the list.
        bottom = QHBoxLayout()
        bottom.addWidget(self.refresh_list)
        bottom.addWidget(buttons, 1)
        layout.addLayout(bottom)
        self.list.setFocus()  # the fingerprint above can be reached with Shift+Tab and copied
        if sync_uc.own_key_refused(controller.store):  # refused as not this laptop's key
            # A refused renewal leaves its key unused here; an approval or a role change
            # refused so renews nothing.
            self._show_renewal_failed(
                [_(_NOT_RENEWED)] if sync_uc.renewal_unfinished(controller.store) else [],
                refusal_message(sync_uc.SENDER_NOT_UPLOADER),
            )
        elif sync_uc.renewal_unfinished(controller.store):  # broken off, here or earlier
            self._show_renewal_failed([_(_NOT_RENEWED_YET)], "")
        self._show_unfinished_roles()
        self.reload()

    @property
    def busy(self) -> bool:
        return self.calls.busy

    def _call_server(
        self,
        call: Callable[[], Any],
        on_done: Callable[[Any], None],
        on_failed: Callable[[Exception], None] | None = None,
    ) -> None:
        """``call`` off the UI thread; a failure is told in the user's words by default."""
        self.calls.run(call, on_done, on_failed or self._show_failure)

    def _show_busy(self, busy: bool) -> None:
        # The controls greyed while the server answers handed the focus on to Close, where it
        # stayed: the dialog opened with Close in focus, the laptops a Shift+Tab away, and
        # after an approval by keys (Alt+letter from a role) Enter closed the dialog. The focus
        # goes back where it was, or to the list where that is greyed now (Approve, once the
        # fingerprint is cleared; Revoke, once the laptop is revoked).
        if busy:
            self._focus_before = self.focusWidget()
        for widget in (self.list, self.refresh_list, self.fingerprint, self.renew):
            widget.setEnabled(not busy)
        for role, button in self.role_buttons.items():
            item = self.list.currentItem()
            only_coordinator = item is not None and bool(item.data(_COORDINATOR_CODE_ROLE))
            button.setEnabled(not busy and (not only_coordinator or role is Role.COORDINATOR))
        self._update_buttons()
        if not busy and self._focus_before is not None:
            before, self._focus_before = self._focus_before, None
            usable = shiboken6.isValid(before) and before.isEnabled() and before.isVisible()
            (before if usable else self.list).setFocus()

    def _show_failure(self, exc: Exception) -> None:
        self.error.show_message(server_call_failure(exc))

    def _on_refresh_list_clicked(self) -> None:
        if not self.busy:
            self.list.setFocus()  # where the laptop that joined is chosen
            self.reload()

    def _on_new_code_clicked(self) -> None:
        """Asks for the new laptop's name, then shows its code (window-modal, not blocking)."""
        dialog = EnrollmentCodeDialog(self.controller, self)
        self.code_dialog = dialog

        def closed(_result: int) -> None:
            self.code_dialog = None
            self.new_code.setFocus()

        dialog.finished.connect(closed)
        dialog.open()

    def reload(self) -> None:
        store, user = self.controller.store, self.controller.window.session.user
        self._call_server(lambda: sync_uc.list_devices(store, user), self._show_devices)

    def _show_devices(self, devices: list[Any]) -> None:
        current = self.list.currentItem()
        chosen = current.data(Qt.ItemDataRole.UserRole) if current is not None else None
        kept: QListWidgetItem | None = None
        waiting: QListWidgetItem | None = None
        self.list.clear()
        own = sync_uc.own_device_id(self.controller.store)
        begun = {c.device_id: c for c in sync_uc.unfinished_role_changes(self.controller.store)}
        names = {d.device_id: d.name for d in devices}
        for d in devices:
            status = _(DEVICE_STATUS.get(d.status, d.status))
            # Which laptops need an update before they can read what is published.
            version = d.app_version or "–"
            if d.app_version and is_older(d.app_version, __version__):
                version = _("{version} (older)").format(version=d.app_version)
            # For whom the coordinator last approved it, beside its status (the server's
            # word: the laptop itself goes by the role bound into its keys).
            role = (
                " · " + laptop_role_name(d.laptop_role)
                if d.laptop_role and d.status != "revoked"
                else " · " + no_role_yet()
                if sync_uc.has_no_role(d)
                else ""
            )
            approver = names.get(d.coordinator_approved_by or "")
            if approver is not None and d.status == "approved":
                # A coordinator's laptop by an approval (the server lets it manage laptops and
                # publish), not by a coordinator's code: lowering its role ends that. Beside its
                # role: on the line below (fingerprint, last sync) it outgrew an 800 px screen.
                # Made one by the role chosen for it once approved (before roles), it was not
                # approved by that laptop: the line said so all the same.
                by = (
                    _("(role set by “{name}”)")
                    if d.coordinator_role_chosen
                    else _("(approved by “{name}”)")
                )
                role += " " + by.format(name=approver)
            version_text = _("Version {version}").format(version=version)
            text = f"{d.name} · {status}{role} · {version_text}"
            last_sync = laptop_last_sync(d)
            if d.device_id == own:
                # Its fingerprint is at the top, in large type; its last sync in the status bar.
                text += " · " + _("this laptop")
            elif d.status != "pending":
                # A laptop waiting for approval is listed without its fingerprint: the one to
                # type is read off that laptop's own screen, never copied from the server's
                # answer here. The fingerprint on the line below: beside the name, status, role
                # and version the line was wider than an 800 px screen in Bulgarian.
                below = [d.fingerprint]
                if last_sync:
                    # Whose work may not have reached the team: a lost or stolen laptop's user
                    # lost what they recorded after this (the list said nothing of when, only
                    # the server's command line did).
                    below.append(_("Last sync {time}").format(time=last_sync))
                if d.status == "revoked" and getattr(d, "people_at_revocation", None) is not None:
                    # What it could hold, said where the revocation leaves no room below.
                    below.append(held_on_revoked_short(d.people_at_revocation))
                text += "\n" + _SECOND_LINE + SEPARATOR.join(below)
            item = QListWidgetItem(text)
            item.setData(Qt.ItemDataRole.UserRole, d.device_id)
            item.setData(_NAME_ROLE, d.name)
            item.setData(_LAST_SYNC_ROLE, last_sync)
            item.setData(_HELD_ROLE, laptop_held(d))
            item.setData(_REVOCABLE_ROLE, d.device_id != own and d.status != "revoked")
            item.setData(_OTHER_ROLE, d.device_id != own)
            item.setData(_PENDING_ROLE, d.status == "pending")
            item.setData(_COORDINATOR_CODE_ROLE, sync_uc.by_coordinator_code(d))
            item.setData(_LOWERABLE_ROLE, _lowerable_role(d, own, begun.get(d.device_id)))
            self.list.addItem(item)
            if d.device_id == chosen:
                kept = item
            if d.status == "pending" and waiting is None:
                waiting = item
        # The laptop to approve, chosen already: with none chosen, the coordinator typed its
        # fingerprint and "Approve" stayed grey, with nothing saying why. Else the one chosen
        # before stays chosen (after a revocation, an approval, a refresh): the keys stay on it.
        if kept is not None and (waiting is None or kept.data(_PENDING_ROLE)):
            self.list.setCurrentItem(kept)
        elif waiting is not None:
            self.list.setCurrentItem(waiting)
        self._fit_lines()
        self._update_buttons()
        self._warn_if_member(devices)
        # After the listing: it keeps the revocations the server reports in the team's records.
        holding = sync_uc.revoked_holding_team_key(self.controller.store)
        self.key_still_held.setText("\n".join(revoked_holding_key_message(n) for n in holding))
        self.key_still_held.setVisible(bool(holding))
        # The listing kept which laptops have no role: the window's banner says it anew.
        self.controller.refresh()

    def _warn_if_member(self, devices: list[Any]) -> None:
        """The laptop just approved for coordinators or given their role here, listed by the
        server as no coordinator's (a server from before it made such laptops coordinators'):
        its accounts have a coordinator's rights on it, but the server refuses it what only a
        coordinator's laptop may do. The audit entry said so ("coordinator's laptop on the
        server: no"); the dialog said only that it was done."""
        chosen, self.made_coordinator = self.made_coordinator, None
        device = next((d for d in devices if d.device_id == chosen), None)
        if device is None or device.status != "approved" or device.is_coordinator:
            return
        warning = _(
            "The server does not count “{name}” as a coordinator's laptop: it is of an older "
            "version. Its accounts have a coordinator's rights on that laptop, but the server "
            "refuses it what only a coordinator's laptop may do (manage laptops, publish the "
            "directory and the forms) until the server is updated."
        ).format(name=device.name)
        # Under what was done (kept above it), as a refusal is told.
        self.error.show_message(warning)

    def _fit_lines(self) -> None:
        """Wide enough for the longest line, up to the screen's width: at its 640 px the
        lines of a laptop with a longer name were cut off (its version, "this laptop") behind
        a sideways scroll bar, also on a 1366 px laptop."""
        metrics = self.list.fontMetrics()
        texts = [
            line for i in range(self.list.count()) for line in self.list.item(i).text().split("\n")
        ]
        widest = max((metrics.horizontalAdvance(t) for t in texts), default=0)
        if not widest:
            return
        layout = self.layout()
        margins = layout.contentsMargins() if layout is not None else QMargins()
        needed = (
            widest
            + 2 * self.list.frameWidth()
            + 4 * self.list.spacing()
            + self.list.verticalScrollBar().sizeHint().width()
            + metrics.averageCharWidth() * 2  # the item's own text margins
            + margins.left()
            + margins.right()
        )
        screen = self.screen().availableGeometry()
        width = min(needed, screen.width() - 40)
        if width > self.width():
            self.resize(width, self.height())
        # Every laptop in view, up to a dozen lines: the list kept the 90 px it had before the
        # answer, and of a team of four (two lines each) the stolen laptop's line, the one to
        # revoke, was cut off at the bottom, below half a dialog of empty room.
        # As high as its laptops and no higher: a list's own size hint (some 190 px) left a
        # gap under two or four of them, which the dialog grew to hold.
        rows = sum(self.list.sizeHintForRow(i) for i in range(self.list.count()))
        lines = 12 * metrics.lineSpacing()
        self.list.setFixedHeight(min(rows, lines) + 2 * self.list.frameWidth())
        if layout is not None:
            layout.activate()
        self.resize(self.width(), min(self.sizeHint().height(), screen.height() - 40))

    def _fit_height(self) -> None:
        """As high as its wrapped lines take at its width, the note under the list shown or
        not: the dialog kept its height, and the note, shown, was drawn over the laptops
        below the chosen one (the list is as high as its lines)."""
        layout = self.layout()
        if layout is None or not self.isVisible():
            return
        layout.activate()
        wanted = (
            layout.totalHeightForWidth(self.width())
            if layout.hasHeightForWidth()
            else self.sizeHint().height()
        )
        self.resize(self.width(), min(wanted, self.screen().availableGeometry().height() - 40))

    def chosen_role(self) -> Role | None:
        return next((r for r, b in self.role_buttons.items() if b.isChecked()), None)

    def _on_list_current_changed(self, *_args: object) -> None:
        """Another laptop chosen: its role is chosen anew. A laptop enrolled with a
        coordinator's code is a coordinator's (the server lets it manage laptops): only
        "Coordinators" fits, chosen already; for any other, nothing is."""
        item = self.list.currentItem()
        revoked = (
            item is not None and bool(item.data(_OTHER_ROLE)) and not item.data(_REVOCABLE_ROLE)
        )
        if item is not None and revoked:
            name, when = str(item.data(_NAME_ROLE)), str(item.data(_LAST_SYNC_ROLE) or "")
            unsent = unsent_on_revoked_laptop(name, when)
            self.revoked_note.setText(
                "\n".join(filter(None, (unsent, str(item.data(_HELD_ROLE) or ""))))
            )
            # Not twice: just revoked here, the message below says it already (what it could
            # hold is on its line in the list: a dialog grown by it outgrew a 700 px screen).
            revoked = self.renewed.isHidden() or unsent not in self.renewed.text()
        if revoked != self.revoked_note.isVisible():
            self.revoked_note.setVisible(revoked)
            self._fit_height()
        coordinator_code = item is not None and bool(item.data(_COORDINATOR_CODE_ROLE))
        self.roles.setExclusive(False)  # an exclusive group cannot uncheck its last button
        for role, button in self.role_buttons.items():
            button.setChecked(coordinator_code and role is Role.COORDINATOR)
            button.setEnabled(not coordinator_code or role is Role.COORDINATOR)
        self.roles.setExclusive(True)
        self._update_buttons()

    def _update_buttons(self, *_args: object) -> None:
        item = None if self.busy else self.list.currentItem()
        # Not this laptop (approving it told the coordinator to confirm their own laptop on
        # itself), only with a fingerprint typed to compare, and with who uses it chosen.
        ready = (
            item is not None
            and bool(item.data(_OTHER_ROLE))
            and bool(self.fingerprint.text().strip())
        )
        self.approve.setEnabled(ready and self.chosen_role() is not None)
        self.approve.setToolTip(
            _("Choose who uses the new laptop first.")
            if ready and self.chosen_role() is None
            else ""
        )
        self.revoke.setEnabled(item is not None and bool(item.data(_REVOCABLE_ROLE)))
        self.change_role.setEnabled(item is not None and bool(item.data(_LOWERABLE_ROLE)))

    def _on_approve_clicked(self) -> None:
        item = self.list.currentItem()
        if item is None or self.busy:
            return
        role = self.chosen_role()
        if role is None:
            return
        store, user = self.controller.store, self.controller.window.session.user
        device_id, typed = str(item.data(Qt.ItemDataRole.UserRole)), self.fingerprint.text()
        name = str(item.data(_NAME_ROLE))

        def approved(_result: object) -> None:
            self.error.show_message("")
            self.fingerprint.clear()  # for the next laptop, which has another
            self.made_coordinator = device_id if role is Role.COORDINATOR else None
            self.renewed.setText(
                _(
                    "“{name}” is approved and was sent the team key. Now the other way round: on "
                    "“{name}”, after its next sync, {confirm} asks for this laptop's fingerprint "
                    "(shown above)."
                ).format(
                    name=name,
                    confirm=_menu_path_elsewhere("&File", "Con&firm the coordinator's laptop…"),
                )
            )
            self.renewed.show()
            self.reload()

        self._call_server(
            lambda: sync_uc.approve_device(store, user, device_id, typed, role=role), approved
        )

    def _on_revoke_clicked(self) -> None:
        """Asks first (window-modal, not blocking): revoking cannot be undone."""
        item = self.list.currentItem()
        if item is None or not item.data(_REVOCABLE_ROLE):
            return
        device_id, name = str(item.data(Qt.ItemDataRole.UserRole)), str(item.data(_NAME_ROLE))
        last_sync = str(item.data(_LAST_SYNC_ROLE) or "")

        def answered(revoke: bool) -> None:
            question, self.revoke_question = self.revoke_question, None
            note = question.note.text() if question and question.note else ""
            if revoke:
                self._revoke_and_renew(device_id, name, last_sync, note)

        # A broken laptop's backup restored on its replacement: revoked as the broken one
        # "no longer in use", the replacement was refused too (help.py, coordinators' guide).
        replacement = _(
            "A laptop whose backup was restored on a replacement is the same laptop to the "
            "server: revoking it refuses the replacement too, which then joins again with a "
            "new enrollment code."
        )
        self.revoke_question = ask_to_confirm(
            self,
            _("Revoke laptop"),
            _(
                "Revoke “{name}”? It can no longer sync, and a new team key is made so that it "
                "cannot read anything written from now on. What it holds already cannot be "
                "taken back. This cannot be undone."
            ).format(name=name)
            + "\n\n"
            + replacement,
            _("Revoke and renew the team key"),
            answered,
            # Why, for the audit log: a coordinator reading it later (an insurer, the police,
            # the data protection officer) learnt only that a laptop was revoked.
            note=_("&Note for the audit log (optional), e.g. “stolen from a car on Monday”:"),
        )

    def _on_change_role_clicked(self) -> None:
        """Asks for the lower role in a dialog of its own (window-modal, not blocking)."""
        item = self.list.currentItem()
        if item is None or self.busy or not item.data(_LOWERABLE_ROLE):
            return
        device_id, name = str(item.data(Qt.ItemDataRole.UserRole)), str(item.data(_NAME_ROLE))
        current = str(item.data(_LOWERABLE_ROLE))
        dialog = LaptopRoleDialog(self, name, None if current == _NO_ROLE else Role(current))
        self.role_dialog = dialog

        def chosen(result: int) -> None:
            self.role_dialog = None
            role = dialog.chosen_role()
            if result == QDialog.DialogCode.Accepted and role is not None:
                self._lower_role(device_id, name, role)

        dialog.finished.connect(chosen)
        dialog.open()

    def _lower_role(self, device_id: str, name: str, role: Role) -> None:
        store, user = self.controller.store, self.controller.window.session.user

        def lowered(_result: object) -> None:
            self.error.show_message("")
            self.made_coordinator = device_id if role is Role.COORDINATOR else None
            self.renewed.setText(_(_LOWERED_TO[role]).format(name=name))
            self.renewed.show()
            self._show_unfinished_roles()
            self.reload()

        def failed(exc: Exception) -> None:
            self._show_failure(exc)
            self._show_unfinished_roles()  # broken off after some keys: still to be done
            self.reload()  # the server lists the new role from the first key on

        self._call_server(
            lambda: sync_uc.change_laptop_role(store, user, device_id, role), lowered, failed
        )

    def after_sync(self, result: object) -> None:
        """A sync drops the notes of role changes broken off here that another coordinator's
        laptop finished, or of laptops revoked since (``usecases.sync``): the dialog said them,
        and offered those laptops' roles again, until it was opened anew. The list is asked
        for again only when the notes changed."""
        if not isinstance(result, sync_uc.SyncReport) or not self.isVisible():
            return
        if sync_uc.unfinished_role_changes(self.controller.store) != self.unfinished_shown:
            self._show_unfinished_roles()
            if not self.busy:  # not beside a call under way; the notes are said all the same
                self.reload()

    def _show_unfinished_roles(self) -> None:
        changes = sync_uc.unfinished_role_changes(self.controller.store)
        self.unfinished_shown = changes
        self.role_unfinished.setText(
            "\n".join(
                _(
                    "Changing the role of “{name}” was broken off (the server or the network "
                    "failed). Change its role again to finish it."
                ).format(name=c.name)
                for c in changes
            )
        )
        self.role_unfinished.setVisible(bool(changes))

    def _revoke_and_renew(
        self, device_id: str, name: str, last_sync: str = "", note: str = ""
    ) -> None:
        store, user = self.controller.store, self.controller.window.session.user

        def revoked(device: Any) -> None:
            self.error.show_message("")
            # The server's answer is the latest word on its last sync (the list may be older).
            when = laptop_last_sync(device) or last_sync
            first = "\n".join(
                (
                    _("“{name}” is revoked: it can no longer sync.").format(name=name),
                    unsent_on_revoked_laptop(name, when),
                )
            )
            self._renew(first_line=first, then_reload=True)

        def failed(exc: Exception) -> None:
            message = failure_message(exc)
            if message is None or not isinstance(exc, _SERVER_FAILURES):
                self._show_failure(exc)
                return
            # Why it failed (the network, the server, a refusal), and that it is not done.
            self.error.show_message(
                message
                + "\n"
                + _("“{name}” may still sync: revoke it again here once this is solved.").format(
                    name=name
                )
            )

        self._call_server(
            lambda: sync_uc.revoke_device(store, user, device_id, note=note), revoked, failed
        )

    def _on_renew_clicked(self) -> None:
        if not self.busy:
            self._renew()

    def _renew(self, first_line: str = "", then_reload: bool = False) -> None:
        store, user = self.controller.store, self.controller.window.session.user
        lead = [first_line] if first_line else []

        def renewed(result: sync_uc.RotationResult) -> None:
            left_out = [(s.name, s.device_id, s.reason) for s in result.skipped]
            lines = [*lead, _("A new team key is in use."), *laptops_not_given_the_key(left_out)]
            if left_out:
                lines.append(
                    _(
                        "If one of them is a laptop of the team, compare its fingerprint and "
                        "approve it again here: it then receives every team key."
                    )
                )
            self.renewed.setText("\n".join(lines))
            self.renewed.show()
            self.key_still_held.hide()  # a renewal gives no revoked laptop the new key
            self.error.show_message("")
            self.controller.refresh()  # the status bar's reminder goes
            if then_reload:
                self.reload()

        def failed(exc: Exception) -> None:
            if isinstance(exc, RequestRefused) and exc.code == sync_uc.SENDER_NOT_UPLOADER:
                # Not "as soon as the server can be reached": it is, and refuses this laptop's
                # key until whoever runs it is told.
                self._show_renewal_failed([*lead, _(_NOT_RENEWED)], server_call_failure(exc))
            elif isinstance(exc, _SERVER_FAILURES):
                # Possibly half-way through: still to be done, revoked laptop or not.
                self._show_renewal_failed([*lead, _(_NOT_RENEWED_YET)], server_call_failure(exc))
            else:
                self._show_renewal_failed(lead, "")
                self._show_failure(exc)
            self.controller.refresh()  # the status bar reminds until it is done
            if then_reload:
                self.reload()

        self._call_server(lambda: sync_uc.rotate_team_key(store, user), renewed, failed)

    def _show_renewal_failed(self, lines: list[str], reason: str) -> None:
        """``lines``: what happened and what is still to do (none: only ``reason``)."""
        if lines:
            self.renewed.setText("\n".join(lines))
            self.renewed.show()
        if reason:
            self.error.show_message(reason)


# Said in the Laptops dialog once a laptop's role is lowered.
_LOWERED_TO = {
    Role.COORDINATOR: N_(
        "From its next sync on, “{name}” is a laptop for coordinators. What it has not sent yet "
        "is sent as usual."
    ),
    Role.HELPER: N_(
        "From its next sync on, “{name}” is a laptop for student helpers. What it has not sent "
        "yet is sent as usual."
    ),
    Role.ADVISOR: N_(
        "From its next sync on, “{name}” is a laptop for advisors. What it has not sent yet is "
        "sent as usual."
    ),
}


# ``_LOWERABLE_ROLE`` of a laptop approved before laptops had roles (``sync_uc.has_no_role``).
_NO_ROLE = "none"


def _lowerable_role(
    device: Any, own: str | None, begun: sync_uc.UnfinishedRoleChange | None = None
) -> str:
    """The role of an approved laptop whose role the Laptops dialog may lower, "" otherwise
    (this laptop, one waiting or revoked, one enrolled with a coordinator's code, one for
    student helpers already). Approved before roles (none listed): ``_NO_ROLE``. A change
    begun here and broken off (``begun``): the role it had, so that the same roles are offered
    again (the server lists the new one from its first key on); ``_NO_ROLE`` if it had none."""
    if device.device_id == own or device.status != "approved":
        return ""
    if sync_uc.by_coordinator_code(device):
        return ""
    if begun is not None:
        # A choice for a laptop with no role broken off: every role again, a coordinator's too.
        return _NO_ROLE if begun.unset else begun.before.value
    if sync_uc.has_no_role(device):
        return _NO_ROLE  # every role is offered, a coordinator's too
    role = device.laptop_role or Role.COORDINATOR.value
    return role if role in (Role.COORDINATOR.value, Role.ADVISOR.value) else ""


# What the person at the new laptop does with the code, and then the coordinator here.
_CODE_NEXT_STEPS = N_(
    "On the new laptop: at its first start choose “{join}” (on a laptop in use: {menu}), then "
    "type the server address {url} and this code.\n"
    "The new laptop then shows its fingerprint. Here, in the list of laptops ({refresh}), "
    "choose it, type the fingerprint it shows to compare, choose who uses it and approve it."
)


class EnrollmentCodeDialog(QDialog):
    """Coordinator: asks for a new laptop's name, gets a one-time code for it from the sync
    server and shows it large and selectable, with until when it is valid and what to do on
    the new laptop. The code is shown once: the server keeps only its hash, this laptop
    nothing."""

    def __init__(self, controller: SyncController, parent: QWidget) -> None:
        super().__init__(parent)
        self.controller = controller
        self.calls = ServerCalls(self, controller.window)
        self.setWindowTitle(_("New enrollment code"))
        self.setWindowModality(Qt.WindowModality.WindowModal)
        self.setMinimumWidth(560)
        intro = QLabel(
            _(
                "A new laptop joins the organisation with a one-time code. Whoever has the "
                "code can ask to join: the laptop still needs your approval here."
            )
        )
        intro.setWordWrap(True)
        self.name = QLineEdit()
        self.name.setMaxLength(100)
        self.name.setPlaceholderText(_("e.g. “Laptop 3”"))
        name_label = QLabel(_("&Name of the new laptop:"))
        name_label.setBuddy(self.name)
        self.name.setAccessibleName(name_label.text().replace("&", "").rstrip(":"))
        self.name.textChanged.connect(self._update_buttons)
        self.code = QLabel()
        self.code.setTextFormat(Qt.TextFormat.PlainText)
        self.code.setStyleSheet(FINGERPRINT_STYLE.replace("16pt", "22pt"))
        reachable_text(self.code)
        self.code.setAccessibleName(_("Enrollment code"))
        self.validity = QLabel()
        self.validity.setWordWrap(True)
        self.steps = QLabel()
        self.steps.setWordWrap(True)
        self.steps.setTextFormat(Qt.TextFormat.PlainText)
        reachable_text(self.steps)
        for widget in (self.code, self.validity, self.steps):
            widget.hide()
        self.error = ErrorLabel()
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        self.get = self.buttons.addButton(
            _("&Get the code"), QDialogButtonBox.ButtonRole.ActionRole
        )
        self.get.setDefault(True)
        self.get.clicked.connect(self._on_get_clicked)
        self.copy = self.buttons.addButton(
            _("&Copy the code"), QDialogButtonBox.ButtonRole.ActionRole
        )
        self.copy.clicked.connect(self._on_copy_clicked)
        self.copy.hide()
        self.buttons.rejected.connect(self.reject)
        self.calls.busy_changed.connect(self._update_buttons)
        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addWidget(name_label)
        layout.addWidget(self.name)
        layout.addWidget(self.code)
        layout.addWidget(self.validity)
        layout.addWidget(self.steps)
        layout.addWidget(self.calls.label)
        layout.addWidget(self.calls.bar)
        layout.addWidget(self.error)
        layout.addWidget(self.buttons)
        self.name.setFocus()
        self._update_buttons()

    @property
    def busy(self) -> bool:
        return self.calls.busy

    def _update_buttons(self, *_args: object) -> None:
        issued = self.code.isVisible() or bool(self.code.text())
        self.name.setReadOnly(self.busy or issued)
        self.get.setEnabled(not self.busy and not issued and bool(self.name.text().strip()))

    def _on_get_clicked(self) -> None:
        if self.busy or not self.get.isEnabled():
            return
        store, user = self.controller.store, self.controller.window.session.user
        name = self.name.text()
        self.error.show_message("")
        self.calls.run(
            lambda: sync_uc.issue_enrollment_code(store, user, name),
            self._show_code,
            self._show_failure,
        )

    def _show_failure(self, exc: Exception) -> None:
        self.error.show_message(server_call_failure(exc))
        self.name.setFocus()

    def _show_code(self, issued: sync_uc.IssuedEnrollmentCode) -> None:
        self.code.setText(issued.code)
        self.validity.setText(
            _("Valid until {moment}, for one laptop only.").format(
                moment=format_appointment(issued.expires_at.astimezone())
            )
        )
        url = sync_uc.server_url(self.controller.store)
        self.steps.setText(
            _(_CODE_NEXT_STEPS).format(
                join=_("Join an organisation"),
                menu=_menu_path_elsewhere("&File", "&Join an organisation…"),
                url=url,
                refresh=_("Refresh the &list").replace("&", ""),
            )
        )
        for widget in (self.code, self.validity, self.steps):
            widget.show()
        self.get.hide()
        self.copy.show()
        self._update_buttons()
        self.code.setFocus()  # read out, or selected and copied, by keys
        grow_to_wrapped_lines(self)

    def _on_copy_clicked(self) -> None:
        if self.code.text():
            QApplication.clipboard().setText(self.code.text())


class LaptopRoleDialog(QDialog):
    """Who uses an approved laptop from its next sync on: only the roles lower than the one it
    has are offered (a higher one takes joining again; ``usecases.sync.change_laptop_role``).
    ``current`` None: approved before laptops had roles, every role is offered."""

    def __init__(self, parent: QWidget, name: str, current: Role | None) -> None:
        super().__init__(parent)
        self.setWindowTitle(_("Change the role of a laptop"))
        self.setWindowModality(Qt.WindowModality.WindowModal)
        question = QLabel(_("Who uses “{name}” from its next sync on?").format(name=name))
        question.setTextFormat(Qt.TextFormat.PlainText)  # a name as the server gives it
        question.setWordWrap(True)
        self.roles = QButtonGroup(self)
        self.role_buttons: dict[Role, QRadioButton] = {}
        texts = {
            Role.COORDINATOR: _("&Coordinators"),
            Role.HELPER: _("&Student helpers"),
            Role.ADVISOR: _("A&dvisors"),
        }
        lower = (
            _ROLES_HIGHEST_FIRST
            if current is None
            else _ROLES_HIGHEST_FIRST[_ROLES_HIGHEST_FIRST.index(current) + 1 :]
        )
        for role in lower:
            button = QRadioButton(texts[role])
            button.setAccessibleDescription(question.text())
            self.roles.addButton(button)
            self.role_buttons[role] = button
        if len(lower) == 1:
            self.role_buttons[lower[0]].setChecked(True)  # the only choice
        note = QLabel(
            _(
                "Once that laptop has synced, no account on it works with more rights than "
                "this; its accounts and what it has not sent yet stay. Giving it more rights "
                "later takes joining again with a new enrollment code."
            )
        )
        note.setWordWrap(True)
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        self.ok = self.buttons.button(QDialogButtonBox.StandardButton.Ok)
        self.ok.setText(_("Change &role"))
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        self.roles.buttonToggled.connect(self._update_ok)
        layout = QVBoxLayout(self)
        layout.addWidget(question)
        for button in self.role_buttons.values():
            layout.addWidget(button)
        layout.addWidget(note)
        layout.addWidget(self.buttons)
        self.setMinimumWidth(420)
        self._update_ok()
        next(iter(self.role_buttons.values())).setFocus()

    def chosen_role(self) -> Role | None:
        return next((r for r, b in self.role_buttons.items() if b.isChecked()), None)

    def _update_ok(self, *_args: object) -> None:
        self.ok.setEnabled(self.chosen_role() is not None)


def install(window: MainWindow) -> None:
    from desktop_app.ui.conflicts import install_notice
    from desktop_app.ui.duplicates import install_duplicates_notice

    controller = window.sync = SyncController(window)  # type: ignore[attr-defined]
    # The people list says when the team's records are arriving (``ui/arrival.py``).
    controller.first_sync_started.connect(window.arrival.first_sync_started)
    controller.progress.connect(window.arrival.progress)
    controller.sync_finished.connect(window.arrival.sync_finished)
    window.conflict_notice = install_notice(window.sync)  # type: ignore[attr-defined]
    window.duplicate_notice = install_duplicates_notice(window.sync)  # type: ignore[attr-defined]

    def follow_role(_result: object) -> None:
        # A team key may have come with the role this laptop was approved for (or a lower
        # one at a renewal): the window follows, once this signal's other slots have run.
        from desktop_app.ui.accounts import follow_laptop_role

        QTimer.singleShot(0, window, lambda: follow_laptop_role(window))

    controller.sync_finished.connect(follow_role)
