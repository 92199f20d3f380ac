"""While a sync receives the team's records, an empty people list or search says they are still
arriving, and registering someone during the laptop's first sync asks first: a new laptop said
"0 people registered", and a helper registered again a person the other laptops held. During
the first sync the list says so whenever it is shown, and is read again every few seconds."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QObject, QTimer, Signal
from PySide6.QtWidgets import QMessageBox, QWidget

from desktop_app.i18n.formatting import format_number
from desktop_app.i18n.text import N_, _, ngettext
from desktop_app.ui.widgets import ask_to_confirm

#: during a first sync, how often the people list is read again while pages arrive (ms)
LIST_EVERY_MS = 3_000


class RecordsArrival(QObject):
    """What the window's sync tells of the records it receives (``ui/sync_status.install``
    connects it): all of them, in a first sync, from its start to its end; in any other sync,
    as long as its pull has pages to go."""

    changed = Signal()
    # During a first sync, records have arrived since the list was last read: at most once
    # every ``LIST_EVERY_MS``, not at every page (a page is some 500 records).
    list_due = Signal()

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.first = False  # the sync running is this laptop's first
        self.receiving = False
        self.done = self.total = 0  # the pull's progress, as the sync reports it
        self._asked = False  # registering during a first sync asks once
        self.question: QMessageBox | None = None  # the one asked, while it is open
        self.list_timer = QTimer(self)
        self.list_timer.setSingleShot(True)
        self.list_timer.setInterval(LIST_EVERY_MS)
        self.list_timer.timeout.connect(self._on_list_timer_timeout)

    # --- slots the sync's signals are connected to ----------------------------------------
    def first_sync_started(self) -> None:
        self.first = self.receiving = True
        self.done = self.total = 0
        self.changed.emit()

    def progress(self, phase: str, done: int, total: int) -> None:
        if phase != "pull":
            return
        self.done, self.total = done, total
        self.receiving = self.first or done < total
        if self.first and not self.list_timer.isActive():
            self.list_timer.start()
        self.changed.emit()

    def sync_finished(self, _result: Any) -> None:
        was = self.receiving
        self.first = self.receiving = False
        self.done = self.total = 0
        self.list_timer.stop()  # the window reads the list once more now (refresh_after_sync)
        if was:
            self.changed.emit()

    def _on_list_timer_timeout(self) -> None:
        if self.first:
            self.list_due.emit()

    # --- what the window says -------------------------------------------------------------
    def percent(self) -> int | None:
        """How much of the pull has come, where the sync knows how much there is."""
        return 100 * min(self.done, self.total) // self.total if self.total else None

    def empty_list_text(self) -> str:
        """What an empty people list says now: "" unless records are arriving."""
        return self._arriving(
            N_(
                "Nobody registered here yet: the team's records are still arriving. The list "
                "fills in when the sync has finished."
            ),
            N_(
                "Nobody registered here yet: the team's records are still arriving ({percent}%). "
                "The list fills in when the sync has finished."
            ),
        )

    def nobody_found_text(self) -> str:
        """What a search that found nobody says now: "" unless records are arriving."""
        return self._arriving(
            N_(
                "Nobody found yet: the team's records are still arriving. The search runs "
                "again when the sync has finished."
            ),
            N_(
                "Nobody found yet: the team's records are still arriving ({percent}%). The search "
                "runs again when the sync has finished."
            ),
        )

    def registered_so_far_text(self, count: int) -> str:
        """What a list of ``count`` people says during the laptop's first sync: "" otherwise.
        A search cleared meanwhile said "1,204 people registered", as if that were all."""
        if not self.first:
            return ""
        return self._so_far(
            count,
            ngettext(
                "{count} person registered so far: the team's records are still arriving.",
                "{count} people registered so far: the team's records are still arriving.",
                count,
            ),
            ngettext(
                "{count} person registered so far: the team's records are still arriving "
                "({percent}%).",
                "{count} people registered so far: the team's records are still arriving "
                "({percent}%).",
                count,
            ),
        )

    def found_so_far_text(self, count: int) -> str:
        """What a search that found ``count`` people says during the laptop's first sync: ""
        otherwise (more of them may be among the records still to come)."""
        if not self.first:
            return ""
        return self._so_far(
            count,
            ngettext(
                "{count} found so far: the team's records are still arriving.",
                "{count} found so far: the team's records are still arriving.",
                count,
            ),
            ngettext(
                "{count} found so far: the team's records are still arriving ({percent}%).",
                "{count} found so far: the team's records are still arriving ({percent}%).",
                count,
            ),
        )

    def _so_far(self, count: int, text: str, with_share: str) -> str:
        """``text`` (translated) with ``count``, or ``with_share`` where the share is known."""
        percent = self.percent()
        template = text if percent is None else with_share
        return template.format(count=format_number(count), percent=percent)

    def _arriving(self, text: str, with_share: str) -> str:
        """``text`` translated, or ``with_share`` with how much has come where that is known;
        "" while no records are arriving."""
        if not self.receiving:
            return ""
        percent = self.percent()
        return _(text) if percent is None else _(with_share).format(percent=percent)

    def ask_before_registering(self, parent: QWidget, register: Callable[[], Any]) -> bool:
        """During the laptop's first sync, once: ask whether to wait for the team's records
        (window-modal, not blocking), and ``register()`` if the user goes ahead. False if
        nothing is asked (then the caller registers at once)."""
        if not self.first or self._asked:
            return False
        self._asked = True

        def answered(go_ahead: bool) -> None:
            self.question = None
            if go_ahead:
                register()

        self.question = ask_to_confirm(
            parent,
            _("Register a person"),
            _(
                "This laptop is receiving the team's records for the first time. The person "
                "may have been registered on another laptop already and be among them. Wait "
                "until the sync has finished and search for them then, or register them anyway."
            ),
            _("Register anyway"),
            answered,
            cancel=_("Wait"),
        )
        return True
