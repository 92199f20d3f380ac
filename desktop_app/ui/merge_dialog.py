"""Two entries of one person side by side, to merge them into one (``usecases.merges``).

The entry kept is the one with the smaller id (``merges.kept_and_merged``), whichever page the
advisor started from, so that two advisors merging one pair offline keep the same entry; its
column says so, and the column of the page open is marked. The other entry's visits, referrals
and consents move to it. Where both hold a different value the advisor chooses (the kept
entry's unless she picks the other's); a field only the other entry holds is filled in from
it. A date of birth the entry kept knows only in part (03.1987) gives way by default to the
other entry's that refines it (14.03.1987): pressing Merge at once kept the month alone, the
day the other laptop had recorded gone from both. Cancel is the default: a merge cannot be
undone.
"""

from __future__ import annotations

import html

from PySide6.QtCore import Qt
from PySide6.QtGui import QShowEvent
from PySide6.QtWidgets import (
    QButtonGroup,
    QDialog,
    QDialogButtonBox,
    QGridLayout,
    QLabel,
    QRadioButton,
    QVBoxLayout,
    QWidget,
)

from desktop_app.domain.dates import PartialDate
from desktop_app.domain.person import PERSON_FIELDS, Person
from desktop_app.i18n.formatting import format_number, format_partial_date
from desktop_app.i18n.messages import FIELD_NAMES
from desktop_app.i18n.text import N_, _, ngettext
from desktop_app.ui.person_dialog import SEX_OPTIONS
from desktop_app.ui.visits import form_title
from desktop_app.ui.widgets import (
    country_names,
    grow_to_wrapped_lines,
    language_names,
    reachable_text,
)
from desktop_app.usecases.merges import MergePreview

# What the dialog counts of each entry, in the reader's words (``merges.COUNTED``).
COUNT_NAMES = {
    "visits": N_("Visits"),
    "referrals": N_("Referrals"),
    "consents": N_("Consents"),
}


def person_value(person: Person, name: str) -> str:
    """A field of the person as the person's page shows it ("" where empty)."""
    if name == "date_of_birth":
        return format_partial_date(person.date_of_birth) if person.date_of_birth else ""
    if name == "sex":
        return _(dict(SEX_OPTIONS)[person.sex.value]) if person.sex else ""
    if name == "nationality":
        return country_names().get(person.nationality, person.nationality)
    if name == "languages":
        return language_names(person.languages)
    return str(getattr(person, name))


def refines(finer: PartialDate | None, coarser: PartialDate | None) -> bool:
    """Whether ``finer`` is the same date as ``coarser`` known more precisely (14.03.1987 of
    03.1987 or of 1987)."""
    if finer is None or coarser is None:
        return False
    return finer.iso().startswith(f"{coarser.iso()}-")


def side_text(field: str, side: str, value: str) -> str:
    """A cell of the comparison as a screen reader says it: which field, whose, the value
    ("Phone, This entry stays: 0151 1111111"); the label alone said "0151 1111111"."""
    return _("{field}, {side}: {value}").format(field=field, side=side, value=value)


def entry_label(person: Person) -> str:
    """The entry whose page is open, told apart as the entries the duplicates notice names
    are (``person_dialog.entry_text``): name, date of birth, phone."""
    text = f"{person.family_name}, {person.given_name}"
    if person.date_of_birth:
        text += f" · {format_partial_date(person.date_of_birth)}"
    return text + (f" · {person.phone}" if person.phone else "")


