"""Small shared widgets and helpers: field error labels, country and language choices, cells
that wrap their text, one-line labels that end in "…" where they are squeezed."""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Iterable, Sequence
from itertools import pairwise
from typing import TypeVar, cast

from PySide6.QtCore import (
    QEvent,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    QPointF,
    QRect,
    QSize,
    Qt,
)
from PySide6.QtGui import (
    QFont,
    QFontMetricsF,
    QHelpEvent,
    QKeyEvent,
    QKeySequence,
    QPainter,
    QPaintEvent,
    QPalette,
    QResizeEvent,
    QTextLayout,
    QTextOption,
)
from PySide6.QtWidgets import (
    QAbstractButton,
    QAbstractItemView,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QGridLayout,
    QLabel,
    QLineEdit,
    QListView,
    QListWidget,
    QListWidgetItem,
    QMessageBox,
    QStyle,
    QStyledItemDelegate,
    QStyleOptionComboBox,
    QStyleOptionViewItem,
    QStylePainter,
    QTableView,
    QToolTip,
    QTreeView,
    QVBoxLayout,
    QWidget,
)
from shiboken6 import isValid

from desktop_app.i18n import formatting
from desktop_app.i18n.text import _
from desktop_app.ui.error_label import ErrorLabel, WarningLabel

__all__ = ["ErrorLabel"]  # kept here for the forms that import it with the other widgets

FIRST_COUNTRIES = ("BG", "RO", "DE", "TR", "PL", "HU", "SK", "GR", "UA", "SY")
LANGUAGE_CODES = ("bg", "ro", "de", "tr", "rom", "en", "ru", "pl", "hu", "ar", "uk", "fr")


def key_text(keys: QKeySequence | str) -> str:
    """Keys as the user reads them, in the UI language ("Strg+Eingabe"), not in the portable
    form the code writes them in ("Ctrl+Return"): for tooltips, the shortcuts list, the guide."""
    sequence = keys if isinstance(keys, QKeySequence) else QKeySequence(keys)
    return sequence.toString(QKeySequence.SequenceFormat.NativeText)


#: the width a window may take on the advisors' and coordinators' laptops: 1024 px screens
#: (at 1100 the audit log ran 76 px off such a screen)
LAPTOP_WIDTH = 1024
#: left of a screen's free room for a window's title bar (about 30 px) and frame
FRAME_ROOM = QSize(20, 40)


def within_screen(window: QWidget, wanted: QSize) -> QSize:
    """``wanted``, at most the room ``window``'s screen has for it with its frame and title
    bar: a dialog 680 px tall opened on a laptop's 700 px screen with its buttons below the
    screen's edge (Qt puts the title bar at the top and cuts the rest)."""
    return wanted.boundedTo(window.screen().availableGeometry().size() - FRAME_ROOM)


def width_for_columns(window: QWidget, table: QTableView, most: int = LAPTOP_WIDTH) -> int:
    """The width at which ``window`` shows every column of ``table`` as wide as its contents
    and its header want (room kept for a vertical scroll bar), at most ``most`` (a laptop's
    width unless told). Call it once the table is filled; a column that stretches takes what
    is left below the cap."""
    header = table.horizontalHeader()
    model = table.model()
    columns = sum(
        max(table.sizeHintForColumn(column), header.sectionSizeHint(column))
        for column in range(model.columnCount())
        if not table.isColumnHidden(column)
    )
    layout = window.layout()
    margins = layout.contentsMargins() if layout is not None else None
    outside = (margins.left() + margins.right()) if margins is not None else 0
    outside += 2 * table.frameWidth()
    outside += table.style().pixelMetric(QStyle.PixelMetric.PM_ScrollBarExtent, None, table)
    return min(most, columns + outside)


def grow_to_wrapped_lines(window: QWidget) -> None:
    """``window`` as high as its wrapped labels' lines take at its width. Qt opens a dialog at
    most two thirds of the screen wide, narrower than its hint on a small screen, and keeps
    the height worked out at the hint's width: the lines that wrap once more were cut off
    (the confirmation of the coordinator's laptop, in Bulgarian). Call it as ``window`` is
    shown."""
    layout = window.layout()
    if layout is not None and layout.hasHeightForWidth():
        wanted = layout.totalHeightForWidth(window.width())
        if wanted > window.height():
            window.resize(window.width(), wanted)


