"""The coordinator's notice of requests about personal data that are overdue or due within the
week: an amber banner above the list and the person's page, with a button to the register.
Read at login, again whenever the register may have changed (a data copy, an erasure, an
answer recorded, a request recorded, a sync) and just after each local midnight (what is due
is counted by the day); it goes once no request is due any more, or when hidden, until more
are due than when it was hidden."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import TYPE_CHECKING

from PySide6.QtCore import QEvent, QObject, Qt, QTimer
from PySide6.QtWidgets import QPushButton, QWidget

from desktop_app.i18n.formatting import format_number
from desktop_app.i18n.text import _, ngettext
from desktop_app.ui.banner import WarningBanner
from desktop_app.usecases import data_rights
from desktop_app.usecases.data_rights import RequestsDue

if TYPE_CHECKING:
    from desktop_app.ui.main_window import MainWindow

NONE_DUE = RequestsDue(0, 0)
# The midnight reading comes this long after midnight: a timer a moment early would count the
# day before again.
AFTER_MIDNIGHT_MS = 1_000


def local_now() -> dt.datetime:
    """The local time, with its offset from UTC (the notice's clock)."""
    return dt.datetime.now().astimezone()


def ms_until_next_day(now: dt.datetime) -> int:
    """From ``now`` (local, with its offset) to ``AFTER_MIDNIGHT_MS`` past the next local
    midnight, in real milliseconds: the day the clocks go forward or back included."""
    midnight = dt.datetime.combine(now.date() + dt.timedelta(days=1), dt.time()).astimezone()
    return max(0, round((midnight - now).total_seconds() * 1000)) + AFTER_MIDNIGHT_MS


def requests_due_text(due: RequestsDue) -> str:
    """What a coordinator is told of the open requests about personal data that are overdue
    or due within the week ("" when none)."""
    parts = []
    if due.overdue:
        parts.append(
            ngettext(
                "{count} request about personal data is overdue",
                "{count} requests about personal data are overdue",
                due.overdue,
            ).format(count=format_number(due.overdue))
        )
    if due.due_soon:
        parts.append(
            ngettext(
                "{count} request about personal data is due within 7 days",
                "{count} requests about personal data are due within 7 days",
                due.due_soon,
            ).format(count=format_number(due.due_soon))
        )
    if not parts:
        return ""
    return _("{what}. An answer is due within one month of receipt.").format(what="; ".join(parts))


class RequestsDueBanner(WarningBanner):
    """How many requests are overdue and due soon; "Show requests…" and "Hide notice"."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__("requests_due_banner", parent)
        self.text.setTextFormat(Qt.TextFormat.PlainText)
        self.open_button = QPushButton()
        self.open_button.setObjectName("open_register")
        self.hide_button = QPushButton()
        self.hide_button.setObjectName("hide_requests_due")
        for button in (self.open_button, self.hide_button):
            button.setAutoDefault(False)
            self.row.addWidget(button, 0, Qt.AlignmentFlag.AlignVCenter)

    def show_due(self, due: RequestsDue) -> None:
        text = requests_due_text(due)
        self.text.setText(text)
        self.setAccessibleName(_("Warning"))
        self.setAccessibleDescription(text)
        self.text.setAccessibleName(text)
        self.open_button.setText(_("Show re&quests…"))
        # Whoever lands on a button with a screen reader hears what it is about.
        self.open_button.setAccessibleDescription(text)
        self.hide_button.setText(_("Hide noti&ce"))
        self.hide_button.setAccessibleDescription(text)
        self.hide_button.setToolTip(
            _("Hide this notice until more requests are due. The register stays in the menu.")
        )

    def plain_text(self) -> str:
        return self.text.text()


class RequestsDueNotice(QObject):
    """Keeps the banner as ``data_rights.requests_due`` says, read off the UI thread.

    What is overdue or due within the week changes with the date, not only with the register:
    a window left open overnight reads it again just after midnight. A single-shot timer to the
    next local midnight, armed afresh at every reading (its clock is the wall clock of then),
    does no work all day; the program has no periodic point to hang a date check on that runs
    on every laptop (the sync's minute runs only on a laptop that joined a server)."""

    def __init__(
        self,
        window: MainWindow,
        open_register: Callable[[], None],
        clock: Callable[[], dt.datetime] = local_now,
    ) -> None:
        super().__init__(window)
        self.window = window
        self.clock = clock  # local time with its offset; the day it gives is the one counted
        self.due = NONE_DUE
        # What was due when the notice was hidden (None: not hidden): it stays hidden while
        # no more are due than then.
        self.hidden_at: RequestsDue | None = None
        self.banner = RequestsDueBanner()
        self.banner.open_button.clicked.connect(open_register)
        self.banner.hide_button.clicked.connect(self._on_hide_clicked)
        window.add_banner(self.banner)
        window.retranslated.connect(self._show)
        self._generation = 0
        self.midnight = QTimer(self)
        self.midnight.setSingleShot(True)
        # Qt's default (coarse) timer may fire up to 5 % of its interval late: over an hour
        # after midnight for a reading the morning before.
        self.midnight.setTimerType(Qt.TimerType.PreciseTimer)
        self.midnight.timeout.connect(self.check)
        # The day last counted: a laptop asleep over midnight (its timer's clock stood still
        # meanwhile) counts again when its window is next activated, at the unlock after it.
        self.counted_day: dt.date | None = None
        window.installEventFilter(self)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if (
            event.type() == QEvent.Type.WindowActivate
            and self.counted_day is not None
            and self.clock().date() != self.counted_day
        ):
            self.check()
        return False

    def check(self, *_args: object) -> None:
        """Read the register again (at login, after whatever may have answered or added a
        request, and just after midnight); the latest reading asked for is the one shown."""
        self._generation += 1
        generation, session = self._generation, self.window.session
        now = self.clock()
        store, user, today = session.store, session.user, now.date()
        self.counted_day = today
        self.midnight.start(ms_until_next_day(now))

        def read(due: RequestsDue) -> None:
            if generation == self._generation:
                self.due = due
                self._show()

        self.window.tasks.run(
            lambda: data_rights.requests_due(store, user, today), read, lambda _e: None
        )

    def _on_hide_clicked(self) -> None:
        self.hidden_at = self.due
        self._show()
        # The focus was on the button just hidden: back to the list's search.
        self.window.search.setFocus(Qt.FocusReason.OtherFocusReason)

    def _show(self) -> None:
        due, hidden = self.due, self.hidden_at
        any_due = bool(due.overdue or due.due_soon)
        if not any_due:
            self.hidden_at = None  # none due: the next one due is said again
        elif hidden is not None and (
            due.overdue > hidden.overdue or due.due_soon > hidden.due_soon
        ):
            self.hidden_at = hidden = None
        if any_due:
            self.banner.show_due(due)
        self.banner.setVisible(any_due and hidden is None)


def requests_changed(window: QWidget) -> None:
    """The register of requests may have changed (a request answered or recorded): the
    window's notice, if it has one (only for the roles that keep the register), reads it
    again."""
    notice = getattr(window, "requests_due_notice", None)
    if isinstance(notice, RequestsDueNotice):
        notice.check()
