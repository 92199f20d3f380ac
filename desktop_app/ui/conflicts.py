"""The conflicts dialog: what two laptops recorded differently, and the advisor's decision.

Each conflict names the person, the record (a referral by its reference, a visit by its form)
and the field, and shows both values readably: a visit's differing answers by their labels, a
status or an option by its name. The advisor keeps one value, or for text typed by hand
enters the right one, or for a repeated group (a visit's children) keeps the entries of both.
The decision is stored on a worker thread (``DialogSave``).
"""

from __future__ import annotations

import contextlib
import datetime as dt
from typing import TYPE_CHECKING

from PySide6.QtCore import QSize, Qt, QTimer, Signal
from PySide6.QtGui import QKeyEvent, QShowEvent
from PySide6.QtWidgets import (
    QButtonGroup,
    QDialog,
    QDialogButtonBox,
    QGridLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListView,
    QListWidget,
    QPlainTextEdit,
    QPushButton,
    QRadioButton,
    QVBoxLayout,
    QWidget,
)

from desktop_app.domain.permissions import PermissionDenied
from desktop_app.domain.validation import ValidationFailed
from desktop_app.forms import FormDefinition, InvalidAnswers
from desktop_app.forms import label as pick
from desktop_app.forms.labels import labelled
from desktop_app.i18n.formatting import format_moment, format_number, format_partial_date
from desktop_app.i18n.messages import (
    FIELD_NAMES,
    RECORD_KINDS,
    STEP_DECISIONS,
    error_message,
    failure_message,
    field_message,
)
from desktop_app.i18n.text import _, current_language, ngettext
from desktop_app.ui.accounts import staff_label
from desktop_app.ui.error_label import WarningLabel
from desktop_app.ui.person_page import PageNotice
from desktop_app.ui.tasks import DialogSave
from desktop_app.ui.widgets import LAPTOP_WIDTH, ErrorLabel, KeepsInput, tab_through
from desktop_app.usecases import conflicts as conflicts_uc

if TYPE_CHECKING:
    from desktop_app.letters.directory import ServiceDirectory
    from desktop_app.ui.sync_status import SyncController

_MULTILINE = frozenset({"notes", "outcome"})


def field_label(field: str) -> str:
    return _(FIELD_NAMES[field]) if field in FIELD_NAMES else field


def _when(clock_time: dt.datetime | None) -> str:
    if clock_time is None:
        return "—"
    return format_moment(clock_time)


def _plain(value: object) -> str:
    if value is None or value == "" or value == [] or value == {}:
        return "—"
    if isinstance(value, bool):
        return _("yes") if value else _("no")
    if isinstance(value, list):
        return ", ".join(_plain(v) for v in value)
    if isinstance(value, dict):
        return "; ".join(labelled(str(k), _plain(v)) for k, v in value.items())
    return str(value)


def value_text(
    conflict: conflicts_uc.OpenConflict,
    value: object,
    directory: ServiceDirectory | None = None,
) -> str:
    """A field's value as a reader understands it (names of codes, not the codes), as the
    person's data export names it; a referral's service by its name given the ``directory``."""
    from desktop_app.usecases.person_data_text import conflict_value

    lang = current_language()
    return _plain(
        conflict_value(conflict.record_kind, conflict.field, value, None, lang, directory)
    )


def answer_text(definition: FormDefinition | None, key: str, value: object) -> str:
    """One answer of a visit, under its label, with the names of the options chosen."""
    label, text = answer_parts(definition, key, value)
    return labelled(label, text)


def answer_parts(definition: FormDefinition | None, key: str, value: object) -> tuple[str, str]:
    """An answer's label and its value as read (the names of the options chosen)."""
    from desktop_app.forms.definition import FieldDef, FieldType
    from desktop_app.i18n.messages import CEFR_LEVEL_TEXT
    from desktop_app.ui.form_view import YES_NO_UNKNOWN_TEXT

    lang = current_language()
    try:
        fdef = definition.field(key) if definition is not None else None
    except KeyError:
        fdef = None
    if fdef is None:
        return key, _plain(value)

    def shown(field: FieldDef, item: object) -> str:
        if isinstance(item, list) and field.fields:  # a repeated group: each entry in brackets
            return "; ".join(f"({entry_text(field, entry)})" for entry in item) or "—"
        if isinstance(item, list):
            return ", ".join(shown(field, v) for v in item) or "—"
        if not isinstance(item, str):
            return _plain(item)
        if field.type == FieldType.YES_NO_UNKNOWN and item in YES_NO_UNKNOWN_TEXT:
            return _(YES_NO_UNKNOWN_TEXT[item])
        if field.type == FieldType.CEFR and item in CEFR_LEVEL_TEXT:
            return _(CEFR_LEVEL_TEXT[item])
        if field.type == FieldType.DATE:  # 1 mai 2018, as the data copy says: not 2018-05-01
            with contextlib.suppress(ValueError):
                return format_partial_date(item, lang)
            return item
        option = field.option(item)
        return pick(option.label, lang) if option is not None else item

    def entry_text(group: FieldDef, entry: object) -> str:
        if not isinstance(entry, dict):
            return _plain(entry)
        parts = []
        for key, item in entry.items():
            sub = group.subfield(key)
            label = pick(sub.label, lang) if sub is not None else key
            parts.append(labelled(label, shown(sub, item) if sub is not None else _plain(item)))
        return ", ".join(parts)

    return pick(fdef.label, lang), shown(fdef, value)