class FittedLabel(QLabel):
    """Wrapped text, asking for the height its lines take at its width.

    A wrapped label's size hint is worked out narrow, and a QFormLayout gives a row the
    height of its field's hint where the window has room: one line of text stood in a row
    three lines (48 px) high, centred, with gaps above and below it."""

    def __init__(self, text: str = "") -> None:
        super().__init__(text)
        self.setWordWrap(True)

    def sizeHint(self) -> QSize:
        return fitted_hint(self, super().sizeHint())

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        if event.oldSize().width() != event.size().width():
            self.updateGeometry()  # the hint's height is for the width it had


class FittedWarningLabel(WarningLabel):
    """A warning in a form's row of its own, as tall as its lines at its width (as
    ``FittedLabel``): a plain one stood in a row as high as its narrow size hint, the refer
    dialog's note on a directory a sync brought two lines high with 28 px blank under them."""

    def sizeHint(self) -> QSize:
        return fitted_hint(self, super().sizeHint())

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        if event.oldSize().width() != event.size().width():
            self.updateGeometry()


def fitted_hint(label: QLabel, hint: QSize) -> QSize:
    """``hint`` as high as ``label``'s wrapped lines take at the width it has."""
    if label.width() > 0:
        hint.setHeight(label.heightForWidth(label.width()))
    return hint


class ElidingLabel(QLabel):
    """One line of plain text. Where its layout squeezes it (a status bar on a narrow laptop)
    it ends in "…" rather than being cut off mid-word without a sign, and its tooltip begins
    with the whole text.

    ``yields``: it has no minimum width, so that a layout too narrow for all its widgets takes
    the room from it first (a label's minimum is its whole text: the layout would squeeze it
    and its neighbours alike)."""

    def __init__(self, *, yields: bool = False) -> None:
        super().__init__()
        self.setTextFormat(Qt.TextFormat.PlainText)  # names as given, never markup
        self._yields = yields
        #: shown instead of the text where all of it does not fit (the name without "Logged
        #: in:"), itself elided where need be; "": the text, elided
        self.shorter = ""

    def minimumSizeHint(self) -> QSize:
        hint = super().minimumSizeHint()
        return QSize(0, hint.height()) if self._yields else hint

    def elided(self) -> bool:
        return self.fontMetrics().horizontalAdvance(self.text()) > self.contentsRect().width()

    def shown_text(self, width: int) -> str:
        """What is shown of the text in ``width`` pixels too narrow for all of it."""
        text = self.shorter or self.text()
        shown = self.fontMetrics().elidedText(text, Qt.TextElideMode.ElideRight, width)
        return "" if shown == "…" else shown  # a lone "…" says nothing

    def tip(self) -> str:
        """What the tooltip shows: the whole text first when it is elided."""
        whole = self.text() if self.elided() else ""
        return "\n".join(t for t in (whole, self.toolTip()) if t)

    def paintEvent(self, event: QPaintEvent) -> None:
        if not self.elided():
            super().paintEvent(event)
            return
        rect = self.contentsRect()
        painter = QPainter(self)
        self.style().drawItemText(
            painter,
            rect,
            int(self.alignment().value),
            self.palette(),
            self.isEnabled(),
            self.shown_text(rect.width()),
            self.foregroundRole(),
        )

    def event(self, event: QEvent) -> bool:
        if event.type() == QEvent.Type.ToolTip and self.elided():
            assert isinstance(event, QHelpEvent)
            QToolTip.showText(event.globalPos(), self.tip(), self)
            return True
        return super().event(event)


# Where a line may break: a space, never a no-break one ("12.01.2027\u202fг." is one word: the
# Bulgarian date was measured by "12.01.2027" and cut to "12.01.20…").
_BREAKS = re.compile(r"[^\S\u00a0\u2007\u202f]+")


def words(text: str) -> list[str]:
    """The words ``text`` wraps between: split at its spaces, not at its no-break spaces."""
    return [w for w in _BREAKS.split(text) if w]


