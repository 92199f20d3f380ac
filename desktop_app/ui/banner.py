"""An amber banner above the list and the person's page (a wrong clock, a publication this
laptop cannot use): a warning icon, a sentence that is selectable and reachable by Tab (a
screen reader reads it, whoever helps over the phone can be read it), room for a button."""

from __future__ import annotations

from PySide6.QtCore import QSize, Qt
from PySide6.QtWidgets import QFrame, QHBoxLayout, QLabel, QStyle, QWidget

from desktop_app.ui.error_label import WARNING_BACKGROUND, WARNING_BORDER
from desktop_app.ui.widgets import reachable_text


class WarningBanner(QFrame):
    """Hidden until its owner shows it; ``layout`` holds the icon and ``text`` (stretched)."""

    def __init__(self, name: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName(name)
        self.setAttribute(Qt.WidgetAttribute.WA_StyledBackground, True)
        # The margin keeps it off the window's edges and the list's search box below (and off
        # another banner, when two show one above the other).
        self.setStyleSheet(
            f"#{name} {{ background: {WARNING_BACKGROUND}; "
            f"border: 1px solid {WARNING_BORDER}; border-radius: 4px; margin: 6px 9px 0 9px; }}"
        )
        size = self.style().pixelMetric(QStyle.PixelMetric.PM_MessageBoxIconSize, None, self)
        self.icon = QLabel()
        icon = self.style().standardIcon(QStyle.StandardPixmap.SP_MessageBoxWarning, None, self)
        self.icon.setPixmap(icon.pixmap(QSize(size, size)))
        self.icon.setAlignment(Qt.AlignmentFlag.AlignTop)
        self.text = QLabel()
        self.text.setWordWrap(True)
        reachable_text(self.text)
        self.row = QHBoxLayout(self)
        self.row.setContentsMargins(18, 12, 18, 6)  # inside the margin above
        self.row.setSpacing(10)
        self.row.addWidget(self.icon)
        self.row.addWidget(self.text, 1)
        self.hide()