def _checked(buttons: dict[str, QRadioButton]) -> set[str]:
    """The answers whose button is chosen."""
    return {key for key, button in buttons.items() if button.isChecked()}


def _values(c: conflicts_uc.OpenConflict) -> tuple[object, ...]:
    """What a decision about ``c`` is made on: its values (and which of them the user may
    see). The same conflict listed anew with these unchanged keeps what was chosen in it."""
    return (c.field, c.kept_value, c.other_value, c.differences, c.withheld)


class ConflictsDialog(QDialog):
    """Both values of each conflict; the advisor keeps one, or enters the right text."""

    decided = Signal()

    def __init__(self, controller: SyncController, parent: QWidget) -> None:
        super().__init__(parent)
        self.controller = controller
        self.setMinimumWidth(640)
        self.conflicts: list[conflicts_uc.OpenConflict] = []
        # By form and version: the form a visit's answers are named by (``_answers_form``).
        self._worded: dict[tuple[str, int], FormDefinition | None] = {}
        self.names: dict[str, str | None] = {}  # person id -> name (None: erased)
        self.viewed: set[str] = set()  # people whose values were shown (view logged once)
        self.intro = QLabel()
        self.intro.setWordWrap(True)
        self.notice = WarningLabel()  # what a sync did to the conflict being decided
        self.list = QListWidget()
        self.list.setMinimumHeight(90)
        # A visit's title can be longer than the list is wide (Bulgarian names it at length):
        # it wraps onto a second line rather than being read by scrolling sideways.
        self.list.setWordWrap(True)
        self.list.setResizeMode(QListView.ResizeMode.Adjust)
        self.list.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.list.currentRowChanged.connect(self._on_list_current_changed)
        #: the conflict whose values, and what was entered for it, the panes show
        self._showing: conflicts_uc.OpenConflict | None = None
        self._relisting = False  # the list filled or its row set by the dialog: nothing asked

        self.choice = QWidget()  # greyed out while a decision is being stored
        self.kept_box, self.kept_changed, self.kept_text, self.keep_first = self._side()
        self.other_box, self.other_changed, self.other_text, self.keep_second = self._side()
        # A repeated group (a visit's children): the entries of both values may be kept.
        self.both_box, self.both_count, self.both_text, self.keep_both = self._side()
        self.keep_first.clicked.connect(lambda: self._resolve_with(self._kept_value()))
        self.keep_second.clicked.connect(lambda: self._resolve_with(self._other_value()))
        self.keep_both.clicked.connect(lambda: self._resolve_with(self._both_value()))
        sides = QHBoxLayout()
        sides.addWidget(self.kept_box)
        sides.addWidget(self.other_box)
        sides.addWidget(self.both_box)
        self.edit_label = QLabel()
        self.edit_line = QLineEdit()
        self.edit_text = QPlainTextEdit()
        self.edit_text.setTabChangesFocus(True)
        self.edit_text.setMaximumHeight(90)
        self.edit_label.setBuddy(self.edit_line)
        self.save_edit = QPushButton()
        self.save_edit.clicked.connect(lambda: self._resolve_with(self._edited_value()))
        edit_row = QGridLayout()
        edit_row.addWidget(self.edit_label, 0, 0, 1, 2)
        # One row holds the field (a line or a text box, whichever is shown) and the button.
        edit_row.addWidget(self.edit_line, 1, 0)
        edit_row.addWidget(self.edit_text, 1, 0)
        edit_row.addWidget(self.save_edit, 1, 1, Qt.AlignmentFlag.AlignTop)
        self.combine = QGroupBox()
        self.combine_grid = QGridLayout(self.combine)
        self.save_combination = QPushButton()
        self.save_combination.clicked.connect(lambda: self._resolve_with(self._combined_value()))
        self.take_other: dict[str, QRadioButton] = {}
        self.take_both: dict[str, QRadioButton] = {}  # of the answers that are repeated groups
        self.error = ErrorLabel()
        self.why = QLabel()  # what kind of conflict it is, where the intro does not say
        self.why.setWordWrap(True)
        self.why.hide()
        choice_layout = QVBoxLayout(self.choice)
        choice_layout.setContentsMargins(0, 0, 0, 0)
        choice_layout.addWidget(self.why)
        choice_layout.addLayout(sides)
        choice_layout.addWidget(self.combine)
        choice_layout.addLayout(edit_row)
        choice_layout.addWidget(self.error)

        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        #: what the field for the right value was filled with for the conflict shown
        self._offered = ""
        # Escape pressed by reflex threw away the right value typed, or the answers taken one
        # by one, before they were saved.
        self.keeps_input = KeepsInput(self, self._entered)
        buttons.rejected.connect(self.keeps_input.cancel)
        self.save = DialogSave(self, self.choice)
        layout = QVBoxLayout(self)
        layout.addWidget(self.intro)
        layout.addWidget(self.notice)
        layout.addWidget(self.list, 1)
        layout.addWidget(self.choice, 2)
        layout.addStretch(0)  # with nothing left to decide, the words stay at the top
        layout.addWidget(buttons)
        # Enter outside a button closes (asking first if anything was entered): the first
        # decision button was the default, and Enter in the list kept the value in force.
        # (Made the default once in the dialog: a button of no dialog yet cannot be.)
        close = buttons.button(QDialogButtonBox.StandardButton.Close)
        assert close is not None
        close.setDefault(True)
        self.retranslate()
        self.reload()
        controller.window.retranslated.connect(self.retranslate)

    def retranslate(self) -> None:
        """Texts in the language chosen now; what is chosen or typed in the dialog stays."""
        self.setWindowTitle(_("Conflicts to decide"))
        self._set_intro()
        self.list.setAccessibleName(_("Conflicts"))
        self._side_texts(self._current())
        self.edit_label.setText(_("Or &enter the right value:"))
        self.save_edit.setText(_("&Save this value"))
        self.combine.setTitle(_("Or take each answer from the version that is right"))
        self.save_combination.setText(_("Save these &answers"))
        for row, conflict in enumerate(self.conflicts):
            self.list.item(row).setText(self._title(conflict))
        shown = self._current()
        if shown is not None:
            self._show_sides(shown)
            taken = _checked(self.take_other)
            both = _checked(self.take_both)
            self._show_combination(shown)
            self._choose(taken, both)

    def _choose(self, taken: set[str], both: set[str]) -> None:
        """The answers taken from the other version (``taken``) or from both chosen again."""
        for chosen, buttons in ((taken, self.take_other), (both, self.take_both)):
            for key in chosen & buttons.keys():
                buttons[key].setChecked(True)

    def _set_intro(self) -> None:
        """The instructions, or where nothing is left to decide only that (not the
        instructions above an empty list and greyed panes)."""
        if self.conflicts:
            self.intro.setText(
                _(
                    "The same field was changed on two laptops. Keep the value that is right, "
                    "or enter the right one. Your decision reaches every laptop with the next "
                    "sync."
                )
            )
        else:
            self.intro.setText(_("Nothing to decide: there are no conflicts."))
        self.list.setVisible(bool(self.conflicts))
        self.choice.setVisible(bool(self.conflicts))

    def _side_texts(self, c: conflicts_uc.OpenConflict | None) -> None:
        """The sides' titles and buttons: the value in force and the other one, or for answers
        that fit the form on each laptop but not combined, the two versions (neither is in
        force: the combination is, until an advisor decides)."""
        versions = c is not None and c.field == conflicts_uc.COMBINED_ANSWERS
        self.why.setVisible(versions)
        if versions:
            self.why.setText(
                _(
                    "Answers of this form were changed on two laptops. Each version is "
                    "complete, but together they do not fit the form: an answer to a question "
                    "the other answers no longer ask, or answers that contradict each other. "
                    "Take the version that is right, or take each answer from one of them."
                )
            )
            self.kept_box.setTitle(_("Newer version"))
            self.other_box.setTitle(_("Older version"))
            self.keep_first.setText(_("Take the &newer version"))
            self.keep_second.setText(_("Take the o&lder version"))
        else:
            self.kept_box.setTitle(_("In force now"))
            self.other_box.setTitle(_("Not in force"))
            self.keep_first.setText(_("Keep the value &in force"))
            self.keep_second.setText(_("Take the &other value"))
        self.both_box.setTitle(_("Both"))
        self.keep_both.setText(_("Keep &both"))

    def _side(self) -> tuple[QGroupBox, QLabel, QLabel, QPushButton]:
        box = QGroupBox()
        changed = QLabel()  # where and when the value was set; wraps, unlike a box's title
        changed.setWordWrap(True)
        changed.setStyleSheet("color: #555;")
        text = QLabel()
        text.setWordWrap(True)
        text.setAlignment(Qt.AlignmentFlag.AlignTop | Qt.AlignmentFlag.AlignLeft)
        text.setMinimumHeight(60)
        text.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        button = QPushButton()
        inner = QVBoxLayout(box)
        inner.addWidget(changed)
        inner.addWidget(text, 1)
        inner.addWidget(button)
        return box, changed, text, button

    # --- the list ------------------------------------------------------------------------
    def reload(self) -> None:
        from desktop_app.usecases import people, reference

        window = self.controller.window
        self.directory = reference.service_directory(self.controller.store)
        self._worded = {}  # the forms may have changed with a sync
        self.conflicts = conflicts_uc.open_conflicts(self.controller.store, window.session.user)
        self._relisting = True
        self.list.clear()
        self.names = {}
        for c in self.conflicts:
            if c.person_id and c.person_id not in self.names:
                # A name in the list is no look at the record (as in the people list): the
                # view is logged when a conflict of the person is shown (``_log_view``).
                person = people.get_person(
                    self.controller.store, window.session.user, c.person_id, log_view=False
                )
                self.names[c.person_id] = (
                    f"{person.given_name} {person.family_name}" if person else None
                )
            self.list.addItem(self._title(c))
        self.list.setCurrentRow(0 if self.conflicts else -1)
        self._relisting = False
        self._show_conflict(self._current())
        self._set_intro()

    def after_sync(self, result: object) -> None:
        """A sync that brought changes may bring conflicts or decide some elsewhere: listed
        anew, the conflict shown stays shown. While its values are the same, with what was
        typed in its field and chosen answer by answer; changed or decided by the sync, as it
        is now, and said so (a new view is not logged: ``viewed``). Not while a decision is
        being stored (the next sync)."""
        from desktop_app.usecases import sync as sync_uc

        if not (isinstance(result, sync_uc.SyncReport) and result.applied and self.isVisible()):
            return
        if not self.choice.isEnabled():
            return
        shown = self._current()
        typed = self.edit_line.text(), self.edit_text.toPlainText()
        taken, both = _checked(self.take_other), _checked(self.take_both)
        scroll = self.list.verticalScrollBar().value()
        self.reload()
        ids = [c.id for c in self.conflicts]
        if shown is not None and shown.id in ids:
            self.list.setCurrentRow(ids.index(shown.id))  # shows its values again
            if _values(self.conflicts[ids.index(shown.id)]) == _values(shown):
                self.edit_line.setText(typed[0])
                self.edit_text.setPlainText(typed[1])
                self._choose(taken, both)
            else:  # what was chosen was chosen between values that are no longer these
                self.notice.show_message(
                    _("A sync changed this conflict: it is shown as it is now. Decide again.")
                )
        elif shown is not None:
            self.notice.show_message(
                _(
                    "The conflict you had open was decided on another laptop, or the person it "
                    "is about was erased (received with a sync)."
                )
            )
        self.list.verticalScrollBar().setValue(scroll)

    def _title(self, c: conflicts_uc.OpenConflict) -> str:
        parts = []
        if c.person_id in self.names:
            name = self.names[c.person_id]
            parts.append(_("(erased)") if name is None else name)
        kind = _(RECORD_KINDS[c.record_kind]) if c.record_kind in RECORD_KINDS else c.record_kind
        if c.record_kind == "visit" and c.about:
            from desktop_app.ui.visits import form_title

            if c.visit_day:
                kind = _("{kind} “{form}” of {date}").format(
                    kind=kind, form=form_title(c.about), date=format_partial_date(c.visit_day)
                )
            else:
                kind = _("{kind} “{form}”").format(kind=kind, form=form_title(c.about))
        elif c.about:
            kind = f"{kind} {self._about_text(c)}"
        if c.record_kind != "person":
            parts.append(kind)
        entry = conflicts_uc.visit_entry(c.record_kind, c.field)
        if entry is not None and entry[0] == "answers":  # the question, by its label
            parts.append(answer_parts(self._answers_form(c), entry[1], None)[0])
        elif entry is not None:
            parts.append(f"{field_label(entry[0])}: {self._step_label(c, entry[1])}")
        else:
            parts.append(field_label(c.field))
        return " · ".join(parts)

    def _step_label(self, c: conflicts_uc.OpenConflict, step: str) -> str:
        definition = self._answers_form(c)
        rules = {rule.id: rule for rule in definition.next_steps} if definition else {}
        return pick(rules[step].label, current_language()) if step in rules else step

    def _current(self) -> conflicts_uc.OpenConflict | None:
        row = self.list.currentRow()
        return self.conflicts[row] if 0 <= row < len(self.conflicts) else None

    def _on_list_current_changed(self, _row: int) -> None:
        """Another conflict chosen: its values shown. Where a value was typed for the one
        shown, or answers taken from the other version, the user is asked first (as Escape
        asks): keeping on editing chooses that one again, discarding shows the other."""
        if self._relisting:
            return
        shown, chosen = self._showing, self._current()
        if shown is None or chosen is None or chosen.id == shown.id:
            self._show_conflict(chosen)
            return
        if self.keeps_input.entered():
            # Chosen again while the question is asked; once more when the click (or key)
            # has been handled, which selects the row clicked after telling of it.
            self._choose_quietly(shown.id)
            QTimer.singleShot(0, self, lambda: self._choose_quietly(shown.id))
            self.keeps_input.before_losing(lambda: self._go_to(chosen.id))
            return
        self._show_conflict(chosen)

    def _choose_quietly(self, conflict_id: str) -> bool:
        """The conflict chosen in the list without showing it anew; whether it is listed."""
        ids = [c.id for c in self.conflicts]
        if conflict_id not in ids:
            return False
        self._relisting = True
        self.list.setCurrentRow(ids.index(conflict_id))
        self._relisting = False
        return True

    def _go_to(self, conflict_id: str) -> None:
        """What was entered discarded: the conflict chosen shown (unless a sync took it
        meanwhile; the one shown stays then)."""
        if self._choose_quietly(conflict_id):
            self._show_conflict(self._current())

    def _show_conflict(self, c: conflicts_uc.OpenConflict | None) -> None:
        """``c``'s values in the panes, the field for the right value filled anew."""
        self._showing = c
        self.error.show_message("")
        self.notice.show_message("")
        choosable = c is not None and c.decidable and not c.withheld
        self.kept_box.setEnabled(choosable)
        self.other_box.setEnabled(choosable)
        self.both_box.setVisible(c is not None and c.both is not None)
        if c is None:
            self._side_texts(None)
            for label in (self.kept_changed, self.kept_text, self.other_changed, self.other_text):
                label.setText("")
            self._show_editor(None)
            self._show_combination(None)
            return
        self._show_sides(c)
        self._show_editor(c if c.editable and choosable else None)
        self._show_combination(c)
        self.combine.setEnabled(choosable)
        # Once the new rows are laid out (the old ones are deleted later).
        QTimer.singleShot(0, self._grow)
        self._log_view(c)

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        QTimer.singleShot(0, self._grow)

    def keyPressEvent(self, event: QKeyEvent) -> None:
        # Enter in the field for the right value saves it, as Alt+S does (the line edit
        # passes Enter on to the dialog, whose default button would close it).
        # So does Enter on a choice of "take each answer": it went on to Close, which asked
        # whether to throw the answers chosen away.
        enter = event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter)
        focus = self.focusWidget()
        if enter and focus is self.edit_line:
            event.accept()
            if self.save_edit.isEnabled() and self.save_edit.isVisible():
                self.save_edit.click()
            return
        if enter and isinstance(focus, QRadioButton) and self.combine.isAncestorOf(focus):
            event.accept()
            if self.save_combination.isEnabled() and self.save_combination.isVisible():
                self.save_combination.click()
            return
        super().keyPressEvent(event)

    def _grow(self) -> None:
        """As wide and high as the conflict shown wants, within a laptop's 1024 × 680, never
        smaller than it is: the two versions' answers side by side want some 860 px in
        Bulgarian, and at the 640 px the dialog opened with their choices and labels were cut
        off (the explicit minimum width keeps the layout from enforcing its own)."""
        if not self.isVisible():
            return
        room = QSize(LAPTOP_WIDTH, 680)
        wanted = self.sizeHint().boundedTo(room).expandedTo(self.minimumSizeHint())
        if self.size().expandedTo(wanted) != self.size():
            self.resize(self.size().expandedTo(wanted))

    def _log_view(self, c: conflicts_uc.OpenConflict) -> None:
        """The person whose values are shown now, once while the dialog is open."""
        if c.person_id and self.names.get(c.person_id) and c.person_id not in self.viewed:
            self.viewed.add(c.person_id)
            self.controller.window.log_view("person", c.person_id)  # off the UI thread

    def _show_sides(self, c: conflicts_uc.OpenConflict) -> None:
        """Both values, where and when each was set, and why a helper cannot decide."""
        self._side_texts(c)
        me = self.controller.store.device_id
        for which, (changed, label, value) in enumerate(
            (
                (self.kept_changed, self.kept_text, c.kept_value),
                (self.other_changed, self.other_text, c.other_value),
            )
        ):
            clock = c.kept_clock if which == 0 else c.other_clock
            laptop = c.kept_laptop if which == 0 else c.other_laptop
            user = c.kept_by if which == 0 else c.other_by
            elsewhere, role = c.kept_by_elsewhere if which == 0 else c.other_by_elsewhere
            if not user and elsewhere and role:
                # A user of another laptop, as the audit log names them: "cfa63b3c (Advisor)"
                # (the laptop follows in the sentence).
                user = staff_label(elsewhere, role)
            if clock.endswith(me):
                where = (
                    _("changed by {user} on this laptop, {when}")
                    if user
                    else _("changed on this laptop, {when}")
                )
            elif laptop:
                # The laptop's name as the team knows it, e.g. "Contact point north".
                where = (
                    _("changed by {user} on the laptop “{laptop}”, {when}")
                    if user
                    else _("changed on the laptop “{laptop}”, {when}")
                )
            else:
                where = (
                    _("changed by {user} on another laptop, {when}")
                    if user
                    else _("changed on another laptop, {when}")
                )
            changed.setText(where.format(user=user, laptop=laptop, when=_when(c.changed_at(which))))
            label.setText(self._shown(c, which, value))
        if c.both is not None:  # what keeping both gives, shown as the two values are
            self.both_count.setText(
                ngettext(
                    "{count} entry from both values, each once",
                    "{count} entries from both values, each once",
                    len(c.both),
                ).format(count=format_number(len(c.both)))
            )
            self.both_text.setText(answer_text(self._answers_form(c), c.differences[0].key, c.both))
        if c.withheld:
            self.error.show_message(
                _(
                    "The two versions differ in answers you may not see. An advisor decides "
                    "this conflict."
                )
            )
        elif not c.decidable:  # a helper, and a section opened to a helper, say
            self.error.show_message(
                _("Your account may not make this change. An advisor decides this conflict.")
            )

    def _shown(self, c: conflicts_uc.OpenConflict, which: int, value: object) -> str:
        if conflicts_uc.about_visit_answers(c):
            definition = self._answers_form(c)
            steps = c.field.partition("/")[0] == "next_steps"
            lines = []
            for d in c.differences:
                chosen = d.kept if which == 0 else d.other
                if steps:  # a next step's decision, by the step's and the decision's names
                    decision = _(STEP_DECISIONS[chosen]) if chosen in STEP_DECISIONS else chosen
                    lines.append(f"{self._step_label(c, d.key)}: {_plain(decision)}")
                else:
                    lines.append(answer_text(definition, d.key, chosen))
            return "\n".join(lines) or "—"
        return value_text(c, value, self.directory)

    def _about_text(self, c: conflicts_uc.OpenConflict) -> str:
        """What a record is about as people read it: a consent's purpose and a case opening's
        section by their names, a quick contact's day as a date (never a code or ISO date)."""
        if c.record_kind == "consent":
            form = self._form("consent")
            labels = {p.id: p.label for p in form.purposes} if form is not None else {}
            return pick(labels[c.about], current_language()) if c.about in labels else c.about
        if c.record_kind == "quick_contact":
            return format_partial_date(c.about)
        if c.record_kind == "case_opening":
            from desktop_app.ui.case_access import KIND_LABELS

            return f"({_(KIND_LABELS[c.about]) if c.about in KIND_LABELS else c.about})"
        return c.about

    def _form(self, form_id: str) -> FormDefinition | None:
        from desktop_app.usecases import visits

        try:
            return visits.form(form_id, self.controller.store)
        except KeyError:
            return None

    def _answers_form(self, c: conflicts_uc.OpenConflict) -> FormDefinition | None:
        """The form a record's answers and next steps are named by: for a visit, the form in
        force in the words of the version the visit was recorded with, where that is an
        earlier one known here (a check of version 3, version 4 in force: as it was asked);
        read once per listing."""
        if c.record_kind != "visit":
            return self._form(c.about)
        key = (c.about, c.form_version)
        if key not in self._worded:
            from desktop_app.usecases import visits

            try:
                found = visits.form_worded_as_recorded(
                    self.controller.store, c.about, c.form_version
                )
            except KeyError:
                found = None
            self._worded[key] = found
        return self._worded[key]

    def _show_editor(self, c: conflicts_uc.OpenConflict | None) -> None:
        multiline = c is not None and c.field in _MULTILINE
        for widget in (self.edit_label, self.save_edit):
            widget.setVisible(c is not None)
        self.edit_line.setVisible(c is not None and not multiline)
        self.edit_text.setVisible(multiline)
        if c is None:
            return
        current = c.kept_value if isinstance(c.kept_value, str) else ""
        if c.record_kind == "person" and c.field == "date_of_birth" and current:
            from desktop_app.domain.dates import PartialDate, PartialDateError
            from desktop_app.ui.person_dialog import typed_date

            # As it is typed (14.03.1985), not as it is stored (1985-03-14).
            with contextlib.suppress(PartialDateError):
                current = typed_date(PartialDate.parse(current))
        self._offered = current
        if multiline:
            self.edit_text.setPlainText(current)
            self.edit_label.setBuddy(self.edit_text)
        else:
            self.edit_line.setText(current)
            self.edit_label.setBuddy(self.edit_line)

    def _show_combination(self, c: conflicts_uc.OpenConflict | None) -> None:
        """For a visit whose versions differ in several answers: one row per answer, the
        value in force chosen, the other one (and for a repeated group, both) choosable."""
        while self.combine_grid.count():
            item = self.combine_grid.takeAt(0)
            widget = item.widget() if item is not None else None
            if widget is not None and widget is not self.save_combination:
                widget.deleteLater()
        for group in self.combine.findChildren(QButtonGroup):
            group.deleteLater()
        self.take_other, self.take_both = {}, {}
        self.combine.setVisible(c is not None and c.combinable)
        if c is None or not c.combinable:
            return
        definition = self._answers_form(c)
        choices: list[QWidget] = []
        for row, d in enumerate(c.differences):
            label, kept = answer_parts(definition, d.key, d.kept)
            _label, other = answer_parts(definition, d.key, d.other)
            keep_button, other_button = QRadioButton(kept), QRadioButton(other)
            keep_button.setChecked(True)
            buttons = [keep_button, other_button]
            if d.both is not None:  # a repeated group: the entries of both, how many shown
                _label, merged = answer_parts(definition, d.key, d.both)
                both_button = QRadioButton(
                    ngettext("Both: {count} entry", "Both: {count} entries", len(d.both)).format(
                        count=format_number(len(d.both))
                    )
                )
                both_button.setToolTip(merged)
                buttons.append(both_button)
                self.take_both[d.key] = both_button
            group = QButtonGroup(self.combine)
            choices += buttons
            for column, button in enumerate(buttons, start=1):
                group.addButton(button)
                button.setAccessibleName(f"{label}: {button.text()}")
                self.combine_grid.addWidget(button, row, column)
            self.combine_grid.addWidget(QLabel(label), row, 0)
            self.take_other[d.key] = other_button
        # Under the choices, at the right: as wide as its text, however many columns.
        right = Qt.AlignmentFlag.AlignRight
        self.combine_grid.addWidget(self.save_combination, len(c.differences), 1, 1, -1, right)
        # Where they are shown, under the sides' buttons: made now, they came after Close.
        tab_through(self.keep_both, [*choices, self.save_combination])

    def _combined_value(self) -> str | None:
        c = self._current()
        if c is None:
            return None
        return conflicts_uc.combination(c, _checked(self.take_other), _checked(self.take_both))

    def _entered(self) -> tuple[bool, frozenset[str], frozenset[str]]:
        """What Close and Escape, or choosing another conflict, would throw away
        (``keeps_input``), not yet saved: whether the right value was edited, and the answers
        taken from the other version or from both, for the conflict shown. A decision saved
        shows the next conflict, none of it entered yet."""
        c = self._showing
        multiline = c is not None and c.field in _MULTILINE
        typed = self.edit_text.toPlainText() if multiline else self.edit_line.text()
        edited = c is not None and not self.edit_label.isHidden() and typed != self._offered
        return edited, frozenset(_checked(self.take_other)), frozenset(_checked(self.take_both))

    # --- deciding ------------------------------------------------------------------------
    def _kept_value(self) -> object:
        c = self._current()
        return None if c is None else c.kept_value

    def _other_value(self) -> object:
        c = self._current()
        return None if c is None else c.other_value

    def _both_value(self) -> object:
        c = self._current()
        return None if c is None else c.both

    def _edited_value(self) -> str:
        c = self._current()
        if c is not None and c.field in _MULTILINE:
            return self.edit_text.toPlainText().strip()
        return " ".join(self.edit_line.text().split())

    def _resolve_with(self, value: object) -> None:
        c = self._current()
        if c is None or c.withheld or not c.decidable:
            return
        store, user = self.controller.store, self.controller.window.session.user
        self.save.start(
            lambda: conflicts_uc.resolve_conflict(store, user, c.id, value),
            self._on_decided,
            self._on_decide_failed,
        )

    def select_person(self, person_id: str) -> None:
        """Show the first conflict about ``person_id`` (opened from their page)."""
        rows = [i for i, c in enumerate(self.conflicts) if c.person_id == person_id]
        if rows:
            self.list.setCurrentRow(rows[0])

    def _on_decided(self, _result: object) -> None:
        row = self.list.currentRow()
        decided = self._current()
        self.reload()
        if self.conflicts:
            self.list.setCurrentRow(min(row, len(self.conflicts) - 1))
        self.controller.window.reload_all()
        self.decided.emit()
        if decided is None:  # (none chosen: what was decided is not known here)
            self.controller.refresh()  # the count of conflicts to decide, in the status bar
            notice = getattr(self.controller.window, "conflict_notice", None)
            if notice is not None:
                notice.refresh()
            return
        # A change about the person stored here: what shows them elsewhere follows (an open
        # follow-ups list kept "⚠" and both numbers of a phone conflict decided), and so do
        # the person page's notice and the sync status (``install_notice``). Each was also
        # refreshed here directly, and so read twice.
        self.controller.window.person_data_saved.emit(decided.person_id)

    def _on_decide_failed(self, exc: Exception) -> None:
        if isinstance(exc, ValidationFailed):
            self.error.show_message("\n".join(field_message(e) for e in exc.errors))
        elif isinstance(exc, InvalidAnswers):  # answers taken from both that do not fit
            self.error.show_message(self._problems(exc))
        elif isinstance(exc, conflicts_uc.ConflictGone):
            self.reload()
            self.error.show_message(
                _("This conflict was decided meanwhile, here or on another laptop.")
            )
        elif isinstance(exc, PermissionDenied):
            self.error.show_message(error_message(exc.code))
        else:
            # The store busy (a sync), the disk full …: the application's error handler only
            # logged it, and the conflict stayed with nothing said.
            what = _("The decision could not be saved.")
            self.error.show_message(failure_message(exc, what))

    def _problems(self, exc: InvalidAnswers) -> str:
        c = self._current()
        definition = self._answers_form(c) if c is not None else None
        lang = current_language()
        problems = []
        for error in exc.errors:
            key = error.field_path.split("[", 1)[0].split(".", 1)[0]
            label = answer_parts(definition, key, None)[0] if key else ""
            text = pick(error.message, lang) or error.code
            problems.append(f"{label}: {text}" if label else text)
        return _("These answers do not fit together: {problems}").format(
            problems="; ".join(problems)
        )

    def reject(self) -> None:
        self.save.dismiss()
        super().reject()