class WrappingDelegate(QStyledItemDelegate):
    """Cells whose text wraps at the width their view gives them, each row as tall as the lines
    that makes. Qt's own size hint measures the text on one line where the view gives it no
    width (a tree's wrapped title was cut to its first line), or wider than it paints it (a
    line that just fitted the measure was cut with "…": "Предложени следващи …").

    The width is asked of the view: a table's column, a tree's section (less the indentation of
    its first column), a list's viewport (less its spacing). ``by_style``: the height is the
    style's own layout of the cell at that width, for a view that paints its text at exactly
    that width (a tree); otherwise the font's measure of the text ``SLACK`` pixels narrower,
    with a margin, for a view that paints it a little narrower than its column or row (a table's
    grid line, a list's spacing). ``top_aligned``: a row's cells start on its first line, read
    across as one line. ``most_lines``: a cell makes its row no taller than so many lines, the
    last one shown ending in "…" where the text goes on (the style elides it), the whole text
    in the cell's tooltip."""

    #: how much narrower than its room a cell's text is measured when not ``by_style``
    SLACK = 4

    def __init__(
        self,
        view: QAbstractItemView,
        *,
        by_style: bool = False,
        top_aligned: bool = False,
        most_lines: int = 0,
    ) -> None:
        super().__init__(view)
        self._view = view
        self._by_style = by_style
        self._top_aligned = top_aligned
        self._most_lines = most_lines

    def initStyleOption(
        self, option: QStyleOptionViewItem, index: QModelIndex | QPersistentModelIndex
    ) -> None:
        super().initStyleOption(option, index)
        # wrapped in a view that elides its other columns (a table's word wrap is the view's)
        option.features |= QStyleOptionViewItem.ViewItemFeature.WrapText
        if self._top_aligned:
            option.displayAlignment = Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop

    def room(self, index: QModelIndex | QPersistentModelIndex) -> int:
        """The width the view gives the cell of ``index``."""
        view = self._view
        if isinstance(view, QTreeView):
            width = view.header().sectionSize(index.column())
            if index.column() == 0:  # the branches are drawn in the first column's width
                width -= view.indentation() * (1 + _depth(index))
            return width
        if isinstance(view, QTableView):
            return view.columnWidth(index.column())
        if isinstance(view, QListView):
            return view.viewport().width() - 2 * view.spacing()
        return view.viewport().width()

    def padding(self) -> int:
        """How much wider a cell is than the text wrapped in it: the style's text margins (and
        the slack of the font's measure)."""
        view = self._view
        margin = view.style().pixelMetric(QStyle.PixelMetric.PM_FocusFrameHMargin, None, view)
        return 2 * (margin + 1) + (0 if self._by_style else self.SLACK)

    def widths(self, texts: Sequence[str]) -> tuple[int, int]:
        """The width a cell needs to show ``texts`` unwrapped, and to show their longest word."""
        metrics = self._view.fontMetrics()
        whole = max((metrics.horizontalAdvance(t) for t in texts), default=0)
        word = max((metrics.horizontalAdvance(w) for t in texts for w in words(t)), default=0)
        return whole + self.padding() + 2, word + self.padding() + 2

    def lines_width(self, texts: Sequence[str], lines: int) -> int:
        """The width a cell needs to show each of ``texts`` in at most ``lines`` lines (at
        least its longest word), as ``widths`` measures."""
        metrics, flags = self._view.fontMetrics(), int(Qt.TextFlag.TextWordWrap)

        def height(text: str, width: int) -> int:
            return metrics.boundingRect(QRect(0, 0, width, 100_000), flags, text).height()

        most = height("\n".join("X" * lines), 1_000)
        needed = 0
        for text in texts:
            low = max((metrics.horizontalAdvance(w) for w in words(text)), default=0)
            high = max(low, metrics.horizontalAdvance(text))
            while low < high:  # the narrowest width at which it takes no more lines
                middle = (low + high) // 2
                low, high = (low, middle) if height(text, middle) <= most else (middle + 1, high)
            needed = max(needed, low)
        return needed + self.padding() + 2

    def sizeHint(
        self, option: QStyleOptionViewItem, index: QModelIndex | QPersistentModelIndex
    ) -> QSize:
        size = super().sizeHint(option, index)  # its width: the text's on one line
        room = self.room(index)
        if self._by_style:
            sized = QStyleOptionViewItem(option)
            sized.rect = QRect(0, 0, max(room, 1), 10_000)  # Qt wraps only within a valid rect
            wrapped = super().sizeHint(sized, index).height()
            if self._most_lines:  # one line's height (measured unwrapped) and the lines more
                more = option.fontMetrics.lineSpacing() * (self._most_lines - 1)
                wrapped = min(wrapped, size.height() + more)
            return QSize(size.width(), wrapped)
        width = room - self.padding()
        text = str(index.data(Qt.ItemDataRole.DisplayRole) or "")
        if width <= 0 or not text:
            return size

        def height(text: str) -> int:
            flags = int(Qt.TextFlag.TextWordWrap)
            return option.fontMetrics.boundingRect(
                QRect(0, 0, width, 100_000), flags, text
            ).height()

        needed = height(text)
        if self._most_lines:
            needed = min(needed, height("\n".join("X" * self._most_lines)))
        return QSize(size.width(), max(size.height(), needed + 4))


