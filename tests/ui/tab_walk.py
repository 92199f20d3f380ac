"""Where Tab takes the focus in a window, read by moving it as Tab does.

Not by walking Qt's focus chain: PySide6 (6.12) takes the widget ``nextInFocusChain`` or
``previousInFocusChain`` returns for a child of the widget asked, an ancestor too (a window
for its last input), and the garbage collector, freeing such tangled wrappers, crashed in
Shiboken's ``removeParent`` (see tests/ui/test_wrapper_parents_ui.py). ``focusNextPrevChild``
moves the focus as Tab does and ``focusWidget`` reads it; neither records an owner.

Tab skips disabled controls, which a row's order must still be read for (Edit and Remove wait
for a chosen row): ``every_control_enabled`` enables, for the walk only, what was disabled by
itself, and ``focus_kept`` puts the focus back where it was.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QWidget

MAX_STEPS = 500  # a window's Tab cycle is far shorter


@contextmanager
def every_control_enabled(top: QWidget) -> Iterator[None]:
    """``top``'s controls that were disabled by themselves (not through a disabled parent)
    enabled while inside, disabled again after it."""
    disabled = [
        widget
        for widget in top.findChildren(QWidget)
        if widget.window() is top and widget.testAttribute(Qt.WidgetAttribute.WA_ForceDisabled)
    ]
    for widget in disabled:
        widget.setEnabled(True)
    try:
        yield
    finally:
        for widget in disabled:
            widget.setEnabled(False)


@contextmanager
def focus_kept(top: QWidget) -> Iterator[None]:
    """The focus of ``top`` back on the widget that had it on entering (or on none)."""
    before = top.focusWidget()
    try:
        yield
    finally:
        if before is not None:
            before.setFocus(Qt.FocusReason.OtherFocusReason)
        elif (now := top.focusWidget()) is not None:
            now.clearFocus()


def tab(top: QWidget, forward: bool = True) -> QWidget:
    """The focus moved on (or back) as Tab (or Shift+Tab) moves it in ``top``; where it is now."""
    top.focusNextPrevChild(forward)
    now = top.focusWidget()
    assert now is not None, f"Tab leaves no focus in {type(top).__name__}"
    return now


def first_stop(top: QWidget) -> QWidget | None:
    """The control Tab gives the focus to first in ``top``, coming from none (the focus
    taken off what had it)."""
    if (had := top.focusWidget()) is not None:
        had.clearFocus()
    if not top.focusNextPrevChild(True):
        return None
    return top.focusWidget()


def tab_stops(top: QWidget, start: QWidget) -> list[QWidget]:
    """``top``'s controls as Tab reaches them from ``start`` (``start`` first) round to it."""
    start.setFocus(Qt.FocusReason.TabFocusReason)
    start = top.focusWidget() or start  # its focus proxy, if it has one
    stops = [start]
    for _step in range(MAX_STEPS):
        widget = tab(top)
        if widget is start:
            return stops
        if widget.window() is top:
            stops.append(widget)
    raise AssertionError(f"Tab does not come back to {type(start).__name__} in {MAX_STEPS} steps")
