"""The window's warning of a wrong clock: an amber banner above the list and the person's page
until a sync finds the clock right. The advisor may hide it for the session; a short note in
the status bar then stays, and brings the banner back."""

from __future__ import annotations

import html
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, QSize, Qt
from PySide6.QtWidgets import QPushButton, QStyle, QWidget

from desktop_app.domain.clock_check import ClockNotice
from desktop_app.i18n.messages import clock_indicator, clock_warning_parts
from desktop_app.i18n.text import _
from desktop_app.ui.banner import WarningBanner
from desktop_app.ui.error_label import WARNING_BACKGROUND, WarningLabel

if TYPE_CHECKING:
    from desktop_app.ui.main_window import MainWindow


class ClockBanner(WarningBanner):
    """What is wrong (bold), what to do, and "Hide"; there is nothing to close: it stays while
    the clock is wrong."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__("clock_banner", parent)
        self.text.setTextFormat(Qt.TextFormat.RichText)
        self.hide_button = QPushButton()
        self.hide_button.setAutoDefault(False)
        self.row.addWidget(self.hide_button, 0, Qt.AlignmentFlag.AlignVCenter)

    def show_warning(self, offset_ms: int) -> None:
        lead, advice = clock_warning_parts(offset_ms)
        escape = html.escape
        self.text.setText(f"<b>{escape(lead, quote=False)}</b> {escape(advice, quote=False)}")
        plain = f"{lead} {advice}"
        self.setAccessibleName(_("Warning"))
        self.setAccessibleDescription(plain)
        self.text.setAccessibleName(plain)
        self.hide_button.setText(_("Hide &warning"))
        # Whoever lands on the button with a screen reader hears what it hides.
        self.hide_button.setAccessibleDescription(plain)
        self.hide_button.setToolTip(
            _("Hide the warning for now: the status bar keeps a short note that shows it again.")
        )

    def plain_text(self) -> str:
        return self.text.accessibleName()


class ClockIndicator(QPushButton):
    """In the status bar while the banner is hidden: which way and how far the clock is off;
    activating it (click, Space or Enter) shows the banner again."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("clock_indicator")
        self.setFlat(True)
        self.setAutoDefault(False)
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self.setCursor(Qt.CursorShape.PointingHandCursor)
        small = self.style().pixelMetric(QStyle.PixelMetric.PM_SmallIconSize, None, self)
        self.setIcon(self.style().standardIcon(QStyle.StandardPixmap.SP_MessageBoxWarning))
        self.setIconSize(QSize(small, small))
        # Amber as the other warnings; a border of its own when focused (the style sheet
        # takes the style's focus frame away).
        colour, background = WarningLabel.COLOUR, WARNING_BACKGROUND
        self.setStyleSheet(
            f"#clock_indicator {{ color: {colour}; border: 1px solid "
            f"transparent; border-radius: 3px; padding: 1px 6px; }}"
            f"#clock_indicator:hover {{ background: {background}; }}"
            f"#clock_indicator:focus {{ border-color: {colour}; background: {background}; }}"
        )
        self.hide()

    def show_offset(self, offset_ms: int) -> None:
        self.setText(clock_indicator(offset_ms))
        self.setAccessibleName(self.text())
        # Short to fit beside the sync's counts at 1100 px (which way and by how much); the
        # whole sentence for the tooltip and the screen reader.
        lead = clock_warning_parts(offset_ms)[0]
        tip = f"{lead} {_('Shows the clock warning again.')}"
        self.setToolTip(tip)
        self.setAccessibleDescription(tip)


class ClockWarning(QObject):
    """The banner and the status bar's note, kept as ``notice`` says (``domain.clock_check``)."""

    def __init__(self, window: MainWindow) -> None:
        super().__init__(window)
        self.window = window
        self.notice = ClockNotice()
        self.banner = ClockBanner()
        self.banner.hide_button.clicked.connect(self._on_hide_clicked)
        window.add_banner(self.banner)
        self.indicator = ClockIndicator()
        self.indicator.clicked.connect(self._on_indicator_clicked)
        window.statusBar().addWidget(self.indicator)
        window.retranslated.connect(self._show)

    def after_sync(self, offset_ms: int | None) -> None:
        """A sync got through and found the clock ``offset_ms`` off (None: right)."""
        self.notice = self.notice.after_sync(offset_ms)
        self._show()

    def _on_hide_clicked(self) -> None:
        self.notice = self.notice.hide()
        self._show()
        if self.indicator.isVisible():  # focus stays on the warning, now the short one
            self.indicator.setFocus(Qt.FocusReason.OtherFocusReason)

    def _on_indicator_clicked(self) -> None:
        self.notice = self.notice.unhide()
        self._show()
        if self.banner.isVisible():  # a screen reader reads the warning on the button
            self.banner.hide_button.setFocus(Qt.FocusReason.OtherFocusReason)

    def _show(self) -> None:
        offset = self.notice.offset_ms
        if offset is not None:
            self.banner.show_warning(offset)
            self.indicator.show_offset(offset)
        self.banner.setVisible(self.notice.banner)
        self.indicator.setVisible(self.notice.indicator)