#: the marks a row may begin with (a section's state, the next steps' arrow): the lines a row
#: wraps to continue under the text after the mark, not under the mark
ROW_MARKS = frozenset("○✓⚠⊘→")


def hanging_lines(text: str, font: QFont, width: int) -> list[QTextLayout]:
    """``text`` laid out ``width`` wide with a hanging indent: where it begins with one of
    ROW_MARKS and a space, every line after the first (those it wraps to, and the lines after
    a line break, their leading spaces dropped) starts under the text after the mark. One
    laid-out paragraph per line of ``text``, each line placed; the last one's bottom is the
    height."""
    # A delegate's option has the line breaks as Unicode line separators (displayText).
    paragraphs = text.replace("\u2028", "\n").split("\n")
    first = paragraphs[0]
    hang = 0.0
    if len(first) > 2 and first[0] in ROW_MARKS and first[1] == " ":
        hang = QFontMetricsF(font).horizontalAdvance(first[:2])
    option = QTextOption()
    option.setWrapMode(QTextOption.WrapMode.WrapAtWordBoundaryOrAnywhere)
    y = 0.0
    layouts = []
    for number, paragraph in enumerate(paragraphs):
        layout = QTextLayout(paragraph if number == 0 else paragraph.lstrip(), font)
        layout.setTextOption(option)
        layout.beginLayout()
        while (line := layout.createLine()).isValid():
            indent = hang if number or line.lineNumber() else 0.0
            line.setLineWidth(max(width - indent, 1.0))
            line.setPosition(QPointF(indent, y))
            y += line.height()
        layout.endLayout()
        layouts.append(layout)
    return layouts


def hanging_width(text: str, font: QFont) -> int:
    """The width ``text`` needs to show each of its lines unwrapped with ``hanging_lines``."""
    layouts = hanging_lines(text, font, 1_000_000)
    return math.ceil(
        max(
            (
                line.x() + line.naturalTextWidth()
                for layout in layouts
                for line in (layout.lineAt(n) for n in range(layout.lineCount()))
            ),
            default=0.0,
        )
    )


class HangingRowsDelegate(WrappingDelegate):
    """A list's rows wrapped at its width with a hanging indent (``hanging_lines``): the
    Bulgarian "○ Професионални и академични квалификации  0/1" wrapped "квалификации" under
    the mark, where it read as a row of its own, and the second language's line was indented
    by four spaces, a little off the text above it."""

    def _text_rect(self, option: QStyleOptionViewItem) -> QRect:
        """Where the style paints an item's text in ``option.rect``, less its text margins."""
        view = self._view
        style = view.style()
        rect = style.subElementRect(QStyle.SubElement.SE_ItemViewItemText, option, view)
        margin = style.pixelMetric(QStyle.PixelMetric.PM_FocusFrameHMargin, None, view) + 1
        return rect.adjusted(margin, 0, -margin, 0)

    def paint(
        self,
        painter: QPainter,
        option: QStyleOptionViewItem,
        index: QModelIndex | QPersistentModelIndex,
    ) -> None:
        item = QStyleOptionViewItem(option)
        self.initStyleOption(item, index)
        text = item.text
        item.text = ""  # the style paints the row (selection, focus), the text is ours
        view = self._view
        view.style().drawControl(QStyle.ControlElement.CE_ItemViewItem, item, painter, view)
        rect = self._text_rect(item)
        layouts = hanging_lines(text, item.font, rect.width())
        height = layouts[-1].boundingRect().bottom() if layouts else 0.0
        top = rect.top() + max(0.0, (rect.height() - height) / 2)
        selected = bool(item.state & QStyle.StateFlag.State_Selected)
        group = (
            QPalette.ColorGroup.Normal
            if item.state & QStyle.StateFlag.State_Enabled
            else QPalette.ColorGroup.Disabled
        )
        if group == QPalette.ColorGroup.Normal and not item.state & QStyle.StateFlag.State_Active:
            group = QPalette.ColorGroup.Inactive
        role = QPalette.ColorRole.HighlightedText if selected else QPalette.ColorRole.Text
        painter.save()
        painter.setPen(item.palette.color(group, role))
        for layout in layouts:
            layout.draw(painter, QPointF(rect.left(), top))
        painter.restore()

    def sizeHint(
        self, option: QStyleOptionViewItem, index: QModelIndex | QPersistentModelIndex
    ) -> QSize:
        size = QStyledItemDelegate.sizeHint(self, option, index)
        item = QStyleOptionViewItem(option)
        self.initStyleOption(item, index)
        room = self.room(index)
        item.rect = QRect(0, 0, max(room, 1), size.height())
        width = self._text_rect(item).width()
        if width <= 0 or not item.text:
            return size
        layouts = hanging_lines(item.text, item.font, width)
        height = math.ceil(layouts[-1].boundingRect().bottom())
        return QSize(min(size.width(), room), max(size.height(), height + 4))


