"""The dialog in which a coordinator edits one service of the directory (or adds one): every
field of a service file, a problem said at its field, and nothing lost while it is refused."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QSize, Qt
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFrame,
    QGridLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

from desktop_app.i18n.text import LANGUAGES, _, current_language
from desktop_app.letters.directory import ServiceDirectory
from desktop_app.ui.access_keys import give_keys, keys_in
from desktop_app.ui.error_label import ErrorLabel, WarningLabel, with_error
from desktop_app.ui.tasks import DialogSave
from desktop_app.ui.widgets import (
    LANGUAGE_CODES,
    CappedComboBox,
    KeepsInput,
    language_name,
    tab_through,
)
from desktop_app.usecases import directory_edit
from desktop_app.usecases.directory_edit import FieldProblem, ServiceDraft, with_unshown

# The most room the dialog takes: within a 1366 × 768 screen (about 1346 × 728 free under the
# desktop's panel, FRAME_ROOM for the title bar), and no wider than the advisors' windows.
OPENING_MOST = QSize(1080, 680)
FRAME_ROOM = QSize(20, 40)

# What a service file's localized keys are called in the dialog.
_LOCALIZED_TITLES = {
    "name": lambda: _("Name"),
    "description": lambda: _("Description"),
    "opening_hours": lambda: _("Opening hours"),
    "address.extra": lambda: _("Building, floor or room"),
}
# Which fields' labels get a letter as access key first (see give_keys).
_KEY_ORDER = (
    "name.",
    "address.street",
    "address.postcode",
    "address.city",
    "contact.",
    "consent_names",
    "topics",
    "further_topics",
    "languages",
    "documents",
    "opening_hours.",
    "description.",
    "address.extra.",
)
_DRAFT_KEYS = {
    "name": "name",
    "description": "description",
    "opening_hours": "opening_hours",
    "address.extra": "extra",
}


#: how much longer than the others of its column a label is before it wraps (a few pixels
#: more make no second line worth it)
_WRAP_BEYOND = 40


def _wrap_the_longest(column: list[QLabel]) -> None:
    """The longest label of a column of the grid wraps to the width of the next longest,
    where it is much longer: "Denumiri în formularele de consimțământ:" (Romanian, 268 px
    beside 140 for the next) made the first column as wide, and on an 800 px screen the
    fields beside it (the names, the street, the city) were left 159 px."""
    if len(column) < 2:
        return
    ranked = sorted(column, key=lambda label: label.sizeHint().width())
    longest, room = ranked[-1], ranked[-2].sizeHint().width()
    if longest.sizeHint().width() <= room + _WRAP_BEYOND:
        return
    metrics = longest.fontMetrics()
    word = max(metrics.horizontalAdvance(w) for w in longest.text().replace("&", "").split())
    longest.setWordWrap(True)
    longest.setMaximumWidth(max(room, word))


def _checkable_list(options: list[tuple[str, str]], checked: tuple[str, ...]) -> QListWidget:
    box = QListWidget()
    for ident, text in options:
        item = QListWidgetItem(text)
        item.setData(Qt.ItemDataRole.UserRole, ident)
        item.setFlags(item.flags() | Qt.ItemFlag.ItemIsUserCheckable)
        on = ident in checked
        item.setCheckState(Qt.CheckState.Checked if on else Qt.CheckState.Unchecked)
        box.addItem(item)
    box.setMinimumHeight(150)
    return box


def _checked(box: QListWidget, first: tuple[str, ...] = ()) -> tuple[str, ...]:
    """The checked ids: those of ``first`` (the service's order) kept in their order."""
    ids = [
        str(box.item(i).data(Qt.ItemDataRole.UserRole))
        for i in range(box.count())
        if box.item(i).checkState() == Qt.CheckState.Checked
    ]
    return tuple([i for i in first if i in ids] + [i for i in ids if i not in first])


class ServiceDialog(QDialog):
    """One service's fields. ``save`` gets the draft when the user saves; it answers with the
    problems to show (an empty list: it went ahead, and the caller closes the dialog)."""

    def __init__(
        self,
        directory: ServiceDirectory,
        draft: ServiceDraft | None,
        save: Callable[[ServiceDialog, ServiceDraft], None],
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.original = draft
        self._save = save
        self._warned_hours: str | None = None
        self._warned_building: tuple[str, str] | None = None
        lang = current_language()
        self.setWindowTitle(_("Edit service") if draft else _("Add service"))
        draft = draft or ServiceDraft()
        self.errors: dict[str, ErrorLabel] = {}
        self.texts: dict[tuple[str, str], QLineEdit] = {}
        labels: list[tuple[QLabel, str, str]] = []
        columns: dict[int, list[QLabel]] = {}  # the labels of the grid's columns 0 and 2
        order: list[QWidget] = []

        body = QWidget()
        grid = QGridLayout(body)
        grid.setColumnStretch(1, 1)
        grid.setColumnStretch(3, 1)
        row = 0

        def add(
            field: QWidget,
            key: str,
            text: str,
            at: tuple[int, int],
            error: ErrorLabel | None = None,
        ) -> None:
            label = QLabel()
            label.setBuddy(field)
            labels.append((label, text, key))
            field.setAccessibleName(text.rstrip(":"))
            self.errors[key] = error or ErrorLabel()
            r, c = at
            # Level with its field, not with the message under it.
            label.setMinimumHeight(field.sizeHint().height())
            label.setAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter)
            grid.addWidget(label, r, c, Qt.AlignmentFlag.AlignTop)
            columns.setdefault(c, []).append(label)
            cell = with_error(field, self.errors[key])
            cell.addStretch(1)  # at the top of a row made taller by its neighbour's message
            grid.addLayout(cell, r, c + 1)
            order.append(field)

        def heading(text: str) -> None:
            nonlocal row
            title = QLabel(f"<b>{text}</b>")
            grid.addWidget(title, row, 0, 1, 4)
            row += 1

        for key, title in _LOCALIZED_TITLES.items():
            heading(title())
            texts = getattr(draft, _DRAFT_KEYS[key])
            for i, code in enumerate(LANGUAGES):
                edit = QLineEdit(texts.get(code, ""))
                edit.setMaxLength(300)
                edit.setCursorPosition(0)  # a long name shown from its beginning
                self.texts[(key, code)] = edit
                name = language_name(code, lang)
                shown = name[:1].upper() + name[1:]
                text = _("{language} (required):").format(language=shown)
                if not (key == "name" and code == "de"):
                    text = f"{shown}:"
                warned = (key, code) in (("opening_hours", "de"), ("address.extra", "de"))
                warning = WarningLabel() if warned else None
                add(edit, f"{key}.{code}", text, (row + i // 2, (i % 2) * 2), warning)
                # Four fields per language: a screen reader says which text it is.
                edit.setAccessibleName(
                    _("{field} ({language})").format(field=title(), language=name)
                )
            row += 2
        self.hours_warning = self.errors["opening_hours.de"]
        self.building_warning = self.errors["address.extra.de"]
        self.texts[("opening_hours", "de")].setPlaceholderText("Mo–Fr 8:00–12:30 Uhr")

        heading(_("Address and contact"))
        self.street = QLineEdit(draft.street)
        self.postcode = QLineEdit(draft.postcode)
        self.city = QLineEdit(draft.city)
        self.phone = QLineEdit(draft.phone)
        self.web = QLineEdit(draft.web)
        self.email = QLineEdit(draft.email)
        for edit in (self.street, self.postcode, self.city, self.phone, self.web, self.email):
            edit.setMaxLength(200)
        add(self.street, "address.street", _("Street:"), (row, 0))
        add(self.postcode, "address.postcode", _("Postcode:"), (row, 2))
        add(self.city, "address.city", _("City:"), (row + 1, 0))
        add(self.phone, "contact.phone", _("Phone:"), (row + 1, 2))
        add(self.web, "contact.web", _("Website:"), (row + 2, 0))
        add(self.email, "contact.email", _("E-mail:"), (row + 2, 2))
        row += 3

        heading(_("Referrals"))
        self.consent_names = QLineEdit(", ".join(draft.consent_names))
        self.consent_names.setToolTip(
            _(
                "Short names a consent form may name the service by, separated by commas "
                "(e.g. Jobcenter): a letter goes to the service only where the person's "
                "consent names it."
            )
        )
        add(self.consent_names, "consent_names", _("Names on consent forms:"), (row, 0))
        # Not as wide as its longest topic: that made the grid wider than the dialog, and the
        # fields of the first column (the German name, the city) took what was left, 60 px
        # in Bulgarian (a message under the city wrapped to five lines). Its open list is.
        # Narrower where the dialog is (an 800 px screen): at least 20 characters, it left
        # the first column's fields 87 px in Romanian beside its own 230.
        self.main_topic = CappedComboBox(20, least=10)
        topics = sorted(
            ((ident, text.get(lang)) for ident, text in directory.topics.items()),
            key=lambda option: option[1].casefold(),
        )
        self.main_topic.addItem(_("(choose)"), "")
        for ident, text in topics:
            self.main_topic.addItem(text, ident)
        if draft.topics:
            self.main_topic.setCurrentIndex(max(self.main_topic.findData(draft.topics[0]), 0))
        add(self.main_topic, "topics", _("Main topic:"), (row, 2))
        row += 1
        self.further_topics = _checkable_list(topics, draft.topics[1:])
        codes = [c for c in LANGUAGE_CODES if len(c) == 2]
        codes += [c for c in draft.languages if c not in codes]
        self.languages = _checkable_list(
            [(c, language_name(c, lang)) for c in codes], draft.languages
        )
        documents = [(ident, text.get(lang)) for ident, text in directory.documents.items()]
        self.documents = _checkable_list(documents, draft.documents)
        lists = QGridLayout()
        for column, (box, key, text) in enumerate(
            (
                (self.further_topics, "further_topics", _("Further topics:")),
                (self.languages, "languages", _("Languages spoken:")),
                (self.documents, "documents", _("Documents to bring:")),
            )
        ):
            label = QLabel()
            label.setBuddy(box)
            labels.append((label, text, key))
            box.setAccessibleName(text.rstrip(":"))
            self.errors[key] = ErrorLabel()
            lists.addWidget(label, 0, column)
            lists.addLayout(with_error(box, self.errors[key]), 1, column)
            order.append(box)
        grid.addLayout(lists, row, 0, 1, 4)

        scroll = QScrollArea()
        scroll.setAccessibleName(_("The service's fields"))
        scroll.setWidget(body)
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QFrame.Shape.NoFrame)
        layout = QVBoxLayout(self)
        layout.addWidget(scroll, 1)
        self.error = ErrorLabel()
        layout.addWidget(self.error)
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel
        )
        self.save_button = self.buttons.button(QDialogButtonBox.StandardButton.Save)
        self.save_button.setText(_("&Save and publish…"))
        self.buttons.button(QDialogButtonBox.StandardButton.Cancel).setText(_("Cancel"))
        self.buttons.accepted.connect(self._on_save_clicked)
        # Escape pressed by reflex threw away a service's texts typed in four languages.
        self.keeps_input = KeepsInput(self, self.draft)
        self.buttons.rejected.connect(self.keeps_input.cancel)
        layout.addWidget(self.buttons)
        # Publishing writes to the store, which a sync may hold meanwhile: on a worker thread,
        # with this dialog's buttons waiting for the answer.
        self.saving = DialogSave(self, self.buttons)

        # The fields used most get a letter first; the digits the letters run out to go to
        # the translations of the building's description, used least.
        def rank(entry: tuple[QLabel, str, str]) -> int:
            return next(i for i, prefix in enumerate(_KEY_ORDER) if entry[2].startswith(prefix))

        ranked = sorted(labels, key=rank)
        give_keys([(label, text) for label, text, _key in ranked], keys_in(self, [body]))
        for column_labels in columns.values():
            _wrap_the_longest(column_labels)
        tab_through(order[0], [*order[1:], self.save_button])
        self.first_field = order[0]
        self.first_field.setFocus()
        # A 1366 × 768 screen less the desktop's panels and the frame: the fields scroll
        # rather than the buttons running off the screen.
        screen = (parent or self).screen().availableGeometry().size()
        width = min(OPENING_MOST.width(), screen.width() - FRAME_ROOM.width())
        height = min(OPENING_MOST.height(), screen.height() - FRAME_ROOM.height())
        self.resize(max(width, 640), max(min(height, body.sizeHint().height() + 90), 400))

    # -- what was typed -------------------------------------------------------------------------
    def draft(self) -> ServiceDraft:
        original = self.original or ServiceDraft()

        def texts(key: str, before: dict[str, str]) -> dict[str, str]:
            shown = {code: self.texts[(key, code)].text() for code in LANGUAGES}
            return with_unshown(shown, before)

        main = str(self.main_topic.currentData() or "")
        further = _checked(self.further_topics, self.original.topics if self.original else ())
        return ServiceDraft(
            id=original.id,
            name=texts("name", original.name),
            description=texts("description", original.description),
            opening_hours=texts("opening_hours", original.opening_hours),
            extra=texts("address.extra", original.extra),
            consent_names=tuple(n.strip() for n in self.consent_names.text().split(",")),
            topics=((main,) if main else ()) + tuple(t for t in further if t != main),
            street=self.street.text(),
            postcode=self.postcode.text(),
            city=self.city.text(),
            languages=_checked(self.languages, original.languages),
            phone=self.phone.text(),
            web=self.web.text(),
            email=self.email.text(),
            documents=_checked(self.documents, original.documents),
        )

    # -- saving ---------------------------------------------------------------------------------
    def _on_save_clicked(self) -> None:
        self.show_problems([])
        draft = self.draft()
        hours = draft.opening_hours.get("de", "").strip()
        before = (self.original or ServiceDraft()).opening_hours.get("de", "").strip()
        if not directory_edit.unreadable_hours(hours):
            self.hours_warning.show_message("")
        elif hours not in (self._warned_hours, before):
            # Free text stays allowed; the coordinator hears once that no warning will come
            # (and not about hours in force already, when the phone number is changed).
            self._warned_hours = hours
            self.hours_warning.show_message(
                _(
                    "Welcome Desk cannot read these hours, so it will not warn of an "
                    "appointment outside them. Write them like “Mo–Fr 8:00–12:30 Uhr” or "
                    "“nach Vereinbarung”, or save again to keep them as written."
                )
            )
            self._reveal(self.texts[("opening_hours", "de")])
            return
        if self._building_note_left_behind(draft):
            return
        self._save(self, draft)

    def _building_note_left_behind(self, draft: ServiceDraft) -> bool:
        """Whether the coordinator is told, once, that the street or the postcode changed
        while the building's note stayed as it was: the Jobcenter moved, and its letters went
        on sending people to "the information desk on the ground floor" of the old building."""
        original = self.original or ServiceDraft()
        moved = (draft.street.strip(), draft.postcode.strip())
        before = (original.street.strip(), original.postcode.strip())
        # a street or postcode of its own typed (one only cleared moves nothing)
        elsewhere = any(now and now != then for now, then in zip(moved, before, strict=True))
        note = [" ".join(t.split()) for t in draft.extra.values() if t.strip()]
        kept = note and note == [" ".join(t.split()) for t in original.extra.values() if t.strip()]
        if not original.id or not elsewhere or not kept or moved == self._warned_building:
            self.building_warning.show_message("")
            return False
        self._warned_building = moved
        self.building_warning.show_message(
            _(
                "The address changed, but this note on the building is the one of the old "
                "address. Change it in every language if it no longer fits, or save again "
                "to keep it."
            )
        )
        self._reveal(self.texts[("address.extra", "de")])
        return True

    def show_problems(self, problems: list[FieldProblem]) -> None:
        """Each problem under its field (or under the fields, where it has none); the first
        field with one gets the focus."""
        for shown in self.errors.values():
            if shown not in (self.hours_warning, self.building_warning):
                shown.show_message("")
        self.error.show_message("")
        first: QWidget | None = None
        general: list[str] = []
        for problem in problems:
            key = problem.field
            label = self.errors.get(key) or self.errors.get(f"{key}.de")
            if label is None and key.startswith("topics"):
                label = self.errors["topics"]
            if label is None:
                general.append(problem.message)
                continue
            label.show_message(problem.message)
            if first is None:
                first = self._field_of(label)
        self.error.show_message("\n".join(general))
        if first is not None:
            self._reveal(first)

    def show_failure(self, text: str) -> None:
        self.error.show_message(text)

    def _field_of(self, label: ErrorLabel) -> QWidget | None:
        for key, error in self.errors.items():
            if error is label:
                if key in ("further_topics", "languages", "documents"):
                    return {
                        "further_topics": self.further_topics,
                        "languages": self.languages,
                        "documents": self.documents,
                    }[key]
                return self._fields().get(key)
        return None

    def _fields(self) -> dict[str, QWidget]:
        found: dict[str, QWidget] = {f"{k}.{c}": w for (k, c), w in self.texts.items()}
        found.update(
            {
                "address.street": self.street,
                "address.postcode": self.postcode,
                "address.city": self.city,
                "contact.phone": self.phone,
                "contact.web": self.web,
                "contact.email": self.email,
                "consent_names": self.consent_names,
                "topics": self.main_topic,
            }
        )
        return found

    def _reveal(self, field: QWidget | None) -> None:
        if field is None:
            return
        scroll = self.findChild(QScrollArea)
        if scroll is not None:
            scroll.ensureWidgetVisible(field)
        field.setFocus()

    def done(self, result: int) -> None:
        # Closed while publishing (Cancel, Escape, the lock): the publication is kept.
        self.saving.dismiss()
        super().done(result)
