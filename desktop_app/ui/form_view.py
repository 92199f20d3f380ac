"""Qt renderer of a form definition: widgets per field, section navigator, bilingual labels.

The view knows nothing of the store: it reports every change (``answers_changed``), asks for
consent when a closed section is opened (``consent_requested``) and re-evaluates relevance,
errors and progress with the form engine after each change.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Collection, Mapping, Sequence
from typing import Any

from PySide6.QtCore import QModelIndex, QPersistentModelIndex, Qt, QTimer, Signal
from PySide6.QtGui import (
    QKeySequence,
    QShortcut,
    QShowEvent,
    QStandardItem,
    QStandardItemModel,
    QTextCursor,
)
from PySide6.QtWidgets import (
    QButtonGroup,
    QCheckBox,
    QComboBox,
    QCompleter,
    QFrame,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListView,
    QListWidget,
    QListWidgetItem,
    QMessageBox,
    QPlainTextEdit,
    QPushButton,
    QRadioButton,
    QScrollArea,
    QSizePolicy,
    QSplitter,
    QStackedWidget,
    QStyle,
    QVBoxLayout,
    QWidget,
)

from desktop_app.domain.life_facts import CHILDREN_FIELD, child_of, following_entries
from desktop_app.forms import FieldDef, FieldType, FormDefinition, FormState, Section, evaluate
from desktop_app.forms import label as pick
from desktop_app.forms.definition import CEFR_ASSESSMENT, CEFR_LEVELS
from desktop_app.i18n.formatting import format_partial_date, format_years
from desktop_app.i18n.messages import CEFR_ASSESSMENT_TEXT, CEFR_LEVEL_TEXT
from desktop_app.i18n.text import N_, _, current_language, gettext_in, ngettext
from desktop_app.i18n.translit import fold
from desktop_app.letters.directory import ServiceDirectory, names_service
from desktop_app.ui.access_keys import Place, choose_keys, escaped, key_of, keys_in, marked
from desktop_app.ui.error_label import WarningLabel
from desktop_app.ui.widgets import (
    ErrorLabel,
    GivingComboBox,
    HangingRowsDelegate,
    ask_to_confirm,
    focus_shown,
    hanging_width,
    key_text,
    names_languages,
    standing_alone,
    tab_through,
)

CLIENT_COLOUR = "#1a5fb4"
SUMMARY = "__next_steps__"
# The keys that move through a form's sections (also listed by Help → Keyboard shortcuts).
NEXT_SECTION_KEY = "Ctrl+PgDown"
PREVIOUS_SECTION_KEY = "Ctrl+PgUp"

CONSENT_BUTTON_TEXT = N_("Take consen&t…")
# Beside what a helper is not shown: where they can still say what the person needs.
WITHHELD_NEED = N_(
    "You can still note what the person needs among the topics of this visit; an advisor "
    "records the details."
)

YES_NO_UNKNOWN_TEXT = {"yes": N_("yes"), "no": N_("no"), "unknown": N_("don't know")}

_DOTTED = re.compile(r"^\s*(?:(\d{1,2})\.)?(\d{1,2})\.(\d{4})\s*$")
_INTEGER = re.compile(r"^\s*-?\d{1,9}\s*$")


def date_to_iso(text: str) -> str | None:
    """What the user typed as a date, in the engine's ISO form (``DD.MM.YYYY``, ``MM.YYYY`` and
    ``YYYY`` are read); anything else is passed on unchanged so the engine names the problem."""
    text = text.strip()
    if not text:
        return None
    if m := _DOTTED.match(text):
        day, month, year = m.groups()
        return f"{year}-{int(month):02d}" + (f"-{int(day):02d}" if day else "")
    return text


def iso_to_display(value: str) -> str:
    parts = value.split("-")
    if len(parts) == 3 and all(p.isdigit() for p in parts):
        return f"{parts[2]}.{parts[1]}.{parts[0]}"
    if len(parts) == 2 and all(p.isdigit() for p in parts):
        return f"{parts[1]}.{parts[0]}"
    return value


class Languages:
    """The UI language (from the i18n module) and, in bilingual mode, the client's language."""

    def __init__(self, client: str | None = None) -> None:
        self.client = client

    @property
    def ui(self) -> str:
        return current_language()

    @property
    def bilingual(self) -> bool:
        return bool(self.client) and self.client != self.ui

    def text(self, labels: Mapping[str, str] | None) -> str:
        return pick(labels, self.ui)

    def client_text(self, labels: Mapping[str, str] | None) -> str:
        return pick(labels, self.client or self.ui) if self.bilingual else ""

    def both(self, labels: Mapping[str, str] | None) -> str:
        """``"UI text · client text"`` for one-line places (options, list entries)."""
        main, other = self.text(labels), self.client_text(labels)
        return f"{main} · {other}" if other and other != main else main

    def msg(self, msgid: str) -> str:
        """A gettext message in both languages, one-line form."""
        main = _(msgid)
        if not self.bilingual or not self.client:
            return main
        other = gettext_in(self.client, msgid)
        return f"{main} · {other}" if other != main else main


# ---------------------------------------------------------------------------------------------
# field editors


class FieldEditor(QWidget):
    """One question: its label (in one or two languages), help, input and error line."""

    changed = Signal()

    def __init__(
        self,
        fdef: FieldDef,
        path: str,
        langs: Languages,
        directory: ServiceDirectory | None = None,
    ) -> None:
        super().__init__()
        self.fdef = fdef
        self.path = path
        self.langs = langs
        # the service directory in force, for questions that suggest its names
        self.directory = directory
        self.touched = False
        # Where the access key sits in the label (UI language), chosen by the section page
        # for a label with a buddy; None: no key (none left, the label has no buddy, or it
        # is a question of a group's entry other than the newest).
        self.label_key: Place = None
        # The number of the group's entry the question belongs to (None: not in a group),
        # and whether the entry is a child's (headed "Kind 2", not "Eintrag 2").
        self.entry: int | None = None
        self.child_entry = False
        self._required = False
        self.title = QLabel()
        self.title.setWordWrap(True)
        self.title.setStyleSheet("font-weight: bold;")
        self.client_title = QLabel()
        self.client_title.setWordWrap(True)
        self.client_title.setStyleSheet(f"color: {CLIENT_COLOUR}; font-style: italic;")
        self.client_title.setObjectName("client_label")
        self.help = QLabel()
        self.help.setWordWrap(True)
        self.help.setStyleSheet("color: #555; font-size: 9pt;")
        self.error = ErrorLabel()
        # What the advisor is asked to look at again, stopping nothing (FormState.notices):
        # 3 children stated and 1 entered, a 15-year-old "still too young".
        self.notice = WarningLabel()
        top = QHBoxLayout()
        top.setContentsMargins(0, 0, 0, 0)
        top.addWidget(self.title, 1, Qt.AlignmentFlag.AlignTop)
        top.addWidget(self.client_title, 1, Qt.AlignmentFlag.AlignTop)
        self.box = QVBoxLayout(self)
        self.box.setContentsMargins(0, 4, 0, 4)
        self.box.setSpacing(2)
        self.box.addLayout(top)
        self.box.addWidget(self.help)
        self.build()
        self.box.addWidget(self.error)
        self.box.addWidget(self.notice)

    # subclasses ----------------------------------------------------------------------------
    def build(self) -> None:
        raise NotImplementedError

    def value(self) -> Any:
        raise NotImplementedError

    def set_value(self, value: Any) -> None:
        raise NotImplementedError

    def focus_widget(self) -> QWidget:
        raise NotImplementedError

    def first_input(self) -> QWidget:
        """Where typing an answer starts: the focus widget, unless entries come first."""
        return self.focus_widget()

    def retranslate_input(self) -> None:
        """Option texts and placeholders in the current language(s)."""

    def rename(self, path: str) -> None:
        """A new path (group entries are renumbered when one is removed)."""
        self.path = path
        self.focus_widget().setObjectName(path)

    # shared --------------------------------------------------------------------------------
    def option_labels(self, option_id: str) -> Mapping[str, str] | None:
        """An option's labels as its entry shows them: a language question's entries are
        names standing alone, upper case in every language (``standing_alone``); the form
        writes them as in a sentence ("български"), as the data copy and summaries use them."""
        option = self.fdef.option(option_id)
        if option is None:
            return None
        options = self.fdef.options or []
        if not names_languages((o.id, pick(o.label, "de")) for o in options):
            return option.label
        return {lang: standing_alone(text) for lang, text in option.label.items()}

    def _emit(self, *_args: object) -> None:
        self.touched = True
        self.changed.emit()

    def takes_buddy(self) -> bool:
        """Whether the label can lead to the input by its access key: not when the input
        is a button (the label's key would press it: a group's Add)."""
        return True

    def buddy_widget(self) -> QWidget:
        """Where the label's access key leads."""
        return self.focus_widget()

    def take_buddy(self) -> None:
        """The label leads to the input, if it can (see takes_buddy)."""
        if self.takes_buddy():
            self.title.setBuddy(self.buddy_widget())

    def show_title(self) -> None:
        text = self.langs.text(self.fdef.label)
        # A label with a buddy reads "&" as a key's mark, one without shows it as written.
        shown = marked(text, self.label_key) if self.title.buddy() is not None else text
        self.title.setText(shown + (" *" if self._required else ""))

    def retranslate(self, required: bool) -> None:
        self._required = required
        self.show_title()
        client = self.langs.client_text(self.fdef.label)
        self.client_title.setText(client)
        self.client_title.setVisible(bool(client))
        help_text = self.langs.text(self.fdef.help)
        self.help.setText(help_text)
        self.help.setVisible(bool(help_text))
        self.focus_widget().setAccessibleDescription(help_text)
        self.retranslate_input()
        self.name_inputs()

    def spoken(self, name: str) -> str:
        """``name`` as a screen reader says it: with the entry's number in a group's entry
        (two children's names were both "Name", with nothing to say whose one was which), as
        the entry is headed ("Name, Kind 2" under "Kind 2: Иван, 6 Jahre")."""
        if self.entry is None:
            return name
        spoken = _("{name}, child {n}") if self.child_entry else _("{name}, entry {n}")
        return spoken.format(name=name, n=self.entry)

    def name_inputs(self) -> None:
        """The input named for a screen reader: the question, in the UI language."""
        self.focus_widget().setAccessibleName(self.spoken(self.langs.text(self.fdef.label)))

    def show_errors(self, messages: list[str]) -> None:
        self.error.show_message("\n".join(messages))

    def show_notices(self, messages: list[str]) -> None:
        self.notice.show_message("\n".join(messages))