def _depth(index: QModelIndex | QPersistentModelIndex) -> int:
    depth = 0
    while (index := index.parent()).isValid():
        depth += 1
    return depth


TableT = TypeVar("TableT", bound=QTableView)


def record_table(table: TableT, name: str) -> TableT:
    """``table`` as a read-only list of records: nothing edited in place, a row selected
    whole, no row numbers, Tab leaving it for the buttons (it went from cell to cell, a trap
    for the keyboard); ``name`` is what a screen reader calls it."""
    table.setTabKeyNavigation(False)
    table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    table.verticalHeader().hide()
    table.setAccessibleName(name)
    return table


def tab_through(before: QWidget, widgets: Iterable[QWidget]) -> None:
    """Tab from ``before`` through ``widgets`` in turn, then on as it went from ``before``.
    A widget made once its window is built goes to the end of the window's Tab order (after
    the dialog's buttons), not where it is shown: a group's new entry, next steps, a
    conflict's answers, a feature's button on the person's page."""
    for widget in widgets:
        QWidget.setTabOrder(before, widget)
        before = widget


def reachable_text(label: QLabel) -> QLabel:
    """``label`` selectable by mouse and keyboard and reached by Tab: a screen reader reads it,
    and a fingerprint or a warning can be copied, or read out over the phone, whole."""
    label.setTextInteractionFlags(
        Qt.TextInteractionFlag.TextSelectableByMouse
        | Qt.TextInteractionFlag.TextSelectableByKeyboard
    )
    label.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
    return label


def country_names(lang: str | None = None) -> dict[str, str]:
    return formatting.country_names(lang)


def standing_alone(text: str) -> str:
    """``text`` as an item standing alone: an entry of a list or a drop-down, a check box.

    The rule for language names (which Bulgarian and Romanian write in lower case inside a
    sentence): standing alone, a name starts upper case in every UI language, as native UIs
    list languages ("Български", "Română", LibreOffice's and Windows' language lists); inside
    running text and joined values it is written as the language writes it in a sentence
    (:func:`language_names`: "Български, ромски"). The other entries of such a list ("друг
    език") follow it."""
    return text[:1].upper() + text[1:]


def language_name(code: str, lang: str | None = None) -> str:
    """The language's name standing alone (:func:`standing_alone`: "Ромски")."""
    return standing_alone(formatting.language_name(code, lang))


def names_languages(options: Iterable[tuple[str, str]]) -> bool:
    """Whether the entries of a choice, as (code, German label), are languages: each but
    "other" labelled with the name of the language its code stands for (a form's language
    questions; a choice of countries coded alike, "bg" for "Bulgarien", is not one)."""
    named = [
        label.casefold() == formatting.language_name(code, "de").casefold()
        for code, label in options
        if code != "other"
    ]
    return bool(named) and all(named)


def language_names(codes: Iterable[str], lang: str | None = None) -> str:
    """The names of ``codes`` as one value: only the first capitalised, the others as the
    language writes them mid-sentence ("Български, ромски", where Bulgarian and Romanian
    write language names in lower case; "Bulgarisch, Romani" as before)."""
    names = ", ".join(formatting.language_name(code, lang) for code in codes)
    return names[:1].upper() + names[1:]


