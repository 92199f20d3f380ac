"""The main window's status bar: a message of what was just done stays readable beside who is
logged in and the sync status, on a narrow laptop too."""

from __future__ import annotations

from PySide6.QtCore import QEvent, QPoint, QRect, Qt
from PySide6.QtGui import QHelpEvent, QPainter, QPaintEvent, QResizeEvent, QShowEvent
from PySide6.QtWidgets import (
    QSizeGrip,
    QSizePolicy,
    QStatusBar,
    QStyle,
    QStyleOption,
    QToolTip,
    QWidget,
)

from desktop_app.ui.widgets import ElidingLabel

#: where Qt paints a message, from the left edge, and how far before the first permanent
#: widget it stops (``QStatusBarPrivate::messageRect``)
MESSAGE_LEFT = 6
MESSAGE_GAP = 2
#: room beyond the message's own width, so that it does not touch the widget beside it
MESSAGE_AIR = 8
#: Qt's spacing in the row of widgets: before the first, after the last, between two
#: (``QStatusBar::reformat``), and before the size grip
ROW_LEAD = 2
ROW_END = 4
ROW_SPACING = 6
GRIP_SPACING = 1
#: the least that is kept of who is logged in while a message shows, in average letters
NAME_LEAST_LETTERS = 12


class StatusBar(QStatusBar):
    """Qt's own status bar paints a message (``showMessage``) in the room its permanent widgets
    leave and cuts it off without a sign where that is too little: at 1024 px "Насочване
    WD-2026-12-DX5… е запи" beside "Logged in: …" and the sync status, the rest of what was
    just done not to be read anywhere.

    Here, while a message shows, the permanent widgets are held to the room the message
    leaves them: who is logged in (``name``) gives its room up first, down to its first
    letters (``NAME_LEAST_LETTERS``), so that the name stays in view; the sync status down
    to the least its own rules give it (its shorter forms, the counts whole). A message
    still too long ends in "…"; its tooltip and the status bar's accessible description hold
    all of it. Without a message the widgets have the room they had.

    The message stays Qt's (``showMessage``, ``currentMessage``, its timeout,
    ``messageChanged``): a label of its own for it, tried before, kept its room where it was
    hidden, and the name had none after the window was widened and narrowed again.

    The sync status is either whole or at its least (its shorter forms), never between,
    where its first word ends in "…": beside the message that an entry was merged on another
    laptop it showed "Offl… · zuletzt versucht …". A long message can come in a short form
    with the whole of it for the tooltip (``show_message``)."""

    def __init__(self) -> None:
        super().__init__()
        # As QMainWindow.statusBar() makes its own: the widgets' least widths must not hold
        # the window wider than the user made it (at 1366 px the sync status's whole line is
        # its least; back at 1100 px the window stayed 1219 px wide, the name given nothing).
        self.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Fixed)
        #: who is logged in: gives its room up first, never all of it
        self.name: ElidingLabel | None = None
        self._permanent: list[QWidget] = []
        #: the widths the permanent widgets are capped to while a message shows
        self._caps: dict[QWidget, int] = {}
        self._own_maximum: dict[QWidget, int] = {}
        #: the message shown by ``show_message`` and the whole of it, for the tooltip
        self._whole: tuple[str, str] = ("", "")
        self.messageChanged.connect(self._on_message_changed)

    def show_message(self, text: str, timeout: int = 0, whole: str = "") -> None:
        """``showMessage`` of ``text``, a short form of ``whole``: the tooltip over the message
        and the status bar's accessible description say ``whole`` while ``text`` shows (who
        merged an entry on another laptop, beside the sync status of a 1280 px laptop)."""
        self._whole = (text, whole) if whole and whole != text else ("", "")
        self.showMessage(text, timeout)
        self._on_message_changed(self.currentMessage())  # the same text again: no signal

    def whole_message(self) -> str:
        """The whole of the message shown: what ``show_message`` was given as its whole, else
        the message itself."""
        message = self.currentMessage()
        text, whole = self._whole
        return whole if message and message == text else message

    # --- widgets -------------------------------------------------------------------------
    def addPermanentWidget(self, widget: QWidget, stretch: int | None = 0) -> None:
        super().addPermanentWidget(widget, stretch or 0)
        self._permanent.append(widget)
        self._maximum(widget)
        self._make_room()

    def removeWidget(self, widget: QWidget) -> None:
        super().removeWidget(widget)
        if widget in self._permanent:
            self._permanent.remove(widget)
            widget.setMaximumWidth(self._own_maximum.pop(widget, widget.maximumWidth()))
        self._make_room()

    # --- the message's room ----------------------------------------------------------------
    def message_rect(self) -> QRect:
        """Where the message is painted: from the left to just before the first permanent
        widget shown (as Qt paints it)."""
        right = self.width() - 12
        grip = self.findChild(QSizeGrip)
        if grip is not None and grip.isVisible():
            right = grip.x()
        first = next((w for w in self._permanent if w.isVisible()), None)
        if first is not None:
            right = min(right, first.x() - MESSAGE_GAP)
        return QRect(MESSAGE_LEFT, 0, max(0, right - MESSAGE_LEFT), self.height())

    def message_elided(self) -> bool:
        message = self.currentMessage()
        return self.fontMetrics().horizontalAdvance(message) > self.message_rect().width()

    def shown_message(self) -> str:
        """What is painted of the message in the room it has."""
        message = self.currentMessage()
        if not self.message_elided():
            return message
        width = self.message_rect().width()
        shown = self.fontMetrics().elidedText(message, Qt.TextElideMode.ElideRight, width)
        return "" if shown == "…" else shown

    def _name_least(self) -> int:
        name = self.name
        if name is None or name.isHidden():
            return 0
        metrics = name.fontMetrics()
        hint = name.sizeHint().width()
        margins = hint - metrics.horizontalAdvance(name.text())
        short = metrics.horizontalAdvance(name.shorter or name.text()) + margins
        return min(hint, short, NAME_LEAST_LETTERS * metrics.averageCharWidth() + margins)

    def _make_room(self) -> None:
        """While a message shows, the permanent widgets take at most the room it leaves them,
        and the stretch before them the rest. The name gives its room up first, down to its
        least. The others (the sync status) keep their whole width where the message fits
        whole beside it; else they take their least (the sync status's shorter forms, all
        of it readable), never a width between, where the sync status's first word ends in
        "…" ("Onli… · zuletzt synchronisiert 15:59 ·…"); the name has what that leaves.
        Where the message does not fit whole even so, it has all the room beyond their
        least, as much of it as fits. Without a message, they have what they had."""
        message = self.currentMessage()
        shown = [w for w in self._permanent if not w.isHidden()]
        caps: dict[QWidget, int] = {}
        if message and shown and self.isVisible():
            name = self.name if self.name in shown else None
            least = self._name_least() if name is not None else 0
            others = [w for w in shown if w is not name]
            lows = {w: self._least(w) for w in others}
            highs = {w: max(lows[w], min(w.sizeHint().width(), self._maximum(w))) for w in others}
            grip = self.findChild(QSizeGrip)
            total = self.width()
            if grip is not None and grip.isVisible():
                layout = self.layout()
                spacing = layout.spacing() if layout is not None else 0
                total = grip.x() - spacing - GRIP_SPACING
            # Qt's own spacing before, after and between the widgets (``QStatusBar::reformat``)
            total -= ROW_LEAD + ROW_END + ROW_SPACING * (len(shown) - 1)
            want = self.fontMetrics().horizontalAdvance(message) + MESSAGE_LEFT + MESSAGE_AIR
            whole = want + least + sum(highs.values()) <= total
            caps.update(highs if whole else lows)
            room = max(0, min(want, total - least - sum(caps.values())))
            if name is not None:
                caps[name] = min(self._maximum(name), max(least, total - room - sum(caps.values())))
        if caps == self._caps:
            return
        self._caps = caps
        for widget in self._permanent:
            widget.setMaximumWidth(caps.get(widget, self._maximum(widget)))
        if self.name is not None:
            # its least kept, though it yields its whole width where no message shows
            self.name.setMinimumWidth(min(caps.get(self.name, 0), self._name_least()))

    @staticmethod
    def _least(widget: QWidget) -> int:
        """The least width ``widget`` keeps beside a message: its own ``least_width()`` where
        it has one (the sync status: its shorter forms), else its minimum."""
        least = getattr(widget, "least_width", None)
        hint = least() if callable(least) else widget.minimumSizeHint().width()
        return max(hint, widget.minimumWidth())

    def _maximum(self, widget: QWidget) -> int:
        """The widget's own maximum width, before any cap of a message's."""
        return self._own_maximum.setdefault(widget, widget.maximumWidth())

    def _on_message_changed(self, message: str) -> None:
        if message != self._whole[0]:
            self._whole = ("", "")  # another message, or none: its whole is not this one's
        # read by a screen reader, and whole where the painted one ends in "…"
        self.setAccessibleDescription(self.whole_message())
        self._make_room()
        self.update()

    # --- events --------------------------------------------------------------------------
    def event(self, event: QEvent) -> bool:
        if event.type() == QEvent.Type.LayoutRequest:
            # a widget's text changed (the sync status): its least with it
            self._make_room()
        elif event.type() == QEvent.Type.ToolTip:
            assert isinstance(event, QHelpEvent)
            tip = self.tooltip_at(event.pos())
            if tip:
                QToolTip.showText(event.globalPos(), tip, self, self.message_rect())
                return True
        return super().event(event)

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        self._make_room()

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        self._make_room()

    def paintEvent(self, event: QPaintEvent) -> None:
        if not self.currentMessage() or not self.message_elided():
            super().paintEvent(event)
            return
        # As Qt paints the bar, but the message ends in "…" rather than mid-word.
        painter = QPainter(self)
        style = self.style()
        option = QStyleOption()
        option.initFrom(self)
        style.drawPrimitive(QStyle.PrimitiveElement.PE_PanelStatusBar, option, painter, self)
        for widget in self._permanent:
            if widget.isVisible():
                frame = QStyleOption()
                frame.rect = widget.geometry().adjusted(-2, -1, 2, 1)
                frame.palette = self.palette()
                style.drawPrimitive(
                    QStyle.PrimitiveElement.PE_FrameStatusBarItem, frame, painter, widget
                )
        painter.setPen(self.palette().windowText().color())
        flags = (
            Qt.AlignmentFlag.AlignLeading
            | Qt.AlignmentFlag.AlignVCenter
            | Qt.TextFlag.TextSingleLine
        )
        painter.drawText(self.message_rect(), int(flags.value), self.shown_message())

    def tooltip_at(self, pos: QPoint) -> str:
        """The tooltip shown at ``pos``: the whole message where its painted one is elided, or
        where it is the short form of a longer one (``show_message``)."""
        message = self.currentMessage()
        if not message or not self.message_rect().contains(pos):
            return ""
        whole = self.whole_message()
        return whole if whole != message or self.message_elided() else ""