class TextEditor(FieldEditor):
    def build(self) -> None:
        self.edit = QLineEdit()
        self.edit.setMaxLength(self.fdef.text_limit)
        self.edit.setObjectName(self.path)
        self.edit.textEdited.connect(self._emit)
        self.box.addWidget(self.edit)

    def value(self) -> Any:
        return self.edit.text() or None

    def set_value(self, value: Any) -> None:
        self.edit.setText(value if isinstance(value, str) else "")

    def focus_widget(self) -> QWidget:
        return self.edit


FOLDED_ROLE = Qt.ItemDataRole.UserRole + 1


class LastPartCompleter(QCompleter):
    """Completes the part after the last comma of a list of names ("Jobcenter Dortmund, Fam"),
    ignoring case and diacritics (the typed part and the names compared folded)."""

    def __init__(self, names: list[str], parent: QWidget) -> None:
        model = QStandardItemModel(parent)
        for name in names:
            item = QStandardItem(name)
            item.setData(fold(name), FOLDED_ROLE)
            model.appendRow(item)
        super().__init__(model, parent)
        self.setCompletionRole(FOLDED_ROLE)
        self.setFilterMode(Qt.MatchFlag.MatchContains)
        self.setCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
        self._head = ""

    def splitPath(self, path: str) -> list[str]:
        head, comma, last = path.rpartition(",")
        # kept as typed: the names before the comma stay, the completion replaces the rest
        self._head = f"{head}, " if comma else ""
        return [fold(last)]

    def pathFromIndex(self, index: QModelIndex | QPersistentModelIndex) -> str:
        return self._head + str(index.data(Qt.ItemDataRole.DisplayRole))

    def completes(self, part: str) -> bool:
        """Whether some name would be offered for ``part``."""
        folded = fold(part)
        model = self.model()
        return any(
            folded in str(model.index(row, 0).data(FOLDED_ROLE)) for row in range(model.rowCount())
        )


class ServiceNamesEditor(TextEditor):
    """Names of services separated by commas (a consent's "name of the service"): completes the
    directory's names and says under the field which services the text names, warning about a
    part that names none, since a letter goes only to a service the consent names."""

    def build(self) -> None:
        super().build()
        assert self.directory is not None  # make_editor builds it with one only
        self.services: ServiceDirectory = self.directory
        self.completer = LastPartCompleter(self.services.consent_names(), self)
        self.edit.setCompleter(self.completer)
        # setText on accepting a completion emits no textEdited: the form must see it
        self.completer.activated.connect(self._emit)
        self.named = QLabel()
        self.named.setObjectName(f"{self.path}:named")
        self.named.setWordWrap(True)
        self.named.setStyleSheet("color: #555; font-size: 9pt;")
        self.unnamed = WarningLabel()
        self.unnamed.setObjectName(f"{self.path}:unnamed")
        self.box.addWidget(self.named)
        self.box.addWidget(self.unnamed)
        self.edit.textChanged.connect(self.show_naming)
        self.edit.editingFinished.connect(self.show_naming)

    def retranslate_input(self) -> None:
        self.show_naming()

    def show_naming(self) -> None:
        parts = [p.strip() for p in self.edit.text().split(",")]
        named = self.services.named_in(self.edit.text())
        named.sort(key=lambda s: next((i for i, p in enumerate(parts) if names_service(p, s)), 0))
        self.named.setText(
            _("A letter can go to: {services}").format(
                services=", ".join(s.german_name for s in named)
            )
            if named
            else ""
        )
        self.named.setVisible(bool(named))
        if self.edit.hasFocus() and self.completer.completes(parts[-1]):
            parts.pop()  # still being typed: the popup offers names for it
        unnamed = [p for p in parts if p and not self.services.named_in(p)]
        self.unnamed.show_message(
            "\n".join(
                _("“{name}” names no service of the directory: a letter cannot go to it.").format(
                    name=part
                )
                for part in unnamed
            )
        )
        if self.edit.hasFocus() and (named or unnamed):
            # below the field, where the page may end: scrolled to once laid out
            QTimer.singleShot(0, self, self._reveal_naming)

    def _reveal_naming(self) -> None:
        page = self.parentWidget()
        while page is not None and not isinstance(page, QScrollArea):
            page = page.parentWidget()
        if page is not None:
            page.ensureWidgetVisible(self.unnamed if self.unnamed.isVisible() else self.named)


class MultilineEditor(FieldEditor):
    def build(self) -> None:
        self.edit = QPlainTextEdit()
        self.edit.setTabChangesFocus(True)  # keyboard users leave the box with Tab
        self.edit.setObjectName(self.path)
        self.edit.setFixedHeight(80)
        self.edit.textChanged.connect(self._emit)
        self.box.addWidget(self.edit)

    def value(self) -> Any:
        return self.edit.toPlainText() or None

    def set_value(self, value: Any) -> None:
        self.edit.blockSignals(True)
        self.edit.setPlainText(value if isinstance(value, str) else "")
        self.edit.blockSignals(False)

    def focus_widget(self) -> QWidget:
        return self.edit


class DateEditor(TextEditor):
    def build(self) -> None:
        super().build()
        self.edit.setMaximumWidth(220)

    def retranslate_input(self) -> None:
        placeholder = {
            "year": N_("DD.MM.YYYY, MM.YYYY or YYYY"),
            "month": N_("DD.MM.YYYY or MM.YYYY"),
            "day": N_("DD.MM.YYYY"),
        }[self.fdef.date_precision]
        self.edit.setPlaceholderText(_(placeholder))

    def value(self) -> Any:
        return date_to_iso(self.edit.text())

    def set_value(self, value: Any) -> None:
        self.edit.setText(iso_to_display(value) if isinstance(value, str) else "")


class IntegerEditor(TextEditor):
    def build(self) -> None:
        super().build()
        self.edit.setMaxLength(12)
        self.edit.setMaximumWidth(120)

    def value(self) -> Any:
        text = self.edit.text().strip()
        if not text:
            return None
        return int(text) if _INTEGER.match(text) else text

    def set_value(self, value: Any) -> None:
        self.edit.setText(str(value) if value is not None else "")


class ChoiceEditor(FieldEditor):
    """Single choice and yes/no/unknown: a combo box with an empty first entry."""

    def build(self) -> None:
        self.combo = QComboBox()
        self.combo.setObjectName(self.path)
        self.combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToContents)
        self.combo.setSizePolicy(QSizePolicy.Policy.Maximum, QSizePolicy.Policy.Fixed)
        self.combo.setMaximumWidth(640)
        self.combo.addItem("—", None)
        for option_id in self.fdef.option_ids():
            self.combo.addItem(option_id, option_id)
        self.combo.currentIndexChanged.connect(self._emit)
        self.box.addWidget(self.combo)

    def retranslate_input(self) -> None:
        for index in range(1, self.combo.count()):
            option_id = self.combo.itemData(index)
            if self.fdef.type == FieldType.YES_NO_UNKNOWN:
                text = self.langs.msg(YES_NO_UNKNOWN_TEXT[option_id])
            else:
                text = self.langs.both(self.option_labels(option_id))
            self.combo.setItemText(index, text)

    def value(self) -> Any:
        return self.combo.currentData()

    def set_value(self, value: Any) -> None:
        index = self.combo.findData(value) if isinstance(value, str) else 0
        self.combo.blockSignals(True)
        self.combo.setCurrentIndex(max(index, 0))
        self.combo.blockSignals(False)

    def focus_widget(self) -> QWidget:
        return self.combo