class CappedComboBox(QComboBox):
    """A drop-down about ``chars`` characters wide in its form, however long its items (a long
    one would widen the form's column and squeeze the fields beside it), whose open list is as
    wide as its longest item: Windows' styles open it as wide as the box and cut long items
    with "…". Given ``least``, it gives way down to about ``least`` characters where its form
    has less room (its text cut with "…" then)."""

    def __init__(
        self, chars: int, parent: QWidget | None = None, *, least: int | None = None
    ) -> None:
        super().__init__(parent)
        self.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
        self.setMinimumContentsLength(chars)
        self._least = least

    def minimumSizeHint(self) -> QSize:
        hint = super().minimumSizeHint()
        if self._least is None or self._least >= self.minimumContentsLength():
            return hint
        # Qt's width for the contents' length: that many capital Xs, and the frame and arrow.
        fewer = self.minimumContentsLength() - self._least
        return QSize(
            hint.width() - fewer * self.fontMetrics().horizontalAdvance("X"), hint.height()
        )

    def showPopup(self) -> None:
        # Measured as it opens: with the items, font and style the list opens with. Each item,
        # not ``sizeHintForColumn``, which measures the rows in view only; its text too, which
        # a menu-like style's item (Fusion's) does not count in its size hint.
        view, model, metrics = self.view(), self.model(), self.view().fontMetrics()
        widest = max(
            (
                max(
                    view.sizeHintForIndex(model.index(row, 0)).width(),
                    metrics.horizontalAdvance(self.itemText(row)),
                )
                for row in range(self.count())
            ),
            default=0,
        )
        scroll_bar = view.verticalScrollBar().sizeHint().width()
        view.setMinimumWidth(widest + scroll_bar + 2 * view.frameWidth())
        super().showPopup()

    def paintEvent(self, event: QPaintEvent) -> None:
        # As QComboBox paints itself (never editable here), the text ending in "…" where it is
        # cut: Qt's styles cut it off mid-letter.
        painter = QStylePainter(self)
        option = QStyleOptionComboBox()
        self.initStyleOption(option)
        painter.drawComplexControl(QStyle.ComplexControl.CC_ComboBox, option)
        field = self.style().subControlRect(
            QStyle.ComplexControl.CC_ComboBox,
            option,
            QStyle.SubControl.SC_ComboBoxEditField,
            self,
        )
        option.currentText = self.fontMetrics().elidedText(
            option.currentText, Qt.TextElideMode.ElideRight, field.width() - 2
        )
        painter.drawControl(QStyle.ControlElement.CE_ComboBoxLabel, option)


class GivingComboBox(CappedComboBox):
    """A drop-down as wide as its longest item where there is room, and narrower where there
    is not, down to about ``chars`` characters (its text cut with "…" then; the open list
    shows every item whole). A plain box wants its longest item's width at least: two side
    by side, their items in two languages, pushed a form's entry past the page's edge."""

    def __init__(self, chars: int, parent: QWidget | None = None) -> None:
        super().__init__(chars, parent)
        # With a minimum length, Qt measures the items for the size wanted only; the least
        # size is the minimum length's.
        self.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToContents)


class CountryCombo(QComboBox):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.fill()

    def fill(self) -> None:
        current = self.code()
        self.clear()
        names = country_names()
        self.addItem("—", "")
        for code in FIRST_COUNTRIES:
            self.addItem(names.get(code, code), code)
        self.insertSeparator(self.count())
        for code, name in sorted(names.items(), key=lambda kv: kv[1]):
            if code not in FIRST_COUNTRIES:
                self.addItem(name, code)
        self.set_code(current)

    def code(self) -> str:
        return str(self.currentData() or "")

    def set_code(self, code: str) -> None:
        i = self.findData(code)
        self.setCurrentIndex(max(i, 0))


class CompactList(QListWidget):
    """A list that asks for no more height than its minimum and takes what the window has
    to spare: two lists of Qt's default 192 px made the letter dialog want more height than
    a laptop's screen has."""

    def sizeHint(self) -> QSize:
        return QSize(super().sizeHint().width(), self.minimumHeight())


