"""Small shared widgets and helpers: field error labels, country and language choices."""

from __future__ import annotations

from collections.abc import Iterable

from babel import Locale
from PySide6.QtCore import QSize, Qt
from PySide6.QtGui import QKeySequence
from PySide6.QtWidgets import (
    QComboBox,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QStyle,
    QTableView,
    QWidget,
)

from desktop_app.i18n import formatting
from desktop_app.i18n.text import current_language
from desktop_app.ui.error_label import ErrorLabel

__all__ = ["ErrorLabel"]  # kept here for the forms that import it with the other widgets

FIRST_COUNTRIES = ("BG", "RO", "DE", "TR", "PL", "HU", "SK", "GR", "UA", "SY")
LANGUAGE_CODES = ("bg", "ro", "de", "tr", "rom", "en", "ru", "pl", "hu", "ar", "uk", "fr")


def key_text(keys: QKeySequence | str) -> str:
    """Keys as the user reads them, in the UI language ("Strg+Eingabe"), not in the portable
    form the code writes them in ("Ctrl+Return"): for tooltips, the shortcuts list, the guide."""
    sequence = keys if isinstance(keys, QKeySequence) else QKeySequence(keys)
    return sequence.toString(QKeySequence.SequenceFormat.NativeText)


#: the width a window may take on the advisors' laptops (1366 px screens, with the desktop's
#: panels and the window's frame)
LAPTOP_WIDTH = 1100


def width_for_columns(window: QWidget, table: QTableView) -> int:
    """The width at which ``window`` shows every column of ``table`` as wide as its contents
    and its header want (room kept for a vertical scroll bar), at most LAPTOP_WIDTH. Call it
    once the table is filled; a column that stretches takes what is left below the cap."""
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
    return min(LAPTOP_WIDTH, columns + outside)


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
    territories = Locale.parse(lang or current_language()).territories
    return {code: name for code, name in territories.items() if len(code) == 2 and code.isalpha()}


def language_name(code: str, lang: str | None = None) -> str:
    """The language's name as a label begins: capitalised ("Ромски")."""
    name = formatting.language_name(code, lang)
    return name[:1].upper() + name[1:]


def language_names(codes: Iterable[str], lang: str | None = None) -> str:
    """The names of ``codes`` as one value: only the first capitalised, the others as the
    language writes them mid-sentence ("Български, ромски", where Bulgarian and Romanian
    write language names in lower case; "Bulgarisch, Romani" as before)."""
    names = ", ".join(formatting.language_name(code, lang) for code in codes)
    return names[:1].upper() + names[1:]


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