class ConflictNotice(PageNotice):
    """On the person's page: values of this person still to decide, and the way to them."""

    def __init__(self, controller: SyncController) -> None:
        super().__init__("conflicts notice")
        self.controller = controller
        self.person_id = ""
        self.button.clicked.connect(self._on_decide_clicked)

    def show_for(self, person_id: str | None) -> None:
        self.person_id = person_id or ""
        self.refresh()

    def refresh(self) -> None:
        count = (
            conflicts_uc.open_count_about(self.controller.store, self.person_id)
            if self.person_id
            else 0
        )
        self.setVisible(count > 0)
        self.text.setText(
            ngettext(
                "{count} value about this person was changed differently on two laptops.",
                "{count} values about this person were changed differently on two laptops.",
                count,
            ).format(count=format_number(count))
        )
        self.button.setText(_("Dec&ide…"))

    def _on_decide_clicked(self) -> None:
        self.controller.open_conflicts().select_person(self.person_id)


def install_notice(controller: SyncController) -> ConflictNotice:
    """The notice on the person's page, kept up to date as people and syncs come and go."""
    window = controller.window
    notice = ConflictNotice(controller)
    window.person_page.add_notice(notice)
    window.person_page.person_changed.connect(
        lambda person: notice.show_for(person.id if person is not None else None)
    )
    controller.sync_finished.connect(lambda _result: notice.refresh())
    # An edit left open while a sync ran can leave a value to decide (see
    # ``sync.conflict_records.record_edit_conflicts``): shown as soon as it is saved.
    window.person_data_saved.connect(lambda _person_id: notice.refresh())
    window.person_data_saved.connect(lambda _person_id: controller.refresh())
    window.retranslated.connect(notice.refresh)
    notice.show_for(window.person_page.person.id if window.person_page.person else None)
    return notice