class LanguageList(QListWidget):
    """Checkable list of the languages a person speaks."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setMaximumHeight(110)
        self.fill()

    def fill(self) -> None:
        checked = set(self.codes())
        self.clear()
        for code in LANGUAGE_CODES:
            item = QListWidgetItem(language_name(code))
            item.setData(Qt.ItemDataRole.UserRole, code)
            item.setFlags(item.flags() | Qt.ItemFlag.ItemIsUserCheckable)
            item.setCheckState(
                Qt.CheckState.Checked if code in checked else Qt.CheckState.Unchecked
            )
            self.addItem(item)

    def codes(self) -> list[str]:
        return [
            str(self.item(i).data(Qt.ItemDataRole.UserRole))
            for i in range(self.count())
            if self.item(i).checkState() == Qt.CheckState.Checked
        ]

    def set_codes(self, codes: list[str]) -> None:
        for i in range(self.count()):
            item = self.item(i)
            on = item.data(Qt.ItemDataRole.UserRole) in codes
            item.setCheckState(Qt.CheckState.Checked if on else Qt.CheckState.Unchecked)


class ConfirmQuestion(QMessageBox):
    """``ask_to_confirm``'s question; ``note`` the short note it asks for, if it asks one."""

    note: QLineEdit | None = None


NOTE_MAX = 200  # characters of a question's note (``ask_to_confirm``)


def _add_note(
    box: ConfirmQuestion, label_text: str, go_ahead: QAbstractButton, back: QAbstractButton
) -> None:
    """A one-line note field under the question's text, above its buttons. Enter in it keeps
    what is (the default button answers), as everywhere in the question; the keys stay on
    the default button. Tab goes as the question reads: the note, the button that goes ahead,
    the default (Shift+Tab from it to go ahead); the note is reached by its label's access
    key too."""
    grid = box.layout()
    if not isinstance(grid, QGridLayout):  # pragma: no cover - QMessageBox's own layout
        return
    buttons = box.findChild(QDialogButtonBox)
    index = grid.indexOf(buttons) if buttons is not None else -1
    if buttons is None or index < 0:  # pragma: no cover
        return
    position = cast(tuple[int, int, int, int], grid.getItemPosition(index))
    row, columns = position[0], position[3]
    grid.removeWidget(buttons)
    label = QLabel(label_text)
    note = QLineEdit()
    note.setMaxLength(NOTE_MAX)
    note.setAccessibleName(label_text.replace("&", "").rstrip(":"))
    label.setBuddy(note)
    box_row = QWidget()
    column = QVBoxLayout(box_row)
    column.setContentsMargins(0, 8, 0, 0)
    column.addWidget(label)
    column.addWidget(note)
    grid.addWidget(box_row, row, 0, 1, columns)
    grid.addWidget(buttons, row + 1, 0, 1, columns)
    QWidget.setTabOrder(note, go_ahead)
    QWidget.setTabOrder(go_ahead, back)
    box.note = note


def ask_to_confirm(
    parent: QWidget,
    title: str,
    text: str,
    confirm: str,
    answered: Callable[[bool], None],
    cancel: str = "",
    note: str = "",
) -> ConfirmQuestion:
    """A warning asking before something that cannot be undone, window-modal and not blocking:
    ``confirm`` the button that goes ahead, Cancel (or ``cancel``, where the other way has a
    better name) the default and Escape's (Enter keeps what is); ``answered(True)`` once the
    user went ahead, ``answered(False)`` otherwise. ``text`` is plain (a path or a name may
    hold any character). ``note``: the label of an optional short note asked with it (the
    question's ``note``, read in ``answered``). Returns the question, opened."""
    box = ConfirmQuestion(parent)
    box.setIcon(QMessageBox.Icon.Warning)
    box.setWindowTitle(title)
    box.setTextFormat(Qt.TextFormat.PlainText)
    box.setText(text)
    go_ahead = box.addButton(confirm, QMessageBox.ButtonRole.AcceptRole)
    back = (
        box.addButton(cancel, QMessageBox.ButtonRole.RejectRole)
        if cancel
        else box.addButton(QMessageBox.StandardButton.Cancel)
    )
    box.setDefaultButton(back)
    box.setEscapeButton(back)
    if note:
        _add_note(box, note, go_ahead, back)

    def on_finished(_result: int) -> None:
        answered(box.clickedButton() is go_ahead)
        # The keys go back to the window that asked: the closed question left no window
        # active, and a keyboard-only coordinator's Alt+letter and Tab did nothing in the
        # Laptops dialog after revoking, until it was clicked (as after a save dialog).
        window = parent.window() if isValid(parent) else None
        if window is not None and window.isVisible():
            window.activateWindow()

    box.finished.connect(on_finished)
    box.open()
    return box