class MergeDialog(QDialog):
    """Both entries' fields and counts, a choice where they differ; accepted: merge."""

    def __init__(
        self, preview: MergePreview, parent: QWidget | None = None, *, page_id: str = ""
    ) -> None:
        super().__init__(parent)
        self.setObjectName("merge entries")
        self.preview = preview
        self.setWindowTitle(_("Merge entries"))
        kept, other = preview.kept.person, preview.merged.person
        layout = QVBoxLayout(self)
        self.intro = QLabel(
            _(
                "“{kept}” is kept. “{other}” is merged into it: its visits, referrals and "
                "consents move to the entry kept, and the other entry is removed, on this "
                "laptop and, after the next sync, on every laptop of the team. A merge cannot "
                "be undone."
            ).format(kept=entry_label(kept), other=entry_label(other))
        )
        self.intro.setWordWrap(True)
        self.intro.setTextFormat(Qt.TextFormat.PlainText)
        # Reached by Tab (the one stop the comparison adds) and read by a screen reader with
        # the whole comparison as its description (``comparison``): plain labels, the values
        # and counts were out of its reach, and a stop for each would slow the keyboard.
        reachable_text(self.intro)
        self.intro.setObjectName("merge intro")
        self.intro.setAccessibleName(self.intro.text())
        layout.addWidget(self.intro)
        # The comparison line by line, as a screen reader hears it.
        self.comparison: list[str] = []
        grid = QGridLayout()
        grid.setColumnStretch(1, 1)
        grid.setColumnStretch(2, 1)
        grid.setHorizontalSpacing(18)  # the two headers apart, not one line
        # Which entry stays, and which of the two is the page open.
        self.headers: list[QLabel] = []
        self.page_mark: QLabel | None = None
        self.page_column = 0
        sides = (_("This entry stays"), _("Merged into it"))
        for column, (header, entry) in enumerate(zip(sides, (kept, other), strict=True), start=1):
            label = QLabel(f"<b>{html.escape(header)}</b>")
            label.setObjectName("merge side")
            self.headers.append(label)
            grid.addWidget(label, 0, column)
            if entry.id == page_id:  # the intro names both; this says which one she came from
                self.page_mark = QLabel(_("(the page open)"))
                grid.addWidget(self.page_mark, 1, column)
                self.page_column = column
        # Field -> the radio button that takes the other entry's value.
        self.take_other_buttons: dict[str, QRadioButton] = {}
        self.finer_date_chosen = False
        self._groups: list[QButtonGroup] = []
        row = 2
        for name in PERSON_FIELDS:
            ours, theirs = person_value(kept, name), person_value(other, name)
            if not ours and not theirs:
                continue
            field = _(FIELD_NAMES[name])
            grid.addWidget(QLabel(field), row, 0, Qt.AlignmentFlag.AlignTop)
            if name in preview.differing:
                group = QButtonGroup(self)
                mine, their = QRadioButton(_escape(ours)), QRadioButton(_escape(theirs))
                for button, choice, whose in ((mine, ours, sides[0]), (their, theirs, sides[1])):
                    button.setObjectName(f"merge {name}")
                    group.addButton(button)
                    # A screen reader said the value alone ("Ion"): which field, and whose.
                    button.setAccessibleName(f"{_(FIELD_NAMES[name])}: {choice}")
                    button.setAccessibleDescription(whose)
                # The whole date of birth, not the month or year alone of the entry kept.
                finer = name == "date_of_birth" and refines(other.date_of_birth, kept.date_of_birth)
                (their if finer else mine).setChecked(True)
                self.finer_date_chosen = self.finer_date_chosen or finer
                self._groups.append(group)
                self.take_other_buttons[name] = their
                # Tab enters a choice at its first button in the focus chain (the order they
                # are laid out), not at the one checked: the whole date first where it is
                # chosen, or Tab stopped at the month alone, unchecked, where Space took it.
                for button, column in sorted(
                    ((mine, 1), (their, 2)), key=lambda pair: not pair[0].isChecked()
                ):
                    grid.addWidget(button, row, column, Qt.AlignmentFlag.AlignTop)
                self.comparison += [
                    side_text(field, sides[0], ours),
                    side_text(field, sides[1], theirs),
                ]
            else:
                filled = name in preview.filled
                shown = _("{value} (taken over)").format(value=theirs) if filled else theirs
                for column, text in ((1, ours or "—"), (2, shown or "—")):
                    value = QLabel(text)
                    value.setWordWrap(True)
                    value.setTextFormat(Qt.TextFormat.PlainText)
                    said = side_text(field, sides[column - 1], text)
                    value.setAccessibleName(said)
                    self.comparison.append(said)
                    grid.addWidget(value, row, column, Qt.AlignmentFlag.AlignTop)
            row += 1
        for key, title in COUNT_NAMES.items():
            grid.addWidget(QLabel(_(title)), row, 0)
            for column, side in ((1, preview.kept), (2, preview.merged)):
                count = QLabel(format_number(side.counts.get(key, 0)))
                said = side_text(_(title), sides[column - 1], count.text())
                count.setAccessibleName(said)
                self.comparison.append(said)
                grid.addWidget(count, row, column)
            row += 1
        layout.addLayout(grid)
        self.note = QLabel(
            _(
                "Where the two entries hold different values, the value of the entry kept "
                "stays unless you choose the other. Empty fields are filled in from the other "
                "entry."
            )
            if preview.differing
            else _("Empty fields are filled in from the other entry.")
        )
        if self.finer_date_chosen:  # said, as it is not the entry kept's value
            self.note.setText(
                self.note.text()
                + " "
                + _(
                    "The entry kept knows only part of the date of birth: the whole date of "
                    "the other entry is chosen."
                )
            )
        self.note.setWordWrap(True)
        layout.addWidget(self.note)
        # Both entries hold a draft of a form: the other's is kept beside the kept entry's,
        # said before merging, so that nobody wonders where a form half filled in went.
        self.drafts_note: QLabel | None = None
        if preview.drafts_on_both:
            names = ", ".join(form_title(f) for f in preview.drafts_on_both)
            self.drafts_note = QLabel(
                ngettext(
                    "Not finished on both entries: {forms}. Both drafts are kept: the kept "
                    "entry's page offers the other entry's to continue or to discard.",
                    "Not finished on both entries: {forms}. Both drafts of each are kept: the "
                    "kept entry's page offers the other entry's to continue or to discard.",
                    len(preview.drafts_on_both),
                ).format(forms=names)
            )
            self.drafts_note.setObjectName("merge drafts left")
            self.drafts_note.setWordWrap(True)
            self.drafts_note.setTextFormat(Qt.TextFormat.PlainText)
            layout.addWidget(self.drafts_note)
        notes = [n.text() for n in (self.note, self.drafts_note) if n is not None]
        self.intro.setAccessibleDescription("\n".join([*self.comparison, *notes]))
        self.setAccessibleDescription(self.intro.text())  # said as the dialog opens
        self.buttons = QDialogButtonBox()
        self.merge_button = self.buttons.addButton(
            _("&Merge entries"), QDialogButtonBox.ButtonRole.AcceptRole
        )
        cancel = self.buttons.addButton(QDialogButtonBox.StandardButton.Cancel)
        # Cancel is the default: Enter keeps two entries, as they are.
        self.merge_button.setAutoDefault(False)
        cancel.setDefault(True)
        self.cancel_button = cancel
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        layout.addWidget(self.buttons)

    def showEvent(self, event: QShowEvent) -> None:
        # Romanian: "Bulgară, română (se preia)" lost "preia)" on a line cut off
        grow_to_wrapped_lines(self)
        super().showEvent(event)

    def take_other(self) -> frozenset[str]:
        """The fields where the advisor chose the other entry's value."""
        return frozenset(n for n, b in self.take_other_buttons.items() if b.isChecked())


def _escape(text: str) -> str:
    """A value as a radio button's text: an ampersand in it is no access key."""
    return text.replace("&", "&&")