class MultiChoiceEditor(FieldEditor):
    """Check boxes in two columns; Tab moves through them, Space ticks."""

    def build(self) -> None:
        self.checks: dict[str, QCheckBox] = {}
        self.client_texts: dict[str, QLabel] = {}
        holder = QWidget()
        holder.setObjectName(self.path)
        grid = QGridLayout(holder)
        grid.setContentsMargins(0, 0, 0, 0)
        grid.setVerticalSpacing(0)
        options = self.fdef.options or []
        # long option texts get a column of their own, so nothing is cut off
        longest = max((len(pick(o.label, "de")) for o in options), default=0)
        columns = 2 if longest <= 32 else 1
        rows = (len(options) + columns - 1) // columns
        for index, option in enumerate(options):
            cell = QWidget()
            cell_box = QVBoxLayout(cell)
            cell_box.setContentsMargins(0, 1, 8, 1)
            cell_box.setSpacing(0)
            check = QCheckBox(option.id)
            check.setObjectName(f"{self.path}:{option.id}")
            check.toggled.connect(self._emit)
            other = QLabel()
            other.setWordWrap(True)
            other.setStyleSheet(f"color: {CLIENT_COLOUR}; font-style: italic; margin-left: 24px;")
            cell_box.addWidget(check)
            cell_box.addWidget(other)
            grid.addWidget(cell, index % rows, index // rows)
            self.checks[option.id] = check
            self.client_texts[option.id] = other
        self.holder = holder
        # The question's key leads to the first box without ticking it: a label's key presses
        # a button that is its buddy, so the buddy is the boxes' holder, which hands the focus
        # on (Tab then Space, as for the other boxes). Not a key per box: eight options would
        # take eight of the section's letters, and a key typed out of habit would tick one.
        if self.checks:
            holder.setFocusProxy(next(iter(self.checks.values())))
            holder.setFocusPolicy(Qt.FocusPolicy.TabFocus)  # a label leads to no NoFocus buddy
        self.box.addWidget(holder)

    def retranslate_input(self) -> None:
        for option_id, check in self.checks.items():
            labels = self.option_labels(option_id)
            check.setText(escaped(self.langs.text(labels)))  # "Kinder & Jugend" as written
            other = self.langs.client_text(labels)
            self.client_texts[option_id].setText(other)
            self.client_texts[option_id].setVisible(bool(other))

    def value(self) -> Any:
        return [oid for oid, check in self.checks.items() if check.isChecked()] or None

    def set_value(self, value: Any) -> None:
        chosen = set(value) if isinstance(value, list) else set()
        for option_id, check in self.checks.items():
            check.blockSignals(True)
            check.setChecked(option_id in chosen)
            check.blockSignals(False)

    def focus_widget(self) -> QWidget:
        return next(iter(self.checks.values()))

    def name_inputs(self) -> None:
        """The first box says the question and its own option ("Spoken languages: Български"),
        the others their option: named by the question alone, the first option was never read."""
        if not self.checks:
            return
        question = self.spoken(self.langs.text(self.fdef.label))
        first = next(iter(self.checks))
        option = self.langs.text(self.option_labels(first))
        self.checks[first].setAccessibleName(
            _("{question}: {option}").format(question=question, option=option)
        )

    def takes_buddy(self) -> bool:
        return bool(self.checks)

    def buddy_widget(self) -> QWidget:
        return self.holder

    def rename(self, path: str) -> None:
        self.path = path
        self.holder.setObjectName(path)
        for option_id, check in self.checks.items():
            check.setObjectName(f"{path}:{option_id}")


class CefrEditor(FieldEditor):
    """Level A0–C2 and how it was assessed, side by side."""

    def build(self) -> None:
        # Each as wide as its longest item where there is room ("B2 – над средното ниво ·
        # B2 – intermediar superior"), less where there is not: wanting it, the two stood
        # past the page's right edge in a group's entry at 1024 px (bg, ro, de).
        self.level = GivingComboBox(12)
        self.level.setObjectName(self.path)
        self.assessed = GivingComboBox(8)
        self.assessed.setObjectName(f"{self.path}:assessed")
        self.level.addItem("—", None)
        for level in CEFR_LEVELS:
            self.level.addItem(level, level)
        self.assessed.addItem("—", None)
        for how in CEFR_ASSESSMENT:
            self.assessed.addItem(how, how)
        self.level.currentIndexChanged.connect(self._emit)
        self.assessed.currentIndexChanged.connect(self._emit)
        row = QHBoxLayout()
        row.addWidget(self.level)
        row.addWidget(self.assessed)
        row.addStretch(1)
        self.box.addLayout(row)

    def retranslate_input(self) -> None:
        for index in range(1, self.level.count()):
            self.level.setItemText(
                index, self.langs.msg(CEFR_LEVEL_TEXT[self.level.itemData(index)])
            )
        for index in range(1, self.assessed.count()):
            self.assessed.setItemText(
                index, self.langs.msg(CEFR_ASSESSMENT_TEXT[self.assessed.itemData(index)])
            )

    def name_inputs(self) -> None:
        super().name_inputs()
        self.assessed.setAccessibleName(self.spoken(_("How the level was assessed")))

    def value(self) -> Any:
        level, how = self.level.currentData(), self.assessed.currentData()
        if level is None and how is None:
            return None
        out = {}
        if level is not None:
            out["level"] = level
        if how is not None:
            out["assessed"] = how
        return out

    def set_value(self, value: Any) -> None:
        value = value if isinstance(value, dict) else {}
        for combo, key in ((self.level, "level"), (self.assessed, "assessed")):
            combo.blockSignals(True)
            combo.setCurrentIndex(max(combo.findData(value.get(key)), 0))
            combo.blockSignals(False)

    def focus_widget(self) -> QWidget:
        return self.level

    def rename(self, path: str) -> None:
        super().rename(path)
        self.assessed.setObjectName(f"{path}:assessed")


def make_editor(
    fdef: FieldDef, path: str, langs: Languages, directory: ServiceDirectory | None = None
) -> FieldEditor:
    """The editor of one question; ``directory`` serves the questions that suggest its names
    (without one they are plain text)."""
    if fdef.suggest == "services" and directory is not None:
        return ServiceNamesEditor(fdef, path, langs, directory)
    if fdef.type == FieldType.GROUP and fdef.follows is not None:
        return FollowerEditor(fdef, path, langs, directory)
    kinds: dict[FieldType, type[FieldEditor]] = {
        FieldType.TEXT: TextEditor,
        FieldType.MULTILINE: MultilineEditor,
        FieldType.DATE: DateEditor,
        FieldType.INTEGER: IntegerEditor,
        FieldType.SINGLE_CHOICE: ChoiceEditor,
        FieldType.YES_NO_UNKNOWN: ChoiceEditor,
        FieldType.MULTI_CHOICE: MultiChoiceEditor,
        FieldType.CEFR: CefrEditor,
        FieldType.GROUP: GroupEditor,
    }
    return kinds[fdef.type](fdef, path, langs, directory)


#: Between a section's name and its count in the navigator: unbreakable, so that a narrow list
#: wraps the name's last word with the count ("Schritte  4"), never the count onto a line of
#: its own (the "4" of "Vorgeschlagene nächste Schritte" stood alone at 1366 px).
COUNT_GAP = "\u00a0\u00a0"

#: Characters of an answer shown in the heading of its entry (the input has it all).
NAME_SHOWN = 40


def _shortened(text: str) -> str:
    text = " ".join(text.split())
    return text if len(text) <= NAME_SHOWN else text[: NAME_SHOWN - 1] + "…"


def _child_details(answers: Mapping[str, Any], day: dt.date) -> list[str]:
    """A child's name and age on ``day`` (or birth year), as the heading of its entry gives
    them."""
    details = [_shortened(str(answers.get("child_name") or ""))]
    child = child_of(answers)
    if (age := child.age(day)) is not None:
        details.append(format_years(age))
    elif child.birth is not None:
        details.append(_("born {date}").format(date=format_partial_date(child.birth)))
    return details


def _answer_shown(fdef: FieldDef, value: Any) -> str:
    """A text or single-choice answer as an entry's heading shows it, in the UI language;
    empty for other kinds of answer (a date, a level …) and unanswered questions."""
    if value is None:
        return ""
    if fdef.type == FieldType.TEXT:
        return _shortened(str(value))
    if fdef.type == FieldType.SINGLE_CHOICE:
        option = next((o for o in fdef.options or [] if o.id == value), None)
        return _shortened(pick(option.label, current_language())) if option else ""
    return ""


class GroupItem(QFrame):
    """One entry of a repeatable group (a child, a qualification …) with a Remove button."""

    def __init__(self, group: GroupEditor) -> None:
        super().__init__()
        self.setFrameShape(QFrame.Shape.StyledPanel)
        self.setObjectName("group_item")
        self.header = QLabel()
        self.header.setStyleSheet("font-weight: bold; color: #444;")
        self.remove = QPushButton()
        self.remove.setAutoDefault(False)
        top = QHBoxLayout()
        top.addWidget(self.header, 1)
        top.addWidget(self.remove)
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        self.editors: dict[str, FieldEditor] = {}
        for sub in group.fdef.fields or []:
            editor = make_editor(sub, sub.id, group.langs, group.directory)
            editor.take_buddy()  # a key of its own while the entry is the newest
            editor.changed.connect(group._emit)
            editor.changed.connect(lambda: group.head(self))
            layout.addWidget(editor)
            self.editors[sub.id] = editor
        self.remove.clicked.connect(lambda: group.ask_to_remove(self))
        self.question: QMessageBox | None = None

    def value(self) -> dict[str, Any]:
        out = {}
        for sub_id, editor in self.editors.items():
            value = editor.value()
            if value is not None:
                out[sub_id] = value
        return out


class GroupEditor(FieldEditor):
    """A repeatable group: entries with their own questions, Add and Remove buttons."""

    def build(self) -> None:
        self.items: list[GroupItem] = []
        # Where Add's access key sits in its text, chosen by the section page.
        self.add_key: Place = None
        # Where each question of an entry has its key (by the question's id), chosen by the
        # section page with the others: a letter of the window, given to the newest entry.
        self.sub_keys: dict[str, Place] = {}
        self.items_box = QVBoxLayout()
        self.items_box.setSpacing(6)
        self.add = QPushButton()
        self.add.setObjectName(f"{self.path}:add")
        self.add.setAutoDefault(False)
        self.add.clicked.connect(self._on_add_clicked)
        self.box.addLayout(self.items_box)
        row = QHBoxLayout()
        row.addWidget(self.add)
        row.addStretch(1)
        self.box.addLayout(row)

    def _on_add_clicked(self) -> None:
        item = self.add_item()
        self._emit()
        first = next(iter(item.editors.values()))
        focus_shown(first.focus_widget())

    def add_item(self) -> GroupItem:
        item = GroupItem(self)
        self.items.append(item)
        self.items_box.addWidget(item)
        self._tab_to(item)
        self._renumber()
        # Named now: an entry added by Add showed its inputs without questions (and choices
        # by their ids) until the next change of language.
        for editor in item.editors.values():
            editor.retranslate(editor.fdef.required is not False)
        self.show_keys()
        self.add.setEnabled(len(self.items) < self.fdef.max_items)
        return item

    def _tab_to(self, item: GroupItem) -> None:
        """Tab through ``item`` where it is shown, before Add: a new entry went to the end of
        the window's order (after its Finish button), Add leading on to the next question."""
        # The entry's inputs as made (the order a new widget joins its window's Tab order),
        # not by walking the focus chain: PySide6 takes the widget ``nextInFocusChain`` or
        # ``previousInFocusChain`` returns for a child of the one asked, an ancestor too (the
        # dialog for its line edit), and the garbage collector later crashed on those tangled
        # parents (Shiboken's removeParent; a segmentation fault, 1 run in 4 of the keyboard
        # sweep).
        window = item.window()
        inputs = [
            widget
            for widget in item.findChildren(QWidget)
            if widget.focusPolicy() != Qt.FocusPolicy.NoFocus
            and widget.focusProxy() is None
            and widget.window() is window  # not a choice box's list, in a popup of its own
        ]
        # Remove last, after the entry's answers: it stands top right and came first, so Tab
        # then Space removed the entry just reached.
        inputs = [w for w in inputs if w is not item.remove] + [item.remove]
        # After Add, then Add taken out and put after them: Qt's setTabOrder moves its second
        # widget, so the entry comes where Add was, and Add after it, on to what followed.
        tab_through(self.add, inputs)
        QWidget.setTabOrder(inputs[-1], self.add)

    def ask_to_remove(self, item: GroupItem) -> None:
        """Remove ``item``, after asking where anything was entered in it: its answers are
        gone with it, and no Undo brings them back."""
        if not item.value():
            self.remove_item(item)
            return

        def answered(remove: bool) -> None:
            item.question = None
            if remove and item in self.items:
                self.remove_item(item)
            elif item in self.items:
                focus_shown(item.remove)

        item.question = ask_to_confirm(
            self,
            _("Remove the entry?"),
            _("“{entry}” and what was entered in it will be removed.").format(
                entry=item.header.text()
            ),
            _("Remove"),
            answered,
        )

    def remove_item(self, item: GroupItem) -> None:
        self.items.remove(item)
        item.setParent(None)
        item.deleteLater()
        self._renumber()
        self.show_keys()
        self.add.setEnabled(True)
        self._emit()
        self.add.setFocus()

    def head(self, item: GroupItem) -> None:
        """Head ``item`` by its number and what tells it from the others.

        Three children were "Entry 1", "Entry 2", "Entry 3": which was the 6-year-old, the
        advisor had to read every entry's answers to find out. A child is "Child 2: Ivan,
        6 years" (the name as typed, the age on the form's day, or the birth year where that
        is all); another entry is headed by its first answer ("Entry 2: German")."""
        if item not in self.items:
            return
        item.header.setText(self.heading(item))
        # A screen reader at Remove hears which entry goes and, after it, what it holds.
        item.remove.setAccessibleDescription(item.header.text())

    def _form_day(self) -> dt.date:
        """The day the form is checked for (``FormView.today``): a child's age in the heading
        is the one the questions asked of the child go by (school from 6), at an old visit
        too."""
        parent = self.parentWidget()
        while parent is not None and not isinstance(parent, FormView):
            parent = parent.parentWidget()
        return parent.today if parent is not None and parent.today else dt.date.today()

    def heading(self, item: GroupItem) -> str:
        """``item``'s heading ("Child 2: Ivan, 6 years"), also that of the entries following
        it in another group (see FollowerEditor)."""
        n = self.items.index(item) + 1
        if self._of_children:
            heading = _("Child {n}").format(n=n)
            details = _child_details(item.value(), self._form_day())
        else:
            heading = _("Entry {n}").format(n=n)
            editors = [e for e in item.editors.values() if not e.isHidden()]
            shown = [(e.fdef, _answer_shown(e.fdef, e.value())) for e in editors]
            answered = [(fdef, text) for fdef, text in shown if text]
            details = [text for _fdef, text in answered[:1]]
            # and the first required text after it: two qualifications were both "Entry 1:
            # vocational training", "Entry 2: vocational training" (the title tells them apart)
            details += [
                text for fdef, text in answered[1:] if fdef.type == FieldType.TEXT and fdef.required
            ][:1]
        details = [text for text in details if text]
        if not details:
            return heading
        return _("{entry}: {details}").format(entry=heading, details=", ".join(details))

    @property
    def _of_children(self) -> bool:
        return self.fdef.id == CHILDREN_FIELD

    def _renumber(self) -> None:
        remove = _("Remove child {n}") if self._of_children else _("Remove entry {n}")
        for index, item in enumerate(self.items):
            self.head(item)
            item.remove.setText(_("Remove"))
            item.remove.setAccessibleName(remove.format(n=index + 1))
            for sub_id, editor in item.editors.items():
                editor.rename(f"{self.path}[{index}].{sub_id}")
                editor.entry = index + 1
                editor.child_entry = self._of_children
                editor.name_inputs()

    def add_text(self) -> str:
        """Add's text as the definition words it (no key marked), in the UI language."""
        return self.langs.text(self.fdef.add_label) or _("Add")

    def show_add(self) -> None:
        self.add.setText(marked(self.add_text(), self.add_key))

    def show_keys(self) -> None:
        """The entries' questions with their keys in the newest entry, none in the others.

        Every entry repeats the same questions and the letters of a window are few: one
        letter per question, not per entry. The newest entry has them: Add puts the focus
        there and it is the one being filled in; the keys move to the entry before it when it
        is removed, and stay the same letters however many entries there are (chosen from
        the questions, not the entries). The other entries are reached by Tab."""
        for item in self.items:
            newest = item is self.items[-1]
            for sub_id, editor in item.editors.items():
                editor.label_key = self.sub_keys.get(sub_id) if newest else None
                editor.show_title()

    def takes_buddy(self) -> bool:
        return False  # Add has a key of its own

    def retranslate_input(self) -> None:
        self.show_add()
        self._renumber()

    def retranslate(self, required: bool) -> None:
        super().retranslate(required)
        for item in self.items:
            for editor in item.editors.values():
                editor.retranslate(editor.fdef.required is not False)

    def value(self) -> Any:
        return [item.value() for item in self.items] or None

    def set_value(self, value: Any) -> None:
        for item in list(self.items):
            self.items.remove(item)
            item.setParent(None)
            item.deleteLater()
        for entry in value if isinstance(value, list) else []:
            item = self.add_item()
            for sub_id, editor in item.editors.items():
                editor.set_value(entry.get(sub_id) if isinstance(entry, dict) else None)
        while len(self.items) < self.fdef.min_items:  # a required group starts with its entries
            self.add_item()
        self.retranslate_input()

    def focus_widget(self) -> QWidget:
        return self.add

    def first_input(self) -> QWidget:
        # The skills check opens with an empty language entry: the keyboard went to "Add
        # language" below it, and a first Space added a second empty entry. With the
        # languages of the person's record it opens at the first level to ask, not at the
        # language already chosen.
        shown = [e for item in self.items for e in item.editors.values() if not e.isHidden()]
        target = next((e for e in shown if e.value() is None), shown[0] if shown else None)
        return target.first_input() if target is not None else self.add


def _answered(editor: FieldEditor) -> bool:
    """Whether ``editor``'s question has its answer: a group has an entry and every question
    shown in its entries is answered (a language from the record, its level not yet)."""
    if editor.value() in (None, "", [], {}):
        return False
    if isinstance(editor, GroupEditor):
        shown = [e for item in editor.items for e in item.editors.values() if not e.isHidden()]
        return all(_answered(e) for e in shown)
    return True


class FollowerRow(QFrame):
    """The entry of a following group about one entry of the group it follows: that entry's
    heading and this group's own questions."""

    def __init__(self, follower: FollowerEditor, item: GroupItem) -> None:
        super().__init__()
        self.item = item
        self.setFrameShape(QFrame.Shape.StyledPanel)
        self.setObjectName("follower_row")
        self.header = QLabel()
        self.header.setStyleSheet("font-weight: bold; color: #444;")
        layout = QVBoxLayout(self)
        layout.addWidget(self.header)
        self.editors: dict[str, FieldEditor] = {}
        for sub in follower.own_fields():
            editor = make_editor(sub, sub.id, follower.langs, follower.directory)
            editor.take_buddy()  # its label names its input; the key is the group's label's
            editor.changed.connect(follower._emit)
            layout.addWidget(editor)
            self.editors[sub.id] = editor

    def answers(self) -> dict[str, Any]:
        return {k: v for k, e in self.editors.items() if (v := e.value()) is not None}


class FollowerEditor(FieldEditor):
    """A group that follows another (``follows:`` in the definition, the children's health
    insurance): one entry per entry of that group, headed as that one is ("Child 2: Ivan,
    6 years"), with this group's own questions; no Add or Remove. Its stored entries name
    the entry they are about by the answers both groups have (the child's name and birth) and
    are matched by them (``following_entries``), as an entry is made for a child."""

    def build(self) -> None:
        self.followed: GroupEditor | None = None
        self.rows: list[FollowerRow] = []
        # Entries set (a stored visit's, a draft's), each waiting to be matched to its child's
        # row as that is made.
        self.pool: list[dict[str, Any]] = []
        self.rows_box = QVBoxLayout()
        self.rows_box.setSpacing(6)
        self.box.addLayout(self.rows_box)
        # Where the label's access key leads while there is no child (follow() then leads it
        # to the first child's question). Focus by click only: Tab goes through the questions
        # themselves, and a label's key leads nowhere to a widget without focus.
        self.anchor = QWidget()
        self.anchor.setFocusPolicy(Qt.FocusPolicy.ClickFocus)
        self.box.addWidget(self.anchor)
        self.leads = False  # whether the label has a key leading to the first row

    def own_fields(self) -> list[FieldDef]:
        return [s for s in self.fdef.fields or [] if s.id not in self._keys()]

    def _keys(self) -> list[str]:
        followed = self.followed.fdef if self.followed is not None else None
        if followed is None:
            return []
        return [s.id for s in self.fdef.fields or [] if followed.subfield(s.id) is not None]

    def follow(self, group: GroupEditor) -> None:
        """One row per entry of ``group``, in its order, each row kept with its entry."""
        self.followed = group
        rows = {id(row.item): row for row in self.rows}
        wanted = [
            rows.pop(id(item)) if id(item) in rows else self._new_row(item) for item in group.items
        ]
        for gone in rows.values():  # its child removed: its answer goes with it
            gone.setParent(None)
            gone.deleteLater()
        self.rows = wanted
        for index, row in enumerate(self.rows):
            self.rows_box.insertWidget(index, row)
            row.header.setText(group.heading(row.item))
            for sub_id, editor in row.editors.items():
                editor.rename(f"{self.path}[{index}].{sub_id}")
                editor.entry = index + 1
                editor.child_entry = group.fdef.id == CHILDREN_FIELD
                editor.name_inputs()
        # The label's key leads to the first child's question (a buddy, not a focus proxy:
        # Qt moves a proxy in the focus chain, and Tab then skipped the questions after it).
        first = self.rows[0].editors if self.rows else {}
        lead = next(iter(first.values())).focus_widget() if first else self.anchor
        self.leads = self.leads or self.title.buddy() is not None  # a buddy's row may be gone
        if self.leads and self.title.buddy() is not lead:
            self.title.setBuddy(lead)

    def _identity(self, item: GroupItem) -> dict[str, Any]:
        value = item.value()
        return {k: value[k] for k in self._keys() if k in value}

    def _new_row(self, item: GroupItem) -> FollowerRow:
        row = FollowerRow(self, item)
        identity, keys = self._identity(item), self._keys()
        [match] = following_entries([identity], self.pool, keys)
        if match is not None:
            self.pool.remove(dict(match))
            for sub_id, editor in row.editors.items():
                editor.set_value(match.get(sub_id))
        for editor in row.editors.values():
            editor.retranslate(editor.fdef.required is not False)
        return row

    def buddy_widget(self) -> QWidget:
        return self.anchor

    def retranslate(self, required: bool) -> None:
        super().retranslate(required)
        for row in self.rows:
            if self.followed is not None:
                row.header.setText(self.followed.heading(row.item))
            for editor in row.editors.values():
                editor.retranslate(editor.fdef.required is not False)

    def value(self) -> Any:
        entries = [
            {**self._identity(row.item), **answers}
            for row in self.rows
            if (answers := row.answers())
        ]
        return entries or None

    def set_value(self, value: Any) -> None:
        """Keeps the entries to be matched to the rows the next :meth:`follow` makes."""
        for row in self.rows:
            row.setParent(None)
            row.deleteLater()
        self.rows = []
        self.pool = (
            [dict(e) for e in value if isinstance(e, dict)] if isinstance(value, list) else []
        )

    def focus_widget(self) -> QWidget:
        return self.anchor


# ---------------------------------------------------------------------------------------------
# pages


class SectionPage(QScrollArea):
    """One section's questions, or, while its consent is missing, a closed notice."""

    def __init__(
        self, section: Section, langs: Languages, directory: ServiceDirectory | None = None
    ) -> None:
        super().__init__()
        self.section = section
        self.setWidgetResizable(True)
        self.setFrameShape(QFrame.Shape.NoFrame)
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        # Not a Tab stop: Tab stopped on the page itself between the previous widget and the
        # first question, nothing shown focused (Tab to a question scrolls it into view).
        self.setFocusPolicy(Qt.FocusPolicy.ClickFocus)
        inner = QWidget()
        self.layout_ = QVBoxLayout(inner)
        self.title = QLabel()
        self.title.setStyleSheet("font-size: 14pt; font-weight: bold;")
        self.client_title = QLabel()
        self.client_title.setStyleSheet(f"font-size: 12pt; color: {CLIENT_COLOUR};")
        self.help = QLabel()
        self.help.setWordWrap(True)
        self.help.setStyleSheet("color: #555;")
        self.locked = QLabel()
        self.locked.setWordWrap(True)
        self.locked.setStyleSheet("background: #fff4ce; padding: 8px; border-radius: 4px;")
        self.consent_button = QPushButton()
        self.consent_button.setObjectName(f"consent:{section.id}")
        self.consent_button.setAutoDefault(False)
        # restricted answers the user may not see: a note instead of the questions
        self.withheld_note = QLabel()
        self.withheld_note.setObjectName(f"withheld:{section.id}")
        self.withheld_note.setWordWrap(True)
        self.withheld_note.setStyleSheet(
            "background: #eef2f7; color: #333; padding: 8px; border-radius: 4px;"
        )
        self.withheld_note.hide()
        self.withheld_whole = False
        self.layout_.addWidget(self.title)
        self.layout_.addWidget(self.client_title)
        self.layout_.addWidget(self.help)
        self.layout_.addWidget(self.withheld_note)
        self.layout_.addWidget(self.locked)
        row = QHBoxLayout()
        row.addWidget(self.consent_button)
        row.addStretch(1)
        self.layout_.addLayout(row)
        self.editors: dict[str, FieldEditor] = {}
        for fdef in section.fields:
            editor = make_editor(fdef, fdef.id, langs, directory)
            editor.take_buddy()
            self.layout_.addWidget(editor)
            self.editors[fdef.id] = editor
        self.layout_.addStretch(1)
        self.setWidget(inner)
        self.set_locked(False)

    def assign_keys(self, reserved: set[str], consent_text: str) -> None:
        """Access keys for the Add buttons, then for the labels, each a letter that neither
        ``reserved`` (the window's keys) nor this page's consent button nor an earlier one
        here uses. Chosen for every question of the section, shown or not: a key must not
        move to another question as answers show and hide them."""
        taken = set(reserved)
        if consent := key_of(consent_text):
            taken.add(consent)
        groups = [e for e in self.editors.values() if isinstance(e, GroupEditor)]
        labels = [e for e in self.editors.values() if e.title.buddy() is not None]
        # The questions of the groups' entries last, whether an entry is shown or not (see
        # GroupEditor.show_keys); groups are never nested.
        subs = [(g, sub) for g in groups for sub in g.fdef.fields or []]
        # Add first: a button without a key is reached by Tab only, a label's is a shortcut
        # (and choose_keys never takes a key away, only moves it to another letter).
        texts = [g.add_text() for g in groups] + [e.langs.text(e.fdef.label) for e in labels]
        texts += [g.langs.text(sub.label) for g, sub in subs]
        chosen = choose_keys(texts, taken)
        for group, at in zip(groups, chosen, strict=False):
            group.add_key = at
            group.show_add()
        for editor, at in zip(labels, chosen[len(groups) : len(groups) + len(labels)], strict=True):
            editor.label_key = at
            editor.show_title()
        for group in groups:
            group.sub_keys = {}
        for (group, sub), at in zip(subs, chosen[len(groups) + len(labels) :], strict=True):
            group.sub_keys[sub.id] = at
        for group in groups:
            group.show_keys()

    def set_locked(self, locked: bool) -> None:
        self.locked.setVisible(locked)
        self.consent_button.setVisible(locked)
        if locked:
            for editor in self.editors.values():
                editor.hide()

    def set_withheld(self, whole: bool, some: bool) -> None:
        """``whole``: the section is restricted and not for this user; ``some``: a few of its
        questions are. The editors of withheld questions are never shown."""
        self.withheld_whole = whole
        self.withheld_note.setVisible(whole or some)
        if whole:
            self.help.hide()
            for editor in self.editors.values():
                editor.hide()


class NextStepsPage(QScrollArea):
    """Suggested next steps at the end of a form; the advisor accepts or dismisses each."""

    decided = Signal()

    def __init__(self, langs: Languages) -> None:
        super().__init__()
        self.langs = langs
        self.setWidgetResizable(True)
        self.setFrameShape(QFrame.Shape.NoFrame)
        self.decisions: dict[str, str] = {}
        self._shown: list[str] = []
        self._groups: list[QButtonGroup] = []
        inner = QWidget()
        self.layout_ = QVBoxLayout(inner)
        self.title = QLabel()
        self.title.setStyleSheet("font-size: 14pt; font-weight: bold;")
        # Both languages on one line ("Vorgeschlagene nächste Schritte · Предложени следващи
        # стъпки") ran 50 px past a laptop's window, the page scrolling sideways: it wraps.
        self.title.setWordWrap(True)
        self.empty = QLabel()
        self.empty.setWordWrap(True)
        self.layout_.addWidget(self.title)
        self.layout_.addWidget(self.empty)
        self.steps_box = QVBoxLayout()
        self.layout_.addLayout(self.steps_box)
        self.layout_.addStretch(1)
        self.setWidget(inner)
        self.steps: list[Any] = []

    def show_steps(self, steps: list[Any], force: bool = False) -> None:
        ids = [s.id for s in steps]
        self.title.setText(self.langs.msg(N_("Suggested next steps")))
        self.setAccessibleName(self.title.text())  # the page takes the focus: its name
        self.empty.setText(_("No next steps are suggested for these answers."))
        self.empty.setVisible(not steps)
        if ids == self._shown and not force:
            return
        self._shown = ids
        self.steps = steps
        while self.steps_box.count():
            child = self.steps_box.takeAt(0)
            widget = child.widget() if child is not None else None
            if widget is not None:
                widget.setParent(None)
                widget.deleteLater()
        self._groups = []
        for step in steps:
            frame = QFrame()
            frame.setFrameShape(QFrame.Shape.StyledPanel)
            box = QVBoxLayout(frame)
            title = QLabel(self.langs.text(step.label))
            title.setWordWrap(True)
            title.setStyleSheet("font-weight: bold;")
            box.addWidget(title)
            client = self.langs.client_text(step.label)
            if client:
                other = QLabel(client)
                other.setWordWrap(True)
                other.setStyleSheet(f"color: {CLIENT_COLOUR}; font-style: italic;")
                box.addWidget(other)
            if step.reason:
                reason = QLabel(self.langs.text(step.reason))
                reason.setWordWrap(True)
                reason.setStyleSheet("color: #555;")
                box.addWidget(reason)
                # Why, in the person's language too: only the step's name was said to them.
                if why := self.langs.client_text(step.reason):
                    told = QLabel(why)
                    told.setWordWrap(True)
                    told.setStyleSheet(f"color: {CLIENT_COLOUR}; font-style: italic;")
                    box.addWidget(told)
            row = QHBoxLayout()
            group = QButtonGroup(frame)
            for decision, text in (("accepted", _("Accept")), ("dismissed", _("Dismiss"))):
                radio = QRadioButton(text)
                radio.setObjectName(f"step:{step.id}:{decision}")
                radio.setAccessibleName(f"{text}: {self.langs.text(step.label)}")
                radio.setChecked(self.decisions.get(step.id) == decision)
                radio.toggled.connect(lambda on, s=step.id, d=decision: self._on_toggled(s, d, on))
                group.addButton(radio)
                row.addWidget(radio)
            row.addStretch(1)
            box.addLayout(row)
            self._groups.append(group)
            self.steps_box.addWidget(frame)
        radios = [b for group in self._groups for b in group.buttons()]
        tab_through(self, radios)  # where they are shown: in the page, above the buttons

    def _on_toggled(self, step_id: str, decision: str, on: bool) -> None:
        if on:
            self.decisions[step_id] = decision
            self.decided.emit()


# ---------------------------------------------------------------------------------------------
# the view


def _note(name: str, colours: str) -> QLabel:
    """A line of text above the form's section (hidden until there is something to say)."""
    label = QLabel()
    label.setWordWrap(True)
    label.setObjectName(name)
    label.setStyleSheet(f"{colours} padding: 6px; border-radius: 4px;")
    label.hide()
    return label


class FormView(QWidget):
    """A whole form: navigator with completeness per section, one section at a time.

    ``consents`` (granted purpose ids) closes sections needing a purpose not granted; ``None``
    opens everything. ``withheld`` (restriction kinds the user may not see, e.g. a helper's
    ``health``) hides those sections and questions behind a short note. ``client_lang`` turns
    on bilingual labels. ``directory`` (the service directory in force) completes the questions
    that suggest its names.
    """

    answers_changed = Signal()
    consent_requested = Signal(str)  # purpose id

    def __init__(
        self,
        definition: FormDefinition,
        *,
        client_lang: str | None = None,
        consents: Collection[str] | None = None,
        withheld: Collection[str] = (),
        today: dt.date | None = None,
        directory: ServiceDirectory | None = None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.definition = definition
        self.langs = Languages(client_lang)
        self.consents: frozenset[str] | None = None if consents is None else frozenset(consents)
        self.withheld = frozenset(withheld)
        self.withheld_fields = definition.withheld_fields(self.withheld)
        self.today = today
        self.show_all_errors = False
        self.state: FormState | None = None
        self._loading = False
        # Questions a visit recorded with an earlier version of the form was not asked
        # (``visits.not_asked``): no answer needed; and the versions, to say so.
        self.optional: frozenset[str] = frozenset()
        self._versions: tuple[int, int] | None = None
        # the questions added since that version (None: not known), shown in its words
        self._added_since: tuple[tuple[FieldDef, ...] | None, bool] = (None, False)
        #: a draft begun in an earlier version of the form: that version, and the questions
        #: added since that need an answer (None: the added ones are not known)
        self._draft_begun: tuple[int, tuple[FieldDef, ...] | None] | None = None

        self.navigator = QListWidget()
        self.navigator.setObjectName("sections")
        self.navigator.setMinimumWidth(220)
        self.navigator.setWordWrap(True)
        # Rows wrap at the list's width: laid out again when it changes.
        self.navigator.setResizeMode(QListView.ResizeMode.Adjust)
        self.rows_delegate = HangingRowsDelegate(self.navigator)
        self.navigator.setItemDelegate(self.rows_delegate)
        self.navigator.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.navigator.setSpacing(2)
        self.navigator.currentRowChanged.connect(self._on_navigator_row_changed)
        self.stack = QStackedWidget()
        self.pages: list[SectionPage] = []
        self.editors: dict[str, FieldEditor] = {}
        for section in definition.sections:
            page = SectionPage(section, self.langs, directory)
            page.consent_button.clicked.connect(
                lambda _c=False, p=section.requires_consent: self.consent_requested.emit(p or "")
            )
            for field_id, editor in page.editors.items():
                editor.changed.connect(self._on_editor_changed)
                self.editors[field_id] = editor
            self.pages.append(page)
            self.stack.addWidget(page)
            self.navigator.addItem(QListWidgetItem())
        self.steps_page = NextStepsPage(self.langs)
        self.steps_page.decided.connect(self.answers_changed)
        self.has_steps = bool(definition.next_steps)
        if self.has_steps:
            self.stack.addWidget(self.steps_page)
            self.navigator.addItem(QListWidgetItem())

        self.banner = _note("banner", "background: #fde7e9; color: #8a0012;")
        # A visit recorded with a newer version of this form (this laptop not updated yet):
        # said quietly, as nothing needs doing; saving keeps what is not shown.
        self.newer_note = _note("newer_form_note", "background: #eef2f7; color: #333;")
        # A visit recorded with an earlier version (the coordinator published a new one
        # since): shown in the current wording, with questions it was never asked.
        self.older_note = _note("older_form_note", "background: #eef2f7; color: #333;")
        # A visit of an earlier day (reopened, or its draft continued): its questions and ages
        # go by that day, "Ana, 4 years" for a child of 6 now. Said, quietly, so that it reads
        # as the visit's and not as a mistake.
        self.day_note = _note("visit_day_note", "background: #eef2f7; color: #333;")
        # A draft begun in an earlier version of the form (a sync brought a new one since):
        # said in one line, with the questions added that need an answer before finishing.
        self.draft_version_note = _note("draft_version_note", "background: #eef2f7; color: #333;")
        self.draft_version_note.setVisible(False)
        self.day_note.setVisible(today is not None and today < dt.date.today())
        self.back_button = QPushButton()
        self.next_button = QPushButton()
        for button in (self.back_button, self.next_button):
            button.setAutoDefault(False)
        self.back_button.clicked.connect(lambda: self.step_section(-1))
        self.next_button.clicked.connect(lambda: self.step_section(+1))
        QShortcut(QKeySequence(NEXT_SECTION_KEY), self, lambda: self.step_section(+1))
        QShortcut(QKeySequence(PREVIOUS_SECTION_KEY), self, lambda: self.step_section(-1))

        right = QWidget()
        right_box = QVBoxLayout(right)
        right_box.setContentsMargins(0, 0, 0, 0)
        right_box.addWidget(self.newer_note)
        right_box.addWidget(self.older_note)
        right_box.addWidget(self.draft_version_note)
        right_box.addWidget(self.day_note)
        right_box.addWidget(self.banner)
        right_box.addWidget(self.stack, 1)
        buttons = QHBoxLayout()
        buttons.addWidget(self.back_button)
        buttons.addStretch(1)
        buttons.addWidget(self.next_button)
        right_box.addLayout(buttons)
        splitter = QSplitter()
        splitter.addWidget(self.navigator)
        splitter.addWidget(right)
        splitter.setStretchFactor(1, 1)
        splitter.setSizes([240, 700])
        self.splitter = splitter
        self._navigator_fitted = False
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(splitter)
        for editor in self.editors.values():
            if isinstance(editor, GroupEditor) and editor.fdef.min_items:
                editor.set_value(None)
        self.followers = [
            (editor, followed)
            for editor in self.editors.values()
            if isinstance(editor, FollowerEditor)
            and isinstance(followed := self.editors.get(editor.fdef.follows or ""), GroupEditor)
        ]
        self._follow()
        self.retranslate()
        self.navigator.setCurrentRow(0)

    def showEvent(self, event: QShowEvent) -> None:
        self.assign_keys()
        super().showEvent(event)
        if not self._navigator_fitted:
            self._navigator_fitted = True
            self.fit_navigator()

    def fit_navigator(self) -> None:
        """The sections' list as wide as its longest line where the window has room for it (at
        most 30 % of its width), each line unwrapped: at 240 px "→ Vorgeschlagene nächste
        Schritte  0" broke after "Schritte" and the wrapped lines lost their indent. The
        user's own dragging of the divider is kept (only the first showing fits it)."""
        nav = self.navigator
        font = nav.font()
        widest = max(
            (hanging_width(nav.item(row).text(), font) for row in range(nav.count())), default=0
        )
        # what the rows' delegate leaves beside the text (and 4 px to spare), the frame and a
        # scroll bar
        extra = 2 * nav.spacing() + self.rows_delegate.padding() + 4 + 2 * nav.frameWidth()
        extra += nav.style().pixelMetric(QStyle.PixelMetric.PM_ScrollBarExtent, None, nav)
        total = sum(self.splitter.sizes())
        wanted = min(max(widest + extra, nav.width()), total * 3 // 10)
        if wanted > nav.width():
            self.splitter.setSizes([wanted, total - wanted])

    # --- answers ---------------------------------------------------------------------------
    def answers(self) -> dict[str, Any]:
        """Everything typed so far, relevant or not (a draft keeps it all); never the
        questions withheld from this user."""
        out: dict[str, Any] = {}
        for field_id, editor in self.editors.items():
            if field_id in self.withheld_fields:
                continue
            value = editor.value()
            if value is not None:
                out[field_id] = value
        return out

    def decisions(self) -> dict[str, str]:
        return dict(self.steps_page.decisions)

    def set_answers(
        self, answers: Mapping[str, Any], decisions: Mapping[str, str] | None = None
    ) -> None:
        self._loading = True
        try:
            for field_id, editor in self.editors.items():
                editor.set_value(answers.get(field_id))
                if field_id in answers:
                    editor.touched = True
            self.steps_page.decisions = dict(decisions or {})
            self._follow()
        finally:
            self._loading = False
        self.retranslate()

    def set_answer(self, field_id: str, value: Any) -> None:
        """One answer given for the user, who can change it: shown, and saved with the rest."""
        editor = self.editors[field_id]
        editor.set_value(value)
        editor.touched = True
        self.refresh()
        self.answers_changed.emit()

    def set_recorded_with_newer(self, newer: bool) -> None:
        """Whether the answers shown hold what this form cannot show (a newer version's
        questions or options, ``visits.recorded_with_newer_form``): a note says it is kept."""
        self.newer_note.setVisible(newer)

    def set_recorded_with_older(
        self,
        version: int,
        not_asked: Collection[str],
        *,
        added: Sequence[FieldDef] | None = None,
        worded: bool = False,
    ) -> None:
        """The answers shown were recorded with ``version`` of the form, an earlier one than
        this: a note says so, and the questions it was not asked (``not_asked``) need no
        answer. ``added``: the questions added since, where that version is known here (None:
        not known); ``worded``: the form is shown in that version's words."""
        older = version < self.definition.version
        self._versions = (version, self.definition.version) if older else None
        self._added_since = (tuple(added) if added is not None else None, worded)
        self.optional = frozenset(not_asked) if older else frozenset()
        self.older_note.setVisible(older)
        self.retranslate()

    def _older_text(self, old: int, new: int) -> str:
        """The note on a check recorded with version ``old`` of the form, ``new`` now."""
        added, worded = self._added_since
        if added is None or not worded:
            return _(
                "This check was recorded with version {old} of the form; it has been "
                "changed since (now version {new}). Questions added since were not asked "
                "then and may stay unanswered. The answers are shown in the current "
                "wording."
            ).format(old=old, new=new)
        if not added:
            return _(
                "This check was recorded with version {old} of the form; it has been "
                "changed since (now version {new}), no question was added. The answers are "
                "shown in the words of version {old}."
            ).format(old=old, new=new)
        names = ", ".join(self.langs.text(f.label) for f in added)
        said = ngettext(
            "This check was recorded with version {old} of the form; it has been changed "
            "since (now version {new}). The answers are shown in the words of version {old}. "
            "The question added since was not asked then and may stay unanswered: {names}.",
            "This check was recorded with version {old} of the form; it has been changed "
            "since (now version {new}). The answers are shown in the words of version {old}. "
            "The questions added since were not asked then and may stay unanswered: {names}.",
            len(added),
        ).format(old=old, new=new, names=names)
        return said[:-1] if said.endswith(("?.", "!.")) else said

    def set_draft_begun_in(self, version: int, to_answer: Sequence[FieldDef] | None) -> None:
        """The draft shown was begun in ``version`` of the form (0: not known, said nothing):
        where that is an earlier one, a line says it continues in this one, naming the
        questions added since that need an answer (``to_answer``; None: not known)."""
        begun = 0 < version < self.definition.version
        self._draft_begun = (version, tuple(to_answer) if to_answer is not None else None)
        if not begun:
            self._draft_begun = None
        self.draft_version_note.setVisible(begun)
        self.retranslate()

    def set_client_language(self, lang: str | None) -> None:
        self.langs.client = lang
        self.retranslate()

    def set_consents(self, consents: Collection[str] | None) -> None:
        self.consents = None if consents is None else frozenset(consents)
        self.refresh()

    # --- evaluation ------------------------------------------------------------------------
    def _on_editor_changed(self) -> None:
        if self._loading:
            return
        self.refresh()
        self.answers_changed.emit()

    def _follow(self) -> None:
        """The following groups' entries made for the entries of the groups they follow."""
        for follower, followed in self.followers:
            follower.follow(followed)

    def refresh(self) -> FormState:
        """Re-evaluate and show relevance, errors, progress and next steps."""
        self._follow()
        state = evaluate(
            self.definition,
            self.answers(),
            today=self.today,
            require_complete=self.show_all_errors,
            consents=self.consents,
            withheld=self.withheld,
            optional=self.optional,
        )
        self.state = state
        errors: dict[str, list[str]] = {}
        for error in state.errors:
            errors.setdefault(error.field_path, []).append(self.langs.text(error.message))
        notices: dict[str, list[str]] = {}
        for notice in state.notices:
            notices.setdefault(notice.field_path, []).append(self.langs.text(notice.message))
        for page in self.pages:
            whole = self._withheld(page.section)
            page.set_withheld(whole, any(f in self.withheld_fields for f in page.editors))
            locked = not whole and self._locked(page.section)
            page.set_locked(locked)
            if locked or whole:
                continue
            for editor in page.editors.values():
                self._apply(editor, state, errors, notices)
        self._update_navigator(state)
        if self.has_steps:
            self.steps_page.show_steps(state.next_steps)
        if not state.errors:
            self.banner.hide()
        return state

    def _apply(
        self,
        editor: FieldEditor,
        state: FormState,
        errors: dict[str, list[str]],
        notices: dict[str, list[str]],
    ) -> None:
        relevant = editor.path in state.relevant_fields
        editor.setVisible(relevant)
        # said once the question was answered or looked at, as its errors
        said = editor.touched or self.show_all_errors
        editor.show_errors(errors.get(editor.path, []) if said else [])
        editor.show_notices(notices.get(editor.path, []) if said else [])
        if isinstance(editor, GroupEditor) and relevant:
            for item in editor.items:
                for sub in item.editors.values():
                    sub.setVisible(sub.path in state.relevant_fields)
                    sub.show_errors(errors.get(sub.path, []) if said else [])
                    sub.show_notices(notices.get(sub.path, []) if said else [])

    def _withheld(self, section: Section) -> bool:
        return section.restricted is not None and section.restricted in self.withheld

    def _locked(self, section: Section) -> bool:
        purpose = section.requires_consent
        return purpose is not None and self.consents is not None and purpose not in self.consents

    def _update_navigator(self, state: FormState) -> None:
        before = [self.navigator.item(row).text() for row in range(self.navigator.count())]
        self._set_navigator_texts(state)
        if any(self.navigator.item(row).text() != text for row, text in enumerate(before)):
            # A list caches its rows' heights: a text that wraps differently now (a second
            # language's line added) was cut off until the list laid its rows out anew.
            self.navigator.doItemsLayout()

    def _set_navigator_texts(self, state: FormState) -> None:
        for row, page in enumerate(self.pages):
            item = self.navigator.item(row)
            section = page.section
            progress = state.progress[section.id]
            name = self.langs.text(section.label)
            client = self.langs.client_text(section.label)
            whole = self._withheld(section)
            locked = not whole and self._locked(section)
            if whole:
                text = f"⊘ {name} – " + _("not shown to you")
                item.setToolTip(_("Only advisors see this section."))
            elif locked:
                needed = _("consent needed")
                text = f"⚠ {name} – {needed}"
                item.setToolTip(_("Consent is needed before this section opens."))
            else:
                mark = "✓" if progress.complete and progress.answered else "○"
                text = f"{mark} {name}{COUNT_GAP}{progress.answered}/{progress.fields}"
                item.setToolTip("")
            if client:
                text += f"\n    {client}"
            item.setText(text)
            item.setData(Qt.ItemDataRole.AccessibleTextRole, text)
            item.setHidden(not (locked or whole) and section.id not in state.relevant_sections)
            has_error = any(e.field_path.split("[")[0] in page.editors for e in state.errors) and (
                self.show_all_errors
            )
            item.setForeground(Qt.GlobalColor.darkRed if has_error else Qt.GlobalColor.black)
        if self.has_steps:
            item = self.navigator.item(len(self.pages))
            title = "→ " + _("Suggested next steps") + f"{COUNT_GAP}{len(state.next_steps)}"
            if self.langs.bilingual and self.langs.client:
                title += "\n    " + gettext_in(self.langs.client, "Suggested next steps")
            item.setText(title)

    # --- navigation ------------------------------------------------------------------------
    def _on_navigator_row_changed(self, row: int) -> None:
        if row < 0:
            return
        self.stack.setCurrentIndex(row)
        self.back_button.setEnabled(self._neighbour(row, -1) is not None)
        self.next_button.setEnabled(self._neighbour(row, +1) is not None)

    def _neighbour(self, row: int, step: int) -> int | None:
        row += step
        while 0 <= row < self.navigator.count():
            if not self.navigator.item(row).isHidden():
                return row
            row += step
        return None

    def step_section(self, step: int) -> None:
        row = self._neighbour(self.navigator.currentRow(), step)
        if row is not None:
            self.show_section_row(row)

    def show_section_row(self, row: int) -> None:
        self.navigator.setCurrentRow(row)
        self.focus_first()

    def show_section(self, section_id: str) -> None:
        ids = [p.section.id for p in self.pages]
        row = ids.index(section_id) if section_id in ids else len(self.pages)
        self.show_section_row(row)

    def current_section(self) -> str:
        row = self.navigator.currentRow()
        return self.pages[row].section.id if row < len(self.pages) else SUMMARY

    def focus_first(self) -> None:
        row = self.navigator.currentRow()
        if row >= len(self.pages):
            focus_shown(self.steps_page)
            return
        page = self.pages[row]
        if page.consent_button.isVisible() or self._locked(page.section):
            focus_shown(page.consent_button)
            return
        for editor in page.editors.values():
            if not editor.isHidden():
                focus_shown(editor.first_input())
                return

    def focus_first_unanswered(self, not_asked: Collection[str] = ()) -> None:
        """Where a new check starts: the first question shown without an answer, in the form's
        order, and its section shown (in a group, its first empty question). A life-situation
        check opened on the family name filled in from the record, and the helper tabbed
        through the answers the record gave before the first one to ask. ``not_asked``: the
        questions empty that the person need not be asked (the name in Latin script of a name
        written in it). Everything answered: the first section's first question.

        Only the opening: a section the user goes to (the list, Page Down, Back/Next) starts
        at its first question (``focus_first``), as they look at it from the top; the
        keyboard's walks through the sections count on it."""
        for row, page in enumerate(self.pages):
            section = page.section
            if (
                self.navigator.item(row).isHidden()
                or self._locked(section)
                or self._withheld(section)
            ):
                continue
            for field_id, editor in page.editors.items():
                if editor.isHidden() or field_id in not_asked or _answered(editor):
                    continue
                self.navigator.setCurrentRow(row)
                widget = editor.first_input()
                focus_shown(widget)
                page.ensureWidgetVisible(widget)
                return
        self.focus_first()

    def focus_where_left(self, answers: Mapping[str, Any]) -> None:
        """Go to the question answered last in the form's order, its text's end: where a draft
        was left off (forms are filled from the top; after a crash the first section with the
        person's name was shown, and the helper had to find their place)."""
        last: FieldEditor | None = None
        last_row = 0
        for row, page in enumerate(self.pages):
            if self._locked(page.section):
                continue
            for field_id, editor in page.editors.items():
                if not editor.isHidden() and answers.get(field_id) not in (None, "", [], {}):
                    last, last_row = editor, row
        if last is None:
            self.focus_first()
            return
        self.navigator.setCurrentRow(last_row)
        widget = last.focus_widget()
        focus_shown(widget)
        if isinstance(widget, QLineEdit):
            widget.end(False)
        elif isinstance(widget, QPlainTextEdit):
            widget.moveCursor(QTextCursor.MoveOperation.End)
        self.pages[last_row].ensureWidgetVisible(widget)

    def input(self, path: str) -> QWidget:
        """The input widget of a field path (``"rent"``, ``"children[0].child_birth"``)."""
        widget = self.findChild(QWidget, path)
        if widget is None:
            raise KeyError(path)
        return widget

    # --- finishing ---------------------------------------------------------------------------
    def show_problems(self) -> FormState:
        """Show every missing/invalid answer at its field and go to the first one, the
        keyboard in it."""
        self.show_all_errors = True
        state = self.refresh()
        if state.errors:
            names = []
            first_section = None
            first_path = ""
            for error in state.errors:
                top = error.field_path.split("[")[0].split(".")[0]
                if top in self.editors:
                    section = self.definition.section_of(top)
                    first_section = first_section or section.id
                    first_path = first_path or error.field_path
                    name = self.langs.text(self.definition.field(top).label)
                    if name not in names:
                        names.append(name)
            self.banner.setText(
                _("Not finished yet – please check: {fields}").format(fields=", ".join(names))
                if names
                else _("Not finished yet.")
            )
            self.banner.show()
            if first_section:
                self.show_section(first_section)
                self._focus_answer(first_path)
        return state

    def _focus_answer(self, path: str) -> None:
        """The keyboard to the answer at ``path`` (a question in an entry: that entry's), in
        view. After a refused Finish it stayed in the section's first question, and a helper
        tabbed through the answers given to find the one missing."""
        widget = self.findChild(QWidget, path)
        if widget is None or not widget.isVisibleTo(self):
            editor = self.editors[path.split("[")[0].split(".")[0]]
            widget = editor.focus_widget()
        focus_shown(widget)
        self.pages[self.navigator.currentRow()].ensureWidgetVisible(widget)

    # --- access keys -------------------------------------------------------------------------
    def assign_keys(self) -> None:
        """Access keys for the definition's texts (Add buttons, question labels), letters the
        rest of the window does not use: its buttons are named before this runs (retranslate)
        and again once it is shown in its window (the window may be built after the view)."""
        reserved = keys_in(self.window(), outside=[self.stack])
        consent = _(CONSENT_BUTTON_TEXT)
        for page in self.pages:
            page.assign_keys(reserved, consent)

    # --- language ----------------------------------------------------------------------------
    def retranslate(self) -> None:
        state = evaluate(
            self.definition,
            self.answers(),
            today=self.today,
            require_complete=False,
            consents=self.consents,
            withheld=self.withheld,
            optional=self.optional,
        )
        if self.today is not None:
            self.day_note.setText(
                _(
                    "Visit of {date}: ages and the times since a date are counted to that day."
                ).format(date=format_partial_date(self.today.isoformat()))
            )
        self.newer_note.setText(
            _(
                "This check was recorded with a newer version of the form; answers this "
                "laptop cannot show are kept unchanged."
            )
        )
        if self._versions is not None:
            self.older_note.setText(self._older_text(*self._versions))
        if self._draft_begun is not None:
            old_version, to_answer = self._draft_begun
            versions = {"old": old_version, "new": self.definition.version}
            if to_answer is None:
                said = _(
                    "This draft was begun in version {old} of the form and continues in "
                    "version {new}."
                ).format(**versions)
            elif to_answer:
                names = ", ".join(self.langs.text(f.label) for f in to_answer)
                said = ngettext(
                    "This draft was begun in version {old} of the form and continues in "
                    "version {new}. The question added since needs an answer before "
                    "finishing: {names}.",
                    "This draft was begun in version {old} of the form and continues in "
                    "version {new}. The questions added since need an answer before "
                    "finishing: {names}.",
                    len(to_answer),
                ).format(names=names, **versions)
            else:
                said = _(
                    "This draft was begun in version {old} of the form and continues in "
                    "version {new}; no question added since needs an answer."
                ).format(**versions)
            if said.endswith(("?.", "!.")):  # the last question named ends the sentence
                said = said[:-1]
            self.draft_version_note.setText(said)
        self.back_button.setText(_("◀ &Back"))
        self.next_button.setText(_("&Next ▶"))
        # before the questions are named: they show the keys chosen for the new language
        self.assign_keys()
        for page in self.pages:
            section = page.section
            page.title.setText(self.langs.text(section.label))
            page.setAccessibleName(page.title.text())  # the page takes the focus: its name
            client = self.langs.client_text(section.label)
            page.client_title.setText(client)
            page.client_title.setVisible(bool(client))
            help_text = self.langs.text(section.help)
            page.help.setText(help_text)
            page.help.setVisible(bool(help_text))
            page.locked.setText(
                self.langs.msg(
                    N_(
                        "This section records special-category data. It opens once the person "
                        "has given consent for this purpose."
                    )
                )
            )
            page.consent_button.setText(_(CONSENT_BUTTON_TEXT))
            withheld = (
                _(
                    "Not shown to you. Only advisors see this section, or a helper to whom an "
                    "advisor has opened this person's case."
                )
                if self._withheld(section)
                else _(
                    "Some questions of this section are only shown to advisors, or to a helper "
                    "to whom an advisor has opened this person's case."
                )
            )
            # What a helper does when the person says it (no health insurance, for one): the
            # note alone left them to keep it in mind, or in the notes, where it must not go.
            page.withheld_note.setText(f"{withheld} {_(WITHHELD_NEED)}")
            for field_id, editor in page.editors.items():
                editor.retranslate(
                    editor.fdef.required is not False and field_id not in self.optional
                )
        self.back_button.setToolTip(key_text(PREVIOUS_SECTION_KEY))
        self.next_button.setToolTip(key_text(NEXT_SECTION_KEY))
        self.navigator.setAccessibleName(_("Sections"))
        if self.has_steps:
            self.steps_page.show_steps(state.next_steps, force=True)
        self.refresh()