class KeepsInput(QObject):
    """Asks before a dialog throws away what was typed in it: Escape, its Cancel button
    (``cancel``) and its title bar's close ask "Discard what you entered?", keeping on editing
    the default (Enter and Escape), once anything differs from what the dialog opened with
    (``state()`` when first shown); with nothing entered they close at once, as before.

    The dialog's own ``reject`` is left as it was: the lock, quitting and a change of user
    close it without a question (no window may wait for an answer there)."""

    def __init__(self, dialog: QDialog, state: Callable[[], object]) -> None:
        # Not the dialog's child: held by the dialog's Python object, it goes with it. As a
        # child it outlived its Python side, and the dialog's last events reached a filter
        # without its attributes.
        super().__init__()
        self._dialog = dialog
        self._state = state
        self._opened_with: object = None
        self._shown = False
        self.question: QMessageBox | None = None  # the one asked, while it is open
        dialog.installEventFilter(self)

    def entered(self) -> bool:
        """Whether anything differs from what the dialog opened with."""
        return self._shown and self._state() != self._opened_with

    def settled(self) -> None:
        """What the dialog holds now was put to use (a laptop joined with it): closing loses
        nothing, and only what differs from it from now on asks."""
        self._opened_with = self._state()

    def cancel(self) -> None:
        """Cancel: closes the dialog, asking first if anything was entered."""
        if not self._ask():
            self._dialog.reject()

    def before_losing(self, discard: Callable[[], None]) -> bool:
        """Something other than closing is about to throw away what was entered (another of
        the dialog's items chosen, whose values refill the fields): ``discard()`` at once with
        nothing entered, else once the user confirms the same question. Whether it asked."""
        if self._ask(discard):
            return True
        discard()
        return False

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if watched is not self._dialog:
            return False
        kind = event.type()
        if kind == QEvent.Type.Show and not self._shown:
            self._opened_with = self._state()
            self._shown = True
        elif kind == QEvent.Type.KeyPress:
            assert isinstance(event, QKeyEvent)
            plain = event.modifiers() in (
                Qt.KeyboardModifier.NoModifier,
                Qt.KeyboardModifier.KeypadModifier,
            )
            if event.key() == Qt.Key.Key_Escape and plain and self._ask():
                return True
        elif kind == QEvent.Type.Close and event.spontaneous() and self._ask():
            event.ignore()  # the title bar's close; one the program asks for is not asked
            return True
        return False

    def _ask(self, discard: Callable[[], None] | None = None) -> bool:
        """Ask if anything was entered (once: a question open stays the one); whether the
        dialog stays open for it. Discarding closes the dialog, or calls ``discard``."""
        if not self.entered():
            return False
        if self.question is None:
            self.question = ask_to_confirm(
                self._dialog,
                self._dialog.windowTitle(),  # which of the dialogs open behind it asks
                _("Discard what you entered?"),
                _("&Discard"),
                lambda confirmed: self._on_answered(confirmed, discard or self._dialog.reject),
                cancel=_("&Keep editing"),
            )
        return True

    def _on_answered(self, confirmed: bool, discard: Callable[[], None]) -> None:
        self.question = None
        if confirmed:
            discard()


def focus_shown(widget: QWidget) -> None:
    """The keyboard to ``widget``, its focus drawn. Moved there by the program (a refused
    Finish or Save, another section), a combo box, check box or button looked exactly as
    without focus until Tab had been pressed once in that window: the style draws their focus
    only in a window whose focus the keyboard has moved (which setFocus() resets: set after
    it; Qt.ShortcutFocusReason would also select the whole text of a line edit)."""
    widget.setFocus()
    widget.window().setAttribute(Qt.WidgetAttribute.WA_KeyboardFocusChange)
    widget.update()


def tab_buttons_as_shown(box: QDialogButtonBox) -> None:
    """Tab through ``box``'s buttons left to right, as the style lays them out. Qt tabs in the
    order they were added: a standard Cancel or Close made with the box came before the
    buttons added next to it, though it stands right of them."""
    layout = box.layout()
    assert layout is not None
    items = [layout.itemAt(i) for i in range(layout.count())]
    shown = [item.widget() for item in items if item is not None]
    buttons = [w for w in shown if isinstance(w, QAbstractButton)]
    for before, after in pairwise(buttons):
        QWidget.setTabOrder(before, after)
