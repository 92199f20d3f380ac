"""The message under a field. Its own module: the login prompt needs it before anything else,
and ``ui/widgets`` loads Babel and Qt's namespace enums (about 20 ms at start-up)."""

from __future__ import annotations

from PySide6.QtCore import QEvent, QObject, Qt
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import QDialog, QLabel, QLayout, QLineEdit, QVBoxLayout, QWidget

from desktop_app.i18n.text import _


class ErrorLabel(QLabel):
    """A message shown directly under a field; empty and hidden when the field is fine."""

    COLOUR = "#b00020"

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWordWrap(True)
        # At the top of its room: a layout that gives it the height its size hint asks (two
        # lines: a wrapped label's hint is worked out narrow) centred one line in it, 7 px
        # under where it belongs.
        self.setAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop)
        self.setStyleSheet(f"color: {self.COLOUR};")
        self.setAccessibleName(self._kind())
        self.hide()

    def _kind(self) -> str:
        return _("Error")

    def show_message(self, text: str) -> None:
        self.setAccessibleName(self._kind())  # in the language chosen since it was made
        self.setText(text)
        if self.isHidden() == bool(text):
            self.setVisible(bool(text))
            # The layouts above cache their widgets' height for a width: a form whose message
            # came and went kept its taller height, and the spare 20 px went to its last row
            # (the first-run organisation page: the Logo row 38 px under the E-mail row, not
            # 28), or a message that came squeezed the fields above it.
            above: list[QWidget] = []
            parent = self.parentWidget()
            while parent is not None:
                above.append(parent)
                if parent.isWindow():
                    break
                parent.updateGeometry()
                parent = parent.parentWidget()
            # Laid out now, from the window down, not a round of events later for each level:
            # a screen grabbed (or painted) in between showed the message's room still there.
            for widget in reversed(above):
                if (layout := widget.layout()) is not None:
                    layout.activate()
        if text:
            make_room(self)


#: between a field and the message under it: the message belongs to the field above
FIELD_ERROR_SPACING = 2


def with_error(field: QWidget | QLayout, error: ErrorLabel) -> QVBoxLayout:
    """``field`` with its message right under it, as one row of a form. A row of its own
    for the message took the form's row spacing (6 px) and, in a QFormLayout, the height of
    the message's size hint (two lines), centring a one-line message 13 px under the field;
    its empty row took the spacing while no message showed too."""
    box = QVBoxLayout()
    box.setSpacing(FIELD_ERROR_SPACING)
    if isinstance(field, QLayout):
        box.addLayout(field)
    else:
        box.addWidget(field)
    box.addWidget(error)
    return box


#: behind a notice that asks for attention without stopping anyone (values to decide, a wrong
#: clock), with WarningLabel.COLOUR's amber
WARNING_BACKGROUND = "#fff4d6"
WARNING_BORDER = "#e0b000"


class WarningLabel(ErrorLabel):
    """A warning under a field that does not stop the user (amber, as a draft is marked): the
    value may be right, and the user decides."""

    COLOUR = "#8a5300"

    def _kind(self) -> str:
        return _("Warning")


class CapsLockNote(WarningLabel):
    """Under a password field: "Caps Lock is on." while the letters typed into ``fields`` say
    so (capitals without Shift, small letters with it). A password refused for Caps Lock said
    only that it was not correct. Qt cannot ask every platform for the lock's state; the
    letters tell it, and the note goes with the next letter typed as meant."""

    def __init__(self, *fields: QLineEdit) -> None:
        super().__init__()
        self.on = False
        self.watch(*fields)

    def watch(self, *fields: QLineEdit) -> None:
        """Tell it from the letters typed into ``fields`` too."""
        for field in fields:
            field.installEventFilter(self)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if isinstance(event, QKeyEvent) and event.type() == QEvent.Type.KeyPress:
            text = event.text()
            if len(text) == 1 and text.lower() != text.upper():  # a letter with two cases
                shifted = bool(event.modifiers() & Qt.KeyboardModifier.ShiftModifier)
                if self.on != (text.isupper() != shifted):
                    self.on = not self.on
                    self.retranslate()
        return False

    def retranslate(self) -> None:
        self.show_message(_("Caps Lock is on.") if self.on else "")


def make_room(widget: QWidget) -> None:
    """Grow the dialog ``widget`` is in to the height its layout needs at its width; call it
    when a wrapped label's text changed.

    Qt grows a dialog to its layout's minimum only, which counts a wrapped message as one
    line: a message of two lines squeezed the fields above it to half their height (the login
    after a wrong password), or laid it over the list above (a service's address and opening
    hours in the letter dialog).
    """
    window, layout = widget.window(), widget.window().layout()
    if not isinstance(window, QDialog) or layout is None:
        return
    layout.activate()
    width = window.width()
    # at its width: the size hint counts each wrapped label as if it were narrow (and tall)
    has_hfw = layout.hasHeightForWidth()
    need = layout.heightForWidth(width) if has_hfw else layout.sizeHint().height()
    if window.height() < need:
        window.resize(width, need)
