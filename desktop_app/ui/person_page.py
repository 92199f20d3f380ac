"""The person's page: what is known about a person, and the actions and tabs of features."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QFormLayout,
    QGridLayout,
    QLabel,
    QPushButton,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from desktop_app.domain.person import Person
from desktop_app.i18n.formatting import format_partial_date
from desktop_app.i18n.text import _
from desktop_app.ui.person_dialog import SEX_OPTIONS
from desktop_app.ui.widgets import country_names, language_name

ACTIONS_PER_ROW = 3


class PersonPage(QWidget):
    """The person's page: facts, actions (buttons added by features) and tabs (visits …).

    Empty with a hint when nobody is selected. ``person_changed`` tells the tabs to refresh.
    """

    person_changed = Signal(object)  # Person | None

    FIELDS = ("name", "date_of_birth", "sex", "nationality", "languages", "phone", "notes")

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.person: Person | None = None
        self.title = QLabel()
        self.title.setStyleSheet("font-size: 16pt; font-weight: bold;")
        self.title.setWordWrap(True)
        self.title.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.hint = QLabel()
        self.hint.setWordWrap(True)
        self.form = QFormLayout()
        self.labels: dict[str, QLabel] = {}
        self.values: dict[str, QLabel] = {}
        for key in self.FIELDS[1:]:
            label, value = QLabel(), QLabel()
            value.setWordWrap(True)
            value.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
            self.labels[key], self.values[key] = label, value
            self.form.addRow(label, value)
        # Feature buttons wrap into rows of three, so the page never squeezes the people list.
        self.actions_row = QGridLayout()
        self.actions_row.setColumnStretch(3, 1)
        self.tabs = QTabWidget()
        self.tabs.hide()
        layout = QVBoxLayout(self)
        layout.addWidget(self.title)
        self.notices = QVBoxLayout()  # features' notices about the person (conflicts …)
        layout.addLayout(self.notices)
        layout.addWidget(self.hint)
        layout.addLayout(self.form)
        layout.addLayout(self.actions_row)
        layout.addWidget(self.tabs, 1)
        self._action_buttons: list[QPushButton] = []
        self._action_texts: list[tuple[QPushButton, Callable[[], str]]] = []
        self._tab_titles: list[tuple[QWidget, Callable[[], str]]] = []
        self._stretch = QWidget()
        layout.addWidget(self._stretch, 1)
        self.setAccessibleName("person details")
        self.retranslate()

    def retranslate(self) -> None:
        texts = {
            "date_of_birth": _("Date of birth"),
            "sex": _("Sex / gender"),
            "nationality": _("Nationality"),
            "languages": _("Languages spoken"),
            "phone": _("Phone"),
            "notes": _("Notes"),
        }
        for key, text in texts.items():
            self.labels[key].setText(text + ":")
        self.hint.setText(_("Search for a person or register a new one (Ctrl+N)."))
        for widget, title in self._tab_titles:
            self.tabs.setTabText(self.tabs.indexOf(widget), title())
        for button, label in self._action_texts:
            button.setText(label())
        self.show_person(self.person)

    def add_action_button(self, button: QPushButton) -> None:
        """A feature's action on the selected person (e.g. "Start visit"); shown with a person."""
        n = len(self._action_buttons)
        self.actions_row.addWidget(button, n // ACTIONS_PER_ROW, n % ACTIONS_PER_ROW)
        self._action_buttons.append(button)
        button.setVisible(self.person is not None)

    def add_person_action(
        self, name: str, text: Callable[[], str], act: Callable[[Person], object]
    ) -> QPushButton:
        """An action button on the person shown: ``act`` gets them when it is clicked.

        ``name`` is the button's object name; ``text`` gives its label in the language in use.
        """
        button = QPushButton(text())
        button.setObjectName(name)
        self._action_texts.append((button, text))

        def on_clicked() -> None:
            if self.person is not None:
                act(self.person)

        button.clicked.connect(on_clicked)
        self.add_action_button(button)
        return button

    def add_notice(self, widget: QWidget) -> None:
        """A feature's notice under the person's name; the feature shows and hides it."""
        self.notices.addWidget(widget)

    def add_tab(self, widget: QWidget, title: Callable[[], str]) -> None:
        """A feature's tab on the person's page; ``title`` is called again on language change."""
        self.tabs.addTab(widget, title())
        self._tab_titles.append((widget, title))
        self._update_visibility()

    def _update_visibility(self) -> None:
        shown = self.person is not None
        for button in self._action_buttons:
            button.setVisible(shown)
        self.tabs.setVisible(shown and self.tabs.count() > 0)
        self._stretch.setVisible(not self.tabs.isVisible())

    def show_person(self, person: Person | None) -> None:
        self.person = person
        self.hint.setVisible(person is None)
        for key in self.values:
            self.labels[key].setVisible(person is not None)
            self.values[key].setVisible(person is not None)
        self._update_visibility()
        if person is None:
            self.title.setText("")
            self.person_changed.emit(None)
            return
        self.title.setText(f"{person.given_name} {person.family_name}")
        sexes = dict(SEX_OPTIONS)
        self.values["date_of_birth"].setText(format_partial_date(person.date_of_birth) or "—")
        self.values["sex"].setText(_(sexes[person.sex.value]) if person.sex else "—")
        self.values["nationality"].setText(
            country_names().get(person.nationality, person.nationality) or "—"
        )
        self.values["languages"].setText(
            ", ".join(language_name(c) for c in person.languages) or "—"
        )
        self.values["phone"].setText(person.phone or "—")
        self.values["notes"].setText(person.notes or "—")
        self.setAccessibleDescription(self.title.text())
        self.person_changed.emit(person)
